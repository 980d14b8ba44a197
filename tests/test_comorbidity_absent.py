"""A condition the source says the patient does *not* have: Kalajian et al. (Arch Dermatol 2009)
report "a 58-year-old woman with endometrial carcinoma [who] developed extensive calciphylaxis despite
the presence of normal renal and parathyroid function" (tests/cases/normal-renal-parathyroid-endometrial.json).
"Normal parathyroid function" is hyperparathyroidism recorded absent: a recorded negative, which the
rules never count as a risk factor, the manuscript says once, and every export carries.

Sprague's case (Clin J Am Soc Nephrol 2014, tests/cases/necrotic-hd-diabetes-af.json) has "a 10-year
history of diabetes": diabetes is a minor factor of the 2023 consensus (domain file §1), so the same
record marked absent shows what the flag changes. HPO has the terms (resources/interop/hpo.json:
HP:0000843 hyperparathyroidism); FHIR R4's condition-ver-status has the code "refuted"; a Phenopacket
feature has ``excluded``.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from desktop import jsonio
from desktop.core import assess
from desktop.core.care import item_5c
from desktop.core.context import Context
from desktop.interop import prepare, redcap
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case
from desktop.interop.phenopacket import case_to_phenopacket, phenopacket_to_case
from desktop.interop.redcap_import import read as read_redcap
from desktop.model import Comorbidity

from fhir_validation import validate
from redcap_validation import problems as redcap_problems
from test_report_facts import docx_text, pdf_text

CASES = Path(__file__).parent / "cases"
KALAJIAN = CASES / "normal-renal-parathyroid-endometrial.json"
SPRAGUE = CASES / "necrotic-hd-diabetes-af.json"


def kalajian():
    return jsonio.loads(KALAJIAN.read_text("utf-8"))


def sprague():
    return jsonio.loads(SPRAGUE.read_text("utf-8"))


def _absent(case, code, on=True):
    for c in case.patient.comorbidities:
        if c.code == code:
            c.absent = on
    return case


def test_the_published_case_records_what_the_patient_did_not_have():
    pt = kalajian().patient
    assert [(c.code, c.detail, c.absent) for c in pt.comorbidities] == [
        ("malignancy", "endometrial carcinoma", False),
        ("hyperparathyroidism", "normal parathyroid function", True)]


def test_an_absent_condition_is_never_a_risk_factor():
    a = assess(kalajian())
    assert a.fired("malignancy") and not a.fired("hyperparathyroidism")
    assert assess(_absent(kalajian(), "hyperparathyroidism", False)).fired("hyperparathyroidism")  # the flag decides
    # diabetes, a minor factor of the consensus, as Sprague's record has it and as if the source denied it
    present, denied = assess(sprague()), assess(_absent(sprague(), "diabetes"))
    assert present.fired("diabetes") and any("iabetes" in x for x in present.tier.minor_factors)
    assert not denied.fired("diabetes") and not any("iabetes" in x for x in denied.tier.minor_factors)
    assert "diabetes" not in Context(_absent(sprague(), "diabetes")).comorbidity_codes


def test_a_bmi_in_the_obese_range_does_not_ask_for_obesity_the_author_recorded_absent():
    case = kalajian()
    case.patient.weight_kg, case.patient.height_cm = 105.0, 165.0  # BMI 38.6 kg/m², WHO class II
    assert assess(case).fired("obesity-not-recorded")
    case.patient.comorbidities.append(Comorbidity("obesity", "not obese, as the source says", absent=True))
    a = assess(case)
    assert not a.fired("obesity-not-recorded") and not a.fired("obesity")


def test_the_care_checklist_counts_it_as_medical_history():
    status, support = item_5c(Context(kalajian()))
    assert "comorbidities: Malignancy" in support
    assert "absent, as the source says: Hyperparathyroidism" in support
    assert status == "partial"  # no family or psychosocial history in the abstract


def test_the_manuscript_says_it_once_apart_from_what_the_patient_has():
    case = kalajian()
    for text in (pdf_text(case, draft=True), docx_text(case, draft=True)):
        flat = " ".join(text.split())
        assert "A 58-year-old woman not on dialysis, with malignancy (endometrial carcinoma)." in flat
        assert "The patient did not have hyperparathyroidism (normal parathyroid function)." in flat
        assert flat.count("hyperparathyroidism") == 1
    # the author's own history says it: not said again
    case.patient.history = "Endometrial carcinoma. No hyperparathyroidism."
    flat = " ".join(docx_text(case, draft=True).split())
    assert "The patient did not have" not in flat and "No hyperparathyroidism." in flat
    # two absent conditions, one sentence
    case.patient.history = ""
    case.patient.comorbidities.append(Comorbidity("diabetes", "", absent=True))
    flat = " ".join(pdf_text(case, draft=True).split())
    assert "The patient did not have hyperparathyroidism (normal parathyroid function) or diabetes mellitus." in flat


def test_the_case_file_and_the_library_keep_it(tmp_path):
    from desktop.store.library import create_library, open_library
    case = kalajian()
    assert jsonio.loads(jsonio.dumps(case)).patient.comorbidities[1].absent is True
    lib = create_library(tmp_path / "lib.casebook")
    cid = lib.add_case(case)
    lib.close()
    again = open_library(tmp_path / "lib.casebook", read_only=True)
    try:
        assert [c.absent for c in again.load_case(cid).patient.comorbidities] == [False, True]
    finally:
        again.close()
    # a file written before the flag existed (version 4) reads as it did: nothing absent
    doc = json.loads(jsonio.dumps(case))
    doc["version"] = 4
    for c in doc["patient"]["comorbidities"]:
        del c["absent"]
    assert [c.absent for c in jsonio.loads(json.dumps(doc)).patient.comorbidities] == [False, False]


def test_fhir_calls_it_refuted_and_reads_it_back():
    bundle = case_to_bundle(prepare(kalajian()))
    assert validate(bundle) == []
    conditions = {e["resource"]["code"]["text"]: e["resource"] for e in bundle["entry"]
                  if e["resource"]["resourceType"] == "Condition"}
    refuted = conditions["Hyperparathyroidism"]["verificationStatus"]["coding"][0]
    assert (refuted["system"], refuted["code"]) == ("http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted")
    assert "verificationStatus" not in conditions["Malignancy"]
    back, _ = bundle_to_case(json.loads(json.dumps(bundle)))
    assert [(c.code, c.absent) for c in back.patient.comorbidities] == [("malignancy", False),
                                                                         ("hyperparathyroidism", True)]


def test_redcap_has_a_checkbox_of_its_own_and_reads_it_back():
    case = prepare(kalajian())
    dictionary, data = redcap.write_dictionary(), redcap.write_data([case])
    assert redcap_problems(dictionary, data) == []
    row = next(r for r in csv.DictReader(io.StringIO(data)) if not r["redcap_repeat_instrument"])
    absent = {k for k, v in row.items() if k.startswith("comorbidities_absent___") and v == "1"}
    has = {k for k, v in row.items() if k.startswith("comorbidities___") and v == "1"}
    assert len(absent) == 1 and len(has) == 1
    back = read_redcap(data, dictionary).cases[0]
    assert sorted((c.code, c.detail, c.absent) for c in back.patient.comorbidities) == [
        ("hyperparathyroidism", "normal parathyroid function", True), ("malignancy", "endometrial carcinoma", False)]


def test_a_phenopacket_excludes_the_feature_and_reads_it_back():
    packet, _ = case_to_phenopacket(prepare(kalajian()))
    features = {f["type"]["id"]: f for f in packet["phenotypicFeatures"]}
    assert features["HP:0000843"].get("excluded") is True  # Hyperparathyroidism
    back, _ = phenopacket_to_case(json.loads(json.dumps(packet)))
    assert [(c.code, c.absent) for c in back.patient.comorbidities if c.code == "hyperparathyroidism"] == [
        ("hyperparathyroidism", True)]
