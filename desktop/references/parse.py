"""Reference files as Zotero, EndNote, Mendeley and PubMed write them, read into
:class:`~desktop.model.Reference` items.

Formats: RIS (``.ris``), BibTeX/BibLaTeX (``.bib``), CSL-JSON (``.json``) and PubMed/MEDLINE
(``.nbib``, ``.txt``). Every parser returns :class:`Parsed` items that remember the line their record
starts on, so a message about a duplicate can name it. A file that cannot be read raises
:class:`ParseError` naming the file and the line. Nothing here goes online: a DOI or PMID is kept as
written (a DOI found in a URL field is taken from it).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

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


# --- BibTeX / BibLaTeX ---------------------------------------------------------------------------------------

_BIB_TYPES = {
    "article": "article-journal", "book": "book", "inbook": "chapter", "incollection": "chapter",
    "inproceedings": "paper-conference", "conference": "paper-conference", "techreport": "report",
    "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "webpage", "electronic": "webpage", "www": "webpage",
}
_MONTHS = {m: m for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")}


def parse_bibtex(text: str, source: str = "the file") -> list[Parsed]:
    out: list[Parsed] = []
    strings: dict[str, str] = dict(_MONTHS)
    pos, n = 0, len(text)
    while True:
        at = text.find("@", pos)
        if at < 0:
            break
        line = text.count("\n", 0, at) + 1
        m = re.compile(r"@\s*(\w+)\s*([{(])").match(text, at)
        if m is None:
            # an "@" in free text between entries (BibTeX ignores it) or a broken entry
            if re.match(r"@\s*\w+\s*$", text[at:text.find("\n", at) if "\n" in text[at:] else n]):
                raise ParseError(source, line, "an entry type without \"{\" after it")
            pos = at + 1
            continue
        kind = m.group(1).lower()
        close = "}" if m.group(2) == "{" else ")"
        end = _matching(text, m.end() - 1, m.group(2), close)
        if end < 0:
            raise ParseError(source, line, f"the @{m.group(1)} entry that starts here is never closed (a \"{close}\" "
                                           "is missing)")
        body = text[m.end():end]
        pos = end + 1
        if kind in ("comment", "preamble"):
            continue
        if kind == "string":
            fields = _bib_fields(body, source, line, strings)
            strings.update({k.lower(): v for k, v in fields.items()})
            continue
        key, comma, rest = body.partition(",")
        key = key.strip()
        if not comma or not key or re.search(r"[\s=\"{}]", key):
            raise ParseError(source, line, f"the @{m.group(1)} entry has no citation key before the first comma")
        fields = _bib_fields(rest, source, line + body[:len(key) + 1].count("\n"), strings)
        ref = _bib_entry(kind, fields)
        ref.key = key
        out.append(Parsed(ref, line, key_given=True))
    if not out and text.strip() and "@" not in text:
        raise ParseError(source, 1, "no BibTeX entry (\"@article{key, ...}\") in the file")
    return out


def _matching(text: str, open_at: int, opener: str, closer: str) -> int:
    """The index of the bracket closing the one at ``open_at`` (escaped braces do not count), or -1."""
    depth, i = 0, open_at
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _bib_fields(body: str, source: str, line0: int, strings: dict[str, str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    i, n = 0, len(body)
    while i < n:
        while i < n and body[i] in " \t\r\n,":
            i += 1
        if i >= n:
            break
        m = re.compile(r"([A-Za-z][\w:.+-]*)\s*=\s*").match(body, i)
        here = line0 + body.count("\n", 0, i)
        if m is None:
            raise ParseError(source, here, f"a field (name = {{value}}) was expected, not {body[i:i + 30].strip()!r}")
        name = m.group(1).lower()
        i = m.end()
        parts = []
        while True:
            if i >= n:
                raise ParseError(source, here, f"the field {name!r} has no value")
            c = body[i]
            if c == "{":
                j = _matching(body, i, "{", "}")
                if j < 0:
                    raise ParseError(source, here, f"the value of {name!r} opens a brace that is never closed")
                parts.append(body[i + 1:j])
                i = j + 1
            elif c == '"':
                j, depth = i + 1, 0
                while j < n and not (body[j] == '"' and depth == 0 and body[j - 1] != "\\"):
                    depth += {"{": 1, "}": -1}.get(body[j], 0)
                    j += 1
                if j >= n:
                    raise ParseError(source, here, f"the value of {name!r} opens a quote that is never closed")
                parts.append(body[i + 1:j])
                i = j + 1
            else:
                mm = re.compile(r"[\w:.+-]+").match(body, i)
                if mm is None:
                    raise ParseError(source, here, f"the field {name!r} has no value")
                word = mm.group(0)
                parts.append(word if word.isdigit() else strings.get(word.lower(), word))
                i = mm.end()
            while i < n and body[i] in " \t\r\n":
                i += 1
            if i < n and body[i] == "#":
                i += 1
                while i < n and body[i] in " \t\r\n":
                    i += 1
                continue
            break
        fields[name] = "".join(parts)
        while i < n and body[i] in " \t\r\n":
            i += 1
        if i < n and body[i] != ",":
            raise ParseError(source, line0 + body.count("\n", 0, i),
                             f"a comma was expected after the field {name!r}, not {body[i:i + 20]!r}")
    return fields


_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a"}
_SYMBOLS = {"ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
            "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ"}


def latex_to_text(value: str) -> str:
    """Common LaTeX of reference managers to Unicode: accents, special letters, escapes, dashes."""
    s = value
    s = re.sub(r"\\([`'^\"~=.])\s*\{?\\?([A-Za-z])\}?",
               lambda m: unicodedata.normalize("NFC", m.group(2).replace("ı", "i") + _ACCENTS[m.group(1)]), s)
    s = re.sub(r"\\([uvHckr])\s*\{\\?([A-Za-z])\}|\\([uvHckr]) ([A-Za-z])",
               lambda m: unicodedata.normalize("NFC", (m.group(2) or m.group(4)) + _ACCENTS[m.group(1) or m.group(3)]), s)
    s = re.sub(r"\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])\s?", lambda m: _SYMBOLS[m.group(1)], s)
    s = re.sub(r"\\([&%$#_{}])", r"\1", s)
    s = re.sub(r"\\textendash\b\s?|--", "\u2013", s.replace("---", "\u2014"))
    s = re.sub(r"\\(emph|textit|textbf|textsc|textrm|mkbibemph)\s*\{", "{", s)
    s = s.replace("~", "\u00a0").replace("{", "").replace("}", "")
    return " ".join(s.split())


def _split_names(value: str) -> list[str]:
    """BibTeX's "A and B and {C and D}": split on " and " outside braces."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(value):
        c = value[i]
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth == 0 and re.match(r"\s+and\s+", value[i:]) and cur.strip():
            m = re.match(r"\s+and\s+", value[i:])
            out.append(cur.strip())
            cur = ""
            i += m.end()
            continue
        cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def _bib_name(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and _matching(raw, 0, "{", "}") == len(raw) - 1:
        return corporate(latex_to_text(raw[1:-1]))  # "{World Health Organization}": a corporate author
    text = latex_to_text(raw)
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 3:  # "von Last, Jr, First"
        return f"{parts[0]}, {parts[2]}, {parts[1]}"
    if len(parts) == 2:
        return f"{parts[0]}, {parts[1]}" if parts[1] else f"{parts[0]},"
    words = text.split()
    if len(words) == 1:
        return text + ","
    # "First von Last": lower-case words before the last name belong to it
    k = len(words) - 1
    while k > 1 and words[k - 1][:1].islower():
        k -= 1
    return f"{' '.join(words[k:])}, {' '.join(words[:k])}"


def _bib_entry(kind: str, f: dict[str, str]) -> Reference:
    g = lambda k: latex_to_text(f.get(k, ""))  # noqa: E731
    ref = Reference(type=_BIB_TYPES.get(kind, "other"))
    ref.title = g("title")
    people = f.get("author") or ("" if ref.type == "chapter" else f.get("editor", ""))
    ref.authors = [_bib_name(a) for a in _split_names(people) if a.strip() != "others"] if people else []
    if ref.type == "chapter" or ref.type == "paper-conference":
        ref.container = g("booktitle")
    else:
        ref.container = g("journal") or g("journaltitle")
    ref.container_short = g("shortjournal") or g("journalabbreviation") or g("journal-abbreviation")
    ref.year = year_of(f.get("year", "") or f.get("date", ""))
    ref.volume, ref.issue, ref.pages = g("volume"), g("number") or g("issue"), g("pages")
    ref.publisher = g("publisher") or g("institution") or g("school") or g("organization")
    ref.place = g("address") or g("location")
    ref.doi = clean_doi(f.get("doi", ""))
    ref.pmid = clean_pmid(f.get("pmid", ""))
    if not ref.pmid and f.get("eprinttype", "").lower() == "pubmed":
        ref.pmid = clean_pmid(f.get("eprint", ""))
    ref.url = f.get("url", "").strip()
    ref.note = g("note")
    if not ref.pmid and re.search(r"PMID:?\s*\d", ref.note + " " + f.get("annote", "")):
        ref.pmid = clean_pmid((ref.note + " " + f.get("annote", "")).split("PMID", 1)[1])
    return _finish(ref)
