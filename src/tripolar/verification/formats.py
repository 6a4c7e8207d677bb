"""Versioned JSON file formats of the declaration escrow (pydantic models, format_version 1).

Public files: ``commitment`` (root and size), ``reveal`` (opened items with salts and
inclusion proofs), ``extension`` (new root with a consistency proof), ``inspection``
(a reveal checked against what inspectors found) and ``bulletin`` (append-only record).
Private file: ``private`` (every item with its salt; must never be shared).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BulletinEntry",
    "BulletinFile",
    "CommitmentFile",
    "Discrepancy",
    "ExtensionFile",
    "InspectionFile",
    "ItemModel",
    "Opening",
    "PrivateFile",
    "PrivateItem",
    "RevealFile",
    "TreeHead",
]

FORMAT_VERSION = 1
Hex32 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Party = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Size = Annotated[int, Field(ge=0)]
Encoding = Literal["tripolar-decl-item/v1"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ItemModel(_Strict):
    item_id: str
    site: str
    item_type: str
    count: Size
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


class PrivateItem(ItemModel):
    index: Size
    salt: Hex32


class PrivateFile(_Strict):
    format: Literal["tripolar-escrow-private"] = "tripolar-escrow-private"
    format_version: Literal[1] = 1
    warning: str
    encoding: Encoding = "tripolar-decl-item/v1"
    party: Party
    date: Day
    size: Size
    root: Hex32
    items: list[PrivateItem]


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


class ExtensionFile(_Strict):
    format: Literal["tripolar-escrow-extension"] = "tripolar-escrow-extension"
    format_version: Literal[1] = 1
    party: Party
    date: Day
    old: TreeHead
    new: TreeHead
    proof: list[Hex32]


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
