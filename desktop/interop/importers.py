"""Which reader a file needs, chosen by its content (not its name): a Casebook case file, a FHIR
Bundle, a GA4GH Phenopacket, or REDCap data (with its data dictionary beside it or given)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Case


@dataclass
class Imported:
    kind: str  # "fhir", "phenopacket", "redcap"
    cases: list[Case] = field(default_factory=list)
    report: list[str] = field(default_factory=list)  # what was not imported, in words


class NotImportable(ValueError):
    pass


def sniff(data: bytes) -> str:
    """'casebook', 'fhir', 'phenopacket', 'redcap', 'redcap-dictionary' or 'unknown'."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            return "casebook"  # the case reader names the JSON error
        from .fhir_import import looks_like_fhir_bundle
        from .phenopacket import looks_like_phenopacket
        if looks_like_fhir_bundle(obj):
            return "fhir"
        if looks_like_phenopacket(obj):
            return "phenopacket"
        return "casebook"
    from .redcap_import import looks_like_dictionary, looks_like_redcap_data
    if looks_like_redcap_data(text):
        return "redcap"
    if looks_like_dictionary(text):
        return "redcap-dictionary"
    return "unknown"


def read_foreign(path: Path, data: bytes, dictionary: Path | None = None) -> Imported | None:
    """The cases of a FHIR Bundle, Phenopacket or REDCap data file, with a report of what did not
    map; None for a Casebook case file (jsonio reads those)."""
    kind = sniff(data)
    if kind in ("casebook", "unknown"):
        return None
    if kind == "redcap-dictionary":
        raise NotImportable(f"{path.name} is a REDCap data dictionary: import the data CSV (its dictionary is "
                            "read from beside it, or given with --dictionary)")
    text = data.decode("utf-8")
    if kind == "fhir":
        from .fhir_import import bundle_to_case
        case, report = bundle_to_case(json.loads(text))
        return Imported(kind, [case], report)
    if kind == "phenopacket":
        from .phenopacket import phenopacket_to_case
        case, report = phenopacket_to_case(json.loads(text))
        return Imported(kind, [case], report)
    from .redcap_import import looks_like_dictionary, read
    dict_text = None
    if dictionary is not None:
        dict_text = dictionary.read_text("utf-8")
    else:
        for sibling in sorted(path.parent.glob("*.csv")):
            if sibling != path:
                try:
                    head = sibling.read_text("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                if looks_like_dictionary(head):
                    dict_text = head
                    break
    imported = read(text, dict_text)
    report = list(imported.report)
    if dict_text is None:
        report.insert(0, "no data dictionary beside the data: read with Casebook's own field definitions")
    return Imported(kind, imported.cases, report)
