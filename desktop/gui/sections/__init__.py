"""The sections an open case is shown in, in navigation order, and how they are loaded.

Each section is a module ``desktop.gui.sections.<key>`` with a class ``<Name>Section(QWidget)`` taking
``(session, parent=None)``, refreshing on ``session.changed`` and offering ``focus_ref(ref) -> bool``.
Modules are imported by name only when a section is first shown, so start-up stays fast and a section
that is missing or broken shows a plain page instead of taking the window down.
"""
from __future__ import annotations

import importlib
import sys
import traceback
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class SectionSpec(NamedTuple):
    key: str  # module name under desktop/gui/sections/
    label: str  # navigation label
    class_name: str


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("patient", "Patient", "PatientSection"),
    SectionSpec("timeline", "Timeline", "TimelineSection"),
    SectionSpec("lesions", "Lesions", "LesionsSection"),
    SectionSpec("labs", "Labs", "LabsSection"),
    SectionSpec("imaging", "Imaging & biopsy", "ImagingSection"),
    SectionSpec("treatments", "Treatments", "TreatmentsSection"),
    SectionSpec("outcome", "Outcome", "OutcomeSection"),
    SectionSpec("manuscript", "Manuscript", "ManuscriptSection"),
    SectionSpec("figures", "Figures", "FiguresSection"),
    SectionSpec("report", "Report", "ReportSection"),
)
BY_KEY = {s.key: s for s in SECTIONS}

# Where an assessment evidence ref (or a PHI hit's field) most likely lives; the window tries the
# other sections too when the first choice does not handle the ref.
_REF_HOMES = {
    "patient": "patient", "medications": "patient", "identifiers": "patient", "comorbidities": "patient",
    "events": "timeline", "vitals": "timeline", "index_event_id": "timeline",
    "lesions": "lesions", "observations": "lesions",
    "labs": "labs",
    "imaging": "imaging", "biopsies": "imaging", "diagnosis": "imaging",
    "treatments": "treatments",
    "outcome": "outcome",
    "manuscript": "manuscript", "title": "manuscript", "short_title": "manuscript",
    "keywords": "manuscript", "authors": "manuscript", "consent": "manuscript", "case": "manuscript",
    "figures": "figures", "references": "manuscript",
}


def section_for_ref(ref: str) -> str | None:
    """The section key for a ref such as ``labs/ab12``, ``patient.sex`` or ``manuscript.discussion``."""
    head = ref.replace("$.", "").split("/", 1)[0].split(".", 1)[0].split("[", 1)[0].strip()
    return _REF_HOMES.get(head)


class UnavailablePage(QWidget):
    """Shown in place of a section whose module is not there (yet) or failed to load."""

    def __init__(self, label: str, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 24, 24, 24)
        title = QLabel(f"<h3>{label}</h3>")
        text = QLabel(reason)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setAccessibleName(f"{label} is not available")
        lay.addWidget(title)
        lay.addWidget(text)
        lay.addStretch(1)
        self.reason = reason

    def focus_ref(self, ref: str) -> bool:
        return False


def build_section(key: str, session, parent: QWidget | None = None, *, spec: SectionSpec | None = None,
                  progressive: bool = False) -> QWidget:
    """The section's widget for this session, or an :class:`UnavailablePage` saying why not.
    ``progressive``: a section that can (``PROGRESSIVE = True``) builds what is in sight first and the
    rest right after its first paint (start-up)."""
    spec = spec or BY_KEY[key]
    module_name = f"{__name__}.{spec.key}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return UnavailablePage(spec.label, f"The {spec.label} section is not available in this "
                                   "version of Casebook.", parent)
        return _failed(spec, exc, parent)
    except Exception as exc:  # a section's bug must not take the window down
        return _failed(spec, exc, parent)
    cls = getattr(module, spec.class_name, None)
    if cls is None:
        return UnavailablePage(spec.label, f"The {spec.label} section is not available in this "
                               "version of Casebook.", parent)
    try:
        if progressive and getattr(cls, "PROGRESSIVE", False):
            return cls(session, parent, progressive=True)
        return cls(session, parent)
    except Exception as exc:
        return _failed(spec, exc, parent)


def _failed(spec: SectionSpec, exc: BaseException, parent: QWidget | None) -> QWidget:
    traceback.print_exc(file=sys.stderr)
    return UnavailablePage(spec.label, f"The {spec.label} section could not be shown "
                           f"({type(exc).__name__}: {exc}). Your data is safe; the other sections "
                           "work as usual.", parent)
