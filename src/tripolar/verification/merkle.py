"""RFC 6962 Merkle tree hash (Certificate Transparency) with inclusion and consistency proofs.

Sources: B. Laurie, A. Langley, E. Kasper, RFC 6962 "Certificate Transparency" (2013),
section 2.1 (tree hash, audit paths, consistency proofs); B. Laurie, E. Messeri,
R. Stradling, RFC 9162 "Certificate Transparency Version 2.0" (2021), sections 2.1.3.2
and 2.1.4.2 (verification algorithms).

Hash: SHA-256. Leaf hash ``H(0x00 || leaf)``, interior node ``H(0x01 || left || right)``,
empty tree ``H("")``; a tree of n > 1 leaves splits at k, the largest power of two below n.

The tree is built bottom-up, level by level: pairing neighbours left to right and
carrying a lone last node up unchanged gives exactly the RFC 6962 tree (the unbalanced
right edge), and every node at level h with index j then covers leaves
``[j * 2**h, min((j + 1) * 2**h, n))``. No list of leaves is ever sliced or copied, so
a million leaves take two passes of SHA-256 and about 150 MB of digests.

Verifiers never raise on malformed input: a wrong type, a negative size or a digest of
the wrong length makes them return ``False``. Digests are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from itertools import pairwise

__all__ = [
    "DIGEST_SIZE",
    "EMPTY_ROOT",
    "MerkleTree",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "size_proof_size",
    "verify_consistency",
    "verify_inclusion",
    "verify_size",
]

DIGEST_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 6962 leaf hash ``SHA-256(0x00 || leaf)`` of raw leaf bytes."""
    return hashlib.sha256(_LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _is_digest(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == DIGEST_SIZE


def _is_size(value: object) -> bool:
    # bool is an int subclass; True as a tree size is a caller bug, not a size.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _largest_power_of_two_below(n: int) -> int:
    """Largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _leaf_level(leaves: Sequence[bytes]) -> list[bytes]:
    sha = hashlib.sha256
    try:
        # bytes + str (or int, None) raises TypeError; bytes-like leaves are accepted.
        return [sha(_LEAF_PREFIX + leaf).digest() for leaf in leaves]
    except TypeError:
        bad = next(i for i, x in enumerate(leaves) if not isinstance(x, bytes | bytearray))
        raise TypeError(f"leaf {bad} is {type(leaves[bad]).__name__}, expected bytes") from None


def _next_level(level: list[bytes]) -> list[bytes]:
    """Pair neighbours left to right; a lone last node moves up unchanged (RFC 6962 split)."""
    sha = hashlib.sha256
    nxt = [
        sha(_NODE_PREFIX + level[j] + level[j + 1]).digest() for j in range(0, len(level) - 1, 2)
    ]
    if len(level) % 2:
        nxt.append(level[-1])
    return nxt


class MerkleTree:
    """An RFC 6962 tree over raw leaf bytes, with all levels kept for fast proofs.

    ``levels[0]`` are the leaf hashes, ``levels[-1]`` holds the root. Build once, then ask
    for any number of inclusion or consistency proofs without rehashing.
    """

    def __init__(self, leaves: Sequence[bytes]) -> None:
        level = _leaf_level(leaves)
        self.levels: list[list[bytes]] = [level]
        while len(level) > 1:
            level = _next_level(level)
            self.levels.append(level)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self.levels[0])

    @property
    def root(self) -> bytes:
        """Merkle tree hash MTH(D[n]); ``SHA-256("")`` for the empty tree."""
        if self.size == 0:
            return EMPTY_ROOT
        return self.levels[-1][0]

    def _subtree(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for a range RFC 6962's recursion produces.

        Such a range starts at a multiple of 2**h where 2**h >= hi - lo, and either holds
        exactly 2**h leaves or ends at the right edge of the tree, so it is one stored node.
        """
        h = (hi - lo - 1).bit_length()
        return self.levels[h][lo >> h]

    def inclusion_proof(self, index: int) -> list[bytes]:
        """Audit path PATH(index, D[n]) of RFC 6962 section 2.1.1, leaf to root."""
        if not _is_size(index) or index >= self.size:
            raise ValueError(f"leaf index {index!r} outside a tree of {self.size} leaves")
        proof: list[bytes] = []
        j = index
        for level in self.levels[:-1]:
            sibling = j ^ 1
            # A lone last node has no sibling at this level: it is carried up unchanged.
            if sibling < len(level):
                proof.append(level[sibling])
            j >>= 1
        return proof

    def consistency_proof(self, old_size: int) -> list[bytes]:
        """PROOF(old_size, D[n]) of RFC 6962 section 2.1.2.

        ``old_size`` equal to 0 or to the tree size gives the empty proof (tripolar's
        reading of the edge cases the RFC leaves open; see :func:`verify_consistency`).
        """
        n = self.size
        if not _is_size(old_size) or old_size > n:
            raise ValueError(f"old size {old_size!r} must be an integer in [0, {n}]")
        if old_size in (0, n):
            return []
        proof: list[bytes] = []
        m, lo, hi, complete = old_size, 0, n, True
        # SUBPROOF descends one subtree per step; the hashes are collected top-down and
        # the RFC lists them bottom-up, hence the reversal at the end.
        while True:
            if lo + m == hi:
                if not complete:
                    proof.append(self._subtree(lo, hi))
                break
            k = _largest_power_of_two_below(hi - lo)
            if m <= k:
                proof.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._subtree(lo, lo + k))
                lo, m, complete = lo + k, m - k, False
        proof.reverse()
        return proof

    def size_proof(self, leaves: Sequence[bytes]) -> tuple[list[tuple[bytes, list[bytes]]], bytes]:
        """A proof that this tree has :attr:`size` leaves, checked by :func:`verify_size`.

        An RFC 6962 root does not say how many leaves it covers, and consistency and
        inclusion proofs are accepted for some wrong sizes (11 -> 13 leaves verifies as
        11 -> 14). This proof walks the right edge of the tree: for each left child on
        the way from the root to the last leaf (a complete subtree of 2**h leaves) it
        gives that subtree's first raw leaf and the h right siblings on its left edge;
        then the raw last leaf. Raw leaves are needed, not leaf hashes: the 0x00 / 0x01
        prefixes are what make a leaf impossible to pass off as a node. ``leaves`` are
        the raw leaves the tree was built from (only the O(log n) used are read).
        """
        n = self.size
        if n == 0:
            raise ValueError("the empty tree has no size proof")
        spine: list[tuple[bytes, list[bytes]]] = []
        lo = 0
        while n - lo > 1:
            k = _largest_power_of_two_below(n - lo)
            h = k.bit_length() - 1
            path = [self._subtree(lo + (1 << t), lo + (2 << t)) for t in range(h)]
            spine.append((bytes(leaves[lo]), path))
            lo += k
        last = bytes(leaves[lo])
        if leaf_hash(last) != self.levels[0][lo]:
            raise ValueError("leaves do not match the tree")
        return spine, last


def _left_edge(first_leaf: bytes, path: Sequence[bytes]) -> bytes:
    r = leaf_hash(first_leaf)
    for sibling in path:
        r = node_hash(r, sibling)
    return r


def size_proof_size(spine: Sequence[tuple[bytes, Sequence[bytes]]]) -> int:
    """The number of leaves a size proof claims: ``sum 2**len(path) + 1``."""
    return sum(1 << len(path) for _, path in spine) + 1


def verify_size(
    size: int, root: bytes, spine: Sequence[tuple[bytes, Sequence[bytes]]], last_leaf: bytes
) -> bool:
    """Check a :meth:`MerkleTree.size_proof`: the tree with ``root`` has ``size`` leaves.

    Recomputes every left child of the right edge from its first leaf and left-edge
    path, then the root from those children and the last leaf, and requires the sizes
    to add up (left children of strictly decreasing heights, 2**h leaves each, and one
    last leaf). A tree of another size would need a second SHA-256 preimage of one of
    its nodes, or a leaf hash equal to a node hash. Returns ``False`` for malformed input.
    """
    if not _is_size(size) or size == 0 or not _is_digest(root):
        return False
    if not isinstance(last_leaf, bytes):
        return False
    if not isinstance(spine, list | tuple):
        return False
    heights: list[int] = []
    lefts: list[bytes] = []
    for step in spine:
        if not isinstance(step, tuple | list) or len(step) != 2:
            return False
        first, path = step
        if not isinstance(first, bytes) or not _valid_path(path):
            return False
        heights.append(len(path))
        lefts.append(_left_edge(first, path))
    if any(a <= b for a, b in pairwise(heights)):
        return False
    if sum(1 << h for h in heights) + 1 != size:
        return False
    r = leaf_hash(last_leaf)
    for left in reversed(lefts):
        r = node_hash(left, r)
    return hmac.compare_digest(r, root)


def root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash of raw leaf byte strings (``SHA-256("")`` when empty).

    Keeps only one level at a time, so memory is about one digest per leaf.
    """
    if len(leaves) == 0:
        return EMPTY_ROOT
    level = _leaf_level(leaves)
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 audit path for leaf ``index`` (0-based) in the tree over ``leaves``."""
    return MerkleTree(leaves).inclusion_proof(index)


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """RFC 6962 consistency proof that the first ``old_size`` leaves are a prefix of all."""
    return MerkleTree(leaves).consistency_proof(old_size)


def _valid_path(proof: object) -> bool:
    return isinstance(proof, list | tuple) and all(_is_digest(p) for p in proof)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check that raw ``leaf`` sits at ``index`` of the tree of ``size`` leaves with ``root``.

    Algorithm of RFC 9162 section 2.1.3.2. Returns ``False`` (never raises) for any
    malformed argument. The proof binds the leaf and its position; the tree size is bound
    only together with the root, so take both from the same trusted commitment.
    """
    if not isinstance(leaf, bytes) or not _is_size(index) or not _is_size(size):
        return False
    if not _valid_path(proof) or not _is_digest(root) or index >= size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check that the tree of ``old_size`` leaves with ``old_root`` is a prefix of the new one.

    Algorithm of RFC 9162 section 2.1.4.2, with tripolar's decisions for the cases the RFC
    leaves open: equal sizes are consistent iff the proof is empty and the roots are equal;
    ``old_size`` 0 iff the proof is empty and ``old_root`` is ``SHA-256("")``; a shrinking
    tree is never consistent. Returns ``False`` (never raises) for malformed arguments.
    """
    if not _is_size(old_size) or not _is_size(new_size) or old_size > new_size:
        return False
    if not _is_digest(old_root) or not _is_digest(new_root) or not _valid_path(proof):
        return False
    if old_size == 0:
        # Both checks always run so that timing does not depend on which one fails.
        ok_empty = hmac.compare_digest(old_root, EMPTY_ROOT)
        return len(proof) == 0 and ok_empty
    if old_size == new_size:
        ok_same = hmac.compare_digest(old_root, new_root)
        return len(proof) == 0 and ok_same
    if len(proof) == 0:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    ok_old = hmac.compare_digest(fr, old_root)
    ok_new = hmac.compare_digest(sr, new_root)
    return ok_old and ok_new and sn == 0
