"""Editing an open case: every edit is a change set, applied in one transaction, with its inverse
kept for undo.

:class:`OpenCase` holds the case in memory (images without their bytes) and keeps it equal to what
the library holds. An edit is worked out on a copy first: each change is applied to the copy in turn
and its inverse computed against the state just before it. The whole set then goes to the store in
one transaction (:meth:`desktop.store.library.Library.apply`); only when that commits does the copy
become the case. A failure — a full disk, a lock, a damaged page — leaves the case in memory and on
disk exactly as before, and the caller gets the store's message.

Copies are shallow where that is safe: the case object and each list that a change touches are
copied, items are replaced and never changed in place. So an edit costs about the size of the list
it touches, not of the case.
"""
from __future__ import annotations

import copy
import dataclasses
from typing import Any, Callable

from .. import timing
from ..codec import Problem
from ..jsonio import check_part
from ..model import LIST_PARTS, SINGLE_PARTS, Case, Identifiers, Figure, When
from ..store.changes import (Change, DeleteItem, DeleteFigure, MoveItem, MoveFigure, PutIdentifiers, PutItem,
                             PutFigure, PutSingle, SetCaseFields, touched)
from ..store.library import Library
from .history import History, Step
from .notify import Changes, Notifier

# the parts whose change alters the case list (title, keywords, sites, outcome)
_LIST_SUMMARY = {"case", "lesions", "outcome"}


class FieldRefused(ValueError):
    """A value the checks refuse: nothing was saved. ``problems`` name each with its JSON path."""

    def __init__(self, label: str, problems: list[Problem]):
        self.label = label
        self.problems = problems
        super().__init__(f"{label}: " + "; ".join(p.message for p in problems))


@dataclasses.dataclass
class Pending:
    """A step worked out but not yet made: its changes, the case after them, and either the
    inverse to record (a new step) or the history move to make (an undo or redo)."""
    changes: list[Change]
    case: Case
    label: str
    inverse: list[Change] | None
    moved: Callable[[], None] | None
    written: bool = False


class EditRefused(ValueError):
    """An edit that cannot be made as asked (a message for the user); nothing was changed."""


class OpenCase:
    """One case open for editing: its state, its undo history, and every edit of it."""

    def __init__(self, library: Library, case_id: str, *, notifier: Notifier | None = None,
                 history: History | None = None, phi_confirmed: set | None = None, case: Case | None = None):
        """``case``: the case already read (without its figures' bytes), e.g. by a worker on a
        connection of its own, so that the window's thread runs no query to open it."""
        self.library = library
        self.case_id = case_id
        self.notifier = notifier or Notifier()
        self.history = history or History()
        # identifier-scan hits the author confirmed as not identifying, as (field, text): kept in
        # memory only (a settings file would copy possible identifiers out of the protected library)
        self.phi_confirmed: set = phi_confirmed if phi_confirmed is not None else set()
        self.case: Case = case if case is not None else library.load_case(case_id, figures=False)

    @property
    def read_only(self) -> bool:
        return self.library.read_only

    def reload(self) -> None:
        """Read the case again from the library (after a change made elsewhere)."""
        self.case = self.library.load_case(self.case_id, figures=False)
        self.notifier.emit(Changes(self.case_id, frozenset({"case"} | set(SINGLE_PARTS) | set(LIST_PARTS)
                                                          | {"figures", "identifiers"}), cases=True))

    def figure_bytes(self, figure_id: str) -> bytes:
        return self.library.figure_bytes(self.case_id, figure_id)

    # --- the one way to change the case ---------------------------------------------------------

    def apply(self, changes: list[Change], label: str, *, record: bool = True) -> Changes:
        """Apply ``changes`` as one step: one transaction, one undo step, one notification."""
        return self.finish(self.write(self.plan(changes, label, record=record)))

    def undo(self) -> Changes | None:
        """Apply the newest step's inverse (one transaction); it moves to the redo stack."""
        pending = self.plan_replay(redo=False)
        return None if pending is None else self.finish(self.write(pending))

    def redo(self) -> Changes | None:
        pending = self.plan_replay(redo=True)
        return None if pending is None else self.finish(self.write(pending))

    # --- a step in three phases, so that a front end can run the middle one elsewhere -----------------
    # ``plan`` (work out the new case and the inverse) and ``write`` (the one transaction) touch
    # nothing shared: a window runs them on a worker thread, with a connection of the worker's own
    # (``library``), while its own thread goes on painting; ``finish`` (the case becomes the new one,
    # the history moves, views are told) then runs where the edits are made. Between ``plan`` and
    # ``finish`` no other edit of the case may be made.

    def plan(self, changes: list[Change], label: str, *, record: bool = True,
             library: Library | None = None) -> "Pending":
        """The step ``changes`` would make, worked out on a copy (nothing is written)."""
        changes = [_own(ch) for ch in changes]
        inverse, new_case = self._simulate(changes, library)
        return Pending(changes, new_case, label, inverse if record else None, None)

    def plan_replay(self, *, redo: bool, library: Library | None = None) -> "Pending | None":
        """The next undo (or redo) as a pending step; None when there is none."""
        step = self.history.next_redo() if redo else self.history.next_undo()
        if step is None:
            return None
        changes = step.forward if redo else step.inverse
        _, new_case = self._simulate(changes, library)
        return Pending(changes, new_case, step.label, None, self.history.redone if redo else self.history.undone)

    def write(self, pending: "Pending", library: Library | None = None) -> "Pending":
        """The step's one transaction, on ``library`` (a worker's connection) or the case's own.
        Raises the store's error: nothing was written, and the case in memory is untouched."""
        (library or self.library).apply(self.case_id, pending.changes)
        if library is not None and library is not self.library:
            self.library.changes += 1  # the backup after an edit must see it
        pending.written = True
        return pending

    def finish(self, pending: "Pending") -> Changes:
        """After :meth:`write`: the case becomes the new one, the history moves, views are told."""
        if not pending.written:
            raise RuntimeError("finish() before write(): the step is not in the library")
        self.case = pending.case
        if pending.moved is not None:
            pending.moved()
        elif pending.inverse is not None:
            self.history.push(Step(pending.label, pending.changes, pending.inverse))
        return self._announce(pending.changes, undo=pending.inverse is None)

    def _announce(self, changes: list[Change], *, undo: bool) -> Changes:
        parts, ids = set(), set()
        for ch in changes:
            part, item_id = touched(ch)
            parts.add(part)
            if item_id:
                ids.add(item_id)
        out = Changes(self.case_id, frozenset(parts), frozenset(ids), cases=bool(parts & _LIST_SUMMARY), undo=undo)
        self.notifier.emit(out)
        return out

    def _simulate(self, changes: list[Change], library: Library | None = None) -> tuple[list[Change], Case]:
        """The case after ``changes`` (a copy; the open case is not touched) and their inverse.
        ``library``: where to read what an inverse needs (a deleted image's bytes)."""
        work = copy.copy(self.case)
        copied: set[str] = set()
        inverse: list[Change] = []
        for ch in changes:
            part = touched(ch)[0]
            if part in LIST_PARTS or part == "figures":
                if part not in copied:
                    setattr(work, part, list(getattr(work, part)))
                    copied.add(part)
            inverse.append(self._step(work, ch, library or self.library))
        inverse.reverse()
        return inverse, work

    def _step(self, case: Case, ch: Change, library: Library) -> Change:
        """Apply one change to ``case`` (whose touched list is already a copy); return its inverse."""
        if isinstance(ch, SetCaseFields):
            old = {k: getattr(case, k) for k in ch.values}
            for k, v in ch.values.items():
                setattr(case, k, v)
            return SetCaseFields(old)
        if isinstance(ch, PutSingle):
            old = getattr(case, ch.part)
            setattr(case, ch.part, ch.obj)
            return PutSingle(ch.part, old)
        if isinstance(ch, PutIdentifiers):
            old = case.identifiers
            case.identifiers = ch.identifiers
            return PutIdentifiers(old)
        if isinstance(ch, PutItem):
            items = getattr(case, ch.part)
            pos = _index(items, ch.item.id)
            if pos is None:
                _insert(items, ch.item, ch.position)
                return DeleteItem(ch.part, ch.item.id)
            old = items[pos]
            items[pos] = ch.item
            if ch.position is not None:
                items.insert(_clamp(ch.position, len(items) - 1), items.pop(pos))
                return PutItem(ch.part, old, pos)
            return PutItem(ch.part, old)
        if isinstance(ch, DeleteItem):
            items = getattr(case, ch.part)
            pos = _index(items, ch.item_id)
            if pos is None:
                return DeleteItem(ch.part, ch.item_id)  # nothing to delete: a no-op both ways
            old = items.pop(pos)
            return PutItem(ch.part, old, pos)
        if isinstance(ch, MoveItem):
            items = getattr(case, ch.part)
            pos = _index(items, ch.item_id)
            if pos is None:
                return ch
            items.insert(_clamp(ch.position, len(items) - 1), items.pop(pos))
            return MoveItem(ch.part, ch.item_id, pos)
        if isinstance(ch, PutFigure):
            items = case.figures
            meta = dataclasses.replace(ch.figures, data=None)
            pos = _index(items, meta.id)
            if pos is None:
                if ch.figures.data is None:
                    raise EditRefused("a new image needs its bytes")
                _insert(items, meta, ch.position)
                return DeleteFigure(meta.id)
            old = items[pos]
            if not meta.sha256:
                meta.sha256 = old.sha256
            items[pos] = meta
            return PutFigure(old)
        if isinstance(ch, DeleteFigure):
            items = case.figures
            pos = _index(items, ch.figure_id)
            if pos is None:
                return ch
            old = items.pop(pos)
            return PutFigure(dataclasses.replace(old, data=library.figure_bytes(self.case_id, old.id)), pos)
        if isinstance(ch, MoveFigure):
            items = case.figures
            pos = _index(items, ch.figure_id)
            if pos is None:
                return ch
            items.insert(_clamp(ch.position, len(items) - 1), items.pop(pos))
            return MoveFigure(ch.figure_id, pos)
        raise TypeError(f"not a change: {ch!r}")

    # --- single edits -----------------------------------------------------------------------------

    def save_item(self, part: str, item: Any, label: str | None = None, position: int | None = None) -> Changes:
        """Add or replace one item of a list part (an event, a lab, a lesion, ...)."""
        exists = _index(getattr(self.case, part), item.id) is not None
        return self.apply([PutItem(part, item, position)],
                          label or (f"Edit {noun(part)}" if exists else f"Add {noun(part)}"))

    def delete_item(self, part: str, item_id: str, label: str | None = None) -> Changes | None:
        if _index(getattr(self.case, part), item_id) is None:
            return None
        return self.apply([DeleteItem(part, item_id)], label or f"Delete {noun(part)}")

    def move_item(self, part: str, item_id: str, position: int, label: str | None = None) -> Changes | None:
        if _index(getattr(self.case, part), item_id) is None:
            return None
        return self.apply([MoveItem(part, item_id, position)], label or f"Move {noun(part)}")

    def save_single(self, part: str, obj: Any, label: str | None = None) -> Changes | None:
        """Replace a single part: patient, diagnosis, outcome, manuscript or consent."""
        if getattr(self.case, part) == obj:
            return None
        return self.apply([PutSingle(part, obj)], label or f"Edit {part}")

    def set_case_fields(self, label: str | None = None, **values: Any) -> Changes | None:
        if all(getattr(self.case, k) == v for k, v in values.items()):
            return None
        return self.apply([SetCaseFields(values)],
                          label or "Edit " + ", ".join(k.replace("_", " ") for k in values))

    def save_identifiers(self, ident: Identifiers, label: str = "Edit identifiers") -> Changes | None:
        if self.case.identifiers == ident:
            return None
        return self.apply([PutIdentifiers(ident)], label)

    def add_figure(self, figure: Figure, label: str = "Add figure", position: int | None = None) -> Changes:
        """Add a figure (``figure.data`` holds its bytes, already stripped of metadata)."""
        return self.apply([PutFigure(figure, position)], label)

    def update_figure(self, figure: Figure, label: str = "Edit figure") -> Changes | None:
        """Change an image's caption, links or marks (its bytes stay as stored)."""
        if _index(self.case.figures, figure.id) is None:
            return None
        return self.apply([PutFigure(dataclasses.replace(figure, data=None))], label)

    def delete_figure(self, figure_id: str, label: str = "Delete figure") -> Changes | None:
        if _index(self.case.figures, figure_id) is None:
            return None
        return self.apply([DeleteFigure(figure_id)], label)

    def move_figure(self, figure_id: str, position: int, label: str = "Reorder figures") -> Changes | None:
        if _index(self.case.figures, figure_id) is None:
            return None
        return self.apply([MoveFigure(figure_id, position)], label)

    # --- a field, validated -----------------------------------------------------------------------

    def edit_field(self, part: str, attr: str | tuple[str, ...], value: Any, *, item_id: str | None = None,
                   label: str = "") -> Changes | None:
        """Set one field (``attr`` may be dotted, or a tuple of attributes saved together with a
        tuple ``value``, such as a dose and its unit) of a part: a single part ("patient"), a list
        item (``part`` + ``item_id``), "identifiers", or "case" (a case field). The import's checks
        of just that part run first; a refused value raises :class:`FieldRefused` and nothing is
        saved. Returns None when the value is what is stored already."""
        attrs = attr if isinstance(attr, tuple) else (attr,)
        values = tuple(value) if isinstance(attr, tuple) else (value,)
        what = (label or attrs[0].replace("_", " ")).lower()
        trial = copy.copy(self.case)
        if part == "case":
            changed: dict[str, Any] = {}
            for a, v in zip(attrs, values):
                top = a.split(".")[0]
                changed[top] = _updated(trial, a, v)
                setattr(trial, top, changed[top])
            problems = problems_at(check_part(trial, "case"), [f"$.{a}" for a in attrs])
            if problems:
                raise FieldRefused(label or attrs[0], problems)
            return self.set_case_fields(f"Edit {what}", **changed)
        if item_id is not None:
            items = getattr(self.case, part)
            pos = _index(items, item_id)
            if pos is None:
                raise EditRefused(f"there is no {noun(part)} {item_id!r} in this case")
            new = copy.deepcopy(items[pos])
            base = f"$.{part}[{pos}]"
        else:
            new = copy.deepcopy(getattr(self.case, part))
            base = f"$.{part}"
        for a, v in zip(attrs, values):
            _set_attr(new, a, copy.deepcopy(v))
        if item_id is not None:
            lst = list(getattr(trial, part))
            lst[pos] = new
            setattr(trial, part, lst)
        else:
            setattr(trial, part, new)
        problems = problems_at(check_part(trial, part, item_id), [f"{base}.{a}" for a in attrs])
        if problems:
            raise FieldRefused(label or attrs[0], problems)
        _guess_class(part, attrs, new)
        if item_id is not None:
            if getattr(self.case, part)[pos] == new:
                return None
            return self.save_item(part, new, f"Edit {what}")
        if part == "identifiers":
            return self.save_identifiers(new)
        return self.save_single(part, new, f"Edit {what}")

    # --- use cases of several changes ---------------------------------------------------------------

    def set_day0(self, event_id: str) -> Changes | None:
        """Make ``event_id`` the index event (day 0), keeping every time's meaning: times given
        relative to the old day 0 are re-anchored to the old index event, and the old index event
        gets its place relative to the new one. One transaction, one undo step."""
        return self._apply_planned(self.set_day0_changes(event_id))

    def _apply_planned(self, planned: "tuple[list[Change], str] | None") -> Changes | None:
        return None if planned is None else self.apply(*planned)

    def set_day0_changes(self, event_id: str) -> "tuple[list[Change], str] | None":
        """What :meth:`set_day0` applies, as ``(changes, label)``; None when nothing changes. Reads
        the case only (safe on a worker while no other edit is made)."""
        case = self.case
        ev = case.event(event_id)
        if ev is None:
            raise EditRefused(f"there is no event {event_id!r} in this case")
        if event_id == case.index_event_id:
            return None
        old = case.index_event_id
        label = f"Set day 0: {ev.description or ev.kind.replace('_', ' ')}"[:80]
        if old is None or case.event(old) is None:
            return [SetCaseFields({"index_event_id": event_id})], label
        placed = timing.Timeline(case).event_day(event_id)
        if placed is None:
            raise EditRefused("Set as day 0: this event's time relative to the current day 0 is not known. Give "
                              "it a time first, so that the other times keep their meaning.")
        changes: list[Change] = []
        for part in LIST_PARTS:
            for item in getattr(case, part):
                new = copy.deepcopy(item)
                if part == "events" and item.id == old:
                    if item.when.date is None:
                        prec = placed.precision
                        amount = round(-placed.day / timing.DAYS_PER[prec], 2)
                        new.when = When(offset=amount + 0.0, precision=prec, approximate=placed.approximate,
                                        label=item.when.label)
                    if new != item:
                        changes.append(PutItem(part, new))
                elif _anchor(new, old):
                    changes.append(PutItem(part, new))
        for part in ("patient", "diagnosis", "outcome"):
            new = copy.deepcopy(getattr(case, part))
            if _anchor(new, old):
                changes.append(PutSingle(part, new))
        changes.append(SetCaseFields({"index_event_id": event_id}))
        return changes, label

    def delete_lesion(self, lesion_id: str, label: str | None = None) -> Changes | None:
        """Delete a lesion with its observations. Its photos stay in the case, unlinked; biopsies
        that named it no longer do. One transaction, one undo step."""
        return self._apply_planned(self.delete_lesion_changes(lesion_id, label))

    def delete_lesion_changes(self, lesion_id: str, label: str | None = None) -> "tuple[list[Change], str] | None":
        """What :meth:`delete_lesion` applies, as ``(changes, label)``; None when there is no such lesion."""
        les = self.case.lesion(lesion_id)
        if les is None:
            return None
        changes: list[Change] = []
        for m in self.case.figures:
            if m.lesion_id == lesion_id:
                changes.append(PutFigure(dataclasses.replace(m, lesion_id=None)))
        for b in self.case.biopsies:
            if b.lesion_id == lesion_id:
                changes.append(PutItem("biopsies", dataclasses.replace(b, lesion_id=None)))
        changes.append(DeleteItem("lesions", lesion_id))
        return changes, label or "Delete lesion"

    def delete_event(self, event_id: str) -> Changes | None:
        """Delete an event that nothing refers to (refused with the list of what does)."""
        case = self.case
        if case.event(event_id) is None:
            return None
        if event_id == case.index_event_id:
            raise EditRefused("Delete event: this event is day 0. Set another event as day 0 first.")
        refs = references_to(case, event_id)
        if refs:
            shown = "; ".join(refs[:4]) + (f"; and {len(refs) - 4} more" if len(refs) > 4 else "")
            raise EditRefused(f"Delete event: other times are given relative to it ({shown}). Change those first.")
        return self.apply([DeleteItem("events", event_id)], "Delete event")


# --- helpers ------------------------------------------------------------------------------------------

_NOUNS = {"medications": "medication", "events": "event", "vitals": "vital sign", "lesions": "lesion",
          "labs": "lab result", "imaging": "imaging study", "biopsies": "biopsy", "treatments": "treatment",
          "references": "reference"}
assert set(_NOUNS) == set(LIST_PARTS)  # a new part needs its noun


def noun(part: str) -> str:
    return _NOUNS.get(part, part)


# the name field and the class field of the parts that name a drug
_DRUG_FIELDS = {"medications": ("name", "drug_class", "medication_class"),
                "treatments": ("agent", "treatment_class", "treatment_class")}


def _guess_class(part: str, attrs: tuple[str, ...], item) -> None:
    """Typing a drug's name while its class is still "other" sets the class :func:`suggested_class`
    gives, which the author can change: "warfarin" is a vitamin K antagonist for the assessment at
    once; and a treatment's kind when it is still the first one ("drug") and not being set. A class or
    kind the author chose is never overwritten."""
    if part not in _DRUG_FIELDS or _DRUG_FIELDS[part][0] not in attrs or _DRUG_FIELDS[part][1] in attrs:
        return
    guess = suggested_class(part, item)
    if guess is not None:
        setattr(item, _DRUG_FIELDS[part][1], guess[0])
        if guess[1] is not None and "kind" not in attrs and item.kind == "drug":
            item.kind = guess[1]


def suggested_class(part: str, item) -> "tuple[str, str | None] | None":
    """For a medicine or a treatment whose class is still "other": the class its name has in the drug
    catalogue (resources/catalogues/drugs.json), else in the catalogue of class, procedure and therapy
    names ("antibiotics", "wound excision": treatment_terms.json) with a treatment's kind for it; None
    when the class is chosen or the name is in neither. Typing a name sets it (:func:`_guess_class`);
    a row recorded before the catalogues knew its name is offered it."""
    if part not in _DRUG_FIELDS:
        return None
    name_attr, class_attr, catalogue_attr = _DRUG_FIELDS[part]
    if getattr(item, class_attr) != "other" or not getattr(item, name_attr).strip():
        return None
    from ..drugs import lookup, lookup_term
    name = getattr(item, name_attr)
    drug = lookup(name)
    if drug is not None:
        return (getattr(drug, catalogue_attr), None) if getattr(drug, catalogue_attr) else None
    term = lookup_term(name)
    guessed = getattr(term, catalogue_attr) if term is not None else None
    return (guessed, term.kind if part == "treatments" else None) if guessed else None


def _own(ch: Change) -> Change:
    """A change holding its own copy of the caller's objects (the caller may change them later)."""
    if isinstance(ch, (PutItem, PutSingle, PutIdentifiers, SetCaseFields)):
        return copy.deepcopy(ch)
    if isinstance(ch, PutFigure):
        data = ch.figures.data
        figures = copy.deepcopy(dataclasses.replace(ch.figures, data=None))
        figures.data = data  # bytes are immutable: shared, not copied
        return PutFigure(figures, ch.position)
    return ch


def _index(items: list, item_id: str) -> int | None:
    for n, it in enumerate(items):
        if it.id == item_id:
            return n
    return None


def _clamp(position: int, length: int) -> int:
    return max(0, min(position, length))


def _insert(items: list, item: Any, position: int | None) -> None:
    if position is None:
        items.append(item)
    else:
        items.insert(_clamp(position, len(items)), item)


def _set_attr(obj: Any, attr: str, value: Any) -> None:
    *path, last = attr.split(".")
    for p in path:
        obj = getattr(obj, p)
    setattr(obj, last, value)


def _updated(case: Case, attr: str, value: Any) -> Any:
    """The new value of the top-level case field that ``attr`` (maybe dotted) lies in."""
    top, _, rest = attr.partition(".")
    if not rest:
        return copy.deepcopy(value)
    obj = copy.deepcopy(getattr(case, top))
    _set_attr(obj, rest, copy.deepcopy(value))
    return obj


def problems_at(problems: list[Problem], paths: list[str]) -> list[Problem]:
    """The problems at (or under) any of ``paths``."""
    return [p for p in problems
            if any(p.path == path or p.path.startswith(path + ".") or p.path.startswith(path + "[") for path in paths)]


def _anchor(obj: Any, old_index: str) -> bool:
    """Re-anchor every time in ``obj`` given relative to day 0 to the old index event. True when
    something changed."""
    changed = False
    if isinstance(obj, When):
        if obj.offset is not None and obj.event_id is None and obj.date is None:
            obj.event_id = old_index
            return True
        return False
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if isinstance(v, (list, When)) or dataclasses.is_dataclass(v):
                changed |= _anchor(v, old_index)
    elif isinstance(obj, list):
        for v in obj:
            changed |= _anchor(v, old_index)
    return changed


def references_to(case: Case, event_id: str, name: Callable[[str, Any], str] | None = None) -> list[str]:
    """What in the case refers to an event (as its time, or an image's link), each named by
    ``name(part, item)`` (default: the part's noun and the item's id)."""
    name = name or (lambda part, item: f"{noun(part)} {item.id}")
    out = []

    def uses(obj: Any) -> bool:
        if isinstance(obj, When):
            return obj.event_id == event_id
        if dataclasses.is_dataclass(obj):
            return any(uses(getattr(obj, f.name)) for f in dataclasses.fields(obj))
        if isinstance(obj, list):
            return any(uses(v) for v in obj)
        return False

    for part in LIST_PARTS:
        for item in getattr(case, part):
            if item.id != event_id and uses(item):
                out.append(name(part, item))
    for part in ("patient", "diagnosis", "outcome"):
        if uses(getattr(case, part)):
            out.append(part)
    out += [f"image: {m.caption or m.id}" for m in case.figures if m.event_id == event_id]
    return out

