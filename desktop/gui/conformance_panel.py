"""The Journal tab beside the assessment: the open case checked against the rules of the journal the
author writes for (resources/journals/), every rule with its numbers — "main text 1,834 of 2,000
words", "keywords 2, needs 3–10", "title contains 'case report': not allowed" — and pass, fail
(a hard rule: a final export is refused) or warning (a soft one).

The check is the operations layer's :func:`desktop.app.conformance.check_manuscript`, the one the
command line's ``check-manuscript`` prints. It is re-run a moment after every change; on the GUI
thread while it is quick (it takes well under a millisecond on a typical case), on a worker reading
the case through its own read-only connection once a run took longer. The chosen journal is the
session's (:attr:`~desktop.gui.session.CaseSession.journal_id`): remembered per case, and the
default of the window's exports.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from .status_icons import SEVERITY_COLOUR, status_icon

DEBOUNCE_MS = 300
FAST_ENOUGH_S = 0.005  # above this ("a few ms"), check on a worker: typing never waits for it
STATUS_TEXT = {"pass": "Pass", "fail": "Fail", "warning": "Warning"}
STATUS_ORDER = {"fail": 0, "warning": 1, "pass": 2}
MANY_MARKERS = 100  # a text citing this often goes to the worker from its first check (it grows faster than linearly)
_ResultRole = Qt.ItemDataRole.UserRole + 1
_RefRole = Qt.ItemDataRole.UserRole + 2

# Where the author fixes what a rule of each kind counts (a ref the window's go_to_ref understands).
KIND_REFS = {
    "main_text_words_max": "manuscript.introduction", "abstract_words_max": "manuscript.abstract_background",
    "no_citations_in_abstract": "manuscript.abstract_background", "keywords_range": "keywords",
    "title_contains": "title", "title_excludes": "title", "references_max": "references",
    "citations_resolved": "manuscript", "figures_max": "figures", "authors_max": "authors",
    "consent_recorded": "consent",
}

# where each part a final export needs is recorded (desktop/report/required.py names the parts)
PART_REFS = {
    "title": "title", "authors": "authors", "abstract: background": "manuscript.abstract_background",
    "abstract: case presentation": "manuscript.abstract_case",
    "abstract: conclusions": "manuscript.abstract_conclusions", "keywords": "keywords",
    "background (introduction)": "manuscript.introduction", "age": "patient.age_years", "sex": "patient.sex",
    "ethnic background": "patient.ethnicity", "discussion": "manuscript.discussion",
    "conclusions": "manuscript.conclusions", "ethics approval and consent to participate": "manuscript.ethics",
    "consent for publication": "consent", "availability of data and materials": "manuscript.data_availability",
    "competing interests": "manuscript.competing_interests", "funding": "manuscript.funding",
    "authors' contributions": "authors", "acknowledgements": "manuscript.acknowledgements",
    "references": "references",
}


@dataclass(frozen=True)
class MissingPart:
    """A part a final export needs and the manuscript lacks, listed beside the journal's rules."""
    rule: str  # "required:<part>"
    label: str
    source: str
    confidence: str
    hard: bool = True
    status: str = "missing"


def marker_count(case) -> int:
    """How many citation markers the manuscript holds (what makes the check slow)."""
    from ..references.cite import MARKER
    m = case.manuscript
    return sum(len(MARKER.findall(v)) for v in vars(m).values() if isinstance(v, str))


class ConformancePanel(QWidget):
    go_to_ref = Signal(str)  # the window shows the field a rule counts
    checked = Signal(object)  # list[RuleResult] now shown

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = None
        self.results: list | None = None
        self.journal_id: str | None = None
        self._kinds: dict[str, str] = {}
        self._generation = 0
        self._use_worker = False
        self._worker_busy = False
        self._rerun = False
        self.last_run_s: float | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 8, 8)
        lay.setSpacing(6)
        row = QHBoxLayout()
        caption = QLabel("Written &for:")
        self.journal_combo = QComboBox()
        self.journal_combo.setAccessibleName("The journal the case is written for")
        self.journal_combo.setToolTip("The journal profile the manuscript is checked against; also the "
                                      "default of the exports from this window (remembered for the case)")
        self.journal_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.journal_combo.setMinimumContentsLength(12)
        self.journal_combo.setProperty("readOnlySafe", True)  # a view choice: a read-only case may use it
        caption.setBuddy(self.journal_combo)
        self.journal_combo.activated.connect(self._journal_picked)
        row.addWidget(caption)
        row.addWidget(self.journal_combo, 1)
        lay.addLayout(row)

        self.summary = QLabel("No case open.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Journal rules met")
        # two lines reserved: the summary changes with every edit and must not move the list
        self.summary.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.summary)

        self.rules = QListWidget()
        self.rules.setAccessibleName("The journal's rules, each with its numbers")
        self.rules.setWordWrap(True)
        self.rules.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rules.setStyleSheet("QListWidget::item { padding: 3px 0; }")
        self.rules.currentItemChanged.connect(lambda cur, _prev: self._show_source(cur))
        self.rules.itemActivated.connect(lambda _i: self._go())
        self.rules.itemDoubleClicked.connect(lambda _i: self._go())
        self.rules.itemClicked.connect(self._clicked)
        lay.addWidget(self.rules, 3)

        self.source = QLabel("")
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source.setAccessibleName("Source of the selected rule")
        self.source.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.source.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        lay.addWidget(self.source, 1)
        go_row = QHBoxLayout()
        go_row.addStretch(1)
        self.go_button = QPushButton("Go to field")
        self.go_button.setToolTip("Show where the selected rule's number comes from (Enter)")
        self.go_button.setEnabled(False)
        self.go_button.setProperty("readOnlySafe", True)
        self.go_button.clicked.connect(self._go)
        go_row.addWidget(self.go_button)
        lay.addLayout(go_row)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_now)

    # --- session --------------------------------------------------------------------------------------

    def set_session(self, session) -> None:
        old = self.session
        if old is not None:
            for sig, slot in ((old.changed, self._changed), (old.journal_changed, self._journal_changed)):
                try:
                    sig.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self.session = session
        self._generation += 1
        self.results = None
        if session is None:
            self._timer.stop()
            self.rules.clear()
            self.summary.setText("No case open.")
            self.source.setText("")
            self.go_button.setEnabled(False)
            return
        self._fill_journals()
        session.changed.connect(self._changed)
        session.journal_changed.connect(self._journal_changed)
        self._select_journal(session.journal_id)
        self._timer.start(0)

    def _fill_journals(self) -> None:
        if self.journal_combo.count():
            return
        from ..journals import journal, journal_ids
        for jid in journal_ids():
            self.journal_combo.addItem(journal(jid).name, jid)
            self.journal_combo.setItemData(self.journal_combo.count() - 1, f"{journal(jid).name} ({jid})",
                                           Qt.ItemDataRole.ToolTipRole)

    def _select_journal(self, jid: str) -> None:
        i = self.journal_combo.findData(jid)
        if i >= 0 and i != self.journal_combo.currentIndex():
            self.journal_combo.setCurrentIndex(i)

    def _journal_picked(self, index: int) -> None:
        jid = self.journal_combo.itemData(index)
        if self.session is not None and jid:
            self.session.set_journal(jid)

    def choose_journal(self, jid: str) -> None:
        """Pick a journal as the author does in the box (tests and the window)."""
        i = self.journal_combo.findData(jid)
        if i < 0:
            raise KeyError(jid)
        self.journal_combo.setCurrentIndex(i)
        self._journal_picked(i)

    def _journal_changed(self, jid: str) -> None:
        self._select_journal(jid)
        self._generation += 1
        self.refresh_now()

    def _changed(self, _part: str) -> None:
        self._generation += 1
        self._timer.start(DEBOUNCE_MS)

    # --- running --------------------------------------------------------------------------------------

    def refresh_now(self) -> None:
        self._timer.stop()
        if self.session is None:
            return
        from ..app.conformance import check_manuscript
        jid, generation = self.session.journal_id, self._generation
        if self._use_worker or marker_count(self.session.case) > MANY_MARKERS:
            self._run_on_worker(jid, generation)
            return
        t0 = time.perf_counter()
        results = check_manuscript(self.session.case, jid)
        self.last_run_s = time.perf_counter() - t0
        self._use_worker = self.last_run_s > FAST_ENOUGH_S
        self._show(jid, results)

    def _run_on_worker(self, jid: str, generation: int) -> None:
        if self._worker_busy:
            self._rerun = True
            return
        from .workers import BackgroundOp
        path, case_id = self.session.library.path, self.session.case_id

        def job(_progress):
            from ..app.conformance import check_manuscript
            from ..store.library import open_library
            t0 = time.perf_counter()
            with open_library(path, read_only=True) as lib:
                case = lib.load_case(case_id, figures=False)
            return check_manuscript(case, jid), time.perf_counter() - t0

        def done(out: Any) -> None:
            self._worker_busy = False
            results, self.last_run_s = out
            if generation == self._generation and self.session is not None and self.session.case_id == case_id:
                self._show(jid, results)
            if self._rerun:
                self._rerun = False
                self.refresh_now()

        def failed(exc: BaseException) -> None:
            self._worker_busy = False
            self.summary.setText(f"The journal check failed ({type(exc).__name__}: {exc}).")

        self._worker_busy = True
        BackgroundOp(job, parent=None, label="Checking the journal's rules").on_success(done) \
            .on_failure(failed).run()

    # --- showing --------------------------------------------------------------------------------------

    def _show(self, jid: str, results: list) -> None:
        from ..journals import journal
        j = journal(jid)
        self._kinds = {r.id: r.kind for r in j.rules}
        keep = self.rules.currentItem().data(_ResultRole).rule if self.rules.currentItem() else None
        self.results, self.journal_id = results, jid
        met = sum(r.status == "pass" for r in results)
        fails = sum(r.status == "fail" for r in results)
        warns = sum(r.status == "warning" for r in results)
        text = f"{j.name}: {met} of {len(results)} rules met"
        if fails:
            text += f"; {fails} hard rule{'s' if fails != 1 else ''} broken — a final export is refused"
        if warns:
            text += f"; {warns} warning{'s' if warns != 1 else ''}"
        # the parts every final manuscript needs (desktop.report.required: the declarations as stated
        # by the authors, the abstract …) are refused by an export before the journal's rules are
        # read: said here too, or "all rules met" would promise an export that is then refused
        from ..report.required import missing_parts
        missing = missing_parts(self.session.case, jid) if self.session is not None else []
        if missing:
            shown = ", ".join(missing[:3]) + (", …" if len(missing) > 3 else "")
            text += (f". {len(missing)} required part{'s are' if len(missing) != 1 else ' is'} missing "
                     f"({shown}): a final export is refused until {'they are' if len(missing) != 1 else 'it is'}"
                     " recorded")
        self._missing = missing
        self.summary.setText(text + ".")
        self.summary.setToolTip("Missing for a final export: " + "; ".join(missing) + "." if missing else "")
        self.rules.blockSignals(True)
        self.rules.clear()
        reselect = None
        for r in sorted(results, key=lambda r: STATUS_ORDER[r.status]):  # stable: the profile's order within
            item = QListWidgetItem(status_icon(r.status), f"{STATUS_TEXT[r.status]} · {r.detail}\n{r.label}")
            colour = SEVERITY_COLOUR["critical" if r.status == "fail" else "warning"]
            if r.status != "pass":  # the word and the icon say it too: colour is never the only cue
                item.setForeground(QBrush(QColor(colour)))
            item.setData(_ResultRole, r)
            item.setData(_RefRole, self._ref_for(r))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{STATUS_TEXT[r.status]}: {r.detail}. {r.label}")
            item.setToolTip(f"{r.label}\n{'Hard rule' if r.hard else 'Soft rule'} [{r.confidence}]\n"
                            f"Source: {r.source}")
            self.rules.addItem(item)
            if r.rule == keep:
                reselect = item
        # each missing part in the list too, with the field it goes in: the count in the tab's title
        # is what the list shows, not three of sixteen named in the summary
        j_source = j.source_text((j.data.get("required_parts") or {}).get("source", "")) if j.required_parts_own \
            else "the CARE checklist (the journal's own list is not verified)"
        confidence = (j.data.get("required_parts") or {}).get("confidence", "S") if j.required_parts_own else "V"
        # a part a broken rule of the journal already stands for (consent) is one thing to fix, not two
        failing = {KIND_REFS.get(self._kinds.get(r.rule, ""), "") for r in results if r.status == "fail"}
        self._missing_rows = [name for name in missing if PART_REFS.get(name) not in failing]
        for name in self._missing_rows:
            part = MissingPart(f"required:{name}", "Required for a final export", j_source, confidence)
            item = QListWidgetItem(status_icon("fail"), f"Missing · {name}\n{part.label}")
            item.setForeground(QBrush(QColor(SEVERITY_COLOUR["critical"])))
            item.setData(_ResultRole, part)
            item.setData(_RefRole, PART_REFS.get(name, ""))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"Missing: {name}. {part.label}")
            item.setToolTip(f"{name[:1].upper() + name[1:]}: required for a final export, in the authors' own "
                            "words (write \u201cNot applicable.\u201d where it does not apply).\nSource: " + j_source)
            # after the broken rules, before the warnings and the rules met
            at = sum(self.rules.item(i).data(_ResultRole).status == "fail" for i in range(self.rules.count()))
            self.rules.insertItem(at + self._missing_rows.index(name), item)
            if part.rule == keep:
                reselect = item
        self.rules.blockSignals(False)
        if reselect is not None:
            self.rules.setCurrentItem(reselect)
        self._show_source(self.rules.currentItem())
        self.checked.emit(results)

    def _ref_for(self, r) -> str:
        kind = self._kinds.get(r.rule, "")
        if kind == "citations_resolved" and r.status != "pass" and self.session is not None:
            from ..references.cite import number_citations  # the first marker naming no reference
            unknown = number_citations(self.session.case).unknown
            if unknown:
                return f"manuscript.{unknown[0][0].section}"
        return KIND_REFS.get(kind, "")

    def _show_source(self, item) -> None:
        r = item.data(_ResultRole) if item is not None else None
        if r is None:
            self.source.setText("Select a rule to see its source.")
            self.go_button.setEnabled(False)
            return
        if isinstance(r, MissingPart):
            name = r.rule.removeprefix("required:")
            self.source.setText(f"{name[:1].upper() + name[1:]}: a final export is refused until it is recorded, in "
                                f"the authors' own words (\u201cNot applicable.\u201d where it does not apply; "
                                f"confidence {r.confidence}).\nSource: {r.source}")
            self.go_button.setEnabled(bool(item.data(_RefRole)))
            return
        kind = "hard rule: a final export is refused while it fails" if r.hard else \
            "soft rule: a warning"
        self.source.setText(f"{r.label} ({kind}; confidence {r.confidence}).\nSource: {r.source}")
        self.go_button.setEnabled(bool(item.data(_RefRole)))

    def _clicked(self, item) -> None:
        # a consent rule goes to the consent fields at once, as the consent findings do
        if item.data(_RefRole) == "consent":
            self.go_to_ref.emit("consent")

    def _go(self) -> None:
        item = self.rules.currentItem()
        ref = item.data(_RefRole) if item is not None else ""
        if ref:
            self.go_to_ref.emit(ref)

    # --- for tests and the window ---------------------------------------------------------------------

    def tab_text(self) -> str:
        """The tab's title: "Journal", with the number of things a final export is refused for when
        there are any — broken hard rules and missing required parts alike (one count, so the title
        never says "1 to fix" above a summary that lists sixteen missing parts)."""
        fails = sum(r.status == "fail" for r in self.results or [])
        n = fails + len(getattr(self, "_missing_rows", []))
        return f"Journal ({n} to fix)" if n else "Journal"

    def tab_tip(self) -> str:
        """What the tab's count is made of."""
        fails = sum(r.status == "fail" for r in self.results or [])
        missing = len(getattr(self, "_missing_rows", []))
        parts = ([f"{fails} hard rule{'s' if fails != 1 else ''} broken"] if fails else []) + \
                ([f"{missing} required part{'s' if missing != 1 else ''} missing"] if missing else [])
        if not parts:
            return "The journal's rules: none stops a final export."
        return "A final export is refused until these are fixed: " + " and ".join(parts) + "."

    def row_texts(self) -> list[str]:
        return [self.rules.item(i).text() for i in range(self.rules.count())]

    def select_rule(self, rule_id: str) -> QListWidgetItem | None:
        for i in range(self.rules.count()):
            item = self.rules.item(i)
            if item.data(_ResultRole).rule == rule_id:
                self.rules.setCurrentItem(item)
                return item
        return None
