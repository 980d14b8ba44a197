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


# --- numbers written in words (issue 14) ---------------------------------------------------------------

def test_number_words_are_read_as_english_writes_them():
    from desktop.core.numwords import spans, value, with_digits
    said = {"two": 2, "fifty": 50, "twenty-five": 25, "ninety nine": 99, "one hundred and five": 105,
            "three thousand four hundred": 3400, "Eleven": 11}
    assert {w: value(w) for w in said} == said
    assert value("two three") is None and value("hundred and") is None and value("nineteen twenty") is None
    text = "thrice weekly for two weeks, the third toe, one of three lesions"
    assert [v for _, _, v in spans(text)] == [2, 1, 3]  # cardinals only: not "third"
    assert [v for _, _, v in spans(text, multiples=True)] == [3, 2, 1, 3]
    d = with_digits("Given for two weeks, then Twenty-five g.")
    assert d.text == "Given for 2 weeks, then 25 g."
    i = d.text.index("25 g")
    assert d.original(i, i + 4) == "Twenty-five g" and d.original(10, 17) == "two weeks"


def test_the_published_case_in_words_agrees_with_its_record():
    """The seed article's intervals and the thiosulfate schedule, written out in words, match the
    recorded events (3 weeks before admission, 3 months after) and the recorded 3 sessions a week."""
    c = load_demo()
    p, m = c.patient, c.manuscript
    p.history = p.history.replace("3 weeks prior", "three weeks prior")
    m.follow_up = m.follow_up.replace("3 months later", "three months later")
    m.therapeutic_intervention += " Sodium thiosulfate was given three times a week."
    assert manuscript_findings(c) == []


def test_unrecorded_values_in_words_are_listed_in_the_authors_words():
    c = load_demo()
    c.manuscript.therapeutic_intervention += (" A second course of thirty g was given on day nine, five weeks later,"
                                              " and cinacalcet twice daily.")
    found = manuscript_findings(c)
    assert {f.rule_id for f in found} == {NARRATIVE_UNMATCHED}
    said = " ".join(f.message for f in found)
    assert "“30 g”" in said and "“day nine”" in said and "“five weeks later”" in said
    assert "“twice daily”" in said  # no medicine or treatment recorded twice a day


def test_a_frequency_that_contradicts_the_record_is_listed():
    c = load_demo()
    assert "thrice weekly" in c.manuscript.therapeutic_intervention
    assert manuscript_findings(c) == []  # recorded: sodium thiosulfate 3 times a week
    c.manuscript.therapeutic_intervention = c.manuscript.therapeutic_intervention.replace("thrice weekly",
                                                                                          "twice weekly")
    found = manuscript_findings(c)
    assert len(found) == 1 and "“twice weekly”" in found[0].message


# --- intervals from a named event (issue 12) ----------------------------------------------------------

def test_an_interval_from_a_named_event_is_compared_with_that_event():
    from pathlib import Path

    from desktop import jsonio
    from desktop.core.narrative_check import anchor_phrase, anchors
    # Proebstle et al. 1995 (tests/cases, SI units): the ulcers healed completely 4 weeks after the
    # removal of the fourth parathyroid gland; parathormone rose again after the first operation
    # ("4 weeks"). Nothing in the record is dated: the intervals are given from the operations' events.
    case = jsonio.loads((Path(__file__).parent / "cases" / "thighs-si-units-parathyroidectomy.json").read_text("utf-8"))
    assert anchor_phrase("healed 4 weeks after the parathyroidectomy, and then", 20) == ("the parathyroidectomy", 42)
    assert {w.event_id for w in anchors(case, "the parathyroidectomy")} == {"e-ptx1", "e-ptx2"}
    assert {w.event_id for w in anchors(case, "the skin markings appeared")} == {"e-onset"}
    assert anchors(case, "the holiday") == []
    case.manuscript.follow_up = ("The skin ulcers healed completely 4 weeks after the parathyroidectomy. The areas "
                                 "grew within 7 days after the skin markings appeared.")
    assert manuscript_findings(case) == []  # both are in the record, from the events they name
    # an interval the record does not give from that event is listed, with the words that name it
    case.manuscript.follow_up = ("The ulcers healed 6 weeks after the parathyroidectomy. A new ulcer appeared "
                                 "4 weeks after the excision.")
    found = manuscript_findings(case)
    assert [f.rule_id for f in found] == [NARRATIVE_UNMATCHED, NARRATIVE_UNMATCHED]
    assert "“6 weeks after the parathyroidectomy” matches no time 6 weeks after the parathyroidectomy" in found[0].message
    assert "“4 weeks after the excision”" in found[1].message
    # from something the record does not name: nothing to compare with, so nothing is listed
    case.manuscript.follow_up = "She travelled 3 weeks after the holiday season."
    assert manuscript_findings(case) == []


def test_an_interval_from_a_named_event_placed_on_the_day_axis():
    # the seed (Smilnak et al. 2022): death 3 months after discharge; the lesions 2 months before
    # the admission, the coronary intervention 3 weeks before it (so about 6 weeks apart)
    c = load_demo()
    c.manuscript.follow_up += (" He died 3 months after discharge. The digital lesions began 6 weeks before "
                               "the coronary intervention.")
    assert manuscript_findings(c) == []
    c = load_demo()
    c.manuscript.follow_up += " He died 5 months after discharge. The lesions began 2 weeks before the coronary intervention."
    said = [f.message for f in manuscript_findings(c)]
    assert len(said) == 2
    assert "“5 months after discharge” matches no time 5 months after discharge" in said[0]
    assert "“2 weeks before the coronary intervention”" in said[1]


def test_an_interval_recorded_as_the_patient_s_own_time_is_in_the_record():
    """PMC6089724 (a published case): "Four months prior to presentation he had a second renal
    transplantation", recorded as the patient's Transplanted time (4 months before day 0). The
    medical history saying so was listed as "not in the record": only events, treatments and
    results were searched, never the patient's own times, dialysis periods or medicines."""
    from desktop.model import Case, DialysisPeriod, Event, Medication, When
    c = Case(events=[Event(id="e-pres", kind="presentation", when=When(date="2002-11", precision="month"))],
             index_event_id="e-pres")
    c.patient.history = "Second renal transplantation four months before presentation, rejected after 6 weeks."
    assert [f.rule_id for f in manuscript_findings(c)] == [NARRATIVE_UNMATCHED]
    c.patient.transplant_date = When(offset=-4.0, precision="month")
    assert manuscript_findings(c) == []
    # a dialysis period's start, and a medicine's, count as well
    c.patient.history = "Haemodialysis again from 10 weeks before presentation; prednisolone from 4 months before presentation."
    c.patient.transplant_date = When()
    assert len(manuscript_findings(c)) == 2
    c.patient.dialysis_history = [DialysisPeriod(modality="haemodialysis", start=When(offset=-10.0, precision="week"))]
    c.medications = [Medication(name="prednisolone", start=When(offset=-4.0, precision="month"))]
    assert manuscript_findings(c) == []
