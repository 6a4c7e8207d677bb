"""Canonical JSON and content hashes for run inputs, outputs and stored texts.

A run is identified by what went into it, so the hash of its inputs must not depend on
the order in which a command happened to build its dictionary. Inputs and outputs are
first reduced to plain JSON values (dicts with string keys, lists, strings, numbers,
booleans, null), then written as canonical JSON: keys sorted, no spaces
(``separators=(",", ":")``), UTF-8 text kept as is (``ensure_ascii=False``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def to_json_value(obj: Any) -> Any:
    """Reduce ``obj`` to plain JSON values.

    Handles result objects (``to_dict()``), pydantic models, dataclasses, numpy scalars
    and arrays, paths, dates and tuples. Non-finite floats (NaN, infinities) become
    ``None``, as in the ``--json`` output of every command, because JSON has no spelling
    for them. Anything else raises :class:`TypeError`: a command that records an object
    the store cannot write is a programming error, not bad user input.
    """
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): to_json_value(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_json_value(v) for v in obj]
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, PurePath):
        return str(obj)
    if hasattr(obj, "to_dict"):
        return to_json_value(obj.to_dict())
    if hasattr(obj, "model_dump"):
        return to_json_value(obj.model_dump(mode="json"))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_json_value(dataclasses.asdict(obj))
    # numpy is imported lazily: the store itself does not need it.
    tolist = getattr(obj, "tolist", None)
    if callable(tolist) and type(obj).__module__.startswith("numpy"):
        return to_json_value(tolist())
    raise TypeError(f"cannot store a value of type {type(obj).__name__} as JSON")


def canonical_json(obj: Any) -> str:
    """Canonical JSON text of ``obj``: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(
        to_json_value(obj),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def content_hash(obj: Any) -> str:
    """SHA-256 (lowercase hex) of ``obj``.

    ``str`` and ``bytes`` are hashed as their bytes (UTF-8 for text), so the hash of a
    YAML file's text equals ``sha256sum`` of the file. Every other value is hashed as
    its canonical JSON (see :func:`canonical_json`), so dictionaries that differ only
    in key order have the same hash.
    """
    if isinstance(obj, bytes):
        data = obj
    elif isinstance(obj, str):
        data = obj.encode("utf-8")
    else:
        data = canonical_json(obj).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def is_sha256_hex(value: object) -> bool:
    """True when ``value`` is a lowercase hex SHA-256 digest (64 characters)."""
    return isinstance(value, str) and _SHA256_HEX.fullmatch(value) is not None
