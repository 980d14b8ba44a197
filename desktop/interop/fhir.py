"""The case as an HL7 FHIR R4B document: a Bundle of type ``document`` whose first entry is a
Composition with one section per CARE section, followed by every resource it references.

The case comes in de-identified (desktop.interop.prepare), so no resource carries a calendar date
about the patient: each time is FHIR's own element (``effectiveDateTime``, ``performedPeriod``,
``effectivePeriod``, ``recordedDate``...) with no value and the core extension
``cqf-relativeDateTime`` on it, pointing at the index event's Encounter with an offset in days
(weeks, months, years as the source said them). An identified export keeps the recorded dates.
No extension of Casebook's own is used.

Codes only where our sources give them: LOINC by analyte and by the property the unit measures
(mass or substance concentration, fraction), with the official long common name as display
(resources/interop/loinc.json, which says where they come from); ICD-10-CM E83.59 for
calciphylaxis (the domain file, [S]) and for the CKD stage (resources/interop/kidney_codes.json);
UCUM units from resources/catalogues/ucum.json, looked up through catalogue.unit_key so µ/μ/u,
10^3 and /mm3 spellings are one unit. Everything else is text, never a guessed code. The
patient's status — the calciphylaxis Condition, kidney status, ethnicity, the outcome's words, the
differential diagnosis — is written by desktop/interop/fhir_status.py. Vital signs carry the base
spec's vital-signs profiles. Every resource has a generated narrative; Bundle.identifier is new for
every export; a draft is a ``preliminary`` Composition.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from .. import catalogue, frequency
from ..core import labs
from ..model import SIGN_WORDS, Case, Event, When
from ..timing import Timeline, describe
from .fhir_status import (  # noqa: F401  (the names readers of this module import from here)
    DIALYSIS_NOW, DIALYSIS_PERIOD, DIALYSIS_TEXT, DIFFERENTIAL, DIFFERENTIAL_STATUS, KIDNEY_STAGE_TEXT,
    LAB_NOTE_AS_PRINTED, LAB_NOTE_MARK, LAB_NOTE_ORGANISM, LAB_NOTE_SPECIMEN, LAB_NOTE_WORDS, VER_STATUS,
    write_calciphylaxis, write_differentials, write_kidney, write_patient_words)
from .fhir_codes import (  # noqa: F401  (the names readers of this module import from here)
    CASE_STATUS_TEXT, DATA_ABSENT_URL, INTERPRETATION, KEYWORDS_TEXT, LAB_NOTE_EXPECTED, LATERALITY, LOINC, NO_SITE,
    OBS_CATEGORY, SOURCE_TEXT,
    OFFSET_UNITS, PRECISION_OF_UNIT, RELATIVE_TIME_URL, SECTIONS, SNOMED, UCUM, VITALS_PROFILE, _clean, _manuscript,
    _s, _words, loinc_for, loinc_table, quantity, ucum_code, ucum_codes)


def _with_signs(e: Event) -> str:
    """An event's description with the signs recorded for it after it ("… Signs: cellulitis, fever."),
    which the importer reads back."""
    signs = ", ".join(SIGN_WORDS[s] for s in e.signs)
    return f"{e.description} Signs: {signs}.".strip() if signs else e.description


class _Builder:
    def __init__(self, case: Case, now: dt.datetime | None, export_id: str | None = None):
        self.case = case
        self.tl = Timeline(case)
        self.now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
        self.export_id = export_id or str(uuid.uuid4())
        self.entries: list[dict] = []
        self.refs: dict[str, list[str]] = {s: [] for s in SECTIONS}
        self.index_url: str | None = None

    def uid(self, key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"casebook:{self.case.id}:{key}"))

    def add(self, key: str, resource: dict, *sections: str, summary: list[str] | str = ()) -> str:
        rid = self.uid(key)
        rtype = resource.pop("resourceType")
        lines = [summary] if isinstance(summary, str) else list(summary)
        text = _manuscript(lines, default=rtype)
        resource = _clean({"resourceType": rtype, "id": rid, "text": text, **resource})
        url = f"urn:uuid:{rid}"
        self.entries.append({"fullUrl": url, "resource": resource})
        for s in sections:
            self.refs[s].append(url)
        return url

    # --- time -----------------------------------------------------------------------------------

    def when(self, when: When) -> tuple[str | None, dict | None]:
        """(a dateTime value, the primitive's extension object) for a time: the recorded date in an
        identified export; else no value and a cqf-relativeDateTime to the index event."""
        if when.date and when.offset is None and when.event_id is None:
            return when.date, None  # only an identified case still has dates (prepare() removes them)
        placed = self.tl.place(when)
        if placed is None or self.index_url is None:
            return None, None
        if when.offset is not None and when.event_id is None and when.age_years is None:
            value, unit = when.offset, OFFSET_UNITS[when.precision]
        else:
            value, unit = round(placed.day, 3), "d"
        value = float(value)
        rel = {"url": RELATIVE_TIME_URL, "extension": [
            {"url": "target", "valueReference": {"reference": self.index_url}},
            {"url": "targetPath", "valueString": "period.start"},
            {"url": "relationship", "valueCode": "before-start" if value < 0 else "after-start"},
            {"url": "offset", "valueDuration": {"value": abs(value) if value else 0, "unit": unit,
                                                "system": UCUM, "code": unit}},
        ]}
        return None, {"extension": [rel]}

    def timed(self, name: str, when: When, *, required: bool = False) -> dict:
        """``{name: value}`` or ``{"_" + name: extension}`` for a dateTime element (``required``:
        a data-absent-reason when the time is unknown, as the vital-signs profile needs)."""
        value, ext = self.when(when)
        if value is not None:
            return {name: value}
        if ext is not None:
            return {"_" + name: ext}
        if required:
            return {"_" + name: {"extension": [{"url": DATA_ABSENT_URL, "valueCode": "unknown"}]}}
        return {}

    def instant_period(self, name: str, when: When, *, required: bool = False) -> dict:
        """``{name: Period}`` with start and end both the time of ``when`` (a data-absent-reason on
        the Period when the time is unknown and ``required``)."""
        p = self.period(when, when)
        if p is not None:
            return {name: p}
        if required:
            return {name: {"extension": [{"url": DATA_ABSENT_URL, "valueCode": "unknown"}]}}
        return {}

    def period(self, start: When, stop: When) -> dict | None:
        out = {}
        for name, w in (("start", start), ("end", stop)):
            value, ext = self.when(w)
            if value is not None:
                out[name] = value
            elif ext is not None:
                out["_" + name] = ext
        return out or None

    def told(self, when: When) -> str:
        """A time in a resource's narrative: its place on the day axis; a time recorded without one
        (at an undated event, "postoperatively") is not called "not recorded"."""
        placed = self.tl.place(when)
        if placed is not None:
            said = describe(placed)
        else:
            said = "time not placed on the day axis" if when.is_set or when.label.strip() else "time not recorded"
            ev = self.case.event(when.event_id) if when.event_id else None
            if ev is not None and ev.when.label.strip() and not when.label.strip():
                # at an undated event: its own words say when ("during the admission (not dated)")
                said += f" (at the {_words(ev.kind)} event, {ev.when.label.strip()})"
        return said + (f" ({when.label})" if when.label else "")

    # --- resources ---------------------------------------------------------------------------------

    def index_event(self, patient: str) -> None:
        ev = self.case.index_event
        if ev is None:
            return
        res = {"resourceType": "Encounter", "status": "finished",
               "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-NullFlavor", "code": "UNK",
                         "display": "unknown"},
               "type": [{"text": f"Day 0: {_words(ev.kind)}"}],
               "subject": {"reference": patient},
               "reasonCode": [{"text": ev.description}] if ev.description else []}
        if ev.when.date:
            res["period"] = {"start": ev.when.date}
        self.index_url = self.add("index-event", res, "Timeline",
                                  summary=[f"Day 0 (the index event): {ev.description or _words(ev.kind)}"])

    def patient(self) -> str:
        p = self.case.patient
        res: dict[str, Any] = {"resourceType": "Patient", "gender": p.sex}
        if self.case.outcome.status == "dead":
            res.update(self.timed("deceasedDateTime", self.case.outcome.when) or {"deceasedBoolean": True})
        if self.case.identifiers.date_of_birth:
            res["birthDate"] = self.case.identifiers.date_of_birth
        age = ("90 or older" if p.age_over_89 else f"{p.age_years} years" if p.age_years is not None else "age not recorded")
        return self.add("patient", res, "Patient information",
                        summary=[f"Patient: {_words(p.sex)}, {age} at presentation."])

    def age(self, patient: str) -> None:
        p = self.case.patient
        if not p.age_over_89 and p.age_years is None:
            return
        q = ({"value": 90, "comparator": ">=", "unit": "years", "system": UCUM, "code": "a"} if p.age_over_89
             else {"value": p.age_years, "unit": "years", "system": UCUM, "code": "a"})
        self.add("age", {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": "social-history"}]}],
            "code": {"text": "Age at presentation"}, "subject": {"reference": patient},
            "valueQuantity": q,
        }, "Patient information", summary="Age at presentation: " + ("90 or older" if p.age_over_89 else f"{p.age_years} years"))

    def conditions(self, patient: str) -> None:
        write_calciphylaxis(self, patient)
        write_differentials(self, patient)
        for n, c in enumerate(self.case.patient.comorbidities):
            label = catalogue.comorbidities().get(c.code, c.code)
            resource = {
                "resourceType": "Condition", "code": {"text": label},
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                          "code": "problem-list-item"}]}],
                "subject": {"reference": patient},
                "note": [{"text": c.detail}] if c.detail else [],
            }
            if c.absent:  # the source says the patient does not have it: a refuted condition
                resource["verificationStatus"] = {"coding": [{"system": VER_STATUS, "code": "refuted"}]}
            self.add(f"comorbidity-{n}", resource, "Patient information",
                     summary=("Absent, as the source says: " if c.absent else "") + label
                     + (f": {c.detail}" if c.detail else ""))

    def labs(self, patient: str) -> None:
        analytes = catalogue.analytes()
        for lab in self.case.labs:
            a = analytes.get(lab.analyte)
            # a result the catalogue does not list goes by the name the source prints (no code: none is known)
            label = (" ".join(lab.name.split()) or a.label) if a is not None and a.free else a.label if a else lab.analyte
            code: dict[str, Any] = {"text": label}
            lo = loinc_for(lab.analyte, lab.unit)
            if lo:
                code["coding"] = [{"system": LOINC, "code": lo["code"], "display": lo["display"]}]
            rr = labs.reference_range(lab, self.case.patient.sex)
            fl = labs.flag(lab, self.case.patient.sex)
            ref = []
            if rr is not None and (rr.low is not None or rr.high is not None):
                ref.append({"low": quantity(rr.low, rr.unit), "high": quantity(rr.high, rr.unit),
                            "text": f"{labs.format_range(rr)} ({rr.source})"})
            value = quantity(lab.value, lab.unit, lab.comparator)
            notes = [LAB_NOTE_EXPECTED if lab.expected_abnormal else "", lab.note,
                     f"dialysis context: {lab.dialysis_context}" if lab.dialysis_context in ("pre", "post", "none") else "",
                     f"{LAB_NOTE_MARK}{lab.author_flag}" if lab.author_flag else "",
                     LAB_NOTE_AS_PRINTED if lab.as_printed else "",
                     f"{LAB_NOTE_SPECIMEN}{lab.specimen}" if lab.specimen else "",
                     f"{LAB_NOTE_ORGANISM}{lab.organism}" if lab.organism else "",
                     f"{LAB_NOTE_WORDS}{_words(lab.qualitative)}" if lab.qualitative and lab.value is not None else ""]
            self.add(f"lab-{lab.id}", {
                "resourceType": "Observation", "status": "final",
                "category": [{"coding": [{"system": OBS_CATEGORY, "code": "laboratory"}]}],
                "code": code, "subject": {"reference": patient},
                **self.timed("effectiveDateTime", lab.when),
                "valueQuantity": value,
                "valueString": None if value is not None else _words(lab.qualitative) or None,
                "specimen": None,
                "referenceRange": ref,
                "interpretation": [{"coding": [{"system": INTERPRETATION, "code": fl or "N",
                                                "display": {"H": "High", "L": "Low", "": "Normal"}[fl]}]}]
                if rr is not None else [],
                "note": [{"text": t} for t in notes if t],
            }, "Diagnostic assessment", summary=[
                f"{label}: " + " ".join(filter(None, [
                    "" if lab.value is None else ("" if lab.comparator == "=" else lab.comparator + " ")
                    + labs.format_number(float(lab.value), lab.decimals),  # the digits printed, when known
                    lab.unit if lab.value is not None else "", _words(lab.qualitative)]))
                + f", {self.told(lab.when)}" + (f"; reference range {labs.format_range(rr)}" if rr else "")
                + (f"; flag {fl}" if fl else "")])
        for v in self.case.vitals:
            spec = catalogue.vitals().get(v.kind, {"label": v.kind})
            lo = loinc_table()["vitals"].get(v.kind)
            code: dict[str, Any] = {"text": spec["label"]}
            profiles = []
            if lo:
                code["coding"] = [{"system": LOINC, "code": lo["code"], "display": lo["display"]}]
                profiles = [VITALS_PROFILE] + ([f"http://hl7.org/fhir/StructureDefinition/{lo['profile']}"]
                                               if lo.get("profile") else [])
            value = quantity(v.value, v.unit)
            self.add(f"vital-{v.id}", {
                "resourceType": "Observation", "meta": {"profile": profiles} if profiles else None,
                "status": "final",
                "category": [{"coding": [{"system": OBS_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}],
                              "text": "Vital Signs"}],
                "code": code, "subject": {"reference": patient},
                # a period (start = end) rather than a dateTime: vs-1 holds for it whether or not a
                # relative time leaves the value empty
                **self.instant_period("effectivePeriod", v.when, required=bool(profiles)),
                "valueQuantity": value,
                "dataAbsentReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                                                 "code": "unknown"}]} if value is None else None,
                "note": [{"text": v.note}] if v.note else [],
            }, "Clinical findings", summary=f"{spec['label']}: "
               + ("not recorded" if v.value is None else f"{v.value:g} {v.unit}") + f", {self.told(v.when)}")

    def lesions(self, patient: str) -> dict[str, str]:
        urls = {}
        for n, les in enumerate(self.case.lesions, 1):
            site = catalogue.all_sites().get(les.site)
            qual = []
            if les.laterality in LATERALITY:
                code, disp = LATERALITY[les.laterality]
                qual.append({"coding": [{"system": SNOMED, "code": code, "display": disp}], "text": les.laterality})
            elif les.laterality == "midline" and (site is None or site.lateral):
                # a site without sides (the face, the abdomen) is recorded as midline: no side is claimed
                qual.append({"text": "midline"})
            # "thigh, aspect not stated (medial)", or "site not recorded (fingers)" for a lesion with
            # only the source's words: the reader reads either back as the site and its detail
            location = ((site.label if site else NO_SITE) + (f" ({les.site_detail})" if les.site_detail else "")
                        if site or les.site_detail else None)
            desc = [f"Lesion {n}: " + (location or NO_SITE),
                    f"onset {self.told(les.onset)}" if les.onset.is_set else "", les.description]
            urls[les.id] = self.add(f"lesion-{les.id}", {
                "resourceType": "BodyStructure",
                "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{self.uid('lesion-id-' + les.id)}"}],
                "description": les.description or None,
                "morphology": {"text": "calciphylaxis lesion" if les.nature == "calciphylaxis" else _words(les.nature)},
                "location": {"text": location},
                "locationQualifier": qual,
                "patient": {"reference": patient},
            }, "Clinical findings", summary=desc)
            if les.onset.is_set or les.onset.label:
                # at the time of an event with no place on the day axis: that event's words for it
                words = les.onset.label or (self.case.event(les.onset.event_id).when.label.strip()
                                            if les.onset.event_id and self.case.event(les.onset.event_id) is not None
                                            and self.tl.place(les.onset) is None else "")
                self.add(f"lesion-{les.id}-onset", {
                    "resourceType": "Observation", "status": "final",
                    "category": [{"coding": [{"system": OBS_CATEGORY, "code": "exam"}]}],
                    "code": {"text": "Lesion onset"}, "subject": {"reference": patient},
                    **self.timed("effectiveDateTime", les.onset),
                    "focus": [{"reference": urls[les.id]}],
                    "note": [{"text": f"as the source says it: {words}"}] if words else [],
                }, "Clinical findings", summary=f"Lesion {n} first noted {self.told(les.onset)}")
            for ob_n, ob in enumerate(les.observations):
                parts = []
                if ob.length_mm is not None and ob.width_mm is not None:
                    parts.append(f"{ob.length_mm:g} × {ob.width_mm:g} mm")
                if ob.morphology:
                    parts.append(", ".join(_words(m) for m in ob.morphology))
                comps = [
                    {"code": {"text": "length"}, "valueQuantity": quantity(ob.length_mm, "mm")},
                    {"code": {"text": "width"}, "valueQuantity": quantity(ob.width_mm, "mm")},
                    {"code": {"text": "depth"}, "valueQuantity": quantity(ob.depth_mm, "mm")},
                    {"code": {"text": "pain (numeric rating 0-10)"},
                     "valueInteger": ob.pain_0_10} if ob.pain_0_10 is not None else {},
                    {"code": {"text": "pain"}, "valueString": ob.pain} if ob.pain != "not_stated" else {},
                    {"code": {"text": "pain (visual analogue scale 0-100)"},
                     "valueInteger": ob.pain_0_100} if ob.pain_0_100 is not None else {},
                    *[{"code": {"text": "morphology"}, "valueString": m} for m in ob.morphology],
                    {"code": {"text": "surrounding skin"}, "valueString": ob.surrounding_skin} if ob.surrounding_skin else {},
                    *[{"code": {"text": name}, "valueString": str(getattr(ob, name))}
                      for name in ("ulcerated", "tissue_type", "exudate_type", "exudate_amount", "oedema", "odour",
                                   "purulence") if getattr(ob, name) not in (None, "unknown")],
                ]
                self.add(f"lesion-{les.id}-obs-{ob_n}", {
                    "resourceType": "Observation", "status": "final",
                    "category": [{"coding": [{"system": OBS_CATEGORY, "code": "exam"}]}],
                    "code": {"text": "Wound assessment"}, "subject": {"reference": patient},
                    **self.timed("effectiveDateTime", ob.when),
                    "focus": [{"reference": urls[les.id]}], "valueString": "; ".join(parts) or "assessed",
                    "note": [{"text": ob.note}] if ob.note else [],
                    "component": [c for c in comps if c and (c.get("valueQuantity") is not None
                                                             or "valueInteger" in c or "valueString" in c)],
                }, "Clinical findings", summary=f"Lesion {n}, wound assessment, {self.told(ob.when)}: "
                   + ("; ".join(parts) or "assessed"))
        return urls

    def treatments(self, patient: str) -> None:
        for m in self.case.medications:
            self._medication(f"med-{m.id}", patient, m.name, m.drug_class, m.dose, m.dose_unit, m.route,
                             m.frequency, (m.doses_per_day, m.frequency_basis, "day") if m.frequency_basis else None,
                             m.start, m.stop, [m.note], [], "Patient information", not_taken=m.not_taken)
        for t in self.case.treatments:
            notes = [t.duration_text and f"duration: {t.duration_text}",
                     t.response and f"response: {t.response}", t.response_detail and f"response detail: {t.response_detail}",
                     t.adverse_events and f"adverse events: {t.adverse_events}",
                     t.during_dialysis != "unknown" and f"during dialysis: {t.during_dialysis}"]
            if t.kind == "drug":
                self._medication(f"tx-{t.id}", patient, t.agent, t.treatment_class, t.dose, t.dose_unit, t.route,
                                 t.schedule, (t.times_per_week, t.frequency_basis, "week"), t.start, t.stop, notes,
                                 [t.indication] if t.indication else [], "Therapeutic intervention")
            else:
                cls = catalogue.treatment_classes().get(t.treatment_class, t.treatment_class)
                self.add(f"tx-{t.id}", {
                    "resourceType": "Procedure", "status": "completed",
                    "category": {"text": cls},
                    "code": {"text": t.agent or cls},
                    "subject": {"reference": patient},
                    "performedPeriod": self.period(t.start, t.stop),
                    "reasonCode": [{"text": t.indication}] if t.indication else [],
                    "outcome": {"text": _words(t.response)} if t.response else None,
                    "complication": [{"text": t.adverse_events}] if t.adverse_events else [],
                    # duration, response detail, given during dialysis (the response is the outcome, the
                    # adverse events the complication)
                    "note": [{"text": n} for n in notes[:1] + notes[2:3] + notes[4:] if n],
                }, "Therapeutic intervention", summary=[f"{t.agent or cls} ({cls}), started {self.told(t.start)}"
                                                        + (f"; response: {_words(t.response)}" if t.response else "")])
        lesion_numbers = {les.id: n for n, les in enumerate(self.case.lesions, 1)}  # as the lesions' narratives number them
        for b in self.case.biopsies:
            site = catalogue.all_sites().get(b.site)
            # a biopsy whose result is not recorded: whether it was done is not known either
            status = {"planned": "preparation", "not_done": "not-done", None: "unknown"}.get(b.result, "completed")
            self.add(f"biopsy-{b.id}", {
                "resourceType": "Procedure", "status": status,
                "code": {"text": "Skin biopsy"}, "subject": {"reference": patient},
                **self.timed("performedDateTime", b.when),
                "bodySite": [{"text": site.label if site else None}] if site else [],
                "outcome": {"text": b.result} if b.result else None,
                "report": [],
                "note": [{"text": t} for t in (
                    b.site_detail and f"site detail: {b.site_detail}", b.findings and f"findings: {b.findings}",
                    b.grade and f"grade: {b.grade}", b.specimen and f"specimen: {b.specimen}",
                    b.features and f"histological features: {', '.join(b.features)}",
                    not b.histology_stated and "histology: not stated by the source",
                    b.lesion_id in lesion_numbers and f"lesion: {lesion_numbers[b.lesion_id]}") if t],
                "complication": [{"text": b.complications}] if b.complications else [],
            }, "Diagnostic assessment", summary=[f"Skin biopsy ({_words(b.result) if b.result else 'result not recorded'}), "
                                                 f"{self.told(b.when)}"
                                                 + (f": {b.findings}" if b.findings else "")])
        for im in self.case.imaging:
            self.add(f"imaging-{im.id}", {
                "resourceType": "Observation", "status": "final",
                "category": [{"coding": [{"system": OBS_CATEGORY, "code": "imaging"}]}],
                "code": {"text": f"{im.modality}" + (f": {im.region}" if im.region else "")},
                "subject": {"reference": patient},
                **self.timed("effectiveDateTime", im.when),
                "valueString": im.findings or None,
                "component": [{"code": {"text": "vascular calcification"},
                               "valueString": im.vascular_calcification}],
            }, "Diagnostic assessment", summary=[f"Imaging ({_words(im.modality)}{', ' + im.region if im.region else ''}),"
                                                 f" {self.told(im.when)}: {im.findings or 'no findings recorded'}"])

    def _medication(self, key, patient, name, cls, dose, unit, route, schedule, freq, start, stop, notes,
                    reasons, section, not_taken=False):
        """``freq``: (rate, how it was given, the rate's period "day"/"week"), see desktop/frequency.py.
        ``not_taken``: the source says the patient was not taking it (status "not-taken")."""
        dosage: dict[str, Any] = {"text": " ".join(x for x in (dose is not None and f"{dose:g} {unit}".strip() or "",
                                                              route, schedule) if x)}
        if route:
            dosage["route"] = {"text": route}
        if dose is not None:
            dosage["doseAndRate"] = [{"doseQuantity": quantity(dose, unit)}]
        if freq is not None:
            dosage.update(frequency.fhir_timing(*freq))
        if schedule:
            dosage["patientInstruction"] = schedule
        first, second = ((catalogue.treatment_classes(), catalogue.medication_classes())
                         if section == "Therapeutic intervention" else
                         (catalogue.medication_classes(), catalogue.treatment_classes()))
        label = first.get(cls) or second.get(cls, cls)
        stopped = stop.is_set or bool(stop.label)
        if stopped and self.when(stop) == (None, None):  # it stopped, at a time day 0 cannot place
            notes = list(notes) + [f"stopped: {stop.label or 'time not recorded'}"]
        self.add(key, {
            "resourceType": "MedicationStatement",
            "status": "not-taken" if not_taken else "completed" if stopped else "unknown",
            "category": {"coding": [], "text": label},
            "medicationCodeableConcept": {"text": name or "medication not named"},
            "subject": {"reference": patient},
            "effectivePeriod": self.period(start, stop),
            "reasonCode": [{"text": r} for r in reasons],
            "dosage": [dosage], "note": [{"text": n} for n in notes if n],
        }, section, summary=[f"not taken: {name or 'medication not named'} ({label})" if not_taken else
                             f"{name or 'medication not named'} ({label})"
                             + (f": {dosage['text']}" if dosage["text"] else "") + f", from {self.told(start)}"])

    def figures(self, patient: str, lesions: dict[str, str]) -> None:
        import base64
        for n, m in enumerate(self.case.figures, 1):
            if m.data is None or not m.in_report:
                continue
            site = next((catalogue.all_sites()[l.site].label for l in self.case.lesions if l.id == m.lesion_id
                         and l.site in catalogue.all_sites()), None)
            self.add(f"media-{m.id}", {
                "resourceType": "Media", "status": "completed",
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/media-type", "code": "image",
                                     "display": "Image"}]},
                "subject": {"reference": patient},
                "partOf": [{"reference": lesions[m.lesion_id]}] if m.lesion_id in lesions else [],
                "bodySite": {"text": site} if site else None,
                "width": m.width_px, "height": m.height_px,
                "content": {"contentType": m.mime, "data": base64.b64encode(m.data).decode("ascii"),
                            "title": m.caption or f"Figure {n}"},
            }, "Clinical findings", summary=f"Figure {n}: {m.caption or 'image'}")

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
            }, "Informed consent", summary="The patient's next of kin")
        self.add("consent", {
            "resourceType": "Consent", "status": "active",
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                  "code": "patient-privacy", "display": "Privacy Consent"}]},
            "category": [{"coding": [{"system": LOINC, "code": "59284-0", "display": "Consent Document"}]}],
            "patient": {"reference": patient}, "performer": [{"reference": performer}],
            "dateTime": c.date + "T00:00:00Z" if c.date and len(c.date) == 10 else None,
            "policyRule": {"text": "Written informed consent for publication of this case report"
                                   + (" and any accompanying images" if c.covers_images else "")},
            "provision": {"type": "permit",
                          "class": [{"system": "urn:ietf:bcp:13", "code": "image/jpeg"}] if False else []},
        }, "Informed consent", summary=self._consent_text())

    def timeline_texts(self) -> list[str]:
        """One paragraph per event, "day 70 (week 10) — death: Succumbed to sepsis.": its place on the
        day axis (the index event is day 0, its own date removed or not), or the source's words for
        a time with no place ("during hospitalization — lesion onset: …"), then its kind; placed
        events in time order, then the others as recorded."""
        placed = sorted(((self.tl.event_day(e.id), e) for e in self.case.events if self.tl.event_day(e.id) is not None),
                        key=lambda pe: pe[0].day)
        out = [f"{describe(p)} — {_words(e.kind)}: {_with_signs(e)}" for p, e in placed]
        out += [f"{e.when.label.strip() or 'time not recorded'} — {_words(e.kind)}: {_with_signs(e)}"
                for e in self.case.events if self.tl.event_day(e.id) is None]
        return out

    def composition(self, authors: list[str]) -> dict:
        case, nar = self.case, self.case.manuscript
        texts = {
            "Abstract": [nar.abstract_background, nar.abstract_case, nar.abstract_conclusions],
            "Introduction": [nar.introduction],
            "Patient information": [case.patient.presenting_concerns, case.patient.history,
                                    case.patient.social_history, case.patient.family_history],
            "Clinical findings": [nar.clinical_findings],
            "Timeline": self.timeline_texts(),
            "Diagnostic assessment": [nar.diagnostic_assessment],
            "Therapeutic intervention": [nar.therapeutic_intervention],
            "Follow-up and outcomes": [nar.follow_up, case.outcome.summary],
            "Discussion": [nar.discussion],
            "Conclusions": [nar.conclusions],
            "Patient perspective": [nar.patient_perspective],
            "Informed consent": [self._consent_text()],
        }
        sections = []
        for title in SECTIONS:
            text = _manuscript(texts[title])
            entries = [{"reference": r} for r in self.refs[title]]
            if text is None and not entries:
                sections.append({"title": title, "text": _manuscript([f"{title}: not recorded."]),
                                 "emptyReason": {"coding": [{
                                     "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
                                     "code": "unavailable", "display": "Unavailable"}]}})
                continue
            sections.append({"title": title, "text": text or _manuscript([f"{title}: see the entries."]),
                             "entry": entries})
        return {
            "resourceType": "Composition", "status": "preliminary" if case.status == "draft" else "final",
            # the keywords and the case's source (a published case's citation) have no element of their
            # own in a Composition: they are paragraphs of its narrative, read back by their labels
            "text": _manuscript([case.title or "Untitled case report", CASE_STATUS_TEXT.format(case.status),
                                 KEYWORDS_TEXT + "; ".join(case.keywords) if case.keywords else "",
                                 SOURCE_TEXT + case.source if case.source.strip() else ""]),
            "type": {"text": "Case report"},
            "subject": {"reference": self.refs_patient},
            "date": self.now.isoformat(),
            "author": [{"reference": a} for a in authors],
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
        self.index_event(patient)
        authors = []
        for n, a in enumerate(self.case.authors):
            if not a.name.strip():
                continue
            authors.append(self.add(f"author-{n}", {
                "resourceType": "Practitioner", "name": [{"text": a.name}],
                "qualification": [{"code": {"text": aff}} for aff in a.affiliations],
            }, summary=[a.name] + a.affiliations))
        if not authors:  # the document's author is then the program that wrote it
            authors.append(self.add("author-software", {
                "resourceType": "Device", "deviceName": [{"name": "Casebook", "type": "user-friendly-name"}],
            }, summary="Casebook (no author is named in the case)"))
        self.age(patient)
        write_patient_words(self, patient)
        self.conditions(patient)
        write_kidney(self, patient)
        self.labs(patient)
        lesion_urls = self.lesions(patient)
        self.treatments(patient)
        self.figures(patient, lesion_urls)
        self.consent(patient)
        comp_id = self.uid("composition")
        comp = _clean({"resourceType": "Composition", "id": comp_id, **{k: v for k, v in self.composition(authors).items()
                                                                        if k != "resourceType"}})
        return {
            "resourceType": "Bundle", "id": self.export_id,
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{self.export_id}"},
            "type": "document", "timestamp": self.now.isoformat(),
            "entry": [{"fullUrl": f"urn:uuid:{comp_id}", "resource": comp}] + self.entries,
        }


def case_to_bundle(case: Case, *, now: dt.datetime | None = None, export_id: str | None = None) -> dict:
    """The FHIR R4B document Bundle (plain JSON values) for a de-identified case. Each export gets
    a new Bundle.identifier (``export_id`` fixes it, for tests)."""
    return _Builder(case, now, export_id).build()


def write_bundle(case: Case, *, now: dt.datetime | None = None) -> str:
    import json
    return json.dumps(case_to_bundle(case, now=now), ensure_ascii=False, indent=2) + "\n"
