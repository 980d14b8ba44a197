"""Issue 13: a restore killed between any two of its steps never leaves the library path empty and
is finished at the next open; a backup killed midway leaves no temporary file behind after the next
backup or open. Each kill happens in a real subprocess (tests/fs_kill_worker.py) at the n-th
file-system change, for every n until the operation completes."""
import os
import subprocess
import sys
from pathlib import Path

from desktop.store import backup as B
from desktop.store.library import create_library, open_library

from helpers import synthetic_case

ROOT = Path(__file__).resolve().parent.parent


def _run(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    return subprocess.run([sys.executable, str(ROOT / "tests" / "fs_kill_worker.py"), *map(str, args)],
                          env=env, capture_output=True, text=True, timeout=120)


def _library(path: Path, title: str) -> str:
    lib = create_library(path)
    case = synthetic_case()
    case.title = title
    cid = lib.add_case(case)
    lib.close()
    return cid


def _title(path: Path) -> str:
    lib = open_library(path)
    try:
        return lib.load_case(lib.case_ids()[0], figures=False).title
    finally:
        lib.close()


def test_restore_killed_at_every_step_never_loses_the_library(tmp_path):
    outcomes = []
    for n in range(1, 40):
        d = tmp_path / f"n{n}"
        d.mkdir()
        lib_path = d / "lib.casebook"
        _library(lib_path, "from the backup")
        lib = open_library(lib_path)
        bk = B.backup(lib, d / "bk")
        lib.set_case_fields(lib.case_ids()[0], title="current")
        lib.close()
        r = _run("restore", lib_path, bk, n)
        if r.returncode == 0:
            outcomes.append("completed")
            assert _title(lib_path) == "from the backup"
            break
        assert r.returncode == -9, r.stderr
        assert lib_path.exists(), f"killed at step {n}: no library at its path"
        pending = B.restore_in_progress(lib_path)
        for t in d.glob(".lib.casebook.*.restoring"):  # past the few seconds' grace a live writer gets
            os.utime(t, (t.stat().st_mtime - 60,) * 2)
        title = _title(lib_path)  # open_library finishes an interrupted restore
        assert not B.restore_in_progress(lib_path)
        assert not list(d.glob(".lib.casebook.*.restoring"))
        if pending:
            assert title == "from the backup", f"step {n}"
            aside = B.set_aside_libraries(lib_path)
            assert aside and _title(aside[0]) == "current"
        else:
            assert title in ("current", "from the backup"), f"step {n}"
        outcomes.append(f"{n}:{'finished' if pending else title}")
    print(outcomes)
    assert outcomes[-1] == "completed", outcomes
    assert sum("finished" in o for o in outcomes) >= 3, outcomes  # the marker window was hit


def test_killed_backup_leaves_nothing_after_the_next_backup_or_open(tmp_path):
    lib_path = tmp_path / "lib.casebook"
    _library(lib_path, "t")
    folder = tmp_path / "bk"
    for cleaner in ("open", "backup"):
        r = _run("backup", lib_path, folder, 1)  # killed just before its copy is renamed into place
        assert r.returncode == -9, r.stderr
        left = list(folder.glob(".lib.casebook.*.partial"))
        assert len(left) == 1 and left[0].stat().st_size > 0
        os.utime(left[0], (left[0].stat().st_mtime - 60,) * 2)  # past the few seconds' grace
        lib = open_library(lib_path)
        if cleaner == "backup":
            B.backup(lib, folder)
        else:
            B.clean_leftovers(lib_path, folder)  # open_library cleans the default folder; this one is --to
        lib.close()
        assert not list(folder.glob(".lib.casebook.*.partial"))
    # the default backup folder is cleaned by open_library itself
    r = _run("backup", lib_path, B.backup_folder(lib_path), 1)
    assert r.returncode == -9
    (left,) = B.backup_folder(lib_path).glob(".lib.casebook.*.partial")
    os.utime(left, (left.stat().st_mtime - 60,) * 2)
    open_library(lib_path).close()
    assert not left.exists()
