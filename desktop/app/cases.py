"""The library as the window and the command line use it: its cases, opened for editing, added,
duplicated, imported, moved to the trash and back — each undoable, each announced.

:class:`Casebook` is the one object both front ends hold (Anki's Collection, calibre's Cache). It
owns the open library, the notifier that views subscribe to, the library's own undo history (cases
added, duplicated, imported, trashed) and one :class:`~desktop.app.editing.OpenCase`, with its own
history, for each case opened. :meth:`Casebook.undo` undoes the most recent step of the case in
hand or of the library (a case deleted, or the case in hand made), whichever came last.

Operations that may take long (duplicate, import, empty the trash) do their writing on a second
connection of their own (:meth:`Library.worker`), so the GUI can run them on a worker thread.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Case
from ..store.library import Library, LibraryError, TrashedCase
from .editing import OpenCase
from .history import History, Step
from .library import open_or_create
from .notify import Changes, Notifier
from .progress import NO_PROGRESS, check


@dataclass
class ImportResult:
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

    # --- whole cases --------------------------------------------------------------------------------

    def add_case(self, case: Case, label: str = "New case", *, keep_id: bool = True) -> str:
        """Store a whole case (new, import, demo) as one undoable step. Returns its id."""
        with self.library.worker() as lib:
            cid = lib.add_case(case, keep_id=keep_id)
        self._record(Step(label, ("restore", cid), ("trash", cid)))
        self.notifier.emit(Changes(None, cases=True))
        return cid

    def new_case(self, title: str = "") -> str:
        """A new, empty case with a working title."""
        return self.add_case(Case(title=title.strip()), "New case", keep_id=False)

    def duplicate_case(self, case_id: str, progress=NO_PROGRESS) -> str:
        """A copy of the case (images included), undoable. May run on a worker thread."""
        check(progress)
        with self.library.worker() as lib:
            new = lib.duplicate_case(case_id)
        self._record(Step("Duplicate case", ("restore", new), ("trash", new)))
        self.notifier.emit(Changes(None, cases=True))
        return new

    def import_file(self, path: str | os.PathLike, progress=NO_PROGRESS) -> str:
        """Read, validate and add a case file (JSON). Raises ``InvalidCase`` listing every problem;
        nothing is added then. May run on a worker thread. A FHIR Bundle, a Phenopacket or REDCap
        data are recognised by their content and read too (:meth:`import_any`): the first case's id."""
        return self.import_any(path, progress=progress).ids[0]

    def import_any(self, path: str | os.PathLike, dictionary: str | os.PathLike | None = None,
                   progress=NO_PROGRESS):
        """Read, validate and add the case(s) of a file whose reader its content chooses: a Casebook
        case file, a FHIR Bundle, a Phenopacket, or REDCap data with its dictionary (beside it or
        ``dictionary``). Returns an :class:`ImportResult` (ids, and what did not map)."""
        from .. import jsonio
        from ..interop.importers import NotImportable, read_foreign
        path = Path(path)
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
        cases = [jsonio.loads(data)] if foreign is None else [jsonio.loads(jsonio.dump_bytes(c)) for c in foreign.cases]
        check(progress)
        progress(0.7, text="adding it to the library")
        ids = [self.add_case(c, f"Import {path.name}", keep_id=foreign is None) for c in cases]
        return ImportResult(ids, foreign.kind if foreign else "casebook", foreign.report if foreign else [])

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
        title = self._title(case_id)
        self.library.trash_case(case_id)
        self.close_case(case_id)
        self._record(Step(f"Delete case: {title}"[:80], ("trash", case_id), ("restore", case_id)))
        self.notifier.emit(Changes(None, cases=True))

    def restore_case(self, case_id: str) -> None:
        """Bring a case back from the trash (undoable)."""
        self.library.restore_case(case_id)
        self._record(Step(f"Restore case: {self._title(case_id)}"[:80], ("restore", case_id), ("trash", case_id)))
        self.notifier.emit(Changes(None, cases=True))

    def empty_trash(self, progress=NO_PROGRESS) -> int:
        """Delete the cases in the trash for good (not undoable: the window asks first)."""
        check(progress)
        with self.library.worker() as lib:
            n = lib.empty_trash()
        with self._lock:
            self.history.clear()  # no step may bring back what is gone
        self.notifier.emit(Changes(None, cases=True))
        return n

    def _title(self, case_id: str) -> str:
        return self.library.case_title(case_id) or "untitled case"

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
        self._run(op)
        history.redone() if redo else history.undone()
        changes = Changes(op[1], cases=True, undo=True)
        self.notifier.emit(changes)
        return changes

    def _run(self, op: tuple[str, str]) -> None:
        kind, cid = op
        if kind == "trash":
            self.library.trash_case(cid)
            self.close_case(cid)
        elif kind == "restore":
            self.library.restore_case(cid)
        else:  # pragma: no cover - a step of a kind this module does not make
            raise ValueError(kind)
