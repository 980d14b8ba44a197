"""The one exception a cancelled long operation raises, for the operations layer and the window alike.

It lives outside both packages so the window can know it at start-up without importing the
operations layer (which loads the model and the store): desktop.app.progress raises it, and the
window's workers take it for a cancel, never for an error.
"""
from __future__ import annotations


class Cancelled(Exception):
    """The user cancelled the operation; nothing it would have written was written."""
