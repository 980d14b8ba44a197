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
