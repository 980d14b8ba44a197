"""The window keeps the library safe: backups while editing and on close, a damaged library met with
its newest good backup, text typed at the last instant saved, a read-only file said to be so, and a
clear word when there is no display. Real widgets, real library files in tmp_path."""
from __future__ import annotations

import datetime as dt
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from desktop.demo import load_demo
from desktop.gui.app import NO_DISPLAY, has_display, start
from desktop.gui.lifecycle import backup_label, flush_pending_edits
from desktop.gui.main_window import MainWindow
from desktop.store import backup as B
from desktop.store import integrity
from desktop.store.library import open_library

from gui_helpers import answer_modal
from gui_trace import gui_thread_io
from window_fixtures import demo_library, isolated_settings, no_unanswered_dialog, window  # noqa: F401  (fixtures)

DEMO_TITLE = load_demo().title


@pytest.fixture
def lib_path(tmp_path) -> Path:
    return demo_library(tmp_path)


def damage(path: Path, seed: int = 3) -> bytes:
    """Scribble random bytes over every other page after the first (the header stays intact)."""
    size = path.stat().st_size
    rng = random.Random(seed)
    with open(path, "r+b") as fh:
        for page in range(2, size // 4096, 2):
            fh.seek(page * 4096 + 100)
            fh.write(bytes(rng.randrange(256) for _ in range(1500)))
    assert integrity.inspect(path, quick=True).damaged
    return path.read_bytes()


# --- backups -------------------------------------------------------------------------------------------

def test_backups_run_on_a_worker_only_when_something_changed_and_at_most_hourly(qtbot, window, lib_path):
    keeper = window.backups
    assert window.backup_label.text() == "No backup yet"
    assert keeper.check() is None  # nothing changed since the library was opened
    window.session.set_case_fields(title="Edited before the first backup")

    op = keeper.check()  # no backup at all yet: one now, at the first change
    assert op is not None and not op.done  # on the worker: the window is not blocked
    assert window.task_indicator.isVisible()
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    found = B.list_backups(lib_path)
    assert len(found) == 1 and B.check_backup(found[0][0]).ok
    with open_library(found[0][0], read_only=True) as copy:
        assert copy.load_case(window.session.case_id).title == "Edited before the first backup"
    local = found[0][1].astimezone()
    assert window.backup_label.text() == f"Last backup: {local:%H:%M}"
    assert stat.S_IMODE(found[0][0].stat().st_mode) == 0o600

    window.session.set_case_fields(title="Edited again")
    assert keeper.check() is None  # within the hour
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=61)
    op = keeper.check(later)
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert len(B.list_backups(lib_path)) == 2
    assert keeper.check(later + dt.timedelta(hours=3)) is None  # no edit since


def test_backup_label_names_the_local_time_and_the_date_when_not_today():
    now = dt.datetime.now(dt.timezone.utc)
    assert backup_label(None) == "No backup yet"
    assert backup_label(now, now) == f"Last backup: {now.astimezone():%H:%M}"
    older = now - dt.timedelta(days=40)
    assert backup_label(older, now) == f"Last backup: {older.astimezone():%Y-%m-%d %H:%M}"


def test_closing_makes_a_checked_backup_and_loses_no_edit(qtbot, window, lib_path):
    window.session.set_case_fields(title="Edited just before closing")
    assert B.list_backups(lib_path) == []
    folder = B.backup_folder(lib_path)
    with gui_thread_io(window.library.conn, [folder]) as seen:
        window.close()  # no event loop runs here: the window waits for the backup, made on a worker
    # the copy and its check ran on a worker: the window's thread opened no file of the backup folder
    # and no second connection (issue 11)
    assert not [s for s in seen if s.startswith(("open", "connect"))], seen
    found = B.list_backups(lib_path)
    assert len(found) == 1 and B.check_backup(found[0][0]).ok
    with open_library(found[0][0], read_only=True) as copy:
        assert [r.title for r in copy.list_cases()] == ["Edited just before closing"]
    with open_library(lib_path, read_only=True) as lib:
        assert [r.title for r in lib.list_cases()] == ["Edited just before closing"]


def test_closing_while_the_event_loop_runs_backs_up_on_a_worker_then_closes(qtbot, window, lib_path):
    window.session.set_case_fields(title="Edited, then the window closed")
    seen = {}

    def close_now():
        window.close()  # called from the running event loop, as a click on the close button is
        seen["visible_after_close"] = window.isVisible()
        seen["message"] = window.statusBar().currentMessage()
        seen["op"] = window.backups.op

    QTimer.singleShot(0, close_now)
    with qtbot.waitSignal(window.backups.backed_up, timeout=10000):
        pass
    assert seen["visible_after_close"]  # it waited for the backup, showing why
    assert seen["message"] == "Backing up the library before closing…"
    assert seen["op"] is not None
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert window.library is None
    assert len(B.list_backups(lib_path)) == 1


def test_a_read_only_library_is_never_backed_up_and_says_so(qtbot, window, lib_path):
    w2 = MainWindow(open_library(lib_path))  # the first window holds the library: read-only here
    qtbot.addWidget(w2)
    assert w2.library.read_only and not w2.backups.timer.isActive()
    assert w2.backups.check() is None
    w2.close()
    assert B.list_backups(lib_path) == []


# --- flushing what is being typed ------------------------------------------------------------------------

def test_text_typed_at_the_last_instant_is_saved_when_the_window_closes(qtbot, window, lib_path):
    page = window.show_section("manuscript")
    area = page.manuscript["discussion"].area
    before = area.toPlainText()
    area.setFocus()
    area.moveCursor(area.textCursor().MoveOperation.End)
    qtbot.keyClicks(area, " Typed at the last instant.")
    window.close()  # at once: the 700 ms save timer never fired

    with open_library(lib_path, read_only=True) as lib:
        (cid,) = lib.case_ids()
        assert lib.load_case(cid).manuscript.discussion == before + " Typed at the last instant."
    w2 = MainWindow(open_library(lib_path))
    qtbot.addWidget(w2)
    assert w2.show_section("manuscript").manuscript["discussion"].area.toPlainText().endswith(
        "Typed at the last instant.")
    w2.close()


def test_switching_case_saves_the_text_being_typed(qtbot, window, lib_path):
    first = window.session.case_id
    page = window.show_section("manuscript")
    line = page.title
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, "Title typed, then another case chosen")
    area = page.manuscript["conclusions"].area
    qtbot.keyClicks(area, "Conclusion typed, then another case chosen.")
    assert flush_pending_edits(window.stack) >= 1  # the helper others may call
    window.new_case()
    assert window.session.case_id != first
    with open_library(lib_path, read_only=True) as lib:
        case = lib.load_case(first)
    assert case.title == "Title typed, then another case chosen"
    assert case.manuscript.conclusions.startswith("Conclusion typed, then another case chosen.")


# --- opening: integrity, damage, restore, read-only --------------------------------------------------------

def test_a_damaged_library_names_its_newest_good_backup_and_restores_it(qtbot, lib_path):
    with open_library(lib_path) as lib:
        good = B.backup(lib)
        when = B.list_backups(lib_path)[0][1]
        lib.set_case_fields(lib.case_ids()[0], title="Edited after the backup")
    damaged = damage(lib_path)

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    seen = answer_modal("Restore this backup")
    op = w.open_path(lib_path)  # the check runs on the worker; the dialog comes back on the window
    with qtbot.waitSignal(op.finished, timeout=15000):
        pass
    assert seen["title"] == "The library is damaged"
    assert "is damaged" in seen["text"] and "did not change it" in seen["text"]
    assert str(good) in seen["info"]
    local = when.astimezone()
    assert f"{local:%H:%M}" in seen["info"] and f"{local:%B %Y}" in seen["info"]
    assert seen["buttons"][:3] == ["Restore this backup", "Open another library…", "Quit"]
    assert "Fragmentation" in seen["box"].detailedText() or "page" in seen["box"].detailedText()

    restore_op = w.last_open_op  # the restore runs on a worker too, then the library opens
    assert restore_op is not op
    with qtbot.waitSignal(restore_op.finished, timeout=15000):
        pass
    assert restore_op.opened
    assert w.library is not None and not w.library.read_only
    assert w.case_list.titles() == [DEMO_TITLE]  # as the backup holds it
    assert w.info_banner.isVisible() and "restored" in w.info_banner.text().lower()
    aside = [p for p in lib_path.parent.iterdir() if p.name.startswith("lib.casebook.before-restore-")
             and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged  # the damaged file, kept unchanged
    assert str(aside[0]) in w.info_banner.text()
    assert integrity.inspect(lib_path).ok
    w.close()


def test_a_damaged_library_is_left_untouched_when_the_author_quits(qtbot, lib_path):
    with open_library(lib_path) as lib:
        B.backup(lib)
    damaged = damage(lib_path, seed=5)
    w = start(lib_path, explicit=True)  # start-up: the window paints, then opens on a worker
    qtbot.addWidget(w)
    seen = answer_modal("Quit")
    with qtbot.waitSignal(w.ready, timeout=15000):
        pass
    assert "is damaged" in seen["text"]
    assert w.library is None
    assert lib_path.read_bytes() == damaged  # never written to
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)  # Quit closes the window


def test_a_truncated_library_without_a_backup_is_called_damaged(qtbot, lib_path):
    data = lib_path.read_bytes()
    lib_path.write_bytes(data[: len(data) - 4096 - 1000])  # cut short in the middle of a page
    w = MainWindow()
    qtbot.addWidget(w)
    seen = answer_modal("Quit")
    op = w.open_path(lib_path)
    with qtbot.waitSignal(op.finished, timeout=15000):
        pass
    assert "is damaged" in seen["text"]
    assert "no backup" in seen["info"]
    assert "Restore this backup" not in seen["buttons"]
    assert op.opened is False and w.library is None
    w.close()


def test_opening_checks_integrity_on_a_worker_after_the_first_paint(qtbot, lib_path):
    w = start(lib_path, explicit=True)
    qtbot.addWidget(w)
    assert w.library is None  # painted first; the library opens afterwards
    with qtbot.waitSignal(w.ready, timeout=15000):
        pass
    assert w.library is not None and w.last_open_op.done and w.last_open_op.opened
    assert w.case_list.titles() == [DEMO_TITLE]
    w.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_read_only_file_opens_read_only_with_the_notice(qtbot, lib_path):
    os.chmod(lib_path, 0o400)
    try:
        w = MainWindow()
        qtbot.addWidget(w)
        w.show()
        op = w.open_path(lib_path)
        with qtbot.waitSignal(op.finished, timeout=15000):
            pass
        assert w.library is not None and w.library.read_only
        assert w.readonly_banner.isVisible()
        assert "read-only for you" in w.readonly_banner.text()
        assert "(read-only)" in w.windowTitle()
        assert not w.act_new_case.isEnabled()
        assert w.session.set_case_fields(title="Not saved") is False
        w.close()
        assert B.list_backups(lib_path) == []
    finally:
        os.chmod(lib_path, 0o600)


def test_a_library_in_use_by_another_process_opens_read_only_and_stays_intact(qtbot, lib_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from desktop.store.library import open_library; "
         "lib = open_library(sys.argv[1]); print('open', flush=True); sys.stdin.read(); lib.close()",
         str(lib_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        w = MainWindow()
        qtbot.addWidget(w)
        w.show()
        op = w.open_path(lib_path)
        with qtbot.waitSignal(op.finished, timeout=15000):
            pass
        assert w.library.read_only
        assert w.readonly_banner.isVisible()
        assert "another Casebook window or process" in w.readonly_banner.text()
        assert w.session.set_case_fields(title="Not saved") is False
        w.close()
    finally:
        holder.stdin.close()
        assert holder.wait(15) == 0
    with open_library(lib_path, read_only=True) as lib:
        assert [r.title for r in lib.list_cases()] == [DEMO_TITLE]
        assert integrity.inspect(lib_path).ok


def test_a_failed_backup_is_told_once_and_retried_later(qtbot, window, lib_path):
    folder = lib_path.parent / "backups"
    folder.write_text("a file where the backup folder should be")  # the backup cannot be written
    window.session.set_case_fields(title="Edited while backups fail")
    keeper = window.backups
    op = keeper.check()
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert window.error_banner.isVisible() and "Backup not made" in window.error_banner.text()
    assert "(the last attempt failed)" in window.backup_label.text()
    assert keeper.check() is None  # not every minute
    folder.unlink()
    later = keeper.failed_at + keeper.RETRY_AFTER + dt.timedelta(seconds=1)
    op = keeper.check(later)
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert len(B.list_backups(lib_path)) == 1
    assert window.backup_label.text().startswith("Last backup: ")
    assert "failed" not in window.backup_label.text()


# --- no display -------------------------------------------------------------------------------------------

def test_has_display_follows_the_environment():
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_display({"QT_QPA_PLATFORM": "offscreen"}, "freebsd14")
    assert has_display({}, "win32") and has_display({}, "darwin")


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="these always have a display")
def test_casebook_without_a_display_says_so_in_one_line_and_exits_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["CASEBOOK_LIBRARY"] = str(tmp_path / "never-created.casebook")
    env["HOME"] = str(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "desktop"], env=env, capture_output=True, text=True, timeout=60,
                          cwd=str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip() == NO_DISPLAY
    assert proc.stdout == ""
    assert not (tmp_path / "never-created.casebook").exists()
