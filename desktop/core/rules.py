"""The rules: each function reads the shared context and returns the findings of one or a few
related rule ids. Thresholds, wording and citations come from resources/rules/rules.json.

They live by what they are about: lab_rules (Ca×P product, reference ranges, PTH), patient_rules
(sex, comorbidities, medicines, dialysis), lesion_rules (sites, ulceration, infection, biopsy,
iatrogenic trauma), treatment_rules (sodium thiosulfate), reporting_rules (differentials, consent,
obesity), citing and quality. This module holds their order, ``CHECKS``; their names stay
importable from here.

Messages restate what the sources say against the recorded data; they never tell the reader what
to do for this patient ("the seed advises…", "may be considered").
"""
from __future__ import annotations

from collections.abc import Callable

from . import citing
from . import quality
from .context import Context
from .derived import Derived
from .lab_rules import abnormal, band_text, ca_p, lab_range_rule, pth, pth_choice, range_summary  # noqa: F401
from .lesion_rules import _site_rule, biopsy, grade, iatrogenic, infection, ulcerated  # noqa: F401
from .patient_rules import _comorbidity_rule, _med_rule, female_sex, long_vintage, peritoneal, transplant
from .reporting_rules import consent, diabetes_not_recorded, differentials, obesity_not_recorded
from .treatment_rules import sts
from .types import Finding


# --- the rule list, in the order findings of equal severity are shown ----------------------------

CHECKS: list[Callable[[Context, Derived], list[Finding]]] = [
    ca_p,
    lab_range_rule("hypoalbuminaemia", ["albumin"], "L"),
    female_sex,
    _med_rule("warfarin"),
    _med_rule("calcium-binder"),
    _med_rule("active-vitamin-d"),
    _comorbidity_rule("diabetes"),
    diabetes_not_recorded,
    _med_rule("insulin-injections"),
    _comorbidity_rule("obesity"),
    obesity_not_recorded,
    _med_rule("corticosteroids"),
    long_vintage,
    peritoneal,
    transplant,
    _comorbidity_rule("malignancy"),
    _comorbidity_rule("autoimmune"),
    _comorbidity_rule("liver-disease"),
    _comorbidity_rule("hyperparathyroidism"),
    _comorbidity_rule("hypervitaminosis-d"),
    _comorbidity_rule("thrombophilia"),
    lab_range_rule("hyperphosphataemia", ["phosphate"], "H"),
    lab_range_rule("hypercalcaemia", ["calcium", "calcium_ionised"], "H"),
    pth,
    _site_rule("site-penile", "site_classes", "cls"),
    _site_rule("site-proximal", "site_classes", "cls"),
    _site_rule("site-distal", "site_classes", "cls"),
    _site_rule("site-upper-extremity", "site_regions", "region"),
    ulcerated,
    infection,
    sts,
    biopsy,
    iatrogenic,
    differentials,
    citing.citation_checks,
    consent,
    quality.lab_quality,
    quality.reported_values,
    quality.lesion_quality,
    quality.event_order,
    quality.day0_unnamed,
    quality.kidney_status,
]
