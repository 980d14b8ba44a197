"""The FHIR R4B document checked as an integrator's validator checks it, against the official core
package ``hl7.fhir.r4b.core`` 4.3.0 (fetched from npm into a cache by tests/fhir_validation.py):
JSON schema, cardinality, types, required bindings, FHIRPath invariants, the vital-signs profiles
and the core extensions. Expected codes come from the standards (LOINC, UCUM, the FHIR core
profiles), never from Casebook's output. A broken copy of each kind is caught, so the validator is
known to work."""
import copy
import datetime as dt
import json

import pytest

from desktop.demo import load_demo
from desktop.interop import prepare
from desktop.interop.fhir import case_to_bundle
from desktop.model import LabResult, Vital

from fhir_validation import validate
from helpers import full_case

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module", params=["demo", "full"])
def bundle(request):
    case = load_demo() if request.param == "demo" else full_case()
    return case_to_bundle(prepare(case), now=NOW)


def test_zero_errors_against_the_r4b_core_package(bundle):
    assert validate(bundle) == []


def _resources(b, rtype):
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == rtype]


def test_no_extension_of_our_own_and_relative_times_point_at_the_index_event(bundle):
    text = json.dumps(bundle)
    assert "casebook.invalid" not in text
    urls = set()

    def walk(o):
        if isinstance(o, dict):
            if "url" in o and "extension" in o or "url" in o and any(k.startswith("value") for k in o):
                urls.add(o["url"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(bundle)
    absolute = {u for u in urls if ":" in u}
    assert absolute <= {"http://hl7.org/fhir/StructureDefinition/cqf-relativeDateTime",
                        "http://hl7.org/fhir/StructureDefinition/data-absent-reason"}, absolute
    index = _resources(bundle, "Encounter")
    assert len(index) == 1
    index_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is index[0])
    labs = [o for o in _resources(bundle, "Observation") if o["category"][0]["coding"][0]["code"] == "laboratory"]
    timed = [o for o in labs if "_effectiveDateTime" in o]
    assert timed and len(timed) == len(labs)
    for o in timed:
        (rel,) = o["_effectiveDateTime"]["extension"]
        parts = {x["url"]: x for x in rel["extension"]}
        assert parts["target"]["valueReference"]["reference"] == index_url
        assert parts["relationship"]["valueCode"] in ("before-start", "after-start")
        assert parts["offset"]["valueDuration"]["system"] == "http://unitsofmeasure.org"


def test_a_lab_from_60_days_before_day_0():
    b = case_to_bundle(prepare(load_demo()), now=NOW)
    ca = next(o for o in _resources(b, "Observation") if o.get("valueQuantity", {}).get("value") == 9.2)
    parts = {x["url"]: x for x in ca["_effectiveDateTime"]["extension"][0]["extension"]}
    assert parts["relationship"]["valueCode"] == "before-start"
    assert parts["offset"]["valueDuration"]["value"] * {"d": 1, "wk": 7, "mo": 30.4375}[
        parts["offset"]["valueDuration"]["code"]] == pytest.approx(60, abs=1)


# LOINC long common names and codes as LOINC publishes them (loinc.org), by analyte and property
@pytest.mark.parametrize("analyte,value,unit,code,display", [
    ("calcium", 9.2, "mg/dL", "17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
    ("calcium", 2.3, "mmol/L", "2000-8", "Calcium [Moles/volume] in Serum or Plasma"),
    ("phosphate", 1.6, "mmol/L", "14879-1", "Phosphate [Moles/volume] in Serum or Plasma"),
    ("pth_intact", 30.0, "pmol/L", "14866-8", "Parathyrin.intact [Moles/volume] in Serum or Plasma"),
    ("creatinine", 700.0, "μmol/L", "14682-9", "Creatinine [Moles/volume] in Serum or Plasma"),
    ("hba1c", 53.0, "mmol/mol", "59261-8", "Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol"),
    ("hba1c", 7.0, "%", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
    ("wbc", 7.0, "10^3/μL", "6690-2", "Leukocytes [#/volume] in Blood by Automated count"),
])
def test_loinc_by_analyte_and_unit_property(analyte, value, unit, code, display):
    from desktop.model import Case
    case = Case(title="t", status="draft")
    case.labs = [LabResult(id="x", analyte=analyte, value=value, unit=unit)]
    b = case_to_bundle(case, now=NOW)
    (obs,) = [o for o in _resources(b, "Observation")]
    assert obs["code"]["coding"] == [{"system": "http://loinc.org", "code": code, "display": display}]
    assert validate(b) == []


@pytest.mark.parametrize("unit,ucum", [("µmol/L", "umol/L"), ("μmol/L", "umol/L"), ("umol/L", "umol/L"),
                                       ("10^3/µL", "10*3/uL"), ("K/μL", "10*3/uL"), ("/mm3", "/uL"),
                                       ("°C", "Cel"), ("mmHg", "mm[Hg]")])
def test_ucum_spellings_normalised(unit, ucum):
    from desktop.interop.fhir import ucum_code
    assert ucum_code(unit) == ucum


def test_vital_signs_carry_the_profile_loinc_and_a_time():
    b = case_to_bundle(prepare(full_case()), now=NOW)
    vit = [o for o in _resources(b, "Observation") if o["category"][0]["coding"][0]["code"] == "vital-signs"]
    codes = {o["code"]["coding"][0]["code"]: o for o in vit}
    assert set(codes) == {"8480-6", "8310-5"}  # systolic BP, body temperature (FHIR vital-signs table)
    assert codes["8310-5"]["meta"]["profile"] == ["http://hl7.org/fhir/StructureDefinition/vitalsigns",
                                                  "http://hl7.org/fhir/StructureDefinition/bodytemp"]
    assert codes["8310-5"]["valueQuantity"]["code"] == "Cel"
    assert all("effectivePeriod" in o for o in vit)


def test_vital_sign_without_time_says_the_time_is_unknown():
    from desktop.model import Case
    case = Case(title="t")
    case.vitals = [Vital(id="hr", kind="heart_rate", value=88.0, unit="/min")]
    b = case_to_bundle(case, now=NOW)
    assert validate(b) == []
    (o,) = _resources(b, "Observation")
    assert o["effectivePeriod"]["extension"][0]["valueCode"] == "unknown"


def test_bundle_identifier_is_new_for_every_export_and_drafts_are_preliminary():
    case = prepare(full_case())
    a, b = case_to_bundle(case, now=NOW), case_to_bundle(case, now=NOW)
    assert a["identifier"]["value"] != b["identifier"]["value"] and a["timestamp"] == "2026-01-02T03:04:05+00:00"
    case.status = "draft"
    assert case_to_bundle(case)["entry"][0]["resource"]["status"] == "preliminary"
    case.status = "submitted"
    assert case_to_bundle(case)["entry"][0]["resource"]["status"] == "final"


def test_every_resource_has_manuscript_images_are_figure_and_consent_is_a_consent(bundle):
    for e in bundle["entry"]:
        assert e["resource"]["text"]["status"] == "generated" and e["resource"]["text"]["div"].startswith("<div")


def test_figure_holds_the_deidentified_bytes():
    import base64
    case = full_case()
    prepared = prepare(case)
    b = case_to_bundle(prepared, now=NOW)
    figures = _resources(b, "Media")
    shown = [m for m in prepared.figures if m.data is not None and m.in_report]
    assert [base64.b64decode(m["content"]["data"]) for m in figures] == [m.data for m in shown]
    (consent,) = _resources(b, "Consent")
    assert consent["provision"]["type"] == "permit" and consent["patient"]["reference"].startswith("urn:uuid:")


def test_identified_export_keeps_real_dates():
    case = full_case()
    b = case_to_bundle(case, now=NOW)  # not prepared: the author's own identified copy
    assert validate(b) == []
    (enc,) = _resources(b, "Encounter")
    assert enc["period"]["start"] == "2023-05-14"


# --- the validator catches each kind of mistake -------------------------------------------------------

def _first(b, rtype, pred=lambda r: True):
    return next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == rtype and pred(e["resource"]))


def _lab(r):
    return r.get("category", [{}])[0].get("coding", [{}])[0].get("code") == "laboratory"


def _vital(r):
    return "meta" in r


BREAKS = {
    "status outside its required value set": lambda b: _first(b, "Observation").__setitem__("status", "done"),
    "a required element missing": lambda b: _first(b, "Observation").pop("code"),
    "an extension of our own": lambda b: _first(b, "Observation").setdefault("extension", []).append(
        {"url": "https://casebook.invalid/fhir/StructureDefinition/x", "valueString": "y"}),
    "an empty section with only an emptyReason (cmp-1)": lambda b: b["entry"][0]["resource"]["section"].append(
        {"title": "x", "emptyReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
                                                   "code": "unavailable"}]}}),
    "a vital sign without a time (vital-signs profile)": lambda b: _first(b, "Observation", _vital).pop("effectivePeriod"),
    "a vital sign without its category": lambda b: _first(b, "Observation", _vital).pop("category"),
    "a script in the narrative (txt-1)": lambda b: _first(b, "Patient")["text"].__setitem__(
        "div", '<div xmlns="http://www.w3.org/1999/xhtml"><script>x()</script>text</div>'),
    "an element the resource does not have": lambda b: _first(b, "Patient").__setitem__("nickname", "x"),
    "a document without an identifier (bdl-9)": lambda b: b.pop("identifier"),
    "a wrong JSON type": lambda b: _first(b, "Patient").__setitem__("gender", 5),
    "a relative time without an offset": lambda b: _first(b, "Observation", _lab)["_effectiveDateTime"][
        "extension"][0]["extension"].pop(),
    "two values (max 1)": lambda b: _first(b, "Observation", _lab).__setitem__("valueString", "x"),
    "a reference range with nothing in it (obs-3)": lambda b: _first(b, "Observation", _lab).__setitem__(
        "referenceRange", [{"appliesTo": [{"text": "adults"}]}]),
}


@pytest.mark.parametrize("what", list(BREAKS))
def test_a_broken_copy_is_caught(what):
    b = copy.deepcopy(case_to_bundle(prepare(full_case()), now=NOW))
    BREAKS[what](b)
    assert validate(b), what
