"""REDCap's own rules for a data dictionary, import data and project XML, as its documentation
states them (the domain file §3 and REDCap's data-import checks), so a test can say "REDCap would
take this" and a broken copy is caught:

- dictionary: exactly the 18 columns in order; record_id first; variable names lower-case letters,
  digits and underscores, starting with a letter, at most 26 characters (REDCap's advice for names
  that stay usable with checkbox suffixes; the hard limit is 100), unique; a form's fields
  contiguous; field types and validation types REDCap knows; choices ``code, label | ...`` with
  unique codes for dropdown/radio/checkbox; identifier flag empty or ``y``;
- data: record id first; every column a dictionary field, a checkbox ``field___code`` with a code
  the field defines, a ``<form>_complete``, or REDCap's repeat columns; a coded value among the
  field's codes; checkbox and yesno 0/1; ``*_complete`` 0/1/2; numbers and integers where validated;
  a repeat instrument given only with an instance number, and only for a repeating form;
- project XML: the ODM's references resolve, and its repeating instruments are the data's.
"""
from __future__ import annotations

import csv
import io
import re

COLUMNS = ["Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
           "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
           "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
           "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
           "Matrix Ranking?", "Field Annotation"]
FIELD_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "calc", "file", "slider",
               "descriptive", "sql"}
VALIDATIONS = {"", "date_ymd", "date_mdy", "date_dmy", "datetime_ymd", "datetime_seconds_ymd", "integer", "number",
               "email", "phone", "time", "zipcode", "alpha_only"}


def _choices(text: str) -> list[str] | None:
    parts = [p.strip() for p in text.split("|")]
    codes = []
    for p in parts:
        m = re.fullmatch(r"(-?[0-9A-Za-z_]+), ?(.+)", p, re.S)
        if not m:
            return None
        codes.append(m.group(1))
    return codes


def dictionary_problems(text: str) -> tuple[list[str], dict[str, dict]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    problems: list[str] = []
    if not rows or rows[0] != COLUMNS:
        return ["the header is not REDCap's 18 columns in order"], {}
    fields: dict[str, dict] = {}
    forms_seen: list[str] = []
    for n, r in enumerate(rows[1:], 2):
        if len(r) != 18:
            problems.append(f"row {n}: {len(r)} columns")
            continue
        name, form, ftype, choices, validation, ident = r[0], r[1], r[3], r[5], r[7], r[10]
        if n == 2 and name != "record_id":
            problems.append("the first field is not the record id")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or len(name) > 26:
            problems.append(f"{name!r}: not a usable REDCap variable name")
        if name in fields:
            problems.append(f"{name!r}: defined twice")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", form):
            problems.append(f"{name}: form name {form!r}")
        if forms_seen and forms_seen[-1] != form and form in forms_seen:
            problems.append(f"form {form!r} is split")
        if not forms_seen or forms_seen[-1] != form:
            forms_seen.append(form)
        if ftype not in FIELD_TYPES:
            problems.append(f"{name}: field type {ftype!r}")
        codes = None
        if ftype in ("dropdown", "radio", "checkbox"):
            codes = _choices(choices)
            if not codes:
                problems.append(f"{name}: choices {choices[:40]!r} are not 'code, label | ...'")
            elif len(codes) != len(set(codes)):
                problems.append(f"{name}: a choice code used twice")
        if validation not in VALIDATIONS:
            problems.append(f"{name}: validation {validation!r}")
        if ident not in ("", "y"):
            problems.append(f"{name}: identifier flag {ident!r}")
        fields[name] = {"form": form, "type": ftype, "codes": codes, "validation": validation}
    return problems, fields


def data_problems(data_text: str, fields: dict[str, dict], repeating: set[str] | None = None) -> list[str]:
    problems = []
    rows = list(csv.reader(io.StringIO(data_text.lstrip("\ufeff"))))
    if not rows:
        return ["no header"]
    header = rows[0]
    if header[0] != "record_id":
        problems.append("the record id is not the first column")
    forms = {f["form"] for f in fields.values()}
    kinds = {}
    for col in header:
        if col in ("redcap_repeat_instrument", "redcap_repeat_instance"):
            kinds[col] = ("repeat", None)
        elif col.endswith("_complete") and col[:-9] in forms:
            kinds[col] = ("complete", None)
        elif "___" in col:
            base, code = col.split("___", 1)
            if base not in fields or fields[base]["type"] != "checkbox" or code not in (fields[base]["codes"] or []):
                problems.append(f"column {col!r}: no such checkbox choice")
            kinds[col] = ("checkbox", None)
        elif col in fields:
            kinds[col] = ("field", fields[col])
        else:
            problems.append(f"column {col!r}: not in the dictionary")
    for n, r in enumerate(rows[1:], 2):
        row = dict(zip(header, r))
        if len(r) != len(header):
            problems.append(f"row {n}: {len(r)} cells for {len(header)} columns")
        inst, num = row.get("redcap_repeat_instrument", ""), row.get("redcap_repeat_instance", "")
        if bool(inst) != bool(num) or (num and not num.isdigit()):
            problems.append(f"row {n}: repeat instrument {inst!r} with instance {num!r}")
        if inst and repeating is not None and inst not in repeating:
            problems.append(f"row {n}: {inst!r} is not a repeating instrument")
        for col, v in row.items():
            if v == "" or col not in kinds:
                continue
            kind, f = kinds[col]
            if kind == "checkbox" and v not in ("0", "1"):
                problems.append(f"row {n} {col}: {v!r} is not 0/1")
            elif kind == "complete" and v not in ("0", "1", "2"):
                problems.append(f"row {n} {col}: {v!r} is not 0/1/2")
            elif kind == "field":
                if f["type"] in ("dropdown", "radio") and v not in (f["codes"] or []):
                    problems.append(f"row {n} {col}: {v!r} is not one of its codes")
                elif f["type"] in ("yesno", "truefalse") and v not in ("0", "1"):
                    problems.append(f"row {n} {col}: {v!r} is not 0/1")
                elif f["validation"] == "integer" and not re.fullmatch(r"-?\d+", v):
                    problems.append(f"row {n} {col}: {v!r} is not an integer")
                elif f["validation"] == "number" and not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", v):
                    problems.append(f"row {n} {col}: {v!r} is not a number")
                elif f["validation"] == "date_ymd" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                    problems.append(f"row {n} {col}: {v!r} is not a Y-M-D date")
    return problems


def project_xml_repeating(xml_text: str) -> set[str]:
    from xml.etree import ElementTree as ET
    root = ET.fromstring(xml_text.encode("utf-8"))
    rc = "{https://projectredcap.org}"
    return {x.get(rc + "RepeatInstrument") for x in root.iter(rc + "RepeatingInstrument")}


def problems(dictionary: str, data: str, project_xml: str | None = None) -> list[str]:
    found, fields = dictionary_problems(dictionary)
    repeating = project_xml_repeating(project_xml) if project_xml else None
    return found + data_problems(data, fields, repeating)
