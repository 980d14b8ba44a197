"""A cover-letter draft for a submission, built only from what the case records: the title, the
article type, what is new in the authors' own words (the introduction's last paragraph, where a case
report says why it is reported) and the declarations as recorded. Casebook adds no claim of its own:
the letter's connecting sentences state only what the package holds, and every part the authors have
not recorded is a visible "[to do: …]" for them to write."""
from __future__ import annotations

from ..model import Case
from .back_matter import contributions_text
from .consent import consent_statement
from .required import placeholder
from .text import paragraph_texts, plain

ARTICLE_TYPE = "Case report"


def _declared(label: str, text: str) -> list[str]:
    paras = paragraph_texts(text)
    return [f"{label}: " + " ".join(paras) if paras else f"{label}: {placeholder(label.lower())}"]


def cover_letter(case: Case, journal_name: str, title: str) -> str:
    """The draft, as plain text. ``case`` is the de-identified case the manuscript was made from."""
    n = case.manuscript
    intro = paragraph_texts(n.introduction)
    authors = [plain(a.name) for a in case.authors if plain(a.name)]
    corresponding = next((plain(a.name) for a in case.authors if a.corresponding and plain(a.name)),
                         authors[0] if authors else "")
    lines = ["COVER LETTER — DRAFT (Casebook wrote it from the case record; edit it before sending)", "",
             f"To the Editor, {journal_name}", "",
             f"Please find enclosed our manuscript “{title}”, which we submit for consideration as a "
             f"{ARTICLE_TYPE.lower()} in {journal_name}.", "",
             "What this case report adds (from the manuscript's introduction):"]
    lines.append(intro[-1] if intro else placeholder("what is new: write the introduction"))
    conclusions = paragraph_texts(n.conclusions)
    if conclusions:
        lines += ["", "The manuscript concludes:", conclusions[0]]
    lines += ["", "Declarations (as stated in the manuscript):"]
    lines += _declared("Ethics approval and consent to participate", n.ethics)
    lines.append("Consent for publication: " + (consent_statement(case.consent) if case.consent.recorded
                                                else placeholder("consent for publication")))
    lines += _declared("Availability of data and materials", n.data_availability)
    lines += _declared("Competing interests", n.competing_interests)
    lines += _declared("Funding", n.funding)
    lines += _declared("Authors' contributions", contributions_text(case))
    lines += ["", "Yours sincerely,", corresponding or placeholder("corresponding author")]
    if len(authors) > 1:
        lines.append("on behalf of all authors: " + ", ".join(authors))
    return "\n".join(lines) + "\n"
