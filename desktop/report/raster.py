"""A reportlab Drawing (a chart, the timeline, the body map) as a PNG, drawn with Pillow.

The Word manuscript needs the report's figures as pictures. reportlab's own bitmap renderer
(renderPM) needs pycairo, which PyPI offers for Linux only as source to build against the system's
cairo; so this module walks the very Drawing the PDF draws and paints its shapes with Pillow, the
same figure from the same data with no system dependency. It draws what the report's drawings use:
groups with transforms, rectangles (rounded), lines, polylines, polygons, circles, ellipses, paths
with Bézier curves (even-odd fill), dashes and strings in the report fonts. The picture is painted
at three times the asked resolution and reduced, which smooths its edges.
"""
from __future__ import annotations

import io
import math
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFont
from reportlab.graphics import shapes
from reportlab.graphics.transform import mmult

from . import fonts

DPI = 200
SUPERSAMPLE = 3
MAX_PIXELS = 60_000_000  # painted pixels; a larger figure is painted at a lower supersampling

Matrix = tuple[float, float, float, float, float, float]


class RasterError(ValueError):
    """A drawing that cannot be painted (a shape kind this painter does not know)."""


def drawing_png(drawing: shapes.Drawing, dpi: float = DPI) -> bytes:
    """The drawing as a PNG at ``dpi``, on white, its size ``drawing.width`` × ``drawing.height`` points."""
    return _encode(paint(drawing, dpi), dpi)


def paint(drawing: shapes.Drawing, dpi: float = DPI) -> Image.Image:
    k = dpi / 72.0
    w_px = max(1, math.ceil(drawing.width * k))
    h_px = max(1, math.ceil(drawing.height * k))
    ss = SUPERSAMPLE
    while ss > 1 and w_px * h_px * ss * ss > MAX_PIXELS:
        ss -= 1
    img = Image.new("RGB", (w_px * ss, h_px * ss), "white")
    p = _Painter(img, ss * k)
    base: Matrix = (ss * k, 0.0, 0.0, -ss * k, 0.0, h_px * ss)  # points, y up -> pixels, y down
    p.node(drawing, base)
    return img.reduce(ss) if ss > 1 else img


def _encode(img: Image.Image, dpi: float) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi), optimize=False)
    return buf.getvalue()


def _rgb(color) -> tuple[int, int, int] | None:
    if color is None:
        return None
    try:
        r, g, b = color.red, color.green, color.blue
    except AttributeError:
        return None
    a = getattr(color, "alpha", 1.0)
    a = 1.0 if a is None else max(0.0, min(1.0, a))
    # a translucent colour on the white ground
    return tuple(int(round(255 * (1 - a + a * v))) for v in (r, g, b))  # type: ignore[return-value]


@lru_cache(maxsize=64)
def _font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.ttf_path(name)), max(1, size_px))


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _scale(m: Matrix) -> float:
    a, b, c, d, _, _ = m
    return math.sqrt(abs(a * d - b * c))


def _bezier(p0, p1, p2, p3, steps: int) -> list[tuple[float, float]]:
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        out.append((u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
                    u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1]))
    return out


def _dashes(points: list[tuple[float, float]], pattern: list[float]) -> list[list[tuple[float, float]]]:
    """The 'on' pieces of a polyline under a dash pattern (lengths in pixels)."""
    pattern = [max(0.5, v) for v in pattern]
    if len(pattern) % 2:
        pattern = pattern * 2
    pieces: list[list[tuple[float, float]]] = []
    i, left, on = 0, pattern[0], True
    current: list[tuple[float, float]] = [points[0]] if points else []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while seg - pos > left:
            pos += left
            t = pos / seg
            pt = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            if on:
                current.append(pt)
                pieces.append(current)
                current = []
            else:
                current = [pt]
            on = not on
            i = (i + 1) % len(pattern)
            left = pattern[i]
        left -= seg - pos
        if on:
            current.append((x1, y1))
    if on and len(current) > 1:
        pieces.append(current)
    return pieces


class _Painter:
    def __init__(self, img: Image.Image, px_per_pt: float):
        self.img = img
        self.draw = ImageDraw.Draw(img)
        self.px_per_pt = px_per_pt

    # -- dispatch ---------------------------------------------------------------------------------
    def node(self, n, m: Matrix) -> None:
        if isinstance(n, shapes.Group):  # a Drawing is a Group too
            t = getattr(n, "transform", None)
            if t is not None and tuple(t) != (1, 0, 0, 1, 0, 0):
                m = tuple(mmult(m, t))  # type: ignore[assignment]
            for child in n.getContents():
                self.node(child, m)
        elif isinstance(n, shapes.Line):
            self.stroke([[_apply(m, n.x1, n.y1), _apply(m, n.x2, n.y2)]], n, m)
        elif isinstance(n, shapes.Rect):
            self.rect(n, m)
        elif isinstance(n, shapes.Circle):
            self.ellipse(n.cx, n.cy, n.r, n.r, n, m)
        elif isinstance(n, shapes.Ellipse):
            self.ellipse(n.cx, n.cy, n.rx, n.ry, n, m)
        elif isinstance(n, shapes.Polygon):
            pts = [_apply(m, x, y) for x, y in zip(n.points[0::2], n.points[1::2])]
            self.shape([pts], [True], n, m)
        elif isinstance(n, shapes.PolyLine):
            pts = [_apply(m, x, y) for x, y in zip(n.points[0::2], n.points[1::2])]
            self.stroke([pts], n, m)
        elif isinstance(n, shapes.Path):
            self.path(n, m)
        elif isinstance(n, shapes.String):
            self.string(n, m)
        elif isinstance(n, shapes.Wedge):
            self.node(n.asPolygon(), m)
        else:
            raise RasterError(f"a figure holds a {type(n).__name__}, which cannot be drawn as a picture")

    # -- strokes and fills ------------------------------------------------------------------------
    def _width(self, shape, m: Matrix) -> int:
        w = getattr(shape, "strokeWidth", 1) or 0
        return max(1, int(round(w * _scale(m))))

    def stroke(self, lines: list[list[tuple[float, float]]], shape, m: Matrix) -> None:
        color = _rgb(getattr(shape, "strokeColor", None))
        if color is None or not (getattr(shape, "strokeWidth", 1) or 0) > 0:
            return
        width = self._width(shape, m)
        dash = getattr(shape, "strokeDashArray", None)
        if dash:
            if isinstance(dash, (tuple, list)) and len(dash) == 2 and isinstance(dash[1], (tuple, list)):
                dash = dash[1]  # (phase, pattern)
            pattern = [float(v) * _scale(m) for v in dash]
            if sum(pattern) > 0:
                lines = [piece for line in lines for piece in _dashes(line, pattern)]
        for line in lines:
            if len(line) >= 2:
                self.draw.line(line, fill=color, width=width, joint="curve" if len(line) > 2 else None)

    def shape(self, polys: list[list[tuple[float, float]]], closed: list[bool], shape, m: Matrix) -> None:
        fill = _rgb(getattr(shape, "fillColor", None))
        filled = [p for p in polys if len(p) >= 3]
        if fill is not None and filled:
            if len(filled) == 1:
                self.draw.polygon(filled[0], fill=fill)
            else:  # even-odd: a point inside two subpaths is outside
                xs = [x for p in filled for x, _ in p]
                ys = [y for p in filled for _, y in p]
                x0, y0 = max(0, int(min(xs)) - 1), max(0, int(min(ys)) - 1)
                x1, y1 = min(self.img.width, int(max(xs)) + 2), min(self.img.height, int(max(ys)) + 2)
                if x1 > x0 and y1 > y0:
                    mask = Image.new("L", (x1 - x0, y1 - y0), 0)
                    for p in filled:
                        one = Image.new("L", mask.size, 0)
                        ImageDraw.Draw(one).polygon([(x - x0, y - y0) for x, y in p], fill=255)
                        mask = ImageChops.difference(mask, one)
                    self.img.paste(fill, (x0, y0, x1, y1), mask)
        self.stroke([p + [p[0]] if c and p else p for p, c in zip(polys, closed)], shape, m)

    def rect(self, r: shapes.Rect, m: Matrix) -> None:
        x, y, w, h = r.x, r.y, r.width, r.height
        rx = min(getattr(r, "rx", 0) or 0, abs(w) / 2)
        ry = min(getattr(r, "ry", 0) or 0, abs(h) / 2)
        if rx > 0 or ry > 0:
            rx, ry = rx or ry, ry or rx
            pts: list[tuple[float, float]] = []
            for cx, cy, start in ((x + w - rx, y + ry, -90), (x + w - rx, y + h - ry, 0),
                                  (x + rx, y + h - ry, 90), (x + rx, y + ry, 180)):
                for i in range(9):
                    a = math.radians(start + i * 90 / 8)
                    pts.append((cx + rx * math.cos(a), cy + ry * math.sin(a)))
        else:
            pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        self.shape([[_apply(m, px, py) for px, py in pts]], [True], r, m)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, shape, m: Matrix) -> None:
        a, b, c, d, _, _ = m
        if abs(b) < 1e-9 and abs(c) < 1e-9 and not getattr(shape, "strokeDashArray", None):
            x, y = _apply(m, cx, cy)
            hx, hy = abs(rx * a), abs(ry * d)
            box = [x - hx, y - hy, x + hx, y + hy]
            fill = _rgb(getattr(shape, "fillColor", None))
            outline = _rgb(getattr(shape, "strokeColor", None))
            width = self._width(shape, m) if outline is not None and (getattr(shape, "strokeWidth", 1) or 0) > 0 else 0
            self.draw.ellipse(box, fill=fill, outline=outline if width else None, width=width or 1)
            return
        n = 48
        pts = [_apply(m, cx + rx * math.cos(2 * math.pi * i / n), cy + ry * math.sin(2 * math.pi * i / n))
               for i in range(n)]
        self.shape([pts], [True], shape, m)

    def path(self, p: shapes.Path, m: Matrix) -> None:
        polys: list[list[tuple[float, float]]] = []
        closed: list[bool] = []
        pts = p.points
        k = 0
        cur: list[tuple[float, float]] = []
        start: tuple[float, float] | None = None  # where a closed subpath began: the pen returns there
        steps = max(6, min(48, int(_scale(m) * 2)))
        for op in p.operators:
            if op == shapes._MOVETO:
                if len(cur) > 1:
                    polys.append(cur)
                    closed.append(False)
                cur = [_apply(m, pts[k], pts[k + 1])]
                k += 2
            elif op == shapes._LINETO:
                if not cur and start is not None:
                    cur = [start]
                cur.append(_apply(m, pts[k], pts[k + 1]))
                k += 2
            elif op == shapes._CURVETO:
                if not cur and start is not None:
                    cur = [start]
                c1, c2, end = (_apply(m, pts[k + i], pts[k + i + 1]) for i in (0, 2, 4))
                p0 = cur[-1] if cur else c1
                span = math.dist(p0, c1) + math.dist(c1, c2) + math.dist(c2, end)
                cur += _bezier(p0, c1, c2, end, max(2, min(steps, int(span / 3) + 2)))
                k += 6
            elif op == shapes._CLOSEPATH:
                if cur:
                    polys.append(cur)
                    closed.append(True)
                    start = cur[0]
                cur = []
        if len(cur) > 1:
            polys.append(cur)
            closed.append(bool(getattr(p, "autoclose", None)))
        # an open subpath is filled as if closed (as PDF does) but stroked open
        self.shape(polys, closed, p, m)

    def string(self, s: shapes.String, m: Matrix) -> None:
        text = s.text
        color = _rgb(getattr(s, "fillColor", None))
        if not text or color is None:
            return
        size_px = int(round(s.fontSize * _scale(m)))
        if size_px < 1:
            return
        font = _font(s.fontName or fonts.SANS, size_px)
        x, y = _apply(m, s.x, s.y)
        anchor = {"start": "ls", "middle": "ms", "end": "rs"}.get(getattr(s, "textAnchor", "start"), "ls")
        self.draw.text((x, y), text, fill=color, font=font, anchor=anchor)
