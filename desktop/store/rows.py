"""The rows the library hands out for lists: a case in the case list, a case in the trash."""
from __future__ import annotations

from typing import NamedTuple


class TrashedCase(NamedTuple):
    id: str
    title: str
    trashed_at: str


class CaseSummary(NamedTuple):
    id: str
    title: str
    status: str
    keywords: str
    sites: str
    outcome: str
    updated_at: str
