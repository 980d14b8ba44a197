"""A generated synthetic corpus for the PHI scan (issue 13): clinical prose with planted identifiers
of all 18 HIPAA Safe Harbor classes (45 CFR 164.514(b)(2)(i)(A)-(R)), and clean clinical sentences
dense with numbers, doses, ranges, eponyms and drug names.

Everything here is invented (people, numbers, places, addresses); the person names are made up or
common given names chosen by hand, not drawn from the scan's own name lists, and the place names
mix invented towns (found only by context or the case's identifiers) with real cities. Deterministic
(a fixed seed), so a failure can be reproduced. Written for this test, not from the scan's output.

``documents()`` returns a list of ``{"identifiers": Identifiers, "dates": [...], "texts": [(text,
[(start, end, class letter), ...])]}``; ``clean()`` returns the clean sentences.
"""
from __future__ import annotations

import random

from desktop.model import Identifiers, RecordNumber

CLASSES = {
    "A": "names", "B": "geographic subdivisions", "C": "dates and ages over 89", "D": "telephone numbers",
    "E": "fax numbers", "F": "e-mail addresses", "G": "social security numbers", "H": "medical record numbers",
    "I": "health plan beneficiary numbers", "J": "account numbers", "K": "certificate/licence numbers",
    "L": "vehicle identifiers and plates", "M": "device identifiers and serials", "N": "URLs",
    "O": "IP addresses", "P": "biometric identifiers", "Q": "face photographs", "R": "other unique characteristics",
}

# invented surnames (unlikely in any list) and common ones; given names as people are called
FAMILY = ["Quenneville", "Thistlewood", "Okonkwo", "Abernathy", "Vasquez-Rolón", "Brightwater", "Kowalczyk",
          "Nakagawa", "Fairweather", "Oyelaran", "Lindqvist", "Castellano", "Marchetti", "Dubrovsky", "Haverford",
          "Achterberg", "Ellingsworth", "Mbeki", "Rosenthal", "Szymanski", "Pemberton", "Gallagher", "Nguyen",
          "Patel", "Hernandez", "Okafor", "Murray", "Fitzgerald", "Delacroix", "Yilmaz"]
GIVEN = ["Hildegard", "Ottoline", "Bartholomew", "Priyanka", "Chinedu", "Marisol", "Tobias", "Ingrid", "Dmitri",
         "Oluwaseun", "Mairead", "Esperanza", "Cornelius", "Anneliese", "Thaddeus", "Margaret", "James", "Maria",
         "Ahmed", "Fatima", "Robert", "Elena", "Samuel", "Aisha", "Patrick", "Sofia", "Kwame", "Yuki"]
ORDINARY_GIVEN = ["Rose", "Hope", "Bill", "Grace", "Faith", "Will", "Joy", "Mark", "Dawn", "Ray"]
ORDINARY_FAMILY = ["Day", "Hope", "Rose", "Long", "Young", "White", "Stone", "Bell"]
PARTICLE_FAMILY = ["van der Berg", "van den Broek", "de la Cruz", "O'Neil", "O'Donnell", "McAllister",
                   "von Hagen", "D'Souza", "di Stefano", "ter Horst"]
TOWNS = ["Brackenfield", "Wexcombe", "Harrowgate Falls", "Millbrook", "Ashcombe", "Larkhaven", "Pennington Cross"]
REAL_CITIES = ["Dayton", "Leeds", "Toledo", "Bismarck", "Fresno", "Galway", "Tacoma", "Asheville", "Winnipeg",
               "Chillicothe", "Glasgow Green"]  # the last is not a city: planted only with a cue
REAL_CITIES = REAL_CITIES[:-1]
STATES = [("Ohio", "OH"), ("Oregon", "OR"), ("Texas", "TX"), ("Maine", "ME"), ("Iowa", "IA")]
STREET_NAMES = ["Larkspur", "Juniper Ridge", "Willowbrook", "Harcourt", "Tamarind", "Foxglove", "Kestrel"]
STREET_SUFFIX = ["Close", "Street", "Rd.", "Avenue", "Lane", "Drive"]
RELATIONS = ["wife", "husband", "son", "daughter", "sister", "brother", "niece", "neighbour", "partner"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "twelfth", "twentieth", "twenty-first",
            "thirtieth", "fourteenth"]
AGE_WORDS = ["ninety-two-year-old", "ninety-year-old", "ninety-seven-year-old", "hundred-and-one-year-old"]


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


class _Doc:
    def __init__(self, r: random.Random, n: int):
        self.r = r
        g, f = r.choice(GIVEN), r.choice(FAMILY)
        if n % 5 == 0:
            f = r.choice(PARTICLE_FAMILY)
        if n % 7 == 0:
            f = r.choice(ORDINARY_FAMILY)
        self.given, self.family = g, f
        rel_given = r.choice(ORDINARY_GIVEN if n % 2 else GIVEN)
        self.relation = r.choice(RELATIONS)
        self.rel_given, self.rel_family = rel_given, r.choice(FAMILY + ORDINARY_FAMILY)
        y, m, d = r.randint(1925, 1975), r.randint(1, 12), r.randint(1, 28)
        self.dob = (y, m, d)
        self.town = r.choice(TOWNS)
        self.state = r.choice(STATES)
        self.zip = _digits(r, 5)
        self.street = f"{r.randint(2, 9800)} {r.choice(STREET_NAMES)} {r.choice(STREET_SUFFIX)}"
        area = f"{r.randint(201, 989)}"
        self.phone = f"({area}) 555-{_digits(r, 4)}"
        self.fax = f"{area}-555-{_digits(r, 4)}"
        self.email = f"{g.lower()}.{f.lower().replace(' ', '').replace(chr(39), '')}{r.randint(1, 99)}@example.org"
        self.ssn = f"{r.randint(100, 665)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}"
        self.mrn = f"MRN-{_digits(r, 7)}"
        self.plan = f"HP{_digits(r, 9)}"
        self.account = f"{_digits(r, 4)}-{_digits(r, 4)}-{_digits(r, 2)}"
        self.licence = f"D{_digits(r, 3)}-{_digits(r, 4)}-{_digits(r, 4)}"
        self.plate = r.choice([f"{r.randint(1, 9)}{''.join(r.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3))}{_digits(r, 3)}",
                               f"KX{_digits(r, 2)} {''.join(r.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3))}"])
        self.serial = f"PJN{_digits(r, 6)}H"
        self.url = f"https://www.{f.lower().replace(' ', '').replace(chr(39), '')}-family.example.net/updates"
        self.ip = f"192.0.2.{r.randint(1, 254)}"
        self.tattoo = f"tattoo of a {r.choice(['heron', 'anchor', 'compass rose', 'dragon', 'swallow'])}"

    def identifiers(self) -> Identifiers:
        y, m, d = self.dob
        return Identifiers(
            given_names=self.given, family_name=self.family, date_of_birth=f"{y:04d}-{m:02d}-{d:02d}",
            record_numbers=[RecordNumber("MRN", self.mrn), RecordNumber("health plan", self.plan),
                            RecordNumber("account", self.account), RecordNumber("licence", self.licence),
                            RecordNumber("vehicle", self.plate), RecordNumber("device", self.serial)],
            street=self.street, city=self.town, county=f"{self.town} County", state=self.state[1], zip_code=self.zip,
            phone=self.phone, fax=self.fax, email=self.email, ssn=self.ssn, urls=[self.url], ip_addresses=[self.ip],
            relatives=[f"{self.rel_given} {self.rel_family} ({self.relation})"], other=[self.tattoo])

    def items(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(template, [(class, value)]): each {} in the template is one planted identifier."""
        r = self.r
        y, m, d = self.dob
        other_family = r.choice(FAMILY)
        other_given = r.choice(GIVEN)
        month = MONTHS[r.randint(0, 11)]
        city = r.choice(REAL_CITIES)
        hosp = r.choice(["St. Brendan's", "Wexcombe General", "Larkhaven Memorial", "Holloway Park"])
        return [
            ("Mrs. {} reported worsening pain over the thigh ulcers.", [("A", self.family)]),
            ("The patient, {}, was admitted with painful livedo.", [("A", f"{self.given} {self.family}")]),
            ("{} signed the consent form on the ward.", [("A", f"{self.given.lower()} {self.family.lower()}")]),
            (f"Her {self.relation} {{}} brought the dressings from home.", [("A", self.rel_given)]),
            (f"His {self.relation}, {{}}, attended every session of sodium thiosulfate.", [("A", f"{self.rel_given} {self.rel_family}")]),
            ("Dr. {} performed the punch biopsy of the left thigh.", [("A", r.choice(PARTICLE_FAMILY))]),
            ("She was accompanied by {} on day 3.", [("A", f"{other_given} {other_family}")]),
            ("Mr {} from the wound team measured the ulcer at 42 × 30 mm.", [("A", r.choice(PARTICLE_FAMILY))]),
            ("{} was seen in the dialysis unit twice weekly.", [("A", f"{r.choice(GIVEN[16:])} {r.choice(['Lopez', 'Smith', 'Garcia', 'Kumar', 'Murphy', 'Chen'])}")]),
            ("The patient lives in {} with her family.", [("B", self.town)]),
            ("He was transferred from {} Hospital for hyperbaric oxygen.", [("B", hosp)]),
            ("Home is {}, a second-floor flat.", [("B", self.street)]),
            ("The referral letter gave ZIP code {}.", [("B", self.zip)]),
            ("They moved to {} after the diagnosis.", [("B", city)]),
            ("Home visits in {}, " + self.state[0] + " found the dressings unchanged.", [("B", self.town)]),
            ("She was born on {}.", [("C", f"{d}/{m}/{y}")]),
            ("Symptoms began on the {}.", [("C", f"{r.choice(ORDINALS)} of {month}")]),
            ("The first ulcer appeared in {}.", [("C", f"{month[:3]}. '{r.randint(10, 23)}")]),
            ("Dialysis was started in {}.", [("C", f"{r.randint(2005, 2022)}-{r.randint(1, 12):02d}")]),
            ("Biopsy on {} confirmed calciphylaxis.", [("C", f"{month} {r.randint(1, 28)}, {r.randint(2015, 2023)}")]),
            ("We describe a {} woman on haemodialysis.", [("C", r.choice(AGE_WORDS))]),
            ("At {} years of age she declined debridement.", [("C", f"{r.randint(90, 104)}")]),
            ("Her husband can be reached on {} after 5 pm.", [("D", self.phone)]),
            ("Please fax results to {} before the next session.", [("E", self.fax)]),
            ("Photographs were e-mailed to {} by the family.", [("F", self.email)]),
            ("Her SSN {} appeared on the outside referral.", [("G", self.ssn)]),
            ("The biopsy was filed under {} in the laboratory system.", [("H", self.mrn)]),
            ("Health plan member ID {} covered the sodium thiosulfate.", [("I", self.plan)]),
            ("Billing account number {} was closed at discharge.", [("J", self.account)]),
            ("His driver's licence {} was suspended because of neuropathy.", [("K", self.licence)]),
            ("Transport was booked for licence plate {}.", [("L", self.plate)]),
            ("The insulin pump (serial number {}) was interrogated.", [("M", self.serial)]),
            ("The family posted updates at {} during the admission.", [("N", self.url)]),
            ("The telehealth visit was logged from {}.", [("O", self.ip)]),
            ("Identity was confirmed by {} at the kiosk.", [("P", r.choice(["fingerprint", "retinal scan", "voice print"]))]),
            ("The team took {} for the record.", [("Q", r.choice(["photographs of her face", "full-face photographs",
                                                                "facial photographs", "photos showing his tattoo"]))]),
            ("A {} on the left forearm was noted.", [("R", self.tattoo)]),
        ]


# Written out by hand, outside the generator's templates; [[text|class]] marks a planted identifier.
WRITTEN_PLANTED = [
    "Mrs. [[Nguyen|A]]'s daughter, [[Linh|A]], called from [[Sacramento|B]].",
    "He works as a mechanic at [[Joe's Garage|A]] in [[Springfield|B]].",
    "The patient, a retired teacher from [[Duluth|B]], Minnesota, presented with painful nodules.",
    "She was admitted to [[Mercy General Hospital|B]] on [[4/12/2019|C]].",
    "Her neighbour Mrs. [[O'Brien|A]] found her on the floor.",
    "Contact the family at [[jsmith@gmail.com|F]].",
    "She was born in [[Lagos|B]] and moved to [[Houston|B]] in 1989.",
    "His license plate number is [[8ABC123|L]].",
    "[[Photographs of the patient's face|Q]] were included with consent.",
    "He has a [[tattoo reading 'Maria'|R]] on his right forearm.",
    "She was seen by Nurse Practitioner [[Kim Lee|A]].",
    "Patient ID [[00482913|H]] was written on the label.",
    "The pump's serial: [[SN 12345678|M]].",
    "Her husband [[Jim|A]] manages the dressings.",
    "The family lives on [[Rosa Parks Boulevard|B]].",
    "Dr [[Aisha Bello|A]], the attending nephrologist, consented the patient.",
    "Ms. [[de la Cruz|A]] was transferred to [[St. Luke's Medical Center|B]] in [[Boise|B]].",
    "He was a [[93-year-old|C]] former miner.",
    "Symptoms began on [[3 March|C]] and worsened by mid-[[April|C]].",
    "The biopsy was done at [[Cedar Valley Dialysis Center|B]].",
    "His granddaughter [[Emily Watson|A]] brought him.",
    "Mr. [[Lopez-Garcia|A]], 67, was referred by his GP, Dr. [[Hamid|A]].",
    "[[jane doe|A]] was admitted via the emergency department.",
    "Her Medicare beneficiary number [[1EG4-TE5-MK72|I]] was on the form.",
    "Account [[4410-2291-0087|J]] was billed for the dressings.",
    "A retinal scan and [[fingerprint|P]] were taken for the study badge.",
    "The visit was logged from [[10.20.30.40|O]] and the images uploaded to [[www.familyphotos-example.com/hq|N]].",
    "Call her sister on [[+44 20 7946 0958|D]] or fax [[020 7946 0959|E]].",
    "His SSN is [[078051120|G]].",
    "Her nursing licence [[RN 449102|K]] was suspended.",
]


def _marked(line: str) -> tuple[str, list[tuple[int, int, str]]]:
    import re as _re
    text, spans, pos = "", [], 0
    for m in _re.finditer(r"\[\[(.+?)\|([A-R])\]\]", line):
        text += line[pos:m.start()]
        spans.append((len(text), len(text) + len(m.group(1)), m.group(2)))
        text += m.group(1)
        pos = m.end()
    return text + line[pos:], spans


def documents(n: int = 24, seed: int = 13) -> list[dict]:
    r = random.Random(seed)
    out = []
    for i in range(n):
        doc = _Doc(r, i)
        texts = []
        for template, planted in doc.items():
            text, spans, pos = "", [], 0
            parts = template.split("{}")
            for k, part in enumerate(parts[:-1]):
                text += part
                cls, value = planted[k]
                spans.append((len(text), len(text) + len(value), cls))
                text += value
            text += parts[-1]
            texts.append((text, spans))
        y, m, d = doc.dob
        out.append({"identifiers": doc.identifiers(), "dates": [f"{y:04d}-{m:02d}-{d:02d}"], "texts": texts})
    out.append({"identifiers": Identifiers(), "dates": [], "texts": [_marked(line) for line in WRITTEN_PLANTED]})
    return out


_DRUGS = ["sodium thiosulfate 25 g intravenously three times weekly", "cinacalcet 30 mg once daily",
          "sevelamer carbonate 800 mg three times daily with meals", "warfarin 5 mg daily", "apixaban 2.5 mg twice daily",
          "calcitriol 0.25 µg on alternate days", "hydromorphone 2 mg every 4 hours as needed",
          "vancomycin 1 g after each dialysis session", "etelcalcetide 5 mg three times weekly",
          "alendronate 70 mg weekly", "prednisone 40 mg daily tapered over 14 days", "gabapentin 100 mg at night",
          "lanthanum carbonate 1000 mg with meals", "epoetin alfa 4000 IU three times weekly",
          "paricalcitol 2 µg three times weekly", "fentanyl 12 µg/h transdermal"]
_LABS = ["calcium {a:.1f} mg/dL (8.5–10.2 mg/dL)", "phosphate {b:.1f} mg/dL (2.5–4.5 mg/dL)",
         "PTH {c} pg/mL (15–65 pg/mL)", "albumin {d:.1f} g/dL (3.4–5.0 g/dL)", "CRP {c} mg/L (< 5 mg/L)",
         "INR {e:.1f} (0.8–1.2)", "haemoglobin {f:.1f} g/dL (12.0–15.5 g/dL)", "25(OH)D {c} ng/mL (30–100 ng/mL)",
         "alkaline phosphatase {c} U/L (44–147 U/L)", "Kt/V {e:.2f}", "bicarbonate {g} mmol/L (22–29 mmol/L)",
         "ferritin {c} ng/mL", "platelets {c} × 10⁹/L", "white cell count {f:.1f} × 10⁹/L", "HbA1c {e:.1f}%"]
_EPONYMS = ["Crohn disease", "Parkinson disease", "Hodgkin lymphoma", "Stevens-Johnson syndrome", "Raynaud phenomenon",
            "Cushing syndrome", "Addison disease", "Paget disease of bone", "Sjögren syndrome", "Graves disease",
            "Wilson disease", "Bell palsy", "Kaposi sarcoma", "Marjolin ulcer", "Martorell ulcer", "a Foley catheter",
            "the Cockcroft-Gault equation", "Mönckeberg sclerosis", "von Kossa staining", "the Glasgow Coma Scale",
            "a Tenckhoff catheter", "Wegener granulomatosis", "Charcot foot", "the Braden scale"]
_VITALS = ["blood pressure {h}/{i} mmHg", "heart rate {j}/min", "temperature {k:.1f} °C", "SpO2 {l}% on room air",
           "weight {m:.1f} kg", "BMI {n:.1f} kg/m²", "respiratory rate {o}/min"]
_FRAMES = [
    "On day {p} she received {drug}; {lab}.",
    "A history of {ep} was recorded; {lab} and {vital}.",
    "{Drug} was continued, and {lab} on day {p} of the admission.",
    "The ulcer measured {q} × {r} mm on day {p}, with {s}% slough; {vital}.",
    "Week {t}: {lab}, {lab2}; {drug} unchanged.",
    "Despite {ep}, {drug} was tolerated; {vital}.",
    "At follow-up on day {u}, {lab}; the wound was {q} × {r} mm and pain 3/10 on the visual analogue scale.",
    "Ultrafiltration was 1.5–2.0 L per session and intake 1.5 L/day; {lab}.",
    "We hope the lesions will heal; {drug} will continue for {t} more weeks.",
    "Day {p}: {vital}, {lab}; the Bates-Jensen score was {v}.",
    "Medial calcification of dermal arterioles was seen on {ep2}; {lab}.",
    "Over {t} weeks, {lab} and {lab2} while on {drug}.",
]


# Written out by hand: brands, organisms, scores and eponyms that are capitalised in real reports.
WRITTEN_CLEAN = [
    "She was started on Lasix 40 mg twice daily and Keflex 500 mg four times daily.",
    "Zosyn 3.375 g every 8 hours was given for suspected sepsis; Tylenol and Norco were used for pain.",
    "Dialysis was performed on a Fresenius 2008T machine with a Baxter catheter.",
    "A Medtronic pacemaker had been implanted in 2015 for complete heart block.",
    "The Wound Care Team applied Santyl and Mepilex Border daily.",
    "Warfarin was switched to Eliquis after consultation with Hematology.",
    "Graves disease had been treated with radioactive iodine in 1998.",
    "She had a history of Crohn's disease, Hashimoto thyroiditis and Raynaud's phenomenon.",
    "He developed Fournier gangrene requiring debridement by Urology.",
    "A Hickman line was removed on day 12 because of bacteremia with Staphylococcus aureus.",
    "Pseudomonas aeruginosa and Enterococcus faecalis grew from the wound swab.",
    "The Charlson Comorbidity Index was 7 and the Karnofsky score 50.",
    "The Wagner grade of the foot ulcer was 3; the ABI was 1.4, indicating incompressible vessels.",
    "Hyperbaric oxygen at 2.4 ATA for 90 minutes was given five times weekly.",
    "Her Apache II score on admission was 18; SOFA score 6.",
    "He was seen by the Palliative Care team and transferred to hospice care.",
    "Buerger disease and Takayasu arteritis were considered in the differential.",
    "Austin Flint murmur was absent and Chvostek and Trousseau signs were negative.",
    "Dr. review was requested for the skin findings.",
    "His son drove him to dialysis three times a week, and his wife reported that he slept poorly.",
    "Wells score for DVT was 1; Doppler ultrasound showed no thrombosis.",
    "Calciphylaxis was confirmed on biopsy; the Mayo Clinic criteria were not applied.",
]


def clean(n: int = 240, seed: int = 31) -> list[str]:
    r = random.Random(seed)
    out: list[str] = list(WRITTEN_CLEAN)
    while len(out) < n + len(WRITTEN_CLEAN):
        v = dict(a=r.uniform(7, 12), b=r.uniform(2, 9), c=r.randint(5, 2400), d=r.uniform(1.8, 4.5),
                 e=r.uniform(0.9, 4.0), f=r.uniform(6, 16), g=r.randint(14, 30), h=r.randint(85, 190),
                 i=r.randint(40, 110), j=r.randint(50, 130), k=r.uniform(35.5, 39.8), l=r.randint(85, 100),
                 m=r.uniform(40, 140), n=r.uniform(16, 45), o=r.randint(10, 30))
        fmt = dict(p=r.randint(-60, 120), q=r.randint(5, 90), r=r.randint(5, 70), s=r.randint(0, 100),
                   t=r.randint(1, 16), u=r.randint(30, 400), v=r.randint(13, 65),
                   drug=r.choice(_DRUGS), lab=r.choice(_LABS).format(**v), lab2=r.choice(_LABS).format(**v),
                   vital=r.choice(_VITALS).format(**v), ep=r.choice(_EPONYMS),
                   ep2=r.choice(["von Kossa staining", "Alcian blue staining", "Perls staining", "Gram stain"]))
        fmt["Drug"] = fmt["drug"][:1].upper() + fmt["drug"][1:]
        s = r.choice(_FRAMES).format(**fmt)
        if s not in out:
            out.append(s)
    return out
