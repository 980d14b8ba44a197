"""Appendix A (the assessment, headed as decision support, not part of the manuscript) and
Appendix B (the completed CARE checklist with the section and page where each item is reported),
as format-neutral content (``desktop.report.content``)."""
from __future__ import annotations

from ..core.types import SEVERITY_ORDER, Assessment, Citation
from . import content as c
from .content import Block, Para, Span
from .context import Ctx
from .text import plain

TIER = {"suspected": "Suspected calciphylaxis", "clinical": "Clinical diagnosis of calciphylaxis",
        "confirmed": "Confirmed calciphylaxis", "criteria_not_met": "Criteria not met"}
SEVERITY = {"critical": "Critical", "warning": "Warning", "notice": "Notice", "info": "Information"}
CARE_SOURCE = ("CARE checklist: Gagnier JJ, et al. The CARE guidelines: consensus-based clinical case "
               "reporting guideline development. J Med Case Rep. 2013;7:223.")
APPENDIX_A = "Appendix A: Assessment (decision support)"
APPENDIX_B = "Appendix B: CARE checklist"
ASSESSMENT_TITLE = "Assessment (decision support)"
CARE_TITLE = "CARE checklist"


def appendix_title(letter: str, title: str) -> str:
    """Appendices are lettered in the order they appear: without the assessment the CARE
    checklist is Appendix A."""
    return f"Appendix {letter}: {title}"


def _cites(cites: list[Citation]) -> str:
    seen, out = set(), []
    for x in cites:
        if x.text in seen:
            continue
        seen.add(x.text)
        tag = f" [{plain(x.confidence)}]" if x.confidence else ""  # "… 2022;16:18. [V]"
        out.append(plain(x.text) + tag)
    return "; ".join(out)


def _sources(cites: list[Citation]) -> Para:
    return Para([Span("Sources:", bold=True), Span(" " + _cites(cites))], "small")


def appendix_a(ctx: Ctx, letter: str = "A") -> list[Block]:
    a: Assessment = ctx.assessment
    out: list[Block] = [c.PageBreak(), ctx.heading(appendix_title(letter, ASSESSMENT_TITLE), 0)]
    out.append(Para([Span("Decision support — not part of the manuscript. " + plain(a.disclaimer))], "banner"))
    t = a.tier
    out.append(ctx.heading("Diagnostic tier", 1))
    tier = TIER.get(t.tier, t.tier)
    if t.tier == "criteria_not_met" and t.undecided:
        n = len(t.undecided)
        tier = f"Criteria not met on what is recorded; {n} criteri{'on' if n == 1 else 'a'} cannot be decided"
    rows: list[tuple[str, str]] = [("Tier", tier)]
    for label, items in (("Major factors", t.major_factors), ("Minor factors", t.minor_factors),
                         ("Typical lesions", t.typical_lesions), ("Early changes", t.early_changes),
                         ("Caveats", t.caveats), ("Cannot be decided from the record", t.unknown)):
        if items:  # sentences (the caveats) follow each other; phrases are joined by semicolons
            texts = [plain(x) for x in items]
            rows.append((label, (" " if all(x.rstrip().endswith(".") for x in texts) else "; ").join(texts)))
    rows.append(("Differentials excluded", "yes" if t.differentials_excluded else "no"))
    out.append(c.KeyValues(rows, key_w=130))
    if t.citations:
        out.append(_sources(t.citations))
    out.append(ctx.heading("Findings by severity", 1))
    if not a.findings:
        out.append(Para([Span("No findings.")], "note"))
    for sev in SEVERITY_ORDER:
        fs = [f for f in a.findings if f.severity == sev]
        if not fs:
            continue
        out.append(ctx.heading(f"{SEVERITY[sev]} ({len(fs)})", 2))
        for f in fs:
            out.append(Para([Span(plain(f.title), bold=True), Span(" "),
                             Span(f"[{plain(f.category)}; {plain(f.rule_id)}]", tone="muted"),
                             Span(" " + plain(f.message))], "body_left"))
            if f.evidence:
                rows_e = [[plain(e.label), f"{plain(e.value)} {plain(e.unit)}".strip(), plain(e.time) or "—"]
                          for e in f.evidence]
                out.append(c.Table(["Evidence", "Value", "Time"], rows_e, [200, 130, 152], compact=True))
            if f.citations:
                out.append(_sources(f.citations))
    return out


def appendix_b(ctx: Ctx, letter: str = "B", *, paginated: bool = True) -> list[Block]:
    """The CARE checklist; ``paginated`` for a writer that knows the page of each section."""
    out: list[Block] = [c.PageBreak(), ctx.heading(appendix_title(letter, CARE_TITLE), 0)]
    where = "the section and page" if paginated else "the section"
    out.append(Para([Span(f"Each item of the CARE checklist with {where} of this document where it "
                          "is reported. " + plain(CARE_SOURCE))], "small"))
    items = list(ctx.assessment.care)
    n = ctx.next_tab()
    if not items:
        out.append(Para([Span("The assessment returned no checklist items.")], "note"))
        return out
    out.append(c.CareChecklist(n, items, paginated))
    return out
