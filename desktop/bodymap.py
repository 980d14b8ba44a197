"""The body map's geometry, without Qt: the views drawn in resources/bodymap/, hit testing and where a
lesion's numbered marker goes. The Qt widget (desktop/gui/bodymap_widget.py) and the PDF figure
(desktop/report/bodymap_figure.py) both draw from here, so a click and a printed marker agree.

Coordinates are the drawing's own (x to the right, y down, as in SVG). Laterality is always the
patient's: the files say per view which side of the drawing is the patient's left.

How lesions without an exact region are shown (decided here once, used by the widget and the PDF):
- a finger pad or toe the source does not name ("finger-pad", "toe") has its own small round target
  beside each hand or foot, labelled "finger not stated" / "toe not stated";
- a lateral site whose side is "unspecified" gets a hollow marker on both sides; "bilateral" a filled
  marker on both sides;
- a visceral site, or a code the map does not know, goes into the "unplaced" box of the front view.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from desktop import catalogue

Pt = tuple[float, float]
Command = tuple[str, tuple[Pt, ...]]

VIEW_ORDER = ("front", "back", "hands", "feet", "genitalia")
REGION_SIDES = ("left", "right", "midline")
_CURVE_STEPS = 8  # line pieces per Bézier segment when flattening; the drawings' curves are short


class BodyMapError(ValueError):
    """A body-map file is malformed; the message names the file, the region and the problem."""


@dataclass(frozen=True, eq=False)
class Region:
    site: str
    laterality: str  # left | right | midline: the patient's side
    d: str
    commands: tuple[Command, ...]
    polygons: tuple[tuple[Pt, ...], ...]
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1
    area: float
    group: str | None = None  # "male" / "female" for the genital panels
    index: int = 0  # position in its view's file

    def contains(self, x: float, y: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        inside = False
        for poly in self.polygons:
            if _in_polygon(poly, x, y):
                inside = not inside
        return inside

    def __repr__(self) -> str:
        return f"Region({self.site!r}, {self.laterality!r})"


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float  # baseline of the first line
    size: float
    anchor: str  # start | middle | end


@dataclass(frozen=True)
class Spot:
    """A box for markers that have no place on the drawing (visceral sites)."""
    name: str
    label: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Panel:
    """The part of a view that shows one group's regions (the male or female genitalia)."""
    group: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, eq=False)
class View:
    name: str
    title: str
    width: float
    height: float
    orientation: str
    outline: tuple[tuple[Command, ...], ...]
    labels: tuple[Label, ...]
    spots: tuple[Spot, ...]
    regions: tuple[Region, ...]
    panels: tuple[Panel, ...] = ()
    # (site, laterality, x, y): where a site drawn only as outline (a finger or toe of the whole-body
    # views) gets its marker
    points: tuple[tuple[str, str, float, float], ...] = ()
    _markers: dict = field(default_factory=dict, repr=False)

    def spot(self, name: str) -> Spot | None:
        return next((s for s in self.spots if s.name == name), None)

    def frame(self, group: str | None = None) -> tuple[float, float, float, float]:
        """(x, y, w, h) of what to show: the panel of `group` if the view has one, else all of it."""
        p = next((p for p in self.panels if p.group == group), None)
        return (p.x, p.y, p.w, p.h) if p else (0.0, 0.0, self.width, self.height)


# --- paths ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[MLCQZ]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\S")
_ARITY = {"M": 1, "L": 1, "C": 3, "Q": 2, "Z": 0}


def parse_path(d: str) -> list[Command]:
    """Parse the SVG-path subset the drawings use: absolute M, L, C, Q and Z.

    An implicit repeat ("L 1 2 3 4") is accepted, as in SVG. Raises ValueError naming the problem."""
    out: list[Command] = []
    tokens = _TOKEN.findall(d.replace(",", " "))
    i, op = 0, None
    while i < len(tokens):
        t = tokens[i]
        if t in _ARITY:
            op = t
            i += 1
            if op == "Z":
                out.append(("Z", ()))
                continue
        elif t.isalpha() or not _is_number(t):
            raise ValueError(f"path command {t!r} is not supported (use absolute M, L, C, Q, Z)")
        elif op is None or op == "Z":
            raise ValueError("path must start with M and numbers must follow a command")
        n = _ARITY[op] * 2
        nums = tokens[i:i + n]
        if len(nums) < n or not all(_is_number(x) for x in nums):
            raise ValueError(f"{op} needs {n} numbers")
        vals = [float(x) for x in nums]
        out.append((op, tuple((vals[k], vals[k + 1]) for k in range(0, n, 2))))
        i += n
        if op == "M":
            op = "L"  # SVG: numbers after M's first pair are line-tos
    if not out or out[0][0] != "M":
        raise ValueError("path must start with M")
    return out


def _is_number(t: str) -> bool:
    try:
        float(t)
        return True
    except ValueError:
        return False


def flatten(commands: list[Command] | tuple[Command, ...], steps: int = _CURVE_STEPS) -> list[list[Pt]]:
    """The path as polygons (one per subpath), curves cut into `steps` straight pieces."""
    polys: list[list[Pt]] = []
    cur: list[Pt] = []
    pen: Pt = (0.0, 0.0)
    start: Pt = pen
    for op, pts in commands:
        if op == "M":
            if len(cur) > 1:
                polys.append(cur)
            pen = start = pts[0]
            cur = [pen]
        elif op == "L":
            pen = pts[0]
            cur.append(pen)
        elif op == "C":
            (c1, c2, p) = pts
            for k in range(1, steps + 1):
                t = k / steps
                u = 1 - t
                cur.append((u ** 3 * pen[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t ** 3 * p[0],
                            u ** 3 * pen[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t ** 3 * p[1]))
            pen = p
        elif op == "Q":
            (c, p) = pts
            for k in range(1, steps + 1):
                t = k / steps
                u = 1 - t
                cur.append((u * u * pen[0] + 2 * u * t * c[0] + t * t * p[0],
                            u * u * pen[1] + 2 * u * t * c[1] + t * t * p[1]))
            pen = p
        elif op == "Z":
            if len(cur) > 1:
                polys.append(cur)
            pen = start
            cur = [pen]
    if len(cur) > 1:
        polys.append(cur)
    return polys


def is_closed(commands: list[Command] | tuple[Command, ...]) -> bool:
    return bool(commands) and commands[-1][0] == "Z"


def _in_polygon(poly: tuple[Pt, ...] | list[Pt], x: float, y: float) -> bool:
    inside = False
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _area(poly: list[Pt]) -> float:
    s = 0.0
    for i in range(len(poly)):
        x0, y0 = poly[i - 1]
        x1, y1 = poly[i]
        s += x0 * y1 - x1 * y0
    return abs(s) / 2


def _seg_dist2(px: float, py: float, a: Pt, b: Pt) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    L = dx * dx + dy * dy
    t = 0.0 if L == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L))
    ex, ey = ax + t * dx - px, ay + t * dy - py
    return ex * ex + ey * ey


# --- loading -------------------------------------------------------------------------------------

def _region(view: str, i: int, raw: dict) -> Region:
    where = f"body map {view!r}, region {i}"
    for key in ("site", "laterality", "d"):
        if not isinstance(raw.get(key), str):
            raise BodyMapError(f"{where}: {key!r} is missing or not text")
    site, side = raw["site"], raw["laterality"]
    known = catalogue.sites()
    if site not in known:
        raise BodyMapError(f"{where}: site {site!r} is not in resources/catalogues/sites.json")
    if side not in REGION_SIDES:
        raise BodyMapError(f"{where} ({site}): laterality {side!r} must be one of {', '.join(REGION_SIDES)}")
    if known[site].lateral == (side == "midline"):
        want = "left or right" if known[site].lateral else "midline"
        raise BodyMapError(f"{where} ({site}): laterality {side!r} is wrong; the site needs {want}")
    if known[site].cls == "visceral":
        raise BodyMapError(f"{where}: visceral site {site!r} cannot be drawn; it is chosen from the site list")
    try:
        cmds = tuple(parse_path(raw["d"]))
    except ValueError as e:
        raise BodyMapError(f"{where} ({site}): path: {e}") from None
    polys = tuple(tuple(p) for p in flatten(cmds) if len(p) > 2)
    if not polys:
        raise BodyMapError(f"{where} ({site}): path encloses no area")
    xs = [x for p in polys for x, _ in p]
    ys = [y for p in polys for _, y in p]
    return Region(site=site, laterality=side, d=raw["d"], commands=cmds, polygons=polys,
                  bbox=(min(xs), min(ys), max(xs), max(ys)), area=sum(_area(list(p)) for p in polys),
                  group=raw.get("group"), index=i)


def load_view(path: Path) -> View:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise BodyMapError(f"body map {path.name}: cannot read: {e}") from None
    name = raw.get("view", path.stem)
    for key in ("title", "width", "height", "regions"):
        if key not in raw:
            raise BodyMapError(f"body map {path.name}: {key!r} is missing")
    outline = []
    for i, d in enumerate(raw.get("outline", [])):
        try:
            outline.append(tuple(parse_path(d)))
        except ValueError as e:
            raise BodyMapError(f"body map {name!r}, outline path {i}: {e}") from None
    labels = tuple(Label(l["text"], l["x"], l["y"], l.get("size", 12), l.get("anchor", "middle"))
                   for l in raw.get("labels", []))
    spots = tuple(Spot(s["name"], s.get("label", ""), s["x"], s["y"], s["w"], s["h"]) for s in raw.get("spots", []))
    panels = tuple(Panel(p["group"], p["x"], p["y"], p["w"], p["h"]) for p in raw.get("panels", []))
    regions = tuple(_region(name, i, r) for i, r in enumerate(raw["regions"]))
    points = []
    for i, pt in enumerate(raw.get("points", [])):
        site, side = pt.get("site"), pt.get("laterality")
        if site not in catalogue.sites() or side not in REGION_SIDES:
            raise BodyMapError(f"body map {name!r}, point {i}: site {site!r} / laterality {side!r} is not "
                               "a catalogue site with left, right or midline")
        points.append((site, side, float(pt["x"]), float(pt["y"])))
    return View(name=name, title=raw["title"], width=float(raw["width"]), height=float(raw["height"]),
                orientation=raw.get("orientation", ""), outline=tuple(outline), labels=labels, spots=spots,
                regions=regions, panels=panels, points=tuple(points))


@cache
def _all_views() -> dict[str, View]:
    folder = catalogue.resource_path("bodymap")
    out = {}
    for name in VIEW_ORDER:
        out[name] = load_view(folder / f"{name}.json")
    return out


def views() -> list[View]:
    """The views in display order: front, back, hands, feet, genitalia."""
    return list(_all_views().values())


def view(name: str) -> View:
    try:
        return _all_views()[name]
    except KeyError:
        raise KeyError(f"no body-map view {name!r}; views are {', '.join(VIEW_ORDER)}") from None


def _view(v: View | str) -> View:
    return v if isinstance(v, View) else view(v)


# --- queries -------------------------------------------------------------------------------------

def hit_test(v: View | str, x: float, y: float) -> Region | None:
    """The region at drawing point (x, y); where regions nest (a breast on the chest) the smallest wins."""
    best = None
    for r in _view(v).regions:
        if r.contains(x, y) and (best is None or r.area < best.area):
            best = r
    return best


@cache
def covers(site: str) -> tuple[str, ...]:
    """The fine sites drawn for ``site``: itself, or the ones a coarse site takes in ("thigh, aspect not
    stated" -> its anterior, posterior and medial aspects; resources/catalogues/sites.json)."""
    coarse = {s["code"]: s for s in catalogue.load_json("catalogues", "sites.json").get("coarse_sites", [])}
    return tuple(coarse[site].get("covers", ())) if site in coarse else (site,)


def is_coarse(site: str) -> bool:
    return site in catalogue.coarse_sites()


def covered_regions(v: View | str, site: str, laterality: str, group: str | None = None) -> list[Region]:
    """Every region of `v` a (coarse) site takes in on the side(s) given: the outline the map draws."""
    vv = _view(v)
    out = []
    for fine in covers(site):
        out += _matching(vv, fine, laterality, group)
    return out


def _matching(v: View, site: str, laterality: str, group: str | None = None) -> list[Region]:
    """Regions of `v` that show a lesion at (site, laterality): one side, both sides for "bilateral"
    and "unspecified", the midline region for a site that has no sides whatever the laterality. A
    coarse site is shown on the first region it covers that `v` draws (one per side)."""
    if is_coarse(site):
        for fine in covers(site):
            found = _matching(v, fine, laterality, group)
            if found:
                return found
        return []
    found = [r for r in v.regions if r.site == site]
    if group:
        mine = [r for r in found if r.group in (None, group)]
        found = mine or found
    if any(r.laterality == "midline" for r in found):
        found = [r for r in found if r.laterality == "midline"][:1]
    elif laterality in ("left", "right"):
        found = [r for r in found if r.laterality == laterality][:1]
    else:
        found = [next(r for r in found if r.laterality == s) for s in ("right", "left")
                 if any(r.laterality == s for r in found)]
    return found


def region_for(site: str, laterality: str) -> list[tuple[View, Region]]:
    """Every (view, region) drawn for a site and side, in display order."""
    return [(v, r) for v in views() for r in _matching(v, site, laterality)]


def primary_view(site: str, laterality: str) -> str | None:
    """The first view in display order that shows the site: where the PDF puts its marker."""
    for v in views():
        if _matching(v, site, laterality):
            return v.name
    return None


def _inner_point(v: View, region: Region) -> Pt:
    """A stable point well inside the part of `region` a click reaches: the grid point farthest from
    any border (its own and those of regions nested in it), refined twice."""
    if region.index in v._markers:
        return v._markers[region.index]
    x0, y0, x1, y1 = region.bbox
    inner = [o for o in v.regions if o is not region and o.area < region.area and o.bbox[0] < x1
             and o.bbox[2] > x0 and o.bbox[1] < y1 and o.bbox[3] > y0]
    edges = []
    for poly in [p for r in [region, *inner] for p in r.polygons]:
        for i in range(len(poly)):
            (ax, ay), (bx, by) = poly[i - 1], poly[i]
            dx, dy = bx - ax, by - ay
            edges.append((ax, ay, dx, dy, dx * dx + dy * dy or 1e-12))

    def score(x: float, y: float) -> float:
        # the point must be where a click picks this region (smallest region wins)
        if not region.contains(x, y) or any(o.contains(x, y) for o in inner):
            return -1.0
        best = math.inf
        for ax, ay, dx, dy, L in edges:
            t = ((x - ax) * dx + (y - ay) * dy) / L
            t = 0.0 if t < 0 else 1.0 if t > 1 else t
            ex, ey = ax + t * dx - x, ay + t * dy - y
            d2 = ex * ex + ey * ey
            if d2 < best:
                best = d2
        return best

    # a grid centred on the box, so mirror-image regions get mirror-image points
    n = 12
    step = max(x1 - x0, y1 - y0) / n
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    cands = [(mx + i * step, my + j * step) for i in range(-n // 2, n // 2 + 1) for j in range(-n // 2, n // 2 + 1)]
    cands += [_centroid(region)]

    def key(c: Pt) -> tuple[float, float]:
        # near-equal clearance (a band of even width): prefer the middle, so mirror images agree
        return (round(score(*c), 3), -((c[0] - mx) ** 2 + (c[1] - my) ** 2))

    best = max(cands, key=key)
    for _ in range(2):
        step /= 3
        bx, by = best
        best = max([(bx + i * step, by + j * step) for i in range(-2, 3) for j in range(-2, 3)], key=key)
    if score(*best) < 0:
        raise BodyMapError(f"body map {v.name!r}: region {region.index} ({region.site}, {region.laterality}) "
                           "has no point a click reaches; smaller regions cover it")
    pt = (round(best[0], 2), round(best[1], 2))
    v._markers[region.index] = pt
    return pt


def _centroid(region: Region) -> Pt:
    poly = max(region.polygons, key=lambda p: _area(list(p)))
    a = cx = cy = 0.0
    for i in range(len(poly)):
        x0, y0 = poly[i - 1]
        x1, y1 = poly[i]
        f = x0 * y1 - x1 * y0
        a += f
        cx += (x0 + x1) * f
        cy += (y0 + y1) * f
    if a == 0:
        return poly[0]
    return (cx / (3 * a), cy / (3 * a))


def marker_point(v: View | str, site: str, laterality: str, group: str | None = None) -> Pt:
    """A stable point inside the region for (site, laterality) in view `v`, where hit_test returns that
    region. For "bilateral" or "unspecified" on a lateral site this is the patient's right side; use
    place_markers for all of them. Raises KeyError if the view does not show the site."""
    vv = _view(v)
    found = _matching(vv, site, laterality, group)
    if not found:
        raise KeyError(f"the {vv.name} view has no region for {site_text(site, laterality)!r}")
    return _inner_point(vv, found[0])


def outline_point(v: View | str, site: str, laterality: str) -> Pt | None:
    """Where view `v` draws a site only as outline (a finger or toe of the whole-body views): its
    marker point for the patient's `laterality` ("left"/"right"), or None if the view has none."""
    return next(((x, y) for s, side, x, y in _view(v).points if s == site and side == laterality), None)


# --- text ----------------------------------------------------------------------------------------

def site_label(site: str) -> str:
    s = catalogue.all_sites().get(site)
    return s.label if s else site


def is_lateral(site: str) -> bool:
    s = catalogue.all_sites().get(site)
    return bool(s and s.lateral)


def site_text(site: str, laterality: str) -> str:
    """The site as the tooltip says it, with the patient's side: "left index finger pad",
    "back of the right hand", "glans penis"."""
    label = site_label(site)
    if laterality not in ("left", "right"):
        return label
    if " of the " in label:
        head, _, tail = label.partition(" of the ")
        return f"{head} of the {laterality} {tail}"
    return f"{laterality} {label}"


# --- markers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Marker:
    number: int
    x: float
    y: float
    kind: str  # "exact" | "side-unknown" (hollow) | "unplaced" (in the view's unplaced box)
    lesion: int  # index of the lesion in the list given to place_markers
    region: Region | None


def place_markers(v: View | str, lesions, radius: float, group: str | None = None,
                  shown: list[str] | tuple[str, ...] | None = None) -> list[Marker]:
    """Where to draw each lesion's numbered marker in view `v` (drawing units).

    `lesions` are tuples starting (number, site, laterality, ...). `radius` is the marker radius in
    drawing units; markers sharing a region sit side by side. With `shown` (the names of the views on
    show, as in the PDF) each lesion appears once, in the first shown view that has its region, and
    in the unplaced box if none has; without it (the widget) it appears in every view that has its
    region, and in the unplaced box if no view has. `group` ("male"/"female") picks the genital panel
    for the perineum; without it the first panel is used."""
    vv = _view(v)
    order = [n for n in VIEW_ORDER if shown is None or n in shown]
    anchors: dict[int, list[tuple[int, int, str, Region]]] = {}
    unplaced: list[tuple[int, int]] = []
    for idx, les in enumerate(lesions):
        number, site, laterality = les[0], les[1], les[2]
        home = next((n for n in order if _matching(view(n), site, laterality, group)), None)
        found = _matching(vv, site, laterality, group) if (shown is None or home == vv.name) else []
        if found:
            lateral_unknown = is_lateral(site) and laterality not in ("left", "right", "bilateral")
            for r in found:
                anchors.setdefault(r.index, []).append((idx, number, "side-unknown" if lateral_unknown else "exact", r))
        elif home is None and vv.spot("unplaced") is not None:
            unplaced.append((idx, number))
    out: list[Marker] = []
    gap = radius * 2.3
    for items in anchors.values():
        ax, ay = _inner_point(vv, items[0][3])
        k = len(items)
        # side by side, kept inside the drawing when the region is near its edge
        x0 = ax - (k - 1) / 2 * gap
        x0 = max(x0, radius * 1.1)
        x0 = min(x0, vv.width - radius * 1.1 - (k - 1) * gap)
        for i, (idx, number, kind, r) in enumerate(items):
            out.append(Marker(number, x0 + i * gap, ay, kind, idx, r))
    spot = vv.spot("unplaced")
    if spot and unplaced:  # a row of markers along the bottom of the box, under its label
        per_row = max(1, int((spot.w - radius) // gap))
        rows = (len(unplaced) + per_row - 1) // per_row
        for i, (idx, number) in enumerate(unplaced):
            row, col = divmod(i, per_row)
            out.append(Marker(number, spot.x + radius * 1.5 + col * gap,
                              spot.y + spot.h - radius * 1.5 - (rows - 1 - row) * gap, "unplaced", idx, None))
    out.sort(key=lambda m: (m.lesion, m.x))
    return out
