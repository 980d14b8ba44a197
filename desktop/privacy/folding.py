"""Text folding for the PHI scan: case and accents, one character for one character.

The case's own identifiers are matched against folded text (:mod:`desktop.privacy.own_identifiers`);
because a folded text is as long as the original, an offset found in one is an offset in the other.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=8192)
def _fold_char(c: str) -> str:
    low = c.lower()
    if len(low) != 1:
        low = c
    base = "".join(ch for ch in unicodedata.normalize("NFKD", low) if not unicodedata.combining(ch))
    if base in ("’", "‘", "`", "´", "ʼ"):
        return "'"
    return base if len(base) == 1 else low


def fold(text: str) -> str:
    """Lower case without accents, same length as ``text`` so offsets carry over."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))
