"""The generic patterns of the PHI scan: what looks like an identifier of anyone, not only the patient.

Dates, phone and fax numbers, e-mail, URLs, IPs, SSN-like and record-like numbers, ZIP and postal
codes, addresses and "City, State", ages over 89 (``_P``, each with the cheap test of what a text must
contain for it to match at all, ``_FEATURES``), and the citation and code spans inside which a generic
hit is dropped (``_SAFE``). Names and places by context and by list: :mod:`desktop.privacy.names`.
:mod:`desktop.privacy.phi` runs them.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable

from .folding import fold


_MON = (r"(?:(?i:january|february|april|june|july|august|september|october|november|december)"
        r"|March|MARCH|May|MAY|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
        r"|JAN|FEB|MAR|APR|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC)(?![A-Za-z])\.?)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_ORDINAL_WORDS = (r"(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
                  r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|"
                  r"(?:twenty|thirty)[\s\-]+(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
                  r"|(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th))")
_CAP = r"[A-ZÀ-ÖØ-Þ]"  # a capital letter, Latin-1 included (Lucía, Ørsted)
_LOW = r"[a-zß-öø-ÿ\u0100-\u017f]"
_WORD = _CAP + _LOW + "+"
_STATES_ABBR = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
                "NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR")
_STATES_FULL = ("Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
                "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
                "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
                "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
                "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
                "West Virginia|Wisconsin|Wyoming|Puerto Rico")
# "Smith, MD" and "Jones, PA" are credentials far more often than Maryland and Pennsylvania.
_STATES_FOR_CITY = "|".join(s for s in _STATES_ABBR.split("|") if s not in ("MD", "PA", "DO", "ME", "OR", "IN"))
_STREET_SUFFIX_RE = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|"
                     r"Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Way|Trail|Trl|Crescent|"
                     r"Close|Grove|Row|Alley|Pike|Turnpike)")
_UNITS = frozenset("""
mg g kg mcg µg μg ug ng pg ml l dl iu u units unit mmol µmol μmol umol nmol pmol meq mosm cells copies
cfu mm cm m km min mins h hr hrs s sec kcal cal mmhg bpm k x mu miu iu/l u/l ml/min mm3 µl μl ul
tablets tabs tablet caps capsules doses puffs drops sprays vials bags patients cases participants
people persons subjects reads years days weeks months hours
""".split())


@dataclass(frozen=True)
class _Pat:
    kind: str
    regex: re.Pattern
    rank: int
    group: str | int = 0
    check: Any = None  # (match, text) -> kind | None
    citation: bool = False  # also looked for in references and provenance
    # What the text must contain for the regex to match at all (see _FEATURES): a pattern is not run
    # over a text that lacks one. Each is a necessary condition read off the regex, and a test checks
    # it on the corpus; it only saves time (most fields hold no digit, no month, no "@").
    needs: str = ""

    # the kinds a hit of this pattern can be named: a phone number's check may call it a fax
    kinds: frozenset[str] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", frozenset({self.kind, "fax"} if self.kind == "phone" else {self.kind}))


_FULL_MONTHS = ("January", "February", "April", "June", "July", "August", "September", "October", "November",
                "December")
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _has_month(text: str) -> bool:
    """A month's first three letters in any case: every spelling _MON matches holds one. casefold,
    not lower, so that "ſ" counts as "s" as it does for the patterns' (?i)."""
    folded = text.casefold()
    return any(m in folded for m in _MONTH_STEMS)


# The cheap tests behind _Pat.needs, each one pass over the text.
_FEATURES: dict[str, Callable[[str], bool]] = {
    "d": re.compile(r"\d").search,  # a digit (any script, as \d in the patterns)
    "m": _has_month,
    "M": lambda t: "May" in t or "March" in t,
    "F": lambda t: any(m in t for m in _FULL_MONTHS),
    "a": re.compile(r"(?i)[\[(]\s*at\s*[\])]").search,  # an e-mail address written "name [at] host"
    "7": re.compile(r"\d{3}[\s.\-]?\d{4}").search,  # the last seven digits of a phone number
    "@": lambda t: "@" in t,
    ":": lambda t: ":" in t,
    "w": re.compile(r"(?i)www\.").search,
}


def _valid_dmy(m: re.Match, text: str) -> str | None:
    a, b = int(m.group("a")), int(m.group("b"))
    ok = (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)
    return "date" if ok else None


def _not_unit(m: re.Match, text: str) -> str | None:
    after = text[m.end():m.end() + 16]
    am = re.match(r"\s?([/×%]|[A-Za-zµμ]+(?:/[A-Za-zµμ0-9]+)?)", after)
    if am:
        tok = am.group(1).lower()
        if tok in ("/", "×", "%") or tok in _UNITS or tok.split("/")[0] in _UNITS:
            return None
    return "digits"


def _phone_or_fax(m: re.Match, text: str) -> str | None:
    digits = re.sub(r"\D", "", m.group(0))
    if len(digits) < 7 or len(set(digits)) == 1:
        return None
    before = text[max(0, m.start() - 30):m.start()].lower()
    return "fax" if "fax" in before else "phone"


def _phone_not_range(m: re.Match, text: str) -> str | None:
    """A bare 555-0142 is a local phone number unless a unit follows (a range such as 150-2000 mg)."""
    return _phone_or_fax(m, text) if _not_unit(m, text) else None


def _valid_ipv6(m: re.Match, text: str) -> str | None:
    try:
        ipaddress.IPv6Address(m.group(0))
    except ValueError:
        return None
    return "ip"


def _record_value(m: re.Match, text: str) -> str | None:
    v = m.group("v")
    digits = sum(c.isdigit() for c in v)
    alnum = sum(c.isalnum() for c in v)
    if digits < 2 or alnum < 4:
        return None
    return "record_number"


def _ssn_ok(m: re.Match, text: str) -> str | None:
    digits = re.sub(r"\D", "", m.group("v") if "v" in m.re.groupindex else m.group(0))
    return "ssn" if len(digits) == 9 else None


_PUBLICATION_HOSTS = re.compile(
    r"(?i)^(?:[a-z]+://)?(?:www\.)?(?:dx\.)?(?:doi\.org|pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov"
    r"|clinicaltrials\.gov|orcid\.org|creativecommons\.org)\b")


_STATE_NAMES = frozenset(fold(x) for x in _STATES_FULL.split("|"))


def _not_state(m: re.Match, text: str) -> str | None:
    return None if fold(m.group("v")) in _STATE_NAMES else "address"


def _url_ok(m: re.Match, text: str) -> str | None:
    return None if _PUBLICATION_HOSTS.match(m.group(0)) else "url"


_RECORD_CONTEXT = (
    r"(?i:\b(?:mrn|medical\s+record(?:\s+(?:no\.?|number|#))?|record\s+(?:no\.?|number|#)"
    r"|chart\s+(?:no\.?|number|#)|hospital\s+(?:no\.?|number|id)|patient\s+(?:id|no\.?|number)"
    r"|account(?:\s+(?:no\.?|number|#))?|acct\.?(?:\s*(?:no\.?|#))?|policy(?:\s+(?:no\.?|number|#))?"
    r"|(?:member|subscriber|beneficiary|group)\s+(?:id|no\.?|number|#)|beneficiary"
    r"|health[\s-]+plan(?:\s+(?:id|no\.?|number|#))?|insurance\s+(?:id|no\.?|number|#)"
    r"|medicare(?:\s+(?:id|no\.?|number|#|beneficiary\s+identifier))?|medicaid(?:\s+(?:id|no\.?|number|#))?"
    r"|nhs\s+(?:no\.?|number)|licen[cs]e(?:\s+(?:no\.?|number|#))?|certificate(?:\s+(?:no\.?|number|#))?"
    r"|(?:licen[cs]e\s+)?plate(?:\s+(?:no\.?|number))?|registration(?:\s+(?:no\.?|number))?|vin|serial(?:\s+(?:no\.?|number|#))?"
    r"|s/n|sn|device\s+(?:id|identifier|serial)|udi|accession(?:\s+(?:no\.?|number|#))?"
    r"|case\s+(?:no\.?|number|#)|claim(?:\s+(?:no\.?|number|#))?|id(?:\s+(?:no\.?|number))?|identifier)\b)"
)
_CODE_VALUE = r"(?P<v>(?=[A-Za-z\-/.]*\s?\d)[A-Za-z0-9](?:[A-Za-z0-9]|[\-/.](?=[A-Za-z0-9])|\s(?=\d{2})){2,30})(?![A-Za-z0-9])"

_P: list[_Pat] = [
    # --- dates
    _Pat("date", re.compile(r"(?<![\w.])(?:1[89]|20)\d{2}(?P<s>[\-/.:])(?:0?[1-9]|1[0-2])(?P=s)" + _DAY + r"(?!\d|[.,]\d)"), 2, needs="d"),
    _Pat("date", re.compile(r"(?<![\w.,/\-])(?P<a>\d{1,2})(?P<s>[/.\-])(?P<b>\d{1,2})(?P=s)(?:\d{4}|\d{2})(?!\d|[.,/\-]\d)"), 2, check=_valid_dmy, needs="d"),
    _Pat("date", re.compile(r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"), 2, needs="d"),
    _Pat("date", re.compile(r"(?<![\w.])" + _DAY + r"(?:st|nd|rd|th)?(?:\s+of\s+|[\s\-/]{1,3}|\.)?" + _MON
                            + r"(?![a-z])(?:[\s\-./,]*(?:\d{4}|'\d{2})(?!\d))?"), 2, needs="dm"),
    _Pat("date", re.compile(r"(?<![A-Za-z])" + _MON + r"(?![a-z])[\s.,]*(?:the\s+)?" + _DAY
                            + r"(?:st|nd|rd|th)?(?![\d:])(?:,?\s*(?:\d{4}|'\d{2})(?!\d))?"), 2, needs="dm"),
    _Pat("date", re.compile(r"(?<![A-Za-z])" + _MON + r"(?![a-z])[\s.,]*(?:of\s+)?(?:(?:1[89]|20)\d{2}|'\d{2})(?!\d)"), 2, needs="dm"),
    _Pat("date", re.compile(r"(?<![\w.,/\-])(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}(?![\d/])"), 2, needs="d"),
    # ISO month-year ("2015-06", "2015/06"): "06/2015" was caught, this was not
    _Pat("date", re.compile(r"(?<![\w.,/\-])(?:19|20)\d{2}[\-/](?:0[1-9]|1[0-2])(?![\w]|[.,/\-]\d)"), 2, needs="d"),
    # a day in words: "the third of March", "twenty-first of June", "March the third"
    _Pat("date", re.compile(r"(?i:\b(?:the\s+)?" + _ORDINAL_WORDS + r"\s+(?:of\s+)?)" + _MON
                            + r"(?![a-z])(?:[\s\-./,]*(?:\d{4}|['’]\d{2})(?!\d))?"), 2, needs="m"),
    _Pat("date", re.compile(r"(?<![A-Za-z])" + _MON + r"(?![a-z])\s+(?i:the\s+)?(?i:" + _ORDINAL_WORDS + r")\b"), 2, needs="m"),
    # a month with an abbreviated year: "Mar. '21", "Mar ’21", "March of '21"
    _Pat("date", re.compile(r"(?<![A-Za-z])" + _MON + r"(?![a-z])[\s.,]*(?:of\s+)?['’]\d{2}(?!\d)"), 2, needs="dm"),
    # a month alone is a date element too (Safe Harbor keeps only the year); "May" and "March" only after
    # a word that makes them a month, since both are also ordinary words
    _Pat("date", re.compile(r"(?<![\w\-])(?:January|February|April|June|July|August|September|October|November|December)(?![\w\-])"), 3, needs="F"),
    _Pat("date", re.compile(r"(?i:\b(?:mid|early|late|end)-)(?P<v>(?:January|February|March|April|May|June|July|August|September|October|November|December))(?![\w\-])"), 3, group="v", needs="m"),
    _Pat("date", re.compile(r"(?i:\b(?:in|of|since|until|till|by|during|from|early|late|mid|end\s+of|last|next|this)[\s\-]+)(?P<v>May|March)\b"), 3, group="v", needs="M"),
    # --- contact
    _Pat("email", re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), 1, citation=True, needs="@"),
    _Pat("email", re.compile(r"(?i)(?<![\w.\-])[\w.\-]+\s*[\[(]\s*at\s*[\])]\s*[\w\-]+(?:\s*[\[(]\s*dot\s*[\])]\s*[\w\-]+)+"), 1, citation=True, needs="a"),
    _Pat("url", re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>\"'\]\)]+"), 2, check=_url_ok, needs=":"),
    _Pat("url", re.compile(r"(?i)(?<![\w.@/\-])www\.[^\s<>\"'\]\)]+"), 2, check=_url_ok, needs="w"),
    _Pat("url", re.compile(r"(?i)(?<![\w.@/\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
                           r"(?:com|org|net|edu|gov|info|biz|io|me|us|uk|ca|au|de|fr|nl|health|care|co)"
                           r"(?![\w\-@]|\.[a-z])(?:/[^\s<>\"'\]\)]*)?"), 3, check=_url_ok),
    _Pat("ip", re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)"), 1, citation=True, needs="d"),
    _Pat("ip", re.compile(r"(?i)(?<![\w:])(?:[0-9a-f]{1,4})?(?::[0-9a-f]{0,4}){2,7}(?![\w:])"), 1, check=_valid_ipv6, citation=True, needs=":"),
    _Pat("ssn", re.compile(r"(?<![\w\-])(?!000|666)\d{3}(?P<s>[\- ])(?!00)\d{2}(?P=s)(?!0000)\d{4}(?![\w]|-\d)"), 1, citation=True, needs="d"),
    _Pat("ssn", re.compile(r"(?i)\b(?:ssn|ss#|soc\.?\s*sec\.?|social[\s-]+security)(?:\s+(?:no\.?|number|#))?\s*(?:is|was)?\s*[:#]?\s*"
                           r"(?P<v>\d{3}[\s.\-]?\d{2}[\s.\-]?\d{4})(?!\d)"), 0, group="v", check=_ssn_ok, citation=True, needs="d"),
    _Pat("ssn", re.compile(r"(?i)(?<![\w\-])[x*]{3}-[x*]{2}-\d{4}(?!\d)"), 1, citation=True, needs="d"),
    _Pat("phone", re.compile(r"(?<![\w+])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]?\d{4}"
                             r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?(?!\d|[.,]\d)"), 3, check=_phone_or_fax, needs="7"),
    _Pat("phone", re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-]?\(?\d{1,4}\)?){2,5}(?!\d|[.,]\d)"), 3, check=_phone_or_fax, needs="d"),
    _Pat("phone", re.compile(r"(?<![\w.,])0\d{2,4}[\s\-]\d{3,4}[\s\-]?\d{3,4}(?!\d|[.,]\d)"), 3, check=_phone_or_fax, needs="d"),
    _Pat("phone", re.compile(r"(?<![\w.,/\-])\d{3}-\d{4}(?![\w]|[.,\-]\d)"), 4, check=_phone_not_range, needs="7"),
    _Pat("phone", re.compile(r"(?i)\b(?:phone|tel|telephone|call(?:ed)?|cell|mobile|pager|beeper|fax(?:ed)?|ext|extension|number|line|dial(?:led|ed)?|contact|reach(?:ed)?)"
                             r"\b[^\n\d]{0,20}?(?P<v>(?<!\d)\d{3}[\s.\-]\d{4})(?!\d|[.,]\d)"), 3, group="v", check=_phone_or_fax, needs="7"),
    # --- numbers
    _Pat("record_number", re.compile(_RECORD_CONTEXT + r"[\s:#.]*(?:(?:is|was|of|reads?|number)\s+)?[:#]?\s*" + _CODE_VALUE),
         0, group="v", check=_record_value, needs="d"),
    _Pat("record_number", re.compile(r"(?<![\w\-])(?!NCT|PMC|ISRCTN|PMID|RS\d)(?=[A-Z0-9\-]*\d{5})[A-Z]{1,4}-?\d[A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w\-])"), 3, needs="d"),
    _Pat("digits", re.compile(r"(?<![\w.,/])\d{6,}(?!\w|[.,]\d)"), 4, check=_not_unit, needs="d"),
    _Pat("digits", re.compile(r"(?<![\w.,/\-])\d{4}(?:[ \-]\d{4}){2,3}(?![\w]|[.,\-]\d)"), 4, needs="d"),
    # --- places
    _Pat("zip", re.compile(r"(?<![\w\-])\d{5}-\d{4}(?![\w]|-\d)"), 1, needs="d"),
    _Pat("zip", re.compile(r"\b(?:" + _STATES_ABBR + "|" + _STATES_FULL + r"),?\s+(?P<v>\d{5}(?:-\d{4})?)(?!\d)"), 1, group="v", needs="d"),
    _Pat("zip", re.compile(r"(?i)\b(?:zip(?:\s*code)?|postal\s+code|post\s*code)\b\s*(?:is|was|of)?\s*[:#]?\s*"
                           r"(?P<v>\d{5}(?:-\d{4})?|\d{3}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})(?![\w])"), 0, group="v", needs="d"),
    _Pat("zip", re.compile(r"(?<![\w])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s\d[ABD-HJLNP-UW-Z]{2}(?!\w)"), 3, needs="d"),
    _Pat("address", re.compile(r"(?<![\w.,/])\d{1,6}[A-Za-z]?(?:-\d{1,4})?\s+(?:(?:[NSEW]|North|South|East|West)\.?\s+)?"
                               r"(?:(?:[A-Z][A-Za-z'’\-]*|\d{1,3}(?:st|nd|rd|th))\.?\s+){1,3}" + _STREET_SUFFIX_RE
                               + r"\b\.?(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*#?\s*[\w\-]+)?"), 2, needs="d"),
    _Pat("address", re.compile(r"(?i)\bP\.?\s?O\.?\s*Box\s+\d+"), 2, needs="d"),
    _Pat("address", re.compile(r"(?i)\b(?:apt|apartment|suite|ste)\.?\s*#?\s*\d+[A-Z]?\b"), 3, needs="d"),
    _Pat("address", re.compile(r"\b(?P<v>" + _WORD + r"(?:[ \-]" + _WORD + r"){0,2}),\s+(?:" + _STATES_FOR_CITY + "|" + _STATES_FULL
                               + r")\b"), 3, group="v"),
    _Pat("address", re.compile(r"\b" + _WORD + r"(?:\s" + _WORD + r")?\s+(?:County|Parish|Borough)\b"), 3),
    _Pat("address", re.compile(r"\b(?:lives|living|lived|resides|residing|resident|moved|relocated|hometown|home\s+town"
                               r"|born|raised|grew\s+up|native)\s+(?:in|of|at|to|from|is)\s+(?:the\s+town\s+of\s+|the\s+city\s+of\s+)?"
                               r"(?P<v>" + _WORD + r"(?:[ \-]" + _WORD + r"){0,2})"), 3, group="v", check=_not_state),
    # --- names: see desktop/privacy/names.py (titles, relations, "named ...", lists)
    # --- ages over 89
    _Pat("age", re.compile(r"(?i)\b(?:9\d|1[01]\d)(?:\s*|-)(?:years?|yrs?|y)(?:\s*|-)(?:old|of\s+age)\b"), 2, needs="d"),
    _Pat("age", re.compile(r"(?i)\b(?:9\d|1[01]\d)\s*(?:yo|y/o|y\.o\.)(?!\w)"), 2, needs="d"),
    _Pat("age", re.compile(r"(?i)\b(?:aged?|age:)\s*:?\s*(?:9\d|1[01]\d)\b(?!\s*(?:or\s+(?:older|over|more|above)|\+|%|mg|kg|ml|/))"), 2, needs="d"),
    _Pat("age", re.compile(r"(?i)\bninety(?:[\s\-]+(?:one|two|three|four|five|six|seven|eight|nine))?[\s\-]+(?:years?|yrs?)(?:[\s\-]+old)?\b"
                           ), 2),
    _Pat("age", re.compile(r"(?i)\b(?:turned|turning|aged?|at)\s+(?:ninety|one\s+hundred)(?:[\s\-]+(?:one|two|three|four|five|six|seven|eight|nine))?\b"), 2),
    _Pat("age", re.compile(r"(?i)\b(?:a|one)?[\s\-]*hundred(?:[\s\-]+and)?(?:[\s\-]+(?:one|two|three|four|five|six|seven|eight|nine|ten))?"
                           r"[\s\-]+(?:years?|yrs?)(?:[\s\-]+(?:old|of\s+age))?\b"), 2),
    _Pat("age", re.compile(r"(?i)\b(?:nonagenarian|centenarian)\b|\bin\s+(?:his|her|their)\s+(?:early\s+|mid[\s\-]+|late\s+)?(?:nineties|90s|hundreds)\b"), 2),
]

# Spans that are citations or standard codes, not identifiers: generic hits inside them are dropped.
_SAFE = [
    re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+"),  # DOI
    re.compile(r"(?i)\b(?:pmid|pmcid|pmc|snomed(?:[\s\-]*ct)?|loinc|icd[\s\-]*(?:9|10|11|o)(?:[\s\-]*(?:cm|pcs))?|cpt|hcpcs|ndc"
               r"|rxnorm|rxcui|isbn|issn|orcid|nct|isrctn|eudract|umls|cui|hgnc|omim|clinvar|dbsnp|gene\s+id)\b"
               r"[\s:#\-]*(?:codes?\s*)?[:#]?\s*[\w.\-/]*\d[\w.\-/]*(?:\s*(?:,|and|or|;)\s*[\w.\-/]*\d[\w.\-/]*)*"),
    re.compile(r"\b(?:NCT\d{8}|PMC\d{5,}|ISRCTN\d{8}|rs\d{3,})\b"),
]
