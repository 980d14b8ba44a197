"""Units: conversions, round trips, reference ranges, flags and display."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop import catalogue
from desktop.catalogue import UnknownUnit
from desktop.core import labs as L
from desktop.model import LabResult

# numbers in units the catalogue converts (not a result the list does not have: it keeps its printed unit)
ANALYTES = {k: a for k, a in catalogue.analytes().items() if not a.qualitative_only and not a.free}


@pytest.mark.parametrize("code, value, unit, to_unit, expected", [
    ("calcium", 9.2, "mg/dL", "mmol/L", 9.2 * 0.2495),
    ("phosphate", 9.0, "mg/dL", "mmol/L", 9.0 * 0.3229),
    ("albumin", 2.9, "g/dL", "g/L", 29.0),
    ("pth_intact", 104.0, "pg/mL", "pmol/L", 104.0 / 9.43),
    ("creatinine", 1.0, "mg/dL", "µmol/L", 88.4),
    ("bun", 40.0, "mg/dL", "mmol/L", 40 * 0.357),
    ("haemoglobin", 7.3, "g/dL", "g/L", 73.0),
    ("vitamin_d_25oh", 20.0, "ng/mL", "nmol/L", 20 * 2.496),
    ("wbc", 6.8, "K/μL", "10^9/L", 6.8),  # Greek mu, as the seed writes it
])
def test_domain_file_factors(code, value, unit, to_unit, expected):
    lab = LabResult(analyte=code, value=value, unit=unit)
    assert L.value_in(lab, to_unit) == pytest.approx(expected, rel=2e-3)


def test_urea_in_mg_dl_is_not_blood_urea_nitrogen():
    # Many sources outside the US print serum urea, not BUN: "urea 150 mg/dL" is urea's own mass
    # (CH4N2O, 60.06 g/mol: 150 / 6.006 = 24.97 mmol/L), the same substance as a BUN of 70 mg/dL
    # (70 x 0.357 = 24.99 mmol/L, domain file section 5), not a BUN of 150 mg/dL.
    urea = LabResult(analyte="urea", value=150.0, unit="mg/dL")
    assert L.value_in(urea, "mmol/L") == pytest.approx(150 / 6.006, rel=1e-3)
    bun = LabResult(analyte="bun", value=70.0, unit="mg/dL")
    assert L.value_in(bun, "mmol/L") == pytest.approx(L.value_in(urea, "mmol/L"), rel=2e-3)
    assert catalogue.analytes()["urea"].label == "Urea" and catalogue.analytes()["urea"].accepts("mmol/L")


def test_unknown_unit_and_analyte_are_clear_errors():
    with pytest.raises(UnknownUnit, match=r"Calcium, total: unit 'mg/L' is not accepted; use one of mg/dL, mmol/L"):
        L.canonical_value(LabResult(analyte="calcium", value=9.2, unit="mg/L"))
    with pytest.raises(L.UnknownAnalyte, match="unknown analyte 'calcium_total'"):
        L.canonical_value(LabResult(analyte="calcium_total", value=9.2, unit="mg/dL"))
    with pytest.raises(L.MissingValue, match="no value"):
        L.canonical_value(LabResult(analyte="calcium", value=None, unit="mg/dL"))


@st.composite
def analyte_value_units(draw):
    code = draw(st.sampled_from(sorted(ANALYTES)))
    a = ANALYTES[code]
    lo, hi = a.plausible["low"], a.plausible["high"]
    canonical = draw(st.floats(min_value=max(lo, 1e-3), max_value=hi, allow_nan=False))
    unit = draw(st.sampled_from(sorted(a.units)))
    to_unit = draw(st.sampled_from(sorted(a.units)))
    return a, a.from_canonical(canonical, unit), unit, to_unit


@settings(max_examples=300, deadline=None)
@given(analyte_value_units())
def test_conversion_round_trip(args):
    a, value, unit, to_unit = args
    there = a.convert(value, unit, to_unit)
    back = a.convert(there, to_unit, unit)
    assert back == pytest.approx(value, rel=1e-9, abs=1e-9)
    assert a.to_canonical(value, unit) == pytest.approx(a.to_canonical(there, to_unit), rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(analyte_value_units())
def test_flag_is_the_same_in_either_unit(args):
    a, value, unit, to_unit = args
    lab = LabResult(analyte=a.code, value=value, unit=unit)
    other = LabResult(analyte=a.code, value=a.convert(value, unit, to_unit), unit=to_unit)
    rr = L.reference_range(lab)
    if rr is not None:
        edge = [v for v in (rr.low, rr.high) if v is not None]
        if any(abs(value - e) <= 1e-9 * max(1.0, abs(e)) for e in edge):
            return  # exactly on a limit: float rounding may fall either way
    assert L.flag(lab) == L.flag(other)


def test_reference_range_reported_and_default():
    reported = LabResult(analyte="albumin", value=2.9, unit="g/dL", ref_low=3.4, ref_high=5.0)
    assert L.reference_range(reported) == L.RefRange(3.4, 5.0, "g/dL", "reported")
    assert L.flag(reported) == "L"
    default_si = LabResult(analyte="albumin", value=29.0, unit="g/L")
    rr = L.reference_range(default_si)
    assert rr.is_default and rr.low == pytest.approx(34.0) and rr.high == pytest.approx(50.0)
    assert L.format_range(rr) == "34–50 g/L"
    assert L.flag(default_si) == "L"
    assert L.reference_range(LabResult(analyte="crp", value=5.0, unit="mg/L")) is None
    assert L.flag(LabResult(analyte="crp", value=500.0, unit="mg/L")) == ""
    hba1c = LabResult(analyte="hba1c", value=6.9, unit="%")
    assert L.flag(hba1c) == "H" and L.format_range(L.reference_range(hba1c)) == "≤ 5.6%"


def test_comparators_do_not_flag_against_their_direction():
    assert L.flag(LabResult(analyte="crp", value=3.0, unit="mg/L", comparator="<", ref_low=1.0, ref_high=5.0)) == ""
    assert L.flag(LabResult(analyte="crp", value=0.5, unit="mg/L", comparator="<", ref_low=1.0, ref_high=5.0)) == "L"
    assert L.flag(LabResult(analyte="crp", value=0.5, unit="mg/L", comparator=">", ref_low=1.0, ref_high=5.0)) == ""
    assert L.flag(LabResult(analyte="crp", value=300.0, unit="mg/L", comparator=">", ref_low=0.0, ref_high=5.0)) == "H"


def test_display_keeps_reported_unit_and_shows_the_other_system():
    lab = LabResult(analyte="calcium", value=9.2, unit="mg/dL")
    assert L.format_lab(lab) == "9.2 mg/dL"
    assert L.format_lab(lab, other_system=True) == "9.2 mg/dL (2.30 mmol/L)"
    si = LabResult(analyte="calcium", value=2.3, unit="mmol/L")
    assert L.format_lab(si, other_system=True) == "2.30 mmol/L (9.2 mg/dL)"
    assert L.format_lab(LabResult(analyte="phosphate", value=9.0, unit="mg/dL")) == "9.0 mg/dL"
    assert L.format_lab(LabResult(analyte="potassium", value=5.1, unit="mmol/L"), other_system=True) == "5.1 mmol/L"
    assert L.format_lab(LabResult(analyte="hba1c", value=6.9, unit="%"), other_system=True) == "6.9% (52 mmol/mol)"
    assert L.format_lab(LabResult(analyte="crp", value=0.5, unit="mg/L", comparator="<")) == "<0.5 mg/L"
    assert L.format_lab(LabResult(analyte="calcium", value=None, unit="mg/dL")) == "no value"


def test_other_unit():
    a = ANALYTES["pth_intact"]
    assert L.other_unit(a, "pg/mL") == "pmol/L" and L.other_unit(a, "ng/L") == "pmol/L"
    assert L.other_unit(a, "pmol/L") == "pg/mL"
    assert L.other_unit(ANALYTES["potassium"], "mEq/L") is None
    assert L.other_unit(ANALYTES["calcium_ionised"], "mmol/L") == "mg/dL"
    with pytest.raises(UnknownUnit):
        L.other_unit(a, "mg/dL")


@pytest.mark.parametrize("value, decimals, text", [
    (13.649999999999999, 1, "13.7"), (9.98, 2, "9.98"), (82.8, 1, "82.8"), (-61.0, 0, "−61"),
    (9.2, None, "9.2"), (104.0, None, "104"), (-0.04, 1, "0.0"), (2.5e-7, None, "0.00000025"),
])
def test_format_number(value, decimals, text):
    assert L.format_number(value, decimals) == text


def test_every_analyte_entry_is_complete():
    required = {"code", "label", "loinc", "canonical_unit", "conventional_unit", "si_unit", "units",
                "reference_range", "plausible", "conversion_source"}
    raw = catalogue.load_json("catalogues", "analytes.json")["analytes"]
    codes = {a["code"] for a in raw}
    assert {"calcium", "calcium_ionised", "phosphate", "pth_intact", "albumin", "bun", "creatinine", "potassium",
            "wbc", "haemoglobin", "hba1c", "alp", "crp", "vitamin_d_25oh", "bicarbonate", "glucose"} <= codes
    for a in raw:
        assert required <= set(a), a["code"]
        if a.get("free"):  # a result the list does not have: named as printed, no unit, range or bounds of its own
            assert (a["code"], a["units"], a["plausible"], a["reference_range"], a["loinc"]) == ("other", {}, None, None, None)
            continue
        assert a["plausible"]["unit"] in a["units"]
        for unit, conv in a["units"].items():
            assert conv["scale"] > 0 and isinstance(conv["decimals"], int), (a["code"], unit)
        if a["reference_range"] is not None:
            assert a["reference_range"]["unit"] in a["units"]
    by_code = {a["code"]: a for a in raw}
    assert by_code["vitamin_d_25oh"]["loinc"] is None  # conflicting codes in the domain file: left uncoded
    assert by_code["calcium"]["loinc"] == "17861-6"


def test_a_calcium_of_92_is_implausible():
    a = ANALYTES["calcium"]
    assert not a.plausible["low"] <= a.to_canonical(92.0, "mg/dL") <= a.plausible["high"]
    assert a.plausible["low"] <= a.to_canonical(9.2, "mg/dL") <= a.plausible["high"]


def test_a_default_range_in_a_unit_of_the_same_numbers_keeps_its_digits():
    """The seed's intact PTH range is 18.4–80.1 pg/mL; ng/L is the same number (1 pg/mL = 1 ng/L), so
    a result reported in ng/L (Huang et al. 2013: 6.32 ng/L) is judged against 18.4–80.1 ng/L, not
    a range rounded to 18–80; a real conversion (pmol/L, ÷ 9.43) is rounded to its unit's decimals."""
    from desktop.core import labs as L
    from desktop.model import LabResult
    assert L.format_range(L.reference_range(LabResult(analyte="pth_intact", value=6.32, unit="ng/L"))) == "18.4–80.1 ng/L"
    assert L.format_range(L.reference_range(LabResult(analyte="pth_intact", value=1, unit="pmol/L"))) == "2.0–8.5 pmol/L"
