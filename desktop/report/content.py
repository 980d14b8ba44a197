"""The manuscript as format-neutral content: the one description of the case report that every
writer renders. ``desktop.report.manuscript`` and ``desktop.report.appendix`` build it; the PDF
writer (``desktop.report.story`` -> reportlab) and the Word writer (``desktop.interop.docx``) only
decide how each block looks, so the two documents cannot drift apart: same sections, same table
headers and rows, same figures and captions, same consent statement and references.

Text in blocks is plain text, never markup: user text has been through ``text.plain`` or
``text.paragraph_texts`` (no control or format characters, whitespace folded); ``"\\n"`` inside a
span is a line break. A writer escapes it for its own format.
"""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence, Union

from .text import plain

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

    from ..core.types import CareItem

# the tones a span or a table value may have: muted (notes), high / low (values out of range)
TONES = ("", "muted", "high", "low")


@dataclass(frozen=True)
class Span:
    """A piece of inline text with its emphasis."""
    text: str
    bold: bool = False
    italic: bool = False
    sup: bool = False
    tone: str = ""
    small: bool = False  # a note in smaller type (under the name in a table cell)


Inline = list[Span]


def span_text(spans: Sequence[Span]) -> str:
    """The plain text of spans (line breaks kept as newlines)."""
    return "".join(s.text for s in spans)


@dataclass
class Heading:
    title: str
    level: int  # 0 a section, 1 a subsection, 2 below that


@dataclass
class Para:
    """A paragraph. ``style`` names its role: body, body_left, abstract, note (an italic, muted
    remark such as "Not recorded."), small, banner (a warning line), ref (a reference), title,
    authors, affil."""
    spans: Inline
    style: str = "body"


@dataclass(frozen=True)
class Rich:
    """A table cell of several spans (a name with a note under it)."""
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Mark:
    """A one-line table value set in bold, optionally in a tone (a lab flag, an abnormal value)."""
    text: str
    tone: str = ""


Cell = Union[str, Rich, Mark]


# a table of at most this many rows is kept on one page, with the sentence citing it, by both writers (a
# row left alone on the next page reads as another table); a longer one (a lab history) flows, its header
# repeated
KEEP_TOGETHER_ROWS = 20


@dataclass
class Table:
    """A journal table: a header row, body rows, column widths in points (a proportion for writers
    with other page sizes), right-aligned (numeric) columns, and a numbered caption when ``number``
    is set. ``note`` is a footnote printed under the table."""
    header: list[str]
    rows: list[list[Cell]]
    widths: list[float]
    align_right: tuple[int, ...] = ()
    number: int | None = None
    title: str = ""
    note: Inline | None = None
    compact: bool = False  # less space after it (evidence tables of the assessment)
    # (row, column) -> a short text for a cell whose sentences the copy-edit leaves out because the
    # text already says them (a timeline event then names its treatment instead of showing a dash)
    fallback: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class KeyValues:
    """Two columns, label and value (patient information, outcomes, the diagnostic tier)."""
    rows: list[tuple[str, str]]
    key_w: float = 120


@dataclass
class Figure:
    """A numbered figure made of one or more vector drawings (a chart, the timeline, the body map);
    a long timeline runs over several drawings and the caption follows the last one."""
    number: int
    drawings: list["Drawing"]
    caption: Inline


@dataclass
class Photo:
    """A photograph figure. ``jpeg`` resolves to the re-encoded, metadata-free JPEG (prepared on a
    worker thread); ``width`` and ``height`` are its placed size in points."""
    number: int
    jpeg: Future
    width: float
    height: float
    label: str  # "Figure 3 (glans penis, day 2)": names the photo in error messages
    caption: Inline
    alone: bool  # set alone (not two to a row)
    figure_id: str = ""  # the case's figure it shows (the submission package writes it as its own file)


@dataclass
class Photos:
    """The photographs of one section, in order."""
    photos: list[Photo]


@dataclass
class PageBreak:
    pass


@dataclass
class Gap:
    """Extra space between two blocks (after the front matter), in points; a writer whose
    paragraphs carry their own spacing may ignore it."""
    points: float


@dataclass
class CareChecklist:
    """The completed CARE checklist (where each item is reported); its pages are known only to a
    writer that paginates."""
    number: int
    items: list["CareItem"] = field(default_factory=list)
    paginated: bool = True  # with a page column


Block = Union[Heading, Para, Table, KeyValues, Figure, Photos, PageBreak, Gap, CareChecklist]


def introduces(blocks: Sequence[Block], i: int) -> bool:
    """Whether block ``i`` is a paragraph that introduces the table or figure right after it (the
    sentence citing it), which a writer keeps on the same page as that table or figure."""
    return (isinstance(blocks[i], Para) and i + 1 < len(blocks)
            and isinstance(blocks[i + 1], (Table, Figure, Photos)))


def headings(blocks: Sequence[Block]) -> list[Heading]:
    return [b for b in blocks if isinstance(b, Heading)]


def figure_count(blocks: Sequence[Block]) -> int:
    return sum(1 for b in blocks if isinstance(b, Figure)) + sum(len(b.photos) for b in blocks if isinstance(b, Photos))


# --- the CARE checklist's rows, shared by every writer ----------------------------------------------

CARE_HEADER = ["Item", "Topic", "Checklist item", "Reported in", "Page"]
CARE_WIDTHS = [30, 90, 212, 118, 32]


def care_section(section: str, pages: dict[str, int]) -> tuple[str, str]:
    """(section, page) for a CARE item's section from the page map of the headings laid out."""
    if not section:
        return "", ""
    key = section.lower()
    if key in pages:
        return section, str(pages[key])
    # the longest heading named inside the section text ("Case presentation — Timeline" -> Timeline)
    hits = [h for h in pages if h and h in key]
    if hits:
        best = max(hits, key=len)
        return section, str(pages[best])
    return section, ""


def care_rows(items: Sequence["CareItem"], pages: dict[str, int] | None) -> list[list[Cell]]:
    """The checklist's rows: item, topic, checklist text, where it is reported, and (when
    ``pages`` is given) the page."""
    rows: list[list[Cell]] = []
    for it in items:
        if it.status == "missing":
            where, page = "not reported", ""
        else:
            where, page = care_section(plain(it.section), pages or {})
            where = where or "reported"
            if it.status == "partial":
                where += " (partly)"
        row: list[Cell] = [it.item, plain(it.topic), Rich((Span(plain(it.text)),)), where]
        if pages is not None:
            row.append(page or "—")
        rows.append(row)
    return rows


def care_table(b: CareChecklist, pages: dict[str, int] | None = None) -> Table:
    """The CARE checklist as a numbered table; the page column only when ``b.paginated`` (then
    ``pages`` maps each heading, lower case, to its page)."""
    if b.paginated:
        return Table(CARE_HEADER, care_rows(b.items, pages or {}), CARE_WIDTHS, number=b.number,
                     title="CARE checklist")
    return Table(CARE_HEADER[:-1], care_rows(b.items, None), [30, 90, 244, 118], number=b.number,
                 title="CARE checklist")
