"""Redaction: the placeholder each class of hit becomes, and a copy of a case with every hit replaced.

``redact_case`` replaces exactly what the scan (:mod:`desktop.privacy.phi`) found, where it found it,
on word boundaries; ``redact_text`` does it for one text. De-identification on export
(:mod:`desktop.privacy.deidentify`) is a separate step with its own rules.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..model import Case
from .fields import phi_fields

if TYPE_CHECKING:
    from .phi import PhiHit

# The placeholder each kind of hit is replaced by in a redacted copy (HIPAA Safe Harbor classes).
PLACEHOLDERS: dict[str, str] = {
    "name": "[name]", "record_number": "[record number]", "date": "[date]", "phone": "[phone]",
    "fax": "[fax]", "email": "[email]", "url": "[url]", "ip": "[ip]", "ssn": "[ssn]",
    "digits": "[number]", "zip": "[place]", "address": "[place]", "place": "[place]",
    "age": "[age over 89]", "device": "[device id]", "licence": "[licence]", "vehicle": "[vehicle]",
    "photo": "[identifying image]", "other": "[identifier]",
}


def placeholder(kind: str) -> str:
    return PLACEHOLDERS.get(kind, "[identifier]")


def _word_bounds(text: str, s: int, e: int) -> tuple[int, int]:
    """Widen a span that cuts a word so no letter of the word is left beside the placeholder."""
    while s > 0 and text[s - 1].isalnum() and text[s].isalnum():
        s -= 1
    while e < len(text) and text[e].isalnum() and text[e - 1].isalnum():
        e += 1
    return s, e


def redact_text(text: str, spans: Iterable[tuple[str, int, int]]) -> str:
    """``text`` with each ``(kind, start, end)`` span replaced by its placeholder, on word boundaries;
    overlapping spans become one placeholder (the first span's kind)."""
    merged: list[list] = []
    for kind, s, e in sorted(spans, key=lambda t: (t[1], -t[2])):
        s, e = _word_bounds(text, s, e)
        if merged and s < merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], e)
        else:
            merged.append([kind, s, e])
    parts, pos = [], 0
    for kind, s, e in merged:
        parts += [text[pos:s], placeholder(kind)]
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def redact_case(case: Case, hits: Iterable[PhiHit]) -> Case:
    """A copy of ``case`` in which each hit is replaced by its class in brackets (``[name]``,
    ``[date]``, ``[place]``, ``[phone]``...), exactly where the scan found it and nowhere else: an
    ordinary word that is also a relative's name stays wherever the scan did not flag it. The input
    is never changed (the library keeps the author's text). A hit whose field no longer holds its
    text at its offsets (the case changed since the scan) is looked for once more in that field."""
    import pickle
    out = pickle.loads(pickle.dumps(case, pickle.HIGHEST_PROTOCOL))
    by_field: dict[str, list[PhiHit]] = {}
    for h in hits:
        by_field.setdefault(h.field, []).append(h)
    if not by_field:
        return out
    for tf in phi_fields(out):
        found = by_field.get(tf.path)
        if not found:
            continue
        spans = []
        for h in found:
            if tf.text[h.start:h.end] == h.text:
                spans.append((h.kind, h.start, h.end))
            else:
                at = tf.text.find(h.text) if h.text else -1
                if at >= 0:
                    spans.append((h.kind, at, at + len(h.text)))
        if spans:
            tf.set(redact_text(tf.text, spans))
    return out
