"""One export pipeline for the window and the command line: the same bytes from both, and atomic
files — a process killed at any moment of an export leaves the old file or the new one."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt  # noqa: F401  (the window fixtures run Qt offscreen)

from desktop.app.export import Options, PhiFound, export
from desktop.cli import main
from desktop.demo import load_demo
from desktop.store.library import create_library
from gui_helpers import answer_modal
from helpers import identified_case
from window_fixtures import isolated_settings, no_unanswered_dialog  # noqa: F401  (autouse fixtures)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lib_path(tmp_path) -> Path:
    path = tmp_path / "lib.casebook"
    with create_library(path) as lib:
        lib.add_case(load_demo())
    return path


def test_window_and_command_line_write_the_same_pdf_and_docx(qtbot, lib_path, tmp_path):
    from desktop.gui.main_window import MainWindow
    from desktop.store.library import open_library
    cid = load_demo().id
    # the command line (its own process's renderer)
    assert main(["--library", str(lib_path), "report", cid, "-o", str(tmp_path / "cli.pdf"), "--draft"]) == 0
    assert main(["--library", str(lib_path), "export-docx", cid, "-o", str(tmp_path / "cli.docx"), "--draft"]) == 0
    # the window (report section and File ▸ Export, rendering in a child process)
    w = MainWindow(open_library(lib_path))
    qtbot.addWidget(w)
    page = w.section("report")
    page.export_pdf(tmp_path / "gui.pdf", draft=True)
    qtbot.waitUntil(lambda: page.export_op is not None and page.export_op.done, timeout=60000)
    answer_modal("Export a draft instead")  # no consent recorded in the demo: the window offers a draft
    w.export_to("docx", tmp_path / "gui.docx")
    qtbot.waitUntil(lambda: (tmp_path / "gui.docx").exists() and w.last_export_op is not None
                    and w.last_export_op.done, timeout=60000)
    assert page.last_render.in_process
    assert (tmp_path / "gui.pdf").read_bytes() == (tmp_path / "cli.pdf").read_bytes()
    assert (tmp_path / "gui.docx").read_bytes() == (tmp_path / "cli.docx").read_bytes()
    w.close()


def test_the_pipeline_refuses_unconfirmed_identifiers_and_takes_confirmations(tmp_path):
    case = identified_case()
    case.manuscript.discussion = "Seen by Dr Quenneville at Brackenfield clinic."
    target = tmp_path / "out.json"
    with pytest.raises(PhiFound) as err:
        export("json", [case], target)
    assert not target.exists()
    hits = err.value.hits
    assert any("manuscript.discussion" in h.field for h in hits)
    confirmed = frozenset((h.field, h.text) for h in hits)
    export("json", [case], target, Options(confirmed=confirmed))
    text = target.read_text("utf-8")
    assert "Hildegard" not in text and "078-05-1120" not in text  # the one de-identification step ran


KILLED = r"""
import sys
from pathlib import Path
from desktop.app.export import Options, export
from desktop.cli import main
mode, lib, cid, out = sys.argv[1:5]
print("started", flush=True)
if mode == "cli":
    sys.exit(main(["--library", lib, "report", cid, "-o", out, "--draft"]))
export("pdf", [(lib, cid)], Path(out), Options(draft=True, use_process=True))  # what the window's worker runs
"""


@pytest.mark.parametrize("mode", ["cli", "window"])
def test_a_kill_during_an_export_leaves_the_old_file_or_the_new(lib_path, tmp_path, mode):
    cid = load_demo().id
    target = tmp_path / "report.pdf"
    assert main(["--library", str(lib_path), "report", cid, "-o", str(target), "--draft"]) == 0
    new = target.read_bytes()
    old = b"%PDF-1.4 an older report\n"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rng = random.Random(7)
    outcomes = set()
    for trial in range(6):
        target.write_bytes(old)
        proc = subprocess.Popen([sys.executable, "-c", KILLED, mode, str(lib_path), cid, str(target)], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        assert proc.stdout.readline().strip() == b"started"
        time.sleep(rng.uniform(0.0, 1.2))
        os.killpg(proc.pid, signal.SIGKILL)  # the process and its report child, as a crash would
        proc.wait(30)
        proc.stdout.close()
        got = target.read_bytes()
        assert got in (old, new), f"trial {trial}: half a file ({len(got)} bytes)"
        outcomes.add(got == new)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".report.pdf.")]
        for name in leftovers:  # a killed writer may leave its temporary file beside: never the target
            (tmp_path / name).unlink()
    assert outcomes  # at least one trial ran to a kill


def test_a_final_manuscript_that_breaks_a_journal_rule_is_refused_listing_it(tmp_path, capsys):
    """Issue 15: report and export-docx take --journal; a final manuscript breaking a hard rule of
    the profile is refused (exit 3) with the rule and its numbers; --draft allows it."""
    from desktop import jsonio
    from helpers import full_case
    from desktop.report.required import missing_parts
    case = full_case()
    m = case.manuscript  # every part a manuscript needs (issue 14), so that the journal's rules decide
    m.ethics = m.data_availability = m.funding = m.acknowledgements = "Not applicable."
    m.competing_interests = "The authors declare that they have no competing interests."
    m.abstract_background = m.abstract_case = m.abstract_conclusions = m.conclusions = "Recorded."
    m.references = ["Smilnak GJ, et al. J Med Case Rep. 2022;16:18."]
    assert missing_parts(case) == [], missing_parts(case)
    case.title = "Proximal calciphylaxis on peritoneal dialysis"  # CARE item 1: "case report" in the title
    case.manuscript.discussion += " As described before [@nosuch2020]."  # a marker with no reference
    path = tmp_path / "case.json"
    path.write_bytes(jsonio.dump_bytes(case))
    for command, out in (("report", "m.pdf"), ("export-docx", "m.docx")):
        code = main([command, str(path), "-o", str(tmp_path / out), "--journal", "care", "--allow-phi-warnings"])
        err = capsys.readouterr().err
        assert code == 3 and "care profile" in err and "title" in err.lower(), err
        assert not (tmp_path / out).exists()
    assert main(["report", str(path), "-o", str(tmp_path / "j.pdf"), "--allow-phi-warnings"]) == 3
    assert "nosuch2020" in capsys.readouterr().err  # jmcr: every citation marker names a reference
    assert main(["report", str(path), "-o", str(tmp_path / "d.pdf"), "--journal", "care", "--draft",
                 "--allow-phi-warnings"]) == 0
