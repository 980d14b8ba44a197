"""The PDF writer's half of the manuscript: format-neutral content (``desktop.report.content``)
turned into reportlab flowables in the journal look of ``styles`` and ``layout``."""
from __future__ import annotations

import dataclasses
from typing import Callable, Sequence
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from . import content as c
from . import photos
from .fonts import SANS
from .layout import (Deferred, Heading, Para, RightStyled, Styled, caption_markup, data_table, figure_block,
                     figure_caption, kv_table, markup_cell, piece_style, slug, split_long, style_drawing)
from .styles import HIGH, LOW, MUTED, TEXT_W, styles

TONE_COLOR = {"muted": MUTED, "high": HIGH, "low": LOW}
PHOTO_GAP = 14


def _hex(color) -> str:
    return "#" + color.hexval()[2:]


def markup(spans: Sequence[c.Span]) -> str:
    """Spans as reportlab paragraph markup (text escaped, line breaks as <br/>)."""
    out = []
    for s in spans:
        # a no-break space as the entity: reportlab sets it as a fragment of its own, as it always has
        t = "<br/>".join(escape(line) for line in s.text.split("\n")).replace("\u00a0", "&nbsp;")
        if s.sup:
            t = f"<super>{t}</super>"
        if s.italic:
            t = f"<i>{t}</i>"
        if s.bold:
            t = f"<b>{t}</b>"
        if s.tone or s.small:
            attrs = (f' color="{_hex(TONE_COLOR[s.tone])}"' if s.tone else "") + (' size="7"' if s.small else "")
            t = f"<font{attrs}>{t}</font>"
        out.append(t)
    return "".join(out)


def _cell(value: c.Cell, col: int, align_right: Sequence[int]):
    if isinstance(value, c.Rich):
        return markup_cell(markup(value.spans))
    if isinstance(value, c.Mark):
        cls = RightStyled if col in align_right else Styled
        return cls(value.text, SANS + "-Bold", color=TONE_COLOR[value.tone]) if value.tone else \
            cls(value.text, SANS + "-Bold")
    return value


def table(t: c.Table) -> Flowable:
    rows = [[_cell(v, i, t.align_right) if not isinstance(v, str) else v for i, v in enumerate(r)] for r in t.rows]
    caption = caption_markup("Table", t.number, t.title) if t.number is not None else None
    out = data_table(t.header, rows, t.widths, caption=caption, align_right=t.align_right)
    if t.note is not None:
        out.spaceAfter = 2
    elif t.compact:
        out.spaceAfter = 4
    return out


def _photos(group: c.Photos) -> list[Flowable]:
    """Photos two to a row; a single photo, or one with a very long caption, stands alone (its
    caption can then continue on the next page)."""
    gap = PHOTO_GAP
    box_w = (TEXT_W - gap) / 2
    out: list[Flowable] = []
    pending: list[list[Flowable]] = []  # photos waiting for a partner in the row

    def flush():
        if not pending:
            return
        row = pending + [""] * (2 - len(pending))
        t = Table([row], colWidths=[box_w + gap / 2] * 2, hAlign="CENTER", style=TableStyle([
            ("FONT", (0, 0), (-1, -1), SANS, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), gap / 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), gap / 4), ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
        out.append(t)
        pending.clear()

    for p in group.photos:
        figure = [photos.PhotoFlowable(p.jpeg, p.width, p.height, p.label, f"casebook-figure-{p.number}"),
                  figure_caption(p.number, markup(p.caption))]
        if p.alone:
            flush()
            out.append(KeepTogether([Spacer(1, 4)] + figure))
        else:
            pending.append(figure)
            if len(pending) == 2:
                flush()
    flush()
    return out


def flowables(blocks: Sequence[c.Block], pages: Callable[[], dict[str, int]] | None = None) -> list[Flowable]:
    """The flowables of ``blocks``. ``pages`` gives the page of every heading once the layout has
    reached the CARE checklist (which cites them)."""
    st = styles()
    keys: set[str] = set()
    out: list[Flowable] = []
    for i, b in enumerate(blocks):
        if isinstance(b, c.Para):
            style = getattr(st, b.style)
            runs = split_long([(sp.text, sp) for sp in b.spans])  # linear layout of long text
            for j, run in enumerate(runs):
                spans = [dataclasses.replace(sp, text=t) for t, sp in run]
                para = Para(markup(spans), piece_style(style, j == 0, j == len(runs) - 1))
                if j == len(runs) - 1 and c.introduces(blocks, i):
                    para.keepWithNext = True  # the sentence citing a table or figure stays with it
                out.append(para)
        elif isinstance(b, c.Heading):
            key = base = slug(b.title)
            i = 2
            while key in keys:
                key, i = f"{base}-{i}", i + 1
            keys.add(key)
            out.append(Heading(b.title, b.level, key))
        elif isinstance(b, c.Table):
            parts: list[Flowable] = [table(b)]
            if b.note is not None:
                parts.append(Para(markup(b.note), st.small))
            if len(b.rows) <= c.KEEP_TOGETHER_ROWS:  # a short table on one page, with its lead sentence
                out += _with_lead(out, [KeepTogether(parts)])
            else:  # a long one (a lab history) flows, its header repeated
                out += parts
        elif isinstance(b, c.KeyValues):
            out.append(kv_table(b.rows, key_w=b.key_w))
        elif isinstance(b, c.Figure):
            fig: list[Flowable] = []
            for d in b.drawings[:-1]:  # a long timeline runs over several pages; the caption closes it
                style_drawing(d)
                fig.append(d)
            fig.append(figure_block(b.number, b.drawings[-1], markup(b.caption)))
            out += _with_lead(out, fig)
        elif isinstance(b, c.Photos):
            out += _with_lead(out, _photos(b))
        elif isinstance(b, c.PageBreak):
            out.append(PageBreak())
        elif isinstance(b, c.Gap):
            out.append(Spacer(1, b.points))
        elif isinstance(b, c.CareChecklist):
            out.append(_care(b, pages))
        else:  # pragma: no cover - a block kind added without a writer
            raise TypeError(f"no PDF form for {type(b).__name__}")
    return out


def _with_lead(out: list[Flowable], figure: list[Flowable]) -> list[Flowable]:
    """``figure`` with the paragraph that introduces it (the last of ``out``, marked keepWithNext)
    moved inside its first block: reportlab does not keep a paragraph with a KeepTogether that
    follows it, which is what a figure is."""
    if not (out and figure and getattr(out[-1], "keepWithNext", False)):
        return figure
    lead = [out.pop()]
    lead[0].keepWithNext = False
    while out and isinstance(out[-1], Heading):  # and the heading over them (reportlab would leave it
        lead.insert(0, out.pop())                  # at the foot of the page, the rest on the next)
    first = figure[0]
    if isinstance(first, KeepTogether):
        first._content[:0] = lead
    else:
        figure[0] = KeepTogether([*lead, first])
    return figure


def _care(b: c.CareChecklist, pages: Callable[[], dict[str, int]] | None) -> Flowable:
    """Built when the layout reaches it, when the page of every heading before it is known."""
    return Deferred(lambda: table(c.care_table(b, pages() if pages else {})))
