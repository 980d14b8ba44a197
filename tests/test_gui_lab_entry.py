"""Issue 12 and issue 16 item 7 in the Labs grid, driven as a user would: results printed in words,
bounds and the authors' own flag typed as the published case reports print them; a probable typing
error refused, the row back to what is stored, and the value kept as printed or read in its likely
unit from an offer in place; the unit of a saved value changed in two steps (value and unit saved as
one change); the result's details (specimen, organism, flag, kept as printed). Every fact is checked
in the library file (reopened read-only) against the case file it comes from."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop import catalogue, jsonio
from desktop.core import assess
from desktop.gui.session import CaseSession
from desktop.gui.sections.labs import LabsSection
from desktop.model import When
from desktop.store.library import create_library

from gui_helpers import demo_section, stored, type_into

CASES = Path(__file__).parent / "cases"


def paste_into(qtbot, field, text: str) -> None:
    """Replace a field's text as pasting does (keyClicks types ASCII only: '≥', '×'), then Return."""
    field.setFocus()
    field.selectAll()
    field.insert(text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def published(name: str):
    return jsonio.loads((CASES / f"{name}.json").read_text("utf-8"))


def source_labs(name: str) -> dict:
    """The case file's results by id, as printed (the JSON, not Casebook's reading of it)."""
    return {x["id"]: x for x in json.loads((CASES / f"{name}.json").read_text("utf-8"))["labs"]}


@pytest.fixture
def opened(qtbot, tmp_path):
    """A Labs section on a published case stored in a new library, with some of its results taken
    out (to be typed back in the grid)."""
    made = []

    def open_case(name: str, drop: set[str]):
        case = published(name)
        case.labs = [x for x in case.labs if x.id not in drop]
        path = tmp_path / f"{name}.casebook"
        lib = create_library(path)
        case_id = lib.add_case(case)
        w = LabsSection(CaseSession(lib, case_id))
        qtbot.addWidget(w)
        w.resize(1000, 800)
        w.show()
        qtbot.waitExposed(w)
        made.append(lib)
        return w, path, case_id

    yield open_case
    for lib in made:
        lib.close()


def test_flags_printed_by_the_authors_are_typed_beside_the_value(qtbot, opened):
    # Penile calciphylaxis on PD after a failed transplant: phosphate 6.9 mg/dL, PTH 114 pg/mL and WBC
    # 17.2×10^9/L, each printed with the authors' H and no range
    w, path, case_id = opened("penile-pd-failed-transplant", {"p", "pth", "wbc"})
    src = source_labs("penile-pd-failed-transplant")
    w.focus_ref("labs/ca")  # the presentation timepoint (calcium 8.1 mg/dL stayed)
    type_into(qtbot, w.row("phosphate").value, "6.9 H")
    type_into(qtbot, w.row("pth_intact").value, "114 (H)")
    wbc = w.row("wbc")
    paste_into(qtbot, wbc.unit.lineEdit(), src["wbc"]["unit"])  # typed as printed: ×10^9/L
    type_into(qtbot, wbc.value, "17.2 H")
    assert w.error.message() == ""
    labs = {x.analyte: x for x in stored(path, case_id).labs}
    for code, sid in (("phosphate", "p"), ("pth_intact", "pth"), ("wbc", "wbc")):
        a = catalogue.analytes()[code]
        assert labs[code].value == src[sid]["value"]
        assert labs[code].unit == src[sid]["unit"]  # as printed ('×10^9/L'), read as the catalogue's unit
        assert a.unit_of(labs[code].unit) in a.units
        assert labs[code].author_flag == src[sid]["author_flag"] == "H"
        assert labs[code].when.event_id == src[sid]["when"]["event_id"]
    # the field reads back as typed
    assert w.row("phosphate").value.text() == "6.9 H"
    assert w.row("phosphate").flag.text() == "H"
    # phosphate has a default range (2.5–4.9 mg/dL); WBC 17.2×10^9/L too: the flag says which decides
    assert w.row("phosphate").flag.toolTip().startswith("high — outside 2.5–4.9")
    # the details strip shows the flag of the row the author is in
    w.row("phosphate").value.setFocus()
    qtbot.waitUntil(lambda: w.details.row is w.row("phosphate"))
    assert w.details.flag.value() == "H"
    assert not w.details.organism.isEnabled()  # an organism belongs to a culture
    # typing the value without the mark clears it
    type_into(qtbot, w.row("phosphate").value, "6.9")
    assert next(x for x in stored(path, case_id).labs if x.analyte == "phosphate").author_flag is None


def test_a_bound_and_words_with_or_without_a_number(qtbot, opened):
    # Ca×P "persistently higher than 70 mg2/dL2" (printed as a bound), next to a PTH of 1200 pg/mL
    w, path, case_id = opened("penile-after-parathyroidectomy", {"cap-3y"})
    src = source_labs("penile-after-parathyroidectomy")["cap-3y"]
    w.focus_ref("labs/pth-3y")
    type_into(qtbot, w.row("ca_p_product").value, ">70")
    cap = next(x for x in stored(path, case_id).labs if x.analyte == "ca_p_product")
    assert (cap.comparator, cap.value) == (src["comparator"], src["value"]) == (">", 70.0)
    assert cap.unit == "mg²/dL²"  # picked from the row's list (the source prints mg2/dL2: the same unit)
    assert catalogue.analytes()["ca_p_product"].unit_of(src["unit"]) == cap.unit
    assert cap.when.event_id == src["when"]["event_id"]
    assert w.row("ca_p_product").value.text() == ">70"  # as typed (and printed): no digit added
    # ≥ and ≤ as typed by a keyboard that has them, and words beside a number
    paste_into(qtbot, w.row("ca_p_product").value, "≥ 70")
    assert next(x for x in stored(path, case_id).labs if x.analyte == "ca_p_product").comparator == ">="
    type_into(qtbot, w.row("ca_p_product").value, ">70 elevated")
    cap = next(x for x in stored(path, case_id).labs if x.analyte == "ca_p_product")
    assert (cap.comparator, cap.value, cap.qualitative) == (">", 70.0, "elevated")
    assert w.row("ca_p_product").value.text() == ">70 elevated"
    # words the grid does not know are refused, naming the ones it does; the row shows what is stored
    type_into(qtbot, w.row("ca_p_product").value, ">70 sky-high")
    assert "'sky-high' is not a result in words the grid knows (undetectable, normal" in w.error.message()
    assert w.row("ca_p_product").value.text() == ">70 elevated"


def test_results_in_words_only_and_a_culture_with_its_organism(qtbot, opened):
    # Bilateral breast calciphylaxis without dialysis: "hypoalbuminemia" (no value printed) and a
    # positive culture of breast wound fluid growing Pseudomonas
    name = "bilateral-breast-no-dialysis"
    w, path, case_id = opened(name, {"alb", "cx"})
    src = source_labs(name)
    w.select_timepoint(jsonio.from_document({**_doc(name), "labs": [src["alb"]]}).labs[0].when)
    type_into(qtbot, w.row("albumin").value, "low")
    alb = next(x for x in stored(path, case_id).labs if x.analyte == "albumin")
    assert (alb.value, alb.qualitative, alb.unit) == (src["alb"]["value"], src["alb"]["qualitative"], "")
    assert alb.when.label == src["alb"]["when"]["label"]
    assert w.row("albumin").flag.text() == "L"  # the source's word "low" is its flag
    assert w.row("albumin").flag.toolTip() == "low — the source's word for the result"

    w.select_timepoint(When(label=src["cx"]["when"]["label"]))
    culture = w.row("culture")
    type_into(qtbot, culture.value, "positive")
    culture.value.setFocus()
    qtbot.waitUntil(lambda: w.details.row is culture)
    assert w.details.organism.isEnabled()
    type_into(qtbot, w.details.specimen, src["cx"]["specimen"])
    type_into(qtbot, w.details.organism, src["cx"]["organism"])
    cx = next(x for x in stored(path, case_id).labs if x.analyte == "culture")
    assert (cx.qualitative, cx.specimen, cx.organism) == ("positive", "breast wound fluid", "Pseudomonas")
    assert cx.when.label == "after debridement"
    # a culture has no number: typing one is refused with the catalogue's reason, nothing changes
    type_into(qtbot, culture.value, "5 positive")
    assert "reported in words (qualitative), not as a number" in w.error.message()
    assert culture.value.text() == "positive"
    # the infection rule reads the re-entered culture as the case file's
    assert _finding_ids(assess(stored(path, case_id))) == _finding_ids(assess(published(name)))
    # and the whole results list round-trips through the JSON format
    again = jsonio.loads(jsonio.dumps(stored(path, case_id)))
    assert {(x.analyte, x.qualitative, x.specimen, x.organism) for x in again.labs} == \
        {("albumin", "low", "", ""), ("culture", "positive", "breast wound fluid", "Pseudomonas")}


def test_the_work_up_is_typed_in_the_grid_in_words(qtbot, opened):
    # Huang et al. 2013: "antinuclear antibody, rheumatoid factor, antineutrophil cytoplasmic antibody,
    # antiphospholipid antibody and cryoglobulin were all negative"; "mild proteinuria and hematuria"
    name = "legs-warfarin-hypercalcemia"
    work_up = {"ana", "rf", "anca", "apl", "cryo", "up", "ub"}
    w, path, case_id = opened(name, work_up)
    src = source_labs(name)
    w.select_timepoint(jsonio.from_document({**_doc(name), "labs": [src["ana"]]}).labs[0].when)
    for lab_id in sorted(work_up):
        row = w.row(src[lab_id]["analyte"])
        row.value.setFocus()
        qtbot.waitUntil(lambda row=row: w.details.row is row)
        w.grid_scroll.ensureWidgetVisible(row.value)
        assert row.value.isVisible() and not w.details.organism.isEnabled()  # not a culture
        assert not row.unit.isVisible() and not row.low.isVisible() and not row.high.isVisible()  # words only
        type_into(qtbot, row.value, src[lab_id]["qualitative"])
        if src[lab_id].get("note"):
            type_into(qtbot, w.details.note, src[lab_id]["note"])
    got = {x.analyte: (x.qualitative, x.value, x.unit, x.note) for x in stored(path, case_id).labs
           if x.analyte in {src[i]["analyte"] for i in work_up}}
    assert got == {src[i]["analyte"]: (src[i]["qualitative"], None, "", src[i].get("note", "")) for i in work_up}
    assert w.row("ana").value.text() == "negative"
    # a number for a result the catalogue lists in words is refused with its reason
    type_into(qtbot, w.row("cryoglobulins").value, "3")
    assert "reported in words (qualitative), not as a number" in w.error.message()


def _doc(name: str) -> dict:
    return json.loads((CASES / f"{name}.json").read_text("utf-8"))


def _finding_ids(result) -> list[str]:
    return sorted(f.rule_id for f in result.findings)


@pytest.fixture
def section(qtbot, tmp_path):
    with demo_section(qtbot, tmp_path / "demo.casebook", LabsSection, (1000, 800)) as w:
        yield w


def test_a_typing_error_is_offered_to_be_kept_as_printed_or_read_in_its_likely_unit(qtbot, section):
    """Issue 12: interactive entry stops a typing error and offers, in place, to keep it as printed."""
    path, case_id = section.session.library.path, section.session.case_id
    row = section.row("calcium")
    before = stored(path, case_id).labs
    type_into(qtbot, row.value, "92")
    assert section.error.offers() == ["Keep 92 mg/dL as printed", "Dismiss"]
    assert row.value.text() == "9.2" and stored(path, case_id).labs == before
    qtbot.mouseClick(section.error.offer("Keep 92 mg/dL as printed"), Qt.MouseButton.LeftButton)
    kept = next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset")
    assert (kept.value, kept.unit, kept.as_printed) == (92.0, "mg/dL", True)
    assert section.error.message() == "" and row.value.text() == "92"  # as typed
    assert row.value.font().italic() and "Kept as printed" in row.value.toolTip()
    assert any("as printed" in section.table.item(r, 2).text() for r in range(section.table.rowCount()))
    # the assessment keeps it out of the Ca×P product (9.0 mg/dL phosphate at that timepoint)
    onset = [d for d in assess(stored(path, case_id)).derived if d.kind == "ca_p_product"]
    assert all(abs((d.value or 0) - 92 * 9.0) > 1 for d in onset)
    # unticking "kept as printed" is refused while the value is implausible
    row.value.setFocus()
    qtbot.waitUntil(lambda: section.details.row is row)
    assert section.details.as_printed.isChecked()
    qtbot.mouseClick(section.details.as_printed, Qt.MouseButton.LeftButton, pos=section.details.as_printed.rect().center())
    assert "outside what can be measured" in section.error.message()
    assert section.details.as_printed.isChecked()
    assert next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset").as_printed

    # a calcium of 7.92 "mmol/L" can only be mg/dL: offered to be read so
    section.start_new_timepoint()
    section.select_timepoint(When(offset=30.0))
    row.unit.setCurrentIndex(row.unit.findText("mmol/L"))
    type_into(qtbot, row.value, "7.92")
    assert section.error.offers() == ["Keep 7.92 mmol/L as printed", "Read as 7.92 mg/dL", "Dismiss"]
    assert row.value.text() == ""
    section.error.offer("Read as 7.92 mg/dL").click()
    new = next(x for x in stored(path, case_id).labs if x.analyte == "calcium" and x.when.offset == 30.0)
    assert (new.value, new.unit, new.as_printed) == (7.92, "mg/dL", False)
    # a unit the catalogue does not know: kept as printed only when the author says so
    type_into(qtbot, section.row("potassium").unit.lineEdit(), "mval/L")
    type_into(qtbot, section.row("potassium").value, "4.1")
    assert "'mval/L' is not a unit the catalogue knows" in section.error.message()
    section.error.offer("Keep 4.1 mval/L as printed").click()
    k = next(x for x in stored(path, case_id).labs if x.analyte == "potassium" and x.when.offset == 30.0)
    assert (k.value, k.unit, k.as_printed) == (4.1, "mval/L", True)
    assert section.row("potassium").unit.currentText() == "mval/L"
    # undo takes back the offer's save like any edit
    section.session.undo_stack.undo()
    assert not [x for x in stored(path, case_id).labs if x.analyte == "potassium" and x.when.offset == 30.0]


def test_changing_the_unit_of_a_saved_value_waits_for_its_value(qtbot, section):
    """Issue 16 item 7: refusing (and reverting) a wrong value must not stop the unit of a saved value
    from being changed. Calcium 9.2 mg/dL re-entered as 2.30 mmol/L: picking mmol/L does not save
    9.2 mmol/L (implausible) nor refuse the unit; the row waits for the value, then saves both."""
    path, case_id = section.session.library.path, section.session.case_id
    stack = section.session.undo_stack
    row = section.row("calcium")
    depth = stack.index()
    _pick_unit(qtbot, row, "mmol/L")
    assert row.unit.currentText() == "mmol/L" and row.value.text() == "9.2"
    assert "type the value as reported in mmol/L" in section.error.message()
    assert section.error.offers() == ["Convert 9.2 mg/dL to 2.30 mmol/L", "Cancel"]
    assert next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset").unit == "mg/dL"
    assert row.value.hasFocus() and row.value.selectedText() == "9.2"
    qtbot.keyClicks(row.value, "2.3")
    qtbot.keyClick(row.value, Qt.Key.Key_Return)
    saved = next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset")
    assert (saved.value, saved.unit) == (2.3, "mmol/L")
    assert stack.index() == depth + 1  # value and unit: one change
    assert section.error.message() == "" and row.unit.currentText() == "mmol/L"
    # a wrong value is still refused and reverted after a unit change
    _pick_unit(qtbot, row, "mg/dL")  # 2.3 mg/dL is plausible: read so, conversion offered instead
    assert "now read as 2.3 mg/dL (saved)" in section.error.message()
    section.error.offer("Convert 2.3 mmol/L to 9.2 mg/dL").click()
    saved = next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset")
    assert (saved.value, saved.unit) == (9.2, "mg/dL") and "converted from 2.3 mmol/L" in saved.note
    _pick_unit(qtbot, row, "mmol/L")
    type_into(qtbot, row.value, "23")
    assert "is outside what can be measured" in section.error.message()
    assert (row.value.text(), row.unit.currentText()) == ("9.2", "mg/dL")  # what is stored
    # cancel puts the stored unit back; nothing saved
    _pick_unit(qtbot, row, "mmol/L")
    section.error.offer("Cancel").click()
    assert (row.value.text(), row.unit.currentText(), section.error.message()) == ("9.2", "mg/dL", "")
    assert next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset").unit == "mg/dL"
    # or value and unit typed together, as printed ("mmol/l" is mmol/L): one change
    depth = stack.index()
    type_into(qtbot, row.value, "2.3 mmol/l")
    saved = next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset")
    assert (saved.value, saved.unit) == (2.3, "mmol/l") and stack.index() == depth + 1  # as printed
    assert (row.value.text(), row.unit.currentText()) == ("2.3", "mmol/l")  # as typed
    assert "2.3 mmol/l" in [section.table.item(r, 2).text() + " " + section.table.item(r, 3).text()
                             for r in range(section.table.rowCount())]
    # phosphate 9.0 mg/dL: convert into mmol/L (9.0 × 0.3229 = 2.91 mmol/L; the catalogue's factor)
    p = section.row("phosphate")
    _pick_unit(qtbot, p, "mmol/L")
    section.error.offer("Convert 9.0 mg/dL to 2.91 mmol/L").click()
    ph = next(x for x in stored(path, case_id).labs if x.analyte == "phosphate" and x.value is not None
              and x.unit == "mmol/L")
    assert ph.value == 2.91
    assert stack.undoText().startswith("Convert")


def _pick_unit(qtbot, row, unit: str) -> None:
    """Choose a unit from the row's unit list with the keyboard (one activation)."""
    combo = row.unit
    i = combo.findText(unit)
    assert i >= 0, unit
    combo.setFocus()
    combo.showPopup()
    view = combo.view()
    view.setCurrentIndex(combo.model().index(i, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert combo.currentText() == unit


def test_a_result_the_source_prints_without_a_unit(qtbot, section):
    """A source may print no unit: Al Beladi FI, Saudi J Kidney Dis Transpl 2010;21:323-327, abstract:
    "The serum phosphate was 4.24 mmol/L, calcium was 1.66 mmol/L, parathormone was 38". Emptying the
    unit field was ignored: the row showed no unit while the value stayed saved in the default one.
    Now an emptied unit is a question — keep the value with no unit, as printed, or cancel — and a
    result saved without a unit shows none (not the default)."""
    path, case_id = section.session.library.path, section.session.case_id
    # a new timepoint: the unit emptied before the value is typed
    section.start_new_timepoint()
    section.select_timepoint(When(label="time not stated"))
    row = section.row("pth_intact")
    type_into(qtbot, row.unit.lineEdit(), "")
    type_into(qtbot, row.value, "38")
    assert "38 has no unit. Pick its unit, or keep it as printed" in section.error.message()
    assert section.error.offers() == ["Keep 38 as printed", "Dismiss"]
    assert not [x for x in stored(path, case_id).labs if x.when.label == "time not stated"]  # nothing saved yet
    # taken with the mouse, as an author does: the typing goes on in the row (the button hides with
    # the message; its focus went to the next field of the tab chain, a form further down the page)
    qtbot.mouseClick(section.error.offer("Keep 38 as printed"), Qt.MouseButton.LeftButton)
    assert row.value.hasFocus()
    kept = next(x for x in stored(path, case_id).labs if x.when.label == "time not stated")
    assert (kept.analyte, kept.value, kept.unit, kept.as_printed) == ("pth_intact", 38.0, "", True)
    assert (row.value.text(), row.unit.currentText()) == ("38", "")  # no unit shown, not the default
    assert row.unit.lineEdit().placeholderText() == "no unit"
    assert section.error.message() == ""

    # a saved value's unit emptied: asked, nothing saved until the author says so
    section.select_timepoint(next(x for x in stored(path, case_id).labs if x.id == "lab-pth").when)
    row = section.row("pth_intact")
    assert (row.value.text(), row.unit.currentText()) == ("104", "pg/mL")  # the demo (Smilnak 2022): 104 pg/mL
    type_into(qtbot, row.unit.lineEdit(), "")
    assert "with no unit" in section.error.message()
    assert section.error.offers() == ["Keep 104 with no unit, as printed", "Cancel"]
    assert next(x for x in stored(path, case_id).labs if x.id == "lab-pth").unit == "pg/mL"
    section.error.offer("Cancel").click()
    assert (row.unit.currentText(), section.error.message()) == ("pg/mL", "")
    type_into(qtbot, row.unit.lineEdit(), "")
    section.error.offer("Keep 104 with no unit, as printed").click()
    pth = next(x for x in stored(path, case_id).labs if x.id == "lab-pth")
    assert (pth.value, pth.unit, pth.as_printed) == (104.0, "", True)
    assert row.unit.currentText() == "" and section.error.message() == ""
    # and a unit typed again is read in it (104 pg/mL is plausible): saved, no longer "as printed"
    type_into(qtbot, row.unit.lineEdit(), "pg/mL")
    pth = next(x for x in stored(path, case_id).labs if x.id == "lab-pth")
    assert (pth.value, pth.unit, pth.as_printed) == (104.0, "pg/mL", False)


def test_a_long_message_is_cut_at_a_word_with_the_whole_in_its_tooltip(qtbot, section):
    """The message line has three lines reserved (nothing below moves); a longer message was cut off
    mid-line at the bottom edge. Now it ends at a word with "…", and the tooltip holds all of it."""
    bar = section.error
    long = " ".join(["Parathyroid hormone, intact with no unit: keep 38 as printed if the source prints none."] * 6)
    bar.show_message(long, [("Keep 38 with no unit, as printed", lambda: None), ("Cancel", lambda: None)])
    shown = bar.shown_text()
    assert shown.endswith(" …") and long.startswith(shown[:-2]) and len(shown) < len(long)
    assert bar.message() == long and bar._text.toolTip() == long
    label = bar._text
    fm = label.fontMetrics()
    used = fm.boundingRect(label.contentsRect().adjusted(0, 0, 0, 1000), int(Qt.TextFlag.TextWordWrap), shown)
    assert used.height() <= 3 * fm.lineSpacing()
    # a short one is shown whole
    bar.show_message("Calcium, total: 92 mg/dL is outside what can be measured.")
    assert bar.shown_text() == "Calcium, total: 92 mg/dL is outside what can be measured."
