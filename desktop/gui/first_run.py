"""The first run on a workstation: once the new default library is open, a one-page note on how the
data is kept (where the file is, backups, that nothing leaves the machine). Also Help ▸ How your
data is kept."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget


def note_text(library_path: Path) -> str:
    backups = library_path.parent / "backups"
    return (
        "<h3>How your data is kept</h3>"
        f"<p><b>One file.</b> Everything you record — cases, images, identifiers — is in one library file:<br>"
        f"<code>{library_path}</code><br>readable by your user account only. Every edit is saved the moment "
        "you make it; there is no Save button, and nothing is lost if the computer stops.</p>"
        f"<p><b>Backups.</b> Checked copies are made while you work and when you close Casebook, in<br>"
        f"<code>{backups}</code><br>kept as recent, daily, weekly and monthly copies. Copy the library file "
        "to move it; File ▸ Open library opens another.</p>"
        "<p><b>Nothing leaves this computer.</b> Casebook makes no network connection. Exports are files "
        "you choose to write; every one except your own identified copies is de-identified first, and "
        "possible identifiers in free text are shown to you before anything is written.</p>"
        "<p>The demo case is a published case report (Smilnak et al., J Med Case Rep 2022), there to "
        "look at and to delete.</p>")


def show_note(parent: QWidget | None, library_path: Path) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "Welcome to Casebook", note_text(library_path),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("first_run_note")
    box.setModal(False)
    box.show()
    if parent is not None:
        parent.first_run_note = box  # type: ignore[attr-defined]
    return box


def show_when_ready(window, library_path: Path) -> None:
    """Show the note once the window has opened the library it just created."""
    def opened(_library) -> None:
        window.library_opened.disconnect(opened)
        QTimer.singleShot(0, lambda: show_note(window, library_path))
    window.library_opened.connect(opened)
