"""The main window's menus and their actions: File, Edit, Case, View and Help, and which actions are
enabled for the open library and case.

:class:`MenuActions` is a part of :class:`~desktop.gui.main_window.MainWindow`. At start-up the menu bar
gets its titles only (it has its height, so nothing below it moves) and the menus are filled right
after the case's first paint, with the side panes (issue 16); a window made complete fills them at once.
It uses the window's slots (``new_library_dialog``, ``undo``, ``show_section``, …) and ``_defer_side``."""
from __future__ import annotations

from typing import Callable

from PySide6 import QtGui

from . import sections as section_registry

# what View ▸ Units changes, said where it is chosen (issue 16: the switch used to change the entry units
# silently; those are now the library's own choice, in the Labs section)
UNITS_SWITCH_TIP = ("Show lab values in {units} in the lab table, the chart and the assessment. What is entered "
                    "does not change: new results are entered in this library's units (Labs).")


class MenuActions:
    menus_filled = False  # at start-up, right after the case's first paint

    def _action(self, text: str, slot: Callable | None = None, shortcut=None, menu=None,
                tip: str = "") -> QtGui.QAction:
        act = QtGui.QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QtGui.QKeySequence(shortcut))
        if slot is not None:
            act.triggered.connect(lambda _checked=False: slot())
        if tip:
            act.setStatusTip(tip)
        if menu is not None:
            menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        """The menu bar. At start-up only its titles (the bar keeps its height, nothing below it moves);
        the menus are filled right after the case's first paint (:meth:`_fill_menus`)."""
        mb = self.menuBar()
        self._menus = [mb.addMenu(title) for title in ("&File", "&Edit", "&Case", "&View", "&Help")]
        if not self._defer_side:
            self._fill_menus()

    def _fill_menus(self) -> None:
        if self.menus_filled:
            return
        self.menus_filled = True
        S = QtGui.QKeySequence.StandardKey
        f, e, c, v, h = self._menus
        self.act_new_library = self._action("&New library…", self.new_library_dialog, None, f,
                                            "Create a new, empty library file")
        self.act_open_library = self._action("&Open library…", self.open_library_dialog, S.Open, f,
                                             "Open another library file")
        self.recent_menu = f.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        f.addSeparator()
        self.act_import = self._action("&Import case…", self.import_case_dialog, "Ctrl+I", f,
                                       "Import a case file (JSON)")
        export = f.addMenu("&Export")
        self.export_menu = export
        self.act_export_pdf = self._action("&PDF…", self.export_pdf_dialog, "Ctrl+E", export,
                                           "Write the case report as PDF")
        self.act_export_json = self._action("&JSON…", lambda: self.export_json_dialog(deidentified=False),
                                            None, export, "Write the whole case, identifiers included, as JSON")
        self.act_export_json_deid = self._action(
            "JSON (&de-identified)…", lambda: self.export_json_dialog(deidentified=True), None, export,
            "Write the de-identified case as JSON")
        from .exports import KINDS
        self.export_actions: dict[str, QtGui.QAction] = {}
        for key in ("fhir", "phenopacket", "redcap", "labs_csv"):
            kind = KINDS[key][0]
            self.export_actions[key] = self._action(kind.menu_text, lambda k=key: self.export_dialog(k), None,
                                                    export, kind.tip)
        export.addSeparator()
        kind = KINDS["docx"][0]
        self.act_export_docx = self._action(kind.menu_text, lambda: self.export_dialog("docx"), None, export, kind.tip)
        self.export_actions["docx"] = self.act_export_docx
        self.act_export_package = self._action(
            "Submission &package…", self.export_package_dialog, None, export,
            "Write the submission package for a journal into a folder: manuscript (PDF and Word), figures, "
            "legends, CARE checklist, consent statement, cover-letter draft and a manifest")
        self.export_actions["package"] = self.act_export_package
        for act in self.export_actions.values():
            act.setToolTip(act.statusTip())
        export.setToolTipsVisible(True)
        f.addSeparator()
        self.act_quit = self._action("&Quit", self.close, S.Quit, f)
        self.act_quit.setMenuRole(QtGui.QAction.MenuRole.QuitRole)

        self.act_undo = self._action("&Undo", self.undo, "Ctrl+Z", e)
        self.act_redo = self._action("&Redo", self.redo, None, e)
        self.act_redo.setShortcuts([QtGui.QKeySequence("Ctrl+Shift+Z"), QtGui.QKeySequence("Ctrl+Y")])

        self.act_new_case = self._action("&New case…", self.ask_new_case, S.New, c)
        self.act_duplicate_case = self._action("&Duplicate case", lambda: self.duplicate_case(self._current_id()),
                                               "Ctrl+D", c)
        self.act_delete_case = self._action("De&lete case…", lambda: self.delete_case(self._current_id()),
                                            None, c, "Move the case to the trash (it can be restored)")
        self.act_trash = self._action("&Trash…", self.show_trash, None, c,
                                      "Cases deleted from this library: restore one, or empty the trash")
        c.addSeparator()
        self.act_audit = self._action("&Audit log…", self.show_audit_log, None, c,
                                      "Every recorded change of this case")

        units = v.addMenu("&Units")
        self.unit_actions = QtGui.QActionGroup(self)
        self.unit_actions.setExclusive(True)
        units.setToolTipsVisible(True)
        for system, label in (("conventional", "&Conventional (mg/dL)"), ("si", "&SI (mmol/L)")):
            act = QtGui.QAction(label, self, checkable=True)
            act.setData(system)
            act.setToolTip(UNITS_SWITCH_TIP.format(units=label.replace("&", "")))
            act.setStatusTip(act.toolTip())
            act.setChecked(system == self._unit_system)
            self.unit_actions.addAction(act)
            units.addAction(act)
        self.act_units_conventional, self.act_units_si = self.unit_actions.actions()
        self.unit_actions.triggered.connect(lambda act: self.set_unit_system(act.data()))
        v.addSeparator()
        self.section_actions: dict[str, QtGui.QAction] = {}
        for n, spec in enumerate(section_registry.SECTIONS):
            # an "&" in a label is text, not a mnemonic ("Imaging & biopsy")
            act = self._action(spec.label.replace("&", "&&"), lambda k=spec.key: self.show_section(k),
                               f"Ctrl+{(n + 1) % 10}", v)
            self.section_actions[spec.key] = act

        self.act_about = self._action("&About Casebook", self.show_about, None, h)
        self.act_about.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
        self.act_disclaimer = self._action("About the &assessment", self.show_disclaimer, None, h)
        self._update_actions()

    def _update_actions(self) -> None:
        if not self.menus_filled:  # start-up: done when the menus are filled
            return
        has_lib = self.library is not None
        writable = has_lib and not self.library.read_only
        has_case = self.session is not None
        self.act_import.setEnabled(writable)
        self.act_new_case.setEnabled(writable)
        self.act_duplicate_case.setEnabled(writable and has_case)
        self.act_delete_case.setEnabled(writable and has_case)
        self.act_trash.setEnabled(writable)
        self.act_audit.setEnabled(has_case)
        for act in (self.act_export_pdf, self.act_export_json, self.act_export_json_deid,
                    *self.export_actions.values()):
            act.setEnabled(has_case)
        from .exports import DOCX_UNAVAILABLE, KINDS, docx_available
        if self.side_panes_pending():
            pass  # start-up: looking for the Word writer imports the exporters' package; done right after
        elif not docx_available():
            self.act_export_docx.setEnabled(False)
            self.act_export_docx.setToolTip(DOCX_UNAVAILABLE)
            self.act_export_docx.setStatusTip(DOCX_UNAVAILABLE)
        else:
            self.act_export_docx.setToolTip(KINDS["docx"][0].tip)
            self.act_export_docx.setStatusTip(KINDS["docx"][0].tip)
        for act in self.section_actions.values():
            act.setEnabled(has_case)
        self.case_list.set_editable(writable)
        self._update_undo_actions()
