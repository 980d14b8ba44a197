"""Clinical reference values the window and the report draw with, read from resources/ (never
copied into GUI or report code): the Ca×P risk and goal lines, the PUSH 3.0 maximum, the BWAT-CUA
items. Each comes with its unit and the short name of its source, for legends and hints."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .rulebook import citations, instruments, rule


@dataclass(frozen=True)
class Line:
    value: float
    unit: str
    role: str  # "risk" or "goal"
    source: str  # short: "Weenig, JAAD 2007; seed"


def _short(keys: list[str]) -> str:
    """'Weenig 2007; Smilnak 2022 (seed)': first author (or body) and year of each citation."""
    import re
    cites = citations()
    out = []
    for k in keys:
        text = cites[k]["text"]
        who = re.split(r" et al\.|\.| Clinical", text, maxsplit=1)[0].strip()
        year = re.search(r"\b(19|20)\d\d\b", text)
        out.append(f"{who} {year.group(0) if year else ''}".strip() + (" (seed)" if k == "seed" else ""))
    return "; ".join(out)


@cache
def ca_p_lines() -> tuple[Line, Line]:
    """The calcium × phosphate product's risk threshold and treatment goal (resources/rules/rules.json,
    rules ca-p-high-before-onset and ca-p-at-goal)."""
    risk = rule("ca-p-high-before-onset")
    goal = rule("ca-p-at-goal")
    r, g = risk.threshold("ca_p_product"), goal.threshold("ca_p_goal")
    return (Line(float(r["value"]), r["unit"], "risk", _short([c[0] for c in risk.citations])),
            Line(float(g["value"]), g["unit"], "goal", _short([c[0] for c in goal.citations])))


def push_max() -> int:
    """The highest PUSH 3.0 total (resources/rules/instruments.json)."""
    return int(instruments()["push"]["total_max"])


def bwat_items() -> list[tuple[str, str]]:
    """The verified BWAT-CUA items as (field, label) (resources/rules/instruments.json)."""
    return [(i["field"], i["label"]) for i in instruments()["bwat_cua"]["items"]]


def bwat_caveat() -> str:
    return instruments()["bwat_cua"]["caveat"]


def bwat_anchors(field: str) -> dict[int, str]:
    """The score descriptions of one BWAT-CUA item, 1 (best) to 5 (worst)."""
    item = next(i for i in instruments()["bwat_cua"]["items"] if i["field"] == field)
    return {int(k): v for k, v in item["anchors"].items()}


def push_anchors(subscale: str) -> dict[int, str]:
    """The score descriptions of a PUSH 3.0 sub-scale: "tissue_type", "exudate_amount", "area_cm2"."""
    return {int(k): v for k, v in instruments()["push"]["anchors"][subscale].items()}


def push_choices(subscale: str) -> list[tuple[str, str]]:
    """A PUSH 3.0 sub-scale's categories as (value, "score – description"), best first:
    "tissue_type" or "exudate_amount" (resources/rules/instruments.json)."""
    push = instruments()["push"]
    anchors = push_anchors(subscale)
    return [(value, f"{score} – {anchors[int(score)]}") for value, score in
            sorted(push[subscale].items(), key=lambda kv: kv[1])]


def bwat_observation_field(field: str) -> tuple[str, dict[str, int]] | None:
    """For a BWAT-CUA item whose scores name the categories an observation records itself (the
    exudate type): that field of the observation and its value -> score; else None."""
    item = next(i for i in instruments()["bwat_cua"]["items"] if i["field"] == field)
    if "observation_field" not in item:
        return None
    return item["observation_field"], {k: int(v) for k, v in item["observation_values"].items()}
