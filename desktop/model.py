"""The domain model of one case: plain dataclasses, no Qt, no SQL.

One name for one idea: the attribute names here are the keys of the JSON format, the keys of the
store's JSON columns and the field names the GUI and the audit log show.

Conventions
- Units live in field names (``weight_kg``) or in an explicit ``unit`` field; a bare number is a bug.
- ``None`` means "not recorded". A tri-state flag (``bool | None``) distinguishes "no" from "not
  recorded", which matters for the CARE checklist and for the rules.
- Times are :class:`When` values: a calendar date, an offset from the case's index event, or "at
  the time of" another event. Case reports speak in intervals ("2 months before admission"); the
  model keeps that as said rather than inventing a date.
- Every list entity has an ``id`` unique within its case, so references (a photo's lesion, a lab's
  anchoring event, the index event) survive export and import.
"""
from __future__ import annotations

import os
import reprlib
from dataclasses import dataclass, field
from typing import Literal

# --- vocabularies fixed by the format (catalogues that may grow live in resources/) -------------

Sex = Literal["male", "female", "other", "unknown"]
CaseStatus = Literal["draft", "submitted", "published"]
Precision = Literal["day", "week", "month", "year"]
DialysisModality = Literal["none", "haemodialysis", "peritoneal"]
GraftStatus = Literal["functioning", "failed", "removed", "unknown"]
Adherence = Literal["adherent", "non_adherent", "unknown"]
CkdStage = Literal["1", "2", "3", "3a", "3b", "4", "5", "5D", "transplant"]  # "3": stage 3, a or b not stated
Laterality = Literal["left", "right", "bilateral", "midline", "unspecified"]
Tri = Literal["yes", "no", "unknown"]
EventKind = Literal[
    "symptom_onset", "lesion_onset", "presentation", "examination", "laboratory", "imaging",
    "biopsy", "procedure", "treatment_start", "treatment_change", "treatment_stop",
    "complication", "recurrence", "discharge", "follow_up", "death", "other",
]
# "recurrence": a relapse, recurrence or exacerbation of the calciphylaxis after it had improved or healed
# the source's words for what a lesion looks like; resources/rules/tier.json maps each to the
# diagnostic tier's lesion classes (typical lesion / early change), or to none
Morphology = Literal[
    "livedo", "purpura", "plaque", "nodule", "ulcer", "eschar", "gangrene",
    "violaceous_discolouration", "red_black_discolouration", "retiform_purpura", "induration",
    "necrosis", "crust", "bulla", "hyperpigmentation", "erythema",
]
LesionNature = Literal["calciphylaxis", "calcinosis_nodule", "unrelated_ulcer", "scar", "other"]
Pain = Literal["present", "absent", "not_stated"]
# signs an examination or complication records in the source's words; the infection rule reads them
ClinicalSign = Literal["fever", "afebrile", "cellulitis", "abscess", "sepsis", "septic_shock", "bacteraemia",
                       "wound_infection"]
# each sign in words, for the manuscript and the exports' narratives
SIGN_WORDS: dict[str, str] = {"fever": "fever", "afebrile": "afebrile", "cellulitis": "cellulitis", "abscess": "abscess",
                              "sepsis": "sepsis", "septic_shock": "septic shock", "bacteraemia": "bacteraemia",
                              "wound_infection": "wound infection"}
TissueType = Literal["closed", "epithelial", "granulation", "slough", "necrotic"]  # PUSH 3.0
ExudateAmount = Literal["none", "light", "moderate", "heavy"]  # PUSH 3.0
ExudateType = Literal["none", "bloody", "serosanguineous", "serous", "purulent"]
DialysisContext = Literal["pre", "post", "none", "unknown"]
Comparator = Literal["=", "<", ">", "<=", ">="]
ImagingModality = Literal["ct", "xray", "mammography", "ultrasound", "mri", "bone_scintigraphy", "other"]
BiopsyResult = Literal["confirmed", "inconclusive", "negative", "not_done", "planned"]
# the source's grading when it is finer than the result: "consistent with", "declined" (a biopsy
# not done because the patient declined). Kept beside ``result`` so readers of ``result`` stay valid.
BiopsyGrade = Literal["confirmed", "consistent_with", "inconclusive", "negative", "not_done", "declined"]
BiopsySpecimen = Literal["skin_biopsy", "punch_biopsy", "deep_incisional_biopsy", "excisional_biopsy",
                         "resection_specimen", "amputation_specimen", "autopsy", "other"]
# the histological features of the 2023 consensus' confirmed tier (domain file §1), plus others named
HistologyFeature = Literal["microvascular_calcification", "intimal_fibrosis", "microthrombosis",
                           "extravascular_calcium", "ischaemic_necrosis", "fat_necrosis", "panniculitis",
                           "inflammation"]
# a lab result the source prints in words, with or without a number
Qualitative = Literal["undetectable", "normal", "elevated", "low", "positive", "negative", "no_growth"]
AuthorFlag = Literal["H", "L", "normal"]
TreatmentKind = Literal["drug", "procedure", "other"]
# how the source gives a frequency ("3 times a day", "every 8 hours", "as needed"); the rate is
# held in one number the rules read (times_per_week, doses_per_day): desktop/frequency.py
FrequencyBasis = Literal["per_day", "per_week", "every_hours", "as_needed"]
Response = Literal["improved", "stable", "no_improvement", "worsened", "not_assessed"]
OutcomeStatus = Literal["alive", "dead", "lost_to_follow_up", "unknown"]
WoundHealing = Literal["healed", "improved", "unchanged", "worsened", "unknown"]
ConsentGiver = Literal["patient", "next_of_kin", "none"]
DifferentialStatus = Literal["excluded", "considered", "not_excluded"]
# "not_stated": the diagnosis was made, but the source does not say what it rests on ("who developed
# calciphylaxis with ... ulcers"); "not_made": no diagnosis is recorded
DiagnosisBasis = Literal["clinical", "biopsy", "imaging", "not_stated", "not_made"]
ReferenceType = Literal["article-journal", "book", "chapter", "report", "webpage", "thesis",
                        "paper-conference", "other"]  # CSL item types


class _Record:
    """The equality and the repr of every model class, written once. The dataclass decorator compiles
    both for each class it makes (with ``__init__``, three generated functions per class): two thirds
    of the model's import time, which the window pays before it can paint a case (issue 16). They
    behave as the decorator's would: equal when of the same class with equal fields (compared as one
    tuple, so a field that is the same object counts as equal), never hashable, and
    "When(date=None, offset=-42.0, ...)" as the repr, guarded against recursion."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  (mutable records: as dataclass(eq=True) leaves them)

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)  # type: ignore[attr-defined]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        names = self.__dataclass_fields__  # type: ignore[attr-defined]
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(names, self._values()))
        return f"{self.__class__.__qualname__}({inner})"


def new_id() -> str:
    # Twelve random hex digits (the random part of a UUID4) without importing uuid, which costs
    # start-up time the window pays before its first paint.
    return os.urandom(6).hex()


# --- time -------------------------------------------------------------------------------------

@dataclass(repr=False, eq=False)
class When(_Record):
    """When something happened, as the source says it.

    - ``date``: an ISO calendar date (``YYYY-MM-DD``); identifying, so exporters turn it into an offset;
    - ``offset``: a signed amount of ``precision`` units from the case's index event (negative =
      before), e.g. ``offset=-2, precision="month"`` for "2 months before admission";
    - ``event_id``: at the time of another event ("when the penile lesion first appeared"); with an
      ``offset`` too, that many units from that event ("3 months after discharge");
    - ``age_years``: at an age of the patient ("at 45 years of age"), placed from the age at
      presentation with year precision.
    A date may be a whole date, a month (``YYYY-MM``, precision "month") or a year (``YYYY``,
    precision "year"); "N years before" is an offset with precision "year". A date excludes the others; nothing set means the time is unknown. ``approximate`` marks times
    the source gives loosely; ``label`` keeps the source's own words.
    """
    date: str | None = None
    offset: float | None = None
    precision: Precision = "day"
    approximate: bool = False
    event_id: str | None = None
    label: str = ""  # the source's own words, e.g. "during admission"
    age_years: float | None = None  # "at age 45": placed from the patient's age at presentation

    @property
    def is_set(self) -> bool:
        return (self.date is not None or self.offset is not None or self.event_id is not None
                or self.age_years is not None)


# --- people -----------------------------------------------------------------------------------

@dataclass(repr=False, eq=False)
class Author(_Record):
    """An author of the report, as the title page and the submission package list them."""
    name: str = ""
    affiliations: list[str] = field(default_factory=list)
    email: str = ""
    orcid: str = ""
    corresponding: bool = False
    contribution: str = ""


@dataclass(repr=False, eq=False)
class RecordNumber(_Record):
    """A medical record, health plan, account or device number: an identifier, never exported."""
    system: str = ""  # "MRN", "health plan", "account", "licence", "vehicle", "device", ...
    value: str = ""


@dataclass(repr=False, eq=False)
class Identifiers(_Record):
    """The patient's direct identifiers (HIPAA Safe Harbor classes), kept apart from the clinical
    record: the store keeps them in their own table and every exporter drops them by default."""
    given_names: str = ""
    family_name: str = ""
    date_of_birth: str | None = None
    record_numbers: list[RecordNumber] = field(default_factory=list)
    street: str = ""
    city: str = ""
    county: str = ""
    state: str = ""
    zip_code: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    ssn: str = ""
    urls: list[str] = field(default_factory=list)
    ip_addresses: list[str] = field(default_factory=list)
    relatives: list[str] = field(default_factory=list)  # names of relatives, employers, household
    other: list[str] = field(default_factory=list)  # any other unique identifying characteristic

    def is_empty(self) -> bool:
        return self == Identifiers()


@dataclass(repr=False, eq=False)
class Comorbidity(_Record):
    """A condition the patient has, or, ``absent``, one the source says the patient does not have
    ("non-diabetic", "normal parathyroid function"): a recorded negative, never a risk factor."""
    code: str = ""  # resources/catalogues/comorbidities.json
    detail: str = ""
    absent: bool = False


@dataclass(repr=False, eq=False)
class Medication(_Record):
    """A medicine the patient took (history), as opposed to a treatment of the calciphylaxis."""
    id: str = field(default_factory=new_id)
    name: str = ""
    drug_class: str = "other"  # resources/catalogues/medication_classes.json
    dose: float | None = None
    dose_unit: str = ""
    route: str = ""
    frequency: str = ""
    doses_per_day: float | None = None  # e.g. insulin injections a day (risk grows with them)
    frequency_basis: FrequencyBasis | None = None  # how doses_per_day was given; None: per day
    start: When = field(default_factory=When)
    stop: When = field(default_factory=When)
    note: str = ""
    # the source states the patient was not taking it ("she was not on warfarin"): a recorded negative,
    # which the rules never count as exposure (FHIR MedicationStatement.status "not-taken")
    not_taken: bool = False


@dataclass(repr=False, eq=False)
class DialysisPeriod(_Record):
    """One period of one kidney replacement modality ("peritoneal dialysis for 3 years, then
    haemodialysis after peritonitis")."""
    modality: DialysisModality = "haemodialysis"
    start: When = field(default_factory=When)
    stop: When = field(default_factory=When)
    reason: str = ""  # why it started or changed, in the source's words
    sessions_per_week: float | None = None


@dataclass(repr=False, eq=False)
class Patient(_Record):
    """Who the patient is, the kidney history, the comorbidities and the author's histories (CARE 5)."""
    age_years: int | None = None  # at presentation
    age_over_89: bool = False  # de-identified form of an age over 89: printed "90 or older"
    sex: Sex = "unknown"
    ethnicity: str = ""
    weight_kg: float | None = None
    height_cm: float | None = None
    ckd_stage: CkdStage | None = None
    # the kidney disease's cause as the source gives it: "diabetic nephropathy", "membranous and
    # crescentic glomerulonephritis", "polycystic kidney disease"
    kidney_disease_cause: str = ""
    dialysis_modality: DialysisModality | None = None
    dialysis_start: When = field(default_factory=When)
    kidney_transplant: Tri = "unknown"
    transplant_date: When = field(default_factory=When)
    graft_status: GraftStatus | None = None
    dialysis_history: list[DialysisPeriod] = field(default_factory=list)  # modality changes over time
    dialysis_adherence: Adherence = "unknown"
    adherence_detail: str = ""  # "missed many sessions; about once weekly for 4 months"
    comorbidities: list[Comorbidity] = field(default_factory=list)
    history: str = ""  # medical history in the author's words
    family_history: str = ""
    social_history: str = ""
    presenting_concerns: str = ""  # main concerns and symptoms (CARE 5b)
    past_interventions: str = ""  # relevant past interventions and outcomes (CARE 5d)


# --- the episode --------------------------------------------------------------------------------

@dataclass(repr=False, eq=False)
class Event(_Record):
    """A dated or relative moment of the case's story; the Timeline lists them in time order."""
    id: str = field(default_factory=new_id)
    kind: EventKind = "other"
    description: str = ""
    when: When = field(default_factory=When)
    signs: list[ClinicalSign] = field(default_factory=list)  # what the source states was found


@dataclass(repr=False, eq=False)
class Vital(_Record):
    """A vital sign at a time (blood pressure, temperature, pulse...), with its unit."""
    id: str = field(default_factory=new_id)
    kind: str = ""  # resources/catalogues/vitals.json: systolic_bp, diastolic_bp, temperature, ...
    value: float | None = None
    unit: str = ""
    when: When = field(default_factory=When)
    note: str = ""


@dataclass(repr=False, eq=False)
class BwatCua(_Record):
    """The six verified BWAT-CUA items, each 1 (best) to 5 (worst). The other two items of the
    instrument are unverified, so no total is ever computed (domain file §6)."""
    necrotic_tissue_type: int | None = None
    necrotic_tissue_amount: int | None = None
    exudate_type: int | None = None
    exudate_amount: int | None = None
    skin_colour_surrounding: int | None = None
    peripheral_tissue_oedema: int | None = None


@dataclass(repr=False, eq=False)
class Observation(_Record):
    """A lesion as seen at one time: its size in mm, appearance, wound bed and scores."""
    id: str = field(default_factory=new_id)
    when: When = field(default_factory=When)
    length_mm: float | None = None
    width_mm: float | None = None
    depth_mm: float | None = None
    morphology: list[Morphology] = field(default_factory=list)
    ulcerated: Tri = "unknown"
    tissue_type: TissueType | None = None  # worst tissue present (PUSH)
    exudate_type: ExudateType | None = None
    exudate_amount: ExudateAmount | None = None
    surrounding_skin: str = ""
    oedema: Tri = "unknown"
    odour: Literal["none", "present", "foul"] | None = None
    purulence: Tri = "unknown"
    pain_0_10: int | None = None
    pain: Pain = "not_stated"  # "painful" / "painless" as the source says, with or without a score
    pain_0_100: int | None = None  # a VAS score 0-100 (CALCIPHYX)
    bwat: BwatCua = field(default_factory=BwatCua)
    note: str = ""


@dataclass(repr=False, eq=False)
class Lesion(_Record):
    """A lesion site on the body map, with its onset, its nature and its serial observations."""
    id: str = field(default_factory=new_id)
    site: str = ""  # resources/catalogues/sites.json
    laterality: Laterality = "unspecified"  # the patient's left/right
    site_detail: str = ""  # "distal", "several finger pads, fingers not stated"
    count: int | None = None  # how many lesions this entry stands for, when the source groups them
    onset: When = field(default_factory=When)
    cause: str = ""  # e.g. "finger-stick glucose sampling site"
    iatrogenic: Tri = "unknown"
    description: str = ""
    nature: LesionNature = "calciphylaxis"  # only calciphylaxis lesions drive site and tier rules
    observations: list[Observation] = field(default_factory=list)


@dataclass(repr=False, eq=False)
class LabResult(_Record):
    """A laboratory value with its unit, reference range and time, or a result given in words."""
    id: str = field(default_factory=new_id)
    analyte: str = ""  # resources/catalogues/analytes.json; "other" for one it does not list...
    name: str = ""  # ...named as the source prints it ("neutrophil-to-lymphocyte ratio (NLR)"); only for "other"
    value: float | None = None
    # the digits after the decimal point as the source prints the value or the author typed it
    # ("9.0" -> 1, "3.7" -> 1, "4" -> 0), which a float does not keep; None: not known
    decimals: int | None = None
    comparator: Comparator = "="
    unit: str = ""  # as reported; required
    ref_low: float | None = None  # reference range as reported, in ``unit``
    ref_high: float | None = None
    when: When = field(default_factory=When)
    dialysis_context: DialysisContext = "unknown"
    expected_abnormal: bool = False
    note: str = ""
    qualitative: Qualitative | None = None  # "undetectable", "normal", "positive"... with or without a value
    author_flag: AuthorFlag | None = None  # the source's own H/L mark, used when no range is printed
    as_printed: bool = False  # keep a value or unit the checks would stop, exactly as the source prints it
    specimen: str = ""  # cultures: "wound", "blood", "tissue"
    organism: str = ""  # cultures: the organism grown, as printed


@dataclass(repr=False, eq=False)
class Imaging(_Record):
    """An imaging study: modality, region, findings in the source's words, vascular calcification."""
    id: str = field(default_factory=new_id)
    modality: ImagingModality = "other"
    region: str = ""
    findings: str = ""
    vascular_calcification: Tri = "unknown"
    when: When = field(default_factory=When)


@dataclass(repr=False, eq=False)
class Biopsy(_Record):
    """A biopsy: site or lesion, specimen, result and grade, histological features, complications."""
    id: str = field(default_factory=new_id)
    site: str = ""  # sites.json code, or empty
    site_detail: str = ""
    lesion_id: str | None = None
    result: BiopsyResult | None = None  # None: not recorded (a biopsy entered before its result is known)
    grade: BiopsyGrade | None = None  # when set, the assessment reads it instead of result
    specimen: BiopsySpecimen | None = None
    features: list[HistologyFeature] = field(default_factory=list)
    histology_stated: bool = True  # False: the source reports a biopsy but not its histology
    findings: str = ""
    complications: str = ""
    when: When = field(default_factory=When)


@dataclass(repr=False, eq=False)
class Treatment(_Record):
    """A treatment of the calciphylaxis (a drug, a procedure, wound care), its schedule and response."""
    id: str = field(default_factory=new_id)
    kind: TreatmentKind = "drug"
    agent: str = ""  # drug or procedure name
    treatment_class: str = "other"  # resources/catalogues/treatment_classes.json
    dose: float | None = None
    dose_unit: str = ""
    route: str = ""
    schedule: str = ""
    times_per_week: float | None = None
    frequency_basis: FrequencyBasis | None = None  # how times_per_week was given; None: per week
    during_dialysis: Tri = "unknown"
    start: When = field(default_factory=When)
    stop: When = field(default_factory=When)
    duration_text: str = ""  # "1-week course"
    indication: str = ""
    culture_directed: Tri = "unknown"  # antibiotics chosen by a culture's result
    response: Response | None = None
    response_detail: str = ""
    adverse_events: str = ""
    # the author's override: True = part of the history (patient information), False = of this episode
    # of care (therapeutic intervention); None = decided by its start against the index event
    history: bool | None = None


@dataclass(repr=False, eq=False)
class Differential(_Record):
    """A differential diagnosis and whether, and how, it was excluded."""
    name: str = ""
    status: DifferentialStatus = "considered"
    how: str = ""


@dataclass(repr=False, eq=False)
class Diagnosis(_Record):
    """The diagnosis of calciphylaxis: its basis, when it was made, the reasoning and differentials."""
    basis: DiagnosisBasis = "not_made"
    when: When = field(default_factory=When)
    reasoning: str = ""
    differentials: list[Differential] = field(default_factory=list)
    challenges: str = ""  # CARE 8b
    prognosis: str = ""  # CARE 8d


@dataclass(repr=False, eq=False)
class Outcome(_Record):
    """How the case ended: status, wound healing, amputation and the outcomes CARE 10 asks for."""
    status: OutcomeStatus = "unknown"
    when: When = field(default_factory=When)  # death or last follow-up
    cause_of_death: str = ""
    wound_healing: WoundHealing = "unknown"
    amputation: Tri = "unknown"
    amputation_detail: str = ""
    hospitalisations: str = ""
    patient_assessed: str = ""  # patient-assessed outcomes (CARE 10a)
    adherence: str = ""  # adherence and tolerability (CARE 10c)
    adverse_events: str = ""  # CARE 10d
    summary: str = ""


@dataclass(repr=False, eq=False)
class Manuscript(_Record):
    """The author's own text of the report, section by section (CARE 3, 4, 5-11)."""
    abstract_background: str = ""
    abstract_case: str = ""
    abstract_conclusions: str = ""
    introduction: str = ""
    clinical_findings: str = ""
    diagnostic_assessment: str = ""
    therapeutic_intervention: str = ""
    follow_up: str = ""
    discussion: str = ""
    conclusions: str = ""
    patient_perspective: str = ""
    acknowledgements: str = ""
    ethics: str = ""
    competing_interests: str = ""
    funding: str = ""
    data_availability: str = ""
    references: list[str] = field(default_factory=list)


@dataclass(repr=False, eq=False)
class Consent(_Record):
    """The patient's consent to publication: who gave it, when, and whether it covers images."""
    given_by: ConsentGiver = "none"
    date: str | None = None  # ISO date the consent was signed
    covers_images: bool = False
    note: str = ""

    @property
    def recorded(self) -> bool:
        return self.given_by != "none"


@dataclass(repr=False, eq=False)
class Figure(_Record):
    """An image of the case (a photo or an imaging figure) with its caption and what it shows."""
    id: str = field(default_factory=new_id)
    mime: str = "image/jpeg"
    data: bytes | None = None  # None when loaded without image bytes
    sha256: str = ""
    width_px: int | None = None
    height_px: int | None = None
    caption: str = ""
    lesion_id: str | None = None
    event_id: str | None = None
    imaging_id: str | None = None
    identifying: bool = False  # shows a face or another identifying feature
    in_report: bool = True
    # set on the way in (GUI attach, JSON import) by the offline face detector (desktop.privacy.faces):
    # the image may show a face, so a final export needs ``consent_covers_image``
    may_show_face: bool = False
    # the detector has looked at these bytes. False for images stored before the check existed (their
    # ``may_show_face`` false means "never looked", not "no face"): the window checks them after a
    # library opens, and every export checks any left before it decides (desktop.app.faces)
    face_checked: bool = False
    consent_covers_image: bool = False  # the author confirms the consent for publication covers this image
    source: str = ""  # provenance, e.g. "Smilnak et al. 2022, Fig. 1 (not reproduced)"


@dataclass(repr=False, eq=False)
class Reference(_Record):
    """One item of the manuscript's reference list, CSL-like. The manuscript cites it with a readable
    marker ``[@key]``; the number it gets is worked out from the text (order of first citation), never
    stored. DOI and PMID are kept as imported and never looked up online.

    ``authors``: each a person as "Family, Given" ("Smilnak, Gordon J.") or, without a comma, a
    corporate author ("KDIGO CKD-MBD Work Group"); a corporate name that contains a comma is written
    in braces ("{Centers for Disease Control, Atlanta}")."""
    id: str = field(default_factory=new_id)
    key: str = ""  # the citation key of the markers, unique within the case: "smilnak2022"
    type: ReferenceType = "article-journal"
    title: str = ""
    authors: list[str] = field(default_factory=list)
    container: str = ""  # journal, book (of a chapter), website
    container_short: str = ""  # the journal's abbreviation, as Vancouver styles print it: "J Med Case Rep"
    year: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""  # "223" or "1211-9"; an article number goes here too
    publisher: str = ""
    place: str = ""
    doi: str = ""  # bare, as written (compared without case): "10.1186/1752-1947-7-223"
    pmid: str = ""
    url: str = ""
    note: str = ""


@dataclass(repr=False, eq=False)
class Case(_Record):
    """One case report: the patient, the story, the findings, the treatments, the outcome and the text."""
    id: str = field(default_factory=new_id)
    title: str = ""
    short_title: str = ""  # running head
    status: CaseStatus = "draft"
    keywords: list[str] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    index_event_id: str | None = None  # day 0
    source: str = ""  # provenance and licence, e.g. for the demo case
    patient: Patient = field(default_factory=Patient)
    identifiers: Identifiers = field(default_factory=Identifiers)
    medications: list[Medication] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    vitals: list[Vital] = field(default_factory=list)
    lesions: list[Lesion] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    imaging: list[Imaging] = field(default_factory=list)
    biopsies: list[Biopsy] = field(default_factory=list)
    treatments: list[Treatment] = field(default_factory=list)
    diagnosis: Diagnosis = field(default_factory=Diagnosis)
    outcome: Outcome = field(default_factory=Outcome)
    manuscript: Manuscript = field(default_factory=Manuscript)
    consent: Consent = field(default_factory=Consent)
    figures: list[Figure] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    # lookups used by every layer
    def event(self, event_id: str | None) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)

    def lesion(self, lesion_id: str | None) -> Lesion | None:
        return next((l for l in self.lesions if l.id == lesion_id), None)

    @property
    def index_event(self) -> Event | None:
        return self.event(self.index_event_id)


# The parts of a case that the store keeps as rows of their own, with the class of each row.
# Single parts are one object per case; list parts are ordered collections with ids.
SINGLE_PARTS: dict[str, type] = {
    "patient": Patient, "diagnosis": Diagnosis, "outcome": Outcome,
    "manuscript": Manuscript, "consent": Consent,
}
LIST_PARTS: dict[str, type] = {
    "medications": Medication, "events": Event, "vitals": Vital, "lesions": Lesion,
    "labs": LabResult, "imaging": Imaging, "biopsies": Biopsy, "treatments": Treatment,
    "references": Reference,
}
CASE_FIELDS = ("title", "short_title", "status", "keywords", "authors", "index_event_id", "source")
