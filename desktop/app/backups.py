"""Backup and restore: the same steps for the window (on a worker) and the command line."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..store import backup as store_backup
from ..store.library import open_library


def backup_now(library_path: str | os.PathLike, to: str | os.PathLike | None = None,
               now: dt.datetime | None = None) -> Path:
    """Back up the library through a read-only connection of its own (so also while a window has it
    open); the automatic folder beside the library is then thinned to recent, daily, weekly and
    monthly copies, a folder of the user's own is left as it is. Returns the backup's path."""
    with open_library(library_path, read_only=True, whole_file=True) as ro:
        made = store_backup.backup(ro, Path(to) if to else None, now=now)
    if not to:
        store_backup.prune(library_path, now)
    return made


def find_backup(library_path: str | os.PathLike, name: str | os.PathLike) -> Path | None:
    """A backup by path, or by bare file name in the library's backup folder; None if neither."""
    source = Path(name)
    if source.exists():
        return source
    candidate = store_backup.backup_folder(library_path) / source.name
    return candidate if candidate.exists() else None


def restore(backup_path: str | os.PathLike, library_path: str | os.PathLike) -> Path | None:
    """Replace the library with a checked backup; the current file is kept aside (returned)."""
    return store_backup.restore(backup_path, library_path)


list_backups = store_backup.list_backups
restore_hint = store_backup.restore_hint
