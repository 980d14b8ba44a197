"""All laboratory values of one or more cases as one long-format CSV, for spreadsheets and statistics.

One row per result: the value and unit as reported, the value in the other unit system, the
reference range actually used (the laboratory's, or the catalogue default — said which), the H/L
flag, and the timepoint as days from day 0. Calendar dates never appear: the cases come in
de-identified.
"""
from __future__ import annotations

from .csvsafe import write_csv
from typing import Iterable

from .. import catalogue
from ..core import labs
from ..model import Case
from ..timing import Timeline, describe

COLUMNS = [
    "case_id", "case_title", "analyte", "analyte_label", "loinc", "comparator", "value", "unit",
    "value_other_system", "unit_other_system", "ref_low", "ref_high", "ref_unit", "ref_source", "flag",
    "expected_abnormal", "dialysis_context", "day", "approximate", "timepoint", "timepoint_label", "note",
]


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.6g}"


def rows(case: Case) -> Iterable[dict[str, str]]:
    tl = Timeline(case)
    analytes = catalogue.analytes()
    for lab in case.labs:
        a = analytes.get(lab.analyte)
        other_u = labs.other_unit(a, lab.unit) if a is not None and lab.unit in a.units else None
        other_v = a.convert(lab.value, lab.unit, other_u) if other_u and lab.value is not None else None
        rr = labs.reference_range(lab, case.patient.sex)
        placed = tl.place(lab.when)
        yield {
            "case_id": case.id, "case_title": case.title, "analyte": lab.analyte,
            "analyte_label": a.label if a else "", "loinc": (a.loinc or "") if a else "",
            "comparator": lab.comparator, "value": _num(lab.value), "unit": lab.unit,
            "value_other_system": _num(other_v), "unit_other_system": other_u or "",
            "ref_low": _num(rr.low) if rr else "", "ref_high": _num(rr.high) if rr else "",
            "ref_unit": rr.unit if rr else "", "ref_source": rr.source if rr else "",
            "flag": labs.flag(lab, case.patient.sex), "expected_abnormal": "yes" if lab.expected_abnormal else "no",
            "dialysis_context": lab.dialysis_context,
            "day": "" if placed is None else f"{placed.day:.6g}",
            "approximate": "" if placed is None else ("yes" if placed.approximate else "no"),
            "timepoint": describe(placed).replace("−", "-"), "timepoint_label": lab.when.label,
            "note": lab.note,
        }


def write_labs_csv(cases: Iterable[Case]) -> str:
    return write_csv(COLUMNS, (row for case in cases for row in rows(case)))
