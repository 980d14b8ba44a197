"""Dataclass <-> plain JSON values, driven by the model's type hints.

One walker serves three needs so they cannot drift apart: ``to_plain`` (export and storage),
``from_plain`` (import, collecting *every* problem with its JSON path) and ``json_schema`` (the
published schema in resources/schema/).
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin


class Problem(typing.NamedTuple):
    path: str  # JSON path, e.g. "$.labs[3].unit"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class UnknownField(ValueError):
    """A stored row holds a key the model does not know: data that would be lost on the next save."""

    def __init__(self, cls: type, keys: list[str]):
        self.cls, self.keys = cls, keys
        super().__init__(f"a stored {cls.__name__} has field{'s' if len(keys) > 1 else ''} "
                         f"{', '.join(map(repr, keys))} that this Casebook does not know")


class InvalidCase(ValueError):
    """Raised with every problem found; nothing is imported when it is raised."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@cache
def hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=False)


@cache
def fields_of(cls: type) -> tuple[dataclasses.Field, ...]:
    return dataclasses.fields(cls)


def _optional_inner(tp: Any) -> tuple[bool, Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return True, args[0]
    return False, tp


# --- to plain --------------------------------------------------------------------------------

def to_plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        floats = _float_fields(type(obj))
        out = {}
        for f in fields_of(type(obj)):
            v = getattr(obj, f.name)
            # a float field always serialises as a float, so 2 and 2.0 give the same bytes
            out[f.name] = float(v) if f.name in floats and isinstance(v, int) and not isinstance(v, bool) else to_plain(v)
        return out
    if isinstance(obj, list):
        return [to_plain(v) for v in obj]
    if isinstance(obj, bytes):
        return base64.b64encode(obj).decode("ascii")
    return obj


@cache
def _float_fields(cls: type) -> frozenset[str]:
    return frozenset(name for name, tp in hints(cls).items() if _optional_inner(tp)[1] is float)


# --- from plain ------------------------------------------------------------------------------

def from_plain(cls: type, data: Any, path: str = "$", problems: list[Problem] | None = None):
    """Build ``cls`` from JSON values. Problems are appended to ``problems``; when it is None the
    first problem raises :class:`InvalidCase` immediately."""
    own = problems is None
    problems = [] if own else problems
    value = _convert(cls, data, path, problems)
    if own and problems:
        raise InvalidCase(problems)
    return value


def _convert(tp: Any, data: Any, path: str, problems: list[Problem]) -> Any:
    optional, inner = _optional_inner(tp)
    if data is None:
        if optional:
            return None
        problems.append(Problem(path, "must not be null"))
        return None
    tp = inner
    origin = get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            problems.append(Problem(path, f"must be an object, got {_kind(data)}"))
            return tp()
        known = {f.name for f in fields_of(tp)}
        for key in data:
            if key not in known:
                problems.append(Problem(f"{path}.{key}", "is not a known field"))
        kwargs = {}
        h = hints(tp)
        for f in fields_of(tp):
            if f.name in data:
                kwargs[f.name] = _convert(h[f.name], data[f.name], f"{path}.{f.name}", problems)
        try:
            return tp(**kwargs)
        except TypeError as exc:  # pragma: no cover - defensive
            problems.append(Problem(path, str(exc)))
            return tp()
    if origin is list:
        (item,) = get_args(tp)
        if not isinstance(data, list):
            problems.append(Problem(path, f"must be a list, got {_kind(data)}"))
            return []
        return [_convert(item, v, f"{path}[{i}]", problems) for i, v in enumerate(data)]
    if origin is Literal:
        choices = get_args(tp)
        if data not in choices:
            problems.append(Problem(path, f"must be one of {', '.join(map(str, choices))}; got {data!r}"))
            return choices[0]
        return data
    if tp is bool:
        if not isinstance(data, bool):
            problems.append(Problem(path, f"must be true or false, got {_kind(data)}"))
            return False
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            if isinstance(data, float) and data.is_integer():
                return int(data)
            problems.append(Problem(path, f"must be a whole number, got {_kind(data)}"))
            return 0
        return data
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            problems.append(Problem(path, f"must be a number, got {_kind(data)}"))
            return 0.0
        try:
            value = float(data)
        except OverflowError:
            problems.append(Problem(path, "is too large a number"))
            return 0.0
        if not math.isfinite(value):
            problems.append(Problem(path, "must be a finite number"))
            return 0.0
        return value
    if tp is str:
        if not isinstance(data, str):
            problems.append(Problem(path, f"must be text, got {_kind(data)}"))
            return ""
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a JSON escape such as "\ud800"
            problems.append(Problem(path, "contains a lone surrogate, which is not text"))
            return ""
        return data
    if tp is bytes:
        if not isinstance(data, str):
            problems.append(Problem(path, f"must be base64 text, got {_kind(data)}"))
            return b""
        try:
            return base64.b64decode(data.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            problems.append(Problem(path, "is not valid base64"))
            return b""
    raise TypeError(f"codec cannot handle {tp!r}")  # a model change the codec does not know


def _kind(data: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "null"}.get(type(data), type(data).__name__)


# --- JSON Schema -------------------------------------------------------------------------------

def json_schema(root: type, *, title: str, schema_id: str, extra_top: dict | None = None) -> dict:
    defs: dict[str, dict] = {}
    top = _schema(root, defs)
    top_def = defs.pop(root.__name__)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **top_def,
    }
    if extra_top:
        schema["properties"] = {**extra_top, **schema["properties"]}
        schema["required"] = list(extra_top) + schema.get("required", [])
    schema["$defs"] = dict(sorted(defs.items()))
    del top
    return schema


def _schema(tp: Any, defs: dict[str, dict]) -> dict:
    optional, inner = _optional_inner(tp)
    if optional:
        return {"anyOf": [_schema(inner, defs), {"type": "null"}]}
    origin = get_origin(tp)
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # reserve against recursion
            h = hints(tp)
            props = {}
            for f in fields_of(tp):
                props[f.name] = _schema(h[f.name], defs)
            doc = (tp.__doc__ or "").strip()
            entry = {"type": "object", "additionalProperties": False, "properties": props}
            if doc and not doc.startswith(name + "("):
                entry = {"description": " ".join(doc.split()), **entry}
            defs[name] = entry
        return {"$ref": f"#/$defs/{name}"}
    if origin is list:
        (item,) = get_args(tp)
        return {"type": "array", "items": _schema(item, defs)}
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if tp is bytes:
        return {"type": "string", "contentEncoding": "base64"}
    raise TypeError(f"no schema for {tp!r}")


# --- compact storage and the trusted fast path -----------------------------------------------------

def to_compact(obj: Any) -> Any:
    """Like :func:`to_plain`, but fields at their default value are left out. The store keeps rows
    this way: a third of the bytes to parse when a case opens."""
    if dataclasses.is_dataclass(obj):
        defaults = _plain_defaults(type(obj))
        floats = _float_fields(type(obj))
        out = {}
        for f in fields_of(type(obj)):
            v = getattr(obj, f.name)
            if f.name in floats and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            pv = to_compact(v)
            if f.name not in defaults or pv != defaults[f.name]:
                out[f.name] = pv
        return out
    if isinstance(obj, list):
        return [to_compact(v) for v in obj]
    return to_plain(obj)


@cache
def _plain_defaults(cls: type) -> dict[str, Any]:
    """Each field's default in compact plain form (a nested dataclass's default is ``{}``)."""
    out = {}
    for f in fields_of(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = to_plain(f.default)
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            out[f.name] = to_compact(f.default_factory())  # type: ignore[misc]
    return out


def from_trusted(cls: type, data: dict) -> Any:
    """Build ``cls`` from compact or full JSON values that our own store wrote (validated on the
    way in). Skips the checks of :func:`from_plain`; many times faster, which keeps opening a case
    quick."""
    return _builder(cls)(data)


@cache
def _builder(cls: type):
    """A constructor for one class that adopts a dict as the instance's attributes.

    Immutable defaults come from a template dict; mutable ones (lists, nested objects) are made
    fresh for each instance; nested values present in the row are converted. A key the model does
    not know raises :class:`UnknownField` naming it: silently dropping it would lose that data on
    the next save (a renamed field comes with a document upgrade step, desktop/upgrade.py)."""
    h = hints(cls)
    keys = frozenset(f.name for f in fields_of(cls))
    template: dict[str, Any] = {}
    fresh: list[tuple[str, Any]] = []
    nested: list[tuple[str, Any]] = []
    for f in fields_of(cls):
        _, inner = _optional_inner(h[f.name])
        origin = get_origin(inner)
        if f.default is not dataclasses.MISSING:
            template[f.name] = f.default
        else:
            fresh.append((f.name, f.default_factory))  # type: ignore[misc]
        if dataclasses.is_dataclass(inner):
            nested.append((f.name, _nested(inner)))
        elif origin is list and dataclasses.is_dataclass(get_args(inner)[0]):
            nested.append((f.name, _nested_list(get_args(inner)[0])))
        elif inner is bytes:
            nested.append((f.name, base64.b64decode))
    new = object.__new__

    def build(data: dict):
        if not data.keys() <= keys:
            raise UnknownField(cls, sorted(k for k in data if k not in keys))
        d = template.copy()
        d.update(data)
        for name, conv in nested:
            if name in data:
                v = data[name]
                if v is not None:
                    d[name] = conv(v)
        for name, factory in fresh:
            if name not in data:
                d[name] = factory()
        obj = new(cls)
        obj.__dict__ = d
        return obj
    return build


def _nested(cls: type):
    b = _builder(cls)
    return lambda v: b(v)


def _nested_list(cls: type):
    b = _builder(cls)
    return lambda vs: [b(v) for v in vs]
