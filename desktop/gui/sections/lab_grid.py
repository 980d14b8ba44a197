"""The entry grid of the Labs section: one row per catalogue analyte, with its value, unit, the
laboratory's own range, the flag and "expected abnormal". A row saves through its section
(:meth:`~desktop.gui.sections.labs.LabsSection._commit_row`)."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from ...catalogue import Analyte
from ...core import labs as L
from ...model import LabResult
from ..fields import CheckField
from ..formatting import parse_number
from .lab_values import fmt_entry, display_unit, flag_words, range_texts, shown_range, unit_choices, value_text

if TYPE_CHECKING:
    from .labs import LabsSection

HIGH_COLOUR = "#b00020"
LOW_COLOUR = "#1d5fa8"


class LabRow:
    """One analyte's line in the grid: value, unit, the lab's own range, flag, expected abnormal."""

    def __init__(self, section: "LabsSection", a: Analyte, grid: QGridLayout, r: int):
        self.section = section
        self.a = a
        self.lab: LabResult | None = None
        self.label = QLabel(a.label)
        self.label.setWordWrap(True)  # a long name wraps in a narrow window: the flag column stays in sight
        self.value = QLineEdit()
        self.value.setAccessibleName(f"{a.label} value")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.value.setFixedWidth(self.value.fontMetrics().horizontalAdvance("0") * 7 + 16)
        self.value.setToolTip("The result; a bound may be typed as <0.5 or >100. Empty = no result "
                              "(clearing a value deletes that result).")
        self.label.setBuddy(self.value)
        self.unit = QComboBox()
        self.unit.setFixedWidth(self.unit.fontMetrics().horizontalAdvance("mmol/mol") + 44)
        self.unit.setAccessibleName(f"{a.label} unit")
        self.unit.setToolTip("The unit the laboratory reported the value in")
        self.low = QLineEdit()
        self.low.setAccessibleName(f"{a.label} reference range, low end")
        self.high = QLineEdit()
        self.high.setAccessibleName(f"{a.label} reference range, high end")
        for w in (self.low, self.high):
            w.setFixedWidth(w.fontMetrics().horizontalAdvance("0") * 5 + 16)
            w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            w.setToolTip("The laboratory's own range; empty = the catalogue default (shown in grey)")
        self.flag = QLabel()
        self.flag.setFixedWidth(self.flag.fontMetrics().horizontalAdvance("HH") + 8)
        self.flag.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.flag.setAccessibleName(f"{a.label} flag")
        self.expected = CheckField("", f"{a.label} expected abnormal")
        self.expected.setToolTip("Expected to be abnormal for a known condition (e.g. a dialysis "
                                 "patient's BUN); the assessment does not treat it as a finding")
        for c, w in enumerate((self.label, self.value, self.unit, self.low, self.high, self.flag, self.expected)):
            grid.addWidget(w, r, c)

        self.value.editingFinished.connect(self._value_done)
        self.low.editingFinished.connect(self._range_done)
        self.high.editingFinished.connect(self._range_done)
        self.unit.activated.connect(self._unit_picked)
        self.expected.committed.connect(lambda _on: self.commit())

    def widgets(self) -> list[QWidget]:
        return [self.value, self.unit, self.low, self.high, self.expected]

    # the row's unit when there is no result yet
    def _default_unit(self) -> str:
        return display_unit(self.a, self.a.conventional_unit, self.section.system) \
            if self.section.system != "reported" else self.a.conventional_unit

    def current_unit(self) -> str:
        return self.unit.currentText() or self._default_unit()

    def load(self, lab: LabResult | None) -> None:
        """Show the saved result (or an empty row); keeps a refused value being corrected."""
        self.lab = copy.deepcopy(lab)
        pending = self._pending()
        if pending:
            unit = self.current_unit()  # the refused entry stays as typed, for correction
        else:
            unit = lab.unit if lab is not None else self._default_unit()
        with QSignalBlocker(self.unit):
            self.unit.clear()
            self.unit.addItems(unit_choices(self.a, unit))
            i = self.unit.findText(unit)
            self.unit.setCurrentIndex(max(0, i))
        if pending:
            pass
        elif lab is not None:
            self._set(self.value, value_text(lab))
            low, high = range_texts(self.a, L.RefRange(lab.ref_low, lab.ref_high, lab.unit, "reported"))
            self._set(self.low, low)
            self._set(self.high, high)
            self.expected.set_value(lab.expected_abnormal)
        else:
            self._set(self.value, "")
            self._set(self.low, "")
            self._set(self.high, "")
            self.expected.set_value(False)
        self._show_range_and_flag()

    def _pending(self) -> bool:
        """The row holds typed text not (yet) saved: a refused value under correction."""
        return any(bool(w.property("invalid")) for w in (self.value, self.low, self.high))

    @staticmethod
    def _set(w: QLineEdit, text: str) -> None:
        if w.text() != text:
            w.setText(text)

    def _show_range_and_flag(self) -> None:
        unit = self.current_unit()
        probe = LabResult(analyte=self.a.code, unit=unit)
        rr = L.reference_range(probe)  # the catalogue default in this unit (None when there is none)
        for w, text in zip((self.low, self.high), range_texts(self.a, rr)):
            w.setPlaceholderText(text)
        own = self.lab is not None and (self.lab.ref_low is not None or self.lab.ref_high is not None)
        tip = ("The laboratory's own range" if own else "no default range" if rr is None else
               f"Grey: the catalogue default ({rr.source}); type the laboratory's own range to replace it")
        for w in (self.low, self.high):
            w.setToolTip(f"{tip} (in {unit})")
            w.setAccessibleDescription(f"in {unit}")
        f = L.flag(self.lab) if self.lab is not None else ""
        self.flag.setText(f)
        colour = HIGH_COLOUR if f == "H" else LOW_COLOUR if f == "L" else ""
        self.flag.setStyleSheet(f"color: white; background: {colour}; border-radius: 3px; font-weight: bold;"
                                if colour else "")
        words = flag_words(f)
        self.flag.setAccessibleName(f"{self.a.label} flag: {words or 'within range or no range'}")
        outside = L.format_range(shown_range(self.a, L.reference_range(self.lab))) if self.lab is not None else ""
        self.flag.setToolTip(f"{words} — outside {outside}" if words and self.lab is not None else "")

    # --- editing -----------------------------------------------------------------------------------

    def _value_done(self) -> None:
        self.commit()

    def _range_done(self) -> None:
        if self.lab is not None or self.value.text().strip():
            self.commit()

    def _unit_picked(self, _i: int) -> None:
        new_unit = self.unit.currentText()
        if self.lab is not None and self.lab.unit != new_unit:
            # the laboratory's own range is a quantity: it moves into the new unit; the value is
            # re-read in the new unit (picking the unit the value was really reported in)
            for w in (self.low, self.high):
                if w.text().strip():
                    try:
                        v = self.a.convert(parse_number(w.text()), self.lab.unit, new_unit)
                        w.setText(fmt_entry(v, (L.unit_decimals(self.a, new_unit) or 0) + 1))
                    except ValueError:
                        pass
            self.commit()
        elif self.lab is None and self.value.text().strip():
            self.commit()
        else:
            self._show_range_and_flag()

    def commit(self) -> bool:
        """Validate the row and save it through the session; refuse inline when it is wrong."""
        return self.section._commit_row(self)
