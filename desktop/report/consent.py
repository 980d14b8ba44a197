"""The consent-for-publication statement, generated from the case's consent record.

Wording follows the Journal of Medical Case Reports form (shared/domain/case-reports.md §1): consent
comes from the patient, or from the next of kin (for a deceased patient); images are mentioned only
when the consent covers them.
"""
from __future__ import annotations

from ..model import Consent

NO_CONSENT = ("No consent for publication has been recorded for this case. This draft must not be "
              "submitted until written consent is obtained and recorded.")


def consent_statement(consent: Consent, *, identified: bool = False) -> str:
    if not consent.recorded:
        return NO_CONSENT
    who = "the patient" if consent.given_by == "patient" else "the patient's next of kin"
    what = "this case report and any accompanying images" if consent.covers_images else "this case report"
    text = (f"Written informed consent was obtained from {who} for publication of {what}. "
            "A copy of the written consent is available for review by the Editor-in-Chief of this journal.")
    if identified and consent.date:
        text += f" (Consent signed {consent.date}.)"
    return text


def faces_unconfirmed(case) -> list[tuple[int, object]]:
    """(position in the case, from 1; figure) of each image bound for the report that the face
    detector flagged (``Figure.may_show_face``, desktop.privacy.faces) and whose consent the author
    has not confirmed (``Figure.consent_covers_image``): a final export is refused while any is left,
    a draft shows a placeholder instead of the image (issue 13)."""
    return [(i, m) for i, m in enumerate(case.figures, 1)
            if m.in_report and (m.mime or "").startswith("image/") and face_unconfirmed(m)]


def faces_refusal(unconfirmed: list[tuple[int, object]], *, report: bool = True) -> str:
    """The refusal of a final export listing the images that may show a face without a confirmed consent."""
    items = "; ".join(f"image {i} ({(m.caption or 'no caption').strip()[:60]})" for i, m in unconfirmed)
    how = ("take it out of the report, or make a draft (--draft), which shows a placeholder instead" if report
           else "or export an identified copy for your own records")
    return ("These images may show a face, and it is not confirmed that the consent for publication covers "
            f"them: {items}. Confirm “Consent covers this image” for each (Figures), {how}.")


def face_unconfirmed(m) -> bool:
    """The image may show a face and the author has not confirmed that the consent covers it."""
    return bool(m.may_show_face and not m.consent_covers_image)


def face_placeholder(caption: str) -> str:
    """The visible mark a draft prints instead of an image that may show a face, consent unconfirmed."""
    what = f"the image “{caption.strip()[:60]}”" if caption.strip() else "an image"
    return (f"[to do: {what} may show a face; confirm that the consent for publication covers it "
            "— left out of this draft]")
