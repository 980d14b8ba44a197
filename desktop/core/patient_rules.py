"""The rules on the patient: sex, comorbidities, medicines, dialysis and a kidney transplant.
Thresholds, wording and citations come from resources/rules/rules.json."""
from __future__ import annotations

from collections.abc import Callable

from .. import catalogue
from ..timing import describe
from . import labs as L
from .context import Context, on
from .derived import Derived
from .rulebook import rule
from .types import Evidence, Finding
from .wording import MAX_EVIDENCE, join as _join, number as _num


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
                extra["stop_note"] = "No stop of the vitamin K antagonist is recorded."
            late = [m for m in meds if ctx.after_onset(m.start)]
            if late and len(late) == len(meds):  # it came after the lesions: not what led to them
                extra["stop_note"] = (f"It was started {on(ctx.place(late[0].start))}, after the first lesion onset "
                                      f"({describe(ctx.onset.placed)}), so the tier does not count it as a risk factor. "
                                      + extra["stop_note"])
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
          else f"at {dv.inputs[-1].label.lower()} ({dv.time}); the lesion onset has no place on the day axis")
    # interrupted dialysis is summed over its periods (derived.dialysis_vintage says so in its caveat)
    variant = "summed" if dv.caveat.startswith("Summed over") else "default"
    return [r.finding(variant, evidence=list(dv.inputs), vintage=vintage, at=at)]


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
