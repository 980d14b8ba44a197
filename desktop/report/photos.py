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


def _orientation(im: Image.Image, data: bytes) -> int:
    """The EXIF orientation, read without decoding pixels: Pillow's PNG getexif decodes the whole
    image to look for an eXIf chunk after the pixels, so for a PNG the chunk is found here."""
    try:
        if im.format == "PNG":
            for kind, body in _png_chunks(data):
                if kind == b"eXIf":
                    exif = Image.Exif()
                    exif.load(bytes(body))
                    return int(exif.get(0x0112, 1) or 1)
            return 1
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # a broken EXIF block does not make the photo unusable
        return 1


def probe(data: bytes | None, label: str) -> Probe:
    """Read the image header (size, orientation) without decoding the pixels."""
    if not data:
        raise ReportError(f"{label}: the image has no data (the photo was loaded without its bytes or is empty)")
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            orientation = _orientation(im, data)
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


# --- big PNGs, decoded a band at a time ----------------------------------------------------------------
#
# A PNG has no reduced decoding mode (JPEG's draft): Pillow decodes the whole image, 3 or 4 bytes a
# pixel (a 169-megapixel PNG: 507 MB and more). Above STREAM_PIXELS, a non-interlaced 8-bit PNG is read
# in bands instead: its zlib stream is inflated a band of rows at a time, each band (with the decoded
# row above it, unfiltered, so the band's own filters can refer to it) is handed to Pillow as a small
# PNG of its own, reduced by a whole factor and pasted into the reduced picture. Memory stays at about
# one band plus the reduced picture, whatever the source size.

STREAM_PIXELS = 16_000_000
BAND_BYTES = 2_000_000
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> bytes a pixel at 8 bits
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


def _png_chunks(data: bytes):
    import struct
    i = 8
    view = memoryview(data)  # chunk bodies without copies
    while i + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[i:i + 8])
        yield kind, view[i + 8:i + 8 + length]
        i += 12 + length
        if kind == b"IEND":
            return


def _chunk(kind: bytes, body: bytes) -> bytes:
    import struct
    import zlib
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_reduced(data: bytes, size: tuple[int, int]) -> Image.Image | None:
    """A big PNG decoded a band at a time and reduced by the largest whole factor that keeps at least
    ``size`` (width, height) pixels, as RGB or RGBA; None when the file is not a PNG this reader
    handles (interlaced, or not 8 bits a sample): the caller decodes it whole."""
    import struct
    import zlib
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    chunks = list(_png_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR":
        return None
    w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", bytes(chunks[0][1]))
    if depth != 8 or interlace != 0 or ctype not in _PNG_CHANNELS or w == 0 or h == 0:
        return None
    extra = b"".join(_chunk(k, bytes(b)) for k, b in chunks if k in (b"PLTE", b"tRNS"))
    bpp = _PNG_CHANNELS[ctype]
    stride = w * bpp + 1
    f = max(1, min(w // max(1, size[0]), h // max(1, size[1])))
    rows_per_band = max(f, (BAND_BYTES // stride) // f * f)
    alpha = ctype in (4, 6) or any(k == b"tRNS" for k, _ in chunks)
    mode = "RGBA" if alpha else "RGB"
    out = Image.new(mode, (-(-w // f), -(-h // f)), (255, 255, 255, 0) if alpha else (255, 255, 255))
    inflate = zlib.decompressobj()
    pending = bytearray()
    prev: bytes | None = None  # the last decoded row of the band before, as raw samples
    y = 0

    def band(raw: bytes, rows: int) -> None:
        nonlocal prev, y
        body = (b"\x00" + prev + raw) if prev is not None else raw
        n = rows + (prev is not None)
        png = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, n, 8, ctype, 0, 0, 0)) + extra
               + _chunk(b"IDAT", zlib.compress(body, 0)) + _chunk(b"IEND", b""))
        with Image.open(io.BytesIO(png)) as im:
            im.load()
            if prev is not None:
                im = im.crop((0, 1, w, n))
            prev = im.crop((0, rows - 1, w, rows)).tobytes()
            part = im.convert(mode)
        out.paste(part.reduce(f) if f > 1 else part, (0, y // f))
        y += rows

    need = rows_per_band * stride
    for kind, body in chunks:
        if kind != b"IDAT":
            continue
        tail = body
        while tail:
            pending += inflate.decompress(tail, max(1, need - len(pending)))  # one band at most
            tail = inflate.unconsumed_tail
            while len(pending) >= need and y + rows_per_band <= h:
                band(bytes(pending[:need]), rows_per_band)
                del pending[:need]
            if len(pending) >= need:  # the last, shorter band is all that is left
                break
    pending += inflate.flush()
    left = h - y
    if left > 0:
        if len(pending) < left * stride:
            raise OSError("the PNG's image data is truncated")
        band(bytes(pending[:left * stride]), left)
    return out


def prepare(data: bytes, size: tuple[int, int], label: str = "") -> bytes:
    """Decode, orient, downscale to ``size`` (display orientation) and encode as JPEG. Raises
    :class:`DecodeError` (with ``label`` when given)."""
    tw, th = size
    try:
        with Image.open(io.BytesIO(data)) as im:
            orientation = _orientation(im, data) if im.format in ("JPEG", "TIFF", "WEBP", "PNG") else 1
            dw, dh = (th, tw) if orientation in _SWAPS else (tw, th)
            if im.format == "PNG" and im.width * im.height > STREAM_PIXELS:
                reduced = png_reduced(data, (dw, dh))
                if reduced is not None:
                    return _encode(reduced, orientation, (tw, th))
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


def _encode(im: Image.Image, orientation: int, size: tuple[int, int]) -> bytes:
    """An already reduced picture oriented, flattened on white, scaled to ``size`` and encoded."""
    if orientation in _TRANSPOSE:
        im = im.transpose(_TRANSPOSE[orientation])
    if im.mode == "RGBA":
        bg = Image.new("RGB", im.size, (255, 255, 255))
        bg.paste(im, mask=im.getchannel("A"))
        im = bg
    if im.size != size:
        im = im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
    return buf.getvalue()


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
