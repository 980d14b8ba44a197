"""The case as an HL7 FHIR R4B document: a Bundle of type ``document`` whose first entry is a
Composition with one section per CARE section, followed by every resource it references.

The case comes in de-identified (desktop.interop.prepare), so no resource carries a calendar date
about the patient: times are days from the index event in an extension
(:data:`RELATIVE_TIME_URL`). Codes only where our sources give them: LOINC from the analyte
catalogue, ICD-10-CM E83.59 for calciphylaxis (the domain file, [S]), UCUM units from
resources/catalogues/ucum.json. Everything else is text, never a guessed code.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from functools import cache
from typing import Any

from .. import catalogue
from ..core import labs
from ..model import Case, When
from ..timing import Timeline, describe

RELATIVE_TIME_URL = "https://casebook.invalid/fhir/StructureDefinition/time-from-index-event"
AGE_URL = "https://casebook.invalid/fhir/StructureDefinition/age-at-presentation"
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# The CARE sections of the Composition, in order (case-reports.md §1).
SECTIONS = ["Abstract", "Introduction", "Patient information", "Clinical findings", "Timeline",
            "Diagnostic assessment", "Therapeutic intervention", "Follow-up and outcomes", "Discussion",
            "Conclusions", "Patient perspective", "Informed consent"]

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@cache
def ucum_codes() -> dict[str, str]:
    return catalogue.load_json("catalogues", "ucum.json")["units"]


def _s(text: str | None) -> str | None:
    """A FHIR string: no empty strings, no characters XML cannot carry, no outer whitespace."""
    if text is None:
        return None
    text = _XML_BAD.sub("", str(text)).strip()
    return text or None


def _clean(obj: Any) -> Any:
    """Drop None, empty strings, empty lists and empty objects (FHIR forbids empty elements)."""
    if isinstance(obj, dict):
        out = {k: _clean(v) for k, v in obj.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(obj, list):
        out = [_clean(v) for v in obj]
        return [v for v in out if v not in (None, "", [], {})]
    if isinstance(obj, str):
        return _s(obj)
    return obj


def _narrative(paragraphs: list[str]) -> dict | None:
    paras = [p for p in (_s(p) for p in paragraphs) if p]
    if not paras:
        return None
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def quantity(value: float | None, unit: str, comparator: str = "=") -> dict | None:
    if value is None:
        return None
    q: dict[str, Any] = {"value": value, "unit": _s(unit)}
    code = ucum_codes().get(unit)
    if code:
        q["system"] = UCUM
        q["code"] = code
    if comparator and comparator != "=":
        q["comparator"] = comparator
    return q


class _Builder:
    def __init__(self, case: Case, now: dt.datetime | None):
        self.case = case
        self.tl = Timeline(case)
        self.now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
        self.entries: list[dict] = []
        self.refs: dict[str, list[str]] = {s: [] for s in SECTIONS}

    def uid(self, key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"casebook:{self.case.id}:{key}"))

    def add(self, key: str, resource: dict, *sections: str) -> str:
        rid = self.uid(key)
        resource = _clean({"resourceType": resource.pop("resourceType"), "id": rid, **resource})
        url = f"urn:uuid:{rid}"
        self.entries.append({"fullUrl": url, "resource": resource})
        for s in sections:
            self.refs[s].append(url)
        return url

    def when_ext(self, when: When, what: str = "") -> list[dict]:
        placed = self.tl.place(when)
        if placed is None:
            return [{"url": RELATIVE_TIME_URL, "valueString": _s(when.label) or "time not recorded"}]
        text = describe(placed) + (f" ({what})" if what else "")
        return [
            {"url": RELATIVE_TIME_URL, "valueQuantity": {"value": round(placed.day, 3), "unit": "d", "system": UCUM,
                                                          "code": "d"}},
            {"url": RELATIVE_TIME_URL + "-text", "valueString": text + (f" — {when.label}" if when.label else "")},
        ]

    # --- resources ---------------------------------------------------------------------------------

    def patient(self) -> str:
        p = self.case.patient
        ext = []
        if p.age_over_89:
            ext.append({"url": AGE_URL, "valueString": "90 or older"})
        elif p.age_years is not None:
            ext.append({"url": AGE_URL, "valueAge": {"value": p.age_years, "unit": "years", "system": UCUM, "code": "a"}})
        res = {"resourceType": "Patient", "extension": ext, "gender": p.sex}
        if self.case.outcome.status == "dead":
            res["deceasedBoolean"] = True
        return self.add("patient", res, "Patient information")

    def conditions(self, patient: str) -> None:
        sites = sorted({catalogue.sites()[l.site].label for l in self.case.lesions if l.site in catalogue.sites()})
        basis = self.case.diagnosis.basis
        self.add("condition-calciphylaxis", {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                           "code": "active"}]},
            "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                               "code": "confirmed" if basis != "not_made" else "provisional"}]},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E83.59",
                                 "display": "Other disorders of calcium metabolism"}],
                     "text": "Calciphylaxis (calcific uremic arteriolopathy)"},
            "bodySite": [{"text": s} for s in sites],
            "subject": {"reference": patient},
            "note": [{"text": f"Diagnosis basis: {basis.replace('_', ' ')}. " + self.case.diagnosis.reasoning}],
        }, "Diagnostic assessment")
        for n, c in enumerate(self.case.patient.comorbidities):
            label = catalogue.comorbidities().get(c.code, c.code)
            self.add(f"comorbidity-{n}", {
                "resourceType": "Condition", "code": {"text": label + (f": {c.detail}" if c.detail else "")},
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                          "code": "problem-list-item"}]}],
                "subject": {"reference": patient},
            }, "Patient information")

    def labs(self, patient: str) -> None:
        analytes = catalogue.analytes()
        for lab in self.case.labs:
            a = analytes.get(lab.analyte)
            code: dict[str, Any] = {"text": a.label if a else lab.analyte}
            if a and a.loinc:
                code["coding"] = [{"system": LOINC, "code": a.loinc, "display": a.label}]
            rr = labs.reference_range(lab)
            fl = labs.flag(lab)
            ref = []
            if rr is not None and (rr.low is not None or rr.high is not None):
                ref.append({"low": quantity(rr.low, rr.unit), "high": quantity(rr.high, rr.unit),
                            "text": f"{labs.format_range(rr)} ({rr.source})"})
            self.add(f"lab-{lab.id}", {
                "resourceType": "Observation", "status": "final",
                "extension": self.when_ext(lab.when),
                "category": [{"coding": [{"system": OBS_CATEGORY, "code": "laboratory"}]}],
                "code": code, "subject": {"reference": patient},
                "valueQuantity": quantity(lab.value, lab.unit, lab.comparator),
                "referenceRange": ref,
                "interpretation": [{"coding": [{"system": INTERPRETATION, "code": fl or "N",
                                                "display": {"H": "High", "L": "Low", "": "Normal"}[fl]}]}]
                if rr is not None else [],
                "note": [{"text": t} for t in (("expected abnormal for a known condition" if lab.expected_abnormal else ""),
                                               lab.note, (f"dialysis context: {lab.dialysis_context}"
                                                          if lab.dialysis_context in ("pre", "post") else "")) if t],
            }, "Diagnostic assessment")
        for v in self.case.vitals:
            spec = catalogue.vitals().get(v.kind, {"label": v.kind})
            self.add(f"vital-{v.id}", {
                "resourceType": "Observation", "status": "final", "extension": self.when_ext(v.when),
                "category": [{"coding": [{"system": OBS_CATEGORY, "code": "vital-signs"}]}],
                "code": {"text": spec["label"]}, "subject": {"reference": patient},
                "valueQuantity": quantity(v.value, v.unit), "note": [{"text": v.note}] if v.note else [],
            }, "Clinical findings")

    def lesions(self, patient: str) -> dict[str, str]:
        urls = {}
        laterality = {"left": ("7771000", "Left"), "right": ("24028007", "Right"), "bilateral": ("51440002", "Bilateral")}
        for n, les in enumerate(self.case.lesions, 1):
            site = catalogue.sites().get(les.site)
            qual = []
            if les.laterality in laterality:
                code, disp = laterality[les.laterality]
                qual.append({"coding": [{"system": "http://snomed.info/sct", "code": code, "display": disp}],
                             "text": f"the patient's {les.laterality}"})
            elif les.laterality == "midline":
                qual.append({"text": "midline"})
            obs_text = []
            for ob in les.observations:
                placed = self.tl.place(ob.when)
                parts = [describe(placed)]
                if ob.length_mm is not None and ob.width_mm is not None:
                    parts.append(f"{ob.length_mm:g} × {ob.width_mm:g} mm")
                if ob.morphology:
                    parts.append(", ".join(ob.morphology))
                obs_text.append("; ".join(parts))
            urls[les.id] = self.add(f"lesion-{les.id}", {
                "resourceType": "BodyStructure",
                "description": f"Lesion {n}: " + (site.label if site else "site not recorded")
                               + (f" ({les.site_detail})" if les.site_detail else "")
                               + (f". {les.description}" if les.description else ""),
                "morphology": {"text": "calciphylaxis lesion" + (f" ({site.cls.replace('_', ' ')})" if site else "")},
                "location": {"text": site.label if site else None},
                "locationQualifier": qual,
                "patient": {"reference": patient},
                "extension": self.when_ext(les.onset, "onset"),
            }, "Clinical findings")
            for ob_n, text in enumerate(obs_text):
                self.add(f"lesion-{les.id}-obs-{ob_n}", {
                    "resourceType": "Observation", "status": "final",
                    "extension": self.when_ext(les.observations[ob_n].when),
                    "category": [{"coding": [{"system": OBS_CATEGORY, "code": "exam"}]}],
                    "code": {"text": "Wound assessment"}, "subject": {"reference": patient},
                    "focus": [{"reference": urls[les.id]}], "valueString": text,
                    "component": [c for c in (
                        {"code": {"text": "length"}, "valueQuantity": quantity(les.observations[ob_n].length_mm, "mm")},
                        {"code": {"text": "width"}, "valueQuantity": quantity(les.observations[ob_n].width_mm, "mm")},
                        {"code": {"text": "depth"}, "valueQuantity": quantity(les.observations[ob_n].depth_mm, "mm")},
                    ) if c["valueQuantity"] is not None],
                }, "Clinical findings")
        return urls

    def treatments(self, patient: str) -> None:
        for m in self.case.medications:
            self._medication(f"med-{m.id}", patient, m.name, m.drug_class, m.dose, m.dose_unit, m.route,
                             m.frequency, None, m.start, m.stop, m.note, "Patient information")
        for t in self.case.treatments:
            if t.kind == "drug":
                self._medication(f"tx-{t.id}", patient, t.agent, t.treatment_class, t.dose, t.dose_unit, t.route,
                                 t.schedule, t.times_per_week, t.start, t.stop,
                                 "; ".join(x for x in (t.duration_text, t.indication and f"indication: {t.indication}",
                                                       t.response and f"response: {t.response.replace('_', ' ')}",
                                                       t.response_detail, t.adverse_events
                                                       and f"adverse events: {t.adverse_events}") if x),
                                 "Therapeutic intervention")
            else:
                self.add(f"tx-{t.id}", {
                    "resourceType": "Procedure", "status": "completed",
                    "code": {"text": t.agent or catalogue.treatment_classes().get(t.treatment_class, t.treatment_class)},
                    "subject": {"reference": patient}, "extension": self.when_ext(t.start, "start"),
                    "reasonCode": [{"text": t.indication}] if t.indication else [],
                    "outcome": {"text": "; ".join(x for x in (t.response and t.response.replace("_", " "),
                                                              t.response_detail) if x)},
                    "complication": [{"text": t.adverse_events}] if t.adverse_events else [],
                }, "Therapeutic intervention")
        for b in self.case.biopsies:
            site = catalogue.sites().get(b.site)
            self.add(f"biopsy-{b.id}", {
                "resourceType": "Procedure", "status": "completed" if b.result not in ("planned", "not_done") else
                ("preparation" if b.result == "planned" else "not-done"),
                "code": {"text": "Skin biopsy"}, "subject": {"reference": patient},
                "extension": self.when_ext(b.when),
                "bodySite": [{"text": (site.label if site else "") + (f" ({b.site_detail})" if b.site_detail else "")}],
                "outcome": {"text": f"{b.result.replace('_', ' ')}" + (f": {b.findings}" if b.findings else "")},
                "complication": [{"text": b.complications}] if b.complications else [],
            }, "Diagnostic assessment")
        for im in self.case.imaging:
            self.add(f"imaging-{im.id}", {
                "resourceType": "Observation", "status": "final", "extension": self.when_ext(im.when),
                "category": [{"coding": [{"system": OBS_CATEGORY, "code": "imaging"}]}],
                "code": {"text": f"{im.modality.upper() if im.modality in ('ct', 'mri') else im.modality.replace('_', ' ')}"
                                 f" {im.region}".strip()},
                "subject": {"reference": patient},
                "valueString": im.findings or None,
                "component": [{"code": {"text": "vascular calcification"},
                               "valueString": im.vascular_calcification}],
            }, "Diagnostic assessment")

    def _medication(self, key, patient, name, cls, dose, unit, route, schedule, per_week, start, stop, note, section):
        dosage: dict[str, Any] = {"text": " ".join(x for x in (dose is not None and f"{dose:g} {unit}".strip() or "",
                                                              route, schedule) if x)}
        if route:
            dosage["route"] = {"text": route}
        if dose is not None:
            dosage["doseAndRate"] = [{"doseQuantity": quantity(dose, unit)}]
        if per_week:
            dosage["timing"] = {"repeat": {"frequency": int(per_week) if float(per_week).is_integer() else None,
                                           "period": 1 if float(per_week).is_integer() else round(7 / per_week, 3),
                                           "periodUnit": "wk" if float(per_week).is_integer() else "d"}}
        self.add(key, {
            "resourceType": "MedicationStatement",
            "status": "completed" if stop.is_set else "unknown",
            "category": {"text": catalogue.medication_classes().get(cls) or catalogue.treatment_classes().get(cls, cls)},
            "medicationCodeableConcept": {"text": name or "medication not named"},
            "subject": {"reference": patient},
            "extension": self.when_ext(start, "start") + (self.when_ext(stop, "stop") if stop.is_set else []),
            "dosage": [dosage], "note": [{"text": note}] if note else [],
        }, section)

    def media(self, patient: str, lesions: dict[str, str]) -> None:
        for n, m in enumerate(self.case.media, 1):
            if m.data is None or not m.in_report:
                continue
            import base64
            self.add(f"media-{m.id}", {
                "resourceType": "Media", "status": "completed",
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/media-type", "code": "image"}]},
                "subject": {"reference": patient},
                "bodySite": {"text": lesions.get(m.lesion_id) and next(
                    (catalogue.sites()[l.site].label for l in self.case.lesions if l.id == m.lesion_id
                     and l.site in catalogue.sites()), None)},
                "extension": [{"url": RELATIVE_TIME_URL + "-figure", "valueString": f"Figure {n}"}],
                "content": {"contentType": m.mime, "data": base64.b64encode(m.data).decode("ascii"),
                            "title": m.caption or f"Figure {n}"},
            }, "Clinical findings")

    def consent(self, patient: str) -> None:
        c = self.case.consent
        if not c.recorded:
            return
        performer = patient
        if c.given_by == "next_of_kin":
            performer = self.add("next-of-kin", {
                "resourceType": "RelatedPerson", "patient": {"reference": patient},
                "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                              "code": "NOK", "display": "next of kin"}]}],
            }, "Informed consent")
        self.add("consent", {
            "resourceType": "Consent", "status": "active",
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                  "code": "patient-privacy"}]},
            "category": [{"coding": [{"system": LOINC, "code": "59284-0", "display": "Patient Consent"}]}],
            "patient": {"reference": patient}, "performer": [{"reference": performer}],
            "policyRule": {"text": "Written informed consent for publication of this case report"
                                   + (" and any accompanying images" if c.covers_images else "")},
            "provision": {"type": "permit"},
        }, "Informed consent")

    def composition(self, authors: list[str]) -> dict:
        case, nar = self.case, self.case.narrative
        texts = {
            "Abstract": [nar.abstract_background, nar.abstract_case, nar.abstract_conclusions],
            "Introduction": [nar.introduction],
            "Patient information": [case.patient.presenting_concerns, case.patient.history,
                                    case.patient.social_history, case.patient.family_history],
            "Clinical findings": [nar.clinical_findings],
            "Timeline": [f"{describe(p)}: {e.description}" for p, e in sorted(
                ((self.tl.place(e.when), e) for e in case.events),
                key=lambda pe: (pe[0] is None, pe[0].day if pe[0] else 0))],
            "Diagnostic assessment": [nar.diagnostic_assessment, case.diagnosis.reasoning],
            "Therapeutic intervention": [nar.therapeutic_intervention],
            "Follow-up and outcomes": [nar.follow_up, case.outcome.summary],
            "Discussion": [nar.discussion],
            "Conclusions": [nar.conclusions],
            "Patient perspective": [nar.patient_perspective],
            "Informed consent": [self._consent_text()],
        }
        sections = []
        for title in SECTIONS:
            text = _narrative(texts[title])
            entries = [{"reference": r} for r in self.refs[title]]
            if text is None and not entries:
                sections.append({"title": title, "emptyReason": {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": "unavailable"}]}})
                continue
            sections.append({"title": title, "text": text or _narrative([title]), "entry": entries})
        return {
            "resourceType": "Composition", "status": "final",
            "type": {"text": "Case report"},
            "subject": {"reference": self.refs_patient},
            "date": self.now.isoformat(),
            "author": [{"reference": a} for a in authors] or [{"display": "Casebook author"}],
            "title": case.title or "Untitled case report",
            "section": sections,
        }

    def _consent_text(self) -> str:
        c = self.case.consent
        if not c.recorded:
            return "No consent for publication is recorded."
        who = "the patient" if c.given_by == "patient" else "the patient's next of kin"
        return (f"Written informed consent was obtained from {who} for publication of this case report"
                + (" and any accompanying images." if c.covers_images else "."))

    def build(self) -> dict:
        patient = self.patient()
        self.refs_patient = patient
        authors = []
        for n, a in enumerate(self.case.authors):
            if not a.name.strip():
                continue
            authors.append(self.add(f"author-{n}", {
                "resourceType": "Practitioner", "name": [{"text": a.name}],
                "qualification": [{"code": {"text": aff}} for aff in a.affiliations],
            }))
        self.conditions(patient)
        self.labs(patient)
        lesion_urls = self.lesions(patient)
        self.treatments(patient)
        self.media(patient, lesion_urls)
        self.consent(patient)
        comp_id = self.uid("composition")
        comp = _clean({"resourceType": "Composition", "id": comp_id, **{k: v for k, v in self.composition(authors).items()
                                                                        if k != "resourceType"}})
        bundle_id = self.uid("bundle")
        return {
            "resourceType": "Bundle", "id": bundle_id,
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
            "type": "document", "timestamp": self.now.isoformat(),
            "entry": [{"fullUrl": f"urn:uuid:{comp_id}", "resource": comp}] + self.entries,
        }


def case_to_bundle(case: Case, *, now: dt.datetime | None = None) -> dict:
    """The FHIR R4B document Bundle (plain JSON values) for a de-identified case."""
    return _Builder(case, now).build()


def write_bundle(case: Case, *, now: dt.datetime | None = None) -> str:
    import json
    return json.dumps(case_to_bundle(case, now=now), ensure_ascii=False, indent=2) + "\n"
