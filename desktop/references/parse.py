"""Reference files as Zotero, EndNote, Mendeley and PubMed write them, read into
:class:`~desktop.model.Reference` items.

Formats: RIS (``.ris``), BibTeX/BibLaTeX (``.bib``), CSL-JSON (``.json``) and PubMed/MEDLINE
(``.nbib``, ``.txt``). Every parser returns :class:`Parsed` items that remember the line their record
starts on, so a message about a duplicate can name it. A file that cannot be read raises
:class:`ParseError` naming the file and the line. Nothing here goes online: a DOI or PMID is kept as
written (a DOI found in a URL field is taken from it). BibTeX has its own module
(:mod:`desktop.references.bibtex`); what the readers share is in :mod:`desktop.references.fields`.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..model import Reference
from .bibtex import parse_bibtex
from .fields import (  # noqa: F401  (ParseError and Parsed are imported from here too)
    ParseError, Parsed, _authors_person, _finish, clean_doi, clean_pmid, corporate, doi_from_url, year_of)


FORMATS = ("ris", "bibtex", "csl-json", "nbib")


def read_file(path: str | Path, fmt: str | None = None) -> list[Parsed]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ParseError(p.name, None, f"cannot read the file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # EndNote on Windows writes ANSI
    return parse_text(text, fmt or detect_format(text, p.name), p.name)


def detect_format(text: str, name: str = "") -> str:
    ext = Path(name).suffix.lower()
    by_ext = {".ris": "ris", ".bib": "bibtex", ".bibtex": "bibtex", ".json": "csl-json", ".nbib": "nbib"}
    if ext in by_ext:
        return by_ext[ext]
    head = text.lstrip()[:2000]
    if head.startswith(("[", "{")):
        return "csl-json"
    if head.startswith("@") or re.search(r"^\s*@\w+\s*[{(]", head, re.M):
        return "bibtex"
    if re.match(r"^PMID-\s*\d", head):
        return "nbib"
    if re.match(r"^TY  -", head):
        return "ris"
    raise ParseError(name or "the file", None, "not a reference file Casebook reads (RIS, BibTeX, CSL-JSON or "
                     "PubMed .nbib)")


def parse_text(text: str, fmt: str, source: str = "the file") -> list[Parsed]:
    parsers = {"ris": parse_ris, "bibtex": parse_bibtex, "csl-json": parse_csl_json, "nbib": parse_nbib}
    if fmt not in parsers:
        raise ValueError(f"unknown reference format {fmt!r}; one of {', '.join(FORMATS)}")
    return parsers[fmt](text, source)


# --- RIS ------------------------------------------------------------------------------------------------

_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_RIS_TYPES = {
    "JOUR": "article-journal", "JFULL": "article-journal", "MGZN": "article-journal", "NEWS": "article-journal",
    "EJOUR": "article-journal", "INPR": "article-journal", "ABST": "article-journal",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter",
    "RPRT": "report", "GOVDOC": "report", "STAND": "report", "ELEC": "webpage", "WEB": "webpage",
    "THES": "thesis", "CONF": "paper-conference", "CPAPER": "paper-conference",
}


def parse_ris(text: str, source: str = "the file") -> list[Parsed]:
    out: list[Parsed] = []
    rec: list[tuple[str, str, int]] | None = None
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        if not line.strip():
            continue
        m = _RIS_TAG.match(line.rstrip() if line.rstrip().endswith("-") else line)
        if m is None:
            if rec is not None and rec:  # a wrapped value continues the previous tag
                tag, value, ln = rec[-1]
                rec[-1] = (tag, f"{value} {line.strip()}", ln)
                continue
            raise ParseError(source, n, f"not an RIS line (a tag like \"TY  - \" was expected): {line[:60]!r}")
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag == "TY":
            if rec is not None:
                raise ParseError(source, n, f"a new record starts (TY) before the record of line {start} ended (ER)")
            rec, start = [("TY", value, n)], n
            continue
        if rec is None:
            raise ParseError(source, n, f"{tag} outside a record: each record starts with \"TY  - \"")
        if tag == "ER":
            out.append(Parsed(_ris_record(rec), start))
            rec = None
            continue
        rec.append((tag, value, n))
    if rec is not None:
        raise ParseError(source, start, "the record that starts here has no end (\"ER  - \")")
    return out


def _ris_record(rec: list[tuple[str, str, int]]) -> Reference:
    ref = Reference(type=_RIS_TYPES.get(rec[0][1].upper(), "other"))
    first: dict[str, str] = {}
    sp = ep = ""
    for tag, value, _ in rec[1:]:
        if not value:
            continue
        first.setdefault(tag, value)
        if tag in ("AU", "A1"):
            ref.authors.append(_ris_name(value))
        elif tag == "SP":
            sp = value
        elif tag == "EP":
            ep = value
        elif tag == "UR" and not ref.url:
            ref.url = value
        elif tag == "N1":
            ref.note = f"{ref.note}; {value}" if ref.note else value
    ref.title = first.get("TI") or first.get("T1") or ""
    typ = ref.type
    if typ == "chapter":
        ref.container = first.get("T2") or first.get("BT") or ""
    else:
        ref.container = first.get("T2") or first.get("JF") or first.get("JO") or first.get("BT") or ""
    ref.container_short = first.get("J2") or first.get("JA") or (first.get("JO", "") if first.get("JF") else "")
    if not ref.title and typ == "book":
        ref.title = first.get("BT", "")
    ref.year = year_of(first.get("PY") or first.get("Y1") or first.get("DA") or "")
    ref.volume = first.get("VL", "")
    ref.issue = first.get("IS", "")
    ref.pages = f"{sp}-{ep}" if sp and ep and ep != sp else sp
    ref.publisher = first.get("PB", "")
    ref.place = first.get("CY", "")
    ref.doi = clean_doi(first.get("DO", ""))
    for _, value, _ in rec:
        if not ref.pmid and re.search(r"\bPMID:?\s*\d", value):
            ref.pmid = clean_pmid(value.split("PMID", 1)[1])
    if not ref.pmid and first.get("AN", "").strip().isdigit():
        ref.pmid = first["AN"].strip()
    return _finish(ref)


def _ris_name(value: str) -> str:
    # RIS: "Lastname, Firstname, Suffix"; a corporate author has no comma (Zotero writes it whole)
    value = " ".join(value.split())
    if "," not in value:
        return value
    family, _, rest = value.partition(",")
    given, _, suffix = rest.partition(",")
    given = given.strip() + (f", {suffix.strip()}" if suffix.strip() else "")
    return f"{family.strip()}, {given}" if given else f"{family.strip()},"


# --- PubMed / MEDLINE (.nbib) -----------------------------------------------------------------------------

_NBIB_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- (.*)$")


def parse_nbib(text: str, source: str = "the file") -> list[Parsed]:
    out: list[Parsed] = []
    rec: list[tuple[str, str]] = []
    start = 0
    lines = text.splitlines()
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip().lstrip("\ufeff")
        if not line:
            if rec:
                out.append(Parsed(_nbib_record(rec, source, start), start))
                rec = []
            continue
        if line.startswith("      ") or (raw.startswith(" ") and rec):  # continuation of the value above
            if not rec:
                raise ParseError(source, n, "a continued value with no tag before it")
            tag, value = rec[-1]
            rec[-1] = (tag, f"{value} {line.strip()}")
            continue
        m = _NBIB_TAG.match(line)
        if m is None:
            raise ParseError(source, n, f"not a MEDLINE line (a tag like \"PMID- \" or \"TI  - \" was expected): "
                                        f"{line[:60]!r}")
        if not rec:
            start = n
            if m.group(1) != "PMID":
                raise ParseError(source, n, f"a MEDLINE record starts with \"PMID- \", not {m.group(1)!r}")
        rec.append((m.group(1), m.group(2).strip()))
    if rec:
        out.append(Parsed(_nbib_record(rec, source, start), start))
    return out


def _nbib_record(rec: list[tuple[str, str]], source: str, start: int) -> Reference:
    ref = Reference()
    first: dict[str, str] = {}
    fau: list[str] = []
    au: list[str] = []
    pts: list[str] = []
    for tag, value in rec:
        first.setdefault(tag, value)
        if tag == "FAU":
            fau.append(value)
        elif tag == "AU":
            au.append(value)
        elif tag == "CN":
            fau.append("\x00" + value)
            au.append("\x00" + value)
        elif tag == "PT":
            pts.append(value.lower())
        elif tag in ("AID", "LID") and value.endswith("[doi]") and not ref.doi:
            ref.doi = clean_doi(value[:-5])
    ref.pmid = clean_pmid(first.get("PMID", ""))
    if not ref.pmid:
        raise ParseError(source, start, "the record has no PubMed id after \"PMID- \"")
    names = fau if any(not n.startswith("\x00") for n in fau) else au
    for name in names:
        if name.startswith("\x00"):
            ref.authors.append(corporate(name[1:]))
        elif "," in name:
            ref.authors.append(_authors_person(name))
        else:  # AU form "Smilnak GJ": family, then initials
            family, _, initials = name.rpartition(" ")
            ref.authors.append(f"{family}, {initials}" if family else name + ",")
    ref.title = first.get("TI", "") or first.get("BTI", "")
    if "book" in " ".join(pts) or ("BTI" in first and "TI" not in first):
        ref.type = "book"
    ref.container = first.get("JT", "")
    ref.container_short = first.get("TA", "")
    ref.year = year_of(first.get("DP", "") or first.get("DEP", ""))
    ref.volume = first.get("VI", "")
    ref.issue = first.get("IP", "")
    ref.pages = first.get("PG", "")
    if not ref.pages and first.get("LID", "").endswith("[pii]"):
        ref.pages = first["LID"][:-5].strip()
    ref.publisher = first.get("PB", "")
    ref.place = first.get("PL", "") if ref.type == "book" else ""
    return _finish(ref)


# --- CSL-JSON ----------------------------------------------------------------------------------------------

_CSL_TYPES = {"article-journal", "book", "chapter", "report", "webpage", "thesis", "paper-conference"}
_CSL_ALIASES = {"article": "article-journal", "article-magazine": "article-journal", "article-newspaper":
                "article-journal", "post-weblog": "webpage", "entry-encyclopedia": "chapter"}


def parse_csl_json(text: str, source: str = "the file") -> list[Parsed]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(source, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ParseError(source, 1, "CSL-JSON is a list of items (objects)")
    lines = _item_lines(text, len(data))
    out = []
    for i, item in enumerate(data):
        line = lines[i] if i < len(lines) else 1
        if not isinstance(item, dict):
            raise ParseError(source, line, f"item {i + 1} is not an object")
        out.append(Parsed(_csl_item(item, source, line, i), line, key_given=bool(item.get("id"))))
    return out


def _item_lines(text: str, count: int) -> list[int]:
    """The line each top-level item starts on (a bracket count: good enough for messages)."""
    lines, depth, line, in_str, esc = [], 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth == 2 and ch == "{":
                lines.append(line)
        elif ch in "]}":
            depth -= 1
    return lines


def _csl_text(item: dict, key: str, source: str, line: int, i: int) -> str:
    v = item.get(key, "")
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str):
        raise ParseError(source, line, f"item {i + 1}: {key!r} must be text; got {json.dumps(v)[:40]}")
    return v


def _csl_item(item: dict, source: str, line: int, i: int) -> Reference:
    t = lambda k: _csl_text(item, k, source, line, i)  # noqa: E731
    typ = t("type")
    ref = Reference(type=typ if typ in _CSL_TYPES else _CSL_ALIASES.get(typ, "other"))
    if item.get("id") is not None:
        ref.key = str(item["id"])
    ref.title = t("title")
    authors = item.get("author", [])
    if not isinstance(authors, list):
        raise ParseError(source, line, f"item {i + 1}: 'author' must be a list of names")
    for a in authors:
        if not isinstance(a, dict):
            raise ParseError(source, line, f"item {i + 1}: each author is an object with family/given or literal")
        if a.get("literal"):
            ref.authors.append(corporate(str(a["literal"])))
        elif a.get("family"):
            fam = " ".join(x for x in (a.get("non-dropping-particle", ""), a["family"]) if x)
            given = " ".join(x for x in (a.get("given", ""), a.get("dropping-particle", "")) if x)
            suffix = a.get("suffix", "")
            ref.authors.append(f"{fam}, {given}{', ' + suffix if suffix else ''}" if given else f"{fam},")
        elif a.get("given"):
            ref.authors.append(corporate(str(a["given"])))
    ref.container = t("container-title")
    ref.container_short = t("container-title-short") or t("journalAbbreviation")
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                ref.year = int(parts[0][0])
            except (TypeError, ValueError):
                raise ParseError(source, line, f"item {i + 1}: the year in 'issued' is not a number") from None
        else:
            ref.year = year_of(str(issued.get("raw") or issued.get("literal") or ""))
    elif isinstance(issued, str):
        ref.year = year_of(issued)
    ref.volume, ref.issue, ref.pages = t("volume"), t("issue"), t("page")
    ref.publisher, ref.place = t("publisher"), t("publisher-place")
    ref.doi = clean_doi(t("DOI"))
    ref.pmid = clean_pmid(t("PMID"))
    ref.url = t("URL")
    ref.note = t("note")
    if not ref.pmid and re.search(r"PMID:\s*\d", ref.note):
        ref.pmid = clean_pmid(ref.note.split("PMID:", 1)[1])
    return _finish(ref)
