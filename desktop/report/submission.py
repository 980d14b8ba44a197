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


def writable_format(formats: Sequence[str] | None) -> str:
    """The first of the journal's formats (its order) that Casebook writes; PNG when none is."""
    for f in formats or ():
        key = "JPEG" if f.upper() in ("JPG", "JPEG") else "TIFF" if f.upper() in ("TIF", "TIFF") else f.upper()
        if key in WRITERS:
            return key
    return FALLBACK


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


def figure_files(blocks: Sequence[c.Block], fmt: str, image_of: Callable[[str], bytes | None],
                 dpi: int = DPI, line_dpi: int | None = None) -> list[FigureFile]:
    """Every figure of the manuscript ``blocks`` as a file in ``fmt`` at ``dpi``, in figure order;
    drawings (charts, timeline, body map) at ``line_dpi`` when the journal asks more for line art.
    ``image_of(figure_id)`` gives a photograph's bytes (None: left out, as the manuscript leaves it)."""
    from ..privacy.images import clean_image
    out: list[FigureFile] = []
    suffix = WRITERS[fmt][0]
    for b in blocks:
        if isinstance(b, c.Figure):
            res = max(dpi, line_dpi or 0)
            img = _stack([paint(d, res) for d in b.drawings])
            width_pt = max(d.width for d in b.drawings)
            out.append(FigureFile(b.number, f"figure-{b.number}{suffix}", _save(img, fmt, res), c.span_text(b.caption),
                                  img.width, img.height, res, round(img.width / res * 25.4, 1), round(_mm(width_pt), 1)))
        elif isinstance(b, c.Photos):
            for p in b.photos:
                data = image_of(p.figure_id) if p.figure_id else None
                if data is None:
                    continue
                clean, _mime, _w, _h = clean_image(data)
                with Image.open(io.BytesIO(clean)) as im:
                    im.load()
                    img = im.copy()
                out.append(FigureFile(p.number, f"figure-{p.number}{suffix}", _save(img, fmt, dpi),
                                      c.span_text(p.caption), img.width, img.height, dpi,
                                      round(img.width / dpi * 25.4, 1), round(_mm(p.width), 1)))
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
