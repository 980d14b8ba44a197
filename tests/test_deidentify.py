"""The one de-identification step: no identifier and no calendar date survives, offsets are right,
old ages are aggregated, identifying images need image consent, the input is never changed."""
from __future__ import annotations

import copy
import dataclasses
import io
import re
import typing

import pytest
from PIL import Image

from desktop import jsonio
from desktop.codec import fields_of, hints
from desktop.model import (Author, Biopsy, Case, Consent, Event, Identifiers, Imaging, LabResult, Lesion, Figure,
                           Medication, Observation, RecordNumber, Treatment, Vital, When)
from desktop.privacy.deidentify import REMOVED, deidentify, is_deidentified
from desktop.privacy.phi import iter_whens, scan_case, text_fields

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
SERIAL = b"CAM-SERIAL-88213"


def _jpeg_with_exif(color=(200, 40, 40)) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0xA431] = SERIAL.decode()
    exif.get_ifd(0x8769)[0x9003] = "2021:03:05 14:22:10"
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), color).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def identified_case() -> Case:
    """A fictional patient carrying every identifier class, dated times everywhere, identifiers in prose."""
    ids = Identifiers(
        given_names="Hildegard Ottoline", family_name="Quenneville", date_of_birth="1930-03-07",
        record_numbers=[RecordNumber("MRN", "0044719230"), RecordNumber("health plan", "HX-4471-0923")],
        street="17 Larkspur Close", city="Brackenfield", county="Wexcombe County", state="Oregon",
        zip_code="97358", phone="(503) 555-0142", fax="503-555-0199", email="h.quenneville@example.org",
        ssn="078-05-1120", urls=["https://quenneville.example.org/blog"], ip_addresses=["192.0.2.44"],
        relatives=["Bartholomew Quenneville (son)"], other=["tattoo of a heron"],
    )
    c = Case(title="Calciphylaxis in a nonagenarian: a case report", keywords=["calciphylaxis", "warfarin"],
             identifiers=ids, source="synthetic test case")
    c.authors = [Author(name="Ada Author", affiliations=["Nephrology, Example Hospital, Portland"],
                        email="ada.author@example.org", corresponding=True)]
    c.patient.age_years = 93
    c.patient.sex = "female"
    c.patient.dialysis_start = When(date="2019-06-01", label="June 2019")
    c.patient.history = ("Mrs Quenneville (MRN 0044719230, DOB 03/07/1930) lives at 17 Larkspur Close, "
                         "Brackenfield, OR 97358; phone 503.555.0142, fax (503) 555-0199.")
    c.patient.social_history = "Her son Bartholomew visits; e-mail H.Quenneville@example.org; SSN 078 05 1120."
    c.events = [
        Event(id="adm", kind="presentation", description="Admitted with thigh ulcers", when=When(date="2021-03-05")),
        Event(id="bx", kind="biopsy", description="Biopsy 10 days later", when=When(date="2021-03-15", label="mid-March")),
        Event(id="on", kind="lesion_onset", description="First lesion",
              when=When(date="2021-01-04", approximate=True, label="early January")),
        Event(id="fu", kind="follow_up", description="Review", when=When(offset=4.0, precision="week")),
        Event(id="rel", kind="other", description="At the biopsy", when=When(event_id="bx")),
    ]
    c.index_event_id = "adm"
    c.medications = [Medication(id="m1", name="warfarin", drug_class="vitamin-k-antagonist", dose=5.0, dose_unit="mg",
                                start=When(date="2018-02-01"), stop=When(date="2021-03-06"))]
    c.vitals = [Vital(id="v1", kind="systolic_bp", value=87.0, unit="mmHg", when=When(date="2021-03-05"))]
    c.lesions = [Lesion(id="l1", site="thigh-anterior", laterality="left", onset=When(date="2021-01-04"),
                        description="Seen on 4 January 2021 at home in Brackenfield",
                        observations=[Observation(id="o1", when=When(date="2021-03-06"), length_mm=40.0,
                                                  note="photographed by her son Bartholomew")])]
    c.labs = [LabResult(id="ca", analyte="calcium", value=9.2, unit="mg/dL", when=When(date="2021-03-05")),
              LabResult(id="p", analyte="phosphate", value=9.0, unit="mg/dL", when=When(date="2021-01-04"))]
    c.imaging = [Imaging(id="ct", modality="ct", findings="Vascular calcification; PACS 192.0.2.44",
                         when=When(date="2021-03-07"))]
    c.biopsies = [Biopsy(id="b1", site="thigh-anterior", lesion_id="l1", result="confirmed",
                         findings="Accession 0044719230: medial calcification", when=When(date="2021-03-15"))]
    c.treatments = [Treatment(id="t1", agent="sodium thiosulfate", treatment_class="sodium-thiosulfate", dose=25.0,
                              dose_unit="g", start=When(date="2021-03-08"), stop=When(date="2021-04-19"))]
    c.diagnosis.basis = "biopsy"
    c.diagnosis.when = When(date="2021-03-15")
    c.outcome.status = "dead"
    c.outcome.when = When(date="2021-06-03")
    c.manuscript.discussion = ("Quenneville died on June 3, 2021 (see https://quenneville.example.org/blog). "
                              "quenneville's case shows a tattoo of a heron; HX-4471-0923 covered it.")
    c.manuscript.references = ["Nigwekar SU et al. Calciphylaxis. N Engl J Med. 2018;378:1704-14. doi:10.1056/NEJMra1505292"]
    c.consent = Consent(given_by="next_of_kin", date="2021-07-01", covers_images=False)
    c.figures = [Figure(id="img-ok", data=_jpeg_with_exif(), caption="Thigh ulcer on 2021-03-06", lesion_id="l1"),
               Figure(id="img-face", data=_jpeg_with_exif((40, 40, 200)), caption="Face of Mrs Quenneville",
                     identifying=True, event_id="adm")]
    from desktop.privacy.faces import may_show_face
    for m in c.figures:
        m.sha256 = __import__("hashlib").sha256(m.data).hexdigest()
        # looked at by the face check, as every image read from a case file or stored is
        m.may_show_face, m.face_checked = m.may_show_face or may_show_face(m.data), True
    assert jsonio.check_case(c) == []
    return c


def _identifier_strings(ids: Identifiers) -> list[str]:
    out = [ids.given_names, ids.family_name, *ids.given_names.split(), ids.date_of_birth, ids.street, ids.city,
           "Wexcombe", ids.zip_code, ids.phone, "555-0142", "5550142", "555-0199", ids.email, ids.ssn, "1120",
           "quenneville.example.org", ids.ip_addresses[0], "Bartholomew", "heron", "0044719230", "44719230",
           "HX-4471-0923", "03/07/1930", "Larkspur"]
    return [s for s in out if s]


def test_no_identifier_and_no_calendar_date_survives():
    case = identified_case()
    out = deidentify(case)
    text = jsonio.dumps(out)
    low = text.lower()
    for s in _identifier_strings(case.identifiers):
        assert s.lower() not in low, s
    assert not ISO.search(text), ISO.search(text)
    assert out.identifiers == Identifiers()
    assert out.consent.date is None
    assert all(w.date is None for w in iter_whens(out))
    assert is_deidentified(out) and not is_deidentified(case)
    # what is left is still a valid case file that round-trips
    assert jsonio.check_case(out) == []
    assert jsonio.dumps(jsonio.loads(text)) == text


def test_dates_become_offsets_from_the_index_event():
    ids: dict[str, str] = {}
    out = deidentify(identified_case(), id_map=ids)
    back = {new: old for old, new in ids.items()}
    ev = {back[e.id]: e.when for e in out.events}
    assert (ev["adm"].offset, ev["adm"].precision) == (0.0, "day")
    # an event dated 10 days after the dated index event is day 10; the label's month is a date element too
    assert ev["bx"] == When(offset=10.0, precision="day", label=f"mid-{REMOVED}")
    assert ev["on"] == When(offset=-60.0, approximate=True, label=f"early {REMOVED}")
    assert ev["fu"] == When(offset=4.0, precision="week")  # relative times are untouched
    assert ev["rel"] == When(event_id=ids["bx"])  # the reference follows the opaque id
    assert out.medications[0].start.offset == -1128.0 and out.medications[0].stop.offset == 1.0
    assert out.vitals[0].when.offset == 0.0
    assert out.lesions[0].onset.offset == -60.0
    assert out.lesions[0].observations[0].when.offset == 1.0
    assert [lab.when.offset for lab in out.labs] == [0.0, -60.0]
    assert out.imaging[0].when.offset == 2.0
    assert out.biopsies[0].when.offset == 10.0
    assert (out.treatments[0].start.offset, out.treatments[0].stop.offset) == (3.0, 45.0)
    assert out.diagnosis.when.offset == 10.0
    assert out.outcome.when.offset == 90.0
    assert out.patient.dialysis_start == When(offset=-643.0, label=REMOVED)


def test_a_month_or_a_year_becomes_an_offset_at_its_precision():
    """Miura et al. (Case Rep Dermatol 2017): "started hemodialysis in 2005", seen in June 2015, a lesion
    from 2012. De-identification read only whole dates: it turned each into an unknown time, and the
    free-text pass removed the time's own date field ("2015-06") before it could be placed, so every
    de-identified export (the manuscript included) lost the dialysis vintage of a case dated so."""
    from pathlib import Path
    from desktop.core import assess
    path = Path(__file__).parent / "cases" / "thighs-ankle-long-vintage.json"
    case = jsonio.loads(path.read_text("utf-8"))
    out = deidentify(case)
    assert all(w.date is None for w in iter_whens(out)) and is_deidentified(out)
    assert (out.index_event.when.offset, out.index_event.when.precision) == (0.0, "day")
    start = out.patient.dialysis_start  # 2005 (mid-year) to June 2015 (mid-month): about 10 years
    assert start.precision == "year" and round(start.offset) == -10
    assert out.lesions[3].onset.precision == "year" and round(out.lesions[3].onset.offset) == -3
    vintage = [(d.value, d.alt_value) for d in assess(out).derived if d.kind == "dialysis_vintage"]
    assert vintage == [(d.value, d.alt_value) for d in assess(case).derived if d.kind == "dialysis_vintage"]
    assert vintage and vintage[0][1] == 10.0  # years, as the source's 2005 and 2015 give it


def test_dates_are_dropped_when_the_index_event_has_no_date():
    case = identified_case()
    case.events[0].when = When(label="admission")
    out = deidentify(case)
    for w in iter_whens(out):
        assert w.date is None
    bx = out.events[1].when
    assert bx.offset is None and bx.event_id is None and not bx.is_set
    assert bx.label  # the source's words stay
    assert out.events[3].when == When(offset=4.0, precision="week")
    case.index_event_id = None
    assert all(w.date is None for w in iter_whens(deidentify(case)))


def test_free_text_identifiers_are_replaced_authors_and_references_kept():
    case = identified_case()
    out = deidentify(case)
    assert out.patient.history == ("Mrs [removed] (MRN [removed], DOB [removed]) lives at [removed], [removed], "
                                   "OR [removed]; phone [removed], fax [removed].")
    assert out.patient.social_history == "Her son [removed] visits; e-mail [removed]; SSN [removed]."
    assert out.manuscript.discussion == "[removed] died on [removed] (see [removed]). [removed]'s case shows a [removed]; [removed] covered it."
    assert out.lesions[0].description == f"Seen on {REMOVED} at home in {REMOVED}"
    assert out.figures[0].caption == f"Thigh ulcer on {REMOVED}"
    assert out.authors == case.authors
    assert out.manuscript.references == case.manuscript.references
    assert out.lesions[0].observations[0].note == f"photographed by her son {REMOVED}"
    # the case's own identifiers are gone from every free-text field the scan knows of
    own = {h.text.lower() for h in scan_case(out) if h.kind in ("name", "record_number", "ssn", "email", "phone", "fax")}
    assert not own, own


def test_age_over_89_becomes_90_or_older():
    case = identified_case()
    out = deidentify(case)
    assert out.patient.age_years is None and out.patient.age_over_89 is True
    case.patient.age_years = 89
    young = deidentify(case)
    assert young.patient.age_years == 89 and young.patient.age_over_89 is False


def test_identifying_image_needs_image_consent():
    case = identified_case()
    ids: dict[str, str] = {}
    out = deidentify(case, id_map=ids)
    assert [m.id for m in out.figures] == [ids["img-ok"]]
    case.consent.covers_images = True
    ids = {}
    with_consent = deidentify(case, id_map=ids)
    assert [m.id for m in with_consent.figures] == [ids["img-ok"], ids["img-face"]]


def test_kept_images_lose_their_metadata_and_are_upright():
    case = identified_case()
    case.consent.covers_images = True
    out = deidentify(case)
    for before, after in zip(case.figures, out.figures):
        assert SERIAL in before.data and SERIAL not in after.data and b"Exif" not in after.data
        assert (after.width_px, after.height_px) == (20, 30)  # orientation 6 applied
        assert after.sha256 == __import__("hashlib").sha256(after.data).hexdigest()
        assert Image.open(io.BytesIO(after.data)).format == "JPEG"


def test_unreadable_image_bytes_never_leave():
    case = identified_case()
    case.figures[0].data = b"\xff\xd8 not really a jpeg " + SERIAL
    case.figures[0].sha256 = ""
    out = deidentify(case)
    assert out.figures[0].data is None and out.figures[0].sha256 == "" and out.figures[0].caption
    assert SERIAL.decode() not in jsonio.dumps(out)


def test_the_input_is_not_changed():
    case = identified_case()
    before = jsonio.dumps(case)
    snapshot = copy.deepcopy(case)
    deidentify(case)
    assert jsonio.dumps(case) == before
    assert case == snapshot


# --- hostile text everywhere ----------------------------------------------------------------------

HOSTILE = [
    "<para><b>bold</b> <font name='Nope'>x</font> &amp; & <br/> <unclosed <i>",
    "مريضة \u202eRTL override\u202c עברית ‏Quenneville‏",
    "😀🩺🦶🏿 emoji 👍🏽 " * 20,
    "NUL\x00byte \x1b[0m\x07 control",
    ("long Quenneville 2021-03-05 503-555-0142 " * 1300)[:50_000],
]


def _fill_every_text_field(obj, text: str) -> int:
    """Put ``text`` into every str / list[str] field reached from ``obj`` except ids, codes and dates."""
    n = 0
    if isinstance(obj, list):
        return sum(_fill_every_text_field(x, text) for x in obj)
    if not dataclasses.is_dataclass(obj):
        return 0
    for f in fields_of(type(obj)):
        tp, value = hints(type(obj))[f.name], getattr(obj, f.name)
        if f.name in ("id", "sha256", "mime", "date", "date_of_birth", "analyte", "site", "drug_class",
                      "treatment_class", "code", "unit", "dose_unit", "kind") or f.name.endswith("_id"):
            continue
        if f.name == "name" and getattr(obj, "analyte", "other") != "other":
            continue  # only a result the analyte list does not have is named
        if tp in (str, str | None):
            setattr(obj, f.name, text)
            n += 1
        elif typing.get_origin(tp) is list and typing.get_args(tp) == (str,):
            setattr(obj, f.name, [text, text])
            n += 2
        else:
            n += _fill_every_text_field(value, text)
    return n


def _check_survives(case: Case) -> None:
    hits = scan_case(case)
    assert all(0 <= h.start < h.end for h in hits)
    out = deidentify(case)
    dumped = jsonio.dumps(out)
    assert jsonio.check_case(out) == []
    assert jsonio.loads(dumped) == out
    prose = " ".join(tf.text for tf in text_fields(out) if not tf.citation).lower()
    assert "quenneville" not in prose and "503-555-0142" not in prose and not ISO.search(prose)


@pytest.mark.parametrize("text", HOSTILE[:4], ids=["markup", "rtl", "emoji", "control"])
def test_hostile_text_in_every_field(text):
    case = identified_case()
    assert _fill_every_text_field(case, text) > 60
    _check_survives(case)


def test_50000_characters_in_the_long_fields():
    """Every field with 50,000 characters would only test patience; the long-text fields get it."""
    text = HOSTILE[4]
    assert len(text) == 50_000
    case = identified_case()
    case.manuscript.discussion = case.figures[0].caption = text
    case.manuscript.references[0] = case.authors[0].name = text
    _check_survives(case)


def test_every_id_is_opaque_per_export_and_references_stay_consistent():
    # issue 13: a photo id holding a capture time and a lab id holding an MRN went out verbatim
    case = identified_case()
    case.figures[0].id = "IMG_20210304_101112"
    case.labs[0].id = "lab-MRN-4471923"
    ids_a: dict[str, str] = {}
    a = deidentify(case, id_map=ids_a)
    b = deidentify(case)
    text = repr(a)
    assert "IMG_20210304_101112" not in text and "4471923" not in text
    assert a.id != case.id and a.id != b.id  # derived per export
    assert set(ids_a) >= {case.id, "IMG_20210304_101112", "lab-MRN-4471923"}
    assert all(re.fullmatch(r"[0-9a-f]{12}", v) for v in ids_a.values())
    assert a.index_event_id == ids_a[case.index_event_id]
    assert {e.id for e in a.events} == {ids_a[e.id] for e in case.events}
