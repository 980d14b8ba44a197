"""After a library opens: the face check of the images stored before it existed (issue 13).

The detector (about a second a photo, desktop.privacy.faces) runs in a child process
(desktop.app.face_process) fed by a worker with a read-only connection of its own, case by case,
with its progress in the status bar and a Cancel button. Each case's answers come back to the
window's thread and are recorded there through the operations layer
(:meth:`desktop.app.cases.Casebook.record_face_checks`: one change per case), so an open case and
its views learn of a flag at once. Cancelled or interrupted, the rest is checked the next time the
library opens, and any export checks what is left before it decides (desktop.app.faces).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from .workers import BackgroundOp


class _Answers(QObject):
    """Lives on the window's thread: a case's answers, emitted on the worker, arrive queued."""
    checked = Signal(str, object)


def start_face_check(window) -> "BackgroundOp | None":
    """Start checking the unchecked images of the window's library; None when there are none, or
    when nothing can be recorded (a read-only library: its exports check for themselves)."""
    from ..app.face_process import FaceDetector
    from ..app.faces import detect, pending
    from .workers import BackgroundOp, reader
    library = window.library
    if library is None or library.read_only or not pending(library):  # (one query of the images' metadata)
        return None
    path = Path(library.path)
    answers = _Answers(window)

    def record(case_id: str, found: dict) -> None:
        book = window.book
        if book is None or Path(book.path) != path:  # another library is shown now
            return
        sessions = list(getattr(window, "_sessions", {}).values()) + [getattr(window, "session", None)]
        if any(getattr(s, "busy", False) for s in sessions):  # an edit is being written: after it
            QTimer.singleShot(100, lambda: record(case_id, found))
            return
        book.record_face_checks(case_id, found)

    answers.checked.connect(record)

    def job(progress):
        # the detector runs in a child process: on this worker thread it would hold the interpreter
        # lock for seconds and stall the window (desktop.app.face_process)
        with reader(path) as lib, FaceDetector(progress=progress) as detector:
            todo = pending(lib)
            total, done = sum(len(figs) for _cid, figs in todo), 0
            for case_id, figures in todo:
                progress(done, total, text=f"{done} of {total} photos")
                found = detect(figures, lambda fid, cid=case_id: lib.figure_bytes(cid, fid), progress, detector)
                answers.checked.emit(case_id, found)
                done += len(figures)
            return total

    def failed(exc: BaseException) -> None:  # never in the author's way: exports check for themselves
        from .workers import describe_error
        window.statusBar().showMessage(f"The photos could not all be checked for faces: {describe_error(exc)}", 15000)

    op = BackgroundOp(job, parent=window, label="Checking photos for faces", cancellable=True)
    op.on_failure(failed)
    op.finished.connect(answers.deleteLater)
    return op.run()
