"""The body map's drawings and geometry (desktop/bodymap.py, resources/bodymap/), without Qt."""
from __future__ import annotations

import json
import runpy

import pytest

from desktop import bodymap, catalogue

BODY_SITES = [s for s in catalogue.sites().values() if s.cls != "visceral"]


def sides(site) -> list[str]:
    return ["left", "right"] if site.lateral else ["midline"]


@pytest.mark.parametrize("site", BODY_SITES, ids=lambda s: s.code)
def test_every_body_site_has_a_region_on_each_side(site):
    for side in sides(site):
        found = bodymap.region_for(site.code, side)
        assert found, f"no region for {site.code} ({side})"
        assert all(r.site == site.code and r.laterality == side for _, r in found)


def test_internal_organs_have_no_region_and_no_view_draws_an_unknown_site():
    for s in catalogue.sites().values():
        if s.cls == "visceral":
            assert bodymap.region_for(s.code, "unspecified") == []
            assert bodymap.primary_view(s.code, "unspecified") is None
    known = set(catalogue.sites())
    assert {r.site for v in bodymap.views() for r in v.regions} <= known


def test_views_in_display_order_with_orientation_stated():
    names = [v.name for v in bodymap.views()]
    assert names == ["front", "back", "hands", "feet", "genitalia"]
    for v in bodymap.views():
        assert "left" in v.orientation and "right" in v.orientation, v.name
        assert v.width > 0 and v.height > 0


@pytest.mark.parametrize("name", bodymap.VIEW_ORDER)
def test_hit_test_at_each_marker_point_returns_that_region(name):
    v = bodymap.view(name)
    for r in v.regions:
        x, y = bodymap._inner_point(v, r)
        assert bodymap.hit_test(v, x, y) is r, f"{name}: {r} marker point hits {bodymap.hit_test(v, x, y)}"
        assert 0 <= x <= v.width and 0 <= y <= v.height


def test_marker_point_is_stable_and_inside():
    p1 = bodymap.marker_point("hands", "finger-2-pad", "left")
    bodymap.view("hands")._markers.clear()
    p2 = bodymap.marker_point("hands", "finger-2-pad", "left")
    assert p1 == p2
    r = bodymap.hit_test("hands", *p1)
    assert (r.site, r.laterality) == ("finger-2-pad", "left")


def test_nested_regions_the_smallest_wins():
    x, y = bodymap.marker_point("front", "breast", "left")
    chest = next(r for r in bodymap.view("front").regions if r.site == "chest")
    assert chest.contains(x, y)  # the breast lies on the chest ...
    assert bodymap.hit_test("front", x, y).site == "breast"  # ... and is what a click there picks
    assert bodymap.hit_test("front", -10, -10) is None


def _x(view, site, side):
    return bodymap.marker_point(view, site, side)[0]


@pytest.mark.parametrize("view,site,left_on_viewer_right", [
    ("front", "breast", True), ("front", "palm", True), ("front", "thigh-anterior", True),
    ("front", "foot-dorsum", True),
    ("back", "buttock", False), ("back", "hand-dorsum", False), ("back", "calf", False), ("back", "heel", False),
    ("hands", "finger-2-pad", True), ("hands", "palm", True), ("hands", "finger-pad", True),  # palms face you
    ("hands", "finger-2", False), ("hands", "hand-dorsum", False),  # backs seen from behind
    ("feet", "sole", True), ("feet", "heel", True),  # soles face you
    ("feet", "foot-dorsum", False), ("feet", "toe", False),  # tops seen from above
])
def test_left_and_right_are_the_patients(view, site, left_on_viewer_right):
    assert (_x(view, site, "left") > _x(view, site, "right")) == left_on_viewer_right


def test_front_view_mirrors_left_and_right_and_labels_them():
    v = bodymap.view("front")
    for r in v.regions:
        if r.laterality != "left":
            continue
        other = next(o for o in v.regions if o.site == r.site and o.laterality == "right")
        assert r.bbox[0] == pytest.approx(v.width - other.bbox[2], abs=0.05)
        assert r.bbox[1] == pytest.approx(other.bbox[1], abs=0.05)
        assert r.area == pytest.approx(other.area, rel=1e-6)
        (lx, ly), (rx, ry) = bodymap._inner_point(v, r), bodymap._inner_point(v, other)
        assert lx == pytest.approx(v.width - rx, abs=0.05) and ly == pytest.approx(ry, abs=0.05)
    label_x = {l.text: l.x for l in v.labels}
    assert label_x["R"] < v.width / 2 < label_x["L"]
    back = {l.text: l.x for l in bodymap.view("back").labels}
    assert back["L"] < v.width / 2 < back["R"]


def test_thumb_is_on_the_outer_side_and_great_toe_inner():
    # palms facing you: the right hand's thumb (pad) lies further from the midline than its little finger
    assert _x("hands", "finger-1-pad", "right") < _x("hands", "finger-5-pad", "right")
    assert _x("hands", "finger-1-pad", "left") > _x("hands", "finger-5-pad", "left")
    # tops of the feet seen from above, the right foot on your right: the great toe lies medially,
    # towards the other foot (the earlier drawing had it on the outer side)
    assert _x("feet", "toe-1", "right") < _x("feet", "toe-5", "right")


def test_finger_pad_lies_at_the_fingertip():
    v = bodymap.view("hands")
    pad = next(r for r in v.regions if (r.site, r.laterality) == ("finger-3-pad", "left") and r.bbox[1] < 300)
    palm = next(r for r in v.regions if (r.site, r.laterality) == ("palm", "left"))
    assert pad.bbox[3] < palm.bbox[1]  # wholly above the palm: fingers point up
    tip = min(y for poly in pad.polygons for _, y in poly)
    others = [r for r in v.regions if r.bbox[3] < 380 and r.site != "finger-pad"]  # not the unnamed-pad target
    assert tip == pytest.approx(min(r.bbox[1] for r in others), abs=15)  # the middle fingertip is the top


def test_parse_path_accepts_the_subset_and_names_what_it_rejects():
    cmds = bodymap.parse_path("M 0 0 L 10 0 Q 10 10 0 10 C 0 8 0 2 0 0 Z")
    assert [op for op, _ in cmds] == ["M", "L", "Q", "C", "Z"]
    assert cmds[2] == ("Q", ((10.0, 10.0), (0.0, 10.0)))
    (poly,) = bodymap.flatten(bodymap.parse_path("M 0 0 L 10 0 L 10 10 L 0 10 Z"))
    assert poly[:4] == [(0, 0), (10, 0), (10, 10), (0, 10)]
    for bad, word in [("m 0 0 l 1 1", "'m'"), ("M 0 0 A 1 1 0 0 1 2 2", "'A'"), ("L 1 1", "start with M"),
                      ("M 0 0 C 1 1 2", "C needs 6 numbers")]:
        with pytest.raises(ValueError, match=word):
            bodymap.parse_path(bad)


def _write(tmp_path, regions):
    f = tmp_path / "test.json"
    f.write_text(json.dumps({"view": "test", "title": "Test", "width": 100, "height": 100, "outline": [],
                             "regions": regions}), encoding="utf-8")
    return f


def test_loading_checks_sites_against_the_catalogue(tmp_path):
    square = "M 0 0 L 10 0 L 10 10 L 0 10 Z"
    v = bodymap.load_view(_write(tmp_path, [{"site": "palm", "laterality": "left", "d": square}]))
    assert v.regions[0].area == pytest.approx(100)
    cases = [
        ({"site": "elbowz", "laterality": "left", "d": square}, "site 'elbowz' is not in"),
        ({"site": "palm", "laterality": "midline", "d": square}, "needs left or right"),
        ({"site": "face", "laterality": "left", "d": square}, "needs midline"),
        ({"site": "lung", "laterality": "midline", "d": square}, "visceral site 'lung'"),
        ({"site": "palm", "laterality": "left", "d": "M 0 0 H 10"}, "path: path command 'H'"),
        ({"site": "palm", "laterality": "left"}, "'d' is missing"),
    ]
    for region, message in cases:
        with pytest.raises(bodymap.BodyMapError, match=message) as e:
            bodymap.load_view(_write(tmp_path, [region]))
        assert "region 0" in str(e.value)


def test_site_text_says_the_patients_side():
    assert bodymap.site_text("finger-2-pad", "left") == "left index finger pad"
    assert bodymap.site_text("hand-dorsum", "right") == "back of the right hand"
    assert bodymap.site_text("sole", "left") == "sole of the left foot"
    assert bodymap.site_text("glans-penis", "midline") == "glans penis"


def test_markers_for_each_kind_of_lesion():
    lesions = [(1, "shin", "bilateral"), (2, "calf", "unspecified"), (3, "lung", "unspecified"),
               (4, "palm", "right"), (5, "palm", "right"), (6, "face", "left")]
    front = bodymap.place_markers("front", lesions, radius=8)
    by = {}
    for m in front:
        by.setdefault(m.number, []).append(m)
    assert [m.kind for m in by[1]] == ["exact", "exact"] and by[1][0].x < 230 < by[1][1].x
    assert 2 not in by  # the calf is drawn on the back view only
    assert by[3][0].kind == "unplaced" and by[3][0].region is None
    spot = bodymap.view("front").spot("unplaced")
    assert spot.x <= by[3][0].x <= spot.x + spot.w and spot.y <= by[3][0].y <= spot.y + spot.h
    assert by[4][0].y == by[5][0].y and abs(by[4][0].x - by[5][0].x) >= 16  # side by side, not on top
    assert by[6][0].region.site == "face"  # a side given for a midline site: the midline region
    back = bodymap.place_markers("back", lesions, radius=8)
    assert sorted(m.kind for m in back if m.number == 2) == ["side-unknown", "side-unknown"]
    assert not [m for m in back if m.number == 3]  # the box is on the front view only


def test_markers_show_once_when_the_views_shown_are_given():
    lesions = [(1, "palm", "left"), (2, "finger-2-pad", "left"), (3, "glans-penis", "midline")]
    everywhere = [m.number for m in bodymap.place_markers("hands", lesions, 8)]
    assert everywhere == [1, 2]
    shown = ["front", "hands", "genitalia"]
    assert [m.number for m in bodymap.place_markers("hands", lesions, 8, shown=shown)] == [2]
    assert [m.number for m in bodymap.place_markers("front", lesions, 8, shown=shown)] == [1]
    # a lesion whose view is not shown goes to the box of the front view
    assert [(m.number, m.kind) for m in bodymap.place_markers("front", lesions, 8, shown=["front"])] == \
        [(1, "exact"), (2, "unplaced"), (3, "unplaced")]


def test_markers_of_a_crowded_target_stay_inside_the_drawing():
    lesions = [(i, "finger-pad", "right") for i in range(1, 6)]
    v = bodymap.view("hands")
    for m in bodymap.place_markers(v, lesions, radius=20):
        assert 20 <= m.x <= v.width - 20


def test_perineum_goes_on_the_panel_of_the_patients_sex():
    male = bodymap.marker_point("genitalia", "perineum", "midline", "male")
    female = bodymap.marker_point("genitalia", "perineum", "midline", "female")
    v = bodymap.view("genitalia")
    mx, _, mw, _ = v.frame("male")
    fx, _, fw, _ = v.frame("female")
    assert mx <= male[0] <= mx + mw and fx <= female[0] <= fx + fw


def test_the_drawings_are_what_their_script_draws():
    """resources/bodymap/*.json are generated: a hand edit would be lost on the next run."""
    script = catalogue.resource_path("bodymap", "draw_bodymap.py")
    built = runpy.run_path(str(script))["build"]()
    for name, data in built.items():
        on_disk = json.loads(catalogue.resource_path("bodymap", f"{name}.json").read_text(encoding="utf-8"))
        assert on_disk == json.loads(json.dumps(data)), f"{name}.json differs from draw_bodymap.py's output"


# --- issue 14: digits on the whole-body figures -------------------------------------------------------

def _digit_outline(v, pt):
    """The closed outline shape (a finger, thumb or toe drawn as outline) that contains point pt."""
    found = [poly for cmds in v.outline if bodymap.is_closed(cmds)
             for poly in bodymap.flatten(cmds) if bodymap._in_polygon(poly, *pt)]
    assert len(found) == 1, f"{pt} lies in {len(found)} digit outlines of the {v.name} view"
    return found[0]


WHOLE_DIGITS = {"front": [f"finger-{n}-pad" for n in range(1, 6)] + [f"finger-{n}" for n in range(1, 6)]
                + [f"toe-{n}" for n in range(1, 6)],
                "back": [f"finger-{n}" for n in range(1, 6)]}


@pytest.mark.parametrize("name", ["front", "back"])
def test_on_the_whole_figure_each_digit_site_sits_on_its_own_digit_tip(name):
    v = bodymap.view(name)
    for side in ("left", "right"):
        owners = {}
        for site in WHOLE_DIGITS[name]:
            pt = bodymap.outline_point(v, site, side)
            assert pt is not None, f"no marker point for {side} {site} on the {name} view"
            poly = _digit_outline(v, pt)
            ys = [y for _, y in poly]
            # fingers point down on the whole figure: the point lies in the distal half (a toe, seen
            # end-on from the front, is a bump: inside it is at its tip)
            if site.startswith("finger"):
                assert pt[1] > (min(ys) + max(ys)) / 2, f"{side} {site}: {pt} is not at the tip of its finger"
            hand_or_foot = "foot-dorsum" if site.startswith("toe") else ("palm" if name == "front" else "hand-dorsum")
            region = next(r for r in v.regions if (r.site, r.laterality) == (hand_or_foot, side))
            assert not region.contains(*pt)  # on the digit, not on the hand or foot
            owners.setdefault(tuple(map(tuple, poly)), set()).add(site.removesuffix("-pad"))
        # a pad and the dorsum of one finger share its outline; no two digits share one
        assert all(len(names) == 1 for names in owners.values()), list(owners.values())


@pytest.mark.parametrize("name", ["front", "back"])
def test_whole_figure_thumbs_lateral_great_toes_medial_and_sides_as_labelled(name):
    v = bodymap.view(name)
    mid = v.width / 2

    def off(site, side):
        return abs(bodymap.outline_point(v, site, side)[0] - mid)

    for side in ("left", "right"):
        assert off("finger-1", side) > off("finger-5", side)  # thumb away from the body
        if name == "front":
            assert off("toe-1", side) < off("toe-5", side)  # great toe towards the other foot
            assert off("toe-1", side) < off("toe-2", side) < off("toe-3", side) < off("toe-4", side)
    # front: the patient's left on the viewer's right; back: on the viewer's left
    left_x = bodymap.outline_point(v, "finger-3", "left")[0]
    assert (left_x > mid) == (name == "front")


def test_the_whole_figure_puts_a_digit_lesion_on_its_digit_and_an_unnamed_one_on_the_hand():
    from desktop.report.bodymap_figure import _whole_figure_points
    v = bodymap.view("front")
    pts = _whole_figure_points(v, [(1, "toe-3", "left"), (2, "finger-2-pad", "unspecified"), (3, "finger-pad", "left")],
                               None)
    by = {}
    for number, x, y, hollow in pts:
        by.setdefault(number, []).append((x, y, hollow))
    assert by[1] == [(*bodymap.outline_point(v, "toe-3", "left"), False)]
    assert bodymap.outline_point(v, "toe-3", "left")[0] > v.width / 2  # the patient's left foot
    # side not stated: a hollow marker on the index finger of each hand
    assert sorted(by[2]) == sorted([(*bodymap.outline_point(v, "finger-2-pad", s), True) for s in ("left", "right")])
    # a pad the source does not name stays on the palm of that hand
    palm = next(r for r in v.regions if (r.site, r.laterality) == ("palm", "left"))
    assert len(by[3]) == 1 and palm.contains(by[3][0][0], by[3][0][1])
