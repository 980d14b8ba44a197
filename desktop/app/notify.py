"""What changed, for the views that show it (Anki's OpChanges, calibre's event dispatcher).

Every operation that changes the library says what it changed as a :class:`Changes`; the
:class:`Notifier` hands it to whoever subscribed. The GUI subscribes and refreshes only what
changed; the command line subscribes to nothing. Subscribers are called on the thread that made the
change; the GUI's subscriber forwards to its own thread.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Changes:
    """``case_id``: the case changed (None: the library's list of cases only). ``parts``: the parts
    of the case that changed ("patient", "labs", "figures", "case" for case fields, "identifiers");
    ``ids``: the ids of list items that changed (empty: unknown or a single part). ``cases``: the
    list of cases changed (a case added, trashed, restored, retitled). ``undo``: the change was an
    undo or redo."""
    case_id: str | None = None
    parts: frozenset[str] = field(default_factory=frozenset)
    ids: frozenset[str] = field(default_factory=frozenset)
    cases: bool = False
    undo: bool = False

    def touches(self, part: str) -> bool:
        return part in self.parts


class Notifier:
    def __init__(self) -> None:
        self._subscribers: list[Callable[[Changes], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, fn: Callable[[Changes], None]) -> Callable[[], None]:
        """Call ``fn`` with every change; returns a function that unsubscribes."""
        with self._lock:
            self._subscribers.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._subscribers:
                    self._subscribers.remove(fn)
        return unsubscribe

    def emit(self, changes: Changes) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for fn in subscribers:
            fn(changes)
