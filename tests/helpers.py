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


def small_jpeg(color=(180, 60, 60), size=(64, 48)) -> bytes:
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def full_case() -> Case:
    """A synthetic case with every kind of data the model holds (fictional patient)."""
    from desktop.model import (Author, BwatCua, Biopsy, Comorbidity, Consent, Differential, Imaging, Figure,
                               Medication, Vital)
    c = identified_case()
    c.title = "Proximal calciphylaxis on peritoneal dialysis: a case report"
    c.short_title = "Proximal calciphylaxis"
    c.authors = [Author(name="A. Author", affiliations=["Department of Nephrology, Example Hospital"],
                        corresponding=True, contribution="wrote the manuscript")]
    c.patient.age_years = 61
    c.patient.sex = "female"
    c.patient.ethnicity = "White"
    c.patient.weight_kg = 96.0
    c.patient.height_cm = 165.0
    c.patient.ckd_stage = "5D"
    c.patient.dialysis_modality = "peritoneal"
    c.patient.dialysis_start = When(offset=-3.0, precision="month", approximate=True)
    c.patient.comorbidities = [Comorbidity("diabetes", "type 2"), Comorbidity("obesity")]
    c.medications = [Medication(id="m-warf", name="warfarin", drug_class="vitamin-k-antagonist", dose=5.0,
                                dose_unit="mg", route="oral", frequency="daily",
                                start=When(offset=-2.0, precision="month")),
                     Medication(id="m-ins", name="insulin glargine", drug_class="insulin", doses_per_day=4.0)]
    c.vitals = [Vital(id="v1", kind="systolic_bp", value=132.0, unit="mmHg", when=When(event_id="e0")),
                Vital(id="v2", kind="temperature", value=38.4, unit="°C", when=When(event_id="e0"))]
    c.labs.append(LabResult(id="si-ca", analyte="calcium", value=2.6, unit="mmol/L", ref_low=2.1, ref_high=2.55,
                            when=When(offset=-10.0)))
    c.labs.append(LabResult(id="si-p", analyte="phosphate", value=2.4, unit="mmol/L", when=When(offset=-10.0),
                            dialysis_context="pre", expected_abnormal=True))
    c.lesions[0].site = "abdomen"
    c.lesions[0].laterality = "midline"
    c.lesions[0].onset = When(offset=-14.0)
    c.lesions[0].observations[0].morphology = ["ulcer", "eschar"]
    c.lesions[0].observations[0].ulcerated = "yes"
    c.lesions[0].observations[0].tissue_type = "necrotic"
    c.lesions[0].observations[0].exudate_amount = "moderate"
    c.lesions[0].observations[0].purulence = "yes"
    c.lesions[0].observations[0].pain_0_10 = 8
    c.lesions[0].observations[0].bwat = BwatCua(4, 3, 2, 3, 4, 2)
    c.lesions[1].site = "finger-2-pad"
    c.imaging = [Imaging(id="im1", modality="mammography", region="breasts", findings="vascular calcification",
                         vascular_calcification="yes", when=When(offset=2.0))]
    c.biopsies = [Biopsy(id="b1", site="abdomen", lesion_id="s0", result="confirmed",
                         findings="medial calcification of small vessels", when=When(offset=5.0))]
    c.treatments.append(Treatment(id="t1", kind="procedure", agent="surgical debridement",
                                  treatment_class="debridement", start=When(offset=12.0), response="improved"))
    c.diagnosis.basis = "biopsy"
    c.diagnosis.differentials = [Differential("warfarin-induced skin necrosis", "excluded", "timing")]
    c.outcome.status = "alive"
    c.outcome.when = When(offset=6.0, precision="month")
    c.outcome.wound_healing = "improved"
    c.manuscript.introduction = "Calciphylaxis on peritoneal dialysis is uncommon."
    c.manuscript.discussion = "The patient was seen at Brackenfield clinic by Dr Quenneville's team."
    c.manuscript.patient_perspective = "I was relieved when the wounds began to heal."
    c.consent = Consent(given_by="patient", date="2023-07-01", covers_images=True)
    c.figures = [Figure(id="img1", data=small_jpeg(), caption="Abdominal ulcer on day 2", lesion_id="s0"),
               Figure(id="img2", data=small_jpeg((90, 90, 200)), caption="Face", identifying=True)]
    return c
