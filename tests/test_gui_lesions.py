"""The Lesions section with the real body map: the demo's lesions, a click on the left index finger
pad, the keyboard site picker, observations with the core's area and PUSH, photos attached through
the file-dialog path and by drag-and-drop (metadata stripped, EXIF orientation applied), and undo.
Every save is checked in the library file (reopened read-only)."""
from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.gui.session import CaseSession
from desktop.gui.sections.lesions import LesionsSection
from desktop.store.library import create_library

from gui_helpers import click_check, demo_section, drag_enter, stored, type_into


@pytest.fixture
def lib_path(tmp_path):
    return tmp_path / "lesions.casebook"


@pytest.fixture
def section(qtbot, lib_path):
    with demo_section(qtbot, lib_path, LesionsSection, (1100, 850)) as w:
        yield w


def list_texts(w) -> list[str]:
    return [w.list.item(i).text() for i in range(w.list.count())]


def pick(qtbot, combo, data) -> None:
    target = combo.findData(data)
    assert target >= 0, data
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(target):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentIndex() == target


def phone_photo(path, size=(60, 40)):
    """A JPEG as a phone writes it: EXIF with GPS position, maker and Orientation=6 (rotate 90° CW).
    Its top-left corner is red, so the rotation can be seen in the pixels."""
    im = Image.new("RGB", size, "white")
    im.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 13.0, 0.0), 3: "E", 4: (13.0, 24.0, 0.0)}
    im.save(path, "JPEG", exif=exif.tobytes())
    assert Image.open(path).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture really carries GPS
    return path


def assert_clean_and_upright(data: bytes, original_size=(60, 40)):
    im = Image.open(io.BytesIO(data))
    assert im.size == (original_size[1], original_size[0])  # turned by the orientation tag
    assert dict(im.getexif()) == {} and not im.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in im.info and "xmp" not in im.info
    r, g, b = im.convert("RGB").getpixel((im.width - 5, 5))  # red corner now top right
    assert r > 200 and g < 60 and b < 60


def test_demo_lesions_are_listed_and_marked(section):
    texts = list_texts(section)
    assert len(texts) == 4
    assert texts[0].startswith("1") and "glans penis" in texts[0]
    assert "finger pad, which finger not stated" in texts[1]
    assert "left third toe" in texts[2]
    # the first lesion is selected, its view shown with its numbered marker
    assert section.title.text() == "Lesion 1: glans penis"
    assert section.bodymap.current_view() == "genitalia"
    assert section.bodymap.marker_pos("lesion-glans") is not None
    section.select_lesion("lesion-left-third-toe")
    assert section.bodymap.current_view() == "feet"
    assert section.bodymap.marker_pos("lesion-left-third-toe") is not None
    assert section.site.value() == "toe-3" and section.laterality.value() == "left"
    assert section.site_detail.text() == "distal"
    assert "gangrene" in section.obs_table.model.data(section.obs_table.model.index(0, 4))


def test_click_left_index_finger_pad_records_a_lesion_there(qtbot, section, lib_path):
    case_id = section.session.case_id
    bm = section.bodymap
    pt = bm.point_for("hands", "finger-2-pad", "left")
    qtbot.mouseClick(bm, Qt.MouseButton.LeftButton, pos=pt)

    lesions = stored(lib_path, case_id, figures=False).lesions
    assert len(lesions) == 5
    new = lesions[-1]
    assert (new.site, new.laterality) == ("finger-2-pad", "left")
    assert section.selected_lesion_id() == new.id
    assert section.title.text() == "Lesion 5: left index finger pad"
    assert list_texts(section)[-1].startswith("5") and "left index finger pad" in list_texts(section)[-1]
    marker = bm.marker_pos(new.id)
    assert marker is not None and (marker - pt).manhattanLength() < 40

    # a second click on the same pad selects that lesion; it records nothing new
    section.select_lesion("lesion-glans")
    pt = bm.point_for("hands", "finger-2-pad", "left")
    qtbot.mouseClick(bm, Qt.MouseButton.LeftButton, pos=pt)
    assert len(stored(lib_path, case_id, figures=False).lesions) == 5
    assert section.selected_lesion_id() == new.id

    # the right index finger pad is another lesion
    qtbot.mouseClick(bm, Qt.MouseButton.LeftButton, pos=bm.point_for("hands", "finger-2-pad", "right"))
    lesions = stored(lib_path, case_id, figures=False).lesions
    assert [(l.site, l.laterality) for l in lesions[-2:]] == [("finger-2-pad", "left"), ("finger-2-pad", "right")]

    # undo takes the last one away again, redo brings it back
    section.session.undo_stack.undo()
    assert len(stored(lib_path, case_id, figures=False).lesions) == 5
    assert len(list_texts(section)) == 5
    section.session.undo_stack.redo()
    assert len(stored(lib_path, case_id, figures=False).lesions) == 6


def test_site_picker_chooses_from_the_keyboard(qtbot, section, lib_path):
    picker = section.picker
    picker.site_box.setFocus()
    qtbot.keyClicks(picker.site_box.lineEdit(), "buttock (trunk)")
    pick(qtbot, picker.side_box, "right")
    qtbot.mouseClick(picker.button, Qt.MouseButton.LeftButton)
    les = stored(lib_path, section.session.case_id, figures=False).lesions[-1]
    assert (les.site, les.laterality) == ("buttock", "right")
    assert section.title.text() == "Lesion 5: right buttock"
    assert section.bodymap.current_view() == "back"


def test_lesion_fields_save_and_bad_input_is_refused(qtbot, section, lib_path):
    case_id = section.session.case_id
    section.select_lesion("lesion-left-third-toe")
    type_into(qtbot, section.cause, "pressure from footwear")
    pick(qtbot, section.iatrogenic, "no")
    les = stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe")
    assert les.cause == "pressure from footwear" and les.iatrogenic == "no"

    type_into(qtbot, section.count, "0")
    assert section.error.message() == "Count: must be at least 1"
    assert stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").count == 1
    type_into(qtbot, section.count, "2")
    assert section.error.message() == ""
    assert stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").count == 2


def test_observation_with_sizes_gets_area_and_push_from_the_core(qtbot, section, lib_path):
    case_id = section.session.case_id
    section.select_lesion("lesion-left-third-toe")
    section.tabs.setCurrentIndex(1)
    qtbot.mouseClick(section.obs_table.add_button, Qt.MouseButton.LeftButton)
    les = stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe")
    assert len(les.observations) == 2
    obs_id = les.observations[1].id
    assert section.selected_observation_id() == obs_id
    o = section.obs_fields
    # a new observation starts empty (issue 16): no time copied from the one before; date it
    assert not les.observations[1].when.is_set and o["when"].mode.currentData() == "none"
    pick(qtbot, o["when"].mode, "relative")
    type_into(qtbot, o["when"].amount, "7")
    type_into(qtbot, o["length_mm"], "20")
    type_into(qtbot, o["width_mm"], "15")
    pick(qtbot, o["exudate_amount"], "moderate")
    pick(qtbot, o["tissue_type"], "slough")
    click_check(qtbot, section.morph_boxes["ulcer"])
    pick(qtbot, o["bwat.necrotic_tissue_type"], 4)
    type_into(qtbot, o["pain_0_10"], "7")

    ob = stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").observations[1]
    assert (ob.length_mm, ob.width_mm, ob.exudate_amount, ob.tissue_type) == (20.0, 15.0, "moderate", "slough")
    assert ob.morphology == ["ulcer"] and ob.bwat.necrotic_tissue_type == 4 and ob.pain_0_10 == 7

    # 20 × 15 mm = 3.00 cm² -> PUSH area 5; exudate moderate 2; slough 3 -> total 10 (domain file §6)
    text = section.derived_label.text()
    assert "Area 3.00 cm² (length × width)" in text
    assert "PUSH 3.0 total 10 of 17 (length × width 5 of 10, exudate amount 2 of 3, tissue type 3 of 4)" in text
    assert "BWAT" not in text  # never a BWAT total
    row = section.obs_table.items().index(next(x for x in section.obs_table.items() if x.id == obs_id))
    model = section.obs_table.model
    assert model.data(model.index(row, 2)) == "3.00 cm²" and model.data(model.index(row, 3)) == "10 / 17"

    # the chart shows the area and the PUSH total, with units on the axes
    section.tabs.setCurrentIndex(3)
    assert "Area, length × width (cm²)" in section.chart.series_names()
    assert "PUSH 3.0 total (points, 0–17)" in section.chart.series_names()
    assert "Area (cm²)" in section.chart.axis_titles()
    section.tabs.setCurrentIndex(1)

    # out of range sizes and pain are refused inline
    type_into(qtbot, o["length_mm"], "5000")
    assert section.obs_error.message() == "Length: must be between 0 and 1000 mm; got 5000.0"
    type_into(qtbot, o["pain_0_10"], "11")
    assert "must be 0 to 10" in section.obs_error.message()
    ob = stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").observations[1]
    assert (ob.length_mm, ob.pain_0_10) == (20.0, 7)

    # deleting the observation, and undoing that
    section.delete_observation(obs_id)
    assert len(stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").observations) == 1
    section.session.undo_stack.undo()
    assert len(stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").observations) == 2


def test_photos_attach_by_path_and_by_drop_without_metadata(qtbot, section, lib_path, tmp_path):
    case_id = section.session.case_id
    section.select_lesion("lesion-left-third-toe")
    first = phone_photo(tmp_path / "toe.jpg")
    added = section.attach_photos([first])  # the file dialog's path
    assert len(added) == 1
    case = stored(lib_path, case_id, figures=True)
    m = next(x for x in case.figures if x.id == added[0])
    assert m.lesion_id == "lesion-left-third-toe" and m.mime == "image/jpeg"
    assert (m.width_px, m.height_px) == (40, 60)
    assert_clean_and_upright(m.data)
    assert section.photos.list.count() == 1
    assert section.tabs.tabText(2) == "&Figures (1)"

    # drag-and-drop of an image file onto the lesion panel
    second = phone_photo(tmp_path / "toe-2.jpg")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(second)), QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    enter = drag_enter(mime)
    QApplication.sendEvent(section.panel, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(section.panel, drop)
    case = stored(lib_path, case_id, figures=True)
    photos = [x for x in case.figures if x.lesion_id == "lesion-left-third-toe"]
    assert len(photos) == 2
    assert_clean_and_upright(photos[1].data)

    # a drag without images is not taken
    other = QMimeData()
    other.setText("not a file")
    enter = drag_enter(other)
    QApplication.sendEvent(section.panel, enter)
    assert not enter.isAccepted()

    # caption and the identifying mark, edited on the strip
    strip = section.photos
    item = strip.list.item(0)
    item.setText("Gangrenous distal left third toe")
    click_check(qtbot, strip.identifying)
    m = next(x for x in stored(lib_path, case_id, figures=False).figures if x.id == added[0])
    assert m.caption == "Gangrenous distal left third toe" and m.identifying is True

    # a file that is not an image is refused with a message naming it
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not really a jpeg")
    shown = []
    strip.problems.disconnect()
    strip.problems.connect(shown.extend)
    assert section.attach_photos([bad]) == []
    assert shown and shown[0].startswith("broken.jpg: ")
    assert len([x for x in stored(lib_path, case_id, figures=False).figures if x.lesion_id]) == 2


def test_deleting_a_lesion_asks_and_unlinks_its_photos(qtbot, section, lib_path, tmp_path, monkeypatch):
    case_id = section.session.case_id
    section.select_lesion("lesion-left-third-toe")
    [mid] = section.attach_photos([phone_photo(tmp_path / "toe.jpg")])
    asked = []

    def answer(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", answer)
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    assert asked and "left third toe" in asked[0] and "its photo stays in Figures" in asked[0]
    case = stored(lib_path, case_id, figures=False)
    assert case.lesion("lesion-left-third-toe") is None
    assert next(m for m in case.figures if m.id == mid).lesion_id is None
    assert len(list_texts(section)) == 3
    # one undo step restores the lesion and the photo's link
    section.session.undo_stack.undo()
    case = stored(lib_path, case_id, figures=False)
    assert case.lesion("lesion-left-third-toe") is not None
    assert next(m for m in case.figures if m.id == mid).lesion_id == "lesion-left-third-toe"


def test_focus_ref_selects_lesion_and_observation(section):
    assert section.focus_ref("lesions/lesion-left-third-toe/observations/obs-left-third-toe-admission")
    assert section.selected_lesion_id() == "lesion-left-third-toe"
    assert section.selected_observation_id() == "obs-left-third-toe-admission"
    assert section.tabs.currentIndex() == 1
    assert section.focus_ref("lesions/lesion-glans")
    assert section.selected_lesion_id() == "lesion-glans" and section.tabs.currentIndex() == 0
    assert section.focus_ref("$.lesions[1].site_detail")
    assert section.selected_lesion_id() == "lesion-finger-pads"
    assert not section.focus_ref("labs/lab-calcium")
    assert not section.focus_ref("lesions/none-such")


def test_the_section_opens_on_something_to_read_and_fits_a_narrow_panel(qtbot, section):
    # the first lesion and its first observation are shown, not an empty form
    assert section.selected_observation_id() == section.lesion().observations[0].id
    section.tabs.setCurrentIndex(1)
    qtbot.waitUntil(section.obs_box.isVisible)
    assert not section.obs_placeholder.isVisible()
    # the observation table keeps When, Size, Area, PUSH and Morphology in a narrow panel: Tissue and
    # Pain (shown in the form under it) give way, and nothing scrolls sideways
    section.resize(660, 800)  # as wide as the centre pane of a 1400 × 900 window
    view = section.obs_table.view
    qtbot.waitUntil(lambda: view.isColumnHidden(5) and view.isColumnHidden(6))
    assert not view.horizontalScrollBar().isVisible()
    assert not section.obs_scroll.horizontalScrollBar().isVisible()
    assert section.obs_scroll.widget().width() <= section.obs_scroll.viewport().width()
    heads = [section.obs_table.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert heads == ["When", "Size", "Area", "PUSH", "Morphology", "Tissue", "Pain"]
    tip = section.obs_table.model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "cm²" in tip  # the short title's unit, in its tooltip (and in the cells)
    section.resize(1400, 800)
    qtbot.waitUntil(lambda: not view.isColumnHidden(6))
    # the chart of a lesion without sizes says what to record instead of drawing empty axes
    section.tabs.setCurrentIndex(3)
    qtbot.waitUntil(section.chart.isVisible)
    assert section.chart.axis_titles() == []
    assert "length and width in mm" in section.chart.empty_message


def test_a_case_without_lesions_says_how_to_record_one(qtbot, tmp_path):
    from desktop.model import Case
    lib = create_library(tmp_path / "empty.casebook")
    try:
        w = LesionsSection(CaseSession(lib, lib.add_case(Case(title="A new case"))))
        qtbot.addWidget(w)
        w.show()
        assert not w.tabs.isVisible() and w.empty.isVisible()
        assert "Click the body map" in w.empty.text() and "Choose site" in w.empty.text()
        # directly under the title, not halfway down the panel
        assert w.empty.geometry().top() - w.title.geometry().bottom() < 20
        w.close()
    finally:
        lib.close()


def test_sizes_typed_in_cm_or_mm_as_printed(qtbot, section, lib_path):
    """Robinson et al., Arch Dermatol 2007: "On his left thigh, there was a 2.5-cm × 4.0-mm linear
    hemorrhagic crust". Each size typed as printed is stored in mm (25 and 4); a unit the field does
    not read is refused, naming the ones it does."""
    case_id = section.session.case_id
    section.select_lesion("lesion-left-third-toe")
    section.tabs.setCurrentIndex(1)
    qtbot.mouseClick(section.obs_table.add_button, Qt.MouseButton.LeftButton)
    o = section.obs_fields
    type_into(qtbot, o["length_mm"], "2.5-cm")
    type_into(qtbot, o["width_mm"], "4.0-mm")
    ob = stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").observations[-1]
    assert (ob.length_mm, ob.width_mm) == (25.0, 4.0)
    assert o["length_mm"].text() == "25"  # the field shows what is stored, in its unit
    type_into(qtbot, o["depth_mm"], "0.3 cm")
    assert stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").observations[-1].depth_mm == 3.0
    type_into(qtbot, o["width_mm"], "2 in")
    assert section.obs_error.message() == "Width in mm: 'in' is not a unit this field reads (mm, cm)"
    assert stored(lib_path, case_id, figures=False).lesion("lesion-left-third-toe").observations[-1].width_mm == 4.0
