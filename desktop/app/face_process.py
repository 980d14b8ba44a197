"""The face detector run in a separate Python process, so the window stays responsive while photos are
checked (issue 13's check, seen from issue 11's goal that a worker never stalls the window).

The detector (:func:`desktop.privacy.faces.may_show_face`) is pure Python and takes about a second
a photo. On a worker *thread* it holds the interpreter lock nearly all that time: the window's own
thread then waits for the lock before each of its Python calls, and its event loop stalls for
100–250 ms at a time while a library's stored photos are checked (measured by
``tests/benchmarks/bench_app.py``, part 2). Here the worker thread only hands each image's bytes to
a child process and waits for the answer on a pipe, which costs it almost no interpreter time.

The child speaks the framing of the report child (:mod:`desktop.app.render`): it says "ready" once
the detector and its cascade are loaded, then answers each image it is sent
with one frame, ``1`` (may show a face) or ``0``, until its input ends. Nothing is written to disk.

When no process can be started (no Python executable to run, a system that forbids it) or the child
dies, the detector runs on the calling thread instead: a photo is never left unchecked because the
process failed. :attr:`FaceDetector.in_child` says which way the last answer came.

This module imports neither Qt nor the detector at module level.
"""
from __future__ import annotations

import sys

from .render import ERROR, MEDIA, READY, Child, ProcessUnavailable, _expect, _recv, _send, child_streams

MODULE = "desktop.app.face_process"
CHILD_ARG = "--casebook-face-child"  # how the installed bundle's executable is told to be this child
ANSWER = b"A"  # from the child: b"1" may show a face, b"0" not


def child_main() -> int:
    """``python -m desktop.app.face_process``: answer each image sent on stdin, until it ends."""
    import json
    inp, out = child_streams()
    try:
        from ..privacy.faces import load_cascade, may_show_face
        load_cascade()  # read once here, before the first photo waits for it
    except Exception as exc:  # the parent checks on its own thread instead
        _send(out, ERROR, json.dumps({"kind": "other", "message": f"{type(exc).__name__}: {exc}"}).encode("utf-8"))
        out.flush()
        return 1
    _send(out, READY)
    out.flush()
    while True:
        try:
            data = _expect(inp, MEDIA)
        except EOFError:
            return 0  # the parent is done (or went away)
        _send(out, ANSWER, b"1" if may_show_face(data) else b"0")
        out.flush()


class FaceDetector:
    """``detector(data) -> bool``: whether an image's bytes may show a face, answered by a child
    process started at the first image (``use_process``) or on this thread. Use it as a context
    manager, or call :meth:`close`; :meth:`kill` (from any thread) ends the child at once, as a
    Cancel does."""

    def __init__(self, *, use_process: bool = True, progress=None):
        """``progress``: an operation's (a :class:`desktop.app.progress.Progress`): its Cancel ends
        the child at once."""
        self.use_process = use_process
        hook = getattr(progress, "on_cancel", None)
        if callable(hook):
            hook(self.kill)
        self.child: Child | None = None
        self.in_child = False  # whether the last answer came from the child
        self.note = ""  # why the detector runs on this thread, when it was to use a process

    @property
    def child_pid(self) -> int | None:
        """The process id of the child, while it runs."""
        return self.child.proc.pid if self.child is not None else None

    def __enter__(self) -> "FaceDetector":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, data: bytes) -> bool:
        if self.use_process and self.child is None and not self.note:
            self._start()
        if self.child is not None:
            try:
                self.child.send(MEDIA, bytes(data))
                self.child.proc.stdin.flush()
                kind, payload = _recv(self.child.proc.stdout)
                if kind == ANSWER:
                    self.in_child = True
                    return payload == b"1"
                raise EOFError(f"unexpected {kind!r}")
            except (EOFError, OSError, ValueError) as exc:
                child, self.child = self.child, None
                cancelled = child.stopped  # killed on purpose (Cancel)
                code = child.stop()  # collected
                if cancelled:  # no answer, and none made here
                    from .progress import Cancelled
                    raise Cancelled() from None
                self.note = f"the face-check process stopped ({exc}; exit code {code})"
        from ..privacy.faces import may_show_face
        self.in_child = False
        return may_show_face(data)

    def _start(self) -> None:
        try:
            self.child = Child.start(module=MODULE, child_arg=CHILD_ARG, label="face-check")
        except ProcessUnavailable as exc:
            self.note = str(exc)

    def kill(self) -> None:
        child = self.child
        if child is not None:
            child.kill()

    def close(self) -> None:
        child, self.child = self.child, None
        if child is not None:
            child.finish_input()
            child.stop()


if __name__ == "__main__":
    sys.exit(child_main())
