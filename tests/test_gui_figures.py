"""The Figures section: images added by path and by drop (metadata stripped), caption, link and
marks, reordering by buttons and by dragging in the list, and deletion that asks first. Every change
is checked in the library file (reopened read-only), and undone."""
from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from PySide6.QtCore import QModelIndex, QPointF, QMimeData, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.gui.sections.figures import FiguresSection

from gui_helpers import click_check, demo_section, drag_enter, stored


@pytest.fixture
def lib_path(tmp_path):
    return tmp_path / "figures.casebook"


@pytest.fixture
def section(qtbot, lib_path):
    with demo_section(qtbot, lib_path, FiguresSection, (900, 700)) as w:
        yield w


def photo(path, colour, size=(64, 48), orientation=None):
    im = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 13.0, 0.0)}
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    im.save(path, "JPEG", exif=exif.tobytes())
    return path


@pytest.fixture
def three(section, tmp_path):
    paths = [photo(tmp_path / f"{n}.jpg", c) for n, c in (("a", "red"), ("b", "green"), ("c", "blue"))]
    ids = section.add_images(paths)
    assert len(ids) == 3
    assert not section.empty_zone.isVisible() and section.splitter.isVisible()
    return ids


def test_demo_has_no_images_and_says_how_to_add_them(section):
    assert section.list.count() == 0
    assert section.empty.isVisible() and "drop them here" in section.empty.text()
    assert not section.delete_button.isEnabled() and not section.up_button.isEnabled()
    # a drop zone with its own button instead of an empty list beside a disabled form
    assert section.empty_zone.isVisible() and not section.splitter.isVisible()
    assert section.empty_add.isVisible() and section.empty_add.isEnabled()
    assert section.empty_add.accessibleName() == "Add images to the case"


def test_images_added_by_path_and_by_drop_lose_their_metadata(qtbot, section, lib_path, tmp_path, three):
    case_id = section.session.case_id
    case = stored(lib_path, case_id, figures=True)
    assert [m.id for m in case.figures] == three
    for m in case.figures:
        im = Image.open(io.BytesIO(m.data))
        assert dict(im.getexif()) == {} and (m.width_px, m.height_px) == (64, 48)
    assert section.list.count() == 3
    assert section.list.item(0).text().startswith("Figure 1\n(no caption)\nnot linked")
    # one undo step takes the three away (they came in together)
    section.session.undo_stack.undo()
    assert stored(lib_path, case_id).figures == []
    section.session.undo_stack.redo()
    assert len(stored(lib_path, case_id).figures) == 3

    # a drop on the section, with the orientation tag applied
    dropped = photo(tmp_path / "turned.jpg", "white", size=(64, 48), orientation=6)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    enter = drag_enter(mime)
    QApplication.sendEvent(section, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(section, QDropEvent(QPointF(30, 30), Qt.DropAction.CopyAction, mime,
                                               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    case = stored(lib_path, case_id, figures=True)
    assert len(case.figures) == 4
    last = case.figures[-1]
    assert (last.width_px, last.height_px) == (48, 64)
    assert not Image.open(io.BytesIO(last.data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert section.selected_id() == last.id


def test_caption_link_and_marks_are_saved(qtbot, section, lib_path, three):
    case_id = section.session.case_id
    section.select(three[1])
    section.caption.setFocus()
    qtbot.keyClicks(section.caption, "Necrotic ulcers with black eschar on the finger pads")
    section.caption.commit()  # what focus-out or 700 ms of quiet does
    m = next(x for x in stored(lib_path, case_id).figures if x.id == three[1])
    assert m.caption == "Necrotic ulcers with black eschar on the finger pads"

    link = section.link
    i = next(n for n in range(link.count()) if link.itemData(n) == ("lesion", "lesion-finger-pads"))
    assert link.itemText(i).startswith("Lesion 2: finger pad")
    link.setCurrentIndex(i)
    link.activated.emit(i)
    m = next(x for x in stored(lib_path, case_id).figures if x.id == three[1])
    assert (m.lesion_id, m.event_id, m.imaging_id) == ("lesion-finger-pads", None, None)
    i = next(n for n in range(link.count()) if link.itemData(n) == ("event", "ev-examination"))
    link.setCurrentIndex(i)
    link.activated.emit(i)
    m = next(x for x in stored(lib_path, case_id).figures if x.id == three[1])
    assert (m.lesion_id, m.event_id) == (None, "ev-examination")

    click_check(qtbot, section.identifying)
    click_check(qtbot, section.in_report)
    m = next(x for x in stored(lib_path, case_id).figures if x.id == three[1])
    assert m.identifying is True and m.in_report is False
    assert "no consent covering images" in section.consent_note.text()
    # figure numbers follow the report: the one left out has none, the next is Figure 2
    texts = [section.list.item(n).text().split("\n")[0] for n in range(3)]
    assert texts == ["Figure 1", "Not in the report · identifying", "Figure 2"]
    section.session.undo_stack.undo()
    assert next(x for x in stored(lib_path, case_id).figures if x.id == three[1]).in_report is True


def test_reorder_by_buttons_and_by_dragging(qtbot, section, lib_path, three):
    case_id = section.session.case_id
    a, b, c = three
    section.select(a)
    qtbot.mouseClick(section.down_button, Qt.MouseButton.LeftButton)
    assert [m.id for m in stored(lib_path, case_id).figures] == [b, a, c]
    assert section.selected_id() == a
    qtbot.mouseClick(section.down_button, Qt.MouseButton.LeftButton)
    assert [m.id for m in stored(lib_path, case_id).figures] == [b, c, a]
    assert not section.down_button.isEnabled()
    section.session.undo_stack.undo()
    assert [m.id for m in stored(lib_path, case_id).figures] == [b, a, c]

    # a drag in the list: the view moves the row (as an internal drop does), the case follows
    model = section.list.model()
    assert model.moveRow(QModelIndex(), 2, QModelIndex(), 0)  # c to the top
    assert [m.id for m in stored(lib_path, case_id).figures] == [c, b, a]
    assert [section.list.item(n).data(Qt.ItemDataRole.UserRole) for n in range(3)] == [c, b, a]
    assert section.selected_id() == c
    assert model.moveRow(QModelIndex(), 0, QModelIndex(), 2)  # c back before the last
    assert [m.id for m in stored(lib_path, case_id).figures] == [b, c, a]
    section.session.undo_stack.undo()
    assert [m.id for m in stored(lib_path, case_id).figures] == [c, b, a]


def test_delete_asks_and_undo_restores(qtbot, section, lib_path, three, monkeypatch):
    case_id = section.session.case_id
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return answers.pop(0)
    monkeypatch.setattr(QMessageBox, "question", question)
    section.select(three[0])
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and len(stored(lib_path, case_id).figures) == 3  # "No" keeps it
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    assert [m.id for m in stored(lib_path, case_id).figures] == three[1:]
    assert section.selected_id() == three[1]
    section.session.undo_stack.undo()
    case = stored(lib_path, case_id, figures=True)
    assert [m.id for m in case.figures] == three and case.figures[0].data


def test_focus_ref_selects_an_image(section, three):
    assert section.focus_ref(f"figures/{three[2]}")
    assert section.selected_id() == three[2]
    assert section.focus_ref("$.figures[1].caption")
    assert section.selected_id() == three[1]
    assert not section.focus_ref("figures/none-such")
    assert not section.focus_ref("labs/lab-calcium")
