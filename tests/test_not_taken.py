"""A medicine the source says the patient was *not* taking ("not on dialysis, warfarin, or insulin",
Ali et al., Wounds 2020): a recorded negative, kept apart from the medicines taken.

The facts come from that abstract (tests/cases/ckd3-apixaban-twice-weekly-sts.json) and from the
domain file: warfarin is a major risk factor and insulin injections a minor one (Chinese expert
consensus 2023, Table 3), so a case that *took* them has those findings, and one that was not taking
them must not. FHIR R4's MedicationStatement.status has the code for it: "not-taken".
"""
from __future__ import annotations

import json
from pathlib import Path

from desktop import jsonio
from desktop.core import assess
from desktop.interop import prepare
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case
from desktop.interop.phenopacket import case_to_phenopacket
from desktop.model import Case, LabResult, Medication, Patient, When

from fhir_validation import validate
from test_report_facts import docx_text, pdf_text

ALI = Path(__file__).parent / "cases" / "ckd3-apixaban-twice-weekly-sts.json"


def ali() -> Case:
    return jsonio.loads(ALI.read_text("utf-8"))


def taking(case: Case) -> Case:
    """The same case, as if the source said the patient *was* taking them."""
    for m in case.medications:
        m.not_taken = False
    return case


def test_the_published_case_records_what_was_not_taken():
    case = ali()
    absent = {m.name: m.drug_class for m in case.medications if m.not_taken}
    assert absent == {"warfarin": "vitamin-k-antagonist", "insulin": "insulin"}


def test_a_medicine_not_taken_is_never_counted_as_exposure():
    a = assess(ali())
    assert not a.fired("warfarin") and not a.fired("insulin-injections")
    assert not any("warfarin" in x.lower() for x in a.tier.major_factors)
    assert not any("injection" in x.lower() for x in a.tier.minor_factors)
    # the same records, taken: the rules read them (so the tests above would fail if they counted)
    b = assess(taking(ali()))
    assert b.fired("warfarin")
    assert any("warfarin" in x.lower() for x in b.tier.major_factors)


def test_a_finding_that_looks_for_a_medicine_says_it_was_not_taken():
    """The Ca×P rule names the binders; a binder the source says was not taken is said as such, not
    as "No non-calcium binder is recorded" (synthetic: a haemodialysis patient, product 85 mg²/dL²)."""
    case = Case(patient=Patient(age_years=60, sex="female", dialysis_modality="haemodialysis", ckd_stage="5D"))
    case.labs = [LabResult(analyte="calcium", value=10.0, unit="mg/dL", when=When(offset=0)),
                 LabResult(analyte="phosphate", value=8.5, unit="mg/dL", when=When(offset=0))]
    case.medications = [Medication(name="sevelamer", drug_class="non-calcium-binder", not_taken=True)]
    text = " ".join(f.message for f in assess(case).findings)
    assert "The source says the patient was not taking sevelamer." in text
    assert "No non-calcium binder is recorded" not in text
    assert "A non-calcium binder is recorded" not in text


def test_the_manuscript_says_it_once_in_a_sentence_not_in_the_table():
    # Ali et al.'s history, as recorded, already says it ("Not on dialysis, warfarin, or insulin"):
    # the manuscript does not say it a second time
    flat = " ".join(docx_text(ali(), draft=True).split())
    assert "Not on dialysis, warfarin, or insulin" in flat and "The patient was not taking" not in flat
    # without that history the recorded negatives are said in one sentence, in the PDF and the DOCX
    case = ali()
    case.patient.history = "Type 2 diabetes mellitus; stage 3 CKD."
    for text in (pdf_text(case, draft=True), docx_text(case, draft=True)):
        assert "The patient was not taking warfarin or insulin." in " ".join(text.split())
    cells = [line.strip() for line in docx_text(case, draft=True).splitlines()]  # a DOCX table cell a line
    assert "apixaban" in cells  # the medicine taken is a row of the table
    assert "warfarin" not in cells and "insulin" not in cells and "Vitamin K antagonist" not in cells
    # a history that names one of them only: the other is still said
    case.patient.history = "She was never given warfarin."
    flat = " ".join(docx_text(case, draft=True).split())
    assert "The patient was not taking insulin." in flat and "not taking warfarin" not in flat
    # without any medicine taken there is no medication table at all, only the sentence
    case.patient.history = ""
    case.medications = [m for m in case.medications if m.not_taken]
    flat = " ".join(docx_text(case, draft=True).split())
    assert "The patient was not taking warfarin or insulin." in flat
    assert "medications are listed in Table" not in flat


def test_fhir_says_not_taken_and_reads_it_back():
    case = prepare(ali())
    bundle = case_to_bundle(case)
    assert validate(bundle) == []
    statements = {e["resource"]["medicationCodeableConcept"]["text"]: e["resource"]["status"]
                  for e in bundle["entry"] if e["resource"]["resourceType"] == "MedicationStatement"}
    assert statements["warfarin"] == "not-taken" and statements["insulin"] == "not-taken"
    assert statements["apixaban"] != "not-taken"
    back, _ = bundle_to_case(json.loads(json.dumps(bundle)))
    assert {m.name: m.not_taken for m in back.medications} == {"apixaban": False, "warfarin": True, "insulin": True}


def test_a_phenopacket_leaves_it_out_and_says_so():
    packet, left_out = case_to_phenopacket(prepare(ali()))
    agents = [a["treatment"]["agent"]["label"] for a in packet.get("medicalActions", []) if "treatment" in a]
    assert "apixaban" in agents and "warfarin" not in agents and "insulin" not in agents
    assert any("'warfarin' recorded as not taken" in x or "warfarin recorded as not taken" in x for x in left_out)
