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
"""
from __future__ import annotations

import bisect
import dataclasses
import ipaddress
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

from ..codec import to_plain
from ..model import Case, Identifiers
from .fields import (TextField, _iso_tuple, field_role, is_structured, iter_whens,  # noqa: F401 (re-exported)
                     phi_fields, recorded_dates, string_fields, text_fields)
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


# --- text folding: case and accents, one character for one character -------------------------------

@lru_cache(maxsize=8192)
def _fold_char(c: str) -> str:
    low = c.lower()
    if len(low) != 1:
        low = c
    base = "".join(ch for ch in unicodedata.normalize("NFKD", low) if not unicodedata.combining(ch))
    if base in ("’", "‘", "`", "´", "ʼ"):
        return "'"
    return base if len(base) == 1 else low


def fold(text: str) -> str:
    """Lower case without accents, same length as ``text`` so offsets carry over."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


# --- the case's own identifiers ------------------------------------------------------------------

_PARTICLES = frozenset({"de", "da", "del", "della", "di", "du", "la", "le", "van", "von", "der", "den",
                        "ter", "bin", "ibn", "al", "el", "st", "y", "e", "mc"})
_ROLE_WORDS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "jr", "sr", "ii", "iii", "iv", "son", "daughter", "wife",
    "husband", "mother", "father", "brother", "sister", "partner", "spouse", "employer", "neighbour",
    "neighbor", "friend", "aunt", "uncle", "cousin", "niece", "nephew", "grandson", "granddaughter",
    "grandmother", "grandfather", "caregiver", "carer", "guardian", "roommate", "household", "member",
    "and", "of", "the", "for", "at", "inc", "llc", "ltd", "co", "corp", "corporation", "company",
    "works", "group", "services", "service", "school", "church", "bank", "hospital", "clinic", "center",
    "centre", "university", "college", "county", "city", "state", "department", "dept", "store", "shop",
    "market", "farm", "farms", "foods", "motors", "steel", "mill", "plant", "factory", "restaurant",
    "police", "fire", "office", "home", "house", "nursing", "care", "inn", "hotel", "club", "team",
})
_STREET_SUFFIXES = {
    "street": ("street", "st"), "st": ("street", "st"), "avenue": ("avenue", "ave", "av"),
    "ave": ("avenue", "ave", "av"), "av": ("avenue", "ave", "av"), "road": ("road", "rd"),
    "rd": ("road", "rd"), "boulevard": ("boulevard", "blvd"), "blvd": ("boulevard", "blvd"),
    "lane": ("lane", "ln"), "ln": ("lane", "ln"), "drive": ("drive", "dr"), "dr": ("drive", "dr"),
    "court": ("court", "ct"), "ct": ("court", "ct"), "place": ("place", "pl"), "pl": ("place", "pl"),
    "terrace": ("terrace", "ter", "terr"), "ter": ("terrace", "ter", "terr"),
    "circle": ("circle", "cir"), "cir": ("circle", "cir"), "highway": ("highway", "hwy"),
    "hwy": ("highway", "hwy"), "parkway": ("parkway", "pkwy"), "pkwy": ("parkway", "pkwy"),
    "square": ("square", "sq"), "sq": ("square", "sq"), "trail": ("trail", "trl"),
    "trl": ("trail", "trl"), "crescent": ("crescent", "cres"), "way": ("way",), "close": ("close",),
    "grove": ("grove",), "row": ("row",), "alley": ("alley",), "pike": ("pike",),
}
_COMMON_STREET_WORDS = frozenset({
    "main", "high", "park", "church", "market", "first", "second", "third", "fourth", "fifth", "north",
    "south", "east", "west", "center", "centre", "spring", "lake", "hill", "river", "mill", "view",
    "green", "station", "new", "old", "school", "college", "bridge", "king", "queen", "union", "state",
    "water", "front", "broad", "long", "short", "white", "black", "red", "pine", "oak", "elm", "maple",
    "cedar", "walnut", "cherry", "forest", "wood", "woods", "valley", "meadow", "ridge", "sunset",
    "pleasant", "washington", "lincoln", "franklin", "jefferson", "madison", "grand", "central", "bay",
})
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"]


def _name_pattern(part: str) -> str:
    out = []
    for ch in fold(part):
        out.append(r"'?" if ch == "'" else (r"[\s\-.,#]+" if ch in " -" else re.escape(ch)))
    return "".join(out)


def _words(text: str) -> list[str]:
    return [w for w in (re.sub(r"^[\W_]+|[\W_]+$", "", t) for t in re.split(r"[\s\-/,;()\"]+", text)) if w]


def _char_joined(value: str) -> str | None:
    """A regex for an identifier code written with or without separators ("0048-2913" = "00482913")."""
    chars = [c for c in fold(value) if c.isalnum()]
    if len(chars) < 4:
        return None
    return r"(?<![0-9a-z])" + r"[\s./\-#]{0,2}".join(re.escape(c) for c in chars) + r"(?![0-9a-z])"


# Date-shaped text in folded form; each is read every way it could be meant and compared with the
# case's own dates (one pass per shape, whatever the number of dates).
_OWN_DATE_SHAPES = [
    ("num", re.compile(r"(?<!\d)(\d{1,4})[\s/.\-:]{1,2}(\d{1,2})[\s/.\-:]{1,2}'?(\d{4}|\d{2})(?!\d)")),
    ("compact", re.compile(r"(?<!\d)(\d{8})(?!\d)")),
    ("dmy", re.compile(r"(?<![\d.])(\d{1,2})(?:st|nd|rd|th)?(?:\s+of\s+|[\s\-./,]{0,3})([a-z]{3,9})\.?[\s\-./,']{0,4}(\d{4}|\d{2})(?!\d)")),
    ("mdy", re.compile(r"(?<![a-z])([a-z]{3,9})\.?[\s\-./,]{0,3}(\d{1,2})(?:st|nd|rd|th)?,?[\s\-./,']{0,4}(\d{4}|\d{2})(?!\d)")),
]


def _month_of(word: str) -> int | None:
    for i, name in enumerate(_MONTHS):
        if name.startswith(word) and len(word) >= 3 or word == "sept" and i == 8:
            return i + 1
    return None


def _readings(shape: str, g: tuple[str, ...]) -> list[tuple[int, int, int | str]]:
    """(year or 'yy' text, month, day) readings of one date-shaped match."""
    if shape == "num":
        a, b, c = g
        if len(a) == 4:
            return [(int(a), int(b), int(c))] if len(c) <= 2 else []
        if len(a) > 2:
            return []
        return [(c, int(a), int(b)), (c, int(b), int(a))]
    if shape == "compact":
        v = g[0]
        return [(int(v[:4]), int(v[4:6]), int(v[6:])), (v[4:], int(v[:2]), int(v[2:4])), (v[4:], int(v[2:4]), int(v[:2]))]
    if shape == "dmy":
        m = _month_of(g[1])
        return [(g[2], m, int(g[0]))] if m else []
    m = _month_of(g[0])
    return [(g[2], m, int(g[1]))] if m else []


class Needles:
    """The case's own identifiers, compiled for matching against folded text."""

    def __init__(self, identifiers: Identifiers | None, dates: Iterable[str] = ()):
        self.patterns: list[tuple[str, re.Pattern]] = []
        self.numbers: list[tuple[str, str]] = []  # (kind, core digits) matched in digit runs
        # name parts that are ordinary words ("Day", "Rose", "Bill"): matched on the original text,
        # capitalised, never right after a digit or "/" nor before a number ("Day 3", "1.5 L/day")
        self.ordinary: list[tuple[str, re.Pattern]] = []
        from .names import ordinary as _ordinary_words, stoplist as _stop
        ordinary_words = _ordinary_words() | _stop()
        ids = identifiers or Identifiers()
        pats: list[tuple[str, str]] = []

        def name_parts(text: str, kind: str, strict: bool) -> None:
            if strict:  # "Bartholomew Quenneville (son)": the role in brackets is not part of the name
                text = re.sub(r"\([^)]*\)", " ", text)
            if not text.strip():
                return
            words = _words(text)
            if len(words) > 1:
                pats.append((kind, rf"(?<!\w){_name_pattern(' '.join(words))}(?!\w)"))
            for w in words:
                f = fold(w)
                if len(f) < 2 or f in _PARTICLES or f.isdigit():
                    continue
                if strict and f in _ROLE_WORDS:
                    continue
                if f in ordinary_words:
                    cap = re.escape(w[:1].upper() + w[1:])
                    self.ordinary.append((kind, re.compile(rf"(?<![\w/])(?<!\d )(?<!\d){cap}(?!\w)(?![ \t]*[\d(\-−+])")))
                    continue
                pats.append((kind, rf"(?<!\w){_name_pattern(w)}(?!\w)"))
                if "'" in f:  # O'Brien also as OBrien
                    pats.append((kind, rf"(?<!\w){re.escape(f.replace(chr(39), ''))}(?!\w)"))

        name_parts(ids.given_names, "name", False)
        name_parts(ids.family_name, "name", False)
        full = _words(f"{ids.given_names} {ids.family_name}")
        if ids.given_names.strip() and ids.family_name.strip() and len(full) > 1:
            pats.append(("name", rf"(?<!\w){_name_pattern(' '.join(full))}(?!\w)"))  # "dmitri long"
        for rel in ids.relatives:
            name_parts(rel, "name", True)
        for other in ids.other:
            if other.strip():
                words = _words(other)
                if words:
                    pats.append(("other", rf"(?<!\w){_name_pattern(' '.join(words))}(?!\w)"))
        for rn in ids.record_numbers:
            p = _char_joined(rn.value)
            if p:
                pats.append(("record_number", p))
                stripped = rn.value.lstrip("0 -")
                if stripped != rn.value and sum(c.isdigit() for c in stripped) >= 5:
                    q = _char_joined(stripped)
                    if q:
                        pats.append(("record_number", q))
        for kind, value in (("phone", ids.phone), ("fax", ids.fax), ("ssn", ids.ssn)):
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 7:
                self.numbers.append((kind, digits[-10:] if kind != "ssn" else digits))
        zip_digits = re.sub(r"\D", "", ids.zip_code)
        if len(zip_digits) >= 5:
            plus4 = zip_digits[5:9] or r"\d{4}"
            pats.append(("zip", rf"(?<!\d){zip_digits[:5]}(?:[\s\-]?{plus4})?(?!\d)"))
        elif ids.zip_code.strip():  # a non-US postal code
            p = _char_joined(ids.zip_code)
            if p:
                pats.append(("zip", p))
        for piece in re.split(r"[,;\n]+", ids.street):
            self._street(piece, pats)
        for place in (ids.city,):
            if place.strip():
                pats.append(("address", rf"(?<!\w){_name_pattern(' '.join(_words(place)))}(?!\w)"))
        county = ids.county.strip()
        if county:
            core = re.sub(r"(?i)\s+(county|parish|borough|co\.?)$", "", county).strip()
            cw = _words(core)
            if cw:
                cp = _name_pattern(" ".join(cw))
                pats.append(("address", rf"(?<!\w){cp}\s+(?:county|parish|borough|co\b\.?)"))
                if fold(" ".join(cw)) not in _STATE_NAMES and len(core) >= 4:
                    pats.append(("address", rf"(?<!\w){cp}(?!\w)"))
        email = fold(ids.email.strip())
        if email:
            pats.append(("email", rf"(?<![\w.+\-]){re.escape(email)}(?![\w\-])"))
            local = email.split("@")[0]
            if len(local) >= 5:
                pats.append(("email", rf"(?<![\w.+\-]){re.escape(local)}(?![\w\-])"))
        for url in ids.urls:
            u = fold(url.strip())
            core = re.sub(r"^(?:[a-z]+://)?(?:www\.)?", "", u).rstrip("/")
            if len(core) >= 4:
                pats.append(("url", rf"(?:(?:[a-z]+://)?(?:www\.)?){re.escape(core)}/?(?![\w\-])"))
        for ip in ids.ip_addresses:
            v = fold(ip.strip())
            if v:
                pats.append(("ip", rf"(?<![\w.:]){re.escape(v)}(?![\w:]|\.\d)"))
        self.dates: set[tuple[int, int, int]] = {t for t in map(_iso_tuple, [*dates, ids.date_of_birth or ""]) if t}
        self.patterns = [(k, re.compile(p)) for k, p in dict.fromkeys(pats)]

    def _street(self, piece: str, pats: list[tuple[str, str]]) -> None:
        words = _words(piece)
        if not words:
            return
        pats.append(("address", rf"(?<!\w){_name_pattern(' '.join(words))}(?!\w)"))
        body = list(words)
        if body and re.fullmatch(r"\d+[a-z]?", body[0], re.I):
            body = body[1:]
        suffix = None
        if body and fold(body[-1]).rstrip(".") in _STREET_SUFFIXES and len(body) > 1:
            suffix = _STREET_SUFFIXES[fold(body[-1]).rstrip(".")]
            body = body[:-1]
        if not body:
            return
        name = _name_pattern(" ".join(body))
        if suffix:
            num = re.escape(fold(words[0])) + r"[\s,]+" if re.fullmatch(r"\d+[a-z]?", words[0], re.I) else ""
            pats.append(("address", rf"(?<!\w)(?:{num})?{name}\s+(?:{'|'.join(suffix)})\b\.?" if num
                         else rf"(?<!\w){name}\s+(?:{'|'.join(suffix)})\b\.?"))
        core = fold(" ".join(body))
        if len(core) >= 4 and core not in _COMMON_STREET_WORDS and not core.startswith(("apt", "apartment", "suite", "unit")):
            pats.append(("address", rf"(?<!\w){name}(?!\w)"))

    @property
    def empty(self) -> bool:
        return not self.patterns and not self.numbers and not self.dates and not self.ordinary

    def is_own_date(self, year: int | str, month: int, day: int) -> bool:
        if isinstance(year, str):  # as written: four digits, or two that stand for any century
            if len(year) == 4:
                return (int(year), month, day) in self.dates
            return any(y % 100 == int(year) and m == month and d == day for y, m, d in self.dates)
        return (year, month, day) in self.dates


@lru_cache(maxsize=64)
def _needles_cached(key: str, dates: tuple[str, ...]) -> Needles:
    from ..codec import from_plain
    return Needles(from_plain(Identifiers, json.loads(key)), dates)


def needles_for(identifiers: Identifiers | None, dates: Iterable[str] = ()) -> Needles:
    key = json.dumps(to_plain(identifiers or Identifiers()), sort_keys=True)
    return _needles_cached(key, tuple(sorted(set(d for d in dates if d))))


# --- generic patterns ----------------------------------------------------------------------------

_MON = (r"(?:(?i:january|february|april|june|july|august|september|october|november|december)"
        r"|March|MARCH|May|MAY|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
        r"|JAN|FEB|MAR|APR|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC)(?![A-Za-z])\.?)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_ORDINAL_WORDS = (r"(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
                  r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|"
                  r"(?:twenty|thirty)[\s\-]+(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
                  r"|(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th))")
_CAP = r"[A-ZÀ-ÖØ-Þ]"  # a capital letter, Latin-1 included (Lucía, Ørsted)
_LOW = r"[a-zß-öø-ÿ\u0100-\u017f]"
_WORD = _CAP + _LOW + "+"
_STATES_ABBR = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
                "NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR")
_STATES_FULL = ("Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
                "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
                "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
                "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
                "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
                "West Virginia|Wisconsin|Wyoming|Puerto Rico")
# "Smith, MD" and "Jones, PA" are credentials far more often than Maryland and Pennsylvania.
_STATES_FOR_CITY = "|".join(s for s in _STATES_ABBR.split("|") if s not in ("MD", "PA", "DO", "ME", "OR", "IN"))
_STREET_SUFFIX_RE = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|"
                     r"Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Way|Trail|Trl|Crescent|"
                     r"Close|Grove|Row|Alley|Pike|Turnpike)")
_UNITS = frozenset("""
mg g kg mcg µg μg ug ng pg ml l dl iu u units unit mmol µmol μmol umol nmol pmol meq mosm cells copies
cfu mm cm m km min mins h hr hrs s sec kcal cal mmhg bpm k x mu miu iu/l u/l ml/min mm3 µl μl ul
tablets tabs tablet caps capsules doses puffs drops sprays vials bags patients cases participants
people persons subjects reads years days weeks months hours
""".split())


@dataclass(frozen=True)
class _Pat:
    kind: str
    regex: re.Pattern
    rank: int
    group: str | int = 0
    check: Any = None  # (match, text) -> kind | None
    citation: bool = False  # also looked for in references and provenance
    # What the text must contain for the regex to match at all (see _FEATURES): a pattern is not run
    # over a text that lacks one. Each is a necessary condition read off the regex, and a test checks
    # it on the corpus; it only saves time (most fields hold no digit, no month, no "@").
    needs: str = ""

    # the kinds a hit of this pattern can be named: a phone number's check may call it a fax
    kinds: frozenset[str] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", frozenset({self.kind, "fax"} if self.kind == "phone" else {self.kind}))


_FULL_MONTHS = ("January", "February", "April", "June", "July", "August", "September", "October", "November",
                "December")
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _has_month(text: str) -> bool:
    """A month's first three letters in any case: every spelling _MON matches holds one. casefold,
    not lower, so that "ſ" counts as "s" as it does for the patterns' (?i)."""
    folded = text.casefold()
    return any(m in folded for m in _MONTH_STEMS)


# The cheap tests behind _Pat.needs, each one pass over the text.
_FEATURES: dict[str, Callable[[str], bool]] = {
    "d": re.compile(r"\d").search,  # a digit (any script, as \d in the patterns)
    "m": _has_month,
    "M": lambda t: "May" in t or "March" in t,
    "F": lambda t: any(m in t for m in _FULL_MONTHS),
    "a": re.compile(r"(?i)[\[(]\s*at\s*[\])]").search,  # an e-mail address written "name [at] host"
    "7": re.compile(r"\d{3}[\s.\-]?\d{4}").search,  # the last seven digits of a phone number
    "@": lambda t: "@" in t,
    ":": lambda t: ":" in t,
    "w": re.compile(r"(?i)www\.").search,
}


def _valid_dmy(m: re.Match, text: str) -> str | None:
    a, b = int(m.group("a")), int(m.group("b"))
    ok = (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)
    return "date" if ok else None


def _not_unit(m: re.Match, text: str) -> str | None:
    after = text[m.end():m.end() + 16]
    am = re.match(r"\s?([/×%]|[A-Za-zµμ]+(?:/[A-Za-zµμ0-9]+)?)", after)
    if am:
        tok = am.group(1).lower()
        if tok in ("/", "×", "%") or tok in _UNITS or tok.split("/")[0] in _UNITS:
            return None
    return "digits"


def _phone_or_fax(m: re.Match, text: str) -> str | None:
    digits = re.sub(r"\D", "", m.group(0))
    if len(digits) < 7 or len(set(digits)) == 1:
        return None
    before = text[max(0, m.start() - 30):m.start()].lower()
    return "fax" if "fax" in before else "phone"


def _phone_not_range(m: re.Match, text: str) -> str | None:
    """A bare 555-0142 is a local phone number unless a unit follows (a range such as 150-2000 mg)."""
    return _phone_or_fax(m, text) if _not_unit(m, text) else None


def _valid_ipv6(m: re.Match, text: str) -> str | None:
    try:
        ipaddress.IPv6Address(m.group(0))
    except ValueError:
        return None
    return "ip"


def _record_value(m: re.Match, text: str) -> str | None:
    v = m.group("v")
    digits = sum(c.isdigit() for c in v)
    alnum = sum(c.isalnum() for c in v)
    if digits < 2 or alnum < 4:
        return None
    return "record_number"


def _ssn_ok(m: re.Match, text: str) -> str | None:
    digits = re.sub(r"\D", "", m.group("v") if "v" in m.re.groupindex else m.group(0))
    return "ssn" if len(digits) == 9 else None


_PUBLICATION_HOSTS = re.compile(
    r"(?i)^(?:[a-z]+://)?(?:www\.)?(?:dx\.)?(?:doi\.org|pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov"
    r"|clinicaltrials\.gov|orcid\.org|creativecommons\.org)\b")


_STATE_NAMES = frozenset(fold(x) for x in _STATES_FULL.split("|"))


def _not_state(m: re.Match, text: str) -> str | None:
    return None if fold(m.group("v")) in _STATE_NAMES else "address"


def _url_ok(m: re.Match, text: str) -> str | None:
    return None if _PUBLICATION_HOSTS.match(m.group(0)) else "url"


_RECORD_CONTEXT = (
    r"(?i:\b(?:mrn|medical\s+record(?:\s+(?:no\.?|number|#))?|record\s+(?:no\.?|number|#)"
    r"|chart\s+(?:no\.?|number|#)|hospital\s+(?:no\.?|number|id)|patient\s+(?:id|no\.?|number)"
    r"|account(?:\s+(?:no\.?|number|#))?|acct\.?(?:\s*(?:no\.?|#))?|policy(?:\s+(?:no\.?|number|#))?"
    r"|(?:member|subscriber|beneficiary|group)\s+(?:id|no\.?|number|#)|beneficiary"
    r"|health[\s-]+plan(?:\s+(?:id|no\.?|number|#))?|insurance\s+(?:id|no\.?|number|#)"
    r"|medicare(?:\s+(?:id|no\.?|number|#|beneficiary\s+identifier))?|medicaid(?:\s+(?:id|no\.?|number|#))?"
    r"|nhs\s+(?:no\.?|number)|licen[cs]e(?:\s+(?:no\.?|number|#))?|certificate(?:\s+(?:no\.?|number|#))?"
    r"|(?:licen[cs]e\s+)?plate(?:\s+(?:no\.?|number))?|registration(?:\s+(?:no\.?|number))?|vin|serial(?:\s+(?:no\.?|number|#))?"
    r"|s/n|sn|device\s+(?:id|identifier|serial)|udi|accession(?:\s+(?:no\.?|number|#))?"
    r"|case\s+(?:no\.?|number|#)|claim(?:\s+(?:no\.?|number|#))?|id(?:\s+(?:no\.?|number))?|identifier)\b)"
)
_CODE_VALUE = r"(?P<v>(?=[A-Za-z\-/.]*\s?\d)[A-Za-z0-9](?:[A-Za-z0-9]|[\-/.](?=[A-Za-z0-9])|\s(?=\d{2})){2,30})(?![A-Za-z0-9])"

_P: list[_Pat] = [
    # --- dates
    _Pat("date", re.compile(r"(?<![\w.])(?:1[89]|20)\d{2}(?P<s>[\-/.:])(?:0?[1-9]|1[0-2])(?P=s)" + _DAY + r"(?!\d|[.,]\d)"), 2, needs="d"),
    _Pat("date", re.compile(r"(?<![\w.,/\-])(?P<a>\d{1,2})(?P<s>[/.\-])(?P<b>\d{1,2})(?P=s)(?:\d{4}|\d{2})(?!\d|[.,/\-]\d)"), 2, check=_valid_dmy, needs="d"),
    _Pat("date", re.compile(r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"), 2, needs="d"),
    _Pat("date", re.compile(r"(?<![\w.])" + _DAY + r"(?:st|nd|rd|th)?(?:\s+of\s+|[\s\-/]{1,3}|\.)?" + _MON
                            + r"(?![a-z])(?:[\s\-./,]*(?:\d{4}|'\d{2})(?!\d))?"), 2, needs="dm"),
    _Pat("date", re.compile(r"(?<![A-Za-z])" + _MON + r"(?![a-z])[\s.,]*(?:the\s+)?" + _DAY
                            + r"(?:st|nd|rd|th)?(?![\d:])(?:,?\s*(?:\d{4}|'\d{2})(?!\d))?"), 2, needs="dm"),
    _Pat("date", re.compile(r"(?<![A-Za-z])" + _MON + r"(?![a-z])[\s.,]*(?:of\s+)?(?:(?:1[89]|20)\d{2}|'\d{2})(?!\d)"), 2, needs="dm"),
    _Pat("date", re.compile(r"(?<![\w.,/\-])(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}(?![\d/])"), 2, needs="d"),
    # ISO month-year ("2015-06", "2015/06"): "06/2015" was caught, this was not
    _Pat("date", re.compile(r"(?<![\w.,/\-])(?:19|20)\d{2}[\-/](?:0[1-9]|1[0-2])(?![\w]|[.,/\-]\d)"), 2, needs="d"),
    # a day in words: "the third of March", "twenty-first of June", "March the third"
    _Pat("date", re.compile(r"(?i:\b(?:the\s+)?" + _ORDINAL_WORDS + r"\s+(?:of\s+)?)" + _MON
                            + r"(?![a-z])(?:[\s\-./,]*(?:\d{4}|['’]\d{2})(?!\d))?"), 2, needs="m"),
    _Pat("date", re.compile(r"(?<![A-Za-z])" + _MON + r"(?![a-z])\s+(?i:the\s+)?(?i:" + _ORDINAL_WORDS + r")\b"), 2, needs="m"),
    # a month with an abbreviated year: "Mar. '21", "Mar ’21", "March of '21"
    _Pat("date", re.compile(r"(?<![A-Za-z])" + _MON + r"(?![a-z])[\s.,]*(?:of\s+)?['’]\d{2}(?!\d)"), 2, needs="dm"),
    # a month alone is a date element too (Safe Harbor keeps only the year); "May" and "March" only after
    # a word that makes them a month, since both are also ordinary words
    _Pat("date", re.compile(r"(?<![\w\-])(?:January|February|April|June|July|August|September|October|November|December)(?![\w\-])"), 3, needs="F"),
    _Pat("date", re.compile(r"(?i:\b(?:mid|early|late|end)-)(?P<v>(?:January|February|March|April|May|June|July|August|September|October|November|December))(?![\w\-])"), 3, group="v", needs="m"),
    _Pat("date", re.compile(r"(?i:\b(?:in|of|since|until|till|by|during|from|early|late|mid|end\s+of|last|next|this)[\s\-]+)(?P<v>May|March)\b"), 3, group="v", needs="M"),
    # --- contact
    _Pat("email", re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), 1, citation=True, needs="@"),
    _Pat("email", re.compile(r"(?i)(?<![\w.\-])[\w.\-]+\s*[\[(]\s*at\s*[\])]\s*[\w\-]+(?:\s*[\[(]\s*dot\s*[\])]\s*[\w\-]+)+"), 1, citation=True, needs="a"),
    _Pat("url", re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>\"'\]\)]+"), 2, check=_url_ok, needs=":"),
    _Pat("url", re.compile(r"(?i)(?<![\w.@/\-])www\.[^\s<>\"'\]\)]+"), 2, check=_url_ok, needs="w"),
    _Pat("url", re.compile(r"(?i)(?<![\w.@/\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
                           r"(?:com|org|net|edu|gov|info|biz|io|me|us|uk|ca|au|de|fr|nl|health|care|co)"
                           r"(?![\w\-@]|\.[a-z])(?:/[^\s<>\"'\]\)]*)?"), 3, check=_url_ok),
    _Pat("ip", re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)"), 1, citation=True, needs="d"),
    _Pat("ip", re.compile(r"(?i)(?<![\w:])(?:[0-9a-f]{1,4})?(?::[0-9a-f]{0,4}){2,7}(?![\w:])"), 1, check=_valid_ipv6, citation=True, needs=":"),
    _Pat("ssn", re.compile(r"(?<![\w\-])(?!000|666)\d{3}(?P<s>[\- ])(?!00)\d{2}(?P=s)(?!0000)\d{4}(?![\w]|-\d)"), 1, citation=True, needs="d"),
    _Pat("ssn", re.compile(r"(?i)\b(?:ssn|ss#|soc\.?\s*sec\.?|social[\s-]+security)(?:\s+(?:no\.?|number|#))?\s*(?:is|was)?\s*[:#]?\s*"
                           r"(?P<v>\d{3}[\s.\-]?\d{2}[\s.\-]?\d{4})(?!\d)"), 0, group="v", check=_ssn_ok, citation=True, needs="d"),
    _Pat("ssn", re.compile(r"(?i)(?<![\w\-])[x*]{3}-[x*]{2}-\d{4}(?!\d)"), 1, citation=True, needs="d"),
    _Pat("phone", re.compile(r"(?<![\w+])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]?\d{4}"
                             r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?(?!\d|[.,]\d)"), 3, check=_phone_or_fax, needs="7"),
    _Pat("phone", re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-]?\(?\d{1,4}\)?){2,5}(?!\d|[.,]\d)"), 3, check=_phone_or_fax, needs="d"),
    _Pat("phone", re.compile(r"(?<![\w.,])0\d{2,4}[\s\-]\d{3,4}[\s\-]?\d{3,4}(?!\d|[.,]\d)"), 3, check=_phone_or_fax, needs="d"),
    _Pat("phone", re.compile(r"(?<![\w.,/\-])\d{3}-\d{4}(?![\w]|[.,\-]\d)"), 4, check=_phone_not_range, needs="7"),
    _Pat("phone", re.compile(r"(?i)\b(?:phone|tel|telephone|call(?:ed)?|cell|mobile|pager|beeper|fax(?:ed)?|ext|extension|number|line|dial(?:led|ed)?|contact|reach(?:ed)?)"
                             r"\b[^\n\d]{0,20}?(?P<v>(?<!\d)\d{3}[\s.\-]\d{4})(?!\d|[.,]\d)"), 3, group="v", check=_phone_or_fax, needs="7"),
    # --- numbers
    _Pat("record_number", re.compile(_RECORD_CONTEXT + r"[\s:#.]*(?:(?:is|was|of|reads?|number)\s+)?[:#]?\s*" + _CODE_VALUE),
         0, group="v", check=_record_value, needs="d"),
    _Pat("record_number", re.compile(r"(?<![\w\-])(?!NCT|PMC|ISRCTN|PMID|RS\d)(?=[A-Z0-9\-]*\d{5})[A-Z]{1,4}-?\d[A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w\-])"), 3, needs="d"),
    _Pat("digits", re.compile(r"(?<![\w.,/])\d{6,}(?!\w|[.,]\d)"), 4, check=_not_unit, needs="d"),
    _Pat("digits", re.compile(r"(?<![\w.,/\-])\d{4}(?:[ \-]\d{4}){2,3}(?![\w]|[.,\-]\d)"), 4, needs="d"),
    # --- places
    _Pat("zip", re.compile(r"(?<![\w\-])\d{5}-\d{4}(?![\w]|-\d)"), 1, needs="d"),
    _Pat("zip", re.compile(r"\b(?:" + _STATES_ABBR + "|" + _STATES_FULL + r"),?\s+(?P<v>\d{5}(?:-\d{4})?)(?!\d)"), 1, group="v", needs="d"),
    _Pat("zip", re.compile(r"(?i)\b(?:zip(?:\s*code)?|postal\s+code|post\s*code)\b\s*(?:is|was|of)?\s*[:#]?\s*"
                           r"(?P<v>\d{5}(?:-\d{4})?|\d{3}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})(?![\w])"), 0, group="v", needs="d"),
    _Pat("zip", re.compile(r"(?<![\w])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s\d[ABD-HJLNP-UW-Z]{2}(?!\w)"), 3, needs="d"),
    _Pat("address", re.compile(r"(?<![\w.,/])\d{1,6}[A-Za-z]?(?:-\d{1,4})?\s+(?:(?:[NSEW]|North|South|East|West)\.?\s+)?"
                               r"(?:(?:[A-Z][A-Za-z'’\-]*|\d{1,3}(?:st|nd|rd|th))\.?\s+){1,3}" + _STREET_SUFFIX_RE
                               + r"\b\.?(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*#?\s*[\w\-]+)?"), 2, needs="d"),
    _Pat("address", re.compile(r"(?i)\bP\.?\s?O\.?\s*Box\s+\d+"), 2, needs="d"),
    _Pat("address", re.compile(r"(?i)\b(?:apt|apartment|suite|ste)\.?\s*#?\s*\d+[A-Z]?\b"), 3, needs="d"),
    _Pat("address", re.compile(r"\b(?P<v>" + _WORD + r"(?:[ \-]" + _WORD + r"){0,2}),\s+(?:" + _STATES_FOR_CITY + "|" + _STATES_FULL
                               + r")\b"), 3, group="v"),
    _Pat("address", re.compile(r"\b" + _WORD + r"(?:\s" + _WORD + r")?\s+(?:County|Parish|Borough)\b"), 3),
    _Pat("address", re.compile(r"\b(?:lives|living|lived|resides|residing|resident|moved|relocated|hometown|home\s+town"
                               r"|born|raised|grew\s+up|native)\s+(?:in|of|at|to|from|is)\s+(?:the\s+town\s+of\s+|the\s+city\s+of\s+)?"
                               r"(?P<v>" + _WORD + r"(?:[ \-]" + _WORD + r"){0,2})"), 3, group="v", check=_not_state),
    # --- names: see desktop/privacy/names.py (titles, relations, "named ...", lists)
    # --- ages over 89
    _Pat("age", re.compile(r"(?i)\b(?:9\d|1[01]\d)(?:\s*|-)(?:years?|yrs?|y)(?:\s*|-)(?:old|of\s+age)\b"), 2, needs="d"),
    _Pat("age", re.compile(r"(?i)\b(?:9\d|1[01]\d)\s*(?:yo|y/o|y\.o\.)(?!\w)"), 2, needs="d"),
    _Pat("age", re.compile(r"(?i)\b(?:aged?|age:)\s*:?\s*(?:9\d|1[01]\d)\b(?!\s*(?:or\s+(?:older|over|more|above)|\+|%|mg|kg|ml|/))"), 2, needs="d"),
    _Pat("age", re.compile(r"(?i)\bninety(?:[\s\-]+(?:one|two|three|four|five|six|seven|eight|nine))?[\s\-]+(?:years?|yrs?)(?:[\s\-]+old)?\b"
                           ), 2),
    _Pat("age", re.compile(r"(?i)\b(?:turned|turning|aged?|at)\s+(?:ninety|one\s+hundred)(?:[\s\-]+(?:one|two|three|four|five|six|seven|eight|nine))?\b"), 2),
    _Pat("age", re.compile(r"(?i)\b(?:a|one)?[\s\-]*hundred(?:[\s\-]+and)?(?:[\s\-]+(?:one|two|three|four|five|six|seven|eight|nine|ten))?"
                           r"[\s\-]+(?:years?|yrs?)(?:[\s\-]+(?:old|of\s+age))?\b"), 2),
    _Pat("age", re.compile(r"(?i)\b(?:nonagenarian|centenarian)\b|\bin\s+(?:his|her|their)\s+(?:early\s+|mid[\s\-]+|late\s+)?(?:nineties|90s|hundreds)\b"), 2),
]

# Spans that are citations or standard codes, not identifiers: generic hits inside them are dropped.
_SAFE = [
    re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+"),  # DOI
    re.compile(r"(?i)\b(?:pmid|pmcid|pmc|snomed(?:[\s\-]*ct)?|loinc|icd[\s\-]*(?:9|10|11|o)(?:[\s\-]*(?:cm|pcs))?|cpt|hcpcs|ndc"
               r"|rxnorm|rxcui|isbn|issn|orcid|nct|isrctn|eudract|umls|cui|hgnc|omim|clinvar|dbsnp|gene\s+id)\b"
               r"[\s:#\-]*(?:codes?\s*)?[:#]?\s*[\w.\-/]*\d[\w.\-/]*(?:\s*(?:,|and|or|;)\s*[\w.\-/]*\d[\w.\-/]*)*"),
    re.compile(r"\b(?:NCT\d{8}|PMC\d{5,}|ISRCTN\d{8}|rs\d{3,})\b"),
]


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


_NUMBER_RUN = re.compile(r"(?<![\w])[+(]?\d(?:[\s().\-/+]{0,3}\d){6,}")


def _own(text: str, folded: str, needles: Needles) -> list[tuple[str, int, int, int]]:
    out = []
    from .names import is_eponym_at
    for kind, rx in needles.patterns:
        for m in rx.finditer(folded):
            if m.end() > m.start():
                if kind == "name" and is_eponym_at(text, m.end()):
                    continue  # "Wilson disease", "Parkinson's disease": not the patient's name
                out.append((kind, m.start(), m.end(), -1))
    for kind, rx in needles.ordinary:
        for m in rx.finditer(text):
            if not is_eponym_at(text, m.end()):
                out.append((kind, m.start(), m.end(), -1))
    if needles.numbers:
        for m in _NUMBER_RUN.finditer(text):
            positions = [m.start() + i for i, c in enumerate(m.group(0)) if c.isdigit()]
            digits = "".join(text[i] for i in positions)
            for kind, core in needles.numbers:
                at = digits.find(core)
                if at < 0 and len(core) >= 10 and len(digits) == 7 and core.endswith(digits):
                    at, core = 0, digits  # the local seven-digit form of the case's own number
                if at >= 0:
                    out.append((kind, positions[at], positions[at + len(core) - 1] + 1, -1))
    if needles.dates:
        for shape, rx in _OWN_DATE_SHAPES:
            for m in rx.finditer(folded):
                if any(needles.is_own_date(*r) for r in _readings(shape, m.groups())):
                    out.append(("date", m.start(), m.end(), -1))
    return out


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
