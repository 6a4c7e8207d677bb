"""Versioned JSON file formats of the declaration escrow.

Public files (pydantic models, format_version 1): ``commitment`` (root and size),
``reveal`` (opened items with salts and inclusion proofs), ``extension`` (new root with a
consistency proof), ``inspection`` (a reveal checked against what inspectors found) and
``bulletin`` (append-only record).

Private file ``private`` (every item with its salt; must never be shared), format_version
2: a header and one compact array per item,
``[index, item_id, site, item_type, count, attributes, salt_hex]``. A declaration of a
million items makes a million of these, so they are held in columns
(:class:`PrivateData`) and checked by a plain loop that names ``items.N.field`` in its
errors, not one pydantic model per item. Version 1 files (one object per item) are still
read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tripolar.errors import InputError
from tripolar.verification.encoding import DeclarationItem

__all__ = [
    "NO_ATTRIBUTES",
    "PRIVATE_COLUMNS",
    "PRIVATE_FORMAT_VERSION",
    "PRIVATE_WARNING",
    "SALT_BYTES",
    "BulletinEntry",
    "BulletinFile",
    "CommitmentFile",
    "Discrepancy",
    "ExtensionFile",
    "InspectionFile",
    "ItemModel",
    "Opening",
    "PrivateData",
    "PrivateFileV1",
    "PrivateHeader",
    "PrivateItemV1",
    "PrivateRecord",
    "RevealFile",
    "SizeProof",
    "SpineStep",
    "TreeHead",
    "private_from_json",
    "private_json_chunks",
]

FORMAT_VERSION = 1
Hex32 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Party = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Size = Annotated[int, Field(ge=0)]
Encoding = Literal["tripolar-decl-item/v1"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


#: Item counts are encoded as 8 bytes and read back as signed integers: 0 to 2^63 - 1.
Count = Annotated[int, Field(ge=0, le=2**63 - 1)]


class ItemModel(_Strict):
    item_id: str
    site: str
    item_type: str
    count: Count
    attributes: dict[str, str] = Field(default_factory=dict)


class TreeHead(_Strict):
    """A tree size and its RFC 6962 root: the size is only meaningful with the root."""

    size: Size
    root: Hex32


class CommitmentFile(_Strict):
    format: Literal["tripolar-escrow-commitment"] = "tripolar-escrow-commitment"
    format_version: Literal[1] = 1
    encoding: Encoding = "tripolar-decl-item/v1"
    tree: Literal["rfc6962-sha256"] = "rfc6962-sha256"
    party: Party
    date: Day
    size: Size
    root: Hex32

    def head(self) -> TreeHead:
        return TreeHead(size=self.size, root=self.root)


class PrivateItemV1(ItemModel):
    """One item of a version 1 private file (read only; version 2 writes arrays)."""

    index: Size
    salt: Hex32


class _PrivateHead(_Strict):
    """The fields every version of the private file has besides its items."""

    format: Literal["tripolar-escrow-private"] = "tripolar-escrow-private"
    warning: str
    encoding: Encoding = "tripolar-decl-item/v1"
    party: Party
    date: Day
    size: Size
    root: Hex32


class PrivateFileV1(_PrivateHead):
    """The version 1 private file: one object per item. Read, never written."""

    format_version: Literal[1] = 1
    items: list[PrivateItemV1]


class Opening(_Strict):
    index: Size
    item: ItemModel
    salt: Hex32
    proof: list[Hex32]


class RevealFile(_Strict):
    format: Literal["tripolar-escrow-reveal"] = "tripolar-escrow-reveal"
    format_version: Literal[1] = 1
    encoding: Encoding = "tripolar-decl-item/v1"
    party: Party
    size: Size
    root: Hex32
    scope_sites: list[str] | None = None
    openings: list[Opening]


class SpineStep(_Strict):
    """One left child on the right edge of the tree: its first leaf and left-edge path."""

    first_leaf: Hex32
    path: list[Hex32]


class SizeProof(_Strict):
    """Proof that a root covers exactly ``size`` leaves (:func:`merkle.verify_size`)."""

    spine: list[SpineStep]
    last_leaf: Hex32


class ExtensionFile(_Strict):
    """Old and new tree heads, the RFC 6962 consistency proof between them, and a proof
    of the new tree's size (the consistency proof alone accepts some wrong new sizes).
    The size proof is required to verify: a file without one is reported invalid."""

    format: Literal["tripolar-escrow-extension"] = "tripolar-escrow-extension"
    format_version: Literal[1] = 1
    party: Party
    date: Day
    old: TreeHead
    new: TreeHead
    proof: list[Hex32]
    new_size_proof: SizeProof | None = None


class Discrepancy(_Strict):
    kind: Literal["found_not_opened", "opened_not_found", "content_mismatch", "site_not_opened"]
    site: str
    item_id: str | None = None
    detail: str = ""


class InspectionFile(_Strict):
    format: Literal["tripolar-escrow-inspection"] = "tripolar-escrow-inspection"
    format_version: Literal[1] = 1
    party: Party
    inspector: Party
    date: Day
    sites: list[str]
    reveal: RevealFile
    found: list[ItemModel]
    reveal_valid: bool
    discrepancies: list[Discrepancy]


class BulletinEntry(_Strict):
    seq: Size
    kind: Literal["commitment", "extension", "reveal", "inspection"]
    body: dict[str, Any]
    prev: Hex32
    hash: Hex32


class BulletinFile(_Strict):
    format: Literal["tripolar-escrow-bulletin"] = "tripolar-escrow-bulletin"
    format_version: Literal[1] = 1
    party: Party
    entries: list[BulletinEntry]


# --------------------------------------------------------------------------- private file

PRIVATE_FORMAT_VERSION = 2
PRIVATE_COLUMNS = ("index", "item_id", "site", "item_type", "count", "attributes", "salt")
SALT_BYTES = 32
PRIVATE_WARNING = (
    "PRIVATE: this file holds the secret salts of every committed item. Anyone who has it "
    "can test guesses about unopened items. Never publish or share it; keep a backup."
)
#: The attributes of an item without any: one shared read-only mapping, so that a million
#: such items do not hold a million empty dicts.
NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})
_MAX_COUNT = 2**63 - 1
_HEX_DIGITS = "0123456789abcdef"
_ROWS_PER_CHUNK = 10_000


class PrivateHeader(_PrivateHead):
    """Everything of a version 2 private file except its ``items`` arrays."""

    format_version: Literal[2] = 2
    columns: list[str]


@dataclass(frozen=True, slots=True)
class PrivateRecord:
    """One leaf of the private file, as a record (``salt`` in lowercase hex)."""

    index: int
    item_id: str
    site: str
    item_type: str
    count: int
    attributes: dict[str, str]
    salt: str


@dataclass(frozen=True, slots=True)
class PrivateData:
    """The private file in memory: header fields and one column per item field.

    Entry ``i`` of every column belongs to leaf ``i``; ``salts`` holds the 32-byte salts
    of all leaves back to back (leaf ``i`` at bytes ``32 i .. 32 i + 32``).
    """

    party: str
    date: str
    size: int
    root: str
    item_ids: list[str]
    sites: list[str]
    item_types: list[str]
    counts: list[int]
    attributes: list[Mapping[str, str]]
    salts: bytes

    def __len__(self) -> int:
        return len(self.item_ids)

    def salt(self, index: int) -> bytes:
        return self.salts[SALT_BYTES * index : SALT_BYTES * (index + 1)]

    def item(self, index: int) -> DeclarationItem:
        return DeclarationItem(
            item_id=self.item_ids[index],
            site=self.sites[index],
            item_type=self.item_types[index],
            count=self.counts[index],
            attributes=dict(self.attributes[index]),
        )

    def records(self) -> list[PrivateRecord]:
        """Every leaf as a :class:`PrivateRecord` (builds n objects: for small files)."""
        return [
            PrivateRecord(i, a, s, t, c, dict(at), self.salt(i).hex())
            for i, (a, s, t, c, at) in enumerate(
                zip(
                    self.item_ids,
                    self.sites,
                    self.item_types,
                    self.counts,
                    self.attributes,
                    strict=True,
                )
            )
        ]


def _header_json(p: PrivateData) -> str:
    head = {
        "format": "tripolar-escrow-private",
        "format_version": PRIVATE_FORMAT_VERSION,
        "warning": PRIVATE_WARNING,
        "encoding": "tripolar-decl-item/v1",
        "party": p.party,
        "date": p.date,
        "size": p.size,
        "root": p.root,
    }
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()]
    lines.append(f'  "columns": {json.dumps(list(PRIVATE_COLUMNS))}')
    return "{\n" + ",\n".join(lines) + ',\n  "items": ['


def private_json_chunks(p: PrivateData) -> Iterator[bytes]:
    """The version 2 private file as UTF-8 JSON, in chunks of rows (one item per line).

    Written row by row rather than through a generic serializer, so a million items take
    about a second and the whole text is never held in memory at once.
    """
    yield _header_json(p).encode("utf-8")
    salt_hex = p.salts.hex()
    enc = encode_basestring
    n = len(p.item_ids)
    for lo in range(0, n, _ROWS_PER_CHUNK):
        hi = min(lo + _ROWS_PER_CHUNK, n)
        rows = []
        for i in range(lo, hi):
            attrs = p.attributes[i]
            attrs_json = (
                json.dumps(dict(sorted(attrs.items())), ensure_ascii=False) if attrs else "{}"
            )
            rows.append(
                f"    [{i}, {enc(p.item_ids[i])}, {enc(p.sites[i])}, {enc(p.item_types[i])}, "
                f'{p.counts[i]}, {attrs_json}, "{salt_hex[64 * i : 64 * i + 64]}"]'
            )
        sep = "\n" if lo == 0 else ",\n"
        yield (sep + ",\n".join(rows)).encode("utf-8")
    yield b"\n  ]\n}\n"


def _bad(source: str, i: int, name: str, message: str, expected: str) -> InputError:
    return InputError(message, file=source, field=f"items.{i}.{name}", expected=expected)


def _rows_to_columns(rows: list[Any], source: str) -> tuple[list[Any], ...]:
    """Check every ``[index, item_id, site, item_type, count, attributes, salt]`` array."""
    ids: list[str] = []
    sites: list[str] = []
    types: list[str] = []
    counts: list[int] = []
    attrs: list[Mapping[str, str]] = []
    salts: list[str] = []
    for i, row in enumerate(rows):
        if type(row) is not list or len(row) != len(PRIVATE_COLUMNS):
            raise InputError(
                f"{type(row).__name__} of length {len(row) if type(row) is list else '-'}",
                file=source,
                field=f"items.{i}",
                expected="an array [" + ", ".join(PRIVATE_COLUMNS) + "]",
            )
        index, item_id, site, item_type, count, attributes, salt = row
        if type(index) is not int or index != i:
            raise _bad(source, i, "index", f"index {index!r} at position {i}", f"{i}")
        if type(item_id) is not str or type(site) is not str or type(item_type) is not str:
            name, value = next(
                (n, v)
                for n, v in (("item_id", item_id), ("site", site), ("item_type", item_type))
                if type(v) is not str
            )
            raise _bad(source, i, name, f"{value!r} is not text", "a string")
        if type(count) is not int or not 0 <= count <= _MAX_COUNT:
            raise _bad(source, i, "count", f"{count!r}", "an integer >= 0")
        if type(attributes) is not dict:
            raise _bad(source, i, "attributes", f"{attributes!r}", "a mapping of text to text")
        if attributes:
            for key, value in attributes.items():
                if type(value) is not str:
                    raise _bad(source, i, f"attributes.{key}", f"{value!r} is not text", "a string")
        if type(salt) is not str or len(salt) != 2 * SALT_BYTES or salt.strip(_HEX_DIGITS):
            raise _bad(source, i, "salt", f"{salt!r}", "64 lowercase hex digits")
        ids.append(item_id)
        sites.append(site)
        types.append(item_type)
        counts.append(count)
        attrs.append(attributes if attributes else NO_ATTRIBUTES)
        salts.append(salt)
    return ids, sites, types, counts, attrs, salts


def _validated(model: type[_Strict], data: Any, source: str) -> Any:
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(document)"
        raise InputError(err["msg"], file=source, field=loc) from exc


def _from_v1(data: Any, source: str) -> PrivateData:
    v1: PrivateFileV1 = _validated(PrivateFileV1, data, source)
    for i, p in enumerate(v1.items):
        if p.index != i:
            raise _bad(source, i, "index", f"index {p.index} at position {i}", f"{i}")
    items = v1.items
    return PrivateData(
        party=v1.party,
        date=v1.date,
        size=v1.size,
        root=v1.root,
        item_ids=[p.item_id for p in items],
        sites=[p.site for p in items],
        item_types=[p.item_type for p in items],
        counts=[p.count for p in items],
        attributes=[dict(p.attributes) if p.attributes else NO_ATTRIBUTES for p in items],
        salts=bytes.fromhex("".join(p.salt for p in items)),
    )


def private_from_json(data: Any, *, source: str = "private file") -> PrivateData:
    """Check a parsed private file (format version 2, or 1) and return its columns.

    Errors are :class:`InputError` naming ``source`` and the field (``items.12.salt``).
    This checks the shape of every field; :func:`tripolar.verification.escrow.load_private`
    then checks that the items and salts reproduce the recorded root.
    """
    if not isinstance(data, dict):
        raise InputError(
            f"{type(data).__name__}", file=source, field="(document)", expected="a JSON object"
        )
    if data.get("format") != "tripolar-escrow-private":
        raise InputError(
            f"{data.get('format')!r}", file=source, field="format", expected="a private file"
        )
    version = data.get("format_version")
    if type(version) is int and version == 1:
        return _from_v1(data, source)
    if type(version) is not int or version != PRIVATE_FORMAT_VERSION:
        raise InputError(
            f"private file format_version {version!r} is not supported",
            file=source,
            field="format_version",
            expected=f"{PRIVATE_FORMAT_VERSION} (or 1)",
        )
    header: PrivateHeader = _validated(
        PrivateHeader, {k: v for k, v in data.items() if k != "items"}, source
    )
    if tuple(header.columns) != PRIVATE_COLUMNS:
        raise InputError(
            f"{header.columns!r}",
            file=source,
            field="columns",
            expected=json.dumps(list(PRIVATE_COLUMNS)),
        )
    rows = data.get("items")
    if type(rows) is not list:
        raise InputError(
            "missing or not an array", file=source, field="items", expected="an array of items"
        )
    ids, sites, types, counts, attrs, salts = _rows_to_columns(rows, source)
    return PrivateData(
        party=header.party,
        date=header.date,
        size=header.size,
        root=header.root,
        item_ids=ids,
        sites=sites,
        item_types=types,
        counts=counts,
        attributes=attrs,
        salts=bytes.fromhex("".join(salts)),
    )
