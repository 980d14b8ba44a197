"""The main window's library lifecycle: open (on a worker, with the integrity check), create, the
recent list, restore from a backup, automatic backups, saving pending edits, and closing.

:class:`LibraryActions` is a part of :class:`~desktop.gui.main_window.MainWindow` (it uses the
window's panes, banners and status bar); :func:`open_checked` runs on a worker."""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, Qt, QTimer

from .window_helpers import event_loop_running, path_key

if TYPE_CHECKING:
    from ..store.library import Library
    from .workers import BackgroundOp

MAX_RECENT = 8


class LibraryActions:
    """Opening, creating, backing up and closing the window's library. Owns ``library``, ``book``,
    ``backups``, ``last_open_op`` and the flags of closing (set up in ``MainWindow.__init__``); uses
    the window's banners, status bar and case list."""

    def recent_libraries(self) -> list[str]:
        value = self._settings().value("recent_libraries", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if v]

    def _remember_library(self, path: Path) -> None:
        p = str(Path(path).resolve())
        recent = [r for r in self.recent_libraries() if r != p]
        recent.insert(0, p)
        s = self._settings()
        s.setValue("recent_libraries", recent[:MAX_RECENT])
        s.setValue("last_library", p)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_libraries()
        for p in recent:
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _c=False, p=p: self.open_path(Path(p)))
        if not recent:
            none = self.recent_menu.addAction("No recent libraries")
            none.setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("Clear list")
            clear.triggered.connect(lambda: self._settings().setValue("recent_libraries", []))

    # --- the library ----------------------------------------------------------------------------------

    def set_library(self, library: "Library", *, first=None) -> None:
        """Show this library (the window owns it from now on and closes it). ``first``: its case list
        and the case to show first, read by the worker that opened it (:func:`read_first_case`), or
        None to read them now."""
        self.build()
        self._close_library()
        from ..app import Casebook
        self.library = library
        self.book = Casebook(library)
        self.book.runner = self._library_runner(self.book)  # whole-case work on a worker
        self._unsubscribe = self.book.notifier.subscribe(self.bridge.forward)
        self._closed = False
        self.setWindowFilePath(str(library.path))
        if library.read_only:
            notice = (library.notice or f"{library.path} is open read-only").rstrip(". ")
            self.readonly_banner.show_message(f"{notice}. Editing is disabled in this window.", lead="Read-only.")
        else:
            self.readonly_banner.hide()
        self.error_banner.hide()
        self.info_banner.hide()
        notes = getattr(library, "upgrade_notes", [])
        if notes:  # said once, by the window that upgraded the library
            self.info_banner.show_message(" ".join(notes), lead="Library upgraded.")
        if self.side_panes_pending():  # start-up: backups and the face check (both read from disk) after the paint
            self.started.connect(lambda lib=library: self.library is lib and self.backups is None
                                 and self._start_library_keepers(lib))
        else:
            self._start_library_keepers(library)
        self._remember_library(library.path)
        self.case_list.set_editable(not library.read_only)
        if first is not None:  # read with the library: no second trip to a worker for each
            self.case_list.set_cases(first[0])
            self._first_case = first[1]
        else:
            self.refresh_case_list()
        self.library_opened.emit(library)
        last = self._settings().value(f"last_case/{path_key(library.path)}")
        ids = self.case_list.ids()
        target = last if last in ids else (ids[0] if ids else None)
        try:
            if target is not None:
                self.case_list.select(target)  # opens it
            else:
                self.open_case(None)
        finally:
            self._first_case = None
        self._update_title()
        self._update_actions()

    def _read_off_thread(self, case_id: str):
        """The case read with the library when it was opened, if it is the one asked for; else it is
        read now (on a worker, see :class:`~desktop.gui.window_cases.CaseActions`)."""
        case = getattr(self, "_first_case", None)
        if case is not None and case.id == case_id:
            self._first_case = None
            return case
        return super()._read_off_thread(case_id)

    def open_path(self, path: Path, *, create_missing: bool = False) -> "BackgroundOp":
        """Open a library file on a worker, with the quick integrity check (about a second for a large
        library, so the window stays responsive). When it is open the window shows it; when not, a
        dialog says why and offers New / Open another — for a damaged library, its newest good
        backup. Returns the op (also ``last_open_op``); once finished, ``op.opened`` is truthy when
        the library (or another one the author chose instead) is being shown."""
        from .workers import BackgroundOp
        path = Path(path)
        last = self._settings().value(f"last_case/{path_key(path)}")

        def job(progress):
            progress(None, text="checking the file")
            lib = open_checked(path, create_missing=create_missing)
            return lib, read_first_case(lib, last)

        op = BackgroundOp(job, parent=self, label=f"Opening {path.name}")
        op.opened = False

        def done(out):
            lib, first = out
            if self._closed:  # the window closed meanwhile
                lib.close()
                return
            self.set_library(lib, first=first)
            op.opened = True

        def failed(exc):
            op.opened = self._open_failed(path, exc)

        self.last_open_op = op
        return op.on_success(done).on_failure(failed).run()

    def _open_failed(self, path: Path, exc: BaseException):
        from ..store.library import LibraryError
        if isinstance(exc, LibraryDamaged):
            return self._damaged_library(exc)
        if isinstance(exc, LibraryError):
            return self._library_problem(str(exc))
        if isinstance(exc, OSError):
            return self._library_problem(f"{path} cannot be opened: {exc.strerror or exc}")
        from .workers import describe_error
        return self._library_problem(describe_error(exc))

    def _damaged_library(self, exc: "LibraryDamaged"):
        from .dialogs import ask_damaged_library
        choice = ask_damaged_library(self, exc.path, exc.problem, exc.backup, exc.backup_time,
                                     can_cancel=self.library is not None, backups_found=exc.found)
        if choice == "restore":
            return self.restore_backup(exc.backup, exc.path, exc.backup_time)
        if choice == "open":
            return self.open_library_dialog()
        if self.library is None:  # Quit: there is nothing to show
            self.statusBar().showMessage("No library is open. Use File ▸ New library or Open library.")
            QTimer.singleShot(0, self.close)
        return False

    def restore_backup(self, backup: Path, library_path: Path, when=None) -> "BackgroundOp":
        """Put a backup in place of a (damaged) library on a worker — the current file is kept aside,
        unchanged — then open the restored library."""
        from .workers import BackgroundOp
        backup, library_path = Path(backup), Path(library_path)

        def job(progress):
            from ..store.backup import restore
            from ..store.library import open_library
            progress(None, text="copying and checking the backup")
            aside = restore(backup, library_path)
            progress(None, text="opening the library")
            return open_library(library_path, check=True), aside

        def done(out):
            lib, aside = out
            if self._closed:  # the window closed meanwhile
                lib.close()
                return
            self.set_library(lib)
            from .dialogs import local_time
            made = f"the backup of {local_time(when)}" if when is not None else f"the backup {backup.name}"
            kept = f" The damaged file is kept, unchanged, as {aside}." if aside is not None else ""
            self.info_banner.show_message(f"The library was restored from {made}. Edits made after that backup "
                                          f"are not in it.{kept}", lead="Restored.")
            self.statusBar().showMessage(f"Restored {library_path.name} from {backup.name}.", 15000)
            op.opened = True

        def failed(exc):
            from .workers import describe_error
            op.opened = self._library_problem(f"The backup could not be restored: {describe_error(exc)}")

        op = BackgroundOp(job, parent=self, label="Restoring the backup")
        op.opened = False
        self.last_open_op = op
        return op.on_success(done).on_failure(failed).run()

    def _library_problem(self, message: str):
        from .dialogs import ask_library_problem
        choice = ask_library_problem(self, message, can_cancel=self.library is not None)
        if choice == "new":
            return self.new_library_dialog()
        if choice == "open":
            return self.open_library_dialog()
        if self.library is None:  # the user chose Quit: there is nothing to show
            self.statusBar().showMessage("No library is open. Use File ▸ New library or Open library.")
            QTimer.singleShot(0, self.close)
        return False

    def new_library_dialog(self) -> bool:
        start = str(self.library.path.parent) if self.library else str(Path.home())
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "New library", os.path.join(start, "library.casebook"),
            "Casebook library (*.casebook);;All files (*)")
        if not path:
            return False
        return self.create_library_at(Path(path))

    def create_library_at(self, path: Path) -> bool:
        from ..store.library import LibraryError, create_library
        try:
            lib = create_library(path)
        except LibraryError as exc:
            return self._library_problem(str(exc))
        except OSError as exc:
            return self._library_problem(f"{path} cannot be created: {exc.strerror or exc}")
        self.set_library(lib)
        self.statusBar().showMessage(f"Created {path}", 8000)
        return True

    def open_library_dialog(self):
        """Choose a library file and open it (on a worker); False when the author cancelled."""
        start = str(self.library.path.parent) if self.library else str(Path.home())
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open library", start, "Casebook library (*.casebook);;All files (*)")
        if not path:
            return False
        return self.open_path(Path(path))

    def open_when_painted(self, path: Path, *, create_missing: bool) -> None:
        """Start-up: paint the window first, then open the library (which imports the store)."""
        done = {"started": False}

        def go():
            if done["started"]:
                return
            done["started"] = True
            if self._paint_watch is not None:
                self.removeEventFilter(self._paint_watch)
                self._paint_watch = None
            message = f"Opening {path}…"
            self.statusBar().showMessage(message)
            # the worker opens (and checks) the file; the panes are built with the library when it
            # arrives, so the window paints once with the case in them instead of first empty (both
            # threads share one interpreter: building meanwhile would not finish the case sooner).
            # A slow opening (a large library's check) shows the panes, with its progress, soon.
            op = self.open_path(path, create_missing=create_missing)
            QTimer.singleShot(250, lambda: self._closed or self.build())

            def opened():
                self.build()  # when the library did not open, the panes are still wanted (empty)
                if self.statusBar().currentMessage() == message:
                    self.statusBar().clearMessage()
                if self.library is None and not self.statusBar().currentMessage():
                    self.statusBar().showMessage("No library is open. Use File ▸ New library or Open library.")
                self._side_panes_after_paint()  # the assessment and Journal tabs once the case is painted
                self.ready.emit()
            op.finished.connect(opened)

        class _Watch(QObject):
            def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint:
                    QTimer.singleShot(0, go)
                return False

        self._paint_watch = _Watch(self)
        self.installEventFilter(self._paint_watch)
        QTimer.singleShot(500, go)  # a window that is never painted (minimised) still opens it

    def flush_edits(self) -> int:
        """Save what is typed in the open case but not saved yet (before closing or switching)."""
        if not self.built or self.session is None:
            return 0
        from .lifecycle import flush_pending_edits
        try:
            return flush_pending_edits(self.stack)
        except Exception:  # saving what can be saved must never stop the window from closing
            traceback.print_exc(file=sys.stderr)
            return 0

    def _start_library_keepers(self, library: "Library") -> None:
        """What runs beside an open library: its backups, and the face check of images stored before
        the check existed (issue 13)."""
        self._start_backups(library)
        from .face_checks import start_face_check
        self.face_check_op = start_face_check(self)

    def _start_backups(self, library: "Library") -> None:
        from .lifecycle import BackupKeeper
        self.backups = BackupKeeper(library, self)
        self.backups.status_changed.connect(self._show_backup_status)
        self.backups.failed.connect(self._backup_failed)
        self._show_backup_status(self.backups.status_text())

    def _show_backup_status(self, text: str) -> None:
        self.backup_label.setText(text)
        if self.backups is not None:
            self.backup_label.setToolTip(
                f"Backups are kept in {self.backups.folder()}: one after the first edit, then at most hourly "
                "while you edit, and one when the library closes. Each is checked before it counts.")

    def _backup_failed(self, message: str) -> None:
        self.error_banner.show_message(message, lead="Backup not made:")
        self.statusBar().showMessage(f"The backup could not be made: {message}", 15000)

    def _closing_backup_now(self) -> None:
        """The last backup of the library before it closes, on this thread (with a busy cursor)."""
        keeper = self.backups
        if keeper is None or self.library is None or self.library.read_only:
            return
        if keeper.busy:
            keeper.op.wait(120_000)  # an hourly backup still running: its result first
        if self._close_backup_failed or not keeper.due(closing=True):
            return
        QtWidgets.QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.statusBar().showMessage("Backing up the library before closing…")
        self.statusBar().repaint()
        try:
            keeper.backup_now(closing=True)
        except Exception as exc:  # closing must never be stopped by a failed backup
            from .workers import describe_error
            print(f"casebook: the backup at close could not be made: {describe_error(exc)}", file=sys.stderr)
            if event_loop_running() and self.isVisible():
                QtWidgets.QMessageBox.warning(self, "Backup", f"The backup could not be made: "
                                              f"{describe_error(exc)}\n\nEvery edit is saved in the library itself.")
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
            self.statusBar().clearMessage()

    def _close_library(self) -> None:
        if self.built:
            self.flush_edits()
        self._closing_backup_now()
        if self.backups is not None:
            self.backups.stop()
            self.backups.deleteLater()
            self.backups = None
        if self.built:
            self._drop_sessions()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.library is not None:
            try:
                self.library.close()
            except Exception:  # closing must never stop the window from closing
                traceback.print_exc(file=sys.stderr)
        self.library = None
        self.book = None


class LibraryDamaged(Exception):
    """A library that failed its integrity check (or is no longer a library but has backups), with
    the newest backup that passes the full check (None when there is none)."""

    def __init__(self, problem: str, path: Path, backup: Path | None, backup_time, found: int):
        super().__init__(problem)
        self.problem, self.path, self.backup, self.backup_time, self.found = problem, path, backup, backup_time, found


def read_first_case(lib: "Library", last_case_id: str | None):
    """For the worker that opened a library: its case list and the case the window shows first (the
    one open when the library was last closed, else the first listed; without figure bytes), so
    the window shows it without a trip to a worker for each. None when they cannot be read (the
    window then reads them itself and says what is wrong)."""
    try:
        rows = lib.list_cases("")
        ids = [r.id for r in rows]
        target = last_case_id if last_case_id in ids else (ids[0] if ids else None)
        return rows, (lib.load_case(target, figures=False) if target is not None else None)
    except Exception:
        return None


def open_checked(path: Path, *, create_missing: bool = False) -> "Library":
    """For a worker: open a library with the quick integrity check (a missing default library is
    created with the demo case). Raises :class:`LibraryDamaged` naming the newest good backup when
    the file is damaged, else the store's :class:`~desktop.store.library.LibraryError`."""
    from ..store.library import Damaged, NotALibrary, open_library
    path = Path(path)
    if create_missing and not path.exists():
        from ..app.library import open_or_create
        return open_or_create(path)
    try:
        return open_library(path, check=True)
    except (Damaged, NotALibrary) as exc:
        from ..store.backup import list_backups, newest_good_backup
        found = list_backups(path)
        if isinstance(exc, NotALibrary) and not found:
            raise  # some other file: nothing of it to restore
        good = newest_good_backup(path)
        raise LibraryDamaged(str(exc), path, good, dict(found).get(good) if good else None, len(found)) from None
