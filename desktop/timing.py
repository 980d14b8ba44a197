"""Placing :class:`~desktop.model.When` values on the case's day axis (day 0 = the index event).

A time resolves to a number of days from the index event, with how sure we are of it:
- a date resolves when the index event itself resolves to a date;
- an offset resolves directly (months are 30.4375 days, the mean Gregorian month);
- "at event X" resolves to wherever X resolves ("N units after X" to that plus N units).
Nothing is invented: a time that cannot be placed resolves to ``None``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .model import Case, When

DAYS_PER = {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_LENGTH = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")[\s-]*(day|week|month|year)s?\b",
                     re.IGNORECASE)


def length_days(text: str) -> float | None:
    """The length a duration as a source gives it names, in days: "2 months", "a 1-week course",
    "six weeks" (the first number followed by a unit of time); None when the text names none."""
    m = _LENGTH.search(text or "")
    if m is None:
        return None
    n = m.group(1).lower()
    return float(_NUMBER_WORDS.get(n) or n) * DAYS_PER[m.group(2).lower()]


def unit_for_length(days: float) -> str:
    """The unit a clinician would say a length of time in: years from 2 years, months from 8 weeks,
    weeks from 2 weeks, else days."""
    return "year" if abs(days) >= 730 else "month" if abs(days) >= 56 else "week" if abs(days) >= 14 else "day"


def length_words(days: float) -> str:
    """A length of time in the unit a clinician would use for it: "21 days" is "3 weeks", 63 days
    "2 months", 800 days "2 years"; a few days stay days. Half a year is kept ("4.5 years", as a
    source's "four and half years"): rounded, it could cross the 5-year line the risk rules draw."""
    unit = unit_for_length(days)
    x = abs(days) / DAYS_PER[unit]
    if unit == "year" and round(x * 2) % 2 == 1 and abs(x * 2 - round(x * 2)) < 0.1:
        return f"{round(x * 2) / 2:.1f} years"
    n = round(x)
    return f"{n} {unit}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Placed:
    """A time placed on the case's day axis: the day, how exact it is and its calendar date."""
    day: float  # days from the index event; negative = before
    approximate: bool
    precision: str  # the coarsest precision met on the way
    date: dt.date | None  # the calendar date, when one is known (identifying!)


def parse_date(text: str) -> dt.date:
    """A calendar date; a month (``2005-09``) stands for its 15th day and a year (``2005``) for
    1 July, the middle, so the precision's slack covers the whole month or year."""
    if len(text) == 7 and text[4] == "-":
        return dt.date(int(text[:4]), int(text[5:7]), 15)
    if len(text) == 4 and text.isdigit():
        return dt.date(int(text), 7, 1)
    return dt.date.fromisoformat(text)


def date_precision(text: str) -> str:
    """The precision a date's own form carries: 'year', 'month' or 'day'."""
    return "year" if len(text) == 4 else "month" if len(text) == 7 else "day"


def coarser(a: str, b: str) -> str:
    return max(a, b, key=lambda p: DAYS_PER[p])


class Timeline:
    """Resolves times for one case. Cheap to build; caches per event."""

    def __init__(self, case: Case):
        self.case = case
        self._events = {e.id: e for e in case.events}
        self._cache: dict[str, Placed | None] = {}
        self._index_date: dt.date | None = None
        idx = self._events.get(case.index_event_id or "")
        if idx is not None and idx.when.date:
            try:
                self._index_date = parse_date(idx.when.date)
            except ValueError:
                self._index_date = None

    @property
    def index_date(self) -> dt.date | None:
        return self._index_date

    def place(self, when: When | None, _seen: frozenset[str] = frozenset()) -> Placed | None:
        if when is None:
            return None
        if when.event_id is not None:
            if when.event_id in _seen:
                return None  # a cycle of "at the time of" references places nothing
            base = self._place_event(when.event_id, _seen | {when.event_id}, when)
            if base is None or when.offset is None:
                return base
            day = base.day + when.offset * DAYS_PER[when.precision]
            precision = max(base.precision, when.precision, key=lambda p: DAYS_PER[p])
            return Placed(day, base.approximate or when.approximate, precision, self._date_for(day, precision))
        if when.age_years is not None and when.offset is None and when.date is None:
            return self._place_age(when)
        if when.offset is not None:
            return Placed(when.offset * DAYS_PER[when.precision], when.approximate, when.precision,
                          self._date_for(when.offset * DAYS_PER[when.precision], when.precision))
        if when.date is not None:
            try:
                d = parse_date(when.date)
            except ValueError:
                return None
            if self.case.index_event_id is None:
                return None
            idx = self._events.get(self.case.index_event_id)
            if idx is None:
                return None
            if idx.when.date is None:
                # the index event is placed only relatively: a date elsewhere cannot be related to it
                return None
            if self._index_date is None:
                return None
            precision = coarser(when.precision, date_precision(when.date))
            return Placed(float((d - self._index_date).days), when.approximate, precision,
                          d if precision == "day" else None)
        return None

    def _place_age(self, when: When) -> Placed | None:
        """'At age N' against the patient's age at presentation (the index event, or the first
        presentation event when the index is another event): year precision, approximate."""
        age = self.case.patient.age_years
        if age is None:
            return None
        base = 0.0
        pres = [e for e in self.case.events if e.kind == "presentation"]
        if pres and self.case.index_event_id not in {e.id for e in pres}:
            placed = self.place(pres[0].when)
            if placed is None:
                return None
            base = placed.day
        day = base + (when.age_years - age) * DAYS_PER["year"]
        return Placed(day, True, "year", None)

    def _date_for(self, day: float, precision: str) -> dt.date | None:
        if self._index_date is None or precision != "day":
            return None
        return self._index_date + dt.timedelta(days=round(day))

    def _place_event(self, event_id: str, seen: frozenset[str], via: When) -> Placed | None:
        ev = self._events.get(event_id)
        if ev is None:
            return None
        if event_id == self.case.index_event_id:
            base = Placed(0.0, ev.when.approximate, ev.when.precision, self._index_date)  # day 0 by definition
        else:
            base = self.place(ev.when, seen)
        if base is None:
            return None
        return Placed(base.day, base.approximate or via.approximate, base.precision, base.date)

    def event_day(self, event_id: str) -> Placed | None:
        return self.place(When(event_id=event_id))


def slack(p: Placed) -> float:
    """How many days a time may be off, given its precision and approximate mark."""
    half = DAYS_PER[p.precision] / 2
    return (0.0 if p.precision == "day" else half) + (max(3.0, half) if p.approximate else 0.0)


def describe(placed: Placed | None, *, identified: bool = False) -> str:
    """Human wording of a placed time relative to day 0, e.g. 'day −60, approximate'."""
    if placed is None:
        return "time not recorded"
    if identified and placed.date is not None:
        text = placed.date.isoformat()
    else:
        day = round(placed.day)
        sign = "−" if day < 0 else ""
        text = f"day {sign}{abs(day)}"
        if placed.precision == "week":
            text += f" (week {sign}{abs(round(placed.day / 7))})"
        elif placed.precision == "month":
            text += f" (month {sign}{abs(round(placed.day / DAYS_PER['month']))})"
        elif placed.precision == "year":
            text += f" (year {sign}{abs(round(placed.day / DAYS_PER['year']))})"
    if placed.approximate:
        text += ", approximate"
    return text


def say_offset(when: When) -> str:
    """The source's relative wording: '2 months before day 0'."""
    if when.offset is None:
        return ""
    n = abs(when.offset)
    n_text = f"{n:g}"
    unit = when.precision + ("" if n == 1 else "s")
    if when.offset == 0:
        return "day 0"
    rel = "before" if when.offset < 0 else "after"
    return f"{'about ' if when.approximate else ''}{n_text} {unit} {rel} day 0"
