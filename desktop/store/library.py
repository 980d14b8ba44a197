"""The case library: one SQLite file holding many cases, images included.

Every edit is its own committed transaction (WAL, ``synchronous=FULL``): when a method returns, the
edit is on disk, so a process killed at any moment loses nothing that was acknowledged. Every change
appends to the audit table, which the database itself keeps append-only.

Here: the :class:`Library` (reading, writing whole cases, change sets). Opening, creating and
upgrading a file are in :mod:`.opening`, the errors in :mod:`.errors`, the audit's entries and diffs
in :mod:`.audit`; their public names stay importable from here.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from .. import catalogue
from ..codec import UnknownField, from_trusted, to_compact, to_plain
from ..upgrade import DOC_VERSION
from ..model import CASE_FIELDS, LIST_PARTS, SINGLE_PARTS, Case, Identifiers, Figure
from . import changes as changes_mod
from .audit import AuditEntry, _full, _user, diff
from .changes import Change
from .errors import (Damaged, InUse, LibraryError, NewerVersion, NoSuchCase, NotALibrary,  # noqa: F401
                     ReadOnlyLibrary, StorageFull, _translate, translate_error)
from .rows import CaseSummary, TrashedCase  # noqa: F401 (their public home stays here)
from .opening import (SQLITE_MAGIC, _connect, create_library, open_library, upgrade_documents,  # noqa: F401
                      upgraded_case)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class Library:
    """An open case library. Use :func:`open_library` or :func:`create_library`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool, lock_fd: int | None,
                 notice: str = ""):
        self.path = path
        self.conn = conn
        self.read_only = read_only
        self.notice = notice  # why the library is read-only, for the user
        self._lock_fd = lock_fd
        self._db: Any = None  # sqlite_utils.Database, made on first use
        self.changes = 0  # edits since open (backups run only when something changed)

    @property
    def db(self) -> Any:  # sqlite_utils on this connection, for migrations: not imported at start-up
        if self._db is None:
            import sqlite_utils
            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # --- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                if not self.read_only:
                    self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.close()
            self.conn = None  # type: ignore[assignment]
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def integrity_check(self, quick: bool = True) -> list[str]:
        """Problems SQLite finds in the file; empty when it is sound."""
        rows = self.conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
        msgs = [r[0] for r in rows]
        return [] if msgs == ["ok"] else msgs

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise ReadOnlyLibrary(self.notice or f"{self.path} is open read-only; nothing was changed")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self.path) from None
        try:
            yield self.conn
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise _translate(exc, self.path) from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise _translate(exc, self.path) from None
        self.changes += 1

    def _audit(self, case_id: str, entity: str, entity_id: str, field: str, old: Any, new: Any) -> None:
        self.conn.execute(
            "INSERT INTO audit(at, os_user, case_id, entity, entity_id, field, old, new) VALUES (?,?,?,?,?,?,?,?)",
            (_now(), _user(), case_id, entity, entity_id, field,
             None if old is None else _dumps(old), None if new is None else _dumps(new)),
        )

    def _audit_diff(self, case_id: str, entity: str, entity_id: str, old: Any, new: Any) -> None:
        for field, a, b in diff(old, new):
            self._audit(case_id, entity, entity_id, field, a, b)

    # --- reading --------------------------------------------------------------------------------

    def list_cases(self, search: str = "") -> list[CaseSummary]:
        sql = "SELECT id, title, status, keywords, sites, outcome, updated_at FROM cases WHERE trashed_at IS NULL"
        args: tuple = ()
        if search.strip():
            like = f"%{search.strip().lower()}%"
            sql += (" AND (lower(title) LIKE ? OR lower(keywords) LIKE ? OR lower(sites) LIKE ?"
                    " OR lower(outcome) LIKE ?)")
            args = (like, like, like, like)
        sql += " ORDER BY updated_at DESC, id"
        return [CaseSummary(*row) for row in self.conn.execute(sql, args)]

    def case_ids(self, *, trashed: bool = False) -> list[str]:
        """The ids of the cases in the library (of those in the trash with ``trashed=True``)."""
        sql = "SELECT id FROM cases WHERE trashed_at IS " + ("NOT NULL" if trashed else "NULL")
        return [r[0] for r in self.conn.execute(sql + " ORDER BY created_at, id")]

    def figure_list(self) -> list[tuple[str, Figure]]:
        """Every image of the cases in the library (not the trash), without its bytes, as (case id,
        figure), case by case in the order cases were made, each case's in its own order."""
        rows = self.conn.execute("SELECT f.case_id, f.meta FROM figures f JOIN cases c ON c.id = f.case_id"
                                 " WHERE c.trashed_at IS NULL ORDER BY c.created_at, c.id, f.position")
        return [(cid, from_trusted(Figure, json.loads(meta))) for cid, meta in rows]

    def has_case(self, case_id: str) -> bool:
        """True when the case is in the library (not in the trash)."""
        return self.conn.execute("SELECT 1 FROM cases WHERE id = ? AND trashed_at IS NULL",
                                 (case_id,)).fetchone() is not None

    def case_title(self, case_id: str) -> str | None:
        """The title of a case in the library or its trash; None when there is no such case."""
        row = self.conn.execute("SELECT title FROM cases WHERE id = ?", (case_id,)).fetchone()
        return None if row is None else row[0]

    def _exists(self, case_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is not None

    def list_trash(self) -> list[TrashedCase]:
        return [TrashedCase(*r) for r in self.conn.execute(
            "SELECT id, title, trashed_at FROM cases WHERE trashed_at IS NOT NULL ORDER BY trashed_at DESC, id")]

    def load_case(self, case_id: str, *, figures: bool = True) -> Case:
        """The whole case. With ``figures=False`` figures come without their bytes (``Figure.data`` is
        None; fetch them with :meth:`media_bytes`), which keeps opening a case fast."""
        row = self.conn.execute("SELECT data, doc_version FROM cases WHERE id = ?", (case_id,)).fetchone()
        if row is None:
            raise NoSuchCase(f"there is no case {case_id!r} in {self.path}")
        if row[1] > DOC_VERSION:
            raise NewerVersion(f"case {case_id!r} in {self.path} is stored as document version {row[1]}; this "
                               f"Casebook reads up to version {DOC_VERSION}. Update Casebook; nothing was changed.")
        try:
            if row[1] < DOC_VERSION:  # a library open read-only, which could not be upgraded in the file
                return upgraded_case(self.conn, case_id, row[1], row[0], figures=figures)
            return self._load(case_id, json.loads(row[0]), figures)
        except UnknownField as exc:
            raise Damaged(f"case {case_id!r} in {self.path}: {exc}. It was written by another version of "
                          "Casebook or changed outside it; nothing was changed.") from None

    def _load(self, case_id: str, fields: dict, figures: bool) -> Case:
        # one JSON parse per part rather than per row: the rows are joined into one array first
        texts: dict[str, list[str]] = {}
        for part, data in self.conn.execute(
            "SELECT part, data FROM parts WHERE case_id = ? ORDER BY part, position", (case_id,)
        ):
            texts.setdefault(part, []).append(data)
        lists: dict[str, list] = {}
        singles: dict[str, Any] = {}
        for part, rows in texts.items():
            if part in LIST_PARTS:
                lists[part] = [from_trusted(LIST_PARTS[part], d) for d in json.loads("[" + ",".join(rows) + "]")]
            elif part in SINGLE_PARTS:
                singles[part] = from_trusted(SINGLE_PARTS[part], json.loads(rows[0]))
        ident = self.conn.execute("SELECT data FROM identifiers WHERE case_id = ?", (case_id,)).fetchone()
        figure_list = []
        sql = ("SELECT meta, bytes FROM figures WHERE case_id = ? ORDER BY position" if figures
               else "SELECT meta, NULL FROM figures WHERE case_id = ? ORDER BY position")
        for meta, blob in self.conn.execute(sql, (case_id,)):
            m = from_trusted(Figure, json.loads(meta))
            m.data = blob
            figure_list.append(m)
        case = from_trusted(Case, fields)
        case.id = case_id
        for name, items in lists.items():
            setattr(case, name, items)
        for name, obj in singles.items():
            setattr(case, name, obj)
        if ident is not None:
            case.identifiers = from_trusted(Identifiers, json.loads(ident[0]))
        case.figures = figure_list
        return case

    def figure_bytes(self, case_id: str, figure_id: str) -> bytes:
        row = self.conn.execute("SELECT bytes FROM figures WHERE case_id = ? AND id = ?",
                                (case_id, figure_id)).fetchone()
        if row is None:
            raise NoSuchCase(f"there is no figure {figure_id!r} in case {case_id!r}")
        return row[0]

    def audit(self, case_id: str | None = None) -> list[AuditEntry]:
        if case_id is None:
            rows = self.conn.execute("SELECT * FROM audit ORDER BY seq")
        else:
            rows = self.conn.execute("SELECT * FROM audit WHERE case_id = ? ORDER BY seq", (case_id,))
        return [AuditEntry(*r) for r in rows]

    # --- writing whole cases --------------------------------------------------------------------

    def add_case(self, case: Case, *, keep_id: bool = True) -> str:
        """Store a whole case (import, new, duplicate) in one transaction. Returns its id, which is
        the case's own id unless that is taken (or ``keep_id`` is False)."""
        case = copy.copy(case)
        if not keep_id or not case.id or self._exists(case.id):
            from ..model import new_id
            case.id = new_id()
        now = _now()
        with self._write() as c:
            c.execute(
                "INSERT INTO cases(id, created_at, updated_at, title, status, keywords, sites, outcome, data,"
                " doc_version) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (case.id, now, now, case.title, case.status, "", "", "", _dumps(self._case_fields(case)), DOC_VERSION),
            )
            for name in SINGLE_PARTS:
                c.execute("INSERT INTO parts(case_id, part, id, position, data) VALUES (?,?,?,?,?)",
                          (case.id, name, "", 0.0, _dumps(to_compact(getattr(case, name)))))
            rows = []
            for name in LIST_PARTS:
                for pos, item in enumerate(getattr(case, name)):
                    rows.append((case.id, name, item.id, float(pos), _dumps(to_compact(item))))
            c.executemany("INSERT INTO parts(case_id, part, id, position, data) VALUES (?,?,?,?,?)", rows)
            c.execute("INSERT INTO identifiers(case_id, data) VALUES (?,?)",
                      (case.id, _dumps(to_compact(case.identifiers))))
            for pos, m in enumerate(case.figures):
                self._insert_figure(case.id, m, float(pos))
            self._refresh_summary(case.id)
            self._audit(case.id, "case", case.id, "created", None, case.title)
        return case.id

    def trash_case(self, case_id: str) -> None:
        """Move a case to the trash: it leaves the case list and can be restored until the trash is
        emptied."""
        self._require(case_id)
        with self._write() as c:
            c.execute("UPDATE cases SET trashed_at = ? WHERE id = ?", (_now(), case_id))
            self._audit(case_id, "case", case_id, "trashed", None, True)

    def restore_case(self, case_id: str) -> None:
        """Bring a case back from the trash."""
        row = self.conn.execute("SELECT trashed_at FROM cases WHERE id = ?", (case_id,)).fetchone()
        if row is None or row[0] is None:
            raise NoSuchCase(f"there is no case {case_id!r} in the trash of {self.path}")
        with self._write() as c:
            c.execute("UPDATE cases SET trashed_at = NULL WHERE id = ?", (case_id,))
            self._audit(case_id, "case", case_id, "restored", True, None)

    def delete_case(self, case_id: str) -> None:
        """Delete a case for good (in the trash or not): its parts, identifiers and images go."""
        if not self._exists(case_id):
            raise NoSuchCase(f"there is no case {case_id!r} in {self.path}")
        with self._write() as c:
            title = c.execute("SELECT title FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
            for table in ("parts", "identifiers", "figures"):
                c.execute(f"DELETE FROM {table} WHERE case_id = ?", (case_id,))
            c.execute("DELETE FROM cases WHERE id = ?", (case_id,))
            self._audit(case_id, "case", case_id, "deleted", title, None)

    def empty_trash(self) -> int:
        """Delete every case in the trash for good, in one transaction. Returns how many."""
        ids = self.case_ids(trashed=True)
        if ids:
            with self._write() as c:
                for cid in ids:
                    for table in ("parts", "identifiers", "figures"):
                        c.execute(f"DELETE FROM {table} WHERE case_id = ?", (cid,))
                    c.execute("DELETE FROM cases WHERE id = ?", (cid,))
                    self._audit(cid, "case", cid, "deleted", None, None)
        return len(ids)

    def duplicate_case(self, case_id: str, *, title: str | None = None) -> str:
        """A copy of a case under a new id, made inside SQLite (image bytes are never loaded into
        Python, so a case with many large photos copies quickly). Returns the new id."""
        from ..model import new_id
        self._require(case_id)
        new = new_id()
        while self._exists(new):
            new = new_id()
        now = _now()
        with self._write() as c:
            data = json.loads(c.execute("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()[0])
            old_title = data.get("title", "")
            data["title"] = title if title is not None else (f"{old_title} (copy)" if old_title else "(copy)")
            c.execute("INSERT INTO cases(id, created_at, updated_at, title, status, keywords, sites, outcome, data,"
                      " doc_version) SELECT ?, ?, ?, ?, status, keywords, sites, outcome, ?, doc_version"
                      " FROM cases WHERE id = ?", (new, now, now, data["title"], _dumps(data), case_id))
            c.execute("INSERT INTO parts(case_id, part, id, position, data) SELECT ?, part, id, position, data"
                      " FROM parts WHERE case_id = ?", (new, case_id))
            c.execute("INSERT INTO identifiers(case_id, data) SELECT ?, data FROM identifiers WHERE case_id = ?",
                      (new, case_id))
            c.execute("INSERT INTO figures(case_id, id, position, meta, bytes) SELECT ?, id, position, meta, bytes"
                      " FROM figures WHERE case_id = ?", (new, case_id))
            self._audit(new, "case", new, "created", None, data["title"])
        return new

    def worker(self) -> "Library":
        """A second connection to this library for a worker thread, sharing this one's claim on the
        file (its lock): long writes (duplicate, import, emptying the trash) run there while the
        window keeps its own connection. Close it when done."""
        conn = _connect(self.path, self.read_only)
        conn.execute("PRAGMA synchronous = FULL")
        return Library(self.path, conn, self.read_only, None, self.notice)

    def reader(self) -> "Library":
        """A read-only connection to this library for a worker thread (the case list). Close it."""
        return Library(self.path, _connect(self.path, True), True, None, self.notice)

    # --- edits: change sets, each one transaction -------------------------------------------------

    def apply(self, case_id: str, changes: "list[Change]") -> None:
        """Apply a change set (see :mod:`desktop.store.changes`) in one committed transaction: when
        this returns every change is on disk; when it raises, none is."""
        self._require(case_id)
        with self._write():
            for change in changes:
                self._APPLY[type(change)](self, case_id, change)
            self._touch(case_id)
            if any(changes_mod.touched(ch)[0] in ("case", "lesions", "outcome") for ch in changes):
                self._refresh_summary(case_id)

    def set_case_fields(self, case_id: str, **values: Any) -> None:
        """Edit case-level fields (title, status, keywords, authors, index_event_id, ...)."""
        self.apply(case_id, [changes_mod.SetCaseFields(values)])

    def save_single(self, case_id: str, part: str, obj: Any) -> None:
        """Replace a single part (patient, diagnosis, outcome, manuscript, consent)."""
        self.apply(case_id, [changes_mod.PutSingle(part, obj)])

    def save_identifiers(self, case_id: str, ident: Identifiers) -> None:
        self.apply(case_id, [changes_mod.PutIdentifiers(ident)])

    def save_item(self, case_id: str, part: str, item: Any, *, position: int | None = None) -> None:
        """Insert or replace one item of a list part (an event, a lab, a lesion with its
        observations, ...). New items go to the end unless ``position`` is given."""
        self.apply(case_id, [changes_mod.PutItem(part, item, position)])

    def delete_item(self, case_id: str, part: str, item_id: str) -> None:
        self.apply(case_id, [changes_mod.DeleteItem(part, item_id)])

    def move_item(self, case_id: str, part: str, item_id: str, position: int) -> None:
        self.apply(case_id, [changes_mod.MoveItem(part, item_id, position)])

    def save_figure(self, case_id: str, figure: Figure, *, position: int | None = None) -> None:
        """Insert an image (bytes required) or update an image's caption, links and marks (bytes
        may then be None: the stored bytes stay)."""
        self.apply(case_id, [changes_mod.PutFigure(figure, position)])

    def delete_figure(self, case_id: str, figure_id: str) -> None:
        self.apply(case_id, [changes_mod.DeleteFigure(figure_id)])

    def move_figure(self, case_id: str, figure_id: str, position: int) -> None:
        self.apply(case_id, [changes_mod.MoveFigure(figure_id, position)])

    # each runs inside the transaction of apply()

    def _set_case_fields(self, case_id: str, ch: "changes_mod.SetCaseFields") -> None:
        for k in ch.values:
            if k not in CASE_FIELDS:
                raise ValueError(f"{k!r} is not a case field")
        c = self.conn
        old = json.loads(c.execute("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()[0])
        new = dict(old)
        for k, v in ch.values.items():
            new[k] = to_plain(v)
        c.execute("UPDATE cases SET data = ?, title = ?, status = ? WHERE id = ?",
                  (_dumps(new), new.get("title", ""), new.get("status", "draft"), case_id))
        self._audit_diff(case_id, "case", case_id, old, new)

    def _put_single(self, case_id: str, ch: "changes_mod.PutSingle") -> None:
        part, obj = ch.part, ch.obj
        if part not in SINGLE_PARTS or not isinstance(obj, SINGLE_PARTS[part]):
            raise ValueError(f"{part!r} is not a single part or {type(obj).__name__} does not belong there")
        c = self.conn
        row = c.execute("SELECT data FROM parts WHERE case_id = ? AND part = ? AND id = ''",
                        (case_id, part)).fetchone()
        old = _full(SINGLE_PARTS[part], row[0]) if row else None
        c.execute("INSERT OR REPLACE INTO parts(case_id, part, id, position, data) VALUES (?,?,?,?,?)",
                  (case_id, part, "", 0.0, _dumps(to_compact(obj))))
        self._audit_diff(case_id, part, "", old, to_plain(obj))

    def _put_identifiers(self, case_id: str, ch: "changes_mod.PutIdentifiers") -> None:
        c = self.conn
        row = c.execute("SELECT data FROM identifiers WHERE case_id = ?", (case_id,)).fetchone()
        old = _full(Identifiers, row[0]) if row else None
        c.execute("INSERT OR REPLACE INTO identifiers(case_id, data) VALUES (?,?)",
                  (case_id, _dumps(to_compact(ch.identifiers))))
        # the audit keeps that identifiers changed, never their values: the log must not leak them
        for field, a, b in diff(old, to_plain(ch.identifiers)):
            self._audit(case_id, "identifiers", "", field, "[identifier]" if a not in (None, "", []) else a,
                        "[identifier]" if b not in (None, "", []) else b)

    def _put_item(self, case_id: str, ch: "changes_mod.PutItem") -> None:
        part, item, position = ch.part, ch.item, ch.position
        if part not in LIST_PARTS or not isinstance(item, LIST_PARTS[part]):
            raise ValueError(f"{part!r} is not a list part or {type(item).__name__} does not belong there")
        c = self.conn
        stored = _dumps(to_compact(item))
        row = c.execute("SELECT data, position FROM parts WHERE case_id = ? AND part = ? AND id = ?",
                        (case_id, part, item.id)).fetchone()
        if row is None:
            pos = self._position_for(case_id, part, position)
            c.execute("INSERT INTO parts(case_id, part, id, position, data) VALUES (?,?,?,?,?)",
                      (case_id, part, item.id, pos, stored))
            self._audit(case_id, part, item.id, "added", None, to_compact(item))
        else:
            c.execute("UPDATE parts SET data = ? WHERE case_id = ? AND part = ? AND id = ?",
                      (stored, case_id, part, item.id))
            self._audit_diff(case_id, part, item.id, _full(LIST_PARTS[part], row[0]), to_plain(item))
            if position is not None:
                self._move(case_id, part, item.id, position)

    def _delete_item(self, case_id: str, ch: "changes_mod.DeleteItem") -> None:
        if ch.part not in LIST_PARTS:
            raise ValueError(f"{ch.part!r} is not a list part")
        c = self.conn
        row = c.execute("SELECT data FROM parts WHERE case_id = ? AND part = ? AND id = ?",
                        (case_id, ch.part, ch.item_id)).fetchone()
        if row is None:
            return
        c.execute("DELETE FROM parts WHERE case_id = ? AND part = ? AND id = ?", (case_id, ch.part, ch.item_id))
        self._audit(case_id, ch.part, ch.item_id, "removed", json.loads(row[0]), None)

    def _move_item(self, case_id: str, ch: "changes_mod.MoveItem") -> None:
        if ch.part not in LIST_PARTS:
            raise ValueError(f"{ch.part!r} is not a list part")
        self._move(case_id, ch.part, ch.item_id, ch.position)
        self._audit(case_id, ch.part, ch.item_id, "position", None, ch.position)

    def _put_figure(self, case_id: str, ch: "changes_mod.PutFigure") -> None:
        figures, c = ch.figures, self.conn
        row = c.execute("SELECT meta FROM figures WHERE case_id = ? AND id = ?", (case_id, figures.id)).fetchone()
        if row is None:
            if figures.data is None:
                raise ValueError("a new image needs its bytes")
            self._insert_figure(case_id, figures, self._figure_position(case_id, ch.position))
            self._audit(case_id, "figures", figures.id, "added", None, self._figure_meta(figures))
        else:
            old = json.loads(row[0])
            new = self._figure_meta(figures)
            if not new["sha256"]:
                new["sha256"] = old.get("sha256", "")
            c.execute("UPDATE figures SET meta = ? WHERE case_id = ? AND id = ?", (_dumps(new), case_id, figures.id))
            self._audit_diff(case_id, "figures", figures.id, old, new)

    def _delete_figure(self, case_id: str, ch: "changes_mod.DeleteFigure") -> None:
        c = self.conn
        row = c.execute("SELECT meta FROM figures WHERE case_id = ? AND id = ?", (case_id, ch.figure_id)).fetchone()
        if row is None:
            return
        c.execute("DELETE FROM figures WHERE case_id = ? AND id = ?", (case_id, ch.figure_id))
        self._audit(case_id, "figures", ch.figure_id, "removed", json.loads(row[0]), None)

    def _move_figure(self, case_id: str, ch: "changes_mod.MoveFigure") -> None:
        c = self.conn
        ids = [r[0] for r in c.execute("SELECT id FROM figures WHERE case_id = ? ORDER BY position", (case_id,))]
        if ch.figure_id not in ids:
            return
        ids.remove(ch.figure_id)
        ids.insert(max(0, min(ch.position, len(ids))), ch.figure_id)
        for pos, mid in enumerate(ids):
            c.execute("UPDATE figures SET position = ? WHERE case_id = ? AND id = ?", (float(pos), case_id, mid))
        self._audit(case_id, "figures", ch.figure_id, "position", None, ch.position)

    _APPLY = {
        changes_mod.SetCaseFields: _set_case_fields, changes_mod.PutSingle: _put_single,
        changes_mod.PutIdentifiers: _put_identifiers, changes_mod.PutItem: _put_item,
        changes_mod.DeleteItem: _delete_item, changes_mod.MoveItem: _move_item, changes_mod.PutFigure: _put_figure,
        changes_mod.DeleteFigure: _delete_figure, changes_mod.MoveFigure: _move_figure,
    }

    # --- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _case_fields(case: Case) -> dict:
        return {k: to_plain(getattr(case, k)) for k in CASE_FIELDS}

    @staticmethod
    def _figure_meta(figure: Figure) -> dict:
        meta = to_plain(replace(figure, data=None))
        del meta["data"]
        return meta

    def _insert_figure(self, case_id: str, figure: Figure, position: float) -> None:
        import hashlib
        meta = self._figure_meta(figure)
        data = figure.data
        if data is not None:
            # every way in keeps only pixels (the window and the case-file import strip before; a
            # caller of this API that did not is caught here): EXIF, GPS, XMP, IPTC, comments go
            from ..privacy.images import ImageError, clean_image, has_metadata
            try:
                if has_metadata(data):
                    data, meta["mime"], meta["width_px"], meta["height_px"] = clean_image(data)
                    meta["sha256"] = ""
            except ImageError as exc:
                raise ValueError(f"figure {figure.id!r} cannot be read as an image: {exc}") from None
            if not meta["sha256"]:
                meta["sha256"] = hashlib.sha256(data).hexdigest()
        self.conn.execute("INSERT INTO figures(case_id, id, position, meta, bytes) VALUES (?,?,?,?,?)",
                          (case_id, figure.id, position, _dumps(meta), data))

    def _figure_position(self, case_id: str, position: int | None) -> float:
        row = self.conn.execute("SELECT max(position) FROM figures WHERE case_id = ?", (case_id,)).fetchone()
        end = (row[0] + 1.0) if row[0] is not None else 0.0
        if position is None:
            return end
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM figures WHERE case_id = ? ORDER BY position", (case_id,))]
        for pos, mid in enumerate(ids):  # renumber so there is a gap at ``position`` (the index)
            self.conn.execute("UPDATE figures SET position = ? WHERE case_id = ? AND id = ?",
                              (float(pos if pos < position else pos + 1), case_id, mid))
        return float(max(0, min(position, len(ids))))

    def _position_for(self, case_id: str, part: str, position: int | None) -> float:
        row = self.conn.execute("SELECT max(position) FROM parts WHERE case_id = ? AND part = ?",
                                (case_id, part)).fetchone()
        end = (row[0] + 1.0) if row[0] is not None else 0.0
        if position is None:
            return end
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM parts WHERE case_id = ? AND part = ? ORDER BY position", (case_id, part))]
        for pos, iid in enumerate(ids):  # renumber so there is a gap at ``position``
            self.conn.execute("UPDATE parts SET position = ? WHERE case_id = ? AND part = ? AND id = ?",
                              (float(pos if pos < position else pos + 1), case_id, part, iid))
        return float(max(0, min(position, len(ids))))

    def _move(self, case_id: str, part: str, item_id: str, position: int) -> None:
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM parts WHERE case_id = ? AND part = ? ORDER BY position", (case_id, part))]
        if item_id not in ids:
            return
        ids.remove(item_id)
        ids.insert(max(0, min(position, len(ids))), item_id)
        for pos, iid in enumerate(ids):
            self.conn.execute("UPDATE parts SET position = ? WHERE case_id = ? AND part = ? AND id = ?",
                              (float(pos), case_id, part, iid))

    def _require(self, case_id: str) -> None:
        if not self.has_case(case_id):
            raise NoSuchCase(f"there is no case {case_id!r} in {self.path}")

    def _touch(self, case_id: str) -> None:
        self.conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (_now(), case_id))

    def _refresh_summary(self, case_id: str) -> None:
        """Keep the searchable columns of the case list in step with the case."""
        c = self.conn
        data = json.loads(c.execute("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()[0])
        site_labels = catalogue.all_sites()
        sites = []
        for (site,) in c.execute("SELECT json_extract(data, '$.site') FROM parts WHERE case_id = ? AND part = 'lesions'"
                                 " ORDER BY position", (case_id,)):
            if site:  # "finger; toe", not "finger; toe, which toe not stated"
                label = site_labels[site].short if site in site_labels else site
                if label not in sites:
                    sites.append(label)
        row = c.execute("SELECT json_extract(data, '$.status') FROM parts WHERE case_id = ? AND part = 'outcome'",
                        (case_id,)).fetchone()
        outcome = (row[0] or "") if row else ""
        c.execute("UPDATE cases SET keywords = ?, sites = ?, outcome = ?, updated_at = ? WHERE id = ?",
                  ("; ".join(data.get("keywords") or []), "; ".join(sites), outcome.replace("_", " "), _now(), case_id))
