"""The files of backups and restores: names, places, listing, the checks a backup must pass, and
the cleaning up after a backup or restore that was killed midway. :mod:`desktop.store.backup`
makes and thins backups and :mod:`desktop.store.restore` puts one back; both build on this.
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
from pathlib import Path

from . import integrity
from .errors import LibraryError, StorageFull

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


def _copy_into(src: sqlite3.Connection, target: Path, journal_mode: str) -> None:
    """Copy the database of ``src`` into the (new, empty) file ``target`` with the backup API."""
    dst = sqlite3.connect(str(target), isolation_level=None)
    try:
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode = {journal_mode}")
    finally:
        dst.close()


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


def _restore_marker(library_path: Path) -> Path:
    """The file that says a restore of this library is under way (see :mod:`desktop.store.restore`)."""
    return library_path.with_name(f".{library_path.name}.restore-pending")
