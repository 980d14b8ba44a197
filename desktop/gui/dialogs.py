"""The window's dialogs: About, the assessment disclaimer, a library that cannot be opened, a new
case's working title, a list of import problems, the PHI scan's hits and a case's audit log."""
from __future__ import annotations

import datetime as dt
import json
from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel,
                               QMessageBox, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)


def _version() -> str:
    from .. import __version__
    return __version__


class AboutDialog(QDialog):
    """Help ▸ About: the version, what Casebook does, where the library is, and the licences of
    everything Casebook ships with (Qt's LGPL among them), each readable in full."""

    def __init__(self, parent: QWidget | None = None, library_path: str = ""):
        super().__init__(parent)
        from ..packaging.licences import bundled
        self.setObjectName("about_dialog")
        self.setWindowTitle("About Casebook")
        lay = QVBoxLayout(self)
        where = f"<p>Library: {_esc(library_path)}</p>" if library_path else ""
        self.text = QLabel(
            f"<h3>Casebook {_esc(_version())}</h3>"
            "<p>Write up calciphylaxis case reports offline: a structured case, a cited assessment and a "
            "de-identified CARE manuscript.</p>"
            "<p>Everything stays on this computer, in one library file readable only by you. Every edit is "
            "saved at once and recorded in the case's audit log.</p>"
            f"{where}"
            "<p>The demo case is the patient of Smilnak et al., J Med Case Rep 2022;16:18 (CC BY 4.0).</p>"
            "<p><b>Licences of the software Casebook ships with</b> (select one to read it):</p>")
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        self.licences = bundled()
        self.table = QTableWidget(len(self.licences), 3)
        self.table.setHorizontalHeaderLabels(["Package", "Version", "Licence"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for n, lic in enumerate(self.licences):
            for col, text in enumerate((lic.name, lic.version, lic.licence)):
                self.table.setItem(n, col, QTableWidgetItem(text))
        lay.addWidget(self.table, 1)
        self.licence_text = QPlainTextEdit()
        self.licence_text.setReadOnly(True)
        lay.addWidget(self.licence_text, 2)
        self.table.itemSelectionChanged.connect(self._show_licence)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("m") * 60, self.fontMetrics().height() * 34)
        if self.licences:
            self.table.selectRow(0)

    def _show_licence(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            lic = self.licences[rows[0].row()]
            self.licence_text.setPlainText(lic.text or f"{lic.name} {lic.version}: {lic.licence} (the package "
                                                       "ships no licence file; see its project page).")


def show_about(parent: QWidget | None, library_path: str = "") -> "AboutDialog":
    dlg = AboutDialog(parent, library_path)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.open()
    if parent is not None:
        parent.last_about_dialog = dlg  # type: ignore[attr-defined]
    return dlg


def show_disclaimer(parent: QWidget | None) -> None:
    from ..core.types import DISCLAIMER
    box = QMessageBox(QMessageBox.Icon.Information, "About the assessment",
                      "<b>The assessment is decision support for documentation, not a diagnosis.</b>",
                      QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(
        DISCLAIMER + "\n\nEach finding names the recorded values it used, with their units and times, "
        "and the published sources it rests on. Findings flag what to check or document; they never "
        "replace clinical judgement.")
    box.exec()


class NewCaseDialog(QDialog):
    """Asks for a new case's working title: the report's title (Manuscript \u25b8 Title) from the
    start, so the case is never an anonymous "Untitled case report" in the list."""

    def __init__(self, parent: QWidget | None = None):
        from PySide6.QtWidgets import QLineEdit
        super().__init__(parent)
        self.setObjectName("new_case")
        self.setWindowTitle("New case")
        lay = QVBoxLayout(self)
        label = QLabel("&Working title:")
        self.title = QLineEdit()
        self.title.setAccessibleName("Working title")
        self.title.setPlaceholderText("e.g. Calciphylaxis of the penis: a case report")
        self.title.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        label.setBuddy(self.title)
        hint = QLabel("You can change it at any time under Manuscript \u25b8 Title. CARE 1 asks for the area "
                      "of focus and \u201ccase report\u201d in the title.")
        hint.setWordWrap(True)
        # made inside the dialog: a default button set while its box has no dialog yet is not the
        # dialog's default, and Enter in the title then pressed Cancel
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.create = buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for w in (label, self.title, hint, buttons):
            lay.addWidget(w)
        self.title.setFocus()  # typing goes to the title (the buttons were made first, and a space pressed Create)

    def working_title(self) -> str:
        return " ".join(self.title.text().split())


def ask_working_title(parent: QWidget | None) -> str | None:
    """The working title typed for a new case ("" when left empty), or None when cancelled."""
    dlg = NewCaseDialog(parent)
    return dlg.working_title() if dlg.exec() == QDialog.DialogCode.Accepted else None


def ask_library_problem(parent: QWidget | None, message: str, *, can_cancel: bool) -> str | None:
    """A library could not be opened: say why, offer New or Open another. Returns "new", "open" or
    None (cancel / quit)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Casebook cannot open the library", message,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("library_problem")
    box.setInformativeText("Nothing was changed in that file. You can create a new library or open "
                           "another one.")
    new = box.addButton("New library…", QMessageBox.ButtonRole.AcceptRole)
    other = box.addButton("Open another…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Cancel" if can_cancel else "Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(other)
    box.exec()
    clicked = box.clickedButton()
    if clicked is new:
        return "new"
    if clicked is other:
        return "open"
    return None


def local_time(when: dt.datetime) -> str:
    """A backup's time for the user, in this computer's time zone: "Monday 3 June 2024, 10:42"."""
    local = when.astimezone()
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"


def ask_damaged_library(parent: QWidget | None, library_path, problem: str, backup=None, backup_time=None, *,
                        can_cancel: bool, backups_found: int = 0) -> str | None:
    """A damaged library: say so plainly, name the newest good backup, offer to restore it.
    Returns "restore", "open" or None (quit / cancel)."""
    from pathlib import Path
    path = Path(library_path)
    box = QMessageBox(QMessageBox.Icon.Critical, "The library is damaged",
                      f"<b>The library {_esc(path.name)} is damaged.</b> Casebook did not change it.",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("damaged_library")
    if backup is not None:
        when = local_time(backup_time) if backup_time is not None else "an unknown time"
        info = (f"The newest good backup was made on {when}:\n{backup}\n\n"
                "Restoring puts this backup in place of the library. Edits made after that time are not in "
                f"it. The damaged file is kept beside it, unchanged, as {path.name}.before-restore-….")
    elif backups_found:
        info = (f"None of the {backups_found} backups of it passes the integrity check, so there is no "
                "good backup to restore. Open another library, or ask your IT department to recover the file.")
    else:
        info = ("There is no backup of it. Open another library, or ask your IT department to recover the "
                "file from the computer's own backups.")
    box.setInformativeText(info)
    box.setDetailedText(f"{path}\n\n{problem}")
    restore = None
    if backup is not None:
        restore = box.addButton("Restore this backup", QMessageBox.ButtonRole.AcceptRole)
        restore.setAccessibleName("Restore the newest good backup")
    other = box.addButton("Open another library…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Cancel" if can_cancel else "Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore or other)
    if parent is not None:
        parent.last_damaged_dialog = box  # type: ignore[attr-defined]
    box.exec()
    clicked = box.clickedButton()
    if restore is not None and clicked is restore:
        return "restore"
    if clicked is other:
        return "open"
    return None


class ProblemsDialog(QDialog):
    """Every problem of an invalid case file, each with its JSON path, selectable and copyable."""

    def __init__(self, title: str, intro: str, problems: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("problems_dialog")
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        label = QLabel(intro)
        label.setWordWrap(True)
        lay.addWidget(label)
        self.text = QPlainTextEdit("\n".join(problems))
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Problems found")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lay.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("m") * 70, self.fontMetrics().height() * 22)


# --- PHI hits ------------------------------------------------------------------------------------

# The scan and its exception are the operations layer's (desktop.app.export); the window shows them.
from ..app.export import PhiFound as NeedsReview  # noqa: E402,F401
from ..app.export import ScanUnavailable, check_phi, hit_key  # noqa: E402,F401


def review_phi_hits(parent: QWidget | None, hits: Sequence, confirmed: set, *, purpose: str, go_to) -> str:
    """Show the scan's hits. The author fixes a field (``go_to(field)`` is called; ""), confirms each
    hit as not identifying (added to ``confirmed``; "again": export again), or has every hit replaced
    by its class in brackets in the exported copy ("redact": export again, redacted)."""
    dlg = PhiHitsDialog(hits, parent, purpose=purpose)
    if parent is not None:
        parent.last_phi_dialog = dlg  # type: ignore[attr-defined]
    dlg.exec()
    if dlg.goto_field:
        go_to(dlg.goto_field)
        return ""
    if dlg.result() != QDialog.DialogCode.Accepted.value:
        return ""
    if dlg.redact:
        return "redact"
    confirmed.update(hit_key(h) for h in dlg.confirmed())
    return "again"


def field_label(field: str) -> str:
    """``manuscript.discussion`` → "manuscript › discussion" (ids left out)."""
    import re
    clean = re.sub(r"\[[^\]]*\]", "", field.replace("$.", ""))
    return " › ".join(p.replace("_", " ") for p in re.split(r"[./]", clean) if p)


class PhiHitsDialog(QDialog):
    """The PHI scan's hits before a de-identified export: fix a field, or confirm each hit as not
    identifying and continue. After ``exec()``: ``goto_field`` is the field to fix (or None), and
    :meth:`confirmed` lists the hits the author confirmed."""

    def __init__(self, hits: Sequence, parent: QWidget | None = None, *, purpose: str = "export"):
        super().__init__(parent)
        self.setObjectName("phi_hits_dialog")
        self.setWindowTitle("Possible identifiers found")
        self.hits = list(hits)
        self.goto_field: str | None = None
        self.redact = False
        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        n = len(self.hits)
        intro = QLabel(
            f"The free-text scan found {n} possible identifier{'s' if n != 1 else ''} that would reach "
            f"the de-identified {purpose}. Fix each one in its field (Go to field), tick “Not "
            "identifying” when you are sure it does not identify the patient, or replace them all with "
            "placeholders such as [name] and [date] in the exported copy (your case keeps its text).")
        intro.setWordWrap(True)
        lay.addWidget(intro)

        self.table = QTableWidget(n, 4)
        self.table.setHorizontalHeaderLabels(["Field", "Kind", "Text found", "Not identifying"])
        self.table.setAccessibleName("Possible identifiers")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        try:
            from ..privacy.phi import KIND_LABELS
        except ImportError:
            KIND_LABELS = {}
        for row, hit in enumerate(self.hits):
            kind = KIND_LABELS.get(hit.kind, hit.kind.replace("_", " "))
            for col, text in enumerate((field_label(hit.field), kind, hit.text)):
                item = QTableWidgetItem(text)
                item.setToolTip(hit.field if col == 0 else text)
                self.table.setItem(row, col, item)
            check = QTableWidgetItem("")
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                           | Qt.ItemFlag.ItemIsSelectable)
            check.setCheckState(Qt.CheckState.Unchecked)
            check.setData(Qt.ItemDataRole.AccessibleTextRole, "Not identifying")
            self.table.setItem(row, 3, check)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table, 1)

        self.buttons = QDialogButtonBox()
        self.goto_button = self.buttons.addButton("Go to field", QDialogButtonBox.ButtonRole.ActionRole)
        self.goto_button.setAccessibleName("Go to the field of the selected identifier")
        self.redact_button = self.buttons.addButton("Replace all with placeholders",
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.redact_button.setAccessibleName("Export with each possible identifier replaced by its class")
        self.redact_button.clicked.connect(self._redact)
        self.continue_button = self.buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setAccessibleName("Continue with the export")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.goto_button.clicked.connect(self._goto)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.itemChanged.connect(lambda _i: self._update())
        self.table.itemSelectionChanged.connect(self._update)
        self.table.cellDoubleClicked.connect(lambda r, c: c != 3 and self._goto())
        lay.addWidget(self.buttons)
        self.status = QLabel("")
        lay.addWidget(self.status)
        self.resize(self.fontMetrics().horizontalAdvance("m") * 72, self.fontMetrics().height() * 22)
        if n:
            self.table.selectRow(0)
        self._update()

    def set_confirmed(self, row: int, confirmed: bool = True) -> None:
        self.table.item(row, 3).setCheckState(Qt.CheckState.Checked if confirmed else Qt.CheckState.Unchecked)

    def confirmed(self) -> list:
        return [h for r, h in enumerate(self.hits) if self.table.item(r, 3).checkState() == Qt.CheckState.Checked]

    def _update(self) -> None:
        left = len(self.hits) - len(self.confirmed())
        self.continue_button.setEnabled(left == 0)
        self.goto_button.setEnabled(bool(self.table.selectedItems()))
        self.status.setText("All hits confirmed as not identifying." if left == 0 else
                            f"{left} hit{'s' if left != 1 else ''} still to fix or confirm.")

    def _redact(self) -> None:
        self.redact = True
        self.done(QDialog.DialogCode.Accepted)

    def _goto(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if rows:
            self.goto_field = self.hits[min(rows)].field
            self.done(QDialog.DialogCode.Rejected)


# --- audit log -------------------------------------------------------------------------------------

def _local_time(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def _value(text: str | None, limit: int = 160) -> str:
    if text is None:
        return "—"
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    if isinstance(value, str):
        out = value
    elif value is None:
        out = "—"
    else:
        out = json.dumps(value, ensure_ascii=False)
    return out if len(out) <= limit else out[: limit - 1] + "…"


class AuditDialog(QDialog):
    """Case ▸ Audit log…: every recorded change of a case, oldest first."""

    COLUMNS = ["When", "User", "Entity", "Field", "Old → new"]

    def __init__(self, entries: Sequence, case_title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("audit_dialog")
        self.setWindowTitle(f"Audit log — {case_title or 'Untitled case'}")
        lay = QVBoxLayout(self)
        lay.setSpacing(8)
        intro = QLabel(f"{len(entries)} recorded change{'s' if len(entries) != 1 else ''}, oldest first. "
                       "The log is append-only: the library refuses to change or delete its entries.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = QTableWidget(len(entries), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Audit log entries")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        for row, e in enumerate(entries):
            entity = e.entity if not e.entity_id or e.entity == "case" else f"{e.entity}/{e.entity_id}"
            change = f"{_value(e.old)} → {_value(e.new)}"
            cells = (_local_time(e.at), e.os_user, entity, e.field, change)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 4:
                    item.setToolTip(f"old: {_value(e.old, 2000)}\nnew: {_value(e.new, 2000)}")
                self.table.setItem(row, col, item)
        hdr = self.table.horizontalHeader()
        for col in range(4):
            hdr.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        if entries:
            self.table.scrollToBottom()
        lay.addWidget(self.table, 1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QDialogButtonBox()
        buttons.addButton(close, QDialogButtonBox.ButtonRole.AcceptRole)
        lay.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("m") * 90, self.fontMetrics().height() * 28)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the trash ---------------------------------------------------------------------------------------

class TrashDialog(QDialog):
    """Case ▸ Trash: the cases deleted from this library, newest first. Restore brings the selected
    one back (undoable); Empty trash deletes them all for good, after asking."""

    restored = Signal(str)  # the id of a case brought back

    def __init__(self, book, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trash_dialog")
        self.setWindowTitle("Trash")
        self.book = book
        lay = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Case", "Deleted (UTC)"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.ActionRole)
        self.empty_button = buttons.addButton("&Empty trash…", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.restore_button.clicked.connect(self.restore_selected)
        self.empty_button.clicked.connect(self.empty)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._update)
        self.resize(self.fontMetrics().horizontalAdvance("m") * 50, self.fontMetrics().height() * 18)
        self.refresh()

    def refresh(self) -> None:
        from .workers import wait_off_thread
        self.rows = wait_off_thread(lambda _p: self.book.read_trash(), label="Reading the trash")
        self.table.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            self.table.setItem(n, 0, QTableWidgetItem(r.title or "Untitled case"))
            self.table.setItem(n, 1, QTableWidgetItem(r.trashed_at[:16].replace("T", " ")))
        if self.rows:
            self.table.selectRow(0)
        self.intro.setText("Deleted cases stay here, with their images, until the trash is emptied."
                           if self.rows else "The trash is empty.")
        self._update()

    def _update(self) -> None:
        self.restore_button.setEnabled(bool(self.table.selectedItems()) and not self.book.read_only)
        self.empty_button.setEnabled(bool(self.rows) and not self.book.read_only)

    def restore_selected(self) -> str | None:
        from ..store.library import LibraryError
        sel = self.table.selectionModel().selectedRows()
        if not sel:
            return None
        cid = self.rows[sel[0].row()].id
        try:
            self.book.restore_case(cid)
        except LibraryError as exc:
            QMessageBox.warning(self, "Restore case", str(exc))
            return None
        self.refresh()
        self.restored.emit(cid)
        return cid

    def empty(self) -> int:
        n = len(self.rows)
        answer = QMessageBox.question(
            self, "Empty trash", f"Delete the {n} case{'s' if n != 1 else ''} in the trash for good? "
            "This cannot be undone; backups made before keep them.")
        if answer != QMessageBox.StandardButton.Yes:
            return 0
        from ..store.library import LibraryError
        try:
            done = self.book.empty_trash()
        except LibraryError as exc:
            QMessageBox.warning(self, "Empty trash", str(exc))
            return 0
        self.refresh()
        return done
