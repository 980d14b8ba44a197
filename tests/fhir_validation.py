"""Validate FHIR R4B JSON the way an integrator's validator does, from the official core package.

The package ``hl7.fhir.r4b.core`` 4.3.0 comes from the npm registry (``npm pack``) into a cache the
first time it is needed (``$CASEBOOK_FHIR_CACHE`` or ``~/.cache/casebook``); nothing of it is kept in
the repository. From it:

- the R4B JSON schema (``openapi/fhir.schema.json``): every resource against its own definition;
- the StructureDefinitions' snapshots: cardinality (min/max), element names and choice types,
  bindings of *required* strength against the package's ValueSets and CodeSystems, and every
  FHIRPath invariant of severity ``error`` (evaluated with fhirpathpy) — on the resource, on each
  element, and on each data type's own definition (Quantity, Reference, Narrative, Extension ...);
- profiles named in ``meta.profile`` (the vital-signs profiles): their cardinalities, fixed and
  pattern values, and slices discriminated by pattern (the VSCat category, the LOINC code);
- extensions: only those the package defines, each checked against its own definition.

:func:`validate` returns a list of error messages; an empty list means the resource passed.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from functools import cache
from pathlib import Path

PACKAGE = "hl7.fhir.r4b.core"
VERSION = "4.3.0"
CORE = "http://hl7.org/fhir/StructureDefinition/"


def package_dir() -> Path:
    """The unpacked core package, fetched from npm into the cache on first use."""
    root = Path(os.environ.get("CASEBOOK_FHIR_CACHE") or Path.home() / ".cache" / "casebook")
    dest = root / f"{PACKAGE}-{VERSION}"
    if (dest / "package" / "package.json").exists():
        return dest / "package"
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch the FHIR R4B core package for the validation tests")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", tmp, "--silent"],
                       check=True, cwd=tmp, stdout=subprocess.DEVNULL, timeout=600)
        (tgz,) = Path(tmp).glob("*.tgz")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tgz) as tf:
            tf.extractall(unpacked, filter="data")
        if not (unpacked / "package" / "package.json").exists():
            raise RuntimeError(f"{tgz.name} is not an npm FHIR package")
        try:
            unpacked.rename(dest)
        except OSError:  # another process unpacked it first
            pass
    return dest / "package"


def _load(name: str) -> dict:
    return json.loads((package_dir() / name).read_text("utf-8"))


@cache
def _index() -> dict[str, str]:
    """canonical URL -> file name, for StructureDefinitions, ValueSets and CodeSystems (kept beside
    the unpacked package after the first run)."""
    cached = package_dir().parent / "casebook-index.json"
    if cached.exists():
        return json.loads(cached.read_text("utf-8"))
    out = {}
    for p in package_dir().glob("*.json"):
        if p.name.startswith(("StructureDefinition-", "ValueSet-", "CodeSystem-")):
            url = json.loads(p.read_text("utf-8")).get("url")
            if url:
                out[url] = p.name
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(out), "utf-8")
    os.replace(tmp, cached)
    return out


@cache
def sd(url_or_type: str) -> dict:
    url = url_or_type if "/" in url_or_type else CORE + url_or_type
    return _load(_index()[url])


def known(url: str) -> bool:
    return url.split("|")[0] in _index()


@cache
def schema():
    import jsonschema
    s = json.loads((package_dir() / "openapi" / "fhir.schema.json").read_text("utf-8"))
    return s, jsonschema.Draft6Validator


@cache
def _schema_validator(rtype: str):
    s, cls = schema()
    sub = {"$schema": s.get("$schema"), "definitions": s["definitions"], "$ref": f"#/definitions/{rtype}"}
    return cls(sub)


def _codes_of_system(system: str) -> set[str] | None:
    if not known(system):
        return None
    cs = sd(system)
    if cs.get("content") not in ("complete", None):
        return None
    out = set()

    def walk(concepts):
        for c in concepts or []:
            out.add(c["code"])
            walk(c.get("concept"))
    walk(cs.get("concept"))
    return out


@cache
def value_set(url: str) -> frozenset | None:
    """(system, code) pairs of a ValueSet, or None where it cannot be expanded from the package."""
    url = url.split("|")[0]
    if not known(url):
        return None
    vs = sd(url)
    out = set()
    for inc in vs.get("compose", {}).get("include", []):
        if inc.get("filter"):
            return None
        for ref in inc.get("valueSet", []):
            sub = value_set(ref)
            if sub is None:
                return None
            out |= sub
        system = inc.get("system")
        if not system:
            continue
        if inc.get("concept"):
            out |= {(system, c["code"]) for c in inc["concept"]}
        else:
            codes = _codes_of_system(system)
            if codes is None:
                return None
            out |= {(system, c) for c in codes}
    if vs.get("compose", {}).get("exclude"):
        return None
    return frozenset(out)


PRIMITIVES = {"boolean", "integer", "string", "decimal", "uri", "url", "canonical", "base64Binary", "instant",
              "date", "dateTime", "time", "code", "oid", "id", "markdown", "unsignedInt", "positiveInt", "uuid",
              "xhtml", "integer64"}


def _is_primitive(t: str) -> bool:
    return t in PRIMITIVES or t.startswith("http://hl7.org/fhirpath/")


def _cap(t: str) -> str:
    return t[0].upper() + t[1:]


# Invariants the HL7 validator runs in a corrected form, because the published expression fails every
# instance it should pass: vs-1 as published, "($this as dateTime).toString().length() >= 8", is
# empty for an effectivePeriod (FirelyTeam/firely-validator-api#202 quotes the Java validator's fix).
# per-1 is the published expression, reworded with iif() because fhirpathpy evaluates both sides of
# 'or' and cannot compare two start/end elements that carry only extensions.
FIXED_INVARIANTS = {"vs-1": "$this is dateTime implies $this.toString().length() >= 10",
                    "per-1": "iif(start.hasValue() and end.hasValue(), start <= end, true)"}

_XHTML_NS = "{http://www.w3.org/1999/xhtml}"
_XHTML_ALLOWED = {"a", "abbr", "acronym", "b", "big", "blockquote", "br", "caption", "cite", "code", "col",
                  "colgroup", "dd", "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
                  "img", "li", "ol", "p", "pre", "q", "samp", "small", "span", "strong", "sub", "sup", "table",
                  "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "ul", "var"}


def _html_checks(inputs) -> list[bool]:
    """FHIR's htmlChecks(): XHTML in a div of the XHTML namespace, only the elements and
    attributes narrative allows (no script, form, event handler), with some text in it."""
    from xml.etree import ElementTree as ET
    if len(inputs) != 1 or not isinstance(inputs[0], str):
        return [False]
    try:
        root = ET.fromstring(inputs[0])
    except ET.ParseError:
        return [False]
    if root.tag != _XHTML_NS + "div":
        return [False]
    for el in root.iter():
        if not el.tag.startswith(_XHTML_NS) or el.tag[len(_XHTML_NS):] not in _XHTML_ALLOWED:
            return [False]
        if any(a.lower().startswith("on") or a.startswith("{") for a in el.attrib):
            return [False]
    return ["".join(root.itertext()).strip() != ""]


_FUNCTIONS = {
    "hasValue": {"fn": lambda inputs: [len(inputs) == 1 and inputs[0] is not None
                                       and not isinstance(inputs[0], dict)], "arity": {0: []}},
    "htmlChecks": {"fn": _html_checks, "arity": {0: []}},
}


@cache
def _compiled(expr: str):
    import fhirpathpy
    from fhirpathpy.models import models
    return fhirpathpy.compile(expr, models["r4"], {"userInvocationTable": _FUNCTIONS,
                                                   "traceFn": lambda *a: None})


class _Run:
    def __init__(self, root: dict):
        self.root = root
        self.errors: list[str] = []

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    # -- invariants ------------------------------------------------------------------------------
    def invariants(self, node, elem: dict, where: str, resource: dict, base: str | None = None) -> None:
        for c in elem.get("constraint", []):
            if c.get("severity") != "error" or not c.get("expression"):
                continue
            if c["key"] == "ele-1":
                # checked here, not by fhirpathpy, whose children() skips a primitive that has only
                # extensions (``"_start": {...}``): an element needs a value or a child other than id
                if isinstance(node, dict) and not any(k != "id" for k in node):
                    self.err(where, "invariant ele-1 fails: an element with neither a value nor children")
                continue
            try:
                from fhirpathpy.engine.nodes import ResourceNode
                data = copy.deepcopy(node)
                data = ResourceNode.create_node(data, base) if base else data
                result = _compiled(FIXED_INVARIANTS.get(c["key"], c["expression"]))(data, {"resource": resource,
                                                                           "rootResource": resource})
            except Exception as exc:  # noqa: BLE001 - an invariant the engine cannot run is reported
                self.err(where, f"{c['key']} could not be evaluated ({type(exc).__name__}: {exc})")
                continue
            if result != [True]:  # as the HL7 validator reads it: an empty result is a failure too
                self.err(where, f"invariant {c['key']} fails: {c['human']}")

    # -- bindings --------------------------------------------------------------------------------
    def binding(self, value, raw_type: str, elem: dict, where: str) -> None:
        b = elem.get("binding") or {}
        if b.get("strength") != "required" or not b.get("valueSet"):
            return
        vs = value_set(b["valueSet"])
        if vs is None:
            return  # not expandable offline from the package (e.g. BCP-47, MIME types)
        codes = {c for _, c in vs}
        if raw_type == "code":
            if value not in codes:
                self.err(where, f"code {value!r} is not in the required value set {b['valueSet']}")
        elif raw_type == "Coding":
            if (value.get("system"), value.get("code")) not in vs:
                self.err(where, f"{value.get('system')}|{value.get('code')} is not in {b['valueSet']}")
        elif raw_type == "CodeableConcept":
            if not any((c.get("system"), c.get("code")) in vs for c in value.get("coding", [])):
                self.err(where, f"no coding from the required value set {b['valueSet']}")
        elif raw_type == "Quantity" and value.get("code") is not None:
            if value.get("code") not in codes:
                self.err(where, f"unit code {value.get('code')!r} is not in {b['valueSet']}")

    # -- structure -------------------------------------------------------------------------------
    def walk(self, node: dict, sdef: dict, path: str, where: str, resource: dict) -> None:
        """``node`` is an instance of the element ``path`` in ``sdef``'s snapshot."""
        elems = sdef["snapshot"]["element"]
        children = [e for e in elems if ":" not in e["id"] and e["path"].startswith(path + ".")
                    and e["path"].count(".") == path.count(".") + 1]
        matched = {"resourceType", "fhir_comments"}
        for e in children:
            name = e["path"].rsplit(".", 1)[1]
            types = [t["code"] for t in e.get("type", [])]
            if name.endswith("[x]"):
                base = name[:-3]
                present = [(k, t) for t in types for k in (base + _cap(t),) if k in node or "_" + k in node]
            else:
                present = [(name, types[0] if types else None)] if (name in node or "_" + name in node) else []
            n_total = 0
            for key, t in present:
                matched |= {key, "_" + key}
                vals = node.get(key)
                ext = node.get("_" + key)
                many = e["max"] != "1"
                if vals is not None and many != isinstance(vals, list):
                    self.err(f"{where}.{key}", "an array is expected" if many else "a single value is expected")
                    continue
                vals = vals if isinstance(vals, list) else ([] if vals is None else [vals])
                exts = ext if isinstance(ext, list) else ([] if ext is None else [ext])
                count = max(len(vals), len(exts))
                n_total += count
                for i in range(count):
                    v = vals[i] if i < len(vals) else None
                    x = exts[i] if i < len(exts) else None
                    w = f"{where}.{key}" + (f"[{i}]" if many else "")
                    self.element(v, x, t, e, sdef, w, resource)
            if n_total < e["min"]:
                self.err(f"{where}.{name}", f"minimum cardinality {e['min']} not met")
            if e["max"] not in ("*",) and n_total > int(e["max"]):
                self.err(f"{where}.{name}", f"maximum cardinality {e['max']} exceeded ({n_total})")
        for k in node:
            if k not in matched:
                self.err(where, f"unknown element {k!r}")

    def element(self, v, x, t: str | None, e: dict, sdef: dict, where: str, resource: dict) -> None:
        if x is not None:  # a primitive's id and extensions
            for i, ext in enumerate(x.get("extension", [])):
                self.extension(ext, f"{where}.extension[{i}]", resource)
        if v is None:
            if x is None or not x.get("extension"):
                self.err(where, "ele-1: a primitive with neither a value nor an extension")
            return
        if t is None and e.get("contentReference"):
            ref_path = e["contentReference"].split("#", 1)[1]
            target = next(el for el in sdef["snapshot"]["element"] if el["path"] == ref_path)
            self.invariants(v, target, where, resource, ref_path)
            self.walk(v, sdef, ref_path, where, resource)
            return
        if t is None:
            return
        if _is_primitive(t):
            if isinstance(v, str) and v.strip() != v or v == "":
                self.err(where, "a string with outer whitespace or empty")
            self.binding(v, t, e, where)
            self.invariants(v, e, where, resource, t)
            return
        if not isinstance(v, dict):
            self.err(where, f"an object of type {t} is expected")
            return
        if t == "Resource":
            self.resource(v, where)
            return
        self.binding(v, t, e, where)
        self.invariants(v, e, where, resource, e["path"] if t in ("BackboneElement", "Element") else t)
        if t == "Extension":
            self.extension(v, where, resource)
            return
        own = [el for el in sdef["snapshot"]["element"] if el["path"].startswith(e["path"] + ".")]
        if t in ("BackboneElement", "Element") and own:
            self.walk(v, sdef, e["path"], where, resource)
            return
        dt = sd(t)
        self.invariants(v, dt["snapshot"]["element"][0], where, resource, t)
        self.walk(v, dt, t, where, resource)

    def extension(self, ext: dict, where: str, resource: dict) -> None:
        url = ext.get("url", "")
        if url and ":" not in url:  # a sub-extension of a complex one: its parent's slices check it
            self.walk(ext, sd("Extension"), "Extension", where, resource)
            return
        if not known(url):
            self.err(where, f"extension {url!r} has no definition in the core package")
            self.walk(ext, sd("Extension"), "Extension", where, resource)
            return
        self.profile(ext, sd(url), where, resource)

    # -- profiles (constraints on a base definition: cardinality, fixed/pattern, slices) ------------
    def profile(self, node: dict, prof: dict, where: str, resource: dict) -> None:
        elems = prof["snapshot"]["element"]
        by_id = {e["id"]: e for e in elems}
        self.invariants(node, elems[0], where, resource, prof["type"])
        if prof["type"] == "Extension":
            self.walk(node, sd("Extension"), "Extension", where, resource)

        def slice_pattern(sid: str):
            pat: dict = {}
            for x in elems:
                if not x["id"].startswith(sid + "."):
                    continue
                for k in x:
                    if k.startswith(("fixed", "pattern")):
                        cur = pat
                        parts = [seg.split(":")[0] for seg in x["id"][len(sid) + 1:].split(".")]
                        for seg in parts[:-1]:
                            cur = cur.setdefault(seg, {})
                        cur[parts[-1]] = x[k]
            for k in by_id[sid]:
                if k.startswith(("fixed", "pattern")):
                    pat = by_id[sid][k]
            return pat

        def select(parent, seg: str, sid: str) -> list:
            name, _, sl = seg.partition(":")
            pairs = _pairs(parent, name) if isinstance(parent, dict) else []
            if not sl:
                return [v for _, v in pairs]
            if name in ("extension", "modifierExtension"):
                url = by_id.get(sid + ".url", {}).get("fixedUri", sl)
                return [v for _, v in pairs if isinstance(v, dict) and v.get("url") == url]
            if name.endswith("[x]"):
                return [v for k, v in pairs if k == name[:-3] + _cap(sl[len(name) - 3:])] if sl.startswith(name[:-3]) \
                    else [v for k, v in pairs if k.endswith(_cap(sl))]
            pat = slice_pattern(sid)
            return [v for _, v in pairs if pat and _matches(v, pat, exact=False)]

        for e in elems[1:]:
            segs = e["id"].split(".")[1:]
            parents = [node]
            for i, seg in enumerate(segs[:-1]):
                sid = ".".join(e["id"].split(".")[:i + 2])
                parents = [c for p in parents for c in select(p, seg, sid)]
            label = f"{where}.{e['id'].split('.', 1)[1]}"
            for parent in parents:
                vals = select(parent, segs[-1], e["id"])
                if len(vals) < e["min"]:
                    self.err(label, f"minimum cardinality {e['min']} of {prof['url']} not met")
                if e["max"] != "*" and len(vals) > int(e["max"]):
                    self.err(label, f"maximum cardinality {e['max']} of {prof['url']} exceeded")
                for k in [k for k in e if k.startswith(("fixed", "pattern"))]:
                    for v in vals:
                        if not _matches(v, e[k], exact=k.startswith("fixed")):
                            self.err(label, f"does not match the {k} of {prof['url']}")
                types = [t["code"] for t in e.get("type", [])]
                if segs[-1].endswith("[x]") and types and isinstance(parent, dict):
                    for k, _ in _pairs(parent, segs[-1]):
                        if k[len(segs[-1]) - 3:] not in {_cap(t) for t in types}:
                            self.err(f"{where}.{k}", f"type not allowed by {prof['url']}")
                for c in e.get("constraint", []):
                    if c.get("source", "").startswith(prof["url"]) and c.get("severity") == "error":
                        for v in vals:
                            self.invariants(v, {"constraint": [c]}, label, resource)

    def resource(self, res: dict, where: str) -> None:
        rtype = res.get("resourceType")
        if not rtype or not known(CORE + rtype):
            self.err(where, f"unknown resource type {rtype!r}")
            return
        for error in _schema_validator(rtype).iter_errors(res):
            self.err(where + "".join(f"[{p!r}]" for p in error.absolute_path), f"JSON schema: {error.message[:200]}")
        base = sd(rtype)
        self.invariants(res, base["snapshot"]["element"][0], where, res, rtype)
        self.walk(res, base, rtype, f"{where}<{rtype}>", res)
        for url in res.get("meta", {}).get("profile", []):
            if not known(url):
                self.err(where, f"profile {url} is not in the core package")
                continue
            self.profile(res, sd(url), f"{where}<{url.rsplit('/', 1)[1]}>", res)


def _pairs(node: dict, name: str) -> list[tuple[str, object]]:
    """(key, value) of each instance of element ``name`` in ``node`` (choice types and a primitive's
    ``_name`` extension object counted)."""
    if name.endswith("[x]"):
        base = name[:-3]
        keys = {k.lstrip("_") for k in node if k.lstrip("_").startswith(base)
                and k.lstrip("_")[len(base):len(base) + 1].isupper()}
    else:
        keys = {name} if name in node or "_" + name in node else set()
    out = []
    for k in sorted(keys):
        v = node.get(k, node.get("_" + k))
        out += [(k, x) for x in (v if isinstance(v, list) else [v])]
    return out


def _matches(value, pattern, *, exact: bool) -> bool:
    if isinstance(value, list) and not isinstance(pattern, list):
        return any(_matches(v, pattern, exact=exact) for v in value)
    if exact:
        return value == pattern
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(_matches(value.get(k), p, exact=False) for k, p in pattern.items())
    if isinstance(pattern, list):
        return isinstance(value, list) and all(any(_matches(v, p, exact=False) for v in value) for p in pattern)
    return value == pattern


def validate(resource: dict) -> list[str]:
    """Every error the core package finds in ``resource`` (a Bundle and all its entries, or one resource)."""
    run = _Run(resource)
    run.resource(resource, resource.get("resourceType", "?"))
    return run.errors
