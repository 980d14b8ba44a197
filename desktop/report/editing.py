"""The copy-editing passes over the manuscript's content, after it is built and before it is
written (both the PDF and the Word writer see the edited blocks):

- :func:`dedupe`: each sentence once. The author's prose (and the abstract) is read first, in
  document order; a later sentence of eight words or more that says again what was already said
  (the same words, or most of them) is left out — from prose, table cells, key-value rows and
  captions. A table's rows are read each against what was said before the table, not against one
  another. A cell left empty shows "—"; a row or paragraph left empty goes.
- :func:`unify_spelling`: one spelling variant (US or UK) for the whole manuscript, the one the
  author's prose mostly uses, applied to the author's text and to Casebook's own wording alike.
- :func:`abbreviations_used`: the abbreviations of ``resources/catalogues/abbreviations.json``
  that the manuscript uses, for its Abbreviations section.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from . import content as c
from .content import Block, Mark, Para, Rich, Span

MIN_WORDS = 8  # a sentence this long is never printed twice
SHINGLE = 5  # words per shingle when comparing a sentence with what was already said
OVERLAP = 0.6  # share of a sentence's shingles already said that makes it a repetition (in prose)
TABLE_OVERLAP = 0.5  # a table cell's sentence that says half of it again in the same words: the text has it
# a time is never a repetition: "after the parathyroidectomy; not dated in the text we hold" is the time
# of the timeline's event, of the medicine started then and of the result taken then, each in its row
TIME_COLUMNS = frozenset({"Time", "Start", "Stop", "Onset", "When", "Date", "Day"})
CELL_OVERLAP = 0.8  # the same in a key-value row, a structured list (comorbidities) that prose may paraphrase

# a sentence ends at . ! or ? before a space and a capital, digit, quote or bracket - not after
# "Fig.", "e.g.", "et al." and the like
_SENTENCE_END = re.compile(r"(?<!\bFig)(?<!\bFigs)(?<!\be\.g)(?<!\bi\.e)(?<!\bal)(?<!\bvs)(?<!\bNo)(?<!\bapprox)"
                           r"(?<=[.!?])\s+(?=[A-Z0-9“\"(\[])")
_WORD = re.compile(r"[a-z0-9µ²]+(?:[.,/–-][a-z0-9µ²]+)*")


def sentences(text: str) -> list[str]:
    """The sentences of a text (split after . ! ? and ;), whitespace kept inside."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class Said:
    """What the manuscript has said so far, as whole sentences and as word shingles; a layer over
    ``parent`` (what was said before it) holds only what is said within it."""

    def __init__(self, parent: "Said | None" = None):
        self.parent = parent
        self.exact: set[tuple[str, ...]] = set()
        self.shingles: set[tuple[str, ...]] = set()

    @staticmethod
    def _shingles(ws: list[str]) -> set[tuple[str, ...]]:
        return {tuple(ws[i:i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1)}

    def _said_exactly(self, ws: tuple[str, ...]) -> bool:
        return ws in self.exact or (self.parent is not None and self.parent._said_exactly(ws))

    def _known(self, sh: set[tuple[str, ...]]) -> int:
        known = sh & self.shingles
        return len(known) + (self.parent._known(sh - known) if self.parent is not None else 0)

    def repeats(self, sentence: str, overlap: float = OVERLAP) -> bool:
        ws = words(sentence)
        if len(ws) < MIN_WORDS:
            return False
        if self._said_exactly(tuple(ws)):
            return True
        sh = self._shingles(ws)
        return bool(sh) and self._known(sh) / len(sh) >= overlap

    def add(self, text: str) -> None:
        for s in sentences(text):
            ws = words(s)
            if ws:
                self.exact.add(tuple(ws))
                self.shingles |= self._shingles(ws)

    def merge(self, layer: "Said") -> None:
        """Take in what a layer over this one said."""
        self.exact |= layer.exact
        self.shingles |= layer.shingles


def _fresh(text: str, said: Said, overlap: float = OVERLAP) -> str:
    """``text`` without the sentences already said; what is kept is then said."""
    kept = [s for s in sentences(text) if not said.repeats(s, overlap)]
    out = " ".join(kept)
    said.add(out)
    return out


PROSE = ("body", "body_left", "abstract")


def _dedupe_spans(spans: Iterable[Span], said: Said, overlap: float = OVERLAP) -> list[Span]:
    out = []
    for sp in spans:
        if sp.bold or sp.sup or not sp.text.strip() or sp.text == "\n":
            out.append(sp)  # labels, marks and line breaks are not sentences
            continue
        body = sp.text.strip()
        lead = sp.text[:len(sp.text) - len(sp.text.lstrip())]
        trail = sp.text[len(sp.text.rstrip()):]
        text = _fresh(body, said, overlap)
        out.append(replace(sp, text=lead + text + trail) if text else replace(sp, text=""))
    return out


def _has_text(spans: Iterable[Span]) -> bool:
    return any(s.text.strip() and not s.bold for s in spans)


def _cell(cell, said: Said):
    if isinstance(cell, str):
        return _fresh(cell, said, TABLE_OVERLAP) or ("—" if cell.strip() else cell)
    if isinstance(cell, Rich):
        spans = [s for s in _dedupe_spans(cell.spans, said, TABLE_OVERLAP) if s.text]
        while spans and spans[-1].text == "\n":
            spans.pop()
        return Rich(tuple(spans)) if spans else "—"
    return cell  # Mark: a value


def dedupe(blocks: list[Block]) -> tuple[list[Block], int]:
    """``blocks`` with every repeated sentence left out, and how many were left out."""
    said = Said()
    count = [0]

    def counted(before: str, after: str) -> None:
        count[0] += len([s for s in sentences(before) if len(words(s)) >= MIN_WORDS]) - len(
            [s for s in sentences(after) if len(words(s)) >= MIN_WORDS])

    out: list[Block | None] = list(blocks)
    # the author's prose first, in document order
    for i, b in enumerate(blocks):
        if isinstance(b, Para) and b.style in PROSE:
            spans = _dedupe_spans(b.spans, said)
            counted(c.span_text(b.spans), c.span_text(spans))
            out[i] = Para(spans, b.style) if _has_text(spans) else None
    # then what tables, key-value rows and captions add
    for i, b in enumerate(blocks):
        if isinstance(b, c.Table):
            # each row against what was said before the table and earlier in the row: the rows of a
            # table are separate facts, and two of them may well say the same ("location of the
            # lesion and intact peripheral pulses" excluded both cholesterol emboli and gangrene)
            table_said = Said()
            rows = []
            times = {j for j, h in enumerate(b.header) if h in TIME_COLUMNS}
            for row in b.rows:
                row_said = Said(said)
                rows.append([x if j in times else _cell(x, row_said) for j, x in enumerate(row)])
                table_said.merge(row_said)
            said.merge(table_said)
            for (r, j), short in b.fallback.items():
                if rows[r][j] == "—" and b.rows[r][j] != "—":
                    rows[r][j] = short
            out[i] = replace(b, rows=rows)
        elif isinstance(b, c.KeyValues):
            rows = []
            for k, v in b.rows:
                v2 = _fresh(v, said, CELL_OVERLAP)
                counted(v, v2)
                if v2:
                    rows.append((k, v2))
            out[i] = replace(b, rows=rows) if rows else None
    _drop_emptied_headings(blocks, out)
    return [b for b in out if b is not None], count[0]


def _drop_emptied_headings(blocks: list[Block], out: list[Block | None]) -> None:
    """A subsection whose every block repeated what was said before (an imaging study the medical
    history already tells) loses its heading too: no heading with nothing under it. Sections
    (level 0) keep theirs."""
    for i, b in enumerate(blocks):
        if not isinstance(b, c.Heading) or b.level == 0 or out[i] is None:
            continue
        end = next((j for j in range(i + 1, len(blocks))
                    if isinstance(blocks[j], c.Heading) and blocks[j].level <= b.level), len(blocks))
        body = range(i + 1, end)
        if body and all(out[j] is None for j in body):
            out[i] = None


# --- spelling -------------------------------------------------------------------------------------

SPELLING = Path(__file__).resolve().parents[2] / "resources" / "catalogues" / "spelling.json"


@functools.lru_cache(maxsize=None)
def _patterns(to: str) -> list[tuple[re.Pattern, str]]:
    """For each UK/US pair of resources/catalogues/spelling.json: the pattern of the form to change
    (the other variant's) at the start of a word, and the form it becomes."""
    pairs = json.loads(SPELLING.read_text(encoding="utf-8"))["pairs"]
    pats = []
    for e in pairs:
        src, dst = (e["uk"], e["us"]) if to == "US" else (e["us"], e["uk"])
        tail = r"(?![A-Za-z])" if e["match"] == "word" else ""
        if e.get("then"):
            tail += f"(?=[{e['then']}])"
        if e.get("not_then"):
            tail += f"(?!{e['not_then']})"
        pats.append((re.compile(r"(?<![A-Za-z])" + re.escape(src) + tail, re.IGNORECASE), dst))
    # longer stems first, so that "hypercalcaemi" is not taken for a shorter stem of it
    pats.sort(key=lambda pr: -len(pr[0].pattern))
    return pats


def _case_like(src: str, repl: str) -> str:
    if src.isupper() and len(src) > 1:
        return repl.upper()
    return repl[:1].upper() + repl[1:] if src[:1].isupper() else repl


def spell(text: str, to: str) -> str:
    """``text`` in one spelling variant, "US" or "UK" (resources/catalogues/spelling.json)."""
    for pat, repl in _patterns(to):
        text = pat.sub(lambda m, r=repl: _case_like(m.group(0), r), text)
    return text


def variant_of(texts: Iterable[str]) -> str:
    """"US" or "UK": the variant the texts mostly use (US when they do not say)."""
    uk = us = 0
    for t in texts:
        if not t:
            continue
        us += sum(1 for _ in _differences(t, "UK"))  # US forms that would change to UK
        uk += sum(1 for _ in _differences(t, "US"))
    return "UK" if uk > us else "US"


def _differences(text: str, to: str):
    for pat, _ in _patterns(to):
        yield from pat.finditer(text)


def map_text(blocks: list[Block], fn: Callable[[str], str]) -> list[Block]:
    """``blocks`` with ``fn`` applied to every piece of text they print."""
    def span(s: Span) -> Span:
        return replace(s, text=fn(s.text))

    def cell(x):
        if isinstance(x, str):
            return fn(x)
        if isinstance(x, Rich):
            return Rich(tuple(span(s) for s in x.spans))
        if isinstance(x, Mark):
            return replace(x, text=fn(x.text))
        return x

    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Para):
            b = Para([span(s) for s in b.spans], b.style)
        elif isinstance(b, c.Heading):
            b = c.Heading(fn(b.title), b.level)
        elif isinstance(b, c.Table):
            b = replace(b, header=[fn(h) for h in b.header], rows=[[cell(x) for x in r] for r in b.rows],
                        title=fn(b.title), note=[span(s) for s in b.note] if b.note else b.note)
        elif isinstance(b, c.KeyValues):
            b = replace(b, rows=[(fn(k), fn(v)) for k, v in b.rows])
        elif isinstance(b, c.Figure):
            b = replace(b, caption=[span(s) for s in b.caption])
        elif isinstance(b, c.Photos):
            b = c.Photos([replace(p, caption=[span(s) for s in p.caption]) for p in b.photos])
        out.append(b)
    return out


def all_text(blocks: list[Block]) -> list[str]:
    texts: list[str] = []
    map_text(blocks, lambda t: texts.append(t) or t)
    return texts


# names are not respelled: authors, affiliations ("Example Centre") and the cited works' titles
KEEP_SPELLING = ("authors", "affil", "ref")


def unify_spelling(blocks: list[Block], to: str) -> list[Block]:
    return [b if isinstance(b, Para) and b.style in KEEP_SPELLING else map_text([b], lambda t: spell(t, to))[0]
            for b in blocks]


# --- abbreviations ----------------------------------------------------------------------------------

CATALOGUE = Path(__file__).resolve().parents[2] / "resources" / "catalogues" / "abbreviations.json"


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, str]:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {e["abbreviation"]: e["expansion"] for e in data["entries"]}


def abbreviations_used(texts: Iterable[str]) -> list[tuple[str, str]]:
    """(abbreviation, expansion) for each catalogue abbreviation the texts use, alphabetically."""
    joined = "\n".join(texts)
    used = [(a, e) for a, e in catalogue().items()
            if re.search(r"(?<![A-Za-z0-9])" + re.escape(a) + r"(?![A-Za-z0-9])", joined)]
    return sorted(used, key=lambda ae: ae[0].lower())
