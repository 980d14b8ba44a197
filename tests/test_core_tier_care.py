"""The 2023 consensus tier and the CARE checklist status."""
from __future__ import annotations

from desktop.core import assess
from desktop.core.rulebook import care_items
from desktop.model import Biopsy, Comorbidity, Differential, Figure, When

from test_core_cases import base_case, lab, med, valid, with_

SECTIONS = {"Title", "Keywords", "Abstract", "Introduction", "Patient information", "Clinical findings", "Timeline",
            "Diagnostic assessment", "Therapeutic intervention", "Follow-up and outcomes", "Discussion",
            "Patient perspective", "Informed consent"}


def morph(*m, pain=None):
    def f(c):
        ob = c.lesions[0].observations[0]
        ob.morphology = list(m)
        ob.pain_0_10 = pain
    return f


def test_base_case_criteria_not_met():
    t = assess(valid(base_case())).tier
    assert t.tier == "criteria_not_met"
    assert t.early_changes == ["subcutaneous induration"] and t.typical_lesions == []
    assert t.minor_factors[0].startswith("dialysis for less than 5 years (1.9 years at first lesion onset)")
    assert t.differentials_excluded and not any("not documented" in c for c in t.caveats)
    assert t.citations[0].key == "consensus-2023"


def test_clinical_tier_needs_a_factor_and_typical_lesions():
    c = with_(base_case(), morph("livedo"))
    assert assess(c).tier.tier == "clinical"  # dialysis < 5 years is the factor
    assert assess(c).tier.typical_lesions == ["livedo reticularis"]

    def no_factor(c):
        c.patient.dialysis_modality = "none"
        c.patient.ckd_stage = "4"
        morph("ulcer", "eschar")(c)
    t = assess(with_(base_case(), no_factor)).tier
    assert t.tier == "criteria_not_met" and t.typical_lesions == ["necrotic ulcer", "black eschar"]
    assert any("dialysis patients" in x for x in t.caveats)


def test_painful_plaque_is_typical_a_painless_one_early():
    assert assess(with_(base_case(), morph("plaque", pain=7))).tier.typical_lesions == ["painful plaque or induration"]
    assert assess(with_(base_case(), morph("purpura"))).tier.early_changes == ["purpura"]


def test_suspected_tier_two_major_factors_and_early_changes():
    def f(c):
        c.patient.dialysis_modality = "none"
        c.patient.ckd_stage = "4"
        c.medications.append(med("vitamin-k-antagonist", "warfarin"))
        c.labs.append(lab("pth_intact", 1200.0, "pg/mL", day=-40, low=18.4, high=80.1))
        morph("purpura")(c)
    t = assess(valid(with_(base_case(), f))).tier
    assert t.tier == "suspected"
    assert len(t.major_factors) == 2 and any("1000 pg/mL" in m for m in t.major_factors)


def test_suspected_one_major_three_minor():
    def f(c):
        c.patient.comorbidities = [Comorbidity("diabetes"), Comorbidity("obesity")]
        c.patient.dialysis_start = When(offset=-6 * 365.25)
        morph("nodule")(c)
    t = assess(valid(with_(base_case(), f))).tier
    assert t.major_factors == [t.major_factors[0]] and "more than 5 years" in t.major_factors[0]
    assert len(t.minor_factors) == 2  # diabetes, obesity: 1 major + 2 minor is not enough
    assert t.tier == "criteria_not_met"
    g = with_(base_case(), f)
    g.labs.append(lab("albumin", 3.0, "g/dL", low=3.4, high=5.0))
    assert assess(g).tier.tier == "suspected"


def test_confirmed_tier_with_positive_biopsy():
    def f(c):
        c.biopsies.append(Biopsy(result="confirmed", when=When(offset=3.0)))
        morph("ulcer", "eschar")(c)
    assert assess(valid(with_(base_case(), f))).tier.tier == "confirmed"


def test_differentials_caveat_does_not_lower_the_tier():
    def f(c):
        c.diagnosis.differentials = [Differential("cellulitis", "considered")]
        morph("livedo")(c)
    t = assess(with_(base_case(), f)).tier
    assert t.tier == "clinical" and not t.differentials_excluded
    assert "not documented as excluded" in t.caveats[0]


def test_medication_criteria_need_duration_and_dose():
    def binder(start):
        return lambda c: c.medications.append(med("calcium-binder", "calcium carbonate", start=When(offset=start)))
    long = assess(with_(base_case(), binder(-300.0))).tier
    assert any("calcium-based binders for more than 6 months" in m for m in long.major_factors)
    short = assess(with_(base_case(), binder(-60.0))).tier
    assert not short.major_factors
    unknown = assess(with_(base_case(), lambda c: c.medications.append(
        med("calcium-binder", "calcium carbonate", start=When())))).tier
    assert not unknown.major_factors and any("duration cannot be computed" in x for x in unknown.caveats)

    def vit_d(dose, per_day):
        return lambda c: c.medications.append(med("active-vitamin-d", "calcitriol", dose=dose, dose_unit="µg",
                                                  doses_per_day=per_day))
    assert any("0.75 µg/day" in m for m in assess(with_(base_case(), vit_d(0.25, 3.0))).tier.major_factors)
    assert not assess(with_(base_case(), vit_d(0.25, 1.0))).tier.major_factors
    assert any("daily dose" in x for x in assess(with_(base_case(), vit_d(0.25, None))).tier.caveats)


# --- CARE ------------------------------------------------------------------------------------

def test_care_items_and_sections():
    items = care_items()
    assert len(items) == 30  # the domain file's table: 13 topics, 30 numbered items
    assert {i["section"] for i in items} == SECTIONS
    assert [c.item for c in assess(base_case()).care] == [i["id"] for i in items]


def care(case):
    return {c.item: c for c in assess(case).care}


def test_care_title_keywords_and_consent():
    c = base_case()
    items = care(c)
    assert items["1"].status == "complete"
    assert items["2"].status == "complete" and "2 keywords" in items["2"].support[0]
    assert items["13"].status == "complete"
    c.title = "Calciphylaxis of the thigh"
    c.keywords = ["a", "b", "c", "d", "e", "f"]
    c.figures.append(Figure(caption="synthetic photo"))
    c.consent.covers_images = False
    items = care(c)
    assert items["1"].status == "partial" and items["2"].status == "partial" and items["13"].status == "partial"
    assert any("not recorded as covering images" in s for s in items["13"].support)
    c.consent.given_by = "none"
    assert care(c)["13"].status == "missing"


def test_care_patient_perspective_and_demographics():
    c = base_case()
    assert care(c)["12"].status == "missing"
    c.manuscript.patient_perspective = "Synthetic: the patient described the pain as the worst part."
    assert care(c)["12"].status == "complete"
    assert care(c)["5a"].status == "complete"
    c.patient.ethnicity = ""
    assert care(c)["5a"].status == "partial"


def test_care_timeline_and_diagnostics():
    c = base_case()
    items = care(c)
    assert items["7"].status == "complete"
    assert items["8c"].status == "partial"  # differentials but no reasoning text
    c.diagnosis.reasoning = "Synthetic reasoning."
    c.labs.append(lab("calcium", 9.0, "mg/dL", low=8.5, high=10.1))
    items = care(c)
    assert items["8c"].status == "complete"
    assert items["8a"].status == "partial"  # labs but no imaging or biopsy
    c.biopsies.append(Biopsy(result="confirmed", when=When(offset=2.0)))
    assert care(c)["8a"].status == "complete"


def test_care_follow_up_results():
    c = base_case()
    assert care(c)["10b"].status == "missing"
    c.labs.append(lab("albumin", 3.1, "g/dL", day=20.0, low=3.4, high=5.0))
    items = care(c)
    assert items["10b"].status == "complete" and "after the diagnosis" in items["10b"].support[0]


def test_care_points_to_where_the_facts_are_and_names_what_a_regimen_lacks():
    """Lu et al. (BMC Nephrol 2022) and Ali et al. (Wounds 2020), entered from their abstracts: ulcers
    of the fingers and toes examined, no tests; sodium thiosulfate "twice weekly for 2 months"
    (Ali) or "small-dose fractionated ... for 6 months" (Lu), dose not given. 8a and 8d were listed as
    reported (partly) in the Diagnostic assessment, which held nothing but a placeholder; 9b said
    "dose, schedule or timing missing" and "not reported" though schedule and duration are recorded."""
    from desktop.model import Treatment
    c = base_case()  # a lesion examination, no labs, imaging or biopsy; a plaque on the face
    items = care(c)
    assert (items["8a"].status, items["8a"].section) == ("partial", "Clinical findings")
    assert items["8a"].support == ["lesion examinations recorded"]
    c.lesions[0].site = "finger-2-any"  # the site class (distal) is what 8d can give without a prognosis
    items = care(c)
    assert items["8d"].status == "partial" and items["8d"].section == "Clinical findings"
    c.labs.append(lab("calcium", 9.0, "mg/dL", low=8.5, high=10.1))  # a test: reported where the tests are
    assert care(c)["8a"].section == "Diagnostic assessment"
    c.treatments = [Treatment(kind="drug", agent="sodium thiosulfate", treatment_class="sodium-thiosulfate",
                              route="intravenous", schedule="twice weekly", times_per_week=2.0,
                              duration_text="2 months")]
    items = care(c)
    assert items["9b"].status == "partial"
    assert items["9b"].support == ["sodium thiosulfate: dose missing"]
    c.treatments[0].duration_text = ""
    assert care(c)["9b"].support == ["sodium thiosulfate: dose and timing missing"]
    c.treatments[0].schedule, c.treatments[0].times_per_week = "", None
    assert care(c)["9b"].status == "missing"
    c.treatments[0].dose, c.treatments[0].dose_unit = 25.0, "g"
    c.treatments[0].schedule, c.treatments[0].times_per_week, c.treatments[0].start = "", 3.0, When(offset=1.0)
    items = care(c)
    assert items["9b"].status == "complete" and items["9b"].support == ["sodium thiosulfate: dose, schedule and timing recorded"]


def test_a_treatment_row_just_added_reports_no_intervention():
    # entering a case from scratch: "Add treatment" makes an empty row (no agent, class "other"); the
    # CARE list counted it as item 9a complete ("interventions: other") before anything was typed
    from desktop.model import Treatment
    blank = with_(base_case(), lambda c: c.treatments.append(Treatment()))
    assert (care(blank)["9a"].status, care(blank)["9b"].status) == ("missing", "missing")
    named = with_(base_case(), lambda c: c.treatments.append(Treatment(agent="sodium thiosulfate",
                                                                       treatment_class="sodium-thiosulfate")))
    assert care(named)["9a"].status == "complete" and "sodium thiosulfate" in care(named)["9a"].support[0]


def test_a_medicine_stopped_before_the_onset_or_at_an_unplaced_time_is_not_a_risk_factor():
    """Mathur, Shortland & El Nahas (NDT, "Calciphylaxis with facial involvement"): "conventional
    maintenance immunosuppressive therapy that had to be stopped subsequently as his renal function
    continued to decline", years before dialysis. The tier counted it as the minor factor "long-term
    immunosuppressants" though the record says it was stopped. The base case's first lesion onset is
    day -30 (synthetic times below)."""
    said = "stopped as his renal function continued to decline"
    imm = med("immunosuppressant", "conventional maintenance immunosuppressive therapy",
              stop=When(label=said))
    t = assess(valid(with_(base_case(), lambda c: c.medications.append(imm)))).tier
    assert not any(m.startswith("long-term immunosuppressants") for m in t.minor_factors)
    undecided = [u for u in t.unknown if u.startswith("long-term immunosuppressants or glucocorticoids (minor)")]
    assert undecided and f"recorded as stopped (\u201c{said}\u201d)" in undecided[0]
    assert not any("counted as long-term" in c and "Immunosuppressants" in c for c in t.caveats)
    # stopped on a day before the onset: not counted, and the caveat says why
    before = med("vitamin-k-antagonist", "warfarin", stop=When(offset=-200.0))
    t = assess(valid(with_(base_case(), lambda c: c.medications.append(before)))).tier
    assert not any(m.startswith("long-term warfarin") for m in t.major_factors)
    assert any(c.startswith("Warfarin was stopped on day \u2212200") and "before the first lesion onset" in c
               for c in t.caveats)
    # stopped after the onset: it was taken then, and counts
    after = med("vitamin-k-antagonist", "warfarin", stop=When(offset=-5.0))
    t = assess(valid(with_(base_case(), lambda c: c.medications.append(after)))).tier
    assert any(m.startswith("long-term warfarin") for m in t.major_factors)
