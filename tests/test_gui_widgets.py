"""The shared field widgets driven as a user drives them: they commit only finished edits, never on
values set from code, refuse what is not a number with a message naming the field, and the time
editor reads and writes every form of When and says where it falls on the day axis."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.demo import load_demo
from desktop.gui.widgets import (
    ChoiceCombo, Column, DoseRow, FieldError, ItemTable, LinesArea, NumberField, TextArea, TriStateCombo,
    WhenEditor, check_edit, fmt_number, parse_number, word_count,
)
from desktop.model import Event, When


def pick(qtbot, combo, data) -> None:
    """Choose an entry from a combo's popup with the keyboard (one activation, as a user makes)."""
    i = combo.findData(data)
    assert i >= 0, data
    combo.setFocus()
    combo.showPopup()
    view = combo.view()
    view.setCurrentIndex(combo.model().index(i, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert combo.currentIndex() == i


def type_into(qtbot, field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


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
    assert ed.resolved.text() == "= day −61 (month −2), approximate"
    assert ed.when() == onset

    death = case.event("ev-death").when  # 3 months after discharge
    ed.set_when(death, case, exclude_event="ev-death")
    assert ed.mode.currentData() == "event" and ed.event.currentData() == "ev-discharge"
    assert ed.event.findData("ev-death") < 0  # an event is never offered as its own reference
    assert ed.resolved.text().startswith("= day 91")
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
    assert ed.resolved.text() == "= day 21 (week 3)"
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
    assert ed.resolved.text() == "= day −1"


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


def test_field_error_shows_and_clears(qtbot):
    holder = make(qtbot, QWidget())
    e = FieldError(holder)
    assert e.isHidden() and e.message() == ""
    e.show_message("Weight: must be between 0.5 and 500 kg; got 9000.0")
    assert e.isVisible() and e.message().startswith("Weight:")
    assert e.accessibleName().startswith("Error: Weight")
    e.clear()
    assert e.isHidden() and e.accessibleName() == ""


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
    assert parse_number(" 3,5 ") == 3.5 and parse_number("\u22122") == -2.0
    with pytest.raises(ValueError):
        parse_number("nan")
    assert word_count("  Calciphylaxis is rare.\n\nIt is  often fatal. ") == 7
