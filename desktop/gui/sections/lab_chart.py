"""The "Chart" tab of the Labs section: the chosen analytes over time, and the calcium × phosphate
product as the assessment core derives it (never recomputed here), with its risk and goal lines.
:class:`LabsChart` is a part of :class:`~desktop.gui.sections.labs.LabsSection`."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QVBoxLayout, QWidget

from ... import catalogue, timing
from ...core import assess
from ...core import labs as L
from ...core import reference
from ..charts import REF_COLOURS, ChartPoint, ChartSeries, ChartSpec, RefLine, TrendChart
from ..forms import SPACING, hint_label
from .lab_values import display_unit, short_label

CA_P_KEY = "ca_p_product"  # the core's DerivedValue.kind
_LINE_COLOURS = {"risk": REF_COLOURS["high"], "goal": REF_COLOURS["goal"]}


def ca_p_lines() -> list[tuple[float, str, str]]:
    """(value in mg²/dL², role, colour) of the Ca×P risk threshold and goal, from resources/rules."""
    return [(line.value, line.role, _LINE_COLOURS[line.role]) for line in reference.ca_p_lines()]


def ca_p_in_si(value: float) -> float:
    """mg²/dL² to mmol²/L², by the catalogue's conversion (resources/catalogues/analytes.json)."""
    return catalogue.analytes()[CA_P_KEY].convert(value, "mg²/dL²", "mmol²/L²")


def ca_p_caption() -> str:
    risk, goal = reference.ca_p_lines()
    return (f"Ca×P lines: above {L.format_number(risk.value, 0)} {risk.unit} is a risk factor ({risk.source}); "
            f"the treatment goal is below {L.format_number(goal.value, 0)} {goal.unit} ({goal.source}). "
            "Open markers: approximate times.")


class LabsChart:
    """The chart of lab values over time and the choice of what it shows."""

    def _build_chart(self) -> QWidget:
        """The "Chart" tab: the chosen analytes (and the derived Ca×P) over time."""
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
        self.chart_caption = hint_label(ca_p_caption())
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
        return chart_box

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
                for v, words, colour in ca_p_lines():
                    shown = ca_p_in_si(v) if si else v
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
