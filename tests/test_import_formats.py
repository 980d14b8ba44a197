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
        titles = [l.load_case(i, media=False).title for i in out]
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
