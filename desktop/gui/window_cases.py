"""The main window's case operations: open a case (keeping its session and undo history), new,
duplicate, delete to the trash and restore, undo and redo through the operations layer, and what a
case's session reports back.

:class:`CaseActions` is a part of :class:`~desktop.gui.main_window.MainWindow`."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtWidgets
from PySide6.QtCore import Qt

from .window_helpers import path_key

if TYPE_CHECKING:
    from .session import CaseSession
    from .workers import BackgroundOp

MAX_SESSIONS = 20  # cases whose undo history the window keeps while open


class CaseActions:
    """The cases of the open library, as the window shows and changes them. Owns ``session`` (the
    case shown) and ``_sessions`` (the cases whose undo history is kept); uses the window's case
    list, sections and Edit menu actions."""

    def refresh_case_list(self, select_id: str | None = None, *, wait: bool = True) -> "BackgroundOp | None":
        """Read the list of cases again — on a worker, with a connection of its own — and show it,
        keeping the selection (or moving it to ``select_id``). Each request has a number: a list
        that comes back after a newer one was asked for is dropped, so quick searches never end on
        an old list. ``wait``: return once a list at least this new is shown (the window keeps
        painting but takes no user input meanwhile, as when a case opens); the search box and the
        timer after an edit do not wait."""
        self._list_timer.stop()
        self._list_asked = gen = getattr(self, "_list_asked", 0) + 1
        if self.book is None:
            self._list_done = gen
            self.case_list.set_cases([])
            return None
        from shiboken6 import isValid
        from .workers import BackgroundOp, describe_error
        book, search = self.book, self.case_list.search.text()

        def show(rows) -> None:
            if not isValid(self) or gen != self._list_asked or self.book is not book:
                return  # a newer list was asked for (or another library opened): that one is shown
            keep = select_id or (self.session.case_id if self.session is not None else None)
            self.case_list.set_cases(rows, select_id=keep)

        def failed(exc) -> None:
            if isValid(self) and gen == self._list_asked and self.book is book:
                self.error_banner.show_message(describe_error(exc))

        def ended() -> None:
            if not isValid(self):
                return
            self._list_done = max(getattr(self, "_list_done", 0), gen)
            for loop in list(getattr(self, "_list_waits", [])):
                loop.quit()

        # no parent: a list read is too short to show in the status bar
        op = BackgroundOp(lambda _p: book.read_case_list(search))
        op.on_success(show).on_failure(failed).finished.connect(ended)
        op.run()
        if wait:
            self._wait_for_list(gen)
        return op

    def _wait_for_list(self, gen: int) -> None:
        """Run the event loop (no user input) until the list asked for as ``gen`` — or, when a newer
        one was asked for meanwhile, the newest — came back."""
        from PySide6.QtCore import QEventLoop
        waits = self.__dict__.setdefault("_list_waits", [])

        def pending() -> bool:
            return getattr(self, "_list_done", 0) < max(gen, self._list_asked)
        while pending():
            loop = QEventLoop()
            waits.append(loop)
            try:
                if pending():
                    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            finally:
                waits.remove(loop)

    def _current_id(self) -> str | None:
        return self.session.case_id if self.session is not None else self.case_list.current_id()

    def open_case(self, case_id: str | None) -> "CaseSession | None":
        """Show a case (None: no case). Its session is kept so its undo history survives switching.
        A case not open yet is read on a worker (the window keeps painting, and its own thread
        runs no query of the case's rows); an open asked for meanwhile follows it."""
        if getattr(self, "_opening", None) is not None:
            self._open_next = case_id  # asked while a case is being read: shown right after it
            return None
        if self.session is not None and case_id == self.session.case_id:
            return self.session
        self.flush_edits()  # text typed in the case being left is saved first
        self._deactivate_session()
        if case_id is None or self.library is None:
            self.session = None
            self._show_empty()
            self.case_opened.emit(None)
            return None
        from ..store.library import LibraryError
        session = self._sessions.pop(case_id, None)
        if session is None:
            from .session import CaseSession
            try:
                session = CaseSession(self.book.open_case(case_id, self._read_off_thread(case_id)))
            except LibraryError as exc:
                self.error_banner.show_message(str(exc))
                self.refresh_case_list()
                return None
            finally:
                pending, self._open_next = getattr(self, "_open_next", None), None
            if pending is not None and pending != case_id:
                return self.open_case(pending)
        self._sessions[case_id] = session  # most recent last
        while len(self._sessions) > MAX_SESSIONS:
            _old_id, old = self._sessions.popitem(last=False)
            self._forget_session(old)
        self.session = session
        session.changed.connect(self._session_changed)
        session.failed.connect(self._session_failed)
        self.nav.setEnabled(True)
        self.error_banner.hide()
        if self.case_list.current_id() != case_id:
            self.case_list.set_cases(self.case_list.model.rows, select_id=case_id)
        self._settings().setValue(f"last_case/{path_key(self.library.path)}", case_id)
        self.show_section(self._current_key)
        self.assessment.set_session(session, delay_ms=40)  # after the case has been painted
        self.conformance.set_session(session)
        self._update_title()
        self._update_actions()
        self.case_opened.emit(session)
        return session

    def _read_off_thread(self, case_id: str):
        """The case (without figure bytes), read on a worker through a connection of its own. The
        window's event loop runs meanwhile (painting, timers; user input waits for the few
        milliseconds this takes)."""
        from .workers import reader, wait_off_thread
        path = self.library.path

        def job(_progress):
            with reader(path) as lib:
                return lib.load_case(case_id, figures=False)
        self._opening = case_id
        try:
            return wait_off_thread(job, parent=self, label="Opening the case")
        finally:
            self._opening = None

    def _deactivate_session(self) -> None:
        """Leave the current case: its section widgets go, its session (and undo history) stays."""
        old = self.session
        self.assessment.set_session(None)
        self.conformance.set_session(None)
        self._clear_pages()
        if old is not None:
            # Sections may have connected lambdas to the session: cut every connection so nothing
            # reaches a deleted widget; ours are made again when the case is shown again.
            for sig in (old.changed, old.failed):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
        self.session = None

    def _forget_session(self, session: "CaseSession") -> None:
        session.close()
        if self.book is not None:
            self.book.close_case(session.case_id)
        session.deleteLater()

    def _drop_sessions(self) -> None:
        self._deactivate_session()
        for s in list(self._sessions.values()):
            self._forget_session(s)
        self._sessions.clear()

    def _show_empty(self) -> None:
        self._clear_pages()
        self.stack.setCurrentWidget(self.empty_page)
        self.nav.setEnabled(False)
        self.case_header.setText("")
        self.assessment.set_session(None)
        self.conformance.set_session(None)
        self._update_title()
        self._update_actions()

    def ask_new_case(self) -> str | None:
        """Case \u25b8 New case: asks for a working title first (Cancel makes nothing)."""
        if not self._writable():
            return None
        from .dialogs import ask_working_title
        title = ask_working_title(self)
        return self.new_case(title) if title is not None else None

    def new_case(self, title: str = "") -> str | None:
        if not self._writable():
            return None
        from ..store.library import LibraryError
        try:
            cid = self.book.new_case(title.strip() or "Untitled case report")
        except LibraryError as exc:
            self.error_banner.show_message(str(exc))
            return None
        if self.case_list.search.text():
            self.case_list.search.blockSignals(True)
            self.case_list.search.clear()
            self.case_list.search.blockSignals(False)
        self.refresh_case_list(select_id=cid)
        self.open_case(cid)
        self.statusBar().showMessage("New case created: every edit is saved as you go.", 6000)
        return cid

    def duplicate_case(self, case_id: str | None) -> "BackgroundOp | None":
        """Copy a case (images included) on a worker, with a connection of its own; the step is
        recorded and announced here once it is written, and the copy opens."""
        if not case_id or not self._writable():
            return None
        self.flush_edits()
        from .workers import BackgroundOp
        book = self.book
        lib_op = book.duplicate_op(case_id)

        def done(new_id: str) -> None:
            if self.book is not book:
                return
            lib_op.finish(new_id)
            self.refresh_case_list(select_id=new_id)
            self.open_case(new_id)
            self.statusBar().showMessage("Case duplicated.", 6000)

        def failed(exc) -> None:
            from .workers import describe_error
            self.error_banner.show_message(describe_error(exc))

        op = BackgroundOp(lambda progress: book.work_elsewhere(lib_op, progress), parent=self,
                          label=lib_op.label).on_success(done).on_failure(failed)
        self.last_duplicate_op = op
        return op.run()

    def _library_runner(self, book):
        """Where the book's operations on whole cases (new, trash, restore, empty the trash, and the
        undo and redo of these) do their work: on a worker, with a connection of its own, while this
        thread paints and takes no user input (a few milliseconds); the step is recorded and
        announced here afterwards. Called on a worker thread already, the work runs there."""
        from PySide6.QtCore import QCoreApplication, QThread

        def runner(op, progress):
            from .workers import wait_off_thread
            app = QCoreApplication.instance()
            if app is None or QThread.currentThread() is not app.thread():
                return book.work_elsewhere(op, progress)
            return wait_off_thread(lambda p: book.work_elsewhere(op, p), label=op.label)
        return runner

    def delete_case(self, case_id: str | None) -> bool:
        """Move a case to the trash (asks first); Edit ▸ Undo or Case ▸ Trash brings it back."""
        if not case_id or not self._writable():
            return False
        from ..store.library import LibraryError
        title = next((r.title for r in self.case_list.model.rows if r.id == case_id), "") or "Untitled case"
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, "Delete case",
                          f"Delete the case “{title}”?", QtWidgets.QMessageBox.StandardButton.Yes |
                          QtWidgets.QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirm_delete")
        box.setInformativeText("The case, its images and its identifiers move to the trash of this library. "
                               "Edit ▸ Undo or Case ▸ Trash brings it back until the trash is emptied.")
        yes = box.button(QtWidgets.QMessageBox.StandardButton.Yes)
        yes.setText("Delete")
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        if box.clickedButton() is not None:
            confirmed = box.clickedButton() is yes
        else:  # exec() answered without a click (tests patch exec)
            yes_code = QtWidgets.QMessageBox.StandardButton.Yes
            confirmed = answer in (yes_code, yes_code.value)
        if not confirmed:
            return False
        rows = self.case_list.ids()
        pos = rows.index(case_id) if case_id in rows else 0
        self.flush_edits()
        if self.session is not None and self.session.case_id == case_id:
            self.open_case(None)
        dropped = self._sessions.pop(case_id, None)
        if dropped is not None:
            self._forget_session(dropped)
        try:
            self.book.trash_case(case_id)
        except LibraryError as exc:
            self.error_banner.show_message(str(exc))
            return False
        self.refresh_case_list()
        ids = self.case_list.ids()
        if ids:
            self.case_list.select(ids[min(pos, len(ids) - 1)])
        else:
            self.open_case(None)
        self.statusBar().showMessage(f"Moved “{title}” to the trash (Edit ▸ Undo brings it back).", 8000)
        return True

    def show_trash(self):
        """Case ▸ Trash: the deleted cases, to restore one or empty the trash."""
        if self.book is None:
            return None
        from .dialogs import TrashDialog
        dlg = TrashDialog(self.book, self)
        dlg.restored.connect(lambda cid: (self.refresh_case_list(select_id=cid), self.open_case(cid)))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.last_trash_dialog = dlg
        return dlg

    # --- undo / redo: the operations layer's, for the case in hand and the library ----------------------------

    def undo(self) -> None:
        self._undo_redo(redo=False)

    def redo(self) -> None:
        self._undo_redo(redo=True)

    def _undo_redo(self, *, redo: bool) -> None:
        if self.book is None or not self._writable():
            return
        self.flush_edits()
        from ..store.library import LibraryError
        cid = self.session.case_id if self.session is not None else None
        if cid is not None and self.book.next_is_the_case(cid, redo=redo):
            self.session.replay(redo=redo)  # a step of many rows is written on a worker
            return
        try:
            changes = self.book.redo(cid) if redo else self.book.undo(cid)
        except LibraryError as exc:
            self._session_failed(str(exc))
            return
        if changes is not None and not changes.parts:  # a step of the library: a case made or deleted
            self._library_step_done(changes.case_id)

    def _library_step_done(self, case_id: str | None) -> None:
        """After undo or redo of a library step: show the case it brought back, or leave one it removed."""
        self.refresh_case_list()
        ids = self.case_list.ids()
        if case_id in ids:
            self.case_list.select(case_id)
        elif self.session is not None and self.session.case_id not in ids:
            self.open_case(ids[0] if ids else None)
            if ids:
                self.case_list.select(ids[0])
        self._update_undo_actions()

    def _on_changes(self, changes) -> None:
        """A notification of the operations layer (on this thread)."""
        if self.book is None:
            return
        if changes.case_id is None and changes.cases:
            self._list_timer.start()
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        if not self.built or not self.menus_filled:
            return
        book = self.book
        cid = self.session.case_id if self.session is not None else None
        writable = book is not None and not book.read_only
        can_undo = writable and book.can_undo(cid)
        can_redo = writable and book.can_redo(cid)
        self.act_undo.setEnabled(can_undo)
        self.act_redo.setEnabled(can_redo)
        self.act_undo.setText("&Undo" + (f" {book.undo_label(cid)}" if can_undo else ""))
        self.act_redo.setText("&Redo" + (f" {book.redo_label(cid)}" if can_redo else ""))

    def _writable(self) -> bool:
        if self.library is None:
            return False
        if self.library.read_only:
            self.statusBar().showMessage(self.library.notice or "The library is open read-only.", 8000)
            return False
        return True

    # --- session events ------------------------------------------------------------------------------------

    def _session_changed(self, part: str) -> None:
        self._update_undo_actions()
        if part == "case":
            self._update_title()
        if part in ("case", "outcome", "lesions"):
            self._list_timer.start()  # the list shows title, status, sites and outcome

    def _session_failed(self, message: str) -> None:
        message = message.rstrip() + ("" if message.rstrip().endswith((".", "!", "?")) else ".")
        self.error_banner.show_message(message, lead="Not saved:")
        self.statusBar().showMessage(f"Not saved: {message}", 10000)
