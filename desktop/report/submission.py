"""The parts of a submission package the report writers make (``desktop.app.package`` puts them
together): each figure of the manuscript as its own image file at the journal's resolution, the
figure legends, and the completed CARE checklist as a PDF of its own with the manuscript page of
each item.

Figures are taken from the manuscript's own content (``desktop.report.content``), so their numbers
and legends are the manuscript's: a chart, the timeline or the body map (vector drawings) is painted
at the asked resolution (:mod:`desktop.report.raster`); a photograph is written from the case's
image after the one image-cleaning step (:func:`desktop.privacy.images.clean_image`, which drops
every metadata block), at its full pixel size, with the resolution recorded in the file.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Callable, Sequence

from PIL import Image

from . import content as c
from .raster import paint

DPI = 300
# what Casebook can write of the formats a journal names, with the file suffix and Pillow's options
WRITERS = {"TIFF": (".tif", dict(format="TIFF", compression="tiff_lzw")),
           "PNG": (".png", dict(format="PNG")),
           "JPEG": (".jpg", dict(format="JPEG", quality=95, subsampling=0))}
FALLBACK = "PNG"  # when a profile names no formats Casebook writes: lossless, what every journal reads


@dataclass
class FigureFile:
    number: int
    name: str  # "figure-1.tif"
    data: bytes
    legend: str
    width_px: int
    height_px: int
    dpi: int
    printed_mm: float  # the width it prints at that resolution
    placed_mm: float  # the width it has in the manuscript
    format: str = "PNG"  # TIFF, PNG or JPEG


def writable_formats(formats: Sequence[str] | None) -> list[str]:
    """The journal's formats (its order) that Casebook writes; PNG when it names none of them."""
    out: list[str] = []
    for f in formats or ():
        key = "JPEG" if f.upper() in ("JPG", "JPEG") else "TIFF" if f.upper() in ("TIF", "TIFF") else f.upper()
        if key in WRITERS and key not in out:
            out.append(key)
    return out or [FALLBACK]


def _save(img: Image.Image, fmt: str, dpi: int) -> bytes:
    buf = io.BytesIO()
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(buf, dpi=(dpi, dpi), **WRITERS[fmt][1])
    return buf.getvalue()


def _stack(images: list[Image.Image]) -> Image.Image:
    """Several drawings of one figure (a long timeline) one under the other, as the PDF sets them."""
    if len(images) == 1:
        return images[0]
    w = max(i.width for i in images)
    out = Image.new("RGB", (w, sum(i.height for i in images)), "white")
    y = 0
    for i in images:
        out.paste(i, (0, y))
        y += i.height
    return out


def _mm(points: float) -> float:
    return points / 72 * 25.4


def _encoded(img: Image.Image, formats: Sequence[str], dpi: int, max_bytes: int | None) -> tuple[str, bytes]:
    """The image in the first of ``formats`` whose file keeps under ``max_bytes`` (a journal's limit
    per figure file); the smallest of them when none does."""
    tried: list[tuple[str, bytes]] = []
    for fmt in formats:
        data = _save(img, fmt, dpi)
        if max_bytes is None or len(data) <= max_bytes:
            return fmt, data
        tried.append((fmt, data))
    return min(tried, key=lambda t: len(t[1]))


def figure_files(blocks: Sequence[c.Block], formats: Sequence[str], image_of: Callable[[str], bytes | None],
                 dpi: int = DPI, line_dpi: int | None = None, max_bytes: int | None = None) -> list[FigureFile]:
    """Every figure of the manuscript ``blocks`` as a file at ``dpi``, in figure order, in the first of
    ``formats`` that keeps the file under ``max_bytes``; drawings (charts, timeline, body map) at
    ``line_dpi`` when the journal asks more for line art. ``image_of(figure_id)`` gives a
    photograph's bytes (None: left out, as the manuscript leaves it)."""
    from ..privacy.images import clean_image
    out: list[FigureFile] = []

    # a photograph too large as the first format tries JPEG (BMC: "suitable for photographic images")
    # before a lossless PNG, which is seldom smaller than a TIFF for a photograph
    photo_order = [f for f in formats if f != "PNG"] + [f for f in formats if f == "PNG"]

    def add(number: int, img: Image.Image, legend, res: int, placed_pt: float, photo: bool = False) -> None:
        fmt, data = _encoded(img, photo_order if photo else formats, res, max_bytes)
        out.append(FigureFile(number, f"figure-{number}{WRITERS[fmt][0]}", data, c.span_text(legend), img.width,
                              img.height, res, round(img.width / res * 25.4, 1), round(_mm(placed_pt), 1), fmt))
    for b in blocks:
        if isinstance(b, c.Figure):
            res = max(dpi, line_dpi or 0)
            add(b.number, _stack([paint(d, res) for d in b.drawings]), b.caption, res,
                max(d.width for d in b.drawings))
        elif isinstance(b, c.Photos):
            for p in b.photos:
                data = image_of(p.figure_id) if p.figure_id else None
                if data is None:
                    continue
                clean, _mime, _w, _h = clean_image(data)
                with Image.open(io.BytesIO(clean)) as im:
                    im.load()
                    img = im.copy()
                add(p.number, img, p.caption, dpi, p.width, photo=True)
    return sorted(out, key=lambda f: f.number)


def too_small(f: FigureFile) -> str | None:
    """A warning when a figure has fewer pixels than its place in the manuscript needs at its dpi."""
    need = math.ceil(f.placed_mm / 25.4 * f.dpi)
    if f.width_px + 1 < need:
        return (f"Figure {f.number} is {f.width_px} × {f.height_px} px: at {f.dpi} dpi it prints "
                f"{f.printed_mm:g} mm wide, less than the {f.placed_mm:g} mm it has in the manuscript "
                "(a larger original would print sharper).")
    return None


def legends_text(title: str, files: Sequence[FigureFile]) -> str:
    lines = [f"Figure legends — {title}", ""]
    for f in files:
        lines += [f"Figure {f.number} ({f.name}). {f.legend}", ""]
    if not files:
        lines.append("The manuscript has no figures.")
    return "\n".join(lines).rstrip() + "\n"


def checklist_pdf(items: Sequence, pages: dict[str, int], title: str, journal_name: str) -> bytes:
    """The completed CARE checklist as a PDF of its own: each item, where the manuscript reports it,
    and the page there (``pages``: each heading of the manuscript, lower case, to its page)."""
    from reportlab.platypus import SimpleDocTemplate

    from . import fonts
    from .appendix import CARE_SOURCE
    from .content import CareChecklist, Heading, Para, Span
    from .story import flowables
    from .styles import MARGIN_B, MARGIN_L, MARGIN_R, MARGIN_T, PAGE
    from .text import plain
    fonts.register()
    blocks: list[c.Block] = [
        Heading("CARE checklist", 0),
        Para([Span(f"Manuscript: {plain(title)}. Submitted to {journal_name}. Each item of the CARE checklist "
                   "with the section and the page of the manuscript (the PDF in this package) where it is "
                   "reported. " + plain(CARE_SOURCE))], "small"),
        CareChecklist(1, list(items), True)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=PAGE, leftMargin=MARGIN_L, rightMargin=MARGIN_R, topMargin=MARGIN_T,
                            bottomMargin=MARGIN_B, invariant=1, title="CARE checklist", creator="Casebook")
    doc.build(flowables(blocks, lambda: pages))
    return buf.getvalue()
