"""Unit-aware helpers for laboratory results, shared by the core, the GUI and the report writers.

A result keeps the unit it was reported in; computations use the analyte's canonical unit
(resources/catalogues/analytes.json) and displays show the reported unit, optionally followed by
the value in the other unit system. An unknown analyte or unit is a clear error, never a guess.
"""
from __future__ import annotations

from dataclasses import dataclass
import math
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Literal

from .. import catalogue
from ..catalogue import Analyte, UnknownUnit
from ..model import LabResult

Flag = Literal["H", "L", ""]
_WIDE = Context(prec=80)  # enough digits to quantize any finite float a form can hold


class UnknownAnalyte(ValueError):
    pass


class MissingValue(ValueError):
    pass


@dataclass(frozen=True)
class RefRange:
    """A reference range in one unit; either end may be open (None)."""
    low: float | None
    high: float | None
    unit: str
    source: str  # "reported" (the laboratory's own) or "default (<source>)" from the catalogue
    decimals: int | None = None  # display decimals when converted from another unit

    @property
    def is_default(self) -> bool:
        return self.source != "reported"


def analyte_of(lab: LabResult) -> Analyte:
    try:
        return catalogue.analytes()[lab.analyte]
    except KeyError:
        raise UnknownAnalyte(f"unknown analyte {lab.analyte!r}; see resources/catalogues/analytes.json") from None


def canonical_value(lab: LabResult) -> float:
    """The result in its analyte's canonical unit. Raises UnknownAnalyte, UnknownUnit or MissingValue."""
    a = analyte_of(lab)
    if lab.value is None:
        raise MissingValue(f"{a.label}: the result has no value")
    return a.to_canonical(lab.value, lab.unit)


def value_in(lab: LabResult, unit: str) -> float:
    """The result converted into ``unit`` (any unit the analyte accepts)."""
    a = analyte_of(lab)
    if lab.value is None:
        raise MissingValue(f"{a.label}: the result has no value")
    return a.convert(lab.value, lab.unit, unit)


def other_unit(a: Analyte, unit: str) -> str | None:
    """The unit of the other system (conventional <-> SI) for ``unit``, or None when the analyte is
    reported the same way in both systems."""
    if a.free:  # a result the catalogue does not list: only ever in the unit it was printed in
        return None
    if not a.accepts(unit):
        raise UnknownUnit(f"{a.label}: unit {unit!r} is not accepted; use one of {', '.join(a.units)}")
    unit = a.unit_of(unit)
    conv = a.units[unit]
    same = lambda u: u in a.units and _same_scale(a.units[u], conv)  # noqa: E731
    if a.conventional_unit == a.si_unit:
        return None
    if unit == a.si_unit or (unit != a.conventional_unit and same(a.si_unit) and not same(a.conventional_unit)):
        return a.conventional_unit
    return a.si_unit


def _same_scale(c1: dict, c2: dict) -> bool:
    return c1["scale"] == c2["scale"] and c1["offset"] == c2["offset"]


def reference_range(lab: LabResult, sex: str | None = None) -> RefRange | None:
    """The reporting laboratory's range when recorded, else the catalogue's default converted into
    the lab's unit; None when neither exists (or the lab's analyte/unit is unknown). A default that
    the source gives for one sex only (haemoglobin 13–17 g/dL for men) applies only to that sex
    when ``sex`` is given ("unknown" included); callers that pass none keep the old behaviour."""
    if lab.ref_low is not None or lab.ref_high is not None:
        return RefRange(lab.ref_low, lab.ref_high, lab.unit, "reported")
    a = catalogue.analytes().get(lab.analyte)
    if a is None or a.reference_range is None or not a.accepts(lab.unit):
        return None
    rr = a.reference_range
    if rr.get("sex") is not None and sex is not None and rr["sex"] != sex:
        return None  # a caller that passes no sex (None) gets the default as before
    conv = lambda v: None if v is None else a.convert(v, rr["unit"], lab.unit)  # noqa: E731
    # a range in a unit of the same numbers (ng/L for pg/mL) keeps the source's own digits; only a
    # real conversion is rounded to the unit's usual decimals
    mine, theirs = a.units.get(a.unit_of(lab.unit) or "", {}), a.units.get(rr["unit"], {})
    same = (mine.get("scale"), mine.get("offset")) == (theirs.get("scale"), theirs.get("offset"))
    decimals = None if same else unit_decimals(a, lab.unit)
    return RefRange(conv(rr.get("low")), conv(rr.get("high")), lab.unit,
                    f"default ({rr.get('source', 'catalogue')})", decimals)


def known_above(value: float, comparator: str, limit: float) -> bool | None:
    """Whether a result is above ``limit``, honouring its comparator: '> 1000' is above 1000,
    '< 400' is not known to be above 300 (None), '< 250' is known not to be (False)."""
    if comparator == "=":
        return value > limit
    if comparator in (">", ">="):
        return True if (value >= limit if comparator == ">" else value > limit) else None
    return False if value <= limit else None  # "<" or "<="


def known_below(value: float, comparator: str, limit: float) -> bool | None:
    """Whether a result is below ``limit``, honouring its comparator (the mirror of known_above)."""
    if comparator == "=":
        return value < limit
    if comparator in ("<", "<="):
        return True if (value <= limit if comparator == "<" else value < limit) else None
    return False if value >= limit else None  # ">" or ">="


_QUALITATIVE_FLAG = {"elevated": "H", "low": "L", "undetectable": "L"}


def flag(lab: LabResult, sex: str | None = None) -> Flag:
    """'H' above, 'L' below the reference range (the lab's, else the default), '' otherwise or when
    there is no range or no usable value. Comparators are honoured ('> 1000' is above a high end of
    80; '< 400' is not known to be). Without a range, the source's own H/L mark or its words
    ("elevated", "low") decide."""
    if lab.value is None:
        if lab.qualitative in ("elevated", "low") and lab.author_flag is None:
            return _QUALITATIVE_FLAG[lab.qualitative]
        return lab.author_flag if lab.author_flag in ("H", "L") else ""
    try:
        rr = reference_range(lab, sex)
    except UnknownUnit:
        return ""
    if rr is None or (rr.low is None and rr.high is None):
        if lab.author_flag in ("H", "L"):
            return lab.author_flag
        if lab.qualitative in ("elevated", "low"):
            return _QUALITATIVE_FLAG[lab.qualitative]
        return ""
    if rr.high is not None and lab.value > rr.high and lab.comparator not in ("<", "<="):
        return "H"
    if rr.low is not None and lab.value < rr.low and lab.comparator not in (">", ">="):
        return "L"
    return ""


# --- formatting --------------------------------------------------------------------------------

def format_number(value: float, decimals: int | None = None) -> str:
    """A number for display: half-up rounding to ``decimals`` (13.65 -> '13.7'), or the shortest
    form that keeps the value as entered when ``decimals`` is None (9.2 -> '9.2'). Minus is U+2212."""
    if not math.isfinite(value):
        return "not a number" if math.isnan(value) else ("−∞" if value < 0 else "∞")
    if decimals is None:
        if abs(value) < 1e15 and value == int(value):
            return str(int(value)).replace("-", "−")  # the common case, without the cost of formatting
        text = f"{round(value, 9):.10g}"
        if "e" in text:
            text = format(Decimal(repr(value)), "f")
    else:
        q = Decimal(repr(round(value, 9))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP,
                                                    context=_WIDE)
        text = f"{q:f}"
        if text.startswith("-") and Decimal(text) == 0:
            text = text[1:]
    return text.replace("-", "−")


def rounded(value: float, decimals: int) -> float:
    """``value`` rounded half-up to ``decimals``, exactly as :func:`format_number` shows it: the one
    rounding a derived value gets, so the table, the tier, the evidence and the PDF agree."""
    return float(format_number(value, decimals).replace("−", "-"))


def join_unit(number: str, unit: str) -> str:
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def format_value(value: float, unit: str, comparator: str = "=", decimals: int | None = None) -> str:
    """'9.2 mg/dL', '<0.5 mg/L', '6.9%'."""
    prefix = "" if comparator == "=" else {"<=": "≤", ">=": "≥"}.get(comparator, comparator)
    return join_unit(prefix + format_number(value, decimals), unit)


def unit_decimals(a: Analyte, unit: str) -> int | None:
    return a.units.get(a.unit_of(unit) or unit, {}).get("decimals")


def reported_number(lab: LabResult) -> str:
    """The value as reported, with at least the decimals usual for its unit, so a phosphate of 9.0
    mg/dL reads '9.0' (a float does not keep the trailing zero), and the comparator ('<0.5')."""
    if lab.value is None:
        return qualitative_text(lab) or "no value"
    if lab.decimals is not None:  # as printed or typed
        return format_value(lab.value, "", lab.comparator, max(lab.decimals, _decimals_of(lab.value)))
    a = catalogue.analytes().get(lab.analyte)
    dec = unit_decimals(a, lab.unit) if a is not None else None
    decimals = None if dec is None else max(dec, _decimals_of(lab.value))
    return format_value(lab.value, "", lab.comparator, decimals)


def format_lab(lab: LabResult, *, other_system: bool = False) -> str:
    """The result as reported ('9.2 mg/dL'), with the other system in brackets when asked and the
    analyte has one ('9.2 mg/dL (2.30 mmol/L)'). A result without a value reads 'no value'."""
    if lab.value is None:
        return qualitative_text(lab) or "no value"
    text = join_unit(reported_number(lab), lab.unit)
    if lab.qualitative:
        text += f" ({qualitative_text(lab)})"
    a = catalogue.analytes().get(lab.analyte)
    if other_system:
        if a is not None and a.accepts(lab.unit):
            other = other_unit(a, lab.unit)
            if other is not None:
                v = a.convert(lab.value, lab.unit, other)
                text += f" ({format_value(v, other, lab.comparator, unit_decimals(a, other))})"
    return text


_QUALITATIVE_WORDS = {"undetectable": "undetectable", "normal": "normal", "elevated": "elevated", "low": "low",
                      "positive": "positive", "negative": "negative", "no_growth": "no growth"}


def qualitative_text(lab: LabResult) -> str:
    """The source's words for a result: 'positive (Pseudomonas aeruginosa, wound)', 'undetectable'."""
    if not lab.qualitative:
        return ""
    text = _QUALITATIVE_WORDS[lab.qualitative]
    extra = [x for x in (lab.organism, lab.specimen) if x]
    return f"{text} ({', '.join(extra)})" if extra else text


def format_range(rr: RefRange | None) -> str:
    """'3.4–5.0 g/dL', '≤ 5.6%', '≥ 4 K/µL', or 'no range'."""
    if rr is None or (rr.low is None and rr.high is None):
        return "no range"
    ends = [v for v in (rr.low, rr.high) if v is not None]
    # both ends with the same decimals, so a range reads '3.4–5.0', not '3.4–5'
    decimals = rr.decimals if rr.decimals is not None else max(_decimals_of(v) for v in ends)
    low, high = (None if v is None else format_number(v, decimals) for v in (rr.low, rr.high))
    if low is not None and high is not None:
        return join_unit(f"{low}–{high}", rr.unit)
    if low is None:
        return "≤ " + join_unit(high, rr.unit)
    return "≥ " + join_unit(low, rr.unit)


def _decimals_of(value: float) -> int:
    text = format_number(value)
    return len(text.split(".")[1]) if "." in text else 0
