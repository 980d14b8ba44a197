"""The free-text PHI scan: what in a case's prose could still identify the patient.

The structured identifiers (``Case.identifiers``) are dropped by :mod:`desktop.privacy.deidentify`;
what authors type into narrative fields, captions, descriptions and findings is not structured, so it
is scanned before any export (HIPAA Safe Harbor, 45 CFR 164.514(b)(2); ``case-reports.md`` §2):

- the case's *own* identifiers in any form: name parts in any case and without accents, record
  numbers with or without separators, the date of birth and every date recorded in the case in the
  common date formats, phone/fax/SSN digits with any separators, address parts, e-mail, URLs, IPs;
- anything that looks like an identifier of any person: calendar dates (day and month, month and year,
  full dates; a year alone is allowed by Safe Harbor and not flagged), phone and fax numbers, e-mail,
  URLs, IP addresses, social-security-like and record-number-like numbers, ZIP and postal codes,
  street addresses and "City, State", ages over 89 in figures and in words, dates in words ("the
  third of March", "Mar. '21") and ISO month-years ("2015-06"); and (desktop.privacy.names) names
  and places found by context and by name and place lists, device serials, licence and plate numbers,
  biometric records and mentions of face or tattoo photographs.

Clinical numbers are not identifiers, and flagging them would teach authors to click warnings away:
lab values with units and ranges ("18.4–80.1 pg/mL"), blood pressures ("87/52 mmHg"), doses, scores,
LOINC/ICD/SNOMED codes, DOIs and PMIDs, "day −60" and years alone pass.

Which fields: every ``str`` and ``list[str]`` field of the case, found by walking the dataclasses with
the codec's type hints (a new field is scanned without anyone remembering to add it): free text,
units (``dose_unit``), catalogue codes, captions, file names, notes, hand-made ids. Only the
identifiers part and the authors are not read, and a value whose shape proves it structured (a
generated hex id, an ISO date in a date field, a SHA-256) is passed over. References and provenance
(``source``) are citations: they legitimately hold names, years, DOIs and URLs of publications, so
there only the case's own identifiers, e-mail addresses, IPs and SSN-like numbers are looked for.
Names, places and identifying mentions without the identifiers part: :mod:`desktop.privacy.names`.

The API the command line and the window call (issue 13):

- ``scan_case(case, confirmed=()) -> list[Hit]``: every hit, field by field (``Hit``: ``field`` as a
  JSON path, ``start``, ``end``, ``text``, ``kind`` — one of :data:`KINDS`);
- ``scan_text(text, identifiers=None, *, dates=(), citation=False) -> [(kind, start, end)]`` and
  ``hits_in_text(text, field="$", identifiers=None) -> list[Hit]`` for a draft outside a case;
- ``hits_to_json(hits) -> list[dict]``: ``{"field", "start", "end", "text", "class"}`` each
  (``scan-phi --json``);
- ``redact_case(case, hits) -> Case``: a copy with each hit replaced by its class in brackets
  (``[name]``, ``[date]``, ``[place]``, ``[phone]``... see :data:`PLACEHOLDERS`) exactly where the
  scan found it (``--redact-phi``, "Replace all with placeholders"); then export through
  ``desktop.interop.prepare`` as always;
- ``ensure_no_phi(case, allow=False, confirmed=()) -> list[Hit]``: the exporters' gate, raising
  :class:`PhiFound` (with ``.hits``) when there are hits and ``allow`` is off.

Where the parts live (``desktop/privacy/``): this module holds the scan itself (``scan_text``,
``scan_case``, the hits, merging the generic hits with the case's own) and re-exports the rest;
``fields`` walks the model for its strings; ``patterns`` holds the generic patterns; ``own_identifiers``
the case's own identifiers (``Needles``, date readings); ``folding`` the case- and accent-folding;
``redact`` the placeholders and the redacted copy; ``names`` names and places.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Iterable

from ..model import Case, Identifiers
from .fields import (TextField, field_role, is_structured, iter_whens, phi_fields,  # noqa: F401 (re-exported)
                     recorded_dates, string_fields, text_fields)
from .folding import fold
from .own_identifiers import Needles, _own, needles_for
# _generic reads the patterns through this module's names, so replacing ``phi._P`` (as the test of the
# pattern gates does) changes what the scan runs, as it did when the patterns were defined here.
from .patterns import _FEATURES, _P, _SAFE
from .redact import PLACEHOLDERS, placeholder, redact_case, redact_text  # noqa: F401 (re-exported)

# --- what a hit is -----------------------------------------------------------------------------

KINDS: tuple[str, ...] = (
    "name", "record_number", "date", "phone", "fax", "email", "url", "ip", "ssn", "digits", "zip",
    "address", "age", "device", "licence", "vehicle", "photo", "other",
)
KIND_LABELS: dict[str, str] = {
    "name": "name", "record_number": "record number", "date": "date", "phone": "phone number",
    "fax": "fax number", "email": "e-mail address", "url": "web address", "ip": "IP address",
    "ssn": "social security number", "digits": "identifying number", "zip": "ZIP or postal code",
    "address": "address or place", "age": "age over 89", "device": "device identifier or serial",
    "licence": "licence or certificate number", "vehicle": "vehicle identifier or plate",
    "photo": "mention of a face or tattoo photograph", "other": "identifying characteristic",
}


@dataclass(frozen=True)
class PhiHit:
    field: str  # JSON path of the field, e.g. "$.manuscript.discussion" or "$.figures[2].caption"
    text: str  # the text that was found
    kind: str  # one of KINDS
    start: int  # character offsets in the field's text
    end: int

    def __str__(self) -> str:
        return f"{self.field}: {KIND_LABELS.get(self.kind, self.kind)}: {self.text!r}"


class PhiFound(Exception):
    """Raised by :func:`ensure_no_phi`; ``hits`` lists every possible identifier found."""

    def __init__(self, hits: list[PhiHit]):
        self.hits = list(hits)
        lines = [f"  {h}" for h in self.hits]
        super().__init__(f"{len(self.hits)} possible identifier(s) in the case's free text:\n" + "\n".join(lines))


# --- the scan: generic hits and the case's own, merged -----------------------------------------

_NAMES_KINDS = frozenset({"name", "address", "device", "licence", "vehicle", "photo", "other"})


def _trim_url(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1] in ".,;:!?'\"":
        e -= 1
    if text[e - 1:e] == ")" and text[s:e].count("(") < text[s:e].count(")"):
        e -= 1
    return e


def _generic(text: str, citation: bool, kinds: frozenset[str] | None = None) -> list[tuple[str, int, int, int]]:
    """Hits of the generic patterns: all of them, only those that count in citations (``citation``),
    or only those that can name a hit one of ``kinds``."""
    out: list[tuple[str, int, int, int]] = []
    has: dict[str, bool] = {}
    for p in _P:
        if citation and not p.citation:
            continue
        if kinds is not None and not (p.kinds & kinds):
            continue
        if p.needs and not all(has[f] if f in has else has.setdefault(f, bool(_FEATURES[f](text)))
                               for f in p.needs):
            continue
        pos, n = 0, len(text)
        while pos <= n:
            m = p.regex.search(text, pos)
            if m is None:
                break
            kind = p.kind
            if p.check is not None:
                kind = p.check(m, text)
                if kind is None:  # rejected: look again just after where this one began
                    pos = m.start() + 1
                    continue
            pos = m.end() if m.end() > m.start() else m.start() + 1
            s, e = m.span(p.group)
            if kind == "url":
                e = _trim_url(text, s, e)
            if e > s:
                out.append((kind, s, e, p.rank))
    if not citation and (kinds is None or kinds & _NAMES_KINDS):
        from . import names
        out += [c for c in names.find(text) if kinds is None or c[0] in kinds]
    if not out:
        return out
    safe = [m.span() for r in _SAFE for m in r.finditer(text)]
    if safe:
        union = _union(safe)
        out = [h for h in out if not _inside(union, h[1], h[2])]
    return out


def _union(spans: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sorted, disjoint intervals covering ``spans``: (starts, ends), both increasing."""
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(spans):
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def _inside(union: tuple[list[int], list[int]], s: int, e: int) -> bool:
    i = bisect.bisect_right(union[0], s) - 1
    return i >= 0 and union[1][i] >= e


def _overlaps(union: tuple[list[int], list[int]], s: int, e: int) -> bool:
    i = bisect.bisect_left(union[0], e) - 1
    return i >= 0 and union[1][i] > s


def _merge(cands: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int]]:
    """Overlapping candidates become one hit covering all of them, named by the most specific."""
    cands.sort(key=lambda c: (c[1], -c[2]))
    out: list[list] = []  # [kind, start, end, length of the naming candidate, rank]
    for kind, s, e, rank in cands:
        if out and s < out[-1][2]:
            cur = out[-1]
            cur[2] = max(cur[2], e)
            if (e - s, -rank) > (cur[3], -cur[4]):  # the longest candidate names the hit, then the most specific
                cur[0], cur[3], cur[4] = kind, e - s, rank
        else:
            out.append([kind, s, e, e - s, rank])
    return [(c[0], c[1], c[2]) for c in out]


def _join_names(text: str, hits: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Name parts separated only by spaces are one name: "jose nunez" is one hit, not two."""
    out: list[tuple[str, int, int]] = []
    for h in hits:
        if out and h[0] == "name" == out[-1][0] and text[out[-1][2]:h[1]].isspace() and h[1] - out[-1][2] <= 3:
            out[-1] = ("name", out[-1][1], h[2])
        else:
            out.append(h)
    return out


def _scan(text: str, needles: Needles | None, citation: bool = False) -> list[tuple[str, int, int, bool]]:
    """(kind, start, end, own) for every hit in ``text``; ``own`` marks the case's own identifiers."""
    if not text:
        return []
    own_spans: list[tuple[str, int, int, int]] = []
    if needles is not None and not needles.empty:
        own_spans = _own(text, fold(text), needles)
    return _combine(text, _generic(text, citation), own_spans)


def _combine(text: str, cands: list[tuple[str, int, int, int]],
             own_spans: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int, bool]]:
    merged = _join_names(text, _merge(cands + own_spans))
    if not own_spans:
        return [(k, s, e, False) for k, s, e in merged]
    own = _union((o[1], o[2]) for o in own_spans)
    return [(k, s, e, _overlaps(own, s, e)) for k, s, e in merged]


def redaction_spans(text: str, needles: Needles | None, always: frozenset[str]) -> list[tuple[int, int]]:
    """The spans of ``text`` that de-identification replaces, in order: every hit on one of the case's
    own identifier values (``needles``) and every hit of a kind in ``always``.

    A text holding none of the case's own values (nearly every text) is scanned only with the
    patterns that can name a hit one of ``always``: the others could matter only by widening a hit
    on an own value. There, a hit of such a kind is replaced even where a longer hit of another kind
    overlaps it (the full scan names the two merged by the longer one): this path only ever removes
    more."""
    if not text:
        return []
    own_spans: list[tuple[str, int, int, int]] = []
    if needles is not None and not needles.empty:
        own_spans = _own(text, fold(text), needles)
    if own_spans:
        return [(s, e) for k, s, e, own in _combine(text, _generic(text, False), own_spans) if own or k in always]
    return [(s, e) for k, s, e in _merge(_generic(text, False, always)) if k in always]


# --- the public API ------------------------------------------------------------------------------

def scan_text(text: str, identifiers: Identifiers | None = None, *, dates: Iterable[str] = (),
              citation: bool = False) -> list[tuple[str, int, int]]:
    """Possible identifiers in one text: ``(kind, start, end)`` sorted by position.

    ``identifiers`` (and ``dates``, ISO dates recorded in the case) add the case's own values in any
    form; ``citation`` scans a reference or provenance text, where only those and e-mail, IP and
    SSN-like numbers count."""
    needles = needles_for(identifiers, dates) if identifiers is not None or dates else None
    return [(k, s, e) for k, s, e, _ in _scan(text, needles, citation)]


def scan_case(case: Case, confirmed: Iterable[tuple[str, str]] = frozenset()) -> list[PhiHit]:
    """Every possible identifier in the case's free text, field by field.

    ``confirmed`` holds ``(field, text)`` pairs an author has confirmed as not identifying; those
    hits are left out."""
    confirmed = set(confirmed)
    needles = needles_for(case.identifiers, recorded_dates(case))
    hits: list[PhiHit] = []
    for tf in text_fields(case):
        for kind, s, e, _own_hit in _scan(tf.text, needles, tf.citation):
            hit = PhiHit(tf.path, tf.text[s:e], kind, s, e)
            if (hit.field, hit.text) not in confirmed:
                hits.append(hit)
    return hits


def ensure_no_phi(case: Case, allow: bool = False,
                  confirmed: Iterable[tuple[str, str]] = frozenset()) -> list[PhiHit]:
    """The exporters' gate: the hits, or :class:`PhiFound` when there are hits and ``allow`` is off."""
    hits = scan_case(case, confirmed)
    if hits and not allow:
        raise PhiFound(hits)
    return hits


# --- the API the command line and the window call ---------------------------------------------------

Hit = PhiHit  # field (JSON path), text, kind, start, end


def hits_in_text(text: str, field: str = "$", identifiers: Identifiers | None = None, *,
                 dates: Iterable[str] = ()) -> list[PhiHit]:
    """The hits of one text outside a case (a draft file for ``scan-phi``), named by ``field``."""
    return [PhiHit(field, text[s:e], k, s, e) for k, s, e in scan_text(text, identifiers, dates=dates)]


def hits_to_json(hits: Iterable[PhiHit]) -> list[dict[str, Any]]:
    """The hits as plain JSON objects (``scan-phi --json``): field, start, end, text, class."""
    return [{"field": h.field, "start": h.start, "end": h.end, "text": h.text, "class": h.kind}
            for h in hits]
