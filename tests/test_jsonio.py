"""The JSON interchange format: canonical output, validation with JSON paths, the published schema."""
import json
from pathlib import Path

import pytest

from desktop import jsonio
from desktop.codec import InvalidCase
from desktop.demo import DEMO_PATH, load_demo
from desktop.model import Case, Figure, Vital

from helpers import identified_case, synthetic_case

INVALID = sorted((Path(__file__).parent / "data" / "invalid").glob("*.json"))


def test_demo_round_trips_byte_identically():
    text = DEMO_PATH.read_text("utf-8")
    assert jsonio.dumps(jsonio.loads(text)) == text


def test_synthetic_and_identified_round_trip():
    for case in (synthetic_case(), identified_case()):
        text = jsonio.dumps(case)
        assert jsonio.dumps(jsonio.loads(text)) == text


def test_figure_bytes_round_trip_as_base64():
    from helpers import small_jpeg
    case = synthetic_case()
    case.figures.append(Figure(id="m1", data=small_jpeg(), caption="µ ≤ ²"))
    back = jsonio.loads(jsonio.dumps(case))
    assert back.figures[0].data == case.figures[0].data  # a JPEG without metadata is kept byte for byte
    assert back.figures[0].sha256  # filled in on import
    assert jsonio.dumps(back) == jsonio.dumps(jsonio.loads(jsonio.dumps(back)))


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_files_are_refused_naming_the_json_path(path):
    spec = json.loads(path.read_text("utf-8"))
    with pytest.raises(InvalidCase) as info:
        jsonio.from_document(spec["document"])
    paths = [p.path for p in info.value.problems]
    assert any(p.startswith(spec["expect"]) for p in paths), (spec["expect"], info.value.problems)
    assert all(p.message for p in info.value.problems)


def test_every_problem_is_reported_not_just_the_first():
    doc = json.loads(DEMO_PATH.read_text("utf-8"))
    doc["labs"][0]["unit"] = ""
    doc["labs"][1]["value"] = None  # neither a value nor the source's words for it
    doc["lesions"][0]["site"] = "nowhere"
    with pytest.raises(InvalidCase) as info:
        jsonio.from_document(doc)
    paths = {p.path for p in info.value.problems}
    assert {"$.labs[0].unit", "$.labs[1].value", "$.lesions[0].site"} <= paths


AS_PRINTED = sorted((Path(__file__).parent / "data" / "as-printed").glob("*.json"))


@pytest.mark.parametrize("path", AS_PRINTED, ids=[p.stem for p in AS_PRINTED])
def test_a_file_with_an_implausible_value_or_unknown_unit_imports_it_as_printed(path):
    """Issue 12: a case file records what the source prints. A value outside what can be measured
    or a unit the catalogue does not know is kept, marked as printed, and round-trips; it is not
    refused (the assessment flags it and leaves it out)."""
    spec = json.loads(path.read_text("utf-8"))
    case = jsonio.from_document(spec["document"])
    kept = [i for i, lab in enumerate(case.labs) if lab.as_printed]
    assert kept
    for i in kept:
        original = spec["document"]["labs"][i]
        assert (case.labs[i].value, case.labs[i].unit) == (original["value"], original["unit"])
    text = jsonio.dumps(case)
    assert jsonio.dumps(jsonio.loads(text)) == text


def test_interactive_checks_stop_an_implausible_value_unless_kept_as_printed():
    case = load_demo()
    lab = next(l for l in case.labs if l.analyte == "calcium")
    lab.value, lab.unit = 7.92, "mmol/l"  # a calcium only mg/dL makes sense of
    i = case.labs.index(lab)
    assert [p.path for p in jsonio.check_part(case, "labs", lab.id)] == [f"$.labs[{i}].value"]
    lab.as_printed = True
    assert jsonio.check_part(case, "labs", lab.id) == []


def test_a_vital_sign_outside_the_bounds_of_its_unit_is_refused_naming_the_other_unit():
    # Pujar & Spinello (Int Arch Med 2009;2:22): "temperature 95.4°F" — typed under °C it is no body temperature
    case = load_demo()
    case.vitals.append(Vital(id="t", kind="temperature", value=95.4, unit="°C"))
    problems = jsonio.check_part(case, "vitals", "t")
    assert [p.path for p in problems] == [f"$.vitals[{len(case.vitals) - 1}].value"]
    assert "95.4 °C" in problems[0].message and "°F" in problems[0].message
    case.vitals[-1].unit = "°F"
    assert jsonio.check_part(case, "vitals", "t") == []
    case.vitals.append(Vital(id="hr", kind="heart_rate", value=1060, unit="/min"))  # a slipped digit
    assert [p.path for p in jsonio.check_part(case, "vitals", "hr")] == [f"$.vitals[{len(case.vitals) - 1}].value"]


def test_unit_spellings_as_printed_are_accepted_without_the_as_printed_mark():
    case = load_demo()
    lab = next(l for l in case.labs if l.analyte == "calcium")
    for unit in ("mg/dl", "MG/DL", "mmol/l", "mg / dL"):
        lab.unit = unit
        lab.value = 9.1 if "mg" in unit.lower() else 2.27
        assert jsonio.check_part(case, "labs", lab.id) == [], unit


def test_a_qualitative_result_needs_no_number_and_a_culture_takes_no_number():
    case = load_demo()
    case.labs[0].value, case.labs[0].qualitative = None, "elevated"
    assert jsonio.check_part(case, "labs", case.labs[0].id) == []
    from desktop.model import LabResult
    case.labs.append(LabResult(id="cx", analyte="culture", qualitative="positive", specimen="wound",
                               organism="Pseudomonas aeruginosa"))
    assert jsonio.check_part(case, "labs", "cx") == []
    case.labs[-1].value, case.labs[-1].unit = 3.0, "x"
    assert jsonio.check_part(case, "labs", "cx")


@pytest.mark.parametrize("date,precision,ok", [("2005-09", "month", True), ("2005", "year", True),
                                               ("2005-09", "day", False), ("2005-13", "month", False),
                                               ("05", "year", False), ("2005-09-31", "day", False)])
def test_month_and_year_dates(date, precision, ok):
    from desktop.model import When
    problems = jsonio.check_when(When(date=date, precision=precision), "$.x", set())
    assert (problems == []) is ok, problems


@pytest.mark.parametrize("text", [b"", b"{", b"[]", b"\xff\xfe\x00", b'{"format": "something.else"}', b"null"])
def test_garbage_is_refused_cleanly(text):
    with pytest.raises(InvalidCase) as info:
        jsonio.loads(text)
    assert info.value.problems[0].path.startswith("$")


def test_a_value_without_a_unit_is_refused():
    case = synthetic_case()
    case.labs[0].unit = "  "
    with pytest.raises(InvalidCase, match=r"\$\.labs\[0\]\.unit: a value without a unit is refused"):
        jsonio.loads(jsonio.dumps(case))


def test_published_schema_matches_the_model():
    committed = json.loads(Path(jsonio.catalogue.resource_path("schema", "case.schema.json")).read_text("utf-8"))
    assert committed == jsonio.case_schema(), "run: python -m desktop.jsonio  (regenerates the schema)"


def test_schema_accepts_every_valid_document():
    import jsonschema
    schema = jsonio.case_schema()
    for case in (load_demo(), synthetic_case(), identified_case(), Case()):
        jsonschema.validate(jsonio.to_document(case), schema)


def test_image_bytes_that_cannot_be_read_are_refused_naming_the_path():
    # issue 13: bytes that cannot be decoded cannot be vouched free of metadata
    case = synthetic_case()
    case.figures.append(Figure(id="m1", data=b"\xff\xd8\xff\xe0 not really a jpeg"))
    with pytest.raises(InvalidCase) as info:
        jsonio.loads(jsonio.dumps(case))
    assert [p.path for p in info.value.problems] == ["$.figures[0].data"]
