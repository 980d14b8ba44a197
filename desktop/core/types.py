"""What the assessment core returns. Plain dataclasses, serialised by :mod:`desktop.codec`.

The assessment supports documentation; it does not diagnose or prescribe. Every finding carries the
values it used (with units and times) and the sources it rests on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Category = Literal["diagnosis", "risk", "prognosis", "management", "data_quality", "reporting"]
Severity = Literal["info", "notice", "warning", "critical"]
SEVERITY_ORDER = ("critical", "warning", "notice", "info")
TierName = Literal["suspected", "clinical", "confirmed", "criteria_not_met"]
CareStatus = Literal["complete", "partial", "missing"]

DISCLAIMER = (
    "Decision support for documentation only. These findings restate published evidence against the "
    "recorded data; they are not a diagnosis or a treatment recommendation for this patient. Check every "
    "value and source."
)


@dataclass
class Citation:
    key: str  # e.g. "seed", "hayashi-2012"
    text: str  # full reference as printed
    confidence: str = ""  # V / S as tagged in the domain file


@dataclass
class Evidence:
    """One value a finding used, with its unit and where it sits in the case."""
    label: str  # "Calcium × phosphate product"
    value: str  # "82.8" (formatted), or text for non-numeric evidence
    unit: str = ""  # explicit unit; empty only for non-numeric evidence
    time: str = ""  # "day −61, approximate"
    day: float | None = None  # days from day 0, for charts and sorting
    ref: str = ""  # where in the case: "labs/<id>", "lesions/<id>", "patient.sex", ...


@dataclass
class Finding:
    rule_id: str  # stable id, e.g. "ca-p-high-before-onset"
    category: Category
    severity: Severity
    title: str
    message: str
    evidence: list[Evidence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


@dataclass
class DerivedValue:
    kind: str  # "ca_p_product", "corrected_calcium", "bmi", "dialysis_vintage", ...
    label: str
    value: float
    unit: str
    alt_value: float | None = None  # the same value in the other unit system
    alt_unit: str = ""
    time: str = ""
    day: float | None = None
    inputs: list[Evidence] = field(default_factory=list)
    caveat: str = ""
    citations: list[Citation] = field(default_factory=list)
    ref: str = ""  # e.g. the lesion/observation it belongs to


@dataclass
class Tier:
    tier: TierName
    major_factors: list[str] = field(default_factory=list)
    minor_factors: list[str] = field(default_factory=list)
    typical_lesions: list[str] = field(default_factory=list)
    early_changes: list[str] = field(default_factory=list)
    differentials_excluded: bool = False
    caveats: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # criteria the record cannot decide (not unmet)
    citations: list[Citation] = field(default_factory=list)

    @property
    def undecided(self) -> list[str]:
        """The criteria of ``unknown`` that could raise the tier (a factor, the confirming biopsy, the
        lesions when none is recorded): with any, "criteria not met" only says what the record shows,
        not that the criteria are unmet."""
        return [x for x in self.unknown
                if any(m in x for m in ("(major)", "(minor)", "(confirmed tier)", "(lesions, every tier)"))]


@dataclass
class CareItem:
    item: str  # "1", "3a", ..., "13"
    topic: str
    text: str
    status: CareStatus
    support: list[str] = field(default_factory=list)  # the recorded facts that support it
    section: str = ""  # report section where it is reported


@dataclass
class Assessment:
    findings: list[Finding] = field(default_factory=list)
    derived: list[DerivedValue] = field(default_factory=list)
    tier: Tier = field(default_factory=lambda: Tier("criteria_not_met"))
    care: list[CareItem] = field(default_factory=list)
    disclaimer: str = DISCLAIMER

    def by_rule(self, rule_id: str) -> list[Finding]:
        return [f for f in self.findings if f.rule_id == rule_id]

    def fired(self, rule_id: str) -> bool:
        return any(f.rule_id == rule_id for f in self.findings)
