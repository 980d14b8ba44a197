"""Redrawing a section after a change only when someone can see it, and only once per step.

A step such as "set day 0" tells each part it touched in turn ("case", "events", "labs", …); a
section that redrew itself for each, and every section built so far whether shown or not, made the
window's thread redraw the same views several times (the Labs section's 2,000 rows alone: 0.3 s).
:class:`Redraw` redraws once per step — the session's ``changes`` signal names every part a step touched before
``changed`` tells them one by one — when the section is in sight; when it is on a page of the window
that is not shown it only marks the section stale, and the section redraws as it is shown again
(its show event comes before it is painted, so no old value is ever seen).
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


def out_of_sight(widget: QWidget) -> bool:
    """The widget sits in a hidden part of its window (a page of the window's stack not shown).
    A widget that is its own window — a section built alone, in a test — never counts as hidden."""
    w = widget
    while w is not None and not w.isWindow():
        if w.isHidden():
            return True
        w = w.parentWidget()
    return False


class Redraw(QObject):
    """The redraw of ``widget`` by ``redraw()``. With ``session`` and ``parts``: made once for each
    step that touched any of ``parts`` (the session's ``changes`` signal says them all at once),
    right away when the widget is in sight, else when it is shown again."""

    def __init__(self, widget: QWidget, redraw: Callable[[], None], session=None, parts=()):
        super().__init__(widget)
        self._widget, self._redraw = widget, redraw
        self._parts = frozenset(parts)
        self.stale = False  # changed while out of sight: redrawn when shown
        self.count = 0  # redraws made (tests and benchmarks look)
        widget.installEventFilter(self)
        if session is not None:
            session.changes.connect(self._changes)

    def _changes(self, changes) -> None:
        if self._parts & set(changes.parts) and not self.hidden():
            self.now()

    def hidden(self) -> bool:
        """Out of sight now: mark stale (the caller skips its own redraw). False when in sight."""
        if out_of_sight(self._widget):
            self.stale = True
            return True
        return False

    def now(self) -> None:
        """Redraw now (and forget a stale mark)."""
        self.stale = False
        self.count += 1
        self._redraw()

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        if obj is self._widget and event.type() == QEvent.Type.Show and self.stale:
            self.now()
        return False


class _AfterPaint(QObject):
    def __init__(self, widget: QWidget, do: Callable[[], None]):
        super().__init__(widget)
        self._do = do
        self.done = False
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and not self.done:
            QTimer.singleShot(0, self, self.run)  # once this paint is on screen
        return False

    def run(self) -> None:
        if not self.done:
            self.done = True
            self.parent().removeEventFilter(self)
            self._do()


def after_first_paint(widget: QWidget, do: Callable[[], None], at_the_latest_ms: int = 300) -> None:
    """Call ``do()`` once: in the turn of the event loop after ``widget`` is first painted, or after
    ``at_the_latest_ms`` when it is not painted by then (a minimised window, a page out of sight).
    Never after the widget is gone. Start-up builds what is out of sight this way (issue 16)."""
    watch = _AfterPaint(widget, do)
    QTimer.singleShot(at_the_latest_ms, watch, watch.run)
