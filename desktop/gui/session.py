"""The one path from the GUI's widgets to the library: every edit of an open case goes through a
:class:`CaseSession`, which saves it at once (no Save button), records it on the undo stack and tells
the views what changed.

Each edit is a QUndoCommand holding the old and the new value of one thing (an item, a single part,
case fields). Undo saves the old value back through the same store call, so undo and redo are edits
like any other: committed at once and written to the audit log.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..model import LIST_PARTS, SINGLE_PARTS, Case, Identifiers, Media
from ..store.library import Library, LibraryError


class _Edit(QUndoCommand):
    def __init__(self, session: "CaseSession", text: str, do: Callable[[], None], undo: Callable[[], None]):
        super().__init__(text)
        self._session, self._do, self._undo = session, do, undo
        self.failed: LibraryError | None = None

    def redo(self) -> None:
        self._run(self._do)

    def undo(self) -> None:
        self._run(self._undo)

    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except LibraryError as exc:
            self.failed = exc
            self.setObsolete(True)
            self._session.failed.emit(str(exc))


class CaseSession(QObject):
    """An open case: its in-memory state, kept equal to what the library holds."""

    changed = Signal(str)  # the part that changed: "patient", "labs", "case", "media", ...
    failed = Signal(str)  # a message for the user: the edit was not saved, nothing saved was lost

    def __init__(self, library: Library, case_id: str, undo_stack: QUndoStack | None = None):
        super().__init__()
        self.library = library
        self.case_id = case_id
        self.case: Case = library.load_case(case_id, media=False)
        self.undo_stack = undo_stack or QUndoStack(self)

    @property
    def read_only(self) -> bool:
        return self.library.read_only

    def reload(self) -> None:
        self.case = self.library.load_case(self.case_id, media=False)
        self.changed.emit("case")

    def media_bytes(self, media_id: str) -> bytes:
        return self.library.media_bytes(self.case_id, media_id)

    def _push(self, text: str, do: Callable[[], None], undo: Callable[[], None]) -> bool:
        """Run an edit now and keep it for undo. False when the store refused it (the message went
        out through ``failed``); the in-memory case is then unchanged."""
        cmd = _Edit(self, text, do, undo)
        self.undo_stack.push(cmd)  # push() calls redo()
        if cmd.failed is not None:
            return False
        return True

    # --- the edits ------------------------------------------------------------------------------

    def save_item(self, part: str, item: Any, text: str | None = None, position: int | None = None) -> bool:
        """Add or replace one item of a list part (an event, a lab, a lesion, ...)."""
        items: list = getattr(self.case, part)
        old = next((copy.deepcopy(i) for i in items if i.id == item.id), None)
        old_pos = next((n for n, i in enumerate(items) if i.id == item.id), None)
        new = copy.deepcopy(item)
        label = text or (f"Edit {_noun(part)}" if old is not None else f"Add {_noun(part)}")

        def do():
            self.library.save_item(self.case_id, part, new, position=position)
            self._put(part, copy.deepcopy(new), position)

        def undo():
            if old is None:
                self.library.delete_item(self.case_id, part, new.id)
                self._drop(part, new.id)
            else:
                self.library.save_item(self.case_id, part, old, position=old_pos)
                self._put(part, copy.deepcopy(old), old_pos)
        return self._push(label, do, undo)

    def delete_item(self, part: str, item_id: str, text: str | None = None) -> bool:
        items: list = getattr(self.case, part)
        pos = next((n for n, i in enumerate(items) if i.id == item_id), None)
        if pos is None:
            return False
        old = copy.deepcopy(items[pos])

        def do():
            self.library.delete_item(self.case_id, part, item_id)
            self._drop(part, item_id)

        def undo():
            self.library.save_item(self.case_id, part, old, position=pos)
            self._put(part, copy.deepcopy(old), pos)
        return self._push(text or f"Delete {_noun(part)}", do, undo)

    def save_single(self, part: str, obj: Any, text: str | None = None) -> bool:
        """Replace a single part: patient, diagnosis, outcome, narrative or consent."""
        old = copy.deepcopy(getattr(self.case, part))
        new = copy.deepcopy(obj)
        if old == new:
            return True

        def do():
            self.library.save_single(self.case_id, part, new)
            setattr(self.case, part, copy.deepcopy(new))
            self.changed.emit(part)

        def undo():
            self.library.save_single(self.case_id, part, old)
            setattr(self.case, part, copy.deepcopy(old))
            self.changed.emit(part)
        return self._push(text or f"Edit {part}", do, undo)

    def set_case_fields(self, text: str | None = None, **values: Any) -> bool:
        old = {k: copy.deepcopy(getattr(self.case, k)) for k in values}
        if all(old[k] == v for k, v in values.items()):
            return True
        new = {k: copy.deepcopy(v) for k, v in values.items()}

        def apply(vals):
            self.library.set_case_fields(self.case_id, **vals)
            for k, v in vals.items():
                setattr(self.case, k, copy.deepcopy(v))
            self.changed.emit("case")
        return self._push(text or "Edit " + ", ".join(k.replace("_", " ") for k in values),
                          lambda: apply(new), lambda: apply(old))

    def save_identifiers(self, ident: Identifiers, text: str = "Edit identifiers") -> bool:
        old = copy.deepcopy(self.case.identifiers)
        new = copy.deepcopy(ident)
        if old == new:
            return True

        def apply(val):
            self.library.save_identifiers(self.case_id, val)
            self.case.identifiers = copy.deepcopy(val)
            self.changed.emit("identifiers")
        return self._push(text, lambda: apply(new), lambda: apply(old))

    def add_media(self, media: Media, text: str = "Add image") -> bool:
        """Add an image (``media.data`` holds its bytes, already stripped of metadata)."""
        stored = copy.deepcopy(media)

        def do():
            self.library.save_media(self.case_id, stored)
            meta = copy.deepcopy(stored)
            meta.data = None
            self.case.media.append(meta)
            self.changed.emit("media")

        def undo():
            self.library.delete_media(self.case_id, stored.id)
            self.case.media = [m for m in self.case.media if m.id != stored.id]
            self.changed.emit("media")
        return self._push(text, do, undo)

    def update_media(self, media: Media, text: str = "Edit image") -> bool:
        """Change an image's caption, links or marks (its bytes stay as stored)."""
        pos = next((n for n, m in enumerate(self.case.media) if m.id == media.id), None)
        if pos is None:
            return False
        old = copy.deepcopy(self.case.media[pos])
        new = copy.deepcopy(media)
        new.data = None

        def apply(val):
            self.library.save_media(self.case_id, val)
            self.case.media = [copy.deepcopy(val) if m.id == val.id else m for m in self.case.media]
            self.changed.emit("media")
        return self._push(text, lambda: apply(new), lambda: apply(old))

    def delete_media(self, media_id: str, text: str = "Delete image") -> bool:
        pos = next((n for n, m in enumerate(self.case.media) if m.id == media_id), None)
        if pos is None:
            return False
        old = copy.deepcopy(self.case.media[pos])
        old.data = self.library.media_bytes(self.case_id, media_id)

        def do():
            self.library.delete_media(self.case_id, media_id)
            self.case.media = [m for m in self.case.media if m.id != media_id]
            self.changed.emit("media")

        def undo():
            self.library.save_media(self.case_id, old, position=pos)
            meta = copy.deepcopy(old)
            meta.data = None
            self.case.media.insert(pos, meta)
            self.changed.emit("media")
        return self._push(text, do, undo)

    def move_media(self, media_id: str, position: int, text: str = "Reorder figures") -> bool:
        ids = [m.id for m in self.case.media]
        if media_id not in ids:
            return False
        old_pos = ids.index(media_id)

        def apply(pos):
            self.library.move_media(self.case_id, media_id, pos)
            m = next(x for x in self.case.media if x.id == media_id)
            self.case.media.remove(m)
            self.case.media.insert(max(0, min(pos, len(self.case.media))), m)
            self.changed.emit("media")
        return self._push(text, lambda: apply(position), lambda: apply(old_pos))

    # --- in-memory bookkeeping ------------------------------------------------------------------

    def _put(self, part: str, item: Any, position: int | None) -> None:
        items: list = getattr(self.case, part)
        for n, i in enumerate(items):
            if i.id == item.id:
                items[n] = item
                if position is not None and position != n:
                    items.pop(n)
                    items.insert(max(0, min(position, len(items))), item)
                break
        else:
            if position is None:
                items.append(item)
            else:
                items.insert(max(0, min(position, len(items))), item)
        self.changed.emit(part)

    def _drop(self, part: str, item_id: str) -> None:
        setattr(self.case, part, [i for i in getattr(self.case, part) if i.id != item_id])
        self.changed.emit(part)


_NOUNS = {"medications": "medication", "events": "event", "vitals": "vital sign", "lesions": "lesion",
          "labs": "lab result", "imaging": "imaging study", "biopsies": "biopsy", "treatments": "treatment"}


def _noun(part: str) -> str:
    return _NOUNS.get(part, part)


assert set(_NOUNS) == set(LIST_PARTS) and SINGLE_PARTS  # a new part needs its noun
