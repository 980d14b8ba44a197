"""BibTeX and BibLaTeX files (``.bib``) as Zotero, JabRef and Mendeley write them: entries,
``@string`` macros, braces and quotes, LaTeX accents and symbols, and author lists.
"""
from __future__ import annotations

import re
import unicodedata

from ..model import Reference
from .fields import ParseError, Parsed, _finish, clean_doi, clean_pmid, corporate, year_of


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
