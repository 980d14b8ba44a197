"""Journal profiles: resources/journals/<id>.json, read once per process (no Qt, no network).

A profile says what a journal wants of a case report — sections and headings, abstract, limits,
title rules, CSL style, consent wording, anonymisation beyond Safe Harbor — each fact with its
source and confidence tag (see resources/journals/README.md). :mod:`desktop.app.conformance`
checks a case against a profile's rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from . import catalogue

DEFAULT_JOURNAL = "jmcr"


class UnknownJournal(LookupError):
    pass


@dataclass(frozen=True)
class JournalRule:
    id: str
    kind: str
    label: str
    hard: bool
    source: str  # a key of the profile's sources
    confidence: str  # V or S
    value: Any = None


@dataclass(frozen=True)
class Journal:
    id: str
    name: str
    csl_style: str
    citation_format: str  # "[{}]"
    sections: tuple[tuple[str, str], ...]  # (Narrative field or "case_presentation", heading); () = CARE's
    rules: tuple[JournalRule, ...]
    sources: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)  # the whole profile, for what the writers need beyond this

    def source_text(self, key: str) -> str:
        return self.sources.get(key, {}).get("text", key)

    @property
    def consent_statement(self) -> str | None:
        return (self.data.get("consent_statement") or {}).get("value")

    @property
    def anonymisation(self) -> list[dict]:
        return list(self.data.get("anonymisation") or [])

    @property
    def required_parts(self) -> tuple[str, ...]:
        """The parts a final manuscript for this journal must have (desktop/report/required.py names
        them); a profile whose list is not verified gets the CARE profile's."""
        value = (self.data.get("required_parts") or {}).get("value")
        if value is None and self.id != "care":
            return journal("care").required_parts
        return tuple(value or ())

    @property
    def required_parts_own(self) -> bool:
        """Whether :attr:`required_parts` is the journal's own list (else the CARE checklist's)."""
        return (self.data.get("required_parts") or {}).get("value") is not None


def journal_ids() -> list[str]:
    return sorted(p.stem for p in catalogue.resource_path("journals").glob("*.json"))


@cache
def journal(journal_id: str) -> Journal:
    if journal_id not in journal_ids():
        raise UnknownJournal(f"no journal profile {journal_id!r}; known: {', '.join(journal_ids())}")
    d = catalogue.load_json("journals", f"{journal_id}.json")
    sections = tuple((s["field"], s["heading"]) for s in (d.get("sections", {}).get("value") or []))
    rules = tuple(JournalRule(id=r["id"], kind=r["kind"], label=r["label"], hard=bool(r["hard"]),
                              source=r["source"], confidence=r["confidence"], value=r.get("value"))
                  for r in d.get("rules", []))
    return Journal(id=d["id"], name=d["name"], csl_style=d["csl_style"]["value"],
                   citation_format=(d.get("citation_format") or {}).get("value") or "[{}]",
                   sections=sections, rules=rules, sources=d.get("sources", {}), data=d)
