"""Results typed as journals print them, in two units: Robinson, Augustine and Korman, "Cinacalcet for
the treatment of calciphylaxis", Arch Dermatol 2007;143:152-154 (doi:10.1001/archderm.143.2.152):
"his calcium level was 7.9 mg/dL (2.0 mmol/L); phosphorus level, 5.5 mg/dL (1.8 mmol/L); ... urea
nitrogen level, 39 mg/dL (13.9 mmol/L); creatinine level, 4.0 mg/dL (305.0 μmol/L)".

Typed into the grid, "7.9 mg/dL (2.0 mmol/L)" stopped the window's handler with an uncaught error (the
"L)" at the end was taken for the authors' mark L), and even "2.0 mmol/L" was refused ("'mmol/' is not
a result in words"): the L of the unit was read as the mark. The two printings of one result are now
checked against each other; the article's creatinine pair is not one result (4.0 mg/dL is about
354 μmol/L; 305.0 μmol/L is about 3.45 mg/dL), and is refused with the first converted.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop import catalogue
from desktop.gui.sections.lab_values import agrees, parse_entry

from gui_helpers import demo_labs, stored  # noqa: F401 (a fixture)

A = catalogue.analytes()


def test_a_unit_ending_in_l_is_not_the_authors_mark():
    e = parse_entry("2.0 mmol/L", A["calcium"])
    assert (e.value, e.unit, e.author_flag) == (2.0, "mmol/L", None)
    e = parse_entry("13.9 mmol/L", A["bun"])
    assert (e.value, e.author_flag) == (13.9, None)
    for typed, mark in (("6.9 H", "H"), ("6.9 (L)", "L"), ("6.9(H)", "H"), ("7.9 mg/dL (2.0 mmol/L) L", "L")):
        assert parse_entry(typed, A["calcium"]).author_flag == mark, typed


@pytest.mark.parametrize("analyte, first, unit, second, other_unit", [
    ("calcium", 7.9, "mg/dL", 2.0, "mmol/L"),
    ("phosphate", 5.5, "mg/dL", 1.8, "mmol/L"),
])
def test_the_articles_pairs_in_brackets_agree(analyte, first, unit, second, other_unit):
    e = parse_entry(f"{first} {unit} ({second} {other_unit})", A[analyte])
    assert (e.value, e.unit, e.also) == (first, unit, (second, 1, other_unit))
    assert agrees(A[analyte], e.value, e.decimals, unit, *e.also)[0]


def test_the_articles_creatinine_pair_does_not_agree():
    e = parse_entry("4.0 mg/dL (305.0 μmol/L)", A["creatinine"])
    same, converted = agrees(A["creatinine"], e.value, e.decimals, e.unit, *e.also)
    assert not same and round(converted) == 354  # 4.0 × 88.4


@pytest.mark.parametrize("typed, words", [
    ("7.9 (2.0)", "give its unit"),
    ("7.9 mg/dL (2.0 mval/L)", "'mval/L' in brackets is not a unit the catalogue knows"),
    ("7.8 (8.4-10.2)", "looks like a reference range"),
])
def test_what_cannot_be_read_in_brackets_says_why(typed, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        parse_entry(typed, A["calcium"])


def _paste(qtbot, field, text: str) -> None:
    """As pasting does (keyClicks types ASCII only: 'μ'), then Return."""
    field.setFocus()
    field.selectAll()
    field.insert(text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_the_grid_saves_an_agreeing_pair_and_refuses_the_other(qtbot, demo_labs):
    labs = demo_labs
    path, case_id = labs.session.library.path, labs.session.case_id
    labs.select_timepoint(next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset").when)
    _paste(qtbot, labs.row("calcium").value, "7.9 mg/dL (2.0 mmol/L)")
    ca = next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset")
    assert (ca.value, ca.unit, ca.author_flag) == (7.9, "mg/dL", None)
    assert labs.error.message() == ""

    before = stored(path, case_id).labs
    _paste(qtbot, labs.row("creatinine").value, "4.0 mg/dL (305.0 μmol/L)")
    message = labs.error.message()
    assert "4.0 mg/dL and 305.0 μmol/L in brackets are not the same result" in message
    assert "4.0 mg/dL is 353.6 μmol/L" in message
    assert stored(path, case_id).labs == before and labs.row("creatinine").value.text() == ""

    _paste(qtbot, labs.row("calcium").value, "2.0 mmol/L")  # the unit's L is no mark
    ca = next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset")
    assert (ca.value, ca.unit, ca.author_flag) == (2.0, "mmol/L", None)


def test_a_unit_the_catalogue_does_not_know_typed_after_the_value(qtbot, demo_labs):
    labs = demo_labs
    """Agarwal, Ozluk and Boparai, Indian J Nephrol (doi:10.4103/ijn.IJN_85_21): "erythrocyte sedimentation
    rate (ESR; 102/mm)". Typed as printed, the grid said "'/mm' is not a result in words the grid knows";
    it is a unit the catalogue does not know (ESR is in mm/h), refused as one picked in the unit field
    is, with the value offered to be kept as printed."""
    path, case_id = labs.session.library.path, labs.session.case_id
    labs.select_timepoint(next(x for x in stored(path, case_id).labs if x.id == "lab-calcium-onset").when)
    _paste(qtbot, labs.row("esr").value, "102/mm")
    assert "'/mm' is not a unit the catalogue knows" in labs.error.message()
    assert "result in words" not in labs.error.message()
    labs.error.offer("Keep 102 /mm as printed").click()
    esr = next(x for x in stored(path, case_id).labs if x.analyte == "esr")
    assert (esr.value, esr.unit, esr.as_printed) == (102.0, "/mm", True)
