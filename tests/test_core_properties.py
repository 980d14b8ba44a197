"""Properties of assess(): unit-system independence, determinism, never raising, schema-valid output."""
from __future__ import annotations

import copy
import datetime as dt
import json
from functools import cache

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop import catalogue, jsonio
from desktop.core import assess
from desktop.core.text import assessment_schema, assessment_to_json, format_assessment
from desktop.model import (Biopsy, BwatCua, Case, Comorbidity, Consent, Diagnosis, Differential, Event, LabResult,
                           Lesion, Medication, Observation, Outcome, Patient, Treatment, Vital, When)

from test_core_cases import rich_case, valid

# numbers in units the catalogue converts; a result the list does not have is drawn by other_results()
ANALYTES = {k: a for k, a in catalogue.analytes().items() if not a.qualitative_only and not a.free}


def to_si(case: Case) -> Case:
    """The same case with every laboratory value (and its range) in the SI unit, converted exactly."""
    c = copy.deepcopy(case)
    for lab in c.labs:
        a = ANALYTES[lab.analyte]
        unit = a.si_unit if lab.unit != a.si_unit else a.conventional_unit
        conv = lambda v: None if v is None else a.convert(v, lab.unit, unit)  # noqa: E731
        lab.value, lab.ref_low, lab.ref_high, lab.unit = conv(lab.value), conv(lab.ref_low), conv(lab.ref_high), unit
    return c


def test_si_units_give_the_same_findings():
    conv = valid(rich_case())
    si = valid(to_si(conv))
    assert [lab.unit for lab in si.labs] != [lab.unit for lab in conv.labs]
    a, b = assess(conv), assess(si)
    assert [(f.rule_id, f.severity, f.category, len(f.evidence)) for f in a.findings] == \
           [(f.rule_id, f.severity, f.category, len(f.evidence)) for f in b.findings]
    assert len(a.findings) >= 15
    assert (a.tier.tier, len(a.tier.major_factors), len(a.tier.minor_factors)) == \
           (b.tier.tier, len(b.tier.major_factors), len(b.tier.minor_factors))
    assert [c.status for c in a.care] == [c.status for c in b.care]
    # derived values agree once put in one unit
    for x, y in zip(a.derived, b.derived, strict=True):
        assert x.kind == y.kind
        xv = x.value if x.unit == y.unit else x.alt_value
        assert abs(xv - y.value) <= 1e-3 * max(1.0, abs(y.value)), (x, y)


def test_demo_case_in_si_units_gives_the_same_findings():
    from desktop.demo import load_demo
    demo = load_demo()
    a, b = assess(demo), assess(valid(to_si(demo)))
    assert [(f.rule_id, f.severity) for f in a.findings] == [(f.rule_id, f.severity) for f in b.findings]
    assert a.tier.tier == b.tier.tier == "clinical"
    high = b.by_rule("ca-p-high-before-onset")[0]
    assert "6.67 mmol²/L² (82.8 mg²/dL²)" in high.message


def test_assess_is_deterministic():
    c = rich_case()
    assert assessment_to_json(assess(c)) == assessment_to_json(assess(copy.deepcopy(c)))


# --- random valid cases --------------------------------------------------------------------------

EVENT_IDS = ["ev0", "ev1", "ev2", "ev3"]
PRECISION = st.sampled_from(["day", "week", "month"])
_WHEN_OPTIONS = [
    st.just(When()),
    st.builds(When, offset=st.floats(-900, 900, allow_nan=False), precision=PRECISION, approximate=st.booleans()),
    st.builds(When, date=st.dates(dt.date(2015, 1, 1), dt.date(2025, 1, 1)).map(dt.date.isoformat)),
]
WHEN_FREE = st.one_of(_WHEN_OPTIONS)  # no reference to another event
WHEN = st.one_of([*_WHEN_OPTIONS, st.builds(When, event_id=st.sampled_from(EVENT_IDS),
                                            offset=st.none() | st.floats(-10, 10, allow_nan=False), precision=PRECISION)])


@st.composite
def lab_results(draw):
    a = ANALYTES[draw(st.sampled_from(sorted(ANALYTES)))]
    unit = draw(st.sampled_from(sorted(a.units)))
    lo, hi = a.plausible["low"], a.plausible["high"]
    canonical = lo + (hi - lo) * draw(st.floats(0.001, 0.999))  # inside the bounds after the round trip too
    value = a.from_canonical(canonical, unit)
    low = draw(st.none() | st.floats(0, abs(value) * 2 + 1))
    high = draw(st.none() | st.floats(low or 0, (low or 0) + abs(value) * 3 + 1))
    return LabResult(analyte=a.code, value=value, unit=unit, comparator=draw(st.sampled_from(["=", "<", ">", "<=", ">="])),
                     ref_low=low, ref_high=high, when=draw(WHEN),
                     dialysis_context=draw(st.sampled_from(["pre", "post", "none", "unknown"])))


@st.composite
def other_results(draw):
    """A result the analyte list does not have: its printed name, any value and unit (or none, as printed)."""
    unit = draw(st.sampled_from(["", "U/L", "ng/mL", "ratio", "%"]))
    return LabResult(analyte="other", name=draw(st.sampled_from(["lactate dehydrogenase", "NLR", "ferritin"])),
                     value=draw(st.floats(-1e6, 1e6, allow_nan=False)), unit=unit, as_printed=not unit,
                     ref_low=draw(st.none() | st.floats(0, 100)), when=draw(WHEN))


LAB = st.one_of(lab_results(), other_results())
SCORE = st.none() | st.integers(1, 5)
OBSERVATION = st.builds(
    Observation, when=WHEN, length_mm=st.none() | st.floats(0, 300), width_mm=st.none() | st.floats(0, 300),
    morphology=st.lists(st.sampled_from(["livedo", "purpura", "plaque", "nodule", "ulcer", "eschar", "gangrene"]),
                        max_size=3, unique=True),
    ulcerated=st.sampled_from(["yes", "no", "unknown"]),
    tissue_type=st.none() | st.sampled_from(["closed", "epithelial", "granulation", "slough", "necrotic"]),
    exudate_type=st.none() | st.sampled_from(["none", "bloody", "serosanguineous", "serous", "purulent"]),
    exudate_amount=st.none() | st.sampled_from(["none", "light", "moderate", "heavy"]),
    odour=st.none() | st.sampled_from(["none", "present", "foul"]), purulence=st.sampled_from(["yes", "no", "unknown"]),
    pain_0_10=st.none() | st.integers(0, 10),
    bwat=st.builds(BwatCua, necrotic_tissue_type=SCORE, necrotic_tissue_amount=SCORE, exudate_type=SCORE,
                   exudate_amount=SCORE, skin_colour_surrounding=SCORE, peripheral_tissue_oedema=SCORE))
SITES = st.sampled_from(["", *sorted(catalogue.sites())])
COMORBIDITIES = st.lists(st.sampled_from(sorted(catalogue.comorbidities())), max_size=4, unique=True)
MED_CLASSES = st.sampled_from(sorted(catalogue.medication_classes()))
TX_CLASSES = st.sampled_from(["sodium-thiosulfate", *sorted(catalogue.treatment_classes())])


@st.composite
def cases(draw):
    n_events = draw(st.integers(1, 4))
    events = [Event(id=eid, kind=draw(st.sampled_from(["presentation", "lesion_onset", "death", "biopsy", "other"])),
                    when=draw(WHEN_FREE)) for eid in EVENT_IDS[:n_events]]
    ids = [e.id for e in events]
    c = Case(title=draw(st.sampled_from(["", "Calciphylaxis: a case report", "Synthetic"])), events=events,
             index_event_id=draw(st.none() | st.sampled_from(ids)))

    def when() -> When:  # references stay inside this case
        w = draw(WHEN)
        if w.event_id is not None and w.event_id not in ids:
            w.event_id = ids[0]
        return w
    c.patient = Patient(
        age_years=draw(st.none() | st.integers(0, 110)), sex=draw(st.sampled_from(["male", "female", "other", "unknown"])),
        weight_kg=draw(st.none() | st.floats(1, 300)), height_cm=draw(st.none() | st.floats(40, 220)),
        ckd_stage=draw(st.none() | st.sampled_from(["4", "5", "5D", "transplant"])),
        dialysis_modality=draw(st.none() | st.sampled_from(["none", "haemodialysis", "peritoneal"])),
        dialysis_start=when(), kidney_transplant=draw(st.sampled_from(["yes", "no", "unknown"])),
        comorbidities=[Comorbidity(code) for code in draw(COMORBIDITIES)])
    c.labs = draw(st.lists(LAB, max_size=10))
    for lab in c.labs:
        if lab.when.event_id is not None and lab.when.event_id not in ids:
            lab.when.event_id = ids[0]
    for _ in range(draw(st.integers(0, 3))):
        les = Lesion(site=draw(SITES), onset=when(),
                     cause=draw(st.sampled_from(["", "finger-stick glucose sampling", "injection"])),
                     iatrogenic=draw(st.sampled_from(["yes", "no", "unknown"])),
                     observations=draw(st.lists(OBSERVATION, max_size=3)))
        for ob in les.observations:
            if ob.when.event_id is not None and ob.when.event_id not in ids:
                ob.when.event_id = ids[0]
        c.lesions.append(les)
    for _ in range(draw(st.integers(0, 3))):
        c.medications.append(Medication(name=draw(st.sampled_from(["", "heparin", "calcitriol", "warfarin"])),
                                        drug_class=draw(MED_CLASSES), dose=draw(st.none() | st.floats(0.1, 1000)),
                                        dose_unit="µg", doses_per_day=draw(st.none() | st.floats(0.5, 6)),
                                        start=when(), stop=when()))
    for _ in range(draw(st.integers(0, 3))):
        c.treatments.append(Treatment(agent="synthetic", treatment_class=draw(TX_CLASSES),
                                      dose=draw(st.none() | st.sampled_from([12.5, 25.0, 5.0])),
                                      dose_unit=draw(st.sampled_from(["g", "mg", "mL"])),
                                      route=draw(st.sampled_from(["", "IV", "intraperitoneal", "oral"])),
                                      times_per_week=draw(st.none() | st.floats(1, 7)),
                                      during_dialysis=draw(st.sampled_from(["yes", "no", "unknown"])),
                                      start=when(), stop=when()))
    c.vitals = [Vital(kind="temperature", value=draw(st.floats(35, 41)), unit="°C", when=when())
                for _ in range(draw(st.integers(0, 2)))]
    c.biopsies = [Biopsy(result=draw(st.sampled_from(["confirmed", "inconclusive", "negative", "not_done", "planned"])),
                         when=when()) for _ in range(draw(st.integers(0, 2)))]
    c.diagnosis = Diagnosis(basis=draw(st.sampled_from(["clinical", "biopsy", "imaging", "not_made"])), when=when(),
                            differentials=[Differential("cellulitis", draw(st.sampled_from(["excluded", "considered"])))])
    c.outcome = Outcome(status=draw(st.sampled_from(["alive", "dead", "lost_to_follow_up", "unknown"])), when=when())
    c.consent = Consent(given_by=draw(st.sampled_from(["patient", "next_of_kin", "none"])))
    return c


@cache
def schema_validator():
    return jsonschema.Draft202012Validator(assessment_schema())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_assess_never_raises_on_a_valid_case(case):
    problems = [p for p in jsonio.check_case(case)]
    assert problems == [], problems  # the strategy builds valid cases only
    a = assess(case)
    doc = json.loads(assessment_to_json(a))
    schema_validator().validate(doc)
    assert format_assessment(a)
    assert len(a.care) == 30


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.lists(st.tuples(st.sampled_from(["calcium", "nonsense", ""]), st.none() | st.floats(-1e6, 1e6),
                                   st.sampled_from(["", "mg/dL", "furlongs"])), max_size=4))
def test_assess_survives_invalid_labs_the_gui_may_hold(case, bad):
    for analyte, value, unit in bad:
        case.labs.append(LabResult(analyte=analyte, value=value, unit=unit))
    a = assess(case)
    bad_units = sum(1 for an, v, u in bad if an == "calcium" and v is not None and u != "mg/dL")
    assert len(a.by_rule("dq-unknown-unit")) == bad_units
