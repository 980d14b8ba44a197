"""Issue 13, "done when": a case carrying every identifier class, in its identifiers part and planted
in every string field (units, ids and citations included), with a JPEG carrying EXIF GPS, a serial,
XMP, IPTC and a comment, leaves no identifier in any exporter's output once redacted with
``redact_case(case, scan_case(case))``; unredacted, the exporters' gate refuses and lists the hits.
(The command line's --redact-phi calls these same functions.)"""
import io
import json
import re
import zipfile

import pytest
from pypdf import PdfReader

from desktop import jsonio
from desktop.interop import prepare, redcap
from desktop.interop.docx import write_docx
from desktop.interop.fhir import case_to_bundle
from desktop.interop.labs_csv import write_labs_csv
from desktop.privacy import phi
from desktop.privacy.phi import PhiFound, ensure_no_phi, redact_case, scan_case
from desktop.report.pdf import render_pdf

from helpers import full_case
from test_images import BYLINE, SERIAL, _identifying_jpeg

PLANT = ("Hildegard Quenneville, SSN 078-05-1120, MRN-4471923, born 03/07/1941, of 17 Larkspur Close, "
         "Brackenfield, Wexcombe County 97358, tel (503) 555-0142, fax 503-555-0199, "
         "h.quenneville@example.org, https://quenneville.example.org, 192.0.2.44, son Bartholomew, "
         "tattoo of a heron")
FORBIDDEN = ["Hildegard", "Ottoline", "Quenneville", "078-05-1120", "4471923", "1941", "Larkspur", "Brackenfield",
             "Wexcombe", "97358", "555-0142", "555-0199", "quenneville.example", "192.0.2.44", "Bartholomew", "heron",
             SERIAL, BYLINE.decode(), "shot at home", "Examplecam", "IMG_1941"]
# catalogue codes are read by the exporters as codes (an unknown one is refused by validation), and
# a few fields are checked as numbers-with-units: those keep their values; every other string,
# units and ids and citations included, gets the planted identifiers
KEEP = {"analyte", "site", "code", "drug_class", "treatment_class", "kind", "mime", "unit", "sha256"}


def _planted_case():
    case = full_case()
    case.figures[0].data = _identifying_jpeg()
    case.figures[0].id = "IMG_19410307_101112"
    for i, lab in enumerate(case.labs):
        lab.id = f"lab-MRN-4471923-{i}"
    case.manuscript.references = ["Okafor C. Calciphylaxis. J Example 2019;1:1."]  # planted below, as a citation
    for tf in phi.string_fields(case):
        if tf.role == "text" and tf.attr not in KEEP:
            tf.set(f"{tf.text} {PLANT}" if tf.text else PLANT)
    case.treatments[0].dose_unit = "g (Hildegard Quenneville, born 03/07/1941)"
    return case


def _exports(case) -> dict[str, bytes]:
    out = {}
    buf = io.BytesIO()
    render_pdf(case, buf, draft=True)  # the synthetic case records no declarations: a draft
    out["pdf"] = buf.getvalue()
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    out["docx"] = buf.getvalue()
    out["json"] = jsonio.dumps(prepare(case)).encode()
    out["fhir"] = json.dumps(case_to_bundle(prepare(case)), ensure_ascii=False).encode()
    out["redcap"] = redcap.write_data([prepare(case)]).encode()
    out["labs"] = write_labs_csv([prepare(case)]).encode()
    return out


_GENERATED_IDS = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|\b[0-9a-f]{10,}\b")


def _leaks(text: str) -> list[str]:
    """The planted identifiers found in an export's text. Ids the export generates (UUIDs, opaque hex
    ids) are random: a digit run such as 1941 may occur in one by chance, and is no leak."""
    text = _GENERATED_IDS.sub(" ", text).lower()
    return [s for s in FORBIDDEN if s.lower() in text]


def _readable(kind: str, data: bytes) -> str:
    """Everything a reader of the file could see: text, and the raw bytes of every embedded image."""
    if kind == "pdf":
        reader = PdfReader(io.BytesIO(data))
        parts = [p.extract_text() for p in reader.pages]
        parts += [img.data.decode("latin-1") for p in reader.pages for img in p.images]
        parts += [str(reader.metadata)]
        return "\n".join(parts)
    if kind == "docx":
        z = zipfile.ZipFile(io.BytesIO(data))
        return "\n".join(z.read(n).decode("latin-1") for n in z.namelist())
    return data.decode("utf-8")


def test_unredacted_case_is_refused_with_every_hit_listed():
    case = _planted_case()
    with pytest.raises(PhiFound) as info:
        ensure_no_phi(case)
    fields = {h.field for h in info.value.hits}
    assert "$.treatments[0].dose_unit" in fields
    assert any(f.endswith(".id") for f in fields)  # the ids carrying an MRN and a capture date


def test_the_reader_sees_planted_text_where_it_is_left():
    # the check below would prove nothing if _readable could not see the text: an identified report
    # keeps it
    case = _planted_case()
    for kind, write in (("pdf", render_pdf), ("docx", write_docx)):
        buf = io.BytesIO()
        write(case, buf, identified=True, draft=True)
        text = _readable(kind, buf.getvalue())
        assert "Quenneville" in text and "4471923" in text, kind


def test_redacted_case_leaves_no_identifier_in_any_export():
    case = _planted_case()
    before = jsonio.dumps(case)
    hits = scan_case(case)
    redacted = redact_case(case, hits)
    assert jsonio.dumps(case) == before  # the library's case is untouched
    assert scan_case(redacted) == [] and ensure_no_phi(redacted) == []
    assert "[name]" in redacted.treatments[0].dose_unit and "[date]" in redacted.treatments[0].dose_unit
    leaks = {}
    for kind, data in _exports(redacted).items():
        found = _leaks(_readable(kind, data))
        if found:
            leaks[kind] = found
    assert not leaks, leaks


EXPORTS = [  # (command, output name, extra arguments): every exporter of the command line
    ("report", "out.pdf", ["--draft"]), ("export-docx", "out.docx", ["--draft"]),
    ("export-json", "out.json", ["--deidentified"]), ("export-fhir", "out.fhir.json", []),
    ("export-redcap", "redcap", []), ("export-labs-csv", "labs.csv", []),
]


def _read_output(path) -> str:
    if path.is_dir():
        return "\n".join(p.read_text("utf-8") for p in sorted(path.iterdir()))
    kind = {".pdf": "pdf", ".docx": "docx"}.get(path.suffix, "text")
    return _readable(kind, path.read_bytes())


@pytest.mark.parametrize("command, name, extra", EXPORTS, ids=[e[0] for e in EXPORTS])
def test_every_command_refuses_then_redacts(tmp_path, capsys, command, name, extra):
    """Through the command line: without --redact-phi each exporter refuses (exit 3) listing the hits
    and writes nothing; with it, no identifier reaches the file."""
    from desktop.cli import main
    case_file = tmp_path / "planted.json"
    case_file.write_bytes(jsonio.dumps(_planted_case()).encode("utf-8"))
    out = tmp_path / name
    assert main([command, str(case_file), "-o", str(out), *extra]) == 3
    err = capsys.readouterr().err
    assert "possible identifiers" in err and "$.treatments[0].dose_unit" in err and "--redact-phi" in err
    assert not out.exists()
    assert main([command, str(case_file), "-o", str(out), *extra, "--redact-phi"]) == 0, capsys.readouterr().err
    leaks = _leaks(_read_output(out))
    assert not leaks, leaks


def test_scan_phi_lists_hits_of_a_case_and_of_a_draft(tmp_path, capsys):
    from desktop.cli import main
    case_file = tmp_path / "planted.json"
    case_file.write_bytes(jsonio.dumps(_planted_case()).encode("utf-8"))
    assert main(["scan-phi", str(case_file), "--json"]) == 3
    hits = json.loads(capsys.readouterr().out)
    assert {"field", "start", "end", "text", "class"} <= set(hits[0])
    assert any(h["field"] == "$.treatments[0].dose_unit" for h in hits)
    draft = tmp_path / "draft.txt"
    draft.write_text("Seen by Dr Okafor at Brackenfield General Hospital on 3rd of March 2021.\n", encoding="utf-8")
    assert main(["scan-phi", str(draft)]) == 3
    out = capsys.readouterr().out
    assert "Okafor" in out and "March" in out
    clean = tmp_path / "clean.txt"
    clean.write_text("Calcium 2.65 mmol/L (2.10–2.55) on day 3; sodium thiosulfate 25 g three times a week.\n")
    assert main(["scan-phi", str(clean)]) == 0
    assert "no possible identifiers" in capsys.readouterr().out
