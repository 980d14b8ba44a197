"""The Timeline section: the drawn timeline above a table of events, an editor for the selected
event, and the vital signs (timed observations such as the blood pressure at presentation). Events are given as dates, as "N days/weeks/months before/after day 0", or at the time of
another event. Day 0 is the index event the author picks ("Set as day 0").

Choosing a new day 0 keeps every time's meaning: times said relative to the old day 0 ("3 weeks
prior") are re-anchored to the old index event ("3 weeks before the admission"), and the old index
event gets its place relative to the new one, all as one undoable edit.
"""
from __future__ import annotations

import copy
from typing import Any

from PySide6.QtWidgets import QFrame, QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ... import catalogue, timing
from ...app.editing import EditRefused, noun
from ...app.editing import references_to as app_references_to
from ...model import Case, ClinicalSign, Event, EventKind, Vital, When
from ...store.changes import PutItem, SetCaseFields
from ...store.library import LibraryError
from ..binding import commit_field
from ..checks_field import ChecksField
from ..fields import ChoiceCombo, LineField, NumberField, TextArea
from ..formatting import choices_of, event_title, fmt_number, label_of, when_text
from ..forms import (SPACING, FieldError, SuggestionLine, add_row, form_layout, heading, hint_label, reveal,
                     scroll_page)
from ..list_editor import ListEditor
from ..session import CaseSession
from ..tables import Column, ItemTable
from ..timeline_view import TimelineView
from ..when_editor import WhenEditor


def given_as(when: When, case: Case) -> str:
    """How a time was given, in words: 'about 2 months before day 0', '3 months after discharge'."""
    approx = " (approximate)" if when.approximate else ""
    if when.date is not None:
        return when.date + approx
    if when.event_id is not None:
        ev = case.event(when.event_id)
        name = label_of(ev.kind) if ev is not None else "a missing event"
        if when.offset:
            n = abs(when.offset)
            unit = when.precision + ("" if n == 1 else "s")
            rel = "before" if when.offset < 0 else "after"
            text = f"{fmt_number(n)} {unit} {rel} {name}"
        elif when.offset == 0 and when.precision != "day":
            text = f"within the {when.precision} of {name}"
        else:
            text = f"at {name}"
        return text + approx
    if when.offset is not None:
        return timing.say_offset(when)
    return "in words only" if when.label.strip() else "not recorded"  # "during the follow-up time"


def references_to(case: Case, event_id: str) -> list[str]:
    """What in the case refers to an event (as its time, or a photo's link): readable names."""
    def name(part: str, item: Any) -> str:
        if isinstance(item, Event):
            return event_title(item, 40)
        site = catalogue.sites().get(getattr(item, "site", "") or "")
        what = site.label if site else next(
            (label_of(getattr(item, a)) for a in ("agent", "name", "analyte", "kind", "modality") if getattr(item, a, "")),
            item.id)
        return f"{noun(part)}: {what}"
    return app_references_to(case, event_id, name)


class TimelineSection(QWidget):
    def __init__(self, session: CaseSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        page = scroll_page(self, max_width_chars=None)
        page.addWidget(heading("Timeline"))
        page.addWidget(hint_label(
            "Day 0 is the index event you pick (usually the presentation). Give times as dates, as "
            "\u201cN days/weeks/months before/after day 0\u201d, or at the time of another event; mark loose "
            "times approximate. Calendar dates identify the patient: exports turn them into days from day 0."))
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        fl = QVBoxLayout(frame)
        fl.setContentsMargins(1, 1, 1, 1)
        self.view = TimelineView()
        fl.addWidget(self.view)
        page.addWidget(frame)

        self.table = ItemTable([
            Column("Kind", lambda e: label_of(e.kind) + ("  (day 0)" if e.id == self.session.case.index_event_id else ""),
                   max_chars=24, keep=True),
            Column("Description", lambda e: e.description.split("\n")[0], tooltip=lambda e: e.description,
                   stretch=True),
            Column("On the day axis", lambda e: self._axis_text(e), max_chars=22),
            Column("Given as", lambda e: given_as(e.when, self.session.case),
                   tooltip=lambda e: given_as(e.when, self.session.case)
                   + (f" — the source: “{e.when.label}”" if e.when.label else ""), max_chars=22),
            Column("Source's words", lambda e: e.when.label, max_chars=20, optional=True),
            Column("Signs", lambda e: ", ".join(label_of(s) for s in e.signs), max_chars=18, optional=True),
        ], "event", add_text="&Add event")
        self.table.set_row_range(6, 16)
        self.day0_button = QPushButton("Set as &day 0")
        self.day0_button.setAccessibleName("Set as day 0")
        self.day0_button.setToolTip("Make the selected event the index event (day 0), Alt+D. Times given "
                                    "relative to the current day 0 keep their meaning.")
        self.day0_button.setEnabled(False)
        self.table.buttons.insertWidget(2, self.day0_button)
        page.addWidget(self.table)
        self.table_error = FieldError()
        page.addWidget(self.table_error)

        self.editor = QGroupBox("Selected event")
        form = form_layout(self.editor)
        form.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        self.kind = ChoiceCombo(choices_of(EventKind), "Event kind")
        self.description = TextArea("Event description", lines=3, placeholder="what happened, in the source's words")
        self.when = WhenEditor("Event time")
        # what the source states was found (fever, sepsis, ...): the infection rule reads them
        self.signs = ChecksField(choices_of(ClinicalSign), "Signs found")
        self.errors = {a: FieldError() for a in ("kind", "description", "when", "signs")}
        add_row(form, "Kind", self.kind, error=self.errors["kind"])
        add_row(form, "Description", self.description, error=self.errors["description"])
        add_row(form, "When", self.when, error=self.errors["when"])
        add_row(form, "Signs", self.signs, error=self.errors["signs"],
                tip="What the source states was found at this event (e.g. fever, afebrile, sepsis)")
        self.signs.committed.connect(lambda v: self._save("signs", v, "Signs", self.signs))
        self.kind.committed.connect(lambda v: self._save("kind", v, "Kind", self.kind))
        self.description.committed.connect(lambda v: self._save("description", v, "Description", self.description))
        self.when.committed.connect(lambda v: self._save("when", v, "When", self.when))
        page.addWidget(self.editor)
        self.placeholder = hint_label("Select an event (in the drawing or the table) to edit it, or add one.")
        page.addWidget(self.placeholder)
        page.addWidget(self._build_vitals())
        page.addStretch(1)

        self.table.selected.connect(self._table_selected)
        self.table.add_requested.connect(self._add)
        self.table.delete_requested.connect(self._delete)
        self.view.event_selected.connect(self._view_selected)
        self.day0_button.clicked.connect(lambda: self.set_day0(self.table.current_key()))
        from ..redraw import Redraw
        self._redraw = Redraw(self, self.refresh, session, ("events", "case"))
        session.changed.connect(self._changed)
        self.refresh()
        if session.case.index_event_id:  # open on day 0
            self.table.select(session.case.index_event_id)

    def _build_vitals(self) -> QGroupBox:
        box = QGroupBox("Vital signs")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(SPACING + 2, SPACING + 4, SPACING + 2, SPACING + 2)
        specs = catalogue.vitals()

        def value_text(v: Vital) -> str:
            return f"{fmt_number(v.value)} {v.unit}".strip() if v.value is not None else ""

        def set_units(v: Vital) -> None:
            spec = specs.get(v.kind)
            self.vital_unit.set_choices([(u, u) for u in (spec["units"] if spec else [])])
            offer_time(v)

        def offer_time(v: Vital) -> None:
            """A vital sign whose time is not given yet is offered the time of the one recorded before
            it (the vital signs of one examination), set with one click — never copied unasked."""
            vitals = self.session.case.vitals
            before = [w for w in vitals[:next((i for i, w in enumerate(vitals) if w.id == v.id), 0)]
                      if w.when != When()]
            if v.when != When() or not before:
                self.vital_time.clear()
                return
            prev = before[-1]
            label = specs[prev.kind]["label"].lower() if prev.kind in specs else prev.kind
            self.vital_time.offer(f"Time of the {label}: {when_text(self._tl, prev.when)}",
                                  lambda: self.vitals.save("when", copy.deepcopy(prev.when), "When",
                                                           self.vitals.errors["when"], self.vitals.fields["when"]),
                                  tip="The vital sign recorded before this one was taken then; the same "
                                      "examination gives the same time.")

        def build(ed: ListEditor) -> None:
            kind = ChoiceCombo([(code, spec["label"]) for code, spec in specs.items()], "Vital sign")
            err = FieldError()
            add_row(ed.form, "Vital sign", kind, error=err)
            ed.fields["kind"], ed.errors["kind"] = kind, err
            kind.committed.connect(self._vital_kind)
            row = QWidget()
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            rl.setSpacing(6)
            value = NumberField("Vital sign value")
            self.vital_unit = ChoiceCombo([], "Vital sign unit")
            self.vital_time = SuggestionLine("Same time", "Vital sign time suggestion", field=value)
            rl.addWidget(value)
            rl.addWidget(self.vital_unit)
            rl.addSpacing(SPACING)
            rl.addWidget(self.vital_time, 1)
            row.setFocusProxy(value)
            err = FieldError()
            add_row(ed.form, "Value", row, error=err)
            ed.bind("value", value, "Value", err)
            ed.bind("unit", self.vital_unit, "Unit", err)
            ed.add_field("When", "when", WhenEditor("Vital sign time"))
            ed.add_field("Note", "note", LineField("Vital sign note", placeholder="e.g. blood pressure 87/52 mmHg"))

        self.vitals = ListEditor(self.session, [
            Column("Vital sign", lambda v: specs[v.kind]["label"] if v.kind in specs else v.kind),
            Column("Value", value_text, align_right=True, keep=True),
            Column("When", lambda v: when_text(self._tl, v.when), max_chars=24),
            Column("Note", lambda v: v.note, tooltip=lambda v: v.note, stretch=True, min_chars=16),
        ], "vital sign", Vital, part="vitals", rows=2, add_text="Add vital sign…", build=build, on_load=set_units)
        # which vital sign, chosen when it is added: a default kind would record "Systolic blood
        # pressure 106" for a heart rate typed without changing the kind; then its value is typed
        self.vitals.type_first = "value"
        self.vitals.add_by_choice([(spec["label"], lambda c=code: Vital(kind=c, unit=specs[c]["units"][0]))
                                   for code, spec in specs.items()], "Which vital sign")
        lay.addWidget(self.vitals)
        return box

    def _vital_kind(self, kind: str) -> None:
        """A new kind brings its own unit when the old one does not fit it (mmHg is no temperature)."""
        v = self.vitals.current()
        if v is None:
            return
        units = catalogue.vitals()[kind]["units"]
        self.vitals.save(("kind", "unit"), (kind, v.unit if v.unit in units else units[0]), "Vital sign",
                         self.vitals.errors["kind"], self.vitals.fields["kind"])

    # --- refreshing ------------------------------------------------------------------------------

    def _axis_text(self, ev: Event) -> str:
        placed = self._tl.event_day(ev.id)
        return timing.describe(placed) if placed is not None else "not on the day axis"

    def _ordered(self) -> list[Event]:
        case = self.session.case
        def key(e: Event):
            placed = self._tl.event_day(e.id)
            return (placed is None, placed.day if placed else 0.0, case.events.index(e))
        return sorted(case.events, key=key)

    def _changed(self, part: str) -> None:
        # every part may hold times that point at events, but only events and day 0 change this view
        # (events and day 0: the whole view, once per step, by self._redraw)
        if part == "vitals" and not self._redraw.hidden():
            self.vitals.refresh()

    def refresh(self) -> None:
        case = self.session.case
        self._tl = timing.Timeline(case)
        self.view.set_case(case)
        self.table.set_items(self._ordered())
        self._load()
        self.vitals.refresh()

    def _load(self) -> None:
        ev = self.table.current_item()
        self.editor.setVisible(ev is not None)
        self.placeholder.setVisible(ev is None)
        self.placeholder.setText(
            "Select an event (in the drawing or the table) to edit it, or add one." if self.session.case.events else
            "No events yet. Add the first with “Add event” (or Insert): it becomes day 0, and the times of "
            "everything else can then be given as days, weeks or months before or after it.")
        self.day0_button.setEnabled(ev is not None and ev.id != self.session.case.index_event_id)
        self.view.select(ev.id if ev is not None else None)
        if ev is None:
            for e in self.errors.values():
                e.clear()
            return
        self.kind.set_value(ev.kind)
        self.description.set_text(ev.description)
        self.when.set_role(f"event:{ev.kind}")  # its direction and order checks follow its kind
        self.when.set_when(ev.when, self.session.case, exclude_event=ev.id)
        self.signs.set_value(ev.signs)

    def _table_selected(self, _key) -> None:
        self.table_error.clear()
        self._load()

    def _view_selected(self, event_id: str) -> None:
        self.table.select(event_id)  # emits selected -> _load

    # --- editing ---------------------------------------------------------------------------------

    def _save(self, attr: str, value, label: str, widget) -> None:
        eid = self.table.current_key()
        if eid is None:
            return
        ok = commit_field(self.session, "events", attr, value, item_id=eid, label=label,
                          error=self.errors[attr], widget=widget)
        if not ok and attr in ("kind", "signs"):  # a refused choice shows what is stored
            getattr(self, attr).set_value(getattr(self.session.case.event(eid), attr))

    def _add(self) -> None:
        """A new event. The first event of a case without a day 0 becomes day 0 (one undoable edit),
        so the times that follow have something to count from; "Set as day 0" changes it."""
        case = self.session.case
        if case.index_event is not None:
            ev = Event(kind="other", when=When())
            ok = self.session.save_item("events", ev, text="Add event")
        else:
            ev = Event(kind="presentation", when=When(offset=0.0))  # day 0 itself; no words the author did not write
            ok = self.session.apply([PutItem("events", ev), SetCaseFields({"index_event_id": ev.id})],
                                    "Add the day-0 event")
        if ok:
            self.table.select(ev.id)
            reveal(self.description)

    def _delete(self, event_id: str) -> None:
        try:
            self.session.open_case.delete_event(event_id)
        except EditRefused as exc:
            self.table_error.show_message(str(exc))
            return
        except LibraryError as exc:
            self.session.failed.emit(str(exc))
            return
        self.table_error.clear()

    def set_day0(self, event_id: str | None) -> bool:
        """Make ``event_id`` the index event, keeping every time's meaning (one undoable edit)."""
        if not event_id or self.session.case.event(event_id) is None or event_id == self.session.case.index_event_id:
            return False
        try:
            saved = self.session.set_day0(event_id, refusal_raises=True)  # on a worker: many rows
        except EditRefused as exc:
            self.table_error.show_message(str(exc))
            return False
        if saved:
            self.table_error.clear()
        return saved

    # --- navigation ------------------------------------------------------------------------------

    def focus_ref(self, ref: str) -> bool:
        if ref in ("events", "timeline", "index_event_id"):
            reveal(self.view)
            return True
        if ref.startswith("events/"):
            eid = ref.split("/")[1]
            if self.table.select(eid):
                reveal(self.table.view)
                return True
        if ref.startswith("vitals/") and self.vitals.select(ref.split("/")[1]):
            reveal(self.vitals.table.view)
            return True
        if ref == "vitals":
            reveal(self.vitals.table.view)
            return True
        return False
