"""What can go wrong with a library, each as an exception whose text is a message for the user, and
how a database error becomes one of them."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class LibraryError(Exception):
    """The library cannot be used as asked. ``str(exc)`` is a message for the user."""


class NotALibrary(LibraryError):
    pass


class NewerVersion(LibraryError):
    pass


class Damaged(LibraryError):
    pass


class InUse(LibraryError):
    pass


class ReadOnlyLibrary(LibraryError):
    pass


class StorageFull(LibraryError):
    pass


class NoSuchCase(LibraryError):
    pass


def _translate(exc: sqlite3.Error, path: Path) -> LibraryError:
    msg = str(exc).lower()
    if "locked" in msg or "busy" in msg:
        return InUse(f"{path} is busy: another Casebook is writing to it. Try again in a moment.")
    if "readonly" in msg or "read-only" in msg:
        return ReadOnlyLibrary(f"{path} cannot be written (read-only file or folder); nothing was changed")
    if "full" in msg or "disk i/o" in msg:
        return StorageFull(f"the disk holding {path} is full or failing; the last edit was not saved, "
                           "everything saved before it is safe")
    if "malformed" in msg or "not a database" in msg or "corrupt" in msg:
        return Damaged(f"{path} is damaged ({exc}); it was not changed. Restore the newest backup.")
    return LibraryError(f"{path}: {exc}")


def translate_error(exc: BaseException, path: str | os.PathLike) -> LibraryError | None:
    """A database error that escaped a read (e.g. a damaged page met in a library opened without a
    check) as a :class:`LibraryError` for the user; None for any other exception."""
    if not isinstance(exc, sqlite3.Error):
        return None
    err = _translate(exc, Path(path))
    if not isinstance(err, (Damaged, StorageFull, InUse)):
        from .integrity import inspect  # an odd error from a damaged file: say that it is damaged
        report = inspect(path, quick=True)
        if report.damaged:
            return Damaged(f"{path} is damaged ({report.summary()}); it was not changed. Restore the newest backup.")
    return err
