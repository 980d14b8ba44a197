"""Benchmark of the free-text PHI scan and the de-identification step (issue 6).

    .venv/bin/python tests/benchmarks/bench_phi.py

Prints throughput of scan_text over the synthetic corpus (tests/phi_corpus/), scan_case and
deidentify over the demo case, and the time for 50,000-character hostile fields; asserts nothing.
What matters: a whole case scans in well under a second, so exporters and the GUI can scan on demand,
and no input is quadratic (time per character stays flat from 10,000 to 50,000 characters)."""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.codec import from_plain  # noqa: E402
from desktop.demo import load_demo  # noqa: E402
from desktop.model import Identifiers, RecordNumber  # noqa: E402
from desktop.privacy import phi  # noqa: E402
from desktop.privacy.deidentify import deidentify  # noqa: E402


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    corpus = json.loads((ROOT / "tests" / "phi_corpus" / "corpus.json").read_text("utf-8"))
    items = [(from_plain(Identifiers, d["identifiers"]), d["dates"], t["text"])
             for d in corpus["documents"] for t in d["texts"]]
    chars = sum(len(t) for _, _, t in items)

    def scan_corpus():
        for ids, dates, text in items:
            phi.scan_text(text, ids, dates=dates)

    t = best(scan_corpus, 3)
    print(f"corpus: {len(items)} texts, {chars:,} chars in {t * 1000:.0f} ms "
          f"= {chars / t / 1e6:.2f} M chars/s ({t / len(items) * 1e6:.0f} µs per text)")

    demo = load_demo()
    demo_chars = sum(len(tf.text) for tf in phi.text_fields(demo))
    t = best(lambda: phi.scan_case(demo))
    print(f"scan_case(demo): {demo_chars:,} chars in {len(list(phi.text_fields(demo)))} fields: {t * 1000:.1f} ms")
    t = best(lambda: deidentify(demo))
    print(f"deidentify(demo): {t * 1000:.1f} ms")

    ids = Identifiers(given_names="Hildegard", family_name="Quenneville", date_of_birth="1948-03-07",
                      phone="(503) 555-0142", record_numbers=[RecordNumber("MRN", "0044719230")],
                      street="17 Larkspur Close", city="Brackenfield", zip_code="97358")
    prose = " ".join(t for _, _, t in items)
    shapes = {
        "clinical prose": prose,
        "digits and dashes": "1-" * 30000,
        "dotted words": "a." * 30000,
        "spaces": " " * 60000,
        "random symbols": "".join("0123456789-./: abAB@#()+,"[(i * 7919) % 25] for i in range(60000)),
    }
    print("hostile and long text (ms per 10k chars at 10k / 50k chars; flat = linear):")
    for name, text in shapes.items():
        per = []
        for n in (10_000, 50_000):
            sample = text[:n]
            t = best(lambda: phi.scan_text(sample, ids), 3)
            per.append(t / n * 10_000 * 1000)
        print(f"  {name:18s} {per[0]:7.1f} / {per[1]:7.1f}   ratio {per[1] / per[0]:.2f}")
    lens = [len(t) for _, _, t in items]
    print(f"corpus text length: median {statistics.median(lens):.0f}, max {max(lens)} chars")


if __name__ == "__main__":
    main()
