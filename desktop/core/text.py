"""The assessment as readable text (``casebook assess``) and as canonical JSON (``--json``).

The JSON form is ``desktop.codec.to_plain`` of the Assessment; its schema is generated from the
dataclasses into resources/schema/assessment.schema.json (``python -m desktop.core.text``
rewrites it; a test checks that the committed copy is current).
"""
from __future__ import annotations

import json
import textwrap

from .. import catalogue
from ..timing import length_words
from ..codec import json_schema, to_plain
from .derived import ALT_DECIMALS, DISPLAY_DECIMALS
from .labs import format_number
from .types import SEVERITY_ORDER, Assessment, DerivedValue, Evidence

SCHEMA_ID = "https://casebook.invalid/schema/assessment.schema.json"
WIDTH = 100

_TIER_NAMES = {"suspected": "suspected", "clinical": "clinical", "confirmed": "confirmed",
               "criteria_not_met": "criteria not met"}
# display decimals per derived kind: one table (desktop/core/derived.py), used to store and to show
_DECIMALS, _ALT_DECIMALS = DISPLAY_DECIMALS, ALT_DECIMALS


def derived_value_text(dv: DerivedValue) -> str:
    """'82.8 mg²/dL² (6.67 mmol²/L²)' — the value with its unit and the other system. An interval
    that rests on approximate times is said as the manuscript says it, in the unit its length calls
    for, with the day count the rules used after it: 'about 2 years (731 days)' for "for 2 years"."""
    if dv.unit == "days" and "approximate" in dv.caveat:
        return f"about {length_words(dv.value)} ({_with_unit(format_number(dv.value, 0), dv.unit)})"
    dec = _DECIMALS.get(dv.kind, 2)
    if isinstance(dec, dict):
        dec = dec.get(dv.unit, 2)
    text = _with_unit(format_number(dv.value, dec), dv.unit)
    if dv.alt_value is not None:
        text += f" ({_with_unit(format_number(dv.alt_value, _ALT_DECIMALS.get(dv.alt_unit, 2)), dv.alt_unit)})"
    return text


def _with_unit(number: str, unit: str) -> str:
    return f"{number}{unit}" if unit.startswith("%") else f"{number} {unit}".strip()


def evidence_text(e: Evidence) -> str:
    value = _with_unit(e.value, e.unit)
    time = f" — {e.time}" if e.time and e.time not in value else ""
    return f"{e.label}: {value}{time}"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]


def format_assessment(a: Assessment) -> str:
    lines: list[str] = ["ASSESSMENT", *_wrap(a.disclaimer, ""), ""]
    lines.append(f"FINDINGS ({len(a.findings)})")
    for sev in SEVERITY_ORDER:
        group = [f for f in a.findings if f.severity == sev]
        if not group:
            continue
        lines.append(f"  {sev.upper()} ({len(group)})")
        for f in group:
            lines += _wrap(f"[{f.rule_id}] {f.title} ({f.category.replace('_', ' ')})", "    ")
            lines += _wrap(f.message, "      ")
            for e in f.evidence:
                lines += _wrap("· " + evidence_text(e), "        ")
            if f.citations:
                cites = "; ".join(f"{c.key}" + (f" [{c.confidence}]" if c.confidence else "") for c in f.citations)
                lines += _wrap(f"Sources: {cites}", "        ")
    if not a.findings:
        lines.append("  none")
    lines += ["", f"DERIVED VALUES ({len(a.derived)})"]
    for dv in a.derived:
        when = f", {dv.time}" if dv.time else ""
        lines += _wrap(f"{dv.label}: {derived_value_text(dv)}{when}", "  ")
        if dv.inputs:
            lines += _wrap("from " + "; ".join(evidence_text(e) for e in dv.inputs), "      ")
        if dv.caveat:
            lines += _wrap("Caveat: " + dv.caveat, "      ")
    if not a.derived:
        lines.append("  none")
    t = a.tier
    undecided = f" on what is recorded ({len(t.undecided)} undecidable)" if t.tier == "criteria_not_met" and t.undecided else ""
    lines += ["", f"DIAGNOSTIC TIER (2023 consensus): {_TIER_NAMES[t.tier]}{undecided}"]
    lines += _wrap("Major factors: " + ("; ".join(t.major_factors) or "none recorded"), "  ")
    lines += _wrap("Minor factors: " + ("; ".join(t.minor_factors) or "none recorded"), "  ")
    lines += _wrap("Typical lesions: " + (", ".join(t.typical_lesions) or "none recorded"), "  ")
    lines += _wrap("Early skin changes: " + (", ".join(t.early_changes) or "none recorded"), "  ")
    lines += _wrap("Differentials documented as excluded: " + ("yes" if t.differentials_excluded else "no"), "  ")
    for c in t.caveats:
        lines += _wrap("Caveat: " + c, "  ")
    for u in t.unknown:  # neither met nor unmet: the record does not say
        lines += _wrap("Cannot be decided from the record: " + u, "  ")
    counts = {s: sum(1 for c in a.care if c.status == s) for s in ("complete", "partial", "missing")}
    lines += ["", f"CARE CHECKLIST: {counts['complete']} complete, {counts['partial']} partial, "
                  f"{counts['missing']} missing (of {len(a.care)})"]
    for c in a.care:
        support = f" — {'; '.join(c.support)}" if c.support else ""
        lines += _wrap(f"{c.item:>3} {c.topic}: {c.status}{support}", "  ")
    keys = {}
    for f in a.findings:
        for c in f.citations:
            keys.setdefault(c.key, c.text)
    for dv in a.derived:
        for c in dv.citations:
            keys.setdefault(c.key, c.text)
    for c in t.citations:
        keys.setdefault(c.key, c.text)
    if keys:
        lines += ["", "SOURCES"]
        for k, text in keys.items():
            lines += _wrap(f"{k}: {text}", "  ")
    return "\n".join(lines) + "\n"


def assessment_to_plain(a: Assessment) -> dict:
    return to_plain(a)


def assessment_to_json(a: Assessment) -> str:
    """Canonical JSON: field order from the dataclasses, two-space indent, UTF-8, trailing newline."""
    return json.dumps(to_plain(a), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def assessment_schema() -> dict:
    return json_schema(Assessment, title="Casebook assessment", schema_id=SCHEMA_ID)


def write_schema() -> None:
    path = catalogue.resource_path("schema", "assessment.schema.json")
    path.write_text(json.dumps(assessment_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_schema()
