"""Fields bound to the case: an edit checked with the import's checks (:func:`check_edit`), one field
saved through the session (:func:`commit_field`), a model value shown in any field
(:func:`load_widget`), a form of fields bound to single parts of the case (:class:`PartForm`), and
editors made late following the library's read-only state."""
from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any, Callable, Iterable

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDoubleSpinBox, QFormLayout, QLineEdit, QPlainTextEdit, QPushButton, QWidget,
)

from .. import jsonio
from ..app.editing import problems_at
from ..model import Case
from .fields import CheckField, ChoiceCombo, DoseRow, FrequencyField, LineField, LinesArea, NumberField, TextArea
from .forms import FieldError, add_row, mark_invalid
from .when_editor import WhenEditor


# --- validation with the import's checks ---------------------------------------------------------

def check_edit(case: Case, apply: Callable[[Case], None], *paths: str) -> list[str]:
    """Run the import's meaning checks of just the parts named by ``paths`` (JSON paths such as
    "$.patient.weight_kg", "$.labs[3].when") on a trial of ``case`` with ``apply`` done to it, and
    return the messages of problems at (or under) those paths. Single parts are copied; lists are
    copied but not their items (``apply`` replaces an item, never changes one in place), so the
    trial costs the size of the lists, not of the case. The case itself is not touched."""
    trial = copy.copy(case)
    for f in dataclasses.fields(Case):
        v = getattr(case, f.name)
        setattr(trial, f.name, list(v) if isinstance(v, list) else copy.deepcopy(v))
    apply(trial)
    out = []
    for path in paths:
        m = re.match(r"^\$\.(\w+)(?:\[(\d+)\])?", path)
        if m is None:
            continue
        part, index = m.group(1), m.group(2)
        if part in Case.__dataclass_fields__ and part not in jsonio.LIST_PART_NAMES and \
                part not in ("patient", "diagnosis", "outcome", "consent", "identifiers"):
            part = "case"
        items = getattr(trial, part, None) if part != "case" else None
        item_id = items[int(index)].id if index is not None and items is not None and int(index) < len(items) else None
        for p in problems_at(jsonio.check_part(trial, part, item_id), [path]):
            if p.message not in out:
                out.append(p.message)
    return out


def item_path(case: Case, part: str, item_id: str) -> str:
    """The JSON path of a list item by id, as check_case names it: '$.events[3]'."""
    items = getattr(case, part)
    n = next((i for i, it in enumerate(items) if it.id == item_id), len(items))
    return f"$.{part}[{n}]"



# --- saving one field through the session ------------------------------------------------------------

def get_attr(obj: Any, attr: str | tuple[str, ...]) -> Any:
    """``obj.attr`` (dotted allowed); for a tuple of attributes, the tuple of their values."""
    if isinstance(attr, tuple):
        return tuple(get_attr(obj, a) for a in attr)
    for p in attr.split("."):
        obj = getattr(obj, p)
    return obj


def set_attr(obj: Any, attr: str, value: Any) -> None:
    *path, last = attr.split(".")
    for p in path:
        obj = getattr(obj, p)
    setattr(obj, last, value)


def commit_field(session, part: str, attr: str | tuple[str, ...], value: Any, *, item_id: str | None = None,
                 label: str = "", error: FieldError | None = None, widget: QWidget | None = None) -> bool:
    """Save one field of a case part through the operations layer's validated edit
    (:meth:`desktop.app.editing.OpenCase.edit_field`), which checks just that part.

    ``part`` is a single part ("patient", "outcome", ...), a list part with ``item_id``
    ("medications" + id), "identifiers", or "case" (a case field such as "title"). ``attr`` may be
    dotted ("bwat.exudate_type"), or a tuple of attributes saved together with a tuple ``value``
    (a dose and its unit). A refused value shows "<label>: <problem>" in ``error`` (and a red frame
    on ``widget``) and nothing is saved; an accepted one clears them. Returns True when saved."""
    from ..app.editing import EditRefused, FieldRefused
    from ..store.library import LibraryError
    attrs = attr if isinstance(attr, tuple) else (attr,)
    ok = True
    try:
        session.edit_field(part, attr, value, item_id=item_id, label=label)
    except FieldRefused as exc:
        if error is not None:
            error.show_message(f"{label or attrs[0]}: " + "; ".join(p.message for p in exc.problems))
        if widget is not None:
            mark_invalid(widget, True)
        return False
    except (LibraryError, EditRefused) as exc:
        session.failed.emit(str(exc))
        ok = False
    if error is not None:
        error.clear()
    if widget is not None:
        mark_invalid(widget, False)
    return ok



def load_widget(widget: QWidget, value: Any, case: Case, exclude_event: str | None = None) -> None:
    """Show a model value in any of the field widgets above (no signal)."""
    if isinstance(widget, WhenEditor):
        widget.set_when(value, case, exclude_event=exclude_event)
    elif isinstance(widget, (NumberField, ChoiceCombo, CheckField, LinesArea, DoseRow, FrequencyField)):
        widget.set_value(value)
    elif isinstance(widget, (LineField, TextArea)):
        widget.set_text(value if value is not None else "")
    elif callable(getattr(widget, "set_value", None)):  # any other field with the same protocol
        widget.set_value(value)
    else:
        raise TypeError(f"no loader for {type(widget).__name__}")



class PartForm:
    """Fields bound to single parts of the case ("patient", "outcome", "diagnosis", "consent",
    "manuscript", "identifiers") or to case fields (part "case"): each commit is checked and saved
    through the session; ``load()`` shows the session's values."""

    def __init__(self, session):
        self.session = session
        self.fields: dict[tuple[str, str], tuple[QWidget, FieldError]] = {}
        self._present: dict[tuple[str, str], Callable[[Any], Any]] = {}

    def add(self, form: QFormLayout | None, part: str, attr: str, label: str, widget: QWidget,
            unit: str | None = None, tip: str = "", error: FieldError | None = None,
            convert: Callable[[Any], Any] | None = None, present: Callable[[Any], Any] | None = None) -> QWidget:
        """Bind ``widget`` to ``part.attr``; with a ``form``, also add it as a labelled row.
        ``convert`` turns what the widget commits into the model's value (e.g. text -> list), and
        ``present`` the model's value into what the widget shows."""
        err = error or FieldError()
        if form is not None:
            add_row(form, label, widget, unit, err, tip)
        elif not widget.accessibleName():
            widget.setAccessibleName(label)
        self.fields[(part, attr)] = (widget, err)
        if present is not None:
            self._present[(part, attr)] = present
        widget.committed.connect(lambda v, p=part, a=attr, l=label, w=widget, e=err, c=convert:
                                 self.save(p, a, c(v) if c else v, l, e, w))
        if isinstance(widget, NumberField):
            widget.rejected.connect(err.show_message)
        elif isinstance(widget, DoseRow):
            widget.set_error(err)
        if isinstance(widget, (NumberField, LineField)):
            widget.corrected.connect(err.clear)
        return widget

    def value(self, part: str, attr: str | tuple[str, ...]) -> Any:
        obj = self.session.case if part == "case" else getattr(self.session.case, part)
        return get_attr(obj, attr)

    def save(self, part: str, attr: str, value: Any, label: str, error: FieldError, widget: QWidget) -> bool:
        ok = commit_field(self.session, part, attr, value, label=label, error=error, widget=widget)
        if not ok and isinstance(widget, (ChoiceCombo, CheckField)):
            widget.set_value(self.value(part, attr))
        return ok

    def load(self, parts: Iterable[str] | None = None) -> None:
        case = self.session.case
        for (part, attr), (w, _e) in self.fields.items():
            if parts is None or part in parts:
                value = self.value(part, attr)
                if (part, attr) in self._present:
                    value = self._present[(part, attr)](value)
                load_widget(w, value, case)

    def widget(self, part: str, attr: str) -> QWidget | None:
        got = self.fields.get((part, attr))
        return got[0] if got else None


def lock_if_read_only(session, root: QWidget) -> None:
    """Editors built after a section was shown (a form made on first use) follow the library's
    read-only state like the rest of the section: text is read-only, choices and buttons are off.
    Widgets that only show or navigate opt out with ``setProperty("readOnlySafe", True)``."""
    if not getattr(session, "read_only", False):
        return
    for w in [root, *root.findChildren(QWidget)]:
        if w.property("readOnlySafe"):
            continue
        if isinstance(w, (QLineEdit, QPlainTextEdit, QDoubleSpinBox, QDateEdit)):
            w.setReadOnly(True)
        elif isinstance(w, (QComboBox, QCheckBox, QPushButton)):
            w.setEnabled(False)
