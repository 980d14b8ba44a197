"""The entry grid of the Labs section: one row per catalogue analyte, with its value, unit, the
laboratory's own range, the flag and "expected abnormal". A row saves through its section
(:meth:`~desktop.gui.sections.labs.LabsSection._commit_row`)."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from ...catalogue import Analyte
from ...core import labs as L
from ...model import LabResult
from ..fields import CheckField, FormCombo
from .lab_values import display_unit, entry_text, flag_words, range_texts, shown_range, unit_choices

if TYPE_CHECKING:
    from .labs import LabsSection

HIGH_COLOUR = "#b00020"
LOW_COLOUR = "#1d5fa8"
AS_PRINTED_TIP = ("Kept as printed: the source prints this value or unit so; the assessment flags it and leaves "
                  "it out of its computations")


class _FocusWatch(QObject):
    """Tells the section which row the author is in (the details under the grid follow it)."""

    def __init__(self, row: "LabRow"):
        super().__init__(row.value)
        self.row = row

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 (Qt's name)
        if ev.type() == QEvent.Type.FocusIn:
            self.row.section.row_entered(self.row)
        return False


class LabRow:
    """One analyte's line in the grid: value, unit, the lab's own range, flag, expected abnormal."""

    def __init__(self, section: "LabsSection", a: Analyte, grid: QGridLayout, r: int):
        self.section = section
        self.a = a
        self.lab: LabResult | None = None
        # a unit picked for a saved value that is not read in it: the row waits for the value as
        # reported in that unit (value and unit are then saved together)
        self.pending_unit: str | None = None
        self.label = QLabel(a.label)
        self.label.setWordWrap(True)  # a long name wraps in a narrow window: the flag column stays in sight
        if a.entry_hint:
            self.label.setToolTip(a.entry_hint)
        self.value = QLineEdit()
        self.value.setAccessibleName(f"{a.label} value")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.value.setFixedWidth(self.value.fontMetrics().horizontalAdvance("0") * 7 + 16)
        self._tip = ("The result as printed: a number, a bound (<0.5, ≥1000), the source's words "
                     "(undetectable, normal, elevated, low, positive, negative, no growth) with or without a "
                     "number, and the authors' own mark (6.9 H). Empty = no result (clearing a value deletes "
                     "that result).")
        self.value.setToolTip(self._tip)
        self.label.setBuddy(self.value)
        self.unit = FormCombo()
        self.unit.setEditable(True)  # a unit as printed may be typed (mg/dl, 10E3/mcL, or one not in the list)
        self.unit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit.lineEdit().setPlaceholderText("no unit")  # emptied: the source prints none
        # as wide as this analyte's longest unit ("mL/min/1.73m²" was cut to "…/min/1.73m²"), at least as
        # "mmol/mol": the column then takes the widest row's
        longest = max((self.unit.fontMetrics().horizontalAdvance(u) for u in (*a.units, "mmol/mol")))
        self.unit.setFixedWidth(longest + 44)
        self.unit.setAccessibleName(f"{a.label} unit")
        self.unit.setToolTip("The unit the laboratory reported the value in: pick it, or type it as printed")
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
        if a.qualitative_only:  # a result in words (a culture, a serology) has no unit and no range
            for w in (self.unit, self.low, self.high):
                w.setVisible(False)
            self.value.setToolTip("The result in the source's words: positive, negative, no growth … "
                                  "Empty = no result (clearing it deletes that result).")

        self.value.editingFinished.connect(self._value_done)
        self.low.editingFinished.connect(self._range_done)
        self.high.editingFinished.connect(self._range_done)
        self.unit.activated.connect(self._unit_picked)
        self.unit.lineEdit().editingFinished.connect(self._unit_typed)
        self.value.installEventFilter(_FocusWatch(self))
        self.expected.committed.connect(lambda _on: self.commit())

    def widgets(self) -> list[QWidget]:
        return [self.value, self.unit, self.low, self.high, self.expected]

    # the row's unit when there is no result yet
    def _default_unit(self) -> str:
        """The library's entry units (asked once per library; conventional until chosen)."""
        return display_unit(self.a, self.a.conventional_unit, self.section.entry_units.system())

    def current_unit(self) -> str:
        """The unit the row shows: empty when the author cleared it (a source that prints none)."""
        return self.unit.currentText().strip()

    def load(self, lab: LabResult | None) -> None:
        """Show the saved result (or an empty row). A row waiting for the value in a newly picked unit
        keeps that unit and the text typed."""
        self.lab = copy.deepcopy(lab)
        pending = self.pending_unit is not None and lab is not None
        if pending:
            unit = self.pending_unit
        else:
            self.pending_unit = None
            # a result saved without a unit (the source prints none) shows none, not the default
            unit = lab.unit if lab is not None and (lab.unit or lab.value is not None) else self._default_unit()
        self._set_unit(unit)
        if pending:
            pass
        elif lab is not None:
            self._set(self.value, entry_text(lab))
            low, high = range_texts(self.a, L.RefRange(lab.ref_low, lab.ref_high, lab.unit, "reported"))
            self._set(self.low, low)
            self._set(self.high, high)
            self.expected.set_value(lab.expected_abnormal)
        else:
            self._set(self.value, "")
            self._set(self.low, "")
            self._set(self.high, "")
            self.expected.set_value(False)
        for w in (self.value, self.low, self.high):
            w.setModified(False)  # what the author types from here on is a change
        self._show_as_printed()
        self._show_range_and_flag()

    def _set_unit(self, unit: str) -> None:
        with QSignalBlocker(self.unit):
            self.unit.clear()
            self.unit.addItems(unit_choices(self.a, unit))
            i = self.unit.findText(unit)
            self.unit.setCurrentIndex(max(0, i))
            self.unit.setEditText(unit)

    def show_unit(self, unit: str) -> None:
        """Show ``unit`` in the row (nothing saved): its default range and the flag follow."""
        if self.unit.currentText() != unit:
            self._set_unit(unit)
        self._show_range_and_flag()

    def _pending(self) -> bool:
        """The row holds something not saved yet: a unit waiting for its value."""
        return self.pending_unit is not None

    def _show_as_printed(self) -> None:
        kept = self.lab is not None and self.lab.as_printed
        f = QFont(self.value.font())
        f.setItalic(kept)
        self.value.setFont(f)
        shown = self.value.text()  # the field is narrow: the whole result is in its tooltip too
        self.value.setToolTip((f"{shown}\n\n" if shown else "") + (AS_PRINTED_TIP if kept else self._tip))
        self.value.setAccessibleDescription("kept as printed" if kept else "")

    @staticmethod
    def _set(w: QLineEdit, text: str) -> None:
        if w.text() != text:
            w.setText(text)

    def _show_range_and_flag(self) -> None:
        unit = self.current_unit()
        probe = LabResult(analyte=self.a.code, unit=unit)
        sex = self.section.session.case.patient.sex  # a default given for one sex (haemoglobin) is only its
        rr = L.reference_range(probe, sex) if self.a.accepts(unit) else None  # the default in this unit, or None
        for w, text in zip((self.low, self.high), range_texts(self.a, rr)):
            w.setPlaceholderText(text)
        own = self.lab is not None and (self.lab.ref_low is not None or self.lab.ref_high is not None)
        tip = ("The laboratory's own range" if own else "no default range" if rr is None else
               f"Grey: the catalogue default ({rr.source}); type the laboratory's own range to replace it")
        for w in (self.low, self.high):
            w.setToolTip(f"{tip} (in {unit or 'no unit'})")
            w.setAccessibleDescription(f"in {unit or 'no unit'}")
        f = L.flag(self.lab, sex) if self.lab is not None else ""
        self.flag.setText(f)
        colour = HIGH_COLOUR if f == "H" else LOW_COLOUR if f == "L" else ""
        self.flag.setStyleSheet(f"color: white; background: {colour}; border-radius: 3px; font-weight: bold;"
                                if colour else "")
        words = flag_words(f)
        self.flag.setAccessibleName(f"{self.a.label} flag: {words or 'within range or no range'}")
        ranged = self.lab is not None and self.lab.value is not None and self.a.accepts(self.lab.unit) \
            and L.reference_range(self.lab, sex) is not None
        if words and ranged:
            tip = f"{words} — outside {L.format_range(shown_range(self.a, L.reference_range(self.lab, sex)))}"
        elif words:  # no range: the authors' own mark, or the source's word for the result
            tip = (f"{words} — the authors' own flag (the source gives no range)" if self.lab.author_flag in ("H", "L")
                   else f"{words} — the source's word for the result")
        else:
            tip = ""
        self.flag.setToolTip(tip)

    # --- editing -----------------------------------------------------------------------------------

    def _value_done(self) -> None:
        self.commit()

    def _range_done(self) -> None:
        if self.lab is not None or self.value.text().strip():
            self.commit()

    def _unit_picked(self, _i: int) -> None:
        self.section._unit_changed(self, self.unit.currentText())

    def _unit_typed(self) -> None:
        text = self.unit.currentText().strip()
        shown = self.pending_unit if self.pending_unit is not None else (self.lab.unit if self.lab is not None else None)
        # an emptied unit is a change too (the source prints none): the section asks what to do
        if text != shown and (text or (self.lab is not None and self.lab.value is not None)):
            self.section._unit_changed(self, text)

    def commit(self) -> bool:
        """Validate the row and save it through the session; refuse inline when it is wrong."""
        return self.section._commit_row(self)


class GridHeader(QWidget):
    """The column headings of the entry grid, kept in sight above its rows: the grid scrolls under
    them (about forty rows: scrolled, the author no longer saw which box was the value, the unit or
    the range). Each heading sits over its column, as the grid lays the first row out."""

    def __init__(self, scroll, grid: QGridLayout, heads: list[tuple[str, str]]):
        super().__init__(scroll)
        self._scroll, self._grid = scroll, grid
        self.labels: list[QLabel] = []
        for c, (text, tip) in enumerate(heads):
            h = QLabel(f"<b>{text}</b>", self)
            h.setToolTip(tip)
            h.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
            self.labels.append(h)
            # the grid's first row keeps each column as wide as its heading, as when the headings
            # were in it ("Expected" wider than its check box)
            room = QLabel(f"<b>{text}</b>")
            room.setFixedHeight(0)
            grid.addWidget(room, 0, c)
        self._height = max(h.sizeHint().height() for h in self.labels) + 4
        scroll.setViewportMargins(0, self._height, 0, 0)
        scroll.widget().installEventFilter(self)
        scroll.horizontalScrollBar().valueChanged.connect(self.place)
        scroll.installEventFilter(self)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 (Qt's name)
        if ev.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest, QEvent.Type.Show):
            self.place()
        return False

    def place(self, *_args) -> None:
        """Over each column, where the grid puts that column's first row."""
        vp = self._scroll.viewport().geometry()
        self.setGeometry(vp.x(), vp.y() - self._height, vp.width(), self._height)
        dx = -self._scroll.horizontalScrollBar().value()
        for c, h in enumerate(self.labels):
            cell = self._grid.cellRect(1, c)
            if cell.isValid():
                h.setGeometry(cell.x() + dx, 0, max(cell.width(), h.sizeHint().width()), self._height)
