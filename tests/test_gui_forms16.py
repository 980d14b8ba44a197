"""Entering a case in the forms (issue 16): nothing below a field moves when it says something
(a time's reading, "1 event not drawn", a refused value, a long title); relative times start in
the direction their kind implies, read back as given and warn at the field of an impossible order;
messages go as soon as the value is put right; frequencies as the source gives them; a biopsy
takes its lesion's site. Real widgets on the demo case in a real library, checked in the library
file (reopened read-only)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from PySide6.QtCore import QPoint, Qt

from desktop import frequency
from desktop.demo import load_demo
from desktop.gui.session import CaseSession
from desktop.gui.sections.imaging import ImagingSection
from desktop.gui.sections.manuscript import ManuscriptSection
from desktop.gui.sections.patient import PatientSection
from desktop.gui.sections.timeline import TimelineSection
from desktop.gui.sections.treatments import TreatmentsSection
from desktop.interop.docx import write_docx
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case
from desktop.model import Case, Event, Medication, Treatment, When
from desktop.store.library import create_library, open_library

from gui_helpers import case_section, pick, type_into
from window_fixtures import demo_library, isolated_settings, window  # noqa: F401  (fixtures)


@pytest.fixture
def env(qtbot, tmp_path):
    path = tmp_path / "forms.casebook"
    lib = create_library(path)
    case_id = lib.add_case(load_demo())
    session = CaseSession(lib, case_id)
    opened = []

    def open_section(cls, size=(1100, 850)):
        w = cls(session)
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        opened.append(w)
        return w

    def stored():
        other = open_library(path, read_only=True)
        try:
            return other.load_case(case_id, figures=False)
        finally:
            other.close()

    yield session, open_section, stored
    for w in opened:
        w.close()
    lib.close()


@pytest.fixture
def lib_path(tmp_path) -> Path:
    return demo_library(tmp_path)


def places(qtbot, root, widgets) -> list[tuple[int, int]]:
    """Where each widget is in ``root`` (top, height), once pending layouts have run (the same
    twice in a row)."""
    def now():
        return [(w.mapTo(root, QPoint(0, 0)).y(), w.height()) for w in widgets]
    last = None
    while True:
        qtbot.wait(40)
        got = now()
        if got == last:
            return got
        last = got


def set_relative(qtbot, ed, amount: str, unit: str, direction: int | None = None) -> None:
    pick(qtbot, ed.mode, "relative")
    type_into(qtbot, ed.amount, amount)
    pick(qtbot, ed.unit, unit)
    if direction is not None:
        pick(qtbot, ed.direction, direction)


# --- item 1: no layout shift -----------------------------------------------------------------------

def test_a_times_reading_and_order_warning_move_nothing_below(env, qtbot):
    session, open_section, stored = env
    w = open_section(TreatmentsSection)
    ed = w.editor
    qtbot.mouseClick(ed.table.add_button, Qt.MouseButton.LeftButton)
    start, stop = ed.fields["start"], ed.fields["stop"]
    below = [stop, ed.fields["duration_text"], ed.fields["indication"], ed.fields["response"]]
    before = places(qtbot, w._scroll_area.widget(), below)
    set_relative(qtbot, start, "6", "week")  # the reading appears under the start
    assert start.resolved.text() == "= 6 weeks after presentation (day +42)"
    assert places(qtbot, w._scroll_area.widget(), below) == before

    below = below[1:]
    before = places(qtbot, w._scroll_area.widget(), below)
    set_relative(qtbot, stop, "2", "week", direction=-1)  # a stop before the start: a warning
    assert "Stops (day \u221214) before it starts (day +42)" in stop.warning()
    assert stop.resolved.text().startswith("\u26a0 ")
    assert places(qtbot, w._scroll_area.widget(), below) == before
    tid = ed.table.current_key()
    t = next(x for x in stored().treatments if x.id == tid)
    assert (t.start.offset, t.start.precision, t.stop.offset) == (6.0, "week", -2.0)


def test_a_row_added_or_deleted_moves_nothing_below_the_list(qtbot, tmp_path):
    """A new case with one treatment, entered as PMC3267275 gives them: Add treatment grew the list
    by a row and moved the Agent box down under the author's next click, and "parathyroidectomy" was
    typed into nothing. While shown, the list keeps its height (the new row scrolls into view in it);
    it fits its rows when next shown."""
    case = Case(title="Leg ulcers", treatments=[Treatment(agent="antibiotics", treatment_class="antibiotic")])
    with case_section(qtbot, tmp_path / "rows.casebook", TreatmentsSection, case, (1000, 800)) as (w, read_back):
        ed = w.editor
        page = w._scroll_area.widget()
        below = [ed.fields["kind"], ed.fields["agent"], ed.fields["treatment_class"]]
        before, height = places(qtbot, page, below), ed.table.view.height()
        for _ in range(5):  # past the four rows the list first shows
            qtbot.mouseClick(ed.table.add_button, Qt.MouseButton.LeftButton)
            assert places(qtbot, page, below) == before
        new_id = ed.table.current_key()
        type_into(qtbot, ed.fields["agent"], "parathyroidectomy")
        assert read_back().treatments[-1].id == new_id and read_back().treatments[-1].agent == "parathyroidectomy"
        view = ed.table.view
        row = len(ed.table.items()) - 1
        assert view.visualRect(view.model().index(row, 0)).intersects(view.viewport().rect())  # in view
        qtbot.mouseClick(ed.table.delete_button, Qt.MouseButton.LeftButton)
        assert places(qtbot, page, below) == before and view.height() == height
        w.hide()
        w.show()  # shown again: the list fits its five rows and the empty one under them
        qtbot.waitExposed(w)
        assert view.height() == height + 2 * view.verticalHeader().defaultSectionSize()


def test_one_event_not_drawn_moves_nothing_below(env, qtbot):
    session, open_section, stored = env
    w = open_section(TimelineSection)
    w.table.select("ev-amoxiclav")  # the demo's one event without a time: give it one
    pick(qtbot, w.when.mode, "event")
    pick(qtbot, w.when.event, "ev-admission")
    assert w.view.unplaced_ids() == []
    page = w._scroll_area.widget()
    before = places(qtbot, page, [w.view, w.table])
    qtbot.mouseClick(w.table.add_button, Qt.MouseButton.LeftButton)  # a new event, no time yet
    new_id = w.table.current_key()
    assert w.view.unplaced_ids() == [new_id]  # "1 event not drawn" is drawn...
    assert places(qtbot, page, [w.view, w.table]) == before  # ...in room it had kept
    assert stored().event(new_id) is not None


def test_a_time_that_lets_two_labels_share_a_lane_moves_nothing_below(qtbot, tmp_path):
    # A new case, two events typed as a source gives them (Revista Nefrologia 2022's letter, "a
    # two-week history" before the admission): the onset first given as 2 days before, its label
    # over the admission's; then as 2 weeks, the labels side by side. The drawing kept its height,
    # so the form under it, where the author clicks next, stayed where it was.
    admission = Event(kind="presentation", description="Admitted to the nephrology ward", when=When(offset=0.0))
    onset = Event(kind="lesion_onset", when=When(offset=-2.0, precision="day"),
                  description="Initially small and erythematous lesions that progressed to being ulcerative")
    case = Case(title="Two events", events=[admission, onset], index_event_id=admission.id)
    with case_section(qtbot, tmp_path / "lanes.casebook", TimelineSection, case, (660, 680)) as (w, read_back):
        w.table.select(onset.id)
        page = w._scroll_area.widget()
        below = [w.table, w.when.wording, w.when.resolved]
        lanes, before = w.view.lanes(), places(qtbot, page, below)
        pick(qtbot, w.when.unit, "week")
        assert w.when.resolved.text() == "= 2 weeks before presentation (day \u221214)"
        assert (lanes, w.view.lanes()) == (2, 1)  # the labels did move apart...
        assert places(qtbot, page, below) == before  # ...and nothing under the drawing moved
        assert read_back().event(onset.id).when.precision == "week"


def test_a_time_that_needs_a_lane_more_moves_nothing_on_the_screen_below(qtbot, tmp_path):
    # A new case entered as Koratala et al. (BMJ Case Rep 2016, "Calciphylaxis of the breast") give
    # it: the admission, then the onset, "a tender nodule ... over a 3-month period", typed as 3 and
    # its unit picked next. The 3 was saved as 3 days, whose label needs a lane of its own: the
    # drawing grew by a lane and pushed the form down under the mouse on its way to the unit. The
    # page now scrolls by as much: on the screen, nothing under the drawing moves.
    admission = Event(kind="presentation", when=When(offset=0.0),
                      description="admitted with a painful, open wound of the right breast")
    onset = Event(kind="lesion_onset", description="tender nodule of the right breast, which progressed "
                  "to an open wound with surrounding redness and intense pain over a 3-month period")
    case = Case(title="Breast", events=[admission, onset], index_event_id=admission.id)
    with case_section(qtbot, tmp_path / "grow.casebook", TimelineSection, case, (660, 560)) as (w, read_back):
        w.table.select(onset.id)
        pick(qtbot, w.when.mode, "relative")
        area = w._scroll_area
        area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())  # the form in sight
        below = [w.when.amount, w.when.unit, w.when.wording, w.table]
        lanes, height, before = w.view.lanes(), w.view.height(), places(qtbot, area.viewport(), below)
        type_into(qtbot, w.when.amount, "3")
        w.when.amount.clearFocus()  # on the way to the unit: the 3 is saved, as 3 days
        assert read_back().event(onset.id).when.offset == -3.0
        assert (lanes, w.view.lanes()) == (1, 2) and w.view.height() > height  # the drawing grew...
        assert places(qtbot, area.viewport(), below) == before  # ...and nothing under it moved on screen


def test_picking_how_a_lesions_onset_is_given_moves_nothing_below(env, qtbot):
    # Koratala et al. (BMJ Case Rep 2016) entered through the window at 1366x768: in the lesion's
    # narrow details pane, "at the time of an event" put the event's box on a line of its own and
    # pushed Cause, Iatrogenic and Description down 26 px. Every way of giving a time now takes the
    # same lines there.
    from desktop.gui.sections.lesions import LesionsSection
    session, open_section, stored = env
    w = open_section(LesionsSection, size=(700, 760))
    onset = w.onset
    below = [w.cause, w.iatrogenic, w.description]
    page = w.cause.window()
    before = places(qtbot, page, below)
    for mode in ("event", "none", "date", "relative", "age", "none"):
        pick(qtbot, onset.mode, mode)
        assert places(qtbot, page, below) == before, mode


def test_a_refused_value_moves_nothing_below_and_its_message_goes_when_corrected(env, qtbot):
    session, open_section, stored = env
    w = open_section(PatientSection)
    weight, err = w.fields["weight_kg"], w.errors["weight_kg"]
    below = [w.fields["height_cm"], w.bmi]
    page = w._scroll_area.widget()
    before = places(qtbot, page, below)
    type_into(qtbot, weight, "abc")
    assert err.message() == "Weight: 'abc' is not a number" and weight.property("invalid")
    assert places(qtbot, page, below) == before

    # item 7: the message goes as soon as the text is a number again, before it is saved
    weight.setFocus()
    weight.selectAll()
    qtbot.keyClicks(weight, "72")
    assert err.message() == "" and not weight.property("invalid")
    qtbot.keyClick(weight, Qt.Key.Key_Return)
    assert stored().patient.weight_kg == 72.0
    assert places(qtbot, page, below) == before

    # a refusal by the checks goes when the saved value is typed back
    type_into(qtbot, weight, "9000")
    assert "500 kg" in err.message()
    type_into(qtbot, weight, "72")
    assert err.message() == "" and not weight.property("invalid")
    type_into(qtbot, weight, "x")
    assert "is not a number" in err.message()
    qtbot.keyClick(weight, Qt.Key.Key_Escape)  # Escape puts back the saved value, and the message goes
    assert weight.text() == "72" and err.message() == ""
    assert stored().patient.weight_kg == 72.0


def test_the_first_value_of_a_new_timepoint_moves_no_row_of_the_grid(env, qtbot):
    """A new timepoint says how it works until its first value is saved; the grid's rows stay where
    they are when that note goes (found entering a case under Xvfb: the rows rose by a line while
    the author typed along the calcium row, and the next click took the row below)."""
    from desktop.gui.sections.labs import LabsSection
    session, open_section, stored = env
    w = open_section(LabsSection)
    w.start_new_timepoint()
    w.select_timepoint(When(offset=30.0))
    rows = [w.row("phosphate").value, w.row("pth_intact").value]
    before = places(qtbot, w, rows)
    type_into(qtbot, w.row("calcium").value, "9.3")
    assert any(x.analyte == "calcium" and x.when.offset == 30.0 and x.value == 9.3 for x in stored().labs)
    assert places(qtbot, w, rows) == before


def test_the_title_and_keyword_notices_move_nothing_below(env, qtbot):
    """The Manuscript section's CARE notices (a title without "case report", a count of keywords
    outside two to five) come and go in room kept for them, even in a narrow window where the
    title's notice takes two lines."""
    session, open_section, stored = env
    w = open_section(ManuscriptSection, size=(640, 850))
    page = w._scroll_area.widget()
    below_title = [w.short_title, w.keywords, w.keywords_notice, w.authors]
    before = places(qtbot, page, below_title)
    assert w.title_notice.text() == ""  # the demo's title names "a case report"
    type_into(qtbot, w.title, "")  # no title: CARE 1 asks for one (the longest notice)
    assert w.title_notice.text().startswith("CARE 1: give a title")
    assert places(qtbot, page, below_title) == before
    type_into(qtbot, w.title, "Calciphylaxis of the penis and distal digits in a patient on haemodialysis")
    assert "should contain" in w.title_notice.text()
    assert places(qtbot, page, below_title) == before
    assert stored().title == "Calciphylaxis of the penis and distal digits in a patient on haemodialysis"

    below_keywords = [w.authors]
    before = places(qtbot, page, below_keywords)
    type_into(qtbot, w.keywords, "calciphylaxis")  # one keyword: CARE 2 asks for two to five
    assert w.keywords_notice.text() == "1 keyword \u2014 CARE 2 asks for two to five"
    assert places(qtbot, page, below_keywords) == before
    type_into(qtbot, w.keywords, "")
    assert w.keywords_notice.text().startswith("0 keywords")
    assert places(qtbot, page, below_keywords) == before
    type_into(qtbot, w.keywords, "calciphylaxis, sodium thiosulfate")
    assert w.keywords_notice.text() == "2 keywords"
    assert places(qtbot, page, below_keywords) == before
    assert stored().keywords == ["calciphylaxis", "sodium thiosulfate"]


def test_a_long_title_stays_on_one_line(qtbot, window):
    header = window.case_header
    stack_top = places(qtbot, window, [window.stack])
    title = ("Calciphylaxis of the glans penis, the distal digits and a toe in a man on haemodialysis "
             "after a high-risk percutaneous coronary intervention with mechanical circulatory support: "
             "a case report and a review of the literature on its treatment with sodium thiosulfate")
    window.session.set_case_fields(title=title)
    qtbot.waitUntil(lambda: header.text() == title)
    assert header.toolTip() == title  # the whole title, though the line shows it shortened
    assert places(qtbot, window, [window.stack]) == stack_top


# --- item 2: relative times --------------------------------------------------------------------------

def test_an_onset_starts_before_day_0_and_is_read_back(env, qtbot):
    session, open_section, stored = env
    w = open_section(TimelineSection)
    qtbot.mouseClick(w.table.add_button, Qt.MouseButton.LeftButton)
    onset_id = w.table.current_key()
    pick(qtbot, w.kind, "symptom_onset")
    pick(qtbot, w.when.mode, "relative")
    assert w.when.direction.currentData() == -1  # onsets come before the presentation
    type_into(qtbot, w.when.amount, "6")
    pick(qtbot, w.when.unit, "week")
    assert w.when.resolved.text() == "= 6 weeks before presentation (day \u221242)"
    when = stored().event(onset_id).when
    assert (when.offset, when.precision) == (-6.0, "week")

    # "after" is still the author's choice, but the field says why it is impossible
    pick(qtbot, w.when.direction, 1)
    assert stored().event(onset_id).when.offset == 6.0
    assert w.when.warning().startswith("An onset after the presentation (day +42")

    qtbot.mouseClick(w.table.add_button, Qt.MouseButton.LeftButton)  # a follow-up starts after
    pick(qtbot, w.kind, "follow_up")
    pick(qtbot, w.when.mode, "relative")
    assert w.when.direction.currentData() == 1
    type_into(qtbot, w.when.amount, "2")
    pick(qtbot, w.when.unit, "week")
    assert stored().event(w.table.current_key()).when.offset == 2.0
    assert w.when.warning() == ""
    type_into(qtbot, w.when.amount, "7")
    pick(qtbot, w.when.unit, "year")  # 7 years after: after the demo's death (3 months after discharge)
    assert stored().event(w.table.current_key()).when.precision == "year"
    assert w.when.warning().startswith("After the death (day +2557, death day +91")


def test_a_death_before_admission_is_flagged_at_the_field(env, qtbot):
    session, open_section, stored = env
    w = open_section(TimelineSection)
    w.table.select("ev-death")
    set_relative(qtbot, w.when, "10", "day", direction=-1)
    w.when.set_when(w.when.when(), session.case, exclude_event="ev-death")  # as the section shows it
    qtbot.waitUntil(lambda: w.when.warning() != "")
    assert w.when.warning().startswith("Death before the presentation")
    shown = w.when.resolved.text()
    assert shown.startswith("\u26a0 10 days before presentation (day \u221210)") and "Death before" in shown
    death = stored().event("ev-death").when
    assert death.offset == -10.0  # a warning, not a refusal: the author corrects it


def test_a_medicine_starts_before_day_0_in_years(env, qtbot):
    session, open_section, stored = env
    w = open_section(PatientSection)
    meds = w.medications
    qtbot.mouseClick(meds.table.add_button, Qt.MouseButton.LeftButton)
    start = meds.fields["start"]
    pick(qtbot, start.mode, "relative")
    assert start.direction.currentData() == -1
    type_into(qtbot, start.amount, "7")
    pick(qtbot, start.unit, "year")
    m = stored().medications[0]
    assert (m.start.offset, m.start.precision) == (-7.0, "year")



def test_a_time_before_the_patients_birth_is_flagged_at_the_field(env, qtbot):
    """Clinical Advisor 2012: "on hemodialysis for four years" (a 64-year-old). The demo patient is 73:
    four years before day 0 is plausible; 1461 years (the four years' days, typed with the unit left at
    years) is before her birth, which the field says as it is stored."""
    session, open_section, stored = env
    w = open_section(PatientSection)
    start = w.dialysis_start
    set_relative(qtbot, start, "4", "year", direction=-1)
    assert stored().patient.dialysis_start.offset == -4.0 and start.warning() == ""
    set_relative(qtbot, start, "1461", "year", direction=-1)
    qtbot.waitUntil(lambda: start.warning() != "")
    assert start.warning().startswith("Before the patient's birth (day \u2212533630; aged 73 at the presentation")
    assert stored().patient.dialysis_start.offset == -1461.0  # a warning, not a refusal

# --- item 13: frequency, biopsy site ---------------------------------------------------------------

def test_a_treatment_every_8_hours_is_stored_as_given(env, qtbot):
    session, open_section, stored = env
    w = open_section(TreatmentsSection)
    ed = w.editor
    ed.select("tx-amoxiclav")
    freq = ed.fields[("times_per_week", "frequency_basis")]
    pick(qtbot, freq.basis, "every_hours")
    type_into(qtbot, freq.number, "8")
    t = next(x for x in stored().treatments if x.id == "tx-amoxiclav")
    assert (t.times_per_week, t.frequency_basis) == (21.0, "every_hours")  # 24/8 = 3 a day, 21 a week
    row = next(r for r in range(ed.table.model.rowCount())
               if ed.table.model.data(ed.table.model.index(r, 1)) == t.agent)
    assert ed.table.model.data(ed.table.model.index(row, 4)) == "every 8 hours"

    pick(qtbot, freq.basis, "as_needed")
    t = next(x for x in stored().treatments if x.id == "tx-amoxiclav")
    assert (t.times_per_week, t.frequency_basis) == (None, "as_needed") and not freq.number.isEnabled()

    pick(qtbot, freq.basis, "per_day")
    type_into(qtbot, freq.number, "3")
    t = next(x for x in stored().treatments if x.id == "tx-amoxiclav")
    assert (t.times_per_week, t.frequency_basis) == (21.0, "per_day")
    type_into(qtbot, freq.number, "0")
    pick(qtbot, freq.basis, "every_hours")
    assert "every 0 hours is not a frequency" in ed.errors[("times_per_week", "frequency_basis")].message()
    assert next(x for x in stored().treatments if x.id == "tx-amoxiclav").frequency_basis == "per_day"


def test_a_medicine_three_times_a_day_is_printed_so(env, qtbot):
    session, open_section, stored = env
    w = open_section(PatientSection)
    meds = w.medications
    qtbot.mouseClick(meds.table.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, meds.fields["name"], "sevelamer")
    freq = meds.fields[("doses_per_day", "frequency_basis")]
    assert freq.basis.value() == "per_day"
    type_into(qtbot, freq.number, "3")
    m = stored().medications[0]
    assert (m.name, m.doses_per_day, m.frequency_basis) == ("sevelamer", 3.0, "per_day")
    buf = io.BytesIO()
    write_docx(stored(), buf, draft=True)
    cells = [c.text for t in docx.Document(io.BytesIO(buf.getvalue())).tables for row in t.rows for c in row.cells]
    assert "three times a day" in cells


def test_frequencies_survive_fhir_and_read_as_given():
    assert frequency.words(21.0, "every_hours", "week") == "every 8 hours"
    assert frequency.words(3.0, "per_day", "day") == "three times a day"
    assert frequency.words(None, "as_needed", "week") == "as needed"
    assert frequency.words(3.0, "per_week", "week") == "three times a week"
    case = load_demo()
    case.treatments.append(Treatment(kind="drug", agent="paracetamol", frequency_basis="as_needed",
                                     start=When(offset=0.0)))
    case.treatments.append(Treatment(kind="drug", agent="amoxicillin", times_per_week=21.0,
                                     frequency_basis="every_hours", start=When(offset=0.0)))
    case.medications.append(Medication(name="cinacalcet", doses_per_day=1.0, frequency_basis="per_day"))
    bundle = case_to_bundle(case)
    back, report = bundle_to_case(json.loads(json.dumps(bundle)))
    assert report == []
    by_agent = {t.agent: (t.times_per_week, t.frequency_basis) for t in back.treatments}
    assert by_agent["paracetamol"] == (None, "as_needed")
    assert by_agent["amoxicillin"] == (21.0, "every_hours")
    assert by_agent["sodium thiosulfate"] == (3.0, None)  # the demo's thrice weekly, as before
    cin = next(m for m in back.medications if m.name == "cinacalcet")
    assert (cin.doses_per_day, cin.frequency_basis) == (1.0, "per_day")


def test_a_biopsy_linked_to_a_lesion_takes_its_site(env, qtbot):
    session, open_section, stored = env
    w = open_section(ImagingSection)
    ed = w.biopsies
    ed.select("biopsy-skin")
    assert ed.fields["site"].value() in ("", None)
    pick(qtbot, w.lesion_combo, "lesion-left-third-toe")
    b = stored().biopsies[0]
    assert (b.lesion_id, b.site, b.site_detail) == ("lesion-left-third-toe", "toe-3", "distal")
    assert ed.fields["site"].value() == "toe-3" and ed.fields["site_detail"].text() == "distal"

    type_into(qtbot, ed.fields["site_detail"], "edge of the ulcer")  # still the author's to change
    pick(qtbot, w.lesion_combo, "lesion-finger-pads")  # the lesion's site follows; the author's detail stays
    b = stored().biopsies[0]
    assert (b.lesion_id, b.site, b.site_detail) == ("lesion-finger-pads", "finger-pad", "edge of the ulcer")


def test_the_outcomes_death_before_admission_is_flagged_at_the_field(env, qtbot):
    from desktop.gui.sections.outcome import OutcomeSection
    session, open_section, stored = env
    w = open_section(OutcomeSection)
    assert w.status.value() == "dead" and w.when.role == "outcome.when:dead"
    assert w.when.warning() == ""  # the demo's death, 3 months after discharge
    set_relative(qtbot, w.when, "10", "day", direction=-1)
    assert stored().outcome.when.offset == -10.0
    assert w.when.warning().startswith("Death before the presentation (day \u221210, presentation day 0)")
    pick(qtbot, w.status, "alive")  # a last follow-up: no death to be before the presentation
    assert w.when.role == "outcome.when" and w.when.warning() == ""


def test_the_assessment_words_a_frequency_as_given():
    from desktop.core.context import Context
    case = load_demo()
    m = Medication(name="sevelamer", doses_per_day=3.0, frequency_basis="per_day")
    case.medications.append(m)
    assert Context(case).med_text(m) == "sevelamer, three times a day"
