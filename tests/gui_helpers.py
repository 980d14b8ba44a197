"""What the GUI tests share: a section on the demo case in a real library, reading the library back
through a second connection, and driving widgets the way a user does."""
from __future__ import annotations

from contextlib import contextmanager
from functools import partial

import pytest

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from desktop.demo import load_demo
from desktop.gui.session import CaseSession
from desktop.store.library import create_library, open_library


@contextmanager
def demo_section(qtbot, lib_path, section_cls, size):
    """A section of ``section_cls`` on the demo case of a new library at ``lib_path``, shown."""
    with case_section(qtbot, lib_path, section_cls, load_demo(), size) as (w, _read_back):
        yield w


@contextmanager
def case_section(qtbot, lib_path, section_cls, case, size=(1100, 850)):
    """A section of ``section_cls`` on ``case``, added to a new library at ``lib_path``, shown; yields
    the section and a function reading the case back from the file (:func:`stored`)."""
    lib = create_library(lib_path)
    case_id = lib.add_case(case)
    w = section_cls(CaseSession(lib, case_id))
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    try:
        yield w, partial(stored, lib_path, case_id)
    finally:
        w.close()
        lib.close()


@pytest.fixture
def demo_labs(qtbot, tmp_path):
    """The Labs section on the demo case of a new library (import it into a test module to use it)."""
    from desktop.gui.sections.labs import LabsSection
    with demo_section(qtbot, tmp_path / "demo.casebook", LabsSection, (1000, 800)) as w:
        yield w


def stored(lib_path, case_id, figures=False):
    """The case as the library file holds it (a second, read-only connection)."""
    other = open_library(lib_path, read_only=True)
    try:
        return other.load_case(case_id, figures=figures)
    finally:
        other.close()


def drag_enter(mime) -> QDragEnterEvent:
    """A drag entering at (20, 20) (the position's type changed between PySide6 versions)."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        return QDragEnterEvent(QPointF(20, 20), *args)
    except TypeError:
        return QDragEnterEvent(QPoint(20, 20), *args)


def click_check(qtbot, box) -> None:
    """Click a checkbox's indicator (a click on empty space right of its text does nothing)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


def type_into(qtbot, field, text: str) -> None:
    """Replace a field's text by typing, then press Return."""
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def pick(qtbot, combo, data) -> None:
    """Choose an entry from a combo's popup with the keyboard (one activation, as a user makes)."""
    i = combo.findData(data)
    assert i >= 0, data
    combo.setFocus()
    combo.showPopup()
    view = combo.view()
    view.setCurrentIndex(combo.model().index(i, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert combo.currentIndex() == i


def answer_modal(button_text: str, *, check=None) -> dict:
    """Click the button ``button_text`` of the next modal dialog once it opens, after noting the
    dialog and its texts (box, title, text, info, buttons) in the dict returned, which fills in
    when it opens, and running ``check(dialog)`` when given."""
    seen: dict = {}

    def click():
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, click)
            return
        message = isinstance(box, QMessageBox)
        buttons = box.findChildren(QDialogButtonBox)[0].buttons()
        seen.update(box=box, title=box.windowTitle(), text=box.text() if message else "",
                    info=box.informativeText() if message else "", buttons=[b.text() for b in buttons])
        if check is not None:
            check(box)
        for b in buttons:
            if b.text().replace("&", "") == button_text:
                b.click()
                return
        raise AssertionError(f"no button {button_text!r} in {seen['buttons']}")

    QTimer.singleShot(0, click)
    return seen


def record_declarations(window) -> None:
    """What the demo does not record and a final export requires besides the consent (issue 14:
    the JMCR declarations, the authors' contributions and the references), entered as an author
    would; without them the export is refused with the list of what is missing."""
    import copy
    n = copy.deepcopy(window.session.case.manuscript)
    n.ethics = "Not applicable."
    n.data_availability = "Not applicable."
    n.competing_interests = "The authors declare that they have no competing interests."
    n.funding = "None."
    n.acknowledgements = "None."
    n.references = ["Smilnak GJ, et al. Calciphylaxis of the penis and distal digits: a case report. "
                    "J Med Case Rep. 2022;16:18."]
    window.session.save_single("manuscript", n)
    authors = copy.deepcopy(window.session.case.authors)
    authors[0].contribution = "wrote the case report"
    window.session.set_case_fields(authors=authors)


def add_chosen(qtbot, editor, label: str) -> None:
    """Click a list's "Add …" button, which asks what to add (ListEditor.add_by_choice), and choose
    ``label`` in its menu."""
    qtbot.mouseClick(editor.table.add_button, Qt.MouseButton.LeftButton)
    menu = editor.add_menu
    assert menu is not None and menu.isVisible()
    action = next((a for a in menu.actions() if a.text() == label), None)
    assert action is not None, [a.text() for a in menu.actions()]
    menu.close()
    action.trigger()
    reactivate(qtbot, editor)


def reactivate(qtbot, widget) -> None:
    """The window active again after a pop-up menu (offscreen, closing it leaves no active window)."""
    widget.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=3000)
