"""Opening, creating and upgrading a library file: the checks before a file is trusted, the lock that
keeps a second process to reading, the connection, and the schema and case-document upgrades."""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from ..codec import InvalidCase, UnknownField, from_plain, to_compact
from ..upgrade import DOC_VERSION, TooNew, changes_document
from ..upgrade import upgrade as upgrade_document
from ..model import LIST_PARTS, SINGLE_PARTS, Case
from . import schema
from .errors import Damaged, LibraryError, NewerVersion, NotALibrary, _translate

if TYPE_CHECKING:
    from .library import Library

SQLITE_MAGIC = b"SQLite format 3\x00"


def _lock(path: Path) -> int | None:
    """An advisory lock beside the library so that a second process opens it read-only instead of
    writing to it concurrently. Returns the lock's fd, or None when another process holds it."""
    lock_path = Path(str(path) + "-lock")
    old = os.umask(0o077)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    finally:
        os.umask(old)
    try:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # Windows: msvcrt locks a byte range instead
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            return None
    except OSError:
        os.close(fd)
        return None
    return fd


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if read_only:
        from .integrity import read_only_uri  # immutable on a read-only folder or mount (issue 13)
        conn = sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False, timeout=5)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=5)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def create_library(path: str | os.PathLike) -> Library:
    """Create a new, empty library file readable by its owner only."""
    path = Path(path)
    if path.exists():
        raise LibraryError(f"{path} already exists; open it instead")
    path.parent.mkdir(parents=True, exist_ok=True)
    old = os.umask(0o077)  # the file, its -wal and -shm: owner only, from the first byte
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        conn = _connect(path, read_only=False)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
        except sqlite3.Error:
            conn.close()
            path.unlink(missing_ok=True)
            raise
        conn.close()
    finally:
        os.umask(old)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return open_library(path)


def open_library(path: str | os.PathLike, *, read_only: bool = False, check: bool = False,
                 whole_file: bool = False) -> Library:
    """Open an existing library, upgrading its schema when it is older.

    Raises a :class:`LibraryError` subclass with a message for the user when the file is missing,
    not a library, damaged, or written by a newer Casebook. When another process has it open for
    writing, or the file cannot be written, it opens read-only and says why in ``Library.notice``.
    A library too old to read without its upgrade is refused when it must stay read-only, unless
    ``whole_file`` (a backup copies the file as it is, without reading its cases).
    """
    path = Path(path)
    settled = None
    with contextlib.suppress(OSError, LibraryError):  # a restore or backup killed midway (issue 13)
        from .backup import clean_leftovers, finish_restore
        settled = finish_restore(path)
        clean_leftovers(path)
    if not path.exists():
        raise LibraryError(f"{path} does not exist")
    if path.is_dir():
        raise NotALibrary(f"{path} is a folder, not a Casebook library")
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise LibraryError(f"{path} cannot be read: {exc.strerror}") from None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise NotALibrary(f"{path} is not a Casebook library (it is {'empty' if not head else 'not an SQLite file'})")
    app_id = int.from_bytes(head[68:72], "big")
    if app_id != schema.APPLICATION_ID:
        raise NotALibrary(f"{path} is an SQLite file but not a Casebook library")

    if check:
        # Judge the file on a read-only connection first: a read-write connection checkpoints the
        # write-ahead log into the main file when it closes, and a damaged file is never written to.
        # (It also catches a file cut short, which SQLite's quick_check alone may not notice.)
        from .integrity import inspect
        report = inspect(path, quick=True)
        if report.damaged:
            raise Damaged(f"{path} is damaged ({report.summary()}); it was not changed. "
                          "Restore the newest backup.")
        if report.newer:
            raise NewerVersion(report.message())

    notice = ""
    lock_fd = None
    if not read_only:
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        if not writable or not os.stat(path).st_mode & stat.S_IWUSR:  # also when root ignores the mode
            read_only, notice = True, f"{path} is read-only for you: it is open for reading; edits are disabled"
            from .integrity import cannot_write_beside
            if cannot_write_beside(path):
                notice = (f"{path} is in a read-only folder or on a read-only mount: it is open for reading "
                          "(edits are disabled); back it up elsewhere with backup --to")
        else:
            lock_fd = _lock(path)
            if lock_fd is None:
                read_only = True
                notice = (f"{path} is open in another Casebook window or process: it is open here for "
                          "reading only, so the two can never overwrite each other")
    try:
        conn = _connect(path, read_only)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        if lock_fd is not None:
            os.close(lock_fd)
        raise Damaged(f"{path} cannot be opened as a library ({exc}); it was not changed") from None
    from .library import Library  # not at the top: library.py re-exports this module's names
    lib = Library(path, conn, read_only, lock_fd, "; ".join(filter(None, [settled, notice])))
    lib.upgrade_notes = []  # filled below when an upgrade ran
    try:
        if version > schema.LATEST:
            raise NewerVersion(
                f"{path} was written by a newer Casebook (library version {version}; this Casebook "
                f"reads up to {schema.LATEST}). Update Casebook to open it; the file was not changed.")
        if version < schema.LATEST:
            if not read_only:
                _migrate(lib, version)
                # what to tell the user once about the upgrade (schema.NOTES), e.g. that older backups
                # still hold photos with their metadata
                if version >= 1:  # an existing library was upgraded (a new one, version 0, was just made)
                    lib.upgrade_notes = [schema.NOTES[v] for v in range(version + 1, schema.LATEST + 1)
                                         if v in schema.NOTES]
            elif version < schema.READABLE_FROM and not whole_file:  # else the tables are the same: it waits
                raise LibraryError(f"{path} needs an upgrade to library version {schema.LATEST}, "
                                   "but it is open read-only; nothing was changed")
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
    except LibraryError:
        lib.close()
        raise
    except sqlite3.DatabaseError as exc:
        lib.close()
        raise _translate(exc, path) from None
    return lib


def _migrate(lib: Library, version: int) -> None:
    """Every schema step from ``version`` on, then the upgrade of the stored case documents, in one
    transaction: a failure anywhere leaves the file exactly as it was (calibre's way)."""
    try:
        with lib._write():
            for step in range(version, schema.LATEST):
                schema.MIGRATIONS[step](lib.db)
            upgrade_documents(lib.conn)
            lib.conn.execute(f"PRAGMA user_version = {schema.LATEST}")
    except (UnknownField, InvalidCase, TooNew, ValueError) as exc:
        raise LibraryError(f"{lib.path} could not be upgraded to library version {schema.LATEST}: {exc}. "
                           "The file was not changed.") from None


# The key of the figure list in a case document, by document version ("media" until version 2).
_IMAGES_KEY = {1: "media"}


def upgrade_documents(conn: sqlite3.Connection) -> int:
    """Bring every stored case document older than DOC_VERSION up to it (desktop/upgrade.py), inside
    the caller's transaction. Each rewritten document is checked against today's model before it is
    written, so a step that leaves a key the model does not know stops the whole upgrade; a document
    whose steps change nothing in it (desktop.upgrade.changes_document) only has its version set.
    Returns how many cases were upgraded."""
    rows = conn.execute("SELECT id, doc_version FROM cases WHERE doc_version < ?", (DOC_VERSION,)).fetchall()
    # documents whose upgrade changes nothing in them (a field added that they do not use) keep their
    # rows as they are: only their version is set
    conn.executemany("UPDATE cases SET doc_version = ? WHERE id = ?",
                     [(DOC_VERSION, case_id) for case_id, version in rows if not changes_document(version)])
    for case_id, version in rows:
        if changes_document(version):
            (data,) = conn.execute("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()
            _rewrite_case(conn, upgraded_case(conn, case_id, version, data))
    return len(rows)


def upgraded_case(conn: sqlite3.Connection, case_id: str, version: int, data: str, *,
                  figures: bool = False) -> Case:
    """A case stored as an older document version, read and brought up to today's model (figures
    with their bytes only when asked). Also how a library open read-only, whose documents cannot be
    upgraded in the file, is read."""
    doc = json.loads(data)
    for part, item_id, pdata in conn.execute(
            "SELECT part, id, data FROM parts WHERE case_id = ? ORDER BY part, position", (case_id,)):
        if item_id == "":
            doc[part] = json.loads(pdata)
        else:
            doc.setdefault(part, []).append(json.loads(pdata))
    ident = conn.execute("SELECT data FROM identifiers WHERE case_id = ?", (case_id,)).fetchone()
    if ident is not None:
        doc["identifiers"] = json.loads(ident[0])
    images_key = _IMAGES_KEY.get(version, "figures")
    doc[images_key] = [json.loads(m) for (m,) in conn.execute(
        "SELECT meta FROM figures WHERE case_id = ? ORDER BY position", (case_id,))]
    doc = upgrade_document(doc, version)
    doc.pop("id", None)
    case = from_plain(Case, {"id": case_id, **doc})  # today's model, every key known
    for m in case.figures if figures else ():
        m.data = conn.execute("SELECT bytes FROM figures WHERE case_id = ? AND id = ?", (case_id, m.id)).fetchone()[0]
    return case


def _rewrite_case(conn: sqlite3.Connection, case: Case) -> None:
    """Write an upgraded case's rows back (images keep their bytes and order)."""
    from .library import Library, _dumps  # not at the top: library.py re-exports this module's names
    cid = case.id
    conn.execute("UPDATE cases SET data = ?, doc_version = ? WHERE id = ?",
                 (_dumps(Library._case_fields(case)), DOC_VERSION, cid))
    conn.execute("DELETE FROM parts WHERE case_id = ?", (cid,))
    for name in SINGLE_PARTS:
        conn.execute("INSERT INTO parts(case_id, part, id, position, data) VALUES (?,?,?,?,?)",
                     (cid, name, "", 0.0, _dumps(to_compact(getattr(case, name)))))
    for name in LIST_PARTS:
        for pos, item in enumerate(getattr(case, name)):
            conn.execute("INSERT INTO parts(case_id, part, id, position, data) VALUES (?,?,?,?,?)",
                         (cid, name, item.id, float(pos), _dumps(to_compact(item))))
    conn.execute("INSERT OR REPLACE INTO identifiers(case_id, data) VALUES (?,?)",
                 (cid, _dumps(to_compact(case.identifiers))))
    for m in case.figures:
        conn.execute("UPDATE figures SET meta = ? WHERE case_id = ? AND id = ?",
                     (_dumps(Library._figure_meta(m)), cid, m.id))
