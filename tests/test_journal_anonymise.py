"""Issue 15: BMJ Case Reports' anonymisation beyond Safe Harbor (its full-case template: "Do not write
the exact age (write 'in his 20s' instead) ... Place names and calendar dates are to be avoided ...
Do not name your institution"), applied by the export for that profile with every change listed; other
profiles leave the text alone. Synthetic text throughout."""
from __future__ import annotations

import io

import docx

from desktop.app.export import Options, export
from desktop.cli import main
from desktop import jsonio
from desktop.privacy.journal_anonymise import anonymise
from helpers import synthetic_case
from test_package import complete_demo


def _case(text: str, sex: str = "female"):
    c = synthetic_case()
    c.patient.sex = sex
    c.patient.age_years = 67
    c.manuscript.discussion = text
    return c


def test_exact_ages_become_decades_with_the_patients_pronoun():
    out, changes = anonymise(_case("A 67-year-old woman presented. She was aged 67 years. "
                                   "An 81 year old patient was described before."), "bmj-case-reports")
    assert out.manuscript.discussion == ("A woman in her 60s presented. She was in her 60s. "
                                         "A patient in her 80s was described before.")
    assert ("A 67-year-old woman", "A woman in her 60s") in [(c.before, c.after) for c in changes]
    assert any(c.field == "patient age" and c.after == "in her 60s" for c in changes)


def test_calendar_dates_places_and_institutions_go_and_each_change_is_listed():
    text = ("She was admitted to Riverside General Hospital in March 2021 and moved to the University of "
            "Exampleton in 2022; she lives in Brackenfield. Dialysis began on 14 June.")
    out, changes = anonymise(_case(text), "bmj-case-reports")
    d = out.manuscript.discussion
    for gone in ("Riverside General Hospital", "March 2021", "2022", "Exampleton", "Brackenfield", "14 June"):
        assert gone not in d, gone
    assert d.count("[institution]") == 2 and "[place]" in d and d.count("[date removed]") == 3
    rules = {c.rule for c in changes}
    assert rules >= {"age-as-range", "no-calendar-dates", "no-place-or-institution"}
    assert any(str(c).startswith("$.manuscript.discussion: no calendar dates: 'March 2021'") for c in changes)


def test_references_authors_and_other_journals_are_left_alone():
    c = _case("A 67-year-old woman was seen in 2021.")
    assert anonymise(c, "jmcr") == (c, [])
    assert anonymise(c, "care")[1] == []
    c.manuscript.references = ["Smith J. A case seen at Riverside General Hospital in 2019. BMJ Case Rep. 2020;13:e1."]
    out, _ = anonymise(c, "bmj-case-reports")
    assert out.manuscript.references == c.manuscript.references  # citations are the literature's, not the patient's
    assert c.manuscript.discussion == "A 67-year-old woman was seen in 2021."  # the input is never changed


def test_the_word_export_for_bmj_applies_it_and_the_command_line_says_what_changed(tmp_path, capsys):
    case = complete_demo()
    case.title = "Calciphylaxis of the penis and distal digits"
    buf = io.BytesIO()
    result = export("docx", [case], buf, Options(journal="bmj-case-reports"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(buf.getvalue())).paragraphs)
    assert "An African American man in his 70s" in text and "73-year-old" not in text
    assert result.anonymised and all(str(c) for c in result.anonymised)
    jm = export("docx", [case], io.BytesIO(), Options(journal="jmcr"))
    assert jm.anonymised == []
    path = tmp_path / "c.json"
    path.write_bytes(jsonio.dump_bytes(case))
    assert main(["export-docx", str(path), "-o", str(tmp_path / "m.docx"), "--journal", "bmj-case-reports"]) == 0
    out = capsys.readouterr().out
    assert "anonymised for the journal" in out and "in his 70s" in out
