"""Drug names to classes (resources/catalogues/drugs.json): the class Casebook suggests when the
author types a medicine or a treatment, so that the assessment sees a warfarin typed as "Coumadin
5 mg" as a vitamin K antagonist. A treatment named by its class or a procedure ("antibiotics",
"subtotal parathyroidectomy", "hyperbaric oxygen sessions") gets its kind and class from
resources/catalogues/treatment_terms.json (:func:`lookup_term`). The author can always change them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Callable, TypeVar

from .catalogue import load_json, singular_forms

T = TypeVar("T")


@dataclass(frozen=True)
class Drug:
    name: str  # the generic name, as the catalogue spells it
    medication_class: str | None  # medication_classes.json code, or None
    treatment_class: str | None  # treatment_classes.json code, or None
    atc_group: str


def _key(text: str) -> str:
    # accents are not part of the name: "Surgical débridement" (CMAJ 2011) is surgical debridement
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.lower().replace("‐", "-").replace("–", "-")
    text = re.sub(r"[®™]", "", text)
    text = re.sub(r"[-/+]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _spellings(file: str, entries: str, make: Callable[[dict], T]) -> tuple[dict[str, T], list[str]]:
    """A catalogue's entries by each spelling's key (name, other spellings, brands), and every
    spelling in alphabetical order (for completion)."""
    by_key: dict[str, T] = {}
    names: list[str] = []
    for e in load_json("catalogues", file)[entries]:
        item = make(e)
        for spelling in [e["name"], *e["also"], *e.get("brands", [])]:
            by_key.setdefault(_key(spelling), item)
            names.append(spelling)
    return by_key, sorted(set(names), key=str.lower)


@cache
def _index() -> tuple[dict[str, Drug], list[str]]:
    return _spellings("drugs.json", "drugs",
                      lambda d: Drug(d["name"], d["medication_class"], d["treatment_class"], d["atc_group"]))


# what may follow a name: a strength, a form or a route ("5 mg", "tablets", "i.v.", "(Coumadin)")
_TAIL = re.compile(r"^(?P<name>.*?)(?:\s*\(.*\)|\s+\d[\d.,]*\s*\S*.*|\s+(?:tablets?|capsules?|injection|"
                   r"infusion|oral|iv|i\.v\.|sc|s\.c\.|po|cream|solution)\b.*)?$", re.IGNORECASE)


def lookup(text: str) -> Drug | None:
    """The catalogue's drug for a name as typed ("Warfarin 5 mg", "sevelamer carbonate",
    "Renvela", "amoxicillin/clavulanic acid"), or None when it is not known."""
    by_key, _ = _index()
    key = _key(text)
    if key in by_key:
        return by_key[key]
    m = _TAIL.match(text.strip())
    if m and _key(m.group("name")) in by_key:
        return by_key[_key(m.group("name"))]
    words = key.split()
    for n in range(len(words) - 1, 0, -1):  # "sevelamer carbonate 800" -> "sevelamer carbonate" -> "sevelamer"
        if " ".join(words[:n]) in by_key:
            return by_key[" ".join(words[:n])]
    return None


@dataclass(frozen=True)
class Term:
    name: str  # as the catalogue spells it ("antibiotics", "parathyroidectomy")
    kind: str  # a treatment's kind: "drug", "procedure" or "other"
    medication_class: str | None  # medication_classes.json code, or None
    treatment_class: str | None  # treatment_classes.json code, or None


@cache
def _terms() -> tuple[dict[str, Term], list[str]]:
    return _spellings("treatment_terms.json", "terms",
                      lambda t: Term(t["name"], t["kind"], t["medication_class"], t["treatment_class"]))


def lookup_term(text: str) -> Term | None:
    """The catalogue's term for a treatment or medicine named by its class, a procedure or a therapy
    ("IV antibiotics", "urgent parathyroidectomy", "excision of necrotic tissue", "steroid therapy"):
    the longest name of the catalogue found, as whole words, in what was typed; None if there is none."""
    by_key, _ = _terms()
    words = _key(text).split()
    for size in range(len(words), 0, -1):  # the longest first: "wound debridement" before "debridement"
        for start in range(len(words) - size + 1):
            *head, last = words[start:start + size]
            # a plural names the same thing: "surgical debridements" (Pliquett et al., BMC Nephrol 2003)
            for form in (last, *singular_forms(last)):
                term = by_key.get(" ".join([*head, form]))
                if term is not None:
                    return term
    return None


def names(terms: bool = False) -> list[str]:
    """Every spelling the catalogue knows (generic, other spellings, brands): for completion;
    ``terms``: with the class, procedure and therapy names (a treatment's name)."""
    spellings = list(_index()[1])
    if terms:
        spellings = sorted(set(spellings) | set(_terms()[1]), key=str.lower)
    return spellings
