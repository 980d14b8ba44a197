"""The case presentation's diagnostic assessment (CARE 8): the laboratory results and the values
derived from them, with their trend chart; the imaging, with its images; the biopsies; and the
diagnosis with its differentials, challenges and prognosis."""
from __future__ import annotations

from .. import catalogue
from ..core.derived import decimals_of
from ..model import LabResult
from ..timing import Placed, describe
from . import fmt
from .content import Block, Mark, Para, Span
from .context import Ctx, labelled, prose, table, with_note
from .figures import lab_trend, photo_figures, photo_groups
from .text import plain
from .wording import BIOPSY, DIAG_BASIS, DIALYSIS_CTX, IMAGING, TRI, table_time


LAB_DERIVED = ("ca_p_product", "corrected_calcium")  # derived values shown with the labs


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
        f = fmt.flag(lab, ctx.case.patient.sex)
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
        ref = fmt.reference_range(lab, ctx.case.patient.sex)
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
        # printed with the decimals the core rounded it to: one rounding for one value everywhere
        value = f"{fmt.num(d.value, decimals_of(d.kind, d.unit))} {d.unit}"
        if d.alt_value is not None and d.alt_unit:
            value += f" ({fmt.num(d.alt_value, decimals_of(d.kind, d.alt_unit))} {d.alt_unit})"
        inputs = "; ".join(f"{plain(e.label)} {plain(e.value)} {plain(e.unit)}".strip() for e in d.inputs)
        note = "; ".join(x for x in (inputs and f"from {inputs}", plain(d.caveat)) if x)
        when = (table_time(Placed(d.day, "approximate" in (d.time or ""), "day", None))
                if d.day is not None else plain(d.time) or "—")
        rows.append([plain(d.label), value, when, note])
    return rows


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
