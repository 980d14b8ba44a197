"""REDCap round trip against the ORIGINAL case: every published case of tests/cases goes through the
command line as a user does it — import the case file, ``export-redcap``, ``import`` the data CSV,
``export-json`` — and the clinical facts of what comes back are compared with the case file itself,
not with a second REDCap export (REDCap against REDCap cannot see a fact that never reaches REDCap).

The comparison walks the whole model, so a field added to the model later is compared too until it is
carried or listed in :data:`NOT_CARRIED` with its reason. Before: the dialysis history had no fields;
a biopsy lost its grade ("consistent with", "declined"), specimen, features, its lesion and "histology
not stated" (it came back stated); "painful" without a score came back "not stated"; medication notes,
the outcome's adherence and tolerability, patient-assessed outcomes and adverse events, the diagnosis'
reasoning, time and differentials, events' signs, a lesion's nature, the digits a lab value is printed
with, the patient's dialysis adherence, graft and transplant time, and the case's source were dropped;
"2 years before" came back as "-730.5 days", losing the slack of its precision.

Not REDCap's doing, and so expected here: the de-identification every export runs first turns dates
into offsets from day 0, which is then exactly day 0 (what rests on its date is counted from it without
the date's precision), and words naming a date may be removed (see ``_time``).
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from desktop import jsonio
from desktop.cli import main
from desktop.model import Case, When
from desktop.timing import Timeline

from helpers import full_case
from redcap_validation import problems as redcap_problems

CASES = Path(__file__).parent / "cases"
PUBLIC = sorted(p for p in CASES.glob("*.json") if not p.name.endswith(".expected.json"))

# What REDCap deliberately does not carry, each with its reason ("Class.field" of desktop/model.py).
NOT_CARRIED = {
    # ids are minted afresh: the export gives every id an opaque one (de-identification) and the import
    # mints its own; the links between items travel as numbers (lesion number, "is day 0") and are
    # compared below as positions
    "*.id": "re-minted; links compared as positions",
    # the manuscript and its publication data go to a journal (PDF, DOCX), not to a registry
    "Case.short_title": "running head of the manuscript",
    "Case.authors": "the report's authors (names, affiliations): not data about the patient",
    "Case.manuscript": "the manuscript's text",
    "Case.references": "the manuscript's reference list",
    "Case.figures": "images are files; a REDCap data CSV holds no image (and a figure's links go with it)",
    "Consent.date": "an identifying date; de-identification removes it before any export",
    "Consent.note": "administrative note on the consent form, not a clinical fact",
    # identified export only: a de-identified REDCap export (the one tested) never holds them
    "Case.identifiers": "identifiers: only in an identified export (test_import_formats covers that one)",
}
# REDCap checkboxes are sets: these lists come back in the order of their codes, not the source's
UNORDERED = {"Patient.comorbidities", "Observation.morphology", "Event.signs", "Biopsy.features"}


class _AnyPrecision:
    """The precision of a time that rests on a calendar date: de-identification turns the date into a
    day count and does not keep the date's precision."""

    def __eq__(self, other):
        return other in ("day", "week", "month", "year")

    def __repr__(self):
        return "<a date's precision>"


class _WordsNamingAYear(str):
    """Words that name a year ("September of 2005"): the same words, or the same with the date removed
    by de-identification (desktop/privacy/deidentify.py: '[removed]')."""

    def __eq__(self, other):
        return str.__eq__(self, other) or (isinstance(other, str) and "[removed]" in other)

    __hash__ = str.__hash__


ANY_PRECISION = _AnyPrecision()
YEAR = re.compile(r"\b(1[89]|20)\d\d\b")


def _date_under(case: Case, when: When, seen=frozenset()) -> tuple[str, bool] | None:
    """The calendar date a time rests on (its own, or that of the event it is "at the time of"), and
    whether that date is the index event's."""
    if when.date:
        idx = case.index_event
        return when.date, idx is not None and when is idx.when
    ev = case.event(when.event_id) if when.event_id and when.event_id not in seen else None
    if ev is None:
        return None
    if ev.id == case.index_event_id:
        return (ev.when.date, True) if ev.when.date else None
    return _date_under(case, ev.when, seen | {ev.id})


def _time(case: Case, timeline: Timeline, when: When):
    """A time as REDCap carries it: days from day 0, approximate, the precision it is counted in, and
    the source's words. De-identification (before every export) turns a calendar date into a day count:
    the date's precision is not kept, and words that name a year may be removed as a date."""
    placed = timeline.place(when)
    words = _WordsNamingAYear(when.label) if YEAR.search(when.label) else when.label
    if placed is None:
        return None, words
    day = round(placed.day, 6)
    if _date_under(case, when) is not None:  # the same day, counted from a day 0 that is exactly day 0
        return (day, placed.approximate, ANY_PRECISION), words
    return (day, placed.approximate, placed.precision), words


def facts(case: Case) -> dict:
    """The clinical facts of ``case``: the whole model less :data:`NOT_CARRIED`, times as REDCap
    carries them, links as positions, checkbox lists as sets."""
    timeline = Timeline(case)
    lesions = {les.id: n for n, les in enumerate(case.lesions)}
    events = {e.id: n for n, e in enumerate(case.events)}

    def walk(obj, owner: str = ""):
        if isinstance(obj, When):
            return _time(case, timeline, obj)
        if dataclasses.is_dataclass(obj):
            cls = type(obj).__name__
            out = {}
            for f in dataclasses.fields(obj):
                if f"{cls}.{f.name}" in NOT_CARRIED or (f.name == "id" and "*.id" in NOT_CARRIED):
                    continue
                value = getattr(obj, f.name)
                if f"{cls}.{f.name}" == "Biopsy.lesion_id":
                    value = ("lesion", lesions.get(value))
                elif f"{cls}.{f.name}" == "Case.index_event_id":
                    value = ("event", events.get(value))
                elif f"{cls}.{f.name}" == "Event.when" and obj.id == case.index_event_id:
                    value = When(event_id=obj.id, label=value.label)  # day 0 by definition, dated or not
                out[f.name] = walk(value, f"{cls}.{f.name}")
            return out
        if isinstance(obj, list):
            items = [walk(v) for v in obj]
            return sorted(items, key=repr) if owner in UNORDERED else items
        if isinstance(obj, float):  # REDCap data holds a number with 10 significant digits
            return float(f"{obj:.10g}")
        return obj

    out = walk(case)
    if case.patient.age_years is not None and case.patient.age_years > 89:  # Safe Harbor: "90 or older"
        out["patient"]["age_years"], out["patient"]["age_over_89"] = None, True
    return out


def _through_redcap(case_file: Path, tmp_path: Path, capsys) -> Case:
    tmp_path.mkdir(parents=True, exist_ok=True)
    lib, out = tmp_path / "l.casebook", tmp_path / "redcap"
    assert main(["init", str(lib)]) == 0
    capsys.readouterr()

    def run(*args) -> str:
        code = main(["--library", str(lib), *args])
        got = capsys.readouterr()
        assert code == 0 and got.err == "", (args, got.err)
        return got.out.strip()

    cid = run("import", str(case_file))
    # the scan flags the dates two published cases print; the de-identification removes them either way
    run("export-redcap", cid, "-o", str(out), "--allow-phi-warnings")
    files = {n: (out / n).read_text("utf-8") for n in ("data_dictionary.csv", "data.csv", "project.xml")}
    assert redcap_problems(files["data_dictionary.csv"], files["data.csv"], files["project.xml"]) == []
    back_id = run("import", str(out / "data.csv"))  # stderr empty: nothing reported as not imported
    run("export-json", back_id, "-o", str(tmp_path / "back.json"))
    return jsonio.loads((tmp_path / "back.json").read_text("utf-8"))


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_each_published_case_keeps_its_clinical_facts_through_redcap(path, tmp_path, capsys):
    original = jsonio.loads(path.read_text("utf-8"))
    back = _through_redcap(path, tmp_path, capsys)
    assert facts(back) == facts(original)


def test_the_synthetic_case_with_every_kind_of_data_keeps_its_facts(tmp_path, capsys):
    """Vitals, differentials, a treatment's culture and history marks, a 0–100 pain score, a text that
    begins like a spreadsheet formula: what no published case has yet."""
    case = full_case()
    case.vitals[0].note = "seated"
    case.treatments[-1].culture_directed, case.treatments[-1].history = "no", False
    case.lesions[0].observations[0].pain, case.lesions[0].observations[0].pain_0_100 = "present", 70
    case.lesions[0].nature = "calciphylaxis"
    case.patient.transplant_date = When(offset=-4.0, precision="year", label="4 years before")
    case.patient.graft_status = "failed"
    case.lesions[0].description = "- ulcer, 3 cm"  # written with an apostrophe first (no formula), read back without
    case.medications[0].note = "=stopped"
    case.manuscript.discussion = ""  # names a clinic and a doctor: the export would refuse it (not carried anyway)
    path = tmp_path / "full.json"
    path.write_text(jsonio.dumps(case), "utf-8")
    back = _through_redcap(path, tmp_path / "run", capsys)
    assert facts(back) == facts(jsonio.loads(path.read_text("utf-8")))


# --- each loss, on the published case that showed it; the expected values are the case file's own -------

def _source(name: str) -> dict:
    return json.loads((CASES / f"{name}.json").read_text("utf-8"))


def test_the_dialysis_history_comes_back(tmp_path, capsys):
    """Necrotic lesions on haemodialysis: "thrice-weekly hemodialysis for 2 years"."""
    (period,) = _source("necrotic-hd-diabetes-af")["patient"]["dialysis_history"]
    back = _through_redcap(CASES / "necrotic-hd-diabetes-af.json", tmp_path, capsys)
    (got,) = back.patient.dialysis_history
    assert (got.modality, got.sessions_per_week, got.reason) == (
        period["modality"], period["sessions_per_week"], period["reason"])
    assert (got.start.offset, got.start.precision, got.start.label) == (
        period["start"]["offset"], period["start"]["precision"], period["start"]["label"])


def test_a_biopsy_keeps_grade_specimen_lesion_and_unstated_histology(tmp_path, capsys):
    """CKD 3 on apixaban: a skin biopsy whose histology the source does not report stays "not stated"."""
    source = _source("ckd3-apixaban-twice-weekly-sts")
    (bx,) = source["biopsies"]
    back = _through_redcap(CASES / "ckd3-apixaban-twice-weekly-sts.json", tmp_path, capsys)
    (got,) = back.biopsies
    assert (got.grade, got.specimen, got.histology_stated, got.site_detail) == (
        bx["grade"], bx["specimen"], bx["histology_stated"], bx["site_detail"])
    lesion_at = [les["id"] for les in source["lesions"]].index(bx["lesion_id"])
    assert got.lesion_id == back.lesions[lesion_at].id


def test_a_declined_biopsy_stays_declined(tmp_path, capsys):
    (bx,) = _source("penile-hd-biopsy-declined")["biopsies"]
    back = _through_redcap(CASES / "penile-hd-biopsy-declined.json", tmp_path, capsys)
    assert [(b.grade, b.lesion_id is not None) for b in back.biopsies] == [(bx["grade"], True)]


def test_painful_without_a_score_stays_painful(tmp_path, capsys):
    source = _source("fingers-toes-pd-fractionated-sts")
    back = _through_redcap(CASES / "fingers-toes-pd-fractionated-sts.json", tmp_path, capsys)
    assert [(o.pain, o.pain_0_10) for les in back.lesions for o in les.observations] == [
        (o["pain"], o["pain_0_10"]) for les in source["lesions"] for o in les["observations"]]
    assert "present" in [o.pain for les in back.lesions for o in les.observations]


def test_medication_notes_and_the_outcome_texts_come_back(tmp_path, capsys):
    source = _source("fingers-toes-pd-fractionated-sts")
    back = _through_redcap(CASES / "fingers-toes-pd-fractionated-sts.json", tmp_path, capsys)
    o = source["outcome"]
    assert o["adherence"] and back.outcome.adherence == o["adherence"]
    assert (back.outcome.summary, back.outcome.hospitalisations, back.outcome.patient_assessed,
            back.outcome.adverse_events) == (o["summary"], o["hospitalisations"], o["patient_assessed"],
                                             o["adverse_events"])
    meds = _source("breast-hd-woman")["medications"]
    back = _through_redcap(CASES / "breast-hd-woman.json", tmp_path / "b", capsys)
    assert [m.note for m in back.medications] == [m["note"] for m in meds] and any(m["note"] for m in meds)


def test_an_export_written_before_these_fields_still_imports(tmp_path, capsys):
    """tests/data/redcap_written_before/: necrotic-hd-diabetes-af as the previous Casebook exported it
    (no precision, dialysis period, pain word, biopsy grade…; days with 6 digits). It imports with
    nothing reported, its codes mean what they meant, and a time reads as days."""
    from desktop.interop.redcap_import import read
    old = Path(__file__).parent / "data" / "redcap_written_before"
    imported = read((old / "data.csv").read_text("utf-8"), (old / "data_dictionary.csv").read_text("utf-8"))
    assert imported.report == []
    (back,) = imported.cases
    source = _source("necrotic-hd-diabetes-af")
    assert (back.patient.sex, back.patient.age_years, back.patient.ckd_stage, back.patient.dialysis_modality) == (
        source["patient"]["sex"], source["patient"]["age_years"], source["patient"]["ckd_stage"],
        source["patient"]["dialysis_modality"])
    assert sorted(c.code for c in back.patient.comorbidities) == sorted(c["code"] for c in source["patient"]["comorbidities"])
    assert [(lab.analyte, lab.value, lab.unit) for lab in back.labs] == [
        (lab["analyte"], lab["value"], lab["unit"]) for lab in source["labs"]]
    assert [les.site for les in back.lesions] == [les["site"] for les in source["lesions"]]
    original = jsonio.loads((CASES / "necrotic-hd-diabetes-af.json").read_text("utf-8"))
    start = Timeline(original).place(original.patient.dialysis_start)
    assert back.patient.dialysis_start.precision == "day"  # what the old file says: days
    assert back.patient.dialysis_start.offset == pytest.approx(start.day)
    assert all(o.pain == "not_stated" for les in back.lesions for o in les.observations)  # not in the old file
