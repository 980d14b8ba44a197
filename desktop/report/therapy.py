"""The case presentation's therapeutic intervention and follow-up (CARE 9, 10): which treatments
belong to the patient's history and which to this episode of care, their responses, the outcomes
and the wound observations (with their trend chart, ``desktop.report.figures``)."""
from __future__ import annotations

import re

from .. import catalogue, frequency
from ..model import Treatment
from . import fmt
from .content import Block, Para, Rich, Span
from .context import Ctx, clauses, covered, prose, table, untold, with_note
from .required import placeholder
from .figures import wound_trends
from ..core.context import lower_first, names_anything  # lower_first: 'HBOT sessions' keeps its capitals
from .text import paragraph_texts, plain
from ..timing import length_words
from .wording import RESPONSE, TRI


def in_history(ctx: Ctx, t: Treatment) -> bool:
    """Whether a treatment belongs to the patient's history (CARE 5d, patient information) rather
    than to this episode of care: the author's choice (``Treatment.history``) when made, else
    whether it started before the index event (placed before day 0, or only said to be "before"
    or "prior to" it)."""
    if t.history is not None:
        return t.history
    placed = ctx.place(t.start)
    if placed is not None:
        return placed.day < 0
    label = t.start.label.lower()
    return any(w in label for w in ("before", "prior", "previous", "earlier"))


def response_parts(t: Treatment) -> tuple[str, str]:
    """The response in a word or two ("No improvement"), and what the author added, each said once:
    ("No improvement", " in the digital lesions. Adverse events: none.")."""
    resp = RESPONSE.get(t.response or "", "")
    detail = plain(t.response_detail)
    if resp and detail.lower().startswith(resp.lower()):
        detail = detail[len(resp):]
    elif resp and detail:  # "Improved: after 2 months …", not "Improved: After …" (an acronym keeps its capitals)
        detail = ": " + lower_first(detail)
    elif detail:
        detail = detail[:1].upper() + detail[1:]
    if plain(t.adverse_events):
        detail = detail.rstrip(". ") + (". " if detail.strip() or resp else "") + f"Adverse events: {plain(t.adverse_events)}"
    return resp, detail


def response_text(t: Treatment) -> str:
    resp, detail = response_parts(t)
    text = (resp + detail).strip()
    return text + ("." if text and not text.endswith(".") else "")


def response_cell(t: Treatment):
    resp, detail = response_parts(t)
    if not resp and not detail:
        return "—"
    return Rich(tuple(x for x in (Span(resp, bold=True) if resp else None, Span(detail) if detail else None) if x))


def past_treatments(ctx: Ctx) -> list[Block]:
    """Interventions before the index event, in patient information (CARE 5d): from the author's
    "past interventions" text when recorded, otherwise one sentence each."""
    hist = [t for t in ctx.case.treatments if in_history(ctx, t)]
    if not hist or paragraph_texts(ctx.case.patient.past_interventions):
        return []
    sentences = []
    for t in hist:
        if told_in_history(ctx, t):
            continue
        what = ", ".join(x for x in (plain(fmt.dose_text(t.dose, t.dose_unit)), plain(t.route),
                                      plain(t.schedule), plain(t.duration_text)) if x)
        s = plain(t.agent or "An intervention") + (f" ({what})" if what else "")
        when = ctx.prose_when(t.start)
        if when:
            s += f", {when}"
        if t.indication:
            s += f",{indication_lead(t.indication)}{plain(t.indication)}"
        resp = response_text(t)
        s = s[:1].upper() + s[1:]
        sentences.append(s + "." + (f" {resp}" if resp else ""))
    if not sentences:
        return []
    return [Para([Span("Past interventions.", bold=True), Span(" " + " ".join(sentences))])]


# an indication the author gives as a purpose or with its own preposition reads without "for":
# "to stabilize the wounds" (Pliquett et al., BMC Nephrol 2003), "for pain", "as a bridge"
_OWN_LEAD = re.compile(r"^(?:to|for|as|against|because|since|after|in order)\b", re.IGNORECASE)


def indication_lead(indication: str) -> str:
    """" for " before an indication ("for calciphylaxis"), a space when it brings its own ("to stabilize")."""
    return " " if _OWN_LEAD.match(plain(indication).strip()) else " for "


_TIME_WORD = re.compile(r"\d|\b(?:ago|before|earlier|previously|prior|years?|months?|weeks?|days?)\b")


def told_in_history(ctx: Ctx, t) -> bool:
    """Whether one clause of the author's prose already tells this past intervention: its name, its
    indication (when recorded) and, when its time is recorded, a time ("Parathyroidectomy in 2011 for
    primary hyperparathyroidism", Daza et al. 2021) — then the manuscript does not tell it again."""
    agent = " ".join(t.agent.lower().split())
    if not agent:
        return False
    indication = " ".join(t.indication.lower().split())
    timed = t.start.is_set
    for clause in clauses(ctx.author_text()):
        if agent in clause and (not indication or indication in clause) and (not timed or _TIME_WORD.search(clause)):
            return True
    return False


def therapeutic_intervention(ctx: Ctx) -> list[Block]:
    case = ctx.case
    out: list[Block] = [ctx.heading("Therapeutic intervention", 1)]
    # a row that names neither an agent nor a class reports nothing: a draft asks for its name, a
    # final manuscript (which an editor reads) leaves it out
    episode = [t for t in case.treatments if not in_history(ctx, t) and (ctx.draft or names_anything(t))]
    out += prose(case.manuscript.therapeutic_intervention)
    if episode:
        rows = []
        for t in episode:
            # as written, with the recorded frequency ("every 8 hours", "as needed") unless the words say it
            sched = [plain(frequency.schedule_text(t.schedule, t.times_per_week, t.frequency_basis, "week"))]
            if t.during_dialysis == "yes" and "dialysis" not in t.schedule.lower():
                sched.append("during dialysis")
            if t.duration_text:
                sched.append(plain(t.duration_text))
            # as the author named it, else its class ("Antibiotic"); never a word of ours such as "unnamed"
            agent = plain(t.agent) or (catalogue.treatment_classes().get(t.treatment_class, "") if names_anything(t) else "")
            agent = agent or placeholder("name the treatment")
            agent_cell = (with_note(agent, plain(t.indication), indication_lead(t.indication).lstrip())
                          if t.indication else Rich((Span(agent),)))
            resp = response_cell(t)
            rows.append([agent_cell, plain(fmt.dose_text(t.dose, t.dose_unit)) or "—", plain(t.route) or "—",
                         ", ".join(s for s in sched if s) or "—", ctx.when(t.start, "—"), ctx.when(t.stop, "—"), resp])
        out += table(ctx, "Therapeutic interventions", ["Agent", "Dose", "Route", "Schedule", "Start", "Stop", "Response"],
                     rows, [90, 38, 50, 78, 68, 62, 96],
                     cite="Table {n} lists the treatments of this episode of care and their response.")
    return out


def push_by_observation(ctx: Ctx) -> dict[str, float]:
    """PUSH 3.0 totals the assessment core derived, by observation id (its ``ref``)."""
    out = {}
    for d in ctx.assessment.derived:
        if d.kind == "push_total" and d.ref:
            out[d.ref.rsplit("/", 1)[-1]] = d.value
    return out


def wound_table_needed(case) -> bool:
    """Whether the wound observations need a table of their own: a lesion observed more than once
    (a course over time) or BWAT items. Otherwise each lesion's one observation (size, tissue,
    exudate, pain score) is a few words in the lesion table: a table of one row per lesion, or of
    dashes, adds nothing."""
    for l in case.lesions:
        if len(l.observations) > 1:
            return True
        for o in l.observations:
            if any(v is not None for v in vars(o.bwat).values()):
                return True
    return False


def observation_extras(o) -> list[str]:
    """What a wound observation records beyond size, tissue, exudate and pain, in a few words each:
    the surrounding skin, oedema, purulence, odour (a recorded "no" is a finding too) and the
    author's note."""
    bits = []
    skin = plain(o.surrounding_skin).strip().rstrip(".")
    if skin:  # the author's "surrounding erythema" as it is, not "surrounding skin: surrounding erythema"
        bits.append(skin if skin.lower().startswith("surrounding") else f"surrounding skin: {skin}")
    for value, yes, no in ((o.oedema, "oedema", "no oedema"), (o.purulence, "purulent", "no purulence")):
        if value in ("yes", "no"):
            bits.append(yes if value == "yes" else no)
    if o.odour:
        bits.append({"none": "no odour", "present": "odour", "foul": "foul odour"}[o.odour])
    if o.note.strip():
        bits.append(plain(o.note).rstrip("."))
    return bits


def wound_section(ctx: Ctx) -> list[Block]:
    obs = [(i, l, o) for i, l in enumerate(ctx.case.lesions, 1) for o in l.observations]
    if not obs or not wound_table_needed(ctx.case):
        return []
    push = push_by_observation(ctx)
    out: list[Block] = []
    rows = []
    for i, l, o in obs:
        size = " × ".join(fmt.num(v) for v in (o.length_mm, o.width_mm, o.depth_mm) if v is not None)
        area = o.length_mm * o.width_mm / 100 if o.length_mm is not None and o.width_mm is not None else None
        exu = ", ".join(x for x in (o.exudate_amount or "", o.exudate_type or "") if x and x != "none") or (
            "none" if o.exudate_amount == "none" else "")
        ps = push.get(o.id)
        if not (size or o.tissue_type or exu or ps is not None or o.pain_0_10 is not None):
            continue  # a row of dashes says nothing
        rows.append([str(i), ctx.when(o.when, "—"), f"{size} mm" if size else "—",
                     fmt.num(area, 2) if area is not None else "—", o.tissue_type or "—", exu or "—",
                     fmt.num(ps) if ps is not None else "—",
                     f"{o.pain_0_10}" if o.pain_0_10 is not None else "—"])
    if not rows:
        return out
    out += table(ctx, "Wound observations (lesion numbers as in the lesion table)",
                 ["Lesion", "Time", "Size (L × W × D)", "Area (cm²)", "Tissue", "Exudate", "PUSH", "Pain (0–10)"],
                 rows, [36, 96, 86, 50, 62, 70, 36, 46], align_right=[3, 6, 7],
                 cite="The wound observations are given in Table {n}.")
    said = ctx.author_text()
    further = []
    for i, l, o in obs:
        rest = untold("; ".join(observation_extras(o)), said)
        if rest:
            further.append(f"lesion {i} ({ctx.when(o.when, 'time not recorded')}): {lower_first(rest)}")
    if further:
        out.append(Para([Span("Further findings at these observations: " + "; ".join(further).rstrip(".") + ".")]))
    out += wound_trends(ctx, push)
    return out


def follow_up(ctx: Ctx) -> list[Block]:
    case, o = ctx.case, ctx.case.outcome
    out: list[Block] = [ctx.heading("Follow-up and outcomes", 1)]
    out += prose(case.manuscript.follow_up)
    said = ctx.author_text()
    sentences = []
    # the wounds in prose, with the patient's status when there is one: "The patient was alive; the
    # wounds had improved." (not "Wound healing: improved.", a form's label)
    # one lesion on both sides is two wounds at least (CMAJ 2011: ulcerations "on his legs")
    single = (len(case.lesions) == 1 and (case.lesions[0].count or 1) == 1
              and case.lesions[0].laterality != "bilateral")
    wounds = {"healed": "{w} had healed", "improved": "{w} had improved", "unchanged": "{w} {v} unchanged",
              "worsened": "{w} had worsened"}.get(o.wound_healing, "").format(
        w="the wound" if single else "the wounds", v="was" if single else "were")
    if o.status != "unknown":
        when = ctx.prose_when(o.when) if o.when.is_set else ""
        status = {"alive": "The patient was alive", "dead": "The patient died",
                  "lost_to_follow_up": "The patient was lost to follow-up"}[o.status]
        cause = f" of {plain(o.cause_of_death).rstrip('.')}" if o.cause_of_death and o.status == "dead" else ""
        status = f"{status}{cause}" + (f" {when}" if when else "") + "."
        if not covered(status, said, 0.6) or cause and not covered(cause, said):
            sentences.append(status[:-1] + (f"; {wounds}." if wounds else "."))
            wounds = ""
    if wounds:
        sentences.append(wounds[:1].upper() + wounds[1:] + ".")
    if o.amputation != "unknown":
        sentences.append(("Amputation: " + plain(o.amputation_detail).rstrip(".")) if o.amputation == "yes"
                         and o.amputation_detail else f"Amputation: {TRI[o.amputation]}")
        sentences[-1] += "."
    for label, text in (("Hospitalisations", o.hospitalisations), ("Patient-assessed outcomes", o.patient_assessed),
                        ("Adherence and tolerability", o.adherence), ("Adverse and unanticipated events", o.adverse_events),
                        ("", o.summary)):
        rest = untold(text, said + " " + " ".join(sentences).lower(), 0.6)
        if rest:
            sentences.append((f"{label}: {lower_first(rest)}" if label else rest).rstrip(".") + ".")
    for d in ctx.assessment.derived:
        if d.kind in ("onset_to_diagnosis", "survival"):
            if d.caveat and "approximate" in d.caveat:  # no day count nobody gave: "about 3 weeks"
                sentences.append(f"{plain(d.label)}: about {length_words(d.value)}.")
                continue
            text = f"{fmt.num(d.value, 0)} {d.unit}"
            if d.alt_value is not None and d.alt_unit:
                text += f" ({fmt.num(d.alt_value, 1)} {d.alt_unit})"
            sentences.append(f"{plain(d.label)}: {text}.")
    if sentences:
        out.append(Para([Span(" ".join(sentences))]))
    out += wound_section(ctx)
    return out
