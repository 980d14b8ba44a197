"""Narrative bound to the data: the numbers an author types into the case narrative, checked
against what the case records.

A value with a unit ("potassium 5.1 mmol/L", "sodium thiosulfate (25 g)", "87/52 mmHg"), a day
number ("on day 5"), an interval from the index event ("3 weeks prior", "2 months before
admission"), an interval from a named event ("4 weeks after the parathyroidectomy": compared with
what the record gives from that event, see ``anchors``) or a frequency ("three times a week", "thrice weekly"), in digits or in words
("two weeks", "fifty", desktop/core/numwords.py), in the patient's own sections of the narrative is compared with the recorded labs,
reference ranges, vital signs, doses, body measurements, wound sizes, derived values, event
times and the recorded frequencies of treatments, medicines and dialysis sessions. A value that matches none of them, or that contradicts the recorded value of the analyte
the sentence names, becomes a finding of the assessment naming the field and the sentence — so
the GUI's assessment panel and ``casebook assess`` list it.

API::

    check(case, derived=None) -> list[Finding]   # the findings (rule ids NARRATIVE_UNMATCHED and
                                                 # NARRATIVE_CONTRADICTS, category data_quality)
    values_in(text) -> list[Stated]              # the numbers with units a text states

Thresholds and literature figures are not the patient's values and are not checked: a number
after a comparator (> 70 mg/dL, ≤ 5.6%) and the introduction, discussion and conclusions.
Pure and deterministic, like the rest of the assessment core.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import catalogue
from ..model import Case, When
from ..timing import DAYS_PER, Timeline
from . import labs, numwords
from .types import DerivedValue, Evidence, Finding

NARRATIVE_UNMATCHED = "narrative-value-unmatched"
NARRATIVE_CONTRADICTS = "narrative-value-contradicts"

# the patient's own sections: (field path, label)
FIELDS = (
    ("manuscript.abstract_case", "Abstract: case presentation"), ("manuscript.clinical_findings", "Clinical findings"),
    ("manuscript.diagnostic_assessment", "Diagnostic assessment"),
    ("manuscript.therapeutic_intervention", "Therapeutic intervention"), ("manuscript.follow_up", "Follow-up"),
    ("patient.presenting_concerns", "Presenting concerns"), ("patient.history", "Medical history"),
    ("patient.past_interventions", "Past interventions"), ("diagnosis.reasoning", "Diagnostic reasoning"),
    ("outcome.summary", "Outcome summary"),
)

UNITS = ("mg/dL", "mmol/L", "µmol/L", "umol/L", "pg/mL", "pmol/L", "ng/mL", "ng/L", "g/dL", "g/L", "mg/L",
         "K/µL", "K/uL", "x10^9/L", "×10⁹/L", "IU/L", "U/L", "mEq/L", "mmHg", "kg", "cm", "mm", "°C", "mL", "mg", "g",
         "IU", "µg", "mcg", "%")
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_NUM = r"(\d+(?:\.\d+)?)"
_VALUE = re.compile(r"(?P<cmp>[<>≤≥=]\s*)?(?<![\d.])" + _NUM + r"(?:\s*[–-]\s*" + _NUM + r")?\s*(?P<unit>" + _UNIT_RE
                    + r")(?![A-Za-z/])")
_BP = re.compile(r"(?<![\d.])(\d{2,3})/(\d{2,3})\s*mmHg")
_DAY = re.compile(r"\bday\s+([−-]?\d+)\b", re.IGNORECASE)
_INTERVAL = re.compile(r"\b(\d+(?:\.\d+)?)\s+(day|week|month)s?\s+(prior|before|earlier|ago|later|after)\b"
                       r"|\b(?:over|during)\s+the\s+(?:last|past)\s+(\d+(?:\.\d+)?)\s+(day|week|month)s?\b",
                       re.IGNORECASE)
# how often: "three times a week" (read from "3 times a week"), "thrice weekly", "twice daily"
_FREQ = re.compile(r"(?:\b(?P<n>\d+(?:\.\d+)?)\s+times|\b(?P<w>once|twice|thrice))\s+(?:(?:a|per|each|every)\s+"
                   r"(?P<per>day|week)|(?P<adv>daily|weekly))\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")

ANALYTE_WORDS = {  # words in a sentence that name an analyte, for "contradicts"
    "calcium": ("calcium",), "phosphate": ("phosph",), "pth_intact": ("parathyroid", "pth"),
    "albumin": ("albumin",), "bun": ("urea",), "potassium": ("potassium",), "wbc": ("white cell", "white blood"),
    "haemoglobin": ("haemoglobin", "hemoglobin"), "hba1c": ("a1c",), "crp": ("c-reactive", "crp"),
}


@dataclass(frozen=True)
class Stated:
    """A number with a unit stated in a text ("5.1 mmol/L"): its value(s), unit and decimals."""
    values: tuple[float, ...]
    unit: str
    decimals: int
    text: str
    start: int


def norm_unit(unit: str) -> str:
    u = unit.replace("μ", "µ").replace("²", "").replace("u", "µ" if unit.lower().startswith(("ul", "umol")) else "u")
    u = u.lower().replace(" ", "")
    return {"mcg": "µg", "k/ul": "k/µl", "umol/l": "µmol/l"}.get(u, u)


def _dec(num: str) -> int:
    return len(num.split(".")[1]) if "." in num else 0


def values_in(text: str) -> list[Stated]:
    """The numbers with units ``text`` states, ranges as two values; thresholds (after a
    comparator) and hyphenated durations ("1-week course") are not values."""
    out = []
    for m in _BP.finditer(text):
        out.append(Stated((float(m.group(1)), float(m.group(2))), "mmhg-bp", 0, m.group(0), m.start()))
    bp_spans = [(m.start(), m.end()) for m in _BP.finditer(text)]
    for m in _VALUE.finditer(text):
        if m.group("cmp") and m.group("cmp").strip() in "<>≤≥":
            continue
        if any(a <= m.start(2) < b for a, b in bp_spans):
            continue
        nums = [g for g in (m.group(2), m.group(3)) if g]
        out.append(Stated(tuple(float(n) for n in nums), norm_unit(m.group("unit")),
                          max(_dec(n) for n in nums), m.group(0).lstrip("=<>≤≥ "), m.start()))
    return out


@dataclass
class Recorded:
    value: float
    unit: str  # normalised
    label: str
    analyte: str = ""
    ref: str = ""  # where in the case: "labs/<id>", the GUI's link to the recorded item


LENGTH_MM = {"mm": 1.0, "cm": 10.0}


def recorded_values(case: Case, derived: list[DerivedValue]) -> list[Recorded]:
    out: list[Recorded] = []
    for lab in case.labs:
        # the result (and its range) in its own unit and in every unit its analyte accepts, so a
        # narrative in conventional units agrees with a record kept in SI units and vice versa
        try:
            a = labs.analyte_of(lab)
            units = [lab.unit] + [x for x in a.units if x != lab.unit]
            convert = lambda v, to, a=a, frm=lab.unit: a.convert(v, frm, to)  # noqa: E731
        except ValueError:
            units, convert = [lab.unit], (lambda v, to: v)
        for unit in units:
            u = norm_unit(unit)
            try:
                if lab.value is not None:
                    out.append(Recorded(convert(lab.value, unit), u, f"{lab.analyte} result", lab.analyte,
                                        f"labs/{lab.id}"))
                for r in (lab.ref_low, lab.ref_high):
                    if r is not None:
                        out.append(Recorded(convert(r, unit), u, f"{lab.analyte} reference range",
                                            lab.analyte + "#range"))
            except (ValueError, KeyError):
                continue
    for v in case.vitals:
        out.append(Recorded(v.value, norm_unit(v.unit), v.kind, v.kind))
    for t in case.treatments:
        if t.dose is not None:
            out.append(Recorded(t.dose, norm_unit(t.dose_unit), f"dose of {t.agent}"))
    for m in case.medications:
        if m.dose is not None:
            out.append(Recorded(m.dose, norm_unit(m.dose_unit), f"dose of {m.name}"))
    p = case.patient
    if p.weight_kg is not None:
        out.append(Recorded(p.weight_kg, "kg", "weight"))
    if p.height_cm is not None:
        out.append(Recorded(p.height_cm, "cm", "height"))
    for lesion in case.lesions:
        for o in lesion.observations:
            for v in (o.length_mm, o.width_mm, o.depth_mm):
                if v is not None:
                    out.append(Recorded(v, "mm", "wound size"))
    for d in derived:
        out.append(Recorded(d.value, norm_unit(d.unit), d.label))
        if d.alt_value is not None and d.alt_unit:
            out.append(Recorded(d.alt_value, norm_unit(d.alt_unit), d.label))
    return out


def _matches(stated: float, decimals: int, rec: Recorded, unit: str) -> bool:
    value = rec.value
    if unit in LENGTH_MM and rec.unit in LENGTH_MM:
        value = rec.value * LENGTH_MM[rec.unit] / LENGTH_MM[unit]
    elif unit != rec.unit:
        return False
    return abs(round(value, decimals) - stated) <= 0.5 * 10 ** -decimals + 1e-9


def _field_text(case: Case, path: str) -> str:
    obj = case
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj or ""


def _named(sentence: str, stated_at: int) -> list[str]:
    """The analytes a sentence names before a value (the nearest last)."""
    low = sentence[:stated_at].lower()
    hits = []
    for code, words in ANALYTE_WORDS.items():
        pos = max((low.rfind(w) for w in words), default=-1)
        if pos >= 0:
            hits.append((pos, code))
    return [c for _, c in sorted(hits)]


def check(case: Case, derived: list[DerivedValue] | None = None) -> list[Finding]:
    """The narrative's values that the record does not bear out (see the module docstring)."""
    rec = recorded_values(case, derived or [])
    tl = Timeline(case)
    days = sorted({p.day for e in case.events if (p := tl.event_day(e.id)) is not None})
    freqs = recorded_per_week(case)
    out: list[Finding] = []
    for path, label in FIELDS:
        text = " ".join(_field_text(case, path).split())
        for sentence in _SENTENCE.split(text):
            # numbers in words ("two weeks", "fifty") are read as digits; findings quote the words
            d = numwords.with_digits(sentence)
            said = d.text
            for s in values_in(said):
                if s.unit == "mmhg-bp":
                    sys_ok = any(_matches(s.values[0], 0, r, "mmhg") for r in rec if r.analyte == "systolic_bp")
                    dia_ok = any(_matches(s.values[1], 0, r, "mmhg") for r in rec if r.analyte == "diastolic_bp")
                    if not (sys_ok and dia_ok):
                        out.append(_unmatched(label, path, sentence, d.original(s.start, s.start + len(s.text)),
                                              "", "no recorded blood pressure"))
                    continue
                for v in s.values:
                    if any(_matches(v, s.decimals, r, s.unit) for r in rec):
                        continue
                    unit = s.text.split(None, 1)[-1] if " " in s.text else s.unit
                    named = _named(said, said.find(s.text))
                    same = [r for r in rec if named and r.analyte == named[-1] and r.unit == s.unit]
                    if same:
                        recorded = ", ".join(f"{r.value:.4g} {unit}" for r in same)
                        out.append(Finding(
                            NARRATIVE_CONTRADICTS, "data_quality", "warning",
                            "A value in the narrative contradicts the record",
                            f"{label}: the text gives {v:g} {unit} where the record has {recorded} for "
                            f"{named[-1].replace('_', ' ')}, in “{sentence.strip()}”.",
                            [Evidence(f"{label}: value in the text", f"{v:g}", unit, ref=path),
                             Evidence("recorded value", f"{same[0].value:.4g}", unit, ref=same[0].ref)]))
                    else:
                        out.append(_unmatched(label, path, sentence, f"{v:g}", unit, "no value"))
            for m in _DAY.finditer(said):
                day = float(m.group(1).replace("−", "-"))
                if not any(abs(dd - day) <= 0.5 for dd in days):
                    out.append(_unmatched(label, path, sentence, d.original(m.start(), m.end()), "",
                                          "the time of no event"))
            for m in _INTERVAL.finditer(said):
                n, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(5))
                span = float(n) * DAYS_PER[unit.lower()]
                tol = 0.5 * DAYS_PER[unit.lower()] + 0.5
                rel = (m.group(3) or "").lower()
                if rel in ("before", "after"):  # "4 weeks after the parathyroidectomy": from a named event
                    phrase, end = anchor_phrase(said, m.end())
                    found = anchors(case, phrase)
                    if found:
                        signed = span if rel == "after" else -span
                        if not _interval_from(case, tl, found, signed, tol):
                            out.append(_unmatched(label, path, sentence, d.original(m.start(), end), "",
                                                  f"no time {n} {unit.lower()}s {rel} {phrase}"))
                        continue
                diffs = {abs(a - b) for a in days for b in days} | {abs(dd) for dd in days}
                if not any(abs(x - span) <= tol for x in diffs):
                    if rel in ("before", "after"):
                        continue  # from something the record does not name: nothing to compare with
                    out.append(_unmatched(label, path, sentence, d.original(m.start(), m.end()), "",
                                          "no interval between events"))
            for m in _FREQ.finditer(said):
                if not any(abs(f - per_week(m)) < 1e-6 for f in freqs):
                    out.append(_unmatched(label, path, sentence, d.original(m.start(), m.end()), "",
                                          "no frequency (of a treatment, medicine or dialysis)"))
    return out


# --- intervals from a named event ----------------------------------------------------------------------

_PHRASE_END = re.compile(r"[,.;:!?()]|\s(?:and|but|when|while|where|with|was|were|had|has|he|she|they|it)\s", re.IGNORECASE)
# words that name no particular event, so never identify one alone
_GENERIC = {"the", "his", "her", "their", "this", "that", "first", "second", "third", "last", "initial", "start",
            "starting", "started", "began", "beginning", "patient", "after", "before", "from", "then", "time",
            "which", "onto", "into", "another", "other", "same"}


def anchor_phrase(text: str, at: int) -> tuple[str, int]:
    """The words of ``text`` from ``at`` (just after "N weeks after") that name what the interval
    runs from, and where they end: up to a comma, a full stop or a joining word, at most six words
    ("the parathyroidectomy", "the skin markings appeared")."""
    words = list(re.finditer(r"[^\s,.;:!?()]+", text[at:]))
    cut = _PHRASE_END.search(text, at)
    stop = cut.start() if cut else len(text)
    kept = [w for w in words if at + w.end() <= stop][:6]
    if not kept:
        return "", at
    return text[at + kept[0].start():at + kept[-1].end()], at + kept[-1].end()


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z\-]+", text.lower()) if len(w) >= 4 and w not in _GENERIC}


def _same_word(a: str, b: str) -> bool:
    """The same word or its inflection: a common start of 5 letters or more and three quarters of
    the shorter word ("operation" / "operated"; not "parathormone" / "parathyroidectomy")."""
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a == b or (n >= 5 and n >= 0.75 * min(len(a), len(b)))


def anchors(case: Case, phrase: str) -> list[When]:
    """The times of the events and treatments ``phrase`` names best (most words in common with an
    event's kind and description, or a treatment's agent and class), as times to measure from."""
    said = _words(phrase)
    if not said:
        return []
    classes = catalogue.treatment_classes()
    named: list[tuple[int, When]] = []
    for e in case.events:
        own = _words(e.kind.replace("_", " ") + " " + e.description)
        named.append((sum(any(_same_word(a, b) for b in own) for a in said), When(event_id=e.id)))
    for t in case.treatments:
        if not t.start.is_set:
            continue
        own = _words(f"{t.agent} {t.treatment_class.replace('-', ' ')} {classes.get(t.treatment_class, '')}")
        named.append((sum(any(_same_word(a, b) for b in own) for a in said), t.start))
    best = max((score for score, _ in named), default=0)
    return [w for score, w in named if score == best] if best else []


def _times(case: Case) -> list[When]:
    """Every time the record holds: events, treatments, results, lesions, biopsies, imaging, vital
    signs, the outcome, and the patient's own (dialysis start, transplant, dialysis periods,
    medicines)."""
    out = [e.when for e in case.events] + [t.start for t in case.treatments] + [t.stop for t in case.treatments]
    out += [x.when for x in case.labs] + [les.onset for les in case.lesions]
    out += [o.when for les in case.lesions for o in les.observations] + [b.when for b in case.biopsies]
    out += [i.when for i in case.imaging] + [v.when for v in case.vitals]
    pt = case.patient
    out += [pt.dialysis_start, pt.transplant_date] + [w for d in pt.dialysis_history for w in (d.start, d.stop)]
    out += [w for m in case.medications for w in (m.start, m.stop)]
    return out + [case.outcome.when]


def _from_event(case: Case, when: When, event_id: str) -> float | None:
    """Days from ``event_id`` to ``when`` when the record gives ``when`` from that event (directly
    or through events given from it), else None."""
    days, seen = 0.0, set()
    while when.event_id is not None and when.event_id not in seen:
        days += (when.offset or 0.0) * DAYS_PER[when.precision]
        if when.event_id == event_id:
            return days
        seen.add(when.event_id)
        ev = case.event(when.event_id)
        if ev is None:
            return None
        when = ev.when
    return None


def _interval_from(case: Case, tl: Timeline, found: list[When], signed: float, tol: float) -> bool:
    """Whether the record has a time ``signed`` days (± ``tol``) from one of the anchors ``found``:
    given from that event in the record, or both placed on the day axis that far apart."""
    times = [w for w in _times(case) if w.is_set]
    placed = [p.day for w in times if (p := tl.place(w)) is not None]
    for a in found:
        start = a.event_id if a.event_id is not None and not a.offset else None
        if start is not None:
            for w in times:
                rel = _from_event(case, w, start)
                if rel is not None and rel != 0 and abs(rel - signed) <= tol:
                    return True
        at = tl.place(a)
        if at is not None and any(abs((day - at.day) - signed) <= tol for day in placed):
            return True
    return False


def per_week(m: re.Match) -> float:
    """Times a week of a frequency the text states ("3 times a day" -> 21)."""
    n = float(m.group("n")) if m.group("n") else numwords.MULTIPLES[m.group("w").lower()]
    daily = (m.group("per") or "").lower() == "day" or (m.group("adv") or "").lower() == "daily"
    return n * (7 if daily else 1)


def recorded_per_week(case: Case) -> list[float]:
    """How often things happen a week, as recorded: treatments, medicines, dialysis sessions."""
    out = [t.times_per_week for t in case.treatments if t.times_per_week is not None]
    out += [m.doses_per_day * 7 for m in case.medications if m.doses_per_day is not None]
    out += [p.sessions_per_week for p in case.patient.dialysis_history if p.sessions_per_week is not None]
    for text in [t.schedule for t in case.treatments] + [m.frequency for m in case.medications]:
        out += [per_week(m) for m in _FREQ.finditer(numwords.with_digits(text or "").text)]
    return out


def _unmatched(label: str, path: str, sentence: str, value: str, unit: str, what: str) -> Finding:
    shown = f"{value} {unit}".strip()
    return Finding(NARRATIVE_UNMATCHED, "data_quality", "notice", "A value in the narrative is not in the record",
                   f"{label}: “{shown}” matches {what} recorded for this case, in “{sentence.strip()}”. Correct the "
                   "text or record the value.",
                   [Evidence(f"{label}: value in the text", shown, ref=path)])
