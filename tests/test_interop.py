"""Sharing a case: FHIR R4B document, REDCap dictionary and data, labs CSV — every export
de-identified."""
import csv
import datetime as dt
import importlib
import io
import json
import re

import pytest

from desktop import catalogue
from desktop.cli import main
from desktop.demo import load_demo
from desktop.interop import prepare, redcap
from desktop.interop.fhir import UCUM, case_to_bundle, ucum_codes
from desktop.interop.labs_csv import COLUMNS, write_labs_csv
from desktop.store.library import create_library
from desktop.model import Case, LabResult, Patient, When

from helpers import full_case

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
IDENTIFIERS = ["Hildegard", "Ottoline", "Quenneville", "MRN-4471923", "4471923", "1941-03-07", "03/07/1941",
               "17 Larkspur", "Larkspur Close", "Brackenfield", "Wexcombe", "97358", "555-0142", "555-0199",
               "quenneville.example", "078-05-1120", "192.0.2.44", "Bartholomew", "heron", "2023-05-14",
               "2023-07-01"]


def _all_strings(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


# --- FHIR -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["demo", "full"])
def bundle(request):
    case = load_demo() if request.param == "demo" else full_case()
    return case_to_bundle(prepare(case), now=NOW)


def test_every_resource_validates_with_fhir_resources(bundle):
    from fhir.resources.R4B.bundle import Bundle
    Bundle.model_validate(bundle)
    for e in bundle["entry"]:
        r = e["resource"]
        module = importlib.import_module(f"fhir.resources.R4B.{r['resourceType'].lower()}")
        getattr(module, r["resourceType"]).model_validate(r)


def test_document_rules(bundle):
    assert bundle["type"] == "document" and bundle["identifier"]["value"] and bundle["timestamp"]
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert len(urls) == len(bundle["entry"])
    refs = re.findall(r'"reference": "([^"]+)"', json.dumps(bundle))
    assert refs and all(r in urls for r in refs), set(refs) - urls
    comp = bundle["entry"][0]["resource"]
    titles = [s["title"] for s in comp["section"]]
    for t in ("Abstract", "Introduction", "Patient information", "Clinical findings", "Timeline",
              "Diagnostic assessment", "Therapeutic intervention", "Follow-up and outcomes", "Discussion",
              "Patient perspective", "Informed consent"):
        assert t in titles
    # every resource after the Composition is reachable from it (directly or via a reference chain)
    referenced = set(re.findall(r'"reference": "([^"]+)"', json.dumps(comp)))
    for e in bundle["entry"][1:]:
        assert e["fullUrl"] in referenced or e["fullUrl"] in set(refs), e["resource"]["resourceType"]


def _loinc_check_digit(number: str) -> int:
    """LOINC's mod-10 check digit (the Luhn algorithm over the code's number part)."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return (10 - total % 10) % 10


def test_every_loinc_code_in_resources_has_a_valid_check_digit():
    table = catalogue.load_json("interop", "loinc.json")
    codes = [x["code"] for p in table["analytes"].values() for x in p.values()] + [v["code"] for v in table["vitals"].values()]
    assert codes and all(_loinc_check_digit(c.split("-")[0]) == int(c[-1]) for c in codes), codes


def test_codes_and_units_are_well_formed(bundle):
    text = json.dumps(bundle)
    known_ucum = set(ucum_codes().values())
    for q in re.finditer(r'\{[^{}]*"system": "http://unitsofmeasure.org"[^{}]*\}', text):
        obj = json.loads(q.group(0))
        assert obj["code"] in known_ucum and re.fullmatch(r"[!-~]+", obj["code"]), obj
    table = catalogue.load_json("interop", "loinc.json")
    loinc = ({x["code"] for by_prop in table["analytes"].values() for x in by_prop.values()}
             | {v["code"] for v in table["vitals"].values()} | {"59284-0"})
    for m in re.finditer(r'"system": "http://loinc.org", "code": "([^"]+)"', text):
        assert m.group(1) in loinc and re.fullmatch(r"\d{1,7}-\d", m.group(1))
        assert _loinc_check_digit(m.group(1).split("-")[0]) == int(m.group(1)[-1]), m.group(1)
    for e in bundle["entry"]:
        r = e["resource"]
        if r["resourceType"] == "Observation" and "valueQuantity" in r:
            assert r["valueQuantity"]["unit"], "a number without a unit"


def test_demo_bundle_holds_the_seed_numbers():
    b = case_to_bundle(prepare(load_demo()), now=NOW)
    labs = {(o["code"].get("coding", [{}])[0].get("code"), o["valueQuantity"]["value"], o["valueQuantity"]["unit"])
            for o in (e["resource"] for e in b["entry"]) if o["resourceType"] == "Observation"
            and o.get("category", [{}])[0]["coding"][0]["code"] == "laboratory"}
    assert ("17861-6", 9.2, "mg/dL") in labs and ("2777-1", 9.0, "mg/dL") in labs and ("2731-8", 104.0, "pg/mL") in labs
    meds = [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "MedicationStatement"]
    sts = [m for m in meds if "thiosulfate" in m["medicationCodeableConcept"]["text"].lower()]
    assert sts and sts[0]["dosage"][0]["doseAndRate"][0]["doseQuantity"] == {"value": 25.0, "unit": "g", "system": UCUM, "code": "g"}
    assert sts[0]["dosage"][0]["timing"]["repeat"] == {"frequency": 3, "period": 1, "periodUnit": "wk"}
    sites = [e["resource"]["location"]["text"] for e in b["entry"] if e["resource"]["resourceType"] == "BodyStructure"]
    assert "glans penis" in sites


def test_fhir_carries_no_identifier_or_date():
    b = case_to_bundle(prepare(full_case()), now=NOW)
    text = _all_strings(b)
    for ident in IDENTIFIERS:
        assert ident not in text, ident
    dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", text))
    assert dates <= {"2026-01-02"}, dates  # only the export timestamp, never the patient's dates


def test_identifying_image_kept_only_with_image_consent():
    case = full_case()  # one ordinary photo, one identifying (a face); consent covers images
    figures = lambda c: [e["resource"]["resourceType"] for e in case_to_bundle(prepare(c), now=NOW)["entry"]].count("Media")  # noqa: E731
    assert figures(case) == 2
    case.consent.covers_images = False
    assert figures(case) == 1
    case.figures[1].identifying = False
    assert figures(case) == 2


# --- REDCap ---------------------------------------------------------------------------------------

def _parse(text):
    return list(csv.reader(io.StringIO(text)))


def test_dictionary_has_redcaps_18_columns_in_order():
    rows = _parse(redcap.write_dictionary())
    assert rows[0] == redcap.DICTIONARY_COLUMNS and len(rows[0]) == 18
    assert rows[0][0] == "Variable / Field Name" and rows[0][-1] == "Field Annotation"
    assert rows[1][0] == "record_id"
    assert all(len(r) == 18 for r in rows)
    names = [r[0] for r in rows[1:]]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) and len(n) <= 100 for n in names)
    # a form's fields are contiguous
    forms = [r[1] for r in rows[1:]]
    seen = []
    for f in forms:
        if not seen or seen[-1] != f:
            assert f not in seen, f"form {f} is split"
            seen.append(f)
    for r in rows[1:]:
        ftype, choices = r[3], r[5]
        assert ftype in {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "calc", "file",
                         "slider", "descriptive"}
        if ftype in ("dropdown", "radio", "checkbox"):
            assert re.fullmatch(r"\d+, [^|]+( \| \d+, [^|]+)*", choices), (r[0], choices)
        if r[7]:
            assert r[7] in {"integer", "number", "date_ymd"}
    ident = {r[0] for r in rows[1:] if r[10] == "y"}
    assert {"family_name", "date_of_birth", "zip_code", "phone", "email", "ssn"} <= ident


def test_data_columns_all_exist_in_the_dictionary_and_identifiers_are_left_out():
    dict_rows = _parse(redcap.write_dictionary())[1:]
    fields = {r[0]: r for r in dict_rows}
    forms = {r[1] for r in dict_rows}
    data = _parse(redcap.write_data([prepare(full_case()), prepare(load_demo())]))
    header = data[0]
    assert header[:3] == ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    for col in header[3:]:
        if col.endswith("_complete"):
            assert col[: -len("_complete")] in forms
        elif "___" in col:
            base, code = col.split("___")
            assert fields[base][3] == "checkbox"
            assert code in [c.split(", ")[0] for c in fields[base][5].split(" | ")]
        else:
            assert col in fields, col
            assert fields[col][10] != "y", f"identifier {col} in de-identified data"
    text = "\n".join(",".join(r) for r in data)
    for ident in IDENTIFIERS:
        assert ident not in text, ident


def test_repeating_instruments_and_choice_codes():
    demo = prepare(load_demo())
    data = list(csv.DictReader(io.StringIO(redcap.write_data([demo]))))
    main_rows = [r for r in data if not r["redcap_repeat_instrument"]]
    assert len(main_rows) == 1 and main_rows[0]["record_id"] == demo.id
    labs = [r for r in data if r["redcap_repeat_instrument"] == "lab"]
    assert len(labs) == len(demo.labs) and [r["redcap_repeat_instance"] for r in labs] == [str(i) for i in range(1, len(labs) + 1)]
    lesions = [r for r in data if r["redcap_repeat_instrument"] == "lesion"]
    assert len(lesions) == len(demo.lesions)
    assert len([r for r in data if r["redcap_repeat_instrument"] == "event"]) == len(demo.events)
    assert len([r for r in data if r["redcap_repeat_instrument"] == "treatment"]) == len(demo.treatments)
    field = next(f for form in redcap.FORMS for f in form.fields if f.name == "sex")
    male_code = next(str(n) for n, key, _ in field.codes() if key == "male")
    assert main_rows[0]["sex"] == male_code
    comorb = next(f for form in redcap.FORMS for f in form.fields if f.name == "comorbidities")
    diabetes = next(n for n, key, _ in comorb.codes() if key == "diabetes")
    assert main_rows[0][f"comorbidities___{diabetes}"] == "1"
    ca = next(r for r in labs if r["lab_value"] == "9.2")
    assert ca["lab_unit"] == "mg/dL" and ca["lab_day"].startswith("-60") and ca["lab_approx"] == "1"
    obs = [r for r in data if r["redcap_repeat_instrument"] == "observation"]
    assert obs and all(r["obs_lesion_number"] for r in obs)


# --- labs CSV ----------------------------------------------------------------------------------------

def test_labs_csv_long_format_with_both_unit_systems():
    rows = list(csv.DictReader(io.StringIO(write_labs_csv([prepare(load_demo()), prepare(full_case())]))))
    assert list(rows[0].keys()) == COLUMNS
    alb = next(r for r in rows if r["analyte"] == "albumin" and r["value"] == "2.9")
    assert alb["unit"] == "g/dL" and alb["value_other_system"] == "29" and alb["unit_other_system"] == "g/L"
    assert alb["ref_low"] == "3.4" and alb["ref_high"] == "5" and alb["flag"] == "L" and alb["loinc"] == "1751-7"
    si = next(r for r in rows if r["analyte"] == "calcium" and r["unit"] == "mmol/L")
    assert si["unit_other_system"] == "mg/dL" and abs(float(si["value_other_system"]) - 10.42) < 0.01
    assert si["flag"] == "H" and si["day"] == "-10"
    assert all(r["unit"] for r in rows)
    text = json.dumps(rows)
    for ident in IDENTIFIERS:
        assert ident not in text


# --- through the command line ------------------------------------------------------------------------

def test_exports_through_the_command_line(tmp_path, capsys):
    lib = tmp_path / "l.casebook"
    library = create_library(lib)
    demo_id = library.add_case(load_demo())
    library.close()
    assert main(["--library", str(lib), "export-fhir", demo_id, "-o", str(tmp_path / "b.json")]) == 0
    assert json.loads((tmp_path / "b.json").read_text("utf-8"))["type"] == "document"
    assert main(["--library", str(lib), "export-redcap", "-o", str(tmp_path / "rc")]) == 0
    assert (tmp_path / "rc" / "data_dictionary.csv").exists() and (tmp_path / "rc" / "data.csv").exists()
    assert main(["--library", str(lib), "export-labs-csv", "-o", str(tmp_path / "labs.csv")]) == 0
    assert "albumin" in (tmp_path / "labs.csv").read_text("utf-8")


def test_exports_refuse_free_text_identifiers_with_exit_3(tmp_path, capsys):
    lib = tmp_path / "l.casebook"
    library = create_library(lib)
    cid = library.add_case(full_case())  # its discussion names the patient's town and family name
    library.close()
    for cmd in (["export-fhir", cid], ["export-redcap", cid, "-o", str(tmp_path / "rc")],
                ["export-labs-csv", cid]):
        code = main(["--library", str(lib), *cmd])
        err = capsys.readouterr().err
        assert code == 3 and "$.manuscript.discussion" in err, (cmd, err)
    assert main(["--library", str(lib), "export-fhir", cid, "--allow-phi-warnings", "-o", str(tmp_path / "f.json")]) == 0
    assert "Quenneville" not in (tmp_path / "f.json").read_text("utf-8")  # still de-identified


# --- REDCap: stable codes, names, flags with their range, project XML ---------------------------------

def test_choice_codes_never_change():
    """Every code ever issued (tests/data/redcap_codes_lock.json) keeps its meaning; a catalogue edit
    that renumbers, reuses or drops a code fails here. New choices take new numbers."""
    from pathlib import Path
    lock = json.loads((Path(__file__).parent / "data" / "redcap_codes_lock.json").read_text("utf-8"))
    fields = {f.name: f for form in redcap.FORMS for f in form.fields if f.choices}
    for name, codes in lock.items():
        current = {key: n for n, key, _ in fields[name].codes()}
        for key, n in codes.items():
            assert current.get(key) == n, f"{name}: {key!r} was coded {n}, now {current.get(key)}"
    for name, f in fields.items():
        numbers = [n for n, _, _ in f.codes()]
        assert len(numbers) == len(set(numbers)), f"{name}: a code used twice"
        assert name in lock and set(lock[name]) <= {k for _, k, _ in f.codes()}


def test_a_catalogue_entry_inserted_first_keeps_existing_codes(monkeypatch):
    from desktop.interop import redcap as rc
    real = catalogue.load_json

    def load(*parts):
        data = real(*parts)
        if parts == ("catalogues", "comorbidities.json"):
            data = {**data, "comorbidities": [{"code": "new-risk", "label": "New risk", "redcap": 999}]
                    + data["comorbidities"]}
        return data
    monkeypatch.setattr(catalogue, "load_json", load)
    rc._stable_codes.cache_clear()
    try:
        codes = rc._stable_codes()["comorbidities"]
        assert codes["diabetes"] == 1 and codes["new-risk"] == 999
    finally:
        rc._stable_codes.cache_clear()


def test_variable_names_fit_redcaps_26_characters():
    names = [r[0] for r in _parse(redcap.write_dictionary())[1:]]
    assert all(len(n) <= 26 for n in names), [n for n in names if len(n) > 26]


def test_every_flag_has_the_range_it_was_computed_from():
    data = list(csv.DictReader(io.StringIO(redcap.write_data([prepare(load_demo()), prepare(full_case())]))))
    flag = next(f for form in redcap.FORMS for f in form.fields if f.name == "lab_flag")
    code = {key: str(n) for n, key, _ in flag.codes()}
    labs = [r for r in data if r["redcap_repeat_instrument"] == "lab"]
    flagged = [r for r in labs if r["lab_flag"] in (code["H"], code["L"])]
    assert len(flagged) >= 3
    for r in flagged:
        assert r["lab_flag_range_low"] or r["lab_flag_range_high"], r
        assert r["lab_flag_range_unit"] == r["lab_unit"] and r["lab_flag_range_source"]
        value, low, high = float(r["lab_value"]), r["lab_flag_range_low"], r["lab_flag_range_high"]
        assert (r["lab_flag"] == code["H"] and high and value > float(high)) or \
               (r["lab_flag"] == code["L"] and low and value < float(low))


def test_a_default_range_given_for_men_flags_no_woman():
    # Koratala et al. (BMJ Case Rep 2016): a woman's haemoglobin of 10 g/dL, no range printed. The
    # catalogue's default, 13.0-17.0 g/dL, is the seed's range for men: her REDCap row has no flag
    # and no range it came from, as the window and the manuscript say; a man's row has both.
    def rows(sex):
        case = Case(title="Breast", patient=Patient(sex=sex),
                    labs=[LabResult(analyte="haemoglobin", value=10.0, unit="g/dL", when=When(offset=0.0))])
        data = csv.DictReader(io.StringIO(redcap.write_data([prepare(case)])))
        return next(r for r in data if r["redcap_repeat_instrument"] == "lab")
    flag = next(f for form in redcap.FORMS for f in form.fields if f.name == "lab_flag")
    code = {key: str(n) for n, key, _ in flag.codes()}
    her, his = rows("female"), rows("male")
    assert her["lab_flag"] == code["N"] and not her["lab_flag_range_low"] and not her["lab_flag_range_source"]
    assert his["lab_flag"] == code["L"]
    assert (float(his["lab_flag_range_low"]), float(his["lab_flag_range_high"])) == (13.0, 17.0)


def test_project_xml_is_consistent_odm_with_repeating_instruments():
    from xml.etree import ElementTree as ET
    odm, rc = "{http://www.cdisc.org/ns/odm/v1.3}", "{https://projectredcap.org}"
    root = ET.fromstring(redcap.write_project_xml(now=NOW).encode("utf-8"))
    assert root.tag == odm + "ODM" and root.get("ODMVersion") == "1.3.2" and root.get("FileType") == "Snapshot"
    mdv = root.find(f"{odm}Study/{odm}MetaDataVersion")
    assert mdv.get(rc + "RecordIdField") == "record_id"
    item_defs = {i.get("OID"): i for i in mdv.findall(odm + "ItemDef")}
    groups = {g.get("OID"): g for g in mdv.findall(odm + "ItemGroupDef")}
    code_lists = {c.get("OID"): c for c in mdv.findall(odm + "CodeList")}
    oids = [e.get("OID") for e in mdv if e.get("OID")]
    assert len(oids) == len(set(oids)), "OIDs must be unique within a MetaDataVersion"
    for fd in mdv.findall(odm + "FormDef"):
        for ref in fd.findall(odm + "ItemGroupRef"):
            assert ref.get("ItemGroupOID") in groups
    referenced = set()
    for g in groups.values():
        for ref in g.findall(odm + "ItemRef"):
            assert ref.get("ItemOID") in item_defs
            referenced.add(ref.get("ItemOID"))
    assert referenced == set(item_defs)
    for i in item_defs.values():
        ref = i.find(odm + "CodeListRef")
        if ref is not None:
            assert ref.get("CodeListOID") in code_lists
    # the same fields, types and choices as the dictionary; the data's columns are all items
    dictionary = {r[0]: r for r in _parse(redcap.write_dictionary())[1:]}
    variables = {i.get(rc + "Variable") for i in item_defs.values()}
    assert set(dictionary) <= variables
    for name, row in dictionary.items():
        if row[3] in ("dropdown", "radio"):
            cl = code_lists[f"{name}.choices"]
            got = " | ".join(f"{c.get('CodedValue')}, {c.find(f'{odm}Decode/{odm}TranslatedText').text}"
                             for c in cl.findall(odm + "CodeListItem"))
            assert [x.split(", ")[0] for x in got.split(" | ")] == [x.split(", ")[0] for x in row[5].split(" | ")]
        if row[3] == "checkbox":
            assert {k for k in item_defs if k.startswith(name + "___")} == \
                   {f"{name}___{c.split(', ')[0]}" for c in row[5].split(" | ")}
    header = _parse(redcap.write_data([prepare(full_case())], identified=True))[0]
    assert set(header) - {"redcap_repeat_instrument", "redcap_repeat_instance"} <= set(item_defs)
    repeating = {x.get(rc + "RepeatInstrument") for x in root.iter(rc + "RepeatingInstrument")}
    assert repeating == {f.name for f in redcap.FORMS if f.items is not None}
    forms = {f.get(rc + "FormName") for f in mdv.findall(odm + "FormDef")}
    assert forms == {f.name for f in redcap.FORMS}


# --- REDCap's rules, on real exports and on broken copies ----------------------------------------------

from redcap_validation import problems as redcap_problems  # noqa: E402


def _redcap_export(identified=False):
    cases = [full_case(), load_demo()] if identified else [prepare(full_case()), prepare(load_demo())]
    return redcap.write_dictionary(), redcap.write_data(cases, identified=identified), redcap.write_project_xml()


@pytest.mark.parametrize("identified", [False, True])
def test_redcap_export_breaks_none_of_redcaps_rules(identified):
    assert redcap_problems(*_redcap_export(identified)) == []


def _edit_csv(text, fn):
    rows = list(csv.reader(io.StringIO(text)))
    fn(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


REDCAP_BREAKS = {
    "a 27-character variable name": lambda d, x, p: (_edit_csv(d, lambda r: r[5].__setitem__(0, "a" * 27)), x, p),
    "a dictionary column dropped": lambda d, x, p: (_edit_csv(d, lambda r: [row.pop() for row in r]), x, p),
    "a choice list without codes": lambda d, x, p: (d.replace("1, male", "male", 1), x, p),
    "a code the field does not define": lambda d, x, p: (d, _edit_csv(x, lambda r: r[1].__setitem__(r[0].index("sex"), "77")), p),
    "a checkbox column of no choice": lambda d, x, p: (d, x.replace("comorbidities___1", "comorbidities___999", 1), p),
    "a repeating form the project does not repeat": lambda d, x, p: (d, x, p.replace('RepeatInstrument="lab"', 'RepeatInstrument="labx"')),
    "text in a number field": lambda d, x, p: (d, _edit_csv(x, lambda r: r[1].__setitem__(r[0].index("weight_kg"), "heavy")), p),
}


@pytest.mark.parametrize("what", list(REDCAP_BREAKS))
def test_a_broken_redcap_export_is_caught(what):
    assert redcap_problems(*REDCAP_BREAKS[what](*_redcap_export())), what
