"""Does a photo perhaps show a face? An offline check on the way into the library (issue 13).

A photo in which a face may be seen is identifying (case-reports.md §2): it may be published only
when the consent covers that image. This module only warns; the author decides (``Figure.
consent_covers_image``) and the export refuses a flagged image without that decision.

The detector is OpenCV's Viola-Jones frontal-face cascade (``haarcascade_frontalface_alt.xml``,
Lienhart et al., Intel License Agreement, BSD-like), the trained model that the
``opencv-python-headless`` 4.x wheel ships in ``cv2/data``. Casebook reads that XML from the
installed package (never from a copy in this repository) and evaluates it here, in plain Python on
Pillow's pixels: importing ``cv2`` would pull in NumPy and OpenCV's 160 MB of native libraries,
which the workstation bundle (goal ≤ 300 MB) cannot carry, while the model file alone is 0.7 MB.
The evaluation follows OpenCV's ``CascadeClassifier.detectMultiScale`` (variance-normalised Haar
features on integral images, an image pyramid, neighbours grouped as ``groupRectangles`` does with
3 neighbours), so the same photo gives the same answer as OpenCV does (a test compares the two).

Photos are examined at most ``WORK_PX`` pixels on their shorter side: a face smaller than a tenth
of the photo's shorter side is not looked for (such a face is not recognisable in a published
figure either). A frontal cascade misses faces seen in profile; the warning is a help, not a
guarantee, and the author's "Identifying" mark stays theirs to set.
"""
from __future__ import annotations

import importlib.util
import io
import math
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path

from PIL import Image, ImageOps

CASCADE = "haarcascade_frontalface_alt.xml"
PACKAGE = "opencv-python-headless"  # the distribution that ships the cascade (cv2/data)
WORK_PX = 200  # shorter side of the image the detector examines
SCALE_STEP = 1.1  # OpenCV's default scaleFactor
MIN_NEIGHBOURS = 3  # OpenCV's default minNeighbors
GROUP_EPS = 0.2  # groupRectangles' eps
_SQUARES = [v * v for v in range(256)]
_STAGE_EPS = 1e-5  # OpenCV lowers each stage threshold by this on reading (THRESHOLD_EPS)


class FaceDetectorUnavailable(RuntimeError):
    """The face model is not installed; the message says which package brings it."""


@dataclass(frozen=True)
class _Stage:
    threshold: float
    # per weak classifier: feature index, node threshold, value below it, value at or above it
    weak: tuple[tuple[int, float, float, float], ...]


@dataclass(frozen=True)
class Cascade:
    width: int
    height: int
    stages: tuple[_Stage, ...]
    features: tuple[tuple[tuple[int, int, int, int, float], ...], ...]  # rects (x, y, w, h, weight)


def cascade_path() -> Path:
    """Where the installed package keeps the cascade: ``cv2/data`` of opencv-python-headless, found
    without importing cv2; in the workstation bundle, the same folder inside the bundle."""
    places = []
    if getattr(sys, "frozen", False):
        places.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "cv2" / "data")
    spec = importlib.util.find_spec("cv2")
    if spec is not None and spec.submodule_search_locations:
        places += [Path(p) / "data" for p in spec.submodule_search_locations]
    for folder in places:
        if (folder / CASCADE).is_file():
            return folder / CASCADE
    raise FaceDetectorUnavailable(
        f"the face detector's model ({CASCADE}) is not installed: install the {PACKAGE} package "
        "(version 4, which ships OpenCV's Haar cascades)")


@cache
def load_cascade(path: Path | None = None) -> Cascade:
    """Read an OpenCV (new-format) Haar cascade: stumps only, no tilted features, as the frontal
    face cascades are. Anything else is refused with the reason."""
    path = path or cascade_path()
    root = ET.parse(path).getroot().find("cascade")
    if root is None or root.findtext("featureType", "").strip() != "HAAR":
        raise FaceDetectorUnavailable(f"{path.name} is not an OpenCV Haar cascade")
    stages = []
    for st in root.find("stages"):
        weak = []
        for wc in st.find("weakClassifiers"):
            nodes = wc.findtext("internalNodes").split()
            leaves = wc.findtext("leafValues").split()
            if len(nodes) != 4 or len(leaves) != 2:
                raise FaceDetectorUnavailable(f"{path.name}: only single-split (stump) classifiers are read")
            weak.append((int(nodes[2]), float(nodes[3]), float(leaves[0]), float(leaves[1])))
        stages.append(_Stage(float(st.findtext("stageThreshold")) - _STAGE_EPS, tuple(weak)))
    features = []
    for ft in root.find("features"):
        if ft.findtext("tilted", "0").strip() not in ("0", ""):
            raise FaceDetectorUnavailable(f"{path.name}: tilted features are not read")
        rects = []
        for r in ft.find("rects"):
            x, y, w, h, weight = r.text.split()
            rects.append((int(x), int(y), int(w), int(h), float(weight)))
        features.append(tuple(rects))
    c = Cascade(int(root.findtext("width")), int(root.findtext("height")), tuple(stages), tuple(features))
    numbers = [st.threshold for st in c.stages] + [v for st in c.stages for w in st.weak for v in w[1:]]
    if not all(map(math.isfinite, numbers + [r[4] for rects in c.features for r in rects])):
        raise FaceDetectorUnavailable(f"{path.name}: a threshold or weight is not a finite number")
    if any(x < 0 or y < 0 or x + w > c.width or y + h > c.height for rects in c.features for x, y, w, h, _ in rects) \
            or any(not 0 <= w[0] < len(c.features) for st in c.stages for w in st.weak):
        raise FaceDetectorUnavailable(f"{path.name}: a feature lies outside the detection window")
    return c


def _stride(width: int) -> int:
    """The row length of the integral images of all the levels of one photo: one for all of them, so
    that the cascade is compiled once for the photo; a power of two, so that photos of about the same
    width share it."""
    stride = 256
    while stride < width + 1:
        stride *= 2
    return stride


def _integrals(im: Image.Image, stride: int) -> tuple[list[int], list[int]]:
    """The integral image and the integral of squares of a greyscale image, (w + 1) × (h + 1), flat,
    rows ``stride`` apart (the columns past w + 1 are never read)."""
    w, h = im.size
    px = im.tobytes()
    pad = [0] * (stride - w - 1)
    s = [0] * stride
    q = [0] * stride
    above_s, above_q = s[:w + 1], q[:w + 1]
    for y in range(h):
        row = px[y * w:(y + 1) * w]
        above_s = [0] + [a + b for a, b in zip(above_s[1:], accumulate(row))]
        above_q = [0] + [a + b for a, b in zip(above_q[1:], accumulate(_SQUARES[v] for v in row))]
        s += above_s
        s += pad
        q += above_q
        q += pad
    return s, q


def _level_stages(c: Cascade, stride: int) -> list[tuple[float, tuple]]:
    """The stages with each weak classifier as one flat tuple of its rectangles' corner offsets (for
    integral images whose rows are ``stride`` apart) and weights, then its threshold and leaf values:
    two-rectangle features as 13 numbers, three-rectangle ones as 18, so that the loop over the windows
    reads each without a loop of its own."""
    feats = []
    for rects in c.features:
        flat: list = []
        for x, y, rw, rh, wt in rects:
            a = y * stride + x
            flat += (a + rh * stride + rw, a + rw, a + rh * stride, a, wt)
        feats.append(tuple(flat))
    return [(st.threshold, tuple(feats[i] + (t, lo, hi) for i, t, lo, hi in st.weak)) for st in c.stages]


def _windows(im: Image.Image, c: Cascade, step: int, stride: int) -> list[tuple[int, int]]:
    """Top-left corners of the windows of ``im`` that pass every stage of the cascade."""
    w, h = im.size
    s, q = _integrals(im, stride)
    stages = _level_stages(c, stride)
    # the normalising window: the detection window less a one-pixel border (OpenCV's normrect)
    n0 = stride + 1
    n1, n2, n3 = n0 + c.width - 2, n0 + (c.height - 2) * stride, n0 + (c.height - 2) * stride + c.width - 2
    area = (c.width - 2) * (c.height - 2)
    sqrt = math.sqrt
    found = []
    x_end = w - c.width
    for y in range(0, h - c.height + 1, step):
        row, x = y * stride, 0
        while x <= x_end:
            p = row + x
            total = s[p + n3] - s[p + n1] - s[p + n2] + s[p + n0]
            nf = area * (q[p + n3] - q[p + n1] - q[p + n2] + q[p + n0]) - total * total
            inv = 1.0 / sqrt(nf) if nf > 0 else 1.0
            first = True
            for threshold, weak in stages:
                acc = 0.0
                for f in weak:
                    # the same sums in the same order as OpenCV's (d - b - c + a per rectangle, then
                    # weighted and added rectangle by rectangle)
                    if len(f) == 13:
                        v = f[4] * (s[p + f[0]] - s[p + f[1]] - s[p + f[2]] + s[p + f[3]]) \
                            + f[9] * (s[p + f[5]] - s[p + f[6]] - s[p + f[7]] + s[p + f[8]])
                        acc += f[11] if v * inv < f[10] else f[12]
                    else:
                        v = f[4] * (s[p + f[0]] - s[p + f[1]] - s[p + f[2]] + s[p + f[3]]) \
                            + f[9] * (s[p + f[5]] - s[p + f[6]] - s[p + f[7]] + s[p + f[8]]) \
                            + f[14] * (s[p + f[10]] - s[p + f[11]] - s[p + f[12]] + s[p + f[13]])
                        acc += f[16] if v * inv < f[15] else f[17]
                if acc < threshold:
                    if first:  # as OpenCV does: a window the first stage rejects skips the next one
                        x += step
                    break
                first = False
            else:
                found.append((x, y))
            x += step
    return found


def _group(rects: list[tuple[float, float, float, float]], min_neighbours: int, eps: float):
    """OpenCV's groupRectangles: rectangles that nearly coincide form a cluster; a cluster with more
    than ``min_neighbours`` members becomes their average; one lying inside a stronger one is dropped."""
    n = len(rects)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            a, b = rects[i], rects[j]
            delta = eps * (min(a[2], b[2]) + min(a[3], b[3])) * 0.5
            if (abs(a[0] - b[0]) <= delta and abs(a[1] - b[1]) <= delta
                    and abs(a[0] + a[2] - b[0] - b[2]) <= delta and abs(a[1] + a[3] - b[1] - b[3]) <= delta):
                parent[root(i)] = root(j)
    clusters: dict[int, list] = {}
    for i in range(n):
        clusters.setdefault(root(i), []).append(rects[i])
    avg = [(tuple(sum(r[k] for r in members) / len(members) for k in range(4)), len(members))
           for members in clusters.values() if len(members) > min_neighbours]
    out = []
    for r, count in avg:
        inside = any(o is not r and oc > max(3, count) and r[0] >= o[0] - o[2] * eps and r[1] >= o[1] - o[3] * eps
                     and r[0] + r[2] <= o[0] + o[2] * (1 + eps) and r[1] + r[3] <= o[1] + o[3] * (1 + eps)
                     for o, oc in avg)
        if not inside:
            out.append(r)
    return out


def _pyramid(image: Image.Image, c: Cascade) -> tuple[Image.Image, float, list[float]]:
    """The greyscale working image (at most ``WORK_PX`` on its shorter side), how much it was
    shrunk, and the scale factors of the levels the cascade looks at (as OpenCV: 1, 1.1, 1.21…)."""
    grey = ImageOps.exif_transpose(image).convert("L")
    shrink = max(1.0, min(grey.size) / WORK_PX)
    work = grey.resize((max(1, round(grey.width / shrink)), max(1, round(grey.height / shrink))),
                       Image.Resampling.BOX) if shrink > 1 else grey
    factors, factor = [], 1.0
    while work.width / factor >= c.width and work.height / factor >= c.height:
        factors.append(factor)
        factor *= SCALE_STEP
    return work, shrink, factors


def _level(work: Image.Image, c: Cascade, factor: float, stride: int) -> list[tuple[float, float, float, float]]:
    """The windows the cascade accepts at one level, as rectangles in the working image's pixels."""
    size = (round(work.width / factor), round(work.height / factor))
    level = work if factor == 1.0 else work.resize(size, Image.Resampling.BILINEAR)
    step = 1 if factor > 2 else 2  # as OpenCV: a finer step where the windows are large
    return [(x * factor, y * factor, c.width * factor, c.height * factor) for x, y in _windows(level, c, step, stride)]


def find_faces(image: Image.Image, cascade: Cascade | None = None) -> list[tuple[float, float, float, float]]:
    """Rectangles (x, y, w, h, in the image's pixels) where the cascade finds a frontal face."""
    c = cascade or load_cascade()
    work, shrink, factors = _pyramid(image, c)
    stride = _stride(work.width)
    candidates = [r for factor in factors for r in _level(work, c, factor, stride)]
    return [(x * shrink, y * shrink, w * shrink, h * shrink)
            for x, y, w, h in _group(candidates, MIN_NEIGHBOURS, GROUP_EPS)]


def shows_face(image: Image.Image, cascade: Cascade | None = None) -> bool:
    """``bool(find_faces(image))``, answered as soon as it is certain.

    The levels are looked at from the largest windows down, and the search stops at the first
    cluster of more than ``MIN_NEIGHBOURS`` windows. The answer is the same: more windows only join
    clusters (never split them), so such a cluster stays one; and of the clusters kept, the one with
    the most windows is never dropped as lying inside a stronger one. A photo with a face is answered
    after the levels of its face's size (a portrait: the first few, whose windows are few); a photo
    without one still needs every level."""
    c = cascade or load_cascade()
    work, _shrink, factors = _pyramid(image, c)
    stride = _stride(work.width)
    candidates: list = []
    for factor in reversed(factors):
        found = _level(work, c, factor, stride)
        if found:
            candidates += found
            if len(candidates) > MIN_NEIGHBOURS and _group(candidates, MIN_NEIGHBOURS, GROUP_EPS):
                return True
    return False


def may_show_face(data: bytes) -> bool:
    """True when the photo (JPEG or PNG bytes) may show a face: the check of every way in.

    Without the detector's model (a broken install) every photo counts as possibly showing a face:
    the author then confirms the consent per image rather than a face going out unchecked. Data that
    is not a readable image is not a photo of anyone: False (the intake refuses it with its own
    message)."""
    try:
        cascade = load_cascade()
    except FaceDetectorUnavailable:
        return True
    try:
        with Image.open(io.BytesIO(bytes(data))) as im:
            im.draft("L", (WORK_PX * 2, WORK_PX * 2))  # a JPEG decodes straight at a reduced size
            im.load()
            return shows_face(im, cascade)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return False
