"""The manuscript's case presentation, after the CARE checklist: patient information, clinical
findings and the timeline are built here; the diagnostic assessment (``desktop.report.diagnostics``)
and the therapeutic intervention and follow-up (``desktop.report.therapy``) in their own modules.
``case_presentation`` puts the subsections together."""
from __future__ import annotations

from .. import catalogue
from ..model import Event, When
from ..timing import Placed
from . import charts, fmt
from . import content as c
from .content import Block, Para, Rich, Span
from .context import Ctx, labelled, prose, table, with_note
from .diagnostics import diagnostic_assessment
from .figures import body_map, photo_figures, photo_groups
from .required import placeholder
from .styles import TEXT_W
from .text import paragraph_texts, plain
from .therapy import follow_up, past_treatments, therapeutic_intervention
from .wording import DIALYSIS, EVENT_KIND, TRI, site_text


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


def patient_information(ctx: Ctx) -> list[Block]:
    case, p = ctx.case, ctx.case.patient
    out: list[Block] = [ctx.heading("Patient information", 1)]
    kidney = []
    if p.ckd_stage:
        kidney.append(f"CKD stage {p.ckd_stage}")
    if p.dialysis_modality:
        d = DIALYSIS[p.dialysis_modality]
        start = ctx.prose_when(p.dialysis_start)
        kidney.append(f"{d} (started {start})" if start and p.dialysis_modality != "none" else d)
    if p.kidney_transplant != "unknown":
        kidney.append(f"kidney transplant: {TRI[p.kidney_transplant]}")
    com = catalogue.comorbidities()
    history = " ".join(paragraph_texts(p.history)).lower()

    def comorbidity(x) -> str:
        """The condition's name, with the author's detail unless the name or the medical history
        below already says it (each fact once)."""
        name = com.get(x.code, x.code)
        detail = plain(x.detail)
        said = detail.lower() in name.lower() or detail.lower() in history
        return name + (f" ({detail})" if detail and not said else "")
    comorb = "; ".join(comorbidity(x) for x in p.comorbidities)
    body = []
    if p.weight_kg is not None:
        body.append(f"weight {fmt.num(p.weight_kg)} kg")
    if p.height_cm is not None:
        body.append(f"height {fmt.num(p.height_cm)} cm")
    for d in ctx.assessment.derived:
        if d.kind == "bmi":
            body.append(f"body mass index {fmt.num(d.value, 1)} {d.unit}")
        elif d.kind == "dialysis_vintage":
            alt = f" ({fmt.num(d.alt_value, 1)} {d.alt_unit})" if d.alt_value is not None and d.alt_unit else ""
            kidney.append(f"dialysis vintage at first lesion onset {fmt.num(d.value, 0)} {d.unit}{alt}")
    todo = placeholder if ctx.draft else (lambda _name: "")
    rows = [("Age at presentation", age_text(ctx) or todo("age")),
            ("Sex", p.sex.capitalize() if p.sex != "unknown" else todo("sex")),
            ("Ethnicity", plain(p.ethnicity) or todo("ethnic background"))]
    if body:
        rows.append(("Body size", ", ".join(body)))
    rows.append(("Kidney status", "; ".join(kidney)))
    rows.append(("Comorbidities", comorb))
    rows = [(k, v) for k, v in rows if v]
    if rows:
        out.append(c.KeyValues(rows))
    for label, text in (("Presenting concerns", p.presenting_concerns), ("Medical history", p.history),
                        ("Family history", p.family_history), ("Psychosocial history", p.social_history),
                        ("Past interventions", p.past_interventions)):
        out += labelled(label, text)
    out += past_treatments(ctx)
    if case.medications:
        mrows = []
        mc = catalogue.medication_classes()
        for m in case.medications:
            dose = fmt.dose_text(m.dose, m.dose_unit)
            if m.doses_per_day is not None:
                n = m.doses_per_day
                dose = f"{dose}, {fmt.num(n)} dose{'' if n == 1 else 's'} a day".strip(", ")
            mrows.append([
                with_note(plain(m.name), plain(m.note)) if m.note else Rich((Span(plain(m.name)),)),
                mc.get(m.drug_class, m.drug_class), dose, plain(m.route), plain(m.frequency),
                ctx.when(m.start, "—"), ctx.when(m.stop, "—")])
        out += table(ctx, "Medications", ["Medication", "Class", "Dose", "Route", "Frequency", "Start", "Stop"],
                     mrows, [90, 76, 56, 56, 56, 74, 74],
                     cite="The patient's medications are listed in Table {n}.")
    return out


def vitals_rows(ctx: Ctx) -> list[list[str]]:
    """Vital signs; a systolic and diastolic pressure taken at the same time print as one '87/52'."""
    vit = catalogue.vitals()
    rows, used = [], set()
    for v in ctx.case.vitals:
        if v.id in used:
            continue
        if v.kind == "systolic_bp":
            dia = next((w for w in ctx.case.vitals if w.kind == "diastolic_bp" and w.id not in used
                        and w.when == v.when and w.unit == v.unit), None)
            if dia is not None:
                used |= {v.id, dia.id}
                bp = f"{fmt.num(v.value)}/{fmt.num(dia.value)}"
                notes = list(dict.fromkeys(plain(x) for x in (v.note, dia.note) if plain(x) and bp not in plain(x)))
                rows.append(["Blood pressure", f"{fmt.num(v.value)}/{fmt.num(dia.value)}", plain(v.unit),
                             ctx.when(v.when, "—"), "; ".join(notes)])
                continue
        used.add(v.id)
        label = vit.get(v.kind, {}).get("label", v.kind)
        note = plain(v.note)
        if f"{fmt.num(v.value)} {plain(v.unit)}".strip() in note:
            note = ""  # a note that only repeats the row's value
        rows.append([label, fmt.num(v.value), plain(v.unit), ctx.when(v.when, "—"), note])
    return rows


def all_in_prose(rows: list[list[str]], text: str | None) -> bool:
    """Whether the author's text already gives every value of these rows (a one-row vital-signs
    table that would only repeat the sentence above it)."""
    t = " ".join(paragraph_texts(text))
    return bool(t) and all(f"{r[1]} {r[2]}".strip() in t for r in rows)


def lesion_rows(ctx: Ctx) -> list[list]:
    rows = []
    for i, l in enumerate(ctx.case.lesions, 1):
        morph: list[str] = []
        for o in l.observations:
            for m in o.morphology:
                if m not in morph:
                    morph.append(m)
        bits = []
        if morph:
            bits.append(", ".join(morph))
        if l.count:
            bits.append(f"{l.count} lesion{'' if l.count == 1 else 's'}")
        if l.cause:
            bits.append(f"cause: {plain(l.cause)}")
        if l.iatrogenic == "yes":
            bits.append("iatrogenic")
        desc = "; ".join(bits)
        desc = desc[:1].upper() + desc[1:]
        if l.description:
            desc = f"{desc}. {plain(l.description)}" if desc else plain(l.description)
        rows.append([str(i), site_text(l), ctx.when(l.onset, "—"), desc])
    return rows


def clinical_findings(ctx: Ctx) -> list[Block]:
    case = ctx.case
    out: list[Block] = [ctx.heading("Clinical findings", 1)]
    out += prose(case.manuscript.clinical_findings)
    vrows = vitals_rows(ctx)
    if vrows and not all_in_prose(vrows, case.manuscript.clinical_findings):
        out += table(ctx, "Vital signs", ["Measurement", "Value", "Unit", "Time", "Note"], vrows,
                     [110, 60, 50, 110, 152], align_right=[1], cite="Table {n} gives the vital signs.")
    if case.lesions:
        ltab = ctx.next_tab()
        fig = ctx.fig_no + 1  # the body map follows the table
        out += table(ctx, "Lesions (numbers as on the body map)", ["No.", "Site", "Onset", "Findings"],
                     lesion_rows(ctx), [26, 130, 100, 226], number=ltab,
                     cite=f"The lesions are listed in Table {{n}} and their sites are shown on the body map in Fig. {fig}.")
        out += body_map(ctx, ltab)
    out += photo_figures(ctx, photo_groups(ctx.case, ctx.identified)[0])
    return out


# --- timeline --------------------------------------------------------------------------------------

BEFORE_WORDS = ("before", "prior", "previous", "earlier", "recent")


def _depth(ctx: Ctx, e: Event) -> int:
    """How many "at the time of another event" links an event's time hangs on."""
    d, when, seen = 0, e.when, set()
    while when.event_id and when.event_id not in seen and d < 50:
        seen.add(when.event_id)
        d += 1
        nxt = ctx.case.event(when.event_id)
        if nxt is None:
            break
        when = nxt.when
    return d


def ordered_events(ctx: Ctx) -> list[tuple[Event, Placed | None]]:
    """The events in time order: by their day; at the same day an event placed relative to another
    follows it; an event with no time that is only said to be before the index event ("recently,
    before presentation") comes just before day 0; other events without a time come last, in the
    order recorded. Exact repeats (same time, kind and description) and events with nothing to say
    are left out."""
    placed = [(e, ctx.place(When(event_id=e.id))) for e in ctx.case.events]
    order = {e.id: i for i, e in enumerate(ctx.case.events)}
    idx = ctx.case.index_event_id

    def key(ep):
        e, p = ep
        if p is not None:
            return (0, p.day, 0 if e.id == idx else 1, _depth(ctx, e), order[e.id])
        if any(w in e.when.label.lower() for w in BEFORE_WORDS):
            return (0, -1e-9, 0, 0, order[e.id])
        return (1, 0.0, 0, 0, order[e.id])

    out, seen = [], set()
    for e, p in sorted(placed, key=key):
        sig = (round(p.day, 3) if p else e.when.label, e.kind, " ".join(plain(e.description).lower().split()))
        if sig in seen or not (plain(e.description) or e.kind):
            continue
        seen.add(sig)
        out.append((e, p))
    return out


def event_short(ctx: Ctx, e: Event) -> str:
    """A few words naming what an event was, for its timeline row when the text already tells it in
    full: the treatment or procedure that starts or stops with it, the lesions that begin with it."""
    names = []
    for t in ctx.case.treatments:
        if t.start.event_id == e.id or t.stop.event_id == e.id:
            what = ", ".join(x for x in (plain(t.route), plain(t.duration_text)) if x and len(x) < 30)
            names.append(plain(t.agent) + (f" ({what})" if what else "")
                         + (" stopped" if t.stop.event_id == e.id and t.start.event_id != e.id else ""))
    if not names and e.kind in ("lesion_onset", "symptom_onset"):
        names = [site_text(l) for l in ctx.case.lesions if l.onset.event_id == e.id]
    names = list(dict.fromkeys(n for n in names if n))
    # "coronary intervention requiring mechanical circulatory support" already names "mechanical circulatory support"
    names = [n for n in names if not any(n != m and n.lower() in m.lower() for m in names)]
    return "; ".join(names)


def timeline(ctx: Ctx) -> list[Block]:
    out: list[Block] = [ctx.heading("Timeline", 1)]
    evs = ordered_events(ctx)
    if not evs:
        return out  # case_presentation leaves it out, or shows a draft's placeholder
    idx = ctx.case.index_event
    rows = []
    items = []
    fallback: dict[tuple[int, int], str] = {}
    for i, (e, p) in enumerate(evs, 1):
        t = ctx.when(When(event_id=e.id)) if p else (plain(e.when.label) or "—")
        if p is None and any(w in e.when.label.lower() for w in BEFORE_WORDS):
            t = f"before day 0 ({plain(e.when.label)})" if "before" not in t.lower() else t
        kind = EVENT_KIND.get(e.kind, e.kind)
        rows.append([str(i), t, kind, plain(e.description)])
        short = event_short(ctx, e)
        if short:
            fallback[(i - 1, 3)] = short
        if p is not None:
            items.append(charts.TimelineItem(i, p.day, kind, p.approximate, p.precision))
    tab = ctx.next_tab()
    fig = ctx.fig_no + 1 if items else None
    day0 = (f"Day 0 is the day of {ctx.index_name()}; times are counted in days from it. " if idx
            else "No index event is set, so the events cannot be placed in time. ")
    cite = f"Table {tab} lists the events in time order" + (f" and Fig. {fig} shows them on a day axis." if fig else ".")
    out.append(Para([Span(day0 + cite)]))
    out += table(ctx, "Timeline of the episode of care", ["No.", "Time", "Event", "Description"], rows,
                 [26, 96, 78, 282], number=tab)
    out[-1].fallback = fallback
    if items:
        n = ctx.next_fig()
        drawings = charts.timeline_drawings(items, TEXT_W)
        unplaced = len(evs) - len(items)
        cap = (f"Timeline of the case on a day axis (day 0 = {ctx.index_name()}). Each event is labelled with its "
               f"number and kind; Table {tab} describes it. Approximate times (or times known only to the week or "
               "month) are marked by an open dot, a “~” before the number and a bar spanning the uncertainty."
               + (f" {unplaced} event(s) without a recorded time are listed only in the table." if unplaced else ""))
        out.append(c.Figure(n, drawings, [Span(cap)]))
    return out


# --- the subsections together ---------------------------------------------------------------------

def case_presentation(ctx: Ctx) -> list[Block]:
    """The CARE subsections; one with nothing recorded is left out (a draft shows a placeholder)."""
    out: list[Block] = [ctx.heading("Case presentation", 0)]
    for part in (patient_information, clinical_findings, timeline, diagnostic_assessment,
                 therapeutic_intervention, follow_up):
        blocks = part(ctx)
        if len(blocks) == 1 and isinstance(blocks[0], c.Heading):
            blocks += ctx.todo(blocks[0].title.lower())
            if len(blocks) == 1:
                continue
        out += blocks
    return out
