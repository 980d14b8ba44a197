"""The parts a manuscript must have before it can be exported for submission.

Which parts, is the journal profile's ``required_parts`` (resources/journals/): the Journal of
Medical Case Reports' list (shared/domain/journals.md: structured abstract Background / Case
presentation / Conclusions, keywords, age, sex and ethnic background in the case presentation,
and the BMC declarations — ethics approval and consent to participate, consent for publication,
availability of data and materials, competing interests, funding, authors' contributions,
acknowledgements — each "as stated by the authors": Casebook never writes one for them); for a
journal whose own list is not verified, the CARE checklist's (title, keywords, abstract,
introduction, demographics, discussion and take-away lessons, informed consent).

A final export missing any of them is refused with the list (:func:`missing_parts`); a draft
prints a visible placeholder for each (:func:`placeholder`).
"""
from __future__ import annotations

from ..model import Case
from .text import paragraph_texts, plain


def _text(value: str | None) -> bool:
    return bool(paragraph_texts(value))


def parts(case: Case) -> list[tuple[str, bool]]:
    """(name, present) for each part a journal may require, in manuscript order."""
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


def _journal(journal_id: str | None):
    from ..journals import DEFAULT_JOURNAL, journal
    return journal(journal_id or DEFAULT_JOURNAL)


def required(name: str, journal_id: str | None = None) -> bool:
    """Whether the journal (the default one when None) requires this part of a final manuscript."""
    return name in _journal(journal_id).required_parts


def missing_parts(case: Case, journal_id: str | None = None) -> list[str]:
    wanted = _journal(journal_id).required_parts
    return [name for name, present in parts(case) if name in wanted and not present]


def placeholder(name: str) -> str:
    """The visible mark a draft prints where a required part is missing."""
    return f"[to do: {name}]"


def refusal(missing: list[str], journal_id: str | None = None) -> str:
    j = _journal(journal_id)
    name = ("the " if j.name.startswith("Journal") else "") + j.name
    whose = name if j.required_parts_own else f"the CARE checklist (for {name}, whose own list is not verified)"
    return (f"The manuscript lacks parts {whose} requires, so it cannot be exported for submission: "
            + "; ".join(missing) + ". Record them (write “Not applicable.” where one does not apply), "
            "or make a draft (--draft), which shows a placeholder for each.")
