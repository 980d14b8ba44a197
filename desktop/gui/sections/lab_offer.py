"""The Labs grid's message line: what was refused and why, with the ways out offered in place
("Keep 92 mg/dL as printed", "Read as mg/dL", "Convert to 2.30 mmol/L", "Cancel") — buttons beside
the message, never a dialog. Its height is reserved, so a message never pushes the grid down; with
nothing to say it shows how to type a result."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QStyle, QWidget

from ..forms import ERROR_COLOUR, ScrollKept

INFO_COLOUR = "#1d4e89"
HINT_COLOUR = "#5f6368"


class OfferBar(QFrame):
    """A message (an error, or a note about what was just done) with up to three offers."""

    def __init__(self, hint: str, parent=None):
        super().__init__(parent)
        self._hint = hint
        self._message = ""
        self._kind = ""
        self._shown = hint
        self.setAccessibleName("Labs messages")
        self._icon = QLabel(self)
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._text = QLabel(self)
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.buttons: list[QPushButton] = []
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 2)
        lay.setSpacing(6)
        lay.addWidget(self._icon)
        lay.addWidget(self._text, 1)
        self._lay = lay
        for _ in range(3):
            b = QPushButton(self)
            b.setAutoDefault(False)
            b.hide()
            b.clicked.connect(lambda _c=False, btn=b: self._clicked(btn))
            lay.addWidget(b)
            self.buttons.append(b)
        self._actions: dict[QPushButton, Callable[[], None]] = {}
        # where the typing goes on after an offer is taken (the row it was about): the button hides
        # with the message, and Qt would hand its focus to the next field in the tab chain — a form
        # further down, which the page then scrolled to
        self.return_focus: Callable[[], QWidget | None] = lambda: None
        # reserved: three lines of text or a button, whichever is taller, whatever is shown
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(max(3 * line, self.buttons[0].sizeHint().height()) + 6)
        self.clear()

    # --- what the section calls -------------------------------------------------------------------

    def show_message(self, text: str, offers: list[tuple[str, Callable[[], None]]] = (), *,
                     kind: str = "error") -> None:
        """Show ``text`` ("error" in red with a warning icon, "info" in blue) with ``offers``: (button
        text, what it does)."""
        self._message, self._kind = text, kind
        colour = ERROR_COLOUR if kind == "error" else INFO_COLOUR
        self._text.setStyleSheet(f"color: {colour};")
        self._shown = text
        self._text.setToolTip(text)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon = QStyle.StandardPixmap.SP_MessageBoxWarning if kind == "error" else QStyle.StandardPixmap.SP_MessageBoxInformation
        self._icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        self._icon.show()
        self._set_offers(list(offers))
        self._fit()
        self.setAccessibleDescription(text)

    def clear(self) -> None:
        """Nothing to say: the hint on how to type a result, in grey."""
        self._message, self._kind = "", ""
        self._icon.hide()
        self._text.setStyleSheet(f"color: {HINT_COLOUR};")
        self._shown = self._hint
        self._text.setToolTip(self._hint)
        self._set_offers([])
        self._fit()
        self.setAccessibleDescription(self._hint)

    def message(self) -> str:
        """The message shown ('' when only the hint is)."""
        return self._message

    def kind(self) -> str:
        return self._kind

    def offers(self) -> list[str]:
        return [b.text().replace("&&", "&") for b in self.buttons if not b.isHidden()]

    def offer(self, text: str) -> QPushButton:
        """The button of the offer whose text starts with ``text``."""
        for b in self.buttons:
            if not b.isHidden() and b.text().replace("&&", "&").startswith(text):
                return b
        raise LookupError(f"no offer {text!r} in {self.offers()}")

    # --- inside -----------------------------------------------------------------------------------

    def shown_text(self) -> str:
        """The text as it fits the reserved three lines (cut with "…" when longer; whole in the tooltip)."""
        return self._text.text()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Show as much of the text as fits in three lines at the label's width, cut at a word with
        "…" (a longer message was cut off mid-line by the reserved height); the tooltip has it all."""
        text, label = self._shown, self._text
        self._lay.activate()  # the offers just shown or hidden change the label's width
        width = label.contentsRect().width()
        if width <= 0:
            label.setText(text)
            return
        fm = label.fontMetrics()
        room = 3 * fm.lineSpacing()

        def fits(t: str) -> bool:
            return fm.boundingRect(QRect(0, 0, width, 100 * room), int(Qt.TextFlag.TextWordWrap), t).height() <= room

        if fits(text):
            label.setText(text)
            return
        words = text.split(" ")
        lo, hi = 0, len(words)  # the most words that fit with "…" after them
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(" ".join(words[:mid]) + " …"):
                lo = mid
            else:
                hi = mid - 1
        label.setText(" ".join(words[:lo]).rstrip(",;:") + " …")

    def _set_offers(self, offers: list[tuple[str, Callable[[], None]]]) -> None:
        self._actions.clear()
        for n, b in enumerate(self.buttons):
            if n < len(offers):
                b.setText(offers[n][0].replace("&", "&&"))
                b.setAccessibleName(offers[n][0])
                self._actions[b] = offers[n][1]
                b.show()
            else:
                b.hide()

    def _clicked(self, b: QPushButton) -> None:
        action = self._actions.get(b)
        if action is None:
            return
        target = self.return_focus()
        with ScrollKept(self):  # the page stays where the author clicked
            action()
            try:
                if target is not None and target.isVisible() and (b.isHidden() or not b.hasFocus()):
                    target.setFocus(Qt.FocusReason.OtherFocusReason)
            except RuntimeError:  # the row was rebuilt meanwhile
                pass
