"""SIGKILL in the middle of a burst of edits: shared by the backbone and the fault-proof tests."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from desktop.store.library import create_library, open_library

from helpers import synthetic_case

WORKER = Path(__file__).with_name("kill_worker.py")


def kill_trial(folder: Path, rng: random.Random, edits: int = 200) -> tuple[int, Path, str]:
    """One trial: returns (edits acknowledged, library path, case id) after the kill."""
    path = folder / "crash.casebook"
    lib = create_library(path)
    cid = lib.add_case(synthetic_case(n_labs=3))
    lib.close()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parent.parent), str(Path(__file__).parent)]))
    proc = subprocess.Popen([sys.executable, str(WORKER), str(path), cid, str(edits)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    acked = -1
    target = rng.randint(0, edits - 1)  # kill after this many acks, or at a random time
    deadline = time.monotonic() + 60
    delay_after = rng.random() * 0.004
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acked = int(line.split()[1])
        if acked >= target:
            time.sleep(delay_after)  # land somewhere inside the next edit's transaction
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # acks written before the kill but not yet read still count: the edit was committed
    rest = proc.stdout.read()
    for line in rest.splitlines():
        if line.startswith("ack "):
            acked = int(line.split()[1])
    proc.stdout.close()
    proc.stderr.close()
    return acked, path, cid


def check_after_kill(path: Path, cid: str, acked: int) -> None:
    lib = open_library(path, check=True)
    try:
        assert lib.integrity_check(quick=False) == []
        case = lib.load_case(cid)
        labs = {l.id for l in case.labs}
        for i in range(acked + 1):
            if i % 3 == 0:
                assert f"k{i}" in labs, f"acknowledged edit {i} (a lab) was lost"
        last_title = max((i for i in range(acked + 1) if i % 3 == 1), default=None)
        if last_title is not None:
            # the title is that of the last acknowledged title edit, or of one after it that
            # committed before the kill reached the 'ack' line
            n = int(case.title.split()[1])
            assert n >= last_title, f"title edit {last_title} was lost (found {case.title!r})"
        last_disc = max((i for i in range(acked + 1) if i % 3 == 2), default=None)
        if last_disc is not None:
            n = int(case.manuscript.discussion.split()[3])
            assert n >= last_disc, "a narrative edit was lost"
    finally:
        lib.close()
