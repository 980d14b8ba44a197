"""The two ways a report is declined, both with a message meant for the user."""
from __future__ import annotations


class ReportError(Exception):
    """The report cannot be made from this case as it is (e.g. a figure's image cannot be decoded).
    The message names the figure and the problem."""


class ReportRefused(ReportError):
    """The report is refused on principle: no consent for publication is recorded (use a draft)."""
