"""Where a lesion is, in words: its site and side as the list, the map and the figures name it, and
the model's laterality for a body-map choice. No Qt."""
from __future__ import annotations

from ... import bodymap
from ...model import Lesion


def lesion_text(lesion: Lesion) -> str:
    """'left index finger pad', 'finger pad, which finger not stated (side not stated)', 'glans penis'."""
    if not lesion.site:
        return "site not recorded"
    text = bodymap.site_text(lesion.site, lesion.laterality)
    if bodymap.is_lateral(lesion.site):
        if lesion.laterality == "unspecified":
            text += " (side not stated)"
        elif lesion.laterality == "bilateral":
            text += ", both sides"
    return text


def laterality_for(site: str, laterality: str) -> str:
    """The model's laterality for a body-map choice: a region's side, 'midline' for a site that has
    none, 'unspecified' for anything else."""
    if laterality in ("left", "right", "bilateral", "midline", "unspecified"):
        if not bodymap.is_lateral(site) and laterality in ("left", "right", "bilateral"):
            return "midline"
        return laterality
    return "midline" if not bodymap.is_lateral(site) else "unspecified"
