"""Saving the Labs grid's rows: a typed result read, checked and saved through the session, or
refused with its ways out offered in place.

- A row's value, comparator, words and the authors' own H/L mark are typed in its value field
  (``<0.5``, ``<5 undetectable``, ``positive``, ``6.9 H``; :func:`.lab_values.parse_entry`), the unit
  picked or typed as printed (``mg/dl`` is the catalogue's mg/dL). A result printed in two units,
  ``7.9 mg/dL (2.0 mmol/L)``, is saved in the first when the two agree within their rounding, and
  refused, with the first converted, when they do not (a creatinine of "4.0 mg/dL (305.0 μmol/L)").
- A refused entry never stays on screen as if it were saved: the row goes back to what is stored and
  the message line names what was typed and why it was refused. A probable typing error (a calcium
  of 92 mmol/L, a unit the catalogue does not know) is offered to be kept *as printed* — flagged by
  the assessment and left out of its computations — or read in the one unit in which it is
  plausible. Messages go when the row is saved.
- Changing the unit of a saved value is one change of value and unit together. The number is read
  in the new unit (the unit it was really reported in) when that is plausible, with conversion
  offered instead; when it is not, nothing is saved yet: the row waits, in the new unit, for the value
  as reported in it (Enter saves value and unit as one change), with conversion or cancel offered.

:class:`LabEntry` is a part of :class:`~desktop.gui.sections.labs.LabsSection`."""
from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING

from ...core import labs as L
from ...core.quality import likely_reading
from ...model import LabResult
from ..binding import check_edit, item_path
from ..formatting import parse_number
from .lab_values import agrees, entry_text, fmt_entry, implausible, parse_entry, replacing

if TYPE_CHECKING:
    from .lab_grid import LabRow


def _unit_of(a, unit: str) -> str:
    """A unit as typed, kept as printed: 'mg/dl', '×10^9/L' and '/mm3' are the catalogue's mg/dL,
    10^9/L and /µL for every computation (desktop.catalogue.unit_key), and read back as printed."""
    return unit.strip()


def _typed(lab: LabResult) -> str:
    """A result's number as typed ('92', '<5'), its words and the authors' flag."""
    parts = [] if lab.value is None else [L.format_value(lab.value, "", lab.comparator).replace("−", "-")]
    rest = entry_text(dataclasses.replace(lab, value=None))
    return " ".join(parts + ([rest] if rest else []))


def _shown(lab: LabResult, saved: bool = False) -> str:
    """'92 mg/dL', '<5 undetectable', 'positive' — a result as the messages name it (a saved one with
    the decimals usual for its unit, as the grid shows it: '9.0 mg/dL')."""
    text = entry_text(lab) if saved else _typed(lab)
    if lab.value is not None:
        number, _, rest = text.partition(" ")
        text = L.join_unit(number, lab.unit) + (f" {rest}" if rest else "")
    return text or "no value"


class LabEntry:
    """Reading, checking and saving one row of the grid (see the module's description)."""

    # --- one row ----------------------------------------------------------------------------------

    def _commit_row(self, row: "LabRow") -> bool:
        if self._filling:
            return False
        a = row.a
        text = row.value.text().strip()
        if not text:
            row.pending_unit = None
            if row.lab is not None:
                self._clear_message(row)
                self.session.delete_item("labs", row.lab.id, text=f"Delete {a.label}")
                self.refresh()
                return True
            row.load(None)
            return False
        when = self.current_when()
        if when is None or (self._timepoint(when) is None and not (when.is_set or when.label.strip())):
            return self._wait_for_time(row)
        self.waiting.pop(a.code, None)
        try:
            entry = parse_entry(text, a)
        except ValueError as exc:
            return self._refuse(row, f"{a.label}: {exc}")
        if row.lab is not None and text == entry_text(row.lab):
            entry.decimals = row.lab.decimals  # the row as it shows the stored result: nothing was typed
        ends = []
        for w, end in ((row.low, "low"), (row.high, "high")):
            try:
                ends.append(parse_number(w.text()) if w.text().strip() else None)
            except ValueError as exc:
                return self._refuse(row, f"{a.label}, reference range {end} end: {exc}")
        lab = copy.deepcopy(row.lab) if row.lab is not None else LabResult(
            analyte=a.code, when=when, dialysis_context=self.dialysis.value() or "unknown")
        unit = (entry.unit or _unit_of(a, row.current_unit())) if entry.value is not None else ""
        if entry.also is not None and entry.value is not None and a.accepts(unit):
            other, other_digits, other_unit = entry.also
            same, converted = agrees(a, entry.value, entry.decimals or 0, unit, other, other_digits, other_unit)
            if not same:  # the source printed two values that are not one result (or one was mistyped)
                first = L.format_value(entry.value, unit, entry.comparator, decimals=entry.decimals)
                return self._refuse(row, f"{a.label}: {first} and {L.format_value(other, other_unit, decimals=other_digits)} "
                                    f"in brackets are not the same result: {first} is "
                                    f"{L.format_value(converted, other_unit, decimals=max(other_digits, 1))}. Type "
                                    "the one the source means; the other can go in the result's note.")
        if row.lab is None or (entry.value, unit) != (row.lab.value, row.lab.unit):
            lab.as_printed = False  # a new number or unit is checked again (and may be kept as printed again)
        lab.value, lab.comparator, lab.unit = entry.value, entry.comparator, unit
        lab.decimals = entry.decimals if entry.value is not None else None
        lab.qualitative, lab.author_flag = entry.qualitative, entry.author_flag or (
            lab.author_flag if lab.author_flag == "normal" else None)
        lab.ref_low, lab.ref_high = ends
        lab.expected_abnormal = row.expected.isChecked()
        return self._save_checked(row, lab)

    def _save_checked(self, row: "LabRow", lab: LabResult, verb: str | None = None) -> bool:
        """Check ``lab`` as the import would and save it, or refuse it with what can be done."""
        a = row.a
        if lab.value is not None and not lab.as_printed and not a.qualitative_only:
            if not lab.unit and not a.accepts(""):
                return self._refuse(row, f"{a.label}: {_shown(lab)} has no unit. Pick its unit, or keep it as "
                                    "printed if the source prints none.", self._as_printed_offers(row, lab))
            if lab.unit and not a.accepts(lab.unit):
                return self._refuse(row, f"{a.label}: {lab.unit!r} is not a unit the catalogue knows for it "
                                    f"({', '.join(dict.fromkeys(a.units))}).", self._as_printed_offers(row, lab))
            msg = implausible(a, lab.value, lab.unit) if lab.unit or a.accepts("") else None
            if msg:
                return self._refuse(row, msg, self._as_printed_offers(row, lab))
        problems = check_edit(self.session.case, replacing(lab), item_path(self.session.case, "labs", lab.id))
        if problems:
            return self._refuse(row, f"{a.label}: " + "; ".join(problems))
        row.pending_unit = None
        if row.lab is not None and lab == row.lab:
            # nothing changed: a message stays unless the author retyped what is stored (leaving a
            # field, or clicking an offer, is no correction)
            if any(w.isModified() for w in (row.value, row.low, row.high)):
                self._clear_message(row)
            row.load(row.lab)
            return True
        self._clear_message(row)
        added = row.lab is None
        verb = verb or ("Add" if added else "Edit")
        ok = self.session.save_item("labs", lab, text=f"{verb} {a.label} {L.format_lab(lab)}")
        if added or not ok:
            self.refresh()  # an added result gets its row; an edited one was redrawn by _changes
        return ok

    def _as_printed_offers(self, row: "LabRow", lab: LabResult) -> list:
        kept = copy.deepcopy(lab)
        kept.as_printed = True
        offers = [(f"Keep {_shown(lab)} as printed", lambda: self._save_checked(row, kept, "Keep as printed"))]
        if row.a.accepts(lab.unit):
            other = likely_reading(row.a, lab.value, lab.unit)
            if other is not None:
                reread = copy.deepcopy(lab)
                reread.unit = other
                offers.append((f"Read as {L.join_unit(entry_text(reread), other)}",
                               lambda: self._save_checked(row, reread)))
        return offers

    @property
    def waiting(self) -> dict[str, tuple[str, str, str]]:
        """Rows typed in a new timepoint before its time was given: analyte -> (value, range low,
        range high) as typed. They stay in the grid and are saved when the time is given."""
        return self._waiting

    def _wait_for_time(self, row: "LabRow") -> bool:
        """A value typed before the new timepoint has a time: kept as typed (not saved, not lost) until
        the time is given above, when it is saved with the others waiting."""
        self.waiting[row.a.code] = (row.value.text(), row.low.text(), row.high.text())
        names = [self.rows[code].a.label for code in self.waiting if code in self.rows]
        n = len(names)
        self._offer_row = row
        self.error.show_message(
            f"Give the time of these results above (a date, days before or after day 0, the time of an event, "
            f"or the source's words). {', '.join(names)}: not saved yet; {'they stay' if n > 1 else 'it stays'} "
            "here and will be saved when the time is given.", [("Dismiss", lambda: self._clear_message(row))])
        return False

    def _restore_waiting(self) -> None:
        """Show the waiting values again in their rows (after the grid was redrawn)."""
        self._filling = True
        try:
            for code, (value, low, high) in self.waiting.items():
                row = self.rows.get(code)
                if row is not None:
                    row.value.setText(value)
                    row.low.setText(low)
                    row.high.setText(high)
        finally:
            self._filling = False

    def _save_waiting(self) -> None:
        """The new timepoint got its time: save the values that waited for it."""
        self._restore_waiting()
        for code in list(self.waiting):  # each leaves ``waiting`` as it is saved (or refused)
            row = self.rows.get(code)
            if row is None:
                self.waiting.pop(code, None)
            else:
                row.commit()

    def _refuse(self, row: "LabRow", message: str, offers: list = ()) -> bool:
        """Show why an entry was refused; the row goes back to what is stored."""
        row.pending_unit = None
        stored = f"the stored {_shown(row.lab, saved=True)}" if row.lab is not None else "no result"
        self._offer_row = row
        self.error.show_message(f"{message} Not saved: the row shows {stored}.", list(offers)
                                + [("Dismiss", lambda: self._clear_message(row))])
        self._filling = True
        try:
            row.load(row.lab)
        finally:
            self._filling = False
        return False

    def _clear_message(self, row: "LabRow | None" = None) -> None:
        """The message about ``row`` goes (any message when ``row`` is None)."""
        if row is None or getattr(self, "_offer_row", None) in (None, row):
            self._offer_row = None
            self.error.clear()

    # --- a unit picked or typed -------------------------------------------------------------------

    def _unit_changed(self, row: "LabRow", typed: str) -> None:
        a, lab = row.a, row.lab
        new_unit = _unit_of(a, typed)
        if lab is None or lab.value is None:
            if row.value.text().strip():
                row.commit()  # a value typed in an empty row: saved with its unit
            else:
                row.show_unit(new_unit)
            return
        if new_unit == (row.pending_unit if row.pending_unit is not None else lab.unit):
            row.show_unit(new_unit)
            return
        if new_unit == lab.unit:  # back to the saved unit: nothing waits any more
            row.pending_unit = None
            self._clear_message(row)
            row.load(lab)
            return
        reread = copy.deepcopy(lab)
        reread.unit, reread.as_printed = new_unit, False
        for end in ("ref_low", "ref_high"):  # the laboratory's own range is a quantity: it moves with the unit
            v = getattr(lab, end)
            if v is not None and a.accepts(lab.unit) and a.accepts(new_unit):
                setattr(reread, end, float(fmt_entry(a.convert(v, lab.unit, new_unit),
                                                     (L.unit_decimals(a, new_unit) or 0) + 1)))
        convert = self._conversion(row, new_unit)
        plausible = a.accepts(new_unit) and not implausible(a, lab.value, new_unit)
        if plausible:
            row.pending_unit = None
            if self._save_checked(row, reread, "Read"):
                self._offer_row = row
                self.error.show_message(
                    f"{a.label}: {_shown(lab, saved=True)} is now read as {_shown(reread, saved=True)} (saved).",
                    ([convert] if convert else []) + [("OK", lambda: self._clear_message(row))], kind="info")
            return
        row.pending_unit = new_unit
        row.show_unit(new_unit)
        if not new_unit:  # emptied: the source prints no unit, or the author will pick another
            self._offer_row = row
            self.error.show_message(
                f"{a.label} with no unit: keep {entry_text(lab)} as printed if the source prints none, or pick "
                f"its unit. Until then {_shown(lab, saved=True)} stays saved.",
                [(f"Keep {entry_text(lab)} with no unit, as printed",
                  lambda: self._save_checked(row, _kept(reread), "Keep as printed")),
                 ("Cancel", lambda: self._cancel_unit(row))], kind="info")
            return
        why = (f"{L.join_unit(entry_text(lab), new_unit)} is outside what can be measured" if a.accepts(new_unit)
               else f"{new_unit!r} is not a unit the catalogue knows for it")
        self._offer_row = row
        offers = [convert] if convert else [(f"Keep {L.join_unit(entry_text(lab), new_unit)} as printed",
                                             lambda: self._save_checked(row, _kept(reread), "Keep as printed"))]
        self.error.show_message(
            f"{a.label} in {new_unit}: type the value as reported in {new_unit} and press Enter ({why}). "
            f"Nothing is saved yet: {_shown(lab, saved=True)} stays until then.",
            offers + [("Cancel", lambda: self._cancel_unit(row))], kind="info")
        row.value.setFocus()
        row.value.selectAll()

    def _conversion(self, row: "LabRow", new_unit: str):
        """The offer to convert the saved value into ``new_unit`` (None when it cannot be)."""
        a, lab = row.a, row.lab
        if not (a.accepts(lab.unit) and a.accepts(new_unit)) or a.units[a.unit_of(lab.unit)] == a.units[a.unit_of(new_unit)]:
            return None
        d = L.unit_decimals(a, new_unit)
        conv = copy.deepcopy(lab)
        conv.unit, conv.as_printed = new_unit, False
        conv.value = float(fmt_entry(a.convert(lab.value, lab.unit, new_unit), d))
        conv.decimals = d  # a converted value has the digits it was rounded to, not those typed
        for end in ("ref_low", "ref_high"):
            v = getattr(lab, end)
            if v is not None:
                setattr(conv, end, float(fmt_entry(a.convert(v, lab.unit, new_unit), (d or 0) + 1)))
        note = f"converted from {_shown(lab, saved=True)}"
        conv.note = f"{lab.note}; {note}" if lab.note else note
        text = f"Convert {_shown(lab, saved=True)} to {L.format_value(conv.value, new_unit, lab.comparator, d)}"

        def do() -> None:
            # the saved row: the value read in the new unit (when it was) or as it was
            row.pending_unit = None
            base = next((x for x in self.session.case.labs if x.id == lab.id), lab)
            conv.expected_abnormal = base.expected_abnormal
            self._save_checked(row, conv, "Convert")
        return text, do

    def _cancel_unit(self, row: "LabRow") -> None:
        row.pending_unit = None
        self._clear_message(row)
        row.load(row.lab)


def _kept(lab: LabResult) -> LabResult:
    out = copy.deepcopy(lab)
    out.as_printed = True
    return out
