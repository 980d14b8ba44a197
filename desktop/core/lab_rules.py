"""The rules on laboratory values: the calcium × phosphate product, results outside their
reference range, and PTH. Thresholds, wording and citations come from resources/rules/rules.json."""
from __future__ import annotations

from collections.abc import Callable

from ..timing import describe
from . import labs as L
from .context import Context, LabEntry, on, on_or_not, placed_or_not, slack
from .derived import Derived, Product
from .rulebook import rule
from .types import Evidence, Finding
from .wording import MAX_EVIDENCE, join as _join, number as _num, plural as _plural


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
    out += _ca_p_reported(ctx, d)
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


def _ptx_recorded(ctx: Context, ptx: list) -> str:
    """"A parathyroidectomy is recorded (subtotal parathyroidectomy, started on day 12)." — without
    the brackets when they would only say "parathyroidectomy" again."""
    told = [x for x in (ctx.treatment_text(t) for t in ptx) if x.strip().lower() != "parathyroidectomy"]
    return f"A parathyroidectomy is recorded ({_join(told)})." if told else "A parathyroidectomy is recorded."


def _binder_note(ctx: Context) -> str:
    """What the record says about binders and a parathyroidectomy: the treatments that change what
    the Ca×P goal rule says."""
    non_ca = [*ctx.meds(["non-calcium-binder"]), *ctx.treatments(["non-calcium-binder"])]
    names = _join([getattr(x, "name", "") or getattr(x, "agent", "") or "non-calcium binder" for x in non_ca])
    note = (f"A non-calcium binder is recorded ({names})." if non_ca
            else ctx.none_taken(["non-calcium-binder"], "non-calcium binder"))
    if ctx.meds(["calcium-binder"]):
        note += " A calcium-based binder is recorded."
    ptx = ctx.treatments(["parathyroidectomy"])
    if ptx:
        note += " " + _ptx_recorded(ctx, ptx)
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
    for variant, what, moment in (("onset", "the first lesion onset", ctx.onset),
                                  ("presentation", "presentation", ctx.presentation)):
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
        # titled by its moment: the onset's and the presentation's are two findings, not one twice
        out.append(r.finding(variant, evidence=ev, moment=f"{what} ({describe(moment.placed)})",
                             reasons=_join(reasons)))
    return out


def _ca_p_reported(ctx: Context, d: Derived) -> list[Finding]:
    """A product the authors report (a value, or words: "a high calcium phosphate product", Maroulis
    et al. 2006) when none can be computed from the recorded calcium and phosphate: said, with
    whether it decides the risk threshold. Casebook never computes from a reported product
    (resources/catalogues/analytes.json), and says nothing of one beside a computed product."""
    if d.products:
        return []
    numbers, words = ctx.results("ca_p_product"), ctx.word_results("ca_p_product")
    if not numbers and not words:
        return []
    r = rule("ca-p-reported")
    limit = r.value("ca_p_product")
    if numbers:
        e = max(numbers, key=lambda x: x.sort_key)  # the latest
        cmp = e.lab.comparator
        above = e.value > limit if cmp in ("=", ">", ">=") else False
        below = e.value <= limit if cmp in ("=", "<", "<=") else False
        variant = "above" if above else "not_above" if below else "undecided"
        ev = [ctx.lab_evidence(x) for x in numbers][:MAX_EVIDENCE]
        product, placed, when = L.format_lab(e.lab), e.placed, e.lab.when
    else:
        w = max(words, key=lambda x: (float("inf") if x.placed is None else x.placed.day, x.index))
        variant, product, placed, when = "words", L.qualitative_text(w.lab) or "reported", w.placed, w.lab.when
        ev = [Evidence(x.analyte.label, L.qualitative_text(x.lab), "", placed_or_not(x.placed, x.lab.when),
                       None if x.placed is None else round(x.placed.day, 4), f"labs/{x.lab.id}") for x in words][:MAX_EVIDENCE]
    return [r.finding(variant, evidence=ev, product=product, when=on_or_not(placed, when),
                      threshold=r.threshold_text("ca_p_product"))]


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
    text = (f"{w.analyte.label} reported as {L.qualitative_text(w.lab) or ('high' if direction == 'H' else 'low')} "
            f"{on_or_not(w.placed, w.lab.when)}")
    ev = [Evidence(x.analyte.label, L.qualitative_text(x.lab) or x.lab.author_flag or "", "", placed_or_not(x.placed, x.lab.when),
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


# Which PTH is the latest, treatment-aware. A result the record ties to a parathyroidectomy (given
# "at" or "N after" the surgery's event, directly or through other events, or placed after a placed
# surgery) describes the glands left after it; a result the record does not place after the surgery
# cannot be claimed to be later than it, so it is not "the latest" once such a result exists (the
# 1995 case's PTH of 1076 ng/l before surgery, "undetectable" after the fourth gland was removed).
_PTH_WORDS = ("undetectable", "low", "normal", "elevated")  # results in words the PTH rules can read


def _anchors(ctx: Context, when) -> set[str]:
    """The events ``when`` is known to be at or after: those it is given from, step by step, while
    every step is "at" or "N after" (never "before")."""
    out: set[str] = set()
    while when is not None and when.event_id and when.event_id not in out:
        if when.offset is not None and when.offset < 0:
            break
        out.add(when.event_id)
        ev = ctx.case.event(when.event_id)
        when = ev.when if ev is not None else None
    return out


def _after_surgery(ctx: Context, e, surgeries) -> list:
    """The recorded parathyroidectomies result ``e`` is known to follow."""
    out = []
    for t in surgeries:
        start = t.start
        at_event = start.event_id if start.event_id and not start.offset else None
        p = ctx.place(start)
        if (at_event is not None and at_event in _anchors(ctx, e.lab.when)) or (
                p is not None and e.placed is not None and p.day + slack(p) + slack(e.placed) < e.placed.day):
            out.append(t)
    return out


def pth_current(ctx: Context):
    """(the PTH nearest before the first lesion onset, the latest PTH, the parathyroidectomies the
    latest is known to follow, the result it supersedes for that reason, if any). Once the latest
    follows a surgery, a value nearest before onset that does not is left out. Results in words
    ("undetectable") count; see the notes above for what "latest" means around a parathyroidectomy."""
    words = [w for w in ctx.word_results("pth_intact") if w.lab.qualitative in _PTH_WORDS]
    entries = sorted([*ctx.results("pth_intact"), *words],
                     key=lambda e: (float("inf") if e.placed is None else e.placed.day, e.index))
    if not entries:
        return None, None, [], []
    placed = [e for e in entries if e.placed is not None]
    latest = placed[-1] if placed else entries[-1]
    before = None
    if ctx.onset is not None:
        limit = ctx.onset.day + slack(ctx.onset.placed)
        earlier = [e for e in placed if e.placed.day <= limit]
        before = earlier[-1] if earlier else None
    surgeries = ctx.treatments(["parathyroidectomy"])
    after = {id(e): _after_surgery(ctx, e, surgeries) for e in entries} if surgeries else {}
    post = [e for e in entries if after.get(id(e))]
    if not post:
        return before, latest, [], []
    superseded = []
    if latest not in post:  # the plain latest is not known to follow the surgery: not the latest
        superseded = [latest]
        placed_post = [e for e in post if e.placed is not None]
        latest = placed_post[-1] if placed_post else post[-1]
    follows = after[id(latest)]
    if before is not None and not any(t in after.get(id(before), []) for t in follows):
        before = None  # a value from before the surgery is not set against the one after it
    return before, latest, follows, superseded


def _known_above(e, limit: float) -> bool | None:
    """Whether a PTH result is above ``limit``: a number honours its comparator; in words,
    "undetectable" and "low" are not, "normal" is not when the normal range ends at or below the
    limit, and "elevated" is not known to be."""
    if isinstance(e, LabEntry):
        return L.known_above(e.value, e.lab.comparator, limit)
    word = e.lab.qualitative
    if word in ("undetectable", "low"):
        return False
    if word == "normal":
        a, lab, rr = e.analyte, e.lab, e.analyte.reference_range or {}
        if lab.ref_high is not None:
            high = a.to_canonical(lab.ref_high, lab.unit) if a.accepts(lab.unit) else None
        else:
            high = rr.get("high") if rr.get("unit") == a.canonical_unit else None
        return False if high is not None and float(high) <= limit else None
    return None


def _pth_text(ctx: Context, before, latest, follows=(), superseded=()) -> str:
    fmt = lambda e: f"{L.format_lab(e.lab, other_system=True)} {on_or_not(e.placed, e.lab.when)}"  # noqa: E731
    if follows:
        names = _join([ctx.treatment_text(t) for t in follows])
        text = f"Intact PTH {fmt(latest)}, after the parathyroidectomy ({names}), is the latest value"
        if superseded:
            text += (f"; {_join([fmt(e) for e in superseded])} {'is' if len(superseded) == 1 else 'are'} not "
                     f"known to be after it, so not taken as the latest")
        return text
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
    before, latest, follows, superseded = pth_current(ctx)
    if latest is None:
        return []
    chosen = [latest] if before is None or before is latest else [before, latest]
    ev = [ctx.lab_evidence(e, "Intact PTH" + (", nearest before onset" if e is before and e is not latest
                                                else ", latest" if e is latest else "")) for e in chosen]
    if ctx.onset is not None:
        ev.append(ctx.onset_evidence())
    text = _pth_text(ctx, before, latest, follows, superseded)
    out = []
    cin = rule("pth-cinacalcet")
    limit = cin.value("pth")
    # comparators honoured: '> 1000' is above 300; '< 400' is not known to be
    over = [e for e in chosen if _known_above(e, limit)]
    open_ = [e for e in chosen if _known_above(e, limit) is None]
    ptx = ctx.treatments(["parathyroidectomy"])
    ptx_note = ""
    if ptx:
        ptx_note = " " + _ptx_recorded(ctx, ptx)
    mimetics = [*ctx.meds(["calcimimetic"]), *ctx.treatments(["calcimimetic"])]
    names = _join([getattr(m, "name", "") or getattr(m, "agent", "") or "calcimimetic" for m in mimetics])
    given = f" A calcimimetic is recorded ({names})." if mimetics else ""  # the finding says it was given
    if open_ and not over:
        in_words = all(not isinstance(e, LabEntry) for e in open_)  # "elevated": no bound to speak of
        out.append(cin.finding("unknown_in_words" if in_words else "unknown", evidence=ev, pth=text,
                               threshold=cin.threshold_text("pth"), ptx_note=given + ptx_note))
    elif over:
        note = given.strip() or ctx.none_taken(["calcimimetic"], "calcimimetic")
        out.append(cin.finding("consider", evidence=ev, pth=text, which=_which(before, latest, over, "is above"),
                               threshold=cin.threshold_text("pth"), calcimimetic_note=note + ptx_note))
    else:
        out.append(cin.finding("not_indicated", evidence=ev, pth=text,
                               which=_which(before, latest, chosen, "is at or below"),
                               threshold=cin.threshold_text("pth"), ptx_note=given + ptx_note))
    rx = rule("pth-parathyroidectomy-consider")
    over = [e for e in chosen if _known_above(e, rx.value("pth"))]
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
