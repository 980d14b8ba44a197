"""The body map in the GUI: the drawings of resources/bodymap/ with clickable regions and numbered
lesion markers, and a keyboard site picker that makes the same choice.

Geometry, hit testing and marker placement come from desktop/bodymap.py; this module only paints and
turns mouse and keys into signals.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QKeyEvent, QMouseEvent, QPainter,
                           QPainterPath, QPaintEvent, QPen, QTransform)
from PySide6.QtWidgets import (QComboBox, QCompleter, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QTabBar, QToolTip, QWidget)

from desktop import bodymap, catalogue
from .fields import FormCombo

SKIN = QColor("#F3E6DC")
LINE = QColor("#8C7B70")
DETAIL = QColor("#B29E91")
HOVER = QColor("#CFE2F6")
HOVER_LINE = QColor("#2F6FB0")
MARKER = QColor("#B3261E")
SELECTED = QColor("#1D4ED8")
PAPER = QColor("#FFFFFF")
INK = QColor("#4A4A4A")
MARKER_RADIUS = 9.0  # logical pixels, whatever the zoom

SIDES = [("left", "left"), ("right", "right"), ("bilateral", "both sides"), ("midline", "midline"),
         ("unspecified", "side not stated")]
COARSE_FILL = QColor(179, 38, 30, 28)  # a site given without its part: the regions it may be, lightly
# a lesion whose source does not say where it is ("painful ulcers"): recorded without a site, never put
# on the map at a place the author did not write; the lesion list calls it "site not recorded"
NO_SITE = ("", "site not recorded (the source does not say where)")


def site_entries(other_names: bool = False) -> list[tuple[str, str]]:
    """Every site the picker offers, as (code, "label (region)"): per region of the catalogue, the
    region as a source may give it without its aspect or part ("thigh, aspect not stated",
    "ring finger, part not stated") first, then its fine sites. ``other_names``: after each, the
    other names case reports give it by, as (code, "name (label)"), for typing a site."""
    fine = list(catalogue.sites().values())
    coarse = list(catalogue.coarse_sites().values())
    placed: dict[str, list] = {}
    for c in coarse:  # under the region of the first fine site it covers
        first = catalogue.sites().get(bodymap.covers(c.code)[0]) if bodymap.covers(c.code) else None
        placed.setdefault(first.region if first else c.region, []).append(c)
    names = catalogue.site_names() if other_names else {}

    def entries(site) -> list[tuple[str, str]]:
        # the site, then each other name it is given by, pointing to it: "medial thigh (thigh, medial)"
        return [(site.code, f"{site.label} ({site.region})")] + [(site.code, f"{n} ({site.label})")
                                                                 for n in names.get(site.code, [])]
    out, seen = [], set()
    for f in fine:
        if f.region not in seen:
            seen.add(f.region)
            out += [e for c in placed.pop(f.region, []) for e in entries(c)]
        out += entries(f)
    for rest in placed.values():
        out += [e for c in rest for e in entries(c)]
    return out


def _qpath(commands) -> QPainterPath:
    p = QPainterPath()
    for op, pts in commands:
        if op == "M":
            p.moveTo(*pts[0])
        elif op == "L":
            p.lineTo(*pts[0])
        elif op == "C":
            p.cubicTo(*pts[0], *pts[1], *pts[2])
        elif op == "Q":
            p.quadTo(*pts[0], *pts[1])
        elif op == "Z":
            p.closeSubpath()
    return p


class BodyMapWidget(QWidget):
    """Front, back, hands, feet and genitalia views; click a region to pick its site.

    Signals: ``regionClicked(site, laterality)`` for a click (or Enter) on a region, laterality being
    the patient's; ``lesionClicked(lesion_id)`` for a click on a numbered marker."""

    regionClicked = Signal(str, str)
    lesionClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._views = bodymap.views()
        self._paths: dict[str, tuple[list[QPainterPath], list[QPainterPath], list[QPainterPath]]] = {}
        self._lesions: list[tuple[int, str, str, str]] = []
        self._selected: str | None = None
        self._group: str | None = None
        self._hover: bodymap.Region | None = None
        self._focus_index = -1
        self._pressed = None
        self.tabs = QTabBar(self)
        self.tabs.setAccessibleName("Body map view")
        for v in self._views:
            self.tabs.addTab(v.title)
            self.tabs.setTabToolTip(self.tabs.count() - 1, v.orientation)
        self.tabs.currentChanged.connect(self._view_changed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName("Body map")
        self.setAccessibleDescription("Click a region to choose its site. With the keyboard: arrow keys move "
                                      "between regions, Enter chooses; the site picker offers the same choice.")
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    # --- public API ------------------------------------------------------------------------------

    def set_lesions(self, lesions: list[tuple[int, str, str, str]]) -> None:
        """Markers to draw: (number, site, laterality, lesion_id) for each lesion."""
        self._lesions = [tuple(l) for l in lesions]
        self.update()

    def set_selected(self, lesion_id: str | None) -> None:
        self._selected = lesion_id
        self.update()

    def set_sex(self, sex: str | None) -> None:
        """Which genital panel a perineum marker goes on ("male"/"female"; others: the first)."""
        self._group = sex if sex in ("male", "female") else None
        self.update()

    def set_view(self, name: str) -> None:
        self.tabs.setCurrentIndex([v.name for v in self._views].index(bodymap.view(name).name))

    def current_view(self) -> str:
        return self._views[max(0, self.tabs.currentIndex())].name

    def point_for(self, view: str, site: str, laterality: str) -> QPoint:
        """Shows `view` and returns the widget point inside the region for (site, laterality), for
        tests and for scrolling a lesion into sight."""
        self.set_view(view)
        x, y = bodymap.marker_point(view, site, laterality, self._group)
        return self._to_widget(x, y).toPoint()

    def marker_pos(self, lesion_id: str) -> QPoint | None:
        """Where the marker of `lesion_id` is drawn in the current view (widget coordinates)."""
        for m in self._markers():
            if self._lesions[m.lesion][3] == lesion_id:
                return self._to_widget(m.x, m.y).toPoint()
        return None

    def sizeHint(self) -> QSize:
        return QSize(380, 680)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 320)

    # --- geometry --------------------------------------------------------------------------------

    @property
    def _view(self) -> bodymap.View:
        return self._views[max(0, self.tabs.currentIndex())]

    def _canvas(self) -> QRectF:
        top = self.tabs.height() + 4
        return QRectF(6, top, max(1, self.width() - 12), max(1, self.height() - top - 6))

    def _transform(self) -> QTransform:
        v, c = self._view, self._canvas()
        s = min(c.width() / v.width, c.height() / v.height)
        ox = c.x() + (c.width() - v.width * s) / 2
        oy = c.y() + (c.height() - v.height * s) / 2
        return QTransform(s, 0, 0, s, ox, oy)

    def _scale(self) -> float:
        return self._transform().m11()

    def _to_widget(self, x: float, y: float) -> QPointF:
        return self._transform().map(QPointF(x, y))

    def _to_drawing(self, p: QPointF) -> tuple[float, float]:
        inv, _ = self._transform().inverted()
        q = inv.map(QPointF(p))
        return q.x(), q.y()

    def _cached_paths(self, v: bodymap.View):
        if v.name not in self._paths:
            under = [_qpath(c) for c in v.outline if bodymap.is_closed(c)]
            over = [_qpath(c) for c in v.outline if not bodymap.is_closed(c)]
            regions = [_qpath(r.commands) for r in v.regions]
            self._paths[v.name] = (under, regions, over)
        return self._paths[v.name]

    def _markers(self) -> list[bodymap.Marker]:
        if not self._lesions:
            return []
        return bodymap.place_markers(self._view, self._lesions, MARKER_RADIUS / self._scale(), self._group)

    def _marker_at(self, pos: QPointF) -> bodymap.Marker | None:
        for m in reversed(self._markers()):
            c = self._to_widget(m.x, m.y)
            if (c.x() - pos.x()) ** 2 + (c.y() - pos.y()) ** 2 <= (MARKER_RADIUS + 1) ** 2:
                return m
        return None

    def _region_at(self, pos: QPointF) -> bodymap.Region | None:
        return bodymap.hit_test(self._view, *self._to_drawing(pos))

    def _text_at(self, pos: QPointF) -> str:
        m = self._marker_at(pos)
        if m is not None:
            _, site, lat, _ = self._lesions[m.lesion]
            return f"Lesion {m.number}: {bodymap.site_text(site, lat)}"
        r = self._region_at(pos)
        return bodymap.site_text(r.site, r.laterality) if r else ""

    # --- painting --------------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        self.tabs.setGeometry(0, 0, self.width(), self.tabs.sizeHint().height())
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        v = self._view
        under, regions, over = self._cached_paths(v)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.setRenderHint(QPainter.TextAntialiasing)
        p.fillRect(self.rect(), PAPER)
        t = self._transform()
        p.setTransform(t)
        pen = QPen(LINE, 1.1)
        pen.setCosmetic(True)
        pen.setJoinStyle(Qt.RoundJoin)
        p.setPen(pen)
        p.setBrush(SKIN)
        for path in under:
            p.drawPath(path)
        focus = v.regions[self._focus_index] if 0 <= self._focus_index < len(v.regions) else None
        for r, path in zip(v.regions, regions):
            p.drawPath(path)
        for r in {self._hover, focus} - {None}:
            hp = QPen(HOVER_LINE, 1.6 if r is self._hover else 2.2)
            hp.setCosmetic(True)
            if r is focus and r is not self._hover:
                hp.setStyle(Qt.DashLine)
            p.setPen(hp)
            p.setBrush(HOVER)
            p.drawPath(regions[r.index])
        dp = QPen(DETAIL, 0.9)
        dp.setCosmetic(True)
        dp.setCapStyle(Qt.RoundCap)
        p.setPen(dp)
        p.setBrush(Qt.NoBrush)
        for path in over:
            p.drawPath(path)
        p.resetTransform()
        s = t.m11()
        for lab in v.labels:
            self._draw_label(p, lab, s)
        self._draw_coarse(p, t, regions)
        markers = self._markers()
        spot = v.spot("unplaced")
        if spot and any(m.kind == "unplaced" for m in markers):
            r = t.mapRect(QRectF(spot.x, spot.y, spot.w, spot.h))
            p.setPen(QPen(LINE, 1, Qt.DashLine))
            p.setBrush(Qt.NoBrush)
            p.drawRoundedRect(r, 6, 6)
            f = QFont(self.font())
            f.setPointSizeF(max(6.5, 10 * s))
            p.setFont(f)
            p.setPen(INK)
            # over the box, not in it: at a small zoom the markers fill the box and would hide the words
            # (each of its lines on one line where the view leaves room left of the box)
            fm = p.fontMetrics()
            width = min(max(r.width(), max(fm.horizontalAdvance(t) for t in spot.label.splitlines()) + 4), r.right())
            flags = Qt.AlignLeft | Qt.AlignBottom | Qt.TextWordWrap
            need = fm.boundingRect(QRectF(0, 0, width, 400).toRect(), flags, spot.label).height()
            p.drawText(QRectF(r.right() - width, r.top() - need - 2, width, need), flags, spot.label)
        for m in markers:
            self._draw_marker(p, m)
        if self.hasFocus() and focus is None:
            fp = QPen(HOVER_LINE, 1, Qt.DotLine)
            p.setPen(fp)
            p.setBrush(Qt.NoBrush)
            p.drawRect(self._canvas().adjusted(1, 1, -1, -1))
        p.end()

    def _draw_coarse(self, p: QPainter, t: QTransform, regions: list[QPainterPath]) -> None:
        """A site given without its part (a coarse site) is drawn as the outline of the regions it
        takes in, dashed, besides its one marker: where on the thigh is not known."""
        shown = self.coarse_outlines()
        if not shown:
            return
        p.setTransform(t)
        pen = QPen(MARKER, 1.4, Qt.DashLine)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.setBrush(COARSE_FILL)
        for r in shown:
            p.drawPath(regions[r.index])
        p.resetTransform()

    def coarse_outlines(self) -> list[bodymap.Region]:
        """The regions outlined in the current view for lesions at coarse sites."""
        out: list[bodymap.Region] = []
        for _n, site, lat, _id in self._lesions:
            if bodymap.is_coarse(site):
                out += [r for r in bodymap.covered_regions(self._view, site, lat, self._group) if r not in out]
        return out

    def _draw_label(self, p: QPainter, lab: bodymap.Label, s: float) -> None:
        f = QFont(self.font())
        f.setPixelSize(max(8, round(lab.size * s)))  # label sizes are in drawing units
        if len(lab.text) <= 2:
            f.setBold(True)
        p.setFont(f)
        p.setPen(INK)
        fm = QFontMetricsF(f)
        pt = self._to_widget(lab.x, lab.y)
        for i, line in enumerate(lab.text.splitlines()):
            w = fm.horizontalAdvance(line)
            x = pt.x() - {"start": 0, "middle": w / 2, "end": w}.get(lab.anchor, w / 2)
            p.drawText(QPointF(x, pt.y() + i * fm.lineSpacing()), line)

    def _draw_marker(self, p: QPainter, m: bodymap.Marker) -> None:
        c = self._to_widget(m.x, m.y)
        lesion_id = self._lesions[m.lesion][3]
        R = MARKER_RADIUS
        if lesion_id == self._selected:
            p.setPen(QPen(SELECTED, 2.5))
            p.setBrush(Qt.NoBrush)
            p.drawEllipse(c, R + 3.5, R + 3.5)
        hollow = m.kind == "side-unknown"
        p.setPen(QPen(QColor("#FFFFFF") if not hollow else MARKER, 1.5))
        p.setBrush(QColor("#FFFFFF") if hollow else MARKER)
        p.drawEllipse(c, R, R)
        f = QFont(self.font())
        f.setBold(True)
        text = str(m.number)
        f.setPixelSize(int(R * (1.15 if len(text) < 2 else 0.95)))
        p.setFont(f)
        p.setPen(MARKER if hollow else QColor("#FFFFFF"))
        p.drawText(QRectF(c.x() - R, c.y() - R, 2 * R, 2 * R), Qt.AlignCenter, text)

    # --- interaction -----------------------------------------------------------------------------

    def _view_changed(self, _index: int) -> None:
        self._hover = None
        self._focus_index = -1
        self.setToolTip("")
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        r = self._region_at(pos) if self._marker_at(pos) is None else None
        text = self._text_at(pos)
        if r is not self._hover:
            self._hover = r
            self.update()
        if text != self.toolTip():
            self.setToolTip(text)
            if text:
                QToolTip.showText(event.globalPosition().toPoint(), text, self)
            else:
                QToolTip.hideText()
        self.setCursor(Qt.PointingHandCursor if text else Qt.ArrowCursor)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self._hover = None
        self.setToolTip("")
        self.update()
        super().leaveEvent(event)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.ToolTip:
            text = self._text_at(QPointF(e.pos()))
            if text:
                QToolTip.showText(e.globalPos(), text, self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def _target(self, pos: QPointF):
        m = self._marker_at(pos)
        if m is not None:
            return ("lesion", self._lesions[m.lesion][3])
        r = self._region_at(pos)
        return ("region", r.site, r.laterality) if r else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.LeftButton:
            self._pressed = self._target(event.position())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.LeftButton and self._pressed is not None:
            target, self._pressed = self._pressed, None
            if target == self._target(event.position()):
                if target[0] == "lesion":
                    self.lesionClicked.emit(target[1])
                else:
                    self.regionClicked.emit(target[1], target[2])
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        regions = self._view.regions
        key = event.key()
        if key in (Qt.Key_Right, Qt.Key_Down, Qt.Key_Left, Qt.Key_Up) and regions:
            step = 1 if key in (Qt.Key_Right, Qt.Key_Down) else -1
            self._focus_index = (self._focus_index + step) % len(regions)
            r = regions[self._focus_index]
            text = bodymap.site_text(r.site, r.laterality)
            self.setAccessibleDescription(text)
            self.setToolTip(text)
            self.update()
        elif key in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Space) and 0 <= self._focus_index < len(regions):
            r = regions[self._focus_index]
            self.regionClicked.emit(r.site, r.laterality)
        elif key in (Qt.Key_PageDown, Qt.Key_PageUp):
            n = self.tabs.count()
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + (1 if key == Qt.Key_PageDown else -1)) % n)
        else:
            super().keyPressEvent(event)


class SitePicker(QWidget):
    """A searchable list of every site (internal organs too) with the patient's side for lateral sites;
    the keyboard way to choose what a click on the body map chooses. Emits ``regionClicked``."""

    regionClicked = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.site_box = FormCombo(self)
        self.site_box.setEditable(True)
        self.site_box.setInsertPolicy(QComboBox.NoInsert)
        self.site_box.setAccessibleName("Site")
        self.site_box.setAccessibleDescription("Type part of a site's name to narrow the list")
        for code, text in [NO_SITE, *site_entries(other_names=True)]:
            self.site_box.addItem(text, code)
        completer = QCompleter(self.site_box.model(), self.site_box)
        completer.setFilterMode(Qt.MatchContains)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setCompletionMode(QCompleter.PopupCompletion)
        self.site_box.setCompleter(completer)
        self.site_box.setCurrentIndex(-1)
        self.site_box.lineEdit().setPlaceholderText("type a site, e.g. index finger pad")
        self.side_box = FormCombo(self)
        self.side_box.setAccessibleName("Side (the patient's)")
        for value, text in SIDES:
            self.side_box.addItem(text, value)
        # no side until the author picks one: a default "left" would put a lesion on a side the
        # source may not give
        self.side_box.setCurrentIndex(self.side_box.findData("unspecified"))
        self.button = QPushButton("&Choose site", self)
        self.button.setAccessibleName("Choose this site")
        self.button.setAutoDefault(True)
        site_label = QLabel("&Site:", self)
        site_label.setBuddy(self.site_box)
        side_label = QLabel("Si&de:", self)
        side_label.setBuddy(self.side_box)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(site_label)
        row.addWidget(self.site_box, 1)
        row.addWidget(side_label)
        row.addWidget(self.side_box)
        row.addWidget(self.button)
        self.site_box.currentIndexChanged.connect(self._refresh)
        self.site_box.editTextChanged.connect(self._refresh)
        self.button.clicked.connect(self._choose)
        self._refresh()

    def current_site(self) -> str | None:
        """The site code the box names: an exact entry, or the highlighted one; a plural names its
        site ("legs", "thighs", "feet": case reports name the sites so)."""
        text = self.site_box.currentText().strip()
        if not text:
            return None
        head, _, last = text.rpartition(" ")
        for typed in (text, *(f"{head} {s}".strip() for s in catalogue.singular_forms(last))):
            i = self.site_box.findText(typed, Qt.MatchFixedString)
            if i < 0:
                i = next((k for k in range(self.site_box.count())
                          if self.site_box.itemText(k).split(" (")[0].lower() == typed.lower()), -1)
            if i >= 0:
                return self.site_box.itemData(i)
            # a site by the name running text gives it ("leg", "toe", "calf"), its label being
            # "leg, level not stated", "toe, which toe not stated", "lower leg, posterior (calf)"
            key = typed.lower()
            named = next((c for c, site in catalogue.all_sites().items()
                          if key in (site.name.lower(), site.label.rpartition(" (")[2].rstrip(")").lower())), None)
            if named is not None and self.site_box.findData(named) >= 0:
                return named
        return None

    def current_laterality(self) -> str:
        site = self.current_site()
        if not site:  # none named, or "site not recorded": no side either
            return "unspecified"
        if not bodymap.is_lateral(site):
            # a non-lateral body site is on the midline; an internal organ's side is simply not given
            visceral = catalogue.all_sites()[site].cls == "visceral"
            return "unspecified" if visceral else "midline"
        return self.side_box.currentData()

    def _refresh(self, *_args) -> None:
        site = self.current_site()
        lateral = bool(site) and bodymap.is_lateral(site)
        self.side_box.setEnabled(lateral)
        self.button.setEnabled(site is not None)

    def _choose(self) -> None:
        site = self.current_site()
        if site is not None:
            self.regionClicked.emit(site, self.current_laterality())
