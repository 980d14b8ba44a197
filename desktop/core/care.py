"""CARE checklist status: for each item, complete / partial / missing, with the recorded facts
that support the status. The items and their report sections are in resources/catalogues/care.json.

The core can see what is recorded, not how well it is written: "complete" means the facts the
item asks for are present, and the author still judges the prose.
"""
from __future__ import annotations

from collections.abc import Callable

from .. import catalogue
from ..timing import describe
from .context import Context, names_anything, treatment_name
from .rulebook import care_items
from .types import CareItem

Status = tuple[str, list[str]] | tuple[str, list[str], str]  # status, support[, section where reported]


def _text(label: str, value: str) -> str:
    words = value.split()
    short = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    return f"{label}: “{short}”"


def _from_texts(*pairs: tuple[str, str]) -> Status:
    support = [_text(label, v) for label, v in pairs if v.strip()]
    if not support:
        return "missing", []
    return ("complete" if len(support) == len(pairs) else "partial"), support


def _grade(required: list[tuple[bool, str]], optional: list[tuple[bool, str]] = ()) -> Status:
    """complete when every required fact is there, partial when some fact is, else missing."""
    support = [s for ok, s in [*required, *optional] if ok]
    if required and all(ok for ok, _ in required):
        return "complete", support
    return ("partial" if support else "missing"), support


def item_1(ctx: Context) -> Status:
    title = ctx.case.title.strip()
    if not title:
        return "missing", []
    low = title.lower()
    has_cr = "case report" in low
    focus = any(w in low for w in ("calciphylaxis", "calcific uraemic", "calcific uremic", "arteriolopathy"))
    return _grade([(has_cr, "the title contains “case report”"), (focus, "the title names the area of focus")],
                  [(True, _text("title", title))])


def item_2(ctx: Context) -> Status:
    kw = [k for k in ctx.case.keywords if k.strip()]
    if not kw:
        return "missing", []
    support = [f"{len(kw)} keywords: {', '.join(kw)}"]
    return ("complete" if 2 <= len(kw) <= 5 else "partial"), support


def item_3a(ctx: Context) -> Status:
    return _from_texts(("abstract background", ctx.case.manuscript.abstract_background))


def item_3b(ctx: Context) -> Status:
    return _from_texts(("abstract case presentation", ctx.case.manuscript.abstract_case))


def item_3c(ctx: Context) -> Status:
    n = ctx.case.manuscript
    if not n.abstract_case.strip():
        return "missing", []
    dx, tx, out = ctx.case.diagnosis.basis != "not_made", bool(ctx.case.treatments), ctx.case.outcome.status != "unknown"
    return _grade([(True, _text("abstract case presentation", n.abstract_case)),
                   (dx, f"diagnosis recorded ({ctx.case.diagnosis.basis.replace('not_stated', 'basis not stated')})"),
                   (tx, f"{len(ctx.case.treatments)} treatments recorded"),
                   (out, f"outcome recorded ({ctx.case.outcome.status.replace('_', ' ')})")])


def item_3d(ctx: Context) -> Status:
    return _from_texts(("abstract conclusions", ctx.case.manuscript.abstract_conclusions))


def _references(ctx: Context) -> int:
    """References recorded: the case's reference items, or (older cases) the manuscript's free-text list."""
    return len(ctx.case.references) or len([r for r in ctx.case.manuscript.references if r.strip()])


def item_4(ctx: Context) -> Status:
    n = ctx.case.manuscript
    if not n.introduction.strip():
        return "missing", []
    refs = _references(ctx)
    return _grade([(True, _text("introduction", n.introduction)), (bool(refs), f"{refs} references")])


def item_5a(ctx: Context) -> Status:
    pt = ctx.case.patient
    age = pt.age_years is not None or pt.age_over_89
    age_text = "age 90 or older" if pt.age_over_89 else f"age {pt.age_years} years"
    return _grade([(age, age_text), (pt.sex != "unknown", f"sex {pt.sex}"),
                   (bool(pt.ethnicity.strip()), f"ethnicity {pt.ethnicity}")],
                  [(pt.weight_kg is not None, "weight recorded"), (pt.ckd_stage is not None, f"CKD stage {pt.ckd_stage}"),
                   (pt.dialysis_modality is not None, f"dialysis modality {pt.dialysis_modality}")])


def item_5b(ctx: Context) -> Status:
    pt = ctx.case.patient
    onsets = [e for e in ctx.case.events if e.kind in ("symptom_onset", "presentation", "lesion_onset") and e.description]
    if pt.presenting_concerns.strip():
        return "complete", [_text("presenting concerns", pt.presenting_concerns)] + [
            _text(e.kind.replace("_", " "), e.description) for e in onsets[:2]]
    if onsets:
        return "partial", [_text(e.kind.replace("_", " "), e.description) for e in onsets[:3]]
    return "missing", []


def item_5c(ctx: Context) -> Status:
    pt = ctx.case.patient
    medical = bool(pt.history.strip() or pt.comorbidities)
    psycho = bool(pt.family_history.strip() or pt.social_history.strip())
    labels = catalogue.comorbidities()
    support = []
    has = [labels.get(c.code, c.code) for c in pt.comorbidities if not c.absent]
    absent = [labels.get(c.code, c.code) for c in pt.comorbidities if c.absent]
    if has:
        support.append("comorbidities: " + ", ".join(has))
    if absent:  # a stated negative is part of the history too ("non-diabetic")
        support.append("absent, as the source says: " + ", ".join(absent))
    if pt.history.strip():
        support.append(_text("medical history", pt.history))
    if pt.family_history.strip():
        support.append(_text("family history", pt.family_history))
    if pt.social_history.strip():
        support.append(_text("social history", pt.social_history))
    if medical and psycho:
        return "complete", support
    return ("partial" if support else "missing"), support


def item_5d(ctx: Context) -> Status:
    pt = ctx.case.patient
    if pt.past_interventions.strip():
        return "complete", [_text("past interventions", pt.past_interventions)]
    before = [m for m in ctx.taken_medications if (p := ctx.place(m.start)) is not None and p.day < 0]
    past_tx = [t for t in ctx.case.treatments if (p := ctx.place(t.start)) is not None and p.day < 0]
    support = [f"medication before day 0: {ctx.med_text(m)}" for m in before[:3]]
    support += [f"treatment before day 0: {ctx.treatment_text(t)}" for t in past_tx[:3]]
    return ("partial" if support else "missing"), support


def item_6(ctx: Context) -> Status:
    n = ctx.case.manuscript
    n_obs = sum(len(les.observations) for les in ctx.case.lesions)
    structured = bool(ctx.case.lesions or ctx.case.vitals)
    return _grade([(bool(n.clinical_findings.strip()), _text("clinical findings", n.clinical_findings)),
                   (structured, f"{len(ctx.case.lesions)} lesions ({n_obs} observations), {len(ctx.case.vitals)} vital signs")])


def item_7(ctx: Context) -> Status:
    placed = [e for e in ctx.case.events if ctx.place(e.when) is not None]
    if not ctx.case.events:
        return "missing", []
    idx = ctx.case.index_event
    return _grade([(idx is not None, f"day 0: {idx.description or idx.kind}" if idx else ""),
                   (len(placed) >= 2, f"{len(placed)} of {len(ctx.case.events)} events placed on the timeline")],
                  [(len(placed) < 2, f"{len(ctx.case.events)} events recorded")])


def item_8a(ctx: Context) -> Status:
    c = ctx.case
    # CARE 8a asks for the tests with their results: a biopsy whose result is not recorded yet is named
    # as such and does not count as a test reported
    resulted = [b for b in c.biopsies if b.result or b.grade]
    unresulted = len(c.biopsies) - len(resulted)
    methods = [(bool(c.labs), f"{len(c.labs)} laboratory results"), (bool(c.imaging), f"{len(c.imaging)} imaging studies"),
               (bool(resulted), f"{len(resulted)} {'biopsy' if len(resulted) == 1 else 'biopsies'}"),
               (bool(unresulted), f"{unresulted} {'biopsy' if unresulted == 1 else 'biopsies'} without a recorded result"),
               (any(les.observations for les in c.lesions), "lesion examinations recorded")]
    support = [s for ok, s in methods if ok]
    if c.manuscript.diagnostic_assessment.strip():
        support.insert(0, _text("diagnostic assessment", c.manuscript.diagnostic_assessment))
    if c.labs and (c.imaging or resulted):
        return "complete", support
    if support == ["lesion examinations recorded"]:  # the lesions are described under Clinical findings
        return "partial", support, "Clinical findings"
    return ("partial" if support else "missing"), support


def item_8b(ctx: Context) -> Status:
    return _from_texts(("diagnostic challenges", ctx.case.diagnosis.challenges))


def item_8c(ctx: Context) -> Status:
    dx = ctx.case.diagnosis
    diffs = [f"{x.name} ({x.status.replace('_', ' ')})" for x in dx.differentials if x.name]
    return _grade([(bool(dx.reasoning.strip()), _text("diagnostic reasoning", dx.reasoning)),
                   (bool(diffs), "differentials: " + ", ".join(diffs))])


def item_8d(ctx: Context) -> Status:
    dx = ctx.case.diagnosis
    if dx.prognosis.strip():
        return "complete", [_text("prognosis", dx.prognosis)]
    classes = sorted({ctx.site_class(les) for les in ctx.case.lesions if ctx.site_class(les)})
    if classes:  # the lesions' sites are given under Clinical findings
        return ("partial", [f"prognostic site classes recorded ({', '.join(classes)}) but no prognosis statement"],
                "Clinical findings")
    return "missing", []


def _named_treatments(ctx: Context) -> list:
    """The treatments that say what was given: a row just added (no agent, class "other") reports nothing."""
    return [t for t in ctx.case.treatments if names_anything(t)]


def item_9a(ctx: Context) -> Status:
    tx = _named_treatments(ctx)
    if not tx:
        return "missing", []
    return "complete", ["interventions: " + ", ".join(dict.fromkeys(treatment_name(t) for t in tx))]


def item_9b(ctx: Context) -> Status:
    named = _named_treatments(ctx)
    drugs = [t for t in named if t.kind == "drug"]
    if not drugs:
        return ("missing", []) if not named else ("complete", ["no drug treatment; procedures only"])
    support, full, some = [], 0, False
    for t in drugs:
        have = {"dose": t.dose is not None and bool(t.dose_unit),
                "schedule": bool(t.schedule or t.times_per_week is not None),
                "timing": ctx.place(t.start) is not None or bool(t.duration_text)}
        missing = [k for k, ok in have.items() if not ok]
        full += not missing
        some = some or len(missing) < len(have)
        support.append(f"{treatment_name(t)}: " + ("dose, schedule and timing recorded" if not missing
                                                             else " and ".join(missing) + " missing"))
    if full == len(drugs):
        return "complete", support
    return ("partial" if some else "missing"), support


def item_9c(ctx: Context) -> Status:
    changes = [e for e in ctx.case.events if e.kind in ("treatment_change", "treatment_stop")]
    stopped = [t for t in ctx.case.treatments if t.stop.is_set or t.response in ("no_improvement", "worsened")]
    support = [_text("change", e.description) for e in changes[:3] if e.description]
    support += [f"{treatment_name(t)}: " + (f"response {t.response.replace('_', ' ')}" if t.response else "stopped")
                for t in stopped[:3]]
    if not support:
        return "missing", []
    rationale = any(t.response_detail.strip() or t.indication.strip() for t in stopped) or bool(
        ctx.case.manuscript.therapeutic_intervention.strip())
    return ("complete" if rationale else "partial"), support


def item_10a(ctx: Context) -> Status:
    o = ctx.case.outcome
    recurrences = [e for e in ctx.case.events if e.kind == "recurrence"]
    clinician = o.status != "unknown" or o.wound_healing != "unknown" or bool(recurrences)
    bits = []
    if o.status != "unknown":
        bits.append(f"outcome {o.status.replace('_', ' ')}")
    if o.wound_healing != "unknown":
        bits.append(f"wound healing {o.wound_healing}")
    if recurrences:
        bits.append(f"{len(recurrences)} recurrence{'s' if len(recurrences) > 1 else ''}")
    return _grade([(clinician, "clinician-assessed: " + ", ".join(bits)),
                   (bool(o.patient_assessed.strip()), _text("patient-assessed", o.patient_assessed))])


_EPISODE_CLASSES = {"sodium-thiosulfate", "non-calcium-binder", "calcimimetic", "parathyroidectomy", "wound-care",
                    "debridement", "hyperbaric-oxygen", "pentoxifylline", "bisphosphonate", "dialysis-change"}


def item_10b(ctx: Context) -> Status:
    # follow-up starts at the diagnosis, else at the first treatment of the calciphylaxis itself
    dx = ctx.place(ctx.case.diagnosis.when)
    starts = [p for t in ctx.case.treatments
              if t.treatment_class in _EPISODE_CLASSES and (p := ctx.place(t.start)) is not None]
    anchor = dx if dx is not None else (min(starts, key=lambda p: p.day) if starts else None)
    since = None if anchor is None else anchor.day
    what = "the diagnosis" if dx is not None else "treatment began"
    if since is None:
        text = ctx.case.manuscript.follow_up.strip()
        return ("partial", [_text("follow-up", text)]) if text else ("missing", [])
    labs = [e for e in ctx.labs if e.placed is not None and e.placed.day > since]
    obs = [ob for les in ctx.case.lesions for ob in les.observations
           if (p := ctx.place(ob.when)) is not None and p.day > since]
    support = []
    if labs:
        support.append(f"{len(labs)} laboratory results after {what} ({describe(anchor)})")
    if obs:
        support.append(f"{len(obs)} lesion observations after {what} ({describe(anchor)})")
    if support:
        return "complete", support
    text = ctx.case.manuscript.follow_up.strip()
    return ("partial", [_text("follow-up", text)]) if text else ("missing", [])


def item_10c(ctx: Context) -> Status:
    o = ctx.case.outcome
    if o.adherence.strip():
        return "complete", [_text("adherence and tolerability", o.adherence)]
    tol = [t for t in ctx.case.treatments if t.adverse_events.strip()]
    return ("partial", [f"{treatment_name(t)}: {t.adverse_events}" for t in tol[:3]]) if tol else ("missing", [])


def item_10d(ctx: Context) -> Status:
    o = ctx.case.outcome
    support = []
    if o.adverse_events.strip():
        support.append(_text("adverse events", o.adverse_events))
    support += [f"{treatment_name(t)}: {t.adverse_events}" for t in ctx.case.treatments if t.adverse_events.strip()][:3]
    support += [_text("complication", e.description or "recorded") for e in ctx.case.events if e.kind == "complication"][:3]
    return ("complete" if support else "missing"), support


def _discussion(ctx: Context, words: tuple[str, ...], what: str) -> Status:
    text = ctx.case.manuscript.discussion
    if not text.strip():
        return "missing", []
    low = text.lower()
    hit = [w for w in words if w in low]
    if hit:
        return "complete", [f"the discussion mentions {what} ({', '.join(hit)})"]
    return "partial", [f"discussion present; {what} not named in it"]


def item_11a(ctx: Context) -> Status:
    return _discussion(ctx, ("strength", "limitation"), "strengths or limitations")


def item_11b(ctx: Context) -> Status:
    n = ctx.case.manuscript
    refs = _references(ctx)
    return _grade([(bool(n.discussion.strip()), _text("discussion", n.discussion)), (bool(refs), f"{refs} references")])


def item_11c(ctx: Context) -> Status:
    n = ctx.case.manuscript
    return _grade([(bool(n.discussion.strip()), _text("discussion", n.discussion)),
                   (bool(n.conclusions.strip()), _text("conclusions", n.conclusions))])


def item_11d(ctx: Context) -> Status:
    n = ctx.case.manuscript
    if n.conclusions.strip():
        return "complete", [_text("conclusions", n.conclusions)]
    if n.abstract_conclusions.strip():
        return "partial", [_text("abstract conclusions", n.abstract_conclusions)]
    return "missing", []


def item_12(ctx: Context) -> Status:
    return _from_texts(("patient perspective", ctx.case.manuscript.patient_perspective))


def item_13(ctx: Context) -> Status:
    c = ctx.case.consent
    if not c.recorded:
        return "missing", []
    who = "the patient" if c.given_by == "patient" else "the next of kin"
    support = [f"consent given by {who}" + (" (date recorded)" if c.date else "")]
    images = [m for m in ctx.case.figures if m.in_report]
    if images and not c.covers_images:
        support.append(f"{len(images)} images in the report, but the consent is not recorded as covering images")
        return "partial", support
    if images:
        support.append("the consent covers images")
    return "complete", support


CHECKS: dict[str, Callable[[Context], Status]] = {
    name[len("item_"):]: fn for name, fn in globals().items() if name.startswith("item_") and callable(fn)
}


def evaluate(ctx: Context) -> list[CareItem]:
    out = []
    for it in care_items():
        # a check may name where its facts are when that is not the item's usual section
        status, support, *where = CHECKS[it["id"]](ctx)
        out.append(CareItem(item=it["id"], topic=it["topic"], text=it["text"], status=status,
                            support=[s for s in support if s], section=where[0] if where else it["section"]))
    return out
