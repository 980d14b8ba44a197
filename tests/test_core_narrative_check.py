"""The narrative bound to the data: numbers typed into the narrative are checked against the record."""
from __future__ import annotations

from desktop.core import assess
from desktop.core.narrative_check import NARRATIVE_CONTRADICTS, NARRATIVE_UNMATCHED, values_in
from desktop.demo import load_demo


def manuscript_findings(case):
    return [f for f in assess(case).findings if f.rule_id in (NARRATIVE_UNMATCHED, NARRATIVE_CONTRADICTS)]


def test_the_demo_manuscript_agrees_with_its_record():
    # every number of the article's case presentation (labs with ranges, 87/52 mmHg, 25 g, product
    # 82.8, "3 weeks prior", "3 months later") is in the structured record
    assert manuscript_findings(load_demo()) == []


def test_values_with_units_ranges_and_thresholds():
    vals = values_in("potassium 5.1 mmol/L (3.5–4.7 mmol/L), blood pressure 87/52 mmHg, A1c 6.9% (≤ 5.6%), "
                     "a 1-week course")
    assert [(v.values, v.unit) for v in vals] == [((87.0, 52.0), "mmhg-bp"), ((5.1,), "mmol/l"),
                                                  ((3.5, 4.7), "mmol/l"), ((6.9,), "%")]


def test_a_contradicting_lab_value_names_field_and_sentence():
    c = load_demo()
    c.manuscript.diagnostic_assessment += " On review, potassium was 6.2 mmol/L."
    found = manuscript_findings(c)
    assert [f.rule_id for f in found] == [NARRATIVE_CONTRADICTS]
    f = found[0]
    assert f.severity == "warning" and f.category == "data_quality"
    assert "Diagnostic assessment" in f.message and "On review, potassium was 6.2 mmol/L." in f.message
    assert "5.1 mmol/L" in f.message
    assert f.evidence[0].ref == "manuscript.diagnostic_assessment"


def test_unrecorded_dose_day_and_interval_are_listed():
    c = load_demo()
    c.manuscript.therapeutic_intervention += " A second course of 30 g was given on day 9, 5 weeks later."
    found = manuscript_findings(c)
    assert {f.rule_id for f in found} == {NARRATIVE_UNMATCHED}
    said = " ".join(f.message for f in found)
    assert "“30 g”" in said and "“day 9”" in said and "“5 weeks later”" in said
    assert all("Therapeutic intervention" in f.message for f in found)


def test_literature_figures_are_not_checked():
    c = load_demo()
    c.manuscript.discussion += " Mortality reaches 80% and the product should stay below 55 mg/dL."
    c.manuscript.diagnostic_assessment += " A product > 70 mg/dL is a risk factor."
    assert manuscript_findings(c) == []
