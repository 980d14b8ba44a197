"""The audit trail: one entry of it, who made an edit, and the field-level differences it records."""
from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from typing import Any

from ..codec import from_trusted, to_plain


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who changed which field of which case, when, from what to what."""
    seq: int
    at: str
    os_user: str
    case_id: str
    entity: str
    entity_id: str
    field: str
    old: str | None
    new: str | None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. a service account without passwd entry)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    """Leaf paths of a plain value, so the audit records field-level changes. Lists of objects with
    ids are keyed by id ("observations[ab12].length_mm"), other lists are one value."""
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else k, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        for v in value:
            _flatten(v, f"{prefix}[{v['id']}]", out)
    else:
        out[prefix] = value


def _full(cls: type, stored: str) -> dict:
    """A stored (compact) row in full plain form, for field-level audit diffs."""
    return to_plain(from_trusted(cls, json.loads(stored)))


def diff(old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    _flatten(old, "", a)
    _flatten(new, "", b)
    return [(k, a.get(k), b.get(k)) for k in list(a) + [k for k in b if k not in a] if a.get(k) != b.get(k)]
