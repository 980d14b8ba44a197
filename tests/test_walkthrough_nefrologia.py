"""What entering a published case through the window showed, fixed.

The case: the letter "Synergy of sodium thiosulphate treatment and expanded haemodialysis" (Nefrologia
2022, https://revistanefrologia.com/en-synergy-sodium-thiosulphate-treatment-expanded-articulo-S2013251422000918):
a 47-year-old woman on haemodialysis, anticoagulated with acenocoumarol after an aortic valve
replacement "two months before admission", with "a two-week history" of lesions that became
ulcerative, "very painful", whose site the letter does not give. Entered from scratch under Xvfb:
- a time given "at the time of an event" was saved at once at the first event of the list (the
  admission), before the author chose the lesion-onset event: a time the source never gives;
- the observation's Pain choice, left alone, read "made, basis not stated" (the words of a diagnosis
  made on an unstated basis), and "present"/"absent" for painful and painless;
- the anticoagulant finding was titled "Warfarin (vitamin K antagonist)" for acenocoumarol.
Real widgets on a real library, read back from the file.
"""
from __future__ import annotations

from functools import partial

import pytest
from PySide6.QtCore import Qt

from desktop.core import assess
from desktop.gui.session import CaseSession
from desktop.gui.sections.imaging import ImagingSection
from desktop.gui.sections.lesions import LesionsSection
from desktop.model import Case, Event, Lesion, Medication, Observation, Patient, When
from desktop.store.library import create_library

from gui_helpers import pick, type_into, stored as stored_case


def letter_case() -> Case:
    admission = Event(id="ev-admission", kind="presentation", description="Admitted to the nephrology ward",
                      when=When(offset=0.0))
    onset = Event(id="ev-onset", kind="lesion_onset", when=When(offset=-2.0, precision="week", label="a two-week history"),
                  description="Initially small and erythematous lesions that progressed to being ulcerative")
    return Case(title="Calciphylaxis on haemodialysis and acenocoumarol: a case report",
                patient=Patient(age_years=47, sex="female", ckd_stage="5D", dialysis_modality="haemodialysis"),
                medications=[Medication(name="acenocoumarol", drug_class="vitamin-k-antagonist",
                                        start=When(offset=-2.0, precision="month", label="two months before admission"))],
                events=[admission, onset], index_event_id=admission.id,
                lesions=[Lesion(id="les-1", observations=[Observation(id="obs-1", when=When(event_id=admission.id),
                                                                      morphology=["ulcer"], pain="present")])])


@pytest.fixture
def library(qtbot, tmp_path):
    path = tmp_path / "letter.casebook"
    lib = create_library(path)
    case_id = lib.add_case(letter_case())
    shown = []

    def section(cls):
        w = cls(CaseSession(lib, case_id))
        qtbot.addWidget(w)
        w.resize(1100, 850)
        w.show()
        qtbot.waitExposed(w)
        shown.append(w)
        return w

    stored = partial(stored_case, path, case_id)  # the file, read back

    yield section, stored
    for w in shown:
        w.close()
    lib.close()


def test_at_the_time_of_an_event_saves_nothing_until_the_event_is_chosen(qtbot, library):
    section, stored = library
    w = section(LesionsSection)
    w.select_lesion("les-1")
    onset = w.onset
    pick(qtbot, onset.mode, "event")
    assert onset.event.currentIndex() == -1  # no event picked for the author
    assert "choose the event" in onset.resolved.text()
    assert not stored().lesion("les-1").onset.is_set  # nothing saved: not the admission, not day 0
    type_into(qtbot, onset.amount, "0")  # an amount before the event waits for it too
    assert not stored().lesion("les-1").onset.is_set
    pick(qtbot, onset.event, "ev-onset")  # "at the time of" the lesions' onset, as the letter gives it
    assert stored().lesion("les-1").onset.event_id == "ev-onset"


def test_pain_as_the_source_states_it_is_worded_for_pain(qtbot, library):
    section, stored = library
    w = section(LesionsSection)
    w.select_lesion("les-1")
    pain = w.obs_fields["pain"]
    assert [pain.itemText(n) for n in range(pain.count())] == ["painful", "painless", "not stated"]
    assert pain.currentText() == "painful"  # "very painful"
    basis = section(ImagingSection).basis  # the diagnosis keeps its own words for "not_stated"
    assert basis.itemText(basis.findData("not_stated")) == "made, basis not stated"


def test_the_anticoagulant_finding_names_the_class_and_the_drug_recorded():
    found = next(f for f in assess(letter_case()).findings if f.rule_id == "warfarin")
    assert found.title == "Warfarin or another vitamin K antagonist"
    assert "acenocoumarol" in found.message


def test_procalcitonin_and_a_biointact_pth_are_entered_under_their_own_names(qtbot, library):
    # "procalcitonin 1.49 ng/m[L]" and "biointact parathyroid hormone (PTH) (1–84) 490 pg/m[L]", obtained on
    # admission: the grid had neither, and a bio-intact PTH typed as intact PTH would be read against
    # intact PTH's thresholds (iPTH > 1000 and < 300 pg/mL, domain file §1)
    from desktop.gui.sections.labs import LabsSection
    section, stored = library
    w = section(LabsSection)
    pick(qtbot, w.when.mode, "event")
    pick(qtbot, w.when.event, "ev-admission")
    type_into(qtbot, w.row("procalcitonin").value, "1.49")
    type_into(qtbot, w.row("pth_biointact").value, "490")
    saved = {lab.analyte: lab for lab in stored().labs}
    assert (saved["procalcitonin"].value, saved["procalcitonin"].unit, saved["procalcitonin"].decimals) == (1.49, "ng/mL", 2)
    assert (saved["pth_biointact"].value, saved["pth_biointact"].unit) == (490.0, "pg/mL")
    assert "pth_intact" not in saved
    assert saved["procalcitonin"].when.event_id == "ev-admission"
    tier = assess(stored()).tier
    assert any("only a bio-intact PTH (1\u201384) is recorded (490 pg/mL" in x for x in tier.unknown), tier.unknown
    # each unit is shown whole: "mL/min/1.73m²" was cut to "…/min/1.73m²"
    unit = w.row("egfr").unit
    assert unit.lineEdit().width() > unit.fontMetrics().horizontalAdvance(unit.currentText())


def test_the_medication_table_names_the_class_without_the_forms_example(tmp_path):
    import io

    import docx

    from desktop.interop.docx import write_docx
    buf = io.BytesIO()
    write_docx(letter_case(), buf, draft=True)
    rows = [[c.text for c in r.cells] for t in docx.Document(io.BytesIO(buf.getvalue())).tables for r in t.rows]
    aceno = next(r for r in rows if r and r[0].startswith("acenocoumarol"))
    assert aceno[1] == "Vitamin K antagonist"  # not "Vitamin K antagonist (e.g. warfarin)"


def test_a_time_with_brackets_of_its_own_is_not_bracketed_again():
    # the letter's culture and biopsy are undated, before the admission: recorded in the source's words
    # "before the admission (not dated)"; the manuscript printed "Wound culture (before the admission
    # (not dated))" and "Skin biopsy of lesion 1 (before the admission (not dated))"
    import io
    import re

    import docx

    from desktop import jsonio
    from desktop.interop.docx import write_docx
    from pathlib import Path
    case = jsonio.loads((Path(__file__).parent / "cases" / "nosite-hd-acenocoumarol-pseudomonas.json").read_text("utf-8"))
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(buf.getvalue())).paragraphs)
    assert "Wound culture, before the admission (not dated): positive, Pseudomonas aeruginosa." in text
    assert "Skin biopsy of lesion 1, before the admission (not dated): consistent with calciphylaxis." in text
    assert not re.search(r"\([^()]*\(", text), re.search(r".{40}\([^()]*\(.{40}", text)  # no "( … (" anywhere


def test_the_biopsy_names_its_lesion_as_the_lesions_section_does(qtbot, library):
    section, stored = library
    w = section(ImagingSection)
    qtbot.mouseClick(w.biopsies.table.add_button, Qt.MouseButton.LeftButton)
    combo = w.biopsies.fields["lesion_id"]
    assert combo.itemText(combo.findData("les-1")) == "Lesion 1: site not recorded"  # was "Lesion 1: not stated"
    pick(qtbot, combo, "les-1")
    assert stored().biopsies[0].lesion_id == "les-1"
    table = w.biopsies.table.view.model()
    assert table.index(0, 1).data() == "Lesion 1: site not recorded"


def test_ulcerated_is_asked_once_when_ulcer_is_ticked(qtbot, library):
    # "progressed to being ulcerative": the author ticks "ulcer"; the form then asked "Ulcerated:
    # unknown" beside it, a second answer to the same question
    section, stored = library
    w = section(LesionsSection)
    w.select_lesion("les-1")
    ulcerated = w.obs_fields["ulcerated"]
    assert "ulcer" in stored().lesion("les-1").observations[0].morphology
    assert (ulcerated.currentData(), ulcerated.isEnabled()) == ("yes", False)  # answered by the tick
    w.morph_boxes["ulcer"].click()  # taken back
    qtbot.waitUntil(lambda: ulcerated.isEnabled())
    ob = stored().lesion("les-1").observations[0]
    assert "ulcer" not in ob.morphology and ob.ulcerated == "unknown"  # nothing was saved for the tick
    assert ulcerated.currentData() == "unknown"


def test_histological_features_are_offered_only_when_the_source_states_the_histology(qtbot, library):
    # "A skin biopsy of one of the lesions was consistent with calciphylaxis": no histology printed, so
    # "the source states the histology" is unticked; the features could still be ticked beside it, and the
    # manuscript then said "…; microvascular calcification. The histological findings are not reported."
    section, stored = library
    w = section(ImagingSection)
    qtbot.mouseClick(w.biopsies.table.add_button, Qt.MouseButton.LeftButton)
    stated, features = w.biopsies.fields["histology_stated"], w.biopsies.fields["features"]
    assert features.isEnabled()  # a new biopsy: the source states its histology until the author says not
    stated.click()
    qtbot.waitUntil(lambda: not features.isEnabled())
    assert stored().biopsies[0].histology_stated is False
    stated.click()
    qtbot.waitUntil(features.isEnabled)


def test_features_recorded_are_never_called_not_reported():
    import io

    import docx

    from desktop.interop.docx import write_docx
    from desktop.model import Biopsy
    case = letter_case()
    case.biopsies = [Biopsy(id="bx", lesion_id="les-1", specimen="skin_biopsy", grade="consistent_with",
                            result="confirmed", histology_stated=False, features=["microvascular_calcification"])]
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(buf.getvalue())).paragraphs)
    assert "microvascular calcification" in text and "The histological findings are not reported" not in text
