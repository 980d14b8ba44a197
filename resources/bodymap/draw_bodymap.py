"""Draws Casebook's body-map views and writes them as JSON next to this file.

The drawings are our own, built here from simple geometry: smooth Catmull-Rom splines through hand-placed
points, converted to cubic Béziers. The JSON files are the data the app reads (desktop/bodymap.py); this
script is how they were made. Edit the geometry here and re-run it rather than editing the JSON by hand:

    .venv/bin/python resources/bodymap/draw_bodymap.py

Regions that share a border are built from the same spline pieces, so they meet exactly and a click on
the body always lands in one region. Each view is drawn for one half (the viewer's left) and mirrored.

File format (one file per view):
    {"view", "title", "width", "height", "orientation": text saying which side is the patient's left,
     "outline": [path], "labels": [{"text", "x", "y", "size", "anchor"}],
     "spots": [{"name", "label", "x", "y", "w", "h"}] (a box for markers with no place on the drawing),
     "panels": [{"group", "x", "y", "w", "h"}] (the part of the view showing one group's regions),
     "regions": [{"site", "laterality", "d", "group"?}],
     "points"?: [{"site", "laterality", "x", "y"}] (where a site drawn only as outline, a finger or
     toe of the whole-body views, gets its marker)}
Label text may hold line breaks; "y" is the first line's baseline. Paths use absolute M L C Q Z only. An outline path that ends with Z is a filled, non-clickable shape
drawn beneath the regions (fingers on the whole-body views); an open outline path is a detail line
drawn above them (nails, creases).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent

Pt = tuple[float, float]


# --- geometry --------------------------------------------------------------------------------------

def _add(a: Pt, b: Pt, k: float = 1.0) -> Pt:
    return (a[0] + b[0] * k, a[1] + b[1] * k)


def _sub(a: Pt, b: Pt) -> Pt:
    return (a[0] - b[0], a[1] - b[1])


def _lerp(a: Pt, b: Pt, t: float) -> Pt:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


class Spline:
    """A Catmull-Rom spline through points, as cubic Bézier segments. Pieces of it (between two of its
    points) are used by the regions on either side of it, so neighbours share the identical curve."""

    def __init__(self, pts: list[Pt], closed: bool = False):
        self.pts = list(pts)
        self.closed = closed
        n = len(pts)
        self.segs = []
        for i in range(n if closed else n - 1):
            p1, p2 = pts[i], pts[(i + 1) % n]
            p0 = pts[(i - 1) % n] if (closed or i > 0) else p1
            p3 = pts[(i + 2) % n] if (closed or i + 2 < n) else p2
            c1 = _add(p1, _sub(p2, p0), 1 / 6)
            c2 = _add(p2, _sub(p3, p1), -1 / 6)
            self.segs.append((p1, c1, c2, p2))

    def index(self, p: Pt) -> int:
        for i, q in enumerate(self.pts):
            if abs(q[0] - p[0]) < 1e-6 and abs(q[1] - p[1]) < 1e-6:
                return i
        raise ValueError(f"{p} is not a point of this spline")

    def part(self, a: Pt, b: Pt) -> list[tuple[Pt, Pt, Pt, Pt]]:
        i, j = self.index(a), self.index(b)
        n = len(self.pts)
        if self.closed:  # forward from a to b, wrapping round
            out, k = [], i
            while k != j:
                out.append(self.segs[k])
                k = (k + 1) % n
            return out
        if i <= j:
            return self.segs[i:j]
        return [(s[3], s[2], s[1], s[0]) for s in reversed(self.segs[j:i])]


class Path:
    def __init__(self, start: Pt):
        self.cmds: list[tuple[str, list[Pt]]] = [("M", [start])]
        self.cur = start

    def _to(self, p: Pt) -> None:
        if math.dist(p, self.cur) > 1e-6:
            self.L(p)

    def L(self, *pts: Pt) -> "Path":
        for p in pts:
            self.cmds.append(("L", [p]))
            self.cur = p
        return self

    def Q(self, c: Pt, p: Pt) -> "Path":
        self.cmds.append(("Q", [c, p]))
        self.cur = p
        return self

    def C(self, c1: Pt, c2: Pt, p: Pt) -> "Path":
        self.cmds.append(("C", [c1, c2, p]))
        self.cur = p
        return self

    def S(self, spline: Spline, a: Pt, b: Pt) -> "Path":
        """Follow `spline` from its point a to its point b."""
        self._to(a)
        for _, c1, c2, p in spline.part(a, b):
            self.C(c1, c2, p)
        return self

    def Z(self) -> "Path":
        self.cmds.append(("Z", []))
        return self

    def map(self, f) -> "Path":
        out = Path(f(self.cmds[0][1][0]))
        out.cmds = [(op, [f(p) for p in pts]) for op, pts in self.cmds]
        return out

    def d(self) -> str:
        parts = []
        for op, pts in self.cmds:
            parts.append(op + "".join(f" {_n(x)} {_n(y)}" for x, y in pts))
        return " ".join(parts)


def _n(v: float) -> str:
    s = f"{v:.1f}"
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return "0" if s == "-0" else s


def spline_path(pts: list[Pt], closed: bool = True) -> Path:
    sp = Spline(pts, closed=closed)
    p = Path(pts[0])
    for _, c1, c2, q in sp.segs:
        p.C(c1, c2, q)
    return p.Z() if closed else p


def ellipse(cx: float, cy: float, rx: float, ry: float) -> Path:
    k = 0.5523
    p = Path((cx + rx, cy))
    p.C((cx + rx, cy + ry * k), (cx + rx * k, cy + ry), (cx, cy + ry))
    p.C((cx - rx * k, cy + ry), (cx - rx, cy + ry * k), (cx - rx, cy))
    p.C((cx - rx, cy - ry * k), (cx - rx * k, cy - ry), (cx, cy - ry))
    p.C((cx + rx * k, cy - ry), (cx + rx, cy - ry * k), (cx + rx, cy))
    return p.Z()


class Digit:
    """A finger or toe: a tapering capsule from a base edge (bl, br) along an angle, with a round tip.
    Its sides bow outwards by `bulge` (left, right) so it does not look like a stick."""

    def __init__(self, bl: Pt, br: Pt, angle_deg: float, length: float, tip_w: float, tip_round: float = 0.8,
                 bulge: tuple[float, float] = (0.8, 0.8)):
        self.bl, self.br = bl, br
        a = math.radians(angle_deg)
        self.d = (math.sin(a), -math.cos(a))  # along the digit, towards its tip
        self.n = (math.cos(a), math.sin(a))   # across it, towards the viewer's right
        self.base = _lerp(bl, br, 0.5)
        self.length = length
        tip = _add(self.base, self.d, length)
        self.tl = _add(tip, self.n, -tip_w / 2)
        self.tr = _add(tip, self.n, tip_w / 2)
        self.cl = _add(_lerp(bl, self.tl, 0.5), self.n, -2 * bulge[0])  # control points of the sides
        self.cr = _add(_lerp(br, self.tr, 0.5), self.n, 2 * bulge[1])
        self.round = tip_w * tip_round
        self.tip_w = tip_w

    @staticmethod
    def _split(p0: Pt, c: Pt, p2: Pt, t: float) -> tuple[Pt, Pt, Pt]:
        """De Casteljau: the point at t and the control points of the two halves."""
        a, b = _lerp(p0, c, t), _lerp(c, p2, t)
        return _lerp(a, b, t), a, b

    def side(self, t: float) -> tuple[Pt, Pt]:
        """Points on the left and right edges at fraction t from base to the start of the tip."""
        return self._split(self.bl, self.cl, self.tl, t)[0], self._split(self.br, self.cr, self.tr, t)[0]

    def point(self, t: float) -> Pt:
        """The point midway across the digit at fraction t from its base to the start of its tip."""
        left, right = self.side(t)
        return _lerp(left, right, 0.5)

    def _tip(self, p: Path) -> Path:
        k = self.round
        return p.C(_add(self.tl, self.d, k), _add(self.tr, self.d, k), self.tr)

    def whole(self) -> Path:
        p = Path(self.bl).Q(self.cl, self.tl)
        return self._tip(p).Q(self.cr, self.br).Z()

    def _crease_ctrl(self, l: Pt, r: Pt) -> Pt:
        return _add(_lerp(l, r, 0.5), self.d, -self.tip_w * 0.12)

    def tip_part(self, t: float) -> Path:
        """The distal part from fraction t (pad or distal phalanx), its proximal edge a shallow crease."""
        l, _, al = self._split(self.bl, self.cl, self.tl, t)
        r, _, ar = self._split(self.br, self.cr, self.tr, t)
        p = Path(l).Q(al, self.tl)
        self._tip(p).Q(ar, r)
        return p.Q(self._crease_ctrl(l, r), l).Z()

    def base_part(self, t: float) -> Path:
        l, bl_c, _ = self._split(self.bl, self.cl, self.tl, t)
        r, br_c, _ = self._split(self.br, self.cr, self.tr, t)
        return Path(self.bl).Q(bl_c, l).Q(self._crease_ctrl(l, r), r).Q(br_c, self.br).Z()

    def crease(self, t: float, inset: float = 0.18) -> Path:
        l, r = self.side(t)
        a, b = _lerp(l, r, inset), _lerp(l, r, 1 - inset)
        return Path(a).L(b)

    def nail(self) -> Path:
        """An open U for the nail plate near the tip (dorsal views)."""
        w = self.tip_w * 0.62
        tip = _add(_lerp(self.tl, self.tr, 0.5), self.d, self.round * 0.55)
        top = _add(tip, self.d, -self.tip_w * 0.18)
        bot = _add(top, self.d, -self.tip_w * 1.0)
        l0, r0 = _add(bot, self.n, -w / 2), _add(bot, self.n, w / 2)
        l1, r1 = _add(top, self.n, -w / 2), _add(top, self.n, w / 2)
        p = Path(l0).L(l1)
        p.C(_add(l1, self.d, w * 0.45), _add(r1, self.d, w * 0.45), r1).L(r0)
        return p.Q(_add(_lerp(l0, r0, 0.5), self.d, w * 0.25), l0)


def opened(p: Path) -> Path:
    """The same shape as an open line (drawn over the regions, not filled)."""
    out = Path(p.cmds[0][1][0])
    out.cmds = [c for c in p.cmds if c[0] != "Z"]
    return out


# --- a view under construction ---------------------------------------------------------------------

class View:
    def __init__(self, name: str, title: str, width: float, height: float, orientation: str):
        self.name, self.title, self.width, self.height = name, title, width, height
        self.orientation = orientation
        self.outline: list[str] = []
        self.labels: list[dict] = []
        self.spots: list[dict] = []
        self.regions: list[dict] = []
        self.panels: list[dict] = []
        # where a site drawn only as outline sits (the digits of the whole-body views): a marker point
        self.points: list[dict] = []

    def mirror(self, p: Path) -> Path:
        return p.map(lambda q: (self.width - q[0], q[1]))

    def region(self, site: str, laterality: str, p: Path, group: str | None = None) -> None:
        r = {"site": site, "laterality": laterality, "d": p.d()}
        if group:
            r["group"] = group
        self.regions.append(r)

    def pair(self, site: str, viewer_left_side: str, p: Path) -> None:
        """A lateral region drawn on the viewer's left, and its mirror image for the other side."""
        other = "left" if viewer_left_side == "right" else "right"
        self.region(site, viewer_left_side, p)
        self.region(site, other, self.mirror(p))

    def point_pair(self, site: str, viewer_left_side: str, q: Pt) -> None:
        """A marker point of a lateral site on the viewer's left, and its mirror image."""
        other = "left" if viewer_left_side == "right" else "right"
        self.points.append({"site": site, "laterality": viewer_left_side, "x": round(q[0], 1), "y": round(q[1], 1)})
        self.points.append({"site": site, "laterality": other, "x": round(self.width - q[0], 1), "y": round(q[1], 1)})

    def both(self, site: str, p: Path) -> None:
        """A midline region (already whole)."""
        self.region(site, "midline", p)

    def line(self, p: Path, mirrored: bool = False) -> None:
        self.outline.append(p.d())
        if mirrored:
            self.outline.append(self.mirror(p).d())

    def label(self, text: str, x: float, y: float, size: float = 14, anchor: str = "middle") -> None:
        self.labels.append({"text": text, "x": x, "y": y, "size": size, "anchor": anchor})

    def to_json(self) -> dict:
        return {"view": self.name, "title": self.title, "width": self.width, "height": self.height,
                "orientation": self.orientation, "outline": self.outline, "labels": self.labels,
                "spots": self.spots, "panels": self.panels, "regions": self.regions,
                **({"points": self.points} if self.points else {})}


# --- the whole figure (front and back share one silhouette) ---------------------------------------

W, H = 460, 900
CX = W / 2


def mx(p: Pt) -> Pt:
    return (W - p[0], p[1])


# head (closed, clockwise from the crown); knots named for the borders that meet there
TOP = (CX, 38)
L1, L2, LT, L3, L4, LN, L5 = (205, 43), (193, 60), (191, 82), (193, 106), (199, 122), (208, 133), (217, 140)
CHIN = (CX, 144)
HEAD = Spline([TOP, mx(L1), mx(L2), mx(LT), mx(L3), mx(L4), mx(LN), mx(L5), CHIN,
               L5, LN, L4, L3, LT, L2, L1], closed=True)
HAIRLINE = Spline([mx(LT), (256, 64), (CX, 59), (204, 64), LT])

# neck and shoulders
NB = (199, 172)           # where the side of the neck meets the shoulder slope
NOTCH = (CX, 180)
SH = (146, 191)           # top of the shoulder, where chest (or upper back) meets the upper arm
AX = (163, 219)           # armpit
NECK_SIDE = Spline([LN, (207, 150), (204, 163), NB])
NECK_BASE = Spline([NB, (214, 177), NOTCH, (246, 177), mx(NB)])

# arm (outer edge runs on from the shoulder slope so the shoulder is one smooth curve)
EO, EOB, WO, WOB = (121, 318), (119, 346), (112, 432), (112, 447)
EI, EIB, WI, WIB = (147, 318), (145, 346), (135, 432), (135, 447)
ARM_OUT = Spline([NB, (180, 176), (160, 181), SH, (134, 203), (128, 226), (124, 258), (122, 290),
                  EO, EOB, (115, 378), (113, 408), WO, WOB])
ARM_IN = Spline([AX, (157, 250), (151, 286), EI, EIB, (143, 372), (139, 405), WI, WIB])
AXILLA = Spline([SH, (155, 203), AX])

# trunk and leg, outer edge from the armpit to the ankle
CB = (163, 284)           # side of the chest at the bottom of the rib cage
IC = (164, 369)           # side at the iliac crest
HB = (158, 440)           # lower end of the hip region on the outer edge
KO, KOB = (174, 578), (177, 626)
AO, AOB = (190, 778), (191, 800)
SIDE = Spline([AX, (161, 246), CB, (168, 314), (168, 342), IC, (158, 400), HB, (161, 482), (167, 532),
               KO, KOB, (174, 660), (178, 705), (185, 748), AO, AOB])
# inner edge of the leg from the crotch
CR = (227, 458)
CRA = (CX, 452)
KI, KIB = (217, 578), (216, 626)
AI, AIB = (211, 778), (211, 800)
INNER = Spline([CR, (224, 490), (220, 532), KI, KIB, (217, 660), (214, 705), (212, 748), AI, AIB])

# borders inside the trunk
CBM = (187, 287)          # flank meets abdomen / lower back
ASIS = (183, 371)
G = (213, 425)            # pubic tubercle
RIB = Spline([CB, CBM, (208, 291), (CX, 293), (252, 291), mx(CBM), mx(CB)])
FLANK_IN = Spline([CBM, (190, 316), (189, 345), ASIS])
INGUINAL = Spline([ASIS, (196, 398), G])
GROIN = Spline([G, (221, 441), CR])
HIP_IN = Spline([HB, (168, 412), ASIS])
KD = (201, 578)
THIGH_DIV = Spline([G, (207, 470), (203, 525), KD])

# hand on the whole-body views: palm or back of the hand, thumb and fingers as outline


def body_hand(v: View, near: str, front: bool) -> Path:
    """The hand of the whole-body views: the detailed hand of the Hands view, scaled to the wrist and
    turned fingers-down; its palm (or back) is the region, thumb and fingers are outline. Each digit
    gets a marker point on its distal part, where the Hands view has its pad (front, palms) or its
    nail (back), so a digit's lesion sits on that digit on the whole figure too."""
    h = hand_shape(0, 0)
    (wlx, wly), (wrx, _) = h["wl"], h["wr"]
    s = (WIB[0] - WOB[0]) / (wrx - wlx)
    T = lambda q: (WOB[0] + (q[0] - wlx) * s, WOB[1] + (wly - q[1]) * s)  # noqa: E731
    for dg in h["fingers"] + [h["thumb"]]:
        v.line(dg.whole().map(T), mirrored=True)
    digits = [("finger-1", h["thumb"], 0.52)] + [(f"finger-{i}", f, PAD) for i, f in enumerate(h["fingers"], 2)]
    for site, dg, start in digits:
        at = T(dg.point((start + 1) / 2))  # the middle of the pad (distal phalanx)
        if front:
            v.point_pair(site + "-pad", near, at)
        v.point_pair(site, near, at)  # the dorsum and nail fold: the finger shows in both views
    return h["palm"].map(T)


def foot_front() -> tuple[Path, list[Path]]:
    """The foot seen from in front: dorsum foreshortened, toes as a row of bumps."""
    tbo, tbi = (177, 833), (221, 831)
    outer = Spline([AOB, (184, 814), (179, 826), tbo])
    inner = Spline([AIB, (215, 813), (219, 823), tbi])
    dorsum = Path(AOB).S(outer, AOB, tbo).Q((199, 836), tbi).S(inner, tbi, AIB).Z()
    toes, tips = [], {}
    # great toe medial (towards the midline, the viewer's right on this side): little toe first
    edges = [177, 184.5, 191.5, 199, 207.5, 221]
    for i in range(5):
        a, b = edges[i], edges[i + 1]
        ya = 833 + (a - 177) * -0.045 + 0.5
        yb = 833 + (b - 177) * -0.045 + 0.5
        depth = [7, 8, 9, 10, 12][i]
        toes.append(Path((a, ya)).C((a, ya + depth * 1.25), (b, yb + depth * 1.25), (b, yb)).Z())
        tips[f"toe-{5 - i}"] = ((a + b) / 2, (ya + yb) / 2 + depth * 0.45)  # inside the bump
    return dorsum, toes, tips


def foot_back() -> Path:
    heel = Spline([AOB, (189, 816), (193, 833), (201, 840), (209, 835), (213, 818), AIB])
    p = Path(AOB).S(heel, AOB, AIB).Z()
    return p


def head_and_neck(v: View, front: bool) -> None:
    ear = spline_path([(192, 86), (185, 88), (183, 97), (186, 107), (193, 112)], closed=False).Z()
    v.line(ear, mirrored=True)
    if front:
        scalp = Path(LT).S(HEAD, LT, mx(LT)).S(HAIRLINE, mx(LT), LT).Z()
        face = Path(mx(LT)).S(HEAD, mx(LT), LT).S(HAIRLINE, LT, mx(LT)).Z()
        v.both("scalp", scalp)
        v.both("face", face)
    else:
        v.both("scalp", spline_path(HEAD.pts))
    neck = (Path(mx(LN)).S(HEAD, mx(LN), LN).S(NECK_SIDE, LN, NB).S(NECK_BASE, NB, mx(NB))
            .S(Spline([mx(p) for p in NECK_SIDE.pts]), mx(NB), mx(LN)).Z())
    v.both("neck", neck)


def shoulder_girdle() -> Path:
    """Chest (front) or upper back (back): from the neck base to the rib margin, armpit to armpit."""
    arm_out_r = Spline([mx(p) for p in ARM_OUT.pts])
    axilla_r = Spline([mx(p) for p in AXILLA.pts])
    side_r = Spline([mx(p) for p in SIDE.pts])
    return (Path(NB).S(NECK_BASE, NB, mx(NB)).S(arm_out_r, mx(NB), mx(SH)).S(axilla_r, mx(SH), mx(AX))
            .S(side_r, mx(AX), mx(CB)).S(RIB, mx(CB), CB).S(SIDE, CB, AX).S(AXILLA, AX, SH)
            .S(ARM_OUT, SH, NB).Z())


def limbs(v: View, near: str, front: bool) -> None:
    """Arm and leg regions on the viewer's left (patient's `near` side), mirrored for the other."""
    pair = lambda site, p: v.pair(site, near, p)  # noqa: E731
    pair("upper-arm", Path(SH).S(ARM_OUT, SH, EO).L(EI).S(ARM_IN, EI, AX).S(AXILLA, AX, SH).Z())
    pair("elbow", Path(EO).S(ARM_OUT, EO, EOB).L(EIB).S(ARM_IN, EIB, EI).Z())
    pair("forearm", Path(EOB).S(ARM_OUT, EOB, WO).L(WI).S(ARM_IN, WI, EIB).Z())
    pair("wrist", Path(WO).S(ARM_OUT, WO, WOB).L(WIB).S(ARM_IN, WIB, WI).Z())
    pair("palm" if front else "hand-dorsum", body_hand(v, near, front))
    pair("flank", Path(CB).S(SIDE, CB, IC).L(ASIS).S(FLANK_IN, ASIS, CBM).S(RIB, CBM, CB).Z())
    pair("hip", Path(IC).S(SIDE, IC, HB).S(HIP_IN, HB, ASIS).Z())
    pair("knee", Path(KO).S(SIDE, KO, KOB).L(KIB).S(INNER, KIB, KI).L(KD, KO).Z())
    pair("shin" if front else "calf", Path(KOB).S(SIDE, KOB, AO).L(AI).S(INNER, AI, KIB).Z())
    pair("ankle", Path(AO).S(SIDE, AO, AOB).L(AIB).S(INNER, AIB, AI).Z())
    if front:
        pair("thigh-anterior", Path(ASIS).S(INGUINAL, ASIS, G).S(THIGH_DIV, G, KD).L(KO)
             .S(SIDE, KO, HB).S(HIP_IN, HB, ASIS).Z())
        pair("thigh-medial", Path(G).S(GROIN, G, CR).S(INNER, CR, KI).L(KD).S(THIGH_DIV, KD, G).Z())
        dorsum, toes, tips = foot_front()
        pair("foot-dorsum", dorsum)
        for t in toes:
            v.line(t, mirrored=True)
        for site, at in tips.items():
            v.point_pair(site, near, at)
    else:
        pair("thigh-posterior", Path(HB).S(FOLD, HB, CR).S(INNER, CR, KI).L(KO).S(SIDE, KO, HB).Z())
        pair("heel", foot_back())


SACRUM = (CX, 394)
CREST_BACK = Spline([ASIS, (205, 384), SACRUM, (255, 384), mx(ASIS)])
FOLD = Spline([HB, (180, 458), (205, 464), CR])


def _bezier(seg: tuple[Pt, Pt, Pt, Pt], t: float) -> tuple[Pt, Pt]:
    """The point at t of a cubic Bézier segment, and the unit normal there."""
    p0, c1, c2, p1 = seg
    u = 1 - t
    pt = tuple(u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * d for a, b, c, d in zip(p0, c1, c2, p1))
    tan = tuple(3 * u * u * (b - a) + 6 * u * t * (c - b) + 3 * t * t * (d - c) for a, b, c, d in zip(p0, c1, c2, p1))
    n = math.hypot(*tan) or 1.0
    return pt, (-tan[1] / n, tan[0] / n)


def groin_band(half: float = 6.5) -> Path:
    """The viewer's-left groin: a band along the inguinal fold (INGUINAL), from a little inside the
    hip's edge to just short of the pubic tubercle, tapering at both ends."""
    samples = [(0, t) for t in (0.35, 0.6, 0.85)] + [(1, t) for t in (0.1, 0.35, 0.6)]
    mid = [_bezier(INGUINAL.segs[i], t) for i, t in samples]
    upper = [_add(p, n, half) for p, n in mid]
    lower = [_add(p, n, -half) for p, n in mid]
    tip_a = _bezier(INGUINAL.segs[0], 0.12)[0]
    tip_b = _bezier(INGUINAL.segs[1], 0.85)[0]
    pts = [(round(x, 1), round(y, 1)) for x, y in [tip_a, *upper, tip_b, *reversed(lower)]]
    return spline_path(pts)


def front_view() -> View:
    v = View("front", "Front", W, H, "The patient faces you: the patient's right is on your left (R), the "
             "patient's left on your right (L).")
    head_and_neck(v, front=True)
    v.both("chest", shoulder_girdle())
    bl, br = (CX - 38, 247), (CX + 38, 247)
    # the breasts lie on the chest region: where regions nest, a click picks the smaller
    v.region("breast", "right", ellipse(bl[0], bl[1], 24, 21))
    v.region("breast", "left", ellipse(br[0], br[1], 24, 21))
    flank_r = Spline([mx(p) for p in FLANK_IN.pts])
    ing_r = Spline([mx(p) for p in INGUINAL.pts])
    abdomen = (Path(CBM).S(RIB, CBM, mx(CBM)).S(flank_r, mx(CBM), mx(ASIS)).S(ing_r, mx(ASIS), mx(G))
               .Q((CX, 429), G).S(INGUINAL, G, ASIS).S(FLANK_IN, ASIS, CBM).Z())
    v.both("abdomen", abdomen)
    groin_r = Spline([mx(p) for p in GROIN.pts])
    pubis = Path(G).Q((CX, 429), mx(G)).S(groin_r, mx(G), mx(CR)).Q(CRA, CR).S(GROIN, CR, G).Z()
    v.line(pubis)
    limbs(v, "right", front=True)
    # the groin (inguinal fold) lies across the border of the abdomen and the thigh: where regions
    # nest, a click picks the smaller
    v.pair("groin", "right", groin_band())
    v.line(Path((CX - 4, 318)).Q((CX, 322), (CX + 4, 318)))  # navel
    v.label("R", 40, 60, 22)
    v.label("L", W - 40, 60, 22)
    v.label("patient's right", 40, 82, 11)
    v.label("patient's left", W - 40, 82, 11)
    v.spots.append({"name": "unplaced", "label": "not on the map\n(organs, no site)",
                    "x": W - 138, "y": 640, "w": 130, "h": 64})
    return v


def back_view() -> View:
    v = View("back", "Back", W, H, "You see the patient's back: the patient's left is on your left (L), the "
             "patient's right on your right (R).")
    head_and_neck(v, front=False)
    v.both("upper-back", shoulder_girdle())
    flank_r = Spline([mx(p) for p in FLANK_IN.pts])
    lower = (Path(CBM).S(RIB, CBM, mx(CBM)).S(flank_r, mx(CBM), mx(ASIS)).S(CREST_BACK, mx(ASIS), ASIS)
             .S(FLANK_IN, ASIS, CBM).Z())
    v.both("lower-back", lower)
    v.pair("buttock", "left", Path(ASIS).S(CREST_BACK, ASIS, SACRUM).L(CRA, CR).S(FOLD, CR, HB)
           .S(HIP_IN, HB, ASIS).Z())
    limbs(v, "left", front=False)
    # spine and shoulder blades, faintly
    v.line(Path((CX, 186)).L((CX, 380)))
    v.line(Path((186, 212)).Q((206, 232), (203, 268)), mirrored=True)
    v.label("L", 40, 60, 22)
    v.label("R", W - 40, 60, 22)
    v.label("patient's left", 40, 82, 11)
    v.label("patient's right", W - 40, 82, 11)
    return v


# --- hands: palmar (top row) and dorsal (bottom row) ----------------------------------------------

HW, HH = 520, 760


def hand_shape(ox: float, oy: float):
    """A hand with its thumb on the viewer's left, wrist at the bottom; returns its parts."""
    def P(x: float, y: float) -> Pt:
        return (ox + x, oy + y)

    corners = [P(60, 152), P(84, 147), P(108, 145), P(131, 148), P(150, 160)]
    specs = [(-9, 86, 19.5), (-1.5, 95, 20), (6, 88, 19), (15, 68, 16.5)]  # angle, length, tip width
    fingers = [Digit(corners[i], corners[i + 1], a, ln, tw) for i, (a, ln, tw) in enumerate(specs)]
    thumb = Digit(P(35, 228), P(58, 200), -33, 72, 21, bulge=(2.4, 0.6))
    wl, wr, wlb, wrb = P(64, 292), P(141, 292), P(66, 320), P(139, 320)
    radial = Spline([thumb.bl, P(38, 250), P(50, 276), wl])
    web = Spline([corners[0], P(57, 176), thumb.br])
    ulnar = Spline([corners[-1], P(157, 190), P(158, 228), P(152, 263), wr])
    palm = (Path(corners[0]).L(*corners[1:]).S(ulnar, corners[-1], wr).L(wl).S(radial, wl, thumb.bl)
            .L(thumb.br).S(web, thumb.br, corners[0]).Z())
    wrist = Path(wl).L(wr).Q(P(145, 306), wrb).Q(P(102, 323), wlb).Q(P(61, 306), wl).Z()
    creases = [
        Path(P(54, 214)).C(P(66, 218), P(70, 250), P(78, 286)),       # thenar crease
        Path(P(60, 188)).C(P(86, 190), P(112, 200), P(142, 214)),     # proximal transverse
        Path(P(92, 176)).C(P(110, 170), P(132, 172), P(155, 184)),    # distal transverse
        Path(P(72, 294)).Q(P(102, 299), P(133, 294)),                 # wrist crease
    ]
    return {"fingers": fingers, "thumb": thumb, "palm": palm, "wrist": wrist, "creases": creases,
            "wl": wl, "wr": wr}


PAD = 0.64  # fraction of the finger, from its base, where the pad (distal phalanx) begins


def hands_view() -> View:
    v = View("hands", "Hands", HW, HH, "Top row, palms facing you: the patient's right hand is on your left "
             "(R). Bottom row, backs of the hands seen from behind: the patient's left hand is on your "
             "left (L). In both rows the thumbs point outwards.")
    ox = 40
    names = ["finger-2", "finger-3", "finger-4", "finger-5"]
    for row, (oy, near) in enumerate([(30, "right"), (410, "left")]):
        h = hand_shape(ox, oy)
        palmar = row == 0
        if palmar:
            v.pair("palm", near, h["palm"])
            for name, f in zip(names, h["fingers"]):
                v.pair(name + "-pad", near, f.tip_part(PAD))
                v.line(f.base_part(PAD), mirrored=True)
                v.line(f.crease(0.33), mirrored=True)
            v.pair("finger-1-pad", near, h["thumb"].tip_part(0.52))
            v.line(h["thumb"].base_part(0.52), mirrored=True)
            for c in h["creases"]:
                v.line(c, mirrored=True)
        else:
            v.pair("hand-dorsum", near, h["palm"])
            for name, f in zip(names, h["fingers"]):
                v.pair(name, near, f.whole())
                v.line(f.nail(), mirrored=True)
                for t in (0.3, 0.62):
                    v.line(f.crease(t, 0.3), mirrored=True)
            v.pair("finger-1", near, h["thumb"].whole())
            v.line(h["thumb"].nail(), mirrored=True)
            v.line(h["thumb"].crease(0.45, 0.3), mirrored=True)
        v.pair("wrist", near, h["wrist"])
        far = "left" if near == "right" else "right"
        title = "Palms (palmar side)" if palmar else "Backs of the hands (dorsal side)"
        v.label(title, HW / 2, oy - 12 if palmar else oy + 6, 15)
        v.label(near[0].upper(), ox + 105, oy + 346, 22)
        v.label(far[0].upper(), HW - ox - 105, oy + 346, 22)
        if palmar:
            # the pad of a finger the source does not name: a target just beyond the fingertips,
            # labelled, on each hand
            cx, cy = ox + 104, oy + 30
            v.pair("finger-pad", near, ellipse(cx, cy, 11, 11))
            v.label("pad, finger\nnot stated", cx - 16, cy - 2, 10, "end")
            v.label("pad, finger\nnot stated", HW - cx + 16, cy - 2, 10, "start")
    return v


# --- feet: dorsal (top row) and plantar (bottom row) ----------------------------------------------

FW, FH = 520, 720


FOOT_W = 136  # the foot's drawing spans x = 11..125 from its origin; it is mirrored about its middle


def foot_shape(ox: float, oy: float):
    """A foot with its great toe on the viewer's right, toes at the top: the foot drawn on the
    viewer's left, whose great toe lies medially, towards the other foot, in both rows (the left
    foot seen from above, the right sole seen from below); the other is its mirror image."""
    def P(x: float, y: float) -> Pt:
        return (ox + FOOT_W - x, oy + y)

    c = [P(14, 100), P(48, 94), P(68, 96), P(87, 101), P(105, 109), P(121, 120)]
    specs = [(-3, 46, 27), (3, 39, 15), (7, 34, 14), (12, 29, 13), (19, 24, 12)]
    # mirrored: each toe's base runs from c[i + 1] (now on the left) to c[i], and it leans the other way
    toes = [Digit(c[i + 1], c[i], -a, ln, tw) for i, (a, ln, tw) in enumerate(specs)]
    medial = Spline([c[0], P(11, 140), P(20, 185), P(26, 222), P(27, 250)])
    lateral = Spline([c[-1], P(125, 158), P(117, 205), P(103, 245), P(98, 262)])
    heel_l, heel_r = P(27, 250), P(98, 262)
    heel_curve = Spline([heel_l, P(34, 283), P(60, 300), P(88, 290), heel_r])
    return {"toes": toes, "c": c, "medial": medial, "lateral": lateral, "heel": heel_curve,
            "heel_l": heel_l, "heel_r": heel_r, "P": P}


def feet_view() -> View:
    v = View("feet", "Feet", FW, FH, "Top row, tops of the feet seen from above: the patient's left foot is "
             "on your left (L). Bottom row, soles facing you: the patient's right foot is on your left "
             "(R). In both rows the great toes lie on the inner (medial) side of each foot, towards the "
             "other foot.")
    ox = 120
    toe_names = [f"toe-{i}" for i in range(1, 6)]
    for row, (oy, near) in enumerate([(40, "left"), (410, "right")]):
        f = foot_shape(ox, oy)
        P = f["P"]
        c = f["c"]
        for name, t in zip(toe_names, f["toes"]):
            v.pair(name, near, t.whole())
            if row == 0:
                v.line(t.nail(), mirrored=True)
        if row == 0:
            dorsum = (Path(c[0]).L(*c[1:]).S(f["lateral"], c[-1], P(117, 205))
                      .Q(P(68, 190), P(20, 185)).S(f["medial"], P(20, 185), c[0]).Z())
            ankle = (Path(P(20, 185)).Q(P(68, 190), P(117, 205)).S(f["lateral"], P(117, 205), f["heel_r"])
                     .S(f["heel"], f["heel_r"], f["heel_l"]).S(f["medial"], f["heel_l"], P(20, 185)).Z())
            v.pair("foot-dorsum", near, dorsum)
            v.pair("ankle", near, ankle)
            # the malleoli, faintly
            v.line(Path(P(24, 228)).Q(P(36, 236), P(31, 250)), mirrored=True)
            v.line(Path(P(106, 238)).Q(P(95, 248), P(99, 260)), mirrored=True)
        else:
            sole = (Path(c[0]).L(*c[1:]).S(f["lateral"], c[-1], P(103, 245))
                    .Q(P(62, 228), P(26, 222)).S(f["medial"], P(26, 222), c[0]).Z())
            heel = (Path(P(26, 222)).Q(P(62, 228), P(103, 245)).S(f["lateral"], P(103, 245), f["heel_r"])
                    .S(f["heel"], f["heel_r"], f["heel_l"]).S(f["medial"], f["heel_l"], P(26, 222)).Z())
            v.pair("sole", near, sole)
            v.pair("heel", near, heel)
            v.line(Path(P(22, 130)).C(P(45, 118), P(90, 126), P(118, 146)), mirrored=True)  # ball of foot
        far = "left" if near == "right" else "right"
        title = "Tops of the feet (dorsal side)" if row == 0 else "Soles (plantar side)"
        v.label(title, FW / 2, oy - 10, 15)
        v.label(near[0].upper(), ox - 70, oy + 150, 22)
        v.label(far[0].upper(), FW - ox + 70, oy + 150, 22)
        if row == 0:
            # a toe the source does not name: a target just beyond the toes, labelled, on each foot
            cx, cy = ox + 62, oy + 34
            v.pair("toe", near, ellipse(cx, cy, 11, 11))
            v.label("toe not\nstated", cx - 16, cy - 2, 10, "end")
            v.label("toe not\nstated", FW - cx + 16, cy - 2, 10, "start")
    return v


# --- genitalia: perineal view ----------------------------------------------------------------------

GW, GH = 560, 440


def genitalia_view() -> View:
    v = View("genitalia", "Genitalia", GW, GH, "Perineal view, the patient lying on the back with the legs "
             "apart, seen from the feet: the patient's right is on your left (R), the left on your right "
             "(L). Male: penis lifted onto the abdomen.")
    # male, centred on x=140
    m = 140
    glans_pts = [(m - 22, 98), (m - 28, 91), (m - 27, 70), (m - 16, 49), (m, 42), (m + 16, 49), (m + 27, 70),
                 (m + 28, 91), (m + 22, 98)]
    glans = Path(glans_pts[0]).S(Spline(glans_pts), glans_pts[0], glans_pts[-1]).Q((m, 105), (m - 22, 98)).Z()
    shaft_l = Spline([(m - 22, 98), (m - 23, 150), (m - 24, 200)])
    shaft_r = Spline([(m + 22, 98), (m + 23, 150), (m + 24, 200)])
    shaft = (Path((m - 22, 98)).Q((m, 105), (m + 22, 98)).S(shaft_r, (m + 22, 98), (m + 24, 200))
             .Q((m, 206), (m - 24, 200)).S(shaft_l, (m - 24, 200), (m - 22, 98)).Z())
    scrotum_pts = [(m - 24, 200), (m - 48, 206), (m - 60, 240), (m - 52, 282), (m - 26, 302), (m, 298),
                   (m + 26, 302), (m + 52, 282), (m + 60, 240), (m + 48, 206), (m + 24, 200)]
    scro = Spline(scrotum_pts)
    scrotum = Path((m - 24, 200)).S(scro, (m - 24, 200), (m + 24, 200)).Q((m, 206), (m - 24, 200)).Z()
    per_l = Spline([(m - 52, 282), (m - 40, 320), (m - 30, 346)])
    per_r = Spline([(m + 30, 346), (m + 40, 320), (m + 52, 282)])
    perineum = (Path((m - 52, 282)).S(scro, (m - 52, 282), (m + 52, 282)).S(per_r, (m + 52, 282), (m + 30, 346))
                .Q((m, 338), (m - 30, 346)).S(per_l, (m - 30, 346), (m - 52, 282)).Z())
    v.region("glans-penis", "midline", glans, "male")
    v.region("penile-shaft", "midline", shaft, "male")
    v.region("scrotum", "midline", scrotum, "male")
    v.region("perineum", "midline", perineum, "male")
    v.line(Path((m, 46)).L((m, 56)))                              # meatus
    v.line(Path((m, 214)).C((m - 3, 240), (m + 3, 270), (m, 296)))  # scrotal raphe
    v.line(ellipse(m, 370, 11, 9))                                # anus
    # female, centred on x=420
    f = 420
    vul = Spline([(f, 60), (f + 30, 78), (f + 42, 170), (f + 34, 260), (f + 18, 300), (f, 306), (f - 18, 300),
                  (f - 34, 260), (f - 42, 170), (f - 30, 78)], closed=True)
    vulva = spline_path(vul.pts)
    per_fl = Spline([(f - 18, 300), (f - 26, 325), (f - 24, 348)])
    per_fr = Spline([(f + 24, 348), (f + 26, 325), (f + 18, 300)])
    perineum_f = (Path((f + 18, 300)).S(vul, (f + 18, 300), (f - 18, 300)).S(per_fl, (f - 18, 300), (f - 24, 348))
                  .Q((f, 340), (f + 24, 348)).S(per_fr, (f + 24, 348), (f + 18, 300)).Z())
    v.region("vulva", "midline", vulva, "female")
    v.region("perineum", "midline", perineum_f, "female")
    v.line(opened(spline_path([(f, 108), (f - 14, 150), (f - 16, 210), (f - 8, 262), (f, 276), (f + 8, 262),
                               (f + 16, 210), (f + 14, 150)], closed=True)))  # labia minora
    v.line(Path((f - 9, 116)).Q((f, 96), (f + 9, 116)))            # clitoral hood
    v.line(opened(ellipse(f, 232, 6, 16)))                         # vaginal opening
    v.line(Path((f - 2, 190)).Q((f, 193), (f + 2, 190)))           # urethral opening
    v.line(ellipse(f, 372, 11, 9))                                 # anus
    # thighs, faintly, for orientation
    for c in (m, f):
        v.line(Path((c - 118, 40)).C((c - 100, 140), (c - 90, 260), (c - 60, 420)))
        v.line(Path((c + 118, 40)).C((c + 100, 140), (c + 90, 260), (c + 60, 420)))
    v.label("Male", m, 24, 15)
    v.label("Female", f, 24, 15)
    for c in (m, f):
        v.label("R", c - 120, GH / 2, 22)
        v.label("L", c + 120, GH / 2, 22)
    v.panels = [{"group": "male", "x": 0, "y": 0, "w": GW / 2, "h": GH},
                {"group": "female", "x": GW / 2, "y": 0, "w": GW / 2, "h": GH}]
    return v


def build() -> dict[str, dict]:
    return {v.name: v.to_json() for v in (front_view(), back_view(), hands_view(), feet_view(), genitalia_view())}


def main() -> None:
    for name, data in build().items():
        (HERE / f"{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {name}.json: {len(data['regions'])} regions")


if __name__ == "__main__":
    main()
