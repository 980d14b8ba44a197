"""Photos for the report: decoded once, EXIF orientation applied, scaled to the placed size at no
more than 300 dpi and re-encoded as baseline JPEG (which also drops every metadata block: dates,
GPS position, device serials never reach the PDF).

Decoding is the slow part of a large report. ``Image.draft`` lets the JPEG decoder downscale by
1/2, 1/4 or 1/8 while decoding, and the work runs on a thread pool (Pillow releases the GIL while
it decodes, resamples and encodes) while the main thread lays out the rest of the document.
"""
from __future__ import annotations

import io
import math
import os
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from .errors import ReportError

MAX_DPI = 300
JPEG_QUALITY = 85
_SWAPS = {5, 6, 7, 8}  # EXIF orientations that turn the image a quarter


@dataclass(frozen=True)
class Probe:
    width_px: int  # as displayed, after EXIF orientation
    height_px: int
    orientation: int


class DecodeError(ReportError):
    """An image that cannot be decoded; ``detail`` says why (the figure's label is added later)."""

    def __init__(self, label: str, detail: str):
        super().__init__(f"{label}: the image cannot be decoded: {detail}" if label else detail)
        self.detail = detail


def _fail(label: str, exc: BaseException) -> DecodeError:
    return DecodeError(label, str(exc).strip() or type(exc).__name__)


def probe(data: bytes | None, label: str) -> Probe:
    """Read the image header (size, orientation) without decoding the pixels."""
    if not data:
        raise ReportError(f"{label}: the image has no data (the photo was loaded without its bytes or is empty)")
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            try:
                orientation = int(im.getexif().get(0x0112, 1) or 1)
            except Exception:  # a broken EXIF block does not make the photo unusable
                orientation = 1
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise _fail(label, exc) from None
    if w <= 0 or h <= 0:
        raise ReportError(f"{label}: the image cannot be decoded: it has no pixels")
    if orientation in _SWAPS:
        w, h = h, w
    return Probe(w, h, orientation)


def fit(p: Probe, box_w_pt: float, box_h_pt: float) -> tuple[float, float]:
    """Placed size in points: the largest that fits the box with the photo's aspect ratio."""
    scale = min(box_w_pt / p.width_px, box_h_pt / p.height_px)
    return p.width_px * scale, p.height_px * scale


def target_px(p: Probe, w_pt: float, h_pt: float) -> tuple[int, int]:
    """Pixels to keep: the placed size at MAX_DPI, or the source size if that is smaller."""
    tw = min(p.width_px, max(1, math.ceil(w_pt / 72 * MAX_DPI)))
    th = min(p.height_px, max(1, math.ceil(h_pt / 72 * MAX_DPI)))
    return tw, th


def prepare(data: bytes, size: tuple[int, int], label: str = "") -> bytes:
    """Decode, orient, downscale to ``size`` (display orientation) and encode as JPEG. Raises
    :class:`DecodeError` (with ``label`` when given)."""
    tw, th = size
    try:
        with Image.open(io.BytesIO(data)) as im:
            orientation = int(im.getexif().get(0x0112, 1) or 1) if im.format in ("JPEG", "TIFF", "WEBP", "PNG") else 1
            dw, dh = (th, tw) if orientation in _SWAPS else (tw, th)
            if im.format == "JPEG":
                im.draft("RGB" if im.mode != "L" else "L", (dw, dh))
            # hand the decoder the whole file at once: it releases the GIL while it decodes, and
            # Pillow's default 64 KB steps make a 12-megapixel JPEG take the GIL back 40 times, each
            # time waiting for the layout thread to let go of it
            im.decodermaxblock = max(im.decodermaxblock, len(data))
            im.load()
            out = ImageOps.exif_transpose(im) if orientation != 1 else im
            if out.mode not in ("RGB", "L"):
                if out.mode in ("RGBA", "LA", "PA") or (out.mode == "P" and "transparency" in out.info):
                    rgba = out.convert("RGBA")
                    bg = Image.new("RGB", rgba.size, (255, 255, 255))
                    bg.paste(rgba, mask=rgba.getchannel("A"))
                    out = bg
                else:
                    out = out.convert("RGB")
            if out.size != (tw, th):
                out = out.resize((tw, th), Image.Resampling.BICUBIC, reducing_gap=2.0)
            # Pillow writes the source's JPEG comment (and may write its EXIF/ICC) back when the image
            # object still carries them: the pixels alone go out (issue 13)
            out = out.copy() if out is im else out
            out.info = {}
            buf = io.BytesIO()
            out.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
            return buf.getvalue()
    except ReportError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise _fail(label, exc) from None


def make_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="report-photo")


class PhotoFlowable(Flowable):
    """A photo of a fixed placed size whose pixels are still being prepared on a worker thread.

    Drawing it only places a form XObject named after it; the form (the JPEG) is defined when
    the document closes (:func:`define_photos`). So the layout never waits for a photo: all pages
    are laid out while the photos decode, and only the very end waits for the last of them."""

    def __init__(self, future: Future, width: float, height: float, label: str, name: str):
        super().__init__()
        self.future = future
        self.width = width
        self.height = height
        self.label = label
        self.name = name
        self.hAlign = "CENTER"

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        self.canv.doForm(self.name)
        pending = self.canv.__dict__.setdefault("_casebook_photos", [])
        pending.append(self)

    def jpeg(self) -> bytes:
        try:
            return self.future.result()
        except DecodeError as exc:  # the work may have started before the figure had its number
            raise DecodeError(self.label, exc.detail) from None


def define_photos(canv) -> None:
    """Define the form of every photo drawn on ``canv`` (call before the canvas is saved)."""
    for photo in canv.__dict__.get("_casebook_photos", []):
        jpeg = photo.jpeg()
        canv.beginForm(photo.name, 0, 0, photo.width, photo.height)
        canv.drawImage(_JpegReader(jpeg), 0, 0, photo.width, photo.height)
        canv.endForm()


class _JpegReader(ImageReader):
    """Our own baseline JPEG, embedded as it is (DCTDecode). reportlab names an image by a digest
    of its decoded pixels, which would decode every photo once more only to hash it; the JPEG
    bytes identify the image just as well."""

    def __init__(self, jpeg: bytes):
        super().__init__(io.BytesIO(jpeg))
        self._jpeg = jpeg
        self._dataA = None

    def getRGBData(self):
        return self._jpeg


def submit(pool: Executor, data: bytes, size: tuple[int, int], label: str = "") -> Future:
    return pool.submit(prepare, data, size, label)
