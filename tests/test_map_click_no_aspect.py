"""A click on the body map records a thigh or a lower leg without its aspect.

PMC3267275 ("three large and painful ulcers on her left lower leg"), entered under Xvfb: the click on
the left lower leg of the front view recorded "lower leg, anterior (shin)" and the manuscript printed
it, an aspect the source never gives — the view shows one side of the limb, so the click cannot tell.
Published reports mostly name the thigh or the leg without one; the aspect, when a source gives it,
is chosen under Site, and a lesion recorded at an aspect is still selected by a click on it.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt

from desktop import catalogue
from desktop.gui.sections.lesions import LesionsSection
from desktop.model import Case, Lesion

from gui_helpers import case_section

CASES = Path(__file__).parent / "cases"


def click(qtbot, section, view: str, site: str, side: str) -> None:
    pos = section.bodymap.point_for(view, site, side)
    qtbot.mouseClick(section.bodymap, Qt.MouseButton.LeftButton, pos=pos)


def test_a_click_on_a_limb_records_it_without_the_aspect_the_view_shows(qtbot, tmp_path):
    calf = Lesion(site="calf", laterality="right")  # a source that says "right calf"
    case = Case(title="Leg ulcers: a case report", lesions=[calf])
    with case_section(qtbot, tmp_path / "click.casebook", LesionsSection, case) as (w, read_back):
        click(qtbot, w, "front", "shin", "left")
        click(qtbot, w, "front", "thigh-medial", "right")
        click(qtbot, w, "back", "calf", "right")  # the calf recorded: selected, not recorded again
        sites = [(l.site, l.laterality) for l in read_back().lesions]
        assert sites == [("calf", "right"), ("lower-leg", "left"), ("thigh", "right")]
        assert w.lesion().id == calf.id
        click(qtbot, w, "front", "shin", "left")  # the lower leg recorded: selected
        assert len(read_back().lesions) == 3 and w.lesion().site == "lower-leg"


def test_the_public_set_gives_thighs_and_legs_mostly_without_their_aspect():
    """The reason (sites.json, 'map_click'): in the published cases of tests/cases."""
    sites = Counter(l["site"] for p in CASES.glob("*.json") if not p.name.endswith(".expected.json")
                    for l in json.loads(p.read_text("utf-8"))["lesions"])
    without = sites["thigh"] + sites["leg"] + sites["lower-leg"]
    with_one = sum(sites[s] for s in ("thigh-anterior", "thigh-posterior", "thigh-medial", "thigh-lateral",
                                      "shin", "calf"))
    assert (without, with_one) == (21, 5)
    assert "21 to 5" in catalogue.load_json("catalogues", "sites.json")["coarse_description"]
    assert catalogue.map_click_sites() == {"thigh-anterior": "thigh", "thigh-posterior": "thigh",
                                           "thigh-medial": "thigh", "shin": "lower-leg", "calf": "lower-leg"}
