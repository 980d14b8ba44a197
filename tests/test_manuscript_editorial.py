"""The manuscript an editor sends to review (issue 14), read back from the PDF and the Word file:
nothing printed that was not recorded, each sentence once, the timeline in time order, every table
and figure cited in order, no cut figure label, no source-article apparatus in the demo, a final
export refused with the list of what is missing, and the body map's anatomy."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pypdf
import pytest
from reportlab.graphics.shapes import Group, String

from desktop import bodymap, jsonio
from desktop.demo import load_demo
from desktop.interop.docx import write_docx
from desktop.report import content as c
from desktop.report.build import build
from desktop.report.pdf import ReportRefused, render_pdf
from test_report_cases import full_case

ROOT = Path(__file__).resolve().parents[1]
INVENTED = ("not recorded", "not applicable", "declare that they have no competing interests",
            "no references recorded")


def pdf_text(case, **kw) -> str:
    buf = io.BytesIO()
    render_pdf(case, buf, **kw)
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages)


def docx_body(case, **kw) -> list[tuple[str, str]]:
    """(kind, text) in document order: ("p", paragraph), ("caption", caption), ("row", table row)."""
    buf = io.BytesIO()
    write_docx(case, buf, **kw)
    d = docx.Document(io.BytesIO(buf.getvalue()))
    out = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = docx.text.paragraph.Paragraph(el, d)
            out.append(("caption" if p.style.name == "Caption" else "p", p.text.strip()))
        elif tag == "tbl":
            t = docx.table.Table(el, d)
            for r in t.rows:
                out.append(("row", " | ".join(cell.text for cell in r.cells)))
    return out


def before_appendices(body):
    for i, (_, t) in enumerate(body):
        if t.startswith("Appendix A:"):
            return body[:i]
    return body


def sentences(texts) -> list[str]:
    out = []
    for t in texts:
        for cell in t.split(" | "):
            out += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(“])", " ".join(cell.split())) if s]
    return out


def repeated(texts) -> list[str]:
    seen, dup = set(), []
    for s in sentences(texts):
        key = " ".join(re.findall(r"[a-z0-9]+", s.lower()))
        if len(key.split()) >= 8:
            if key in seen:
                dup.append(s)
            seen.add(key)
    return dup


def synthetic():
    case = full_case()
    return case


@pytest.fixture(scope="module")
def demo_docx():
    return docx_body(load_demo(), draft=True)


@pytest.fixture(scope="module")
def full_docx():
    return docx_body(synthetic())


@pytest.fixture(scope="module")
def every_docx():
    from test_report_facts import every_kind  # a synthetic case with every kind of fact (issue 12)
    return docx_body(every_kind())


@pytest.fixture(scope="module")
def demo_pdf():
    return pdf_text(load_demo(), draft=True)


@pytest.fixture(scope="module")
def full_pdf():
    return pdf_text(synthetic())


# --- each sentence once ----------------------------------------------------------------------

@pytest.mark.parametrize("which", ["demo_docx", "full_docx", "every_docx"])
def test_no_sentence_of_eight_words_twice_before_the_appendices(which, request):
    body = before_appendices(request.getfixturevalue(which))
    assert repeated(t for _, t in body) == []


# --- nothing printed that was not recorded ------------------------------------------------------

@pytest.mark.parametrize("which", ["demo_pdf", "full_pdf"])
def test_no_invented_statement(which, request):
    text = " ".join(request.getfixturevalue(which).split("Appendix A:")[0].split()).lower()
    for phrase in INVENTED:
        if which == "full_pdf" and phrase == "not applicable":
            continue  # the synthetic authors wrote "Not applicable." themselves
        assert phrase not in text, phrase


def test_demo_draft_shows_placeholders_not_declarations(demo_pdf):
    flat = " ".join(demo_pdf.split())
    for name in ("competing interests", "funding", "ethics approval and consent to participate",
                 "acknowledgements", "authors' contributions", "availability of data and materials"):
        assert f"[to do: {name}]" in flat
    assert "Patient perspective" not in demo_pdf.split("Appendix A:")[0]  # nothing recorded: no empty section


def test_final_export_missing_declarations_is_refused_with_the_list():
    case = synthetic()
    case.manuscript.competing_interests = ""
    case.manuscript.funding = ""
    with pytest.raises(ReportRefused) as e:
        render_pdf(case, io.BytesIO())
    assert "competing interests" in str(e.value) and "funding" in str(e.value)
    with pytest.raises(ReportRefused):
        write_docx(case, io.BytesIO())
    assert "[to do: competing interests]" in " ".join(pdf_text(case, draft=True).split())


def test_cli_refuses_with_exit_3_and_drafts(tmp_path):
    case = synthetic()
    case.manuscript.ethics = ""
    f = tmp_path / "case.json"
    f.write_bytes(jsonio.dumps(case) if isinstance(jsonio.dumps(case), bytes) else jsonio.dumps(case).encode())
    env = {"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "desktop", *a], capture_output=True, text=True, env=env,
                                    cwd=ROOT)
    r = run("report", str(f), "-o", str(tmp_path / "out.pdf"), "--allow-phi-warnings")
    assert r.returncode == 3 and "ethics approval and consent to participate" in r.stderr
    r = run("report", str(f), "-o", str(tmp_path / "out.pdf"), "--draft", "--allow-phi-warnings")
    assert r.returncode == 0, r.stderr


# --- timeline -------------------------------------------------------------------------------------

def timeline_rows(body):
    start = next(i for i, (k, t) in enumerate(body) if k == "caption" and "Timeline of the episode of care" in t)
    rows = []
    for k, t in body[start + 2:]:  # the header row follows the caption
        if k != "row":
            break
        rows.append(t.split(" | "))
    return rows


def day_of(time: str) -> float | None:
    m = re.search(r"(day|year) ([−-]?\d+)", time)
    if m:
        return float(m.group(2).replace("−", "-")) * (365.25 if m.group(1) == "year" else 1)
    return -1e-3 if "before" in time else None


@pytest.mark.parametrize("which", ["demo_docx", "full_docx", "every_docx"])
def test_timeline_rows_are_in_time_order_without_repeats_or_empty_rows(which, request):
    rows = timeline_rows(request.getfixturevalue(which))
    assert rows
    days = [day_of(r[1]) for r in rows]
    placed = [d for d in days if d is not None]
    assert placed == sorted(placed)
    assert days[:len(placed)] == placed  # the events without a time come last
    assert len({tuple(r[1:]) for r in rows}) == len(rows)
    assert all(r[2].strip() for r in rows)


def test_demo_timeline_puts_before_presentation_first_and_relative_events_after_theirs(demo_docx):
    rows = timeline_rows(demo_docx)
    kinds = [r[2] for r in rows]
    times = [r[1] for r in rows]
    assert times.index("recently, before presentation") < kinds.index("Presentation")
    assert kinds.index("Complication") < kinds.index("Treatment change")  # glucose monitoring stopped after
    assert kinds.index("Discharge") < kinds.index("Follow-up") < kinds.index("Death")


def test_history_interventions_are_not_in_the_therapy_table(demo_docx):
    start = next(i for i, (k, t) in enumerate(demo_docx) if k == "caption" and "Therapeutic interventions" in t)
    rows = [t for k, t in demo_docx[start + 1:start + 12] if k == "row"]
    therapy = " ".join(rows)
    assert "sodium thiosulfate" in therapy
    assert "coronary" not in therapy and "amoxicillin" not in therapy
    assert "No improvement: No improvement" not in therapy


# --- cross-references ------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["demo_docx", "full_docx", "every_docx"])
def test_every_table_and_figure_is_cited_in_the_text_in_order(which, request):
    body = before_appendices(request.getfixturevalue(which))
    cited: dict[tuple[str, int], int] = {}
    for i, (k, t) in enumerate(body):
        if k == "p":
            for kind, nums in re.findall(r"\b(Table|Figs?\.)\s+(\d+(?:(?:, | and )\d+)*)", t):
                for n in re.findall(r"\d+", nums):
                    cited.setdefault(("Table" if kind == "Table" else "Figure", int(n)), i)
    captions = [(i, re.match(r"(Table|Fig\.) (\d+)", t)) for i, (k, t) in enumerate(body) if k == "caption"]
    for kind in ("Table", "Figure"):
        mine = [(i, int(m.group(2))) for i, m in captions if m and m.group(1) == ("Table" if kind == "Table" else "Fig.")]
        assert mine and [n for _, n in mine] == list(range(1, len(mine) + 1))
        for i, n in mine:
            assert (kind, n) in cited and cited[(kind, n)] < i, (kind, n)
        firsts = [cited[(kind, n)] for _, n in mine]
        assert firsts == sorted(firsts)


def test_appendices_are_lettered_in_order():
    with ThreadPoolExecutor(2) as pool:
        b = build(synthetic(), pool, draft=False, identified=False, include_assessment=False)
    titles = [h.title for h in c.headings(b.blocks) if h.title.startswith("Appendix")]
    assert titles == ["Appendix A: CARE checklist"]


def test_abbreviations_section_lists_the_abbreviations_used(demo_docx):
    texts = [t for _, t in demo_docx]
    i = texts.index("Abbreviations")
    listed = texts[i + 1:texts.index("Declarations")]
    assert "ESRD: end-stage renal disease" in listed and "CT: computed tomography" in listed
    assert all(":" in x for x in listed)


def test_one_spelling_variant(demo_docx):
    text = " ".join(t for _, t in before_appendices(demo_docx))
    us = re.findall(r"\b(hemodialysis|hemoglobin|edema|hospitalization)", text, re.I)
    uk = re.findall(r"\b(haemodialysis|haemoglobin|oedema|hospitalisation)", text, re.I)
    assert us and not uk


# --- figures ------------------------------------------------------------------------------------

def strings(node):
    if isinstance(node, String):
        yield node.text
    for child in getattr(node, "contents", []) or []:
        yield from strings(child)


@pytest.mark.parametrize("make", [load_demo, synthetic])
def test_no_figure_label_ends_in_an_ellipsis(make):
    with ThreadPoolExecutor(2) as pool:
        b = build(make(), pool, draft=True, identified=False, include_assessment=True)
        labels = [s for blk in b.blocks if isinstance(blk, c.Figure) for d in blk.drawings for s in strings(d)]
    assert labels and not [s for s in labels if s.rstrip().endswith(("…", "..."))]


# --- the demo has no source-article apparatus ---------------------------------------------------

def test_demo_manuscript_has_no_source_apparatus(demo_pdf):
    text = " ".join(demo_pdf.split("Appendix A:")[0].split())
    for phrase in ("original article", "the article", "not dated in", "[1]", "[5, 6]"):
        assert phrase not in text, phrase


# --- the body map's anatomy ------------------------------------------------------------------------

def centre(region) -> tuple[float, float]:
    pts = [p for poly in bodymap.flatten(region.commands, 4) for p in poly]
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def by_row(v, site):
    """{(row, laterality): centre} for a site drawn in both rows of a two-row view."""
    out = {}
    for r in v.regions:
        if r.site == site:
            x, y = centre(r)
            out[(0 if y < v.height / 2 else 1, r.laterality)] = (x, y)
    return out


def test_great_toe_is_medial_on_each_foot():
    v = bodymap.view("feet")
    great, little = by_row(v, "toe-1"), by_row(v, "toe-5")
    assert len(great) == 4
    for key, (gx, _) in great.items():
        lx = little[key][0]
        foot_centre = (gx + lx) / 2
        # the great toe lies on the side of the foot towards the other foot (the view's middle)
        assert (gx - foot_centre) * (v.width / 2 - foot_centre) > 0, key


def test_each_finger_pad_lies_at_its_fingertip():
    v = bodymap.view("hands")
    palms = by_row(v, "palm")
    wrists = by_row(v, "wrist")
    for n in range(1, 6):
        for key, (px, py) in by_row(v, f"finger-{n}-pad").items():
            cx, cy = palms[key]
            wx, wy = wrists[key]
            # far from the wrist, beyond the palm: distal
            assert ((px - wx) ** 2 + (py - wy) ** 2) ** 0.5 > ((cx - wx) ** 2 + (cy - wy) ** 2) ** 0.5 * 1.3, (n, key)
    for key, (px, py) in by_row(v, "finger-pad").items():  # a finger not named: beyond the fingertips
        fingertips = min(centre(r)[1] for r in v.regions if r.site.endswith("-pad") and r.site != "finger-pad"
                         and (0 if centre(r)[1] < v.height / 2 else 1) == key[0])
        assert py < fingertips, key


def test_front_view_patient_left_is_on_the_viewer_right():
    v = bodymap.view("front")
    for r in v.regions:
        if r.laterality in ("left", "right"):
            x, _ = centre(r)
            assert (x > v.width / 2) == (r.laterality == "left"), r.site


def test_no_question_mark_on_any_view():
    for v in bodymap.views():
        assert not [lab for lab in v.labels if "?" in lab.text], v.name


# --- history versus this episode ---------------------------------------------------------------------

def with_history_treatment(history=None):
    from desktop.model import Treatment, When
    case = synthetic()
    case.treatments.append(Treatment(id="t-old", agent="cinacalcet", treatment_class="calcimimetic", dose=30,
                                     dose_unit="mg", route="oral", start=When(offset=-6, precision="month"),
                                     stop=When(offset=-1, precision="month"), indication="secondary hyperparathyroidism",
                                     history=history))
    return case


def section_text(body, start: str, end: str) -> str:
    texts = [t for _, t in body]
    return " ".join(texts[texts.index(start):texts.index(end)])


def test_an_intervention_before_the_index_event_is_history_unless_the_author_says_otherwise():
    body = docx_body(with_history_treatment())
    info = section_text(body, "Patient information", "Clinical findings")
    therapy = section_text(body, "Therapeutic intervention", "Follow-up and outcomes")
    assert "Past interventions. Cinacalcet (30 mg, oral), about 6 months before presentation, for secondary " \
           "hyperparathyroidism." in info
    assert "cinacalcet" not in therapy and "sodium thiosulfate" in therapy
    body = docx_body(with_history_treatment(history=False))  # the author's override: part of this episode
    assert "cinacalcet" in section_text(body, "Therapeutic intervention", "Follow-up and outcomes")
    assert "cinacalcet" not in section_text(body, "Patient information", "Clinical findings")


@pytest.mark.parametrize("variant", ["UK", "US"])
def test_title_page_headers_and_properties_share_the_manuscripts_spelling(variant):
    """The author's title is their prose too: it decides the variant with the rest, and the page
    headers and the file's properties print it as the title heading does (the headers kept the
    other spelling)."""
    from desktop.report.editing import spell
    case = load_demo()
    case.title = spell("Calciphylaxis with hypercalcaemia and oedema: a case report", variant)
    case.short_title = spell("Calciphylaxis with hypercalcaemia", variant)
    case.manuscript = type(case.manuscript)()  # no other prose: the title alone decides
    case.patient.history = case.patient.presenting_concerns = case.patient.past_interventions = ""
    case.diagnosis.reasoning = ""
    word = spell("hypercalcaemia", variant)
    buf = io.BytesIO()
    render_pdf(case, buf, draft=True)
    reader = pypdf.PdfReader(io.BytesIO(buf.getvalue()))
    assert word in reader.metadata.title
    assert all(word in page.extract_text().split("\n")[1] for page in reader.pages[:2])  # the running header
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    d = docx.Document(io.BytesIO(buf.getvalue()))
    assert word in d.core_properties.title and word in d.sections[0].header.paragraphs[0].text
    heading = next(p.text for p in d.paragraphs if p.style.name == "Title")
    assert word in heading


def test_spelling_follows_the_author_and_leaves_names_alone():
    from desktop.report.editing import spell, unify_spelling, variant_of
    assert spell("Haemoglobin, oedema, anaemia and hospitalisation", "US") == \
        "Hemoglobin, edema, anemia and hospitalization"
    assert spell("Hemodialysis, edema, hypoalbuminemia; them, chemotherapy, academia", "UK") == \
        "Haemodialysis, oedema, hypoalbuminaemia; them, chemotherapy, academia"
    assert variant_of(["on hemodialysis with edema", "haemoglobin"]) == "US"
    blocks = [c.Para([c.Span("1 Renal Centre, Example Hospital")], "affil"), c.Para([c.Span("Oedema.")])]
    out = unify_spelling(blocks, "US")
    assert out[0].spans[0].text == "1 Renal Centre, Example Hospital" and out[1].spans[0].text == "Edema."


def test_the_whole_figure_matches_the_recorded_sex_and_marks_every_lesion():
    from reportlab.graphics.shapes import Path as RLPath
    from desktop.report.bodymap_figure import bodymap_drawing

    def paths(node):
        n = isinstance(node, RLPath)
        return n + sum(paths(ch) for ch in getattr(node, "contents", []) or [])

    lesions = [(1, "abdomen", "midline")]
    male, female, unknown = (bodymap_drawing(lesions, 300, views=["front"], sex=s) for s in ("male", "female", None))
    assert paths(female) == paths(male) + 2 == paths(unknown) + 2  # the two breast contours, on a woman only
    # the demo's lesions (glans, finger pads, a toe) each have a marker on the whole figure as well
    demo = load_demo()
    from desktop.report.bodymap_figure import lesion_markers
    d = bodymap_drawing(lesion_markers(demo), 450, sex="male")
    numbers = [s for s in strings(d) if s.isdigit()]
    for n in ("1", "2", "3", "4"):
        assert numbers.count(n) >= 2, n  # in its detail view and on the front view


def test_two_rows_of_a_table_may_say_the_same_but_not_what_the_prose_said():
    """Clinical Advisor (August 2012): cholesterol emboli and gangrene "can be excluded due to location of
    the lesion on the upper extremity as well as intact peripheral pulses". Each row of the differential
    table keeps its reason (the second was left out as a repeat, so gangrene read "Excluded —"); a reason
    the author's own prose already gives is still said once."""
    case = jsonio.loads((ROOT / "tests" / "cases" / "breast-hd-woman.json").read_text("utf-8"))
    how = "location of the lesion and intact peripheral pulses"
    rows = [t for kind, t in docx_body(case, draft=True) if kind == "row"]
    assert f"cholesterol emboli | Excluded | {how}" in rows
    assert f"gangrene | Excluded | {how}" in rows
    assert " ".join(pdf_text(case, draft=True).split()).count(how) == 2
    case.manuscript.diagnostic_assessment = ("Cholesterol emboli and gangrene were excluded by the location of "
                                             "the lesion and intact peripheral pulses.")
    rows = [t for kind, t in docx_body(case, draft=True) if kind == "row"]
    assert "cholesterol emboli | Excluded | —" in rows and "gangrene | Excluded | —" in rows


def test_the_dialysis_vintage_is_said_at_the_onset_and_no_more_precisely_than_given():
    """Clinical Advisor (August 2012): "on hemodialysis for four years", lesions not dated. The manuscript
    said "Dialysis vintage at first lesion onset: 1461 days (4.0 years)": a day count nobody gave, at an
    onset nobody dated, restating "started about 4 years before presentation"."""
    case = jsonio.loads((ROOT / "tests" / "cases" / "breast-hd-woman.json").read_text("utf-8"))
    text = " ".join(pdf_text(case, draft=True).split())
    assert "started about 4 years before presentation" in text
    assert "Dialysis vintage" not in text and "1461" not in text
    # with the breast lesion dated a month before presentation: 4 years less a month, about 3.9 years
    from desktop.model import When
    case.lesions[0].onset = When(offset=-1, precision="month")
    text = " ".join(pdf_text(case, draft=True).split())
    assert "Dialysis vintage at first lesion onset: about 3.9 years." in text and "1430" not in text


def test_one_spelling_for_the_authors_words_and_casebooks():
    """Robinson et al., Arch Dermatol 2007, write American English ("violaceous discoloration", "linear
    hemorrhagic crust"). The lesion table printed Casebook's "Violaceous discolouration" beside the
    authors' "discoloration" in one cell: the spelling pairs had no "discolour", and the manuscript's
    variant was read from its prose only, not from what the authors wrote into the record."""
    case = jsonio.loads((ROOT / "tests" / "cases" / "thighs-transplant-cinacalcet.json").read_text("utf-8"))
    text = " ".join(t for _, t in before_appendices(docx_body(case, draft=True)))
    assert "discoloration" in text and "discolouration" not in text.lower()
    case.lesions[0].description = "An ulcer with eschar and surrounding induration and violaceous discolouration."
    case.lesions[1].description = "A linear haemorrhagic crust."
    case.lesions[2].description = "Violaceous discolouration in a livedo reticularis pattern."
    text = " ".join(t for _, t in before_appendices(docx_body(case, draft=True)))
    assert "discolouration" in text and "discoloration" not in text.lower() and "haemorrhagic" in text


def test_what_the_author_wrote_is_printed_as_written_and_never_contradicted():
    """A completeness audit (every free-text field of a full case set to a marker, the manuscript read
    back) found: a note of a value the authors computed (a reported Ca × P product) and the cause of a
    finding that is not calciphylaxis printed nowhere; the outcome's texts printed with their first
    letter lowered, which turned "HBOT" into "hBOT"; and "The patient was alive of …" when a cause of
    death was left beside the status alive."""
    from desktop.model import LabResult, Lesion, When
    case = full_case()
    case.outcome.status, case.outcome.cause_of_death = "alive", "sepsis"
    case.outcome.adherence = "HBOT sessions were tolerated without incident."
    case.lesions.append(Lesion(id="les-scar", site="knee", laterality="left", nature="scar",
                               description="Old scar", cause="surgery for ligament calcification"))
    case.labs.append(LabResult(id="capp", analyte="ca_p_product", value=52, unit="mg²/dL²", when=When(offset=0),
                               note="computed by the authors"))
    text = " ".join(t for _, t in before_appendices(docx_body(case, draft=True)))
    assert "alive of" not in text and "The patient was alive" in text
    assert "Adherence and tolerability: HBOT sessions were tolerated without incident." in text
    assert "cause: surgery for ligament calcification" in text
    assert "52 mg²/dL² as reported: computed by the authors" in text


def test_a_biopsy_at_day_0_of_a_lesion_without_a_site_and_an_outcome_event_told_in_the_text():
    """Ali et al., Wounds 2020 (abstract): "diagnosed with calciphylaxis by skin biopsy" (day 0 is the
    biopsy), sites not in the text we hold; "complete resolution of skin lesions" after sodium
    thiosulfate. The manuscript printed "Skin biopsy of the (lesion 1), at biopsy: confirmed
    calciphylaxis.", "Diagnosis confirmed by biopsy (at biopsy).", and a timeline row for the follow-up
    whose description was "—" (the outcome paragraph tells it)."""
    case = jsonio.loads((ROOT / "tests" / "cases" / "ckd3-apixaban-twice-weekly-sts.json").read_text("utf-8"))
    body = docx_body(case, draft=True)
    texts = [t for _, t in body]
    assert "Skin biopsy of lesion 1: confirmed calciphylaxis." in " ".join(texts)
    assert "Diagnosis confirmed by biopsy." in texts
    joined = " ".join(texts)
    assert "(lesion 1)," not in joined and "at biopsy" not in joined
    follow = [r for r in timeline_rows(body) if r[2] == "Follow-up"]
    assert follow and follow[0][3] == "Outcome: alive; wound healing: healed"
    # a biopsy a week after a day 0 that is not the biopsy keeps its time
    from desktop.model import Event, When
    case.events.append(Event(id="e-pres", kind="presentation", description="Presentation.", when=When(offset=0)))
    case.index_event_id = "e-pres"
    next(e for e in case.events if e.id == "e-dx").when = When(offset=7)
    joined = " ".join(t for _, t in docx_body(case, draft=True))
    assert "Skin biopsy of lesion 1 (7 days after presentation): confirmed calciphylaxis." in joined
    assert "Diagnosis confirmed by biopsy (7 days after presentation)." in joined


def test_a_treatment_without_a_name_is_never_called_unnamed():
    """PMC3267275 entered under Xvfb: a treatment row whose name was lost (typed while the form moved)
    printed as "unnamed" — a word the author never wrote. A row with only a class prints the class; a
    row with neither asks for its name in a draft and is left out of a final manuscript."""
    from desktop.model import Treatment
    case = full_case()
    case.treatments += [Treatment(treatment_class="antibiotic", response="no_improvement"),
                        Treatment(response="improved", response_detail="rapid regeneration of the ulcers")]
    draft = [t for k, t in before_appendices(docx_body(case, draft=True)) if k == "row"]
    final = [t for k, t in before_appendices(docx_body(case)) if k == "row"]
    assert any(r.startswith("Antibiotic | ") for r in draft) and any(r.startswith("Antibiotic | ") for r in final)
    assert any(r.startswith("[to do: name the treatment] | ") and "rapid regeneration" in r for r in draft)
    assert not any("to do" in r or "rapid regeneration" in r for r in final)
    assert not any("unnamed" in r.lower() for r in draft + final)
    assert "unnamed" not in pdf_text(case, draft=True).lower()


def test_a_vital_sign_without_a_value_prints_no_bare_unit():
    """Pujar & Spinello entered under Xvfb: a temperature added but not yet given printed as a row
    "Temperature | — | °F" — a unit with no number. A vital sign with no value prints only when it
    has a note (the note, no unit); a pressure pairs only two given values."""
    from desktop.model import Vital, When
    case = full_case()
    case.vitals = [Vital(id="t", kind="temperature", unit="°F", when=When(offset=0)),
                   Vital(id="hr", kind="heart_rate", value=106, unit="/min", when=When(offset=0)),
                   Vital(id="s", kind="systolic_bp", value=140, unit="mmHg", when=When(offset=0)),
                   Vital(id="d", kind="diastolic_bp", unit="mmHg", when=When(offset=0)),
                   Vital(id="r", kind="respiratory_rate", unit="/min", when=When(offset=0),
                         note="respiratory rate of 18/min")]
    for draft in (True, False):
        rows = [t for k, t in before_appendices(docx_body(case, draft=draft)) if k == "row"]
        vitals = [r.split(" | ") for r in rows if r.split(" | ")[0] in
                  ("Temperature", "Heart rate", "Systolic blood pressure", "Diastolic blood pressure",
                   "Blood pressure", "Respiratory rate")]
        assert [v[:3] for v in vitals] == [["Heart rate", "106", "/min"], ["Systolic blood pressure", "140", "mmHg"],
                                           ["Respiratory rate", "—", ""]], draft
        assert vitals[-1][-1] == "respiratory rate of 18/min"


def test_a_short_word_table_is_kept_on_one_page_and_a_long_one_flows():
    """Pujar & Spinello's four medications, rendered through LibreOffice, left "albuterol HFA" alone
    at the top of the next page. Each row but the last of a short table keeps with the next; a lab
    history of many rows flows, its header repeated."""
    from desktop.model import LabResult, Medication, When
    case = full_case()
    case.medications = [Medication(id=f"m{i}", name=n) for i, n in
                        enumerate(["Vicodin", "Actos", "insulin", "albuterol HFA"])]
    case.labs += [LabResult(id=f"ca{i}", analyte="calcium", value=9.0 + i / 100, unit="mg/dL", when=When(offset=i))
                  for i in range(40)]
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    d = docx.Document(io.BytesIO(buf.getvalue()))

    def keeps(row) -> bool:
        return all(p.paragraph_format.keep_with_next for cell in row.cells for p in cell.paragraphs)

    meds = next(t for t in d.tables if t.rows[0].cells[0].text == "Medication")
    assert [r.cells[0].text for r in meds.rows][1:] == ["Vicodin", "Actos", "insulin", "albuterol HFA"]
    assert [keeps(r) for r in meds.rows] == [True, True, True, True, False]
    long = max(d.tables, key=lambda t: len(t.rows))
    assert len(long.rows) > 40 and not any(keeps(r) for r in long.rows[1:])


def test_history_typed_as_notes_prints_as_sentences_without_a_word_changed():
    """Pujar & Spinello entered under Xvfb: "Psychosocial history. denied smoking, alcohol intake or use
    of recreational drugs" — a lower-case start and no full stop, as notes are typed. The labelled
    paragraphs are set as sentences; a first word with capitals inside ("eGFR") stays as typed."""
    case = full_case()
    case.patient.social_history = "denied smoking, alcohol intake or use of recreational drugs"
    case.patient.family_history = "strong family history of hypertension, coronary artery disease and diabetes mellitus"
    case.patient.past_interventions = "eGFR 12 mL/min before the fistula"
    for draft in (True, False):
        paras = [t for k, t in before_appendices(docx_body(case, draft=draft)) if k == "p"]
        assert "Psychosocial history. Denied smoking, alcohol intake or use of recreational drugs." in paras
        assert ("Family history. Strong family history of hypertension, coronary artery disease and diabetes "
                "mellitus.") in paras
        assert "Past interventions. eGFR 12 mL/min before the fistula." in paras


def test_a_short_pdf_table_is_kept_with_its_heading_and_the_sentence_citing_it():
    """The PDF writer, as the Word one: a short table (Pujar & Spinello's four medications) is kept
    on one page with the sentence citing it (and a heading over them); a lab history of many rows
    flows."""
    from reportlab.platypus import KeepTogether

    from desktop.model import LabResult, Medication, When
    from desktop.report.layout import CaptionedTable, Heading
    from desktop.report.story import flowables
    case = full_case()
    case.medications = [Medication(id=f"m{i}", name=n) for i, n in
                        enumerate(["Vicodin", "Actos", "insulin", "albuterol HFA"])]
    case.labs += [LabResult(id=f"ca{i}", analyte="calcium", value=9.0 + i / 100, unit="mg/dL", when=When(offset=i))
                  for i in range(40)]
    with ThreadPoolExecutor(2) as pool:
        story = flowables(build(case, pool, draft=True, identified=False, include_assessment=False).blocks)

    def caption(f) -> str:
        return f.caption_markup if isinstance(f, CaptionedTable) else ""

    kept = [f for f in story if isinstance(f, KeepTogether) and any("Medications" in caption(x) for x in f._content)]
    assert len(kept) == 1
    assert any("listed in Table" in (getattr(x, "text", "") or "") for x in kept[0]._content)  # its citing sentence
    loose = [f for f in story if isinstance(f, CaptionedTable)]  # not kept together: the long ones
    assert loose and all(len(getattr(f.table, "rows", [])) > 20 for f in loose)
    assert any(isinstance(x, Heading) for f in story if isinstance(f, KeepTogether) for x in f._content)


def test_the_authors_words_for_a_dialysis_start_and_nested_brackets():
    """Al Beladi FI, Saudi J Kidney Dis Transpl 2010;21:323-327 (abstract): a young woman with systemic
    lupus erythematosus (SLE) and lupus nephritis, with a "recent onset of end-stage renal disease" on
    hemodialysis. Entered through the window, the manuscript said "on hemodialysis (started recent onset
    of end-stage renal disease)" — a sentence nobody wrote — and nested brackets: "(due to lupus
    nephritis (systemic lupus erythematosus))". Words that are not a time now follow "start:", and
    brackets inside brackets are square, as journals set them."""
    from desktop.model import Case, Comorbidity, DialysisPeriod, Patient, When
    case = Case(title="Catastrophic calciphylaxis in lupus nephritis: a case report")
    case.patient = Patient(sex="female", ckd_stage="5D", dialysis_modality="haemodialysis",
                           kidney_disease_cause="lupus nephritis (systemic lupus erythematosus)",
                           dialysis_start=When(label="recent onset of end-stage renal disease"),
                           comorbidities=[Comorbidity(code="autoimmune", detail="systemic lupus erythematosus (SLE)")])
    text = " ".join(t for kind, t in docx_body(case, draft=True) if kind == "p")
    assert ("A woman with CKD stage 5D (due to lupus nephritis [systemic lupus erythematosus]) on hemodialysis "
            "(start: recent onset of end-stage renal disease) and autoimmune disease (systemic lupus "
            "erythematosus [SLE]).") in text
    assert "started recent onset" not in text
    # the author's words that are a time still read "started …"; so do the periods of a dialysis history
    case.patient.dialysis_start = When(label="3 weeks prior")
    assert "on hemodialysis (started 3 weeks prior)" in " ".join(t for _k, t in docx_body(case, draft=True))
    case.patient.dialysis_history = [DialysisPeriod(start=When(label="recent onset of end-stage renal disease"),
                                                    stop=When(label="kidney transplant"))]
    text = " ".join(t for _k, t in docx_body(case, draft=True))
    assert "hemodialysis, start: recent onset of end-stage renal disease, stop: kidney transplant" in text
    case.patient.dialysis_history[0].start = When(label="after the diagnosis of lupus nephritis")
    text = " ".join(t for _k, t in docx_body(case, draft=True))
    assert "hemodialysis, started after the diagnosis of lupus nephritis" in text


def test_an_indication_given_as_a_purpose_is_not_led_by_for():
    """Pliquett et al., BMC Nephrol 2003;4:8: "multiple courses of sterile-maggot therapy were introduced at a
    late stage to stabilize the wounds". With the indication typed as the source gives it, the treatment
    table printed "for to stabilize the wounds"."""
    from desktop.model import Case, Patient, Treatment, When
    case = Case(title="Calciphylaxis in chronic, non-dialysis-dependent renal disease: a case report",
                patient=Patient(age_years=53, sex="female", dialysis_modality="none"))
    case.treatments = [Treatment(id="m", agent="multiple courses of sterile-maggot therapy", kind="other",
                                 treatment_class="wound-care", start=When(label="at a late stage"),
                                 indication="to stabilize the wounds"),
                       Treatment(id="d", agent="surgical debridements", kind="procedure", treatment_class="debridement",
                                 indication="necrotic ulcers")]
    body = docx_body(case, draft=True)
    text = " ".join(t for _k, t in body)
    assert "for to stabilize" not in text
    assert "to stabilize the wounds" in text and "for necrotic ulcers" in text
    assert "for to stabilize" not in " ".join(pdf_text(case, draft=True).split())


def test_a_lesion_on_both_sides_is_more_than_one_wound():
    """CMAJ 2011;183(16):1882: ulcerations on both legs, "resulting in an improvement in the skin lesions";
    the patient then died of septicemia. Recorded as one lesion of both legs, the outcome read "the wound
    had improved"."""
    from desktop.model import Case, Lesion, Outcome
    case = Case(title="Calciphylaxis on the legs of a man on hemodialysis: a case report",
                lesions=[Lesion(id="l", site="leg", laterality="bilateral")],
                outcome=Outcome(status="dead", cause_of_death="septicemia", wound_healing="improved"))
    text = " ".join(t for _k, t in docx_body(case, draft=True))
    assert "The patient died of septicemia; the wounds had improved." in text
    case.lesions[0].laterality = "left"
    assert "the wound had improved" in " ".join(t for _k, t in docx_body(case, draft=True))


def test_not_on_dialysis_is_set_off_before_the_other_conditions():
    """Tamayo-Isla & Cuba de la Cruz, Int J Nephrol Renovasc Dis (abstract): a 32-year-old Caucasian woman
    with end-stage renal disease before dialysis, polycystic kidney disease in her family, and obesity.
    Entered through the window, the opening read "with CKD stage 5 (due to polycystic kidney disease) not
    on dialysis and obesity", as if she were not on obesity either."""
    from desktop.model import Case, Comorbidity, Patient
    case = Case(title="Calciphylaxis in end-stage renal disease before dialysis: a case report",
                patient=Patient(age_years=32, sex="female", ethnicity="Caucasian", ckd_stage="5",
                                kidney_disease_cause="polycystic kidney disease", dialysis_modality="none",
                                comorbidities=[Comorbidity(code="obesity")]))
    text = " ".join(t for _k, t in docx_body(case, draft=True))
    assert ("A 32-year-old Caucasian woman with CKD stage 5 (due to polycystic kidney disease), not on dialysis, "
            "and obesity.") in text
    case.patient.comorbidities.append(Comorbidity(code="diabetes"))
    text = " ".join(t for _k, t in docx_body(case, draft=True))
    assert "(due to polycystic kidney disease), not on dialysis, with obesity and diabetes mellitus." in text
    case.patient.comorbidities = []  # nothing after it: as before
    assert ("A 32-year-old Caucasian woman with CKD stage 5 (due to polycystic kidney disease) not on dialysis."
            in " ".join(t for _k, t in docx_body(case, draft=True)))
