"""Issue 13 in the Figures section: an attached photo that may show a face is flagged, the section
says so and offers "Consent covers this image"; the author's answer is stored and undoable."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt  # noqa: F401  (the section runs Qt offscreen)

from desktop.gui.sections.figures import FiguresSection
from face_images import leg_with_lesion, photo_with_face
from gui_helpers import click_check, demo_section, stored


@pytest.fixture
def section(qtbot, tmp_path):
    with demo_section(qtbot, tmp_path / "faces.casebook", FiguresSection, (900, 700)) as w:
        yield w


def test_a_face_is_flagged_on_attach_and_the_consent_for_it_is_asked(qtbot, section, tmp_path):
    face, leg = tmp_path / "face.jpg", tmp_path / "leg.jpg"
    photo_with_face().save(face, "JPEG")
    leg_with_lesion(0).save(leg, "JPEG")
    section.add_images([face, leg])
    qtbot.waitUntil(lambda: section.list.count() == 2, timeout=30000)  # attach may run on a worker
    lib_path, case_id = section.session.library.path, section.session.case_id
    figures = stored(lib_path, case_id).figures
    assert [m.may_show_face for m in figures] == [True, False]
    assert section.list.item(0).text().split("\n")[0] == "Figure 1 · may show a face: consent?"
    assert section.list.item(1).text().split("\n")[0] == "Figure 2"

    section.select(figures[1].id)
    assert not section.consent_note.isVisible() and not section.consent_image.isVisible()
    section.select(figures[0].id)
    assert section.consent_note.isVisible() and "may show a face" in section.consent_note.text()
    assert section.consent_image.isVisible() and not section.consent_image.isChecked()
    click_check(qtbot, section.consent_image)
    assert stored(lib_path, case_id).figures[0].consent_covers_image is True
    assert section.list.item(0).text().split("\n")[0] == "Figure 1"
    assert not section.consent_note.isVisible() and section.consent_image.isChecked()
    section.session.undo_stack.undo()
    assert stored(lib_path, case_id).figures[0].consent_covers_image is False


def test_attached_photos_are_looked_at_in_a_child_process(qtbot, section, tmp_path):
    """The detector runs in a child process fed by the worker (desktop.app.face_process): on the
    worker thread itself it would hold the interpreter lock and stall the window."""
    from PySide6.QtCore import QTimer

    from desktop.app.render import running_children
    paths = []
    for n in range(3):
        paths.append(tmp_path / f"leg{n}.jpg")
        leg_with_lesion(n).save(paths[-1], "JPEG")
    seen = []
    timer = QTimer()  # the window's thread keeps running its event loop while the worker reads the files
    timer.timeout.connect(lambda: seen.append(len(running_children("face-check"))))
    timer.start(5)
    section.add_images(paths)
    qtbot.waitUntil(lambda: section.list.count() == 3, timeout=30000)
    timer.stop()
    assert max(seen) == 1  # one child for the three photos
    assert running_children("face-check") == []  # and it has ended
    assert [m.face_checked and not m.may_show_face
            for m in stored(section.session.library.path, section.session.case_id).figures] == [True] * 3
