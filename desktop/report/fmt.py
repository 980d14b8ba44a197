"""Number, range, dose and lab-flag wording for the report. Every number printed with a unit."""
from __future__ import annotations

import math
import re

from ..catalogue import analytes
from ..core import labs
from ..model import LabResult

COMPARATOR_TEXT = {"=": "", "<": "<", ">": ">", "<=": "≤", ">=": "≥"}


def decimals_of(v: float | None) -> int:
    """Decimal places a number was written with (shortest round-trip form)."""
    if v is None or not math.isfinite(v):
        return 0
    s = repr(float(v))
    if "e" in s or "E" in s:
        return min(6, max(0, -int(math.floor(math.log10(abs(v))))) + 2) if v else 0
    frac = s.split(".")[1] if "." in s else ""
    frac = frac.rstrip("0")
    return len(frac)


def num(v: float | None, decimals: int | None = None) -> str:
    """A number with a true minus sign; ``decimals`` forces that many places."""
    if v is None:
        return "—"
    if decimals is None:
        decimals = min(decimals_of(v), 6)
    s = f"{v:.{decimals}f}"
    if s.startswith("-"):
        s = "−" + s[1:]
    return s


def lab_decimals(lab: LabResult) -> int:
    """A stored float has lost how it was written (9.0 reads back as 9), so a lab value is printed
    with the precision of its reference range (9.0 next to 2.5–4.9), never with fewer places than
    the value itself needs; values of 100 and above need no forced places (PTH 104)."""
    own = decimals_of(lab.value)
    if lab.decimals is not None:  # the digits the source printed (or the author typed): those, no more
        return max(own, lab.decimals)
    if lab.value is None or abs(lab.value) >= 100:
        return own
    rr = reference_range(lab)
    if rr is None:
        return own
    if rr.decimals is not None:
        return max(own, rr.decimals)
    return max(own, decimals_of(rr.low), decimals_of(rr.high))


def analyte_label(code: str) -> str:
    a = analytes().get(code)
    return a.label if a else code


def lab_label(lab: LabResult) -> str:
    """What a result is called: its analyte's label, or, for one the catalogue does not list, the name
    the source prints ("Neutrophil-to-lymphocyte ratio (NLR)")."""
    a = analytes().get(lab.analyte)
    if a is not None and a.free and lab.name.strip():
        name = " ".join(lab.name.split())
        # a table row starts with a capital, unless the name is written with its own ("pH", "hsCRP")
        return name[:1].upper() + name[1:] if name.split()[0].islower() else name
    return a.label if a else lab.analyte


def reference_range(lab: LabResult, sex: str | None = None) -> labs.RefRange | None:
    """The range a result is judged by; a default the source gives for one sex only applies to that
    sex (``sex``: the patient's)."""
    try:
        return labs.reference_range(lab, sex)
    except ValueError:  # an unknown unit: no range rather than a guess
        return None


def range_text(rr: labs.RefRange | None, lab: LabResult | None = None) -> str:
    """'8.5–10.1', '≤ 5.6', '≥ 4' (the unit is in its own column), or '—'. Both ends share one
    precision, at least the value's own (13.0–17.0 next to 7.3, as the seed prints it) — unless the
    value's printed digits are known (``decimals``): then the range keeps its own digits, at least
    those usual for the unit (18.4–80.1 next to 6.32 ng/L, not 18.40–80.10)."""
    if rr is None or (rr.low is None and rr.high is None):
        return "—"
    ends = [v for v in (rr.low, rr.high) if v is not None]
    d = rr.decimals if rr.decimals is not None else max(decimals_of(v) for v in ends)
    if lab is not None and lab.decimals is not None:
        a = analytes().get(lab.analyte)
        d = max(d, (labs.unit_decimals(a, rr.unit) if a is not None and rr.decimals is None else None) or 0)
    elif lab is not None and lab.value is not None and abs(lab.value) < 100:
        d = max(d, decimals_of(lab.value))
    low, high = (None if v is None else labs.format_number(float(v), d) for v in (rr.low, rr.high))
    if low is None:
        return f"≤ {high}"
    if high is None:
        return f"≥ {low}"
    return f"{low}–{high}"


def flag(lab: LabResult, sex: str | None = None) -> str:
    """'H', 'L' or '' against the reference range (the core's rule, comparator-aware)."""
    try:
        return labs.flag(lab, sex)
    except ValueError:
        return ""


def lab_value_text(lab: LabResult) -> str:
    if lab.value is None:
        return "no value"
    prefix = COMPARATOR_TEXT.get(lab.comparator, "")
    return prefix + labs.format_number(float(lab.value), lab_decimals(lab))


def in_unit(lab: LabResult, unit: str) -> float | None:
    """The result in ``unit`` (for charts); None if it cannot be converted."""
    try:
        return labs.value_in(lab, unit)
    except ValueError:
        return None


def dose_text(dose: float | None, unit: str) -> str:
    if dose is None:
        return ""
    return f"{num(dose)} {unit}".strip()


def initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalpha()]
    return "".join(p[0].upper() for p in parts) or name


def bracketed(text: str) -> str:
    """``text`` in parentheses, its own parentheses made square brackets as journals nest them:
    "(due to lupus nephritis [systemic lupus erythematosus])", not "(… (…))"."""
    return "(" + text.replace("(", "[").replace(")", "]") + ")"


# the author's own words for a time that read after "started": "3 weeks prior", "about a year ago",
# "in 2015", "after the diagnosis" — not "recent onset of end-stage renal disease"
_TIME_WORDS = re.compile(r"^(?:\d|about\b|approximately\b|around\b|roughly\b|nearly\b|almost\b|over\b|more\b|"
                         r"less\b|in\b|at\b|on\b|a\b|an\b|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|"
                         r"eight\b|nine\b|ten\b|eleven\b|twelve\b|several\b|some\b|few\b|last\b|early\b|"
                         r"late\b|mid|shortly\b|soon\b|recently\b|just\b|weeks?\b|months?\b|years?\b|days?\b|"
                         r"after\b|before\b|during\b|when\b|following\b|upon\b|within\b|once\b|while\b)",
                         re.IGNORECASE)


def reads_as_time(when, text: str) -> bool:
    """``text`` (``when`` in running text) reads as a time: a time Casebook placed, or the author's
    own words when they begin as a time does."""
    return bool(when is not None and when.is_set) or bool(_TIME_WORDS.match(text))
