"""The model classes take their equality and repr from one base (desktop.model._Record) instead of
having the dataclass decorator compile both for each class, which cost the window start-up time
(issue 16). They must behave exactly as the decorator's own methods: the reference here is a plain
``@dataclass`` with the same fields, as Python generates it."""
from __future__ import annotations

import copy
import dataclasses
import math

import pytest

from desktop import model
from desktop.demo import load_demo

RECORDS = [c for c in vars(model).values()
           if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == model.__name__]


def _reference(cls):
    """A plain dataclass of the same name and fields, with the decorator's own __eq__ and __repr__."""
    ns = {"__annotations__": {f.name: f.type for f in dataclasses.fields(cls)}, "__qualname__": cls.__qualname__}
    for f in dataclasses.fields(cls):
        ns[f.name] = dataclasses.field(default=f.default, default_factory=f.default_factory)
    return dataclasses.dataclass(type(cls.__name__, (), ns))


def test_every_model_class_is_a_record():
    assert len(RECORDS) == 25
    assert all(issubclass(c, model._Record) for c in RECORDS)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_repr_and_equality_are_the_decorators(cls):
    ref = _reference(cls)
    a, b = cls(), cls()
    ra, rb = ref(), ref()
    for obj, robj in ((a, ra), (b, rb)):  # the same values in both (ids are random: copy them over)
        for f in dataclasses.fields(cls):
            setattr(robj, f.name, getattr(obj, f.name))
    assert repr(a) == repr(ra)
    assert (a == b) == (ra == rb) and (a != b) == (ra != rb)
    assert (a == a) and not (a == object()) and a != "text"
    with pytest.raises(TypeError):
        hash(a)


def test_equality_compares_fields_as_one_tuple_as_the_decorator_does():
    nan = math.nan
    a, b = model.LabResult(id="x", value=nan), model.LabResult(id="x", value=nan)
    ref = _reference(model.LabResult)
    ra, rb = ref(id="x", value=nan), ref(id="x", value=nan)
    assert (a == b) == (ra == rb) is True  # the same NaN object: equal in a tuple
    c = model.LabResult(id="x", value=float("nan"))
    assert (a == c) == (ra == ref(id="x", value=float("nan"))) is False
    # a whole case: equal to its copy, and one changed field makes it differ
    case = load_demo()
    other = copy.deepcopy(case)
    assert case == other and case is not other
    other.patient.age_years = 74
    assert case != other
    assert repr(case).startswith("Case(id=") and "patient=Patient(age_years=73" in repr(case)
