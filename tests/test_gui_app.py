"""The application shell driven as a user would: real widgets, a real library in tmp_path.

Sections are built by other modules; these tests use only the shell (case list, menus, assessment
panel, dialogs) so they hold whichever sections exist.
"""
from __future__ import annotations

import copy
import json
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer

from desktop import jsonio
from desktop.demo import load_demo
from desktop.gui import sections
from desktop.gui.app import start
from desktop.gui.assessment_panel import load_assess
from desktop.gui.dialogs import PhiHitsDialog, ProblemsDialog
from desktop.gui.main_window import MainWindow
from desktop.gui.workers import BackgroundOp, Cancelled
from desktop.model import Consent
from desktop.store.library import open_library

from gui_helpers import answer_modal
from window_fixtures import demo_library, isolated_settings, window  # noqa: F401  (fixtures)

DEMO_TITLE = load_demo().title


@pytest.fixture
def lib_path(tmp_path) -> Path:
    return demo_library(tmp_path)


def reread(path: Path):
    """A second, read-only look at the library file: what is really saved."""
    return open_library(path, read_only=True)


# --- opening ------------------------------------------------------------------------------------------

def test_demo_library_opens_with_the_case_in_list_and_title(window):
    assert window.case_list.titles() == [DEMO_TITLE]
    assert window.windowTitle() == f"{DEMO_TITLE} — lib.casebook — Casebook"
    assert window.session is not None and window.session.case.title == DEMO_TITLE
    assert window.nav.count() == len(sections.SECTIONS) == 10
    assert [window.nav.item(i).text() for i in range(window.nav.count())][4] == "Imaging & biopsy"
    assert window.stack.currentWidget().widget() is window.section("patient")
    assert not window.readonly_banner.isVisible()


def test_start_creates_the_missing_default_library_with_the_demo_after_first_paint(qtbot, tmp_path):
    path = tmp_path / "first-run" / "library.casebook"
    w = start(path, explicit=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.ready, timeout=10000):
        pass
    assert path.exists()
    assert w.case_list.titles() == [DEMO_TITLE]
    assert DEMO_TITLE in w.windowTitle()
    assert str(path.resolve()) in w.recent_libraries()
    w.close()


def test_a_file_that_is_not_a_library_gives_a_dialog_not_a_traceback(qtbot, tmp_path):
    bad = tmp_path / "notes.casebook"
    bad.write_text("these are my notes, not a library")
    w = MainWindow()
    qtbot.addWidget(w)
    seen = answer_modal("Quit")
    op = w.open_path(bad)  # opened (and checked) on a worker; the answer comes back to a dialog
    assert not op.done
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert op.opened is False
    assert "not a Casebook library" in seen["text"]
    buttons = {b.text() for b in seen["box"].buttons()}
    assert {"New library…", "Open another…"} <= buttons
    assert w.library is None and w.windowTitle() == "Casebook"
    assert bad.read_text() == "these are my notes, not a library"  # untouched


def test_a_named_library_that_is_missing_is_not_created(qtbot, tmp_path):
    path = tmp_path / "elsewhere.casebook"
    w = start(path, explicit=True)
    qtbot.addWidget(w)
    seen = answer_modal("Quit")
    with qtbot.waitSignal(w.ready, timeout=10000):
        pass
    assert "does not exist" in seen["text"]
    assert not path.exists() and w.library is None
    w.close()


# --- the case list --------------------------------------------------------------------------------------

def test_search_finds_by_title_site_and_outcome_and_says_when_nothing_matches(qtbot, window):
    lib = window.library
    other = load_demo()
    other.title = "Warfarin-associated calciphylaxis of the thigh: a case report"
    other.lesions = []
    other.outcome.status = "alive"
    lib.add_case(other, keep_id=False)
    window.refresh_case_list()
    assert len(window.case_list.titles()) == 2

    for query, expected in (("penis", [DEMO_TITLE]), ("warfarin", [other.title]), ("finger pad", [DEMO_TITLE]),
                            ("dead", [DEMO_TITLE]), ("alive", [other.title])):
        window.case_list.search.clear()
        qtbot.keyClicks(window.case_list.search, query)
        qtbot.waitUntil(lambda e=expected: window.case_list.titles() == e, timeout=3000)
    window.case_list.search.clear()
    qtbot.keyClicks(window.case_list.search, "no such words")
    qtbot.waitUntil(lambda: window.case_list.titles() == [], timeout=3000)
    assert "No case matches" in window.case_list.empty_label.text()


def test_new_case_is_saved_and_opened(qtbot, window, lib_path):
    # a new case asks for its working title first (issue 16 item 13); Cancel makes nothing
    seen = answer_modal("Cancel")
    qtbot.mouseClick(window.case_list.new_button, Qt.MouseButton.LeftButton)
    assert seen["title"] == "New case" and len(window.case_list.ids()) == 1

    title = "Calciphylaxis of the thigh in a patient on peritoneal dialysis: a case report"
    seen = answer_modal("Create", check=lambda dlg: qtbot.keyClicks(dlg.title, title))
    qtbot.mouseClick(window.case_list.new_button, Qt.MouseButton.LeftButton)
    assert len(window.case_list.ids()) == 2
    assert window.session.case.title == title
    assert window.windowTitle().startswith(f"{title} — lib.casebook")
    with reread(lib_path) as lib:
        assert sorted(r.title for r in lib.list_cases()) == sorted([DEMO_TITLE, title])

    seen = answer_modal("Create")  # left empty: the placeholder title, as before
    window.act_new_case.trigger()
    assert window.session.case.title == "Untitled case report" and len(window.case_list.ids()) == 3


def test_enter_in_the_working_title_creates_the_case(qtbot, window, lib_path):
    """Typed, then Enter, as an author does: the case is made with that title (Enter once cancelled
    the dialog, Cancel being the first button of a box that had no dialog yet when Create was made
    its default, and the typed title was lost)."""
    from PySide6.QtWidgets import QApplication
    title = "Penile calciphylaxis with a calcaneal ulcer: a case report"
    typed_into = []

    def type_and_enter():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, type_and_enter)
            return
        target = dlg.focusWidget()  # where the keyboard goes (a space on a focused button presses it)
        typed_into.append(target.objectName() or type(target).__name__)
        qtbot.keyClicks(target, title)
        qtbot.keyClick(target, Qt.Key.Key_Return)
        if dlg.isVisible():  # Enter did nothing: close it so that the test fails instead of hanging
            dlg.reject()
    QTimer.singleShot(0, type_and_enter)
    qtbot.mouseClick(window.case_list.new_button, Qt.MouseButton.LeftButton)
    assert typed_into == ["QLineEdit"]
    assert len(window.case_list.ids()) == 2 and window.session.case.title == title


def test_duplicate_then_delete_to_the_trash_after_confirmation_then_undo(qtbot, window, lib_path):
    demo_id = window.session.case_id
    qtbot.mouseClick(window.case_list.duplicate_button, Qt.MouseButton.LeftButton)
    # the copy is made on a worker; the window opens it when it is there
    qtbot.waitUntil(lambda: window.session is not None and window.session.case_id != demo_id, timeout=10000)
    copy_id = window.session.case_id
    assert window.session.case.title == f"{DEMO_TITLE} (copy)"
    assert len(window.case_list.ids()) == 2

    # Cancel keeps the case
    seen = answer_modal("Cancel")
    qtbot.mouseClick(window.case_list.delete_button, Qt.MouseButton.LeftButton)
    assert f"“{DEMO_TITLE} (copy)”" in seen["text"]
    assert copy_id in window.case_list.ids()

    seen = answer_modal("Delete")
    qtbot.mouseClick(window.case_list.delete_button, Qt.MouseButton.LeftButton)
    assert "trash" in seen["info"]
    assert copy_id not in window.case_list.ids()
    assert window.session is not None and window.session.case.title == DEMO_TITLE
    with reread(lib_path) as lib:
        assert [r.title for r in lib.list_cases()] == [DEMO_TITLE]
        assert [t.id for t in lib.list_trash()] == [copy_id]
        assert any(e.field == "trashed" for e in lib.audit(copy_id))

    # Edit ▸ Undo brings the deleted case back and shows it
    assert window.act_undo.isEnabled() and "Delete case" in window.act_undo.text()
    window.act_undo.trigger()
    assert copy_id in window.case_list.ids() and window.session.case_id == copy_id
    with reread(lib_path) as lib:
        assert lib.list_trash() == []


def test_the_trash_dialog_restores_a_case_and_empties(qtbot, window, lib_path):
    demo_id = window.session.case_id
    new_id = window.new_case()
    seen = answer_modal("Delete")
    window.delete_case(new_id)
    assert new_id not in window.case_list.ids() and seen
    dlg = window.show_trash()
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 0).text() == "Untitled case report"
    assert dlg.restore_selected() == new_id
    assert new_id in window.case_list.ids() and window.session.case_id == new_id
    answer_modal("Delete")
    window.delete_case(new_id)
    dlg.refresh()
    answer_modal("Yes")
    assert dlg.empty() == 1
    with reread(lib_path) as lib:
        assert lib.list_trash() == [] and lib.case_ids() == [demo_id]
    dlg.close()


# --- undo / redo ------------------------------------------------------------------------------------------

def test_undo_and_redo_through_the_edit_menu_change_the_library(qtbot, window, lib_path):
    session = window.session
    assert not window.act_undo.isEnabled()
    assert session.set_case_fields(title="Calciphylaxis of the glans: a case report")
    assert window.windowTitle().startswith("Calciphylaxis of the glans: a case report — ")
    assert window.act_undo.isEnabled() and "title" in window.act_undo.text().lower()
    with reread(lib_path) as lib:
        assert lib.load_case(session.case_id).title == "Calciphylaxis of the glans: a case report"

    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert window.act_undo in edit_menu.actions() and window.act_redo in edit_menu.actions()
    assert window.act_undo.shortcut().toString() == "Ctrl+Z"
    assert window.act_redo.shortcut().toString() == "Ctrl+Shift+Z"

    window.act_undo.trigger()
    with reread(lib_path) as lib:
        assert lib.load_case(session.case_id).title == DEMO_TITLE
    assert window.windowTitle().startswith(DEMO_TITLE)
    assert window.act_redo.isEnabled()

    window.act_redo.trigger()
    with reread(lib_path) as lib:
        assert lib.load_case(session.case_id).title == "Calciphylaxis of the glans: a case report"


def test_each_case_keeps_its_own_undo_history(qtbot, window):
    demo = window.session
    demo.set_case_fields(short_title="Glans")
    new_id = window.new_case()
    window.session.set_case_fields(title="Second case report")
    window.case_list.select(demo.case_id)
    assert window.session is demo
    window.act_undo.trigger()  # undoes the demo's edit, not the other case's
    assert demo.case.short_title == load_demo().short_title
    assert window.library.load_case(new_id).title == "Second case report"


# --- reopening, second window ---------------------------------------------------------------------------

def test_everything_is_there_when_the_library_is_reopened_in_a_fresh_window(qtbot, window, lib_path):
    new_id = window.new_case()
    window.session.set_case_fields(title="Reopened case report", keywords=["calciphylaxis"])
    window.session.save_single("consent", Consent(given_by="patient", date="2024-01-02"))
    window.close()

    w2 = MainWindow(open_library(lib_path))
    qtbot.addWidget(w2)
    assert sorted(w2.case_list.titles()) == sorted([DEMO_TITLE, "Reopened case report"])
    assert w2.session.case_id == new_id  # the last case shown comes back
    assert w2.session.case.keywords == ["calciphylaxis"]
    assert w2.session.case.consent.given_by == "patient"
    assert not w2.library.read_only
    w2.close()


def test_a_second_window_on_the_same_file_is_read_only_and_says_so(qtbot, window, lib_path):
    w2 = MainWindow(open_library(lib_path))
    qtbot.addWidget(w2)
    w2.show()
    assert w2.library.read_only
    assert w2.readonly_banner.isVisible()
    assert "another Casebook window or process" in w2.readonly_banner.text()
    assert "(read-only)" in w2.windowTitle()
    assert not w2.case_list.new_button.isEnabled() and not w2.act_new_case.isEnabled()
    assert not w2.act_import.isEnabled()

    # an edit attempted anyway is refused with a message; nothing reaches the file
    assert w2.session.set_case_fields(title="Should not be saved") is False
    assert w2.error_banner.isVisible() and "Not saved" in w2.error_banner.text()
    with reread(lib_path) as lib:
        assert lib.load_case(w2.session.case_id).title == DEMO_TITLE
    # the first window still edits
    assert window.session.set_case_fields(title="Edited in the first window")
    w2.close()


# --- import / export JSON ---------------------------------------------------------------------------------

def test_import_runs_on_a_worker_and_adds_the_case(qtbot, window, tmp_path):
    case = load_demo()
    case.title = "Imported calciphylaxis case report"
    path = tmp_path / "case.json"
    path.write_text(jsonio.dumps(case), encoding="utf-8")
    op = window.import_case_file(path)
    assert not op.done  # the result comes back later, on the GUI thread
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert "Imported calciphylaxis case report" in window.case_list.titles()
    assert window.session.case.title == "Imported calciphylaxis case report"


def test_the_photos_of_an_imported_case_are_looked_at_in_a_child_process(qtbot, window, tmp_path):
    """The import runs on a worker; the face detector it asks about each photo runs in a child
    process (desktop.app.face_process), so the worker leaves the window's thread the interpreter lock."""
    from PySide6.QtCore import QTimer

    from desktop.app.render import running_children
    from desktop.model import Case, Figure
    from face_images import jpeg, leg_with_lesion, photo_with_face
    case = Case(title="Imported with two photos")
    for i, data in enumerate([jpeg(photo_with_face()), jpeg(leg_with_lesion(1))]):
        case.figures.append(Figure(id=f"p{i}", mime="image/jpeg", data=data, caption=f"Photo {i + 1}"))
    path = tmp_path / "photos.json"
    path.write_text(jsonio.dumps(case), encoding="utf-8")
    seen = []
    timer = QTimer()
    timer.timeout.connect(lambda: seen.append(len(running_children("face-check"))))
    timer.start(5)
    op = window.import_case_file(path)
    with qtbot.waitSignal(op.finished, timeout=120000):
        pass
    timer.stop()
    assert max(seen) == 1 and running_children("face-check") == []  # one child, ended with the import
    assert window.session.case.title == "Imported with two photos"
    assert [(m.may_show_face, m.face_checked) for m in window.session.case.figures] == [(True, True), (False, True)]


def test_an_invalid_case_file_lists_every_problem_with_its_json_path(qtbot, window, tmp_path):
    doc = json.loads(jsonio.dumps(load_demo()))
    doc["labs"][0]["value"] = "a lot"
    doc["patient"]["sex"] = "sometimes"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    op = window.import_case_file(path)
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    dlg = window.last_problems_dialog
    assert isinstance(dlg, ProblemsDialog) and dlg.isVisible()
    text = dlg.text.toPlainText()
    assert "$.labs[0].value" in text and "$.patient.sex" in text
    assert window.case_list.titles() == [DEMO_TITLE]  # nothing imported
    dlg.close()


def test_deidentified_json_export_shows_phi_hits_to_fix_or_confirm(qtbot, window, tmp_path):
    from desktop.model import Identifiers
    window.session.save_identifiers(Identifiers(given_names="Testgiven", family_name="Testfamily"))
    manuscript = copy.deepcopy(window.session.case.manuscript)  # never edit session.case in place
    manuscript.discussion += " The family can be reached on 555-123-4567."
    window.session.save_single("manuscript", manuscript)
    out = tmp_path / "deid.json"

    # 1. the scan runs on the worker; its hits come back to a dialog. Go to field: the export
    #    stops, the window shows the field's section
    def go(dlg):
        assert isinstance(dlg, PhiHitsDialog)
        assert [h.text for h in dlg.hits] == ["555-123-4567"]
        assert not dlg.continue_button.isEnabled()
    answer_modal("Go to field", check=go)
    op = window.export_json(out, deidentified=True)
    assert not op.done
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert not out.exists()
    assert window.current_section_key() == "manuscript"

    # 2. confirm as not identifying: the export runs again (scanned again, on a worker)
    answer_modal("Continue", check=lambda dlg: dlg.set_confirmed(0))
    first = window.export_json(out, deidentified=True)
    qtbot.waitUntil(lambda: window.last_export_op is not first and window.last_export_op.done, timeout=10000)
    assert window.last_export_op.error is None
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["title"] == DEMO_TITLE
    # the export went through the one de-identification step all the same
    text = out.read_text(encoding="utf-8")
    assert "555-123-4567" not in text and "Testfamily" not in text

    # 3. the confirmation is remembered for this case: no dialog the second time
    out.unlink()
    shown = window.last_phi_dialog
    op = window.export_json(out, deidentified=True)
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert out.exists() and window.last_phi_dialog is shown


def test_identified_json_export_keeps_the_identifiers(qtbot, window, tmp_path):
    from desktop.model import Identifiers
    window.session.save_identifiers(Identifiers(given_names="Testgiven", family_name="Testfamily"))
    out = tmp_path / "full.json"
    op = window.export_json(out, deidentified=False)
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert json.loads(out.read_text(encoding="utf-8"))["identifiers"]["family_name"] == "Testfamily"


# --- assessment panel -------------------------------------------------------------------------------------

needs_core = pytest.mark.skipif(load_assess() is None, reason="desktop/core/assess.py not written yet")


@needs_core
def test_assessment_panel_shows_findings_tier_and_care_for_the_demo(qtbot, window):
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    a = panel.assessment
    assert a.findings and len(panel.finding_items()) == len(a.findings)
    groups = [panel.findings.topLevelItem(i).text(0) for i in range(panel.findings.topLevelItemCount())]
    assert groups and all(g.split(" (")[0] in ("Critical", "Warning", "Notice", "Info") for g in groups)
    assert panel.tier_label.text() != "—"
    total = len(a.care)
    done = sum(c.status == "complete" for c in a.care)
    assert panel.care_label.text() == f"{done} of {total}"
    assert panel.care_label.toolTip() == f"{done} of {total} CARE items complete"
    assert "not a diagnosis" in panel.plain_line.text()

    # a finding's evidence and citations, and "Go to data"
    finding = next(f for f in a.findings if any(e.ref for e in f.evidence) and f.citations)
    assert panel.select_finding(finding.rule_id)
    assert finding.citations[0].text[:30] in panel.detail_text.toPlainText()
    ev = next(e for e in finding.evidence if e.ref)
    assert any(ev.label in panel.evidence.item(i).text() for i in range(panel.evidence.count()))
    assert panel.go_button.isEnabled()
    qtbot.mouseClick(panel.go_button, Qt.MouseButton.LeftButton)
    assert window.current_section_key() == sections.section_for_ref(ev.ref)


@needs_core
def test_assessment_follows_edits_after_a_short_pause(qtbot, window):
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    before = panel.care_bar.value()
    consent = next(c for c in panel.assessment.care if c.item == "13")
    assert consent.status != "complete"
    with qtbot.waitSignal(panel.assessed, timeout=5000):
        window.session.save_single("consent", Consent(given_by="patient", date="2024-01-02", covers_images=True))
    assert next(c for c in panel.assessment.care if c.item == "13").status == "complete"
    assert panel.care_bar.value() == before + 1


# --- menus and dialogs -------------------------------------------------------------------------------------

def test_audit_log_dialog_lists_the_changes_of_the_case(qtbot, window):
    window.session.set_case_fields(short_title="Glans and digits")
    dlg = window.show_audit_log()
    table = dlg.table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert any(r[3] == "short_title" and r[4].endswith("→ Glans and digits") for r in rows)
    assert rows[0][3] == "created"
    dlg.close()


def test_unit_switch_is_announced_and_remembered(qtbot, window):
    with qtbot.waitSignal(window.unit_system_changed) as sig:
        window.act_units_si.trigger()
    assert sig.args == ["si"] and window.unit_system == "si"
    assert QSettings().value("unit_system") == "si"
    assert window.act_units_si.isChecked() and not window.act_units_conventional.isChecked()


def test_disclaimer_and_about_are_in_the_help_menu(qtbot, window):
    from desktop.core.types import DISCLAIMER
    seen = answer_modal("OK")
    window.act_disclaimer.trigger()
    assert "not a diagnosis" in seen["text"]
    assert DISCLAIMER in seen["box"].informativeText()


def test_a_missing_section_module_shows_a_plain_page(qtbot, window):
    spec = sections.SectionSpec("no_such_section", "Nothing here", "NothingSection")
    page = sections.build_section("no_such_section", window.session, spec=spec)
    qtbot.addWidget(page)
    assert isinstance(page, sections.UnavailablePage)
    assert "not available" in page.reason and page.focus_ref("labs/x") is False


# --- workers ------------------------------------------------------------------------------------------------

def test_background_op_runs_off_the_gui_thread_and_reports_back_on_it(qtbot):
    seen = {}

    def job(progress):
        seen["worker"] = threading.get_ident()
        progress(1, 4, text="a quarter")
        return 42

    progress = []
    idle_interval = sys.getswitchinterval()
    op = BackgroundOp(job, label="Counting").on_progress(lambda f, t: progress.append((f, t)))
    op.on_success(lambda r: seen.update(result=r, delivered=threading.get_ident(),
                                        interval=sys.getswitchinterval()))
    with qtbot.waitSignal(op.finished, timeout=5000):
        op.run()
    assert seen["result"] == 42
    # while work runs the GUI thread gets the GIL sooner; afterwards the default is back
    assert seen["interval"] <= 0.001 and sys.getswitchinterval() == idle_interval
    assert seen["worker"] != threading.get_ident() and seen["delivered"] == threading.get_ident()
    assert progress == [(0.25, "a quarter")]


def test_background_op_delivers_errors_and_cancels(qtbot):
    errors = []
    op = BackgroundOp(lambda p: 1 / 0).on_failure(errors.append)
    with qtbot.waitSignal(op.finished, timeout=5000):
        op.run()
    assert isinstance(errors[0], ZeroDivisionError)

    gate = threading.Event()
    cancelled = []

    def slow(progress):
        gate.wait(5)
        progress(0.5)  # raises Cancelled
        return "finished anyway"

    op = BackgroundOp(slow, cancellable=True).on_cancel(lambda: cancelled.append(True))
    op.on_success(lambda r: cancelled.append(r))
    op.run()
    op.cancel()
    gate.set()
    qtbot.waitUntil(lambda: op.done, timeout=5000)
    assert cancelled == [True] and op.cancelled
    assert issubclass(Cancelled, Exception)


def test_a_cancel_raised_by_the_operations_layer_is_a_cancel_not_an_error(qtbot):
    """The export's face check raises the operations layer's Cancelled when Cancel killed its child;
    the window showed it as "Something went wrong (Cancelled: )" (seen in a CI run whose window
    closed during an export)."""
    from desktop.app import progress as app_progress

    def killed(progress):
        raise app_progress.Cancelled()

    cancelled = []
    op = BackgroundOp(killed, cancellable=True).on_cancel(lambda: cancelled.append(True))
    with qtbot.waitSignal(op.finished, timeout=5000):
        op.run()
    assert cancelled == [True] and op.error is None
    assert Cancelled is app_progress.Cancelled


@needs_core
def test_a_large_case_is_assessed_on_a_worker_without_blocking(qtbot, window):
    from desktop.gui.assessment_panel import LARGE_CASE_ITEMS, case_size
    from desktop.model import LabResult, When
    case = load_demo()
    case.title = "Many labs calciphylaxis case report"
    case.labs += [LabResult(analyte="calcium", value=9.0 + (n % 7) / 10, unit="mg/dL", when=When(offset=float(-n)))
                  for n in range(LARGE_CASE_ITEMS + 10)]
    assert case_size(case) > LARGE_CASE_ITEMS
    cid = window.library.add_case(case, keep_id=False)
    window.refresh_case_list()
    panel = window.assessment
    window.case_list.select(cid)
    panel.refresh_now()  # returns at once: the work went to a worker
    assert panel.assessment is None and panel.state_label.text() == "Assessing…"
    with qtbot.waitSignal(panel.assessed, timeout=10000):
        pass
    assert panel.assessment is not None and panel.assessment.findings
    assert panel.findings.isEnabled()


def test_the_delete_key_in_the_list_asks_first(qtbot, window):
    window.duplicate_case(window.session.case_id)
    qtbot.waitUntil(lambda: len(window.case_list.ids()) == 2, timeout=10000)
    window.case_list.view.setFocus()
    seen = answer_modal("Cancel")
    qtbot.keyClick(window.case_list.view, Qt.Key.Key_Delete)
    assert "Delete the case" in seen["text"]
    assert len(window.case_list.ids()) == 2


def test_opening_a_case_reads_it_off_the_window_thread(qtbot, window):
    """Issue 11: the window's thread runs no query of a case's rows to open it; a worker reads it on a
    connection of its own while the window keeps painting."""
    demo_id = window.session.case_id
    new_id = window.new_case()
    window.case_list.select(demo_id)
    window._forget_session(window._sessions.pop(new_id))  # not open any more: it must be read again
    statements: list[str] = []
    window.library.conn.set_trace_callback(statements.append)
    try:
        window.case_list.select(new_id)
    finally:
        window.library.conn.set_trace_callback(None)
    assert window.session is not None and window.session.case_id == new_id
    assert window.session.case.title == "Untitled case report"
    reads = [s for s in statements if "FROM parts" in s or "FROM figures" in s or "SELECT data, doc_version" in s]
    assert reads == [], reads
