"""File ▸ Export: the case in the formats registries and journals take, from the window.

Every de-identified export takes the same path, on a worker thread with its progress in the status
bar:

1. the case is read through a read-only connection of the worker's own;
2. the free-text identifier scan runs (:func:`desktop.gui.dialogs.check_phi`); hits the author has
   not confirmed stop the export and come back to the window, where the author fixes each one in its
   field or confirms it as not identifying (then the export runs again, scanned again);
3. :func:`desktop.interop.prepare` — the one de-identification step — makes the case the writer sees;
4. the writer makes the file(s), which are written next to their target and renamed into place, so
   a failed export never leaves half a file.

The Word manuscript is made like the PDF report: after the scan, in a separate process
(:func:`desktop.gui.pdf_process.render_report` with ``writer="docx"``), where
:func:`desktop.interop.docx.write_docx` applies the same de-identification step itself; without a
recorded consent it is refused and a draft is offered instead. The PDF report has its own path (the
Report section); the JSON export with identifiers is for the author's own records and is not scanned.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..files import write_atomic

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
    media: bool = False  # the writer needs the images' bytes
    purpose: str = ""  # "the de-identified FHIR document", for the identifier dialog


def _fhir(case: "Case", target: Path) -> list[Path]:
    from ..interop.fhir import write_bundle
    write_atomic(target, write_bundle(case).encode("utf-8"))
    return [target]


def _redcap(case: "Case", target: Path) -> list[Path]:
    from ..interop import redcap
    target.mkdir(parents=True, exist_ok=True)
    files = [(target / "data_dictionary.csv", redcap.write_dictionary()),
             (target / "data.csv", redcap.write_data([case]))]
    for path, text in files:
        write_atomic(path, text.encode("utf-8"))
    return [p for p, _ in files]


def _labs_csv(case: "Case", target: Path) -> list[Path]:
    from ..interop.labs_csv import write_labs_csv
    write_atomic(target, write_labs_csv([case]).encode("utf-8"))
    return [target]


KINDS: dict[str, tuple[ExportKind, Callable[["Case", Path], list[Path]] | None]] = {
    "fhir": (ExportKind("fhir", "&FHIR document (de-identified)…", "Export FHIR document",
                        "Write the de-identified case as a FHIR R4B document bundle (JSON)", False, ".json",
                        "FHIR document (*.json)", media=True, purpose="FHIR document"), _fhir),
    "redcap": (ExportKind("redcap", "&REDCap dictionary + data (de-identified)…", "Export for REDCap",
                          "Write a REDCap data dictionary and an import file (CSV) of the de-identified case "
                          "into a folder", True, purpose="REDCap export"), _redcap),
    "labs_csv": (ExportKind("labs_csv", "&Labs CSV (de-identified)…", "Export labs as CSV",
                            "Write every laboratory value of the de-identified case as a CSV table", False,
                            ".csv", "CSV table (*.csv)", purpose="labs table"), _labs_csv),
    "docx": (ExportKind("docx", "&Word manuscript (DOCX)…", "Export Word manuscript",
                        "Write the de-identified manuscript as a Word document (DOCX)", False, ".docx",
                        "Word document (*.docx)", media=True, purpose="Word manuscript"), None),  # a process
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
    import re
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", case.short_title or case.title or "case").strip("-")[:60] or "case"
    return f"{stem}-deidentified-{kind.key.replace('_', '-')}{kind.suffix}"


def export_job(kind_key: str, library_path: Path, case_id: str, target: Path, confirmed: set, *,
               draft: bool = False):
    """The worker's function of a de-identified export (see the module's docstring); it returns the
    paths written."""
    kind, write = KINDS[kind_key]
    if write is None:  # the Word manuscript: rendered in a separate process, as the PDF is
        def render(progress):
            from .pdf_process import render_report
            from .sections import report as report_section
            done = render_report(library_path, case_id, target, writer="docx", draft=draft, identified=False,
                                 include_assessment=False, confirmed=confirmed, progress=progress,
                                 use_process=report_section.USE_PROCESS)
            return [done.path]
        return render

    def job(progress):
        from ..interop import prepare
        from ..store.library import open_library
        from .dialogs import check_phi
        progress(0.05, text="reading the case")
        with open_library(library_path, read_only=True) as lib:
            case = lib.load_case(case_id, media=kind.media)
        progress(0.25, text="checking for identifiers")
        check_phi(case, confirmed)
        progress(0.45, text="de-identifying")
        case = prepare(case)
        progress(0.65, text="writing")
        return write(case, Path(target))
    return job


def run_export(window, kind_key: str, target: Path, *, draft: bool = False) -> "BackgroundOp | None":
    """Export the window's open case: scan, de-identify, write — on a worker. The op is also kept
    as ``window.last_export_op``; a status message names the file(s) when done. ``draft``: the Word
    manuscript without a recorded consent, marked as a draft."""
    from PySide6.QtWidgets import QMessageBox
    from .dialogs import NeedsReview, review_phi_hits
    from .main_window import phi_confirmations
    from .workers import BackgroundOp, describe_error
    if window.session is None or window.library is None:
        return None
    kind, _write = KINDS[kind_key]
    lib_path, case_id = window.library.path, window.session.case_id
    confirmed = phi_confirmations(lib_path, case_id)
    target = Path(target)

    def done(paths: list[Path]):
        where = str(target) if kind.folder else str(paths[0])
        what = " and ".join(p.name for p in paths) + f" in {target}" if kind.folder else where
        window.statusBar().showMessage(f"Exported the de-identified case: {what}", 15000)
        window.last_export_paths = list(paths)

    def failed(exc):
        if isinstance(exc, NeedsReview):
            if review_phi_hits(window, exc.hits, confirmed, purpose=kind.purpose, go_to=window.go_to_field):
                run_export(window, kind_key, target, draft=draft)  # every hit confirmed: again, scanned again
            else:
                window.statusBar().showMessage("Export stopped: fix or confirm the possible identifiers first.",
                                               10000)
            return
        if type(exc).__name__ == "ReportRefused" and not draft:  # no consent recorded: offer a draft
            box = QMessageBox(QMessageBox.Icon.Information, kind.title, str(exc).replace(" (--draft)", ""),
                              QMessageBox.StandardButton.Cancel, window)
            box.setObjectName("export_refused")
            draft_button = box.addButton("Export a draft instead", QMessageBox.ButtonRole.AcceptRole)
            window.last_refused_dialog = box
            box.exec()
            if box.clickedButton() is draft_button:
                run_export(window, kind_key, target, draft=True)
            else:
                window.statusBar().showMessage("Not exported: no consent for publication is recorded.", 10000)
            return
        QMessageBox.warning(window, kind.title, describe_error(exc))

    op = BackgroundOp(export_job(kind_key, lib_path, case_id, target, set(confirmed), draft=draft), parent=window,
                      label=kind.title.replace("Export", "Exporting", 1), cancellable=True) \
        .on_success(done).on_failure(failed) \
        .on_cancel(lambda: window.statusBar().showMessage("Export cancelled; nothing was written.", 8000))
    window.last_export_op = op
    return op.run()


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
