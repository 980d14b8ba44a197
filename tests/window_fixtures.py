"""Fixtures of the tests that drive the whole main window. A test module imports the ones it uses
(pytest finds fixtures in the module's namespace); ``window`` builds on the module's own ``lib_path``."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.demo import load_demo
from desktop.gui.app import configure
from desktop.gui.main_window import MainWindow
from desktop.store.library import create_library, open_library


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path):
    """Settings (recent libraries, window state) in the test's own folder, not the user's."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    configure(qapp)


@pytest.fixture(autouse=True)
def no_unanswered_dialog(qapp):
    """A modal dialog nobody answers would hang the run: after 15 s it is closed and the test fails
    with its text instead."""
    left: list[str] = []
    since: dict[int, float] = {}

    def look():
        box = QApplication.activeModalWidget()
        if box is None:
            since.clear()
            return
        opened = since.setdefault(id(box), time.monotonic())
        if time.monotonic() - opened > 15:
            text = box.text() if isinstance(box, QMessageBox) else ""
            left.append(f"{box.windowTitle()}: {text}")
            box.reject()
    timer = QTimer()
    timer.setInterval(500)
    timer.timeout.connect(look)
    timer.start()
    yield
    timer.stop()
    assert not left, f"a dialog was left unanswered: {left}"


def demo_library(tmp_path) -> Path:
    path = tmp_path / "lib.casebook"
    lib = create_library(path)
    lib.add_case(load_demo())
    lib.close()
    return path


@pytest.fixture
def window(qtbot, lib_path):
    w = MainWindow(open_library(lib_path))
    qtbot.addWidget(w)
    w.setWindowState(Qt.WindowState.WindowNoState)  # 1400×900, not the first-run size of the 800×800 offscreen screen
    w.resize(1400, 900)
    w.show()
    yield w
    w.close()
