"""Settings of a library as a whole (not of one case): a few keys a user chooses once per library,
such as the units its laboratories report in. One row per key in the ``settings`` table (schema
version 5); a library too old to have the table (read-only, not upgraded) has no settings."""
from __future__ import annotations

import sqlite3

from .errors import _translate
from .library import Library


def get_setting(lib: Library, key: str) -> str | None:
    """The value stored for ``key``, or None when it was never set."""
    try:
        row = lib.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None  # a version-4 library opened read-only: nothing was ever chosen here
        raise _translate(exc, lib.path) from None
    return row[0] if row else None


def put_setting(lib: Library, key: str, value: str) -> None:
    """Store ``value`` for ``key`` (one transaction). Raises ReadOnlyLibrary on a read-only library."""
    with lib._write() as c:
        c.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  (key, value))
