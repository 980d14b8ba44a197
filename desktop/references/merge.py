"""Citation keys and duplicates: what an import adds to a case's references and what it merges.

Two references are the same work when they share a DOI, or a PMID, or the same title (letters and
digits, case folded) and year. A duplicate is merged into the item already there: its empty fields
are filled from the newcomer, nothing recorded is overwritten, and a message says so.
"""
from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field, fields

from ..model import Reference
from .parse import Parsed

_KEY_OK = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_:.#$%&+?<>~/-]*[A-Za-z0-9_])?$")


@dataclass
class ImportPlan:
    add: list[Reference] = field(default_factory=list)  # new items, citation keys assigned
    update: list[Reference] = field(default_factory=list)  # items of the case with fields filled in
    messages: list[str] = field(default_factory=list)
    read: int = 0  # records in the file
    merged: int = 0  # records that were duplicates


def ascii_fold(text: str) -> str:
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("æ", "ae")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def family_of(author: str) -> str:
    """The family name of "Family, Given", or the corporate name itself."""
    a = author.strip()
    if a.startswith("{") and a.endswith("}"):
        return a[1:-1]
    return a.split(",", 1)[0] if "," in a else a


def make_key(ref: Reference, taken: set[str]) -> str:
    """"smilnak2022", then "smilnak2022a", "smilnak2022b", ... when taken."""
    base = ""
    if ref.authors:
        fam = family_of(ref.authors[0])
        words = re.findall(r"[A-Za-z0-9]+", ascii_fold(fam))
        base = words[0].lower() if "," in ref.authors[0] and words else "".join(w[0] for w in words).lower()
    if not base:
        words = [w for w in re.findall(r"[A-Za-z0-9]+", ascii_fold(ref.title)) if len(w) > 3]
        base = words[0].lower() if words else "ref"
    base += str(ref.year) if ref.year else "nd"
    if base not in taken:
        return base
    for suffix in "abcdefghijklmnopqrstuvwxyz":
        if base + suffix not in taken:
            return base + suffix
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _norm_title(title: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", ascii_fold(title).casefold())


def identities(ref: Reference) -> list[tuple[str, str]]:
    out = []
    if ref.doi:
        out.append(("DOI", ref.doi.lower()))
    if ref.pmid:
        out.append(("PMID", ref.pmid))
    t = _norm_title(ref.title)
    if t and ref.year is not None:
        out.append(("title and year", f"{t}|{ref.year}"))
    return out


def same_work(a: Reference, b: Reference) -> str | None:
    """How ``a`` and ``b`` are the same work ("same DOI 10.…"), or None."""
    ib = dict(identities(b))
    for kind, value in identities(a):
        if ib.get(kind) == value:
            shown = value if kind != "title and year" else f"{b.year}"
            return f"same DOI {shown}" if kind == "DOI" else f"same PMID {shown}" if kind == "PMID" else \
                f"same title and year ({shown})"
    return None


def fill_from(target: Reference, other: Reference) -> list[str]:
    """Fill ``target``'s empty fields from ``other``; the names of the fields filled."""
    filled = []
    for f in fields(Reference):
        if f.name in ("id", "key"):
            continue
        mine, theirs = getattr(target, f.name), getattr(other, f.name)
        if mine in ("", None, []) and theirs not in ("", None, []):
            setattr(target, f.name, copy.deepcopy(theirs))
            filled.append(f.name)
    return filled


def describe(ref: Reference) -> str:
    who = family_of(ref.authors[0]) if ref.authors else ""
    title = ref.title if len(ref.title) <= 60 else ref.title[:57].rstrip() + "…"
    bits = " ".join(x for x in (who, str(ref.year) if ref.year else "") if x)
    return f"\u201c{title}\u201d" + (f" ({bits})" if bits else "")


def plan_import(existing: list[Reference], parsed: list[Parsed], source: str = "the file") -> ImportPlan:
    """What importing ``parsed`` into a case holding ``existing`` does: items to add (with keys),
    items of the case to update (merged duplicates), and a message for each merge or renamed key."""
    plan = ImportPlan(read=len(parsed))
    taken = {r.key for r in existing if r.key}
    pool: list[tuple[Reference, bool]] = [(copy.deepcopy(r), False) for r in existing]  # (item, is new)
    updated: dict[str, Reference] = {}
    for p in parsed:
        new = copy.deepcopy(p.ref)
        match = next(((item, is_new, why) for item, is_new in pool if (why := same_work(new, item))), None)
        if match is not None:
            item, is_new, why = match
            filled = fill_from(item, new)
            plan.merged += 1
            where = "an earlier record of this file" if is_new else "a reference of the case"
            msg = (f"{source}, line {p.line}: {describe(new)} is a duplicate of {where}, [@{item.key}] ({why}); "
                   f"merged" + (f", adding its {', '.join(filled)}" if filled else "") + ".")
            plan.messages.append(msg)
            if filled and not is_new:
                updated[item.id] = item
            continue
        wanted = new.key
        readable = bool(wanted) and _KEY_OK.match(wanted) and "://" not in wanted and len(wanted) <= 40
        if readable and wanted not in taken:
            key = wanted
        else:
            key = make_key(new, taken)
            if wanted:
                reason = "is taken by another reference" if readable else \
                    "is not a citation key Casebook keeps (a URL, odd characters or over 40 characters)"
                plan.messages.append(f"{source}, line {p.line}: the key {wanted!r} {reason}; "
                                     f"{describe(new)} is cited as [@{key}].")
        new.key = key
        taken.add(key)
        pool.append((new, True))
        plan.add.append(new)
    plan.update = list(updated.values())
    return plan
