"""Issue 13: a library in a read-only folder or on a read-only mount opens, lists, checks as sound and
backs up elsewhere, without creating -wal/-shm beside it. Root ignores file modes, so the folder is
made read-only for real: a read-only bind mount, else the immutable attribute (chattr +i); where
neither is allowed the test is skipped and says so. The commands run in subprocesses."""
import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.store.library import create_library

from helpers import synthetic_case

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


@contextlib.contextmanager
def _read_only(folder: Path):
    """``folder`` itself (or a read-only view of it) where nothing can be written, even by root."""
    view = folder.with_name(folder.name + "-ro")
    view.mkdir()
    ok = subprocess.run(["mount", "--bind", str(folder), str(view)], capture_output=True).returncode == 0
    if ok and subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True).returncode == 0:
        try:
            yield view
        finally:
            subprocess.run(["umount", str(view)], capture_output=True)
        return
    if ok:
        subprocess.run(["umount", str(view)], capture_output=True)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        try:
            yield folder
        finally:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        return
    pytest.skip("cannot make a read-only folder here (no bind mount, no chattr); root ignores chmod")


@pytest.mark.parametrize("older", [False, True], ids=["current", "older-version"])
def test_library_on_a_read_only_mount_opens_checks_sound_and_backs_up(tmp_path, older):
    src = tmp_path / "lib"
    src.mkdir()
    path = src / "lib.casebook"
    if older:  # a library written by main before this Casebook's upgrade steps (version 1)
        import shutil
        shutil.copy(Path(__file__).parent / "data" / "libraries" / "main-2026-12.casebook", path)
    else:
        lib = create_library(path)
        lib.add_case(synthetic_case())
        lib.close()
        (src / "lib.casebook-lock").unlink(missing_ok=True)
    with _read_only(src) as ro:
        lib_ro = ro / "lib.casebook"
        with pytest.raises(OSError):
            (ro / "probe").write_text("x")  # really read-only
        r = _cli("--library", lib_ro, "list")
        if older:  # its cases cannot be read without the upgrade, which a read-only file cannot take
            assert r.returncode == 4 and "needs an upgrade" in r.stderr and "nothing was changed" in r.stderr
            assert "damaged" not in r.stderr.lower()
        else:
            assert r.returncode == 0, r.stderr
            assert "Synthetic calciphylaxis case report" in r.stdout
        r = _cli("--library", lib_ro, "check")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "damaged" not in (r.stdout + r.stderr).lower()
        r = _cli("--library", lib_ro, "backup", "--to", tmp_path / "bk")
        assert r.returncode == 0, r.stdout + r.stderr
        assert sorted(p.name for p in ro.iterdir()) == ["lib.casebook"]  # no -wal, -shm, -lock
    assert list((tmp_path / "bk").glob("*.casebook-backup"))
