"""The manuscript's patient information (CARE 5): who the patient is, the kidney history (CKD
stage, dialysis modality and its changes with when and why, adherence, transplant and graft),
comorbidities, the author's histories, past interventions and medications. Written as prose, as
a clinician opens a case presentation ("A 73-year-old man with CKD stage 5D on haemodialysis…"),
each fact once: a comorbidity the author's history already names is not listed again."""
from __future__ import annotations

import re

from .. import catalogue, frequency
from ..core.context import lower_first
from ..core.wording import join
from ..timing import length_words
from . import fmt
from .content import Block, Para, Rich, Span
from .context import Ctx, clauses, labelled, table, with_note
from .required import placeholder, required
from .text import paragraph_texts, plain, says
from .therapy import past_treatments
from .wording import ADHERENCE, DIALYSIS, GRAFT

NOUN = {"male": "man", "female": "woman", "other": "patient", "unknown": "patient"}
PRONOUN = {"male": "He", "female": "She"}


def age_text(ctx: Ctx) -> str:
    p = ctx.case.patient
    if p.age_over_89 or (p.age_years is not None and p.age_years > 89 and not ctx.identified):
        return "90 or older"
    if p.age_years is None:
        return ""
    if ctx.age_in_decades and not ctx.identified:  # the journal's anonymisation (desktop.privacy.journal_anonymise)
        from ..privacy.journal_anonymise import decade_phrase, pronoun_of
        return decade_phrase(p.age_years, pronoun_of(ctx.case))
    return f"{p.age_years} years"


# What an author types in Ethnicity when the source does not give it: a recorded answer (no to-do in the
# draft, CARE 5a addressed), never printed as if it were an ethnicity ("a 45-year-old not reported woman")
NOT_GIVEN = {"not reported", "not stated", "not given", "not recorded", "not known", "unknown"}


def ethnicity_words(text: str) -> str:
    """The ethnicity as the opening sentence prints it: "" for one the source does not give."""
    words = plain(text)
    return "" if words.strip().strip(".").lower() in NOT_GIVEN else words


def said_in(detail: str, text: str) -> bool:
    return bool(detail) and detail.lower() in text


def opening(ctx: Ctx, history: str) -> str:
    """"A 73-year-old African American man with CKD stage 5D on hemodialysis (started about 3 years
    before presentation), diabetes mellitus and hypertension." """
    p = ctx.case.patient
    age = age_text(ctx)
    noun = NOUN.get(p.sex, "patient")
    who = ethnicity_words(p.ethnicity)
    if age == "90 or older":
        head = f"a {who + ' ' if who else ''}{noun} aged 90 or older"
    elif age and ctx.age_in_decades and not ctx.identified:
        head = f"a {who + ' ' if who else ''}{noun} {age}"  # "an African American man in his 70s"
    elif age:
        head = f"a {p.age_years}-year-old {who + ' ' if who else ''}{noun}"
    else:
        head = f"a {who + ' ' if who else ''}{noun}"
    second = head[2:].split("-")[0].split()[0].lower()
    if second[:1] in "aeiou" or second in ("8", "11", "18") or (second.isdigit() and second.startswith("8")):
        head = "an" + head[1:]  # "an 81-year-old", "an African American man"
    kidney = []
    cause = plain(p.kidney_disease_cause).rstrip(".")
    if cause and said_in(cause, history):
        cause = ""  # the author's medical history below says it
    # "CKD stage 5D (due to membranous glomerulonephritis) on haemodialysis"
    if p.ckd_stage and p.ckd_stage != "transplant":
        kidney.append(f"CKD stage {p.ckd_stage}" + (" " + fmt.bracketed(f"due to {lower_first(cause)}") if cause else ""))
    elif cause:
        kidney.append("kidney disease " + fmt.bracketed(f"due to {lower_first(cause)}"))
    if p.dialysis_modality == "none":
        kidney.append("not on dialysis")
    elif p.dialysis_modality:
        # the dialysis history below tells the periods with their starts
        start = "" if p.dialysis_history else started(ctx, p.dialysis_start)
        kidney.append(f"on {DIALYSIS[p.dialysis_modality]}" + (" " + fmt.bracketed(start) if start else ""))
    # "CKD stage 4 not on dialysis" is something the patient has; "not on dialysis" alone is not,
    # and follows the noun ("a 19-year-old man not on dialysis, with …")
    apart = kidney == ["not on dialysis"]
    with_ = [" ".join(kidney)] if kidney and not apart else []
    # "CKD stage 5 (…) not on dialysis" before more conditions is set off by commas: "with CKD stage 5
    # (due to polycystic kidney disease), not on dialysis, and obesity" (Tamayo-Isla & Cuba de la Cruz
    # 2015), not "… not on dialysis and obesity"
    off = len(kidney) > 1 and kidney[-1] == "not on dialysis"
    com = catalogue.comorbidities()
    for x in p.comorbidities:
        if x.absent:  # a recorded negative: its own sentence (absent_conditions)
            continue
        name = com.get(x.code, x.code)
        detail = plain(x.detail)
        if said_in(name, history) or said_in(detail, history):
            continue  # the author's medical history below says it
        if x.code == "other" or (detail and name.lower() in detail.lower()):
            name, detail = detail or name, ""  # "chronic glomerulonephritis", not "other (chronic …)"
        # a detail that only says the name again ("obese" beside obesity) is not bracketed after it
        extra = " " + fmt.bracketed(detail) if detail and detail.lower() not in name.lower() and not says(detail, name) else ""
        with_.append(name[:1].lower() + name[1:] + extra if not name[:2].isupper() else name + extra)
    text = head[:1].upper() + head[1:] + (" not on dialysis" + ("," if with_ else "") if apart else "")
    if off and len(with_) > 1:
        rest = with_[1:]
        text += (" with " + " ".join(kidney[:-1]) + ", not on dialysis, "
                 + ("with " + ", ".join(rest[:-1]) + " and " + rest[-1] if len(rest) > 1 else "and " + rest[0]))
    elif with_:
        text += " with " + (", ".join(with_[:-1]) + " and " + with_[-1] if len(with_) > 1 else with_[0])
    return text + "."


def started(ctx: Ctx, when) -> str:
    """"started about 3 years before presentation"; the author's own words that are not a time
    ("recent onset of end-stage renal disease") are given as "start: …" rather than made a sentence
    they did not write ("started recent onset of …"). Empty when nothing is recorded."""
    text = ctx.prose_when(when)
    if not text or "start" in text.lower():
        return text
    return f"started {text}" if fmt.reads_as_time(when, text) else f"start: {text}"


def kidney_history(ctx: Ctx) -> list[str]:
    """The dialysis periods with when and why, adherence, transplant and graft status."""
    p = ctx.case.patient
    out = []
    periods = []
    for d in p.dialysis_history:
        s = DIALYSIS[d.modality]
        start, stop = ctx.prose_when(d.start), ctx.prose_when(d.stop)
        timed = [t for t, w in ((start, d.start), (stop, d.stop)) if t and fmt.reads_as_time(w, t)]
        if d.modality == "none" and timed == [t for t in (start, stop) if t]:
            # a time without dialysis (a working transplant) neither starts nor stops: it runs from, to
            s += f" from {start.removeprefix('at ')}" if start else ""
            if stop:
                s += f" to {stop.removeprefix('at ')}" if start else f" until {stop}"
        else:
            if start:
                s += f" from {start.removeprefix('at ')}" if start.startswith("at age") else f", {started(ctx, d.start)}"
            if stop:
                s += f", stopped {stop}" if fmt.reads_as_time(d.stop, stop) else f", stop: {stop}"
        if d.sessions_per_week is not None:
            s += f", {fmt.num(d.sessions_per_week)} sessions a week"
        if d.reason:  # a reason with brackets of its own ("hemodialysis (IHD) due to …") is not bracketed again
            reason = plain(d.reason)
            s += f" — {reason}" if "(" in reason else f" ({reason})"
        periods.append(s)
    if periods:
        out.append("Dialysis history: " + "; then ".join(periods) + ".")
    if p.dialysis_adherence in ADHERENCE or p.adherence_detail:
        words = ADHERENCE.get(p.dialysis_adherence, "adherence to dialysis")
        detail = plain(p.adherence_detail)
        out.append(words[:1].upper() + words[1:] + (f": {detail}" if detail else "") + ".")
    if p.kidney_transplant == "yes":
        when = ctx.prose_when(p.transplant_date)
        s = "Kidney transplant" + (f" {when}" if when else "")
        if p.graft_status in GRAFT:
            s += f"; {GRAFT[p.graft_status]}"
        out.append(s + ".")
    elif p.kidney_transplant == "no":
        out.append("No kidney transplant.")
    body = []
    if p.weight_kg is not None:
        body.append(f"weight {fmt.num(p.weight_kg)} kg")
    if p.height_cm is not None:
        body.append(f"height {fmt.num(p.height_cm)} cm")
    for d in ctx.assessment.derived:
        if d.kind == "bmi":
            body.append(f"body mass index {fmt.num(d.value, 1)} {d.unit}")
        elif d.kind == "dialysis_vintage":
            line = _vintage(d)
            if line:
                out.append(line)
    if body:
        text = ", ".join(body)
        out.insert(0, text[:1].upper() + text[1:] + ".")
    return out


def _vintage(d) -> str:
    """The dialysis vintage as the manuscript states it. Only at the first lesion onset: when the
    onset is not dated the assessment measures it to the presentation, which restates the start the
    sentence before gives ("started about 4 years before presentation"), so it is left out. A vintage
    resting on an approximate time (a start given as "four years" or a month) is given in years with
    "about" (under a year in months or weeks), never as a count of days nobody gave ("1461 days")."""
    if not d.label.startswith("Dialysis vintage at first lesion onset"):
        return ""
    if d.caveat and d.unit == "days" and d.value is not None and d.alt_value is not None and d.alt_value < 0.95:
        # under a year, in the months a clinician would say: "about 9 months", not "about 0.8 years"
        return f"Dialysis vintage at first lesion onset: about {length_words(d.value)}."
    if d.caveat and d.alt_value is not None:
        n = fmt.num(d.alt_value)
        unit = d.alt_unit[:-1] if n == "1" and d.alt_unit.endswith("s") else d.alt_unit  # "about 1 year"
        return f"Dialysis vintage at first lesion onset: about {n} {unit}."
    alt = f" ({fmt.num(d.alt_value, 1)} {d.alt_unit})" if d.alt_value is not None and d.alt_unit else ""
    return f"Dialysis vintage at first lesion onset: {fmt.num(d.value, 0)} {d.unit}{alt}."


def patient_information(ctx: Ctx) -> list[Block]:
    case, p = ctx.case, ctx.case.patient
    out: list[Block] = [ctx.heading("Patient information", 1)]
    history = " ".join(paragraph_texts(p.history) + paragraph_texts(p.presenting_concerns)).lower()
    first = [opening(ctx, history)] + kidney_history(ctx) + absent_conditions(ctx)
    if ctx.draft:
        missing = [n for n, v in (("age", age_text(ctx)), ("sex", p.sex != "unknown"),
                                  ("ethnic background", plain(p.ethnicity))) if not v and required(n, ctx.journal)]
        first += [placeholder(n) for n in missing]
    out.append(Para([Span(" ".join(first))]))
    for label, text in (("Presenting concerns", p.presenting_concerns), ("Medical history", p.history),
                        ("Family history", p.family_history), ("Psychosocial history", p.social_history),
                        ("Past interventions", p.past_interventions)):
        out += labelled(label, text)
    out += past_treatments(ctx)
    taken = [m for m in case.medications if not m.not_taken]
    if taken:
        mrows = []
        mc = catalogue.medication_classes()
        for m in taken:
            # the frequency as written, with the recorded one ("every 8 hours") unless the words say it
            how_often = frequency.schedule_text(m.frequency, m.doses_per_day, m.frequency_basis, "day")
            mrows.append([
                with_note(plain(m.name), plain(m.note)) if m.note else Rich((Span(plain(m.name)),)),
                class_name(mc.get(m.drug_class, m.drug_class)), fmt.dose_text(m.dose, m.dose_unit), plain(m.route),
                plain(how_often),
                ctx.when(m.start, "—"), ctx.when(m.stop, "—")])
        out += table(ctx, "Medications", ["Medication", "Class", "Dose", "Route", "Frequency", "Start", "Stop"],
                     mrows, [90, 76, 56, 56, 56, 74, 74],
                     cite="The patient's medications are listed in Table {n}.")
    out += not_taken(ctx)
    return out


def class_name(label: str) -> str:
    """A drug class as a manuscript names it, without the example the form gives with it: "Vitamin K
    antagonist", not "Vitamin K antagonist (e.g. warfarin)" beside acenocoumarol."""
    return re.sub(r"\s*\(e\.g\.[^)]*\)$", "", label)


_NEGATION = re.compile(r"\b(?:not|no|never|without|denie[sd]|nor)\b")


def said_not_taken(name: str, author_text: str) -> bool:
    """Whether the author's own prose already says ``name`` was not taken, or not present: a clause
    naming it with a negation ("Not on dialysis, warfarin, or insulin", "no diabetes mellitus")."""
    name = name.lower()
    return any(name in clause and _NEGATION.search(clause) for clause in clauses(author_text))


def absent_conditions(ctx: Ctx) -> list[str]:
    """The conditions the source says the patient did not have, in one sentence: "The patient did not
    have hyperparathyroidism (normal parathyroid function)." (recorded negatives, never listed with
    what the patient has). One the author's own prose already says is not said again."""
    com = catalogue.comorbidities()
    text = ctx.author_text()
    names = []
    for x in ctx.case.patient.comorbidities:
        if not x.absent:
            continue
        name, detail = com.get(x.code, x.code), plain(x.detail)
        if x.code == "other":
            name, detail = detail or name, ""
        if said_not_taken(name, text) or said_in(detail, text):
            continue
        name = name if name[:2].isupper() else name[:1].lower() + name[1:]
        names.append(f"{name} ({detail})" if detail and detail.lower() != name.lower() else name)
    return [f"The patient did not have {join(names, 'or')}."] if names else []


def not_taken(ctx: Ctx) -> list[Block]:
    """The medicines the source says the patient was not taking, in one sentence: "The patient was
    not taking warfarin or apixaban." (a recorded negative, not a row of the medication table). One
    the author's history already says is not said again."""
    names = []
    for m in ctx.case.medications:
        if m.not_taken:
            name = plain(m.name) or class_name(catalogue.medication_classes().get(m.drug_class, m.drug_class)).lower()
            if not said_not_taken(name, ctx.author_text()):
                names.append(f"{name} ({plain(m.note)})" if plain(m.note) else name)
    if not names:
        return []
    return [Para([Span(f"The patient was not taking {join(names, 'or')}.")])]
