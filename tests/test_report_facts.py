"""Every kind of fact the model holds reaches the PDF and the Word manuscript (issue 12), in a
clinician's words and as the source states it.

For each published case in tests/cases/ the expected strings below are taken from the source's own
wording and values (the ``source`` cited in each case file; the case files hold only what it
prints), never from Casebook's output; a synthetic case holds one of every kind of fact. Each case
is rendered as PDF and as DOCX, read back (pypdf, python-docx) and every expected string looked for.
Spelling follows the manuscript's one variant (the sources are American), so "discolo(u)ration"
is matched either way.
"""
from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import docx
import pypdf
import pytest

from desktop import jsonio
from desktop.interop.docx import write_docx
from desktop.model import (Biopsy, DialysisPeriod, LabResult, Lesion, Observation, Event, When)
from desktop.report.pdf import render_pdf
from test_report_cases import full_case

CASES = Path(__file__).parent / "cases"

# case file -> strings the manuscript must contain (de-identified draft), each from the source's words
PUBLISHED: dict[str, list[str]] = {
    # a 43-year-old female, nondialysis; a punch biopsy first showed small-vessel vasculitis, a second one
    # consistent with calciphylaxis; steroids without response; sodium thiosulfate intralesional and IV
    "legs-nondialysis-aki-two-biopsies": ["A 43-year-old woman not on dialysis, with",
                                          "(lesion 1), initially: negative for calciphylaxis. Small-vessel vasculitis",
                                          "consistent with calciphylaxis", "intralesional", "high-flow oxygen",
                                          "No improvement: the lesions did not respond", "3.7"],
    # a 19-year-old male, non-uremic; iPTH 6.32 ng/L; ANA, RF, ANCA, antiphospholipid antibody and cryoglobulin
    # negative; mild proteinuria and hematuria; renal stones on sonography
    "legs-warfarin-hypercalcemia": ["A 19-year-old man not on dialysis, with persistent hypercalcemia of unknown cause",
                                    "6.32 ng/L 18.4–80.1", "Antinuclear antibodies (ANA) negative",
                                    "Phosphate (as phosphorus) 4 mg/dL",  # "normal phosphate (4 mg/dL)": no "4.0"
                                    "Antineutrophil cytoplasmic antibodies (ANCA) negative", "Rheumatoid factor negative",
                                    "Antiphospholipid antibodies negative", "Cryoglobulins negative", "mild proteinuria",
                                    "hematuria", "renal stones and right hydronephrosis",
                                    "bilateral iliac vein stenting"],
    # Ca 10.4, P 6.4 mg/dL, PTH 1250 pg/mL; purpura in both lower thighs; ulcers of the right ankle and the
    # left leg; diabetic gangrene of the right second toe in 2012, a finding of the history
    "thighs-ankle-long-vintage": ["thigh, aspect not stated, both sides", "ankle, right", "leg, level not stated, left",
                                  "Intense pain and purpura", "1250", "pg/mL", "Other findings, not calciphylaxis",
                                  "Second toe, right", "diabetic gangrene"],
    # penile necrosis; a Ca × P product "> 70 mg2/dL2" as the authors print it
    "penile-after-parathyroidectomy": ["penis, part not stated", "evolved to necrosis", "calcium × phosphate product > 70 mg2/dL2 as reported"],
    # missed sessions; biopsy declined; violaceous and red-black discoloration; Ca × P 95.79 as printed; PTH 1323
    "penile-hd-biopsy-declined": ["Poor adherence to dialysis: had missed many sessions", "declined by the patient",
                                  "Violaceous discolo", "red-black discolo", "95.79 as reported", "1323", "glans penis"],
    # on PD after a failed transplant; WBC 17.2 ×10^9/L; pain in his digits
    "penile-pd-failed-transplant": ["on peritoneal dialysis", "Kidney transplant; graft failed", "17.2", "×10^9/L",
                                    "digits (fingers or toes not stated)",
                                    "Pain in his digits with associated skin necrosis"],
    # a second kidney transplant three years before; liver transplant 11 years ago; punch biopsy confirmed
    "proximal-liver-kidney-transplant": ["Kidney transplant about 3 years before presentation", "year −11",
                                         "Punch biopsy of the thigh, medial", "confirmed calciphylaxis",
                                         "thigh, medial, both sides",
                                         "central dermal necrosis, symmetrical and very painful"],
    # CAPD from age 62; diabetes at 38, hypertension at 52; poor adherence
    "legs-capd-poor-adherence": ["peritoneal dialysis from age 62", "continuous ambulatory peritoneal dialysis",
                                 "Poor adherence to dialysis", "age 38", "age 52", "leg, level not stated, both sides",
                                 "Progressively painful plaques"],
    # no dialysis; Pseudomonas from the breast wound fluid; biopsy suggestive of calciphylaxis; hypoalbuminemia
    "bilateral-breast-no-dialysis": ["not on dialysis", "wound fluid culture", "positive, Pseudomonas",
                                     "consistent with calciphylaxis", "Resection specimen", "low", "breast, left",
                                     "breast, right"],
    # right breast plaque-like ulcers; fourth digit of the right hand; left fifth toe; warfarin
    "breast-finger-toe-warfarin": ["ring finger, part not stated, right", "fifth toe, left", "Hyperpigmentation",
                                   "violaceous discolo", "induration", "eschar", "warfarin"],
    # a red-black painful area of the left breast; PTH 1251 pg/mL; p. 41: the differentials, IV sodium
    # thiosulfate "12.5 mg with the first dialysis, then increasing to 25 mg", oral cinacalcet
    "breast-hd-woman": ["breast, left", "Red-black discolo", "painful", "1251", "Nodule; painful",
                        "cholesterol emboli", "intact peripheral pulses", "nephrogenic sclerosing fibrosis",
                        "heparin-induced necrosis", "12.5 mg", "25 mg", "with the first dialysis", "cinacalcet",
                        "oral", "breast surgeon"],
    # Robinson et al. 2007: a kidney transplant 2 years before; a 3.0 × 4.0-cm ulcer with eschar on the right
    # thigh, a 2.5-cm × 4.0-mm linear hemorrhagic crust on the left; calcium 7.9 mg/dL (2.0 mmol/L); iPTH 1080
    # pg/mL (7-53); cinacalcet hydrochloride
    "thighs-transplant-cinacalcet": ["A 62-year-old man", "Kidney transplant about 2 years before presentation",
                                     "thigh, aspect not stated, right", "30 × 40 mm", "25 × 4 mm",
                                     "linear hemorrhagic crust", "livedo reticularis pattern", "7.9", "(2.0 mmol/L)",
                                     "1080", "7–53", "cinacalcet hydrochloride", "successfully treated"],
    # SHM abstract: PD then HD; wounds 26 cm x 12 cm and 22 cm x 19 cm with "poorly defined edges, scant brown
    # and serosanguinous drainage" and "thick adherent eschars"; WBC 13.6 (4 – 10 10E3/mcl); punch biopsy
    "legs-pd-to-hd-wounds": ["peritoneal dialysis; then hemodialysis", "260 × 120 mm", "220 × 190 mm",
                             "poorly defined edges, scant brown and serosanguinous drainage", "thick adherent eschars",
                             "excruciatingly tender", "13.6", "10E3/mcl", "7.8", "2.5–5.0", "10.5", "8.6–10.3",
                             "Punch biopsy", "Fat necrosis, consistent with CUA", "for a PTH of >1,000 pg/ml"],
    # a 2×4 cm necrotic ulcer two inches above the lateral malleolus; a Ca*P product printed 41.1 beside calcium
    # 10.5 and phosphorus 4.1 mg/dl; X-ray of the foot; biopsy with calcific plugs; death of sepsis ten weeks later
    "leg-hd-sepsis": ["lower leg, aspect not stated, left", "two inches above the lateral malleolus", "20 × 40 mm",
                      "41.1 mg²/dL² as reported", "276.8", "10–65", "iron sucrose",
                      "Extensive calcification of the blood vessels", "calcific plugs in the dermal vessels",
                      "intensification of dialysis against low calcium concentrates",
                      "died of intractable sepsis about 10 weeks after presentation"],  # "ten weeks later", not "2 months"
    # Agarwal et al.: stage 3 CKD; prednisone 10 mg daily for 7 years; lesions of the right ankle, both flanks,
    # the right arm and both forearms; an ESR printed "102/mm"
    "flanks-arms-nonuremic-prednisone": ["A 47-year-old woman", "CKD stage 3", "not on dialysis", "prednisone",
                                         "10 mg", "ankle, right", "flank, both sides", "arm, level not stated, right",
                                         "forearm, both sides", "Sjogren syndrome", "Hashimoto thyroiditis",
                                         "102", "/mm", "infectious workup negative"],
    # SHM abstract, alcoholic liver disease: an eschar-like wound of the lateral right thigh, a similar one of the
    # medial left thigh; surgical pathology suspicious, a punch biopsy confirming; cultures with two organisms
    "thighs-nonuremic-liver": ["thigh, lateral, right", "thigh, medial, left", "alcoholic liver disease",
                               "seizure disorder", "Klebsiella pneumoniae and vancomycin-resistant Enterococcus",
                               "possible vasculitic cause", "Punch biopsy", "12 days after the initial surgical debridement",
                               "daily high-flow supplemental oxygen", "No improvement",
                               "Time from first lesion onset to diagnosis: about 3 weeks"],  # "a 3 week history", not "21 days (0.7 months)"
    # SI units: calcium 2.8 mmol/l, phosphate 1.78 mmol/l, product 4.98 (mmol/l)², parathormone 1076 ng/l (normal
    # 10-65), below measurable levels after the fourth gland; hard subcutaneous nodules; a deep skin biopsy
    "thighs-si-units-parathyroidectomy": ["thigh, aspect not stated, both sides", "2.8", "1.78", "mmol/l", "1076",
                                          "ng/l", "10–65", "undetectable", "4.98 mmol²/L² as reported", "315",
                                          "Other findings, not calciphylaxis", "hard subcutaneous nodules",
                                          "calcium phosphate emboli of the skin vessels", "4 weeks after no. 5",
                                          "Soft tissue and arterial calcifications"],
    # Pantanowitz et al. 2001: abdominal and left groin wounds; a 35 pack year smoking history; warfarin for a
    # deep venous thrombosis; SI units; MRSA, E. coli and streptococci from the wounds; the biopsy's figure legend
    "abdomen-groin-hd-warfarin": ["groin, left", "abdomen (lower abdominal wall)",
                                  "CKD stage 5D (due to membranous and crescentic glomerulonephritis) on haemodialysis",
                                  "A 35 pack year smoking history", "warfarin sodium", "for a deep venous thrombosis",
                                  "carotid bruits, weak left pedal pulses", "6.5", "2.4", "36", "1.9", "mmol/L",
                                  "Methicillin resistant Staphylococcus aureus, Escherichia coli, and streptococci",
                                  "Bilateral subcutaneous calcifications", "fibrointimal proliferation"],
    # Nefrologia 2022 letter: lesions whose site the letter does not give; acenocoumarol; procalcitonin and a
    # biointact (1-84) PTH, each under its own name; a culture of the lesions' exudate; the inflammatory
    # indices the analyte list does not have, under the letter's names
    "nosite-hd-acenocoumarol-pseudomonas": [
        "A 47-year-old woman", "CKD stage 5D (due to probable diabetic aetiology) on haemodialysis",
        "acenocoumarol", "anticoagulation after an aortic valve replacement", "Vitamin K antagonist",
        "Procalcitonin", "1.49", "ng/mL", "Parathyroid hormone, bio-intact (1–84)", "490", "pg/mL", "10.30", "5.05",
        "10.8", "26.6", "Pseudomonas aeruginosa. The exudate of the lesions.",
        "A hypoechoic nodule 1.38 cm in diameter", "Neutrophil-to-lymphocyte ratio (NLR)", "5.75",
        "Platelet-to-lymphocyte ratio (PLR)", "413.70", "Systemic immune-inflammation index (SII)", "1737",
        "consistent with calciphylaxis"],
    # Pujar & Spinello 2009: dialysis for one year, thrice weekly, sessions missed; brand-name medications;
    # the vital signs of the examination, the temperature in °F
    "pujar-missed-dialysis": [
        "A 44-year-old Caucasian woman", "type 2 diabetes mellitus", "morbid obesity",
        "continuously missed her scheduled appointments", "not dialyzed for the past two weeks",
        "two weeks of diarrhea and worsening nausea", "allergy to Penicillin", "cesarean section",
        "Vicodin", "Actos", "albuterol HFA", "106", "/min", "140/78", "mmHg", "95.4", "°F", "18", "99", "%",
        "on room air"],
    # Al Beladi 2010 (abstract): a young woman with SLE, lupus nephritis and a recent onset of ESRD on
    # hemodialysis; phosphate 4.24 mmol/L, calcium 1.66 mmol/L, parathormone 38 (no unit printed); died of sepsis
    "sle-recent-hd-sepsis": [
        "A woman with CKD stage 5D (due to lupus nephritis [systemic lupus erythematosus]) on hemodialysis "
        "(start: recent onset of end-stage renal disease)", "systemic lupus erythematosus [SLE]",
        "short period of hyperphosphatemia prior to dialysis", "1.66", "4.24", "mmol/L", "38", "sepsis"],
    # Pliquett et al. 2003 (abstract): a 53-year-old woman with chronic cardiac and renal failure, not on dialysis;
    # painful crural, non-varicosis ulcers; heart failure (NYHA III-IV) with pleural and pericardial effusions,
    # atrial fibrillation, weight loss of 30 kg; surgical debridements, then sterile-maggot therapy; died of sepsis
    "nondialysis-crural-maggot-sepsis": [
        "A 53-year-old woman not on dialysis", "atrial fibrillation", "NYHA III-IV",
        "pleural and pericardial effusions", "Weight loss of 30 kg", "lower leg", "crural, non-varicosis ulcers",
        "surgical debridements", "sterile-maggot therapy", "to stabilize the wounds", "at a late stage",
        "recurrent wound infections and sepsis"],
    # CMAJ 2011;183(16):1882: an 82-year-old man on hemodialysis for five years; painful ulcerations with dark
    # eschar and indurated, violaceous plaques on his legs; phosphate 1.95 mmol/L (0.87–1.45), calcium and PTH
    # normal; surgical débridement, culture-directed intravenous antibiotics; died of septicemia
    "legs-hd-debridement-septicemia": [
        "An 82-year-old man", "hemodialysis", "leg, level not stated, both sides", "eschar",
        "indurated, violaceous, retiform plaques", "1.95", "mmol/L", "0.87–1.45", "normal",
        "calcification of the large arteries of the leg", "Intramural deposition of calcium in several subcutaneous arterioles",
        "Surgical débridement", "culture-directed intravenous antibiotic therapy", "an improvement in the skin lesions",
        "septicemia", "the wounds had improved"],
    # Tamayo-Isla & Cuba de la Cruz (to the first nephrology consultation): a 32-year-old Caucasian clerk, polycystic
    # kidney disease in her late father and two siblings; tiredness and lower limb ulcers; obesity; two ulcers with a
    # dark necrotic center on the distal left leg; end-stage renal disease before dialysis
    "ckd5-predialysis-pkd-obesity": [
        "A 32-year-old Caucasian woman with CKD stage 5 (due to polycystic kidney disease), not on dialysis, and obesity",
        "late father and two of her siblings", "tiredness and lower limb skin ulcers", "distal",
        "ulcers with a dark necrotic center"],
    # PMC6089724: haemodialysis from 1988, two renal transplantations (India 1991, Iran four months before
    # presentation), both rejected; eight medicines as printed (misspellings and "2 g" kept); purpuric
    # macules and papules over the medial thighs; serum urea printed as elevated, recorded as urea (not BUN)
    "thighs-two-failed-transplants": [
        "A 33-year-old man", "Kidney transplant", "graft failed", "prednisolone", "17.5 mg", "tacrolimus",
        "ferrous sulphate", "325 mg", "thrice daily", "gancyclovir", "thrice weekly", "prazocin hydrochloride", "2 g",
        "aluminum hydroxide", "2 tablets", "medial aspect of both upper thighs down to the knees",
        "severe burning sensation", "the legs and buttocks were not involved", "in India in 1991", "in Iran",
        "Urea elevated", "Dialysis vintage at first lesion onset: about 11.2 years",
        # a period without dialysis runs from, to: it is not "started" and "stopped"
        "then no dialysis from about 11 years before presentation to about 8 years before presentation"],
    # Mathur et al. (NDT): facial involvement; IgA nephropathy; warfarin and calcium carbonate; phosphate >2
    # mmol/l and a Ca x P ">5 mmol/l" as printed, at "serial blood results"; died of septicaemia and
    # gastrointestinal haemorrhage
    "face-warfarin-calcium-carbonate": [
        "A 58-year-old Caucasian man", "IgA nephropathy", "non-diabetic", "warfarin", "calcium carbonate",
        "face", "brachio-cephalic arteriovenous fistula", "serum phosphate >2 mmol/l",
        "Calcium × phosphate product > 5 mmol/l as reported (serial blood results; as printed)",
        "stopped as his renal function continued to decline",
        "The patient died of septicaemia and spontaneous gastrointestinal haemorrhage."],
    # Salupo et al. (J Osteopath Med 2024): a right lateral thigh ulcer on haemodialysis for EGPA; calcium 11.3,
    # phosphorous 5.7 mg/dL, PTH 340 pg/mL; sodium thiosulfate thrice weekly after IHD, antibiotics, debridement
    "thigh-egpa-sts-after-hd": [
        "A 28-year-old man with CKD stage 5D (due to eosinophilic granulomatosis with polyangiitis)",
        "thigh, lateral, right", "A well-demarcated, indurated, violaceous right thigh ulcer.", "11.3", "5.7",
        "340", "31.5", "stippled calcium deposition", "thrice weekly after intermittent haemodialysis",
        "Improved: after 2 months of sodium thiosulfate, the wound continues healing.", "antibiotics",
        "debridement"],
    # PMC3267275: three ulcers of the left lower leg; antibiotics, wound excision and hyperbaric oxygen
    # ineffective; diagnosed one month after admission; parathyroidectomy, then rapid regeneration
    "leg-ulcers-ptx-regeneration": [
        "A 55-year-old woman", "lower leg", "left", "large and painful ulcers", "wound excision",
        "hyperbaric oxygen", "parathyroidectomy", "rapid regeneration of the ulcers",
        "renal failure induced secondary hyperparathyroidism"],
    # Koratala et al., BMJ Case Rep 2016: eschar over the medial superior right breast with a 1 cm deep
    # area of tunnelling; a nodule of the left breast a few months later; mammogram; punch biopsy of
    # the lesion compatible with CUA
    "breast-eschar-tunnelling-mammogram": [
        "A 54-year-old Caucasian woman", "diabetic nephropathy", "breast, right (medial superior)",
        # haemodialysis "for a year" at an onset "over a 3-month period" before: about 9 months
        "Dialysis vintage at first lesion onset: about 9 months",
        # "a few months later" is not placed on the day axis: listed last, and said to be
        "Table 2 lists the events in time order; no. 3, whose time is not known relative to day 0, comes last.",
        "breast, left (medial aspect)", "a few months later", "1 cm deep area of tunnelling",
        "Mammography of the breasts", "Extensive vascular calcifications and scattered microcalcifications",
        "Punch biopsy of the right breast (lesion 1), medial superior", "focal calcium deposition within a small "
        "blood vessel", "96", "mm/h", "186", "U/L", "5.6"],
}

# identified reports print the calendar dates at the precision the source gives them
IDENTIFIED: dict[str, list[str]] = {
    "thighs-ankle-long-vintage": ["June 2015", "2012"],
    "penile-after-parathyroidectomy": ["September 2005"],
}


def pdf_text(case, **kw) -> str:
    buf = io.BytesIO()
    render_pdf(case, buf, **kw)
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages)


def docx_text(case, **kw) -> str:
    buf = io.BytesIO()
    write_docx(case, buf, **kw)
    d = docx.Document(io.BytesIO(buf.getvalue()))
    out = []  # in document order, so the manuscript can be cut at the appendices
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(docx.text.paragraph.Paragraph(el, d).text)
        elif tag == "tbl":
            out += [c.text for r in docx.table.Table(el, d).rows for c in r.cells]
    return "\n".join(out)


def squeeze(text: str) -> str:
    """Without white space: a table cell's text wraps over lines in the PDF."""
    # one spelling variant either way: discolo(u)ration (within words: "Two ulcers" is not "Twolcers")
    return re.sub(r"\s+", "", text.replace("ou", "o"))


def check(text: str, expected: list[str]) -> list[str]:
    flat = squeeze(text)
    return [s for s in expected if squeeze(s) not in flat]


def manuscript_part(text: str) -> str:
    return text.split("Appendix A:")[0]


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_case_facts_reach_pdf_and_docx(name):
    case = jsonio.loads((CASES / f"{name}.json").read_text("utf-8"))
    assert check(manuscript_part(pdf_text(case, draft=True)), PUBLISHED[name]) == []
    assert check(manuscript_part(docx_text(case, draft=True)), PUBLISHED[name]) == []


def test_what_the_authors_own_words_already_give_is_said_once():
    # Koratala et al. (BMJ Case Rep 2016), entered through the window: the surrounding skin given as
    # "surrounding erythema" was printed "surrounding skin: surrounding erythema", before a description
    # ending "with surrounding erythema"
    case = jsonio.loads((CASES / "breast-eschar-tunnelling-mammogram.json").read_text("utf-8"))
    for text in (pdf_text(case, draft=True), docx_text(case, draft=True)):
        flat = squeeze(manuscript_part(text))
        assert squeeze("surrounding skin: surrounding") not in flat
        assert flat.count(squeeze("surrounding erythema")) == 1
        # the biopsy's coded "inflammation" is not said before findings that say "mild acute and
        # chronic inflammation"; "microvascular calcification", which they do not name, is kept
        assert squeeze("confirmed calciphylaxis; microvascular calcification. Skin and subcutaneous") in flat


@pytest.mark.parametrize("name", sorted(IDENTIFIED))
def test_identified_dates_keep_their_precision(name):
    case = jsonio.loads((CASES / f"{name}.json").read_text("utf-8"))
    for text in (pdf_text(case, draft=True, identified=True), docx_text(case, draft=True, identified=True)):
        assert check(text, IDENTIFIED[name]) == []
        assert not re.search(r"2005-09-15|2015-06-15|2012-07-01", text)  # never an invented day


# --- a synthetic case with every kind of fact -------------------------------------------------------------

def every_kind():
    case = full_case()
    p = case.patient
    p.dialysis_modality, p.dialysis_start = "haemodialysis", When()
    p.dialysis_history = [
        DialysisPeriod("peritoneal", start=When(age_years=50), stop=When(offset=-2, precision="year"),
                       reason="first modality"),
        DialysisPeriod("haemodialysis", start=When(offset=-2, precision="year"), reason="after recurrent peritonitis",
                       sessions_per_week=3)]
    p.dialysis_adherence, p.adherence_detail = "non_adherent", "missed about one session a week"
    p.kidney_transplant, p.transplant_date, p.graft_status = "yes", When(offset=-8, precision="year"), "failed"
    case.events.append(Event(id="ev-old", kind="other", description="Parathyroidectomy",
                             when=When(date="2016-09", precision="month")))
    case.lesions += [
        Lesion(id="les3", site="finger-4-any", laterality="right", description="",
               observations=[Observation(morphology=["retiform_purpura", "violaceous_discolouration"], pain="absent")]),
        Lesion(id="les4", site="forearm", laterality="left", nature="calcinosis_nodule",
               description="Hard subcutaneous nodule."),
        Lesion(id="les5", site="thigh", laterality="bilateral",
               observations=[Observation(morphology=["livedo"], pain="present", pain_0_100=80,
                                         surrounding_skin="a dusky rim", oedema="yes", purulence="no",
                                         odour="foul", note="bled on touch")]),
    ]
    adm = When(offset=0)
    case.labs += [
        LabResult(id="q1", analyte="pth_intact", value=1000, comparator=">", unit="pg/mL", when=adm),
        LabResult(id="q2", analyte="crp", qualitative="undetectable", unit="mg/L", when=When(offset=21)),
        LabResult(id="q3", analyte="calcium", value=7.92, unit="mmol/L", as_printed=True, when=When(offset=21)),
        LabResult(id="q4", analyte="ca_p_product", value=52, unit="mg²/dL²", when=adm),
        LabResult(id="q5", analyte="egfr", value=8, unit="mL/min/1.73m²", when=adm),
        LabResult(id="q6", analyte="culture", qualitative="positive", specimen="blood", organism="Staphylococcus aureus",
                  unit="", when=When(offset=2)),
        # a result the analyte list does not have, under the name the source prints
        LabResult(id="q7", analyte="other", name="lactate dehydrogenase", value=480, unit="U/L", ref_low=140,
                  ref_high=280, when=adm),
    ]
    case.biopsies = [Biopsy(id="b1", site="thigh-anterior", lesion_id="les1", result="confirmed", grade="consistent_with",
                            specimen="deep_incisional_biopsy",
                            features=["microvascular_calcification", "microthrombosis"], findings="",
                            when=When(event_id="ev-bx")),
                     Biopsy(id="b2", site="abdomen", lesion_id="les2", result="confirmed", grade="confirmed",
                            specimen="resection_specimen", histology_stated=False, when=When(offset=30))]
    return jsonio.loads(jsonio.dumps(case))


EVERY_KIND = [
    "peritoneal dialysis from age 50", "first modality", "then hemodialysis", "after recurrent peritonitis",
    "3 sessions a week", "Poor adherence to dialysis: missed about one session a week",
    "Kidney transplant about 8 years before presentation; graft failed",
    "ring finger, part not stated, right", "Retiform purpura, violaceous discolo", "painless",
    "Calcinosis nodule of the forearm, left", "thigh, aspect not stated, both sides", "painful (VAS 80/100)",
    "surrounding skin: a dusky rim", "edema", "no purulence", "foul odour", "bled on touch",  # (o)edema either way
    "> 1000", "undetectable", "7.92", "as printed; implausible in this unit", "implausible",
    "(52 mg²/dL² as reported)", "eGFR 8 mL/min/1.73m² as reported",
    "Blood culture (2 days after presentation): positive, Staphylococcus aureus",
    "Deep incisional biopsy of the left thigh, anterior (lesion 1)", "consistent with calciphylaxis",
    "microvascular calcification, microthrombosis",
    "Resection specimen of the abdomen (lesion 2)", "The histological findings are not reported.",
]


@pytest.fixture(scope="module")
def every():
    return every_kind()


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_kind_of_fact_reaches_the_manuscript(every, fmt):
    text = (pdf_text if fmt == "pdf" else docx_text)(every)
    assert check(manuscript_part(text), EVERY_KIND) == []


def test_month_dates_and_ages_keep_their_precision(every):
    text = docx_text(every, identified=True)
    assert "September 2016" in text and "2016-09-15" not in text
    assert "age 50" in text
    plain = docx_text(every)
    assert "2016" not in plain  # a de-identified report has no calendar year either


# --- every free-text field reaches the manuscript ----------------------------------------------------------

# free text the manuscript leaves out on purpose, each with why
NOT_PRINTED = {
    "consent.note": "a record of the consent form (where it is kept), not part of the consent statement",
    "outcome.cause_of_death": "printed only when the outcome is death (the synthetic case is alive)",
    "outcome.amputation_detail": "printed only when an amputation is recorded",
}
CODES = {"id", "lesion_id", "event_id", "index_event_id", "date", "site", "code", "analyte", "unit", "drug_class",
         "treatment_class", "dose_unit", "label", "mime", "sha256", "kind", "filename", "source", "journal",
         "short_title"}


def test_every_free_text_field_reaches_the_manuscript():
    """Each free-text field of a case holding every part is set to a marker of its own; the Word
    manuscript (before its appendices) must print every marker but those of NOT_PRINTED, and the
    culture-only fields of results that are not cultures. Identifiers and authors are never in the
    de-identified manuscript's body, so they are left out. Found: a reported value's note, a non-
    calciphylaxis finding's cause and a wound observation's note and surrounding skin printed nowhere."""
    import typing

    from desktop import model
    case = every_kind()
    markers: dict[str, str] = {}

    def walk(obj, path):
        if dataclasses.is_dataclass(obj):
            hints = typing.get_type_hints(type(obj), vars(model))
            for f in dataclasses.fields(obj):
                p = f"{path}.{f.name}".lstrip(".")
                if hints.get(f.name) is str and f.name not in CODES:
                    if p.startswith(("identifiers", "authors")):
                        continue
                    if p.startswith("labs[") and f.name in ("specimen", "organism") and obj.analyte != "culture":
                        continue
                    if p.startswith("labs[") and f.name == "name" and obj.analyte != "other":
                        continue  # only a result the analyte list does not have is named
                    marker = f"Zq{len(markers):03d}x"
                    setattr(obj, f.name, marker)
                    markers[marker] = re.sub(r"\[\d+\]", "", p)
                else:
                    walk(getattr(obj, f.name), p)
        elif isinstance(obj, list):
            for i, x in enumerate(obj):
                walk(x, f"{path}[{i}]")

    walk(case, "")
    text = manuscript_part(docx_text(jsonio.loads(jsonio.dumps(case)), draft=True)).lower()
    missing = sorted({p for m, p in markers.items() if m.lower() not in text} - set(NOT_PRINTED))
    assert len(markers) > 100 and missing == [], missing


def test_a_subsection_whose_every_sentence_was_said_before_loses_its_heading():
    """Mathur et al. (NDT): the abdominal radiograph showing extensive vascular calcification is told
    in the medical history, and the Imaging subsection's only sentence repeated it. The sentence
    was left out, and the heading 'Imaging' stood over nothing."""
    case = jsonio.loads((CASES / "face-warfarin-calcium-carbonate.json").read_text("utf-8"))
    text = docx_text(case, draft=True)
    lines = [l for l in manuscript_part(text).splitlines() if l.strip()]
    assert "Imaging" not in lines
    assert "extensive vascular calcification on an abdominal radiograph" in text.lower()
    # the product the authors printed, and nothing derived: no "Derived values." heading over it
    said = next(l for l in lines if "Calcium × phosphate product > 5 mmol/l" in l)
    assert said.startswith("Calcium × phosphate product") and "Derived values" not in manuscript_part(text)
    # an imaging study the prose does not tell keeps its subsection
    case.imaging[0].findings = "Calcified digital arteries of both hands."
    case.imaging[0].region = "hands"
    lines = [l for l in manuscript_part(docx_text(case, draft=True)).splitlines() if l.strip()]
    assert "Imaging" in lines and any("Calcified digital arteries of both hands" in l for l in lines)
