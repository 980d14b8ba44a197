"""Start the Casebook window: ``casebook`` with no command calls :func:`run`.

Start-up is kept short by painting the window before anything heavy is imported: this module and
the window's modules import only Qt; the store opens right after the first paint, the first section
and the assessment core after that, and the report writer, QtPdf and QtCharts only when a section
needs them.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

APP_NAME = "Casebook"
ORGANISATION = "Casebook"  # QSettings: ~/.config/Casebook/Casebook.conf and the like


def configure(app: QCoreApplication) -> None:
    """Names QSettings and the window system use."""
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationDisplayName(APP_NAME)
    if isinstance(app, QGuiApplication):
        app.setDesktopFileName("casebook")


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    configure(app)
    return app  # type: ignore[return-value]


def start(library_path: Path, explicit: bool, *, paint_and_exit: bool = False):
    """Show the main window now; open the library once it is painted. Returns the window. On the
    first run (the default library does not exist yet) the window says how the data is kept."""
    import gc
    # start-up allocates a great deal that lives as long as the window (modules, classes, widgets):
    # the collector, which would walk it again and again, waits until the case has been painted
    resume = None
    if gc.isenabled():
        gc.disable()
        resume = _collector_resumer()
        QTimer.singleShot(5000, resume)  # at the latest
    try:
        from .main_window import MainWindow
        window = MainWindow(deferred=True)
    except BaseException:
        if resume is not None:
            resume()
        raise
    if resume is not None:
        window.started.connect(resume)
    window.show()
    first_run = not explicit and not Path(library_path).exists()
    if first_run and not paint_and_exit:
        from .first_run import show_when_ready
        show_when_ready(window, Path(library_path))
    if paint_and_exit:
        _quit_after_content_painted(window)
    # the default library is created (with the demo case) when missing; a named one is not
    window.open_when_painted(Path(library_path), create_missing=not explicit)
    return window


def _collector_resumer():
    """The collector back on after start-up, once (later, workers switch it off and on themselves)."""
    import gc
    done: list[bool] = []

    def resume() -> None:
        if not done:
            done.append(True)
            gc.enable()
    return resume


def _quit_after_content_painted(window) -> None:
    """``casebook --paint-and-exit``: once the library is open and the window painted with it, print
    "painted" and the seconds since start, and quit (exit 0)."""
    import time
    from PySide6.QtCore import QEvent, QObject, QTimer
    t0 = time.perf_counter()

    class Painted(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and window.library is not None:
                obj.removeEventFilter(self)
                print(f"painted {time.perf_counter() - t0:.3f}", flush=True)
                QTimer.singleShot(0, window.close)
            return False

    watcher = Painted(window)

    def ready() -> None:
        window.installEventFilter(watcher)
        window.update()
    window.library_opened.connect(lambda _lib: QTimer.singleShot(0, ready))


NO_DISPLAY = ("Casebook needs a display to open its window; the command line works without one: "
              "casebook --help")
EXIT_NO_DISPLAY = 2


def has_display(environ=None, platform: str | None = None) -> bool:
    """Whether Qt can open a window here. On Linux and the other X11/Wayland systems that needs
    DISPLAY or WAYLAND_DISPLAY, unless QT_QPA_PLATFORM names a platform (offscreen, vnc, …);
    Windows and macOS always have one."""
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin")) or platform == "cygwin":
        return True
    return any(env.get(name) for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"))


def run(library_path: Path, explicit: bool, *, paint_and_exit: bool = False) -> int:
    """Run the window on this library until it is closed; returns the exit code. Without a display,
    or without the system libraries Qt's platform plugin needs, it says so (naming the packages to
    install) and returns 2, instead of Qt's abort."""
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_NO_DISPLAY
    from .platform_check import platform_problem
    problem = platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY
    app = create_application()
    window = start(library_path, explicit, paint_and_exit=paint_and_exit)
    code = app.exec()
    if window.library is not None:  # the loop ended some other way (quit): close it properly
        window.close()
    from .workers import wait_for_all
    wait_for_all()  # no worker outlives the window
    del window
    return int(code)
