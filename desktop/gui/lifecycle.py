"""Keeping the open library safe while the window lives: pending edits flushed before anything
closes, and automatic backups.

- :func:`flush_pending_edits` makes every editor under a widget save what the user typed and has not
  saved yet: the focused field finishes its edit (as leaving it would), and each text area saves
  now instead of ~700 ms after typing stopped. The window calls it before it closes, before it
  switches case or library.
- :class:`BackupKeeper` runs the backup policy of :mod:`desktop.store.backup` for the window's
  library: a timer looks every minute whether a backup is due (something changed, and none was made
  in the last hour, or none at all yet) and makes it on a worker thread; on close the window asks
  for a last one. Each backup reads the library through a read-only connection of its own — the
  window's connection is never used from two threads — and is checked before it counts.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

if TYPE_CHECKING:
    from ..store.library import Library
    from .workers import BackgroundOp


def flush_pending_edits(root: QWidget) -> int:
    """Make the editors under ``root`` save what is typed but not yet saved: every text area whose
    text differs from what it last saved (it would save ~700 ms after typing stopped) and the focused
    line edit with an unfinished edit (it would save on leaving it). Returns how many were asked.

    What each one holds is noted first: a save refreshes the section, which shows the saved values
    again, so an editor still waiting its turn gets its typed text back before it saves."""
    from shiboken6 import isValid
    from .fields import TextArea
    pending: list[tuple[QWidget, str | None]] = []
    focus = QApplication.focusWidget() or root.window().focusWidget()
    if focus is not None and (focus is root or root.isAncestorOf(focus)) and not _read_only(focus):
        if isinstance(focus, QLineEdit) and focus.isModified():
            pending.append((focus, focus.text()))
        elif isinstance(focus, QAbstractSpinBox) and focus.hasFocus():
            pending.append((focus, None))
    for area in root.findChildren(TextArea):
        if not area.isReadOnly() and area.toPlainText() != getattr(area, "_saved", area.toPlainText()):
            pending.append((area, area.toPlainText()))
    for w, text in pending:
        if not isValid(w):
            continue
        if isinstance(w, TextArea):
            if w.toPlainText() != text:
                w.setPlainText(text)
            w.commit()
        elif isinstance(w, QLineEdit):
            if w.text() != text:
                w.setText(text)
            w.editingFinished.emit()  # as leaving the field does
        else:
            w.clearFocus()  # a spin box finishes its edit on focus-out
    return len(pending)


def _read_only(w: QWidget) -> bool:
    is_ro = getattr(w, "isReadOnly", None)
    return bool(is_ro()) if callable(is_ro) else False


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def backup_label(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """"Last backup: 10:42" in the machine's local time (with the date when not today)."""
    if when is None:
        return "No backup yet"
    local = when.astimezone()
    today = (now or _utc_now()).astimezone().date()
    return f"Last backup: {local:%H:%M}" if local.date() == today else f"Last backup: {local:%Y-%m-%d %H:%M}"


class BackupKeeper(QObject):
    """Automatic backups of one open library (see the module's docstring)."""

    CHECK_INTERVAL_MS = 60_000
    RETRY_AFTER = dt.timedelta(minutes=15)  # after a failed backup, the timer waits this long
    backed_up = Signal(object)  # the new backup's Path
    failed = Signal(str)  # why a backup could not be made (nothing else was changed)
    status_changed = Signal(str)  # "Last backup: 10:42"

    def __init__(self, library: "Library", parent: QObject | None = None):
        super().__init__(parent)
        from ..store.backup import BackupState
        self.library = library
        self.state = BackupState.start(library)
        self.op: BackgroundOp | None = None
        self.last_error = ""
        self.failed_at: dt.datetime | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(self.CHECK_INTERVAL_MS)
        self.timer.timeout.connect(lambda: self.check())
        if not library.read_only:
            self.timer.start()

    # --- state ----------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.op is not None and not self.op.done

    def status_text(self) -> str:
        text = backup_label(self.state.last_at)
        if self.last_error:
            text += " (the last attempt failed)"
        return text

    def folder(self) -> Path:
        from ..store.backup import backup_folder
        return backup_folder(self.library.path)

    def due(self, now: dt.datetime | None = None, *, closing: bool = False) -> bool:
        from ..store.backup import backup_due
        if self.library.conn is None:
            return False
        return backup_due(self.library, self.state, now, closing=closing)

    # --- making backups -----------------------------------------------------------------------------

    def check(self, now: dt.datetime | None = None, *, closing: bool = False) -> "BackgroundOp | None":
        """Start a backup on a worker when one is due; the op, or None. After a failure the timer
        tries again only after :attr:`RETRY_AFTER` (the author was told once); a close always tries."""
        if self.busy or not self.due(now, closing=closing):
            return None
        if not closing and self.failed_at is not None and (now or _utc_now()) - self.failed_at < self.RETRY_AFTER:
            return None
        return self.start(now, closing=closing)

    def start(self, now: dt.datetime | None = None, *, closing: bool = False) -> "BackgroundOp":
        from .workers import BackgroundOp
        now = now or _utc_now()
        changes = self.library.changes  # what this backup holds (edits while it runs come next time)
        path = self.library.path

        def job(progress):
            progress(None, text="copying and checking")
            return make_backup(path, now)

        self._started = now

        label = "Backing up the library before closing" if closing else "Backing up the library"
        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        self.op = BackgroundOp(job, parent=parent, label=label) \
            .on_success(lambda made: self._made(made, now, changes)) \
            .on_failure(self._failed)
        return self.op.run()

    def backup_now(self, now: dt.datetime | None = None, *, closing: bool = False) -> Path | None:
        """The same policy, waited for (at close, when no later result could be shown): the backup's
        path, or None when none was due. The copy and its check run on a worker, through a read-only
        connection of their own, while this thread keeps painting (issue 11: no file work of more than
        one row on the window's thread). Raises like :func:`desktop.store.backup.backup`."""
        from .workers import wait_off_thread
        if self.library.conn is None or not self.due(now, closing=closing):
            return None
        now = now or _utc_now()
        changes = self.library.changes  # what this backup holds
        path = self.library.path
        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        label = "Backing up the library before closing" if closing else "Backing up the library"
        made = wait_off_thread(lambda progress: make_backup(path, now), parent=parent, label=label)
        self._made(made, now, changes)
        return made

    def stop(self) -> None:
        self.timer.stop()

    def _made(self, made: Path, now: dt.datetime, changes: int) -> None:
        self.state.last_at = now
        self.state.changes_at_last = changes
        self.last_error = ""
        self.failed_at = None
        self.status_changed.emit(self.status_text())
        self.backed_up.emit(made)

    def _failed(self, exc: BaseException) -> None:
        from .workers import describe_error
        self.last_error = describe_error(exc)
        self.failed_at = getattr(self, "_started", None) or _utc_now()
        self.status_changed.emit(self.status_text())
        self.failed.emit(self.last_error)


def make_backup(library_path: Path, now: dt.datetime) -> Path:
    """For a worker: back up the library through a read-only connection of its own, then thin the
    old backups (the policy of :func:`desktop.store.backup.maybe_backup`)."""
    from ..store.backup import backup, prune
    from ..store.library import open_library
    with open_library(library_path, read_only=True) as ro:
        made = backup(ro, now=now)
    prune(library_path, now)
    return made
