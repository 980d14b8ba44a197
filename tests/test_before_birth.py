"""A time placed before the patient's birth is reported by the assessment (data quality, "Impossible
order of events"), naming each such time. From the public case of Clinical Advisor, August 2012: a
64-year-old woman "on hemodialysis for four years" — 4 years before presentation, or 1461 days; the
same 1461 entered in years is about 1,461 years before her birth."""
from __future__ import annotations

import copy
from pathlib import Path

from desktop import jsonio
from desktop.core import assess
from desktop.model import When

CASE = Path(__file__).parent / "cases" / "breast-hd-woman.json"


def _case():
    return jsonio.loads(CASE.read_text("utf-8"))


def _before_birth(case):
    return [f for f in assess(case).by_rule("dq-event-order") if "before the patient's birth" in f.message]


def test_four_years_of_dialysis_as_printed_is_not_before_birth():
    case = _case()
    assert (case.patient.age_years, case.patient.dialysis_start.offset, case.patient.dialysis_start.precision) == (
        64, -4.0, "year")
    assert not _before_birth(case)
    case.patient.dialysis_start = When(offset=-1461, precision="day")  # the same four years in days
    assert not _before_birth(case)


def test_the_days_typed_as_years_are_reported_with_the_time_named():
    case = _case()
    case.patient.dialysis_start = When(offset=-1461, precision="year")
    found = _before_birth(case)
    assert len(found) == 1
    f = found[0]
    assert f.message.startswith("1 time is recorded before the patient's birth (aged 64 at the presentation, day 0)")
    assert "patient.dialysis_start" in [e.ref for e in f.evidence]


def test_every_kind_of_time_is_checked_and_the_age_is_the_bound():
    case = _case()
    far = When(offset=-70, precision="year")  # 70 years before a 64-year-old's presentation
    case.medications[0].start = copy.deepcopy(far)
    case.treatments[0].start = copy.deepcopy(far)
    case.lesions[0].onset = copy.deepcopy(far)
    refs = [e.ref for f in _before_birth(case) for e in f.evidence]
    assert {"medications/m-warf", "treatments/t-sts-1", "lesions/l-breast"} <= set(refs)
    # 64 years before is still within her life (born 64 to 65 years before the presentation)
    case = _case()
    case.medications[0].start = When(offset=-64, precision="year")
    assert not _before_birth(case)
    case.patient.age_years = None  # no age: nothing to compare with
    case.medications[0].start = far
    assert not _before_birth(case)
