"""Lab results as the Labs section shows and reads them, without widgets: timepoints (results that
share one time), the units to offer, reference ranges and values as text, typed values parsed and
checked against what can be measured."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from ... import catalogue, timing
from ...catalogue import Analyte
from ...codec import to_plain
from ...core import labs as L
from ...model import LabResult, When
from ..formatting import parse_number, typed_decimals

_COMPARATOR = re.compile(r"^\s*(<=|>=|≤|≥|<|>|=)?\s*(.*?)\s*$")


def when_key(when: When) -> str:
    """Labs share a timepoint when their times are equal in every field."""
    return repr(sorted(to_plain(when).items()))


@dataclass
class Timepoint:
    when: When
    labs: list[LabResult]
    placed: timing.Placed | None

    @property
    def key(self) -> str:
        return when_key(self.when)


def timepoints(case) -> list[Timepoint]:
    """The case's lab timepoints, in day order (times not on the day axis last, in entry order)."""
    tl = timing.Timeline(case)
    groups: dict[str, Timepoint] = {}
    for lab in case.labs:
        k = when_key(lab.when)
        if k not in groups:
            groups[k] = Timepoint(copy.deepcopy(lab.when), [], tl.place(lab.when))
        groups[k].labs.append(lab)
    tps = list(groups.values())
    order = {k: n for n, k in enumerate(groups)}
    tps.sort(key=lambda t: (t.placed is None, t.placed.day if t.placed else 0.0, order[t.key]))
    return tps


def describe_when(tl: timing.Timeline, when: When) -> str:
    """'day 0, approximate — during admission'; the source's words alone when not on the day axis."""
    placed = tl.place(when)
    if placed is None:
        return (when.label + " (not on the day axis)") if when.label else "time not recorded"
    text = timing.describe(placed)
    return f"{text} — {when.label}" if when.label else text


def unit_choices(a: Analyte, current: str | None = None) -> list[str]:
    """The accepted units to offer, without spelling variants of one unit (µ/μ/u)."""
    out: list[str] = []
    seen: set[str] = set()
    for u in a.units:
        norm = u.replace("µ", "μ").replace("uL", "μL").replace("umol", "μmol")
        if norm in seen:
            continue
        seen.add(norm)
        out.append(u)
    if current and current not in out and a.unit_of(current) not in out:
        out.append(current)  # a spelling of its own, or a unit kept as printed
    return out


def display_unit(a: Analyte, reported: str, system: str) -> str:
    if a.free:  # a result the catalogue does not list is shown as printed, in either system
        return reported
    if system == "conventional":
        return a.conventional_unit
    if system == "si":
        return a.si_unit
    return reported


@dataclass
class Entry:
    """A result as typed in the grid: '<5 undetectable' -> ('<', 5.0, 'undetectable', None)."""
    comparator: str = "="
    value: float | None = None
    qualitative: str | None = None
    author_flag: str | None = None
    unit: str | None = None  # a unit typed after the number ('92 mg/dl'), in the catalogue's spelling
    decimals: int | None = None  # the digits typed after the decimal point ('3.70' -> 2)
    # the same result in another unit, in brackets after it, as many journals print it
    # ('7.9 mg/dL (2.0 mmol/L)'): (value, digits typed, unit as printed); see :func:`agrees`
    also: tuple[float, int, str] | None = None

    @property
    def empty(self) -> bool:
        return self.value is None and self.qualitative is None and self.author_flag is None


_NUMBER = re.compile(r"(<=|>=|≤|≥|<|>|=)?\s*([-+−]?\d[\d.,]*)")
# a range given for a result: "300–400", "1.3 - 1.4 pg/mL", "between 1.3 and 1.4", "1.3 to 1.4"
_RANGE = re.compile(r"^(?:between\s+)?\d[\d.,]*\s*(?:[-–—]|to\b|and\b)\s*\d", re.IGNORECASE)
# the authors' own mark after the result: "6.9 H", "6.9 (H)", "6.9(H)" — never the L of "mmol/L"
_FLAG_BRACKETED = re.compile(r"^(.*?)\s*(\([HL]\))$")
_FLAG_BARE = re.compile(r"^(?:(.*?)\s+)?([HL])$")
# what is left after the number that can only be a unit: a slash in it ("/mm", "mval/L", "U/l")
_UNIT_LIKE = re.compile(r"[A-Za-zµμ%°²³0-9^*.×]*/[A-Za-zµμ%°²³0-9^*. ×]+")
# the same result in another unit, in brackets at the end: "7.9 mg/dL (2.0 mmol/L)"
_ALSO = re.compile(r"^(.*\d.*?)\s*\(\s*([-+−]?\d[\d.,]*)\s*([^()\d][^()]*?)?\s*\)$")


def _words() -> dict:
    return catalogue.load_json("catalogues", "lab_words.json")


def word_list() -> str:
    """The result words the grid reads, for messages and tooltips."""
    return ", ".join(v[0] for v in _words()["qualitative"].values())


def parse_entry(text: str, analyte: Analyte | None = None) -> Entry:
    """A typed result: a number with an optional comparator (``<0.5``, ``≥ 1000``), the source's words
    for it (``undetectable``, ``positive``; resources/catalogues/lab_words.json), or both
    (``<5 undetectable``), and the authors' own mark (``6.9 H``); with ``analyte``, a unit it accepts
    typed after the number (``2.3 mmol/l``), and the same result in another unit in brackets after it
    (``7.9 mg/dL (2.0 mmol/L)``: ``also``, checked by the caller with :func:`agrees`). Raises
    ValueError naming the problem."""
    t = " ".join(text.split())
    out = Entry()
    if not t:
        return out
    if _RANGE.match(t):  # "300–400", "between 1.3 and 1.4": a range the source gives for a result
        raise ValueError(f"{t!r} is a range, and a result is one value: type each value the source gives, at its "
                         f"own time, or keep the range in the text where the source gives it")
    words = _words()
    m = _FLAG_BRACKETED.match(t) or _FLAG_BARE.match(t)
    head = (m.group(1) or "") if m else ""
    if m and not head.endswith(("<", ">", "=")):
        flag = next((k for k, v in words["author_flag"].items() if m.group(2) in v), None)
        if flag is not None:
            out.author_flag, t = flag, head
    m = _ALSO.match(t)
    if m:
        number, unit = m.group(2), (m.group(3) or "").strip()
        if re.match(r"[-\u2013\u2014]\s*\d", unit):
            raise ValueError(f"({number}{unit}) looks like a reference range: it goes in the range fields")
        if not unit:
            raise ValueError(f"{number!r} in brackets: give its unit, as the source prints it "
                             f"(\u201c7.9 mg/dL (2.0 mmol/L)\u201d)")
        if analyte is not None and analyte.unit_of(unit) is None:
            raise ValueError(f"{unit!r} in brackets is not a unit the catalogue knows for {analyte.label} "
                             f"({', '.join(dict.fromkeys(analyte.units))})")
        out.also = (parse_number(number), typed_decimals(number), unit)
        t = m.group(1)
    m = _NUMBER.search(t)
    if m:
        comp = m.group(1)
        out.comparator = {"≤": "<=", "≥": ">=", None: "="}.get(comp, comp)
        out.value = parse_number(m.group(2))
        out.decimals = typed_decimals(m.group(2))
        t = (t[:m.start()] + " " + t[m.end():])
    rest = " ".join(t.replace("(", " ").replace(")", " ").replace(",", " ").split()).lower()
    if rest and m and analyte is not None:
        unit = _unit_after(t, analyte)
        if unit is not None:
            _, printed = unit
            out.unit = printed  # kept as printed; the catalogue reads its spellings alike
            rest = " ".join(rest.replace(printed.lower(), " ", 1).split())
    if rest:
        out.qualitative = next((k for k, v in words["qualitative"].items() if rest in v), None)
        if out.qualitative is None:
            negated = rest.split()[0] in ("not", "no", "non", "never", "without")  # "not elevated" is not elevated
            near = None if negated else next(
                (v[0] for v in words["qualitative"].values() if any(rest.endswith(" " + w) for w in v)), None)
            if near is not None:  # "very high", "markedly elevated": the grid's word, with the source's in the note
                raise ValueError(f"{rest!r}: type {near!r}, the grid's word for it, and keep the source's "
                                 f"\u201c{rest}\u201d in the result's note")
            if out.value is None and not m:
                raise ValueError(f"{text.strip()!r} is not a number, nor a result in words ({word_list()})")
            typed = " ".join(t.split())
            if out.unit is None and _UNIT_LIKE.fullmatch(typed):
                # a unit the catalogue does not know ("102/mm", as Agarwal et al. print an ESR): the
                # row refuses it as it refuses one picked in the unit field, with "keep as printed"
                out.unit = typed
                return out
            raise ValueError(f"{rest!r} is not a result in words the grid knows ({word_list()})")
    return out


def agrees(a: Analyte, value: float, decimals: int, unit: str, other: float, other_decimals: int,
           other_unit: str) -> tuple[bool, float]:
    """Whether two printings of one result in two units agree within the rounding of each (7.9 mg/dL
    and 2.0 mmol/L of calcium do: 7.85–7.95 mg/dL is 1.96–1.98 mmol/L, within 1.95–2.05), and the
    first converted into the second's unit."""
    half, other_half = 0.5 * 10 ** -decimals, 0.5 * 10 ** -other_decimals
    lo, hi = sorted((a.convert(value - half, unit, other_unit), a.convert(value + half, unit, other_unit)))
    eps = 1e-9 * max(1.0, abs(other))
    return lo - eps <= other + other_half and other - other_half <= hi + eps, a.convert(value, unit, other_unit)


def _unit_after(t: str, analyte: Analyte) -> tuple[str, str] | None:
    """(catalogue spelling, as typed) of a unit of ``analyte`` among the words of ``t``, or None."""
    words = t.split()
    for n in range(len(words), 0, -1):
        for i in range(0, len(words) - n + 1):
            printed = " ".join(words[i:i + n])
            unit = analyte.unit_of(printed)
            if unit is not None and printed.strip():
                return unit, printed
    return None


def entry_text(lab: LabResult) -> str:
    """A saved result as its entry field shows it, read back the same by :func:`parse_entry`:
    '9.0', '<0.5', '<5 undetectable', 'positive', '6.9 H'."""
    parts = []
    if lab.value is not None:
        parts.append(value_text(lab))
    if lab.qualitative:
        parts.append(_words()["qualitative"][lab.qualitative][0])
    if lab.author_flag in ("H", "L"):
        parts.append(lab.author_flag)
    return " ".join(parts)


def parse_value(text: str) -> tuple[str, float]:
    """'<0.5' -> ('<', 0.5). Raises ValueError naming the problem."""
    m = _COMPARATOR.match(text)
    comp = {"≤": "<=", "≥": ">=", None: "="}.get(m.group(1), m.group(1))
    return comp, parse_number(m.group(2))


def implausible(a: Analyte, value: float, unit: str) -> str | None:
    """The message for a value outside what can be measured (the catalogue's plausible bounds, as
    jsonio.check_case applies them), or None."""
    if a.plausible is None:  # a result the catalogue does not list: no bounds to hold it to
        return None
    lo, hi, pu = float(a.plausible["low"]), float(a.plausible["high"]), a.plausible["unit"]
    canon = a.to_canonical(value, unit)
    lo_c, hi_c = a.to_canonical(lo, pu), a.to_canonical(hi, pu)
    if lo_c <= canon <= hi_c:
        return None
    bounds = f"{L.format_number(lo)}–{L.format_number(hi)} {pu}"
    if unit != pu:
        d = L.unit_decimals(a, unit)
        bounds += (f", that is {L.format_number(a.from_canonical(lo_c, unit), d)}–"
                   f"{L.format_number(a.from_canonical(hi_c, unit), d)} {unit}")
    return (f"{a.label}: {L.format_value(value, unit)} is outside what can be measured ({bounds}); "
            "a typing error?")


def fmt_entry(v: float | None, decimals: int | None = None) -> str:
    """A number for an entry field (ASCII minus, so it reads back as typed)."""
    return "" if v is None else L.format_number(v, decimals).replace("−", "-")


def _decimals_of(v: float) -> int:
    text = L.format_number(v)
    return len(text.split(".")[1]) if "." in text else 0


def value_text(lab: LabResult) -> str:
    """The result as reported, for its entry field: a phosphate of 9.0 mg/dL reads '9.0' (the
    decimals usual for the unit, never fewer than entered), a bound '<0.5'."""
    if lab.value is None:
        return ""
    return L.reported_number(lab).replace("−", "-")


def shown_range(a: Analyte | None, rr: L.RefRange | None) -> L.RefRange | None:
    """``rr`` with the decimals to show: both ends alike and at least those usual for the unit, so a
    range reads '3.4–5.0 g/dL' and '4.0–11.0 K/µL', never '5' or '4–11'."""
    if rr is None or rr.decimals is not None:
        return rr
    ends = [v for v in (rr.low, rr.high) if v is not None]
    if not ends:
        return rr
    usual = (L.unit_decimals(a, rr.unit) if a is not None else None) or 0
    return L.RefRange(rr.low, rr.high, rr.unit, rr.source, max([usual] + [_decimals_of(v) for v in ends]))


def range_texts(a: Analyte | None, rr: L.RefRange | None) -> tuple[str, str]:
    """The low and high ends of a range for the grid's fields ('' for an open end)."""
    rr = shown_range(a, rr)
    if rr is None:
        return "", ""
    return fmt_entry(rr.low, rr.decimals), fmt_entry(rr.high, rr.decimals)


def short_label(a: Analyte) -> str:
    """'Phosphate (as phosphorus)' -> 'Phosphate', for legends."""
    return a.label.split(" (")[0]


def flag_words(f: str) -> str:
    return {"H": "high", "L": "low"}.get(f, "")


def replacing(lab: LabResult):
    """For check_edit: put ``lab`` into a trial case (replacing the result with its id, or adding it)."""
    def apply(c) -> None:
        if any(x.id == lab.id for x in c.labs):
            c.labs = [lab if x.id == lab.id else x for x in c.labs]
        else:
            c.labs = c.labs + [lab]
    return apply
