"""Looking at a library file without changing it: is it a Casebook library, which version, is it sound.

Everything here reads through a read-only SQLite connection (``mode=ro``): a read-only connection
never writes the main file, not even a checkpoint of its write-ahead log on close, so a damaged or
newer library is left byte for byte as it was. ``casebook check``, the backups and ``restore`` use it,
and :func:`desktop.store.library.open_library` asks it first when told to check a library.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from . import schema

SQLITE_MAGIC = b"SQLite format 3\x00"

# what a file is
LIBRARY = "library"  # a Casebook library (maybe damaged or newer: see the report's other fields)
MISSING = "missing"
FOLDER = "folder"
UNREADABLE = "unreadable"
EMPTY = "empty"
NOT_SQLITE = "not-sqlite"
NOT_CASEBOOK = "not-casebook"  # an SQLite file of another program


@dataclass(frozen=True)
class FileReport:
    """What the integrity check found in one file (a library or a backup)."""
    path: Path
    kind: str
    size: int = 0
    version: int | None = None  # PRAGMA user_version of a library
    problems: list[str] = field(default_factory=list)  # what the integrity check found
    cases: int | None = None  # how many cases, when the file could be read
    quick: bool = True  # whether the problems come from quick_check rather than integrity_check

    @property
    def newer(self) -> bool:
        return self.version is not None and self.version > schema.LATEST

    @property
    def ok(self) -> bool:
        """A sound library this Casebook can read."""
        return self.kind == LIBRARY and not self.problems and not self.newer

    @property
    def damaged(self) -> bool:
        return self.kind == LIBRARY and bool(self.problems)

    def summary(self) -> str:
        """The problems found, shortened to one line."""
        shown = "; ".join(self.problems[:2])
        more = len(self.problems) - 2
        return shown + (f"; and {more} more problem{'s' if more != 1 else ''}" if more > 0 else "")

    def message(self) -> str:
        """One paragraph for the user: what the file is and what is wrong with it, if anything."""
        p = self.path
        if self.kind == MISSING:
            return f"{p} does not exist"
        if self.kind == FOLDER:
            return f"{p} is a folder, not a Casebook library"
        if self.kind == UNREADABLE:
            return f"{p} cannot be read ({'; '.join(self.problems)})"
        if self.kind == EMPTY:
            return f"{p} is not a Casebook library: it is empty (0 bytes)"
        if self.kind == NOT_SQLITE:
            return f"{p} is not a Casebook library (it is not an SQLite file)"
        if self.kind == NOT_CASEBOOK:
            return f"{p} is an SQLite file but not a Casebook library"
        if self.problems:
            return f"{p} is damaged ({self.summary()}); it was not changed."
        if self.newer:
            return (f"{p} was written by a newer Casebook (library version {self.version}; this Casebook "
                    f"reads up to {schema.LATEST}). Update Casebook to open it; the file was not changed.")
        return f"{p} is a sound Casebook library (version {self.version}, {self.cases} case{'s' if self.cases != 1 else ''})"


def cannot_write_beside(path: Path) -> bool:
    """Whether nothing can be created next to ``path``: a read-only folder or a read-only mount
    (where even root cannot), so SQLite could not make its -shm/-wal files there."""
    folder = Path(path).resolve().parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):  # no statvfs (Windows)
        pass
    return not os.access(folder, os.W_OK)


def read_only_uri(path: Path) -> str:
    """The URI that opens ``path`` for reading only. In a folder or on a mount nothing can be written
    to, and with no write-ahead log beside the file, SQLite is told the file is ``immutable``: it then
    reads it without the -shm/-wal files it could not create (and would fail for: "unable to open
    database file"). Nobody can be writing to such a file, since a writer needs those files too."""
    path = Path(path)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if cannot_write_beside(path) and not Path(str(path) + "-wal").exists():
        uri += "&immutable=1"
    return uri


def connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False,
                           timeout=5)


def inspect(path: str | Path, *, quick: bool = False) -> FileReport:
    """What ``path`` is and whether it is sound. ``quick`` runs ``PRAGMA quick_check`` (no index
    cross-checks: several times faster) instead of the full ``PRAGMA integrity_check``."""
    path = Path(path)
    if not path.exists():
        return FileReport(path, MISSING)
    if path.is_dir():
        return FileReport(path, FOLDER)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        return FileReport(path, UNREADABLE, problems=[exc.strerror or str(exc)])
    if not head:
        return FileReport(path, EMPTY, size)
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return FileReport(path, NOT_SQLITE, size)
    if int.from_bytes(head[68:72], "big") != schema.APPLICATION_ID:
        return FileReport(path, NOT_CASEBOOK, size)
    version: int | None = None
    cases: int | None = None
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        return FileReport(path, LIBRARY, size, problems=[f"cannot be opened: {exc}"], quick=quick)
    try:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
            msgs = [str(r[0]) for r in rows]
            problems = [] if msgs == ["ok"] else [
                line.strip() for m in msgs for line in m.splitlines() if line.strip() and not line.startswith("***")]
        except sqlite3.Error as exc:
            problems = [str(exc)]
        problems = _size_problems(path, head, size) + problems
        if not problems and version is not None and 1 <= version <= schema.LATEST:
            try:
                cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
            except sqlite3.Error as exc:  # sound pages, but not the tables a library has
                problems = [f"the cases table cannot be read ({exc})"]
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
    return FileReport(path, LIBRARY, size, version, problems, cases, quick)


def _size_problems(path: Path, head: bytes, size: int) -> list[str]:
    """A file cut short: SQLite reads missing pages as zeros and may not notice, so look at the
    size. A database file is always a whole number of pages, and without a write-ahead log still to
    apply it holds at least as many pages as its header says (when that count is valid)."""
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return [f"the header gives an impossible page size ({page_size})"]
    if size % page_size:
        return [f"the file ends in the middle of a page ({size} bytes is not a whole number of "
                f"{page_size}-byte pages): it was cut short"]
    pages = int.from_bytes(head[28:32], "big")
    count_valid = pages > 0 and head[24:28] == head[92:96]
    try:
        wal = Path(str(path) + "-wal").stat().st_size
    except OSError:
        wal = 0
    if count_valid and not wal and size < pages * page_size:
        return [f"the file holds {size // page_size} of its {pages} pages: it was cut short"]
    return []


def size_problems(path: str | Path) -> list[str]:
    """:func:`_size_problems` for a file on disk (empty when it cannot be read: others report that)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError:
        return []
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return []
    return _size_problems(path, head, size)
