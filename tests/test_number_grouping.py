"""Numbers typed with their digits grouped, as published case reports print them.

"Painful skin ulcer develops in older woman on dialysis" (Clinical Advisor, August 2012) prints the
patient's intact PTH as "1,251 pg/mL (normal is 14-72 pg/mL)". Typed as printed, the window read it
as 1.251 pg/mL (the comma taken for a decimal comma): a thousand-fold slip, stored without a word and
flagged low. A comma followed by three digits is 1251 in one country and 1.251 in another, so it is
now refused with both readings; grouping that can only be read one way is accepted.
"""
from __future__ import annotations

import pytest

from desktop.gui.formatting import parse_number
from desktop.gui.sections.lab_values import parse_entry, typed_decimals

from gui_helpers import demo_labs, stored, type_into  # noqa: F401 (a fixture)


@pytest.mark.parametrize("typed", ["1,251", "12,500", "-1,251"])
def test_one_comma_before_three_digits_is_refused_with_both_readings(typed):
    with pytest.raises(ValueError) as err:
        parse_number(typed)
    whole, point = typed.replace(",", ""), typed.replace(",", ".")
    assert f"could be {whole}" in str(err.value) and f"or {point}" in str(err.value)


@pytest.mark.parametrize("typed, value, decimals", [
    ("1,251,000", 1251000.0, 0),  # two group commas: no decimal comma reads so
    ("1,251.5", 1251.5, 1),  # a point after the groups: the comma groups
    ("1.251,5", 1251.5, 1),  # groups of points, then a decimal comma
    ("1 251", 1251.0, 0),  # a space between thousands
    ("2,3", 2.3, 1),  # a decimal comma
    ("0,125", 0.125, 3),  # no number written in thousands starts with "0,"
    ("1.025", 1.025, 3),  # the point is always a decimal point (urine specific gravity)
    ("7.8", 7.8, 1),
])
def test_grouping_read_one_way_only_is_accepted(typed, value, decimals):
    assert parse_number(typed) == value
    assert typed_decimals(typed) == decimals


def test_a_lab_entry_as_printed_with_its_unit():
    with pytest.raises(ValueError, match="could be 1251"):
        parse_entry("1,251 pg/mL")
    e = parse_entry("1,251.0 H")
    assert (e.value, e.decimals, e.author_flag) == (1251.0, 1, "H")


def test_the_grid_refuses_1_251_and_keeps_what_is_stored(qtbot, demo_labs):
    labs = demo_labs
    path, case_id = labs.session.library.path, labs.session.case_id
    before = stored(path, case_id).labs
    labs.select_timepoint(next(x for x in before if x.id == "lab-pth").when)  # the demo's PTH, 104 pg/mL
    row = labs.row("pth_intact")
    assert row.value.text() == "104"
    type_into(qtbot, row.value, "1,251")
    assert "could be 1251 (a comma between thousands) or 1.251 (a decimal comma)" in labs.error.message()
    assert stored(path, case_id).labs == before  # nothing saved
    assert row.value.text() == "104"  # the stored value is back in the field
    type_into(qtbot, row.value, "1251")
    pth = next(x for x in stored(path, case_id).labs if x.id == "lab-pth")
    assert (pth.value, pth.unit) == (1251.0, "pg/mL")
    assert labs.error.message() == ""  # the message went with the corrected value


@pytest.mark.parametrize("typed", ["1.3–1.4", "300-400 pg/mL", "between 1.3 and 1.4", "1.3 to 1.4", "1.3 - 1.4"])
def test_a_range_given_for_a_result_is_refused_as_a_range(typed):
    # Sprague, Clin J Am Soc Nephrol 2014 (tests/cases/necrotic-hd-diabetes-af.json): "a Kt/V between
    # 1.3–1.4". Typed into a row, the grid said "'–1.4' is not a result in words it knows".
    from desktop import catalogue
    with pytest.raises(ValueError) as err:
        parse_entry(typed, catalogue.analytes()["pth_intact"])
    assert f"{typed!r} is a range, and a result is one value" in str(err.value)
    assert parse_entry("-5").value == -5.0 and parse_entry("<0.5").comparator == "<"  # not ranges


@pytest.mark.parametrize("typed, word", [("very high", "elevated"), ("markedly elevated", "elevated"),
                                         ("mildly low", "low"), ("450 very high", "elevated")])
def test_a_result_word_with_a_degree_is_told_the_grid_s_word(typed, word):
    # PMC6089724: "Parathyroid hormone was very high". Typed so, the grid listed its words without
    # saying which one meant that; it now names it, and where the source's own words go
    with pytest.raises(ValueError) as err:
        parse_entry(typed)
    assert f"type {word!r}, the grid's word for it" in str(err.value) and "in the result's note" in str(err.value)
    with pytest.raises(ValueError) as err:  # a negation is not the word it negates
        parse_entry("not elevated")
    assert "the grid's word" not in str(err.value)
