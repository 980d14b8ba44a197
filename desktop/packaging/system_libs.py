"""Which system libraries a shared object (Qt's platform plugin) cannot find, and the packages that
provide them (resources/desktop/qt-system-libraries.json). Qt-free: the window's start-up calls it
before Qt loads the plugin and aborts."""
from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from pathlib import Path

from ..catalogue import load_json


def missing_libraries(shared_object: str | Path) -> list[str]:
    """Sonames ``shared_object`` needs that the system's loader cannot find (``ldd``'s "not found";
    without ldd, the first one that loading it names)."""
    path = str(shared_object)
    if shutil.which("ldd"):
        try:
            out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        found = re.findall(r"^\s*(\S+) => not found", out, flags=re.MULTILINE)
        if found or out:
            return sorted(set(found))
    try:
        ctypes.CDLL(path, mode=getattr(ctypes, "RTLD_LOCAL", 0))
    except OSError as exc:
        m = re.search(r"(\S+\.so[.\d]*): cannot open shared object file", str(exc))
        return [m.group(1)] if m else []
    return []


def packages_for(sonames: list[str]) -> dict[str, list[str]]:
    """{'debian': [...], 'fedora': [...]}: the packages that provide ``sonames`` (unknown ones are
    named as they are)."""
    table = load_json("desktop", "qt-system-libraries.json")["libraries"]
    out: dict[str, list[str]] = {"debian": [], "fedora": []}
    for so in sonames:
        entry = table.get(so)
        for system in out:
            name = entry[system] if entry else so
            if name not in out[system]:
                out[system].append(name)
    return out


def advice(plugin: str, sonames: list[str]) -> str:
    """The message the command prints instead of Qt's abort."""
    pk = packages_for(sonames)
    return (f"Casebook cannot open its window: Qt's '{plugin}' display plugin needs system libraries this "
            f"computer does not have ({', '.join(sonames)}). Install them, then start Casebook again:\n"
            f"  Debian/Ubuntu: sudo apt-get install {' '.join(pk['debian'])}\n"
            f"  Fedora:        sudo dnf install {' '.join(pk['fedora'])}\n"
            "The command line works without them: casebook --help")
