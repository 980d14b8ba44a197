"""Page geometry, colours and paragraph styles of the case report (a journal-article look)."""
from __future__ import annotations

from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from . import fonts
from .fonts import SANS, SERIF

PAGE = A4
MARGIN_L = MARGIN_R = 20 * mm
MARGIN_T = 24 * mm
MARGIN_B = 20 * mm
TEXT_W = PAGE[0] - MARGIN_L - MARGIN_R
TEXT_H = PAGE[1] - MARGIN_T - MARGIN_B

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5a5a5a")
ACCENT = colors.HexColor("#1f4e79")  # headings, rules
RULE = colors.HexColor("#9aa7b4")
SHADE = colors.HexColor("#eef2f6")  # table headers, abstract box
HIGH = colors.HexColor("#b00020")
LOW = colors.HexColor("#1d5fa8")

# chart series colours, distinguishable in greyscale too (dark, mid, light)
SERIES = [colors.HexColor(c) for c in ("#1f4e79", "#c0504d", "#4f8f3a", "#8064a2", "#d98c1f", "#2c8c99")]


class Styles:
    def __init__(self) -> None:
        fonts.register()
        base = dict(fontName=SERIF, fontSize=9.6, leading=13.2, textColor=INK)
        self.body = ParagraphStyle("body", alignment=TA_JUSTIFY, spaceAfter=5, **base)
        self.body_left = ParagraphStyle("body_left", alignment=TA_LEFT, spaceAfter=5, **base)
        self.title = ParagraphStyle("title", fontName=SANS + "-Bold", fontSize=17, leading=21,
                                    textColor=INK, spaceAfter=8, alignment=TA_LEFT)
        self.authors = ParagraphStyle("authors", fontName=SANS, fontSize=10.5, leading=14,
                                      textColor=INK, spaceAfter=3)
        self.affil = ParagraphStyle("affil", fontName=SANS, fontSize=8.2, leading=10.5,
                                    textColor=MUTED, spaceAfter=1)
        self.h1 = ParagraphStyle("h1", fontName=SANS + "-Bold", fontSize=12.5, leading=16,
                                 textColor=ACCENT, spaceBefore=12, spaceAfter=5, keepWithNext=1)
        self.h2 = ParagraphStyle("h2", fontName=SANS + "-Bold", fontSize=10.5, leading=14,
                                 textColor=INK, spaceBefore=8, spaceAfter=3, keepWithNext=1)
        self.h3 = ParagraphStyle("h3", fontName=SANS + "-Italic", fontSize=9.8, leading=13,
                                 textColor=INK, spaceBefore=5, spaceAfter=2, keepWithNext=1)
        self.abstract = ParagraphStyle("abstract", fontName=SANS, fontSize=9, leading=12.2,
                                       textColor=INK, spaceAfter=4, alignment=TA_LEFT)
        self.caption = ParagraphStyle("caption", fontName=SANS, fontSize=8.2, leading=10.5,
                                      textColor=INK, spaceBefore=3, spaceAfter=8)
        self.table_caption = ParagraphStyle("table_caption", parent=self.caption, spaceBefore=0, spaceAfter=0,
                                            leading=11.5)
        self.cell = ParagraphStyle("cell", fontName=SANS, fontSize=8, leading=9.8, textColor=INK)
        self.cell_bold = ParagraphStyle("cell_bold", parent=self.cell, fontName=SANS + "-Bold")
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=SANS + "-Bold")
        self.small = ParagraphStyle("small", fontName=SANS, fontSize=8, leading=10.2, textColor=MUTED,
                                    spaceAfter=3)
        self.ref = ParagraphStyle("ref", fontName=SERIF, fontSize=8.6, leading=11, textColor=INK,
                                  leftIndent=16, firstLineIndent=-16, spaceAfter=2)
        self.banner = ParagraphStyle("banner", fontName=SANS + "-Bold", fontSize=9, leading=12,
                                     textColor=HIGH, alignment=TA_CENTER, spaceAfter=6)
        self.note = ParagraphStyle("note", fontName=SANS + "-Italic", fontSize=8.4, leading=11,
                                   textColor=MUTED, spaceAfter=5)


@cache
def styles() -> Styles:
    return Styles()
