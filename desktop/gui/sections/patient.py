"""The Patient section: demographics, kidney status, comorbidities (calciphylaxis risk factors
marked with their source), history, medications, and the patient's identifiers in a box of their
own that is hidden until asked for and never exported unless an identified report is chosen."""
from __future__ import annotations

import copy
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from ... import catalogue, frequency, timing
from ...model import Adherence, CkdStage, Comorbidity, DialysisModality, GraftStatus, Medication, RecordNumber, Sex
from ..binding import commit_field, lock_if_read_only
from ..fields import (
    CheckField, ChoiceCombo, DoseRow, FrequencyField, LineField, NumberField, TextArea, TriStateCombo, with_drug_names,
)
from ..formatting import choices_of, fmt_number, when_text
from ..forms import (
    SPACING, FieldError, add_row, align_labels, follow_in_tab_order, form_layout, group, heading, hint_label,
    reveal, scroll_page,
)
from ..list_editor import ListEditor
from ..session import CaseSession
from ..tables import Column
from ..when_editor import WhenEditor
from .kidney_history import DialysisHistory

ABSENT_TIP = ("The source says the patient does not have it (\u201cnon-diabetic\u201d, \u201cnormal parathyroid "
              "function\u201d): a recorded negative, never counted as a risk factor; the manuscript says it once.")
IDENTIFIERS_TITLE = "Identifiers — never exported unless you choose an identified report"

# Identifier fields kept one per line in a text box: (attribute, label, placeholder)
_LINE_LISTS = [
    ("urls", "Web addresses (URLs)", "one per line"),
    ("ip_addresses", "IP addresses", "one per line"),
    ("relatives", "Relatives, employers, household", "names, one per line"),
    ("other", "Other identifying characteristics", "one per line"),
]
_TEXT_IDENTIFIERS = [
    ("given_names", "Given names"), ("family_name", "Family name"), ("date_of_birth", "Date of birth"),
    ("street", "Street address"), ("city", "City"), ("county", "County"), ("state", "State"),
    ("zip_code", "ZIP code"), ("phone", "Telephone"), ("fax", "Fax"), ("email", "E-mail"),
    ("ssn", "Social security number"),
]


def risk_factor_sources() -> dict[str, str]:
    """Comorbidity code -> the source naming it a calciphylaxis risk factor (only those with one)."""
    return {c["code"]: c["source"] for c in catalogue.load_json("catalogues", "comorbidities.json")["comorbidities"]
            if c.get("source")}


def bmi(weight_kg: float | None, height_cm: float | None) -> float | None:
    if not weight_kg or not height_cm:
        return None
    return weight_kg / (height_cm / 100.0) ** 2


class PatientSection(QWidget):
    """``progressive``: build the groups in sight first — demographics and kidney status — and the rest
    (comorbidities, history, medications, identifiers) right after the section is first painted
    (start-up, issue 16). Whatever asks for a field of the rest (:meth:`focus_ref`, the window's
    ``section()``) has it built at once by :meth:`complete`."""

    PROGRESSIVE = True
    # the labels of the History group, which lines up with the two groups above it
    HISTORY_FIELDS = (
        ("presenting_concerns", "Presenting concerns", "CARE 5b", "main concerns and symptoms"),
        ("history", "Medical history", "CARE 5c", "medical history in your words"),
        ("family_history", "Family history", "CARE 5c", "conditions in relatives, e.g. kidney disease, thrombophilia"),
        ("social_history", "Social history", "CARE 5c", "psychosocial history, smoking, …"),
        ("past_interventions", "Past interventions", "CARE 5d", "relevant past interventions and their outcomes"),
    )

    def __init__(self, session: CaseSession, parent: QWidget | None = None, *, progressive: bool = False):
        super().__init__(parent)
        self.session = session
        self.fields: dict[str, QWidget] = {}  # patient attribute -> its editor (for focus_ref)
        self.errors: dict[str, FieldError] = {}
        self.comorbidity_checks: dict[str, CheckField] = {}
        self.complete_now = False  # True once every group is built
        page = scroll_page(self)
        self._page = page
        page.addWidget(heading("Patient"))
        top = [self._build_demographics(), self._build_kidney()]
        page.addWidget(top[0])
        page.addWidget(top[1])
        # the label column is as wide as the History group's labels will need: nothing moves when it comes
        self._label_width = align_labels(*(box.layout() for box in top),
                                         texts=[f"{label}:" for _a, label, _c, _p in self.HISTORY_FIELDS])
        page.addStretch(1)
        from ..redraw import Redraw  # once per step, and only in sight (else when shown again)
        self._redraw = Redraw(self, self.refresh, session, ("patient", "medications", "identifiers", "events", "case"))
        if progressive:
            from ..redraw import after_first_paint
            after_first_paint(self, self.complete)
        else:
            self._build_rest()
        self.refresh()

    def complete(self) -> None:
        """Build the groups not built yet (once), filled with the case."""
        if not self.complete_now:
            self._build_rest()
            self.refresh()

    def _build_rest(self) -> None:
        self.complete_now = True
        page = self._page
        at = page.count() - 1  # before the closing stretch
        boxes = [self._build_comorbidities(), self._build_history(), self._build_medications(),
                 self._build_identifiers()]
        # built after the first paint, so made after the window's side panes: Tab still goes down the page
        anchor = self.dialysis_history.editor.last_tab_stop()
        for n, box in enumerate(boxes):
            page.insertWidget(at + n, box)
            anchor = follow_in_tab_order(anchor, box)
        align_labels(boxes[1].layout(), width=self._label_width)
        for box in boxes:
            lock_if_read_only(self.session, box)

    # --- building ------------------------------------------------------------------------------

    def _patient_field(self, form, attr: str, label: str, widget: QWidget, unit: str | None = None,
                       tip: str = "") -> QWidget:
        err = FieldError()
        add_row(form, label, widget, unit, err, tip)
        self.fields[attr] = widget
        self.errors[attr] = err
        widget.committed.connect(lambda v, a=attr, l=label, w=widget, e=err: self._save_patient(a, v, l, e, w))
        if isinstance(widget, NumberField):
            widget.rejected.connect(err.show_message)
        if isinstance(widget, (NumberField, LineField)):
            widget.corrected.connect(err.clear)  # the message goes as soon as the value is put right
        return widget

    def _build_demographics(self) -> QGroupBox:
        box, form = group("Demographics")
        self.age = NumberField("Age", integer=True)
        self.age_over_89 = CheckField("90 or older", "Age: 90 or older")
        self.age_over_89.setToolTip("An age over 89 identifies a patient: reports print \"90 or older\" "
                                    "instead of the age (HIPAA Safe Harbor).")
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(6)
        rl.addWidget(self.age)
        rl.addWidget(QLabel("years"))
        rl.addSpacing(SPACING * 2)
        rl.addWidget(self.age_over_89)
        rl.addStretch(1)
        row.setFocusProxy(self.age)
        err = FieldError()
        add_row(form, "Age at presentation", row, None, err)
        self.age.setAccessibleName("Age at presentation")
        self.age.setAccessibleDescription("in years")
        self.fields["age_years"] = self.age
        self.fields["age_over_89"] = self.age_over_89
        self.errors["age_years"] = err
        self.age.committed.connect(lambda v: self._save_patient("age_years", v, "Age", err, self.age))
        self.age.rejected.connect(err.show_message)
        self.age.corrected.connect(err.clear)
        self.age_over_89.committed.connect(lambda v: self._save_patient("age_over_89", v, "Age: 90 or older", err, None))
        self._patient_field(form, "sex", "Sex", ChoiceCombo(choices_of(Sex), "Sex"))
        self._patient_field(form, "ethnicity", "Ethnicity",
                            LineField("Ethnicity", placeholder="as the source gives it, or \u201cnot reported\u201d"),
                            tip="\u201cNot reported\u201d when the source does not say: the draft then asks no more, "
                                "and the manuscript does not print it.")
        self._patient_field(form, "weight_kg", "Weight", NumberField("Weight"), "kg")
        self._patient_field(form, "height_cm", "Height", NumberField("Height"), "cm")
        self.bmi = QLabel()
        self.bmi.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bmi.setAccessibleName("Body mass index")
        add_row(form, "Body mass index", self.bmi, tip="Calculated from weight and height; not editable.")
        return box

    def _build_kidney(self) -> QGroupBox:
        box, form = group("Kidney status")
        self._patient_field(form, "ckd_stage", "CKD stage",
                            ChoiceCombo(choices_of(CkdStage), "CKD stage", allow_none=True))
        self._patient_field(form, "kidney_disease_cause", "Cause",
                            LineField("Cause of kidney disease",
                                      placeholder="of the kidney disease, as the source gives it: e.g. diabetic nephropathy"))
        self._patient_field(form, "dialysis_modality", "Dialysis modality",
                            ChoiceCombo(choices_of(DialysisModality), "Dialysis modality", allow_none=True))
        self.dialysis_start = WhenEditor("Dialysis start", role="patient.dialysis_start")
        self._patient_field(form, "dialysis_start", "Dialysis start", self.dialysis_start)
        self._patient_field(form, "kidney_transplant", "Kidney transplant", TriStateCombo("Kidney transplant"))
        self._patient_field(form, "transplant_date", "Transplanted", WhenEditor("Transplant date", role="patient.transplant_date"))
        self._patient_field(form, "graft_status", "Graft",
                            ChoiceCombo(choices_of(GraftStatus), "Graft status", allow_none=True))
        self._patient_field(form, "dialysis_adherence", "Dialysis adherence",
                            ChoiceCombo(choices_of(Adherence), "Dialysis adherence"))
        self._patient_field(form, "adherence_detail", "Adherence detail",
                            LineField("Adherence detail", placeholder="e.g. missed sessions"))
        # modality changes over time, with when and why
        self.dialysis_history = DialysisHistory(self.session, lambda: self._timeline)
        add_row(form, "Dialysis history", self.dialysis_history,
                tip="Each period of one modality: peritoneal dialysis, then haemodialysis, with when and why")
        return box

    def _build_comorbidities(self) -> QGroupBox:
        box = QGroupBox("Comorbidities")
        outer = QVBoxLayout(box)
        outer.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        outer.setSpacing(SPACING - 2)
        outer.addWidget(hint_label("Tick what the patient has, or \u201cabsent\u201d when the source says the "
                                   "patient does not have it (\u201cnon-diabetic\u201d); then add the details in the "
                                   "source's words. Conditions marked \u25B2 are calciphylaxis risk factors (their "
                                   "source is in the tooltip)."))
        self.comorbidity_absent: dict[str, CheckField] = {}
        self.comorbidity_details: dict[str, LineField] = {}  # made when a condition is first ticked
        self._detail_slots: dict[str, tuple[int, str]] = {}
        row_height = LineField().sizeHint().height()
        sources = risk_factor_sources()
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(3, 1)
        codes = list(catalogue.comorbidities().items())
        ordered = [c for c in codes if c[0] in sources] + [c for c in codes if c[0] not in sources]
        row = 0
        for title, subset in (("Calciphylaxis risk factors", [c for c in ordered if c[0] in sources]),
                              ("Other conditions", [c for c in ordered if c[0] not in sources])):
            if not subset:
                continue
            lab = QLabel(f"<b>{title}</b>")
            grid.addWidget(lab, row, 0, 1, 2)
            head = QLabel("Absent")
            head.setToolTip(ABSENT_TIP)
            grid.addWidget(head, row, 2)
            row += 1
            for code, text in subset:
                check = CheckField(text, f"Comorbidity: {text}")
                mark = QLabel("\u25B2" if code in sources else "")
                if code in sources:
                    tip = f"Calciphylaxis risk factor — source: {sources[code]}"
                    check.setToolTip(tip)
                    mark.setToolTip(tip)
                    mark.setAccessibleName("risk factor")
                    mark.setStyleSheet("color: #a04000;")
                absent = CheckField("", f"Comorbidity absent, as the source says: {text}")
                absent.setToolTip(ABSENT_TIP)
                grid.addWidget(mark, row, 0)
                grid.addWidget(check, row, 1)
                grid.addWidget(absent, row, 2, Qt.AlignmentFlag.AlignHCenter)
                grid.setRowMinimumHeight(row, row_height)
                check.committed.connect(lambda on, c=code: self._set_comorbidity(c, "has" if on else None))
                absent.committed.connect(lambda on, c=code: self._set_comorbidity(c, "absent" if on else None))
                self.comorbidity_checks[code] = check
                self.comorbidity_absent[code] = absent
                self._detail_slots[code] = (row, text)
                row += 1
        self._comorbidity_grid = grid
        outer.addLayout(grid)
        self.fields["comorbidities"] = next(iter(self.comorbidity_checks.values()))
        return box

    def _build_history(self) -> QGroupBox:
        box, form = group("History")
        for attr, label, care, placeholder in self.HISTORY_FIELDS:
            area = TextArea(label, lines=3, placeholder=placeholder)
            self._patient_field(form, attr, label, area, tip=care)
        return box

    def _build_medications(self) -> QGroupBox:
        box = QGroupBox("Medications")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        lay.setSpacing(SPACING - 2)
        lay.addWidget(hint_label("Medicines the patient took (history), and any the source says were not taken. "
                                 "Treatments of the calciphylaxis go in Treatments."))
        classes = catalogue.medication_classes()

        def build(ed: ListEditor) -> None:
            ed.add_field("Name", "name", with_drug_names(LineField("Medication name", placeholder="e.g. warfarin")))
            ed.add_class_field("Class", "drug_class", ChoiceCombo(list(classes.items()), "Medication class"), classes)
            ed.add_field("Not taken", "not_taken", CheckField("the source says the patient was not taking it",
                                                              "Medication not taken"),
                         tip="A recorded negative (\"she was not on warfarin\"): the assessment never counts it as "
                             "exposure, and the manuscript says it in a sentence, not in the medication table.")
            ed.add_field("Dose", ("dose", "dose_unit"), DoseRow("Dose"))
            ed.add_field("Route", "route", LineField("Route", placeholder="e.g. oral, subcutaneous"))
            ed.add_field("Frequency", ("doses_per_day", "frequency_basis"), FrequencyField("Frequency", "day"),
                         tip="Times a day, times a week, every N hours, or as needed (e.g. insulin injections "
                             "a day: the assessment reads them).")
            ed.add_field("As written", "frequency", LineField("Frequency as written", placeholder="e.g. twice daily"))
            ed.add_field("Start", "start", WhenEditor("Medication start", role="medications.start"))
            ed.add_field("Stop", "stop", WhenEditor("Medication stop", role="medications.stop"))
            ed.add_field("Note", "note", LineField("Medication note"))

        self.medications = ListEditor(self.session, [
            Column("Name", lambda m: (m.name or "(unnamed)") + (" — not taken" if m.not_taken else ""),
                   stretch=True, min_chars=16),
            Column("Class", lambda m: classes.get(m.drug_class, m.drug_class)),
            Column("Dose", lambda m: f"{fmt_number(m.dose)} {m.dose_unit}".strip() if m.dose is not None else "",
                   align_right=True, keep=True),
            Column("Route", lambda m: m.route),
            Column("Frequency", lambda m: frequency.schedule_text(m.frequency, m.doses_per_day, m.frequency_basis, "day"),
                   tooltip=lambda m: m.frequency),
            Column("Start", lambda m: when_text(self._timeline, m.start)),
            Column("Stop", lambda m: when_text(self._timeline, m.stop)),
        ], "medication", lambda: Medication(), part="medications", rows=2, build=build)
        lay.addWidget(self.medications)
        return box

    def _build_identifiers(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("identifiersBox")
        frame.setStyleSheet("#identifiersBox { background: #fff3e0; border: 2px solid #b45f06; border-radius: 6px; }"
                            "#identifiersBox QLabel { background: transparent; }")
        frame.setAccessibleName(IDENTIFIERS_TITLE)
        lay = QVBoxLayout(frame)
        lay.setContentsMargins(SPACING + 4, SPACING, SPACING + 4, SPACING + 4)
        lay.setSpacing(SPACING - 2)
        top = QHBoxLayout()
        icon = QLabel()
        from PySide6.QtWidgets import QStyle  # built after the first paint (its types are costly)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_LargeIconSize)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        title = QLabel(f"<b>{IDENTIFIERS_TITLE}</b>")
        title.setWordWrap(True)
        title.setStyleSheet("color: #7a3e00;")
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(title)
        self.identifiers_status = QLabel()
        self.identifiers_status.setWordWrap(True)
        texts.addWidget(self.identifiers_status)
        top.addLayout(texts, 1)
        self.identifiers_toggle = QPushButton("Show identifiers")
        self.identifiers_toggle.setCheckable(True)
        self.identifiers_toggle.setProperty("readOnlySafe", True)  # reading them is allowed
        self.identifiers_toggle.setAccessibleName("Show identifiers")
        self.identifiers_toggle.setToolTip("Identifiers stay hidden until you ask, so they are not seen over "
                                           "your shoulder.")
        top.addWidget(self.identifiers_toggle, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(top)

        self.identifiers_body = QWidget()
        self.identifiers_body.setVisible(False)
        lay.addWidget(self.identifiers_body)
        self.ident_fields: dict[str, QWidget] = {}
        self.ident_error = FieldError()
        self.identifiers_toggle.toggled.connect(self._show_identifiers)
        self.identifiers_frame = frame
        return frame

    def _build_identifier_fields(self) -> None:
        """The identifier fields, built when first shown (most sessions never show them)."""
        grid = QGridLayout(self.identifiers_body)
        grid.setContentsMargins(0, SPACING - 4, 0, 0)
        grid.setHorizontalSpacing(SPACING * 2)
        left, right = form_layout(), form_layout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        half = 6
        for n, (attr, label) in enumerate(_TEXT_IDENTIFIERS):
            w = LineField(label, placeholder="YYYY-MM-DD" if attr == "date_of_birth" else "")
            add_row(left if n < half else right, label, w)
            self.ident_fields[attr] = w
            w.committed.connect(lambda v, a=attr, l=label, f=w: self._save_ident(a, v, l, f))
        rec = TextArea("Record numbers", lines=3, placeholder="one per line, e.g. MRN: 123456")
        rec.setToolTip("Medical record, health plan, account, licence, vehicle and device numbers: "
                       "\"system: number\", one per line.")
        add_row(left, "Record numbers", rec)
        self.ident_fields["record_numbers"] = rec
        rec.committed.connect(lambda v: self._save_ident("record_numbers", _parse_records(v), "Record numbers", rec))
        for n, (attr, label, placeholder) in enumerate(_LINE_LISTS):
            w = TextArea(label, lines=2, placeholder=placeholder)
            add_row(right if n < 2 else left, label, w)
            self.ident_fields[attr] = w
            w.committed.connect(lambda v, a=attr, l=label, f=w: self._save_ident(
                a, [x.strip() for x in v.splitlines() if x.strip()], l, f))
        grid.addWidget(self.ident_error, 1, 0, 1, 2)
        lock_if_read_only(self.session, self.identifiers_body)

    # --- refreshing ------------------------------------------------------------------------------

    @property
    def _timeline(self) -> timing.Timeline:
        return timing.Timeline(self.session.case)


    def refresh(self) -> None:
        case = self.session.case
        pt = case.patient
        for attr, w in self.fields.items():
            if attr == "comorbidities":
                continue
            value = getattr(pt, attr)
            if isinstance(w, WhenEditor):
                w.set_when(value, case)
            elif isinstance(w, (NumberField, ChoiceCombo, CheckField)):
                w.set_value(value)
            else:
                w.set_text(value)
        self.age.setPlaceholderText("90 or older" if pt.age_over_89 else "not recorded")
        b = bmi(pt.weight_kg, pt.height_cm)
        self.bmi.setText(f"{b:.1f} kg/m²" if b is not None else "— (needs weight and height)")
        have = {c.code: c for c in reversed(pt.comorbidities)}  # the first entry of a code wins
        for code, check in self.comorbidity_checks.items():
            check.set_value(code in have and not have[code].absent)
            self.comorbidity_absent[code].set_value(code in have and have[code].absent)
            if code in have:
                detail = self.detail_field(code)
                detail.set_text(have[code].detail)
                detail.show()
            elif code in self.comorbidity_details:
                self.comorbidity_details[code].set_text("")
                self.comorbidity_details[code].hide()
        self.dialysis_history.refresh()
        if self.complete_now:
            self.medications.refresh()
            self._refresh_identifiers()

    def _refresh_identifiers(self) -> None:
        ident = self.session.case.identifiers
        n = sum(1 for f in ident.__dataclass_fields__ if getattr(ident, f) not in ("", None, []))
        self.identifiers_status.setText(
            "No identifiers recorded." if n == 0 else f"{n} kind{'s' if n != 1 else ''} of identifier recorded"
            f"{'' if self.identifiers_body.isVisible() else ' (hidden)'}.")
        for attr, w in self.ident_fields.items():
            value = getattr(ident, attr)
            if attr == "record_numbers":
                w.set_text("\n".join(f"{r.system}: {r.value}" if r.system else r.value for r in value))
            elif isinstance(value, list):
                w.set_text("\n".join(value))
            else:
                w.set_text(value or "")

    def _show_identifiers(self, on: bool) -> None:
        if on and not self.ident_fields:
            self._build_identifier_fields()
        self.identifiers_body.setVisible(on)
        self.identifiers_toggle.setText("Hide identifiers" if on else "Show identifiers")
        self.identifiers_toggle.setAccessibleName(self.identifiers_toggle.text())
        self._refresh_identifiers()

    # --- saving ----------------------------------------------------------------------------------

    def _save_patient(self, attr, value, label, error, widget) -> None:
        if not commit_field(self.session, "patient", attr, value, label=label, error=error, widget=widget):
            if isinstance(widget, (ChoiceCombo, CheckField)):
                widget.set_value(getattr(self.session.case.patient, attr))

    def detail_field(self, code: str) -> LineField:
        """The details field beside a ticked condition (made on first use)."""
        if code not in self.comorbidity_details:
            row, text = self._detail_slots[code]
            detail = LineField(f"{text}: details", placeholder="details, in the source's words")
            detail.committed.connect(lambda t, c=code: self._comorbidity_detail(c, t))
            self._comorbidity_grid.addWidget(detail, row, 3)
            lock_if_read_only(self.session, detail)
            QWidget.setTabOrder(self.comorbidity_absent[code], detail)
            self.comorbidity_details[code] = detail
        return self.comorbidity_details[code]

    def _set_comorbidity(self, code: str, state: str | None) -> None:
        """``state``: "has" (the patient has it), "absent" (the source says the patient does not), or
        None (not recorded). The two boxes of a condition exclude each other; its details are kept."""
        pt = copy.deepcopy(self.session.case.patient)
        entries = [c for c in pt.comorbidities if c.code == code]
        if state is None:
            pt.comorbidities = [c for c in pt.comorbidities if c.code != code]
        elif entries:
            for c in entries:
                c.absent = state == "absent"
        else:
            pt.comorbidities.append(Comorbidity(code=code, detail="", absent=state == "absent"))
        label = catalogue.comorbidities().get(code, code)
        text = {"has": f"Add comorbidity {label}", "absent": f"Record {label} as absent",
                None: f"Remove comorbidity {label}"}[state]
        self.session.save_single("patient", pt, text=text)
        if state is not None:
            self.detail_field(code).setFocus()

    def _comorbidity_detail(self, code: str, text: str) -> None:
        pt = copy.deepcopy(self.session.case.patient)
        for c in pt.comorbidities:
            if c.code == code:
                c.detail = text
                break
        else:
            pt.comorbidities.append(Comorbidity(code=code, detail=text))
        self.session.save_single("patient", pt, text="Edit comorbidity details")

    def _save_ident(self, attr, value, label, widget) -> None:
        commit_field(self.session, "identifiers", attr, value or (None if attr == "date_of_birth" else value),
                     label=label, error=self.ident_error, widget=widget)

    # --- navigation ------------------------------------------------------------------------------

    def focus_ref(self, ref: str) -> bool:
        self.complete()
        ref = ref.removeprefix("$.")
        if ref.startswith("medications/"):
            if self.medications.select(ref.split("/")[1]):
                reveal(self.medications.table.view)
                return True
            return False
        if ref.startswith("identifiers"):
            self.identifiers_toggle.setChecked(True)
            attr = ref.partition(".")[2].split("[")[0]
            reveal(self.ident_fields.get(attr, self.identifiers_toggle))
            return True
        if ref == "patient":
            reveal(self.fields["age_years"])
            return True
        m = re.fullmatch(r"patient\.comorbidities\[(\d+)\].*", ref)
        if m:
            items = self.session.case.patient.comorbidities
            n = int(m.group(1))
            if n < len(items) and items[n].code in self.comorbidity_checks:
                boxes = self.comorbidity_absent if items[n].absent else self.comorbidity_checks
                reveal(boxes[items[n].code])
                return True
        m = re.fullmatch(r"patient\.comorbidities/([\w-]+)", ref)  # a condition by its code, recorded or not
        if m and m.group(1) in self.comorbidity_checks:
            reveal(self.comorbidity_checks[m.group(1)])
            return True
        if ref.startswith("patient."):
            attr = ref.split(".")[1].split("[")[0].split("/")[0]
            w = self.fields.get(attr)
            if w is None:
                return False
            reveal(w)
            return True
        return False


def _parse_records(text: str) -> list[RecordNumber]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        system, sep, value = line.partition(":")
        out.append(RecordNumber(system.strip(), value.strip()) if sep else RecordNumber("", line))
    return out
