"""Backups of a library: made with SQLite's online backup API, checked, rotated, restored.

Where and how
- Backups go to a ``backups/`` folder beside the library (mode 0700; files 0600), named
  ``<library file name>.<UTC time>.casebook-backup`` with a fixed-width time
  (``2026-11-25T08-25-09.123456Z``), so the names sort in time order.
- :func:`backup` copies the open library with ``Connection.backup`` into a hidden temporary file in
  that folder, switches the copy to a self-contained rollback journal, and runs
  ``PRAGMA integrity_check`` on it through a fresh read-only connection. Only a copy that checks out
  is renamed into place (an atomic rename); anything else is deleted and an error raised, so a
  half-written or unsound backup is never left where a restore would find it.

When (:func:`maybe_backup`, called by the window)
- On close, and at most once an hour while editing, and only when something changed since the last
  backup. "Changed" is ``Library.changes``: the number of edits this process committed since it
  opened the library. Only the process holding the library's lock can write to it, so its own count
  is the whole story (``PRAGMA data_version`` would see only *other* connections' commits).
- A library that has no backup at all gets one at its first change.

How many are kept (:func:`thin`, applied by :func:`prune` after each automatic backup), all in UTC:
- every backup of the last 24 hours, at most the 10 most recent of them;
- the newest backup of each calendar day, for today and the 6 days before;
- the newest backup of each ISO week (Monday to Sunday), for this week and the 3 before;
- the newest backup of each calendar month, for this month and the 11 before;
- always the newest backup of all, and any backup dated after ``now`` (the clock was changed: such
  a file is not ours to judge).
Everything else is deleted. Each rule picks on its own and a backup is kept when any rule picks it.

Restore (:func:`restore`, in :mod:`desktop.store.restore`) refuses while another process has the library open for writing, copies the
backup beside the library with the backup API, checks the copy, moves the current file (with its
``-wal`` and ``-shm``, so the pair stays consistent) aside as ``<name>.before-restore-<UTC time>``
and renames the copy into place: the current file, damaged or not, is kept unchanged.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import integrity
from .backup_files import (  # noqa: F401  (the names callers import from here)
    _PARTIAL, BACKUP_FOLDER, BACKUP_INTERVAL, DAILY_DAYS, MONTHLY_MONTHS, RECENT_MAX, RECENT_WINDOW, SUFFIX,
    WEEKLY_WEEKS, Backup, BackupError, _copy_into, _ensure_folder, _fsync_dir, _os_error, _sqlite_error,
    _try_lock, _unlink, _utc, backup_folder, backup_name, check_backup, clean_leftovers, list_backups,
    newest_good_backup, restore_hint, stamp)
from .errors import Damaged
from .library import Library

# --- making a backup --------------------------------------------------------------------------------

def backup(lib: Library, folder: str | os.PathLike | None = None, now: dt.datetime | None = None) -> Path:
    """Back up an open library (read-only or not) and return the backup's path.

    Raises :class:`StorageFull` when the disk is full, :class:`Damaged` when the copy fails its
    integrity check because the library itself is damaged, :class:`BackupError` otherwise. On any
    failure no file is left in the folder and the library is untouched."""
    now = _utc(now)
    cut = integrity.size_problems(lib.path)  # SQLite would copy a cut-short file without a word
    if cut:
        raise Damaged(f"{lib.path} is damaged, so no backup was made ({cut[0]}). The library was not changed.")
    folder = Path(folder) if folder is not None else backup_folder(lib.path)
    _ensure_folder(folder)
    final = folder / backup_name(lib.path, now)
    while final.exists():  # two backups within one microsecond (or a fixed ``now`` in a test)
        now += dt.timedelta(microseconds=1)
        final = folder / backup_name(lib.path, now)
    what = f"the backup of {lib.path} could not be written to {folder}"
    with contextlib.suppress(OSError):
        clean_leftovers(lib.path, folder)  # a killed backup left a full-size temporary file
    old = os.umask(0o077)
    fd = -1
    try:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{lib.path.name}.", suffix=_PARTIAL, dir=folder)
        except OSError as exc:
            raise _os_error(exc, what) from None
        _try_lock(fd)  # held until the copy is in place: tells clean_leftovers it is alive
        tmp = Path(name)
        try:
            try:
                _copy_into(lib.conn, tmp, "DELETE")
            except sqlite3.Error as exc:
                raise _sqlite_error(exc, what) from None
            report = integrity.inspect(tmp, quick=False)
            if not report.ok:
                if integrity.inspect(lib.path, quick=True).damaged:
                    raise Damaged(f"{lib.path} is damaged, so no backup was made ({report.summary()}). "
                                  "The library was not changed.")
                raise BackupError(f"{what}: the copy failed its integrity check "
                                  f"({report.summary() or report.message()}); it was deleted")
            try:
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
                os.chmod(tmp, 0o600)
                os.replace(tmp, final)
            except OSError as exc:
                raise _os_error(exc, what) from None
            _fsync_dir(folder)
        except BaseException:
            _unlink(tmp)
            raise
    finally:
        os.umask(old)
        if fd >= 0:
            os.close(fd)
    return final


@dataclass
class BackupState:
    """What :func:`maybe_backup` remembers between calls (one per open library)."""
    last_at: dt.datetime | None = None  # the newest backup, made now or found on disk
    changes_at_last: int = 0  # ``Library.changes`` when it was made

    @classmethod
    def start(cls, lib: Library, folder: str | os.PathLike | None = None) -> "BackupState":
        """The state for a library just opened: its newest backup on disk, no edits yet."""
        found = list_backups(lib.path, folder)
        return cls(last_at=found[0][1] if found else None, changes_at_last=lib.changes)


def backup_due(lib: Library, state: BackupState, now: dt.datetime | None = None, *, closing: bool = False) -> bool:
    if lib.read_only or lib.conn is None or lib.changes == state.changes_at_last:
        return False  # nothing changed since the last backup
    if closing or state.last_at is None:
        return True
    return abs(_utc(now) - state.last_at) >= BACKUP_INTERVAL  # abs: a clock set back still backs up


def maybe_backup(lib: Library, state: BackupState, now: dt.datetime | None = None, *, closing: bool = False,
                 folder: str | os.PathLike | None = None) -> Path | None:
    """The automatic policy: back up when :func:`backup_due` says so, then thin the old backups.
    Call it from a timer while editing and with ``closing=True`` just before closing the library.
    Returns the new backup's path, or None when none was due. Raises like :func:`backup`."""
    now = _utc(now)
    if not backup_due(lib, state, now, closing=closing):
        return None
    path = backup(lib, folder, now)
    state.last_at = now
    state.changes_at_last = lib.changes
    prune(lib.path, now, folder)
    return path


# --- rotation -------------------------------------------------------------------------------------

def _month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def thin(backups: list[Backup], now: dt.datetime) -> tuple[list[Backup], list[Backup]]:
    """Which backups to keep and which to delete (both newest first); see the module's policy."""
    now = _utc(now)
    items = sorted(((p, _utc(t)) for p, t in backups), key=lambda b: (b[1], str(b[0])), reverse=True)
    keep: set[int] = set()
    if items:
        keep.add(0)  # the newest backup of all
    past = []
    for i, (_, t) in enumerate(items):
        if t > now:
            keep.add(i)
        else:
            past.append(i)
    recent = [i for i in past if now - items[i][1] < RECENT_WINDOW]
    keep.update(recent[:RECENT_MAX])

    today = now.date()
    this_monday = today - dt.timedelta(days=today.weekday())
    rules = [
        (lambda d: d, lambda d: d >= today - dt.timedelta(days=DAILY_DAYS - 1)),
        (lambda d: d.isocalendar()[:2],
         lambda d: d - dt.timedelta(days=d.weekday()) >= this_monday - dt.timedelta(weeks=WEEKLY_WEEKS - 1)),
        (lambda d: (d.year, d.month), lambda d: _month_index(d) >= _month_index(today) - (MONTHLY_MONTHS - 1)),
    ]
    for key, in_window in rules:
        seen = set()
        for i in past:  # newest first: the first one met in a bucket is that bucket's newest
            d = items[i][1].date()
            if in_window(d) and key(d) not in seen:
                seen.add(key(d))
                keep.add(i)
    return ([b for i, b in enumerate(items) if i in keep],
            [b for i, b in enumerate(items) if i not in keep])


def prune(library_path: str | os.PathLike, now: dt.datetime | None = None,
          folder: str | os.PathLike | None = None) -> list[Path]:
    """Delete the backups :func:`thin` does not keep, and temporary files of backups that were
    interrupted (killed) over an hour ago. Returns the deleted backups."""
    library_path = Path(library_path)
    folder = Path(folder) if folder is not None else backup_folder(library_path)
    now = _utc(now)
    _, delete = thin(list_backups(library_path, folder), now)
    for p, _ in delete:
        with contextlib.suppress(OSError):
            p.unlink()
    clean_leftovers(library_path, folder, now)
    return [p for p, _ in delete]


# Restoring lives in desktop.store.restore; its functions are reachable from here as before.
from .restore import (  # noqa: E402,F401  (after the names restore.py takes from backup_files)
    finish_restore, restore, restore_in_progress, set_aside_libraries)
