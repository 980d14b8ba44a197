"""Progress and cancel for long operations, without Qt.

A long operation (export, import, duplicate, backup, whole-case validation) takes a ``progress``
callable: ``progress(fraction, text=...)`` reports, ``progress.check()`` raises :class:`Cancelled`
when the user asked to stop. The GUI passes its worker's Progress (same shape, bridged to Qt); the
command line passes nothing and gets :data:`NO_PROGRESS`.
"""
from __future__ import annotations

import threading
from typing import Callable


from ..cancel import Cancelled  # noqa: F401  (one class for the window and this layer: desktop/cancel.py)


class Progress:
    """A plain progress sink with a cancel flag (thread-safe); what a worker receives."""

    def __init__(self, report: Callable[[float | None, str], None] | None = None):
        self._report = report
        self._cancel = threading.Event()
        self._hooks: list[Callable[[], None]] = []

    def __call__(self, done: float | None = None, total: float | None = None, text: str = "") -> None:
        self.check()
        if self._report is not None:
            fraction = done / total if (done is not None and total) else done
            self._report(fraction, text)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()
        for hook in list(self._hooks):
            hook()

    def on_cancel(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` (from the cancelling thread) when cancelled, e.g. to kill a child process."""
        self._hooks.append(fn)
        if self.cancelled:
            fn()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


NO_PROGRESS = Progress()


def check(progress) -> None:
    """``progress.check()`` when the sink has one."""
    fn = getattr(progress, "check", None)
    if callable(fn):
        fn()
