"""The shape of every form: the one spacing, labelled rows "label: field [unit]" with an inline
error line under them, groups, headings and hints, pages that scroll, rows that flow onto more lines,
a red frame on a refused field, and shortcuts that act inside a section."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLayout, QScrollArea, QSizePolicy, QVBoxLayout,
    QWidget,
)
from .scrolling import ScrollKept, reveal  # noqa: F401 (re-exported: sections import them from here)

if TYPE_CHECKING:
    from PySide6.QtGui import QKeySequence, QShortcut

SPACING = 10  # px between fields; the one spacing every form uses
ERROR_COLOUR = "#b3261e"


# --- inline error --------------------------------------------------------------------------------

class FieldError(QWidget):
    """An inline message under a field: a warning icon and red text naming the field and the problem.

    Its line is reserved even while there is nothing to say (shown, empty), so a message appearing
    or going never moves the fields below it: the next click lands where the user aimed. A message longer than the line is shortened with "…"; the whole text is the tooltip and
    the accessible name and description (screen readers get all of it)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self._full = ""
        self._icon = QLabel(self)  # the icon is drawn when there is first something to say
        self._icon.setAlignment(Qt.AlignmentFlag.AlignVCenter)
        self._icon.setAccessibleName("Error")
        self._text = QLabel(self)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # the colour through the palette, not a style sheet: a form has a score of these, and each
        # style sheet is parsed and polished on its own (start-up paints the Patient section's 20)
        pal = self._text.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor(ERROR_COLOUR))
        self._text.setPalette(pal)
        self._text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        lay.addWidget(self._icon)
        lay.addWidget(self._text, 1)
        small = self._text.font()
        small.setPointSizeF(small.pointSizeF() * 0.92)
        self._text.setFont(small)
        self.setFixedHeight(self._text.fontMetrics().height() + 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._icon.hide()

    def show_message(self, text: str) -> None:
        if self._icon.pixmap().isNull():
            # QStyle on first use: building its hundreds of enum values would delay the first paint
            from PySide6.QtWidgets import QStyle
            size = min(self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize), self._text.fontMetrics().height())
            self._icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self._full = text
        self._icon.show()
        self._elide()
        self._text.setAccessibleName(text)
        self.setAccessibleName(f"Error: {text}")
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        if self.parentWidget() is not None and self.isHidden():
            self.show()

    def _elide(self) -> None:
        width = self._text.width() if self._text.width() > 20 else max(self.width() - 30, 200)
        self._text.setText(self._text.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, ev):  # noqa: N802 (Qt's name)
        super().resizeEvent(ev)
        if self._full:
            self._elide()

    def clear(self) -> None:
        self._full = ""
        self._text.clear()
        self.setAccessibleName("")
        self.setAccessibleDescription("")
        self.setToolTip("")
        self._icon.hide()

    def message(self) -> str:
        return self._full


class StatusLine(QLabel):
    """A line of small text with reserved room (``lines`` lines, kept while empty), for what a field
    says about itself while it is edited (a time's place on the day axis, a warning), so the text
    coming and going never moves the form. Longer text is shortened with "…" (all of it in the
    tooltip and the accessible description)."""

    def __init__(self, name: str = "", parent: QWidget | None = None, lines: int = 1):
        super().__init__(parent)
        self._full = ""
        self._lines = lines
        f = self.font()
        f.setPointSizeF(f.pointSizeF() * 0.92)
        self.setFont(f)
        self.setWordWrap(lines > 1)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 2)
        if name:
            self.setAccessibleName(name)

    def set_message(self, text: str) -> None:
        self._full = text
        self.setToolTip(text if text else "")
        self.setAccessibleDescription(text)
        self._elide()

    def message(self) -> str:
        return self._full

    def text(self) -> str:  # the whole text, not the shortened one painted
        return self._full

    def _elide(self) -> None:
        fm = self.fontMetrics()
        width = self.width() if self.width() > 20 else 300
        if self._lines == 1:
            shown = fm.elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        else:  # as many words as fit the reserved lines, the rest shortened into the last one
            rect = fm.boundingRect(0, 0, width, 10**6, int(Qt.TextFlag.TextWordWrap), self._full)
            shown = self._full
            if rect.height() > fm.lineSpacing() * self._lines + 1:
                words = self._full.split(" ")
                while len(words) > 1:
                    words.pop()
                    shown = " ".join(words) + "…"
                    r = fm.boundingRect(0, 0, width, 10**6, int(Qt.TextFlag.TextWordWrap), shown)
                    if r.height() <= fm.lineSpacing() * self._lines + 1:
                        break
        if super().text() != shown:
            self.setText(shown)

    def resizeEvent(self, ev):  # noqa: N802 (Qt's name)
        super().resizeEvent(ev)
        self._elide()


class SuggestionLine(QWidget):
    """Something the catalogues suggest for a field, which the author takes with one button
    ("Catalogue: Surgical debridement  [Set class]"), in reserved room: it coming and going never
    moves the form."""

    def __init__(self, button_text: str, name: str, parent: QWidget | None = None, *, field: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtWidgets import QPushButton
        self.field = field  # where the typing goes on once the offer is taken (its button hides)
        self.label = StatusLine(name, self)
        self.button = QPushButton(button_text, self)
        self.button.setAccessibleName(f"{name}: {button_text}")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(SPACING - 4)
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # the button beside it
        lay.addWidget(self.label)
        lay.addWidget(self.button)
        lay.addStretch(1)
        self.setFixedHeight(max(self.button.sizeHint().height(), self.label.height()))
        self._take: Callable[[], Any] | None = None
        self.button.clicked.connect(self._taken)
        self.clear()

    def _taken(self) -> None:
        if self._take is None:
            return
        had = self.button.hasFocus()
        with ScrollKept(self):
            self._take()
            # the button hid with the offer and Qt handed its focus to the next field in the tab chain
            if had and self.field is not None and not self.button.isVisible() and self.field.isVisible():
                self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def offer(self, text: str, take: Callable[[], Any], tip: str = "") -> None:
        """Show ``text`` (``tip``: the whole sentence, in the tooltip) and the button doing ``take``."""
        # room for the start of the text, never so much that the offer widens its form (a narrow
        # form shortens it with "…"; the tooltip has it whole)
        self.label.setMinimumWidth(min(self.label.fontMetrics().horizontalAdvance(text) + 6, 160))
        self.label.set_message(text)
        if tip:
            self.label.setToolTip(tip)
            self.label.setAccessibleDescription(tip)
        self._take = take
        self.button.setVisible(True)

    def clear(self) -> None:
        self.label.setMinimumWidth(0)
        self.label.set_message("")
        self._take = None
        self.button.setVisible(False)


class ElidedLabel(QLabel):
    """A one-line label (a heading such as the open case's title) that never wraps: a long text is
    shortened with "…" and shown whole in the tooltip, so editing it never moves what is under it."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        return self._full

    def _elide(self) -> None:
        width = self.width() if self.width() > 20 else 600
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, ev):  # noqa: N802 (Qt's name)
        super().resizeEvent(ev)
        self._elide()


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """A red frame on a field whose input was refused (cleared when it is fixed). Composite editors
    (a time, a dose) frame the part that holds the input."""
    widget.setProperty("invalid", invalid)
    target = widget.invalid_target() if hasattr(widget, "invalid_target") else widget
    if target is not widget:
        target.setProperty("invalid", invalid)
    if invalid == bool(target.property("redFrame")):
        return
    target.setProperty("redFrame", invalid)
    fixed = target.minimumHeight() == target.maximumHeight()
    if invalid and not fixed:
        # a style sheet's border drops the native frame and its padding: keep the field's height,
        # or the red frame alone would move every field below it
        target.setProperty("plainMinHeight", target.minimumHeight())
        target.setMinimumHeight(target.sizeHint().height())
    target.setStyleSheet(f"border: 1px solid {ERROR_COLOUR};" if invalid else "")
    if not invalid and target.property("plainMinHeight") is not None:
        target.setMinimumHeight(int(target.property("plainMinHeight")))
        target.setProperty("plainMinHeight", None)



# --- layout helpers ----------------------------------------------------------------------------------

class FlowLayout(QLayout):
    """Items left to right, moving to a new line when the next one does not fit, so a row of small
    controls never makes a form wider than its column (its minimum width is its widest item). An
    item that expands horizontally fills the rest of its line."""

    def __init__(self, parent: QWidget | None = None, h_spacing: int = SPACING, v_spacing: int = 4):
        super().__init__(parent)
        self._items: list = []
        self._h, self._v = h_spacing, v_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        shown = [i for i in self._items if not i.isEmpty()]
        if not shown:
            return QSize(0, 0)
        m = self.contentsMargins()
        w = sum(self._natural_width(i) for i in shown) + self._h * (len(shown) - 1)
        h = max(i.sizeHint().height() for i in shown)
        return QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize(0, 0)
        for i in self._items:
            if not i.isEmpty():
                size = size.expandedTo(i.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    @staticmethod
    def _natural_width(item) -> int:
        """A wrapping label's width on one line (its size hint is a guess at a wrapped shape)."""
        w = item.widget()
        if isinstance(w, QLabel) and w.wordWrap() and w.textFormat() != Qt.TextFormat.RichText:
            m = w.contentsMargins()
            return (w.fontMetrics().horizontalAdvance(w.text()) + 2 * w.margin() + m.left() + m.right()
                    + 2 * max(w.indent(), 0) + 4)
        return item.sizeHint().width()

    def _arrange(self, rect, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        right = area.right() + 1
        lines: list[list[tuple[Any, int, int]]] = []  # per line: (item, x, width)
        line: list[tuple[Any, int, int]] = []
        x = area.x()
        for item in (i for i in self._items if not i.isEmpty()):
            # an item that does not fit goes to the next line; a text (a label that wraps) is
            # wrapped only when a whole line is too narrow for it
            w = self._natural_width(item)
            if line and x + w > right:
                lines.append(line)
                line, x = [], area.x()
            if area.width() > 0:
                w = min(w, right - x)
                if item.expandingDirections() & Qt.Orientation.Horizontal:
                    w = right - x  # an expanding item (a long choice) fills the rest of its line
            w = max(w, item.minimumSize().width())
            line.append((item, x, w))
            x += w + self._h
        if line:
            lines.append(line)
        y = area.y()
        for n, line in enumerate(lines):
            heights = [item.heightForWidth(w) if item.hasHeightForWidth() else item.sizeHint().height()
                       for item, _x, w in line]
            tall = max(heights)
            if apply:  # the items of a line centred on it, so a text sits level with a box's text
                for (item, x, w), h in zip(line, heights):
                    item.setGeometry(QRect(x, y + (tall - h) // 2, w, h))
            y += tall + (self._v if n < len(lines) - 1 else 0)
        return y - rect.y() + m.bottom()



def with_unit(field: QWidget, unit: str) -> QWidget:
    """The field followed by its unit ("kg"), as one row item; the unit becomes part of the field's
    accessible description."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(6)
    lay.addWidget(field)
    lab = QLabel(unit, box)
    lab.setAccessibleName(f"unit: {unit}")
    lay.addWidget(lab)
    lay.addStretch(1)
    field.setAccessibleDescription(f"in {unit}")
    box.setFocusProxy(field)
    return box


def form_layout(parent: QWidget | None = None) -> QFormLayout:
    form = QFormLayout(parent)
    form.setHorizontalSpacing(SPACING + 2)
    form.setVerticalSpacing(SPACING - 2)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form


def add_row(form: QFormLayout, label: str, field: QWidget, unit: str | None = None,
            error: FieldError | None = None, tip: str = "") -> QLabel:
    """Add "label: field [unit]" to a form, with an optional error line under it (its room kept while
    empty, in the same row as the field, so the form stays compact). The label is the field's
    buddy (Alt+mnemonic) and its accessible name unless the field has one."""
    lab = QLabel(label + ":")
    target = field
    if not field.accessibleName():
        field.setAccessibleName(label)
    item = with_unit(field, unit) if unit else field
    lab.setBuddy(target)
    if tip:
        lab.setToolTip(tip)
        field.setToolTip(tip)
    if error is not None and error.parentWidget() is None:
        # the field and its (reserved) message line as one row, without the form's spacing between
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.setSpacing(1)
        policy = item.sizePolicy().horizontalPolicy()
        if policy == QSizePolicy.Policy.Fixed:
            # a field of its own width (a choice, a number) keeps it, and its message gets the whole
            # row: it was cut to the field's width ("Grade: the gra…")
            bl.addWidget(item, 0, Qt.AlignmentFlag.AlignLeft)
            policy = QSizePolicy.Policy.Preferred
        else:
            bl.addWidget(item)
        bl.addWidget(error)
        box.setFocusProxy(field)
        box.setSizePolicy(policy, QSizePolicy.Policy.Fixed)
        item = box
    elif error is not None:
        form.addRow(lab, item)
        form.addRow("", error)
        return lab
    form.addRow(lab, item)
    return lab


def align_labels(*forms: QFormLayout, texts=(), width: int = 0) -> int:
    """Give the labels of several forms one width, so the fields of a page of groups line up.
    ``texts``: labels of a form built later (it will line up with these without moving them);
    ``width``: at least this wide (a width returned before). Returns the width given."""
    labels = []
    for form in forms:
        for r in range(form.rowCount()):
            item = form.itemAt(r, QFormLayout.ItemRole.LabelRole)
            w = item.widget() if item is not None else None
            if isinstance(w, QLabel) and w.text():
                labels.append((w, form.labelAlignment()))
    width = max([width, *(lab.sizeHint().width() for lab, _a in labels),
                 *(QLabel(text).sizeHint().width() for text in texts)])
    for lab, align in labels:
        lab.setMinimumWidth(width)
        # the label fills the column now: its text keeps the form's side (and QLabel's centring)
        lab.setAlignment((align & Qt.AlignmentFlag.AlignHorizontal_Mask) | Qt.AlignmentFlag.AlignVCenter)
    return width


def group(title: str, parent: QWidget | None = None) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(title, parent)
    form = form_layout(box)
    form.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
    return box, form


def scroll_page(owner: QWidget, max_width_chars: int | None = 160) -> QVBoxLayout:
    """Give a section a vertically scrolling page; returns the page's layout to fill. Forms stop
    growing at ``max_width_chars`` average characters, so lines stay readable on wide screens."""
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(0, 0, 0, 0)
    area = QScrollArea(owner)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own: it follows the focused field
    area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    page = QWidget()
    page.setObjectName("page")
    if max_width_chars:
        page.setMaximumWidth(owner.fontMetrics().averageCharWidth() * max_width_chars)
    lay = QVBoxLayout(page)
    lay.setContentsMargins(SPACING + 6, SPACING + 2, SPACING + 6, SPACING + 6)
    lay.setSpacing(SPACING + 4)
    area.setWidget(page)
    outer.addWidget(area)
    owner._scroll_area = area  # for focus_ref: scroll a field into view
    return lay


def vertical_scroll(page: QWidget) -> QScrollArea:
    """A frameless area that scrolls ``page`` up and down only: the page follows the area's width
    (its rows wrap or shorten) and never scrolls sideways."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own: it follows the focused field
    area.setWidget(page)
    return area


def follow_in_tab_order(anchor: QWidget, container: QWidget) -> QWidget:
    """Put the widgets of ``container`` that Tab stops at right after ``anchor`` in the Tab order, in
    the order they were made (a widget with a ``tab_chain()`` of its own, like the time editor, keeps
    that order inside it). Qt adds a widget to the end of the window's Tab order when it is made, so a
    part built later (a list's form, built when an item is first shown) would be reached last, after
    the rest of the window: Tab from the list's buttons would skip it, and Tab from its last field
    would go to the case list's search box, where the next words typed filter the cases. Returns
    the last stop placed (``anchor`` when there is none)."""
    own: list[QWidget] = []  # widgets ordering their own stops
    window = container.window()
    for w in container.findChildren(QWidget):
        if w.window() is not window or any(o.isAncestorOf(w) for o in own):
            continue  # a choice's pop-up list is a window of its own
        chain = getattr(w, "tab_chain", None)
        if callable(chain):
            own.append(w)
            stops = chain()
        elif w.focusProxy() is None and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            stops = [w]
        else:
            continue
        for stop in stops:
            QWidget.setTabOrder(anchor, stop)
            anchor = stop
    return anchor


def heading(text: str, parent: QWidget | None = None, *, elide: bool = False) -> QLabel:
    """A section's heading. ``elide``: a heading whose text the case decides ("Lesion 2: leg, level not
    stated, both sides") is shortened with "…" rather than widen the section past its column."""
    lab = ElidedLabel(text, parent) if elide else QLabel(text, parent)
    f = lab.font()
    f.setPointSizeF(f.pointSizeF() * 1.35)
    f.setBold(True)
    lab.setFont(f)
    lab.setAccessibleName(text)
    return lab


def hint_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """Small grey explanatory text."""
    lab = QLabel(text, parent)
    lab.setWordWrap(True)
    f = lab.font()
    f.setPointSizeF(f.pointSizeF() * 0.92)
    lab.setFont(f)
    set_muted(lab)
    return lab


def set_muted(widget: QWidget) -> None:
    """Secondary text: the text colour blended towards the background (readable, AA contrast on the
    default light and dark palettes)."""
    pal = widget.palette()
    fg, bg = pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window)
    mixed = QColor(round(fg.red() * 0.72 + bg.red() * 0.28), round(fg.green() * 0.72 + bg.green() * 0.28),
                   round(fg.blue() * 0.72 + bg.blue() * 0.28))
    pal.setColor(QPalette.ColorRole.WindowText, mixed)
    widget.setPalette(pal)



def shortcut(parent: QWidget, keys: str | QKeySequence.StandardKey, slot: Callable[[], None]) -> QShortcut:
    """A shortcut active while the focus is inside ``parent``."""
    from PySide6.QtGui import QKeySequence, QShortcut
    sc = QShortcut(QKeySequence(keys), parent)
    sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    sc.activated.connect(slot)
    return sc
