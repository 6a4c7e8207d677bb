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

import contextlib
import hashlib
import operator
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from tripolar.errors import InputError
from tripolar.verification import merkle
from tripolar.verification.encoding import DeclarationItem, encode_fields, encode_item
from tripolar.verification.formats import (
    NO_ATTRIBUTES,
    PRIVATE_WARNING,
    SALT_BYTES,
    CommitmentFile,
    Discrepancy,
    ExtensionFile,
    InspectionFile,
    ItemModel,
    Opening,
    PrivateData,
    RevealFile,
    SizeProof,
    SpineStep,
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
_FEW_IDS = 8


def leaf_commitment(item: DeclarationItem, salt: bytes) -> bytes:
    """``SHA-256(LEAF_TAG || salt || canonical item)``: the 32-byte RFC 6962 leaf of an item."""
    return hashlib.sha256(LEAF_TAG + salt + encode_item(item)).digest()


def _leaf_commitments(p: PrivateData) -> list[bytes]:
    """:func:`leaf_commitment` of every entry of ``p``, in leaf order (the same bytes,
    computed over the columns with the encoded sites and types cached)."""
    sha = hashlib.sha256
    encode = encode_fields
    cache: dict[str, bytes] = {}
    salts, tag, join = p.salts, LEAF_TAG, b"".join
    out: list[bytes] = []
    offset = 0
    for item_id, site, item_type, count, attributes in zip(
        p.item_ids, p.sites, p.item_types, p.counts, p.attributes, strict=True
    ):
        salt = salts[offset : offset + SALT_BYTES]
        out.append(
            sha(
                join((tag, salt, encode(item_id, site, item_type, count, attributes, cache)))
            ).digest()
        )
        offset += SALT_BYTES
    return out


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


@dataclass(frozen=True, slots=True)
class Escrow:
    """A party's escrow: the private data (items and salts, one column per field), the
    public commitment and the Merkle tree, built once and kept for fast proofs."""

    private: PrivateData
    commitment: CommitmentFile
    tree: merkle.MerkleTree = field(repr=False, compare=False)

    @property
    def items(self) -> list[DeclarationItem]:
        """Every committed item, in leaf order (builds n objects)."""
        return [self.private.item(i) for i in range(len(self.private))]


Columns = tuple[list[str], list[str], list[str], list[int], list[Mapping[str, str]]]


def _escrow(
    party: str, date: str, columns: Columns, salts: bytes, tree: merkle.MerkleTree
) -> Escrow:
    root_hex = tree.root.hex()
    private = PrivateData(party, date, tree.size, root_hex, *columns, salts)
    commitment = CommitmentFile(party=party, date=date, size=tree.size, root=root_hex)
    return Escrow(private=private, commitment=commitment, tree=tree)


def _random_order(n: int) -> list[int]:
    """A uniformly random permutation of ``range(n)`` from the operating system's CSPRNG.

    Sorts the positions by independent 64-bit keys from :func:`secrets.token_bytes`,
    drawn again in the rare case (probability below n**2 / 2**65) that two keys are
    equal: with distinct keys every order is equally likely. It does the work of
    ``secrets.SystemRandom().shuffle`` in a tenth of the time for a million items.
    """
    while True:
        keys = np.frombuffer(secrets.token_bytes(8 * n), dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        ranked = keys[order]
        if not np.any(ranked[1:] == ranked[:-1]):
            result: list[int] = order.tolist()
            return result


def _columns(items: Sequence[DeclarationItem]) -> Columns:
    return (
        [it.item_id for it in items],
        [it.site for it in items],
        [it.item_type for it in items],
        [it.count for it in items],
        # A private copy, so that changing the caller's item later cannot change the escrow.
        [dict(sorted(it.attributes.items())) if it.attributes else NO_ATTRIBUTES for it in items],
    )


def _check_unique_ids(ids: list[str]) -> None:
    if len(set(ids)) == len(ids):
        return
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise InputError(f"duplicate item_id {item_id!r}", field="item_id")
        seen.add(item_id)


def _salted_leaves(
    party: str, date: str, items: Sequence[DeclarationItem], shuffle: bool
) -> tuple[Columns, bytes, list[bytes]]:
    """Columns, fresh salts and leaf commitments of ``items``, in (shuffled) leaf order.

    The leaves are computed in the caller's order, where the items lie close together in
    memory, and then all three are put in the random order together: the same result as
    shuffling first, in less time.
    """
    columns = _columns(items)
    _check_unique_ids(columns[0])
    n = len(items)
    salts = _fresh_salts(n)
    unrooted = PrivateData(party, date, n, "", *columns, salts)
    leaves = _leaf_commitments(unrooted)
    if not shuffle or n < 2:
        return columns, salts, leaves
    order = _random_order(n)
    pick = operator.itemgetter(*order)

    def permuted(column: list[Any]) -> list[Any]:
        return list(pick(column))

    ids, sites, types, counts, attrs = columns
    salt_rows = np.frombuffer(salts, dtype=np.uint8).reshape(n, SALT_BYTES)
    return (
        (permuted(ids), permuted(sites), permuted(types), permuted(counts), permuted(attrs)),
        salt_rows[order].tobytes(),
        permuted(leaves),
    )


def _fresh_salts(n: int) -> bytes:
    """n fresh, independent 32-byte salts from :mod:`secrets`, back to back (one draw of
    32 n bytes from the CSPRNG: the same bytes n separate draws would give, faster)."""
    return secrets.token_bytes(SALT_BYTES * n)


def commit(
    items: Sequence[DeclarationItem], *, party: str, date: str, shuffle: bool = True
) -> Escrow:
    """Commit to a complete declaration: salt each item, build the tree, return both files.

    ``shuffle`` randomises leaf order with the operating system's CSPRNG (recommended;
    turn it off only for reproducible examples).
    """
    if not items:
        raise InputError("nothing to commit", field="items", expected="at least one item")
    columns, salts, leaves = _salted_leaves(party, date, items, shuffle)
    return _escrow(party, date, columns, salts, merkle.MerkleTree(leaves))


def load_private(private: PrivateData, *, source: str = "private file") -> Escrow:
    """Check private data (from :func:`tripolar.verification.files.load_private_file`)
    and return the :class:`Escrow`, with its tree rebuilt once.

    The item ids must be unique, and the recomputed root and size must equal the recorded
    ones (a corrupted or edited file is refused). Positions are checked by the reader.
    """
    ids = private.item_ids
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id in seen:
                raise InputError(
                    f"duplicate item_id {item_id!r}",
                    file=source,
                    field=f"items.{i}.item_id",
                    expected="unique item ids",
                )
            seen.add(item_id)
    tree = merkle.MerkleTree(_leaf_commitments(private))
    if tree.size != private.size or tree.root.hex() != private.root:
        raise InputError(
            "items and salts do not reproduce the recorded root",
            file=source,
            field="root",
            expected="an unmodified private file",
        )
    commitment = CommitmentFile(
        party=private.party, date=private.date, size=private.size, root=private.root
    )
    return Escrow(private=private, commitment=commitment, tree=tree)


def reveal(
    escrow: Escrow, *, item_ids: Sequence[str] = (), sites: Sequence[str] = ()
) -> RevealFile:
    """Open the named items and every item at the named sites, with inclusion proofs.

    Proofs come from the tree kept on the escrow: nothing is re-encoded or re-hashed.
    A request that opens no item at all (only sites with no committed item) is refused:
    an empty reveal proves nothing, and :func:`verify_reveal` reports one as invalid.
    """
    p = escrow.private
    chosen: set[int] = set()
    if item_ids:
        wanted = set(item_ids)
        if len(wanted) <= _FEW_IDS:
            # list.index scans in C: a few ids are found faster than by one Python loop.
            found = {}
            for x in wanted:
                with contextlib.suppress(ValueError):
                    found[x] = p.item_ids.index(x)
        else:
            found = {x: i for i, x in enumerate(p.item_ids) if x in wanted}
        for item_id in item_ids:
            if item_id not in found:
                raise InputError(f"no committed item {item_id!r}", field="items")
        chosen.update(found.values())
    wanted_sites = set(sites)
    if wanted_sites:
        chosen.update(i for i, site in enumerate(p.sites) if site in wanted_sites)
    if not chosen:
        raise InputError(
            "no committed item at " + ", ".join(sorted(wanted_sites)),
            field="sites",
            expected="items or sites that open at least one committed item",
        )
    openings = [
        Opening(
            index=idx,
            item=_model_of(p.item(idx)),
            salt=p.salt(idx).hex(),
            proof=[h.hex() for h in escrow.tree.inclusion_proof(idx)],
        )
        for idx in sorted(chosen)
    ]
    return RevealFile(
        party=p.party,
        size=p.size,
        root=p.root,
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
    if not opened.openings:
        # Nothing to check against the root: an empty reveal would verify vacuously.
        problems.append("the reveal opens no item")
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
    """Append items (fresh salts) and prove the old tree is a prefix of the new one.

    The new tree is built over all leaves, old and new (one pass, as at commit).
    """
    if not new_items:
        raise InputError("nothing to add", field="items", expected="at least one new item")
    old = escrow.private
    old_ids = set(old.item_ids)
    for it in new_items:
        if it.item_id in old_ids:
            raise InputError(f"item_id {it.item_id!r} is already committed", field="item_id")
    (ids, sites, types, counts, attrs), salts, leaves = _salted_leaves(
        old.party, date, new_items, shuffle
    )
    columns = (
        old.item_ids + ids,
        old.sites + sites,
        old.item_types + types,
        old.counts + counts,
        old.attributes + attrs,
    )
    # The old leaves are not kept (only their hashes, in the tree): re-derive them once.
    all_leaves = _leaf_commitments(old) + leaves
    tree = merkle.MerkleTree(all_leaves)
    new = _escrow(old.party, date, columns, old.salts + salts, tree)
    proof = new.tree.consistency_proof(old.size)
    spine, last = new.tree.size_proof(all_leaves)
    ext = ExtensionFile(
        party=old.party,
        date=date,
        old=TreeHead(size=old.size, root=old.root),
        new=new.commitment.head(),
        proof=[h.hex() for h in proof],
        new_size_proof=SizeProof(
            spine=[SpineStep(first_leaf=f.hex(), path=[h.hex() for h in p]) for f, p in spine],
            last_leaf=last.hex(),
        ),
    )
    return new, ext


def verify_extension(old: CommitmentFile | TreeHead, ext: ExtensionFile) -> bool:
    """True iff ``ext`` starts from ``old``, its consistency proof verifies (RFC 9162)
    and its size proof shows the new root covers exactly ``ext.new.size`` leaves.

    The consistency proof alone does not fix the new size (an extension from 11 to 13
    leaves also verifies as 11 -> 14), hence the size proof (:func:`merkle.verify_size`).
    """
    if ext.old.size != old.size or ext.old.root != old.root:
        return False
    if isinstance(old, CommitmentFile) and ext.party != old.party:
        return False
    if ext.new.size <= ext.old.size or ext.new_size_proof is None:
        return False
    new_root = bytes.fromhex(ext.new.root)
    size_ok = merkle.verify_size(
        ext.new.size,
        new_root,
        [
            (bytes.fromhex(s.first_leaf), [bytes.fromhex(h) for h in s.path])
            for s in ext.new_size_proof.spine
        ],
        bytes.fromhex(ext.new_size_proof.last_leaf),
    )
    consistent = merkle.verify_consistency(
        ext.old.size,
        ext.new.size,
        bytes.fromhex(ext.old.root),
        new_root,
        [bytes.fromhex(h) for h in ext.proof],
    )
    return size_ok and consistent
