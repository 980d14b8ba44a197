"""The rules on what the write-up documents: differentials excluded, consent, obesity a BMI shows,
diabetes the cause of kidney disease names. Thresholds, wording and citations come from
resources/rules/rules.json."""
from __future__ import annotations

import re

from .context import Context
from .derived import Derived
from .rulebook import rule
from .types import Evidence, Finding
from .wording import MAX_EVIDENCE, join as _join, number as _num, plural as _plural


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
    """A BMI at or above the WHO obesity cut-off with obesity not recorded: suggest recording it. Not
    when the author recorded it either way (a source that says the patient is not obese is the
    author's to weigh against the BMI)."""
    r = rule("obesity-not-recorded")
    if d.bmi is None or d.bmi < r.value("bmi") or ctx.comorbidities(["obesity"]) \
            or ctx.absent_comorbidities(["obesity"]):
        return []
    pt = ctx.case.patient
    ev = [Evidence("Weight", f"{_num(pt.weight_kg, 1)} kg", ref="patient.weight_kg"),
          Evidence("Height", f"{_num(pt.height_cm, 0)} cm", ref="patient.height_cm"),
          Evidence("Body mass index (derived)", f"{_num(d.bmi, 1)} kg/m²", ref="patient.comorbidities/obesity")]
    return [r.finding(evidence=ev, bmi=f"{_num(d.bmi, 1)} kg/m²", weight=f"{_num(pt.weight_kg, 1)} kg",
                      height=f"{_num(pt.height_cm, 0)} cm", threshold=r.threshold_text("bmi"))]


def diabetes_not_recorded(ctx: Context, d: Derived) -> list[Finding]:
    """The cause of kidney disease names diabetes ("diabetic nephropathy", "ESRD secondary to
    diabetes") and diabetes is not recorded either way: suggest recording it. A cause that says
    the patient has none ("non-diabetic nephropathy") names no diabetes."""
    r = rule("diabetes-not-recorded")
    cause = " ".join(ctx.case.patient.kidney_disease_cause.split())
    if not cause or ctx.comorbidities(["diabetes"]) or ctx.absent_comorbidities(["diabetes"]):
        return []
    words = "|".join(re.escape(w) for w in r.threshold("cause_words"))
    if not re.search(rf"(?<!non-)(?<!non )(?<!not )(?<!without )\b(?:{words})\b", cause, re.IGNORECASE):
        return []
    ev = [Evidence("Cause of kidney disease", cause, ref="patient.kidney_disease_cause"),
          Evidence("Diabetes mellitus", "not among the comorbidities", ref="patient.comorbidities/diabetes")]
    return [r.finding(evidence=ev, cause=cause)]
