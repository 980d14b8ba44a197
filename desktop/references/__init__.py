"""References of a manuscript, without Qt: reading what reference managers export, merging
duplicates, and citing (markers in the manuscript, numbering, the formatted list).

- :mod:`.parse` — RIS, BibTeX, CSL-JSON and PubMed/MEDLINE (.nbib) files to
  :class:`desktop.model.Reference` items; DOI and PMID kept as given, never looked up online;
- :mod:`.merge` — citation keys and duplicates (same DOI, same PMID, or same title and year);
- :mod:`.cite` — ``[@key]`` markers: found, numbered by first citation in CARE order (Vancouver),
  replaced by numbers, and the reference list in a journal's CSL style (citeproc-py).
"""
from .merge import ImportPlan, plan_import
from .parse import ParseError, Parsed, detect_format, parse_text, read_file

__all__ = ["ParseError", "Parsed", "detect_format", "parse_text", "read_file", "ImportPlan", "plan_import"]
