"""The case presentation's diagnostic assessment (CARE 8): the laboratory results and the values
derived from them, with their trend chart; the imaging, with its images; the biopsies; and the
diagnosis with its differentials, challenges and prognosis."""
from __future__ import annotations

from ..core.derived import decimals_of
from ..model import LabResult
from ..timing import Placed
from . import fmt
from .content import Block, Mark, Para, Span
from .context import Ctx, labelled, prose, table, untold, with_note
from .figures import lab_trend, photo_figures, photo_groups
from .text import plain, says
from .wording import (BIOPSY, BIOPSY_GRADE, DIAG_BASIS, DIALYSIS_CTX, HISTOLOGY, IMAGING, QUALITATIVE, SPECIMEN, TRI,
                      relative_words, site_label)


LAB_DERIVED = ("ca_p_product", "corrected_calcium")  # derived values told with the labs
# values the authors computed and printed, kept beside Casebook's own computation of the same
REPORTED = {"ca_p_product": "ca_p_product", "calcium_corrected": "corrected_calcium", "egfr": "egfr"}
REPORTED_NAME = {"ca_p_product": "calcium × phosphate product", "calcium_corrected": "corrected calcium",
                 "egfr": "eGFR"}


def implausible_ids(ctx: Ctx) -> set[str]:
    """Labs the assessment found implausible as printed (a calcium of 7.92 "mmol/L")."""
    return {e.ref.split("/", 1)[1] for f in ctx.assessment.findings if f.rule_id == "dq-implausible-value"
            for e in f.evidence if e.ref.startswith("labs/")}


def value_text(lab: LabResult) -> str:
    """The result as the source prints it: "> 70", "undetectable", "positive", "undetectable (< 5)"."""
    qual = QUALITATIVE.get(lab.qualitative or "", "")
    if lab.value is None:
        return qual or "no value"
    number = fmt.lab_value_text(lab)
    if lab.comparator != "=":
        number = number[:1] + " " + number[1:]  # "> 70", as a clinician writes it
    return f"{qual} ({number})" if qual else number


def in_prose(lab: LabResult, said: str) -> bool:
    """Whether the author's text already gives this result with its unit ("calcium 9.1 mg/dL")."""
    if lab.value is None or lab.qualitative:
        return False
    v = fmt.lab_value_text(lab).lower().replace("≤", "<=").replace("≥", ">=")
    unit = plain(lab.unit).lower()
    return any(f"{v}{sep}{unit}" in said for sep in (" ", "")) if unit else False


def table_labs(ctx: Ctx) -> list[LabResult]:
    """The results for the lab table: not cultures (told as microbiology), not values the authors
    computed (told beside the derived values), not results the author's text already gives."""
    said = ctx.author_text()
    return [l for l in ctx.case.labs if l.analyte != "culture" and l.analyte not in REPORTED
            and not in_prose(l, said)]


def lab_rows(ctx: Ctx) -> tuple[list[list], bool]:
    """The lab table's rows in time order, and whether any shows a default (catalogue) range.
    A result outside its range has its value in bold and its flag in colour, unless it is marked
    as expected (a dialysis patient's urea), which prints "H (expected)" plainly. A value kept as
    printed says so, and one the assessment finds implausible is flagged "implausible"."""
    labs = table_labs(ctx)
    order = {l.id: i for i, l in enumerate(labs)}
    placed = {l.id: ctx.place(l.when) for l in labs}
    odd = implausible_ids(ctx)

    def key(l: LabResult):
        p = placed[l.id]
        return (p is None, p.day if p else 0.0, fmt.lab_label(l), order[l.id])

    rows, defaults = [], False
    for lab in sorted(labs, key=key):
        f = "" if lab.id in odd else fmt.flag(lab, ctx.case.patient.sex)
        if not f and lab.author_flag in ("H", "L") and fmt.reference_range(lab, ctx.case.patient.sex) is None:
            f = lab.author_flag  # the authors' own mark, when no range is printed
        flag_text: str | Mark = f
        if lab.expected_abnormal:
            flag_text = f"{f} (expected)" if f else "expected abnormal"
        t = ctx.when(lab.when, "—")
        if lab.dialysis_context in DIALYSIS_CTX:
            t = f"{t}, {DIALYSIS_CTX[lab.dialysis_context]}"
        name = fmt.lab_label(lab)
        notes = [plain(lab.note)] if lab.note else []
        if lab.as_printed or lab.id in odd:
            notes.append("as printed" + ("; implausible in this unit" if lab.id in odd else ""))
        name_cell = with_note(plain(name), "; ".join(notes)) if notes else name
        ref = fmt.reference_range(lab, ctx.case.patient.sex)
        rr = fmt.range_text(ref, lab)
        if ref is not None and ref.is_default and rr != "—":
            rr += " *"
            defaults = True
        value: str | Mark = value_text(lab)
        if lab.id in odd:
            flag_text = "implausible"
        elif f and not lab.expected_abnormal:
            flag_text = Mark(f, "high" if f == "H" else "low")
            value = Mark(value)
        # a result given in words only ("low", "positive") has no unit beside it: "low mg/dL" reads as a value
        rows.append([name_cell, value, plain(lab.unit) if lab.value is not None else "", rr, flag_text, t])
    return rows, defaults


def aside(when: str) -> str:
    """A time after a name: " (about 2 weeks after presentation)"; ", before the admission (not
    dated)" for a time with brackets of its own (no brackets inside brackets)."""
    if not when:
        return ""
    return f", {when}" if "(" in when else f" ({when})"


def microbiology(ctx: Ctx) -> list[Block]:
    """Cultures, one sentence each: specimen, when, result and organism."""
    out = []
    for lab in ctx.case.labs:
        if lab.analyte != "culture":
            continue
        what = (plain(lab.specimen) + " culture") if lab.specimen else "Culture"
        when = ctx.prose_when(lab.when)
        result = QUALITATIVE.get(lab.qualitative or "", "") or value_text(lab)
        s = what[:1].upper() + what[1:] + aside(when) + f": {result}"
        if lab.organism:
            s += f", {plain(lab.organism)}"
        note = plain(lab.note).rstrip(".")
        out.append(s + (f". {note[:1].upper()}{note[1:]}" if note else "") + ".")  # a sentence of its own
    return [Para([Span("Microbiology.", bold=True), Span(" " + " ".join(out))])] if out else []


def reported_text(lab: LabResult) -> str:
    """"80.0 mg²/dL²"; a value reported in words only ("elevated") has no unit beside it."""
    return f"{value_text(lab)} {plain(lab.unit) if lab.value is not None else ''}".strip()


def derived_prose(ctx: Ctx) -> list[Block]:
    """The values derived from the labs (the Ca × P product, the corrected calcium) in a sentence,
    each with its time, and beside it the value the authors computed and printed, if any ("as
    reported"); a reported value with no computation of its own at that time is told alone."""
    reported = [l for l in ctx.case.labs if l.analyte in REPORTED]
    used: set[str] = set()
    derived_any = False
    parts: list[str] = []
    caveats: list[str] = []
    last = ""
    for d in ctx.assessment.derived:
        if d.kind not in LAB_DERIVED:
            continue
        # printed with the decimals the core rounded it to: one rounding for one value everywhere
        value = f"{fmt.num(d.value, decimals_of(d.kind, d.unit))} {d.unit}"
        if d.alt_value is not None and d.alt_unit:
            value += f" ({fmt.num(d.alt_value, decimals_of(d.kind, d.alt_unit))} {d.alt_unit})"
        when = plain(d.time) if d.time and "not recorded" not in d.time and "day" not in d.time else ""
        if d.day is not None:
            when = relative_words(Placed(d.day, "approximate" in (d.time or ""), "day", None), ctx.index_name())
        inputs = {e.ref.split("/", 1)[1] for e in d.inputs if e.ref.startswith("labs/")}
        input_whens = [l.when for l in ctx.case.labs if l.id in inputs]

        def same_time(l: LabResult) -> bool:
            p = ctx.place(l.when)
            if p is not None and d.day is not None:
                return abs(p.day - d.day) < 0.5
            return l.when in input_whens  # tied to the same unplaced event as the inputs

        mine = [l for l in reported if REPORTED[l.analyte] == d.kind and l.id not in used and same_time(l)]
        used |= {l.id for l in mine}
        also = "; ".join(reported_text(l) + " as reported" + (f": {plain(l.note).rstrip('.')}" if l.note else "")
                         for l in mine)
        caveat = plain(d.caveat).replace("Derived, not measured.", "").strip()
        if caveat and "approximate" not in caveat and caveat not in caveats:
            caveats.append(caveat)
        derived_any = True
        label = lower(plain(d.label).removesuffix(", derived"))
        text = value + (f" {when}" if when else "") + (f" ({also})" if also else "")
        if label == last:  # the same quantity at another time: "… and 13.7 mg²/dL² at presentation"
            parts[-1] += f" and {text}"
        else:
            parts.append(f"{label} {text}")
        last = label
    for l in reported:
        if l.id not in used:
            when = ctx.prose_when(l.when)
            # the author's words for a time that do not read as one ("serial blood results") go in the
            # brackets with the other remarks, not after "as reported" as if they were a time
            told = when if when and fmt.reads_as_time(l.when, when) else ""
            notes = ([when] if when and not told else []) + (["as printed"] if l.as_printed else []) \
                + ([plain(l.note).rstrip(".")] if l.note else [])
            parts.append(f"{REPORTED_NAME[l.analyte]} {reported_text(l)} as reported" + (f" {told}" if told else "")
                         + (f" ({'; '.join(notes)})" if notes else ""))
    if not parts:
        return []
    text = "; ".join(parts)
    text = text[:1].upper() + text[1:] + "." + "".join(" " + c.rstrip(".") + "." for c in caveats)
    if not derived_any:  # only values the authors computed and printed: none is derived here
        return [Para([Span(text)])]
    return [Para([Span("Derived values.", bold=True), Span(" " + text)])]


def lower(text: str) -> str:
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


BIOPSY_SITE_FROM_SPECIMEN = ("skin_biopsy", "punch_biopsy", "deep_incisional_biopsy", "excisional_biopsy")


def not_the_biopsy_itself(ctx: Ctx, when: str) -> str:
    """A biopsy's (or a diagnosis by biopsy's) time in words, or nothing when day 0 is the biopsy and
    this is day 0: "Skin biopsy of the thigh: …", not "…, at biopsy: …"."""
    idx = ctx.case.index_event
    return "" if idx is not None and idx.kind == "biopsy" and when == f"at {ctx.index_name()}" else when


def biopsy_paragraph(ctx: Ctx, b) -> Para:
    """"Punch biopsy of the right breast (lesion 1), about 2 weeks after presentation: consistent with
    calciphylaxis; microvascular calcification, intimal fibrosis. <findings>" """
    num = ctx.lesion_number(b.lesion_id)
    lesion = ctx.case.lesion(b.lesion_id)
    if b.site:
        # the side is the lesion's, when the biopsy is of its site: "the right breast (lesion 1)"
        side = lesion.laterality if lesion is not None and lesion.site == b.site else ""
        where = ("the " + (f"{side} " if side in ("left", "right") else "") + site_label(b.site)
                 + (f" (lesion {num})" if num else ""))
    else:  # linked to a lesion, no site of its own: "Skin biopsy of lesion 1", not "of the (lesion 1)"
        where = f"lesion {num}" if num else ""
    if b.site_detail:
        where = f"{where}, {plain(b.site_detail)}" if where else f"the {plain(b.site_detail)}"
    # the specimen as recorded; "Biopsy" when the source does not say which (not "Skin biopsy")
    head = SPECIMEN.get(b.specimen or "", "Biopsy") + (f" of {where}" if where else "")
    when = not_the_biopsy_itself(ctx, ctx.prose_when(b.when))
    # a result not recorded is left out (the manuscript says only what the author recorded)
    result = BIOPSY_GRADE[b.grade] if b.grade else BIOPSY.get(b.result or "", "")
    # a coded feature the findings printed after it already name is not said first as well:
    # "microvascular calcification. … mild acute and chronic inflammation …", not "…, inflammation. …"
    told_findings = untold(b.findings, ctx.author_text()) if b.findings else ""
    names = [HISTOLOGY.get(x, x.replace("_", " ")) for x in b.features]
    features = ", ".join(n for n in names if not (told_findings and says(n, told_findings)))
    said = "; ".join(filter(None, [result, features]))
    # "… (lesion 1), about 2 weeks after presentation: …", not ") ("; nor brackets inside brackets
    if when and (head.endswith(")") or "(" in when):
        head += f", {when}" + (":" if said else ".")
        rest = [f"{said}."] if said else []
    elif when:
        rest = [f"({when}): {said}." if said else f"({when})."]
    else:
        head += ":" if said else "."
        rest = [f"{said}."] if said else []
    if not b.histology_stated and not b.features and b.grade not in ("not_done", "declined") \
            and b.result not in ("not_done", "planned"):  # features recorded are histology the source states
        rest.append("The histological findings are not reported.")
    if b.findings:
        told = untold(b.findings, ctx.author_text())
        if told:
            rest.append(told.rstrip(".") + ".")
    if b.complications:
        rest.append(f"Complications: {plain(b.complications)}")
    return Para([Span(head, bold=True)] + ([Span(" " + " ".join(rest))] if rest else []))


def diagnostic_assessment(ctx: Ctx) -> list[Block]:
    case = ctx.case
    out: list[Block] = [ctx.heading("Diagnostic assessment", 1)]
    out += prose(case.manuscript.diagnostic_assessment)
    rows, defaults = lab_rows(ctx)
    if rows:
        out += table(ctx, "Laboratory results (H/L: above/below the reference range)",
                     ["Analyte", "Value", "Unit", "Reference range", "Flag", "Time"],
                     rows, [118, 50, 52, 78, 62, 122], align_right=[1],
                     cite="The laboratory results are given in Table {n}.")
        if defaults:
            out[-1].note = [Span("* No range was reported with this result; the default range of the analyte "
                                 "catalogue is shown.")]
    out += derived_prose(ctx)
    out += microbiology(ctx)
    out += lab_trend(ctx)
    if case.imaging:
        heading_at = len(out)
        out.append(ctx.heading("Imaging", 2))
        for im in case.imaging:
            head = IMAGING[im.modality] + (f" of the {plain(im.region)}" if im.region else "")
            when = ctx.prose_when(im.when)
            if "(" in when:  # no brackets inside brackets: "Ultrasound of the neck, before the admission (not dated)."
                head, when, rest = f"{head}, {when}", "", [""]
            else:
                rest = [f"({when})." if when else ""]
            told = untold(im.findings, ctx.author_text())
            if told:
                rest.append(told.rstrip(".") + ".")
            if im.vascular_calcification != "unknown" and "calcification" not in (told + ctx.author_text()).lower():
                rest.append(f"Vascular calcification: {TRI[im.vascular_calcification]}.")
            if im.findings and len(rest) == 1 and im.modality == "other" and not im.region:
                continue  # its findings are told where the author told them; "Imaging (…)." would add nothing
            out.append(Para([Span(head + ("" if when else "."), bold=True), Span(" " + " ".join(r for r in rest if r))]))
        out += photo_figures(ctx, photo_groups(ctx.case, ctx.identified)[1])
        if len(out) == heading_at + 1:  # every study is told elsewhere: no empty subsection
            out.pop()
    if case.biopsies:
        out.append(ctx.heading("Biopsy", 2))
        out += [biopsy_paragraph(ctx, b) for b in case.biopsies]
    dx = case.diagnosis
    heading_at = len(out)
    out.append(ctx.heading("Diagnosis", 2))
    when = ctx.prose_when(dx.when)
    if dx.basis == "biopsy":
        when = not_the_biopsy_itself(ctx, when)
    if dx.basis != "not_made":  # "no diagnosis recorded" is not a statement the manuscript makes
        out.append(Para([Span(DIAG_BASIS[dx.basis].capitalize() + (f", {when}" if "(" in when else ""), bold=True),
                         Span(f" ({when})." if when and "(" not in when else ".")]))
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
