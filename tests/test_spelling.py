"""Issue 14: one spelling variant per manuscript, whatever variant the author writes in and whichever
journal profile the manuscript is made for. The word pairs are resources/catalogues/spelling.json
(each with the convention it follows); the expected forms below are the dictionaries' (Merriam-
Webster/Dorland's for US, the British forms UK medical house styles require)."""
from __future__ import annotations

import json
import re

import pytest

from desktop import catalogue
from desktop.report.editing import all_text, spell, variant_of

# (UK, US): the words the issue names, and the ones calciphylaxis reports are full of
PAIRS = [("haemodialysis", "hemodialysis"), ("oedema", "edema"), ("anaemia", "anemia"),
         ("haemoglobin", "hemoglobin"), ("oesophagus", "esophagus"), ("leucocyte", "leukocyte"),
         ("paediatric", "pediatric"), ("ischaemia", "ischemia"), ("haematoma", "hematoma"), ("centre", "center"),
         ("colour", "color"), ("tumour", "tumor"), ("hypercalcaemia", "hypercalcemia"),
         ("hyperphosphataemia", "hyperphosphatemia"), ("uraemic", "uremic"), ("septicaemia", "septicemia"),
         ("hospitalisation", "hospitalization"), ("randomised", "randomized"), ("centred", "centered"),
         ("litres", "liters"), ("anaesthesia", "anesthesia"), ("diarrhoea", "diarrhea"), ("faecal", "fecal"),
         ("haemorrhage", "hemorrhage"), ("orthopaedic", "orthopedic"), ("behaviour", "behavior"),
         ("dialysed", "dialyzed"), ("ageing", "aging"), ("labelled", "labeled"), ("grey", "gray")]
# words that look like one variant's form and are the same in both
SAME = ["colorectal", "laboratory", "tumorigenic", "hemisphere", "them", "chemotherapy", "academia",
        "sodium thiosulfate", "fetal", "dialysis", "emphasis", "analysis", "premium", "theme"]


@pytest.mark.parametrize("uk, us", PAIRS)
def test_each_word_in_each_variant(uk, us):
    assert spell(uk, "US") == us and spell(us, "UK") == uk
    assert spell(uk, "UK") == uk and spell(us, "US") == us
    assert spell(uk.capitalize(), "US") == us.capitalize() and spell(us.upper(), "UK") == uk.upper()


def test_words_common_to_both_variants_are_left_alone():
    for w in SAME:
        assert spell(w, "UK") == w and spell(w, "US") == w, w


def test_every_catalogue_pair_has_a_source_and_round_trips():
    data = json.loads(catalogue.resource_path("catalogues", "spelling.json").read_text("utf-8"))
    assert len(data["pairs"]) >= 100
    for e in data["pairs"]:
        assert e["source"] in data["sources"], e
        uk = e["uk"] + (e.get("then", "")[:1] if e["match"] == "start" else "")
        us = e["us"] + (e.get("then", "")[:1] if e["match"] == "start" else "")
        assert spell(uk, "US") == us and spell(us, "UK") == uk, e


def test_the_abbreviations_catalogue_covers_calciphylaxis_reports_with_sources():
    data = json.loads(catalogue.resource_path("catalogues", "abbreviations.json").read_text("utf-8"))
    have = {e["abbreviation"]: e for e in data["entries"]}
    for a in ("CKD", "ESRD", "ESKD", "PTH", "HD", "PD", "STS", "ALP", "CRP", "INR", "eGFR", "BMI", "CUA", "HBOT"):
        assert a in have, a
    assert all(e["source"] in data["sources"] and e["expansion"] for e in data["entries"])


UK_PROSE = ("The patient had been on haemodialysis for six years, with anaemia, oedema of the legs and a "
            "haemoglobin of 9.1 g/dL. Ischaemic ulcers with a haematoma and grey discolouration were seen at our centre. "
            "Paediatric colleagues were not involved; the oesophagus was normal; leucocytes were raised. "
            "Hospitalisation followed, and the tumour board was not consulted.")
US_PROSE = ("The patient had been on hemodialysis for six years, with anemia, edema of the legs and a "
            "hemoglobin of 9.1 g/dL. Ischemic ulcers with a hematoma and gray discoloration were seen at our center. "
            "Pediatric colleagues were not involved; the esophagus was normal; leukocytes were raised. "
            "Hospitalization followed, and the tumor board was not consulted.")
UK_WORDS = re.compile(r"\b(haemo\w*|anaem\w*|oedem\w*|ischaem\w*|haemat\w*|paediat\w*|oesophag\w*|leucocyt\w*|"
                      r"hospitalis\w*|tumour\w*|centre\w*|colour\w*|grey)\b", re.I)
US_WORDS = re.compile(r"\b(hemo\w*|anem\w*|edem\w*|ischem\w*|hemat\w*|pediat\w*|esophag\w*|leukocyt\w*|"
                      r"hospitaliz\w*|tumor|tumors|center\w*|color|colors|gray)\b", re.I)
JOURNALS = sorted(p.stem for p in catalogue.resource_path("journals").glob("*.json"))


def _manuscript_text(case, journal: str) -> str:
    from desktop.report import photos
    from desktop.report.build import build
    with photos.make_pool() as pool:
        built = build(case, pool, draft=True, identified=False, include_assessment=False, journal=journal)
    return " ".join(all_text(built.blocks))


@pytest.mark.parametrize("journal", JOURNALS)
def test_a_manuscript_in_either_spelling_comes_out_in_one_variant_per_journal_profile(journal):
    from helpers import full_case
    for prose, mine, other, variant in ((UK_PROSE, UK_WORDS, US_WORDS, "UK"), (US_PROSE, US_WORDS, UK_WORDS, "US")):
        case = full_case()
        case.figures = []
        case.manuscript.introduction = prose
        case.manuscript.discussion = prose.replace("The patient", "Our patient")
        case.manuscript.references = []
        assert variant_of([prose]) == variant
        text = _manuscript_text(case, journal)
        assert mine.search(text), f"{journal}: the author's {variant} spelling is gone"
        stray = sorted({m.group(0).lower() for m in other.finditer(text)})
        assert not stray, f"{journal}: a {variant} manuscript prints the other variant: {stray}"
