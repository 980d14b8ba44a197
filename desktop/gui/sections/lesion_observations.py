"""The Observations tab of the Lesions section: a lesion's observations in a table, the selected one
in a form (sizes in mm, morphology, tissue, exudate, pain, the six verified BWAT-CUA items — never
a BWAT total, domain file §6), with its area and PUSH 3.0 total as the assessment core derives them.

The form itself (laid out once, each item asked once, the instruments' anchors) is built by
:mod:`.lesion_observation_form`. A new observation starts empty, its time too.

:class:`ObservationsTab` is a part of :class:`~desktop.gui.sections.lesions.LesionsSection`: it
builds the tab's widgets on the section and keeps the selected observation (``_obs_id``)."""
from __future__ import annotations

import copy
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ... import timing
from ...core.derived import push_scores
from ...core.labs import format_number
from ...core import reference
from ...model import Observation
from ..binding import check_edit
from ..formatting import label_of, when_text
from ..forms import SPACING, hint_label, mark_invalid, vertical_scroll
from ..fields import NumberField
from ..tables import Column, ItemTable
from .lesion_observation_form import (BWAT_ITEMS, MORPHOLOGY, bwat_for_observation, build_observation_form,
                                      follow_width)
from .lesion_sites import lesion_text

# the instruments as resources/rules/instruments.json gives them (domain file §6)
PUSH_MAX = reference.push_max()


def _exudate_type_of_score(score: int | None) -> str | None:
    """The exudate type a BWAT-CUA exudate-type score names (for an observation that has only the score)."""
    link = reference.bwat_observation_field("exudate_type")
    return next((value for value, s in link[1].items() if s == score), None) if link and score else None


def _size_text(ob: Observation) -> str:
    dims = [ob.length_mm, ob.width_mm, ob.depth_mm]
    if all(d is None for d in dims[:2]):
        return "—"
    parts = [format_number(float(d)) if d is not None else "?" for d in dims[:2]]
    text = " × ".join(parts)
    if ob.depth_mm is not None:
        text += f" × {format_number(float(ob.depth_mm))}"
    return text + " mm"


class ObservationsTab:
    """The observations of the selected lesion: their table, the form of the selected one, saving."""

    # --- building ---------------------------------------------------------------------------------

    def _build_observations(self) -> QWidget:
        cols = [
            Column("When", lambda o: when_text(timing.Timeline(self.session.case), o.when),
                   tooltip=lambda o: o.when.label or ""),
            # short titles (the panel is narrow); the cells carry their units
            Column("Size", _size_text, header_tip="Length × width (× depth) in mm"),
            Column("Area", lambda o: self._derived_text(o, "lesion_area", " cm²"), align_right=True,
                   header_tip="Area in cm², length × width (derived by the assessment core)"),
            Column("PUSH", lambda o: self._push_text(o), align_right=True,
                   header_tip=f"PUSH 3.0 total, 0–{PUSH_MAX} (derived by the assessment core)"),
            Column("Morphology", lambda o: ", ".join(o.morphology) or "—", stretch=True, min_chars=12),
            Column("Tissue", lambda o: label_of(o.tissue_type) if o.tissue_type else "—",
                   header_tip="The worst tissue present (PUSH 3.0)", optional=True),
            Column("Pain", lambda o: "—" if o.pain_0_10 is None else f"{o.pain_0_10}/10", align_right=True,
                   header_tip="Pain on a numeric rating scale, 0–10", optional=True),
        ]
        self.obs_table = ItemTable(cols, "observation")
        self.obs_table.view.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.obs_table.add_requested.connect(self.add_observation)
        self.obs_table.delete_requested.connect(self.delete_observation)
        self.obs_table.selected.connect(self._obs_selected)
        self.obs_table.add_button.setToolTip("Add an observation (Ctrl+Shift+O)")

        box = build_observation_form(self)
        self.obs_box = box
        o = self.obs_fields
        labels = {"when": "Observed", "length_mm": "Length", "width_mm": "Width", "depth_mm": "Depth",
                  "pain_0_10": "Pain", "pain_0_100": "Pain VAS", "pain": "Pain stated"}
        for attr, w in o.items():
            label = labels.get(attr) or w.accessibleName() or attr
            w.committed.connect(lambda v, a=attr, l=label, ww=w: self._save_obs_field(a, v, l, ww))
            if isinstance(w, NumberField):
                w.rejected.connect(lambda message, ww=w: self._obs_message(message, ww))
            if hasattr(w, "corrected"):  # a refused input put right (or Escape): its message goes at once
                w.corrected.connect(lambda ww=w: self._obs_corrected(ww))
        self._obs_error_of: QWidget | None = None  # the field the message under the form is about

        page = QWidget()
        pv = QVBoxLayout(page)
        pv.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        pv.setSpacing(SPACING)
        pv.addWidget(self.obs_table)
        self.obs_placeholder = hint_label("")
        pv.addWidget(self.obs_placeholder)
        pv.addWidget(box)
        pv.addStretch(1)
        self.obs_scroll = vertical_scroll(page)
        follow_width(box, self.obs_scroll)
        return self.obs_scroll

    # --- the selected observation -----------------------------------------------------------------

    def selected_observation_id(self) -> str | None:
        return self._obs_id

    def observation(self) -> Observation | None:
        les = self.lesion()
        if les is None:
            return None
        return next((o for o in les.observations if o.id == self._obs_id), None)

    def select_observation(self, obs_id: str | None) -> None:
        self._obs_id = obs_id
        self._fill_observation()
        if obs_id is not None:
            self.obs_table.select(obs_id, emit=False)

    def add_observation(self) -> None:
        les = self.lesion()
        if les is None or self.session.read_only:
            return
        new = copy.deepcopy(les)
        # a new observation starts empty, its time too: a time silently copied from the previous one
        # would date this look wrongly unless the author noticed (issue 16)
        ob = Observation()
        new.observations.append(ob)
        self._obs_id = ob.id
        self.session.save_item("lesions", new, text=f"Add observation of {lesion_text(les)}")
        self.tabs.setCurrentIndex(1)
        self.obs_fields["when"].setFocus()

    def delete_observation(self, obs_id: str | None = None) -> None:
        les = self.lesion()
        obs_id = obs_id or self._obs_id
        if les is None or obs_id is None:
            return
        new = copy.deepcopy(les)
        pos = next((n for n, o in enumerate(new.observations) if o.id == obs_id), None)
        if pos is None:
            return
        new.observations.pop(pos)
        rest = new.observations
        self._obs_id = rest[min(pos, len(rest) - 1)].id if rest else None
        self.session.save_item("lesions", new, text=f"Delete observation of {lesion_text(les)}")

    def _obs_selected(self, key) -> None:
        if key is not None and key != self._obs_id:
            self._obs_id = key
            self._obs_corrected(None)  # a message about the observation left does not stay
            self._fill_observation()

    def _obs_message(self, message: str, widget: QWidget | None) -> None:
        """The one message line under the observation form says what was refused, and of which field."""
        self._obs_error_of = widget
        self.obs_error.show_message(message)

    def _obs_corrected(self, widget: QWidget | None) -> None:
        """``widget``'s refused input was put right: its message goes (one about another field stays);
        None: whatever is said goes."""
        if widget is None or self._obs_error_of is None or self._obs_error_of is widget:
            self._obs_error_of = None
            self.obs_error.clear()

    def _fill_observation(self) -> None:
        ob = self.observation()
        self.obs_box.setVisible(ob is not None)
        self.obs_placeholder.setVisible(ob is None)
        les = self.lesion()
        self.obs_placeholder.setText(
            "Select an observation to edit it, or add one (Ctrl+Shift+O)." if les is not None and les.observations
            else "No observations yet: add one (Ctrl+Shift+O) for each time the lesion was described — its "
                 "size, morphology, exudate and pain, and the BWAT-CUA items.")
        if ob is None:
            return
        self._loading = True
        try:
            o = self.obs_fields
            o["when"].set_when(ob.when, self.session.case)
            for attr in ("length_mm", "width_mm", "depth_mm", "pain_0_10", "pain_0_100"):
                o[attr].set_value(getattr(ob, attr))
            o["pain"].set_value(ob.pain)
            for attr in ("ulcerated", "oedema", "purulence"):
                o[attr].set_value(getattr(ob, attr))
            self._show_ulcer_ticked(ob)
            for attr in ("tissue_type", "exudate_amount", "odour"):
                o[attr].set_value(getattr(ob, attr))
            o["exudate_type"].set_value(ob.exudate_type or _exudate_type_of_score(ob.bwat.exudate_type))
            o["surrounding_skin"].set_text(ob.surrounding_skin)
            o["note"].set_text(ob.note)
            for attr, _ in BWAT_ITEMS:
                if f"bwat.{attr}" in o:  # the exudate type is asked once, above
                    o[f"bwat.{attr}"].set_value(getattr(ob.bwat, attr))
            for m, cb in self.morph_boxes.items():
                cb.set_value(m in ob.morphology)
            n = next((i for i, x in enumerate(self.lesion().observations) if x.id == ob.id), 0) + 1
            when = when_text(timing.Timeline(self.session.case), ob.when)
            # the title stays short (it sets the box's minimum width); the time is in the tooltip
            self.obs_box.setTitle(f"Observation {n}: {when}" if len(when) <= 16 else f"Observation {n}")
            self.obs_box.setToolTip(f"Observation {n}: {when}")
            self.derived_label.setText(self._derived_summary(ob))
        finally:
            self._loading = False

    def _show_ulcer_ticked(self, ob: Observation) -> None:
        """"Ulcerated" is asked once: with "ulcer" ticked under Morphology it reads yes and is not asked
        again (nothing more is saved; the tick says it). A stored "no" beside the tick stays in sight,
        for the author to put right."""
        combo = self.obs_fields["ulcerated"]
        ticked = "ulcer" in ob.morphology and ob.ulcerated != "no"
        if ticked:
            combo.set_value("yes")
        combo.setEnabled(not ticked and not self.session.read_only)
        combo.setToolTip("Ulcerated: yes, as \u201culcer\u201d is ticked under Morphology" if ticked else
                         "Ulcerated, as the source says (\u201cnon-ulcerated plaque\u201d: no)"
                         + ("; \u201culcer\u201d is ticked under Morphology" if "ulcer" in ob.morphology else ""))

    # --- derived values (the core's) --------------------------------------------------------------

    def _derived_for(self, ob: Observation, kind: str):
        ref = f"lesions/{self._lesion_id}/observations/{ob.id}"
        return next((d for d in self.derived_values() if d.kind == kind and d.ref == ref), None)

    def _derived_text(self, ob: Observation, kind: str, unit: str = "") -> str:
        d = self._derived_for(ob, kind)
        return "—" if d is None else format_number(d.value, 2) + unit

    def _push_text(self, ob: Observation) -> str:
        d = self._derived_for(ob, "push_total")
        return "—" if d is None else f"{format_number(d.value, 0)} / {PUSH_MAX}"

    def _derived_summary(self, ob: Observation) -> str:
        parts = []
        area = self._derived_for(ob, "lesion_area")
        ellipse = self._derived_for(ob, "lesion_area_ellipse")
        if area is not None:
            text = f"Area {format_number(area.value, 2)} cm² (length × width)"
            if ellipse is not None:
                text += f"; ellipse estimate {format_number(ellipse.value, 2)} cm²"
            parts.append(text)
        else:
            parts.append("Area: needs length and width")
        total = self._derived_for(ob, "push_total")
        a, e, t = push_scores(ob)  # the core's PUSH 3.0 sub-scores
        subs = (f"length × width {a if a is not None else '—'} of 10, exudate amount "
                f"{e if e is not None else '—'} of 3, tissue type {t if t is not None else '—'} of 4")
        if total is not None:
            parts.append(f"PUSH 3.0 total {format_number(total.value, 0)} of {PUSH_MAX} ({subs})"
                         + (f". {total.caveat}" if total.caveat else ""))
        else:
            missing = [w for w, v in (("length and width", a), ("exudate amount", e), ("tissue type", t)) if v is None]
            parts.append(f"PUSH 3.0 total: needs {', '.join(missing)} ({subs})")
        return ".\n".join(parts)

    # --- saving -----------------------------------------------------------------------------------

    def _morphology(self) -> list[str]:
        return [m for m in MORPHOLOGY if self.morph_boxes[m].isChecked()]

    def _save_obs_field(self, attr: str, value: Any, label: str, widget: QWidget | None = None) -> bool:
        """Save one field of the selected observation (the lesion is saved whole, as the store keeps it)."""
        if self._loading:
            return False
        les, ob = self.lesion(), self.observation()
        if les is None or ob is None:
            return False
        new = copy.deepcopy(les)
        j = next(i for i, x in enumerate(new.observations) if x.id == ob.id)
        target = new.observations[j]
        if attr.startswith("bwat."):
            setattr(target.bwat, attr[5:], value)
        else:
            setattr(target, attr, copy.deepcopy(value))
            if attr == "exudate_type":  # one question, both records: the BWAT-CUA item scores the type
                target.bwat.exudate_type = bwat_for_observation("exudate_type", value)
        i = next(n for n, x in enumerate(self.session.case.lesions) if x.id == les.id)
        path = f"$.lesions[{i}].observations[{j}].{attr}"

        def apply(c) -> None:
            c.lesions = [new if x.id == les.id else x for x in c.lesions]
        problems = check_edit(self.session.case, apply, path)
        if problems:
            self._obs_message(f"{label}: " + "; ".join(problems), widget)
            if widget is not None:
                mark_invalid(widget, True)
            return False
        self._obs_corrected(widget)
        if widget is not None:
            mark_invalid(widget, False)
        return self.session.save_item("lesions", new, text=f"Edit {label.lower()} of {lesion_text(les)}")
