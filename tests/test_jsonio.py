"""The one JSON serialiser: RFC 8259 output for any result, same rules for --json and store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pydantic import BaseModel

from tripolar.jsonio import dumps, to_jsonable
from tripolar.store.hashing import canonical_json, content_hash


def _strict_loads(text: str) -> Any:
    """json.loads that refuses NaN and Infinity, which RFC 8259 does not allow."""

    def refuse(name: str) -> None:
        raise ValueError(f"non-RFC 8259 constant {name}")

    return json.loads(text, parse_constant=refuse)


class Colour(enum.Enum):
    RED = "red"
    BLUE = 2


@dataclasses.dataclass
class Plain:
    x: Any
    y: Any = None


class Model(BaseModel):
    a: float
    when: dt.date


class WithToDict:
    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def to_dict(self) -> Any:
        return {"payload": self.payload}


floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    floats,
    st.text(max_size=8),
    st.dates(),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.times(),
    st.sampled_from(list(Colour)),
    st.builds(PurePosixPath, st.text(alphabet="abc/", min_size=1, max_size=6)),
    floats.map(np.float64),
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(np.int32),
    st.booleans().map(np.bool_),
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=3), elements=floats),
    hnp.arrays(np.int64, st.integers(0, 4)),
)
keys = st.one_of(st.text(max_size=5), st.integers(-5, 5), st.dates(), st.none(), st.booleans())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(keys, inner, max_size=4),
        st.builds(Plain, inner, inner),
        st.builds(WithToDict, inner),
        st.frozensets(st.integers(-3, 3) | st.text(max_size=3), max_size=4),
    ),
    max_leaves=12,
)


@given(values)
def test_any_result_gives_rfc8259_json(obj: Any) -> None:
    """The output always passes json.dumps(allow_nan=False), reads back to itself, and a
    second pass changes nothing (it is already plain JSON)."""
    plain = to_jsonable(obj)
    text = json.dumps(plain, allow_nan=False)
    assert _strict_loads(text) == plain
    assert to_jsonable(plain) == plain
    assert _strict_loads(dumps(obj)) == plain


@given(values)
def test_store_and_json_output_use_the_same_rules(obj: Any) -> None:
    """What --json prints is what the store hashes (canonical form: sorted, compact)."""
    assert _strict_loads(canonical_json(obj)) == _strict_loads(dumps(obj))
    assert canonical_json(obj) == canonical_json(_strict_loads(dumps(obj)))
    if not isinstance(to_jsonable(obj), str):  # text is hashed as its bytes, not as JSON
        assert content_hash(obj) == content_hash(_strict_loads(dumps(obj)))


@given(floats)
def test_floats_finite_kept_exactly_non_finite_null(x: float) -> None:
    out = to_jsonable(x)
    assert out == x if math.isfinite(x) else out is None
    assert to_jsonable(np.float64(x)) == out
    with np.errstate(over="ignore"):
        f32 = np.float32(x)  # may overflow to infinity, which must then be null too
    assert to_jsonable(f32) == (float(f32) if math.isfinite(f32) else None)


def test_published_forms() -> None:
    tz = dt.timezone(dt.timedelta(hours=3))
    obj = {
        "date": dt.date(2026, 2, 5),
        "at": dt.datetime(2026, 2, 5, 12, 0, tzinfo=tz),
        "path": Path("out") / "report.md",
        "arr": np.array([[1.0, np.nan], [np.inf, -2.5]]),
        "i": np.int64(7),
        "b": np.bool_(True),
        "enum": Colour.BLUE,
        "tuple": (1, 2),
        "set": {3, 1, 2},
        "model": Model(a=float("nan"), when=dt.date(2025, 1, 1)),
        "dc": Plain(x=WithToDict(np.float32(0.5))),
        7: "int key",
        dt.date(2030, 1, 1): "date key",
    }
    assert to_jsonable(obj) == {
        "date": "2026-02-05",
        "at": "2026-02-05T12:00:00+03:00",
        "path": str(Path("out") / "report.md"),
        "arr": [[1.0, None], [None, -2.5]],
        "i": 7,
        "b": True,
        "enum": 2,
        "tuple": [1, 2],
        "set": [1, 2, 3],
        "model": {"a": None, "when": "2025-01-01"},
        "dc": {"x": {"payload": 0.5}, "y": None},
        "7": "int key",
        "2030-01-01": "date key",
    }


def test_pandas_missing_values_are_null() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"v": [1.0, float("nan")], "t": [pd.Timestamp("2025-01-01"), pd.NaT]})
    assert to_jsonable(frame) == {
        "v": {"0": 1.0, "1": None},
        "t": {"0": "2025-01-01T00:00:00", "1": None},
    }
    assert to_jsonable([pd.NA, pd.NaT]) == [None, None]


@pytest.mark.parametrize("bad", [object(), 1j, b"bytes", {1: object()}])
def test_no_json_form_is_a_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="as JSON"):
        to_jsonable(bad)


def test_forces_json_is_rfc8259(cli) -> None:  # type: ignore[no-untyped-def]
    """A real --json output with blank figures (NaN in the tables) is strict JSON."""
    code, out, err = cli("forces", "--state", "CN", "--json")
    assert code == 0, err
    data = _strict_loads(out)
    assert data["state"] == "CN" and data["stockpiles"]
    assert any(v is None for row in data["stockpiles"] for v in row.values())
