"""Benchmark of the submission package (prints figures; asserts nothing).

    .venv/bin/python tests/benchmarks/bench_package.py [--photos 3] [--journal jmcr]

The demo case completed for submission (synthetic consent and declarations, as in tests/test_package.py)
with N synthetic 12-megapixel photographs: the time to make the whole package (manuscript PDF and
DOCX, figures at 300 dpi in the profile's format, legends, CARE checklist, consent, cover letter,
manifest) and the size of each kind of file.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

from bench_report import photo_12mp  # noqa: E402
from desktop.app.export import Options  # noqa: E402
from desktop.app.package import make_package  # noqa: E402
from desktop.model import Figure  # noqa: E402
from test_package import complete_demo  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=3)
    ap.add_argument("--journal", default="jmcr")
    args = ap.parse_args()
    case = complete_demo()
    case.figures = [Figure(id=f"p{i}", data=photo_12mp(i), caption=f"Synthetic photograph {i + 1}")
                    for i in range(args.photos)]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = make_package(case, Path(tmp) / "pkg", Options(journal=args.journal))
        dt = time.perf_counter() - t0
        print(f"package ({args.journal}, {args.photos} photos of 12 MP): {dt:.2f} s, {len(result.files)} files")
        for f in result.files:
            print(f"  {f['name']:<24} {f['bytes'] / 1e6:8.2f} MB  {f['what']}")


if __name__ == "__main__":
    main()
