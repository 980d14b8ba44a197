"""Results the analyte list does not have, at the timepoint the grid shows, each under the name the
source prints ("neutrophil-to-lymphocyte ratio (NLR) 5.75"): the list of the grid is the catalogue's,
and a result outside it was left out before. A result is typed as in the grid (a number, a bound, the
source's words, the authors' H/L) with its unit and range as printed; nothing converts it and no rule
reads it, but the manuscript, the tables and every export carry it under its name. A number printed
without a unit (an index, a ratio) is kept only as printed, when the author says so.
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from ...core import labs as L
from ...model import LabResult
from ..binding import check_edit, item_path
from ..formatting import parse_number
from ..forms import set_muted
from .lab_entry import _shown as shown  # a result as the grid's messages name it: '5.75', '480 U/L'
from .lab_values import entry_text, parse_entry, replacing

if TYPE_CHECKING:
    from .labs import LabsSection

OTHER = "other"  # the catalogue's entry for a result it does not list (resources/catalogues/analytes.json)


def other_text(lab: LabResult) -> str:
    """'neutrophil-to-lymphocyte ratio (NLR): 5.75 (as printed)', 'procalcitonin: <0.5 ng/mL; range 0–0.5'."""
    text = f"{' '.join(lab.name.split())}: {shown(lab, saved=True)}"
    if lab.ref_low is not None or lab.ref_high is not None:
        text += f"; range {L.format_range(L.RefRange(lab.ref_low, lab.ref_high, '', 'reported'))}"
    return text + (" (as printed)" if lab.as_printed else "")


class OtherResults(QWidget):
    """The results at the shown timepoint that the list above does not have, and a line to add one."""

    def __init__(self, section: "LabsSection"):
        super().__init__()
        self.section = section
        self.session = section.session
        self._editing: str | None = None  # the id of the result loaded into the line, if any
        title = QLabel("<b>Not in the list above</b>")
        hint = QLabel("A result the list does not have, under the name the source prints it with "
                      "(e.g. \u201cneutrophil-to-lymphocyte ratio (NLR)\u201d).")
        hint.setWordWrap(True)
        set_muted(hint)
        self.list = QListWidget()
        self.list.setAccessibleName("Results not in the list, at this timepoint")
        # under the line it is typed in, always as high (empty or not): adding one moves nothing
        self.list.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 10)
        self.list.currentItemChanged.connect(self._picked)
        self.name = QLineEdit()
        self.name.setAccessibleName("Name of a result not in the list, as printed")
        self.name.setPlaceholderText("name as printed")
        self.value = QLineEdit()
        self.value.setAccessibleName("Its value")
        self.value.setPlaceholderText("5.75, <0.5, positive")
        self.unit = QLineEdit()
        self.unit.setAccessibleName("Its unit, as printed")
        self.unit.setPlaceholderText("unit as printed")
        self.low, self.high = QLineEdit(), QLineEdit()
        self.low.setAccessibleName("Its reference range, low end")
        self.high.setAccessibleName("Its reference range, high end")
        self.low.setPlaceholderText("range low")
        self.high.setPlaceholderText("range high")
        self.as_printed = QCheckBox("as printed")
        self.as_printed.setToolTip("Keep it exactly as the source prints it: a number printed without a unit "
                                   "(an index, a ratio) is kept only so")
        self.save_button = QPushButton("Add result")
        self.save_button.setAccessibleName("Add or save the result not in the list")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleName("Delete the selected result not in the list")
        self.new_button = QPushButton("New")
        self.new_button.setAccessibleName("Clear the line for a new result not in the list")
        for w in (self.name, self.value, self.unit, self.low, self.high):
            w.returnPressed.connect(self.save)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        self.new_button.clicked.connect(self.clear)
        line = QGridLayout()
        line.setHorizontalSpacing(6)
        line.addWidget(self.name, 0, 0, 1, 3)
        line.addWidget(self.value, 0, 3)
        line.addWidget(self.unit, 0, 4)
        line.addWidget(self.low, 1, 0)
        line.addWidget(self.high, 1, 1)
        line.addWidget(self.as_printed, 1, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.save_button, self.new_button, self.delete_button):
            buttons.addWidget(b)
        line.addLayout(buttons, 1, 3, 1, 2)
        line.setColumnStretch(0, 1)
        line.setColumnStretch(1, 1)
        line.setColumnStretch(2, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(title)
        lay.addWidget(hint)
        lay.addLayout(line)
        lay.addWidget(self.list)
        self._labs: list[LabResult] = []
        self._sync_buttons()

    # --- showing -------------------------------------------------------------------------------------

    def show_results(self, labs: list[LabResult]) -> None:
        """The timepoint's results not in the list (the grid's refresh calls this)."""
        self._labs = [x for x in labs if x.analyte == OTHER]
        current = self._editing
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for lab in self._labs:
                it = QListWidgetItem(other_text(lab))
                it.setData(Qt.ItemDataRole.UserRole, lab.id)
                self.list.addItem(it)
                if lab.id == current:
                    self.list.setCurrentItem(it)
        finally:
            self.list.blockSignals(False)
        if current is not None and all(x.id != current for x in self._labs):
            self.clear()
        self._sync_buttons()

    def _picked(self, item, _previous=None) -> None:
        lab = next((x for x in self._labs if item is not None and x.id == item.data(Qt.ItemDataRole.UserRole)), None)
        if lab is None:
            return
        self._editing = lab.id
        self.name.setText(lab.name)
        self.value.setText(entry_text(lab))
        self.unit.setText(lab.unit)
        self.low.setText("" if lab.ref_low is None else L.format_number(lab.ref_low).replace("\u2212", "-"))
        self.high.setText("" if lab.ref_high is None else L.format_number(lab.ref_high).replace("\u2212", "-"))
        self.as_printed.setChecked(lab.as_printed)
        self._sync_buttons()

    def select(self, lab_id: str) -> None:
        """Load the result ``lab_id`` (of the timepoint shown) into the line, as picking it in the list does."""
        for n in range(self.list.count()):
            if self.list.item(n).data(Qt.ItemDataRole.UserRole) == lab_id:
                self.list.setCurrentRow(n)
                self.value.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def clear(self) -> None:
        self._editing = None
        self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentItem(None)
        self.list.blockSignals(False)
        for w in (self.name, self.value, self.unit, self.low, self.high):
            w.clear()
        self.as_printed.setChecked(False)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        ro = self.session.read_only
        self.save_button.setText("Save result" if self._editing else "Add result")
        self.delete_button.setEnabled(self._editing is not None and not ro)
        for w in (self.name, self.value, self.unit, self.low, self.high, self.as_printed, self.save_button,
                  self.new_button):
            w.setEnabled(not ro)

    # --- saving --------------------------------------------------------------------------------------

    def _say(self, message: str, offers: list = ()) -> bool:
        self.section.error.show_message(message + " Not saved.", list(offers) + [("Dismiss", self.section.error.clear)])
        return False

    def save(self) -> bool:
        """Add the result typed in the line (or save the one loaded into it); the line keeps what was
        typed when it is refused, and the message says why."""
        name = " ".join(self.name.text().split())
        label = name or "A result not in the list"
        when = self.section.current_when()
        if when is None or not (when.is_set or when.label.strip()):
            return self._say(f"{label}: give the time of this timepoint above first.")
        if not name:
            return self._say("A result not in the list needs its name, as the source prints it.")
        try:
            entry = parse_entry(self.value.text())
        except ValueError as exc:
            return self._say(f"{label}: {exc}")
        if entry.empty:
            return self._say(f"{label}: type its value (a number, a bound such as <0.5, or the source's words).")
        ends = []
        for w, end in ((self.low, "low"), (self.high, "high")):
            try:
                ends.append(parse_number(w.text()) if w.text().strip() else None)
            except ValueError as exc:
                return self._say(f"{label}, reference range {end} end: {exc}")
        old = next((x for x in self._labs if x.id == self._editing), None)
        lab = copy.deepcopy(old) if old is not None else LabResult(
            analyte=OTHER, when=when, dialysis_context=self.section.dialysis.value() or "unknown")
        lab.name = name
        lab.value, lab.comparator = entry.value, entry.comparator
        lab.decimals = entry.decimals if entry.value is not None else None
        lab.qualitative, lab.author_flag = entry.qualitative, entry.author_flag
        lab.unit = (entry.unit or self.unit.text().strip()) if entry.value is not None else self.unit.text().strip()
        lab.ref_low, lab.ref_high = ends
        lab.as_printed = self.as_printed.isChecked()
        if lab.value is not None and not lab.unit and not lab.as_printed:
            kept = copy.deepcopy(lab)
            kept.as_printed = True
            return self._say(f"{label}: {entry_text(lab)} has no unit. A number printed without one (an index, a "
                             "ratio) is kept only as printed.",
                             [(f"Keep {entry_text(lab)} as printed", lambda: self._store(kept, old is None))])
        return self._store(lab, old is None)

    def _store(self, lab: LabResult, added: bool) -> bool:
        problems = check_edit(self.session.case, replacing(lab), item_path(self.session.case, "labs", lab.id))
        if problems:
            return self._say(f"{' '.join(lab.name.split())}: " + "; ".join(problems))
        self.section.error.clear()
        ok = self.session.save_item("labs", lab, text=f"{'Add' if added else 'Edit'} {' '.join(lab.name.split())}")
        if ok:
            self.clear()
            self.section.refresh()
            self.name.setFocus(Qt.FocusReason.OtherFocusReason)  # ready for the next one
        return ok

    def delete(self) -> None:
        lab = next((x for x in self._labs if x.id == self._editing), None)
        if lab is None or self.session.read_only:
            return
        self.session.delete_item("labs", lab.id, text=f"Delete {' '.join(lab.name.split())}")
        self.clear()
        self.section.refresh()
