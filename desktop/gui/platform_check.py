"""Before the window starts: can Qt load the platform plugin it will use? On Linux a missing system
library makes Qt abort with "Could not load the Qt platform plugin 'xcb'"; this names the packages
to install instead (desktop.packaging.system_libs)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def chosen_platform(environ=None) -> str:
    """The platform plugin Qt will try first: QT_QPA_PLATFORM's first name, else Wayland in a
    Wayland session, else xcb (X11)."""
    env = os.environ if environ is None else environ
    named = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if named:
        return named
    if env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland":
        return "wayland"
    return "xcb"


def plugin_path(platform: str, environ=None) -> Path | None:
    """The platform plugin's file, where Qt looks for it: QT_PLUGIN_PATH's folders first, then Qt's own."""
    from PySide6.QtCore import QLibraryInfo
    env = os.environ if environ is None else environ
    folders = [Path(p) for p in env.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    folders.append(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)))
    for folder in folders:
        found = sorted((folder / "platforms").glob(f"libq{platform}.so*"))
        if found:
            return found[0]
    return None


def platform_problem(environ=None) -> str:
    """A message naming the packages to install, or "" when the plugin's libraries are all there
    (or this is not Linux, where Qt brings what it needs)."""
    if not sys.platform.startswith("linux"):
        return ""
    platform = chosen_platform(environ)
    path = plugin_path(platform, environ)
    if path is None:
        return ""  # Qt will say what it can and cannot find
    from ..packaging.system_libs import advice, missing_libraries
    missing = missing_libraries(path)
    return advice(platform, missing) if missing else ""
