"""The built-in demo case holds every fact of the seed article (Smilnak et al., J Med Case Rep
2022;16:18) and nothing the article does not state."""
from __future__ import annotations

import re

import pytest

from desktop import jsonio
from desktop.demo import DEMO_PATH, load_demo
from desktop.model import Identifiers
from desktop.timing import DAYS_PER, Timeline

MONTH = DAYS_PER["month"]
# the event ids other parts (and these tests) rely on
ADMISSION, PENILE_ONSET, DISCHARGE = "ev-admission", "ev-penile-onset", "ev-discharge"


@pytest.fixture(scope="module")
def case():
    return load_demo()


@pytest.fixture(scope="module")
def timeline(case):
    return Timeline(case)


def numbers_in(text: str) -> set[float]:
    return {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}


# --- the file ---------------------------------------------------------------------------------------

def test_file_loads_and_validates(case):
    assert DEMO_PATH.parent.name == "demo" and DEMO_PATH.parent.parent.name == "resources"
    assert jsonio.check_case(case) == []
    assert case.index_event_id == ADMISSION
    assert case.event(ADMISSION).kind == "presentation"


def test_file_round_trips_byte_identically():
    text = DEMO_PATH.read_text(encoding="utf-8")
    assert jsonio.dumps(jsonio.loads(text)) == text


def test_each_load_is_a_fresh_copy():
    first, second = load_demo(), load_demo()
    first.labs.clear()
    first.patient.age_years = 1
    assert len(second.labs) == 11 and second.patient.age_years == 73


def test_metadata_credits_the_article_and_invents_no_authors(case):
    assert "case report" in case.title.lower()
    assert case.title == "Calciphylaxis of the penis and distal digits: a case report"
    assert [a.name for a in case.authors] == ["Smilnak et al."]
    assert all(not a.affiliations and not a.email and not a.orcid for a in case.authors)
    assert "J Med Case Rep 2022;16:18" in case.source and "CC BY 4.0" in case.source
    assert {"calciphylaxis", "sodium thiosulfate", "case report"} <= set(case.keywords)
    assert 2 <= len(case.keywords) <= 5  # CARE item 2


def test_no_identifiers_no_figure_no_invented_consent(case):
    assert case.identifiers == Identifiers() and case.identifiers.is_empty()
    assert case.figures == []
    assert case.consent.given_by == "none" and not case.consent.recorded
    assert case.consent.date is None
    assert "not in the text we hold" in case.consent.note
    # no calendar dates anywhere: every time is relative to day 0 or to another event
    whens = [e.when for e in case.events] + [l.when for l in case.labs] + [v.when for v in case.vitals]
    whens += [t.start for t in case.treatments] + [t.stop for t in case.treatments]
    whens += [l.onset for l in case.lesions] + [o.when for l in case.lesions for o in l.observations]
    whens += [case.diagnosis.when, case.outcome.when, case.patient.dialysis_start]
    assert all(w.date is None for w in whens)


# --- patient ----------------------------------------------------------------------------------------

def test_patient(case):
    p = case.patient
    assert (p.age_years, p.sex, p.ethnicity) == (73, "male", "African American")
    assert (p.ckd_stage, p.dialysis_modality) == ("5D", "haemodialysis")
    assert p.weight_kg is None and p.height_cm is None  # the article gives neither
    codes = {c.code: c.detail for c in p.comorbidities}
    assert set(codes) == {"diabetes", "coronary-artery-disease", "heart-failure", "hypertension"}
    assert "preserved ejection fraction" in codes["heart-failure"]
    assert "no history of tobacco use" in p.social_history.lower()
    assert "glans penis" in p.presenting_concerns and "2 months" in p.presenting_concerns
    assert "amoxicillin–clavulanic acid" in p.past_interventions
    assert "mechanical circulatory support" in p.past_interventions


# --- findings at presentation -----------------------------------------------------------------------

def test_blood_pressure_and_afebrile(case, timeline):
    bp = {v.kind: v for v in case.vitals}
    assert set(bp) == {"systolic_bp", "diastolic_bp"}  # no invented temperature or heart rate
    assert (bp["systolic_bp"].value, bp["systolic_bp"].unit) == (87, "mmHg")
    assert (bp["diastolic_bp"].value, bp["diastolic_bp"].unit) == (52, "mmHg")
    for v in bp.values():
        assert timeline.place(v.when).day == 0
    exam = [e for e in case.events if e.kind == "examination"]
    assert len(exam) == 1 and "afebrile" in exam[0].description.lower()
    assert "afebrile" in case.manuscript.clinical_findings


ADMISSION_LABS = [
    ("bun", 40, "mg/dL", 7, 21),
    ("potassium", 5.1, "mmol/L", 3.5, 4.7),
    ("calcium", 9.1, "mg/dL", 8.5, 10.1),
    ("phosphate", 1.5, "mg/dL", 2.5, 4.9),
    ("pth_intact", 104, "pg/mL", 18.4, 80.1),
    ("albumin", 2.9, "g/dL", 3.4, 5.0),
    ("wbc", 6.8, "K/\u00b5L", 4.0, 11.0),
    ("haemoglobin", 7.3, "g/dL", 13.0, 17.0),
    ("hba1c", 6.9, "%", None, 5.6),
]


@pytest.mark.parametrize("analyte,value,unit,low,high", ADMISSION_LABS)
def test_admission_lab(case, timeline, analyte, value, unit, low, high):
    found = [l for l in case.labs if l.analyte == analyte and l.when.event_id != PENILE_ONSET]
    assert len(found) == 1, f"{analyte}: expected one admission result"
    lab = found[0]
    assert (lab.value, lab.comparator, lab.unit, lab.ref_low, lab.ref_high) == (value, "=", unit, low, high)
    placed = timeline.place(lab.when)
    assert placed is not None and placed.day == 0 and placed.approximate  # "during admission"
    assert "during admission" in lab.when.label


def test_every_lab_is_accounted_for(case):
    # nine admission results and the two chart-review values: nothing more, nothing less
    assert len(case.labs) == len(ADMISSION_LABS) + 2


def test_calcium_and_phosphorus_when_the_penile_lesion_first_appeared(case, timeline):
    onset = case.event(PENILE_ONSET)
    assert onset is not None and onset.kind == "lesion_onset"
    glans = next(l for l in case.lesions if l.site == "glans-penis")
    assert glans.onset.event_id == PENILE_ONSET
    at_onset = {l.analyte: l for l in case.labs if l.when.event_id == PENILE_ONSET}
    assert set(at_onset) == {"calcium", "phosphate"}
    assert (at_onset["calcium"].value, at_onset["calcium"].unit) == (9.2, "mg/dL")
    assert (at_onset["phosphate"].value, at_onset["phosphate"].unit) == (9.0, "mg/dL")
    for lab in at_onset.values():
        assert lab.ref_low is None and lab.ref_high is None  # the article gives none for these
        assert "82.8" in lab.note  # the product as the article reports it
        assert lab.when.label == "when the penile lesion first appeared"
    assert at_onset["calcium"].value * at_onset["phosphate"].value == pytest.approx(82.8)
    placed = timeline.place(at_onset["calcium"].when)
    assert placed.approximate and placed.day == pytest.approx(-2 * MONTH)


def test_structured_numbers_come_from_the_quoted_article(case):
    """Every lab number (value and range) appears in the article's own words in the manuscript."""
    quoted = numbers_in(case.manuscript.diagnostic_assessment)
    for lab in case.labs:
        for n in (lab.value, lab.ref_low, lab.ref_high):
            if n is not None:
                assert n in quoted, f"{lab.analyte}: {n} is not in the article's text"
    assert {87.0, 52.0} <= numbers_in(case.manuscript.clinical_findings)
    assert 25.0 in numbers_in(case.manuscript.therapeutic_intervention)


# --- timeline ---------------------------------------------------------------------------------------

def test_events_of_the_article_are_present_in_order(case):
    kinds = [e.kind for e in case.events]
    for kind in ("lesion_onset", "procedure", "treatment_start", "presentation", "examination",
                 "laboratory", "imaging", "biopsy", "complication", "treatment_change", "discharge",
                 "follow_up", "death"):
        assert kind in kinds, kind
    ids = [e.id for e in case.events]
    assert ids.index(PENILE_ONSET) < ids.index("ev-pci") < ids.index(ADMISSION)
    assert ids.index(ADMISSION) < ids.index("ev-ct") < ids.index("ev-sts-start") < ids.index("ev-biopsy")
    assert ids.index("ev-biopsy") < ids.index(DISCHARGE) < ids.index("ev-death")


def test_pci_three_weeks_before(case, timeline):
    pci = case.event("ev-pci")
    assert pci.kind == "procedure" and "mechanical circulatory support" in pci.description
    placed = timeline.event_day("ev-pci")
    assert placed.day == pytest.approx(-21) and placed.precision == "week"
    assert pci.when.label == "3 weeks prior"
    classes = {t.treatment_class: t for t in case.treatments}
    for cls in ("pci", "mechanical-circulatory-support"):
        assert classes[cls].kind == "procedure" and classes[cls].start.event_id == "ev-pci"


def test_lesions_developed_over_two_months(case, timeline):
    onset = case.event("ev-lesion-onset")
    placed = timeline.event_day("ev-lesion-onset")
    assert onset.kind == "lesion_onset" and onset.when.label == "developing over the past 2 months"
    assert placed.day == pytest.approx(-2 * MONTH) and placed.approximate and placed.precision == "month"
    assert timeline.event_day(PENILE_ONSET).approximate


def test_hospital_course_lies_within_the_admission(case, timeline):
    for ev_id in ("ev-ct", "ev-sts-start", "ev-biopsy", "ev-fingerstick-ulcers", DISCHARGE):
        placed = timeline.event_day(ev_id)
        # the article dates none of these to the day: placed on day 0 at month precision, approximate
        assert placed.day == 0 and placed.approximate and placed.precision == "month", ev_id
    assert case.event("ev-biopsy").when.label == "later in his hospital course"


def test_death_three_months_after_discharge(case, timeline):
    death = case.event("ev-death")
    assert death.kind == "death"
    assert (death.when.event_id, death.when.offset, death.when.precision) == (DISCHARGE, 3, "month")
    assert case.event(DISCHARGE).kind == "discharge"
    gap = timeline.event_day("ev-death").day - timeline.event_day(DISCHARGE).day
    assert gap == pytest.approx(3 * MONTH)
    assert timeline.place(case.outcome.when).day == pytest.approx(timeline.event_day("ev-death").day)


def test_times_the_article_does_not_give_stay_unplaced(case, timeline):
    # "recently": kept in words, not turned into an invented number
    ev = case.event("ev-amoxiclav")
    assert ev.when.offset is None and ev.when.event_id is None and ev.when.date is None
    assert "recently" in ev.when.label and "before presentation" in ev.when.label
    assert timeline.event_day("ev-amoxiclav") is None
    # "eventually" and "on follow-up" follow the event they come after, with no number of days invented
    for ev_id, words, after in (("ev-glucose-monitoring-stopped", "eventually", "ev-fingerstick-ulcers"),
                                ("ev-follow-up", "on follow-up", "ev-discharge")):
        ev = case.event(ev_id)
        assert ev.when.offset is None and ev.when.event_id == after and words in ev.when.label
        assert timeline.event_day(ev_id).day == timeline.event_day(after).day


# --- lesions ----------------------------------------------------------------------------------------

def _lesion(case, lesion_id):
    les = case.lesion(lesion_id)
    assert les is not None, lesion_id
    return les


def test_glans_lesion(case):
    les = _lesion(case, "lesion-glans")
    assert (les.site, les.laterality, les.count) == ("glans-penis", "midline", 1)
    (ob,) = les.observations
    assert ob.when.event_id == "ev-examination"
    assert (ob.purulence, ob.odour, ob.tissue_type, ob.ulcerated) == ("yes", "foul", "necrotic", "yes")
    assert ob.exudate_type == "purulent"


def test_finger_pad_lesions(case):
    les = _lesion(case, "lesion-finger-pads")
    assert (les.site, les.laterality, les.count) == ("finger-pad", "unspecified", None)
    assert les.site_detail == "several finger pads"  # "finger not stated" is the site's own label
    assert "exquisitely tender" in les.description and "black eschars" in les.description
    (ob,) = les.observations
    assert set(ob.morphology) == {"ulcer", "eschar"}
    assert ob.oedema == "no" and "no surrounding erythema" in ob.surrounding_skin
    assert "cool" in ob.surrounding_skin


def test_left_third_toe(case):
    les = _lesion(case, "lesion-left-third-toe")
    assert (les.site, les.laterality, les.site_detail, les.count) == ("toe-3", "left", "distal", 1)
    (ob,) = les.observations
    assert ob.morphology == ["gangrene"] and ob.oedema == "no"


def test_finger_stick_ulcers_are_their_own_iatrogenic_lesion(case, timeline):
    les = _lesion(case, "lesion-fingerstick-ulcers")
    assert les.site == "finger-pad" and les.laterality == "unspecified" and les.count is None
    assert les.iatrogenic == "yes" and les.cause == "finger-stick blood glucose sampling"
    assert les.onset.event_id == "ev-fingerstick-ulcers"
    assert timeline.place(les.onset).day >= 0  # during the hospitalisation, after day 0
    others = [l for l in case.lesions if l.id != les.id]
    assert all(l.iatrogenic != "yes" for l in others)


def test_no_invented_sizes_or_scores(case):
    assert len(case.lesions) == 4
    for les in case.lesions:
        for ob in les.observations:
            assert (ob.length_mm, ob.width_mm, ob.depth_mm, ob.pain_0_10) == (None, None, None, None)
            assert all(v is None for v in vars(ob.bwat).values())


# --- diagnosis, treatment, outcome ------------------------------------------------------------------

def test_ct_biopsy_and_diagnosis(case):
    (ct,) = case.imaging
    assert (ct.modality, ct.region, ct.vascular_calcification) == ("ct", "abdomen and pelvis", "yes")
    assert "extensive intravascular calcification" in ct.findings.lower()
    assert ct.when.event_id == "ev-ct"
    (bx,) = case.biopsies
    assert bx.result == "inconclusive" and bx.site == "" and bx.lesion_id is None
    assert bx.site_detail == "" and "does not say which lesion" in case.source  # a source note, not text
    assert bx.when.event_id == "ev-biopsy"
    dx = case.diagnosis
    assert dx.basis == "clinical" and dx.differentials == []
    assert "clinical diagnosis of calciphylaxis" in dx.reasoning


def test_sodium_thiosulfate(case):
    (sts,) = [t for t in case.treatments if t.treatment_class == "sodium-thiosulfate"]
    assert (sts.dose, sts.dose_unit, sts.times_per_week, sts.during_dialysis) == (25, "g", 3, "yes")
    assert sts.schedule == "thrice weekly during dialysis"
    assert sts.route == ""  # the article does not state the route
    assert sts.response == "no_improvement"
    assert "without appreciable side effects" in sts.adverse_events
    assert "after discharge" in sts.duration_text
    assert sts.start.event_id == "ev-sts-start"


def test_amoxicillin_clavulanate_and_glucose_monitoring(case):
    by_class = {t.treatment_class: t for t in case.treatments}
    amx = by_class["antibiotic"]
    assert amx.agent == "amoxicillin–clavulanic acid" and amx.route == "oral"
    assert amx.duration_text == "1-week course" and amx.response == "no_improvement"
    assert (amx.stop.event_id, amx.stop.offset, amx.stop.precision) == ("ev-amoxiclav", 1, "week")
    glucose = by_class["glucose-monitoring-change"]
    assert "progression of his fingertip wounds" in glucose.response_detail
    assert len(case.treatments) == 5


def test_outcome(case):
    o = case.outcome
    assert o.status == "dead" and o.when.event_id == "ev-death"
    assert o.cause_of_death == ""  # not stated
    assert o.wound_healing == "unchanged" and o.amputation == "unknown"
    assert "another prolonged hospitalization" in o.hospitalisations.lower()
    assert "remained painful but showed no further progression" in o.summary


# --- narrative --------------------------------------------------------------------------------------

NARRATIVE_PHRASES = {
    "abstract_background": "calcification of dermal arterioles and capillaries",
    "abstract_case": "A 73-year-old African American man",
    "abstract_conclusions": "6-month mortality rates are reportedly as high as 70%",
    "introduction": "Here we present the case of an elderly male with ESRD",
    "clinical_findings": "a gangrenous distal left third toe",
    "diagnostic_assessment": "when the penile lesion first appeared",
    "therapeutic_intervention": "thrice weekly sodium thiosulfate (25 g) during dialysis",
    "follow_up": "he died 3 months later after another prolonged hospitalization",
    "discussion": "Glucose monitoring was eventually discontinued",
    "conclusions": "particularly poor prognosis associated with penile calciphylaxis",
}


@pytest.mark.parametrize("section,phrase", sorted(NARRATIVE_PHRASES.items()))
def test_manuscript_quotes_the_article(case, section, phrase):
    assert phrase in getattr(case.manuscript, section)


def test_manuscript_is_clean_text(case):
    n = case.manuscript
    for section in NARRATIVE_PHRASES:
        text = getattr(n, section)
        for paragraph in text.split("\n\n"):
            assert paragraph and "\n" not in paragraph and "  " not in paragraph, section
        assert not re.search(r"[a-z]- [a-z]", text), f"{section}: a hyphenation artefact"
        assert "Page 3 of 5" not in text
    assert "capillaries" in n.abstract_background and "two-thirds" in n.discussion
    assert "9.2 mg/dL" in n.diagnostic_assessment and "Staphylococcus aureus" in n.discussion
    assert n.introduction.count("\n\n") == 2 and n.discussion.count("\n\n") == 7


def test_what_the_article_lacks_stays_empty(case):
    n = case.manuscript
    assert n.patient_perspective == ""  # CARE item 12 must show as missing
    assert n.references == []  # the reference list is not in the text we hold
    assert (n.acknowledgements, n.ethics, n.competing_interests, n.funding, n.data_availability) == ("",) * 5
    assert case.medications == []
