"""The "Imaging & biopsy" section: imaging studies (with the vascular calcification they show),
biopsies (site, the lesion biopsied, result, findings, complications) and the diagnosis they lead
to (basis, reasoning, differentials, challenges, prognosis — CARE 8a–8d)."""
from __future__ import annotations

import copy
import re

from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from ... import catalogue, timing
from ...model import (
    Biopsy, BiopsyGrade, BiopsyResult, BiopsySpecimen, Case, DiagnosisBasis, Differential, DifferentialStatus,
    HistologyFeature, Imaging, ImagingModality,
)
from ..binding import PartForm
from ..checks_field import ChecksField
from ..fields import CheckField, ChoiceCombo, LineField, TextArea, TriStateCombo
from ..formatting import choices_of, label_of, when_text
from ..forms import SPACING, FieldError, add_row, align_labels, group, heading, hint_label, reveal, scroll_page
from ..list_editor import ListEditor
from ..session import CaseSession
from ..tables import Column
from ..when_editor import WhenEditor
from .lesion_sites import lesion_text


def site_choices() -> list[tuple[str, str]]:
    """Catalogue sites as (code, "region — site") in the catalogue's order, "not stated" first."""
    return [("", "not stated")] + [(s.code, f"{s.region} — {s.label}") for s in catalogue.all_sites().values()]


def site_text(code: str, detail: str = "") -> str:
    site = catalogue.all_sites().get(code)
    text = site.label if site else (code or "")
    if detail:
        text = f"{text} ({detail})" if text else detail
    return text or "not stated"


def lesion_choices(case: Case) -> list[tuple[str, str]]:
    """Each lesion as the Lesions section names it: "Lesion 2: left thigh", "Lesion 1: site not recorded"."""
    return [(les.id, f"Lesion {n}: {lesion_text(les)}") for n, les in enumerate(case.lesions, 1)]


class ImagingSection(QWidget):
    def __init__(self, session: CaseSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        page = scroll_page(self)
        page.addWidget(heading("Imaging & biopsy"))

        box = QGroupBox("Imaging studies")
        bl = QVBoxLayout(box)
        bl.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        self.imaging = ListEditor(session, [
            Column("Modality", lambda i: label_of(i.modality), keep=True),
            Column("Region", lambda i: i.region),
            Column("Vascular calcification", lambda i: i.vascular_calcification, keep=True),
            Column("When", lambda i: when_text(self._tl, i.when)),
            Column("Findings", lambda i: i.findings.split("\n")[0], tooltip=lambda i: i.findings, stretch=True),
        ], "imaging study", lambda: Imaging(), part="imaging", rows=2)
        ed = self.imaging
        ed.add_field("Modality", "modality", ChoiceCombo(choices_of(ImagingModality), "Imaging modality"))
        ed.add_field("Region", "region", LineField("Imaging region", placeholder="e.g. abdomen and pelvis"))
        ed.add_field("Vascular calcification", "vascular_calcification", TriStateCombo("Vascular calcification"),
                     tip="Did the study show vascular calcification?")
        ed.add_field("When", "when", WhenEditor("Imaging time", role="imaging.when"))
        ed.add_field("Findings", "findings", TextArea("Imaging findings", lines=4))
        bl.addWidget(ed)
        page.addWidget(box)

        box = QGroupBox("Biopsies")
        bl = QVBoxLayout(box)
        bl.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        bl.addWidget(hint_label("An inconclusive or negative biopsy does not exclude calciphylaxis; record what "
                                "was found and any complication (wounds from biopsies can heal poorly)."))
        self.biopsies = ListEditor(session, [
            Column("Site", lambda b: site_text(b.site, b.site_detail), tooltip=lambda b: site_text(b.site, b.site_detail)),
            Column("Lesion", lambda b: dict(lesion_choices(self.session.case)).get(b.lesion_id, "")),
            Column("Result", lambda b: label_of(b.result), keep=True),
            Column("When", lambda b: when_text(self._tl, b.when)),
            Column("Findings", lambda b: b.findings.split("\n")[0], tooltip=lambda b: b.findings, stretch=True),
        ], "biopsy", lambda: Biopsy(), part="biopsies", rows=2, on_load=self._biopsy_loaded)
        ed = self.biopsies
        ed.add_field("Site", "site", ChoiceCombo(site_choices(), "Biopsy site"))
        ed.add_field("Site detail", "site_detail", LineField("Biopsy site detail", placeholder="e.g. edge of the ulcer"))
        self.lesion_combo = ChoiceCombo([], "Lesion biopsied", allow_none=True, none_label="no lesion linked")
        err = FieldError()
        add_row(ed.form, "Lesion", self.lesion_combo, error=err,
                tip="Linking a lesion fills the site from it (change it if the biopsy was taken elsewhere).")
        ed.fields["lesion_id"], ed.errors["lesion_id"] = self.lesion_combo, err
        self.lesion_combo.committed.connect(self._lesion_linked)
        ed.add_field("Result", "result", ChoiceCombo(choices_of(BiopsyResult), "Biopsy result", allow_none=True))
        # the source's own grading, when finer than the result ("consistent with", "declined")
        ed.add_field("Grade", "grade", ChoiceCombo(choices_of(BiopsyGrade), "Biopsy grade", allow_none=True))
        ed.add_field("Specimen", "specimen", ChoiceCombo(choices_of(BiopsySpecimen), "Biopsy specimen",
                                                         allow_none=True))
        ed.add_field("Histology", "histology_stated",
                     CheckField("the source states the histology", "Histology stated by the source"))
        # the histological features the source names (the consensus' confirmed tier reads them)
        ed.add_field("Features", "features", ChecksField(choices_of(HistologyFeature), "Histological features"),
                     tip="The histological features the source reports (domain file §1)")
        ed.add_field("When", "when", WhenEditor("Biopsy time", role="biopsies.when"))
        ed.add_field("Findings", "findings", TextArea("Biopsy findings", lines=3))
        ed.add_field("Complications", "complications", TextArea("Biopsy complications", lines=2))
        bl.addWidget(ed)
        page.addWidget(box)
        diagnosis = self._build_diagnosis()
        page.addWidget(diagnosis)
        align_labels(self.imaging.form, self.biopsies.form, diagnosis.layout())
        page.addStretch(1)
        session.changed.connect(self._changed)
        self.refresh()

    def _biopsy_loaded(self, b: Biopsy) -> None:
        """The features are the histology the source states: with "the source states the histology"
        unticked there are none to tick (and the manuscript says the findings are not reported)."""
        features = self.biopsies.fields.get("features")
        if features is not None:
            features.setEnabled((b.histology_stated or bool(b.features)) and not self.session.read_only)

    def _lesion_linked(self, lesion_id: str | None) -> None:
        """Link the biopsy to a lesion and, in the same edit, take the lesion's site and site detail
        where the biopsy has none of its own (empty, or the previous lesion's); both stay editable."""
        b = self.biopsies.current()
        if b is None:
            return
        case = self.session.case
        new, old = case.lesion(lesion_id), case.lesion(b.lesion_id)
        site, detail = b.site, b.site_detail
        if new is not None:
            if not site or (old is not None and site == old.site):
                site = new.site
            if not detail or (old is not None and detail == old.site_detail):
                detail = new.site_detail
        self.biopsies.save(("lesion_id", "site", "site_detail"), (lesion_id, site, detail), "Lesion",
                           self.biopsies.errors["lesion_id"], self.lesion_combo)

    def _build_diagnosis(self) -> QGroupBox:
        box, form = group("Diagnosis")
        self.diagnosis = PartForm(self.session)
        f = self.diagnosis
        self.basis = f.add(form, "diagnosis", "basis", "Basis",
                           ChoiceCombo(choices_of(DiagnosisBasis, not_stated="made, basis not stated"),
                                       "Diagnosis basis"),
                           tip="What the diagnosis rests on: clinical findings, a biopsy, imaging; made but the source does not "
                               "say on what; or not made.")
        f.add(form, "diagnosis", "when", "When", WhenEditor("Diagnosis time", role="diagnosis.when"))
        f.add(form, "diagnosis", "reasoning", "Reasoning", TextArea("Diagnostic reasoning", lines=3),
              tip="CARE 8c: diagnostic reasoning, including the differential diagnosis")

        def put(items: list) -> bool:
            d = copy.deepcopy(self.session.case.diagnosis)
            d.differentials = items
            return self.session.save_single("diagnosis", d, text="Edit differential diagnoses")
        self.differentials = ListEditor(self.session, [
            Column("Differential diagnosis", lambda d: d.name, width_chars=34),
            Column("Status", lambda d: label_of(d.status), keep=True),
            Column("How", lambda d: d.how, tooltip=lambda d: d.how, stretch=True),
        ], "differential", lambda: Differential(), embedded=(lambda c: c.diagnosis.differentials, put), rows=2,
            build=self._build_differential_form)
        self.differentials.table.view.setAccessibleName("Differential diagnoses")
        add_label = form.rowCount()
        form.insertRow(add_label, "Differentials:", self.differentials)
        f.add(form, "diagnosis", "challenges", "Challenges", TextArea("Diagnostic challenges", lines=2),
              tip="CARE 8b: diagnostic challenges (access, financial, cultural)")
        f.add(form, "diagnosis", "prognosis", "Prognosis", TextArea("Prognostic characteristics", lines=2),
              tip="CARE 8d: prognostic characteristics where applicable")
        return box

    @staticmethod
    def _build_differential_form(ed: ListEditor) -> None:
        ed.add_field("Name", "name", LineField("Differential diagnosis", placeholder="e.g. warfarin necrosis"))
        ed.add_field("Status", "status", ChoiceCombo(choices_of(DifferentialStatus), "Differential status"))
        ed.add_field("How", "how", LineField("How it was excluded or considered", placeholder="e.g. biopsy findings"))

    def _changed(self, part: str) -> None:
        if part in ("imaging", "biopsies", "lesions", "diagnosis", "events", "case"):
            self.refresh()

    def refresh(self) -> None:
        self._tl = timing.Timeline(self.session.case)
        self.lesion_combo.set_choices(lesion_choices(self.session.case), allow_none=True,
                                      none_label="no lesion linked")
        self.imaging.refresh()
        self.biopsies.refresh()
        self.diagnosis.load()
        self.differentials.refresh()

    def focus_ref(self, ref: str) -> bool:
        for prefix, ed in (("imaging/", self.imaging), ("biopsies/", self.biopsies)):
            if ref.startswith(prefix):
                if ed.select(ref.split("/")[1]):
                    reveal(ed.table.view)
                    return True
                return False
        ref = ref.removeprefix("$.")
        if ref in ("imaging", "biopsies"):
            reveal((self.imaging if ref == "imaging" else self.biopsies).table.view)
            return True
        if ref == "diagnosis":
            reveal(self.basis)
            return True
        m = re.fullmatch(r"diagnosis\.differentials\[(\d+)\].*", ref)
        if m and self.differentials.select(int(m.group(1))):
            reveal(self.differentials.table.view)
            return True
        if ref.startswith("diagnosis."):
            attr = ref.split(".")[1].split("[")[0]
            w = self.differentials.table.view if attr == "differentials" else self.diagnosis.widget("diagnosis", attr)
            if w is not None:
                reveal(w)
                return True
        return False
