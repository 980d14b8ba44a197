"""What the window's thread reads and writes: SQL statements on the window's own connection, new
SQLite connections opened on that thread, and files opened there under given folders.

The statements come from SQLite's trace callback on the connection (which tells on which thread a
statement ran); the connections and file opens from Python's audit events ("sqlite3.connect",
"open"), which every ``open``, ``Path.read_bytes``, ``os.open`` and ``sqlite3.connect`` raises.
A test that moves work to a worker proves it with an empty trace; if the work comes back to the
window's thread, the trace names it.
"""
from __future__ import annotations

import os
import sqlite3
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

_state: dict = {}


def _hook(event: str, args: tuple) -> None:
    watch = _state.get("watch")
    if watch is None or threading.current_thread() is not watch["thread"]:
        return
    if event == "sqlite3.connect":
        watch["seen"].append(f"connect {args[0]}")
    elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        try:
            path = os.path.abspath(os.fsdecode(args[0]))
        except (TypeError, ValueError):
            return
        if any(path.startswith(folder) for folder in watch["folders"]):
            watch["seen"].append(f"open {path}")


_installed = False


@contextmanager
def gui_thread_io(conn, folders=()):
    """Within: collect, as strings, what the calling (GUI) thread does — every statement on ``conn``
    run on this thread, every SQLite connection it opens, every file it opens under ``folders``."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)  # cannot be removed: it does nothing outside this block
        _installed = True
    thread = threading.current_thread()
    seen: list[str] = []

    def trace(statement: str) -> None:
        if threading.current_thread() is thread:
            seen.append(f"sql {statement}")
    conn.set_trace_callback(trace)
    _state["watch"] = {"thread": thread, "seen": seen,
                       "folders": [os.path.abspath(str(Path(f))) + os.sep for f in folders]}
    try:
        yield seen
    finally:
        _state.pop("watch", None)
        try:
            conn.set_trace_callback(None)
        except sqlite3.ProgrammingError:  # the block closed the connection (a window closing)
            pass
