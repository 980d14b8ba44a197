"""Benchmark of the case library (issue 2): a synthetic library of 10,000 cases (50 labs, 10 events,
3 lesions each), timed beside the same queries in raw sqlite3.

    .venv/bin/python tests/benchmarks/bench_store.py [--cases 10000] [--dir /tmp/casebook-bench]

Goals: open + list all cases, and load one whole case, within 2x of raw sqlite3. Prints figures and
ratios; asserts nothing (these machines are noisy)."""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from desktop import jsonio  # noqa: E402
from desktop.store.library import open_library  # noqa: E402
from synth import bench_case, build_library  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "casebook-bench"))
    args = ap.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{args.cases}.casebook"
    t0 = time.perf_counter()
    build_library(path, args.cases)
    print(f"library: {path} ({args.cases} cases, {path.stat().st_size / 1e6:.1f} MB; built/found in {time.perf_counter() - t0:.1f} s)")

    lib = open_library(path)
    ids = lib.case_ids()
    lib.close()
    target = ids[len(ids) // 2]

    def ours_list():
        lb = open_library(path, read_only=True)
        rows = lb.list_cases()
        lb.close()
        assert len(rows) == args.cases

    def raw_list():
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        rows = conn.execute("SELECT id, title, status, keywords, sites, outcome, updated_at FROM cases"
                            " ORDER BY updated_at DESC, id").fetchall()
        conn.close()
        assert len(rows) == args.cases

    lib = open_library(path, read_only=True)
    raw = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)

    def ours_load():
        lib.load_case(target)

    def raw_load():  # the same queries, rows left as text
        raw.execute("SELECT data FROM cases WHERE id = ?", (target,)).fetchone()
        raw.execute("SELECT part, data FROM parts WHERE case_id = ? ORDER BY part, position", (target,)).fetchall()
        raw.execute("SELECT data FROM identifiers WHERE case_id = ?", (target,)).fetchone()
        raw.execute("SELECT meta, bytes FROM figures WHERE case_id = ? ORDER BY position", (target,)).fetchall()

    def raw_load_decoded():  # the same queries, and the stored JSON parsed into Python values
        json.loads(raw.execute("SELECT data FROM cases WHERE id = ?", (target,)).fetchone()[0])
        [json.loads(d) for _, d in raw.execute(
            "SELECT part, data FROM parts WHERE case_id = ? ORDER BY part, position", (target,))]
        row = raw.execute("SELECT data FROM identifiers WHERE case_id = ?", (target,)).fetchone()
        json.loads(row[0]) if row else None
        [json.loads(m) for m, _ in raw.execute("SELECT meta, bytes FROM figures WHERE case_id = ? ORDER BY position", (target,))]

    rows = []
    for name, ours, base, rep in [("open + list all cases", ours_list, raw_list, 15),
                                  ("load one whole case", ours_load, raw_load, 300),
                                  ("  vs raw + JSON parse", ours_load, raw_load_decoded, 300)]:
        o, om = best(ours, rep)
        r, rm = best(base, rep)
        rows.append((name, o, r))
        print(f"{name:<24} casebook {o * 1e3:8.2f} ms (median {om * 1e3:.2f})   raw sqlite3 {r * 1e3:8.2f} ms"
              f" (median {rm * 1e3:.2f})   ratio {o / r:5.2f}x   goal <= 2x")
    lib.close()
    raw.close()

    # import one case: validate the JSON document and store it in one transaction
    doc = jsonio.dumps(bench_case(10**6))
    lib = open_library(path)
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        cid = lib.add_case(jsonio.loads(doc), keep_id=False)
        times.append(time.perf_counter() - t0)
        lib.delete_case(cid)
    lib.close()
    raw_doc = json.loads(doc)
    conn = sqlite3.connect(path)
    rtimes = []
    for k in range(20):
        t0 = time.perf_counter()
        with conn:
            conn.execute("INSERT INTO cases(id, created_at, updated_at, title, status, keywords, sites, outcome, data)"
                         " VALUES (?,?,?,?,?,?,?,?,?)", (f"raw{k}", "", "", raw_doc["title"], "draft", "", "", "", "{}"))
            conn.executemany("INSERT INTO parts(case_id, part, id, position, data) VALUES (?,?,?,?,?)",
                             [(f"raw{k}", part, it["id"], float(n), json.dumps(it))
                              for part in ("events", "labs", "lesions") for n, it in enumerate(raw_doc[part])])
        rtimes.append(time.perf_counter() - t0)
    with conn:
        conn.execute("DELETE FROM parts WHERE case_id LIKE 'raw%'")
        conn.execute("DELETE FROM cases WHERE id LIKE 'raw%'")
    conn.close()
    print(f"{'import one case':<24} casebook {min(times) * 1e3:8.2f} ms (median {statistics.median(times) * 1e3:.2f};"
          f" validates everything)   raw sqlite3 insert {min(rtimes) * 1e3:8.2f} ms   ratio {min(times) / min(rtimes):5.2f}x")


if __name__ == "__main__":
    main()
