"""Derived values, each with the inputs and the time it rests on.

Computations run in canonical units (analytes.json); each value is shown in the system of the
reported input, with the other system alongside. Nothing here is measured: labels say "derived".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import catalogue
from ..model import Lesion, Observation
from ..timing import DAYS_PER, Placed, describe
from . import labs as L
from .context import Context, LabEntry
from .rulebook import citation, instruments
from .types import DerivedValue, Evidence

DAYS_PER_YEAR = 365.25


@dataclass
class Product:
    """One calcium × phosphate product (canonical mg²/dL²) at one time."""
    value: float
    calcium: LabEntry
    phosphate: LabEntry
    placed: Placed
    derived: DerivedValue

    @property
    def day(self) -> float:
        return self.placed.day


@dataclass
class Derived:
    values: list[DerivedValue] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)  # sorted by day
    vintage_days: float | None = None
    bmi: float | None = None


def _key(day: float) -> float:
    return round(day, 3)


def _r(v: float, n: int = 4) -> float:
    return round(v, n)


def _pairs(ctx: Context, first: str, second: str) -> list[tuple[LabEntry, LabEntry]]:
    """Results of ``first`` paired with a result of ``second`` at the same time: one pair per
    ``first`` result, preferring a partner with the same dialysis context (pre/post)."""
    partners: dict[float, list[LabEntry]] = {}
    for e in ctx.placed_results(second):
        partners.setdefault(_key(e.placed.day), []).append(e)
    out = []
    for e in ctx.placed_results(first):
        cands = partners.get(_key(e.placed.day))
        if not cands:
            continue
        same = [c for c in cands if c.lab.dialysis_context == e.lab.dialysis_context]
        out.append((e, (same or cands)[0]))
    return out


def _both_approx(a: Placed, b: Placed) -> Placed:
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
        conventional = ca.lab.unit != ca_a.si_unit
        placed = _both_approx(ca.placed, ph.placed)
        caveat = ""
        if ca.lab.comparator != "=" or ph.lab.comparator != "=":
            caveat = "An input is reported as a bound (< or >), so the product is a bound too."
        dv = DerivedValue(
            kind="ca_p_product", label="Calcium × phosphate product",
            value=_r(value if conventional else si), unit="mg²/dL²" if conventional else "mmol²/L²",
            alt_value=_r(si if conventional else value), alt_unit="mmol²/L²" if conventional else "mg²/dL²",
            time=describe(placed), day=_r(placed.day),
            inputs=[ctx.lab_evidence(ca), ctx.lab_evidence(ph)], caveat=caveat,
            citations=[citation("domain-units")], ref=f"labs/{ca.lab.id}",
        )
        out.append(Product(value, ca, ph, placed, dv))
    out.sort(key=lambda p: (p.day, p.calcium.index))
    return out


def corrected_calcium(ctx: Context) -> list[DerivedValue]:
    ca_a = catalogue.analytes()["calcium"]
    out = []
    for ca, alb in _pairs(ctx, "calcium", "albumin"):
        corrected = ca.value + 0.8 * (4.0 - alb.value)  # Payne, mg/dL with albumin in g/dL
        unit = ca.lab.unit if ca.lab.unit in (ca_a.conventional_unit, ca_a.si_unit) else ca_a.canonical_unit
        other = ca_a.si_unit if unit == ca_a.conventional_unit else ca_a.conventional_unit
        placed = _both_approx(ca.placed, alb.placed)
        out.append(DerivedValue(
            kind="corrected_calcium", label="Albumin-corrected calcium (Payne), derived",
            value=_r(ca_a.from_canonical(corrected, unit)), unit=unit,
            alt_value=_r(ca_a.from_canonical(corrected, other)), alt_unit=other,
            time=describe(placed), day=_r(placed.day),
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
        kind="bmi", label="Body mass index", value=_r(value, 2), unit="kg/m²",
        inputs=[w_ev, Evidence("Height", L.format_number(pt.height_cm), "cm", ref="patient.height_cm")],
        time=w_ev.time, day=w_ev.day, ref="patient",
    )


def _interval(kind: str, label: str, days: float, start_ev: Evidence, end_ev: Evidence, end: Placed,
              caveat: str = "", years: bool = False) -> DerivedValue:
    alt, alt_unit = (days / DAYS_PER_YEAR, "years") if years else (days / DAYS_PER["month"], "months")
    return DerivedValue(kind=kind, label=label, value=_r(days, 1), unit="days", alt_value=_r(alt, 2),
                        alt_unit=alt_unit, time=describe(end), day=_r(end.day), inputs=[start_ev, end_ev],
                        caveat=caveat)


def _approx_caveat(*placed: Placed) -> str:
    if any(p.approximate or p.precision != "day" for p in placed):
        return "Rests on approximate times, so the interval is approximate."
    return ""


def dialysis_vintage(ctx: Context) -> DerivedValue | None:
    start = ctx.place(ctx.case.patient.dialysis_start)
    onset = ctx.onset
    if start is None or onset is None:
        return None
    days = onset.day - start.day
    return _interval("dialysis_vintage", "Dialysis vintage at first lesion onset", days,
                     Evidence("Dialysis start", ctx.case.patient.dialysis_modality or "dialysis", "",
                              describe(start), _r(start.day), "patient.dialysis_start"),
                     ctx.onset_evidence(), onset.placed, _approx_caveat(start, onset.placed), years=True)


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
        d.values.append(v)
    for fn in (time_to_diagnosis, survival):
        dv = fn(ctx)
        if dv is not None:
            d.values.append(dv)
    for les in ctx.case.lesions:
        d.values.extend(lesion_values(ctx, les))
    return d
