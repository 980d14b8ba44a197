"""The case as a GA4GH Phenopacket v2 (JSON), for rare-disease registries (RareLink,
phenopacket-store), and a Phenopacket read back into a case.

- the disease: ORPHA:280062 Calciphylaxis;
- phenotypic features: lesion morphology, pain, vascular calcification on imaging, the
  comorbidities and the clinical signs that have an exact HPO term (resources/interop/hpo.json,
  which says which release each id and label were checked against); a finding the source states
  as absent is an ``excluded`` feature; a finding without a verified term is left out and named in
  :func:`case_to_phenopacket`'s ``left_out`` list, never given a guessed or a broader code;
- measurements: each lab value with its LOINC code chosen by analyte and unit property and its
  UCUM unit (the same tables as the FHIR export), with the reference range the flag used;
- medical actions: the treatments, as Casebook's own treatment classes (declared in metaData;
  no drug ontology code is claimed), with the response where recorded;
- the subject: sex, age at presentation (``P61Y``) and vital status.

The Phenopacket carries no time of its own relative to the index event, so times are not
exported. The case comes in de-identified (desktop.interop.prepare).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from typing import Any

from .. import catalogue
from ..core import labs
from ..model import (Case, Comorbidity, Event, Imaging, LabResult, Lesion, Observation, Outcome, Treatment,
                     new_id)

SCHEMA_VERSION = "2.0"
TREATMENT_PREFIX = "casebook.treatment"
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
    }
    return [table[p] for p in ("HP", "ORPHA", "LOINC", "UCUM", TREATMENT_PREFIX) if p in used]


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
    for c in case.patient.comorbidities:
        if c.code in table["comorbidities"]:
            feature(table["comorbidities"][c.code])
        else:
            left_out.append(f"comorbidity {catalogue.comorbidities().get(c.code, c.code)!r}: no exact HPO term listed")
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
            left_out.append(f"lab {lab.analyte} {lab.unit or ''}".strip() + ": no verified LOINC/UCUM code or no value")
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
    if actions:
        used.add(TREATMENT_PREFIX)
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
    for group in ("morphology", "comorbidities", "signs"):
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
        elif group == "comorbidities" and not excluded:
            case.patient.comorbidities.append(Comorbidity(key))
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
    for a in packet.get("medicalActions", []):
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
