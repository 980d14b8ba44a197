"""A diagnosis the source reports without saying what it rests on: Lu et al., BMC Nephrol 2022, print
only that the patient "developed calciphylaxis with severe painful cutaneous ulcers on the fingers and
toes" (tests/cases/fingers-toes-pd-fractionated-sts.json). Recording it as "not made" lost the
diagnosis; recording it as clinical or biopsy-proven would invent its basis. "made, basis not stated"
keeps exactly what the source says, in the manuscript, the tier and every export."""
from __future__ import annotations

import json
from pathlib import Path


from desktop import jsonio
from desktop.core import assess
from desktop.interop import prepare
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case
from desktop.model import Case

from fhir_validation import validate
from test_report_facts import docx_text

LU = Path(__file__).parent / "cases" / "fingers-toes-pd-fractionated-sts.json"


def lu() -> Case:
    return jsonio.loads(LU.read_text("utf-8"))


def test_the_manuscript_states_the_diagnosis_and_invents_no_basis():
    text = " ".join(docx_text(lu(), draft=True).split())
    assert "Diagnosis of calciphylaxis." in text
    for invented in ("Clinical diagnosis", "confirmed by biopsy", "supported by imaging"):
        assert invented not in text
    # the same case with no diagnosis recorded says nothing of one (the manuscript makes no such statement)
    case = lu()
    case.diagnosis.basis = "not_made"
    assert "Diagnosis of calciphylaxis" not in " ".join(docx_text(case, draft=True).split())


def test_the_tier_says_what_the_record_cannot_decide():
    a = assess(lu())
    assert any("does not say what it rests on" in x for x in a.tier.unknown)
    assert a.tier.tier != "confirmed"  # no biopsy is recorded: the confirmed tier cannot be claimed
    case = lu()
    case.diagnosis.basis = "clinical"  # a stated basis: nothing of it is unknown
    assert not any("does not say what it rests on" in x for x in assess(case).tier.unknown)


def test_fhir_calls_it_confirmed_and_brings_the_basis_back():
    """FHIR's "confirmed": "sufficient diagnostic and/or clinical evidence to treat this as a confirmed
    condition" — the source reports the diagnosis; "unconfirmed" is for a case with none recorded."""
    bundle = case_to_bundle(prepare(lu()))
    assert validate(bundle) == []
    cond = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"
                and any(c.get("code") == "E83.59" for c in e["resource"]["code"]["coding"]))
    assert cond["verificationStatus"]["coding"][0]["code"] == "confirmed"
    back, _ = bundle_to_case(json.loads(json.dumps(bundle)))
    assert back.diagnosis.basis == "not_stated"


def test_a_document_of_the_previous_version_reads_as_before_and_a_newer_one_is_refused():
    from desktop.upgrade import DOC_VERSION
    doc = json.loads(jsonio.dumps(lu()))
    assert doc["version"] == DOC_VERSION
    doc["version"] = 3  # before "not_stated" (version 4)
    doc["diagnosis"]["basis"] = "not_made"
    assert jsonio.loads(json.dumps(doc)).diagnosis.basis == "not_made"
    doc["version"] = DOC_VERSION + 1
    try:
        jsonio.loads(json.dumps(doc))
    except jsonio.InvalidCase as exc:
        assert "newer Casebook" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a document of a newer version was read")


def test_the_window_offers_it_and_saves_it(qtbot, tmp_path):
    from desktop.gui.session import CaseSession
    from desktop.gui.sections.imaging import ImagingSection
    from desktop.store.library import create_library, open_library

    from gui_helpers import pick
    path = tmp_path / "lu.casebook"
    lib = create_library(path)
    case = lu()
    case.diagnosis.basis = "not_made"
    case_id = lib.add_case(case)
    w = ImagingSection(CaseSession(lib, case_id))
    qtbot.addWidget(w)
    w.show()
    combo = w.basis
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "made, basis not stated" in labels
    pick(qtbot, combo, "not_stated")
    reread = open_library(path, read_only=True)
    try:
        assert reread.load_case(case_id).diagnosis.basis == "not_stated"
    finally:
        reread.close()
