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
    assert "not on the map" in lines and "Back" in lines
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
    assert rows[0] == (1, "glans penis")  # the seed names no side: the glans has none
    assert rows[1] == (2, "finger pad, which finger not stated (side not stated); several finger pads")
    assert rows[2] == (3, "third toe (left); distal")
    c = Case(lesions=[Lesion(site="shin", laterality="bilateral", count=3), Lesion(site="face")])
    assert legend_rows(c) == [(1, "lower leg, anterior (shin) (both sides) (3 lesions)"), (2, "face")]
    # a site without sides is recorded as midline when placed on the map (Mathur et al., NDT: "facial
    # involvement"); the legend claims no midline lesion of the face or the abdomen
    c = Case(lesions=[Lesion(site="face", laterality="midline"), Lesion(site="abdomen", laterality="midline")])
    assert legend_rows(c) == [(1, "face"), (2, "abdomen")]


# --- a coarse site: the dashed outline of the regions it takes in (issue 12) ----------------------------

def _strings(node):
    from reportlab.graphics.shapes import Group as RLGroup, String as RLString
    for item in getattr(node, "contents", []):
        if isinstance(item, RLString):
            yield item
        elif isinstance(item, RLGroup):
            yield from _strings(item)


def _outline_pixels(drawing, image, regions, dpi):
    """The pixels of `image` on the vertices of `regions`' outlines (view drawing units -> points ->
    pixels through the view group's transform)."""
    from reportlab.graphics.shapes import Group as RLGroup
    g = next(x for x in drawing.contents if isinstance(x, RLGroup))
    a, _b, _c, dd, tx, ty = g.transform
    k = dpi / 72.0
    out = []
    for r in regions:
        for poly in r.polygons:
            for px, py in poly[::2]:
                x, y = a * px + tx, dd * py + ty
                col, row = round(x * k), round((drawing.height - y) * k)
                out.append(image.getpixel((min(image.width - 1, col), min(image.height - 1, row))))
    return out


def test_a_coarse_site_is_outlined_dashed_in_the_report_figure(tmp_path):
    # Proebstle et al. 1995: "livid skin markings on both thighs", no aspect given: recorded as
    # "thigh, aspect not stated", both sides. The window outlines the thigh regions it takes in; the
    # report figure does too, besides the marker.
    from desktop import bodymap, jsonio
    from desktop.report.raster import paint
    from pathlib import Path
    case = jsonio.loads((Path(__file__).parent / "cases" / "thighs-si-units-parathyroidectomy.json").read_text("utf-8"))
    lesions = lesion_markers(case)
    assert ("thigh", "bilateral") in [(s, l) for _, s, l in lesions]
    dpi = 150
    drawn = bodymap_drawing(lesions, 300, views=["front"], sex=case.patient.sex)
    blank = bodymap_drawing([], 300, views=["front"], sex=case.patient.sex)
    assert (drawn.width, drawn.height) == (blank.width, blank.height)  # the same layout, pixel for pixel
    img, ref = paint(drawn, dpi).convert("RGB"), paint(blank, dpi).convert("RGB")
    front = bodymap.view("front")
    covered = bodymap.covered_regions(front, "thigh", "bilateral")
    assert {(r.site, r.laterality) for r in covered} == {(s, side) for s in ("thigh-anterior", "thigh-medial")
                                                         for side in ("left", "right")}
    on, off = _outline_pixels(drawn, img, covered, dpi), _outline_pixels(blank, ref, covered, dpi)
    changed = [p for p, q in zip(on, off) if p != q]
    reddish = [p for p in changed if p[0] > p[1] + 40 and p[0] > p[2] + 40]
    assert len(changed) >= 0.4 * len(on) and len(reddish) >= 0.25 * len(on), (len(on), len(changed), len(reddish))
    # regions the site does not take in keep their plain outline
    other = [r for r in front.regions if r.site in ("chest", "face", "upper-arm", "forearm")]  # none borders a thigh
    assert _outline_pixels(drawn, img, other, dpi) == _outline_pixels(blank, ref, other, dpi)
    # a fine site (an anterior thigh stated as such) gets its marker and no dashed outline
    fine = bodymap_drawing([(1, "thigh-anterior", "left")], 300, views=["front"])
    img_fine = paint(fine, dpi).convert("RGB")
    medial = [r for r in covered if r.site == "thigh-medial"]
    assert _outline_pixels(fine, img_fine, medial, dpi) == _outline_pixels(blank, ref, medial, dpi)

    # no label is cut: every string lies inside the figure, and the PDF gives titles and numbers whole
    for st in _strings(drawn):
        from reportlab.pdfbase.pdfmetrics import stringWidth
        w = stringWidth(st.text, st.fontName, st.fontSize)
        left = st.x - {"middle": w / 2, "end": w}.get(st.textAnchor, 0)
        assert 0 <= left and left + w <= drawn.width + 0.01, (st.text, left, w)
    lines = pdf_lines(drawn, tmp_path / "coarse.pdf")
    assert "Front" in lines and "1" in lines
    assert legend_rows(case)[0] == (1, "thigh, aspect not stated (both sides)")


def test_the_reports_say_what_the_dashed_outline_means(tmp_path):
    # the same published case through the real writers: the PDF and the DOCX caption of the body map
    # say that the dashed outline is where a lesion whose site is given without its part may lie (lesion 1,
    # "both thighs"); it read "the regions a site stated without its part may lie in (1)"
    import io
    from pathlib import Path

    import docx
    from desktop import jsonio
    from desktop.interop.docx import write_docx
    from desktop.report.pdf import render_pdf
    case = jsonio.loads((Path(__file__).parent / "cases" / "thighs-si-units-parathyroidectomy.json").read_text("utf-8"))
    words = "dashed outline: where lesion 1 may lie, the source not saying which part"
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    captions = [p.text for p in docx.Document(io.BytesIO(buf.getvalue())).paragraphs if p.style.name.startswith("Caption")]
    body_map = [c for c in captions if "Body map" in c]
    assert len(body_map) == 1 and words in body_map[0], captions
    pdf = tmp_path / "thighs.pdf"
    render_pdf(case, pdf, draft=True)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages)
    assert words in text
