"""The published cases of tests/cases through the registry formats (REDCap, FHIR R4B, Phenopacket),
each expectation taken from the source's words as the case file records them:

- a lesion on a coarse site ("ulcers on the fingers") gets its REDCap class;
- a case with no diagnosis recorded says so in words in FHIR, with no raw code, and is not
  "confirmed";
- wounds that healed ("complete resolution of skin lesions") make the calciphylaxis Condition
  resolved, and the import reads that back;
- the Phenopacket export names what it leaves out (on the command line too);
- a published case stays published through FHIR, and a lesion with no site keeps its words as its
  site detail, without a warning.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from desktop import jsonio
from desktop.cli import main
from desktop.interop import prepare, redcap
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case

from fhir_validation import validate
from redcap_validation import problems as redcap_problems

CASES = Path(__file__).parent / "cases"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VER_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def published(name: str):
    return jsonio.loads((CASES / f"{name}.json").read_text("utf-8"))


def _bundle(case) -> dict:
    return json.loads(json.dumps(case_to_bundle(prepare(case), now=NOW)))


def _calciphylaxis(bundle: dict) -> dict:
    (cond,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"
               and any(c.get("code") == "E83.59" for c in e["resource"]["code"].get("coding", []))]
    return cond


def _code(concept: dict, system: str) -> str:
    (code,) = [c["code"] for c in concept["coding"] if c["system"] == system]
    return code


# --- 1. REDCap: the class of a lesion on a coarse site ----------------------------------------------------------

def _choices(dictionary: str, field: str) -> dict[str, str]:
    row = next(r for r in csv.DictReader(io.StringIO(dictionary)) if r["Variable / Field Name"] == field)
    return dict(p.strip().split(", ", 1) for p in row["Choices, Calculations, OR Slider Labels"].split("|"))


def test_redcap_gives_the_fingers_and_toes_their_class():
    """Lu et al. 2022: "severe painful cutaneous ulcers on the fingers and toes" — both distal. The
    finger lesion is on a coarse site ("finger, finger and part not stated"), and its class was left
    blank while the toe's was 2 (distal)."""
    case = prepare(published("fingers-toes-pd-fractionated-sts"))
    dictionary, data = redcap.write_dictionary(), redcap.write_data([case])
    classes = _choices(dictionary, "lesion_class")
    rows = [r for r in csv.DictReader(io.StringIO(data)) if r["redcap_repeat_instrument"] == "lesion"]
    assert [r["lesion_site_detail"] for r in rows] == ["fingers", "toes"]
    assert [classes.get(r["lesion_class"]) for r in rows] == ["distal", "distal"]
    assert redcap_problems(dictionary, data, redcap.write_project_xml()) == []


# --- 2. FHIR: no diagnosis recorded -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["necrotic-hd-diabetes-af"])
def test_no_diagnosis_recorded_is_said_in_words_and_is_not_confirmed(name):
    """The source (as we hold it) stops before the diagnosis. The Condition read "Calciphylaxis;
    diagnosis made on: not made." with the evidence "Diagnosis basis: not_made"."""
    bundle = _bundle(published(name))
    cond = _calciphylaxis(bundle)
    text = cond["text"]["div"]
    assert "no diagnosis recorded" in text
    assert "made on" not in text and "not made" not in text
    assert not re.search(r"[A-Za-z]_[A-Za-z]", json.dumps(cond)), "a raw code in the Condition"
    # FHIR R4B condition-ver-status: "unconfirmed", not "provisional" (a diagnosis under consideration)
    # nor "confirmed" (sufficient evidence, which the case does not record)
    assert _code(cond["verificationStatus"], VER_STATUS) == "unconfirmed"
    assert validate(bundle) == []
    back, report = bundle_to_case(bundle)
    assert back.diagnosis.basis == "not_made" and report == []


def test_a_diagnosis_whose_basis_is_not_stated_is_confirmed_and_says_so_in_words():
    """Lu et al. 2022: the patient "developed calciphylaxis" — the diagnosis is the source's, what it
    rests on is not given. FHIR R4B "confirmed" (the source treats it as the patient's condition), its
    evidence "not stated" in words, and back as it was."""
    bundle = _bundle(published("fingers-toes-pd-fractionated-sts"))
    cond = _calciphylaxis(bundle)
    assert "diagnosed, basis not stated" in cond["text"]["div"]
    assert not re.search(r"[A-Za-z]_[A-Za-z]", json.dumps(cond)), "a raw code in the Condition"
    assert _code(cond["verificationStatus"], VER_STATUS) == "confirmed"
    assert [c["text"] for e in cond["evidence"] for c in e["code"]] == ["Diagnosis basis: not stated"]
    assert validate(bundle) == []
    back, report = bundle_to_case(bundle)
    assert back.diagnosis.basis == "not_stated" and report == []


def test_a_diagnosis_by_biopsy_is_confirmed_and_says_on_what():
    """Ali et al. 2020: "Diagnosed with calciphylaxis by skin biopsy"."""
    cond = _calciphylaxis(_bundle(published("ckd3-apixaban-twice-weekly-sts")))
    assert _code(cond["verificationStatus"], VER_STATUS) == "confirmed"
    assert "diagnosis made on: biopsy" in cond["text"]["div"]


# --- 3. FHIR: the clinical status from the outcome ----------------------------------------------------------------

def test_healed_wounds_make_the_condition_resolved_and_come_back():
    """Ali et al. 2020: "complete resolution of skin lesions" — the Condition was "active"."""
    bundle = _bundle(published("ckd3-apixaban-twice-weekly-sts"))
    assert _code(_calciphylaxis(bundle)["clinicalStatus"], CONDITION_CLINICAL) == "resolved"
    assert validate(bundle) == []
    assert bundle_to_case(bundle)[0].outcome.wound_healing == "healed"
    # a bundle carrying only the Condition's status (no wound-healing Observation), as another system's may
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"].get("code", {}).get("text")
                       != "Wound healing at the outcome"]
    back, report = bundle_to_case(bundle)
    assert back.outcome.wound_healing == "healed" and report == []


@pytest.mark.parametrize("name,status", [
    ("fingers-toes-pd-fractionated-sts", "active"),  # "managed successfully for 6 months": improved, not healed
    ("leg-hd-sepsis", "active"),  # died with the wounds worse: death does not resolve the condition
])
def test_wounds_not_healed_leave_the_condition_active(name, status):
    bundle = _bundle(published(name))
    assert _code(_calciphylaxis(bundle)["clinicalStatus"], CONDITION_CLINICAL) == status
    assert validate(bundle) == []


# --- 4. Phenopacket: what is left out is said ---------------------------------------------------------------------

LEFT_OUT = ["hypertension", "coronary artery disease", "atrial fibrillation"]  # Sprague 2014: no exact HPO term


def test_export_phenopacket_names_what_it_leaves_out(tmp_path, capsys):
    """Sprague 2014's patient has diabetes, hypertension, coronary artery disease ("two prior myocardial
    infarctions") and atrial fibrillation; resources/interop/hpo.json lists an exact term for diabetes
    only, and promises the export says what it leaves out — the command said nothing."""
    lib, out = tmp_path / "a.casebook", tmp_path / "packet.json"
    assert main(["init", str(lib)]) == 0
    capsys.readouterr()
    code = main(["--library", str(lib), "export-phenopacket", str(CASES / "necrotic-hd-diabetes-af.json"),
                 "-o", str(out)])
    stdout, stderr = capsys.readouterr()
    assert code == 0
    lines = [ln.strip().lower() for ln in stderr.splitlines()]
    for name in LEFT_OUT:
        assert sum(name in ln for ln in lines) == 1, (name, stderr)
    assert not any("diabetes" in ln for ln in lines)
    packet = json.loads(out.read_text("utf-8"))
    labels = {f["type"]["label"].lower() for f in packet["phenotypicFeatures"]}
    assert not any(name in label for name in LEFT_OUT for label in labels)
    # to standard output the notes stay on standard error, so the JSON is whole
    assert main(["--library", str(lib), "export-phenopacket", str(CASES / "necrotic-hd-diabetes-af.json")]) == 0
    stdout, stderr = capsys.readouterr()
    assert json.loads(stdout)["id"] and all(name in stderr.lower() for name in LEFT_OUT)


def test_the_export_operation_returns_what_it_leaves_out(tmp_path):
    """The window's export calls the same operation: the list is in its result for the window to show."""
    from desktop.app.export import export
    result = export("phenopacket", [published("necrotic-hd-diabetes-af")], tmp_path / "p.json")
    named = [next(n for n in LEFT_OUT if n in line.lower()) for line in result.left_out
             if any(n in line.lower() for n in LEFT_OUT)]
    assert named == LEFT_OUT


# --- 5. FHIR: the case's status and a lesion with no site ---------------------------------------------------------

@pytest.mark.parametrize("status", ["published", "submitted", "draft"])
def test_the_case_status_comes_back_as_recorded(status):
    """Every case of tests/cases is published; it came back "submitted"."""
    case = published("ckd3-apixaban-twice-weekly-sts")
    case.status = status
    bundle = _bundle(case)
    assert validate(bundle) == []
    assert bundle_to_case(bundle)[0].status == status


def test_a_bundle_that_does_not_say_the_status_reads_as_before():
    bundle = _bundle(published("ckd3-apixaban-twice-weekly-sts"))
    comp = bundle["entry"][0]["resource"]
    comp.pop("text")
    assert bundle_to_case(bundle)[0].status == "submitted"
    comp["status"] = "preliminary"
    assert bundle_to_case(bundle)[0].status == "draft"


@pytest.mark.parametrize("name,detail", [
    ("ckd3-apixaban-twice-weekly-sts", "skin lesions; sites not in the text we hold"),
    ("necrotic-hd-diabetes-af", "sites not in the text held"),
])
def test_a_lesion_with_no_site_keeps_its_words_without_a_warning(name, detail):
    """The site detail went where the site goes, and the import said "lesion site '…': not a Casebook
    site; kept as the site detail"."""
    bundle = _bundle(published(name))
    assert validate(bundle) == []
    back, report = bundle_to_case(bundle)
    assert report == []
    assert [(les.site, les.site_detail) for les in back.lesions] == [("", detail)]


def test_a_foreign_lesion_site_is_still_reported():
    bundle = _bundle(published("ckd3-apixaban-twice-weekly-sts"))
    (les,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "BodyStructure"]
    les["location"] = {"text": "left lower quadrant"}
    back, report = bundle_to_case(bundle)
    assert back.lesions[0].site_detail == "left lower quadrant"
    assert report == ["lesion site 'left lower quadrant': not a Casebook site; kept as the site detail"]
