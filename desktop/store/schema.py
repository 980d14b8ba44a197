"""The library file's schema and its ordered migrations.

``PRAGMA user_version`` is the schema version; ``PRAGMA application_id`` marks a file as a Casebook
library. Each migration runs in one transaction together with its version bump, so a crash mid-way
leaves the previous version intact.
"""
from __future__ import annotations

import sqlite_utils

APPLICATION_ID = 0x43534B42  # "CSKB"


def _v1(db: sqlite_utils.Database) -> None:
    db["cases"].create(
        {"id": str, "created_at": str, "updated_at": str, "title": str, "status": str,
         "keywords": str, "sites": str, "outcome": str, "data": str},
        pk="id",
    )
    # every part of a case: list parts (events, labs, lesions, ...) one row per item, single parts
    # (patient, outcome, narrative, ...) one row with id ''
    db["parts"].create(
        {"case_id": str, "part": str, "id": str, "position": float, "data": str},
        pk=("case_id", "part", "id"), foreign_keys=[("case_id", "cases", "id")],
    )
    # identifiers apart from the clinical record: exporters never read this table unless asked to
    db["identifiers"].create(
        {"case_id": str, "data": str}, pk="case_id", foreign_keys=[("case_id", "cases", "id")],
    )
    db["media"].create(
        {"case_id": str, "id": str, "position": float, "meta": str, "bytes": bytes},
        pk=("case_id", "id"), foreign_keys=[("case_id", "cases", "id")],
    )
    db["audit"].create(
        {"seq": int, "at": str, "os_user": str, "case_id": str, "entity": str, "entity_id": str,
         "field": str, "old": str, "new": str},
        pk="seq",
    )
    db["audit"].create_index(["case_id", "seq"])
    db.execute(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


def _v2(db: sqlite_utils.Database) -> None:
    # a case deleted by the user goes to the trash (trashed_at set) until the trash is emptied
    db.execute("ALTER TABLE cases ADD COLUMN trashed_at TEXT")
    # the version of the stored case document (desktop.upgrade.DOC_VERSION): a model change comes
    # with an upgrade step of the documents, run in the migration that introduces it
    db.execute("ALTER TABLE cases ADD COLUMN doc_version INTEGER NOT NULL DEFAULT 1")


# Ordered: MIGRATIONS[n] brings a file from version n to n + 1. Never edit a released step; add one.
# A step may upgrade the stored case documents too (store.library.upgrade_documents), in the same
# transaction as its version bump.
MIGRATIONS = [_v1, _v2]
LATEST = len(MIGRATIONS)
