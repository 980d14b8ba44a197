"""Small wording helpers shared by the rules: counts, lists, numbers, limits."""
from __future__ import annotations

from . import labs as L

MAX_EVIDENCE = 12  # evidence rows per finding; the message gives the full count


def plural(n: int, one: str, many: str) -> str:
    """'1 lesion has' / '3 lesions have'."""
    return f"{n} {one if n == 1 else many}"


def join(items: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (empty items dropped); ``last="or"``: 'a, b or c'. Items that hold
    commas themselves ("calcium, total") are set apart by semicolons: 'albumin; calcium, total; and
    phosphate', not six items where there are three."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if len(items) > 2 and any("," in i for i in items):
        return "; ".join(items[:-1]) + f"; {last} " + items[-1]
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def number(v: float, decimals: int = 1) -> str:
    """A number as the rules write it (labs.format_number)."""
    return L.format_number(v, decimals)
