"""References in the window (issue 15): imported from a file dialog and by dropping files (real
QMimeData, real files written in tmp_path in each exporter's format), merged duplicates and malformed
files told in the message line, the list (view, delete, undo), the picker that puts a ``[@key]``
marker at the cursor of a narrative editor, and the consent at the top of the Manuscript section.

The records are real publications (the CARE guideline, Gagnier et al. 2013, DOI 10.1186/1752-1947-7-223,
PMID 24228906; Nigwekar et al. 2018 in the NEJM, DOI 10.1056/NEJMra1505292), written by hand in the
form Zotero, PubMed and Mendeley export them."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop import catalogue
from desktop.gui.sections.manuscript import ManuscriptSection
from desktop.journals import journal, journal_ids

from gui_helpers import demo_section, drag_enter, stored
from window_fixtures import isolated_settings  # noqa: F401 (autouse: settings in tmp_path, not the user's)

CARE_RIS = """TY  - JOUR
TI  - The CARE guidelines: consensus-based clinical case reporting guideline development
AU  - Gagnier, Joel J.
AU  - Kienle, Gunver
T2  - Journal of Medical Case Reports
J2  - J Med Case Rep
PY  - 2013
VL  - 7
SP  - 223
DO  - 10.1186/1752-1947-7-223
ER  - 

TY  - JOUR
TI  - Calciphylaxis
AU  - Nigwekar, Sagar U.
AU  - Thadhani, Ravi
AU  - Brandenburg, Vincent M.
T2  - New England Journal of Medicine
J2  - N Engl J Med
PY  - 2018
VL  - 378
IS  - 18
SP  - 1704
EP  - 1714
DO  - 10.1056/NEJMra1505292
ER  - 

TY  - JOUR
TI  - The CARE guidelines: consensus-based clinical case reporting guideline development
AU  - Gagnier, J. J.
PY  - 2013
DO  - 10.1186/1752-1947-7-223
ER  - 
"""

CARE_NBIB = """PMID- 24228906
DP  - 2013 Oct 23
TI  - The CARE guidelines: consensus-based clinical case reporting guideline
      development.
PG  - 223
LID - 10.1186/1752-1947-7-223 [doi]
FAU - Gagnier, Joel J
AU  - Gagnier JJ
TA  - J Med Case Rep
JT  - Journal of medical case reports
"""

NEJM_JSON = [{"id": "nigwekar2018calciphylaxis", "type": "article-journal", "title": "Calciphylaxis",
              "author": [{"family": "Nigwekar", "given": "Sagar U."}],
              "container-title": "New England Journal of Medicine", "volume": "378", "issue": "18",
              "page": "1704-1714", "DOI": "10.1056/NEJMra1505292", "issued": {"date-parts": [[2018, 5, 3]]}}]

# the second record's "ER" is missing: the file breaks off inside a record
BROKEN_RIS = """TY  - JOUR
TI  - Calciphylaxis
AU  - Nigwekar, Sagar U.
PY  - 2018
ER  - 

TY  - JOUR
TI  - A record that never ends
AU  - Somebody, A.
"""


@pytest.fixture
def section(qtbot, tmp_path):
    with demo_section(qtbot, tmp_path / "lib.casebook", ManuscriptSection, (1000, 800)) as w:
        yield w


def drop(widget, paths) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = drag_enter(mime)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    ev = QDropEvent(QPointF(30, 30), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)
    return ev


def test_import_from_the_file_dialog_merges_the_duplicate_and_says_so(qtbot, section, tmp_path, monkeypatch):
    path = tmp_path / "zotero-export.ris"
    path.write_text(CARE_RIS, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    box = section.references
    qtbot.mouseClick(box.table.add_button, Qt.MouseButton.LeftButton)

    case = stored(section.session.library.path, section.session.case_id)
    assert sorted(r.doi for r in case.references) == ["10.1056/NEJMra1505292", "10.1186/1752-1947-7-223"]
    care = next(r for r in case.references if r.doi.startswith("10.1186"))
    assert care.authors[:2] == ["Gagnier, Joel J.", "Kienle, Gunver"]  # the fuller record kept
    # the message names the file, what was read and added, and the merge with the line of its record
    third = [n for n, line in enumerate(CARE_RIS.splitlines(), 1) if line.startswith("TY")][2]
    msg = box.message_text
    assert "zotero-export.ris: 3 records read, 2 added, 1 duplicate merged" in msg
    assert f"zotero-export.ris, line {third}: " in msg and "is a duplicate" in msg
    # the list shows both, with their keys; none is cited yet
    rows = [(box.table.model.data(box.table.model.index(r, 1)), box.table.model.data(box.table.model.index(r, 0)))
            for r in range(box.table.model.rowCount())]
    assert sorted(k for k, _ in rows) == sorted(f"[@{r.key}]" for r in case.references)
    assert all(n == "—" for _, n in rows)
    # one undo step takes the whole import back
    section.session.undo_stack.undo()
    assert stored(section.session.library.path, section.session.case_id).references == []
    assert box.table.model.rowCount() == 0


def test_dropping_nbib_and_csl_json_files_imports_them_and_other_files_are_refused(qtbot, section, tmp_path):
    nbib = tmp_path / "pubmed-24228906.nbib"
    nbib.write_text(CARE_NBIB, encoding="utf-8")
    csl = tmp_path / "mendeley.json"
    csl.write_text(json.dumps(NEJM_JSON), encoding="utf-8")
    box = section.references
    drop(box, [nbib, csl])
    case = stored(section.session.library.path, section.session.case_id)
    assert sorted((r.pmid, r.doi) for r in case.references) == [("", "10.1056/NEJMra1505292"),
                                                               ("24228906", "10.1186/1752-1947-7-223")]
    assert "pubmed-24228906.nbib: 1 record read, 1 added" in box.message_text
    assert "mendeley.json: 1 record read, 1 added" in box.message_text
    assert "[@nigwekar2018calciphylaxis]" in [box.table.model.data(box.table.model.index(r, 1))
                                              for r in range(box.table.model.rowCount())]
    # a drop on the rows of the list reaches the box too (the view does not take drops itself)
    assert not box.table.view.viewport().acceptDrops()
    # a file of another kind is not taken
    other = tmp_path / "notes.txt"
    other.write_text("not references", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    enter = drag_enter(mime)
    QApplication.sendEvent(box, enter)
    assert not enter.isAccepted()


def test_a_malformed_file_names_its_line_and_changes_nothing(qtbot, section, tmp_path):
    bad = tmp_path / "broken.ris"
    bad.write_text(BROKEN_RIS, encoding="utf-8")
    box = section.references
    before = section.session.undo_stack.index()
    drop(box, [bad])
    assert "Not imported: broken.ris, line 7" in box.message_text  # where the unfinished record starts
    assert "#b3261e" in box.message.text()  # shown as an error
    assert stored(section.session.library.path, section.session.case_id).references == []
    assert section.session.undo_stack.index() == before


def test_delete_a_reference_from_the_list_and_undo(qtbot, section, tmp_path):
    path = tmp_path / "refs.ris"
    path.write_text(CARE_RIS, encoding="utf-8")
    box = section.references
    box.import_files([path])
    case = section.session.case
    nejm = next(r for r in case.references if r.doi == "10.1056/NEJMra1505292")
    assert section.focus_ref(f"references/{nejm.id}")  # an evidence ref of a citation finding
    assert box.table.current_key() == nejm.id
    box.table.view.setFocus()
    qtbot.keyClick(box.table.view, Qt.Key.Key_Delete)
    assert [r.doi for r in stored(section.session.library.path, section.session.case_id).references] == \
        ["10.1186/1752-1947-7-223"]
    assert f"Deleted [@{nejm.key}]" in box.message_text
    section.session.undo_stack.undo()
    assert len(stored(section.session.library.path, section.session.case_id).references) == 2
    assert box.table.model.rowCount() == 2


def test_the_picker_inserts_a_marker_at_the_cursor_and_the_list_numbers_it(qtbot, section, tmp_path):
    path = tmp_path / "refs.ris"
    path.write_text(CARE_RIS, encoding="utf-8")
    box = section.references
    box.import_files([path])
    nejm = next(r for r in section.session.case.references if r.doi == "10.1056/NEJMra1505292")
    nf = section.manuscript["discussion"]
    text = nf.area.toPlainText()
    anchor = "calciphylaxis"
    at = text.lower().index(anchor) + len(anchor)  # the cursor after the first "calciphylaxis"
    cursor = nf.area.textCursor()
    cursor.setPosition(at)
    nf.area.setTextCursor(cursor)
    assert nf.cite is not None and nf.cite.isVisible()
    qtbot.mouseClick(nf.cite, Qt.MouseButton.LeftButton)
    picker = section.last_picker
    assert picker is not None and picker.isVisible()
    assert not picker.insert_button.isEnabled()  # nothing chosen yet
    qtbot.keyClicks(picker.filter, "nigwekar")
    shown = [picker.list.item(i) for i in range(picker.list.count()) if not picker.list.item(i).isHidden()]
    assert [i.data(Qt.ItemDataRole.UserRole) for i in shown] == [nejm.key]
    shown[0].setSelected(True)
    qtbot.mouseClick(picker.insert_button, Qt.MouseButton.LeftButton)
    assert not picker.isVisible()

    marker = f"[@{nejm.key}]"
    assert nf.area.toPlainText() == text[:at] + " " + marker + text[at:]
    saved = stored(section.session.library.path, section.session.case_id).manuscript.discussion
    assert saved == text[:at] + " " + marker + text[at:]  # saved at once, as one step
    row = next(r for r in range(box.table.model.rowCount())
               if box.table.model.data(box.table.model.index(r, 1)) == marker)
    assert box.table.model.data(box.table.model.index(row, 0)) == "1"  # the only reference cited: number 1
    section.session.undo_stack.undo()
    assert stored(section.session.library.path, section.session.case_id).manuscript.discussion == text
    assert nf.area.toPlainText() == text


def test_the_picker_with_a_selection_cites_after_it_and_declarations_have_no_cite_button(qtbot, section, tmp_path):
    path = tmp_path / "refs.ris"
    path.write_text(CARE_RIS, encoding="utf-8")
    section.references.import_files([path])
    keys = sorted(r.key for r in section.session.case.references)
    nf = section.manuscript["introduction"]
    nf.area.setPlainText("Case reports follow a guideline.")
    nf.area.commit()
    cursor = nf.area.textCursor()
    cursor.setPosition(len("Case reports follow a "))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfWord, QTextCursor.MoveMode.KeepAnchor)
    nf.area.setTextCursor(cursor)
    picker = section.cite(nf)
    for i in range(picker.list.count()):
        picker.list.item(i).setSelected(True)
    qtbot.mouseClick(picker.insert_button, Qt.MouseButton.LeftButton)
    expected = "Case reports follow a guideline [" + "; ".join("@" + k for k in
                                                               [picker.list.item(i).data(Qt.ItemDataRole.UserRole)
                                                                for i in range(picker.list.count())]) + "]."
    assert nf.area.toPlainText() == expected
    assert sorted(k.lstrip("@") for k in expected.split("[")[1].rstrip("].").split("; ")) == keys
    assert section.manuscript["competing_interests"].cite.isHidden()
    assert section.manuscript["references"].cite is None  # the typed list is not a narrative


def test_consent_is_at_the_top_of_the_manuscript_section(qtbot, section):
    top = section.consent_box.mapTo(section, section.consent_box.rect().topLeft()).y()
    title = section.title.mapTo(section, section.title.rect().topLeft()).y()
    intro = section.manuscript["introduction"].area
    assert top < title < intro.mapTo(section, intro.rect().topLeft()).y()
    assert section.consent_box.title().startswith("Consent for publication")
    # a consent ref (the assessment's consent finding) focuses the consent fields
    assert section.focus_ref("consent")
    assert section.consent_given_by.hasFocus()


def test_a_file_dropped_anywhere_on_the_section_is_imported(qtbot, section, tmp_path):
    path = tmp_path / "zotero.ris"
    path.write_text(CARE_RIS, encoding="utf-8")
    ev = drop(section, [path])  # the section itself, not the list
    assert ev.isAccepted()
    assert len(stored(section.session.library.path, section.session.case_id).references) == 2
    assert "zotero.ris: 3 records read, 2 added, 1 duplicate merged" in section.references.message_text


def test_the_consent_box_shows_the_chosen_journals_statement(qtbot, section):
    jmcr = json.loads((catalogue.resource_path("journals") / "jmcr.json").read_text(encoding="utf-8"))
    assert section.session.journal_id == "jmcr"
    assert jmcr["consent_statement"]["value"] in section.consent_wording.text()
    others = [j for j in journal_ids() if not (journal(j).consent_statement)]
    if others:
        section.session.set_journal(others[0])
        assert "sets no wording" in section.consent_wording.text()
        assert journal(others[0]).name in section.consent_wording.text()


def test_the_consent_box_shows_what_this_manuscript_prints_from_what_is_recorded(qtbot, section):
    """Not the journal's model ("from the patient … and accompanying images") when the record says
    otherwise: a next of kin's consent that does not cover the images (case-reports.md: for a
    deceased patient consent comes from the next of kin), and nothing before any consent is recorded."""
    from PySide6.QtCore import QPoint

    from desktop.model import Consent
    title = section.title
    section.session.save_single("consent", Consent())
    assert "prints no consent statement until the consent is recorded" in section.consent_printed.text()
    qtbot.wait(50)
    before = title.mapTo(section, QPoint(0, 0))
    section.session.save_single("consent", Consent(given_by="next_of_kin", date="2021-06-01", covers_images=False))
    text = section.consent_printed.text()
    assert text.startswith("This manuscript prints: “Written informed consent was obtained from the patient's "
                           "next of kin for publication of this case report.")
    assert "accompanying images" not in text
    qtbot.wait(50)
    assert title.mapTo(section, QPoint(0, 0)) == before  # the form below stays where it was


def test_the_editors_menu_offers_insert_citation(qtbot, section, tmp_path):
    path = tmp_path / "refs.ris"
    path.write_text(CARE_RIS, encoding="utf-8")
    section.references.import_files([path])
    nf = section.manuscript["conclusions"]
    menu = nf.context_menu(nf.area.viewport().rect().center())
    texts = [a.text().replace("&", "") for a in menu.actions()]
    assert "Insert citation…" in texts and any(t.startswith("Copy") for t in texts)  # the standard ones stay
    next(a for a in menu.actions() if a.objectName() == "insert_citation").trigger()
    picker = section.last_picker
    assert picker is not None and picker.isVisible() and picker.list.count() == 2
    picker.reject()
    declarations = section.manuscript["funding"]
    assert declarations.area.contextMenuPolicy() == Qt.ContextMenuPolicy.DefaultContextMenu


def test_the_selected_reference_is_shown_as_the_chosen_journal_prints_it(qtbot, section, tmp_path):
    path = tmp_path / "refs.ris"
    path.write_text(CARE_RIS, encoding="utf-8")
    box = section.references
    box.import_files([path])
    nejm = next(r for r in section.session.case.references if r.doi == "10.1056/NEJMra1505292")
    assert "Select a reference" in box.preview.text()
    section.session.set_journal("bmj-case-reports")
    box.focus(nejm.id)
    # BMJ's Vancouver form: authors, title, abbreviated journal, year;volume:pages, "doi:" (BMJ author guide)
    assert box.preview.text() == ("As BMJ Case Reports prints it: Nigwekar SU, Thadhani R, Brandenburg VM. Calciphylaxis. "
                                  "N Engl J Med. 2018;378:1704–14. doi: 10.1056/NEJMra1505292")
    section.session.set_journal("cureus")  # Cureus (AMA-like): a colon after the authors, "year, volume:pages"
    assert box.preview.text() == ("As Cureus prints it: Nigwekar SU, Thadhani R, Brandenburg VM: Calciphylaxis. "
                                  "N Engl J Med. 2018, 378:1704–14. 10.1056/NEJMra1505292")
