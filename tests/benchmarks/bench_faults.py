"""Fault benchmark (issue 6): many more SIGKILL trials than the test suite's 30, with the same trial
helper (tests/crash.py): a subprocess makes up to 200 edits, each committed before it prints "ack",
and is killed at a random moment; the library must then open, pass the full integrity check and
hold every acknowledged edit. Then SIGKILL during backups: every backup left must be sound.

    .venv/bin/python tests/benchmarks/bench_faults.py [--trials 200] [--backup-trials 20] [--seed 1] [--jobs 2]

Prints how many trials ran, how many edits were acknowledged before the kills, the spread of kill
points, timing, and every failure (exit status 1 when there is one)."""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS.parent))
sys.path.insert(0, str(TESTS))

from crash import check_after_kill, kill_trial  # noqa: E402
from desktop.model import Figure  # noqa: E402
from desktop.store import backup as B  # noqa: E402
from desktop.store.integrity import inspect  # noqa: E402
from desktop.store.library import create_library  # noqa: E402
from helpers import synthetic_case  # noqa: E402

BACKUP_LOOP = """
import sys
from desktop.store.backup import backup
from desktop.store.library import open_library
lib = open_library(sys.argv[1])
for i in range(1000):
    print("made", backup(lib, sys.argv[2]), flush=True)
"""


def edit_trials(root: Path, trials: int, seed: int, jobs: int) -> tuple[list[int], list[str]]:
    def one(n: int) -> tuple[int, str | None]:
        folder = root / f"kill{n}"
        folder.mkdir()
        acked = -1
        try:
            acked, path, cid = kill_trial(folder, random.Random(seed * 100_000 + n), edits=200)
            check_after_kill(path, cid, acked)
            return acked, None
        except Exception:
            return acked, f"trial {n}: {traceback.format_exc(limit=3)}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, range(trials)))
    return [a for a, _ in results], [f for _, f in results if f]


def backup_trials(root: Path, trials: int, seed: int) -> tuple[int, int, list[str]]:
    path = root / "lib.casebook"
    lib = create_library(path)
    ids = [lib.add_case(synthetic_case(n_labs=30, seed=i)) for i in range(12)]
    lib.save_figure(ids[0], Figure(id="img", mime="image/png", data=random.Random(seed).randbytes(1_500_000)))
    lib.close()
    before = path.read_bytes()
    folder = root / "backups"
    rng = random.Random(seed)
    failures = []
    env = dict(os.environ, PYTHONPATH=str(TESTS.parent))
    for n in range(trials):
        proc = subprocess.Popen([sys.executable, "-c", BACKUP_LOOP, str(path), str(folder)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        proc.stdout.readline()
        time.sleep(rng.random() * 0.05)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    listed = B.list_backups(path, folder)
    for p, _ in listed:
        if not inspect(p).ok:
            failures.append(f"backup {p.name} is not sound: {inspect(p).message()}")
    if path.read_bytes() != before:
        failures.append("the library changed during backups")
    partials = [p for p in folder.iterdir() if p.name.endswith(".partial")]
    return len(listed), len(partials), failures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--backup-trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="casebook-faults-"))
    try:
        t0 = time.perf_counter()
        acked, failures = edit_trials(root, args.trials, args.seed, args.jobs)
        took = time.perf_counter() - t0
        print(f"SIGKILL during edits: {len(acked)} trials in {took:.1f} s ({took / max(1, len(acked)):.2f} s each, "
              f"{args.jobs} at a time)")
        print(f"  edits acknowledged before the kill: total {sum(a + 1 for a in acked)}, "
              f"median {statistics.median(acked) + 1 if acked else 0:.0f}, min {min(acked) + 1}, max {max(acked) + 1}")
        print(f"  distinct kill points: {len(set(acked))}; killed before the first ack: {acked.count(-1)}")
        print(f"  failures: {len(failures)}")
        t0 = time.perf_counter()
        made, partials, bfailures = backup_trials(root, args.backup_trials, args.seed)
        print(f"SIGKILL during backups: {args.backup_trials} trials in {time.perf_counter() - t0:.1f} s; "
              f"{made} sound backups listed, {partials} interrupted temporary files (hidden, never listed)")
        print(f"  failures: {len(bfailures)}")
        for f in failures + bfailures:
            print(f)
        return 1 if failures or bfailures else 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
