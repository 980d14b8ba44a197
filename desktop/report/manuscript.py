"""The manuscript part of the case report: front matter, abstract, case presentation (with its
tables and figures), discussion, declarations and references. Structure after the Journal of
Medical Case Reports article type and the CARE checklist (shared/domain/case-reports.md §1).

It builds format-neutral content (``desktop.report.content``), which the PDF writer
(``desktop.report.story``) and the Word writer (``desktop.interop.docx``) both render: one
manuscript, two formats.

The builder reads only the case it is given: for a default (de-identified) report that is the
output of ``desktop.privacy.deidentify``, so no identifier and no calendar date can reach the text.
``case.identifiers`` is read only when ``identified`` is set.
"""
from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass, field

from .. import catalogue
from ..core import reference
from ..core.types import Assessment
from ..model import Case, Event, LabResult, Lesion, Figure, Treatment, When
from ..timing import Placed, Timeline, describe
from . import charts, editing, fmt, photos
from . import content as c
from .consent import consent_statement
from .content import Block, Mark, Para, Rich, Span
from .errors import ReportError
from .required import placeholder
from .fonts import SANS
from .styles import HIGH, LOW, TEXT_W
from .text import paragraph_texts, plain


def fmt_int(value: float) -> str:
    return f"{value:.0f}"


EVENT_KIND = {
    "symptom_onset": "Symptom onset", "lesion_onset": "Lesion onset", "presentation": "Presentation",
    "examination": "Examination", "laboratory": "Laboratory", "imaging": "Imaging", "biopsy": "Biopsy",
    "procedure": "Procedure", "treatment_start": "Treatment start", "treatment_change": "Treatment change",
    "treatment_stop": "Treatment stop", "complication": "Complication", "discharge": "Discharge",
    "follow_up": "Follow-up", "death": "Death", "other": "Other",
}
IMAGING = {"ct": "Computed tomography", "xray": "Radiograph", "mammography": "Mammography",
           "ultrasound": "Ultrasound", "mri": "Magnetic resonance imaging",
           "bone_scintigraphy": "Bone scintigraphy", "other": "Imaging"}
RESPONSE = {"improved": "Improved", "stable": "Stable", "no_improvement": "No improvement",
            "worsened": "Worsened", "not_assessed": "Not assessed"}
BIOPSY = {"confirmed": "confirmed calciphylaxis", "inconclusive": "inconclusive", "negative": "negative",
          "not_done": "not done", "planned": "planned"}
DIAG_BASIS = {"clinical": "clinical diagnosis", "biopsy": "diagnosis confirmed by biopsy",
              "imaging": "diagnosis supported by imaging", "not_made": "no diagnosis recorded"}
TRI = {"yes": "yes", "no": "no", "unknown": "not recorded"}
DIALYSIS = {"none": "no dialysis", "haemodialysis": "haemodialysis", "peritoneal": "peritoneal dialysis"}
DIALYSIS_CTX = {"pre": "pre-dialysis", "post": "post-dialysis"}
OUTCOME = {"alive": "Alive", "dead": "Died", "lost_to_follow_up": "Lost to follow-up", "unknown": "Not recorded"}
HEALING = {"healed": "Healed", "improved": "Improved", "unchanged": "Unchanged", "worsened": "Worsened",
           "unknown": "Not recorded"}
# chart units: the conventional unit of each analyte (the seed's)
TREND = (("calcium", "Calcium", "mg/dL"), ("phosphate", "Phosphate", "mg/dL"), ("pth_intact", "PTH", "pg/mL"))
LAB_DERIVED = ("ca_p_product", "corrected_calcium")  # derived values shown with the labs
CA_P_UNIT = "mg²/dL²"


@dataclass
class Ctx:
    case: Case
    identified: bool
    assessment: Assessment
    pool: Executor
    timeline: Timeline = field(init=False)
    fig_no: int = 0
    tab_no: int = 0
    warnings: list[str] = field(default_factory=list)
    photo_count: int = 0
    prepared: dict = field(default_factory=dict)  # figure id -> (pixel size, Future), see presubmit_photos
    draft: bool = False  # a draft shows a placeholder where a required part is missing

    def __post_init__(self):
        self.timeline = Timeline(self.case)

    def place(self, when: When | None) -> Placed | None:
        return self.timeline.place(when)

    def when(self, when: When | None, empty: str = "") -> str:
        if when is None or not when.is_set:
            return plain(when.label) if when is not None and when.label else empty
        placed = self.place(when)
        if placed is None:
            return plain(when.label) if when.label else (empty or "—")
        if self.identified and placed.date is not None:
            return describe(placed, identified=True)
        return table_time(placed)

    def prose_when(self, when: When | None) -> str:
        """A time as a clinician writes it in running text: "about 2 months before presentation",
        "3 weeks before presentation", "at presentation"; day numbers stay in tables and figures."""
        if when is None or not when.is_set:
            return plain(when.label) if when is not None and when.label else ""
        placed = self.place(when)
        if placed is None:
            return plain(when.label)
        if self.identified and placed.date is not None:
            return f"on {placed.date.isoformat()}"
        return relative_words(placed, self.index_name())

    def index_name(self) -> str:
        idx = self.case.index_event
        return INDEX_NAME.get(idx.kind, "the index event") if idx is not None else "the index event"

    def todo(self, name: str) -> list[Block]:
        """A draft's visible placeholder for a missing required part (a final export was refused)."""
        return [Para([Span(placeholder(name))], "note")] if self.draft else []

    def next_fig(self) -> int:
        self.fig_no += 1
        return self.fig_no

    def next_tab(self) -> int:
        self.tab_no += 1
        return self.tab_no

    def heading(self, title: str, level: int) -> c.Heading:
        return c.Heading(title, level)

    def lesion_number(self, lesion_id: str | None) -> int | None:
        for i, l in enumerate(self.case.lesions):
            if l.id == lesion_id:
                return i + 1
        return None


def table(ctx: Ctx, title: str, header: list[str], rows: list[list], widths: list[float], *,
          number: int | None = None, align_right: tuple[int, ...] | list[int] = (),
          cite: str = "") -> list[Block]:
    """A numbered table with its caption (``number`` when it was reserved earlier), cited in the
    running text just before it: ``cite`` is that sentence, with ``{n}`` for the table's number."""
    n = number if number is not None else ctx.next_tab()
    # a column with nothing recorded in any row is left out (a table of dashes says nothing)
    keep = [j for j in range(len(header))
            if j == 0 or any(not (isinstance(r[j], str) and r[j].strip() in ("", "—")) for r in rows)]
    if len(keep) < len(header):
        total = sum(widths)
        kept_w = sum(widths[j] for j in keep)
        header = [header[j] for j in keep]
        rows = [[r[j] for j in keep] for r in rows]
        widths = [widths[j] * total / kept_w for j in keep]
        align_right = [keep.index(j) for j in align_right if j in keep]
    out: list[Block] = []
    if cite:
        out.append(Para([Span(cite.format(n=n))]))
    out.append(c.Table(header, rows, widths, tuple(align_right), number=n, title=title))
    return out


def prose(text: str | None) -> list[Block]:
    """The author's paragraphs; nothing when nothing was recorded."""
    return [Para([Span(p)]) for p in paragraph_texts(text)]


INDEX_NAME = {"presentation": "presentation", "examination": "examination", "laboratory": "the index test",
              "imaging": "the index imaging", "biopsy": "biopsy", "procedure": "the index procedure",
              "treatment_start": "the start of treatment", "discharge": "discharge", "follow_up": "follow-up",
              "symptom_onset": "symptom onset", "lesion_onset": "lesion onset"}


def relative_words(placed: Placed, index: str) -> str:
    """"about 2 months before presentation": the interval in the unit a clinician would use."""
    day = placed.day
    about = "about " if placed.approximate or placed.precision != "day" else ""
    if placed.precision == "month" or abs(day) >= 56:
        n, unit = round(abs(day) / 30.4375), "month"
    elif placed.precision == "week" or abs(day) >= 14:
        n, unit = round(abs(day) / 7), "week"
    else:
        n, unit = round(abs(day)), "day"
    if n == 0:
        return f"around the time of {index}" if about else f"at {index}"
    return f"{about}{n} {unit}{'' if n == 1 else 's'} {'before' if day < 0 else 'after'} {index}"


def table_time(placed: Placed | None, fallback: str = "—") -> str:
    """A time in a table or figure: the day number, "about" when it is not exact."""
    if placed is None:
        return fallback
    day = round(placed.day)
    text = f"day {'−' if day < 0 else ''}{abs(day)}"
    return f"about {text}" if placed.approximate or placed.precision != "day" else text


def labelled(label: str, text: str | None, style: str = "body") -> list[Block]:
    """'**Label.** first paragraph', then the further paragraphs (nothing when the text is empty)."""
    paras = paragraph_texts(text)
    if not paras:
        return []
    return [Para([Span(f"{label}.", bold=True), Span(" " + paras[0])], style)] + [Para([Span(p)], style)
                                                                                 for p in paras[1:]]


def with_note(main: str, note: str, prefix: str = "") -> Rich:
    """A cell with a small muted note under its main text."""
    return Rich((Span(main), Span("\n"), Span(prefix + note, tone="muted", small=True)))


def site_text(lesion: Lesion) -> str:
    site = catalogue.sites().get(lesion.site)
    name = site.label if site else (plain(lesion.site) or "—")
    if lesion.laterality in ("left", "right", "bilateral"):
        name = f"{name}, {lesion.laterality}"
    if lesion.site_detail:
        name = f"{name} ({plain(lesion.site_detail)})"
    return name


def title_text(case: Case) -> str:
    title = plain(case.title) or "Untitled case"
    if "case report" not in title.lower():
        title += ": a case report"
    return title


# --- front matter ----------------------------------------------------------------------------------

IDENTIFIED_BANNER = ("IDENTIFIED COPY — contains patient identifiers and calendar dates. For the "
                     "author's own records only: never submit or share.")
DRAFT_BANNER = "DRAFT — NOT FOR SUBMISSION: no consent for publication is recorded."


def author_lines(case: Case) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(name, superscript mark) per author, the affiliations numbered in first-seen order, and the
    corresponding authors' e-mail addresses."""
    affs: list[str] = []
    names = []
    for a in case.authors:
        nums = []
        for aff in a.affiliations:
            aff = plain(aff)
            if not aff:
                continue
            if aff not in affs:
                affs.append(aff)
            nums.append(str(affs.index(aff) + 1))
        mark = f"{','.join(nums)}{'*' if a.corresponding else ''}" if nums or a.corresponding else ""
        names.append((plain(a.name or "Unnamed author"), mark))
    emails = [plain(a.email) for a in case.authors if a.corresponding and a.email]
    return names, affs, emails


def front_matter(ctx: Ctx, *, draft: bool) -> list[Block]:
    case = ctx.case
    out: list[Block] = []
    if ctx.identified:
        out.append(Para([Span(IDENTIFIED_BANNER)], "banner"))
    elif draft and not case.consent.recorded:
        out.append(Para([Span(DRAFT_BANNER)], "banner"))
    out.append(Para([Span(title_text(case))], "title"))
    if not plain(case.title) or "case report" not in plain(case.title).lower():
        ctx.warnings.append('The title does not say "case report"; the report adds ": a case report" (CARE item 1).')
    # authors with numbered affiliations, in first-seen order
    names, affs, emails = author_lines(case)
    if names:
        spans: list[Span] = []
        for i, (name, mark) in enumerate(names):
            spans.append(Span((", " if i else "") + name))
            if mark:
                spans.append(Span(mark, sup=True))
        out.append(Para(spans, "authors"))
    for i, aff in enumerate(affs, 1):
        out.append(Para([Span(str(i), sup=True), Span(f" {aff}")], "affil"))
    if emails:
        out.append(Para([Span("* Correspondence: " + "; ".join(emails))], "affil"))
    out.append(c.Gap(8))

    # structured abstract (JMCR: Background / Case presentation / Conclusions)
    out.append(ctx.heading("Abstract", 0))
    n = case.manuscript
    for label, text in (("Background", n.abstract_background), ("Case presentation", n.abstract_case),
                        ("Conclusions", n.abstract_conclusions)):
        paras = paragraph_texts(text)
        if not paras and not ctx.draft:
            continue
        first = [Span(" " + paras[0])] if paras else [Span(" " + placeholder(f"abstract, {label.lower()}"),
                                                            tone="muted")]
        out.append(Para([Span(f"{label}:", bold=True)] + first, "abstract"))
        out.extend(Para([Span(p)], "abstract") for p in paras[1:])
    kws = [plain(k) for k in case.keywords if plain(k)]
    if kws or ctx.draft:
        out.append(Para([Span("Keywords:", bold=True), Span(" ")]
                        + ([Span(", ".join(kws))] if kws else [Span(placeholder("keywords"), tone="muted")]),
                        "abstract"))
    return out


def identifier_rows(ctx: Ctx) -> list[tuple[str, str]]:
    ids = ctx.case.identifiers
    rows: list[tuple[str, str]] = []
    name = " ".join(p for p in (ids.given_names, ids.family_name) if p)
    for label, value in (
        ("Name", name), ("Date of birth", ids.date_of_birth or ""),
        ("Record numbers", "; ".join(f"{r.system}: {r.value}".strip(": ") for r in ids.record_numbers)),
        ("Address", ", ".join(p for p in (ids.street, ids.city, ids.county, ids.state, ids.zip_code) if p)),
        ("Telephone", ids.phone), ("Fax", ids.fax), ("E-mail", ids.email), ("Social security number", ids.ssn),
        ("URLs", "; ".join(ids.urls)), ("IP addresses", "; ".join(ids.ip_addresses)),
        ("Relatives, employers, household", "; ".join(ids.relatives)), ("Other identifiers", "; ".join(ids.other)),
    ):
        if value:
            rows.append((label, plain(value)))
    return rows


def identifiers_section(ctx: Ctx) -> list[Block]:
    """Only for ``identified`` reports: the patient's direct identifiers, for the author's records."""
    rows = identifier_rows(ctx)
    out: list[Block] = [ctx.heading("Patient identifiers (author's records only)", 0)]
    out.append(c.KeyValues(rows) if rows else Para([Span("No identifiers recorded.")], "note"))
    return out


# --- case presentation -------------------------------------------------------------------------------

def age_text(ctx: Ctx) -> str:
    p = ctx.case.patient
    if p.age_over_89 or (p.age_years is not None and p.age_years > 89 and not ctx.identified):
        return "90 or older"
    if p.age_years is None:
        return ""
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


def body_map(ctx: Ctx, lesion_table: int) -> list[Block]:
    from .bodymap_figure import bodymap_drawing, legend_rows, lesion_markers
    drawing = bodymap_drawing(lesion_markers(ctx.case), min(TEXT_W, 400), max_height_pt=330,
                              sex=ctx.case.patient.sex, font=SANS, bold_font=SANS + "-Bold")
    n = ctx.next_fig()
    cap = [Span(f"Body map of the lesions, numbered as in Table {lesion_table}")]
    legend = legend_rows(ctx.case)
    for i, (num, text) in enumerate(legend):
        cap += [Span("; " if i else ": "), Span(str(num), bold=True), Span(f" — {plain(text)}")]
    cap.append(Span("."))
    drawing.hAlign = "CENTER"
    return [c.Figure(n, [drawing], cap)]


# --- photos -------------------------------------------------------------------------------------------

def report_figure(case: Case, identified: bool) -> list[Figure]:
    """Images that go into the report. Identifying ones only in an identified report or when the
    consent covers images (the de-identified case has already dropped them; this is a second lock)."""
    out = []
    for m in case.figures:
        if not m.in_report or not (m.mime or "").startswith("image/"):
            continue
        if m.identifying and not (identified or case.consent.covers_images):
            continue
        out.append(m)
    return out


def photo_groups(case: Case, identified: bool) -> list[list[Figure]]:
    """The photos of the clinical findings, and those of the imaging section, in report order."""
    figures = report_figure(case, identified)
    return [[m for m in figures if m.imaging_id is None], [m for m in figures if m.imaging_id is not None]]


GAP = 14
LONG_CAPTION = 500  # characters: such a photo gets a block of its own, whose caption may run on


def photo_box(group_size: int, caption: str) -> tuple[float, float, bool]:
    """(width, height) of the box a photo is fitted into, and whether it stands alone."""
    alone = group_size == 1 or len(caption) > LONG_CAPTION
    if alone:
        return TEXT_W * 0.62, 250.0, True
    return (TEXT_W - GAP) / 2, 190.0, False


def presubmit_photos(case: Case, identified: bool, pool: Executor) -> dict[str, tuple[tuple[int, int], Future]]:
    """Start decoding the photos at once, before de-identification and the assessment run: by figure
    id, the pixel size asked for and the pending JPEG. A photo whose box turns out different (its
    caption was redacted) is simply decoded again; one that cannot be read is left for the figure
    to report with its number."""
    out = {}
    for group in photo_groups(case, identified):
        for m in group:
            try:
                p = photos.probe(m.data, "")
            except ReportError:
                continue
            bw, bh, _ = photo_box(len(group), m.caption)
            size = photos.target_px(p, *photos.fit(p, bw, bh))
            out[m.id] = (size, photos.submit(pool, m.data, size))
    return out


def figure_context(ctx: Ctx, m: Figure) -> str:
    """'glans penis, day 2': what and when a photo shows, for its caption and error messages."""
    bits = []
    lesion = ctx.case.lesion(m.lesion_id)
    if lesion is not None:
        bits.append(site_text(lesion))
    elif m.imaging_id:
        im = next((x for x in ctx.case.imaging if x.id == m.imaging_id), None)
        if im is not None:
            bits.append(f"{IMAGING[im.modality].lower()}{', ' + plain(im.region) if im.region else ''}")
            if not m.event_id and im.when.is_set:
                bits.append(ctx.when(im.when))
    ev = ctx.case.event(m.event_id)
    if ev is not None:
        bits.append(ctx.when(When(event_id=ev.id)))
    return ", ".join(b for b in bits if b)


def photo_caption(ctx: Ctx, m: Figure, where: str) -> str:
    num = ctx.lesion_number(m.lesion_id)
    cap = plain(m.caption) if m.caption else "Photograph"
    extra = ", ".join(x for x in ((f"lesion {num}" if num else ""), where) if x)
    if extra:
        cap = f"{cap.rstrip('.')} ({plain(extra)})."
    elif not cap.endswith("."):
        cap += "."
    return cap


def photo_figures(ctx: Ctx, figures: list[Figure]) -> list[Block]:
    """Photos as numbered figures; their JPEGs are prepared on the pool while the rest is built."""
    if not figures:
        return []
    out: list[c.Photo] = []
    for m in figures:
        n = ctx.next_fig()
        where = figure_context(ctx, m)
        label = f"Figure {n} ({where})" if where else f"Figure {n}"
        p = photos.probe(m.data, label)
        bw, bh, alone = photo_box(len(figures), m.caption)
        w, h = photos.fit(p, bw, bh)
        size = photos.target_px(p, w, h)
        early = ctx.prepared.get(m.id)
        fut = early[1] if early is not None and early[0] == size else photos.submit(ctx.pool, m.data, size, label)
        ctx.photo_count += 1
        out.append(c.Photo(n, fut, w, h, label, [Span(photo_caption(ctx, m, where))], alone))
    nums = [p.number for p in out]
    cite = (f"Fig. {nums[0]} shows" if len(nums) == 1 else
            f"Figs. {', '.join(map(str, nums[:-1]))} and {nums[-1]} show")
    what = ("the images" if len(nums) > 1 else "the image") if figures[0].imaging_id else (
        "the lesions" if len(nums) > 1 else "the lesion")
    return [Para([Span(f"{cite} {what}.")]), c.Photos(out)]


# --- timeline -----------------------------------------------------------------------------------------

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


# --- diagnostic assessment --------------------------------------------------------------------------

def lab_rows(ctx: Ctx) -> tuple[list[list], bool]:
    """The lab table's rows in time order, and whether any shows a default (catalogue) range.
    A result outside its range has its value in bold and its flag in colour, unless it is marked
    as expected (a dialysis patient's urea), which prints "H (expected)" plainly."""
    order = {l.id: i for i, l in enumerate(ctx.case.labs)}
    placed = {l.id: ctx.place(l.when) for l in ctx.case.labs}

    def key(l: LabResult):
        p = placed[l.id]
        return (p is None, p.day if p else 0.0, fmt.analyte_label(l.analyte), order[l.id])

    rows, defaults = [], False
    for lab in sorted(ctx.case.labs, key=key):
        f = fmt.flag(lab)
        flag_text: str | Mark = f
        if lab.expected_abnormal:
            flag_text = f"{f} (expected)" if f else "expected abnormal"
        p = placed[lab.id]
        t = describe(p, identified=ctx.identified) if p else (plain(lab.when.label) or "—")
        t = ctx.when(lab.when, "—") if p else t
        if lab.dialysis_context in DIALYSIS_CTX:
            t = f"{t}, {DIALYSIS_CTX[lab.dialysis_context]}"
        name = fmt.analyte_label(lab.analyte)
        name_cell = with_note(plain(name), plain(lab.note)) if lab.note else name
        ref = fmt.reference_range(lab)
        rr = fmt.range_text(ref, lab)
        if ref is not None and ref.is_default and rr != "—":
            rr += " *"
            defaults = True
        value: str | Mark = fmt.lab_value_text(lab)
        if f and not lab.expected_abnormal:
            flag_text = Mark(f, "high" if f == "H" else "low")
            value = Mark(value)
        rows.append([name_cell, value, plain(lab.unit), rr, flag_text, t])
    return rows, defaults


def derived_rows(ctx: Ctx) -> list[list]:
    rows = []
    for d in ctx.assessment.derived:
        if d.kind not in LAB_DERIVED:
            continue
        value = f"{fmt.num(d.value, 1 if abs(d.value) >= 10 else 2)} {d.unit}"
        if d.alt_value is not None and d.alt_unit:
            value += f" ({fmt.num(d.alt_value, 1 if abs(d.alt_value) >= 10 else 2)} {d.alt_unit})"
        inputs = "; ".join(f"{plain(e.label)} {plain(e.value)} {plain(e.unit)}".strip() for e in d.inputs)
        note = "; ".join(x for x in (inputs and f"from {inputs}", plain(d.caveat)) if x)
        when = (table_time(Placed(d.day, "approximate" in (d.time or ""), "day", None))
                if d.day is not None else plain(d.time) or "—")
        rows.append([plain(d.label), value, when, note])
    return rows


def lab_trend(ctx: Ctx) -> list[Block]:
    """Calcium and phosphate, Ca×P with the 70 and 55 lines, PTH: one panel each, shared day axis."""
    series: dict[str, list[charts.Point]] = {}
    for lab in ctx.case.labs:
        for code, _name, unit in TREND:
            if lab.analyte == code:
                p = ctx.place(lab.when)
                v = fmt.in_unit(lab, unit)
                if p is not None and v is not None:
                    series.setdefault(code, []).append(charts.Point(p.day, v, p.approximate))
    cap_p = []
    for d in ctx.assessment.derived:
        if d.kind != "ca_p_product" or d.day is None:
            continue
        value = d.value if d.unit == CA_P_UNIT else (d.alt_value if d.alt_unit == CA_P_UNIT else None)
        if value is not None:  # the product in the conventional unit the 70 and 55 lines are given in
            cap_p.append(charts.Point(d.day, value, "approximate" in (d.time or "")))
    cap_unit = CA_P_UNIT
    panels = []
    if "calcium" in series or "phosphate" in series:
        ss = []
        if "calcium" in series:
            ss.append(charts.Series("Calcium", series["calcium"], charts.series_color(0)))
        if "phosphate" in series:
            ss.append(charts.Series("Phosphate", series["phosphate"], charts.series_color(1), marker="square"))
        panels.append(charts.Panel("Calcium and phosphate (mg/dL)", ss, y_min=0))
    risk, goal = reference.ca_p_lines()  # resources/rules (domain file §2, §4)
    if cap_p:
        panels.append(charts.Panel(f"Calcium × phosphate ({cap_unit})",
                                   [charts.Series("Ca × P", cap_p, charts.series_color(2))],
                                   [charts.RefLine(risk.value, f"{fmt_int(risk.value)}: risk threshold", HIGH),
                                    charts.RefLine(goal.value, f"{fmt_int(goal.value)}: treatment goal", LOW)],
                                   y_min=0))
    if "pth_intact" in series:
        panels.append(charts.Panel("Parathyroid hormone, intact (pg/mL)",
                                   [charts.Series("PTH", series["pth_intact"], charts.series_color(3))], y_min=0))
    if not panels:
        return []
    n = ctx.next_fig()
    cite = Para([Span(f"Fig. {n} plots these laboratory values over time.")])
    d = charts.panels_drawing(panels, TEXT_W, panel_h=78 if len(panels) > 2 else 92)
    cap = ("Laboratory trends against days from the index event. "
           + (f"Calcium × phosphate product with the {fmt_int(risk.value)} {risk.unit} risk threshold ({risk.source}) "
              f"and the {fmt_int(goal.value)} {goal.unit} treatment goal ({goal.source}). " if cap_p else "")
           + "Filled markers: exact times; open markers: approximate times. Values converted to the units shown.")
    return [cite, c.Figure(n, [d], [Span(cap)])]


def diagnostic_assessment(ctx: Ctx) -> list[Block]:
    case = ctx.case
    out: list[Block] = [ctx.heading("Diagnostic assessment", 1)]
    out += prose(case.manuscript.diagnostic_assessment)
    if case.labs:
        rows, defaults = lab_rows(ctx)
        out += table(ctx, "Laboratory results (H/L: above/below the reference range)",
                     ["Analyte", "Value", "Unit", "Reference range", "Flag", "Time"],
                     rows, [118, 50, 52, 78, 62, 122], align_right=[1],
                     cite="The laboratory results are given in Table {n}.")
        if defaults:
            out[-1].note = [Span("* No range was reported with this result; the default range of the analyte "
                                 "catalogue is shown.")]
    drows = derived_rows(ctx)
    if drows:
        out += table(ctx, "Derived values", ["Quantity", "Value", "Time", "Inputs and caveats"], drows,
                     [110, 110, 90, 172], cite="Table {n} gives the values derived from them.")
    out += lab_trend(ctx)
    if case.imaging:
        out.append(ctx.heading("Imaging", 2))
        for im in case.imaging:
            head = IMAGING[im.modality] + (f" of the {plain(im.region)}" if im.region else "")
            when = ctx.prose_when(im.when)
            rest = [f"({when})." if when else "."]
            if im.findings:
                rest.append(plain(im.findings))
            if im.vascular_calcification != "unknown":
                rest.append(f"Vascular calcification: {TRI[im.vascular_calcification]}.")
            out.append(Para([Span(head, bold=True), Span(" " + " ".join(rest))]))
        out += photo_figures(ctx, photo_groups(ctx.case, ctx.identified)[1])
    if case.biopsies:
        out.append(ctx.heading("Biopsy", 2))
        sites = catalogue.sites()
        for b in case.biopsies:
            where = sites[b.site].label if b.site in sites else ""
            num = ctx.lesion_number(b.lesion_id)
            if num:
                where = f"{where} (lesion {num})".strip()
            if b.site_detail:
                where = f"{where}, {plain(b.site_detail)}".strip(", ")
            when = ctx.prose_when(b.when)
            rest = [f"({when}): result {BIOPSY[b.result]}." if when else f"Result {BIOPSY[b.result]}."]
            if b.findings:
                rest.append(plain(b.findings))
            if b.complications:
                rest.append(f"Complications: {plain(b.complications)}")
            out.append(Para([Span(f"Skin biopsy{(' of the ' + plain(where)) if where else ''}", bold=True),
                             Span(" " + " ".join(rest))]))
    dx = case.diagnosis
    heading_at = len(out)
    out.append(ctx.heading("Diagnosis", 2))
    when = ctx.prose_when(dx.when)
    if dx.basis != "not_made":  # "no diagnosis recorded" is not a statement the manuscript makes
        out.append(Para([Span(DIAG_BASIS[dx.basis].capitalize(), bold=True), Span(f" ({when})." if when else ".")]))
    out += prose(dx.reasoning)
    if dx.differentials:
        status = {"excluded": "Excluded", "considered": "Considered", "not_excluded": "Not excluded"}
        out += table(ctx, "Differential diagnosis", ["Diagnosis", "Status", "How"],
                     [[plain(x.name), status[x.status], plain(x.how)] for x in dx.differentials],
                     [140, 70, 272], cite="The differential diagnosis is set out in Table {n}.")
    for label, text in (("Diagnostic challenges", dx.challenges), ("Prognosis", dx.prognosis)):
        out += labelled(label, text)
    if len(out) == heading_at + 1:  # nothing recorded about the diagnosis: no empty subsection
        out.pop()
    return out


# --- therapy and follow-up --------------------------------------------------------------------------

def in_history(ctx: Ctx, t: Treatment) -> bool:
    """Whether a treatment belongs to the patient's history (CARE 5d, patient information) rather
    than to this episode of care: the author's choice (``Treatment.history``) when made, else
    whether it started before the index event (placed before day 0, or only said to be "before"
    or "prior to" it)."""
    if t.history is not None:
        return t.history
    placed = ctx.place(t.start)
    if placed is not None:
        return placed.day < 0
    label = t.start.label.lower()
    return any(w in label for w in ("before", "prior", "previous", "earlier"))


def response_parts(t: Treatment) -> tuple[str, str]:
    """The response in a word or two ("No improvement"), and what the author added, each said once:
    ("No improvement", " in the digital lesions. Adverse events: none.")."""
    resp = RESPONSE.get(t.response or "", "")
    detail = plain(t.response_detail)
    if resp and detail.lower().startswith(resp.lower()):
        detail = detail[len(resp):]
    elif resp and detail:
        detail = ": " + detail
    elif detail:
        detail = detail[:1].upper() + detail[1:]
    if plain(t.adverse_events):
        detail = detail.rstrip(". ") + (". " if detail.strip() or resp else "") + f"Adverse events: {plain(t.adverse_events)}"
    return resp, detail


def response_text(t: Treatment) -> str:
    resp, detail = response_parts(t)
    text = (resp + detail).strip()
    return text + ("." if text and not text.endswith(".") else "")


def response_cell(t: Treatment):
    resp, detail = response_parts(t)
    if not resp and not detail:
        return "—"
    return Rich(tuple(x for x in (Span(resp, bold=True) if resp else None, Span(detail) if detail else None) if x))


def past_treatments(ctx: Ctx) -> list[Block]:
    """Interventions before the index event, in patient information (CARE 5d): from the author's
    "past interventions" text when recorded, otherwise one sentence each."""
    hist = [t for t in ctx.case.treatments if in_history(ctx, t)]
    if not hist or paragraph_texts(ctx.case.patient.past_interventions):
        return []
    sentences = []
    for t in hist:
        what = ", ".join(x for x in (plain(fmt.dose_text(t.dose, t.dose_unit)), plain(t.route),
                                      plain(t.schedule), plain(t.duration_text)) if x)
        s = plain(t.agent or "An intervention") + (f" ({what})" if what else "")
        when = ctx.prose_when(t.start)
        if when:
            s += f", {when}"
        if t.indication:
            s += f", for {plain(t.indication)}"
        resp = response_text(t)
        s = s[:1].upper() + s[1:]
        sentences.append(s + "." + (f" {resp}" if resp else ""))
    return [Para([Span("Past interventions.", bold=True), Span(" " + " ".join(sentences))])]


def therapeutic_intervention(ctx: Ctx) -> list[Block]:
    case = ctx.case
    out: list[Block] = [ctx.heading("Therapeutic intervention", 1)]
    episode = [t for t in case.treatments if not in_history(ctx, t)]
    out += prose(case.manuscript.therapeutic_intervention)
    if episode:
        rows = []
        for t in episode:
            sched = [plain(t.schedule)]
            if t.times_per_week is not None and not t.schedule:
                sched.append(f"{fmt.num(t.times_per_week)} times a week")
            if t.during_dialysis == "yes" and "dialysis" not in t.schedule.lower():
                sched.append("during dialysis")
            if t.duration_text:
                sched.append(plain(t.duration_text))
            agent = plain(t.agent or "unnamed")
            agent_cell = with_note(agent, plain(t.indication), "for ") if t.indication else Rich((Span(agent),))
            resp = response_cell(t)
            rows.append([agent_cell, plain(fmt.dose_text(t.dose, t.dose_unit)) or "—", plain(t.route) or "—",
                         ", ".join(s for s in sched if s) or "—", ctx.when(t.start, "—"), ctx.when(t.stop, "—"), resp])
        out += table(ctx, "Therapeutic interventions", ["Agent", "Dose", "Route", "Schedule", "Start", "Stop", "Response"],
                     rows, [90, 38, 50, 78, 68, 62, 96],
                     cite="Table {n} lists the interventions of this episode of care with their administration "
                          "and the response.")
    return out


def push_by_observation(ctx: Ctx) -> dict[str, float]:
    """PUSH 3.0 totals the assessment core derived, by observation id (its ``ref``)."""
    out = {}
    for d in ctx.assessment.derived:
        if d.kind == "push_total" and d.ref:
            out[d.ref.rsplit("/", 1)[-1]] = d.value
    return out


def wound_section(ctx: Ctx) -> list[Block]:
    obs = [(i, l, o) for i, l in enumerate(ctx.case.lesions, 1) for o in l.observations]
    if not obs:
        return []
    push = push_by_observation(ctx)
    out: list[Block] = []
    rows = []
    area_series, push_series = [], []
    for i, l, o in obs:
        size = " × ".join(fmt.num(v) for v in (o.length_mm, o.width_mm, o.depth_mm) if v is not None)
        area = o.length_mm * o.width_mm / 100 if o.length_mm is not None and o.width_mm is not None else None
        exu = ", ".join(x for x in (o.exudate_amount or "", o.exudate_type or "") if x and x != "none") or (
            "none" if o.exudate_amount == "none" else "")
        ps = push.get(o.id)
        rows.append([str(i), ctx.when(o.when, "—"), f"{size} mm" if size else "—",
                     fmt.num(area, 2) if area is not None else "—", o.tissue_type or "—", exu or "—",
                     fmt.num(ps) if ps is not None else "—",
                     f"{o.pain_0_10}" if o.pain_0_10 is not None else "—"])
    out += table(ctx, "Wound observations (lesion numbers as in the lesion table)",
                 ["Lesion", "Time", "Size (L × W × D)", "Area (cm²)", "Tissue", "Exudate", "PUSH", "Pain (0–10)"],
                 rows, [36, 96, 86, 50, 62, 70, 36, 46], align_right=[3, 6, 7],
                 cite="The wound observations are given in Table {n}.")
    for k, (i, l) in enumerate((i, l) for i, l in enumerate(ctx.case.lesions, 1) if l.observations):
        a_pts, p_pts = [], []
        for o in l.observations:
            p = ctx.place(o.when)
            if p is None:
                continue
            if o.length_mm is not None and o.width_mm is not None:
                a_pts.append(charts.Point(p.day, o.length_mm * o.width_mm / 100, p.approximate))
            if o.id in push:
                p_pts.append(charts.Point(p.day, push[o.id], p.approximate))
        color = charts.series_color(k)
        if a_pts:
            area_series.append(charts.Series(f"Lesion {i}", a_pts, color))
        if p_pts:
            push_series.append(charts.Series(f"Lesion {i}", p_pts, color, dashed=True))
    panels = []
    if area_series:
        panels.append(charts.Panel("Wound area, length × width (cm²)", area_series, y_min=0))
    if push_series:
        panels.append(charts.Panel(f"PUSH 3.0 total (0–{reference.push_max()})", push_series, y_min=0))
    if panels:
        n = ctx.next_fig()
        out.append(Para([Span(f"Fig. {n} shows how the wounds changed over time.")]))
        d = charts.panels_drawing(panels, TEXT_W, panel_h=84)
        names = ", ".join(s.name for s in (area_series or push_series))
        out.append(c.Figure(n, [d], [Span(f"Wound trends by lesion ({plain(names)}). Area is length × width; "
                                          "open markers: approximate times.")]))
    return out


def follow_up(ctx: Ctx) -> list[Block]:
    case, o = ctx.case, ctx.case.outcome
    out: list[Block] = [ctx.heading("Follow-up and outcomes", 1)]
    out += prose(case.manuscript.follow_up)
    rows = []
    if o.status != "unknown":
        rows.append(("Status", OUTCOME[o.status] + (f" ({ctx.prose_when(o.when)})" if o.when.is_set else "")))
    if o.cause_of_death:
        rows.append(("Cause of death", plain(o.cause_of_death)))
    if o.wound_healing != "unknown":
        rows.append(("Wound healing", HEALING[o.wound_healing]))
    if o.amputation != "unknown":
        rows.append(("Amputation", TRI[o.amputation] + (f": {plain(o.amputation_detail)}" if o.amputation_detail else "")))
    for label, text in (("Hospitalisations", o.hospitalisations), ("Patient-assessed outcomes", o.patient_assessed),
                        ("Adherence and tolerability", o.adherence), ("Adverse and unanticipated events", o.adverse_events),
                        ("Summary", o.summary)):
        if text:
            rows.append((label, plain(text)))
    for d in ctx.assessment.derived:
        if d.kind in ("onset_to_diagnosis", "survival"):
            text = f"{fmt.num(d.value, 0)} {d.unit}"
            if d.alt_value is not None and d.alt_unit:
                text += f" ({fmt.num(d.alt_value, 1)} {d.alt_unit})"
            if d.caveat:
                text += f". {plain(d.caveat)}"
            rows.append((plain(d.label), text))
    if rows:
        out.append(c.KeyValues(rows, key_w=150))
    out += wound_section(ctx)
    return out


# --- back matter ----------------------------------------------------------------------------------

def contributions_text(case: Case) -> str:
    contrib = [f"{plain(fmt.initials(a.name))}: {plain(a.contribution)}" for a in case.authors if a.contribution]
    if not contrib:
        return ""
    return (" ".join(x if x.endswith(".") else x + "." for x in contrib)
            + " All authors read and approved the final manuscript.")


def references(case: Case) -> list[str]:
    return [plain(r) for r in case.manuscript.references if plain(r)]


def declared(ctx: Ctx, title: str, text: str | None, name: str) -> list[Block]:
    """A declaration as the authors recorded it; in a draft a placeholder when it was not (a final
    export without it was refused), in an identified or other copy nothing."""
    paras = prose(text)
    if paras:
        return [ctx.heading(title, 2)] + paras
    todo = ctx.todo(name)
    return [ctx.heading(title, 2)] + todo if todo else []


ABBREVIATIONS_SLOT = c.Gap(0)  # where the Abbreviations section goes, filled in by manuscript()


def back_matter(ctx: Ctx) -> list[Block]:
    case, n = ctx.case, ctx.case.manuscript
    out: list[Block] = []
    for title, text, name in (("Discussion", n.discussion, "discussion"), ("Conclusions", n.conclusions, "conclusions")):
        paras = prose(text) or ctx.todo(name)
        if paras:
            out += [ctx.heading(title, 0)] + paras
    if paragraph_texts(n.patient_perspective):  # CARE 12 "whenever possible": only when recorded
        out += [ctx.heading("Patient perspective", 0)] + prose(n.patient_perspective)
    out.append(ABBREVIATIONS_SLOT)
    out.append(ctx.heading("Declarations", 0))
    out += declared(ctx, "Ethics approval and consent to participate", n.ethics,
                    "ethics approval and consent to participate")
    out.append(ctx.heading("Consent for publication", 2))
    if case.consent.recorded:
        out.append(Para([Span(plain(consent_statement(case.consent, identified=ctx.identified)))]))
    else:
        out += ctx.todo("consent for publication")
    out += declared(ctx, "Availability of data and materials", n.data_availability,
                    "availability of data and materials")
    out += declared(ctx, "Competing interests", n.competing_interests, "competing interests")
    out += declared(ctx, "Funding", n.funding, "funding")
    out += declared(ctx, "Authors' contributions", contributions_text(case), "authors' contributions")
    out += declared(ctx, "Acknowledgements", n.acknowledgements, "acknowledgements")
    refs = references(case)
    if refs:
        out.append(ctx.heading("References", 0))
        for i, r in enumerate(refs, 1):
            out.append(Para([Span(f"{i}.\u00a0\u00a0{r}")], "ref"))
    elif ctx.draft:
        out += [ctx.heading("References", 0)] + ctx.todo("references")
    return out


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


def manuscript(ctx: Ctx, *, draft: bool) -> list[Block]:
    """The manuscript, copy-edited (``desktop.report.editing``): each sentence once, one spelling
    variant, and an Abbreviations section listing the abbreviations it uses."""
    out = front_matter(ctx, draft=draft)
    if ctx.identified:
        out += identifiers_section(ctx)
    intro = prose(ctx.case.manuscript.introduction) or ctx.todo("background (introduction)")
    if intro:
        out += [ctx.heading("Background", 0)] + intro
    out += case_presentation(ctx)
    out += back_matter(ctx)
    out, left_out = editing.dedupe(out)
    if left_out:
        ctx.warnings.append(f"{left_out} sentence(s) that repeat what the manuscript already says were left "
                            "later sections, tables or captions.")
    variant = editing.variant_of(manuscript_texts(ctx.case))
    out = editing.unify_spelling(out, variant)
    slot = next(i for i, b in enumerate(out) if b is ABBREVIATIONS_SLOT)
    used = editing.abbreviations_used(editing.all_text(out[:slot] + out[slot + 1:]))
    section: list[Block] = []
    if used:
        section = [ctx.heading("Abbreviations", 0)] + [
            Para([Span(a + ":", bold=True), Span(" " + editing.spell(e, variant))], "body_left") for a, e in used]
    return out[:slot] + section + out[slot + 1:]


def manuscript_texts(case: Case) -> list[str]:
    """The author's own prose, whose spelling variant the manuscript follows."""
    n, p = case.manuscript, case.patient
    return [n.abstract_background, n.abstract_case, n.abstract_conclusions, n.introduction, n.clinical_findings,
            n.diagnostic_assessment, n.therapeutic_intervention, n.follow_up, n.discussion, n.conclusions,
            p.history, p.presenting_concerns, p.past_interventions, case.diagnosis.reasoning]
