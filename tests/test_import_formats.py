"""`casebook import` chooses the reader by the file's content: Casebook's exports come back with
the same data (export → import → export), REDCap data with its dictionary, and other systems'
files as far as they map, with a report of what did not."""
import csv
import io
import json

from desktop.cli import main
from desktop.demo import load_demo
from desktop.interop import prepare, redcap
from desktop.interop.redcap_import import read
from desktop.store.library import create_library, open_library

from helpers import full_case


def test_redcap_round_trip_for_every_column():
    for case, identified in ((prepare(load_demo()), False), (prepare(full_case()), False), (full_case(), True)):
        first = redcap.write_data([case], identified=identified)
        back = read(first, redcap.write_dictionary())
        assert back.report == []
        assert redcap.write_data(back.cases, identified=identified) == first


def test_redcap_data_of_several_records_and_a_foreign_column():
    data = redcap.write_data([prepare(load_demo()), prepare(full_case())])
    rows = list(csv.reader(io.StringIO(data)))
    rows[0].append("site_specific_score")
    for r in rows[1:]:
        r.append("7")
    sex = rows[0].index("sex")
    rows[1][sex] = "9"  # a code the field does not define
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    dictionary = redcap.write_dictionary() + "site_specific_score,case,,text,Local score,,,,,,,,,,,,,\n"
    back = read(buf.getvalue(), dictionary)
    assert len(back.cases) == 2
    text = "\n".join(back.report)
    assert "site_specific_score" in text and "sex: code '9'" in text
    assert back.cases[0].patient.sex == "unknown" and back.cases[1].patient.sex == "female"


def _library(tmp_path):
    lib = tmp_path / "l.casebook"
    library = create_library(lib)
    cid = library.add_case(load_demo())
    library.close()
    return lib, cid


def test_import_each_format_through_the_command_line(tmp_path, capsys):
    lib, cid = _library(tmp_path)
    assert main(["--library", str(lib), "export-fhir", cid, "-o", str(tmp_path / "b.json")]) == 0
    assert main(["--library", str(lib), "export-phenopacket", cid, "-o", str(tmp_path / "p.json")]) == 0
    assert main(["--library", str(lib), "export-redcap", cid, "-o", str(tmp_path / "rc")]) == 0
    assert (tmp_path / "rc" / "project.xml").exists()
    capsys.readouterr()
    for f in ("b.json", "p.json", "rc/data.csv"):
        assert main(["--library", str(lib), "import", str(tmp_path / f)]) == 0, f
    out = capsys.readouterr().out.split()
    assert len(out) == 3
    with open_library(lib, read_only=True) as l:
        titles = [l.load_case(i, figures=False).title for i in out]
    demo = load_demo()
    assert titles[0] == demo.title and titles[2] == demo.title  # FHIR and REDCap carry the title
    # a dictionary is not data
    assert main(["--library", str(lib), "import", str(tmp_path / "rc" / "data_dictionary.csv")]) != 0
    assert "data dictionary" in capsys.readouterr().err


def test_a_foreign_file_reports_what_was_not_imported(tmp_path, capsys):
    lib, _ = _library(tmp_path)
    packet = {"id": "x", "subject": {"id": "s", "sex": "FEMALE"},
              "phenotypicFeatures": [{"type": {"id": "HP:0001250", "label": "Seizure"}}],
              "metaData": {"created": "2024-01-01T00:00:00Z", "createdBy": "x", "phenopacketSchemaVersion": "2.0"}}
    (tmp_path / "foreign.json").write_text(json.dumps(packet), "utf-8")
    assert main(["--library", str(lib), "import", str(tmp_path / "foreign.json")]) == 0
    err = capsys.readouterr().err
    assert "HP:0001250" in err and "not imported" in err


# --- damaged files: imported or refused with a message, never a crash --------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from desktop.app.cases import Casebook  # noqa: E402
from desktop.codec import InvalidCase  # noqa: E402
from desktop.interop.fhir import case_to_bundle  # noqa: E402
from desktop.interop.phenopacket import case_to_phenopacket  # noqa: E402
from desktop.store.library import LibraryError  # noqa: E402

_BUNDLE = case_to_bundle(prepare(full_case()))
_PACKET = case_to_phenopacket(prepare(full_case()))[0]
_JUNK = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2),
                  st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _mutate(obj, path_choices, junk):
    """Replace one value somewhere in ``obj`` by junk."""
    o = obj
    for step in path_choices[:-1]:
        if isinstance(o, dict) and o:
            o = o[sorted(o)[step % len(o)]]
        elif isinstance(o, list) and o:
            o = o[step % len(o)]
        else:
            break
    if isinstance(o, dict) and o:
        o[sorted(o)[path_choices[-1] % len(o)]] = junk
    elif isinstance(o, list) and o:
        o[path_choices[-1] % len(o)] = junk
    return obj


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["fhir", "phenopacket"]), steps=st.lists(st.integers(0, 50), min_size=1, max_size=7),
       junk=_JUNK)
def test_a_damaged_bundle_or_phenopacket_is_imported_or_refused(tmp_path, which, steps, junk):
    obj = json.loads(json.dumps(_BUNDLE if which == "fhir" else _PACKET))
    _mutate(obj, steps, junk)
    path = tmp_path / f"{which}.json"
    path.write_text(json.dumps(obj), "utf-8")
    with Casebook.open(tmp_path / "fuzz.casebook") as book:
        try:
            book.import_any(path)
        except (LibraryError, InvalidCase):
            pass


PUBLIC = sorted(p for p in (__import__("pathlib").Path(__file__).parent / "cases").glob("*.json")
                if not p.name.endswith(".expected.json"))


@__import__("pytest").mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_redcap_round_trip_of_each_published_case(path):
    """Every published case of the public set, as REDCap data and back, gives the same data. Before: a
    coarse site ("ring finger, part not stated") stopped the export; several "other" comorbidities came
    back as the last one only (the SHM abstract's four); results in words (Huang et al.'s negative ANA,
    an undetectable PTH), the source's own H/L marks, culture specimens and organisms and the results'
    notes were not in the data at all."""
    from desktop import jsonio
    case = prepare(jsonio.loads(path.read_text("utf-8")))
    first = redcap.write_data([case])
    back = read(first, redcap.write_dictionary())
    assert back.report == []
    assert redcap.write_data(back.cases) == first


def test_redcap_keeps_what_huang_and_the_shm_abstract_print():
    from pathlib import Path

    from desktop import jsonio
    cases = {n: prepare(jsonio.loads((Path(__file__).parent / "cases" / f"{n}.json").read_text("utf-8")))
             for n in ("legs-warfarin-hypercalcemia", "legs-pd-to-hd-wounds")}
    back = read(redcap.write_data(list(cases.values())), redcap.write_dictionary()).cases
    huang, shm = back
    assert ("ana", "negative") in [(l.analyte, l.qualitative) for l in huang.labs]  # "ANA ... negative"
    assert [c.detail for c in shm.patient.comorbidities] == [
        "chronic hypotension", "anemia of chronic disease", "depression", "anxiety"]
