"""The manuscript's figures: the body map of the lesions, the photos (of the clinical findings and
of the imaging), the laboratory trend charts and the wound trend charts. Each takes the next
figure number from ``Ctx``; the section that shows a figure cites it. The timeline's day-axis
figure is built with its table (``desktop.report.case_presentation``).

The photos' JPEGs are decoded on the pool (``presubmit_photos`` starts them before the case is
de-identified and assessed) while the rest of the manuscript is built."""
from __future__ import annotations

from concurrent.futures import Executor, Future

from ..core import reference
from ..core.wording import join
from ..model import Case, Figure, When
from . import charts, fmt, photos
from . import content as c
from .content import Block, Para, Span
from .consent import face_placeholder, face_unconfirmed
from .context import Ctx
from .errors import ReportError
from .fonts import SANS
from .styles import HIGH, LOW, TEXT_W
from .text import plain
from .wording import IMAGING, site_text


def fmt_int(value: float) -> str:
    return f"{value:.0f}"


# chart units: the conventional unit of each analyte (the seed's)
TREND = (("calcium", "Calcium", "mg/dL"), ("phosphate", "Phosphate", "mg/dL"), ("pth_intact", "PTH", "pg/mL"))
CA_P_UNIT = "mg²/dL²"


# --- body map --------------------------------------------------------------------------------------

def body_map(ctx: Ctx, lesion_table: int | None) -> list[Block]:
    from .. import bodymap
    from .bodymap_figure import bodymap_drawing, legend_rows, lesion_markers
    drawing = bodymap_drawing(lesion_markers(ctx.case), min(TEXT_W, 400), max_height_pt=330,
                              sex=ctx.case.patient.sex, font=SANS, bold_font=SANS + "-Bold")
    n = ctx.next_fig()
    rows = list(zip(legend_rows(ctx.case), ctx.case.lesions))
    # a site given without its part is outlined dashed over the regions it takes in: say what that means
    coarse = [n for (n, _), les in rows if bodymap.is_coarse(les.site) and les.nature == "calciphylaxis"
              and bodymap.primary_view(les.site, les.laterality) is not None]
    if lesion_table is not None:  # the table names every site: the legend keeps only what is not drawn
        cap = [Span(f"Body map of the lesions, numbered as in Table {lesion_table}")]
        vague = [n for (n, _), les in rows if bodymap.primary_view(les.site, les.laterality) is None
                 and les.nature == "calciphylaxis"]
        other = [n for (n, _), les in rows if les.nature != "calciphylaxis"]
        if vague:
            cap.append(Span(f"; not drawn, as the site is not stated precisely enough: {', '.join(map(str, vague))}"))
        if other:
            cap.append(Span(f"; not calciphylaxis: {', '.join(map(str, other))}"))
        legend = []
    else:
        cap = [Span("Body map of the findings")]
        legend = legend_rows(ctx.case)
    for i, (num, text) in enumerate(legend):
        cap += [Span("; " if i else ": "), Span(str(num), bold=True), Span(f" — {plain(text)}")]
    if coarse:
        nums = join([str(x) for x in coarse])
        cap.append(Span(f"; dashed outline: where lesion{'s' if len(coarse) > 1 else ''} {nums} may lie, the "
                        f"source not saying which part"))
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
            if face_unconfirmed(m):
                continue  # never drawn: a placeholder stands in its place
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
    """Photos as numbered figures; their JPEGs are prepared on the pool while the rest is built. An
    image that may show a face, its consent unconfirmed, is replaced by a visible placeholder (only a
    draft gets this far with one: a final export is refused)."""
    held = [Para([Span(face_placeholder(plain(m.caption)))], "note") for m in figures if face_unconfirmed(m)]
    figures = [m for m in figures if not face_unconfirmed(m)]
    if not figures:
        return held
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
        out.append(c.Photo(n, fut, w, h, label, [Span(photo_caption(ctx, m, where))], alone, m.id))
    nums = [p.number for p in out]
    cite = (f"Fig. {nums[0]} shows" if len(nums) == 1 else
            f"Figs. {', '.join(map(str, nums[:-1]))} and {nums[-1]} show")
    what = ("the images" if len(nums) > 1 else "the image") if figures[0].imaging_id else (
        "the lesions" if len(nums) > 1 else "the lesion")
    return held + [Para([Span(f"{cite} {what}.")]), c.Photos(out)]


# --- charts ----------------------------------------------------------------------------------------

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
    if len({p.x for pan in panels for ser in pan.series for p in ser.points}) < 2:
        return []  # values at one time only: a trend chart would show single dots
    n = ctx.next_fig()
    cite = Para([Span(f"Fig. {n} plots the laboratory values over time.")])
    d = charts.panels_drawing(panels, TEXT_W, panel_h=78 if len(panels) > 2 else 92)
    cap = ("Laboratory values by day from day 0"
           + (f"; calcium × phosphate product with the {fmt_int(risk.value)} {risk.unit} risk threshold "
              f"({risk.source}) and the {fmt_int(goal.value)} {goal.unit} goal ({goal.source})" if cap_p else "")
           + "; open markers: approximate times, values converted to the units shown.")
    return [cite, c.Figure(n, [d], [Span(cap)])]


def wound_trends(ctx: Ctx, push: dict[str, float]) -> list[Block]:
    """Wound area and PUSH 3.0 total over time, one series per lesion (``push``: the totals by
    observation id); nothing when no observation can be placed in time."""
    out: list[Block] = []
    area_series, push_series = [], []
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
    # a trend needs two times in one series: a single dot per lesion adds nothing to the table
    area_series = [x for x in area_series if len({pt.x for pt in x.points}) > 1]
    push_series = [x for x in push_series if len({pt.x for pt in x.points}) > 1]
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
