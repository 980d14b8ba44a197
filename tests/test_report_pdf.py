"""The PDF case report, read back with pypdf: sections, the seed's numbers, times, the CARE appendix,
de-identification, consent, fonts, metadata, outline, page furniture and determinism."""
from __future__ import annotations

import io
import re

import pypdf
import pytest

from desktop.demo import load_demo
from desktop.report.errors import ReportError
from desktop.report.pdf import DRAFT_MARK, IDENTIFIED_MARK, ReportInfo, ReportRefused, render_pdf
from test_report_cases import IDENT, date_forms, full_case, identifier_case


class Rendered:
    def __init__(self, data: bytes, info: ReportInfo):
        self.data = data
        self.info = info
        self.reader = pypdf.PdfReader(io.BytesIO(data))
        self.pages = [p.extract_text() for p in self.reader.pages]
        self.text = "\n".join(self.pages)
        self.flat = " ".join(self.text.split())  # line breaks folded, for phrases that wrap


def render(case, **kw) -> Rendered:
    buf = io.BytesIO()
    info = render_pdf(case, buf, **kw)
    return Rendered(buf.getvalue(), info)


@pytest.fixture(scope="module")
def demo() -> Rendered:
    return render(load_demo(), draft=True)  # the demo records no consent: only a draft can be made


@pytest.fixture(scope="module")
def full() -> Rendered:
    return render(full_case())


@pytest.fixture(scope="module")
def ident_default() -> Rendered:
    return render(identifier_case(age=93))


@pytest.fixture(scope="module")
def ident_identified() -> Rendered:
    return render(identifier_case(age=93), identified=True)


HEADINGS = ["Abstract", "Background", "Case presentation", "Patient information", "Clinical findings", "Timeline",
            "Diagnostic assessment", "Therapeutic intervention", "Follow-up and outcomes", "Discussion",
            "Conclusions", "Declarations", "Ethics approval and consent to participate",
            "Consent for publication", "Competing interests", "Funding", "Authors' contributions",
            "Acknowledgements", "References", "Appendix A: Assessment (decision support)",
            "Appendix B: CARE checklist"]


# --- the demo (seed) case -----------------------------------------------------------------------

def test_demo_has_every_section_heading_in_order(demo):
    lines = [line.strip() for line in demo.text.splitlines()]
    positions = []
    for h in HEADINGS:
        assert h in lines, f"heading {h!r} missing"
        positions.append(lines.index(h))
    assert positions == sorted(positions)
    assert "case report" in demo.pages[0].lower()
    for label in ("Background:", "Case presentation:", "Conclusions:", "Keywords:"):
        assert label in demo.pages[0]


def test_demo_carries_the_seed_numbers(demo):
    t = demo.flat
    for number in ("82.8", "9.2", "9.0", "25 g", "87/52"):
        assert number in t, number
    # the seed's reference ranges, as printed in the lab table
    for rng in ("7–21", "3.5–4.7", "8.5–10.1", "2.5–4.9", "18.4–80.1", "3.4–5.0", "4.0–11.0", "13.0–17.0", "≤ 5.6"):
        assert rng in t, rng
    assert re.search(r"Calcium × phosphate product\s+82\.8 mg²/dL²", t)
    assert "albumin-corrected calcium (Payne) 9.98 mg/dL" in t and "ionized calcium" in t  # the derived value with its caveat, in the demo's (US) spelling
    assert "sodium thiosulfate" in t.lower()


def test_demo_times_are_relative_to_day_0(demo):
    t = demo.flat
    assert "Day 0 is the day of presentation" in t
    assert "about day −61" in t  # the penile lesion two months before admission (a table's day number)
    assert "about day 91" in t  # death three months later
    assert "about 2 months before presentation" in t  # a time in running text, as a clinician writes it
    assert "Day (day 0 = index event)" in t  # the timeline figure's axis
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", demo.text)


def test_demo_text_gives_the_labs_so_no_table_repeats_them(demo):
    t = demo.flat
    # the seed's own sentence gives every result with its range: a table would only repeat it (issue 14)
    assert "phosphorous 1.5 mg/dL (2.5–4.9 mg/dL)" in t and "hemoglobin 7.3 g/dL (13.0–17.0 g/dL)" in t
    assert "Laboratory results (H/L" not in t


def test_lab_table_marks_flags_and_expected_values(full):
    t = full.flat
    # synthetic values against their ranges: 7.6 > 4.9 mg/dL; 612 > 80.1 pg/mL (the default range, starred)
    assert re.search(r"Phosphate \(as phosphorus\)\s+7\.6\s+mg/dL\s+2\.5–4\.9\s+H", t)
    assert re.search(r"Parathyroid hormone, intact\s+612\s+pg/mL\s+18\.4–80\.1 \*\s+H", t)
    assert re.search(r"Blood urea nitrogen\s+58\s+mg/dL\s+7–21 \*\s+H \(expected\)", t)
    assert re.search(r"C-reactive protein\s+< 5\s+mg/L", t)  # a censored value keeps its comparator


def test_demo_figures_and_charts(demo):
    t = demo.flat
    assert demo.info.figures == 3  # body map, timeline, lab trends (the article's photos are not held)
    for n in (1, 2, 3):
        assert f"Fig. {n}" in t
    assert "Body map of the lesions" in t and "glans penis" in t
    assert "Calcium × phosphate (mg²/dL²)" in t
    assert "70: risk threshold" in t and "55: treatment goal" in t
    assert "Parathyroid hormone, intact (pg/mL)" in t


def test_demo_care_appendix_gives_section_and_page(demo):
    care_pages = [i for i, p in enumerate(demo.pages) if "CARE checklist" in p and "Checklist item" in p]
    assert care_pages
    care = "\n".join(demo.pages[i] for i in care_pages)
    flat = " ".join(care.split())
    timeline_page = next(i for i, p in enumerate(demo.pages) if "Timeline of the episode of care" in p) + 1
    m = re.search(r"\b7 Timeline .*? Timeline (\d+)", flat)
    assert m and int(m.group(1)) == timeline_page
    assert "not reported" in flat  # the demo holds no patient perspective
    for item in ("1", "2", "3a", "5a", "8c", "9b", "10a", "11d", "12", "13"):
        assert re.search(rf"(^|\n){item}\n", care) or f" {item} " in flat, item


def test_demo_draft_mark_and_page_numbers_on_every_page(demo):
    n = len(demo.pages)
    assert demo.info.pages == n
    for i, page in enumerate(demo.pages, 1):
        assert DRAFT_MARK in page
        assert re.search(rf"Page {i} of\s*{n}\b", page)
        assert "Calciphylaxis of the penis and distal digits" in page  # running title


def test_demo_appendix_a_is_decision_support(demo):
    start = next(i for i, p in enumerate(demo.pages) if "Appendix A: Assessment (decision support)" in p)
    page = " ".join(demo.pages[start].split())
    assert "Decision support — not part of the manuscript." in page
    assert "Diagnostic tier" in page and "Findings by severity" in " ".join(demo.text.split())


# --- fonts, metadata, outline, determinism ----------------------------------------------------

def _fonts(reader: pypdf.PdfReader):
    seen = {}

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            seen[font["/BaseFont"]] = font
        for ref in (resources.get("/XObject") or {}).values():
            xo = ref.get_object()
            if xo.get("/Subtype") == "/Form" and "/Resources" in xo:
                walk(xo["/Resources"])

    for page in reader.pages:
        walk(page.get("/Resources"))
    return seen


@pytest.mark.parametrize("which", ["demo", "full", "ident_identified"])
def test_fonts_are_embedded_source_fonts(which, request):
    fonts = _fonts(request.getfixturevalue(which).reader)
    assert fonts
    for name, font in fonts.items():
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"
        assert "SourceSerifPro" in name or "SourceSansPro" in name, name
    assert any("SourceSerifPro" in n for n in fonts) and any("SourceSansPro" in n for n in fonts)


def test_metadata_and_outline(full):
    meta = full.reader.metadata
    assert meta.title == "Calciphylaxis of the thigh in a patient on peritoneal dialysis: a case report"
    assert "Ana Núñez-Søndergaard" in meta.author and "Ōta Kenji" in meta.author
    assert "calciphylaxis" in meta["/Keywords"] and "sodium thiosulfate" in meta["/Keywords"]
    titles = []

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                titles.append(it.title)

    walk(full.reader.outline)
    for h in ("Abstract", "Case presentation", "Timeline", "Diagnostic assessment", "Discussion",
              "References", "Appendix B: CARE checklist"):
        assert h in titles


def test_same_case_same_pdf():
    a = render(full_case())
    b = render(full_case())
    assert a.text == b.text
    assert a.data == b.data


def test_unicode_text_renders(full):
    t = full.flat
    assert "Ana Núñez-Søndergaard" in t and "Ōta Kenji" in t
    assert "37.9 °C" in t or "37.9" in t
    assert "mg²/dL²" in t and "µ" not in full.info.warnings


# --- consent ---------------------------------------------------------------------------------

def test_no_consent_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / "r.pdf"
    with pytest.raises(ReportRefused) as e:
        render_pdf(full_case(consent="none"), out)
    assert "consent" in str(e.value) and "--draft" in str(e.value)
    assert not out.exists()
    assert isinstance(e.value, ReportError)


def test_draft_without_consent_is_marked_on_every_page(tmp_path):
    out = tmp_path / "draft.pdf"
    info = render_pdf(full_case(consent="none"), out, draft=True)
    pages = [p.extract_text() for p in pypdf.PdfReader(out).pages]
    assert info.pages == len(pages) > 1
    assert all(DRAFT_MARK in p for p in pages)
    assert "[to do: consent for publication]" in " ".join(" ".join(pages).split())


def test_consent_statement_patient_with_images(full):
    assert ("Written informed consent was obtained from the patient for publication of this case report and any "
            "accompanying images.") in full.flat


def test_consent_statement_next_of_kin_without_images():
    r = render(full_case(consent="next_of_kin", covers_images=False))
    assert ("Written informed consent was obtained from the patient's next of kin for publication of this case "
            "report. A copy of the written consent") in r.flat
    assert "accompanying images" not in r.flat


# --- de-identification ------------------------------------------------------------------------

def _identifier_strings() -> list[str]:
    out = []
    for key, value in IDENT.items():
        if key in ("dob", "admission", "discharge", "lab_day"):
            out += date_forms(value)
        elif key in ("given_names", "family_name", "relative", "street"):
            out += [value] + [part for part in value.split() if len(part) > 3]
        elif key != "exif_date":
            out.append(value)
    return out


def test_default_report_holds_no_identifier(ident_default):
    text = ident_default.text + "\n" + ident_default.flat
    for s in _identifier_strings():
        assert s not in text, s
    assert IDENT["camera_serial"].encode() not in ident_default.data
    assert IDENT["exif_date"].encode() not in ident_default.data
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    meta = " ".join(str(v) for v in ident_default.reader.metadata.values())
    assert "Quenneville" not in meta and "2023" not in meta


def test_default_report_prints_times_relative_and_ages_over_89_aggregated(ident_default):
    t = ident_default.flat
    assert "90 or older" in t and "93 years" not in t
    assert "day 1" in t and "day 19" in t  # CT and discharge, from their calendar dates
    assert "day −60" in t  # the labs dated two months before admission
    assert IDENTIFIED_MARK not in t


def test_default_report_leaves_out_identifying_images_without_image_consent(ident_default, ident_identified):
    assert "Facial photograph" not in ident_default.flat
    assert "Facial photograph" in ident_identified.flat
    assert any("1 identifying image(s) left out" in w for w in ident_default.info.warnings)
    assert not any("left out" in w for w in ident_identified.info.warnings)
    assert ident_identified.info.figures == ident_default.info.figures + 1


def test_identified_report_includes_identifiers_and_dates_and_says_so(ident_identified):
    t = ident_identified.flat
    for s in (IDENT["given_names"], IDENT["family_name"], IDENT["mrn"], IDENT["dob"], IDENT["phone"],
              IDENT["email"], IDENT["street"], IDENT["zip"], IDENT["admission"], IDENT["discharge"], IDENT["ssn"]):
        assert s in t, s
    assert "93-year-old" in t
    for page in ident_identified.pages:
        assert IDENTIFIED_MARK in " ".join(page.split())
    assert "IDENTIFIED" in ident_identified.reader.metadata["/Subject"]


def test_embedded_photos_carry_no_metadata(ident_identified):
    from PIL import Image
    n = 0
    for page in ident_identified.reader.pages:
        for img in page.images:
            with Image.open(io.BytesIO(img.data)) as im:
                assert im.format == "JPEG"
                assert len(im.getexif()) == 0
                n += 1
    assert n == 3
    assert IDENT["camera_serial"].encode() not in ident_identified.data


# --- options and progress ---------------------------------------------------------------------

def test_no_assessment_drops_appendix_a_only():
    r = render(full_case(), include_assessment=False)
    assert "Appendix A: Assessment" not in r.text
    assert "Appendix A: CARE checklist" in r.text  # appendices are lettered in order


def test_progress_is_reported_from_0_to_1():
    seen: list[float] = []
    render_pdf(full_case(), io.BytesIO(), progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert all(0.0 <= v <= 1.0 for v in seen)
    assert seen == sorted(seen)
    assert len(seen) >= 4


def test_writes_to_a_path(tmp_path):
    out = tmp_path / "case.pdf"
    info = render_pdf(full_case(), out)
    assert out.read_bytes().startswith(b"%PDF")
    assert info.pages == len(pypdf.PdfReader(out).pages)
    assert [p.name for p in tmp_path.iterdir()] == ["case.pdf"]


def test_full_case_tables_and_charts(full):
    t = full.flat
    assert "H (expected)" in t  # BUN on dialysis, marked as expected
    assert "<5" in t  # a CRP reported as below the assay limit
    assert "142/88" in t
    assert "Wound area, length × width (cm²)" in t and "PUSH 3.0 total (0–17)" in t
    assert re.search(r"sodium thiosulfate\s+25 g\s+intravenous", t)
    assert "Day 0 is the day of presentation" in t


def test_no_wound_chart_without_observations():
    case = full_case()
    for lesion in case.lesions:
        lesion.observations = []
    r = render(case)
    assert "Wound area" not in r.text
    assert "Wound observations" not in r.text


def test_an_almost_empty_case_still_makes_a_complete_report():
    from desktop.model import Case, Consent
    r = render(Case(title="Calciphylaxis", consent=Consent(given_by="patient")), draft=True)  # a final one is refused
    lines = [line.strip() for line in r.text.splitlines()]
    for h in HEADINGS:
        assert h in lines, h
    assert "Calciphylaxis: a case report" in r.text
    assert any('does not say "case report"' in w for w in r.info.warnings)
    assert "[to do: timeline]" in r.text  # a draft's placeholder, never an invented sentence
    assert r.info.figures == 0


def test_lab_values_keep_the_precision_of_their_range():
    from desktop.model import LabResult
    from desktop.report import fmt
    def lab(value, unit="mg/dL", analyte="phosphate", **kw):
        return LabResult(analyte=analyte, value=value, unit=unit, **kw)
    assert fmt.lab_value_text(lab(9.0)) == "9.0"  # next to 2.5–4.9
    assert fmt.lab_value_text(lab(104.0, "pg/mL", "pth_intact")) == "104"
    assert fmt.lab_value_text(lab(5.0, "mg/L", "crp", comparator="<")) == "<5"
    assert fmt.range_text(fmt.reference_range(lab(7.3, "g/dL", "haemoglobin")), lab(7.3, "g/dL", "haemoglobin")) \
        == "13.0–17.0"
    assert fmt.range_text(fmt.reference_range(lab(6.9, "%", "hba1c")), lab(6.9, "%", "hba1c")) == "≤ 5.6"
    assert fmt.flag(lab(9.0)) == "H" and fmt.flag(lab(1.5)) == "L" and fmt.flag(lab(5.0, "mg/L", "crp")) == ""
    assert fmt.num(-2.5) == "−2.5"
