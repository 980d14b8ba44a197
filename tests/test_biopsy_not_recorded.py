"""A biopsy entered before its result is known says so: its result is "not recorded" (None), not
"not done" — the manuscript, the exports and the assessment never state a result the author did not
record. Documents and libraries written when "not done" was the default keep what they stored
(document version 3, library version 6), also on a library open read-only.

The case is the seed report (Smilnak et al. 2022), whose skin biopsy the source reports as
inconclusive; the tests take that result away as an author who has not entered it yet would."""
from __future__ import annotations

import dataclasses
import json
import re
import sqlite3

import pytest
from PySide6.QtCore import Qt

from desktop import jsonio
from desktop.core import assess
from desktop.demo import load_demo
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case
from desktop.model import Biopsy
from desktop.store import schema
from desktop.store.library import create_library, open_library
from desktop.upgrade import DOC_VERSION

from fhir_validation import validate
from test_report_facts import docx_text, manuscript_part, pdf_text


def seed_without_biopsy_result():
    case = load_demo()
    assert [b.result for b in case.biopsies] == ["inconclusive"]  # as the source reports it
    case.biopsies[0].result = None
    return case


def test_a_new_biopsy_has_no_result():
    assert Biopsy().result is None


def test_a_version_2_document_keeps_its_default_not_done_and_version_3_reads_not_recorded():
    doc = json.loads(jsonio.dumps(load_demo()))
    del doc["biopsies"][0]["result"]
    doc["version"] = 2  # then a biopsy without "result" was "not done" (the default, left out)
    assert jsonio.loads(json.dumps(doc)).biopsies[0].result == "not_done"
    doc["version"] = 3
    assert jsonio.loads(json.dumps(doc)).biopsies[0].result is None


def _as_library_version_5(path, case_id):
    """The library as the previous Casebook left it: schema 5, case documents of version 2, and the
    biopsy's "not done" left out of its compact row as the default it was."""
    conn = sqlite3.connect(path)
    with conn:
        (data,) = conn.execute("SELECT data FROM parts WHERE case_id = ? AND part = 'biopsies'", (case_id,)).fetchone()
        row = json.loads(data)
        assert row["result"] == "not_done"
        del row["result"]
        conn.execute("UPDATE parts SET data = ? WHERE case_id = ? AND part = 'biopsies'", (json.dumps(row), case_id))
        conn.execute("UPDATE cases SET doc_version = 2")
        conn.execute("PRAGMA user_version = 5")
    conn.close()


@pytest.mark.parametrize("read_only", [False, True], ids=["upgraded", "read-only"])
def test_a_version_5_library_keeps_not_done(tmp_path, read_only):
    path = tmp_path / "v5.casebook"
    lib = create_library(path)
    case = load_demo()
    case.biopsies[0].result = "not_done"
    case_id = lib.add_case(case)
    lib.close()
    _as_library_version_5(path, case_id)
    lib = open_library(path, read_only=read_only)
    try:
        loaded = lib.load_case(case_id)
        assert loaded.biopsies[0].result == "not_done"
        assert len(loaded.figures) == len(case.figures) and all(f.data for f in loaded.figures)
        assert lib.load_case(case_id, figures=False).biopsies[0].result == "not_done"
    finally:
        lib.close()
    conn = sqlite3.connect(path)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    doc_versions = {v for (v,) in conn.execute("SELECT doc_version FROM cases")}
    conn.close()
    if read_only:  # read as it is, nothing written
        assert (version, doc_versions) == (5, {2})
    else:
        assert (version, doc_versions) == (schema.LATEST, {DOC_VERSION}) and schema.LATEST >= 6 and DOC_VERSION >= 3


def test_a_new_biopsy_stored_without_result_reads_back_without_one(tmp_path):
    lib = create_library(tmp_path / "l.casebook")
    case_id = lib.add_case(seed_without_biopsy_result())
    lib.close()
    lib = open_library(tmp_path / "l.casebook")
    assert lib.load_case(case_id).biopsies[0].result is None
    lib.close()


@pytest.mark.parametrize("render", [pdf_text, docx_text], ids=["pdf", "docx"])
def test_the_manuscript_states_no_result_the_author_did_not_record(render):
    text = manuscript_part(render(seed_without_biopsy_result(), draft=True))
    # the biopsy's own paragraph (the seed's biopsy has no site): what and when, then nothing more
    lines = [line for line in text.splitlines() if line.startswith("Skin biopsy (")]
    assert lines, text
    assert re.fullmatch(r"Skin biopsy \([^)]*\)\.", lines[0].strip()), lines[0]
    loaded = manuscript_part(render(load_demo(), draft=True))  # with the source's result it is stated
    assert any(line.startswith("Skin biopsy (") and line.rstrip().endswith("inconclusive.")
               for line in loaded.splitlines())


def test_fhir_says_the_status_is_unknown_and_reads_back_not_recorded():
    bundle = case_to_bundle(seed_without_biopsy_result())
    procs = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Procedure"
             and e["resource"].get("code", {}).get("text") == "Skin biopsy"]
    assert len(procs) == 1
    assert procs[0]["status"] == "unknown" and "outcome" not in procs[0]
    assert validate(bundle) == []
    case, _report = bundle_to_case(bundle)
    assert [b.result for b in case.biopsies] == [None]


def test_fhir_without_outcome_reads_the_status():
    bundle = case_to_bundle(seed_without_biopsy_result())
    for e in bundle["entry"]:
        r = e["resource"]
        if r["resourceType"] == "Procedure" and r.get("code", {}).get("text") == "Skin biopsy":
            r["status"] = "not-done"  # FHIR's own way of saying the procedure was not done
    case, _report = bundle_to_case(bundle)
    assert [b.result for b in case.biopsies] == ["not_done"]


def test_the_penile_biopsy_caution_names_a_biopsy_without_result():
    case = seed_without_biopsy_result()  # the seed's lesions include the glans penis
    case.biopsies[0] = dataclasses.replace(case.biopsies[0], lesion_id=None)
    findings = [f for f in assess(case).findings if f.rule_id == "biopsy-penile-caution"]
    assert len(findings) == 1
    assert "result not recorded" in findings[0].message


def test_care_8a_names_the_biopsy_without_result():
    """CARE 8a: "Diagnostic testing (such as PE, laboratory testing, imaging, surveys)" — with results."""
    case = seed_without_biopsy_result()
    item = next(i for i in assess(case).care if i.item == "8a")
    assert "1 biopsy without a recorded result" in item.support
    case.imaging = []  # the seed's CT taken away: laboratory results alone are not complete
    item = next(i for i in assess(case).care if i.item == "8a")
    assert item.status == "partial"
    case.biopsies[0].result = "inconclusive"  # the source's result
    item = next(i for i in assess(case).care if i.item == "8a")
    assert item.status == "complete" and "1 biopsy" in item.support


def test_a_biopsy_added_in_the_window_has_no_result(qtbot, tmp_path):
    from desktop.gui.session import CaseSession
    from desktop.gui.sections.imaging import ImagingSection
    lib = create_library(tmp_path / "w.casebook")
    case_id = lib.add_case(load_demo())
    session = CaseSession(lib, case_id)
    w = ImagingSection(session)
    qtbot.addWidget(w)
    w.resize(1100, 850)
    w.show()
    qtbot.mouseClick(w.biopsies.table.add_button, Qt.MouseButton.LeftButton)
    assert w.biopsies.fields["result"].currentText() == "not recorded"
    reader = open_library(tmp_path / "w.casebook", read_only=True)
    try:
        assert [b.result for b in reader.load_case(case_id).biopsies] == ["inconclusive", None]
    finally:
        reader.close()
    rows = [[w.biopsies.table.model.data(w.biopsies.table.model.index(r, 2))
             for r in range(w.biopsies.table.model.rowCount())]]
    assert rows == [["inconclusive", "not recorded"]]
    session.close()
    lib.close()


def test_a_document_whose_upgrade_changes_nothing_is_not_rewritten(tmp_path):
    """Document versions 4 to 7 only add what older documents do not use (a medicine not taken, an
    absent comorbidity, a recurrence, the kidney disease's cause). Opening a library of older
    documents had rewritten every case (40 s for 10,000 cases) to change nothing; such a document now
    only has its version set, its rows untouched, and reads as before. A document that a step does
    change (version 2: a biopsy's left-out result) is still rewritten."""
    from desktop.upgrade import changes_document
    assert [changes_document(v) for v in range(1, DOC_VERSION + 1)] == \
        [True, True] + [False] * (DOC_VERSION - 2)
    path = tmp_path / "v6.casebook"
    lib = create_library(path)
    case_id = lib.add_case(load_demo())
    lib.close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE cases SET doc_version = 6")
        conn.execute("PRAGMA user_version = 9")
        # a row laid out as no rewrite would write it (indented), so a rewrite would show
        (data,) = conn.execute("SELECT data FROM parts WHERE part = 'patient'").fetchone()
        conn.execute("UPDATE parts SET data = ? WHERE part = 'patient'", (json.dumps(json.loads(data), indent=1),))
    rows = lambda c: (c.execute("SELECT data FROM cases").fetchall(),  # noqa: E731
                      c.execute("SELECT part, id, data FROM parts ORDER BY part, position").fetchall())
    before = rows(conn)
    conn.close()
    lib = open_library(path)
    try:
        assert lib.load_case(case_id, figures=False).patient.kidney_disease_cause == ""
        assert jsonio.dumps(lib.load_case(case_id, figures=False)) == jsonio.dumps(
            load_demo_as_stored(case_id))
    finally:
        lib.close()
    conn = sqlite3.connect(path)
    assert rows(conn) == before  # not rewritten
    assert {v for (v,) in conn.execute("SELECT doc_version FROM cases")} == {DOC_VERSION}
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    conn.close()


def load_demo_as_stored(case_id: str):
    case = load_demo()
    case.id = case_id
    return case
