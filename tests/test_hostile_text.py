"""Hostile text in every text field of a case reaches every exporter without a crash.

The case is made generically: the model's dataclasses are walked (desktop.codec's type hints), and
every ``str`` field -- and every item of every ``list[str]`` -- gets hostile text: reportlab-like
markup, bare ``&`` and ``<``, right-to-left Arabic and Hebrew, emoji with zero-width joiners,
combining marks, control characters, a 300-character word, and in a few fields a 50,000-character
string. Ids and references to ids get a hostile prefix (the same one, so references still match).
Only fields that must hold a code (a catalogue entry, a unit, a date, a MIME type) are given back
their valid value, found by asking ``check_case`` -- and the test pins down exactly which those are.
Lone surrogates cannot occur in UTF-8 text, so they are not here (tests/test_fuzz_import.py feeds
them through JSON escapes)."""
from __future__ import annotations

import copy
import csv
import dataclasses
import hashlib
import io
import json
import re
import typing
from typing import get_args, get_origin

import pytest

from desktop import jsonio
from desktop.codec import fields_of, hints
from desktop.demo import load_demo
from desktop.model import Case, DialysisPeriod, Differential, Figure, LabResult, Medication, RecordNumber, Reference, When

MARKUP = "<para><font name='x'>&amp;</b>"
PIECES = [
    MARKUP, "&", "<", ">", "&lt;&#0;]]>", "' OR 1=1; DROP TABLE cases; --", "%s %d {0} {} $(id) `id` \\",
    "مرحبا بالعالم", "שלום עולם", "\u202eRTL override\u202c", "👩‍👩‍👧‍👦 👨🏽‍⚕️ 🏳️‍🌈",
    "e\u0301\u0302\u0303 Z\u0351\u0352\u0353\u0354\u0355", "\ufeff\u200b\u200c\u200d", "𝕳𝖊𝖑𝖑𝖔 \U0010fffd",
    "".join(map(chr, range(32))) + "\x7f",
]
WORD = "Calciphylaxis" * 23 + "x"  # one 300-character word
assert len(WORD) == 300
MIX = " ".join(PIECES) + " " + WORD
HUGE = ("Lorem ipsum dolor sit amet " * 1852)[:50_000]  # a 50,000-character string
ID_PREFIX = "<&'\"👩‍👩‍👧> "


def _text_kind(tp) -> str | None:
    """'str', 'list' (of str) or None, for a field's type hint."""
    if get_origin(tp) in (typing.Union, __import__("types").UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        tp = args[0] if len(args) == 1 else tp
    if tp is str:
        return "str"
    if get_origin(tp) is list and get_args(tp) == (str,):
        return "list"
    return None


def _walk(obj, path: str = "$"):
    """Every dataclass instance inside ``obj`` with its JSON path."""
    yield obj, path
    for f in fields_of(type(obj)):
        v = getattr(obj, f.name)
        if dataclasses.is_dataclass(v):
            yield from _walk(v, f"{path}.{f.name}")
        elif isinstance(v, list):
            for i, item in enumerate(v):
                if dataclasses.is_dataclass(item):
                    yield from _walk(item, f"{path}.{f.name}[{i}]")


def _png() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), (180, 60, 60)).save(buf, "PNG")
    return buf.getvalue()


def _full_case() -> Case:
    """The demo case, with at least one item in every list the model has."""
    case = load_demo()
    case.medications.append(Medication(id="med1", name="warfarin", drug_class="other", dose=5.0, dose_unit="mg"))
    # a result the analyte list does not have: its printed name is free text too
    case.labs.append(LabResult(id="lab-other", analyte="other", name="lactate dehydrogenase", value=480.0, unit="U/L",
                               when=When(offset=0.0)))
    case.diagnosis.differentials.append(Differential(name="warfarin necrosis", status="excluded", how="history"))
    case.patient.dialysis_history.append(DialysisPeriod(modality="peritoneal", reason="synthetic"))
    case.identifiers.record_numbers.append(RecordNumber("MRN", "MRN-0000001"))
    case.identifiers.urls.append("https://example.org/x")
    png = _png()
    case.figures.append(Figure(id="img1", mime="image/png", data=png, sha256=hashlib.sha256(png).hexdigest(),
                            caption="synthetic square", lesion_id=case.lesions[0].id,
                            face_checked=True))  # a plain square: looked at, no face (a file read looks again)
    case.references.append(Reference(id="ref1", key="nigwekar2018", title="Calciphylaxis", year=2018,
                                     authors=["Nigwekar, Sagar U.", "KDIGO Work Group"], container="N Engl J Med",
                                     doi="10.1056/NEJMra1505292", pmid="29719190"))
    for obj, path in _walk(case):
        for f in fields_of(type(obj)):
            v = getattr(obj, f.name)
            if _text_kind(hints(type(obj))[f.name]) == "list" and not v:
                v.append("placeholder")
            if isinstance(v, list) and not v and f.name != "figures":
                tp = get_args(hints(type(obj))[f.name])[0]
                assert not dataclasses.is_dataclass(tp), f"{path}.{f.name} is empty in the demo: add an item above"
    return case


def _field_path(root, path: str) -> str:
    """The path of the field a problem is about (a problem may name a part of the value, as in
    "$.identifiers.date_of_birth.date" for the text field date_of_birth)."""
    parts = re.findall(r"\.(\w+)|\[(\d+)\]", path)
    obj, out = root, "$"
    for name, index in parts:
        if name:
            if not dataclasses.is_dataclass(obj) or not hasattr(obj, name):
                break
            obj, out = getattr(obj, name), f"{out}.{name}"
        else:
            if not isinstance(obj, list):
                break
            obj, out = obj[int(index)], f"{out}[{index}]"
    return out


def _set_path(root, path: str, source) -> None:
    """Give the field at a JSON path of ``root`` the value it has in ``source``."""
    parts = re.findall(r"\.(\w+)|\[(\d+)\]", path)
    obj, src = root, source
    for name, index in parts[:-1]:
        obj, src = (getattr(obj, name), getattr(src, name)) if name else (obj[int(index)], src[int(index)])
    name, index = parts[-1]
    if name:
        setattr(obj, name, copy.deepcopy(getattr(src, name)))
    else:
        obj[int(index)] = copy.deepcopy(src[int(index)])


def hostile_case(huge: bool = True) -> tuple[Case, list[str], list[str]]:
    """(case, paths of the hostile text fields, paths given back their valid codes). With ``huge``,
    the field holding the demo's longest text gets the 50,000-character string instead."""
    case = _full_case()
    valid = copy.deepcopy(case)
    filled: list[str] = []
    longest = max(((len(getattr(o, f.name)), f"{p}.{f.name}") for o, p in _walk(case) for f in fields_of(type(o))
                   if isinstance(getattr(o, f.name), str)))[1]
    for obj, path in _walk(case):
        for f in fields_of(type(obj)):
            kind = _text_kind(hints(type(obj))[f.name])
            if kind is None:
                continue
            v = getattr(obj, f.name)
            where = f"{path}.{f.name}"
            if f.name == "id" or f.name.endswith("_id") or (isinstance(obj, When) and f.name == "event_id"):
                if v is not None:
                    setattr(obj, f.name, ID_PREFIX + v)  # the same prefix everywhere: references still match
                    filled.append(where)
                continue
            if v is None:
                continue  # an optional value not recorded (a date, a reference): no text to be hostile in
            if isinstance(obj, LabResult) and f.name == "name" and obj.analyte != "other":
                continue  # only a result the analyte list does not have is named
            text = HUGE if huge and where == longest else MIX
            setattr(obj, f.name, [text, MIX] if kind == "list" else text)
            filled.append(where)
    restored: list[str] = []
    for _ in range(5):
        problems = jsonio.check_case(case)
        if not problems:
            break
        for p in problems:
            field = _field_path(case, p.path)
            _set_path(case, field, valid)
            restored.append(field)
    assert jsonio.check_case(case) == []
    return case, [p for p in filled if p not in restored], restored


# Fields that hold codes, units or dates: hostile text there is refused with a clear message
# (checked below), so the exporters see their valid values.
CODED = {"analyte", "unit", "site", "drug_class", "treatment_class", "kind", "code", "date", "date_of_birth",
         "mime", "sha256", "key", "doi", "pmid"}  # a reference's citation key, DOI and PMID have a form


@pytest.fixture(scope="module")
def hostile():
    return hostile_case()


@pytest.fixture(scope="module")
def hostile_short():
    return hostile_case(huge=False)[0]


def test_the_case_really_is_hostile_everywhere(hostile):
    case, filled, restored = hostile
    assert {re.findall(r"\.(\w+)$", p)[0] for p in restored} <= CODED, restored
    assert len(filled) > 150
    text = jsonio.dumps(case)
    assert text.count(json.dumps(MARKUP, ensure_ascii=False)[1:-1]) > 100
    assert json.dumps(HUGE)[1:-1] in text
    # every field left out was refused by the validation with its path, not silently
    for path in restored:
        assert any(_field_path(case, p.path) == path for p in jsonio.check_case(_with(case, path, MIX))), path


def _with(case: Case, path: str, value) -> Case:
    out = copy.deepcopy(case)
    parts = re.findall(r"\.(\w+)|\[(\d+)\]", path)
    obj = out
    for name, index in parts[:-1]:
        obj = getattr(obj, name) if name else obj[int(index)]
    setattr(obj, parts[-1][0], value)
    return out


def test_json_round_trip(hostile):
    case = hostile[0]
    text = jsonio.dumps(case)
    assert jsonio.dumps(jsonio.loads(text)) == text
    assert jsonio.dumps(jsonio.loads(jsonio.dump_bytes(case))) == text


def test_store_add_and_load(tmp_path, hostile):
    from desktop.store.library import create_library, open_library
    case = hostile[0]
    lib = create_library(tmp_path / "hostile.casebook")
    cid = lib.add_case(case)
    lib.set_case_fields(cid, title=MIX + " edited")
    lib.close()
    with open_library(tmp_path / "hostile.casebook", check=True) as again:
        back = again.load_case(cid)
        assert again.list_cases(search="שלום")[0].id == cid
        assert any(MARKUP in (e.new or "") for e in again.audit(cid))
    expected = copy.deepcopy(case)
    expected.title = MIX + " edited"
    assert jsonio.dumps(back) == jsonio.dumps(expected)


def test_deidentify_and_assess(hostile):
    from desktop.core import assess
    from desktop.privacy.deidentify import deidentify
    case = hostile[0]
    before = jsonio.dumps(case)
    out = deidentify(case)
    assert jsonio.dumps(case) == before  # the input is never changed
    assert out.identifiers.is_empty()
    jsonio.loads(jsonio.dumps(out))  # still a valid case
    for c in (case, out):
        a = assess(c)
        assert a is not None


def test_pdf_report(tmp_path, hostile):
    from pypdf import PdfReader
    from desktop.report.pdf import render_pdf
    case = hostile[0]
    out = tmp_path / "hostile.pdf"
    info = render_pdf(case, out, draft=True)
    reader = PdfReader(out)
    assert info.pages == len(reader.pages) >= 2
    text = "".join(page.extract_text() for page in reader.pages[:3])
    assert "<para>" in text and "</b>" in text  # markup printed as text, not interpreted
    everything = "".join(page.extract_text() for page in reader.pages)
    assert everything.count("Lorem ipsum") >= 1800  # the 50,000 characters are all in the report


def test_pdf_report_identified(tmp_path, hostile_short):
    """The identified report prints the identifiers too (all hostile here)."""
    from pypdf import PdfReader
    from desktop.report.pdf import render_pdf
    out = tmp_path / "identified.pdf"
    info = render_pdf(hostile_short, out, draft=True, identified=True, include_assessment=False)
    assert len(PdfReader(out).pages) == info.pages >= 2


def test_interchange_exporters(hostile):
    from desktop.interop import redcap
    from desktop.interop.fhir import write_bundle
    from desktop.interop.labs_csv import write_labs_csv
    from desktop.privacy.deidentify import deidentify
    case = deidentify(hostile[0])
    bundle = json.loads(write_bundle(case))
    assert bundle["resourceType"] == "Bundle"
    from fhir_validation import validate
    assert validate(bundle) == []  # hostile text stays valid FHIR: narrative XHTML, strings, codes
    data = list(csv.reader(io.StringIO(redcap.write_data([case]))))
    assert len(data) >= 2 and all(len(row) == len(data[0]) for row in data)
    labs = list(csv.reader(io.StringIO(write_labs_csv([case]))))
    assert len(labs) == 1 + len(case.labs)
