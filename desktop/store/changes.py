"""The edits the store applies to one case, as data.

A change set is a list of these; :meth:`Library.apply` runs a whole change set in one committed
transaction, so a multi-item edit ("set day 0", deleting a lesion with its photo links) is either
all on disk or not at all. The operations layer (``desktop.app``) builds them and their inverses;
nothing here speaks SQL or knows Qt.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from ..model import Identifiers, Figure


@dataclass(frozen=True)
class SetCaseFields:
    """Case-level fields (title, status, keywords, authors, index_event_id, source)."""
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PutSingle:
    """Replace a single part: patient, diagnosis, outcome, manuscript or consent."""
    part: str
    obj: Any


@dataclass(frozen=True)
class PutIdentifiers:
    """Replace the case's identifiers (kept apart from the case, never exported)."""
    identifiers: Identifiers


@dataclass(frozen=True)
class PutItem:
    """Insert or replace one item of a list part; a new item goes to ``position`` (end if None),
    an existing one moves there when ``position`` is given."""
    part: str
    item: Any
    position: int | None = None


@dataclass(frozen=True)
class DeleteItem:
    """Delete one item of a list part."""
    part: str
    item_id: str


@dataclass(frozen=True)
class MoveItem:
    """Move one item of a list part to ``position``."""
    part: str
    item_id: str
    position: int


@dataclass(frozen=True)
class PutFigure:
    """Insert an image (bytes required) or update its caption, links and marks (bytes may be None:
    the stored bytes stay). A new image goes to ``position`` (end if None)."""
    figures: Figure
    position: int | None = None


@dataclass(frozen=True)
class DeleteFigure:
    """Delete an image with its bytes."""
    figure_id: str


@dataclass(frozen=True)
class MoveFigure:
    """Move an image to ``position`` in the order of figures."""
    figure_id: str
    position: int


Change = Union[SetCaseFields, PutSingle, PutIdentifiers, PutItem, DeleteItem, MoveItem, PutFigure, DeleteFigure, MoveFigure]


def touched(change: Change) -> tuple[str, str | None]:
    """The part a change touches and the id within it (None for a whole single part)."""
    if isinstance(change, SetCaseFields):
        return "case", None
    if isinstance(change, PutSingle):
        return change.part, None
    if isinstance(change, PutIdentifiers):
        return "identifiers", None
    if isinstance(change, PutItem):
        return change.part, change.item.id
    if isinstance(change, (DeleteItem, MoveItem)):
        return change.part, change.item_id
    if isinstance(change, PutFigure):
        return "figures", change.figures.id
    if isinstance(change, (DeleteFigure, MoveFigure)):
        return "figures", change.figure_id
    raise TypeError(f"not a change: {change!r}")
