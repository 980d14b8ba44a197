"""The case as a GA4GH Phenopacket v2 (JSON), for rare-disease registries (RareLink,
phenopacket-store), and a Phenopacket read back into a case.

- the disease: ORPHA:280062 Calciphylaxis;
- phenotypic features: lesion morphology, pain, vascular calcification on imaging, the CKD stage,
  the comorbidities and the clinical signs that have an exact HPO term (resources/interop/hpo.json,
  which says which release each id and label were checked against); a finding the source states
  as absent is an ``excluded`` feature; a finding without a verified term is left out and named in
  :func:`case_to_phenopacket`'s ``left_out`` list, never given a guessed or a broader code;
- measurements: each lab value with its LOINC code chosen by analyte and unit property and its
  UCUM unit (the same tables as the FHIR export), with the reference range the flag used;
- medical actions: the treatments, as Casebook's own treatment classes (declared in metaData;
  no drug ontology code is claimed), with the response where recorded; then the medications
  (the patient's medicines), each with Casebook's own medication class as the agent's code and its
  name as the label (read back as medications, not treatments);
- the subject: sex, age at presentation (``P61Y``) and vital status.

The Phenopacket carries no time of its own relative to the index event, so times are not
exported. Whatever else the case records and the Phenopacket does not carry (dialysis, transplant,
biopsies, lesion sites, doses, the outcome beyond vital status, free text...) is named in
``left_out`` too (:func:`not_carried`), one line each, so that a registry user does not take the
file for the whole case. The case comes in de-identified (desktop.interop.prepare).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from functools import cache
from typing import Any

from .. import catalogue
from ..core import labs
from ..model import (BwatCua, Case, Comorbidity, Event, Imaging, LabResult, Lesion, Medication, Observation,
                     Outcome, Treatment, When, new_id)

SCHEMA_VERSION = "2.0"
TREATMENT_PREFIX = "casebook.treatment"
MEDICATION_PREFIX = "casebook.medication"
SEX = {"male": "MALE", "female": "FEMALE", "other": "OTHER_SEX", "unknown": "UNKNOWN_SEX"}
VITAL = {"alive": "ALIVE", "dead": "DECEASED"}
RESPONSE = {"improved": "improved", "stable": "stable", "no_improvement": "no improvement",
            "worsened": "worsened"}


@cache
def hpo() -> dict:
    return catalogue.load_json("interop", "hpo.json")


def _resources(used: set[str]) -> list[dict]:
    table = {
        "HP": {"id": "hp", "name": "human phenotype ontology", "url": "http://purl.obolibrary.org/obo/hp.owl",
               "version": hpo()["hpo_version"], "namespacePrefix": "HP",
               "iriPrefix": "http://purl.obolibrary.org/obo/HP_"},
        "ORPHA": {"id": "orpha", "name": "Orphanet Rare Disease Ontology", "url": "https://www.orpha.net/",
                  "version": hpo()["hpo_version"], "namespacePrefix": "ORPHA",
                  "iriPrefix": "http://www.orpha.net/ORDO/Orphanet_"},
        "LOINC": {"id": "loinc", "name": "Logical Observation Identifiers Names and Codes", "url": "https://loinc.org",
                  "version": "2.82", "namespacePrefix": "LOINC", "iriPrefix": "https://loinc.org/"},
        "UCUM": {"id": "ucum", "name": "Unified Code for Units of Measure", "url": "https://ucum.org",
                 "version": "2.1", "namespacePrefix": "UCUM", "iriPrefix": "https://ucum.org/"},
        TREATMENT_PREFIX: {"id": TREATMENT_PREFIX, "name": "Casebook treatment classes",
                           "url": "urn:casebook:treatment-classes", "version": "1",
                           "namespacePrefix": TREATMENT_PREFIX, "iriPrefix": "urn:casebook:treatment:"},
        MEDICATION_PREFIX: {"id": MEDICATION_PREFIX, "name": "Casebook medication classes",
                            "url": "urn:casebook:medication-classes", "version": "1",
                            "namespacePrefix": MEDICATION_PREFIX, "iriPrefix": "urn:casebook:medication:"},
    }
    return [table[p] for p in ("HP", "ORPHA", "LOINC", "UCUM", TREATMENT_PREFIX, MEDICATION_PREFIX) if p in used]


def _term(t: dict) -> dict:
    return {"id": t["id"], "label": t["label"]}


def case_to_phenopacket(case: Case, *, now: dt.datetime | None = None) -> tuple[dict, list[str]]:
    """(the Phenopacket as JSON values, what was left out for want of a verified code)."""
    from .fhir import loinc_for, ucum_code
    table = hpo()
    left_out: list[str] = []
    features: dict[str, dict] = {}  # HPO id -> feature (one per term; present wins over excluded)

    def feature(term: dict, excluded: bool = False, description: str = "") -> None:
        old = features.get(term["id"])
        if old is not None and not old.get("excluded"):
            return
        f: dict[str, Any] = {"type": _term(term)}
        if excluded:
            f["excluded"] = True
        if description:
            f["description"] = description
        features[term["id"]] = f

    for les in case.lesions:
        if les.nature != "calciphylaxis":
            continue
        for ob in les.observations:
            for m in ob.morphology:
                if m in table["morphology"]:
                    feature(table["morphology"][m])
                else:
                    left_out.append(f"lesion morphology {m.replace('_', ' ')!r}: no exact HPO term")
            if ob.pain == "present" or (ob.pain_0_10 or 0) > 0 or (ob.pain_0_100 or 0) > 0:
                feature(table["pain"])
            elif ob.pain == "absent":
                feature(table["pain"], excluded=True)
    for im in case.imaging:
        if im.vascular_calcification == "yes":
            feature(table["vascular_calcification"])
        elif im.vascular_calcification == "no":
            feature(table["vascular_calcification"], excluded=True)
    stage = case.patient.ckd_stage
    if stage in table["ckd_stage"]:
        feature(table["ckd_stage"][stage])
    elif stage in table["ckd_stage_as"]:  # 5D: stage 5, the dialysis not carried (and said)
        feature(table["ckd_stage"][table["ckd_stage_as"][stage]["stage"]])
        left_out.append(f"CKD stage {stage!r}: " + table["ckd_stage_as"][stage]["left_out"])
    elif stage is not None:
        left_out.append(f"CKD stage {stage!r}: " + table["ckd_stage_left_out"].get(stage, "no exact HPO term listed"))
    for c in case.patient.comorbidities:
        if c.code in table["comorbidities"]:
            feature(table["comorbidities"][c.code], excluded=c.absent)  # "non-diabetic": an excluded feature
        else:
            name = catalogue.comorbidities().get(c.code, c.code)
            left_out.append(f"comorbidity {name!r}{' (absent)' if c.absent else ''}: no exact HPO term listed")
    for e in case.events:
        for s in e.signs:
            if s in table["signs"]:
                feature(table["signs"][s])
            elif s in table["excluded_signs"]:
                feature(table["signs"][table["excluded_signs"][s]], excluded=True)
            else:
                left_out.append(f"clinical sign {s.replace('_', ' ')!r}: no exact HPO term listed")

    measurements = []
    for lab in case.labs:
        lo = loinc_for(lab.analyte, lab.unit)
        unit = ucum_code(lab.unit) if lab.unit else None
        if lab.value is None or lo is None or unit is None:
            what = f"{lab.analyte} ({' '.join(lab.name.split())})" if lab.name.strip() else lab.analyte
            left_out.append(f"lab {what} {lab.unit or ''}".strip() + ": no verified LOINC/UCUM code or no value")
            continue
        if lab.comparator != "=":
            left_out.append(f"lab {lab.analyte}: the comparator {lab.comparator!r} (the Phenopacket has none)")
        q: dict[str, Any] = {"unit": {"id": f"UCUM:{unit}", "label": lab.unit}, "value": lab.value}
        rr = labs.reference_range(lab, case.patient.sex)
        if rr is not None and rr.low is not None and rr.high is not None:
            q["referenceRange"] = {"unit": {"id": f"UCUM:{unit}", "label": lab.unit}, "low": rr.low, "high": rr.high}
        measurements.append({"assay": {"id": f"LOINC:{lo['code']}", "label": lo["display"]},
                             "value": {"quantity": q}})

    actions = []
    classes = catalogue.treatment_classes()
    for t in case.treatments:
        cls = {"id": f"{TREATMENT_PREFIX}:{t.treatment_class}", "label": classes.get(t.treatment_class, t.treatment_class)}
        action: dict[str, Any] = ({"treatment": {"agent": cls}} if t.kind == "drug" else {"procedure": {"code": cls}})
        if t.response in RESPONSE:
            action["responseToTreatment"] = {"id": f"{TREATMENT_PREFIX}:response-{t.response}",
                                             "label": RESPONSE[t.response]}
        actions.append(action)
    meds = catalogue.medication_classes()
    for med in case.medications:
        if med.not_taken:  # a recorded negative: medical actions are what was given (in not_carried)
            continue
        label = med.name.strip() or meds.get(med.drug_class, med.drug_class)
        actions.append({"treatment": {"agent": {"id": f"{MEDICATION_PREFIX}:{med.drug_class}", "label": label}}})
    left_out += not_carried(case)

    p = case.patient
    subject: dict[str, Any] = {"id": "patient", "sex": SEX.get(p.sex, "UNKNOWN_SEX"),
                               "vitalStatus": {"status": VITAL.get(case.outcome.status, "UNKNOWN_STATUS")}}
    if p.age_over_89:
        subject["timeAtLastEncounter"] = {"ageRange": {"start": {"iso8601duration": "P90Y"}}}
    elif p.age_years is not None:
        subject["timeAtLastEncounter"] = {"age": {"iso8601duration": f"P{p.age_years}Y"}}
    used = {"ORPHA"} | {f["type"]["id"].split(":")[0] for f in features.values()}
    if measurements:
        used |= {"LOINC", "UCUM"}
    if case.treatments:
        used.add(TREATMENT_PREFIX)
    if any(not m.not_taken for m in case.medications):
        used.add(MEDICATION_PREFIX)
    created = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    packet = {
        "id": case.id,
        "subject": subject,
        "phenotypicFeatures": list(features.values()),
        "measurements": measurements,
        "diseases": [{"term": _term(table["disease"])}],
        "medicalActions": actions,
        "metaData": {"created": created.strftime("%Y-%m-%dT%H:%M:%SZ"), "createdBy": "Casebook",
                     "resources": _resources(used), "phenopacketSchemaVersion": SCHEMA_VERSION},
    }
    return {k: v for k, v in packet.items() if v not in ([], {})}, left_out


def write_phenopacket(case: Case, *, now: dt.datetime | None = None, left_out: list[str] | None = None) -> str:
    """The Phenopacket as JSON text; ``left_out``, when given, gets what it could not carry (one line
    each, see :func:`case_to_phenopacket`), so the export can say so."""
    packet, omitted = case_to_phenopacket(case, now=now)
    if left_out is not None:
        left_out.extend(omitted)
    return json.dumps(packet, ensure_ascii=False, indent=2) + "\n"


# --- what the Phenopacket does not carry -----------------------------------------------------------

DIALYSIS = {"none": "'none' (not on dialysis)", "haemodialysis": "'haemodialysis'", "peritoneal": "'peritoneal'"}
PATIENT_TEXTS = ("history", "family_history", "social_history", "presenting_concerns", "past_interventions",
                 "kidney_disease_cause")
OUTCOME_TEXTS = ("cause_of_death", "amputation_detail", "hospitalisations", "patient_assessed", "adherence",
                 "adverse_events", "summary")
NO_CODE = "no verified code listed"


def _words(code: str) -> str:
    return code.replace("_", " ").replace("-", " ")


def _whens(obj) -> list[When]:
    """Every time recorded anywhere in ``obj`` (a case or a part of one)."""
    if isinstance(obj, When):
        return [obj]
    if isinstance(obj, list):
        return [w for x in obj for w in _whens(x)]
    if dataclasses.is_dataclass(obj):
        return [w for f in dataclasses.fields(obj) for w in _whens(getattr(obj, f.name))]
    return []


def _wound_details(ob: Observation) -> bool:
    """An observation with more than its morphology and whether it hurts: sizes, scores, PUSH/BWAT items."""
    return (any(v is not None for v in (ob.length_mm, ob.width_mm, ob.depth_mm, ob.tissue_type, ob.exudate_type,
                                        ob.exudate_amount, ob.odour, ob.pain_0_10, ob.pain_0_100))
            or ob.ulcerated != "unknown" or ob.oedema != "unknown" or ob.purulence != "unknown"
            or bool(ob.surrounding_skin.strip() or ob.note.strip()) or ob.bwat != BwatCua())


def not_carried(case: Case) -> list[str]:
    """What the case records that the Phenopacket does not carry (besides the findings, stage and
    labs without a verified code, which :func:`case_to_phenopacket` names as it meets them), one line
    each: in Casebook's codes and field names, never the case's free text."""
    out: list[str] = []
    p, o = case.patient, case.outcome
    if p.dialysis_modality is not None:
        out.append(f"dialysis modality {DIALYSIS[p.dialysis_modality]}: {NO_CODE}")
    if p.dialysis_history:
        n = len(p.dialysis_history)
        out.append(f"dialysis history ({n} period{'s' if n > 1 else ''} of one modality each): {NO_CODE}")
    if p.dialysis_adherence != "unknown":
        out.append(f"dialysis adherence {_words(p.dialysis_adherence)!r}: {NO_CODE}")
    if p.kidney_transplant != "unknown":
        graft = f" (graft {p.graft_status})" if p.graft_status not in (None, "unknown") else ""
        out.append(f"kidney transplant {p.kidney_transplant!r}{graft}: {NO_CODE}")
    if p.ethnicity.strip():
        out.append("ethnicity: the Phenopacket v2 has no field for it")
    if p.weight_kg is not None or p.height_cm is not None:
        out.append(f"body weight or height: {NO_CODE}")
    if any(getattr(p, k).strip() for k in PATIENT_TEXTS) or any(c.detail.strip() for c in p.comorbidities):
        out.append("patient history in words (medical, family and social history, concerns, past interventions,"
                   " the kidney disease's cause, comorbidity details): free text, not carried")
    if case.events or any(w.is_set or w.label.strip() for w in _whens(case)):
        out.append("times (the timeline, onsets, starts and stops, when values were taken): not carried")
    if case.vitals:
        out.append(f"vital signs ({len(case.vitals)}): {NO_CODE}")
    sites = catalogue.all_sites()
    seen = set()
    for les in case.lesions:
        if les.nature != "calciphylaxis":
            out.append(f"lesion of nature {_words(les.nature)!r}: only calciphylaxis lesions are carried")
            continue
        if not les.site:
            continue
        where = sites[les.site].label if les.site in sites else les.site
        if les.laterality not in ("unspecified", "midline"):
            where = f"{les.laterality} {where}"
        if where not in seen:
            seen.add(where)
            out.append(f"lesion site {where!r}: no verified anatomy code listed")
    observed = [ob for les in case.lesions if les.nature == "calciphylaxis" for ob in les.observations]
    if any(_wound_details(ob) for ob in observed):
        out.append("wound measurements, pain scores and wound descriptors (PUSH, BWAT-CUA): not carried")
    for im in case.imaging:
        if im.vascular_calcification == "unknown":
            out.append(f"imaging ({_words(im.modality)}) without a statement on vascular calcification: not carried")
    for b in case.biopsies:
        what = ", ".join(x for x in (_words(b.specimen or "specimen not stated"),
                                      f"result {_words(b.result)}" if b.result else "",
                                      f"grade {_words(b.grade)}" if b.grade else "",
                                      "histology: " + ", ".join(_words(f) for f in b.features) if b.features else "")
                         if x)
        out.append(f"biopsy ({what}): {NO_CODE}")
    if case.diagnosis.basis not in ("not_made", "not_stated"):  # "not stated": nothing to carry
        out.append(f"diagnosis made on {_words(case.diagnosis.basis)!r}: the Phenopacket's disease has no field for it")
    if case.diagnosis.differentials:
        out.append(f"differential diagnoses ({len(case.diagnosis.differentials)}): not carried")
    if any(getattr(case.diagnosis, k).strip() for k in ("reasoning", "challenges", "prognosis")):
        out.append("diagnostic reasoning, challenges and prognosis in words: free text, not carried")
    classes = catalogue.treatment_classes()
    for t in case.treatments:
        name = t.agent.strip() or classes.get(t.treatment_class, t.treatment_class)
        parts = [x for x, recorded in (
            ("its name (exported as its class)", t.agent.strip().casefold() not in
             ("", classes.get(t.treatment_class, "").casefold())),
            ("dose", t.dose is not None or bool(t.dose_unit.strip())), ("route", bool(t.route.strip())),
            ("schedule", bool(t.schedule.strip() or t.duration_text.strip()) or t.times_per_week is not None),
            ("during dialysis", t.during_dialysis != "unknown"), ("indication", bool(t.indication.strip())),
            ("culture-directed", t.culture_directed != "unknown"),
            ("response", t.response is not None and t.response not in RESPONSE),
            ("response in words", bool(t.response_detail.strip())),
            ("adverse events", bool(t.adverse_events.strip()))) if recorded]
        if parts:
            out.append(f"treatment {name!r}: {', '.join(parts)} not carried")
    for m in case.medications:
        if m.not_taken:
            out.append(f"medication {m.name.strip() or m.drug_class!r} recorded as not taken: a Phenopacket's "
                       f"medical actions hold only what was given")
            continue
        parts = [x for x, recorded in (
            ("dose", m.dose is not None or bool(m.dose_unit.strip())), ("route", bool(m.route.strip())),
            ("frequency", bool(m.frequency.strip()) or m.doses_per_day is not None), ("note", bool(m.note.strip())))
            if recorded]
        if parts:
            out.append(f"medication {m.name.strip() or m.drug_class!r}: {', '.join(parts)} not carried")
    if o.status not in VITAL and o.status != "unknown":
        out.append(f"outcome {_words(o.status)!r}: the Phenopacket's vital status has no such value")
    if o.wound_healing != "unknown":
        out.append(f"wound healing {o.wound_healing!r}: {NO_CODE}")
    if o.amputation != "unknown":
        out.append(f"amputation {o.amputation!r}: {NO_CODE}")
    for k in OUTCOME_TEXTS:
        if getattr(o, k).strip():
            out.append(f"outcome, {_words(k)}: free text, not carried")
    return out


# --- reading a Phenopacket back -------------------------------------------------------------------

def phenopacket_to_case(packet: dict) -> tuple[Case, list[str]]:
    """A case from a Phenopacket, as far as it maps, and what did not map (in words)."""
    from .fhir import loinc_table, ucum_codes
    table = hpo()
    report: list[str] = []
    case = Case(title=f"Imported Phenopacket {packet.get('id', '')}".strip(), status="draft")
    subj = packet.get("subject") or {}
    case.patient.sex = {v: k for k, v in SEX.items()}.get(subj.get("sex", ""), "unknown")
    tle = subj.get("timeAtLastEncounter") or {}
    age = (tle.get("age") or {}).get("iso8601duration", "")
    m = re.fullmatch(r"P(\d+)Y", age)
    if m:
        if int(m.group(1)) > 89:
            case.patient.age_over_89 = True
        else:
            case.patient.age_years = int(m.group(1))
    elif (tle.get("ageRange") or {}).get("start", {}).get("iso8601duration") == "P90Y":
        case.patient.age_over_89 = True
    elif tle:
        report.append(f"subject's time at last encounter {json.dumps(tle)}: only a whole age in years is read")
    status = (subj.get("vitalStatus") or {}).get("status")
    case.outcome = Outcome(status={v: k for k, v in VITAL.items()}.get(status, "unknown"))

    diseases = [d.get("term", {}).get("id") for d in packet.get("diseases", [])]
    if table["disease"]["id"] not in diseases:
        report.append(f"diseases {diseases}: not calciphylaxis ({table['disease']['id']}); imported all the same")
    for d in diseases:
        if d != table["disease"]["id"]:
            report.append(f"disease {d}: not imported")

    by_id = {}
    for group in ("morphology", "comorbidities", "signs", "ckd_stage"):
        for key, t in table[group].items():
            by_id[t["id"]] = (group, key)
    by_id[table["pain"]["id"]] = ("pain", None)
    by_id[table["vascular_calcification"]["id"]] = ("vascular_calcification", None)
    obs = Observation()
    signs_event = Event(kind="examination", description="Findings imported from a Phenopacket")
    for f in packet.get("phenotypicFeatures", []):
        tid, label = f.get("type", {}).get("id"), f.get("type", {}).get("label", "")
        excluded = bool(f.get("excluded"))
        hit = by_id.get(tid)
        if hit is None:
            report.append(f"phenotypic feature {tid} {label!r}{' (excluded)' if excluded else ''}: no Casebook field")
            continue
        group, key = hit
        if group == "morphology" and not excluded:
            obs.morphology.append(key)
        elif group == "pain":
            obs.pain = "absent" if excluded else "present"
        elif group == "vascular_calcification":
            case.imaging.append(Imaging(modality="other", vascular_calcification="no" if excluded else "yes",
                                        findings="vascular calcification (from a Phenopacket)"))
        elif group == "comorbidities":
            case.patient.comorbidities.append(Comorbidity(key, absent=excluded))
        elif group == "ckd_stage" and not excluded:
            if case.patient.ckd_stage in (None, key):
                case.patient.ckd_stage = key
            else:
                report.append(f"phenotypic feature {tid} {label!r}: a second CKD stage;"
                              f" kept {case.patient.ckd_stage!r}")
        elif group == "signs":
            if excluded:
                rev = {v: k for k, v in table["excluded_signs"].items()}
                if key in rev:
                    signs_event.signs.append(rev[key])
                else:
                    report.append(f"phenotypic feature {tid} {label!r} (excluded): Casebook records no absence of it")
            else:
                signs_event.signs.append(key)
        else:
            report.append(f"phenotypic feature {tid} {label!r} (excluded): Casebook records no absence of it")
    if obs.morphology or obs.pain != "not_stated":
        case.lesions.append(Lesion(site="", description="Lesion findings imported from a Phenopacket",
                                   observations=[obs]))
    if signs_event.signs:
        case.events.append(signs_event)

    loinc_to = {}
    for analyte, props in loinc_table()["analytes"].items():
        for x in props.values():
            loinc_to[x["code"]] = analyte
    ucum_to = {}
    for unit, code in ucum_codes().items():
        ucum_to.setdefault(code, unit)
    for n, meas in enumerate(packet.get("measurements", [])):
        assay = meas.get("assay", {}).get("id", "")
        q = (meas.get("value") or {}).get("quantity")
        analyte = loinc_to.get(assay.removeprefix("LOINC:")) if assay.startswith("LOINC:") else None
        if analyte is None or q is None:
            report.append(f"measurement {assay} {meas.get('assay', {}).get('label', '')!r}: no Casebook analyte"
                          " or not a quantity")
            continue
        unit = q.get("unit", {})
        printed = unit.get("label") or ucum_to.get(unit.get("id", "").removeprefix("UCUM:"), "")
        lab = LabResult(id=new_id(), analyte=analyte, value=float(q.get("value")), unit=printed)
        rr = q.get("referenceRange")
        if rr:
            default = labs.reference_range(LabResult(analyte=analyte, value=lab.value, unit=printed))
            if default is None or not (_close(default.low, rr.get("low")) and _close(default.high, rr.get("high"))):
                lab.ref_low, lab.ref_high = rr.get("low"), rr.get("high")
        case.labs.append(lab)

    classes = {f"{TREATMENT_PREFIX}:{k}": k for k in catalogue.treatment_classes()}
    responses = {f"{TREATMENT_PREFIX}:response-{k}": k for k in RESPONSE}
    med_classes = {f"{MEDICATION_PREFIX}:{k}": k for k in catalogue.medication_classes()}
    for a in packet.get("medicalActions", []):
        agent = a["treatment"].get("agent", {}) if "treatment" in a else {}
        if str(agent.get("id", "")).startswith(f"{MEDICATION_PREFIX}:"):
            drug_class = med_classes.get(agent["id"])
            if drug_class is None:
                report.append(f"medication {agent['id']} {agent.get('label', '')!r}: no Casebook medication class;"
                              " imported as 'other'")
            case.medications.append(Medication(name=agent.get("label", ""), drug_class=drug_class or "other"))
            if a.get("responseToTreatment"):
                report.append(f"response to medication {agent.get('label', '')!r}: Casebook records none; left out")
            continue
        kind, term = ("drug", a["treatment"].get("agent", {})) if "treatment" in a else \
            ("procedure", a.get("procedure", {}).get("code", {})) if "procedure" in a else ("other", {})
        cls = classes.get(term.get("id", ""))
        if cls is None:
            report.append(f"medical action {term.get('id')} {term.get('label', '')!r}: no Casebook treatment class;"
                          " imported as 'other'")
        t = Treatment(kind=kind, agent="" if cls else term.get("label", ""), treatment_class=cls or "other")
        resp = (a.get("responseToTreatment") or {}).get("id")
        if resp:
            if resp in responses:
                t.response = responses[resp]
            else:
                report.append(f"response to treatment {resp}: not a Casebook response; left out")
        case.treatments.append(t)
    for key in ("biosamples", "interpretations", "files", "pedigree", "measurements_time"):
        if packet.get(key):
            report.append(f"{key}: not imported (Casebook has no place for it)")
    return case, report


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def looks_like_phenopacket(data: Any) -> bool:
    return isinstance(data, dict) and "metaData" in data and ("subject" in data or "phenotypicFeatures" in data)
