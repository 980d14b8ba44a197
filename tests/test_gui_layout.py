"""Issue 16, item 5: every section usable in a 1280×800 and a 1366×768 window, at 100 % and at 200 %
scale (a 2560×1600 screen): no column cut off, no tab shortened or hidden, every key widget in sight or
reachable by scrolling down (tests/layout_check.py says what that means)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTabWidget, QVBoxLayout, QWidget

import layout_check as LC
from window_fixtures import demo_library, isolated_settings, no_unanswered_dialog, window  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def lib_path(tmp_path):
    return demo_library(tmp_path)


def test_every_section_usable_at_laptop_sizes(qapp, window):
    assert LC.window_problems(window, qapp) == []
    # the complaints of the issue, named: the lab grid's flag column and every lesion tab
    window.resize(1280, 800)
    labs = window.show_section("labs")
    LC.settle(qapp)
    flag = labs.rows["phosphate"].flag
    assert flag.text() == "H"  # the seed article's phosphate of 9.0 mg/dL is above 4.9
    assert LC._clipped(flag, window) is None
    lesions = window.show_section("lesions")
    LC.settle(qapp)
    bar = lesions.tabs.tabBar()
    texts = [bar.tabText(i).replace("&", "") for i in range(bar.count())]
    assert [t.split(" (")[0] for t in texts] == ["Details", "Observations", "Figures", "Chart"]
    assert LC._tab_problems(bar) == [] and LC._tab_problems(lesions.bodymap.tabs) == []
    assert "Genitalia" in [lesions.bodymap.tabs.tabText(i) for i in range(lesions.bodymap.tabs.count())]


def test_a_long_lesion_name_and_the_care_count_fit_a_laptop_window(qapp, qtbot, window):
    """Seen entering Case Rep Nephrol 2022:3818980 ("necrotic lesions at the lower extremities") at
    1280×800: selecting the lesion "leg, level not stated, both sides" made its heading widen the
    Lesions section past its column, cutting off the body map's left edge ("e:" for "Site:", "ront"
    for Front); and the assessment's CARE count read "5 of 30 compl"."""
    from desktop.model import Lesion
    window.resize(1280, 800)
    session = window.session
    lesion = Lesion(site="leg", laterality="bilateral", site_detail="lower extremities",
                    description="Necrotic lesions.")
    session.save_item("lesions", lesion, text="Add lesion")
    page = window.show_section("lesions")
    page.select_lesion(lesion.id)
    LC.settle(qapp, 0.3)
    assert page.title.text() == f"Lesion {len(session.case.lesions)}: leg, level not stated, both sides"
    holder = window._holders["lesions"]
    assert holder.horizontalScrollBar().maximum() == 0  # nothing needs a sideways scroll
    assert LC.section_problems(window, "lesions", qapp) == []
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    LC.settle(qapp, 0.2)
    label = panel.care_label
    assert LC._clipped(label, window) is None and label.width() >= label.sizeHint().width()


def test_a_dialysis_period_s_offer_does_not_widen_the_patient_section(qapp, qtbot, window):
    """Seen entering PMC6089724 at 1366×768: haemodialysis "in 1988" given as the Dialysis start,
    then a period added: the offer beside its Modality ("Start: as the patient's dialysis start
    (not on the day axis …)") widened the Patient section past its column, with a sideways
    scroll bar and the fields' right edges cut off. The offer now gives the date first, and a
    form too narrow for all of it shortens it with "…"."""
    from desktop.model import When
    window.resize(1366, 768)
    session = window.session
    session.edit_field("patient", "dialysis_start", When(date="1988", precision="year"), label="Dialysis start")
    session.edit_field("patient", "dialysis_history", [], label="Dialysis history")
    page = window.show_section("patient")
    page.complete()
    ed = page.dialysis_history.editor
    from gui_helpers import add_chosen
    add_chosen(qtbot, ed, "haemodialysis")
    LC.settle(qapp, 0.3)
    offer = page.dialysis_history.start_offer
    assert offer.button.isVisible() and offer.label.message().startswith("Start: 1988, ")
    holder = window._holders["patient"]
    assert holder.horizontalScrollBar().maximum() == 0  # nothing needs a sideways scroll
    assert LC._clipped(offer.button, window) is None
    assert LC.section_problems(window, "patient", qapp) == []


def test_every_section_usable_at_double_scale():
    """QT_SCALE_FACTOR=2 (as on a 2560×1600 screen) is read when Qt starts: a process of its own."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2",
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "layout_check.py"), "1280", "800", "1366", "768"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["scale"] == 2.0
    assert out["problems"] == []


def test_the_check_sees_a_cut_off_field_and_a_shortened_tab(qtbot):
    """The check is not blind: a field placed past its parent's edge and tabs squeezed into 120 px."""
    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    tabs = QTabWidget()
    for name in ("Details", "Observations", "Figures", "Chart"):
        tabs.addTab(QWidget(), name)
    lay.addWidget(tabs)
    holder = QWidget()
    holder.setFixedSize(100, 40)
    lay.addWidget(holder)
    field = QLineEdit(holder)
    field.setGeometry(60, 5, 90, 25)  # 50 px past the holder's right edge
    top.resize(120, 200)
    top.show()
    qtbot.waitExposed(top)
    problems = LC.page_problems(top, top, "test")
    assert any("cut off sideways" in p for p in problems)
    assert any("Observations" in p or "Chart" in p for p in problems)


@pytest.mark.parametrize("room, expected", [
    ((1920, 1040), (1400, 900, False)),  # a 1920×1080 screen less its task bar: the preferred size
    ((1366, 728), (1366, 728, True)),    # a 1366×768 laptop: fills the screen, maximised
    ((1280, 770), (1280, 770, True)),    # a 1280×800 screen (or 2560×1600 at 2×, 1280×800 logical)
    ((1400, 900), (1400, 900, False)),
])
def test_the_first_size_fits_the_screen(room, expected):
    from desktop.gui.window_helpers import first_size
    assert first_size(*room) == expected


def test_a_window_opened_for_the_first_time_on_a_small_screen_stays_on_it(qapp, qtbot, lib_path):
    """No size saved yet (isolated settings), on the offscreen screen (800×800): the window opens
    maximised within the screen, never running past its edge; its size is the one the sections are
    checked at when the screen is a laptop's."""
    from desktop.gui.main_window import MainWindow
    from desktop.store.library import open_library
    w = MainWindow(open_library(lib_path))
    qtbot.addWidget(w)
    w.show()
    room = qapp.primaryScreen().availableGeometry()
    assert room.width() < 1400  # the offscreen screen is smaller than the preferred size
    assert w.isMaximized()
    assert w.width() <= room.width() and w.height() <= room.height()  # within the screen, not past its edge
    w.close()


def test_dismissing_a_labs_message_leaves_the_page_where_it_was(qapp, qtbot, window):
    """Seen entering PMC6089724 at 1366×768: 'very high' typed as a creatinine was refused; Dismiss,
    clicked with the mouse, hid itself, Qt handed its focus to the next field of the tab chain (the
    'Not in the list above' form, far below) and the page scrolled there. The next click, aimed at a
    row of the grid, landed in that form, and the results typed went to other rows or were lost."""
    window.resize(1366, 768)
    labs = window.show_section("labs")
    LC.settle(qapp, 0.2)
    holder = window._holders["labs"]
    row = labs.row("creatinine")
    row.value.setFocus()
    qtbot.keyClicks(row.value, "very high")  # refused: not a result in words the grid knows
    qtbot.keyClick(row.value, Qt.Key.Key_Return)
    assert "very high" in labs.error.message()
    before = holder.verticalScrollBar().value()
    qtbot.mouseClick(labs.error.offer("Dismiss"), Qt.MouseButton.LeftButton)
    LC.settle(qapp, 0.1)
    assert labs.error.message() == ""
    assert holder.verticalScrollBar().value() == before  # the page did not move under the mouse
    assert row.value.hasFocus()  # the typing goes on in the row the message was about


def test_the_lab_grid_s_headings_stay_over_their_columns_as_it_scrolls(qapp, window):
    """Entering Mathur et al. at 1366×768: scrolled down the grid (about forty rows), the headings
    had scrolled away with the first row, and which box was the value, the unit or the range was
    no longer in sight. The headings now stay above the rows, each over its column."""
    window.resize(1366, 768)
    labs = window.show_section("labs")
    LC.settle(qapp, 0.2)
    scroll, header = labs.grid_scroll, labs.grid_header
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0  # the grid scrolls at this size
    bar.setValue(bar.maximum())
    LC.settle(qapp, 0.1)
    top_row = labs.rows["calcium"].value
    assert top_row.mapTo(scroll.viewport(), top_row.rect().bottomLeft()).y() < 0  # scrolled away
    texts = [h.text() for h in header.labels]
    assert texts[:3] == ["<b>Analyte</b>", "<b>Value</b>", "<b>Unit</b>"]
    last = labs.rows["platelets"]
    for h, field in zip(header.labels[1:], (last.value, last.unit)):
        assert h.isVisible() and LC._clipped(h, window) is None
        # over its column: the heading starts where the column's boxes do
        assert abs(h.mapTo(window, h.rect().topLeft()).x() - field.mapTo(window, field.rect().topLeft()).x()) <= 2
        # and above the rows, whatever the scroll
        assert h.mapTo(window, h.rect().bottomLeft()).y() <= scroll.viewport().mapTo(window, scroll.viewport().rect().topLeft()).y()
    expected = header.labels[-1]
    assert expected.isVisible() and LC._clipped(expected, window) is None
