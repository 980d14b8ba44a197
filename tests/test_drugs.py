"""The drug-name catalogue: the class of a medicine or a treatment as authors type it. Expected
classes follow the WHO ATC groups and the domain reference's classes (calciphylaxis.md)."""
import json

import pytest

from desktop import catalogue, drugs


@pytest.mark.parametrize("typed, med, trt", [
    ("warfarin", "vitamin-k-antagonist", None),  # the medication list's own example (issue 16)
    ("Warfarin 5 mg daily", "vitamin-k-antagonist", None),
    ("Coumadin", "vitamin-k-antagonist", None),
    ("acenocoumarol", "vitamin-k-antagonist", None),
    ("apixaban", "anticoagulant-other", None),
    ("enoxaparin 40 mg s.c.", "anticoagulant-other", None),
    ("sodium thiosulfate", None, "sodium-thiosulfate"),
    ("Sodium thiosulphate 25 g i.v.", None, "sodium-thiosulfate"),
    ("sevelamer", "non-calcium-binder", "non-calcium-binder"),
    ("sevelamer carbonate 800 mg", "non-calcium-binder", "non-calcium-binder"),
    ("Renvela", "non-calcium-binder", "non-calcium-binder"),
    ("calcium acetate", "calcium-binder", None),
    ("calcitriol", "active-vitamin-d", None),
    ("cholecalciferol", "nutritional-vitamin-d", None),
    ("cinacalcet", "calcimimetic", "calcimimetic"),
    ("prednisone", "corticosteroid", None),
    ("tacrolimus", "immunosuppressant", None),
    ("insulin glargine", "insulin", None),
    ("Lantus", "insulin", None),
    ("iron sucrose", "iron", None),
    ("zoledronic acid", None, "bisphosphonate"),
    ("amoxicillin/clavulanic acid", "antibiotic", "antibiotic"),
    ("Augmentin", "antibiotic", "antibiotic"),
    ("acetaminophen", "analgesic", "analgesic"),
])
def test_typed_names_get_their_class(typed, med, trt):
    d = drugs.lookup(typed)
    assert d is not None, typed
    assert (d.medication_class, d.treatment_class) == (med, trt)


def test_unknown_names_get_no_class():
    assert drugs.lookup("surgical debridement") is None
    assert drugs.lookup("hyperbaric oxygen") is None
    assert drugs.lookup("") is None


def test_every_class_is_a_catalogue_code_and_every_entry_names_its_atc_group():
    data = json.loads(catalogue.resource_path("catalogues", "drugs.json").read_text("utf-8"))
    assert data["source"] and "ATC" in data["source"]
    meds, trts = set(catalogue.medication_classes()), set(catalogue.treatment_classes())
    for d in data["drugs"]:
        assert d["medication_class"] is None or d["medication_class"] in meds, d["name"]
        assert d["treatment_class"] is None or d["treatment_class"] in trts, d["name"]
        assert d["medication_class"] or d["treatment_class"], d["name"]
        assert d["atc_group"][:1] in "ABCDGHJLMNPRSV" and len(d["atc_group"]) >= 4, d["name"]
    assert "Coumadin" in drugs.names() and "warfarin" in drugs.names()
