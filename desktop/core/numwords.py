"""Numbers written in words, read as numbers: "two weeks", "twenty-five", "one hundred and five",
"three times a week", "thrice weekly". Cardinals only: "third toe" and "first visit" stay words.

Written here rather than taken from a library: English cardinals up to the thousands are a few
dozen words and three rules, and the narrative check needs where each number stands in the text
as well as its value (``spans``), which the small libraries (word2number, text2num) do not give
for free text.

API::

    value(words) -> int | None                    # "twenty-five" -> 25; None if not a number
    spans(text) -> list[(start, end, value)]      # every number in words in a text
    with_digits(text) -> Digits                   # the text with digits for the cardinals (not
                                                  # once/twice/thrice: "2 weekly" would read as
                                                  # every two weeks), and the way back
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
SCALES = {"hundred": 100, "thousand": 1000}
# how often: "once daily", "twice a week", "thrice weekly"
MULTIPLES = {"once": 1, "twice": 2, "thrice": 3}

_WORD = "(?:" + "|".join(sorted([*UNITS, *TENS, *SCALES], key=len, reverse=True)) + ")"
_RUN = re.compile(rf"(?<![A-Za-z-]){_WORD}(?:(?:\s+and\s+|\s+|-){_WORD})*(?![A-Za-z])", re.IGNORECASE)
_MULT = re.compile(r"(?<![A-Za-z])(?:once|twice|thrice)(?![A-Za-z])", re.IGNORECASE)


def value(words: str) -> int | None:
    """The number ``words`` say ("one hundred and five" -> 105), or None when they are not one
    number ("two three", "hundred and")."""
    tokens = [t for t in re.split(r"[\s-]+", words.lower().strip()) if t]
    if not tokens or tokens[-1] == "and":
        return None
    total = current = 0
    last = ""  # the kind of the previous word: unit, teen (10-19), tens, scale
    for i, t in enumerate(tokens):
        if t == "and":
            if last != "scale" or i + 1 == len(tokens):
                return None
            continue
        if t in UNITS:
            n = UNITS[t]
            kind = "teen" if n >= 10 else "unit"
            if last in ("unit", "teen") or (last == "tens" and kind == "teen"):
                return None
            current += n
            last = kind
        elif t in TENS:
            if last in ("unit", "teen", "tens"):
                return None
            current += TENS[t]
            last = "tens"
        elif t in SCALES:
            if t == "hundred":
                if current >= 100 or last == "scale" and current == 0 and total == 0:
                    return None
                current = (current or 1) * 100
            else:
                total += (current or 1) * 1000
                current = 0
            last = "scale"
        else:
            return None
    return total + current


def spans(text: str, multiples: bool = False) -> list[tuple[int, int, int]]:
    """(start, end, value) of every cardinal number in words in ``text`` (with ``multiples``, of
    once/twice/thrice too). A run of words that is not one number ("one two") is read word by word."""
    out = []
    for m in _RUN.finditer(text):
        v = value(m.group(0))
        if v is not None:
            out.append((m.start(), m.end(), v))
            continue
        for w in re.finditer(_WORD, m.group(0), re.IGNORECASE):
            v = value(w.group(0))
            if v is not None:
                out.append((m.start() + w.start(), m.start() + w.end(), v))
    if multiples:
        out += [(m.start(), m.end(), MULTIPLES[m.group(0).lower()]) for m in _MULT.finditer(text)]
    return sorted(out)


@dataclass(frozen=True)
class Digits:
    """A text with its numbers in words written as digits ("two weeks" -> "2 weeks"); ``original``
    maps a span of ``text`` back to the span of the words it came from."""
    text: str
    source: str
    _new: tuple[int, ...]  # starts of the pieces in text
    _old: tuple[int, ...]  # their starts in the source
    _replaced: tuple[bool, ...]

    def original(self, start: int, end: int) -> str:
        """The source's words for ``text[start:end]``."""
        return self.source[self._to_source(start, False):self._to_source(end, True)]

    def _to_source(self, pos: int, is_end: bool) -> int:
        # the piece that holds the character at pos (a start) or just before it (an end)
        i = (bisect.bisect_left(self._new, pos) if is_end else bisect.bisect_right(self._new, pos)) - 1
        if i < 0:
            return pos
        if self._replaced[i]:  # digits that stand for words: the whole words
            if not is_end:
                return self._old[i]
            return self._old[i + 1] if i + 1 < len(self._old) else len(self.source)
        return self._old[i] + (pos - self._new[i])


def with_digits(text: str) -> Digits:
    pieces: list[tuple[str, int, bool]] = []  # (text, start in source, replaced)
    at = 0
    for start, end, v in spans(text):
        if start < at:
            continue
        if start > at:
            pieces.append((text[at:start], at, False))
        pieces.append((str(v), start, True))
        at = end
    if at < len(text):
        pieces.append((text[at:], at, False))
    new, pos = [], 0
    for p, _, _ in pieces:
        new.append(pos)
        pos += len(p)
    return Digits("".join(p for p, _, _ in pieces), text, tuple(new), tuple(o for _, o, _ in pieces),
                  tuple(r for _, _, r in pieces))
