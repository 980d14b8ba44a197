"""The rules on the lesions: their sites, ulceration, infection, biopsies and iatrogenic trauma.
Thresholds, wording and citations come from resources/rules/rules.json."""
from __future__ import annotations

from collections.abc import Callable

from ..model import SIGN_WORDS
from ..timing import describe
from . import labs as L
from .context import Context, lower_first, on, on_or_not, placed_or_not
from .derived import Derived
from .rulebook import rule
from .types import Evidence, Finding
from .wording import MAX_EVIDENCE, join as _join


# --- sites and lesions ---------------------------------------------------------------------------

def _site_rule(rule_id: str, key: str, attr: str) -> Callable[[Context, Derived], list[Finding]]:
    def check(ctx: Context, d: Derived) -> list[Finding]:
        r = rule(rule_id)
        wanted = set(r.threshold(key))
        found = [les for les in ctx.lesions
                 if les.site in ctx.sites and getattr(ctx.sites[les.site], attr) in wanted]
        if not found:
            return []
        ev = [Evidence("Lesion site", ctx.lesion_name(les), "", ctx.time(les.onset),
                       None if ctx.place(les.onset) is None else round(ctx.place(les.onset).day, 4),
                       f"lesions/{les.id}") for les in found][:MAX_EVIDENCE]
        names = list(dict.fromkeys(ctx.lesion_name(les) for les in found))
        return [r.finding(evidence=ev, sites=_join(names))]
    check.__name__ = rule_id
    return check


def ulcerated(ctx: Context, d: Derived) -> list[Finding]:
    r = rule("ulcerated")
    morph = set(r.threshold("morphology"))
    ev, names = [], []
    for les in ctx.lesions:
        for ob in les.observations:
            if ob.ulcerated == "yes" or (ob.ulcerated != "no" and morph.intersection(ob.morphology)):
                p = ctx.place(ob.when)
                what = "ulcerated" if ob.ulcerated == "yes" else ", ".join(m for m in ob.morphology if m in morph)
                ev.append(Evidence(f"Lesion, {ctx.lesion_name(les)}", what, "", describe(p),
                                   None if p is None else round(p.day, 4), f"lesions/{les.id}/observations/{ob.id}"))
                names.append(ctx.lesion_name(les))
                break  # one observation per lesion is enough evidence
    if not ev:
        return []
    return [r.finding(evidence=ev[:MAX_EVIDENCE], lesions=_join(list(dict.fromkeys(names))))]


# --- infection -----------------------------------------------------------------------------------

# the recorded signs that establish infection, in running text ("an abscess"): the model's words for
# each sign but "afebrile", which is none
_ARTICLE = {"abscess": "an abscess", "wound_infection": "a wound infection"}
_SIGN_WORDS = {code: _ARTICLE.get(code, words) for code, words in SIGN_WORDS.items() if code != "afebrile"}


def infection(ctx: Context, d: Derived) -> list[Finding]:
    """Signs that establish infection (purulence, foul odour, cellulitis, abscess, a wound infection
    the source states, fever, sepsis, a positive wound or blood culture, culture-directed
    antibiotics) give the warning; a raised white count alone is worded as supporting only (one SIRS
    criterion of four; authors often call it inflammation)."""
    r = rule("infection-suspected")
    signs: list[str] = []
    ev: list[Evidence] = []
    for les in ctx.case.lesions:
        for ob in les.observations:
            p = ctx.place(ob.when)
            ref = f"lesions/{les.id}/observations/{ob.id}"
            day = None if p is None else round(p.day, 4)
            if ob.purulence == "yes" or ob.exudate_type == "purulent":
                signs.append(f"purulence on the {ctx.lesion_name(les)} lesion {on_or_not(p, ob.when)}")
                ev.append(Evidence(f"Purulence, {ctx.lesion_name(les)}", "yes", "", placed_or_not(p, ob.when), day, ref))
            if ob.odour == "foul":
                signs.append(f"foul odour of the {ctx.lesion_name(les)} lesion {on_or_not(p, ob.when)}")
                ev.append(Evidence(f"Odour, {ctx.lesion_name(les)}", "foul", "", placed_or_not(p, ob.when), day, ref))
    for ev_ in ctx.case.events:
        found = [x for x in ev_.signs if x in _SIGN_WORDS]
        if found:
            p = ctx.place(ev_.when)
            signs.append(f"{_join([_SIGN_WORDS[x] for x in found])} {on_or_not(p, ev_.when)}")
            ev.append(Evidence("Recorded sign", ", ".join(SIGN_WORDS[x] for x in found), "", placed_or_not(p, ev_.when),
                               None if p is None else round(p.day, 4), f"events/{ev_.id}"))
    for w in ctx.word_results("culture"):
        if w.lab.qualitative == "positive":
            what = f"{w.lab.specimen} culture" if w.lab.specimen else "culture"
            signs.append(f"a positive {what}{f' ({w.lab.organism})' if w.lab.organism else ''} {on_or_not(w.placed, w.lab.when)}")
            ev.append(Evidence(f"Culture{', ' + w.lab.specimen if w.lab.specimen else ''}",
                               L.qualitative_text(w.lab), "", placed_or_not(w.placed, w.lab.when),
                               None if w.placed is None else round(w.placed.day, 4), f"labs/{w.lab.id}"))
    directed = [t for t in ctx.treatments(["antibiotic"]) if t.culture_directed == "yes"]
    for t in directed:
        signs.append(f"culture-directed antibiotics ({ctx.treatment_text(t)})")
        ev.append(ctx.treatment_evidence(t))
    # A recorded temperature is not judged: the domain reference gives no fever threshold, and no
    # rule here rests on a number without a source. Fever counts when the source states it.
    support: list[str] = []
    wbc = ctx.placed_results("wbc")
    if wbc and ctx.flag(wbc[-1].lab) == "H" and (len(wbc) == 1 or wbc[-1].value > wbc[-2].value):
        text = f"a white cell count of {L.format_lab(wbc[-1].lab)} {on(wbc[-1].placed)}, above its reference range"
        if len(wbc) > 1:
            text += f" and up from {L.format_lab(wbc[-2].lab)} {on(wbc[-2].placed)}"
            ev.append(ctx.lab_evidence(wbc[-2]))
        support.append(text)
        ev.append(ctx.lab_evidence(wbc[-1]))
    if not signs and not support:
        return []
    abx_t = ctx.treatments(["antibiotic"])
    abx_m = ctx.meds(["antibiotic"])
    if abx_t or abx_m:
        names = [ctx.treatment_text(t) for t in abx_t] + [ctx.med_text(m) for m in abx_m]
        note = (f"Recorded antibiotics: {_join(names)}; whether they cover MRSA and anaerobes is for the "
                f"reader to check.")
        ev += [ctx.treatment_evidence(t) for t in abx_t if t not in directed] + [ctx.med_evidence(m) for m in abx_m]
    else:
        note = ctx.none_taken(["antibiotic"], "antibiotic")
    if not signs:
        return [r.finding("supporting_only", evidence=ev[:MAX_EVIDENCE], support="; ".join(support),
                          antibiotic_note=note)]
    if len(signs) > 6:
        signs = signs[:6] + [f"{len(signs) - 6} more"]
    extra = f" Supporting: {'; '.join(support)}." if support else ""
    return [r.finding(evidence=ev[:MAX_EVIDENCE], signs="; ".join(signs), antibiotic_note=note + extra)]


# --- biopsy and iatrogenic trauma ----------------------------------------------------------------

NOT_RECORDED = "not_recorded"  # a biopsy entered without its result (the rules' thresholds may list it)


def grade(b) -> str:
    """A biopsy's grade as the source gives it: the finer ``grade`` when recorded, else ``result``,
    else "not_recorded"."""
    return b.grade or b.result or NOT_RECORDED


def _biopsy_text(ctx: Context, b, *, result: bool = True) -> str:
    g = grade(b)
    bits = [g.replace("_", " ")] if result and g != NOT_RECORDED else []
    if b.site in ctx.sites:
        label = ctx.sites[b.site].label
        # a label with a comma of its own ("leg, level not stated") is closed by one before the time
        bits.append(f"of the {label}" + ("," if "," in label else ""))
    bits.append(on(ctx.place(b.when)))
    text = " ".join(bit for bit in bits if bit)
    return f"{text}, result not recorded" if result and g == NOT_RECORDED else text


def biopsy(ctx: Context, d: Derived) -> list[Finding]:
    out = []
    caution = rule("biopsy-penile-caution")
    penile = [les for les in ctx.lesions if ctx.site_class(les) == "penile"]
    # a rule about biopsying a lesion does not fire on a surgical or autopsy specimen
    skin = set(caution.threshold("biopsy_specimens"))
    biopsies = [b for b in ctx.case.biopsies if grade(b) in caution.threshold("biopsy_results")
                and (b.specimen is None or b.specimen in skin)]
    ev_of = lambda b: Evidence("Skin biopsy", grade(b).replace("_", " "), "", ctx.time(b.when),  # noqa: E731
                               None if ctx.place(b.when) is None else round(ctx.place(b.when).day, 4), f"biopsies/{b.id}")
    if penile and biopsies:
        state = "planned" if all(grade(b) == "planned" for b in biopsies) else "recorded"
        ev = [ev_of(b) for b in biopsies] + [Evidence("Lesion site", ctx.lesion_name(les), "", ctx.time(les.onset),
                                                      ref=f"lesions/{les.id}") for les in penile]
        out.append(caution.finding(evidence=ev[:MAX_EVIDENCE], state=state,
                                   biopsies="; ".join(_biopsy_text(ctx, b) for b in biopsies)))
    inc = rule("biopsy-inconclusive")
    done = [b for b in ctx.case.biopsies if grade(b) in inc.threshold("biopsy_results")]
    if done:
        results = list(dict.fromkeys(grade(b) for b in done))
        out.append(inc.finding("one" if len(done) == 1 else "several", evidence=[ev_of(b) for b in done][:MAX_EVIDENCE],
                               result=" or ".join(results),
                               biopsies=_join([_biopsy_text(ctx, b, result=False) for b in done])))
    return out


def iatrogenic(ctx: Context, d: Derived) -> list[Finding]:
    r = rule("iatrogenic-trauma")
    words = [w.lower() for w in r.threshold("cause_keywords")]
    found = []
    for les in ctx.case.lesions:
        # only what the record says caused the lesion: never anatomical words in a site or
        # description ("fingertip", "finger pad")
        cause = les.cause.lower()
        if les.iatrogenic == "yes" or (les.iatrogenic != "no" and any(w in cause for w in words)):
            found.append(les)
    if not found:
        return []
    ev = [Evidence("Lesion", ctx.lesion_name(les), "", ctx.time(les.onset),
                   None if ctx.place(les.onset) is None else round(ctx.place(les.onset).day, 4), f"lesions/{les.id}")
          for les in found][:MAX_EVIDENCE]
    names = [f"{ctx.lesion_name(les)}" + (f" ({les.cause})" if les.cause else "") for les in found]
    changes = ctx.treatments(["glucose-monitoring-change"])
    if changes:
        note = f"A change of glucose monitoring is recorded: {_join([lower_first(ctx.treatment_text(t)) for t in changes])}."
        ev += [ctx.treatment_evidence(t) for t in changes][:3]
    else:
        note = "No change of glucose monitoring is recorded."
    return [r.finding(evidence=ev, lesions=_join(list(dict.fromkeys(names))), monitoring_note=note)]
