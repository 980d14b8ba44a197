"""Which strings of a case the PHI scan reads: a walk over the model's dataclasses by their type hints.

Every ``str`` and ``list[str]`` field is found without anyone listing it (:func:`text_fields`), each
with its JSON path and its owner so that it can be rewritten (:class:`TextField`); a value whose
shape proves it structured is passed over (:func:`field_role`, :func:`is_structured`), except by
:func:`string_fields`, which de-identification rewrites ids with. Also every
:class:`~desktop.model.When` in a case (:func:`iter_whens`) and the dates a case records
(:func:`recorded_dates`). Part of the scan described in :mod:`desktop.privacy.phi`.
"""
from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, get_args, get_origin

from ..codec import fields_of, hints
from ..model import Author, Case, Identifiers, When

# Every str value of the case is visited (found by walking the dataclasses, so a field added later
# is scanned without anyone listing it): free text, units, catalogue codes, ids, captions, file names.
# A few fields hold values whose *shape* proves them structured; only a value of that shape is passed
# over, and anything else written there is scanned like prose:
#   ids (``id``, ``*_id``, ``*_ids``): the opaque ids Casebook makes (hex, see model.new_id) or UUIDs;
#     de-identification replaces every id by one derived per export anyway;
#   ISO date fields (``date``, ``date_of_birth``): a YYYY-MM-DD date, or the month (YYYY-MM) or year
#     (YYYY) a source gives alone (When.date), turned into an offset on export;
#   ``sha256``: 64 hex digits, recomputed from the stripped image on export.
_ID_VALUE = re.compile(r"[0-9a-f]{8,32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ISO_VALUE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_HASH_VALUE = re.compile(r"[0-9a-f]{64}")
_DATE_FIELDS = frozenset({"date", "date_of_birth"})
# Citations: names, years, DOIs and URLs of publications are expected there.
_CITATION = frozenset({"references", "source"})
# Whole parts that hold identifiers legitimately: the patient's (dropped on export) and the authors'.
_SKIP_TYPES: tuple[type, ...] = (Identifiers, Author)


def field_role(name: str) -> str:
    """How the walk treats a str field by its name: "id", "date", "hash" or "text"."""
    if name == "id" or name.endswith(("_id", "_ids")):
        return "id"
    if name in _DATE_FIELDS:
        return "date"
    if name == "sha256":
        return "hash"
    return "text"


def is_structured(role: str, value: str) -> bool:
    """Whether ``value`` in a field of ``role`` has the shape that proves it is not free text."""
    if role == "id":
        return _ID_VALUE.fullmatch(value) is not None
    if role == "date":
        return _ISO_VALUE.fullmatch(value) is not None and _iso_tuple(value) is not None
    if role == "hash":
        return _HASH_VALUE.fullmatch(value) is not None
    return False


@dataclass
class TextField:
    """One string value somewhere in a case, with where it lives so it can be rewritten."""
    path: str
    text: str
    citation: bool
    owner: Any
    attr: str
    index: int | None = None
    role: str = "text"  # see field_role

    def set(self, value: str) -> None:
        if self.index is None:
            setattr(self.owner, self.attr, value)
        else:
            getattr(self.owner, self.attr)[self.index] = value


def _is_text_type(tp: Any) -> str | None:
    """'str' for str / str | None, 'list' for list[str], else None."""
    if tp is str:
        return "str"
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if args == [str]:
            return "str"
    if origin is list and get_args(tp) == (str,):
        return "list"
    return None


def _may_hold_dataclass(tp: Any) -> bool:
    """Whether a field of type ``tp`` can hold a dataclass the walks look into: directly, in a list
    or as an option (dicts and tuples are never walked)."""
    origin = get_origin(tp)
    if origin in (list, typing.Union, types.UnionType):
        return any(_may_hold_dataclass(a) for a in get_args(tp))
    if origin is not None:  # dict[...], tuple[...], Literal[...]
        return False
    if isinstance(tp, type):
        return dataclasses.is_dataclass(tp)
    return True  # Any, or a hint the walk cannot read: look at the value


@lru_cache(maxsize=None)
def _text_plan(cls: type) -> tuple[tuple[str, str, bool, str], ...]:
    """The fields of ``cls`` the text walk visits: (name, "str" | "list" | "nested", is a citation,
    role). Worked out once per class from the type hints; numbers and flags are never visited."""
    h = hints(cls)
    plan = []
    for f in fields_of(cls):
        name = f.name
        kind = _is_text_type(h[name])
        if kind is None:
            if not _may_hold_dataclass(h[name]):
                continue
            kind = "nested"
        plan.append((name, kind, name in _CITATION, field_role(name)))
    return tuple(plan)


def _walk_text(obj: Any, path: str, citation: bool, out: list[TextField], everything: bool = False) -> None:
    if not dataclasses.is_dataclass(obj) or isinstance(obj, _SKIP_TYPES):
        return
    for name, kind, cit_field, role in _text_plan(type(obj)):
        value = getattr(obj, name)
        if not value:
            continue
        cit = citation or cit_field
        if kind == "str":
            if isinstance(value, str) and (everything or not is_structured(role, value)):
                out.append(TextField(f"{path}.{name}", value, cit, obj, name, None, role))
        elif kind == "list":
            for i, item in enumerate(value):
                if isinstance(item, str) and item and (everything or not is_structured(role, item)):
                    out.append(TextField(f"{path}.{name}[{i}]", item, cit, obj, name, i, role))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                _walk_text(item, f"{path}.{name}[{i}]", cit, out, everything)
        else:
            _walk_text(value, f"{path}.{name}", cit, out, everything)


def string_fields(obj: Any, path: str = "$") -> list[TextField]:
    """Every non-empty string in ``obj`` (the identifiers and authors parts aside), structured values
    included: what de-identification rewrites ids in."""
    out: list[TextField] = []
    _walk_text(obj, path, False, out, True)
    return out


def text_fields(obj: Any, path: str = "$", citation: bool = False) -> Iterator[TextField]:
    """Every string value in ``obj`` (a case or any part of one), walked generically, except values
    whose shape proves them structured (see :func:`is_structured`)."""
    out: list[TextField] = []
    _walk_text(obj, path, citation, out)
    return iter(out)


@lru_cache(maxsize=None)
def _when_plan(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` that can hold a :class:`When`, directly or further down."""
    h = hints(cls)
    return tuple(f.name for f in fields_of(cls) if _may_hold_dataclass(h[f.name]))


def _walk_whens(obj: Any, out: list[When]) -> None:
    if isinstance(obj, When):
        out.append(obj)
    elif isinstance(obj, list):
        for item in obj:
            _walk_whens(item, out)
    elif dataclasses.is_dataclass(obj):
        for name in _when_plan(type(obj)):
            value = getattr(obj, name)
            if value is not None:
                _walk_whens(value, out)


def iter_whens(obj: Any) -> Iterator[When]:
    """Every :class:`When` anywhere in ``obj``."""
    out: list[When] = []
    _walk_whens(obj, out)
    return iter(out)


def recorded_dates(case: Case) -> list[str]:
    """Every ISO date recorded in the case: all When dates, the birth date and the consent date."""
    out = [w.date for w in iter_whens(case) if w.date]
    if case.identifiers.date_of_birth:
        out.append(case.identifiers.date_of_birth)
    if case.consent.date:
        out.append(case.consent.date)
    return sorted(set(out))


def _iso_tuple(iso: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a date written YYYY-MM-DD, YYYY-MM or YYYY (the month and day of the
    shorter forms are 1), or None when it is not a calendar date."""
    try:
        y, m, d = ([int(x) for x in iso.split("-")] + [1, 1])[:3]
    except ValueError:
        return None
    return (y, m, d) if 1 <= m <= 12 and 1 <= d <= 31 else None


def phi_fields(case: Case) -> list[TextField]:
    """The fields :func:`scan_case` reads, in the order it reads them."""
    return list(text_fields(case))
