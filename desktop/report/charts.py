"""The report's charts, drawn with reportlab graphics: a panel helper (axes, ticks, series,
reference lines), the timeline figure, the lab trend chart and the wound trend chart.

All x axes are days from the index event (day 0). A point whose time is approximate is drawn as
an open marker, an exact one filled; the captions say so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from .fonts import SANS
from .styles import ACCENT, INK, MUTED, RULE, SERIES
from .text import plain

FONT = SANS
FS = 7.2  # tick and legend size


@dataclass
class Point:
    x: float  # day
    y: float
    approximate: bool = False


@dataclass
class Series:
    name: str
    points: list[Point]
    color: colors.Color = ACCENT
    dashed: bool = False
    marker: str = "circle"  # circle | square


@dataclass
class RefLine:
    y: float
    label: str
    color: colors.Color = MUTED


@dataclass
class Panel:
    title: str  # includes the unit: "Calcium × phosphate (mg²/dL²)"
    series: list[Series]
    ref_lines: list[RefLine] = field(default_factory=list)
    y_min: float | None = None  # forced lower bound (e.g. 0)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(1, n)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 1e-9:
        if t >= lo - step * 1e-9:
            ticks.append(round(t, 10))
        t += step
    return ticks


def fmt_tick(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        s = f"{int(round(v))}"
    else:
        s = f"{v:g}"
    return s.replace("-", "−")


def x_range(xs: list[float]) -> tuple[float, float, list[float]]:
    lo, hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    lo, hi = min(lo, 0.0), max(hi, 0.0)  # day 0 always shows
    if hi - lo < 1:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.04
    ticks = nice_ticks(lo - pad, hi + pad, 6)
    return min(ticks[0], lo - pad), max(ticks[-1], hi + pad), ticks


def _marker(x: float, y: float, s: Series, approximate: bool, r: float = 2.2):
    fill = colors.white if approximate else s.color
    if s.marker == "square":
        return Rect(x - r, y - r, 2 * r, 2 * r, fillColor=fill, strokeColor=s.color, strokeWidth=0.8)
    return Circle(x, y, r, fillColor=fill, strokeColor=s.color, strokeWidth=0.8)


def draw_panel(g: Group, panel: Panel, x0: float, y0: float, w: float, h: float,
               xlo: float, xhi: float, xticks: list[float], show_x_labels: bool) -> None:
    """Draw one panel with its plot area at (x0, y0, w, h)."""
    ys = [p.y for s in panel.series for p in s.points] + [r.y for r in panel.ref_lines]
    lo, hi = (min(ys), max(ys)) if ys else (0.0, 1.0)
    if panel.y_min is not None:
        lo = min(lo, panel.y_min)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    yticks = nice_ticks(lo - (pad if panel.y_min is None else 0), hi + pad, 4)
    ylo, yhi = min(yticks[0], lo), max(yticks[-1], hi + pad)

    def X(v: float) -> float:
        return x0 + (v - xlo) / (xhi - xlo) * w

    def Y(v: float) -> float:
        return y0 + (v - ylo) / (yhi - ylo) * h

    g.add(Rect(x0, y0, w, h, fillColor=None, strokeColor=RULE, strokeWidth=0.5))
    for t in yticks:
        if ylo <= t <= yhi:
            g.add(Line(x0, Y(t), x0 + w, Y(t), strokeColor=colors.HexColor("#e3e7eb"), strokeWidth=0.4))
            g.add(String(x0 - 3, Y(t) - FS / 3, fmt_tick(t), fontName=FONT, fontSize=FS,
                         fillColor=MUTED, textAnchor="end"))
    for t in xticks:
        if xlo <= t <= xhi:
            g.add(Line(X(t), y0, X(t), y0 - 2.5, strokeColor=MUTED, strokeWidth=0.5))
            if show_x_labels:
                g.add(String(X(t), y0 - 2.5 - FS - 1, fmt_tick(t), fontName=FONT, fontSize=FS,
                             fillColor=MUTED, textAnchor="middle"))
    if xlo <= 0 <= xhi:  # day 0
        g.add(Line(X(0), y0, X(0), y0 + h, strokeColor=MUTED, strokeWidth=0.6, strokeDashArray=[1.5, 1.5]))
    for r in panel.ref_lines:
        g.add(Line(x0, Y(r.y), x0 + w, Y(r.y), strokeColor=r.color, strokeWidth=0.8, strokeDashArray=[4, 2]))
        g.add(String(x0 + w - 2, Y(r.y) + 2, r.label, fontName=FONT, fontSize=FS - 0.5,
                     fillColor=r.color, textAnchor="end"))
    for s in panel.series:
        pts = sorted(s.points, key=lambda p: p.x)
        if len(pts) > 1:
            coords = []
            for p in pts:
                coords += [X(p.x), Y(p.y)]
            g.add(PolyLine(coords, strokeColor=s.color, strokeWidth=0.9,
                           strokeDashArray=[3, 1.5] if s.dashed else None))
        if len(pts) <= 400:  # markers beyond that are ink, not information
            for p in pts:
                g.add(_marker(X(p.x), Y(p.y), s, p.approximate))
    # title above the plot area, legend after it
    g.add(String(x0, y0 + h + 4, panel.title, fontName=FONT + "-Bold", fontSize=FS + 0.6, fillColor=INK))
    lx = x0 + stringWidth(panel.title, FONT + "-Bold", FS + 0.6) + 12
    for s in panel.series:
        if len(panel.series) == 1 and s.name in panel.title:
            break
        label = plain(s.name)  # never cut: a label that does not fit is left to the caption
        need = 14 + stringWidth(label, FONT, FS) + 10
        if lx + need > x0 + w:
            break  # no room: the caption names the series
        g.add(Line(lx, y0 + h + 6.5, lx + 10, y0 + h + 6.5, strokeColor=s.color, strokeWidth=0.9,
                   strokeDashArray=[3, 1.5] if s.dashed else None))
        g.add(_marker(lx + 5, y0 + h + 6.5, s, False, 1.8))
        g.add(String(lx + 14, y0 + h + 4, label, fontName=FONT, fontSize=FS, fillColor=INK))
        lx += need


def panels_drawing(panels: list[Panel], width: float, panel_h: float = 92, x_label: str = "Day (day 0 = index event)") -> Drawing:
    """Stacked panels sharing one day axis."""
    xs = [p.x for pa in panels for s in pa.series for p in s.points]
    xlo, xhi, xticks = x_range(xs)
    left, right, top_pad, gap, bottom = 34, 6, 16, 26, 26
    height = bottom + len(panels) * panel_h + (len(panels) - 1) * gap + top_pad
    d = Drawing(width, height)
    g = Group()
    y = height - top_pad - panel_h
    for i, pa in enumerate(panels):
        last = i == len(panels) - 1
        draw_panel(g, pa, left, y, width - left - right, panel_h, xlo, xhi, xticks, show_x_labels=True)
        if last:
            g.add(String(left + (width - left - right) / 2, 3, x_label, fontName=FONT, fontSize=FS,
                         fillColor=MUTED, textAnchor="middle"))
        y -= panel_h + gap
    d.add(g)
    return d


# --- the timeline figure --------------------------------------------------------------------------

@dataclass
class TimelineItem:
    number: int  # as in the timeline table
    day: float
    label: str
    approximate: bool
    precision: str = "day"  # day | week | month: the width of the uncertainty bar


HALF_SPAN = {"day": 1.0, "week": 3.5, "month": 15.2}


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid].rstrip() + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…" if lo else ""


TIMELINE_ROWS = 60  # rows in one drawing; longer timelines continue in further drawings


def timeline_drawings(items: list[TimelineItem], width: float) -> list[Drawing]:
    """The timeline figure as drawings of at most TIMELINE_ROWS events each, sharing one day axis."""
    ordered = sorted(items, key=lambda i: (i.day, i.number))
    span = x_range([it.day for it in ordered])
    return [timeline_drawing(ordered[k:k + TIMELINE_ROWS], width, span)
            for k in range(0, len(ordered), TIMELINE_ROWS)]


def timeline_drawing(items: list[TimelineItem], width: float,
                     span: tuple[float, float, list[float]] | None = None) -> Drawing:
    """One row per event (in time order) on a shared day axis: a dot at the event's day, its
    number (the timeline table's) in the left gutter, and its label beside the dot. Approximate or
    coarse times get an open dot, a '~' and a bar spanning their uncertainty."""
    n = len(items)
    row_h = 11.0 if n <= 30 else 8.6
    fs = FS if n <= 30 else 6.4
    gutter, right = 20, 6
    w = width - gutter - right
    xlo, xhi, xticks = span or x_range([it.day for it in items])

    def X(v: float) -> float:
        return gutter + (max(xlo, min(xhi, v)) - xlo) / (xhi - xlo) * w

    axis_y = 24
    top_pad = 6
    height = axis_y + 6 + n * row_h + top_pad
    d = Drawing(width, height)
    plot_top = height - top_pad
    d.add(Rect(gutter, axis_y, w, plot_top - axis_y, fillColor=None, strokeColor=RULE, strokeWidth=0.5))
    for t in xticks:
        if xlo <= t <= xhi:
            d.add(Line(X(t), axis_y, X(t), axis_y - 3, strokeColor=INK, strokeWidth=0.6))
            d.add(String(X(t), axis_y - 3 - FS - 1, fmt_tick(t), fontName=FONT, fontSize=FS,
                         fillColor=MUTED, textAnchor="middle"))
            d.add(Line(X(t), axis_y, X(t), plot_top, strokeColor=colors.HexColor("#edf0f3"), strokeWidth=0.4))
    if xlo <= 0 <= xhi:
        d.add(Line(X(0), axis_y, X(0), plot_top, strokeColor=MUTED, strokeWidth=0.6, strokeDashArray=[1.5, 1.5]))
    d.add(String(gutter + w / 2, 1, "Day (day 0 = index event)", fontName=FONT, fontSize=FS,
                 fillColor=MUTED, textAnchor="middle"))
    for i, it in enumerate(sorted(items, key=lambda i: (i.day, i.number))):
        y = plot_top - (i + 0.5) * row_h - 3
        x = X(it.day)
        loose = it.approximate or it.precision != "day"
        lo_x = hi_x = x
        if loose:
            half = HALF_SPAN.get(it.precision, 1.0)
            lo_x, hi_x = X(it.day - half), X(it.day + half)
            d.add(Line(lo_x, y, hi_x, y, strokeColor=colors.HexColor("#b9cadb"), strokeWidth=2.2))
        d.add(Circle(x, y, 2.4, fillColor=colors.white if loose else ACCENT, strokeColor=ACCENT, strokeWidth=0.9))
        num = ("~" if loose else "") + str(it.number)
        d.add(String(gutter - 3, y - fs / 3, num, fontName=FONT, fontSize=fs, fillColor=INK, textAnchor="end"))
        text = plain(it.label)
        right_x = max(x + 5, hi_x + 3)
        left_x = min(x - 5, lo_x - 3)
        room_right = gutter + w - right_x - 2
        room_left = left_x - gutter - 2
        # labels are short (the event's kind; the timeline table describes it) and never cut:
        # on the side with room for them, else the side with more room
        shown = text
        tw = stringWidth(shown, FONT, fs)
        if room_right >= tw or room_right >= room_left:
            x0, anchor = right_x, "start"
        else:
            x0, anchor = left_x - tw, "end"
        if shown:  # a white ground so grid lines and day 0 do not run through the words
            d.add(Rect(x0 - 1, y - fs / 3 - 1.6, tw + 2, fs + 1.2, fillColor=colors.white, strokeColor=None))
            d.add(String(x0 + (tw if anchor == "end" else 0), y - fs / 3, shown, fontName=FONT, fontSize=fs,
                         fillColor=INK, textAnchor=anchor))
    return d


def series_color(i: int) -> colors.Color:
    return SERIES[i % len(SERIES)]
