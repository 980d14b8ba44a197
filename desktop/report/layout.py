"""Building blocks shared by the manuscript and the appendices: headings that feed the PDF outline
and the CARE page map, journal-style tables (split across pages with repeated headers, rows that
may split too, so nothing overflows), captions, and a flowable whose content is made only when the
layout reaches it (the CARE checklist needs the pages of everything before it)."""
from __future__ import annotations

import re
from typing import Callable, Sequence

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.rl_config import _FUZZ
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from .fonts import SANS
from .styles import INK, RULE, SHADE, TEXT_H, TEXT_W, styles
from .text import esc, plain


class Para(Paragraph):
    """A Paragraph that keeps its line breaking for the width it was last wrapped to. The layout
    asks one paragraph for its size at the same width several times (a table measuring its cells,
    then drawing them; a frame after KeepTogether measured it), and reportlab's Paragraph breaks
    its lines anew every time: about a third of a report's line breaking, for nothing. The lines
    depend only on the width (the text and style never change after construction)."""

    _wrapped: tuple | None = None

    def wrap(self, availWidth, availHeight):
        w = self._wrapped
        if w is not None and w[0] == availWidth:
            _, self.width, self.height, self.blPara, self._wrapWidths = w
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if availWidth >= _FUZZ:  # below it reportlab breaks nothing (no room at all): nothing to keep
            self._wrapped = (availWidth, self.width, self.height, self.blPara, self._wrapWidths)
        return size


# --- long paragraphs in linear time ------------------------------------------------------------------
#
# reportlab breaks a paragraph's lines anew each time a page splits it, and its line breaker takes
# words off the front of a list: a paragraph of n characters over p pages costs about n * p (a 1 MB
# paragraph took over 200 s). A paragraph longer than LONG_PARAGRAPH characters is therefore laid out
# as consecutive pieces of at most that length, cut after a sentence where one ends in the second half
# of the piece (else between words): the pieces follow each other with no space between them and no
# indent, so the text reads on; a piece ends its last line early, as after a line break. The cost is
# then about n * LONG_PARAGRAPH, linear in the text.

LONG_PARAGRAPH = 3000
_SENTENCE_END = re.compile(r"[.;:!?][)\]\"'”’]*\s+")


def _cut_at(text: str, limit: int) -> int:
    """Where to end a piece of ``text`` of at most ``limit`` characters."""
    window = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(window, limit // 2)]
    if ends:
        return ends[-1]
    space = window.rfind(" ", limit // 2)
    return space + 1 if space > 0 else limit


def split_long(pieces: Sequence[tuple[str, object]], limit: int = LONG_PARAGRAPH) -> list[list[tuple[str, object]]]:
    """Cut a paragraph given as ``(text, emphasis)`` pieces into runs of at most ``limit`` characters
    (see above); a paragraph within the limit comes back whole."""
    if sum(len(t) for t, _ in pieces) <= limit:
        return [list(pieces)]
    out: list[list[tuple[str, object]]] = [[]]
    room = limit
    for text, tag in pieces:
        while text:
            if len(text) <= room:
                out[-1].append((text, tag))
                room -= len(text)
                text = ""
                break
            cut = _cut_at(text, room) if room >= 200 else 0
            if cut:
                out[-1].append((text[:cut], tag))
                text = text[cut:]
            out.append([])
            room = limit
    return [run for run in out if run]


_PIECE_STYLES: dict[tuple[int, bool, bool], object] = {}


def piece_style(style, first: bool, last: bool):
    """``style`` for one piece of a long paragraph: no indent or space before unless it is the first
    piece, no space after unless it is the last."""
    if first and last:
        return style
    key = (id(style), first, last)
    st = _PIECE_STYLES.get(key)
    if st is None:
        from reportlab.lib.styles import ParagraphStyle
        st = ParagraphStyle(f"{style.name}-piece-{int(first)}{int(last)}", parent=style)
        if not first:
            st.firstLineIndent = 0
            st.spaceBefore = 0
        if not last:
            st.spaceAfter = 0
        _PIECE_STYLES[key] = (style, st)  # keep the parent alive so its id is not reused
        return st
    return st[1]


class Heading(Para):
    """A section heading: becomes a PDF bookmark and a target for the CARE checklist's pages."""

    def __init__(self, title: str, level: int, key: str):
        st = styles()
        style = {0: st.h1, 1: st.h2, 2: st.h3}[level]
        super().__init__(esc(title), style)
        self.outline_title = plain(title, 120)
        self.outline_level = min(level, 1)  # the outline keeps two levels
        self.outline_key = key


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


class Deferred(Flowable):
    """Builds its real flowable (a table) when the layout first asks for its size."""

    def __init__(self, factory: Callable[[], Flowable]):
        super().__init__()
        self.factory = factory
        self._inner: Flowable | None = None

    def _get(self) -> Flowable:
        if self._inner is None:
            self._inner = self.factory()
        return self._inner

    def wrap(self, aw, ah):
        return self._get().wrap(aw, ah)

    def split(self, aw, ah):
        return self._get().split(aw, ah)

    def getSpaceBefore(self):
        return self._get().getSpaceBefore()

    def getSpaceAfter(self):
        return self._get().getSpaceAfter()

    def draw(self):
        self._get().drawOn(self.canv, 0, 0)


CELL_PAD = 3.0


def cell(text: str | None, width: float, bold: bool = False, font_size: float = 8.0):
    """A table cell: a plain string when it fits on one line (fast), else a wrapping Paragraph."""
    t = plain(text)
    room = width - 2 * CELL_PAD - 0.5
    if t.isascii() and len(t) * font_size <= room:  # no ASCII glyph is wider than 1 em: fits as it is
        return t
    if len(t) < 120 and stringWidth(t, SANS + ("-Bold" if bold else ""), font_size) <= room:
        return t
    st = styles()
    return Para(esc(text), st.cell_bold if bold else st.cell)


def markup_cell(markup: str, bold: bool = False) -> Para:
    st = styles()
    return Para(markup, st.cell_bold if bold else st.cell)


class Styled(Flowable):
    """One line of text in its own font and colour: a table cell (a flag, a bold value) that
    needs no per-cell table style command (thousands of those make long tables slow)."""

    def __init__(self, text: str, font: str = SANS, size: float = 8.0, color=INK):
        super().__init__()
        self.text, self.font, self.size, self.color = plain(text), font, size, color

    def wrap(self, aw, ah):
        self.width = min(aw, stringWidth(self.text, self.font, self.size))
        self.height = self.size * 1.2
        return self.width, self.height

    def draw(self):
        self.canv.setFont(self.font, self.size)
        self.canv.setFillColor(self.color)
        self.canv.drawString(0, self.size * 0.2, self.text)


class RightStyled(Styled):
    def draw(self):
        self.canv.setFont(self.font, self.size)
        self.canv.setFillColor(self.color)
        self.canv.drawRightString(self.width, self.size * 0.2, self.text)


class CaptionedTable(Flowable):
    """A table under its caption. It splits across pages like the table does (header repeated),
    and the caption follows each part, marked "(continued)"."""

    def __init__(self, caption: str, table: Flowable, continued: bool = False):
        super().__init__()
        self.caption_markup = caption
        self.caption = Para(caption + (" <i>(continued)</i>" if continued else ""), styles().table_caption)
        self.table = table
        self._ch = 0.0

    def wrap(self, aw, ah):
        _, self._ch = self.caption.wrap(aw, ah)
        tw, th = self.table.wrap(aw, ah - self._ch)
        self.width, self.height = aw, self._ch + th
        return self.width, self.height

    def split(self, aw, ah):
        _, ch = self.caption.wrap(aw, ah)
        if ah - ch < 40:  # no room for the header and a row: all of it to the next page
            return []
        parts = self.table.split(aw, ah - ch)
        if len(parts) < 2:
            return []
        return [CaptionedTable(self.caption_markup, parts[0])] + [
            CaptionedTable(self.caption_markup, p, continued=True) for p in parts[1:]]

    def getSpaceBefore(self):
        return self.table.getSpaceBefore()

    def getSpaceAfter(self):
        return self.table.getSpaceAfter()

    def draw(self):
        self.caption.drawOn(self.canv, 0, self.height - self._ch)
        self.table.drawOn(self.canv, 0, 0)


PAD_T, PAD_B = 2.2, 2.6
FONT_SIZE, LEADING = 8.0, 9.8


class DataTable(Flowable):
    """A journal table drawn directly: a shaded header repeated on every page, a rule under each
    row, heavy rules above the header and at the end.

    reportlab's Table costs about half a millisecond per cell, which makes a 2,000-row lab table
    take most of a large report's time; here a cell is a plain one-line string (``cell`` checked
    that it fits its column) or a small flowable (a wrapped Paragraph, a :class:`Styled` value),
    drawn in one pass. Rows split between pages; a row taller than a whole page (a very long text
    in a cell) is handed to reportlab's Table, which can split inside a row."""

    def __init__(self, header: list, rows: list[list], widths: list[float], align_right: Sequence[int] = (),
                 heights: list[float] | None = None):
        super().__init__()
        self.header, self.rows, self.widths = header, rows, list(widths)
        self.align_right = set(align_right)
        self._heights = heights  # per row, computed once
        self._hh: float | None = None
        self.spaceBefore, self.spaceAfter = 0, 10
        self.hAlign = "LEFT"

    def _row_height(self, row: list) -> float:
        h = LEADING
        for c, w in zip(row, self.widths):
            if isinstance(c, Flowable):
                h = max(h, c.wrap(w - 2 * CELL_PAD, 1e6)[1])
        return PAD_T + h + PAD_B

    def _measure(self) -> None:
        if self._hh is None:
            self._hh = self._row_height(self.header)
        if self._heights is None:
            self._heights = [self._row_height(r) for r in self.rows]

    def wrap(self, aw, ah):
        self._measure()
        self.width = sum(self.widths)
        self.height = self._hh + sum(self._heights)
        return self.width, self.height

    def split(self, aw, ah):
        self._measure()
        room = ah - self._hh
        k, used = 0, 0.0
        for h in self._heights:
            if used + h > room:
                break
            used += h
            k += 1
        if k == 0:
            if self._heights and self._heights[0] > 0.6 * TEXT_H:
                return self._as_table().split(aw, ah)  # a row (nearly) as tall as a page: split inside it
            return []
        if k == len(self.rows):
            return [self]
        return [DataTable(self.header, self.rows[:k], self.widths, self.align_right, self._heights[:k]),
                DataTable(self.header, self.rows[k:], self.widths, self.align_right, self._heights[k:])]

    def _as_table(self) -> Table:
        return reportlab_table(self.header, self.rows, self.widths, self.align_right)

    def draw(self):
        c = self.canv
        self._measure()
        width = sum(self.widths)
        top = self.height
        tops = []  # the top of each row
        y = top - self._hh
        for h in self._heights:
            tops.append(y)
            y -= h
        c.saveState()
        c.setFillColor(SHADE)
        c.rect(0, top - self._hh, width, self._hh, stroke=0, fill=1)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.25)
        for t in tops[1:]:
            c.line(0, t, width, t)
        c.setStrokeColor(INK)
        c.setLineWidth(0.9)
        c.line(0, top, width, top)
        c.line(0, y, width, y)
        c.setLineWidth(0.6)
        c.line(0, top - self._hh, width, top - self._hh)
        # cell by cell in reading order, the one-line cells of a row in one text block (_CellText)
        c.setFillColor(INK)
        self._row(c, self.header, top, SANS + "-Bold", header=True)
        for row, t in zip(self.rows, tops):
            self._row(c, row, t, SANS)
        c.restoreState()

    def _row(self, c, row: list, top: float, font: str, header: bool = False) -> None:
        out = _CellText(c, font, FONT_SIZE)
        base = top - PAD_T - FONT_SIZE  # where a Paragraph in the same row puts its first baseline
        x = 0.0
        for col, (value, w) in enumerate(zip(row, self.widths)):
            right = col in self.align_right and not header
            if isinstance(value, Flowable):
                out.flush()
                fw, fh = value.width, value.height  # as wrapped to this column by _row_height
                value.drawOn(c, x + w - CELL_PAD - fw if right else x + CELL_PAD, top - PAD_T - fh)
            elif value:
                out.add(value, x + w - CELL_PAD - out.width(value) if right else x + CELL_PAD, base)
            x += w
        out.flush()


class _CellText:
    """The one-line cells of a table row written as one PDF text block.

    reportlab's text object encodes every string anew into the font's subsets and measures it to
    move a cursor a table never uses: most of a 2,000-row table's drawing time. Here each distinct
    string is encoded once per document, through the font's own subset assignment (the same
    ``splitString`` and subset names reportlab's text objects use, so the font embedding is
    unchanged), and a row's cells go into the page as one ``BT … ET`` block. The fill colour is the
    canvas's (INK, set by the table). A font other than an embedded TrueType font (never used by the
    report) goes through reportlab's text object instead."""

    def __init__(self, c, font_name: str, size: float):
        self.c, self.font_name, self.size = c, font_name, size
        self.font = getFont(font_name)
        self.fast = isinstance(self.font, TTFont)
        cache = c.__dict__.setdefault("_casebook_cell_text", {})
        self.encoded: dict[str, list[tuple[str, str, str]]] = cache.setdefault((font_name, size), {})
        self.numbers: dict[float, str] = cache.setdefault("numbers", {})  # cell positions repeat row after row
        self.ops: list[str] = []
        self.subset: str | None = None
        self.text = None  # reportlab's text object, when not fast

    def width(self, value: str) -> float:
        return stringWidth(value, self.font_name, self.size)

    def add(self, value: str, x: float, y: float) -> None:
        if not self.fast:
            if self.text is None:
                self.text = self.c.beginText()
                self.text.setFont(self.font_name, self.size)
                self.text.setFillColor(INK)
            self.text.setTextOrigin(x, y)
            self.text.textOut(value)
            return
        runs = self.encoded.get(value)
        if runs is None:
            doc = self.c._doc
            runs = []
            for subset, chunk in self.font.splitString(value, doc):
                name = self.font.getSubsetInternalName(subset, doc)
                runs.append((name, f"{name} {fp_str(self.size)} Tf", f"({escapePDF(chunk)}) Tj"))
            self.encoded[value] = runs
        num = self.numbers
        xs = num.get(x) or num.setdefault(x, fp_str(x))
        ys = num.get(y) or num.setdefault(y, fp_str(y))
        ops = self.ops
        ops.append(f"1 0 0 1 {xs} {ys} Tm")
        for name, select, show in runs:
            if name != self.subset:
                ops.append(select)
                self.subset = name
            ops.append(show)

    def flush(self) -> None:
        if self.ops:
            # the text state reset first: nothing drawn before may leave spacing, scaling or rise
            self.c.addLiteral("BT 0 Tc 0 Tw 100 Tz 0 Ts 0 Tr " + " ".join(self.ops) + " ET")
            self.ops = []
            self.subset = None
        if self.text is not None:
            self.c.drawText(self.text)
            self.text = None


def reportlab_table(header: Sequence, rows: Sequence[Sequence], widths: Sequence[float],
                    align_right: Sequence[int] = ()) -> Table:
    """The same table as :class:`DataTable`, built with reportlab's Table (which can split a row)."""
    data = [list(header)] + [list(r) for r in rows]
    style = [
        ("FONT", (0, 0), (-1, -1), SANS, FONT_SIZE),  # every cell: the default would be Helvetica
        ("FONT", (0, 0), (-1, 0), SANS + "-Bold", FONT_SIZE),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_T),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_B),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.9, INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
        ("LINEBELOW", (0, 1), (-1, -2), 0.25, RULE),
        ("LINEBELOW", (0, -1), (-1, -1), 0.9, INK),
    ]
    for col in align_right:
        style.append(("ALIGN", (col, 1), (col, -1), "RIGHT"))
    t = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1, hAlign="LEFT", style=TableStyle(style))
    t.spaceBefore, t.spaceAfter = 0, 10
    return t


def data_table(header: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float],
               *, caption: str | None = None, align_right: Sequence[int] = ()) -> Flowable:
    """A journal table (:class:`DataTable`), under its caption when one is given. ``rows`` hold
    plain text (wrapped as needed) or ready flowables (see :class:`Styled`)."""
    scale = TEXT_W / sum(widths) if sum(widths) > TEXT_W else 1.0
    widths = [w * scale for w in widths]
    head = [cell(h, w, bold=True) for h, w in zip(header, widths)]
    body = [[c if isinstance(c, Flowable) else cell(c, w) for c, w in zip(r, widths)] for r in rows]
    t = DataTable(head, body, widths, align_right)
    return t if caption is None else CaptionedTable(caption, t)


def caption_markup(kind: str, number: int, title: str) -> str:
    return f"<b>{kind} {number}</b>&nbsp; {esc(title)}"


def kv_table(rows: Sequence[tuple[str, str | Flowable]], key_w: float = 120) -> Table:
    """Two columns, label and value, for patient information and outcomes."""
    st = styles()
    vw = TEXT_W - key_w
    data = [[Para(esc(k), st.cell_bold),
             v if isinstance(v, Flowable) else Para(esc(v), st.cell)] for k, v in rows]
    t = Table(data, colWidths=[key_w, vw], hAlign="LEFT", splitInRow=1, style=TableStyle([
        ("FONT", (0, 0), (-1, -1), SANS, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("LINEABOVE", (0, 0), (-1, 0), 0.6, INK),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, INK),
    ]))
    t.spaceBefore = 2
    t.spaceAfter = 8
    return t


def figure_caption(number: int, markup: str) -> Para:
    st = styles()
    return Para(f"<b>Fig. {number}</b>&nbsp; {markup}", st.caption)


def style_drawing(drawing: Flowable) -> Flowable:
    # a drawing starts from reportlab's default font (Helvetica, not embedded) unless told otherwise
    drawing.initialFontName = SANS
    drawing.initialFontSize = 7
    return drawing


def figure_block(number: int, drawing: Flowable, caption_markup: str) -> KeepTogether:
    style_drawing(drawing)
    return KeepTogether([Spacer(1, 4), drawing, figure_caption(number, caption_markup)])
