"""PySide6's check of each imported module, made cheap.

After PySide6 is imported, every module imported in the process is passed to PySide6's
``shibokensupport.feature.feature_imported``, which decides whether the module may switch PySide's
``__feature__`` options (``from __feature__ import snake_case``): a module qualifies when its source
contains the word "PySide6" (PYSIDE-2029). It finds out with ``inspect.getsource`` — linecache,
tokenize and a copy of the file's lines kept for the life of the process — about 0.3 ms a module.
Starting the window imports about a hundred modules after PySide6, so that check alone took 25–30 ms
of start-up (tests/benchmarks/bench_gui.py; issue 16).

:func:`install` gives PySide6 the same answer for less: for a module loaded from a ``.py`` file it
looks for the same word in the file's bytes; for anything else (built-in and compiled modules, a
bundle without sources, a file that cannot be read) it asks PySide6's own check. The answer is the
same for every module (tests/test_gui_startup.py compares the two on each of ours). If a PySide6
release no longer has the check, nothing is changed.
"""
from __future__ import annotations

import sys

_WORD = b"PySide6"  # what PySide6's check looks for in the source (shibokensupport/feature.py)


def install() -> bool:
    """Put the quicker check in place; True when it is (or already was) in place."""
    import PySide6.QtCore  # noqa: F401  (loads shibokensupport.feature, which holds the check)
    feature = sys.modules.get("shibokensupport.feature")
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if upstream is None:
        return False
    if getattr(upstream, "reads_file_bytes", False):
        return True

    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return _WORD in source.read()
            except OSError:
                pass
        return upstream(module)

    uses_pyside.reads_file_bytes = True  # type: ignore[attr-defined]
    uses_pyside.upstream = upstream  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside
    return True
