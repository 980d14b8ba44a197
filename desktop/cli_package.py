"""``casebook package``: the submission package (:mod:`desktop.app.package`), and what the
command line prints of the export pipeline's refusals and of a journal's extra anonymisation.
Kept beside :mod:`desktop.cli` (a thin parser too) so that module stays small."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path


@contextlib.contextmanager
def pipeline_errors(draft_hint: str = ", or make a draft (--draft)"):
    """The export pipeline's refusals as the command line's messages (exit 3)."""
    from .app.export import JournalRulesBroken, PhiFound
    from .cli import EXIT_INVALID, CliError
    from .report.errors import ReportError
    try:
        yield
    except JournalRulesBroken as exc:
        raise CliError(f"the manuscript breaks hard rules of the {exc.journal_id} profile; fix them{draft_hint}:\n"
                       + exc.listing(), EXIT_INVALID) from None
    except PhiFound as exc:
        raise CliError("possible identifiers in free text; fix them, or pass --redact-phi to replace each "
                       "with its class in brackets in the exported copy, or --allow-phi-warnings:\n"
                       + exc.listing(), EXIT_INVALID) from None
    except ReportError as exc:  # ReportRefused (no consent) included
        raise CliError(str(exc), EXIT_INVALID) from None


def print_anonymised(changes) -> None:
    """The journal's anonymisation beyond Safe Harbor, change by change, so the author knows."""
    if changes:
        print(f"anonymised for the journal ({len(changes)} change{'s' if len(changes) != 1 else ''}):")
        for ch in changes:
            print(f"  {ch}")


def add_package_parser(sub) -> None:
    s = sub.add_parser("package", help="write the submission package for a journal into a folder "
                                       "(manuscript, figures, legends, CARE checklist, consent, cover letter, manifest)")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("--journal", default="jmcr", metavar="ID", help="journal profile (resources/journals/; default jmcr)")
    s.add_argument("-o", "--output", required=True, metavar="DIR", help="the package's folder")
    s.add_argument("--since", metavar="DIR", help="the folder of the package submitted before: list what changed "
                                                  "(automatic when DIR already holds a package)")
    s.add_argument("--redact-phi", action="store_true",
                   help="replace each possible identifier by its class in brackets ([name], [date]...) in the package")
    s.add_argument("--allow-phi-warnings", action="store_true",
                   help="make the package even when the free-text scan finds possible identifiers")
    s.set_defaults(func=cmd_package)


def cmd_package(args) -> int:
    from .app.export import Options
    from .app.package import NoPreviousPackage, make_package
    from .cli import EXIT_INVALID, EXIT_OK, CliError, _source
    from .journals import UnknownJournal
    options = Options(journal=args.journal, allow_phi=args.allow_phi_warnings, redact=args.redact_phi,
                      include_assessment=False)
    try:
        with pipeline_errors(draft_hint=""):
            result = make_package(_source(args, args.case), Path(args.output), options, since=args.since)
    except (NoPreviousPackage, UnknownJournal) as exc:
        raise CliError(str(exc).strip("'\""), EXIT_INVALID) from None
    print(f"wrote the {args.journal} submission package in {result.folder} ({len(result.files)} files + manifest.json; "
          f"case data hash {result.data_hash[:12]}):")
    for f in result.files:
        print(f"  {f['name']:<24} {f['what']}")
    print_anonymised(result.anonymised)
    for w in result.warnings:
        print(f"note: {w}", file=sys.stderr)
    if result.previous is not None:
        parts = result.changed_parts
        print(f"since the package of {result.previous.get('made') or 'before'}: "
              + (f"{len(parts)} part{'s' if len(parts) != 1 else ''} of the case changed: " + ", ".join(parts)
                 if parts else "the case is unchanged"))
    return EXIT_OK
