"""The patient's status in the FHIR document, written (:mod:`desktop.interop.fhir`) and read back
(:mod:`desktop.interop.fhir_import`), each with the words the other side reads:

- the kidney status: the CKD stage as a Condition (ICD-10-CM from resources/interop/kidney_codes.json),
  dialysis at presentation, each period of the dialysis history and a kidney transplant with the
  graft's status as Procedures, with a status of not-done for "not on dialysis" and "no transplant";
- what the Patient resource has no element for, each an Observation: the ethnicity as recorded, and
  the outcome's status, cause of death and wound healing;
- the calciphylaxis Condition: its clinical status from the outcome, its verification status and
  evidence from what the diagnosis rests on;
- the differential diagnosis, a Condition each with its verification status;
- the notes of a lab Observation the reader reads back (the source's own mark, kept as printed,
  culture specimen and organism, a word beside a value).

The writers take the document builder (``b``: its ``add``, ``period``, ``timed``, ``told`` and case);
the readers take the reader and set what they read on its case.
"""
from __future__ import annotations

from typing import get_args

from .. import catalogue
from ..model import CkdStage, DiagnosisBasis, DialysisPeriod, Differential, OutcomeStatus, When, WoundHealing
from .fhir_codes import OBS_CATEGORY, _words, _words_to

# notes of a lab Observation the reader reads back (desktop/interop/fhir_import.py)
LAB_NOTE_MARK = "the source's own mark: "
LAB_NOTE_AS_PRINTED = "kept as printed"
LAB_NOTE_SPECIMEN = "specimen: "
LAB_NOTE_ORGANISM = "organism: "
LAB_NOTE_WORDS = "result in words: "
DIFFERENTIAL = "differential diagnosis"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VER_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
BASIS_EVIDENCE = "Diagnosis basis: "  # the calciphylaxis Condition's evidence, read back
DIFFERENTIAL_STATUS = {"excluded": "refuted", "considered": "differential", "not_excluded": "unconfirmed"}
# the kidney status's words, which the reader reads back (desktop/interop/fhir_import.py)
KIDNEY_STAGE_TEXT = "Chronic kidney disease, CKD stage "
KIDNEY_NO_STAGE_TEXT = "Kidney disease, stage not recorded"  # a cause recorded without a stage
KIDNEY_CAUSE_NOTE = "cause as the source gives it: "
DIALYSIS_TEXT = {"haemodialysis": "Haemodialysis", "peritoneal": "Peritoneal dialysis"}
NO_DIALYSIS = "No dialysis"  # a period of the dialysis history without dialysis
DIALYSIS_NOW = "dialysis at presentation"
DIALYSIS_PERIOD = "dialysis history"


def write_kidney(b, patient: str) -> None:
    """The kidney status: the CKD stage (a Condition, ICD-10-CM from resources/interop/kidney_codes.json),
    dialysis — the modality at presentation from its start, each period of the dialysis history,
    or "not on dialysis" — and a kidney transplant with the graft's status, as Procedures (a status
    of not-done for what the patient recorded as not having)."""
    pt = b.case.patient
    if pt.ckd_stage or pt.kidney_disease_cause.strip():
        spec = catalogue.load_json("interop", "kidney_codes.json")
        code = spec["ckd_stage"].get(pt.ckd_stage) if pt.ckd_stage else None
        text = KIDNEY_STAGE_TEXT + pt.ckd_stage if pt.ckd_stage else KIDNEY_NO_STAGE_TEXT
        cause = pt.kidney_disease_cause.strip()
        b.add("kidney-ckd", {
            "resourceType": "Condition",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                      "code": "problem-list-item"}]}],
            "code": {"coding": [{"system": spec["system"], **code}] if code else [], "text": text},
            "subject": {"reference": patient},
            "note": [{"text": KIDNEY_CAUSE_NOTE + cause}] if cause else [],
        }, "Patient information", summary=text + (f", due to {cause}" if cause else ""))
    adherence = [f"adherence: {pt.dialysis_adherence}"] if pt.dialysis_adherence != "unknown" else []
    adherence += [f"adherence detail: {pt.adherence_detail}"] if pt.adherence_detail else []
    if pt.dialysis_modality in ("haemodialysis", "peritoneal") or (pt.dialysis_modality is None
                                                                   and (pt.dialysis_start.is_set or pt.dialysis_start.label)):
        name = DIALYSIS_TEXT.get(pt.dialysis_modality, "Dialysis")  # on dialysis, its modality not stated
        b.add("kidney-dialysis", {
            "resourceType": "Procedure", "status": "in-progress",
            "category": {"text": DIALYSIS_NOW}, "code": {"text": name}, "subject": {"reference": patient},
            "performedPeriod": b.period(pt.dialysis_start, When()),
            "note": [{"text": n} for n in adherence + ([f"start as the source says it: {pt.dialysis_start.label}"]
                                                        if pt.dialysis_start.label else [])],
        }, "Patient information", summary=f"{name}, from {b.told(pt.dialysis_start)}")
    elif pt.dialysis_modality == "none":
        b.add("kidney-dialysis", {
            "resourceType": "Procedure", "status": "not-done", "category": {"text": DIALYSIS_NOW},
            "code": {"text": "Dialysis"}, "subject": {"reference": patient},
        }, "Patient information", summary="Not on dialysis")
    for n, period in enumerate(pt.dialysis_history):
        # a period without dialysis (a kidney transplant working for a while) is dialysis not done then
        name = NO_DIALYSIS if period.modality == "none" else DIALYSIS_TEXT.get(period.modality, "Dialysis")
        notes = ([f"sessions per week: {period.sessions_per_week:g}"] if period.sessions_per_week else [])
        status = "not-done" if period.modality == "none" else "completed" if period.stop.is_set else "in-progress"
        b.add(f"kidney-dialysis-{n}", {
            "resourceType": "Procedure", "status": status,
            "category": {"text": DIALYSIS_PERIOD}, "code": {"text": name}, "subject": {"reference": patient},
            "performedPeriod": b.period(period.start, period.stop),
            "reasonCode": [{"text": period.reason}] if period.reason else [],
            "note": [{"text": x} for x in notes],
        }, "Patient information", summary=f"{name}, {b.told(period.start)}" + (f": {period.reason}" if period.reason else ""))
    if pt.kidney_transplant in ("yes", "no"):
        graft = pt.graft_status
        b.add("kidney-transplant", {
            "resourceType": "Procedure", "status": "completed" if pt.kidney_transplant == "yes" else "not-done",
            "code": {"text": "Kidney transplant"}, "subject": {"reference": patient},
            **(b.timed("performedDateTime", pt.transplant_date) if pt.kidney_transplant == "yes" else {}),
            "outcome": {"text": f"graft {graft}"} if graft else None,
            "note": [{"text": f"time as the source says it: {pt.transplant_date.label}"}]
                    if pt.transplant_date.label else [],
        }, "Patient information", summary="Kidney transplant" + (f", {b.told(pt.transplant_date)}"
                                                                 if pt.kidney_transplant == "yes" else ": none"))


def write_patient_words(b, patient: str) -> None:
    """What the Patient resource has no element for, each an Observation of its own: the ethnicity
    as recorded, and the outcome's status (alive, lost to follow-up; death is also the Patient's),
    cause of death and wound healing."""
    p, o = b.case.patient, b.case.outcome
    for key, code, value, cat, section in (
            ("ethnicity", "Ethnicity (as recorded)", p.ethnicity, "social-history", "Patient information"),
            ("outcome-status", "Outcome status", _words(o.status) if o.status != "unknown" else "", "exam",
             "Follow-up and outcomes"),
            ("cause-of-death", "Cause of death", o.cause_of_death if o.status == "dead" else "", "exam",
             "Follow-up and outcomes"),
            ("wound-healing", "Wound healing at the outcome", _words(o.wound_healing) if o.wound_healing != "unknown"
             else "", "exam", "Follow-up and outcomes")):
        if value.strip():
            b.add(key, {
                "resourceType": "Observation", "status": "final",
                "category": [{"coding": [{"system": OBS_CATEGORY, "code": cat}]}],
                "code": {"text": code}, "subject": {"reference": patient},
                "valueString": value,
            }, section, summary=f"{code}: {value}")


def clinical_status(outcome) -> str:
    """The calciphylaxis Condition's clinical status (FHIR condition-clinical) from the recorded outcome.

    Wounds recorded as healed ("complete resolution of skin lesions") make it ``resolved``: the
    subject no longer has the condition's signs. Wounds that improved, did not change, worsened or
    were not followed up leave it ``active``: ``inactive`` or ``remission`` would claim more than is
    recorded. Death does not end the condition: the status is the one last recorded (active, unless
    the wounds had healed), and the Patient's ``deceased`` element says that the patient died."""
    return "resolved" if outcome.wound_healing == "healed" else "active"


def write_calciphylaxis(b, patient: str) -> None:
    """The calciphylaxis Condition (ICD-10-CM E83.59): its clinical status from the outcome
    (:func:`clinical_status`), what the diagnosis rests on as its evidence and verification status,
    the sites of the lesions, the reasoning as a note."""
    d, sites = b.case.diagnosis, catalogue.all_sites()
    made = d.basis != "not_made"
    b.add("condition-calciphylaxis", {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": clinical_status(b.case.outcome)}]},
        # A diagnosis made on clinical grounds, a biopsy or imaging is "confirmed". With none recorded
        # the case still records calciphylaxis, but nothing it rests on: "unconfirmed" is FHIR's word
        # for "not sufficient diagnostic and/or clinical evidence to treat this as a confirmed
        # condition", and says no more than that. Its children claim what the case does not:
        # "provisional" a diagnosis still under consideration, "differential" one of a set of
        # candidates; "confirmed" would invent the evidence, "refuted" deny the condition.
        "verificationStatus": {"coding": [{"system": VER_STATUS, "code": "confirmed" if made else "unconfirmed"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E83.59",
                             "display": "Other disorders of calcium metabolism"}],
                 "text": "Calciphylaxis (calcific uremic arteriolopathy)"},
        "bodySite": [{"text": s} for s in sorted({sites[l.site].label for l in b.case.lesions if l.site in sites})],
        "subject": {"reference": patient},
        **b.timed("recordedDate", d.when),
        "evidence": [{"code": [{"text": BASIS_EVIDENCE + d.basis.replace("_", " ")}]}] if made else [],
        "note": [{"text": d.reasoning}] if d.reasoning else [],
    }, "Diagnostic assessment", summary=["Calciphylaxis; " + ("diagnosed, basis not stated." if d.basis == "not_stated"
                                                              else f"diagnosis made on: {_words(d.basis)}." if made
                                                              else "no diagnosis recorded."), d.reasoning])


def read_calciphylaxis(reader, r: dict) -> bool:
    """The calciphylaxis Condition (see :func:`write_calciphylaxis`); False for another Condition. A
    ``resolved`` clinical status says the wounds healed when nothing else in the bundle says how they
    did."""
    if "E83.59" not in {c.get("code") for c in r.get("code", {}).get("coding", [])}:
        return False
    d = reader.case.diagnosis
    for ev in r.get("evidence", []):
        for code in ev.get("code", []):
            basis = code.get("text", "").removeprefix(BASIS_EVIDENCE).replace(" ", "_")  # "not stated"
            if basis in get_args(DiagnosisBasis):  # an older bundle's "not_made" too
                d.basis = basis
    d.reasoning = "\n\n".join(n.get("text", "") for n in r.get("note", []))
    d.when = reader.when(r, "recordedDate")
    clinical = {c.get("code") for c in r.get("clinicalStatus", {}).get("coding", []) if c.get("system") == CLINICAL}
    if "resolved" in clinical and reader.case.outcome.wound_healing == "unknown":
        reader.case.outcome.wound_healing = "healed"
    return True


def write_differentials(b, patient: str) -> None:
    """The differential diagnosis: a Condition each, its status as the verification status
    (excluded: refuted; considered: differential; not excluded: unconfirmed), how as a note."""
    d = b.case.diagnosis
    for n, dd in enumerate(d.differentials):
        b.add(f"differential-{n}", {
            "resourceType": "Condition",
            "category": [{"text": DIFFERENTIAL}],
            "verificationStatus": {"coding": [{"system": VER_STATUS, "code": DIFFERENTIAL_STATUS[dd.status]}]},
            "code": {"text": dd.name or "differential diagnosis not named"},
            "subject": {"reference": patient},
            "note": [{"text": dd.how}] if dd.how else [],
        }, "Diagnostic assessment", summary=f"Differential diagnosis: {dd.name} ({_words(dd.status)})"
                                            + (f": {dd.how}" if dd.how else ""))


def read_kidney_procedure(reader, r: dict) -> bool:
    """Dialysis at presentation, a period of the dialysis history, a kidney transplant (see
    :func:`write_kidney`); False for any other Procedure."""
    pt, code = reader.case.patient, r.get("code", {}).get("text", "")
    category = r.get("category", {}).get("text", "")
    modality = {v: k for k, v in DIALYSIS_TEXT.items()}.get(code)
    notes = reader._notes(r)
    if category == DIALYSIS_NOW:
        if r.get("status") == "not-done":
            pt.dialysis_modality = "none"
            return True
        pt.dialysis_modality = modality
        pt.dialysis_start = reader.period(r, "performedPeriod")[0]
        for n in notes:
            if n.startswith("adherence: ") and n[11:] in ("adherent", "non_adherent"):
                pt.dialysis_adherence = n[11:]
            elif n.startswith("adherence detail: "):
                pt.adherence_detail = n.removeprefix("adherence detail: ")
            elif n.startswith("start as the source says it: "):
                pt.dialysis_start.label = n.removeprefix("start as the source says it: ")
        return True
    if category == DIALYSIS_PERIOD:
        start, stop = reader.period(r, "performedPeriod")
        none = r.get("status") == "not-done" or code == NO_DIALYSIS
        period = DialysisPeriod(modality="none" if none else modality or "haemodialysis", start=start, stop=stop,
                                reason="\n".join(x.get("text", "") for x in r.get("reasonCode", [])))
        for n in notes:
            if n.startswith("sessions per week: "):
                period.sessions_per_week = float(n.removeprefix("sessions per week: "))
        pt.dialysis_history.append(period)
        return True
    if code == "Kidney transplant":
        pt.kidney_transplant = "no" if r.get("status") == "not-done" else "yes"
        if pt.kidney_transplant == "yes":
            pt.transplant_date = reader.when(r, "performedDateTime")
        graft = (r.get("outcome") or {}).get("text", "").removeprefix("graft ")
        if graft in ("functioning", "failed", "removed", "unknown"):
            pt.graft_status = graft
        for n in notes:
            if n.startswith("time as the source says it: "):
                pt.transplant_date.label = n.removeprefix("time as the source says it: ")
        return True
    return False


def read_status_observation(reader, code_text: str, r: dict) -> bool:
    """The ethnicity and the outcome's status, cause of death and wound healing (see
    :func:`write_patient_words`); False for any other Observation."""
    value = r.get("valueString", "")
    if code_text == "Ethnicity (as recorded)":
        reader.case.patient.ethnicity = value
    elif code_text == "Outcome status":
        reader.case.outcome.status = _words_to(value, get_args(OutcomeStatus)) or reader.case.outcome.status
    elif code_text == "Cause of death":
        reader.case.outcome.cause_of_death = value
    elif code_text == "Wound healing at the outcome":
        reader.case.outcome.wound_healing = _words_to(value, get_args(WoundHealing)) or "unknown"
    else:
        return False
    return True


def read_differential(reader, r: dict, label: str) -> bool:
    """A differential diagnosis Condition (see :func:`write_differentials`); False for another Condition."""
    if not any(c.get("text") == DIFFERENTIAL for c in r.get("category", [])):
        return False
    status = {v: k for k, v in DIFFERENTIAL_STATUS.items()}.get(
        next((c.get("code") for c in r.get("verificationStatus", {}).get("coding", [])), ""), "considered")
    reader.case.diagnosis.differentials.append(Differential(
        "" if label == "differential diagnosis not named" else label, status,
        "\n".join(n.get("text", "") for n in r.get("note", []))))
    return True


def read_ckd_stage(reader, label: str, r: dict | None = None) -> bool:
    """The CKD stage Condition with the kidney disease's cause in its note (see :func:`write_kidney`);
    False for another Condition."""
    stage = label.removeprefix(KIDNEY_STAGE_TEXT)
    if label.startswith(KIDNEY_STAGE_TEXT) and stage in get_args(CkdStage):
        reader.case.patient.ckd_stage = stage
    elif label != KIDNEY_NO_STAGE_TEXT:
        return False
    for n in (r or {}).get("note", []):
        if n.get("text", "").startswith(KIDNEY_CAUSE_NOTE):
            reader.case.patient.kidney_disease_cause = n["text"].removeprefix(KIDNEY_CAUSE_NOTE)
    return True
