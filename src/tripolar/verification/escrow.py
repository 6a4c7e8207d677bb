"""Cryptographic escrow for treaty declarations: commit, reveal, inspect, extend.

Source: S. Philippe, A. Glaser & E. W. Felten, "A Cryptographic Escrow for Treaty
Declarations and Step-by-Step Verification", *Science & Global Security* 27(1) (2019)
3-14, arXiv:1809.04170. A party commits to its complete declaration at the outset by
publishing one Merkle root; it later opens items (or whole sites) one step at a time, and
anyone checks each opening against the root committed before the inspectors chose what
to look at.

tripolar's construction (a design choice, documented in docs/verification.md):

* each item gets a fresh 32-byte salt from :func:`secrets.token_bytes`;
* its commitment is ``SHA-256(LEAF_TAG || salt || encode_item(item))`` (encoding v1 of
  :mod:`tripolar.verification.encoding`), a 32-byte value used as the RFC 6962 leaf;
* the public commitment is the RFC 6962 root with the number of leaves, the encoding
  version, the party and the date; leaf order is shuffled at commit time so that the
  position of an opened item says nothing about the order of the declaration file;
* an extension appends items and proves with an RFC 6962 consistency proof that the old
  tree is a prefix of the new one.

Binding rests on SHA-256 collision resistance, hiding on the secrecy of the salts.
Completeness is not something cryptography can show: an item never committed is caught
only by an inspection (:func:`inspect`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tripolar.errors import InputError
from tripolar.verification import merkle
from tripolar.verification.encoding import DeclarationItem, encode_item
from tripolar.verification.formats import (
    CommitmentFile,
    Discrepancy,
    ExtensionFile,
    InspectionFile,
    ItemModel,
    Opening,
    PrivateFile,
    PrivateItem,
    RevealFile,
    TreeHead,
)

__all__ = [
    "LEAF_TAG",
    "PRIVATE_WARNING",
    "Escrow",
    "OpeningCheck",
    "RevealCheck",
    "commit",
    "extend",
    "inspect",
    "leaf_commitment",
    "load_private",
    "reveal",
    "verify_extension",
    "verify_reveal",
]

#: Domain-separation tag: a tripolar leaf commitment can never be mistaken for any other
#: SHA-256 value computed over the same bytes.
LEAF_TAG = b"tripolar/escrow/leaf/v1\x00"
SALT_BYTES = 32

PRIVATE_WARNING = (
    "PRIVATE: this file holds the secret salts of every committed item. Anyone who has it "
    "can test guesses about unopened items. Never publish or share it; keep a backup."
)


def leaf_commitment(item: DeclarationItem, salt: bytes) -> bytes:
    """``SHA-256(LEAF_TAG || salt || canonical item)``: the 32-byte RFC 6962 leaf of an item."""
    return hashlib.sha256(LEAF_TAG + salt + encode_item(item)).digest()


def _item_of(model: ItemModel) -> DeclarationItem:
    return DeclarationItem(
        item_id=model.item_id,
        site=model.site,
        item_type=model.item_type,
        count=model.count,
        attributes=dict(model.attributes),
    )


def _model_of(item: DeclarationItem) -> ItemModel:
    return ItemModel(**item.to_dict())


@dataclass(frozen=True)
class Escrow:
    """A party's escrow: the private file (items and salts) and the public commitment."""

    private: PrivateFile
    commitment: CommitmentFile

    @property
    def items(self) -> list[DeclarationItem]:
        return [_item_of(p) for p in self.private.items]

    def tree(self) -> merkle.MerkleTree:
        return merkle.MerkleTree(
            [leaf_commitment(_item_of(p), bytes.fromhex(p.salt)) for p in self.private.items]
        )


def _build(
    private_items: list[PrivateItem], party: str, date: str
) -> tuple[PrivateFile, CommitmentFile]:
    tree = merkle.MerkleTree(
        [leaf_commitment(_item_of(p), bytes.fromhex(p.salt)) for p in private_items]
    )
    size, root_hex = tree.size, tree.root.hex()
    private = PrivateFile(
        warning=PRIVATE_WARNING,
        party=party,
        date=date,
        items=private_items,
        size=size,
        root=root_hex,
    )
    return private, CommitmentFile(party=party, date=date, size=size, root=root_hex)


def _salted(items: Sequence[DeclarationItem], start: int, shuffle: bool) -> list[PrivateItem]:
    order = list(items)
    if shuffle:
        secrets.SystemRandom().shuffle(order)
    return [
        PrivateItem(index=start + i, salt=secrets.token_bytes(SALT_BYTES).hex(), **it.to_dict())
        for i, it in enumerate(order)
    ]


def _check_unique(items: Iterable[DeclarationItem]) -> None:
    seen: set[str] = set()
    for it in items:
        if it.item_id in seen:
            raise InputError(f"duplicate item_id {it.item_id!r}", field="item_id")
        seen.add(it.item_id)


def commit(
    items: Sequence[DeclarationItem], *, party: str, date: str, shuffle: bool = True
) -> Escrow:
    """Commit to a complete declaration: salt each item, build the tree, return both files.

    ``shuffle`` randomises leaf order with the operating system's CSPRNG (recommended;
    turn it off only for reproducible examples).
    """
    if not items:
        raise InputError("nothing to commit", field="items", expected="at least one item")
    _check_unique(items)
    private, commitment = _build(_salted(items, 0, shuffle), party, date)
    return Escrow(private=private, commitment=commitment)


def load_private(private: PrivateFile, *, source: str = "private file") -> Escrow:
    """Check a private file for internal consistency and return the :class:`Escrow`.

    The indices must be 0..n-1 in order, the item ids unique, and the recomputed root and
    size must equal the recorded ones (a corrupted or edited file is refused).
    """
    for i, p in enumerate(private.items):
        if p.index != i:
            raise InputError(
                f"index {p.index} at position {i}", file=source, field=f"items.{i}.index"
            )
    _check_unique(_item_of(p) for p in private.items)
    escrow = Escrow(
        private=private,
        commitment=CommitmentFile(
            party=private.party, date=private.date, size=private.size, root=private.root
        ),
    )
    tree = escrow.tree()
    if tree.size != private.size or tree.root.hex() != private.root:
        raise InputError(
            "items and salts do not reproduce the recorded root",
            file=source,
            field="root",
            expected="an unmodified private file",
        )
    return escrow


def reveal(
    escrow: Escrow, *, item_ids: Sequence[str] = (), sites: Sequence[str] = ()
) -> RevealFile:
    """Open the named items and every item at the named sites, with inclusion proofs.

    A site with no committed item is a valid request: the opening then shows nothing
    there, which inspectors can compare with what they find.
    """
    by_id = {p.item_id: p for p in escrow.private.items}
    for item_id in item_ids:
        if item_id not in by_id:
            raise InputError(f"no committed item {item_id!r}", field="items")
    wanted_sites = set(sites)
    chosen = sorted(
        {by_id[i].index for i in item_ids}
        | {p.index for p in escrow.private.items if p.site in wanted_sites}
    )
    tree = escrow.tree()
    openings = []
    for idx in chosen:
        p = escrow.private.items[idx]
        openings.append(
            Opening(
                index=idx,
                item=_model_of(_item_of(p)),
                salt=p.salt,
                proof=[h.hex() for h in tree.inclusion_proof(idx)],
            )
        )
    return RevealFile(
        party=escrow.private.party,
        size=escrow.private.size,
        root=escrow.private.root,
        scope_sites=sorted(wanted_sites) if sites else None,
        openings=openings,
    )


@dataclass(frozen=True)
class OpeningCheck:
    index: int
    item_id: str
    site: str
    valid: bool
    reason: str = ""


@dataclass(frozen=True)
class RevealCheck:
    """Result of :func:`verify_reveal`: ``valid`` only if every opening verifies."""

    valid: bool
    party: str
    size: int
    root: str
    openings: list[OpeningCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_reveal(commitment: CommitmentFile | TreeHead, opened: RevealFile) -> RevealCheck:
    """Check every opening of ``opened`` against the committed root and size.

    The size and root are taken from the commitment, never from the reveal (RFC 9162
    inclusion proofs bind the size only together with the root).
    """
    size, root_hex = commitment.size, commitment.root
    party = commitment.party if isinstance(commitment, CommitmentFile) else opened.party
    problems: list[str] = []
    if opened.size != size or opened.root != root_hex:
        problems.append("the reveal names a different tree (size or root) than the commitment")
    if isinstance(commitment, CommitmentFile) and opened.party != commitment.party:
        problems.append(f"reveal by {opened.party!r}, commitment by {commitment.party!r}")
    root_bytes = bytes.fromhex(root_hex)
    checks: list[OpeningCheck] = []
    seen: set[int] = set()
    for op in opened.openings:
        item = _item_of(op.item)
        reason = ""
        if op.index in seen:
            reason = "index opened twice"
        elif opened.scope_sites is not None and item.site not in opened.scope_sites:
            reason = "item outside the sites this reveal claims to open"
        else:
            leaf = leaf_commitment(item, bytes.fromhex(op.salt))
            proof = [bytes.fromhex(h) for h in op.proof]
            if not merkle.verify_inclusion(leaf, op.index, size, proof, root_bytes):
                reason = "inclusion proof does not match the committed root"
        seen.add(op.index)
        checks.append(OpeningCheck(op.index, item.item_id, item.site, not reason, reason))
    ids = [c.item_id for c in checks]
    if len(set(ids)) != len(ids):
        problems.append("the same item_id is opened at two positions")
    valid = not problems and all(c.valid for c in checks)
    return RevealCheck(valid, party, size, root_hex, checks, problems)


def inspect(
    commitment: CommitmentFile,
    opened: RevealFile,
    *,
    sites: Sequence[str],
    found: Sequence[DeclarationItem],
    inspector: str,
    date: str,
) -> InspectionFile:
    """Compare what inspectors found at ``sites`` with the items the party opened there.

    The party must have opened the inspected sites as a whole (``scope_sites``); every
    committed item there must be opened. Discrepancies: an item found but not opened
    (undeclared, or declared but withheld), an item opened but not found, the same id with
    a different type or count, and an inspected site the reveal does not open.
    """
    site_set = set(sites)
    if not site_set:
        raise InputError("no site to inspect", field="sites", expected="at least one site")
    for i, it in enumerate(found):
        if it.site not in site_set:
            raise InputError(
                f"item {it.item_id!r} is at site {it.site!r}, which is not inspected",
                field=f"found.{i}.site",
                expected="one of " + ", ".join(sorted(site_set)),
            )
    check = verify_reveal(commitment, opened)
    valid_idx = {c.index for c in check.openings if c.valid}
    opened_items = [_item_of(op.item) for op in opened.openings if op.index in valid_idx]
    scope = set(opened.scope_sites or [])
    out: list[Discrepancy] = []
    for site in sorted(site_set):
        if site not in scope:
            out.append(
                Discrepancy(
                    kind="site_not_opened",
                    site=site,
                    detail="the reveal does not open this site as a whole",
                )
            )
        here_open = {it.item_id: it for it in opened_items if it.site == site}
        here_found = {it.item_id: it for it in found if it.site == site}
        for item_id in sorted(here_found.keys() - here_open.keys()):
            out.append(Discrepancy(kind="found_not_opened", site=site, item_id=item_id))
        for item_id in sorted(here_open.keys() - here_found.keys()):
            out.append(Discrepancy(kind="opened_not_found", site=site, item_id=item_id))
        for item_id in sorted(here_open.keys() & here_found.keys()):
            a, b = here_open[item_id], here_found[item_id]
            if (a.item_type, a.count) != (b.item_type, b.count):
                out.append(
                    Discrepancy(
                        kind="content_mismatch",
                        site=site,
                        item_id=item_id,
                        detail=f"opened {a.item_type} x{a.count}, found {b.item_type} x{b.count}",
                    )
                )
    return InspectionFile(
        party=commitment.party,
        inspector=inspector,
        date=date,
        sites=sorted(site_set),
        reveal=opened,
        found=[_model_of(it) for it in found],
        reveal_valid=check.valid,
        discrepancies=out,
    )


def recheck_inspection(commitment: CommitmentFile | TreeHead, record: InspectionFile) -> bool:
    """Recompute an inspection record from its own reveal and findings; True if identical."""
    head = (
        commitment
        if isinstance(commitment, CommitmentFile)
        else CommitmentFile(party=record.party, date=record.date, **commitment.model_dump())
    )
    redo = inspect(
        head,
        record.reveal,
        sites=record.sites,
        found=[_item_of(f) for f in record.found],
        inspector=record.inspector,
        date=record.date,
    )
    return redo == record


def extend(
    escrow: Escrow, new_items: Sequence[DeclarationItem], *, date: str, shuffle: bool = True
) -> tuple[Escrow, ExtensionFile]:
    """Append items (fresh salts) and prove the old tree is a prefix of the new one."""
    if not new_items:
        raise InputError("nothing to add", field="items", expected="at least one new item")
    old_ids = {p.item_id for p in escrow.private.items}
    _check_unique(new_items)
    for it in new_items:
        if it.item_id in old_ids:
            raise InputError(f"item_id {it.item_id!r} is already committed", field="item_id")
    old_size = escrow.private.size
    added = _salted(new_items, old_size, shuffle)
    private, commitment = _build([*escrow.private.items, *added], escrow.private.party, date)
    new = Escrow(private=private, commitment=commitment)
    proof = new.tree().consistency_proof(old_size)
    ext = ExtensionFile(
        party=escrow.private.party,
        date=date,
        old=TreeHead(size=old_size, root=escrow.private.root),
        new=commitment.head(),
        proof=[h.hex() for h in proof],
    )
    return new, ext


def verify_extension(old: CommitmentFile | TreeHead, ext: ExtensionFile) -> bool:
    """True iff ``ext`` starts from ``old`` and its consistency proof verifies (RFC 9162)."""
    if ext.old.size != old.size or ext.old.root != old.root:
        return False
    if isinstance(old, CommitmentFile) and ext.party != old.party:
        return False
    if ext.new.size <= ext.old.size:
        return False
    return merkle.verify_consistency(
        ext.old.size,
        ext.new.size,
        bytes.fromhex(ext.old.root),
        bytes.fromhex(ext.new.root),
        [bytes.fromhex(h) for h in ext.proof],
    )
