"""Benchmark of the PDF case report (prints figures and ratios; asserts nothing).

    .venv/bin/python tests/benchmarks/bench_report.py [--photos 40] [--runs 5]

- the demo report (a draft: the demo records no consent): best and median of several runs;
- a large synthetic case (40 photos of 12 megapixels, 2,000 labs, 60 events): time and size;
- the floor: the time merely to decode and downscale those 40 photos to the pixels the report keeps
  (same decoder settings), one after the other; the same work on the report's thread pool is
  printed beside it.
Goals (issue 4): demo <= 0.25 s; large case <= 1.5 x the floor and <= 25 MB.
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

from desktop import jsonio  # noqa: E402
from desktop.demo import load_demo  # noqa: E402
from desktop.model import Event, LabResult, Lesion, Figure, Observation, When  # noqa: E402
from desktop.report import photos  # noqa: E402
from desktop.report.pdf import render_pdf  # noqa: E402
from desktop.report.styles import TEXT_W  # noqa: E402
from test_report_cases import full_case  # noqa: E402

ANALYTES = [("calcium", "mg/dL", 9.4, 1.0), ("phosphate", "mg/dL", 5.5, 1.5), ("pth_intact", "pg/mL", 450, 120),
            ("albumin", "g/dL", 3.2, 0.4), ("bun", "mg/dL", 55, 12), ("potassium", "mmol/L", 4.8, 0.5),
            ("haemoglobin", "g/dL", 9.8, 1.2), ("crp", "mg/L", 30, 20)]


def photo_12mp(seed: int) -> bytes:
    """A 4000 x 3000 JPEG with photo-like detail (noise over shapes), distinct for every seed."""
    rnd = random.Random(seed)
    base = Image.effect_noise((1000, 750), 40).convert("RGB").resize((4000, 3000), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(base)
    for _ in range(25):
        x, y = rnd.randrange(4000), rnd.randrange(3000)
        r = rnd.randrange(80, 600)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    grain = Image.effect_noise((4000, 3000), 18).convert("RGB")
    im = Image.blend(base, grain, 0.18)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def large_case(n_photos: int = 40, n_labs: int = 2000, n_events: int = 60):
    case = full_case()
    extra = n_events - len(case.events)
    case.events += [Event(id=f"ev{i}", kind="follow_up",
                          description=f"Synthetic event {i}: review of the wounds and the dialysis prescription",
                          when=When(offset=float(i * 3 - 30), approximate=i % 7 == 3)) for i in range(extra)]
    case.lesions = [Lesion(id=f"les{i}", site=site, laterality=lat, onset=When(offset=-20.0 + i),
                           observations=[Observation(id=f"ob{i}-{k}", when=When(offset=float(k * 14)),
                                                     length_mm=40.0 - k * 4 + i, width_mm=30.0 - k * 3 + i,
                                                     tissue_type="necrotic" if k < 2 else "slough",
                                                     exudate_amount="moderate", pain_0_10=8 - k) for k in range(5)])
                    for i, (site, lat) in enumerate([("thigh-anterior", "left"), ("thigh-anterior", "right"),
                                                     ("abdomen", "midline"), ("buttock", "left"), ("calf", "right"),
                                                     ("shin", "left"), ("toe-3", "left"), ("finger-2-pad", "right"),
                                                     ("glans-penis", "midline"), ("breast", "left"),
                                                     ("flank", "right"), ("heel", "left")])]
    rnd = random.Random(1)
    case.labs = []
    for i in range(n_labs):
        code, unit, mean, sd = ANALYTES[i % len(ANALYTES)]
        case.labs.append(LabResult(id=f"lab{i}", analyte=code, value=round(max(0.1, rnd.gauss(mean, sd)), 1),
                                   unit=unit, when=When(offset=float(i // 25 - 30))))
    t = time.perf_counter()
    with photos.make_pool() as pool:
        datas = list(pool.map(photo_12mp, range(n_photos)))
    case.figures = [Figure(id=f"ph{i}", data=data, caption=f"Lesion photograph {i + 1}",
                        lesion_id=f"les{i % 12}", event_id=f"ev{i % extra}") for i, data in enumerate(datas)]
    problems = jsonio.check_case(case)
    if problems:
        raise SystemExit("the synthetic large case is invalid:\n" + "\n".join(map(str, problems)))
    print(f"  (made {n_photos} photos of 4000 x 3000 px, {sum(len(m.data) for m in case.figures) / 1e6:.0f} MB of "
          f"JPEG, in {time.perf_counter() - t:.1f} s)")
    return case


def floor(case, parallel: bool = False) -> float:
    """Decode and downscale every photo to the pixels the report keeps (JPEG draft mode, then a
    resize), one after the other; with ``parallel``, on the report's own thread pool."""
    gap = 14
    box_w, box_h = (TEXT_W - gap) / 2, 190  # the report's two-up photo grid

    def decode(data: bytes) -> tuple[int, int]:
        p = photos.probe(data, "bench")
        tw, th = photos.target_px(p, *photos.fit(p, box_w, box_h))
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (tw, th))
            im.load()
            out = im.resize((tw, th), Image.Resampling.BICUBIC, reducing_gap=2.0)
        return out.size

    datas = [m.data for m in case.figures]
    t = time.perf_counter()
    if parallel:
        with photos.make_pool() as pool:
            list(pool.map(decode, datas))
    else:
        for d in datas:
            decode(d)
    return time.perf_counter() - t


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=40)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    demo = load_demo()
    render_pdf(demo, io.BytesIO(), draft=True)  # warm up: fonts, catalogues, imports
    ts = timed(lambda: render_pdf(demo, io.BytesIO(), draft=True), args.runs)
    best = min(ts)
    print(f"demo report: best {best:.3f} s, median {statistics.median(ts):.3f} s over {args.runs} runs "
          f"(goal <= 0.25 s: {'met' if best <= 0.25 else 'NOT met'})")

    print("large case: 40 photos of 12 MP, 2,000 labs, 60 events" if args.photos == 40 else
          f"large case: {args.photos} photos of 12 MP, 2,000 labs, 60 events")
    case = large_case(args.photos)
    fl = min(floor(case) for _ in range(2))
    fl_par = min(floor(case, parallel=True) for _ in range(2))
    buf = io.BytesIO()
    sizes = []

    def run():
        buf.seek(0)
        buf.truncate()
        info = render_pdf(case, buf)
        sizes.append((info.pages, info.figures))

    big = timed(run, 2)
    size_mb = len(buf.getvalue()) / 1e6
    pages, figures = sizes[-1]
    print(f"  floor (decode + downscale the photos, one after the other): {fl:.2f} s; "
          f"on the report's thread pool: {fl_par:.2f} s")
    print(f"  report: best {min(big):.2f} s ({min(big) / fl:.2f} x the floor; goal <= 1.5 x: "
          f"{'met' if min(big) <= 1.5 * fl else 'NOT met'}; {min(big) / fl_par:.2f} x the pooled floor), "
          f"{pages} pages, {figures} figures")
    print(f"  size: {size_mb:.1f} MB (goal <= 25 MB: {'met' if size_mb <= 25 else 'NOT met'})")


if __name__ == "__main__":
    main()
