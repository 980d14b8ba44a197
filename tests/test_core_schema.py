"""The assessment's JSON form, its committed schema, the readable text, and the rule data files."""
from __future__ import annotations

import json

import jsonschema
import pytest

from desktop import catalogue
from desktop.codec import from_plain
from desktop.core import assess
from desktop.core.rulebook import citations, instruments, rules, tier_data
from desktop.core.text import assessment_schema, assessment_to_json, format_assessment
from desktop.core.types import Assessment
from desktop.demo import load_demo


@pytest.fixture(scope="module")
def demo_assessment():
    return assess(load_demo())


def test_committed_schema_is_current():
    committed = json.loads(catalogue.resource_path("schema", "assessment.schema.json").read_text("utf-8"))
    assert committed == assessment_schema(), "run: python -m desktop.core.text"


def test_json_form_validates_and_round_trips(demo_assessment):
    text = assessment_to_json(demo_assessment)
    doc = json.loads(text)
    committed = json.loads(catalogue.resource_path("schema", "assessment.schema.json").read_text("utf-8"))
    jsonschema.validate(doc, committed)
    assert from_plain(Assessment, doc) == demo_assessment
    assert text.endswith("\n") and "\\u" not in text  # UTF-8, not escaped
    assert doc["tier"]["tier"] == "clinical"


def test_readable_text_has_every_part(demo_assessment):
    text = format_assessment(demo_assessment)
    for heading in ("FINDINGS", "CRITICAL", "WARNING", "NOTICE", "INFO", "DERIVED VALUES",
                    "DIAGNOSTIC TIER (2023 consensus): clinical", "CARE CHECKLIST", "SOURCES"):
        assert heading in text
    assert text.index("CRITICAL") < text.index("WARNING") < text.index("NOTICE") < text.index("INFO")
    assert "Albumin-corrected calcium (Payne), derived: 9.98 mg/dL (2.490 mmol/L)" in text
    assert "12 Patient perspective: missing" in text
    assert "Decision support for documentation only" in text
    # de-identified: relative days only, never a calendar date
    assert "day −61" in text
    import re
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text)


def test_rule_data_is_consistent():
    data = catalogue.load_json("rules", "rules.json")
    keys = citations()
    for r in data["rules"]:
        assert r["category"] in data["categories"] and r["severity"] in data["severities"]
        for c in r.get("citations", []) + [c for cs in r.get("citations_for", {}).values() for c in cs]:
            assert c["key"] in keys, (r["id"], c["key"])
            assert c["confidence"] in ("V", "S"), (r["id"], c)  # never [U]
        assert r["messages"], r["id"]
    for key, c in keys.items():
        assert c["confidence"] in ("V", "S") and c["text"].strip(), key
    assert len(rules()) == len(data["rules"])
    assert tier_data()["citation"] in keys
    assert instruments()["push"]["citation"] in keys and instruments()["bwat_cua"]["citation"] in keys


def test_rule_thresholds_carry_units():
    for r in rules().values():
        for name, spec in r.thresholds.items():
            if isinstance(spec, dict) and "value" in spec:
                assert spec.get("unit"), (r.id, name)


def test_required_rule_ids_exist():
    required = {
        "ca-p-high-before-onset", "ca-p-above-goal", "ca-p-at-goal", "hypoalbuminaemia", "female-sex", "warfarin",
        "calcium-binder", "active-vitamin-d", "diabetes", "insulin-injections", "obesity", "corticosteroids",
        "long-dialysis-vintage", "peritoneal-dialysis", "kidney-transplant", "malignancy", "autoimmune",
        "thrombophilia", "hyperphosphataemia", "hypercalcaemia", "pth-cinacalcet", "pth-parathyroidectomy-consider",
        "site-penile", "site-proximal", "site-distal", "site-upper-extremity", "ulcerated", "infection-suspected",
        "sts-not-started", "sts-regimen", "biopsy-penile-caution", "biopsy-inconclusive", "iatrogenic-trauma",
    }
    assert required <= set(rules())
    categories = {r.category for r in rules().values()}
    assert categories == {"diagnosis", "risk", "prognosis", "management", "data_quality", "reporting"}


def test_reference_values_come_from_resources_as_the_domain_file_gives_them():
    """Ca×P above 70 mg²/dL² is a risk factor and below 55 the goal (domain file §2, §4); PUSH 3.0
    totals 0–17 and BWAT-CUA shows its six verified items only (§6)."""
    from desktop.core.reference import bwat_items, ca_p_lines, push_max
    risk, goal = ca_p_lines()
    assert (risk.value, risk.unit, risk.role) == (70.0, "mg²/dL²", "risk") and "Weenig 2007" in risk.source
    assert (goal.value, goal.unit, goal.role) == (55.0, "mg²/dL²", "goal") and "KDOQI 2003" in goal.source
    assert push_max() == 17
    assert len(bwat_items()) == 6


def test_instrument_anchors_as_the_sources_give_them():
    """BWAT-CUA Table 1 (Diagnostics 2021;11:730): 1 best to 5 worst; PUSH 3.0 (domain file §6)."""
    from desktop.core.reference import bwat_anchors, bwat_items, push_anchors
    for field, _label in bwat_items():
        assert sorted(bwat_anchors(field)) == [1, 2, 3, 4, 5]
    assert bwat_anchors("necrotic_tissue_type")[1] == "none visible"
    assert "hard" in bwat_anchors("necrotic_tissue_type")[5]
    assert "purulent" in bwat_anchors("exudate_type")[5]
    assert sorted(push_anchors("tissue_type")) == [0, 1, 2, 3, 4] and push_anchors("tissue_type")[4].startswith("necrotic")
    assert push_anchors("exudate_amount") == {0: "none", 1: "light", 2: "moderate", 3: "heavy"}
    assert push_anchors("area_cm2")[10] == "> 24.0"
