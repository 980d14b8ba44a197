"""The parts a manuscript must have before it can be exported for submission.

Until journal profiles exist (issue 12) the list is the Journal of Medical Case Reports' one
(shared/domain/journals.md: structured abstract Background / Case presentation / Conclusions,
keywords, age, sex and ethnic background in the case presentation, and the BMC declarations —
ethics approval and consent to participate, consent for publication, availability of data and
materials, competing interests, funding, authors' contributions, acknowledgements — each "as
stated by the authors": Casebook never writes one for them).

A final export missing any of them is refused with the list (:func:`missing_parts`); a draft
prints a visible placeholder for each (:func:`placeholder`).
"""
from __future__ import annotations

from ..model import Case
from .text import paragraph_texts, plain

JOURNAL = "Journal of Medical Case Reports"


def _text(value: str | None) -> bool:
    return bool(paragraph_texts(value))


def parts(case: Case) -> list[tuple[str, bool]]:
    """(name, present) for each required part, in manuscript order."""
    n, p = case.manuscript, case.patient
    return [
        ("title", bool(plain(case.title))),
        ("authors", any(plain(a.name) for a in case.authors)),
        ("abstract: background", _text(n.abstract_background)),
        ("abstract: case presentation", _text(n.abstract_case)),
        ("abstract: conclusions", _text(n.abstract_conclusions)),
        ("keywords", any(plain(k) for k in case.keywords)),
        ("background (introduction)", _text(n.introduction)),
        ("age", p.age_years is not None or p.age_over_89),
        ("sex", p.sex != "unknown"),
        ("ethnic background", bool(plain(p.ethnicity))),
        ("discussion", _text(n.discussion)),
        ("conclusions", _text(n.conclusions)),
        ("ethics approval and consent to participate", _text(n.ethics)),
        ("consent for publication", case.consent.recorded),
        ("availability of data and materials", _text(n.data_availability)),
        ("competing interests", _text(n.competing_interests)),
        ("funding", _text(n.funding)),
        ("authors' contributions", any(plain(a.contribution) for a in case.authors)),
        ("acknowledgements", _text(n.acknowledgements)),
        ("references", any(plain(r) for r in n.references)),
    ]


def missing_parts(case: Case) -> list[str]:
    return [name for name, present in parts(case) if not present]


def placeholder(name: str) -> str:
    """The visible mark a draft prints where a required part is missing."""
    return f"[to do: {name}]"


def refusal(missing: list[str]) -> str:
    return (f"The manuscript lacks parts the {JOURNAL} requires, so it cannot be exported for submission: "
            + "; ".join(missing) + ". Record them (write “Not applicable.” where one does not apply), "
            "or make a draft (--draft), which shows a placeholder for each.")
