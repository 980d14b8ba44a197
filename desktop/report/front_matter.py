"""The manuscript's front matter: the banner of an identified or draft copy, the title, the
authors with their affiliations, the structured abstract and keywords; and, in an identified copy
only, the patient's direct identifiers."""
from __future__ import annotations

from ..model import Case
from . import content as c
from .content import Block, Para, Span
from .context import Ctx
from .required import placeholder
from .text import paragraph_texts, plain


def title_text(case: Case, journal_id: str | None = None) -> str:
    """The title as printed: CARE item 1 wants "case report" in it, so the writers add ": a case
    report" when it is missing — unless the journal's profile forbids the phrase in the title
    (BMJ Case Reports, a ``title_excludes`` rule)."""
    title = plain(case.title) or "Untitled case"
    if "case report" not in title.lower() and not _title_forbids_case_report(journal_id):
        title += ": a case report"
    return title


def _title_forbids_case_report(journal_id: str | None) -> bool:
    if not journal_id:
        return False
    from ..journals import journal
    return any(r.kind == "title_excludes" and "case report" in (r.value or ()) for r in journal(journal_id).rules)


IDENTIFIED_BANNER = ("IDENTIFIED COPY — contains patient identifiers and calendar dates. For the "
                     "author's own records only: never submit or share.")
DRAFT_BANNER = "DRAFT — NOT FOR SUBMISSION: no consent for publication is recorded."


def author_lines(case: Case) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(name, superscript mark) per author, the affiliations numbered in first-seen order, and the
    corresponding authors' e-mail addresses."""
    affs: list[str] = []
    names = []
    for a in case.authors:
        nums = []
        for aff in a.affiliations:
            aff = plain(aff)
            if not aff:
                continue
            if aff not in affs:
                affs.append(aff)
            nums.append(str(affs.index(aff) + 1))
        mark = f"{','.join(nums)}{'*' if a.corresponding else ''}" if nums or a.corresponding else ""
        names.append((plain(a.name or "Unnamed author"), mark))
    emails = [plain(a.email) for a in case.authors if a.corresponding and a.email]
    return names, affs, emails


def front_matter(ctx: Ctx, *, draft: bool) -> list[Block]:
    case = ctx.case
    out: list[Block] = []
    if ctx.identified:
        out.append(Para([Span(IDENTIFIED_BANNER)], "banner"))
    elif draft and not case.consent.recorded:
        out.append(Para([Span(DRAFT_BANNER)], "banner"))
    out.append(Para([Span(title_text(case, ctx.journal))], "title"))
    if title_text(case, ctx.journal) != (plain(case.title) or "Untitled case"):
        ctx.warnings.append('The title does not say "case report"; the report adds ": a case report" (CARE item 1).')
    # authors with numbered affiliations, in first-seen order
    names, affs, emails = author_lines(case)
    if names:
        spans: list[Span] = []
        for i, (name, mark) in enumerate(names):
            spans.append(Span((", " if i else "") + name))
            if mark:
                spans.append(Span(mark, sup=True))
        out.append(Para(spans, "authors"))
    for i, aff in enumerate(affs, 1):
        out.append(Para([Span(str(i), sup=True), Span(f" {aff}")], "affil"))
    if emails:
        out.append(Para([Span("* Correspondence: " + "; ".join(emails))], "affil"))
    out.append(c.Gap(8))

    # structured abstract (JMCR: Background / Case presentation / Conclusions), as the journal names it
    heading, labels = abstract_layout(ctx.journal)
    out.append(ctx.heading(heading, 0))
    n = case.manuscript
    for i, (label, text) in enumerate(zip(DEFAULT_LABELS, (n.abstract_background, n.abstract_case,
                                                           n.abstract_conclusions))):
        paras = paragraph_texts(text)
        if not paras and not ctx.draft:
            continue
        first = [Span(" " + paras[0])] if paras else [Span(" " + placeholder(f"abstract, {label.lower()}"),
                                                            tone="muted")]
        lead = [Span(f"{labels[i]}:", bold=True)] if labels else []
        out.append(Para(lead + first if lead else [Span(first[0].text.lstrip(), tone=first[0].tone)], "abstract"))
        out.extend(Para([Span(p)], "abstract") for p in paras[1:])
    kws = [plain(k) for k in case.keywords if plain(k)]
    if kws or ctx.draft:
        out.append(Para([Span("Keywords:", bold=True), Span(" ")]
                        + ([Span(", ".join(kws))] if kws else [Span(placeholder("keywords"), tone="muted")]),
                        "abstract"))
    return out


DEFAULT_LABELS = ("Background", "Case presentation", "Conclusions")


def abstract_layout(journal_id: str | None) -> tuple[str, tuple[str, ...] | None]:
    """The abstract's heading and the labels of its three parts in the journal's profile
    (``abstract.heading`` / ``abstract.labels``; None: no subheadings), else the writers' default."""
    if not journal_id:
        return "Abstract", DEFAULT_LABELS
    from ..journals import journal
    a = journal(journal_id).data.get("abstract") or {}
    if "labels" not in a:
        return a.get("heading") or "Abstract", DEFAULT_LABELS
    labels = a["labels"]
    return a.get("heading") or "Abstract", tuple(labels) if labels and len(labels) == 3 else None


def identifier_rows(ctx: Ctx) -> list[tuple[str, str]]:
    ids = ctx.case.identifiers
    rows: list[tuple[str, str]] = []
    name = " ".join(p for p in (ids.given_names, ids.family_name) if p)
    for label, value in (
        ("Name", name), ("Date of birth", ids.date_of_birth or ""),
        ("Record numbers", "; ".join(f"{r.system}: {r.value}".strip(": ") for r in ids.record_numbers)),
        ("Address", ", ".join(p for p in (ids.street, ids.city, ids.county, ids.state, ids.zip_code) if p)),
        ("Telephone", ids.phone), ("Fax", ids.fax), ("E-mail", ids.email), ("Social security number", ids.ssn),
        ("URLs", "; ".join(ids.urls)), ("IP addresses", "; ".join(ids.ip_addresses)),
        ("Relatives, employers, household", "; ".join(ids.relatives)), ("Other identifiers", "; ".join(ids.other)),
    ):
        if value:
            rows.append((label, plain(value)))
    return rows


def identifiers_section(ctx: Ctx) -> list[Block]:
    """Only for ``identified`` reports: the patient's direct identifiers, for the author's records."""
    rows = identifier_rows(ctx)
    out: list[Block] = [ctx.heading("Patient identifiers (author's records only)", 0)]
    out.append(c.KeyValues(rows) if rows else Para([Span("No identifiers recorded.")], "note"))
    return out
