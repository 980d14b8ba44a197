"""CSV exports never hand a spreadsheet a formula (OWASP CSV injection) and keep CR/LF inside quotes.

Expected values follow OWASP's "CSV Injection" page: cells beginning with =, +, -, @, tab or carriage
return get a leading apostrophe; RFC 4180: fields holding CR, LF, comma or quote are quoted."""
import csv
import io

import pytest

from desktop.interop import prepare, redcap
from desktop.interop.csvsafe import neutralise, write_csv
from desktop.interop.labs_csv import write_labs_csv

from helpers import synthetic_case

HOSTILE = ["=HYPERLINK(\"http://x.example\",\"y\")", "+SUM(1,2)", "-2+3", "@cmd", "\tstart", "\rstart",
           "a\rb", "c\nd", "=1+1"]


@pytest.mark.parametrize("cell,expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-3.5", "-3.5"), ("+1e-3", "+1e-3"), ("plain", "plain"), ("", ""),
])
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_cr_alone_is_quoted_and_reads_back():
    text = write_csv(["a", "b"], [["x\ry", "z"]])
    assert text == 'a,b\n"x\ry",z\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a", "b"], ["x\ry", "z"]]


def _hostile_case():
    c = synthetic_case(n_labs=len(HOSTILE))
    c.title = HOSTILE[0]
    for i, lab in enumerate(c.labs):
        lab.note = HOSTILE[i % len(HOSTILE)]
    c.treatments[0].agent = "=cmd|' /C calc'!A0"
    return c


def _assert_safe(text: str) -> int:
    n = 0
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            n += 1
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(cell)  # only a plain number may start so; anything else raises
    return n


def test_labs_csv_has_no_formula_cells():
    text = write_labs_csv([prepare(_hostile_case())])
    _assert_safe(text)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert "'a\rb" not in [r["note"] for r in rows] and "a\rb" in [r["note"] for r in rows]
    assert "'=1+1" in [r["note"] for r in rows]


def test_redcap_files_have_no_formula_cells():
    case = prepare(_hostile_case())
    assert _assert_safe(redcap.write_data([case])) > 0
    _assert_safe(redcap.write_dictionary())
