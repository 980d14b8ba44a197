"""The main window's File ▸ Import and File ▸ Export actions: a case file imported on a worker, and the
open case exported (PDF, JSON, FHIR, REDCap, labs CSV, Word) through :mod:`desktop.gui.exports`.

:class:`ImportExportActions` is a part of :class:`~desktop.gui.main_window.MainWindow`."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtWidgets
from PySide6.QtCore import Qt

from .window_helpers import field_to_ref

if TYPE_CHECKING:
    from .workers import BackgroundOp


class ImportExportActions:
    """Importing a case file and exporting the open case (the export itself runs in
    :func:`desktop.gui.exports.run_export`)."""

    def import_case_dialog(self) -> None:
        if not self._writable():
            return
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Import case", str(Path.home()),
            "Cases (*.json *.csv);;Casebook case files, FHIR bundles, Phenopackets (*.json);;"
            "REDCap data, its dictionary beside it (*.csv);;All files (*)")
        if path:
            self.import_case_file(Path(path))

    def import_case_file(self, path: Path) -> "BackgroundOp | None":
        """Read and validate a file on a worker — a Casebook case file, a FHIR bundle, a Phenopacket,
        or REDCap data with its dictionary beside it — and add its case(s) to the library; what the
        file held that did not map is listed for the author."""
        if not self._writable():
            return None
        from .workers import BackgroundOp

        book = self.book
        lib_op = book.import_op(path, use_process=True)  # its photos' face check in a child process

        def job(progress):  # the file read and the cases written with a connection of the worker's own
            return book.work_elsewhere(lib_op, progress)

        def done(result):
            if self.book is not book:
                return
            lib_op.finish(result)  # the steps recorded and announced on this thread
            cid = result.ids[0]
            self.refresh_case_list(select_id=cid)
            self.open_case(cid)
            title = self.session.case.title if self.session is not None else ""
            more = f" and {len(result.ids) - 1} more case(s)" if len(result.ids) > 1 else ""
            self.statusBar().showMessage(f"Imported “{title or path.name}”{more}.", 8000)
            if result.report:
                self.show_problems("Import case", f"{path.name} was imported as far as it maps onto a Casebook "
                                   "case. Not imported:", list(result.report))

        def failed(exc):
            from ..codec import InvalidCase
            if isinstance(exc, InvalidCase):
                n = len(exc.problems)
                self.show_problems("Import case", f"{path.name} is not a valid case file: {n} problem"
                                   f"{'s' if n != 1 else ''} (each with its place in the file). Nothing was "
                                   "imported.", [str(p) for p in exc.problems])
            else:
                from .workers import describe_error
                QtWidgets.QMessageBox.warning(self, "Import case", describe_error(exc))

        return BackgroundOp(job, parent=self, label=f"Importing {path.name}").on_success(done) \
            .on_failure(failed).run()

    def show_problems(self, title: str, intro: str, problems: list[str]):
        from .dialogs import ProblemsDialog
        dlg = ProblemsDialog(title, intro, problems, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.last_problems_dialog = dlg
        return dlg

    def export_pdf_dialog(self) -> None:
        self.flush_edits()
        page = self.show_section("report")
        export = getattr(page, "export_pdf_dialog", None)
        if callable(export):
            export()

    def export_json_dialog(self, *, deidentified: bool) -> None:
        if self.session is None:
            return
        suffix = "-deidentified" if deidentified else ""
        name = _safe_name(self.session.case.short_title or self.session.case.title or "case") + suffix + ".json"
        title = "Export JSON (de-identified)" if deidentified else "Export JSON"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, title, str(Path.home() / name),
                                                        "Case files (*.json)")
        if path:
            self.export_json(Path(path), deidentified=deidentified)

    def export_json(self, path: Path, *, deidentified: bool) -> "BackgroundOp | None":
        """Write the open case as a JSON case file on a worker, through the operations layer's export
        pipeline. De-identified: hits of the identifier scan the author has not confirmed stop it and
        are shown."""
        if self.session is None:
            return None
        return self.export_to("json" if deidentified else "json_identified", path)

    def export_dialog(self, kind: str) -> "BackgroundOp | None":
        """File ▸ Export ▸ FHIR / REDCap / Labs CSV / Word: ask where, then :meth:`export_to`."""
        if self.session is None:
            return None
        from .exports import ask_target
        target = ask_target(self, kind)
        if target is None:
            return None
        return self.export_to(kind, target)

    def export_to(self, kind: str, target: Path) -> "BackgroundOp | None":
        """A de-identified export of the open case (identifier scan, the one de-identification step,
        the writer) on a worker; see :mod:`desktop.gui.exports`."""
        from .exports import run_export
        self.flush_edits()
        return run_export(self, kind, Path(target))

    def export_package_dialog(self) -> "BackgroundOp | None":
        """File ▸ Export ▸ Submission package: the journal, then the folder, then :meth:`export_package`."""
        if self.session is None:
            return None
        from ..journals import DEFAULT_JOURNAL, journal, journal_ids
        ids = journal_ids()
        names = [f"{journal(i).name} ({i})" for i in ids]
        item, ok = QtWidgets.QInputDialog.getItem(self, "Submission package", "Journal:", names,
                                                  ids.index(DEFAULT_JOURNAL) if DEFAULT_JOURNAL in ids else 0, False)
        if not ok:
            return None
        start = str(getattr(self, "_last_export_dir", "") or Path.home())
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Submission package — choose a folder", start)
        if not folder:
            return None
        self._last_export_dir = folder
        return self.export_package(Path(folder), ids[names.index(item)])

    def export_package(self, folder: Path, journal_id: str, *, redact: bool = False) -> "BackgroundOp | None":
        """The submission package of the open case on a worker; see :func:`desktop.gui.exports.run_package`."""
        from .exports import run_package
        self.flush_edits()
        return run_package(self, Path(folder), journal_id, redact=redact)

    def go_to_field(self, field: str) -> bool:
        """Show the field a PHI hit names (``$.manuscript.discussion``, ``$.labs[3].note``)."""
        if self.session is None:
            return False
        ok = self.go_to_ref(field_to_ref(field, self.session.case))
        self.statusBar().showMessage(f"Fix the possible identifier in {field}, then export again.", 10000)
        return ok


def _safe_name(text: str) -> str:
    import re
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "case"
