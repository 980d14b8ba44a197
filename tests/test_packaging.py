"""Casebook on a clinic workstation: --version, the window's start-up check of the system libraries
Qt needs (a message naming the packages instead of Qt's abort), a double-clicked library, the
first-run note, the licences in Help ▸ About, and the desktop registration. The bundle itself is
built and smoke-tested by .ci/run after the suite (python -m desktop.packaging build / smoke)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__
from desktop.cli import main
from desktop.packaging import build as packaging
from desktop.packaging.system_libs import advice, missing_libraries, packages_for

ROOT = Path(__file__).resolve().parent.parent


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"casebook {__version__}"


def _plugin_needing(tmp_path: Path, soname: str) -> Path:
    """A real shared object linked against a library that is then taken away, as a Qt plugin whose
    system library is not installed."""
    if not shutil.which("cc"):
        pytest.skip("no C compiler to make the test's shared objects")
    stem = soname.split(".so")[0][3:]  # libcasebookgone.so.0 -> casebookgone
    dep_dir = tmp_path / "deps"
    dep_dir.mkdir()
    (tmp_path / "dep.c").write_text("int casebook_gone(void) { return 1; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(dep_dir / soname), f"-Wl,-soname,{soname}",
                    str(tmp_path / "dep.c")], check=True)
    (dep_dir / f"lib{stem}.so").symlink_to(dep_dir / soname)
    plugins = tmp_path / "plugins" / "platforms"
    plugins.mkdir(parents=True)
    (tmp_path / "plugin.c").write_text("int casebook_gone(void);\nint plugin(void) { return casebook_gone(); }\n")
    plugin = plugins / "libqcasebooktest.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(plugin), str(tmp_path / "plugin.c"),
                    f"-L{dep_dir}", f"-l{stem}"], check=True)
    shutil.rmtree(dep_dir)  # the library is gone now, as on a fresh workstation
    return plugin


def test_missing_system_libraries_are_found_and_named_with_their_packages(tmp_path):
    plugin = _plugin_needing(tmp_path, "libcasebookgone.so.0")
    assert missing_libraries(plugin) == ["libcasebookgone.so.0"]
    # the packages that ship Qt's xcb dependencies (Debian bookworm and Fedora package indexes)
    pk = packages_for(["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"])
    assert pk["debian"] == ["libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"]
    assert pk["fedora"] == ["xcb-util-wm", "xcb-util-keysyms", "xcb-util-cursor"]
    text = advice("xcb", ["libxcb-icccm.so.4"])
    assert "sudo apt-get install libxcb-icccm4" in text and "sudo dnf install xcb-util-wm" in text


def test_the_window_names_the_packages_instead_of_aborting(tmp_path):
    """`casebook` with a display whose Qt plugin lacks a system library: one clear message and
    exit 2, no Qt abort, no library created."""
    plugin = _plugin_needing(tmp_path, "libcasebookgone.so.0")
    env = dict(os.environ, PYTHONPATH=str(ROOT), DISPLAY=":99", QT_QPA_PLATFORM="casebooktest",
               QT_PLUGIN_PATH=str(plugin.parent.parent), HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("CASEBOOK_LIBRARY", None)
    proc = subprocess.run([sys.executable, "-m", "desktop"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "libcasebookgone.so.0" in proc.stderr and "Debian/Ubuntu: sudo apt-get install" in proc.stderr
    assert "Aborted" not in proc.stderr and "could not load the Qt platform plugin" not in proc.stderr.lower()
    assert not (tmp_path / "data").exists()


def test_a_double_clicked_library_opens_in_the_window(tmp_path):
    """The desktop entry runs `casebook FILE.casebook`: the window opens that library and paints."""
    from desktop.demo import load_demo
    from desktop.store.library import create_library
    lib = tmp_path / "clinic.casebook"
    with create_library(lib) as l:
        l.add_case(load_demo())
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.run([sys.executable, "-m", "desktop", str(lib), "--paint-and-exit"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("painted")
    assert not (tmp_path / "data").exists()  # the default library was not made: the named one opened


def test_first_run_creates_the_default_library_and_says_how_data_is_kept(qtbot, tmp_path):
    from desktop.gui.app import create_application, start
    create_application()
    path = tmp_path / "data" / "Casebook" / "library.casebook"
    window = start(path, explicit=False)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: getattr(window, "first_run_note", None) is not None, timeout=20000)
    text = window.first_run_note.text()
    assert str(path) in text and "Nothing leaves this computer" in text and str(path.parent / "backups") in text
    assert window.library is not None and "demo-smilnak-2022" in window.library.case_ids()
    window.first_run_note.close()
    window.close()


def test_about_lists_the_licences_of_what_casebook_ships(qtbot):
    from desktop.gui.dialogs import AboutDialog
    dlg = AboutDialog(None, "/tmp/x.casebook")
    qtbot.addWidget(dlg)
    names = {dlg.table.item(n, 0).text().lower().replace("_", "-") for n in range(dlg.table.rowCount())}
    assert {"pyside6-essentials", "reportlab", "python-docx", "font-source-serif-pro", "sqlite-utils"} <= names
    assert "pytest" not in names and "pyinstaller" not in names  # test and build tools are not shipped
    row = next(n for n in range(dlg.table.rowCount()) if dlg.table.item(n, 0).text() == "reportlab")
    dlg.table.selectRow(row)
    assert "BSD" in dlg.table.item(row, 2).text() and dlg.licence_text.toPlainText().strip()
    assert __version__ in dlg.text.text()


def test_install_desktop_registers_entry_icon_and_file_type(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert packaging.install_desktop("/opt/casebook/casebook") == 0
    entry = (tmp_path / "applications" / "casebook.desktop").read_text()
    assert "Exec=/opt/casebook/casebook %f" in entry and "MimeType=application/x-casebook;" in entry
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "casebook.svg").read_text().startswith("<?xml")
    mime = (tmp_path / "mime" / "packages" / "casebook.xml").read_text()
    assert 'glob pattern="*.casebook"' in mime
