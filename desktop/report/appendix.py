"""Appendix A (the assessment, headed as decision support, not part of the manuscript) and
Appendix B (the completed CARE checklist with the section and page where each item is reported)."""
from __future__ import annotations

from typing import Callable

from reportlab.platypus import Flowable, PageBreak, Paragraph

from ..core.types import SEVERITY_ORDER, Assessment, CareItem, Citation
from .layout import Deferred, caption_markup, data_table, kv_table, markup_cell
from .manuscript import Ctx
from .styles import styles
from .text import esc, plain

TIER = {"suspected": "Suspected calciphylaxis", "clinical": "Clinical diagnosis of calciphylaxis",
        "confirmed": "Confirmed calciphylaxis", "criteria_not_met": "Criteria not met"}
SEVERITY = {"critical": "Critical", "warning": "Warning", "notice": "Notice", "info": "Information"}
CARE_SOURCE = ("CARE checklist: Gagnier JJ, et al. The CARE guidelines: consensus-based clinical case "
               "reporting guideline development. J Med Case Rep. 2013;7:223.")


def _cites(cites: list[Citation]) -> str:
    seen, out = set(), []
    for c in cites:
        if c.text in seen:
            continue
        seen.add(c.text)
        tag = f" [{c.confidence}]" if c.confidence else ""
        out.append(esc(c.text) + esc(tag))
    return "; ".join(out)


def appendix_a(ctx: Ctx) -> list[Flowable]:
    a: Assessment = ctx.assessment
    st = styles()
    out: list[Flowable] = [PageBreak(), ctx.heading("Appendix A: Assessment (decision support)", 0)]
    out.append(Paragraph("Decision support — not part of the manuscript. " + esc(a.disclaimer), st.banner))
    t = a.tier
    out.append(ctx.heading("Diagnostic tier", 1))
    rows: list[tuple[str, str]] = [("Tier", TIER.get(t.tier, t.tier))]
    for label, items in (("Major factors", t.major_factors), ("Minor factors", t.minor_factors),
                         ("Typical lesions", t.typical_lesions), ("Early changes", t.early_changes),
                         ("Caveats", t.caveats)):
        if items:
            rows.append((label, "; ".join(plain(x) for x in items)))
    rows.append(("Differentials excluded", "yes" if t.differentials_excluded else "no"))
    out.append(kv_table(rows, key_w=130))
    if t.citations:
        out.append(Paragraph("<b>Sources:</b> " + _cites(t.citations), st.small))
    out.append(ctx.heading("Findings by severity", 1))
    if not a.findings:
        out.append(Paragraph("No findings.", st.note))
    for sev in SEVERITY_ORDER:
        fs = [f for f in a.findings if f.severity == sev]
        if not fs:
            continue
        out.append(ctx.heading(f"{SEVERITY[sev]} ({len(fs)})", 2))
        for f in fs:
            out.append(Paragraph(f"<b>{esc(f.title)}</b> <font color='#5a5a5a'>[{esc(f.category)}; "
                                 f"{esc(f.rule_id)}]</font> {esc(f.message)}", st.body_left))
            if f.evidence:
                rows_e = [[plain(e.label), f"{plain(e.value)} {plain(e.unit)}".strip(), plain(e.time) or "—"]
                          for e in f.evidence]
                tab = data_table(["Evidence", "Value", "Time"], rows_e, [200, 130, 152])
                tab.spaceAfter = 4
                out.append(tab)
            if f.citations:
                out.append(Paragraph("<b>Sources:</b> " + _cites(f.citations), st.small))
    return out


def care_page(item: CareItem, pages: dict[str, int]) -> tuple[str, str]:
    """(section, page) for a CARE item from the page map of the headings laid out so far."""
    section = plain(item.section)
    if not section:
        return "", ""
    key = section.lower()
    if key in pages:
        return section, str(pages[key])
    # the longest heading named inside the section text ("Case presentation — Timeline" -> Timeline)
    hits = [h for h in pages if h and h in key]
    if hits:
        best = max(hits, key=len)
        return section, str(pages[best])
    return section, ""


def appendix_b(ctx: Ctx, pages: Callable[[], dict[str, int]]) -> list[Flowable]:
    st = styles()
    out: list[Flowable] = [PageBreak(), ctx.heading("Appendix B: CARE checklist", 0)]
    out.append(Paragraph("Each item of the CARE checklist with the section and page of this document where it "
                         "is reported. " + esc(CARE_SOURCE), st.small))
    items = list(ctx.assessment.care)
    n = ctx.next_tab()

    def make():
        pm = pages()
        rows = []
        for it in items:
            if it.status == "missing":
                where, page = "not reported", ""
            else:
                where, page = care_page(it, pm)
                where = where or "reported"
                if it.status == "partial":
                    where += " (partly)"
            rows.append([it.item, plain(it.topic), markup_cell(esc(it.text)), where, page or "—"])
        return data_table(["Item", "Topic", "Checklist item", "Reported in", "Page"], rows, [30, 90, 212, 118, 32],
                          caption=caption_markup("Table", n, "CARE checklist"))

    if not items:
        out.append(Paragraph("The assessment returned no checklist items.", st.note))
        return out
    out.append(Deferred(make))
    return out
