"""The vocabulary of the FHIR export: the code systems and URLs it uses, UCUM and LOINC look-ups from
resources/ (catalogues/ucum.json, interop/loinc.json, each saying where it comes from), and the
small rules every FHIR string, quantity and narrative follows. Used by :mod:`desktop.interop.fhir`
(the writer), its reader and the Phenopacket and REDCap mappings.
"""
from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

from .. import catalogue

RELATIVE_TIME_URL = "http://hl7.org/fhir/StructureDefinition/cqf-relativeDateTime"
DATA_ABSENT_URL = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
VITALS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
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


@cache
def _ucum_by_key() -> dict[str, str]:
    return {catalogue.unit_key(u): code for u, code in ucum_codes().items()}


def ucum_code(unit: str) -> str | None:
    """The UCUM code of a unit as printed (µ, μ and u alike; 10^3/µL = K/µL; /mm3 = /µL), or None."""
    return ucum_codes().get(unit) or _ucum_by_key().get(catalogue.unit_key(unit))


@cache
def loinc_table() -> dict:
    return catalogue.load_json("interop", "loinc.json")


def loinc_for(analyte: str, unit: str) -> dict | None:
    """{code, display} for an analyte measured in ``unit``: the code of the property the unit
    measures (17861-6 for calcium in mg/dL, 2000-8 in mmol/L), or None when none is verified."""
    table = loinc_table()
    code = ucum_code(unit) if unit else ""
    prop = table["unit_property"].get(code) if code is not None else None
    return table["analytes"].get(analyte, {}).get(prop) if prop else None


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


def _manuscript(paragraphs: list[str], default: str | None = None) -> dict | None:
    paras = [p for p in (_s(p) for p in paragraphs) if p]
    if not paras and default:
        paras = [default]
    if not paras:
        return None
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def quantity(value: float | None, unit: str, comparator: str = "=") -> dict | None:
    if value is None:
        return None
    q: dict[str, Any] = {"value": value, "unit": _s(unit)}
    code = ucum_code(unit) if unit else None
    if code:
        q["system"] = UCUM
        q["code"] = code
    if comparator and comparator != "=":
        q["comparator"] = comparator
    return q


OFFSET_UNITS = {"day": "d", "week": "wk", "month": "mo", "year": "a"}
PRECISION_OF_UNIT = {v: k for k, v in OFFSET_UNITS.items()}
SNOMED = "http://snomed.info/sct"
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right"), "bilateral": ("51440002", "Bilateral")}
LAB_NOTE_EXPECTED = "expected abnormal for a known condition"
# read back by desktop/interop/fhir_import.py: a lesion with no site, "site not recorded (its site
# detail)", as its narrative says it; the case's status in the Composition's narrative
NO_SITE = "site not recorded"
CASE_STATUS_TEXT = "Calciphylaxis case report ({})."
KEYWORDS_TEXT = "Keywords: "  # the Composition's narrative paragraphs that carry the keywords and the source
SOURCE_TEXT = "Source of the case: "


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _words_to(value: str, choices) -> str | None:
    """The code among ``choices`` whose words (:func:`_words`) or itself ``value`` is, or None."""
    for c in choices:
        if c.replace("_", " ") == value or c == value:
            return c
    return None
