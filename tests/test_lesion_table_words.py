"""A lesion's site and appearance are said once in the manuscript's lesion table.

Entering published cases through the window, authors type the source's words for the site into
Site detail as well as picking the site and side: "right thigh" for thigh (anterior), right, gave
"thigh, anterior, right (right thigh)". The detail is printed in brackets only when it adds
something the site and side do not say ("over the lateral malleolus", "posterior").

The Appearance cell printed the coded morphology and then the author's description that says the
same: "Ulcer, eschar, induration, violaceous discoloration; painful. An ulcer with eschar and
surrounding induration and violaceous discoloration." (Robinson et al., Arch Dermatol 2007; the
published case thighs-transplant-cinacalcet). A coded term the author's words in the cell already say is left out;
a term they do not say stays.
"""
from __future__ import annotations

import io

import docx

from desktop.demo import load_demo
from desktop.interop.docx import write_docx
from desktop.model import Lesion, Observation
from desktop.report.wording import site_text


def _lesion(site: str, laterality: str, detail: str) -> Lesion:
    return Lesion(site=site, laterality=laterality, site_detail=detail)


def test_a_detail_that_repeats_the_site_and_side_is_not_printed_again():
    assert site_text(_lesion("thigh-anterior", "right", "right thigh")) == "thigh, anterior, right"
    assert site_text(_lesion("thigh-anterior", "right", "Right anterior thigh")) == "thigh, anterior, right"
    assert site_text(_lesion("thigh-anterior", "bilateral", "bilateral thighs")) == "thigh, anterior, both sides"
    assert site_text(_lesion("calf", "left", "left calf")) == "lower leg, posterior (calf), left"


def test_a_detail_that_adds_something_stays():
    assert site_text(_lesion("thigh-anterior", "right", "distal third")) == "thigh, anterior, right (distal third)"
    # "posterior" says something the anterior site does not: kept, so the reader sees the conflict
    assert site_text(_lesion("thigh-anterior", "right", "posterior")) == "thigh, anterior, right (posterior)"
    assert site_text(_lesion("calf", "left", "left shin")) == "lower leg, posterior (calf), left (left shin)"


def test_the_manuscript_lesion_table_says_the_site_once():
    case = load_demo()
    case.lesions.append(Lesion(id="les-thigh", site="thigh-anterior", laterality="right", site_detail="right thigh",
                               description="Violaceous plaque"))
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    cells = [c.text for t in docx.Document(io.BytesIO(buf.getvalue())).tables for row in t.rows for c in row.cells]
    assert "thigh, anterior, right" in cells
    assert not any("(right thigh)" in c for c in cells)


def _appearance(case, lesion_id: str) -> str:
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    for t in docx.Document(io.BytesIO(buf.getvalue())).tables:
        if [c.text for c in t.rows[0].cells][:2] == ["No.", "Site"]:
            n = [l.id for l in case.lesions if l.nature == "calciphylaxis"].index(lesion_id) + 1
            return next(r.cells[3].text for r in t.rows[1:] if r.cells[0].text == str(n))
    raise AssertionError("no lesion table")


def _with(description: str, morphology: list[str], pain: str = "unknown") -> tuple:
    case = load_demo()
    case.lesions.append(Lesion(id="les-new", site="thigh-anterior", laterality="right", description=description,
                               observations=[Observation(morphology=morphology, pain=pain)]))
    return case, "les-new"


def test_coded_morphology_the_description_says_is_not_said_before_it():
    # Robinson et al. 2007: "An ulcer with eschar and surrounding induration and violaceous discoloration"
    text = "An ulcer with eschar and surrounding induration and violaceous discoloration."
    cell = _appearance(*_with(text, ["ulcer", "eschar", "induration", "violaceous_discolouration"], "present"))
    assert cell == "Painful. " + text  # British "discolouration" coded, American in the text: the same word
    # Miura et al. (thighs-ankle-long-vintage): "gangrenous" says gangrene, "ulcers" says ulcer
    text = "Clearly demarcated ulcers with yellow gangrenous tissue."
    assert _appearance(*_with(text, ["ulcer", "gangrene"])) == text
    # Miura et al.: "Intense pain and purpura in both lower thighs" says the lesion is painful
    text = "Intense pain and purpura in both lower thighs."
    assert _appearance(*_with(text, ["purpura"], "present")) == text


def test_coded_morphology_the_description_does_not_say_stays():
    cell = _appearance(*_with("A linear crust.", ["crust", "livedo"]))
    assert cell == "Livedo. A linear crust."
    cell = _appearance(*_with("Exquisitely tender thigh lesions.", ["necrosis"], "present"))
    assert cell == "Necrosis. Exquisitely tender thigh lesions."  # tender: painful is said
    cell = _appearance(*_with("Ulcer without pain at first, then necrosis.", ["ulcer", "necrosis"], "present"))
    assert cell == "Painful. Ulcer without pain at first, then necrosis."  # "without pain" does not say painful
