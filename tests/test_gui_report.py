"""The Report section: the PDF preview and Export PDF through the GUI, on the worker thread."""
from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.demo import load_demo
from desktop.gui.main_window import MainWindow
from desktop.model import Consent
from desktop.store.library import create_library, open_library

from gui_helpers import answer_modal, record_declarations
from window_fixtures import isolated_settings  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(importlib.util.find_spec("desktop.report.pdf") is None,
                                reason="desktop/report/pdf.py not written yet")


@pytest.fixture
def window(qtbot, tmp_path):
    path = tmp_path / "lib.casebook"
    lib = create_library(path)
    lib.add_case(load_demo())
    lib.close()
    w = MainWindow(open_library(path))
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    yield w
    w.close()


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_preview_renders_on_a_worker_and_shows_the_pages(qtbot, window):
    page = window.show_section("report")
    qtbot.waitUntil(lambda: page.op is not None and page.op.done, timeout=20000)
    # the demo records no consent: refused, with the way out offered
    assert page.draft_instead.isVisible()
    assert "consent" in page.message.text()
    qtbot.mouseClick(page.draft_instead, Qt.MouseButton.LeftButton)
    assert page.draft.isChecked()
    with qtbot.waitSignal(page.rendered, timeout=20000) as sig:
        pass
    info = sig.args[0]
    assert info.pages >= 3
    if page.document is not None:  # QtPdf present: the preview holds the same pages
        assert page.page_count() == info.pages
        assert page.pages.currentWidget() is page.view
    assert page.preview_bytes.startswith(b"%PDF")
    assert f"{info.pages} pages" in page.status.text()

    # an edit makes the preview stale until refreshed
    window.session.set_case_fields(short_title="Glans and digits")
    assert "changed since this preview" in page.status.text()


def test_export_pdf_through_the_file_menu_on_the_worker(qtbot, window, tmp_path, monkeypatch):
    out = tmp_path / "exports" / "report.pdf"
    out.parent.mkdir()
    window.session.save_single("consent", Consent(given_by="next_of_kin", date="2021-06-01", covers_images=True))
    record_declarations(window)  # a final export needs them (issue 14)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF (*.pdf)"))
    page = window.section("report")
    page.include_assessment.setChecked(False)
    with qtbot.waitSignal(page.exported, timeout=120000) as sig:
        window.act_export_pdf.trigger()
        assert window.current_section_key() == "report"
        assert page.export_op is not None and not page.export_op.done  # still running: on the worker
        assert window.task_indicator.isVisible()
    assert sig.args == [str(out)]
    text = pdf_text(out)
    assert "case report" in text.lower() and "DRAFT" not in text
    assert "Appendix A: Assessment" not in text and "Appendix A: CARE checklist" in text  # lettered in order
    assert str(out) in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not window.task_indicator.isVisible(), timeout=5000)


def test_export_without_consent_offers_a_draft_instead(qtbot, window, tmp_path):
    page = window.section("report")
    out = tmp_path / "draft.pdf"
    seen = answer_modal("Export a draft instead")
    with qtbot.waitSignal(page.exported, timeout=120000):
        page.export_pdf(out)
    assert "consent" in seen["text"].lower()
    assert "DRAFT" in pdf_text(out)


def test_deidentified_export_is_stopped_by_an_identifier_until_confirmed(qtbot, window, tmp_path):
    window.session.save_single("consent", Consent(given_by="patient", date="2021-06-01"))
    record_declarations(window)  # a final export needs them (issue 14)
    manuscript = copy.deepcopy(window.session.case.manuscript)  # never edit session.case in place
    manuscript.patient_perspective = "Write to him at john.doe@example.org."
    window.session.save_single("manuscript", manuscript)
    page = window.section("report")
    out = tmp_path / "report.pdf"

    answer_modal("Cancel")
    op = page.export_pdf(out)  # the scan runs on the worker; the hits come back to a dialog
    with qtbot.waitSignal(op.finished, timeout=120000):
        pass
    assert not out.exists()
    assert "fix or confirm" in page.status.text()

    def confirm():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, confirm)
            return
        assert [h.text for h in dlg.hits] == ["john.doe@example.org"]
        dlg.set_confirmed(0)
        dlg.continue_button.click()
    QTimer.singleShot(0, confirm)
    with qtbot.waitSignal(page.exported, timeout=120000):
        page.export_pdf(out)
    assert out.exists()
    assert "john.doe@example.org" not in pdf_text(out)  # de-identified all the same


def test_identified_export_needs_no_scan_and_says_so(qtbot, window, tmp_path):
    from desktop.model import Identifiers
    window.session.save_single("consent", Consent(given_by="patient", date="2021-06-01"))
    record_declarations(window)  # a final export needs them (issue 14)
    window.session.save_identifiers(Identifiers(given_names="Testgiven", family_name="Testfamily"))
    manuscript = copy.deepcopy(window.session.case.manuscript)  # never edit session.case in place
    manuscript.patient_perspective = "Write to him at john.doe@example.org."
    window.session.save_single("manuscript", manuscript)
    page = window.section("report")
    page.identified.setChecked(True)
    out = tmp_path / "own-records.pdf"
    with qtbot.waitSignal(page.exported, timeout=120000):
        page.export_pdf(out)  # no identifier dialog: an identified report is for the author's records
    assert "Testfamily" in pdf_text(out)
