"""Report: the case report as it will print, previewed in the window, and Export PDF.

Rendering runs in a separate Python process (:mod:`desktop.app.render`), fed by a worker thread
that reads the case through its own read-only connection, so the window's event loop never waits for
the renderer. The preview comes back as bytes and is shown with QtPdf; nothing identifying is
written to a temporary file. Exports of the de-identified report go
through the free-text identifier scan first, on the worker too (:func:`desktop.gui.dialogs.check_phi`);
its hits are shown to the author before anything is written. The report writer, QtPdf and the
report's fonts are imported only when this section is first shown.
"""
from __future__ import annotations

import datetime as dt
import importlib
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QBuffer, QIODevice, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from ...app.export import JournalRulesBroken
from ...app.export import Options as ExportOptions
from ...app.export import export
from ..dialogs import NeedsReview, review_phi_hits
from ..workers import BackgroundOp, describe_error


def _report_module():
    """``desktop.report.pdf``, or None while it is not part of this Casebook."""
    try:
        return importlib.import_module("desktop.report.pdf")
    except ModuleNotFoundError as exc:
        if exc.name in ("desktop.report.pdf", "desktop.report"):
            return None
        raise


def _pdf_widgets():
    try:
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView
    except ImportError:
        return None, None
    return QPdfDocument, QPdfView


def render_job(library_path: Path, case_id: str, out, *, draft: bool, identified: bool,
               include_assessment: bool, confirmed: set | None = None, journal: str | None = None):
    """The worker's function: read the case and render it in a separate process
    (:func:`desktop.app.render.render_report`). ``out`` is a path or None (bytes). With
    ``confirmed`` (a de-identified export) the identifier scan runs first and raises
    :class:`~desktop.gui.dialogs.NeedsReview` with hits the author has not confirmed."""
    def job(progress):
        from ...app.render import render_report
        return render_report(library_path, case_id, out, draft=draft, identified=identified,
                             include_assessment=include_assessment, confirmed=confirmed, progress=progress,
                             use_process=USE_PROCESS, journal=journal)
    return job


USE_PROCESS = True  # render in a separate process (False: on the worker thread, as a fallback does)


class ReportSection(QWidget):
    rendered = Signal(object)  # ReportInfo of the preview
    exported = Signal(str)  # the path written

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.pdf = _report_module()
        self.last_info = None
        self.last_export: Path | None = None
        self.preview_bytes: bytes | None = None
        self.op: BackgroundOp | None = None
        self.export_op: BackgroundOp | None = None
        self.last_render = None  # the last Rendered (preview or export)
        self._stale = True
        self._rerender = False
        self._buffer: QBuffer | None = None
        self._data: QByteArray | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 8, 8)
        lay.setSpacing(8)
        title = QLabel("Report")
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        lay.addWidget(title)
        intro = QLabel("The case report as a journal would receive it: de-identified, structured by the "
                       "CARE checklist. Refresh the preview after editing; Export writes the PDF file.")
        intro.setWordWrap(True)
        lay.addWidget(intro)

        opts = QHBoxLayout()
        opts.setSpacing(16)
        self.draft = QCheckBox("Draft")
        self.draft.setAccessibleName("Draft report")
        self.draft.setToolTip("Every page is marked DRAFT — NOT FOR SUBMISSION; no consent is needed.")
        self.include_assessment = QCheckBox("Assessment appendix")
        self.include_assessment.setChecked(True)
        self.include_assessment.setAccessibleName("Include the assessment as Appendix A")
        self.include_assessment.setToolTip("Appendix A: the assessment, headed as decision support")
        self.identified = QCheckBox("Identified (own records)")
        self.identified.setAccessibleName("Identified report for your own records")
        self.identified.setToolTip("Includes identifiers and calendar dates, and says so on every page. "
                                   "Never send an identified report to a journal.")
        lay.addLayout(opts)

        row = opts
        row.setSpacing(8)
        self.refresh_button = QPushButton("Refresh preview")
        self.refresh_button.setToolTip("Render the report again from the case (F5)")
        self.refresh_button.setAccessibleName("Refresh the report preview")
        self.export_button = QPushButton("Export PDF…")
        self.export_button.setToolTip("Write the report as a PDF file (Ctrl+E)")
        self.export_button.setAccessibleName("Export the report as PDF")
        self.draft_instead = QPushButton("Make a draft instead")
        self.draft_instead.setAccessibleName("Render a draft report instead")
        self.draft_instead.hide()
        for b in (self.refresh_button, self.export_button, self.draft_instead):
            b.setProperty("readOnlySafe", True)
            row.addWidget(b)
        row.addStretch(1)
        row2 = QHBoxLayout()
        row2.setSpacing(16)
        for w in (self.draft, self.include_assessment, self.identified):
            w.setProperty("readOnlySafe", True)  # options of a read-only view, not edits
            row2.addWidget(w)
        row2.addStretch(1)
        lay.addLayout(row2)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Report status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)

        self.pages = QStackedWidget()
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Report preview message")
        self.pages.addWidget(self.message)
        QPdfDocument, QPdfView = _pdf_widgets()
        self.document = None
        self.view = None
        if QPdfDocument is not None:
            self.document = QPdfDocument(self)
            self.view = QPdfView(self)
            self.view.setAccessibleName("Report preview")
            self.view.setDocument(self.document)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.view.setPageSpacing(12)
            self.pages.addWidget(self.view)
        lay.addWidget(self.pages, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export_pdf_dialog)
        self.draft_instead.clicked.connect(self._draft_instead)
        for box in (self.draft, self.include_assessment, self.identified):
            box.toggled.connect(self._options_changed)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        session.changed.connect(self._case_changed)
        session.journal_changed.connect(self._journal_changed)

        if self.pdf is None:
            self._say("The report writer is not available in this version of Casebook.")
            for w in (self.refresh_button, self.export_button, self.draft, self.include_assessment,
                      self.identified):
                w.setEnabled(False)
        elif self.document is None:
            self._say("The PDF preview is not available on this computer (QtPdf is missing); Export PDF "
                      "still works.")
        else:
            self._say("Rendering the preview…")

    # --- the section protocol ------------------------------------------------------------------------

    def focus_ref(self, ref: str) -> bool:
        return False  # the report shows the case; its data lives in the other sections

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale and self.pdf is not None and self.document is not None and self.op is None:
            self.refresh()

    # --- preview -------------------------------------------------------------------------------------

    def options(self) -> dict:
        return {"draft": self.draft.isChecked(), "identified": self.identified.isChecked(),
                "include_assessment": self.include_assessment.isChecked()}

    def refresh(self) -> BackgroundOp | None:
        """Render the preview on a worker (the preview is on screen only: no identifier scan)."""
        if self.pdf is None:
            return None
        if self.op is not None and not self.op.done:
            self._rerender = True  # once this render is done, with the options and case as they are now
            return None
        self._rerender = False
        self.draft_instead.hide()
        self._stale = False
        self.status.setText("Rendering…")
        job = render_job(self.session.library.path, self.session.case_id, None, **self.options(),
                         journal=self.session.journal_id)  # in the style of the journal chosen for the case
        self.op = BackgroundOp(job, parent=self, label="Rendering the report", cancellable=True) \
            .on_success(self._rendered).on_failure(self._failed).on_cancel(lambda: self.status.setText(
                "Rendering cancelled."))
        self.refresh_button.setEnabled(False)
        self.op.finished.connect(self._render_finished)
        return self.op.run()

    def _render_finished(self) -> None:
        self.refresh_button.setEnabled(True)
        if self._rerender:
            self.refresh()

    def _rendered(self, out) -> None:
        data, info = out.data, out.info
        self.last_info = info
        self.last_render = out
        self.preview_bytes = data
        if self.document is not None:
            # QPdfDocument reads from the buffer lazily: both stay alive with the document
            self.document.close()
            self._data = QByteArray(data)
            buffer = QBuffer(self)
            buffer.setData(self._data)
            buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            old, self._buffer = self._buffer, buffer
            self.document.load(buffer)
            if old is not None:
                old.close()
                old.deleteLater()
            self.pages.setCurrentWidget(self.view)
        text = (f"Preview of {dt.datetime.now().strftime('%H:%M')}: {info.pages} page"
                f"{'s' if info.pages != 1 else ''}, {info.figures} figure{'s' if info.figures != 1 else ''}")
        if self.draft.isChecked():
            text += ", draft"
        if self.identified.isChecked():
            text += ", IDENTIFIED"
        if info.warnings:
            text += ". " + " ".join(info.warnings)
        self.status.setText(text + ("." if not text.endswith(".") else ""))
        if out.note:
            self._tell(out.note)
        self.rendered.emit(info)

    def _failed(self, exc: BaseException) -> None:
        refused = self.pdf is not None and isinstance(exc, self.pdf.ReportRefused)
        self.status.setText("Not rendered: no consent for publication is recorded." if refused
                            else describe_error(exc))
        if refused:
            self._say(f"{_gui_words(str(exc))}\n\nTick “Draft” (or press “Make a draft instead”) to "
                      "preview the report watermarked as a draft.")
            self.draft_instead.show()
        else:
            self._say(describe_error(exc))

    def _draft_instead(self) -> None:
        self.draft.setChecked(True)  # toggling re-renders

    def _options_changed(self, _on: bool) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def _journal_changed(self, _journal_id: str) -> None:
        self._options_changed(True)  # the preview in the newly chosen journal's style

    def _case_changed(self, _part: str) -> None:
        self._stale = True
        if self.last_info is not None:
            self.status.setText("The case changed since this preview: press Refresh preview (F5).")

    def _tell(self, text: str, timeout_ms: int = 15000) -> None:
        """A message in the window's status bar."""
        bar = getattr(self.window(), "statusBar", None)
        if callable(bar):
            bar().showMessage(text, timeout_ms)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)

    def page_count(self) -> int:
        return self.document.pageCount() if self.document is not None else 0

    # --- export --------------------------------------------------------------------------------------

    def export_pdf_dialog(self) -> None:
        if self.pdf is None:
            QMessageBox.information(self, "Export PDF", "The report writer is not available in this version "
                                    "of Casebook.")
            return
        case = self.session.case
        stem = _safe_name(case.short_title or case.title or "case-report")
        if self.identified.isChecked():
            stem += "-IDENTIFIED"
        elif self.draft.isChecked():
            stem += "-draft"
        start = str(self.last_export.parent if self.last_export else Path.home())
        path, _ = QFileDialog.getSaveFileName(self, "Export PDF", os.path.join(start, stem + ".pdf"),
                                              "PDF (*.pdf)")
        if path:
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
            self.export_pdf(Path(path))

    def export_pdf(self, path: Path, *, draft: bool | None = None, redact: bool = False) -> BackgroundOp | None:
        """Write the report to ``path`` on a worker: identifier scan first (de-identified reports),
        then a progress in the status bar, then a message naming the file. ``redact``: each possible
        identifier replaced by its class in brackets in the exported copy."""
        if self.pdf is None:
            return None
        opts = self.options()
        if draft is not None:
            opts["draft"] = draft
        # an identified report is for the author's records: the pipeline does not scan it
        confirmed = self.session.open_case.phi_confirmed
        source = (self.session.library.path, self.session.case_id)
        options = ExportOptions(confirmed=frozenset(confirmed), use_process=USE_PROCESS, redact=redact,
                                journal=self.session.journal_id, **opts)  # the journal chosen for the case

        def job(progress):
            return export("pdf", [source], Path(path), options, progress)
        self.status.setText(f"Exporting to {path}…")

        def done(out):
            written, info = out.paths[0], out.info
            self.last_export = Path(written)
            self.last_render = out
            msg = f"Exported the report to {written} ({info.pages} page{'s' if info.pages != 1 else ''})"
            if info.warnings:
                msg += ". " + " ".join(info.warnings)
            self.status.setText(msg)
            self._tell(msg + (". " + out.note if out.note else ""), 15000)
            self.exported.emit(str(written))

        def failed(exc):
            if isinstance(exc, NeedsReview):
                go_to = getattr(self.window(), "go_to_field", None) or (lambda _f: None)
                answer = review_phi_hits(self, exc.hits, confirmed, purpose="report", go_to=go_to)
                if answer:  # every hit confirmed, or all to be replaced: again, scanned again
                    self.export_pdf(path, draft=draft, redact=answer == "redact")
                else:
                    self.status.setText("Export stopped: fix or confirm the possible identifiers first.")
                return
            if isinstance(exc, (self.pdf.ReportRefused, JournalRulesBroken)) and not opts["draft"]:
                from ..exports import refusal_text
                box = QMessageBox(QMessageBox.Icon.Information, "Export PDF", refusal_text(exc),
                                  QMessageBox.StandardButton.Cancel, self)
                box.setObjectName("report_refused")
                draft_button = box.addButton("Export a draft instead", QMessageBox.ButtonRole.AcceptRole)
                box.exec()
                if box.clickedButton() is draft_button:
                    self.export_pdf(path, draft=True, redact=redact)
                else:
                    self.status.setText(str(exc))
                return
            self.status.setText(describe_error(exc))
            QMessageBox.warning(self, "Export PDF", describe_error(exc))

        self.export_op = BackgroundOp(job, parent=self, label="Exporting the PDF", cancellable=True) \
            .on_success(done).on_failure(failed) \
            .on_cancel(lambda: self.status.setText("Export cancelled; no file was written."))
        return self.export_op.run()


def _gui_words(message: str) -> str:
    """The report writer speaks to the command line too; in the window a draft is a tick box."""
    return message.replace(" (--draft)", "")


def _safe_name(text: str) -> str:
    import re
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "case-report"

