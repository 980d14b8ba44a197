"""The words the manuscript uses: for the case's coded values (an event's kind, an imaging
modality, a treatment's response), for a time ("about 2 months before presentation" in running
text, "day −3" in a table) and for a lesion's site."""
from __future__ import annotations

import re

from .. import catalogue
from ..model import Lesion
from ..timing import DAYS_PER, Placed, unit_for_length
from .text import plain


EVENT_KIND = {
    "symptom_onset": "Symptom onset", "lesion_onset": "Lesion onset", "presentation": "Presentation",
    "examination": "Examination", "laboratory": "Laboratory", "imaging": "Imaging", "biopsy": "Biopsy",
    "procedure": "Procedure", "treatment_start": "Treatment start", "treatment_change": "Treatment change",
    "treatment_stop": "Treatment stop", "complication": "Complication", "recurrence": "Recurrence",
    "discharge": "Discharge", "follow_up": "Follow-up", "death": "Death", "other": "Other",
}
IMAGING = {"ct": "Computed tomography", "xray": "Radiograph", "mammography": "Mammography",
           "ultrasound": "Ultrasound", "mri": "Magnetic resonance imaging",
           "bone_scintigraphy": "Bone scintigraphy", "other": "Imaging"}
RESPONSE = {"improved": "Improved", "stable": "Stable", "no_improvement": "No improvement",
            "worsened": "Worsened", "not_assessed": "Not assessed"}
BIOPSY = {"confirmed": "confirmed calciphylaxis", "inconclusive": "inconclusive", "negative": "negative for calciphylaxis",
          "not_done": "not done", "planned": "planned"}
DIAG_BASIS = {"clinical": "clinical diagnosis", "biopsy": "diagnosis confirmed by biopsy",
              "imaging": "diagnosis supported by imaging", "not_stated": "diagnosis of calciphylaxis",
              "not_made": "no diagnosis recorded"}
TRI = {"yes": "yes", "no": "no", "unknown": "not recorded"}
DIALYSIS = {"none": "no dialysis", "haemodialysis": "haemodialysis", "peritoneal": "peritoneal dialysis"}
DIALYSIS_CTX = {"pre": "pre-dialysis", "post": "post-dialysis"}
OUTCOME = {"alive": "Alive", "dead": "Died", "lost_to_follow_up": "Lost to follow-up", "unknown": "Not recorded"}
HEALING = {"healed": "Healed", "improved": "Improved", "unchanged": "Unchanged", "worsened": "Worsened",
           "unknown": "Not recorded"}


INDEX_NAME = {"presentation": "presentation", "examination": "examination", "laboratory": "the index test",
              "imaging": "the index imaging", "biopsy": "biopsy", "procedure": "the index procedure",
              "treatment_start": "the start of treatment", "discharge": "discharge", "follow_up": "follow-up",
              "symptom_onset": "symptom onset", "lesion_onset": "lesion onset"}


MORPHOLOGY = {"violaceous_discolouration": "violaceous discolouration",
              "red_black_discolouration": "red-black discolouration", "retiform_purpura": "retiform purpura"}
NATURE = {"calciphylaxis": "calciphylaxis lesion", "calcinosis_nodule": "calcinosis nodule",
          "unrelated_ulcer": "ulcer not attributed to calciphylaxis", "scar": "scar", "other": "other finding"}
BIOPSY_GRADE = {"confirmed": "confirmed calciphylaxis", "consistent_with": "consistent with calciphylaxis",
                "inconclusive": "inconclusive", "negative": "negative for calciphylaxis", "not_done": "not done",
                "declined": "declined by the patient"}
SPECIMEN = {"skin_biopsy": "Skin biopsy", "punch_biopsy": "Punch biopsy", "deep_incisional_biopsy": "Deep incisional biopsy",
            "excisional_biopsy": "Excisional biopsy", "resection_specimen": "Resection specimen",
            "amputation_specimen": "Amputation specimen", "autopsy": "Autopsy", "other": "Specimen"}
HISTOLOGY = {"microvascular_calcification": "microvascular calcification", "intimal_fibrosis": "intimal fibrosis",
             "microthrombosis": "microthrombosis", "extravascular_calcium": "extravascular calcium deposition",
             "ischaemic_necrosis": "ischaemic necrosis", "fat_necrosis": "fat necrosis", "panniculitis": "panniculitis",
             "inflammation": "inflammation"}
QUALITATIVE = {"undetectable": "undetectable", "normal": "normal", "elevated": "elevated", "low": "low",
               "positive": "positive", "negative": "negative", "no_growth": "no growth"}
ADHERENCE = {"adherent": "adherent to dialysis", "non_adherent": "poor adherence to dialysis"}
GRAFT = {"functioning": "functioning graft", "failed": "graft failed", "removed": "graft removed"}


def morphology_words(codes) -> str:
    return ", ".join(MORPHOLOGY.get(m, m.replace("_", " ")) for m in codes)


def relative_words(placed: Placed, index: str) -> str:
    """"about 2 months before presentation": the interval in the unit the source gave it in (its
    precision: "ten weeks later" stays 10 weeks), or for a time given to the day, in the unit a
    clinician would use for its length."""
    day = placed.day
    about = "about " if placed.approximate or placed.precision != "day" else ""
    unit = placed.precision if placed.precision != "day" else unit_for_length(day)
    n = round(abs(day) / DAYS_PER[unit])
    if n == 0:
        return f"around the time of {index}" if about else f"at {index}"
    return f"{about}{n} {unit}{'' if n == 1 else 's'} {'before' if day < 0 else 'after'} {index}"


def table_time(placed: Placed | None, fallback: str = "—") -> str:
    """A time in a table or figure: the day number, "about" when it is not exact."""
    if placed is None:
        return fallback
    day = round(placed.day)
    text = f"day {'−' if day < 0 else ''}{abs(day)}"
    if placed.precision == "year" or abs(placed.day) >= 730:  # "year −11", not "day −4018"
        year = round(placed.day / 365.25)
        text = f"year {'−' if year < 0 else ''}{abs(year)}"
    return f"about {text}" if placed.approximate or placed.precision != "day" else text


def site_label(code: str) -> str:
    """The site's name at the level recorded: a fine site, or a coarse region ("thigh, aspect not
    stated", "fourth finger, part not stated")."""
    site = catalogue.sites().get(code) or catalogue.coarse_sites().get(code)
    return site.label if site else plain(code)


def site_text(lesion: Lesion) -> str:
    name = site_label(lesion.site)
    if not name:  # no catalogue site: the source's words alone ("digits (fingers or toes not stated)")
        return plain(lesion.site_detail) or "—"
    if lesion.laterality in ("left", "right"):
        name = f"{name}, {lesion.laterality}"
    elif lesion.laterality == "bilateral":
        name = f"{name}, both sides"
    if lesion.site_detail and not _says_no_more(plain(lesion.site_detail), name):
        name = f"{name} ({plain(lesion.site_detail)})"
    return name


_FILLER = {"the", "of", "on", "and", "a", "an", "aspect", "side", "sides", "region", "area", "surface", "part"}
_SAME = {"bilateral": "both", "anterior": "front", "posterior": "back"}


def _site_words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {_SAME.get(w, w).removesuffix("s") for w in words if w not in _FILLER}


def _says_no_more(detail: str, name: str) -> bool:
    """Whether the author's site detail only repeats the site's name and side ("right thigh" beside
    "thigh, anterior, right"), so it is not printed again in brackets."""
    words = _site_words(detail)
    return bool(words) and words <= _site_words(name)
