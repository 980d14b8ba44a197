"""The ``casebook`` command. The GUI and this command call the same API (store, core, report).

Exit codes: 0 done; 2 usage; 3 invalid input (every problem listed); 4 library unusable (damaged,
newer version, locked, not a library).
"""
from __future__ import annotations

import argparse
import json
import os
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


def default_library_path() -> Path:
    env = os.environ.get("CASEBOOK_LIBRARY")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_data_dir("Casebook", appauthor=False)) / "library.casebook"


def library_path(args: argparse.Namespace) -> Path:
    return Path(args.library) if args.library else default_library_path()


def open_or_create(path: Path, *, read_only: bool = False, check: bool = False):
    """Open the library; a missing *default* library is created with the demo case."""
    from .store.library import create_library, open_library
    if not path.exists():
        lib = create_library(path)
        from .demo import load_demo
        lib.add_case(load_demo())
        if read_only:
            lib.close()
            return open_library(path, read_only=True)
        return lib
    return open_library(path, read_only=read_only, check=check)


def _library(args, *, read_only: bool = False, create_missing: bool | None = None, check: bool = False):
    path = library_path(args)
    if create_missing is None:
        create_missing = not args.library  # only the default library is created on demand
    if not path.exists() and not create_missing:
        raise CliError(f"no library at {path} (create one with: casebook init {path})", EXIT_LIBRARY)
    return open_or_create(path, read_only=read_only, check=check)


def resolve_case_id(lib, ref: str) -> str:
    """A case id, or an unambiguous prefix of one."""
    if lib.has_case(ref):
        return ref
    matches = [cid for cid in lib.case_ids() if cid.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CliError(f"no case {ref!r} in {lib.path} (casebook list shows the ids)", EXIT_INVALID)
    raise CliError(f"{ref!r} matches {len(matches)} cases; give more of the id", EXIT_INVALID)


def read_case_file(path: Path) -> Case:
    from . import jsonio
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path}: cannot read the file ({exc.strerror})", EXIT_INVALID) from None
    return jsonio.loads(data)


def load_case_arg(args, ref: str) -> Case:
    """CASE|FILE.json: a case of the library, or a case file."""
    p = Path(ref)
    if ref.lower().endswith(".json") or (p.exists() and p.is_file()):
        return read_case_file(p)
    lib = _library(args, read_only=True)
    try:
        return lib.load_case(resolve_case_id(lib, ref))
    finally:
        lib.close()


# --- commands ---------------------------------------------------------------------------------------

def cmd_gui(args) -> int:
    try:
        from .gui.app import run
    except ImportError as exc:  # the GUI package is not importable (no Qt on this machine)
        raise CliError(f"the Casebook window cannot start here ({exc}); the command line works: "
                       "casebook --help", EXIT_USAGE) from None
    return run(library_path(args), explicit=bool(args.library))


def cmd_init(args) -> int:
    from .store.library import create_library
    lib = create_library(Path(args.path))
    lib.close()
    print(f"created {args.path}")
    return EXIT_OK


def cmd_list(args) -> int:
    lib = _library(args, read_only=True)
    try:
        rows = lib.list_cases(args.search or "")
    finally:
        lib.close()
    if args.json:
        print(json.dumps([r._asdict() for r in rows], ensure_ascii=False, indent=2))
    else:
        if not rows:
            print("no cases")
        for r in rows:
            print(f"{r.id}  {r.status:<9}  {r.title}" + (f"  [{r.sites}]" if r.sites else ""))
    return EXIT_OK


def cmd_import(args) -> int:
    case = read_case_file(Path(args.file))
    lib = _library(args, check=True)
    try:
        cid = lib.add_case(case)
    finally:
        lib.close()
    print(cid)
    return EXIT_OK


def cmd_demo(args) -> int:
    from .demo import load_demo
    lib = _library(args, check=True)
    try:
        cid = lib.add_case(load_demo(), keep_id=False)
    finally:
        lib.close()
    print(cid)
    return EXIT_OK


def _refuse_phi(args, case: Case) -> None:
    """The free-text scan every de-identified export runs first: exit 3 listing each possible
    identifier by field, unless --allow-phi-warnings."""
    from .privacy.phi import scan_case
    hits = scan_case(case)
    if hits and not args.allow_phi_warnings:
        lines = [f"  {h.field}: {h.kind}: {h.text!r}" for h in hits]
        raise CliError("possible identifiers in free text; fix them or pass --allow-phi-warnings:\n"
                       + "\n".join(lines), EXIT_INVALID)


def _export_case(args, case: Case, *, deidentified: bool) -> Case:
    """Every exporter's way out: the PHI scan, then the one de-identification step."""
    if not deidentified:
        return case
    from .interop import prepare
    _refuse_phi(args, case)
    return prepare(case)


def _write_out(out: str | None, data: bytes) -> None:
    if out in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(out).write_bytes(data)


def cmd_export_json(args) -> int:
    from . import jsonio
    case = load_case_arg(args, args.case)
    case = _export_case(args, case, deidentified=args.deidentified)
    _write_out(args.output, jsonio.dump_bytes(case))
    return EXIT_OK


def _cases_for_export(args, refs: list[str]) -> list[Case]:
    """CASE|FILE.json references (all cases of the library when none are given), each through the
    PHI scan and the one de-identification step."""
    if refs:
        cases = [load_case_arg(args, r) for r in refs]
    else:
        lib = _library(args, read_only=True)
        try:
            cases = [lib.load_case(cid) for cid in lib.case_ids()]
        finally:
            lib.close()
    return [_export_case(args, c, deidentified=True) for c in cases]


def cmd_export_fhir(args) -> int:
    from .interop.fhir import write_bundle
    (case,) = _cases_for_export(args, [args.case])
    _write_out(args.output, write_bundle(case).encode("utf-8"))
    return EXIT_OK


def cmd_export_docx(args) -> int:
    """The manuscript as a Word file: the PDF report's content, de-identified by write_docx itself
    after the PHI scan here (unless --identified)."""
    from .interop.docx import ReportError, write_docx
    case = load_case_arg(args, args.case)
    if not args.identified:
        _refuse_phi(args, case)  # write_docx de-identifies itself
    try:
        info = write_docx(case, Path(args.output), draft=args.draft, identified=args.identified)
    except ReportError as exc:  # ReportRefused (no consent) included
        raise CliError(str(exc), EXIT_INVALID) from None
    print(f"wrote {args.output} ({info.figures} figure{'s' if info.figures != 1 else ''}, "
          f"{info.tables} table{'s' if info.tables != 1 else ''})")
    return EXIT_OK


def cmd_export_redcap(args) -> int:
    from .interop import redcap
    cases = _cases_for_export(args, args.cases)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "data_dictionary.csv").write_text(redcap.write_dictionary(), encoding="utf-8")
    (out / "data.csv").write_text(redcap.write_data(cases), encoding="utf-8")
    print(f"wrote {out / 'data_dictionary.csv'} and {out / 'data.csv'} ({len(cases)} case"
          f"{'s' if len(cases) != 1 else ''})")
    return EXIT_OK


def cmd_export_labs(args) -> int:
    from .interop.labs_csv import write_labs_csv
    cases = _cases_for_export(args, args.cases)
    _write_out(args.output, write_labs_csv(cases).encode("utf-8"))
    return EXIT_OK


def cmd_assess(args) -> int:
    from .core import assess
    from .core.text import assessment_to_json, format_assessment
    case = load_case_arg(args, args.case)
    a = assess(case)
    print(assessment_to_json(a) if args.json else format_assessment(a), end="")
    return EXIT_OK


def cmd_report(args) -> int:
    from .report.pdf import ReportError, render_pdf
    case = load_case_arg(args, args.case)
    if not args.identified:
        _refuse_phi(args, case)  # render_pdf de-identifies itself
    try:
        info = render_pdf(case, Path(args.output), draft=args.draft, identified=args.identified,
                          include_assessment=not args.no_assessment)
    except ReportError as exc:  # ReportRefused (no consent) included
        raise CliError(str(exc), EXIT_INVALID) from None
    print(f"wrote {args.output} ({info.pages} pages)")
    return EXIT_OK


def cmd_audit(args) -> int:
    lib = _library(args, read_only=True)
    try:
        cid = resolve_case_id(lib, args.case)
        rows = lib.audit(cid)
    finally:
        lib.close()
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
    from .store.backup import backup, prune
    lib = _library(args, read_only=True)  # reading is enough, also while a window has it open
    try:
        path = backup(lib, Path(args.to) if args.to else None)
    finally:
        lib.close()
    if not args.to:  # the automatic folder keeps its rotation; a folder of your own is yours
        prune(library_path(args))
    print(path)
    return EXIT_OK


def cmd_restore(args) -> int:
    from .store.backup import backup_folder, restore
    path = library_path(args)
    source = Path(args.backup)
    if not source.exists() and (backup_folder(path) / source.name).exists():
        source = backup_folder(path) / source.name  # a bare name from the backup folder
    if not source.exists():
        raise CliError(f"no backup file {source} (casebook check lists the newest backup)", EXIT_INVALID)
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


# --- plumbing -------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="casebook",
        description="Write up calciphylaxis case reports. With no command, opens the Casebook window.",
    )
    p.add_argument("--library", metavar="PATH",
                   help="the library file (default: $CASEBOOK_LIBRARY or the user data folder)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("init", help="create a new, empty library file")
    s.add_argument("path")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("list", help="list the cases of the library")
    s.add_argument("--json", action="store_true")
    s.add_argument("--search", help="only cases whose title, keywords, sites or outcome contain this")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("import", help="import a case file (JSON); prints the new case id")
    s.add_argument("file")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("export-json", help="write a case as a JSON case file")
    s.add_argument("case", metavar="CASE")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.add_argument("--deidentified", action="store_true", help="de-identify first (Safe Harbor)")
    s.add_argument("--allow-phi-warnings", action="store_true",
                   help="export even when the free-text scan finds possible identifiers")
    s.set_defaults(func=cmd_export_json)

    s = sub.add_parser("demo", help="add the demo case (Smilnak et al. 2022) to the library")
    s.set_defaults(func=cmd_demo)

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
    s.add_argument("--allow-phi-warnings", action="store_true",
                   help="write the report even when the free-text scan finds possible identifiers")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("export-fhir", help="write a case as a de-identified FHIR R4B document bundle")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.add_argument("--allow-phi-warnings", action="store_true")
    s.set_defaults(func=cmd_export_fhir)

    s = sub.add_parser("export-docx", help="write the de-identified manuscript as a Word file (.docx)")
    s.add_argument("case", metavar="CASE|FILE.json")
    s.add_argument("-o", "--output", required=True, metavar="OUT.docx")
    s.add_argument("--draft", action="store_true", help="allow a manuscript without consent, headed DRAFT")
    s.add_argument("--identified", action="store_true", help="include identifiers and dates (own records only)")
    s.add_argument("--allow-phi-warnings", action="store_true",
                   help="write the manuscript even when the free-text scan finds possible identifiers")
    s.set_defaults(func=cmd_export_docx)

    s = sub.add_parser("export-redcap", help="write a REDCap data dictionary and import CSV (de-identified)")
    s.add_argument("cases", nargs="*", metavar="CASE", help="cases to export (default: every case)")
    s.add_argument("-o", "--output", required=True, metavar="DIR")
    s.add_argument("--allow-phi-warnings", action="store_true")
    s.set_defaults(func=cmd_export_redcap)

    s = sub.add_parser("export-labs-csv", help="write every lab value as a long-format CSV (de-identified)")
    s.add_argument("cases", nargs="*", metavar="CASE", help="cases to export (default: every case)")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.add_argument("--allow-phi-warnings", action="store_true")
    s.set_defaults(func=cmd_export_labs)

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
    return p



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
