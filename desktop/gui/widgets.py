"""Widgets every section shares: a time editor, choice boxes, fields that commit when the user is
done (never per keystroke), inline error messages, labelled rows with units, and a table of items.

Conventions
- A field emits ``committed(value)`` only after a user edit is finished (editingFinished, focus-out,
  a choice made, or ~700 ms after typing stops in a text area) and only when the value changed.
  Setting a value from code (``set_value``/``set_text``/``set_when``) never emits.
- Setting a value that equals what the field shows does nothing, so a refresh after a save never
  moves the cursor of the field being typed in.
- ``None`` is "not recorded": blank numeric fields and the "not recorded" choice give ``None``.
"""
from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any, Callable, Iterable, Sequence, get_args

from PySide6.QtCore import (
    QAbstractTableModel, QDate, QEvent, QItemSelectionModel, QModelIndex, QObject, QRect, QSize, Qt,
    QTimer, Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QCheckBox, QComboBox, QDateEdit, QDoubleSpinBox, QFormLayout, QFrame,
    QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLayout, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea,
    QSizePolicy, QStyle, QTableView, QVBoxLayout, QWidget,
)

from .. import jsonio, timing
from ..core.labs import format_number
from ..model import Case, Event, Tri, When

SPACING = 10  # px between fields; the one spacing every form uses
ERROR_COLOUR = "#b3261e"


# --- words --------------------------------------------------------------------------------------

_SPECIAL_LABELS = {
    "follow_up": "follow-up", "xray": "X-ray", "ct": "CT", "mri": "MRI", "not_done": "not done",
    "no_improvement": "no improvement", "not_assessed": "not assessed", "lost_to_follow_up": "lost to follow-up",
    "next_of_kin": "next of kin", "not_excluded": "not excluded", "not_made": "not made",
    "haemodialysis": "haemodialysis", "peritoneal": "peritoneal dialysis", "5D": "5D (on dialysis)",
    "bone_scintigraphy": "bone scintigraphy",
}


def label_of(code: str | None) -> str:
    """The words for a vocabulary code: 'symptom_onset' -> 'symptom onset'."""
    if code is None:
        return "not recorded"
    return _SPECIAL_LABELS.get(code, code.replace("_", " "))


def choices_of(literal_type: Any) -> list[tuple[str, str]]:
    """(value, label) pairs of a model Literal, in the model's order."""
    return [(v, label_of(v)) for v in get_args(literal_type)]


def fmt_number(value: float | None) -> str:
    """A number as a clinician writes it and as it was entered: 25 not 25.0, 1.5 not 1.50, 1250000
    not 1.25e+06 (every digit kept). An ASCII minus, so an edit field reads back what it shows."""
    if value is None:
        return ""
    return format_number(float(value)).replace("\u2212", "-")


def parse_number(text: str) -> float:
    """A typed number; accepts a decimal comma. Raises ValueError with a readable message."""
    t = text.strip().replace("\u2212", "-").replace(" ", "")
    if re.fullmatch(r"[-+]?\d+,\d+", t):
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f"{text.strip()!r} is not a number")
    return v


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


# --- validation with the import's checks ---------------------------------------------------------

def check_edit(case: Case, apply: Callable[[Case], None], *paths: str) -> list[str]:
    """Run the import's meaning checks of just the parts named by ``paths`` (JSON paths such as
    "$.patient.weight_kg", "$.labs[3].when") on a trial of ``case`` with ``apply`` done to it, and
    return the messages of problems at (or under) those paths. Single parts are copied; lists are
    copied but not their items (``apply`` replaces an item, never changes one in place), so the
    trial costs the size of the lists, not of the case. The case itself is not touched."""
    trial = copy.copy(case)
    for f in dataclasses.fields(Case):
        v = getattr(case, f.name)
        setattr(trial, f.name, list(v) if isinstance(v, list) else copy.deepcopy(v))
    apply(trial)
    out = []
    for path in paths:
        m = re.match(r"^\$\.(\w+)(?:\[(\d+)\])?", path)
        if m is None:
            continue
        part, index = m.group(1), m.group(2)
        if part in Case.__dataclass_fields__ and part not in jsonio.LIST_PART_NAMES and \
                part not in ("patient", "diagnosis", "outcome", "consent", "identifiers"):
            part = "case"
        items = getattr(trial, part, None) if part != "case" else None
        item_id = items[int(index)].id if index is not None and items is not None and int(index) < len(items) else None
        for p in jsonio.check_part(trial, part, item_id):
            if p.path == path or p.path.startswith(path + ".") or p.path.startswith(path + "["):
                if p.message not in out:
                    out.append(p.message)
    return out


def item_path(case: Case, part: str, item_id: str) -> str:
    """The JSON path of a list item by id, as check_case names it: '$.events[3]'."""
    items = getattr(case, part)
    n = next((i for i, it in enumerate(items) if it.id == item_id), len(items))
    return f"$.{part}[{n}]"


# --- inline error --------------------------------------------------------------------------------

class FieldError(QWidget):
    """An inline message under a field: a warning icon and red text naming the field and the problem.
    Hidden while there is nothing to say. Screen readers get the text as name and description."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self._icon = QLabel(self)  # the icon is drawn when there is first something to say
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._icon.setAccessibleName("Error")
        self._text = QLabel(self)
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._text.setStyleSheet(f"color: {ERROR_COLOUR};")
        lay.addWidget(self._icon)
        lay.addWidget(self._text, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    def show_message(self, text: str) -> None:
        if self._icon.pixmap().isNull():
            size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
            self._icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self._text.setText(text)
        self._text.setAccessibleName(text)
        self.setAccessibleName(f"Error: {text}")
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        self.show()

    def clear(self) -> None:
        self._text.clear()
        self.setAccessibleName("")
        self.setAccessibleDescription("")
        self.setToolTip("")
        self.hide()

    def message(self) -> str:
        return self._text.text() if not self.isHidden() else ""


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """A red frame on a field whose input was refused (cleared when it is fixed). Composite editors
    (a time, a dose) frame the part that holds the input."""
    widget.setProperty("invalid", invalid)
    target = widget.invalid_target() if hasattr(widget, "invalid_target") else widget
    if target is not widget:
        target.setProperty("invalid", invalid)
    target.setStyleSheet(f"border: 1px solid {ERROR_COLOUR};" if invalid else "")


# --- fields that commit ----------------------------------------------------------------------------

class LineField(QLineEdit):
    """A one-line text field that emits ``committed(str)`` when editing finished and the text changed."""

    committed = Signal(str)

    def __init__(self, name: str = "", parent: QWidget | None = None, placeholder: str = ""):
        super().__init__(parent)
        self._saved = ""  # the value shown from the model
        self._sent: str | None = None  # the last text committed since then
        if name:
            self.setAccessibleName(name)
        if placeholder:
            self.setPlaceholderText(placeholder)
        self.editingFinished.connect(self._finish)

    def set_text(self, text: str) -> None:
        if self.property("invalid") and text == self._saved:
            return  # a refused input stays on screen for correction; the saved value did not change
        mark_invalid(self, False)
        self._saved, self._sent = text, None
        if self.text() != text:
            self.setText(text)
            self.setCursorPosition(0)

    def _finish(self) -> None:
        text = self.text()
        if text != self._saved and text != self._sent:
            self._sent = text
            self.committed.emit(text)
        elif text == self._saved:
            self._sent = None

    def keyPressEvent(self, ev):  # Escape puts back what is saved
        if ev.key() == Qt.Key.Key_Escape and self.text() != self._saved:
            mark_invalid(self, False)
            self._sent = None
            self.setText(self._saved)
            return
        super().keyPressEvent(ev)


class NumberField(QLineEdit):
    """An optional number (blank = not recorded). Emits ``committed(float | None)`` after an edit;
    text that is not a number emits ``rejected(message)`` instead and stays for correction
    (Escape puts back the saved value)."""

    committed = Signal(object)
    rejected = Signal(str)

    def __init__(self, name: str = "", parent: QWidget | None = None, integer: bool = False):
        super().__init__(parent)
        self.name = name
        self.integer = integer
        self._saved: float | None = None
        self.setPlaceholderText("not recorded")
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 14 + 16)
        if name:
            self.setAccessibleName(name)
        self.editingFinished.connect(self._finish)

    def value(self) -> float | None:
        return self._saved

    def set_value(self, value: float | None) -> None:
        if self.property("invalid") and value == self._saved:
            return  # a refused input stays on screen for correction; the saved value did not change
        self._saved = value
        mark_invalid(self, False)
        try:
            same = (parse_number(self.text()) if self.text().strip() else None) == value
        except ValueError:
            same = False
        if not same:
            self.setText(fmt_number(value))

    def parsed(self) -> float | None:
        """The typed value; raises ValueError naming the problem."""
        if not self.text().strip():
            return None
        v = parse_number(self.text())
        if self.integer and v != int(v):
            raise ValueError(f"{fmt_number(v)} is not a whole number")
        return int(v) if self.integer else v

    def _finish(self) -> None:
        try:
            v = self.parsed()
        except ValueError as exc:
            mark_invalid(self, True)
            self.rejected.emit(f"{self.name}: {exc}" if self.name else str(exc))
            return
        if v != self._saved:
            self.committed.emit(v)  # the owner validates, saves and calls set_value (or refuses)
        else:
            mark_invalid(self, False)

    def keyPressEvent(self, ev):
        if ev.key() == Qt.Key.Key_Escape:
            self.setText(fmt_number(self._saved))
            mark_invalid(self, False)
            return
        super().keyPressEvent(ev)


class TextArea(QPlainTextEdit):
    """Free text that saves itself: ``committed(str)`` ~700 ms after typing stops and on focus-out.
    Tab moves to the next field (text areas in a form must not swallow Tab)."""

    committed = Signal(object)  # str here; LinesArea emits a list through the same signal
    IDLE_MS = 700

    def __init__(self, name: str = "", parent: QWidget | None = None, lines: int = 4, placeholder: str = "",
                 grow: int = 16):
        super().__init__(parent)
        self._saved = ""
        self._grow = max(grow, lines)
        self._loading = False
        self.setTabChangesFocus(True)
        if name:
            self.setAccessibleName(name)
        if placeholder:
            self.setPlaceholderText(placeholder)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._lines = lines
        self._fit()
        # grows with its text up to ``grow`` lines, then scrolls
        self.textChanged.connect(self._fit)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.IDLE_MS)
        self._timer.timeout.connect(self.commit)
        self.textChanged.connect(self._typed)

    def _fit(self) -> None:
        fm = self.fontMetrics()
        width = max(self.viewport().width() - 2 * int(self.document().documentMargin()) - 2, 40)
        shown = 0
        for para in self.toPlainText().split("\n"):
            r = fm.boundingRect(0, 0, width, 10**6, int(Qt.TextFlag.TextWordWrap), para or " ")
            shown += max(1, round(r.height() / fm.lineSpacing()))
        lines = min(max(shown, self._lines), self._grow)
        margins = self.contentsMargins()
        h = int(lines * self.fontMetrics().lineSpacing() + 2 * self.document().documentMargin()
                + margins.top() + margins.bottom() + 2)
        if self.height() != h or self.minimumHeight() != h:
            self.setFixedHeight(h)

    def text(self) -> str:
        return self.toPlainText()

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        if ev.oldSize().width() != ev.size().width():
            self._fit()

    def set_text(self, text: str) -> None:
        self._saved = text
        if self.toPlainText() != text:
            self._loading = True
            try:
                self.setPlainText(text)
            finally:
                self._loading = False
        self._timer.stop()

    def _typed(self) -> None:
        if not self._loading:
            self._timer.start()

    def commit(self) -> None:
        self._timer.stop()
        if self.toPlainText() != self._saved:
            self._saved = self.toPlainText()
            self.committed.emit(self._saved)

    def focusOutEvent(self, ev):
        self.commit()
        super().focusOutEvent(ev)


class LinesArea(TextArea):
    """A list of strings edited one per line (affiliations, references, URLs). ``set_value(list)``;
    ``committed(list)`` without blank lines."""

    def set_value(self, lines: list[str]) -> None:
        self.set_text("\n".join(lines))

    def value(self) -> list[str]:
        return [x.strip() for x in self.toPlainText().splitlines() if x.strip()]

    def commit(self) -> None:
        self._timer.stop()
        if self.toPlainText() != self._saved:
            self._saved = self.toPlainText()
            self.committed.emit(self.value())


def widen_popup(combo: QComboBox) -> None:
    """Make the combo's list as wide as its longest entry (even when the box itself shows less),
    so a shortened box never hides the end of a choice."""
    view = combo.view()
    fm = view.fontMetrics()
    text = max((fm.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())), default=0)
    need = text + combo.iconSize().width() + view.verticalScrollBar().sizeHint().width() + 2 * view.frameWidth() + 24
    view.setMinimumWidth(max(need, combo.width()))


def shrinkable(combo: QComboBox, chars: int = 16) -> QComboBox:
    """A combo with long entries that may be narrower than its longest one (down to ``chars``
    characters) and grows with its form row; the list shows entries in full."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


class WideCombo(QComboBox):
    """A QComboBox whose list shows every entry in full."""

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        widen_popup(self)
        super().showPopup()


class ChoiceCombo(WideCombo):
    """A choice among (value, label) pairs, optionally with "not recorded" (None).
    Emits ``committed(value)`` when the user picks a different value."""

    committed = Signal(object)

    def __init__(self, choices: Iterable[tuple[Any, str]], name: str = "", parent: QWidget | None = None,
                 allow_none: bool = False, none_label: str = "not recorded"):
        super().__init__(parent)
        self._loading = False
        self._saved: Any = None
        if allow_none:
            self.addItem(none_label, None)
        for value, text in choices:
            self.addItem(text, value)
        if name:
            self.setAccessibleName(name)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # as wide as its longest choice, not the whole form row
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.activated.connect(self._picked)

    def set_choices(self, choices: Iterable[tuple[Any, str]], allow_none: bool = False,
                    none_label: str = "not recorded") -> None:
        self._loading = True
        try:
            self.clear()
            if allow_none:
                self.addItem(none_label, None)
            for value, text in choices:
                self.addItem(text, value)
        finally:
            self._loading = False
        if self.findData(self._saved) >= 0:  # keep the value when it is still offered
            self.set_value(self._saved)

    def value(self) -> Any:
        return self.currentData()

    def set_value(self, value: Any) -> None:
        self._saved = value
        i = self.findData(value)
        if i < 0 and value is not None:
            # a value outside the offered choices (e.g. from a newer catalogue): show it as it is
            self.addItem(f"{value} (not in the list)", value)
            i = self.count() - 1
        if i >= 0 and i != self.currentIndex():
            self._loading = True
            try:
                self.setCurrentIndex(i)
            finally:
                self._loading = False

    def _picked(self, _index: int) -> None:
        if self._loading:
            return
        v = self.currentData()
        if v != self._saved:
            self._saved = v
            self.committed.emit(v)


class TriStateCombo(ChoiceCombo):
    """yes / no / unknown, the model's ``Tri``. ``value()`` is always one of the three strings."""

    def __init__(self, name: str = "", parent: QWidget | None = None):
        super().__init__([("yes", "yes"), ("no", "no"), ("unknown", "unknown")], name, parent)
        self.set_value("unknown")

    def value(self) -> Tri:
        return self.currentData() or "unknown"

    def set_value(self, value: Tri | None) -> None:
        super().set_value(value if value in ("yes", "no", "unknown") else "unknown")


class CheckField(QCheckBox):
    """A checkbox that emits ``committed(bool)`` on a user click only."""

    committed = Signal(bool)

    def __init__(self, text: str, name: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setAccessibleName(name or text)
        self.clicked.connect(lambda checked: self.committed.emit(bool(checked)))

    def set_value(self, value: bool) -> None:
        if self.isChecked() != bool(value):
            self.blockSignals(True)
            self.setChecked(bool(value))
            self.blockSignals(False)


class DoseRow(QWidget):
    """A dose and its unit, edited together: ``committed((dose, unit))`` once they agree. A dose
    typed before its unit waits (with a note) until the unit is there, so the usual order of typing
    never meets a refusal. ``error`` receives the notes and refusals."""

    committed = Signal(object)

    def __init__(self, name: str = "Dose", parent: QWidget | None = None, unit_placeholder: str = "unit, e.g. mg"):
        super().__init__(parent)
        self.name = name
        self.dose = NumberField(name)
        self.unit = LineField(f"{name} unit", placeholder=unit_placeholder)
        self.unit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 14 + 16)
        self.error: FieldError | None = None
        self._saved: tuple[float | None, str] = (None, "")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.dose)
        lay.addWidget(self.unit)
        lay.addStretch(1)
        self.setFocusProxy(self.dose)
        self.dose.committed.connect(lambda _v: self._edited())
        self.unit.committed.connect(lambda _v: self._edited())
        self.dose.rejected.connect(self._note)

    def set_error(self, error: FieldError) -> None:
        self.error = error

    def invalid_target(self) -> QWidget:
        return self.dose

    def _note(self, text: str) -> None:
        if self.error is not None:
            self.error.show_message(text)

    def value(self) -> tuple[float | None, str]:
        return self._saved

    def set_value(self, value: tuple[float | None, str]) -> None:
        self._saved = (value[0], value[1] or "")
        self.dose.set_value(value[0])
        self.unit.set_text(value[1] or "")

    def _edited(self) -> None:
        try:
            dose = self.dose.parsed()
        except ValueError as exc:
            self._note(f"{self.name}: {exc}")
            return
        unit = self.unit.text().strip()
        if dose is not None and not unit:
            self._note(f"{self.name}: now give its unit (e.g. mg) — a dose without a unit is not saved")
            mark_invalid(self.unit, True)
            return
        mark_invalid(self.unit, False)
        if (dose, unit) != self._saved:
            self.committed.emit((dose, unit))


# --- the time editor --------------------------------------------------------------------------------

class _AmountSpin(QDoubleSpinBox):
    """An amount shown as people write it (3, not 3.00), as wide as four digits (not its maximum)."""

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        return QSize(min(hint.width(), self.minimumWidth()), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def textFromValue(self, value: float) -> str:
        return fmt_number(round(value, 2))

    def valueFromText(self, text: str) -> float:
        try:
            return parse_number(text or "0")
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        from PySide6.QtGui import QValidator
        t = text.strip()
        if t == "" or re.fullmatch(r"\d*([.,]\d{0,2})?", t):
            return QValidator.State.Acceptable if t and t not in (".", ",") else QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos


MODES = [("none", "not recorded"), ("date", "on a date"), ("relative", "relative to day 0"),
         ("event", "at the time of an event")]
UNITS = [("day", "days"), ("week", "weeks"), ("month", "months")]


def event_title(ev: Event, width: int = 48) -> str:
    text = ev.description.strip().split("\n")[0] or "(no description)"
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return f"{label_of(ev.kind)}: {text}"


class WhenEditor(QWidget):
    """Edits a :class:`~desktop.model.When`: a date, "N days/weeks/months before/after day 0", or "at
    the time of <event>" (optionally N units before/after it), with an "approximate" mark and the
    source's own words. Shows where that time falls on the day axis ("= day −61, approximate").
    Two compact rows (how it is given and its event or date; the offset, "approximate" and the day)
    and the source's words under them; the rows flow onto more lines in a narrow form rather than
    widen it, so the editor never asks for much more than 300 px.

    ``set_when(when, case_or_events)`` loads it (no signal); ``when()`` returns the edited value;
    ``committed(When)`` is emitted each time the user finishes changing it."""

    committed = Signal(object)

    def __init__(self, name: str = "Time", parent: QWidget | None = None, wording: bool = True):
        super().__init__(parent)
        self.name = name
        self._loading = False
        self._case: Case | None = None
        self._events: list[Event] = []
        self._exclude: str | None = None
        self._last = When()
        self._base = When()

        self.mode = QComboBox(self)
        for value, text in MODES:
            self.mode.addItem(text, value)
        self.mode.setAccessibleName(f"{name}: given as")
        self.amount = _AmountSpin(self)
        self.amount.setRange(0, 100000)
        self.amount.setDecimals(2)
        self.amount.setKeyboardTracking(False)
        self.amount.setAccessibleName(f"{name}: amount")
        self.amount.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000") + 32)
        self.unit = QComboBox(self)
        for value, text in UNITS:
            self.unit.addItem(text, value)
        self.unit.setAccessibleName(f"{name}: unit")
        self.direction = QComboBox(self)
        self.direction.addItem("after", 1)
        self.direction.addItem("before", -1)
        self.direction.setAccessibleName(f"{name}: before or after")
        self.day0 = QLabel("day 0", self)
        self.event = WideCombo(self)  # its list shows each event's words in full
        self.event.setAccessibleName(f"{name}: event")
        self.event.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.event.setMinimumContentsLength(14)
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setKeyboardTracking(False)
        self.date.setDate(QDate.currentDate())
        self.date.setAccessibleName(f"{name}: date")
        self.date.setToolTip("A calendar date identifies the patient: exports give it as days from day 0.")
        self.approximate = QCheckBox("approximate", self)
        self.approximate.setAccessibleName(f"{name}: approximate")
        self.approximate.setToolTip("The source gives this time loosely (\"about 2 months before\").")
        self.resolved = QLabel(self)
        self.resolved.setAccessibleName(f"{name}: on the day axis")
        self.resolved.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_muted(self.resolved)
        self.wording = QLineEdit(self) if wording else None
        if self.wording is not None:
            self.wording.setPlaceholderText("the source's words, e.g. \"3 weeks prior\"")
            self.wording.setAccessibleName(f"{name}: in the source's words")

        # Two compact rows and the source's words under them, so the editor fits a narrow form:
        #   [given as] [event | date]
        #   [N] [units] [before/after] day 0  [ ] approximate   = day −61 (month −2)
        #   [the source's words ..........................................]
        # The second row flows: its parts move to a new line rather than widen the form.
        self.offset_box = QWidget(self)  # "N units before/after [day 0]" kept together
        ob = QHBoxLayout(self.offset_box)
        ob.setContentsMargins(0, 0, 0, 0)
        ob.setSpacing(4)
        for w in (self.amount, self.unit, self.direction, self.day0):
            ob.addWidget(w)
        self.resolved.setWordWrap(True)
        small = self.resolved.font()
        small.setPointSizeF(small.pointSizeF() * 0.92)
        self.resolved.setFont(small)
        self.event.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.row1 = FlowLayout(h_spacing=6, v_spacing=4)
        self.row1.addWidget(self.mode)
        self.row1.addWidget(self.event)
        self.row1.addWidget(self.date)
        self.row2 = FlowLayout(h_spacing=8, v_spacing=4)
        self.row2.addWidget(self.offset_box)
        self.row2.addWidget(self.approximate)
        self.row2.addWidget(self.resolved)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addLayout(self.row1)
        lay.addLayout(self.row2)
        if self.wording is not None:
            lay.addWidget(self.wording)
        order = [self.mode, self.event, self.date, self.amount, self.unit, self.direction, self.approximate]
        if self.wording is not None:
            order.append(self.wording)
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)
        self.setFocusProxy(self.mode)

        self.mode.activated.connect(self._mode_picked)
        self.amount.valueChanged.connect(self._edited)
        self.unit.activated.connect(self._edited)
        self.direction.activated.connect(self._edited)
        self.event.activated.connect(self._edited)
        self.date.dateChanged.connect(self._edited)
        self.approximate.clicked.connect(self._edited)
        if self.wording is not None:
            self.wording.editingFinished.connect(self._edited)
        self._show_mode("none")
        self._update_resolved()

    def invalid_target(self) -> QWidget:
        return self.mode

    # --- loading ---------------------------------------------------------------------------------

    def set_when(self, when: When | None, events: Case | Sequence[Event] | None = None, *,
                 exclude_event: str | None = None) -> None:
        """Show ``when``. ``events`` is the case (for placing the time on its day axis and offering
        its events) or just a list of events. ``exclude_event`` keeps an event from being offered as
        its own reference."""
        when = copy.deepcopy(when) if when is not None else When()
        if isinstance(events, Case):
            self._case, self._events = events, list(events.events)
        elif events is not None:
            self._case, self._events = None, list(events)
        self._exclude = exclude_event
        self._base = copy.deepcopy(when)
        self._last = copy.deepcopy(when)
        self._loading = True
        try:
            self._fill_events(when.event_id)
            mode = ("date" if when.date is not None else "event" if when.event_id is not None
                    else "relative" if when.offset is not None else "none")
            self.mode.setCurrentIndex(self.mode.findData(mode))
            off = when.offset or 0.0
            self.amount.setValue(abs(off))
            self.direction.setCurrentIndex(self.direction.findData(-1 if off < 0 else 1))
            self.unit.setCurrentIndex(self.unit.findData(when.precision))
            if when.date is not None:
                d = QDate.fromString(when.date, "yyyy-MM-dd")
                if d.isValid():
                    self.date.setDate(d)
            self.approximate.setChecked(when.approximate)
            if self.wording is not None and self.wording.text() != when.label:
                self.wording.setText(when.label)
                self.wording.setCursorPosition(0)
            self._show_mode(mode)
        finally:
            self._loading = False
        self._update_resolved()

    def _fill_events(self, selected: str | None) -> None:
        self.event.clear()
        timeline = timing.Timeline(self._case) if self._case is not None else None
        for ev in self._events:
            if ev.id == self._exclude:
                continue
            text = event_title(ev)
            if timeline is not None:
                placed = timeline.event_day(ev.id)
                if placed is not None:
                    text += f"  ({timing.describe(placed)})"
            self.event.addItem(text, ev.id)
            self.event.setItemData(self.event.count() - 1, ev.description, Qt.ItemDataRole.ToolTipRole)
        if selected is not None and self.event.findData(selected) < 0:
            self.event.addItem(f"(missing event {selected})", selected)
        if selected is not None:
            self.event.setCurrentIndex(self.event.findData(selected))

    # --- reading -----------------------------------------------------------------------------------

    def when(self) -> When:
        mode = self.mode.currentData()
        label = self.wording.text().strip() if self.wording is not None else self._base.label
        approx = self.approximate.isChecked()
        precision = self.unit.currentData()
        signed = self.amount.value() * self.direction.currentData()
        signed = float(round(signed, 2))
        if mode == "date":
            return When(date=self.date.date().toString("yyyy-MM-dd"), precision=self._base.precision
                        if self._base.date is not None else "day", approximate=approx, label=label)
        if mode == "relative":
            return When(offset=signed + 0.0, precision=precision, approximate=approx, label=label)
        if mode == "event":
            ev = self.event.currentData()
            if signed == 0 and precision == "day":
                return When(event_id=ev, approximate=approx, label=label)
            return When(offset=signed + 0.0, precision=precision, event_id=ev, approximate=approx, label=label)
        return When(approximate=False, label=label)

    # --- editing -----------------------------------------------------------------------------------

    def _show_mode(self, mode: str) -> None:
        rel = mode in ("relative", "event")
        self.offset_box.setVisible(rel)
        self.day0.setVisible(mode == "relative")
        self.event.setVisible(mode == "event")
        self.date.setVisible(mode == "date")
        self.approximate.setVisible(mode != "none")
        self.resolved.setVisible(mode != "none")  # "not recorded" is said by the mode box
        if mode == "event":
            self.direction.setItemText(0, "after it")
            self.direction.setItemText(1, "before it")
        else:
            self.direction.setItemText(0, "after")
            self.direction.setItemText(1, "before")

    def _mode_picked(self, _i: int) -> None:
        mode = self.mode.currentData()
        self._show_mode(mode)
        if mode == "event" and self.event.count() == 0:
            self.resolved.setText("this case has no other events yet")
            return
        self._edited()

    def _edited(self, *_args) -> None:
        if self._loading:
            return
        self._update_resolved()
        w = self.when()
        if w != self._last:
            self._last = copy.deepcopy(w)
            self.committed.emit(copy.deepcopy(w))

    def _update_resolved(self) -> None:
        w = self.when()
        if not w.is_set:
            self.resolved.setText("time not recorded")
            return
        case = self._case if self._case is not None else Case(events=list(self._events))
        try:
            placed = timing.Timeline(case).place(w)
        except (KeyError, ValueError):
            placed = None
        if placed is not None:
            self.resolved.setText("= " + timing.describe(placed))
        elif w.date is not None:
            self.resolved.setText("not on the day axis: day 0 has no calendar date")
        elif w.event_id is not None:
            self.resolved.setText("not on the day axis: that event's time is not known")
        else:
            self.resolved.setText("not on the day axis")


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
    """Add "label: field [unit]" to a form, with an optional error line under it. The label is the
    field's buddy (Alt+mnemonic) and its accessible name unless the field has one."""
    lab = QLabel(label + ":")
    target = field
    if not field.accessibleName():
        field.setAccessibleName(label)
    item = with_unit(field, unit) if unit else field
    lab.setBuddy(target)
    if tip:
        lab.setToolTip(tip)
        field.setToolTip(tip)
    form.addRow(lab, item)
    if error is not None:
        form.addRow("", error)
    return lab


def align_labels(*forms: QFormLayout) -> int:
    """Give the labels of several forms one width, so the fields of a page of groups line up.
    Returns that width."""
    labels = []
    for form in forms:
        for r in range(form.rowCount()):
            item = form.itemAt(r, QFormLayout.ItemRole.LabelRole)
            w = item.widget() if item is not None else None
            if isinstance(w, QLabel) and w.text():
                labels.append((w, form.labelAlignment()))
    width = max((lab.sizeHint().width() for lab, _a in labels), default=0)
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


def reveal(widget: QWidget) -> None:
    """Scroll the enclosing scroll area to ``widget`` and give it the focus."""
    p = widget.parentWidget()
    while p is not None:
        if isinstance(p, QScrollArea):
            p.ensureWidgetVisible(widget, 40, 60)
            break
        p = p.parentWidget()
    widget.setFocus(Qt.FocusReason.OtherFocusReason)


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    lab = QLabel(text, parent)
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


# --- a table of items ------------------------------------------------------------------------------

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
        view.viewport().installEventFilter(self)

    def available(self) -> int:
        return self.view.viewport().width()

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

    def set_row_range(self, min_rows: int, max_rows: int) -> None:
        """Size the table to its rows: at least ``min_rows`` tall, growing to ``max_rows`` (then it
        scrolls), so short lists do not leave a tall empty box."""
        self._rows = (min_rows, max_rows)
        self._fit_rows()

    def _fit_rows(self) -> None:
        if self._rows is None:
            return
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


def shortcut(parent: QWidget, keys: str | QKeySequence.StandardKey, slot: Callable[[], None]) -> QShortcut:
    """A shortcut active while the focus is inside ``parent``."""
    sc = QShortcut(QKeySequence(keys), parent)
    sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    sc.activated.connect(slot)
    return sc


# --- saving one field through the session ------------------------------------------------------------

def _get_attr(obj: Any, attr: str | tuple[str, ...]) -> Any:
    """``obj.attr`` (dotted allowed); for a tuple of attributes, the tuple of their values."""
    if isinstance(attr, tuple):
        return tuple(_get_attr(obj, a) for a in attr)
    for p in attr.split("."):
        obj = getattr(obj, p)
    return obj


def _set_attr(obj: Any, attr: str, value: Any) -> None:
    *path, last = attr.split(".")
    for p in path:
        obj = getattr(obj, p)
    setattr(obj, last, value)


def commit_field(session, part: str, attr: str | tuple[str, ...], value: Any, *, item_id: str | None = None,
                 label: str = "", error: FieldError | None = None, widget: QWidget | None = None) -> bool:
    """Save one field of a case part through the operations layer's validated edit
    (:meth:`desktop.app.editing.OpenCase.edit_field`), which checks just that part.

    ``part`` is a single part ("patient", "outcome", ...), a list part with ``item_id``
    ("medications" + id), "identifiers", or "case" (a case field such as "title"). ``attr`` may be
    dotted ("bwat.exudate_type"), or a tuple of attributes saved together with a tuple ``value``
    (a dose and its unit). A refused value shows "<label>: <problem>" in ``error`` (and a red frame
    on ``widget``) and nothing is saved; an accepted one clears them. Returns True when saved."""
    from ..app.editing import EditRefused, FieldRefused
    from ..store.library import LibraryError
    attrs = attr if isinstance(attr, tuple) else (attr,)
    ok = True
    try:
        session.edit_field(part, attr, value, item_id=item_id, label=label)
    except FieldRefused as exc:
        if error is not None:
            error.show_message(f"{label or attrs[0]}: " + "; ".join(p.message for p in exc.problems))
        if widget is not None:
            mark_invalid(widget, True)
        return False
    except (LibraryError, EditRefused) as exc:
        session.failed.emit(str(exc))
        ok = False
    if error is not None:
        error.clear()
    if widget is not None:
        mark_invalid(widget, False)
    return ok


def when_text(timeline: timing.Timeline, when: When) -> str:
    """A time for a table cell: where it falls on the day axis, else the source's words."""
    if not when.is_set:
        return when.label or "—"
    placed = timeline.place(when)
    if placed is not None:
        return timing.describe(placed)
    return when.label or "not on the day axis"


# --- a list with an editor for its selected item -------------------------------------------------------

def load_widget(widget: QWidget, value: Any, case: Case, exclude_event: str | None = None) -> None:
    """Show a model value in any of the field widgets above (no signal)."""
    if isinstance(widget, WhenEditor):
        widget.set_when(value, case, exclude_event=exclude_event)
    elif isinstance(widget, (NumberField, ChoiceCombo, CheckField, LinesArea, DoseRow)):
        widget.set_value(value)
    elif isinstance(widget, (LineField, TextArea)):
        widget.set_text(value if value is not None else "")
    else:
        raise TypeError(f"no loader for {type(widget).__name__}")


class ListEditor(QWidget):
    """A table of items and, under it, a form editing the selected one; every change is saved at
    once through the session.

    Two kinds of list: a list part of the case (``part="treatments"``: items have ids, edits go
    through ``session.save_item`` after the import's checks), or a list inside something else
    (``embedded=(get, put)``: ``get(case) -> list`` and ``put(new_list) -> bool`` saving the whole
    list, e.g. a diagnosis's differentials or the case's authors; items are keyed by row).
    ``new_item()`` makes the item that "Add" appends."""

    def __init__(self, session, columns: list[Column], noun: str, new_item: Callable[[], Any], *,
                 part: str | None = None, embedded: tuple[Callable[[Case], list], Callable[[list], bool]] | None = None,
                 add_text: str | None = None, rows: int = 6, build: Callable[["ListEditor"], None] | None = None,
                 on_load: Callable[[Any], None] | None = None, parent: QWidget | None = None):
        """``build(editor)`` adds the form's fields (``add_field``/``bind``); given here, it runs
        only when an item is first shown, so opening a section with an empty list stays quick."""
        super().__init__(parent)
        assert (part is None) != (embedded is None)
        self.session, self.part, self.embedded, self.noun, self.new_item = session, part, embedded, noun, new_item
        self._build = build
        self._on_load = on_load  # called with the item before its fields are shown (e.g. to set choices)
        self.table = ItemTable(columns, noun, add_text=add_text)
        self.table.set_row_range(rows, max(rows, 12))
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        self._validators: dict[str, Callable[[Any], str | None]] = {}
        self._first_load = True
        self.editor = QWidget()
        self.form = form_layout(self.editor)
        self.form.setContentsMargins(0, SPACING - 2, 0, 0)
        self._article = "an" if noun[:1].lower() in "aeiou" else "a"
        self.placeholder = hint_label("")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.table)
        lay.addWidget(self.placeholder)
        lay.addWidget(self.editor)
        self.table.selected.connect(lambda _k: self._load())
        self.table.add_requested.connect(self.add)
        self.table.delete_requested.connect(self.delete)

    # --- building ------------------------------------------------------------------------------

    def add_field(self, label: str, attr: str, widget: QWidget, unit: str | None = None, tip: str = "",
                  validate: Callable[[Any], str | None] | None = None) -> QWidget:
        """A row "label: widget [unit]" editing ``attr`` of the selected item. ``validate(value)``
        may refuse a value with a message (shown as "<label>: <message>")."""
        err = FieldError()
        add_row(self.form, label, widget, unit, err, tip)
        self.bind(attr, widget, label, err, validate)
        return widget

    def bind(self, attr: str, widget: QWidget, label: str, error: FieldError,
             validate: Callable[[Any], str | None] | None = None) -> None:
        """Save ``attr`` when ``widget`` commits (for widgets placed by the caller)."""
        self.fields[attr] = widget
        self.errors[attr] = error
        if validate is not None:
            self._validators[attr] = validate
        widget.committed.connect(lambda v, a=attr, l=label, w=widget, e=error: self.save(a, v, l, e, w))
        if isinstance(widget, NumberField):
            widget.rejected.connect(error.show_message)
        elif isinstance(widget, DoseRow):
            widget.set_error(error)

    # --- data ----------------------------------------------------------------------------------

    def items(self) -> list:
        case = self.session.case
        return list(getattr(case, self.part)) if self.part else list(self.embedded[0](case))

    def refresh(self, items: list | None = None) -> None:
        """Reload from the session (``items`` overrides the order shown). The first load selects
        the first item, so the section opens showing something to read."""
        shown = self.items() if items is None else items
        self.table.set_items(shown)
        if self._first_load and shown:
            self.table.select(0 if self.embedded else getattr(shown[0], "id", 0), emit=False)
        self._first_load = False
        self._load()

    def current(self) -> Any:
        return self.table.current_item()

    def select(self, key: Any) -> bool:
        ok = self.table.select(key)
        self._load()
        return ok

    def ensure_built(self) -> None:
        """Build the form now (it is otherwise built when an item is first shown)."""
        if self._build is not None:
            build, self._build = self._build, None
            build(self)
            lock_if_read_only(self.session, self.editor)

    def _load(self) -> None:
        item = self.current()
        if item is not None:
            self.ensure_built()
        self.editor.setVisible(item is not None)
        self.placeholder.setVisible(item is None)
        a, noun = self._article, self.noun
        self.placeholder.setText(f"Select {a} {noun} to edit it, or add one (Insert)." if self.table.items()
                                 else f"Nothing recorded yet: add {a} {noun} with the button above (or Insert).")
        key = self.table.current_key()
        if key != getattr(self, "_loaded_key", None):
            self._loaded_key = key  # another item: the last one's messages and marks go
            for attr, e in self.errors.items():
                e.clear()
                mark_invalid(self.fields[attr], False)
        if item is None:
            return
        if self._on_load is not None:
            self._on_load(item)
        for attr, w in self.fields.items():
            load_widget(w, _get_attr(item, attr), self.session.case)

    def save(self, attr: str, value: Any, label: str, error: FieldError | None, widget: QWidget | None) -> bool:
        key = self.table.current_key()
        if key is None:
            return False
        problem = self._validators[attr](value) if attr in self._validators else None
        if problem:
            if error is not None:
                error.show_message(f"{label}: {problem}")
            if widget is not None:
                mark_invalid(widget, True)
            return False
        if self.part:
            ok = commit_field(self.session, self.part, attr, value, item_id=key, label=label, error=error,
                              widget=widget)
        else:
            items = copy.deepcopy(self.items())
            if not isinstance(key, int) or key >= len(items):
                return False
            for a, v in (zip(attr, value) if isinstance(attr, tuple) else ((attr, value),)):
                _set_attr(items[key], a, copy.deepcopy(v))
            ok = self.embedded[1](items)
            if ok and error is not None:
                error.clear()
            if ok and widget is not None:
                mark_invalid(widget, False)
        if not ok and isinstance(widget, (ChoiceCombo, CheckField)):
            self._load()
        return ok

    def add(self) -> None:
        item = self.new_item()
        if self.part:
            ok = self.session.save_item(self.part, item)
            key = item.id
        else:
            items = copy.deepcopy(self.items()) + [item]
            ok = self.embedded[1](items)
            key = len(items) - 1
        if ok:
            self.refresh()
            self.select(key)
            if self.fields:
                reveal(next(iter(self.fields.values())))

    def delete(self, key: Any) -> None:
        if self.part:
            self.session.delete_item(self.part, key)
        else:
            items = copy.deepcopy(self.items())
            if isinstance(key, int) and key < len(items):
                del items[key]
                self.embedded[1](items)


class PartForm:
    """Fields bound to single parts of the case ("patient", "outcome", "diagnosis", "consent",
    "narrative", "identifiers") or to case fields (part "case"): each commit is checked and saved
    through the session; ``load()`` shows the session's values."""

    def __init__(self, session):
        self.session = session
        self.fields: dict[tuple[str, str], tuple[QWidget, FieldError]] = {}
        self._present: dict[tuple[str, str], Callable[[Any], Any]] = {}

    def add(self, form: QFormLayout | None, part: str, attr: str, label: str, widget: QWidget,
            unit: str | None = None, tip: str = "", error: FieldError | None = None,
            convert: Callable[[Any], Any] | None = None, present: Callable[[Any], Any] | None = None) -> QWidget:
        """Bind ``widget`` to ``part.attr``; with a ``form``, also add it as a labelled row.
        ``convert`` turns what the widget commits into the model's value (e.g. text -> list), and
        ``present`` the model's value into what the widget shows."""
        err = error or FieldError()
        if form is not None:
            add_row(form, label, widget, unit, err, tip)
        elif not widget.accessibleName():
            widget.setAccessibleName(label)
        self.fields[(part, attr)] = (widget, err)
        if present is not None:
            self._present[(part, attr)] = present
        widget.committed.connect(lambda v, p=part, a=attr, l=label, w=widget, e=err, c=convert:
                                 self.save(p, a, c(v) if c else v, l, e, w))
        if isinstance(widget, NumberField):
            widget.rejected.connect(err.show_message)
        elif isinstance(widget, DoseRow):
            widget.set_error(err)
        return widget

    def value(self, part: str, attr: str | tuple[str, ...]) -> Any:
        obj = self.session.case if part == "case" else getattr(self.session.case, part)
        return _get_attr(obj, attr)

    def save(self, part: str, attr: str, value: Any, label: str, error: FieldError, widget: QWidget) -> bool:
        ok = commit_field(self.session, part, attr, value, label=label, error=error, widget=widget)
        if not ok and isinstance(widget, (ChoiceCombo, CheckField)):
            widget.set_value(self.value(part, attr))
        return ok

    def load(self, parts: Iterable[str] | None = None) -> None:
        case = self.session.case
        for (part, attr), (w, _e) in self.fields.items():
            if parts is None or part in parts:
                value = self.value(part, attr)
                if (part, attr) in self._present:
                    value = self._present[(part, attr)](value)
                load_widget(w, value, case)

    def widget(self, part: str, attr: str) -> QWidget | None:
        got = self.fields.get((part, attr))
        return got[0] if got else None


def lock_if_read_only(session, root: QWidget) -> None:
    """Editors built after a section was shown (a form made on first use) follow the library's
    read-only state like the rest of the section: text is read-only, choices and buttons are off.
    Widgets that only show or navigate opt out with ``setProperty("readOnlySafe", True)``."""
    if not getattr(session, "read_only", False):
        return
    for w in [root, *root.findChildren(QWidget)]:
        if w.property("readOnlySafe"):
            continue
        if isinstance(w, (QLineEdit, QPlainTextEdit, QDoubleSpinBox, QDateEdit)):
            w.setReadOnly(True)
        elif isinstance(w, (QComboBox, QCheckBox, QPushButton)):
            w.setEnabled(False)
