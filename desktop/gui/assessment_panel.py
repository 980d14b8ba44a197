"""The live assessment beside the open case: findings by severity, the diagnostic tier with its
caveats, and the CARE checklist's progress, re-evaluated a moment after every change.

``desktop.core.assess(case)`` is a pure function. It runs on the GUI thread while it is quick (under
20 ms); once a run took longer, later runs go to a worker that reads the case through its own
read-only connection, so typing never stutters. Stale results (the case changed meanwhile) are
dropped. The core is imported on the first run, after the window has been painted.
"""
from __future__ import annotations

import html
import importlib
import sys
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QProgressBar,
                               QPushButton, QSplitter, QTextBrowser, QToolButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from .status_icons import SEVERITIES, SEVERITY_COLOUR, SEVERITY_LABEL, severity_icon  # noqa: F401 (used by others)

TIER_LABEL = {
    "suspected": "Suspected calciphylaxis",
    "clinical": "Clinical diagnosis of calciphylaxis",
    "confirmed": "Confirmed calciphylaxis (biopsy)",
    "criteria_not_met": "Criteria not met",
}
PLAIN_LINE = "Decision support for documentation, not a diagnosis."
FAST_ENOUGH_S = 0.020  # above this, assess on a worker
LARGE_CASE_ITEMS = 150  # a case this big goes to the worker from its first run (≈0.1 ms per item)
DEBOUNCE_MS = 300
_FindingRole = Qt.ItemDataRole.UserRole + 1
_RefRole = Qt.ItemDataRole.UserRole + 2
SPLITTER_KEY = "assessment/splitter"  # QSettings: the heights of the findings and details panes
# CARE items whose answer is one place of the case: a click on the to-do item goes there
CARE_REFS = {"1": "title", "2": "keywords", "13": "consent"}


def consent_related(finding) -> bool:
    """A finding about the consent for publication (issue 16: each goes to the consent fields)."""
    return "consent" in finding.rule_id or any(_ref_head(e.ref) == "consent" for e in finding.evidence)


def _ref_head(ref: str | None) -> str:
    return (ref or "").removeprefix("$.").split("/", 1)[0].split(".", 1)[0].split("[", 1)[0]


def load_assess() -> Callable[[Any], Any] | None:
    """``desktop.core.assess`` as a function, or None when the core has no assess yet."""
    try:
        core = importlib.import_module("desktop.core")
        fn = getattr(core, "assess", None)
        if fn is None or not callable(fn):
            mod = importlib.import_module("desktop.core.assess")
            fn = getattr(mod, "assess", None)
    except ModuleNotFoundError as exc:
        if exc.name in ("desktop.core.assess", "desktop.core"):
            return None
        raise
    return fn if callable(fn) else None


def case_size(case) -> int:
    """Roughly how much the assessment has to go through."""
    return (len(case.labs) + len(case.events) + len(case.treatments) + len(case.medications)
            + len(case.vitals) + sum(1 + len(l.observations) for l in case.lesions))


class AssessmentPanel(QWidget):
    go_to_ref = Signal(str)  # the window switches to the section holding it
    assessed = Signal(object)  # a new Assessment is shown
    show_disclaimer = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = None
        self.assessment = None
        self._assess_fn: Callable | None = None
        self._core_missing = False
        self._use_worker = False
        self._generation = 0
        self._worker_busy = False
        self._rerun_after_worker = False
        self.last_run_s: float | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 8, 8)
        lay.setSpacing(6)
        # no heading of its own: the window's tab above it names it ("Assessment")
        self.plain_line = QLabel(f"{PLAIN_LINE} <a href='#about'>About the assessment</a>")
        self.plain_line.setWordWrap(True)
        self.plain_line.setAccessibleName("The assessment is decision support, not a diagnosis")
        self.plain_line.setStyleSheet("QLabel { background: palette(alternate-base); border: 1px solid "
                                      "palette(mid); border-radius: 4px; padding: 3px 6px; }")
        self.plain_line.linkActivated.connect(lambda _l: self.show_disclaimer.emit())
        lay.addWidget(self.plain_line)

        self.state_label = QLabel("No case open.")
        self.state_label.setWordWrap(True)
        # two lines' room, kept: "19 findings: 2 critical, 5 warning, 4 notice, 8 info." wraps in a
        # narrow pane, and one finding more must not move the list under the pointer
        self.state_label.setMinimumHeight(2 * self.state_label.fontMetrics().lineSpacing() + 2)
        self.state_label.setAccessibleName("Assessment status")
        lay.addWidget(self.state_label)

        # tier: one line; what it rests on and its caveats open below it on demand
        self.tier_box = QWidget()
        tier_row = QHBoxLayout(self.tier_box)
        tier_row.setContentsMargins(0, 0, 0, 0)
        tier_row.setSpacing(6)
        tier_caption = QLabel("Tier:")
        self.tier_label = QLabel("—")
        self.tier_label.setStyleSheet("font-weight: 600;")
        self.tier_label.setWordWrap(True)  # "Not met on the record (3 undecidable)" in a narrow pane
        # room for two lines whatever the verdict: an edit that turns "Confirmed calciphylaxis" into
        # "Not met on the record (1 undecidable)" moves no finding under the author's pointer
        bold = self.tier_label.font()
        bold.setWeight(QFont.Weight.DemiBold)
        self.tier_label.setMinimumHeight(2 * QFontMetrics(bold).lineSpacing() + 2)
        self.tier_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.tier_label.setAccessibleName("Diagnostic tier")
        tier_caption.setBuddy(self.tier_label)
        self.tier_toggle = QToolButton()
        self.tier_toggle.setCheckable(True)
        self.tier_toggle.setText("Details ▸")
        self.tier_toggle.setToolTip("What the tier rests on, and its caveats")
        self.tier_toggle.setAccessibleName("Show what the diagnostic tier rests on")
        self.tier_toggle.setProperty("readOnlySafe", True)
        tier_row.addWidget(tier_caption)
        tier_row.addWidget(self.tier_label, 1)
        tier_row.addWidget(self.tier_toggle)
        lay.addWidget(self.tier_box)
        self.tier_detail = QLabel("")
        self.tier_detail.setWordWrap(True)
        self.tier_detail.setTextFormat(Qt.TextFormat.RichText)
        self.tier_detail.setAccessibleName("Diagnostic tier caveats")
        self.tier_detail.setVisible(False)
        self.tier_toggle.toggled.connect(self._toggle_tier)
        lay.addWidget(self.tier_detail)

        # CARE: always in view. The count is a label beside a thin bar, never text drawn over the bar
        # (styles paint that half in the highlight's colour and half in the base's: unreadable).
        care_row = QHBoxLayout()
        care_row.setSpacing(6)
        care_title = QLabel("CARE")
        care_title.setToolTip("The CARE checklist for case reports (Gagnier et al. 2013)")
        self.care_bar = QProgressBar()
        self.care_bar.setRange(0, 31)
        self.care_bar.setValue(0)
        self.care_bar.setFormat("%v of %m complete")
        self.care_bar.setTextVisible(False)
        self.care_bar.setFixedHeight(max(6, self.fontMetrics().height() // 2))
        self.care_bar.setMinimumWidth(self.fontMetrics().horizontalAdvance("m") * 3)
        self.care_bar.setAccessibleName("CARE checklist progress")
        self.care_label = QLabel("")
        self.care_label.setAccessibleName("CARE checklist items complete")
        care_title.setBuddy(self.care_bar)
        self.care_toggle = QToolButton()
        self.care_toggle.setCheckable(True)
        self.care_toggle.setText("Missing ▾")
        self.care_toggle.setToolTip("Show the CARE items that are not complete yet")
        self.care_toggle.setAccessibleName("Show the incomplete CARE items")
        self.care_toggle.setProperty("readOnlySafe", True)
        care_row.addWidget(care_title)
        care_row.addWidget(self.care_bar, 1, Qt.AlignmentFlag.AlignVCenter)
        care_row.addWidget(self.care_label)
        care_row.addWidget(self.care_toggle)
        lay.addLayout(care_row)
        self.care_missing = QListWidget()
        self.care_missing.setAccessibleName("CARE items not yet complete")
        self.care_missing.setWordWrap(True)
        self.care_missing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.care_missing.setVisible(False)
        self.care_missing.itemClicked.connect(self._care_item_clicked)
        self.care_missing.itemActivated.connect(self._care_item_clicked)
        self.care_toggle.toggled.connect(self.care_missing.setVisible)

        # findings: the main pane
        self.findings = QTreeWidget()
        self.findings.setHeaderHidden(True)
        self.findings.setAccessibleName("Findings by severity")
        self.findings.setIconSize(QSize(16, 16))
        self.findings.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.findings.setIndentation(14)
        self.findings.currentItemChanged.connect(self._finding_selected)
        self.findings.itemActivated.connect(lambda _i, _c: self._go())
        self.findings.itemClicked.connect(self._finding_clicked)

        # detail: the finding's text and sources, then its evidence (each line can be gone to)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(4)
        self.detail_text = QTextBrowser()
        self.detail_text.setOpenLinks(False)
        self.detail_text.setAccessibleName("Selected finding")
        ev_label = QLabel("Evidence")
        self.evidence = QListWidget()
        self.evidence.setAccessibleName("Evidence of the selected finding")
        self.evidence.setWordWrap(True)
        self.evidence.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.evidence.setStyleSheet("QListWidget::item { padding: 2px 0; }")
        ev_label.setBuddy(self.evidence)
        self.evidence.itemSelectionChanged.connect(self._update_go)
        self.evidence.itemDoubleClicked.connect(lambda _i: self._go())
        self.evidence.itemActivated.connect(lambda _i: self._go())
        row = QHBoxLayout()
        self.go_button = QPushButton("Go to data")
        self.go_button.setToolTip("Show the recorded value this finding rests on (Enter)")
        self.go_button.setAccessibleName("Go to the data of the selected evidence")
        self.go_button.setEnabled(False)
        self.go_button.clicked.connect(self._go)
        row.addWidget(ev_label)
        row.addStretch(1)
        row.addWidget(self.go_button)
        dl.addWidget(self.detail_text, 3)
        dl.addLayout(row)
        dl.addWidget(self.evidence, 1)

        # the findings above, the selected one's details below, the CARE to-do list (when opened) last;
        # the author's division is remembered (QSettings) across windows and sessions
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("assessment_splitter")
        split.setChildrenCollapsible(False)
        split.addWidget(self.findings)
        split.addWidget(detail)
        split.addWidget(self.care_missing)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 1)
        lay.addWidget(split, 1)
        split.setSizes([420, 300, 160])
        self.splitter = split
        self._restore_layout()
        split.splitterMoved.connect(lambda _pos, _i: self._save_layout())

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_now)
        self._show_detail(None)

    # --- session ------------------------------------------------------------------------------------

    def set_session(self, session, *, delay_ms: int = 0) -> None:
        if self.session is not None:
            try:
                self.session.changed.disconnect(self._changed)
            except (RuntimeError, TypeError):
                pass
        self.session = session
        self._generation += 1
        self.assessment = None
        if session is None:
            self._timer.stop()
            # cleared a moment later: when another case is opened at once, its result replaces
            # these widgets without clearing them first (repainting them twice costs a case switch)
            QTimer.singleShot(0, self._clear_if_closed)
            self.findings.setEnabled(False)
            return
        session.changed.connect(self._changed)
        self.state_label.setText("Assessing…")
        self.findings.setEnabled(False)  # the findings shown belong to the previous case until then
        self._timer.start(delay_ms)

    def _clear_if_closed(self) -> None:
        if self.session is None:
            self._clear("No case open.")

    # --- layout -------------------------------------------------------------------------------------------

    def _toggle_tier(self, shown: bool) -> None:
        self.tier_detail.setVisible(shown)
        self._tier_toggle_text()

    def _tier_toggle_text(self) -> None:
        n = len(self.assessment.tier.caveats) if self.assessment is not None else 0
        what = f"{n} caveat{'s' if n != 1 else ''}" if n else "Details"
        self.tier_toggle.setText(what + (" ▾" if self.tier_toggle.isChecked() else " ▸"))

    def _save_layout(self) -> None:
        QSettings().setValue(SPLITTER_KEY, [int(x) for x in self.splitter.sizes()[:2]])

    def _restore_layout(self) -> None:
        saved = QSettings().value(SPLITTER_KEY)
        try:
            top, bottom = (int(x) for x in saved)
        except (TypeError, ValueError):
            return
        if top > 0 and bottom > 0:
            self.splitter.setSizes([top, bottom, self.splitter.sizes()[2]])

    def _changed(self, _part: str) -> None:
        self._generation += 1
        self._timer.start(DEBOUNCE_MS)

    # --- running --------------------------------------------------------------------------------------

    def refresh_now(self) -> None:
        """Assess the open case now (the debounce timer calls this)."""
        self._timer.stop()
        if self.session is None:
            return
        if self._assess_fn is None and not self._core_missing:
            try:
                self._assess_fn = load_assess()
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                self._clear(f"The assessment could not be loaded ({type(exc).__name__}: {exc}).")
                self._core_missing = True
                return
            if self._assess_fn is None:
                self._core_missing = True
        if self._core_missing:
            self._clear("The assessment is not available in this version of Casebook.")
            return
        generation = self._generation
        if self._use_worker or case_size(self.session.case) > LARGE_CASE_ITEMS:
            self._run_on_worker(generation)
            return
        t0 = time.perf_counter()
        try:
            result = self._assess_fn(self.session.case)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            self._failed(exc)
            return
        self.last_run_s = time.perf_counter() - t0
        self._use_worker = self.last_run_s > FAST_ENOUGH_S
        self._show(result)

    def _run_on_worker(self, generation: int) -> None:
        if self._worker_busy:
            self._rerun_after_worker = True
            return
        from .workers import BackgroundOp
        path, case_id, fn = self.session.library.path, self.session.case_id, self._assess_fn

        def job(_progress):
            from ..store.library import open_library
            t0 = time.perf_counter()
            with open_library(path, read_only=True) as lib:
                case = lib.load_case(case_id, figures=False)
            return fn(case), time.perf_counter() - t0

        def done(out):
            self._worker_busy = False
            result, took = out
            self.last_run_s = took
            if generation == self._generation and self.session is not None and self.session.case_id == case_id:
                self._show(result)
            if self._rerun_after_worker:
                self._rerun_after_worker = False
                self.refresh_now()

        def failed(exc):
            self._worker_busy = False
            self._failed(exc)

        self._worker_busy = True
        # no parent indicator: a background re-assessment is not a task the user waits for
        BackgroundOp(job, parent=None, label="Assessing").on_success(done).on_failure(failed).run()

    def _failed(self, exc: BaseException) -> None:
        self._clear(f"The assessment failed on this case ({type(exc).__name__}: {exc}). "
                    "The case itself is saved and unaffected.")

    # --- showing --------------------------------------------------------------------------------------

    def _clear(self, message: str) -> None:
        self.assessment = None
        self.state_label.setText(message)
        self.findings.clear()
        self.tier_label.setText("—")
        self.tier_detail.setText("")
        self.care_bar.setValue(0)
        self.care_label.setText("")
        self.care_missing.clear()
        self.care_toggle.setText("Missing ▾")
        self._tier_toggle_text()
        self._show_detail(None)

    def _show(self, a) -> None:
        selected = self._selected_finding()
        keep = (selected.rule_id, selected.title) if selected is not None else None
        self.assessment = a
        self.findings.setEnabled(True)
        counts = {s: 0 for s in SEVERITIES}
        for f in a.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        n = len(a.findings)
        summary = ", ".join(f"{counts[s]} {SEVERITY_LABEL[s].lower()}" for s in SEVERITIES if counts.get(s))
        self.state_label.setText(f"{n} finding{'s' if n != 1 else ''}" + (f": {summary}" if summary else "")
                                 + ".")

        # findings
        self.findings.blockSignals(True)
        self.findings.clear()
        reselect = None
        for sev in SEVERITIES:
            group = [f for f in a.findings if f.severity == sev]
            if not group:
                continue
            top = QTreeWidgetItem([f"{SEVERITY_LABEL[sev]} ({len(group)})"])
            top.setIcon(0, severity_icon(sev))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setForeground(0, QBrush(QColor(SEVERITY_COLOUR[sev])))
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            top.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{SEVERITY_LABEL[sev]} findings: {len(group)}")
            self.findings.addTopLevelItem(top)
            for f in group:
                item = QTreeWidgetItem([f.title])
                item.setIcon(0, severity_icon(sev))
                item.setToolTip(0, f"{SEVERITY_LABEL[sev]}: {f.message}"
                                + ("\nClick to go to the consent fields." if consent_related(f) else ""))
                item.setData(0, _FindingRole, f)
                item.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{SEVERITY_LABEL[sev]}: {f.title}")
                top.addChild(item)
                if keep == (f.rule_id, f.title):
                    reselect = item
            top.setExpanded(True)
        if not a.findings:
            none = QTreeWidgetItem(["No findings for the recorded data."])
            none.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.findings.addTopLevelItem(none)
        self.findings.blockSignals(False)
        if reselect is not None:
            self.findings.setCurrentItem(reselect)
        else:
            self._show_detail(None)

        # tier: the verdict, what it rests on (details in the tooltip), then its caveats
        t = a.tier
        label = TIER_LABEL.get(t.tier, t.tier.replace("_", " "))
        if t.tier == "criteria_not_met" and t.undecided:  # what the record shows, not that they are unmet
            label = f"Not met on the record ({len(t.undecided)} undecidable)"
        self.tier_label.setText(label)
        basis = []
        if t.typical_lesions:
            basis.append(f"typical lesions: {', '.join(t.typical_lesions)}")
        if t.early_changes:
            basis.append(f"early changes: {', '.join(t.early_changes)}")
        n_major, n_minor = len(t.major_factors), len(t.minor_factors)
        if n_major or n_minor:
            basis.append(f"{n_major} major and {n_minor} minor risk factor{'s' if n_minor != 1 else ''}")
        basis.append("differentials excluded" if t.differentials_excluded else
                     "differentials not recorded as excluded")
        html_bits = [f"<p>{_esc('; '.join(basis).capitalize())}.</p>"]
        if t.caveats:
            html_bits.append("<ul style='margin-left:-24px; margin-top:0'>"
                             + "".join(f"<li>{_esc(c)}</li>" for c in t.caveats) + "</ul>")
        if t.unknown:  # neither met nor unmet: the record does not say
            html_bits.append("<p style='margin-bottom:0'>Cannot be decided from the record:</p>"
                             "<ul style='margin-left:-24px; margin-top:0'>"
                             + "".join(f"<li>{_esc(u)}</li>" for u in t.unknown) + "</ul>")
        self.tier_detail.setText("".join(html_bits))
        self._tier_toggle_text()
        tip = []
        if t.major_factors:
            tip.append("Major risk factors:\n" + "\n".join(f"• {x}" for x in t.major_factors))
        if t.minor_factors:
            tip.append("Minor risk factors:\n" + "\n".join(f"• {x}" for x in t.minor_factors))
        if t.citations:
            tip.append("Source: " + "; ".join(c.text for c in t.citations))
        self.tier_box.setToolTip("\n\n".join(tip))

        # CARE
        total = len(a.care) or 31
        done = sum(1 for c in a.care if c.status == "complete")
        if (self.care_bar.maximum(), self.care_bar.value()) != (total, done):  # each change repaints
            self.care_bar.setRange(0, total)
            self.care_bar.setValue(done)
        self.care_label.setText(f"{done} of {total}")  # "complete" is the bar's and the tooltip's: the
        self.care_label.setToolTip(f"{done} of {total} CARE items complete")  # narrow pane cut it to "compl"
        self.care_bar.setAccessibleDescription(f"{done} of {total} CARE items complete")
        self.care_missing.clear()
        for c in a.care:
            if c.status == "complete":
                continue
            item = QListWidgetItem(f"{c.item} {c.topic}: {c.text} ({c.status})")
            item.setToolTip(f"CARE {c.item} ({c.topic}): {c.text}\nStatus: {c.status}"
                            + (f"\nRecorded: {'; '.join(c.support)}" if c.support else ""))
            if c.status == "partial":
                item.setForeground(QBrush(QColor(SEVERITY_COLOUR["notice"])))
            if c.item in CARE_REFS:
                item.setData(_RefRole, CARE_REFS[c.item])
                item.setToolTip(item.toolTip() + "\nClick to go to it.")
            self.care_missing.addItem(item)
        left = self.care_missing.count()
        self.care_toggle.setText(f"{left} to do ▾" if left else "All done")
        self.care_toggle.setEnabled(bool(left))
        if not left:
            self.care_missing.addItem("Every CARE item is complete.")
        self.assessed.emit(a)

    def _selected_finding(self):
        item = self.findings.currentItem()
        return item.data(0, _FindingRole) if item is not None else None

    def _finding_clicked(self, item, _column) -> None:
        """A click on a consent finding goes to the consent fields as well as showing the finding."""
        f = item.data(0, _FindingRole)
        if f is not None and consent_related(f):
            ref = next((e.ref for e in f.evidence if _ref_head(e.ref) == "consent"), "") or "consent"
            self.go_to_ref.emit(ref)

    def _care_item_clicked(self, item) -> None:
        ref = item.data(_RefRole)
        if ref:
            self.go_to_ref.emit(ref)

    def _finding_selected(self, current, _previous) -> None:
        self._show_detail(current.data(0, _FindingRole) if current is not None else None)

    def _show_detail(self, f) -> None:
        self.evidence.clear()
        if f is None:
            self.detail_text.setHtml("<p style='color:palette(placeholder-text)'>Select a finding to see the "
                                     "values it used and its sources.</p>")
            self._update_go()
            return
        sev = f.severity
        parts = [f"<p><b style='color:{SEVERITY_COLOUR[sev]}'>{SEVERITY_LABEL[sev]}</b> · "
                 f"{_esc(f.category.replace('_', ' '))}</p>",
                 f"<p><b>{_esc(f.title)}</b></p>", f"<p>{_esc(f.message)}</p>"]
        if f.citations:
            parts.append("<p><b>Sources</b></p><ol style='margin-left:-20px'>")
            for c in f.citations:
                tag = f" [{_esc(c.confidence)}]" if c.confidence else ""
                parts.append(f"<li>{_esc(c.text)}{tag}</li>")
            parts.append("</ol>")
        parts.append(f"<p><small>Rule {_esc(f.rule_id)}</small></p>")
        self.detail_text.setHtml("".join(parts))
        for e in f.evidence:
            value = f"{e.value} {e.unit}".strip()
            text = f"{e.label}: {value}" + (f" — {e.time}" if e.time else "")
            item = QListWidgetItem(("→ " if e.ref else "   ") + text)
            item.setData(Qt.ItemDataRole.UserRole, e.ref)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            item.setToolTip(f"Go to data: {e.ref}" if e.ref else "Not linked to a recorded item")
            self.evidence.addItem(item)
        first = next((r for r, e in enumerate(f.evidence) if e.ref), None)
        if first is not None:
            self.evidence.setCurrentRow(first)
        self._update_go()

    def _current_ref(self) -> str:
        for item in self.evidence.selectedItems():
            if item.data(Qt.ItemDataRole.UserRole):
                return item.data(Qt.ItemDataRole.UserRole)
        f = self._selected_finding()
        if f is not None:
            return next((e.ref for e in f.evidence if e.ref), "")
        return ""

    def _update_go(self) -> None:
        self.go_button.setEnabled(bool(self._current_ref()))

    def _go(self) -> None:
        ref = self._current_ref()
        if ref:
            self.go_to_ref.emit(ref)

    # --- for tests and the window -----------------------------------------------------------------------

    def finding_items(self) -> list[QTreeWidgetItem]:
        out = []
        for i in range(self.findings.topLevelItemCount()):
            top = self.findings.topLevelItem(i)
            out.extend(top.child(j) for j in range(top.childCount()))
        return out

    def select_finding(self, rule_id: str) -> bool:
        for item in self.finding_items():
            if item.data(0, _FindingRole).rule_id == rule_id:
                self.findings.setCurrentItem(item)
                return True
        return False


def _esc(text: str) -> str:
    return html.escape(str(text), quote=False)
