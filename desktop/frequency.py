"""How often a medicine or treatment is given, as the source gives it: N times a day, N times a
week, every N hours, or as needed. The rate itself is held in one number the rules read
(``Treatment.times_per_week``, ``Medication.doses_per_day``); ``frequency_basis`` keeps how it was
given, so "every 8 hours" is printed and exported as that, not as "21 times a week". No Qt."""
from __future__ import annotations

import re
from typing import Any, get_args

from .model import FrequencyBasis

BASES: tuple[str, ...] = get_args(FrequencyBasis)
LABELS = {"per_day": "times a day", "per_week": "times a week", "every_hours": "every N hours",
          "as_needed": "as needed"}
_PER = {"day": 1.0, "week": 7.0}  # the held rate's period in days


def _tidy(x: float) -> float:
    return float(round(x, 6))


def given_number(rate: float | None, basis: str | None, rate_unit: str) -> float | None:
    """The number the source gives for a held ``rate`` (per ``rate_unit``, "day" or "week"):
    3 for "3 times a day", 8 for "every 8 hours"; None for as needed or no rate."""
    basis = basis or ("per_week" if rate_unit == "week" else "per_day")
    if rate is None or basis == "as_needed":
        return None
    per_day = rate / _PER[rate_unit]
    if basis == "per_day":
        return _tidy(per_day)
    if basis == "per_week":
        return _tidy(per_day * 7)
    return _tidy(24 / per_day) if per_day else None  # every_hours


def rate_from(number: float | None, basis: str, rate_unit: str) -> float | None:
    """The rate to hold (per ``rate_unit``) for ``number`` given as ``basis``. Raises ValueError
    for a frequency that cannot be (every 0 hours)."""
    if basis == "as_needed" or number is None:
        return None
    if number < 0:
        raise ValueError("a frequency cannot be negative")
    if basis == "per_day":
        per_day = number
    elif basis == "per_week":
        per_day = number / 7
    else:
        if number <= 0:
            raise ValueError("every 0 hours is not a frequency")
        per_day = 24 / number
    return _tidy(per_day * _PER[rate_unit])


def _num(x: float) -> str:
    return f"{x:g}"


def words(rate: float | None, basis: str | None, rate_unit: str) -> str:
    """The frequency in words: 'three times a day', 'every 8 hours', 'as needed', '' when unknown."""
    if basis == "as_needed":
        return "as needed"
    n = given_number(rate, basis, rate_unit)
    if n is None:
        return ""
    basis = basis or ("per_week" if rate_unit == "week" else "per_day")
    if basis == "every_hours":
        return "every hour" if n == 1 else f"every {_num(n)} hours"
    per = "a day" if basis == "per_day" else "a week"
    times = {1: "once", 2: "twice", 3: "three times"}.get(n, f"{_num(n)} times") if n == int(n) else f"{_num(n)} times"
    return f"{times} {per}"


# a schedule in words that already says how often: "thrice weekly", "three times a week", "daily",
# "every 8 hours", "twice a day", "2x/week", "as needed", "TIW", "q8h"
_HOW_OFTEN = re.compile(
    r"\b(daily|weekly|fortnightly|monthly|nightly|hourly|once|twice|thrice|times|as needed|prn|alternate|"
    r"od|bd|bid|tid|tds|qid|qds|qd|qod|tiw|biw|q\s?\d+\s?h)\b"
    r"|\b(a|per|every|each|/)\s?(other\s)?(day|week|wk|month|hours?|h)\b|/\s?(d|day|wk|week)\b|\d\s?x\b",
    re.IGNORECASE)


def says_how_often(text: str) -> bool:
    """Whether a schedule written in words already says how often ("thrice weekly during dialysis")."""
    return bool(_HOW_OFTEN.search(text or ""))


def schedule_text(schedule: str, rate: float | None, basis: str | None, rate_unit: str) -> str:
    """A schedule as the author wrote it, with the recorded frequency after it unless the words
    already say how often: "after each session, three times a week"; the frequency alone when no
    words are given; '' when neither is recorded. What is recorded is printed, and said once."""
    schedule = (schedule or "").strip()
    freq = words(rate, basis, rate_unit)
    if not schedule:
        return freq
    if not freq or says_how_often(schedule):
        return schedule
    return f"{schedule}, {freq}"


def fhir_timing(rate: float | None, basis: str | None, rate_unit: str) -> dict[str, Any]:
    """The FHIR R4 Dosage elements for the frequency: ``timing.repeat`` (frequency/period/
    periodUnit) or ``asNeededBoolean``."""
    if basis == "as_needed":
        return {"asNeededBoolean": True}
    n = given_number(rate, basis, rate_unit)
    if not n:
        return {}
    basis = basis or ("per_week" if rate_unit == "week" else "per_day")
    if basis == "every_hours":
        return {"timing": {"repeat": {"frequency": 1, "period": n, "periodUnit": "h"}}}
    unit = "d" if basis == "per_day" else "wk"
    if float(n).is_integer():
        return {"timing": {"repeat": {"frequency": int(n), "period": 1, "periodUnit": unit}}}
    days = 1 if unit == "d" else 7
    return {"timing": {"repeat": {"frequency": 1, "period": round(days / n, 3), "periodUnit": "d"}}}


def from_fhir(dosage: dict, rate_unit: str) -> tuple[float | None, str | None]:
    """(rate per ``rate_unit``, basis) read back from a FHIR Dosage written by :func:`fhir_timing`
    (or by another system using the same elements); (None, None) when it gives no frequency. A
    weekly rate of a treatment keeps basis None (per week is a treatment's default)."""
    if dosage.get("asNeededBoolean") is True:
        return None, "as_needed"
    rep = (dosage.get("timing") or {}).get("repeat") or {}
    unit, period, f = rep.get("periodUnit"), rep.get("period"), rep.get("frequency") or 1
    if unit not in ("h", "d", "wk") or not period:
        return None, None
    per_day = f * {"h": 24.0, "d": 1.0, "wk": 1 / 7}[unit] / period
    if unit == "h":
        basis = "every_hours" if f == 1 else "per_day"
    elif unit == "d":
        basis = "per_day" if period == 1 else ("per_week" if rate_unit == "week" else "per_day")
    else:
        basis = "per_week"
    if rate_unit == "week" and basis == "per_week":
        basis = None
    return _tidy(per_day * _PER[rate_unit]), basis
