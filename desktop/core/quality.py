"""Data-quality findings: laboratory values the assessment cannot use, missing ranges and times,
lesions without a site or onset, and an impossible order of events. They say what is wrong with the
record, never with the patient."""
from __future__ import annotations

from .. import catalogue
from ..timing import describe
from . import labs as L
from .context import Context, lower_first, on, slack
from .derived import Derived
from .rulebook import rule
from .types import Evidence, Finding
from .wording import MAX_EVIDENCE, join as _join, plural as _plural


def lab_quality(ctx: Context, d: Derived) -> list[Finding]:
    out = []
    analytes = catalogue.analytes()
    for p in ctx.lab_problems:
        lab, time = p.lab, describe(p.placed)
        day = None if p.placed is None else round(p.placed.day, 4)
        ref = f"labs/{lab.id}"
        if p.kind == "implausible":
            a = analytes[lab.analyte]
            pl = a.plausible
            bounds = f"{L.format_number(pl['low'])}–{L.format_number(pl['high'])} {pl['unit']}"
            if lab.unit != pl["unit"] and lab.unit in a.units:
                lo, hi = (a.convert(pl[k], pl["unit"], lab.unit) for k in ("low", "high"))
                dec = L.unit_decimals(a, lab.unit)
                bounds += f" ({L.format_number(lo, dec)}–{L.format_number(hi, dec)} {lab.unit})"
            out.append(rule("dq-implausible-value").finding(
                evidence=[Evidence(a.label, L.format_value(lab.value, "", lab.comparator), lab.unit, time, day, ref)],
                lab=f"{a.label} {L.format_lab(lab)}", time=on(p.placed), bounds=bounds))
        elif p.kind == "unknown-unit":
            a = analytes[lab.analyte]
            unit = f"'{lab.unit}'" if lab.unit.strip() else "no unit"
            out.append(rule("dq-unknown-unit").finding(
                evidence=[Evidence(a.label, L.format_number(lab.value), lab.unit, time, day, ref)],
                analyte=a.label, value=L.format_number(lab.value), time=on(p.placed), unit=unit,
                accepted=", ".join(a.units)))
        else:
            out.append(rule("dq-unusable-lab").finding(
                evidence=[Evidence("Laboratory result", lab.analyte or "no analyte", lab.unit, time, day, ref)],
                time=on(p.placed), problem=p.detail))
    # reference ranges
    no_range = [e for e in ctx.labs if e.lab.ref_low is None and e.lab.ref_high is None]
    if no_range:
        with_default = sorted(map(lower_first, {e.analyte.label for e in no_range if e.analyte.reference_range is not None}))
        without = sorted(map(lower_first, {e.analyte.label for e in no_range if e.analyte.reference_range is None}))
        parts = []
        if with_default:
            parts.append(f"The catalogue's default ranges (the seed's) are used for {_join(with_default)}.")
        if without:
            parts.append(f"{_join(without)[0].upper()}{_join(without)[1:]} {'has' if len(without) == 1 else 'have'} no default range, so "
                         f"{'it is' if len(without) == 1 else 'they are'} not flagged high or low.")
        count = f"{_plural(len(no_range), 'laboratory result is', 'laboratory results are')} recorded"
        ev = [ctx.lab_evidence(e) for e in no_range[:MAX_EVIDENCE]]
        out.append(rule("dq-missing-reference-range").finding(evidence=ev, count=count, detail=" ".join(parts)))
    # times
    unset = [e for e in ctx.labs if not e.lab.when.is_set] + [p for p in ctx.lab_problems if not p.lab.when.is_set]
    unplaced = ([e for e in ctx.labs if e.lab.when.is_set and e.placed is None]
                + [p for p in ctx.lab_problems if p.lab.when.is_set and p.placed is None])
    n = len(unset) + len(unplaced)
    if n:
        parts = []
        if unset:
            parts.append(f"{len(unset)} with no time recorded")
        if unplaced:
            parts.append(f"{len(unplaced)} with a time that cannot be related to day 0")
        ev = [Evidence(catalogue.analytes()[x.lab.analyte].label if x.lab.analyte in catalogue.analytes() else "Laboratory result",
                       L.format_number(x.lab.value) if x.lab.value is not None else "no value", x.lab.unit,
                       "time not recorded", None, f"labs/{x.lab.id}") for x in (unset + unplaced)[:MAX_EVIDENCE]]
        out.append(rule("dq-lab-without-time").finding(
            evidence=ev, count=_plural(n, "laboratory result", "laboratory results"), detail="; ".join(parts),
            pronoun="it" if n == 1 else "they"))
    return out


def lesion_quality(ctx: Context, d: Derived) -> list[Finding]:
    out = []
    nosite = [les for les in ctx.case.lesions if not les.site]
    if nosite:
        out.append(rule("dq-lesion-without-site").finding(
            evidence=[Evidence("Lesion", les.description or les.site_detail or "no description", "",
                               ctx.time(les.onset), ref=f"lesions/{les.id}") for les in nosite][:MAX_EVIDENCE],
            count=_plural(len(nosite), "lesion has", "lesions have")))
    if ctx.has_lesions and ctx.onset is None:
        out.append(rule("dq-onset-unknown").finding(
            evidence=[Evidence("Lesion", ctx.lesion_name(les), "", ctx.time(les.onset), ref=f"lesions/{les.id}")
                      for les in ctx.case.lesions][:MAX_EVIDENCE]))
    return out


def event_order(ctx: Context, d: Derived) -> list[Finding]:
    r = rule("dq-event-order")
    out = []

    def before(a, b) -> bool:  # a is clearly before b
        return a.day + slack(a) + slack(b) < b.day

    def ev(label, placed, ref):
        return Evidence(label, describe(placed), "", describe(placed), round(placed.day, 4), ref)

    death, pres = ctx.death, ctx.presentation
    if death is not None and pres is not None and before(death.placed, pres.placed):
        out.append(r.finding(evidence=[ev("Death", death.placed, death.ref), ev("Presentation", pres.placed, pres.ref)],
                             problem=f"Death ({describe(death.placed)}) is recorded before presentation "
                                     f"({describe(pres.placed)})"))
    if death is not None and ctx.onset is not None and before(death.placed, ctx.onset.placed):
        out.append(r.finding(evidence=[ev("Death", death.placed, death.ref), ctx.onset_evidence()],
                             problem=f"Death ({describe(death.placed)}) is recorded before the first lesion onset "
                                     f"({describe(ctx.onset.placed)})"))
    dx = ctx.place(ctx.case.diagnosis.when)
    if dx is not None and ctx.onset is not None and before(dx, ctx.onset.placed):
        out.append(r.finding(evidence=[ev("Diagnosis", dx, "diagnosis.when"), ctx.onset_evidence()],
                             problem=f"The diagnosis ({describe(dx)}) is recorded before the first lesion onset "
                                     f"({describe(ctx.onset.placed)})"))
    if death is not None:
        after = []
        for e in ctx.labs:
            if e.placed is not None and before(death.placed, e.placed):
                after.append(ev(e.analyte.label, e.placed, f"labs/{e.lab.id}"))
        for les in ctx.case.lesions:
            for ob in les.observations:
                p = ctx.place(ob.when)
                if p is not None and before(death.placed, p):
                    after.append(ev(f"Observation, {ctx.lesion_name(les)}", p, f"lesions/{les.id}/observations/{ob.id}"))
        for t in ctx.case.treatments:
            p = ctx.place(t.start)
            if p is not None and before(death.placed, p):
                after.append(ev(f"Start of {t.agent or t.treatment_class}", p, f"treatments/{t.id}"))
        if after:
            what = _plural(len(after), "result, observation or treatment start is",
                           "results, observations or treatment starts are")
            out.append(r.finding(evidence=[ev("Death", death.placed, death.ref), *after[:MAX_EVIDENCE - 1]],
                                 problem=f"{what} recorded after death ({describe(death.placed)})"))
    for kind, items in (("treatments", ctx.case.treatments), ("medications", ctx.case.medications)):
        for x in items:
            s, e = ctx.place(x.start), ctx.place(x.stop)
            if s is not None and e is not None and before(e, s):
                name = getattr(x, "agent", None) or getattr(x, "name", None) or "a treatment"
                out.append(r.finding(evidence=[ev("Start", s, f"{kind}/{x.id}"), ev("Stop", e, f"{kind}/{x.id}")],
                                     problem=f"{name[0].upper() + name[1:]} stops ({describe(e)}) before it starts "
                                             f"({describe(s)})"))
    return out
