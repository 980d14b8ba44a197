"""Issue 16, items 9 and 13: the wound observation form laid out once, each question asked once, the
PUSH 3.0 and BWAT-CUA items offered with their descriptions per score (the anchors of
resources/rules/instruments.json, read here directly), and a new observation that starts empty."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel

from desktop.gui.sections.lesions import LesionsSection
from gui_helpers import demo_section, pick, stored, type_into

INSTRUMENTS = json.loads((Path(__file__).resolve().parents[1] / "resources" / "rules" / "instruments.json")
                         .read_text(encoding="utf-8"))


@pytest.fixture
def lib_path(tmp_path):
    return tmp_path / "obs.casebook"


@pytest.fixture
def section(qtbot, lib_path):
    with demo_section(qtbot, lib_path, LesionsSection, (700, 800)) as w:
        w.tabs.setCurrentIndex(1)
        yield w


def items(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_every_instrument_item_is_asked_once_with_its_anchors(section):
    o = section.obs_fields
    bwat = INSTRUMENTS["bwat_cua"]["items"]
    assert len(bwat) == 6  # the six verified items (Diagnostics 2021;11:730)
    for item in bwat:
        field = item["field"]
        # the exudate type is one question: its five types are the item's five scores
        combo = o["exudate_type"] if field == "exudate_type" else o[f"bwat.{field}"]
        texts = items(combo)
        for score, anchor in item["anchors"].items():
            shown = f"{anchor} (BWAT-CUA {score})" if field == "exudate_type" else f"{score} – {anchor}"
            assert texts.count(shown) == 1, (field, score, anchor)
    assert "bwat.exudate_type" not in o
    push = INSTRUMENTS["push"]["anchors"]
    for sub in ("tissue_type", "exudate_amount"):
        texts = items(o[sub])
        for score, anchor in push[sub].items():
            assert f"{score} – {anchor}" in texts, (sub, score)
    # one combo per instrument item, no item twice anywhere in the form
    names = [w.accessibleName() for w in section.obs_box.findChildren(QComboBox)]
    assert len(names) == len(set(names))
    form = section.obs_box.layout()
    assert isinstance(form, QFormLayout)
    labels = [form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget().text()
              for r in range(form.rowCount()) if form.itemAt(r, QFormLayout.ItemRole.LabelRole) is not None
              and isinstance(form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget(), QLabel)]
    labels = [t for t in labels if t]
    assert len(labels) == len(set(labels)), labels
    # no nested group box: the form is laid out once
    from PySide6.QtWidgets import QGroupBox
    assert section.obs_box.findChildren(QGroupBox) == []


def test_the_chosen_description_is_shown_in_full(qtbot, section, lib_path):
    o = section.obs_fields
    combo = o["bwat.necrotic_tissue_type"]
    pick(qtbot, combo, 5)
    anchor = next(i for i in INSTRUMENTS["bwat_cua"]["items"] if i["field"] == "necrotic_tissue_type")["anchors"]["5"]
    assert combo.currentText().endswith(anchor)
    assert combo.toolTip().splitlines()[0].endswith(anchor)  # in full, even when the combo is narrow
    ob = stored(lib_path, section.session.case_id).lesion(section.selected_lesion_id()).observations[0]
    assert ob.bwat.necrotic_tissue_type == 5


def test_exudate_type_asked_once_keeps_the_bwat_item(qtbot, section, lib_path):
    pick(qtbot, section.obs_fields["exudate_type"], "serous")
    ob = stored(lib_path, section.session.case_id).lesion(section.selected_lesion_id()).observations[0]
    # BWAT-CUA Table 1: exudate type 4 = serous (thin, watery, clear)
    assert ob.exudate_type == "serous" and ob.bwat.exudate_type == 4


def test_a_new_observation_starts_empty(qtbot, section, lib_path):
    les_id = section.selected_lesion_id()
    before = stored(lib_path, section.session.case_id).lesion(les_id).observations
    assert before and before[-1].when.is_set  # the demo's observation is dated
    qtbot.mouseClick(section.obs_table.add_button, Qt.MouseButton.LeftButton)
    after = stored(lib_path, section.session.case_id).lesion(les_id).observations
    new = after[-1]
    assert len(after) == len(before) + 1 and section.selected_observation_id() == new.id
    assert not new.when.is_set and new.length_mm is None and new.tissue_type is None
    o = section.obs_fields
    assert o["when"].mode.currentData() == "none"
    assert o["length_mm"].text() == "" and o["tissue_type"].currentData() is None
    assert all(o[k].currentData() is None for k in o if k.startswith("bwat."))


def test_messages_go_when_the_value_is_put_right(qtbot, section, lib_path):
    """Issue 16, item 7, in the observation form: a refused input's message goes as soon as the
    value is put right (typed again, typed back, or Escape), and a message about one field stays
    while another field is put right."""
    o, err = section.obs_fields, section.obs_error
    les_id = section.selected_lesion_id()
    length, pain = o["length_mm"], o["pain_0_10"]

    type_into(qtbot, length, "abc")
    assert "is not a number" in err.message() and length.property("invalid")
    length.setFocus()
    length.selectAll()
    qtbot.keyClicks(length, "31")  # a number again: the message goes before it is saved
    assert err.message() == "" and not length.property("invalid")
    qtbot.keyClick(length, Qt.Key.Key_Return)
    assert stored(lib_path, section.session.case_id).lesion(les_id).observations[0].length_mm == 31

    saved_pain = stored(lib_path, section.session.case_id).lesion(les_id).observations[0].pain_0_10
    shown = pain.text()
    type_into(qtbot, pain, "14")  # a numeric rating scale runs from 0 to 10
    assert "Pain" in err.message() and pain.property("invalid")
    assert stored(lib_path, section.session.case_id).lesion(les_id).observations[0].pain_0_10 == saved_pain
    type_into(qtbot, pain, shown)  # the saved value typed back: the refusal is over
    assert err.message() == "" and not pain.property("invalid")

    type_into(qtbot, pain, "14")
    assert "Pain" in err.message()
    qtbot.keyClick(pain, Qt.Key.Key_Escape)  # Escape puts back the saved value, and the message goes
    assert pain.text() == shown and err.message() == "" and not pain.property("invalid")

    type_into(qtbot, pain, "14")
    message = err.message()
    length.setFocus()
    qtbot.keyClick(length, Qt.Key.Key_Escape)  # another field: the pain's message stays
    assert err.message() == message and pain.property("invalid")
    assert stored(lib_path, section.session.case_id).lesion(les_id).observations[0].pain_0_10 == saved_pain
