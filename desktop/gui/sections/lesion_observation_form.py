"""The form of one wound observation (the Observations tab of the Lesions section), laid out once:
one column of rows grouped by what is looked at — the wound bed, the exudate, the surrounding
skin, pain — each question asked once. The PUSH 3.0 and BWAT-CUA items sit in the group of the
characteristic they score, and every score is offered with its description (the instruments'
anchors, from resources/rules/instruments.json through :mod:`desktop.core.reference`); the chosen
description is the combo's text and its tooltip. The exudate type is asked once: its five types
are the BWAT-CUA item's five scores, so saving it keeps both (:func:`bwat_for_observation`).

Labels sit beside their fields while the panel is wide enough and above them when it is narrow
(the lesion panel beside the body map is about 340 px wide in a 1280×800 window); nothing scrolls
sideways (:func:`follow_width`). :func:`build_observation_form` builds it on the section (an
:class:`~desktop.gui.sections.lesion_observations.ObservationsTab`)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QFormLayout, QGroupBox, QHBoxLayout, QLabel, QStyle, QStyleOptionComboBox, QStylePainter, QWidget,
)

from ...core import reference
from ...model import Morphology, Pain
from ..fields import CheckField, ChoiceCombo, LineField, NumberField, TextArea, TriStateCombo, shrinkable
from ..formatting import choices_of
from ..forms import SPACING, FieldError, FlowLayout, add_row, form_layout, hint_label
from ..when_editor import WhenEditor

MORPHOLOGY_CHOICES = choices_of(Morphology)
MORPHOLOGY = [m for m, _ in MORPHOLOGY_CHOICES]
ODOUR = [("none", "none"), ("present", "present"), ("foul", "foul")]
BWAT_ITEMS = [(field, label[:1].upper() + label[1:]) for field, label in reference.bwat_items()]


def bwat_choices(field: str) -> list[tuple[int, str]]:
    """A BWAT-CUA item's scores, each with its description (1 best, 5 worst)."""
    return [(score, f"{score} – {text}") for score, text in sorted(reference.bwat_anchors(field).items())]


def bwat_for_observation(field: str, observation_value: str | None) -> int | None:
    """The BWAT-CUA score an observation's own category stands for (the exudate type), or None."""
    link = reference.bwat_observation_field(field)
    if link is None or observation_value is None:
        return None
    return link[1].get(observation_value)


class _AnchorCombo(ChoiceCombo):
    """A score with its description; when the column is narrower than the description, the text
    ends in "…" (the whole of it is in the tooltip and the list) instead of being cut mid-word."""

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        opt.currentText = self.fontMetrics().elidedText(opt.currentText, Qt.TextElideMode.ElideRight,
                                                        max(0, field.width() - 4))
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)


def _instrument_combo(choices, name: str) -> ChoiceCombo:
    combo = shrinkable(_AnchorCombo(choices, name, allow_none=True), 14)
    every = "\n".join(text for _v, text in choices)

    def tip(_i: int = 0) -> None:  # the chosen description in full, then every score's
        chosen = combo.currentText() if combo.currentData() is not None else "not recorded"
        combo.setToolTip(f"{name}: {chosen}\n\n{every}")
    combo.currentIndexChanged.connect(tip)
    tip()
    return combo


class _WidthRule(QObject):
    """Every label beside its field when the scroll area showing the form is wide enough for the
    longest label and a description, every label above its field when it is not — one rule for
    all rows, never some beside and some above. It follows the area's width, not the box's (labels
    beside their fields make the box's minimum wider, which would never let it narrow again)."""

    def __init__(self, form: QFormLayout, viewport: QWidget):
        super().__init__(viewport)
        self.form = form
        viewport.installEventFilter(self)
        self.apply(viewport.width())

    def apply(self, width: int) -> None:
        em = self.form.parentWidget().fontMetrics().averageCharWidth()
        policy = (QFormLayout.RowWrapPolicy.WrapAllRows if width < em * 64
                  else QFormLayout.RowWrapPolicy.DontWrapRows)
        if self.form.rowWrapPolicy() != policy:
            self.form.setRowWrapPolicy(policy)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            self.apply(event.size().width())
        return False


def follow_width(box: QGroupBox, area) -> None:
    """Lay the form in ``box`` out by the width of the scroll area ``area`` that shows it."""
    box._width_rule = _WidthRule(box.layout(), area.viewport())


def _subheading(text: str) -> QLabel:
    lab = QLabel(f"<b>{text}</b>")
    lab.setContentsMargins(0, SPACING, 0, 0)
    return lab


def build_observation_form(tab) -> QGroupBox:
    """Build the form on ``tab``: sets ``obs_fields`` (field key -> widget; BWAT-CUA items as
    ``bwat.<item>``), ``morph_boxes``, ``derived_label`` and ``obs_error``; returns the group box."""
    box = QGroupBox("Selected observation")
    form = form_layout(box)
    form.setContentsMargins(SPACING, SPACING + 4, SPACING, SPACING)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # until follow_width() knows the room
    tab.obs_error = FieldError()
    o: dict[str, Any] = {}

    o["when"] = WhenEditor("Observed")
    o["when"].event.setMinimumContentsLength(12)
    add_row(form, "Observed", o["when"])
    sw = QWidget()
    size = FlowLayout(sw, h_spacing=SPACING + 2, v_spacing=4)  # "Length: [ ] mm" parts wrap when narrow
    for attr, text in (("length_mm", "Length"), ("width_mm", "Width"), ("depth_mm", "Depth")):
        f = NumberField(f"{text} in mm", units={"mm": 1.0, "cm": 10.0})
        f.setAccessibleDescription("in mm")
        f.setPlaceholderText("")
        f.setToolTip(f"{text} in mm; a size typed in cm as the source prints it (\u201c2.5 cm\u201d) is read "
                     "in mm; empty = not measured")
        f.setFixedWidth(f.fontMetrics().horizontalAdvance("0") * 7 + 16)
        o[attr] = f
        part = QWidget()
        pl = QHBoxLayout(part)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(4)
        lab = QLabel(f"{text}:")
        lab.setBuddy(f)
        lab.setMinimumWidth(lab.fontMetrics().horizontalAdvance("Length:") + 2)  # fields line up when wrapped
        pl.addWidget(lab)
        pl.addWidget(f)
        pl.addWidget(QLabel("mm"))
        size.addWidget(part)
    sw.setAccessibleName("Size in mm")
    form.addRow("Size:", sw)

    form.addRow(_subheading("Wound bed"))
    mw = QWidget()
    morph = FlowLayout(mw, h_spacing=SPACING + 2, v_spacing=2)
    tab.morph_boxes = {}
    for m, label in MORPHOLOGY_CHOICES:
        cb = CheckField(label, f"Morphology: {m}")
        cb.committed.connect(lambda _on: tab._save_obs_field("morphology", tab._morphology(), "Morphology"))
        tab.morph_boxes[m] = cb
        morph.addWidget(cb)
    mw.setAccessibleName("Morphology")
    form.addRow("Morphology:", mw)
    o["ulcerated"] = TriStateCombo("Ulcerated")
    add_row(form, "Ulcerated", o["ulcerated"])
    o["tissue_type"] = _instrument_combo(reference.push_choices("tissue_type"),
                                         "Tissue type, the worst present (PUSH 3.0)")
    add_row(form, "Tissue type", o["tissue_type"], tip="PUSH 3.0 sub-score: the worst tissue present")
    bwat_labels = dict(BWAT_ITEMS)
    for attr in ("necrotic_tissue_type", "necrotic_tissue_amount"):
        o[f"bwat.{attr}"] = _instrument_combo(bwat_choices(attr), f"BWAT-CUA {bwat_labels[attr].lower()}")
        add_row(form, bwat_labels[attr], o[f"bwat.{attr}"], tip="BWAT-CUA item, 1 best – 5 worst")

    form.addRow(_subheading("Exudate"))
    # asked once: the five types are the BWAT-CUA item's five scores (its anchors describe them)
    o["exudate_type"] = _instrument_combo(
        [(value, f"{text} (BWAT-CUA {score})") for value, score, text in _exudate_types()], "Exudate type")
    add_row(form, "Exudate type", o["exudate_type"], tip="Also the BWAT-CUA exudate type item")
    o["exudate_amount"] = _instrument_combo(reference.push_choices("exudate_amount"), "Exudate amount (PUSH 3.0)")
    add_row(form, "Amount, PUSH", o["exudate_amount"], tip="PUSH 3.0 sub-score: none, light, moderate, heavy")
    o["bwat.exudate_amount"] = _instrument_combo(bwat_choices("exudate_amount"), "BWAT-CUA exudate amount")
    add_row(form, "Amount, BWAT-CUA", o["bwat.exudate_amount"], tip="BWAT-CUA item, 1 best – 5 worst")
    o["odour"] = ChoiceCombo(ODOUR, "Odour", allow_none=True)
    add_row(form, "Odour", o["odour"])
    o["purulence"] = TriStateCombo("Purulence")
    add_row(form, "Purulence", o["purulence"])

    form.addRow(_subheading("Surrounding skin"))
    o["surrounding_skin"] = LineField("Surrounding skin", placeholder="in the source's words, e.g. livedo")
    add_row(form, "As described", o["surrounding_skin"])
    o["bwat.skin_colour_surrounding"] = _instrument_combo(bwat_choices("skin_colour_surrounding"),
                                                          "BWAT-CUA skin colour surrounding wound")
    add_row(form, "Colour, BWAT-CUA", o["bwat.skin_colour_surrounding"], tip="BWAT-CUA item, 1 best – 5 worst")
    o["oedema"] = TriStateCombo("Oedema")
    add_row(form, "Oedema", o["oedema"])
    o["bwat.peripheral_tissue_oedema"] = _instrument_combo(bwat_choices("peripheral_tissue_oedema"),
                                                           "BWAT-CUA peripheral tissue oedema")
    add_row(form, "Oedema, BWAT-CUA", o["bwat.peripheral_tissue_oedema"], tip="BWAT-CUA item, 1 best – 5 worst")
    form.addRow(hint_label(reference.bwat_caveat() + " (Diagnostics 2021;11:730)"))

    form.addRow(_subheading("Pain"))
    o["pain"] = ChoiceCombo(choices_of(Pain, present="painful", absent="painless"), "Pain, as the source states it")
    o["pain_0_10"] = NumberField("Pain (numeric rating 0–10)", integer=True)
    o["pain_0_100"] = NumberField("Pain (visual analogue scale 0–100)", integer=True)
    add_row(form, "Stated", o["pain"])
    add_row(form, "Score", o["pain_0_10"], "of 10 (numeric rating scale)")
    add_row(form, "VAS", o["pain_0_100"], "of 100 (visual analogue scale)")

    o["note"] = TextArea("Note", lines=2)
    add_row(form, "Note", o["note"])
    tab.derived_label = QLabel()
    tab.derived_label.setWordWrap(True)
    tab.derived_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    tab.derived_label.setAccessibleName("Area and PUSH 3.0 of this observation (derived)")
    form.addRow("Derived:", tab.derived_label)
    form.addRow("", tab.obs_error)
    tab.obs_fields = o
    return box


def _exudate_types() -> list[tuple[str, int, str]]:
    """(observation value, BWAT-CUA score, the score's description) for each exudate type."""
    field, values = reference.bwat_observation_field("exudate_type")
    anchors = reference.bwat_anchors("exudate_type")
    assert field == "exudate_type"
    return [(value, score, anchors[score]) for value, score in sorted(values.items(), key=lambda kv: kv[1])]
