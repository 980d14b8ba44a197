"""A laboratory result the analyte list does not have, recorded under the name the source prints.

The letter "Synergy of sodium thiosulphate treatment and expanded haemodialysis" (Nefrologia 2022,
https://revistanefrologia.com/en-synergy-sodium-thiosulphate-treatment-expanded-articulo-S2013251422000918)
prints "neutrophil-to-lymphocyte ratio (NLR) 5.75; platelet-to-lymphocyte ratio (PLR) 413.70 and
systemic immune-inflammation index (SII) 1,737" among its admission results. None is in Casebook's
list of analytes, and the grid had no place for them: they were lost, or typed into the prose. A
result outside the list is now kept (analyte "other") under its printed name, with its unit and range
as printed; nothing converts it and no rule reads it; the manuscript's table, FHIR and REDCap carry it
and read it back; a number printed without a unit (these indices) is kept only as printed.
Real widgets on a real library, read back from the file.
"""
from __future__ import annotations

import io
import json

import docx
import pytest
from PySide6.QtCore import Qt

from desktop import jsonio
from desktop.codec import InvalidCase
from desktop.core import assess
from desktop.gui.sections.labs import LabsSection
from desktop.interop import redcap
from desktop.interop.docx import write_docx
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case
from desktop.interop.redcap_import import read as read_redcap
from desktop.model import Case, Event, LabResult, Patient, When

from gui_helpers import case_section, pick

NLR = "neutrophil-to-lymphocyte ratio (NLR)"


def admission_case(*labs: LabResult) -> Case:
    adm = Event(id="ev-adm", kind="presentation", description="Admitted to the nephrology ward", when=When(offset=0.0))
    return Case(title="Results not in the list", patient=Patient(age_years=47, sex="female"), events=[adm],
                index_event_id=adm.id, labs=list(labs))


def nlr(**kw) -> LabResult:
    return LabResult(id="nlr", analyte="other", name=NLR, value=5.75, decimals=2, unit="", as_printed=True,
                     when=When(event_id="ev-adm"), **kw)


def test_a_result_not_in_the_list_needs_its_name_and_only_it_has_one():
    jsonio.loads(jsonio.dumps(admission_case(nlr())))  # named, kept as printed: valid
    with pytest.raises(InvalidCase, match=r"labs\[0\]\.name: a result the list does not have needs its name"):
        jsonio.loads(jsonio.dumps(admission_case(LabResult(analyte="other", value=5.75, unit="", as_printed=True))))
    with pytest.raises(InvalidCase, match=r"labs\[0\]\.name: only a result the list does not have is named"):
        jsonio.loads(jsonio.dumps(admission_case(LabResult(analyte="calcium", name="calcium", value=10.3,
                                                           unit="mg/dL"))))
    # a number printed without a unit is kept only as printed
    with pytest.raises(InvalidCase, match="a value without a unit is refused"):
        jsonio.loads(jsonio.dumps(admission_case(LabResult(analyte="other", name=NLR, value=5.75, unit=""))))


def test_it_reaches_the_manuscript_under_its_name_flagged_by_its_own_range_only():
    ldh = LabResult(id="ldh", analyte="other", name="lactate dehydrogenase", value=480, unit="U/L", ref_low=140,
                    ref_high=280, when=When(event_id="ev-adm"))
    free = LabResult(id="fer", analyte="other", name="ferritin", value=1200, unit="ng/mL", when=When(event_id="ev-adm"))
    case = admission_case(nlr(), ldh, free)
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    rows = [[c.text for c in r.cells] for t in docx.Document(io.BytesIO(buf.getvalue())).tables for r in t.rows]
    by_name = {r[0].split("\n")[0]: r for r in rows if r}
    assert by_name["Neutrophil-to-lymphocyte ratio (NLR)"][1:3] == ["5.75", ""]
    assert "as printed" in by_name["Neutrophil-to-lymphocyte ratio (NLR)"][0]
    assert by_name["Lactate dehydrogenase"][1:5] == ["480", "U/L", "140–280", "H"]  # its own range, as printed
    assert by_name["Ferritin"][3:5] == ["—", ""]  # no range printed: none is made up, so no flag
    # no rule reads it, and the assessment names it by its name where it names it at all
    a = assess(case)
    assert all("Other result" not in f.message for f in a.findings)


def test_fhir_and_redcap_carry_it_and_read_it_back():
    case = admission_case(nlr(), LabResult(id="ldh", analyte="other", name="lactate dehydrogenase", value=480,
                                           unit="U/L", ref_low=140, ref_high=280, when=When(event_id="ev-adm")))
    bundle = case_to_bundle(case)
    texts = [e["resource"]["code"]["text"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert NLR in texts and "lactate dehydrogenase" in texts
    back, _ = bundle_to_case(json.loads(json.dumps(bundle)))
    got = {lab.name: lab for lab in back.labs}
    assert (got[NLR].analyte, got[NLR].value, got[NLR].as_printed) == ("other", 5.75, True)
    assert (got["lactate dehydrogenase"].unit, got["lactate dehydrogenase"].ref_high) == ("U/L", 280)
    red = read_redcap(redcap.write_data([case]), redcap.write_dictionary()).cases[0]
    got = {lab.name: lab for lab in red.labs}
    assert (got[NLR].analyte, got[NLR].value, got[NLR].unit) == ("other", 5.75, "")
    assert got["lactate dehydrogenase"].value == 480


@pytest.fixture
def labs_section(qtbot, tmp_path):
    with case_section(qtbot, tmp_path / "other.casebook", LabsSection, admission_case()) as shown:
        yield shown


def type_line(qtbot, field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def test_the_labs_section_takes_a_result_not_in_the_list_at_the_timepoint(qtbot, labs_section):
    w, stored = labs_section
    assert "other" not in w.rows  # the grid's rows are the list's
    pick(qtbot, w.when.mode, "event")
    pick(qtbot, w.when.event, "ev-adm")
    other = w.other
    page = w
    where = [other.name.mapTo(page, other.name.rect().topLeft()).y(), other.delete_button.mapTo(page, other.delete_button.rect().topLeft()).y()]
    type_line(qtbot, other.name, NLR)
    type_line(qtbot, other.value, "5.75")
    qtbot.mouseClick(other.save_button, Qt.MouseButton.LeftButton)
    # printed without a unit: refused, with the offer to keep it as printed; nothing typed is lost
    assert "has no unit" in w.error.message() and not stored().labs
    assert (other.name.text(), other.value.text()) == (NLR, "5.75")
    assert "Keep 5.75 as printed" in w.error.offers()
    qtbot.mouseClick(w.error.offer("Keep 5.75 as printed"), Qt.MouseButton.LeftButton)
    (lab,) = stored().labs
    assert (lab.analyte, lab.name, lab.value, lab.decimals, lab.unit, lab.as_printed) == ("other", NLR, 5.75, 2, "", True)
    assert lab.when.event_id == "ev-adm"
    assert other.list.count() == 1 and other.list.item(0).text() == f"{NLR}: 5.75 (as printed)"
    assert other.name.text() == ""  # the line is ready for the next one
    qtbot.wait(50)  # nothing moved: the line is where the author's next click goes
    assert [other.name.mapTo(page, other.name.rect().topLeft()).y(),
            other.delete_button.mapTo(page, other.delete_button.rect().topLeft()).y()] == where

    # one with a unit and a range, then corrected
    type_line(qtbot, other.name, "lactate dehydrogenase")
    type_line(qtbot, other.value, "480")
    type_line(qtbot, other.unit, "U/L")
    type_line(qtbot, other.low, "140")
    type_line(qtbot, other.high, "280")
    qtbot.keyClick(other.high, Qt.Key.Key_Return)
    ldh = next(x for x in stored().labs if x.name == "lactate dehydrogenase")
    assert (ldh.value, ldh.unit, ldh.ref_low, ldh.ref_high) == (480.0, "U/L", 140.0, 280.0)
    other.list.setCurrentRow(next(i for i in range(other.list.count()) if "lactate" in other.list.item(i).text()))
    assert other.save_button.text() == "Save result" and other.value.text() == "480"
    type_line(qtbot, other.value, "482")
    qtbot.mouseClick(other.save_button, Qt.MouseButton.LeftButton)
    assert next(x for x in stored().labs if x.name == "lactate dehydrogenase").value == 482.0
    assert len(stored().labs) == 2

    # the table of all results names them
    w.tabs.setCurrentIndex(1)
    names = {w.table.item(r, 1).text() for r in range(w.table.rowCount())}
    assert {NLR, "lactate dehydrogenase"} <= names

    # and one is deleted
    w.tabs.setCurrentIndex(0)
    other.list.setCurrentRow(0)
    qtbot.mouseClick(other.delete_button, Qt.MouseButton.LeftButton)
    assert len(stored().labs) == 1


def test_the_list_entry_for_other_results_keeps_any_printed_unit_and_converts_nothing():
    from desktop import catalogue
    from desktop.catalogue import UnknownUnit
    a = catalogue.analytes()["other"]
    assert a.free and a.plausible is None and a.reference_range is None
    assert a.accepts("U/L") and a.accepts("10^9 cells/L") and not a.accepts("")  # none is still refused
    from desktop.core.context import Context
    ctx = Context(admission_case(LabResult(id="ldh", analyte="other", name="lactate  dehydrogenase", value=480,
                                           unit="U/L", when=When(event_id="ev-adm"))))
    (entry,) = ctx.results("other")
    assert (entry.analyte.label, entry.value) == ("lactate dehydrogenase", 480.0)  # named as printed, not converted
    with pytest.raises(UnknownUnit):
        entry.analyte.convert(480, "U/L", "µkat/L")


def test_a_name_written_with_capitals_of_its_own_keeps_them_in_the_table():
    from desktop.report import fmt
    ph = LabResult(analyte="other", name="pH", value=7.21, unit="", as_printed=True)
    hs = LabResult(analyte="other", name="hsCRP", value=12.0, unit="mg/L")
    ldh = LabResult(analyte="other", name="lactate dehydrogenase", value=480, unit="U/L")
    assert [fmt.lab_label(x) for x in (ph, hs, ldh)] == ["pH", "hsCRP", "Lactate dehydrogenase"]


def test_go_to_data_opens_a_result_not_in_the_list_in_its_line(qtbot, tmp_path):
    # the assessment's "Go to data" (and any link to labs/<id>) finds it under the grid, at its timepoint
    with case_section(qtbot, tmp_path / "goto.casebook", LabsSection, admission_case(nlr())) as (w, _stored):
        assert w.focus_ref("labs/nlr")
        assert (w.other.name.text(), w.other.value.text(), w.other.save_button.text()) == (NLR, "5.75", "Save result")
