"""Issue 12: the facts published case reports print, and what the assessment must get right about
them. Synthetic cases only; each behaviour with a case where it holds and a near miss."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop import catalogue, jsonio
from desktop.codec import to_plain
from desktop.core import assess
from desktop.core import labs as L
from desktop.model import (Biopsy, DialysisPeriod, Event, LabResult, Lesion, Observation, Treatment, When)
from desktop.timing import Timeline

from test_core_cases import base_case, lab, sts, valid, with_
from test_core_rules import add_labs, both, obs, patient, site

ROOT = Path(__file__).resolve().parents[1]


def fire(case, rule_id):
    return assess(valid(case)).by_rule(rule_id)


# --- units as printed ---------------------------------------------------------------------------

@pytest.mark.parametrize("analyte,printed,expected", [
    ("calcium", "mg/dl", "mg/dL"), ("calcium", "MG/DL", "mg/dL"), ("pth_intact", "pg/ml", "pg/mL"),
    ("phosphate", "mmol/l", "mmol/L"), ("creatinine", "µmol/L", "µmol/L"), ("creatinine", "μmol/l", "µmol/L"),
    ("creatinine", "mcmol/L", "µmol/L"), ("creatinine", "mumol/L", "µmol/L"), ("wbc", "10E3/mcL", "10^3/µL"),
    ("wbc", "/mm3", "/µL"), ("wbc", "cells/µL", "/µL"), ("wbc", "x10^9/L", "10^9/L"), ("platelets", "10^3/uL", "10^3/µL"),
    ("pth_intact", "ng/l", "ng/L"), ("esr", "mm/hr", "mm/h"), ("inr", "", ""),
])
def test_unit_spellings_as_printed(analyte, printed, expected):
    a = catalogue.analytes()[analyte]
    assert a.unit_of(printed) == expected


def test_a_count_per_cubic_millimetre_converts():
    a = catalogue.analytes()["wbc"]
    assert a.convert(12000, "/mm3", "K/µL") == pytest.approx(12.0)


def test_unknown_unit_is_kept_flagged_and_left_out():
    c = with_(base_case(), add_labs(lab("calcium", 9.0, "mg/dL", day=0, low=8.5, high=10.1),
                                    lab("phosphate", 2.1, "mEq/L", day=0, as_printed=True)))
    a = assess(valid(c))
    assert a.fired("dq-unknown-unit") and not [d for d in a.derived if d.kind == "ca_p_product"]
    f = [f for f in a.by_rule("ca-p-not-computable") if "presentation" in f.message][0]
    assert "phosphate recorded then cannot be used" in f.message and "'mEq/L'" in f.message


def test_a_product_missing_at_onset_and_at_presentation_is_two_findings_each_titled_by_its_moment():
    """A calcium at presentation only (a published case prints no phosphate): the product can be
    computed at neither moment, and the two findings say first which moment each is about (in the
    list they read as one finding twice)."""
    c = with_(base_case(), add_labs(lab("calcium", 9.3, "mg/dL", day=0, low=8.4, high=10.0)))
    found = fire(c, "ca-p-not-computable")
    # the moment first: a narrow findings list shortens the end of a title
    assert sorted(f.title for f in found) == ["At onset: calcium × phosphate product not computable",
                                              "At presentation: calcium × phosphate product not computable"]
    at = {f.title.split(":")[0].split()[-1]: f.message for f in found}
    assert "the first lesion onset" in at["onset"] and "neither calcium nor phosphate" in at["onset"]
    assert "at presentation" in at["presentation"] and "no phosphate is recorded then" in at["presentation"]


def test_implausible_value_is_kept_flagged_with_its_likely_reading_and_left_out():
    c = with_(base_case(), add_labs(lab("calcium", 7.92, "mmol/l", day=0, as_printed=True),
                                    lab("phosphate", 5.0, "mg/dL", day=0, low=2.5, high=4.9)))
    a = assess(valid(c))
    f = a.by_rule("dq-implausible-value")[0]
    assert "probably 7.92 mg/dL" in f.message and "kept as printed" in f.message
    assert not [d for d in a.derived if d.kind == "ca_p_product"]
    # a plausible value names no likely reading
    ok = assess(valid(with_(base_case(), add_labs(lab("calcium", 2.0, "mmol/L", day=0)))))
    assert not ok.fired("dq-implausible-value")


# --- censored and qualitative results ------------------------------------------------------------

def test_a_censored_pth_above_1000_is_above_1000_and_a_bound_below_400_is_unknown():
    over = assess(valid(with_(base_case(), add_labs(lab("pth_intact", 1000.0, "pg/mL", comparator=">")))))
    assert any("above 1000" in m for m in over.tier.major_factors)
    assert over.by_rule("pth-cinacalcet")[0].severity == "notice"
    assert over.fired("pth-parathyroidectomy-consider")
    under = assess(valid(with_(base_case(), add_labs(lab("pth_intact", 400.0, "pg/mL", comparator="<")))))
    f = under.by_rule("pth-cinacalcet")[0]
    assert "not known whether PTH is above 300" in f.message
    assert not under.fired("pth-parathyroidectomy-consider")
    assert not any("below 300" in m for m in under.tier.minor_factors)
    assert any("below 300" in u for u in under.tier.unknown)
    known_low = assess(valid(with_(base_case(), add_labs(lab("pth_intact", 250.0, "pg/mL", comparator="<")))))
    assert any("below 300" in m for m in known_low.tier.minor_factors)


def test_comparators_in_flags():
    assert L.flag(LabResult(analyte="pth_intact", value=1000.0, comparator=">", unit="pg/mL")) == "H"
    assert L.flag(LabResult(analyte="calcium", value=11.0, comparator="<", unit="mg/dL")) == ""
    assert L.known_above(400, "<", 300) is None and L.known_above(250, "<", 300) is False
    assert L.known_above(1000, ">", 1000) is True and L.known_below(5, ">", 3) is False


def test_a_result_in_words_counts_and_an_author_flag_stands_in_for_a_range():
    low_alb = add_labs(LabResult(analyte="albumin", qualitative="low", when=When(offset=0.0)))
    a = assess(valid(with_(base_case(), low_alb)))
    assert a.fired("hypoalbuminaemia") and "reported as low" in a.by_rule("hypoalbuminaemia")[0].message
    assert any("hypoalbuminaemia" in m for m in a.tier.minor_factors)
    normal = add_labs(LabResult(analyte="albumin", qualitative="normal", when=When(offset=0.0)))
    assert not assess(valid(with_(base_case(), normal))).fired("hypoalbuminaemia")
    flagged = add_labs(lab("phosphate", 6.1, "mg/dL", author_flag="H"))
    assert assess(valid(with_(base_case(), flagged))).fired("hyperphosphataemia")
    unflagged = add_labs(lab("calcium", 9.6, "mg/dL", author_flag="H"))  # the default range decides
    assert not assess(valid(with_(base_case(), unflagged))).fired("hypercalcaemia")


def test_the_male_default_haemoglobin_range_is_not_applied_to_a_woman():
    hb = LabResult(analyte="haemoglobin", value=11.5, unit="g/dL")
    assert L.flag(hb, "male") == "L" and L.flag(hb, "female") == "" and L.flag(hb, "unknown") == ""
    c = with_(base_case(), both(patient(sex="female"), add_labs(lab("haemoglobin", 11.5, "g/dL"))))
    f = assess(valid(c)).by_rule("dq-missing-reference-range")[0]
    assert "given for men only" in f.message


# --- Ca×P -------------------------------------------------------------------------------------------

def test_results_tied_to_an_unplaced_event_pair_and_other_timepoints_never_do():
    def unplaced(c):
        c.events.append(Event(id="e-chart", kind="laboratory", description="chart review, undated"))
        c.labs += [lab("calcium", 9.2, "mg/dL", event="e-chart", low=8.5, high=10.1),
                   lab("phosphate", 9.0, "mg/dL", event="e-chart", low=2.5, high=4.9),
                   lab("phosphate", 3.0, "mg/dL", day=None, low=2.5, high=4.9)]
    a = assess(valid(with_(base_case(), unplaced)))
    products = [d for d in a.derived if d.kind == "ca_p_product"]
    assert [p.value for p in products] == [82.8] and products[0].day is None
    assert "chart review, undated" in products[0].time
    assert "over 70" in a.by_rule("ca-p-products")[0].message


def test_one_rounding_for_the_product_everywhere():
    c = with_(base_case(), add_labs(lab("calcium", 9.1, "mg/dL", day=0, low=8.5, high=10.1),
                                    lab("phosphate", 1.5, "mg/dL", day=0, low=2.5, high=4.9)))
    a = assess(valid(c))
    dv = [d for d in a.derived if d.kind == "ca_p_product"][0]
    assert dv.value == 13.7
    assert "13.7 mg²/dL²" in a.by_rule("ca-p-at-goal")[0].message
    ev = [e for e in a.by_rule("ca-p-at-goal")[0].evidence if e.label.startswith("Calcium × phosphate")][0]
    assert ev.value == "13.7"


def test_a_product_at_54_96_is_judged_as_shown():
    # 9.16 × 6.0 = 54.96, shown 55.0: at or above the goal of 55, as the number printed says
    c = with_(base_case(), add_labs(lab("calcium", 9.16, "mg/dL", day=0, low=8.5, high=10.1),
                                    lab("phosphate", 6.0, "mg/dL", day=0, low=2.5, high=4.9)))
    a = assess(valid(c))
    assert a.fired("ca-p-above-goal") and not a.fired("ca-p-at-goal")


def test_a_product_of_bounds_is_banded_only_where_the_bound_decides():
    c = with_(base_case(), add_labs(lab("calcium", 9.0, "mg/dL", day=0), lab("phosphate", 5.0, "mg/dL", day=0, comparator="<")))
    a = assess(valid(c))
    assert "at goal" in a.by_rule("ca-p-products")[0].message  # < 45: below 55 whatever it is
    c = with_(base_case(), add_labs(lab("calcium", 9.0, "mg/dL", day=0), lab("phosphate", 7.0, "mg/dL", day=0, comparator="<")))
    a = assess(valid(c))
    assert "band open" in a.by_rule("ca-p-products")[0].message
    assert not a.fired("ca-p-above-goal") and not a.fired("ca-p-at-goal")


def test_binders_and_parathyroidectomy_change_the_ca_p_and_pth_wording():
    high = add_labs(lab("calcium", 9.3, "mg/dL", event="e-pres", low=8.5, high=10.1),
                    lab("phosphate", 10.3, "mg/dL", event="e-pres", low=2.5, high=4.9),
                    lab("pth_intact", 1323.0, "pg/mL", day=0))
    ptx = lambda c: c.treatments.append(Treatment(agent="subtotal parathyroidectomy", kind="procedure",  # noqa: E731
                                                  treatment_class="parathyroidectomy", start=When(offset=5.0)))
    binder = lambda c: c.treatments.append(Treatment(agent="sevelamer", treatment_class="non-calcium-binder",  # noqa: E731
                                                     start=When(offset=1.0)))
    a = assess(valid(with_(base_case(), both(high, ptx, binder))))
    f = a.by_rule("ca-p-high-at-or-after-presentation")[0]
    assert "sevelamer" in f.message and "parathyroidectomy is recorded" in f.message
    p = a.by_rule("pth-parathyroidectomy-consider")[0]
    assert p.severity == "info" and "already recorded" in p.message
    without = assess(valid(with_(base_case(), high)))
    assert "No non-calcium binder is recorded." in without.by_rule("ca-p-high-at-or-after-presentation")[0].message
    assert without.by_rule("pth-parathyroidectomy-consider")[0].severity == "notice"


# --- infection --------------------------------------------------------------------------------

def test_a_raised_white_count_alone_supports_but_does_not_establish_infection():
    wbc = add_labs(lab("wbc", 15.0, "K/µL", day=0, low=4.0, high=11.0))
    f = fire(with_(base_case(), wbc), "infection-suspected")[0]
    assert f.severity == "notice" and "supports but does not establish" in f.message
    assert any(c.key == "sirs-bone-1992" for c in f.citations)


@pytest.mark.parametrize("how", ["culture", "sign", "directed"])
def test_culture_stated_signs_and_culture_directed_antibiotics_establish_infection(how):
    def add(c):
        if how == "culture":
            c.labs.append(LabResult(analyte="culture", qualitative="positive", specimen="wound",
                                    organism="Pseudomonas aeruginosa", when=When(offset=3.0)))
        elif how == "sign":
            c.events.append(Event(kind="examination", description="febrile, cellulitis", when=When(offset=0.0),
                                  signs=["fever", "cellulitis"]))
        else:
            c.treatments.append(Treatment(agent="piperacillin-tazobactam", treatment_class="antibiotic",
                                          culture_directed="yes", start=When(offset=4.0)))
    f = fire(with_(base_case(), add), "infection-suspected")[0]
    assert f.severity == "warning"
    assert {"culture": "Pseudomonas aeruginosa", "sign": "fever and cellulitis",
            "directed": "culture-directed antibiotics"}[how] in f.message
    negative = lambda c: c.labs.append(LabResult(analyte="culture", qualitative="negative", specimen="blood"))  # noqa: E731
    assert not assess(valid(with_(base_case(), negative))).fired("infection-suspected")
    afebrile = lambda c: c.events.append(Event(kind="examination", signs=["afebrile"]))  # noqa: E731
    assert not assess(valid(with_(base_case(), afebrile))).fired("infection-suspected")


# --- iatrogenic trauma --------------------------------------------------------------------------

def test_iatrogenic_only_from_the_recorded_cause_never_from_anatomical_words():
    words = both(site("finger-2-pad", "left"),
                 lambda c: setattr(c.lesions[0], "site_detail", "fingertip"),
                 lambda c: setattr(c.lesions[0], "description", "necrotic fingertip ulcer"))
    assert not assess(valid(with_(base_case(), words))).fired("iatrogenic-trauma")
    cause = lambda c: setattr(c.lesions[0], "cause", "finger-stick glucose sampling site")  # noqa: E731
    assert assess(valid(with_(base_case(), cause))).fired("iatrogenic-trauma")


# --- sodium thiosulfate by modality -------------------------------------------------------------

@pytest.mark.parametrize("setup,variant", [
    (patient(dialysis_modality="peritoneal"), "peritoneal"),
    (patient(dialysis_modality="none", ckd_stage="3b"), "no_dialysis"),
    (patient(dialysis_modality="none", ckd_stage="transplant", kidney_transplant="yes"), "transplant"),
])
def test_sts_regimen_rule_says_what_applies_off_haemodialysis(setup, variant):
    c = with_(base_case(), both(setup, lambda c: c.treatments.append(sts(during_dialysis="unknown"))))
    f = fire(c, "sts-regimen")[0]
    assert "does not apply" in f.message or "not checked against it" in f.message
    assert "during haemodialysis" not in f.message and "differs" not in f.message
    hd = fire(with_(base_case(), lambda c: c.treatments.append(sts())), "sts-regimen")[0]
    assert "matches the usual regimen" in hd.message


def test_sts_on_peritoneal_dialysis_still_warns_against_the_intraperitoneal_route():
    c = with_(base_case(), both(patient(dialysis_modality="peritoneal"),
                                lambda c: c.treatments.append(sts(route="intraperitoneal"))))
    f = fire(c, "sts-regimen")[0]
    assert f.severity == "warning" and "chemical peritonitis" in f.message


# --- dialysis vintage and history -----------------------------------------------------------------

def test_vintage_from_the_recorded_start_when_the_onset_has_no_place():
    def unplaced_onset(c):
        c.events.remove(c.event("e-onset"))
        c.lesions[0].onset = When(label="some weeks before")
        c.patient.dialysis_start = When(offset=-7.0, precision="year")
    a = assess(valid(with_(base_case(), unplaced_onset)))
    dv = [d for d in a.derived if d.kind == "dialysis_vintage"][0]
    assert "at presentation" in dv.label and dv.alt_value == 7.0
    assert a.fired("long-dialysis-vintage") and "7.0 years" in a.by_rule("long-dialysis-vintage")[0].message
    assert any("more than 5 years (7.0 years at presentation" in m for m in a.tier.major_factors)
    assert not any("not recorded" in c for c in a.tier.caveats if "dialysis start" in c)


def test_dialysis_history_gives_modality_and_start():
    def history(c):
        c.patient.dialysis_modality = None
        c.patient.dialysis_start = When()
        c.patient.dialysis_history = [
            DialysisPeriod(modality="peritoneal", start=When(offset=-6.0, precision="year"),
                           stop=When(offset=-2.0, precision="year"), reason="peritonitis"),
            DialysisPeriod(modality="haemodialysis", start=When(offset=-2.0, precision="year"))]
    a = assess(valid(with_(base_case(), history)))
    assert a.fired("peritoneal-dialysis") and a.fired("long-dialysis-vintage")
    f = fire(with_(base_case(), both(history, lambda c: c.treatments.append(sts()))), "sts-regimen")[0]
    assert "matches" in f.message  # on haemodialysis now


# --- tier -------------------------------------------------------------------------------------

def test_new_morphology_and_pain_field_reach_the_tier():
    c = with_(base_case(), obs(morphology=["retiform_purpura"], pain="present"))
    assert "painful purpura" in assess(valid(c)).tier.typical_lesions
    c = with_(base_case(), obs(morphology=["retiform_purpura"], pain="absent"))
    t = assess(valid(c)).tier
    assert "painful purpura" not in t.typical_lesions and "purpura" in t.early_changes
    c = with_(base_case(), obs(morphology=["violaceous_discolouration", "induration"], pain_0_100=70))
    assert "painful violaceous plaque or induration" in assess(valid(c)).tier.typical_lesions
    c = with_(base_case(), obs(morphology=["violaceous_discolouration"], pain="present"))
    assert "painful violaceous plaque or induration" not in assess(valid(c)).tier.typical_lesions
    c = with_(base_case(), obs(morphology=["ulcer", "necrosis"]))
    assert "necrotic ulcer" in assess(valid(c)).tier.typical_lesions


@pytest.mark.parametrize("result,tier,unknown", [
    ("confirmed", "confirmed", False), ("consistent_with", "confirmed", False),
    ("inconclusive", "clinical", True), ("negative", "clinical", False), ("declined", "clinical", False),
])
def test_biopsy_grades_in_the_tier(result, tier, unknown):
    c = with_(base_case(), both(obs(morphology=["ulcer", "eschar"], tissue_type="necrotic"),
                                lambda c: c.patient.comorbidities.append(__import__("desktop.model", fromlist=["Comorbidity"]).Comorbidity("diabetes")),
                                lambda c: c.biopsies.append(Biopsy(result=RESULT_OF[result], grade=result, specimen="punch_biopsy",
                                                                    when=When(offset=2.0)))))
    t = assess(valid(c)).tier
    assert t.tier == tier
    assert any("biopsy" in u for u in t.unknown) is unknown


RESULT_OF = {"confirmed": "confirmed", "consistent_with": "confirmed", "inconclusive": "inconclusive",
             "negative": "negative", "declined": "not_done"}


def test_a_grade_must_agree_with_the_result():
    c = with_(base_case(), lambda c: c.biopsies.append(Biopsy(id="b", result="negative", grade="consistent_with")))
    assert [p.path for p in jsonio.check_case(c)] == ["$.biopsies[0].grade"]


def test_histology_not_stated_is_unknown_not_unmet():
    c = with_(base_case(), lambda c: c.biopsies.append(Biopsy(result="confirmed", histology_stated=False)))
    assert any("does not state its histology" in u for u in assess(valid(c)).tier.unknown)


def test_differentials_not_documented_are_listed_as_unknown():
    c = with_(base_case(), lambda c: c.diagnosis.differentials.clear())
    assert any("differentials" in u for u in assess(valid(c)).tier.unknown)
    assert not any("differentials" in u for u in assess(valid(base_case())).tier.unknown)


# --- sites and lesion nature -----------------------------------------------------------------------

@pytest.mark.parametrize("code,rule_id", [("thigh", "site-proximal"), ("thigh-lateral", "site-proximal"),
                                          ("trunk", "site-proximal"), ("penis", "site-penile"),
                                          ("finger-4-any", "site-distal"), ("finger-4-any", "site-upper-extremity"),
                                          ("lower-leg", "site-distal"), ("arm", "site-upper-extremity")])
def test_coarse_sites_derive_their_class(code, rule_id):
    lat = "midline" if not catalogue.all_sites()[code].lateral else "right"
    assert fire(with_(base_case(), site(code, lat)), rule_id)


def test_a_limb_without_its_level_is_neither_proximal_nor_distal():
    a = assess(valid(with_(base_case(), site("leg", "bilateral"))))
    assert not a.fired("site-proximal") and not a.fired("site-distal")


def test_only_calciphylaxis_lesions_drive_site_rules():
    scar = both(site("glans-penis", "midline"), lambda c: setattr(c.lesions[0], "nature", "scar"))
    a = assess(valid(with_(base_case(), scar)))
    assert not a.fired("site-penile")
    assert assess(valid(with_(base_case(), site("glans-penis", "midline")))).fired("site-penile")


def test_penile_biopsy_caution_does_not_fire_on_a_resection_specimen():
    c = with_(base_case(), both(site("glans-penis", "midline"),
                                lambda c: c.biopsies.append(Biopsy(result="confirmed", specimen="resection_specimen"))))
    assert not assess(valid(c)).fired("biopsy-penile-caution")
    c = with_(base_case(), both(site("glans-penis", "midline"),
                                lambda c: c.biopsies.append(Biopsy(result="confirmed", specimen="punch_biopsy"))))
    assert assess(valid(c)).fired("biopsy-penile-caution")


# --- times ------------------------------------------------------------------------------------

def test_month_and_year_dates_and_ages_place_with_their_precision():
    c = base_case()
    c.events[0].when = When(date="2010-06-15")
    tl = Timeline(c)
    month = tl.place(When(date="2010-03", precision="month"))
    assert month.precision == "month" and month.day == pytest.approx(-92) and month.date is None
    year = tl.place(When(date="2005", precision="year"))
    assert year.precision == "year" and round(year.day) == -1810
    age = tl.place(When(age_years=55))  # the patient is 60 at presentation
    assert age.precision == "year" and age.approximate and age.day == pytest.approx(-5 * 365.25)
    assert tl.place(When(offset=-3.0, precision="year")).day == pytest.approx(-3 * 365.25)


# --- old files ----------------------------------------------------------------------------------

def _kept(original, now, path="$"):
    """Every key of the old document is in the new one with the same value (new keys may be added)."""
    if isinstance(original, dict):
        for k, v in original.items():
            assert k in now, f"{path}.{k} lost"
            _kept(v, now[k], f"{path}.{k}")
    elif isinstance(original, list):
        assert len(original) == len(now), path
        for i, (a, b) in enumerate(zip(original, now)):
            _kept(a, b, f"{path}[{i}]")
    else:
        assert original == now or (isinstance(original, (int, float)) and float(original) == float(now)), \
            (path, original, now)


@pytest.mark.parametrize("name", ["main-2026-12.full.json", "main-2026-12.demo.json"])
def test_version_1_files_written_by_main_import_with_every_fact_kept(name):
    path = ROOT / "tests" / "data" / "libraries" / name
    doc = json.loads(path.read_text("utf-8"))
    assert doc["version"] == 1
    case = jsonio.from_document(doc)
    now = jsonio.to_document(case)
    body = {k: v for k, v in doc.items() if k not in ("format", "version")}
    from desktop.upgrade import RENAMED
    body = {RENAMED[2].get(k, k): v for k, v in body.items()}  # version 2 renamed two parts, nothing else
    _kept(body, {k: v for k, v in now.items() if k not in ("format", "version")})
    assert not any(lab.as_printed for lab in case.labs)  # nothing main wrote needed keeping as printed


def test_a_treatment_is_named_by_its_class_label_never_by_its_code():
    """A treatment recorded by its class only (PMC3267275: "additional treatment with hyperbaric
    oxygen") was named "hyperbaric-oxygen" (the code) in the evidence of the timeline checks and the
    CARE list, and a row with neither name nor class "other"."""
    from desktop.core.context import treatment_name
    from desktop.core.quality import timed_entries
    from desktop.demo import load_demo
    case = load_demo()
    case.treatments = [Treatment(id="hbo", treatment_class="hyperbaric-oxygen", start=When(offset=3)),
                       Treatment(id="x", start=When(offset=4)),
                       Treatment(id="ptx", agent=" parathyroidectomy ", treatment_class="parathyroidectomy")]
    assert [treatment_name(t) for t in case.treatments] == ["Hyperbaric oxygen", "a treatment with no name",
                                                            "parathyroidectomy"]
    labels = [label for label, _when, ref in timed_entries(case) if ref.startswith("treatments/")]
    assert labels == ["Start of hyperbaric oxygen", "Start of a treatment with no name", "Start of parathyroidectomy"]
    a = assess(case)
    support = " ".join(s for item in a.care for s in item.support)
    assert "hyperbaric-oxygen" not in support and "Hyperbaric oxygen" in support
