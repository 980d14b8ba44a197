"""Does a case, written up as a manuscript, meet a journal's rules? ``check_manuscript(case,
journal_id) -> list[RuleResult]``: every rule of the profile with the numbers behind it ("main text
1,834 of 2,000 words", "keywords 2, needs 3–10") and pass / fail / warning. A hard rule that fails is
"fail" (a final export refuses it, issue 15); a soft one that fails is "warning".

Counts cover what the author wrote in the narrative: the main text is the narrative sections from
the introduction to the patient's perspective (the case presentation that the writers build from the
structured record is not counted here), citation markers count as no words.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from ..journals import DEFAULT_JOURNAL, Journal, JournalRule, UnknownJournal, journal
from ..model import Case
from ..references.cite import MARKER, number_citations

__all__ = ["RuleResult", "check_manuscript", "hard_failures", "UnknownJournal", "DEFAULT_JOURNAL",
           "main_text_words", "abstract_words", "format_results", "results_to_json"]

ABSTRACT_FIELDS = ("abstract_background", "abstract_case", "abstract_conclusions")
MAIN_FIELDS = ("introduction", "clinical_findings", "diagnostic_assessment", "therapeutic_intervention",
               "follow_up", "discussion", "conclusions", "patient_perspective")


@dataclass
class RuleResult:
    rule: str  # the profile's rule id
    label: str
    status: str  # "pass" | "fail" | "warning"
    hard: bool
    detail: str  # the numbers: "main text 1,834 of 2,000 words"
    source: str  # the source's text
    confidence: str


def count_words(text: str) -> int:
    return len(re.findall(r"[^\W_]+(?:[-'’.][^\W_]+)*", MARKER.sub(" ", text or "")))


def main_text_words(case: Case) -> int:
    return sum(count_words(getattr(case.manuscript, f)) for f in MAIN_FIELDS)


def abstract_words(case: Case) -> int:
    return sum(count_words(getattr(case.manuscript, f)) for f in ABSTRACT_FIELDS)


def _n(x: int) -> str:
    return f"{x:,}"


def _check(case: Case, r: JournalRule) -> tuple[bool, str]:
    k, v = r.kind, r.value
    if k == "main_text_words_max":
        n = main_text_words(case)
        return n <= v, f"main text {_n(n)} of {_n(v)} words"
    if k == "abstract_words_max":
        n = abstract_words(case)
        return n <= v, f"abstract {_n(n)} of {_n(v)} words"
    if k == "keywords_range":
        n = len([kw for kw in case.keywords if kw.strip()])
        lo, hi = v
        return lo <= n <= hi, f"keywords {n}, needs {lo}–{hi}"
    if k == "title_contains":
        ok = v.casefold() in case.title.casefold()
        return ok, f"title contains '{v}'" + ("" if ok else ": missing")
    if k == "title_excludes":
        title = case.title.casefold()
        found = [p for p in v if (p in title if not p[0].isalnum() else re.search(r"\b" + re.escape(p) + r"\b", title))]
        # report the longest phrase found ("a case report" rather than also "case report")
        found = [p for p in found if not any(p != q and p in q for q in found)]
        return not found, ("title contains " + ", ".join(f"'{p}'" for p in found) + ": not allowed") if found \
            else "title: none of the phrases not allowed"
    if k == "references_max":
        n = len(number_citations(case).cited)
        return n <= v, f"references {n} of {v}"
    if k == "figures_max":
        n = sum(1 for m in case.figures if m.in_report)
        return n <= v, f"figures {n} of {v}"
    if k == "authors_max":
        n = len(case.authors)
        return n <= v, f"authors {n} of {v}"
    if k == "citations_resolved":
        num = number_citations(case)
        missing = sorted({key for _, key in num.unknown})
        if missing:
            return False, f"{len(missing)} marker key{'s' if len(missing) != 1 else ''} without a reference: " + \
                ", ".join(f"[@{m}]" for m in missing[:5]) + (" …" if len(missing) > 5 else "")
        return True, f"{len(num.markers)} citation marker{'s' if len(num.markers) != 1 else ''}, all resolved"
    if k == "no_citations_in_abstract":
        n = sum(len(MARKER.findall(getattr(case.manuscript, f))) for f in ABSTRACT_FIELDS)
        return n == 0, f"citations in the abstract: {n}"
    if k == "consent_recorded":
        ok = case.consent.recorded
        return ok, "consent: " + (case.consent.given_by.replace("_", " ") if ok else "not recorded")
    raise ValueError(f"rule {r.id}: unknown kind {k!r} in the journal profile")


def check_manuscript(case: Case, journal_id: str = DEFAULT_JOURNAL) -> list[RuleResult]:
    j: Journal = journal(journal_id)
    out = []
    for r in j.rules:
        ok, detail = _check(case, r)
        status = "pass" if ok else ("fail" if r.hard else "warning")
        out.append(RuleResult(r.id, r.label, status, r.hard, detail, j.source_text(r.source), r.confidence))
    return out


def hard_failures(results: list[RuleResult]) -> list[RuleResult]:
    """The results a final export must refuse (issue 15: exit 3, listing them; --draft allows)."""
    return [r for r in results if r.status == "fail"]


def results_to_json(results: list[RuleResult]) -> str:
    return json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2) + "\n"


def format_results(results: list[RuleResult], journal_id: str) -> str:
    j = journal(journal_id)
    lines = [f"{j.name} ({j.id}): {sum(r.status == 'pass' for r in results)} of {len(results)} rules met"]
    for r in results:
        tag = {"pass": "pass", "fail": "FAIL", "warning": "warn"}[r.status]
        lines.append(f"  {tag:<4}  {'hard' if r.hard else 'soft'}  {r.label}: {r.detail}  [{r.confidence}]")
    fails = hard_failures(results)
    if fails:
        lines.append(f"{len(fails)} hard rule{'s' if len(fails) != 1 else ''} broken: a final export is refused.")
    return "\n".join(lines) + "\n"
