"""The Treatments section: what was done for the calciphylaxis (and around it), with dose and unit,
schedule, timing, the response and adverse events — CARE items 9a–9c."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ... import catalogue, frequency, timing
from ...model import Response, Treatment, TreatmentKind
from ..fields import ChoiceCombo, DoseRow, FrequencyField, LineField, TextArea, TriStateCombo, with_drug_names
from ..formatting import choices_of, fmt_number, label_of, when_text
from ..forms import heading, hint_label, reveal, scroll_page
from ..list_editor import ListEditor
from ..session import CaseSession
from ..tables import Column
from ..when_editor import WhenEditor


def dose_text(t: Treatment) -> str:
    if t.dose is None:
        return ""
    return f"{fmt_number(t.dose)} {t.dose_unit}".strip()


class TreatmentsSection(QWidget):
    def __init__(self, session: CaseSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        page = scroll_page(self)
        page.addWidget(heading("Treatments"))
        page.addWidget(hint_label("Each drug or procedure with its dose and unit, schedule, start and stop, "
                                  "and the response (CARE 9a–9c, 10). Medicines taken before the illness go under "
                                  "Patient \u2192 Medications."))
        classes = catalogue.treatment_classes()
        self.editor = ListEditor(session, [
            Column("Kind", lambda t: label_of(t.kind), keep=True),
            Column("Agent", lambda t: t.agent, tooltip=lambda t: t.agent, width_chars=30),
            Column("Class", lambda t: classes.get(t.treatment_class, t.treatment_class)),
            Column("Dose", lambda t: dose_text(t), align_right=True, keep=True),
            Column("Schedule", lambda t: frequency.schedule_text(t.schedule, t.times_per_week, t.frequency_basis, "week"),
                   tooltip=lambda t: t.schedule, width_chars=22),
            Column("Start", lambda t: when_text(self._tl, t.start)),
            Column("Response", lambda t: label_of(t.response) if t.response else "", stretch=True),
        ], "treatment", lambda: Treatment(), part="treatments", rows=4)
        ed = self.editor
        ed.type_first = "agent"  # the name first: it sets the kind and class (the Kind box comes first)
        ed.add_field("Kind", "kind", ChoiceCombo(choices_of(TreatmentKind), "Treatment kind"))
        ed.add_field("Agent", "agent", with_drug_names(LineField("Agent", placeholder="drug or procedure, e.g. sodium thiosulfate"),
                                                    terms=True))
        ed.add_class_field("Class", "treatment_class", ChoiceCombo(list(classes.items()), "Treatment class"), classes)
        self.dose = DoseRow("Dose", unit_placeholder="unit, e.g. g")
        ed.add_field("Dose", ("dose", "dose_unit"), self.dose, tip="A dose needs its unit (CARE 9b).")
        ed.add_field("Route", "route", LineField("Route", placeholder="e.g. intravenous"))
        ed.add_field("Schedule", "schedule", LineField("Schedule", placeholder="e.g. thrice weekly during dialysis"))
        ed.add_field("Frequency", ("times_per_week", "frequency_basis"), FrequencyField("Frequency", "week"),
                     tip="Times a day, times a week, every N hours, or as needed, as the source gives it.")
        ed.add_field("During dialysis", "during_dialysis", TriStateCombo("During dialysis"))
        ed.add_field("Culture-directed", "culture_directed", TriStateCombo("Chosen by a culture's result"))
        ed.add_field("Start", "start", WhenEditor("Treatment start", role="treatments.start"))
        ed.add_field("Stop", "stop", WhenEditor("Treatment stop", role="treatments.stop"))
        ed.add_field("Duration", "duration_text", LineField("Duration", placeholder="as the source says, e.g. 1-week course"))
        ed.add_field("Indication", "indication", LineField("Indication"))
        ed.add_field("Response", "response", ChoiceCombo(choices_of(Response), "Response", allow_none=True))
        ed.add_field("Response detail", "response_detail", TextArea("Response detail", lines=2))
        ed.add_field("Adverse events", "adverse_events", TextArea("Adverse events", lines=2))
        page.addWidget(ed)
        page.addStretch(1)
        session.changed.connect(self._changed)
        self.refresh()

    def _changed(self, part: str) -> None:
        if part in ("treatments", "events", "case"):
            self.refresh()

    def refresh(self) -> None:
        self._tl = timing.Timeline(self.session.case)
        self.editor.refresh()

    def focus_ref(self, ref: str) -> bool:
        if ref.startswith("treatments/"):
            if self.editor.select(ref.split("/")[1]):
                reveal(self.editor.table.view)
                return True
            return False
        if ref == "treatments":
            reveal(self.editor.table.view)
            return True
        return False
