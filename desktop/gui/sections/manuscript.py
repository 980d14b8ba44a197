"""The Manuscript section: the consent for publication first (a submission stands or falls by it, and
every consent finding of the assessment leads here), then title, authors, keywords, the abstract and
every part of the text — each with its CARE checklist item (resources/catalogues/care.json), a live
word count and a Cite… button that puts a citation marker at the cursor — the declarations, and
the references (imported from reference-manager files, :mod:`desktop.gui.references_view`)."""
from __future__ import annotations

import re
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from ... import catalogue
from ...model import Author, ConsentGiver
from ..binding import PartForm
from ..fields import CheckField, ChoiceCombo, LineField, LinesArea, TextArea
from ..formatting import choices_of, word_count
from ..forms import SPACING, FieldError, StatusLine, group, heading, hint_label, reveal, scroll_page, set_muted
from ..list_editor import ListEditor
from ..references_view import CitationPicker, ReferencesBox, insert_citation
from ..session import CaseSession
from ..tables import Column

NOTICE_COLOUR = "#8a5300"
ORCID = re.compile(r"^(https://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# (attribute, label, CARE items, lines): the narrative in the order of the manuscript
ABSTRACT = [
    ("abstract_background", "Background", ("3a",), 4),
    ("abstract_case", "Case presentation", ("3b", "3c"), 5),
    ("abstract_conclusions", "Conclusions", ("3d",), 3),
]
MAIN_TEXT = [
    ("introduction", "Introduction", ("4",), 6),
    ("clinical_findings", "Clinical findings", ("6",), 5),
    ("diagnostic_assessment", "Diagnostic assessment", ("8a", "8b", "8c", "8d"), 5),
    ("therapeutic_intervention", "Therapeutic intervention", ("9a", "9b", "9c"), 5),
    ("follow_up", "Follow-up and outcomes", ("10a", "10b", "10c", "10d"), 5),
    ("discussion", "Discussion", ("11a", "11b", "11c"), 8),
    ("conclusions", "Conclusions", ("11d",), 3),
    ("patient_perspective", "Patient perspective", ("12",), 3),
]
DECLARATIONS = [
    ("ethics", "Ethics approval and consent", ("13",), 2),
    ("competing_interests", "Competing interests", (), 2),
    ("funding", "Funding", (), 2),
    ("data_availability", "Availability of data", (), 2),
    ("acknowledgements", "Acknowledgements", (), 2),
]


@cache
def care_items() -> dict[str, dict]:
    """CARE checklist items by id ("3a" -> {"topic", "text"}); empty when the catalogue is missing
    or unreadable, so the section still works (hints then name the item only)."""
    try:
        return {i["id"]: i for i in catalogue.load_json("catalogues", "care.json")["items"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def care_hint(ids: tuple[str, ...]) -> str:
    if not ids:
        return ""
    items = care_items()
    parts = []
    for i in ids:
        item = items.get(i)
        parts.append(f"{i} {item['text']}" if item else i)
    return "CARE " + "; ".join(parts)


def split_keywords(text: str) -> list[str]:
    return [k.strip() for k in re.split(r"[;,\n]", text) if k.strip()]


def title_notice(title: str) -> str:
    if not title.strip():
        return "CARE 1: give a title naming the area of focus and \u201ccase report\u201d."
    if "case report" not in title.lower():
        return "CARE 1: the title should contain \u201ccase report\u201d."
    return ""


def keywords_notice(keywords: list[str]) -> str:
    n = len(keywords)
    if 2 <= n <= 5:
        return f"{n} keywords"
    return f"{n} keyword{'s' if n != 1 else ''} \u2014 CARE 2 asks for two to five"


def _notice_line(name: str, lines: int = 1) -> StatusLine:
    """A notice under a field in room kept for it (empty while there is nothing to say), so it
    coming, going or wrapping never moves the form below (issue 16)."""
    lab = StatusLine(name, lines=lines)
    lab.setStyleSheet(f"color: {NOTICE_COLOUR};")
    return lab


class NarrativeField(QWidget):
    """One part of the text: its title, its CARE item, a live word count, and the text itself; a
    Cite… button (``cite_requested``) for the parts that cite references."""

    cite_requested = Signal()

    def __init__(self, label: str, care: tuple[str, ...], lines: int, area: TextArea | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.area = area or TextArea(label, lines=lines, grow=24)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        top = QHBoxLayout()
        top.setSpacing(SPACING)
        self.title = QLabel(f"<b>{label}</b>")
        self.title.setBuddy(self.area)
        top.addWidget(self.title)
        self.hint = QLabel(care_hint(care))
        self.hint.setWordWrap(True)
        set_muted(self.hint)
        top.addWidget(self.hint, 1)
        self.count = QLabel()
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        set_muted(self.count)
        top.addWidget(self.count, 0, Qt.AlignmentFlag.AlignTop)
        self.cite = None
        if not isinstance(self.area, LinesArea):
            self.cite = QToolButton()
            self.cite.setText("Cite…")
            self.cite.setToolTip(f"Insert a citation of a reference at the cursor in {label}")
            self.cite.setAccessibleName(f"Insert a citation in {label}")
            self.cite.clicked.connect(self.cite_requested.emit)
            top.addWidget(self.cite, 0, Qt.AlignmentFlag.AlignTop)
            # the editor's own menu offers it too (right click, or the menu key while typing)
            self.area.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.area.customContextMenuRequested.connect(self._show_menu)
        lay.addLayout(top)
        lay.addWidget(self.area)
        self.error = FieldError()
        lay.addWidget(self.error)
        if care:
            self.area.setAccessibleDescription(self.hint.text())
            self.area.setToolTip(self.hint.text())
        self.area.textChanged.connect(self.update_count)
        self.update_count()

    def set_citable(self, citable: bool) -> None:
        """Whether this part cites references (the declarations do not)."""
        if self.cite is not None:
            self.cite.setVisible(citable)
            self.area.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu if citable
                                           else Qt.ContextMenuPolicy.DefaultContextMenu)

    def context_menu(self, pos) -> QMenu:
        """The editor's standard menu with "Insert citation…" added (``pos`` in viewport coordinates)."""
        menu = self.area.createStandardContextMenu(pos)
        menu.addSeparator()
        act = menu.addAction("Insert &citation…")
        act.setObjectName("insert_citation")
        act.triggered.connect(self.cite_requested.emit)
        return menu

    def _show_menu(self, pos) -> None:
        menu = self.context_menu(pos)
        menu.exec(self.area.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def words(self) -> int:
        return word_count(self.area.toPlainText())

    def update_count(self) -> None:
        if isinstance(self.area, LinesArea):
            n = len(self.area.value())
            text = f"{n} reference{'s' if n != 1 else ''}"
        else:
            n = self.words()
            text = f"{n} word{'s' if n != 1 else ''}"
        self.count.setText(text)
        self.count.setAccessibleName(f"{self.label}: {text}")


class ManuscriptSection(QWidget):
    def __init__(self, session: CaseSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.form = PartForm(session)
        self.manuscript: dict[str, NarrativeField] = {}
        page = scroll_page(self)
        page.addWidget(heading("Manuscript"))
        page.addWidget(hint_label("The text of the case report. Each part shows the CARE checklist item it "
                                  "answers and its word count; everything is saved as you type."))
        page.addWidget(self._build_consent())
        page.addWidget(self._build_title())
        page.addWidget(self._build_authors())
        page.addWidget(self._build_texts("Abstract", ABSTRACT))
        page.addWidget(self._build_texts("Main text", MAIN_TEXT))
        page.addWidget(self._build_declarations())
        page.addWidget(self._build_references())
        self.last_picker: CitationPicker | None = None
        page.addStretch(1)
        session.changed.connect(self._changed)
        self.setAcceptDrops(True)  # reference files dropped anywhere on the section are imported
        self.refresh()

    # --- dropping reference files ----------------------------------------------------------------

    def dragEnterEvent(self, ev) -> None:  # noqa: N802 (Qt's name)
        self.references.dragEnterEvent(ev)

    def dragMoveEvent(self, ev) -> None:  # noqa: N802
        self.references.dragEnterEvent(ev)

    def dropEvent(self, ev) -> None:  # noqa: N802
        self.references.dropEvent(ev)
        if ev.isAccepted():
            reveal(self.references.table.view)  # show what the drop added

    # --- building ------------------------------------------------------------------------------

    def _build_title(self) -> QGroupBox:
        box, form = group("Title and keywords")
        self.title = LineField("Title", placeholder="e.g. Calciphylaxis of the penis: a case report")
        err = FieldError()
        self.form.add(form, "case", "title", "Title", self.title, error=err, tip=care_hint(("1",)))
        self.title_notice = _notice_line("Title notice", lines=2)  # two lines: it wraps in a narrow window
        form.addRow("", self.title_notice)
        self.title.textChanged.connect(lambda t: self._show_title_notice(t))
        self.short_title = self.form.add(form, "case", "short_title", "Short title",
                                         LineField("Short title", placeholder="running head"))
        self.keywords = LineField("Keywords", placeholder="two to five, separated by commas")
        self.form.add(form, "case", "keywords", "Keywords", self.keywords, tip=care_hint(("2",)),
                      convert=split_keywords, present=lambda ks: ", ".join(ks))
        self.keywords_notice = _notice_line("Keywords notice")
        self.keywords.textChanged.connect(lambda t: self._show_keywords_notice(split_keywords(t)))
        form.addRow("", self.keywords_notice)
        return box

    def _build_authors(self) -> QGroupBox:
        box = QGroupBox("Authors")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        self.authors = ListEditor(self.session, [
            Column("Name", lambda a: a.name, width_chars=24),
            Column("Affiliations", lambda a: "; ".join(a.affiliations), tooltip=lambda a: "\n".join(a.affiliations),
                   width_chars=30),
            Column("E-mail", lambda a: a.email),
            Column("ORCID", lambda a: a.orcid),
            Column("Corresponding", lambda a: "yes" if a.corresponding else ""),
            Column("Contribution", lambda a: a.contribution, tooltip=lambda a: a.contribution, stretch=True),
        ], "author", lambda: Author(), embedded=(lambda c: c.authors, self._put_authors), rows=2)
        ed = self.authors
        ed.add_field("Name", "name", LineField("Author name"))
        ed.add_field("Affiliations", "affiliations", LinesArea("Affiliations", lines=2, placeholder="one per line"))
        ed.add_field("E-mail", "email", LineField("Author e-mail"),
                     validate=lambda v: None if not v or EMAIL.match(v) else f"{v!r} is not an e-mail address")
        ed.add_field("ORCID", "orcid", LineField("ORCID", placeholder="0000-0000-0000-0000"),
                     validate=lambda v: None if not v or ORCID.match(v.strip()) else
                     f"{v!r} is not an ORCID iD (four groups of four digits, e.g. 0000-0002-1825-0097)")
        ed.add_field("Corresponding", "corresponding", CheckField("corresponding author", "Corresponding author"))
        ed.add_field("Contribution", "contribution", LineField("Contribution", placeholder="what this author did"))
        lay.addWidget(ed)
        return box

    def _put_authors(self, authors: list) -> bool:
        return self.session.set_case_fields(text="Edit authors", authors=authors)

    def _manuscript_field(self, attr: str, label: str, care: tuple[str, ...], lines: int,
                         area: TextArea | None = None) -> NarrativeField:
        nf = NarrativeField(label, care, lines, area)
        self.form.add(None, "manuscript", attr, label, nf.area, error=nf.error)
        nf.cite_requested.connect(lambda n=nf: self.cite(n))
        self.manuscript[attr] = nf
        return nf

    def _build_texts(self, title: str, fields: list) -> QGroupBox:
        box = QGroupBox(title)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        lay.setSpacing(SPACING + 2)
        for attr, label, care, lines in fields:
            lay.addWidget(self._manuscript_field(attr, label, care, lines))
        if title == "Abstract":
            self.abstract_total = QLabel()
            set_muted(self.abstract_total)
            self.abstract_total.setAlignment(Qt.AlignmentFlag.AlignRight)
            lay.addWidget(self.abstract_total)
            for attr, *_ in ABSTRACT:
                self.manuscript[attr].area.textChanged.connect(self._update_abstract_total)
        return box

    def _build_consent(self) -> QGroupBox:
        consent_box, form = group("Consent for publication (CARE 13)")
        consent_box.setObjectName("consent_box")
        f = self.form
        self.consent_given_by = f.add(form, "consent", "given_by", "Given by", ChoiceCombo(
            [(v, {"none": "not recorded", "next_of_kin": "next of kin"}.get(v, v)) for v, _ in choices_of(ConsentGiver)],
            "Consent given by"), tip="For a deceased patient, consent comes from the next of kin.")
        date = LineField("Consent date", placeholder="YYYY-MM-DD")
        date.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000-00-00") * 2 + 20)
        f.add(form, "consent", "date", "Date signed", date, convert=lambda v: v.strip() or None,
              present=lambda v: v or "")
        f.add(form, "consent", "covers_images", "Images", CheckField("the consent covers the images",
                                                                     "Consent covers the images"))
        f.add(form, "consent", "note", "Note", TextArea("Consent note", lines=2))
        self.consent_wording = QLabel()  # the journal's model wording: changes only with the journal
        self.consent_wording.setWordWrap(True)
        self.consent_wording.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_muted(self.consent_wording)
        # what this manuscript prints changes with each consent field: in room kept for it, so that
        # picking who gave the consent never moves the form below
        self.consent_printed = StatusLine("Consent statement this manuscript prints", lines=4)
        set_muted(self.consent_printed)
        statement = QWidget()
        sl = QVBoxLayout(statement)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.setSpacing(2)
        sl.addWidget(self.consent_wording)
        sl.addWidget(self.consent_printed)
        form.addRow("Statement:", statement)
        self.session.journal_changed.connect(self._show_consent_wording)
        self.consent_box = consent_box
        return consent_box

    def _build_declarations(self) -> QGroupBox:
        box = QGroupBox("Declarations")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        lay.setSpacing(SPACING + 2)
        for attr, label, care, lines in DECLARATIONS:
            nf = self._manuscript_field(attr, label, care, lines)
            nf.set_citable(False)  # declarations cite nothing: the picker stays with the abstract and the text
            lay.addWidget(nf)
        return box

    def _build_references(self) -> QGroupBox:
        box = QGroupBox("References")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        self.references = ReferencesBox(self.session)
        lay.addWidget(self.references)
        # the list typed by hand that manuscripts carried before references could be imported; the
        # report prints it only when the case has no imported references
        area = LinesArea("Reference list typed by hand", lines=3, grow=30,
                         placeholder="one reference per line, in citation order (used only when no references "
                                     "are imported above)")
        nf = self._manuscript_field("references", "Reference list typed by hand", ("4", "11b"), 3, area)
        lay.addWidget(nf)
        return box

    # --- refreshing ------------------------------------------------------------------------------

    def _changed(self, part: str) -> None:
        if part in ("manuscript", "consent", "case"):
            self.refresh()
        if part in ("references", "manuscript"):  # the numbers follow the text
            self.references.refresh()

    def refresh(self) -> None:
        self.form.load()
        self.authors.refresh()
        self._show_title_notice(self.title.text())
        self._show_keywords_notice(split_keywords(self.keywords.text()))
        self._update_abstract_total()
        self._show_consent_wording()

    def _show_consent_wording(self, *_journal) -> None:
        """The chosen journal's model wording (its profile's), if it sets one, and the statement this
        manuscript prints from what is recorded (nothing while the consent is not recorded): the
        model's "from the patient … and accompanying images" is not what a next of kin's consent
        without the images prints."""
        from ...journals import journal
        from ...report.consent import consent_statement
        j = journal(self.session.journal_id)
        model = j.consent_statement
        self.consent_wording.setText(f"{j.name}'s model wording: “{model}”" if model else
                                     f"{j.name} sets no wording of its own for the consent statement.")
        consent = self.session.case.consent
        self.consent_printed.set_message(
            f"This manuscript prints: “{consent_statement(consent)}”" if consent.recorded else
            "This manuscript prints no consent statement until the consent is recorded; a final export is "
            "refused without it.")

    def _show_title_notice(self, title: str) -> None:
        self.title_notice.set_message(title_notice(title))

    def _show_keywords_notice(self, keywords: list[str]) -> None:
        text = keywords_notice(keywords)
        ok = 2 <= len(keywords) <= 5
        self.keywords_notice.set_message(text)
        self.keywords_notice.setStyleSheet("" if ok else f"color: {NOTICE_COLOUR};")
        if ok:
            set_muted(self.keywords_notice)

    def _update_abstract_total(self) -> None:
        n = sum(self.manuscript[a].words() for a, *_ in ABSTRACT)
        self.abstract_total.setText(f"Abstract: {n} words in all")

    # --- citing --------------------------------------------------------------------------------------

    def cite(self, nf: NarrativeField) -> CitationPicker:
        """Open the picker for ``nf``; the chosen references are cited at its cursor (one undo step)."""
        from ...references.cite import number_citations
        case = self.session.case
        picker = CitationPicker(case.references, number_citations(case).number, self)
        picker.accepted.connect(lambda: picker.keys() and insert_citation(nf.area, picker.keys()))
        picker.finished.connect(lambda _r: nf.area.setFocus())
        self.last_picker = picker
        picker.open()
        return picker

    # --- navigation ------------------------------------------------------------------------------

    def focus_ref(self, ref: str) -> bool:
        ref = ref.removeprefix("$.")
        head, _, rest = ref.partition(".")
        if head == "manuscript":
            attr = rest.split("[")[0]
            nf = self.manuscript.get(attr) if attr else self.manuscript["introduction"]
            if nf is None:
                return False
            reveal(nf.area)
            return True
        if head in ("title", "short_title", "keywords"):
            reveal(self.form.widget("case", head))
            return True
        if head == "references" or ref.startswith("references/"):
            rid = ref.partition("/")[2]
            if rid:
                self.references.focus(rid)
            reveal(self.references.table.view)
            return True
        if head == "authors" or ref.startswith("authors/"):
            reveal(self.authors.table.view)
            return True
        if head == "consent":
            w = self.form.widget("consent", rest.split("[")[0]) if rest else None
            reveal(self.consent_box)  # the whole group in view, then the field focused
            reveal(w or self.consent_given_by)
            return True
        if head in ("case", "manuscript"):
            reveal(self.title)
            return True
        return False
