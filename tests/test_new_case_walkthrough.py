"""A new case entered from scratch through the window (Pantanowitz et al., Postgrad Med J 2001:
a 54-year-old man on haemodialysis with abdominal and left groin wounds), as a clinician would.
What the walk-through found, driven with the real widgets."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.gui.sections.timeline import TimelineSection
from desktop.model import Case

from fhir_validation import validate
from gui_helpers import stored
from test_gui_issue12_editors import open_case  # noqa: F401  (a fixture)


def test_the_first_event_is_day_0_without_words_the_author_did_not_write(qtbot, open_case):  # noqa: F811
    # the first event of a new case becomes day 0; its time had been stored with the "source's words"
    # "day 0", which the Timeline table showed in its Source's words column
    w, path, case_id = open_case(Case(title="Calciphylaxis of the abdomen and groin: a case report"),
                                 TimelineSection)
    qtbot.mouseClick(w.table.add_button, Qt.MouseButton.LeftButton)
    case = stored(path, case_id)
    (ev,) = case.events
    assert case.index_event_id == ev.id and ev.kind == "presentation"
    assert ev.when.label == "" and ev.when.offset == 0.0
    model = w.table.model
    heads = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row[heads.index("On the day axis")] == "day 0"
    if "Source's words" in heads:  # an optional column: when shown, it is empty
        assert row[heads.index("Source's words")] in ("", None)


def test_a_result_at_an_undated_event_keeps_the_event_s_words_in_fhir():
    # Pantanowitz et al.: the wound culture was taken at an event the source dates only in words
    # ("during the admission"); the FHIR Observation's narrative had said only "time not placed on the
    # day axis", losing them
    import json
    from pathlib import Path

    from desktop import jsonio
    from desktop.interop.fhir import case_to_bundle
    case = jsonio.loads((Path(__file__).parent / "cases" / "abdomen-groin-hd-warfarin.json").read_text("utf-8"))
    assert case.event("e-cult").when.label == "during the admission (not dated)"
    assert next(x for x in case.labs if x.analyte == "culture").when.event_id == "e-cult"
    bundle = case_to_bundle(case)
    culture = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
                   and "Culture" in json.dumps(e["resource"].get("code", {})))
    assert "time not placed on the day axis (at the laboratory event, during the admission (not dated))" \
        in culture["text"]["div"]


# --- the cause of the kidney disease ------------------------------------------------------------------
# Pantanowitz et al.: "end stage renal disease secondary to membranous and cresentic glomerulonephritis".
# The model had no place for the cause: it went among the comorbidities ("other") and the manuscript read
# "... with CKD stage 5D on haemodialysis, ..., and end stage renal disease secondary to ...".
CAUSE = "membranous and crescentic glomerulonephritis"


def _pantanowitz():
    from pathlib import Path

    from desktop import jsonio
    return jsonio.loads((Path(__file__).parent / "cases" / "abdomen-groin-hd-warfarin.json").read_text("utf-8"))


def test_the_cause_is_typed_in_the_kidney_status_and_printed_with_the_stage(qtbot, tmp_path):
    import io

    import pypdf

    from desktop.demo import load_demo
    from desktop.gui.session import CaseSession
    from desktop.gui.sections.patient import PatientSection
    from desktop.report.pdf import render_pdf
    from desktop.store.library import create_library

    from gui_helpers import type_into
    lib = create_library(tmp_path / "cause.casebook")
    case_id = lib.add_case(load_demo())
    try:
        w = PatientSection(CaseSession(lib, case_id))
        qtbot.addWidget(w)
        w.resize(1100, 850)
        w.show()
        qtbot.waitExposed(w)
        type_into(qtbot, w.fields["kidney_disease_cause"], CAUSE)
        case = stored(tmp_path / "cause.casebook", case_id)
        assert case.patient.kidney_disease_cause == CAUSE
        buf = io.BytesIO()
        render_pdf(case, buf, draft=True)
        text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages).split())
        assert f"CKD stage 5D (due to {CAUSE}) on" in text
    finally:
        lib.close()


def test_the_cause_goes_through_fhir_and_redcap_and_back():
    import json

    from desktop.interop import redcap
    from desktop.interop.fhir import case_to_bundle
    from desktop.interop.fhir_import import bundle_to_case
    from desktop.interop.redcap_import import read
    case = _pantanowitz()
    assert case.patient.kidney_disease_cause == CAUSE
    back, _ = bundle_to_case(json.loads(json.dumps(case_to_bundle(case))))
    assert (back.patient.ckd_stage, back.patient.kidney_disease_cause) == ("5D", CAUSE)
    case.patient.ckd_stage = None  # a cause without a stage is kept too, in a valid bundle
    bundle = case_to_bundle(case)
    assert validate(bundle) == []
    back, _ = bundle_to_case(json.loads(json.dumps(bundle)))
    assert (back.patient.ckd_stage, back.patient.kidney_disease_cause) == (None, CAUSE)
    got = read(redcap.write_data([_pantanowitz()]), redcap.write_dictionary())
    assert got.cases[0].patient.kidney_disease_cause == CAUSE


def test_a_version_6_case_file_still_opens_without_a_cause():
    import json

    from desktop import jsonio
    doc = jsonio.to_document(_pantanowitz())
    doc["version"] = 6
    del doc["patient"]["kidney_disease_cause"]
    case = jsonio.loads(json.dumps(doc))
    assert case.patient.kidney_disease_cause == "" and case.patient.ckd_stage == "5D"
