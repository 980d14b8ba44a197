"""The main window: the case list on the left, the open case's sections in the centre, the live
assessment on the right; menus for libraries, import and export, undo and redo.

The window holds the operations layer's :class:`~desktop.app.cases.Casebook` for the open library
(every use case goes through it, as the command line's do) and one
:class:`~desktop.gui.session.CaseSession` per case opened in it (so each case keeps its own undo
history while the window is open). What the layer changes comes back as notifications, forwarded
to the window's thread (:class:`ChangeBridge`), and views refresh only what changed. Sections are built on first view. Nothing heavy is imported at
module level: the store, the sessions, the core and the report load after the first paint.

Keeping the library safe: libraries open on a worker with the quick integrity check (a damaged one is
never written to; the window offers its newest good backup); backups are made while editing and on
close (:class:`~desktop.gui.lifecycle.BackupKeeper`); text still being typed is saved before the
window closes or switches case or library (:func:`~desktop.gui.lifecycle.flush_pending_edits`).
"""
from __future__ import annotations

import os
import sys
import traceback
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6 import QtGui, QtWidgets
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
# Only what the first frame needs is imported by name: PySide6 builds each class (and its enums) on
# first use, which costs start-up time; everything else is reached through QtWidgets/QtGui.
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QWidget

from . import sections as section_registry

if TYPE_CHECKING:
    from ..app import Casebook
    from ..store.library import Library
    from .session import CaseSession
    from .workers import BackgroundOp

APP_NAME = "Casebook"
MAX_RECENT = 8
MAX_SESSIONS = 20  # cases whose undo history the window keeps while open
UNIT_SYSTEMS = ("conventional", "si")


class ChangeBridge(QObject):
    """The operations layer's notifications, delivered on the window's thread (a change made on a
    worker — a duplicate, an import — arrives through Qt's queued connection)."""
    changes = Signal(object)

    def forward(self, changes) -> None:
        self.changes.emit(changes)


class Banner(QFrame):
    """A message across the top of the case area: the read-only notice, or a refused edit."""

    def __init__(self, kind: str, parent: QWidget | None = None, closable: bool = True):
        super().__init__(parent)
        self.setObjectName(f"banner_{kind}")
        colours = {"readonly": ("#fff4ce", "#8a6d00"), "error": ("#fde7e9", "#b3261e"),
                   "info": ("#e8f0fe", "#1f5fae")}[kind]
        self.setStyleSheet(f"#banner_{kind} {{ background: {colours[0]}; border: 1px solid {colours[1]};"
                           f" border-radius: 4px; }} #banner_{kind} QLabel {{ color: #202124; }}")
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.setSpacing(8)
        self.icon = QLabel()
        sp = QtWidgets.QStyle.StandardPixmap
        std = {"readonly": sp.SP_MessageBoxInformation, "error": sp.SP_MessageBoxWarning,
               "info": sp.SP_MessageBoxInformation}[kind]
        size = self.fontMetrics().height()
        self.icon.setPixmap(self.style().standardIcon(std).pixmap(size, size))
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName({"readonly": "Read-only notice", "error": "Error message",
                                      "info": "Message"}[kind])
        lay.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.label, 1)
        if closable:
            close = QtWidgets.QToolButton()
            close.setText("✕")
            close.setAutoRaise(True)
            close.setToolTip("Dismiss")
            close.setAccessibleName("Dismiss message")
            close.setProperty("readOnlySafe", True)
            close.clicked.connect(self.hide)
            lay.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, lead: str = "") -> None:
        self.label.setText(f"<b>{_html(lead)}</b> {_html(text)}" if lead else _html(text))
        self._plain = f"{lead} {text}".strip()
        self.show()

    def text(self) -> str:
        return getattr(self, "_plain", "")


class MainWindow(QMainWindow):
    unit_system_changed = Signal(str)  # "conventional" or "si"; sections may also define set_unit_system()
    library_opened = Signal(object)  # the Library
    case_opened = Signal(object)  # the CaseSession, or None
    ready = Signal()  # after start-up: library open, first case shown

    def __init__(self, library: "Library | None" = None, parent: QWidget | None = None, *,
                 deferred: bool = False):
        """``deferred``: show an empty frame now and build the panes after the first paint (start-up);
        :meth:`open_when_painted` builds them. Otherwise the window is complete on return."""
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("main_window")
        self.library: Library | None = None
        self.book: Casebook | None = None  # the operations layer's handle on self.library
        self._unsubscribe: Callable[[], None] | None = None
        self.session: CaseSession | None = None
        self._sessions: OrderedDict[str, CaseSession] = OrderedDict()
        self._pages: dict[str, QWidget] = {}
        self._holders: dict[str, QtWidgets.QScrollArea] = {}
        self._current_key = section_registry.SECTIONS[0].key
        self._unit_system = self._settings().value("unit_system", "conventional")
        if self._unit_system not in UNIT_SYSTEMS:
            self._unit_system = "conventional"
        self._paint_watch: QObject | None = None
        self.built = False
        self.backups = None  # BackupKeeper of the open library
        self._closed = False
        self._close_backup_failed = False
        self.last_open_op: BackgroundOp | None = None
        geo = self._settings().value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1400, 900)
        if deferred:
            placeholder = QLabel("Opening the library…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setCentralWidget(placeholder)
        else:
            self.build()
        if library is not None:
            self.set_library(library)

    def build(self) -> None:
        """Make the panes, menus and actions (once)."""
        if self.built:
            return
        from .workers import TaskIndicator
        self.built = True
        self.bridge = ChangeBridge(self)
        self.bridge.changes.connect(self._on_changes)
        self.task_indicator = TaskIndicator(self)
        self._build_ui()
        self._build_menus()
        self._list_timer = QTimer(self, singleShot=True, interval=400)
        self._list_timer.timeout.connect(self.refresh_case_list)
        state = self._settings().value("window/splitter")
        if state is not None:
            self.splitter.restoreState(state)

    # --- construction ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        from .assessment_panel import AssessmentPanel
        from .case_list import CaseList
        self.case_list = CaseList()
        self.case_list.case_selected.connect(self.open_case)
        self.case_list.search_changed.connect(lambda _t: self.refresh_case_list())
        self.case_list.new_requested.connect(self.new_case)
        self.case_list.duplicate_requested.connect(self.duplicate_case)
        self.case_list.delete_requested.connect(self.delete_case)

        centre = QWidget()
        cl = QtWidgets.QVBoxLayout(centre)
        cl.setContentsMargins(4, 8, 4, 8)
        cl.setSpacing(8)
        self.readonly_banner = Banner("readonly", closable=False)
        self.error_banner = Banner("error")
        self.info_banner = Banner("info")
        cl.addWidget(self.readonly_banner)
        cl.addWidget(self.error_banner)
        cl.addWidget(self.info_banner)
        self.case_header = QLabel("")
        self.case_header.setObjectName("case_header")
        self.case_header.setStyleSheet("#case_header { font-size: 13pt; font-weight: 600; }")
        self.case_header.setAccessibleName("Open case")
        self.case_header.setWordWrap(True)
        cl.addWidget(self.case_header)
        row = QtWidgets.QHBoxLayout()
        row.setSpacing(8)
        self.nav = QtWidgets.QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setStyleSheet("#nav::item { padding: 5px 8px; }")
        self.nav.setAccessibleName("Sections of the case")
        for n, spec in enumerate(section_registry.SECTIONS):
            item = QtWidgets.QListWidgetItem(spec.label)
            key = str((n + 1) % 10)
            item.setToolTip(f"{spec.label} (Ctrl+{key})")
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
        fm = self.nav.fontMetrics()
        self.nav.setFixedWidth(max(fm.horizontalAdvance(s.label) for s in section_registry.SECTIONS) + 36)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.setAccessibleName("Section")
        self.empty_page = QLabel("No case is open.\n\nChoose a case on the left, press New, or import a case "
                                 "file (File ▸ Import case).")
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_page.setWordWrap(True)
        self.stack.addWidget(self.empty_page)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        cl.addLayout(row, 1)

        self.assessment = AssessmentPanel()
        self.assessment.go_to_ref.connect(self.go_to_ref)
        self.assessment.show_disclaimer.connect(self.show_disclaimer)

        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.case_list)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.assessment)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        em = self.fontMetrics().horizontalAdvance("m")
        self.case_list.setMinimumWidth(em * 14)
        self.assessment.setMinimumWidth(em * 18)
        self.splitter.setSizes([em * 17, em * 73, em * 30])
        self.setCentralWidget(self.splitter)

        self.statusBar().addPermanentWidget(self.task_indicator)
        self.backup_label = QLabel("")
        self.backup_label.setObjectName("backup_status")
        self.backup_label.setAccessibleName("Last backup of the library")
        self.statusBar().addPermanentWidget(self.backup_label)
        # the status bar keeps its height when a task's progress (a bar, a Cancel button) appears, so
        # the case's sections are not laid out and painted again when an export starts or ends
        self.statusBar().setMinimumHeight(max(self.statusBar().sizeHint().height(),
                                              self.task_indicator.sizeHint().height() + 4))
        self.nav.setEnabled(False)
        self._set_editable(False)

    def _action(self, text: str, slot: Callable | None = None, shortcut=None, menu=None,
                tip: str = "") -> QtGui.QAction:
        act = QtGui.QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QtGui.QKeySequence(shortcut))
        if slot is not None:
            act.triggered.connect(lambda _checked=False: slot())
        if tip:
            act.setStatusTip(tip)
        if menu is not None:
            menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        S = QtGui.QKeySequence.StandardKey
        f = mb.addMenu("&File")
        self.act_new_library = self._action("&New library…", self.new_library_dialog, None, f,
                                            "Create a new, empty library file")
        self.act_open_library = self._action("&Open library…", self.open_library_dialog, S.Open, f,
                                             "Open another library file")
        self.recent_menu = f.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        f.addSeparator()
        self.act_import = self._action("&Import case…", self.import_case_dialog, "Ctrl+I", f,
                                       "Import a case file (JSON)")
        export = f.addMenu("&Export")
        self.export_menu = export
        self.act_export_pdf = self._action("&PDF…", self.export_pdf_dialog, "Ctrl+E", export,
                                           "Write the case report as PDF")
        self.act_export_json = self._action("&JSON…", lambda: self.export_json_dialog(deidentified=False),
                                            None, export, "Write the whole case, identifiers included, as JSON")
        self.act_export_json_deid = self._action(
            "JSON (&de-identified)…", lambda: self.export_json_dialog(deidentified=True), None, export,
            "Write the de-identified case as JSON")
        from .exports import KINDS
        self.export_actions: dict[str, QtGui.QAction] = {}
        for key in ("fhir", "redcap", "labs_csv"):
            kind = KINDS[key][0]
            self.export_actions[key] = self._action(kind.menu_text, lambda k=key: self.export_dialog(k), None,
                                                    export, kind.tip)
        export.addSeparator()
        kind = KINDS["docx"][0]
        self.act_export_docx = self._action(kind.menu_text, lambda: self.export_dialog("docx"), None, export, kind.tip)
        self.export_actions["docx"] = self.act_export_docx
        for act in self.export_actions.values():
            act.setToolTip(act.statusTip())
        export.setToolTipsVisible(True)
        f.addSeparator()
        self.act_quit = self._action("&Quit", self.close, S.Quit, f)
        self.act_quit.setMenuRole(QtGui.QAction.MenuRole.QuitRole)

        e = mb.addMenu("&Edit")
        self.act_undo = self._action("&Undo", self.undo, "Ctrl+Z", e)
        self.act_redo = self._action("&Redo", self.redo, None, e)
        self.act_redo.setShortcuts([QtGui.QKeySequence("Ctrl+Shift+Z"), QtGui.QKeySequence("Ctrl+Y")])

        c = mb.addMenu("&Case")
        self.act_new_case = self._action("&New case", self.new_case, S.New, c)
        self.act_duplicate_case = self._action("&Duplicate case", lambda: self.duplicate_case(self._current_id()),
                                               "Ctrl+D", c)
        self.act_delete_case = self._action("De&lete case…", lambda: self.delete_case(self._current_id()),
                                            None, c, "Move the case to the trash (it can be restored)")
        self.act_trash = self._action("&Trash…", self.show_trash, None, c,
                                      "Cases deleted from this library: restore one, or empty the trash")
        c.addSeparator()
        self.act_audit = self._action("&Audit log…", self.show_audit_log, None, c,
                                      "Every recorded change of this case")

        v = mb.addMenu("&View")
        units = v.addMenu("&Units")
        self.unit_actions = QtGui.QActionGroup(self)
        self.unit_actions.setExclusive(True)
        for system, label in (("conventional", "&Conventional (mg/dL)"), ("si", "&SI (mmol/L)")):
            act = QtGui.QAction(label, self, checkable=True)
            act.setData(system)
            act.setChecked(system == self._unit_system)
            self.unit_actions.addAction(act)
            units.addAction(act)
        self.act_units_conventional, self.act_units_si = self.unit_actions.actions()
        self.unit_actions.triggered.connect(lambda act: self.set_unit_system(act.data()))
        v.addSeparator()
        self.section_actions: dict[str, QtGui.QAction] = {}
        for n, spec in enumerate(section_registry.SECTIONS):
            act = self._action(spec.label, lambda k=spec.key: self.show_section(k), f"Ctrl+{(n + 1) % 10}", v)
            self.section_actions[spec.key] = act

        h = mb.addMenu("&Help")
        self.act_about = self._action("&About Casebook", self.show_about, None, h)
        self.act_about.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
        self.act_disclaimer = self._action("About the &assessment", self.show_disclaimer, None, h)
        self._update_actions()

    # --- settings -------------------------------------------------------------------------------------

    def _settings(self) -> QSettings:
        # one instance per window: QSettings writes to disk from the event loop, not on every call
        if getattr(self, "_qsettings", None) is None:
            self._qsettings = QSettings()
        return self._qsettings

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

    def set_library(self, library: "Library") -> None:
        """Show this library (the window owns it from now on and closes it)."""
        self.build()
        self._close_library()
        from ..app import Casebook
        self.library = library
        self.book = Casebook(library)
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
        self._start_backups(library)
        self._remember_library(library.path)
        self.case_list.set_editable(not library.read_only)
        self.refresh_case_list()
        self.library_opened.emit(library)
        last = self._settings().value(f"last_case/{_key(library.path)}")
        ids = self.case_list.ids()
        target = last if last in ids else (ids[0] if ids else None)
        if target is not None:
            self.case_list.select(target)  # opens it
        else:
            self.open_case(None)
        self._update_title()
        self._update_actions()

    def open_path(self, path: Path, *, create_missing: bool = False) -> "BackgroundOp":
        """Open a library file on a worker, with the quick integrity check (about a second for a large
        library, so the window stays responsive). When it is open the window shows it; when not, a
        dialog says why and offers New / Open another — for a damaged library, its newest good
        backup. Returns the op (also ``last_open_op``); once finished, ``op.opened`` is truthy when
        the library (or another one the author chose instead) is being shown."""
        from .workers import BackgroundOp
        path = Path(path)

        def job(progress):
            progress(None, text="checking the file")
            return open_checked(path, create_missing=create_missing)

        op = BackgroundOp(job, parent=self, label=f"Opening {path.name}")
        op.opened = False

        def done(lib):
            if self._closed:  # the window closed meanwhile
                lib.close()
                return
            self.set_library(lib)
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
            self.build()
            message = f"Opening {path}…"
            self.statusBar().showMessage(message)
            op = self.open_path(path, create_missing=create_missing)

            def opened():
                if self.statusBar().currentMessage() == message:
                    self.statusBar().clearMessage()
                if self.library is None and not self.statusBar().currentMessage():
                    self.statusBar().showMessage("No library is open. Use File ▸ New library or Open library.")
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
            if _event_loop_running() and self.isVisible():
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

    # --- cases ------------------------------------------------------------------------------------------

    def refresh_case_list(self, select_id: str | None = None) -> None:
        self._list_timer.stop()
        if self.library is None:
            self.case_list.set_cases([])
            return
        rows = self.library.list_cases(self.case_list.search.text())
        self.case_list.set_cases(rows, select_id=select_id or (self.session.case_id if self.session else None))

    def _current_id(self) -> str | None:
        return self.session.case_id if self.session is not None else self.case_list.current_id()

    def open_case(self, case_id: str | None) -> "CaseSession | None":
        """Show a case (None: no case). Its session is kept so its undo history survives switching."""
        if self.session is not None and case_id == self.session.case_id:
            return self.session
        self.flush_edits()  # text typed in the case being left is saved first
        self._deactivate_session()
        if case_id is None or self.library is None:
            self.session = None
            self._show_empty()
            self.case_opened.emit(None)
            return None
        from ..store.library import LibraryError
        session = self._sessions.pop(case_id, None)
        if session is None:
            from .session import CaseSession
            try:
                session = CaseSession(self.book.open_case(case_id))
            except LibraryError as exc:
                self.error_banner.show_message(str(exc))
                self.refresh_case_list()
                return None
        self._sessions[case_id] = session  # most recent last
        while len(self._sessions) > MAX_SESSIONS:
            _old_id, old = self._sessions.popitem(last=False)
            self._forget_session(old)
        self.session = session
        session.changed.connect(self._session_changed)
        session.failed.connect(self._session_failed)
        self.nav.setEnabled(True)
        self.error_banner.hide()
        if self.case_list.current_id() != case_id:
            self.case_list.set_cases(self.case_list.model.rows, select_id=case_id)
        self._settings().setValue(f"last_case/{_key(self.library.path)}", case_id)
        self.show_section(self._current_key)
        self.assessment.set_session(session, delay_ms=40)  # after the case has been painted
        self._update_title()
        self._update_actions()
        self.case_opened.emit(session)
        return session

    def _deactivate_session(self) -> None:
        """Leave the current case: its section widgets go, its session (and undo history) stays."""
        old = self.session
        self.assessment.set_session(None)
        self._clear_pages()
        if old is not None:
            # Sections may have connected lambdas to the session: cut every connection so nothing
            # reaches a deleted widget; ours are made again when the case is shown again.
            for sig in (old.changed, old.failed):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
        self.session = None

    def _forget_session(self, session: "CaseSession") -> None:
        session.close()
        if self.book is not None:
            self.book.close_case(session.case_id)
        session.deleteLater()

    def _drop_sessions(self) -> None:
        self._deactivate_session()
        for s in list(self._sessions.values()):
            self._forget_session(s)
        self._sessions.clear()

    def _show_empty(self) -> None:
        self._clear_pages()
        self.stack.setCurrentWidget(self.empty_page)
        self.nav.setEnabled(False)
        self.case_header.setText("")
        self.assessment.set_session(None)
        self._update_title()
        self._update_actions()

    def new_case(self) -> str | None:
        if not self._writable():
            return None
        from ..store.library import LibraryError
        try:
            cid = self.book.new_case("Untitled case report")
        except LibraryError as exc:
            self.error_banner.show_message(str(exc))
            return None
        if self.case_list.search.text():
            self.case_list.search.blockSignals(True)
            self.case_list.search.clear()
            self.case_list.search.blockSignals(False)
        self.refresh_case_list(select_id=cid)
        self.open_case(cid)
        self.statusBar().showMessage("New case created: every edit is saved as you go.", 6000)
        return cid

    def duplicate_case(self, case_id: str | None) -> "BackgroundOp | None":
        """Copy a case (images included) on a worker; the copy opens when it is made."""
        if not case_id or not self._writable():
            return None
        self.flush_edits()
        from .workers import BackgroundOp
        book = self.book

        def done(new_id: str) -> None:
            if self.book is not book:
                return
            self.refresh_case_list(select_id=new_id)
            self.open_case(new_id)
            self.statusBar().showMessage("Case duplicated.", 6000)

        def failed(exc) -> None:
            from .workers import describe_error
            self.error_banner.show_message(describe_error(exc))

        op = BackgroundOp(lambda progress: book.duplicate_case(case_id, progress), parent=self,
                          label="Duplicating the case").on_success(done).on_failure(failed)
        self.last_duplicate_op = op
        return op.run()

    def delete_case(self, case_id: str | None) -> bool:
        """Move a case to the trash (asks first); Edit ▸ Undo or Case ▸ Trash brings it back."""
        if not case_id or not self._writable():
            return False
        from ..store.library import LibraryError
        title = next((r.title for r in self.case_list.model.rows if r.id == case_id), "") or "Untitled case"
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, "Delete case",
                          f"Delete the case “{title}”?", QtWidgets.QMessageBox.StandardButton.Yes |
                          QtWidgets.QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirm_delete")
        box.setInformativeText("The case, its images and its identifiers move to the trash of this library. "
                               "Edit ▸ Undo or Case ▸ Trash brings it back until the trash is emptied.")
        yes = box.button(QtWidgets.QMessageBox.StandardButton.Yes)
        yes.setText("Delete")
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        if box.clickedButton() is not None:
            confirmed = box.clickedButton() is yes
        else:  # exec() answered without a click (tests patch exec)
            yes_code = QtWidgets.QMessageBox.StandardButton.Yes
            confirmed = answer in (yes_code, yes_code.value)
        if not confirmed:
            return False
        rows = self.case_list.ids()
        pos = rows.index(case_id) if case_id in rows else 0
        self.flush_edits()
        if self.session is not None and self.session.case_id == case_id:
            self.open_case(None)
        dropped = self._sessions.pop(case_id, None)
        if dropped is not None:
            self._forget_session(dropped)
        try:
            self.book.trash_case(case_id)
        except LibraryError as exc:
            self.error_banner.show_message(str(exc))
            return False
        self.refresh_case_list()
        ids = self.case_list.ids()
        if ids:
            self.case_list.select(ids[min(pos, len(ids) - 1)])
        else:
            self.open_case(None)
        self.statusBar().showMessage(f"Moved “{title}” to the trash (Edit ▸ Undo brings it back).", 8000)
        return True

    def show_trash(self):
        """Case ▸ Trash: the deleted cases, to restore one or empty the trash."""
        if self.book is None:
            return None
        from .dialogs import TrashDialog
        dlg = TrashDialog(self.book, self)
        dlg.restored.connect(lambda cid: (self.refresh_case_list(select_id=cid), self.open_case(cid)))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.last_trash_dialog = dlg
        return dlg

    # --- undo / redo: the operations layer's, for the case in hand and the library ----------------------------

    def undo(self) -> None:
        self._undo_redo(redo=False)

    def redo(self) -> None:
        self._undo_redo(redo=True)

    def _undo_redo(self, *, redo: bool) -> None:
        if self.book is None or not self._writable():
            return
        self.flush_edits()
        from ..store.library import LibraryError
        cid = self.session.case_id if self.session is not None else None
        try:
            changes = self.book.redo(cid) if redo else self.book.undo(cid)
        except LibraryError as exc:
            self._session_failed(str(exc))
            return
        if changes is not None and not changes.parts:  # a step of the library: a case made or deleted
            self._library_step_done(changes.case_id)

    def _library_step_done(self, case_id: str | None) -> None:
        """After undo or redo of a library step: show the case it brought back, or leave one it removed."""
        self.refresh_case_list()
        ids = self.case_list.ids()
        if case_id in ids:
            self.case_list.select(case_id)
        elif self.session is not None and self.session.case_id not in ids:
            self.open_case(ids[0] if ids else None)
            if ids:
                self.case_list.select(ids[0])
        self._update_undo_actions()

    def _on_changes(self, changes) -> None:
        """A notification of the operations layer (on this thread)."""
        if self.book is None:
            return
        if changes.case_id is None and changes.cases:
            self._list_timer.start()
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        if not self.built:
            return
        book = self.book
        cid = self.session.case_id if self.session is not None else None
        writable = book is not None and not book.read_only
        can_undo = writable and book.can_undo(cid)
        can_redo = writable and book.can_redo(cid)
        self.act_undo.setEnabled(can_undo)
        self.act_redo.setEnabled(can_redo)
        self.act_undo.setText("&Undo" + (f" {book.undo_label(cid)}" if can_undo else ""))
        self.act_redo.setText("&Redo" + (f" {book.redo_label(cid)}" if can_redo else ""))

    def _writable(self) -> bool:
        if self.library is None:
            return False
        if self.library.read_only:
            self.statusBar().showMessage(self.library.notice or "The library is open read-only.", 8000)
            return False
        return True

    # --- sections -----------------------------------------------------------------------------------------

    def show_section(self, key: str) -> QWidget | None:
        """Show a section of the open case (building it on first view) and return its widget."""
        if key not in section_registry.BY_KEY:
            raise KeyError(key)
        self._current_key = key
        row = [s.key for s in section_registry.SECTIONS].index(key)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        if self.session is None:
            return None
        page = self.section(key)
        self.stack.setCurrentWidget(self._holders[key])
        if self.session.read_only:  # editors a section made since it was built are locked too
            lock_editing(page)
            QTimer.singleShot(0, lambda p=page: _alive(p) and lock_editing(p))
        return page

    def section(self, key: str) -> QWidget | None:
        """The section's widget for the open case, built now if it was not yet."""
        if self.session is None:
            return None
        page = self._pages.get(key)
        if page is None:
            # each section sits in a scroll area of its own, so no section's minimum size can push
            # the window wider than the screen or squeeze the case list and the assessment
            holder = QtWidgets.QScrollArea()
            holder.setWidgetResizable(True)
            holder.setFrameShape(QFrame.Shape.NoFrame)
            page = section_registry.build_section(key, self.session, holder)
            holder.setWidget(page)
            self._pages[key] = page
            self._holders[key] = holder
            self.stack.addWidget(holder)
            setter = getattr(page, "set_unit_system", None)
            if callable(setter):
                try:
                    setter(self._unit_system)
                except Exception:
                    traceback.print_exc(file=sys.stderr)
            if self.session.read_only:
                lock_editing(page)
        return page

    def current_section_key(self) -> str:
        return self._current_key

    def _nav_changed(self, row: int) -> None:
        if 0 <= row < len(section_registry.SECTIONS):
            self.show_section(section_registry.SECTIONS[row].key)

    def _clear_pages(self) -> None:
        # the empty page first: removing the current page would show (and start) the next one
        self.stack.setCurrentWidget(self.empty_page)
        for holder in self._holders.values():
            self.stack.removeWidget(holder)
            holder.deleteLater()
        self._pages.clear()
        self._holders.clear()

    def go_to_ref(self, ref: str) -> bool:
        """Switch to the section holding ``ref`` (an evidence ref or a field path) and focus it."""
        if self.session is None or not ref:
            return False
        first = section_registry.section_for_ref(ref)
        # the section that holds this kind of ref first, then the others (the report shows no data)
        order = ([first] if first else []) + [s.key for s in section_registry.SECTIONS
                                              if s.key not in (first, "report")]
        for key in order:
            page = self.section(key)
            focus = getattr(page, "focus_ref", None)
            if not callable(focus):
                continue
            try:
                handled = bool(focus(ref))
            except Exception:
                traceback.print_exc(file=sys.stderr)
                handled = False
            if handled:
                self.show_section(key)
                return True
        if first:
            self.show_section(first)
        self.statusBar().showMessage(f"Could not find {ref} in the case.", 6000)
        return False

    # --- units --------------------------------------------------------------------------------------------

    @property
    def unit_system(self) -> str:
        return self._unit_system

    def set_unit_system(self, system: str) -> None:
        if system not in UNIT_SYSTEMS:
            raise ValueError(f"unit system must be one of {UNIT_SYSTEMS}, not {system!r}")
        for act in self.unit_actions.actions():
            act.setChecked(act.data() == system)
        if system == self._unit_system:
            return
        self._unit_system = system
        self._settings().setValue("unit_system", system)
        for page in self._pages.values():
            setter = getattr(page, "set_unit_system", None)
            if callable(setter):
                try:
                    setter(system)
                except Exception:
                    traceback.print_exc(file=sys.stderr)
        self.unit_system_changed.emit(system)
        self.statusBar().showMessage("Units: " + ("SI" if system == "si" else "conventional"), 4000)

    # --- session events ------------------------------------------------------------------------------------

    def _session_changed(self, part: str) -> None:
        self._update_undo_actions()
        if part == "case":
            self._update_title()
        if part in ("case", "outcome", "lesions"):
            self._list_timer.start()  # the list shows title, status, sites and outcome

    def _session_failed(self, message: str) -> None:
        message = message.rstrip() + ("" if message.rstrip().endswith((".", "!", "?")) else ".")
        self.error_banner.show_message(message, lead="Not saved:")
        self.statusBar().showMessage(f"Not saved: {message}", 10000)

    # --- import / export -------------------------------------------------------------------------------------

    def import_case_dialog(self) -> None:
        if not self._writable():
            return
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Import case", str(Path.home()),
                                              "Case files (*.json);;All files (*)")
        if path:
            self.import_case_file(Path(path))

    def import_case_file(self, path: Path) -> "BackgroundOp | None":
        """Read and validate a case file on a worker; add it to the library on success."""
        if not self._writable():
            return None
        from .workers import BackgroundOp

        book = self.book

        def job(progress):
            return book.import_file(path, progress)

        def done(cid):
            if self.book is not book:
                return
            self.refresh_case_list(select_id=cid)
            self.open_case(cid)
            title = self.session.case.title if self.session is not None else ""
            self.statusBar().showMessage(f"Imported “{title or path.name}”.", 8000)

        def failed(exc):
            from ..codec import InvalidCase
            if isinstance(exc, InvalidCase):
                n = len(exc.problems)
                self.show_problems("Import case", f"{path.name} is not a valid case file: {n} problem"
                                   f"{'s' if n != 1 else ''} (each with its place in the file). Nothing was "
                                   "imported.", [str(p) for p in exc.problems])
            else:
                from .workers import describe_error
                QtWidgets.QMessageBox.warning(self, "Import case", describe_error(exc))

        return BackgroundOp(job, parent=self, label=f"Importing {path.name}").on_success(done) \
            .on_failure(failed).run()

    def show_problems(self, title: str, intro: str, problems: list[str]):
        from .dialogs import ProblemsDialog
        dlg = ProblemsDialog(title, intro, problems, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.last_problems_dialog = dlg
        return dlg

    def export_pdf_dialog(self) -> None:
        self.flush_edits()
        page = self.show_section("report")
        export = getattr(page, "export_pdf_dialog", None)
        if callable(export):
            export()

    def export_json_dialog(self, *, deidentified: bool) -> None:
        if self.session is None:
            return
        suffix = "-deidentified" if deidentified else ""
        name = _safe_name(self.session.case.short_title or self.session.case.title or "case") + suffix + ".json"
        title = "Export JSON (de-identified)" if deidentified else "Export JSON"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, title, str(Path.home() / name),
                                                        "Case files (*.json)")
        if path:
            self.export_json(Path(path), deidentified=deidentified)

    def export_json(self, path: Path, *, deidentified: bool) -> "BackgroundOp | None":
        """Write the open case as a JSON case file on a worker, through the operations layer's export
        pipeline. De-identified: hits of the identifier scan the author has not confirmed stop it and
        are shown."""
        if self.session is None:
            return None
        return self.export_to("json" if deidentified else "json_identified", path)

    def export_dialog(self, kind: str) -> "BackgroundOp | None":
        """File ▸ Export ▸ FHIR / REDCap / Labs CSV / Word: ask where, then :meth:`export_to`."""
        if self.session is None:
            return None
        from .exports import ask_target
        target = ask_target(self, kind)
        if target is None:
            return None
        return self.export_to(kind, target)

    def export_to(self, kind: str, target: Path) -> "BackgroundOp | None":
        """A de-identified export of the open case (identifier scan, the one de-identification step,
        the writer) on a worker; see :mod:`desktop.gui.exports`."""
        from .exports import run_export
        self.flush_edits()
        return run_export(self, kind, Path(target))

    def go_to_field(self, field: str) -> bool:
        """Show the field a PHI hit names (``$.narrative.discussion``, ``$.labs[3].note``)."""
        if self.session is None:
            return False
        ok = self.go_to_ref(field_to_ref(field, self.session.case))
        self.statusBar().showMessage(f"Fix the possible identifier in {field}, then export again.", 10000)
        return ok

    # --- dialogs ----------------------------------------------------------------------------------------------

    def show_about(self) -> None:
        from .dialogs import show_about
        show_about(self, str(self.library.path) if self.library else "")

    def show_disclaimer(self) -> None:
        from .dialogs import show_disclaimer
        show_disclaimer(self)

    def show_audit_log(self):
        if self.session is None or self.library is None:
            return None
        from .dialogs import AuditDialog
        dlg = AuditDialog(self.library.audit(self.session.case_id), self.session.case.title, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.last_audit_dialog = dlg
        return dlg

    # --- state ---------------------------------------------------------------------------------------------

    def _update_title(self) -> None:
        if self.library is None:
            self.setWindowTitle(APP_NAME)
            return
        lib = self.library.path.name + (" (read-only)" if self.library.read_only else "")
        if self.session is not None:
            title = self.session.case.title or "Untitled case"
            self.setWindowTitle(f"{title} — {lib} — {APP_NAME}")
            self.case_header.setText(title)
        else:
            self.setWindowTitle(f"{lib} — {APP_NAME}")

    def _set_editable(self, editable: bool) -> None:
        self.case_list.set_editable(editable)

    def _update_actions(self) -> None:
        has_lib = self.library is not None
        writable = has_lib and not self.library.read_only
        has_case = self.session is not None
        self.act_import.setEnabled(writable)
        self.act_new_case.setEnabled(writable)
        self.act_duplicate_case.setEnabled(writable and has_case)
        self.act_delete_case.setEnabled(writable and has_case)
        self.act_trash.setEnabled(writable)
        self.act_audit.setEnabled(has_case)
        for act in (self.act_export_pdf, self.act_export_json, self.act_export_json_deid,
                    *self.export_actions.values()):
            act.setEnabled(has_case)
        from .exports import DOCX_UNAVAILABLE, KINDS, docx_available
        if not docx_available():
            self.act_export_docx.setEnabled(False)
            self.act_export_docx.setToolTip(DOCX_UNAVAILABLE)
            self.act_export_docx.setStatusTip(DOCX_UNAVAILABLE)
        else:
            self.act_export_docx.setToolTip(KINDS["docx"][0].tip)
            self.act_export_docx.setStatusTip(KINDS["docx"][0].tip)
        for act in self.section_actions.values():
            act.setEnabled(has_case)
        self.case_list.set_editable(writable)
        self._update_undo_actions()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        """Save what is being typed, make the last backup (on a worker while the event loop runs, so
        the window shows its progress; else here, with a busy cursor), then close the library."""
        from .workers import wait_for_all
        self.flush_edits()
        keeper = self.backups
        if keeper is not None and _event_loop_running() and not self._close_backup_failed:
            if keeper.busy:  # a backup is being made: close when it is done
                event.ignore()
                if getattr(keeper.op, "close_when_done", False) is False:
                    keeper.op.close_when_done = True
                    keeper.op.finished.connect(self._close_after_backup)
                return
            if keeper.due(closing=True):
                op = keeper.start(closing=True)
                self.statusBar().showMessage("Backing up the library before closing…")
                op.close_when_done = True
                op.finished.connect(self._close_after_backup)
                event.ignore()
                return
        s = self._settings()
        s.setValue("window/geometry", self.saveGeometry())
        if self.built:
            s.setValue("window/splitter", self.splitter.saveState())
        self._closed = True
        wait_for_all()
        opening = self.last_open_op
        if opening is not None and not opening.done:
            opening.wait(30000)  # a library still being opened is closed at once, never left open
        self._close_library()
        super().closeEvent(event)

    def _close_after_backup(self) -> None:
        keeper = self.backups
        if keeper is not None and keeper.last_error:
            self._close_backup_failed = True  # told once; the window closes all the same
            QtWidgets.QMessageBox.warning(self, "Backup", f"The backup before closing could not be made: "
                                          f"{keeper.last_error}\n\nEvery edit is saved in the library itself.")
        QTimer.singleShot(0, self.close)


# --- helpers --------------------------------------------------------------------------------------------

class LibraryDamaged(Exception):
    """A library that failed its integrity check (or is no longer a library but has backups), with
    the newest backup that passes the full check (None when there is none)."""

    def __init__(self, problem: str, path: Path, backup: Path | None, backup_time, found: int):
        super().__init__(problem)
        self.problem, self.path, self.backup, self.backup_time, self.found = problem, path, backup, backup_time, found


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


def _event_loop_running() -> bool:
    """Whether an event loop runs on this thread (it will deliver a worker's result)."""
    from PySide6.QtCore import QThread
    return QThread.currentThread().loopLevel() > 0


def lock_editing(root: QWidget) -> None:
    """A read-only library: make every editor of a section read-only. Widgets that only navigate can
    opt out with ``setProperty("readOnlySafe", True)``."""
    for w in [root, *root.findChildren(QWidget)]:
        if w.property("readOnlySafe"):
            continue
        if isinstance(w, (QtWidgets.QLineEdit, QtWidgets.QPlainTextEdit, QtWidgets.QTextEdit,
                          QtWidgets.QAbstractSpinBox)):
            w.setReadOnly(True)
        elif isinstance(w, (QtWidgets.QComboBox, QtWidgets.QAbstractButton)):
            w.setEnabled(False)
        elif isinstance(w, QtWidgets.QAbstractItemView):
            w.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
            w.setDragDropMode(QtWidgets.QAbstractItemView.DragDropMode.NoDragDrop)
        w.setAcceptDrops(False)


def field_to_ref(field: str, case=None) -> str:
    """A field path of the PHI scan to a section ref: ``$.labs[3].note`` → ``labs/<id of labs[3]>``,
    ``$.lesions[0].observations[1].note`` → ``lesions/<id>/observations/<id>``,
    ``$.narrative.discussion`` → ``narrative.discussion``."""
    import re
    path = field[2:] if field.startswith("$.") else field.lstrip("$")
    tokens = re.findall(r"(\w+)(?:\[(\d+|[^\]]+)\])?", path)
    obj = case
    refs: list[str] = []
    names: list[str] = []
    for name, index in tokens:
        nxt = getattr(obj, name, None) if obj is not None else None
        if index == "":
            if refs:  # a field inside an item with an id: the item is the ref
                break
            names.append(name)
            obj = nxt
            continue
        item = None
        if isinstance(nxt, list):
            if index.isdigit() and int(index) < len(nxt):
                item = nxt[int(index)]
            else:
                item = next((i for i in nxt if getattr(i, "id", None) == index), None)
        item_id = getattr(item, "id", None) if item is not None else (index if not index.isdigit() else None)
        if item_id is None:
            names.append(name)
            break
        prefix = ".".join(names)
        refs.append(f"{prefix + '.' if prefix and not refs else ''}{name}/{item_id}")
        names = []
        obj = item
    if refs:
        return "/".join(refs)
    return ".".join(names) or path


def _html(text: str) -> str:
    import html
    return html.escape(text, quote=False)


def _alive(widget: QWidget) -> bool:
    from shiboken6 import isValid
    return isValid(widget)


def _key(path: Path) -> str:
    import hashlib
    return hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]


def _safe_name(text: str) -> str:
    import re
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "case"

