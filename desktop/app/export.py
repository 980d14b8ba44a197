"""The one export pipeline, for the window and the command line alike.

    read the case(s) → identifier scan → confirmations → de-identification → writer → atomic write

1. the case is read (with image bytes only when the writer needs them);
2. unless the author asked for an identified copy, the free-text identifier scan runs; hits that the
   author has not confirmed as not identifying stop the export with :class:`PhiFound` listing them
   (the command line's ``--allow-phi-warnings`` lets them through; the window shows them, and the
   author fixes a field or confirms each hit, then exports again); with ``redact`` each hit is
   replaced by its class in brackets (``[name]``, ``[date]``…) in the exported copy instead;
3. :func:`desktop.interop.prepare`, the one de-identification step, makes the case the writer sees
   (the PDF and Word writers apply the same step themselves, from the same function);
4. the writer makes the bytes: in the window the report writers run in a child process
   (:mod:`desktop.app.render`), on the command line in the process itself — the same writer
   functions, so both give the same bytes;
5. each file is written next to its target and renamed over it (:func:`desktop.files.write_atomic`):
   a kill or a failure at any moment leaves the old file or the new one, never half of one.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Sequence

from ..files import write_atomic
from ..model import Case
from .progress import NO_PROGRESS, check


class PhiFound(Exception):
    """The identifier scan found hits the author has not confirmed: nothing was written."""

    def __init__(self, hits: Sequence):
        self.hits = list(hits)
        super().__init__(f"{len(self.hits)} possible identifier(s) in the free text")

    def listing(self) -> str:
        return "\n".join(f"  {h.field}: {h.kind}: {h.text!r}" for h in self.hits)


class JournalRulesBroken(Exception):
    """A final manuscript breaks hard rules of the journal's profile (resources/journals/): nothing
    was written. ``results`` are the conformance check's failures, each with its numbers."""

    def __init__(self, journal_id: str, results: Sequence):
        self.journal_id, self.results = journal_id, list(results)
        super().__init__(f"the manuscript breaks {len(self.results)} rule(s) of the {journal_id} profile")

    def listing(self) -> str:
        return "\n".join(f"  {r.label}: {r.detail}" for r in self.results)


class ScanUnavailable(Exception):
    """The identifier scan is not part of this Casebook: a de-identified export cannot be checked."""

    def __str__(self) -> str:
        return ("The identifier scan is not available in this version of Casebook, so a de-identified "
                "export cannot be checked. Nothing was written.")


def hit_key(hit) -> tuple[str, str]:
    """What a confirmation is remembered by: the same text in the same field."""
    return (hit.field, hit.text)


def scan(case: Case, confirmed: set | frozenset = frozenset()) -> list:
    """The scan's hits in ``case`` that are not confirmed as not identifying."""
    try:
        from ..privacy import phi
    except ImportError:
        raise ScanUnavailable() from None
    return [h for h in phi.scan_case(case, confirmed=set(confirmed)) if hit_key(h) not in confirmed]


def check_phi(case: Case, confirmed: set | frozenset = frozenset()) -> None:
    """Raise :class:`PhiFound` when the scan finds hits not in ``confirmed``."""
    hits = scan(case, confirmed)
    if hits:
        raise PhiFound(hits)


@dataclass(frozen=True)
class Options:
    draft: bool = False  # a report without consent, watermarked DRAFT
    identified: bool = False  # identifiers and dates kept (the author's own records; never scanned)
    include_assessment: bool = True  # the PDF's appendix of the assessment
    confirmed: frozenset = frozenset()  # (field, text) of hits the author confirmed as not identifying
    allow_phi: bool = False  # export despite unconfirmed hits (the command line's --allow-phi-warnings)
    redact: bool = False  # replace each hit by its class in brackets ([name], [date]...) in the exported copy
    use_process: bool = False  # render the PDF/DOCX in a child process (the window)
    journal: str = "jmcr"  # the journal profile a final manuscript must conform to (resources/journals/)


@dataclass(frozen=True)
class Kind:
    key: str
    suffix: str  # of the file written ("" for a folder)
    folder: bool  # the target is a folder of several files
    figures: bool  # the writer needs the images' bytes
    many: bool  # takes several cases at once
    deidentifies_itself: bool = False  # the report writers apply the de-identification step themselves


KINDS: dict[str, Kind] = {
    "pdf": Kind("pdf", ".pdf", False, True, False, True),
    "docx": Kind("docx", ".docx", False, True, False, True),
    "json": Kind("json", ".json", False, True, False),
    "fhir": Kind("fhir", ".json", False, True, False),
    "phenopacket": Kind("phenopacket", ".json", False, False, False),
    "redcap": Kind("redcap", "", True, False, True),
    "labs_csv": Kind("labs_csv", ".csv", False, False, True),
}


@dataclass
class Result:
    paths: list[Path] = field(default_factory=list)  # the files written (none for a stream)
    info: Any = None  # the report writer's summary (pages, figures, tables) for pdf and docx
    note: str = ""  # e.g. that the report was rendered in the window's process
    in_process: bool = False  # the report was rendered in a child process
    anonymised: list = field(default_factory=list)  # the journal's extra anonymisation, change by change
    left_out: list = field(default_factory=list)  # what the format could not carry (the Phenopacket's), one line each


Source = Case | tuple[str | os.PathLike, str]  # a case, or (library path, case id)


def export(kind: str, sources: Sequence[Source], target: str | os.PathLike | BinaryIO, options: Options = Options(),
           progress: Callable[..., None] = NO_PROGRESS) -> Result:
    """Export ``sources`` (one case, or several for REDCap and the labs CSV) as ``kind`` to
    ``target`` (a path; a folder for REDCap; or a binary stream for single files)."""
    k = KINDS[kind]
    if not k.many and len(sources) != 1:
        raise ValueError(f"a {kind} export takes one case, not {len(sources)}")
    with contextlib.ExitStack() as open_libraries:  # one read-only connection per library, closed at the end
        return _export(kind, k, sources, target, options, progress, open_libraries)


def _export(kind: str, k: Kind, sources: Sequence[Source], target, options: Options, progress,
            open_libraries: contextlib.ExitStack) -> Result:
    progress(0.02, text="reading the case")
    # the report writers in a child process get each image's bytes streamed to them one by one
    cases, figure_of = _read(sources, open_libraries,
                             figures=k.figures and not (options.use_process and kind in ("pdf", "docx")))
    check(progress)
    if k.figures:  # issue 13: images stored before the face check are looked at before anything decides
        from .faces import check_unchecked
        check_unchecked(cases, figure_of, progress, use_process=options.use_process)
    cases = screen(cases, options, progress)
    if kind in ("pdf", "docx"):
        from .render import render
        (case,) = [manuscript_ready(c, options) for c in cases]
        case, changes = journal_anonymised(case, options)
        done = render(case, figure_bytes=figure_of(case), out=target, writer=kind, use_process=options.use_process,
                      progress=progress, draft=options.draft, identified=options.identified,
                      include_assessment=options.include_assessment and kind == "pdf", journal=options.journal)
        return Result([done.path] if done.path else [], done.info, done.note, done.in_process, changes)
    if not options.identified:
        if k.figures:  # issue 13: a face leaves only with the author's confirmed consent for that image
            refuse_unconfirmed_faces(cases)
        from ..interop import prepare
        progress(0.4, text="de-identifying")
        cases = [prepare(c) for c in cases]
    progress(0.7, text="writing")
    left_out: list[str] = []
    files = _write(kind, cases, left_out)
    check(progress)
    if k.folder:
        folder = Path(target)  # type: ignore[arg-type]
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / name for name in files]
        for path, data in zip(paths, files.values()):
            write_atomic(path, data)
        return Result(paths, left_out=left_out)
    (data,) = files.values()
    write_atomic(target, data)
    return Result([Path(target)] if isinstance(target, (str, os.PathLike)) else [], left_out=left_out)


def screen(cases: list[Case], options: Options, progress: Callable[..., None] = NO_PROGRESS) -> list[Case]:
    """The identifier scan of the cases an export is made of (unless the author asked for an
    identified copy): unconfirmed hits stop it with :class:`PhiFound`, or with ``redact`` are replaced
    by their class in brackets in the exported copy (the library keeps the author's text)."""
    if options.identified:
        return cases
    progress(0.05, text="checking for identifiers")
    per_case = [scan(c, options.confirmed) for c in cases]
    check(progress)
    if options.redact:
        from ..privacy.phi import redact_case
        return [redact_case(c, hits) if hits else c for c, hits in zip(cases, per_case)]
    if any(per_case) and not options.allow_phi:
        raise PhiFound([h for hits in per_case for h in hits])
    return cases


def manuscript_ready(case: Case, options: Options) -> Case:
    """A manuscript for submission (not a draft) needs consent and the declarations, then must meet
    the journal's hard rules: :class:`~desktop.report.errors.ReportRefused` or
    :class:`JournalRulesBroken` list what is missing."""
    if not options.draft:
        from ..report.build import refuse_without_consent
        from .conformance import check_manuscript, hard_failures
        refuse_without_consent(case, draft=False, journal=options.journal)  # what the journal needs, in full
        broken = hard_failures(check_manuscript(case, options.journal))
        if broken:
            raise JournalRulesBroken(options.journal, broken)
    return case


def journal_anonymised(case: Case, options: Options) -> tuple[Case, list]:
    """The anonymisation the journal asks beyond Safe Harbor (BMJ Case Reports: ages as ranges, no
    calendar dates, no place or institution names), with each change for the author; none for an
    identified copy."""
    if options.identified:
        return case, []
    from ..privacy.journal_anonymise import anonymise
    return anonymise(case, options.journal)


def refuse_unconfirmed_faces(cases: Sequence[Case]) -> None:
    """A de-identified data export (JSON, FHIR) carries the images' bytes: one that may show a face
    goes out only when the author confirmed that the consent covers it; otherwise nothing is written
    and the images are listed (:class:`desktop.report.errors.ReportError`, exit 3 on the command line).
    Images that de-identification drops anyway (identifying, consent not covering images) do not count."""
    from ..report.consent import face_unconfirmed, faces_refusal
    from ..report.errors import ReportError
    held = [(i, m) for c in cases for i, m in enumerate(c.figures, 1)
            if face_unconfirmed(m) and not (m.identifying and not c.consent.covers_images)]
    if held:
        raise ReportError(faces_refusal(held, report=False))


def _read(sources: Sequence[Source], open_libraries: contextlib.ExitStack, *, figures: bool):
    """The cases, and for each a function giving a figure's bytes (for cases read without them),
    through one read-only connection per library that ``open_libraries`` closes."""
    from ..store.library import open_library
    cases: list[Case] = []
    connections: dict[Path, Any] = {}
    where: dict[int, tuple[Any, str]] = {}  # id(case) -> (its library, its id there)
    for src in sources:
        if isinstance(src, Case):
            cases.append(src)
            continue
        path, cid = Path(src[0]), src[1]
        if path not in connections:
            connections[path] = open_libraries.enter_context(open_library(path, read_only=True))
        case = connections[path].load_case(cid, figures=figures)
        cases.append(case)
        where[id(case)] = (connections[path], cid)

    def figure_of(case: Case) -> Callable[[str], bytes]:
        def get(figure_id: str) -> bytes:
            m = next((m for m in case.figures if m.id == figure_id), None)
            if m is not None and m.data is not None:
                return m.data
            lib, cid = where[id(case)]
            return lib.figure_bytes(cid, figure_id)
        return get
    return cases, figure_of


def _write(kind: str, cases: list[Case], left_out: list[str] | None = None) -> dict[str, bytes]:
    """The files of a non-report export, by name, as bytes; ``left_out`` gets what the format could
    not carry (the Phenopacket's findings with no exact code), one line each."""
    if kind == "json":
        from .. import jsonio
        return {"case.json": jsonio.dump_bytes(cases[0])}
    if kind == "fhir":
        from ..interop.fhir import write_bundle
        return {"bundle.json": write_bundle(cases[0]).encode("utf-8")}
    if kind == "phenopacket":
        from ..interop.phenopacket import write_phenopacket
        return {"phenopacket.json": write_phenopacket(cases[0], left_out=left_out).encode("utf-8")}
    if kind == "redcap":
        from ..interop import redcap
        return {"data_dictionary.csv": redcap.write_dictionary().encode("utf-8"),
                "data.csv": redcap.write_data(cases).encode("utf-8"),
                "project.xml": redcap.write_project_xml().encode("utf-8")}
    if kind == "labs_csv":
        from ..interop.labs_csv import write_labs_csv
        return {"labs.csv": write_labs_csv(cases).encode("utf-8")}
    raise ValueError(f"no export {kind!r}")


def default_name(case: Case, kind: str, *, identified: bool = False) -> str:
    """A file name for an export of ``case``: its short title, 'deidentified' (unless it is the
    author's identified copy) and the kind."""
    import re
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", case.short_title or case.title or "case").strip("-")[:60] or "case"
    return f"{stem}{'' if identified else '-deidentified'}-{kind.replace('_', '-')}{KINDS[kind].suffix}"

