"""Synthetic cases and images for the report tests and the report benchmark (never real patient
data), plus checks that the synthetic cases are themselves valid case files."""
from __future__ import annotations

import hashlib
import io
import random

from PIL import Image, ImageDraw

from desktop import jsonio
from desktop.model import (Author, BwatCua, Case, Comorbidity, Consent, Diagnosis, Differential, Event,
                           Identifiers, Imaging, LabResult, Lesion, Figure, Medication, Manuscript,
                           Observation, Outcome, Patient, RecordNumber, Treatment, Vital, When)

# --- images -------------------------------------------------------------------------------------


def jpeg(width: int, height: int, *, orientation: int | None = None, exif_date: str | None = None,
         serial: str | None = None, quality: int = 88, seed: int = 0) -> bytes:
    """A JPEG with a gradient, a few shapes and an arrow pointing to the top of the *stored* image,
    optionally with EXIF orientation, capture date and camera serial."""
    rnd = random.Random(seed)
    im = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(im)
    for _ in range(6):
        x0, y0 = rnd.randrange(width), rnd.randrange(height)
        draw.ellipse([x0, y0, x0 + width // 8, y0 + height // 8],
                     fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw.polygon([(width // 2, 0), (width // 2 - width // 10, height // 5), (width // 2 + width // 10, height // 5)],
                 fill=(200, 30, 30))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if exif_date is not None:
        exif[0x0132] = exif_date  # DateTime
    if serial is not None:
        exif[0xA431] = serial  # BodySerialNumber
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, exif=exif.tobytes() if len(exif) else b"")
    return buf.getvalue()


def png_rgba(width: int, height: int) -> bytes:
    im = Image.new("RGBA", (width, height), (0, 120, 200, 128))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


# --- cases --------------------------------------------------------------------------------------

def full_case(*, consent: str = "patient", covers_images: bool = True) -> Case:
    """A complete synthetic case: every part of the report has something to show."""
    ev = [
        Event(id="ev-onset", kind="lesion_onset", description="Painful violaceous plaque on the left thigh",
              when=When(offset=-2, precision="month", approximate=True)),
        Event(id="ev-adm", kind="presentation", description="Admitted with a necrotic ulcer of the left thigh",
              when=When(offset=0)),
        Event(id="ev-ct", kind="imaging", description="CT of the thighs", when=When(offset=1)),
        Event(id="ev-bx", kind="biopsy", description="Punch biopsy of the ulcer edge", when=When(offset=3)),
        Event(id="ev-sts", kind="treatment_start", description="Sodium thiosulfate started", when=When(offset=4)),
        Event(id="ev-dc", kind="discharge", description="Discharged home", when=When(offset=21)),
        Event(id="ev-fu", kind="follow_up", description="Clinic review", when=When(offset=2, precision="month")),
    ]
    obs = [
        Observation(id="ob1", when=When(offset=0), length_mm=42, width_mm=30, depth_mm=3, morphology=["ulcer", "eschar"],
                    ulcerated="yes", tissue_type="necrotic", exudate_type="serous", exudate_amount="moderate",
                    pain_0_10=9, bwat=BwatCua(necrotic_tissue_type=4)),
        Observation(id="ob2", when=When(offset=21), length_mm=35, width_mm=24, tissue_type="slough",
                    exudate_amount="light", exudate_type="serous", pain_0_10=6),
        Observation(id="ob3", when=When(offset=2, precision="month"), length_mm=20, width_mm=14,
                    tissue_type="granulation", exudate_amount="light", pain_0_10=3),
    ]
    labs = [
        LabResult(id="l1", analyte="calcium", value=9.8, unit="mg/dL", ref_low=8.5, ref_high=10.1,
                  when=When(offset=-60, approximate=True)),
        LabResult(id="l2", analyte="phosphate", value=7.6, unit="mg/dL", ref_low=2.5, ref_high=4.9,
                  when=When(offset=-60, approximate=True)),
        LabResult(id="l3", analyte="calcium", value=2.2, unit="mmol/L", ref_low=2.12, ref_high=2.52, when=When(offset=0)),
        LabResult(id="l4", analyte="phosphate", value=1.9, unit="mmol/L", ref_low=0.81, ref_high=1.45, when=When(offset=0)),
        LabResult(id="l5", analyte="albumin", value=2.8, unit="g/dL", when=When(offset=0)),
        LabResult(id="l6", analyte="pth_intact", value=612, unit="pg/mL", when=When(offset=0)),
        LabResult(id="l7", analyte="bun", value=58, unit="mg/dL", when=When(offset=0), expected_abnormal=True,
                  dialysis_context="pre"),
        LabResult(id="l8", analyte="crp", value=5, comparator="<", unit="mg/L", when=When(offset=0)),
        LabResult(id="l9", analyte="calcium", value=9.0, unit="mg/dL", when=When(offset=21)),
        LabResult(id="l10", analyte="phosphate", value=5.1, unit="mg/dL", when=When(offset=21)),
        LabResult(id="l11", analyte="pth_intact", value=380, unit="pg/mL", when=When(offset=21)),
    ]
    case = Case(
        id="synthetic-full", title="Calciphylaxis of the thigh in a patient on peritoneal dialysis: a case report",
        short_title="Thigh calciphylaxis on peritoneal dialysis", status="draft",
        keywords=["calciphylaxis", "peritoneal dialysis", "sodium thiosulfate"],
        authors=[Author(name="Ana Núñez-Søndergaard", affiliations=["Department of Nephrology, Example Hospital"],
                        email="author@example.org", corresponding=True, contribution="wrote the first draft"),
                 Author(name="Ōta Kenji", affiliations=["Department of Dermatology, Example Hospital"],
                        contribution="reviewed the histology")],
        index_event_id="ev-adm",
        patient=Patient(age_years=58, sex="female", ethnicity="White", weight_kg=96.0, height_cm=165.0,
                        ckd_stage="5D", dialysis_modality="peritoneal",
                        dialysis_start=When(offset=-3, precision="month"), kidney_transplant="no",
                        comorbidities=[Comorbidity("diabetes", "insulin-treated")],
                        history="Type 2 diabetes for 20 years; obesity.",
                        presenting_concerns="A painful wound of the left thigh.",
                        social_history="Lives with her partner; never smoked."),
        medications=[Medication(id="m1", name="warfarin", drug_class="vitamin-k-antagonist", dose=5, dose_unit="mg", route="oral",
                                frequency="daily", start=When(offset=-12, precision="month"), stop=When(offset=1)),
                     Medication(id="m2", name="insulin glargine", drug_class="insulin", dose=30, dose_unit="IU",
                                route="subcutaneous", frequency="nightly", doses_per_day=1)],
        events=ev,
        vitals=[Vital(id="v1", kind="systolic_bp", value=142, unit="mmHg", when=When(offset=0)),
                Vital(id="v2", kind="diastolic_bp", value=88, unit="mmHg", when=When(offset=0)),
                Vital(id="v3", kind="temperature", value=37.9, unit="°C", when=When(offset=0))],
        lesions=[Lesion(id="les1", site="thigh-anterior", laterality="left", onset=When(event_id="ev-onset"),
                        description="Necrotic ulcer with a black eschar and a livedo rim.", observations=obs),
                 Lesion(id="les2", site="abdomen", laterality="midline", onset=When(offset=-10),
                        description="Indurated plaque.")],
        labs=labs,
        imaging=[Imaging(id="im1", modality="ct", region="thighs", findings="Extensive vascular calcification.",
                         vascular_calcification="yes", when=When(event_id="ev-ct"))],
        biopsies=[],
        treatments=[Treatment(id="t1", agent="sodium thiosulfate", treatment_class="sodium-thiosulfate", dose=25,
                              dose_unit="g", route="intravenous", schedule="three times a week after dialysis",
                              start=When(event_id="ev-sts"), stop=When(offset=2, precision="month"),
                              response="improved", response_detail="ulcer smaller, pain less"),
                    Treatment(id="t2", agent="sevelamer", treatment_class="non-calcium-binder", dose=800,
                              dose_unit="mg", route="oral", schedule="with meals", start=When(offset=1))],
        diagnosis=Diagnosis(basis="clinical", when=When(offset=2), reasoning="Typical lesions in a dialysis patient.",
                            differentials=[Differential("Warfarin skin necrosis", "considered", "timing")]),
        outcome=Outcome(status="alive", when=When(offset=2, precision="month"), wound_healing="improved",
                        patient_assessed="Pain much better.", summary="The ulcer is healing."),
        manuscript=Manuscript(
            abstract_background="Calciphylaxis is rare.", abstract_case="A woman on peritoneal dialysis.",
            abstract_conclusions="Early treatment helped.", introduction="An introduction with references [1].",
            clinical_findings="A 4 cm necrotic ulcer.", diagnostic_assessment="Labs and CT supported the diagnosis.",
            therapeutic_intervention="Sodium thiosulfate was given.", follow_up="She improved.",
            discussion="This case shows something.", conclusions="Treat early.",
            patient_perspective="I am glad the pain is gone.", ethics="Not applicable.",
            data_availability="Not applicable: all data are in the report.",
            competing_interests="None.", funding="None.", acknowledgements="The ward team.",
            references=["Nigwekar SU, et al. Calciphylaxis. N Engl J Med. 2018;378:1704-14."]),
        consent=Consent(given_by=consent, covers_images=covers_images),  # type: ignore[arg-type]
        figures=[Figure(id="p1", data=jpeg(640, 480, seed=1), caption="The thigh ulcer on admission",
                     lesion_id="les1", event_id="ev-adm"),
               Figure(id="p2", data=jpeg(640, 480, seed=2), caption="CT of the thighs", imaging_id="im1",
                     event_id="ev-ct")],
    )
    # through the JSON format, as every case arrives (whole numbers become floats, all is checked)
    return jsonio.loads(jsonio.dumps(case))


# Every HIPAA Safe Harbor class, fictional. Dates are checked in several written forms.
IDENT = dict(
    given_names="Hildegard Ottoline", family_name="Quenneville", dob="1941-03-07",
    mrn="MRN-4471923", plan="HPB-88120-77", street="17 Larkspur Close", city="Brackenfield", county="Wexcombe",
    zip="97358", phone="(503) 555-0142", fax="503-555-0199", email="h.quenneville@example.org",
    ssn="078-05-1120", url="https://quenneville.example.org", ip="192.0.2.44", relative="Bartholomew Quenneville",
    other="tattoo of a heron", admission="2023-05-14", discharge="2023-06-02", lab_day="2023-03-15",
    camera_serial="CAMSN-99173", exif_date="2023:05:15 10:12:00",
)


def date_forms(iso: str) -> list[str]:
    """The written forms of a date an identifier check must not find."""
    import datetime as dt
    d = dt.date.fromisoformat(iso)
    month = d.strftime("%B")
    return [iso, d.strftime("%m/%d/%Y"), d.strftime("%d/%m/%Y"), d.strftime("%d.%m.%Y"), d.strftime("%Y/%m/%d"),
            f"{month} {d.day}, {d.year}", f"{d.day} {month} {d.year}", d.strftime("%d-%b-%Y"),
            f"{d.strftime('%b')} {d.day}, {d.year}", d.strftime("%Y%m%d")]


def identifier_case(*, age: int = 82) -> Case:
    """A full case with every identifier class filled in and real calendar dates on its events."""
    c = full_case(consent="patient", covers_images=False)
    c.identifiers = Identifiers(
        given_names=IDENT["given_names"], family_name=IDENT["family_name"], date_of_birth=IDENT["dob"],
        record_numbers=[RecordNumber("MRN", IDENT["mrn"]), RecordNumber("health plan", IDENT["plan"])],
        street=IDENT["street"], city=IDENT["city"], county=IDENT["county"], state="OR", zip_code=IDENT["zip"],
        phone=IDENT["phone"], fax=IDENT["fax"], email=IDENT["email"], ssn=IDENT["ssn"], urls=[IDENT["url"]],
        ip_addresses=[IDENT["ip"]], relatives=[IDENT["relative"]], other=[IDENT["other"]])
    c.patient.age_years = age
    ev = {e.id: e for e in c.events}
    ev["ev-adm"].when = When(date=IDENT["admission"])
    ev["ev-ct"].when = When(date="2023-05-15")
    ev["ev-dc"].when = When(date=IDENT["discharge"])
    c.labs[0].when = When(date=IDENT["lab_day"])
    c.labs[1].when = When(date=IDENT["lab_day"])
    c.consent.date = "2023-06-01"
    # a photo with capture date and camera serial in its EXIF, and an identifying one (a face)
    c.figures[0].data = jpeg(800, 600, exif_date=IDENT["exif_date"], serial=IDENT["camera_serial"], seed=3)
    c.figures[0].sha256 = hashlib.sha256(c.figures[0].data).hexdigest()
    c.figures.append(Figure(id="face", data=jpeg(300, 400, seed=4), caption="Facial photograph", identifying=True,
                         event_id="ev-adm"))
    return c


# --- the synthetic cases are valid case files ---------------------------------------------------

def test_full_case_is_a_valid_case_file():
    case = full_case()
    assert jsonio.check_case(case) == []
    again = jsonio.loads(jsonio.dumps(case))
    assert again.title == case.title and len(again.figures) == 2 and again.figures[0].data == case.figures[0].data


def test_identifier_case_carries_every_identifier_class():
    case = identifier_case()
    assert jsonio.check_case(case) == []
    ids = case.identifiers
    filled = [f for f in ("given_names", "family_name", "date_of_birth", "record_numbers", "street", "city",
                          "county", "zip_code", "phone", "fax", "email", "ssn", "urls", "ip_addresses",
                          "relatives", "other") if getattr(ids, f)]
    assert len(filled) == 16
    assert "March 15, 2023" in date_forms(IDENT["lab_day"])


def test_jpeg_helper_writes_exif():
    data = jpeg(64, 32, orientation=6, exif_date=IDENT["exif_date"], serial="X1")
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (64, 32)
        assert im.getexif()[0x0112] == 6
