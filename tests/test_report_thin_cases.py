"""Thin published cases, whose abstracts showed what the manuscript and the assessment got wrong.

"Calciphylaxis and subtotal parathyroidectomy: a double-edged sword" (Hemodial Int 2013,
tests/cases/hd-two-episodes-ptx-then-sts.json) tells the order of its events in words only. Seen in
its PDF: the Timeline printed "—" as the time of the hypocalcaemia, because the medication table had
already printed the same words as the start of the calcium and vitamin D resumed for it (the copy-edit
took a time for a repeated sentence); and the hypocalcaemia, given without a value, read "low mg/dL".
"""
from __future__ import annotations

from pathlib import Path

from desktop import jsonio
from desktop.core import assess

from test_report_facts import docx_text, pdf_text

CASE = Path(__file__).parent / "cases" / "hd-two-episodes-ptx-then-sts.json"
AFTER_PTX = "after the parathyroidectomy; not dated in the text we hold"


def case():
    return jsonio.loads(CASE.read_text("utf-8"))


def test_a_time_in_words_is_printed_in_every_table_that_needs_it():
    cells = [line.strip() for line in docx_text(case(), draft=True).splitlines()]
    # the start of the oral calcium and of the vitamin D analog, the timeline's event, the result
    assert cells.count(AFTER_PTX) == 4, [c for c in cells if "parathyroidectomy" in c]
    at = cells.index("Parathyroidectomy-related hypocalcaemia; oral calcium and a vitamin D analog resumed for it.")
    assert cells[at - 2] == AFTER_PTX and cells[at - 1] == "Complication"  # No. | Time | Event | Description
    flat = " ".join(pdf_text(case(), draft=True).split())
    assert "after the parathyroidectomy; not dated in the text we hold Complication" in flat


def test_a_result_in_words_has_no_unit_beside_it():
    cells = [line.strip() for line in docx_text(case(), draft=True).splitlines()]
    at = cells.index("low")
    assert cells[at + 1] != "mg/dL" and "mg/dL" not in cells  # the only result is the word
    assert "low mg/dL" not in " ".join(pdf_text(case(), draft=True).split())


def test_a_start_given_only_in_words_is_not_called_unrecorded():
    a = assess(case())
    sts = a.by_rule("sts-regimen")[0]
    assert "No start is recorded" not in sts.message
    assert [e.time for e in sts.evidence] == ["start recorded, not placed on the day axis"]
    vit_d = a.by_rule("active-vitamin-d")[0]
    assert [e.time for e in vit_d.evidence] == ["start recorded, not placed on the day axis"]
    # nothing recorded at all still says so
    c = case()
    c.treatments[1].start = type(c.treatments[1].start)()
    assert "No start is recorded, so the duration is not checked." in assess(c).by_rule("sts-regimen")[0].message


# --- Daza et al., Open J Nephrol 2021 (tests/cases/pkd-hd-ptx-second-biopsy-pg.json) ------------------

DAZA = Path(__file__).parent / "cases" / "pkd-hd-ptx-second-biopsy-pg.json"


def test_a_past_intervention_the_history_already_tells_is_not_told_again():
    """The history says "Parathyroidectomy in 2011 for primary hyperparathyroidism."; the manuscript
    added "Past interventions. Parathyroidectomy, about 3 years before presentation, for primary
    hyperparathyroidism." — the same fact twice."""
    daza = jsonio.loads(DAZA.read_text("utf-8"))
    flat = " ".join(docx_text(daza, draft=True).split())
    assert flat.count("Parathyroidectomy in 2011 for primary hyperparathyroidism") == 1
    assert "Past interventions." not in flat
    # a history that names it without its time: the structured entry still gives the time
    daza.patient.history = "Chronic kidney disease secondary to polycystic kidney disease; a parathyroidectomy " \
                           "for primary hyperparathyroidism."
    flat = " ".join(docx_text(daza, draft=True).split())
    assert "Past interventions. Parathyroidectomy, about 3 years before presentation, for primary " \
           "hyperparathyroidism." in flat


def test_a_second_biopsy_that_states_its_histology_decides_what_the_first_left_open():
    a = assess(jsonio.loads(DAZA.read_text("utf-8")))
    assert not any("does not state its histology" in x for x in a.tier.unknown)
    only_first = jsonio.loads(DAZA.read_text("utf-8"))
    only_first.biopsies = only_first.biopsies[:1]
    assert any("does not state its histology" in x for x in assess(only_first).tier.unknown)


# --- Maroulis et al., Hormones 2006 (tests/cases/capd-high-cap-urgent-ptx.json) -------------------------

MAROULIS = Path(__file__).parent / "cases" / "capd-high-cap-urgent-ptx.json"


def test_a_product_reported_in_words_has_no_unit_and_a_note_the_description_says_is_not_repeated():
    maroulis = jsonio.loads(MAROULIS.read_text("utf-8"))
    flat = " ".join(pdf_text(maroulis, draft=True).split())
    assert "Calcium × phosphate product elevated as reported at presentation" in flat
    assert "elevated mg²/dL²" not in flat
    # the observation's note ("painful skin lesions") says again what the description printed beside it
    # says: the cell read "Painful; painful skin lesions. Painful skin lesions (...)"
    assert "1 day 0 Painful skin lesions (sites not in the text we hold)." in flat  # said once
    assert "Painful; painful" not in flat


# --- Int J Endocrinol 2010:823210 (tests/cases/phpt-thighs-mediastinal-adenoma.json) -------------------

PHPT = Path(__file__).parent / "cases" / "phpt-thighs-mediastinal-adenoma.json"


def test_a_result_in_words_at_an_undated_time_is_neither_given_a_unit_nor_called_untimed():
    """"Postoperatively, the patient had normalization of ... parathyroid hormone levels": the PTH
    rule's evidence read "normal pg/mL" at "time not recorded", although the result is a word and its
    time is recorded (postoperatively), only not placed on the day axis."""
    a = assess(jsonio.loads(PHPT.read_text("utf-8")))
    f = a.by_rule("pth-cinacalcet")[0]
    pth = next(e for e in f.evidence if e.label == "Intact PTH, latest")
    assert (pth.value, pth.unit, pth.time) == ("normal", "", "time recorded, not placed on the day axis")
    assert "Intact PTH normal at a time not placed on the day axis is the latest value" in f.message
    # nothing recorded at all still says so
    c = jsonio.loads(PHPT.read_text("utf-8"))
    for lab in c.labs:
        lab.when = type(lab.when)()
    f = assess(c).by_rule("pth-cinacalcet")[0]
    assert "at a time not recorded" in f.message
    assert next(e for e in f.evidence if e.label == "Intact PTH, latest").time == "time not recorded"


def test_a_biopsy_event_the_biopsy_paragraph_tells_is_named_in_the_timeline_not_dashed():
    flat = " ".join(pdf_text(jsonio.loads(PHPT.read_text("utf-8")), draft=True).split())
    assert "2 not dated in the text we hold Biopsy skin biopsy: confirmed calciphylaxis" in flat


# --- George et al., Saudi J Kidney Dis Transpl 1994 (tests/cases/hd-tumoral-calcification-delayed-ptx.json)

GEORGE = Path(__file__).parent / "cases" / "hd-tumoral-calcification-delayed-ptx.json"


def test_four_and_a_half_years_is_not_rounded_across_the_five_year_line():
    """"after four and half years on regular haemodialysis": the assessment text said "about 5 years
    (1644 days)" — and 5 years is where the consensus' minor factor becomes the major one."""
    from desktop.core.text import format_assessment
    from desktop.timing import length_words
    text = " ".join(format_assessment(assess(jsonio.loads(GEORGE.read_text("utf-8")))).split())
    assert "Dialysis vintage at first lesion onset: about 4.5 years (1644 days)" in text
    assert "First lesion onset: onset of lesion 1" in text  # was "onset of the site not recorded lesion"
    assert (length_words(4.5 * 365.25), length_words(731), length_words(800)) == ("4.5 years", "2 years", "2 years")


def test_a_finding_beside_the_lesions_without_a_site_is_not_of_the_dash():
    flat = " ".join(pdf_text(jsonio.loads(GEORGE.read_text("utf-8")), draft=True).split())
    assert "Calcinosis nodule, site not recorded (number 2, at lesion onset): tumoral calcification" in flat
    assert "of the —" not in flat


def test_an_imaging_study_the_history_already_tells_leaves_no_empty_paragraph():
    """George et al.: "radiological evidence of hyperparathyroidism" before the symptoms, said in the
    history. The Imaging subsection printed a bare "Imaging (before the onset of symptoms)." — nothing
    the history had not said."""
    george = jsonio.loads(GEORGE.read_text("utf-8"))
    for text in (pdf_text(george, draft=True), docx_text(george, draft=True)):
        flat = " ".join(text.split())
        assert flat.lower().count("radiological evidence of hyperparathyroidism") == 1
        assert "Imaging (before the onset of symptoms)" not in flat
        assert "\nImaging\n" not in "\n" + "\n".join(line.strip() for line in text.splitlines()) + "\n"
    # a study with something of its own to say is still told: the findings, or what kind of study it was
    george.imaging[0].findings = "Subperiosteal resorption of the phalanges."
    assert "Imaging (before the onset of symptoms). Subperiosteal resorption of the phalanges." in \
        " ".join(pdf_text(george, draft=True).split())
    george.imaging[0].findings = "Radiological evidence of hyperparathyroidism."
    george.imaging[0].modality = "xray"
    flat = " ".join(pdf_text(george, draft=True).split())
    assert "Radiograph (before the onset of symptoms)." in flat
