"""Issue 12: the window's editors for facts the format holds and the window lacked — the dialysis
history (modality changes with when and why), the signs an event records, and the histological
features of a biopsy — driven as a user would, with the stored case read back from the library file
and through the JSON format. Published cases give the facts (tests/cases/); where no published case
prints a fact, the case is synthetic and says so."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop import jsonio
from desktop.core import assess
from desktop.gui.session import CaseSession
from desktop.gui.sections.imaging import ImagingSection
from desktop.gui.sections.patient import PatientSection
from desktop.gui.sections.timeline import TimelineSection
from desktop.model import Biopsy, Case, Event, When
from desktop.store.library import create_library

from gui_helpers import add_chosen, pick, stored, type_into

CASES = Path(__file__).parent / "cases"


def source(name: str) -> dict:
    return json.loads((CASES / f"{name}.json").read_text("utf-8"))


@pytest.fixture
def open_case(qtbot, tmp_path):
    libs = []

    def opener(case: Case, section_cls):
        path = tmp_path / f"{len(libs)}.casebook"
        lib = create_library(path)
        case_id = lib.add_case(case)
        libs.append(lib)
        w = section_cls(CaseSession(lib, case_id))
        qtbot.addWidget(w)
        w.resize(1100, 850)
        w.show()
        qtbot.waitExposed(w)
        return w, path, case_id

    yield opener
    for lib in libs:
        lib.close()


def tick(qtbot, box) -> None:
    """Click a check box on its box (a click beside a short label does not toggle it)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def test_dialysis_history_periods_are_added_edited_and_kept(qtbot, open_case):
    # CAPD begun at the age of 62 ("maintenance continuous ambulatory peritoneal dialysis"); the
    # period typed in has its modality and reason (its age: the next tests), and the case file's own
    # period (with its age) must survive an edit made in the window
    name = "legs-capd-poor-adherence"
    src = source(name)["patient"]["dialysis_history"]
    case = jsonio.loads((CASES / f"{name}.json").read_text("utf-8"))
    case.patient.dialysis_history = []
    w, path, case_id = open_case(case, PatientSection)
    ed = w.dialysis_history.editor
    assert ed.placeholder.text().startswith("Nothing recorded yet")
    qtbot.mouseClick(ed.table.add_button, Qt.MouseButton.LeftButton)  # asks which modality
    ed.add_menu.close()
    assert stored(path, case_id).patient.dialysis_history == []  # nothing saved without a choice
    add_chosen(qtbot, ed, "peritoneal dialysis")
    assert ed.fields["modality"].currentData() == "peritoneal"
    type_into(qtbot, ed.fields["reason"], src[0]["reason"])
    period = stored(path, case_id).patient.dialysis_history
    assert [(p.modality, p.reason) for p in period] == [(src[0]["modality"], src[0]["reason"])]
    # a second period (synthetic: haemodialysis after peritonitis, 3 sessions a week)
    add_chosen(qtbot, ed, "haemodialysis")
    type_into(qtbot, ed.fields["reason"], "after peritonitis")
    type_into(qtbot, ed.fields["sessions_per_week"], "3")
    history = stored(path, case_id).patient.dialysis_history
    assert [(p.modality, p.reason, p.sessions_per_week) for p in history] == [
        ("peritoneal", src[0]["reason"], None), ("haemodialysis", "after peritonitis", 3.0)]
    # a refused value (sessions a week must be a number the checks accept) shows its message, nothing saved
    type_into(qtbot, ed.fields["sessions_per_week"], "-2")
    assert stored(path, case_id).patient.dialysis_history == history
    assert "must be 0 to 14; got -2" in w.dialysis_history.error.message()
    qtbot.waitUntil(lambda: ed.fields["sessions_per_week"].text() == "3")  # back to what is stored
    type_into(qtbot, ed.fields["sessions_per_week"], "2")  # corrected: saved, the message goes
    assert stored(path, case_id).patient.dialysis_history[1].sessions_per_week == 2.0
    assert w.dialysis_history.error.message() == ""
    type_into(qtbot, ed.fields["sessions_per_week"], "3")
    # the list goes through the JSON format unchanged
    again = jsonio.loads(jsonio.dumps(stored(path, case_id)))
    assert again.patient.dialysis_history == history
    # delete the synthetic period; one undo brings it back
    ed.table.select(1)
    ed.delete(1)
    assert len(stored(path, case_id).patient.dialysis_history) == 1
    w.session.undo_stack.undo()
    assert stored(path, case_id).patient.dialysis_history == history


def test_an_edit_keeps_a_period_given_at_an_age(qtbot, open_case):
    name = "legs-capd-poor-adherence"
    src = source(name)["patient"]["dialysis_history"]
    w, path, case_id = open_case(jsonio.loads((CASES / f"{name}.json").read_text("utf-8")), PatientSection)
    ed = w.dialysis_history.editor
    assert ed.table.model.data(ed.table.model.index(0, 0)) == "peritoneal dialysis"
    ed.table.select(0)
    type_into(qtbot, ed.fields["sessions_per_week"], "7")  # synthetic: daily exchanges
    p = stored(path, case_id).patient.dialysis_history[0]
    assert (p.modality, p.reason, p.start.age_years, p.sessions_per_week) == (
        src[0]["modality"], src[0]["reason"], src[0]["start"]["age_years"], 7.0)


def test_event_signs_are_ticked_and_read_by_the_infection_rule(qtbot, open_case):
    # Breast, finger and toe lesions on warfarin: fever at the onset of symptoms, afebrile at examination
    name = "breast-finger-toe-warfarin"
    events = {e["id"]: e for e in source(name)["events"]}
    case = jsonio.loads((CASES / f"{name}.json").read_text("utf-8"))
    for ev in case.events:
        ev.signs = []
    w, path, case_id = open_case(case, TimelineSection)
    w.table.select("e-fever")
    assert w.signs.value() == []
    tick(qtbot, w.signs.box("fever"))
    w.table.select("e-exam")
    tick(qtbot, w.signs.box("afebrile"))
    got = {e.id: e.signs for e in stored(path, case_id).events}
    assert got["e-fever"] == events["e-fever"]["signs"] == ["fever"]
    assert got["e-exam"] == events["e-exam"]["signs"] == ["afebrile"]
    # the table names them, the form shows the stored ones when an event is selected again
    w.table.select("e-fever")
    assert w.signs.box("fever").isChecked() and not w.signs.box("afebrile").isChecked()
    # the assessment reads them as it reads the case file
    published = jsonio.loads((CASES / f"{name}.json").read_text("utf-8"))
    assert sorted(f.rule_id for f in assess(stored(path, case_id)).findings) == \
        sorted(f.rule_id for f in assess(published).findings)
    # unticking is an edit like any other; undo puts it back
    tick(qtbot, w.signs.box("fever"))
    assert next(e for e in stored(path, case_id).events if e.id == "e-fever").signs == []
    w.session.undo_stack.undo()
    assert next(e for e in stored(path, case_id).events if e.id == "e-fever").signs == ["fever"]
    assert jsonio.loads(jsonio.dumps(stored(path, case_id))).event("e-exam").signs == ["afebrile"]


def test_histological_features_of_a_biopsy(qtbot, open_case):
    # Synthetic (no published case of the set names its features): a deep incisional biopsy showing
    # microvascular calcification and microthrombosis
    ev = Event(id="e-bx", kind="biopsy", description="Deep incisional biopsy.")
    case = Case(title="Synthetic biopsy features", events=[ev], index_event_id="e-bx",
                biopsies=[Biopsy(id="b1", result="confirmed", specimen="deep_incisional_biopsy",
                                 when=When(event_id="e-bx"))])
    w, path, case_id = open_case(case, ImagingSection)
    ed = w.biopsies
    ed.select("b1")
    feats = ed.fields["features"]
    tick(qtbot, feats.box("microvascular_calcification"))
    tick(qtbot, feats.box("microthrombosis"))
    b = stored(path, case_id).biopsies[0]
    assert b.features == ["microvascular_calcification", "microthrombosis"]
    assert jsonio.loads(jsonio.dumps(stored(path, case_id))).biopsies[0].features == b.features
    tick(qtbot, feats.box("microvascular_calcification"))
    assert stored(path, case_id).biopsies[0].features == ["microthrombosis"]
    ed.select("b1")
    assert feats.value() == ["microthrombosis"]


def test_a_time_given_as_an_age_is_shown_kept_and_edited(qtbot, open_case):
    # "began maintenance CAPD at the age of 62" in a 65-year-old man (Rezaie et al. 2009): the
    # patient's dialysis start and the dialysis period's start are ages; the window shows them as
    # ages, keeps them through unrelated edits and re-commits, and stores an edited age
    name = "legs-capd-poor-adherence"
    src = source(name)["patient"]
    case = jsonio.loads((CASES / f"{name}.json").read_text("utf-8"))
    w, path, case_id = open_case(case, PatientSection)
    start = w.dialysis_start
    qtbot.waitUntil(lambda: start.isVisible())
    assert start.mode.currentData() == "age" and start.mode.currentText() == "at the patient's age"
    assert start.age_box.isVisible() and start.age.value() == src["dialysis_start"]["age_years"] == 62
    assert not start.event.isVisible() and not start.date.isVisible() and not start.offset_box.isVisible()
    # 62 at the start, 65 at presentation: 3 years before it, with year precision (approximate)
    assert start.resolved.text() == "= 3 years before presentation, at 65 (day \u22121096, approximate)"

    # an unrelated edit of the patient keeps the age
    type_into(qtbot, w.fields["weight_kg"], "70")  # synthetic: the source gives no weight
    p = stored(path, case_id).patient
    assert (p.weight_kg, p.dialysis_start.age_years, p.dialysis_start.label) == (
        70.0, 62.0, src["dialysis_start"]["label"])
    # re-committing the field itself (its words edited) keeps the age as well
    type_into(qtbot, start.wording, "began maintenance CAPD at the age of 62 years")
    d = stored(path, case_id).patient.dialysis_start
    assert (d.age_years, d.label, d.offset, d.date, d.event_id) == (
        62.0, "began maintenance CAPD at the age of 62 years", None, None, None)
    # ticking "approximate" on and off commits the field twice; the age is still there
    for _ in range(2):
        tick(qtbot, start.approximate)
    assert stored(path, case_id).patient.dialysis_start.age_years == 62.0

    # editing the age stores the new one (synthetic: 61) and the reading follows it
    type_into(qtbot, start.age, "61")
    assert stored(path, case_id).patient.dialysis_start.age_years == 61.0
    assert start.resolved.text().startswith("= 4 years before presentation, at 65 (day \u22121461")

    # the dialysis period's start is an age too: shown in its form, kept when the period is edited
    ed = w.dialysis_history.editor
    ed.table.select(0)
    period_start = ed.fields["start"]
    qtbot.waitUntil(lambda: period_start.mode.currentData() == "age")
    assert period_start.age.value() == src["dialysis_history"][0]["start"]["age_years"]
    type_into(qtbot, ed.fields["reason"], src["dialysis_history"][0]["reason"] + " (CAPD)")
    assert stored(path, case_id).patient.dialysis_history[0].start.age_years == 62.0
    type_into(qtbot, period_start.age, "62.5")
    assert stored(path, case_id).patient.dialysis_history[0].start.age_years == 62.5

    # a new time given as an age starts at the age at presentation and is stored as typed
    transplant = w.fields["transplant_date"]
    pick(qtbot, transplant.mode, "age")
    assert transplant.age.value() == 65 and transplant.age_box.isVisible()
    type_into(qtbot, transplant.age, "58")  # synthetic
    t = stored(path, case_id).patient.transplant_date
    assert (t.age_years, t.precision, t.offset, t.date) == (58.0, "year", None, None)
    # and the JSON format carries it unchanged
    again = jsonio.loads(jsonio.dumps(stored(path, case_id)))
    assert again.patient.transplant_date.age_years == 58.0 and again.patient.dialysis_start.age_years == 61.0


def test_the_first_dialysis_period_is_offered_the_patient_s_dialysis_start(qtbot, open_case):
    """Pujar & Spinello: "receiving dialysis for the past one year", entered as the Dialysis start,
    had to be entered again as the start of the dialysis period. The first period, while its start is
    not given, is offered the Dialysis start; taken with one click, never copied unasked."""
    from desktop.model import When
    case = jsonio.loads((CASES / "pujar-missed-dialysis.json").read_text("utf-8"))
    case.patient.dialysis_history = []
    w, path, case_id = open_case(case, PatientSection)
    ed = w.dialysis_history.editor
    add_chosen(qtbot, ed, "haemodialysis")
    assert stored(path, case_id).patient.dialysis_history[0].start == When()  # not copied unasked
    offer = w.dialysis_history.start_offer
    assert offer.button.isVisible()
    # "for the past one year": one year before day 0, as the Timeline shows it
    assert offer.label.message() == "Start: day \u2212365 (year \u22121), as the patient's dialysis start"
    qtbot.mouseClick(offer.button, Qt.MouseButton.LeftButton)
    assert stored(path, case_id).patient.dialysis_history[0].start == case.patient.dialysis_start
    assert not offer.button.isVisible()
    add_chosen(qtbot, ed, "peritoneal dialysis")  # a second period: its start is another fact
    assert not offer.button.isVisible()
