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
    # PMC6089724 (a published case): "aluminum hydroxide 2 tablets thrice daily"; an aluminium-containing
    # phosphate binder (KDIGO 2017 CKD-MBD, recommendation 4.1.6), ATC A02AB01
    ("aluminum hydroxide", "non-calcium-binder", "non-calcium-binder"),
    ("aluminium hydroxide", "non-calcium-binder", "non-calcium-binder"),
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
    # Pujar & Spinello, Int Arch Med 2009;2:22: "Her current medications included Vicodin, Actos,
    # insulin and albuterol HFA" (Vicodin: hydrocodone with paracetamol, an opioid analgesic, ATC N02A)
    ("Vicodin", "analgesic", "analgesic"),
    ("hydrocodone/acetaminophen 5/325 mg", "analgesic", "analgesic"),
    ("insulin", "insulin", None),
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


# --- a treatment named by its class, a procedure or a therapy (treatment_terms.json) -------------------

@pytest.mark.parametrize("typed, kind, med, trt", [
    # as the public set's sources print them (tests/cases), and the classes those cases record
    ("antibiotics", "drug", "antibiotic", "antibiotic"),
    ("an appropriate antibiotic regimen", "drug", "antibiotic", "antibiotic"),
    ("analgesics", "drug", "analgesic", "analgesic"),
    ("steroid therapy", "drug", "corticosteroid", None),
    ("systemic corticosteroids", "drug", "corticosteroid", None),
    ("non-calcium-containing binders", "drug", "non-calcium-binder", "non-calcium-binder"),
    ("urgent parathyroidectomy", "procedure", None, "parathyroidectomy"),
    ("subtotal parathyroidectomy", "procedure", None, "parathyroidectomy"),
    ("parathyroidectomy (three glands)", "procedure", None, "parathyroidectomy"),
    ("wound debridement", "procedure", None, "debridement"),
    ("hyperbaric oxygen sessions", "procedure", None, "hyperbaric-oxygen"),
    ("outpatient local wound care", "other", None, "wound-care"),
    ("partial penectomy", "procedure", None, "penectomy"),
    ("daily hemodialysis", "procedure", None, "dialysis-change"),
    # PMC3267275 (leg ulcers, 2012): "Standard treatment with antibiotics, wound excision and additional
    # treatment with hyperbaric oxygen"
    ("wound excision", "procedure", None, "debridement"),
    ("hyperbaric oxygen", "procedure", None, "hyperbaric-oxygen"),
    # Pliquett et al., BMC Nephrol 2003;4:8: "After failure of surgical debridements, multiple courses of
    # sterile-maggot therapy were introduced" — a plural, and a debridement by larvae that is not surgical
    ("surgical debridements", "procedure", None, "debridement"),
    # CMAJ 2011;183(16):1882 (an 82-year-old man on hemodialysis): "Surgical débridement was performed"
    ("Surgical débridement", "procedure", None, "debridement"),
    ("multiple courses of sterile-maggot therapy", "other", None, "wound-care"),
])
def test_a_class_procedure_or_therapy_gets_its_kind_and_class(typed, kind, med, trt):
    assert drugs.lookup(typed) is None  # not a drug's name
    t = drugs.lookup_term(typed)
    assert t is not None, typed
    assert (t.kind, t.medication_class, t.treatment_class) == (kind, med, trt)


@pytest.mark.parametrize("typed", ["daily high-flow supplemental oxygen", "conservative management", "cyclosporine",
                                   "excision of the parathyroid adenoma", "medical treatment", ""])
def test_what_names_no_class_procedure_or_therapy_gets_no_term(typed):
    """Oxygen that is not hyperbaric, an excision that is not of the wound: no guess (the public set
    records them as "other")."""
    assert drugs.lookup_term(typed) is None


def test_every_term_names_catalogue_classes_a_kind_and_what_it_is():
    data = json.loads(catalogue.resource_path("catalogues", "treatment_terms.json").read_text("utf-8"))
    assert data["source"] and "ATC" in data["source"] and "calciphylaxis.md" in data["source"]
    meds, trts = set(catalogue.medication_classes()), set(catalogue.treatment_classes())
    for t in data["terms"]:
        assert t["kind"] in ("drug", "procedure", "other"), t["name"]
        assert t["medication_class"] is None or t["medication_class"] in meds, t["name"]
        assert t["treatment_class"] is None or t["treatment_class"] in trts, t["name"]
        assert t["medication_class"] or t["treatment_class"], t["name"]
        assert t["group"], t["name"]
        if t["kind"] == "drug":
            assert "ATC" in t["group"], t["name"]
    drug_keys = {drugs._key(s) for d in json.loads(catalogue.resource_path("catalogues", "drugs.json")
                                                   .read_text("utf-8"))["drugs"]
                 for s in [d["name"], *d["also"], *d["brands"]]}
    term_keys = [drugs._key(s) for t in data["terms"] for s in [t["name"], *t["also"]]]
    assert len(term_keys) == len(set(term_keys))  # one term per spelling
    assert not drug_keys & set(term_keys)  # a drug's own name is the drug catalogue's
    assert "antibiotics" in drugs.names(terms=True) and "antibiotics" not in drugs.names()


def test_the_public_set_never_contradicts_a_suggested_class():
    """Every treatment and medicine of the public set (entered from the published reports) whose name
    the catalogues know has the class the catalogues suggest — and most named classes are known."""
    from pathlib import Path
    from desktop import jsonio
    known = 0
    for path in sorted((Path(__file__).parent / "cases").glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        case = jsonio.loads(path.read_text("utf-8"))
        for t in case.treatments:
            hit = drugs.lookup(t.agent) or drugs.lookup_term(t.agent)
            if hit is not None and hit.treatment_class is not None:
                assert t.treatment_class == hit.treatment_class, (path, t.agent)
                known += 1
        for m in case.medications:
            hit = drugs.lookup(m.name) or drugs.lookup_term(m.name)
            if hit is not None and hit.medication_class is not None:
                assert m.drug_class == hit.medication_class, (path, m.name)
    assert known >= 40
