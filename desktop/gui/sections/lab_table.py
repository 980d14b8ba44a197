"""The "All results" tab of the Labs section: every result of the case in one table, in the unit
system chosen, with Delete. :class:`ResultsTable` is a part of
:class:`~desktop.gui.sections.labs.LabsSection`."""
from __future__ import annotations

import copy

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QTableWidget, QTableWidgetItem, \
    QVBoxLayout, QWidget

from ... import catalogue, timing
from ...catalogue import Analyte
from ...core import labs as L
from ...model import LabResult
from ..forms import SPACING, hint_label
from ..tables import ColumnFitter, header_width
from .lab_grid import HIGH_COLOUR, LOW_COLOUR
from .lab_values import display_unit, flag_words, shown_range, timepoints, when_key

TABLE_COLUMNS = ("Time", "Analyte", "Value", "Unit", "Reference range", "Flag", "Dialysis")


class ResultsTable:
    """The table of all results: filling it, fitting its columns, following its selection."""

    def _build_table(self) -> QWidget:
        """The "All results" tab: every result in one table, and Delete."""
        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(list(TABLE_COLUMNS))
        self.table.setAccessibleName("All laboratory results")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().lineSpacing() + 8)
        hh = self.table.horizontalHeader()
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table_fitter = ColumnFitter(self.table, self._table_spec)  # columns fit the width: no sideways scrolling
        self.table.itemSelectionChanged.connect(self._table_selected)
        self.table.cellDoubleClicked.connect(lambda r, c: self._table_activated(r))
        self.delete_button = QPushButton("Delete result")
        self.delete_button.setAccessibleName("Delete the selected result")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.delete_selected)
        table_box = QWidget()
        tl = QVBoxLayout(table_box)
        tl.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        tl.addWidget(self.table, 1)
        trow = QHBoxLayout()
        self.table_hint = hint_label("")
        trow.addWidget(self.table_hint, 1)
        trow.addWidget(self.delete_button)
        tl.addLayout(trow)
        return table_box

    def _fill_table(self) -> None:
        case = self.session.case
        tl = timing.Timeline(case)
        keep = self._selected_lab_id()
        rows = []
        for tp in timepoints(case):
            for lab in tp.labs:
                rows.append((lab, tp))
        self._table_rows = {lab.id: (r, tp.key) for r, (lab, tp) in enumerate(rows)}
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(rows))
            for r, (lab, tp) in enumerate(rows):
                self._fill_table_row(r, lab, tl)
        self.table_fitter.refit()
        if keep:
            self._select_table_lab(keep)
        sys_text = {"reported": "as reported", "conventional": "in conventional units", "si": "in SI units"}[self.system]
        self.tabs.setTabText(1, f"&All results ({len(rows)})")
        self.table_hint.setText(f"{len(rows)} result{'s' if len(rows) != 1 else ''}, values {sys_text}. "
                                "Select one to edit it in the grid." if rows else
                                "No results yet: type them on the “Enter by timepoint” tab, one timepoint at a "
                                "time.")

    def _fill_table_row(self, r: int, lab: LabResult, tl: "timing.Timeline") -> None:
        """Write one result's cells into row ``r``."""
        a = catalogue.analytes().get(lab.analyte)
        value_text, unit, range_text = self._display(lab, a)
        f = L.flag(lab, self.session.case.patient.sex)
        placed = tl.place(lab.when)
        cells = [timing.describe(placed) if placed else (lab.when.label or "time not recorded"),
                 (" ".join(lab.name.split()) or a.label) if a is not None and a.free
                 else a.label if a else f"{lab.analyte} (not in the catalogue)", value_text, unit, range_text, f,
                 {"unknown": "", "none": "none"}.get(lab.dialysis_context, lab.dialysis_context + "-dialysis")]
        for col, text in enumerate(cells):
            c = TABLE_COLUMNS[col]
            it = QTableWidgetItem(text)
            it.setData(Qt.ItemDataRole.UserRole, lab.id)
            if c == "Value":
                it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == "Flag" and f:
                it.setForeground(QColor(HIGH_COLOUR if f == "H" else LOW_COLOUR))
                font = QFont(it.font())
                font.setBold(True)
                it.setFont(font)
                it.setToolTip(f"{flag_words(f)}: outside the reference range"
                              + (" (expected abnormal)" if lab.expected_abnormal else ""))
                if lab.expected_abnormal:
                    it.setText(f + " (expected)")
            if c == "Value" and f:
                it.setForeground(QColor(HIGH_COLOUR if f == "H" else LOW_COLOUR))
            if lab.note and c == "Analyte":
                it.setToolTip(lab.note)
            if c == "Time" and lab.when.label:
                it.setToolTip(f"In the source's words: {lab.when.label}")
            self.table.setItem(r, col, it)

    def update_table_rows(self, lab_ids) -> bool:
        """Rewrite the rows of the results ``lab_ids`` in place, when each is still at the timepoint
        its row shows (a changed value, unit, range or flag). False when the table must be filled
        again (a result added, deleted or moved to another time)."""
        rows = getattr(self, "_table_rows", {})
        by_id = {x.id: x for x in self.session.case.labs}
        found = []
        for lid in lab_ids:
            lab = by_id.get(lid)
            if lab is None or lid not in rows or rows[lid][1] != when_key(lab.when):
                return False
            found.append((rows[lid][0], lab))
        tl = timing.Timeline(self.session.case)
        with QSignalBlocker(self.table):
            for r, lab in found:
                self._fill_table_row(r, lab, tl)
        return True

    def _table_spec(self) -> list[tuple[int, int, bool, bool]]:
        """Per column (natural, floor, stretch, optional) for the ColumnFitter: contents up to a cap;
        the analyte takes what is left; the dialysis context is the first to go when narrow."""
        cw = self.table.fontMetrics().averageCharWidth()
        caps = {"Time": 30, "Analyte": 28, "Reference range": 22, "Dialysis": 14}
        out = []
        for c, title in enumerate(TABLE_COLUMNS):
            head = header_width(self.table, c)
            content = max(self.table.sizeHintForColumn(c), head) if self.table.rowCount() else head
            natural = min(content, max(head, cw * caps.get(title, 20) + 16))
            if title in ("Value", "Unit", "Flag"):
                floor = natural  # a number or its unit is never cut short
            elif title in ("Time", "Analyte"):
                floor = min(natural, cw * 12)
            else:
                floor = min(natural, max(head, cw * 6))
            if title == "Dialysis" and not any(
                    (self.table.item(r, c) and self.table.item(r, c).text()) for r in range(self.table.rowCount())):
                natural = 0  # no result records it: no empty column
            out.append((natural, floor, title == "Analyte", title == "Dialysis"))
        return out

    def _display(self, lab: LabResult, a: Analyte | None) -> tuple[str, str, str]:
        """Value, unit and range as shown in the chosen unit system."""
        rr = shown_range(a, L.reference_range(lab, self.session.case.patient.sex)) if a is not None else None
        if lab.value is None:
            return L.qualitative_text(lab) or "no value", "", self._range_cell(rr)
        if a is None or lab.as_printed or not a.accepts(lab.unit):
            words = f" {L.qualitative_text(lab)}" if lab.qualitative else ""
            return (L.reported_number(lab) + words + (" (as printed)" if lab.as_printed else ""),
                    lab.unit, self._range_cell(rr))
        unit = display_unit(a, lab.unit, self.system)
        if unit == lab.unit or a.to_canonical(1.0, unit) == a.to_canonical(1.0, lab.unit):
            unit = lab.unit
            value = L.reported_number(lab)  # as reported: 9.0, not 9
        else:
            d = L.unit_decimals(a, unit)
            value = L.format_value(a.convert(lab.value, lab.unit, unit), "", lab.comparator, d)
        range_text = self._range_cell(rr)
        if rr is not None and unit != rr.unit:
            conv = lambda v: None if v is None else a.convert(v, rr.unit, unit)  # noqa: E731
            rr = L.RefRange(conv(rr.low), conv(rr.high), unit, rr.source, L.unit_decimals(a, unit))
            range_text = self._range_cell(rr)
        if rr is not None and rr.is_default and (rr.low is not None or rr.high is not None):
            range_text += " (default)"
        return value.strip(), unit, range_text

    @staticmethod
    def _range_cell(rr: L.RefRange | None) -> str:
        """A range for the table, without its unit (the Unit column gives it): '3.4–5.0'."""
        if rr is None:
            return L.format_range(None)
        return L.format_range(L.RefRange(rr.low, rr.high, "", rr.source, rr.decimals))

    def _selected_lab_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _select_table_lab(self, lab_id: str) -> None:
        for r in range(self.table.rowCount()):
            it = self.table.item(r, 0)
            if it is not None and it.data(Qt.ItemDataRole.UserRole) == lab_id:
                with QSignalBlocker(self.table):
                    self.table.selectRow(r)
                self.table.scrollToItem(it)
                self.delete_button.setEnabled(not self.session.read_only)
                return

    def _table_selected(self) -> None:
        lab_id = self._selected_lab_id()
        self.delete_button.setEnabled(lab_id is not None and not self.session.read_only)
        lab = next((x for x in self.session.case.labs if x.id == lab_id), None)
        if lab is not None and (self._cur is None or when_key(lab.when) != when_key(self._cur)):
            when = copy.deepcopy(lab.when)
            QTimer.singleShot(0, lambda: self.select_timepoint(when))  # not inside the table's own handling

    def _table_activated(self, r: int) -> None:
        it = self.table.item(r, 0)
        if it is not None:
            self.focus_ref("labs/" + it.data(Qt.ItemDataRole.UserRole))
