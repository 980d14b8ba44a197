"""Choices made once for a whole library, for the window and the command line alike: the units the
library's laboratory results are entered in ("conventional", mg/dL; or "si", mmol/L). A library that
was never asked has no choice yet (None); the Labs section asks once and uses it as the unit each
empty row offers."""
from __future__ import annotations

from ..store.library import Library
from ..store.settings import get_setting, put_setting

UNIT_SYSTEMS = ("conventional", "si")
_ENTRY_UNITS = "lab_entry_units"


def entry_unit_system(lib: Library) -> str | None:
    """The library's units for entering results, or None when it was never chosen."""
    value = get_setting(lib, _ENTRY_UNITS)
    return value if value in UNIT_SYSTEMS else None


def set_entry_unit_system(lib: Library, system: str) -> None:
    """Choose the library's units for entering results. Raises ValueError for another system."""
    if system not in UNIT_SYSTEMS:
        raise ValueError(f"entry units must be one of {', '.join(UNIT_SYSTEMS)}; got {system!r}")
    put_setting(lib, _ENTRY_UNITS, system)
