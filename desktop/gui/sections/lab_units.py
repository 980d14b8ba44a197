"""The Labs section's line about units: the units this library's results are entered in (asked once
per library and kept in the library, used as the unit each empty row offers), and what the "Show
values" switch (and View ▸ Units) changes — how values are shown, not what is entered."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QWidget

from ..forms import FlowLayout, hint_label

ENTRY = (("conventional", "conventional (mg/dL)"), ("si", "SI (mmol/L)"))


class EntryUnits(QWidget):
    """Asks once per library which units results are entered in; then shows the choice (changeable)."""

    chosen = Signal(str)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.label = QLabel()
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # unchecked while the library has not been asked
        self.buttons: dict[str, QRadioButton] = {}
        lay = FlowLayout(self, h_spacing=8, v_spacing=2)  # never wider than the section's column
        lay.addWidget(self.label)
        for key, text in ENTRY:
            b = QRadioButton(text)
            b.setAccessibleName(f"Enter results in {text}")
            b.setToolTip("The unit each empty row of the grid offers, for every case of this library "
                         "(a row's unit can still be changed to the one the laboratory printed)")
            b.clicked.connect(lambda _on=False, k=key: self._clicked(k))
            self.group.addButton(b)
            self.buttons[key] = b
            lay.addWidget(b)
        self.note = hint_label("")
        lay.addWidget(self.note)
        self.refresh()

    def system(self) -> str:
        """The units empty rows offer: the library's choice, conventional until it is made."""
        return self.session.entry_unit_system() or "conventional"

    def refresh(self) -> None:
        chosen = self.session.entry_unit_system()
        self.label.setText("Enter results in:" if chosen else "<b>Which units do this library's reports use?</b>")
        self.note.setText("this library's choice; “Show values” only changes how they are shown" if chosen else
                          "asked once for this library (conventional until you choose)")
        for key, b in self.buttons.items():
            b.blockSignals(True)
            b.setChecked(key == chosen)
            b.blockSignals(False)
            b.setEnabled(not self.session.read_only)

    def _clicked(self, key: str) -> None:
        if self.session.entry_unit_system() != key:
            self.session.set_entry_unit_system(key)
        self.refresh()
        self.chosen.emit(self.system())
