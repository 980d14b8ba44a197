"""The dialysis history in the Patient section's kidney group: each period of one kidney
replacement modality, with when it started and stopped and why ("peritoneal dialysis for 3 years,
then haemodialysis after peritonitis"). The list is part of the patient, so each change saves the
patient through the operations layer's checked field edit; a refused change shows its message under
the list and nothing is saved."""
from __future__ import annotations

import copy
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ... import timing
from ...app.editing import EditRefused, FieldRefused
from ...model import DialysisModality, DialysisPeriod, When
from ..fields import ChoiceCombo, LineField, NumberField
from ..formatting import choices_of, fmt_number, label_of, when_text
from ..forms import FieldError
from ..list_editor import ListEditor
from ..tables import Column
from ..when_editor import WhenEditor


class DialysisHistory(QWidget):
    """A list of dialysis periods with a form for the selected one (see the module's description)."""

    def __init__(self, session, timeline: Callable[[], timing.Timeline], parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._timeline = timeline
        self.error = FieldError()
        self.editor = ListEditor(session, [
            Column("Modality", lambda d: label_of(d.modality), keep=True),
            Column("Start", lambda d: when_text(timeline(), d.start)),
            Column("Stop", lambda d: when_text(timeline(), d.stop)),
            Column("Why", lambda d: d.reason, tooltip=lambda d: d.reason, stretch=True),
            Column("Sessions/week", lambda d: fmt_number(d.sessions_per_week), align_right=True, optional=True),
        ], "dialysis period", DialysisPeriod, embedded=(lambda c: c.patient.dialysis_history, self._put),
            add_text="Add &period…", rows=2, build=self._build)
        # which modality, chosen when the period is added (a default would make every period haemodialysis)
        self.editor.add_by_choice([(label_of(m), lambda m=m: DialysisPeriod(modality=m))
                                   for m in ("haemodialysis", "peritoneal")]
                                  + [("no dialysis", lambda: DialysisPeriod(modality="none"))], "Which modality")
        self.editor.table.view.setAccessibleName("Dialysis history")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.editor)
        lay.addWidget(self.error)

    def _build(self, ed: ListEditor) -> None:
        self.start_offer = ed.add_offering_field(
            "Modality", "modality", ChoiceCombo(choices_of(DialysisModality), "Dialysis period modality"), "Use it",
            self._offer_start)
        ed.add_field("Start", "start", WhenEditor("Dialysis period start"))
        ed.add_field("Stop", "stop", WhenEditor("Dialysis period stop"))
        ed.add_field("Why", "reason", LineField("Why it started or changed",
                                                placeholder="in the source's words, e.g. after peritonitis"))
        ed.add_field("Sessions", "sessions_per_week", NumberField("Dialysis sessions per week"), "per week")

    def _offer_start(self, period: DialysisPeriod):
        """The first period, while its start is not given, is offered the patient's Dialysis start
        (the same fact, asked twice otherwise): taken with one click, never copied unasked."""
        start = self.session.case.patient.dialysis_start
        if self.editor.table.current_key() != 0 or period.start != When() or start == When():
            return None  # embedded periods are keyed by their row: 0 is the first
        ed = self.editor
        return (f"Start: {when_text(self._timeline(), start)}, as the patient's dialysis start",
                lambda: ed.save("start", copy.deepcopy(start), "Start", ed.errors["start"], ed.fields["start"]),
                "The first dialysis period begins when dialysis began, which the Patient section records.")

    def refresh(self) -> None:
        self.editor.refresh()

    def _put(self, items: list[DialysisPeriod]) -> bool:
        try:
            self.session.edit_field("patient", "dialysis_history", items, label="Dialysis history")
        except (FieldRefused, EditRefused) as exc:
            # the message names the refused value; the form goes back to what is stored (issue 16 item 7)
            self.error.show_message(str(exc))
            QTimer.singleShot(0, self.editor._load)
            return False
        self.error.clear()
        return True
