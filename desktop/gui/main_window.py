"""The main window: the case list on the left, the open case's sections in the centre, the live
assessment on the right; menus for libraries, import and export, undo and redo.

The window holds the operations layer's :class:`~desktop.app.cases.Casebook` for the open library
(every use case goes through it, as the command line's do) and one
:class:`~desktop.gui.session.CaseSession` per case opened in it (so each case keeps its own undo
history while the window is open). What the layer changes comes back as notifications, forwarded
to the window's thread (:class:`ChangeBridge`), and views refresh only what changed. Sections are built on first view. Nothing heavy is imported at
module level: the store, the sessions, the core and the report load after the first paint.

What the window does lives in modules named for it: the library's lifecycle (open, create, recent,
backups, close) in :mod:`.window_library`, case operations (new, duplicate, delete, trash, undo and
redo) in :mod:`.window_cases`, the import and export menu actions in :mod:`.window_import_export`,
the Assessment and Journal tabs (filled right after the case's first paint at start-up) in
:mod:`.window_side`, the menus and which of their actions are enabled in :mod:`.window_menus`, and
the small helpers (the banner, read-only locking, a PHI field to a section ref) in
:mod:`.window_helpers`; this module is the frame: panes, sections, navigation, units, closing.

Keeping the library safe: libraries open on a worker with the quick integrity check (a damaged one is
never written to; the window offers its newest good backup); backups are made while editing and on
close (:class:`~desktop.gui.lifecycle.BackupKeeper`); text still being typed is saved before the
window closes or switches case or library (:func:`~desktop.gui.lifecycle.flush_pending_edits`).
"""
from __future__ import annotations

import sys
import traceback
from collections import OrderedDict
from typing import TYPE_CHECKING, Callable

from PySide6 import QtGui, QtWidgets
from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
# Only what the first frame needs is imported by name: PySide6 builds each class (and its enums) on
# first use, which costs start-up time; everything else is reached through QtWidgets/QtGui.
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QWidget

from . import sections as section_registry
from .window_cases import CaseActions
from .window_helpers import PREFERRED_SIZE, Banner, alive, event_loop_running, first_size, lock_editing
from .window_import_export import ImportExportActions
from .window_library import LibraryActions
from .window_menus import MenuActions
from .window_side import SidePanes

if TYPE_CHECKING:
    from ..app import Casebook
    from ..store.library import Library
    from .session import CaseSession
    from .workers import BackgroundOp

APP_NAME = "Casebook"
UNIT_SYSTEMS = ("conventional", "si")


class ChangeBridge(QObject):
    """The operations layer's notifications, delivered on the window's thread (a change made on a
    worker — a duplicate, an import — arrives through Qt's queued connection)."""
    changes = Signal(object)

    def forward(self, changes) -> None:
        self.changes.emit(changes)


class PaneSplitter(QtWidgets.QSplitter):
    """The window's three panes. When the window gets narrower than the case's sections need (a
    1280×800 or 1366×768 screen, or 200 % scaling on 2560×1600), the case list and then the
    assessment give up room first, down to their compact widths, so that no section's column is cut
    off; the author can still drag the handles."""

    def __init__(self, centre_wants: int, compact: tuple[int, int]):
        super().__init__(Qt.Orientation.Horizontal)
        self.centre_wants = centre_wants
        self.compact = compact  # (case list, assessment)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        sizes = self.sizes()
        if len(sizes) != 3 or sum(sizes) <= 0:
            return
        short = self.centre_wants - sizes[1]
        if short <= 0:
            return
        for i in (0, 2):
            give = max(0, min(short, sizes[i] - self.compact[i // 2]))
            sizes[i] -= give
            sizes[1] += give
            short -= give
        self.setSizes(sizes)


class MainWindow(LibraryActions, CaseActions, ImportExportActions, SidePanes, MenuActions, QMainWindow):
    unit_system_changed = Signal(str)  # "conventional" or "si"; sections may also define set_unit_system()
    library_opened = Signal(object)  # the Library
    case_opened = Signal(object)  # the CaseSession, or None
    ready = Signal()  # after start-up: library open, first case shown
    started = Signal()  # after the first case's paint: the side panes built (start-up is over)

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
        self._defer_side = deferred  # start-up: the side panes are built after the case's first paint
        self.built = False
        self.backups = None  # BackupKeeper of the open library
        self.face_check_op = None  # the face check of images stored before it existed (issue 13)
        self._closed = False
        self._close_backup_failed = False
        self.last_open_op: BackgroundOp | None = None
        geo = self._settings().value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self._first_size()
        if deferred:
            placeholder = QLabel("Opening the library…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setCentralWidget(placeholder)
        else:
            self.build()
        if library is not None:
            self.set_library(library)

    def _first_size(self) -> None:
        screen = QtGui.QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        w, h, maximised = first_size(room.width(), room.height()) if room is not None else (*PREFERRED_SIZE, False)
        self.resize(w, h)
        if maximised:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

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
        self._list_timer.timeout.connect(lambda: self.refresh_case_list(wait=False))
        state = self._settings().value("window/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        if self._defer_side:  # built after the case's first paint (open_when_painted); at the latest now
            QTimer.singleShot(2000, self.build_side_panes)
        else:
            self.build_side_panes()

    # --- construction ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        from .case_list import CaseList
        self.case_list = CaseList()
        self.case_list.case_selected.connect(self.open_case)
        self.case_list.search_changed.connect(lambda _t: self.refresh_case_list(wait=False))
        self.case_list.new_requested.connect(self.ask_new_case)
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
        from .forms import ElidedLabel
        self.case_header = ElidedLabel("")  # one line: a long title never pushes the section down
        self.case_header.setObjectName("case_header")
        self.case_header.setStyleSheet("#case_header { font-size: 13pt; font-weight: 600; }")
        self.case_header.setAccessibleName("Open case")
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

        self._make_side_tabs()  # the Assessment and Journal tabs (filled by build_side_panes)

        em = self.fontMetrics().horizontalAdvance("m")
        # the centre wants the navigation and a section of about 56 em (the lab grid with its H/L
        # column, the lesion tabs beside the body map)
        compact_list = max(em * 11, self.case_list.minimumSizeHint().width())  # New, Duplicate, Delete in sight
        self.splitter = PaneSplitter(self.nav.width() + em * 56 + 24, (compact_list, em * 21))
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.case_list)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.case_list.setMinimumWidth(compact_list)
        self.side_tabs.setMinimumWidth(em * 18)
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

    # --- settings -------------------------------------------------------------------------------------

    def _settings(self) -> QSettings:
        # one instance per window: QSettings writes to disk from the event loop, not on every call
        if getattr(self, "_qsettings", None) is None:
            self._qsettings = QSettings()
        return self._qsettings

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
        # start-up (the side panes wait for the case's first paint): what is out of sight comes after it
        page = self._section(key, progressive=self.side_panes_pending())
        self.stack.setCurrentWidget(self._holders[key])
        if self.session.read_only:  # editors a section made since it was built are locked too
            lock_editing(page)
            QTimer.singleShot(0, lambda p=page: alive(p) and lock_editing(p))
        return page

    def section(self, key: str) -> QWidget | None:
        """The section's widget for the open case, built now (all of it) if it was not yet."""
        page = self._section(key)
        complete = getattr(page, "complete", None)
        if callable(complete):
            complete()
        return page

    def _section(self, key: str, progressive: bool = False) -> QWidget | None:
        """The section's widget, built now if it was not yet; ``progressive``: the parts out of sight
        after its first paint, if the section builds that way."""
        if self.session is None:
            return None
        page = self._pages.get(key)
        if page is None:
            # each section sits in a scroll area of its own, so no section's minimum size can push
            # the window wider than the screen or squeeze the case list and the assessment
            holder = QtWidgets.QScrollArea()
            holder.setWidgetResizable(True)
            holder.setFrameShape(QFrame.Shape.NoFrame)
            page = section_registry.build_section(key, self.session, holder, progressive=progressive)
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
        for act in self.unit_actions.actions() if self.menus_filled else ():
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
        self.statusBar().showMessage(f"Units: values are now shown in {'SI' if system == 'si' else 'conventional'} units "
                                     "(lab table, chart, assessment); results are still entered in this library's "
                                     "units (Labs ▸ Enter results in).", 8000)

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

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        """Save what is being typed, make the last backup (on a worker while the event loop runs, so
        the window shows its progress; else here, with a busy cursor), then close the library."""
        from .workers import wait_for_all
        self.flush_edits()
        keeper = self.backups
        if keeper is not None and event_loop_running() and not self._close_backup_failed:
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
