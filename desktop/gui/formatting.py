"""Words and numbers as the window shows them: vocabulary codes in words, numbers as a clinician
writes them (and read back as typed), an event's title and a time's place on the day axis. No Qt."""
from __future__ import annotations

import re
from typing import Any, get_args

from .. import timing
from ..model import Event, When


_SPECIAL_LABELS = {
    "follow_up": "follow-up", "xray": "X-ray", "ct": "CT", "mri": "MRI", "not_done": "not done",
    "no_improvement": "no improvement", "not_assessed": "not assessed", "lost_to_follow_up": "lost to follow-up",
    "next_of_kin": "next of kin", "not_excluded": "not excluded", "not_made": "not made",
    "haemodialysis": "haemodialysis", "peritoneal": "peritoneal dialysis", "5D": "5D (on dialysis)",
    "bone_scintigraphy": "bone scintigraphy", "non_adherent": "non-adherent",
}


def label_of(code: str | None) -> str:
    """The words for a vocabulary code: 'symptom_onset' -> 'symptom onset'."""
    if code is None:
        return "not recorded"
    return _SPECIAL_LABELS.get(code, code.replace("_", " "))


def choices_of(literal_type: Any, **labels: str) -> list[tuple[str, str]]:
    """(value, label) pairs of a model Literal, in the model's order; ``labels`` words some values for
    this choice alone ("not_stated" is "made, basis not stated" for a diagnosis, "not stated" for pain)."""
    return [(v, labels.get(v) or label_of(v)) for v in get_args(literal_type)]


def fmt_number(value: float | None) -> str:
    """A number as a clinician writes it and as it was entered: 25 not 25.0, 1.5 not 1.50, 1250000
    not 1.25e+06 (every digit kept). An ASCII minus, so an edit field reads back what it shows."""
    if value is None:
        return ""
    if abs(value) < 1e15 and value == int(value):  # a whole number (an age, a day): as format_number writes it
        return str(int(value))
    from ..core.labs import format_number  # here, not at start-up: importing the core loads all of it
    return format_number(float(value)).replace("\u2212", "-")


# How a typed number may group its digits (a published report prints "1,251 pg/mL", a European
# author types "2,3" or "1.251,5"): the point is always a decimal point; a comma is a decimal comma
# unless it separates thousands.
_GROUPED_COMMA = re.compile(r"[-+]?[1-9]\d{0,2}(?:,\d{3})+(\.\d+)?")  # 1,251,000 / 1,251.5
_GROUPED_POINT = re.compile(r"[-+]?[1-9]\d{0,2}(?:\.\d{3})+,\d+")  # 1.251,5
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")  # 2,3 / 0,125


def plain_number(text: str) -> str:
    """A typed number written with a decimal point and without grouping: '1,251.5' and '1.251,5' ->
    '1251.5', '2,3' -> '2.3'. A single comma followed by three digits ('1,251') is refused, because it
    reads as 1251 in one country and 1.251 in another: a 1000-fold slip in a lab value. Raises
    ValueError saying so and what to type instead."""
    t = text.strip().replace("\u2212", "-")
    for space in (" ", "\u00a0", "\u202f", "\u2009"):  # "1 251": spaces between thousands
        t = t.replace(space, "")
    if _GROUPED_POINT.fullmatch(t):
        return t.replace(".", "").replace(",", ".")
    m = _GROUPED_COMMA.fullmatch(t)
    if m:
        if t.count(",") == 1 and m.group(1) is None:
            whole, point = t.replace(",", ""), t.replace(",", ".")
            raise ValueError(f"{text.strip()!r} could be {whole} (a comma between thousands) or {point} (a decimal "
                             f"comma): type {whole} or {point}")
        return t.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(t):
        return t.replace(",", ".")
    return t


def typed_decimals(number: str) -> int:
    """The digits after the decimal point (or comma) of a number as typed: '9.0' -> 1, '1,25' -> 2,
    '1,251.5' -> 1."""
    t = number.strip().rstrip(".,")
    try:
        t = plain_number(t)
    except ValueError:
        return 0
    sep = t.rfind(".")
    return len(t) - sep - 1 if sep >= 0 else 0


def parse_number(text: str) -> float:
    """A typed number; accepts a decimal comma and digits grouped in thousands (:func:`plain_number`).
    Raises ValueError with a readable message."""
    t = plain_number(text)
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f"{text.strip()!r} is not a number")
    return v


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))



def event_title(ev: Event, width: int = 48) -> str:
    text = ev.description.strip().split("\n")[0] or "(no description)"
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return f"{label_of(ev.kind)}: {text}"



def when_text(timeline: timing.Timeline, when: When) -> str:
    """A time for a table cell: where it falls on the day axis, else the source's words, else the
    date as given (a year, a month or a day: when day 0 has no date it cannot be placed)."""
    if not when.is_set:
        return when.label or "—"
    placed = timeline.place(when)
    if placed is not None:
        return timing.describe(placed)
    return when.label or when.date or "not on the day axis"
