"""What a time field says about itself while it is edited, for every front end: the direction a
relative time starts with ("6 weeks" of symptom onset is before day 0), its reading ("= 6 weeks
before presentation (day −42)") and a warning when it makes the order of the case impossible (an
onset after the presentation, a death before it, a stop before its start, anything after death or
before the patient's birth).

A time field has a *role*: an event kind ("event:symptom_onset") or a part's field
("lesions.onset", "medications.start", "outcome.when:dead"). The directions and which roles are
onsets and deaths are data: resources/catalogues/time_directions.json, with its source."""
from __future__ import annotations

from functools import cache

from .. import catalogue, timing
from ..timing import slack  # not the core's context: the window imports this at start-up
from ..model import Case, When


@cache
def _table() -> dict:
    return catalogue.load_json("catalogues", "time_directions.json")


def default_direction(role: str | None) -> int:
    """-1 (before day 0) or +1 (after it): where a time of this role usually lies."""
    t = _table()
    base = (role or "").split(":dead")[0]
    word = t["directions"].get(base, t["default"])
    return -1 if word == "before" else 1


def _day_text(placed: timing.Placed) -> str:
    day = round(placed.day)
    sign = "\u2212" if day < 0 else "+"
    text = "day 0" if day == 0 else f"day {sign}{abs(day)}"
    return text + (", approximate" if placed.approximate else "")


def _kind_words(kind: str) -> str:
    return kind.replace("_", " ").replace("follow up", "follow-up")


def reading(case: Case, when: When) -> str:
    """Where ``when`` falls, said the way it was given: '= 6 weeks before presentation (day −42)';
    '= day +12' for a date; '= 3 years before presentation, at 65 (day −1096, approximate)' for an
    age (placed from the age at presentation). Empty when it has no place on the day axis."""
    try:
        placed = timing.Timeline(case).place(when)
    except (KeyError, ValueError):
        placed = None
    if placed is None:
        return ""
    if when.date is None and when.offset:
        n = abs(when.offset)
        unit = when.precision + ("" if n == 1 else "s")
        rel = "before" if when.offset < 0 else "after"
        anchor_event = case.event(when.event_id) if when.event_id is not None else case.index_event
        anchor = _kind_words(anchor_event.kind) if anchor_event is not None else "day 0"
        return f"= {n:g} {unit} {rel} {anchor} ({_day_text(placed)})"
    if when.date is None and when.event_id is None and when.offset is None and when.age_years is not None:
        return _age_reading(case, when, placed)
    return f"= {_day_text(placed)}"


def _age_reading(case: Case, when: When, placed: timing.Placed) -> str:
    age = case.patient.age_years
    years = round(when.age_years - age, 2)
    anchor = ("presentation" if any(e.kind == "presentation" for e in case.events) or case.index_event is None
              else _kind_words(case.index_event.kind))
    if years == 0:
        return f"= the age at {anchor} ({_day_text(placed)})"
    unit = "year" if abs(years) == 1 else "years"
    rel = "before" if years < 0 else "after"
    return f"= {abs(years):g} {unit} {rel} {anchor}, at {age:g} ({_day_text(placed)})"


def _before(a: timing.Placed, b: timing.Placed) -> bool:
    """``a`` is clearly before ``b``, allowing for the precision and looseness of both."""
    return a.day + slack(a) + slack(b) < b.day


def _presentation(case: Case, tl: timing.Timeline, exclude: str | None) -> timing.Placed | None:
    placed = [p for ev in case.events if ev.kind == "presentation" and ev.id != exclude
              for p in [tl.event_day(ev.id)] if p is not None]
    if placed:
        return min(placed, key=lambda p: p.day)
    idx = case.index_event
    if idx is not None and idx.id != exclude:
        return tl.event_day(idx.id)
    return None


def _death(case: Case, tl: timing.Timeline, role: str, exclude: str | None) -> timing.Placed | None:
    placed = [p for ev in case.events if ev.kind == "death" and ev.id != exclude
              for p in [tl.event_day(ev.id)] if p is not None]
    if case.outcome.status == "dead" and not role.startswith("outcome.when"):
        p = tl.place(case.outcome.when)
        if p is not None:
            placed.append(p)
    return min(placed, key=lambda p: p.day) if placed else None


def order_warning(case: Case, role: str | None, when: When, *, item_id: str | None = None,
                  start: When | None = None) -> str:
    """A warning when ``when`` (the time of ``role``, for the item ``item_id`` if any) is impossible
    against the rest of the case; empty when it is not (or cannot be placed). ``start`` is the
    start of the same item when ``when`` is its stop."""
    if not role:
        return ""
    t = _table()
    tl = timing.Timeline(case)
    try:
        p = tl.place(when)
    except (KeyError, ValueError):
        p = None
    if p is None:
        return ""
    exclude = item_id if role.startswith("event:") else None
    pres = _presentation(case, tl, exclude)
    age = case.patient.age_years
    if age is not None and pres is not None and p.day + slack(p) < pres.day - (age + 1) * timing.DAYS_PER["year"]:
        return (f"Before the patient's birth ({_day_text(p)}; aged {age} at the presentation, {_day_text(pres)}): "
                f"impossible \u2014 check the number and its unit.")
    if role in t["onset_roles"] and pres is not None and _before(pres, p):
        return (f"An onset after the presentation ({_day_text(p)}, presentation {_day_text(pres)}): "
                f"an onset comes before it \u2014 should this be \u201cbefore\u201d?")
    if role in t["death_roles"]:
        if pres is not None and _before(p, pres):
            return (f"Death before the presentation ({_day_text(p)}, presentation {_day_text(pres)}): "
                    f"impossible \u2014 check the direction or the date.")
        return ""
    if role == "event:discharge" and pres is not None and _before(p, pres):
        return f"Discharge before the presentation ({_day_text(p)}, presentation {_day_text(pres)}): impossible."
    if start is not None:
        s = tl.place(start)
        if s is not None and _before(p, s):
            return f"Stops ({_day_text(p)}) before it starts ({_day_text(s)}): impossible."
    death = _death(case, tl, role, exclude)
    if death is not None and _before(death, p):
        return f"After the death ({_day_text(p)}, death {_day_text(death)}): impossible."
    return ""
