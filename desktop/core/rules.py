"""The rules: each function reads the shared context and returns the findings of one or a few
related rule ids. Thresholds, wording and citations come from resources/rules/rules.json.

Messages restate what the sources say against the recorded data; they never tell the reader what
to do for this patient ("the seed advises…", "may be considered").
"""
from __future__ import annotations

from collections.abc import Callable

from .. import catalogue
from . import citing
from ..timing import describe
from . import labs as L
from . import quality
from .context import Context, LabEntry, lower_first, on, slack
from .derived import Derived, Product
from .rulebook import rule
from .types import Evidence, Finding
from .wording import MAX_EVIDENCE, join as _join, plural as _plural

def _num(v: float, decimals: int = 1) -> str:
    return L.format_number(v, decimals)


def _product_text(p: Product) -> str:
    dv = p.derived
    text = f"{_num(dv.value, 1 if dv.unit == 'mg²/dL²' else 2)} {dv.unit}"
    return f"{text} ({_num(dv.alt_value, 2 if dv.alt_unit == 'mmol²/L²' else 1)} {dv.alt_unit})"


def _product_evidence(p: Product) -> list[Evidence]:
    dv = p.derived
    prod = Evidence("Calcium × phosphate product (derived)", _num(dv.value, 1 if dv.unit == "mg²/dL²" else 2),
                    dv.unit, dv.time, dv.day, dv.ref)
    return [prod, *dv.inputs]


# --- calcium × phosphate -------------------------------------------------------------------------

def _bands(r) -> tuple[float, float]:
    return r.value("ca_p_goal"), r.value("ca_p_product")


_BAND_WORDS = {"at goal": "at goal (below {goal})", "above goal": "above goal ({goal}–{high})",
               "over high": "over {high}"}


def band_text(p: Product, goal: float, high: float) -> str:
    band = p.band(goal, high)
    if band is None:
        return "band open: an input is a bound"
    return _BAND_WORDS[band].format(goal=_num(goal, 0), high=_num(high, 0))


def _product_when(ctx: Context, p: Product) -> str:
    return on(p.placed) if p.placed is not None else p.derived.time


def _at_or_after(ctx: Context, p: Product, moment) -> bool:
    """Whether product ``p`` is at or after ``moment`` (a Moment): on the day axis, or tied to the
    moment's own event when it has no place."""
    if p.placed is not None:
        return p.day >= moment.day - slack(moment.placed) - slack(p.placed)
    ref = moment.ref
    return ref.startswith("events/") and p.calcium.lab.when.event_id == ref[len("events/"):]


def ca_p(ctx: Context, d: Derived) -> list[Finding]:
    out = []
    high = rule("ca-p-high-before-onset")
    onset = ctx.onset
    placed_products = [p for p in d.products if p.placed is not None]
    if onset is not None and placed_products:
        limit = high.value("ca_p_product")
        window = high.days("window_before_onset")
        # approximate times widen the window by their uncertainty rather than dropping a value
        hits = [p for p in placed_products if p.band(55.0, limit) == "over high"
                and onset.day - window - slack(onset.placed) - slack(p.placed) <= p.day
                <= onset.day + slack(onset.placed) + slack(p.placed)]
        if hits:
            top = max(hits, key=lambda p: (p.value, -p.day))
            gap = onset.day - top.day
            if abs(gap) <= max(slack(onset.placed) + slack(top.placed), 0.5):
                when = f"at the first lesion onset ({describe(onset.placed)})"
            elif gap > 0:
                when = (f"{on(top.placed)}, {round(gap)} days before the first lesion onset "
                        f"({describe(onset.placed)})")
            else:
                when = (f"{on(top.placed)}, within the uncertainty of the first lesion onset "
                        f"({describe(onset.placed)})")
            more = ""
            if len(hits) > 1:
                more = f"; {_plural(len(hits) - 1, 'other product', 'other products')} in that window also exceeded it"
            ev = []
            for p in sorted(hits, key=lambda p: p.day)[:MAX_EVIDENCE // 3]:
                ev.extend(_product_evidence(p))
            ev.append(ctx.onset_evidence())
            out.append(high.finding(evidence=ev, product=_product_text(top), when=when,
                                    threshold=high.threshold_text("ca_p_product"), more=more))
    out += _ca_p_at_presentation(ctx, d)
    out += _ca_p_series(ctx, d)
    out += _ca_p_not_computable(ctx, d)
    if placed_products:
        # "latest" only among products with a place on the day axis; unplaced ones are named by
        # ca-p-products and, when at or after presentation, by the presentation rule
        latest = placed_products[-1]
        above = rule("ca-p-above-goal")
        goal = above.value("ca_p_goal")
        band = latest.band(goal, high.value("ca_p_product"))
        treat = _binder_note(ctx)
        if band in ("above goal", "over high"):
            ev = _product_evidence(latest)
            ev += [ctx.med_evidence(m) for m in ctx.meds(["non-calcium-binder", "calcium-binder"])][:4]
            ev += [ctx.treatment_evidence(t) for t in ctx.treatments(["non-calcium-binder", "parathyroidectomy"])][:4]
            out.append(above.finding(evidence=ev, product=_product_text(latest), time=_product_when(ctx, latest),
                                     threshold=above.threshold_text("ca_p_goal"), binder_note=treat))
        elif band == "at goal":
            at = rule("ca-p-at-goal")
            out.append(at.finding(evidence=_product_evidence(latest), product=_product_text(latest),
                                  time=_product_when(ctx, latest), threshold=at.threshold_text("ca_p_goal")))
    return out


def _binder_note(ctx: Context) -> str:
    """What the record says about binders and a parathyroidectomy: the treatments that change what
    the Ca×P goal rule says."""
    non_ca = [*ctx.meds(["non-calcium-binder"]), *ctx.treatments(["non-calcium-binder"])]
    names = _join([getattr(x, "name", "") or getattr(x, "agent", "") or "non-calcium binder" for x in non_ca])
    note = f"A non-calcium binder is recorded ({names})." if non_ca else "No non-calcium binder is recorded."
    if ctx.meds(["calcium-binder"]):
        note += " A calcium-based binder is recorded."
    ptx = ctx.treatments(["parathyroidectomy"])
    if ptx:
        note += f" A parathyroidectomy is recorded ({_join([ctx.treatment_text(t) for t in ptx])})."
    return note


def _ca_p_at_presentation(ctx: Context, d: Derived) -> list[Finding]:
    """A product over 70 at or after presentation is named as such, not only one before onset."""
    r = rule("ca-p-high-at-or-after-presentation")
    pres = ctx.presentation
    if pres is None:
        return []
    limit = r.value("ca_p_product")
    hits = [p for p in d.products if p.band(55.0, limit) == "over high" and _at_or_after(ctx, p, pres)]
    if not hits:
        return []
    top = max(hits, key=lambda p: p.value)
    ev = [e for p in hits[:MAX_EVIDENCE // 3] for e in _product_evidence(p)]
    more = ""
    if len(hits) > 1:
        more = f"; {_plural(len(hits) - 1, 'other product', 'other products')} at or after presentation also exceeded it"
    return [r.finding(evidence=ev, product=_product_text(top), time=_product_when(ctx, top),
                      threshold=r.threshold_text("ca_p_product"), more=more, treatment_note=_binder_note(ctx))]


def _ca_p_series(ctx: Context, d: Derived) -> list[Finding]:
    """Every product, each named by its band."""
    if not d.products:
        return []
    r = rule("ca-p-products")
    goal, limit = r.value("ca_p_goal"), r.value("ca_p_product")
    items = [f"{_product_text(p)} {_product_when(ctx, p)}: {band_text(p, goal, limit)}" for p in d.products]
    if len(items) > 8:
        items = items[:8] + [f"{len(items) - 8} more"]
    ev = [e for p in d.products[:MAX_EVIDENCE // 3] for e in _product_evidence(p)]
    return [r.finding(evidence=ev, products="; ".join(items),
                      count=_plural(len(d.products), "timepoint", "timepoints"))]


def _moment_results(ctx: Context, analyte: str, moment) -> tuple[list, list]:
    """(usable results of ``analyte`` at ``moment``, results there the assessment cannot use)."""
    ev_id = moment.ref[len("events/"):] if moment.ref.startswith("events/") else None

    def at(placed, when) -> bool:
        if placed is not None:
            return abs(placed.day - moment.day) <= max(slack(placed) + slack(moment.placed), 0.5)
        return ev_id is not None and when.event_id == ev_id

    usable = [e for e in ctx.results(analyte) if at(e.placed, e.lab.when)]
    unusable = [p for p in ctx.lab_problems if p.lab.analyte == analyte and at(p.placed, p.lab.when)]
    return usable, unusable


def _ca_p_not_computable(ctx: Context, d: Derived) -> list[Finding]:
    """At the first lesion onset and at presentation: when no product can be computed there, say so
    and why (which value is missing or unusable)."""
    r = rule("ca-p-not-computable")
    out = []
    seen = set()
    if not ctx.results("calcium") and not ctx.results("phosphate") and not any(
            p.lab.analyte in ("calcium", "phosphate") for p in ctx.lab_problems):
        return []  # no calcium or phosphate anywhere: nothing to pair, nothing to explain
    for what, moment in (("the first lesion onset", ctx.onset), ("presentation", ctx.presentation)):
        if moment is None:
            continue
        ca, ca_bad = _moment_results(ctx, "calcium", moment)
        ph, ph_bad = _moment_results(ctx, "phosphate", moment)
        if any(p.calcium in ca for p in d.products):
            continue
        key = (tuple(id(x) for x in ca), tuple(id(x) for x in ph))
        reasons = []
        for name, ok, bad in (("calcium", ca, ca_bad), ("phosphate", ph, ph_bad)):
            if ok:
                continue
            if bad:
                reasons.append(f"the {name} recorded then cannot be used ({_lab_problem_words(bad[0])})")
            else:
                reasons.append(f"no {name} is recorded then")
        if not ca and not ph and not ca_bad and not ph_bad:
            reasons = ["neither calcium nor phosphate is recorded then"]
        if not reasons:
            reasons.append("the calcium and phosphate recorded then are not of one timepoint")
        placed = [p for p in d.products if p.placed is not None]
        if placed:
            near = min(placed, key=lambda p: abs(p.day - moment.day))
            reasons[-1] += f" (the nearest product is {_product_text(near)} {on(near.placed)})"
        if key in seen and (ca or ph):
            continue
        seen.add(key)
        ev = [ctx.lab_evidence(e) for e in (ca + ph)][:MAX_EVIDENCE - 1]
        ev.append(Evidence(what[0].upper() + what[1:], moment.label, "", describe(moment.placed),
                           round(moment.day, 4), moment.ref))
        out.append(r.finding(evidence=ev, moment=f"{what} ({describe(moment.placed)})", reasons=_join(reasons)))
    return out


def _lab_problem_words(p) -> str:
    return {"unknown-unit": f"its unit '{p.lab.unit}' is not one the catalogue knows",
            "implausible": "its value is outside what can be measured",
            "unusable": p.detail or "it has no usable value"}.get(p.kind, p.kind)


# --- laboratory values outside their reference range ---------------------------------------------

def abnormal(ctx: Context, analyte: str, direction: str) -> tuple[list[LabEntry], int]:
    """Results of ``analyte`` flagged ``direction`` ('H' or 'L') against their range, and how many
    results there are."""
    entries = ctx.results(analyte)
    return [e for e in entries if ctx.flag(e.lab) == direction], len(entries)


def _words_summary(ctx: Context, analyte: str, direction: str) -> tuple[str, list[Evidence]] | None:
    """Results the source gives in words ('low', 'elevated') or marks H/L without a range."""
    words = ctx.word_flagged(analyte, direction)
    if not words:
        return None
    w = words[-1]
    text = f"{w.analyte.label} reported as {L.qualitative_text(w.lab) or ('high' if direction == 'H' else 'low')} {on(w.placed)}"
    ev = [Evidence(x.analyte.label, L.qualitative_text(x.lab) or x.lab.author_flag or "", "", describe(x.placed),
                   None if x.placed is None else round(x.placed.day, 4), f"labs/{x.lab.id}") for x in words][:3]
    return text, ev


def range_summary(ctx: Context, analyte: str, direction: str) -> tuple[str, list[Evidence]] | None:
    hits, total = abnormal(ctx, analyte, direction)
    if not hits:
        return _words_summary(ctx, analyte, direction)
    word = "above" if direction == "H" else "below"
    worst = (max if direction == "H" else min)(hits, key=lambda e: (e.value, -e.index))
    rr = L.reference_range(worst.lab, ctx.sex)
    if rr is None or (rr.low is None and rr.high is None):
        rng = "flagged by the authors; no range printed"
    else:
        rng = L.format_range(rr) + (", the default range" if rr.is_default else "")
    label = worst.analyte.label
    if len(hits) == 1:
        text = f"{ctx.lab_text(worst)} is {word} its reference range ({rng})"
        if total > 1:
            text += f", the only one of {total} results that is"
    else:
        extreme = "highest" if direction == "H" else "lowest"
        text = (f"{label} was {word} its reference range in {len(hits)} of {total} results; the {extreme} was "
                f"{L.format_lab(worst.lab)} {on(worst.placed)} (range {rng})")
    ev = [ctx.lab_evidence(worst)]
    ev += [ctx.lab_evidence(e) for e in reversed(hits) if e is not worst][:MAX_EVIDENCE - 1]
    return text, ev


def lab_range_rule(rule_id: str, analytes: list[str], direction: str) -> Callable[[Context, Derived], list[Finding]]:
    def check(ctx: Context, d: Derived) -> list[Finding]:
        parts = [s for s in (range_summary(ctx, a, direction) for a in analytes) if s is not None]
        if not parts:
            return []
        return [rule(rule_id).finding(evidence=[e for _, ev in parts for e in ev][:MAX_EVIDENCE],
                                      summary="; ".join(t for t, _ in parts))]
    check.__name__ = rule_id
    return check


# --- patient, comorbidities and medicines --------------------------------------------------------

def female_sex(ctx: Context, d: Derived) -> list[Finding]:
    if ctx.case.patient.sex != "female":
        return []
    return [rule("female-sex").finding(evidence=[Evidence("Sex", "female", ref="patient.sex")])]


def _comorbidity_rule(rule_id: str) -> Callable[[Context, Derived], list[Finding]]:
    def check(ctx: Context, d: Derived) -> list[Finding]:
        r = rule(rule_id)
        found = ctx.comorbidities(r.threshold("comorbidities"))
        if not found:
            return []
        labels = catalogue.comorbidities()
        ev = [Evidence("Comorbidity", labels.get(c.code, c.code) + (f": {c.detail}" if c.detail else ""),
                       ref=f"patient.comorbidities[{ctx.case.patient.comorbidities.index(c)}]") for c in found]
        details = [c.detail for c in found
                   if c.detail and c.detail.strip().lower() not in (c.code.lower(), labels.get(c.code, "").lower())]
        detail = f" ({'; '.join(details)})" if details else ""
        extra = {}
        if rule_id == "obesity" and d.bmi is not None:
            detail += f"{' ' if detail else ' ('}BMI {_num(d.bmi, 1)} kg/m²{'' if detail else ')'}"
        if "{conditions}" in r.messages["default"]:
            extra["conditions"] = _join([labels.get(c.code, c.code) for c in found])
        return [r.finding(evidence=ev, detail=detail, **extra)]
    check.__name__ = rule_id
    return check


def _med_rule(rule_id: str) -> Callable[[Context, Derived], list[Finding]]:
    def check(ctx: Context, d: Derived) -> list[Finding]:
        r = rule(rule_id)
        meds = ctx.meds(r.threshold("medication_classes"))
        if not meds:
            return []
        extra = {}
        if rule_id == "warfarin":
            stops = ctx.treatments(["stop-warfarin"])
            stopped = [m for m in meds if ctx.place(m.stop) is not None]
            if stops:
                extra["stop_note"] = f"Stopping or replacing warfarin is recorded: {_join([ctx.treatment_text(t) for t in stops])}."
            elif stopped:
                extra["stop_note"] = f"The vitamin K antagonist is recorded as stopped {on(ctx.place(stopped[0].stop))}."
            else:
                extra["stop_note"] = "No stop of warfarin is recorded."
        if rule_id == "insulin-injections":
            extra["applies"] = ""
            per_day = max((m.doses_per_day for m in meds if m.doses_per_day), default=None)
            if per_day is not None:
                for band in r.threshold("odds_ratio_by_injections_per_day"):
                    if per_day >= band["min"] and (band["max"] is None or per_day <= band["max"]):
                        extra["applies"] = (f"; at {L.format_number(per_day)} injections a day the reported odds ratio "
                                            f"is {band['odds_ratio']}")
        ev = [ctx.med_evidence(m) for m in meds][:MAX_EVIDENCE]
        return [r.finding(evidence=ev, drugs="; ".join(ctx.med_text(m) for m in meds), **extra)]
    check.__name__ = rule_id
    return check


def long_vintage(ctx: Context, d: Derived) -> list[Finding]:
    r = rule("long-dialysis-vintage")
    if d.vintage_days is None or d.vintage_days <= r.days("dialysis_vintage"):
        return []
    dv = d.vintage
    # the years and days exactly as the derived table shows them (one rounding)
    vintage = f"{_num(dv.alt_value, 1)} years ({_num(dv.value, 0)} days)"
    at = (f"at the first lesion onset ({describe(ctx.onset.placed)})" if ctx.onset is not None
          else f"at {dv.inputs[1].label.lower()} ({dv.time}); the lesion onset has no place on the day axis")
    return [r.finding(evidence=list(dv.inputs), vintage=vintage, at=at)]


def peritoneal(ctx: Context, d: Derived) -> list[Finding]:
    pt = ctx.case.patient
    periods = [i for i, x in enumerate(pt.dialysis_history) if x.modality == "peritoneal"]
    if pt.dialysis_modality != "peritoneal" and not periods:
        return []
    ev = []
    if pt.dialysis_modality == "peritoneal":
        ev.append(Evidence("Dialysis modality", "peritoneal", ref="patient.dialysis_modality"))
    for i in periods:
        x = pt.dialysis_history[i]
        ev.append(Evidence("Dialysis period", "peritoneal" + (f" ({x.reason})" if x.reason else ""), "",
                           ctx.time(x.start), ref=f"patient.dialysis_history[{i}]"))
    return [rule("peritoneal-dialysis").finding(evidence=ev)]


def transplant(ctx: Context, d: Derived) -> list[Finding]:
    pt = ctx.case.patient
    ev = []
    if pt.kidney_transplant == "yes":
        ev.append(Evidence("Kidney transplant", "yes", ref="patient.kidney_transplant"))
    if pt.ckd_stage == "transplant":
        ev.append(Evidence("CKD stage", "transplant", ref="patient.ckd_stage"))
    if pt.transplant_date.is_set:
        ev.append(Evidence("Kidney transplant", "transplanted", "", ctx.time(pt.transplant_date),
                           ref="patient.transplant_date"))
    if not ev:
        return []
    bits = []
    p = ctx.place(pt.transplant_date)
    if p is not None:
        bits.append(f"transplanted {on(p)}")
    if pt.graft_status not in (None, "unknown"):
        bits.append(f"graft {pt.graft_status}")
        ev.append(Evidence("Graft status", pt.graft_status, ref="patient.graft_status"))
    return [rule("kidney-transplant").finding(evidence=ev, detail=f" ({'; '.join(bits)})" if bits else "")]


# --- PTH -------------------------------------------------------------------------------------------

def pth_choice(ctx: Context) -> tuple[LabEntry | None, LabEntry | None]:
    """(the PTH nearest before or at the first lesion onset, the latest PTH)."""
    entries = ctx.results("pth_intact")
    if not entries:
        return None, None
    placed = [e for e in entries if e.placed is not None]
    latest = placed[-1] if placed else entries[-1]
    before = None
    if ctx.onset is not None:
        limit = ctx.onset.day + slack(ctx.onset.placed)
        earlier = [e for e in placed if e.placed.day <= limit]
        before = earlier[-1] if earlier else None
    return before, latest


def _pth_text(ctx: Context, before: LabEntry | None, latest: LabEntry) -> str:
    fmt = lambda e: f"{L.format_lab(e.lab, other_system=True)} {on(e.placed)}"  # noqa: E731
    if before is latest:
        return f"Intact PTH {fmt(latest)} is both the latest value and the one nearest before the first lesion onset"
    if before is not None:
        return (f"Intact PTH nearest before the first lesion onset: {fmt(before)}; latest intact PTH: {fmt(latest)}")
    why = "no PTH is recorded before the first lesion onset" if ctx.onset is not None else "the lesion onset is not placed"
    return f"Intact PTH {fmt(latest)} is the latest value; {why}"


def _which(before: LabEntry | None, latest: LabEntry, hits: list[LabEntry], verb: str) -> str:
    if before is None or before is latest:
        return f"This value {verb}"
    if len(hits) == 2:
        return f"Both values {verb.replace('is', 'are', 1)}"
    return f"The {'latest value' if hits[0] is latest else 'value nearest before onset'} {verb}"


def pth(ctx: Context, d: Derived) -> list[Finding]:
    before, latest = pth_choice(ctx)
    if latest is None:
        return []
    chosen = [latest] if before is None or before is latest else [before, latest]
    ev = [ctx.lab_evidence(e, "Intact PTH" + (", nearest before onset" if e is before and e is not latest
                                                else ", latest" if e is latest else "")) for e in chosen]
    if ctx.onset is not None:
        ev.append(ctx.onset_evidence())
    text = _pth_text(ctx, before, latest)
    out = []
    cin = rule("pth-cinacalcet")
    limit = cin.value("pth")
    # comparators honoured: '> 1000' is above 300; '< 400' is not known to be
    over = [e for e in chosen if L.known_above(e.value, e.lab.comparator, limit)]
    open_ = [e for e in chosen if L.known_above(e.value, e.lab.comparator, limit) is None]
    ptx = ctx.treatments(["parathyroidectomy"])
    ptx_note = ""
    if ptx:
        ptx_note = f" A parathyroidectomy is recorded ({_join([ctx.treatment_text(t) for t in ptx])})."
    if open_ and not over:
        out.append(cin.finding("unknown", evidence=ev, pth=text, threshold=cin.threshold_text("pth"),
                               ptx_note=ptx_note))
    elif over:
        mimetics = [*ctx.meds(["calcimimetic"]), *ctx.treatments(["calcimimetic"])]
        names = _join([getattr(m, "name", "") or getattr(m, "agent", "") or "calcimimetic" for m in mimetics])
        note = f"A calcimimetic is recorded ({names})." if mimetics else "No calcimimetic is recorded."
        out.append(cin.finding("consider", evidence=ev, pth=text, which=_which(before, latest, over, "is above"),
                               threshold=cin.threshold_text("pth"), calcimimetic_note=note + ptx_note))
    else:
        out.append(cin.finding("not_indicated", evidence=ev, pth=text,
                               which=_which(before, latest, chosen, "is at or below"),
                               threshold=cin.threshold_text("pth"), ptx_note=ptx_note))
    rx = rule("pth-parathyroidectomy-consider")
    over = [e for e in chosen if L.known_above(e.value, e.lab.comparator, rx.value("pth"))]
    if over:
        if ptx:
            ev = ev + [ctx.treatment_evidence(t) for t in ptx][:3]
            out.append(rx.finding("done", evidence=ev, pth=text, which=_which(before, latest, over, "is above"),
                                  threshold=rx.threshold_text("pth"),
                                  ptx=_join([ctx.treatment_text(t) for t in ptx])))
        else:
            out.append(rx.finding(evidence=ev, pth=text, which=_which(before, latest, over, "is above"),
                                  threshold=rx.threshold_text("pth")))
    return out


# --- sites and lesions ---------------------------------------------------------------------------

def _site_rule(rule_id: str, key: str, attr: str) -> Callable[[Context, Derived], list[Finding]]:
    def check(ctx: Context, d: Derived) -> list[Finding]:
        r = rule(rule_id)
        wanted = set(r.threshold(key))
        found = [les for les in ctx.lesions
                 if les.site in ctx.sites and getattr(ctx.sites[les.site], attr) in wanted]
        if not found:
            return []
        ev = [Evidence("Lesion site", ctx.lesion_name(les), "", ctx.time(les.onset),
                       None if ctx.place(les.onset) is None else round(ctx.place(les.onset).day, 4),
                       f"lesions/{les.id}") for les in found][:MAX_EVIDENCE]
        names = list(dict.fromkeys(ctx.lesion_name(les) for les in found))
        return [r.finding(evidence=ev, sites=_join(names))]
    check.__name__ = rule_id
    return check


def ulcerated(ctx: Context, d: Derived) -> list[Finding]:
    r = rule("ulcerated")
    morph = set(r.threshold("morphology"))
    ev, names = [], []
    for les in ctx.lesions:
        for ob in les.observations:
            if ob.ulcerated == "yes" or (ob.ulcerated != "no" and morph.intersection(ob.morphology)):
                p = ctx.place(ob.when)
                what = "ulcerated" if ob.ulcerated == "yes" else ", ".join(m for m in ob.morphology if m in morph)
                ev.append(Evidence(f"Lesion, {ctx.lesion_name(les)}", what, "", describe(p),
                                   None if p is None else round(p.day, 4), f"lesions/{les.id}/observations/{ob.id}"))
                names.append(ctx.lesion_name(les))
                break  # one observation per lesion is enough evidence
    if not ev:
        return []
    return [r.finding(evidence=ev[:MAX_EVIDENCE], lesions=_join(list(dict.fromkeys(names))))]


# --- infection -----------------------------------------------------------------------------------

_SIGN_WORDS = {"cellulitis": "cellulitis", "abscess": "an abscess", "fever": "fever", "sepsis": "sepsis",
               "septic_shock": "septic shock", "bacteraemia": "bacteraemia"}


def infection(ctx: Context, d: Derived) -> list[Finding]:
    """Signs that establish infection (purulence, foul odour, cellulitis, abscess, fever, sepsis, a
    positive wound or blood culture, culture-directed antibiotics) give the warning; a raised white
    count alone is worded as supporting only (one SIRS criterion of four; authors often call it
    inflammation)."""
    r = rule("infection-suspected")
    signs: list[str] = []
    ev: list[Evidence] = []
    for les in ctx.case.lesions:
        for ob in les.observations:
            p = ctx.place(ob.when)
            ref = f"lesions/{les.id}/observations/{ob.id}"
            day = None if p is None else round(p.day, 4)
            if ob.purulence == "yes" or ob.exudate_type == "purulent":
                signs.append(f"purulence on the {ctx.lesion_name(les)} lesion {on(p)}")
                ev.append(Evidence(f"Purulence, {ctx.lesion_name(les)}", "yes", "", describe(p), day, ref))
            if ob.odour == "foul":
                signs.append(f"foul odour of the {ctx.lesion_name(les)} lesion {on(p)}")
                ev.append(Evidence(f"Odour, {ctx.lesion_name(les)}", "foul", "", describe(p), day, ref))
    for ev_ in ctx.case.events:
        found = [x for x in ev_.signs if x in _SIGN_WORDS]
        if found:
            p = ctx.place(ev_.when)
            signs.append(f"{_join([_SIGN_WORDS[x] for x in found])} {on(p)}")
            ev.append(Evidence("Recorded sign", ", ".join(found), "", describe(p),
                               None if p is None else round(p.day, 4), f"events/{ev_.id}"))
    for w in ctx.word_results("culture"):
        if w.lab.qualitative == "positive":
            what = f"{w.lab.specimen} culture" if w.lab.specimen else "culture"
            signs.append(f"a positive {what}{f' ({w.lab.organism})' if w.lab.organism else ''} {on(w.placed)}")
            ev.append(Evidence(f"Culture{', ' + w.lab.specimen if w.lab.specimen else ''}",
                               L.qualitative_text(w.lab), "", describe(w.placed),
                               None if w.placed is None else round(w.placed.day, 4), f"labs/{w.lab.id}"))
    directed = [t for t in ctx.treatments(["antibiotic"]) if t.culture_directed == "yes"]
    for t in directed:
        signs.append(f"culture-directed antibiotics ({ctx.treatment_text(t)})")
        ev.append(ctx.treatment_evidence(t))
    # A recorded temperature is not judged: the domain reference gives no fever threshold, and no
    # rule here rests on a number without a source. Fever counts when the source states it.
    support: list[str] = []
    wbc = ctx.placed_results("wbc")
    if wbc and ctx.flag(wbc[-1].lab) == "H" and (len(wbc) == 1 or wbc[-1].value > wbc[-2].value):
        text = f"a white cell count of {L.format_lab(wbc[-1].lab)} {on(wbc[-1].placed)}, above its reference range"
        if len(wbc) > 1:
            text += f" and up from {L.format_lab(wbc[-2].lab)} {on(wbc[-2].placed)}"
            ev.append(ctx.lab_evidence(wbc[-2]))
        support.append(text)
        ev.append(ctx.lab_evidence(wbc[-1]))
    if not signs and not support:
        return []
    abx_t = ctx.treatments(["antibiotic"])
    abx_m = ctx.meds(["antibiotic"])
    if abx_t or abx_m:
        names = [ctx.treatment_text(t) for t in abx_t] + [ctx.med_text(m) for m in abx_m]
        note = (f"Recorded antibiotics: {_join(names)}; whether they cover MRSA and anaerobes is for the "
                f"reader to check.")
        ev += [ctx.treatment_evidence(t) for t in abx_t if t not in directed] + [ctx.med_evidence(m) for m in abx_m]
    else:
        note = "No antibiotic is recorded."
    if not signs:
        return [r.finding("supporting_only", evidence=ev[:MAX_EVIDENCE], support="; ".join(support),
                          antibiotic_note=note)]
    if len(signs) > 6:
        signs = signs[:6] + [f"{len(signs) - 6} more"]
    extra = f" Supporting: {'; '.join(support)}." if support else ""
    return [r.finding(evidence=ev[:MAX_EVIDENCE], signs="; ".join(signs), antibiotic_note=note + extra)]


# --- sodium thiosulfate --------------------------------------------------------------------------

_G = {"g": 1.0, "gram": 1.0, "grams": 1.0, "mg": 0.001}


def sts(ctx: Context, d: Derived) -> list[Finding]:
    courses = ctx.treatments(["sodium-thiosulfate"])
    if not courses:
        if ctx.has_lesions or ctx.case.diagnosis.basis != "not_made":
            # the usual regimen is given for haemodialysis: not cited for a patient recorded off it
            off = ctx.modality in ("peritoneal", "none") or (ctx.modality is None and ctx.transplant)
            return [rule("sts-not-started").finding("off_haemodialysis" if off else "default")]
        return []
    r = rule("sts-regimen")
    th = r.thresholds
    out = []
    for t in courses:
        ev = [ctx.treatment_evidence(t)]
        differences, missing, notes = [], [], []
        route = t.route.strip().lower()
        # dose
        grams = None
        if t.dose is not None:
            factor = _G.get(t.dose_unit.strip().lower())
            if factor is None:
                differences.append(f"the dose unit {t.dose_unit!r} is not a mass unit")
            else:
                grams = t.dose * factor
        else:
            missing.append("the dose")
        if grams is not None:
            usual = [float(v) for v in th["doses"]["values"]]
            if not any(abs(grams - u) < 1e-6 for u in usual):
                differences.append(f"a dose of {L.format_number(grams)} g, where 12.5 or 25 g is usual")
            w = ctx.weight
            if w is None:
                notes.append("No weight is recorded, so the dose for weight (25 g over 60 kg, 12.5 g under) is not checked.")
            else:
                kg, w_ev = w
                ev.append(w_ev)
                byw = th["dose_by_weight"]
                limit = float(byw["weight"]["value"])
                expected = byw["above"] if kg > limit else byw["below"] if kg < limit else None
                if expected is not None and abs(grams - expected) > 1e-6 and any(abs(grams - u) < 1e-6 for u in usual):
                    differences.append(f"{L.format_number(grams)} g for a weight of {L.format_number(kg, 1)} kg, "
                                       f"where {L.format_number(expected)} g is usual {'over' if kg > limit else 'under'} "
                                       f"{L.format_number(limit)} kg")
        # frequency
        want = float(th["times_per_week"]["value"])
        if t.times_per_week is None:
            missing.append("the number of doses a week")
        elif abs(t.times_per_week - want) > 1e-6:
            differences.append(f"{L.format_number(t.times_per_week)} times a week rather than three")
        # dialysis timing and route
        ip = route in set(th["intraperitoneal_routes"])
        if ctx.modality == "haemodialysis":
            if t.during_dialysis == "no":
                differences.append("not given during haemodialysis")
            elif t.during_dialysis == "unknown":
                missing.append("the timing relative to haemodialysis")
        if route and not ip and route not in set(th["intravenous_routes"]):
            differences.append(f"the route {t.route!r}, where the usual route is intravenous")
        # duration
        start = ctx.place(t.start)
        stop = ctx.place(t.stop)
        min_days = r.days("minimum_duration")
        if start is not None and stop is not None:
            days = stop.day - start.day
            if days < min_days:
                cut = ""
                if ctx.death is not None and ctx.death.day <= stop.day + slack(ctx.death.placed):
                    cut = " (stopped at death)"
                differences.append(f"given for {_num(days, 0)} days{cut}, less than the recommended trial of at least 1 month")
        elif start is not None:
            end = ctx.death.placed if ctx.death is not None else ctx.place(ctx.case.outcome.when)
            if end is not None and end.day - start.day >= min_days:
                notes.append(f"No stop is recorded; {_num(end.day - start.day, 0)} days passed from its start to "
                             f"{'death' if ctx.death else 'the last follow-up'}.")
            else:
                notes.append("No stop is recorded, so the duration is not checked.")
        else:
            notes.append("No start is recorded, so the duration is not checked.")
        regimen = _sts_regimen(ctx, t)
        hd = ctx.modality == "haemodialysis"
        if ip:
            variant = "intraperitoneal"
        elif not hd and (ctx.modality is not None or ctx.transplant):
            # the usual regimen is defined for haemodialysis: say what applies instead, never cite
            # "during haemodialysis" for a patient not on it
            variant = "peritoneal" if ctx.modality == "peritoneal" else "transplant" if ctx.transplant else "no_dialysis"
            duration = [x for x in differences if x.startswith("given for")]
            text_notes = (" " + " ".join(notes)) if notes else ""
            out.append(r.finding(variant, evidence=ev, regimen=regimen,
                                 duration=(" It was " + duration[0] + ".") if duration else "", notes=text_notes))
            continue
        elif differences:
            variant = "differs"
        elif missing:
            variant = "incomplete"
        else:
            variant = "matches"
        if missing and variant != "incomplete":
            notes.insert(0, f"Not recorded: {_join(missing)}.")
        if not hd:
            notes.append("The dialysis modality is not recorded; the usual regimen is the one given for haemodialysis.")
        text_notes = (" " + " ".join(notes)) if notes else ""
        out.append(r.finding(variant, evidence=ev, regimen=regimen, differences="; ".join(differences),
                             missing=_join(missing) + (" is" if len(missing) == 1 else " are"), notes=text_notes))
    return out


def _sts_regimen(ctx: Context, t) -> str:
    bits = []
    if t.dose is not None:
        bits.append(L.format_value(t.dose, t.dose_unit))
    if t.route:
        bits.append(t.route)
    if t.times_per_week is not None:
        bits.append("three times weekly" if t.times_per_week == 3 else f"{L.format_number(t.times_per_week)} times a week")
    elif t.schedule:
        bits.append(t.schedule)
    if t.during_dialysis == "yes":
        bits.append("during dialysis")
    p = ctx.place(t.start)
    if p is not None:
        bits.append(f"from {on(p)[3:]}")
    return ", ".join(bits) if bits else "dose and schedule not recorded"


# --- biopsy and iatrogenic trauma ----------------------------------------------------------------

def grade(b) -> str:
    """A biopsy's grade as the source gives it: the finer ``grade`` when recorded, else ``result``."""
    return b.grade or b.result


def _biopsy_text(ctx: Context, b, *, result: bool = True) -> str:
    bits = [grade(b).replace("_", " ")] if result else []
    if b.site in ctx.sites:
        bits.append(f"of the {ctx.sites[b.site].label}")
    bits.append(on(ctx.place(b.when)))
    return " ".join(bits)


def biopsy(ctx: Context, d: Derived) -> list[Finding]:
    out = []
    caution = rule("biopsy-penile-caution")
    penile = [les for les in ctx.lesions if ctx.site_class(les) == "penile"]
    # a rule about biopsying a lesion does not fire on a surgical or autopsy specimen
    skin = set(caution.threshold("biopsy_specimens"))
    biopsies = [b for b in ctx.case.biopsies if grade(b) in caution.threshold("biopsy_results")
                and (b.specimen is None or b.specimen in skin)]
    ev_of = lambda b: Evidence("Skin biopsy", grade(b).replace("_", " "), "", ctx.time(b.when),  # noqa: E731
                               None if ctx.place(b.when) is None else round(ctx.place(b.when).day, 4), f"biopsies/{b.id}")
    if penile and biopsies:
        state = "planned" if all(grade(b) == "planned" for b in biopsies) else "recorded"
        ev = [ev_of(b) for b in biopsies] + [Evidence("Lesion site", ctx.lesion_name(les), "", ctx.time(les.onset),
                                                      ref=f"lesions/{les.id}") for les in penile]
        out.append(caution.finding(evidence=ev[:MAX_EVIDENCE], state=state,
                                   biopsies="; ".join(_biopsy_text(ctx, b) for b in biopsies)))
    inc = rule("biopsy-inconclusive")
    done = [b for b in ctx.case.biopsies if grade(b) in inc.threshold("biopsy_results")]
    if done:
        results = list(dict.fromkeys(grade(b) for b in done))
        out.append(inc.finding("one" if len(done) == 1 else "several", evidence=[ev_of(b) for b in done][:MAX_EVIDENCE],
                               result=" or ".join(results),
                               biopsies=_join([_biopsy_text(ctx, b, result=False) for b in done])))
    return out


def iatrogenic(ctx: Context, d: Derived) -> list[Finding]:
    r = rule("iatrogenic-trauma")
    words = [w.lower() for w in r.threshold("cause_keywords")]
    found = []
    for les in ctx.case.lesions:
        # only what the record says caused the lesion: never anatomical words in a site or
        # description ("fingertip", "finger pad")
        cause = les.cause.lower()
        if les.iatrogenic == "yes" or (les.iatrogenic != "no" and any(w in cause for w in words)):
            found.append(les)
    if not found:
        return []
    ev = [Evidence("Lesion", ctx.lesion_name(les), "", ctx.time(les.onset),
                   None if ctx.place(les.onset) is None else round(ctx.place(les.onset).day, 4), f"lesions/{les.id}")
          for les in found][:MAX_EVIDENCE]
    names = [f"{ctx.lesion_name(les)}" + (f" ({les.cause})" if les.cause else "") for les in found]
    changes = ctx.treatments(["glucose-monitoring-change"])
    if changes:
        note = f"A change of glucose monitoring is recorded: {_join([lower_first(ctx.treatment_text(t)) for t in changes])}."
        ev += [ctx.treatment_evidence(t) for t in changes][:3]
    else:
        note = "No change of glucose monitoring is recorded."
    return [r.finding(evidence=ev, lesions=_join(list(dict.fromkeys(names))), monitoring_note=note)]


# --- diagnosis and reporting ---------------------------------------------------------------------

def differentials(ctx: Context, d: Derived) -> list[Finding]:
    dx = ctx.case.diagnosis
    if any(x.status == "excluded" for x in dx.differentials):
        return []
    if not (ctx.has_lesions or dx.basis != "not_made"):
        return []
    listed = [x.name for x in dx.differentials if x.name]
    considered = ""
    if listed:
        considered = (f" ({_plural(len(listed), 'differential is', 'differentials are')} listed, "
                      f"but not as excluded: {_join(listed)})")
    ev = [Evidence("Differential", x.name, "", ref=f"diagnosis.differentials[{i}]")
          for i, x in enumerate(dx.differentials)][:MAX_EVIDENCE]
    return [rule("differentials-not-documented").finding(evidence=ev, considered=considered)]


def consent(ctx: Context, d: Derived) -> list[Finding]:
    if ctx.case.consent.recorded:
        return []
    return [rule("consent-missing").finding(evidence=[Evidence("Consent", "not recorded", ref="consent")])]


def obesity_not_recorded(ctx: Context, d: Derived) -> list[Finding]:
    """A BMI at or above the WHO obesity cut-off with obesity not recorded: suggest recording it."""
    r = rule("obesity-not-recorded")
    if d.bmi is None or d.bmi < r.value("bmi") or ctx.comorbidities(["obesity"]):
        return []
    pt = ctx.case.patient
    ev = [Evidence("Weight", f"{_num(pt.weight_kg, 1)} kg", ref="patient.weight_kg"),
          Evidence("Height", f"{_num(pt.height_cm, 0)} cm", ref="patient.height_cm"),
          Evidence("Body mass index (derived)", f"{_num(d.bmi, 1)} kg/m²", ref="patient.comorbidities")]
    return [r.finding(evidence=ev, bmi=f"{_num(d.bmi, 1)} kg/m²", weight=f"{_num(pt.weight_kg, 1)} kg",
                      height=f"{_num(pt.height_cm, 0)} cm", threshold=r.threshold_text("bmi"))]


# --- the rule list, in the order findings of equal severity are shown ----------------------------

CHECKS: list[Callable[[Context, Derived], list[Finding]]] = [
    ca_p,
    lab_range_rule("hypoalbuminaemia", ["albumin"], "L"),
    female_sex,
    _med_rule("warfarin"),
    _med_rule("calcium-binder"),
    _med_rule("active-vitamin-d"),
    _comorbidity_rule("diabetes"),
    _med_rule("insulin-injections"),
    _comorbidity_rule("obesity"),
    obesity_not_recorded,
    _med_rule("corticosteroids"),
    long_vintage,
    peritoneal,
    transplant,
    _comorbidity_rule("malignancy"),
    _comorbidity_rule("autoimmune"),
    _comorbidity_rule("thrombophilia"),
    lab_range_rule("hyperphosphataemia", ["phosphate"], "H"),
    lab_range_rule("hypercalcaemia", ["calcium", "calcium_ionised"], "H"),
    pth,
    _site_rule("site-penile", "site_classes", "cls"),
    _site_rule("site-proximal", "site_classes", "cls"),
    _site_rule("site-distal", "site_classes", "cls"),
    _site_rule("site-upper-extremity", "site_regions", "region"),
    ulcerated,
    infection,
    sts,
    biopsy,
    iatrogenic,
    differentials,
    citing.citation_checks,
    consent,
    quality.lab_quality,
    quality.reported_values,
    quality.lesion_quality,
    quality.event_order,
]
