"""A list with an editor for its selected item: a table of items and, under it, a form editing the
selected one; every change is saved at once through the session."""
from __future__ import annotations

import copy
from typing import Any, Callable

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from ..model import Case
from .binding import commit_field, get_attr, load_widget, lock_if_read_only, set_attr
from .fields import CheckField, ChoiceCombo, NumberField
from .forms import (SPACING, FieldError, SuggestionLine, add_row, follow_in_tab_order, form_layout, hint_label,
                    mark_invalid, reveal)
from .tables import Column, ItemTable
from .when_editor import WhenEditor


class ListEditor(QWidget):
    """A table of items and, under it, a form editing the selected one; every change is saved at
    once through the session.

    Two kinds of list: a list part of the case (``part="treatments"``: items have ids, edits go
    through ``session.save_item`` after the import's checks), or a list inside something else
    (``embedded=(get, put)``: ``get(case) -> list`` and ``put(new_list) -> bool`` saving the whole
    list, e.g. a diagnosis's differentials or the case's authors; items are keyed by row).
    ``new_item()`` makes the item that "Add" appends, or returns None when the item waits for a
    choice it asked the author for (which vital sign): the choice then calls ``add(item)``."""

    def __init__(self, session, columns: list[Column], noun: str, new_item: Callable[[], Any], *,
                 part: str | None = None, embedded: tuple[Callable[[Case], list], Callable[[list], bool]] | None = None,
                 add_text: str | None = None, rows: int = 6, build: Callable[["ListEditor"], None] | None = None,
                 on_load: Callable[[Any], None] | None = None, parent: QWidget | None = None):
        """``build(editor)`` adds the form's fields (``add_field``/``bind``); given here, it runs
        only when an item is first shown, so opening a section with an empty list stays quick."""
        super().__init__(parent)
        assert (part is None) != (embedded is None)
        self.session, self.part, self.embedded, self.noun, self.new_item = session, part, embedded, noun, new_item
        self._build = build
        self._last_stop: QWidget | None = None
        self.add_menu = None  # see add_by_choice
        self._on_load = on_load  # called with the item before its fields are shown (e.g. to set choices)
        # the field the author types in after Add (default: the first field); a combo first would eat
        # the typing ("surgical debridement" typed into the Kind box selected nothing and was lost)
        self.type_first: Any = None
        self.table = ItemTable(columns, noun, add_text=add_text)
        self.table.set_row_range(rows, max(rows, 12))
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        self._validators: dict[str, Callable[[Any], str | None]] = {}
        self._first_load = True
        self.editor = QWidget()
        self.form = form_layout(self.editor)
        self.form.setContentsMargins(0, SPACING - 2, 0, 0)
        self._article = "an" if noun[:1].lower() in "aeiou" else "a"
        self.placeholder = hint_label("")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.table)
        lay.addWidget(self.placeholder)
        lay.addWidget(self.editor)
        self.table.selected.connect(lambda _k: self._load())
        self.table.add_requested.connect(self.add)
        self.table.delete_requested.connect(self.delete)

    # --- building ------------------------------------------------------------------------------

    def add_field(self, label: str, attr: str, widget: QWidget, unit: str | None = None, tip: str = "",
                  validate: Callable[[Any], str | None] | None = None) -> QWidget:
        """A row "label: widget [unit]" editing ``attr`` of the selected item. ``validate(value)``
        may refuse a value with a message (shown as "<label>: <message>")."""
        err = FieldError()
        add_row(self.form, label, widget, unit, err, tip)
        self.bind(attr, widget, label, err, validate)
        return widget

    def bind(self, attr: str, widget: QWidget, label: str, error: FieldError,
             validate: Callable[[Any], str | None] | None = None) -> None:
        """Save ``attr`` when ``widget`` commits (for widgets placed by the caller)."""
        self.fields[attr] = widget
        self.errors[attr] = error
        if validate is not None:
            self._validators[attr] = validate
        widget.committed.connect(lambda v, a=attr, l=label, w=widget, e=error: self.save(a, v, l, e, w))
        if isinstance(widget, NumberField):
            widget.rejected.connect(error.show_message)
        elif hasattr(widget, "set_error"):  # a dose, a frequency: several inputs, one message line
            widget.set_error(error)
        if hasattr(widget, "corrected"):  # a refused input put right: its message goes at once
            widget.corrected.connect(error.clear)

    # --- data ----------------------------------------------------------------------------------

    def items(self) -> list:
        case = self.session.case
        return list(getattr(case, self.part)) if self.part else list(self.embedded[0](case))

    def refresh(self, items: list | None = None) -> None:
        """Reload from the session (``items`` overrides the order shown). The first load selects
        the first item, so the section opens showing something to read."""
        shown = self.items() if items is None else items
        self.table.set_items(shown)
        if self._first_load and shown:
            self.table.select(0 if self.embedded else getattr(shown[0], "id", 0), emit=False)
        self._first_load = False
        self._load()

    def current(self) -> Any:
        return self.table.current_item()

    def select(self, key: Any) -> bool:
        ok = self.table.select(key)
        self._load()
        return ok

    def add_by_choice(self, choices: list[tuple[str, Callable[[], Any]]], name: str) -> None:
        """Add asks what to add first: a menu of ``choices`` (label, make) under the Add button (made
        when first needed); the choice adds ``make()``, and nothing is saved when the menu is
        dismissed. For items whose kind a default would invent (which vital sign, which modality)."""
        def ask() -> None:
            if self.add_menu is None:
                from PySide6.QtWidgets import QMenu
                self.add_menu = QMenu(self)
                self.add_menu.setAccessibleName(name)
                for label, make in choices:
                    self.add_menu.addAction(label).triggered.connect(lambda _=False, m=make: self.add(m()))
            button = self.table.add_button
            self.add_menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
        self.new_item = ask

    def add_offering_field(self, label: str, attr: str, widget: QWidget, button_text: str,
                           offer: Callable[[Any], "tuple[str, Callable[[], Any], str] | None"]) -> SuggestionLine:
        """A field with, beside it, something the author may take with one click: ``offer(item)``
        gives (text, what the click does, tooltip) or None. Beside the field, in the row it has
        anyway: nothing moves when the offer comes or goes."""
        from PySide6.QtWidgets import QHBoxLayout
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(SPACING)
        line = SuggestionLine(button_text, f"{label}: suggestion", field=widget)
        lay.addWidget(widget)
        lay.addWidget(line, 1)
        row.setFocusProxy(widget)
        widget.setAccessibleName(widget.accessibleName() or label)
        err = FieldError()
        add_row(self.form, label, row, error=err)
        self.bind(attr, widget, label, err)
        previous = self._on_load

        def load(item) -> None:
            if previous is not None:
                previous(item)
            got = offer(item)
            if got is None:
                line.clear()
                return
            text, take, tip = got
            line.offer(text, take, tip=tip)
        self._on_load = load
        return line

    def add_class_field(self, label: str, class_attr: str, combo: QWidget, labels: dict[str, str]) -> None:
        """The class field of a medicine or a treatment, offering, for an item whose class is still
        Other though the catalogues know its name (one recorded before they did), the class they give
        (with a treatment's kind while that is still the first one)."""
        from ..app.editing import suggested_class

        def offer(item):
            guess = suggested_class(self.part, item)
            if guess is None:
                return None
            cls, kind = guess
            name = (getattr(item, "agent", None) or getattr(item, "name", "")).strip()
            tip = (f"Casebook's catalogues (drugs, treatment names) give {labels.get(cls, cls)} for "
                   f"\u201c{name}\u201d; the class is still Other.")
            attrs, values = (class_attr, "kind"), (cls, kind)
            if kind is None or getattr(item, "kind", None) != "drug" or kind == "drug":
                attrs, values = class_attr, cls
            return (f"Catalogue: {labels.get(cls, cls)}",
                    lambda: self.save(attrs, values, label, self.errors[class_attr], combo), tip)
        self.class_suggestion = self.add_offering_field(label, class_attr, combo, "Set class", offer)

    def _last_button(self) -> QWidget:
        return self.table.findChildren(QPushButton)[-1]

    def last_tab_stop(self) -> QWidget:
        """Where Tab leaves a list given ``build``: its form's last field once the form is built, else
        its last button (what comes after the list in the Tab order follows this)."""
        return self._last_stop if self._build is None and self._last_stop is not None else self._last_button()

    def ensure_built(self) -> None:
        """Build the form now (it is otherwise built when an item is first shown)."""
        if self._build is not None:
            build, self._build = self._build, None
            build(self)
            # Tab goes from the list's last button (Add, Delete, any a section adds) to its form
            self._last_stop = follow_in_tab_order(self._last_button(), self.editor)
            lock_if_read_only(self.session, self.editor)

    def _load(self) -> None:
        item = self.current()
        if item is not None:
            self.ensure_built()
        self.editor.setVisible(item is not None)
        self.placeholder.setVisible(item is None)
        a, noun = self._article, self.noun
        self.placeholder.setText(f"Select {a} {noun} to edit it, or add one (Insert)." if self.table.items()
                                 else f"Nothing recorded yet: add {a} {noun} with the button above (or Insert).")
        key = self.table.current_key()
        if key != getattr(self, "_loaded_key", None):
            self._loaded_key = key  # another item: the last one's messages and marks go
            for attr, e in self.errors.items():
                e.clear()
                mark_invalid(self.fields[attr], False)
        if item is None:
            return
        if self._on_load is not None:
            self._on_load(item)
        for attr, w in self.fields.items():
            if isinstance(w, WhenEditor):  # checked against the case, and a stop against its start
                start = getattr(item, "start", None) if attr == "stop" else None
                w.set_when(get_attr(item, attr), self.session.case, item_id=getattr(item, "id", None), start=start)
                continue
            load_widget(w, get_attr(item, attr), self.session.case)

    def save(self, attr: str, value: Any, label: str, error: FieldError | None, widget: QWidget | None) -> bool:
        key = self.table.current_key()
        if key is None:
            return False
        problem = self._validators[attr](value) if attr in self._validators else None
        if problem:
            if error is not None:
                error.show_message(f"{label}: {problem}")
            if widget is not None:
                mark_invalid(widget, True)
            return False
        if self.part:
            ok = commit_field(self.session, self.part, attr, value, item_id=key, label=label, error=error,
                              widget=widget)
        else:
            items = copy.deepcopy(self.items())
            if not isinstance(key, int) or key >= len(items):
                return False
            for a, v in (zip(attr, value) if isinstance(attr, tuple) else ((attr, value),)):
                set_attr(items[key], a, copy.deepcopy(v))
            ok = self.embedded[1](items)
            if ok and error is not None:
                error.clear()
            if ok and widget is not None:
                mark_invalid(widget, False)
        if not ok and isinstance(widget, (ChoiceCombo, CheckField)):
            self._load()
        if ok:
            self._drop_stale_refusals(attr)
        return ok

    def _drop_stale_refusals(self, saved: Any) -> None:
        """A refused number stays on screen for correction while its message says why; once another
        save clears that message (a value and its unit share one), it would look saved: it goes back
        to what is stored (issue 16 item 7), e.g. 95.4 refused under °C, then °F chosen."""
        item = self.current()
        for attr, w in self.fields.items():
            if attr == saved or item is None or not w.property("invalid"):
                continue
            if not self.errors[attr].message():
                mark_invalid(w, False)
                load_widget(w, get_attr(item, attr), self.session.case)

    def add(self, item: Any = None) -> None:
        """Append ``item`` (by default the one ``new_item()`` makes), save it and show it."""
        item = self.new_item() if item is None else item
        if item is None:
            return
        if self.part:
            ok = self.session.save_item(self.part, item)
            key = item.id
        else:
            items = copy.deepcopy(self.items()) + [item]
            ok = self.embedded[1](items)
            key = len(items) - 1
        if ok:
            self.refresh()
            self.select(key)
            if self.fields:
                reveal(self.fields.get(self.type_first) or next(iter(self.fields.values())))

    def delete(self, key: Any) -> None:
        if self.part:
            self.session.delete_item(self.part, key)
        else:
            items = copy.deepcopy(self.items())
            if isinstance(key, int) and key < len(items):
                del items[key]
                self.embedded[1](items)
