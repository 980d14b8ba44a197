"""The built-in demo case: the seed patient of Smilnak et al., J Med Case Rep 2022;16:18 (CC BY 4.0).

The case file in resources/demo/ holds only what the article states; times are relative to the
admission (day 0). It is read through the same validating JSON import as any user's file, so the
demo can never drift from the format.
"""
from __future__ import annotations

from . import catalogue, jsonio
from .model import Case

DEMO_PATH = catalogue.resource_path("demo", "smilnak-2022.json")


def load_demo() -> Case:
    """A fresh, validated copy of the demo case (each call returns a new object to edit freely)."""
    return jsonio.loads(DEMO_PATH.read_bytes())
