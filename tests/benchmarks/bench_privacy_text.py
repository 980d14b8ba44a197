"""Benchmark of long text (issue 13): the PDF of a case with one huge paragraph, and the PHI scan of
it (prints figures and ratios; asserts nothing).

    .venv/bin/python tests/benchmarks/bench_privacy_text.py [--sizes 100,200,400,1000]   (KB)

Goal (issue 13): the report's time linear in text length, a 1 MB paragraph <= 10 s.
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

from desktop.demo import load_demo  # noqa: E402
from desktop.privacy.phi import scan_case  # noqa: E402
from desktop.report.pdf import render_pdf  # noqa: E402

WORDS = ("the ulcer over the left thigh was debrided and dressed with calcium alginate while sodium "
         "thiosulfate 25 g was given three times weekly after dialysis; pain improved from 8/10 to 3/10 "
         "and the eschar softened over the following weeks").split()


def paragraph(kb: int, seed: int = 1) -> str:
    r = random.Random(seed)
    out, n = [], 0
    while n < kb * 1000:
        w = r.choice(WORDS)
        out.append(w)
        n += len(w) + 1
    return " ".join(out)[: kb * 1000]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,200,400,1000")
    args = ap.parse_args()
    rows = []
    for kb in (int(x) for x in args.sizes.split(",")):
        case = load_demo()
        case.manuscript.discussion = paragraph(kb)
        t = time.perf_counter()
        hits = scan_case(case)
        scan_s = time.perf_counter() - t
        t = time.perf_counter()
        buf = io.BytesIO()
        render_pdf(case, buf, draft=True)
        pdf_s = time.perf_counter() - t
        rows.append((kb, pdf_s, scan_s, len(buf.getvalue()), len(hits)))
        print(f"{kb:>6} KB paragraph: PDF {pdf_s:7.2f} s ({pdf_s / kb * 1000:6.2f} ms/KB), "
              f"{len(buf.getvalue()) / 1e6:6.2f} MB; PHI scan {scan_s:6.2f} s, {len(hits)} hits", flush=True)
    if len(rows) > 1:
        (k0, p0, s0, *_), (k1, p1, s1, *_) = rows[0], rows[-1]
        print(f"growth {k0} -> {k1} KB (x{k1 / k0:.1f} text): PDF x{p1 / p0:.1f}, scan x{s1 / s0:.1f} "
              f"(linear = x{k1 / k0:.1f}); goal 1 MB <= 10 s")


if __name__ == "__main__":
    main()
