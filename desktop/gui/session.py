"""The window's handle on an open case: a thin Qt adapter over the operations layer's
:class:`~desktop.app.editing.OpenCase`.

Every edit goes through the OpenCase (one change set, one transaction, one undo step); this adapter
turns its results into Qt signals for the views — ``changed(part)`` for each part an edit, an undo
or a redo touched, ``failed(message)`` when the store refused an edit (nothing saved was lost) — and
keeps the boolean answers the sections test ("was it saved?"). ``undo_stack`` is a small adapter with
the few calls the sections and tests make of a stack (undo, redo, index, undoText).

A step of more than one row ("set day 0" on a case of 2,000 labs, a lesion with its photos, images
with their bytes, and the undo or redo of such a step) is worked out and written on a worker, on a
connection of the worker's own, in the same one transaction; the window's thread keeps painting and
takes no user input meanwhile (:func:`~desktop.gui.workers.wait_off_thread`), then makes the case the
new one, moves the history and announces the change, in that order, as for any edit. A one-row edit
stays on the window's thread: it costs less than handing it over.

It also holds the journal the author writes the case for (:attr:`CaseSession.journal_id`), the
window's default for the Journal tab and for every export of the case; the choice is remembered per
case and, for cases not yet given one, as the library's last choice (QSettings: a preference of this
workstation, not case data).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QSettings, QThread, Signal

from ..app.editing import EditRefused, FieldRefused, OpenCase, Pending
from ..app.notify import Changes
from ..model import Identifiers, Figure
from ..store.changes import PutFigure
from ..store.library import Library, LibraryError


def is_heavy(changes: list) -> bool:
    """A change set the window's thread should not write itself: more than one row, or an image's bytes."""
    return len(changes) > 1 or any(isinstance(ch, PutFigure) and ch.figures.data is not None for ch in changes)


class UndoAdapter:
    """The case's undo history as the sections use it (a plain object, not a QUndoStack)."""

    def __init__(self, session: "CaseSession"):
        self._session = session

    @property
    def _history(self):
        return self._session.open_case.history

    def undo(self) -> None:
        self._session.replay(redo=False)

    def redo(self) -> None:
        self._session.replay(redo=True)

    def index(self) -> int:
        return len(self._history._undo)

    def count(self) -> int:
        return len(self._history._undo) + len(self._history._redo)

    def canUndo(self) -> bool:  # noqa: N802 (the stack's own name)
        return self._history.can_undo()

    def canRedo(self) -> bool:  # noqa: N802
        return self._history.can_redo()

    def undoText(self) -> str:  # noqa: N802
        return self._history.undo_label()

    def redoText(self) -> str:  # noqa: N802
        return self._history.redo_label()

    def clear(self) -> None:
        self._history.clear()


class CaseSession(QObject):
    """An open case for the window: its state (``case``), edits, and their signals."""

    changed = Signal(str)  # the part that changed: "patient", "labs", "case", "figures", ...
    # the operations layer's Changes (parts and item ids), before ``changed``: views that can refresh
    # just the items that changed listen here
    changes = Signal(object)
    failed = Signal(str)  # a message for the user: the edit was not saved, nothing saved was lost
    journal_changed = Signal(str)  # the journal profile id the case is written for

    def __init__(self, source: Library | OpenCase, case_id: str | None = None):
        super().__init__()
        self.open_case = source if isinstance(source, OpenCase) else OpenCase(source, case_id)
        self.undo_stack = UndoAdapter(self)
        self.busy = False  # a step is being written on a worker: no other edit may come between
        self._queued: list[Callable[[], Any]] = []  # edits asked for meanwhile (by a timer), made after it
        self._unsubscribe = self.open_case.notifier.subscribe(self._announce)
        self._journal: str | None = None

    # --- state ----------------------------------------------------------------------------------------

    @property
    def library(self) -> Library:
        return self.open_case.library

    @property
    def case_id(self) -> str:
        return self.open_case.case_id

    @property
    def case(self):
        return self.open_case.case

    @property
    def read_only(self) -> bool:
        return self.open_case.read_only

    # --- the journal the case is written for ----------------------------------------------------------

    def _journal_keys(self) -> tuple[str, str]:
        import hashlib
        lib = hashlib.sha1(str(self.library.path).encode("utf-8")).hexdigest()[:16]
        return f"journal/case-{self.case_id}", f"journal/library-{lib}"

    @property
    def journal_id(self) -> str:
        """The journal profile (resources/journals/) the case is written for: the author's choice for
        this case, else the library's last choice, else the default (jmcr)."""
        if self._journal is None:
            from ..journals import DEFAULT_JOURNAL, journal_ids
            case_key, lib_key = self._journal_keys()
            s, known = QSettings(), journal_ids()
            chosen = next((str(v) for v in (s.value(case_key), s.value(lib_key)) if v and str(v) in known), None)
            self._journal = chosen or DEFAULT_JOURNAL
        return self._journal

    def set_journal(self, journal_id: str) -> None:
        """Write the case for another journal (remembered for the case and as the library's default)."""
        from ..journals import UnknownJournal, journal_ids
        if journal_id not in journal_ids():
            raise UnknownJournal(f"no journal profile {journal_id!r}; known: {', '.join(journal_ids())}")
        case_key, lib_key = self._journal_keys()
        s = QSettings()
        s.setValue(case_key, journal_id)
        s.setValue(lib_key, journal_id)
        if journal_id != self._journal:
            self._journal = journal_id
            self.journal_changed.emit(journal_id)

    def import_references(self, path):
        """Add the references of a RIS, BibTeX, CSL-JSON or PubMed .nbib file to the case (one undo
        step; duplicates merged). The file is read and parsed on a worker, and the references written
        there too when they are more than one row. Returns the operations layer's ImportReport; a file
        that cannot be read raises ParseError (naming the line) and changes nothing; a refused save
        raises too."""
        from ..app.references import import_label, plan_reference_import
        from .workers import wait_off_thread
        existing = list(self.case.references)
        changes, report = wait_off_thread(lambda _progress: plan_reference_import(existing, path),
                                          parent=None, label="Reading references")
        if changes:
            oc, text = self.open_case, import_label(path)
            if not self._step(lambda lib: oc.plan(changes, text, library=lib), heavy=is_heavy(changes),
                              refusal_raises=True):
                raise LibraryError(f"the references of {report.file} were not saved")
        return report

    def reload(self) -> None:
        self.open_case.reload()

    def figure_bytes(self, figure_id: str) -> bytes:
        return self.open_case.figure_bytes(figure_id)

    def close(self) -> None:
        """Stop listening (the window dropped this session)."""
        self._unsubscribe()

    def _announce(self, changes: Changes) -> None:
        if changes.case_id != self.case_id or QThread.currentThread() is not self.thread():
            return  # another case's change; a case is only ever edited from the window's thread
        self.changes.emit(changes)
        for part in sorted(changes.parts):
            self.changed.emit(part)

    def _run(self, fn: Callable[[], Any], *, refusal_raises: bool = False) -> bool:
        """Run an edit; False (and ``failed`` with the message) when it was refused or not saved.
        ``refusal_raises``: an :class:`EditRefused` goes to the caller (to show at its field)."""
        if self.busy:  # only a timer can ask now (user input waits): made once the step is finished
            self._queued.append(fn)
            return True
        try:
            fn()
        except EditRefused as exc:
            if refusal_raises:
                raise
            self.failed.emit(str(exc))
            return False
        except (LibraryError, FieldRefused) as exc:
            self.failed.emit(str(exc))
            return False
        return True

    def _step(self, plan: Callable[[Library | None], Pending | None], *, heavy: bool,
              refusal_raises: bool = False) -> bool:
        """Make one step: ``plan(library)`` works it out (None: nothing to do). A ``heavy`` step is
        planned and written on a worker, with the worker's connection; a light one here. ``finish``
        always runs here, so views hear of it on their own thread, in order."""
        def run() -> None:
            pending = self._off_thread(plan) if heavy else plan(None)
            if pending is None:
                return
            if not pending.written:
                self.open_case.write(pending)
            self.open_case.finish(pending)
        try:
            return self._run(run, refusal_raises=refusal_raises)
        finally:
            self._drain()

    def _drain(self) -> None:
        """Make the edits that waited for a step written on a worker, in the order they were asked."""
        while self._queued and not self.busy:
            self._run(self._queued.pop(0))

    def _off_thread(self, work: Callable[[Library], Pending | None]) -> Pending | None:
        """``work(library)`` on a worker with a connection of its own; writes what it planned."""
        from .workers import wait_off_thread
        open_case = self.open_case

        def job(_progress):
            with open_case.library.worker() as lib:
                pending = work(lib)
                if pending is not None and not pending.written:
                    open_case.write(pending, lib)
                return pending
        self.busy = True
        try:
            return wait_off_thread(job, label="Saving")
        finally:
            self.busy = False

    def _apply(self, changes: list, text: str) -> bool:
        """A change set as one step: written on a worker when it is more than one row."""
        oc = self.open_case
        return self._step(lambda lib: oc.plan(changes, text, library=lib), heavy=is_heavy(changes))

    def replay(self, *, redo: bool) -> bool:
        """Undo (redo) the case's newest step: on a worker when it is more than one row."""
        oc = self.open_case
        step = oc.history.next_redo() if redo else oc.history.next_undo()
        if step is None:
            return False
        return self._step(lambda lib: oc.plan_replay(redo=redo, library=lib),
                          heavy=is_heavy(step.forward if redo else step.inverse))

    # --- the edits (each one step of the OpenCase) ------------------------------------------------------

    def save_item(self, part: str, item: Any, text: str | None = None, position: int | None = None) -> bool:
        return self._run(lambda: self.open_case.save_item(part, item, text, position))

    def delete_item(self, part: str, item_id: str, text: str | None = None) -> bool:
        if not any(i.id == item_id for i in getattr(self.case, part)):
            return False
        return self._run(lambda: self.open_case.delete_item(part, item_id, text))

    def save_single(self, part: str, obj: Any, text: str | None = None) -> bool:
        return self._run(lambda: self.open_case.save_single(part, obj, text))

    def set_case_fields(self, text: str | None = None, **values: Any) -> bool:
        return self._run(lambda: self.open_case.set_case_fields(text, **values))

    def save_identifiers(self, ident: Identifiers, text: str = "Edit identifiers") -> bool:
        return self._run(lambda: self.open_case.save_identifiers(ident, text))

    def add_figure(self, figure: Figure, text: str = "Add figure") -> bool:
        """Add a figure (``figure.data`` holds its bytes, already stripped of metadata)."""
        return self._run(lambda: self.open_case.add_figure(figure, text))

    def add_figures(self, figures: list[Figure], text: str) -> bool:
        """Add several images as one step (their bytes are written on a worker)."""
        return self._apply([PutFigure(m) for m in figures], text)

    def update_figure(self, figure: Figure, text: str = "Edit figure") -> bool:
        """Change an image's caption, links or marks (its bytes stay as stored)."""
        if not any(m.id == figure.id for m in self.case.figures):
            return False
        return self._run(lambda: self.open_case.update_figure(figure, text))

    def delete_figure(self, figure_id: str, text: str = "Delete figure") -> bool:
        if not any(m.id == figure_id for m in self.case.figures):
            return False
        return self._run(lambda: self.open_case.delete_figure(figure_id, text))

    def move_figure(self, figure_id: str, position: int, text: str = "Reorder figures") -> bool:
        if not any(m.id == figure_id for m in self.case.figures):
            return False
        return self._run(lambda: self.open_case.move_figure(figure_id, position, text))

    def save_items(self, part: str, items: list[Any], text: str) -> bool:
        """Add or replace several items of a list part as one step (one transaction)."""
        from ..store.changes import PutItem
        return self._apply([PutItem(part, it) for it in items], text)

    def apply(self, changes: list, text: str) -> bool:
        """Several changes (desktop.store.changes) as one step: one transaction, one undo."""
        return self._apply(changes, text)

    def set_day0(self, event_id: str, *, refusal_raises: bool = False) -> bool:
        """Worked out on a worker too: on a large case the re-anchoring alone takes many frames.
        ``refusal_raises``: an event whose time is unknown raises :class:`EditRefused`."""
        oc = self.open_case
        return self._step(lambda lib: self._planned(oc.set_day0_changes(event_id), lib), heavy=True,
                          refusal_raises=refusal_raises)

    def delete_lesion(self, lesion_id: str, text: str | None = None) -> bool:
        oc = self.open_case
        return self._step(lambda lib: self._planned(oc.delete_lesion_changes(lesion_id, text), lib), heavy=True)

    def _planned(self, planned, library: Library | None) -> Pending | None:
        return None if planned is None else self.open_case.plan(*planned, library=library)

    # --- the library's choices (not edits of the case: no undo step) -----------------------------------

    def entry_unit_system(self) -> str | None:
        """The units this library's lab results are entered in ("conventional"/"si"), None if never chosen."""
        from ..app.preferences import entry_unit_system
        return entry_unit_system(self.library)

    def set_entry_unit_system(self, system: str) -> bool:
        """Choose the library's entry units; False (and ``failed``) when the library refused it."""
        from ..app.preferences import set_entry_unit_system
        return self._run(lambda: set_entry_unit_system(self.library, system))

    def edit_field(self, part: str, attr, value, *, item_id: str | None = None, label: str = ""):
        """The operations layer's validated field edit; raises FieldRefused (shown at the field).
        While a step is written on a worker (a field's idle timer fired meanwhile) the edit waits
        for it and a refusal comes as ``failed``; None is returned then."""
        if self.busy:
            self._queued.append(lambda: self.open_case.edit_field(part, attr, value, item_id=item_id, label=label))
            return None
        return self.open_case.edit_field(part, attr, value, item_id=item_id, label=label)
