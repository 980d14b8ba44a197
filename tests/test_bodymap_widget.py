"""The body map widget and the site picker, as real Qt widgets (offscreen)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from desktop import bodymap
from desktop.gui.bodymap_widget import MARKER, MARKER_RADIUS, SELECTED, BodyMapWidget, SitePicker


@pytest.fixture
def widget(qtbot):
    w = BodyMapWidget()
    qtbot.addWidget(w)
    w.resize(420, 720)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_clicking_the_left_index_finger_pad_picks_that_site_and_side(widget, qtbot):
    pos = widget.point_for("hands", "finger-2-pad", "left")
    assert widget.current_view() == "hands"
    with qtbot.waitSignal(widget.regionClicked, timeout=1000) as sig:
        qtbot.mouseClick(widget, Qt.LeftButton, pos=pos)
    assert sig.args == ["finger-2-pad", "left"]


def test_front_view_puts_the_patients_left_on_the_viewers_right(widget, qtbot):
    widget.set_view("front")
    # a click right of the midline, at chest height, is the patient's left breast
    v = bodymap.view("front")
    x, y = bodymap.marker_point(v, "breast", "left")
    assert x > v.width / 2
    pos = widget.point_for("front", "breast", "left")
    assert pos.x() > widget.width() / 2
    with qtbot.waitSignal(widget.regionClicked, timeout=1000) as sig:
        qtbot.mouseClick(widget, Qt.LeftButton, pos=pos)
    assert sig.args == ["breast", "left"]


def test_a_click_outside_the_body_picks_nothing(widget, qtbot):
    widget.set_view("front")
    with qtbot.assertNotEmitted(widget.regionClicked):
        qtbot.mouseClick(widget, Qt.LeftButton, pos=QPoint(8, widget.height() - 8))


def _hover(widget, pos: QPoint) -> None:
    ev = QMouseEvent(QMouseEvent.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)), Qt.NoButton,
                     Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(widget, ev)


def test_hovering_names_the_site_and_the_patients_side(widget):
    _hover(widget, widget.point_for("hands", "finger-2-pad", "left"))
    assert widget.toolTip() == "left index finger pad"
    _hover(widget, widget.point_for("back", "hand-dorsum", "right"))
    assert widget.toolTip() == "back of the right hand"
    _hover(widget, QPoint(3, widget.height() - 3))
    assert widget.toolTip() == ""


def _marker_pixels(img: QImage, centre: QPoint, colour: QColor, radius: int) -> int:
    n = 0
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            c = img.pixelColor(centre.x() + dx, centre.y() + dy)
            if abs(c.red() - colour.red()) + abs(c.green() - colour.green()) + abs(c.blue() - colour.blue()) < 40:
                n += 1
    return n


def test_lesions_are_drawn_as_numbered_markers(widget):
    widget.set_view("genitalia")
    centre = widget.point_for("genitalia", "glans-penis", "midline")
    before = widget.grab().toImage()
    assert _marker_pixels(before, centre, MARKER, int(MARKER_RADIUS)) == 0
    widget.set_lesions([(1, "glans-penis", "midline", "les-glans"), (2, "toe-3", "left", "les-toe")])
    assert widget.marker_pos("les-toe") is None  # not on this view
    pos = widget.marker_pos("les-glans")
    assert (pos - centre).manhattanLength() <= 1
    img = widget.grab().toImage()
    assert _marker_pixels(img, pos, MARKER, int(MARKER_RADIUS)) > 60
    widget.set_view("feet")
    assert widget.marker_pos("les-toe") is not None


def test_the_selected_lesion_is_ringed(widget):
    widget.set_view("front")
    widget.set_lesions([(1, "abdomen", "midline", "les-a")])
    pos = widget.marker_pos("les-a")
    ring = int(MARKER_RADIUS + 4)
    assert _marker_pixels(widget.grab().toImage(), pos, SELECTED, ring) == 0
    widget.set_selected("les-a")
    assert _marker_pixels(widget.grab().toImage(), pos, SELECTED, ring) > 20


def test_clicking_a_marker_selects_its_lesion_not_the_region(widget, qtbot):
    widget.set_view("hands")
    widget.set_lesions([(7, "palm", "right", "les-palm")])
    pos = widget.marker_pos("les-palm")
    with qtbot.assertNotEmitted(widget.regionClicked):
        with qtbot.waitSignal(widget.lesionClicked, timeout=1000) as sig:
            qtbot.mouseClick(widget, Qt.LeftButton, pos=pos)
    assert sig.args == ["les-palm"]
    _hover(widget, pos)
    assert widget.toolTip() == "Lesion 7: right palm"


def test_markers_stay_crisp_at_200_percent(widget):
    widget.set_view("front")
    widget.set_lesions([(3, "abdomen", "midline", "les-a")])
    img = QImage(widget.size() * 2, QImage.Format_ARGB32)
    img.setDevicePixelRatio(2)
    img.fill(0)
    widget.render(img)
    pos = widget.marker_pos("les-a")
    # the marker covers about four times the device pixels of a 100% rendering
    assert _marker_pixels(img, pos * 2, MARKER, int(MARKER_RADIUS * 2)) > 4 * 60


def test_keyboard_moves_between_regions_and_enter_chooses(widget, qtbot):
    widget.set_view("genitalia")
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key_Right)
    first = bodymap.view("genitalia").regions[0]
    assert widget.accessibleDescription() == bodymap.site_text(first.site, first.laterality)
    with qtbot.waitSignal(widget.regionClicked, timeout=1000) as sig:
        qtbot.keyClick(widget, Qt.Key_Return)
    assert sig.args == [first.site, first.laterality]
    qtbot.keyClick(widget, Qt.Key_PageUp)
    assert widget.current_view() == "feet"


def test_site_picker_chooses_a_site_and_side_from_the_keyboard(qtbot):
    picker = SitePicker()
    qtbot.addWidget(picker)
    picker.show()
    assert picker.site_box.accessibleName() == "Site"
    assert picker.side_box.accessibleName() == "Side (the patient's)"
    assert not picker.button.isEnabled()
    qtbot.keyClicks(picker.site_box.lineEdit(), "index finger pad")
    assert picker.current_site() == "finger-2-pad" and picker.side_box.isEnabled()
    assert picker.side_box.currentData() == "unspecified"  # no side until the author picks one
    picker.side_box.setFocus()
    qtbot.keyClick(picker.side_box, Qt.Key_R)  # side not stated -> right, as a keyboard user picks it
    with qtbot.waitSignal(picker.regionClicked, timeout=1000) as sig:
        qtbot.keyClick(picker.button, Qt.Key_Space)
    assert sig.args == ["finger-2-pad", "right"]


def test_site_picker_offers_internal_organs_without_a_side(qtbot):
    picker = SitePicker()
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.site_box.lineEdit(), "Lung")
    assert picker.current_site() == "lung" and not picker.side_box.isEnabled()
    with qtbot.waitSignal(picker.regionClicked, timeout=1000) as sig:
        qtbot.mouseClick(picker.button, Qt.LeftButton)
    assert sig.args == ["lung", "unspecified"]
    picker.site_box.lineEdit().clear()
    qtbot.keyClicks(picker.site_box.lineEdit(), "glans penis")
    with qtbot.waitSignal(picker.regionClicked, timeout=1000) as sig:
        qtbot.mouseClick(picker.button, Qt.LeftButton)
    assert sig.args == ["glans-penis", "midline"]
    picker.site_box.lineEdit().clear()
    qtbot.keyClicks(picker.site_box.lineEdit(), "no such place")
    assert picker.current_site() is None and not picker.button.isEnabled()
