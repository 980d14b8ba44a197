"""The casebook command: the same API as the GUI, with documented exit codes."""
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import jsonio
from desktop.cli import main
from desktop.demo import DEMO_PATH
from desktop.store import schema
from desktop.store.library import create_library, open_library

from helpers import synthetic_case


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_import_list_export_round_trip(tmp_path, capsys):
    lib = tmp_path / "a.casebook"
    assert run(capsys, "init", lib)[0] == 0
    code, out, _ = run(capsys, "--library", lib, "import", DEMO_PATH)
    assert code == 0
    cid = out.strip()
    code, out, _ = run(capsys, "--library", lib, "list", "--json")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [cid] and "case report" in rows[0]["title"]
    code, out, _ = run(capsys, "--library", lib, "list")
    assert cid in out and "glans penis" in out
    exported = tmp_path / "out.json"
    assert run(capsys, "--library", lib, "export-json", cid[:6], "-o", exported)[0] == 0
    assert exported.read_bytes() == DEMO_PATH.read_bytes()


def test_demo_command_and_environment_library(tmp_path, capsys, monkeypatch):
    lib = tmp_path / "env.casebook"
    create_library(lib).close()
    monkeypatch.setenv("CASEBOOK_LIBRARY", str(lib))
    code, out, _ = run(capsys, "demo")
    assert code == 0 and open_library(lib, read_only=True).has_case(out.strip())


def test_default_library_is_created_with_the_demo_case(tmp_path, capsys, monkeypatch):
    lib = tmp_path / "data" / "library.casebook"
    monkeypatch.setenv("CASEBOOK_LIBRARY", str(lib))
    code, out, _ = run(capsys, "list")
    assert code == 0 and "Calciphylaxis of the penis" in out


def test_invalid_import_lists_every_problem_and_exits_3(tmp_path, capsys):
    lib = tmp_path / "a.casebook"
    create_library(lib).close()
    doc = json.loads(DEMO_PATH.read_text("utf-8"))
    doc["labs"][0]["unit"] = ""
    doc["patient"]["sex"] = "M"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), "utf-8")
    code, out, err = run(capsys, "--library", lib, "import", bad)
    assert code == 3
    assert "$.patient.sex" in err
    assert "Traceback" not in err
    assert open_library(lib, read_only=True).list_cases() == []  # all-or-nothing


def test_missing_unit_reported_with_path(tmp_path, capsys):
    lib = tmp_path / "a.casebook"
    create_library(lib).close()
    doc = json.loads(DEMO_PATH.read_text("utf-8"))
    doc["labs"][2]["unit"] = ""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), "utf-8")
    code, _, err = run(capsys, "--library", lib, "import", bad)
    assert code == 3 and "$.labs[2].unit: a value without a unit is refused" in err


def test_newer_library_exits_4(tmp_path, capsys):
    lib = tmp_path / "new.casebook"
    create_library(lib).close()
    conn = sqlite3.connect(lib)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.close()
    code, _, err = run(capsys, "--library", lib, "list")
    assert code == 4 and "newer Casebook" in err and "Traceback" not in err


@pytest.mark.parametrize("content", [b"", b"just text", b"SQLite format 3\x00" + b"\x00" * 200])
def test_non_library_exits_4(tmp_path, capsys, content):
    lib = tmp_path / "notes.casebook"
    lib.write_bytes(content)
    code, _, err = run(capsys, "--library", lib, "list")
    assert code == 4 and "Traceback" not in err
    assert lib.read_bytes() == content


def test_missing_explicit_library_exits_4(tmp_path, capsys):
    code, _, err = run(capsys, "--library", tmp_path / "nope.casebook", "list")
    assert code == 4 and "casebook init" in err


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "no-such-command")[0] == 2
    assert run(capsys, "import")[0] == 2


def test_unknown_case_exits_3(tmp_path, capsys):
    lib = tmp_path / "a.casebook"
    create_library(lib).close()
    code, _, err = run(capsys, "--library", lib, "export-json", "zzzz")
    assert code == 3 and "no case" in err


def test_python_dash_m_desktop_works(tmp_path):
    lib = tmp_path / "m.casebook"
    create_library(lib).add_case(synthetic_case())
    proc = subprocess.run([sys.executable, "-m", "desktop", "--library", str(lib), "list"],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent)))
    assert proc.returncode == 0 and "Synthetic calciphylaxis case report" in proc.stdout
