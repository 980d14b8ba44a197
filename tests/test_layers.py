"""The layers the project promises, checked on the source:

- nothing under desktop/ but desktop/gui/ imports Qt (statically, and at run time);
- the operations layer (desktop/app/) imports neither the GUI nor the command line;
- the GUI never imports the command line (both are thin over desktop/app/);
- the domain model and the assessment core import neither the store, the operations layer, the
  report writers nor the GUI;
- only the store speaks SQL;
- no module of the GUI, the store, the assessment core, the report or the privacy layer grows
  past what one person can read and own (``MAX_LINES``).
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "desktop"
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")
MAX_LINES = 600  # split a longer module along what it does (issue 11), rather than raise this


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text("utf-8"))
    here = _module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append(mod)
            out += [f"{mod}.{a.name}" for a in node.names]
    return out


def _sources(*, under: str | None = None, outside: str | None = None) -> list[Path]:
    files = sorted(PKG.rglob("*.py"))
    if under:
        files = [p for p in files if under in p.relative_to(PKG).parts[:1]]
    if outside:
        files = [p for p in files if outside not in p.relative_to(PKG).parts[:1]]
    return files


def _offenders(files, bad) -> list[str]:
    out = []
    for path in files:
        for name in _imports(path):
            if bad(name):
                out.append(f"{path.relative_to(ROOT)} imports {name}")
    return sorted(set(out))


def test_nothing_outside_the_gui_imports_qt():
    assert _offenders(_sources(outside="gui"), lambda n: n.split(".")[0] in QT) == []


def test_nothing_outside_the_gui_pulls_in_qt_at_run_time():
    modules = [_module_name(p) for p in _sources(outside="gui") if p.name != "__main__.py"]
    code = ("import sys, importlib\n"
            f"for m in {modules!r}:\n"
            "    importlib.import_module(m)\n"
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT!r})\n"
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"importing every module outside desktop/gui pulls in Qt: {proc.stdout}{proc.stderr}"


def test_the_gui_never_imports_the_command_line():
    assert _offenders(_sources(under="gui"), lambda n: n == "desktop.cli" or n.startswith("desktop.cli.")) == []


def test_the_operations_layer_imports_neither_gui_nor_command_line():
    bad = lambda n: n.startswith(("desktop.gui", "desktop.cli"))  # noqa: E731
    assert _offenders(_sources(under="app"), bad) == []


@pytest.mark.parametrize("layer", ["core", "model.py", "codec.py", "timing.py", "catalogue.py"])
def test_model_and_core_reach_no_higher_layer(layer):
    files = [PKG / layer] if layer.endswith(".py") else _sources(under=layer)
    bad = lambda n: n.startswith(("desktop.store", "desktop.app", "desktop.gui", "desktop.cli", "desktop.report"))  # noqa: E731
    assert _offenders(files, bad) == []


def test_only_the_store_speaks_sql():
    offenders = []
    for path in PKG.rglob("*.py"):
        if "store" in path.relative_to(PKG).parts:
            continue
        for name in _imports(path):
            if name.split(".")[0] in ("sqlite3", "sqlite_utils"):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"SQL outside desktop/store: {offenders}"


def test_the_layer_checks_see_a_violation(tmp_path):
    """The import walker resolves relative imports, so a cross-layer import cannot hide behind dots."""
    pkg = tmp_path / "desktop" / "gui" / "sections"
    pkg.mkdir(parents=True)
    f = pkg / "x.py"
    f.write_text("from ...cli import main\nfrom ..widgets import a\nimport PySide6.QtCore\n")
    global ROOT
    old, ROOT = ROOT, tmp_path
    try:
        names = _imports(f)
    finally:
        ROOT = old
    assert "desktop.cli.main" in names and "desktop.gui.widgets" in names and "PySide6.QtCore" in names


def _too_long(files, limit: int = MAX_LINES) -> list[str]:
    out = []
    for path in files:
        n = len(path.read_text("utf-8").splitlines())
        if n > limit:
            out.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {n} lines")
    return out


def test_no_gui_module_is_too_long():
    assert _too_long(_sources(under="gui")) == [], \
        f"modules under desktop/gui/ over {MAX_LINES} lines: split them along what they do"


@pytest.mark.parametrize("layer", ["store", "core"])
def test_no_store_or_core_module_is_too_long(layer):
    """Issue 11: the store and the assessment core are split along what each part does too, so a
    newcomer can guess where a line lives (desktop/store/opening.py, desktop/core/lab_rules.py, ...)."""
    assert _sources(under=layer), f"no modules found under desktop/{layer}/"
    assert _too_long(_sources(under=layer)) == [], \
        f"modules under desktop/{layer}/ over {MAX_LINES} lines: split them along what they do"


def test_no_report_module_is_too_long():
    files = _sources(under="report")
    assert any(p.name == "manuscript.py" for p in files)  # the check looks where the report lives
    assert _too_long(files, MAX_LINES) == [], \
        f"modules under desktop/report/ over {MAX_LINES} lines: split them along what they do"


def test_no_privacy_module_is_too_long():
    files = _sources(under="privacy")
    assert files, "no modules found under desktop/privacy/"
    assert _too_long(files, MAX_LINES) == [], \
        f"modules under desktop/privacy/ over {MAX_LINES} lines: split them along what they do"


def test_no_module_anywhere_is_too_long():
    """Issue 11: every module under desktop/ — the operations layer, the writers, interop, the
    references, the command line and the top-level modules too — stays within the limit."""
    files = _sources()
    assert any(p.parent == PKG for p in files) and any("interop" in p.parts for p in files)
    assert _too_long(files) == [], f"modules under desktop/ over {MAX_LINES} lines: split them along what they do"


def test_the_length_check_sees_a_long_module(tmp_path):
    f = tmp_path / "long.py"
    f.write_text("x = 1\n" * (MAX_LINES + 1))
    assert _too_long([f]) == [f"{f}: {MAX_LINES + 1} lines"]
    assert _too_long([f], limit=MAX_LINES + 1) == []


THRESHOLD_TEXT = __import__("re").compile(r"\b(?:70|55)\s*mg²/dL²|(?<![\d.])0[–-]17\b|PUSH[^\"']*\b17\b")


def test_clinical_thresholds_are_not_copied_into_gui_or_report_code():
    """Issue 11: Ca×P 70/55, the PUSH bounds and the BWAT items come only from resources/ (through
    desktop.core.reference and the catalogues); a constant or a text holding one of them in the
    window or the report writers is a copy that would drift from what clinicians review."""
    assert THRESHOLD_TEXT.search("above 70 mg²/dL² is a risk") and THRESHOLD_TEXT.search("PUSH 3.0 total (0–17)")
    assert not THRESHOLD_TEXT.search("13.0–17.0 g/dL")  # a reference range is no threshold copy
    offenders = []
    for path in _sources(under="gui") + _sources(under="report") + [PKG / "interop" / "docx.py"]:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and THRESHOLD_TEXT.search(node.value):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} text {node.value[:60]!r}")
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.Tuple, ast.List)):
                for t in node.targets:
                    name = getattr(t, "id", "")
                    if any(k in name.upper() for k in ("CA_P", "PUSH", "BWAT")) and not name.upper().endswith(("KEY", "UNIT")):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} constant {name}")
    assert offenders == []
