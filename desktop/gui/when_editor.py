"""The time editor: a :class:`~desktop.model.When` given as a date, relative to day 0 or to an event,
shown with its place on the day axis. Like every field, it emits ``committed`` only after a user
edit, never when set from code (``set_when``)."""
from __future__ import annotations

import copy
import re
from typing import Sequence

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, \
    QSizePolicy, QStackedLayout, QVBoxLayout, QWidget

from .. import timing
from ..app import time_order
from ..model import Case, Event, When
from .fields import FormCombo, WheelScrollsTheForm, WideCombo
from .formatting import event_title, fmt_number, parse_number
from .forms import ERROR_COLOUR, FlowLayout, StatusLine, set_muted


class _Date(WheelScrollsTheForm, QDateEdit):
    """A date the wheel never changes (it scrolls the form), knowing which of its parts (year,
    month, day) the author typed digits into since :meth:`forget_typing`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.typed: set = set()

    def forget_typing(self) -> None:
        self.typed = set()

    def keyPressEvent(self, ev):  # noqa: N802 (Qt's name)
        if ev.text().isdigit():
            self.typed.add(self.currentSection())
        super().keyPressEvent(ev)


class _Slot(QWidget):
    """The time editor's slot for the event, the date or the age: its natural width is the widest of
    the pages in ``sized_by`` (the date, the age), not the event's box, which takes what its line has."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.sized_by: list[QWidget] = []

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        if self.sized_by:
            hint.setWidth(max(w.sizeHint().width() for w in self.sized_by))
        return hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        if self.sized_by:
            hint.setWidth(max(w.minimumSizeHint().width() for w in self.sized_by))
        return hint


class _AmountSpin(WheelScrollsTheForm, QDoubleSpinBox):
    """An amount shown as people write it (3, not 3.00), as wide as four digits (not its maximum)."""

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        return QSize(min(hint.width(), self.minimumWidth()), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def textFromValue(self, value: float) -> str:
        return fmt_number(round(value, 2))

    def valueFromText(self, text: str) -> float:
        try:
            return parse_number(text or "0")
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        from PySide6.QtGui import QValidator
        t = text.strip()
        if t == "" or re.fullmatch(r"\d*([.,]\d{0,2})?", t):
            return QValidator.State.Acceptable if t and t not in (".", ",") else QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos


MODES = [("none", "not recorded"), ("date", "on a date"), ("relative", "relative to day 0"),
         ("event", "at the time of an event"), ("age", "at the patient's age")]
UNITS = [("day", "days"), ("week", "weeks"), ("month", "months"), ("year", "years")]
# how much of a date the source gives: "on 3 March 2021", "in November 2002", "in 1988" (When.date
# is then YYYY-MM-DD, YYYY-MM or YYYY); each shown in the date box in its own form
DATE_UNITS = [("day", "whole date"), ("month", "month only"), ("year", "year only")]
DATE_FORMATS = {"day": "yyyy-MM-dd", "month": "yyyy-MM", "year": "yyyy"}



class WhenEditor(QWidget):
    """Edits a :class:`~desktop.model.When`: a date, "N days/weeks/months before/after day 0", "at
    the time of <event>" (optionally N units before/after it) or "at age N years" (the patient's
    age, placed from the age at presentation), with an "approximate" mark and the
    source's own words. Shows where that time falls on the day axis ("= day −61, approximate").
    Two compact rows (how it is given and its event or date; the offset, "approximate" and the day)
    and the source's words under them; the rows flow onto more lines in a narrow form rather than
    widen it, so the editor never asks for much more than 300 px.

    ``set_when(when, case_or_events)`` loads it (no signal); ``when()`` returns the edited value;
    ``committed(When)`` is emitted each time the user finishes changing it.

    The time's *role* ("event:symptom_onset", "lesions.onset", "outcome.when:dead", see
    :mod:`desktop.app.time_order`) gives the direction a new relative time starts with (an onset
    is before day 0, a follow-up after it) and the order checks: the line under the editor reads
    the time back ("= 6 weeks before presentation (day −42)") or, in red, says why it is impossible
    (an onset after the presentation, a death before it). That line keeps its room while empty,
    and the controls keep theirs while hidden, so nothing below the editor moves as it is used."""

    committed = Signal(object)

    def __init__(self, name: str = "Time", parent: QWidget | None = None, wording: bool = True,
                 role: str | None = None):
        super().__init__(parent)
        self.name = name
        self.role = role
        self._item_id: str | None = None
        self._start: When | None = None
        self._loading = False
        self._case: Case | None = None
        self._events: list[Event] = []
        self._exclude: str | None = None
        self._last = When()
        self._base = When()
        # a mode picked whose value the author has not given yet ("relative to day 0" showing 0 days,
        # "on a date" showing today, an age showing the age at presentation): nothing is saved until
        # they give one, else a time they never gave would be recorded; _typed: they typed in the box
        self._pending: str | None = None
        self._typed = False

        self.mode = FormCombo(self)
        for value, text in MODES:
            self.mode.addItem(text, value)
        self.mode.setAccessibleName(f"{name}: given as")
        self.amount = _AmountSpin(self)
        self.amount.setRange(0, 100000)
        self.amount.setDecimals(2)
        self.amount.setKeyboardTracking(False)
        self.amount.setAccessibleName(f"{name}: amount")
        self.amount.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000") + 32)
        self.unit = FormCombo(self)
        for value, text in UNITS:
            self.unit.addItem(text, value)
        self.unit.setAccessibleName(f"{name}: unit")
        self.direction = FormCombo(self)
        self.direction.addItem("after", 1)
        self.direction.addItem("before", -1)
        self.direction.setAccessibleName(f"{name}: before or after")
        self.day0 = QLabel("day 0", self)
        self.event = WideCombo(self)  # its list shows each event's words in full
        self.event.setAccessibleName(f"{name}: event")
        self.event.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.event.setMinimumContentsLength(14)
        self.event.setPlaceholderText("choose the event")
        self.date = _Date(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setKeyboardTracking(False)
        self.date.setDate(QDate.currentDate())
        self.date.setAccessibleName(f"{name}: date")
        self.date.setToolTip("A calendar date identifies the patient: exports give it as days from day 0.")
        self.date_unit = FormCombo(self)
        for value, text in DATE_UNITS:
            self.date_unit.addItem(text, value)
        self.date_unit.setAccessibleName(f"{name}: how much of the date the source gives")
        self.date_unit.setToolTip("As the source gives the date: a whole date, a month (\u201cin November "
                                  "2002\u201d) or a year alone (\u201cin 1988\u201d). Nothing more precise is "
                                  "recorded.")
        # "[at the patient's age] [62] years": a time the source gives as an age (When.age_years);
        # no wider than the date box, so the editor keeps the date mode's compact rows
        self.age_box = QWidget(self)
        ab = QHBoxLayout(self.age_box)
        ab.setContentsMargins(0, 0, 0, 0)
        ab.setSpacing(4)
        self.age = _AmountSpin(self.age_box)
        self.age.setRange(0, 130)
        self.age.setDecimals(2)
        self.age.setKeyboardTracking(False)
        self.age.setAccessibleName(f"{name}: age in years")
        self.age.setMinimumWidth(self.fontMetrics().horizontalAdvance("000") + 32)
        ab.addWidget(self.age)
        ab.addWidget(QLabel("years", self.age_box))
        self.approximate = QCheckBox("approximate", self)
        self.approximate.setAccessibleName(f"{name}: approximate")
        self.approximate.setToolTip("The source gives this time loosely (\"about 2 months before\").")
        self.resolved = StatusLine(f"{name}: on the day axis", self, lines=2)
        set_muted(self.resolved)
        self.wording = QLineEdit(self) if wording else None
        if self.wording is not None:
            self.wording.setPlaceholderText("the source's words, e.g. \"3 weeks prior\"")
            self.wording.setAccessibleName(f"{name}: in the source's words")

        # Two compact rows and the source's words under them, so the editor fits a narrow form:
        #   [given as] [event | date]
        #   [N] [units] [before/after] day 0  [ ] approximate   = day −61 (month −2)
        #   [the source's words ..........................................]
        # The second row flows: its parts move to a new line rather than widen the form.
        self.offset_box = QWidget(self)  # "N units before/after [day 0]" kept together
        ob = QHBoxLayout(self.offset_box)
        ob.setContentsMargins(0, 0, 0, 0)
        ob.setSpacing(4)
        for w in (self.amount, self.unit, self.direction, self.day0):
            ob.addWidget(w)
        # row 2 starts with the offset ("N units before/after") or, for a date, how much of it the
        # source gives: one slot as wide as the wider of the two, so the rows stay as they are
        date_page = QWidget(self)
        dl = QHBoxLayout(date_page)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.date_unit)
        dl.addStretch(1)
        self.slot = QWidget(self)
        self.slot.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)  # never the row's width
        self._slot = QStackedLayout(self.slot)
        self._slot.addWidget(self.offset_box)
        self._slot.addWidget(date_page)
        self._date_page = date_page
        for w in (self.slot, self.approximate, self.resolved):  # hidden for some modes, room kept
            policy = w.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            w.setSizePolicy(policy)
        self.event.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # row 1's second part — the event, the date or the age — is one slot, there (empty) in every
        # mode, as wide as the date or the age (the event's box fills the rest of the line and shows
        # each event in full in its list): beside the mode when the form has room, on a line of its
        # own in a narrow form in every mode, so picking "at the time of an event" adds no line
        self.what = _Slot(self)
        self.what.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._what = QStackedLayout(self.what)
        self._what_pages: dict[str, QWidget] = {}
        for key, part in (("event", self.event), ("date", self.date), ("age", self.age_box)):
            if key == "event":
                page = part
            else:
                page = QWidget(self.what)
                pl = QHBoxLayout(page)
                pl.setContentsMargins(0, 0, 0, 0)
                pl.addWidget(part)
                pl.addStretch(1)
            self._what.addWidget(page)
            self._what_pages[key] = page
        self._what_pages["none"] = QWidget(self.what)
        self._what.addWidget(self._what_pages["none"])
        self.what.sized_by = [self._what_pages["date"], self._what_pages["age"]]
        self.row1 = FlowLayout(h_spacing=6, v_spacing=4)
        self.row1.addWidget(self.mode)
        self.row1.addWidget(self.what)
        self.row2 = FlowLayout(h_spacing=8, v_spacing=4)
        self.row2.addWidget(self.slot)
        self.row2.addWidget(self.approximate)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addLayout(self.row1)
        lay.addLayout(self.row2)
        if self.wording is not None:
            lay.addWidget(self.wording)
        lay.addWidget(self.resolved)
        order = [self.mode, self.event, self.date, self.date_unit, self.age, self.amount, self.unit, self.direction,
                 self.approximate]
        if self.wording is not None:
            order.append(self.wording)
        self._tab_chain = order
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)
        self.setFocusProxy(self.mode)

        self.mode.activated.connect(self._mode_picked)
        self.amount.valueChanged.connect(self._value_given)
        self.unit.activated.connect(self._edited)
        self.direction.activated.connect(self._edited)
        self.event.activated.connect(self._edited)
        self.date.dateChanged.connect(self._value_given)
        self.date_unit.activated.connect(self._date_unit_picked)
        self.age.valueChanged.connect(self._value_given)
        self.approximate.clicked.connect(self._edited)
        for box in (self.amount, self.age):  # the value shown, typed again and confirmed, is given too
            box.lineEdit().textEdited.connect(self._text_typed)  # typed by the author, never set from code
            box.editingFinished.connect(self._confirmed)
        if self.wording is not None:
            self.wording.editingFinished.connect(self._edited)
        self._show_mode("none")
        self._update_resolved()

    def invalid_target(self) -> QWidget:
        return self.mode

    # --- loading ---------------------------------------------------------------------------------

    def set_role(self, role: str | None) -> None:
        """What this time is the time of (its direction and order checks); see the class notes."""
        self.role = role

    def tab_chain(self) -> list[QWidget]:
        """Its inputs in the order Tab goes through them (forms.follow_in_tab_order keeps it)."""
        return list(self._tab_chain)

    def set_when(self, when: When | None, events: Case | Sequence[Event] | None = None, *,
                 exclude_event: str | None = None, item_id: str | None = None,
                 start: When | None = None) -> None:
        """Show ``when``. ``events`` is the case (for placing the time on its day axis and offering
        its events) or just a list of events. ``exclude_event`` keeps an event from being offered as
        its own reference. ``item_id`` is the item whose time this is (an event is not checked
        against itself) and ``start`` its start when this is its stop."""
        self._item_id = item_id if item_id is not None else exclude_event
        self._start = start
        when = copy.deepcopy(when) if when is not None else When()
        if isinstance(events, Case):
            self._case, self._events = events, list(events.events)
        elif events is not None:
            self._case, self._events = None, list(events)
        self._exclude = exclude_event
        self._base = copy.deepcopy(when)
        self._last = copy.deepcopy(when)
        self._pending, self._typed = None, False
        self._loading = True
        try:
            self._fill_events(when.event_id)
            mode = self._mode_of(when)
            self.mode.setCurrentIndex(self.mode.findData(mode))
            off = when.offset or 0.0
            self.amount.setValue(abs(off))
            sign = (-1 if off < 0 else 1) if off else time_order.default_direction(self.role)
            self.direction.setCurrentIndex(self.direction.findData(sign))
            self.unit.setCurrentIndex(self.unit.findData(when.precision))
            if when.date is not None:
                self._show_date(when.date)
            else:  # a new date starts as a whole date
                self.date_unit.setCurrentIndex(0)
                self.date.setDisplayFormat(DATE_FORMATS["day"])
            # a new age starts at the age at presentation, never at another item's age
            at_presentation = self._case.patient.age_years if self._case is not None else None
            self.age.setValue(when.age_years if when.age_years is not None else at_presentation or 0)
            self.approximate.setChecked(when.approximate)
            if self.wording is not None and self.wording.text() != when.label:
                self.wording.setText(when.label)
                self.wording.setCursorPosition(0)
            self._show_mode(mode)
        finally:
            self._loading = False
        self._update_resolved()

    def _fill_events(self, selected: str | None) -> None:
        self.event.clear()
        timeline = timing.Timeline(self._case) if self._case is not None else None
        for ev in self._events:
            if ev.id == self._exclude:
                continue
            text = event_title(ev)
            if timeline is not None:
                placed = timeline.event_day(ev.id)
                if placed is not None:
                    text += f"  ({timing.describe(placed)})"
            self.event.addItem(text, ev.id)
            self.event.setItemData(self.event.count() - 1, ev.description, Qt.ItemDataRole.ToolTipRole)
        if selected is not None and self.event.findData(selected) < 0:
            self.event.addItem(f"(missing event {selected})", selected)
        # none chosen until the author picks one: the first in the list would be a time they never gave
        self.event.setCurrentIndex(self.event.findData(selected) if selected is not None else -1)

    # --- reading -----------------------------------------------------------------------------------

    def when(self) -> When:
        mode = self.mode.currentData()
        label = self.wording.text().strip() if self.wording is not None else self._base.label
        approx = self.approximate.isChecked()
        precision = self.unit.currentData()
        signed = self.amount.value() * self.direction.currentData()
        signed = float(round(signed, 2))
        if mode == "date":  # as much of the date as the source gives, and its precision with it
            unit = self.date_unit.currentData()
            return When(date=self.date.date().toString(DATE_FORMATS[unit]), precision=unit,
                        approximate=approx, label=label)
        if mode == "relative":
            return When(offset=signed + 0.0, precision=precision, approximate=approx, label=label)
        if mode == "event":
            ev = self.event.currentData()
            if signed == 0 and precision == "day":
                return When(event_id=ev, approximate=approx, label=label)
            return When(offset=signed + 0.0, precision=precision, event_id=ev, approximate=approx, label=label)
        if mode == "age":  # an age is placed with year precision; a loaded age keeps its own precision field
            return When(age_years=float(round(self.age.value(), 2)), approximate=approx, label=label,
                        precision=self._base.precision if self._base.age_years is not None else "year")
        return When(approximate=False, label=label)

    # --- editing -----------------------------------------------------------------------------------

    def _show_mode(self, mode: str) -> None:
        rel = mode in ("relative", "event")
        self.slot.setVisible(rel or mode == "date")
        self._slot.setCurrentWidget(self._date_page if mode == "date" else self.offset_box)
        self.day0.setVisible(mode == "relative")
        self._what.setCurrentWidget(self._what_pages.get(mode, self._what_pages["none"]))
        self.approximate.setVisible(mode != "none")
        self.resolved.setVisible(mode != "none")  # "not recorded" is said by the mode box
        if mode == "event":
            self.direction.setItemText(0, "after it")
            self.direction.setItemText(1, "before it")
        else:
            self.direction.setItemText(0, "after")
            self.direction.setItemText(1, "before")

    _ASK = {"relative": (lambda e: e.amount, "type how long before or after day 0: nothing is saved until you do"),
            "date": (lambda e: e.date, "type the date as far as the source gives it (the year; the month and "
                                       "day if given): nothing is saved until you do"),
            "age": (lambda e: e.age, "type the age: nothing is saved until you do")}

    def _mode_picked(self, _i: int) -> None:
        mode = self.mode.currentData()
        self._show_mode(mode)
        if mode == "event" and self.event.count() == 0:
            self._say("this case has no other events yet")
            return
        if mode in self._ASK and mode != self._mode_of(self._last):
            # the box shows a value the author did not give: it waits for theirs, with the focus
            box, ask = self._ASK[mode]
            self._pending, self._typed = mode, False
            self._say(ask)
            box(self).setFocus(Qt.FocusReason.OtherFocusReason)
            if box(self) is self.date:  # the year first: a date box all selected refuses what is typed
                self.date.forget_typing()
                self.date.setSelectedSection(QDateEdit.Section.YearSection)
            else:
                box(self).selectAll()
            return
        self._pending = None
        self._edited()

    def _show_date(self, text: str) -> None:
        """A date of the model (YYYY-MM-DD, YYYY-MM or YYYY) in the date box, in its own form."""
        unit = timing.date_precision(text)
        parts = [int(p) for p in text.split("-") if p.isdigit()]
        d = QDate(parts[0], *(parts[1:] + [1, 1])[:2]) if parts else QDate()
        self.date_unit.setCurrentIndex(self.date_unit.findData(unit))
        self.date.setDisplayFormat(DATE_FORMATS[unit])
        if d.isValid():
            self.date.setDate(d)

    def _date_unit_picked(self, _i: int) -> None:
        """A whole date, a month or a year: the box shows that much, and a date given is saved so."""
        self.date.setDisplayFormat(DATE_FORMATS[self.date_unit.currentData()])
        if self._pending == "date":  # no date given yet: the box still waits for it
            self.date.forget_typing()
            self.date.setFocus(Qt.FocusReason.OtherFocusReason)
            self.date.setSelectedSection(QDateEdit.Section.YearSection)
            return
        self._edited()

    @staticmethod
    def _mode_of(when: When) -> str:
        return ("date" if when.date is not None else "event" if when.event_id is not None
                else "relative" if when.offset is not None else "age" if when.age_years is not None else "none")

    def _text_typed(self, _text: str) -> None:
        self._typed = True

    def _value_given(self, *_args) -> None:
        """The amount, the date or the age changed by the author: that is the time's value."""
        if self._loading:
            return
        if self._pending == "date":
            self._date_as_typed()
        self._pending = None
        self._edited()

    def _date_as_typed(self) -> None:
        """A new date whose year alone was typed ("1988"), or its year and month, is that much of a
        date: the day and month the box showed were never given (a date picked from the calendar,
        or typed to the day, is a whole date). An author who chose how much is given keeps it."""
        typed = self.date.typed
        if self.date_unit.currentData() != "day" or not typed or QDateEdit.Section.DaySection in typed:
            return
        unit = "month" if QDateEdit.Section.MonthSection in typed else "year"
        self._loading = True
        try:
            self.date_unit.setCurrentIndex(self.date_unit.findData(unit))
            self.date.setDisplayFormat(DATE_FORMATS[unit])
        finally:
            self._loading = False

    def _confirmed(self) -> None:
        """Enter or leaving the amount or the age after typing the value it already showed ("0" days
        after day 0, the age at presentation): given as typed."""
        if self._pending is not None and self._typed:
            self._value_given()

    def _edited(self, *_args) -> None:
        if self._loading:
            return
        if self._pending is not None:
            self._say(self._ASK[self._pending][1])  # a unit or a direction chosen first waits for the value
            return
        if self.mode.currentData() == "event" and self.event.currentIndex() < 0:
            # an amount typed before the event is chosen waits for it (saved now, it would count from day 0)
            self._say("choose the event it was at: nothing is saved until you do")
            return
        self._update_resolved()
        w = self.when()
        if w != self._last:
            self._last = copy.deepcopy(w)
            self.committed.emit(copy.deepcopy(w))

    def _say(self, text: str, problem: str = "") -> None:
        self.resolved.setStyleSheet(f"color: {ERROR_COLOUR};" if problem else "")
        self.resolved.set_message(f"\u26a0 {text}: {problem}" if problem else text)
        self.setProperty("timeWarning", problem)

    def warning(self) -> str:
        """The order problem shown under the editor, or ""."""
        return self.property("timeWarning") or ""

    def _update_resolved(self) -> None:
        w = self.when()
        if not w.is_set:
            self._say("time not recorded")
            return
        case = self._case if self._case is not None else Case(events=list(self._events))
        text = time_order.reading(case, w)
        if text:
            problem = time_order.order_warning(case, self.role, w, item_id=self._item_id, start=self._start)
            self._say(text[2:] if problem else text, problem)
        elif w.date is not None:
            self._say("not on the day axis: day 0 has no calendar date")
        elif w.event_id is not None:
            self._say("not on the day axis: that event's time is not known")
        elif w.age_years is not None:
            self._say(f"at age {fmt_number(w.age_years)}; not on the day axis: the age at presentation is not recorded")
        else:
            self._say("not on the day axis")
