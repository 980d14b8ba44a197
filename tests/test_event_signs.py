"""The signs an event records reach the manuscript and the FHIR bundle, and a wound infection the
source states is one of them.

Signs ticked in the Timeline section ("cellulitis", "fever") were read by the assessment, REDCap and
the Phenopacket, but the manuscript and the FHIR narrative printed only the event's description: a
sign the author ticked without writing it was lost there. And the list had no general "wound
infection" for a source that says "the wound became infected" without naming cellulitis or an
abscess, so the infection finding could not be recorded from it. The case here is synthetic, on the
demo patient (no published case of the set states a wound infection in so many words); the rule
wording comes from resources/rules/rules.json (Smilnak et al. 2022: prompt empiric antibiotics when
superinfection is suspected).
"""
from __future__ import annotations

import io
import json

import docx

from desktop import jsonio
from desktop.core import assess
from desktop.demo import load_demo
from desktop.gui.sections.timeline import TimelineSection
from desktop.interop.docx import write_docx
from desktop.interop.fhir import case_to_bundle
from desktop.interop.fhir_import import bundle_to_case
from desktop.interop.redcap import case_rows
from desktop.model import Event, When

from gui_helpers import stored
from test_gui_issue12_editors import open_case, tick  # noqa: F401  (open_case is a fixture)


def _with_event(signs: list[str], description: str):
    case = load_demo()
    case.events.append(Event(id="e-infect", kind="complication", description=description, signs=signs,
                             when=When(event_id=case.index_event_id, offset=20)))
    return case


def _timeline_row(case, starts: str) -> str:
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    for t in docx.Document(io.BytesIO(buf.getvalue())).tables:
        if [c.text for c in t.rows[0].cells] == ["No.", "Time", "Event", "Description"]:
            return next(r.cells[3].text for r in t.rows[1:]
                        if r.cells[2].text == "Complication" and r.cells[3].text.startswith(starts))
    raise AssertionError("no timeline table")


def test_signs_the_words_do_not_say_are_printed_in_the_timeline():
    row = _timeline_row(_with_event(["cellulitis", "fever"], "Admitted again with a spreading red calf."), "Admitted")
    assert row == "Admitted again with a spreading red calf. Signs: cellulitis, fever."


def test_signs_the_words_say_are_not_printed_twice():
    row = _timeline_row(_with_event(["wound_infection", "fever"], "The thigh wound became infected, with fever."), "The")
    assert row == "The thigh wound became infected, with fever."
    row = _timeline_row(_with_event(["wound_infection", "sepsis"], "The thigh wound became infected."), "The")
    assert row == "The thigh wound became infected. Signs: sepsis."


def _infection(case):
    return next((f for f in assess(case).findings if f.rule_id == "infection-suspected"), None)


def test_a_stated_wound_infection_gives_the_infection_finding():
    without = _infection(_with_event([], "The thigh wound became infected."))
    assert without is None or "a wound infection" not in without.message
    found = _infection(_with_event(["wound_infection"], "The thigh wound became infected."))
    assert found is not None and found.severity == "warning"  # it establishes infection, not only supports it
    assert "a wound infection on day 20" in found.message
    assert "MRSA and anaerobes" in found.message  # Smilnak et al. (2022)
    assert any(e.ref == "events/e-infect" and e.value == "wound infection" for e in found.evidence)  # in words


def test_signs_go_through_fhir_and_back():
    case = _with_event(["wound_infection", "cellulitis"], "Admitted again.")
    bundle = case_to_bundle(case)
    comp = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Composition")
    timeline = next(s for s in comp["section"] if s["title"] == "Timeline")["text"]["div"]
    assert "Admitted again. Signs: wound infection, cellulitis." in timeline
    back, _ = bundle_to_case(json.loads(json.dumps(bundle)))
    ev = next(e for e in back.events if e.description == "Admitted again.")
    assert ev.signs == ["wound_infection", "cellulitis"]


def test_redcap_codes_the_new_sign():
    # a new choice takes a new number; the lock file (tests/data/redcap_codes_lock.json) keeps it
    lock = json.loads((__import__("pathlib").Path(__file__).parent / "data" / "redcap_codes_lock.json")
                      .read_text("utf-8"))
    assert lock["event_signs"]["wound_infection"] == 8
    rows = case_rows(_with_event(["wound_infection"], "Admitted again."))
    assert any(row.get("event_signs___8") == "1" for row in rows)


def test_wound_infection_is_ticked_in_the_window(qtbot, open_case):  # noqa: F811 (the fixture)
    case = _with_event([], "The thigh wound became infected.")
    w, path, case_id = open_case(case, TimelineSection)
    w.table.select("e-infect")
    tick(qtbot, w.signs.box("wound_infection"))
    assert stored(path, case_id).event("e-infect").signs == ["wound_infection"]
    assert w.signs.box("wound_infection").text() == "wound infection"
    assert jsonio.loads(jsonio.dumps(stored(path, case_id))).event("e-infect").signs == ["wound_infection"]
