"""The manuscript part of the case report: front matter, abstract, case presentation (with its
tables and figures), discussion, declarations and references. Structure after the Journal of
Medical Case Reports article type and the CARE checklist (shared/domain/case-reports.md §1).

It builds format-neutral content (``desktop.report.content``), which the PDF writer
(``desktop.report.story``) and the Word writer (``desktop.interop.docx``) both render: one
manuscript, two formats.

The parts are built in their own modules: ``front_matter``, ``case_presentation`` (with
``diagnostics`` and ``therapy``), ``figures`` and ``back_matter``; what they share is in
``context`` and ``wording``. This module puts them together and copy-edits the whole.

The builder reads only the case it is given: for a default (de-identified) report that is the
output of ``desktop.privacy.deidentify``, so no identifier and no calendar date can reach the text.
``case.identifiers`` is read only when ``identified`` is set.
"""
from __future__ import annotations

from ..model import Case
from . import editing
from .back_matter import ABBREVIATIONS_SLOT, declarations
from .content import Block, Para, Span
from .context import Ctx
from .figures import presubmit_photos
from .front_matter import front_matter, identifiers_section, title_text
from .sections import body

__all__ = ["Ctx", "manuscript", "manuscript_texts", "presubmit_photos", "title_text"]


def manuscript(ctx: Ctx, *, draft: bool) -> list[Block]:
    """The manuscript, copy-edited (``desktop.report.editing``): each sentence once, one spelling
    variant, and an Abbreviations section listing the abbreviations it uses."""
    out = front_matter(ctx, draft=draft)
    if ctx.identified:
        out += identifiers_section(ctx)
    out += body(ctx, ctx.journal)  # the main text in the journal's order, with its headings
    out += declarations(ctx)
    out, left_out = editing.dedupe(out)
    if left_out:
        ctx.warnings.append(f"{left_out} sentence(s) that repeat what the manuscript already says were left "
                            "later sections, tables or captions.")
    variant = editing.variant_of(manuscript_texts(ctx.case))
    out = editing.unify_spelling(out, variant)
    slot = next(i for i, b in enumerate(out) if b is ABBREVIATIONS_SLOT)
    used = editing.abbreviations_used(editing.all_text(out[:slot] + out[slot + 1:]))
    section: list[Block] = []
    if used:
        section = [ctx.heading("Abbreviations", 0)] + [
            Para([Span(a + ":", bold=True), Span(" " + editing.spell(e, variant))], "body_left") for a, e in used]
    return out[:slot] + section + out[slot + 1:]


def manuscript_texts(case: Case) -> list[str]:
    """The author's own words, whose spelling variant the manuscript follows: the prose, and what
    was written into the record's parts (a lesion's description, an event's, a differential's, a
    treatment's response), which the manuscript prints beside Casebook's own words."""
    n, p, dx = case.manuscript, case.patient, case.diagnosis
    return [case.title, n.abstract_background, n.abstract_case, n.abstract_conclusions, n.introduction, n.clinical_findings,
            n.diagnostic_assessment, n.therapeutic_intervention, n.follow_up, n.discussion, n.conclusions,
            p.history, p.presenting_concerns, p.past_interventions, dx.reasoning, dx.challenges, dx.prognosis,
            *(les.description for les in case.lesions), *(e.description for e in case.events),
            *(f"{d.name} {d.how}" for d in dx.differentials),
            *(f"{t.indication} {t.response_detail} {t.adverse_events}" for t in case.treatments),
            case.outcome.summary, case.outcome.cause_of_death]
