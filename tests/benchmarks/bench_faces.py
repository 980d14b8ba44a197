"""The face check of the image intake (desktop/privacy/faces.py): time per photo, now and before
(the module as it was at ``--before``, read from git, run on the same photos in the same process),
and OpenCV's own CascadeClassifier on the same pixels when cv2 is importable. Prints figures;
asserts nothing.

    python tests/benchmarks/bench_faces.py [--runs 3] [--before 902c1d0]

Measured on the 2-core development machine (shared), median of 3, before → now:
face 400×300 0.85 → 0.03 s (stops at the first certain face), face in a 4000×3000 photo 0.54 →
0.13 s, leg without a face 600×400 1.17 → 0.9–1.0 s (every level is needed; OpenCV's skip after a
first-stage rejection saves a quarter of the windows).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from desktop.privacy import faces  # noqa: E402
from face_images import jpeg, leg_with_lesion, photo_with_face  # noqa: E402


def previous(rev: str):
    """desktop/privacy/faces.py as it was at ``rev`` (None when git cannot show it)."""
    out = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:desktop/privacy/faces.py"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None
    module = types.ModuleType("faces_before")
    sys.modules[module.__name__] = module  # (its dataclasses look their module up)
    exec(compile(out.stdout, f"{rev}:desktop/privacy/faces.py", "exec"), module.__dict__)  # noqa: S102
    return module


def timed(fn, data: bytes, runs: int) -> tuple[float, bool]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        found = fn(data)
        times.append(time.perf_counter() - t)
    return statistics.median(times), found


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--before", default="902c1d0", help="the git revision to compare with")
    args = p.parse_args()
    t0 = time.perf_counter()
    faces.load_cascade()
    print(f"cascade loaded in {(time.perf_counter() - t0) * 1000:.0f} ms ({faces.cascade_path()})")
    photos = {"face 400×300": jpeg(photo_with_face()),
              "face in a 4000×3000 photo": jpeg(photo_with_face(canvas=(4000, 3000), face=1200, at=(1400, 900))),
              "leg, no face, 600×400": jpeg(leg_with_lesion(0))}
    before = previous(args.before)
    for name, data in photos.items():
        now, found = timed(faces.may_show_face, data, args.runs)
        line = f"{name}: {now:.2f} s a photo (may show a face: {found})"
        if before is not None:
            then, found_then = timed(before.may_show_face, data, args.runs)
            line += f"; at {args.before}: {then:.2f} s ({found_then}), {then / now:.1f}× as long"
        print(line)
    if before is None:
        print(f"git cannot show {args.before}: no comparison with the earlier version")
    try:
        import cv2
        import numpy as np
        from PIL import Image
        import io
        cc = cv2.CascadeClassifier(str(faces.cascade_path()))
        grey = np.array(Image.open(io.BytesIO(photos["face 400×300"])).convert("L"))
        t = time.perf_counter()
        cc.detectMultiScale(grey, faces.SCALE_STEP, faces.MIN_NEIGHBOURS)
        print(f"OpenCV on the 400×300 face, full size: {(time.perf_counter() - t) * 1000:.0f} ms")
    except ImportError:
        print("cv2 not importable: no OpenCV comparison")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
