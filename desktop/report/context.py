"""What every section builder of the manuscript shares: ``Ctx`` (the case being reported, its
timeline, the running figure and table numbers, the warnings) and the blocks the sections are
made of (a numbered table, the author's paragraphs, a labelled paragraph, a cell with a note)."""
from __future__ import annotations

import re
from concurrent.futures import Executor
from dataclasses import dataclass, field

from ..core.types import Assessment
from ..model import Case, When
from ..timing import Placed, Timeline, describe
from . import content as c
from .content import Block, Para, Rich, Span
from .required import placeholder
from .text import paragraph_texts, plain
from .wording import INDEX_NAME, relative_words, table_time


def fmt_age(years: float) -> str:
    return str(int(years)) if float(years).is_integer() else f"{years:g}"


def calendar(placed: Placed, when: When) -> str:
    """A calendar date at the precision recorded: "September 2005", "2012", "2023-05-14"; a month
    or year is never printed as an invented day."""
    d = placed.date
    if d is None:
        return ""
    if placed.precision == "year" or (when.date and len(when.date) == 4):
        return str(d.year)
    if placed.precision == "month" or (when.date and len(when.date) == 7):
        return d.strftime("%B %Y")
    return d.isoformat()


def undated_calendar(date: str) -> str:
    import datetime as dt
    try:
        if len(date) == 7:
            return dt.date(int(date[:4]), int(date[5:7]), 1).strftime("%B %Y")
        return date if len(date) == 4 else dt.date.fromisoformat(date).isoformat()
    except ValueError:
        return plain(date)


@dataclass
class Ctx:
    case: Case
    identified: bool
    assessment: Assessment
    pool: Executor
    timeline: Timeline = field(init=False)
    fig_no: int = 0
    tab_no: int = 0
    warnings: list[str] = field(default_factory=list)
    photo_count: int = 0
    prepared: dict = field(default_factory=dict)  # figure id -> (pixel size, Future), see presubmit_photos
    draft: bool = False  # a draft shows a placeholder where a required part is missing
    reference_list: list = field(default_factory=list)  # numbered entries in the journal's style, if cited
    _author_text: str | None = field(default=None, init=False, repr=False)
    journal: str | None = None  # the journal profile whose sections and headings the manuscript follows
    age_in_decades: bool = False  # the journal wants ages as ranges ("in his 70s"; BMJ Case Reports)

    def __post_init__(self):
        self.timeline = Timeline(self.case)

    def place(self, when: When | None) -> Placed | None:
        return self.timeline.place(when)

    def when(self, when: When | None, empty: str = "") -> str:
        if when is None or not when.is_set:
            return plain(when.label) if when is not None and when.label else empty
        placed = self.place(when)
        if placed is None:
            if self.identified and when.date:  # a date with nothing to count it from: the date itself
                return undated_calendar(when.date)
            if not when.label and when.event_id:  # "at the time of" an event with no place: that event's words
                anchor = self.case.event(when.event_id)
                if anchor is not None and anchor.when.label and not when.offset:
                    return plain(anchor.when.label)
            return plain(when.label) if when.label else (empty or "—")
        if when.age_years is not None and when.date is None and when.offset is None and not when.event_id:
            return f"age {fmt_age(when.age_years)}"
        if self.identified and placed.date is not None:
            return calendar(placed, when) or describe(placed, identified=True)
        return table_time(placed)

    def prose_when(self, when: When | None) -> str:
        """A time as a clinician writes it in running text: "about 2 months before presentation",
        "3 weeks before presentation", "at presentation"; day numbers stay in tables and figures."""
        if when is None or not when.is_set:
            return plain(when.label) if when is not None and when.label else ""
        placed = self.place(when)
        if placed is None:
            if self.identified and when.date:
                return "in " + undated_calendar(when.date)
            return plain(when.label)
        if when.age_years is not None and when.date is None and when.offset is None and not when.event_id:
            return f"at age {fmt_age(when.age_years)}"
        if self.identified and placed.date is not None:
            text = calendar(placed, when)
            return f"in {text}" if text and placed.precision in ("month", "year") else f"on {text}"
        return relative_words(placed, self.index_name())

    def author_text(self) -> str:
        """The author's own case-presentation prose, lower case, which tables need not repeat."""
        if self._author_text is None:
            m, p = self.case.manuscript, self.case.patient
            texts = [m.clinical_findings, m.diagnostic_assessment, m.therapeutic_intervention, m.follow_up,
                     p.history, p.presenting_concerns, p.past_interventions, self.case.diagnosis.reasoning]
            self._author_text = " ".join(t for x in texts for t in paragraph_texts(x)).lower()
        return self._author_text

    def index_name(self) -> str:
        idx = self.case.index_event
        return INDEX_NAME.get(idx.kind, "the index event") if idx is not None else "the index event"

    def todo(self, name: str) -> list[Block]:
        """A draft's visible placeholder for a missing required part (a final export was refused)."""
        return [Para([Span(placeholder(name))], "note")] if self.draft else []

    def next_fig(self) -> int:
        self.fig_no += 1
        return self.fig_no

    def next_tab(self) -> int:
        self.tab_no += 1
        return self.tab_no

    def heading(self, title: str, level: int) -> c.Heading:
        return c.Heading(title, level)

    def lesion_number(self, lesion_id: str | None) -> int | None:
        for i, l in enumerate(self.case.lesions):
            if l.id == lesion_id:
                return i + 1
        return None


def table(ctx: Ctx, title: str, header: list[str], rows: list[list], widths: list[float], *,
          number: int | None = None, align_right: tuple[int, ...] | list[int] = (),
          cite: str = "") -> list[Block]:
    """A numbered table with its caption (``number`` when it was reserved earlier), cited in the
    running text just before it: ``cite`` is that sentence, with ``{n}`` for the table's number."""
    n = number if number is not None else ctx.next_tab()
    # a column with nothing recorded in any row is left out (a table of dashes says nothing)
    keep = [j for j in range(len(header))
            if j == 0 or any(not (isinstance(r[j], str) and r[j].strip() in ("", "—")) for r in rows)]
    if len(keep) < len(header):
        total = sum(widths)
        kept_w = sum(widths[j] for j in keep)
        header = [header[j] for j in keep]
        rows = [[r[j] for j in keep] for r in rows]
        widths = [widths[j] * total / kept_w for j in keep]
        align_right = [keep.index(j) for j in align_right if j in keep]
    out: list[Block] = []
    if cite:
        out.append(Para([Span(cite.format(n=n))]))
    out.append(c.Table(header, rows, widths, tuple(align_right), number=n, title=title))
    return out


def prose(text: str | None) -> list[Block]:
    """The author's paragraphs; nothing when nothing was recorded."""
    return [Para([Span(p)]) for p in paragraph_texts(text)]


def labelled(label: str, text: str | None, style: str = "body") -> list[Block]:
    """'**Label.** first paragraph', then the further paragraphs (nothing when the text is empty), each
    set as a sentence (:func:`as_sentence`)."""
    paras = [as_sentence(p) for p in paragraph_texts(text)]
    if not paras:
        return []
    return [Para([Span(f"{label}.", bold=True), Span(" " + paras[0])], style)] + [Para([Span(p)], style)
                                                                                 for p in paras[1:]]


_LOWER_WORD = re.compile(r"[a-z]+\b")


def as_sentence(text: str) -> str:
    """A paragraph the author typed as notes ("denied smoking, alcohol intake or use of recreational
    drugs") set as a sentence: a first word in lower case capitalised, and a full stop where none ends
    it. No word is changed: a first word with capitals inside ("eGFR", "pH") or digits stays as typed."""
    t = text.strip()
    if not t:
        return t
    if _LOWER_WORD.match(t):
        t = t[0].upper() + t[1:]
    if t[-1] not in ".!?:;…":
        t += "."
    return t


def with_note(main: str, note: str, prefix: str = "") -> Rich:
    """A cell with a small muted note under its main text."""
    return Rich((Span(main), Span("\n"), Span(prefix + note, tone="muted", small=True)))


_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")


def covered(text: str, prose_text: str, share: float = 0.8) -> bool:
    """Whether ``prose_text`` (lower case) already says ``text``: nearly all its words of four
    letters or more, and every number in it, are there."""
    words = [w for w in _WORD.findall(text.lower()) if len(w) >= 4 or any(ch.isdigit() for ch in w)]
    if len(words) < 3:  # too few words to judge by: only the very words count
        return bool(text.strip()) and " ".join(text.lower().split()).rstrip(".") in prose_text
    have = set(_WORD.findall(prose_text))
    if any(ch.isdigit() for w in words for ch in w) and not all(w in have for w in words if any(ch.isdigit() for ch in w)):
        return False
    return sum(w in have for w in words) >= share * len(words)


def clauses(prose_text: str) -> list[str]:
    """The clauses of prose (split at sentence ends and semicolons), for finding what one of them
    already tells: "not on dialysis, warfarin, or insulin", "parathyroidectomy in 2011 for ..."."""
    return re.split(r"[.;]\s+", prose_text)


def untold(text: str, prose_text: str, share: float = 0.8) -> str:
    """What of ``text`` ``prose_text`` does not say yet: its clauses (split at ';' and sentence
    ends) that are not covered (``share`` of their words there), with their own punctuation."""
    pieces = re.split(r"(;\s+|(?<=[.!?])\s+)", plain(text).strip())
    out = []
    for clause, sep in zip(pieces[::2], pieces[1::2] + [""]):
        if clause.strip() and not covered(clause, prose_text, share):
            out.append(clause + sep)
    joined = "".join(out).strip().rstrip(";").strip()
    return joined[:1].upper() + joined[1:] if joined else ""
