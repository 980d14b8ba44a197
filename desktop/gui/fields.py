"""Fields that commit when the user is done (never per keystroke): one-line text, numbers, text areas,
lists of lines, choices, yes/no/unknown, checkboxes, a dose with its unit.

Conventions
- A field emits ``committed(value)`` only after a user edit is finished (editingFinished, focus-out,
  a choice made, or ~700 ms after typing stops in a text area) and only when the value changed.
  Setting a value from code (``set_value``/``set_text``) never emits.
- Setting a value that equals what the field shows does nothing, so a refresh after a save never
  moves the cursor of the field being typed in.
- ``None`` is "not recorded": blank numeric fields and the "not recorded" choice give ``None``.
- A field whose input was refused emits ``corrected()`` as soon as that is over (the text is a
  number again, Escape put back the saved value, or the saved value was typed back), so its
  owner clears the message at once instead of leaving it until the next save.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QPlainTextEdit, QSizePolicy, QWidget

from ..model import Tri
from .formatting import fmt_number, parse_number, typed_decimals
from .forms import FieldError, mark_invalid


class WheelScrollsTheForm:
    """For a choice or an amount in a scrolling form (mixed in before the Qt class): the mouse wheel
    never changes its value; it scrolls the form (the event goes on to the scroll area). A form
    scrolled with the wheel passes choices under the pointer, and each would silently take a new
    value and save it: first one the author had not touched (a tissue type), then, as the entry of
    Koratala et al. (BMJ Case Rep 2016) showed, the one just picked — "punch biopsy" still had the
    focus when the page scrolled it under the pointer, and became "amputation specimen". A choice is
    made by clicking it open or with the keys, as a browser's form does."""

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        event.ignore()


class FormCombo(WheelScrollsTheForm, QComboBox):
    """A combo box of a form: the wheel scrolls the form, it never changes the choice."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not focused by the wheel either


class LineField(QLineEdit):
    """A one-line text field that emits ``committed(str)`` when editing finished and the text changed."""

    committed = Signal(str)
    corrected = Signal()

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
            if self.property("invalid"):  # the saved text is back: the refusal is over
                mark_invalid(self, False)
                self.corrected.emit()

    def keyPressEvent(self, ev):  # Escape puts back what is saved
        completer = self.completer()
        if ev.key() == Qt.Key.Key_Escape and completer is not None and completer.popup().isVisible():
            ev.ignore()  # Escape closes the list of suggestions (the completer's own answer), no more
            return
        if ev.key() == Qt.Key.Key_Escape and self.text() != self._saved:
            mark_invalid(self, False)
            self._sent = None
            self.setText(self._saved)
            self.corrected.emit()
            return
        super().keyPressEvent(ev)


class NumberField(QLineEdit):
    """An optional number (blank = not recorded). Emits ``committed(float | None)`` after an edit;
    text that is not a number emits ``rejected(message)`` instead and stays for correction
    (Escape puts back the saved value)."""

    committed = Signal(object)
    rejected = Signal(str)
    corrected = Signal()

    def __init__(self, name: str = "", parent: QWidget | None = None, integer: bool = False,
                 units: dict[str, float] | None = None):
        """``units``: the units a number may be typed in, each with its factor to the field's own
        unit ({"mm": 1, "cm": 10}: "2.5 cm" or "2.5-cm", as reports print sizes, is 25 mm)."""
        super().__init__(parent)
        self.name = name
        self.integer = integer
        self.units = units or {}
        self._saved: float | None = None
        self._unreadable = False  # the text shown was refused as not a number
        self.setPlaceholderText("not recorded")
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 14 + 16)
        if name:
            self.setAccessibleName(name)
        self.editingFinished.connect(self._finish)
        self.textEdited.connect(self._typing)

    def value(self) -> float | None:
        return self._saved

    def _typing(self, _text: str) -> None:
        """'is not a number' goes as soon as the text is a number again (before it is saved)."""
        if not self._unreadable:
            return
        try:
            self.parsed()
        except ValueError:
            return
        self._unreadable = False
        mark_invalid(self, False)
        self.corrected.emit()

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
        v = self._with_unit(self.text().strip()) if self.units else parse_number(self.text())
        if self.integer and v != int(v):
            raise ValueError(f"{fmt_number(v)} is not a whole number")
        return int(v) if self.integer else v

    def _with_unit(self, text: str) -> float:
        m = re.fullmatch(r"(.*?\d)\s*-?\s*([^\d\s.,-][^\d]*)", text)
        if m is None:
            return parse_number(text)
        number, unit = m.group(1), m.group(2).strip()
        factor = self.units.get(unit) or self.units.get(unit.lower())
        if factor is None:
            raise ValueError(f"{unit!r} is not a unit this field reads ({', '.join(self.units)})")
        digits = typed_decimals(number)
        return round(parse_number(number) * factor, digits + 3) if factor != 1 else parse_number(number)

    def _finish(self) -> None:
        try:
            v = self.parsed()
        except ValueError as exc:
            self._unreadable = True
            mark_invalid(self, True)
            self.rejected.emit(f"{self.name}: {exc}" if self.name else str(exc))
            return
        self._unreadable = False
        if v != self._saved:
            self.committed.emit(v)  # the owner validates, saves and calls set_value (or refuses)
        elif self.property("invalid"):  # the saved value typed back: any refusal is over
            mark_invalid(self, False)
            self.corrected.emit()

    def keyPressEvent(self, ev):
        if ev.key() == Qt.Key.Key_Escape:
            self.setText(fmt_number(self._saved))
            self._unreadable = False
            mark_invalid(self, False)
            self.corrected.emit()
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
        # the viewport's width, computed: asking for the viewport itself costs ~8 ms the first time (start-up)
        width = self.maximumViewportSize().width()
        bar = self.verticalScrollBar()
        if bar.isVisible():
            width -= bar.width()
        width = max(width - 2 * int(self.document().documentMargin()) - 2, 40)
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


def with_drug_names(field: "LineField", *, terms: bool = False) -> "LineField":
    """Complete drug names as they are typed, from the drug catalogue (generic names, other
    spellings, brands) and, with ``terms``, the names of classes, procedures and therapies (a
    treatment's name: "antibiotics", "parathyroidectomy"); the operations layer then suggests the class."""
    from PySide6.QtWidgets import QCompleter
    from ..drugs import names
    completer = QCompleter(names(terms=terms), field)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    field.setCompleter(completer)
    return field


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


class WideCombo(FormCombo):
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
        self.dose.corrected.connect(self._corrected)
        self.unit.corrected.connect(self._corrected)

    def set_error(self, error: FieldError) -> None:
        self.error = error

    def invalid_target(self) -> QWidget:
        return self.dose

    def _note(self, text: str) -> None:
        if self.error is not None:
            self.error.show_message(text)

    def _corrected(self) -> None:
        if self.error is not None:
            self.error.clear()

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


class FrequencyField(QWidget):
    """How often: a number and how it is given — times a day, times a week, every N hours, or as
    needed (no number). Held as one rate per ``rate_unit`` ("week" for treatments, "day" for
    medications) and the basis: ``set_value((rate, basis))``, ``committed((rate, basis))``. A number
    that cannot be a frequency (every 0 hours) is refused in ``error`` and not saved."""

    committed = Signal(object)

    def __init__(self, name: str = "Frequency", rate_unit: str = "week", parent: QWidget | None = None):
        super().__init__(parent)
        from .. import frequency
        self.name, self.rate_unit = name, rate_unit
        self.error: FieldError | None = None
        self._default = "per_week" if rate_unit == "week" else "per_day"
        self._saved: tuple[float | None, str | None] = (None, None)
        self.number = NumberField(name)  # its messages say "Frequency: ..."
        self.number.setAccessibleName(f"{name}: number")
        self.basis = ChoiceCombo([(b, frequency.LABELS[b]) for b in frequency.BASES], f"{name}: given as")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.number)
        lay.addWidget(self.basis)
        lay.addStretch(1)
        self.setFocusProxy(self.number)
        # "every N hours" reads "every [8] hours": the number's placeholder follows the basis
        self.number.committed.connect(lambda _v: self._edited())
        self.basis.committed.connect(lambda _v: self._edited())
        self.number.rejected.connect(self._note)
        self.number.corrected.connect(lambda: self.error.clear() if self.error is not None else None)
        self._show_basis(self._default)

    def set_error(self, error: FieldError) -> None:
        self.error = error

    def invalid_target(self) -> QWidget:
        return self.number

    def _note(self, text: str) -> None:
        if self.error is not None:
            self.error.show_message(text)

    def _show_basis(self, basis: str) -> None:
        self.number.setEnabled(basis != "as_needed")
        self.number.setPlaceholderText("hours" if basis == "every_hours" else
                                       "" if basis == "as_needed" else "not recorded")

    def value(self) -> tuple[float | None, str | None]:
        return self._saved

    def set_value(self, value: tuple[float | None, str | None]) -> None:
        from .. import frequency
        rate, basis = value
        self._saved = (rate, basis)
        shown = basis or self._default
        self.basis.set_value(shown)
        self.number.set_value(frequency.given_number(rate, shown, self.rate_unit))
        self._show_basis(shown)

    def _edited(self) -> None:
        from .. import frequency
        basis = self.basis.value() or self._default
        self._show_basis(basis)
        try:
            number = self.number.parsed()
            rate = frequency.rate_from(number, basis, self.rate_unit)
        except ValueError as exc:
            self._note(f"{self.name}: {exc}")
            mark_invalid(self.number, True)
            return
        mark_invalid(self.number, False)
        if (rate, basis) != self._saved:
            self.committed.emit((rate, basis))
