"""The GA4GH Phenopacket v2 export, checked against the schema's own protobuf definitions (the
`phenopackets` package) and read back: export → import → export gives the same Phenopacket."""
import copy
import datetime as dt
import json
import re

import pytest

from desktop import catalogue
from desktop.demo import load_demo
from desktop.interop import prepare
from desktop.interop.phenopacket import case_to_phenopacket, phenopacket_to_case

from helpers import full_case

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def schema_errors(packet: dict) -> list[str]:
    """What the Phenopacket v2 schema rejects: unknown fields, wrong types or enum values (protobuf's
    strict JSON parser), plus the rules the schema documents: every ontology class's prefix declared
    in metaData.resources, an id and a label on each, the required subject id and metaData fields."""
    from google.protobuf import json_format
    from phenopackets.schema.v2 import Phenopacket
    errors = []
    try:
        json_format.Parse(json.dumps(packet), Phenopacket(), ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        errors.append(f"schema: {exc}")
    meta = packet.get("metaData", {})
    for key in ("created", "createdBy", "phenopacketSchemaVersion", "resources"):
        if not meta.get(key):
            errors.append(f"metaData.{key} is required")
    if meta.get("phenopacketSchemaVersion") != "2.0":
        errors.append("phenopacketSchemaVersion must be 2.0")
    if not packet.get("id") or not packet.get("subject", {}).get("id"):
        errors.append("id and subject.id are required")
    prefixes = {r.get("namespacePrefix") for r in meta.get("resources", [])}

    def walk(o, path):
        if isinstance(o, dict):
            if set(o) >= {"id"} and path.rsplit(".", 1)[-1] in ("type", "term", "assay", "agent", "code", "unit",
                                                                 "responseToTreatment"):
                if ":" not in o["id"] or o["id"].split(":")[0] not in prefixes:
                    errors.append(f"{path}: {o['id']} has no resource in metaData")
                if not o.get("label"):
                    errors.append(f"{path}: an ontology class without a label")
            for k, v in o.items():
                walk(v, f"{path}.{k}")
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, f"{path}[{i}]")
    walk(packet, "$")
    return errors


@pytest.fixture(params=["demo", "full"])
def case(request):
    return prepare(load_demo() if request.param == "demo" else full_case())


def test_zero_schema_errors(case):
    packet, _ = case_to_phenopacket(case, now=NOW)
    assert schema_errors(packet) == []


def test_calciphylaxis_and_verified_terms_only(case):
    packet, left_out = case_to_phenopacket(case, now=NOW)
    assert packet["diseases"] == [{"term": {"id": "ORPHA:280062", "label": "Calciphylaxis"}}]
    table = catalogue.load_json("interop", "hpo.json")
    verified = {(t["id"], t["label"]) for group in ("morphology", "comorbidities", "signs", "ckd_stage")
                for t in table[group].values()}
    verified |= {(table["pain"]["id"], table["pain"]["label"]),
                 (table["vascular_calcification"]["id"], table["vascular_calcification"]["label"])}
    for f in packet.get("phenotypicFeatures", []):
        assert (f["type"]["id"], f["type"]["label"]) in verified
        assert re.fullmatch(r"HP:\d{7}", f["type"]["id"])


def test_the_full_case_features_measurements_and_actions():
    packet, left_out = case_to_phenopacket(prepare(full_case()), now=NOW)
    ids = {f["type"]["id"]: f for f in packet["phenotypicFeatures"]}
    # HPO (release 2025-01-16): Skin ulcer, Eschar, Pain, Vascular calcification, Diabetes mellitus, Obesity
    assert {"HP:0200042", "HP:6000793", "HP:0012531", "HP:0004934", "HP:0000819", "HP:0001513"} <= set(ids)
    calcium = [m for m in packet["measurements"] if m["assay"]["id"] == "LOINC:2000-8"]  # Calcium [Moles/volume]
    assert calcium and calcium[0]["value"]["quantity"]["unit"]["id"] == "UCUM:mmol/L"
    assert calcium[0]["value"]["quantity"]["referenceRange"]["low"] == 2.1
    assert packet["subject"]["sex"] == "FEMALE" and packet["subject"]["timeAtLastEncounter"]["age"]["iso8601duration"] == "P61Y"
    assert packet["subject"]["vitalStatus"]["status"] == "ALIVE"
    assert {a.get("treatment", a.get("procedure", {})).get("agent", a.get("procedure", {}).get("code"))["label"]
            for a in packet["medicalActions"]} >= {"Sodium thiosulfate", "Surgical debridement"}


def test_a_finding_without_a_verified_term_is_left_out_and_said():
    case = prepare(full_case())
    case.lesions[0].observations[0].morphology.append("induration")
    packet, left_out = case_to_phenopacket(case, now=NOW)
    assert any("induration" in x for x in left_out)
    assert "induration" not in json.dumps(packet)


BREAKS = {
    "an unknown field": lambda p: p.__setitem__("lesions", []),
    "a sex the schema does not have": lambda p: p["subject"].__setitem__("sex", "WOMAN"),
    "an ontology prefix without a resource": lambda p: p["metaData"].__setitem__(
        "resources", [r for r in p["metaData"]["resources"] if r["namespacePrefix"] != "HP"]),
    "a value of the wrong type": lambda p: p["measurements"][0]["value"]["quantity"].__setitem__("value", "high"),
    "no metaData": lambda p: p.pop("metaData"),
}


@pytest.mark.parametrize("what", list(BREAKS))
def test_a_broken_copy_is_caught(what):
    packet = copy.deepcopy(case_to_phenopacket(prepare(full_case()), now=NOW)[0])
    BREAKS[what](packet)
    assert schema_errors(packet), what


def _canonical(packet):
    p = copy.deepcopy(packet)
    p.pop("id")
    p["phenotypicFeatures"] = sorted(p.get("phenotypicFeatures", []), key=lambda f: f["type"]["id"])
    return p


def test_round_trip(case):
    first, _ = case_to_phenopacket(case, now=NOW)
    back, report = phenopacket_to_case(json.loads(json.dumps(first)))
    second, _ = case_to_phenopacket(back, now=NOW)
    assert _canonical(second) == _canonical(first)
    assert schema_errors(second) == []


def test_a_foreign_phenopacket_imports_as_far_as_it_maps():
    packet = {
        "id": "P1", "subject": {"id": "p", "sex": "MALE", "timeAtLastEncounter": {"age": {"iso8601duration": "P70Y"}}},
        "phenotypicFeatures": [{"type": {"id": "HP:0200042", "label": "Skin ulcer"}},
                               {"type": {"id": "HP:0001250", "label": "Seizure"}}],
        "diseases": [{"term": {"id": "ORPHA:280062", "label": "Calciphylaxis"}}],
        "biosamples": [{"id": "b1"}],
        "metaData": {"created": "2024-01-01T00:00:00Z", "createdBy": "x", "phenopacketSchemaVersion": "2.0",
                     "resources": []},
    }
    case, report = phenopacket_to_case(packet)
    assert case.patient.sex == "male" and case.patient.age_years == 70
    assert case.lesions[0].observations[0].morphology == ["ulcer"]
    assert any("HP:0001250" in r for r in report) and any("biosamples" in r for r in report)


def test_export_phenopacket_through_the_command_line(tmp_path, capsys):
    from desktop.cli import main
    from desktop.store.library import create_library
    lib = tmp_path / "l.casebook"
    library = create_library(lib)
    demo_id = library.add_case(load_demo())
    cid = library.add_case(full_case())
    library.close()
    assert main(["--library", str(lib), "export-phenopacket", demo_id, "-o", str(tmp_path / "p.json")]) == 0
    packet = json.loads((tmp_path / "p.json").read_text("utf-8"))
    assert schema_errors(packet) == [] and packet["diseases"][0]["term"]["id"] == "ORPHA:280062"
    # the one pipeline: the identifier scan stops a case with identifiers in its free text
    assert main(["--library", str(lib), "export-phenopacket", cid, "-o", str(tmp_path / "q.json")]) == 3
    assert "$.manuscript.discussion" in capsys.readouterr().err


PUBLIC = sorted(p for p in (__import__("pathlib").Path(__file__).parent / "cases").glob("*.json")
                if not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_each_published_case_is_valid_and_round_trips(path):
    from desktop import jsonio
    first, _ = case_to_phenopacket(prepare(jsonio.loads(path.read_text("utf-8"))), now=NOW)
    assert schema_errors(first) == []
    back, _report = phenopacket_to_case(json.loads(json.dumps(first)))
    assert _canonical(case_to_phenopacket(back, now=NOW)[0]) == _canonical(first)
