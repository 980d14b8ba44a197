"""Read-only access to the data catalogues in resources/ (sites, analytes, classes, vitals).

Clinicians review these files; code only reads them. Loaded once per process.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


@cache
def load_json(*parts: str) -> dict:
    with resource_path(*parts).open(encoding="utf-8") as fh:
        return json.load(fh)


class UnknownUnit(ValueError):
    pass


@dataclass(frozen=True)
class Site:
    code: str
    label: str
    cls: str  # proximal | distal | penile | other_genital | visceral | other
    lateral: bool
    region: str


@dataclass(frozen=True)
class Analyte:
    code: str
    label: str
    loinc: str | None
    canonical_unit: str
    conventional_unit: str
    si_unit: str
    units: dict  # unit -> {"scale": s, "offset": o}: canonical = value * s + o
    reference_range: dict | None
    plausible: dict
    conversion_source: str

    def accepts(self, unit: str) -> bool:
        return unit in self.units

    def _conversion(self, unit: str) -> dict:
        try:
            return self.units[unit]
        except KeyError:
            raise UnknownUnit(
                f"{self.label}: unit {unit!r} is not accepted; use one of {', '.join(self.units)}"
            ) from None

    def to_canonical(self, value: float, unit: str) -> float:
        conv = self._conversion(unit)
        return value * conv["scale"] + conv["offset"]

    def from_canonical(self, value: float, unit: str) -> float:
        conv = self._conversion(unit)
        return (value - conv["offset"]) / conv["scale"]

    def convert(self, value: float, unit: str, to_unit: str) -> float:
        return self.from_canonical(self.to_canonical(value, unit), to_unit)


@cache
def sites() -> dict[str, Site]:
    return {s["code"]: Site(s["code"], s["label"], s["class"], s["lateral"], s["region"])
            for s in load_json("catalogues", "sites.json")["sites"]}


@cache
def analytes() -> dict[str, Analyte]:
    out = {}
    for a in load_json("catalogues", "analytes.json")["analytes"]:
        out[a["code"]] = Analyte(
            code=a["code"], label=a["label"], loinc=a["loinc"], canonical_unit=a["canonical_unit"],
            conventional_unit=a["conventional_unit"], si_unit=a["si_unit"], units=a["units"],
            reference_range=a["reference_range"], plausible=a["plausible"],
            conversion_source=a["conversion_source"],
        )
    return out


def _codes(file: str, key: str) -> dict[str, str]:
    return {c["code"]: c["label"] for c in load_json("catalogues", file)[key]}


@cache
def comorbidities() -> dict[str, str]:
    return _codes("comorbidities.json", "comorbidities")


@cache
def medication_classes() -> dict[str, str]:
    return _codes("medication_classes.json", "classes")


@cache
def treatment_classes() -> dict[str, str]:
    return _codes("treatment_classes.json", "classes")


@cache
def vitals() -> dict[str, dict]:
    return {v["code"]: v for v in load_json("catalogues", "vitals.json")["vitals"]}
