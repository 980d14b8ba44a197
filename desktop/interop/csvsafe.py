"""CSV cells a spreadsheet opens as data, never as a formula (OWASP "CSV injection").

Every CSV Casebook writes goes through :func:`write_csv`:

- a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an
  apostrophe, which Excel and LibreOffice Calc read as "text follows" (OWASP, CSV Injection). A cell
  that is a plain number ("-3.5", "+1e-3") is left as it is: no spreadsheet reads a number as a
  formula, and registries need negative values as numbers;
- a cell holding a comma, a double quote, a carriage return or a line feed is quoted (RFC 4180), so a
  lone CR inside a note cannot end a record in a reader that treats CR as a line break.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def neutralise(cell: object) -> str:
    """The cell's text as a spreadsheet must see it: an apostrophe before a would-be formula."""
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _quote(text: str) -> str:
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def format_row(cells: Iterable[object]) -> str:
    """One CSV record (without its line end): neutralised, quoted where needed."""
    out = [_quote(neutralise(c)) for c in cells]
    if len(out) == 1 and out[0] == "":
        return '""'  # as the csv module writes it: a record of one empty field is not a blank line
    return ",".join(out)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object] | Mapping[str, object]]) -> str:
    """The whole file: the header, then each row (a sequence, or a mapping read by the header's
    names, missing keys empty), each record ended by "\\n"."""
    lines = [format_row(header)]
    for row in rows:
        if isinstance(row, Mapping):
            row = [row.get(k, "") for k in header]
        lines.append(format_row(row))
    return "\n".join(lines) + "\n"
