"""The Labs section driven as a user would: the demo case's results, entry of a new timepoint in SI
units, the Ca×P the core derives from it, undo/redo, refusal of an implausible value, the unit switch
and the chart. Every save is checked in the library file itself (reopened read-only)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.core import assess

from desktop.gui.sections.labs import LabsSection
from desktop.store.library import open_library

from gui_helpers import demo_section, type_into


@pytest.fixture
def lib_path(tmp_path):
    return tmp_path / "labs.casebook"


@pytest.fixture
def section(qtbot, lib_path):
    with demo_section(qtbot, lib_path, LabsSection, (1000, 800)) as w:
        yield w


def stored_labs(lib_path, case_id):
    """The labs as the library file holds them (a second, read-only connection)."""
    other = open_library(lib_path, read_only=True)
    try:
        return other.load_case(case_id, figures=False).labs
    finally:
        other.close()


def table_rows(w: LabsSection) -> list[list[str]]:
    """The table's rows as [analyte, value, unit, range, flag, time, dialysis]."""
    t = w.table
    heads = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    order = ["Analyte", "Value", "Unit", "Reference range", "Flag", "Time", "Dialysis"]
    assert sorted(heads) == sorted(order)
    return [[t.item(r, heads.index(h)).text() for h in order] for r in range(t.rowCount())]


def pick(qtbot, combo, data=None, text=None) -> None:
    """Choose an entry of a closed combo box with the keyboard, as a user would."""
    target = combo.findData(data) if text is None else combo.findText(text)
    assert target >= 0, (data, text)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(target):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentIndex() == target


def choose(combo, data) -> None:
    """Choose an entry from a combo box's popup list (one activation, as a mouse choice makes)."""
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


def set_days_after_day0(qtbot, editor, days: int) -> None:
    choose(editor.mode, "relative")
    choose(editor.unit, "day")
    type_into(qtbot, editor.amount.lineEdit(), str(days))


def test_demo_results_are_shown_with_ranges_and_flags(section):
    rows = table_rows(section)
    assert len(rows) == 11
    calcium = [r for r in rows if r[0] == "Calcium, total" and r[1] == "9.1"]
    assert calcium == [["Calcium, total", "9.1", "mg/dL", "8.5–10.1", "", "day 0, approximate", ""]]
    phosphate = next(r for r in rows if r[0] == "Phosphate (as phosphorus)" and r[1] == "1.5")
    assert phosphate[4] == "L" and phosphate[3] == "2.5–4.9"
    pth = next(r for r in rows if r[0].startswith("Parathyroid"))
    assert pth[1:5] == ["104", "pg/mL", "18.4–80.1", "H"]
    # the onset timepoint's results have no range of their own: the catalogue default, marked so
    onset_ca = next(r for r in rows if r[0] == "Calcium, total" and r[1] == "9.2")
    assert onset_ca[3] == "8.5–10.1 (default)" and onset_ca[5] == "day −61 (month −2), approximate"

    # the grid shows the first timepoint (day −61); the admission timepoint has 9 results
    assert section.row("calcium").value.text() == "9.2"
    admission = next(i for i in range(section.timepoint.count()) if "during admission" in section.timepoint.itemText(i))
    assert "9 results" in section.timepoint.itemText(admission)
    section.timepoint.setCurrentIndex(admission)
    section.timepoint.activated.emit(admission)
    assert section.row("calcium").value.text() == "9.1"
    assert section.row("calcium").low.text() == "8.5" and section.row("calcium").high.text() == "10.1"
    assert section.row("phosphate").flag.text() == "L"
    assert section.row("pth_intact").flag.text() == "H"
    assert section.row("bun").unit.currentText() == "mg/dL"


def test_new_timepoint_in_si_units_with_ca_x_p_undo_and_redo(qtbot, section, lib_path):
    session = section.session
    case_id = session.case_id
    before = len(stored_labs(lib_path, case_id))

    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    assert section.timepoint.currentData() is None  # "New timepoint…"
    assert section.row("calcium").value.text() == ""
    set_days_after_day0(qtbot, section.when, 10)
    assert section.current_when().offset == 10.0

    # the library's entry units (asked once): SI; empty rows offer the SI unit
    assert section.row("calcium").unit.currentText() == "mg/dL"  # conventional until chosen
    qtbot.mouseClick(section.entry_units.buttons["si"], Qt.MouseButton.LeftButton)
    assert section.row("calcium").unit.currentText() == "mmol/L"
    # the default range is offered in that unit
    assert section.row("calcium").low.placeholderText() == "2.12"

    type_into(qtbot, section.row("calcium").value, "2.45")
    type_into(qtbot, section.row("phosphate").value, "2.6")
    assert section.error.message() == ""

    labs = stored_labs(lib_path, case_id)
    assert len(labs) == before + 2
    new = {x.analyte: x for x in labs if x.when.offset == 10.0}
    assert set(new) == {"calcium", "phosphate"}
    assert (new["calcium"].value, new["calcium"].unit) == (2.45, "mmol/L")
    assert (new["phosphate"].value, new["phosphate"].unit) == (2.6, "mmol/L")
    assert new["calcium"].ref_low is None  # the default range is not written as the laboratory's own

    # the timepoint now exists and is the one shown
    assert "day 10" in section.timepoint.currentText() and "2 results" in section.timepoint.currentText()
    # phosphate 2.6 mmol/L is above the default range (0.81–1.58 mmol/L)
    assert section.row("phosphate").flag.text() == "H"

    # the core derives Ca×P for day 10: 2.45 × 4.008 × 2.6 × 3.097 ≈ 79.1 mg²/dL² (6.37 mmol²/L²)
    products = [d for d in assess(session.case).derived if d.kind == "ca_p_product" and d.day == 10.0]
    assert len(products) == 1
    assert products[0].unit == "mmol²/L²" and products[0].value == pytest.approx(6.37, abs=0.01)
    assert products[0].alt_value == pytest.approx(79.07, abs=0.1)
    # and the chart draws it against the 70/55 lines (SI: 5.64 and 4.43 mmol²/L²), values shown in SI
    si = next(b for b in section.unit_buttons.buttons() if b.property("system") == "si")
    qtbot.mouseClick(si, Qt.MouseButton.LeftButton)
    section.show_chart()
    names = section.chart.series_names()
    assert "Ca×P, derived (mmol²/L²)" in names
    assert any(n.startswith("5.64 mmol²/L²") for n in names) and any(n.startswith("4.43 mmol²/L²") for n in names)
    assert "Ca×P (mmol²/L²)" in section.chart.axis_titles()

    stack = session.undo_stack
    stack.undo()
    labs = stored_labs(lib_path, case_id)
    assert [x.analyte for x in labs if x.when.offset == 10.0] == ["calcium"]
    stack.undo()
    assert not [x for x in stored_labs(lib_path, case_id) if x.when.offset == 10.0]
    assert len(session.case.labs) == before
    assert not [d for d in assess(session.case).derived if d.kind == "ca_p_product" and d.day == 10.0]
    # the views follow once the undo is done; the grid keeps the (now empty) new timepoint's time
    qtbot.waitUntil(lambda: section.row("calcium").value.text() == "")
    assert section.current_when().offset == 10.0 and "New timepoint: day 10" in section.timepoint.currentText()

    stack.redo()
    stack.redo()
    labs = stored_labs(lib_path, case_id)
    new = {x.analyte: x for x in labs if x.when.offset == 10.0}
    assert (new["calcium"].value, new["calcium"].unit) == (2.45, "mmol/L")
    assert (new["phosphate"].value, new["phosphate"].unit) == (2.6, "mmol/L")
    qtbot.waitUntil(lambda: section.row("calcium").value.text() == "2.45")
    assert [d.day for d in assess(session.case).derived if d.kind == "ca_p_product"].count(10.0) == 1


def test_implausible_calcium_is_refused_the_row_reverts_and_the_message_clears(qtbot, section, lib_path):
    """Issue 16 item 7: a refused value is not left on screen as if it were saved (the row goes back
    to what is stored), and the message goes once the value is corrected."""
    case_id = section.session.case_id
    before = stored_labs(lib_path, case_id)
    row = section.row("calcium")
    assert row.value.text() == "9.2"
    type_into(qtbot, row.value, "92")
    msg = section.error.message()
    assert msg.startswith("Calcium, total: 92 mg/dL is outside what can be measured (2–25 mg/dL); a typing error?")
    assert msg.endswith("Not saved: the row shows the stored 9.2 mg/dL.")
    assert section.error.isVisible()
    assert row.value.text() == "9.2" and row.flag.text() == ""  # what is stored, not a red 92 with an H
    assert stored_labs(lib_path, case_id) == before
    assert next(x for x in section.session.case.labs if x.id == "lab-calcium-onset").value == 9.2

    # in SI the bounds are given in the typed unit too (a value typed in an empty row)
    section.start_new_timepoint()
    set_days_after_day0(qtbot, section.when, 3)
    row.unit.setCurrentIndex(row.unit.findText("mmol/L"))
    type_into(qtbot, row.value, "23")
    assert "(2–25 mg/dL, that is 0.50–6.24 mmol/L)" in section.error.message()
    assert row.value.text() == "" and stored_labs(lib_path, case_id) == before

    # text that is not a number, and a range whose ends are swapped
    section.focus_ref("labs/lab-calcium-onset")
    type_into(qtbot, row.value, "9..2")
    assert section.error.message().startswith("Calcium, total: '9..2' is not a number")
    assert row.value.text() == "9.2"
    type_into(qtbot, row.value, "9.2")  # the stored value typed again: a correction, the message goes
    assert section.error.message() == ""
    type_into(qtbot, row.low, "10.1")  # a low end alone is a range ("≥ 10.1"): saved
    assert section.error.message() == ""
    assert next(x for x in stored_labs(lib_path, case_id) if x.id == "lab-calcium-onset").ref_low == 10.1
    type_into(qtbot, row.high, "8.5")
    assert "low end is above its high end" in section.error.message()
    assert (row.low.text(), row.high.text()) == ("10.1", "")  # back to what is stored
    assert next(x for x in stored_labs(lib_path, case_id) if x.id == "lab-calcium-onset").ref_high is None

    # corrected, it saves and the message goes
    type_into(qtbot, row.low, "8.5")
    type_into(qtbot, row.high, "10.1")
    type_into(qtbot, row.value, "9.3")
    assert section.error.message() == ""
    saved = next(x for x in stored_labs(lib_path, case_id) if x.id == "lab-calcium-onset")
    assert (saved.value, saved.unit, saved.ref_low, saved.ref_high) == (9.3, "mg/dL", 8.5, 10.1)


def test_unit_switch_converts_the_table_and_follows_the_window(qtbot, section):
    section.set_unit_system("si")
    rows = table_rows(section)
    ca = next(r for r in rows if r[0] == "Calcium, total" and r[5].startswith("day 0"))
    assert ca[1:4] == ["2.27", "mmol/L", "2.12–2.52"]
    alb = next(r for r in rows if r[0] == "Albumin")
    assert alb[1:5] == ["29", "g/L", "34–50", "L"]
    conventional = next(b for b in section.unit_buttons.buttons() if b.property("system") == "conventional")
    assert not conventional.isChecked()
    section.set_unit_system("conventional")
    assert conventional.isChecked()
    ca = next(r for r in table_rows(section) if r[0] == "Calcium, total" and r[5].startswith("day 0"))
    assert ca[1:3] == ["9.1", "mg/dL"]
    with pytest.raises(ValueError):
        section.set_unit_system("imperial")


def test_clearing_a_value_deletes_the_result_and_focus_ref_finds_a_lab(qtbot, section, lib_path):
    case_id = section.session.case_id
    assert section.focus_ref("labs/lab-albumin")
    assert section.row("albumin").value.text() == "2.9"
    assert "during admission" in section.timepoint.currentText()
    type_into(qtbot, section.row("albumin").value, "")
    assert "lab-albumin" not in {x.id for x in stored_labs(lib_path, case_id)}
    section.session.undo_stack.undo()
    assert "lab-albumin" in {x.id for x in stored_labs(lib_path, case_id)}
    qtbot.waitUntil(lambda: section.row("albumin").value.text() == "2.9")
    assert not section.focus_ref("events/ev-admission")
    assert not section.focus_ref("labs/no-such-lab")


def test_chart_draws_chosen_analytes_with_units(section):
    section.show_chart()
    section.set_charted(["calcium", "albumin"])
    names = section.chart.series_names()
    assert names == ["Calcium, total (mg/dL)", "Albumin (g/dL)"]
    assert "Value (mg/dL, g/dL; see legend)" in section.chart.axis_titles()
    assert "Day (day 0 = index event)" in section.chart.axis_titles()
    section.set_charted(["calcium", "phosphate", "ca_p_product"])
    names = section.chart.series_names()
    assert "Ca×P, derived (mg²/dL²)" in names
    assert "70 mg²/dL² (risk)" in names and "55 mg²/dL² (goal)" in names


def test_dialysis_context_and_time_apply_to_the_whole_timepoint(qtbot, section, lib_path):
    case_id = section.session.case_id
    section.focus_ref("labs/lab-calcium")  # the admission timepoint, 9 results
    pick(qtbot, section.dialysis, "pre")
    at_admission = [x for x in stored_labs(lib_path, case_id) if x.when.event_id == "ev-admission-labs"]
    assert len(at_admission) == 9 and {x.dialysis_context for x in at_admission} == {"pre"}
    assert next(r for r in table_rows(section) if r[0] == "Albumin")[6] == "pre-dialysis"
    # a result added at this timepoint gets the same context
    type_into(qtbot, section.row("creatinine").value, "6.2")
    crea = next(x for x in stored_labs(lib_path, case_id) if x.analyte == "creatinine")
    assert crea.dialysis_context == "pre" and crea.when.event_id == "ev-admission-labs"
    assert crea.unit == "mg/dL"
    # one undo step per change: the creatinine, then the context of all nine
    section.session.undo_stack.undo()
    section.session.undo_stack.undo()
    assert {x.dialysis_context for x in stored_labs(lib_path, case_id)} == {"unknown"}
    qtbot.waitUntil(lambda: section.dialysis.value() == "unknown" and section.row("creatinine").value.text() == "")

    # moving the timepoint's time moves all its results; each finished change of the time is one
    # undoable step for all of them (the mode picked is not one: it waits for the amount)
    depth = section.session.undo_stack.index()
    set_days_after_day0(qtbot, section.when, 2)
    moved = [x for x in stored_labs(lib_path, case_id) if x.when.offset == 2.0 and x.when.event_id is None]
    assert len(moved) == 9
    assert section.current_when().offset == 2.0 and "9 results" in section.timepoint.currentText()
    assert section.session.undo_stack.index() - depth == 1
    section.session.undo_stack.undo()
    assert len([x for x in stored_labs(lib_path, case_id) if x.when.event_id == "ev-admission-labs"]) == 9


def select_timepoint(section, words: str) -> None:
    i = next(i for i in range(section.timepoint.count()) if words in section.timepoint.itemText(i))
    section.timepoint.setCurrentIndex(i)
    section.timepoint.activated.emit(i)


def test_numbers_read_as_reported_with_the_decimals_of_their_unit(qtbot, section, lib_path):
    # the onset timepoint: phosphate 9.0 mg/dL (a float keeps no trailing zero; the grid does)
    assert section.row("phosphate").value.text() == "9.0"
    rows = table_rows(section)
    assert next(r for r in rows if r[0].startswith("Phosphate") and r[5].startswith("day −61"))[1] == "9.0"
    # catalogue defaults, in grey, keep their decimals too: albumin 3.4–5.0 g/dL, WBC 4.0–11.0 K/µL
    albumin, wbc = section.row("albumin"), section.row("wbc")
    assert (albumin.low.placeholderText(), albumin.high.placeholderText()) == ("3.4", "5.0")
    assert (wbc.low.placeholderText(), wbc.high.placeholderText()) == ("4.0", "11.0")
    assert (section.row("bun").low.placeholderText(), section.row("bun").high.placeholderText()) == ("7", "21")

    # the admission timepoint: the laboratory's own ranges as reported
    select_timepoint(section, "during admission")
    assert (albumin.value.text(), albumin.low.text(), albumin.high.text()) == ("2.9", "3.4", "5.0")
    assert (wbc.value.text(), wbc.low.text(), wbc.high.text()) == ("6.8", "4.0", "11.0")
    assert (section.row("haemoglobin").low.text(), section.row("haemoglobin").high.text()) == ("13.0", "17.0")
    assert section.row("pth_intact").value.text() == "104"
    rows = table_rows(section)
    assert next(r for r in rows if r[0] == "Albumin")[1:4] == ["2.9", "g/dL", "3.4–5.0"]
    assert next(r for r in rows if r[0] == "White cell count")[3] == "4.0–11.0"
    assert albumin.flag.text() == "L" and albumin.flag.toolTip() == "low — outside 3.4–5.0 g/dL"

    # typing is read as before: "46" and "2,5" are numbers, and the field shows them as reported
    case_id = section.session.case_id
    type_into(qtbot, section.row("bun").value, "46")
    type_into(qtbot, albumin.value, "2,5")
    saved = {x.analyte: x for x in stored_labs(lib_path, case_id) if x.when.label == "during admission"}
    assert saved["bun"].value == 46.0 and saved["albumin"].value == 2.5
    assert (saved["albumin"].ref_low, saved["albumin"].ref_high) == (3.4, 5.0)  # the range was not touched
    assert section.row("bun").value.text() == "46" and albumin.value.text() == "2.5"
    # a number reads back with the digits it was typed with, no more and no fewer (a float keeps
    # neither "5" from "5.0" nor "3.7" from "3.70"): a whole number gains no decimal, "5.0" keeps its 0
    type_into(qtbot, section.row("potassium").value, "5")
    assert section.row("potassium").value.text() == "5"
    assert next(x for x in stored_labs(lib_path, case_id) if x.analyte == "potassium").value == 5.0
    type_into(qtbot, section.row("potassium").value, "5.0")
    assert section.row("potassium").value.text() == "5.0"
    type_into(qtbot, section.row("creatinine").value, "3.7 H")  # creatinine's usual 2 decimals are not added
    assert section.row("creatinine").value.text() == "3.7 H"
    depth = section.session.undo_stack.index()
    section.row("creatinine").value.setFocus()
    section.row("pth_intact").value.setFocus()  # leaving a row untouched records nothing
    assert section.session.undo_stack.index() == depth


def test_the_results_table_fits_its_width_and_names_what_it_cuts(qtbot, section):
    section.show_table()
    section.resize(560, 700)
    qtbot.waitUntil(lambda: section.table.viewport().width() < 520)
    table = section.table
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible())
    shown = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()
    heads = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    # numbers, units and flags are never cut
    fm = table.fontMetrics()
    for title in ("Value", "Unit", "Flag"):
        c = heads.index(title)
        widest = max(fm.horizontalAdvance(table.item(r, c).text()) for r in range(table.rowCount()))
        assert table.columnWidth(c) >= widest
    # the demo records no dialysis context: no empty column for it
    assert table.isColumnHidden(heads.index("Dialysis"))


def test_an_edited_value_redraws_its_rows_only_and_a_moved_result_refills(qtbot, section, lib_path):
    """Issue 11: an edit of one result must not rebuild the whole grid and table (a case with
    thousands of results); a result moved to another time does refill the views."""
    import copy
    session = section.session
    lab = next(x for x in session.case.labs if x.analyte == "calcium")
    other = next(x for x in session.case.labs if x.id != lab.id)
    row_of = {section.table.item(r, 0).data(Qt.ItemDataRole.UserRole): r for r in range(section.table.rowCount())}
    untouched = section.table.item(row_of[other.id], 2)
    edited = copy.deepcopy(lab)
    edited.value = 9.9
    assert session.save_item("labs", edited)
    assert section.table.item(row_of[other.id], 2) is untouched  # the other rows were left as they were
    assert section.table.item(row_of[lab.id], 2).text().startswith("9.9")
    if lab.id in section._shown_ids:
        assert section.rows["calcium"].value.text().startswith("9.9")
    with open_library(lib_path, read_only=True) as other_lib:
        assert next(x for x in other_lib.load_case(session.case_id).labs if x.id == lab.id).value == 9.9
    time_before = section.table.item(row_of[lab.id], 0).text()
    moved = copy.deepcopy(edited)
    moved.when = type(moved.when)(offset=(moved.when.offset or 0) + 400.0)  # another timepoint
    assert session.save_item("labs", moved)
    qtbot.waitUntil(lambda: section.table.item(row_of[other.id], 2) is not untouched
                    or section.table.rowCount() != len(row_of), timeout=5000)
    texts = [section.table.item(r, 0).text() for r in range(section.table.rowCount())
             if section.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == lab.id]
    assert len(texts) == 1 and texts[0] != time_before  # the table was filled again: the new time shows


def test_values_typed_before_the_time_wait_for_it_and_are_saved_with_it(qtbot, section, lib_path):
    """Entering Pantanowitz et al. (2001) through the window: calcium 2.4, phosphate 1.9 mmol/l and
    albumin 36 g/l typed into a new timepoint before its time was given were refused one by one and
    wiped from the grid. They now stay as typed, the message names them, and giving the time saves
    them all at that time."""
    case_id = section.session.case_id
    before = len(stored_labs(lib_path, case_id))
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(section.entry_units.buttons["si"], Qt.MouseButton.LeftButton)
    type_into(qtbot, section.row("calcium").value, "2.4")
    type_into(qtbot, section.row("phosphate").value, "1.9")
    type_into(qtbot, section.row("albumin").value, "36")
    assert len(stored_labs(lib_path, case_id)) == before  # nothing saved without a time ...
    assert [section.row(a).value.text() for a in ("calcium", "phosphate", "albumin")] == ["2.4", "1.9", "36"]
    message = section.error.message()  # ... nothing lost, and the message says so
    assert "Calcium, total, Phosphate (as phosphorus), Albumin: not saved yet" in message
    assert "saved when the time is given" in message

    set_days_after_day0(qtbot, section.when, 1)
    new = {x.analyte: x for x in stored_labs(lib_path, case_id) if x.when.offset == 1.0}
    assert {a: (x.value, x.unit) for a, x in new.items()} == {
        "calcium": (2.4, "mmol/L"), "phosphate": (1.9, "mmol/L"), "albumin": (36.0, "g/L")}
    assert section.error.message() == ""
    assert [section.row(a).value.text() for a in ("calcium", "phosphate", "albumin")] == ["2.4", "1.9", "36"]


def test_waiting_values_do_not_follow_to_another_timepoint(qtbot, section, lib_path):
    case_id = section.session.case_id
    before = len(stored_labs(lib_path, case_id))
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, section.row("bun").value, "46")
    assert section.row("bun").value.text() == "46"
    select_timepoint(section, "during admission")  # another timepoint: the value is not saved there
    set_days_after_day0(qtbot, section.when, 5)  # (this moves that timepoint's own results)
    assert not any(x.analyte == "bun" and x.value == 46.0 for x in stored_labs(lib_path, case_id))
    assert len(stored_labs(lib_path, case_id)) == before


def test_a_default_range_given_for_men_is_offered_to_no_woman(qtbot, section, lib_path):
    # Koratala et al. (BMJ Case Rep 2016) entered through the window: a woman's haemoglobin of
    # 10 g/dL showed 13.0-17.0 in grey beside it, the seed's range for men, while the results table
    # rightly said "no range". The grey range and the flag follow the patient's sex.
    hb = section.row("haemoglobin")
    assert (hb.low.placeholderText(), hb.high.placeholderText()) == ("13.0", "17.0")  # the demo: a man
    section.session.edit_field("patient", "sex", "female", label="Sex")
    qtbot.waitUntil(lambda: hb.low.placeholderText() == "" and hb.high.placeholderText() == "")
    type_into(qtbot, hb.value, "10")
    assert hb.flag.text() == ""  # no range of hers to be low against
    section.session.edit_field("patient", "sex", "male", label="Sex")
    qtbot.waitUntil(lambda: hb.low.placeholderText() == "13.0" and hb.flag.text() == "L")


def test_the_urea_and_bun_rows_say_which_is_which(section):
    # a source's "urea 150 mg/dL" is urea's own mass (CH4N2O, 60.06 g/mol), 2.14 times a BUN in mg/dL
    # (60.06 / 28.01): typed into the BUN row it would be read as twice the urea it is
    urea, bun = section.row("urea"), section.row("bun")
    assert "Not blood urea nitrogen" in urea.label.toolTip() and "2.14" in urea.label.toolTip()
    assert "Urea row" in bun.label.toolTip()
    assert {urea.unit.itemText(i) for i in range(urea.unit.count())} == {"mg/dL", "mmol/L"}
