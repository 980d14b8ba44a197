"""Labs: results entered by timepoint, a table of all results, and a chart over time.

A *timepoint* is the set of results that share one :class:`~desktop.model.When` (for example "during
admission"). The author picks a timepoint (or starts a new one by giving its time), then types values
into a grid with one row per catalogue analyte. Each row's unit is one of the analyte's accepted units
(resources/catalogues/analytes.json); the reference range shows the catalogue's default in that unit
until the laboratory's own range is typed. Values outside what can be measured (the catalogue's
plausible bounds, the same check the JSON import makes) are refused inline and not saved.

Flags, ranges and number formats come from :mod:`desktop.core.labs`; the calcium × phosphate product
comes from the assessment core's derived values, never recomputed here.

The section's parts: the entry grid's rows in :mod:`.lab_grid`, the table of all results in
:mod:`.lab_table`, the chart in :mod:`.lab_chart`, and what needs no widgets (timepoints, units,
ranges, parsing) in :mod:`.lab_values`.
"""
from __future__ import annotations

import copy
import re

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QMessageBox, QPushButton, QRadioButton,
    QScrollArea, QTabWidget, QVBoxLayout, QWidget,
)

from ... import catalogue, timing
from ...core import labs as L
from ...model import DialysisContext, LabResult, When
from ..binding import check_edit, item_path
from ..fields import ChoiceCombo, WideCombo
from ..formatting import choices_of
from ..forms import SPACING, StatusLine, heading, hint_label, set_muted, shortcut
from ..when_editor import WhenEditor
from .lab_chart import LabsChart
from .lab_details import ResultDetails
from .lab_entry import LabEntry
from .lab_grid import GridHeader, LabRow
from .lab_offer import OfferBar
from .lab_other import OTHER, OtherResults
from .lab_table import ResultsTable
from .lab_units import EntryUnits
from .lab_values import Timepoint, describe_when, replacing, timepoints, when_key

SYSTEMS = (("reported", "as reported"), ("conventional", "conventional"), ("si", "SI"))


class LabsSection(LabEntry, ResultsTable, LabsChart, QWidget):
    """The Labs section (see the module's description)."""

    unitSystemChanged = Signal(str)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.system = "reported"
        # The time of the timepoint shown in the grid. When no result has that time (yet) the grid is
        # a new timepoint; None = a new timepoint whose time is not given yet.
        self._cur: When | None = None
        self._derived_cache: list | None = None
        self._refresh_pending = False
        self._shown_ids: set[str] = set()  # the results the grid shows (to follow them when moved)
        self._filling = False

        # --- top bar: timepoint, its time, dialysis context; the unit switch ------------------------
        self.timepoint = WideCombo()  # its list shows each timepoint in full
        self.timepoint.setAccessibleName("Timepoint")
        self.timepoint.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.timepoint.setMinimumContentsLength(16)
        self.timepoint.activated.connect(self._timepoint_picked)
        self.new_button = QPushButton("New timepoint")
        self.new_button.setAccessibleName("Start a new timepoint")
        self.new_button.setToolTip("Enter results taken at another time (Ctrl+Shift+N)")
        self.new_button.clicked.connect(self.start_new_timepoint)
        self.when = WhenEditor("Time of these results")
        self.when.event.setMinimumContentsLength(12)  # the section must fit beside the assessment panel
        self.when.committed.connect(self._when_committed)
        self.dialysis = ChoiceCombo(choices_of(DialysisContext), "Dialysis context of these results")
        self.dialysis.setToolTip("When the blood was drawn relative to dialysis (pre/post), for every "
                                 "result at this timepoint")
        self.dialysis.set_value("unknown")
        self.dialysis.committed.connect(self._dialysis_committed)

        self.unit_buttons = QButtonGroup(self)
        switch = QHBoxLayout()
        switch.setSpacing(4)
        show = QLabel("Show values:")
        what = ("How values are shown in the table and the chart (View ▸ Units does the same for the whole window). "
                "It does not change what is entered: new results are entered in this library's units (Enter by "
                "timepoint).")
        show.setToolTip(what)
        switch.addWidget(show)
        for n, (key, text) in enumerate(SYSTEMS):
            b = QRadioButton(text)
            b.setToolTip(what)
            b.setAccessibleName(f"Show values {text}" + (" units" if key != "reported" else ""))
            b.setProperty("system", key)
            self.unit_buttons.addButton(b, n)
            switch.addWidget(b)
        self.unit_buttons.button(0).setChecked(True)
        self.unit_buttons.idClicked.connect(self._switch_clicked)

        # the message line (reserved space): refusals with their offers, and how to type a result
        self.error = OfferBar("Type a number, a bound (<0.5, >1000), the source's words (undetectable, normal, "
                              "elevated, low, positive, negative, no growth) or both; the authors' own flag after "
                              "it (6.9 H). A unit may be typed as printed.")
        self._offer_row = None
        self.error.return_focus = lambda: self._offer_row.value if self._offer_row is not None else None
        self._waiting: dict[str, tuple[str, str, str]] = {}  # values typed before a new timepoint's time
        self.entry_units = EntryUnits(session)  # the library's units for entering results (asked once)
        self.entry_units.chosen.connect(self._entry_units_chosen)

        # --- the entry tab: the timepoint bar over the grid ---------------------------------------------
        top = QGridLayout()
        top.setHorizontalSpacing(SPACING)
        top.setVerticalSpacing(6)
        tp_label = QLabel("&Timepoint:")
        tp_label.setBuddy(self.timepoint)
        top.addWidget(tp_label, 0, 0, Qt.AlignmentFlag.AlignRight)
        tp_row = QHBoxLayout()
        tp_row.setSpacing(6)
        tp_row.addWidget(self.timepoint, 1)
        tp_row.addWidget(self.new_button)
        top.addLayout(tp_row, 0, 1)
        when_label = QLabel("Time:")
        when_label.setBuddy(self.when)
        top.addWidget(when_label, 1, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.when, 1, 1)
        dl = QLabel("&Dialysis:")
        dl.setBuddy(self.dialysis)
        top.addWidget(dl, 2, 0, Qt.AlignmentFlag.AlignRight)
        drow = QHBoxLayout()
        drow.addWidget(self.dialysis)
        drow.addStretch(1)
        top.addLayout(drow, 2, 1)
        top.setColumnStretch(1, 1)

        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.setContentsMargins(0, 0, 0, 0)
        heads = (("Analyte", ""), ("Value", "The result, in the row's unit; <0.5 or >100 for a bound"),
                 ("Unit", "The unit the laboratory reported"), ("Range<br>low", "The laboratory's own range; grey = default"),
                 ("Range<br>high", "The laboratory's own range; grey = default"), ("Flag", "H above, L below the range"),
                 ("Expected", "Expected abnormal for a known condition (e.g. a dialysis patient's BUN)"))
        self.rows: dict[str, LabRow] = {}
        # a row per analyte of the list; a result it does not have goes under the grid, by its printed name
        for r, an in enumerate((a for a in catalogue.analytes().values() if not a.free), start=1):
            self.rows[an.code] = LabRow(self, an, grid, r)
        grid.setColumnStretch(0, 1)  # room goes to the analyte names: they wrap only when narrow
        grid.setRowStretch(len(self.rows) + 1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field, not to the area
        self.grid_scroll = scroll
        self.grid_header = GridHeader(scroll, grid, list(heads))  # above the rows, never scrolled away
        # what the grid says about the timepoint (new, more results than rows): its two lines are kept
        # while it is silent, so the rows never move as the author types along them
        self.grid_hint = StatusLine("Timepoint notes", lines=2)
        set_muted(self.grid_hint)
        entry = QWidget()
        el = QVBoxLayout(entry)
        el.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        el.setSpacing(SPACING - 2)
        el.addLayout(top)
        el.addWidget(self.entry_units)
        el.addWidget(self.error)
        el.addWidget(self.grid_hint)
        el.addWidget(scroll, 1)
        self.other = OtherResults(self)
        el.addWidget(self.other)
        self.details = ResultDetails(self)
        el.addWidget(self.details)
        el.addWidget(hint_label("Grey ranges are the catalogue's defaults (those of Smilnak et al. 2022) in the row's unit; "
                                "type the laboratory's own range to replace them. H/L: above/below the range."))

        table_box = self._build_table()
        chart_box = self._build_chart()

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Labs views")
        self.tabs.tabBar().setAccessibleName("Labs views: tabs")
        self.tabs.addTab(entry, "&Enter by timepoint")
        self.tabs.addTab(table_box, "&All results")
        self.tabs.addTab(chart_box, "&Chart")
        self.tabs.setDocumentMode(True)
        self._chart_dirty = True
        self.tabs.currentChanged.connect(lambda _i: self._chart_dirty and self._refresh_chart())

        head = QHBoxLayout()
        head.addWidget(heading("Labs"))
        head.addSpacing(SPACING * 3)
        head.addLayout(switch)
        head.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(SPACING + 6, SPACING + 2, SPACING + 6, SPACING)
        lay.setSpacing(SPACING - 4)
        lay.addLayout(head)
        lay.addWidget(self.tabs, 1)

        # tab order: the timepoint bar, then the grid row by row
        chain = [self.timepoint, self.new_button, self.when, self.dialysis, *self.entry_units.buttons.values()]
        for row in self.rows.values():
            chain += row.widgets()
        chain += self.error.buttons + self.details.widgets()
        chain += [self.chart_button, self.table, self.delete_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

        shortcut(self, "Ctrl+Shift+N", self.start_new_timepoint)

        self._labs_updated = False  # the last labs change was shown row by row (no full refresh)
        from ..redraw import Redraw  # out of sight, a change only marks the section: redrawn when shown
        self._redraw = Redraw(self, self.refresh)
        session.changes.connect(self._changes)
        session.changed.connect(self._changed)
        tps = timepoints(session.case)
        self._cur = copy.deepcopy(tps[0].when) if tps else None
        self.refresh()

    def _switch_clicked(self, n: int) -> None:
        system = SYSTEMS[n][0]
        win = self.window()
        setter = getattr(win, "set_unit_system", None)
        if system != "reported" and win is not self and callable(setter):
            setter(system)  # the window's View ▸ Units: it tells every section, this one included
        self.set_unit_system(system)

    # --- public -------------------------------------------------------------------------------------

    def set_unit_system(self, system: str) -> None:
        """Show values 'reported' (as the laboratory gave them), 'conventional' or 'si'."""
        if system not in dict(SYSTEMS):
            raise ValueError(f"unit system must be one of {', '.join(dict(SYSTEMS))}; got {system!r}")
        if system == self.system:
            return
        self.system = system
        n = [k for k, _ in SYSTEMS].index(system)
        with QSignalBlocker(self.unit_buttons):
            self.unit_buttons.button(n).setChecked(True)
        for row in self.rows.values():
            if row.lab is None and not row._pending():
                row.load(None)  # empty rows offer the system's unit
        self._fill_table()
        self._refresh_chart(lazy=True)
        self.unitSystemChanged.emit(system)

    def _entry_units_chosen(self, _system: str) -> None:
        """The library's entry units changed: empty rows offer the new unit."""
        for row in self.rows.values():
            if row.lab is None and not row._pending():
                row.load(None)

    def current_when(self) -> When | None:
        """The time of the timepoint shown in the grid (None for a new timepoint with no time yet)."""
        return copy.deepcopy(self._cur)

    def select_timepoint(self, when: When | None) -> None:
        """Show the timepoint at ``when``: its results, or an empty grid for a new timepoint."""
        self._cur = copy.deepcopy(when)
        self._shown_ids = set()
        self._waiting = {}  # values typed at another (new) timepoint wait for it, not for this one
        self._clear_message()
        for row in self.rows.values():  # a unit waiting for its value belongs to the timepoint it was picked at
            row.pending_unit = None
        self.refresh()

    def start_new_timepoint(self) -> None:
        self.select_timepoint(None)
        self.when.setFocus()

    def row(self, analyte: str) -> LabRow:
        return self.rows[analyte]

    def focus_ref(self, ref: str) -> bool:
        labs = self.session.case.labs
        m = re.match(r"^(?:\$\.)?labs(?:/([^/.\[]+)|\[(\d+)\])", ref)
        if not m:
            return False
        if m.group(1) is not None:
            lab = next((x for x in labs if x.id == m.group(1)), None)
        else:
            n = int(m.group(2))
            lab = labs[n] if n < len(labs) else None
        if lab is None:
            return False
        self.show_entry()
        self.select_timepoint(lab.when)
        self._select_table_lab(lab.id)
        row = self.rows.get(lab.analyte)
        if row is not None:
            self.grid_scroll.ensureWidgetVisible(row.value)
            row.value.setFocus(Qt.FocusReason.OtherFocusReason)
        elif lab.analyte == OTHER:  # a result not in the list: loaded into its line under the grid
            self.other.select(lab.id)
        return True

    def delete_selected(self) -> None:
        lab_id = self._selected_lab_id()
        lab = next((x for x in self.session.case.labs if x.id == lab_id), None)
        if lab is None:
            return
        a = catalogue.analytes().get(lab.analyte)
        what = f"{a.label if a else lab.analyte} {L.format_lab(lab)}"
        if QMessageBox.question(self, "Delete result", f"Delete the result {what}? (Edit ▸ Undo brings it back.)") \
                == QMessageBox.StandardButton.Yes:
            self.session.delete_item("labs", lab.id, text=f"Delete {what}")
            self.refresh()

    # --- refreshing ---------------------------------------------------------------------------------

    def _changes(self, changes) -> None:
        """Results whose value, unit or range changed at the same time are redrawn row by row: an
        edit in a case with thousands of results costs one row, not the whole grid and table."""
        self._labs_updated = False
        if self._redraw.hidden():
            self._derived_cache = None
            return
        # one result: its row; several (a timepoint's context or time, and their undo) change the
        # timepoint's own fields too, which the whole refresh redraws
        if changes.parts == {"labs"} and len(changes.ids) == 1 and not self._refresh_pending:
            self._derived_cache = None
            self._labs_updated = self._update_results(changes.ids)

    def _update_results(self, lab_ids) -> bool:
        if not self.update_table_rows(lab_ids):
            return False
        by_id = {x.id: x for x in self.session.case.labs}
        self._filling = True
        try:
            for lid in lab_ids:
                lab = by_id[lid]
                row = self.rows.get(lab.analyte)
                if lid in self._shown_ids and row is not None and row.lab is not None and row.lab.id == lid:
                    row.load(lab)
        finally:
            self._filling = False
        self.details.show_row(self.details.row)
        self._refresh_chart(lazy=True)
        return True

    def _changed(self, part: str) -> None:
        """Refresh once the current edit is done: an undo of a timepoint-wide change reports each of
        its results, and the views need redrawing only once."""
        if part == "labs" and self._labs_updated:
            self._labs_updated = False
            return  # shown row by row already (see _changes)
        if part in ("labs", "events", "case", "patient"):  # the patient's sex decides a default range
            self._derived_cache = None
            if self._redraw.hidden():
                return
            if not self._refresh_pending:
                self._refresh_pending = True
                QTimer.singleShot(0, self._deferred_refresh)

    def _deferred_refresh(self) -> None:
        if self._refresh_pending:
            self.refresh()

    def _timepoint(self, when: When | None) -> Timepoint | None:
        if when is None:
            return None
        key = when_key(when)
        return next((t for t in timepoints(self.session.case) if t.key == key), None)

    def refresh(self) -> None:
        self._refresh_pending = False
        case = self.session.case
        tl = timing.Timeline(case)
        tps = timepoints(case)
        cur_key = None if self._cur is None else when_key(self._cur)
        tp = next((t for t in tps if t.key == cur_key), None)
        if tp is None and self._shown_ids:
            # the results shown were moved to another time (an undo or redo of a time change): follow them
            moved = next((x for x in case.labs if x.id in self._shown_ids), None)
            if moved is not None:
                self._cur = copy.deepcopy(moved.when)
                tp = next((t for t in tps if t.key == when_key(moved.when)), None)
        self._shown_ids = {x.id for x in tp.labs} if tp is not None else set()
        self._filling = True
        try:
            with QSignalBlocker(self.timepoint):
                self.timepoint.clear()
                for t in tps:
                    n = len(t.labs)
                    self.timepoint.addItem(f"{describe_when(tl, t.when)}  ·  {n} result{'s' if n != 1 else ''}", t.key)
                new_text = "New timepoint…"
                if tp is None and self._cur is not None and self._cur.is_set:
                    new_text = f"New timepoint: {describe_when(tl, self._cur)}"
                self.timepoint.addItem(new_text, None)
                i = self.timepoint.findData(tp.key) if tp is not None else self.timepoint.count() - 1
                self.timepoint.setCurrentIndex(max(0, i))
            when = tp.when if tp is not None else (self._cur or When())
            self.when.set_when(when, case)
            labs = tp.labs if tp is not None else []
            contexts = {x.dialysis_context for x in labs}
            self.dialysis.set_value(contexts.pop() if len(contexts) == 1 else (
                "unknown" if not contexts else self.dialysis.value()))
            first: dict[str, LabResult] = {}
            extra = 0
            for lab in labs:
                if lab.analyte in first:
                    extra += 1
                else:
                    first[lab.analyte] = lab
            for code, row in self.rows.items():
                row.load(first.get(code))
            self.other.show_results(labs)
            unknown = [x for x in labs if x.analyte not in self.rows and x.analyte != OTHER]
            notes = []
            if extra:
                notes.append(f"{extra} more result{'s' if extra > 1 else ''} of an analyte already shown at this "
                             "timepoint: see the table")
            if unknown:
                notes.append(f"{len(unknown)} result(s) of analytes not in the catalogue: see the table")
            if tp is None:
                notes.insert(0, "A new timepoint: give its time above, then type the values. Nothing is "
                                "saved until a value is entered.")
            self.grid_hint.set_message(" ".join(notes))
        finally:
            self._filling = False
        if self.waiting:  # typed before the time was given: still there, not lost (until each is saved)
            self._restore_waiting()
        self.details.show_row(self.details.row)
        self._fill_table()
        self._fill_chart_choice()
        self._refresh_chart(lazy=True)

    # --- the timepoint bar --------------------------------------------------------------------------

    def _timepoint_picked(self, i: int) -> None:
        key = self.timepoint.itemData(i)
        if key is None:
            if self._timepoint(self._cur) is not None:
                self.start_new_timepoint()
            return
        tp = next((t for t in timepoints(self.session.case) if t.key == key), None)
        self.select_timepoint(tp.when if tp else None)

    def _when_committed(self, when: When) -> None:
        self._clear_message()
        tp = self._timepoint(self._cur)
        if tp is None:  # a new timepoint: its time is kept here until a value is typed
            waiting = dict(self.waiting)
            self.select_timepoint(when)
            self._waiting = waiting
            self._save_waiting()  # values typed before the time was given
            return
        if when_key(when) == tp.key:
            return
        moved = [copy.deepcopy(x) for x in tp.labs]
        for x in moved:
            x.when = copy.deepcopy(when)
        path_problems = []
        for x in moved:
            path_problems += check_edit(self.session.case, replacing(x), item_path(self.session.case, "labs", x.id) + ".when")
        if path_problems:
            self.error.show_message("Time: " + "; ".join(dict.fromkeys(path_problems)))
            self.when.set_when(tp.when, self.session.case)
            return
        self._cur = copy.deepcopy(when)
        self._save_many(moved, f"Change the time of {len(moved)} result{'s' if len(moved) != 1 else ''}")

    def _dialysis_committed(self, value: str) -> None:
        tp = self._timepoint(self._cur)
        if tp is None:
            return  # a new timepoint: its results get this context when saved
        changed = []
        for x in tp.labs:
            if x.dialysis_context != value:
                y = copy.deepcopy(x)
                y.dialysis_context = value
                changed.append(y)
        self._save_many(changed, "Set dialysis context")

    def _save_many(self, labs: list[LabResult], text: str) -> None:
        if not labs:
            return
        self.session.save_items("labs", labs, text)
        self.refresh()

    # --- the current row ---------------------------------------------------------------------------

    def row_entered(self, row: LabRow) -> None:
        """The author went into ``row``: the details under the grid show its result."""
        if self.details.row is not row:
            self.details.show_row(row)

    # --- the tabs -----------------------------------------------------------------------------------

    def show_entry(self) -> None:
        self.tabs.setCurrentIndex(0)

    def show_table(self) -> None:
        self.tabs.setCurrentIndex(1)

    def show_chart(self) -> None:
        self.tabs.setCurrentIndex(2)
