"""File ▸ Export ▸ Submission package driven through the menu: the journal is chosen, then a folder
(QInputDialog's and QFileDialog's static methods are replaced: native dialogs cannot be driven in a
test); the package is written on a worker through the operations layer, and the window lists what
the journal's anonymisation changed. Files are read back."""
from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog

from desktop.store.library import create_library
from test_package import complete_demo
from window_fixtures import isolated_settings, no_unanswered_dialog, window  # noqa: F401  (fixtures)


@pytest.fixture
def lib_path(tmp_path) -> Path:
    path = tmp_path / "lib.casebook"
    lib = create_library(path)
    case = complete_demo()
    case.title = "Calciphylaxis of the penis and distal digits"  # BMJ Case Reports: no "case report" in the title
    lib.add_case(case)
    lib.close()
    return path


def test_the_menu_writes_a_bmj_package_and_shows_what_was_anonymised(qtbot, window, tmp_path, monkeypatch):
    window.open_case(window.library.case_ids()[0])
    folder = tmp_path / "package"
    folder.mkdir()
    asked = {}

    def get_item(parent, title, label, items, current, editable):
        asked["items"] = list(items)
        return next(i for i in items if i.endswith("(bmj-case-reports)")), True
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    assert window.act_export_package.isEnabled()
    window.act_export_package.trigger()
    qtbot.waitUntil(lambda: getattr(window, "last_package", None) is not None, timeout=120_000)
    assert any(i.endswith("(jmcr)") for i in asked["items"])
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["journal"]["id"] == "bmj-case-reports"
    assert {f["name"] for f in manifest["files"]} == {p.name for p in folder.iterdir()} - {"manifest.json"}
    text = "\n".join(p.text for p in docx.Document(str(folder / "manuscript.docx")).paragraphs)
    assert "73-year-old" not in text and "in his 70s" in text
    dlg = window.last_problems_dialog  # the window lists what the journal's anonymisation changed
    listing = dlg.text.toPlainText()
    assert dlg.isVisible() and "Anonymised for the journal" in listing and "in his 70s" in listing, listing
    dlg.close()
