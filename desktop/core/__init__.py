"""The assessment core: a pure function of a case. No I/O beyond reading resources/, no Qt.

``assess`` is loaded on first use, not when a part of the core is imported: the window formats a
number with :mod:`.labs` while it paints the first case, and loading every rule, the CARE checklist
and the citation formatter then would delay that paint (issue 16). ``desktop.core.assess`` stays the
function, as it always was, even after its module has been imported by name.
"""
from __future__ import annotations

import sys
import types

__all__ = ["assess"]


class _Core(types.ModuleType):
    def __setattr__(self, name, value):
        # the import system sets the loaded submodule ``assess`` on its package: keep the function
        if name == "assess" and isinstance(value, types.ModuleType):
            value = value.assess
        super().__setattr__(name, value)


def __getattr__(name: str):
    if name == "assess":
        from .assess import assess
        return assess
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


sys.modules[__name__].__class__ = _Core
