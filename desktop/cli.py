"""The ``casebook`` command: a thin parser over the operations layer (desktop/app), which the window
calls too. A command here parses its arguments, calls one operation and prints what it did.

Exit codes: 0 done; 2 usage; 3 invalid input (every problem listed); 4 library unusable (damaged,
newer version, locked, not a library).
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from .codec import InvalidCase
from .model import Case

EXIT_OK, EXIT_USAGE, EXIT_INVALID, EXIT_LIBRARY = 0, 2, 3, 4


class CliError(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def library_path(args: argparse.Namespace) -> Path:
    from .app.library import default_library_path
    return Path(args.library) if args.library else default_library_path()


def _library(args, *, read_only: bool = False, check: bool = False):
    """The library of the command: only the default library is created on demand (with the demo)."""
    from .app.library import NoLibrary, open_or_create
    try:
        lib = open_or_create(library_path(args), read_only=read_only, check=check, create=not args.library)
    except NoLibrary as exc:
        raise CliError(str(exc), EXIT_LIBRARY) from None
    for note in getattr(lib, "upgrade_notes", []):  # said once, by the run that upgraded the library
        print(f"casebook: the library was upgraded. {note}", file=sys.stderr)
    return lib


def _casebook(args, *, check: bool = True):
    from .app import Casebook
    return Casebook(_library(args, check=check))


def resolve_case_id(lib, ref: str) -> str:
    from .app.library import resolve_case_id as resolve
    try:
        return resolve(lib, ref)
    except LookupError as exc:
        raise CliError(str(exc), EXIT_INVALID) from None


def _source(args, ref: str):
    """CASE|FILE.json as an export source: a case file read and validated, or (library, case id)."""
    p = Path(ref)
    if ref.lower().endswith(".json") or (p.exists() and p.is_file()):
        from . import jsonio
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise CliError(f"{p}: cannot read the file ({exc.strerror})", EXIT_INVALID) from None
        return jsonio.loads(data)
    with _library(args, read_only=True) as lib:
        return (lib.path, resolve_case_id(lib, ref))


def load_case_arg(args, ref: str) -> Case:
    """CASE|FILE.json: a case of the library, or a case file."""
    src = _source(args, ref)
    if isinstance(src, Case):
        return src
    from .store.library import open_library
    with open_library(src[0], read_only=True) as lib:
        return lib.load_case(src[1])


# --- commands ---------------------------------------------------------------------------------------

def cmd_gui(args) -> int:
    try:
        from .gui.app import run
    except ImportError as exc:  # the GUI package is not importable (no Qt on this machine)
        raise CliError(f"the Casebook window cannot start here ({exc}); the command line works: "
                       "casebook --help", EXIT_USAGE) from None
    return run(library_path(args), explicit=bool(args.library), paint_and_exit=args.paint_and_exit)


def cmd_init(args) -> int:
    from .store.library import create_library
    create_library(Path(args.path)).close()
    print(f"created {args.path}")
    return EXIT_OK


def cmd_list(args) -> int:
    with _library(args, read_only=True) as lib:
        rows = lib.list_trash() if args.trash else lib.list_cases(args.search or "")
    if args.json:
        print(json.dumps([r._asdict() for r in rows], ensure_ascii=False, indent=2))
    elif args.trash:
        print("the trash is empty" if not rows else "\n".join(f"{r.id}  {r.trashed_at}  {r.title}" for r in rows))
    else:
        if not rows:
            print("no cases")
        for r in rows:
            print(f"{r.id}  {r.status:<9}  {r.title}" + (f"  [{r.sites}]" if r.sites else ""))
    return EXIT_OK


def cmd_import(args) -> int:
    """A case file, FHIR Bundle, Phenopacket or REDCap data CSV: the new case ids on standard
    output, what did not map on standard error."""
    with _casebook(args) as book:
        result = book.import_any(Path(args.file), dictionary=getattr(args, "dictionary", None))
    for cid in result.ids:
        print(cid)
    if result.report:
        print(f"casebook: imported {len(result.ids)} case{'s' if len(result.ids) != 1 else ''} from a "
              f"{result.kind} file; not imported:", file=sys.stderr)
        for line in result.report:
            print(f"  {line}", file=sys.stderr)
    return EXIT_OK


def cmd_demo(args) -> int:
    from .demo import load_demo
    with _casebook(args) as book:
        print(book.add_case(load_demo(), "Add the demo case", keep_id=False))
    return EXIT_OK


def cmd_delete(args) -> int:
    with _casebook(args) as book:
        cid = resolve_case_id(book.library, args.case)
        book.trash_case(cid)
    print(f"moved {cid} to the trash (casebook restore-case {cid} brings it back)")
    return EXIT_OK


def cmd_restore_case(args) -> int:
    with _casebook(args) as book:
        trashed = [t.id for t in book.list_trash()]
        matches = [t for t in trashed if t.startswith(args.case)]
        if len(matches) != 1:
            raise CliError(f"no case {args.case!r} in the trash (casebook list --trash shows it)" if not matches
                           else f"{args.case!r} matches {len(matches)} cases in the trash", EXIT_INVALID)
        book.restore_case(matches[0])
    print(f"restored {matches[0]}")
    return EXIT_OK


def cmd_empty_trash(args) -> int:
    with _casebook(args) as book:
        n = book.empty_trash()
    print(f"deleted {n} case{'s' if n != 1 else ''} for good")
    return EXIT_OK


def _export(args, kind: str, refs: list[str], target, **opts):
    """Every export's way out: the one pipeline of the operations layer (scan → confirmations →
    de-identification → writer → atomic write)."""
    from .app.export import Options, export
    from .cli_package import pipeline_errors, print_anonymised
    if refs:
        sources = [_source(args, r) for r in refs]
    else:  # every case of the library
        with _library(args, read_only=True) as lib:
            sources = [(lib.path, cid) for cid in lib.case_ids()]
    to_stdout = target in (None, "-")
    if to_stdout:
        target = sys.stdout.buffer
    options = Options(allow_phi=getattr(args, "allow_phi_warnings", False),
                      redact=getattr(args, "redact_phi", False), **opts)
    with pipeline_errors():
        result = export(kind, sources, target, options)
    if to_stdout:
        sys.stdout.flush()
    else:
        print_anonymised(result.anonymised)
    return result


def cmd_export_json(args) -> int:
    _export(args, "json", [args.case], args.output, identified=not args.deidentified)
    return EXIT_OK


def cmd_export_fhir(args) -> int:
    _export(args, "fhir", [args.case], args.output)
    return EXIT_OK


def cmd_export_phenopacket(args) -> int:
    """The case as a GA4GH Phenopacket v2 (JSON) for rare-disease registries, de-identified; what it
    cannot carry (a finding with no exact HPO term...) on standard error, one line each."""
    left_out = _export(args, "phenopacket", [args.case], args.output).left_out
    if left_out:
        print(f"casebook: left out of the Phenopacket ({len(left_out)}):", file=sys.stderr)
        for line in left_out:
            print(f"  {line}", file=sys.stderr)
    return EXIT_OK


def cmd_export_docx(args) -> int:
    """The manuscript as a Word file: the PDF report's content, de-identified."""
    info = _export(args, "docx", [args.case], Path(args.output), draft=args.draft, identified=args.identified,
                   journal=args.journal).info
    print(f"wrote {args.output} ({info.figures} figure{'s' if info.figures != 1 else ''}, "
          f"{info.tables} table{'s' if info.tables != 1 else ''})")
    return EXIT_OK


def cmd_export_redcap(args) -> int:
    result = _export(args, "redcap", args.cases, Path(args.output))
    n = len(args.cases) if args.cases else None
    if n is None:
        with _library(args, read_only=True) as lib:
            n = len(lib.case_ids())
    data_dict, data, project = result.paths
    print(f"wrote {data_dict}, {data} and {project} ({n} case{'s' if n != 1 else ''}); "
          f"{project.name} creates the REDCap project with its repeating instruments set up")
    return EXIT_OK


def cmd_export_labs(args) -> int:
    _export(args, "labs_csv", args.cases, args.output)
    return EXIT_OK


def cmd_assess(args) -> int:
    from .core import assess
    from .core.text import assessment_to_json, format_assessment
    case = load_case_arg(args, args.case)
    a = assess(case)
    print(assessment_to_json(a) if args.json else format_assessment(a), end="")
    return EXIT_OK


def cmd_report(args) -> int:
    info = _export(args, "pdf", [args.case], Path(args.output), draft=args.draft, identified=args.identified,
                   include_assessment=not args.no_assessment, journal=args.journal).info
    print(f"wrote {args.output} ({info.pages} pages)")
    return EXIT_OK


def cmd_scan_phi(args) -> int:
    """Scan a case (CASE or FILE.json) or a text file for identifiers, to check a draft before it is
    pasted anywhere. Exit 0 when nothing is found, 3 when something is (each hit printed)."""
    from .privacy.phi import hits_in_text, hits_to_json, scan_case
    p = Path(args.source)
    if p.is_file() and not p.name.lower().endswith(".json"):
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"{p}: cannot read the file as UTF-8 text ({exc})", EXIT_INVALID) from None
        hits = hits_in_text(text, field=p.name)
    else:
        hits = scan_case(load_case_arg(args, args.source))
    if args.json:
        print(json.dumps(hits_to_json(hits), ensure_ascii=False, indent=2))
    elif hits:
        for h in hits:
            print(f"{h.field} [{h.start}:{h.end}] {h.kind}: {h.text!r}")
    else:
        print("no possible identifiers found")
    return EXIT_INVALID if hits else EXIT_OK


def cmd_audit(args) -> int:
    with _library(args, read_only=True) as lib:
        cid = resolve_case_id(lib, args.case)
        rows = lib.audit(cid)
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    for r in rows:
        where = f"{r.entity}{'/' + r.entity_id if r.entity_id and r.entity != 'case' else ''}"
        print(f"{r.at}  {r.os_user:<10} {where} {r.field}: {r.old if r.old is not None else '—'} → "
              f"{r.new if r.new is not None else '—'}")
    return EXIT_OK


def _restore_command(args) -> str:
    return f"casebook --library {shlex.quote(args.library)} restore" if args.library else "casebook restore"


def cmd_check(args) -> int:
    """Integrity and version report; reads the file only (a damaged library stays as it is)."""
    from .store import schema
    from .store.backup import list_backups, restore_hint
    from .store.integrity import inspect
    path = library_path(args)
    report = inspect(path, quick=False)
    if not report.ok:
        message = report.message()
        if report.kind == "missing":
            message += f" (create one with: casebook init {shlex.quote(str(path))})"
        elif report.damaged or (not report.newer and list_backups(path)):
            message += (" " if message.endswith(".") else ". ") + restore_hint(path, _restore_command(args))
        raise CliError(message, EXIT_LIBRARY)
    backups = list_backups(path)
    print(f"library:   {path} ({report.size / 1e6:.1f} MB)")
    print(f"version:   {report.version} (this Casebook reads up to {schema.LATEST})")
    print("integrity: ok (PRAGMA integrity_check)")
    print(f"cases:     {report.cases}")
    if backups:
        newest, when = backups[0]
        print(f"backups:   {len(backups)}, newest {when:%Y-%m-%d %H:%M} UTC: {newest}")
    else:
        print("backups:   none yet (casebook backup makes one)")
    return EXIT_OK


def cmd_backup(args) -> int:
    from .app.backups import backup_now
    path = library_path(args)
    if not path.exists():
        _library(args, read_only=True).close()  # the default library is made on demand; another is refused
    print(backup_now(path, args.to))
    return EXIT_OK


def cmd_restore(args) -> int:
    from .app.backups import find_backup, restore
    path = library_path(args)
    source = find_backup(path, args.backup)
    if source is None:
        raise CliError(f"no backup file {args.backup} (casebook check lists the newest backup)", EXIT_INVALID)
    if not args.yes:
        question = (f"Replace {path} with the backup {source}? The current file is kept beside it "
                    "(.before-restore-…). [y/N] ")
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError(f"restoring replaces {path}; to confirm, run again with --yes", EXIT_USAGE)
        if input(question).strip().lower() not in ("y", "yes"):
            print("nothing was changed")
            return EXIT_OK
    aside = restore(source, path)
    print(f"restored {path} from {source}")
    if aside is not None:
        print(f"the previous file is kept as {aside}")
    return EXIT_OK


def cmd_references_import(args) -> int:
    from .app.references import import_references
    from .references import ParseError
    with _casebook(args) as book:
        cid = resolve_case_id(book.library, args.case)
        try:
            report = import_references(book.open_case(cid), Path(args.file), args.format)
        except ParseError as exc:
            raise CliError(str(exc), EXIT_INVALID) from None
    print(report.summary())
    for line in report.messages:
        print(f"  {line}")
    return EXIT_OK


def cmd_check_manuscript(args) -> int:
    from .app.conformance import UnknownJournal, check_manuscript, results_to_json, format_results
    case = load_case_arg(args, args.case)
    try:
        results = check_manuscript(case, args.journal)
    except UnknownJournal as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    print(results_to_json(results) if args.json else format_results(results, args.journal), end="")
    return EXIT_OK


# --- plumbing -------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="casebook",
        description="Write up calciphylaxis case reports. With no command, opens the Casebook window.",
    )
    from . import __version__
    p.add_argument("--library", metavar="PATH",
                   help="the library file (default: $CASEBOOK_LIBRARY or the user data folder)")
    p.add_argument("--version", action="version", version=f"casebook {__version__}")
    p.add_argument("--paint-and-exit", action="store_true",
                   help="open the window, wait until the library's first case is painted, then quit "
                        "(checks that the window works on this workstation)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("init", help="create a new, empty library file")
    s.add_argument("path")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("list", help="list the cases of the library")
    s.add_argument("--json", action="store_true")
    s.add_argument("--trash", action="store_true", help="list the cases in the trash instead")
    s.add_argument("--search", help="only cases whose title, keywords, sites or outcome contain this")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("import", help="import a case file (JSON), a FHIR Bundle, a Phenopacket or REDCap data "
                                      "(CSV); prints the new case ids")
    s.add_argument("file")
    s.add_argument("--dictionary", metavar="DICT.csv",
                   help="the REDCap data dictionary of the data (default: the dictionary CSV beside it)")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("export-json", help="write a case as a JSON case file")
    s.add_argument("case", metavar="CASE")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.add_argument("--deidentified", action="store_true", help="de-identify first (Safe Harbor)")
    s.add_argument("--redact-phi", action="store_true",
                   help="replace each possible identifier by its class in brackets ([name], [date]...) in the export")
    s.add_argument("--allow-phi-warnings", action="store_true",
                   help="export even when the free-text scan finds possible identifiers")
    s.set_defaults(func=cmd_export_json)

    s = sub.add_parser("demo", help="add the demo case (Smilnak et al. 2022) to the library")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("delete", help="move a case to the trash (restore-case brings it back)")
    s.add_argument("case", metavar="CASE")
    s.set_defaults(func=cmd_delete)

    s = sub.add_parser("restore-case", help="bring a case back from the trash")
    s.add_argument("case", metavar="CASE")
    s.set_defaults(func=cmd_restore_case)

    s = sub.add_parser("empty-trash", help="delete the cases in the trash for good")
    s.set_defaults(func=cmd_empty_trash)

    s = sub.add_parser("assess", help="evaluate a case against the evidence and the CARE checklist")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_assess)

    s = sub.add_parser("report", help="write the de-identified CARE case report as PDF")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("-o", "--output", required=True, metavar="OUT.pdf")
    s.add_argument("--draft", action="store_true", help="allow a report without consent, watermarked DRAFT")
    s.add_argument("--identified", action="store_true", help="include identifiers and dates (own records only)")
    s.add_argument("--no-assessment", action="store_true", help="leave out Appendix A (the assessment)")
    s.add_argument("--redact-phi", action="store_true",
                   help="replace each possible identifier by its class in brackets ([name], [date]...) in the export")
    s.add_argument("--allow-phi-warnings", action="store_true",
                   help="write the report even when the free-text scan finds possible identifiers")
    s.add_argument("--journal", default="jmcr", metavar="ID",
                   help="the journal profile a final manuscript must meet (resources/journals/; default jmcr)")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("export-fhir", help="write a case as a de-identified FHIR R4B document bundle")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.add_argument("--redact-phi", action="store_true",
                   help="replace each possible identifier by its class in brackets ([name], [date]...) in the export")
    s.add_argument("--allow-phi-warnings", action="store_true")
    s.set_defaults(func=cmd_export_fhir)

    s = sub.add_parser("export-phenopacket", help="write a case as a de-identified GA4GH Phenopacket v2 (JSON)")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.add_argument("--allow-phi-warnings", action="store_true")
    s.set_defaults(func=cmd_export_phenopacket)

    s = sub.add_parser("export-docx", help="write the de-identified manuscript as a Word file (.docx)")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("-o", "--output", required=True, metavar="OUT.docx")
    s.add_argument("--draft", action="store_true", help="allow a manuscript without consent, headed DRAFT")
    s.add_argument("--identified", action="store_true", help="include identifiers and dates (own records only)")
    s.add_argument("--redact-phi", action="store_true",
                   help="replace each possible identifier by its class in brackets ([name], [date]...) in the export")
    s.add_argument("--allow-phi-warnings", action="store_true",
                   help="write the manuscript even when the free-text scan finds possible identifiers")
    s.add_argument("--journal", default="jmcr", metavar="ID",
                   help="the journal profile a final manuscript must meet (resources/journals/; default jmcr)")
    s.set_defaults(func=cmd_export_docx)

    s = sub.add_parser("export-redcap", help="write a REDCap data dictionary, import CSV and project XML "
                                             "(de-identified)")
    s.add_argument("cases", nargs="*", metavar="CASE", help="cases to export (default: every case)")
    s.add_argument("-o", "--output", required=True, metavar="DIR")
    s.add_argument("--redact-phi", action="store_true",
                   help="replace each possible identifier by its class in brackets ([name], [date]...) in the export")
    s.add_argument("--allow-phi-warnings", action="store_true")
    s.set_defaults(func=cmd_export_redcap)

    s = sub.add_parser("export-labs-csv", help="write every lab value as a long-format CSV (de-identified)")
    s.add_argument("cases", nargs="*", metavar="CASE", help="cases to export (default: every case)")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.add_argument("--redact-phi", action="store_true",
                   help="replace each possible identifier by its class in brackets ([name], [date]...) in the export")
    s.add_argument("--allow-phi-warnings", action="store_true")
    s.set_defaults(func=cmd_export_labs)

    s = sub.add_parser("scan-phi", help="list possible identifiers in a case or a text file (exit 3 when found)")
    s.add_argument("source", metavar="CASE|FILE")
    s.add_argument("--json", action="store_true", help="each hit as field, start, end, text, class")
    s.set_defaults(func=cmd_scan_phi)

    s = sub.add_parser("audit", help="show the audit log of a case")
    s.add_argument("case", metavar="CASE")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser("check", help="check the library's integrity and version (changes nothing)")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("backup", help="back up the library now (checked copy); prints the backup's path")
    s.add_argument("--to", metavar="DIR", help="folder for the backup (default: backups/ beside the library)")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("restore", help="replace the library with a backup (the current file is kept aside)")
    s.add_argument("backup", metavar="BACKUP")
    s.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("references", help="the references of a case (import a Zotero/EndNote/PubMed file)")
    refs = s.add_subparsers(dest="references_command", metavar="ACTION", required=True)
    r = refs.add_parser("import", help="add the references of a RIS, BibTeX, CSL-JSON or PubMed .nbib file")
    r.add_argument("case", metavar="CASE")
    r.add_argument("file", metavar="FILE")
    r.add_argument("--format", choices=("ris", "bibtex", "csl-json", "nbib"),
                   help="the file's format (default: from its name and content)")
    r.set_defaults(func=cmd_references_import)

    s = sub.add_parser("check-manuscript", help="check a case against a journal's rules (words, limits, title...)")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("--journal", default="jmcr", metavar="ID", help="journal profile (default: jmcr)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_check_manuscript)
    from .cli_package import add_package_parser
    add_package_parser(sub)
    return p



def build_parser_commands() -> set[str]:
    """The command names (for telling a library path from a command)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def _backup_advice(args, exc: Exception) -> str:
    """For a damaged library (or one that is no longer a library), name the newest good backup."""
    from .store.library import Damaged, NotALibrary
    if not isinstance(exc, (Damaged, NotALibrary)):
        return ""
    from .store.backup import list_backups, restore_hint
    path = library_path(args)
    if isinstance(exc, NotALibrary) and not list_backups(path):
        return ""  # some other file: there is nothing of it to restore
    return (" " if str(exc).rstrip().endswith((".", "!", "?")) else ". ") + restore_hint(path, _restore_command(args))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].lower().endswith(".casebook") and not argv[0].startswith("-") \
            and not any(a in build_parser_commands() for a in argv[1:]):
        argv = ["--library", *argv]  # `casebook FILE.casebook`: a double-clicked library opens in the window
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    from .store.library import LibraryError
    try:
        if not args.command:
            return cmd_gui(args)
        return args.func(args)
    except CliError as exc:
        print(f"casebook: {exc}", file=sys.stderr)
        return exc.code
    except InvalidCase as exc:
        print(f"casebook: the case is not valid ({len(exc.problems)} problem"
              f"{'s' if len(exc.problems) != 1 else ''}):", file=sys.stderr)
        for prob in exc.problems:
            print(f"  {prob}", file=sys.stderr)
        return EXIT_INVALID
    except LibraryError as exc:
        print(f"casebook: {exc}{_backup_advice(args, exc)}", file=sys.stderr)
        return EXIT_LIBRARY
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # damage met while reading a library opened without a check
        from .store.library import translate_error
        err = translate_error(exc, library_path(args))
        if err is None:
            raise
        print(f"casebook: {err}{_backup_advice(args, err)}", file=sys.stderr)
        return EXIT_LIBRARY


if __name__ == "__main__":
    sys.exit(main())
