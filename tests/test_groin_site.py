"""The groin as a lesion site.

Pantanowitz, Harton and Beckwith (Postgrad Med J 2001;77:735, "Cutaneous gangrene in a renal
dialysis patient") describe "painful necrotising abdominal and left groin wounds" in a 54-year-old
obese man on haemodialysis. The site catalogue had no groin: the left groin wound could only be
entered as the abdomen or the thigh, with the words in Site detail, and the body map put its marker
on the wrong one. The groin (the inguinal region, one of the abdomen's regions) is now a site of its
own, lateral, classed proximal with the abdomen (domain file §3), drawn on the front view along the
inguinal fold, where a click picks it.
"""
from __future__ import annotations

import io

import docx
from PySide6.QtCore import Qt

from desktop import bodymap, catalogue
from desktop.core import assess
from desktop.interop.docx import write_docx
from desktop.interop.redcap import case_rows
from desktop.model import Case, Event, Lesion, Observation, Patient, When

from test_bodymap_widget import widget  # noqa: F401  (the fixture: the body map widget, shown)


def test_the_catalogue_has_the_groin_lateral_and_proximal():
    groin = catalogue.sites()["groin"]
    assert (groin.lateral, groin.cls, groin.region) == (True, "proximal", "trunk")
    assert "groin" in bodymap.covers("trunk")  # a trunk lesion, part not stated, may be in the groin


def test_the_groin_lies_on_the_inguinal_fold_and_a_click_there_picks_it():
    v = bodymap.view("front")
    for side in ("left", "right"):
        assert bodymap.primary_view("groin", side) == "front"
        x, y = bodymap.marker_point(v, "groin", side)
        assert bodymap.hit_test(v, x, y).site == "groin"
        # between the abdomen above and the thigh below, as the fold is
        abdomen = next(r for r in v.regions if r.site == "abdomen")
        thigh = next(r for r in v.regions if r.site == "thigh-anterior" and r.laterality == side)
        assert abdomen.contains(x, y) or thigh.contains(x, y)
    # the patient's left groin is on the viewer's right (the patient faces you)
    assert bodymap.marker_point(v, "groin", "left")[0] > v.width / 2 > bodymap.marker_point(v, "groin", "right")[0]


def test_clicking_the_groin_on_the_body_map_picks_it(widget, qtbot):  # noqa: F811 (the fixture)
    w = widget
    w.set_view("front")
    with qtbot.waitSignal(w.regionClicked, timeout=1000) as sig:
        qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=w.point_for("front", "groin", "left"))
    assert sig.args == ["groin", "left"]


def _pantanowitz() -> Case:
    pres = Event(id="e-adm", kind="presentation",
                 description="Admitted for painful necrotising abdominal and left groin wounds.")
    return Case(
        title="Cutaneous gangrene in a renal dialysis patient (Pantanowitz et al. 2001, synthetic entry)",
        patient=Patient(age_years=54, sex="male", dialysis_modality="haemodialysis"),
        events=[pres], index_event_id="e-adm",
        lesions=[
            Lesion(id="l-abd", site="abdomen", site_detail="lower abdominal wall", onset=When(event_id="e-adm"),
                   description="Large, tender, erythematous and ulcerating subcutaneous masses.",
                   observations=[Observation(morphology=["erythema", "ulcer"], pain="present")]),
            Lesion(id="l-groin", site="groin", laterality="left", onset=When(event_id="e-adm"),
                   description="Necrotising wound.",
                   observations=[Observation(morphology=["necrosis"], pain="present")]),
        ])


def test_a_groin_lesion_in_the_manuscript_and_the_exports():
    case = _pantanowitz()
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    cells = [c.text for t in docx.Document(io.BytesIO(buf.getvalue())).tables for r in t.rows for c in r.cells]
    assert "groin, left" in cells
    # REDCap codes the site with the number the catalogue gives it (71, locked in redcap_codes_lock.json)
    rows = case_rows(case)
    assert any("71" in row.values() for row in rows)


def test_a_groin_lesion_counts_as_proximal_for_the_assessment():
    # domain file §3: proximal (central, adipose) sites, 1-year mortality 48% against 20% for distal
    case = _pantanowitz()
    case.lesions = [l for l in case.lesions if l.site == "groin"]  # the groin alone
    found = next(f for f in assess(case).findings if f.rule_id == "site-proximal")
    assert "groin" in found.message
