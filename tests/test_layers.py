"""The layers the project promises: model, core, store, report and privacy import nothing from Qt;
only the store speaks SQL."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "desktop"
QT_FREE = ["desktop.model", "desktop.codec", "desktop.jsonio", "desktop.timing", "desktop.catalogue",
           "desktop.store.library", "desktop.demo", "desktop.cli"]
QT_FREE_PACKAGES = ["core", "store", "report", "privacy"]


def _modules_in(package: str) -> list[str]:
    return sorted(f"desktop.{package}." + p.stem for p in (PKG / package).glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", QT_FREE + [m for p in QT_FREE_PACKAGES for m in _modules_in(p)])
def test_module_does_not_import_qt(module):
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'PyQt'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{module} pulls in Qt: {proc.stdout}{proc.stderr}"


def test_only_the_store_speaks_sql():
    offenders = []
    for path in PKG.rglob("*.py"):
        if "store" in path.relative_to(PKG).parts:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                if any(n.split(".")[0] in ("sqlite3", "sqlite_utils") for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"SQL outside desktop/store: {offenders}"
