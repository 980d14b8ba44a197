"""The JSON interchange format: ``{"format": "casebook.case", "version": 1, ...}``.

``dumps`` is canonical (fixed key order from the model, two-space indent, UTF-8, trailing newline),
so export -> import -> export is byte-identical. ``loads`` validates everything first — JSON Schema
structure, then the catalogues and references — and reports every problem with its JSON path.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from typing import Any

from . import catalogue
from .codec import InvalidCase, Problem, from_plain, json_schema, to_plain
from .model import Case, When

FORMAT = "casebook.case"
VERSION = 1
SCHEMA_ID = "https://casebook.invalid/schema/case.schema.json"


def case_schema() -> dict:
    """The JSON Schema of the format, generated from the model (resources/schema/ holds a copy)."""
    return json_schema(
        Case, title="Casebook case file", schema_id=SCHEMA_ID,
        extra_top={"format": {"const": FORMAT}, "version": {"const": VERSION}},
    )


@cache
def _validator():
    import jsonschema  # imported on first validation, not at start-up (it costs ~100 ms)
    schema = json.loads(catalogue.resource_path("schema", "case.schema.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def to_document(case: Case) -> dict:
    return {"format": FORMAT, "version": VERSION, **to_plain(case)}


def dumps(case: Case) -> str:
    return json.dumps(to_document(case), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def dump_bytes(case: Case) -> bytes:
    return dumps(case).encode("utf-8")


def loads(text: str | bytes) -> Case:
    """Parse and validate a case document; raises :class:`InvalidCase` listing every problem."""
    try:
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise InvalidCase([Problem("$", f"the file is not UTF-8 text ({exc.reason})")]) from None
    except json.JSONDecodeError as exc:
        raise InvalidCase([Problem("$", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]) from None
    except RecursionError:
        raise InvalidCase([Problem("$", "the JSON is nested too deeply")]) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise InvalidCase([Problem("$", f"not valid JSON: {exc}"[:200])]) from None
    return from_document(data)


def from_document(data: Any) -> Case:
    if not isinstance(data, dict):
        raise InvalidCase([Problem("$", "a case file must be a JSON object")])
    if data.get("format") != FORMAT:
        raise InvalidCase([Problem("$.format", f"must be {FORMAT!r}; this is not a Casebook case file")])
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise InvalidCase([Problem("$.version", f"version {version} was written by a newer Casebook; this one reads version {VERSION}")])
    problems: list[Problem] = []
    try:
        for err in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
            problems.append(Problem(_path(err.absolute_path), _schema_message(err)))
    except RecursionError:
        raise InvalidCase([Problem("$", "the JSON is nested too deeply")]) from None
    if problems:
        raise InvalidCase(_dedupe(problems))
    body = {k: v for k, v in data.items() if k not in ("format", "version")}
    case = from_plain(Case, body, "$", problems)
    if problems:
        raise InvalidCase(problems)
    problems.extend(check_case(case))
    if problems:
        raise InvalidCase(problems)
    for i, m in enumerate(case.media):
        if m.data is not None:
            # photos come in through a case file too: drop EXIF, XMP, IPTC, comments... (issue 13)
            from .privacy.images import ImageError, clean_image
            try:
                data, mime, w, h = clean_image(m.data)
            except ImageError as exc:
                raise InvalidCase([Problem(f"$.media[{i}].data", str(exc))]) from None
            if data != m.data:  # re-encoded: its size and type are the new file's
                m.data, m.mime, m.width_px, m.height_px = data, mime, w, h
            m.sha256 = hashlib.sha256(m.data).hexdigest()
    return case


def _path(parts) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _schema_message(err) -> str:
    if err.validator == "additionalProperties":
        return err.message.replace("Additional properties are not allowed", "unknown field(s)")
    if err.validator == "enum":
        return f"must be one of {', '.join(map(str, err.validator_value))}; got {err.instance!r}"
    if err.validator == "anyOf":
        # an optional value of the wrong type: name the type wanted, not the union
        wanted = [s.get("type") or ("one of " + ", ".join(map(str, s["enum"])) if "enum" in s else "an object")
                  for s in err.validator_value if s.get("type") != "null"]
        return f"must be {' or '.join(map(str, wanted))} or null; got {err.instance!r}"[:300]
    if err.validator == "type":
        return f"must be of type {err.validator_value}; got {json.dumps(err.instance)[:80]}"
    return err.message[:300]


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


# --- meaning checks beyond structure ------------------------------------------------------------

def check_when(when: When, path: str, event_ids: set[str]) -> list[Problem]:
    out = []
    if when.date is not None and (when.offset is not None or when.event_id is not None):
        out.append(Problem(path, "give either a date or a relative time (offset and/or event), not both"))
    if when.date is not None:
        try:
            dt.date.fromisoformat(when.date)
            if len(when.date) != 10:
                raise ValueError
        except ValueError:
            out.append(Problem(f"{path}.date", f"must be a date as YYYY-MM-DD; got {when.date!r}"))
    if when.event_id is not None and when.event_id not in event_ids:
        out.append(Problem(f"{path}.event_id", f"names no event of this case ({when.event_id!r})"))
    return out


def check_case(case: Case) -> list[Problem]:
    """Problems a structurally valid case can still have: unknown catalogue codes, missing units,
    values outside what can be measured, broken references. Used by import and by the store."""
    p: list[Problem] = []
    ev_ids = {e.id for e in case.events}
    sites = catalogue.sites()
    analytes = catalogue.analytes()

    def ids_unique(items, path):
        seen = set()
        for i, it in enumerate(items):
            if not it.id:
                p.append(Problem(f"{path}[{i}].id", "must not be empty"))
            elif it.id in seen:
                p.append(Problem(f"{path}[{i}].id", f"duplicate id {it.id!r}"))
            seen.add(it.id)

    for name in ("events", "medications", "vitals", "lesions", "labs", "imaging", "biopsies", "treatments", "media"):
        ids_unique(getattr(case, name), f"$.{name}")
    if case.index_event_id is not None and case.index_event_id not in ev_ids:
        p.append(Problem("$.index_event_id", f"names no event of this case ({case.index_event_id!r})"))
    if case.identifiers.date_of_birth is not None:
        p += check_when(When(date=case.identifiers.date_of_birth), "$.identifiers.date_of_birth", ev_ids)
    pt = case.patient
    if pt.age_years is not None and not 0 <= pt.age_years <= 130:
        p.append(Problem("$.patient.age_years", f"must be between 0 and 130 years; got {pt.age_years}"))
    if pt.weight_kg is not None and not 0.5 <= pt.weight_kg <= 500:
        p.append(Problem("$.patient.weight_kg", f"must be between 0.5 and 500 kg; got {pt.weight_kg}"))
    if pt.height_cm is not None and not 30 <= pt.height_cm <= 260:
        p.append(Problem("$.patient.height_cm", f"must be between 30 and 260 cm; got {pt.height_cm}"))
    p += check_when(pt.dialysis_start, "$.patient.dialysis_start", ev_ids)
    for i, c in enumerate(pt.comorbidities):
        if c.code not in catalogue.comorbidities():
            p.append(Problem(f"$.patient.comorbidities[{i}].code", f"unknown comorbidity {c.code!r}"))
    for i, m in enumerate(case.medications):
        path = f"$.medications[{i}]"
        if m.drug_class not in catalogue.medication_classes():
            p.append(Problem(f"{path}.drug_class", f"unknown medication class {m.drug_class!r}"))
        if m.dose is not None and not m.dose_unit.strip():
            p.append(Problem(f"{path}.dose_unit", "a dose needs its unit"))
        p += check_when(m.start, f"{path}.start", ev_ids) + check_when(m.stop, f"{path}.stop", ev_ids)
    for i, e in enumerate(case.events):
        p += check_when(e.when, f"$.events[{i}].when", ev_ids)
    for i, v in enumerate(case.vitals):
        path = f"$.vitals[{i}]"
        spec = catalogue.vitals().get(v.kind)
        if spec is None:
            p.append(Problem(f"{path}.kind", f"unknown vital sign {v.kind!r}"))
        elif v.unit not in spec["units"]:
            p.append(Problem(f"{path}.unit", f"{spec['label']} needs a unit, one of {', '.join(spec['units'])}; got {v.unit!r}"))
        p += check_when(v.when, f"{path}.when", ev_ids)
    for i, les in enumerate(case.lesions):
        path = f"$.lesions[{i}]"
        if les.site and les.site not in sites:
            p.append(Problem(f"{path}.site", f"unknown site {les.site!r}"))
        if les.count is not None and les.count < 1:
            p.append(Problem(f"{path}.count", "must be at least 1"))
        p += check_when(les.onset, f"{path}.onset", ev_ids)
        ids_unique(les.observations, f"{path}.observations")
        for j, ob in enumerate(les.observations):
            op = f"{path}.observations[{j}]"
            p += check_when(ob.when, f"{op}.when", ev_ids)
            for f in ("length_mm", "width_mm", "depth_mm"):
                v = getattr(ob, f)
                if v is not None and not 0 <= v <= 1000:
                    p.append(Problem(f"{op}.{f}", f"must be between 0 and 1000 mm; got {v}"))
            if ob.pain_0_10 is not None and not 0 <= ob.pain_0_10 <= 10:
                p.append(Problem(f"{op}.pain_0_10", f"must be 0 to 10; got {ob.pain_0_10}"))
            for f, v in to_plain(ob.bwat).items():
                if v is not None and not 1 <= v <= 5:
                    p.append(Problem(f"{op}.bwat.{f}", f"must be 1 to 5; got {v}"))
    for i, lab in enumerate(case.labs):
        path = f"$.labs[{i}]"
        a = analytes.get(lab.analyte)
        if a is None:
            p.append(Problem(f"{path}.analyte", f"unknown analyte {lab.analyte!r}"))
        if lab.value is None:
            p.append(Problem(f"{path}.value", "a lab result needs its value"))
        if not lab.unit.strip():
            p.append(Problem(f"{path}.unit", "a value without a unit is refused"))
        elif a is not None and not a.accepts(lab.unit):
            p.append(Problem(f"{path}.unit", f"{a.label} is not reported in {lab.unit!r}; use one of {', '.join(a.units)}"))
        elif a is not None and lab.value is not None:
            canon = a.to_canonical(lab.value, lab.unit)
            lo, hi = a.plausible["low"], a.plausible["high"]
            if not lo <= canon <= hi:
                p.append(Problem(f"{path}.value", f"{a.label} {lab.value:g} {lab.unit} is outside what can be measured "
                                 f"({lo:g}–{hi:g} {a.plausible['unit']}); a typing error?"))
        if lab.ref_low is not None and lab.ref_high is not None and lab.ref_low > lab.ref_high:
            p.append(Problem(f"{path}.ref_low", "the reference range's low end is above its high end"))
        p += check_when(lab.when, f"{path}.when", ev_ids)
    for i, im in enumerate(case.imaging):
        p += check_when(im.when, f"$.imaging[{i}].when", ev_ids)
    les_ids = {l.id for l in case.lesions}
    for i, b in enumerate(case.biopsies):
        if b.site and b.site not in sites:
            p.append(Problem(f"$.biopsies[{i}].site", f"unknown site {b.site!r}"))
        if b.lesion_id is not None and b.lesion_id not in les_ids:
            p.append(Problem(f"$.biopsies[{i}].lesion_id", f"names no lesion of this case ({b.lesion_id!r})"))
        p += check_when(b.when, f"$.biopsies[{i}].when", ev_ids)
    for i, t in enumerate(case.treatments):
        path = f"$.treatments[{i}]"
        if t.treatment_class not in catalogue.treatment_classes():
            p.append(Problem(f"{path}.treatment_class", f"unknown treatment class {t.treatment_class!r}"))
        if t.dose is not None and not t.dose_unit.strip():
            p.append(Problem(f"{path}.dose_unit", "a dose needs its unit"))
        p += check_when(t.start, f"{path}.start", ev_ids) + check_when(t.stop, f"{path}.stop", ev_ids)
    p += check_when(case.diagnosis.when, "$.diagnosis.when", ev_ids)
    p += check_when(case.outcome.when, "$.outcome.when", ev_ids)
    if case.consent.date is not None:
        p += check_when(When(date=case.consent.date), "$.consent.date", ev_ids)
    im_ids = {im.id for im in case.imaging}
    for i, m in enumerate(case.media):
        path = f"$.media[{i}]"
        if m.lesion_id is not None and m.lesion_id not in les_ids:
            p.append(Problem(f"{path}.lesion_id", f"names no lesion of this case ({m.lesion_id!r})"))
        if m.event_id is not None and m.event_id not in ev_ids:
            p.append(Problem(f"{path}.event_id", f"names no event of this case ({m.event_id!r})"))
        if m.imaging_id is not None and m.imaging_id not in im_ids:
            p.append(Problem(f"{path}.imaging_id", f"names no imaging study of this case ({m.imaging_id!r})"))
        if m.mime not in ("image/jpeg", "image/png"):
            p.append(Problem(f"{path}.mime", f"must be image/jpeg or image/png; got {m.mime!r}"))
        if m.data is not None and m.sha256 and hashlib.sha256(m.data).hexdigest() != m.sha256:
            p.append(Problem(f"{path}.sha256", "does not match the image bytes (damaged file?)"))
    return p


def write_schema() -> None:
    """Regenerate resources/schema/case.schema.json after a model change (a test compares them)."""
    path = catalogue.resource_path("schema", "case.schema.json")
    path.write_text(json.dumps(case_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_schema()
