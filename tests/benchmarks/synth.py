"""Synthetic cases and libraries for the benchmarks (no real patient data)."""
from __future__ import annotations

import random
from pathlib import Path

from desktop.model import Case, Event, LabResult, Lesion, Observation, When
from desktop.store.library import create_library, open_library

ANALYTES = [("calcium", "mg/dL", 9.0), ("phosphate", "mg/dL", 5.0), ("albumin", "g/dL", 3.2),
            ("pth_intact", "pg/mL", 300.0), ("bun", "mg/dL", 40.0)]
SITES = ["thigh-anterior", "abdomen", "finger-2-pad", "toe-3", "glans-penis", "calf"]


def bench_case(i: int, n_labs: int = 50, n_events: int = 10, n_lesions: int = 3, n_obs: int = 2) -> Case:
    rng = random.Random(i)
    c = Case(title=f"Synthetic calciphylaxis case report {i}", keywords=["calciphylaxis", f"k{i % 97}"])
    for e in range(n_events):
        c.events.append(Event(id=f"e{e}", kind="presentation" if e == 0 else "follow_up",
                              description=f"Synthetic event {e} of case {i}", when=When(offset=float(e * 5 - 20))))
    c.index_event_id = "e0"
    for n in range(n_labs):
        code, unit, base = ANALYTES[n % len(ANALYTES)]
        c.labs.append(LabResult(id=f"l{n}", analyte=code, value=round(base * rng.uniform(0.8, 1.2), 1),
                                unit=unit, when=When(offset=float(n // len(ANALYTES) * 7 - 60))))
    for s in range(n_lesions):
        c.lesions.append(Lesion(id=f"s{s}", site=SITES[(i + s) % len(SITES)], laterality="left",
                                onset=When(offset=-30.0),
                                observations=[Observation(id=f"o{s}-{k}", when=When(offset=float(k * 14)),
                                                          length_mm=rng.uniform(5, 60), width_mm=rng.uniform(5, 40))
                                              for k in range(n_obs)]))
    return c


def build_library(path: Path, n_cases: int) -> Path:
    """Create (once) a library of ``n_cases`` synthetic cases at ``path``."""
    if path.exists():
        return path
    lib = create_library(path)
    # one transaction per case is how the app writes; for building a benchmark fixture we batch
    lib.conn.execute("PRAGMA synchronous = OFF")
    for i in range(n_cases):
        lib.add_case(bench_case(i))
    lib.close()
    return path
