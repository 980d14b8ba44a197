"""REDCap data (the import/export CSV) read back into cases, with its data dictionary.

The columns are decoded through the same field definitions the export writes
(:data:`desktop.interop.redcap.FORMS`): the stable choice codes, ``field___code`` checkbox
columns, ``yesno`` 1/0, and the ``*_day`` / ``*_approx`` / ``*_precision`` / ``*_words`` fields that
carry a time as days from day 0 (data written before ``*_precision`` existed reads as days). Links
between items travel as numbers: an observation's and a biopsy's lesion number, the event marked
day 0. A data dictionary, when given, is checked against the data: a field the
dictionary names that Casebook does not know, a column the data has and no definition, or a code a
field does not define is not imported and is named in the report. Values Casebook derives itself
(the flag, its range, the LOINC code, the lesion class) are not read back.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .. import model
from ..model import (Biopsy, Case, Comorbidity, DialysisPeriod, Differential, Event, Identifiers, Imaging, LabResult,
                     Lesion, Medication, Observation, RecordNumber, Treatment, Vital, When)
from ..timing import DAYS_PER
from . import redcap
from .csvsafe import _FORMULA_START

DERIVED = {"lab_loinc", "lab_flag", "lab_flag_range_low", "lab_flag_range_high", "lab_flag_range_unit",
           "lab_flag_range_source", "lesion_class"}
WHEN_PREFIXES = {  # the *_day/_approx/_precision/_words fields: (form, attribute of the item or, dotted, of the case)
    "dialysis_start": ("patient", "patient.dialysis_start"), "transplant": ("patient", "patient.transplant_date"),
    "dp_start": ("dialysis_period", "start"), "dp_stop": ("dialysis_period", "stop"),
    "med_start": ("medication", "start"), "med_stop": ("medication", "stop"), "event": ("event", "when"),
    "vital": ("vital", "when"), "lesion_onset": ("lesion", "onset"),
    "obs": ("observation", "when"), "lab": ("lab", "when"), "img": ("imaging", "when"), "bx": ("biopsy", "when"),
    "tx_start": ("treatment", "start"), "tx_stop": ("treatment", "stop"), "outcome": ("outcome", "outcome.when"),
    "diagnosis": ("outcome", "diagnosis.when"),
}
MAIN_FORMS = ("case", "patient", "identifiers", "outcome")  # the forms of the record's one main row
# field -> attribute of the form's object (case-level forms: dotted from the case)
ATTRS = {
    "case_title": "title", "case_status": "status", "case_source": "source",
    "age_years": "patient.age_years", "age_90_or_older": "patient.age_over_89", "sex": "patient.sex",
    "ethnicity": "patient.ethnicity", "weight_kg": "patient.weight_kg", "height_cm": "patient.height_cm",
    "ckd_stage": "patient.ckd_stage", "kidney_disease_cause": "patient.kidney_disease_cause",
    "dialysis_modality": "patient.dialysis_modality",
    "dialysis_adherence": "patient.dialysis_adherence", "adherence_detail": "patient.adherence_detail",
    "kidney_transplant": "patient.kidney_transplant", "graft_status": "patient.graft_status",
    "history": "patient.history", "family_history": "patient.family_history",
    "social_history": "patient.social_history", "presenting_concerns": "patient.presenting_concerns",
    "past_interventions": "patient.past_interventions",
    "given_names": "identifiers.given_names", "family_name": "identifiers.family_name",
    "date_of_birth": "identifiers.date_of_birth", "street": "identifiers.street", "city": "identifiers.city",
    "county": "identifiers.county", "state": "identifiers.state", "zip_code": "identifiers.zip_code",
    "phone": "identifiers.phone", "fax": "identifiers.fax", "email": "identifiers.email", "ssn": "identifiers.ssn",
    "outcome_status": "outcome.status", "cause_of_death": "outcome.cause_of_death",
    "wound_healing": "outcome.wound_healing", "amputation": "outcome.amputation",
    "amputation_detail": "outcome.amputation_detail", "hospitalisations": "outcome.hospitalisations",
    "outcome_summary": "outcome.summary", "outcome_patient_assessed": "outcome.patient_assessed",
    "outcome_adherence": "outcome.adherence", "outcome_adverse_events": "outcome.adverse_events",
    "diagnosis_basis": "diagnosis.basis", "diagnosis_reasoning": "diagnosis.reasoning",
    "diagnosis_challenges": "diagnosis.challenges", "diagnosis_prognosis": "diagnosis.prognosis",
    "consent_given_by": "consent.given_by", "consent_covers_images": "consent.covers_images",
    "med_name": "name", "med_class": "drug_class", "med_dose": "dose", "med_dose_unit": "dose_unit",
    "med_route": "route", "med_frequency": "frequency", "med_doses_per_day": "doses_per_day",
    "med_frequency_basis": "frequency_basis", "med_note": "note", "med_not_taken": "not_taken",
    "dp_modality": "modality", "dp_sessions_per_week": "sessions_per_week", "dp_reason": "reason",
    "event_kind": "kind", "event_description": "description", "event_signs": "signs",
    "vital_kind": "kind", "vital_value": "value", "vital_unit": "unit", "vital_note": "note",
    "lesion_site": "site", "lesion_laterality": "laterality", "lesion_site_detail": "site_detail",
    "lesion_count": "count", "lesion_iatrogenic": "iatrogenic", "lesion_cause": "cause",
    "lesion_description": "description", "lesion_nature": "nature",
    "obs_length_mm": "length_mm", "obs_width_mm": "width_mm", "obs_depth_mm": "depth_mm",
    "obs_morphology": "morphology", "obs_ulcerated": "ulcerated", "obs_tissue_type": "tissue_type",
    "obs_exudate_type": "exudate_type", "obs_exudate_amount": "exudate_amount",
    "obs_surrounding_skin": "surrounding_skin", "obs_oedema": "oedema", "obs_odour": "odour",
    "obs_purulence": "purulence", "obs_pain": "pain_0_10", "obs_pain_stated": "pain", "obs_pain_0_100": "pain_0_100",
    "obs_note": "note",
    **{f"bwat_{var}": f"bwat.{name}" for var, name in redcap.BWAT_VARIABLES.items()},
    "lab_analyte": "analyte", "lab_name": "name", "lab_comparator": "comparator", "lab_value": "value", "lab_decimals": "decimals",
    "lab_unit": "unit",
    "lab_ref_low": "ref_low", "lab_ref_high": "ref_high", "lab_dialysis_context": "dialysis_context",
    "lab_expected_abnormal": "expected_abnormal", "lab_result_words": "qualitative", "lab_author_flag": "author_flag",
    "lab_as_printed": "as_printed", "lab_specimen": "specimen", "lab_organism": "organism", "lab_note": "note",
    "img_modality": "modality", "img_region": "region", "img_findings": "findings",
    "img_vascular_calcification": "vascular_calcification",
    "bx_site": "site", "bx_site_detail": "site_detail", "bx_result": "result", "bx_grade": "grade",
    "bx_specimen": "specimen", "bx_features": "features", "bx_histology_stated": "histology_stated",
    "bx_findings": "findings", "bx_complications": "complications",
    "tx_kind": "kind", "tx_agent": "agent", "tx_class": "treatment_class", "tx_dose": "dose",
    "tx_dose_unit": "dose_unit", "tx_route": "route", "tx_schedule": "schedule",
    "tx_times_per_week": "times_per_week", "tx_frequency_basis": "frequency_basis",
    "tx_during_dialysis": "during_dialysis", "tx_culture_directed": "culture_directed", "tx_history": "history",
    "tx_duration": "duration_text",
    "tx_indication": "indication", "tx_response": "response", "tx_response_detail": "response_detail",
    "tx_adverse_events": "adverse_events",
    "ddx_name": "name", "ddx_status": "status", "ddx_how": "how",
}
ITEM_CLASS = {"dialysis_period": DialysisPeriod, "medication": Medication, "event": Event, "vital": Vital,
              "lesion": Lesion, "lab": LabResult, "imaging": Imaging, "biopsy": Biopsy, "treatment": Treatment,
              "differential": Differential}
ITEM_LIST = {"dialysis_period": "patient.dialysis_history", "medication": "medications", "event": "events",
             "vital": "vitals", "lesion": "lesions", "lab": "labs", "imaging": "imaging", "biopsy": "biopsies",
             "treatment": "treatments", "differential": "diagnosis.differentials"}
INT_FIELDS = {"age_years", "lesion_count", "obs_pain", "obs_pain_0_100", "lab_decimals",
              *(f"bwat_{v}" for v in redcap.BWAT_VARIABLES)}
NUM_FIELDS = {"weight_kg", "height_cm", "med_dose", "med_doses_per_day", "obs_length_mm", "obs_width_mm",
              "obs_depth_mm", "lab_value", "lab_ref_low", "lab_ref_high", "tx_dose", "tx_times_per_week",
              "vital_value", "dp_sessions_per_week"}


@dataclass
class Imported:
    cases: list[Case] = field(default_factory=list)
    report: list[str] = field(default_factory=list)


def _fields() -> dict[str, redcap.Field]:
    return {f.name: f for form in redcap.FORMS for f in form.fields}


def _get(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _set(obj, path: str, value) -> None:
    *head, last = path.split(".")
    for part in head:
        obj = getattr(obj, part)
    setattr(obj, last, value)


def read(data_text: str, dictionary_text: str | None = None) -> Imported:
    """Cases from REDCap import/export data (and its dictionary)."""
    out = Imported()
    fields = _fields()
    rows = [{k: _unneutralised(v) for k, v in r.items()}
            for r in csv.DictReader(io.StringIO(data_text.lstrip("\ufeff")))]
    if not rows:
        out.report.append("the data file has no records")
        return out
    columns = list(rows[0].keys())
    if dictionary_text:
        drows = list(csv.reader(io.StringIO(dictionary_text.lstrip("\ufeff"))))
        for r in drows[1:]:
            if r and r[0] not in fields:
                out.report.append(f"dictionary field {r[0]!r} ({r[3] if len(r) > 3 else '?'}): no Casebook field; "
                                  "not imported")
            elif r and r[0] in fields and len(r) > 5 and fields[r[0]].choices:
                ours = {str(n): label for n, _, label in fields[r[0]].codes()}
                for part in (p.strip() for p in r[5].split("|") if p.strip()):
                    code = part.split(",", 1)[0].strip()
                    if code not in ours:
                        out.report.append(f"dictionary field {r[0]!r}: choice {part!r} is not one of Casebook's; "
                                          "values with it are not imported")
    known_cols = {"record_id", "redcap_repeat_instrument", "redcap_repeat_instance", "redcap_event_name"}
    for name, f in fields.items():
        known_cols |= set(redcap._columns(f))
    for form in redcap.FORMS:
        known_cols.add(f"{form.name}_complete")
    for col in columns:
        if col not in known_cols:
            out.report.append(f"column {col!r}: no Casebook field; not imported")
    by_record: dict[str, list[dict]] = {}
    for r in rows:
        by_record.setdefault(r.get("record_id", ""), []).append(r)
    for rid, recs in by_record.items():
        out.cases.append(_case(rid, recs, fields, out.report))
    return out


def _unneutralised(cell):
    """A cell as the source wrote it: the writer puts an apostrophe before text that begins like a
    formula ("- 3 cm ulcer", "=", "+", "@"; desktop/interop/csvsafe.py), and REDCap keeps it."""
    if isinstance(cell, str) and cell.startswith("'") and cell[1:2] and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


def _decode(f: redcap.Field, row: dict, report: list[str], where: str):
    if f.ftype == "checkbox":
        chosen = []
        for n, key, _ in f.codes():
            if row.get(f"{f.name}___{n}") == "1":
                chosen.append(key)
        return chosen
    raw = (row.get(f.name) or "").strip()
    if raw == "":
        return None
    if f.ftype in ("yesno", "truefalse"):
        return raw == "1"
    if f.choices:
        for n, key, _ in f.codes():
            if raw == str(n):
                return key
        report.append(f"{where} {f.name}: code {raw!r} is not one of its choices; left out")
        return None
    if f.name in INT_FIELDS:
        try:
            return int(float(raw))
        except ValueError:
            report.append(f"{where} {f.name}: {raw!r} is not a whole number; left out")
            return None
    if f.name in NUM_FIELDS:
        try:
            return float(raw)
        except ValueError:
            report.append(f"{where} {f.name}: {raw!r} is not a number; left out")
            return None
    return raw


def _when(row: dict, prefix: str, fields: dict, report: list[str], where: str) -> When:
    day, approx, words = (row.get(f"{prefix}_{s}", "") or "" for s in ("day", "approx", "words"))
    w = When(label=words)
    if day.strip():
        try:
            days = float(day)
        except ValueError:
            report.append(f"{where} {prefix}_day: {day!r} is not a number; left out")
            return w
        w.approximate = approx == "1"
        precision = _decode(fields[f"{prefix}_precision"], row, report, where) or "day"
        # "2 months before" comes back as -2 months, not as -60.875 days: the slack of its precision stays
        units = days / DAYS_PER[precision]
        w.offset, w.precision = (round(units, 6) if abs(round(units, 6) * DAYS_PER[precision] - days) < 1e-6
                                 else units), precision
    return w


def _case(rid: str, recs: list[dict], fields: dict, report: list[str]) -> Case:
    case = Case(id=rid or model.new_id())
    main = next((r for r in recs if not r.get("redcap_repeat_instrument")), {})
    where = f"record {rid}:"
    for name, f in fields.items():
        if name in DERIVED or name not in ATTRS or _form_of(name) not in MAIN_FORMS:
            continue
        value = _decode(f, main, report, where)
        if value is not None:
            _set(case, ATTRS[name], value)
    if main.get("case_keywords"):
        case.keywords = [k for k in main["case_keywords"].splitlines() if k.strip()]
    has = _decode(fields["comorbidities"], main, report, where) or []
    # the conditions the source says are absent (none in an older export), in the field's order
    absent = [c for c in _decode(fields["comorbidities_absent"], main, report, where) or [] if c not in has]
    codes = list(has) + absent
    # one line per comorbidity with a detail, in the case's order; a code may have several ("other: …")
    lines = [line.split(": ", 1) for line in (main.get("comorbidity_details") or "").splitlines() if ": " in line]
    detailed = {k for k, _ in lines}
    case.patient.comorbidities = [Comorbidity(c, d, absent=c in absent) for c, d in lines if c in codes] + [
        Comorbidity(c, "", absent=c in absent) for c in codes if c not in detailed]
    if main.get("record_numbers"):
        case.identifiers.record_numbers = [RecordNumber(*line.split(": ", 1)) if ": " in line else RecordNumber("", line)
                                           for line in main["record_numbers"].splitlines()]
    if main.get("other_identifiers"):
        case.identifiers.other = main["other_identifiers"].splitlines()
    for prefix, (form, attr) in WHEN_PREFIXES.items():
        if form in MAIN_FORMS:
            _set(case, attr, _when(main, prefix, fields, report, where))
    index_description = main.get("index_event", "")
    lesions_by_number: dict[int, Lesion] = {}
    pending_obs: list[tuple[int, Observation]] = []
    pending_bx: list[tuple[str, Biopsy]] = []
    for r in sorted((r for r in recs if r.get("redcap_repeat_instrument")),
                    key=lambda r: (r["redcap_repeat_instrument"], int(r.get("redcap_repeat_instance") or 0))):
        form = r["redcap_repeat_instrument"]
        where = f"record {rid}, {form} {r.get('redcap_repeat_instance')}:"
        if form == "observation":
            ob = Observation()
            for name in (n for n in ATTRS if n.startswith(("obs_", "bwat_"))):
                value = _decode(fields[name], r, report, where)
                if value is not None and value != []:
                    _set(ob, ATTRS[name], value)
            ob.when = _when(r, "obs", fields, report, where)
            try:
                pending_obs.append((int(r.get("obs_lesion_number") or 0), ob))
            except ValueError:
                report.append(f"{where} obs_lesion_number {r.get('obs_lesion_number')!r}: not a number; left out")
            continue
        cls = ITEM_CLASS.get(form)
        if cls is None:
            report.append(f"{where} repeating instrument {form!r}: no Casebook list; not imported")
            continue
        item = cls()
        form_fields = next(fm for fm in redcap.FORMS if fm.name == form).fields
        for f in form_fields:
            if f.name in DERIVED or f.name not in ATTRS:
                continue
            value = _decode(f, r, report, where)
            if value is None:
                continue
            _set(item, ATTRS[f.name], value)
        for prefix, (pform, attr) in WHEN_PREFIXES.items():
            if pform == form:
                setattr(item, attr, _when(r, prefix, fields, report, where))
        if form == "lesion":
            try:
                lesions_by_number[int(r.get("lesion_number") or 0)] = item
            except ValueError:
                pass
            case.lesions.append(item)
        elif form == "event":
            case.events.append(item)
            if r.get("event_is_day0") == "1":
                case.index_event_id = item.id
        else:
            _get(case, ITEM_LIST[form]).append(item)
            if form == "biopsy" and (r.get("bx_lesion_number") or "").strip():
                pending_bx.append((r["bx_lesion_number"].strip(), item))
    for number, ob in pending_obs:
        les = lesions_by_number.get(number)
        if les is None:
            report.append(f"record {rid}: an observation of lesion {number}, which the data does not have; left out")
        else:
            les.observations.append(ob)
    for number, bx in pending_bx:
        les = lesions_by_number.get(int(number)) if number.isdigit() else None
        if les is None:
            report.append(f"record {rid}: a biopsy of lesion {number}, which the data does not have; not linked")
        else:
            bx.lesion_id = les.id
    if case.index_event_id is None and index_description:
        report.append(f"record {rid}: day 0 {index_description!r} is named but no event is marked as day 0")
    if case.identifiers == Identifiers():
        case.identifiers = Identifiers()
    return case


def _form_of(name: str) -> str:
    for form in redcap.FORMS:
        if any(f.name == name for f in form.fields):
            return form.name
    return ""


def looks_like_redcap_data(text: str) -> bool:
    head = text.lstrip("\ufeff").split("\n", 1)[0]
    return head.startswith("record_id,") or head.startswith('"record_id",')


def looks_like_dictionary(text: str) -> bool:
    return text.lstrip("\ufeff").startswith(("Variable / Field Name,", '"Variable / Field Name"'))
