"""Issue 16 item 12: the units a library's results are entered in are asked once per library, kept in
the library file (its settings table, schema version 5), shown in the Labs section and used as the
unit each empty row offers; the "Show values" switch and View ▸ Units change how values are shown,
say so, and leave the entry units alone."""
from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from desktop.app.preferences import entry_unit_system, set_entry_unit_system
from desktop.demo import load_demo
from desktop.gui.session import CaseSession
from desktop.gui.sections.labs import LabsSection
from desktop.store import schema
from desktop.store.library import create_library, open_library
from desktop.store.settings import get_setting

from gui_helpers import type_into
from window_fixtures import isolated_settings, no_unanswered_dialog, window  # noqa: F401 (fixtures)


@pytest.fixture
def lib_path(tmp_path):
    path = tmp_path / "units.casebook"
    lib = create_library(path)
    lib.add_case(load_demo())
    lib.add_case(load_demo(), keep_id=False)
    lib.close()
    return path


def labs_on(qtbot, lib, case_id) -> LabsSection:
    w = LabsSection(CaseSession(lib, case_id))
    qtbot.addWidget(w)
    w.resize(1000, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def reopened(lib_path) -> str | None:
    other = open_library(lib_path, read_only=True)
    try:
        return entry_unit_system(other)
    finally:
        other.close()


def test_asked_once_per_library_kept_in_it_and_used_for_entry(qtbot, lib_path):
    lib = open_library(lib_path)
    first, second = lib.case_ids()
    w = labs_on(qtbot, lib, first)
    eu = w.entry_units
    assert "Which units" in eu.label.text() and not any(b.isChecked() for b in eu.buttons.values())
    assert w.row("calcium").unit.currentText() == "mg/dL"  # conventional until chosen
    w.start_new_timepoint()
    qtbot.mouseClick(eu.buttons["si"], Qt.MouseButton.LeftButton)
    assert reopened(lib_path) == "si"  # in the library file itself
    assert eu.label.text() == "Enter results in:" and eu.buttons["si"].isChecked()
    assert w.row("calcium").unit.currentText() == "mmol/L"
    # a result typed in an empty row is saved in the library's units
    w.select_timepoint(type(w.session.case.labs[0].when)(offset=12.0))
    type_into(qtbot, w.row("albumin").value, "29")
    alb = next(x for x in w.session.case.labs if x.analyte == "albumin" and x.when.offset == 12.0)
    assert (alb.value, alb.unit) == (29.0, "g/L")
    # "Show values" changes how values are shown, not what is entered, and says so
    conventional = next(b for b in w.unit_buttons.buttons() if b.property("system") == "conventional")
    assert "does not change what is entered" in conventional.toolTip()
    qtbot.mouseClick(conventional, Qt.MouseButton.LeftButton)
    w.start_new_timepoint()
    assert w.row("calcium").unit.currentText() == "mmol/L"
    # another case of the same library: not asked again
    other = labs_on(qtbot, lib, second)
    assert other.entry_units.label.text() == "Enter results in:"
    assert other.entry_units.buttons["si"].isChecked()
    assert other.row("phosphate").unit.currentText() in ("mg/dL", "mmol/L")  # a saved result keeps its own unit
    other.start_new_timepoint()
    assert other.row("phosphate").unit.currentText() == "mmol/L"
    # changed back: stored again
    qtbot.mouseClick(other.entry_units.buttons["conventional"], Qt.MouseButton.LeftButton)
    assert reopened(lib_path) == "conventional"
    lib.close()


def test_a_read_only_library_shows_the_choice_but_cannot_change_it(qtbot, lib_path):
    lib = open_library(lib_path)
    set_entry_unit_system(lib, "si")
    with pytest.raises(ValueError):
        set_entry_unit_system(lib, "imperial")
    lib.close()
    ro = open_library(lib_path, read_only=True)
    w = labs_on(qtbot, ro, ro.case_ids()[0])
    assert w.entry_units.buttons["si"].isChecked()
    assert not any(b.isEnabled() for b in w.entry_units.buttons.values())
    ro.close()


def test_a_version_4_library_is_upgraded_and_one_read_only_has_no_choice(tmp_path, lib_path):
    assert schema.LATEST >= 5  # version 5 brought the settings table
    # a library as version 4 wrote it: no settings table
    conn = sqlite3.connect(lib_path)
    conn.execute("DROP TABLE settings")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    ro = open_library(lib_path, read_only=True)  # a read-only mount is read as it is
    assert get_setting(ro, "lab_entry_units") is None and len(ro.case_ids()) == 2
    ro.close()
    lib = open_library(lib_path)  # upgraded on open: the table is there, the cases too
    assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert entry_unit_system(lib) is None and len(lib.case_ids()) == 2
    set_entry_unit_system(lib, "si")
    lib.close()
    assert reopened(lib_path) == "si"


def test_view_units_says_what_it_changes(qtbot, window):
    tip = window.act_units_si.toolTip()
    assert "Show lab values in SI (mmol/L)" in tip and "new results are entered in this library's units" in tip
    window.act_units_si.trigger()
    msg = window.statusBar().currentMessage()
    assert msg.startswith("Units: values are now shown in SI units") and "still entered in this library's" in msg
    labs = window.show_section("labs")
    labs.start_new_timepoint()
    assert labs.system == "si"
    assert labs.row("calcium").unit.currentText() == "mg/dL"  # entry: the library's (not chosen: conventional)
