"""The manuscript's case presentation, after the CARE checklist: patient information, clinical
findings and the timeline are built here; the diagnostic assessment (``desktop.report.diagnostics``)
and the therapeutic intervention and follow-up (``desktop.report.therapy``) in their own modules.
``case_presentation`` puts the subsections together."""
from __future__ import annotations

import re

from .. import catalogue
from ..model import SIGN_WORDS, Event, Lesion, When
from ..timing import Placed
from . import charts, fmt
from . import content as c
from .content import Block, Para, Rich, Span
from .context import Ctx, covered, prose, table, untold
from .diagnostics import diagnostic_assessment
from .figures import body_map, photo_figures, photo_groups
from .required import placeholder
from .styles import TEXT_W
from ..core.context import lower_first  # 'HBOT sessions' keeps its capitals
from .text import paragraph_texts, plain, says
from .patient import patient_information
from .therapy import follow_up, observation_extras, therapeutic_intervention, wound_table_needed
from .wording import BIOPSY, EVENT_KIND, HEALING, NATURE, OUTCOME, morphology_words, site_text


def vitals_rows(ctx: Ctx) -> list[list[str]]:
    """Vital signs; a systolic and diastolic pressure taken at the same time print as one '87/52'."""
    vit = catalogue.vitals()
    rows, used = [], set()
    for v in ctx.case.vitals:
        if v.id in used:
            continue
        if v.kind == "systolic_bp" and v.value is not None:
            dia = next((w for w in ctx.case.vitals if w.kind == "diastolic_bp" and w.id not in used
                        and w.value is not None and w.when == v.when and w.unit == v.unit), None)
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
        if v.value is None:  # a vital sign added but not given: its note alone, or nothing (no bare unit)
            if note:
                rows.append([label, "—", "", ctx.when(v.when, "—"), note])
            continue
        if f"{fmt.num(v.value)} {plain(v.unit)}".strip() in note:
            note = ""  # a note that only repeats the row's value
        rows.append([label, fmt.num(v.value), plain(v.unit), ctx.when(v.when, "—"), note])
    return rows


def all_in_prose(rows: list[list[str]], text: str | None) -> bool:
    """Whether the author's text already gives every value of these rows (a one-row vital-signs
    table that would only repeat the sentence above it)."""
    t = " ".join(paragraph_texts(text))
    return bool(t) and all(f"{r[1]} {r[2]}".strip() in t for r in rows)


def pain_words(l: Lesion, with_score: bool) -> str:
    """"painful (9/10)", "painless", "VAS 80/100": the first observation that states the pain."""
    for o in l.observations:
        scores = []
        if with_score and o.pain_0_10 is not None:
            scores.append(f"{o.pain_0_10}/10")
        if o.pain_0_100 is not None:
            scores.append(f"VAS {o.pain_0_100}/100")
        word = {"present": "painful", "absent": "painless"}.get(o.pain, "")
        if not word and scores:
            word = "pain"
        if word:
            return word + (f" ({', '.join(scores)})" if scores else "")
    return ""


# the author's words say the lesion hurts ("painful", "intense pain", "exquisitely tender"), not that it
# does not ("no pain", "not painful")
_PAIN = re.compile(r"(?<!\bno )(?<!\bnot )(?<!without )\b(pain|painful|tender|tenderness)\b", re.IGNORECASE)


def lesion_cell(ctx: Ctx, l: Lesion, folded: bool) -> str:
    """The lesion's appearance in short words: morphology, count, pain, cause; when there is no wound
    table (``folded``), what its one observation records (size, tissue, exudate, surrounding skin,
    oedema, purulence, odour, the note); and what of the author's description the running text does
    not already say."""
    morph: list[str] = []
    for o in l.observations:
        morph += [m for m in o.morphology if m not in morph]
    # what the author's own words printed in this cell (the description, the observation's note)
    # already say is not said before them again in coded words: "An ulcer with eschar", not
    # "Ulcer, eschar. An ulcer with eschar"
    own = " ".join([untold(l.description, ctx.author_text())] + [o.note for o in l.observations[:1] if folded])
    morph = [m for m in morph if not says(morphology_words([m]), own)]
    bits = [morphology_words(morph)] if morph else []
    if l.count and l.count > 1:
        bits.append(f"{l.count} lesions")
    pain = pain_words(l, with_score=folded)
    if pain and not (pain == "painful" and _PAIN.search(own)):  # "exquisitely tender", "intense pain"
        bits.append(pain)
    if folded:
        for o in l.observations[:1]:
            size = " × ".join(fmt.num(v) for v in (o.length_mm, o.width_mm, o.depth_mm) if v is not None)
            if size:
                bits.append(f"{size} mm")
            if o.tissue_type:
                bits.append(f"{o.tissue_type} tissue")
            exudate = " ".join(x for x in (o.exudate_amount, o.exudate_type) if x and x != "none")
            if exudate:
                bits.append(f"{exudate} exudate")
            elif "none" in (o.exudate_amount, o.exudate_type):
                bits.append("no exudate")
            told = untold(l.description, ctx.author_text()).lower()
            # the observation's note or surrounding skin, when the description printed beside it
            # already says it, is not said twice ("Painful; painful skin lesions. Painful skin lesions
            # (...)"; "surrounding erythema. Eschar ... with surrounding erythema")
            own_words = [plain(x).strip().rstrip(".") for x in (o.note, o.surrounding_skin) if x.strip()]
            bits += [b for b in observation_extras(o)
                     if not (told and any(b.endswith(w) and covered(w, told) for w in own_words))]
    if l.cause:
        bits.append(f"cause: {plain(l.cause)}")
    if l.iatrogenic == "yes" and not l.cause:
        bits.append("iatrogenic")
    desc = "; ".join(bits[:1] + [lower_first(b) for b in bits[1:]])  # mid-sentence: "…; poorly defined edges"
    rest = untold(l.description, ctx.author_text() + " " + desc.lower())
    desc = f"{desc}. {rest}" if desc and rest else desc or rest
    return desc[:1].upper() + desc[1:]


def lesion_rows(ctx: Ctx) -> list[list]:
    """The calciphylaxis lesions, numbered as on the body map; other findings are told apart
    (:func:`other_findings`)."""
    folded = not wound_table_needed(ctx.case)
    return [[str(i), site_text(l), ctx.when(l.onset, "—"), lesion_cell(ctx, l, folded)]
            for i, l in enumerate(ctx.case.lesions, 1) if l.nature == "calciphylaxis"]


def other_findings(ctx: Ctx) -> list[Block]:
    """Findings recorded beside the lesions that are not calciphylaxis (a calcinosis nodule, a
    scar), named as such, with their body-map numbers."""
    bits = []
    for i, l in enumerate(ctx.case.lesions, 1):
        if l.nature == "calciphylaxis":
            continue
        when = ctx.prose_when(l.onset)
        desc = "; ".join(x for x in (plain(l.description).rstrip("."), f"cause: {plain(l.cause)}" if l.cause else "") if x)
        where = site_text(l)
        if where == "—":  # no site recorded: the finding is named without one, not "of the —"
            what = "a finding, site not recorded" if l.nature == "other" else f"{NATURE[l.nature]}, site not recorded"
        else:
            what = where if l.nature == "other" else f"{NATURE[l.nature]} of the {where}"
        bits.append(f"{what} (number {i}" + (f", {when}" if when else "") + ")"
                    + (f": {lower_first(desc).rstrip('.')}" if desc else ""))
    if not bits:
        return []
    text = "; ".join(bits)
    return [Para([Span("Other findings, not calciphylaxis.", bold=True), Span(" " + text[:1].upper() + text[1:] + ".")])]


def clinical_findings(ctx: Ctx) -> list[Block]:
    case = ctx.case
    out: list[Block] = [ctx.heading("Clinical findings", 1)]
    out += prose(case.manuscript.clinical_findings)
    vrows = vitals_rows(ctx)
    if vrows and not all_in_prose(vrows, case.manuscript.clinical_findings):
        out += table(ctx, "Vital signs", ["Measurement", "Value", "Unit", "Time", "Note"], vrows,
                     [110, 60, 50, 110, 152], align_right=[1], cite="Table {n} gives the vital signs.")
    if case.lesions:
        rows = lesion_rows(ctx)
        fig = ctx.fig_no + 1  # the body map follows the table
        from .. import bodymap
        if not any(bodymap.primary_view(l.site, l.laterality) for l in case.lesions):
            fig = None  # no site is stated precisely enough to draw: the table says them all
        if rows:
            ltab = ctx.next_tab()
            out += table(ctx, "Lesions" + (" (numbers as on the body map)" if fig else ""),
                         ["No.", "Site", "Onset", "Appearance"], rows, [26, 150, 90, 216], number=ltab,
                         cite="The lesions are listed in Table {n}"
                              + (f" and their sites are shown in Fig. {fig}." if fig else "."))
        else:
            ltab = None
            if fig:
                out.append(Para([Span(f"Fig. {fig} shows the sites of the findings.")]))
        out += other_findings(ctx)
        if fig:
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


def said_before_day0(e: Event) -> bool:
    """An event with no time whose words put it before the index event ("recently, before presentation")."""
    return any(w in e.when.label.lower() for w in BEFORE_WORDS)


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
        if said_before_day0(e):
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
    if not names:  # a biopsy taken at this event, named with its result (the Biopsy paragraph tells the rest)
        names = ["skin biopsy" + (f": {BIOPSY[b.result]}" if b.result in BIOPSY else "")
                 for b in ctx.case.biopsies if b.when.event_id == e.id]
    o = ctx.case.outcome
    if not names and o.when.event_id == e.id:  # the event the outcome was assessed at
        said = [f"outcome: {OUTCOME[o.status].lower()}" if o.status != "unknown" else "",
                f"wound healing: {HEALING[o.wound_healing].lower()}" if o.wound_healing != "unknown" else ""]
        names = ["; ".join(x for x in said if x).capitalize()]
    names = list(dict.fromkeys(n for n in names if n))
    # "coronary intervention requiring mechanical circulatory support" already names "mechanical circulatory support"
    names = [n for n in names if not any(n != m and n.lower() in m.lower() for m in names)]
    return "; ".join(names)


def told_where(ctx: Ctx, text: str) -> str:
    """Where the author's own prose tells ``text`` in full, for a table row that would otherwise print
    a bare dash: "See Patient information and Diagnostic assessment." ("" when some of it is told
    nowhere there)."""
    m, p = ctx.case.manuscript, ctx.case.patient
    parts = [("Patient information", (p.presenting_concerns, p.history, p.past_interventions)),
             ("Clinical findings", (m.clinical_findings,)),
             ("Diagnostic assessment", (m.diagnostic_assessment, ctx.case.diagnosis.reasoning)),
             ("Therapeutic intervention", (m.therapeutic_intervention,)),
             ("Follow-up and outcomes", (m.follow_up,))]
    proses = [(name, " ".join(t for x in texts for t in paragraph_texts(x)).lower()) for name, texts in parts]
    where: list[str] = []
    for clause in re.split(r";\s+|(?<=[.!?])\s+", plain(text).strip()):
        if not clause.strip():
            continue
        name = next((n for n, prose_text in proses if prose_text and not untold(clause, prose_text)), None)
        if name is None:
            return ""
        if name not in where:
            where.append(name)
    return f"See {' and '.join(where)}." if where else ""


def brief(text: str, most: int = 15) -> str:
    """A description the running text already tells, in at most ``most`` words for its table row:
    the whole of it when short, else its first clause (up to a colon or semicolon), else nothing."""
    t = plain(text).strip().rstrip(".")
    for part in (t, re.split(r"[:;]|(?<=\.)\s", t)[0].strip().rstrip(".")):
        if part and len(part.split()) <= most:
            return part
    return ""


def signs_untold(e: Event, author: str) -> str:
    """The signs recorded for an event ("cellulitis", "fever") that the author's words do not say yet,
    in words: "cellulitis, wound infection"; "" when there are none."""
    return ", ".join(SIGN_WORDS.get(s, s) for s in e.signs if not says(SIGN_WORDS.get(s, s), author))


def relative_row(e: Event, rows_of: dict[str, int]) -> str:
    """The time of an event placed only from another event that has no place itself: "4 weeks
    after no. 5", "at the time of no. 3"."""
    n = rows_of.get(e.when.event_id or "")
    if n is None:
        return "—"
    off = e.when.offset
    if not off:
        return f"at the time of no. {n}"
    k = abs(off)
    unit = e.when.precision + ("" if k == 1 else "s")
    return f"{'about ' if e.when.approximate else ''}{k:g} {unit} {'before' if off < 0 else 'after'} no. {n}"


def timeline(ctx: Ctx) -> list[Block]:
    out: list[Block] = [ctx.heading("Timeline", 1)]
    evs = ordered_events(ctx)
    if not evs:
        return out  # case_presentation leaves it out, or shows a draft's placeholder
    idx = ctx.case.index_event
    rows = []
    items = []
    fallback: dict[tuple[int, int], str] = {}
    rows_of = {e.id: i for i, (e, _) in enumerate(evs, 1)}
    for i, (e, p) in enumerate(evs, 1):
        t = ctx.when(When(event_id=e.id)) if p else ctx.when(e.when, "—")
        if t == "—":
            t = relative_row(e, rows_of)
        if p is None and said_before_day0(e):
            t = f"before day 0 ({plain(e.when.label)})" if "before" not in t.lower() else t
        kind = EVENT_KIND.get(e.kind, e.kind)
        short = event_short(ctx, e) or told_where(ctx, e.description)
        # the running text tells the story: the row keeps only what it does not already say
        desc = untold(e.description, ctx.author_text()) or brief(e.description) or short
        signs = signs_untold(e, ctx.author_text() + " " + desc)
        if signs:  # the signs the author ticked that no words of theirs say ("cellulitis")
            lead = desc.rstrip()
            if lead and not lead.endswith((".", "!", "?")):
                lead += "."
            desc = f"{lead} Signs: {signs}.".strip()
        rows.append([str(i), t, kind, desc])
        if short:  # the copy-edit cuts a repeated description: a pointer or a few words, not a dash
            fallback[(i - 1, 3)] = short
        if p is not None:
            items.append(charts.TimelineItem(i, p.day, kind, p.approximate, p.precision))
    if len(items) < 3:
        items = []  # one or two events on a day axis add nothing to the table
    tab = ctx.next_tab()
    fig = ctx.fig_no + 1 if items else None
    day0 = (f"Day 0 is the day of {ctx.index_name()}; times are counted in days from it. " if idx
            else "No index event is set, so the events cannot be placed in time. ")
    # the events whose time is not known relative to day 0 ("a few months later") are listed last: said,
    # or the table reads as if they came after the last dated one
    last = [str(i) for i, (e, p) in enumerate(evs, 1)
            if p is None and not said_before_day0(e)]
    order = "in time order"
    if idx and last and len(last) < len(evs):
        nos = last[0] if len(last) == 1 else ", ".join(last[:-1]) + " and " + last[-1]
        order += (f"; no. {nos}, whose time is not known relative to day 0, comes last" if len(last) == 1 else
                  f"; nos. {nos}, whose times are not known relative to day 0, come last")
    shown = "the others" if idx and last else "them"
    cite = f"Table {tab} lists the events {order}" + (f"{',' if ';' in order else ''} and Fig. {fig} shows {shown} on a "
                                                       "day axis." if fig else ".")
    out.append(Para([Span(day0 + cite)]))
    out += table(ctx, "Timeline of the episode of care", ["No.", "Time", "Event", "Description"], rows,
                 [26, 96, 78, 282], number=tab)
    out[-1].fallback = fallback
    if items:
        n = ctx.next_fig()
        drawings = charts.timeline_drawings(items, TEXT_W)
        cap = (f"Timeline of the case on a day axis: the events of Table {tab} (day 0 = {ctx.index_name()}); an open dot, “~” and a bar "
               "mark an approximate time.")
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
