"""Proof under faults, in subprocesses: SIGKILL at random moments, a full disk (a file-size limit, and
a tiny tmpfs where mounting is permitted), and damaged or foreign files given to every command.

The full disk is made two ways without root: ``RLIMIT_FSIZE`` in the editing process (with SIGXFSZ
ignored, a write past the limit fails with EFBIG, which SQLite reports as a disk I/O error), and,
when this process may mount (root in CI), a 512 KiB tmpfs where writes fail with ENOSPC (SQLite:
"database or disk is full")."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from desktop.demo import DEMO_PATH
from desktop.model import Figure
from desktop.store import backup as B
from desktop.store import schema
from desktop.store.integrity import inspect
from desktop.store.library import create_library, open_library

from crash import check_after_kill, kill_trial
from helpers import synthetic_case

ROOT = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(Path(__file__).parent)]))


def python(code: str, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], env=ENV, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def library_with(path: Path, n_cases: int = 12, image_bytes: int = 0) -> list[str]:
    lib = create_library(path)
    try:
        ids = [lib.add_case(synthetic_case(n_labs=30, seed=i)) for i in range(n_cases)]
        if image_bytes:  # a real PNG of noise (it does not compress): about image_bytes long
            import io

            from PIL import Image
            rng = random.Random(3)
            side = max(8, int((image_bytes / 3) ** 0.5))
            buf = io.BytesIO()
            Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(buf, "PNG", compress_level=1)
            lib.save_figure(ids[0], Figure(id="img", mime="image/png", caption="synthetic noise", data=buf.getvalue()))
    finally:
        lib.close()
    return ids


# --- SIGKILL -----------------------------------------------------------------------------------------

def test_sigkill_at_random_moments_30_trials(tmp_path):
    """30 trials of 200 edits killed at a random moment: each library opens, passes the full
    integrity check and holds every acknowledged edit (tests/crash.py does the checking)."""
    def trial(n: int) -> int:
        folder = tmp_path / f"t{n}"
        folder.mkdir()
        acked, path, cid = kill_trial(folder, random.Random(1000 + n), edits=200)
        check_after_kill(path, cid, acked)
        return acked

    with ThreadPoolExecutor(max_workers=3) as pool:  # the trials are independent: three at a time
        acknowledged = list(pool.map(trial, range(30)))
    assert len(set(acknowledged)) > 10  # the kills really landed at many different moments


BACKUP_LOOP = r"""
import sys
from desktop.store.backup import backup
from desktop.store.library import open_library
lib = open_library(sys.argv[1])
for i in range(1000):
    print("made", backup(lib, sys.argv[2]), flush=True)
"""


def test_sigkill_during_backups_leaves_only_good_backups(tmp_path):
    path = tmp_path / "lib.casebook"
    library_with(path, image_bytes=1_500_000)
    before = path.read_bytes()
    folder = tmp_path / "backups"
    rng = random.Random(11)
    for trial in range(5):
        proc = subprocess.Popen([sys.executable, "-c", BACKUP_LOOP, str(path), str(folder)], env=ENV, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().startswith("made")  # one made, the next one under way
        time.sleep(rng.random() * 0.05)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    listed = B.list_backups(path, folder)
    assert len(listed) >= 5
    for p, _ in listed:
        assert inspect(p).ok, p
    assert path.read_bytes() == before and inspect(path).ok


# --- a full disk -----------------------------------------------------------------------------------

FULL_EDITS = r"""
import resource, signal, sys
from desktop.model import LabResult, When
from desktop.store.library import open_library, StorageFull
path, cid, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
lib = open_library(path)
if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
for i in range(100000):
    try:
        lib.save_item(cid, "labs", LabResult(id=f"f{i}", analyte="calcium", value=9.0, unit="mg/dL",
                                             when=When(offset=float(i)), note="n" * 20000))
    except StorageFull as exc:
        print(f"full: {exc}", flush=True)
        break
    print(f"ack {i}", flush=True)
# the library is still usable for reading in this process, and a second try fails the same way
assert len(lib.load_case(cid).labs) >= 30
try:
    lib.set_case_fields(cid, title="t" * 300000)
    print("second edit saved", flush=True)
except StorageFull:
    print("second edit refused", flush=True)
lib.close()
"""


def _check_full_edits(proc: subprocess.CompletedProcess, path: Path, cid: str) -> int:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    acks = [int(line.split()[1]) for line in lines if line.startswith("ack ")]
    full = [line for line in lines if line.startswith("full: ")]
    assert acks and full, proc.stdout[-500:]
    assert "full or failing" in full[0] and "everything saved before it is safe" in full[0]
    assert "second edit refused" in lines
    lib = open_library(path, check=True)
    try:
        assert lib.integrity_check(quick=False) == []
        labs = {lab.id for lab in lib.load_case(cid).labs}
        assert {f"f{i}" for i in acks} <= labs  # every acknowledged edit is there
        assert f"f{acks[-1] + 1}" not in labs  # the refused one left nothing behind
        assert lib.load_case(cid).title == synthetic_case(seed=0).title
        lib.set_case_fields(cid, title="editable again once there is space")
    finally:
        lib.close()
    return len(acks)


def test_file_size_limit_during_edits_raises_storage_full_and_loses_nothing(tmp_path):
    path = tmp_path / "lib.casebook"
    cid = library_with(path, n_cases=1)[0]
    proc = python(FULL_EDITS, path, cid, path.stat().st_size + 400_000)
    assert _check_full_edits(proc, path, cid) >= 3


FULL_BACKUP = r"""
import resource, signal, sys
from desktop.store.backup import backup
from desktop.store.library import open_library, StorageFull
lib = open_library(sys.argv[1])
if int(sys.argv[3]):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]),) * 2)
try:
    print("made", backup(lib, sys.argv[2]))
except StorageFull as exc:
    print(f"full: {exc}")
lib.close()
"""


def _check_full_backup(proc: subprocess.CompletedProcess, path: Path, before: bytes, folder: Path) -> None:
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.startswith("full: "), proc.stdout
    assert "could not be written" in proc.stdout and "disk is full" in proc.stdout
    assert os.listdir(folder) == []  # no half backup, not even a temporary file
    assert path.read_bytes() == before and inspect(path).ok


def test_file_size_limit_during_backup_leaves_no_half_backup(tmp_path):
    path = tmp_path / "lib.casebook"
    library_with(path, image_bytes=600_000)
    before = path.read_bytes()
    folder = tmp_path / "backups"
    proc = python(FULL_BACKUP, path, folder, 256_000)
    _check_full_backup(proc, path, before, folder)


@pytest.fixture
def tiny_fs(tmp_path):
    """A 512 KiB tmpfs, where permitted (root with CAP_SYS_ADMIN); skipped elsewhere."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if not shutil.which("mount") or (hasattr(os, "geteuid") and os.geteuid() != 0):
        pytest.skip("mounting a tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", str(mnt)],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True, timeout=30)
        if os.path.ismount(mnt):
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def test_tiny_filesystem_full_during_edits(tmp_path, tiny_fs):
    path = tiny_fs / "lib.casebook"
    cid = library_with(path, n_cases=1)[0]
    proc = python(FULL_EDITS, path, cid, 0)
    # look at the files on a disk with room (the library and its log, as a pair)
    copy = tmp_path / "copy.casebook"
    for side in ("", "-wal"):
        if Path(str(path) + side).exists():
            shutil.copyfile(str(path) + side, str(copy) + side)
    assert _check_full_edits(proc, copy, cid) >= 3


def test_tiny_filesystem_full_during_backup(tmp_path, tiny_fs):
    path = tmp_path / "lib.casebook"
    library_with(path, image_bytes=900_000)
    before = path.read_bytes()
    proc = python(FULL_BACKUP, path, tiny_fs, 0)
    _check_full_backup(proc, path, before, tiny_fs)


# --- damaged, foreign and newer files through the command line -------------------------------------

def _bad_files(tmp_path: Path) -> dict[str, Path]:
    """Each bad file is called lib.casebook in a folder of its own, with a good backup beside it."""
    good = tmp_path / "good" / "lib.casebook"
    library_with(good)
    with open_library(good, read_only=True) as lib:
        backup_of_good = B.backup(lib, tmp_path / "good-backup")
    data = good.read_bytes()
    rng = random.Random(5)
    garbled = bytearray(data)
    for off in range(4096 * 2, len(data), 4096 * 2):
        garbled[off:off + 16] = rng.randbytes(16)
    contents = {
        "cut-header": data[:100],
        "cut-first-page": data[:4096],
        "cut-half": data[:len(data) // 2],
        "cut-last-page": data[:-4096],
        "cut-last-byte": data[:-1],
        "zero-length": b"",
        "random-bytes": rng.randbytes(50_000),
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(3000),
        "json": DEMO_PATH.read_bytes(),
        "garbled-pages": bytes(garbled),
    }
    out = {}
    for kind, blob in contents.items():
        out[kind] = tmp_path / kind / "lib.casebook"
        out[kind].parent.mkdir()
        out[kind].write_bytes(blob)
    plain = tmp_path / "plain-sqlite" / "lib.casebook"
    plain.parent.mkdir()
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE notes(x)")
    conn.commit()
    conn.close()
    out["plain-sqlite"] = plain
    newer = tmp_path / "newer" / "lib.casebook"
    newer.parent.mkdir()
    newer.write_bytes(data)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.close()
    out["newer"] = newer
    for kind, path in out.items():
        (path.parent / "backups").mkdir()
        shutil.copyfile(backup_of_good, path.parent / "backups" / backup_of_good.name)
    return out


DAMAGED = {"cut-header", "cut-first-page", "cut-half", "cut-last-page", "cut-last-byte", "garbled-pages"}
WRITING = [["import", str(DEMO_PATH)], ["demo"], ["check"]]
READING = [["list"], ["backup"], ["export-json", "zzz"], ["audit", "zzz"], ["assess", "zzz"]]

# Runs the casebook command's entry point (desktop.cli.main, what `casebook` and `python -m desktop`
# run) for every file and command in ONE subprocess, to keep the test quick: each command gets
# fresh stdout/stderr buffers, an exception escaping main() is recorded with its traceback, and the
# file's bytes are compared before and after each command.
DRIVER = r"""
import contextlib, io, json, sys, traceback
from desktop.cli import main
jobs = json.loads(sys.argv[1])
results = []
for path, argv in jobs:
    before = open(path, "rb").read()
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--library", path, *argv])
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            traceback.print_exc()
            code = "raised"
    results.append([path, argv, code, err.getvalue(), open(path, "rb").read() == before])
print(json.dumps(results))
"""


def test_bad_library_files_get_clear_errors_and_are_never_written(tmp_path):
    files = _bad_files(tmp_path)
    kinds = {str(p): k for k, p in files.items()}
    jobs = [[str(p), argv] for p in files.values() for argv in WRITING + READING]
    proc = python(DRIVER, json.dumps(jobs), timeout=300)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == len(jobs)
    for path_text, argv, code, err, unchanged in results:
        kind, path = kinds[path_text], Path(path_text)
        where = f"{kind}: casebook {' '.join(argv)}"
        assert unchanged, f"{where} changed the file"
        assert "Traceback" not in err and code != "raised", f"{where}:\n{err}"
        assert err.startswith("casebook: ") or code == 0, f"{where}: {err!r}"
        assert err.strip().count("\n") == 0, f"{where}: not one paragraph: {err!r}"
        if argv in WRITING or kind not in DAMAGED:
            # writing, checking, or any command on a file that is not a readable library: refused
            assert code == 4, f"{where}: exit {code}: {err}"
        else:
            # reading a damaged library may still work (that is how a case is rescued), or is
            # refused with a clear message; a case id that is not there is a usage problem (3)
            assert code in (0, 3, 4), f"{where}: exit {code}: {err}"
        if code == 4:
            good = next((path.parent / "backups").iterdir())
            if kind in DAMAGED and argv in WRITING:
                assert "damaged" in err, f"{where}: {err}"
            if kind == "newer":
                assert "newer Casebook" in err and "restore" not in err, f"{where}: {err}"
            else:  # a damaged file, or one that is no longer a library: the good backup is named
                assert f"restore it with: casebook --library {path} restore {good}" in err, f"{where}: {err}"
    for kind, path in files.items():
        assert len(list((path.parent / "backups").iterdir())) == 1, f"{kind}: a backup of a bad file was made"
    first = {kinds[r[0]]: r[3] for r in results if r[1] == WRITING[0]}
    assert "it is empty" in first["zero-length"]
    assert "not an SQLite file" in first["png"] and "not an SQLite file" in first["json"]
    assert "not a Casebook library" in first["plain-sqlite"]
    assert "cut short" in first["cut-last-byte"] and "cut short" in first["cut-first-page"]


@pytest.mark.parametrize("kind", ["cut-half", "random-bytes", "newer"])
def test_bad_files_through_the_real_command(tmp_path, kind):
    """The same through `python -m desktop` itself: exit status, stderr, no traceback."""
    path = _bad_files(tmp_path)[kind]
    before = path.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "desktop", "--library", str(path), "import", str(DEMO_PATH)],
                          env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 4 and proc.stderr.startswith("casebook: ") and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert path.read_bytes() == before


def test_read_only_library_file_through_the_command_line(tmp_path):
    path = tmp_path / "lib.casebook"
    library_with(path, n_cases=2)
    os.chmod(path, 0o400)
    before = path.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "desktop", "--library", str(path), "import", str(DEMO_PATH)],
                          env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 4 and "read-only" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "desktop", "--library", str(path), "list"],
                          env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.count("Synthetic calciphylaxis case report") == 2
    assert path.read_bytes() == before
