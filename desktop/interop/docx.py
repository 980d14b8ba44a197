"""The case report as a Word manuscript (.docx), for journals that take Word files.

The same manuscript as the PDF: both writers render the content ``desktop.report.build`` makes
(sections, tables, figures and captions, consent statement, references, the CARE checklist), so
they cannot drift apart. Only the look is Word's own: the built-in styles Title, Heading 1–3,
Normal, Caption and List, and tables in the built-in "Table Grid" style with a header row that
repeats on every page, so a journal's template restyles the whole manuscript cleanly.

- De-identified unless ``identified``: the content is built from ``desktop.interop.prepare(case)``
  (the one de-identification step), so no identifier or calendar date reaches the document, its
  properties or its pictures.
- No recorded consent for publication: refused with the PDF's message
  (:class:`desktop.report.errors.ReportRefused`) unless ``draft``, which puts
  "DRAFT — NOT FOR SUBMISSION" in the header of every page.
- Photos go in as the report's JPEGs (re-encoded from their pixels: orientation applied, no
  metadata); charts, the timeline and the body map as PNG pictures painted at 200 dpi from the
  PDF's own drawings (:mod:`desktop.report.raster`).
- Captions read "Table N." and "Figure N." with Word's SEQ fields, as Word's Insert Caption makes
  them. Word has no pages to cite until it lays the document out, so the CARE checklist gives the
  section where each item is reported, without a page column.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Sequence
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Pt, RGBColor

from ..model import Case
from ..report import content as c
from ..report import photos, raster
from ..report.build import DRAFT_MARK, IDENTIFIED_MARK, build, image_warnings
from ..report.errors import ReportError, ReportRefused  # noqa: F401  (raised from here: callers catch them)
from ..report.styles import MARGIN_B, MARGIN_L, MARGIN_R, MARGIN_T, PAGE, TEXT_W
from ..report.text import plain
from ..files import write_atomic
from . import prepare

__all__ = ["write_docx", "DocxInfo", "ReportError", "ReportRefused", "DRAFT_MARK", "IDENTIFIED_MARK"]

TONE_RGB = {"muted": RGBColor(0x5A, 0x5A, 0x5A), "high": RGBColor(0xB0, 0x00, 0x20), "low": RGBColor(0x1D, 0x5F, 0xA8)}
STYLE = {"title": "Title"}  # every other paragraph role is Normal, with emphasis in its runs
TABLE_STYLE = "Table Grid"
CAPTION_LABEL = {"Figure": "Fig."}  # the SEQ field keeps Word's "Figure" sequence name
CELL_STYLE = "Table Text"  # the paragraph style of table text: one place a journal template restyles it
CELL_STYLE_ID = "TableText"
SMALL_PT = 8
PROPERTY_CHARS = 255
CELL_PT = 9  # table text, as journals set it, a size below the body
CELL_SMALL_PT = 7
MIN_COLUMN_PT = 30
CELL_MARGINS_PT = 12  # Table Grid's left and right cell margins, with a little to spare
FIGURE_DPI = raster.DPI

# characters XML 1.0 cannot hold (python-docx refuses them); report text is cleaned already, this
# guards text that reaches a table cell as it was typed
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class DocxInfo:
    figures: int
    tables: int  # numbered tables (with a caption)
    warnings: list[str] = field(default_factory=list)


def write_docx(case: Case, out: Path | str | BinaryIO, *, include_assessment: bool = False,
               identified: bool = False, draft: bool = False,
               progress: Callable[[float], None] | None = None, journal: str | None = None) -> DocxInfo:
    """Write the manuscript of ``case`` as a Word document to ``out`` (a path, written atomically,
    or a binary stream).

    Raises :class:`ReportRefused` when no consent for publication is recorded and ``draft`` is not
    set, and :class:`ReportError` (naming the figure) when an image cannot be decoded. Nothing is
    written when either is raised.
    """
    report = (lambda f: progress(min(1.0, max(0.0, f)))) if progress else None
    if report:
        report(0.0)
    pool = photos.make_pool()
    try:
        built = build(case, pool, draft=draft, identified=identified, include_assessment=include_assessment,
                      paginated=False, deidentify=prepare, progress=report, journal=journal)
        writer = _Writer(built.source, draft=draft, identified=identified, title=built.title,
                         running_title=built.running_title)
        n = max(1, len(built.blocks))
        for i, block in enumerate(built.blocks):
            writer.block(block, keep_with_next=c.introduces(built.blocks, i))
            if report and i % 25 == 0:
                report(0.1 + 0.8 * i / n)
        buf = io.BytesIO()
        writer.doc.save(buf)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    ctx = built.ctx
    write_atomic(out, _deterministic(buf.getvalue()))
    if report:
        report(1.0)
    return DocxInfo(figures=ctx.fig_no, tables=writer.tables,
                    warnings=list(ctx.warnings) + image_warnings(case, built, identified))


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _twips(points: float) -> str:
    return str(int(round(points * 20)))


class _Writer:
    def __init__(self, src: Case, *, draft: bool, identified: bool, title: str, running_title: str):
        self.doc = Document()
        self.tables = 0
        self._break = False  # the next paragraph starts a page
        self._page(src, draft=draft, identified=identified, title=running_title)
        self._properties(src, draft=draft, identified=identified, title=title)
        self._table_style()

    def _table_style(self) -> None:
        """Table text is set through a paragraph style of its own ("Table Text": the cell size,
        no space around), not by hand on each run."""
        st = self.doc.styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = self.doc.styles["Normal"]
        st.font.size = Pt(CELL_PT)
        pf = st.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = 1.0
        st.element.set(qn("w:styleId"), CELL_STYLE_ID)

    # -- the page, its header and footer, the document's properties ------------------------------
    def _page(self, src: Case, *, draft: bool, identified: bool, title: str) -> None:
        sec = self.doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Pt(PAGE[0]), Pt(PAGE[1])  # A4, as the PDF
        sec.left_margin, sec.right_margin = Pt(MARGIN_L), Pt(MARGIN_R)
        sec.top_margin, sec.bottom_margin = Pt(MARGIN_T), Pt(MARGIN_B)
        sec.header_distance = sec.footer_distance = Pt(28)
        self.text_w = TEXT_W
        head = sec.header.paragraphs[0]
        head.style = self.doc.styles["Header"]
        self._runs(head, [c.Span(title)])
        mark = IDENTIFIED_MARK if identified else (DRAFT_MARK if draft else "")
        if mark:  # the header of every page of the (only) section
            p = sec.header.add_paragraph(style="Header")
            self._runs(p, [c.Span(mark, bold=True, tone="high")])
        foot = sec.footer.paragraphs[0]
        foot.style = self.doc.styles["Footer"]
        foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        foot.add_run("Page ")
        _field(foot, "PAGE", "1")
        foot.add_run(" of ")
        _field(foot, "NUMPAGES", "1")

    def _properties(self, src: Case, *, draft: bool, identified: bool, title: str) -> None:
        cp = self.doc.core_properties

        def prop(text: str) -> str:  # Word keeps at most 255 characters in a property
            return _xml(plain(text, PROPERTY_CHARS))

        cp.title = prop(title)
        cp.author = prop("; ".join(plain(a.name) for a in src.authors if plain(a.name)))
        cp.keywords = prop(", ".join(plain(k) for k in src.keywords if plain(k)))
        cp.subject = ("Case report" + (" — IDENTIFIED, author's records only" if identified else "")
                      + (" — DRAFT, not for submission" if draft else ""))
        cp.comments = ""
        cp.category = "Case report"
        cp.last_modified_by = "Casebook"
        cp.revision = 1
        cp.language = "en"
        # no timestamps: the template's are not ours, and a run-time date says nothing of the case
        el = cp._element
        for name in ("dcterms:created", "dcterms:modified", "cp:lastPrinted"):
            for child in el.findall(qn(name)):
                el.remove(child)

    # -- blocks -------------------------------------------------------------------------------
    def _add_paragraph(self, style: str):
        p = self.doc.add_paragraph(style=style)
        if self._break:
            p.paragraph_format.page_break_before = True
            self._break = False
        return p

    def block(self, b: c.Block, keep_with_next: bool = False) -> None:
        if isinstance(b, c.Para):
            p = self._add_paragraph(STYLE.get(b.style, "Normal"))
            self._para(p, b)
            if keep_with_next:  # the sentence citing a table or figure stays with it
                p.paragraph_format.keep_with_next = True
        elif isinstance(b, c.Heading):
            p = self._add_paragraph(f"Heading {min(b.level, 2) + 1}")
            p.add_run(_xml(plain(b.title)))
            p.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        elif isinstance(b, c.Table):
            self._table(b)
        elif isinstance(b, c.KeyValues):
            self._key_values(b)
        elif isinstance(b, c.Figure):
            alt = plain(c.span_text(b.caption))  # a long timeline is several pictures under one caption
            self._caption("Figure", b.number, b.caption,
                          [(io.BytesIO(raster.drawing_png(d, FIGURE_DPI)), d.width, alt) for d in b.drawings])
        elif isinstance(b, c.Photos):
            for ph in b.photos:
                try:
                    jpeg = ph.jpeg.result()
                except photos.DecodeError as exc:  # the work may have started before the figure had its number
                    raise photos.DecodeError(ph.label, exc.detail) from None
                self._caption("Figure", ph.number, ph.caption, [(io.BytesIO(jpeg), ph.width, plain(c.span_text(ph.caption)))])
        elif isinstance(b, c.PageBreak):
            self._break = True
        elif isinstance(b, c.Gap):
            pass  # Word's paragraph styles carry their own spacing
        elif isinstance(b, c.CareChecklist):
            self._table(c.care_table(b))
        else:  # pragma: no cover - a block kind added without a Word form
            raise TypeError(f"no Word form for {type(b).__name__}")

    def _para(self, p, b: c.Para) -> None:
        spans = b.spans
        if b.style == "note":
            spans = [c.Span(s.text, s.bold, True, s.sup, s.tone or "muted", s.small) for s in spans]
        elif b.style == "banner":
            spans = [c.Span(s.text, True, s.italic, s.sup, "high", s.small) for s in spans]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif b.style == "small":
            spans = [c.Span(s.text, s.bold, s.italic, s.sup, s.tone or "muted", True) for s in spans]
        elif b.style == "ref":
            p.style = self.doc.styles["List"]
            spans = [c.Span(s.text.replace("\u00a0\u00a0", "\t", 1), s.bold, s.italic, s.sup, s.tone, s.small)
                     for s in spans]
        elif b.style == "body":
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        self._runs(p, spans)

    def _runs(self, p, spans: Sequence[c.Span]) -> None:
        for s in spans:
            lines = _xml(s.text).split("\n")
            for i, line in enumerate(lines):
                if i:
                    p.add_run().add_break()
                if not line:
                    continue
                r = p.add_run(line)
                if s.bold:
                    r.bold = True
                if s.italic:
                    r.italic = True
                if s.sup:
                    r.font.superscript = True
                if s.tone:
                    r.font.color.rgb = TONE_RGB[s.tone]
                if s.small:
                    r.font.size = Pt(SMALL_PT)

    def _caption(self, kind: str, number: int, spans: Sequence[c.Span], pictures: Sequence = ()) -> None:
        """'Table 3. Laboratory results' in the Caption style, its number a SEQ field (as Word's
        Insert Caption makes it, so Word can renumber). A figure's pictures open its caption's
        paragraph, each on a line of its own, so picture and caption never part: LibreOffice stops
        honouring later "keep with next" marks on a page that begins with a picture kept with its
        caption, and left a heading alone at the foot of that page."""
        p = self._add_paragraph("Caption")
        for stream, width_pt, alt in pictures:
            self._picture(p, stream, width_pt, alt)
            p.add_run().add_break()
        r = p.add_run(f"{CAPTION_LABEL.get(kind, kind)} ")  # "Fig. 2", as the text cites it and the PDF prints it
        r.bold = True
        _field(p, f"SEQ {kind} \\* ARABIC", str(number), bold=True)
        r = p.add_run(".")
        r.bold = True
        self._runs(p, [c.Span(" ")] + list(spans))
        if kind == "Table":
            p.paragraph_format.keep_with_next = True  # with its table
        elif len(pictures) <= 1:
            p.paragraph_format.keep_together = True  # picture and caption on one page (a long timeline may run on)

    def _picture(self, p, stream: io.BytesIO, width_pt: float, alt: str) -> None:
        shape = p.add_run().add_picture(stream, width=Pt(min(width_pt, self.text_w)))
        shape._inline.docPr.set("descr", _xml(alt)[:1000])  # alternative text: the caption

    # -- tables ---------------------------------------------------------------------------------
    def _widths(self, widths: Sequence[float], header: Sequence[str] = ()) -> list[float]:
        """Column widths in points: the PDF's proportions, each column wide enough for the longest
        word of its header (Word's fonts are wider than the PDF's 8-point sans), the whole no
        wider than the text (the columns that were not widened give up the room)."""
        need = [max((len(w) for w in h.split()), default=0) * CELL_PT * 0.7 + CELL_MARGINS_PT for h in header]
        need += [0.0] * (len(widths) - len(need))
        out = [max(MIN_COLUMN_PT, w, n) for w, n in zip(widths, need)]
        widened = [o > w for o, w in zip(out, widths)]
        total = sum(out)
        if total > self.text_w:
            free = sum(o for o, wd in zip(out, widened) if not wd)
            if free > total - self.text_w:
                k = (free - (total - self.text_w)) / free
                out = [o if wd else o * k for o, wd in zip(out, widened)]
            else:
                out = [o * self.text_w / total for o in out]
        return out

    def _new_table(self, n_cols: int, widths: Sequence[float]):
        t = self.doc.add_table(rows=0, cols=n_cols)
        t.style = self.doc.styles[TABLE_STYLE]
        t.alignment = WD_TABLE_ALIGNMENT.LEFT
        t.autofit = False
        for col, w in zip(t.columns, widths):
            col.width = Pt(w)
        return t

    def _table(self, b: c.Table) -> None:
        if b.number is not None:
            self.tables += 1
            self._caption("Table", b.number, [c.Span(b.title)])
        widths = self._widths(b.widths, b.header)
        t = self._new_table(len(b.header), widths)
        tbl = t._tbl
        # a short table is kept on one page (a row left alone on the next page reads as another table);
        # a long one (a lab history) flows, its header repeated on each page
        together = len(b.rows) <= c.KEEP_TOGETHER_ROWS
        for tr in _rows_xml([[[c.Span(plain(h), bold=True)] for h in b.header]], widths, header=True,
                            keep=together and bool(b.rows)):
            tbl.append(tr)
        for tr in _rows_xml([[_cell_spans(v) for v in row] for row in b.rows], widths, set(b.align_right),
                            keep=together):
            tbl.append(tr)
        if b.note is not None:
            p = self._add_paragraph("Normal")
            self._runs(p, [c.Span(s.text, s.bold, s.italic, s.sup, s.tone or "muted", True) for s in b.note])
        else:
            self.doc.add_paragraph(style="Normal")  # Word joins two adjacent tables into one

    def _key_values(self, b: c.KeyValues) -> None:
        widths = self._widths([b.key_w, TEXT_W - b.key_w])
        t = self._new_table(2, widths)
        for tr in _rows_xml([[[c.Span(plain(k), bold=True)], [c.Span(plain(v))]] for k, v in b.rows], widths):
            t._tbl.append(tr)
        self.doc.add_paragraph(style="Normal")


# Table rows are written as WordprocessingML text and parsed once per table: python-docx's element
# API costs about a millisecond per cell, which a 2,000-result lab table would feel.
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _rows_xml(rows: Sequence[Sequence[Sequence[c.Span]]], widths: Sequence[float],
              right: set[int] = frozenset(), header: bool = False, keep: bool = False) -> list:
    """``w:tr`` elements for rows of cells, each cell a sequence of spans. ``keep``: each row kept on
    the page of the next (the last of header rows too: with the table's first row)."""
    tw = [_twips(w) for w in widths]
    # no row is ever split across pages; the header row repeats on every page
    tr_pr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    parts = [f'<w:rows xmlns:w="{_W}">']
    for n, row in enumerate(rows):
        parts.append(f"<w:tr>{tr_pr}")
        keep_next = "<w:keepNext/>" if keep and (header or n < len(rows) - 1) else ""
        for i, (spans, w) in enumerate(zip(row, tw)):
            jc = '<w:jc w:val="right"/>' if i in right and not header else ""
            ppr = f'<w:pPr><w:pStyle w:val="{CELL_STYLE_ID}"/>{keep_next}{jc}</w:pPr>'
            parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p>{ppr}{_spans_markup(spans)}</w:p></w:tc>')
        parts.append("</w:tr>")
    parts.append("</w:rows>")
    return list(parse_xml("".join(parts).encode("utf-8")))


def _spans_markup(spans: Sequence[c.Span]) -> str:
    """Runs of table text, sized by the Table Text style; only a note is set smaller (CELL_SMALL_PT)."""
    out = []
    for s in spans:
        props = ("<w:b/>" if s.bold else "") + ("<w:i/>" if s.italic else "") + (
            f'<w:color w:val="{TONE_RGB[s.tone]}"/>' if s.tone else "") + (
            f'<w:sz w:val="{CELL_SMALL_PT * 2}"/>' if s.small else "") + (
            '<w:vertAlign w:val="superscript"/>' if s.sup else "")  # the schema's order
        rpr = f"<w:rPr>{props}</w:rPr>"
        for k, line in enumerate(_xml(s.text).split("\n")):
            if k:
                out.append(f"<w:r>{rpr}<w:br/></w:r>")
            if line:
                out.append(f'<w:r>{rpr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>')
    return "".join(out)


def _cell_spans(value: c.Cell) -> Sequence[c.Span]:
    if isinstance(value, c.Rich):
        return value.spans
    if isinstance(value, c.Mark):
        return [c.Span(value.text, bold=True, tone=value.tone)]
    return [c.Span(plain(value))]


def _field(p, instr: str, result: str, bold: bool = False) -> None:
    """A complex field (PAGE, NUMPAGES, SEQ ...) with its current result, which Word updates."""
    def run(*children, text: str | None = None):
        r = p.add_run(text)
        if bold:
            r.bold = True
        for ch in children:
            r._r.append(ch)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run(begin)
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    run(it)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run(sep)
    run(text=result)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run(end)


def _deterministic(data: bytes) -> bytes:
    """The same case gives the same file: python-docx stamps each part of the package with the
    time it was saved; here every part gets one fixed time (the ZIP epoch), in the same order."""
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
