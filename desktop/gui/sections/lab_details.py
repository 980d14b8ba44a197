"""The details of the grid's current result, under the grid: the source's words for it, the
authors' own H/L mark (used when the source prints no range), "kept as printed", and for a culture
its specimen and organism; a note. Each change is one validated field edit through the session
(:meth:`~desktop.gui.session.CaseSession.edit_field`); a refused one shows its message in the Labs
message line and the field goes back to what is stored."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from ...app.editing import EditRefused, FieldRefused
from ...model import AuthorFlag, Qualitative
from ..binding import check_edit, item_path
from ..fields import CheckField, ChoiceCombo, LineField
from ..formatting import choices_of
from ..forms import FlowLayout
from .lab_values import replacing

if TYPE_CHECKING:
    from .lab_grid import LabRow
    from .labs import LabsSection

FLAG_WORDS = {"H": "H (high)", "L": "L (low)", "normal": "normal"}


class ResultDetails(QWidget):
    """The current row's result beyond its number (see the module's description)."""

    def __init__(self, section: "LabsSection", parent=None):
        super().__init__(parent)
        self.section = section
        self.row: "LabRow | None" = None
        self.title = QLabel()
        self.title.setAccessibleName("Result details for")
        self.words = ChoiceCombo(choices_of(Qualitative), "Result in words", allow_none=True, none_label="—")
        self.words.setToolTip("The source's words for the result, with or without a number")
        self.flag = ChoiceCombo([(k, FLAG_WORDS[k]) for k in ("H", "L", "normal")], "The authors' own flag",
                                allow_none=True, none_label="—")
        self.flag.setToolTip("The mark the source prints beside the value (H, L); used when it gives no range")
        self.as_printed = CheckField("Kept as printed", "Kept as printed")
        self.as_printed.setToolTip("The source prints this value or unit so: kept, flagged by the assessment and "
                                   "left out of its computations")
        self.specimen = LineField("Specimen", placeholder="e.g. wound, blood")
        self.organism = LineField("Organism", placeholder="as printed")
        self.note = LineField("Result note", placeholder="e.g. printed '17.2×109/L'")
        # a flow, so the strip never makes the section wider than its column
        flow = FlowLayout(self, h_spacing=8, v_spacing=4)
        flow.addWidget(self.title)
        for text, w in (("Words:", self.words), ("Authors' flag:", self.flag), (None, self.as_printed),
                        ("Specimen:", self.specimen), ("Organism:", self.organism), ("Note:", self.note)):
            if isinstance(w, LineField):
                w.setFixedWidth(w.fontMetrics().horizontalAdvance("0") * (26 if w is self.note else 14))
            if text is None:
                flow.addWidget(w)
                continue
            pair = QWidget()
            lay = QHBoxLayout(pair)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.setSpacing(4)
            lab = QLabel(text)
            lab.setBuddy(w)
            lay.addWidget(lab)
            lay.addWidget(w)
            pair.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # side by side in the flow
            flow.addWidget(pair)
        for attr, w in (("qualitative", self.words), ("author_flag", self.flag), ("as_printed", self.as_printed),
                        ("specimen", self.specimen), ("organism", self.organism), ("note", self.note)):
            w.committed.connect(lambda v, a=attr: self._edit(a, v))
        self.show_row(None)

    def widgets(self) -> list[QWidget]:
        return [self.words, self.flag, self.as_printed, self.specimen, self.organism, self.note]

    def show_row(self, row: "LabRow | None") -> None:
        """Show the result of ``row`` (disabled when it has none yet: type its value first)."""
        self.row = row
        lab = row.lab if row is not None else None
        name = row.a.label if row is not None else "no result chosen"
        self.title.setText(f"<b>{name}</b>" + ("" if lab is not None or row is None else " (type its value first)"))
        self.title.setAccessibleName(f"Result details for {name}")
        self.words.set_value(lab.qualitative if lab else None)
        self.flag.set_value(lab.author_flag if lab else None)
        self.as_printed.set_value(bool(lab and lab.as_printed))
        self.specimen.set_text(lab.specimen if lab else "")
        self.organism.set_text(lab.organism if lab else "")
        self.note.set_text(lab.note if lab else "")
        editable = lab is not None and not self.section.session.read_only
        for w in self.widgets():
            w.setEnabled(editable)
        # a specimen and an organism belong to a culture (or to a result that already records them)
        culture = row is not None and (row.a.code == "culture" or bool(lab and (lab.specimen or lab.organism)))
        for w in (self.specimen, self.organism):
            w.setEnabled(editable and culture)
            w.setToolTip("" if culture else "For a culture: the specimen (wound, blood) and the organism grown")

    def _edit(self, attr: str, value) -> None:
        row = self.row
        if row is None or row.lab is None:
            return
        label = {"qualitative": "result in words", "author_flag": "authors' flag", "as_printed": "kept as printed"}.get(
            attr, attr)
        case = self.section.session.case
        trial = dataclasses.replace(row.lab, **{attr: value})
        # the whole result is checked: unticking "kept as printed" is refused while its value is implausible
        whole = check_edit(case, replacing(trial), item_path(case, "labs", row.lab.id))
        try:
            if whole:
                raise EditRefused("; ".join(whole))
            self.section.session.edit_field("labs", attr, value, item_id=row.lab.id, label=f"{row.a.label} {label}")
        except (FieldRefused, EditRefused) as exc:
            problems = getattr(exc, "problems", None)
            text = "; ".join(p.message for p in problems) if problems else str(exc)
            self.section._offer_row = row
            self.section.error.show_message(f"{row.a.label}, {label}: {text}. Not saved.",
                                            [("Dismiss", lambda: self.section._clear_message(row))])
        else:
            self.section._clear_message(row)
        current = next((x for x in self.section.session.case.labs if x.id == row.lab.id), None)
        if current is not None:
            row.load(current)
        self.show_row(row)
