"""The case's own identifiers, in any form the prose may write them (part of :mod:`desktop.privacy.phi`).

:class:`Needles` compiles what ``Case.identifiers`` records (name parts in any case and without
accents, record numbers with or without separators, phone, fax and SSN digits, address parts,
e-mail, URLs, IPs) and the dates recorded in the case into patterns over folded text;
:func:`needles_for` caches them per identifiers and dates. ``_own`` finds them in one text, reading
date-shaped text every way it could be meant and comparing it with the case's own dates.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Iterable

from ..codec import to_plain
from ..model import Identifiers
from .fields import _iso_tuple
from .folding import fold
from .patterns import _STATE_NAMES


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
        # whole dates only: a month or a year alone names no day to look for
        self.dates: set[tuple[int, int, int]] = {t for d in [*dates, ids.date_of_birth or ""]
                                                 if d.count("-") == 2 and (t := _iso_tuple(d))}
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
