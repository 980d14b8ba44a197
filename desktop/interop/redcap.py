"""REDCap data dictionary and import data, from one field definition.

REDCap is what multi-centre registries run on. The dictionary (18 columns in REDCap's exact order)
and the import CSV are generated from the same :data:`FORMS` list, so they cannot disagree: a data
column exists only because a field defines it. Choices are coded ``1, Yes | 2, No`` with codes that
never change (the catalogues' ``redcap`` numbers and resources/interop/redcap_codes.json); a checkbox
becomes one ``field___code`` column per choice; labs, lesions, their observations, events,
medications, imaging, biopsies and treatments are repeating instruments. Times are days from day 0
(the case's index event), never dates; identifier fields are marked ``y`` and left out of
de-identified data.
"""
from __future__ import annotations

from .csvsafe import write_csv
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable, Iterable, get_args

from .. import catalogue, model
from ..core import labs
from ..model import Case, When
from ..timing import Timeline

DICTIONARY_COLUMNS = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
]


@dataclass
class Field:
    name: str
    ftype: str  # text, notes, dropdown, radio, checkbox, yesno
    label: str
    get: Callable[[Any, "Ctx"], Any]  # (case or item, ctx) -> value (a choice key, list for checkbox)
    choices: list[tuple[str, str]] | None = None  # (key in our model, label); coded 1..n in REDCap
    validation: str = ""
    vmin: str = ""
    vmax: str = ""
    identifier: bool = False
    note: str = ""

    def codes(self) -> list[tuple[int, str, str]]:
        """(REDCap code, key in our model, label) of each choice: the stable code the catalogue or
        resources/interop/redcap_codes.json gives it, never its position."""
        table = _stable_codes().get(self.name, {})
        out = []
        for key, label in self.choices or []:
            if key not in table:
                raise KeyError(f"{self.name}: choice {key!r} has no REDCap code; give it the next free number "
                               f"in its catalogue ('redcap') or in resources/interop/redcap_codes.json")
            out.append((table[key], key, label))
        return out


@dataclass
class Form:
    name: str
    label: str
    fields: list[Field]
    items: Callable[[Case], list] | None = None  # repeating instrument: the items of a case
    identifiers: bool = False


@dataclass
class Ctx:
    case: Case
    timeline: Timeline
    lesion_numbers: dict[str, int] = field(default_factory=dict)


# fields whose choices are a catalogue: the codes are the entries' own "redcap" numbers
CATALOGUE_FIELDS = {"lesion_site": ("sites.json", "sites"), "bx_site": ("sites.json", "sites"),
                    "lab_analyte": ("analytes.json", "analytes"), "comorbidities": ("comorbidities.json", "comorbidities"),
                    "med_class": ("medication_classes.json", "classes"), "tx_class": ("treatment_classes.json", "classes")}


@cache
def _stable_codes() -> dict[str, dict[str, int]]:
    out = {name: dict(codes) for name, codes in catalogue.load_json("interop", "redcap_codes.json")["fields"].items()}
    for name, (file, key) in CATALOGUE_FIELDS.items():
        data = catalogue.load_json("catalogues", file)
        entries = data[key] + (data.get("coarse_sites", []) if file == "sites.json" else [])  # "thigh, aspect not stated"
        out[name] = {e["code"]: e["redcap"] for e in entries if "redcap" in e}
    return out


def _literal(tp) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in get_args(tp)]


def _day(when: When, ctx: Ctx) -> str:
    placed = ctx.timeline.place(when)
    return "" if placed is None else f"{placed.day:.6g}"


def _approx(when: When, ctx: Ctx) -> str:
    placed = ctx.timeline.place(when)
    return "" if placed is None else placed.approximate


TRI = [("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")]


def _when_fields(prefix: str, label: str, attr: str) -> list[Field]:
    g = lambda o: getattr(o, attr)  # noqa: E731
    return [
        Field(f"{prefix}_day", "text", f"{label}: days from day 0 (negative = before)",
              lambda o, c: _day(g(o), c), validation="number",
              note="Day 0 is the case's index event. Dates are never exported."),
        Field(f"{prefix}_approx", "yesno", f"{label}: approximate?", lambda o, c: _approx(g(o), c)),
        Field(f"{prefix}_words", "text", f"{label}: as the source words it", lambda o, c: g(o).label),
    ]


# REDCap variable names stay within 26 characters (its limit for names that export well)
BWAT_VARIABLES = {"necrotic_tissue_type": "necrotic_tissue_type", "necrotic_amount": "necrotic_tissue_amount",
                  "exudate_type": "exudate_type", "exudate_amount": "exudate_amount",
                  "skin_colour": "skin_colour_surrounding", "peripheral_oedema": "peripheral_tissue_oedema"}


def _flag_range(lab, end: str):
    rr = labs.reference_range(lab)
    if rr is None:
        return None
    return {"low": rr.low, "high": rr.high, "unit": rr.unit,
            "source": "laboratory" if rr.source == "reported" else rr.source}[end]


def _lab_loinc(lab) -> str:
    from .fhir import loinc_for
    lo = loinc_for(lab.analyte, lab.unit)
    return lo["code"] if lo else ""


def _site_class(site: str) -> str | None:
    """The class of a lesion's site, a coarse one ("finger, which finger and part not stated") included: the
    class the fine sites under it share; none for a site with no class ("leg, level not stated")."""
    s = catalogue.all_sites().get(site)
    return s.cls if s is not None and s.cls != "unclassified" else None


def _catalogue_choices(d: dict[str, str]) -> list[tuple[str, str]]:
    return list(d.items())


def _forms() -> list[Form]:
    sites = [(code, s.label) for code, s in catalogue.all_sites().items()]
    analytes = [(code, a.label) for code, a in catalogue.analytes().items()]
    forms = [
        Form("case", "Case", [
            Field("record_id", "text", "Record ID", lambda c, x: c.id),
            Field("case_title", "text", "Title", lambda c, x: c.title),
            Field("case_status", "dropdown", "Status", lambda c, x: c.status, _literal(model.CaseStatus)),
            Field("case_keywords", "notes", "Keywords (one per line)", lambda c, x: "\n".join(c.keywords)),
            Field("index_event", "text", "Day 0 (the index event)",
                  lambda c, x: c.index_event.description if c.index_event else ""),
        ]),
        Form("patient", "Patient", [
            Field("age_years", "text", "Age at presentation (years)", lambda c, x: c.patient.age_years,
                  validation="integer", vmin="0", vmax="89", note="Ages over 89 are exported as '90 or older'"),
            Field("age_90_or_older", "yesno", "Age 90 or older", lambda c, x: c.patient.age_over_89),
            Field("sex", "radio", "Sex", lambda c, x: c.patient.sex, _literal(model.Sex)),
            Field("ethnicity", "text", "Ethnicity", lambda c, x: c.patient.ethnicity),
            Field("weight_kg", "text", "Weight (kg)", lambda c, x: c.patient.weight_kg, validation="number",
                  vmin="0.5", vmax="500"),
            Field("height_cm", "text", "Height (cm)", lambda c, x: c.patient.height_cm, validation="number",
                  vmin="30", vmax="260"),
            Field("ckd_stage", "dropdown", "CKD stage", lambda c, x: c.patient.ckd_stage, _literal(model.CkdStage)),
            Field("dialysis_modality", "radio", "Dialysis modality", lambda c, x: c.patient.dialysis_modality,
                  _literal(model.DialysisModality)),
            *[Field(f.name, f.ftype, f.label, (lambda g: lambda c, x: g(c.patient, x))(f.get), validation=f.validation,
                    note=f.note) for f in _when_fields("dialysis_start", "Dialysis start", "dialysis_start")],
            Field("kidney_transplant", "radio", "Kidney transplant", lambda c, x: c.patient.kidney_transplant, TRI),
            Field("comorbidities", "checkbox", "Comorbidities", lambda c, x: [m.code for m in c.patient.comorbidities],
                  _catalogue_choices(catalogue.comorbidities())),
            Field("comorbidity_details", "notes", "Comorbidity details",
                  lambda c, x: "\n".join(f"{m.code}: {m.detail}" for m in c.patient.comorbidities if m.detail)),
            Field("history", "notes", "Medical history", lambda c, x: c.patient.history),
            Field("family_history", "notes", "Family history", lambda c, x: c.patient.family_history),
            Field("social_history", "notes", "Social history", lambda c, x: c.patient.social_history),
            Field("presenting_concerns", "notes", "Main concerns and symptoms", lambda c, x: c.patient.presenting_concerns),
        ]),
        Form("identifiers", "Identifiers", [
            Field("given_names", "text", "Given names", lambda c, x: c.identifiers.given_names, identifier=True),
            Field("family_name", "text", "Family name", lambda c, x: c.identifiers.family_name, identifier=True),
            Field("date_of_birth", "text", "Date of birth", lambda c, x: c.identifiers.date_of_birth,
                  validation="date_ymd", identifier=True),
            Field("record_numbers", "notes", "Record numbers (system: value, one per line)",
                  lambda c, x: "\n".join(f"{r.system}: {r.value}" for r in c.identifiers.record_numbers), identifier=True),
            Field("street", "text", "Street address", lambda c, x: c.identifiers.street, identifier=True),
            Field("city", "text", "City", lambda c, x: c.identifiers.city, identifier=True),
            Field("county", "text", "County", lambda c, x: c.identifiers.county, identifier=True),
            Field("state", "text", "State", lambda c, x: c.identifiers.state, identifier=True),
            Field("zip_code", "text", "ZIP code", lambda c, x: c.identifiers.zip_code, identifier=True),
            Field("phone", "text", "Phone", lambda c, x: c.identifiers.phone, identifier=True),
            Field("fax", "text", "Fax", lambda c, x: c.identifiers.fax, identifier=True),
            Field("email", "text", "E-mail", lambda c, x: c.identifiers.email, identifier=True),
            Field("ssn", "text", "Social security number", lambda c, x: c.identifiers.ssn, identifier=True),
            Field("other_identifiers", "notes", "Other identifiers (URLs, IP addresses, relatives, other)",
                  lambda c, x: "\n".join(c.identifiers.urls + c.identifiers.ip_addresses + c.identifiers.relatives
                                         + c.identifiers.other), identifier=True),
        ], identifiers=True),
        Form("medication", "Medication", [
            Field("med_name", "text", "Medication", lambda m, x: m.name),
            Field("med_class", "dropdown", "Class", lambda m, x: m.drug_class, _catalogue_choices(catalogue.medication_classes())),
            Field("med_dose", "text", "Dose (number; unit in the next field)", lambda m, x: m.dose, validation="number"),
            Field("med_dose_unit", "text", "Dose unit", lambda m, x: m.dose_unit),
            Field("med_route", "text", "Route", lambda m, x: m.route),
            Field("med_frequency", "text", "Frequency", lambda m, x: m.frequency),
            Field("med_doses_per_day", "text", "Doses per day", lambda m, x: m.doses_per_day, validation="number"),
            Field("med_frequency_basis", "dropdown", "Frequency given as", lambda m, x: m.frequency_basis,
                  _literal(model.FrequencyBasis)),
            *_when_fields("med_start", "Start", "start"),
            *_when_fields("med_stop", "Stop", "stop"),
        ], items=lambda c: c.medications),
        Form("event", "Timeline event", [
            Field("event_kind", "dropdown", "Kind", lambda e, x: e.kind, _literal(model.EventKind)),
            Field("event_description", "notes", "Description", lambda e, x: e.description),
            *_when_fields("event", "When", "when"),
            Field("event_is_day0", "yesno", "Is day 0 (the index event)", lambda e, x: e.id == x.case.index_event_id),
        ], items=lambda c: c.events),
        Form("lesion", "Lesion", [
            Field("lesion_number", "text", "Lesion number (links observations)", lambda l, x: x.lesion_numbers[l.id],
                  validation="integer", vmin="1"),
            Field("lesion_site", "dropdown", "Site", lambda l, x: l.site, sites),
            Field("lesion_laterality", "dropdown", "Laterality (the patient's)", lambda l, x: l.laterality,
                  _literal(model.Laterality)),
            Field("lesion_class", "dropdown", "Class",
                  lambda l, x: _site_class(l.site),
                  [("proximal", "proximal"), ("distal", "distal"), ("penile", "penile"),
                   ("other_genital", "other genital"), ("visceral", "visceral"), ("other", "other (head and neck)")]),
            Field("lesion_site_detail", "text", "Site detail", lambda l, x: l.site_detail),
            Field("lesion_count", "text", "Number of lesions this entry stands for", lambda l, x: l.count,
                  validation="integer", vmin="1"),
            *_when_fields("lesion_onset", "Onset", "onset"),
            Field("lesion_iatrogenic", "radio", "Iatrogenic (at an injection or finger-stick site)",
                  lambda l, x: l.iatrogenic, TRI),
            Field("lesion_cause", "text", "Cause", lambda l, x: l.cause),
            Field("lesion_description", "notes", "Description", lambda l, x: l.description),
        ], items=lambda c: c.lesions),
        Form("observation", "Lesion observation", [
            Field("obs_lesion_number", "text", "Lesion number", lambda o, x: o[0], validation="integer", vmin="1"),
            *[Field(f.name, f.ftype, f.label, (lambda g: lambda o, x: g(o[1], x))(f.get), validation=f.validation,
                    note=f.note) for f in _when_fields("obs", "When", "when")],
            Field("obs_length_mm", "text", "Length (mm)", lambda o, x: o[1].length_mm, validation="number", vmin="0"),
            Field("obs_width_mm", "text", "Width (mm)", lambda o, x: o[1].width_mm, validation="number", vmin="0"),
            Field("obs_depth_mm", "text", "Depth (mm)", lambda o, x: o[1].depth_mm, validation="number", vmin="0"),
            Field("obs_morphology", "checkbox", "Morphology", lambda o, x: list(o[1].morphology), _literal(model.Morphology)),
            Field("obs_ulcerated", "radio", "Ulcerated", lambda o, x: o[1].ulcerated, TRI),
            Field("obs_tissue_type", "dropdown", "Worst tissue type (PUSH)", lambda o, x: o[1].tissue_type,
                  _literal(model.TissueType)),
            Field("obs_exudate_type", "dropdown", "Exudate type", lambda o, x: o[1].exudate_type, _literal(model.ExudateType)),
            Field("obs_exudate_amount", "dropdown", "Exudate amount (PUSH)", lambda o, x: o[1].exudate_amount,
                  _literal(model.ExudateAmount)),
            Field("obs_surrounding_skin", "text", "Surrounding skin", lambda o, x: o[1].surrounding_skin),
            Field("obs_oedema", "radio", "Oedema", lambda o, x: o[1].oedema, TRI),
            Field("obs_odour", "dropdown", "Odour", lambda o, x: o[1].odour,
                  [("none", "none"), ("present", "present"), ("foul", "foul")]),
            Field("obs_purulence", "radio", "Purulence", lambda o, x: o[1].purulence, TRI),
            Field("obs_pain", "text", "Pain (numeric rating 0–10)", lambda o, x: o[1].pain_0_10, validation="integer",
                  vmin="0", vmax="10"),
            *[Field(f"bwat_{var}", "text", f"BWAT-CUA: {name.replace('_', ' ')} (1 best – 5 worst)",
                    (lambda n: lambda o, x: getattr(o[1].bwat, n))(name), validation="integer", vmin="1", vmax="5",
                    note="Six verified items only; no total (two items are unverified)")
              for var, name in BWAT_VARIABLES.items()],
            Field("obs_note", "notes", "Note", lambda o, x: o[1].note),
        ], items=lambda c: [(n, ob) for n, les in enumerate(c.lesions, 1) for ob in les.observations]),
        Form("lab", "Laboratory result", [
            Field("lab_analyte", "dropdown", "Analyte", lambda l, x: l.analyte, analytes),
            Field("lab_loinc", "text", "LOINC code (by analyte and the unit's property)", lambda l, x: _lab_loinc(l)),
            Field("lab_comparator", "dropdown", "Comparator", lambda l, x: l.comparator,
                  [("=", "="), ("<", "<"), (">", ">"), ("<=", "≤"), (">=", "≥")]),
            Field("lab_value", "text", "Value (as reported; unit in the next field)", lambda l, x: l.value,
                  validation="number"),
            Field("lab_result_words", "dropdown", "Result in words (as reported), with or without a value",
                  lambda l, x: l.qualitative, _literal(model.Qualitative)),
            Field("lab_author_flag", "dropdown", "The source's own mark (H/L), used when no range is printed",
                  lambda l, x: l.author_flag, [("H", "H"), ("L", "L"), ("normal", "normal")]),
            Field("lab_as_printed", "yesno", "Kept as printed (a value or unit the checks would stop)",
                  lambda l, x: l.as_printed),
            Field("lab_specimen", "text", "Specimen (cultures)", lambda l, x: l.specimen),
            Field("lab_organism", "text", "Organism grown (cultures), as printed", lambda l, x: l.organism),
            Field("lab_unit", "text", "Unit (as reported)", lambda l, x: l.unit),
            Field("lab_ref_low", "text", "Reference range, low (in the lab's unit)", lambda l, x: l.ref_low,
                  validation="number"),
            Field("lab_ref_high", "text", "Reference range, high (in the lab's unit)", lambda l, x: l.ref_high,
                  validation="number"),
            Field("lab_flag", "dropdown", "Flag against the reference range", lambda l, x: labs.flag(l) or "N",
                  [("H", "High"), ("L", "Low"), ("N", "Within range or no range")]),
            Field("lab_flag_range_low", "text", "Range the flag used, low (the laboratory's or the default)",
                  lambda l, x: _flag_range(l, "low"), validation="number"),
            Field("lab_flag_range_high", "text", "Range the flag used, high", lambda l, x: _flag_range(l, "high"),
                  validation="number"),
            Field("lab_flag_range_unit", "text", "Unit of the range the flag used", lambda l, x: _flag_range(l, "unit")),
            Field("lab_flag_range_source", "text", "Source of the range the flag used ('laboratory' or the default's)",
                  lambda l, x: _flag_range(l, "source")),
            *_when_fields("lab", "Timepoint", "when"),
            Field("lab_dialysis_context", "dropdown", "Dialysis context", lambda l, x: l.dialysis_context,
                  _literal(model.DialysisContext)),
            Field("lab_expected_abnormal", "yesno", "Expected abnormal", lambda l, x: l.expected_abnormal),
            Field("lab_note", "notes", "Note", lambda l, x: l.note),
        ], items=lambda c: c.labs),
        Form("imaging", "Imaging", [
            Field("img_modality", "dropdown", "Modality", lambda i, x: i.modality, _literal(model.ImagingModality)),
            Field("img_region", "text", "Region", lambda i, x: i.region),
            Field("img_findings", "notes", "Findings", lambda i, x: i.findings),
            Field("img_vascular_calcification", "radio", "Vascular calcification", lambda i, x: i.vascular_calcification, TRI),
            *_when_fields("img", "When", "when"),
        ], items=lambda c: c.imaging),
        Form("biopsy", "Biopsy", [
            Field("bx_site", "dropdown", "Site", lambda b, x: b.site or None, sites),
            Field("bx_site_detail", "text", "Site detail", lambda b, x: b.site_detail),
            Field("bx_result", "dropdown", "Result", lambda b, x: b.result, _literal(model.BiopsyResult)),
            Field("bx_findings", "notes", "Findings", lambda b, x: b.findings),
            Field("bx_complications", "notes", "Complications", lambda b, x: b.complications),
            *_when_fields("bx", "When", "when"),
        ], items=lambda c: c.biopsies),
        Form("treatment", "Treatment", [
            Field("tx_kind", "radio", "Kind", lambda t, x: t.kind, _literal(model.TreatmentKind)),
            Field("tx_agent", "text", "Agent or procedure", lambda t, x: t.agent),
            Field("tx_class", "dropdown", "Class", lambda t, x: t.treatment_class,
                  _catalogue_choices(catalogue.treatment_classes())),
            Field("tx_dose", "text", "Dose (number; unit in the next field)", lambda t, x: t.dose, validation="number"),
            Field("tx_dose_unit", "text", "Dose unit", lambda t, x: t.dose_unit),
            Field("tx_route", "text", "Route", lambda t, x: t.route),
            Field("tx_schedule", "text", "Schedule", lambda t, x: t.schedule),
            Field("tx_times_per_week", "text", "Times per week", lambda t, x: t.times_per_week, validation="number"),
            Field("tx_frequency_basis", "dropdown", "Frequency given as", lambda t, x: t.frequency_basis,
                  _literal(model.FrequencyBasis)),
            Field("tx_during_dialysis", "radio", "During dialysis", lambda t, x: t.during_dialysis, TRI),
            *_when_fields("tx_start", "Start", "start"),
            *_when_fields("tx_stop", "Stop", "stop"),
            Field("tx_duration", "text", "Duration as described", lambda t, x: t.duration_text),
            Field("tx_indication", "text", "Indication", lambda t, x: t.indication),
            Field("tx_response", "dropdown", "Response", lambda t, x: t.response, _literal(model.Response)),
            Field("tx_response_detail", "notes", "Response detail", lambda t, x: t.response_detail),
            Field("tx_adverse_events", "notes", "Adverse events", lambda t, x: t.adverse_events),
        ], items=lambda c: c.treatments),
        Form("outcome", "Outcome", [
            Field("outcome_status", "radio", "Status", lambda c, x: c.outcome.status, _literal(model.OutcomeStatus)),
            *[Field(f.name, f.ftype, f.label, (lambda g: lambda c, x: g(c.outcome, x))(f.get), validation=f.validation,
                    note=f.note) for f in _when_fields("outcome", "Death or last follow-up", "when")],
            Field("cause_of_death", "text", "Cause of death", lambda c, x: c.outcome.cause_of_death),
            Field("wound_healing", "dropdown", "Wound healing", lambda c, x: c.outcome.wound_healing,
                  _literal(model.WoundHealing)),
            Field("amputation", "radio", "Amputation", lambda c, x: c.outcome.amputation, TRI),
            Field("amputation_detail", "text", "Amputation detail", lambda c, x: c.outcome.amputation_detail),
            Field("hospitalisations", "notes", "Hospitalisations", lambda c, x: c.outcome.hospitalisations),
            Field("outcome_summary", "notes", "Summary", lambda c, x: c.outcome.summary),
            Field("diagnosis_basis", "radio", "Diagnosis made on", lambda c, x: c.diagnosis.basis,
                  _literal(model.DiagnosisBasis)),
            Field("consent_given_by", "radio", "Consent for publication given by", lambda c, x: c.consent.given_by,
                  _literal(model.ConsentGiver)),
            Field("consent_covers_images", "yesno", "Consent covers images", lambda c, x: c.consent.covers_images),
        ]),
    ]
    return forms


FORMS = _forms()


def _choice_text(f: Field) -> str:
    if f.ftype in ("yesno", "truefalse"):
        return ""
    return " | ".join(f"{n}, {label.replace('|', '/').replace(',', ';')}" for n, _, label in f.codes())


def dictionary_rows() -> list[list[str]]:
    rows = []
    for form in FORMS:
        for i, f in enumerate(form.fields):
            header = form.label if i == 0 and form.name != "case" else ""
            rows.append([f.name, form.name, header, f.ftype, f.label,
                         _choice_text(f) if f.choices else "", f.note, f.validation, f.vmin, f.vmax,
                         "y" if f.identifier else "", "", "y" if f.name == "record_id" else "", "", "", "", "", ""])
    return rows


def write_dictionary() -> str:
    return write_csv(DICTIONARY_COLUMNS, dictionary_rows())


def _columns(f: Field) -> list[str]:
    if f.ftype == "checkbox":
        return [f"{f.name}___{n}" for n, _, _ in f.codes()]
    return [f.name]


def data_columns(*, identified: bool = False) -> list[str]:
    cols = ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    for form in FORMS:
        if form.identifiers and not identified:
            continue
        for f in form.fields:
            if f.name == "record_id":
                continue
            cols += _columns(f)
        cols.append(f"{form.name}_complete")
    return cols


def _encode(f: Field, value: Any) -> dict[str, str]:
    if f.ftype == "checkbox":
        chosen = set(value or [])
        return {f"{f.name}___{n}": "1" if key in chosen else "0" for n, key, _ in f.codes()}
    if f.ftype in ("yesno", "truefalse"):
        return {f.name: "" if value in ("", None) else ("1" if value else "0")}
    if f.choices:
        if value in (None, ""):
            return {f.name: ""}
        for n, key, _ in f.codes():
            if key == value:
                return {f.name: str(n)}
        raise ValueError(f"{f.name}: {value!r} is not one of its choices")
    if value is None:
        return {f.name: ""}
    if isinstance(value, float):
        return {f.name: f"{value:.10g}"}
    return {f.name: str(value)}


def case_rows(case: Case, *, identified: bool = False) -> list[dict[str, str]]:
    ctx = Ctx(case, Timeline(case), {l.id: n for n, l in enumerate(case.lesions, 1)})
    main: dict[str, str] = {"record_id": case.id, "redcap_repeat_instrument": "", "redcap_repeat_instance": ""}
    repeats: list[dict[str, str]] = []
    for form in FORMS:
        if form.identifiers and not identified:
            continue
        if form.items is None:
            for f in form.fields:
                if f.name != "record_id":
                    main.update(_encode(f, f.get(case, ctx)))
            main[f"{form.name}_complete"] = "2"
            continue
        for n, item in enumerate(form.items(case), start=1):
            row = {"record_id": case.id, "redcap_repeat_instrument": form.name, "redcap_repeat_instance": str(n)}
            for f in form.fields:
                row.update(_encode(f, f.get(item, ctx)))
            row[f"{form.name}_complete"] = "2"
            repeats.append(row)
    return [main] + repeats


def write_data(cases: Iterable[Case], *, identified: bool = False) -> str:
    cols = data_columns(identified=identified)
    return write_csv(cols, (row for case in cases for row in case_rows(case, identified=identified)))


# --- the REDCap project XML (CDISC ODM 1.3.2 with REDCap's extensions) ----------------------------

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
REDCAP_NS = "https://projectredcap.org"
UNIQUE_EVENT = "event_1_arm_1"  # a classic (non-longitudinal) project's one event
_REDCAP_FIELD_TYPE = {"text": "text", "notes": "textarea", "dropdown": "select", "radio": "radio",
                      "checkbox": "checkbox", "yesno": "yesno", "truefalse": "truefalse"}
_VALIDATION = {"integer": ("int", "integer"), "number": ("float", "float"), "date_ymd": ("date_ymd", "date")}
COMPLETE_CHOICES = [("0", "Incomplete"), ("1", "Unverified"), ("2", "Complete")]


def _form_fields(form: Form) -> list[dict]:
    """The form's fields as REDCap's project XML lists them, its ``<form>_complete`` status last."""
    out = []
    for i, f in enumerate(form.fields):
        header = form.label if i == 0 and form.name != "case" else ""
        out.append({"name": f.name, "type": f.ftype, "label": f.label, "note": f.note, "validation": f.validation,
                    "min": f.vmin, "max": f.vmax, "identifier": f.identifier, "section": header,
                    "choices": [(str(n), label) for n, _, label in f.codes()] if f.choices else None})
    out.append({"name": f"{form.name}_complete", "type": "dropdown", "label": "Complete?", "note": "",
                "validation": "", "min": "", "max": "", "identifier": False, "section": "Form Status",
                "choices": COMPLETE_CHOICES})
    return out


def _item_groups(form: Form, fields: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """REDCap's item groups: a field with a section header starts a group of its own section, and
    the fields after it form the next group, named after the form."""
    groups: list[list] = []
    for f in fields:
        if f["section"] or not groups:
            groups.append([f"{form.name}.{f['name']}", f["section"] or form.label, [f]])
            if f["section"]:
                groups.append([None, form.label, []])
        else:
            groups[-1][2].append(f)
    return [(oid or f"{form.name}.{fs[0]['name']}", name, fs) for oid, name, fs in groups if fs]


def write_project_xml(title: str = "Casebook calciphylaxis case reports", *,
                      now=None) -> str:
    """A REDCap project XML (Project ▸ Create ▸ Upload a REDCap project XML file): every instrument
    and field of :data:`FORMS`, with the repeating instruments already set up."""
    import datetime
    from xml.etree import ElementTree as ET
    ET.register_namespace("", ODM_NS)
    ET.register_namespace("redcap", REDCAP_NS)
    q = lambda tag: f"{{{ODM_NS}}}{tag}"  # noqa: E731
    r = lambda tag: f"{{{REDCAP_NS}}}{tag}"  # noqa: E731
    stamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S")
    oid = "".join(w.capitalize() for w in "".join(c if c.isalnum() else " " for c in title).split())[:30]
    root = ET.Element(q("ODM"), {
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": f"{ODM_NS} schema/odm/ODM1-3-2.xsd",
        "ODMVersion": "1.3.2", "FileOID": "000-00-0000", "FileType": "Snapshot", "Description": title,
        "AsOfDateTime": stamp, "CreationDateTime": stamp, "SourceSystem": "Casebook", "SourceSystemVersion": "1"})
    study = ET.SubElement(root, q("Study"), {"OID": f"Project.{oid}"})
    gv = ET.SubElement(study, q("GlobalVariables"))
    ET.SubElement(gv, q("StudyName")).text = title
    ET.SubElement(gv, q("StudyDescription")).text = "De-identified calciphylaxis case reports exported by Casebook."
    ET.SubElement(gv, q("ProtocolName")).text = title
    ET.SubElement(gv, r("RecordAutonumberingEnabled")).text = "0"
    ET.SubElement(gv, r("SurveysEnabled")).text = "0"
    rie = ET.SubElement(gv, r("RepeatingInstrumentsAndEvents"))
    ris = ET.SubElement(rie, r("RepeatingInstruments"))
    for form in FORMS:
        if form.items is not None:
            ET.SubElement(ris, r("RepeatingInstrument"), {r("UniqueEventName"): UNIQUE_EVENT,
                                                          r("RepeatInstrument"): form.name, r("CustomLabel"): ""})
    mdv = ET.SubElement(study, q("MetaDataVersion"), {"OID": f"Metadata.{oid}", "Name": title,
                                                      r("RecordIdField"): "record_id"})
    forms = [(form, _form_fields(form)) for form in FORMS]
    groups = [(form, _item_groups(form, fields)) for form, fields in forms]
    for form, gs in groups:
        fd = ET.SubElement(mdv, q("FormDef"), {"OID": f"Form.{form.name}", "Name": form.label, "Repeating": "No",
                                              r("FormName"): form.name})
        for goid, _, _ in gs:
            ET.SubElement(fd, q("ItemGroupRef"), {"ItemGroupOID": goid, "Mandatory": "No"})
    for form, gs in groups:
        for goid, gname, fs in gs:
            gd = ET.SubElement(mdv, q("ItemGroupDef"), {"OID": goid, "Name": gname, "Repeating": "No"})
            for f in fs:
                for item in _item_oids(f):
                    ET.SubElement(gd, q("ItemRef"), {"ItemOID": item, "Mandatory": "No", r("Variable"): f["name"]})
    code_lists = []
    for _, fields in forms:
        for f in fields:
            for item in _item_oids(f):
                rc, dtype = _VALIDATION.get(f["validation"], ("", "text"))
                if f["type"] in ("checkbox", "yesno", "truefalse"):
                    dtype = "boolean"
                attrs = {"OID": item, "Name": item, "DataType": dtype,
                         "Length": "1" if f["type"] in ("checkbox", "yesno", "truefalse") else "999",
                         r("Variable"): f["name"], r("FieldType"): _REDCAP_FIELD_TYPE[f["type"]]}
                if rc:
                    attrs[r("TextValidationType")] = rc
                if f["note"]:
                    attrs[r("FieldNote")] = f["note"]
                if f["identifier"]:
                    attrs[r("Identifier")] = "y"
                if f["section"]:
                    attrs[r("SectionHeader")] = f["section"]
                idef = ET.SubElement(mdv, q("ItemDef"), attrs)
                ET.SubElement(ET.SubElement(idef, q("Question")), q("TranslatedText")).text = f["label"]
                if f["choices"] or f["type"] in ("yesno", "truefalse"):
                    ET.SubElement(idef, q("CodeListRef"), {"CodeListOID": f"{item}.choices"})
                    code_lists.append((item, f))
                for comparator, value in (("GE", f["min"]), ("LE", f["max"])):
                    if value != "":
                        rcheck = ET.SubElement(idef, q("RangeCheck"), {"Comparator": comparator, "SoftHard": "Soft"})
                        ET.SubElement(rcheck, q("CheckValue")).text = value
                        ET.SubElement(ET.SubElement(rcheck, q("ErrorMessage")), q("TranslatedText")).text = (
                            f"The value you provided is outside the suggested range ({f['min']} - {f['max']}).")
    for item, f in code_lists:
        attrs = {"OID": f"{item}.choices", "Name": item, "DataType": "boolean" if f["type"] != "dropdown"
                 and f["type"] != "radio" else "text", r("Variable"): f["name"]}
        if f["type"] == "checkbox":
            attrs[r("CheckboxChoices")] = " | ".join(f"{c}, {label}" for c, label in f["choices"])
            items = [("1", "Checked"), ("0", "Unchecked")]
        elif f["type"] == "yesno":
            items = [("1", "Yes"), ("0", "No")]
        elif f["type"] == "truefalse":
            items = [("1", "True"), ("0", "False")]
        else:
            items = f["choices"]
        cl = ET.SubElement(mdv, q("CodeList"), attrs)
        for code, label in items:
            cli = ET.SubElement(cl, q("CodeListItem"), {"CodedValue": code})
            ET.SubElement(ET.SubElement(cli, q("Decode")), q("TranslatedText")).text = label
    ET.indent(root, space="\t")
    return '<?xml version="1.0" encoding="UTF-8" ?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _item_oids(f: dict) -> list[str]:
    if f["type"] == "checkbox":
        return [f"{f['name']}___{c}" for c, _ in f["choices"]]
    return [f["name"]]
