"""The report's fonts: Source Serif Pro (text) and Source Sans Pro (headings, tables, figures).

Both come from package dependencies (font-source-serif-pro, font-source-sans-pro, OFL) and are
embedded as subsets, so the PDF never depends on the reader's system fonts. Characters the fonts
lack (emoji, Hebrew, Arabic) render as the font's placeholder box; :func:`missing_glyphs` lets the
report warn about them.
"""
from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SERIF = "CasebookSerif"
SANS = "CasebookSans"

_FILES = {
    SERIF: (font_source_serif_pro, "SourceSerifPro"),
    SANS: (font_source_sans_pro, "SourceSansPro"),
}
_STYLES = {"": "Regular", "-Bold": "Bold", "-Italic": "It", "-BoldItalic": "BoldIt"}
_lock = threading.Lock()


def font_file(package, stem: str, style: str) -> Path:
    path = Path(package.__file__).resolve().parent / "files" / f"{stem}-{style}.ttf"
    if not path.is_file():
        raise FileNotFoundError(f"the report font {path.name} is missing from the {package.__name__} package")
    return path


def ttf_path(font_name: str) -> Path:
    """The TrueType file of a report font by its registered name ("CasebookSans-Bold"); any other
    name (a reportlab standard font) gives the sans regular face."""
    for family, (package, stem) in _FILES.items():
        for suffix, style in _STYLES.items():
            if font_name == family + suffix:
                return font_file(package, stem, style)
    package, stem = _FILES[SANS]
    return font_file(package, stem, "Regular")


@cache
def _register_all() -> None:
    for family, (package, stem) in _FILES.items():
        for suffix, style in _STYLES.items():
            pdfmetrics.registerFont(TTFont(family + suffix, str(font_file(package, stem, style))))
        # <b> and <i> inside paragraphs pick the matching face
        addMapping(family, 0, 0, family)
        addMapping(family, 1, 0, family + "-Bold")
        addMapping(family, 0, 1, family + "-Italic")
        addMapping(family, 1, 1, family + "-BoldItalic")


def register() -> None:
    """Register the report fonts with reportlab (once per process; thread-safe)."""
    with _lock:
        _register_all()


@cache
def _coverage(font_name: str) -> frozenset[int]:
    register()
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def missing_glyphs(text: str, font_name: str = SERIF) -> set[str]:
    """The characters of ``text`` the font cannot draw (whitespace and controls are not counted)."""
    cov = _coverage(font_name)
    return {ch for ch in text if ord(ch) not in cov and not ch.isspace() and ch.isprintable()}
