"""The one JSON serialiser: every ``--json`` output and every value the store records.

:func:`to_jsonable` reduces a result to plain JSON values (dicts with string keys, lists,
strings, finite numbers, booleans, null) by one set of rules, so that what a command
prints and what the store hashes and keeps are the same document:

- result objects through their ``to_dict()``, pydantic models through
  ``model_dump(mode="json")``, other dataclasses field by field;
- numpy scalars and arrays as Python numbers and (nested) lists;
- ``float`` NaN and infinities, pandas' ``NA`` and ``NaT`` as ``null``: RFC 8259 JSON has
  no spelling for them, and ``null`` is what a reader of a missing figure expects;
- dates, times and datetimes in ISO 8601 (``2026-02-05``, ``2026-02-05T12:00:00+00:00``);
- paths as strings; enums as their values; tuples as lists; sets as lists in a fixed
  order (sorted by their JSON text), so that equal sets give equal documents.

Anything else raises :class:`TypeError`: printing or storing an object with no JSON form is
a programming error, not bad user input. :func:`dumps` always produces valid RFC 8259 JSON
(``allow_nan=False`` holds by construction).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

__all__ = ["dumps", "to_jsonable"]


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, enum.Enum):
        return _key(k.value)
    if isinstance(k, dt.date | dt.time):
        return k.isoformat()
    value = to_jsonable(k)
    return value if isinstance(value, str) else json.dumps(value, allow_nan=False)


def to_jsonable(obj: Any) -> Any:
    """Reduce ``obj`` to plain JSON values by the rules of the module docstring."""
    # The exact built-in types first (most of a result): the same values, fewer checks.
    t = type(obj)
    if t is str or t is int or t is bool or obj is None:
        return obj
    if t is float:
        return obj if math.isfinite(obj) else None
    if t is dict:
        return {_key(k): to_jsonable(v) for k, v in obj.items()}
    if t is list:
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, enum.Enum):
        return to_jsonable(obj.value)
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {_key(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, set | frozenset):
        items = [to_jsonable(v) for v in obj]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, allow_nan=False))
    if isinstance(obj, dt.date | dt.time):
        # pandas' NaT is a datetime that is not equal to itself.
        return None if obj != obj else obj.isoformat()
    if isinstance(obj, PurePath):
        return str(obj)
    if type(obj).__name__ == "NAType":  # pandas.NA, without importing pandas
        return None
    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    if hasattr(obj, "model_dump"):
        return to_jsonable(obj.model_dump(mode="json"))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # Field by field (not dataclasses.asdict), so that a nested result object is
        # written through its own to_dict().
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    # numpy scalars (``item``) and arrays (``tolist``), without importing numpy.
    if type(obj).__module__.split(".")[0] == "numpy":
        if hasattr(obj, "tolist") and getattr(obj, "ndim", 0) > 0:
            return to_jsonable(obj.tolist())
        if hasattr(obj, "item"):
            value = obj.item()
            if type(value).__module__.split(".")[0] != "numpy":
                return to_jsonable(value)
    raise TypeError(f"cannot write a value of type {type(obj).__name__} as JSON")


def dumps(obj: Any, *, indent: int | None = 2, sort_keys: bool = False, **kwargs: Any) -> str:
    """``obj`` as RFC 8259 JSON text (through :func:`to_jsonable`; never NaN or Infinity)."""
    return json.dumps(
        to_jsonable(obj), indent=indent, sort_keys=sort_keys, allow_nan=False, **kwargs
    )
