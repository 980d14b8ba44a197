"""The library as the window and the command line use it: its cases, opened for editing, added,
duplicated, imported, moved to the trash and back — each undoable, each announced.

:class:`Casebook` is the one object both front ends hold (Anki's Collection, calibre's Cache). It
owns the open library, the notifier that views subscribe to, the library's own undo history (cases
added, duplicated, imported, trashed) and one :class:`~desktop.app.editing.OpenCase`, with its own
history, for each case opened. :meth:`Casebook.undo` undoes the most recent step of the case in
hand or of the library (a case deleted, or the case in hand made), whichever came last.

Every operation on whole cases is a :class:`LibraryOp`: its reading and writing (``work``) runs
wherever :attr:`Casebook.runner` puts it — a window puts it on a worker, with a connection of the
worker's own (:meth:`Casebook.work_elsewhere`) — and its step and notification (``finish``) run on
the caller's thread, so the histories are only ever changed from there.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..model import Case
from ..store.library import Library, LibraryError, TrashedCase
from .editing import OpenCase
from .history import History, Step
from .library import open_or_create
from .notify import Changes, Notifier
from .progress import NO_PROGRESS, check


@dataclass
class ImportResult:
    """What an import added: the new cases, the format read, and what did not map."""
    ids: list[str]  # the cases added
    kind: str  # "casebook", "fhir", "phenopacket", "redcap"
    report: list[str] = field(default_factory=list)  # what the file held that did not map, in words


class Casebook:
    def __init__(self, library: Library):
        self.library = library
        self.notifier = Notifier()
        self.history = History()  # the library's steps: ("trash" | "restore", case_id)
        self._open: dict[str, OpenCase] = {}
        self._confirmed: dict[str, set] = {}  # per case, for as long as the library is open
        self._lock = threading.RLock()  # the library's history, from the window or a worker
        # where the work of a whole-case operation runs: ``runner(op, progress)`` returns
        # ``op.work(library, progress)`` for some connection. Here, by default; a window runs it on
        # a worker (with :meth:`work_elsewhere`) and waits for it.
        self.runner: Callable[[LibraryOp, Any], Any] = self.work_here

    @classmethod
    def open(cls, path: str | os.PathLike, *, read_only: bool = False, check: bool = False,
             create: bool = True) -> "Casebook":
        return cls(open_or_create(path, read_only=read_only, check=check, create=create))

    def close(self) -> None:
        self._open.clear()
        self.library.close()

    def __enter__(self) -> "Casebook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self.library.path

    @property
    def read_only(self) -> bool:
        return self.library.read_only

    # --- reading ------------------------------------------------------------------------------------

    def list_cases(self, search: str = ""):
        return self.library.list_cases(search)

    def read_case_list(self, search: str = ""):
        """The case list read on a read-only connection of its own: for a worker thread, while the
        window keeps its connection (and its thread) to itself."""
        with self.library.reader() as lib:
            return lib.list_cases(search)

    def list_trash(self) -> list[TrashedCase]:
        return self.library.list_trash()

    def load_case(self, case_id: str, *, figures: bool = True) -> Case:
        return self.library.load_case(case_id, figures=figures)

    # --- open cases ---------------------------------------------------------------------------------

    def open_case(self, case_id: str, case: Case | None = None) -> OpenCase:
        """The case open for editing (the same object, with its undo history, while it stays open).
        ``case``: the case as a worker already read it (without figure bytes)."""
        oc = self._open.get(case_id)
        if oc is None:
            oc = OpenCase(self.library, case_id, notifier=self.notifier, case=case,
                          phi_confirmed=self._confirmed.setdefault(case_id, set()))
            self._open[case_id] = oc
        return oc

    def close_case(self, case_id: str) -> None:
        self._open.pop(case_id, None)

    # --- whole cases ------------------------------------------------------------------------------
    # Each operation comes in two phases (:class:`LibraryOp`): ``work`` reads and writes the library
    # through the connection it is given and touches nothing of this object, so a window can run it
    # on a worker with a connection of the worker's own; ``finish`` then records the step and
    # announces the change on the thread where edits are made. :attr:`runner` decides where
    # ``work`` runs: here, on the library's own connection, unless a front end says otherwise.

    def run(self, op: "LibraryOp", progress=NO_PROGRESS) -> Any:
        """Make ``op``: its work through :attr:`runner`, then its finish here. Returns finish's value."""
        return op.finish(self.runner(op, progress))

    def work_here(self, op: "LibraryOp", progress=NO_PROGRESS) -> Any:
        """The default :attr:`runner`: ``op``'s work on the library's own connection, on this thread."""
        return op.work(self.library, progress)

    def work_elsewhere(self, op: "LibraryOp", progress=NO_PROGRESS) -> Any:
        """``op``'s work on a connection of its own (:meth:`Library.worker`): what a worker thread
        runs. The library's count of edits (which backups look at) counts what it committed."""
        with self.library.worker() as lib:
            try:
                return op.work(lib, progress)
            finally:
                self.library.changes += lib.changes

    def add_case_op(self, case: Case, label: str = "New case", *, keep_id: bool = True) -> "LibraryOp":
        def finish(cid: str) -> str:
            self._made(Step(label, ("restore", cid), ("trash", cid)))
            return cid
        return LibraryOp(label, lambda lib, _p: lib.add_case(case, keep_id=keep_id), finish)

    def add_case(self, case: Case, label: str = "New case", *, keep_id: bool = True) -> str:
        """Store a whole case (new, import, demo) as one undoable step. Returns its id."""
        return self.run(self.add_case_op(case, label, keep_id=keep_id))

    def new_case(self, title: str = "") -> str:
        """A new, empty case with a working title."""
        return self.add_case(Case(title=title.strip()), "New case", keep_id=False)

    def duplicate_op(self, case_id: str) -> "LibraryOp":
        def work(lib: Library, progress) -> str:
            check(progress)
            return lib.duplicate_case(case_id)

        def finish(new: str) -> str:
            self._made(Step("Duplicate case", ("restore", new), ("trash", new)))
            return new
        return LibraryOp("Duplicating the case", work, finish)

    def duplicate_case(self, case_id: str, progress=NO_PROGRESS) -> str:
        """A copy of the case (images included), undoable."""
        return self.run(self.duplicate_op(case_id), progress)

    def import_file(self, path: str | os.PathLike, progress=NO_PROGRESS) -> str:
        """Read, validate and add a case file (JSON). Raises ``InvalidCase`` listing every problem;
        nothing is added then. A FHIR Bundle, a Phenopacket or REDCap data are recognised by their
        content and read too (:meth:`import_any`): the first case's id."""
        return self.import_any(path, progress=progress).ids[0]

    def import_op(self, path: str | os.PathLike, dictionary: str | os.PathLike | None = None, *,
                  use_process: bool = False) -> "LibraryOp":
        """The import of a file as an operation; ``use_process`` (the window): the face detector
        looks at the file's photos in a child process (desktop.app.face_process)."""
        path = Path(path)
        label = f"Import {path.name}"

        def work(lib: Library, progress) -> ImportResult:
            from .. import jsonio
            from ..interop.importers import NotImportable, read_foreign
            progress(0.1, text="reading the file")
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise LibraryError(f"{path}: cannot read the file ({exc.strerror})") from None
            progress(0.3, text="checking the case")
            try:
                foreign = read_foreign(path, data, Path(dictionary) if dictionary else None)
            except (NotImportable, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
                raise LibraryError(f"{path.name}: cannot be imported ({exc})") from None
            from .face_process import FaceDetector
            with FaceDetector(use_process=use_process, progress=progress) as detector:
                cases = [jsonio.loads(data, detector=detector)] if foreign is None else \
                    [jsonio.loads(jsonio.dump_bytes(c), detector=detector) for c in foreign.cases]
            check(progress)
            progress(0.7, text="adding it to the library")
            ids = [lib.add_case(c, keep_id=foreign is None) for c in cases]  # each case its own step
            return ImportResult(ids, foreign.kind if foreign else "casebook", foreign.report if foreign else [])

        def finish(result: ImportResult) -> ImportResult:
            for cid in result.ids:
                self._made(Step(label, ("restore", cid), ("trash", cid)))
            return result
        return LibraryOp(f"Importing {path.name}", work, finish)

    def import_any(self, path: str | os.PathLike, dictionary: str | os.PathLike | None = None,
                   progress=NO_PROGRESS):
        """Read, validate and add the case(s) of a file whose reader its content chooses: a Casebook
        case file, a FHIR Bundle, a Phenopacket, or REDCap data with its dictionary (beside it or
        ``dictionary``). Returns an :class:`ImportResult` (ids, and what did not map)."""
        return self.run(self.import_op(path, dictionary), progress)

    def record_face_checks(self, case_id: str, found: dict) -> bool:
        """Record the face detector's answers for images of a case that had not been checked
        (:mod:`desktop.app.faces`; ``found``: by figure id, (checksum looked at, may show a face)) as
        one change, not an undo step of the author's: through the open case when it is open, so that
        what it holds stays what the library holds. False when nothing was left to record (the
        case gone, its images deleted or checked meanwhile)."""
        from .faces import checked_changes
        oc = self._open.get(case_id)
        if oc is not None:
            changes = checked_changes(oc.case.figures, found)
            if changes:
                oc.apply(changes, "Face check", record=False)
            return bool(changes)
        if not self.library.has_case(case_id):
            return False
        changes = checked_changes(self.library.load_case(case_id, figures=False).figures, found)
        if changes:
            self.library.apply(case_id, changes)
            self.notifier.emit(Changes(case_id, frozenset({"figures"}), frozenset(ch.figures.id for ch in changes)))
        return bool(changes)

    def trash_case(self, case_id: str) -> None:
        """Move a case to the trash (undoable; restorable from the trash until it is emptied)."""
        def work(lib: Library, _p) -> str:
            title = lib.case_title(case_id) or "untitled case"
            lib.trash_case(case_id)
            return title

        def finish(title: str) -> None:
            self.close_case(case_id)
            self._made(Step(f"Delete case: {title}"[:80], ("trash", case_id), ("restore", case_id)))
        self.run(LibraryOp("Moving the case to the trash", work, finish))

    def restore_case(self, case_id: str) -> None:
        """Bring a case back from the trash (undoable)."""
        def work(lib: Library, _p) -> str:
            lib.restore_case(case_id)
            return lib.case_title(case_id) or "untitled case"

        def finish(title: str) -> None:
            self._made(Step(f"Restore case: {title}"[:80], ("restore", case_id), ("trash", case_id)))
        self.run(LibraryOp("Restoring the case", work, finish))

    def empty_trash(self, progress=NO_PROGRESS) -> int:
        """Delete the cases in the trash for good (not undoable: the window asks first)."""
        def work(lib: Library, progress) -> int:
            check(progress)
            return lib.empty_trash()

        def finish(n: int) -> int:
            with self._lock:
                self.history.clear()  # no step may bring back what is gone
            self.notifier.emit(Changes(None, cases=True))
            return n
        return self.run(LibraryOp("Emptying the trash", work, finish), progress)

    def read_trash(self) -> list[TrashedCase]:
        """The trash read on a read-only connection of its own (for a worker thread)."""
        with self.library.reader() as lib:
            return lib.list_trash()

    def _made(self, step: Step) -> None:
        """A library step was written: record it and tell the views the list of cases changed."""
        self._record(step)
        self.notifier.emit(Changes(None, cases=True))

    def _record(self, step: Step) -> None:
        with self._lock:
            self.history.push(step)

    # --- undo and redo ------------------------------------------------------------------------------

    def _latest(self, case_id: str | None, *, redo: bool):
        """The history whose next step (undo or redo) is the most recent: the library's or the case's.

        A step of the library counts for the case in hand when it deleted a case (the deleted one
        cannot be in hand, and Undo after a delete should bring it back) or when it made the case in
        hand; the making of another case is undone from that case (or with no case in hand), so
        Undo in one case never removes another."""
        pick = (lambda h: h.next_redo()) if redo else (lambda h: h.next_undo())
        lib_step = pick(self.history)
        if lib_step is not None and case_id is not None and lib_step.forward[0] != "trash" \
                and lib_step.forward[1] != case_id:
            lib_step = None
        candidates = [(self.history, lib_step)]
        if case_id is not None and case_id in self._open:
            candidates.append((self._open[case_id].history, pick(self._open[case_id].history)))
        candidates = [(h, s) for h, s in candidates if s is not None]
        if not candidates:
            return None, None
        # undo takes the newest step; redo takes the one undone last (the oldest of the undone)
        return (min if redo else max)(candidates, key=lambda hs: hs[1].seq)

    def can_undo(self, case_id: str | None = None) -> bool:
        return self._latest(case_id, redo=False)[1] is not None

    def can_redo(self, case_id: str | None = None) -> bool:
        return self._latest(case_id, redo=True)[1] is not None

    def undo_label(self, case_id: str | None = None) -> str:
        step = self._latest(case_id, redo=False)[1]
        return step.label if step else ""

    def redo_label(self, case_id: str | None = None) -> str:
        step = self._latest(case_id, redo=True)[1]
        return step.label if step else ""

    def next_is_the_case(self, case_id: str | None, *, redo: bool = False) -> bool:
        """True when the next undo (redo) is a step of the open case ``case_id`` (then its
        :class:`OpenCase` makes it), False when it is the library's or there is none."""
        history, _step = self._latest(case_id, redo=redo)
        return history is not None and history is not self.history

    def undo(self, case_id: str | None = None) -> Changes | None:
        """Undo the newest step of the case ``case_id`` or of the library, whichever is newer."""
        return self._replay(case_id, redo=False)

    def redo(self, case_id: str | None = None) -> Changes | None:
        return self._replay(case_id, redo=True)

    def _replay(self, case_id: str | None, *, redo: bool) -> Changes | None:
        history, step = self._latest(case_id, redo=redo)
        if step is None:
            return None
        if history is not self.history:
            return self._open[case_id].redo() if redo else self._open[case_id].undo()
        op = step.forward if redo else step.inverse

        def finish(_none) -> Changes:
            if op[0] == "trash":
                self.close_case(op[1])
            history.redone() if redo else history.undone()
            changes = Changes(op[1], cases=True, undo=True)
            self.notifier.emit(changes)
            return changes
        return self.run(LibraryOp(step.label, lambda lib, _p: _run(lib, op), finish))


@dataclass
class LibraryOp:
    """One operation on the library's cases, in two phases. ``work(library, progress)`` reads and
    writes through the connection it is given — on any thread — and touches nothing of the
    :class:`Casebook`; ``finish(result)`` records the step and announces it where edits are made.
    ``label`` says what runs (for a progress indicator)."""
    label: str
    work: Callable[[Library, Any], Any]
    finish: Callable[[Any], Any]


def _run(lib: Library, op: tuple[str, str]) -> None:
    kind, cid = op
    if kind == "trash":
        lib.trash_case(cid)
    elif kind == "restore":
        lib.restore_case(cid)
    else:  # pragma: no cover - a step of a kind this module does not make
        raise ValueError(kind)
