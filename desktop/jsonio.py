"""The JSON interchange format: ``{"format": "casebook.case", "version": 1, ...}``.

``dumps`` is canonical (fixed key order from the model, two-space indent, UTF-8, trailing newline),
so export -> import -> export is byte-identical. ``loads`` validates everything first — JSON Schema
structure, then the catalogues and references — and reports every problem with its JSON path.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from typing import Any, Callable

from . import catalogue
from .codec import InvalidCase, Problem, from_plain, json_schema, to_plain
from .model import Case, When
from .upgrade import DOC_VERSION, path_in_version, upgrade

FORMAT = "casebook.case"
VERSION = DOC_VERSION  # the file's version is the case document's (desktop/upgrade.py)
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


def loads(text: str | bytes, *, detector: Callable[[bytes], bool] | None = None) -> Case:
    """Parse and validate a case document; raises :class:`InvalidCase` listing every problem.
    ``detector``: the face detector to ask about each photo (the window's runs in a child process,
    desktop.app.face_process); by default :func:`desktop.privacy.faces.may_show_face`, here."""
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
    return from_document(data, detector=detector)


def from_document(data: Any, *, detector: Callable[[bytes], bool] | None = None) -> Case:
    if not isinstance(data, dict):
        raise InvalidCase([Problem("$", "a case file must be a JSON object")])
    if data.get("format") != FORMAT:
        raise InvalidCase([Problem("$.format", f"must be {FORMAT!r}; this is not a Casebook case file")])
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise InvalidCase([Problem("$.version", f"version {version} was written by a newer Casebook; this one reads version {VERSION}")])
    if isinstance(version, int) and not isinstance(version, bool) and 1 <= version < VERSION:
        # a file written before a model change: its upgrade steps first, then the checks of today;
        # each problem is named where it is in the file as written
        body = {k: v for k, v in data.items() if k not in ("format", "version")}
        try:
            return _checked({"format": FORMAT, "version": VERSION, **upgrade(body, version)}, detector)
        except InvalidCase as exc:
            raise InvalidCase([Problem(path_in_version(p.path, version), p.message) for p in exc.problems]) from None
    return _checked(data, detector)


def _checked(data: dict, detector: Callable[[bytes], bool] | None = None) -> Case:
    """A document of today's version, validated and built."""
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
    keep_as_printed(case)  # a case file records what the source prints: flagged, never refused
    problems.extend(check_case(case))
    if problems:
        raise InvalidCase(problems)
    for i, m in enumerate(case.figures):
        if m.data is not None:
            # photos come in through a case file too: drop EXIF, XMP, IPTC, comments... (issue 13)
            from .privacy.images import ImageError, clean_image
            try:
                data, mime, w, h = clean_image(m.data)
            except ImageError as exc:
                raise InvalidCase([Problem(f"$.figures[{i}].data", str(exc))]) from None
            if data != m.data:  # re-encoded: its size and type are the new file's
                m.data, m.mime, m.width_px, m.height_px = data, mime, w, h
            import hashlib  # here: OpenSSL's start-up is not needed to open the window
            m.sha256 = hashlib.sha256(m.data).hexdigest()
            # the file's own "may_show_face" is not trusted to be false: the detector looks again
            if detector is None:
                from .privacy.faces import may_show_face as detector
            m.may_show_face = m.may_show_face or detector(m.data)
            m.face_checked = True
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

def _valid_date(text: str) -> bool:
    try:
        if len(text) == 10:
            dt.date.fromisoformat(text)
        elif len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            dt.date(int(text[:4]), int(text[5:]), 1)
        elif len(text) == 4 and text.isdigit():
            dt.date(int(text), 1, 1)
        else:
            return False
    except ValueError:
        return False
    return True


def check_when(when: When, path: str, event_ids: set[str]) -> list[Problem]:
    out = []
    if when.date is not None and (when.offset is not None or when.event_id is not None):
        out.append(Problem(path, "give either a date or a relative time (offset and/or event), not both"))
    if when.age_years is not None:
        if when.date is not None or when.offset is not None or when.event_id is not None:
            out.append(Problem(path, "an age stands alone: give no date, offset or event with it"))
        if not 0 <= when.age_years <= 130:
            out.append(Problem(f"{path}.age_years", f"must be between 0 and 130 years; got {when.age_years:g}"))
    if when.date is not None:
        if not _valid_date(when.date):
            out.append(Problem(f"{path}.date", f"must be a date as YYYY-MM-DD, a month as YYYY-MM or a year as YYYY; "
                                               f"got {when.date!r}"))
        elif len(when.date) == 7 and when.precision not in ("month", "year"):
            out.append(Problem(f"{path}.precision", "a month-only date needs precision month (or year)"))
        elif len(when.date) == 4 and when.precision != "year":
            out.append(Problem(f"{path}.precision", "a year-only date needs precision year"))
    if when.event_id is not None and when.event_id not in event_ids:
        out.append(Problem(f"{path}.event_id", f"names no event of this case ({when.event_id!r})"))
    return out


class _Refs:
    """The ids other parts may name, gathered once per check."""
    __slots__ = ("events", "lesions", "imaging", "ref_keys")

    def __init__(self, case: Case):
        self.events = {e.id for e in case.events}
        self.lesions = {l.id for l in case.lesions}
        self.imaging = {im.id for im in case.imaging}
        self.ref_keys: dict[str, int] = {}
        for r in case.references:
            self.ref_keys[r.key] = self.ref_keys.get(r.key, 0) + 1


def _ids_unique(items, path: str) -> list[Problem]:
    out, seen = [], set()
    for i, it in enumerate(items):
        if not it.id:
            out.append(Problem(f"{path}[{i}].id", "must not be empty"))
        elif it.id in seen:
            out.append(Problem(f"{path}[{i}].id", f"duplicate id {it.id!r}"))
        seen.add(it.id)
    return out


def check_case(case: Case) -> list[Problem]:
    """Problems a structurally valid case can still have: unknown catalogue codes, missing units,
    values outside what can be measured, broken references. Used by import and by the store."""
    refs = _Refs(case)
    p: list[Problem] = []
    for name in LIST_PART_NAMES:
        p += _ids_unique(getattr(case, name), f"$.{name}")
    p += _check_case_fields(case, refs)
    for part, check in _SINGLE_CHECKS.items():
        p += check(getattr(case, part), f"$.{part}", refs)
    for part, check in _ITEM_CHECKS.items():
        for i, item in enumerate(getattr(case, part)):
            p += check(item, f"$.{part}[{i}]", refs)
    return p


def check_part(case: Case, part: str, item_id: str | None = None) -> list[Problem]:
    """The problems of one part of ``case`` (one list item when ``item_id`` is given), with the
    same messages and paths as :func:`check_case`. An edit validates only what it touches, so a
    keystroke in a case with thousands of labs does not re-check all of them."""
    refs = _Refs(case)
    if part == "case":
        return _check_case_fields(case, refs)
    if part in _SINGLE_CHECKS:
        return _SINGLE_CHECKS[part](getattr(case, part), f"$.{part}", refs)
    if part not in _ITEM_CHECKS:
        if part in Case.__dataclass_fields__:
            return []  # a part without checks of its own (the manuscript's free text)
        raise ValueError(f"{part!r} is not a part of a case")
    items = getattr(case, part)
    out = []
    for i, item in enumerate(items):
        if item_id is None or item.id == item_id:
            if not item.id:
                out.append(Problem(f"$.{part}[{i}].id", "must not be empty"))
            elif sum(1 for other in items if other.id == item.id) > 1:
                out.append(Problem(f"$.{part}[{i}].id", f"duplicate id {item.id!r}"))
            out += _ITEM_CHECKS[part](item, f"$.{part}[{i}]", refs)
    return out


def _check_case_fields(case: Case, refs: _Refs) -> list[Problem]:
    if case.index_event_id is not None and case.index_event_id not in refs.events:
        return [Problem("$.index_event_id", f"names no event of this case ({case.index_event_id!r})")]
    return []


def _check_identifiers(ident, path: str, refs: _Refs) -> list[Problem]:
    if ident.date_of_birth is not None:
        return check_when(When(date=ident.date_of_birth), f"{path}.date_of_birth", refs.events)
    return []


def _check_patient(pt, path: str, refs: _Refs) -> list[Problem]:
    p = []
    if pt.age_years is not None and not 0 <= pt.age_years <= 130:
        p.append(Problem(f"{path}.age_years", f"must be between 0 and 130 years; got {pt.age_years}"))
    if pt.weight_kg is not None and not 0.5 <= pt.weight_kg <= 500:
        p.append(Problem(f"{path}.weight_kg", f"must be between 0.5 and 500 kg; got {pt.weight_kg}"))
    if pt.height_cm is not None and not 30 <= pt.height_cm <= 260:
        p.append(Problem(f"{path}.height_cm", f"must be between 30 and 260 cm; got {pt.height_cm}"))
    p += check_when(pt.dialysis_start, f"{path}.dialysis_start", refs.events)
    p += check_when(pt.transplant_date, f"{path}.transplant_date", refs.events)
    for i, period in enumerate(pt.dialysis_history):
        pp = f"{path}.dialysis_history[{i}]"
        p += check_when(period.start, f"{pp}.start", refs.events) + check_when(period.stop, f"{pp}.stop", refs.events)
        if period.sessions_per_week is not None and not 0 <= period.sessions_per_week <= 14:
            p.append(Problem(f"{pp}.sessions_per_week", f"must be 0 to 14; got {period.sessions_per_week:g}"))
    for i, c in enumerate(pt.comorbidities):
        if c.code not in catalogue.comorbidities():
            p.append(Problem(f"{path}.comorbidities[{i}].code", f"unknown comorbidity {c.code!r}"))
    return p


def _check_when_of(attr: str):
    def check(obj, path: str, refs: _Refs) -> list[Problem]:
        return check_when(getattr(obj, attr), f"{path}.{attr}", refs.events)
    return check


def _check_consent(consent, path: str, refs: _Refs) -> list[Problem]:
    if consent.date is not None:
        return check_when(When(date=consent.date), f"{path}.date", refs.events)
    return []


def _check_dosed(obj, path: str, refs: _Refs, class_attr: str, known: dict, what: str) -> list[Problem]:
    """A medication or a treatment: a known class, a unit with every dose, start and stop."""
    p = []
    if getattr(obj, class_attr) not in known:
        p.append(Problem(f"{path}.{class_attr}", f"unknown {what} class {getattr(obj, class_attr)!r}"))
    if obj.dose is not None and not obj.dose_unit.strip():
        p.append(Problem(f"{path}.dose_unit", "a dose needs its unit"))
    return p + check_when(obj.start, f"{path}.start", refs.events) + check_when(obj.stop, f"{path}.stop", refs.events)


def _check_medication(m, path: str, refs: _Refs) -> list[Problem]:
    return _check_dosed(m, path, refs, "drug_class", catalogue.medication_classes(), "medication")


def _check_vital(v, path: str, refs: _Refs) -> list[Problem]:
    p = []
    spec = catalogue.vitals().get(v.kind)
    if spec is None:
        p.append(Problem(f"{path}.kind", f"unknown vital sign {v.kind!r}"))
    elif v.unit not in spec["units"]:
        p.append(Problem(f"{path}.unit", f"{spec['label']} needs a unit, one of {', '.join(spec['units'])}; got {v.unit!r}"))
    elif v.value is not None and spec.get("plausible", {}).get(v.unit):
        low, high = spec["plausible"][v.unit]
        if not low <= v.value <= high:
            others = [u for u in spec["units"] if u != v.unit]
            p.append(Problem(f"{path}.value", f"{spec['label'].lower()} {v.value:g} {v.unit} is outside {low:g}–{high:g} "
                             f"{v.unit}: a typing error?" + (f" If the source gives {' or '.join(others)}, choose "
                                                              "that unit first." if others else "")))
    return p + check_when(v.when, f"{path}.when", refs.events)


def _check_lesion(les, path: str, refs: _Refs) -> list[Problem]:
    p = []
    if les.site and les.site not in catalogue.all_sites():
        p.append(Problem(f"{path}.site", f"unknown site {les.site!r}"))
    if les.count is not None and les.count < 1:
        p.append(Problem(f"{path}.count", "must be at least 1"))
    p += check_when(les.onset, f"{path}.onset", refs.events)
    p += _ids_unique(les.observations, f"{path}.observations")
    for j, ob in enumerate(les.observations):
        op = f"{path}.observations[{j}]"
        p += check_when(ob.when, f"{op}.when", refs.events)
        for f in ("length_mm", "width_mm", "depth_mm"):
            v = getattr(ob, f)
            if v is not None and not 0 <= v <= 1000:
                p.append(Problem(f"{op}.{f}", f"must be between 0 and 1000 mm; got {v}"))
        if ob.pain_0_10 is not None and not 0 <= ob.pain_0_10 <= 10:
            p.append(Problem(f"{op}.pain_0_10", f"must be 0 to 10; got {ob.pain_0_10}"))
        if ob.pain_0_100 is not None and not 0 <= ob.pain_0_100 <= 100:
            p.append(Problem(f"{op}.pain_0_100", f"must be 0 to 100; got {ob.pain_0_100}"))
        if ob.pain == "absent" and any(v for v in (ob.pain_0_10, ob.pain_0_100)):
            p.append(Problem(f"{op}.pain", "pain is recorded as absent but a pain score above 0 is recorded"))
        for f, v in to_plain(ob.bwat).items():
            if v is not None and not 1 <= v <= 5:
                p.append(Problem(f"{op}.bwat.{f}", f"must be 1 to 5; got {v}"))
    return p


def _check_lab(lab, path: str, refs: _Refs) -> list[Problem]:
    """A result needs a value or the source's words for it (``qualitative``), and a number needs its
    unit. A unit the catalogue does not know, or a value outside what can be measured, stops entry as
    a probable typing error — unless ``as_printed`` says the source prints it so: then it is kept,
    flagged by the assessment and left out of its computations (import sets ``as_printed`` for such
    values, so a case file is never refused for them; see :func:`keep_as_printed`)."""
    p = []
    a = catalogue.analytes().get(lab.analyte)
    if a is None:
        p.append(Problem(f"{path}.analyte", f"unknown analyte {lab.analyte!r}"))
    if a is not None and a.free and not lab.name.strip():
        p.append(Problem(f"{path}.name", "a result the list does not have needs its name, as the source prints it"))
    if lab.name and a is not None and not a.free:  # (an unknown analyte is the one problem to say)
        p.append(Problem(f"{path}.name", "only a result the list does not have is named (its analyte is \"other\")"))
    if lab.value is None and lab.qualitative is None:
        p.append(Problem(f"{path}.value", "a lab result needs its value or its qualitative result"))
    if a is not None and a.qualitative_only and lab.value is not None:
        p.append(Problem(f"{path}.value", f"{a.label} is reported in words (qualitative), not as a number"))
    if lab.value is None:
        pass
    elif not lab.unit.strip() and not (a is not None and a.accepts("")):
        if not lab.as_printed:  # a source that prints no unit is kept only when marked so explicitly
            p.append(Problem(f"{path}.unit", "a value without a unit is refused (or keep it as printed)"))
    elif a is not None and not a.accepts(lab.unit):
        if not lab.as_printed:
            p.append(Problem(f"{path}.unit", f"{a.label} is not reported in {lab.unit!r}; use one of {', '.join(a.units)} "
                                             f"(or keep it as printed)"))
    elif a is not None and _implausible(a, lab) and not lab.as_printed:
        p.append(Problem(f"{path}.value", f"{a.label} {lab.value:g} {lab.unit} is outside what can be measured "
                         f"({a.plausible['low']:g}–{a.plausible['high']:g} {a.plausible['unit']}); a typing error? "
                         f"(or keep it as printed)"))
    if lab.decimals is not None and (lab.value is None or not 0 <= lab.decimals <= 6):
        p.append(Problem(f"{path}.decimals", "the digits a value is printed with: 0 to 6, and only with a value"))
    if lab.ref_low is not None and lab.ref_high is not None and lab.ref_low > lab.ref_high:
        p.append(Problem(f"{path}.ref_low", "the reference range's low end is above its high end"))
    return p + check_when(lab.when, f"{path}.when", refs.events)


def _implausible(a, lab) -> bool:
    if a.plausible is None:  # a result the catalogue does not list: no bounds to hold it to
        return False
    canon = a.to_canonical(lab.value, lab.unit)
    return not a.plausible["low"] <= canon <= a.plausible["high"]


def keep_as_printed(case: Case) -> list[str]:
    """Mark as ``as_printed`` every lab whose unit is unknown or whose value is implausible, so an
    import keeps it as the source prints it instead of refusing the file; the ids marked."""
    marked = []
    analytes = catalogue.analytes()
    for lab in case.labs:
        a = analytes.get(lab.analyte)
        if a is None or lab.value is None or lab.as_printed or not lab.unit.strip() and not a.accepts(""):
            continue
        if not a.accepts(lab.unit) or _implausible(a, lab):
            lab.as_printed = True
            marked.append(lab.id)
    return marked


_GRADE_RESULTS = {"confirmed": ("confirmed",), "consistent_with": ("confirmed", "inconclusive"),
                  "inconclusive": ("inconclusive",), "negative": ("negative",), "not_done": ("not_done",),
                  "declined": ("not_done",)}


def _check_biopsy(b, path: str, refs: _Refs) -> list[Problem]:
    p = []
    if b.site and b.site not in catalogue.all_sites():
        p.append(Problem(f"{path}.site", f"unknown site {b.site!r}"))
    if b.grade is not None and b.result is not None and b.result not in _GRADE_RESULTS[b.grade]:
        words = lambda code: code.replace("_", " ")  # noqa: E731 - as the window's choices read
        p.append(Problem(f"{path}.grade", f"“{words(b.grade)}” needs the result "
                                          f"{' or '.join(map(words, _GRADE_RESULTS[b.grade]))}, not “{words(b.result)}”"))
    if b.lesion_id is not None and b.lesion_id not in refs.lesions:
        p.append(Problem(f"{path}.lesion_id", f"names no lesion of this case ({b.lesion_id!r})"))
    return p + check_when(b.when, f"{path}.when", refs.events)


def _check_treatment(t, path: str, refs: _Refs) -> list[Problem]:
    return _check_dosed(t, path, refs, "treatment_class", catalogue.treatment_classes(), "treatment")


def _check_figure(m, path: str, refs: _Refs) -> list[Problem]:
    p = []
    if m.lesion_id is not None and m.lesion_id not in refs.lesions:
        p.append(Problem(f"{path}.lesion_id", f"names no lesion of this case ({m.lesion_id!r})"))
    if m.event_id is not None and m.event_id not in refs.events:
        p.append(Problem(f"{path}.event_id", f"names no event of this case ({m.event_id!r})"))
    if m.imaging_id is not None and m.imaging_id not in refs.imaging:
        p.append(Problem(f"{path}.imaging_id", f"names no imaging study of this case ({m.imaging_id!r})"))
    if m.mime not in ("image/jpeg", "image/png"):
        p.append(Problem(f"{path}.mime", f"must be image/jpeg or image/png; got {m.mime!r}"))
    if m.data is not None and m.sha256:
        import hashlib
    if m.data is not None and m.sha256 and hashlib.sha256(m.data).hexdigest() != m.sha256:
        p.append(Problem(f"{path}.sha256", "does not match the image bytes (damaged file?)"))
    return p


# a citation key as pandoc reads one after "@": letters, digits and internal punctuation
_REF_KEY = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_:.#$%&+?<>~/-]*[A-Za-z0-9_])?$")


def _check_reference(ref, path: str, refs: _Refs) -> list[Problem]:
    p = []
    if not ref.key:
        p.append(Problem(f"{path}.key", "a reference needs its citation key (the text cites it as [@key])"))
    elif not _REF_KEY.match(ref.key):
        p.append(Problem(f"{path}.key", f"a citation key is letters, digits and _:.#$%&+?<>~/- inside; got {ref.key!r}"))
    elif refs.ref_keys.get(ref.key, 0) > 1:
        p.append(Problem(f"{path}.key", f"another reference has the citation key {ref.key!r}"))
    if not (ref.title.strip() or ref.authors or ref.container.strip()):
        p.append(Problem(f"{path}.title", "a reference needs a title, an author or a container"))
    if ref.year is not None and not 1000 <= ref.year <= 2999:
        p.append(Problem(f"{path}.year", f"must be a four-digit year; got {ref.year}"))
    if ref.doi and not re.match(r"^10\.\d{4,9}/\S+$", ref.doi):
        p.append(Problem(f"{path}.doi", f"a DOI is 10.NNNN/suffix, without https://doi.org/; got {ref.doi!r}"))
    if ref.pmid and not re.match(r"^\d{1,9}$", ref.pmid):
        p.append(Problem(f"{path}.pmid", f"a PubMed id is digits only; got {ref.pmid!r}"))
    return p


# One checker per part, in the order check_case reports them; a new part needs its checker here.
_SINGLE_CHECKS = {
    "identifiers": _check_identifiers, "patient": _check_patient, "diagnosis": _check_when_of("when"),
    "outcome": _check_when_of("when"), "consent": _check_consent,
}
_ITEM_CHECKS = {
    "medications": _check_medication, "events": _check_when_of("when"), "vitals": _check_vital,
    "lesions": _check_lesion, "labs": _check_lab, "imaging": _check_when_of("when"),
    "biopsies": _check_biopsy, "treatments": _check_treatment, "figures": _check_figure,
    "references": _check_reference,
}
LIST_PART_NAMES = ("events", "medications", "vitals", "lesions", "labs", "imaging", "biopsies", "treatments", "figures",
                   "references")


def write_schema() -> None:
    """Regenerate resources/schema/case.schema.json after a model change (a test compares them)."""
    path = catalogue.resource_path("schema", "case.schema.json")
    path.write_text(json.dumps(case_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_schema()
