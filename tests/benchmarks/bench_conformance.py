"""Benchmark of the journal conformance check (not collected by pytest).

    .venv/bin/python tests/benchmarks/bench_conformance.py

Prints the time of ``check_manuscript`` for every journal profile on the demo case, and on synthetic
manuscripts with many citation markers (50, 200, 500), against the Journal tab's limit for running
on the GUI thread (``desktop.gui.conformance_panel.FAST_ENOUGH_S``; above it the check runs on a
worker). Synthetic text only.
"""
from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.app.conformance import check_manuscript  # noqa: E402
from desktop.demo import load_demo  # noqa: E402
from desktop.journals import journal_ids  # noqa: E402
from desktop.model import Reference  # noqa: E402

LIMIT_S = 0.005  # desktop.gui.conformance_panel.FAST_ENOUGH_S (not imported: that module needs Qt)


def best_of(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def with_markers(n: int):
    case = copy.deepcopy(load_demo())
    case.references = [Reference(key=f"ref{i}", title=f"Synthetic reference {i}", year=2000 + i % 20)
                       for i in range(40)]
    case.manuscript.discussion = " ".join(f"Calciphylaxis is described in this way [@ref{i % 40}]."
                                          for i in range(n))
    return case


def main() -> int:
    demo = load_demo()
    check_manuscript(demo)  # profiles loaded once, as the window does on its first check
    print(f"limit for the GUI thread: {LIMIT_S * 1000:.1f} ms")
    for jid in journal_ids():
        t = best_of(lambda: check_manuscript(demo, jid))
        print(f"demo case, {jid:<22} {t * 1000:7.2f} ms  ({t / LIMIT_S:.2f}× the limit)")
    for n in (50, 200, 500):
        case = with_markers(n)
        t = best_of(lambda: check_manuscript(case, "bmj-case-reports"), 3)
        print(f"{n:>4} citation markers, bmj-case-reports {t * 1000:7.1f} ms  ({t / LIMIT_S:.1f}× the limit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
