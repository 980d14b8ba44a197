"""The Word manuscript (desktop.interop.docx), read back with python-docx and as raw XML: the same
sections, tables, figures, consent statement and references as the PDF, in Word's built-in styles;
de-identified unless asked otherwise; refused without consent unless a draft; hostile text survives;
and the ``casebook export-docx`` command with its exit codes."""
from __future__ import annotations

import html
import shutil
import subprocess
import io
import re
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from PIL import Image

from desktop import jsonio
from desktop.cli import main
from desktop.demo import load_demo
from desktop.interop.docx import DRAFT_MARK, IDENTIFIED_MARK, DocxInfo, ReportError, ReportRefused, write_docx
from desktop.report import content, photos
from desktop.report.build import REFUSED, build
from desktop.report.pdf import render_pdf

import helpers
from test_report_cases import IDENT, date_forms, full_case, identifier_case, jpeg

BUILT_IN = {"Title", "Heading 1", "Heading 2", "Heading 3", "Normal", "Caption", "List"}


class Written:
    """A written manuscript: its bytes, info, the python-docx document and every XML part as text."""

    def __init__(self, data: bytes, info: DocxInfo):
        self.data, self.info = data, info
        self.doc = docx.Document(io.BytesIO(data))
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.parts = {n: z.read(n) for n in z.namelist()}
        self.xml = {n: b.decode("utf-8") for n, b in self.parts.items() if n.endswith((".xml", ".rels"))}
        self.paragraphs = list(self.doc.paragraphs)
        self.text = "\n".join(p.text for p in self.paragraphs)
        self.cells = "\n".join(c.text for t in self.doc.tables for row in t.rows for c in row.cells)
        self.all_text = self.text + "\n" + self.cells

    def styled(self, prefix: str) -> list:
        return [p for p in self.paragraphs if p.style.name.startswith(prefix)]

    def table(self, first_header: str):
        return next(t for t in self.doc.tables if t.rows[0].cells[0].text == first_header)


def write(case, **kw) -> Written:
    buf = io.BytesIO()
    info = write_docx(case, buf, **kw)
    return Written(buf.getvalue(), info)


def expected_headings(case, **kw) -> list[tuple[str, int]]:
    """The headings of the shared content the PDF is made from: (title, level)."""
    with photos.make_pool() as pool:
        built = build(case, pool, paginated=False, **kw)
    return [(h.title, h.level) for h in content.headings(built.blocks)]


@pytest.fixture(scope="module")
def demo() -> Written:
    return write(load_demo(), draft=True)  # the demo records no consent: only a draft can be made


@pytest.fixture(scope="module")
def full() -> Written:
    return write(full_case())


# --- the demo (seed) case -----------------------------------------------------------------------

def test_every_heading_of_the_shared_content_in_order_in_word_heading_styles(demo):
    expected = expected_headings(load_demo(), draft=True, identified=False, include_assessment=False)
    got = [(p.text, int(p.style.name.split()[-1]) - 1) for p in demo.styled("Heading")]
    assert got == expected
    titles = [t for t, _ in got]
    for h in ("Abstract", "Background", "Case presentation", "Patient information", "Timeline",
              "Diagnostic assessment", "Therapeutic intervention", "Follow-up and outcomes", "Discussion",
              "Declarations", "Consent for publication", "References", "Appendix A: CARE checklist"):
        assert h in titles, h
    assert "Appendix A: Assessment (decision support)" not in titles  # optional, off by default
    assert dict(got)["Abstract"] == 0 and dict(got)["Timeline"] == 1 and dict(got)["Consent for publication"] == 2


def test_headings_are_those_of_the_pdf(demo):
    buf = io.BytesIO()
    render_pdf(load_demo(), buf, draft=True, include_assessment=False)
    import pypdf
    lines = {line.strip() for page in pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages
             for line in page.extract_text().splitlines()}
    for p in demo.styled("Heading"):
        assert p.text in lines, p.text


def test_only_built_in_styles(demo, full):
    for w in (demo, full):
        used = {p.style.name for p in w.paragraphs}
        assert used <= BUILT_IN, used - BUILT_IN
        assert all(p.style.builtin for p in w.paragraphs)
        assert {"Title", "Heading 1", "Heading 2", "Caption", "Normal"} <= used
        assert all(t.style.name == "Table Grid" for t in w.doc.tables)
    title = demo.styled("Title")
    assert [p.text for p in title] == ["Calciphylaxis of the penis and distal digits: a case report"]


def test_captions_are_numbered_in_the_caption_style(demo):
    captions = [p.text.strip() for p in demo.styled("Caption")]
    tables = [c for c in captions if c.startswith("Table ")]
    figures = [c for c in captions if c.startswith("Fig. ")]  # as the text cites them (and the PDF prints them)
    assert [int(re.match(r"Table (\d+)\.", c).group(1)) for c in tables] == list(range(1, len(tables) + 1))
    assert [int(re.match(r"Fig\. (\d+)\.", c).group(1)) for c in figures] == [1, 2, 3]
    assert demo.info.tables == len(tables) and demo.info.figures == 3
    assert any(re.match(r"Table \d+\. Lesions", c) for c in captions)
    assert any(c.startswith("Fig. 1. Body map of the lesions, numbered as in Table 1") for c in captions)
    assert 'SEQ Table \\* ARABIC' in demo.xml["word/document.xml"]  # Word can renumber them


def test_lab_table_carries_the_numbers_and_ranges(demo, full):
    # the demo's text gives every result with its range, so no table repeats them (issue 14)
    assert "potassium 5.1 mmol/L (3.5–4.7 mmol/L)" in demo.text
    assert not any(t.rows[0].cells[0].text == "Analyte" for t in demo.doc.tables)
    labs = full.table("Analyte")
    assert [c.text for c in labs.rows[0].cells] == ["Analyte", "Value", "Unit", "Reference range", "Flag", "Time"]
    rows = [[c.text for c in r.cells] for r in labs.rows[1:]]
    by_value = {(r[0].split("\n")[0], r[1]): r for r in rows}
    # the synthetic case's values and ranges (tests/test_report_cases.full_case)
    assert by_value[("Phosphate (as phosphorus)", "7.6")][2:5] == ["mg/dL", "2.5–4.9", "H"]
    assert by_value[("Parathyroid hormone, intact", "612")][2:5] == ["pg/mL", "18.4–80.1 *", "H"]
    assert by_value[("C-reactive protein", "< 5")][2] == "mg/L"
    assert "* No range was reported with this result" in full.text
    # the header row repeats on every page
    assert labs.rows[0]._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") \
        is not None
    assert "Calcium × phosphate product 82.8 mg²/dL²" in demo.text  # the derived value, in a sentence
    # the blood pressure is in the clinical findings' text, so no one-row vital-signs table repeats it
    assert "blood pressure of 87/52 mmHg" in demo.text
    assert not any(t.rows[0].cells[0].text == "Measurement" for t in demo.doc.tables)
    therapy = demo.table("Agent")
    assert any(r.cells[0].text.startswith("sodium thiosulfate") and r.cells[1].text == "25 g" for r in therapy.rows)


def test_flags_keep_their_emphasis(full):
    labs = full.table("Analyte")
    row = next(r for r in labs.rows if r.cells[0].text.startswith("Parathyroid"))
    value_run, flag_run = row.cells[1].paragraphs[0].runs[0], row.cells[4].paragraphs[0].runs[0]
    assert value_run.bold and flag_run.bold and str(flag_run.font.color.rgb) == "B00020"
    assert row.cells[1].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT


def test_figure_count_equals_the_pdf_for_the_same_case(demo, full):
    for case, w, kw in ((load_demo(), demo, {"draft": True}), (full_case(), full, {})):
        info = render_pdf(case, io.BytesIO(), include_assessment=False, **kw)
        assert w.info.figures == info.figures
        assert len([p for p in w.styled("Caption") if p.text.strip().startswith("Fig. ")]) == info.figures
        assert len(w.doc.inline_shapes) == info.figures  # one picture a figure (no timeline over 60 events)


def test_draft_header_and_times_relative_to_day_0(demo):
    for section in demo.doc.sections:
        assert DRAFT_MARK in "\n".join(p.text for p in section.header.paragraphs)
    assert "DRAFT — NOT FOR SUBMISSION: no consent for publication is recorded." in demo.text
    assert "Day 0 is the day of presentation" in demo.text
    assert "about day −61" in demo.all_text
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", demo.all_text)
    assert "[to do: consent for publication]" in demo.text


def test_care_checklist_gives_sections_without_pages(demo):
    care = demo.table("Item")
    assert [c.text for c in care.rows[0].cells] == ["Item", "Topic", "Checklist item", "Reported in"]
    rows = {r.cells[0].text: r.cells[3].text for r in care.rows[1:]}
    assert rows["7"] == "Timeline" and rows["1"] == "Title"
    assert "not reported" in rows.values()  # the demo holds no patient perspective


def test_core_properties(full):
    cp = full.doc.core_properties
    assert cp.title == "Calciphylaxis of the thigh in a patient on peritoneal dialysis: a case report"
    assert "Ana Núñez-Søndergaard" in cp.author and "Ōta Kenji" in cp.author
    assert "calciphylaxis" in cp.keywords and "sodium thiosulfate" in cp.keywords
    assert cp.created is None and cp.modified is None  # no run-time dates
    assert "DRAFT" not in cp.subject and "IDENTIFIED" not in cp.subject


def test_include_assessment_adds_appendix_a():
    w = write(full_case(), include_assessment=True)
    titles = [p.text for p in w.styled("Heading")]
    assert "Appendix A: Assessment (decision support)" in titles and "Findings by severity" in titles
    assert titles.index("Appendix A: Assessment (decision support)") < titles.index("Appendix B: CARE checklist")
    assert "Decision support — not part of the manuscript." in w.text


# --- consent, references, pictures ----------------------------------------------------------------

def test_consent_statement_and_references(full):
    assert ("Written informed consent was obtained from the patient for publication of this case report and any "
            "accompanying images. A copy of the written consent is available for review by the Editor-in-Chief "
            "of this journal.") in full.text
    refs = [p for p in full.paragraphs if p.style.name == "List"]
    assert [p.text for p in refs] == ["1.\tNigwekar SU, et al. Calciphylaxis. N Engl J Med. 2018;378:1704-14."]
    titles = [p.text for p in full.styled("Heading")]
    assert titles.index("References") > titles.index("Consent for publication")


def test_consent_next_of_kin_without_images():
    w = write(full_case(consent="next_of_kin", covers_images=False))
    assert "obtained from the patient's next of kin for publication of this case report." in w.text
    assert "accompanying images" not in w.text


def test_no_consent_is_refused_with_the_pdfs_message_and_nothing_is_written(tmp_path):
    out = tmp_path / "m.docx"
    with pytest.raises(ReportRefused) as e:
        write_docx(full_case(consent="none"), out)
    assert str(e.value) == REFUSED and "--draft" in str(e.value)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_photos_are_clean_jpegs_and_charts_200_dpi_pngs(full):
    figures = {n: b for n, b in full.parts.items() if n.startswith("word/media/")}
    jpegs = [b for b in figures.values() if b[:3] == b"\xff\xd8\xff"]
    pngs = [b for b in figures.values() if b[:8] == b"\x89PNG\r\n\x1a\n"]
    assert len(jpegs) == 2 and len(pngs) == full.info.figures - 2
    for b in jpegs:
        with Image.open(io.BytesIO(b)) as im:
            assert im.format == "JPEG" and len(im.getexif()) == 0
    for shape in full.doc.inline_shapes:
        assert shape.width > 0 and shape.width.pt <= 482
    for b in pngs:
        with Image.open(io.BytesIO(b)) as im:
            assert round(im.info["dpi"][0]) == 200
            assert im.width > 800  # a chart drawn at the text width, 200 dpi: about 1,340 pixels


def test_photo_orientation_is_applied(tmp_path):
    case = full_case()
    case.figures[0].data = jpeg(400, 200, orientation=6, seed=5)  # stored landscape, shown portrait
    case.figures = case.figures[:1]
    w = write(case)
    photo = next(b for n, b in w.parts.items() if n.startswith("word/media/") and b[:2] == b"\xff\xd8")
    with Image.open(io.BytesIO(photo)) as im:
        assert im.height > im.width and len(im.getexif()) == 0


def test_an_undecodable_photo_is_named_by_its_figure(tmp_path):
    case = full_case()
    case.figures[0].data = b"\xff\xd8\xff not a jpeg at all"
    out = tmp_path / "m.docx"
    with pytest.raises(ReportError, match=r"Figure \d+ .*cannot be decoded"):
        write_docx(case, out)
    assert not out.exists()


# --- de-identification ----------------------------------------------------------------------------

def _identifier_strings(ids) -> list[str]:
    out = [r.value for r in ids.record_numbers]
    for name in ("given_names", "family_name", "street", "city", "county", "zip_code", "phone", "fax", "email",
                 "ssn"):
        out.append(getattr(ids, name))
    out += ids.urls + ids.ip_addresses + ids.relatives + ids.other
    for name in (ids.given_names, ids.family_name, *ids.relatives):
        out += [part for part in name.split() if len(part) > 3]
    out += date_forms(ids.date_of_birth)
    return [s for s in out if s]


def _everything(w: Written) -> str:
    """Every XML part of the package, raw and unescaped (text, properties, headers, relationships)."""
    raw = "\n".join(w.xml.values())
    return raw + "\n" + html.unescape(raw)


def test_no_identifier_anywhere_in_the_package():
    case = helpers.full_case()  # every identifier class, a dated index event, identifiers in free text
    w = write(case, draft=True)  # helpers.full_case records no declarations
    everything = _everything(w)
    for s in _identifier_strings(case.identifiers) + date_forms("2023-05-14") + date_forms("2023-07-01"):
        assert s not in everything, s
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", w.all_text)
    assert IDENTIFIED_MARK not in everything


def test_identifiers_are_there_only_when_asked_for():
    case = helpers.full_case()
    w = write(case, identified=True, draft=True)
    everything = _everything(w)
    for s in ("Hildegard Ottoline Quenneville", "MRN-4471923", "1941-03-07", "(503) 555-0142",
              "h.quenneville@example.org", "17 Larkspur Close", "078-05-1120", "2023-05-14"):
        assert s in everything, s
    assert IDENTIFIED_MARK in "\n".join(p.text for p in w.doc.sections[0].header.paragraphs)
    assert "IDENTIFIED" in w.doc.core_properties.subject
    assert w.styled("Heading")[1].text == "Patient identifiers (author's records only)"


def test_photo_metadata_and_identifying_photos_stay_out():
    case = identifier_case(age=93)  # a photo with a capture date and a camera serial, and a face
    w = write(case)
    for b in w.parts.values():
        assert IDENT["camera_serial"].encode() not in b
        assert IDENT["exif_date"].encode() not in b
    everything = _everything(w)
    assert "Facial photograph" not in everything
    assert "90 or older" in w.all_text and "93 years" not in w.all_text
    assert any("1 identifying image(s) left out" in x for x in w.info.warnings)
    for s in (IDENT["given_names"], IDENT["family_name"], IDENT["mrn"], IDENT["phone"], IDENT["email"]):
        assert s not in everything


# --- hostile text ---------------------------------------------------------------------------------

def test_hostile_text_does_not_crash_and_prints_literally(tmp_path):
    from test_hostile_text import HUGE, hostile_case
    case = hostile_case()[0]
    out = tmp_path / "hostile.docx"
    info = write_docx(case, out, draft=True)
    w = Written(out.read_bytes(), info)
    assert "<para>" in w.all_text and "</b>" in w.all_text  # markup printed as text, never interpreted
    assert "שלום עולם" in w.all_text and "مرحبا بالعالم" in w.all_text and "👩👩👧👦" in w.all_text
    assert "\u202e" not in w.all_text  # format characters (a bidi override) are dropped, as in the PDF
    assert w.all_text.count("Lorem ipsum") >= HUGE.count("Lorem ipsum")  # all 50,000 characters are there
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", "".join(w.xml.values()))  # XML-invalid controls stripped
    # and as an identified copy, whose identifiers are hostile too
    write(hostile_case(huge=False)[0], draft=True, identified=True, include_assessment=True)


# --- the command ----------------------------------------------------------------------------------

def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_export_docx(tmp_path, capsys):
    demo_json = tmp_path / "demo.json"
    demo_json.write_text(jsonio.dumps(load_demo()), encoding="utf-8")
    out = tmp_path / "demo.docx"
    code, _, err = run(capsys, "export-docx", demo_json, "-o", out)
    assert code == 3 and "No consent for publication is recorded" in err and not out.exists()
    code, stdout, _ = run(capsys, "export-docx", demo_json, "-o", out, "--draft")
    assert code == 0 and "3 figures" in stdout
    assert DRAFT_MARK in docx.Document(out).sections[0].header.paragraphs[1].text


def test_cli_export_docx_scans_for_phi_and_de_identifies(tmp_path, capsys):
    case_json = tmp_path / "case.json"
    case_json.write_text(jsonio.dumps(helpers.full_case()), encoding="utf-8")  # identifiers in the discussion
    out = tmp_path / "m.docx"
    code, _, err = run(capsys, "export-docx", case_json, "-o", out)
    assert code == 3 and "possible identifiers" in err and "Brackenfield" in err and not out.exists()
    code, _, _ = run(capsys, "export-docx", case_json, "-o", out, "--allow-phi-warnings", "--draft")
    assert code == 0  # a draft: this case records no declarations, which a final export would require
    text = _everything(Written(out.read_bytes(), DocxInfo(0, 0)))
    assert "Quenneville" not in text and "Brackenfield" not in text and "[removed]" in text
    code, _, _ = run(capsys, "export-docx", case_json, "-o", out, "--identified", "--draft")
    assert code == 0 and "Quenneville" in _everything(Written(out.read_bytes(), DocxInfo(0, 0)))
    code, _, err = run(capsys, "export-docx", tmp_path / "missing.json", "-o", out)
    assert code == 3 and "cannot read" in err
    code, _, _ = run(capsys, "export-docx", case_json)  # -o is required
    assert code == 2


# --- figures as pictures --------------------------------------------------------------------------

def test_raster_paints_the_drawing_where_the_pdf_draws_it():
    """The Pillow painter on a small drawing of every shape kind the report uses: positions (y up,
    in points, 200 dpi), fills, strokes, an even-odd hole, a transformed group, dashes and text."""
    from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Path, Rect, String
    from reportlab.lib import colors
    from desktop.report import fonts, raster
    fonts.register()
    d = Drawing(144, 72)  # 2 x 1 inches: 400 x 200 pixels
    d.add(Rect(0, 0, 36, 36, fillColor=colors.red, strokeColor=None))  # bottom left quarter inch
    ring = Path(fillColor=colors.blue, strokeColor=None)  # a square with a square hole
    for x0, y0, s in ((72, 36, 36), (81, 45, 18)):
        ring.moveTo(x0, y0)
        ring.lineTo(x0 + s, y0)
        ring.lineTo(x0 + s, y0 + s)
        ring.lineTo(x0, y0 + s)
        ring.closePath()
    d.add(ring)
    g = Group(transform=(1, 0, 0, -1, 0, 72))  # flipped, as the body map's views are
    g.add(Circle(126, 12, 6, fillColor=colors.green, strokeColor=None))  # at (126, 60) in the drawing
    d.add(g)
    d.add(Line(0, 66, 60, 66, strokeColor=colors.black, strokeWidth=2, strokeDashArray=[6, 6]))
    d.add(String(110, 10, "Day", fontName=fonts.SANS + "-Bold", fontSize=12, fillColor=colors.black,
                 textAnchor="middle"))
    im = raster.paint(d)
    assert im.size == (400, 200)

    def px(x_pt, y_pt):  # the pixel at drawing point (x, y)
        return im.getpixel((int(x_pt / 72 * 200), int((72 - y_pt) / 72 * 200)))

    assert px(18, 18) == (255, 0, 0)
    assert px(75, 39) == (0, 0, 255) and px(90, 54) == (255, 255, 255)  # the ring, and its hole
    assert px(126, 60) == (0, 128, 0)
    dash = [px(x, 66) for x in (3, 9, 15, 21)]
    assert dash[0] == dash[2] == (0, 0, 0) and dash[1] == dash[3] == (255, 255, 255)
    ink = im.crop((int(95 / 72 * 200), int(50 / 72 * 200), int(125 / 72 * 200), int(63 / 72 * 200)))
    assert ink.convert("L").getextrema()[0] < 80  # the word is there, centred on x = 110
    png = raster.drawing_png(d)
    with Image.open(io.BytesIO(png)) as again:
        assert again.format == "PNG" and again.size == (400, 200) and round(again.info["dpi"][0]) == 200


def test_a_long_timeline_is_one_figure_of_several_pictures():
    from desktop.model import Event, When
    case = full_case()
    case.events += [Event(id=f"x{i}", kind="follow_up", description=f"Review {i}", when=When(offset=float(i)))
                    for i in range(70)]
    w = write(case)
    pdf = render_pdf(case, io.BytesIO(), include_assessment=False)
    assert w.info.figures == pdf.figures
    assert len(w.doc.inline_shapes) == w.info.figures + 1  # the timeline runs over two drawings
    caption = next(p.text.strip() for p in w.styled("Caption") if p.text.strip().startswith("Fig.") and "Timeline of the case" in p.text)
    assert "Table" in caption


def test_writes_a_path_atomically_and_reports_progress(tmp_path):
    out = tmp_path / "manuscript.docx"
    seen: list[float] = []
    info = write_docx(full_case(), out, progress=seen.append)
    assert [p.name for p in tmp_path.iterdir()] == ["manuscript.docx"]
    assert zipfile.is_zipfile(out) and docx.Document(out).core_properties.title.endswith("a case report")
    assert info.figures == 6 and info.tables >= 8
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 3


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_no_heading_alone_at_the_foot_of_a_page_in_libreoffice(tmp_path):
    """Opened in LibreOffice, no page ends with a heading. This published case left "Discussion" alone
    at the foot of page 3 while its figures' pictures were paragraphs kept with their captions."""
    case = jsonio.loads((Path(__file__).parent / "cases" / "bilateral-breast-no-dialysis.json").read_text("utf-8"))
    path = tmp_path / "case.docx"
    write_docx(case, path, draft=True)
    d = docx.Document(str(path))
    headings = {p.text.strip() for p in d.paragraphs if p.style.name.startswith("Heading")}
    assert all(p.style.name == "Caption" for p in d.paragraphs if p._p.xpath(".//w:drawing"))  # picture inside its caption
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   capture_output=True, timeout=120, check=True)
    pages = [p.extract_text() for p in pypdf.PdfReader(str(tmp_path / "case.pdf")).pages]
    assert len(pages) > 3
    for n, text in enumerate(pages, 1):
        lines = [x.strip() for x in text.splitlines() if x.strip() and not x.strip().startswith("Page ")]
        assert lines[-1] not in headings, (n, lines[-1])
