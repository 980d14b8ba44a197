"""A medicine or treatment recorded before the catalogues knew its name keeps class Other (the
class is guessed only while its name is typed). Entering PMC3267275 through the window, "wound
excision" was saved that way, and the assessment did not count it as a debridement; Pujar &
Spinello's "Vicodin" likewise. The form now offers the class the catalogues give, set with one click,
in reserved room (nothing below it moves)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop import catalogue
from desktop.demo import load_demo
from desktop.gui.sections.patient import PatientSection
from desktop.gui.sections.treatments import TreatmentsSection
from desktop.model import Medication, Treatment
from gui_helpers import case_section, pick


def test_a_treatment_recorded_as_other_is_offered_its_class_and_kind(qtbot, tmp_path):
    case = load_demo()
    case.treatments = [Treatment(id="exc", agent="wound excision", response="no_improvement"),  # kind drug, class other
                       Treatment(id="mix", agent="a herbal mixture")]
    with case_section(qtbot, tmp_path / "lib.casebook", TreatmentsSection, case) as (w, stored):
        ed = w.editor
        ed.select("exc")
        line = ed.class_suggestion
        assert line.button.isVisible()
        label = catalogue.treatment_classes()["debridement"]  # treatment_terms.json: wound excision
        assert line.label.message() == f"Catalogue: {label}"
        assert line.label.toolTip() == (f"Casebook's catalogues (drugs, treatment names) give {label} for "
                                        "\u201cwound excision\u201d; the class is still Other.")
        w.activateWindow()  # focus, as for an author (the layout settles meanwhile)
        qtbot.waitUntil(w.isActiveWindow)
        below = ed.fields[("dose", "dose_unit")].mapTo(w, ed.fields[("dose", "dose_unit")].rect().topLeft())
        qtbot.mouseClick(line.button, Qt.MouseButton.LeftButton)
        t = next(t for t in stored().treatments if t.id == "exc")
        assert (t.treatment_class, t.kind, t.agent) == ("debridement", "procedure", "wound excision")
        assert not line.button.isVisible() and line.label.message() == ""
        # the typing goes on at the class field, not at whatever followed the hidden button
        assert ed.fields["treatment_class"].hasFocus()
        assert ed.fields[("dose", "dose_unit")].mapTo(w, ed.fields[("dose", "dose_unit")].rect().topLeft()) == below  # nothing moved
        ed.select("mix")  # a name the catalogues do not know: nothing offered
        assert not line.button.isVisible() and line.label.message() == ""
        # a class the author chose is never questioned
        ed.select("exc")
        pick(qtbot, ed.fields["treatment_class"], "other")
        assert next(t for t in stored().treatments if t.id == "exc").treatment_class == "other"
        assert line.button.isVisible()  # offered again, not set
        assert next(t for t in stored().treatments if t.id == "exc").treatment_class == "other"


def test_a_medication_recorded_as_other_is_offered_its_class(qtbot, tmp_path):
    case = load_demo()
    case.medications.append(Medication(id="vic", name="Vicodin"))
    with case_section(qtbot, tmp_path / "lib.casebook", PatientSection, case) as (w, stored):
        ed = w.medications
        ed.select("vic")
        analgesic = catalogue.medication_classes()["analgesic"]
        assert ed.class_suggestion.label.message() == f"Catalogue: {analgesic}"
        assert "\u201cVicodin\u201d" in ed.class_suggestion.label.toolTip()
        qtbot.mouseClick(ed.class_suggestion.button, Qt.MouseButton.LeftButton)
        assert next(m for m in stored().medications if m.id == "vic").drug_class == "analgesic"
        assert not ed.class_suggestion.button.isVisible()


def test_after_add_treatment_the_name_is_typed_in_the_agent_field(qtbot, tmp_path):
    """Pliquett et al., BMC Nephrol 2003;4:8: "After failure of surgical debridements, multiple courses of
    sterile-maggot therapy were introduced". Entering it through the window, "Add treatment" gave the
    focus to the Kind box, the form's first field: the name typed next selected nothing there and was
    lost. The typing now goes to Agent, whose name sets the kind and the class."""
    case = load_demo()
    case.treatments = []
    with case_section(qtbot, tmp_path / "lib.casebook", TreatmentsSection, case) as (w, stored):
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow)
        ed = w.editor
        qtbot.mouseClick(ed.table.add_button, Qt.MouseButton.LeftButton)
        agent = ed.fields["agent"]
        assert agent.hasFocus()
        qtbot.keyClicks(agent, "sterile-maggot therapy")
        qtbot.keyClick(agent, Qt.Key.Key_Tab)
        t = stored().treatments[0]
        assert (t.agent, t.kind, t.treatment_class) == ("sterile-maggot therapy", "other", "wound-care")
