"""A read-only table of model items (one row each) with Add and Delete buttons, and the column
fitting that keeps any table inside its width (no sideways scrolling)."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QHBoxLayout, QHeaderView, QPushButton, QTableView, QVBoxLayout, QWidget,
)
from shiboken6 import isValid

from .forms import SPACING


@dataclasses.dataclass
class Column:
    """One column of an :class:`ItemTable`: its title and how to show an item in it."""
    title: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str] | None = None
    align_right: bool = False
    stretch: bool = False  # takes the width left over, but keeps at least ``min_chars``
    min_chars: int = 24
    width_chars: int | None = None  # a fixed starting width (the user may resize it)
    max_chars: int = 28  # otherwise as wide as its contents, up to this many average characters
    header_tip: str = ""  # what the column holds, when the title is short
    optional: bool = False  # hidden while the table is too narrow for every column (the form shows it)
    keep: bool = False  # never shortened: a short code, a number with its unit


def fit_widths(natural: Sequence[int], floors: Sequence[int], stretch: Sequence[bool], avail: int) -> list[int]:
    """Column widths for a table ``avail`` pixels wide: the natural widths when they fit, the stretch
    columns taking what is left; otherwise every column gives up width in proportion to how far it
    is above its floor (the width of its title), so the table does not scroll sideways. Only when
    even the floors do not fit are the floors returned (and the table scrolls)."""
    widths = [max(n, f) for n, f in zip(natural, floors)]
    total = sum(widths)
    if total <= avail:
        grow = [n for n, st in enumerate(stretch) if st]
        if grow:
            extra, rest = divmod(avail - total, len(grow))
            for k, n in enumerate(grow):
                widths[n] += extra + (1 if k < rest else 0)
        return widths
    slack = [w - f for w, f in zip(widths, floors)]
    room = sum(slack)
    excess = total - avail
    if room <= excess:
        return list(floors)
    out = [w - (sl * excess) // room for w, sl in zip(widths, slack)]
    over = sum(out) - avail  # rounding: take the odd pixels from the widest columns
    for n in sorted(range(len(out)), key=lambda i: -slack[i]):
        if over <= 0:
            break
        if out[n] > floors[n]:
            out[n] -= 1
            over -= 1
    return out


class ColumnFitter(QObject):
    """Keeps a table's columns inside its width (see :func:`fit_widths`), refitting whenever the
    table's visible width changes. Cut texts end in "…" and the full text is in the tooltip.
    ``spec()`` gives, per column, (natural width, floor width, stretch?, optional?); optional
    columns are hidden, last first, while the columns do not fit at their natural widths (and a
    column whose natural width is 0, having nothing to show, is hidden). After the user drags a
    column wider or narrower, only the stretch columns are refitted."""

    def __init__(self, view: QTableView, spec: Callable[[], list[tuple[int, int, bool, bool]]]):
        super().__init__(view)
        self.view = view
        self.spec = spec
        self.user_sized = False
        self._fitting = False
        self._cols: list[tuple[int, int, bool, bool]] | None = None  # the last spec (measuring reads every row)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        hh = view.horizontalHeader()
        hh.setStretchLastSection(False)
        for n in range(hh.count()):
            hh.setSectionResizeMode(n, QHeaderView.ResizeMode.Interactive)
        hh.sectionResized.connect(self._resized)
        # The viewport's resizes are what count (a vertical scroll bar coming or going changes its width),
        # but asking PySide6 for a viewport the first time costs ~8 ms (it builds the classes of every
        # widget to find the viewport's type): until the table has been shown, its own resizes are
        # watched and the viewport's width computed; the viewport is watched a moment after.
        self._viewport_watched = False
        view.installEventFilter(self)

    def available(self) -> int:
        if self._viewport_watched:
            return self.view.viewport().width()
        width = self.view.maximumViewportSize().width()
        bar = self.view.verticalScrollBar()
        return width - bar.width() if bar.isVisible() else width

    def _watch_viewport(self) -> None:
        if self._viewport_watched or not isValid(self.view):
            return
        self._viewport_watched = True
        self.view.viewport().installEventFilter(self)
        self.refit(measure=False)

    def refit(self, measure: bool = True) -> None:
        """Fit the columns; ``measure`` re-reads the contents (after they changed), else the widths
        measured last are reused (a resize)."""
        if measure or self._cols is None:
            self._cols = self.spec()
        cols = self._cols
        avail = self.available()
        if not cols or avail <= 1:
            return
        shown = [n for n in range(len(cols)) if cols[n][0] > 0]  # natural width 0: nothing to show
        for n in reversed(range(len(cols))):
            if n in shown and cols[n][3] and sum(max(cols[k][:2]) for k in shown) > avail:
                shown.remove(n)
        self._fitting = True
        try:
            for n in range(len(cols)):
                hide = n not in shown
                if self.view.isColumnHidden(n) != hide:
                    self.view.setColumnHidden(n, hide)
            if self.user_sized:
                current = {n: self.view.columnWidth(n) for n in shown}
                others = sum(w for n, w in current.items() if not cols[n][2])
                grow = [n for n in shown if cols[n][2]]
                widths = current
                for n in grow:
                    widths[n] = max((avail - others) // len(grow), cols[n][1])
            else:
                got = fit_widths([cols[n][0] for n in shown], [cols[n][1] for n in shown],
                                 [cols[n][2] for n in shown], avail)
                widths = dict(zip(shown, got))
            for n, w in widths.items():
                if self.view.columnWidth(n) != w:
                    self.view.setColumnWidth(n, w)
        finally:
            self._fitting = False

    def _resized(self, _index: int, _old: int, _new: int) -> None:
        if not self._fitting and self.view.isVisible() and QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self.user_sized = True

    def eventFilter(self, obj, ev):  # noqa: N802 (Qt's name)
        if ev.type() == QEvent.Type.Resize and ev.size().width() != ev.oldSize().width():
            if obj is self.view:
                if self._viewport_watched:
                    return False  # the viewport's own resize follows
                QTimer.singleShot(100, self._watch_viewport)
            self.refit(measure=False)
        return False


def header_width(view: QTableView, column: int) -> int:
    """The width a column's title needs (with the header's padding)."""
    hh = view.horizontalHeader()
    return hh.sectionSizeFromContents(column).width() + 4


class _ItemModel(QAbstractTableModel):
    def __init__(self, columns: list[Column], parent: QObject | None = None):
        super().__init__(parent)
        self.columns = columns
        self.items: list[Any] = []

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item, col = self.items[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return col.text(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip(item) if col.tooltip else col.text(item)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return getattr(item, "id", index.row())
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].header_tip or self.columns[section].title
        return None

    def set_items(self, items: list[Any]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()


class ItemTable(QWidget):
    """A read-only table of model items (one row each) with Add and Delete buttons, for the
    list-and-editor pattern: the section edits the selected item in a form beside or under it.

    Signals: ``selected(key)`` (the item's id — or row number for items without one — or None),
    ``add_requested()``, ``delete_requested(key)``. Keys: Insert adds, Delete removes."""

    selected = Signal(object)
    add_requested = Signal()
    delete_requested = Signal(object)

    def __init__(self, columns: list[Column], noun: str, parent: QWidget | None = None,
                 add_text: str | None = None):
        super().__init__(parent)
        self.noun = noun
        self.model = _ItemModel(columns, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.setTabKeyNavigation(False)
        self.view.setAccessibleName(f"{noun.capitalize()} table")
        hh = self.view.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.fitter = ColumnFitter(self.view, self._column_spec)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().lineSpacing() + 10)
        self.add_button = QPushButton(add_text or f"Add {noun}", self)
        self.add_button.setAccessibleName(add_text or f"Add {noun}")
        self.delete_button = QPushButton(f"Delete {noun}", self)
        self.delete_button.setAccessibleName(f"Delete {noun}")
        self.delete_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(SPACING - 2)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        self.buttons = buttons
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.view, 1)
        lay.addLayout(buttons)
        self.add_button.clicked.connect(self.add_requested.emit)
        self.delete_button.clicked.connect(self._delete)
        self.view.selectionModel().currentRowChanged.connect(self._current)
        self.view.installEventFilter(self)
        self._current_key: Any = None
        self._rows: tuple[int, int] | None = None
        self._refit_when_shown = False  # rows came or went while shown: fit them when next shown

    def set_row_range(self, min_rows: int, max_rows: int) -> None:
        """Size the table to its rows: at least ``min_rows`` tall, growing to ``max_rows`` (then it
        scrolls), so short lists do not leave a tall empty box. While the table is shown its height
        stays: a row added or deleted scrolls inside it, and the form under it does not move under
        the author's next click (a row added with Add moved the Agent box down by a row, and the
        name typed next was lost: issue 16, item 1). It fits its rows again when next shown."""
        self._rows = (min_rows, max_rows)
        self._fit_rows(now=True)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._refit_when_shown:
            self._fit_rows(now=True)
        super().showEvent(event)

    def _fit_rows(self, now: bool = False) -> None:
        if self._rows is None:
            return
        if not now and self.isVisible():
            self._refit_when_shown = True
            return
        self._refit_when_shown = False
        lo, hi = self._rows
        n = min(max(len(self.model.items) + 1, lo), hi)
        h = (self.view.horizontalHeader().sizeHint().height() + n * self.view.verticalHeader().defaultSectionSize()
             + 2 * self.view.frameWidth() + 2)
        self.view.setFixedHeight(h)

    def _column_spec(self) -> list[tuple[int, int, bool, bool]]:
        """Per column (natural, floor, stretch): as wide as the contents up to ``max_chars`` (or
        ``width_chars``), never narrower than the title; a stretch column takes what is left and
        gives way down to ``min_chars`` (or its title) only when the others cannot."""
        cw = self.fontMetrics().averageCharWidth()
        out = []
        for n, col in enumerate(self.model.columns):
            title = header_width(self.view, n)
            if col.stretch:
                natural = max(title, col.min_chars * cw)
                floor = max(title, min(col.min_chars, 10) * cw)
            elif col.width_chars:
                natural = max(title, cw * col.width_chars + 12)
                floor = max(title, min(natural, cw * 10))
            else:
                content = max(self.view.sizeHintForColumn(n), title) if self.model.items else title
                natural = min(content, max(title, cw * col.max_chars + 16))
                floor = natural if col.keep else min(natural, max(title, cw * 6))
            out.append((natural, floor, col.stretch, col.optional))
        return out

    def _fit_columns(self) -> None:
        self.fitter.refit()

    @property
    def _user_sized(self) -> bool:
        return self.fitter.user_sized

    def eventFilter(self, obj, ev):
        if obj is self.view and ev.type() == QEvent.Type.KeyPress:
            if ev.key() == Qt.Key.Key_Delete and self.current_key() is not None:
                self._delete()
                return True
            if ev.key() == Qt.Key.Key_Insert:
                self.add_requested.emit()
                return True
        return super().eventFilter(obj, ev)

    def set_items(self, items: Sequence[Any]) -> None:
        """Show ``items``; the selected item stays selected when it is still there."""
        keep = self._current_key
        self.view.selectionModel().blockSignals(True)
        try:
            self.model.set_items(list(items))
        finally:
            self.view.selectionModel().blockSignals(False)
        self._fit_rows()
        self._fit_columns()
        if keep is not None and self.select(keep, emit=False):
            return
        self._current_key = None
        self.delete_button.setEnabled(False)
        if keep is not None:
            self.selected.emit(None)

    def items(self) -> list[Any]:
        return list(self.model.items)

    def current_key(self) -> Any:
        return self._current_key

    def current_item(self) -> Any:
        key = self._current_key
        return next((it for n, it in enumerate(self.model.items) if getattr(it, "id", n) == key), None)

    def select(self, key: Any, emit: bool = True) -> bool:
        for n, it in enumerate(self.model.items):
            if getattr(it, "id", n) == key:
                idx = self.model.index(n, 0)
                sm = self.view.selectionModel()
                if not emit:
                    sm.blockSignals(True)
                try:
                    sm.setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                       | QItemSelectionModel.SelectionFlag.Rows)
                finally:
                    sm.blockSignals(False)
                self.view.scrollTo(idx)
                self._current_key = key
                self.delete_button.setEnabled(True)
                return True
        return False

    def _current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = self.model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        self._current_key = key
        self.delete_button.setEnabled(key is not None)
        self.selected.emit(key)

    def _delete(self) -> None:
        if self._current_key is not None:
            self.delete_requested.emit(self._current_key)
