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


_UNIT_SUBS = (  # applied in order to a lower-cased unit with spaces removed
    ("μ", "u"), ("µ", "u"), ("×", "x"), ("³", "3"), ("²", "2"),
    ("mcmol", "umol"), ("mumol", "umol"), ("mcg", "ug"), ("mug", "ug"), ("mcl", "ul"), ("mul", "ul"),
    ("x10^", "10^"), ("x10e", "10^"), ("10e", "10^"), ("10*", "10^"),
    ("mm^3", "ul"), ("mm3", "ul"), ("cells/", "/"), ("/hr", "/h"),
)


def unit_key(unit: str) -> str:
    """One spelling for the spellings of one unit as printed: case (``mg/dl`` = ``mg/dL``), spaces,
    the micro sign, Greek mu, ``u``, ``mu`` and ``mc`` (``µmol/L`` = ``umol/L`` = ``mcmol/L``),
    ``10E3`` / ``x10^3`` / ``10^3``, ``/mm3`` = ``/µL`` (a cubic millimetre is a microlitre) and a
    leading "cells"."""
    s = "".join(unit.split()).lower()
    for a, b in _UNIT_SUBS:
        s = s.replace(a, b)
    return s


@dataclass(frozen=True)
class Site:
    """A lesion site of the catalogue: its code, labels, anatomical class, laterality and region."""
    code: str
    label: str  # in the site list and the manuscript's tables: "thigh, aspect not stated"
    cls: str  # proximal | distal | penile | other_genital | visceral | other
    lateral: bool
    region: str
    name: str = ""  # in running text, when it differs from the label: "thigh"

    @property
    def short(self) -> str:
        return self.name or self.label


@dataclass(frozen=True)
class Analyte:
    """A laboratory analyte of the catalogue: its units and conversions, reference and plausible ranges."""
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
    spellings: dict  # unit_key(spelling) -> the catalogue's spelling
    qualitative_only: bool = False  # reported in words only (cultures)
    # a result the catalogue does not list ("other"): named by the source, any unit as printed, never converted
    free: bool = False
    entry_hint: str = ""  # what goes in its row, where another row is easily taken for it (BUN and urea)

    def unit_of(self, unit: str) -> str | None:
        """The catalogue's spelling of ``unit`` as printed (``mg/dl`` -> ``mg/dL``), or None."""
        if self.free:
            return unit if unit.strip() else None  # the unit as printed; none is still refused
        if unit in self.units:
            return unit
        return self.spellings.get(unit_key(unit))

    def accepts(self, unit: str) -> bool:
        return self.unit_of(unit) is not None

    def _conversion(self, unit: str) -> dict:
        if self.free:  # kept in its own unit: the same unit reads as it is, no other
            if unit == self.canonical_unit or not self.canonical_unit:
                return {"scale": 1, "offset": 0}
            raise UnknownUnit(f"{self.label}: a result the catalogue does not list is not converted")
        try:
            return self.units[self.unit_of(unit)]
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
    """The fine sites: the ones the body map draws."""
    return {s["code"]: Site(s["code"], s["label"], s["class"], s["lateral"], s["region"], s.get("name", ""))
            for s in load_json("catalogues", "sites.json")["sites"]}


@cache
def coarse_sites() -> dict[str, Site]:
    """Regions at the level a source may give them ("thigh", "penis, part not stated", "right fourth
    finger"); each has the class the fine sites under it share, so site rules work the same."""
    return {s["code"]: Site(s["code"], s["label"], s["class"], s["lateral"], s["region"], s.get("name", ""))
            for s in load_json("catalogues", "sites.json").get("coarse_sites", [])}


@cache
def site_names() -> dict[str, list[str]]:
    """Site code -> the other names case reports give it by ("dorsal hand", "medial thigh"):
    sites.json's 'also', for fine and coarse sites."""
    data = load_json("catalogues", "sites.json")
    return {s["code"]: list(s["also"]) for s in data["sites"] + data.get("coarse_sites", []) if s.get("also")}


@cache
def map_click_sites() -> dict[str, str]:
    """Fine site -> the coarse site a click on its region of the body map records ("shin" -> "lower
    leg, aspect not stated"): sites.json's coarse sites marked 'map_click' (a click cannot tell the
    aspect a source gives)."""
    return {fine: s["code"] for s in load_json("catalogues", "sites.json").get("coarse_sites", [])
            if s.get("map_click") for fine in s.get("covers", [])}


@cache
def all_sites() -> dict[str, Site]:
    """Every site a lesion or biopsy may name: the fine ones and the coarse regions."""
    return {**sites(), **coarse_sites()}


@cache
def analytes() -> dict[str, Analyte]:
    out = {}
    for a in load_json("catalogues", "analytes.json")["analytes"]:
        spellings: dict[str, str] = {}
        for u in a["units"]:
            spellings.setdefault(unit_key(u), u)  # the first spelling listed is the catalogue's
        for alias, unit in a.get("aliases", {}).items():
            spellings.setdefault(unit_key(alias), unit)
        out[a["code"]] = Analyte(
            code=a["code"], label=a["label"], loinc=a["loinc"], canonical_unit=a["canonical_unit"],
            conventional_unit=a["conventional_unit"], si_unit=a["si_unit"], units=a["units"],
            reference_range=a["reference_range"], plausible=a["plausible"],
            conversion_source=a["conversion_source"], spellings=spellings,
            qualitative_only=a.get("qualitative_only", False), free=a.get("free", False),
            entry_hint=a.get("entry_hint", ""),
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


_IRREGULAR = {"feet": "foot", "calves": "calf", "teeth": "tooth"}


def singular_forms(word: str) -> list[str]:
    """What an English plural may be the plural of, for names typed as case reports write them:
    "debridements", "parathyroidectomies", "legs", "feet" (most likely first; empty when none)."""
    w = word.lower()
    if w in _IRREGULAR:
        return [_IRREGULAR[w]]
    out = []
    if w.endswith("ies") and len(w) > 4:
        out.append(word[:-3] + "y")
    if w.endswith("es") and len(w) > 3:
        out.append(word[:-2])
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        out.append(word[:-1])
    return out
