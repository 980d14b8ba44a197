"""The panes beside the open case, driven through the real window on the demo case in a real library:
the Journal tab (issue 15: every rule of the chosen profile with its numbers, live, remembered per
case, the default of exports), the assessment panel that gives the findings the room with a readable
CARE count (issue 16 item 11), and consent reachable from every consent finding (issue 16 item 6).

Expected numbers come from the profiles' data in resources/journals/ and from the text the test
writes, not from the check's own output; the demo's title is the published article's."""
from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QScrollArea

from desktop import catalogue
from desktop.gui.assessment_panel import AssessmentPanel, consent_related
from desktop.gui.conformance_panel import MANY_MARKERS, marker_count
from desktop.gui.exports import docx_available
from desktop.gui.main_window import MainWindow
from desktop.model import Consent
from desktop.store.library import open_library

from gui_helpers import answer_modal, pick, record_declarations
from window_fixtures import demo_library, isolated_settings, no_unanswered_dialog, window  # noqa: F401


@pytest.fixture
def lib_path(tmp_path) -> Path:
    return demo_library(tmp_path)


def profile(jid: str) -> dict:
    return json.loads((catalogue.resource_path("journals") / f"{jid}.json").read_text(encoding="utf-8"))


def rule_value(jid: str, kind: str):
    return next(r["value"] for r in profile(jid)["rules"] if r["kind"] == kind)


def show_journal_tab(qtbot, window):
    bar = window.side_tabs.tabBar()
    i = next(n for n in range(bar.count()) if bar.tabText(n).startswith("Journal"))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    assert window.side_tabs.currentWidget() is window.conformance
    return window.conformance


def choose(qtbot, panel, jid: str) -> None:
    with qtbot.waitSignal(panel.checked, timeout=5000):
        pick(qtbot, panel.journal_combo, jid)


def wait_checked(qtbot, panel, edit) -> None:
    with qtbot.waitSignal(panel.checked, timeout=5000):
        edit()


def row(panel, needle: str) -> str:
    return next(t for t in panel.row_texts() if needle in t)


# --- the Journal tab ------------------------------------------------------------------------------------

def test_the_journal_tab_says_which_required_parts_a_final_export_still_lacks(qtbot, window):
    """A final export is refused without the parts every manuscript needs (journals.md: the BMC
    Declarations block "as stated by the authors", consent, references): the tab must not read as
    ready while they are missing. The seed article's text as held has no declarations and no
    reference list, so the demo lacks exactly these."""
    panel = show_journal_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.results is not None, timeout=5000)
    expected = ["ethics approval and consent to participate", "consent for publication",
                "availability of data and materials", "competing interests", "funding",
                "authors' contributions", "acknowledgements", "references"]
    assert "8 required parts are missing (ethics approval and consent to participate, consent for " \
           "publication, availability of data and materials, …): a final export is refused" in panel.summary.text()
    assert panel.summary.toolTip() == "Missing for a final export: " + "; ".join(expected) + "."
    # BMJ Case Reports' own list is not verified: the CARE checklist's parts are asked, not BMC's
    choose(qtbot, panel, "bmj-case-reports")
    assert "1 required part is missing (consent for publication)" in panel.summary.text()
    choose(qtbot, panel, "jmcr")
    record_declarations(window)
    window.session.save_single("consent", Consent(given_by="patient", date="2021-06-01", covers_images=True))
    qtbot.waitUntil(lambda: "required part" not in panel.summary.text(), timeout=5000)
    assert panel.summary.toolTip() == ""


def test_the_journal_tab_lists_every_rule_with_its_numbers(qtbot, window):
    panel = show_journal_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.results is not None, timeout=5000)
    names = [panel.journal_combo.itemData(i) for i in range(panel.journal_combo.count())]
    assert {"jmcr", "bmj-case-reports", "cureus", "clinical-case-reports", "care"} <= set(names)

    # BMJ Case Reports: the demo's title ("…: a case report") breaks its title rule (soft in the profile)
    choose(qtbot, panel, "bmj-case-reports")
    from desktop.report.required import missing_parts
    # each missing part has its row too, but consent, whose rule is broken, is one thing to fix
    assert missing_parts(window.session.case, "bmj-case-reports") == ["consent for publication"]
    assert len(panel.row_texts()) == len(profile("bmj-case-reports")["rules"])
    assert "Warning · title contains 'a case report': not allowed" in row(panel, "title contains")
    limit = rule_value("bmj-case-reports", "main_text_words_max")
    n = limit + 100
    m = copy.deepcopy(window.session.case.manuscript)
    for f in ("introduction", "clinical_findings", "diagnostic_assessment", "therapeutic_intervention",
              "follow_up", "discussion", "conclusions", "patient_perspective"):
        setattr(m, f, "")
    m.discussion = " ".join(["calciphylaxis"] * n)
    wait_checked(qtbot, panel, lambda: window.session.save_single("manuscript", m))
    assert f"Warning · main text {n:,} of {limit:,} words" in row(panel, "main text")
    # consent: a hard rule; its failure is the first row, and the summary says an export is refused
    assert panel.row_texts()[0].startswith("Fail · consent: not recorded")
    assert "a final export is refused" in panel.summary.text()
    fails = sum(t.startswith("Fail") for t in panel.row_texts())
    # the tab counts all that stops a final export: broken hard rules and the missing required parts
    from desktop.report.required import missing_parts
    missing = missing_parts(window.session.case, "bmj-case-reports")
    assert fails >= 1 and len(missing) >= 1  # the demo has no consent
    # consent's broken rule and its missing part are one thing to fix, counted once
    rows = [m for m in missing if m != "consent for publication"]
    index = window.side_tabs.indexOf(panel)
    assert window.side_tabs.tabText(index) == f"Journal ({fails + len(rows)} to fix)"
    assert f"{len(missing)} required part" in panel.summary.text()
    tip = window.side_tabs.tabToolTip(index)
    assert f"{fails} hard rule" in tip and (not rows or f"{len(rows)} required part" in tip)

    # CARE: keywords are a hard rule; one keyword fails it, with the range from the profile
    choose(qtbot, panel, "care")
    lo, hi = rule_value("care", "keywords_range")
    wait_checked(qtbot, panel, lambda: window.session.set_case_fields(keywords=["calciphylaxis"]))
    assert f"Fail · keywords 1, needs {lo}–{hi}" in row(panel, "keywords")
    # live: as the case changes, the rows follow
    wait_checked(qtbot, panel, lambda: window.session.save_single(
        "consent", Consent(given_by="patient", date="2021-06-01", covers_images=True)))
    assert row(panel, "consent").startswith("Pass · consent: patient")
    # the selected rule's source is shown below the list
    item = panel.select_rule(next(r["id"] for r in profile("care")["rules"] if r["kind"] == "keywords_range"))
    assert item is not None
    src = profile("care")["sources"][next(r["source"] for r in profile("care")["rules"]
                                          if r["kind"] == "keywords_range")]["text"]
    assert src in panel.source.text() and "hard rule" in panel.source.text()


def test_the_chosen_journal_is_remembered_for_the_case_and_the_library(qtbot, window, lib_path):
    panel = show_journal_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.results is not None, timeout=5000)
    assert window.session.journal_id == "jmcr"  # the default
    choose(qtbot, panel, "cureus")
    case_id = window.session.case_id
    window.close()

    again = MainWindow(open_library(lib_path))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.session is not None and again.conformance.results is not None, timeout=5000)
    assert again.session.case_id == case_id and again.session.journal_id == "cureus"
    assert again.conformance.journal_combo.currentData() == "cureus"
    # a case not yet given a journal takes the library's last choice
    again.new_case()
    qtbot.waitUntil(lambda: again.session is not None and again.session.case_id != case_id, timeout=5000)
    assert again.session.journal_id == "cureus"
    again.close()


@pytest.mark.skipif(not docx_available(), reason="the Word writer is not part of this version")
def test_exports_from_the_window_check_the_chosen_journal(qtbot, window, tmp_path, monkeypatch):
    window.session.save_single("consent", Consent(given_by="patient", date="2021-06-01", covers_images=True))
    record_declarations(window)
    window.session.set_case_fields(keywords=["calciphylaxis"])  # one keyword: CARE's hard rule breaks
    out = tmp_path / "manuscript.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    panel = show_journal_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.results is not None, timeout=5000)
    choose(qtbot, panel, "care")
    lo, hi = rule_value("care", "keywords_range")
    seen = answer_modal("Cancel")
    window.act_export_docx.trigger()
    qtbot.waitUntil(lambda: "text" in seen, timeout=10000)
    assert "care" in seen["text"] and f"keywords 1, needs {lo}–{hi}" in seen["text"]
    assert not out.exists()
    # the default profile (JMCR) has no keyword rule: the same case exports
    choose(qtbot, panel, "jmcr")
    window.act_export_docx.trigger()
    op = window.last_export_op
    with qtbot.waitSignal(op.finished, timeout=60000):
        pass
    assert op.error is None, op.error
    with zipfile.ZipFile(out) as z:
        assert "calciphylaxis" in z.read("word/document.xml").decode("utf-8").lower()


def test_a_manuscript_with_many_markers_is_checked_on_a_worker(qtbot, window):
    case = copy.deepcopy(window.session.case)
    from desktop.model import new_id
    case.id = new_id()
    case.title = "Many citations calciphylaxis case report"
    case.manuscript.discussion = "Calciphylaxis is rare [@smith2019]. " * 500  # many markers: a slow check
    cid = window.library.add_case(case, keep_id=True)
    window.refresh_case_list()
    panel = window.conformance
    assert marker_count(case) > MANY_MARKERS
    window.case_list.select(cid)
    qtbot.waitUntil(lambda: window.session is not None and window.session.case_id == cid, timeout=10000)
    assert panel.results is None  # not checked on the window's thread: the worker's result is awaited
    with qtbot.waitSignal(panel.checked, timeout=20000):
        pass
    assert "smith2019" in row(panel, "without a reference")
    shown = panel.results
    m = copy.deepcopy(window.session.case.manuscript)
    m.introduction = "Calciphylaxis [@care2013]."
    window.session.save_single("manuscript", m)
    panel.refresh_now()  # returns at once: the work went to a worker
    assert panel.results is shown
    with qtbot.waitSignal(panel.checked, timeout=20000):
        pass
    assert "care2013" in row(panel, "without a reference")


# --- the assessment panel -------------------------------------------------------------------------------

def visible_rows(tree) -> int:
    vp = tree.viewport().rect()
    n, it = 0, tree.topLevelItem(0)
    while it is not None:
        if vp.contains(tree.visualItemRect(it)):
            n += 1
        it = tree.itemBelow(it)
    return n


def test_the_findings_get_the_room(qtbot, window):
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    a = panel.assessment
    rows = len(a.findings) + panel.findings.topLevelItemCount()
    # at 1400×900 the findings pane shows at least 16 rows (it showed about 9 of 16 findings before)
    assert visible_rows(panel.findings) >= min(rows, 16)
    findings_pane, detail_pane = panel.splitter.sizes()[:2]
    assert findings_pane > detail_pane
    # the tier is one line; what it rests on opens on demand
    fm = panel.fontMetrics()
    assert panel.tier_box.height() <= fm.lineSpacing() * 2 + 8
    assert not panel.tier_detail.isVisible()
    n = len(a.tier.caveats)
    if n:
        assert panel.tier_toggle.text().startswith(f"{n} caveat")
    qtbot.mouseClick(panel.tier_toggle, Qt.MouseButton.LeftButton)
    assert panel.tier_detail.isVisible()
    for caveat in a.tier.caveats:
        assert caveat[:20] in panel.tier_detail.text().replace("&#x27;", "'")


def contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_care_progress_reads_clearly(qtbot, window):
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    a = panel.assessment
    done, total = sum(c.status == "complete" for c in a.care), len(a.care)
    assert panel.care_label.text() == f"{done} of {total}"
    assert not panel.care_bar.isTextVisible()  # no text drawn half over the chunk, half over the groove
    bar = QRect(panel.care_bar.mapTo(panel, QPoint(0, 0)), panel.care_bar.size())
    label = QRect(panel.care_label.mapTo(panel, QPoint(0, 0)), panel.care_label.size())
    assert not bar.intersects(label)
    # every pixel of the label's text against its background: WCAG AA (4.5:1) at the least
    img = panel.care_label.grab().toImage()
    colours = {}
    for x in range(img.width()):
        for y in range(img.height()):
            c = img.pixelColor(x, y)
            colours[c.rgb()] = colours.get(c.rgb(), 0) + 1
    background = QColor.fromRgb(max(colours, key=colours.get))
    darkest = min((QColor.fromRgb(c) for c in colours), key=lambda c: c.lightness())
    assert contrast(background, darkest) >= 4.5


def drag_handle(splitter, index: int, dy: int) -> None:
    handle = splitter.handle(index)
    start = QPointF(handle.width() / 2, handle.height() / 2)
    end = start + QPointF(0, dy)

    def send(kind, pos, buttons):
        ev = QMouseEvent(kind, pos, QPointF(handle.mapToGlobal(pos.toPoint())), Qt.MouseButton.LeftButton,
                         buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(handle, ev)
    send(QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseMove, start + QPointF(0, dy / 2), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseMove, end, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def test_the_division_of_findings_and_details_is_remembered(qtbot, window):
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    before = panel.splitter.sizes()
    drag_handle(panel.splitter, 1, -120)
    after = panel.splitter.sizes()
    assert after[0] < before[0] - 60 and after[1] > before[1] + 60
    # another panel (a new window, the next session) opens with the author's division
    other = AssessmentPanel()
    qtbot.addWidget(other)
    other.resize(panel.size())
    other.show()
    qtbot.waitExposed(other)
    assert abs(other.splitter.sizes()[0] - after[0]) <= 2 and abs(other.splitter.sizes()[1] - after[1]) <= 2


# --- consent, reachable from every consent finding --------------------------------------------------------

def consent_shown(window) -> bool:
    page = window.section("manuscript")
    field = page.consent_given_by
    return (window.current_section_key() == "manuscript" and window.focusWidget() is field
            and not field.visibleRegion().isEmpty())


def test_a_click_on_a_consent_finding_goes_to_the_consent_fields(qtbot, window):
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    window.show_section("labs")
    items = [i for i in panel.finding_items() if consent_related(i.data(0, Qt.ItemDataRole.UserRole + 1))]
    assert items  # the demo records no consent: "No consent for publication recorded"
    for item in items:
        window.show_section("labs")
        panel.findings.scrollToItem(item)
        rect = panel.findings.visualItemRect(item)
        qtbot.mouseClick(panel.findings.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert consent_shown(window)
        assert "consent" in panel.detail_text.toPlainText().lower()  # and the finding is shown


def test_the_care_consent_item_and_the_journal_consent_rule_go_there_too(qtbot, window):
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    window.show_section("patient")
    qtbot.mouseClick(panel.care_toggle, Qt.MouseButton.LeftButton)
    assert panel.care_missing.isVisible()
    item = next(panel.care_missing.item(i) for i in range(panel.care_missing.count())
                if panel.care_missing.item(i).text().startswith("13 "))
    panel.care_missing.scrollToItem(item)
    qtbot.mouseClick(panel.care_missing.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.care_missing.visualItemRect(item).center())
    assert consent_shown(window)

    window.show_section("patient")
    journal = show_journal_tab(qtbot, window)
    qtbot.waitUntil(lambda: journal.results is not None, timeout=5000)
    i = next(n for n, t in enumerate(journal.row_texts()) if "consent:" in t)
    rect = journal.rules.visualItemRect(journal.rules.item(i))
    qtbot.mouseClick(journal.rules.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert consent_shown(window)


def test_each_missing_required_part_is_a_row_that_goes_to_its_field(qtbot, window):
    # Koratala et al. (BMJ Case Rep 2016) entered through the window: the tab said "Journal (17 to
    # fix)" and listed two rules; the summary named three of the sixteen missing parts and "…". Each
    # missing part is now a row, after the broken rules, and Go to field opens where it is written.
    panel = show_journal_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.results is not None, timeout=5000)
    from desktop.report.required import missing_parts
    missing = missing_parts(window.session.case, window.session.journal_id)
    rows = panel.row_texts()
    # every missing part but consent, which its broken rule's row already stands for (one thing to fix)
    assert "consent for publication" in missing and any(t.startswith("Fail · consent") for t in rows)
    missing = [m for m in missing if m != "consent for publication"]
    assert [t.split("\n")[0] for t in rows if t.startswith("Missing")] == [f"Missing · {m}" for m in missing]
    fails = sum(t.startswith("Fail") for t in rows)
    assert all(t.startswith("Fail") for t in rows[:fails])  # the broken rules first, then the missing parts
    assert all(t.startswith("Missing") for t in rows[fails:fails + len(missing)])
    index = window.side_tabs.indexOf(panel)
    assert window.side_tabs.tabText(index) == f"Journal ({fails + len(missing)} to fix)"  # what the list shows
    item = panel.select_rule("required:competing interests")
    assert item is not None and "a final export is refused" in panel.source.text()
    assert panel.go_button.isEnabled()
    qtbot.mouseClick(panel.go_button, Qt.MouseButton.LeftButton)
    page = window.section("manuscript")
    assert window.current_section_key() == "manuscript"
    area = page.manuscript["competing_interests"].area
    assert window.focusWidget() is area
    # in sight, though the section was built by this very click (its layout came after the scroll)
    scroll = area.parentWidget()
    while not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    qtbot.waitUntil(lambda: scroll.viewport().rect().contains(
        QRect(area.mapTo(scroll.viewport(), QPoint(0, 0)), area.size())), timeout=2000)
    # written: the row goes
    m = copy.deepcopy(window.session.case.manuscript)
    m.competing_interests = "The authors declare that they have no competing interests."
    wait_checked(qtbot, panel, lambda: window.session.save_single("manuscript", m))
    assert not any(t.startswith("Missing · competing interests") for t in panel.row_texts())


def test_go_to_field_of_an_unresolved_citation_shows_the_text_that_holds_it(qtbot, window):
    panel = show_journal_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.results is not None, timeout=5000)
    m = copy.deepcopy(window.session.case.manuscript)
    m.follow_up += " As reported before [@nobody2020]."
    wait_checked(qtbot, panel, lambda: window.session.save_single("manuscript", m))
    assert "Fail · 1 marker key without a reference: [@nobody2020]" in row(panel, "without a reference")
    rule = next(r["id"] for r in profile(window.session.journal_id)["rules"] if r["kind"] == "citations_resolved")
    panel.select_rule(rule)
    assert panel.go_button.isEnabled()
    qtbot.mouseClick(panel.go_button, Qt.MouseButton.LeftButton)
    page = window.section("manuscript")
    assert window.current_section_key() == "manuscript"
    assert window.focusWidget() is page.manuscript["follow_up"].area


def test_the_pdf_export_of_the_report_section_checks_the_chosen_journal(qtbot, window, tmp_path, monkeypatch):
    window.session.save_single("consent", Consent(given_by="patient", date="2021-06-01", covers_images=True))
    record_declarations(window)
    window.session.set_case_fields(keywords=["calciphylaxis"])
    out = tmp_path / "report.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    panel = show_journal_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.results is not None, timeout=5000)
    choose(qtbot, panel, "care")
    lo, hi = rule_value("care", "keywords_range")
    seen = answer_modal("Cancel")
    window.act_export_pdf.trigger()
    qtbot.waitUntil(lambda: "text" in seen, timeout=30000)
    assert "care" in seen["text"] and f"keywords 1, needs {lo}–{hi}" in seen["text"]
    assert not out.exists()


NEJM_RIS = """TY  - JOUR
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
"""


def test_the_report_preview_follows_the_chosen_journal(qtbot, window, tmp_path):
    import io

    from pypdf import PdfReader
    path = tmp_path / "nejm.ris"
    path.write_text(NEJM_RIS, encoding="utf-8")
    report = window.session.import_references(path)
    m = copy.deepcopy(window.session.case.manuscript)
    m.discussion += f" Calciphylaxis is reviewed elsewhere [@{report.added[0]}]."
    window.session.save_single("manuscript", m)
    page = window.show_section("report")
    page.draft.setChecked(True)

    def rendered_text() -> str:
        qtbot.waitUntil(lambda: page.last_render is not None and page.op is not None and page.op.done
                        and not page._rerender, timeout=60000)
        reader = PdfReader(io.BytesIO(page.preview_bytes))
        return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)

    # JMCR (BMC's Vancouver): the DOI as a link; BMJ: "doi: " (the styles' documented forms, test_references)
    assert "https://doi.org/10.1056/NEJMra1505292" in rendered_text()
    page.last_render = None
    panel = show_journal_tab(qtbot, window)
    choose(qtbot, panel, "bmj-case-reports")
    text = rendered_text()
    assert "doi: 10.1056/NEJMra1505292" in text and "https://doi.org/10.1056" not in text


def test_what_the_record_cannot_decide_is_shown_beside_the_caveats(qtbot, tmp_path):
    """Ali et al. (Wounds 2020), entered from the abstract: "diagnosed with calciphylaxis by skin biopsy",
    the histology not in the text we hold. The tier's list of what the record cannot decide ("a
    positive skin biopsy … does not state its histology") was only in the JSON of the assessment: not
    in the panel, the text of ``casebook assess`` or the report's appendix."""
    from desktop import jsonio
    from desktop.core import assess
    import io
    import pypdf
    from desktop.core.text import format_assessment
    from desktop.report.pdf import render_pdf
    from desktop.store.library import create_library
    root = Path(__file__).resolve().parents[1]
    case = jsonio.loads((root / "tests" / "cases" / "ckd3-apixaban-twice-weekly-sts.json").read_text("utf-8"))
    unknown = assess(case).tier.unknown
    assert any("does not state its histology" in u for u in unknown)
    assert "Cannot be decided from the record: " + unknown[0][:40] in " ".join(format_assessment(assess(case)).split())
    buf = io.BytesIO()
    render_pdf(case, buf, draft=True)  # Appendix A, the assessment
    pdf = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages).split())
    assert "Cannot be decided from the record" in pdf and unknown[0][:30] in pdf
    path = tmp_path / "ali.casebook"
    lib = create_library(path)
    lib.add_case(case)
    lib.close()
    w = MainWindow(open_library(path))
    qtbot.addWidget(w)
    w.show()
    panel = w.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    qtbot.mouseClick(panel.tier_toggle, Qt.MouseButton.LeftButton)
    shown = panel.tier_detail.text().replace("&#x27;", "'")
    assert "Cannot be decided from the record:" in shown and unknown[0][:40] in shown
    w.close()


def test_go_to_data_of_a_condition_not_recorded_goes_to_its_tick(qtbot, window):
    # Koratala et al. (BMJ Case Rep 2016): "end stage kidney disease secondary to diabetic
    # nephropathy", and Diabetes mellitus not ticked; and (issue 16) a BMI of 39.6 kg/m² with obesity
    # not ticked. Each notice's row for the condition goes to that condition's own tick.
    panel = window.assessment
    qtbot.waitUntil(lambda: panel.assessment is not None, timeout=5000)
    session = window.session
    session.edit_field("patient", "kidney_disease_cause", "diabetic nephropathy", label="Cause")
    kept = [c for c in session.case.patient.comorbidities if c.code not in ("diabetes", "obesity")]
    session.edit_field("patient", "comorbidities", kept, label="Comorbidities")
    session.edit_field("patient", "weight_kg", 114.0, label="Weight")
    session.edit_field("patient", "height_cm", 169.7, label="Height")
    for rule_id, row, code in (("diabetes-not-recorded", 1, "diabetes"), ("obesity-not-recorded", 2, "obesity")):
        window.show_section("labs")
        qtbot.waitUntil(lambda: panel.select_finding(rule_id), timeout=5000)
        panel.evidence.setCurrentRow(row)
        assert panel.go_button.isEnabled()
        qtbot.mouseClick(panel.go_button, Qt.MouseButton.LeftButton)
        page = window.section("patient")
        assert window.current_section_key() == "patient"
        tick = page.comorbidity_checks[code]
        assert window.focusWidget() in (tick, tick.focusProxy()), (code, window.focusWidget())
