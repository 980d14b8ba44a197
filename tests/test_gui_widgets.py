"""The shared field widgets driven as a user drives them: they commit only finished edits, never on
values set from code, refuse what is not a number with a message naming the field, and the time
editor reads and writes every form of When and says where it falls on the day axis."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QWidget

from desktop.demo import load_demo
from desktop.gui.widgets import (
    ChoiceCombo, Column, DoseRow, FieldError, FlowLayout, ItemTable, LinesArea, NumberField, TextArea, TriStateCombo,
    WhenEditor, add_row, align_labels, check_edit, fit_widths, fmt_number, form_layout, parse_number, shrinkable,
    widen_popup, word_count,
)
from desktop.model import Case, Event, When

from gui_helpers import pick, type_into


@pytest.fixture
def case():
    return load_demo()


def make(qtbot, widget):
    qtbot.addWidget(widget)
    widget.show()
    return widget


# --- the time editor -----------------------------------------------------------------------------

def test_when_editor_shows_each_form_and_where_it_falls(qtbot, case):
    ed = make(qtbot, WhenEditor("Onset"))
    onset = case.event("ev-lesion-onset").when  # about 2 months before day 0
    ed.set_when(onset, case)
    assert ed.mode.currentData() == "relative"
    assert ed.amount.text() == "2" and ed.unit.currentData() == "month" and ed.direction.currentData() == -1
    assert ed.approximate.isChecked()
    # read back as it was given, with its day (the demo's day 0 is the presentation)
    assert ed.resolved.text() == "= 2 months before presentation (day −61, approximate)"
    assert ed.when() == onset

    death = case.event("ev-death").when  # 3 months after discharge
    ed.set_when(death, case, exclude_event="ev-death")
    assert ed.mode.currentData() == "event" and ed.event.currentData() == "ev-discharge"
    assert ed.event.findData("ev-death") < 0  # an event is never offered as its own reference
    assert ed.resolved.text() == "= 3 months after discharge (day +91, approximate)"
    assert ed.when() == death

    at_exam = When(event_id="ev-examination", label="at presentation")
    ed.set_when(at_exam, case)
    assert ed.when() == at_exam and ed.resolved.text() == "= day 0"

    ed.set_when(When(date="2021-03-04"), case)
    assert ed.mode.currentData() == "date" and ed.date.date().toString("yyyy-MM-dd") == "2021-03-04"
    assert ed.when().date == "2021-03-04"
    assert "day 0 has no calendar date" in ed.resolved.text()  # the demo's day 0 is relative only

    ed.set_when(When(), case)
    assert ed.mode.currentData() == "none" and not ed.when().is_set
    assert ed.resolved.text() == "time not recorded"


def test_when_editor_commits_user_edits_only(qtbot, case):
    ed = make(qtbot, WhenEditor("Event time"))
    got: list[When] = []
    ed.committed.connect(got.append)
    ed.set_when(When(), case)
    ed.set_when(case.event("ev-pci").when, case)
    assert got == []  # loading never commits

    ed.set_when(When(), case)
    pick(qtbot, ed.mode, "relative")
    type_into(qtbot, ed.amount, "3")
    pick(qtbot, ed.unit, "week")
    pick(qtbot, ed.direction, 1)
    last = got[-1]
    assert (last.offset, last.precision, last.event_id, last.date) == (3.0, "week", None, None)
    assert ed.resolved.text() == "= 3 weeks after presentation (day +21)"
    n = len(got)
    qtbot.mouseClick(ed.approximate, Qt.MouseButton.LeftButton)
    assert len(got) == n + 1 and got[-1].approximate
    type_into(qtbot, ed.wording, "about three weeks later")
    assert got[-1].label == "about three weeks later" and got[-1].offset == 3.0

    pick(qtbot, ed.mode, "event")
    pick(qtbot, ed.event, "ev-discharge")
    assert got[-1].event_id == "ev-discharge" and got[-1].offset == 3.0 and got[-1].precision == "week"
    type_into(qtbot, ed.amount, "0")
    pick(qtbot, ed.unit, "day")
    assert got[-1].event_id == "ev-discharge" and got[-1].offset is None  # exactly at the event


def test_when_editor_before_gives_a_negative_offset(qtbot, case):
    ed = make(qtbot, WhenEditor("Start"))
    got: list[When] = []
    ed.committed.connect(got.append)
    ed.set_when(When(offset=1.0, precision="day"), case)
    pick(qtbot, ed.direction, -1)
    assert got[-1].offset == -1.0
    assert ed.resolved.text() == "= 1 day before presentation (day −1)"


def test_when_editor_saves_no_time_the_author_did_not_give(qtbot, case):
    """PMC3267275: "One month post hospital-admission calciphylaxis cutis ... was diagnosed". Picking
    "relative to day 0" saved "day 0" at once (the 0 the amount box shows), "on a date" today's date:
    times the source never gave. Each mode now waits, with the focus on its value, until it is given."""
    ed = make(qtbot, WhenEditor("Diagnosis", role="diagnosis.when"))
    got: list[When] = []
    ed.committed.connect(got.append)
    ed.set_when(When(), case)
    pick(qtbot, ed.mode, "relative")
    assert got == [] and ed.amount.value() == 0
    assert ed.resolved.text() == "type how long before or after day 0: nothing is saved until you do"
    assert ed.window().focusWidget() is ed.amount  # the author types the amount next
    pick(qtbot, ed.unit, "month")  # the unit first: still nothing
    assert got == []
    type_into(qtbot, ed.amount, "1")
    assert got == [When(offset=1.0, precision="month")]
    assert ed.resolved.text().startswith("= 1 month after presentation")

    got.clear()
    ed.set_when(When(), case)
    pick(qtbot, ed.mode, "date")
    assert got == [] and ed.resolved.text() == ("type the date as far as the source gives it (the year; the "
                                                "month and day if given): nothing is saved until you do")
    ed.set_when(When(), case)
    pick(qtbot, ed.mode, "relative")
    type_into(qtbot, ed.amount, "0")  # the 0 it showed, typed: day 0 is what the author gives
    assert got == [When(offset=0.0, precision="day")]


def test_when_editor_keeps_a_date_given_as_a_month_or_a_year(qtbot, case):
    # PMC6089724 (a published case): "diagnosed with ESRD requiring haemodialysis in 1988", "referred
    # ... in November 2002": a year, a month. The box shows that much, and an edit of something
    # else (approximate) keeps it: it once saved the box's stale whole date (today's) instead.
    ed = make(qtbot, WhenEditor("Dialysis start", role="patient.dialysis_start"))
    got: list[When] = []
    ed.committed.connect(got.append)
    ed.set_when(When(date="1988", precision="year"), case)
    assert ed.mode.currentData() == "date" and ed.date_unit.currentData() == "year" and ed.date.text() == "1988"
    ed.approximate.click()
    assert got == [When(date="1988", precision="year", approximate=True)]
    ed.set_when(When(date="2002-11", precision="month"), case)
    assert ed.date_unit.currentData() == "month" and ed.date.text() == "2002-11"
    assert ed.when() == When(date="2002-11", precision="month")
    # a loaded year does not leak into the next time: a new date starts as a whole date
    ed.set_when(When(), case)
    assert ed.date_unit.currentData() == "day"


def test_a_date_day_0_cannot_place_is_shown_as_given():
    # PMC6089724: haemodialysis "in 1988"; a case whose day 0 has no date cannot place it on the
    # axis, and a table cell showed "not on the day axis" in place of the year
    from desktop import timing
    from desktop.gui.formatting import when_text
    line = timing.Timeline(Case())
    assert when_text(line, When(date="1988", precision="year")) == "1988"
    assert when_text(line, When(date="2002-11", precision="month")) == "2002-11"
    assert when_text(line, When(date="1988", precision="year", label="in 1988")) == "in 1988"


def test_when_editor_takes_a_typed_year(qtbot, case):
    # choosing "on a date" puts the focus in the date box; the year typed there is taken (the box
    # once had all its text selected, which refuses every digit typed). What the author typed is
    # how much of the date is given: "1988" is a year, "2002" then "11" a month, a day typed too a
    # whole date; the box's other parts, never typed, are never saved as given.
    ed = make(qtbot, WhenEditor("Dialysis start", role="patient.dialysis_start"))
    got: list[When] = []
    ed.committed.connect(got.append)

    def give(digits: str) -> When:
        ed.set_when(When(), case)
        pick(qtbot, ed.mode, "date")
        assert ed.focusWidget() is ed.date  # the box waiting for the date has the focus
        qtbot.keyClicks(ed.date, digits)  # the box moves on to the month, then the day, by itself
        qtbot.keyClick(ed.date, Qt.Key.Key_Return)
        return got[-1]

    assert give("1988") == When(date="1988", precision="year")
    assert ed.date_unit.currentData() == "year" and ed.date.text() == "1988"
    assert give("200211") == When(date="2002-11", precision="month")
    assert give("20021115") == When(date="2002-11-15", precision="day")
    # "year only" chosen first: the box shows the year alone and waits for it
    ed.set_when(When(), case)
    pick(qtbot, ed.mode, "date")
    n = len(got)
    pick(qtbot, ed.date_unit, "year")
    assert len(got) == n and ed.date.text().isdigit()
    assert ed.focusWidget() is ed.date
    qtbot.keyClicks(ed.date, "1991")
    qtbot.keyClick(ed.date, Qt.Key.Key_Return)
    assert got[-1] == When(date="1991", precision="year")
    # a whole date given, then said to be a month: saved as the month
    ed.set_when(When(date="2002-11-15"), case)
    pick(qtbot, ed.date_unit, "month")
    assert got[-1] == When(date="2002-11", precision="month")


def test_when_editor_date_mode_keeps_the_rows_of_the_others(qtbot, case):
    # how much of the date is given sits in the offset's slot: switching between a relative time and
    # a date moves nothing below the editor, at a form's width and at a narrow one
    ed = make(qtbot, WhenEditor("Onset"))
    for width in (460, 300):
        seen = set()
        for when in (When(offset=-2.0, precision="month"), When(date="1988", precision="year"),
                     When(date="2021-03-04")):
            ed.set_when(when, case)
            ed.resize(width, ed.heightForWidth(width))
            qtbot.waitUntil(lambda: ed.slot.isVisible() and ed.slot.width() > 0)
            lines = len(rows_of(ed.mode, ed.slot, ed.approximate, ed.wording, ed.resolved))
            seen.add((lines, ed.slot.size().toTuple()))
        assert len(seen) == 1, (width, seen)


def test_when_editor_age_mode_reads_the_age_back_and_keeps_its_room(qtbot, case):
    # the demo patient is 73 at presentation (Smilnak et al. 2022); "at age 70" (synthetic) is 3
    # years before it, placed with year precision, so approximate
    ed = make(qtbot, WhenEditor("Dialysis start", role="patient.dialysis_start"))
    got: list[When] = []
    ed.committed.connect(got.append)
    ed.set_when(When(date="2021-03-04"), case)
    ed.resize(300, ed.heightForWidth(300))
    qtbot.waitUntil(lambda: ed.date.isVisible())
    height = ed.heightForWidth(300)  # as compact as a date: "[at the patient's age] [70] years" on one row
    ed.set_when(When(offset=-2.0, precision="year"), case)
    qtbot.waitUntil(lambda: ed.offset_box.isVisible())
    below = ed.resolved.geometry()
    n = len(got)
    pick(qtbot, ed.mode, "age")
    assert ed.age.value() == 73  # shows the age at presentation...
    assert len(got) == n and ed.resolved.text() == "type the age: nothing is saved until you do"  # ...not saved
    assert ed.age_box.isVisible() and not ed.offset_box.isVisible()
    type_into(qtbot, ed.age, "70")
    assert got[-1].age_years == 70.0 and got[-1].offset is None
    assert ed.resolved.text() == "= 3 years before presentation, at 73 (day \u22121096, approximate)"
    assert ed.heightForWidth(300) == height and ed.resolved.geometry() == below  # the reading line stays put
    assert len(rows_of(ed.mode, ed.age_box)) == 1
    # without the age at presentation the age cannot be placed, and the line says why
    ed.set_when(When(age_years=62.0), Case())
    assert ed.age.value() == 62 and ed.mode.currentData() == "age"
    assert ed.resolved.text() == "at age 62; not on the day axis: the age at presentation is not recorded"


def in_window(w):
    """A widget's rectangle in its top-level window (its parts sit in sub-widgets of their own)."""
    return QRect(w.mapTo(w.window(), QPoint(0, 0)), w.size())


def rows_of(*widgets) -> list[int]:
    """The rows the widgets are on (their vertical centres, within 2 px of each other), in order."""
    rows: list[int] = []
    for y in sorted(in_window(w).center().y() for w in widgets):
        if not rows or y - rows[-1] > 2:
            rows.append(y)
    return rows


def test_when_editor_is_two_compact_rows_and_the_source_words(qtbot, case):
    ed = make(qtbot, WhenEditor("Onset"))
    ed.event.setMinimumContentsLength(12)
    forms = [When(), When(date="2021-03-04"), case.event("ev-lesion-onset").when,
             When(event_id="ev-penile-onset", label="when the penile lesion first appeared"),
             When(age_years=62.0, label="at the age of 62")]
    for when in forms:  # never forces a form wider than ~460 px, whatever the time's form
        ed.set_when(when, case)
        assert ed.minimumSizeHint().width() <= 460, when

    ed.set_when(forms[3], case)
    ed.resize(760, ed.heightForWidth(760))
    qtbot.waitUntil(lambda: ed.event.isVisible() and ed.amount.isVisible())
    # given as + the event on row 1; offset, unit, before/after and approximate on row 2; the
    # source's words under them, full width, and the reading line (its room reserved) last
    g = in_window
    assert len(rows_of(ed.mode, ed.event)) == 1
    row2 = g(ed.slot)  # the offset's slot
    assert row2.top() > g(ed.mode).bottom()
    a = g(ed.approximate)
    assert a.top() < row2.bottom() and a.bottom() > row2.top() and a.left() >= row2.right()  # on row 2
    assert ed.resolved.text() == "= day −61, approximate"  # at the lesion onset event
    assert g(ed.wording).top() > row2.bottom() and ed.wording.width() == ed.width()
    assert g(ed.resolved).top() > g(ed.wording).bottom()

    # narrow (a lesion's details pane): the parts move to new lines instead of widening the form;
    # nothing overlaps or is cut
    ed.resize(240, ed.heightForWidth(240))
    qtbot.waitUntil(lambda: g(ed.event).top() > g(ed.mode).bottom())
    parts = [ed.mode, ed.event, ed.slot, ed.approximate, ed.resolved, ed.wording]
    assert all(g(p).right() <= g(ed).right() for p in parts)
    assert len(rows_of(*parts)) == 6 and ed.height() >= ed.wording.geometry().bottom()
    # and as many lines in every way a time is given, narrow or not: picking one moves nothing under
    # the editor (Koratala et al., BMJ Case Rep 2016: "at the time of an event" added a line)
    for width in (240, 300, 760):
        ed.resize(width, ed.heightForWidth(width))
        tops = set()
        for when in forms:
            ed.set_when(when, case)
            qtbot.wait(20)
            tops.add((g(ed.wording).top(), g(ed.resolved).top(), ed.heightForWidth(width)))
        assert len(tops) == 1, (width, tops)


def test_flow_layout_wraps_and_fills(qtbot):
    host = make(qtbot, QWidget())
    flow = FlowLayout(host, h_spacing=8, v_spacing=4)
    boxes = []
    for n in range(4):
        b = QWidget()
        b.setFixedSize(100, 20)
        flow.addWidget(b)
        boxes.append(b)
    host.resize(500, flow.heightForWidth(500))
    qtbot.waitUntil(lambda: boxes[3].geometry().left() > 0)
    assert len(rows_of(*boxes)) == 1 and flow.heightForWidth(500) == 20
    assert flow.minimumSize().width() == 100 and flow.heightForWidth(230) == 20 + 4 + 20
    host.resize(230, flow.heightForWidth(230))
    qtbot.waitUntil(lambda: boxes[2].geometry().left() == 0)
    assert [b.geometry().top() for b in boxes] == [0, 0, 24, 24] and boxes[1].geometry().left() == 108


def test_fit_widths_share_the_shortage_and_keep_the_floors():
    # everything fits: the stretch column takes the rest
    assert fit_widths([50, 100, 80], [40, 60, 80], [False, True, False], 300) == [50, 170, 80]
    # too narrow: each column gives in proportion to its slack above its floor; the total fits
    # (100 px too many; slack 40 and 120: they give 25 and 75)
    assert fit_widths([100, 200, 50], [60, 80, 50], [False, True, False], 250) == [75, 125, 50]
    got = fit_widths([101, 203, 50], [60, 80, 50], [False, True, False], 250)  # rounding: still exactly 250
    assert sum(got) == 250 and all(g >= f for g, f in zip(got, [60, 80, 50]))
    # even the floors do not fit: the floors (the table scrolls)
    assert fit_widths([100, 200], [90, 150], [False, False], 100) == [90, 150]


def test_item_table_fits_its_width_and_hides_optional_columns(qtbot):
    long_words = "a description far longer than the column could ever show in a narrow panel"
    cols = [Column("Kind", lambda e: e.kind, keep=True),
            Column("Description", lambda e: e.description, stretch=True),
            Column("Source's words", lambda e: e.when.label, optional=True)]
    t = make(qtbot, ItemTable(cols, "event"))
    t.set_items([Event(id="a", kind="lesion_onset", description=long_words, when=When(label="two months before"))])
    t.resize(900, 300)
    qtbot.waitUntil(lambda: t.view.viewport().width() > 800)
    assert not t.view.isColumnHidden(2)
    assert sum(t.view.columnWidth(c) for c in range(3)) == t.view.viewport().width()  # no gap, no overflow
    t.resize(260, 300)
    qtbot.waitUntil(lambda: t.view.isColumnHidden(2))  # the optional column gives way first
    assert not t.view.horizontalScrollBar().isVisible()
    assert t.view.columnWidth(0) >= t.fontMetrics().horizontalAdvance("lesion_onset")  # kept whole
    assert t.view.columnWidth(0) + t.view.columnWidth(1) <= t.view.viewport().width()
    # what is cut is in the tooltip, and each title says what its column holds
    m = t.model
    assert m.data(m.index(0, 1), Qt.ItemDataRole.ToolTipRole) == long_words
    assert m.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "Description"
    t.resize(900, 300)
    qtbot.waitUntil(lambda: not t.view.isColumnHidden(2))


def test_labels_of_several_forms_line_up(qtbot):
    host = make(qtbot, QWidget())
    a, b = form_layout(), form_layout()
    add_row(a, "Sex", ChoiceCombo([("male", "male")], "Sex"))
    add_row(b, "Patient-assessed outcomes", TextArea("Patient-assessed outcomes"))
    width = align_labels(a, b)
    short = a.itemAt(0, a.ItemRole.LabelRole).widget()
    assert short.minimumWidth() == width >= short.fontMetrics().horizontalAdvance("Patient-assessed outcomes:")
    assert short.alignment() & Qt.AlignmentFlag.AlignRight


def test_a_shortened_combo_lists_its_entries_in_full(qtbot):
    long_text = "finger pad, finger not stated (hand) — a long catalogue entry"
    combo = make(qtbot, shrinkable(ChoiceCombo([("x", long_text), ("y", "short")], "Site"), chars=10))
    assert combo.minimumSizeHint().width() < combo.fontMetrics().horizontalAdvance(long_text)
    combo.resize(combo.minimumSizeHint())
    widen_popup(combo)
    assert combo.view().minimumWidth() > combo.fontMetrics().horizontalAdvance(long_text)


# --- choices, numbers, text -----------------------------------------------------------------------

def test_tri_state_combo(qtbot):
    combo = make(qtbot, TriStateCombo("Kidney transplant"))
    got = []
    combo.committed.connect(got.append)
    assert combo.value() == "unknown"
    combo.set_value("yes")
    assert combo.value() == "yes" and combo.currentText() == "yes" and got == []
    combo.set_value(None)
    assert combo.value() == "unknown"
    pick(qtbot, combo, "no")
    assert got == ["no"] and combo.value() == "no"
    assert combo.accessibleName() == "Kidney transplant"


def test_choice_combo_keeps_an_unknown_value_visible(qtbot):
    combo = make(qtbot, ChoiceCombo([("a", "first"), ("b", "second")], "Thing", allow_none=True))
    assert combo.value() is None and combo.currentText() == "not recorded"
    combo.set_value("zzz")
    assert combo.value() == "zzz" and "not in the list" in combo.currentText()


def test_escape_closes_the_drug_names_without_losing_the_name_typed(qtbot):
    """Seen entering PMC6089724: "prednisolone" typed into a medication's Name, the list of
    catalogue names open under it, Escape to close that list: the field went back to empty (the
    completer hands the key to the field first, and the field's Escape puts back what is saved)."""
    from desktop.gui.fields import LineField, with_drug_names
    f = make(qtbot, with_drug_names(LineField("Medication name")))
    f.activateWindow()
    qtbot.waitActive(f)
    got: list[str] = []
    f.committed.connect(got.append)
    f.set_text("")
    f.setFocus()
    qtbot.keyClicks(f, "prednisolone")
    popup = f.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible() and f.text() == "prednisolone"
    qtbot.keyClick(f, Qt.Key.Key_Return)
    assert got == ["prednisolone"]
    f.set_text("prednisolone")  # saved, as the section shows it again
    # with no list open, Escape still puts back what is saved
    qtbot.keyClicks(f, "x")
    qtbot.waitUntil(lambda: not popup.isVisible())
    qtbot.keyClick(f, Qt.Key.Key_Escape)
    assert f.text() == "prednisolone"


def test_number_field_refuses_text_and_accepts_a_decimal_comma(qtbot):
    f = make(qtbot, NumberField("Weight"))
    committed, rejected = [], []
    f.committed.connect(committed.append)
    f.rejected.connect(rejected.append)
    f.set_value(70.0)
    assert f.text() == "70"
    type_into(qtbot, f, "heavy")
    assert rejected == ["Weight: 'heavy' is not a number"] and committed == []
    assert f.property("invalid") is True
    qtbot.keyClick(f, Qt.Key.Key_Escape)
    assert f.text() == "70" and not f.property("invalid")
    type_into(qtbot, f, "72,5")
    assert committed == [72.5]
    type_into(qtbot, f, "")
    assert committed == [72.5, None]  # blank = not recorded


def test_number_field_whole_numbers(qtbot):
    f = make(qtbot, NumberField("Age", integer=True))
    rejected = []
    f.rejected.connect(rejected.append)
    type_into(qtbot, f, "7.5")
    assert rejected == ["Age: 7.5 is not a whole number"]


def test_text_area_commits_when_typing_stops_and_on_focus_out(qtbot):
    area = make(qtbot, TextArea("History"))
    other = make(qtbot, NumberField("x"))
    got = []
    area.committed.connect(got.append)
    area.set_text("loaded")
    assert got == []
    area.setFocus()
    area.moveCursor(area.textCursor().MoveOperation.End)
    assert area.IDLE_MS == 700
    with qtbot.waitSignal(area.committed, timeout=3000):
        qtbot.keyClicks(area, " and typed")
        assert got == []  # not per keystroke
    assert got == ["loaded and typed"]
    qtbot.keyClicks(area, " more")
    other.setFocus()  # leaving the field commits at once
    qtbot.waitUntil(lambda: got[-1] == "loaded and typed more", timeout=1000)
    assert len(got) == 2


def test_lines_area_gives_a_list(qtbot):
    area = make(qtbot, LinesArea("References"))
    got = []
    area.committed.connect(got.append)
    area.set_value(["A", "B"])
    assert area.toPlainText() == "A\nB"
    area.setFocus()
    area.moveCursor(area.textCursor().MoveOperation.End)
    qtbot.keyClick(area, Qt.Key.Key_Return)
    qtbot.keyClick(area, Qt.Key.Key_Return)
    qtbot.keyClicks(area, "C  ")
    area.commit()
    assert got == [["A", "B", "C"]]


def test_dose_row_waits_for_the_unit(qtbot):
    row = make(qtbot, DoseRow("Dose"))
    err = FieldError(row)
    row.set_error(err)
    got = []
    row.committed.connect(got.append)
    type_into(qtbot, row.dose, "25")
    assert got == [] and "unit" in err.message()
    type_into(qtbot, row.unit, "g")
    assert got == [(25.0, "g")]


def test_field_error_shows_and_clears_in_room_it_keeps(qtbot):
    holder = make(qtbot, QWidget())
    e = FieldError(holder)
    height = e.height()
    assert height > 0 and e.message() == "" and e._icon.isHidden()  # its line is there, empty
    e.show_message("Weight: must be between 0.5 and 500 kg; got 9000.0")
    assert e.isVisible() and e.message().startswith("Weight:") and e._icon.isVisible()
    assert e.accessibleName().startswith("Error: Weight") and e.height() == height
    e.resize(120, e.height())  # too long for its line: shortened, the whole of it in the tooltip
    assert e._text.text().endswith("…") and e.toolTip() == e.message()
    e.clear()
    assert e.message() == "" and e.accessibleName() == "" and e._icon.isHidden() and e.height() == height


def test_item_table_keeps_selection_and_has_keys(qtbot):
    events = [Event(id="a", description="first"), Event(id="b", description="second")]
    t = make(qtbot, ItemTable([Column("Description", lambda e: e.description, stretch=True)], "event"))
    t.set_items(events)
    selected, deleted, added = [], [], []
    t.selected.connect(selected.append)
    t.delete_requested.connect(deleted.append)
    t.add_requested.connect(lambda: added.append(True))
    assert t.current_key() is None and not t.delete_button.isEnabled()
    t.view.setFocus()
    qtbot.keyClick(t.view, Qt.Key.Key_Down)
    assert t.current_key() == "a" and selected[-1] == "a"
    qtbot.keyClick(t.view, Qt.Key.Key_Down)
    assert t.current_key() == "b"
    t.set_items(list(reversed(events)))  # a refresh keeps the selected item selected
    assert t.current_key() == "b" and t.view.currentIndex().row() == 0
    qtbot.keyClick(t.view, Qt.Key.Key_Delete)
    qtbot.keyClick(t.view, Qt.Key.Key_Insert)
    assert deleted == ["b"] and added == [True]
    t.set_items([events[0]])  # the selected item went away: nothing selected
    assert t.current_key() is None and selected[-1] is None


# --- helpers ---------------------------------------------------------------------------------------

def test_check_edit_reports_only_the_fields_asked_about(case):
    def heavy(c):
        c.patient.weight_kg = 9000.0
    assert check_edit(case, heavy, "$.patient.weight_kg") == ["must be between 0.5 and 500 kg; got 9000.0"]
    assert check_edit(case, heavy, "$.patient.height_cm") == []
    assert case.patient.weight_kg is None  # the case itself is untouched


def test_numbers_and_words():
    assert fmt_number(25.0) == "25" and fmt_number(1.5) == "1.5" and fmt_number(None) == ""
    # every digit as entered (no "1.23457e+06"), an ASCII minus for edit fields
    assert fmt_number(1234567.0) == "1234567" and fmt_number(0.000125) == "0.000125" and fmt_number(-2.5) == "-2.5"
    assert parse_number(fmt_number(1234567.89)) == 1234567.89
    assert parse_number(" 3,5 ") == 3.5 and parse_number("\u22122") == -2.0
    with pytest.raises(ValueError):
        parse_number("nan")
    assert word_count("  Calciphylaxis is rare.\n\nIt is  often fatal. ") == 7
