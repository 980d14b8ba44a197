"""QtCharts helpers for the sections: a trend chart on a day axis (day 0 = the index event) with up to
two value axes, reference lines and a legend.

Every axis names its unit; a series' legend entry does too. As in the report's charts, a value whose
time is approximate is drawn as an open marker and an exact one filled, and a dotted vertical line
marks day 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen

# distinguishable in greyscale too; the same hues as the report's charts
PALETTE = ["#1f4e79", "#c0504d", "#4f8f3a", "#8064a2", "#d98c1f", "#2c8c99"]
REF_COLOURS = {"high": "#b00020", "goal": "#4f8f3a", "neutral": "#5a5a5a"}
X_TITLE = "Day (day 0 = index event)"


@dataclass
class ChartPoint:
    day: float
    value: float
    approximate: bool = False


@dataclass
class ChartSeries:
    name: str  # legend text, with its unit: "Calcium, total (mg/dL)"
    points: list[ChartPoint]
    axis: str = "left"  # "left" or "right"
    color: str | None = None
    dashed: bool = False


@dataclass
class RefLine:
    value: float
    label: str  # legend text, with its unit and source: "Ca×P 70 mg²/dL² (risk; Weenig 2007)"
    axis: str = "left"
    color: str = REF_COLOURS["neutral"]


@dataclass
class ChartSpec:
    series: list[ChartSeries]
    left_title: str  # axis title with unit: "Area (cm²)"
    right_title: str = ""
    ref_lines: list[RefLine] = field(default_factory=list)
    left_min: float | None = None  # forced lower bound (0 for areas and scores)
    right_min: float | None = None
    right_max: float | None = None
    empty_text: str = "Nothing to draw yet."  # said in the middle of an empty chart: what to do
    note: str = ""  # shown under the title, e.g. "2 values without a time are not drawn"


def _nice_step(span: float, n: int) -> float:
    raw = span / max(1, n)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def nice_range(lo: float, hi: float, n: int = 5, pad: float = 0.06) -> tuple[float, float, int]:
    """An axis range with round ends and the number of intervals between ticks."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0, 4
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    span = hi - lo
    lo2, hi2 = lo - span * pad, hi + span * pad
    step = _nice_step(hi2 - lo2, n)
    a, b = math.floor(lo2 / step) * step, math.ceil(hi2 / step) * step
    return a, b, max(1, int(round((b - a) / step)))


class TrendChart(QChartView):
    """A chart of values over days. Build it once; call :meth:`show_spec` to redraw."""

    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self._title = title
        self.spec: ChartSpec | None = None
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.setAccessibleName(title or "Chart")
        self.viewport().setAccessibleName(title or "Chart")
        self.show_spec(ChartSpec(series=[], left_title=""))

    # what tests and screen readers can ask
    def series_names(self) -> list[str]:
        """Legend entries shown (series and reference lines)."""
        if self.spec is None:
            return []
        return [s.name for s in self.spec.series if s.points] + [r.label for r in self.spec.ref_lines]

    def axis_titles(self) -> list[str]:
        return [a.titleText() for a in self.chart().axes()]

    def show_spec(self, spec: ChartSpec) -> None:
        self.spec = spec
        chart = QChart()
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(6, 6, 6, 6))
        title = self._title
        drawn = [s for s in spec.series if s.points]
        if drawn and spec.note:
            title = f"{title}<br><span style='font-weight:normal'>{spec.note}</span>" if title else spec.note
        chart.setTitle(title)
        # nothing to draw: no empty axes, but what to do, in the middle (see drawForeground)
        self.empty_message = "" if drawn else spec.empty_text
        self.setAccessibleDescription(self.empty_message)
        f = QFont(chart.titleFont())
        f.setBold(True)
        chart.setTitleFont(f)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        lf = QFont(chart.legend().font())
        lf.setPointSizeF(lf.pointSizeF() * 0.9)
        chart.legend().setFont(lf)
        chart.legend().setVisible(bool(drawn))

        if not drawn:
            self.setChart(chart)
            self.viewport().update()
            return

        days = [p.day for s in drawn for p in s.points]
        x_lo, x_hi = (min(days + [0.0]), max(days + [0.0])) if days else (-30.0, 30.0)
        x_a, x_b, x_n = nice_range(x_lo, x_hi, 6, pad=0.04)
        ax = QValueAxis()
        ax.setTitleText(X_TITLE)
        ax.setRange(x_a, x_b)
        ax.setTickCount(x_n + 1 if x_n <= 12 else 7)
        ax.setLabelFormat("%.0f")
        chart.addAxis(ax, Qt.AlignmentFlag.AlignBottom)

        axes: dict[str, QValueAxis] = {}
        for side, title_text, vmin, vmax in (("left", spec.left_title, spec.left_min, None),
                                             ("right", spec.right_title, spec.right_min, spec.right_max)):
            vals = [p.value for s in drawn if s.axis == side for p in s.points]
            refs = [r.value for r in spec.ref_lines if r.axis == side]
            if side == "right" and not vals and not (refs and drawn):
                continue
            if side == "left" and not vals and not refs and drawn and any(s.axis == "right" for s in drawn):
                continue
            allv = vals + refs
            lo, hi = (min(allv), max(allv)) if allv else (0.0, 1.0)
            if vmin is not None:
                lo = min(lo, vmin)
            a, b, n = nice_range(lo, hi, 5)
            if vmin is not None and a < vmin <= lo:
                a = vmin
                step = _nice_step(b - a, 5)
                b = a + math.ceil((max(hi, a + 1e-9) * 1.06 - a) / step) * step
                n = max(1, int(round((b - a) / step)))
            ay = QValueAxis()
            ay.setTitleText(title_text)
            if vmin is not None and vmax is not None and lo >= vmin and hi <= vmax:
                # a bounded score (PUSH 0–17): always its whole scale, ticks on round numbers
                a, b = vmin, vmax
                step = _nice_step(b - a, 4)
                ay.setTickType(QValueAxis.TickType.TicksDynamic)
                ay.setTickAnchor(a)
                ay.setTickInterval(step)
                ay.setRange(a, b)
            else:
                if vmax is not None and b > vmax >= hi:
                    b = vmax
                ay.setRange(a, b)
                ay.setTickCount(min(n, 10) + 1)
                step = (b - a) / max(1, min(n, 10))
            ay.setLabelFormat("%.0f" if abs(step - round(step)) < 1e-9 and step >= 1 else "%.2g" if step < 0.1 else "%.1f")
            if side == "right" and "left" in axes:
                ay.setGridLineVisible(False)  # one set of grid lines, the left axis's
            chart.addAxis(ay, Qt.AlignmentFlag.AlignLeft if side == "left" else Qt.AlignmentFlag.AlignRight)
            axes[side] = ay

        # day 0
        if x_a <= 0 <= x_b and axes:
            first = axes.get("left") or axes.get("right")
            z = QLineSeries()
            z.append(QPointF(0, first.min()))
            z.append(QPointF(0, first.max()))
            pen = QPen(QColor("#8a8a8a"))
            pen.setStyle(Qt.PenStyle.DotLine)
            pen.setWidthF(1.0)
            z.setPen(pen)
            z.setName("day 0")
            self._add(chart, z, ax, first, legend=False)

        for r in spec.ref_lines:
            ay = axes.get(r.axis)
            if ay is None or not drawn:
                continue
            line = QLineSeries()
            line.setName(r.label)
            line.append(QPointF(x_a, r.value))
            line.append(QPointF(x_b, r.value))
            pen = QPen(QColor(r.color))
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setWidthF(1.5)
            line.setPen(pen)
            self._add(chart, line, ax, ay, legend=False)
            # the label sits at the line's right end, inside the plot, instead of in the legend
            tag = QScatterSeries()
            tag.setName(r.label)
            tag.setMarkerSize(1.0)
            tag.setColor(QColor(r.color))
            tag.setBorderColor(QColor(r.color))
            tag.append(QPointF(x_a + (x_b - x_a) * 0.16, r.value))
            tag.setPointLabelsFormat(r.label)
            tag.setPointLabelsVisible(True)
            tag.setPointLabelsClipping(False)
            tag.setPointLabelsColor(QColor(r.color))
            self._add(chart, tag, ax, ay, legend=False)

        for i, s in enumerate(drawn):
            ay = axes.get(s.axis)
            if ay is None:
                continue
            colour = QColor(s.color or PALETTE[i % len(PALETTE)])
            pts = sorted(s.points, key=lambda p: p.day)
            line = QLineSeries()
            line.setName(s.name)
            for p in pts:
                line.append(QPointF(p.day, p.value))
            pen = QPen(colour)
            pen.setWidthF(2.0)
            if s.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            line.setPen(pen)
            self._add(chart, line, ax, ay, legend=True)
            for approximate in (False, True):
                dots = [p for p in pts if p.approximate == approximate]
                if not dots:
                    continue
                sc = QScatterSeries()
                sc.setName(f"{s.name} ({'approximate' if approximate else 'exact'} time)")
                sc.setMarkerSize(9.0)
                sc.setColor(QColor("white") if approximate else colour)
                sc.setBorderColor(colour)
                for p in dots:
                    sc.append(QPointF(p.day, p.value))
                self._add(chart, sc, ax, ay, legend=False)
        self.setChart(chart)

    def drawForeground(self, painter: QPainter, rect) -> None:  # noqa: N802 (Qt's name)
        super().drawForeground(painter, rect)
        if not getattr(self, "empty_message", ""):
            return
        painter.save()
        painter.resetTransform()
        area = self.viewport().rect().adjusted(24, 48, -24, -24)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                         self.empty_message)
        painter.restore()

    @staticmethod
    def _add(chart: QChart, series, ax: QValueAxis, ay: QValueAxis, legend: bool) -> None:
        chart.addSeries(series)
        series.attachAxis(ax)
        series.attachAxis(ay)
        if not legend:
            for m in chart.legend().markers(series):
                m.setVisible(False)
