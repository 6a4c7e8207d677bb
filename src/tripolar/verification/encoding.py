"""Declaration items and their canonical byte encoding (version 1).

The escrow commits to bytes, so every party and every verifier must turn an item into
exactly the same bytes. Encoding ``tripolar-decl-item/v1``:

    b"TPDECL" || 0x01
    || str(item_id) || str(site) || str(item_type)
    || count as 8-byte unsigned big-endian
    || number of attributes as 4-byte unsigned big-endian
    || for each attribute, keys sorted by their UTF-8 bytes: str(key) || str(value)

where ``str(s)`` is the 4-byte big-endian length of the UTF-8 bytes of ``s`` (Unicode
normalised to NFC) followed by those bytes. Length prefixes make the encoding injective:
no two different items give the same bytes, so a commitment cannot be opened to a
different item by moving a separator.
"""

from __future__ import annotations

import csv
import io
import struct
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tripolar.errors import InputError, read_text_checked

__all__ = [
    "ENCODING_VERSION",
    "REQUIRED_COLUMNS",
    "DeclarationItem",
    "encode_fields",
    "encode_item",
    "item_from_dict",
    "read_declaration_csv",
]

ENCODING_VERSION = "tripolar-decl-item/v1"
REQUIRED_COLUMNS = ("item_id", "site", "item_type", "count")
_MAGIC = b"TPDECL\x01"
_MAX_COUNT = 2**63 - 1
_COUNT_RANGE = "an integer from 0 to 2^63 - 1"
_U32 = struct.Struct(">I").pack
_U64 = struct.Struct(">Q").pack
_NONE = _U32(0)
# Sites and item types repeat across a declaration; a cache of their encoded form is kept
# up to this many distinct strings (a bound, so a declaration of unique sites stays small).
_CACHE_LIMIT = 65_536


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class DeclarationItem:
    """One declared entry: an item (or a batch of ``count`` identical items) at a site."""

    item_id: str
    site: str
    item_type: str
    count: int
    attributes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "site": self.site,
            "item_type": self.item_type,
            "count": self.count,
            "attributes": dict(sorted(self.attributes.items())),
        }


def _field(text: str) -> bytes:
    # ASCII text is already in NFC, so the normalisation call is skipped for it.
    data = (text if text.isascii() else _norm(text)).encode("utf-8")
    return _U32(len(data)) + data


def _key_bytes(key: str) -> bytes:
    return _norm(key).encode("utf-8")


def _cached_field(text: str, cache: dict[str, bytes]) -> bytes:
    data = cache.get(text)
    if data is None:
        data = _field(text)
        if len(cache) < _CACHE_LIMIT:
            cache[text] = data
    return data


def encode_fields(
    item_id: str,
    site: str,
    item_type: str,
    count: int,
    attributes: Mapping[str, str],
    cache: dict[str, bytes] | None = None,
) -> bytes:
    """Canonical bytes of one item given by its fields (encoding v1, module docstring).

    Same bytes as :func:`encode_item`; ``cache`` (a dict the caller keeps across calls)
    memoises the encoded site and item type, which repeat across a declaration.
    """
    if cache is None:
        site_b, type_b = _field(site), _field(item_type)
    else:
        site_b = cache.get(site) or _cached_field(site, cache)
        type_b = cache.get(item_type) or _cached_field(item_type, cache)
    id_b = (item_id if item_id.isascii() else _norm(item_id)).encode("utf-8")
    if not attributes:
        return b"".join((_MAGIC, _U32(len(id_b)), id_b, site_b, type_b, _U64(count), _NONE))
    parts = [_MAGIC, _U32(len(id_b)), id_b, site_b, type_b, _U64(count), _U32(len(attributes))]
    for key in sorted(attributes, key=_key_bytes):
        parts.append(_field(key))
        parts.append(_field(attributes[key]))
    return b"".join(parts)


def encode_item(item: DeclarationItem) -> bytes:
    """Canonical bytes of ``item`` under encoding ``tripolar-decl-item/v1`` (module docstring)."""
    return encode_fields(item.item_id, item.site, item.item_type, item.count, item.attributes)


def _text(value: object, name: str, source: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InputError(f"{value!r} is not text", file=source, field=name, expected="a string")
    text = _norm(value.strip())
    if not text and not allow_empty:
        raise InputError("empty value", file=source, field=name, expected="a non-empty string")
    return text


def _count(value: object, name: str, source: str) -> int:
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or not text.isascii():
            raise InputError(
                f"{value!r} is not a whole number",
                file=source,
                field=name,
                expected="an integer >= 0",
            )
        if len(text.lstrip("0")) > len(str(_MAX_COUNT)):
            # Too large to be a count; int() would refuse beyond 4,300 digits anyway.
            raise InputError(
                f"{len(text)}-digit number", file=source, field=name, expected=_COUNT_RANGE
            )
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_COUNT:
        raise InputError(f"{value!r}", file=source, field=name, expected=_COUNT_RANGE)
    return value


def item_from_dict(data: dict[str, Any], *, source: str, where: str) -> DeclarationItem:
    """Validate one item given as a mapping (``where`` prefixes field names in errors)."""
    attrs_in = data.get("attributes", {})
    if not isinstance(attrs_in, dict):
        raise InputError("not a mapping", file=source, field=f"{where}.attributes")
    attrs = {
        _text(k, f"{where}.attributes", source): _text(
            v, f"{where}.attributes.{k}", source, allow_empty=True
        )
        for k, v in attrs_in.items()
    }
    return DeclarationItem(
        item_id=_text(data.get("item_id"), f"{where}.item_id", source),
        site=_text(data.get("site"), f"{where}.site", source),
        item_type=_text(data.get("item_type"), f"{where}.item_type", source),
        count=_count(data.get("count"), f"{where}.count", source),
        attributes=attrs,
    )


def read_declaration_csv(path: str | Path) -> list[DeclarationItem]:
    """Read declaration items from CSV: ``item_id, site, item_type, count`` plus optional
    attribute columns (each becomes an attribute of every item; empty cells are kept as "").

    Raises :class:`InputError` naming the file, the row and the column for a missing
    column, a truncated or overlong row, an empty id, a bad count or a duplicate ``item_id``.
    """
    source = str(path)
    text = read_text_checked(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", file=source, expected="valid CSV") from exc
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(
            "no header row", file=source, expected="columns " + ", ".join(REQUIRED_COLUMNS)
        )
    header = [_norm(h.strip()) for h in rows[0]]
    for col in REQUIRED_COLUMNS:
        if col not in header:
            raise InputError(
                "missing column", file=source, field=col, expected="a CSV header with it"
            )
    seen: set[str] = set()
    for h in header:
        if not h:
            raise InputError("empty column name", file=source, field="header")
        if h in seen:
            raise InputError("duplicate column", file=source, field=h)
        seen.add(h)
    extra = [h for h in header if h not in REQUIRED_COLUMNS]
    items: list[DeclarationItem] = []
    ids: set[str] = set()
    for lineno, row in enumerate(rows[1:], start=2):
        where = f"row {lineno}"
        if len(row) != len(header):
            raise InputError(
                f"{len(row)} cells in a {len(header)}-column table",
                file=source,
                field=where,
                expected=f"{len(header)} cells",
            )
        cells = dict(zip(header, row, strict=True))
        item = item_from_dict(
            {**{c: cells[c] for c in REQUIRED_COLUMNS}, "attributes": {k: cells[k] for k in extra}},
            source=source,
            where=where,
        )
        if item.item_id in ids:
            raise InputError(
                f"duplicate item_id {item.item_id!r}",
                file=source,
                field=f"{where}.item_id",
                expected="unique item ids",
            )
        ids.add(item.item_id)
        items.append(item)
    if not items:
        raise InputError("no items", file=source, expected="at least one declaration row")
    return items
