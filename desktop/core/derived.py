"""Derived values, each with the inputs and the time it rests on.

Computations run in canonical units (analytes.json); each value is shown in the system of the
reported input, with the other system alongside. Nothing here is measured: labels say "derived".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import catalogue
from ..model import Lesion, Observation, When
from ..timing import DAYS_PER, Placed, describe
from . import labs as L
from .context import Context, LabEntry
from .rulebook import citation, instruments
from .types import DerivedValue, Evidence

DAYS_PER_YEAR = 365.25


# Display decimals per derived kind and unit. Values of the kinds in ROUNDED are stored rounded to
# these (half-up, labs.rounded), once: the derived table, the findings, the tier and the PDF then
# show one number for one value (a product of 13.65 is 13.7 everywhere, and its band is judged on 13.7).
DISPLAY_DECIMALS = {"ca_p_product": {"mg²/dL²": 1, "mmol²/L²": 2}, "corrected_calcium": {"mg/dL": 2, "mmol/L": 3},
                    "bmi": 1, "dialysis_vintage": 0, "onset_to_diagnosis": 0, "survival": 0, "lesion_area": 2,
                    "lesion_area_ellipse": 2, "lesion_area_change": 2, "push_total": 0, "push_change": 0,
                    "bwat_cua_items": 0}
ALT_DECIMALS = {"years": 1, "months": 1, "% of previous": 0, "mmol²/L²": 2, "mg²/dL²": 1, "mmol/L": 3, "mg/dL": 2}
PRODUCT_DECIMALS = DISPLAY_DECIMALS["ca_p_product"]


def decimals_of(kind: str, unit: str) -> int:
    dec = DISPLAY_DECIMALS.get(kind, 2)
    return dec.get(unit, 2) if isinstance(dec, dict) else dec


@dataclass
class Product:
    """One calcium × phosphate product (canonical mg²/dL², rounded as shown) at one timepoint;
    ``placed`` is None when the timepoint is an event with no place on the day axis."""
    value: float
    calcium: LabEntry
    phosphate: LabEntry
    placed: Placed | None
    derived: DerivedValue
    bound: str = "="  # "<" / ">" when an input is a bound, so the product is one too; "?" when mixed

    @property
    def day(self) -> float | None:
        return None if self.placed is None else self.placed.day

    @property
    def sort_day(self) -> float:
        return float("inf") if self.placed is None else self.placed.day

    def band(self, goal: float, high: float) -> str | None:
        """'at goal' (< goal), 'above goal' (goal to high) or 'over high' (> high), honouring a
        bound; None when a bound leaves the band open."""
        v = self.value
        if self.bound == "=":
            return "at goal" if v < goal else "over high" if v > high else "above goal"
        if self.bound == "<":
            return "at goal" if v <= goal else None
        if self.bound == ">":
            return "over high" if v >= high else None
        return None


@dataclass
class Derived:
    values: list[DerivedValue] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)  # sorted by day
    vintage_days: float | None = None
    vintage: DerivedValue | None = None
    bmi: float | None = None


def _key(day: float) -> float:
    return round(day, 3)


def _r(v: float, n: int = 4) -> float:
    return round(v, n)


def _pair_key(e: LabEntry):
    """Results pair when they share a place on the day axis or, when unplaced, the same event or
    stated time: results tied to one event pair even when that event has no place, and so do results
    given only the same words of the source (one timepoint of the Labs grid: Al Beladi 2010 lists
    "phosphate 4.24 mmol/L, calcium 1.66 mmol/L ... calcium-phosphate 7.0" with no time); results of
    different timepoints, or with no time at all, never do."""
    if e.placed is not None:
        return ("day", _key(e.placed.day))
    w = e.lab.when
    if not w.is_set:
        words = " ".join(w.label.split()).casefold()
        return ("words", words) if words else None
    return ("when", w.date, w.offset, w.precision, w.event_id, w.age_years)


def _pairs(ctx: Context, first: str, second: str) -> list[tuple[LabEntry, LabEntry]]:
    """Results of ``first`` paired with a result of ``second`` at the same time: one pair per
    ``first`` result, preferring a partner with the same dialysis context (pre/post)."""
    partners: dict[tuple, list[LabEntry]] = {}
    for e in ctx.results(second):
        k = _pair_key(e)
        if k is not None:
            partners.setdefault(k, []).append(e)
    out = []
    for e in ctx.results(first):
        k = _pair_key(e)
        cands = partners.get(k) if k is not None else None
        if not cands:
            continue
        same = [c for c in cands if c.lab.dialysis_context == e.lab.dialysis_context]
        out.append((e, (same or cands)[0]))
    return out


def _both_approx(a: Placed | None, b: Placed | None) -> Placed | None:
    if a is None or b is None:
        return None
    if b.approximate and not a.approximate:
        return b
    return a


def ca_p_products(ctx: Context) -> list[Product]:
    ca_a = catalogue.analytes()["calcium"]
    p_a = catalogue.analytes()["phosphate"]
    out = []
    for ca, ph in _pairs(ctx, "calcium", "phosphate"):
        value = ca.value * ph.value  # mg/dL × mg/dL
        si = ca_a.from_canonical(ca.value, "mmol/L") * p_a.from_canonical(ph.value, "mmol/L")
        conventional = ca_a.unit_of(ca.lab.unit) != ca_a.si_unit
        placed = _both_approx(ca.placed, ph.placed)
        if placed is None and ca.placed is not None:
            placed = ca.placed
        caveat = ""
        bound = _product_bound(ca.lab.comparator, ph.lab.comparator)
        if bound != "=":
            caveat = "An input is reported as a bound (< or >), so the product is a bound too."
        unit, alt_unit = ("mg²/dL²", "mmol²/L²") if conventional else ("mmol²/L²", "mg²/dL²")
        shown, alt = (value, si) if conventional else (si, value)
        dv = DerivedValue(
            kind="ca_p_product", label="Calcium × phosphate product",
            value=L.rounded(shown, PRODUCT_DECIMALS[unit]), unit=unit,
            alt_value=L.rounded(alt, PRODUCT_DECIMALS[alt_unit]), alt_unit=alt_unit,
            time=describe(placed) if placed is not None else _unplaced_time(ctx, ca),
            day=None if placed is None else _r(placed.day),
            inputs=[ctx.lab_evidence(ca), ctx.lab_evidence(ph)], caveat=caveat,
            citations=[citation("domain-units")], ref=f"labs/{ca.lab.id}",
        )
        # the bands judge the product as shown in mg²/dL² (one rounding everywhere)
        out.append(Product(L.rounded(value, 1), ca, ph, placed, dv, bound))
    out.sort(key=lambda p: (p.sort_day, p.calcium.index))
    return out


def _product_bound(c1: str, c2: str) -> str:
    sides = {"<": "<", "<=": "<", ">": ">", ">=": ">"}
    got = {sides[c] for c in (c1, c2) if c != "="}
    if not got:
        return "="
    return got.pop() if len(got) == 1 else "?"


def _unplaced_time(ctx: Context, e: LabEntry) -> str:
    """The wording of a timepoint with no place on the day axis: its event, or the source's words."""
    w = e.lab.when
    ev = ctx.case.event(w.event_id)
    if ev is not None:
        words = (ev.when.label or w.label or ev.description or ev.kind.replace("_", " ")).strip().rstrip(".")
        return f"at the time of “{words}” (not placed on the day axis)"
    return f"at the time of “{w.label}” (not placed on the day axis)" if w.label else "time not placed on the day axis"


def corrected_calcium(ctx: Context) -> list[DerivedValue]:
    ca_a = catalogue.analytes()["calcium"]
    out = []
    for ca, alb in _pairs(ctx, "calcium", "albumin"):
        if ca.lab.comparator != "=" or alb.lab.comparator != "=":
            continue  # a bound in, no number out
        corrected = ca.value + 0.8 * (4.0 - alb.value)  # Payne, mg/dL with albumin in g/dL
        unit = ca_a.unit_of(ca.lab.unit) or ca_a.canonical_unit
        if unit not in (ca_a.conventional_unit, ca_a.si_unit):
            unit = ca_a.canonical_unit
        other = ca_a.si_unit if unit == ca_a.conventional_unit else ca_a.conventional_unit
        placed = _both_approx(ca.placed, alb.placed)
        out.append(DerivedValue(
            kind="corrected_calcium", label="Albumin-corrected calcium (Payne), derived",
            value=L.rounded(ca_a.from_canonical(corrected, unit), decimals_of("corrected_calcium", unit)), unit=unit,
            alt_value=L.rounded(ca_a.from_canonical(corrected, other), ALT_DECIMALS[other]),
            alt_unit=other, time=describe(placed) if placed is not None else _unplaced_time(ctx, ca),
            day=None if placed is None else _r(placed.day),
            inputs=[ctx.lab_evidence(ca, "Calcium, total (measured)"), ctx.lab_evidence(alb)],
            caveat=("Derived, not measured. In dialysis patients albumin-corrected calcium agrees with "
                    "ionised calcium worse than the measured value does; the measured calcium is the one "
                    "the assessment uses."),
            citations=[citation("payne-formula"), citation("clase-2000")], ref=f"labs/{ca.lab.id}",
        ))
    return out


def bmi(ctx: Context) -> DerivedValue | None:
    pt = ctx.case.patient
    w = ctx.weight
    if w is None or pt.height_cm is None or pt.height_cm <= 0:
        return None
    kg, w_ev = w
    value = kg / (pt.height_cm / 100) ** 2
    return DerivedValue(
        kind="bmi", label="Body mass index", value=L.rounded(value, DISPLAY_DECIMALS["bmi"]), unit="kg/m²",
        inputs=[w_ev, Evidence("Height", L.format_number(pt.height_cm), "cm", ref="patient.height_cm")],
        time=w_ev.time, day=w_ev.day, ref="patient",
    )


def _interval(kind: str, label: str, days: float, start_ev: Evidence, end_ev: Evidence, end: Placed,
              caveat: str = "", years: bool = False) -> DerivedValue:
    # one rounding: whole days, and years or months to 1 decimal, as every finding states them
    alt, alt_unit = (days / DAYS_PER_YEAR, "years") if years else (days / DAYS_PER["month"], "months")
    return DerivedValue(kind=kind, label=label, value=L.rounded(days, 0), unit="days",
                        alt_value=L.rounded(alt, ALT_DECIMALS[alt_unit]),
                        alt_unit=alt_unit, time=describe(end), day=_r(end.day), inputs=[start_ev, end_ev],
                        caveat=caveat)


def _approx_caveat(*placed: Placed) -> str:
    if any(p.approximate or p.precision != "day" for p in placed):
        return "Rests on approximate times, so the interval is approximate."
    return ""


def dialysis_vintage(ctx: Context) -> DerivedValue | None:
    """Dialysis vintage at the first lesion onset; when the onset has no place, at presentation
    (or day 0), labelled so. Dialysis that the record shows interrupted (a period stopped, or a
    period without dialysis, before that moment: a kidney transplant that worked for a while) is
    counted as the time on dialysis, summed over the dialysis periods, when the dialysis history
    covers the whole time; else there is no vintage (:func:`vintage_gap` says why)."""
    start, ref, _ = ctx.dialysis_start
    if start is None:
        return None
    end = _vintage_end(ctx)
    if end is None:
        return None
    placed, label, end_ev = end
    start_ev = Evidence("Dialysis start", ctx.modality or "dialysis", "", describe(start), _r(start.day), ref)
    if not _breaks(ctx, start.day, placed.day):
        return _interval("dialysis_vintage", label, placed.day - start.day, start_ev, end_ev, placed,
                         _approx_caveat(start, placed), years=True)
    summed = _on_dialysis(ctx, start, placed.day)
    if summed is None:
        return None
    days, periods, off = summed
    caveat = (f"Summed over the {len(periods)} dialysis periods of the dialysis history: the "
              f"{L.format_number(L.rounded(off / DAYS_PER_YEAR, 1), 1)} years without dialysis between "
              "them are left out.")
    stated = [p for p, _ev in periods]
    approx = _approx_caveat(*stated, placed)
    v = _interval("dialysis_vintage", label, days, start_ev, end_ev, placed,
                  f"{caveat} {approx}".strip(), years=True)
    v.inputs = [ev for _p, ev in periods] + [end_ev]
    return v


def _vintage_end(ctx: Context) -> tuple[Placed, str, Evidence] | None:
    """Where the vintage is measured to: the first lesion onset, else the presentation, else day 0."""
    onset = ctx.onset
    if onset is not None:
        return onset.placed, "Dialysis vintage at first lesion onset", ctx.onset_evidence()
    if ctx.presentation is not None:
        end, what, end_ref = ctx.presentation.placed, "presentation", ctx.presentation.ref
    elif ctx.case.index_event is not None:
        end, what, end_ref = ctx.place(When(event_id=ctx.case.index_event_id)), "day 0", "index_event_id"
    else:
        return None
    if end is None:
        return None
    end_ev = Evidence(what[0].upper() + what[1:], describe(end), "", describe(end), _r(end.day), end_ref)
    return end, f"Dialysis vintage at {what} (the lesion onset has no place)", end_ev


def _breaks(ctx: Context, first: float, end: float) -> list[tuple[str, Placed, str]]:
    """The interruptions of dialysis the dialysis history records between its first start and
    ``end``: (what, when, reference) — a dialysis period stopped, or a period without dialysis
    begun, in between."""
    history = ctx.case.patient.dialysis_history
    starts = [p.day for d in history if d.modality != "none" and (p := ctx.place(d.start)) is not None]
    out = []
    for i, d in enumerate(history):
        if d.modality == "none":
            p, what, at = ctx.place(d.start), "no dialysis from", "start"
        else:
            p, what, at = ctx.place(d.stop), f"{d.modality} stopped", "stop"
            # a change of modality (peritoneal dialysis, then haemodialysis) is no interruption
            if p is not None and any(abs(day - p.day) <= 31 for day in starts):
                continue
        if p is not None and first < p.day < end:
            out.append((what, p, f"patient.dialysis_history[{i}].{at}"))
    return out


def _on_dialysis(ctx: Context, first: Placed, end: float):
    """(days on dialysis up to ``end``, the periods as (start, evidence), days off dialysis between
    them), summed over the dialysis periods; None when the history does not cover the whole time:
    a period without a placed start, a stop not given but for the last period, dialysis started
    before the first period, or no period running at ``end`` while the patient is on dialysis."""
    periods = []
    for i, d in enumerate(ctx.case.patient.dialysis_history):
        if d.modality == "none":
            continue
        a = ctx.place(d.start)
        if a is None:
            return None
        if a.day >= end:
            continue
        b = ctx.place(d.stop) if d.stop.is_set else None
        if d.stop.is_set and b is None:
            return None
        periods.append((a, b, i, d))
    if not periods:
        return None
    periods.sort(key=lambda x: x[0].day)
    if periods[0][0].day > first.day + 31:  # dialysis began before the history's first period
        return None
    if any(b is None for _a, b, _i, _d in periods[:-1]):
        return None
    last_stop = periods[-1][1]
    if last_stop is not None and last_stop.day < end and ctx.on_dialysis:
        return None  # on dialysis again at the end, in a period the history does not give
    days, reached, evidence = 0.0, first.day, []
    for a, b, i, d in periods:
        lo, hi = max(a.day, reached), min(b.day if b is not None else end, end)
        if hi > lo:
            days += hi - lo
            reached = hi
        span = f"{describe(a)} to {describe(b) if b is not None else 'the end'}"
        evidence.append((a, Evidence(f"Dialysis period {i + 1}", d.modality, "", span, _r(a.day),
                                     f"patient.dialysis_history[{i}]")))
    return days, evidence, (end - first.day) - days


def vintage_gap(ctx: Context) -> str:
    """Why there is no dialysis vintage though dialysis has a placed start: the record shows it
    interrupted and the dialysis history does not give the time on dialysis ("" otherwise)."""
    start, _ref, _ = ctx.dialysis_start
    end = _vintage_end(ctx)
    if start is None or end is None:
        return ""
    breaks = _breaks(ctx, start.day, end[0].day)
    if not breaks or _on_dialysis(ctx, start, end[0].day) is not None:
        return ""
    what, p, _ref = breaks[0]
    years = L.format_number(L.rounded((end[0].day - start.day) / DAYS_PER_YEAR, 1), 1)
    moment = end[1].split(" at ", 1)[1].split(" (", 1)[0]
    moment = moment if moment == "day 0" else f"the {moment}"
    return (f"dialysis first started {years} years before {moment}, but the dialysis history records it "
            f"interrupted, {what} on {describe(p)}, and does not give every period up to then")


def time_to_diagnosis(ctx: Context) -> DerivedValue | None:
    dx = ctx.place(ctx.case.diagnosis.when)
    onset = ctx.onset
    if dx is None or onset is None:
        return None
    return _interval("onset_to_diagnosis", "Time from first lesion onset to diagnosis", dx.day - onset.day,
                     ctx.onset_evidence(),
                     Evidence("Diagnosis", ctx.case.diagnosis.basis, "", describe(dx), _r(dx.day), "diagnosis.when"),
                     dx, _approx_caveat(dx, onset.placed))


def survival(ctx: Context) -> DerivedValue | None:
    dx = ctx.place(ctx.case.diagnosis.when)
    out = ctx.case.outcome
    end = ctx.death.placed if ctx.death is not None else None
    if end is None:
        end = ctx.place(out.when)
    if dx is None or end is None:
        return None
    dead = ctx.death is not None
    label = "Survival from diagnosis to death" if dead else "Follow-up from diagnosis to last follow-up (alive or status unknown)"
    caveat = _approx_caveat(dx, end)
    if not dead:
        caveat = (caveat + " " if caveat else "") + "Censored at the last follow-up: survival is at least this long."
    return _interval("survival", label, end.day - dx.day,
                     Evidence("Diagnosis", ctx.case.diagnosis.basis, "", describe(dx), _r(dx.day), "diagnosis.when"),
                     Evidence("Death" if dead else "Last follow-up", out.status, "", describe(end), _r(end.day),
                              ctx.death.ref if dead else "outcome.when"),
                     end, caveat)


# --- wounds ----------------------------------------------------------------------------------

def push_area_score(area_cm2: float) -> int:
    for band in instruments()["push"]["area_bands_cm2"]:
        if "max_exclusive" in band:
            if area_cm2 < band["max_exclusive"]:
                return band["score"]
        elif band["max"] is None or area_cm2 <= band["max"]:
            return band["score"]
    raise AssertionError("the last PUSH band is open")  # pragma: no cover


def push_scores(ob: Observation) -> tuple[int | None, int | None, int | None]:
    """PUSH 3.0 sub-scores (length × width, exudate amount, tissue type); None where not recorded."""
    push = instruments()["push"]
    area = None
    if ob.tissue_type == "closed":
        area = 0  # a closed wound has no area, whatever was last measured
    elif ob.length_mm is not None and ob.width_mm is not None:
        area = push_area_score(ob.length_mm * ob.width_mm / 100.0)
    exudate = None if ob.exudate_amount is None else push["exudate_amount"][ob.exudate_amount]
    tissue = None if ob.tissue_type is None else push["tissue_type"][ob.tissue_type]
    return area, exudate, tissue


def _obs_order(ctx: Context, lesion: Lesion) -> list[tuple[Observation, Placed | None]]:
    obs = [(ob, ctx.place(ob.when)) for ob in lesion.observations]
    if all(p is not None for _, p in obs):
        obs.sort(key=lambda t: t[1].day)  # stable: same-day observations keep their order
    return obs


def lesion_values(ctx: Context, lesion: Lesion) -> list[DerivedValue]:
    out: list[DerivedValue] = []
    add = out.append
    name = ctx.lesion_name(lesion)
    # per-lesion constants: this runs for every observation of every lesion (hundreds per case)
    area_label = f"Area (length × width), {name}"
    ellipse_label = f"Area (ellipse estimate, π/4 × length × width), {name}"
    push_label = f"PUSH 3.0 total, {name}"
    bwat_label = f"BWAT-CUA verified items, {name}"
    push_cite = citation("push-3")
    bwat = instruments()["bwat_cua"]
    bwat_items = [(it["field"], f"BWAT-CUA {it['label']}") for it in bwat["items"]]
    bwat_cite = citation(bwat["citation"])
    quarter_pi = math.pi / 4
    prev_area: tuple[float, Placed | None, str] | None = None
    prev_push: tuple[int, Placed | None, str] | None = None
    for ob, placed in _obs_order(ctx, lesion):
        ref = f"lesions/{lesion.id}/observations/{ob.id}"
        time = describe(placed)
        day = None if placed is None else round(placed.day, 4)
        area = None
        if ob.length_mm is not None and ob.width_mm is not None:
            length = Evidence("Length", L.format_number(ob.length_mm), "mm", time, day, ref)
            width = Evidence("Width", L.format_number(ob.width_mm), "mm", time, day, ref)
            area = ob.length_mm * ob.width_mm / 100.0
            # both estimates rest on the same two measurements (shared evidence, separate lists)
            add(DerivedValue("lesion_area", area_label, round(area, 4), "cm²", None, "", time, day,
                             [length, width], "", [], ref))
            add(DerivedValue("lesion_area_ellipse", ellipse_label, round(quarter_pi * area, 4), "cm²", None, "",
                             time, day, [length, width], "", [], ref))
        a, e, t = push_scores(ob)
        total = None
        if a is not None and e is not None and t is not None:
            total = a + e + t
            add(DerivedValue(
                "push_total", push_label, float(total), "points (0–17)", None, "", time, day,
                [Evidence("Length × width sub-score", str(a), "points (0–10)", time, day, ref),
                 Evidence("Exudate amount sub-score", str(e), "points (0–3)", time, day, ref),
                 Evidence("Tissue type sub-score", str(t), "points (0–4)", time, day, ref)],
                "0 = healed." if total == 0 else "", [push_cite], ref))
        scores = ob.bwat
        recorded = [Evidence(label, str(v), "points (1–5)", time, day, ref)
                    for fld, label in bwat_items if (v := getattr(scores, fld)) is not None]
        if recorded:
            add(DerivedValue("bwat_cua_items", bwat_label, float(len(recorded)), "items recorded (of 6)", None, "",
                             time, day, recorded, bwat["caveat"], [bwat_cite], ref))
        if area is not None and prev_area is not None:
            p_area, p_placed, p_time = prev_area
            diff = area - p_area
            pct = None if p_area < 0.01 else 100.0 * diff / p_area  # a percentage of nothing means nothing
            add(DerivedValue(
                "lesion_area_change", f"Change in area since {p_time}, {name}", round(diff, 4), "cm²",
                None if pct is None else round(pct, 1), "" if pct is None else "% of previous", time, day,
                [Evidence("Previous area", f"{p_area:.2f}", "cm²", p_time,
                          None if p_placed is None else round(p_placed.day, 4)),
                 Evidence("Area", f"{area:.2f}", "cm²", time, day, ref)], "", [], ref))
        if total is not None and prev_push is not None:
            p_total, p_placed, p_time = prev_push
            add(DerivedValue(
                "push_change", f"Change in PUSH 3.0 total since {p_time}, {name}", float(total - p_total),
                "points", None, "", time, day,
                [Evidence("Previous PUSH total", str(p_total), "points (0–17)", p_time,
                          None if p_placed is None else round(p_placed.day, 4)),
                 Evidence("PUSH total", str(total), "points (0–17)", time, day, ref)],
                "A falling PUSH total means healing.", [push_cite], ref))
        # each change compares with the latest earlier observation that had that measurement
        if area is not None:
            prev_area = (area, placed, time)
        if total is not None:
            prev_push = (total, placed, time)
    return out


def compute(ctx: Context) -> Derived:
    d = Derived()
    d.products = ca_p_products(ctx)
    d.values.extend(p.derived for p in d.products)
    d.values.extend(corrected_calcium(ctx))
    b = bmi(ctx)
    if b is not None:
        d.bmi = b.value
        d.values.append(b)
    v = dialysis_vintage(ctx)
    if v is not None:
        d.vintage_days = v.value
        d.vintage = v
        d.values.append(v)
    for fn in (time_to_diagnosis, survival):
        dv = fn(ctx)
        if dv is not None:
            d.values.append(dv)
    for les in ctx.case.lesions:
        d.values.extend(lesion_values(ctx, les))
    return d
