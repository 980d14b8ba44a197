"""The rules on treatment: sodium thiosulfate, not started or against its usual regimen.
Thresholds, wording and citations come from resources/rules/rules.json."""
from __future__ import annotations

import dataclasses

from .. import frequency
from ..timing import length_days
from . import labs as L
from .context import Context, on, slack
from .derived import Derived
from .rulebook import rule
from .types import Finding
from .wording import join as _join, number as _num


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
        told = length_days(t.duration_text)  # "twice weekly for 2 months" (Ali et al.), dates or not
        if start is not None and stop is not None:
            days = stop.day - start.day
            if days < min_days:
                cut = ""
                if ctx.death is not None and ctx.death.day <= stop.day + slack(ctx.death.placed):
                    cut = " (stopped at death)"
                differences.append(f"given for {_num(days, 0)} days{cut}, less than the recommended trial of at least 1 month")
        elif told is not None:
            said = " ".join(t.duration_text.split()).rstrip(".")
            if told < min_days:
                differences.append(f"given for {said} (as recorded), less than the recommended trial of at least 1 month")
            else:
                notes.append(f"Given for {said} (as recorded): at least the recommended trial of 1 month.")
        elif start is not None:
            end = ctx.death.placed if ctx.death is not None else ctx.place(ctx.case.outcome.when)
            if end is not None and end.day - start.day >= min_days:
                notes.append(f"No stop is recorded; {_num(end.day - start.day, 0)} days passed from its start to "
                             f"{'death' if ctx.death else 'the last follow-up'}.")
            else:
                notes.append("No stop is recorded, so the duration is not checked.")
        elif t.start.is_set or t.start.label.strip():
            notes.append("Its start is recorded but has no place on the day axis, so the duration is not checked.")
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
    return _told_apart(out, courses)


def _told_apart(found: list[Finding], courses) -> list[Finding]:
    """Several courses: each finding's title names its course by dose, route and schedule ("Sodium
    thiosulfate regimen: 12.5 mg IV, with the first dialysis"), so a list that shows titles only does
    not show the same title twice."""
    if len(found) < 2:
        return found
    labels = []
    for t in courses:
        dose = L.format_value(t.dose, t.dose_unit) if t.dose is not None else ""
        bits = [" ".join(x for x in (dose, t.route.strip()) if x)] if dose or t.route.strip() else []
        if t.schedule.strip():
            bits.append(t.schedule.strip())
        labels.append(", ".join(bits))
    shared = {x for x in labels if not x or labels.count(x) > 1}
    labels = [(x + ", " if x else "") + f"course {i + 1}" if x in shared else x for i, x in enumerate(labels)]
    return [dataclasses.replace(f, title=f"{f.title}: {label}") for f, label in zip(found, labels)]


def _sts_regimen(ctx: Context, t) -> str:
    bits = []
    if t.dose is not None:
        bits.append(L.format_value(t.dose, t.dose_unit))
    if t.route:
        bits.append(t.route)
    if t.frequency_basis not in (None, "per_week"):  # as given: "every 8 hours", "as needed"
        bits.append(frequency.words(t.times_per_week, t.frequency_basis, "week"))
    elif t.times_per_week is not None:
        bits.append("three times weekly" if t.times_per_week == 3 else f"{L.format_number(t.times_per_week)} times a week")
    elif t.schedule:
        bits.append(t.schedule)
    if t.during_dialysis == "yes":
        bits.append("during dialysis")
    p = ctx.place(t.start)
    if p is not None:
        bits.append(f"from {on(p)[3:]}")
    return ", ".join(bits) if bits else "dose and schedule not recorded"
