"""Sharing a case with the platforms registries run on: labs CSV, REDCap (dictionary, data, project
XML), FHIR R4B, GA4GH Phenopacket v2, DOCX; and reading FHIR, Phenopacket and REDCap files back
(importers.py chooses the reader by content).

Every exporter here takes a case that has been through the one de-identification step
(desktop.privacy.deidentify); :func:`prepare` is the way in.
"""
from __future__ import annotations

from ..model import Case


def prepare(case: Case, *, identified: bool = False, id_map: dict[str, str] | None = None) -> Case:
    """The case an exporter may see: de-identified unless the author asked for an identified copy.
    ``id_map`` receives stored id -> exported (opaque) id; see deidentify."""
    if identified:
        return case
    from ..privacy.deidentify import deidentify
    return deidentify(case, id_map=id_map)
