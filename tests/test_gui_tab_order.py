"""Tab goes down a section's form, into a list's form and on (issue 16 item 1: typed text lost).

Qt puts a widget at the end of the window's Tab order when it is made. Parts built later were
reached last: a list's form, made when its first item is shown, and the Patient groups built after
the first paint, which start-up makes after the window's side panes. Entering a published case
through the window, Tab from "Delete dialysis period" skipped the new period's form, and Tab from
its last field ("Sessions") went to the Assessment panel (or to the case list's search box, where
the next words typed filter the cases) instead of the comorbidities below it.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from desktop.gui.app import start
from desktop.gui.list_editor import ListEditor
from desktop.gui.sections import SECTIONS
from gui_helpers import add_chosen, reactivate
from window_fixtures import demo_library, isolated_settings, no_unanswered_dialog, window  # noqa: F401


@pytest.fixture
def lib_path(tmp_path):
    return demo_library(tmp_path)


def tab(qtbot):
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    return QApplication.focusWidget()


def first_period(qtbot, page):
    """The Patient section's dialysis history with a period added through its button (its form
    is built then) and shown."""
    history = page.dialysis_history.editor
    add_chosen(qtbot, history, "haemodialysis")
    QApplication.processEvents()
    assert history.editor.isVisible()
    return history


def test_tab_from_a_list_s_buttons_enters_its_form_then_goes_on_down_the_section(qtbot, window):
    window.show_section("patient")
    page = window.section("patient")
    history = first_period(qtbot, page)
    history.table.delete_button.setFocus()
    assert tab(qtbot) is history.fields["modality"]
    history.fields["sessions_per_week"].setFocus()
    landed = tab(qtbot)
    assert landed is page.comorbidity_checks["diabetes"], landed.accessibleName()


def test_after_start_up_the_groups_built_after_the_first_paint_follow_the_kidney_group(qtbot, lib_path):
    w = start(lib_path, explicit=True)  # as casebook starts: the side panes are made before them
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.started, timeout=15000):
        pass
    page = w.section("patient")
    qtbot.waitUntil(lambda: page.complete_now, timeout=5000)
    history = first_period(qtbot, page)
    history.fields["sessions_per_week"].setFocus()
    landed = tab(qtbot)
    assert page.isAncestorOf(landed) and not w.assessment.isAncestorOf(landed), landed.accessibleName()
    assert landed is page.comorbidity_checks["diabetes"]
    # and the period's form still follows its list's buttons
    history.table.delete_button.setFocus()
    assert tab(qtbot) is history.fields["modality"]
    w.close()


def test_in_every_section_tab_from_a_list_s_last_button_enters_the_form_of_the_item_it_added(qtbot, window):
    window.new_case()  # every list empty: each form is built when its first item is added
    seen = []
    for key in [s.key for s in SECTIONS]:
        window.show_section(key)
        page = window.section(key)
        QApplication.processEvents()
        for editor in page.findChildren(ListEditor):
            if not editor.isVisible() or editor.table.items() or not editor.table.add_button.isEnabled():
                continue
            qtbot.mouseClick(editor.table.add_button, Qt.MouseButton.LeftButton)
            if editor.add_menu is not None:  # Add asks what to add: the first choice
                editor.add_menu.close()
                editor.add_menu.actions()[0].trigger()
                reactivate(qtbot, editor)
            QApplication.processEvents()
            if not editor.editor.isVisible():
                continue
            editor.table.findChildren(QPushButton)[-1].setFocus()  # Add, Delete, or one a section adds
            landed = tab(qtbot)
            assert editor.editor.isAncestorOf(landed), (key, editor.noun, landed.accessibleName())
            seen.append(editor.noun)
    assert len(seen) >= 5, seen
