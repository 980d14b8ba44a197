"""Checks of the manuscript's citations, as findings: a marker naming no reference, a reference
never cited, and two references that are the same work. Each names the section and the sentence
(or the reference) so the author can find it. Numbers follow from the text (Vancouver rule: order of
first citation), see :mod:`desktop.references.cite`.
"""
from __future__ import annotations

import re

from ..references.cite import CARE_ORDER, number_citations, sentence_at
from ..references.merge import describe, same_work
from .context import Context
from .rulebook import rule
from .types import Evidence, Finding

_SECTION_NAMES = {
    "abstract_background": "abstract (background)", "abstract_case": "abstract (case presentation)",
    "abstract_conclusions": "abstract (conclusions)", "clinical_findings": "clinical findings",
    "diagnostic_assessment": "diagnostic assessment", "therapeutic_intervention": "therapeutic intervention",
    "follow_up": "follow-up and outcomes", "patient_perspective": "patient perspective",
    "competing_interests": "competing interests", "data_availability": "data availability",
}


def section_name(field: str) -> str:
    return _SECTION_NAMES.get(field, field.replace("_", " "))


def _quote(sentence: str) -> str:
    s = " ".join(sentence.split())
    return "\u201c" + (s if len(s) <= 120 else s[:117].rstrip() + "…") + "\u201d"


# "[1]", "[5, 6]", "[2-4]", "[13–15]": a citation typed as numbers rather than a marker
TYPED_NUMBER = re.compile(r"\[\d{1,3}(?:\s*[,;\u2013-]\s*\d{1,3})*\]")


def citation_checks(ctx: Context, d=None) -> list[Finding]:
    case = ctx.case
    numbering = number_citations(case)
    out: list[Finding] = []
    r = rule("citation-typed-number")
    for section in CARE_ORDER:
        text = getattr(case.manuscript, section)
        typed = list(TYPED_NUMBER.finditer(text))
        if typed:
            shown = [m.group(0) for m in typed[:3]]
            examples = ", ".join(shown) + (f" and {len(typed) - 3} more" if len(typed) > 3 else "")
            out.append(r.finding(
                evidence=[Evidence("Typed citation", m.group(0), ref=f"manuscript.{section}") for m in typed[:3]],
                section=section_name(section), examples=examples, sentence=_quote(sentence_at(text, typed[0].start()))))
    r = rule("citation-unknown-key")
    for marker, key in numbering.unknown:
        out.append(r.finding(
            evidence=[Evidence("Citation marker", f"[@{key}]", ref=f"manuscript.{marker.section}")],
            key=key, section=section_name(marker.section), sentence=_quote(marker.sentence)))
    if numbering.markers:  # before the first marker is written, every reference is "uncited": say nothing yet
        r = rule("reference-uncited")
        for ref in numbering.uncited:
            out.append(r.finding(evidence=[Evidence("Reference", f"[@{ref.key}]", ref=f"references/{ref.id}")],
                                 key=ref.key, reference=describe(ref)))
    r = rule("reference-duplicate")
    refs = case.references
    for i, a in enumerate(refs):
        for b in refs[i + 1:]:
            why = same_work(b, a)
            if why:
                out.append(r.finding(
                    evidence=[Evidence("Reference", f"[@{a.key}]", ref=f"references/{a.id}"),
                              Evidence("Reference", f"[@{b.key}]", ref=f"references/{b.id}")],
                    first=a.key, second=b.key, why=why, reference=describe(b)))
    return out
