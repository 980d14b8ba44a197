"""FHIR R4B bundles read back into cases: Casebook's own bundle round-trips (export → import →
export gives the same resources and section texts), and another system's bundle imports as far
as it maps, with a report of what did not."""
import copy
import datetime as dt
import json

import pytest

from desktop.demo import load_demo
from desktop.interop import prepare
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case

from fhir_validation import validate
from helpers import full_case

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def canonical(bundle: dict) -> dict:
    """What a round trip must keep: every resource and section text; not the per-export identity
    (Bundle id, identifier, timestamp, Composition date), the ids derived from Casebook's own ids,
    nor the generated narrative of each resource."""
    b = copy.deepcopy(bundle)
    for k in ("id", "identifier", "timestamp"):
        b.pop(k)
    urls = {e["fullUrl"]: f"#{i}" for i, e in enumerate(b["entry"])}
    for e in b["entry"]:
        r = e["resource"]
        r.pop("id"), r.pop("text")
        if r["resourceType"] == "BodyStructure":
            r.pop("identifier")
        if r["resourceType"] == "Composition":
            r.pop("date")

    def walk(o):
        if isinstance(o, dict):
            return {k: walk(v) for k, v in o.items()}
        if isinstance(o, list):
            return [walk(v) for v in o]
        return urls.get(o, o) if isinstance(o, str) else o
    return walk(b)


@pytest.mark.parametrize("which", ["demo", "full", "identified"])
def test_export_import_export_gives_the_same_bundle(which):
    case = {"demo": lambda: prepare(load_demo()), "full": lambda: prepare(full_case()),
            "identified": full_case}[which]()
    first = case_to_bundle(case, now=NOW)
    back, report = bundle_to_case(json.loads(json.dumps(first)))
    assert report == []
    second = case_to_bundle(back, now=NOW)
    assert canonical(second) == canonical(first)
    assert validate(second) == []


def test_what_comes_back_from_the_full_case():
    case = prepare(full_case())
    back, _ = bundle_to_case(case_to_bundle(case, now=NOW))
    assert back.patient.sex == "female" and back.patient.age_years == 61
    ca = next(l for l in back.labs if l.unit == "mmol/L" and l.analyte == "calcium")
    assert (ca.value, ca.ref_low, ca.ref_high) == (2.6, 2.1, 2.55)
    assert ca.when.offset == -10 and ca.when.precision == "day"
    assert [m.data for m in back.figures] == [m.data for m in case.figures if m.data is not None and m.in_report]
    assert back.consent.given_by == "patient" and back.consent.covers_images
    assert back.index_event is not None and back.index_event.kind == "presentation"
    assert {t.treatment_class for t in back.treatments} == {"sodium-thiosulfate", "debridement"}
    assert back.lesions[0].site == "abdomen" and back.lesions[0].observations[0].morphology == ["ulcer", "eschar"]
    assert back.lesions[0].onset.offset == -14 and back.lesions[0].laterality == "midline"
    # the abdomen has no sides: the document claims none (no "midline" qualifier), and the reader
    # records the lesion as the window does, at the site's midline
    bundle = case_to_bundle(case, now=NOW)
    site = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "BodyStructure")
    assert not site.get("locationQualifier")


def test_a_foreign_bundle_imports_as_far_as_it_maps():
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "gender": "male",
                                                "name": [{"family": "Doe"}]}},
        {"fullUrl": "urn:uuid:o1", "resource": {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "2000-8"}]},
            "valueQuantity": {"value": 2.7, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
            "effectiveDateTime": "2024-03-01"}},
        {"fullUrl": "urn:uuid:o2", "resource": {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "2093-3"}], "text": "Cholesterol"},
            "valueQuantity": {"value": 5.0, "unit": "mmol/L"}}},
        {"fullUrl": "urn:uuid:a", "resource": {"resourceType": "AllergyIntolerance", "id": "a1"}},
    ]}
    case, report = bundle_to_case(bundle)
    assert case.patient.sex == "male"
    lab, other = case.labs
    assert (lab.analyte, lab.value, lab.unit, lab.when.date) == ("calcium", 2.7, "mmol/L", "2024-03-01")
    # a result Casebook's list does not have is kept under the name the bundle gives it, and said so
    assert (other.analyte, other.name, other.value, other.unit) == ("other", "Cholesterol", 5.0, "mmol/L")
    text = "\n".join(report)
    assert "'Cholesterol': not in Casebook's list of analytes; kept under its name" in text
    assert "AllergyIntolerance" in text and "Patient.name" in text and "collection" in text


# --- the published cases of tests/cases ------------------------------------------------------------------

PUBLIC = sorted(p for p in (__import__("pathlib").Path(__file__).parent / "cases").glob("*.json")
                if not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_each_published_case_is_valid_and_round_trips(path):
    """Every published case of the public set exports as a valid R4B document and comes back as the
    same bundle. Before: the class of a treatment that is also a medicine
    class (cinacalcet) came back "Other"; a coarse site ("thigh, aspect not stated") came back as a
    site detail; "painful" was dropped; the index event, its date removed, was missing from the
    Timeline; events came back as "other" and events with no place were dropped; a result in words
    lost its unit and with it its LOINC code; a lesion onset at the time of an event with no place
    ("during hospitalization") lost that time."""
    from desktop import jsonio
    case = prepare(jsonio.loads(path.read_text("utf-8")))
    first = case_to_bundle(case, now=NOW)
    assert validate(first) == []
    back, _report = bundle_to_case(json.loads(json.dumps(first)))
    assert canonical(case_to_bundle(back, now=NOW)) == canonical(first)


def test_what_the_clinical_advisor_case_keeps_through_fhir():
    """Clinical Advisor (August 2012), through a FHIR document and back: the facts a registry reads."""
    from pathlib import Path

    from desktop import jsonio
    case = prepare(jsonio.loads((Path(__file__).parent / "cases" / "breast-hd-woman.json").read_text("utf-8")))
    back, report = bundle_to_case(json.loads(json.dumps(case_to_bundle(case, now=NOW))))
    assert report == []
    assert [(t.agent, t.treatment_class, t.dose, t.dose_unit) for t in back.treatments][:3] == [
        ("sodium thiosulfate", "sodium-thiosulfate", 12.5, "mg"), ("sodium thiosulfate", "sodium-thiosulfate", 25.0, "mg"),
        ("cinacalcet", "calcimimetic", None, "")]
    assert [(l.site, l.laterality) for l in back.lesions] == [("breast", "left"), ("thigh", "bilateral")]
    assert [o.pain for l in back.lesions for o in l.observations] == ["present", "present"]
    assert [e.kind for e in back.events] == ["presentation", "other"]


def _kidney(case):
    from desktop.timing import Timeline
    p, tl = case.patient, Timeline(case)

    def day(w):
        placed = tl.place(w)
        return None if placed is None else round(placed.day)
    return (p.ckd_stage, p.dialysis_modality, day(p.dialysis_start), p.dialysis_start.label,
            [(d.modality, day(d.start), day(d.stop), d.reason, d.sessions_per_week) for d in p.dialysis_history],
            p.kidney_transplant, day(p.transplant_date), p.graft_status, p.dialysis_adherence, p.adherence_detail)


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_the_kidney_status_goes_through_fhir_and_back(path):
    """The FHIR document carried no kidney status at all: a registry reading Robinson et al. 2007 saw no
    kidney transplant, the SHM abstract no change from peritoneal to haemodialysis, any case no CKD stage
    or dialysis. Now the CKD stage is a Condition (its ICD-10-CM code from resources/interop), dialysis at
    presentation, each period of the dialysis history and a kidney transplant are Procedures, "not on
    dialysis" and "no transplant" are not-done Procedures; each comes back as it was."""
    from desktop import jsonio
    case = prepare(jsonio.loads(path.read_text("utf-8")))
    bundle = case_to_bundle(case, now=NOW)
    back, _ = bundle_to_case(json.loads(json.dumps(bundle)))
    assert _kidney(back) == _kidney(case)


def test_kidney_status_resources_as_the_standards_code_them():
    """ICD-10-CM N18.6 is "End stage renal disease" (CKD stage 5D here), Z94.0 "Kidney transplant status"."""
    from pathlib import Path

    from desktop import jsonio
    case = prepare(jsonio.loads((Path(__file__).parent / "cases" / "thighs-transplant-cinacalcet.json").read_text("utf-8")))
    bundle = case_to_bundle(case, now=NOW)
    res = [e["resource"] for e in bundle["entry"]]
    ckd = next(r for r in res if r["resourceType"] == "Condition" and "CKD stage" in r["code"]["text"])
    assert ckd["code"]["coding"][0]["code"] == "Z94.0"
    tx = next(r for r in res if r["resourceType"] == "Procedure" and r["code"]["text"] == "Kidney transplant")
    assert tx["status"] == "completed" and "_performedDateTime" in tx  # 2 years before presentation
    case.patient.ckd_stage, case.patient.dialysis_modality = "5D", "none"
    res = [e["resource"] for e in case_to_bundle(case, now=NOW)["entry"]]
    assert next(r for r in res if r["resourceType"] == "Condition" and "CKD stage" in r["code"]["text"]
                )["code"]["coding"][0]["code"] == "N18.6"
    assert next(r for r in res if r["resourceType"] == "Procedure" and r["code"]["text"] == "Dialysis")["status"] == "not-done"


def test_a_biopsy_keeps_its_grade_specimen_histology_and_lesion_through_fhir():
    """Sanguankeo et al. 2017: a punch biopsy "initially" negative (small-vessel vasculitis), a second
    "consistent with calciphylaxis"; the biopsy Procedure carried neither the grade, the specimen, the
    histological features nor which lesion was biopsied, so a registry read two bare results."""
    from desktop import jsonio
    for path in PUBLIC:
        case = prepare(jsonio.loads(path.read_text("utf-8")))
        if not case.biopsies:
            continue
        back, _ = bundle_to_case(json.loads(json.dumps(case_to_bundle(case, now=NOW))))

        def facts(c):
            number = {les.id: n for n, les in enumerate(c.lesions, 1)}
            return [(b.result, b.grade, b.specimen, b.features, b.histology_stated, number.get(b.lesion_id))
                    for b in c.biopsies]
        assert facts(back) == facts(case), path.stem
    sang = prepare(jsonio.loads((PUBLIC[0].parent / "legs-nondialysis-aki-two-biopsies.json").read_text("utf-8")))
    assert [(b.result, b.grade) for b in sang.biopsies][1] == ("confirmed", "consistent_with")


def _clinical(case):
    o = case.outcome
    return (case.patient.ethnicity, [(d.name, d.status, d.how) for d in case.diagnosis.differentials],
            (o.status, o.cause_of_death if o.status == "dead" else "", o.wound_healing),
            sorted(((l.analyte, l.value, l.qualitative, l.author_flag, l.as_printed, l.specimen, l.organism)
                    for l in case.labs), key=repr),
            [(t.agent, t.during_dialysis) for t in case.treatments],
            [o.surrounding_skin for les in case.lesions for o in les.observations])


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_the_facts_a_registry_reads_go_through_fhir_and_back(path):
    """A survey of each published case's facts after a FHIR document and back found these lost: the
    differential diagnosis (Clinical Advisor 2012's seven), the ethnicity, the outcome (alive), the cause
    of death and wound healing, the source's own H/L marks, "kept as printed", culture specimens and organisms, a word
    beside a value ("<5 undetectable"), whether a treatment was given during dialysis, and the
    surrounding skin. Keywords, the case's status and source, and the source's own words for each time
    are the document's metadata or narrative, not carried."""
    from desktop import jsonio
    case = prepare(jsonio.loads(path.read_text("utf-8")))
    back, _ = bundle_to_case(json.loads(json.dumps(case_to_bundle(case, now=NOW))))
    assert _clinical(back) == _clinical(case)


def test_a_procedure_given_during_dialysis_says_so_after_fhir():
    from desktop.model import Treatment
    case = full_case()
    case.treatments.append(Treatment(kind="procedure", agent="intensified dialysis against a low calcium bath",
                                     treatment_class="dialysis-change", during_dialysis="yes"))
    back, report = bundle_to_case(json.loads(json.dumps(case_to_bundle(prepare(case), now=NOW))))
    assert report == [] and (back.treatments[-1].agent, back.treatments[-1].during_dialysis) == (
        "intensified dialysis against a low calcium bath", "yes")


def test_keywords_and_the_source_of_a_published_case_go_through_fhir_and_back():
    """Ali et al., Wounds 2020, as the public set records it: its four keywords and its citation (a
    Composition has no element for either; they are paragraphs of its narrative, labelled)."""
    from pathlib import Path
    from desktop import jsonio
    case = prepare(jsonio.loads((Path(__file__).parent / "cases" / "ckd3-apixaban-twice-weekly-sts.json")
                                .read_text("utf-8")))
    assert case.keywords and case.source.startswith("Ali F, Matharu T")
    bundle = case_to_bundle(case, now=NOW)
    assert validate(bundle) == []
    comp = bundle["entry"][0]["resource"]
    assert "Keywords: calciphylaxis; chronic kidney disease; apixaban; sodium thiosulfate" in comp["text"]["div"]
    back, report = bundle_to_case(json.loads(json.dumps(bundle)))
    assert back.keywords == ["calciphylaxis", "chronic kidney disease", "apixaban", "sodium thiosulfate"]
    assert back.source == case.source and report == []
    # a case with neither writes neither paragraph
    case.keywords, case.source = [], ""
    div = case_to_bundle(case, now=NOW)["entry"][0]["resource"]["text"]["div"]
    assert "Keywords:" not in div and "Source of the case:" not in div


def test_a_time_recorded_without_a_place_is_not_called_unrecorded_in_the_narrative():
    """The Hemodial Int 2013 case dates nothing: the oral calcium was started at the time of the
    undated hypocalcaemia. Its MedicationStatement's narrative said "from time not recorded"."""
    from pathlib import Path
    from desktop import jsonio
    case = prepare(jsonio.loads((Path(__file__).parent / "cases" / "hd-two-episodes-ptx-then-sts.json")
                                .read_text("utf-8")))
    bundle = case_to_bundle(case, now=NOW)
    assert validate(bundle) == []
    calcium = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "MedicationStatement"
                   and e["resource"]["medicationCodeableConcept"]["text"] == "oral calcium")
    assert "from time not placed on the day axis" in calcium["text"]["div"]
    assert "time not recorded" not in calcium["text"]["div"]
