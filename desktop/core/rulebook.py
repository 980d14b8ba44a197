"""The reviewable data behind the assessment: resources/rules/*.json, loaded once per process.

Thresholds, message wording and citations live there so a clinician can read and change them
without reading code; this module only turns them into objects and fills message templates.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .. import catalogue
from ..timing import DAYS_PER
from .types import SEVERITY_ORDER, Citation, Evidence, Finding

DAYS_PER_UNIT = {**DAYS_PER, "year": 365.25}


class RuleDataError(ValueError):
    """resources/rules/ is inconsistent (unknown citation key, missing template field, ...)."""


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    title: str
    messages: dict[str, str]
    severities: dict[str, str]
    thresholds: dict[str, Any]
    citations: tuple[tuple[str, str, str], ...]  # (key, text, confidence)
    order: int  # position in rules.json: the tie-break when findings are sorted
    citations_for: dict[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)  # per variant
    titles: dict[str, str] = field(default_factory=dict)  # per variant, when one rule finds several things

    def threshold(self, name: str) -> Any:
        try:
            return self.thresholds[name]
        except KeyError:
            raise RuleDataError(f"rule {self.id}: threshold {name!r} missing in rules.json") from None

    def value(self, name: str) -> float:
        return float(self.threshold(name)["value"])

    def days(self, name: str) -> float:
        """A duration threshold ({"value": 6, "unit": "month"}) in days."""
        spec = self.threshold(name)
        return float(spec["value"]) * DAYS_PER_UNIT[spec["unit"]]

    def threshold_text(self, name: str) -> str:
        spec = self.threshold(name)
        from .labs import format_value  # local: labs imports nothing from here, keep it that way
        return format_value(float(spec["value"]), spec.get("unit", ""))

    def message(self, variant: str = "default", **params: Any) -> str:
        """The variant's message; a variant with only a title of its own says the default one."""
        try:
            template = self.messages[variant if variant in self.messages or variant not in self.titles else "default"]
        except KeyError:
            raise RuleDataError(f"rule {self.id}: no message {variant!r} in rules.json") from None
        return tidy(template.format_map(params))

    def finding(self, variant: str = "default", evidence: list[Evidence] | None = None, **params: Any) -> Finding:
        return Finding(
            rule_id=self.id, category=self.category, severity=self.severities.get(variant, self.severity),
            title=self.titles.get(variant, self.title), message=self.message(variant, **params),
            evidence=list(evidence or []),
            citations=[Citation(k, t, c) for k, t, c in (*self.citations, *self.citations_for.get(variant, ()))],
        )


def tidy(text: str) -> str:
    """Collapse the spaces an empty optional part leaves behind ('…{note}' with note='')."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([.,;:])", r"\1", text)


@cache
def citations() -> dict[str, dict]:
    return catalogue.load_json("rules", "citations.json")["citations"]


def citation(key: str, confidence: str | None = None) -> Citation:
    try:
        c = citations()[key]
    except KeyError:
        raise RuleDataError(f"unknown citation key {key!r}; see resources/rules/citations.json") from None
    return Citation(key, c["text"], confidence or c.get("confidence", ""))


@cache
def rules() -> dict[str, Rule]:
    data = catalogue.load_json("rules", "rules.json")
    out: dict[str, Rule] = {}
    for order, r in enumerate(data["rules"]):
        if r["category"] not in data["categories"]:
            raise RuleDataError(f"rule {r['id']}: unknown category {r['category']!r}")
        sevs = {"default": r["severity"], **r.get("severities", {})}
        for s in sevs.values():
            if s not in SEVERITY_ORDER:
                raise RuleDataError(f"rule {r['id']}: unknown severity {s!r}")
        def resolve(entries: list[dict]) -> tuple[tuple[str, str, str], ...]:
            out = []
            for c in entries:
                known = citation(c["key"], c.get("confidence"))
                out.append((known.key, known.text, known.confidence))
            return tuple(out)
        cites = resolve(r.get("citations", []))
        cites_for = {variant: resolve(entries) for variant, entries in r.get("citations_for", {}).items()}
        if r["id"] in out:
            raise RuleDataError(f"rule id {r['id']!r} appears twice in rules.json")
        out[r["id"]] = Rule(
            id=r["id"], category=r["category"], severity=r["severity"], title=r["title"],
            messages=dict(r["messages"]), severities=sevs, thresholds=r.get("thresholds", {}),
            citations=cites, order=order, citations_for=cites_for, titles=dict(r.get("titles", {})),
        )
        if "default" not in r["messages"] and set(r.get("titles", {})) - set(r["messages"]):
            raise RuleDataError(f"rule {r['id']}: titles of variants without a message, and no default message")
    return out


def rule(rule_id: str) -> Rule:
    try:
        return rules()[rule_id]
    except KeyError:
        raise RuleDataError(f"no rule {rule_id!r} in resources/rules/rules.json") from None


def template_fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def tier_data() -> dict:
    return catalogue.load_json("rules", "tier.json")


@cache
def instruments() -> dict:
    return catalogue.load_json("rules", "instruments.json")


@cache
def care_items() -> list[dict]:
    return catalogue.load_json("catalogues", "care.json")["items"]
