"""Ranges built by arithmetic are indistinguishable from validated ones."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tripolar.ranges import Range, range_sum

finite = st.floats(0, 1e6, allow_nan=False)


@st.composite
def ranges(draw: st.DrawFn) -> Range:
    lo, mid, hi = sorted(draw(st.lists(finite, min_size=3, max_size=3)))
    return Range(value=mid, low=lo, high=hi)


@given(ranges(), ranges(), st.floats(0, 10))
def test_arithmetic_results_behave_as_validated(a: Range, b: Range, f: float) -> None:
    for r in (a + b, a - b, a.scale(f), (a - b).clip_min(), range_sum([a, b, a])):
        v = Range(value=r.value, low=r.low, high=r.high)
        assert r == v and hash(r) == hash(v)
        assert r.low <= r.value <= r.high
        assert r.model_dump() == v.model_dump() and r.model_fields_set == v.model_fields_set
        assert pickle.loads(pickle.dumps(r)) == v
        assert r.model_copy(update={"value": r.low}).value == r.low
        with pytest.raises(ValidationError):
            r.value = 1.0  # frozen, as validated ranges are


def test_scale_refuses_a_negative_or_nan_factor() -> None:
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError):
            Range.exact(2.0).scale(bad)
