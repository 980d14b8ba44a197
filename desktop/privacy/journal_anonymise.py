"""Anonymisation some journals ask beyond HIPAA Safe Harbor, applied by the export for that journal.

A journal profile (resources/journals/) lists its ``anonymisation`` rules by id; this module applies
the ones it can apply to the free text of a case and says, change by change, what it did, so the
author can read the exported manuscript knowing what was rewritten:

- ``age-as-range``: an exact age becomes its decade ("a 73-year-old man" → "a man in his 70s",
  "aged 73" → "in his 70s"); the writers print the structured age the same way (``age_in_decades``);
- ``no-calendar-dates``: years and month names left in the text ("in 2019", "in March 2020") become
  "[date removed]" (full dates are already gone: the one de-identification step removes them, and
  the writers state structured times as intervals from the index event);
- ``no-place-or-institution``: names of institutions ("St Elsewhere Hospital", "University of X")
  become "[institution]", and places the identifier scan finds ("lives in X", "X County", "City, ST")
  "[place]".

A rule it cannot apply (``images-cropped``) is returned as a reminder. The word lists are data
(resources/privacy/journal_anonymisation.json). Authors and references are not the patient's and are
never rewritten (the text walk of :mod:`desktop.privacy.fields` passes over authors; citations are
skipped here). The input case is never changed.
"""
from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from functools import cache

from .. import catalogue
from ..model import Case

DATE_REMOVED = "[date removed]"
INSTITUTION = "[institution]"
PLACE = "[place]"

AGE, DATES, PLACES, IMAGES = "age-as-range", "no-calendar-dates", "no-place-or-institution", "images-cropped"
RULE_LABEL = {AGE: "age as a range", DATES: "no calendar dates", PLACES: "no place or institution names",
              IMAGES: "images cropped to the clinical point"}


@dataclass(frozen=True)
class AnonymisationChange:
    field: str  # JSON path of the field ("$.manuscript.abstract_case"), or "patient age", or "images"
    rule: str  # the profile's rule id
    before: str
    after: str

    def __str__(self) -> str:
        if not self.before:
            return f"{self.field}: {RULE_LABEL.get(self.rule, self.rule)}: {self.after}"
        return f"{self.field}: {RULE_LABEL.get(self.rule, self.rule)}: {self.before!r} → {self.after!r}"


@cache
def _words() -> dict:
    return catalogue.load_json("privacy", "journal_anonymisation.json")


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _patterns() -> dict[str, re.Pattern]:
    w = _words()
    nouns, months = _alt(w["person_nouns"]), _alt(w["months"])
    lead = _alt(w["year_lead_words"])
    inst, inst_of = _alt(w["institution_words"]), _alt(w["institution_of_words"])
    cap = r"(?:St\.?|[A-Z][\w'’.&-]*)"
    year = r"(?:19|20)\d{2}"
    return {
        # "a 73-year-old African American man" -> determiner, age, up to three words, the noun
        "age_noun": re.compile(r"\b(?P<det>[Aa]n?|[Tt]he|[Tt]his|[Oo]ur|[Tt]hat)\s+(?P<age>\d{1,3})[\s-]+years?[\s-]+old"
                               r"\s+(?P<words>(?:[\w-]+\s+){0,3}?)(?P<noun>" + nouns + r")\b"),
        "age_old": re.compile(r"\b(?P<age>\d{1,3})[\s-]+(?:years?|yrs?)[\s-]+(?:old|of\s+age)\b"),
        "age_aged": re.compile(r"(?i)\b(?:aged|at\s+(?:the\s+)?age\s+(?:of\s+)?)\s*(?P<age>\d{1,3})(?:\s+years?)?\b(?!\s*(?:months?|weeks?|days?))"),
        # month (day) year; day (of) month (year); month day — and "in March" (a lead word before it)
        "month_date": re.compile(r"\b(?:" + months + r")\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+" + year + r"\b"
                                 r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + months + r")(?:,?\s+" + year + r")?\b"
                                 r"|\b(?:" + _alt(m for m in w["months"] if m != "May") + r")\s+\d{1,2}(?:st|nd|rd|th)?\b"),
        "month": re.compile(r"\b(?P<lead>" + lead + r")(?P<sp>\s+)(?:early\s+|late\s+|mid-?)?(?:" + months + r")\b"),
        "year": re.compile(r"\b(?P<lead>" + lead + r")(?P<sp>\s+)(?:early\s+|late\s+|mid-?)?" + year + r"s?\b", re.I),
        "institution": re.compile(r"\b(?:[Tt]he\s+)?(?:" + cap + r"\s+){0,4}?(?:" + cap + r"\s+)(?:" + inst + r")\b"
                                  r"(?:\s+(?:of|in|at)\s+" + cap + r"(?:\s+" + cap + r"){0,3})?"
                                  r"|\b(?:[Tt]he\s+)?(?:" + inst_of + r")\s+of\s+" + cap + r"(?:\s+" + cap + r"){0,3}"),
    }


def pronoun_of(case: Case) -> str:
    return {"male": "his", "female": "her"}.get(case.patient.sex, "their")


def decade_phrase(age: int, pronoun: str) -> str:
    """'in his 70s' for 73; under 10 'younger than 10'; 90 and over 'aged 90 or older' (Safe Harbor)."""
    if age >= 90:
        return "aged 90 or older"
    if age < 10:
        return "younger than 10 years"
    return f"in {pronoun} {age // 10 * 10}s"


def _article(word: str, det: str) -> str:
    if det.lower() not in ("a", "an"):
        return det
    an = word[:1].lower() in "aeiou"
    out = "an" if an else "a"
    return out.capitalize() if det[:1].isupper() else out


Found = list  # [(matched text, its replacement)]


def _sub(pattern: re.Pattern, repl, text: str, found: Found) -> str:
    def one(m: re.Match) -> str:
        new = repl(m) if callable(repl) else repl
        if new != m.group(0):
            found.append((m.group(0), new))
        return new
    return pattern.sub(one, text)


def _ages(text: str, pronoun: str, found: Found) -> str:
    p = _patterns()

    def noun(m: re.Match) -> str:
        words, n = m.group("words"), m.group("noun")
        first = (words or n).split()[0]
        return f"{_article(first, m.group('det'))} {words}{n} {decade_phrase(int(m.group('age')), pronoun)}"
    text = _sub(p["age_noun"], noun, text, found)
    def decade(m: re.Match) -> str:
        out = decade_phrase(int(m.group("age")), pronoun)
        return out[:1].upper() + out[1:] if m.group(0)[:1].isupper() else out
    text = _sub(p["age_old"], decade, text, found)
    return _sub(p["age_aged"], decade, text, found)


def _dates(text: str, found: Found) -> str:
    p = _patterns()
    text = _sub(p["month_date"], DATE_REMOVED, text, found)
    keep_lead = lambda m: m.group("lead") + m.group("sp") + DATE_REMOVED  # noqa: E731
    text = _sub(p["month"], keep_lead, text, found)
    return _sub(p["year"], keep_lead, text, found)


def _places(text: str, found: Found) -> str:
    from . import phi
    kinds = set(_words()["place_hit_kinds"])
    text = _sub(_patterns()["institution"], INSTITUTION, text, found)
    spans = [(s, e) for k, s, e in phi.scan_text(text) if k in kinds]
    for s, e in sorted(spans, reverse=True):
        if INSTITUTION not in text[s:e] and DATE_REMOVED not in text[s:e]:
            found.append((text[s:e], PLACE))
            text = text[:s] + PLACE + text[e:]
    return text


def rule_ids(journal_id: str) -> list[str]:
    from ..journals import journal
    return [r.get("id", "") for r in journal(journal_id).anonymisation]


def anonymise(case: Case, journal_id: str) -> tuple[Case, list[AnonymisationChange]]:
    """The case as the journal ``journal_id`` wants it anonymised, and each change made (in field
    order). A journal without such rules gets the case itself back and no changes."""
    rules = set(rule_ids(journal_id))
    if not rules & {AGE, DATES, PLACES, IMAGES}:
        return case, []
    from .fields import text_fields
    out: Case = pickle.loads(pickle.dumps(case, pickle.HIGHEST_PROTOCOL))
    changes: list[AnonymisationChange] = []
    pronoun = pronoun_of(out)
    steps = [(rule, fn) for rule, fn in ((AGE, lambda t, f: _ages(t, pronoun, f)), (DATES, _dates), (PLACES, _places))
             if rule in rules]
    for tf in list(text_fields(out)):
        if tf.citation or tf.role != "text" or not tf.text.strip():
            continue
        text = tf.text
        for rule, fn in steps:
            found: Found = []
            text = fn(text, found)
            changes += [AnonymisationChange(tf.path, rule, b, a) for b, a in found]
        if text != tf.text:
            tf.set(text)
    if AGE in rules and out.patient.age_years is not None and not out.patient.age_over_89:
        changes.append(AnonymisationChange("patient age", AGE, f"{out.patient.age_years} years",
                                           decade_phrase(out.patient.age_years, pronoun)))
    if IMAGES in rules and any(m.in_report for m in out.figures):
        changes.append(AnonymisationChange("images", IMAGES, "", "not done by Casebook: crop each image to show "
                                           "only the clinical point of interest before submission"))
    return out, changes
