"""A FHIR R4B document Bundle read back into a case: Casebook's own bundles, and other systems'
as far as they map.

What comes back from a Casebook bundle: the Composition's title, status and CARE section texts;
the patient (sex, age, ethnicity, death, birth date in an identified copy); the kidney status (CKD
stage, dialysis and its history, a kidney transplant and the graft); the index event (its
Encounter) and the Timeline section's events (their kind, and the source's words for a time with
no place); authors; the calciphylaxis Condition (basis, reasoning, when), the differential
diagnosis and comorbidities; the outcome's status, cause of death and wound healing; labs (by
LOINC code or label, value, words, unit, comparator, the laboratory's own range, the source's own
mark, culture specimen and organism, notes, time); vital signs; lesions (site, side, detail,
description, nature) and their wound assessments; medications and treatments (by the section that
lists them), biopsies (result, grade, specimen, histology, lesion), imaging, images (their bytes)
and consent. Times are read from ``cqf-relativeDateTime`` offsets to
the index event, or from real dates. Anything else — another resource type, a code Casebook does
not know, a time relative to something other than the index event — is named in the report.
"""
from __future__ import annotations

import base64
import html
import re
from typing import Any

from .. import catalogue, frequency
from ..model import (SIGN_WORDS, Author, Biopsy, Case, Comorbidity, Consent, Event, Imaging, LabResult, Lesion, Figure,
                     Medication, Observation, Treatment, Vital, When, new_id)
from .fhir import (LAB_NOTE_AS_PRINTED, LAB_NOTE_EXPECTED, LAB_NOTE_MARK, LAB_NOTE_ORGANISM,
                   LAB_NOTE_SPECIMEN, LAB_NOTE_WORDS, LOINC, OFFSET_UNITS, RELATIVE_TIME_URL, loinc_table)
from .fhir_codes import CASE_STATUS_TEXT, KEYWORDS_TEXT, NO_SITE, SOURCE_TEXT, _words_to
from .fhir_status import (read_calciphylaxis, read_ckd_stage, read_differential, read_kidney_procedure,
                          read_status_observation)

PRECISION_OF = {v: k for k, v in OFFSET_UNITS.items()}
_TIMELINE = re.compile(r"^day (−?\d+)(?: \((week|month|year) (−?\d+)\))?(, approximate)?: (.*)$", re.S)
# "day 70 (week 10) — death: …" or "during hospitalization — lesion onset: …" (the time, the kind)
_TIMELINE_KIND = re.compile(r"^(?P<time>.+?) — (?P<kind>[a-z][a-z -]*): (?P<desc>.*)$", re.S)
_DAY = re.compile(r"^day (−?\d+)(?: \((week|month|year) (−?\d+)\))?(, approximate)?$")
# the signs an event's paragraph ends with: "… Signs: cellulitis, fever."
_SIGNS = re.compile(r"(?:^|\s)Signs: ([a-z ,]+)\.$")


def _signs_of(desc: str) -> tuple[str, list[str]]:
    """A timeline paragraph's description and the signs it ends with (the exporter's words for them)."""
    m = _SIGNS.search(desc)
    codes = {w: c for c, w in SIGN_WORDS.items()}
    words = [w.strip() for w in m.group(1).split(",")] if m else []
    if not m or not all(w in codes for w in words):
        return desc, []
    return desc[:m.start()].rstrip(), [codes[w] for w in words]


def _paragraphs(text: dict | None) -> list[str]:
    if not text or "div" not in text:
        return []
    return [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", text["div"], re.S)]


class _Reader:
    def __init__(self, bundle: dict):
        self.bundle = bundle
        self.report: list[str] = []
        self.by_url = {e.get("fullUrl"): e.get("resource", {}) for e in bundle.get("entry", [])}
        self.index_url: str | None = None
        self.case = Case(status="draft")
        self.section_of: dict[str, str] = {}
        self.wound: dict[str, tuple[Observation, str | None]] = {}  # wound assessments, by their lesion
        self.lesion_ids: dict[str, Lesion] = {}
        self.onsets: list[tuple[When, str | None]] = []  # lesion onsets, by their lesion

    # --- times -----------------------------------------------------------------------------------
    def when(self, res: dict, name: str) -> When:
        value, ext = res.get(name), res.get("_" + name)
        if value:
            return When(date=value[:10])
        for x in (ext or {}).get("extension", []):
            if x.get("url") != RELATIVE_TIME_URL:
                continue
            parts = {p.get("url"): p for p in x.get("extension", [])}
            target = parts.get("target", {}).get("valueReference", {}).get("reference")
            if target != self.index_url:
                self.report.append(f"{res.get('resourceType')} {name}: a time relative to {target}, not the index "
                                   "event; left out")
                return When()
            d = parts.get("offset", {}).get("valueDuration", {})
            unit = d.get("code", "d")
            rel = parts.get("relationship", {}).get("valueCode", "after-start")
            value = float(d.get("value", 0)) * (-1 if rel.startswith("before") else 1)
            if unit not in PRECISION_OF:
                self.report.append(f"{res.get('resourceType')} {name}: an offset in {unit!r}; left out")
                return When()
            return When(offset=value, precision=PRECISION_OF[unit])
        return When()

    def period(self, res: dict, name: str) -> tuple[When, When]:
        p = res.get(name) or {}
        return self.when(p, "start"), self.when(p, "end")

    # --- the document ----------------------------------------------------------------------------
    def read(self) -> tuple[Case, list[str]]:
        b = self.bundle
        if b.get("resourceType") != "Bundle":
            raise ValueError("not a FHIR Bundle")
        entries = [e.get("resource", {}) for e in b.get("entry", [])]
        comp = next((r for r in entries if r.get("resourceType") == "Composition"), None)
        if b.get("type") != "document" or comp is None:
            self.report.append(f"a Bundle of type {b.get('type')!r} without a Composition: resources read one by one")
        for s in (comp or {}).get("section", []):
            for ref in s.get("entry", []):
                self.section_of[ref.get("reference")] = s.get("title", "")
        enc = [e for e in b.get("entry", []) if e.get("resource", {}).get("resourceType") == "Encounter"]
        if enc:
            self.index_url = enc[0].get("fullUrl")
            self.encounter(enc[0]["resource"])
            for extra in enc[1:]:
                self.report.append("another Encounter: only the first is read (as day 0)")
        lesion_ids: dict[str, Lesion] = {}
        handlers = {"Patient": self.patient, "Practitioner": self.practitioner, "Condition": self.condition,
                    "Observation": self.observation, "MedicationStatement": self.medication,
                    "Procedure": self.procedure, "Consent": self.consent, "RelatedPerson": lambda r, u: None, "Device": lambda r, u: None,
                    "Encounter": lambda r, u: None, "Composition": lambda r, u: None,
                    "BodyStructure": lambda r, u: lesion_ids.__setitem__(u, self.lesion(r))}
        for e in b.get("entry", []):
            r, url = e.get("resource", {}), e.get("fullUrl")
            if r.get("resourceType") not in handlers and r.get("resourceType") != "Media":
                self.report.append(f"{r.get('resourceType')} {r.get('id', '')}: Casebook has no place for it")
                continue
            if r.get("resourceType") != "Media":
                handlers[r["resourceType"]](r, url)
        self.lesion_ids = lesion_ids
        for w_url, (ob, focus) in list(self.wound.items()):
            les = lesion_ids.get(focus)
            if les is None:
                self.report.append("a wound assessment of no lesion in the bundle; left out")
            else:
                les.observations.append(ob)
        for when, focus in self.onsets:
            if focus in lesion_ids:
                lesion_ids[focus].onset = when
            else:
                self.report.append("a lesion onset of no lesion in the bundle; left out")
        for e in b.get("entry", []):
            if e.get("resource", {}).get("resourceType") == "Media":
                self.figures(e["resource"])
        if comp:
            self.composition(comp)
        return self.case, self.report

    def composition(self, comp: dict) -> None:
        c, nar = self.case, self.case.manuscript
        c.title = comp.get("title", "") if comp.get("title") != "Untitled case report" else ""
        # the status as recorded when the narrative says it ("published" has no Composition.status)
        said = [st for st in ("submitted", "published") if CASE_STATUS_TEXT.format(st) in _paragraphs(comp.get("text"))]
        c.status = "draft" if comp.get("status") == "preliminary" else (said or ["submitted"])[0]
        for para in _paragraphs(comp.get("text")):
            if para.startswith(KEYWORDS_TEXT):
                c.keywords = [k.strip() for k in para.removeprefix(KEYWORDS_TEXT).split(";") if k.strip()]
            elif para.startswith(SOURCE_TEXT):
                c.source = para.removeprefix(SOURCE_TEXT)
        fill = {
            "Abstract": [(nar, "abstract_background"), (nar, "abstract_case"), (nar, "abstract_conclusions")],
            "Introduction": [(nar, "introduction")],
            "Patient information": [(c.patient, "presenting_concerns"), (c.patient, "history"),
                                    (c.patient, "social_history"), (c.patient, "family_history")],
            "Clinical findings": [(nar, "clinical_findings")],
            "Diagnostic assessment": [(nar, "diagnostic_assessment")],
            "Therapeutic intervention": [(nar, "therapeutic_intervention")],
            "Follow-up and outcomes": [(nar, "follow_up"), (c.outcome, "summary")],
            "Discussion": [(nar, "discussion")], "Conclusions": [(nar, "conclusions")],
            "Patient perspective": [(nar, "patient_perspective")],
        }
        for s in comp.get("section", []):
            title = s.get("title", "")
            if s.get("emptyReason") or title == "Informed consent":
                continue
            paras = _paragraphs(s.get("text"))
            if s.get("entry") and paras == [f"{title}: see the entries."]:
                continue
            if title == "Timeline":
                self.timeline(paras)
                continue
            slots = fill.get(title)
            if slots is None:
                if paras:
                    self.report.append(f"section {title!r}: no CARE section of Casebook; its text is not imported")
                continue
            for (obj, attr), text in zip(slots, paras):
                setattr(obj, attr, text)
            if len(paras) > len(slots):
                setattr(slots[-1][0], slots[-1][1], "\n\n".join(paras[len(slots) - 1:]))

    def timeline(self, paras: list[str]) -> None:
        from typing import get_args

        from ..model import EventKind
        index = self.case.index_event
        for p in paras:
            k = _TIMELINE_KIND.match(p)
            m = _DAY.match(k.group("time")) if k else None
            kind = k.group("kind").replace(" ", "_").replace("follow-up", "follow_up") if k else "other"
            if k and kind not in get_args(EventKind):
                k, m, kind = None, None, "other"
            if m:
                (day, prec, n, approx), desc = m.groups(), k.group("desc")
            elif k:  # a time with no place on the day axis: the source's words
                label = k.group("time")
                desc, signs = _signs_of(k.group("desc"))
                self.case.events.append(Event(kind=kind, description=desc, signs=signs,
                                              when=When(label="" if label == "time not recorded" else label)))
                continue
            else:  # a bundle written before events carried their kind: "day 7: …"
                old = _TIMELINE.match(p)
                if not old:
                    self.report.append(f"timeline entry {p[:60]!r}: no time Casebook can read; left out")
                    continue
                day, prec, n, approx, desc = old.groups()
            desc, signs = _signs_of(desc)
            if index is not None and day == "0" and desc == index.description:
                if signs:
                    index.signs = signs
                continue
            when = (When(offset=float(n.replace("−", "-")), precision=prec, approximate=bool(approx)) if prec
                    else When(offset=float(day.replace("−", "-")), approximate=bool(approx)))
            self.case.events.append(Event(kind=kind, description=desc, signs=signs, when=when))

    # --- resources ---------------------------------------------------------------------------------
    def encounter(self, r: dict) -> None:
        kind = (r.get("type") or [{}])[0].get("text", "").removeprefix("Day 0: ").replace(" ", "_")
        from ..model import EventKind
        from typing import get_args
        ev = Event(kind=kind if kind in get_args(EventKind) else "other",
                   description=((r.get("reasonCode") or [{}])[0]).get("text", ""),
                   when=When(date=r["period"]["start"][:10]) if r.get("period", {}).get("start") else When(offset=0))
        self.case.events.append(ev)
        self.case.index_event_id = ev.id

    def patient(self, r: dict, url) -> None:
        self.case.patient.sex = r.get("gender") if r.get("gender") in ("male", "female", "other", "unknown") else "unknown"
        if r.get("deceasedBoolean") or r.get("deceasedDateTime") or r.get("_deceasedDateTime"):
            self.case.outcome.status = "dead"
            if "deceasedDateTime" in r or "_deceasedDateTime" in r:
                self.case.outcome.when = self.when(r, "deceasedDateTime")
        if r.get("birthDate"):
            self.case.identifiers.date_of_birth = r["birthDate"]
        for k in ("name", "address", "telecom", "identifier"):
            if r.get(k):
                self.report.append(f"Patient.{k}: not imported (identifiers are entered by hand)")

    def practitioner(self, r: dict, url) -> None:
        name = ((r.get("name") or [{}])[0]).get("text", "")
        self.case.authors.append(Author(name=name, affiliations=[q.get("code", {}).get("text", "")
                                                                 for q in r.get("qualification", [])]))

    def condition(self, r: dict, url) -> None:
        if read_calciphylaxis(self, r):
            return
        label = r.get("code", {}).get("text", "")
        if read_differential(self, r, label):
            return
        if read_ckd_stage(self, label, r):
            return
        code = next((k for k, v in catalogue.comorbidities().items() if v == label), None)
        if code is None:
            self.report.append(f"Condition {label!r}: not a Casebook comorbidity; recorded as 'other' with its name")
            code, detail = "other", label
        else:
            detail = "\n".join(n.get("text", "") for n in r.get("note", []))
        refuted = any(c.get("code") == "refuted" for c in r.get("verificationStatus", {}).get("coding", []))
        self.case.patient.comorbidities.append(Comorbidity(code, detail, absent=refuted))

    def observation(self, r: dict, url) -> None:
        cat = {c.get("code") for cc in r.get("category", []) for c in cc.get("coding", [])}
        code_text = r.get("code", {}).get("text", "")
        if read_status_observation(self, code_text, r):  # ethnicity, the outcome's words
            return
        if code_text == "Age at presentation":
            q = r.get("valueQuantity", {})
            if q.get("comparator") == ">=" and q.get("value") == 90:
                self.case.patient.age_over_89 = True
            elif q.get("value") is not None:
                self.case.patient.age_years = int(q["value"])
        elif "laboratory" in cat:
            self.lab(r)
        elif "vital-signs" in cat:
            self.vital(r)
        elif "exam" in cat and code_text == "Lesion onset":
            when = self.when(r, "effectiveDateTime")
            for n in self._notes(r):
                if n.startswith("as the source says it: "):
                    when.label = n.removeprefix("as the source says it: ")
            self.onsets.append((when, (r.get("focus") or [{}])[0].get("reference")))
        elif "exam" in cat and code_text == "Wound assessment":
            self.wound[url] = (self.wound_assessment(r), (r.get("focus") or [{}])[0].get("reference"))
        elif "imaging" in cat:
            self.imaging(r)
        else:
            self.report.append(f"Observation {code_text or r.get('id')!r}: not a kind Casebook reads")

    def _notes(self, r: dict) -> list[str]:
        return [n.get("text", "") for n in r.get("note", [])]

    def lab(self, r: dict) -> None:
        analyte = None
        loinc_to = {x["code"]: a for a, props in loinc_table()["analytes"].items() for x in props.values()}
        for c in r.get("code", {}).get("coding", []):
            if c.get("system") == LOINC and c.get("code") in loinc_to:
                analyte = loinc_to[c["code"]]
        label = r.get("code", {}).get("text", "")
        if analyte is None:
            analyte = next((a.code for a in catalogue.analytes().values() if a.label == label and not a.free), None)
        name = ""
        if analyte is None:
            if not label.strip():
                self.report.append(f"lab ({', '.join(c.get('code', '') for c in r.get('code', {}).get('coding', []))})"
                                   ": no name and not a Casebook analyte; left out")
                return
            # a result the catalogue does not list: kept under the name it is given
            analyte, name = "other", label.strip()
            self.report.append(f"lab {label!r}: not in Casebook's list of analytes; kept under its name")
        q = r.get("valueQuantity") or {}
        lab = LabResult(id=new_id(), analyte=analyte, name=name, value=q.get("value"), unit=q.get("unit", ""),
                        comparator=q.get("comparator", "="), when=self.when(r, "effectiveDateTime"))
        if "valueString" in r:
            from ..model import Qualitative
            from typing import get_args
            lab.qualitative = _words_to(r["valueString"], get_args(Qualitative))
            if not lab.unit:  # a result in words ("undetectable") keeps its unit in the range beside it
                lab.unit = next((b["unit"] for rr in r.get("referenceRange", [])
                                 for b in (rr.get("low") or {}, rr.get("high") or {}) if b.get("unit")), "")
        for rr in r.get("referenceRange", []):
            if rr.get("text", "").endswith("(reported)"):
                lab.ref_low = (rr.get("low") or {}).get("value")
                lab.ref_high = (rr.get("high") or {}).get("value")
        notes = []
        for t in self._notes(r):
            if t == LAB_NOTE_EXPECTED:
                lab.expected_abnormal = True
            elif t.startswith("dialysis context: "):
                lab.dialysis_context = t.removeprefix("dialysis context: ")
            elif t.startswith(LAB_NOTE_MARK) and t[len(LAB_NOTE_MARK):] in ("H", "L", "normal"):
                lab.author_flag = t[len(LAB_NOTE_MARK):]
            elif t == LAB_NOTE_AS_PRINTED:
                lab.as_printed = True
            elif t.startswith(LAB_NOTE_SPECIMEN):
                lab.specimen = t.removeprefix(LAB_NOTE_SPECIMEN)
            elif t.startswith(LAB_NOTE_ORGANISM):
                lab.organism = t.removeprefix(LAB_NOTE_ORGANISM)
            elif t.startswith(LAB_NOTE_WORDS):
                from ..model import Qualitative
                from typing import get_args
                lab.qualitative = _words_to(t.removeprefix(LAB_NOTE_WORDS), get_args(Qualitative))
            else:
                notes.append(t)
        lab.note = "\n".join(notes)
        self.case.labs.append(lab)

    def vital(self, r: dict) -> None:
        by_code = {v["code"]: k for k, v in loinc_table()["vitals"].items()}
        kind = next((by_code[c["code"]] for c in r.get("code", {}).get("coding", []) if c.get("code") in by_code), None)
        label = r.get("code", {}).get("text", "")
        kind = kind or next((k for k, v in catalogue.vitals().items() if v["label"] == label), None)
        if kind is None:
            self.report.append(f"vital sign {label!r}: not one Casebook records; left out")
            return
        q = r.get("valueQuantity") or {}
        when = self.period(r, "effectivePeriod")[0] if "effectivePeriod" in r else self.when(r, "effectiveDateTime")
        self.case.vitals.append(Vital(kind=kind, value=q.get("value"), unit=q.get("unit", ""),
                                      when=when, note="\n".join(self._notes(r))))

    def lesion(self, r: dict) -> Lesion:
        loc = r.get("location", {}).get("text", "")
        site, detail = "", ""
        for code, s in [("", NO_SITE)] + sorted(((k, v.label) for k, v in catalogue.all_sites().items()),
                                                  key=lambda kv: -len(kv[1])):
            if loc == s or loc.startswith(s + " (") and loc.endswith(")"):
                site, detail = code, loc[len(s):].strip()[1:-1] if loc != s else ""
                break
        else:
            site = None
        if loc and site is None:
            self.report.append(f"lesion site {loc!r}: not a Casebook site; kept as the site detail")
            detail = loc
        # a site without sides carries no side qualifier: the model records it as midline
        known = catalogue.all_sites().get(site or "")
        lat = "midline" if known is not None and not known.lateral else "unspecified"
        for q in r.get("locationQualifier", []):
            if q.get("text") in ("left", "right", "bilateral", "midline"):
                lat = q["text"]
        morph = r.get("morphology", {}).get("text", "")
        nature = "calciphylaxis" if morph == "calciphylaxis lesion" else (morph.replace(" ", "_") or "calciphylaxis")
        from ..model import LesionNature
        from typing import get_args
        les = Lesion(site=site or "", site_detail=detail, laterality=lat, description=r.get("description", ""),
                     nature=nature if nature in get_args(LesionNature) else "other")
        self.case.lesions.append(les)
        return les

    def wound_assessment(self, r: dict) -> Observation:
        ob = Observation(when=self.when(r, "effectiveDateTime"), note="\n".join(self._notes(r)))
        from ..model import Morphology
        from typing import get_args
        for c in r.get("component", []):
            name = c.get("code", {}).get("text", "")
            q = (c.get("valueQuantity") or {}).get("value")
            if name in ("length", "width", "depth"):
                setattr(ob, f"{name}_mm", q)
            elif name == "pain (numeric rating 0-10)":
                ob.pain_0_10 = c.get("valueInteger")
            elif name == "pain (visual analogue scale 0-100)":
                ob.pain_0_100 = c.get("valueInteger")
            elif name == "pain" and c.get("valueString") in ("present", "absent"):
                ob.pain = c["valueString"]
            elif name == "surrounding skin":
                ob.surrounding_skin = c.get("valueString", "")
            elif name == "morphology":
                m = c.get("valueString", "")
                if m in get_args(Morphology):
                    ob.morphology.append(m)
                else:
                    self.report.append(f"wound morphology {m!r}: not one of Casebook's; left out")
            elif name in ("ulcerated", "tissue_type", "exudate_type", "exudate_amount", "oedema", "odour", "purulence"):
                setattr(ob, name, c.get("valueString"))
            else:
                self.report.append(f"wound assessment component {name!r}: not read")
        return ob

    def imaging(self, r: dict) -> None:
        text = r.get("code", {}).get("text", "")
        modality, _, region = text.partition(": ")
        from ..model import ImagingModality
        from typing import get_args
        im = Imaging(modality=modality if modality in get_args(ImagingModality) else "other", region=region,
                     findings=r.get("valueString", ""), when=self.when(r, "effectiveDateTime"))
        if modality not in get_args(ImagingModality):
            im.region = text
        for c in r.get("component", []):
            if c.get("code", {}).get("text") == "vascular calcification":
                im.vascular_calcification = c.get("valueString", "unknown")
        self.case.imaging.append(im)

    def _class(self, label: str, *tables) -> str | None:
        for t in tables:
            for k, v in t.items():
                if v == label:
                    return k
        return None

    def medication(self, r: dict, url) -> None:
        section = self.section_of.get(url, "Patient information")
        name = r.get("medicationCodeableConcept", {}).get("text", "")
        name = "" if name == "medication not named" else name
        dosage = (r.get("dosage") or [{}])[0]
        dq = ((dosage.get("doseAndRate") or [{}])[0]).get("doseQuantity") or {}
        route = dosage.get("route", {}).get("text", "")
        schedule = dosage.get("patientInstruction", "")
        start, stop = self.period(r, "effectivePeriod")
        label = r.get("category", {}).get("text", "")
        if section == "Therapeutic intervention":
            cls = self._class(label, catalogue.treatment_classes()) or "other"
            t = Treatment(kind="drug", agent=name, treatment_class=cls, dose=dq.get("value"), dose_unit=dq.get("unit", ""),
                          route=route, schedule=schedule, start=start, stop=stop)
            t.times_per_week, t.frequency_basis = frequency.from_fhir(dosage, "week")
            t.indication = "\n".join(x.get("text", "") for x in r.get("reasonCode", []))
            notes = self._stopped(self._notes(r), t.stop)
            self._treatment_notes(t, notes)
            self.case.treatments.append(t)
        else:
            cls = self._class(label, catalogue.medication_classes(), catalogue.treatment_classes()) or "other"
            per_day, basis = frequency.from_fhir(dosage, "day")
            self.case.medications.append(Medication(name=name, drug_class=cls, dose=dq.get("value"),
                                                    dose_unit=dq.get("unit", ""), route=route, frequency=schedule,
                                                    doses_per_day=per_day, frequency_basis=basis,
                                                    start=start, stop=stop,
                                                    note="\n".join(self._stopped(self._notes(r), stop)),
                                                    not_taken=r.get("status") == "not-taken"))

    @staticmethod
    def _stopped(notes: list[str], stop: When) -> list[str]:
        """Reads the 'stopped: ...' note of a medicine that stopped at a time day 0 cannot place."""
        rest = []
        for n in notes:
            if n.startswith("stopped: ") and not stop.is_set:
                label = n.removeprefix("stopped: ")
                stop.label = "" if label == "time not recorded" else label
                if not stop.label:
                    stop.label = "time not recorded"
            else:
                rest.append(n)
        return rest

    def _treatment_notes(self, t: Treatment, notes: list[str]) -> None:
        for n in notes:
            for prefix, attr in (("duration: ", "duration_text"), ("response detail: ", "response_detail"),
                                 ("adverse events: ", "adverse_events"), ("response: ", "response"),
                                 ("during dialysis: ", "during_dialysis")):
                if n.startswith(prefix):
                    setattr(t, attr, n[len(prefix):])
                    break
            else:
                self.report.append(f"treatment note {n[:60]!r}: not read")

    def procedure(self, r: dict, url) -> None:
        if read_kidney_procedure(self, r):
            return
        code = r.get("code", {}).get("text", "")
        if code == "Skin biopsy":
            from ..model import BiopsyResult
            from typing import get_args
            site_label = ((r.get("bodySite") or [{}])[0]).get("text", "")
            b = Biopsy(site=self._class(site_label, {k: s.label for k, s in catalogue.all_sites().items()}) or "",
                       when=self.when(r, "performedDateTime"))
            result = (r.get("outcome") or {}).get("text", "")
            # without a result the status says what is known ("not-done", "preparation"); else not recorded
            b.result = (result if result in get_args(BiopsyResult)
                        else {"not-done": "not_done", "preparation": "planned"}.get(r.get("status", "")))
            from ..model import BiopsyGrade, BiopsySpecimen, HistologyFeature
            for n in self._notes(r):
                if n.startswith("site detail: "):
                    b.site_detail = n.removeprefix("site detail: ")
                elif n.startswith("findings: "):
                    b.findings = n.removeprefix("findings: ")
                elif n.startswith("grade: ") and n[7:] in get_args(BiopsyGrade):
                    b.grade = n[7:]
                elif n.startswith("specimen: ") and n[10:] in get_args(BiopsySpecimen):
                    b.specimen = n[10:]
                elif n.startswith("histological features: "):
                    b.features = [f for f in n.removeprefix("histological features: ").split(", ")
                                  if f in get_args(HistologyFeature)]
                elif n == "histology: not stated by the source":
                    b.histology_stated = False
                elif n.startswith("lesion: ") and n[8:].isdigit() and 0 < int(n[8:]) <= len(self.case.lesions):
                    b.lesion_id = self.case.lesions[int(n[8:]) - 1].id
            b.complications = "\n".join(c.get("text", "") for c in r.get("complication", []))
            self.case.biopsies.append(b)
            return
        label = r.get("category", {}).get("text", "")
        cls = self._class(label, catalogue.treatment_classes()) or "other"
        start, stop = self.period(r, "performedPeriod")
        t = Treatment(kind="procedure", agent=code, treatment_class=cls, start=start, stop=stop,
                      indication="\n".join(x.get("text", "") for x in r.get("reasonCode", [])),
                      adverse_events="\n".join(c.get("text", "") for c in r.get("complication", [])))
        from ..model import Response
        from typing import get_args
        if r.get("outcome", {}).get("text"):
            t.response = _words_to(r["outcome"]["text"], get_args(Response))
        self._treatment_notes(t, self._notes(r))
        self.case.treatments.append(t)

    def figures(self, r: dict) -> None:
        content = r.get("content", {})
        if not content.get("data"):
            self.report.append("Media without data (a URL only): left out")
            return
        focus = ((r.get("partOf") or [{}])[0]).get("reference")
        les = self.lesion_ids.get(focus) if focus else None
        self.case.figures.append(Figure(mime=content.get("contentType", "image/jpeg"),
                                     data=base64.b64decode(content["data"]), caption=content.get("title", ""),
                                     lesion_id=les.id if les else None, width_px=r.get("width"),
                                     height_px=r.get("height")))

    def consent(self, r: dict, url) -> None:
        performer = ((r.get("performer") or [{}])[0]).get("reference")
        by = "next_of_kin" if self.by_url.get(performer, {}).get("resourceType") == "RelatedPerson" else "patient"
        rule = r.get("policyRule", {}).get("text", "")
        self.case.consent = Consent(given_by=by, covers_images="accompanying images" in rule,
                                    date=r["dateTime"][:10] if r.get("dateTime") else None)


def bundle_to_case(bundle: dict) -> tuple[Case, list[str]]:
    """The case a FHIR document Bundle holds, as far as it maps, and a report of what did not."""
    return _Reader(bundle).read()


def looks_like_fhir_bundle(data: Any) -> bool:
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"

