"""Background work that never freezes the window, after Anki's ``CollectionOp``/``QueryOp``.

A :class:`BackgroundOp` runs a plain function on a ``QThreadPool`` worker and hands its result (or its
exception) back on the GUI thread. The function must not touch widgets: it gets a :class:`Progress` to
report through, and only plain data goes in and out. For the library it either receives an
already-loaded :class:`~desktop.model.Case` or opens its own read-only connection with
:func:`reader` — SQLite connections are never shared between the GUI thread and a worker.

Progress shows in the main window's status bar (a :class:`TaskIndicator`), modal-less, with a Cancel
button when the op says it can be cancelled; the function then sees ``Cancelled`` raised from its next
progress call.

    BackgroundOp(lambda progress: render(case, out, progress), parent=self, label="Exporting PDF",
                 cancellable=True).on_success(done).run()
"""
from __future__ import annotations

import gc
import os
import sys
import threading
import traceback
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

# Raised inside the worker's function when the user pressed Cancel. One class with the operations
# layer's (desktop/cancel.py): a cancel the layer raises (the face check of an export, whose child
# Cancel killed) is a cancel here too, not "Something went wrong (Cancelled: )".
from ..cancel import Cancelled  # noqa: F401  (the workers' callers import it from here)


class Progress:
    """What the worker's function reports through; safe to call from the worker thread.

    ``progress(fraction)`` with 0..1, ``progress(done, total)``, ``progress(None)`` for "busy", each
    with an optional ``text=``. Every call raises :class:`Cancelled` once the user cancelled.
    """

    def __init__(self, bridge: "_Bridge"):
        self._bridge = bridge
        self._cancelled = False
        self._hooks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def check(self) -> None:
        if self._cancelled:
            raise Cancelled()

    def on_cancel(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` (on the GUI thread) as soon as the user cancels, e.g. to end a child process
        the worker waits for; at once when the op is already cancelled."""
        with self._lock:
            if not self._cancelled:
                self._hooks.append(fn)
                return
        fn()

    def _cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            hooks, self._hooks = self._hooks, []
        for fn in hooks:
            try:
                fn()
            except Exception:  # a hook must never stop the others (or the window)
                traceback.print_exc(file=sys.stderr)

    def __call__(self, done: float | None = None, total: float | None = None, text: str = "") -> None:
        self.check()
        if isinstance(done, str):  # progress("rendering figures")
            done, text = None, done
        fraction: float | None
        if done is None:
            fraction = None
        elif total:
            fraction = float(done) / float(total)
        else:
            fraction = float(done)
        if fraction is not None:
            fraction = min(1.0, max(0.0, fraction))
        self._bridge.progressed.emit(fraction, text)


class _Bridge(QObject):
    """Lives on the GUI thread; signals emitted from the worker are queued to it."""
    progressed = Signal(object, str)
    succeeded = Signal(object)
    failed = Signal(object)


BACKGROUND_NICE = 5  # workers yield the CPU to the window's thread (Linux/macOS; per thread)
_thread_state = threading.local()


def _lower_priority_once() -> None:
    """Make the current worker thread "nicer" than the GUI thread, once. Threads it starts (a
    report's photo decoders) inherit it. Where that is not possible nothing changes."""
    if getattr(_thread_state, "niced", False):
        return
    _thread_state.niced = True
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:
            current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, current + BACKGROUND_NICE))
        except OSError:
            pass


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], progress: Progress, bridge: _Bridge):
        super().__init__()
        self.setAutoDelete(False)  # the op keeps it until the result is delivered
        self._fn, self._progress, self._bridge = fn, progress, bridge
        self.returned = threading.Event()  # set once the function returned (its result is queued)

    def run(self) -> None:
        _lower_priority_once()
        try:
            try:
                result = self._fn(self._progress)
            except BaseException as exc:  # delivered to the GUI thread, never lost in the pool
                exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
                self._bridge.failed.emit(exc)
            else:
                self._bridge.succeeded.emit(result)
        except RuntimeError:  # the application is shutting down: nobody is left to tell
            pass
        finally:
            self.returned.set()


_running: set["BackgroundOp"] = set()  # keeps ops alive until their result is delivered
# While a worker runs Python code, the GUI thread waits for the GIL before each of its own Python
# calls (a slot, a paint method) — by default up to 5 ms each. A 1 ms switch interval while work
# runs keeps the window's stalls short (measured in tests/benchmarks/bench_gui.py); export time
# does not suffer measurably.
WORKING_SWITCH_INTERVAL_S = 0.001
# A worker allocates many objects (a case read, a document built), which sets off the cyclic
# garbage collector; a full collection walks every object of the process — with the report
# writer and a large library loaded, 80–200 ms holding the GIL, so the window stalls that long
# (measured in tests/benchmarks/bench_gui.py). While work runs, automatic collections wait
# (reference counting still frees everything that is not in a cycle); they resume when the last
# op ends. (gc.freeze would do it too, but collecting Qt wrappers later than usual crashed PySide.)
_idle_switch_interval: float | None = None
_gc_was_enabled = True


def _responsive(working: bool) -> None:
    global _idle_switch_interval, _gc_was_enabled
    if working and _idle_switch_interval is None:
        _idle_switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(_idle_switch_interval, WORKING_SWITCH_INTERVAL_S))
        _gc_was_enabled = gc.isenabled()
        gc.disable()
    elif not working and _idle_switch_interval is not None:
        sys.setswitchinterval(_idle_switch_interval)
        _idle_switch_interval = None
        if _gc_was_enabled:
            gc.enable()


_pool: QThreadPool | None = None


def worker_pool() -> QThreadPool:
    """Our own pool (its threads run at a lower priority than the window; Qt's global pool is left
    as it is)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setObjectName("casebook-workers")
        _pool.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
    return _pool


class BackgroundOp(QObject):
    """One function run on a worker thread. Configure with the ``on_*`` methods, then :meth:`run`.

    ``on_success(result)`` and ``on_failure(exc)`` run on the GUI thread. Without an ``on_failure``
    the error is shown in a message box on ``parent``; a cancelled op calls ``on_cancel`` (or nothing).
    """

    finished = Signal()  # after success, failure or cancel, on the GUI thread
    progressed = Signal(object, str)  # fraction (or None for busy), text

    def __init__(self, fn: Callable[[Progress], Any], *, parent: QWidget | None = None, label: str = "",
                 cancellable: bool = False, indicator: "TaskIndicator | None" = None,
                 pool: QThreadPool | None = None):
        super().__init__()
        self.fn = fn
        self.label = label
        self.cancellable = cancellable
        self._parent = parent
        self._pool = pool or worker_pool()
        self._bridge = _Bridge()
        self._progress = Progress(self._bridge)
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._cancel: Callable[[], None] | None = None
        self._runnable: _Runnable | None = None
        self.done = False
        self._finished_emitted = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._bridge.progressed.connect(self.progressed)
        self._bridge.succeeded.connect(self._on_succeeded)
        self._bridge.failed.connect(self._on_failed)
        if indicator is None and parent is not None:
            indicator = getattr(parent.window(), "task_indicator", None)
        self._indicator = indicator

    def on_success(self, fn: Callable[[Any], None]) -> "BackgroundOp":
        self._success = fn
        return self

    def on_failure(self, fn: Callable[[BaseException], None]) -> "BackgroundOp":
        self._failure = fn
        return self

    def on_cancel(self, fn: Callable[[], None]) -> "BackgroundOp":
        self._cancel = fn
        return self

    def on_progress(self, fn: Callable[[float | None, str], None]) -> "BackgroundOp":
        self.progressed.connect(fn)
        return self

    def run(self) -> "BackgroundOp":
        _responsive(True)
        _running.add(self)
        if self._indicator is not None:
            self._indicator.attach(self)
        self._runnable = _Runnable(self.fn, self._progress, self._bridge)
        self._pool.start(self._runnable)
        return self

    def cancel(self) -> None:
        if self.cancellable:
            self._progress._cancel()

    @property
    def cancelled(self) -> bool:
        return self._progress.cancelled

    def wait(self, timeout_ms: int | None = None) -> bool:
        """On the GUI thread: block until the function returned, then deliver its result now (the
        ``on_*`` handlers run before this returns). For the moment the window closes, when no event
        loop will run again to deliver it. True when the op is done."""
        if self.done or self._runnable is None:
            return self.done
        if not self._runnable.returned.wait(None if timeout_ms is None else timeout_ms / 1000):
            return False
        QCoreApplication.sendPostedEvents(self, 0)  # the queued result (and progress) signals
        QCoreApplication.sendPostedEvents(self._bridge, 0)
        return self.done

    def _orphaned(self) -> bool:
        """The widget that asked is gone (its window closed): nobody to tell."""
        return self._parent is not None and not isValid(self._parent)

    def _on_succeeded(self, result: Any) -> None:
        self.result = result
        self.done = True
        try:
            if self._success is not None and not self._orphaned():
                self._success(result)
        finally:
            self._finish()

    def _on_failed(self, exc: BaseException) -> None:
        self.done = True
        try:
            self._deliver_failure(exc)
        finally:
            self._finish()

    def _deliver_failure(self, exc: BaseException) -> None:
        if self._orphaned():
            return
        if isinstance(exc, Cancelled):
            if self._cancel is not None:
                self._cancel()
            return
        self.error = exc
        if self._failure is not None:
            self._failure(exc)
            return
        text = getattr(exc, "__traceback_text__", "")
        if text and not _is_user_message(exc):
            print(text, file=sys.stderr)
        self._finish()  # the progress goes before the message box waits for the user
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.warning(self._parent, self.label or "Casebook", describe_error(exc))

    def _finish(self) -> None:
        if not self._finished_emitted:
            self._finished_emitted = True
            self.done = True
            _running.discard(self)
            if not _running:
                _responsive(False)
            self.finished.emit()


def wait_off_thread(fn: Callable[[Progress], Any], *, parent: QWidget | None = None, label: str = "") -> Any:
    """Run ``fn`` on a worker and return its result (or raise its error) to the caller, as a plain
    call would. Meanwhile the calling (GUI) thread runs its event loop — painting, timers, results
    of other ops — but no user input, which waits the few milliseconds this takes: nothing the user
    does can come between the start of the work and its result. Without an application (plain
    tests, the command line) ``fn`` simply runs here."""
    import gc

    from PySide6.QtCore import QEventLoop, QThread
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return fn(Progress(_Bridge()))
    out: dict[str, Any] = {}
    loop = QEventLoop()
    op = BackgroundOp(fn, parent=parent, label=label)
    op.on_success(lambda result: out.__setitem__("result", result))
    op.on_failure(lambda exc: out.__setitem__("error", exc))
    op.finished.connect(loop.quit)
    op.run()
    if not op.done:
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    # The op and the loop are destroyed here, with the collector held off: a collection run inside a
    # QObject's destructor (PySide looks up Python overrides there) that frees another QObject (a
    # dialog left in a reference cycle) locks Qt's signal mutex twice, and the window hangs for good
    # (seen once in CI: Edit > Redo of a deleted case never returned).
    collecting = gc.isenabled()
    gc.disable()
    try:
        del op, loop
    finally:
        if collecting:
            gc.enable()
    if "error" in out:
        raise out["error"]
    return out.get("result")


def describe_error(exc: BaseException) -> str:
    """A message for the user: our own errors carry one; anything else says what failed."""
    if _is_user_message(exc):
        return str(exc)
    return f"Something went wrong ({type(exc).__name__}: {exc}). Nothing saved in the library was lost."


def _is_user_message(exc: BaseException) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & {"LibraryError", "ReportError", "InvalidCase", "CliError", "OSError"})


def running_ops() -> list[BackgroundOp]:
    return list(_running)


def wait_for_all(timeout_ms: int = 30000) -> bool:
    """Cancel what can be cancelled and wait for the workers (used when the window closes)."""
    for op in list(_running):
        op.cancel()
    return worker_pool().waitForDone(timeout_ms)


def reader(library_path: str | Path):
    """A read-only connection of the worker's own (close it when done; ``with reader(p) as lib``)."""
    from ..store.library import open_library
    return open_library(library_path, read_only=True)


class TaskIndicator(QWidget):
    """The status bar's modal-less progress: what runs, how far it is, and Cancel where possible."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 22)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Progress of the running task")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the running task")
        self.cancel_button.clicked.connect(self._cancel)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self._ops: list[BackgroundOp] = []
        self.hide()

    def attach(self, op: BackgroundOp) -> None:
        self._ops.append(op)
        op.progressed.connect(lambda f, t, op=op: isValid(self) and self._progress(op, f, t))
        op.finished.connect(lambda op=op: isValid(self) and self._done(op))
        self._show(op)

    def current(self) -> BackgroundOp | None:
        return self._ops[-1] if self._ops else None

    def _show(self, op: BackgroundOp, fraction: float | None = None, text: str = "") -> None:
        self.label.setText(f"{op.label}{' — ' + text if text else ''}…" if op.label or text else "Working…")
        if fraction is None:
            self.bar.setRange(0, 0)  # busy
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(fraction * 1000))
        self.cancel_button.setVisible(op.cancellable)
        self.cancel_button.setEnabled(not op.cancelled)
        self.show()

    def _progress(self, op: BackgroundOp, fraction, text: str) -> None:
        if op is self.current():
            self._show(op, fraction, text)

    def _done(self, op: BackgroundOp) -> None:
        if op in self._ops:
            self._ops.remove(op)
        cur = self.current()
        if cur is None:
            self.hide()
        else:
            self._show(cur)

    def _cancel(self) -> None:
        op = self.current()
        if op is not None:
            op.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(f"{op.label}: cancelling…")

