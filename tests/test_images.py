"""Image intake: orientation applied, every metadata block gone, clear errors for bad data."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from desktop.privacy.images import ImageError, strip_metadata, thumbnail

SERIAL = "BODY-SN-4471-QX"
WHEN = "2021:03:05 14:22:10"
XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2021-03-05T14:22:10"'
       b' xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Hildegard Quenneville"/>'
       b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
BYLINE = b"Dr Secret Photographer"


def _two_halves(size=(40, 20)) -> Image.Image:
    """Left half red, right half blue: which way it ends up shows the rotation."""
    im = Image.new("RGB", size, (220, 20, 20))
    im.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    return im


def _exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: 6 = rotate 90° clockwise to view
    exif[0x010F] = "Examplecam"  # Make
    exif[0x0110] = "Model X1"  # Model
    exif[0x0132] = WHEN  # DateTime
    sub = exif.get_ifd(0x8769)  # Exif IFD
    sub[0x9003] = WHEN  # DateTimeOriginal
    sub[0xA431] = SERIAL  # BodySerialNumber
    sub[0x927C] = b"MAKERNOTE-SECRET"  # MakerNote
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (41.0, 29.0, 12.5)
    gps[3] = "W"
    gps[4] = (81.0, 40.0, 2.25)
    return exif


def _with_iptc(jpeg: bytes) -> bytes:
    """Insert an APP13 Photoshop/IPTC block (a by-line) right after the SOI marker."""
    iim = b"\x1c\x02\x50" + struct.pack(">H", len(BYLINE)) + BYLINE
    if len(iim) % 2:
        iim += b"\x00"
    block = b"8BIM" + b"\x04\x04" + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    payload = b"Photoshop 3.0\x00" + block
    seg = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + seg + jpeg[2:]


def _identifying_jpeg() -> bytes:
    buf = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    _two_halves().save(buf, "JPEG", quality=95, exif=_exif(), xmp=XMP, comment=b"shot at home of H.Q.",
                       icc_profile=srgb)
    return _with_iptc(buf.getvalue())


def test_the_test_jpeg_really_carries_the_metadata():
    data = _identifying_jpeg()
    im = Image.open(io.BytesIO(data))
    exif = im.getexif()
    assert exif[0x0112] == 6
    assert exif.get_ifd(0x8769)[0xA431] == SERIAL
    assert exif.get_ifd(0x8769)[0x9003] == WHEN
    assert exif.get_ifd(0x8825)[1] == "N"
    assert "xmp" in im.info and "photoshop" in im.info and "icc_profile" in im.info
    assert BYLINE in data and SERIAL.encode() in data


def test_jpeg_is_rotated_and_stripped():
    out, mime, w, h = strip_metadata(_identifying_jpeg())
    assert mime == "image/jpeg" and out[:2] == b"\xff\xd8"
    assert (w, h) == (20, 40)  # orientation 6 applied: width and height swapped
    im = Image.open(io.BytesIO(out))
    assert im.format == "JPEG" and im.size == (20, 40)
    assert len(im.getexif()) == 0
    for key in ("exif", "xmp", "photoshop", "icc_profile", "comment", "adobe"):
        assert key not in im.info, key
    for secret in (b"Exif", b"http://ns.adobe.com/xap", b"Photoshop", BYLINE, SERIAL.encode(), WHEN.encode(),
                   b"Examplecam", b"MAKERNOTE", b"Quenneville", b"H.Q.", b"ICC_PROFILE"):
        assert secret not in out, secret
    # rotated 90° clockwise: the red left half is now on top, the blue right half at the bottom
    rgb = im.convert("RGB")
    top, bottom = rgb.getpixel((10, 5)), rgb.getpixel((10, 34))
    assert top[0] > 150 and top[2] < 90, top
    assert bottom[2] > 150 and bottom[0] < 90, bottom


@pytest.mark.parametrize("orientation,size", [(1, (40, 20)), (3, (40, 20)), (8, (20, 40))])
def test_other_orientations(orientation, size):
    buf = io.BytesIO()
    _two_halves().save(buf, "JPEG", exif=_exif(orientation))
    _, _, w, h = strip_metadata(buf.getvalue())
    assert (w, h) == size


def test_stripping_twice_gives_a_clean_image_again():
    once, *_ = strip_metadata(_identifying_jpeg())
    twice, mime, w, h = strip_metadata(once)
    assert mime == "image/jpeg" and (w, h) == (20, 40)
    assert b"Exif" not in twice


def test_png_text_chunks_exif_and_icc_are_stripped():
    info = PngInfo()
    info.add_text("Author", "Hildegard Quenneville")
    info.add_text("Comment", "taken 2021-03-05 at 17 Larkspur Close", zip=True)
    info.add_itxt("Description", "GPS 41.4882 N 81.6812 W", lang="en", tkey="Beschreibung")
    buf = io.BytesIO()
    im = Image.new("RGBA", (30, 10), (10, 200, 10, 128))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    im.save(buf, "PNG", pnginfo=info, exif=_exif(1), icc_profile=srgb)
    data = buf.getvalue()
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"):
        assert chunk in data, chunk
    out, mime, w, h = strip_metadata(data)
    assert mime == "image/png" and (w, h) == (30, 10)
    for secret in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"Quenneville", b"GPS", SERIAL.encode()):
        assert secret not in out, secret
    back = Image.open(io.BytesIO(out))
    assert back.format == "PNG" and back.mode == "RGBA"
    assert back.getpixel((5, 5)) == (10, 200, 10, 128)  # pixels untouched, alpha kept


def test_palette_png_with_transparency_keeps_its_look():
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0, 250, 10, 10] + [0] * 762)
    buf = io.BytesIO()
    im.save(buf, "PNG", transparency=0)
    out, mime, w, h = strip_metadata(buf.getvalue())
    back = Image.open(io.BytesIO(out)).convert("RGBA")
    assert mime == "image/png" and back.getpixel((0, 0)) == (250, 10, 10, 255)


def test_cmyk_jpeg_becomes_rgb_jpeg():
    buf = io.BytesIO()
    Image.new("CMYK", (12, 12), (0, 255, 255, 0)).save(buf, "JPEG")
    out, mime, w, h = strip_metadata(buf.getvalue())
    back = Image.open(io.BytesIO(out))
    assert mime == "image/jpeg" and back.mode in ("RGB", "L") and (w, h) == (12, 12)


def test_other_lossless_formats_become_png():
    buf = io.BytesIO()
    Image.new("RGB", (9, 7), (1, 2, 3)).save(buf, "BMP")
    out, mime, w, h = strip_metadata(buf.getvalue())
    assert mime == "image/png" and out[:8] == b"\x89PNG\r\n\x1a\n" and (w, h) == (9, 7)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("data,words", [
    (b"", "empty"),
    (b"this is not an image at all", "not a readable image"),
    (_identifying_jpeg()[:400], "damaged or truncated"),
    (_png_header_only(60000, 60000), "too large"),
    (_png_header_only(50, 50), "damaged or truncated"),
])
def test_bad_data_raises_image_error_with_a_clear_message(data, words):
    with pytest.raises(ImageError) as err:
        strip_metadata(data)
    assert words in str(err.value)


def test_unsupported_format_is_named():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "PPM")
    with pytest.raises(ImageError, match="PPM images are not supported; use a JPEG or PNG photo"):
        strip_metadata(buf.getvalue())
    with pytest.raises(ImageError, match="must be bytes"):
        strip_metadata("a string")  # type: ignore[arg-type]


def test_thumbnail_is_small_upright_and_clean():
    small = thumbnail(_identifying_jpeg(), 16)
    im = Image.open(io.BytesIO(small))
    assert im.format == "JPEG" and max(im.size) <= 16 and im.size[1] > im.size[0]  # upright portrait
    assert b"Exif" not in small and SERIAL.encode() not in small
    buf = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(buf, "PNG")
    png = Image.open(io.BytesIO(thumbnail(buf.getvalue(), 20)))
    assert png.format == "PNG" and png.size == (20, 10)
    with pytest.raises(ValueError, match="max_px"):
        thumbnail(buf.getvalue(), 0)
    with pytest.raises(ImageError):
        thumbnail(b"junk", 20)


def test_damaged_exif_block_does_not_stop_the_image():
    buf = io.BytesIO()
    _two_halves().save(buf, "JPEG", exif=b"Exif\x00\x00MM\x00*garbage-" + SERIAL.encode())
    data = buf.getvalue()
    assert SERIAL.encode() in data
    out, mime, w, h = strip_metadata(data)
    assert mime == "image/jpeg" and (w, h) == (40, 20) and SERIAL.encode() not in out
