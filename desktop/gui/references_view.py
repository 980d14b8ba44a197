"""The case's references in the Manuscript section: imported from the files reference managers write
(RIS, BibTeX, CSL-JSON, PubMed .nbib — by the Import button or by dropping the files on the list),
listed with the number each gets in the text, deleted; and the picker that puts a citation marker
``[@key]`` into the text at the cursor.

Every change goes through the session (one step of the operations layer each, undoable): an import
is :func:`desktop.app.references.import_references`; a deletion, the session's delete. Nothing is
looked up online. A file that cannot be read changes nothing and is named with its line.
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QVBoxLayout, QWidget)

from .forms import ERROR_COLOUR, hint_label
from .tables import Column, ItemTable

SUFFIXES = (".ris", ".bib", ".json", ".nbib")  # what Zotero, EndNote, Mendeley and PubMed export
FILE_FILTER = "Reference files (*.ris *.bib *.json *.nbib);;RIS (*.ris);;BibTeX (*.bib);;CSL-JSON (*.json);;" \
              "PubMed / MEDLINE (*.nbib);;All files (*)"


def reference_files(mime) -> list[Path]:
    """The local reference files among dropped URLs (by their suffix)."""
    if not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            p = Path(url.toLocalFile())
            if p.suffix.lower() in SUFFIXES:
                out.append(p)
    return out


def first_author(ref) -> str:
    if not ref.authors:
        return ""
    from ..references.merge import family_of
    return family_of(ref.authors[0]) + (" et al." if len(ref.authors) > 1 else "")


def marker_for(keys: list[str]) -> str:
    """The readable text form of a citation: ``[@smith2019]`` or ``[@a; @b]`` (pandoc's syntax)."""
    return "[" + "; ".join("@" + k for k in keys) + "]"


def insert_citation(area: QPlainTextEdit, keys: list[str]) -> str:
    """Put the marker for ``keys`` at the text cursor of ``area`` (a space before it when it would
    touch the word before), then save the text at once: one undo step. Returns what was inserted."""
    cursor = area.textCursor()
    if cursor.hasSelection():  # cite after the words chosen, never over them
        cursor.setPosition(cursor.selectionEnd())
    text = marker_for(keys)
    before = area.toPlainText()[:cursor.position()]
    if before and not before[-1].isspace() and before[-1] not in "([":
        text = " " + text
    cursor.insertText(text)
    area.setTextCursor(cursor)
    commit = getattr(area, "commit", None)
    if callable(commit):
        commit()
    return text


class ReferencesBox(QWidget):
    """The references of the case: a table with Import and Delete, a drop target for reference
    files, and a message line for what the last import did (merged duplicates, renamed keys) or why
    a file could not be read."""

    imported = Signal(object)  # the ImportReport of a file

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setAcceptDrops(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(hint_label("Import the file your reference manager exports (RIS, BibTeX, CSL-JSON, "
                                 "PubMed .nbib), or drop it here. Cite a reference with Cite… above a part of "
                                 "the text: the numbers follow the order of first citation."))
        self._numbers: dict[str, int] = {}
        self.table = ItemTable([
            Column("No.", lambda r: str(self._numbers.get(r.key, "")) or "—", keep=True,
                   header_tip="The number in the text (order of first citation); — when not cited"),
            Column("Key", lambda r: f"[@{r.key}]", keep=True),
            Column("Authors", first_author, max_chars=20),
            Column("Year", lambda r: str(r.year or ""), keep=True),
            Column("Title", lambda r: r.title, tooltip=self._tooltip, stretch=True),
            Column("Journal", lambda r: r.container_short or r.container, max_chars=18, optional=True),
            Column("DOI / PMID", lambda r: r.doi or (f"PMID {r.pmid}" if r.pmid else ""), max_chars=22,
                   optional=True),
        ], "reference", add_text="Import…")
        self.table.set_row_range(3, 12)
        self.table.view.setAcceptDrops(False)  # a drop on the rows reaches this box
        self.table.view.viewport().setAcceptDrops(False)
        self.table.add_button.setToolTip("Import a RIS, BibTeX, CSL-JSON or PubMed .nbib file")
        self.table.add_requested.connect(self.import_dialog)
        self.table.delete_requested.connect(self.delete_reference)
        lay.addWidget(self.table)
        # the selected reference as the chosen journal's style prints it (the list's "view")
        self.preview = QLabel("")
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("QLabel { border-left: 3px solid palette(mid); padding-left: 6px; }")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setAccessibleName("The selected reference as the journal prints it")
        self.preview.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.preview)
        self.table.selected.connect(lambda _key: self.show_preview())
        session.journal_changed.connect(self._journal_changed)
        self.message = QLabel("")
        self.message_text = ""  # the message as plain text
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("What the last reference import did")
        # room for three lines kept: a message appearing never moves the fields below
        self.message.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 4)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.message)
        self.refresh()

    @staticmethod
    def _tooltip(r) -> str:
        bits = [r.title, ", ".join(r.authors), " ".join(x for x in (r.container, str(r.year or ""), r.volume) if x)]
        if r.doi:
            bits.append(f"DOI {r.doi}")
        if r.pmid:
            bits.append(f"PMID {r.pmid}")
        return "\n".join(b for b in bits if b)

    # --- showing --------------------------------------------------------------------------------------

    def refresh(self) -> None:
        from ..references.cite import number_citations
        case = self.session.case
        self._numbers = number_citations(case).number
        self.table.set_items(case.references)
        self.show_preview()

    def _journal_changed(self, _journal_id: str) -> None:
        self.show_preview()

    def show_preview(self) -> None:
        """The selected reference in the style of the journal chosen for the case (citeproc-py,
        offline), or a line saying what the list is when nothing is selected."""
        ref = self.table.current_item()
        if ref is None:
            self.preview.setText("Select a reference to see it as the journal prints it.")
            return
        from ..journals import journal
        from ..references.cite import format_bibliography
        j = journal(self.session.journal_id)
        try:
            entry = format_bibliography([ref], j.csl_style)[0]
        except Exception as exc:  # a style that cannot format this item must not break the list
            entry = f"(cannot be formatted in the {j.csl_style} style: {exc})"
        self.preview.setText(f"As {j.name} prints it: {entry}")

    def focus(self, reference_id: str) -> bool:
        return self.table.select(reference_id)

    def _say(self, text: str, error: bool = False, lines: list[tuple[str, bool]] | None = None) -> None:
        """Show ``text`` (red when ``error``), or ``lines`` of (text, is_error) each in its colour."""
        lines = lines if lines is not None else [(text, error)]
        self.message.setText("<br>".join(f"<span style='color:{ERROR_COLOUR}'>{html.escape(t)}</span>" if bad
                                         else html.escape(t) for t, bad in lines))
        self.message_text = "\n".join(t for t, _ in lines)
        self.message.setAccessibleDescription(self.message_text)

    # --- importing ------------------------------------------------------------------------------------

    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import references", str(Path.home()), FILE_FILTER)
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> list:
        """Import each file (each one undo step); the message line says what each did. Returns the
        ImportReports of the files read."""
        from ..app.editing import EditRefused
        from ..references.parse import ParseError
        from ..store.library import LibraryError
        if self.session.read_only:
            self._say("The library is open read-only: references cannot be imported.", error=True)
            return []
        reports, lines = [], []
        for p in paths:
            try:
                report = self.session.import_references(p)
            except ParseError as exc:  # names the file and the line
                lines.append((f"Not imported: {exc}", True))
                continue
            except (OSError, UnicodeDecodeError) as exc:
                lines.append((f"Not imported: {p.name} could not be read ({exc}).", True))
                continue
            except (LibraryError, EditRefused) as exc:
                lines.append((f"Not imported: {p.name}: {exc}", True))
                continue
            reports.append(report)
            lines.append((report.summary() + ".", False))
            lines.extend((m, False) for m in report.messages)
            self.imported.emit(report)
        self._say("", lines=lines)
        self.refresh()
        return reports

    def dragEnterEvent(self, ev) -> None:  # noqa: N802 (Qt's name)
        if reference_files(ev.mimeData()) and not self.session.read_only:
            ev.acceptProposedAction()
        else:
            ev.ignore()

    def dragMoveEvent(self, ev) -> None:  # noqa: N802
        self.dragEnterEvent(ev)

    def dropEvent(self, ev) -> None:  # noqa: N802
        paths = reference_files(ev.mimeData())
        if not paths:
            ev.ignore()
            return
        ev.acceptProposedAction()
        self.import_files(paths)

    # --- deleting -------------------------------------------------------------------------------------

    def delete_reference(self, reference_id: str) -> bool:
        ref = next((r for r in self.session.case.references if r.id == reference_id), None)
        if ref is None:
            return False
        ok = self.session.delete_item("references", reference_id, f"Delete reference [@{ref.key}]")
        if ok:
            cited = ref.key in self._numbers
            self._say(f"Deleted [@{ref.key}] (Edit ▸ Undo brings it back)."
                      + (" The text still cites it: its markers now name no reference." if cited else ""))
        self.refresh()
        return ok


class CitationPicker(QDialog):
    """Choose the reference(s) to cite: a filter, the list (several may be chosen), Insert."""

    def __init__(self, references: list, numbers: dict[str, int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Insert citation")
        self.setObjectName("citation_picker")
        lay = QVBoxLayout(self)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by author, year, title or key")
        self.filter.setAccessibleName("Filter references")
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setAccessibleName("References to cite")
        self.list.setWordWrap(True)
        self.list.setStyleSheet("QListWidget::item { padding: 3px 0; }")
        for r in references:
            n = numbers.get(r.key)
            who = " ".join(x for x in (first_author(r), str(r.year or "")) if x)
            text = f"[@{r.key}]  {who} — {r.title}" + (f"  (cited as {n})" if n else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, r.key)
            item.setToolTip(ReferencesBox._tooltip(r))
            self.list.addItem(item)
        self.empty = QLabel("The case has no references yet: import a file in References (Manuscript section) "
                            "first.")
        self.empty.setWordWrap(True)
        self.empty.setVisible(not references)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.insert_button = self.buttons.addButton("Insert", QDialogButtonBox.ButtonRole.AcceptRole)
        self.insert_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemSelectionChanged.connect(
            lambda: self.insert_button.setEnabled(bool(self.list.selectedItems())))
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self._take_first)
        lay.addWidget(self.filter)
        lay.addWidget(self.empty)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.buttons)
        self.resize(560, 380)

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        for i in range(self.list.count()):
            item = self.list.item(i)
            hay = (item.text() + " " + item.toolTip()).casefold()
            item.setHidden(not all(w in hay for w in words))

    def _take_first(self) -> None:
        if not self.list.selectedItems():
            shown = [self.list.item(i) for i in range(self.list.count()) if not self.list.item(i).isHidden()]
            if shown:
                shown[0].setSelected(True)
        if self.list.selectedItems():
            self.accept()

    def keys(self) -> list[str]:
        """The chosen citation keys, in the list's order."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).isSelected()]
