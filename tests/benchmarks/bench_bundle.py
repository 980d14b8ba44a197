"""The workstation bundle: its size and its start time beside the virtual environment's.

    python tests/benchmarks/bench_bundle.py [--bundle dist/casebook] [--runs 5]

Builds the bundle first when --bundle is not given. Prints figures and ratios against the goals of
issue 18 (≤ 300 MB unpacked, ≤ 120 MB compressed; start ≤ 1.2× the virtual environment's); asserts
nothing. Start time is from launch to the window painted with the demo library
(``casebook --paint-and-exit``, offscreen), in the same empty environment for both.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.packaging.build import build, workstation_env  # noqa: E402


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def compressed_mb(folder: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "casebook.tar.gz"
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
        return out.stat().st_size / 1e6


def start_times(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        home = Path(tempfile.mkdtemp(prefix="casebook-bench-home-"))
        (home / "runtime").mkdir(mode=0o700)
        env = workstation_env(home)
        env["PYTHONPATH"] = str(ROOT) if cmd[0] == sys.executable else ""
        subprocess.run(cmd + ["list"], env=env, capture_output=True, timeout=120)  # the first run's library
        t0 = time.perf_counter()
        proc = subprocess.run(cmd + ["--paint-and-exit"], env=env, capture_output=True, text=True, timeout=120)
        if proc.returncode == 0 and "painted" in proc.stdout:
            times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", help="a built bundle folder (default: build one in a temporary folder)")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    if args.bundle:
        bundle = Path(args.bundle)
    else:
        t0 = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix="casebook-bundle-"))
        bundle = build(tmp / "dist", tmp / "build")
        print(f"build: {time.perf_counter() - t0:.0f} s")
    unpacked, packed = size_mb(bundle), compressed_mb(bundle)
    print(f"size: {unpacked:.0f} MB unpacked ({unpacked / 300:.2f}× the 300 MB goal), "
          f"{packed:.0f} MB as .tar.gz ({packed / 120:.2f}× the 120 MB goal)")
    frozen = start_times([str(bundle / "casebook")], args.runs)
    venv = start_times([sys.executable, "-m", "desktop"], args.runs)
    if frozen and venv:
        f, v = statistics.median(frozen), statistics.median(venv)
        print(f"start to window painted: bundle median {f:.2f} s, virtual environment median {v:.2f} s "
              f"({f / v:.2f}×; goal ≤ 1.2×)")
    else:
        print(f"start could not be measured (bundle runs {len(frozen)}, venv runs {len(venv)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
