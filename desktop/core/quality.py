"""Data-quality findings: laboratory values the assessment cannot use, missing ranges and times,
lesions without a site or onset, and an impossible order of events. They say what is wrong with the
record, never with the patient."""
from __future__ import annotations

from .. import catalogue
from ..timing import DAYS_PER, describe
from . import labs as L
from ..catalogue import unit_key
from .context import Context, lower_first, on, on_or_not, placed_or_not, slack, treatment_name
from .derived import Derived
from .rulebook import rule
from .types import Evidence, Finding
from .wording import MAX_EVIDENCE, join as _join, plural as _plural


def likely_reading(a, value: float, unit: str) -> str | None:
    """The one other unit of the analyte in which a printed value is plausible (a calcium of 7.92
    'mmol/L' reads as 7.92 mg/dL), or None when there is none or more than one."""
    printed = a.unit_of(unit)
    fits = []
    for u in a.units:
        if u == printed or unit_key(u) == unit_key(unit) or a.units[u] == a.units.get(printed):
            continue
        canon = a.to_canonical(value, u)
        if a.plausible["low"] <= canon <= a.plausible["high"]:
            fits.append(u)
    distinct = {(a.units[u]["scale"], a.units[u]["offset"]): u for u in fits}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def reported_values(ctx: Context, d: Derived) -> list[Finding]:
    """Values the authors computed and printed (a Ca×P product 'as reported', an albumin-corrected
    calcium) kept beside Casebook's own computation at the same timepoint; a notice when the two
    disagree beyond the rounding of the printed value."""
    out = []
    r = rule("dq-reported-value-differs")
    from .derived import _pair_key  # one notion of "the same timepoint"
    checks = (("ca_p_product", "ca_p_product", "Calcium × phosphate product"),
              ("calcium_corrected", "corrected_calcium", "Albumin-corrected calcium"))
    for analyte, kind, label in checks:
        for e in ctx.results(analyte):
            if e.lab.comparator != "=":
                continue
            key = _pair_key(e)
            mine = None
            if kind == "ca_p_product":
                for p in d.products:
                    if _pair_key(p.calcium) == key:
                        mine = (p.calcium.value * p.phosphate.value, "mg²/dL²", p.derived)
                        break
            else:
                for dv in d.values:
                    if dv.kind == kind and dv.inputs and dv.inputs[0].ref and key is not None:
                        ca = next((x for x in ctx.results("calcium") if f"labs/{x.lab.id}" == dv.inputs[0].ref), None)
                        if ca is not None and _pair_key(ca) == key:
                            unit = dv.unit if dv.unit == "mg/dL" else dv.alt_unit
                            mine = (dv.value if dv.unit == "mg/dL" else dv.alt_value, unit, dv)
                            break
            if mine is None:
                continue
            value, unit, dv = mine
            reported = e.value  # canonical: mg²/dL² or mg/dL
            decimals = L._decimals_of(e.lab.value)
            tol = 0.5 * 10 ** -decimals * (e.analyte.to_canonical(1.0, e.lab.unit)) + 0.051
            if abs(reported - value) <= tol:
                continue
            out.append(r.finding(
                evidence=[ctx.lab_evidence(e, f"{label} as reported"),
                          Evidence(f"{label} (derived)", L.format_number(value, 1 if unit == "mg²/dL²" else 2), unit,
                                   dv.time, dv.day, dv.ref)],
                what=lower_first(label), reported=L.format_lab(e.lab), time=on_or_not(e.placed, e.lab.when),
                mine=L.format_value(value, unit, decimals=1 if unit == "mg²/dL²" else 2)))
    return out


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
            likely = likely_reading(a, lab.value, lab.unit)
            likely_text = (f" It reads as plausible in {likely}: probably {L.format_number(lab.value)} {likely}, "
                           f"a unit misprinted in the source." if likely else "")
            printed = " It is kept as printed." if lab.as_printed else ""
            out.append(rule("dq-implausible-value").finding(
                evidence=[Evidence(a.label, L.format_value(lab.value, "", lab.comparator), lab.unit, time, day, ref)],
                lab=f"{a.label} {L.format_lab(lab)}", time=on_or_not(p.placed, lab.when), bounds=bounds,
                likely=likely_text + printed))
        elif p.kind == "unknown-unit":
            a = analytes[lab.analyte]
            unit = f"'{lab.unit}'" if lab.unit.strip() else "no unit"
            out.append(rule("dq-unknown-unit").finding(
                "default" if lab.unit.strip() else "no_unit",
                evidence=[Evidence(a.label, L.format_value(lab.value, "", lab.comparator), lab.unit, time, day, ref)],
                analyte=a.label, value=L.format_value(lab.value, "", lab.comparator),
                time=on_or_not(p.placed, lab.when), unit=unit,
                accepted=", ".join(u or "no unit" for u in a.units)))
        else:
            out.append(rule("dq-unusable-lab").finding(
                evidence=[Evidence("Laboratory result", lab.analyte or "no analyte", lab.unit, time, day, ref)],
                time=on(p.placed), problem=p.detail))
    # reference ranges
    no_range = [e for e in ctx.labs if e.lab.ref_low is None and e.lab.ref_high is None
                and e.analyte.code not in ("ca_p_product", "calcium_corrected", "egfr")]
    if no_range:
        def has_default(e) -> bool:
            rr = e.analyte.reference_range
            return rr is not None and rr.get("sex") in (None, ctx.sex)
        with_default = sorted(map(lower_first, {e.analyte.label for e in no_range if has_default(e)}))
        without = sorted(map(lower_first, {e.analyte.label for e in no_range if not has_default(e)}))
        for_other_sex = sorted(map(lower_first, {e.analyte.label for e in no_range if e.analyte.reference_range is not None
                                                  and not has_default(e)}))
        parts = []
        if with_default:
            parts.append(f"The catalogue's default ranges (those of Smilnak et al. 2022) are used for {_join(with_default)}.")
        if without:
            parts.append(f"{_join(without)[0].upper()}{_join(without)[1:]} {'has' if len(without) == 1 else 'have'} no default range, so "
                         f"{'it is' if len(without) == 1 else 'they are'} not flagged high or low.")
        if for_other_sex:
            parts.append(f"The default range of {_join(for_other_sex)} is given for "
                         f"{'men' if 'male' in {e.analyte.reference_range.get('sex') for e in no_range if e.analyte.reference_range} else 'one sex'} "
                         f"only, so it is not applied to this patient.")
        flagged = [e for e in no_range if e.lab.author_flag in ("H", "L") and not has_default(e)]
        if flagged:
            parts.append(f"The authors' own H/L marks are used for {_join(sorted({lower_first(e.analyte.label) for e in flagged}))}.")
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
        words = [x for x in unset if x.lab.when.label.strip()]  # "serial blood results": words, no time
        if len(unset) > len(words):
            parts.append(f"{len(unset) - len(words)} with no time recorded")
        if words:
            parts.append(f"{len(words)} with a time given only in the source's words")
        if unplaced:
            parts.append(f"{len(unplaced)} with a time that cannot be related to day 0")
        ev = [Evidence(catalogue.analytes()[x.lab.analyte].label if x.lab.analyte in catalogue.analytes() else "Laboratory result",
                       L.format_value(x.lab.value, "", x.lab.comparator) if x.lab.value is not None
                       else L.qualitative_text(x.lab) or "no value", x.lab.unit,
                       placed_or_not(None, x.lab.when), None, f"labs/{x.lab.id}")
              for x in (unset + unplaced)[:MAX_EVIDENCE]]
        out.append(rule("dq-lab-without-time").finding(
            evidence=ev, count=_plural(n, "laboratory result", "laboratory results"), detail="; ".join(parts),
            pronoun="it" if n == 1 else "they"))
    return out


def lesion_quality(ctx: Context, d: Derived) -> list[Finding]:
    out = []

    def named(les) -> str:  # a lesion without a site is told apart by what the author wrote of it
        return ctx.lesion_name(les) if les.site else (les.description or les.site_detail or "no description")

    nosite = [les for les in ctx.lesions if not les.site]
    if nosite:
        out.append(rule("dq-lesion-without-site").finding(
            evidence=[Evidence("Lesion", named(les), "", ctx.time(les.onset), ref=f"lesions/{les.id}")
                      for les in nosite][:MAX_EVIDENCE],
            count=_plural(len(nosite), "lesion has", "lesions have")))
    if ctx.has_lesions and ctx.onset is None:
        # the vintage is then taken at presentation (or day 0) when dialysis has a start: say so, not
        # that it cannot be computed; a patient not on dialysis has none
        variant, moment = ("not_on_dialysis", "") if not ctx.on_dialysis else ("default", "")
        if d.vintage is not None:  # as derived.dialysis_vintage takes it
            variant, moment = "vintage_elsewhere", "presentation" if ctx.presentation is not None else "day 0"
        out.append(rule("dq-onset-unknown").finding(
            variant, moment=moment,
            evidence=[Evidence("Lesion", named(les), "", ctx.time(les.onset), ref=f"lesions/{les.id}")
                      for les in ctx.lesions][:MAX_EVIDENCE]))
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
        out.append(r.finding("death_before_presentation",
                             evidence=[ev("Death", death.placed, death.ref), ev("Presentation", pres.placed, pres.ref)],
                             problem=f"Death ({describe(death.placed)}) is recorded before presentation "
                                     f"({describe(pres.placed)})"))
    if death is not None and ctx.onset is not None and before(death.placed, ctx.onset.placed):
        out.append(r.finding("death_before_onset",
                             evidence=[ev("Death", death.placed, death.ref), ctx.onset_evidence()],
                             problem=f"Death ({describe(death.placed)}) is recorded before the first lesion onset "
                                     f"({describe(ctx.onset.placed)})"))
    dx = ctx.place(ctx.case.diagnosis.when)
    if dx is not None and ctx.onset is not None and before(dx, ctx.onset.placed):
        out.append(r.finding("diagnosis_before_onset",
                             evidence=[ev("Diagnosis", dx, "diagnosis.when"), ctx.onset_evidence()],
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
                after.append(ev(f"Start of {lower_first(treatment_name(t))}", p, f"treatments/{t.id}"))
        if after:
            what = _plural(len(after), "result, observation or treatment start is",
                           "results, observations or treatment starts are")
            out.append(r.finding("after_death", evidence=[ev("Death", death.placed, death.ref), *after[:MAX_EVIDENCE - 1]],
                                 problem=f"{what} recorded after death ({describe(death.placed)})"))
    early = _before_birth(ctx)
    if early:
        what = _plural(len(early), "time is", "times are")
        out.append(r.finding("before_birth", evidence=[ev("Presentation", pres.placed, pres.ref), *early[:MAX_EVIDENCE - 1]],
                             problem=f"{what} recorded before the patient's birth (aged {ctx.case.patient.age_years} "
                                     f"at the presentation, {describe(pres.placed)})"))
    for kind, items in (("treatments", ctx.case.treatments), ("medications", ctx.case.medications)):
        for x in items:
            s, e = ctx.place(x.start), ctx.place(x.stop)
            if s is not None and e is not None and before(e, s):
                name = getattr(x, "agent", None) or getattr(x, "name", None) or "a treatment"
                out.append(r.finding("stop_before_start", evidence=[ev("Start", s, f"{kind}/{x.id}"), ev("Stop", e, f"{kind}/{x.id}")],
                                     problem=f"{name[0].upper() + name[1:]} stops ({describe(e)}) before it starts "
                                             f"({describe(s)})"))
    return out


def _before_birth(ctx: Context) -> list[Evidence]:
    """The times placed clearly before the patient was born: more than the age at presentation plus
    one year before it (a slip of unit or of a digit: 1461 years for 1461 days). Empty without an age."""
    age, pres = ctx.case.patient.age_years, ctx.presentation
    if age is None or pres is None:
        return []
    birth = pres.placed.day - (age + 1) * DAYS_PER["year"]  # the earliest the patient can have been born
    out = []
    for label, when, ref in timed_entries(ctx.case):
        p = ctx.place(when)
        if p is not None and p.day + slack(p) < birth:
            out.append(Evidence(label, describe(p), "", describe(p), round(p.day, 4), ref))
    return out


def timed_entries(case):
    """(label, time, ref) of each time of the case other than its results and observations: the
    dialysis and transplant dates, the events, and the starts of medicines, treatments and lesions."""
    pt = case.patient
    yield "Dialysis start", pt.dialysis_start, "patient.dialysis_start"
    yield "Kidney transplant", pt.transplant_date, "patient.transplant_date"
    for i, period in enumerate(pt.dialysis_history):
        yield "Start of a dialysis period", period.start, f"patient.dialysis_history[{i}].start"
    for e in case.events:
        yield e.kind.replace("_", " ").capitalize(), e.when, f"events/{e.id}"
    for m in case.medications:
        yield f"Start of {m.name or 'a medicine'}", m.start, f"medications/{m.id}"
    for t in case.treatments:
        yield f"Start of {lower_first(treatment_name(t))}", t.start, f"treatments/{t.id}"
    for les in case.lesions:
        yield "Lesion onset", les.onset, f"lesions/{les.id}"


def day0_unnamed(ctx: Context, d: Derived) -> list[Finding]:
    """Times given relative to day 0 when no event of the timeline is day 0: the manuscript can then
    only say "before the index event" (CMAJ 2011;183(16):1882 entered through the window: "on
    hemodialysis for five years", "a three-month history", with no presentation event)."""
    case = ctx.case
    if case.index_event is not None:
        return []
    def from_day0(when) -> bool:
        return when.offset is not None and not when.event_id and not when.date

    relative = [(label, when, ref) for label, when, ref in timed_entries(case) if from_day0(when)]
    n = (len(relative) + sum(from_day0(lab.when) for lab in case.labs)
         + sum(from_day0(ob.when) for les in case.lesions for ob in les.observations))
    if not n:
        return []
    evidence = []  # the time is the value here: said once
    for label, when, ref in relative[:MAX_EVIDENCE]:
        placed = ctx.place(when)
        evidence.append(Evidence(label, describe(placed), "", "", None if placed is None else round(placed.day, 4), ref))
    evidence.append(Evidence("Day 0", "no event of the timeline is marked day 0", "", "", ref="index_event_id"))
    return [rule("dq-day0-unnamed").finding(evidence=evidence, count=_plural(n, "time is", "times are"))]


def kidney_status(ctx: Context, d: Derived) -> list[Finding]:
    """Parts of the kidney status that contradict each other: a stage of 5D (on dialysis) with the
    modality "none"; a dialysis start with the modality "none" and no dialysis period, which the
    manuscript cannot print (it says the patient is not on dialysis)."""
    pt, r = ctx.case.patient, rule("dq-kidney-status")
    if pt.dialysis_modality != "none":
        return []
    out = []
    modality = Evidence("Dialysis modality", "none", ref="patient.dialysis_modality")
    if pt.ckd_stage == "5D":
        out.append(r.finding("stage_5d_not_on_dialysis",
                             evidence=[Evidence("CKD stage", "5D (on dialysis)", ref="patient.ckd_stage"), modality]))
    if pt.dialysis_start.is_set and not pt.dialysis_history:
        start = placed_or_not(ctx.place(pt.dialysis_start), pt.dialysis_start)
        out.append(r.finding("start_not_on_dialysis", start=start,
                             evidence=[Evidence("Dialysis start", start, ref="patient.dialysis_start"), modality]))
    return out
