"""The library file's schema and its ordered migrations.

``PRAGMA user_version`` is the schema version; ``PRAGMA application_id`` marks a file as a Casebook
library. Each migration runs in one transaction together with its version bump, so a crash mid-way
leaves the previous version intact.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite_utils loads only when a migration runs (start-up opens a current file)
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


def _v3_strip_stored_images(db: sqlite_utils.Database) -> None:
    """Issue 13: images stored before every path in stripped metadata (a case file's photos kept EXIF
    GPS, serials, XMP, IPTC) are cleaned in place: each image that carries anything but pixels is
    re-encoded by desktop.privacy.images.clean_image, its meta (sha256, mime, size) updated and the
    change written to the audit log. Bytes that cannot be decoded are left as they are (the export
    path never lets them out). Backups made before this step still hold the old bytes: see NOTES."""
    import datetime as dt
    import getpass
    import hashlib
    import json

    from ..privacy.images import ImageError, clean_image, has_metadata

    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
    rows = db.execute("SELECT case_id, id FROM media WHERE bytes IS NOT NULL").fetchall()
    for case_id, media_id in rows:  # one image in memory at a time
        meta_text, data = db.execute("SELECT meta, bytes FROM media WHERE case_id = ? AND id = ?",
                                     (case_id, media_id)).fetchone()
        if data is None or not has_metadata(data):
            continue
        try:
            clean, mime, w, h = clean_image(data)
        except ImageError:
            continue
        meta = json.loads(meta_text)
        meta.update(sha256=hashlib.sha256(clean).hexdigest(), mime=mime, width_px=w, height_px=h)
        db.execute("UPDATE media SET bytes = ?, meta = ? WHERE case_id = ? AND id = ?",
                   (clean, json.dumps(meta, ensure_ascii=False, separators=(",", ":")), case_id, media_id))
        db.execute("INSERT INTO audit(at, os_user, case_id, entity, entity_id, field, old, new) VALUES (?,?,?,?,?,?,?,?)",
                   (at, user, case_id, "media", media_id, "metadata", '"present"', '"stripped by library upgrade 3"'))


def _v4_figures(db: sqlite_utils.Database) -> None:
    # one name for one idea: the table of a case's images is its figures (the case document's
    # "media" became "figures" in document version 2, upgraded in the same transaction)
    db.execute("ALTER TABLE media RENAME TO figures")


def _v5_settings(db: sqlite_utils.Database) -> None:
    # choices made once for a whole library (issue 16: the units its laboratories report in)
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _v6_case_documents(db: sqlite_utils.Database) -> None:
    # no table changes: the step brings the stored case documents to document version 3 (a biopsy's
    # result may be "not recorded"), which upgrade_documents does right after it
    pass


def _v7_case_documents(db: sqlite_utils.Database) -> None:
    # no table changes: the step brings the stored case documents to document version 4 (a medicine
    # not taken, a diagnosis whose basis is not stated), which upgrade_documents does right after it
    pass


def _v8_case_documents(db: sqlite_utils.Database) -> None:
    # no table changes: the step brings the stored case documents to document version 5 (a comorbidity
    # recorded as absent), which upgrade_documents does right after it
    pass


def _v9_case_documents(db: sqlite_utils.Database) -> None:
    # no table changes: the step brings the stored case documents to document version 6 (an event may
    # be a recurrence), which upgrade_documents does right after it
    pass


def _v10_case_documents(db: sqlite_utils.Database) -> None:
    # no table changes: the step brings the stored case documents to document version 7 (the cause of
    # the kidney disease), which upgrade_documents does right after it
    pass


def _v11_case_documents(db: sqlite_utils.Database) -> None:
    # no table changes: the step brings the stored case documents to document version 8 (a result the
    # analyte catalogue does not list, under its printed name), which upgrade_documents does right after it
    pass


# Ordered: MIGRATIONS[n] brings a file from version n to n + 1. Never edit a released step; add one.
# All pending steps run in one transaction, followed by the upgrade of the stored case documents
# (store.library.upgrade_documents, desktop/upgrade.py).
MIGRATIONS = [_v1, _v2, _v3_strip_stored_images, _v4_figures, _v5_settings, _v6_case_documents,
              _v7_case_documents, _v8_case_documents, _v9_case_documents, _v10_case_documents,
              _v11_case_documents]
# The oldest version this code can read as it is (read-only, without upgrading it): step 4 renames
# a table every case reads, so an older library on a read-only mount is refused with a message.
# (Steps 6 to 11 change no table: their older case documents are upgraded as they are read.)
READABLE_FROM = 4
# What a user should be told after an upgrade to that version (the caller shows it once).
NOTES = {
    3: "Image metadata (camera, GPS position, dates, comments) was removed from the photos in this library. "
       "Backups made before this upgrade still hold the photos as they were; delete them if they may leave "
       "this computer.",
}
LATEST = len(MIGRATIONS)
