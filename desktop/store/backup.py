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

Restore (:func:`restore`) refuses while another process has the library open for writing, copies the
backup beside the library with the backup API, checks the copy, moves the current file (with its
``-wal`` and ``-shm``, so the pair stays consistent) aside as ``<name>.before-restore-<UTC time>``
and renames the copy into place: the current file, damaged or not, is kept unchanged.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import shlex
import sqlite3
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import integrity
from .errors import Damaged, InUse, LibraryError, NewerVersion, NotALibrary, StorageFull
from .library import Library
from .opening import _lock

BACKUP_FOLDER = "backups"
SUFFIX = ".casebook-backup"
BACKUP_INTERVAL = dt.timedelta(hours=1)

RECENT_WINDOW = dt.timedelta(hours=24)
RECENT_MAX = 10
DAILY_DAYS = 7
WEEKLY_WEEKS = 4
MONTHLY_MONTHS = 12

_STAMP = "%Y-%m-%dT%H-%M-%S.%fZ"
_STAMP_RE = r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{6}Z"
_PARTIAL = ".partial"
_RESTORING = ".restoring"
_STALE_PARTIAL = dt.timedelta(hours=1)
_LOCK_GRACE = dt.timedelta(seconds=5)
_SIDECARS = ("-wal", "-shm", "-journal")

_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


class BackupError(LibraryError):
    """A backup could not be made or a restore could not be done; ``str(exc)`` says why."""


Backup = tuple[Path, dt.datetime]


# --- names and places -----------------------------------------------------------------------------

def _utc(when: dt.datetime | None) -> dt.datetime:
    if when is None:
        return dt.datetime.now(dt.timezone.utc)
    if when.tzinfo is None:  # a naive time is taken as UTC
        return when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def stamp(when: dt.datetime) -> str:
    return _utc(when).strftime(_STAMP)


def backup_folder(library_path: str | os.PathLike) -> Path:
    """The default backup folder of a library: ``backups/`` beside it."""
    return Path(library_path).parent / BACKUP_FOLDER


def backup_name(library_path: str | os.PathLike, when: dt.datetime) -> str:
    return f"{Path(library_path).name}.{stamp(when)}{SUFFIX}"


def _pattern(library_path: Path) -> re.Pattern:
    return re.compile(re.escape(library_path.name) + r"\.(" + _STAMP_RE + ")" + re.escape(SUFFIX) + "$")


def list_backups(library_path: str | os.PathLike, folder: str | os.PathLike | None = None) -> list[Backup]:
    """The backups of a library in ``folder`` (default: its backup folder), newest first."""
    library_path = Path(library_path)
    folder = Path(folder) if folder is not None else backup_folder(library_path)
    pat = _pattern(library_path)
    out: list[Backup] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    for name in names:
        m = pat.match(name)
        if m:
            when = dt.datetime.strptime(m.group(1), _STAMP).replace(tzinfo=dt.timezone.utc)
            out.append((folder / name, when))
    out.sort(key=lambda b: (b[1], b[0].name), reverse=True)
    return out


def _ensure_folder(folder: Path) -> None:
    old = os.umask(0o077)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, f"the backup folder {folder} cannot be created") from None
    finally:
        os.umask(old)
    with contextlib.suppress(OSError):  # owner only, also when the folder was there before
        if stat.S_IMODE(folder.stat().st_mode) & 0o077 and folder.name == BACKUP_FOLDER:
            os.chmod(folder, 0o700)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _os_error(exc: OSError, what: str) -> LibraryError:
    if exc.errno in _FULL_ERRNOS:
        return StorageFull(f"{what}: the disk is full ({exc.strerror}). Nothing else was changed.")
    return BackupError(f"{what}: {exc.strerror or exc}. Nothing else was changed.")


def _sqlite_error(exc: sqlite3.Error, what: str) -> LibraryError:
    msg = str(exc).lower()
    if "full" in msg or "disk i/o" in msg:
        return StorageFull(f"{what}: the disk is full or failing ({exc}). Nothing else was changed.")
    return BackupError(f"{what}: {exc}. Nothing else was changed.")


def _unlink(path: Path) -> None:
    for p in (path, *(Path(str(path) + s) for s in _SIDECARS)):
        with contextlib.suppress(OSError):
            p.unlink()


# --- making a backup --------------------------------------------------------------------------------

def _copy_into(src: sqlite3.Connection, target: Path, journal_mode: str) -> None:
    """Copy the database of ``src`` into the (new, empty) file ``target`` with the backup API."""
    dst = sqlite3.connect(str(target), isolation_level=None)
    try:
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode = {journal_mode}")
    finally:
        dst.close()


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


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open temporary file without waiting; False when a live process
    holds it (a backup or restore being written right now) or locks are not available."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _abandoned(p: Path, now: dt.datetime) -> bool:
    """Whether a temporary file was left by a backup or restore that died: nobody holds its lock (a
    live one holds it from its first second on); without advisory locks, older than _STALE_PARTIAL."""
    st = p.stat()
    age = now - dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc)
    try:
        import fcntl  # noqa: F401
    except ImportError:  # no advisory locks (Windows): judge by age alone
        return age > _STALE_PARTIAL
    if dt.timedelta(0) <= age < _LOCK_GRACE:  # just made: its writer may not have taken the lock yet
        return False
    fd = os.open(p, os.O_RDONLY)
    try:
        return _try_lock(fd)  # a live writer holds it, whatever the file's age
    finally:
        os.close(fd)


def clean_leftovers(library_path: str | os.PathLike, folder: str | os.PathLike | None = None,
                    now: dt.datetime | None = None) -> list[Path]:
    """Delete the temporary files of backups and restores of this library that were killed midway
    (``.<name>.*.partial`` in the backup folder, ``.<name>.*.restoring`` beside the library), which
    can be as large as the library. Called at every backup, at every restore and when a library is
    opened; a file a live process is still writing (it holds a lock on it) is left alone. Returns
    what was deleted."""
    library_path = Path(library_path)
    now = _utc(now) if now is not None else dt.datetime.now(dt.timezone.utc)
    prefix = f".{library_path.name}."
    places = [(Path(folder) if folder is not None else backup_folder(library_path), _PARTIAL),
              (library_path.parent, _RESTORING)]
    deleted = []
    for place, suffix in places:
        with contextlib.suppress(OSError):
            for name in os.listdir(place):
                if name.startswith(prefix) and name.endswith(suffix):
                    p = place / name
                    if _restore_marker(library_path).exists() and suffix == _RESTORING:
                        continue  # an interrupted restore: finish_restore decides about it
                    with contextlib.suppress(OSError):
                        if _abandoned(p, now):
                            _unlink(p)
                            deleted.append(p)
    return deleted


# --- finding a good backup --------------------------------------------------------------------------

def check_backup(path: str | os.PathLike) -> integrity.FileReport:
    """The full integrity check of a backup file (read-only: the file is never changed)."""
    return integrity.inspect(path, quick=False)


def newest_good_backup(library_path: str | os.PathLike, folder: str | os.PathLike | None = None) -> Path | None:
    """The newest backup of the library that passes the full integrity check, or None."""
    for p, _ in list_backups(library_path, folder):
        if check_backup(p).ok:
            return p
    return None


def restore_hint(library_path: str | os.PathLike, command: str = "casebook restore") -> str:
    """A sentence for the user naming the newest good backup and how to restore it."""
    library_path = Path(library_path)
    good = newest_good_backup(library_path)
    if good is None:
        found = list_backups(library_path)
        if found:
            return f"None of the {len(found)} backups in {backup_folder(library_path)} passes the integrity check."
        return f"There is no backup of it in {backup_folder(library_path)}."
    when = dict(list_backups(library_path))[good]
    return (f"The newest good backup is {good} (made {when:%Y-%m-%d %H:%M} UTC); restore it with: "
            f"{command} {shlex.quote(str(good))}")


# --- restore ------------------------------------------------------------------------------------

def restore(backup_path: str | os.PathLike, library_path: str | os.PathLike,
            now: dt.datetime | None = None) -> Path | None:
    """Put a backup in place of the library. Returns where the previous library file was kept
    (``<name>.before-restore-<UTC time>``), or None when there was none.

    Refuses (:class:`InUse`) while another process has the library open for writing, and refuses a
    backup that is not a sound library this Casebook can read. The previous file is renamed, never
    written to."""
    backup_path = Path(backup_path)
    library_path = Path(library_path)
    now = _utc(now)
    if library_path.exists() and backup_path.exists() and os.path.samefile(backup_path, library_path):
        raise BackupError(f"{backup_path} is the library itself; give a backup file")
    report = check_backup(backup_path)
    if not report.ok:
        msg = f"{backup_path} cannot be restored: {report.message()}"
        if report.damaged:
            raise Damaged(msg)
        if report.newer:
            raise NewerVersion(msg)
        if report.kind == integrity.MISSING:
            raise BackupError(msg)
        raise NotALibrary(msg)
    folder = library_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, f"{folder} cannot be created") from None
    lock_fd = _lock(library_path)
    if lock_fd is None:
        raise InUse(f"{library_path} is open in another Casebook window or process; close it there, "
                    "then restore again. Nothing was changed.")
    what = f"{backup_path} could not be restored to {library_path}"
    try:
        finish_restore(library_path, locked=True)  # one killed midway: settle it before starting another
    except BaseException:
        os.close(lock_fd)
        raise
    with contextlib.suppress(OSError):
        clean_leftovers(library_path)
    old = os.umask(0o077)
    try:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{library_path.name}.", suffix=_RESTORING, dir=folder)
        except OSError as exc:
            raise _os_error(exc, what) from None
        _try_lock(fd)  # held until the end: tells clean_leftovers in another process it is alive
        tmp = Path(name)
        try:
            src = integrity.connect_read_only(backup_path)
            try:
                _copy_into(src, tmp, "DELETE")
            except sqlite3.Error as exc:
                raise _sqlite_error(exc, what) from None
            finally:
                src.close()
            copied = integrity.inspect(tmp, quick=False)
            if not copied.ok:
                raise BackupError(f"{what}: the copy failed its integrity check "
                                  f"({copied.summary() or copied.message()})")
            try:
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
                os.chmod(tmp, 0o600)
                aside = None
                if library_path.exists():
                    aside = library_path.with_name(f"{library_path.name}.before-restore-{stamp(now)}")
                _write_marker(library_path, tmp, aside)
                _swap_in(library_path, tmp, aside)
            except OSError as exc:
                _roll_back(library_path)
                raise _os_error(exc, what) from None
            _fsync_dir(folder)
        except BaseException:
            _unlink(tmp)
            raise
    finally:
        os.umask(old)
        os.close(lock_fd)
        with contextlib.suppress(NameError, OSError):
            os.close(fd)
    return aside


# --- restore in steps that can each be interrupted ---------------------------------------------------
#
# At no moment is there no library at the library's path: the previous file is hard-linked (or, where
# the file system has no links, copied) to its set-aside name while it stays in place, and the checked
# copy of the backup replaces it with one atomic rename. A marker file beside the library names the
# copy and the set-aside name from before the first step until after the last; a restore killed midway
# is finished by :func:`finish_restore`, which open_library, backup and restore call.

def _restore_marker(library_path: Path) -> Path:
    return library_path.with_name(f".{library_path.name}.restore-pending")


def restore_in_progress(library_path: str | os.PathLike) -> bool:
    """Whether a restore of this library was interrupted and not yet finished: a caller must never
    create a new library at this path then, but finish the restore (:func:`finish_restore`)."""
    return _restore_marker(Path(library_path)).exists()


def set_aside_libraries(library_path: str | os.PathLike) -> list[Path]:
    """The files a restore set aside (``<name>.before-restore-<time>``), oldest first: where a library
    path has no file but one of these, the library was restored away, not lost."""
    library_path = Path(library_path)
    prefix = f"{library_path.name}.before-restore-"
    with contextlib.suppress(OSError):
        return sorted(library_path.parent / n for n in os.listdir(library_path.parent)
                      if n.startswith(prefix) and not n.endswith(_SIDECARS))
    return []


def _write_marker(library_path: Path, copy: Path, aside: Path | None) -> None:
    import json
    marker = _restore_marker(library_path)
    tmp = marker.with_name(marker.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"copy": copy.name, "aside": aside.name if aside else None}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, marker)
    _fsync_dir(library_path.parent)


def _read_marker(library_path: Path) -> tuple[Path | None, Path | None]:
    import json
    try:
        data = json.loads(_restore_marker(library_path).read_text(encoding="utf-8"))
        folder = library_path.parent
        copy = folder / Path(data["copy"]).name
        aside = folder / Path(data["aside"]).name if data.get("aside") else None
        return copy, aside
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def _link_or_copy(src: Path, dst: Path) -> None:
    if dst.exists():
        return
    try:
        os.link(src, dst)
    except OSError:
        import shutil
        tmp = dst.with_name(dst.name + ".copying")
        shutil.copyfile(src, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, dst)


def _swap_in(library_path: Path, copy: Path, aside: Path | None) -> None:
    """The steps after the marker; each may be repeated (finish_restore runs them again)."""
    folder = library_path.parent
    if aside is not None and library_path.exists():
        # keep the previous file (and its write-ahead log, which belongs to it) under the set-aside
        # name while it stays in place, then take the log away from the path the copy goes to
        for s in ("", *_SIDECARS):
            side = Path(str(library_path) + s)
            if side.exists():
                _link_or_copy(side, Path(str(aside) + s))
        _fsync_dir(folder)
        for s in _SIDECARS:
            _unlink(Path(str(library_path) + s))
    os.replace(copy, library_path)
    _fsync_dir(folder)
    _restore_marker(library_path).unlink()
    _fsync_dir(folder)


def _roll_back(library_path: Path) -> None:
    """Undo an unfinished restore: the copy goes, the previous file's log comes back beside it."""
    copy, aside = _read_marker(library_path)
    if aside is not None and library_path.exists():
        for s in _SIDECARS:
            side, kept = Path(str(library_path) + s), Path(str(aside) + s)
            if kept.exists() and not side.exists():
                with contextlib.suppress(OSError):
                    os.link(kept, side)
    if copy is not None:
        _unlink(copy)
    with contextlib.suppress(OSError):
        _restore_marker(library_path).unlink()


def finish_restore(library_path: str | os.PathLike, *, locked: bool = False) -> str | None:
    """Settle a restore of ``library_path`` that was killed midway, if any: finish it when its checked
    copy is still there, else leave the library as it is. Returns a sentence for the user saying
    what was done, or None when there was nothing to do. Raises :class:`InUse` while another process
    has the library open for writing."""
    library_path = Path(library_path)
    marker = _restore_marker(library_path)
    if not marker.exists():
        return None
    if not locked:
        lock_fd = _lock(library_path)
        if lock_fd is None:
            raise InUse(f"{library_path} is open in another Casebook window or process; an interrupted "
                        "restore waits until it is closed")
        try:
            return finish_restore(library_path, locked=True)
        finally:
            os.close(lock_fd)
    copy, aside = _read_marker(library_path)
    if copy is None:  # a marker cut short: its restore never got past writing it
        with contextlib.suppress(OSError):
            marker.unlink()
        return None
    if copy.exists():
        report = integrity.inspect(copy, quick=False)
        if report.ok:
            _swap_in(library_path, copy, aside)
            kept = f"; the previous library is kept as {aside}" if aside is not None and aside.exists() else ""
            return f"an interrupted restore of {library_path} was finished{kept}"
        _roll_back(library_path)
        return f"an interrupted restore of {library_path} was undone (its copy was not sound); the library is as it was"
    # the copy is already in place: only the marker was left
    with contextlib.suppress(OSError):
        marker.unlink()
    return None
