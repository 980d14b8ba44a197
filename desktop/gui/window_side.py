"""The main window's side panes: the Assessment tab (the live assessment of the open case) and the
Journal tab (the case against the chosen journal's rules).

:class:`SidePanes` is a part of :class:`~desktop.gui.main_window.MainWindow`. At start-up the tabs
are made empty, so the window keeps its layout, and their panels are built right after the case's
first paint (with the case's session); until then a stand-in keeps what the window tells them, and
anything else asked of them builds them at once. A window made complete (not at start-up) builds
them with the rest."""
from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _PendingPanel:
    """Stands in for the assessment or the Journal panel until :meth:`SidePanes.build_side_panes`
    made it (start-up builds them after the case's first paint): keeps the session it is given, and
    anything else asked of it builds the panels first."""

    def __init__(self, window: "SidePanes", name: str):
        self._window, self._name = window, name
        self.session = None
        self.options: dict = {}
        self.asked = False

    def set_session(self, session, **options) -> None:
        self.session, self.options, self.asked = session, options, True

    def __getattr__(self, attr: str):
        self._window.build_side_panes()
        return getattr(getattr(self._window, self._name), attr)


class SidePanes:
    """The Assessment and Journal tabs of the window. Uses the window's ``go_to_ref``,
    ``show_disclaimer``, ``stack``, ``_update_actions`` and its ``started`` signal."""

    def _make_side_tabs(self) -> None:
        """The tabs, each with an empty page until :meth:`build_side_panes`."""
        self.side_tabs = QtWidgets.QTabWidget()  # by module: PySide6 builds the class when first used
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(QWidget(), "Assessment")
        self.side_tabs.addTab(QWidget(), "Journal")
        self.assessment = _PendingPanel(self, "assessment")
        self.conformance = _PendingPanel(self, "conformance")

    def side_panes_pending(self) -> bool:
        return isinstance(self.assessment, _PendingPanel)

    def build_side_panes(self) -> None:
        """Fill the Assessment and Journal tabs (once), showing the open case's session if any."""
        if not self.side_panes_pending():
            return
        self._fill_menus()  # start-up left them for now too
        from .assessment_panel import AssessmentPanel
        from .conformance_panel import ConformancePanel
        pending = (self.assessment, self.conformance)
        current = self.side_tabs.currentIndex()
        self.side_tabs.setUpdatesEnabled(False)
        self.assessment = AssessmentPanel()
        self.assessment.go_to_ref.connect(self.go_to_ref)
        self.assessment.show_disclaimer.connect(self.show_disclaimer)
        self.conformance = ConformancePanel()  # the Journal tab: the case against a journal's rules
        self.conformance.go_to_ref.connect(self.go_to_ref)
        for index, (panel, label) in enumerate(((self.assessment, "Assessment"), (self.conformance, "Journal"))):
            empty = self.side_tabs.widget(index)
            self.side_tabs.removeTab(index)
            self.side_tabs.insertTab(index, panel, label)
            empty.deleteLater()
        self.side_tabs.setCurrentIndex(current)
        self.side_tabs.setUpdatesEnabled(True)
        self.conformance.checked.connect(lambda _r: self._journal_tab_title())
        for stand_in, panel in zip(pending, (self.assessment, self.conformance)):
            if stand_in.asked:
                panel.set_session(stand_in.session, **stand_in.options)
        self._update_actions()
        self.started.emit()

    def _journal_tab_title(self) -> None:
        index = self.side_tabs.indexOf(self.conformance)
        self.side_tabs.setTabText(index, self.conformance.tab_text())
        self.side_tabs.setTabToolTip(index, self.conformance.tab_tip())

    def _side_panes_after_paint(self) -> None:
        """Start-up: build the side panes once the case's content has been painted (or soon anyway)."""
        if not self.side_panes_pending():
            return
        window = self

        class _Painted(QObject):
            def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint:
                    window.removeEventFilter(self)
                    window.stack.removeEventFilter(self)
                    self.deleteLater()
                    QTimer.singleShot(0, window.build_side_panes)
                return False

        watch = _Painted(self)
        self.installEventFilter(watch)
        self.stack.installEventFilter(watch)
        self.stack.update()
        QTimer.singleShot(300, self.build_side_panes)  # a window that is not painted (minimised)
