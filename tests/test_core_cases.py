"""Synthetic cases for the assessment core's tests (never real patient data), and checks that they
are valid case files: a rule test on an invalid case would prove nothing."""
from __future__ import annotations

import copy

import pytest

from desktop import catalogue, jsonio
from desktop.model import (Biopsy, Case, Comorbidity, Consent, Diagnosis, Differential, Event, LabResult,
                           Lesion, Medication, Observation, Patient, Treatment, When)


def base_case() -> Case:
    """A dialysis patient with one non-ulcerated plaque on the face: as few findings as possible
    (only sts-not-started), so each rule test adds just what makes its rule fire."""
    c = Case(id="synthetic-base", title="Synthetic calciphylaxis: a case report",
             keywords=["calciphylaxis", "synthetic"])
    c.events = [
        Event(id="e-pres", kind="presentation", description="synthetic presentation", when=When(offset=0.0)),
        Event(id="e-onset", kind="lesion_onset", description="synthetic lesion onset", when=When(offset=-30.0)),
    ]
    c.index_event_id = "e-pres"
    c.patient = Patient(age_years=60, sex="male", ethnicity="synthetic", ckd_stage="5D",
                        dialysis_modality="haemodialysis", dialysis_start=When(offset=-730.0))
    c.lesions = [Lesion(id="les-1", site="face", laterality="unspecified", onset=When(event_id="e-onset"),
                        observations=[Observation(id="obs-1", when=When(offset=0.0), morphology=["plaque"],
                                                  ulcerated="no", purulence="no", odour="none")])]
    c.diagnosis = Diagnosis(basis="clinical", when=When(offset=0.0),
                            differentials=[Differential(name="vasculitis", status="excluded", how="synthetic")])
    c.consent = Consent(given_by="patient", date=None, covers_images=True)
    return c


def lab(analyte: str, value: float, unit: str, day: float | None = 0.0, low: float | None = None,
        high: float | None = None, lab_id: str | None = None, event: str | None = None, **kw) -> LabResult:
    when = When(event_id=event) if event else (When() if day is None else When(offset=day))
    out = LabResult(analyte=analyte, value=value, unit=unit, ref_low=low, ref_high=high, when=when, **kw)
    if lab_id:
        out.id = lab_id
    return out


def sts(**kw) -> Treatment:
    base = dict(agent="sodium thiosulfate", treatment_class="sodium-thiosulfate", dose=25.0, dose_unit="g",
                route="IV", times_per_week=3.0, during_dialysis="yes", start=When(offset=1.0),
                stop=When(offset=60.0))
    base.update(kw)
    return Treatment(**base)


def med(drug_class: str, name: str, **kw) -> Medication:
    return Medication(name=name, drug_class=drug_class, start=kw.pop("start", When(offset=-400.0)), **kw)


def with_(case: Case, fn) -> Case:
    c = copy.deepcopy(case)
    fn(c)
    return c


def rich_case() -> Case:
    """Many rules at once, in conventional units: the SI-equivalence test converts it."""
    c = base_case()
    c.patient.sex = "female"
    c.patient.weight_kg = 55.0
    c.patient.height_cm = 160.0
    c.patient.comorbidities = [Comorbidity("diabetes"), Comorbidity("obesity")]
    c.medications = [med("vitamin-k-antagonist", "warfarin"), med("insulin", "insulin glargine", doses_per_day=4.0),
                     med("calcium-binder", "calcium acetate", dose=667.0, dose_unit="mg")]
    c.events.append(Event(id="e-onset2", kind="lesion_onset", description="thigh lesion", when=When(offset=-20.0)))
    c.lesions.append(Lesion(id="les-2", site="thigh-anterior", laterality="left", onset=When(event_id="e-onset2"),
                            observations=[Observation(id="obs-2a", when=When(offset=0.0), length_mm=30.0, width_mm=20.0,
                                                      morphology=["ulcer", "eschar"], ulcerated="yes",
                                                      tissue_type="necrotic", exudate_amount="light", pain_0_10=8),
                                          Observation(id="obs-2b", when=When(offset=14.0), length_mm=35.0, width_mm=22.0,
                                                      morphology=["ulcer"], ulcerated="yes", tissue_type="slough",
                                                      exudate_amount="moderate", purulence="yes")]))
    c.labs = [
        lab("calcium", 9.8, "mg/dL", day=-60.0, low=8.5, high=10.1, lab_id="ca-1"),
        lab("phosphate", 8.1, "mg/dL", day=-60.0, low=2.5, high=4.9, lab_id="p-1"),
        lab("calcium", 10.6, "mg/dL", day=0.0, low=8.5, high=10.1, lab_id="ca-2"),
        lab("phosphate", 5.6, "mg/dL", day=0.0, low=2.5, high=4.9, lab_id="p-2"),
        lab("albumin", 2.7, "g/dL", day=0.0, low=3.4, high=5.0, lab_id="alb-1"),
        lab("pth_intact", 520.0, "pg/mL", day=-45.0, low=18.4, high=80.1, lab_id="pth-1"),
        lab("pth_intact", 280.0, "pg/mL", day=10.0, low=18.4, high=80.1, lab_id="pth-2"),
        lab("wbc", 9.0, "K/µL", day=0.0, low=4.0, high=11.0, lab_id="wbc-1"),
        lab("wbc", 14.2, "K/µL", day=14.0, low=4.0, high=11.0, lab_id="wbc-2"),
        lab("creatinine", 7.9, "mg/dL", day=0.0, lab_id="cr-1"),
        lab("haemoglobin", 9.1, "g/dL", day=0.0, low=12.0, high=16.0, lab_id="hb-1"),
        lab("vitamin_d_25oh", 18.0, "ng/mL", day=0.0, lab_id="vd-1"),
        lab("bun", 60.0, "mg/dL", day=0.0, low=7.0, high=21.0, lab_id="bun-1"),
    ]
    c.treatments = [sts()]
    return c


def valid(case: Case) -> Case:
    problems = jsonio.check_case(case)
    assert problems == [], problems
    return case


def test_base_case_is_valid_and_round_trips():
    c = valid(base_case())
    assert jsonio.loads(jsonio.dumps(c)) == c


def test_rich_case_is_valid():
    valid(rich_case())


@pytest.mark.parametrize("code", sorted(c for c, a in catalogue.analytes().items() if not a.free))
def test_every_analyte_has_a_canonical_unit_it_accepts(code):
    a = catalogue.analytes()[code]
    assert a.accepts(a.canonical_unit) and a.accepts(a.conventional_unit) and a.accepts(a.si_unit)
    assert a.to_canonical(1.0, a.canonical_unit) == 1.0


def test_biopsy_and_differential_builders_are_valid():
    c = with_(base_case(), lambda c: c.biopsies.append(Biopsy(result="planned", when=When(offset=3.0))))
    valid(c)
