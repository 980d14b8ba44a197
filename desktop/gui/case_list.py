"""The library's cases, searchable, with New / Duplicate / Delete.

A view only: it shows :class:`~desktop.store.library.CaseSummary` rows the window gives it and emits
what the user asked for; the window does the work (and asks before deleting).
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (QLabel, QLineEdit, QListView, QPushButton,
                               QStyledItemDelegate, QStyleOptionViewItem, QVBoxLayout, QWidget)

SummaryRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2


class CaseListModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: Sequence) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title or "Untitled case"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{row.title or 'Untitled case'} — {subtitle(row)}"
        if role == SummaryRole:
            return row
        if role == IdRole:
            return row.id
        return None

    def row_of(self, case_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.id == case_id), -1)


def subtitle(row) -> str:
    bits = [row.status]
    if row.sites:
        bits.append(row.sites)
    if row.outcome:
        bits.append(f"outcome: {row.outcome}")
    return " · ".join(bits)


class _TwoLineDelegate(QStyledItemDelegate):
    """Title in bold, then status · sites · outcome in a smaller, muted line. The row's panel
    (background, selection, focus) is the style's own drawing, with the text left out; the two lines
    are drawn over it. Nothing here names QStyle, whose hundreds of enum values PySide would build
    in Python before the first case could be painted."""

    def __init__(self, view: QListView):
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        fm = option.fontMetrics
        return QSize(200, fm.height() * 2 + fm.height() // 2 + 10)

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802 (Qt's name)
        super().initStyleOption(option, index)
        option.text = ""  # paint() draws the two lines

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        row = index.data(SummaryRole)
        title = index.data(Qt.ItemDataRole.DisplayRole) or ""
        selection = self._view.selectionModel()
        selected = selection is not None and selection.isSelected(index)
        group = QPalette.ColorGroup.Active if self._view.isActiveWindow() else QPalette.ColorGroup.Inactive
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        r = option.rect.adjusted(8, 5, -8, -5)
        fm = option.fontMetrics
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(option.palette.color(group, text_role))
        line1 = QRect(r.left(), r.top(), r.width(), fm.height())
        painter.drawText(line1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, r.width()))
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.9))
        painter.setFont(small)
        colour = option.palette.color(group, text_role)
        if not selected:
            colour = option.palette.color(group, QPalette.ColorRole.PlaceholderText)
        painter.setPen(colour)
        line2 = QRect(r.left(), line1.bottom() + fm.height() // 4, r.width(), fm.height())
        second = painter.fontMetrics().elidedText(subtitle(row) if row else "", Qt.TextElideMode.ElideRight,
                                                  r.width())
        painter.drawText(line2, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, second)
        painter.restore()


class CaseList(QWidget):
    """Search box, the list of cases and the New / Duplicate / Delete buttons."""

    case_selected = Signal(str)  # a case id
    search_changed = Signal(str)  # the window re-queries the library (debounced here)
    new_requested = Signal()
    duplicate_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 4, 8)
        lay.setSpacing(8)
        heading = QLabel("Cases")
        heading.setStyleSheet("font-weight: 600;")
        lay.addWidget(heading)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, keywords, site, outcome")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        lay.addWidget(self.search)
        heading.setBuddy(self.search)

        self.model = CaseListModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(_TwoLineDelegate(self.view))
        self.view.setUniformItemSizes(True)  # 10,000 cases stay instant
        self.view.setAccessibleName("Cases in the library")
        self.view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.view, 1)

        self.empty_label = QLabel("")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName("Case list status")
        lay.addWidget(self.empty_label)

        from .forms import FlowLayout
        row = QWidget()
        buttons = FlowLayout(row, h_spacing=6, v_spacing=4)  # a narrow list puts Delete on a line of its own
        buttons.setContentsMargins(0, 0, 0, 0)
        self.new_button = QPushButton("New")
        self.new_button.setToolTip("New case (Ctrl+N)")
        self.new_button.setAccessibleName("New case")
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setToolTip("Duplicate the selected case")
        self.duplicate_button.setAccessibleName("Duplicate case")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected case (asks first)")
        self.delete_button.setAccessibleName("Delete case")
        for b in (self.new_button, self.duplicate_button, self.delete_button):
            buttons.addWidget(b)
        lay.addWidget(row)

        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(lambda: self.search_changed.emit(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.new_button.clicked.connect(self.new_requested)
        self.duplicate_button.clicked.connect(lambda: self._emit_for_current(self.duplicate_requested))
        self.delete_button.clicked.connect(lambda: self._emit_for_current(self.delete_requested))
        self.delete_action = None
        from .redraw import after_first_paint
        after_first_paint(self.view, self._add_delete_key)  # QAction's types are not needed for the first paint
        self._quiet = False
        self._editable = True
        self._update_buttons()

    def _add_delete_key(self):
        """Delete in the list asks to delete the case (a widget action: no Python call per event)."""
        from PySide6.QtGui import QAction, QKeySequence
        if self.delete_action is None:
            self.delete_action = QAction("Delete case", self.view)
            self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
            self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.delete_action.triggered.connect(
                lambda: self._editable and self._emit_for_current(self.delete_requested))
            self.view.addAction(self.delete_action)
        return self.delete_action

    # --- filling ----------------------------------------------------------------------------------

    def set_cases(self, rows: Sequence, select_id: str | None = None) -> None:
        """Show these cases, keeping (or moving) the selection without re-announcing it."""
        keep = select_id if select_id is not None else self.current_id()
        self._quiet = True
        try:
            self.model.set_rows(rows)
            row = self.model.row_of(keep) if keep else -1
            if row >= 0:
                self.view.setCurrentIndex(self.model.index(row))
                self.view.scrollTo(self.model.index(row))
        finally:
            self._quiet = False
        query = self.search.text().strip()
        if rows:
            self.empty_label.setText(f"{len(rows)} case{'s' if len(rows) != 1 else ''}"
                                     + (f" matching “{query}”" if query else ""))
        else:
            self.empty_label.setText(f"No case matches “{query}”." if query else
                                     "No cases yet: press New, or File ▸ Import case.")
        self._update_buttons()

    def select(self, case_id: str) -> bool:
        """Select a case and announce it (as a click would)."""
        row = self.model.row_of(case_id)
        if row < 0:
            return False
        self.view.setCurrentIndex(self.model.index(row))
        self.view.scrollTo(self.model.index(row))
        return True

    def current_id(self) -> str | None:
        idx = self.view.currentIndex()
        return idx.data(IdRole) if idx.isValid() else None

    def ids(self) -> list[str]:
        return [r.id for r in self.model.rows]

    def titles(self) -> list[str]:
        return [r.title for r in self.model.rows]

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._update_buttons()

    # --- internals ----------------------------------------------------------------------------------

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.search_changed.emit(self.search.text())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()
        if not self._quiet and current.isValid():
            self.case_selected.emit(current.data(IdRole))

    def _emit_for_current(self, signal) -> None:
        cid = self.current_id()
        if cid:
            signal.emit(cid)

    def _update_buttons(self) -> None:
        has = self.current_id() is not None
        self.new_button.setEnabled(self._editable)
        self.duplicate_button.setEnabled(self._editable and has)
        self.delete_button.setEnabled(self._editable and has)
