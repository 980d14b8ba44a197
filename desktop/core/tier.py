"""The 2023 consensus' tiered diagnosis (domain file §1), evaluated against the recorded case.

A factor counts only when the record shows it; when the record cannot show a criterion's
condition (a binder's duration, a vitamin D dose) the factor is not counted and a caveat says so.
Differentials not documented as excluded do not lower the tier: they add a caveat.
"""
from __future__ import annotations

from ..timing import describe, slack
from . import labs as L
from .context import Context, lower_first, on, placed_or_not
from .derived import Derived, vintage_gap
from .rulebook import DAYS_PER_UNIT, citation, tier_data
from .lab_rules import abnormal, pth_choice
from .lesion_rules import grade
from .types import Tier

_MICROGRAM = {"µg": 1.0, "μg": 1.0, "ug": 1.0, "mcg": 1.0, "microgram": 1.0, "micrograms": 1.0, "mg": 1000.0}
_ONCE_DAILY = {"daily", "once daily", "once a day", "od", "qd", "1/day", "every day"}


def _days(spec: dict) -> float:
    return float(spec["value"]) * DAYS_PER_UNIT[spec["unit"]]


def _exposure_days(ctx: Context, m) -> float | None:
    """Days a medicine was taken before the first lesion onset (or in all, when onset is unknown)."""
    start = ctx.place(m.start)
    if start is None:
        return None
    stop = ctx.place(m.stop)
    ends = [p.day for p in (stop, ctx.onset.placed if ctx.onset else None) if p is not None]
    if not ends:
        return None
    return min(ends) - start.day


def _daily_micrograms(m) -> float | None:
    factor = _MICROGRAM.get(m.dose_unit.strip().lower()) if m.dose_unit else None
    if m.dose is None or factor is None:
        return None
    per_day = m.doses_per_day
    if per_day is None and m.frequency.strip().lower() in _ONCE_DAILY:
        per_day = 1.0
    if per_day is None:
        return None
    return m.dose * factor * per_day


def evaluate(ctx: Context, d: Derived) -> Tier:
    data = tier_data()
    majors, minors, caveats, unknown = [], [], [], []
    spec = {f["id"]: f for f in data["major_factors"] + data["minor_factors"]}

    # dialysis vintage: > 5 years is major, < 5 years minor; on dialysis with no start date still
    # means one of the two holds, so the minor one is counted (the lower bound)
    five = _days(spec["dialysis-over-5-years"]["threshold"])
    start, _, start_recorded = ctx.dialysis_start
    if d.vintage is not None and ctx.on_dialysis:
        # the years exactly as the derived table shows them (one rounding)
        at = "at first lesion onset" if ctx.onset is not None else "at " + d.vintage.label.split(" at ", 1)[1]
        years = f"{L.format_number(d.vintage.alt_value, 1)} years {at}"
        if d.vintage_days > five:
            majors.append(f"{spec['dialysis-over-5-years']['label']} ({years})")
        else:
            minors.append(f"{spec['dialysis-under-5-years']['label']} ({years})")
    elif ctx.on_dialysis and (gap := vintage_gap(ctx)):
        # interrupted (a transplant that worked for a while): the time on dialysis is not the time
        # since it first started, and the dialysis history does not give it
        minors.append(f"dialysis of unknown length, counted as the minor factor "
                      f"({spec['dialysis-under-5-years']['label']}), the lower of the two: {gap}")
        unknown.append(f"dialysis for more than 5 years (major): {gap}")
        caveats.append(f"The time on dialysis is not known ({gap}), so dialysis for more than 5 years (a major "
                       "factor) cannot be checked; a period for each stretch of dialysis gives it.")
    elif ctx.on_dialysis:
        words = " ".join(ctx.case.patient.dialysis_start.label.split())  # "on approaching end-stage renal failure"
        why = ("start recorded but not placed on the day axis" if start_recorded
               else f"start given only as \u201c{words}\u201d" if words else "start not recorded")
        # not "dialysis for less than 5 years": the record does not say that, only that one of the two holds
        minors.append(f"dialysis of unknown length (on dialysis, {why}): counted as the minor factor "
                      f"({spec['dialysis-under-5-years']['label']}), the lower of the two")
        unknown.append(f"dialysis for more than 5 years (major): the dialysis {why}")
        said = ("is recorded but cannot be placed on the day axis" if start_recorded
                else f"is given only in the source's words (\u201c{words}\u201d)" if words else "is not recorded")
        caveats.append(f"The dialysis start {said}, so dialysis for more than 5 years (a major factor) cannot be checked.")

    majors_ids = {f["id"] for f in data["major_factors"]}

    def meds_factor(fid: str):
        """The medicines of a factor's classes, less those started after the first lesion onset,
        which cannot have led to it, and those recorded as stopped before it (both said in the
        caveats). One recorded as stopped at a time the record does not place against the onset
        ("stopped as his renal function continued to decline") is not counted either: whether it
        was taken then cannot be decided (listed so, when no other medicine counts)."""
        kept, undecided = [], []
        for m in ctx.meds(spec[fid]["medication_classes"]):
            name = m.name.strip() or spec[fid]["label"]
            name = name[:1].upper() + name[1:]
            if ctx.after_onset(m.start):
                caveats.append(f"{name} was started {on(ctx.place(m.start))}, after the first "
                               f"lesion onset ({describe(ctx.onset.placed)}), so it is not counted as a risk factor.")
                continue
            if m.stop.is_set or m.stop.label.strip():
                stop, onset = ctx.place(m.stop), ctx.onset

                def before(p) -> bool:
                    return stop.day + slack(stop) + slack(p) < p.day
                if stop is not None and onset is not None and before(onset.placed):
                    caveats.append(f"{name} was stopped {on(stop)}, before the first lesion onset "
                                   f"({describe(onset.placed)}), so it is not counted as a risk factor.")
                    continue
                if stop is None:
                    said = f"\u201c{m.stop.label.strip()}\u201d" if m.stop.label.strip() else "time not placed"
                    undecided.append(f"{name} is recorded as stopped ({said}), at a time the record does not "
                                     "place against the first lesion onset")
                    continue
                # no placed onset: the lesions were there at presentation; stopped then or later, it
                # was taken while they began, stopped before, perhaps not
                seen = ctx.presentation.placed if ctx.presentation is not None else None
                if onset is None and (seen is None or before(seen)):
                    undecided.append(f"{name} was stopped {on(stop)}, and the first lesion onset has no place "
                                     "on the day axis")
                    continue
            kept.append(m)
        if undecided and not kept:
            kind = "major" if fid in majors_ids else "minor"
            unknown.append(f"{spec[fid]['label']} ({kind}): {'; '.join(undecided)}")
        return kept

    for m in meds_factor("warfarin"):
        majors.append(f"{spec['warfarin']['label']} ({ctx.med_text(m)})")
        caveats.append("Warfarin is counted as long-term; the source does not define how long.")
        break
    for m in meds_factor("calcium-binder-over-6-months"):
        days = _exposure_days(ctx, m)
        need = _days(spec["calcium-binder-over-6-months"]["threshold"])
        if days is None:
            caveats.append(f"A calcium-based binder is recorded ({ctx.med_text(m)}) but its duration cannot be "
                           f"computed; the major factor asks for more than 6 months.")
            unknown.append("calcium-based binders for more than 6 months (major): duration not computable")
        elif days > need:
            majors.append(f"{spec['calcium-binder-over-6-months']['label']} ({ctx.med_text(m)}, "
                          f"{L.format_number(days / DAYS_PER_UNIT['month'], 1)} months)")
            break
    for m in meds_factor("active-vitamin-d-over-0.5"):
        daily = _daily_micrograms(m)
        limit = float(spec["active-vitamin-d-over-0.5"]["threshold"]["value"])
        if daily is None:
            caveats.append(f"Active vitamin D is recorded ({ctx.med_text(m)}) but its daily dose in µg cannot be "
                           f"computed; the major factor asks for more than 0.5 µg/day.")
            unknown.append("active vitamin D above 0.5 µg/day (major): daily dose not computable")
        elif daily > limit:
            majors.append(f"{spec['active-vitamin-d-over-0.5']['label']} ({ctx.med_text(m)}, "
                          f"{L.format_number(daily)} µg/day)")
            break
    for fid, target in (("protein-c-s-deficiency", majors), ("vitamin-k-deficiency", majors),
                        ("obesity", minors), ("diabetes", minors), ("iron-overload", minors)):
        found = ctx.comorbidities(spec[fid]["comorbidities"])
        if found:
            target.append(spec[fid]["label"])

    before, latest = pth_choice(ctx)
    pth = before or latest
    words = ctx.word_results("pth_intact")
    if pth is None and words:  # a PTH given in words only ("elevated"): neither threshold can be decided from it
        w = words[-1]  # the latest, as for a value
        said = L.qualitative_text(w.lab) or "given in words"
        text = f"intact PTH reported as {said}, {placed_or_not(w.placed, w.lab.when)}, without a value"
        if w.lab.qualitative not in ("normal", "low", "undetectable"):
            unknown.append(f"{spec['pth-over-1000']['label']} (major): {text}")
        unknown.append(f"{spec['pth-under-300']['label']} (minor): {text}")
    biointact = ctx.results("pth_biointact")
    if pth is None and not words and biointact:
        # a bio-intact (1-84) PTH only: the consensus thresholds are intact PTH's (domain file §1, "iPTH"),
        # and a third-generation assay reads lower, so neither threshold is decided by it
        b = ([e for e in biointact if e.placed is not None] or biointact)[-1]
        text = (f"only a bio-intact PTH (1\u201384) is recorded ({L.format_lab(b.lab)}, "
                f"{placed_or_not(b.placed, b.lab.when)}); the threshold is for intact PTH")
        unknown.append(f"{spec['pth-over-1000']['label']} (major): {text}")
        unknown.append(f"{spec['pth-under-300']['label']} (minor): {text}")
    if pth is not None:
        which = "nearest before onset" if pth is before else "latest"
        text = f"{L.format_lab(pth.lab)}, {which}, {describe(pth.placed)}"
        hi = float(spec["pth-over-1000"]["threshold"]["value"])
        lo = float(spec["pth-under-300"]["threshold"]["value"])
        above = L.known_above(pth.value, pth.lab.comparator, hi)
        below = L.known_below(pth.value, pth.lab.comparator, lo)
        # a bound counts only where it decides: '> 1000' is above 1000; '< 400' is not known to be below 300
        if above:
            majors.append(f"{spec['pth-over-1000']['label']} ({text})")
        elif below:
            minors.append(f"{spec['pth-under-300']['label']} ({text})")
        else:
            if above is None:
                unknown.append(f"{spec['pth-over-1000']['label']} (major): {text} is a bound that does not decide it")
            if below is None:
                unknown.append(f"{spec['pth-under-300']['label']} (minor): {text} is a bound that does not decide it")

    for fid, analytes, direction in (("hypoalbuminaemia", ["albumin"], "L"),
                                     ("hypercalcaemia", ["calcium", "calcium_ionised"], "H"),
                                     ("hyperphosphataemia", ["phosphate"], "H"),
                                     ("raised-alp", ["alp"], "H")):
        hits = [e for a in analytes for e in abnormal(ctx, a, direction)[0]]
        words = [w for a in analytes for w in ctx.word_flagged(a, direction)]
        if hits:
            worst = (min if direction == "L" else max)(hits, key=lambda e: e.value)
            minors.append(f"{spec[fid]['label']} ({lower_first(worst.analyte.label)} {L.format_lab(worst.lab)}, "
                          f"{placed_or_not(worst.placed, worst.lab.when)})")
        elif words:
            w = words[-1]
            minors.append(f"{spec[fid]['label']} ({lower_first(w.analyte.label)} reported as "
                          f"{L.qualitative_text(w.lab) or ('high' if direction == 'H' else 'low')}, "
                          f"{placed_or_not(w.placed, w.lab.when)})")

    imm = meds_factor("immunosuppressants")
    if imm:
        minors.append(f"{spec['immunosuppressants']['label']} ({'; '.join(ctx.med_text(m) for m in imm[:3])})")
        caveats.append("Immunosuppressants or glucocorticoids are counted as long-term; the source does not define how long.")
    inj = spec["sc-injections"]
    words = [w.lower() for w in inj.get("name_keywords", [])]
    injections = [m for m in ctx.taken_medications
                  if m.drug_class in inj["medication_classes"] or any(w in m.name.lower() for w in words)]
    if injections:
        minors.append(f"{inj['label']} ({'; '.join(ctx.med_text(m) for m in injections[:3])})")

    typical, early = lesion_signs(ctx)
    dx = ctx.case.diagnosis
    excluded = [x.name for x in dx.differentials if x.status == "excluded"]
    positive_biopsy = [b for b in ctx.case.biopsies if grade(b) in data["positive_biopsy_results"]]
    grades = data.get("biopsy_grades", {})
    for b in positive_biopsy:
        if grade(b) in grades.get("counted_with_caveat", []):
            caveats.append(f"A biopsy reported as '{grade(b).replace('_', ' ')}' calciphylaxis is counted as the "
                           f"positive biopsy of the confirmed tier.")
        if b.specimen in grades.get("not_skin_biopsy", []):
            caveats.append(f"The positive histology comes from a {b.specimen.replace('_', ' ')}, not a skin biopsy.")
    # a positive biopsy whose histology the source states decides it; another biopsy the source names
    # without its histology leaves nothing open then (Daza et al. 2021: the second biopsy's histology)
    stated_positive = any(b.histology_stated for b in positive_biopsy)
    for b in ctx.case.biopsies:
        if not b.histology_stated and grade(b) not in ("not_done", "declined", "planned") and not stated_positive:
            unknown.append("a positive skin biopsy (confirmed tier): a biopsy is recorded but the source does not "
                           "state its histology")
        elif grade(b) in grades.get("undecided", []) and not positive_biopsy:  # a positive one decides it
            unknown.append(f"a positive skin biopsy (confirmed tier): the biopsy was {grade(b).replace('_', ' ')}")

    if dx.basis == "not_stated" and not ctx.case.biopsies:
        unknown.append("a positive skin biopsy (confirmed tier): the diagnosis is recorded, but the source does "
                       "not say what it rests on")

    need = data["suspected"]
    suspected_factors = len(majors) >= need["major"] or (len(majors) >= need["or_major"] and len(minors) >= need["and_minor"])
    if positive_biopsy and (typical or early):
        name = "confirmed"
    elif (majors or minors) and typical:
        name = "clinical"
    elif suspected_factors and (early or typical):
        name = "suspected"
    else:
        name = "criteria_not_met"
    if not excluded:
        caveats.insert(0, "Differential diagnoses are not documented as excluded; every tier asks for that, so the "
                          "tier holds only if they were.")
        unknown.insert(0, "differentials excluded (every tier): not documented")
    if not ctx.on_dialysis:
        caveats.append("The scheme is defined for dialysis patients, and no dialysis is recorded.")
    if not ctx.lesions:  # every tier rests on the skin: with none recorded, none can be judged yet
        unknown.append("typical lesions or early skin changes (lesions, every tier): no calciphylaxis lesion is "
                       "recorded")
    elif not (typical or early) and not any(ob.morphology for les in ctx.lesions for ob in les.observations):
        # lesions recorded, but what they look like only in words (Pliquett et al. 2003: "painful crural,
        # non-varicosis ulcers" as the lesion's description): not judged, so not "not met" either
        unknown.append("typical lesions or early skin changes (lesions, every tier): no lesion's appearance is "
                       "recorded as an observation (its morphology and pain); a description in words is not judged")
    if name == "criteria_not_met" and positive_biopsy and not (typical or early):
        caveats.append("A positive biopsy is recorded, but no typical lesion or early skin change is recorded with it.")
    return Tier(tier=name, major_factors=majors, minor_factors=minors, typical_lesions=typical,
                early_changes=early, differentials_excluded=bool(excluded), caveats=list(dict.fromkeys(caveats)),
                unknown=list(dict.fromkeys(unknown)), citations=[citation(data["citation"])])


def lesion_signs(ctx: Context) -> tuple[list[str], list[str]]:
    """(typical lesions, early skin changes) found in the lesion observations, each named once."""
    table = tier_data()["lesion_morphology"]
    typical: dict[str, None] = {}
    early: dict[str, None] = {}
    necrotic_words = set(tier_data().get("necrotic_morphology", ["eschar", "gangrene"]))
    for les in ctx.lesions:
        for ob in les.observations:
            # painful as the source says it, or by a score above 0 on either scale
            painful = ob.pain == "present" or any(v is not None and v > 0 for v in (ob.pain_0_10, ob.pain_0_100))
            necrotic = ob.tissue_type == "necrotic" or bool(necrotic_words.intersection(ob.morphology))
            morph = set(ob.morphology)
            for m in ob.morphology:
                for entry in table.get(m, []):
                    cond = entry["when"]
                    if "with_any" in entry and not morph.intersection(entry["with_any"]):
                        continue
                    if cond == "always" or (cond == "painful" and painful) or (cond == "necrotic" and necrotic):
                        if "typical" in entry:
                            typical[entry["typical"]] = None
                        if "early" in entry:
                            early[entry["early"]] = None
                        break
    return list(typical), list(early)
