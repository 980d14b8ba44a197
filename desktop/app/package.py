"""The submission package: everything a journal's submission system asks for, in one folder, for the
window (File ▸ Export ▸ Submission package) and the command line (``casebook package``) alike.

    read the case → identifier scan → manuscript checks → the journal's anonymisation →
    manuscript PDF and DOCX → figures, legends, CARE checklist, consent, cover letter → manifest

The first steps are the export pipeline's own (:mod:`desktop.app.export`: the same scan with the
same confirmations, ``redact`` and refusals; a manuscript without consent or declarations, or one
that breaks a hard rule of the journal's profile, is refused). Every text in the package comes from
the case after the one de-identification step (:func:`desktop.privacy.deidentify.deidentify`, run
by the report writers), every image through the one image-cleaning step.

Files: ``manuscript.pdf`` and ``manuscript.docx``; ``figure-N.<ext>``, each figure of the manuscript
in the first format of the journal's profile Casebook writes, at 300 dpi; ``figure-legends.txt``;
``care-checklist.pdf`` (each CARE item with the manuscript page it is reported on, the pages of the
rendered PDF); ``consent-statement.txt``; ``cover-letter-draft.txt``; and ``manifest.json``, which
lists every other file with its SHA-256 and records the data hash of the case (one hash per part of
the de-identified case, ids left out). A package made again into a folder that holds one, or with
``since`` naming the folder of the submitted one, lists the parts of the case that changed since.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..files import write_atomic
from .export import Options, Source, _read, journal_anonymised, manuscript_ready, screen
from .faces import check_unchecked
from .progress import NO_PROGRESS, check

MANIFEST = "manifest.json"
FORMAT = "casebook-submission-package"
# the parts of a case document that are not its content
_NOT_CONTENT = frozenset({"format", "version", "id", "status", "identifiers"})


class NoPreviousPackage(ValueError):
    """``since`` names a folder without a package manifest."""


@dataclass
class PackageResult:
    folder: Path
    files: list[dict] = field(default_factory=list)  # name, sha256, bytes, what
    data_hash: str = ""
    parts: dict[str, str] = field(default_factory=dict)  # part of the case -> its hash
    anonymised: list = field(default_factory=list)  # the journal's extra anonymisation, change by change
    warnings: list[str] = field(default_factory=list)
    previous: dict | None = None  # the manifest's record of the package this one revises
    changed_parts: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)


def read_manifest(folder: str | os.PathLike) -> dict | None:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise NoPreviousPackage(f"{path}: not a readable package manifest ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NoPreviousPackage(f"{path}: not a Casebook submission package manifest")
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _blank_ids(obj: Any) -> Any:
    """The document without ids (opaque and new on every export) or image bytes (hashed as files)."""
    if isinstance(obj, dict):
        return {k: ("" if k == "id" or k.endswith(("_id", "_ids")) else _blank_ids(v))
                for k, v in obj.items() if k not in ("data", "sha256")}
    if isinstance(obj, list):
        return [_blank_ids(v) for v in obj]
    return obj


def part_hashes(case) -> dict[str, str]:
    """One hash per part of ``case`` (the de-identified case): each narrative field on its own
    (``manuscript.discussion``), every other part whole (``labs``, ``patient``...)."""
    from .. import jsonio
    doc = _blank_ids(jsonio.to_document(case))
    out: dict[str, str] = {}
    for key, value in sorted(doc.items()):
        if key in _NOT_CONTENT:
            continue
        items = sorted(value.items()) if key == "manuscript" and isinstance(value, dict) else [(None, value)]
        for sub, v in items:
            name = f"{key}.{sub}" if sub else key
            out[name] = sha256(json.dumps(v, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return out


def changes_since(previous: dict, parts: dict[str, str], files: list[dict]) -> tuple[list[str], list[str]]:
    """(parts of the case that changed, files whose bytes changed or are new) since ``previous``."""
    before = previous.get("case", {}).get("parts", {})
    changed = sorted(k for k in set(before) | set(parts) if before.get(k) != parts.get(k))
    old_files = {f["name"]: f["sha256"] for f in previous.get("files", [])}
    changed_files = [f["name"] for f in files if old_files.get(f["name"]) != f["sha256"]]
    return changed, changed_files


def make_package(source: Source, out_dir: str | os.PathLike, options: Options = Options(), *,
                 since: str | os.PathLike | None = None,
                 progress: Callable[..., None] = NO_PROGRESS) -> PackageResult:
    """Write the submission package of ``source`` for the journal ``options.journal`` into
    ``out_dir``. Raises what the export pipeline raises (:class:`~desktop.app.export.PhiFound`,
    :class:`~desktop.app.export.JournalRulesBroken`, :class:`~desktop.report.errors.ReportRefused`)
    before anything is written, and :class:`NoPreviousPackage` when ``since`` holds no package."""
    if options.draft or options.identified:
        raise ValueError("a submission package is de-identified and final: no draft, no identified copy")
    out = Path(out_dir)
    previous = None
    if since is not None:
        previous = read_manifest(since)
        if previous is None:
            raise NoPreviousPackage(f"{since}: no {MANIFEST} there (the folder of a package made by Casebook)")
    existing = read_manifest(out) if (out / MANIFEST).is_file() else None
    previous = previous or existing
    with contextlib.ExitStack() as stack:
        progress(0.02, text="reading the case")
        cases, figure_of = _read([source], stack, figures=True)
        check(progress)
        # images stored before the face check (issue 13); the window's: in the face-check child
        check_unchecked(cases, figure_of, progress, use_process=options.use_process)
        (case,) = screen(cases, options, progress)
        case = manuscript_ready(case, options)
        case, anonymised = journal_anonymised(case, options)
        files, parts, warnings, title = _make_files(case, figure_of(case), options, progress)
    from .conformance import check_manuscript
    warnings[:0] = [f"{r.label}: {r.detail} (a soft rule of the {options.journal} profile)"
                    for r in check_manuscript(case, options.journal) if r.status == "warning"]
    result = PackageResult(out, anonymised=anonymised, warnings=warnings, parts=parts,
                           data_hash=sha256(json.dumps(parts, sort_keys=True).encode("utf-8")))
    progress(0.9, text="writing the package")
    out.mkdir(parents=True, exist_ok=True)
    for name, (data, what) in files.items():
        write_atomic(out / name, data)
        result.files.append({"name": name, "sha256": sha256(data), "bytes": len(data), "what": what})
    if existing is not None:  # files of the package made here before that this one no longer has
        for f in existing.get("files", []):
            name = f.get("name", "")
            if name and name not in files and Path(name).name == name and (out / name).is_file():
                (out / name).unlink()
    if previous is not None:
        result.previous = {"data_hash": previous.get("case", {}).get("data_hash", ""), "made": previous.get("made", "")}
        result.changed_parts, result.changed_files = changes_since(previous, parts, result.files)
    write_atomic(out / MANIFEST, _manifest(result, options.journal, title))
    progress(1.0, text="done")
    return result


def _make_files(case, figure_bytes: Callable[[str], bytes], options: Options,
                progress) -> tuple[dict, dict, list, str]:
    """The package's files by name, as (bytes, what the file is); the case's part hashes; warnings;
    the manuscript's title."""
    from ..journals import journal
    from ..report import photos
    from ..report.build import build
    from ..report.consent import consent_statement
    from ..report.cover_letter import cover_letter
    from ..report.submission import checklist_pdf, figure_files, legends_text, too_small, writable_formats
    from .render import render
    j = journal(options.journal)
    files: dict[str, tuple[bytes, str]] = {}
    render_opts = dict(figure_bytes=figure_bytes, use_process=options.use_process, draft=False, identified=False,
                       include_assessment=False, journal=options.journal)
    progress(0.1, text="rendering the manuscript (PDF)")
    pdf = render(case, writer="pdf", **render_opts)
    check(progress)
    progress(0.4, text="rendering the manuscript (Word)")
    docx = render(case, writer="docx", **render_opts)
    check(progress)
    files["manuscript.pdf"] = (pdf.data, f"the manuscript (PDF, {pdf.info.pages} pages)")
    files["manuscript.docx"] = (docx.data, "the manuscript (Word)")
    progress(0.7, text="figures, legends and the CARE checklist")
    import copy
    import dataclasses
    full = copy.copy(case)
    full.figures = [dataclasses.replace(m, data=m.data if m.data is not None else figure_bytes(m.id)) for m in case.figures]
    pool = photos.make_pool()
    try:
        built = build(full, pool, draft=False, identified=False, include_assessment=False, journal=options.journal)
        src = built.source  # de-identified (and anonymised for the journal), as in the manuscript
        by_id = {m.id: m.data for m in src.figures}
        figures_spec = j.data.get("figures") or {}
        wanted = figures_spec.get("value") or {}
        formats = writable_formats(wanted.get("formats"))
        max_bytes = int(wanted["max_file_mb"] * 1_000_000) if wanted.get("max_file_mb") else None
        figs = figure_files(built.blocks, formats, by_id.get, dpi=max(300, int(wanted.get("min_dpi") or 300)),
                            line_dpi=wanted.get("line_art_dpi"), max_bytes=max_bytes)
        items = list(built.ctx.assessment.care)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    warnings = list(pdf.info.warnings)
    if not (figures_spec.get("value") or {}).get("formats"):
        warnings.append(f"The {j.id} profile states no figure formats (not verified); the figures are "
                        f"{formats[0]} at 300 dpi. Check the journal's instructions before submitting.")
    for f in figs:
        files[f.name] = (f.data, f"Figure {f.number} ({f.format}, {f.width_px} × {f.height_px} px, {f.dpi} dpi)")
        small = too_small(f)
        if small:
            warnings.append(small)
        if max_bytes is not None and len(f.data) > max_bytes:
            warnings.append(f"Figure {f.number} is {len(f.data) / 1e6:.1f} MB as {f.format}, over the "
                            f"{wanted['max_file_mb']} MB the {j.id} profile allows per figure file.")
        elif f.format != formats[0]:
            warnings.append(f"Figure {f.number} is {f.format}: as {formats[0]} it was over the "
                            f"{wanted['max_file_mb']} MB the {j.id} profile allows per figure file.")
    files["figure-legends.txt"] = (legends_text(built.title, figs).encode("utf-8"), "the figure legends")
    files["care-checklist.pdf"] = (checklist_pdf(items, pdf.info.section_pages, built.title, j.name),
                                   "the completed CARE checklist with the manuscript page of each item")
    consent = consent_statement(src.consent)
    record = (f"Consent for publication given by {'the patient' if src.consent.given_by == 'patient' else 'the next of kin'}"
              f"; it {'covers' if src.consent.covers_images else 'does not cover'} images.")
    files["consent-statement.txt"] = (f"{consent}\n\n{record}\n".encode("utf-8"), "the consent statement")
    files["cover-letter-draft.txt"] = (cover_letter(src, j.name, built.title).encode("utf-8"),
                                       "a cover-letter draft built from the case (edit before sending)")
    parts = part_hashes(src)
    for f in figs:  # the figures as the package holds them
        parts[f"figure {f.number}"] = sha256(f.data)
    return files, parts, warnings, built.title


def _manifest(result: PackageResult, journal_id: str, case_title: str) -> bytes:
    from ..journals import journal
    j = journal(journal_id)
    doc = {
        "format": FORMAT, "version": 1,
        "made": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "journal": {"id": j.id, "name": j.name, "profile_checked": j.data.get("checked", "")},
        "case": {"title": case_title, "data_hash": result.data_hash, "parts": result.parts},
        "files": result.files,
        "anonymisation": [str(c) for c in result.anonymised],
        "warnings": result.warnings,
        "revision_of": None if result.previous is None else {
            **result.previous, "changed_parts": result.changed_parts, "changed_files": result.changed_files},
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
