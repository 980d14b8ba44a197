"""Issue 13: every path into and out of the library drops image metadata (EXIF, XMP, IPTC, ICC,
JPEG comments, PNG text), not only the GUI's: a case file's photos, the report's photo re-encoding."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from desktop import jsonio
from desktop.model import Figure
from desktop.privacy.images import clean_image, has_metadata, strip_metadata
from desktop.report import photos

from helpers import small_jpeg, synthetic_case
from test_images import BYLINE, SERIAL, XMP, _identifying_jpeg

SSN = b"078-05-1120"
SECRETS = [SSN, SERIAL.encode(), BYLINE, b"Hildegard", b"shot at home", b"MAKERNOTE", b"2021:03:05"]


def _jpeg_with_comment(size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 90, 90)).save(buf, "JPEG", quality=90, comment=b"SSN " + SSN)
    return buf.getvalue()


def _png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", "Hildegard Quenneville")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode("utf-8", "replace"))
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 10)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def test_has_metadata_sees_every_block_and_nothing_in_clean_files():
    assert has_metadata(_identifying_jpeg()) and has_metadata(_jpeg_with_comment()) and has_metadata(_png_with_text())
    assert has_metadata(small_jpeg() + b"trailing payload")
    assert not has_metadata(small_jpeg())
    for dirty in (_identifying_jpeg(), _jpeg_with_comment(), _png_with_text()):
        data = strip_metadata(dirty)[0]
        assert not has_metadata(data)
        assert not any(s in data for s in SECRETS)


def test_clean_image_keeps_clean_bytes_and_strips_the_rest():
    clean = small_jpeg()
    assert clean_image(clean)[0] == clean
    data, mime, w, h = clean_image(_identifying_jpeg())
    assert mime == "image/jpeg" and (w, h) == (20, 40)  # orientation 6 applied before EXIF went
    assert not any(s in data for s in SECRETS)


def test_a_case_file_import_strips_photo_metadata():
    case = synthetic_case()
    case.figures = [Figure(id="m1", data=_identifying_jpeg()), Figure(id="m2", data=_png_with_text(), mime="image/png")]
    back = jsonio.loads(jsonio.dumps(case))
    for m in back.figures:
        assert not has_metadata(m.data) and not any(s in m.data for s in SECRETS)
        assert m.width_px and m.height_px
    assert (back.figures[0].width_px, back.figures[0].height_px) == (20, 40)


def test_the_report_photo_keeps_no_comment_even_unscaled():
    data = _jpeg_with_comment()
    out = photos.prepare(data, (64, 48))  # same size, upright: the path that kept the comment
    assert SSN not in out and not has_metadata(out)
    assert "comment" not in Image.open(io.BytesIO(out)).info


def test_library_upgrade_strips_images_already_stored(tmp_path):
    import sqlite3

    from desktop.store import schema
    from desktop.store.library import open_library
    import shutil
    path = tmp_path / "old.casebook"
    # a library written by main before the upgrade (version 1), holding a photo with EXIF, XMP, IPTC, COM
    shutil.copy(Path(__file__).parent / "data" / "libraries" / "main-2026-12.casebook", path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    case_id = "4a4ad59664fc"
    conn.execute("DELETE FROM media WHERE case_id = ? AND id <> 'img1'", (case_id,))
    conn.execute("UPDATE media SET bytes = ? WHERE case_id = ? AND id = 'img1'", (_identifying_jpeg(), case_id))
    conn.commit()
    conn.close()
    lib = open_library(path)
    try:
        assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST >= 3
        back = lib.load_case(case_id)
        data = back.figures[0].data
        assert not has_metadata(data) and not any(s in data for s in SECRETS)
        assert (back.figures[0].width_px, back.figures[0].height_px) == (20, 40)
        import hashlib
        assert back.figures[0].sha256 == hashlib.sha256(data).hexdigest()
        fields = [r[0] for r in lib.conn.execute("SELECT field FROM audit WHERE entity = 'media'")]
        assert "metadata" in fields
        assert lib.upgrade_notes == [schema.NOTES[3]]  # the caller tells the user about older backups
    finally:
        lib.close()
    assert 3 in schema.NOTES
