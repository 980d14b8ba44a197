"""The one de-identification step every exporter goes through (HIPAA Safe Harbor, case-reports.md §2).

``deidentify(case)`` returns a new case in which:

- the identifiers part is empty (names, record numbers, birth date, address, contacts...);
- every calendar date (any :class:`When` anywhere, found by walking the model) becomes an offset from
  the index event, as case reports say it ("day 10"; a source's "2005" against a day 0 of "June 2015"
  about 10 years before, at the coarser of the two dates' precisions), keeping the approximate mark
  and the source's label; when the index event has no date, dates cannot be related to it and are
  dropped (the label stays). The consent date is dropped;
- an age over 89 becomes "90 or older" (``age_years`` None, ``age_over_89`` True);
- identifying images (a face, a tattoo...) are left out unless the consent covers images; the images
  that stay are re-encoded without metadata (:func:`desktop.privacy.images.strip_metadata`);
- every id (``id``, ``*_id``, ``*_ids`` anywhere, found by walking the model) becomes an opaque id
  derived per export from a random key, the same for the same stored id so references inside the
  case stay consistent (:func:`opaque_ids`); a stored id such as ``IMG_20210304_101112`` never leaves;
- as a last safety net, the case's own identifier values in any form the scan knows, and calendar
  dates, phone/fax numbers, e-mail and IP addresses and SSN-like numbers, are replaced by "[removed]"
  in every free-text field. The PHI scan (:mod:`desktop.privacy.phi`) is what authors rely on: this
  replacement cannot judge context, so authors fix the text before export.

Authors and their affiliations are not the patient's identifiers and stay. References and provenance
(``source``) stay untouched: they cite publications, whose author names may coincide with the
patient's.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import os
import pickle
import re

from ..model import Case, Identifiers
from ..timing import DAYS_PER, coarser, date_precision, parse_date
from . import phi
from .fields import iter_whens, recorded_dates, string_fields, text_fields
from .images import ImageError, clean_image
from .own_identifiers import Needles, needles_for

REMOVED = "[removed]"
# Generic hits replaced even when they are not the case's own values: unambiguous identifier forms.
_ALWAYS_REPLACE = frozenset({"date", "phone", "fax", "email", "ssn", "ip"})


def _date(text: str | None) -> dt.date | None:
    """A recorded date ("2015-06-14", "2015-06", "2015"), or None when it is not one."""
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


def _removed(text: str, spans) -> str:
    """``text`` with each (start, end) span replaced by the removal mark."""
    parts, pos = [], 0
    for s, e in spans:
        parts += [text[pos:s], REMOVED]
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def _redact(text: str, needles: Needles) -> str:
    spans = phi.redaction_spans(text, needles, _ALWAYS_REPLACE)
    return _removed(text, spans) if spans else text


def _redact_citation(text: str, needles: Needles) -> str:
    spans = [(s, e) for k, s, e, own in phi._scan(text, needles, citation=True)
             if own or k in ("email", "ip", "ssn")]
    return _removed(text, spans) if spans else text


def _shift_dates(case: Case) -> None:
    """Each date becomes an offset from day 0 at the precision the two dates share: a source's
    "2005" against a day 0 of "June 2015" is about 10 years before, not an unknown time (a month or
    a year stands for its middle, as on the timeline: :func:`desktop.timing.parse_date`)."""
    index = case.index_event
    index_date = _date(index.when.date) if index is not None else None
    index_prec = date_precision(index.when.date) if index_date is not None else "day"
    index_when = index.when if index is not None else None
    for w in iter_whens(case):
        if w.date is None:
            continue
        d, own = _date(w.date), date_precision(w.date)
        w.date = None
        w.event_id = None
        if w is index_when and index_date is not None:
            w.offset, w.precision = 0.0, "day"  # day 0 is day 0; the others carry its precision
        elif d is not None and index_date is not None:
            w.precision = coarser(own, index_prec)
            w.offset = (d - index_date).days / DAYS_PER[w.precision]  # the same day as on the timeline
        else:
            w.offset = None  # cannot be related to day 0: the time becomes unknown, the label stays
            w.precision = "day"


def opaque_ids(case: Case, key: bytes | None = None) -> dict[str, str]:
    """Give every id in ``case`` (changed in place) an opaque one: the first 12 hex digits of
    HMAC-SHA256(key, stored id), ``key`` random per export unless given. Returns stored id -> new id.
    Every field named ``id``, ``*_id`` or ``*_ids`` is an id, wherever it is in the model."""
    key = os.urandom(16) if key is None else key
    mapping: dict[str, str] = {}

    def new(old: str) -> str:
        if old not in mapping:
            mapping[old] = hmac.new(key, old.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:12]
        return mapping[old]

    if case.id:
        case.id = new(case.id)
    for tf in string_fields(case):
        if tf.role == "id":
            tf.set(new(tf.text))
    return mapping


def deidentify(case: Case, *, key: bytes | None = None, id_map: dict[str, str] | None = None) -> Case:
    """A de-identified deep copy of ``case``; the input is never changed.

    ``key`` derives the opaque ids (random per call unless given); ``id_map``, when given, receives
    stored id -> exported id, for a caller that must match its own data to the exported case."""
    # a deep copy; pickle makes it about four times faster than copy.deepcopy (the model is plain
    # dataclasses of str, numbers and lists, and nothing here comes from outside the program)
    out = pickle.loads(pickle.dumps(case, pickle.HIGHEST_PROTOCOL))

    # 0. ids: opaque, derived for this export
    mapping = opaque_ids(out, key)
    if id_map is not None:
        id_map.update(mapping)

    # 1. what to look for in free text, while the identifiers and the recorded dates are still known;
    # then the dates become offsets from the index event (before the text is scanned: a time's own
    # date field is text to the scan, and "2015-06" would be "[removed]" before it could be placed)
    needles = needles_for(out.identifiers, recorded_dates(out))
    _shift_dates(out)
    out.consent.date = None
    # 2. free text: citations keep their authors and years, but lose the case's own identifiers and
    # e-mail/IP/SSN forms
    for tf in list(text_fields(out)):
        if tf.role == "id":
            continue
        if tf.citation:
            new = _redact_citation(tf.text, needles)
            if new != tf.text:
                tf.set(new)
            continue
        new = _redact(tf.text, needles)
        if new != tf.text:
            tf.set(new)

    # 3. the identifiers themselves
    out.identifiers = Identifiers()

    # 4. ages over 89 are aggregated
    if out.patient.age_years is not None and out.patient.age_years > 89:
        out.patient.age_years = None
        out.patient.age_over_89 = True

    # 5. images: identifying ones only with image consent; every kept image without metadata
    kept = []
    for m in out.figures:
        if m.identifying and not out.consent.covers_images:
            continue
        if m.data is not None:
            try:
                data, mime, w, h = clean_image(m.data)
            except ImageError:
                # Unreadable bytes cannot be checked for metadata, so they never leave: the entry
                # stays (caption and links) without its picture.
                data, mime, w, h = None, m.mime, None, None
            m.data, m.mime, m.width_px, m.height_px = data, mime, w, h
            m.sha256 = hashlib.sha256(data).hexdigest() if data is not None else ""
        kept.append(m)
    dropped = {m.id for m in out.figures} - {m.id for m in kept}
    out.figures = kept
    if dropped:
        _drop_references(out, dropped)
    return out


def _drop_references(obj, ids: set[str]) -> None:
    """Nothing in today's model points at a figure, but a field named ``figure_id``/``figure_ids`` added
    later must not keep pointing at a dropped image."""
    if isinstance(obj, list):
        for item in obj:
            _drop_references(item, ids)
        return
    if not dataclasses.is_dataclass(obj):
        return
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name == "figure_id" and value in ids:
            setattr(obj, f.name, None)
        elif f.name == "figure_ids" and isinstance(value, list):
            setattr(obj, f.name, [v for v in value if v not in ids])
        elif isinstance(value, list) or dataclasses.is_dataclass(value):
            _drop_references(value, ids)


_ISO = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")


def is_deidentified(case: Case) -> bool:
    """True when the case carries no identifiers and no calendar dates anywhere: empty identifiers,
    no When with a date, no consent date, no age over 89, no identifying image without image consent,
    and no ISO date left in any free text."""
    if not case.identifiers.is_empty() or case.consent.date is not None:
        return False
    if any(w.date is not None for w in iter_whens(case)):
        return False
    if case.patient.age_years is not None and case.patient.age_years > 89:
        return False
    if any(m.identifying for m in case.figures) and not case.consent.covers_images:
        return False
    return not any(_ISO.search(tf.text) for tf in text_fields(case) if not tf.citation)
