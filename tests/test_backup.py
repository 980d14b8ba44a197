"""Backups: the checked copy, the automatic policy, the rotation, finding a good one, restoring."""
import datetime as dt
import os
import random
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import jsonio
from desktop.cli import main
from desktop.demo import DEMO_PATH, load_demo
from desktop.store import backup as B
from desktop.store.integrity import inspect
from desktop.store.library import (Damaged, InUse, LibraryError, NewerVersion, NotALibrary, create_library,
                                   open_library)

from helpers import synthetic_case

UTC = dt.timezone.utc
ROOT = Path(__file__).resolve().parent.parent


def T(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def fake(times: list[str]) -> list[B.Backup]:
    return [(Path(f"b{i}"), T(t)) for i, t in enumerate(times)]


def kept(backups, now) -> tuple[set[str], set[str]]:
    keep, delete = B.thin(backups, now)
    assert {p for p, _ in keep}.isdisjoint({p for p, _ in delete})
    assert len(keep) + len(delete) == len(backups)
    assert [t for _, t in keep] == sorted((t for _, t in keep), reverse=True)
    fmt = lambda items: {t.strftime("%Y-%m-%d %H:%M:%S") for _, t in items}  # noqa: E731
    return fmt(keep), fmt(delete)


def garble(path: Path) -> None:
    """Overwrite the page headers of every other page after the first two: a damaged file."""
    data = bytearray(path.read_bytes())
    rng = random.Random(7)
    for off in range(4096 * 2, len(data), 4096 * 2):
        data[off:off + 16] = bytes(rng.randrange(256) for _ in range(16))
    path.write_bytes(bytes(data))


@pytest.fixture
def lib(tmp_path):
    lib = create_library(tmp_path / "lib.casebook")
    lib.add_case(load_demo())
    yield lib
    lib.close()


# --- rotation ------------------------------------------------------------------------------------

def test_thin_of_nothing_is_nothing():
    assert B.thin([], T("2026-03-10 12:00")) == ([], [])


def test_thin_same_day_keeps_ten_recent_and_the_newest_of_yesterday():
    now = T("2026-03-10 12:00")
    times = ["2026-03-09 22:00", "2026-03-09 23:00"] + [f"2026-03-10 {h:02d}:00" for h in range(13)]
    keep, delete = kept(fake(times), now)
    assert keep == {f"2026-03-10 {h:02d}:00:00" for h in range(3, 13)} | {"2026-03-09 23:00:00"}
    assert delete == {"2026-03-09 22:00:00", "2026-03-10 00:00:00", "2026-03-10 01:00:00", "2026-03-10 02:00:00"}


def test_thin_one_per_day_for_seven_days():
    now = T("2026-03-30 10:00")  # a Monday
    times = [f"2026-03-{d:02d} {h:02d}:00" for d in range(24, 30) for h in (8, 20)]
    times += ["2026-03-30 09:00", "2026-03-23 08:00", "2026-03-23 20:00"]
    keep, delete = kept(fake(times), now)
    # today's, and the evening backup of each of the six days before; 03-29 20:00 is also recent
    assert keep == {"2026-03-30 09:00:00"} | {f"2026-03-{d:02d} 20:00:00" for d in range(24, 30)}
    # 03-23 is eight days back: only the weekly rule could keep it, and that week's newest is 03-29
    assert "2026-03-23 20:00:00" in delete and "2026-03-24 08:00:00" in delete


def test_thin_week_boundaries():
    now = T("2026-03-30 10:00")  # Monday of ISO week 14
    keep, delete = kept(fake([
        "2026-03-30 09:00",  # the newest
        "2026-03-15 23:59",  # Sunday: last moment of week 11 -> the newest of week 11
        "2026-03-14 10:00",  # Saturday, week 11
        "2026-03-16 00:01",  # Monday, week 12
        "2026-03-20 12:00",  # Friday, week 12 -> the newest of week 12
        "2026-03-05 12:00",  # week 10: four weeks back is out of the window
        "2026-03-29 23:59",  # within 24 hours
        "2026-03-23 00:00",  # Monday: one day before the daily window, not its week's newest
        "2026-03-24 00:00",  # the first day of the daily window
    ]), now)
    assert keep == {"2026-03-30 09:00:00", "2026-03-15 23:59:00", "2026-03-20 12:00:00", "2026-03-29 23:59:00",
                    "2026-03-24 00:00:00"}
    assert delete == {"2026-03-14 10:00:00", "2026-03-16 00:01:00", "2026-03-05 12:00:00", "2026-03-23 00:00:00"}


def test_thin_month_and_year_boundaries():
    now = T("2026-06-15 12:00")  # a Monday
    keep, delete = kept(fake([
        "2026-06-15 11:00",  # the newest
        "2026-06-01 00:00",  # the newest of its week (weekly rule)
        "2026-05-31 23:59:59",  # last second of May: newest of May and of its week
        "2026-05-20 00:00",  # older than four weeks, not May's newest
        "2026-04-30 23:00",  # newest of April
        "2026-04-01 00:00",
        "2026-01-01 00:00",  # first second of the year: January's newest
        "2025-12-31 23:59:59",  # last second of the year before: December's newest
        "2025-12-15 00:00",
        "2025-07-01 00:00",  # eleven months back: still in the window
        "2025-06-30 23:59",  # twelve months back: out
        "2024-02-29 12:00",
    ]), now)
    assert keep == {"2026-06-15 11:00:00", "2026-06-01 00:00:00", "2026-05-31 23:59:59", "2026-04-30 23:00:00",
                    "2026-01-01 00:00:00", "2025-12-31 23:59:59", "2025-07-01 00:00:00"}
    assert delete == {"2026-05-20 00:00:00", "2026-04-01 00:00:00", "2025-12-15 00:00:00", "2025-06-30 23:59:00",
                      "2024-02-29 12:00:00"}


def test_thin_always_keeps_the_newest_and_anything_from_the_future():
    now = T("2026-06-15 12:00")
    keep, delete = kept(fake(["2020-01-01 00:00", "2019-05-05 00:00"]), now)
    assert keep == {"2020-01-01 00:00:00"} and delete == {"2019-05-05 00:00:00"}
    keep, _ = kept(fake(["2026-06-16 00:00", "2026-06-20 00:00"] + [f"2026-06-15 {h:02d}:00" for h in range(12)]), now)
    assert {"2026-06-16 00:00:00", "2026-06-20 00:00:00"} <= keep
    assert len([k for k in keep if k.startswith("2026-06-15")]) == 10  # the cap still holds for the past


def test_thin_takes_naive_times_as_utc_and_other_zones_converted():
    now = T("2026-03-10 12:00")
    cet = dt.timezone(dt.timedelta(hours=1))
    items = [(Path("a"), dt.datetime(2026, 3, 10, 11, 0)),  # naive: UTC
             (Path("b"), dt.datetime(2026, 3, 10, 0, 30, tzinfo=cet))]  # 2026-03-09 23:30 UTC
    keep, delete = B.thin(items, now)
    assert [p.name for p, _ in keep] == ["a", "b"] and delete == []
    assert keep[1][1] == T("2026-03-09 23:30")


def test_rotation_over_a_year_of_hourly_backups_stays_bounded_and_spread():
    """The policy as the app applies it: a backup every two hours, pruned after each one."""
    start = T("2025-01-01 00:00")
    backups: list[B.Backup] = []
    now = start
    for i in range(24 * 400 // 2):
        now = start + dt.timedelta(hours=2 * i)
        backups.append((Path(f"b{i}"), now))
        backups, _ = B.thin(backups, now)
        assert len(backups) <= B.RECENT_MAX + B.DAILY_DAYS + B.WEEKLY_WEEKS + B.MONTHLY_MONTHS
    times = sorted(t for _, t in backups)
    days = {t.date() for t in times}
    assert all(now.date() - dt.timedelta(days=d) in days for d in range(7))
    months = {(t.year, t.month) for t in times}
    assert len(months) == 12 and min(times) > now - dt.timedelta(days=366)
    assert B.thin(backups, now) == (sorted(backups, key=lambda b: b[1], reverse=True), [])  # idempotent


# --- making backups --------------------------------------------------------------------------------

def test_backup_is_a_checked_owner_only_copy(lib):
    now = T("2026-03-10 12:34:56.789")
    path = B.backup(lib, now=now)
    assert path.parent == lib.path.parent / "backups"
    assert path.name == "lib.casebook.2026-03-10T12-34-56.789000Z.casebook-backup"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert sorted(os.listdir(path.parent)) == [path.name]  # no temporary file, no journal left
    report = inspect(path)
    assert report.ok and report.cases == 1 and not report.quick
    with open_library(path, read_only=True) as copy:
        cid = lib.case_ids()[0]
        assert jsonio.dumps(copy.load_case(cid)) == jsonio.dumps(lib.load_case(cid))
    assert path.read_bytes()[18:20] == b"\x01\x01"  # a rollback-journal file: self-contained
    assert B.list_backups(lib.path) == [(path, now)]


def test_backups_at_the_same_moment_get_distinct_sortable_names(lib):
    now = T("2026-03-10 12:00")
    paths = [B.backup(lib, now=now) for _ in range(3)]
    assert len(set(paths)) == 3
    assert [p for p, _ in B.list_backups(lib.path)] == sorted(paths, reverse=True)


def test_backup_to_another_folder_and_of_a_read_only_library(tmp_path, lib):
    lib.close()
    with open_library(tmp_path / "lib.casebook", read_only=True) as ro:
        path = B.backup(ro, tmp_path / "elsewhere")
    assert path.parent == tmp_path / "elsewhere" and inspect(path).ok
    assert B.list_backups(tmp_path / "lib.casebook", tmp_path / "elsewhere") == B.list_backups(
        tmp_path / "lib.casebook", path.parent)
    assert B.list_backups(tmp_path / "lib.casebook") == []  # the default folder is another place


def test_backups_of_two_libraries_in_one_folder_stay_apart(tmp_path, lib):
    other = create_library(tmp_path / "other.casebook")
    try:
        a = B.backup(lib)
        b = B.backup(other)
    finally:
        other.close()
    assert [p for p, _ in B.list_backups(lib.path)] == [a]
    assert [p for p, _ in B.list_backups(tmp_path / "other.casebook")] == [b]


def test_backup_of_a_damaged_library_fails_and_leaves_nothing(tmp_path):
    path = tmp_path / "d.casebook"
    lib = create_library(path)
    for i in range(12):
        lib.add_case(synthetic_case(n_labs=30, seed=i))
    lib.close()
    garble(path)
    before = path.read_bytes()
    with open_library(path, read_only=True) as damaged:
        with pytest.raises(Damaged, match="no backup was made"):
            B.backup(damaged)
    assert os.listdir(tmp_path / "backups") == []
    assert path.read_bytes() == before


def test_backup_into_an_impossible_folder_is_a_clear_error(tmp_path, lib):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(LibraryError, match="backup folder"):
        B.backup(lib, blocker)


# --- the automatic policy --------------------------------------------------------------------------

def test_maybe_backup_only_when_changed_and_at_most_hourly(lib):
    cid = lib.case_ids()[0]
    t0 = T("2026-03-10 09:00")
    state = B.BackupState.start(lib)
    assert state.last_at is None
    assert B.maybe_backup(lib, state, t0) is None  # nothing changed since open
    lib.set_case_fields(cid, title="first edit")
    first = B.maybe_backup(lib, state, t0)  # no backup yet at all: one now
    assert first is not None and state.last_at == t0
    lib.set_case_fields(cid, title="second edit")
    assert B.maybe_backup(lib, state, t0 + dt.timedelta(minutes=59)) is None  # within the hour
    second = B.maybe_backup(lib, state, t0 + dt.timedelta(minutes=61))
    assert second is not None and second != first
    assert B.maybe_backup(lib, state, t0 + dt.timedelta(hours=5)) is None  # no edit since
    lib.set_case_fields(cid, title="third edit")
    closing = B.maybe_backup(lib, state, t0 + dt.timedelta(minutes=62), closing=True)  # on close: always
    assert closing is not None
    assert B.maybe_backup(lib, state, t0 + dt.timedelta(minutes=63), closing=True) is None  # nothing new
    with open_library(closing, read_only=True) as copy:
        assert copy.load_case(cid).title == "third edit"
    assert [p for p, _ in B.list_backups(lib.path)] == [closing, second, first]


def test_a_clock_set_back_still_gets_backups(lib):
    cid = lib.case_ids()[0]
    state = B.BackupState(last_at=T("2030-01-01 00:00"), changes_at_last=lib.changes)
    lib.set_case_fields(cid, title="edited")
    assert B.maybe_backup(lib, state, T("2026-03-10 09:00")) is not None


def test_state_starts_from_the_newest_backup_on_disk(lib):
    B.backup(lib, now=T("2026-03-10 08:00"))
    B.backup(lib, now=T("2026-03-10 08:30"))
    state = B.BackupState.start(lib)
    assert state.last_at == T("2026-03-10 08:30") and state.changes_at_last == lib.changes
    lib.set_case_fields(lib.case_ids()[0], title="edited")
    assert B.maybe_backup(lib, state, T("2026-03-10 09:00")) is None
    assert B.maybe_backup(lib, state, T("2026-03-10 09:31")) is not None


def test_read_only_library_is_never_backed_up_automatically(tmp_path, lib):
    lib.close()
    with open_library(tmp_path / "lib.casebook", read_only=True) as ro:
        state = B.BackupState.start(ro)
        state.changes_at_last = -1  # even if it claimed a change
        assert B.maybe_backup(ro, state, T("2026-03-10 09:00"), closing=True) is None


def test_maybe_backup_thins_old_backups_and_stale_partials(lib):
    now = T("2026-06-15 12:00")
    for days in (400, 200, 100, 40, 9, 8, 3, 2):
        B.backup(lib, now=now - dt.timedelta(days=days))
    folder = B.backup_folder(lib.path)
    stale = folder / ".lib.casebook.abc.partial"
    stale.write_bytes(b"half a backup")
    old = (now - dt.timedelta(hours=3)).timestamp()
    os.utime(stale, (old, old))
    fresh = folder / ".lib.casebook.def.partial"  # being written right now (its writer holds its lock): left alone
    fresh.write_bytes(b"")
    os.utime(fresh, (now.timestamp(), now.timestamp()))
    import fcntl
    writer = os.open(fresh, os.O_RDWR)
    fcntl.flock(writer, fcntl.LOCK_EX)
    state = B.BackupState.start(lib)
    lib.set_case_fields(lib.case_ids()[0], title="edited")
    try:
        new = B.maybe_backup(lib, state, now)
    finally:
        os.close(writer)
    left = {t for _, t in B.list_backups(lib.path)}
    expected_keep = {t for _, t in B.thin([(Path("x"), now - dt.timedelta(days=d)) for d in (400, 200, 100, 40, 9, 8, 3, 2)]
                                          + [(Path("y"), now)], now)[0]}
    assert left == expected_keep and now in left and new is not None
    assert now - dt.timedelta(days=400) not in left
    assert not stale.exists() and fresh.exists()


# --- finding a good backup -----------------------------------------------------------------------------

def test_newest_good_backup_skips_damaged_ones(tmp_path):
    lib = create_library(tmp_path / "lib.casebook")
    for i in range(12):
        lib.add_case(synthetic_case(n_labs=30, seed=i))
    a = B.backup(lib, now=T("2026-03-10 08:00"))
    b = B.backup(lib, now=T("2026-03-10 09:00"))
    c = B.backup(lib, now=T("2026-03-10 10:00"))
    lib.close()
    assert B.newest_good_backup(lib.path) == c
    garble(c)
    c_bytes = c.read_bytes()
    assert B.newest_good_backup(lib.path) == b
    assert c.read_bytes() == c_bytes  # looking never writes
    (b.parent / b.name).write_bytes(b"")
    assert B.newest_good_backup(lib.path) == a
    assert "restore it with: casebook restore " + str(a) in B.restore_hint(lib.path)
    garble(a)
    assert B.newest_good_backup(lib.path) is None
    assert "None of the 3 backups" in B.restore_hint(lib.path)
    assert B.newest_good_backup(tmp_path / "never.casebook") is None
    assert "no backup" in B.restore_hint(tmp_path / "never.casebook")


# --- restore ---------------------------------------------------------------------------------------

def test_restore_keeps_the_current_file_aside_and_puts_the_backup_in_place(tmp_path):
    path = tmp_path / "lib.casebook"
    lib = create_library(path)
    cid = lib.add_case(load_demo())
    good = B.backup(lib)
    lib.set_case_fields(cid, title="edited after the backup")
    lib.close()
    current = path.read_bytes()
    aside = B.restore(good, path, now=T("2026-03-10 12:00"))
    assert aside == tmp_path / "lib.casebook.before-restore-2026-03-10T12-00-00.000000Z"
    assert aside.read_bytes() == current
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert inspect(path).ok
    with open_library(path, check=True) as restored:
        assert restored.load_case(cid).title == load_demo().title
        restored.set_case_fields(cid, title="editable again")
    with open_library(aside, read_only=True) as previous:
        assert previous.load_case(cid).title == "edited after the backup"


def test_restore_moves_the_write_ahead_log_with_the_file_it_belongs_to(tmp_path):
    """A process killed before its log was checkpointed leaves committed edits in -wal: they stay
    with the set-aside file and never leak into the restored one."""
    path = tmp_path / "lib.casebook"
    lib = create_library(path)
    cid = lib.add_case(synthetic_case())
    good = B.backup(lib)
    lib.close()
    code = ("import sys, os, signal; from desktop.store.library import open_library\n"
            "lib = open_library(sys.argv[1]); lib.set_case_fields(sys.argv[2], title='only in the log')\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(path), cid], cwd=ROOT, capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert Path(str(path) + "-wal").stat().st_size > 0
    aside = B.restore(good, path)
    assert not Path(str(path) + "-wal").exists() and Path(str(aside) + "-wal").exists()
    with open_library(path, check=True) as restored:
        assert restored.load_case(cid).title == synthetic_case().title
    with open_library(aside, read_only=True) as previous:
        assert previous.load_case(cid).title == "only in the log"


def test_restore_refuses_while_the_library_is_open_for_writing(tmp_path, lib):
    good = B.backup(lib)
    before = lib.path.read_bytes()
    with pytest.raises(InUse, match="open in another Casebook"):
        B.restore(good, lib.path)
    assert lib.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "before-restore" in p.name] == []


def test_restore_refuses_bad_backups_and_changes_nothing(tmp_path, lib):
    good = B.backup(lib)
    lib.close()
    before = lib.path.read_bytes()
    damaged = tmp_path / "damaged.casebook-backup"
    damaged.write_bytes(good.read_bytes())
    garble(damaged)
    with pytest.raises(LibraryError, match="cannot be restored"):
        B.restore(damaged, lib.path)
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(NotALibrary):
        B.restore(png, lib.path)
    newer = tmp_path / "newer.casebook-backup"
    newer.write_bytes(good.read_bytes())
    import sqlite3
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(NewerVersion):
        B.restore(newer, lib.path)
    with pytest.raises(LibraryError, match="does not exist"):
        B.restore(tmp_path / "nope", lib.path)
    with pytest.raises(LibraryError, match="the library itself"):
        B.restore(lib.path, lib.path)
    assert lib.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "before-restore" in p.name] == []


def test_restore_without_a_library_puts_it_in_place(tmp_path, lib):
    good = B.backup(lib)
    target = tmp_path / "new" / "place.casebook"
    assert B.restore(good, target) is None
    with open_library(target, check=True) as restored:
        assert restored.case_ids() == lib.case_ids()


# --- the commands -------------------------------------------------------------------------------------

def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_backup_restore_commands(tmp_path, capsys):
    path = tmp_path / "lib.casebook"
    create_library(path).close()
    assert run(capsys, "--library", path, "import", DEMO_PATH)[0] == 0
    code, out, _ = run(capsys, "--library", path, "check")
    assert code == 0 and "integrity: ok" in out and "cases:     1" in out and "none yet" in out
    code, out, _ = run(capsys, "--library", path, "backup")
    made = Path(out.strip())
    assert code == 0 and made.parent == tmp_path / "backups" and inspect(made).ok
    code, out, _ = run(capsys, "--library", path, "check")
    assert "backups:   1, newest" in out and str(made) in out
    code, out, _ = run(capsys, "--library", path, "backup", "--to", tmp_path / "usb")
    assert code == 0 and Path(out.strip()).parent == tmp_path / "usb"
    assert run(capsys, "--library", path, "demo")[0] == 0  # two cases now
    code, _, err = run(capsys, "--library", path, "restore", made)  # not a terminal: needs --yes
    assert code == 2 and "--yes" in err
    with open_library(path, read_only=True) as lib:
        assert len(lib.case_ids()) == 2
    code, out, _ = run(capsys, "--library", path, "restore", made.name, "--yes")  # a bare name will do
    assert code == 0 and "before-restore" in out
    with open_library(path, read_only=True) as lib:
        assert len(lib.case_ids()) == 1
    code, _, err = run(capsys, "--library", path, "restore", tmp_path / "missing", "--yes")
    assert code == 3 and "no backup file" in err


def test_damaged_library_names_the_newest_good_backup_and_is_never_written(tmp_path, capsys):
    path = tmp_path / "lib.casebook"
    lib = create_library(path)
    for i in range(12):
        lib.add_case(synthetic_case(n_labs=30, seed=i))
    good = B.backup(lib)
    lib.close()
    garble(path)
    before = path.read_bytes()
    for argv in (["import", DEMO_PATH], ["demo"], ["check"], ["backup"]):
        code, _, err = run(capsys, "--library", path, *argv)
        assert code == 4, argv
        assert "damaged" in err and "Traceback" not in err
        assert f"restore it with: casebook --library {path} restore {good}" in err, argv
        assert path.read_bytes() == before, argv
    assert [p for p, _ in B.list_backups(path)] == [good]  # no backup of the damage was made
    code, out, _ = run(capsys, "--library", path, "restore", good, "--yes")
    assert code == 0
    assert run(capsys, "--library", path, "check")[0] == 0
    aside = next(p for p in tmp_path.glob("lib.casebook.before-restore-*") if p.name.endswith("Z"))
    assert aside.read_bytes() == before


def test_restore_asks_at_a_terminal(tmp_path):
    """At a terminal `casebook restore` asks first: "n" changes nothing, "y" restores."""
    import pty
    path = tmp_path / "lib.casebook"
    lib = create_library(path)
    lib.add_case(synthetic_case())
    good = B.backup(lib)
    lib.add_case(synthetic_case(seed=1))
    lib.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for answer, cases in (("n", 2), ("y", 1)):
        leader, follower = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "desktop", "--library", str(path), "restore", str(good)],
                                stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        os.close(follower)
        os.write(leader, f"{answer}\n".encode())
        out, err = proc.communicate(timeout=60)
        os.close(leader)
        assert proc.returncode == 0, err
        with open_library(path, read_only=True) as again:
            assert len(again.case_ids()) == cases, (answer, out)
