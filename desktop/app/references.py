"""Importing a reference file into a case: one change set, one undo step.

``import_references(open_case, path)`` reads RIS, BibTeX, CSL-JSON or PubMed .nbib (what Zotero,
EndNote, Mendeley and PubMed export), merges duplicates — with the case's references and within the
file — and applies the result through :meth:`OpenCase.apply`. Nothing goes online.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..references.merge import plan_import
from ..references.parse import read_file
from ..store.changes import Change, PutItem
from .editing import OpenCase


@dataclass
class ImportReport:
    file: str
    read: int  # records in the file
    added: list[str] = field(default_factory=list)  # citation keys of the new references
    updated: list[str] = field(default_factory=list)  # keys of references filled in from a duplicate
    merged: int = 0  # records that were duplicates (of the case or of the file)
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        s = f"{self.file}: {self.read} record{'s' if self.read != 1 else ''} read, {len(self.added)} added"
        if self.merged:
            s += f", {self.merged} duplicate{'s' if self.merged != 1 else ''} merged"
        return s


def plan_reference_import(existing: list, path: str | Path, fmt: str | None = None) -> tuple[list[Change], ImportReport]:
    """Read ``path`` and work out what importing it into a case holding ``existing`` references
    changes: the change set (empty when nothing is new) and the report. Reads the file and nothing
    else, so a window can run it on a worker. Raises :class:`desktop.references.ParseError` (naming
    the line) for a file that cannot be read."""
    p = Path(path)
    parsed = read_file(p, fmt)
    plan = plan_import(existing, parsed, p.name)
    changes: list[Change] = [PutItem("references", r) for r in plan.update]
    changes += [PutItem("references", r) for r in plan.add]
    report = ImportReport(file=p.name, read=plan.read, added=[r.key for r in plan.add],
                          updated=[r.key for r in plan.update], merged=plan.merged, messages=plan.messages)
    return changes, report


def import_label(path: str | Path) -> str:
    """The undo step's name."""
    return f"Import references from {Path(path).name}"[:80]


def import_references(open_case: OpenCase, path: str | Path, fmt: str | None = None) -> ImportReport:
    """Read ``path`` and add its references to the open case (one undo step). Raises
    :class:`desktop.references.ParseError` (naming the line) for a file that cannot be read; then
    nothing is changed."""
    changes, report = plan_reference_import(open_case.case.references, path, fmt)
    if changes:
        open_case.apply(changes, import_label(path))
    return report
