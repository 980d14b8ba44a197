"""Importing, assessing, reporting, exporting and starting the window open no network socket.

How it is watched, in one subprocess that does all of it (the real CLI entry point, then the
real window start-up on Qt's offscreen platform, its event loop run for 1.5 s):

1. A Python audit hook (``sys.addaudithook``, installed before anything is imported) records every
   ``socket.*`` event -- ``socket.__new__``, ``connect``, ``bind``, ``getaddrinfo``,
   ``gethostbyname``, ``sendto`` ... -- and the ``urllib``/``http.client`` events. Sockets of the
   AF_UNIX family (Qt may speak to D-Bus or X11 locally) are allowed; anything else fails.
2. Qt's own C++ code does not pass through Python's audit hooks. Where ``strace`` is installed, the
   same subprocess runs under ``strace -f`` tracing the socket system calls of every thread and
   child, and any ``socket()``/``connect()``/``bind()`` with AF_INET, AF_INET6 or AF_PACKET fails
   the test. This is the reliable witness for C++ code.
3. Where strace is missing (it is not installed by the tests), the subprocess lists its open file
   descriptors at the end, while the window is still open, and looks up every socket inode in
   /proc/net/{tcp,tcp6,udp,udp6,raw,raw6}: an internet socket still open is caught, though one opened
   and closed in between would not be -- hence strace first.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from desktop.demo import DEMO_PATH

ROOT = Path(__file__).resolve().parent.parent

HOOK = r"""
import json, os, socket as _socket_module, sys
EVENTS = []
WATCHED = ("urllib.Request", "http.client.connect", "http.client.send", "ftplib.connect", "smtplib.connect",
           "poplib.connect", "imaplib.open", "nntplib.connect", "webbrowser.open")

def hook(event, args):
    if event == "socket.__new__":
        family = args[1]
        if family != _socket_module.AF_UNIX and family != -1:
            EVENTS.append(f"{event} family={family}")
        return
    if event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) != _socket_module.AF_UNIX:
            EVENTS.append(f"{event} {address!r}")
        return
    if event.startswith("socket.") or event in WATCHED:
        EVENTS.append(f"{event} {args!r}"[:200])

sys.addaudithook(hook)

"""

INET_SOCKETS = r"""
import os
def inet_sockets():
    inodes = set()
    for name in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
        try:
            with open(f"/proc/net/{name}") as fh:
                for line in fh.readlines()[1:]:
                    inodes.add(line.split()[9])
        except OSError:
            pass
    mine = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            mine.append(target)
    return mine

"""

CHILD = HOOK + INET_SOCKETS + r"""
import contextlib, io
from desktop.cli import main

lib, demo, out = sys.argv[1], sys.argv[2], sys.argv[3]
steps = {}

def cli(*argv):
    buf = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        code = main(["--library", lib, *argv])
    steps[" ".join(argv[:1])] = code
    if code != 0:
        print(f"casebook {' '.join(argv)} exited {code}: {err.getvalue()}", file=sys.stderr)
    return buf.getvalue()

cid = cli("import", demo).strip()
cli("assess", cid)
cli("assess", cid, "--json")
cli("report", cid, "-o", os.path.join(out, "report.pdf"), "--draft")
cli("export-json", cid, "-o", os.path.join(out, "case.json"), "--deidentified")
cli("export-fhir", cid, "-o", os.path.join(out, "fhir.json"))
cli("backup")
cli("check")

# the window, started the way `casebook` starts it
from PySide6.QtCore import QTimer
from desktop.gui.app import create_application, start
app = create_application([sys.argv[0]])
window = start(lib, True)
state = {}

def finish():  # while the window is up (Qt 6's quit() closes the windows)
    state["shown"] = window.isVisible() and window.library is not None
    state["open_inet"] = inet_sockets()
    app.quit()


QTimer.singleShot(1500, finish)
app.exec()
window.close()
from desktop.gui.workers import wait_for_all
wait_for_all()
print(json.dumps({"events": EVENTS, "steps": steps, **state}))
"""


def _run(tmp_path: Path, prefix: list[str]) -> tuple[dict, subprocess.CompletedProcess]:
    lib = tmp_path / "lib.casebook"
    out = tmp_path / "out"
    out.mkdir()
    from desktop.store.library import create_library
    create_library(lib).close()
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    (tmp_path / "runtime").mkdir(mode=0o700)
    env.pop("CASEBOOK_LIBRARY", None)
    proc = subprocess.run([*prefix, sys.executable, "-c", CHILD, str(lib), str(DEMO_PATH), str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["steps"] == {"import": 0, "assess": 0, "report": 0, "export-json": 0, "export-fhir": 0,
                               "backup": 0, "check": 0}, proc.stderr[-2000:]
    assert result["shown"], "the window did not show with the library open"
    assert (out / "report.pdf").stat().st_size > 10_000
    return result, proc


INET = re.compile(r"\b(socket|socketpair)\((AF_INET6?|AF_PACKET|PF_INET6?)\b|sa_family=(AF_INET6?|AF_PACKET)\b")
STRACE = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "signal=none", "-e",
          "trace=socket,socketpair,connect,bind,sendto,sendmsg", "-o"]


def test_importing_assessing_reporting_and_the_window_open_no_network_socket(tmp_path):
    """All three watchers at once; strace only where it is installed (the tests install nothing)."""
    trace = tmp_path / "trace.txt"
    prefix = [*STRACE, str(trace)] if shutil.which("strace") else []
    result, _ = _run(tmp_path, prefix)
    assert result["events"] == [], result["events"]
    assert result["open_inet"] == [], result["open_inet"]
    if prefix:
        lines = trace.read_text().splitlines()
        bad = [line for line in lines if INET.search(line)]
        assert bad == [], "\n".join(bad[:20])
        families = {m.group(1) for m in re.finditer(r"socket(?:pair)?\((\w+)", "\n".join(lines))}
        assert families <= {"AF_UNIX", "AF_LOCAL", "AF_NETLINK"}, families


def test_the_watchers_do_catch_an_internet_socket(tmp_path):
    """The negative control: a loopback socket made on purpose is seen by the audit hook, by the
    descriptor check, and (where installed) by strace -- so silence above means something."""
    code = HOOK + INET_SOCKETS + (
        "s = _socket_module.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "print(json.dumps({'events': EVENTS, 'open_inet': inet_sockets()}))\n")
    trace = tmp_path / "trace.txt"
    prefix = [*STRACE, str(trace)] if shutil.which("strace") else []
    proc = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    result = json.loads(proc.stdout)
    assert any(e.startswith("socket.__new__") for e in result["events"])
    assert any(e.startswith("socket.bind") for e in result["events"])
    assert len(result["open_inet"]) == 1
    if prefix:
        assert [line for line in trace.read_text().splitlines() if INET.search(line)]
