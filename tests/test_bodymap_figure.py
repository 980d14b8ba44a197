"""The PDF body-map figure: rendered to a real PDF and read back with pypdf."""
from __future__ import annotations

import pytest
from pypdf import PdfReader
from reportlab.graphics import renderPDF

from desktop.demo import load_demo
from desktop.model import Case, Lesion
from desktop.report.bodymap_figure import bodymap_drawing, legend_rows, lesion_markers, views_for


def pdf_lines(drawing, path) -> list[str]:
    renderPDF.drawToFile(drawing, str(path))
    text = "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)
    return [t.strip() for t in text.splitlines() if t.strip()]


def test_demo_case_figure_has_its_views_and_marker_numbers(tmp_path):
    case = load_demo()
    lesions = lesion_markers(case)
    assert [n for n, _, _ in lesions] == [1, 2, 3, 4]
    assert views_for(lesions) == ["front", "hands", "feet", "genitalia"]
    d = bodymap_drawing(lesions, 450, sex=case.patient.sex)
    assert d.width == 450 and 0 < d.height <= 450 * 1.1
    lines = pdf_lines(d, tmp_path / "demo.pdf")
    for title in ("Front", "Hands", "Feet", "Genitalia", "Male"):
        assert title in lines
    assert "Back" not in lines and "Female" not in lines  # no back lesion; the patient is male
    # 1 glans; 2 and 4 finger pads with no finger or side stated (a hollow marker by each hand); 3 toe;
    # the whole figure shows every one of them too (issue 14: a marker in every view showing the site)
    assert sorted(l for l in lines if l.isdigit()) == ["1", "1", "2", "2", "2", "2", "3", "3", "4", "4", "4", "4"]


def test_many_lesions_numbers_above_nine_and_unplaced_ones(tmp_path):
    lesions = [(i, "thigh-anterior", "left" if i % 2 else "right") for i in range(1, 12)]
    lesions += [(12, "lung", "unspecified"), (13, "calf", "right")]
    d = bodymap_drawing(lesions, 500)
    lines = pdf_lines(d, tmp_path / "many.pdf")
    assert sorted(int(l) for l in lines if l.isdigit()) == list(range(1, 14))
    assert "internal organs," in lines and "Back" in lines
    assert "Hands" not in lines


def test_explicit_views_and_height_cap(tmp_path):
    lesions = [(1, "palm", "left")]
    d = bodymap_drawing(lesions, 300, views=["hands"], max_height_pt=120)
    assert d.height <= 120
    lines = pdf_lines(d, tmp_path / "hands.pdf")
    assert "Hands" in lines and "Front" not in lines and "1" in lines
    with pytest.raises(ValueError, match="no view to draw"):
        bodymap_drawing(lesions, 300, views=["sideways"])


def test_a_case_without_lesions_still_shows_the_front(tmp_path):
    lines = pdf_lines(bodymap_drawing([], 200), tmp_path / "empty.pdf")
    assert "Front" in lines and not [l for l in lines if l.isdigit()]


def test_legend_rows():
    case = load_demo()
    rows = legend_rows(case)
    assert rows[0] == (1, "glans penis (midline)")
    assert rows[1] == (2, "finger pad, finger not stated (side not stated); several finger pads")
    assert rows[2] == (3, "third toe (left); distal")
    c = Case(lesions=[Lesion(site="shin", laterality="bilateral", count=3), Lesion(site="face")])
    assert legend_rows(c) == [(1, "lower leg, anterior (shin) (both sides) (3 lesions)"), (2, "face")]
