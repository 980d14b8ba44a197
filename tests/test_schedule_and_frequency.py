"""A schedule in words and a recorded frequency are both printed, and said once.

Entering Salupo et al. (J Osteopath Med 2024) through the window: sodium thiosulfate "after each
dialysis session" with a frequency of three times a week. The Treatments table and the manuscript
printed the words only; the frequency the author had recorded was lost. Now the frequency follows
the words unless they already say how often ("thrice weekly"), in the window's table, the
manuscript's treatment table and its medication table (where it had been tucked into the Dose
column, beside a Frequency column holding the words).
"""
from __future__ import annotations

import io

import docx
from PySide6.QtCore import Qt

from desktop import frequency
from desktop.demo import load_demo
from desktop.gui.sections.patient import PatientSection
from desktop.gui.sections.treatments import TreatmentsSection
from desktop.interop.docx import write_docx
from desktop.model import Medication, Treatment, When

from gui_helpers import pick, type_into
from test_gui_forms16 import env  # noqa: F401  (fixture: a library with the demo, a session, the sections)


def test_words_that_say_how_often_are_enough_and_others_get_the_frequency():
    # said in the words: nothing is added
    for words in ("thrice weekly during dialysis", "three times a week after dialysis", "2x/week", "q8h",
                  "every other day", "TIW", "daily", "on alternate days", "25 g per week"):
        assert frequency.says_how_often(words), words
        assert frequency.schedule_text(words, 3, "per_week", "week") == words
    # not said: the recorded frequency follows the words
    for words in ("after each dialysis session", "with meals", "during the last hour of dialysis", "at night"):
        assert not frequency.says_how_often(words), words
    assert frequency.schedule_text("after each dialysis session", 3, "per_week", "week") == \
        "after each dialysis session, three times a week"
    assert frequency.schedule_text("with meals", 3, "per_day", "day") == "with meals, three times a day"
    assert frequency.schedule_text("", 21, "every_hours", "week") == "every 8 hours"
    assert frequency.schedule_text("", None, "as_needed", "day") == "as needed"
    assert frequency.schedule_text("at night", None, None, "day") == "at night"
    assert frequency.schedule_text("", None, None, "week") == ""


def _cells(case) -> list[str]:
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    return [c.text for t in docx.Document(io.BytesIO(buf.getvalue())).tables for row in t.rows for c in row.cells]


def test_the_manuscript_tables_print_the_words_and_the_frequency_once():
    case = load_demo()
    index = case.index_event_id
    case.treatments.append(Treatment(id="tx-sts-salupo", agent="sodium thiosulfate",
                                     treatment_class="sodium-thiosulfate", dose=25, dose_unit="g",
                                     route="intravenous", schedule="after each dialysis session",
                                     times_per_week=3, frequency_basis="per_week",
                                     start=When(event_id=index, offset=2)))
    case.treatments.append(Treatment(id="tx-sts-words", agent="sodium thiosulfate (second course)",
                                     treatment_class="sodium-thiosulfate", dose=12.5, dose_unit="g",
                                     route="intravenous", schedule="thrice weekly during dialysis",
                                     times_per_week=3, frequency_basis="per_week",
                                     start=When(event_id=index, offset=40)))
    case.medications.append(Medication(id="med-sev", name="sevelamer carbonate", drug_class="non-calcium-binder",
                                       dose=800, dose_unit="mg", route="oral", frequency="with meals",
                                       doses_per_day=3, frequency_basis="per_day"))
    cells = _cells(case)
    assert "after each dialysis session, three times a week" in cells
    assert "thrice weekly during dialysis" in cells  # said in the words: not "…, three times a week" again
    assert not any("thrice weekly during dialysis, three times a week" in c for c in cells)
    assert "with meals, three times a day" in cells  # the Frequency column
    assert "800 mg" in cells  # the Dose column holds the dose only
    assert not any(c.startswith("800 mg,") for c in cells)


def test_the_treatments_table_in_the_window_shows_both(env, qtbot):  # noqa: F811 (the fixture)
    session, open_section, stored = env
    w = open_section(TreatmentsSection)
    ed = w.editor
    ed.select("tx-amoxiclav")
    type_into(qtbot, ed.fields["schedule"], "after each dialysis session")
    freq = ed.fields[("times_per_week", "frequency_basis")]
    pick(qtbot, freq.basis, "per_week")
    type_into(qtbot, freq.number, "3")
    t = next(x for x in stored().treatments if x.id == "tx-amoxiclav")
    assert (t.schedule, t.times_per_week, t.frequency_basis) == ("after each dialysis session", 3.0, "per_week")
    model = ed.table.model
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 1)) == t.agent)
    assert model.data(model.index(row, 4)) == "after each dialysis session, three times a week"
    type_into(qtbot, ed.fields["schedule"], "thrice weekly after dialysis")
    assert model.data(model.index(row, 4)) == "thrice weekly after dialysis"


def test_the_medications_table_in_the_window_shows_both(env, qtbot):  # noqa: F811 (the fixture)
    session, open_section, stored = env
    w = open_section(PatientSection)
    meds = w.medications
    qtbot.mouseClick(meds.table.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, meds.fields["name"], "sevelamer")
    type_into(qtbot, meds.fields["frequency"], "with meals")
    freq = meds.fields[("doses_per_day", "frequency_basis")]
    type_into(qtbot, freq.number, "3")
    m = stored().medications[0]
    assert (m.frequency, m.doses_per_day, m.frequency_basis) == ("with meals", 3.0, "per_day")
    model = meds.table.model
    texts = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert "with meals, three times a day" in texts
