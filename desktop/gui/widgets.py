"""The shared widgets under their old address. Each lives in the module that says what it is:

- :mod:`.fields` — fields that commit when the user is done (text, numbers, choices, checks, a dose);
- :mod:`.when_editor` — the time editor;
- :mod:`.forms` — form layout: rows, groups, headings, hints, inline errors, scrolling pages;
- :mod:`.tables` — a table of items and fitting its columns;
- :mod:`.binding` — checking an edit and saving a field through the session, bound forms;
- :mod:`.list_editor` — a list with an editor for its selected item;
- :mod:`.formatting` — words and numbers as the window shows them (no Qt).

Import from those; this module only keeps ``from desktop.gui.widgets import X`` working.
"""
from .binding import PartForm, check_edit, commit_field, item_path, load_widget, lock_if_read_only
from .fields import (
    CheckField, ChoiceCombo, DoseRow, LineField, LinesArea, NumberField, TextArea, TriStateCombo, WideCombo,
    shrinkable, widen_popup,
)
from .formatting import choices_of, event_title, fmt_number, label_of, parse_number, when_text, word_count
from .forms import (
    ERROR_COLOUR, SPACING, FieldError, FlowLayout, add_row, align_labels, form_layout, group, heading, hint_label,
    mark_invalid, reveal, scroll_page, set_muted, shortcut, vertical_scroll, with_unit,
)
from .list_editor import ListEditor
from .tables import Column, ColumnFitter, ItemTable, fit_widths, header_width
from .when_editor import MODES, UNITS, WhenEditor

__all__ = [
    "CheckField", "ChoiceCombo", "Column", "ColumnFitter", "DoseRow", "ERROR_COLOUR", "FieldError", "FlowLayout",
    "ItemTable", "LineField", "LinesArea", "ListEditor", "MODES", "NumberField", "PartForm", "SPACING",
    "TextArea", "TriStateCombo", "UNITS", "WhenEditor", "WideCombo", "add_row", "align_labels", "check_edit",
    "choices_of", "commit_field", "event_title", "fit_widths", "fmt_number", "form_layout", "group",
    "header_width", "heading", "hint_label", "item_path", "label_of", "load_widget", "lock_if_read_only",
    "mark_invalid", "parse_number", "reveal", "scroll_page", "set_muted", "shortcut", "shrinkable",
    "vertical_scroll", "when_text", "widen_popup", "with_unit", "word_count",
]
