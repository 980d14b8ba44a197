"""REDCap's field definitions: every instrument (form) and its fields, from which
:mod:`desktop.interop.redcap` writes the data dictionary, the import CSV and the project XML and
:mod:`desktop.interop.redcap_import` reads data back.

A field gets its value from the case (or from one item of a repeating instrument); a choice field's
codes are stable (the catalogues' ``redcap`` numbers and resources/interop/redcap_codes.json), never
positions. A time is four fields: days from day 0, approximate or not, the unit the source counted
in (its precision), and the source's own words — never a date.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any, Callable, get_args

from .. import catalogue, model
from ..core import labs
from ..model import Case, When
from ..timing import Timeline

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
                    "comorbidities_absent": ("comorbidities.json", "comorbidities"),
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
    return "" if placed is None else f"{placed.day:.10g}"


def _approx(when: When, ctx: Ctx) -> str:
    placed = ctx.timeline.place(when)
    return "" if placed is None else placed.approximate


def _precision(when: When, ctx: Ctx) -> str | None:
    placed = ctx.timeline.place(when)
    return None if placed is None else placed.precision


TRI = [("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")]
PRECISIONS = [("day", "days"), ("week", "weeks"), ("month", "months"), ("year", "years")]


def _when_fields(prefix: str, label: str, attr: str | Callable[[Any, Ctx], When]) -> list[Field]:
    """A time as four fields: days from day 0, approximate?, the unit the source counted in ("2 months
    before": months, so the day is good to about half a month), and the source's words. ``attr``
    may be dotted ("patient.dialysis_start") for a field of the case's main record, or a function
    (item, ctx) -> When."""
    g = (lambda o, c: attrgetter(attr)(o)) if isinstance(attr, str) else attr
    return [
        Field(f"{prefix}_day", "text", f"{label}: days from day 0 (negative = before)",
              lambda o, c: _day(g(o, c), c), validation="number",
              note="Day 0 is the case's index event. Dates are never exported."),
        Field(f"{prefix}_approx", "yesno", f"{label}: approximate?", lambda o, c: _approx(g(o, c), c)),
        Field(f"{prefix}_precision", "dropdown", f"{label}: counted in (the source's precision)",
              lambda o, c: _precision(g(o, c), c), PRECISIONS),
        Field(f"{prefix}_words", "text", f"{label}: as the source words it", lambda o, c: g(o, c).label),
    ]


def _event_when(event, ctx: Ctx) -> When:
    """An event's time; the index event's is day 0 by definition, also when the date that placed it is
    gone (de-identification keeps no month or year date)."""
    if event.id == ctx.case.index_event_id:
        return When(event_id=event.id, label=event.when.label)
    return event.when


# REDCap variable names stay within 26 characters (its limit for names that export well)
BWAT_VARIABLES = {"necrotic_tissue_type": "necrotic_tissue_type", "necrotic_amount": "necrotic_tissue_amount",
                  "exudate_type": "exudate_type", "exudate_amount": "exudate_amount",
                  "skin_colour": "skin_colour_surrounding", "peripheral_oedema": "peripheral_tissue_oedema"}


def _flag_range(lab, ctx, end: str):
    rr = labs.reference_range(lab, ctx.case.patient.sex)  # a default given for one sex applies to it only
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


def _lab_value(lab, ctx: Ctx) -> str | None:
    """The value with the digits the source prints ("9.0"), when known; REDCap reads it as a number."""
    if lab.value is None or lab.decimals is None or not 0 <= lab.decimals <= 15:
        return lab.value
    return f"{lab.value:.{lab.decimals}f}"


def _forms() -> list[Form]:
    sites = [(code, s.label) for code, s in catalogue.all_sites().items()]
    analytes = [(code, a.label) for code, a in catalogue.analytes().items()]
    forms = [
        Form("case", "Case", [
            Field("record_id", "text", "Record ID", lambda c, x: c.id),
            Field("case_title", "text", "Title", lambda c, x: c.title),
            Field("case_status", "dropdown", "Status", lambda c, x: c.status, _literal(model.CaseStatus)),
            Field("case_keywords", "notes", "Keywords (one per line)", lambda c, x: "\n".join(c.keywords)),
            Field("case_source", "notes", "Source (provenance and licence: the publication a case comes from)",
                  lambda c, x: c.source),
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
            Field("kidney_disease_cause", "text", "Cause of the kidney disease (as the source gives it)",
                  lambda c, x: c.patient.kidney_disease_cause),
            Field("dialysis_modality", "radio", "Dialysis modality", lambda c, x: c.patient.dialysis_modality,
                  _literal(model.DialysisModality)),
            *_when_fields("dialysis_start", "Dialysis start", "patient.dialysis_start"),
            Field("dialysis_adherence", "dropdown", "Adherence to dialysis", lambda c, x: c.patient.dialysis_adherence,
                  _literal(model.Adherence)),
            Field("adherence_detail", "notes", "Adherence to dialysis: detail", lambda c, x: c.patient.adherence_detail),
            Field("kidney_transplant", "radio", "Kidney transplant", lambda c, x: c.patient.kidney_transplant, TRI),
            *_when_fields("transplant", "Kidney transplant", "patient.transplant_date"),
            Field("graft_status", "dropdown", "Graft status", lambda c, x: c.patient.graft_status,
                  _literal(model.GraftStatus)),
            Field("comorbidities", "checkbox", "Comorbidities",
                  lambda c, x: [m.code for m in c.patient.comorbidities if not m.absent],
                  _catalogue_choices(catalogue.comorbidities())),
            Field("comorbidities_absent", "checkbox", "Comorbidities the source says the patient does not have",
                  lambda c, x: [m.code for m in c.patient.comorbidities if m.absent],
                  _catalogue_choices(catalogue.comorbidities())),
            Field("comorbidity_details", "notes", "Comorbidity details",
                  lambda c, x: "\n".join(f"{m.code}: {m.detail}" for m in c.patient.comorbidities if m.detail)),
            Field("history", "notes", "Medical history", lambda c, x: c.patient.history),
            Field("family_history", "notes", "Family history", lambda c, x: c.patient.family_history),
            Field("social_history", "notes", "Social history", lambda c, x: c.patient.social_history),
            Field("presenting_concerns", "notes", "Main concerns and symptoms", lambda c, x: c.patient.presenting_concerns),
            Field("past_interventions", "notes", "Relevant past interventions and their outcomes",
                  lambda c, x: c.patient.past_interventions),
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
        Form("dialysis_period", "Dialysis period", [
            Field("dp_modality", "dropdown", "Modality", lambda d, x: d.modality, _literal(model.DialysisModality)),
            *_when_fields("dp_start", "Start", "start"),
            *_when_fields("dp_stop", "Stop", "stop"),
            Field("dp_sessions_per_week", "text", "Sessions per week", lambda d, x: d.sessions_per_week,
                  validation="number", vmin="0"),
            Field("dp_reason", "notes", "Why it started or changed (the source's words)", lambda d, x: d.reason),
        ], items=lambda c: c.patient.dialysis_history),
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
            Field("med_note", "notes", "Note", lambda m, x: m.note),
            Field("med_not_taken", "yesno", "Not taken (the source says the patient was not taking it)",
                  lambda m, x: m.not_taken),
        ], items=lambda c: c.medications),
        Form("event", "Timeline event", [
            Field("event_kind", "dropdown", "Kind", lambda e, x: e.kind, _literal(model.EventKind)),
            Field("event_description", "notes", "Description", lambda e, x: e.description),
            *_when_fields("event", "When", _event_when),
            Field("event_is_day0", "yesno", "Is day 0 (the index event)", lambda e, x: e.id == x.case.index_event_id),
            Field("event_signs", "checkbox", "Signs found (as the source states them)", lambda e, x: e.signs,
                  _literal(model.ClinicalSign)),
        ], items=lambda c: c.events),
        Form("vital", "Vital sign", [
            Field("vital_kind", "text", "Kind", lambda v, x: v.kind,
                  note="Casebook's code: " + ", ".join(catalogue.vitals())),
            Field("vital_value", "text", "Value (unit in the next field)", lambda v, x: v.value, validation="number"),
            Field("vital_unit", "text", "Unit", lambda v, x: v.unit),
            *_when_fields("vital", "When", "when"),
            Field("vital_note", "notes", "Note", lambda v, x: v.note),
        ], items=lambda c: c.vitals),
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
            Field("lesion_nature", "dropdown", "Nature (only calciphylaxis lesions count for site and tier)",
                  lambda l, x: l.nature, _literal(model.LesionNature)),
        ], items=lambda c: c.lesions),
        Form("observation", "Lesion observation", [
            Field("obs_lesion_number", "text", "Lesion number", lambda o, x: o[0], validation="integer", vmin="1"),
            *_when_fields("obs", "When", lambda o, x: o[1].when),
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
            Field("obs_pain_stated", "dropdown", "Pain as the source states it (painful / painless)",
                  lambda o, x: o[1].pain, [("present", "present (painful)"), ("absent", "absent (painless)"),
                                           ("not_stated", "not stated")]),
            Field("obs_pain_0_100", "text", "Pain (visual analogue scale 0–100)", lambda o, x: o[1].pain_0_100,
                  validation="integer", vmin="0", vmax="100"),
            *[Field(f"bwat_{var}", "text", f"BWAT-CUA: {name.replace('_', ' ')} (1 best – 5 worst)",
                    (lambda n: lambda o, x: getattr(o[1].bwat, n))(name), validation="integer", vmin="1", vmax="5",
                    note="Six verified items only; no total (two items are unverified)")
              for var, name in BWAT_VARIABLES.items()],
            Field("obs_note", "notes", "Note", lambda o, x: o[1].note),
        ], items=lambda c: [(n, ob) for n, les in enumerate(c.lesions, 1) for ob in les.observations]),
        Form("lab", "Laboratory result", [
            Field("lab_analyte", "dropdown", "Analyte", lambda l, x: l.analyte, analytes),
            Field("lab_name", "text", "Name as printed, for a result not in the list of analytes (analyte 'other')",
                  lambda l, x: l.name),
            Field("lab_loinc", "text", "LOINC code (by analyte and the unit's property)", lambda l, x: _lab_loinc(l)),
            Field("lab_comparator", "dropdown", "Comparator", lambda l, x: l.comparator,
                  [("=", "="), ("<", "<"), (">", ">"), ("<=", "≤"), (">=", "≥")]),
            Field("lab_value", "text", "Value (as reported; unit in the next field)", _lab_value, validation="number"),
            Field("lab_decimals", "text", "Digits after the decimal point, as printed ('9.0': 1)", lambda l, x: l.decimals,
                  validation="integer", vmin="0"),
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
            Field("lab_flag", "dropdown", "Flag against the reference range",
                  lambda l, x: labs.flag(l, x.case.patient.sex) or "N",
                  [("H", "High"), ("L", "Low"), ("N", "Within range or no range")]),
            Field("lab_flag_range_low", "text", "Range the flag used, low (the laboratory's or the default)",
                  lambda l, x: _flag_range(l, x, "low"), validation="number"),
            Field("lab_flag_range_high", "text", "Range the flag used, high", lambda l, x: _flag_range(l, x, "high"),
                  validation="number"),
            Field("lab_flag_range_unit", "text", "Unit of the range the flag used", lambda l, x: _flag_range(l, x, "unit")),
            Field("lab_flag_range_source", "text", "Source of the range the flag used ('laboratory' or the default's)",
                  lambda l, x: _flag_range(l, x, "source")),
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
            Field("bx_lesion_number", "text", "Lesion biopsied (its lesion number)",
                  lambda b, x: x.lesion_numbers.get(b.lesion_id or ""), validation="integer", vmin="1"),
            Field("bx_result", "dropdown", "Result", lambda b, x: b.result, _literal(model.BiopsyResult)),
            Field("bx_grade", "dropdown", "Grade as the source gives it, when finer than the result",
                  lambda b, x: b.grade, _literal(model.BiopsyGrade)),
            Field("bx_specimen", "dropdown", "Specimen", lambda b, x: b.specimen, _literal(model.BiopsySpecimen)),
            Field("bx_features", "checkbox", "Histological features", lambda b, x: b.features,
                  _literal(model.HistologyFeature)),
            Field("bx_histology_stated", "yesno", "Histology stated (no: the source reports a biopsy, not its histology)",
                  lambda b, x: b.histology_stated),
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
            Field("tx_culture_directed", "radio", "Chosen by a culture's result", lambda t, x: t.culture_directed, TRI),
            Field("tx_history", "yesno", "Part of the history, before this episode (blank: by its start against day 0)",
                  lambda t, x: t.history),
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
            *_when_fields("outcome", "Death or last follow-up", "outcome.when"),
            Field("cause_of_death", "text", "Cause of death", lambda c, x: c.outcome.cause_of_death),
            Field("wound_healing", "dropdown", "Wound healing", lambda c, x: c.outcome.wound_healing,
                  _literal(model.WoundHealing)),
            Field("amputation", "radio", "Amputation", lambda c, x: c.outcome.amputation, TRI),
            Field("amputation_detail", "text", "Amputation detail", lambda c, x: c.outcome.amputation_detail),
            Field("hospitalisations", "notes", "Hospitalisations", lambda c, x: c.outcome.hospitalisations),
            Field("outcome_summary", "notes", "Summary", lambda c, x: c.outcome.summary),
            Field("outcome_patient_assessed", "notes", "Patient-assessed outcomes", lambda c, x: c.outcome.patient_assessed),
            Field("outcome_adherence", "notes", "Adherence and tolerability", lambda c, x: c.outcome.adherence),
            Field("outcome_adverse_events", "notes", "Adverse and unanticipated events",
                  lambda c, x: c.outcome.adverse_events),
            Field("diagnosis_basis", "radio", "Diagnosis made on", lambda c, x: c.diagnosis.basis,
                  _literal(model.DiagnosisBasis)),
            *_when_fields("diagnosis", "Diagnosis", "diagnosis.when"),
            Field("diagnosis_reasoning", "notes", "Diagnostic reasoning", lambda c, x: c.diagnosis.reasoning),
            Field("diagnosis_challenges", "notes", "Diagnostic challenges", lambda c, x: c.diagnosis.challenges),
            Field("diagnosis_prognosis", "notes", "Prognosis", lambda c, x: c.diagnosis.prognosis),
            Field("consent_given_by", "radio", "Consent for publication given by", lambda c, x: c.consent.given_by,
                  _literal(model.ConsentGiver)),
            Field("consent_covers_images", "yesno", "Consent covers images", lambda c, x: c.consent.covers_images),
        ]),
        Form("differential", "Differential diagnosis", [
            Field("ddx_name", "text", "Differential diagnosis", lambda d, x: d.name),
            Field("ddx_status", "dropdown", "Status", lambda d, x: d.status, _literal(model.DifferentialStatus)),
            Field("ddx_how", "notes", "How it was excluded or weighed", lambda d, x: d.how),
        ], items=lambda c: c.diagnosis.differentials),
    ]
    return forms


FORMS = _forms()
