"""Property-based fuzzing of the JSON import (hypothesis, 2,100 examples in all, derandomized).

Properties: ``jsonio.loads`` either returns a Case that ``check_case`` accepts, or raises InvalidCase
listing problems with their JSON paths -- never any other exception. A case it accepts is stored by
``Library.add_case`` whole (it loads back identical) and can be exported again; a case the store
refuses leaves no row behind."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop import jsonio
from desktop.codec import InvalidCase, Problem
from desktop.demo import DEMO_PATH
from desktop.model import LIST_PARTS, Case
from desktop.store.library import LibraryError, create_library

from helpers import synthetic_case

FUZZ = dict(deadline=None, derandomize=True, database=None, print_blob=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                   HealthCheck.large_base_example])

DEMO_TEXT = DEMO_PATH.read_text("utf-8")
SYNTHETIC_TEXT = jsonio.dumps(synthetic_case(n_labs=9, n_events=4, n_lesions=2))
DEMO_CASE = jsonio.loads(DEMO_TEXT)
TABLES = ("cases", "parts", "identifiers", "figures", "audit")


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    library = create_library(tmp_path_factory.mktemp("fuzz") / "fuzz.casebook")
    yield library
    library.close()


def rows(lib) -> tuple[int, ...]:
    return tuple(lib.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)


def loads_or_invalid(text: str | bytes) -> Case | None:
    """The first property: a Case check_case accepts, or InvalidCase with problems. Nothing else."""
    try:
        case = jsonio.loads(text)
    except InvalidCase as exc:
        assert exc.problems, "InvalidCase without a problem"
        for p in exc.problems:
            assert isinstance(p, Problem) and p.path.startswith("$") and p.message
        return None
    assert isinstance(case, Case)
    assert jsonio.check_case(case) == []
    return case


def stored_whole(lib, case: Case) -> None:
    """The second property: an accepted case is stored whole and comes back the same (and exports
    again); if the store refuses it, not a single row is left behind."""
    before = rows(lib)
    try:
        cid = lib.add_case(case)
    except BaseException:
        assert rows(lib) == before, "a refused import left rows behind"
        raise
    after = rows(lib)
    assert after[0] == before[0] + 1
    back = lib.load_case(cid)
    expected = copy.copy(case)
    expected.id = cid
    assert jsonio.dumps(back) == jsonio.dumps(expected)
    assert jsonio.loads(jsonio.dump_bytes(back)) is not None  # and it exports and imports again


# --- strategies ------------------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=20))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=8)
json_text = st.text(st.sampled_from('{}[]":,0123456789.eE-+ \\/truefalsnNIiy\n\t\u00e9\u4e2d'), max_size=300)

HUGE = "\u2063HUGE\u2063"  # placeholders replaced in the JSON text: values json.dumps cannot write
DEEP = "\u2063DEEP\u2063"
LONE = "\u2063LONE\u2063"

NUMBERS = [10**30, -10**30, 2**63, -2**63 - 1, 2**64, 10**400, 1e308, -1e308, 5e-324, -0.0, 0, -1, 0.5,
           float("inf"), float("-inf"), float("nan"), HUGE]
NAN_LIKE = ["NaN", "nan", "Infinity", "-Infinity", "1e999", "-0", "0x1F", "١٢٣", "", " ", "null", "true",
            "None", "undefined", "2023-02-30", "2023-13-01", "9999-99-99", "+1", "1,5"]
WRONG_ENUMS = ["MALE", "Male", "male ", " male", "female\x00", "unknown\u200b", "draft\n", "5d", "5 D",
               "haemodialysis ", "hemodialysis", "left/right", "yes!", "YES", "Tri", "ulcer,eschar"]
UNICODE = st.text(st.characters(codec="utf-8"), max_size=40)
HOSTILE_TEXT = st.sampled_from(
    ["\u202e\u0645\u0631\u062d\u0628\u0627", "שָׁלוֹם", "👩‍👩‍👧‍👦", "e\u0301\u0301\u0301", "\x00\x01\x1f",
     "\ufeff", "\U0010ffff", "mg/dL\u200b", LONE])
OPS = ["delete", "type", "number", "any-number", "nan-like", "deep", "unicode", "hostile-text", "enum", "duplicate", "unknown-key", "empty"]


def _paths(doc) -> list[tuple]:
    out: list[tuple] = []
    stack: list[tuple[tuple, object]] = [((), doc)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                out.append(path + (k,))
                stack.append((path + (k,), v))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                out.append(path + (i,))
                stack.append((path + (i,), v))
    return out  # in a fixed order: dicts keep their key order, the walk is deterministic


def _parent(doc, path):
    node = doc
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutated_documents(draw, base_text: str) -> str:
    """The base document with one to four random mutations at random places."""
    doc = json.loads(base_text)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        op = draw(st.sampled_from(OPS))
        if op == "delete":
            del parent[key]
        elif op == "type":
            parent[key] = draw(json_values)
        elif op == "number":
            parent[key] = draw(st.sampled_from(NUMBERS))
        elif op == "any-number":
            parent[key] = draw(st.integers() | st.floats())
        elif op == "nan-like":
            parent[key] = draw(st.sampled_from(NAN_LIKE))
        elif op == "deep":
            parent[key] = DEEP
        elif op == "unicode":
            parent[key] = draw(UNICODE)
        elif op == "hostile-text":
            parent[key] = draw(HOSTILE_TEXT)
        elif op == "enum":
            parent[key] = draw(st.sampled_from(WRONG_ENUMS))
        elif op == "duplicate":
            if isinstance(parent, list) and parent:
                parent.append(copy.deepcopy(parent[key]))
            else:
                parent[key] = [parent[key], copy.deepcopy(parent[key])]
        elif op == "unknown-key":
            target = parent[key] if isinstance(parent[key], dict) else parent
            if isinstance(target, dict):
                target[draw(st.text(min_size=1, max_size=8))] = draw(scalars)
        elif op == "empty":
            parent[key] = draw(st.sampled_from([{}, [], "", 0, None]))
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True)
    depth = draw(st.sampled_from([40, 900, 20000]))
    return (text.replace(json.dumps(HUGE), "9" * 5000)
                .replace(json.dumps(DEEP), "[" * depth + "]" * depth)
                .replace(json.dumps(LONE)[1:-1], "\\ud800")
                .replace(json.dumps(LONE, ensure_ascii=False)[1:-1], "\\udfff"))


# --- the properties ----------------------------------------------------------------------------------

@settings(max_examples=200, **FUZZ)
@given(json_values)
def test_arbitrary_json_values_are_refused_cleanly(value):
    text = json.dumps(value, allow_nan=True)
    assert loads_or_invalid(text) is None  # no arbitrary value is a whole case


@settings(max_examples=600, **FUZZ)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_are_refused_cleanly(data):
    assert loads_or_invalid(data) is None


@settings(max_examples=600, **FUZZ)
@given(json_text)
def test_json_looking_text_is_refused_cleanly(text):
    assert loads_or_invalid(text) is None


@settings(max_examples=150, **FUZZ)
@given(st.dictionaries(st.sampled_from(sorted(Case.__dataclass_fields__)) | st.text(max_size=8), json_values,
                       max_size=8))
def test_documents_with_the_right_header_and_random_fields(lib, fields):
    doc = {"format": jsonio.FORMAT, "version": jsonio.VERSION, **fields}
    case = loads_or_invalid(json.dumps(doc, allow_nan=True))
    if case is not None:
        stored_whole(lib, case)


@settings(max_examples=150, **FUZZ)
@given(mutated_documents(DEMO_TEXT))
def test_mutated_demo_documents(lib, text):
    case = loads_or_invalid(text)
    if case is not None:
        stored_whole(lib, case)


@settings(max_examples=300, **FUZZ)
@given(mutated_documents(SYNTHETIC_TEXT))
def test_mutated_synthetic_documents(lib, text):
    case = loads_or_invalid(text)
    if case is not None:
        stored_whole(lib, case)


@settings(max_examples=100, **FUZZ)
@given(st.sampled_from(sorted(LIST_PARTS)), st.integers(0, 50))
def test_a_case_the_store_refuses_half_way_leaves_nothing(lib, part, pick):
    """Built in code (not loaded), a case with a duplicate item id fails inside the transaction,
    after some rows were written: every one of them must be rolled back."""
    case = copy.deepcopy(DEMO_CASE)
    items = getattr(case, part)
    if not items:
        items.append(LIST_PARTS[part]())
    items.append(copy.deepcopy(items[pick % len(items)]))
    before = rows(lib)
    with pytest.raises(LibraryError):
        lib.add_case(case)
    assert rows(lib) == before


def _at(path: str, value) -> str:
    """The synthetic document with ``value`` put at ``path`` (dots and [index])."""
    doc = json.loads(SYNTHETIC_TEXT)
    keys = [int(k) if k.isdigit() else k for k in path.replace("[", ".").replace("]", "").split(".")]
    _parent(doc, keys)[keys[-1]] = value
    return (json.dumps(doc, allow_nan=True).replace(json.dumps(HUGE), "9" * 5000)
            .replace(json.dumps(DEEP), "[" * 20000 + "]" * 20000).replace(json.dumps(LONE)[1:-1], "\\ud800"))


HOSTILE = {
    "nesting 20,000 deep": _at("keywords", DEEP),
    "nesting 900 deep in an object": _at("patient", json.loads("[" * 900 + "]" * 900)),
    "a 5,000-digit integer": _at("patient.age_years", HUGE),
    "10**400 where a float goes": _at("treatments.0.dose", 10**400),
    "NaN": _at("labs.0.value", float("nan")),
    "Infinity": _at("labs.0.value", float("inf")),
    "-Infinity": _at("lesions.0.observations.0.length_mm", float("-inf")),
    "a lone surrogate": _at("title", LONE + "title"),
    "a duplicated item": _at("events", json.loads(SYNTHETIC_TEXT)["events"] * 2),
    "a wrong enum": _at("patient.sex", "MALE"),
    "a NaN-like string for a number": _at("labs.0.value", "NaN"),
    "right-to-left and zero-width text": _at("title", "\u202e\u0645\u0631\u062d\u0628\u0627\u200b\u200d"),
    "control characters": _at("manuscript.discussion", "".join(map(chr, range(32)))),
    "2**64 where a count goes": _at("lesions.0.count", 2**64),
    "text where a list goes": _at("labs", "calcium 9.0 mg/dL"),
    "an unknown field": _at("patient.blood_type", "AB"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_kind_of_hostile_input(lib, name):
    """Every kind of hostile input the strategies draw, at least once for certain."""
    case = loads_or_invalid(HOSTILE[name])
    if case is not None:
        stored_whole(lib, case)
