"""The manuscript's main sections in the order and with the headings of the journal's profile
(resources/journals/<id>.json, ``sections``): from the introduction to the patient's perspective.

A profile lists ``(field, heading)`` pairs. ``field`` is a narrative field (``introduction``,
``discussion``, ``conclusions``, ``patient_perspective``), ``case_presentation`` (the part the writers
build from the structured record), or one of the case presentation's parts (``clinical_findings``,
``timeline``, ``diagnostic_assessment``, ``therapeutic_intervention``, ``follow_up``), which then
becomes a section of its own under the profile's heading instead of a subsection of the case
presentation (BMJ Case Reports: Investigations, Treatment, Outcome and follow-up; CARE: every part).

A profile without a section list (its list was not verified) gets the CARE headings, as its
profile's note says; no journal at all gets the writers' default (the Journal of Medical Case
Reports layout, with the patient's perspective when recorded). A part the profile does not list but
the author wrote (e.g. conclusions for BMJ Case Reports) follows the listed sections under its usual
heading, so nothing the author wrote is dropped.

This module only orders and names the sections; what each says is built by ``case_presentation``,
``diagnostics``, ``therapy`` and ``back_matter``.
"""
from __future__ import annotations

from . import content as c
from .case_presentation import case_presentation, clinical_findings, patient_information, timeline
from .content import Block
from .context import Ctx, prose
from .diagnostics import diagnostic_assessment
from .text import paragraph_texts
from .therapy import follow_up, therapeutic_intervention

# the case presentation's parts, in the CARE order, with the function that builds each
PARTS = (("patient_information", patient_information), ("clinical_findings", clinical_findings),
         ("timeline", timeline), ("diagnostic_assessment", diagnostic_assessment),
         ("therapeutic_intervention", therapeutic_intervention), ("follow_up", follow_up))
PART_NAMES = tuple(name for name, _ in PARTS)
NARRATIVE = ("introduction", "discussion", "conclusions", "patient_perspective")
# the writers' own headings (what a profile's heading replaces), and a draft's placeholder names
DEFAULT_HEADING = {"introduction": "Background", "case_presentation": "Case presentation",
                   "patient_information": "Patient information", "clinical_findings": "Clinical findings",
                   "timeline": "Timeline", "diagnostic_assessment": "Diagnostic assessment",
                   "therapeutic_intervention": "Therapeutic intervention", "follow_up": "Follow-up and outcomes",
                   "discussion": "Discussion", "conclusions": "Conclusions", "patient_perspective": "Patient perspective"}
TODO_NAME = {"introduction": "background (introduction)", "discussion": "discussion", "conclusions": "conclusions"}
DEFAULT_SECTIONS = (("introduction", "Background"), ("case_presentation", "Case presentation"),
                    ("discussion", "Discussion"), ("conclusions", "Conclusions"),
                    ("patient_perspective", "Patient perspective"))
KNOWN = frozenset(("case_presentation",) + PART_NAMES + NARRATIVE)


def section_list(journal_id: str | None) -> tuple[tuple[str, str], ...]:
    """The (field, heading) pairs of the journal's main text, in order; see the module's note."""
    if not journal_id:
        return DEFAULT_SECTIONS
    from ..journals import journal
    listed = journal(journal_id).sections or journal("care").sections
    unknown = [f for f, _ in listed if f not in KNOWN]
    if unknown:
        raise ValueError(f"journal profile {journal_id}: unknown section field(s) {', '.join(unknown)}")
    return listed


def heading_aliases(journal_id: str | None) -> dict[str, str]:
    """The writers' own heading (lower case) -> the profile's heading (lower case) where they differ,
    so that the CARE checklist, which names the writers' headings, finds the page of each."""
    from .front_matter import abstract_layout
    out: dict[str, str] = {}
    heading, _ = abstract_layout(journal_id)
    if heading.lower() != "abstract":
        out["abstract"] = heading.lower()
    listed = section_list(journal_id)
    for field, heading in listed:
        default = DEFAULT_HEADING[field]
        if default.lower() != heading.lower():
            out[default.lower()] = heading.lower()
    return out


def body(ctx: Ctx, journal_id: str | None) -> list[Block]:
    """The main text's sections, in the journal's order with its headings."""
    listed = section_list(journal_id)
    fields = [f for f, _ in listed]
    separate = [p for p in PART_NAMES if p in fields]
    out: list[Block] = []
    for field, heading in listed:
        out += _section(ctx, field, heading, separate)
    if "case_presentation" not in fields:  # the parts not listed still belong somewhere
        rest = [p for p in PART_NAMES if p not in fields]
        if rest:
            out += _case_presentation(ctx, DEFAULT_HEADING["case_presentation"], separate)
    for field in NARRATIVE:
        if field not in fields:
            out += _section(ctx, field, DEFAULT_HEADING[field], separate, listed=False)
    return out


def _section(ctx: Ctx, field: str, heading: str, separate: list[str], listed: bool = True) -> list[Block]:
    if field == "case_presentation":
        return _case_presentation(ctx, heading, separate)
    if field in PART_NAMES:
        return _part(ctx, field, heading, level=0)
    text = getattr(ctx.case.manuscript, field)
    if field == "patient_perspective":  # CARE 12 "whenever possible": only when recorded
        return [ctx.heading(heading, 0)] + prose(text) if paragraph_texts(text) else []
    paras = prose(text) or (ctx.todo(TODO_NAME[field]) if listed or field in TODO_NAME else [])
    return [ctx.heading(heading, 0)] + paras if paras else []


def _case_presentation(ctx: Ctx, heading: str, separate: list[str]) -> list[Block]:
    """The case presentation: the parts the profile does not make sections of their own, as its
    subsections; a single remaining part is the section itself (CARE's "Patient information")."""
    if not separate:  # the writers' own case presentation, under the profile's heading
        blocks = case_presentation(ctx)
        return [ctx.heading(heading, 0)] + blocks[1:]
    remaining = [p for p in PART_NAMES if p not in separate]
    if len(remaining) == 1:
        return _part(ctx, remaining[0], heading, level=0)
    out: list[Block] = [ctx.heading(heading, 0)]
    for name in remaining:
        out += _part(ctx, name, DEFAULT_HEADING[name], level=1)
    return out


def _part(ctx: Ctx, name: str, heading: str, level: int) -> list[Block]:
    """One part of the case presentation under ``heading`` at ``level``; its own subsections move up
    with it. A part with nothing recorded is left out (a draft shows a placeholder)."""
    build = dict(PARTS)[name]
    blocks = build(ctx)
    if not blocks:
        return []
    shift = 1 - level  # the part's own heading is a level-1 heading
    out: list[Block] = [ctx.heading(heading, level)]
    for b in blocks[1:] if isinstance(blocks[0], c.Heading) else blocks:
        out.append(c.Heading(b.title, max(level + 1, b.level - shift)) if isinstance(b, c.Heading) else b)
    if len(out) == 1:
        out += ctx.todo(DEFAULT_HEADING[name].lower())
        if len(out) == 1:
            return []
    return out
