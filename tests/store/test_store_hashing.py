"""Canonical JSON and content hashes: stable under key order, equal to sha256sum for text."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.store import canonical_json, content_hash

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _json_values, max_size=6), st.randoms())
def test_hash_is_independent_of_key_order(obj: dict, rnd) -> None:
    items = list(obj.items())
    rnd.shuffle(items)
    assert content_hash(dict(items)) == content_hash(obj)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _json_values, max_size=6))
def test_canonical_json_round_trips(obj: dict) -> None:
    assert json.loads(canonical_json(obj)) == obj


def test_canonical_form_is_sorted_compact_and_utf8() -> None:
    text = canonical_json({"b": 1, "a": {"d": [1, 2], "c": "Россия"}})
    assert text == '{"a":{"c":"Россия","d":[1,2]},"b":1}'
    assert content_hash({"b": 1, "a": {"d": [1, 2], "c": "Россия"}}) == (
        hashlib.sha256(text.encode("utf-8")).hexdigest()
    )


def test_text_hash_equals_sha256_of_its_bytes() -> None:
    text = "treaty:\n  id: new-start\n"
    assert content_hash(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert content_hash(text.encode("utf-8")) == content_hash(text)


def test_different_values_give_different_hashes() -> None:
    assert content_hash({"seed": 1}) != content_hash({"seed": 2})
    assert content_hash({"seed": 1}) != content_hash({"seed": 1.5})


def test_numpy_dataclass_and_non_finite_values() -> None:
    @dataclass
    class Result:
        yield_kt: float
        counts: tuple[int, ...]

    value = {
        "n": np.int64(3),
        "arr": np.array([1.5, 2.0]),
        "flag": np.bool_(True),
        "result": Result(100.0, (1, 2)),
        "bad": math.nan,
        "inf": np.float64(np.inf),
    }
    assert json.loads(canonical_json(value)) == {
        "n": 3,
        "arr": [1.5, 2.0],
        "flag": True,
        "result": {"yield_kt": 100.0, "counts": [1, 2]},
        "bad": None,
        "inf": None,
    }


def test_unknown_objects_are_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        canonical_json({"x": object()})
