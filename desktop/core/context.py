"""Everything the rules share, computed once per ``assess`` call.

Labs are converted to canonical units and placed on the day axis once; lookups by analyte are
sorted lists; the first lesion onset, death and presentation are resolved once. Rules then read
these instead of walking the case again (2,000 labs and 500 observations stay well inside 50 ms).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from .. import catalogue, frequency
from ..catalogue import Analyte, UnknownUnit
from ..model import Case, LabResult, Lesion, Medication, Treatment, When
from ..timing import Placed, Timeline, describe, slack  # noqa: F401 (slack: the rules' import)
from . import labs as L
from .types import Evidence
from .wording import join

INF = float("inf")


@dataclass
class LabEntry:
    lab: LabResult
    analyte: Analyte
    value: float  # canonical unit
    placed: Placed | None
    index: int  # position in case.labs

    @property
    def day(self) -> float | None:
        return None if self.placed is None else self.placed.day

    @property
    def sort_key(self) -> tuple[float, int]:
        return (INF if self.placed is None else self.placed.day, self.index)


@dataclass
class LabProblem:
    lab: LabResult
    index: int
    kind: str  # "unknown-unit" | "unusable" | "implausible"
    detail: str
    placed: Placed | None


@dataclass
class WordResult:
    """A result the source gives in words only ("undetectable", "positive"), with no number."""
    lab: LabResult
    analyte: Analyte
    placed: Placed | None
    index: int


@dataclass
class Moment:
    """A resolved point of the case (an onset, a death) with where it comes from."""
    placed: Placed
    label: str
    ref: str

    @property
    def day(self) -> float:
        return self.placed.day


def time_key(when: When) -> tuple:
    return (when.date, when.offset, when.precision, when.event_id, when.age_years)


def on(placed: Placed | None) -> str:
    """A time for running text: 'on day 0', 'on day −61 (month −2, approximate)'."""
    if placed is None:
        return "at a time not recorded"
    text = describe(replace(placed, approximate=False))
    if placed.approximate:
        text = text[:-1] + ", approximate)" if text.endswith(")") else text + " (approximate)"
    return "on " + text


def names_anything(treatment) -> bool:
    """Whether a treatment says what was given: a row just added (no agent, class "other") reports nothing."""
    return bool(treatment.agent.strip()) or treatment.treatment_class != "other"


def treatment_name(treatment) -> str:
    """What a treatment is called in findings and evidence: its agent as written, else its class's label
    ("Hyperbaric oxygen", never the code "hyperbaric-oxygen"), else "a treatment with no name"."""
    if treatment.agent.strip():
        return treatment.agent.strip()
    if treatment.treatment_class != "other":
        return catalogue.treatment_classes().get(treatment.treatment_class, treatment.treatment_class)
    return "a treatment with no name"


def lower_first(label: str) -> str:
    """'Calcium, total' -> 'calcium, total' for use mid-sentence; acronyms ('PTH …') stay."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def unplaced(when: When | None, what: str = "time") -> str:
    """A time the day axis has no place for: recorded in some form ("at the time of" an undated
    event, or in the source's words) — "time recorded (postoperatively), not placed on the day
    axis" — or not recorded at all ("time not recorded")."""
    if when is not None and (when.is_set or when.label.strip()):
        label = " ".join(when.label.split())
        return f"{what} recorded ({label}), not placed on the day axis" if label else \
            f"{what} recorded, not placed on the day axis"
    return f"{what} not recorded"


def unplaced_start(when: When) -> str:
    return unplaced(when, "start")


def placed_or_not(placed: Placed | None, when: When | None) -> str:
    """The time of an evidence row: its place on the day axis, else what :func:`unplaced` says."""
    return describe(placed) if placed is not None else unplaced(when)


def on_or_not(placed: Placed | None, when: When | None) -> str:
    """A time for running text: "on day 0"; for a time recorded without a place, the source's words
    for it when it has them ('at a time recorded as "before the onset of symptoms"'), else "at a time
    not placed on the day axis"; else "at a time not recorded"."""
    if placed is None and when is not None and (when.is_set or when.label.strip()):
        label = " ".join(when.label.split())
        return f"at a time recorded as \u201c{label}\u201d" if label else "at a time not placed on the day axis"
    return on(placed)


class Context:
    def __init__(self, case: Case):
        self.case = case
        self.tl = Timeline(case)
        self.sites = catalogue.all_sites()
        self.sex = case.patient.sex
        self._placed: dict[tuple, Placed | None] = {}
        self.labs: list[LabEntry] = []
        self.lab_problems: list[LabProblem] = []
        self.by_analyte: dict[str, list[LabEntry]] = {}
        self.words: dict[str, list[WordResult]] = {}  # results in words only, by analyte
        analytes = catalogue.analytes()
        for i, lab in enumerate(case.labs):
            placed = self.place(lab.when)
            a = analytes.get(lab.analyte)
            if a is None:
                what = f"unknown analyte {lab.analyte!r}" if lab.analyte else "no analyte recorded"
                self.lab_problems.append(LabProblem(lab, i, "unusable", what, placed))
                continue
            if a.free:  # a result the catalogue does not list: everything that names it says its printed name
                a = replace(a, label=" ".join(lab.name.split()) or a.label, canonical_unit=lab.unit)
            if lab.value is None:
                if lab.qualitative is not None:
                    self.words.setdefault(a.code, []).append(WordResult(lab, a, placed, i))
                else:
                    self.lab_problems.append(LabProblem(lab, i, "unusable", f"{a.label} has no value", placed))
                continue
            try:
                value = a.to_canonical(lab.value, lab.unit)
            except UnknownUnit:
                self.lab_problems.append(LabProblem(lab, i, "unknown-unit", "", placed))
                continue
            if a.plausible is not None and not a.plausible["low"] <= value <= a.plausible["high"]:
                self.lab_problems.append(LabProblem(lab, i, "implausible", "", placed))
                continue
            entry = LabEntry(lab, a, value, placed, i)
            self.labs.append(entry)
            self.by_analyte.setdefault(a.code, []).append(entry)
        for entries in self.by_analyte.values():
            entries.sort(key=lambda e: e.sort_key)

    # --- results in words and flags -----------------------------------------------------------
    def flag(self, lab: LabResult) -> str:
        """H/L against the lab's range, else the default for the patient's sex, else the source's own mark."""
        return L.flag(lab, self.sex)

    def word_results(self, analyte: str) -> list[WordResult]:
        return self.words.get(analyte, [])

    def word_flagged(self, analyte: str, direction: str) -> list[WordResult]:
        """Results in words that say high ('elevated') or low ('low', 'undetectable'), or carry the
        source's own H/L mark."""
        return [w for w in self.word_results(analyte) if L.flag(w.lab, self.sex) == direction]

    def same_time(self, a: LabResult, a_placed: Placed | None, b: LabResult, b_placed: Placed | None) -> bool:
        """Whether two results belong to one timepoint: the same place on the day axis, or, when
        either has no place, the same event (or the same stated time)."""
        if a_placed is not None and b_placed is not None:
            return round(a_placed.day, 3) == round(b_placed.day, 3)
        return time_key(a.when) == time_key(b.when) and a.when.is_set

    # --- time --------------------------------------------------------------------------------
    def place(self, when: When | None) -> Placed | None:
        if when is None or not when.is_set:
            return None
        # equal times place equally: many results share "at the time of event X"
        key = (when.date, when.offset, when.precision, when.approximate, when.event_id, when.age_years)
        try:
            return self._placed[key]
        except KeyError:
            placed = self._placed[key] = self.tl.place(when)
            return placed

    def time(self, when: When | None) -> str:
        return describe(self.place(when))

    # --- labs ----------------------------------------------------------------------------------
    def results(self, analyte: str) -> list[LabEntry]:
        return self.by_analyte.get(analyte, [])

    def placed_results(self, analyte: str) -> list[LabEntry]:
        return [e for e in self.results(analyte) if e.placed is not None]

    def lab_evidence(self, e: LabEntry, label: str | None = None) -> Evidence:
        lab = e.lab
        # a result in words only ("normal") has no unit beside it
        return Evidence(label or e.analyte.label, L.reported_number(lab), lab.unit if lab.value is not None else "",
                        placed_or_not(e.placed, lab.when),
                        None if e.placed is None else round(e.placed.day, 4), f"labs/{lab.id}")

    def lab_text(self, e: LabEntry, *, other_system: bool = False) -> str:
        """'Albumin 2.9 g/dL on day 0 (approximate)' for running text."""
        return f"{e.analyte.label} {L.format_lab(e.lab, other_system=other_system)} {on_or_not(e.placed, e.lab.when)}"

    # --- lesions and onset ---------------------------------------------------------------------
    @cached_property
    def lesions(self) -> list[Lesion]:
        """The calciphylaxis lesions: other findings (a calcinosis nodule, an unrelated ulcer, a
        scar) are recorded but drive no site, distribution or tier rule."""
        return [les for les in self.case.lesions if les.nature == "calciphylaxis"]

    def site_class(self, lesion: Lesion) -> str:
        s = self.sites.get(lesion.site)
        return s.cls if s else ""

    def lesion_name(self, lesion: Lesion) -> str:
        s = self.sites.get(lesion.site)
        name = s.short if s else (lesion.site or "site not recorded")  # "thigh", not "thigh, aspect not stated"
        if lesion.laterality in ("left", "right", "bilateral"):
            name = f"{lesion.laterality} {name}"
        if lesion.count and lesion.count > 1:
            name += f" (×{lesion.count})"
        return name

    @cached_property
    def onset(self) -> Moment | None:
        """The first lesion onset: the earliest placed lesion onset or lesion_onset event."""
        best: Moment | None = None
        for les in self.lesions:
            p = self.place(les.onset)
            if p is not None and (best is None or p.day < best.day):
                # a lesion without a site is named by its number: "onset of lesion 1", not "onset of the
                # site not recorded lesion"
                label = (f"onset of the {self.lesion_name(les)} lesion" if les.site
                         else f"onset of lesion {self.case.lesions.index(les) + 1}")
                best = Moment(p, label, f"lesions/{les.id}")
        for ev in self.case.events:
            if ev.kind != "lesion_onset":
                continue
            p = self.place(ev.when)
            if p is not None and (best is None or p.day < best.day):
                best = Moment(p, ev.description or "lesion onset", f"events/{ev.id}")
        return best

    def after_onset(self, when: When) -> bool:
        """``when`` is clearly after the first lesion onset (allowing for the precision of both): a
        medicine started then cannot be a risk factor for that onset."""
        o, p = self.onset, self.place(when)
        return o is not None and p is not None and o.day + slack(o.placed) + slack(p) < p.day

    def onset_evidence(self) -> Evidence | None:
        o = self.onset
        if o is None:
            return None
        return Evidence("First lesion onset", o.label, "", describe(o.placed), round(o.day, 4), o.ref)

    @cached_property
    def has_lesions(self) -> bool:
        return bool(self.lesions) or any(e.kind == "lesion_onset" for e in self.case.events)

    @cached_property
    def death(self) -> Moment | None:
        best: Moment | None = None
        if self.case.outcome.status == "dead":
            p = self.place(self.case.outcome.when)
            if p is not None:
                best = Moment(p, "death", "outcome.when")
        for ev in self.case.events:
            if ev.kind == "death":
                p = self.place(ev.when)
                if p is not None and (best is None or p.day < best.day):
                    best = Moment(p, "death", f"events/{ev.id}")
        return best

    @cached_property
    def presentation(self) -> Moment | None:
        best: Moment | None = None
        for ev in self.case.events:
            if ev.kind == "presentation":
                p = self.place(ev.when)
                if p is not None and (best is None or p.day < best.day):
                    best = Moment(p, ev.description or "presentation", f"events/{ev.id}")
        return best

    # --- patient -------------------------------------------------------------------------------
    @cached_property
    def comorbidity_codes(self) -> set[str]:
        return {c.code for c in self.case.patient.comorbidities if not c.absent}

    def comorbidities(self, codes) -> list:
        """The conditions of these codes the patient has. One the source says the patient does not
        have ("non-diabetic") is a recorded negative, never a risk factor: :meth:`absent_comorbidities`."""
        codes = set(codes)
        return [c for c in self.case.patient.comorbidities if c.code in codes and not c.absent]

    def absent_comorbidities(self, codes) -> list:
        codes = set(codes)
        return [c for c in self.case.patient.comorbidities if c.code in codes and c.absent]

    @cached_property
    def taken_medications(self) -> list[Medication]:
        """The medicines the patient took: those the source says were not taken ("not on warfarin")
        are recorded negatives, never exposure."""
        return [m for m in self.case.medications if not m.not_taken]

    def meds(self, classes) -> list[Medication]:
        classes = set(classes)
        return [m for m in self.taken_medications if m.drug_class in classes]

    def none_taken(self, classes, noun: str) -> str:
        """What a finding says when no medicine of these classes was taken: "No calcimimetic is
        recorded.", or, when the source says some were not taken, that ("The source says the patient
        was not taking cinacalcet.")."""
        classes = set(classes)
        absent = [m.name.strip() or noun for m in self.case.medications if m.not_taken and m.drug_class in classes]
        if absent:
            return f"The source says the patient was not taking {join(absent, 'or')}."
        return f"No {noun} is recorded."

    def treatments(self, classes) -> list[Treatment]:
        classes = set(classes)
        return [t for t in self.case.treatments if t.treatment_class in classes]

    @cached_property
    def modality(self) -> str | None:
        """The dialysis modality at presentation: the patient's, else the latest period of the
        dialysis history (one without a stop, or the last one)."""
        pt = self.case.patient
        if pt.dialysis_modality is not None:
            return pt.dialysis_modality
        if pt.dialysis_history:
            open_ = [d for d in pt.dialysis_history if not d.stop.is_set]
            return (open_ or pt.dialysis_history)[-1].modality
        return None

    @cached_property
    def on_dialysis(self) -> bool:
        return self.modality in ("haemodialysis", "peritoneal") or self.case.patient.ckd_stage == "5D"

    @cached_property
    def dialysis_start(self) -> tuple[Placed | None, str, bool]:
        """(where dialysis started, the reference, whether a start is recorded at all): the
        patient's start, else the earliest placed start in the dialysis history."""
        pt = self.case.patient
        if pt.dialysis_start.is_set:
            return self.place(pt.dialysis_start), "patient.dialysis_start", True
        best, ref, recorded = None, "", False
        for i, d in enumerate(pt.dialysis_history):
            if d.modality == "none" or not d.start.is_set:
                continue
            recorded = True
            p = self.place(d.start)
            if p is not None and (best is None or p.day < best.day):
                best, ref = p, f"patient.dialysis_history[{i}].start"
        return best, ref or "patient.dialysis_history", recorded

    @cached_property
    def transplant(self) -> bool:
        pt = self.case.patient
        return pt.kidney_transplant == "yes" or pt.ckd_stage == "transplant" or pt.transplant_date.is_set

    def done(self, classes) -> list[Treatment]:
        """Treatments of ``classes`` recorded as given (for a parathyroidectomy: performed)."""
        return self.treatments(classes)

    @cached_property
    def weight(self) -> tuple[float, Evidence] | None:
        pt = self.case.patient
        if pt.weight_kg is not None:
            return pt.weight_kg, Evidence("Weight", L.format_number(pt.weight_kg), "kg", ref="patient.weight_kg")
        best = None
        for v in self.case.vitals:
            if v.kind != "weight" or v.value is None or v.unit not in ("kg", "lb"):
                continue
            p = self.place(v.when)
            key = (-INF if p is None else p.day)
            if best is None or key >= best[0]:
                best = (key, v, p)
        if best is None:
            return None
        _, v, p = best
        kg = v.value if v.unit == "kg" else v.value * 0.45359237
        return kg, Evidence("Weight", L.format_number(v.value), v.unit, describe(p),
                            None if p is None else round(p.day, 4), f"vitals/{v.id}")

    def _given_evidence(self, what: str, label: str, name: str, dose: float | None, dose_unit: str,
                        start, ref: str) -> Evidence:
        """Evidence for something given to the patient: its name with dose and unit, and its start."""
        value, unit = name or label, ""
        if dose is not None:
            value, unit = f"{value} {L.format_number(dose)}", dose_unit
        p = self.place(start)
        return Evidence(f"{what}, {label}", value, unit, "started " + describe(p) if p else unplaced_start(start),
                        None if p is None else round(p.day, 4), ref)

    def med_evidence(self, m: Medication) -> Evidence:
        label = lower_first(catalogue.medication_classes().get(m.drug_class, m.drug_class))
        return self._given_evidence("Medication", label, m.name, m.dose, m.dose_unit, m.start, f"medications/{m.id}")

    def med_text(self, m: Medication) -> str:
        text = m.name or catalogue.medication_classes().get(m.drug_class, m.drug_class)
        bits = []
        if m.dose is not None:
            bits.append(L.format_value(m.dose, m.dose_unit))
        if m.frequency:
            bits.append(m.frequency)
        elif m.frequency_basis is not None:  # as given: "three times a day", "every 8 hours"
            bits.append(frequency.words(m.doses_per_day, m.frequency_basis, "day"))
        p = self.place(m.start)
        if p is not None:
            bits.append("from " + on(p)[3:])
        return ", ".join([text, *bits])

    def treatment_evidence(self, t: Treatment) -> Evidence:
        label = lower_first(catalogue.treatment_classes().get(t.treatment_class, t.treatment_class))
        return self._given_evidence("Treatment", label, t.agent, t.dose, t.dose_unit, t.start, f"treatments/{t.id}")

    def treatment_text(self, t: Treatment) -> str:
        text = t.agent or catalogue.treatment_classes().get(t.treatment_class, t.treatment_class)
        p = self.place(t.start)
        return f"{text}, started {on(p)}" if p is not None else text
