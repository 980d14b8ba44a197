"""File ▸ Export: the case in the formats registries and journals take, from the window.

Every export goes through the operations layer's one pipeline (:func:`desktop.app.export.export`:
identifier scan → confirmations → de-identification → writer → atomic write), the same function the
command line calls, on a worker thread with its progress in the status bar. Hits of the scan the
author has not confirmed stop the export and come back to the window, where the author fixes each
one in its field or confirms it as not identifying (then the export runs again, scanned again). The
Word manuscript is rendered in a child process, as the PDF report is (:mod:`desktop.app.render`);
without a recorded consent it is refused and a draft is offered instead. The JSON export with
identifiers is for the author's own records and is not scanned.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Case
    from .workers import BackgroundOp

DOCX_MODULE = "desktop.interop.docx"
DOCX_UNAVAILABLE = "Not available: the Word manuscript export is not part of this version of Casebook."


@dataclass(frozen=True)
class ExportKind:
    key: str
    menu_text: str
    title: str  # of the file dialog and of messages
    tip: str
    folder: bool  # the target is a folder (several files)
    suffix: str = ""
    file_filter: str = ""
    purpose: str = ""  # "the de-identified FHIR document", for the identifier dialog
    pipeline: str = ""  # the operations layer's export kind (default: key)
    identified: bool = False


KINDS: dict[str, tuple[ExportKind, None]] = {
    "fhir": (ExportKind("fhir", "&FHIR document (de-identified)…", "Export FHIR document",
                        "Write the de-identified case as a FHIR R4B document bundle (JSON)", False, ".json",
                        "FHIR document (*.json)", purpose="FHIR document"), None),
    "redcap": (ExportKind("redcap", "&REDCap dictionary, data and project XML (de-identified)…", "Export for REDCap",
                          "Write a REDCap data dictionary, an import file (CSV) of the de-identified case and a "
                          "project XML (instruments and repeating instruments set up) into a folder", True,
                          purpose="REDCap export"), None),
    "labs_csv": (ExportKind("labs_csv", "&Labs CSV (de-identified)…", "Export labs as CSV",
                            "Write every laboratory value of the de-identified case as a CSV table", False,
                            ".csv", "CSV table (*.csv)", purpose="labs table"), None),
    "phenopacket": (ExportKind("phenopacket", "&Phenopacket (de-identified)…", "Export Phenopacket",
                               "Write the de-identified case as a GA4GH Phenopacket v2 (JSON) for rare-disease "
                               "registries", False, ".json", "Phenopacket (*.json)", purpose="Phenopacket"), None),
    "docx": (ExportKind("docx", "&Word manuscript (DOCX)…", "Export Word manuscript",
                        "Write the de-identified manuscript as a Word document (DOCX)", False, ".docx",
                        "Word document (*.docx)", purpose="Word manuscript"), None),
    "json": (ExportKind("json", "JSON (&de-identified)…", "Export JSON (de-identified)",
                        "Write the de-identified case as JSON", False, ".json", "Case files (*.json)",
                        purpose="JSON export"), None),
    "json_identified": (ExportKind("json_identified", "&JSON…", "Export JSON",
                                   "Write the whole case, identifiers included, as JSON", False, ".json",
                                   "Case files (*.json)", purpose="JSON export", pipeline="json",
                                   identified=True), None),
}


def docx_available() -> bool:
    """Whether the Word exporter is part of this Casebook (it is being written)."""
    try:
        if importlib.util.find_spec(DOCX_MODULE) is None:
            return False
    except (ImportError, ValueError):
        return False
    return True


def default_name(case: "Case", kind: ExportKind) -> str:
    from ..app.export import default_name as name_for
    return name_for(case, kind.pipeline or kind.key, identified=kind.identified)


def export_job(kind_key: str, library_path: Path, case_id: str, target: Path, confirmed: set, *,
               draft: bool = False, redact: bool = False, journal: str = "jmcr"):
    """The worker's function of an export: the operations layer's pipeline; it returns its result
    (the paths written, what the format left out). ``journal``: the profile a final manuscript must
    meet (the window's choice for the case)."""
    from ..app.export import Options, export
    from .sections import report as report_section
    kind, _ = KINDS[kind_key]
    options = Options(draft=draft, identified=kind.identified, include_assessment=False, redact=redact,
                      confirmed=frozenset(confirmed), use_process=report_section.USE_PROCESS, journal=journal)

    def job(progress):
        return export(kind.pipeline or kind.key, [(library_path, case_id)], Path(target), options, progress)
    return job


def run_export(window, kind_key: str, target: Path, *, draft: bool = False,
               redact: bool = False) -> "BackgroundOp | None":
    """Export the window's open case: scan, de-identify, write — on a worker. The op is also kept
    as ``window.last_export_op``; a status message names the file(s) when done. ``draft``: the Word
    manuscript without a recorded consent, marked as a draft; ``redact``: each possible identifier
    replaced by its class in brackets in the exported copy."""
    from PySide6.QtWidgets import QMessageBox
    from .dialogs import NeedsReview, review_phi_hits
    from .workers import BackgroundOp, describe_error
    if window.session is None or window.library is None:
        return None
    kind, _write = KINDS[kind_key]
    lib_path, case_id = window.library.path, window.session.case_id
    confirmed = window.session.open_case.phi_confirmed
    target = Path(target)

    def done(result):
        paths = result.paths
        where = str(target) if kind.folder else str(paths[0])
        what = " and ".join(p.name for p in paths) + f" in {target}" if kind.folder else where
        if kind.identified:
            window.statusBar().showMessage(f"Exported the case to {what}", 15000)
        else:
            window.statusBar().showMessage(f"Exported the de-identified case: {what}", 15000)
        window.last_export_paths = list(paths)
        if result.left_out:  # what the format cannot carry, said once, not in a status line that goes
            window.show_problems(kind.title, f"Written to {where}. The format has no place for these, so "
                                 "they are not in the file:", list(result.left_out))

    def failed(exc):
        if isinstance(exc, NeedsReview):
            answer = review_phi_hits(window, exc.hits, confirmed, purpose=kind.purpose, go_to=window.go_to_field)
            if answer:  # every hit confirmed, or all to be replaced: again, scanned again
                run_export(window, kind_key, target, draft=draft, redact=answer == "redact")
            else:
                window.statusBar().showMessage("Export stopped: fix or confirm the possible identifiers first.",
                                               10000)
            return
        if type(exc).__name__ in ("ReportRefused", "JournalRulesBroken") and not draft:  # offer a draft
            box = QMessageBox(QMessageBox.Icon.Information, kind.title, refusal_text(exc),
                              QMessageBox.StandardButton.Cancel, window)
            box.setObjectName("export_refused")
            draft_button = box.addButton("Export a draft instead", QMessageBox.ButtonRole.AcceptRole)
            window.last_refused_dialog = box
            box.exec()
            if box.clickedButton() is draft_button:
                run_export(window, kind_key, target, draft=True, redact=redact)
            else:
                window.statusBar().showMessage("Not exported: no consent for publication is recorded.", 10000)
            return
        QMessageBox.warning(window, kind.title, describe_error(exc))

    op = BackgroundOp(export_job(kind_key, lib_path, case_id, target, set(confirmed), draft=draft, redact=redact,
                                 journal=window.session.journal_id),
                      parent=window,
                      label=kind.title.replace("Export", "Exporting", 1), cancellable=True) \
        .on_success(done).on_failure(failed) \
        .on_cancel(lambda: window.statusBar().showMessage("Export cancelled; nothing was written.", 8000))
    window.last_export_op = op
    return op.run()


def run_package(window, folder: Path, journal_id: str, *, redact: bool = False) -> "BackgroundOp | None":
    """The submission package of the window's open case (:func:`desktop.app.package.make_package`) on
    a worker. When done the status bar names the folder and a list shows what the journal's
    anonymisation changed, what changed since the previous package and the notes; a refusal (identifiers,
    consent, the journal's hard rules) is shown as for the other exports. ``window.last_package`` keeps
    the result."""
    from PySide6.QtWidgets import QMessageBox
    from .dialogs import NeedsReview, review_phi_hits
    from .sections import report as report_section
    from .workers import BackgroundOp, describe_error
    if window.session is None or window.library is None:
        return None
    lib_path, case_id = window.library.path, window.session.case_id
    confirmed = set(window.session.open_case.phi_confirmed)

    def job(progress):
        from ..app.export import Options
        from ..app.package import make_package
        options = Options(journal=journal_id, confirmed=frozenset(confirmed), redact=redact, include_assessment=False,
                          use_process=report_section.USE_PROCESS)
        return make_package((lib_path, case_id), folder, options, progress=progress)

    def done(result):
        window.last_package = result
        window.last_export_paths = [folder / f["name"] for f in result.files] + [folder / "manifest.json"]
        window.statusBar().showMessage(f"Wrote the {journal_id} submission package ({len(result.files)} files and "
                                       f"a manifest) in {folder}", 15000)
        lines = [f"Anonymised for the journal: {ch}" for ch in result.anonymised]
        if result.previous is not None:
            lines.append("Changed since the previous package: " + (", ".join(result.changed_parts) or "nothing"))
        lines += [f"Note: {w}" for w in result.warnings]
        if lines:
            window.show_problems("Submission package", f"The package is in {folder}. What the export changed "
                                 "and what to check before submitting:", lines)

    def failed(exc):
        if isinstance(exc, NeedsReview):
            answer = review_phi_hits(window, exc.hits, window.session.open_case.phi_confirmed,
                                     purpose="submission package", go_to=window.go_to_field)
            if answer:
                run_package(window, folder, journal_id, redact=answer == "redact")
            return
        if type(exc).__name__ in ("ReportRefused", "JournalRulesBroken"):
            box = QMessageBox(QMessageBox.Icon.Information, "Submission package", refusal_text(exc),
                              QMessageBox.StandardButton.Ok, window)
            box.setObjectName("package_refused")
            window.last_refused_dialog = box
            box.open()
            return
        QMessageBox.warning(window, "Submission package", describe_error(exc))

    op = BackgroundOp(job, parent=window, label="Writing the submission package", cancellable=True) \
        .on_success(done).on_failure(failed) \
        .on_cancel(lambda: window.statusBar().showMessage("Submission package cancelled.", 8000))
    window.last_export_op = op
    return op.run()


def refusal_text(exc: BaseException) -> str:
    """Why a final manuscript was refused, in the window's words: the missing parts (consent,
    declarations), or the journal profile's broken rules with their numbers."""
    listing = getattr(exc, "listing", None)
    if callable(listing):
        return f"The manuscript does not yet meet the {exc.journal_id} profile:\n{listing()}"
    return str(exc).replace(" (--draft)", "")


def ask_target(window, kind_key: str) -> Path | None:
    """The file (or folder) dialog of an export; None when the author cancelled."""
    from PySide6.QtWidgets import QFileDialog
    kind, _ = KINDS[kind_key]
    start = Path(getattr(window, "_last_export_dir", "") or Path.home())
    if kind.folder:
        path = QFileDialog.getExistingDirectory(window, kind.title + " — choose a folder", str(start))
        if not path:
            return None
        return Path(path)
    path, _ = QFileDialog.getSaveFileName(window, kind.title, str(start / default_name(window.session.case, kind)),
                                          kind.file_filter)
    if not path:
        return None
    p = Path(path)
    if kind.suffix and p.suffix.lower() != kind.suffix:
        p = p.with_name(p.name + kind.suffix)
    window._last_export_dir = str(p.parent)
    return p
