"""Every rule of resources/rules/rules.json: one synthetic case where it fires, one where it does not."""
from __future__ import annotations

import json

import pytest

from desktop.core import assess
from desktop.core.rulebook import rules, template_fields
from desktop.model import Biopsy, Comorbidity, Differential, Event, Lesion, Observation, Reference, Vital, When

from test_core_cases import base_case, lab, med, sts, valid, with_


def add_labs(*labs):
    return lambda c: c.labs.extend(labs)


def site(code: str, laterality: str = "unspecified"):
    def f(c):
        c.lesions[0].site = code
        c.lesions[0].laterality = laterality
    return f


def comorb(code: str):
    return lambda c: c.patient.comorbidities.append(Comorbidity(code))


def cite(text: str, *, extra: bool = False, duplicate: bool = False):
    """The discussion cites ``text``; the case holds Nigwekar 2018 (and CARE 2013, and a second
    record of Nigwekar 2018 under another key)."""
    def f(c):
        c.manuscript.discussion = text
        c.references.append(Reference(key="nigwekar2018", title="Calciphylaxis", authors=["Nigwekar, Sagar U."],
                                      container="N Engl J Med", year=2018, doi="10.1056/NEJMra1505292"))
        if extra:
            c.references.append(Reference(key="gagnier2013", title="The CARE guidelines", year=2013,
                                          authors=["Gagnier, Joel J."], doi="10.1186/1752-1947-7-223"))
        if duplicate:
            c.references.append(Reference(key="nigwekar-nejm", title="Calciphylaxis.", year=2018,
                                          pmid="29719190", doi="10.1056/nejmra1505292"))
    return f


def meds(*ms):
    return lambda c: c.medications.extend(ms)


def obs(**kw):
    def f(c):
        for k, v in kw.items():
            setattr(c.lesions[0].observations[0], k, v)
    return f


def patient(**kw):
    def f(c):
        for k, v in kw.items():
            setattr(c.patient, k, v)
    return f


def both(*fns):
    def f(c):
        for fn in fns:
            fn(c)
    return f


def penile_with_biopsy(result):
    return both(site("glans-penis", "midline"), lambda c: c.biopsies.append(Biopsy(result=result, when=When(offset=5.0))))


def death_at(day):
    def f(c):
        c.events.append(Event(id="e-death", kind="death", description="death", when=When(offset=day)))
        c.outcome.status = "dead"
        c.outcome.when = When(event_id="e-death")
    return f


# rule id -> (makes it fire, a near miss where it must not fire)
CASES = {
    "ca-p-high-before-onset": (
        add_labs(lab("calcium", 9.2, "mg/dL", event="e-onset", low=8.5, high=10.1),
                 lab("phosphate", 9.0, "mg/dL", event="e-onset", low=2.5, high=4.9)),
        # 84.6 but 8 months before onset, and 64 within the window
        add_labs(lab("calcium", 9.4, "mg/dL", day=-30 - 8 * 30.4375, low=8.5, high=10.1),
                 lab("phosphate", 9.0, "mg/dL", day=-30 - 8 * 30.4375, low=2.5, high=4.9),
                 lab("calcium", 8.0, "mg/dL", day=-40, low=8.5, high=10.1),
                 lab("phosphate", 8.0, "mg/dL", day=-40, low=2.5, high=4.9)),
    ),
    "ca-p-high-at-or-after-presentation": (
        # 9.3 × 10.3 = 95.8 at presentation (the day after onset's window ends does not matter here)
        add_labs(lab("calcium", 9.3, "mg/dL", event="e-pres", low=8.5, high=10.1),
                 lab("phosphate", 10.3, "mg/dL", event="e-pres", low=2.5, high=4.9)),
        # over 70 only before presentation; at presentation 9.0 × 6.0 = 54
        add_labs(lab("calcium", 9.2, "mg/dL", day=-40, low=8.5, high=10.1), lab("phosphate", 9.0, "mg/dL", day=-40, low=2.5, high=4.9),
                 lab("calcium", 9.0, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 6.0, "mg/dL", day=0, low=2.5, high=4.9)),
    ),
    "ca-p-products": (
        add_labs(lab("calcium", 9.0, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 6.0, "mg/dL", day=0, low=2.5, high=4.9)),
        # calcium and phosphate of different timepoints never pair
        add_labs(lab("calcium", 9.0, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 6.0, "mg/dL", day=3, low=2.5, high=4.9)),
    ),
    "ca-p-not-computable": (
        add_labs(lab("calcium", 9.0, "mg/dL", event="e-pres", low=8.5, high=10.1)),
        add_labs(lab("calcium", 9.0, "mg/dL", event="e-pres", low=8.5, high=10.1),
                 lab("phosphate", 4.0, "mg/dL", event="e-pres", low=2.5, high=4.9),
                 lab("calcium", 9.0, "mg/dL", event="e-onset", low=8.5, high=10.1),
                 lab("phosphate", 4.0, "mg/dL", event="e-onset", low=2.5, high=4.9)),
    ),
    "ca-p-above-goal": (
        add_labs(lab("calcium", 10.0, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 5.5, "mg/dL", day=0, low=2.5, high=4.9)),
        add_labs(lab("calcium", 10.0, "mg/dL", day=-10, low=8.5, high=10.1), lab("phosphate", 7.0, "mg/dL", day=-10, low=2.5, high=4.9),
                 lab("calcium", 9.0, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 5.0, "mg/dL", day=0, low=2.5, high=4.9)),
    ),
    "ca-p-at-goal": (
        add_labs(lab("calcium", 9.0, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 5.0, "mg/dL", day=0, low=2.5, high=4.9)),
        add_labs(lab("calcium", 10.0, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 5.5, "mg/dL", day=0, low=2.5, high=4.9)),
    ),
    "hypoalbuminaemia": (
        add_labs(lab("albumin", 3.0, "g/dL", low=3.4, high=5.0)),
        add_labs(lab("albumin", 3.6, "g/dL", low=3.4, high=5.0)),
    ),
    "female-sex": (patient(sex="female"), patient(sex="male")),
    "warfarin": (meds(med("vitamin-k-antagonist", "warfarin")), meds(med("anticoagulant-other", "apixaban"))),
    "calcium-binder": (meds(med("calcium-binder", "calcium acetate")), meds(med("non-calcium-binder", "sevelamer"))),
    "active-vitamin-d": (meds(med("active-vitamin-d", "calcitriol")), meds(med("nutritional-vitamin-d", "cholecalciferol"))),
    "diabetes": (comorb("diabetes"), comorb("hypertension")),
    # Koratala et al. (BMJ Case Rep 2016): "end stage kidney disease secondary to diabetic nephropathy"
    "diabetes-not-recorded": (patient(kidney_disease_cause="diabetic nephropathy"),
                              patient(kidney_disease_cause="non-diabetic nephropathy")),
    "insulin-injections": (meds(med("insulin", "insulin aspart", doses_per_day=4.0)), meds(med("other", "metformin"))),
    "obesity": (comorb("obesity"), comorb("hypertension")),
    # WHO TRS 894: obesity at a BMI of 30 kg/m² or more (114 kg, 169.7 cm: 39.6; 80 kg: 27.8)
    "obesity-not-recorded": (patient(weight_kg=114.0, height_cm=169.7), patient(weight_kg=80.0, height_cm=169.7)),
    "corticosteroids": (meds(med("corticosteroid", "prednisolone")), meds(med("immunosuppressant", "tacrolimus"))),
    "long-dialysis-vintage": (patient(dialysis_start=When(offset=-7 * 365.25)), patient(dialysis_start=When(offset=-4 * 365.25))),
    "peritoneal-dialysis": (patient(dialysis_modality="peritoneal"), patient(dialysis_modality="haemodialysis")),
    "kidney-transplant": (patient(kidney_transplant="yes"), patient(kidney_transplant="no")),
    "malignancy": (comorb("malignancy"), comorb("heart-failure")),
    "autoimmune": (comorb("autoimmune"), comorb("heart-failure")),
    "liver-disease": (comorb("liver-disease"), comorb("heart-failure")),
    "hyperparathyroidism": (comorb("hyperparathyroidism"), comorb("heart-failure")),
    "hypervitaminosis-d": (comorb("hypervitaminosis-d"), comorb("heart-failure")),
    "thrombophilia": (comorb("protein-c-deficiency"), comorb("atrial-fibrillation")),
    "hyperphosphataemia": (
        add_labs(lab("phosphate", 6.0, "mg/dL", low=2.5, high=4.9)),
        add_labs(lab("phosphate", 4.0, "mg/dL", low=2.5, high=4.9)),
    ),
    "hypercalcaemia": (
        add_labs(lab("calcium", 10.8, "mg/dL", low=8.5, high=10.1)),
        # measured 9.5 is normal although the albumin-corrected value (10.7) is not: the measured one counts
        add_labs(lab("calcium", 9.5, "mg/dL", low=8.5, high=10.1), lab("albumin", 2.5, "g/dL", low=3.4, high=5.0)),
    ),
    "pth-cinacalcet": (add_labs(lab("pth_intact", 350.0, "pg/mL", low=18.4, high=80.1)), lambda c: None),
    "pth-parathyroidectomy-consider": (
        add_labs(lab("pth_intact", 450.0, "pg/mL", low=18.4, high=80.1)),
        add_labs(lab("pth_intact", 350.0, "pg/mL", low=18.4, high=80.1)),
    ),
    "site-penile": (site("glans-penis", "midline"), site("scrotum")),
    "site-proximal": (site("thigh-anterior", "left"), site("shin", "left")),
    "site-distal": (site("shin", "left"), site("thigh-anterior", "left")),
    "site-upper-extremity": (site("finger-2-pad", "right"), site("toe-2", "right")),
    "ulcerated": (obs(ulcerated="yes", morphology=["ulcer"]), obs(ulcerated="no", morphology=["plaque", "livedo"])),
    "infection-suspected": (obs(purulence="yes"), obs(purulence="no", odour="none")),
    "sts-not-started": (lambda c: None, lambda c: c.treatments.append(sts())),
    "sts-regimen": (lambda c: c.treatments.append(sts()), lambda c: None),
    "biopsy-penile-caution": (penile_with_biopsy("planned"), penile_with_biopsy("not_done")),
    "biopsy-inconclusive": (
        lambda c: c.biopsies.append(Biopsy(result="inconclusive", when=When(offset=3.0))),
        lambda c: c.biopsies.append(Biopsy(result="confirmed", when=When(offset=3.0))),
    ),
    "iatrogenic-trauma": (
        lambda c: c.lesions.append(Lesion(site="finger-3-pad", laterality="left", cause="finger-stick glucose sampling",
                                          onset=When(offset=5.0))),
        lambda c: c.lesions.append(Lesion(site="finger-3-pad", laterality="left", cause="", onset=When(offset=5.0))),
    ),
    "differentials-not-documented": (
        lambda c: setattr(c.diagnosis, "differentials", [Differential("cellulitis", "considered")]),
        lambda c: setattr(c.diagnosis, "differentials", [Differential("cellulitis", "excluded")]),
    ),
    "citation-typed-number": (cite("As reported [5, 6]."), cite("As reported [@nigwekar2018].")),
    "citation-unknown-key": (cite("See [@nowhere2020]."), cite("See [@nigwekar2018].")),
    "reference-uncited": (cite("See [@nigwekar2018].", extra=True), cite("See [@nigwekar2018; @gagnier2013].", extra=True)),
    "reference-duplicate": (cite("See [@nigwekar2018].", duplicate=True), cite("See [@nigwekar2018].")),
    "consent-missing": (lambda c: setattr(c.consent, "given_by", "none"),
                        lambda c: setattr(c.consent, "given_by", "next_of_kin")),
    "dq-implausible-value": (add_labs(lab("calcium", 92.0, "mg/dL", low=8.5, high=10.1)),
                             add_labs(lab("calcium", 9.2, "mg/dL", low=8.5, high=10.1))),
    "dq-unknown-unit": (add_labs(lab("calcium", 9.2, "mg/L", low=8.5, high=10.1)),
                        add_labs(lab("calcium", 9.2, "mg/dL", low=8.5, high=10.1))),
    "dq-unusable-lab": (add_labs(lab("calcium", None, "mg/dL")), add_labs(lab("calcium", 9.2, "mg/dL", low=8.5, high=10.1))),
    "dq-missing-reference-range": (add_labs(lab("calcium", 9.2, "mg/dL")),
                                   add_labs(lab("calcium", 9.2, "mg/dL", low=8.5, high=10.1))),
    "dq-reported-value-differs": (
        # the authors print 80.0 where 9.3 × 10.3 = 95.79
        add_labs(lab("calcium", 9.3, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 10.3, "mg/dL", day=0, low=2.5, high=4.9),
                 lab("ca_p_product", 80.0, "mg²/dL²", day=0)),
        add_labs(lab("calcium", 9.3, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 10.3, "mg/dL", day=0, low=2.5, high=4.9),
                 lab("ca_p_product", 95.79, "mg2/dl2", day=0)),
    ),
    # a product the authors report, none computable; beside a computable one it says nothing
    "ca-p-reported": (
        add_labs(lab("ca_p_product", 85.0, "mg²/dL²", day=0)),
        add_labs(lab("calcium", 9.3, "mg/dL", day=0, low=8.5, high=10.1), lab("phosphate", 9.0, "mg/dL", day=0, low=2.5, high=4.9),
                 lab("ca_p_product", 83.7, "mg²/dL²", day=0)),
    ),
    "dq-lab-without-time": (add_labs(lab("calcium", 9.2, "mg/dL", day=None, low=8.5, high=10.1)),
                            add_labs(lab("calcium", 9.2, "mg/dL", day=3.0, low=8.5, high=10.1))),
    "dq-lesion-without-site": (site(""), site("abdomen")),
    "dq-onset-unknown": (
        both(lambda c: setattr(c.lesions[0], "onset", When()), lambda c: c.events.remove(c.event("e-onset"))),
        lambda c: setattr(c.lesions[0], "onset", When(offset=-3.0)),
    ),
    "dq-event-order": (death_at(-10.0), death_at(30.0)),
    # the record against itself: stage 5D is "on dialysis" in the model's own words
    "dq-kidney-status": (patient(ckd_stage="5D", dialysis_modality="none"),
                         patient(ckd_stage="5D", dialysis_modality="haemodialysis")),
    # times relative to day 0 with no event marked day 0 (CMAJ 2011;183(16):1882 entered so); marked: nothing
    "dq-day0-unnamed": (lambda c: setattr(c, "index_event_id", None), lambda c: None),
}

# rules whose case cannot be a valid case file (the import refuses it), assessed all the same
INVALID_FILES = {"dq-implausible-value", "dq-unknown-unit", "dq-unusable-lab"}


def test_every_rule_has_a_firing_and_a_non_firing_case():
    assert set(CASES) == set(rules())


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id):
    case = with_(base_case(), CASES[rule_id][0])
    if rule_id not in INVALID_FILES:
        valid(case)
    a = assess(case)
    found = a.by_rule(rule_id)
    assert found, f"{rule_id} did not fire; fired: {[f.rule_id for f in a.findings]}"
    r = rules()[rule_id]
    for f in found:
        assert f.category == r.category and f.title in (r.title, *r.titles.values())
        # the record's consistency with itself needs no source
        assert f.citations or rule_id.startswith("dq-lab") or rule_id in ("dq-event-order", "dq-unusable-lab",
                                                                           "dq-kidney-status")
        assert "{" not in f.message and "}" not in f.message
        assert (f.message[0].isupper() or f.message[0].isdigit()) and f.message.endswith(".")
        for e in f.evidence:  # a number without a unit is a bug
            if _is_number(e.value):
                assert e.unit, (rule_id, e)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_does_not_fire(rule_id):
    case = with_(base_case(), CASES[rule_id][1])
    if rule_id not in INVALID_FILES:
        valid(case)
    assert not assess(case).fired(rule_id)


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-").lstrip("<>≤≥"))
    except ValueError:
        return False
    return True


def test_base_case_fires_only_sts_not_started():
    assert [f.rule_id for f in assess(valid(base_case())).findings] == ["sts-not-started"]


def test_message_templates_are_well_formed():
    for r in rules().values():
        for variant, template in r.messages.items():
            assert all(name.isidentifier() for name in template_fields(template)), (r.id, variant)
            assert template.strip().endswith((".", "}")), (r.id, variant)
        assert set(r.severities) - {"default"} <= set(r.messages), r.id


def test_two_inconclusive_biopsies_read_in_the_plural():
    def f(c):
        c.biopsies += [Biopsy(result="inconclusive", when=When(offset=3.0)), Biopsy(result="negative", when=When(offset=9.0))]
    found = assess(with_(base_case(), f)).by_rule("biopsy-inconclusive")[0]
    assert found.message.startswith("The skin biopsies on day 3 and on day 9 were inconclusive or negative.")


# --- details of particular rules ---------------------------------------------------------------

def test_ca_p_high_names_the_product_and_the_onset():
    case = with_(base_case(), CASES["ca-p-high-before-onset"][0])
    f = assess(case).by_rule("ca-p-high-before-onset")[0]
    assert "82.8 mg²/dL²" in f.message and "at the first lesion onset" in f.message
    assert "6.67 mmol²/L²" in f.message
    assert f.severity == "warning"
    assert [e.label for e in f.evidence][-1] == "First lesion onset"


def test_ca_p_high_counts_a_value_months_before_onset():
    case = with_(base_case(), add_labs(lab("calcium", 9.5, "mg/dL", day=-120, low=8.5, high=10.1),
                                       lab("phosphate", 8.0, "mg/dL", day=-120, low=2.5, high=4.9)))
    f = assess(case).by_rule("ca-p-high-before-onset")[0]
    assert "90 days before the first lesion onset" in f.message


def test_ca_p_above_goal_notes_binders():
    case = with_(base_case(), both(CASES["ca-p-above-goal"][0], meds(med("non-calcium-binder", "sevelamer"))))
    f = assess(case).by_rule("ca-p-above-goal")[0]
    assert "sevelamer" in f.message and "55 mg²/dL²" in f.message
    case = with_(base_case(), CASES["ca-p-above-goal"][0])
    assert "No non-calcium binder is recorded." in assess(case).by_rule("ca-p-above-goal")[0].message


def test_hypoalbuminaemia_uses_the_default_range_in_si_units():
    case = with_(base_case(), add_labs(lab("albumin", 30.0, "g/L")))
    f = assess(case).by_rule("hypoalbuminaemia")[0]
    assert "30 g/L" in f.message and "34–50 g/L" in f.message and "default range" in f.message
    assert "19.8" in f.message


def test_insulin_effect_size_by_injections_a_day():
    for per_day, odds in ((2.0, "1.49"), (3.0, "1.88"), (5.0, "3.74")):
        case = with_(base_case(), meds(med("insulin", "insulin", doses_per_day=per_day)))
        assert f"odds ratio is {odds}" in assess(case).by_rule("insulin-injections")[0].message


def test_warfarin_message_suggests_considering_an_alternative():
    case = with_(base_case(), meds(med("vitamin-k-antagonist", "warfarin")))
    f = assess(case).by_rule("warfarin")[0]
    assert "11.4" in f.message and "alternative" in f.message and "No stop of the vitamin K antagonist is recorded." in f.message
    assert f.severity == "warning"


def test_pth_variants_say_which_value_they_use():
    c = with_(base_case(), add_labs(lab("pth_intact", 250.0, "pg/mL", day=-40, low=18.4, high=80.1),
                                    lab("pth_intact", 350.0, "pg/mL", day=5, low=18.4, high=80.1)))
    a = assess(c)
    f = a.by_rule("pth-cinacalcet")[0]
    assert f.severity == "notice"
    assert "nearest before the first lesion onset: 250 pg/mL" in f.message
    assert "latest intact PTH: 350 pg/mL" in f.message and "The latest value is above 300 pg/mL" in f.message
    assert "No calcimimetic is recorded." in f.message
    assert not a.fired("pth-parathyroidectomy-consider")
    low = assess(with_(base_case(), add_labs(lab("pth_intact", 104.0, "pg/mL", low=18.4, high=80.1))))
    f = low.by_rule("pth-cinacalcet")[0]
    assert f.severity == "info" and "not indicated by PTH" in f.message and "no PTH is recorded before" in f.message


def test_pth_in_pmol_per_litre_is_converted():
    c = with_(base_case(), add_labs(lab("pth_intact", 50.0, "pmol/L")))  # 471.5 pg/mL
    a = assess(c)
    assert a.fired("pth-parathyroidectomy-consider")
    assert a.by_rule("pth-cinacalcet")[0].severity == "notice"


def test_site_penile_is_critical():
    f = assess(with_(base_case(), site("glans-penis", "midline"))).by_rule("site-penile")[0]
    assert f.severity == "critical" and "70%" in f.message


def test_ulcerated_counts_eschar_unless_marked_not_ulcerated():
    assert assess(with_(base_case(), obs(ulcerated="unknown", morphology=["eschar"]))).fired("ulcerated")
    assert not assess(with_(base_case(), obs(ulcerated="no", morphology=["eschar"]))).fired("ulcerated")
    f = assess(with_(base_case(), obs(ulcerated="yes"))).by_rule("ulcerated")[0]
    assert "80%" in f.message and "33%" in f.message


def test_infection_signs_rising_wbc_not_an_unsourced_fever_threshold():
    # the domain reference gives no fever threshold, so a temperature alone is never judged
    for value, unit in ((101.3, "°F"), (39.5, "°C"), (37.2, "°C")):
        def temp(c, value=value, unit=unit):
            c.vitals.append(Vital(kind="temperature", value=value, unit=unit, when=When(offset=2.0)))
        assert not assess(with_(base_case(), temp)).fired("infection-suspected")
    # fever counts only as a sign the source states (Event.signs), never from a temperature
    assert "temperature" not in json.dumps(rules()["infection-suspected"].thresholds).lower()
    assert "°" not in json.dumps(rules()["infection-suspected"].thresholds)
    def odour(c):
        c.lesions[0].observations[0].odour = "foul"
    f = assess(with_(base_case(), odour)).by_rule("infection-suspected")[0]
    assert "foul odour" in f.message and "No antibiotic is recorded." in f.message
    rising = add_labs(lab("wbc", 8.0, "K/µL", day=0, low=4.0, high=11.0), lab("wbc", 13.5, "K/µL", day=3, low=4.0, high=11.0))
    f = assess(with_(base_case(), rising)).by_rule("infection-suspected")[0]
    assert "13.5 K/µL" in f.message and "up from 8.0 K/µL" in f.message
    falling = add_labs(lab("wbc", 15.0, "K/µL", day=0, low=4.0, high=11.0), lab("wbc", 12.0, "K/µL", day=3, low=4.0, high=11.0))
    assert not assess(with_(base_case(), falling)).fired("infection-suspected")


def test_infection_names_recorded_antibiotics():
    def abx(c):
        c.lesions[0].observations[0].odour = "foul"
        c.medications.append(med("antibiotic", "vancomycin", start=When(offset=1.0)))
    f = assess(with_(base_case(), abx)).by_rule("infection-suspected")[0]
    assert "vancomycin" in f.message and "MRSA and anaerobes" in f.message
    assert "No antibiotic" not in f.message


def _sts_finding(**kw):
    def f(c):
        c.treatments.append(sts(**{k: v for k, v in kw.items() if k != "weight"}))
        c.patient.weight_kg = kw.get("weight")
    return assess(with_(base_case(), f)).by_rule("sts-regimen")[0]


def test_sts_regimen_variants():
    f = _sts_finding(weight=80.0)
    assert f.severity == "info" and "matches the usual regimen" in f.message
    f = _sts_finding(weight=55.0)  # 25 g under 60 kg
    assert f.severity == "notice" and "where 12.5 g is usual under 60 kg" in f.message
    assert _sts_finding(dose=12.5, weight=55.0).severity == "info"
    f = _sts_finding(times_per_week=2.0)
    assert "2 times a week rather than three" in f.message
    f = _sts_finding(stop=When(offset=15.0))
    assert "less than the recommended trial of at least 1 month" in f.message
    f = _sts_finding(dose=None, dose_unit="")
    assert f.severity == "notice" and "the dose is not recorded" in f.message
    f = _sts_finding(during_dialysis="no")
    assert "not given during haemodialysis" in f.message
    f = _sts_finding(dose=25000.0, dose_unit="mg", weight=70.0)
    assert "matches" in f.message



def test_each_sts_course_has_a_title_of_its_own():
    """Clinical Advisor (August 2012): "IV sodium thiosulfate was started (12.5 mg with the first dialysis,
    then increasing to 25 mg with each subsequent hemodialysis)": two courses, whose findings both read
    "Sodium thiosulfate regimen" in the assessment's list of titles."""
    def two(c):
        c.treatments.append(sts(dose=12.5, dose_unit="mg", schedule="with the first dialysis"))
        c.treatments.append(sts(dose=25.0, dose_unit="mg", schedule="with each subsequent hemodialysis"))
    titles = [f.title for f in assess(with_(base_case(), two)).by_rule("sts-regimen")]
    assert titles == ["Sodium thiosulfate regimen: 12.5 mg IV, with the first dialysis",
                      "Sodium thiosulfate regimen: 25 mg IV, with each subsequent hemodialysis"]

    def same(c):  # nothing tells them apart: numbered
        c.treatments += [sts(), sts()]
    titles = [f.title for f in assess(with_(base_case(), same)).by_rule("sts-regimen")]
    assert titles == ["Sodium thiosulfate regimen: 25 g IV, course 1", "Sodium thiosulfate regimen: 25 g IV, course 2"]
    assert _sts_finding().title == "Sodium thiosulfate regimen"  # one course: the title as it was

def test_sts_intraperitoneal_route_is_warned_against():
    def f(c):
        c.patient.dialysis_modality = "peritoneal"
        c.treatments.append(sts(route="intraperitoneal", during_dialysis="unknown"))
    found = assess(with_(base_case(), f)).by_rule("sts-regimen")[0]
    assert found.severity == "warning" and "chemical peritonitis" in found.message
    assert any(c.key == "gossett-2023" for c in found.citations)


def test_biopsy_penile_caution_for_a_done_biopsy():
    f = assess(with_(base_case(), penile_with_biopsy("inconclusive"))).by_rule("biopsy-penile-caution")[0]
    assert "is recorded" in f.message and "sepsis" in f.message
    f = assess(with_(base_case(), penile_with_biopsy("planned"))).by_rule("biopsy-penile-caution")[0]
    assert "is planned" in f.message


def test_iatrogenic_trauma_by_flag_and_monitoring_note():
    def flagged(c):
        c.lesions.append(Lesion(site="abdomen", iatrogenic="yes", cause="insulin injection site", onset=When(offset=5.0)))
    f = assess(with_(base_case(), flagged)).by_rule("iatrogenic-trauma")[0]
    assert "No change of glucose monitoring is recorded." in f.message and "minimising iatrogenic trauma" in f.message

    def denied(c):
        c.lesions.append(Lesion(site="abdomen", iatrogenic="no", cause="insulin injection site", onset=When(offset=5.0)))
    assert not assess(with_(base_case(), denied)).fired("iatrogenic-trauma")


def test_event_order_problems():
    a = assess(with_(base_case(), death_at(-10.0)))
    texts = [f.message for f in a.by_rule("dq-event-order")]
    assert any("before presentation" in t for t in texts)

    def stop_before_start(c):
        c.treatments.append(sts(start=When(offset=20.0), stop=When(offset=5.0)))
    assert any("stops" in f.message for f in assess(with_(base_case(), stop_before_start)).by_rule("dq-event-order"))

    def lab_after_death(c):
        death_at(30.0)(c)
        c.labs.append(lab("calcium", 9.0, "mg/dL", day=60.0, low=8.5, high=10.1))
    assert any("after death" in f.message for f in assess(with_(base_case(), lab_after_death)).by_rule("dq-event-order"))


def test_event_order_findings_have_distinct_titles():
    """A death before both the presentation and the first lesion onset gives two findings of the
    same rule (issue 16 item 8): each is titled by what it found, not both "Impossible order"."""
    a = assess(with_(base_case(), death_at(-40.0)))  # the base case's lesion onset is day -30
    found = a.by_rule("dq-event-order")
    by_title = {f.title: f.message for f in found}
    assert len(by_title) == len(found) == 3
    assert "before presentation" in by_title["Death recorded before the presentation"]
    assert "before the first lesion onset" in by_title["Death recorded before the first lesion onset"]
    assert "after death" in by_title["Entries recorded after death"]


def test_event_order_tolerates_approximate_times():
    def f(c):
        c.events.append(Event(id="e-death", kind="death", when=When(offset=-0.5, precision="month", approximate=True)))
    assert not assess(with_(base_case(), f)).fired("dq-event-order")


def test_unknown_unit_message_lists_accepted_units():
    f = assess(with_(base_case(), CASES["dq-unknown-unit"][0])).by_rule("dq-unknown-unit")[0]
    assert "'mg/L'" in f.message and "mg/dL, mmol/L" in f.message
    assert f.severity == "warning"


def test_implausible_value_is_left_out_of_the_rules():
    case = with_(base_case(), add_labs(lab("calcium", 92.0, "mg/dL", event="e-onset", low=8.5, high=10.1),
                                       lab("phosphate", 9.0, "mg/dL", event="e-onset", low=2.5, high=4.9)))
    a = assess(case)
    f = a.by_rule("dq-implausible-value")[0]
    assert "92.0 mg/dL" in f.message and "2–25 mg/dL" in f.message
    assert not a.fired("ca-p-high-before-onset") and not a.fired("hypercalcaemia")


def test_findings_are_sorted_by_severity():
    from desktop.core.types import SEVERITY_ORDER
    from test_core_cases import rich_case
    a = assess(rich_case())
    ranks = [SEVERITY_ORDER.index(f.severity) for f in a.findings]
    assert ranks == sorted(ranks)
    assert len(a.findings) > 10


def test_observations_without_lesion_site_use_description():
    def f(c):
        c.lesions.append(Lesion(site="", description="synthetic unsited lesion", onset=When(offset=-2.0),
                                observations=[Observation(when=When(offset=0.0), ulcerated="yes")]))
    a = assess(with_(base_case(), f))
    ev = a.by_rule("dq-lesion-without-site")[0].evidence[0]
    assert ev.value == "synthetic unsited lesion"
    assert "1 lesion has no site recorded" in a.by_rule("dq-lesion-without-site")[0].message


def test_a_bmi_of_30_or_more_suggests_recording_obesity():
    """Issue 16: a BMI of 39.6 kg/m² and no obesity recorded. WHO TRS 894: obesity at BMI ≥ 30 kg/m²."""
    from desktop.core import assess
    from desktop.model import Case, Comorbidity
    case = Case(title="BMI")
    case.patient.weight_kg, case.patient.height_cm = 114.0, 169.7  # 114 / 1.697² = 39.6 kg/m²
    found = [f for f in assess(case).findings if f.rule_id == "obesity-not-recorded"]
    assert len(found) == 1 and "39.6 kg/m²" in found[0].message and "30 kg/m²" in found[0].message
    assert any(c.key == "who-obesity-2000" for c in found[0].citations)
    case.patient.comorbidities = [Comorbidity("obesity")]
    assert not [f for f in assess(case).findings if f.rule_id == "obesity-not-recorded"]
    case.patient.comorbidities = []
    case.patient.weight_kg = 80.0  # 27.8 kg/m²: overweight, not obese
    assert not [f for f in assess(case).findings if f.rule_id == "obesity-not-recorded"]


def test_warfarin_started_after_the_lesions_is_not_their_risk_factor():
    """Salem, Consultant 2018;58(1):44-46: a woman on haemodialysis whose skin lesions "had begun to develop
    before she had taken her first dose of warfarin". A medicine started clearly after the first lesion
    onset cannot have led to it: the tier leaves it out of the risk factors and says why; the warfarin
    finding stays (stopping it is still advised) and says so too."""
    def late(c):
        c.medications.append(med("vitamin-k-antagonist", "warfarin", start=When(offset=30.0)))
    a = assess(with_(base_case(), late))
    assert not any("warfarin" in x for x in a.tier.major_factors)
    assert "Warfarin was started on day 30, after the first lesion onset (day −30), so it is not counted as a risk factor." in a.tier.caveats
    assert "after the first lesion onset (day −30), so the tier does not count it" in a.by_rule("warfarin")[0].message

    def before(c):  # on the onset's day, or before it: counted as it was
        c.medications.append(med("vitamin-k-antagonist", "warfarin", start=When(offset=-30.0)))
    a = assess(with_(base_case(), before))
    assert any("warfarin" in x for x in a.tier.major_factors)
    assert "does not count" not in a.by_rule("warfarin")[0].message


def test_a_positive_biopsy_after_an_inconclusive_one_decides_the_tier_criterion():
    """"Non-uremic calciphylaxis in the setting of alcoholic liver disease" (SHM abstract): the surgical
    pathology was "concerning for a possible vasculitic cause ... [with] calcium deposits that raised the
    suspicion of calciphylaxis"; a punch biopsy then "confirmed the finding of calciphylaxis". The tier
    was confirmed, yet listed "a positive skin biopsy ... the biopsy was inconclusive" among what it
    could not decide."""
    from pathlib import Path

    from desktop import jsonio
    case = jsonio.loads((Path(__file__).parent / "cases" / "thighs-nonuremic-liver.json").read_text("utf-8"))
    tier = assess(case).tier
    assert tier.tier == "confirmed"
    assert not any("positive skin biopsy" in u for u in tier.unknown), tier.unknown
    case.biopsies = case.biopsies[:1]  # the inconclusive one alone: undecided, and said
    assert any("the biopsy was inconclusive" in u for u in assess(case).tier.unknown)


def test_an_onset_not_placed_names_what_cannot_be_computed_and_the_lesion_as_written():
    """Sprague, CJASN 2014 (PMC3878687): "undergoing thrice-weekly hemodialysis for 2 years", referred
    "for evaluation of necrotic skin lesions", lesions not dated. The finding said the dialysis vintage
    could not be computed while the same assessment gave it at presentation; it named the lesion "site
    not recorded" where the site finding named it by the author's words."""
    def f(c):
        c.patient.dialysis_start = When(offset=-2.0, precision="year")
        c.lesions[0].site = ""
        c.lesions[0].description = "Necrotic skin lesions."
        c.lesions[0].onset = When()
        c.events.remove(c.event("e-onset"))
    a = assess(with_(base_case(), f))
    msg = a.by_rule("dq-onset-unknown")[0].message
    assert "the dialysis vintage is given at presentation instead of at the onset" in msg
    assert "dialysis vintage and time to diagnosis cannot be computed" not in msg
    assert any(d.kind == "dialysis_vintage" and "presentation" in d.label for d in a.derived)
    names = {f.rule_id: f.evidence[0].value for f in a.findings if f.rule_id in ("dq-onset-unknown", "dq-lesion-without-site")}
    assert names == {"dq-onset-unknown": "Necrotic skin lesions.", "dq-lesion-without-site": "Necrotic skin lesions."}
    # not on dialysis (Ali et al., Wounds 2020: stage 3 CKD, "not on dialysis"): no vintage to speak of
    def g(c):
        f(c)
        c.patient.dialysis_start = When()
        c.patient.dialysis_modality = "none"
        c.patient.ckd_stage = "3"
    msg = assess(with_(base_case(), g)).by_rule("dq-onset-unknown")[0].message
    assert "vintage" not in msg and msg.endswith("the time to diagnosis cannot be computed.")
    # on dialysis with no start: the vintage cannot be computed, as before
    def h(c):
        f(c)
        c.patient.dialysis_start = When()
    msg = assess(with_(base_case(), h)).by_rule("dq-onset-unknown")[0].message
    assert "the dialysis vintage and time to diagnosis cannot be computed" in msg


def test_findings_name_a_coarse_site_as_running_text_does():
    """Lu et al. (BMC Nephrol 2022): "severe painful cutaneous ulcers on the fingers and toes", which
    finger and toe not stated. The findings read "(finger, finger and part not stated and toe, toe not
    stated)": the site list's label, with its commas, inside a list joined by commas and "and"."""
    def f(c):
        c.lesions[0].site = "finger"
        c.lesions.append(Lesion(id="les-2", site="toe", onset=When(offset=-30.0),
                                observations=[Observation(id="obs-2", when=When(offset=0.0), morphology=["ulcer"],
                                                          ulcerated="yes")]))
    a = assess(with_(base_case(), f))
    assert "A distal (acral) lesion is recorded (finger and toe)." in a.by_rule("site-distal")[0].message
    assert [e.value for e in a.by_rule("site-distal")[0].evidence] == ["finger", "toe"]
    assert not any("not stated" in f.message for f in a.findings)


def test_sts_duration_as_the_source_gives_it_is_checked_without_dates():
    """Ali et al. (Wounds 2020): "intravenous sodium thiosulfate twice weekly for 2 months", no start
    date; Lu et al. (BMC Nephrol 2022): "managed successfully for 6 months". The finding said "No start
    is recorded, so the duration is not checked" though the recorded duration meets the seed's trial
    of at least 1 month."""
    from desktop.timing import length_days
    assert length_days("2 months") == 2 * 30.4375
    assert length_days("twice weekly for six weeks") == 42.0
    assert length_days("a 1-week course") == 7.0
    assert length_days("until the wounds healed") is None

    def course(text):
        def f(c):
            c.treatments.append(sts(start=When(), stop=When(), duration_text=text))
        return assess(with_(base_case(), f)).by_rule("sts-regimen")[0].message
    msg = course("2 months")
    assert "Given for 2 months (as recorded): at least the recommended trial of 1 month." in msg
    assert "duration is not checked" not in msg
    msg = course("a 1-week course")
    assert "given for a 1-week course (as recorded), less than the recommended trial of at least 1 month" in msg
    assert "No start is recorded, so the duration is not checked." in course("until the wounds healed")


def test_a_reported_product_says_whether_it_decides_the_threshold():
    """The sources' risk threshold is a product above 70 mg²/dL² (Weenig 2007; the seed). A reported
    85 is above it, a reported 41.1 (Leg, HD, sepsis) is not, "< 80" cannot say, and "a high calcium
    phosphate product" (Maroulis et al. 2006) in words cannot either."""
    def said(*labs):
        case = with_(base_case(), add_labs(*labs))
        return assess(case).by_rule("ca-p-reported")[0].message
    assert "The reported product is above 70 mg²/dL²" in said(lab("ca_p_product", 85.0, "mg²/dL²"))
    assert "The reported product is not above 70 mg²/dL²" in said(lab("ca_p_product", 41.1, "mg²/dL²"))
    assert "does not say whether it was above 70 mg²/dL²" in said(lab("ca_p_product", 80.0, "mg²/dL²", comparator="<"))
    words = said(lab("ca_p_product", None, "mg²/dL²", qualitative="elevated"))
    assert "as elevated on day 0, without a value" in words and "only in words" in words


def test_a_result_timed_only_in_words_is_said_so_with_its_comparator():
    """Mathur et al. (NDT): phosphate ">2 mmol/l" on "serial blood results". The finding said the
    results had no time recorded, and its evidence dropped the comparator ("2 mmol/l")."""
    from desktop.model import LabResult, When
    c = with_(base_case(), lambda c: c.labs.append(
        LabResult(id="p-serial", analyte="phosphate", value=2.0, comparator=">", unit="mmol/L",
                  when=When(label="serial blood results"))))
    f = assess(c).by_rule("dq-lab-without-time")[0]
    assert "1 with a time given only in the source's words" in f.message and "no time recorded" not in f.message
    (ev,) = [e for e in f.evidence if e.ref == "labs/p-serial"]
    assert ev.value == ">2" and ev.time == "time recorded (serial blood results), not placed on the day axis"


def test_a_cause_of_kidney_disease_that_names_diabetes_suggests_recording_it():
    """Koratala et al. (BMJ Case Rep 2016), entered through the window: "secondary to diabetic
    nephropathy" typed as the cause, and Diabetes mellitus left unticked until the author found it
    further down; the tier then lacked diabetes among its minor factors (2023 consensus)."""
    from desktop.core import assess
    from desktop.model import Case, Comorbidity
    case = Case(title="Breast")
    case.patient.kidney_disease_cause = "diabetic nephropathy"
    found = assess(case).by_rule("diabetes-not-recorded")
    assert len(found) == 1 and "\u201cdiabetic nephropathy\u201d" in found[0].message
    assert {e.ref for e in found[0].evidence} == {"patient.kidney_disease_cause", "patient.comorbidities/diabetes"}
    assert {c.key for c in found[0].citations} == {"nigwekar-2016", "consensus-2023"}
    for cause in ("non-diabetic nephropathy", "nondiabetic kidney disease", "IgA nephropathy", "without diabetes"):
        case.patient.kidney_disease_cause = cause
        assert not assess(case).fired("diabetes-not-recorded"), cause
    case.patient.kidney_disease_cause = "ESRD secondary to diabetes"
    assert assess(case).fired("diabetes-not-recorded")
    for recorded in (Comorbidity("diabetes"), Comorbidity("diabetes", absent=True)):  # recorded either way
        case.patient.comorbidities = [recorded]
        assert not assess(case).fired("diabetes-not-recorded")


def test_a_dialysis_start_the_manuscript_cannot_print_is_said():
    """A dialysis start recorded while the modality is "none", with no dialysis period: the manuscript
    says "not on dialysis" and the start is silently left out. Said at the fields; a past period of
    dialysis (the dialysis history) is a start the manuscript prints, and is not flagged."""
    from desktop.core import assess
    from desktop.model import Case, DialysisPeriod, When
    case = Case(title="Start")
    case.patient.dialysis_modality = "none"
    case.patient.dialysis_start = When(offset=-1.0, precision="year", label="on haemodialysis for a year")
    found = assess(case).by_rule("dq-kidney-status")
    assert [f.title for f in found] == ["Dialysis start recorded for a patient not on dialysis"]
    assert {e.ref for e in found[0].evidence} == {"patient.dialysis_start", "patient.dialysis_modality"}
    assert "prints no start" in found[0].message
    case.patient.dialysis_history = [DialysisPeriod(modality="haemodialysis", start=When(offset=-1.0, precision="year"),
                                                    stop=When(offset=-0.5, precision="year"))]
    assert not assess(case).fired("dq-kidney-status")
    case.patient.dialysis_history = []
    case.patient.dialysis_modality = "haemodialysis"
    assert not assess(case).fired("dq-kidney-status")
