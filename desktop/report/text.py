"""User text -> safe reportlab paragraph markup.

Everything a user can type goes through :func:`esc` before it reaches a Paragraph: ``<``, ``&`` and
text that looks like reportlab markup (``<b>``, ``<font>``, ``<img>``, ``&amp;``) print literally.
Control and formatting characters (including bidi overrides) are dropped, lone surrogates become
U+FFFD, and anything the embedded font lacks (emoji, Hebrew, Arabic) falls back to its box glyph.
"""
from __future__ import annotations

import os
import re
import unicodedata
from xml.sax.saxutils import escape

_DROP = {"Cc", "Cf", "Co", "Cn"}


def clean(text: str | None) -> str:
    """Printable text: newlines kept, tabs to spaces, other controls and format characters dropped."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if text.replace("\n", "").isprintable():  # the usual case: nothing to drop
        return text
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat == "Cs":
            out.append("\ufffd")
        elif cat in _DROP:
            continue
        elif cat in ("Zl", "Zp"):
            out.append("\n")
        else:
            out.append(ch)
    return "".join(out)


def esc(text: str | None) -> str:
    """One line of user text as paragraph markup (newlines become spaces)."""
    return escape(" ".join(clean(text).split()))


def esc_lines(text: str | None) -> str:
    """User text as markup keeping single line breaks."""
    return "<br/>".join(escape(" ".join(line.split())) for line in clean(text).split("\n"))


_BLANK = re.compile(r"\n\s*\n")


def paragraphs(text: str | None) -> list[str]:
    """User prose split at blank lines into paragraph markups (line breaks inside kept)."""
    return [esc_lines(p.strip("\n")) for p in _BLANK.split(clean(text)) if p.strip()]


def paragraph_texts(text: str | None) -> list[str]:
    """User prose split at blank lines into plain paragraphs: whitespace folded within each line,
    line breaks kept as ``"\\n"`` (the plain-text form of :func:`paragraphs`)."""
    return ["\n".join(" ".join(line.split()) for line in p.strip("\n").split("\n"))
            for p in _BLANK.split(clean(text)) if p.strip()]


def plain(text: str | None, limit: int | None = None) -> str:
    """One line of plain (unescaped) text for drawings and metadata, cut at ``limit`` characters."""
    t = " ".join(clean(text).split())
    if limit is not None and len(t) > limit:
        t = t[: max(1, limit - 1)].rstrip() + "…"
    return t


def _words(text: str) -> list[str]:
    """Lower-case words with British and American spellings made one ("discolouration",
    "oedema", "haemorrhagic" as "discoloration", "edema", "hemorrhagic")."""
    t = text.lower().replace("colou", "colo").replace("oe", "e").replace("ae", "e")
    return re.findall(r"[a-z]+", t)


def _same_word(word: str, theirs: str) -> bool:
    """Whether ``theirs`` is ``word`` with another ending: they begin alike for all of ``word`` but its
    last three letters, and for four letters at least ("ulcer"/"ulcers", "necrosis"/"necrotic",
    "gangrene"/"gangrenous", "obese"/"obesity"; not "cellulitis"/"cellular")."""
    return len(os.path.commonprefix([word, theirs])) >= max(4, len(word) - 3)


def says(term: str, text: str) -> bool:
    """Whether ``text`` already says ``term``: each of its words of four letters or more is one of
    the text's words, give or take an ending. A term of short words only is never taken as said."""
    theirs = _words(text)
    words = [w for w in _words(term) if len(w) >= 4]
    return bool(words) and all(any(_same_word(w, t) for t in theirs) for w in words)
