"""The drawn timeline: the case's events on a day axis (day 0 = the index event).

Each event is a marker on the axis, coloured and shaped by its kind (shape as well as colour, so
the kinds stay apart in grey print and for colour-blind readers); approximate times are hollow
markers with a dashed bracket spanning their uncertainty (half a unit of their precision: ±15 days
for "about 2 months before"). Labels sit in lanes above the axis, each in the first lane where it
does not overlap another, joined to its marker by a leader line. Events whose time cannot be placed
are counted under the legend (the table lists them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from .. import timing
from ..model import Case, Event, EventKind
from .formatting import label_of

# kind -> (colour, shape). Colours from the Okabe-Ito and Tol palettes (colour-blind safe); the
# shape groups kinds: triangles onsets, circles encounters, diamonds diagnostics, squares treatment.
KIND_STYLES: dict[str, tuple[str, str]] = {
    "symptom_onset": ("#e69f00", "triangle"),
    "lesion_onset": ("#d55e00", "triangle"),
    "complication": ("#ee3377", "triangle_down"),
    "recurrence": ("#cc3311", "triangle"),  # an onset again
    "presentation": ("#0072b2", "circle"),
    "examination": ("#56b4e9", "circle"),
    "discharge": ("#332288", "circle"),
    "follow_up": ("#6699cc", "circle"),
    "laboratory": ("#009e73", "diamond"),
    "imaging": ("#117733", "diamond"),
    "biopsy": ("#44aa99", "diamond"),
    "procedure": ("#999933", "square"),
    "treatment_start": ("#cc79a7", "square"),
    "treatment_change": ("#aa4499", "square"),
    "treatment_stop": ("#882255", "square"),
    "death": ("#000000", "cross"),
    "other": ("#777777", "circle"),
}
assert set(KIND_STYLES) == set(EventKind.__args__)  # a new kind needs its style


def uncertainty_days(placed: timing.Placed) -> float:
    """Half-width of the range an approximate or coarse time stands for, in days."""
    half = timing.DAYS_PER[placed.precision] / 2 if placed.precision != "day" else 0.0
    if placed.approximate:
        half = max(half, 1.0)
    return half


@dataclass
class _Item:
    event: Event
    placed: timing.Placed
    colour: QColor
    shape: str
    x: float = 0.0
    lane: int = 0
    label: str = ""
    label_rect: QRectF = field(default_factory=QRectF)
    bar_lane: int = 0
    half: float = 0.0


def draw_marker(p: QPainter, centre: QPointF, size: float, colour: QColor, shape: str, hollow: bool,
                selected: bool = False) -> None:
    r = size / 2
    pen = QPen(colour.darker(140) if not hollow else colour, 2.0 if hollow or selected else 1.2)
    p.setPen(pen)
    p.setBrush(QBrush(QColor("white") if hollow else colour))
    x, y = centre.x(), centre.y()
    if shape == "circle":
        p.drawEllipse(centre, r, r)
    elif shape == "square":
        p.drawRect(QRectF(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8))
    elif shape == "diamond":
        p.drawPolygon(QPolygonF([QPointF(x, y - r * 1.15), QPointF(x + r * 1.15, y), QPointF(x, y + r * 1.15),
                                 QPointF(x - r * 1.15, y)]))
    elif shape == "triangle":
        p.drawPolygon(QPolygonF([QPointF(x, y - r * 1.1), QPointF(x + r * 1.1, y + r * 0.9),
                                 QPointF(x - r * 1.1, y + r * 0.9)]))
    elif shape == "triangle_down":
        p.drawPolygon(QPolygonF([QPointF(x, y + r * 1.1), QPointF(x + r * 1.1, y - r * 0.9),
                                 QPointF(x - r * 1.1, y - r * 0.9)]))
    else:  # cross: a square with an X, for death
        p.drawRect(QRectF(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8))
        p.setPen(QPen(QColor("white") if not hollow else colour, 1.6))
        p.drawLine(QPointF(x - r * 0.55, y - r * 0.55), QPointF(x + r * 0.55, y + r * 0.55))
        p.drawLine(QPointF(x - r * 0.55, y + r * 0.55), QPointF(x + r * 0.55, y - r * 0.55))
    if selected:
        p.setPen(QPen(QColor("#000000"), 1.0, Qt.PenStyle.DotLine))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(centre, r + 4, r + 4)


def _nice_step(span_days: float, max_ticks: int) -> float:
    for step in (1, 2, 5, 7, 14, 30, 60, 90, 180, 365, 730, 1825, 3650):
        if span_days / step <= max_ticks:
            return step
    return 10 ** math.ceil(math.log10(max(span_days / max_ticks, 1)))


class TimelineView(QWidget):
    """Draws the case's events on a day axis. ``event_selected(id)`` when the user picks one (click,
    or Left/Right/Home/End with the keyboard focus here)."""

    event_selected = Signal(str)

    MARGIN = 18

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._case: Case | None = None
        self._items: list[_Item] = []
        self._unplaced: list[Event] = []
        self._selected: str | None = None
        self._range = (-1.0, 1.0)
        self._laid_width = -1
        self._height = 200
        self._kept: tuple[str | None, int] = (None, 0)  # (case id, the tallest this case's drawing has been)
        self._grown = 0  # pixels the drawing grew by with an edit, for the page to scroll by (resizeEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Timeline drawing")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, pal.color(QPalette.ColorRole.Base))
        self.setPalette(pal)

    # --- data ------------------------------------------------------------------------------------

    def set_case(self, case: Case) -> None:
        self._case = case
        tl = timing.Timeline(case)
        items, unplaced = [], []
        for ev in case.events:
            placed = tl.event_day(ev.id)
            if placed is None:
                unplaced.append(ev)
                continue
            colour, shape = KIND_STYLES.get(ev.kind, KIND_STYLES["other"])
            it = _Item(ev, placed, QColor(colour), shape)
            it.half = uncertainty_days(placed)
            items.append(it)
        items.sort(key=lambda i: (i.placed.day, case.events.index(i.event)))
        self._items = items
        self._unplaced = unplaced
        if items:
            lo = min(min(i.placed.day - i.half for i in items), 0.0)
            hi = max(max(i.placed.day + i.half for i in items), 0.0)
        else:
            lo, hi = -7.0, 7.0
        if hi - lo < 14:
            mid = (hi + lo) / 2
            lo, hi = mid - 7, mid + 7
        pad = (hi - lo) * 0.04
        self._range = (lo - pad, hi + pad)
        if self._selected is not None and case.event(self._selected) is None:
            self._selected = None
        self._laid_width = -1
        self._relayout()
        self._update_accessible()
        self.update()

    def select(self, event_id: str | None) -> None:
        """Highlight an event (no signal)."""
        if event_id != self._selected:
            self._selected = event_id
            self.update()

    def selected(self) -> str | None:
        return self._selected

    def placed_ids(self) -> list[str]:
        return [i.event.id for i in self._items]

    def unplaced_ids(self) -> list[str]:
        return [e.id for e in self._unplaced]

    def marker_pos(self, event_id: str) -> QPointF | None:
        self._ensure_layout()
        it = next((i for i in self._items if i.event.id == event_id), None)
        return QPointF(it.x, self._axis_y) if it else None

    def label_rect(self, event_id: str) -> QRectF | None:
        self._ensure_layout()
        it = next((i for i in self._items if i.event.id == event_id), None)
        return QRectF(it.label_rect) if it else None

    def marker(self, event_id: str) -> dict | None:
        """How an event is drawn: its colour, shape, whether hollow (approximate) and the half-width
        of its dashed range in days — for tests and for describing the drawing."""
        it = next((i for i in self._items if i.event.id == event_id), None)
        if it is None:
            return None
        return {"colour": it.colour.name(), "shape": it.shape, "hollow": it.placed.approximate,
                "range_days": it.half, "day": it.placed.day}

    def lanes(self) -> int:
        self._ensure_layout()
        return 1 + max((i.lane for i in self._items), default=-1)

    # --- geometry --------------------------------------------------------------------------------

    def x_for(self, day: float) -> float:
        lo, hi = self._range
        left, right = self.MARGIN, max(self.width(), 200) - self.MARGIN
        return left + (day - lo) / (hi - lo) * (right - left)

    def _metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self.font())

    def _ensure_layout(self) -> None:
        if self._laid_width != self.width():
            self._relayout()

    def _relayout(self) -> None:
        fm = self._metrics()
        lh = fm.height()
        self._lane_h = lh + 6
        self._marker = max(10.0, lh * 0.7)
        width = max(self.width(), 200)
        self._laid_width = self.width()
        header = lh + 10
        # labels: greedy lanes, left-anchored at the marker unless that runs off the right edge
        max_label = min(260.0, width * 0.32)
        lanes: list[list[tuple[float, float]]] = []
        for it in self._items:
            it.x = self.x_for(it.placed.day)
            text = it.event.description.strip().split("\n")[0] or label_of(it.event.kind)
            it.label = fm.elidedText(text, Qt.TextElideMode.ElideRight, max_label)
            w = fm.horizontalAdvance(it.label) + self._marker + 14
            left = it.x - self._marker / 2 - 3
            if left + w > width - 4:
                left = max(4.0, it.x + self._marker / 2 + 3 - w)
            span = (left, left + w)
            for n, lane in enumerate(lanes):
                if all(span[1] + 6 <= a or span[0] >= b + 6 for a, b in lane):
                    lane.append(span)
                    it.lane = n
                    break
            else:
                lanes.append([span])
                it.lane = len(lanes) - 1
            it.label_rect = QRectF(span[0], 0, w, lh + 2)  # y set below
        n_lanes = max(1, len(lanes))
        self._axis_y = header + n_lanes * self._lane_h + self._marker + 8
        for it in self._items:
            y = self._axis_y - self._marker - 8 - (it.lane + 1) * self._lane_h + 3
            it.label_rect.moveTop(y)
        # uncertainty bars: lanes under the axis
        bar_lanes: list[list[tuple[float, float]]] = []
        for it in (i for i in self._items if i.half > 0):
            a, b = self.x_for(it.placed.day - it.half), self.x_for(it.placed.day + it.half)
            for n, lane in enumerate(bar_lanes):
                if all(b + 3 <= x0 or a >= x1 + 3 for x0, x1 in lane):
                    lane.append((a, b))
                    it.bar_lane = n
                    break
            else:
                if len(bar_lanes) < 8:
                    bar_lanes.append([(a, b)])
                    it.bar_lane = len(bar_lanes) - 1
                else:
                    it.bar_lane = len(bar_lanes) - 1
        self._bar_top = self._axis_y + self._marker / 2 + 5
        bars_h = len(bar_lanes) * 6
        self._ticks_y = self._bar_top + bars_h + 4
        self._legend_y = self._ticks_y + lh + 14
        legend_h = self._legend_height(width)
        # the line "N events not drawn" keeps its room while empty, so it never moves what is below;
        # and the drawing of a case never gets shorter while it is shown: an edit that lets two labels
        # share a lane (a time given in weeks, not days) would pull up the form under it, and the
        # author's next click would land on another field (issue 16)
        height = int(self._legend_y + legend_h + lh + 6 + 8)
        case_id = self._case.id if self._case is not None else None
        if self._kept[0] == case_id:
            if height > self._kept[1] and self.isVisible():
                self._grown += height - max(self._kept[1], self.height())
            height = max(height, self._kept[1])
        self._kept = (case_id, height)
        self._height = height
        if self.minimumHeight() != self._height:
            self.setMinimumHeight(self._height)
            self.setMaximumHeight(self._height)
            self.updateGeometry()

    def _legend_entries(self) -> list[tuple[str, QColor, str, bool]]:
        kinds = []
        for it in self._items:
            if it.event.kind not in kinds:
                kinds.append(it.event.kind)
        out = [(label_of(k), QColor(KIND_STYLES[k][0]), KIND_STYLES[k][1], False) for k in kinds]
        if any(it.placed.approximate or it.half > 0 for it in self._items):
            out.append(("approximate (dashed: its range)", QColor("#555555"), "circle", True))
        return out

    def _legend_layout(self, width: float) -> list[tuple[QRectF, tuple]]:
        fm = self._metrics()
        x, y = float(self.MARGIN), 0.0
        out = []
        for entry in self._legend_entries():
            w = self._marker + 6 + fm.horizontalAdvance(entry[0]) + 18
            if x + w > width - self.MARGIN and x > self.MARGIN:
                x, y = float(self.MARGIN), y + fm.height() + 6
            out.append((QRectF(x, y, w, fm.height()), entry))
            x += w
        return out

    def _legend_height(self, width: float) -> float:
        lay = self._legend_layout(width)
        return (lay[-1][0].bottom() + 4) if lay else 0.0

    def sizeHint(self) -> QSize:
        return QSize(700, self._height)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, self._height)

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        grown = ev.size().height() - ev.oldSize().height() if ev.oldSize().height() > 0 else 0
        if self._grown > 0 and grown > 0:
            self._keep_what_is_below(min(grown, self._grown))
        self._grown = 0
        self._relayout()

    def _keep_what_is_below(self, grown: int) -> None:
        """The drawing grew with an edit (a label needed a lane of its own): the page scrolls by as
        much, so the event's form under it stays where it was on the screen and the author's next click
        lands where they aimed (issue 16). The drawing's top goes up instead, as a browser's scroll
        anchoring does."""
        from PySide6.QtWidgets import QScrollArea
        p = self.parentWidget()
        while p is not None and not isinstance(p, QScrollArea):
            p = p.parentWidget()
        if p is None:
            return
        bar = p.verticalScrollBar()
        target = bar.value() + grown
        bar.setValue(target)
        if bar.value() == target:
            return
        # the page's new height is not in the scroll bar yet: once it is (a range that has not come
        # to take it within a moment is left alone)
        pending = [True]

        def scroll(_lo=0, hi=-1):
            if not pending or 0 <= hi < target:
                return
            pending.clear()
            bar.rangeChanged.disconnect(scroll)
            if hi >= target:
                bar.setValue(target)
        bar.rangeChanged.connect(scroll)
        QTimer.singleShot(250, scroll)

    # --- painting ---------------------------------------------------------------------------------

    def paintEvent(self, _ev):
        self._ensure_layout()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text_colour = pal.color(QPalette.ColorRole.WindowText)
        muted = QColor(text_colour)
        muted.setAlpha(150)
        fm = self._metrics()
        width = self.width()
        # header: what day 0 is
        idx = self._case.index_event if self._case is not None else None
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(text_colour)
        if idx is not None:
            head = "Day 0 = " + (idx.description.strip().split("\n")[0] or label_of(idx.kind))
        else:
            head = "No day 0 yet: select the index event and choose \u201cSet as day 0\u201d"
        p.drawText(QRectF(self.MARGIN, 4, width - 2 * self.MARGIN, fm.height() + 2),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   QFontMetricsF(bold).elidedText(head, Qt.TextElideMode.ElideRight, width - 2 * self.MARGIN))
        p.setFont(self.font())
        ay = self._axis_y
        lo, hi = self._range
        # day-0 guide
        x0 = self.x_for(0.0)
        p.setPen(QPen(muted, 1.0, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x0, fm.height() + 8), QPointF(x0, self._ticks_y))
        # axis and ticks
        p.setPen(QPen(text_colour, 1.4))
        p.drawLine(QPointF(self.MARGIN, ay), QPointF(width - self.MARGIN, ay))
        step = _nice_step(hi - lo, max(2, int((width - 2 * self.MARGIN) / (fm.horizontalAdvance("day −000") + 24))))
        first = math.ceil(lo / step) * step
        d = first
        while d <= hi:
            x = self.x_for(d)
            p.setPen(QPen(text_colour, 1.0))
            p.drawLine(QPointF(x, ay - 4), QPointF(x, ay + 4))
            n = round(d)
            text = f"day {'−' if n < 0 else ''}{abs(n)}"
            p.setFont(bold if n == 0 else self.font())
            p.drawText(QRectF(x - 60, self._ticks_y, 120, fm.height()), Qt.AlignmentFlag.AlignHCenter, text)
            d += step
        p.setFont(self.font())
        # uncertainty bars
        for it in self._items:
            if it.half <= 0:
                continue
            a, b = self.x_for(it.placed.day - it.half), self.x_for(it.placed.day + it.half)
            y = self._bar_top + it.bar_lane * 6
            pen = QPen(it.colour, 1.6, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(a, y), QPointF(b, y))
            p.setPen(QPen(it.colour, 1.6))
            p.drawLine(QPointF(a, y - 3), QPointF(a, y + 3))
            p.drawLine(QPointF(b, y - 3), QPointF(b, y + 3))
        # leader lines, then markers, then labels (labels on top, readable)
        for it in self._items:
            c = QColor(it.colour)
            c.setAlpha(160)
            p.setPen(QPen(c, 1.0))
            p.drawLine(QPointF(it.x, it.label_rect.bottom()), QPointF(it.x, ay - self._marker / 2 - 1))
        # approximate (hollow) markers first, so an exact time at the same spot stays visible; the
        # selected one last
        order = sorted(self._items, key=lambda i: (i.event.id == self._selected, not i.placed.approximate))
        for it in order:
            draw_marker(p, QPointF(it.x, ay), self._marker, it.colour, it.shape,
                        hollow=it.placed.approximate, selected=it.event.id == self._selected)
        base = pal.color(QPalette.ColorRole.Base)
        for it in self._items:
            r = it.label_rect
            sel = it.event.id == self._selected
            bg = QColor(pal.color(QPalette.ColorRole.Highlight)) if sel else QColor(base)
            bg.setAlpha(70 if sel else 225)
            p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight).darker(120), 1.5) if sel else Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(r, 3, 3)
            draw_marker(p, QPointF(r.left() + 3 + self._marker / 2, r.center().y()), self._marker * 0.8,
                        it.colour, it.shape, hollow=it.placed.approximate)
            p.setPen(text_colour)
            p.drawText(QRectF(r.left() + self._marker + 8, r.top(), r.width() - self._marker - 8, r.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, it.label)
        p.setFont(self.font())
        # legend
        for rect, (text, colour, shape, hollow) in self._legend_layout(width):
            rect = rect.translated(0, self._legend_y)
            draw_marker(p, QPointF(rect.left() + self._marker / 2, rect.center().y()), self._marker * 0.85,
                        colour, shape, hollow)
            if hollow:
                p.setPen(QPen(colour, 1.4, Qt.PenStyle.DashLine))
            p.setPen(text_colour)
            p.drawText(QRectF(rect.left() + self._marker + 6, rect.top(), rect.width(), rect.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        if self._unplaced:
            n = len(self._unplaced)
            y = self._legend_y + self._legend_height(width) + 2
            p.setPen(muted)
            p.drawText(QRectF(self.MARGIN, y, width - 2 * self.MARGIN, fm.height() + 4),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       f"{n} event{'s' if n != 1 else ''} not drawn: {'their' if n != 1 else 'its'} time is not "
                       f"known relative to day 0 (see the table).")
        if self.hasFocus():
            p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 1.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(0.5, 0.5, width - 1, self.height() - 1))
        p.end()

    # --- interaction -----------------------------------------------------------------------------

    def event_at(self, pos: QPointF) -> str | None:
        self._ensure_layout()
        for it in reversed(self._items):
            if it.label_rect.contains(pos):
                return it.event.id
        best, dist = None, self._marker
        for it in self._items:
            d = math.hypot(it.x - pos.x(), self._axis_y - pos.y())
            if d <= dist:
                best, dist = it.event.id, d
        return best

    def mousePressEvent(self, ev):
        hit = self.event_at(ev.position())
        if hit is not None:
            self._pick(hit)
        super().mousePressEvent(ev)

    def keyPressEvent(self, ev):
        ids = self.placed_ids()
        if not ids:
            return super().keyPressEvent(ev)
        key = ev.key()
        cur = ids.index(self._selected) if self._selected in ids else -1
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self._pick(ids[min(cur + 1, len(ids) - 1)])
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self._pick(ids[max(cur - 1, 0)] if cur >= 0 else ids[0])
        elif key == Qt.Key.Key_Home:
            self._pick(ids[0])
        elif key == Qt.Key.Key_End:
            self._pick(ids[-1])
        else:
            super().keyPressEvent(ev)

    def _pick(self, event_id: str) -> None:
        self.select(event_id)
        self.event_selected.emit(event_id)
        it = next((i for i in self._items if i.event.id == event_id), None)
        if it is not None:
            self.setAccessibleDescription(self._describe(it))

    def _describe(self, it: _Item) -> str:
        words = f" (\u201c{it.event.when.label}\u201d)" if it.event.when.label else ""
        return f"{label_of(it.event.kind)}: {it.event.description}\n{timing.describe(it.placed)}{words}"

    def event(self, ev):
        if ev.type() == ev.Type.ToolTip:
            hit = self.event_at(QPointF(ev.pos()))
            it = next((i for i in self._items if i.event.id == hit), None)
            if it is not None:
                QToolTip.showText(ev.globalPos(), self._describe(it), self)
            else:
                QToolTip.hideText()
                ev.ignore()
            return True
        return super().event(ev)

    def _update_accessible(self) -> None:
        n = len(self._items)
        self.setAccessibleDescription(
            f"{n} event{'s' if n != 1 else ''} on the day axis, {len(self._unplaced)} without a known time. "
            "Use the left and right arrow keys to move between events.")
