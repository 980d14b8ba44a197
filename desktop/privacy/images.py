"""Image intake: apply the EXIF orientation, then keep only the pixels.

Photos from phones and cameras carry metadata that identifies (case-reports.md §2): capture date and
time, GPS position, the device's serial number and maker notes (EXIF), the same again in XMP, and
IPTC captions, bylines and keywords; PNG files carry text chunks. Every image that enters the library
passes through :func:`strip_metadata`, which re-encodes the pixels into a fresh file with none of it.

Colour profiles: an embedded ICC profile is *not* kept. A profile can carry free-text tags (the
description, copyright and device maker/model tags), so instead of judging each one the pixels are
converted to sRGB with that profile (ImageCms) and the profile dropped: the colours stay right and
nothing but pixels leaves. A profile that cannot be read is dropped without conversion.
"""
from __future__ import annotations

import io
import struct
import warnings

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

JPEG_QUALITY = 92

# Pillow formats taken in. JPEG stays JPEG (MPO is the multi-picture JPEG some phones write: its first
# picture is kept); PNG stays PNG; the few other lossless or web formats a clinician may have are
# turned into PNG, since the case format holds only JPEG and PNG.
_AS_JPEG = {"JPEG", "MPO"}
_AS_PNG = {"PNG", "GIF", "BMP", "TIFF", "WEBP"}
_PNG_MODES = {"1", "L", "LA", "RGB", "RGBA", "I;16"}


class ImageError(ValueError):
    """The data is not an image Casebook can take; the message says why in plain words."""


def _open(data: bytes) -> Image.Image:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError(f"image data must be bytes, got {type(data).__name__}")
    if len(data) == 0:
        raise ImageError("the image file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Pillow's "Corrupt EXIF data": dropped anyway
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(bytes(data)))
            fmt = im.format
            if fmt not in _AS_JPEG | _AS_PNG:
                raise ImageError(f"{fmt or 'this'} images are not supported; use a JPEG or PNG photo")
            im.load()
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError("the data is not a readable image (not JPEG or PNG, or damaged beyond reading)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("the image is too large to open safely (too many pixels)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"the image data is damaged or truncated ({exc})") from None
    im.format = fmt  # exif_transpose and convert lose it
    return im


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation. A damaged EXIF block cannot be trusted for it; it is dropped anyway,
    so the pixels are kept as stored."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Pillow's "Corrupt EXIF data"
            return ImageOps.exif_transpose(im) or im
    except (SyntaxError, ValueError, TypeError, KeyError, IndexError, OSError, struct.error):
        return im


def _to_srgb(im: Image.Image) -> Image.Image:
    """Apply an embedded ICC profile by converting to sRGB; the result carries no profile."""
    icc = im.info.get("icc_profile")
    if not icc:
        return im
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        mode = "RGBA" if im.mode in ("RGBA", "LA", "PA") else "RGB"
        if im.mode not in ("RGB", "RGBA", "CMYK", "L", "LAB"):
            im = im.convert(mode)
        converted = ImageCms.profileToProfile(im, src, dst, outputMode=mode if im.mode != "L" else "L")
        return converted if converted is not None else im
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im  # an unreadable profile: keep the pixels as they are and drop the profile


def _pixels_only(im: Image.Image, *, jpeg: bool) -> Image.Image:
    """A new image with the same pixels and an empty ``info``: nothing of the source's metadata."""
    if im.mode == "P" or im.mode == "PA":
        im = im.convert("RGBA" if ("transparency" in im.info or im.mode == "PA") else "RGB")
    elif "transparency" in im.info and im.mode in ("L", "RGB"):
        im = im.convert("LA" if im.mode == "L" else "RGBA")
    if jpeg:
        if im.mode not in ("L", "RGB"):
            im = im.convert("RGB")  # CMYK, YCbCr and anything odd: plain RGB
    elif im.mode not in _PNG_MODES:
        im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
    return Image.frombytes(im.mode, im.size, im.tobytes())


def strip_metadata(data: bytes) -> tuple[bytes, str, int, int]:
    """Return ``(clean bytes, mime, width_px, height_px)`` for an image entering the library.

    The EXIF orientation is applied first (so a portrait phone photo stays upright once the tag is
    gone); then EXIF, XMP, IPTC, comments, text chunks, maker notes and the ICC profile are dropped by
    re-encoding the pixels alone. JPEG stays JPEG (quality 92), PNG stays PNG. Raises
    :class:`ImageError` for empty, corrupt or unsupported data.
    """
    im = _open(data)
    jpeg = im.format in _AS_JPEG
    try:
        im = _upright(im)
        im = _to_srgb(im)
        clean = _pixels_only(im, jpeg=jpeg)
        out = io.BytesIO()
        if jpeg:
            clean.save(out, format="JPEG", quality=JPEG_QUALITY)
        else:
            clean.save(out, format="PNG", optimize=False)
    except ImageError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageError(f"the image could not be re-encoded ({exc})") from None
    return out.getvalue(), "image/jpeg" if jpeg else "image/png", clean.width, clean.height


def thumbnail(data: bytes, max_px: int) -> bytes:
    """A small upright copy for the GUI: the longer side at most ``max_px`` pixels, no metadata.
    PNG when the source has transparency or is a PNG, JPEG otherwise."""
    if not isinstance(max_px, int) or isinstance(max_px, bool) or max_px < 1:
        raise ValueError(f"max_px must be a whole number of pixels of at least 1; got {max_px!r}")
    im = _open(data)
    jpeg = im.format in _AS_JPEG
    try:
        im = _upright(im)
        im = _to_srgb(im)
        clean = _pixels_only(im, jpeg=jpeg)
        clean.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if jpeg:
            clean.save(out, format="JPEG", quality=85)
        else:
            clean.save(out, format="PNG")
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageError(f"the image could not be scaled ({exc})") from None
    return out.getvalue()


# --- one gate for every path in and out ----------------------------------------------------------

# JPEG markers that carry only pixels and how to decode them; anything else (APP1-APP15: EXIF, XMP,
# ICC, IPTC/Photoshop, maker notes; COM: comments) is metadata. APP0 is JFIF/JFXX, which may carry a
# thumbnail: only a JFIF header without one is accepted.
_JPEG_PIXEL_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF,
                                 0xC4, 0xCC, 0xDB, 0xDD, 0xDC, 0xDE, 0xDF})
# PNG chunks that carry only pixels and how to show them; anything else (tEXt, zTXt, iTXt, eXIf, iCCP,
# tIME, private chunks...) is metadata.
_PNG_PIXEL_CHUNKS = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"pHYs",
                               b"bKGD", b"sBIT"})


def _jpeg_has_metadata(data: bytes) -> bool:
    i, n = 2, len(data)
    while i + 2 <= n:
        if data[i] != 0xFF:
            return True  # not a marker where one must be: cannot vouch for it
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker == 0xD9:  # EOI: anything after it is a payload riding along
            return i + 2 != n
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            i += 2
            continue
        if i + 4 > n:
            return True
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker == 0xE0:
            seg = data[i + 4:i + 2 + length]
            if not (seg.startswith(b"JFIF\x00") and len(seg) >= 14 and seg[12] == 0 and seg[13] == 0):
                return True
        elif marker == 0xDA:  # SOS: entropy-coded data follows; skip to the next real marker
            j = i + 2 + length
            while True:
                j = data.find(b"\xFF", j)
                if j < 0 or j + 1 >= n:
                    return True  # no EOI
                nxt = data[j + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    j += 1 if nxt == 0xFF else 2
                    continue
                break
            i = j
            continue
        elif marker not in _JPEG_PIXEL_MARKERS:
            return True
        i += 2 + length
    return True


def _png_has_metadata(data: bytes) -> bool:
    i, n = 8, len(data)
    while i + 8 <= n:
        length = struct.unpack(">I", data[i:i + 4])[0]
        kind = data[i + 4:i + 8]
        if kind not in _PNG_PIXEL_CHUNKS:
            return True
        i += 12 + length
        if kind == b"IEND":
            return i != n  # bytes after the end: a payload riding along
    return True


def has_metadata(data: bytes) -> bool:
    """Whether ``data`` carries anything but pixels (EXIF, XMP, IPTC, ICC profile, JPEG comments, PNG
    text or time chunks, a JFIF thumbnail, bytes after the end of the image, or anything this reader
    cannot vouch for). A file :func:`strip_metadata` wrote never has."""
    data = bytes(data)
    if data.startswith(b"\xFF\xD8"):
        return _jpeg_has_metadata(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_has_metadata(data)
    return True


def clean_image(data: bytes) -> tuple[bytes, str, int, int]:
    """The one function every path into or out of the library passes images through: ``(bytes, mime,
    width, height)`` with no metadata. Bytes that carry none are kept as they are (a case exported and
    imported again stays byte-identical); any other image is re-encoded by :func:`strip_metadata`.
    Raises :class:`ImageError` for data that is not a readable JPEG or PNG."""
    data = bytes(data)
    if not has_metadata(data):  # no EXIF, so no orientation to apply either
        im = _open(data)
        if im.format in ("JPEG", "PNG"):
            return data, "image/jpeg" if im.format == "JPEG" else "image/png", im.width, im.height
    return strip_metadata(data)
