"""The free-text PHI scan: recall on a synthetic corpus, the case's own identifiers in other forms,
clinical numbers left alone, the generic walk over every free-text field, confirmations."""
from __future__ import annotations

import collections
import dataclasses
import json
from pathlib import Path

import pytest

from desktop.codec import from_plain
from desktop.model import (Author, Case, Event, Identifiers, LabResult, Lesion, Figure, Observation,
                           RecordNumber, When)
from desktop.privacy.phi import (KIND_LABELS, KINDS, PhiFound, PhiHit, ensure_no_phi, scan_case, scan_text,
                                 text_fields)

CORPUS = Path(__file__).parent / "phi_corpus" / "corpus.json"


def _load_corpus() -> dict:
    return json.loads(CORPUS.read_text("utf-8"))


def _covered(text: str, start: int, end: int, hits) -> bool:
    """A planted identifier is found when hits cover every letter and digit of it."""
    cov = set()
    for _, s, e in hits:
        if s < end and start < e:
            cov.update(range(s, e))
    return all(i in cov for i in range(start, end) if text[i].isalnum())


# --- the corpus -----------------------------------------------------------------------------------

def test_corpus_is_large_synthetic_and_covers_every_kind():
    corpus = _load_corpus()
    counts = collections.Counter()
    for doc in corpus["documents"]:
        from_plain(Identifiers, doc["identifiers"])  # the identifiers are valid model data
        for t in doc["texts"]:
            for s, e, kind in t["spans"]:
                assert 0 <= s < e <= len(t["text"]), (doc["id"], t["text"], s, e)
                assert kind in KINDS
                counts[kind] += 1
    assert sum(counts.values()) >= 300
    for kind in KINDS:
        # the kinds added for issue 13 are planted by the generated corpus (tests/phi_synth.py)
        if kind not in ("other", "device", "licence", "vehicle", "photo"):
            assert counts[kind] >= 300, f"only {counts[kind]} planted identifiers of kind {kind!r}"
    assert len(corpus["clean"]) >= 100


def test_corpus_recall_and_false_positives():
    corpus = _load_corpus()
    planted = found = kind_agrees = 0
    missed: list[str] = []
    false_pos: list[str] = []
    per_kind = collections.Counter()
    per_kind_found = collections.Counter()
    for doc in corpus["documents"]:
        ids = from_plain(Identifiers, doc["identifiers"])
        for t in doc["texts"]:
            text = t["text"]
            hits = scan_text(text, ids, dates=doc["dates"])
            for s, e, kind in t["spans"]:
                planted += 1
                per_kind[kind] += 1
                if _covered(text, s, e, hits):
                    found += 1
                    per_kind_found[kind] += 1
                    kind_agrees += any(k == kind for k, hs, he in hits if hs < e and s < he)
                else:
                    missed.append(f"{kind}: {text[s:e]!r} in {text!r}")
            for k, hs, he in hits:
                if not any(hs < e and s < he for s, e, _ in t["spans"]):
                    false_pos.append(f"{k}: {text[hs:he]!r} in {text!r}")
    clean_words = 0
    for text in corpus["clean"]:
        clean_words += len(text.split())
        for k, hs, he in scan_text(text):
            false_pos.append(f"{k}: {text[hs:he]!r} in {text!r}")
    recall = found / planted
    report = (f"PHI corpus: recall {found}/{planted} = {recall:.4f}; false positives {len(false_pos)} "
              f"(clean prose: {len(corpus['clean'])} sentences, {clean_words} words); "
              f"hit kind agrees with the planted kind for {kind_agrees}/{found}; per kind: "
              + ", ".join(f"{k} {per_kind_found[k]}/{per_kind[k]}" for k in sorted(per_kind)))
    print("\n" + report)
    for line in missed[:20]:
        print("  missed", line)
    for line in false_pos[:20]:
        print("  false positive", line)
    assert recall >= 0.99, report + "\nmissed:\n" + "\n".join(missed[:30])
    assert len(false_pos) <= 15, report + "\nfalse positives:\n" + "\n".join(false_pos[:30])


# --- the case's own identifiers in other forms -----------------------------------------------------

IDS = Identifiers(given_names="Hildegard Ottoline", family_name="Quenneville", date_of_birth="1948-03-07",
                  record_numbers=[RecordNumber("MRN", "0044719230")], street="17 Larkspur Close",
                  city="Brackenfield", county="Wexcombe County", state="Oregon", zip_code="97358",
                  phone="(503) 555-0142", fax="503-555-0199", email="h.quenneville@example.org",
                  ssn="078-05-1120", urls=["https://quenneville.example.org/blog"], ip_addresses=["192.0.2.44"],
                  relatives=["Bartholomew Quenneville (son)", "Acme Steel Works (employer)"],
                  other=["tattoo of a heron"])


def _kinds_found(text: str, ids=IDS, **kw) -> list[tuple[str, str]]:
    return [(k, text[s:e]) for k, s, e in scan_text(text, ids, **kw)]


@pytest.mark.parametrize("form", ["03/07/1948", "3/7/1948", "7 March 1948", "March 7, 1948", "07-Mar-1948",
                                  "7th of March 1948", "1948/03/07", "07.03.1948", "Mar 7 '48", "19480307",
                                  "07MAR1948"])
def test_date_of_birth_in_other_formats(form):
    text = f"Born {form}, she had diabetes for 30 years."
    hits = scan_text(text, IDS)
    s = text.index(form)
    assert _covered(text, s, s + len(form), hits), (form, _kinds_found(text))


@pytest.mark.parametrize("form", ["503.555.0142", "503 555 0142", "5035550142", "+1 503 555 0142",
                                  "(503)555-0142", "503-555-0142", "555-0142", "+1-503-555-0142"])
def test_own_phone_digits_with_other_separators(form):
    text = f"The daughter can be reached on {form} after six."
    hits = scan_text(text, IDS)
    s = text.index(form)
    assert _covered(text, s, s + len(form), hits), (form, _kinds_found(text))


def test_own_names_in_lower_case_without_accents_and_possessive():
    found = _kinds_found("quenneville's daughter and HILDEGARD came; Ottoline agreed.")
    assert ("name", "quenneville") in found or ("name", "quenneville's") in found
    assert ("name", "HILDEGARD") in found and ("name", "Ottoline") in found
    ids = Identifiers(given_names="José", family_name="Núñez")
    assert [t for _, t in _kinds_found("jose nunez and JOSÉ NÚÑEZ", ids)] == ["jose nunez", "JOSÉ NÚÑEZ"]


def test_own_other_identifier_kinds():
    text = ("MRN 44719230 (0044-7192-30); SSN 078 05 1120; fax 503.555.0199; write to H.Quenneville@example.org; "
            "see quenneville.example.org/blog; logged from 192.0.2.44; lives at 17 Larkspur Cl. in brackenfield, "
            "Wexcombe; ZIP 97358; her son Bartholomew and Acme Steel Works; a tattoo of a heron on the arm.")
    found = _kinds_found(text)
    kinds = {k for k, _ in found}
    assert {"record_number", "ssn", "fax", "email", "url", "ip", "address", "zip", "name", "other"} <= kinds, found
    texts = [t for _, t in found]
    for must in ("44719230", "0044-7192-30", "078 05 1120", "503.555.0199", "H.Quenneville@example.org",
                 "192.0.2.44", "brackenfield", "97358", "Bartholomew", "tattoo of a heron"):
        assert any(must in t for t in texts), (must, found)
    # role words in the relatives entries are not names: "son", "steel", "works" alone are not flagged
    assert _kinds_found("The son works in steel.") == []


def test_recorded_dates_of_the_case_found_in_any_format():
    found = _kinds_found("Admitted 5.3.21 and again on 5 Mar 2021.", Identifiers(), dates=["2021-03-05"])
    assert [t for _, t in found] == ["5.3.21", "5 Mar 2021"]


# --- generic identifiers ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,kind,what", [
    ("Seen on 2021-03-05 for review.", "date", "2021-03-05"),
    ("Seen on 12/31/2020 for review.", "date", "12/31/2020"),
    ("Admitted June 5th and discharged in July 2021.", "date", "June 5th"),
    ("Admitted June 5th and discharged in July 2021.", "date", "July 2021"),
    ("Call (216) 444-2200 ext. 12 for results.", "phone", "(216) 444-2200 ext. 12"),
    ("Fax: +44 20 7946 0958.", "fax", "+44 20 7946 0958"),
    ("Mail k.brown77@mailbox.org today.", "email", "k.brown77@mailbox.org"),
    ("Updates at https://www.caringbridge.org/visit/x.", "url", "https://www.caringbridge.org/visit/x"),
    ("Access from 10.0.3.115 and fe80::1ff:fe23:4567:890a.", "ip", "fe80::1ff:fe23:4567:890a"),
    ("Listed SSN 123-45-6789.", "ssn", "123-45-6789"),
    ("Her bracelet read 4471209935.", "digits", "4471209935"),
    ("Referred from Elyria, OH 44035-1234.", "zip", "44035-1234"),
    ("She lives at 4410 W. Ridge Rd., Apt 3B.", "address", "4410 W. Ridge Rd., Apt 3B"),
    ("Referred from Kenosha, Wisconsin with pain.", "address", "Kenosha"),
    ("A 93-year-old woman was admitted.", "age", "93-year-old"),
    ("Mrs. Halvorsen brought photographs.", "name", "Halvorsen"),
    ("The licence plate 7ABC123 was noted.", "record_number", "7ABC123"),
])
def test_generic_identifiers(text, kind, what):
    found = _kinds_found(text, None)
    assert (kind, what) in found, found


CLINICAL = [
    "Calcium 9.2 mg/dL and phosphate 9.0 mg/dL (product = 82.8 mg/dL) when the penile lesion appeared.",
    "Blood pressure 87/52 mmHg; heart rate 112/min; temperature 37.8 °C; SpO2 94%.",
    "Sodium thiosulfate 25 g thrice weekly during dialysis; warfarin 5 mg daily; insulin 4 times a day.",
    "White cell count 6.8 K/μL (4.0–11.0 K/μL); PTH 104 pg/mL (18.4–80.1 pg/mL); HbA1c 6.9% (≤ 5.6%).",
    "Lesions began on day −60 and the biopsy was done on day 12, 2 months before admission.",
    "LOINC 17861-6 and 2777-1; ICD-10 N18.6, E83.59 and L98.8; SNOMED CT 95417008.",
    "In 2019 a meta-analysis of 856 cases; the 2018 review; 6-month mortality 50% to 70%.",
    "PUSH score 12, BWAT 4/5, pain 8/10, grade 3/4, MRC 4/5, eGFR 12 mL/min/1.73 m², Kt/V 1.4.",
    "Platelets 250,000/μL, 250000/μL; cholecalciferol 50000 IU weekly; a 1-week course; 1-0-1 dosing.",
    "See doi:10.1186/s13256-022-03315-4 and PMID 34567890 (NCT01234567).",
    "A 73-year-old man aged 73 years; patients aged 90 or older are reported as 90 or older.",
    "CD34, IL-6, COVID-19, T2DM, 12-lead ECG, 3-0 nylon, 1:200 dilution, 2 × 10⁹/L, 24/7 care at 08:30.",
    "May be considered when the wound fails to heal; the march of necrosis continued proximally.",
]


@pytest.mark.parametrize("text", CLINICAL)
def test_clinical_numbers_are_not_flagged(text):
    assert scan_text(text, None) == []


def test_references_and_provenance_are_citations():
    c = Case(source="Smilnak et al. 2022, J Med Case Rep 16:18, https://doi.org/10.1186/s13256-021-03215-1, CC BY 4.0")
    c.identifiers = Identifiers(family_name="Quenneville")
    c.manuscript.references = [
        "Nigwekar SU, Thadhani R, Brandenburg VM. Calciphylaxis. N Engl J Med. 2018 May 3;378(18):1704-14. "
        "doi:10.1056/NEJMra1505292. https://www.nejm.org/doi/full/10.1056/NEJMra1505292",
        "Quenneville A. A coincidence of names. Published 12 March 2020.",
        "Contact the author at someone@example.org.",
    ]
    hits = scan_case(c)
    assert [(h.field, h.kind, h.text) for h in hits] == [
        ("$.manuscript.references[1]", "name", "Quenneville"),
        ("$.manuscript.references[2]", "email", "someone@example.org"),
    ]


# --- the walk over the case ----------------------------------------------------------------------

def _case_with_text_everywhere() -> Case:
    c = Case(title="Calciphylaxis in Mrs Quenneville", keywords=["calciphylaxis", "Brackenfield"])
    c.identifiers = IDS
    c.authors = [Author(name="Hildegard Author", affiliations=["Brackenfield Hospital, 17 Larkspur Close"],
                        email="author@example.org")]
    c.events = [Event(id="e1", description="Admitted on 2021-03-05", when=When(date="2021-03-05", label="on 5/3/21"))]
    c.lesions = [Lesion(id="l1", description="ulcer", observations=[Observation(id="o1", note="photo by Hildegard")])]
    c.labs = [LabResult(id="x", analyte="calcium", value=9.2, unit="mg/dL", note="drawn 03/07/1948?")]
    c.figures = [Figure(id="m0", caption="thigh"), Figure(id="m1", caption="calf"),
               Figure(id="m2", caption="Photo sent from 503-555-0142")]
    c.manuscript.discussion = "Quenneville improved."
    return c


def test_scan_case_names_each_field_by_json_path():
    c = _case_with_text_everywhere()
    hits = scan_case(c)
    got = {(h.field, h.kind, h.text) for h in hits}
    assert got == {
        ("$.title", "name", "Quenneville"),
        ("$.keywords[1]", "address", "Brackenfield"),
        ("$.events[0].description", "date", "2021-03-05"),
        ("$.events[0].when.label", "date", "5/3/21"),
        ("$.lesions[0].observations[0].note", "name", "Hildegard"),
        ("$.labs[0].note", "date", "03/07/1948"),
        ("$.figures[2].caption", "phone", "503-555-0142"),
        ("$.manuscript.discussion", "name", "Quenneville"),
    }, got
    for h in hits:  # offsets point into the field's own text
        field_text = next(tf.text for tf in text_fields(c) if tf.path == h.field)
        assert field_text[h.start:h.end] == h.text
    assert all(h.kind in KIND_LABELS for h in hits)


def test_text_fields_visit_every_string_but_identifiers_authors_and_structured_values():
    # issue 13: units, codes and hand-made ids are strings an author can type anything into; only a
    # value whose shape proves it structured (a generated hex id, an ISO date) is passed over
    c = _case_with_text_everywhere()
    paths = [tf.path for tf in text_fields(c)]
    assert not any(p.startswith(("$.identifiers", "$.authors")) for p in paths)
    assert "$.id" not in paths  # Case.id is model.new_id(): hex
    assert "$.events[0].id" in paths and "$.labs[0].analyte" in paths and "$.labs[0].unit" in paths
    assert "$.events[0].when.date" not in paths
    assert "$.figures[0].caption" in paths and "$.keywords[0]" in paths


def test_confirmed_hits_are_left_out():
    c = _case_with_text_everywhere()
    hits = scan_case(c)
    confirmed = {("$.manuscript.discussion", "Quenneville"), ("$.figures[2].caption", "503-555-0142")}
    rest = scan_case(c, confirmed=confirmed)
    assert len(rest) == len(hits) - 2
    assert not any((h.field, h.text) in confirmed for h in rest)
    # the same text in another field still counts
    assert any(h.field == "$.title" and h.text == "Quenneville" for h in rest)


def test_ensure_no_phi_raises_with_the_hits_unless_allowed():
    c = _case_with_text_everywhere()
    with pytest.raises(PhiFound) as err:
        ensure_no_phi(c)
    assert err.value.hits == scan_case(c)
    assert "$.figures[2].caption" in str(err.value)
    assert ensure_no_phi(c, allow=True) == err.value.hits
    clean = Case(title="Calciphylaxis of the penis and distal digits: a case report")
    assert ensure_no_phi(clean) == []
    assert isinstance(err.value.hits[0], PhiHit)


HOSTILE = [
    "<para><b>bold</b> <font name='Nope' size=99>x</font> &amp; & < > <br/><img src='x'/></para>",
    "مريض يبلغ ٧٣ عاما ‏\u202eevil\u202c עברית 17 Larkspur Close",
    "😀🩺🦶🏿 ulcer 👍 " * 50,
    "x\x00y\x00 NUL 503-555-0142 \x1b[31m",
    "long " + "Quenneville 1948-03-07 " * 2200,
    "\ud7ff\ufeff\u200b\u00a0zero-width",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_scans_without_crash(text):
    c = _case_with_text_everywhere()
    c.manuscript.discussion = text
    c.figures[0].caption = text
    hits = scan_case(c)
    for h in hits:
        assert 0 <= h.start < h.end
    assert isinstance(scan_text(text, IDS), list)


# --- the shortcuts: pattern gates and de-identification's narrower scan ----------------------------

def _all_texts() -> list[str]:
    corpus = _load_corpus()
    texts = [t["text"] for doc in corpus["documents"] for t in doc["texts"]] + list(corpus["clean"])
    return texts + HOSTILE + [
        "seen on ſeptember 3, 2021 and in MAY 2020; call 555 0142 or (503)555-0142; jo [AT] x [dot] org",
        "ab::1 and fe80::1ff:fe23:4567:890a; www.EXAMPLE.org; FTP://host/x; 2021.03.04; 20210304",
        "in May; since March; 3rd of Sept. '21; 12/2019; 1-2-21; XXX-XX-1234; SSN 078051120",
        "seen 2015-06; on the third of March; March the twenty-first; in Mar. ’21",
    ]


def _gate_cases():
    from desktop.privacy import phi
    return [pytest.param(i, id=f"{i}-{p.kind}") for i, p in enumerate(phi._P) if p.needs]


@pytest.mark.parametrize("index", _gate_cases())
def test_each_pattern_gate_is_a_necessary_condition(index):
    """A pattern is skipped over a text that lacks what it ``needs``: that must never skip a match."""
    from desktop.privacy import phi
    p = phi._P[index]
    matched = 0
    for text in _all_texts():
        if p.regex.search(text):
            matched += 1
            missing = [f for f in p.needs if not phi._FEATURES[f](text)]
            assert not missing, f"pattern {index} ({p.kind}) matches {text[:80]!r} but gate {missing} says no"
    assert matched, f"pattern {index} ({p.kind}) never matched a test text: its gate is not exercised"


def test_gates_skip_patterns_without_losing_hits(monkeypatch):
    """The gated scan finds exactly what running every pattern over every text finds."""
    from desktop.privacy import phi
    texts = _all_texts()
    gated = [phi._generic(text, False) for text in texts]
    monkeypatch.setattr(phi, "_P", [dataclasses.replace(p, needs="") for p in phi._P])
    for text, hits in zip(texts, gated):
        assert hits == phi._generic(text, False), text[:80]


def test_redaction_removes_at_least_what_the_full_scan_would():
    """deidentify's narrower scan (only the kinds always replaced, unless the text holds the case's
    own values) removes every span the full scan would have it remove."""
    from desktop.privacy import phi
    from desktop.privacy.deidentify import _ALWAYS_REPLACE
    corpus = _load_corpus()
    checked = 0
    for doc in corpus["documents"]:
        needles = phi.needles_for(from_plain(Identifiers, doc["identifiers"]), doc["dates"])
        for t in doc["texts"] + [{"text": x} for x in corpus["clean"][:20]]:
            text = t["text"]
            want = [(s, e) for k, s, e, own in phi._scan(text, needles) if own or k in _ALWAYS_REPLACE]
            got = phi.redaction_spans(text, needles, _ALWAYS_REPLACE)
            for s, e in want:
                assert any(gs <= s and e <= ge for gs, ge in got), (text, text[s:e], got)
            checked += len(want)
    assert checked > 500
    # with no identifiers recorded: dates, phones, e-mail, SSN and IP still go; names and towns stay
    text = "Seen 03/07/2021 by Mr. Quenneville of Brackenfield, call 503-555-0142, mail a@b.org, IP 10.0.0.1"
    spans = phi.redaction_spans(text, None, _ALWAYS_REPLACE)
    removed = [text[s:e] for s, e in spans]
    assert removed == ["03/07/2021", "503-555-0142", "a@b.org", "10.0.0.1"]


# --- issue 13: every string reaches the scan, found by walking the model -----------------------------

import dataclasses as _dc  # noqa: E402

from desktop.model import Treatment as _Treatment  # noqa: E402


@_dc.dataclass
class TreatmentWithRemark(_Treatment):
    """A throwaway model class with a string field no list names (module level: deidentify pickles)."""
    remark: str = ""


def test_a_new_string_field_in_a_subclass_is_scanned_and_deidentified():
    from desktop.privacy.deidentify import deidentify

    c = _case_with_text_everywhere()
    c.treatments = [TreatmentWithRemark(id="t1", agent="sodium thiosulfate", remark="call 503-555-0142")]
    assert any(h.field == "$.treatments[0].remark" and h.kind == "phone" for h in scan_case(c))
    out = deidentify(c)
    assert "555-0142" not in out.treatments[0].remark


def test_units_ids_and_citations_are_scanned():
    from desktop.model import Treatment
    c = _case_with_text_everywhere()
    c.treatments = [Treatment(id="t1", agent="sodium thiosulfate", dose=25.0, dose_unit="g Quenneville 03/07/1948")]
    c.figures[0].id = "IMG_20210304_101112"
    c.labs[0].id = "MRN 4471923"
    hits = {(h.field, h.kind) for h in scan_case(c)}
    assert ("$.treatments[0].dose_unit", "name") in hits and ("$.treatments[0].dose_unit", "date") in hits
    assert any(f == "$.figures[0].id" for f, _ in hits) and any(f == "$.labs[0].id" for f, _ in hits)


def test_an_ordinary_word_surname_is_redacted_only_where_the_scan_found_it():
    # issue 13: a relative named "Day" removed every "day" ("on [removed] 3", "1.5 L/[removed]")
    from desktop.privacy.deidentify import deidentify
    from desktop.privacy.phi import redact_case
    c = Case(title="Calciphylaxis")
    c.identifiers = Identifiers(relatives=["Bill Day (son)"])
    c.manuscript.discussion = "Her son, Mr. Day, visited on day 3 and Day 10; intake 1.5 L/day."
    hits = scan_case(c)
    assert [(h.text, h.kind) for h in hits] == [("Day", "name")]
    red = redact_case(c, hits)
    assert red.manuscript.discussion == "Her son, Mr. [name], visited on day 3 and Day 10; intake 1.5 L/day."
    assert c.manuscript.discussion.startswith("Her son, Mr. Day")  # the library's case is untouched
    assert "day 3 and Day 10; intake 1.5 L/day" in deidentify(c).manuscript.discussion


def test_hits_to_json_names_field_offsets_text_and_class():
    from desktop.privacy.phi import hits_to_json
    c = Case(title="Seen by Dr. Okafor")
    assert hits_to_json(scan_case(c)) == [
        {"field": "$.title", "start": 12, "end": 18, "text": "Okafor", "class": "name"}]


def test_hits_in_text_for_a_draft_outside_a_case():
    from desktop.privacy.phi import hits_in_text, hits_to_json
    text = "Seen on the third of March by Dr. Okafor; plate KX19 ABC."
    got = {(h["class"], h["text"]) for h in hits_to_json(hits_in_text(text, "draft.txt"))}
    assert got == {("date", "the third of March"), ("name", "Okafor"), ("vehicle", "KX19 ABC")}, got


@pytest.mark.parametrize("text, what", [
    ("Patient J.D. was admitted with painful thigh nodules.", "J.D."),
    ("J. D., a 64-year-old woman on hemodialysis, presented.", "J. D."),
    ("The patient (A.B.C.) had a necrotic ulcer.", "A.B.C."),
    ("On day 3 patient JD was started on sodium thiosulfate.", "JD"),
    ("Case MK, a 70-year-old man, developed penile necrosis.", "MK"),
])
def test_a_patients_initials_are_flagged(text, what):
    """Initials are among what journals ask authors not to print (Elsevier, Patient consent: "names,
    initials, hospital or social security numbers ... should not be used")."""
    assert ("name", what) in _kinds_found(text, None)


@pytest.mark.parametrize("text", [
    "Reviewed by the nephrologist, M.D., and two R.N. staff; 25 g I.V. at 8 A.M.",
    "Patients in the U.S. and the U.K.; the patient HD sessions were lengthened.",
    "The patient CKD stage 5D was noted; patient PTH was 1251 pg/mL.",
])
def test_degrees_and_abbreviations_are_not_initials(text):
    assert scan_text(text, None) == []


def test_a_date_given_as_a_month_or_a_year_is_structured_and_leaves_the_export():
    """Entering PMC6089724 (referred "in November 2002", on haemodialysis "in 1988"): the time
    editor now saves a month or a year alone as the model allows (When.date YYYY-MM, YYYY), and the
    exporters turn those into offsets like whole dates. The export gate read them as free text and
    refused the report ("date: '2002-11'"). Anything else written in a date field is still text."""
    from desktop.model import Case, Event, When
    from desktop.privacy.deidentify import deidentify
    c = Case(events=[Event(id="e1", kind="presentation", when=When(date="2002-11", precision="month")),
                     Event(id="e2", kind="other", when=When(date="1988", precision="year"))],
             index_event_id="e1")
    assert scan_case(c) == []
    out = deidentify(c)
    assert [e.when.date for e in out.events] == [None, None] and out.events[0].when.offset == 0.0
    # 1988 is 14 to 15 years before November 2002, given in years (the coarser precision)
    assert out.events[1].when.precision == "year" and -15 < out.events[1].when.offset < -14
    c.events[1].when.date = "November 2002"  # not a date's shape: scanned like prose
    assert [h.text for h in scan_case(c)] == ["November 2002"]
    # a month or a year alone names no day: it is not looked for in the text as the patient's own date
    c.events[1].when.date = "1988"
    c.patient.history = "Seen on 1 January 1988 and on 1 November 2002."
    assert [h.kind for h in scan_case(c)] == ["date", "date"]  # each a date, found as any date is


@pytest.mark.parametrize("text, found", [
    # PMC6089724 (a published case): the countries the two transplantations took place in. Safe
    # Harbor removes geographic subdivisions smaller than a state, not countries; the scan refused
    # the report over 'India' and 'Iran'
    ("First renal transplantation (living, unrelated) in India in 1991, rejected after 3 years.", []),
    ("Second renal transplantation in Iran four months before presentation.", []),
    ("He was referred from a hospital in Germany.", []),
    # a city is smaller than a state; a country name that is a given name, before a family name or
    # after a cue, is still a name (synthetic)
    ("She lives in Mumbai.", [("address", "Mumbai")]),
    ("Jordan Smith was admitted.", [("name", "Jordan Smith")]),
    ("His daughter India visits daily.", [("name", "India")]),
])
def test_countries_are_not_identifiers_but_names_and_cities_are(text, found):
    assert [(k, text[s:e]) for k, s, e in scan_text(text)] == found


def test_immunoglobulin_classes_are_not_places():
    # Mathur, Shortland & El Nahas (NDT): "mesangioproliferative glomerulonephritis secondary to IgA
    # nephropathy"; 'iga' is on the city list (Iga, Japan), and the report was refused over it
    text = "Renal biopsy: mesangioproliferative glomerulonephritis secondary to IgA nephropathy; IgG and IgM deposits."
    assert scan_text(text) == []
    assert [(k, t[s:e]) for t in ["She moved to Iga last year."] for k, s, e in scan_text(t)] == [("address", "Iga")]
