"""Canonical JSON and content hashes for run inputs, outputs and stored texts.

A run is identified by what went into it, so the hash of its inputs must not depend on
the order in which a command happened to build its dictionary. Inputs and outputs are
first reduced to plain JSON values (dicts with string keys, lists, strings, numbers,
booleans, null), then written as canonical JSON: keys sorted, no spaces
(``separators=(",", ":")``), UTF-8 text kept as is (``ensure_ascii=False``).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tripolar.jsonio import to_jsonable as to_json_value

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


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
