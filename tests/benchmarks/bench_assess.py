"""Benchmark of the assessment core (not collected by pytest).

    .venv/bin/python tests/benchmarks/bench_assess.py

Prints the time of ``assess`` on the demo case and on a synthetic case with 2,000 labs and
50 lesions of 10 observations each, with the ratio to the goals (5 ms and 50 ms).
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop import catalogue, jsonio  # noqa: E402
from desktop.core import assess  # noqa: E402
from desktop.demo import load_demo  # noqa: E402
from desktop.model import (BwatCua, Case, Comorbidity, Event, LabResult, Lesion, Medication, Observation,  # noqa: E402
                           Patient, Treatment, When)


def large_case(n_labs: int = 2000, n_lesions: int = 50, n_obs: int = 10, seed: int = 1) -> Case:
    """Synthetic (never real data): labs spread over two years, half of them anchored to events."""
    rnd = random.Random(seed)
    c = Case(title="Synthetic calciphylaxis benchmark: a case report", keywords=["calciphylaxis", "benchmark"])
    c.events = [Event(id=f"ev{i}", kind="presentation" if i == 0 else "laboratory", when=When(offset=float(i * 7 - 350)))
                for i in range(100)]
    c.events[0].when = When(offset=0.0)
    c.index_event_id = "ev0"
    c.patient = Patient(age_years=64, sex="female", weight_kg=70.0, height_cm=165.0, ckd_stage="5D",
                        dialysis_modality="haemodialysis", dialysis_start=When(offset=-6.5, precision="month"),
                        comorbidities=[Comorbidity("diabetes"), Comorbidity("obesity")])
    c.medications = [Medication(name="warfarin", drug_class="vitamin-k-antagonist", start=When(offset=-500.0)),
                     Medication(name="insulin", drug_class="insulin", doses_per_day=4.0, start=When(offset=-900.0))]
    analytes = catalogue.analytes()
    codes = sorted(c for c, a in analytes.items() if not a.qualitative_only)  # numbers only (no cultures)
    for i in range(n_labs):
        a = analytes[codes[i % len(codes)]]
        unit = a.si_unit if i % 3 == 0 else a.conventional_unit
        lo, hi = a.plausible["low"], a.plausible["high"]
        canonical = lo + (hi - lo) * rnd.uniform(0.02, 0.2)
        when = When(event_id=f"ev{rnd.randrange(100)}") if i % 2 else When(offset=float(rnd.randrange(-700, 60)))
        rr = a.reference_range
        c.labs.append(LabResult(id=f"lab{i}", analyte=a.code, value=round(a.from_canonical(canonical, unit), 3), unit=unit,
                                ref_low=None if (rr is None or i % 5 == 0 or rr["low"] is None) else a.convert(rr["low"], rr["unit"], unit),
                                ref_high=None if (rr is None or i % 5 == 0) else a.convert(rr["high"], rr["unit"], unit),
                                when=when))
    sites = ["thigh-anterior", "abdomen", "shin", "finger-2-pad", "glans-penis", "buttock", "calf", "toe-1"]
    tissues = ["necrotic", "slough", "granulation", "epithelial"]
    for j in range(n_lesions):
        les = Lesion(id=f"les{j}", site=sites[j % len(sites)], laterality="left" if j % 2 else "right",
                     onset=When(offset=float(-60 + j)))
        for k in range(n_obs):
            les.observations.append(Observation(
                id=f"o{j}-{k}", when=When(offset=float(k * 7)), length_mm=40.0 - k, width_mm=30.0 - k,
                morphology=["ulcer", "eschar"] if k < 5 else ["ulcer"], ulcerated="yes", tissue_type=tissues[k % 4],
                exudate_amount="light", purulence="yes" if k == 3 else "no", pain_0_10=6,
                bwat=BwatCua(4, 3, 2, 2, 3, 1)))
        c.lesions.append(les)
    c.treatments = [Treatment(agent="sodium thiosulfate", treatment_class="sodium-thiosulfate", dose=25.0, dose_unit="g",
                              times_per_week=3.0, during_dialysis="yes", start=When(offset=2.0), stop=When(offset=90.0))]
    return c


def best_ms(fn, repeat: int, number: int, clock=time.perf_counter) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = clock()
        for _ in range(number):
            fn()
        best = min(best, (clock() - t0) / number)
    return best * 1000


def main() -> None:
    demo = load_demo()
    big = large_case()
    assert jsonio.check_case(big) == [], "the synthetic case must be valid"
    assess(demo)  # warm the resource caches
    a = assess(big)
    print(f"  synthetic case: {len(big.labs)} labs, {len(big.lesions)} lesions × {len(big.lesions[0].observations)} "
          f"observations -> {len(a.findings)} findings, {len(a.derived)} derived values, tier {a.tier.tier}")
    # best of several runs, wall clock and process CPU time (the CPU figure is steadier on a busy machine)
    for name, case, goal, number in (("demo case", demo, 5, 50), ("synthetic case", big, 50, 3)):
        wall = best_ms(lambda: assess(case), repeat=5, number=number)
        cpu = best_ms(lambda: assess(case), repeat=5, number=number, clock=time.process_time)
        print(f"assess({name:14}): wall {wall:7.2f} ms  cpu {cpu:7.2f} ms   goal {goal} ms   ratio {wall / goal:.2f}")


if __name__ == "__main__":
    main()
