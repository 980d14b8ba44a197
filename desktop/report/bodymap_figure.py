"""The body-map figure of the PDF report: the views that hold lesions, with numbered markers.

A reportlab Drawing, drawn from the same geometry as the GUI's body map (desktop/bodymap.py), so a
lesion sits in the same place on screen and on paper. The caller sets the legend, from legend_rows.

Which views: the front view always, and every other view that is the first to show one of the
lesions (its "home"). Each lesion is drawn once, in its home view. Lesions the map cannot place (an
internal organ, an unknown site) go into a dashed "not on the map (organs, no site)" box beside the
front view; a pad or toe the source does not name goes on the round target beside each hand or foot;
a lateral site whose side is not stated gets a hollow marker on both sides (see desktop/bodymap.py).
A site the source gives without its part (a coarse site: "thigh, aspect not stated") is also drawn
as the dashed outline of the regions it takes in, as the window's body map draws it.
"""
from __future__ import annotations

import functools

from reportlab.graphics.shapes import Circle, Drawing, Group, Path, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop import bodymap

SKIN = colors.HexColor("#F3E6DC")
LINE = colors.HexColor("#8C7B70")
DETAIL = colors.HexColor("#B29E91")
MARKER = colors.HexColor("#B3261E")
INK = colors.HexColor("#4A4A4A")
WHITE = colors.white

MARKER_RADIUS_PT = 5.5
GAP_PT = 14.0
TITLE_PT = 8.0
MIN_LABEL_PT = 4.0
COARSE_LINE_PT = 0.9  # the dashed outline of a coarse site's regions
COARSE_DASH_PT = (2.4, 1.6)


def lesion_markers(case) -> list[tuple[int, str, str]]:
    """(number, site, laterality) for each lesion of a case, numbered from 1 in the case's order: the
    numbers the figure, the legend and the lesion table share."""
    return [(i + 1, l.site, l.laterality) for i, l in enumerate(case.lesions)]


def side_text(site: str, laterality: str) -> str:
    """The side a legend names: none for a site without sides (the face, the abdomen, the glans
    penis), which the model records as 'midline' though the source names no side ("abdomen
    (midline)" would place the lesion on the midline)."""
    if laterality == "bilateral":
        return "both sides"
    if not bodymap.is_lateral(site) and laterality in ("unspecified", "midline"):
        return ""
    if laterality == "unspecified":
        return "side not stated"
    return laterality


def legend_text(site: str, laterality: str, detail: str = "") -> str:
    """ "glans penis", "finger pad, which finger not stated (side not stated); several finger pads" """
    side = side_text(site, laterality)
    text = bodymap.site_label(site) + (f" ({side})" if side else "")
    return text + (f"; {detail}" if detail else "")


def legend_rows(case) -> list[tuple[int, str]]:
    """The legend under the figure: (number, text) per lesion, e.g. (1, "palm (left)"); the caller
    prints them as "1 — palm (left)"."""
    rows = []
    for (number, site, laterality), lesion in zip(lesion_markers(case), case.lesions):
        text = legend_text(site, laterality, lesion.site_detail)
        if lesion.count and lesion.count > 1:
            text += f" ({lesion.count} lesions)"
        rows.append((number, text))
    return rows


def views_for(lesions: list[tuple[int, str, str]]) -> list[str]:
    """The front view, and the home view of every lesion, in display order."""
    wanted = {"front"} | {bodymap.primary_view(site, lat) for _, site, lat in lesions}
    return [n for n in bodymap.VIEW_ORDER if n in wanted]


def _layouts(names: list[str]) -> list[list[list[str]]]:
    """Ways to arrange the views: all in one row, or the whole figures above the detail views."""
    out = [[names]]
    body = [n for n in names if n in ("front", "back")]
    rest = [n for n in names if n not in body]
    if body and rest:
        out.append([body, rest])
    elif len(names) > 3:
        out.append([names[:len(names) // 2], names[len(names) // 2:]])
    return out


def bodymap_drawing(lesions: list[tuple[int, str, str]], width_pt: float, views: list[str] | None = None, *,
                    max_height_pt: float | None = None, sex: str | None = None,
                    font: str = "Helvetica", bold_font: str = "Helvetica-Bold") -> Drawing:
    """The figure for `lesions` ((number, site, laterality) each), `width_pt` wide.

    `views` overrides the automatic choice (names from bodymap.VIEW_ORDER). The figure is at most
    `max_height_pt` tall (default: 1.1 × the width); rows that would be taller are scaled down and
    centred. `sex` ("male"/"female") shows only that genital panel and puts a perineal lesion on it;
    otherwise both panels are shown."""
    names = [n for n in bodymap.VIEW_ORDER if n in (views if views is not None else views_for(lesions))]
    if not names:
        raise ValueError("bodymap_drawing: no view to draw; views must name at least one of "
                         + ", ".join(bodymap.VIEW_ORDER))
    max_h = max_height_pt if max_height_pt is not None else width_pt * 1.1
    group = sex if sex in ("male", "female") else None

    def arrange(rows: list[list[str]]):
        placed = []  # per row: its views with their frames, and the row's drawing height
        for row in rows:
            vs = [(bodymap.view(n), bodymap.view(n).frame(group)) for n in row]
            room = width_pt - GAP_PT * (len(vs) - 1)
            h = room / sum(fr[2] / fr[3] for _, fr in vs)
            h = min(h, (max_h - (TITLE_PT + 6) * len(rows) - GAP_PT * (len(rows) - 1)) / len(rows))
            placed.append((vs, h))
        return placed

    # the arrangement that draws the views largest; a second row must earn its height
    placed = max((arrange(rows) for rows in _layouts(names)),
                 key=lambda p: min(h for _, h in p) / (1.25 ** (len(p) - 1)))
    total_h = sum(h + TITLE_PT + 6 for _, h in placed) + GAP_PT * (len(placed) - 1)
    d = Drawing(width_pt, total_h)
    top = total_h
    for vs, h in placed:
        row_w = sum(fr[2] * h / fr[3] for _, fr in vs) + GAP_PT * (len(vs) - 1)
        x = (width_pt - row_w) / 2
        for v, fr in vs:
            s = h / fr[3]
            _draw_view(d, v, fr, x, top - TITLE_PT - 6, s, lesions, names, group, font, bold_font)
            d.add(String(x + fr[2] * s / 2, top - TITLE_PT, v.title, fontName=bold_font, fontSize=TITLE_PT,
                         fillColor=INK, textAnchor="middle"))
            x += fr[2] * s + GAP_PT
        top -= h + TITLE_PT + 6 + GAP_PT
    return d


def _rl_path(commands, **style) -> Path:
    p = Path(**style)
    pen = (0.0, 0.0)
    for op, pts in commands:
        if op == "M":
            p.moveTo(*pts[0])
            pen = pts[0]
        elif op == "L":
            p.lineTo(*pts[0])
            pen = pts[0]
        elif op == "C":
            (a, b, c) = pts
            p.curveTo(a[0], a[1], b[0], b[1], c[0], c[1])
            pen = c
        elif op == "Q":  # a quadratic as the equal cubic
            (c, e) = pts
            c1 = (pen[0] + 2 / 3 * (c[0] - pen[0]), pen[1] + 2 / 3 * (c[1] - pen[1]))
            c2 = (e[0] + 2 / 3 * (c[0] - e[0]), e[1] + 2 / 3 * (c[1] - e[1]))
            p.curveTo(c1[0], c1[1], c2[0], c2[1], e[0], e[1])
            pen = e
        elif op == "Z":
            p.closePath()
    return p


@functools.cache
def _paths_in_frame(name: str, frame: tuple[float, float, float, float]):
    """The paths of view ``name`` whose centre lies in ``frame``, in drawing order: closed outline
    shapes, then regions (filled), then open outline strokes (details). The drawings are fixed, so
    this is worked out once per view and frame, not on every report."""
    v = bodymap.view(name)
    fx, fy, fw, fh = frame

    def in_frame(cmds) -> bool:
        pts = [p for poly in bodymap.flatten(cmds, 2) for p in poly]
        cx = (min(p[0] for p in pts) + max(p[0] for p in pts)) / 2
        cy = (min(p[1] for p in pts) + max(p[1] for p in pts)) / 2
        return fx <= cx <= fx + fw and fy <= cy <= fy + fh

    outline = [c for c in v.outline if in_frame(c)]
    return ([c for c in outline if bodymap.is_closed(c)], [r.commands for r in v.regions if in_frame(r.commands)],
            [c for c in outline if not bodymap.is_closed(c)])


def coarse_outlines(v: bodymap.View, frame, lesions, group: str | None) -> list:
    """The path commands of the regions of `v` within `frame` that lesions at coarse sites take in
    (each once), on the side(s) recorded: what the window's body map outlines (bodymap.covered_regions)."""
    in_frame = {id(c) for c in _paths_in_frame(v.name, frame)[1]}
    out: list = []
    for _n, site, laterality in lesions:
        if not bodymap.is_coarse(site):
            continue
        for r in bodymap.covered_regions(v, site, laterality, group):
            if id(r.commands) in in_frame and r.commands not in out:
                out.append(r.commands)
    return out


def _draw_view(d: Drawing, v: bodymap.View, frame, x: float, top: float, s: float, lesions, shown: list[str],
               group: str | None, font: str, bold_font: str) -> None:
    """Draws the `frame` (x, y, w, h in drawing units) of view `v` with its top-left corner at (x, top)."""
    fx, fy, fw, fh = frame

    def at(px: float, py: float) -> tuple[float, float]:  # drawing units (y down) -> points (y up)
        return x + (px - fx) * s, top - (py - fy) * s

    g = Group(transform=(s, 0, 0, -s, x - fx * s, top + fy * s))
    body = dict(fillColor=SKIN, strokeColor=LINE, strokeWidth=0.45 / s, strokeLineJoin=1)
    closed, regions, open_lines = _paths_in_frame(v.name, frame)
    used = {site for _, site, _ in lesions}
    if group != "female" and "breast" not in used:  # a figure matching the recorded sex: breast
        breasts = {r.commands for r in v.regions if r.site == "breast"}  # contours only on a woman
        regions = [r for r in regions if r not in breasts]
    # the targets for "finger / toe not stated" only where such a lesion sits (its marker covers it)
    targets = {r.commands for r in v.regions if r.site in ("finger-pad", "toe") and r.site not in used}
    regions = [r for r in regions if r not in targets]
    for cmds in closed + regions:
        g.add(_rl_path(cmds, **body))
    for cmds in open_lines:
        g.add(_rl_path(cmds, fillColor=None, strokeColor=DETAIL, strokeWidth=0.35 / s, strokeLineCap=1))
    for cmds in coarse_outlines(v, frame, lesions, group):  # on top: where on the region is not known
        g.add(_rl_path(cmds, fillColor=None, strokeColor=MARKER, strokeWidth=COARSE_LINE_PT / s, strokeLineJoin=1,
                       strokeDashArray=[w / s for w in COARSE_DASH_PT]))
    d.add(g)
    fx, fy, fw, fh = frame
    for lab in v.labels:
        if not (fx <= lab.x <= fx + fw and fy <= lab.y <= fy + fh):
            continue
        if lab.size * s < MIN_LABEL_PT / 1.6:
            continue  # far too small at this scale: the legend says what the target means
        size = max(MIN_LABEL_PT, lab.size * s)
        lx, ly = at(lab.x, lab.y)
        name = bold_font if len(lab.text) <= 2 else font
        for i, line in enumerate(lab.text.splitlines()):
            # where the text would run past the frame (small scales, minimum font size), pull it in
            w = stringWidth(line, name, size)
            left = {"start": lx, "end": lx - w}.get(lab.anchor, lx - w / 2)
            left = min(max(left, x), x + fw * s - w)
            d.add(String(left, ly - i * size * 1.15, line, fontName=name, fontSize=size, fillColor=INK))
    R = MARKER_RADIUS_PT
    markers = bodymap.place_markers(v, lesions, R / s, group, shown=shown)
    spot = v.spot("unplaced")
    loose = [m for m in markers if m.kind == "unplaced"]
    if spot and loose:  # laid out in points: a label, then rows of markers
        lines = spot.label.splitlines()
        bw = max(spot.w * s, max(stringWidth(t, font, 5.5) for t in lines) + 6, 2.3 * R + 6)
        per_row = max(1, int((bw - 4) // (2.3 * R)))
        n_rows = (len(loose) + per_row - 1) // per_row
        bh = 4 + 6.5 * len(lines) + n_rows * 2.3 * R + 2
        bx, by_top = at(spot.x, spot.y)
        bx = min(bx, x + fw * s - bw)
        d.add(Rect(bx, by_top - bh, bw, bh, rx=3, ry=3, fillColor=None, strokeColor=LINE, strokeWidth=0.5,
                   strokeDashArray=[2, 2]))
        for i, line in enumerate(lines):
            d.add(String(bx + 3, by_top - 8 - i * 6.5, line, fontName=font, fontSize=5.5, fillColor=INK))
        first_y = by_top - 4 - 6.5 * len(lines) - 1.15 * R
        for i, m in enumerate(loose):
            row, col = divmod(i, per_row)
            _marker(d, bx + 3 + 1.15 * R + col * 2.3 * R, first_y - row * 2.3 * R, m, bold_font)
    for m in markers:
        if m.kind != "unplaced":
            _marker(d, *at(m.x, m.y), m, bold_font)
    if v.name in ("front", "back"):  # the whole figure shows every site at its scale: a marker there too
        placed = {m.number for m in markers}
        taken: list[tuple[float, float]] = [at(m.x, m.y) for m in markers]
        gap = 2 * MARKER_RADIUS_PT * 0.8 + 0.6
        for number, px, py, hollow in _whole_figure_points(v, lesions, group):
            if number in placed:
                continue
            cx, cy = at(px, py)
            while any(abs(cx - tx) < gap - 0.01 and abs(cy - ty) < gap - 0.01 for tx, ty in taken):
                cx += gap if cx >= x + fw * s / 2 else -gap  # side by side, outwards
            taken.append((cx, cy))
            _marker(d, cx, cy, bodymap.Marker(number, px, py, "side-unknown" if hollow else "exact", 0, None),
                    bold_font, small=True)


# where a site drawn in a detail view lies on the whole figure: a named finger or toe on that digit
# (the view's outline points); a finger or toe not named, the region of the whole figure that
# contains it (fingers at the hand, toes at the foot); genital sites between the thighs
WHOLE_FIGURE_PROXY = (("finger", "palm"), ("thumb", "palm"), ("toe", "foot-dorsum"), ("nail", "palm"))
GENITAL = ("glans-penis", "penile-shaft", "scrotum", "vulva", "perineum")


def _whole_figure_points(v: bodymap.View, lesions, group: str | None) -> list[tuple[int, float, float, bool]]:
    out = []
    for number, site, laterality in lesions:
        if site in GENITAL:
            if v.name != "front":
                continue
            try:
                (lx, ly), (rx, ry) = (bodymap.marker_point(v, "thigh-medial", side) for side in ("left", "right"))
            except (ValueError, StopIteration, KeyError):
                continue
            out.append((number, (lx + rx) / 2, min(ly, ry) - 0.25 * abs(lx - rx), False))
            continue
        sides = [laterality] if laterality in ("left", "right") else ["right", "left"]
        exact = [(side, bodymap.outline_point(v, site, side)) for side in sides]
        if any(pt for _, pt in exact):
            out += [(number, pt[0], pt[1], laterality not in ("left", "right", "bilateral")) for _, pt in exact if pt]
            continue
        proxy = next((p for prefix, p in WHOLE_FIGURE_PROXY if site.startswith(prefix)), None)
        if proxy is None:
            continue
        for side in sides:
            try:
                x, y = bodymap.marker_point(v, proxy, side)
            except (ValueError, StopIteration, KeyError):
                continue
            out.append((number, x, y, laterality not in ("left", "right", "bilateral")))
    return out


def _marker(d: Drawing, cx: float, cy: float, m: bodymap.Marker, bold_font: str, small: bool = False) -> None:
    R = MARKER_RADIUS_PT * (0.8 if small else 1.0)
    hollow = m.kind == "side-unknown"
    d.add(Circle(cx, cy, R, fillColor=WHITE if hollow else MARKER, strokeColor=MARKER if hollow else WHITE,
                 strokeWidth=0.8))
    text = str(m.number)
    size = (6.5 if len(text) < 2 else 5.2) * (0.8 if small else 1.0)
    d.add(String(cx, cy - size * 0.36, text, fontName=bold_font, fontSize=size,
                 fillColor=MARKER if hollow else WHITE, textAnchor="middle"))
