"""Synthetic test data shared by several test modules (never real patient data)."""
from __future__ import annotations

from desktop.model import (Case, Event, Identifiers, LabResult, Lesion, Observation, RecordNumber,
                           Treatment, When)


def synthetic_case(n_labs: int = 6, n_events: int = 4, n_lesions: int = 2, seed: int = 0) -> Case:
    c = Case(title=f"Synthetic calciphylaxis case report {seed}", keywords=["calciphylaxis", "synthetic"])
    for i in range(n_events):
        c.events.append(Event(id=f"e{i}", kind="presentation" if i == 0 else "follow_up",
                              description=f"event {i}", when=When(offset=float(i * 7))))
    c.index_event_id = "e0" if n_events else None
    analytes = [("calcium", "mg/dL", 9.0), ("phosphate", "mg/dL", 5.0), ("albumin", "g/dL", 3.1)]
    for i in range(n_labs):
        code, unit, v = analytes[i % 3]
        c.labs.append(LabResult(id=f"l{i}", analyte=code, value=v + (i % 5) * 0.1, unit=unit,
                                when=When(offset=float(i // 3))))
    for i in range(n_lesions):
        c.lesions.append(Lesion(id=f"s{i}", site="thigh-anterior", laterality="left" if i % 2 else "right",
                                observations=[Observation(id=f"o{i}", length_mm=20.0, width_mm=10.0 + i)]))
    c.treatments.append(Treatment(id="t0", agent="sodium thiosulfate", treatment_class="sodium-thiosulfate",
                                  dose=25.0, dose_unit="g", times_per_week=3.0))
    return c


def identified_case() -> Case:
    """A synthetic case carrying every identifier class (fictional person)."""
    c = synthetic_case()
    c.identifiers = Identifiers(
        given_names="Hildegard Ottoline", family_name="Quenneville", date_of_birth="1941-03-07",
        record_numbers=[RecordNumber("MRN", "MRN-4471923")], street="17 Larkspur Close", city="Brackenfield",
        county="Wexcombe", state="OR", zip_code="97358", phone="(503) 555-0142", fax="503-555-0199",
        email="h.quenneville@example.org", ssn="078-05-1120", urls=["https://quenneville.example.org"],
        ip_addresses=["192.0.2.44"], relatives=["Bartholomew Quenneville"], other=["tattoo of a heron"],
    )
    c.events[0].when = When(date="2023-05-14")
    return c
