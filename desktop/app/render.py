"""The PDF report (or the Word manuscript) rendered in a separate Python process, so the window
never waits for it. Part of the operations layer's export pipeline (:mod:`desktop.app.export`); the
command line renders in its own process directly (``use_process=False``), the window here.

A report of a large case (dozens of 12-megapixel photos, thousands of labs) keeps Python busy for
seconds. On a worker *thread* the window's own thread then waits for the interpreter lock before
each of its Python calls, and the event loop stalls for 50–130 ms at a time. Here the rendering runs
in a child process (``python -m desktop.app.render``) instead; the worker thread of the window
only reads the case, streams it to the child and waits for its answer, which costs it almost no
interpreter time.

What passes between them, over the child's standard input and output (never through a file, so no
copy of the case — identified or not — is left on disk):

- to the child: a header (the report's options and the order of the images), the case as its JSON
  document (:func:`desktop.jsonio.dump_bytes`, loaded without image bytes) and then each image's
  bytes (:meth:`~desktop.store.library.Library.media_bytes`), one by one;
- from the child: "ready" once the report writer is imported, progress fractions, and at the end
  either the PDF's bytes and a summary (pages, figures, warnings) or the error (its kind and its
  message for the user).

The Word manuscript (:func:`desktop.interop.docx.write_docx`) is rendered the same way
(``writer="docx"``): it decodes the same photos and draws the same charts.

The window's side writes an export with :func:`write_atomic`, so a cancelled or failed export never
leaves half a file, and cancelling kills the child at once. When no process can be started (no
Python executable to run, a system that forbids it) the report is rendered on the worker thread as
before, and :attr:`Rendered.note` says so for the status bar.

This module imports neither Qt nor the report writer at module level: the child imports only what
it needs, and starts in about 0.3–0.5 s.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable

from desktop.files import write_atomic

MODULE = "desktop.app.render"
CHILD_ARG = "--casebook-render-child"  # how the installed bundle's executable is told to be the child
CHILD_NICE = 10  # the child yields the CPU to the window (Linux/macOS)
_FRAME = struct.Struct("!cQ")  # kind (one byte), length of the payload
_STOP_WAIT_S = 2.0

# message kinds
HEADER, DOCUMENT, MEDIA = b"H", b"D", b"M"  # to the child
READY, PROGRESS, PDF, DONE, ERROR = b"R", b"P", b"B", b"O", b"X"  # from the child

render_lock = threading.Lock()  # the thread fallback: reportlab keeps global state, one render at a time
_children: set["Child"] = set()
_children_lock = threading.Lock()


def running_children(label: str | None = None) -> list["Child"]:
    """The child processes alive now (each is collected when its work ends or is cancelled): the
    rendering ones and the face-check ones, or only those of ``label`` ("report", "face-check")."""
    with _children_lock:
        return [c for c in _children if label is None or c.label == label]


class RenderFailed(Exception):
    """The child stopped without an answer, or failed in a way the report writer did not name."""


class ProcessUnavailable(Exception):
    """No child process could be started (the fallback renders on the worker thread)."""


@dataclass
class Rendered:
    """What a render produced: the PDF (bytes, or the path it was written to), the report writer's
    summary, and a note for the status bar when it had to fall back to a thread."""
    data: bytes | None
    path: Path | None
    info: Any  # desktop.report.pdf.ReportInfo
    note: str = ""
    in_process: bool = True
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


# --- framing ----------------------------------------------------------------------------------------

def _send(fh: BinaryIO, kind: bytes, payload: bytes = b"") -> None:
    fh.write(_FRAME.pack(kind, len(payload)))
    if payload:
        fh.write(payload)


def _read_exact(fh: BinaryIO, n: int) -> bytes:
    if n == 0:
        return b""
    data = fh.read(n)
    if data is None or len(data) < n:
        raise EOFError("the other side stopped")
    return data


def _recv(fh: BinaryIO) -> tuple[bytes, bytes]:
    kind, n = _FRAME.unpack(_read_exact(fh, _FRAME.size))
    return kind, _read_exact(fh, n)


def _expect(fh: BinaryIO, kind: bytes) -> bytes:
    got, payload = _recv(fh)
    if got != kind:
        raise EOFError(f"expected a {kind!r} frame, got {got!r}")
    return payload


# --- the child ----------------------------------------------------------------------------------------

def child_streams() -> tuple[BinaryIO, BinaryIO]:
    """A child's side of the pipes, (input, output), set up once at its start: the protocol owns the
    real stdout, so anything a library prints goes to stderr instead; and the child yields the CPU
    to the window (Linux/macOS)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(CHILD_NICE)
    return sys.stdin.buffer, out


def child_main() -> int:
    """``python -m desktop.app.render``: read one case from stdin, write one PDF to stdout."""
    inp, out = child_streams()
    lock = threading.Lock()

    def send(kind: bytes, payload: bytes = b"") -> None:
        with lock:
            _send(out, kind, payload)
            out.flush()

    def fail(exc: BaseException) -> int:
        from ..codec import InvalidCase
        names = {c.__name__ for c in type(exc).__mro__}
        kind = ("refused" if "ReportRefused" in names else "report" if "ReportError" in names
                else "invalid" if isinstance(exc, InvalidCase) else "other")
        message = str(exc) if kind != "other" else f"{type(exc).__name__}: {exc}"
        if kind == "other":
            import traceback
            traceback.print_exc(file=sys.stderr)
        send(ERROR, json.dumps({"kind": kind, "message": message}).encode("utf-8"))
        return 1

    try:
        from ..codec import from_trusted
        from ..model import Case
        from ..report import pdf  # noqa: F401  (the writers' common part, imported while the window sends)
    except Exception as exc:  # the parent falls back to rendering on its thread
        return fail(exc)
    send(READY)
    try:
        header = json.loads(_expect(inp, HEADER))
        doc = json.loads(_expect(inp, DOCUMENT))
        images = {mid: _expect(inp, MEDIA) for mid in header["figures"]}
    except (EOFError, ValueError):
        return 1  # the window went away (cancelled): nothing to answer
    try:
        # the document comes from the window's own library, read a moment ago: decoded as the
        # library decodes its rows (no second validation)
        case = from_trusted(Case, {k: v for k, v in doc.items() if k not in ("format", "version")})
        for m in case.figures:
            if m.id in images:
                m.data = images[m.id]
        last = [-1.0]

        def progress(fraction: float) -> None:
            if fraction - last[0] >= 0.01 or fraction >= 1.0:
                last[0] = fraction
                send(PROGRESS, f"{fraction:.4f}".encode("ascii"))

        buf = io.BytesIO()
        info = _writer(header.get("writer", "pdf"))(
            case, buf, draft=header["draft"], identified=header["identified"],
            include_assessment=header["include_assessment"], progress=progress, journal=header.get("journal"))
    except Exception as exc:
        return fail(exc)
    send(PDF, buf.getvalue())
    send(DONE, json.dumps({"type": type(info).__name__, **dataclasses.asdict(info)}).encode("utf-8"))
    return 0


def _writer(name: str):
    """The writer function by name: ``render_pdf`` or ``write_docx`` (same arguments)."""
    if name == "pdf":
        from ..report.pdf import render_pdf
        return render_pdf
    if name == "docx":
        from ..interop.docx import write_docx
        return write_docx
    raise ValueError(f"no report writer {name!r}")


def _info(writer: str, summary: dict):
    """The writer's summary object again, from the child's answer."""
    summary = {k: v for k, v in summary.items() if k != "type"}
    if writer == "docx":
        from ..interop.docx import DocxInfo
        return DocxInfo(**summary)
    from ..report.pdf import ReportInfo
    return ReportInfo(**summary)


# --- the window's side ---------------------------------------------------------------------------------

def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


class Child:
    """One rendering process. :meth:`stop` may be called from any thread (Cancel)."""

    def __init__(self, proc: subprocess.Popen, label: str = "report"):
        self.proc = proc
        self.label = label  # which kind of child: "report", "face-check"
        self.stopped = False

    @classmethod
    def start(cls, on_cancel: Callable[[Callable[[], None]], None] | None = None, *,
              module: str = MODULE, child_arg: str = CHILD_ARG, label: str = "report") -> "Child":
        """Start a child (``python -m module``; in the bundle, its executable with ``child_arg``) and
        wait until it is ready. ``on_cancel`` (a Progress's) gets the child's :meth:`kill` at once,
        so Cancel ends it even while it is still starting. Other children (the face check,
        :mod:`desktop.app.face_process`) speak the same framing."""
        env = dict(os.environ)
        root = _package_root()  # the child finds this Casebook also when run from a source tree
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        kw: dict[str, Any] = {}
        if sys.platform == "win32":
            kw["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0) | getattr(
                subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)
        # frozen (the installed bundle): the bundle's own executable is the child (desktop.packaging.entry)
        cmd = [sys.executable, child_arg] if getattr(sys, "frozen", False) else [sys.executable, "-m", module]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    env=env, cwd=tempfile.gettempdir(), close_fds=True, **kw)
        except (OSError, ValueError) as exc:
            raise ProcessUnavailable(f"{sys.executable} could not be started ({exc})") from None
        child = cls(proc, label)
        with _children_lock:
            _children.add(child)
        if on_cancel is not None:
            on_cancel(child.kill)
        try:
            kind, payload = _recv(proc.stdout)
        except EOFError:
            code = child.stop()
            raise ProcessUnavailable(f"the {label} process ended at start (exit code {code})") from None
        if kind != READY:
            child.stop()
            reason = json.loads(payload).get("message", "") if kind == ERROR else f"unexpected {kind!r}"
            raise ProcessUnavailable(f"the {label} process could not start ({reason})")
        return child

    def send(self, kind: bytes, payload: bytes = b"") -> None:
        try:
            _send(self.proc.stdin, kind, payload)
        except (BrokenPipeError, OSError, ValueError):
            raise EOFError("the report process stopped") from None

    def finish_input(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.proc.stdin.flush()
            self.proc.stdin.close()

    def recv(self) -> tuple[bytes, bytes]:
        return _recv(self.proc.stdout)

    def kill(self) -> None:
        """Cancel: end the child now (it writes nothing to disk). Safe from any thread; the worker
        reading its answer sees the end of its output and collects it with :meth:`stop`."""
        self.stopped = True
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.kill()

    def stop(self) -> int | None:
        """End the child (at once: it writes nothing to disk) and collect it; its exit code."""
        self.stopped = True
        proc = self.proc
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(_STOP_WAIT_S)
        for fh in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if fh is not None:
                    fh.close()
        with _children_lock:
            _children.discard(self)
        return proc.returncode


def _raise_child_error(payload: bytes) -> None:
    err = json.loads(payload)
    kind, message = err.get("kind"), err.get("message", "")
    if kind in ("refused", "report"):
        from ..report.errors import ReportError, ReportRefused
        raise (ReportRefused if kind == "refused" else ReportError)(message)
    if kind == "invalid":
        raise RenderFailed(f"The case could not be read for the report: {message}")
    raise RenderFailed(f"The report could not be made ({message}). Nothing was written.")


def _no_progress(*_a, **_k) -> None:
    return None


def render(case, *, figure_bytes: Callable[[str], bytes], out: str | os.PathLike | BinaryIO | None = None,
           writer: str = "pdf", use_process: bool = True, progress: Callable[..., None] | None = None,
           draft: bool = False, identified: bool = False, include_assessment: bool = True,
           journal: str | None = None) -> Rendered:
    """Render ``case`` (loaded without image bytes; ``media_bytes(id)`` gives them) with the report
    writer ``writer`` ("pdf" or "docx"), in a child process when ``use_process`` (falling back to
    this thread when none can be started). ``out``: write there (a path, atomically; or a binary
    stream), else return the bytes (:attr:`Rendered.data`). ``progress`` may be a
    :class:`desktop.app.progress.Progress` (it raises ``Cancelled``; its ``on_cancel`` hook kills the
    child at once). The caller has run the identifier scan: this only renders."""
    progress = progress or _no_progress
    t0 = time.perf_counter()
    opts = dict(draft=draft, identified=identified, include_assessment=include_assessment, journal=journal)
    note = ""
    if use_process:
        progress(0.02, text="starting the report process")
        hook = getattr(progress, "on_cancel", None)
        try:
            child = Child.start(hook if callable(hook) else None)
        except ProcessUnavailable as exc:
            _check(progress)  # cancelled while it started: no fallback
            note = (f"The report was rendered inside the window because {exc}; the window may pause "
                    "briefly while it renders.")
        else:
            try:
                return _render_in_child(child, figure_bytes, case, out, progress, t0, writer=writer, **opts)
            finally:
                child.stop()
    import copy
    case = copy.copy(case)
    case.figures = [dataclasses.replace(m, data=m.data if m.data is not None else figure_bytes(m.id))
                  for m in case.figures]
    return _render_in_thread(case, out, progress, t0, note, writer=writer, **opts)


def render_report(library_path: str | os.PathLike, case_id: str, out: str | os.PathLike | None = None, *,
                  draft: bool = False, identified: bool = False, include_assessment: bool = True,
                  confirmed: set | None = None, progress: Callable[..., None] | None = None,
                  use_process: bool = True, writer: str = "pdf", journal: str | None = None) -> Rendered:
    """Render a case of a library (read through a read-only connection of its own): the report
    preview's way, in the style of the journal profile ``journal`` (None: the writers' default).
    With ``confirmed`` (a de-identified render) the identifier scan runs first and raises
    :class:`desktop.app.export.PhiFound` with the hits not confirmed."""
    from ..store.library import open_library
    from .export import check_phi
    progress = progress or _no_progress
    progress(0.0, text="reading the case")
    with open_library(library_path, read_only=True) as lib:
        case = lib.load_case(case_id, figures=False)
        if confirmed is not None:
            progress(0.01, text="checking for identifiers")
            check_phi(case, confirmed)
        return render(case, figure_bytes=lambda mid: lib.figure_bytes(case_id, mid), out=out, writer=writer,
                      use_process=use_process, progress=progress, draft=draft, identified=identified,
                      include_assessment=include_assessment, journal=journal)


def _check(progress) -> None:
    check = getattr(progress, "check", None)
    if callable(check):
        check()


def _render_in_child(child: Child, figure_bytes, case, out, progress, t0: float, *, writer: str, **opts) -> Rendered:
    from .. import jsonio
    try:
        header = {**opts, "writer": writer, "figures": [m.id for m in case.figures]}
        child.send(HEADER, json.dumps(header).encode("utf-8"))
        child.send(DOCUMENT, jsonio.dump_bytes(case))
        for n, m in enumerate(case.figures):
            _check(progress)
            progress(0.02 + 0.03 * n / max(1, len(case.figures)), text="sending the images")
            child.send(MEDIA, m.data if m.data is not None else figure_bytes(m.id))
        child.finish_input()
        data: bytes | None = None
        while True:
            kind, payload = child.recv()
            if kind == PROGRESS:
                progress(0.05 + 0.9 * float(payload), text="rendering")
            elif kind == PDF:
                data = payload
            elif kind == DONE:
                break
            elif kind == ERROR:
                _raise_child_error(payload)
    except EOFError:
        _check(progress)  # cancelled: the child was stopped on purpose
        code = child.stop()
        raise RenderFailed(f"The report process stopped unexpectedly (exit code {code}). Nothing was "
                           "written.") from None
    _check(progress)
    info = _info(writer, json.loads(payload))
    assert data is not None
    return _deliver(data, out, info, progress, t0, note="", in_process=True)


def _render_in_thread(case, out, progress, t0: float, note: str, *, writer: str, **opts) -> Rendered:
    buf = io.BytesIO()
    with render_lock:
        info = _writer(writer)(case, buf, progress=lambda f: progress(0.05 + 0.9 * f, text="rendering"), **opts)
    return _deliver(buf.getvalue(), out, info, progress, t0, note=note, in_process=False)


def _deliver(data: bytes, out, info, progress, t0: float, *, note: str, in_process: bool) -> Rendered:
    if out is None:
        return Rendered(data, None, info, note, in_process, time.perf_counter() - t0)
    progress(0.97, text="writing the file")
    write_atomic(out, data)
    return Rendered(None, Path(out) if isinstance(out, (str, os.PathLike)) else None, info, note, in_process,
                    time.perf_counter() - t0)


if __name__ == "__main__":
    sys.exit(child_main())
