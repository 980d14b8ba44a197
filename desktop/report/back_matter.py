"""The manuscript after the case presentation: discussion, conclusions, the patient's perspective,
the declarations the Journal of Medical Case Reports asks for (ethics, consent for publication,
data availability, competing interests, funding, contributions, acknowledgements) and the
references. The Abbreviations section is filled in last, by ``desktop.report.manuscript``."""
from __future__ import annotations

from ..model import Case
from . import content as c
from . import fmt
from .consent import consent_statement
from .content import Block, Para, Span
from .context import Ctx, prose
from .required import required
from .text import paragraph_texts, plain


def contributions_text(case: Case) -> str:
    contrib = [f"{plain(fmt.initials(a.name))}: {plain(a.contribution)}" for a in case.authors if a.contribution]
    if not contrib:
        return ""
    return (" ".join(x if x.endswith(".") else x + "." for x in contrib)
            + " All authors read and approved the final manuscript.")


def references(case: Case) -> list[str]:
    return [plain(r) for r in case.manuscript.references if plain(r)]


def declared(ctx: Ctx, title: str, text: str | None, name: str) -> list[Block]:
    """A declaration as the authors recorded it; in a draft a placeholder when it was not (a final
    export without it was refused), in an identified or other copy nothing."""
    paras = prose(text)
    if paras:
        return [ctx.heading(title, 2)] + paras
    # a part this journal does not require (its profile) is left out rather than marked to do
    todo = ctx.todo(name) if required(name, ctx.journal) else []
    return [ctx.heading(title, 2)] + todo if todo else []


ABBREVIATIONS_SLOT = c.Gap(0)  # where the Abbreviations section goes, filled in by manuscript()


def back_matter(ctx: Ctx) -> list[Block]:
    """Discussion, conclusions and the patient's perspective in the writers' default order and
    headings, then :func:`declarations` (a journal's own order: ``desktop.report.sections``)."""
    n = ctx.case.manuscript
    out: list[Block] = []
    for title, text, name in (("Discussion", n.discussion, "discussion"), ("Conclusions", n.conclusions, "conclusions")):
        paras = prose(text) or ctx.todo(name)
        if paras:
            out += [ctx.heading(title, 0)] + paras
    if paragraph_texts(n.patient_perspective):  # CARE 12 "whenever possible": only when recorded
        out += [ctx.heading("Patient perspective", 0)] + prose(n.patient_perspective)
    return out + declarations(ctx)


def declarations(ctx: Ctx) -> list[Block]:
    """Where the Abbreviations go, the declarations and the references: what follows the main text."""
    case, n = ctx.case, ctx.case.manuscript
    out: list[Block] = [ABBREVIATIONS_SLOT]
    out.append(ctx.heading("Declarations", 0))
    out += declared(ctx, "Ethics approval and consent to participate", n.ethics,
                    "ethics approval and consent to participate")
    out.append(ctx.heading("Consent for publication", 2))
    if case.consent.recorded:
        out.append(Para([Span(plain(consent_statement(case.consent, identified=ctx.identified)))]))
    else:
        out += ctx.todo("consent for publication")
    out += declared(ctx, "Availability of data and materials", n.data_availability,
                    "availability of data and materials")
    out += declared(ctx, "Competing interests", n.competing_interests, "competing interests")
    out += declared(ctx, "Funding", n.funding, "funding")
    out += declared(ctx, "Authors' contributions", contributions_text(case), "authors' contributions")
    out += declared(ctx, "Acknowledgements", n.acknowledgements, "acknowledgements")
    refs = references(case)
    if ctx.reference_list:  # the case's reference items, cited in the text, in the journal's style
        out.append(ctx.heading("References", 0))
        for entry in ctx.reference_list:
            out.append(Para([Span(entry)], "ref"))
    elif refs:
        out.append(ctx.heading("References", 0))
        for i, r in enumerate(refs, 1):
            out.append(Para([Span(f"{i}.\u00a0\u00a0{r}")], "ref"))
    elif ctx.draft and required("references", ctx.journal):
        out += [ctx.heading("References", 0)] + ctx.todo("references")
    return out
