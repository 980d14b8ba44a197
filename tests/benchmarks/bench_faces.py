"""The face check of the image intake (desktop/privacy/faces.py): time per photo, ours against
OpenCV's own CascadeClassifier on the same pixels when cv2 is importable. Prints figures; asserts
nothing.

    python tests/benchmarks/bench_faces.py [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from desktop.privacy import faces  # noqa: E402
from face_images import jpeg, leg_with_lesion, photo_with_face  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    t0 = time.perf_counter()
    faces.load_cascade()
    print(f"cascade loaded in {(time.perf_counter() - t0) * 1000:.0f} ms ({faces.cascade_path()})")
    photos = {"face 400×300": jpeg(photo_with_face()),
              "face in a 4000×3000 photo": jpeg(photo_with_face(canvas=(4000, 3000), face=1200, at=(1400, 900))),
              "leg, no face, 600×400": jpeg(leg_with_lesion(0))}
    for name, data in photos.items():
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            found = faces.may_show_face(data)
            times.append(time.perf_counter() - t)
        print(f"{name}: {statistics.median(times):.2f} s a photo (may show a face: {found})")
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
