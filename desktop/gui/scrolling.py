"""Scrolling a form without losing the author's place: keeping the page where it was while a button
that hides hands its focus on (:class:`ScrollKept`), and bringing a field into view with the focus
(:func:`reveal`), again while a section built by the same click settles."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QScrollArea, QWidget
from shiboken6 import isValid


class ScrollKept:
    """``with ScrollKept(widget):`` — every scroll area around ``widget`` is where it was afterwards.
    A button that hides as it is clicked (an offer taken, a message dismissed) hands its focus to the
    next field in the tab chain, and the scroll area holding that field scrolls to it: the page
    jumped under the author's mouse, and the next click landed on another field."""

    def __init__(self, widget: QWidget):
        self._kept: list[tuple[QWidget, int, int]] = []
        p = widget.parentWidget()
        while p is not None:
            if isinstance(p, QScrollArea):
                self._kept.append((p, p.horizontalScrollBar().value(), p.verticalScrollBar().value()))
            p = p.parentWidget()

    def __enter__(self) -> "ScrollKept":
        return self

    def __exit__(self, *_exc) -> None:
        for area, h, v in self._kept:
            try:
                area.horizontalScrollBar().setValue(h)
                area.verticalScrollBar().setValue(v)
            except RuntimeError:  # deleted meanwhile
                pass


def reveal(widget: QWidget) -> None:
    """Scroll the enclosing scroll area to ``widget`` and give it the focus. A section built by the
    same click (Go to field on a section not shown yet) is laid out when the event loop next runs:
    the scroll is made again then, or it went by the widget's place before its layout."""
    p = widget.parentWidget()
    while p is not None and not isinstance(p, QScrollArea):
        p = p.parentWidget()
    if p is not None:
        p.ensureWidgetVisible(widget, 40, 60)
        _KeepInView(p, widget)
    widget.setFocus(Qt.FocusReason.OtherFocusReason)


class _KeepInView(QObject):
    """For a moment after :func:`reveal`: each time the page under the scroll area changes size (a
    section built by the same click gets its layout, its wrapped texts their heights), the revealed
    widget is scrolled into view again. Then it lets go."""

    SETTLE_MS = 400

    def __init__(self, area: QScrollArea, widget: QWidget):
        super().__init__(area)
        self._area, self._widget = area, widget
        page = area.widget()
        if page is None:
            self.deleteLater()
            return
        page.installEventFilter(self)
        QTimer.singleShot(0, self._again)
        QTimer.singleShot(self.SETTLE_MS, self.deleteLater)

    def _again(self) -> None:
        if isValid(self._area) and isValid(self._widget):
            self._area.ensureWidgetVisible(self._widget, 40, 60)

    def eventFilter(self, obj, ev):  # noqa: N802 (Qt's name)
        if ev.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            QTimer.singleShot(0, self._again)
        return False
