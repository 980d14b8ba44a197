"""``assess(case) -> Assessment``: the one entry point of the assessment core.

A pure, deterministic function of the case: no I/O beyond the cached resources/ data, no Qt,
no clock. The GUI's live panel, the PDF report and ``casebook assess`` all call it.
"""
from __future__ import annotations

from ..model import Case
from . import care, derived, narrative_check, rules, tier
from .context import Context
from .rulebook import rules as rule_table
from .types import SEVERITY_ORDER, Assessment, Finding

_CATEGORY_ORDER = ("diagnosis", "prognosis", "risk", "management", "reporting", "data_quality")


def assess(case: Case) -> Assessment:
    ctx = Context(case)
    d = derived.compute(ctx)
    findings: list[Finding] = []
    for check in rules.CHECKS:
        findings.extend(check(ctx, d))
    findings.extend(narrative_check.check(case, d.values))  # the narrative's numbers against the record
    order = {rid: r.order for rid, r in rule_table().items()}
    # stable sort: by severity, then category, then the rule's place in rules.json, then as found
    findings.sort(key=lambda f: (SEVERITY_ORDER.index(f.severity), _CATEGORY_ORDER.index(f.category),
                                 order.get(f.rule_id, len(order))))
    return Assessment(findings=findings, derived=d.values, tier=tier.evaluate(ctx, d), care=care.evaluate(ctx))
