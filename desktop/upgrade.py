"""Versions of the case document and the steps that upgrade an older one.

A case document is the whole case as plain JSON values (the body of a case file, or the rows the
store keeps for one case, joined). It carries a version, ``DOC_VERSION`` today. When the model
changes (a field renamed, a value split in two), ``DOC_VERSION`` goes up by one and a step is added
here that turns a document of the old version into one of the new. The same step serves case files
(``jsonio.loads``) and stored cases (the store runs it in the schema migration that comes with it,
in the same transaction), so nothing a user recorded is lost to a model change.

A step takes and returns a plain dict; it may see compact documents (fields at their default left
out), so it must treat a missing key as the field's default. Never edit a released step; add one.
"""
from __future__ import annotations

from typing import Any, Callable

Document = dict[str, Any]


# --- the steps: UPGRADES[n - 1] brings a document from version n to n + 1 ---------------------------

# Top-level keys a step renamed, by the version it brought (for telling the author where a problem
# is in the file as they wrote it).
RENAMED: dict[int, dict[str, str]] = {2: {"media": "figures", "narrative": "manuscript"}}


def _v2_one_name_for_one_idea(doc: Document) -> Document:
    """Version 2: one name for one idea across schema, model, JSON, window and report. The images of
    a case are its figures ("media" → "figures", as the window's section and the report call them)
    and the authored text is the manuscript ("narrative" → "manuscript", as the window's section
    calls it). Nothing else changes."""
    return {RENAMED[2].get(key, key): value for key, value in doc.items()}


def _v3_biopsy_result_may_be_unrecorded(doc: Document) -> Document:
    """Version 3: a biopsy's result may be "not recorded" (None), which is what a new biopsy starts
    with; until now it started as "not done", so a biopsy entered before its result was known was
    reported as not done. A version-2 biopsy without a result (left out as the default) was "not
    done" and stays so: what was stored is kept, not reinterpreted. (Version 3 also lets a lab result
    keep the decimals it was printed with, ``decimals``; a version-2 result has none, which reads as
    before.)"""
    biopsies = doc.get("biopsies")
    if not biopsies:
        return doc
    return {**doc, "biopsies": [b if "result" in b else {**b, "result": "not_done"} for b in biopsies]}


def _v4_recorded_negatives(doc: Document) -> Document:
    """Version 4: a medicine may be recorded as not taken (``not_taken``: "not on warfarin"), and a
    diagnosis may be made with its basis not stated (``basis`` "not_stated"). A version-3 document
    has neither, and reads as it did; nothing changes. The version goes up so that an older Casebook
    given a document that uses them says it was written by a newer one, rather than naming a key it
    does not know."""
    return doc


def _v5_absent_comorbidities(doc: Document) -> Document:
    """Version 5: a comorbidity may be recorded as absent (``absent``: "non-diabetic", "normal
    parathyroid function"). A version-4 document has none and reads as it did; nothing changes (the
    version goes up for the reason version 4 gives)."""
    return doc


def _v6_recurrence_events(doc: Document) -> Document:
    """Version 6: an event may be a recurrence (``kind`` "recurrence": a relapse or exacerbation of the
    calciphylaxis, which version 5 could only call a complication). A version-5 document has none and
    reads as it did; nothing changes (the version goes up for the reason version 4 gives)."""
    return doc


def _v7_kidney_disease_cause(doc: Document) -> Document:
    """Version 7: the patient's kidney disease may have its cause recorded (``kidney_disease_cause``:
    "membranous and crescentic glomerulonephritis"), which published cases give and version 6 could
    only put among the comorbidities or the history. A version-6 document has none and reads as it
    did; nothing changes (the version goes up for the reason version 4 gives)."""
    return doc


def _v8_results_not_listed(doc: Document) -> Document:
    """Version 8: a laboratory result the analyte catalogue does not list is recorded under the name the
    source prints (analyte "other" with ``name``: "neutrophil-to-lymphocyte ratio"), where version 7
    could only leave it out. A version-7 document has none and reads as it did; nothing changes."""
    return doc


UPGRADES: list[Callable[[Document], Document]] = [_v2_one_name_for_one_idea, _v3_biopsy_result_may_be_unrecorded,
                                                  _v4_recorded_negatives, _v5_absent_comorbidities,
                                                  _v6_recurrence_events, _v7_kidney_disease_cause,
                                                  _v8_results_not_listed]

DOC_VERSION = 1 + len(UPGRADES)

# The steps that change no document (a field or a choice added that older documents do not use): a
# document of the version before reads, unchanged, as one of the version after.
_UNCHANGED = (_v4_recorded_negatives, _v5_absent_comorbidities, _v6_recurrence_events, _v7_kidney_disease_cause,
              _v8_results_not_listed)


def changes_document(version: int) -> bool:
    """Whether bringing a document of ``version`` up to :data:`DOC_VERSION` changes anything in it:
    False when every step on the way changes no document, so a stored one only needs its version
    set (a library of thousands of cases is not rewritten for a field it does not use yet)."""
    return any(step not in _UNCHANGED for step in UPGRADES[version - 1:])


class TooNew(ValueError):
    pass


def path_in_version(path: str, version: int) -> str:
    """A JSON path of today's document (``$.figures[0].data``) as it reads in a document of
    ``version`` (``$.media[0].data``): problems are reported where the author will find them."""
    import re
    for v in sorted(RENAMED, reverse=True):
        if v > version:
            for old, new in RENAMED[v].items():
                path = re.sub(rf"^\$\.{new}(?=$|[.\[])", f"$.{old}", path)
    return path


def upgrade(doc: Document, version: int) -> Document:
    """``doc`` (of ``version``) brought to :data:`DOC_VERSION`. A version newer than this Casebook
    knows raises :class:`TooNew`."""
    if version > DOC_VERSION:
        raise TooNew(f"version {version} was written by a newer Casebook; this one reads up to {DOC_VERSION}")
    if version < 1:
        raise ValueError(f"there is no case document version {version}")
    for step in UPGRADES[version - 1:]:
        doc = step(doc)
    return doc
