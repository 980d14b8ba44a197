"""REDCap data dictionary and import data, from one field definition.

REDCap is what multi-centre registries run on. The dictionary (18 columns in REDCap's exact order)
and the import CSV are generated from the same :data:`FORMS` list (desktop/interop/redcap_fields.py),
so they cannot disagree: a data column exists only because a field defines it. Choices are coded
``1, Yes | 2, No`` with codes that never change (the catalogues' ``redcap`` numbers and
resources/interop/redcap_codes.json); a checkbox becomes one ``field___code`` column per choice; the
dialysis history, medications, events, vitals, lesions, their observations, labs, imaging, biopsies,
treatments and differential diagnoses are repeating instruments. Times are days from day 0 (the
case's index event), never dates; identifier fields are marked ``y`` and left out of de-identified
data.
"""
from __future__ import annotations

from typing import Any, Iterable

from ..model import Case
from ..timing import Timeline
from .csvsafe import write_csv
from .redcap_fields import (BWAT_VARIABLES, CATALOGUE_FIELDS, FORMS, TRI, Ctx, Field, Form,  # noqa: F401
                            _stable_codes)

DICTIONARY_COLUMNS = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
]



def _choice_text(f: Field) -> str:
    if f.ftype in ("yesno", "truefalse"):
        return ""
    return " | ".join(f"{n}, {label.replace('|', '/').replace(',', ';')}" for n, _, label in f.codes())


def dictionary_rows() -> list[list[str]]:
    rows = []
    for form in FORMS:
        for i, f in enumerate(form.fields):
            header = form.label if i == 0 and form.name != "case" else ""
            rows.append([f.name, form.name, header, f.ftype, f.label,
                         _choice_text(f) if f.choices else "", f.note, f.validation, f.vmin, f.vmax,
                         "y" if f.identifier else "", "", "y" if f.name == "record_id" else "", "", "", "", "", ""])
    return rows


def write_dictionary() -> str:
    return write_csv(DICTIONARY_COLUMNS, dictionary_rows())


def _columns(f: Field) -> list[str]:
    if f.ftype == "checkbox":
        return [f"{f.name}___{n}" for n, _, _ in f.codes()]
    return [f.name]


def data_columns(*, identified: bool = False) -> list[str]:
    cols = ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    for form in FORMS:
        if form.identifiers and not identified:
            continue
        for f in form.fields:
            if f.name == "record_id":
                continue
            cols += _columns(f)
        cols.append(f"{form.name}_complete")
    return cols


def _encode(f: Field, value: Any) -> dict[str, str]:
    if f.ftype == "checkbox":
        chosen = set(value or [])
        return {f"{f.name}___{n}": "1" if key in chosen else "0" for n, key, _ in f.codes()}
    if f.ftype in ("yesno", "truefalse"):
        return {f.name: "" if value in ("", None) else ("1" if value else "0")}
    if f.choices:
        if value in (None, ""):
            return {f.name: ""}
        for n, key, _ in f.codes():
            if key == value:
                return {f.name: str(n)}
        raise ValueError(f"{f.name}: {value!r} is not one of its choices")
    if value is None:
        return {f.name: ""}
    if isinstance(value, float):
        return {f.name: f"{value:.10g}"}
    return {f.name: str(value)}


def case_rows(case: Case, *, identified: bool = False) -> list[dict[str, str]]:
    ctx = Ctx(case, Timeline(case), {l.id: n for n, l in enumerate(case.lesions, 1)})
    main: dict[str, str] = {"record_id": case.id, "redcap_repeat_instrument": "", "redcap_repeat_instance": ""}
    repeats: list[dict[str, str]] = []
    for form in FORMS:
        if form.identifiers and not identified:
            continue
        if form.items is None:
            for f in form.fields:
                if f.name != "record_id":
                    main.update(_encode(f, f.get(case, ctx)))
            main[f"{form.name}_complete"] = "2"
            continue
        for n, item in enumerate(form.items(case), start=1):
            row = {"record_id": case.id, "redcap_repeat_instrument": form.name, "redcap_repeat_instance": str(n)}
            for f in form.fields:
                row.update(_encode(f, f.get(item, ctx)))
            row[f"{form.name}_complete"] = "2"
            repeats.append(row)
    return [main] + repeats


def write_data(cases: Iterable[Case], *, identified: bool = False) -> str:
    cols = data_columns(identified=identified)
    return write_csv(cols, (row for case in cases for row in case_rows(case, identified=identified)))


# --- the REDCap project XML (CDISC ODM 1.3.2 with REDCap's extensions) ----------------------------

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
REDCAP_NS = "https://projectredcap.org"
UNIQUE_EVENT = "event_1_arm_1"  # a classic (non-longitudinal) project's one event
_REDCAP_FIELD_TYPE = {"text": "text", "notes": "textarea", "dropdown": "select", "radio": "radio",
                      "checkbox": "checkbox", "yesno": "yesno", "truefalse": "truefalse"}
_VALIDATION = {"integer": ("int", "integer"), "number": ("float", "float"), "date_ymd": ("date_ymd", "date")}
COMPLETE_CHOICES = [("0", "Incomplete"), ("1", "Unverified"), ("2", "Complete")]


def _form_fields(form: Form) -> list[dict]:
    """The form's fields as REDCap's project XML lists them, its ``<form>_complete`` status last."""
    out = []
    for i, f in enumerate(form.fields):
        header = form.label if i == 0 and form.name != "case" else ""
        out.append({"name": f.name, "type": f.ftype, "label": f.label, "note": f.note, "validation": f.validation,
                    "min": f.vmin, "max": f.vmax, "identifier": f.identifier, "section": header,
                    "choices": [(str(n), label) for n, _, label in f.codes()] if f.choices else None})
    out.append({"name": f"{form.name}_complete", "type": "dropdown", "label": "Complete?", "note": "",
                "validation": "", "min": "", "max": "", "identifier": False, "section": "Form Status",
                "choices": COMPLETE_CHOICES})
    return out


def _item_groups(form: Form, fields: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """REDCap's item groups: a field with a section header starts a group of its own section, and
    the fields after it form the next group, named after the form."""
    groups: list[list] = []
    for f in fields:
        if f["section"] or not groups:
            groups.append([f"{form.name}.{f['name']}", f["section"] or form.label, [f]])
            if f["section"]:
                groups.append([None, form.label, []])
        else:
            groups[-1][2].append(f)
    return [(oid or f"{form.name}.{fs[0]['name']}", name, fs) for oid, name, fs in groups if fs]


def write_project_xml(title: str = "Casebook calciphylaxis case reports", *,
                      now=None) -> str:
    """A REDCap project XML (Project ▸ Create ▸ Upload a REDCap project XML file): every instrument
    and field of :data:`FORMS`, with the repeating instruments already set up."""
    import datetime
    from xml.etree import ElementTree as ET
    ET.register_namespace("", ODM_NS)
    ET.register_namespace("redcap", REDCAP_NS)
    q = lambda tag: f"{{{ODM_NS}}}{tag}"  # noqa: E731
    r = lambda tag: f"{{{REDCAP_NS}}}{tag}"  # noqa: E731
    stamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S")
    oid = "".join(w.capitalize() for w in "".join(c if c.isalnum() else " " for c in title).split())[:30]
    root = ET.Element(q("ODM"), {
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": f"{ODM_NS} schema/odm/ODM1-3-2.xsd",
        "ODMVersion": "1.3.2", "FileOID": "000-00-0000", "FileType": "Snapshot", "Description": title,
        "AsOfDateTime": stamp, "CreationDateTime": stamp, "SourceSystem": "Casebook", "SourceSystemVersion": "1"})
    study = ET.SubElement(root, q("Study"), {"OID": f"Project.{oid}"})
    gv = ET.SubElement(study, q("GlobalVariables"))
    ET.SubElement(gv, q("StudyName")).text = title
    ET.SubElement(gv, q("StudyDescription")).text = "De-identified calciphylaxis case reports exported by Casebook."
    ET.SubElement(gv, q("ProtocolName")).text = title
    ET.SubElement(gv, r("RecordAutonumberingEnabled")).text = "0"
    ET.SubElement(gv, r("SurveysEnabled")).text = "0"
    rie = ET.SubElement(gv, r("RepeatingInstrumentsAndEvents"))
    ris = ET.SubElement(rie, r("RepeatingInstruments"))
    for form in FORMS:
        if form.items is not None:
            ET.SubElement(ris, r("RepeatingInstrument"), {r("UniqueEventName"): UNIQUE_EVENT,
                                                          r("RepeatInstrument"): form.name, r("CustomLabel"): ""})
    mdv = ET.SubElement(study, q("MetaDataVersion"), {"OID": f"Metadata.{oid}", "Name": title,
                                                      r("RecordIdField"): "record_id"})
    forms = [(form, _form_fields(form)) for form in FORMS]
    groups = [(form, _item_groups(form, fields)) for form, fields in forms]
    for form, gs in groups:
        fd = ET.SubElement(mdv, q("FormDef"), {"OID": f"Form.{form.name}", "Name": form.label, "Repeating": "No",
                                              r("FormName"): form.name})
        for goid, _, _ in gs:
            ET.SubElement(fd, q("ItemGroupRef"), {"ItemGroupOID": goid, "Mandatory": "No"})
    for form, gs in groups:
        for goid, gname, fs in gs:
            gd = ET.SubElement(mdv, q("ItemGroupDef"), {"OID": goid, "Name": gname, "Repeating": "No"})
            for f in fs:
                for item in _item_oids(f):
                    ET.SubElement(gd, q("ItemRef"), {"ItemOID": item, "Mandatory": "No", r("Variable"): f["name"]})
    code_lists = []
    for _, fields in forms:
        for f in fields:
            for item in _item_oids(f):
                rc, dtype = _VALIDATION.get(f["validation"], ("", "text"))
                if f["type"] in ("checkbox", "yesno", "truefalse"):
                    dtype = "boolean"
                attrs = {"OID": item, "Name": item, "DataType": dtype,
                         "Length": "1" if f["type"] in ("checkbox", "yesno", "truefalse") else "999",
                         r("Variable"): f["name"], r("FieldType"): _REDCAP_FIELD_TYPE[f["type"]]}
                if rc:
                    attrs[r("TextValidationType")] = rc
                if f["note"]:
                    attrs[r("FieldNote")] = f["note"]
                if f["identifier"]:
                    attrs[r("Identifier")] = "y"
                if f["section"]:
                    attrs[r("SectionHeader")] = f["section"]
                idef = ET.SubElement(mdv, q("ItemDef"), attrs)
                ET.SubElement(ET.SubElement(idef, q("Question")), q("TranslatedText")).text = f["label"]
                if f["choices"] or f["type"] in ("yesno", "truefalse"):
                    ET.SubElement(idef, q("CodeListRef"), {"CodeListOID": f"{item}.choices"})
                    code_lists.append((item, f))
                for comparator, value in (("GE", f["min"]), ("LE", f["max"])):
                    if value != "":
                        rcheck = ET.SubElement(idef, q("RangeCheck"), {"Comparator": comparator, "SoftHard": "Soft"})
                        ET.SubElement(rcheck, q("CheckValue")).text = value
                        ET.SubElement(ET.SubElement(rcheck, q("ErrorMessage")), q("TranslatedText")).text = (
                            f"The value you provided is outside the suggested range ({f['min']} - {f['max']}).")
    for item, f in code_lists:
        attrs = {"OID": f"{item}.choices", "Name": item, "DataType": "boolean" if f["type"] != "dropdown"
                 and f["type"] != "radio" else "text", r("Variable"): f["name"]}
        if f["type"] == "checkbox":
            attrs[r("CheckboxChoices")] = " | ".join(f"{c}, {label}" for c, label in f["choices"])
            items = [("1", "Checked"), ("0", "Unchecked")]
        elif f["type"] == "yesno":
            items = [("1", "Yes"), ("0", "No")]
        elif f["type"] == "truefalse":
            items = [("1", "True"), ("0", "False")]
        else:
            items = f["choices"]
        cl = ET.SubElement(mdv, q("CodeList"), attrs)
        for code, label in items:
            cli = ET.SubElement(cl, q("CodeListItem"), {"CodedValue": code})
            ET.SubElement(ET.SubElement(cli, q("Decode")), q("TranslatedText")).text = label
    ET.indent(root, space="\t")
    return '<?xml version="1.0" encoding="UTF-8" ?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _item_oids(f: dict) -> list[str]:
    if f["type"] == "checkbox":
        return [f"{f['name']}___{c}" for c, _ in f["choices"]]
    return [f["name"]]
