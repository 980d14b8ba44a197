"""Putting a backup back in place of a library, in steps that can each be interrupted.

Restore (:func:`restore`) refuses while another process has the library open for writing, copies the
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
from pathlib import Path

from . import integrity
from .backup_files import (_RESTORING, _SIDECARS, BackupError, _copy_into, _fsync_dir, _os_error, _restore_marker,
                           _sqlite_error, _try_lock, _unlink, _utc, check_backup, clean_leftovers, stamp)
from .errors import Damaged, InUse, NewerVersion, NotALibrary
from .opening import _lock


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
