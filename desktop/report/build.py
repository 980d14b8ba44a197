"""From a case to the case report's content: the steps every writer of the report shares (the
PDF, ``desktop.report.pdf``; the Word manuscript, ``desktop.interop.docx``), so both refuse the
same cases, de-identify the same way and print the same manuscript.

- No recorded consent for publication: refused (:class:`ReportRefused`) unless ``draft``; so is an
  image that may show a face whose consent the author has not confirmed (a draft shows a placeholder).
- De-identified by default: the content is built from the de-identified case, so identifiers and
  calendar dates never reach it; ``identified=True`` (the author's own records) builds from the
  case itself.
"""
from __future__ import annotations

import copy
import dataclasses
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Callable

from ..model import Case
from . import fonts
from .appendix import appendix_a, appendix_b
from .consent import faces_refusal, faces_unconfirmed
from .content import Block
from .context import Ctx
from .errors import ReportRefused
from .figures import presubmit_photos
from .front_matter import title_text
from .manuscript import manuscript
from .required import missing_parts, refusal
from .text import plain

DRAFT_MARK = "DRAFT — NOT FOR SUBMISSION"
IDENTIFIED_MARK = "IDENTIFIED — contains patient identifiers and dates — author's records only"
REFUSED = ("No consent for publication is recorded for this case, so no report can be made for submission. "
           "Record the consent (who gave it, and whether it covers images), or make a draft (--draft), "
           "which is marked “DRAFT — NOT FOR SUBMISSION” on every page.")


@dataclass
class Built:
    source: Case  # what the content was built from: the de-identified case unless identified
    ctx: Ctx
    blocks: list[Block]
    title: str  # in the manuscript's spelling variant, as its heading prints it
    running_title: str  # the page headers' (the short title, else the title), in that variant too


def refuse_without_consent(case: Case, draft: bool, journal: str | None = None) -> None:
    """A final (non-draft) report needs the consent for publication and every part the journal
    requires (``desktop.report.required``: the profile's list); the refusal lists what is missing."""
    if draft:
        return
    if not case.consent.recorded:
        raise ReportRefused(REFUSED)
    missing = missing_parts(case, journal)
    faces = faces_unconfirmed(case)  # issue 13: an image that may show a face needs its consent confirmed
    if missing or faces:
        raise ReportRefused("\n".join(([refusal(missing, journal)] if missing else []) + ([faces_refusal(faces)] if faces else [])))


def deidentified(case: Case, deidentify: Callable[..., Case], id_map: dict[str, str] | None = None) -> Case:
    """``deidentify(case)`` without handing it the image bytes, which are put back afterwards on
    the images it keeps. deidentify would re-encode every photo at full size (to strip metadata)
    only for the report to decode it once more; the report re-encodes each kept image from its
    pixels alone (:func:`desktop.report.photos.prepare`), which drops the same metadata, and an
    unreadable image then fails with a message naming its figure instead of vanishing."""
    originals = {m.id: m.data for m in case.figures}
    light = copy.copy(case)
    light.figures = [dataclasses.replace(m, data=None) for m in case.figures]
    ids: dict[str, str] = {} if id_map is None else id_map
    out = deidentify(light, id_map=ids)  # ids become opaque: match the bytes through the map
    back = {new: old for old, new in ids.items()}
    for m in out.figures:
        m.data = originals.get(back.get(m.id, m.id))
    return out


def build(case: Case, pool: Executor, *, draft: bool, identified: bool, include_assessment: bool,
          paginated: bool = True, deidentify: Callable[[Case], Case] | None = None,
          progress: Callable[[float], None] | None = None, journal: str | None = None) -> Built:
    """The content of the case report of ``case``: the manuscript, Appendix A (the assessment) when
    ``include_assessment``, and Appendix B (the CARE checklist; with pages when ``paginated``).
    Photos are prepared on ``pool``. Raises :class:`ReportRefused` without consent unless ``draft``."""
    refuse_without_consent(case, draft, journal)
    from ..core import assess  # the assessment core
    fonts.register()  # the figures measure their text in the report fonts
    if deidentify is None:
        from ..privacy.deidentify import deidentify
    # the photos decode on the pool while the case is de-identified, assessed and laid out
    prepared = presubmit_photos(case, identified, pool)
    if identified:
        src = case
    else:
        id_map: dict[str, str] = {}
        src = deidentified(case, deidentify, id_map)
        prepared = {id_map.get(k, k): v for k, v in prepared.items()}
    assessment = assess(src)
    src, reference_list = cited(src, journal)
    if progress:
        progress(0.05)
    ctx = Ctx(src, identified, assessment, pool, prepared=prepared, draft=draft)
    ctx.reference_list = reference_list
    ctx.journal = journal
    if journal and not identified:
        from ..privacy.journal_anonymise import AGE, rule_ids
        ctx.age_in_decades = AGE in rule_ids(journal)
    blocks = manuscript(ctx, draft=draft)
    letters = iter("ABC")
    if include_assessment:
        blocks += appendix_a(ctx, next(letters))
    blocks += appendix_b(ctx, next(letters), paginated=paginated)
    from . import editing
    from .manuscript import manuscript_texts
    variant = editing.variant_of(manuscript_texts(src))
    title = editing.spell(title_text(src, journal), variant)
    return Built(src, ctx, blocks, title, editing.spell(plain(src.short_title), variant) or title)


def cited(case: Case, journal_id: str | None = None) -> tuple[Case, list[str]]:
    """The case with its ``[@key]`` citation markers replaced by numbers in the order of first
    citation (Vancouver), and its reference list in the journal's CSL style, each entry numbered.
    A case without reference items is returned as it is, with no list."""
    if not case.references:
        return case, []
    import dataclasses

    from ..journals import DEFAULT_JOURNAL, journal
    from ..references.cite import format_bibliography, list_label, number_citations, replace_markers
    j = journal(journal_id or DEFAULT_JOURNAL)
    numbering = number_citations(case)
    if not numbering.cited:
        return case, []
    texts = {f.name: replace_markers(getattr(case.manuscript, f.name), numbering, j.citation_format)
             for f in dataclasses.fields(case.manuscript) if isinstance(getattr(case.manuscript, f.name), str)}
    out = dataclasses.replace(case, manuscript=dataclasses.replace(case.manuscript, **texts))
    label = list_label(j.csl_style)
    entries = format_bibliography(numbering.cited, j.csl_style)
    return out, [label.format(n) + entry for n, entry in enumerate(entries, 1)]


def image_warnings(case: Case, built: Built, identified: bool) -> list[str]:
    """Images the report leaves out, said so the author knows."""
    warnings = []
    left_out = [m for m in case.figures if m.in_report and m.identifying and not identified
                and not case.consent.covers_images]
    if left_out:
        warnings.append(f"{len(left_out)} identifying image(s) left out: the consent for publication does not "
                        "cover images.")
    not_images = [m for m in built.source.figures if m.in_report and not (m.mime or "").startswith("image/")]
    if not_images:
        warnings.append(f"{len(not_images)} attachment(s) are not images ({', '.join(sorted({m.mime for m in not_images}))}) "
                        "and are not in the report.")
    return warnings


def author_names(case: Case) -> list[str]:
    return [plain(a.name) for a in case.authors if plain(a.name)]


def keywords(case: Case) -> list[str]:
    return [plain(k) for k in case.keywords if plain(k)]
