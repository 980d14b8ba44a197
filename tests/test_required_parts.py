"""The parts a final manuscript must have are the journal profile's (resources/journals/): the
Journal of Medical Case Reports' own list (journals.md: the BMC Declarations block, ethnic
background …), and for a journal whose own list is not verified, the CARE checklist's items 1–4, 5a,
11 and 13. A final export for BMJ Case Reports was refused for lacking JMCR's declarations, with a
message naming JMCR; a draft for it printed "[to do: funding]" under BMC headings."""
from __future__ import annotations

import io

import pypdf
import pytest

from desktop.demo import load_demo
from desktop.journals import journal, journal_ids
from desktop.model import Consent
from desktop.report.errors import ReportRefused
from desktop.report.pdf import render_pdf
from desktop.report.required import missing_parts, parts

JMCR_DECLARATIONS = ["ethics approval and consent to participate", "availability of data and materials",
                     "competing interests", "funding", "authors' contributions", "acknowledgements"]
CARE = ["title", "abstract: background", "abstract: case presentation", "abstract: conclusions", "keywords",
        "background (introduction)", "age", "sex", "discussion", "conclusions", "consent for publication"]


def demo_with_consent():
    """The seed report as held (no declarations, no reference list), with its consent recorded."""
    case = load_demo()
    case.consent = Consent(given_by="patient", date="2021-06-01", covers_images=True)
    return case


def pdf_text(case, **kw) -> str:
    buf = io.BytesIO()
    render_pdf(case, buf, **kw)
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages)


def test_every_profile_names_parts_casebook_can_check():
    known = {name for name, _ in parts(load_demo())}
    for jid in journal_ids():
        j = journal(jid)
        assert j.required_parts and set(j.required_parts) <= known, jid
    assert journal("jmcr").required_parts_own and set(JMCR_DECLARATIONS) <= set(journal("jmcr").required_parts)
    assert journal("jmcr").data["required_parts"]["confidence"] == "S"
    assert list(journal("care").required_parts) == CARE and journal("care").data["required_parts"]["confidence"] == "V"
    for jid in ("bmj-case-reports", "cureus", "clinical-case-reports"):  # not verified: CARE's
        assert not journal(jid).required_parts_own and journal(jid).required_parts == journal("care").required_parts


def test_a_final_export_asks_for_what_its_journal_requires():
    case = demo_with_consent()
    assert missing_parts(case, "jmcr") == JMCR_DECLARATIONS + ["references"]
    with pytest.raises(ReportRefused) as refused:
        pdf_text(case, journal="jmcr")
    assert "lacks parts the Journal of Medical Case Reports requires" in str(refused.value)
    assert "funding" in str(refused.value)
    # BMJ Case Reports' own list is not verified: CARE's applies, which the seed's text meets
    assert missing_parts(case, "bmj-case-reports") == []
    assert "Funding" not in pdf_text(case, journal="bmj-case-reports")
    case.manuscript.discussion = ""
    with pytest.raises(ReportRefused) as refused:
        pdf_text(case, journal="cureus")
    message = str(refused.value)
    assert "lacks parts the CARE checklist (for Cureus, whose own list is not verified) requires" in message
    assert ": discussion." in message and "funding" not in message


def test_a_draft_marks_only_what_its_journal_requires():
    case = load_demo()
    case.patient.ethnicity = ""
    jmcr = pdf_text(case, draft=True, journal="jmcr")
    assert "[to do: funding]" in jmcr and "[to do: ethnic background]" in jmcr and "[to do: references]" in jmcr
    bmj = pdf_text(case, draft=True, journal="bmj-case-reports")
    assert "[to do:" in bmj  # the consent for publication, which CARE asks for too
    for part in ("funding", "ethnic background", "references", "competing interests"):
        assert f"[to do: {part}]" not in bmj
    assert "[to do: consent for publication]" in bmj
