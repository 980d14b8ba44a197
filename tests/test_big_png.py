"""Issue 13: a big PNG is decoded a band at a time for the report (no draft mode exists for PNG),
giving the same pixels as a whole decode, and a 169-megapixel PNG stays under 150 MB of memory."""
import io
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from desktop.report import photos

ROOT = Path(__file__).resolve().parent.parent


def _noise_png(mode: str, size=(301, 257), **save) -> bytes:
    bands = [Image.effect_noise(size, 60 + 10 * i).point(lambda v, i=i: (v * (i + 3)) % 256) for i in range(4)]
    if mode == "P":
        im = Image.merge("RGB", bands[:3]).quantize(64)
        save.setdefault("transparency", 5)
    elif mode in ("L", "LA", "RGB", "RGBA"):
        im = Image.merge(mode, bands[:len(mode)])
    buf = io.BytesIO()
    im.save(buf, "PNG", **save)
    return buf.getvalue()


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "P"])
@pytest.mark.parametrize("factor_size", [(301, 257), (100, 60)])
def test_band_decoding_gives_the_pixels_of_a_whole_decode(monkeypatch, mode, factor_size):
    data = _noise_png(mode)
    monkeypatch.setattr(photos, "BAND_BYTES", 5000)  # many bands, each a few rows: every seam is tested
    got = photos.png_reduced(data, factor_size)
    full = Image.open(io.BytesIO(data))
    full = full.convert("RGBA" if mode in ("LA", "RGBA", "P") else "RGB")
    f = max(1, min(301 // factor_size[0], 257 // factor_size[1]))
    want = full.reduce(f) if f > 1 else full
    assert got.size == want.size and got.mode == want.mode
    if f == 1:
        assert ImageChops.difference(got, want).getbbox() is None
    else:  # band edges are multiples of the factor, so the boxes are the same boxes
        assert max(max(b) for b in (ImageChops.difference(got, want).getextrema() if got.mode != "L" else [])) <= 1


def test_interlaced_or_16_bit_png_is_left_to_the_whole_decode():
    adam7 = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 20, 20, 8, 2, 0, 0, 1))
             + _chunk(b"IDAT", zlib.compress(b"")) + _chunk(b"IEND", b""))  # Pillow does not write Adam7
    assert photos.png_reduced(adam7, (10, 10)) is None
    buf = io.BytesIO()
    Image.new("I;16", (20, 20), 300).save(buf, "PNG")
    assert photos.png_reduced(buf.getvalue(), (10, 10)) is None


def _chunk(k, b):
    return struct.pack(">I", len(b)) + k + b + struct.pack(">I", zlib.crc32(k + b) & 0xFFFFFFFF)


def big_png(side: int) -> bytes:
    """A side x side RGB PNG written row by row (never held as pixels): gradients, Sub and Up filters."""
    comp = zlib.compressobj(1)
    row_a = b"\x01" + bytes([7, 3, 250] * side)
    row_b = b"\x02" + bytes(3 * side)
    parts = [comp.compress(row_a if y % 64 == 0 else row_b) for y in range(side)] + [comp.flush()]
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b""))


@pytest.mark.slow
def test_a_169_megapixel_png_is_prepared_in_under_150_mb(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(big_png(13000))  # 169 megapixels, 507 MB as RGB pixels
    script = textwrap.dedent(f"""
        import resource, warnings
        warnings.simplefilter("ignore")
        from PIL import Image
        Image.MAX_IMAGE_PIXELS = None
        from desktop.report import photos
        data = open({str(path)!r}, "rb").read()
        p = photos.probe(data, "Fig. 1")
        out = photos.prepare(data, (1800, 1800))
        assert Image.open(__import__("io").BytesIO(out)).size == (1800, 1800)
        # VmHWM: this process's own peak. ru_maxrss would not do: Linux carries the parent's peak
        # over an exec, so under pytest it reports pytest's memory, not this process's
        try:
            hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
            print(int(hwm.split()[1]) // 1024)
        except OSError:
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    peak_mb = int(r.stdout.strip().splitlines()[-1])
    print(f"\n169-megapixel PNG: peak RSS of the whole process {peak_mb} MB")
    assert peak_mb <= 150
