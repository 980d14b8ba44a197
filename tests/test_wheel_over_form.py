"""Scrolling a form with the mouse wheel changes no value on the way, not even the one just chosen.

Entering the Nefrologia 2022 letter through the window, the observation form was scrolled down with
the wheel to reach the pain fields; the Tissue type choice passed under the pointer, took the wheel's
turns and saved "1 – epithelial tissue", which the source never says. Choices and amounts never take
the wheel (a choice is made by clicking it open, or with the keys); the form scrolls. Checked
on the real sections, with the library file read back.
"""
from __future__ import annotations

from functools import partial

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication

from desktop.gui.session import CaseSession
from desktop.gui.sections.lesions import LesionsSection
from desktop.gui.sections.timeline import TimelineSection
from desktop.model import Case, Event, Lesion, Observation, When
from desktop.store.library import create_library

from gui_helpers import demo_labs, stored as stored_case  # noqa: F401  (the fixture: the Labs section on the demo case)


def wheel_down(widget, notches: int = 3) -> bool:
    """Turn the wheel over ``widget`` as a mouse does; True when the widget took the turns. (A turn it
    does not take, Qt passes on to its parents, up to the form's scroll area; a test's events are not
    passed on, so the form's scrolling is checked by sending the turns on to the form.)"""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    taken = []
    for _ in range(notches):
        ev = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                         False)
        QApplication.sendEvent(widget, ev)
        taken.append(ev.isAccepted())
    assert len(set(taken)) == 1
    return taken[0]


def scroll_bar_of(widget):
    w = widget.parentWidget()
    while w is not None and not isinstance(w, QAbstractScrollArea):
        w = w.parentWidget()
    assert w is not None, "the widget is not in a scrolling form"
    return w.verticalScrollBar()


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "wheel.casebook"
    lib = create_library(path)
    admission = Event(kind="presentation", description="Admitted to the nephrology ward", when=When(offset=0.0))
    onset = Event(kind="lesion_onset", when=When(offset=-2.0, precision="week"),
                  description="Initially small and erythematous lesions that progressed to being ulcerative")
    lesion = Lesion(observations=[Observation(when=When(event_id=admission.id), morphology=["ulcer"])])
    case_id = lib.add_case(Case(title="Wheel", events=[admission, onset], index_event_id=admission.id,
                                lesions=[lesion]))

    stored = partial(stored_case, path, case_id)  # the file, read back

    yield lib, case_id, stored
    lib.close()


def show(qtbot, w, size=(1000, 520)):
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitActive(w)  # so that a field can have the focus
    return w


def test_scrolling_the_observation_form_over_its_tissue_type_changes_nothing(qtbot, library):
    lib, case_id, stored = library
    w = show(qtbot, LesionsSection(CaseSession(lib, case_id)))
    lesion = stored().lesions[0]
    w.select_lesion(lesion.id)
    w.tabs.setCurrentIndex(1)  # Observations
    tissue = w.obs_fields["tissue_type"]
    w.obs_fields["when"].setFocus()  # the author was in another field
    bar = scroll_bar_of(tissue)
    top = bar.value()
    assert not wheel_down(tissue)  # not taken: Qt gives the turns to the form under it...
    assert tissue.currentData() is None  # ...and the choice is still "not recorded"
    assert stored().lesions[0].observations[0].tissue_type is None
    wheel_down(bar.parentWidget().parentWidget().viewport())  # where Qt passes the turns: the form scrolls
    assert bar.value() > top

    # Koratala et al. (BMJ Case Rep 2016) entered through the window: "punch biopsy" was picked, the
    # choice kept the focus, the page was scrolled on and brought it under the pointer, and the wheel
    # made it "amputation specimen". A choice just made keeps its value under the wheel too.
    tissue.setFocus()
    qtbot.waitUntil(tissue.hasFocus)
    assert not wheel_down(tissue)
    assert tissue.currentData() is None and stored().lesions[0].observations[0].tissue_type is None


def test_scrolling_the_timeline_over_a_times_unit_and_amount_changes_nothing(qtbot, library):
    lib, case_id, stored = library
    w = show(qtbot, TimelineSection(CaseSession(lib, case_id)), size=(700, 520))
    onset = next(e for e in stored().events if e.kind == "lesion_onset")
    w.table.select(onset.id)
    w.when.wording.setFocus()
    for control in (w.when.unit, w.when.amount, w.when.direction, w.when.mode, w.when.event):
        assert not wheel_down(control), control.accessibleName()
    assert (w.when.unit.currentData(), w.when.amount.value(), w.when.mode.currentData()) == ("week", 2.0, "relative")
    when = stored().event(onset.id).when
    assert (when.offset, when.precision) == (-2.0, "week")


def test_scrolling_the_lab_grid_over_a_unit_changes_nothing(qtbot, demo_labs):
    # the demo's first timepoint: calcium in mg/dL, as Smilnak et al. (2022) print it
    w = demo_labs
    w.activateWindow()
    qtbot.waitActive(w)
    unit = w.row("calcium").unit
    before = unit.currentText()
    w.row("phosphate").value.setFocus()
    assert not wheel_down(unit)
    assert unit.currentText() == before
