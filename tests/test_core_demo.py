"""The assessment of the built-in demo case (the seed patient, Smilnak et al. 2022)."""
from __future__ import annotations

import pytest

from desktop.core import assess
from desktop.core.labs import format_number
from desktop.core.text import derived_value_text
from desktop.demo import load_demo


@pytest.fixture(scope="module")
def a():
    return assess(load_demo())


def test_ca_p_at_penile_onset_fires_high_before_onset(a):
    products = [d for d in a.derived if d.kind == "ca_p_product"]
    first = products[0]
    assert first.value == pytest.approx(82.8) and first.unit == "mg²/dL²"
    assert [e.value for e in first.inputs] == ["9.2", "9.0"]
    f = a.by_rule("ca-p-high-before-onset")[0]
    assert "82.8 mg²/dL²" in f.message and "at the first lesion onset" in f.message
    assert any(e.ref == "labs/lab-calcium-onset" for e in f.evidence)


def test_latest_ca_p_is_at_goal(a):
    latest = [d for d in a.derived if d.kind == "ca_p_product"][-1]
    assert latest.value == 13.7  # 9.1 × 1.5 = 13.65, stored as it is shown (one rounding, half-up)
    assert derived_value_text(latest).startswith("13.7 mg²/dL²")
    assert a.fired("ca-p-at-goal") and not a.fired("ca-p-above-goal")
    assert "13.7 mg²/dL²" in a.by_rule("ca-p-at-goal")[0].message


def test_albumin_fires_hypoalbuminaemia(a):
    f = a.by_rule("hypoalbuminaemia")[0]
    assert "Albumin 2.9 g/dL" in f.message and "3.4–5.0 g/dL" in f.message


def test_corrected_calcium_is_shown_with_its_caveat(a):
    cc = [d for d in a.derived if d.kind == "corrected_calcium"]
    assert len(cc) == 1
    assert format_number(cc[0].value, 2) == "9.98" and cc[0].unit == "mg/dL"
    assert "derived" in cc[0].label.lower()
    assert "dialysis" in cc[0].caveat and "ionised" in cc[0].caveat
    assert {c.key for c in cc[0].citations} == {"payne-formula", "clase-2000"}


def test_pth_104_cinacalcet_not_indicated(a):
    f = a.by_rule("pth-cinacalcet")[0]
    assert "104 pg/mL" in f.message and "not indicated by PTH" in f.message and f.severity == "info"
    assert "latest" in f.message
    assert not a.fired("pth-parathyroidectomy-consider")


def test_site_penile_is_critical(a):
    f = a.by_rule("site-penile")[0]
    assert f.severity == "critical" and "glans penis" in f.message


def test_infection_suspected_fires(a):
    f = a.by_rule("infection-suspected")[0]
    assert "purulence" in f.message and "foul odour" in f.message
    assert "amoxicillin–clavulanic acid" in f.message  # the recorded antibiotic is named


def test_iatrogenic_trauma_fires(a):
    f = a.by_rule("iatrogenic-trauma")[0]
    assert "finger" in f.message and "glucose monitoring" in f.message


def test_sodium_thiosulfate_matches_the_regimen(a):
    f = a.by_rule("sts-regimen")[0]
    assert "25 g" in f.message and "three times weekly" in f.message and "matches the usual regimen" in f.message
    assert not a.fired("sts-not-started")


def test_tier_is_clinical_with_differentials_caveat(a):
    t = a.tier
    assert t.tier == "clinical"
    assert not t.differentials_excluded
    assert any("not documented as excluded" in c for c in t.caveats)
    assert "necrotic ulcer" in t.typical_lesions and "black eschar" in t.typical_lesions
    assert any("diabetes" in m for m in t.minor_factors) and any("hypoalbuminaemia" in m for m in t.minor_factors)
    assert a.fired("differentials-not-documented")


def test_care_item_12_patient_perspective_is_missing(a):
    items = {c.item: c for c in a.care}
    assert items["12"].status == "missing" and items["12"].section == "Patient perspective"
    assert items["1"].status == "complete" and items["2"].status == "complete"
    assert items["13"].status == "missing"  # no consent statement in the text we hold


def test_biopsy_findings(a):
    assert a.fired("biopsy-penile-caution") and a.fired("biopsy-inconclusive")


def test_no_unexpected_data_quality_problems(a):
    dq = {f.rule_id for f in a.findings if f.category == "data_quality"}
    # the onset calcium and phosphorus come from chart review without a reference range
    assert dq == {"dq-missing-reference-range"}


def test_survival_and_time_to_diagnosis(a):
    kinds = {d.kind: d for d in a.derived}
    assert kinds["survival"].label == "Survival from diagnosis to death"
    assert 85 <= kinds["survival"].value <= 95  # "he died 3 months later"
    assert kinds["onset_to_diagnosis"].value == pytest.approx(60.9, abs=1)
