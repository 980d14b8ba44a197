"""Labs: results entered by timepoint, a table of all results, and a chart over time.

A *timepoint* is the set of results that share one :class:`~desktop.model.When` (for example "during
admission"). The author picks a timepoint (or starts a new one by giving its time), then types values
into a grid with one row per catalogue analyte. Each row's unit is one of the analyte's accepted units
(resources/catalogues/analytes.json); the reference range shows the catalogue's default in that unit
until the laboratory's own range is typed. Values outside what can be measured (the catalogue's
plausible bounds, the same check the JSON import makes) are refused inline and not saved.

Flags, ranges and number formats come from :mod:`desktop.core.labs`; the calcium × phosphate product
comes from the assessment core's derived values, never recomputed here.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QComboBox, QFrame, QGridLayout, QHBoxLayout,
    QLabel, QLineEdit, QMenu, QMessageBox, QPushButton, QRadioButton, QScrollArea, QTableWidget,
    QTableWidgetItem, QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from ... import catalogue, timing
from ...catalogue import Analyte
from ...codec import to_plain
from ...core import assess
from ...core import labs as L
from ...model import DialysisContext, LabResult, When
from ..binding import check_edit, item_path
from ..charts import REF_COLOURS, ChartPoint, ChartSeries, ChartSpec, RefLine, TrendChart
from ..fields import CheckField, ChoiceCombo, WideCombo
from ..formatting import choices_of, parse_number
from ..forms import SPACING, FieldError, heading, hint_label, mark_invalid, shortcut
from ..tables import ColumnFitter, header_width
from ..when_editor import WhenEditor

HIGH_COLOUR = "#b00020"
LOW_COLOUR = "#1d5fa8"
CA_P_KEY = "ca_p_product"  # the core's DerivedValue.kind
# Ca×P lines: > 70 mg²/dL² a risk factor (Weenig, JAAD 2007; seed); goal < 55 mg²/dL² (seed; KDOQI 2003
# Guideline 6) — domain file §2 and §4. 1 mg²/dL² = 0.0806 mmol²/L² (domain file §5).
CA_P_LINES = ((70.0, "risk", REF_COLOURS["high"]), (55.0, "goal", REF_COLOURS["goal"]))
CA_P_SI_FACTOR = 0.0806
TABLE_COLUMNS = ("Time", "Analyte", "Value", "Unit", "Reference range", "Flag", "Dialysis")
SYSTEMS = (("reported", "as reported"), ("conventional", "conventional"), ("si", "SI"))
_COMPARATOR = re.compile(r"^\s*(<=|>=|≤|≥|<|>|=)?\s*(.*?)\s*$")


# --- pure helpers (no widgets) ----------------------------------------------------------------------

def when_key(when: When) -> str:
    """Labs share a timepoint when their times are equal in every field."""
    return repr(sorted(to_plain(when).items()))


@dataclass
class Timepoint:
    when: When
    labs: list[LabResult]
    placed: timing.Placed | None

    @property
    def key(self) -> str:
        return when_key(self.when)


def timepoints(case) -> list[Timepoint]:
    """The case's lab timepoints, in day order (times not on the day axis last, in entry order)."""
    tl = timing.Timeline(case)
    groups: dict[str, Timepoint] = {}
    for lab in case.labs:
        k = when_key(lab.when)
        if k not in groups:
            groups[k] = Timepoint(copy.deepcopy(lab.when), [], tl.place(lab.when))
        groups[k].labs.append(lab)
    tps = list(groups.values())
    order = {k: n for n, k in enumerate(groups)}
    tps.sort(key=lambda t: (t.placed is None, t.placed.day if t.placed else 0.0, order[t.key]))
    return tps


def describe_when(tl: timing.Timeline, when: When) -> str:
    """'day 0, approximate — during admission'; the source's words alone when not on the day axis."""
    placed = tl.place(when)
    if placed is None:
        return (when.label + " (not on the day axis)") if when.label else "time not recorded"
    text = timing.describe(placed)
    return f"{text} — {when.label}" if when.label else text


def unit_choices(a: Analyte, current: str | None = None) -> list[str]:
    """The accepted units to offer, without spelling variants of one unit (µ/μ/u)."""
    out: list[str] = []
    seen: set[str] = set()
    for u in a.units:
        norm = u.replace("µ", "μ").replace("uL", "μL").replace("umol", "μmol")
        if norm in seen:
            continue
        seen.add(norm)
        out.append(u)
    if current and current not in out and current in a.units:
        out.append(current)
    return out


def display_unit(a: Analyte, reported: str, system: str) -> str:
    if system == "conventional":
        return a.conventional_unit
    if system == "si":
        return a.si_unit
    return reported


def parse_value(text: str) -> tuple[str, float]:
    """'<0.5' -> ('<', 0.5). Raises ValueError naming the problem."""
    m = _COMPARATOR.match(text)
    comp = {"≤": "<=", "≥": ">=", None: "="}.get(m.group(1), m.group(1))
    return comp, parse_number(m.group(2))


def implausible(a: Analyte, value: float, unit: str) -> str | None:
    """The message for a value outside what can be measured (the catalogue's plausible bounds, as
    jsonio.check_case applies them), or None."""
    lo, hi, pu = float(a.plausible["low"]), float(a.plausible["high"]), a.plausible["unit"]
    canon = a.to_canonical(value, unit)
    lo_c, hi_c = a.to_canonical(lo, pu), a.to_canonical(hi, pu)
    if lo_c <= canon <= hi_c:
        return None
    bounds = f"{L.format_number(lo)}–{L.format_number(hi)} {pu}"
    if unit != pu:
        d = L.unit_decimals(a, unit)
        bounds += (f", that is {L.format_number(a.from_canonical(lo_c, unit), d)}–"
                   f"{L.format_number(a.from_canonical(hi_c, unit), d)} {unit}")
    return (f"{a.label}: {L.format_value(value, unit)} is outside what can be measured ({bounds}); "
            "a typing error?")


def _fmt(v: float | None, decimals: int | None = None) -> str:
    """A number for an entry field (ASCII minus, so it reads back as typed)."""
    return "" if v is None else L.format_number(v, decimals).replace("−", "-")


def _decimals_of(v: float) -> int:
    text = L.format_number(v)
    return len(text.split(".")[1]) if "." in text else 0


def value_text(lab: LabResult) -> str:
    """The result as reported, for its entry field: a phosphate of 9.0 mg/dL reads '9.0' (the
    decimals usual for the unit, never fewer than entered), a bound '<0.5'."""
    if lab.value is None:
        return ""
    return L.reported_number(lab).replace("−", "-")


def shown_range(a: Analyte | None, rr: L.RefRange | None) -> L.RefRange | None:
    """``rr`` with the decimals to show: both ends alike and at least those usual for the unit, so a
    range reads '3.4–5.0 g/dL' and '4.0–11.0 K/µL', never '5' or '4–11'."""
    if rr is None or rr.decimals is not None:
        return rr
    ends = [v for v in (rr.low, rr.high) if v is not None]
    if not ends:
        return rr
    usual = (L.unit_decimals(a, rr.unit) if a is not None else None) or 0
    return L.RefRange(rr.low, rr.high, rr.unit, rr.source, max([usual] + [_decimals_of(v) for v in ends]))


def range_texts(a: Analyte | None, rr: L.RefRange | None) -> tuple[str, str]:
    """The low and high ends of a range for the grid's fields ('' for an open end)."""
    rr = shown_range(a, rr)
    if rr is None:
        return "", ""
    return _fmt(rr.low, rr.decimals), _fmt(rr.high, rr.decimals)


def short_label(a: Analyte) -> str:
    """'Phosphate (as phosphorus)' -> 'Phosphate', for legends."""
    return a.label.split(" (")[0]


def flag_words(f: str) -> str:
    return {"H": "high", "L": "low"}.get(f, "")


# --- the entry grid -------------------------------------------------------------------------------------

class _Row:
    """One analyte's line in the grid: value, unit, the lab's own range, flag, expected abnormal."""

    def __init__(self, section: "LabsSection", a: Analyte, grid: QGridLayout, r: int):
        self.section = section
        self.a = a
        self.lab: LabResult | None = None
        self.label = QLabel(a.label)
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
                        w.setText(_fmt(v, (L.unit_decimals(self.a, new_unit) or 0) + 1))
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


class LabsSection(QWidget):
    """The Labs section (see the module's description)."""

    unitSystemChanged = Signal(str)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.system = "reported"
        # The time of the timepoint shown in the grid. When no result has that time (yet) the grid is
        # a new timepoint; None = a new timepoint whose time is not given yet.
        self._cur: When | None = None
        self._derived_cache: list | None = None
        self._refresh_pending = False
        self._shown_ids: set[str] = set()  # the results the grid shows (to follow them when moved)
        self._filling = False

        # --- top bar: timepoint, its time, dialysis context; the unit switch ------------------------
        self.timepoint = WideCombo()  # its list shows each timepoint in full
        self.timepoint.setAccessibleName("Timepoint")
        self.timepoint.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.timepoint.setMinimumContentsLength(16)
        self.timepoint.activated.connect(self._timepoint_picked)
        self.new_button = QPushButton("New timepoint")
        self.new_button.setAccessibleName("Start a new timepoint")
        self.new_button.setToolTip("Enter results taken at another time (Ctrl+Shift+N)")
        self.new_button.clicked.connect(self.start_new_timepoint)
        self.when = WhenEditor("Time of these results")
        self.when.event.setMinimumContentsLength(12)  # the section must fit beside the assessment panel
        self.when.committed.connect(self._when_committed)
        self.dialysis = ChoiceCombo(choices_of(DialysisContext), "Dialysis context of these results")
        self.dialysis.setToolTip("When the blood was drawn relative to dialysis (pre/post), for every "
                                 "result at this timepoint")
        self.dialysis.set_value("unknown")
        self.dialysis.committed.connect(self._dialysis_committed)

        self.unit_buttons = QButtonGroup(self)
        switch = QHBoxLayout()
        switch.setSpacing(4)
        switch.addWidget(QLabel("Show values:"))
        for n, (key, text) in enumerate(SYSTEMS):
            b = QRadioButton(text)
            b.setAccessibleName(f"Show values {text}" + (" units" if key != "reported" else ""))
            b.setProperty("system", key)
            self.unit_buttons.addButton(b, n)
            switch.addWidget(b)
        self.unit_buttons.button(0).setChecked(True)
        self.unit_buttons.idClicked.connect(self._switch_clicked)

        self.error = FieldError()

        # --- the entry tab: the timepoint bar over the grid ---------------------------------------------
        top = QGridLayout()
        top.setHorizontalSpacing(SPACING)
        top.setVerticalSpacing(6)
        tp_label = QLabel("&Timepoint:")
        tp_label.setBuddy(self.timepoint)
        top.addWidget(tp_label, 0, 0, Qt.AlignmentFlag.AlignRight)
        tp_row = QHBoxLayout()
        tp_row.setSpacing(6)
        tp_row.addWidget(self.timepoint, 1)
        tp_row.addWidget(self.new_button)
        top.addLayout(tp_row, 0, 1)
        when_label = QLabel("Time:")
        when_label.setBuddy(self.when)
        top.addWidget(when_label, 1, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.when, 1, 1)
        dl = QLabel("&Dialysis:")
        dl.setBuddy(self.dialysis)
        top.addWidget(dl, 2, 0, Qt.AlignmentFlag.AlignRight)
        drow = QHBoxLayout()
        drow.addWidget(self.dialysis)
        drow.addStretch(1)
        top.addLayout(drow, 2, 1)
        top.setColumnStretch(1, 1)

        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.setContentsMargins(0, 0, 0, 0)
        heads = (("Analyte", ""), ("Value", "The result, in the row's unit; <0.5 or >100 for a bound"),
                 ("Unit", "The unit the laboratory reported"), ("Range<br>low", "The laboratory's own range; grey = default"),
                 ("Range<br>high", "The laboratory's own range; grey = default"), ("Flag", "H above, L below the range"),
                 ("Expected", "Expected abnormal for a known condition (e.g. a dialysis patient's BUN)"))
        for c, (text, tip) in enumerate(heads):
            h = QLabel(f"<b>{text}</b>")
            h.setToolTip(tip)
            grid.addWidget(h, 0, c)
        self.rows: dict[str, _Row] = {}
        for r, an in enumerate(catalogue.analytes().values(), start=1):
            self.rows[an.code] = _Row(self, an, grid, r)
        grid.setColumnStretch(len(heads), 1)
        grid.setRowStretch(len(self.rows) + 1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field, not to the area
        self.grid_scroll = scroll
        self.grid_hint = hint_label("")
        entry = QWidget()
        el = QVBoxLayout(entry)
        el.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        el.setSpacing(SPACING - 2)
        el.addLayout(top)
        el.addWidget(self.error)
        el.addWidget(self.grid_hint)
        el.addWidget(scroll, 1)
        el.addWidget(hint_label("Grey ranges are the catalogue's defaults (the seed article's) in the row's unit; "
                                "type the laboratory's own range to replace them. H/L: above/below the range."))

        # --- the table of all results ---------------------------------------------------------------
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

        # --- the chart -----------------------------------------------------------------------------
        self.chart_menu = QMenu(self)
        self.chart_menu.setAccessibleName("Analytes to chart")
        self.chart_menu.triggered.connect(lambda _a: self._refresh_chart())
        self.chart_button = QToolButton()
        self.chart_button.setText("Analytes to chart")
        self.chart_button.setAccessibleName("Choose the analytes to chart")
        self.chart_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.chart_button.setMenu(self.chart_menu)
        self.chart = TrendChart("Laboratory values over time")
        self.chart.setAccessibleName("Chart of laboratory values over time")
        self.chart_caption = hint_label(
            "Ca×P lines: above 70 mg²/dL² is a risk factor (Weenig, JAAD 2007; seed); the treatment goal is "
            "below 55 mg²/dL² (seed; KDOQI 2003 Guideline 6). Open markers: approximate times.")
        chart_box = QWidget()
        cl = QVBoxLayout(chart_box)
        cl.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        crow = QHBoxLayout()
        crow.addWidget(self.chart_button)
        self.charted_label = hint_label("")
        crow.addWidget(self.charted_label, 1)
        cl.addLayout(crow)
        cl.addWidget(self.chart, 1)
        cl.addWidget(self.chart_caption)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Labs views")
        self.tabs.tabBar().setAccessibleName("Labs views: tabs")
        self.tabs.addTab(entry, "&Enter by timepoint")
        self.tabs.addTab(table_box, "&All results")
        self.tabs.addTab(chart_box, "&Chart")
        self.tabs.setDocumentMode(True)
        self._chart_dirty = True
        self.tabs.currentChanged.connect(lambda _i: self._chart_dirty and self._refresh_chart())

        head = QHBoxLayout()
        head.addWidget(heading("Labs"))
        head.addSpacing(SPACING * 3)
        head.addLayout(switch)
        head.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(SPACING + 6, SPACING + 2, SPACING + 6, SPACING)
        lay.setSpacing(SPACING - 4)
        lay.addLayout(head)
        lay.addWidget(self.tabs, 1)

        # tab order: the timepoint bar, then the grid row by row
        chain = [self.timepoint, self.new_button, self.when, self.dialysis]
        for row in self.rows.values():
            chain += row.widgets()
        chain += [self.chart_button, self.table, self.delete_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

        shortcut(self, "Ctrl+Shift+N", self.start_new_timepoint)

        session.changed.connect(self._changed)
        tps = timepoints(session.case)
        self._cur = copy.deepcopy(tps[0].when) if tps else None
        self.refresh()

    def _switch_clicked(self, n: int) -> None:
        system = SYSTEMS[n][0]
        win = self.window()
        setter = getattr(win, "set_unit_system", None)
        if system != "reported" and win is not self and callable(setter):
            setter(system)  # the window's View ▸ Units: it tells every section, this one included
        self.set_unit_system(system)

    # --- public -------------------------------------------------------------------------------------

    def set_unit_system(self, system: str) -> None:
        """Show values 'reported' (as the laboratory gave them), 'conventional' or 'si'."""
        if system not in dict(SYSTEMS):
            raise ValueError(f"unit system must be one of {', '.join(dict(SYSTEMS))}; got {system!r}")
        if system == self.system:
            return
        self.system = system
        n = [k for k, _ in SYSTEMS].index(system)
        with QSignalBlocker(self.unit_buttons):
            self.unit_buttons.button(n).setChecked(True)
        for row in self.rows.values():
            if row.lab is None and not row._pending():
                row.load(None)  # empty rows offer the system's unit
        self._fill_table()
        self._refresh_chart(lazy=True)
        self.unitSystemChanged.emit(system)

    def current_when(self) -> When | None:
        """The time of the timepoint shown in the grid (None for a new timepoint with no time yet)."""
        return copy.deepcopy(self._cur)

    def select_timepoint(self, when: When | None) -> None:
        """Show the timepoint at ``when``: its results, or an empty grid for a new timepoint."""
        self._cur = copy.deepcopy(when)
        self._shown_ids = set()
        self.error.clear()
        for row in self.rows.values():  # a refused value belongs to the timepoint it was typed at
            for w in (row.value, row.low, row.high):
                mark_invalid(w, False)
        self.refresh()

    def start_new_timepoint(self) -> None:
        self.select_timepoint(None)
        self.when.setFocus()

    def row(self, analyte: str) -> _Row:
        return self.rows[analyte]

    def focus_ref(self, ref: str) -> bool:
        labs = self.session.case.labs
        m = re.match(r"^(?:\$\.)?labs(?:/([^/.\[]+)|\[(\d+)\])", ref)
        if not m:
            return False
        if m.group(1) is not None:
            lab = next((x for x in labs if x.id == m.group(1)), None)
        else:
            n = int(m.group(2))
            lab = labs[n] if n < len(labs) else None
        if lab is None:
            return False
        self.show_entry()
        self.select_timepoint(lab.when)
        self._select_table_lab(lab.id)
        row = self.rows.get(lab.analyte)
        if row is not None:
            self.grid_scroll.ensureWidgetVisible(row.value)
            row.value.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def delete_selected(self) -> None:
        lab_id = self._selected_lab_id()
        lab = next((x for x in self.session.case.labs if x.id == lab_id), None)
        if lab is None:
            return
        a = catalogue.analytes().get(lab.analyte)
        what = f"{a.label if a else lab.analyte} {L.format_lab(lab)}"
        if QMessageBox.question(self, "Delete result", f"Delete the result {what}? (Edit ▸ Undo brings it back.)") \
                == QMessageBox.StandardButton.Yes:
            self.session.delete_item("labs", lab.id, text=f"Delete {what}")
            self.refresh()

    # --- refreshing ---------------------------------------------------------------------------------

    def _changed(self, part: str) -> None:
        """Refresh once the current edit is done: an undo of a timepoint-wide change reports each of
        its results, and the views need redrawing only once."""
        if part in ("labs", "events", "case"):
            self._derived_cache = None
            if not self._refresh_pending:
                self._refresh_pending = True
                QTimer.singleShot(0, self._deferred_refresh)

    def _deferred_refresh(self) -> None:
        if self._refresh_pending:
            self.refresh()

    def _timepoint(self, when: When | None) -> Timepoint | None:
        if when is None:
            return None
        key = when_key(when)
        return next((t for t in timepoints(self.session.case) if t.key == key), None)

    def refresh(self) -> None:
        self._refresh_pending = False
        case = self.session.case
        tl = timing.Timeline(case)
        tps = timepoints(case)
        cur_key = None if self._cur is None else when_key(self._cur)
        tp = next((t for t in tps if t.key == cur_key), None)
        if tp is None and self._shown_ids:
            # the results shown were moved to another time (an undo or redo of a time change): follow them
            moved = next((x for x in case.labs if x.id in self._shown_ids), None)
            if moved is not None:
                self._cur = copy.deepcopy(moved.when)
                tp = next((t for t in tps if t.key == when_key(moved.when)), None)
        self._shown_ids = {x.id for x in tp.labs} if tp is not None else set()
        self._filling = True
        try:
            with QSignalBlocker(self.timepoint):
                self.timepoint.clear()
                for t in tps:
                    n = len(t.labs)
                    self.timepoint.addItem(f"{describe_when(tl, t.when)}  ·  {n} result{'s' if n != 1 else ''}", t.key)
                new_text = "New timepoint…"
                if tp is None and self._cur is not None and self._cur.is_set:
                    new_text = f"New timepoint: {describe_when(tl, self._cur)}"
                self.timepoint.addItem(new_text, None)
                i = self.timepoint.findData(tp.key) if tp is not None else self.timepoint.count() - 1
                self.timepoint.setCurrentIndex(max(0, i))
            when = tp.when if tp is not None else (self._cur or When())
            self.when.set_when(when, case)
            labs = tp.labs if tp is not None else []
            contexts = {x.dialysis_context for x in labs}
            self.dialysis.set_value(contexts.pop() if len(contexts) == 1 else (
                "unknown" if not contexts else self.dialysis.value()))
            first: dict[str, LabResult] = {}
            extra = 0
            for lab in labs:
                if lab.analyte in first:
                    extra += 1
                else:
                    first[lab.analyte] = lab
            for code, row in self.rows.items():
                row.load(first.get(code))
            unknown = [x for x in labs if x.analyte not in self.rows]
            notes = []
            if extra:
                notes.append(f"{extra} more result{'s' if extra > 1 else ''} of an analyte already shown at this "
                             "timepoint: see the table")
            if unknown:
                notes.append(f"{len(unknown)} result(s) of analytes not in the catalogue: see the table")
            if tp is None:
                notes.insert(0, "A new timepoint: give its time above, then type the values. Nothing is "
                                "saved until a value is entered.")
            self.grid_hint.setText(" ".join(notes))
            self.grid_hint.setVisible(bool(notes))
        finally:
            self._filling = False
        self._fill_table()
        self._fill_chart_choice()
        self._refresh_chart(lazy=True)

    # --- the timepoint bar --------------------------------------------------------------------------

    def _timepoint_picked(self, i: int) -> None:
        key = self.timepoint.itemData(i)
        if key is None:
            if self._timepoint(self._cur) is not None:
                self.start_new_timepoint()
            return
        tp = next((t for t in timepoints(self.session.case) if t.key == key), None)
        self.select_timepoint(tp.when if tp else None)

    def _when_committed(self, when: When) -> None:
        self.error.clear()
        tp = self._timepoint(self._cur)
        if tp is None:  # a new timepoint: its time is kept here until a value is typed
            self.select_timepoint(when)
            return
        if when_key(when) == tp.key:
            return
        moved = [copy.deepcopy(x) for x in tp.labs]
        for x in moved:
            x.when = copy.deepcopy(when)
        path_problems = []
        for x in moved:
            path_problems += check_edit(self.session.case, _replacing(x), item_path(self.session.case, "labs", x.id) + ".when")
        if path_problems:
            self.error.show_message("Time: " + "; ".join(dict.fromkeys(path_problems)))
            self.when.set_when(tp.when, self.session.case)
            return
        self._cur = copy.deepcopy(when)
        self._save_many(moved, f"Change the time of {len(moved)} result{'s' if len(moved) != 1 else ''}")

    def _dialysis_committed(self, value: str) -> None:
        tp = self._timepoint(self._cur)
        if tp is None:
            return  # a new timepoint: its results get this context when saved
        changed = []
        for x in tp.labs:
            if x.dialysis_context != value:
                y = copy.deepcopy(x)
                y.dialysis_context = value
                changed.append(y)
        self._save_many(changed, "Set dialysis context")

    def _save_many(self, labs: list[LabResult], text: str) -> None:
        if not labs:
            return
        self.session.save_items("labs", labs, text)
        self.refresh()

    # --- saving one row ---------------------------------------------------------------------------------

    def _commit_row(self, row: _Row) -> bool:
        if self._filling:
            return False
        a = row.a
        text = row.value.text().strip()
        if not text:
            mark_invalid(row.value, False)
            if row.lab is not None:
                self.error.clear()
                self.session.delete_item("labs", row.lab.id, text=f"Delete {a.label}")
                self.refresh()
                return True
            return False
        when = self.current_when()
        if when is None or (self._timepoint(when) is None and not when.is_set):
            return self._refuse(row, row.value, f"{a.label}: give the time of these results first (above: "
                                "a date, days before or after day 0, or the time of an event)")
        try:
            comparator, value = parse_value(text)
        except ValueError as exc:
            return self._refuse(row, row.value, f"{a.label}: {exc}")
        unit = row.current_unit()
        ends = []
        for w, end in ((row.low, "low"), (row.high, "high")):
            try:
                ends.append(parse_number(w.text()) if w.text().strip() else None)
            except ValueError as exc:
                return self._refuse(row, w, f"{a.label}, reference range {end} end: {exc}")
        msg = implausible(a, value, unit)
        if msg:
            return self._refuse(row, row.value, msg)
        lab = copy.deepcopy(row.lab) if row.lab is not None else LabResult(
            analyte=a.code, when=when, dialysis_context=self.dialysis.value() or "unknown")
        lab.value, lab.comparator, lab.unit = value, comparator, unit
        lab.ref_low, lab.ref_high = ends
        lab.expected_abnormal = row.expected.isChecked()
        problems = check_edit(self.session.case, _replacing(lab), item_path(self.session.case, "labs", lab.id))
        if problems:
            return self._refuse(row, row.value, f"{a.label}: " + "; ".join(problems))
        mark_invalid(row.value, False)
        for w in (row.low, row.high):
            mark_invalid(w, False)
        self.error.clear()
        if row.lab is not None and lab == row.lab:
            return True
        verb = "Edit" if row.lab is not None else "Add"
        ok = self.session.save_item("labs", lab, text=f"{verb} {a.label} {L.format_lab(lab)}")
        self.refresh()
        return ok

    def _refuse(self, row: _Row, widget: QWidget, message: str) -> bool:
        mark_invalid(widget, True)
        self.error.show_message(message)
        return False

    # --- the table ----------------------------------------------------------------------------------

    def _fill_table(self) -> None:
        case = self.session.case
        tl = timing.Timeline(case)
        keep = self._selected_lab_id()
        rows = []
        for tp in timepoints(case):
            for lab in tp.labs:
                rows.append((lab, tp))
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(rows))
            for r, (lab, tp) in enumerate(rows):
                a = catalogue.analytes().get(lab.analyte)
                value_text, unit, range_text = self._display(lab, a)
                f = L.flag(lab)
                placed = tl.place(lab.when)
                cells = [timing.describe(placed) if placed else (lab.when.label or "time not recorded"),
                         a.label if a else f"{lab.analyte} (not in the catalogue)", value_text, unit, range_text, f,
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
        self.table_fitter.refit()
        if keep:
            self._select_table_lab(keep)
        sys_text = {"reported": "as reported", "conventional": "in conventional units", "si": "in SI units"}[self.system]
        self.tabs.setTabText(1, f"&All results ({len(rows)})")
        self.table_hint.setText(f"{len(rows)} result{'s' if len(rows) != 1 else ''}, values {sys_text}. "
                                "Select one to edit it in the grid." if rows else
                                "No results yet: type them on the “Enter by timepoint” tab, one timepoint at a "
                                "time.")

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
        rr = shown_range(a, L.reference_range(lab)) if a is not None else None
        if a is None or lab.value is None or lab.unit not in a.units:
            return (L.format_lab(lab).rsplit(" ", 1)[0] if lab.value is not None else "no value",
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

    def show_entry(self) -> None:
        self.tabs.setCurrentIndex(0)

    def show_table(self) -> None:
        self.tabs.setCurrentIndex(1)

    def show_chart(self) -> None:
        self.tabs.setCurrentIndex(2)

    def _table_activated(self, r: int) -> None:
        it = self.table.item(r, 0)
        if it is not None:
            self.focus_ref("labs/" + it.data(Qt.ItemDataRole.UserRole))

    # --- the chart ----------------------------------------------------------------------------------

    def _fill_chart_choice(self) -> None:
        present = []
        for lab in self.session.case.labs:
            if lab.analyte in self.rows and lab.analyte not in present:
                present.append(lab.analyte)
        order = list(self.rows)
        present.sort(key=order.index)
        first_time = not self.chart_menu.actions()
        checked = self._checked_analytes()
        self.chart_menu.clear()
        for code in present + [CA_P_KEY]:
            label = "Calcium × phosphate (derived)" if code == CA_P_KEY else self.rows[code].a.label
            act = self.chart_menu.addAction(label)
            act.setData(code)
            act.setCheckable(True)
            act.setChecked(code in ("calcium", "phosphate", CA_P_KEY) if first_time else code in checked)

    def _checked_analytes(self) -> list[str]:
        return [a.data() for a in self.chart_menu.actions() if a.isChecked()]

    def set_charted(self, codes: list[str]) -> None:
        """Chart these analytes (catalogue codes; 'ca_p_product' for the derived Ca×P)."""
        for a in self.chart_menu.actions():
            a.setChecked(a.data() in codes)
        self._refresh_chart()

    def derived_values(self) -> list:
        """The assessment core's derived values for the case (cached until the labs change)."""
        if self._derived_cache is None:  # emptied by every change of labs, events or the case
            self._derived_cache = assess(self.session.case).derived
        return self._derived_cache

    def _refresh_chart(self, lazy: bool = False) -> None:
        """Redraw the chart; with ``lazy`` only when it is on screen (else when its tab is opened)."""
        if lazy and self.tabs.currentWidget() is not self.chart.parentWidget():
            self._chart_dirty = True
            return
        self._chart_dirty = False
        case = self.session.case
        tl = timing.Timeline(case)
        wanted = self._checked_analytes()
        series: list[ChartSeries] = []
        units: list[str] = []
        unplaced = 0
        for code in wanted:
            if code == CA_P_KEY:
                continue
            a = catalogue.analytes()[code]
            labs = [x for x in case.labs if x.analyte == code and x.value is not None and x.unit in a.units]
            if not labs:
                continue
            unit = display_unit(a, labs[0].unit, self.system)
            pts = []
            for x in labs:
                p = tl.place(x.when)
                if p is None:
                    unplaced += 1
                    continue
                pts.append(ChartPoint(p.day, a.convert(x.value, x.unit, unit), p.approximate))
            if pts:
                series.append(ChartSeries(f"{short_label(a)} ({unit})", pts))
                if unit not in units:
                    units.append(unit)
        refs: list[RefLine] = []
        right = ""
        if CA_P_KEY in wanted:
            si = self.system == "si"
            unit = "mmol²/L²" if si else "mg²/dL²"
            pts = []
            for dv in self.derived_values():
                if dv.kind != CA_P_KEY or dv.day is None:
                    continue
                v = dv.value if dv.unit == unit else dv.alt_value
                if v is None:
                    continue
                pts.append(ChartPoint(dv.day, v, "approximate" in dv.time))
            if pts:
                series.append(ChartSeries(f"Ca×P, derived ({unit})", pts, axis="right",
                                          color="#d98c1f", dashed=True))
                right = f"Ca×P ({unit})"
                for v, words, colour in CA_P_LINES:
                    shown = v * CA_P_SI_FACTOR if si else v
                    refs.append(RefLine(shown, f"{L.format_number(shown, 2 if si else 0)} {unit} ({words})",
                                        axis="right", color=colour))
        self.charted_label.setText(", ".join(a.text() for a in self.chart_menu.actions() if a.isChecked())
                                   or "nothing chosen")
        if len(units) == 1:
            left = f"Value ({units[0]})"
        elif units:
            left = "Value (" + ", ".join(units) + "; see legend)"
        else:
            left = ""
        note = f"{unplaced} value{'s' if unplaced != 1 else ''} without a place on the day axis not drawn" \
            if unplaced else ""
        self.chart.show_spec(ChartSpec(series, left_title=left, right_title=right, ref_lines=refs,
                                       left_min=None, right_min=0.0, note=note,
                                       empty_text="Nothing to draw: choose analytes (above) that have "
                                                  "results with a time on the day axis."))


def _replacing(lab: LabResult):
    """For check_edit: put ``lab`` into a trial case (replacing the result with its id, or adding it)."""
    def apply(c) -> None:
        if any(x.id == lab.id for x in c.labs):
            c.labs = [lab if x.id == lab.id else x for x in c.labs]
        else:
            c.labs = c.labs + [lab]
    return apply
