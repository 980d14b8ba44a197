"""Render one case as a PDF case report. The GUI (on a worker thread) and ``casebook report`` both
call :func:`render_pdf`. The content is made by ``desktop.report.build`` (shared with the Word
manuscript, ``desktop.interop.docx``) and laid out here through ``desktop.report.story``.

- De-identified by default: the report is built from ``desktop.privacy.deidentify.deidentify(case)``,
  so identifiers and calendar dates never reach it; ``identified=True`` (the author's own records)
  builds from the case itself and says so on every page.
- No recorded consent for publication: refused (:class:`ReportRefused`) unless ``draft``, which
  watermarks every page "DRAFT — NOT FOR SUBMISSION".
- One layout pass: "Page X of Y" draws Y from a form filled in when the document closes, and the
  CARE checklist (last) is built when the layout reaches it, when every page it cites is known.
- Deterministic: the same case gives the same PDF (reportlab's invariant mode; no run-time dates).
"""
from __future__ import annotations

import dataclasses
import functools
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from ..model import Case
from ..files import write_atomic
from . import fonts, photos
from .build import DRAFT_MARK, IDENTIFIED_MARK, REFUSED, build, image_warnings, refuse_without_consent
from .errors import ReportError, ReportRefused
from .fonts import SANS
from .layout import Heading
from .sections import heading_aliases
from .story import flowables
from .styles import HIGH, MARGIN_B, MARGIN_L, MARGIN_R, MARGIN_T, MUTED, PAGE, RULE, TEXT_H, TEXT_W
from .text import plain

__all__ = ["render_pdf", "ReportInfo", "ReportError", "ReportRefused", "DRAFT_MARK", "IDENTIFIED_MARK", "REFUSED"]


# CARE checklist section names (resources/catalogues/care.json) that are not headings of their own
SECTION_ALIASES = {"keywords": "abstract", "introduction": "background", "informed consent": "consent for publication"}

# Images go in as binary streams: ASCII85 would add a quarter to every photo's size.
rl_config.useA85 = 0


@dataclass
class ReportInfo:
    pages: int
    figures: int
    warnings: list[str] = field(default_factory=list)
    # the page of every heading as laid out (lower case; with the CARE checklist's section names)
    section_pages: dict[str, int] = field(default_factory=dict)


class _Canvas(Canvas):
    """Defines the forms pages refer to when the document closes: the photos and the 'total
    pages' of every footer."""

    def save(self):
        photos.define_photos(self)  # waits for the last photos, raises a figure's decode error
        total = self.getPageNumber() - 1
        self.beginForm("casebook-page-total")
        self.setFont(SANS, 7.5)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(total))
        self.endForm()
        self._casebook_pages = total
        super().save()


class _Doc(BaseDocTemplate):
    def __init__(self, buf, *, running_title: str, running_right: str, draft: bool, identified: bool,
                 progress: Callable[[float], None] | None, **kw):
        super().__init__(buf, pagesize=PAGE, leftMargin=MARGIN_L, rightMargin=MARGIN_R, topMargin=MARGIN_T,
                         bottomMargin=MARGIN_B, invariant=1, initialFontName=SANS, initialFontSize=8,
                         initialLeading=10, **kw)
        frame = Frame(MARGIN_L, MARGIN_B, TEXT_W, TEXT_H, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])
        self.running_title = running_title
        self.running_right = running_right
        self.draft = draft
        self.identified = identified
        self.progress = progress
        self.heading_pages: dict[str, int] = {}
        self._last_level = -1
        self._story: list | None = None
        self._story_len = 1
        self._done = 0.0

    # -- page furniture ------------------------------------------------------------------------
    def _decorate(self, c: Canvas, doc) -> None:
        w, h = PAGE
        c.saveState()
        if self.draft:
            c.saveState()
            c.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.13))
            c.setFont(SANS + "-Bold", 40)
            c.translate(w / 2, h / 2)
            c.rotate(54)
            c.drawCentredString(0, -14, DRAFT_MARK)
            c.restoreState()
        top = h - MARGIN_T + 10
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(MARGIN_L, top - 3, w - MARGIN_R, top - 3)
        c.setFont(SANS, 7.5)
        c.setFillColor(MUTED)
        right = self.running_right
        rw = stringWidth(right, SANS, 7.5)
        title = _fit(self.running_title, SANS, 7.5, TEXT_W - rw - 20)
        c.drawString(MARGIN_L, top, title)
        c.drawRightString(w - MARGIN_R, top, right)
        y = MARGIN_B - 18
        c.line(MARGIN_L, y + 10, w - MARGIN_R, y + 10)
        label = f"Page {doc.page} of "
        x = w - MARGIN_R - stringWidth("0000", SANS, 7.5)
        c.drawRightString(x, y, label)
        c.saveState()
        c.translate(x, y)
        c.doForm("casebook-page-total")
        c.restoreState()
        mark = IDENTIFIED_MARK if self.identified else (DRAFT_MARK if self.draft else "")
        if mark:
            c.setFillColor(HIGH)
            c.setFont(SANS + "-Bold", 7.5)
            c.drawString(MARGIN_L, y, mark)
        c.restoreState()

    # -- outline, page map, progress -----------------------------------------------------------
    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, Heading):
            page = self.page
            self.heading_pages.setdefault(flowable.outline_title.lower(), page)
            level = min(flowable.outline_level if hasattr(flowable, "outline_level") else 0, self._last_level + 1)
            key = flowable.outline_key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_title, key, level=max(0, level), closed=level >= 1)
            self._last_level = max(0, level)

    def afterPage(self) -> None:
        if self.progress is not None and self._story is not None:
            done = 1 - len(self._story) / self._story_len
            self._done = max(self._done, done)
            self.progress(0.1 + 0.85 * self._done)

    def build(self, flowables, **kw):
        self._story = flowables
        self._story_len = max(1, len(flowables))
        super().build(flowables, **kw)


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


@functools.cache
def _text_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("data", "identifiers", "sha256", "id"))


def _strings(obj, path: str, out: list[tuple[str, str]]) -> None:
    """Every non-ASCII (field path, text) of a case, image bytes and identifiers skipped, for the
    glyph check."""
    for name in _text_fields(type(obj)):
        value = getattr(obj, name)
        if isinstance(value, str):
            if not value.isascii():
                out.append((f"{path}{name}", value))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, str):
                    if not v.isascii():
                        out.append((f"{path}{name}[{i}]", v))
                elif dataclasses.is_dataclass(v):
                    _strings(v, f"{path}{name}[{i}].", out)
        elif dataclasses.is_dataclass(value):
            _strings(value, f"{path}{name}.", out)


def _script(ch: str) -> str:
    o = ord(ch)
    if 0x0590 <= o <= 0x05FF or 0xFB1D <= o <= 0xFB4F:
        return "Hebrew"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
        return "Arabic"
    if o >= 0x1F000 or 0x2600 <= o <= 0x27BF:
        return "emoji and symbols"
    return "other"


def _glyph_warning(case: Case) -> str | None:
    """A warning naming the characters the embedded font cannot draw (they print as a box), by
    script, with the fields that hold them."""
    texts: list[tuple[str, str]] = []
    _strings(case, "", texts)
    missing: dict[str, None] = {}
    fields: list[str] = []
    for path, t in texts:
        found = fonts.missing_glyphs(t)
        if found:
            fields.append(path)
            for ch in t:
                if ch in found:
                    missing.setdefault(ch)
    if not missing:
        return None
    groups: dict[str, list[str]] = {}
    for ch in missing:
        groups.setdefault(_script(ch), []).append(ch)
    parts = [f"{name} ({len(chs)}, e.g. {chs[0]} U+{ord(chs[0]):04X})" for name, chs in groups.items()]
    where = ", ".join(fields[:4]) + (f" and {len(fields) - 4} more" if len(fields) > 4 else "")
    return (f"{len(missing)} different character(s) are not in the report font and print as a box: "
            f"{'; '.join(parts)}. Found in {where}.")


def _running_right(case: Case) -> str:
    names = [plain(a.name) for a in case.authors if plain(a.name)]
    if not names:
        return "Case report"
    first = names[0]
    if "et al" in first:
        return first
    last = first.split()[-1]
    return f"{last} et al." if len(names) > 1 else last


def render_pdf(case: Case, out: Path | str | BinaryIO, *, draft: bool = False, identified: bool = False,
               include_assessment: bool = True,
               progress: Callable[[float], None] | None = None, journal: str | None = None) -> ReportInfo:
    """Write the case report of ``case`` to ``out`` (a path, written atomically, or a binary stream).

    Raises :class:`ReportRefused` when no consent for publication is recorded and ``draft`` is not
    set, and :class:`ReportError` (naming the figure) when an image cannot be decoded. Nothing is
    written when either is raised.
    """
    refuse_without_consent(case, draft, journal)  # before anything starts
    report = (lambda f: progress(min(1.0, max(0.0, f)))) if progress else None
    if report:
        report(0.0)
    fonts.register()
    pool = photos.make_pool()
    buf = io.BytesIO()
    try:
        built = build(case, pool, draft=draft, identified=identified, include_assessment=include_assessment,
                      progress=report, journal=journal)
        src, ctx = built.source, built.ctx
        title = built.title
        doc = _Doc(buf, running_title=built.running_title, running_right=_running_right(src),
                   draft=draft, identified=identified, progress=report,
                   title=title, author=", ".join(plain(a.name) for a in src.authors if plain(a.name)),
                   subject="Case report" + (" — IDENTIFIED, author's records only" if identified else "")
                           + (" — DRAFT, not for submission" if draft else ""),
                   keywords=[plain(k) for k in src.keywords if plain(k)], creator="Casebook", lang="en")

        def pages() -> dict[str, int]:
            pm = dict(doc.heading_pages)
            pm.setdefault("title", 1)
            for alias, heading in {**heading_aliases(journal), **SECTION_ALIASES}.items():
                if heading in pm:
                    pm.setdefault(alias, pm[heading])
            return pm

        story = flowables(built.blocks, pages)
        if report:
            report(0.1)
        canvas_holder: list[_Canvas] = []

        def make_canvas(*a, **kw):
            c = _Canvas(*a, **kw)
            canvas_holder.append(c)
            return c

        doc.build(story, canvasmaker=make_canvas)
        n_pages = getattr(canvas_holder[-1], "_casebook_pages", doc.page)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    warnings = list(ctx.warnings) + image_warnings(case, built, identified)
    gw = _glyph_warning(src)
    if gw:
        warnings.append(gw)
    data = buf.getvalue()
    write_atomic(out, data)
    if report:
        report(1.0)
    return ReportInfo(pages=n_pages, figures=ctx.fig_no, warnings=warnings, section_pages=pages())
