"""The Outcome section: how the patient fared (status, when, cause of death, wound healing,
amputation, hospitalisations) and the CARE follow-up items 10a–10d.

The diagnosis (basis, reasoning, differentials) lives in "Imaging & biopsy", beside the workup it
rests on; the consent record lives in "Manuscript", with the other declarations."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from ...model import OutcomeStatus, WoundHealing
from ..binding import PartForm
from ..fields import ChoiceCombo, LineField, TextArea, TriStateCombo
from ..formatting import choices_of
from ..forms import SPACING, FieldError, add_row, align_labels, group, heading, hint_label, reveal, scroll_page
from ..session import CaseSession
from ..when_editor import WhenEditor


class OutcomeSection(QWidget):
    def __init__(self, session: CaseSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.form = PartForm(session)
        page = scroll_page(self)
        page.addWidget(heading("Outcome"))
        page.addWidget(hint_label("Clinician- and patient-assessed outcomes, adherence and tolerability, adverse "
                                  "and unanticipated events (CARE 10a–10d)."))
        f = self.form
        box, form = group("Outcome")
        self.status = f.add(form, "outcome", "status", "Status", ChoiceCombo(choices_of(OutcomeStatus), "Outcome status"))
        self.when = f.add(form, "outcome", "when", "When", WhenEditor("Outcome time", role="outcome.when"),
              tip="The death, or the last follow-up.")
        f.add(form, "outcome", "cause_of_death", "Cause of death",
              LineField("Cause of death", placeholder="as stated; leave empty when not stated"))
        f.add(form, "outcome", "wound_healing", "Wound healing",
              ChoiceCombo(choices_of(WoundHealing), "Wound healing"))
        amp = QWidget()
        al = QHBoxLayout(amp)
        al.setContentsMargins(0, 0, 0, 0)
        al.setSpacing(SPACING - 2)
        self.amputation = TriStateCombo("Amputation")
        self.amputation_detail = LineField("Amputation detail", placeholder="what was amputated, and when")
        al.addWidget(self.amputation)
        al.addWidget(self.amputation_detail, 1)
        amp.setFocusProxy(self.amputation)
        err = FieldError()
        add_row(form, "Amputation", amp, error=err)
        f.add(None, "outcome", "amputation", "Amputation", self.amputation, error=err)
        f.add(None, "outcome", "amputation_detail", "Amputation detail", self.amputation_detail, error=err)
        f.add(form, "outcome", "hospitalisations", "Hospitalisations", TextArea("Hospitalisations", lines=2))
        page.addWidget(box)

        first = form
        box, form = group("Follow-up (CARE 10)")
        f.add(form, "outcome", "patient_assessed", "Patient-assessed outcomes",
              TextArea("Patient-assessed outcomes", lines=2), tip="CARE 10a")
        f.add(form, "outcome", "adherence", "Adherence and tolerability",
              TextArea("Adherence and tolerability", lines=2), tip="CARE 10c: and how they were assessed")
        f.add(form, "outcome", "adverse_events", "Adverse events",
              TextArea("Adverse events", lines=2), tip="CARE 10d: adverse and unanticipated events")
        f.add(form, "outcome", "summary", "Summary", TextArea("Outcome summary", lines=4))
        align_labels(first, form)
        page.addWidget(box)
        page.addStretch(1)
        session.changed.connect(self._changed)
        self.refresh()

    def _changed(self, part: str) -> None:
        if part in ("outcome", "events", "case"):
            self.refresh()

    def refresh(self) -> None:
        # a death is checked against the presentation; a last follow-up against a death elsewhere
        dead = self.session.case.outcome.status == "dead"
        self.when.set_role("outcome.when:dead" if dead else "outcome.when")
        self.form.load()

    def focus_ref(self, ref: str) -> bool:
        ref = ref.removeprefix("$.")
        if ref == "outcome":
            reveal(self.status)
            return True
        if ref.startswith("outcome."):
            w = self.form.widget("outcome", ref.split(".")[1].split("[")[0])
            if w is not None:
                reveal(w)
                return True
        return False
