"""Undo and redo as stacks of steps, each step a change set with its inverse.

A step is undone by applying its inverse as one transaction, and redone by applying its forward
changes again; both go through the same store path as any edit, so they are committed at once and
written to the audit log. Steps carry a sequence number so that the library's own steps (a case
added, duplicated, trashed) and the steps of each open case can be undone in the order they were
made.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable

_seq = itertools.count(1)


@dataclass
class Step:
    """One undoable step of the history: its label, what redo applies and what undo applies."""
    label: str  # "Edit weight", "Set day 0: Admission", "Delete case: …"
    forward: Any  # what redo applies (a change set, or a library operation)
    inverse: Any  # what undo applies
    seq: int = 0

    def __post_init__(self) -> None:
        if not self.seq:
            self.seq = next(_seq)


class History:
    """Two stacks. ``limit`` bounds the undo stack (oldest steps are forgotten first)."""

    def __init__(self, limit: int = 500):
        self.limit = limit
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self._listeners: list[Callable[[], None]] = []

    def push(self, step: Step) -> None:
        self._undo.append(step)
        del self._undo[:-self.limit]
        self._redo.clear()
        self._changed()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def next_undo(self) -> Step | None:
        return self._undo[-1] if self._undo else None

    def next_redo(self) -> Step | None:
        return self._redo[-1] if self._redo else None

    def undone(self) -> None:
        """The top step was undone: it moves to the redo stack."""
        self._redo.append(self._undo.pop())
        self._changed()

    def redone(self) -> None:
        self._undo.append(self._redo.pop())
        self._changed()

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._changed()

    def on_change(self, fn: Callable[[], None]) -> None:
        self._listeners.append(fn)

    def _changed(self) -> None:
        for fn in list(self._listeners):
            fn()
