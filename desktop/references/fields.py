"""What every reference-file reader shares: the error that names the file and the line, the parsed
item that remembers its line, and the clean-up of DOIs, PMIDs, years and author names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Reference


class ParseError(ValueError):
    """A reference file that cannot be read; the message names the file and the line."""

    def __init__(self, source: str, line: int | None, message: str):
        self.source, self.line, self.detail = source, line, message
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")


@dataclass
class Parsed:
    ref: Reference
    line: int  # where its record starts in the file (1-based)
    key_given: bool = False  # the file named the citation key (BibTeX key, CSL-JSON id)


# --- shared helpers ---------------------------------------------------------------------------------

_DOI_IN = re.compile(r"(10\.\d{4,9}/[^\s\"<>]+)", re.I)


def clean_doi(value: str) -> str:
    """A DOI as stored: bare (no resolver, no "doi:"), its case kept, without trailing punctuation."""
    m = _DOI_IN.search(value or "")
    if not m:
        return ""
    doi = m.group(1).rstrip(".,;)]")
    from urllib.parse import unquote
    return unquote(doi)


def doi_from_url(url: str) -> str:
    """The DOI of a doi.org link or a publisher link that carries one (".../doi/10.1002/...")."""
    if re.search(r"doi\.org/|/doi/(abs/|full/|pdf/)?10\.", url or "", re.I):
        return clean_doi(url)
    return ""


def clean_pmid(value: str) -> str:
    m = re.search(r"\d{1,9}", value or "")
    return m.group(0) if m else ""


def year_of(value: str) -> int | None:
    m = re.search(r"(?<!\d)(1[5-9]\d\d|2\d\d\d)(?!\d)", value or "")
    return int(m.group(1)) if m else None


def corporate(name: str) -> str:
    name = " ".join(name.split())
    return "{" + name + "}" if "," in name else name


def _finish(ref: Reference) -> Reference:
    ref.title = " ".join(ref.title.split())
    if ref.title.endswith(".") and not ref.title.endswith(".."):
        ref.title = ref.title[:-1]  # PubMed ends titles with a period; the style adds its own
    if not ref.doi and ref.url:
        ref.doi = doi_from_url(ref.url)
    ref.pages = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", ref.pages.strip())
    for f in ("container", "container_short", "volume", "issue", "publisher", "place", "note", "url"):
        setattr(ref, f, " ".join(getattr(ref, f).split()))
    return ref


def _authors_person(name: str) -> str:
    """A person's name as "Family, Given" from "Family, Given" or "Given Family"."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return f"{family.strip()}, {given.strip()}" if given.strip() else f"{family.strip()},"
    parts = name.split(" ")
    if len(parts) == 1:
        return name + ","
    return f"{parts[-1]}, {' '.join(parts[:-1])}"
