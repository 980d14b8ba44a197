"""A lesion whose source does not say where it is, entered through the window.

The letter "Synergy of sodium thiosulphate treatment and expanded haemodialysis" (Nefrologia 2022,
https://revistanefrologia.com/en-synergy-sodium-thiosulphate-treatment-expanded-articulo-S2013251422000918)
describes a 47-year-old woman on haemodialysis with "initially small and erythematous lesions that
progressed to being ulcerative, some of them were circular with a blackish centre, very painful",
and never says where they were. Nine cases of the public set have such lesions, but the window
offered no way to record one: every entry of the site picker, and every click on the body map, is a
place, so the author had to pick one the source does not give (and the manuscript would print it).
The picker now has "site not recorded", which records a lesion with no site and no side each time it
is chosen; the lesion's own Site field offers it too.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.gui.bodymap_widget import NO_SITE, SitePicker
from desktop.gui.sections.lesions import LesionsSection
from desktop.model import Case, Lesion

from gui_helpers import case_section


@pytest.fixture
def new_case(qtbot, tmp_path):
    case = Case(title="Calciphylaxis on haemodialysis: a case report", lesions=[Lesion(site="thigh", laterality="left")])
    with case_section(qtbot, tmp_path / "nosite.casebook", LesionsSection, case) as shown:
        yield shown


def choose_no_site(qtbot, picker: SitePicker) -> None:
    picker.site_box.lineEdit().clear()
    qtbot.keyClicks(picker.site_box.lineEdit(), "site not recorded")
    assert picker.current_site() == ""
    assert not picker.side_box.isEnabled()  # no site, no side
    assert picker.button.isEnabled()
    qtbot.mouseClick(picker.button, Qt.MouseButton.LeftButton)


def test_the_picker_records_a_lesion_without_a_site_each_time_it_is_chosen(qtbot, new_case):
    w, stored = new_case
    assert w.picker.site_box.findData(NO_SITE[0]) == 0  # first in the list, before every place
    choose_no_site(qtbot, w.picker)
    first = w.selected_lesion_id()
    choose_no_site(qtbot, w.picker)  # "some of them were circular with a blackish centre": a second entry
    second = w.selected_lesion_id()
    assert first != second
    lesions = {l.id: l for l in stored().lesions}
    assert [(lesions[i].site, lesions[i].laterality) for i in (first, second)] == [("", "unspecified")] * 2
    texts = [w.list.item(n).text() for n in range(w.list.count())]
    assert sum("site not recorded" in t for t in texts) == 2, texts
    assert w.site.currentText() == "site not recorded"  # the lesion's own form says so too


def test_a_place_chosen_by_mistake_can_be_taken_back_to_no_site(qtbot, new_case):
    w, stored = new_case
    thigh = stored().lesions[0].id
    w.select_lesion(thigh)
    assert w.site.currentData() == "thigh"
    w.site.setFocus()
    w.site.showPopup()
    w.site.view().setCurrentIndex(w.site.model().index(w.site.findData(""), 0))
    qtbot.keyClick(w.site.view(), Qt.Key.Key_Return)
    assert stored().lesion(thigh).site == ""
    assert w.list.currentItem().text().endswith("site not recorded")
