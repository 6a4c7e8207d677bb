"""RFC 6962 Merkle tree: published vectors, worked examples and an independent reference."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.verification import merkle

# --- An independent, deliberately naive reference (recursive slicing, straight from RFC 6962
# section 2.1). It shares no code with the module under test.


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return _h(b"")
    if len(d) == 1:
        return _h(b"\x00" + d[0])
    k = _k(len(d))
    return _h(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[tuple[bytes, str]]:
    """Audit path with the side of each sibling ('R' right, 'L' left)."""
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), (ref_mth(d[k:]), "R")]
    return [*ref_path(m - k, d[k:]), (ref_mth(d[:k]), "L")]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[tuple[bytes, str]]:
    n = len(d)
    if m == n:
        return [] if b else [(ref_mth(d), "S")]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), (ref_mth(d[k:]), "R")]
    return [*ref_subproof(m - k, d[k:], False), (ref_mth(d[:k]), "L")]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return [h for h, _ in ref_subproof(m, d, True)]


LEAVES = [b"tripolar-leaf-%d" % i for i in range(40)]


def test_example_roots_sizes_0_to_5() -> None:
    """models.md 3.6 example tree [C]: leaves ``tripolar-leaf-0..4``, roots of sizes 0-5.

    Source of the algorithm: RFC 6962 section 2.1; the size-5 root was reproduced with pymerkle.
    """
    expected = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "1ef0198f31cc202424d205cefa33179dede51e931fbf17873004741a72d786d3",
        "cb651affa1b8fbd716fd88950678d233b58ff61dc2da6e116ed20421b7b63fba",
        "9177c6f651bf9c761a878ef7bd0337f9428fb54ec2dbac5dbe3aa633257cabb3",
        "45fd1afa337d462ac70d0460b6aba58a24e3d80b7d53e2c4fc86bbd2e13f1b62",
        "757b44e741526218b4ae4e4699f8c65feed545ce4b8fb2742442d92ebd71f0f0",
    ]
    for n, hexroot in enumerate(expected):
        assert merkle.root(LEAVES[:n]).hex() == hexroot
        assert ref_mth(LEAVES[:n]).hex() == hexroot


def test_example_proofs_of_five_leaf_tree() -> None:
    """models.md 3.6: PATH(0), PATH(2), PATH(4) and PROOF(1..4) of the 5-leaf example tree."""
    d = LEAVES[:5]
    lh = [merkle.leaf_hash(x) for x in d]
    n01 = merkle.node_hash(lh[0], lh[1])
    n23 = merkle.node_hash(lh[2], lh[3])
    n0123 = merkle.node_hash(n01, n23)
    tree = merkle.MerkleTree(d)
    assert tree.inclusion_proof(0) == [lh[1], n23, lh[4]]
    assert tree.inclusion_proof(2) == [lh[3], n01, lh[4]]
    assert tree.inclusion_proof(4) == [n0123]
    assert tree.consistency_proof(1) == [lh[1], n23, lh[4]]
    assert tree.consistency_proof(2) == [n23, lh[4]]
    assert tree.consistency_proof(3) == [lh[2], lh[3], n01, lh[4]]
    assert tree.consistency_proof(4) == [lh[4]]
    for m in range(1, 5):
        assert merkle.verify_consistency(
            m, 5, merkle.root(d[:m]), tree.root, tree.consistency_proof(m)
        )


# transparency-dev/merkle test vectors (testonly/constants.go), RFC 6962 leaves as hex.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("n", range(1, 9))
def test_certificate_transparency_roots(n: int) -> None:
    """Roots of sizes 1-8 of the transparency-dev/merkle RFC 6962 vectors (also cross-computed
    with the naive reference, so a mis-remembered vector would fail here, not pass silently)."""
    assert ref_mth(CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]
    assert merkle.root(CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]


def test_empty_tree() -> None:
    assert merkle.root([]) == hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT
    assert merkle.consistency_proof([], 0) == []
    assert merkle.verify_consistency(0, 0, merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, [])
    assert not merkle.verify_inclusion(b"", 0, 0, [], merkle.EMPTY_ROOT)


def test_exhaustive_sizes_1_to_32_against_reference() -> None:
    """Every inclusion proof and every consistency proof for tree sizes 1-32 (RFC 6962 2.1)."""
    trees = {n: merkle.MerkleTree(LEAVES[:n]) for n in range(33)}
    for n in range(1, 33):
        d = LEAVES[:n]
        tree = trees[n]
        assert tree.root == ref_mth(d)
        for i in range(n):
            proof = tree.inclusion_proof(i)
            assert proof == [h for h, _ in ref_path(i, d)]
            assert merkle.verify_inclusion(d[i], i, n, proof, tree.root)
            assert not merkle.verify_inclusion(d[i], i, n, proof, trees[n - 1].root)
            other = (i + 1) % n
            if other != i:
                assert not merkle.verify_inclusion(d[other], i, n, proof, tree.root)
        for m in range(0, n + 1):
            proof = tree.consistency_proof(m)
            expected = ref_proof(m, d) if 0 < m < n else []
            assert proof == expected
            assert merkle.verify_consistency(m, n, trees[m].root, tree.root, proof)
            if m > 0:
                wrong_old = trees[m - 1].root
                assert not merkle.verify_consistency(m, n, wrong_old, tree.root, proof)
            if 0 < m < n:
                assert not merkle.verify_consistency(m, n, trees[m].root, trees[n - 1].root, proof)


def test_edge_cases_decided_for_tripolar() -> None:
    """models.md 3.6 [D]: m = n needs an empty proof and equal roots; m = 0 an empty proof and
    H(""); m > n is invalid; negative or non-integer sizes are invalid."""
    t5, t3 = merkle.MerkleTree(LEAVES[:5]), merkle.MerkleTree(LEAVES[:3])
    assert merkle.verify_consistency(5, 5, t5.root, t5.root, [])
    assert not merkle.verify_consistency(5, 5, t5.root, t5.root, [t5.root])
    assert not merkle.verify_consistency(5, 5, t3.root, t5.root, [])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, t5.root, [])
    assert not merkle.verify_consistency(0, 5, t3.root, t5.root, [])
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, t5.root, [t3.root])
    assert not merkle.verify_consistency(5, 3, t5.root, t3.root, [])
    assert not merkle.verify_consistency(3, 5, t3.root, t5.root, [])
    assert not merkle.verify_consistency(-1, 5, t3.root, t5.root, t5.consistency_proof(3))
    assert not merkle.verify_consistency(3.0, 5, t3.root, t5.root, t5.consistency_proof(3))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        t5.consistency_proof(6)
    with pytest.raises(ValueError):
        t5.inclusion_proof(5)
    with pytest.raises(ValueError):
        t5.inclusion_proof(-1)
    with pytest.raises(TypeError):
        merkle.MerkleTree(["text"])  # type: ignore[list-item]


def test_malformed_arguments_return_false() -> None:
    t = merkle.MerkleTree(LEAVES[:5])
    p = t.inclusion_proof(2)
    leaf = LEAVES[2]
    assert merkle.verify_inclusion(leaf, 2, 5, p, t.root)
    assert not merkle.verify_inclusion("tripolar-leaf-2", 2, 5, p, t.root)  # type: ignore[arg-type]
    assert not merkle.verify_inclusion(leaf, True, 5, p, t.root)  # type: ignore[arg-type]
    assert not merkle.verify_inclusion(leaf, -2, 5, p, t.root)
    assert not merkle.verify_inclusion(leaf, 2, -5, p, t.root)
    assert not merkle.verify_inclusion(leaf, 2, 5, p, t.root[:31])
    assert not merkle.verify_inclusion(leaf, 2, 5, p, t.root.hex())  # type: ignore[arg-type]
    assert not merkle.verify_inclusion(leaf, 2, 5, [p[0][:31], *p[1:]], t.root)
    assert not merkle.verify_inclusion(leaf, 2, 5, "not a list", t.root)  # type: ignore[arg-type]
    assert not merkle.verify_inclusion(leaf, 2, 5, [*p[:1], None, *p[2:]], t.root)  # type: ignore[list-item]


def _flip(data: bytes, bit: int) -> bytes:
    buf = bytearray(data)
    buf[bit // 8 % len(buf)] ^= 1 << (bit % 8)
    return bytes(buf)


def _shape(index: int, size: int) -> list[str]:
    """Sides of the siblings on the audit path, from the naive reference on dummy leaves."""
    return [side for _, side in ref_path(index, [b""] * size)]


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 40),
    data=st.data(),
)
def test_inclusion_single_bit_flips_rejected(n: int, data: st.DataObject) -> None:
    """Any single-bit change in the leaf, a proof element, the root or the index is rejected.

    A changed tree size is rejected unless the new size puts the leaf on the same path shape
    (e.g. index 0 in sizes 5 and 7): RFC 9162 binds the size only together with the root,
    which is why the escrow takes both from the same commitment.
    """
    tree = merkle.MerkleTree(LEAVES[:n])
    i = data.draw(st.integers(0, n - 1))
    proof = tree.inclusion_proof(i)
    leaf, r = LEAVES[i], tree.root
    assert merkle.verify_inclusion(leaf, i, n, proof, r)
    bit = data.draw(st.integers(0, 255))
    assert not merkle.verify_inclusion(_flip(leaf, bit), i, n, proof, r)
    assert not merkle.verify_inclusion(leaf, i, n, proof, _flip(r, bit))
    if proof:
        j = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof]
        bad[j] = _flip(bad[j], bit)
        assert not merkle.verify_inclusion(leaf, i, n, bad, r)
    sbit = data.draw(st.integers(0, 7))
    assert not merkle.verify_inclusion(leaf, i ^ (1 << sbit), n, proof, r)
    n2 = n ^ (1 << sbit)
    accepted = merkle.verify_inclusion(leaf, i, n2, proof, r)
    assert accepted == (i < n2 and _shape(i, n2) == _shape(i, n))


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 40), data=st.data())
def test_inclusion_truncated_extended_reordered_duplicated(n: int, data: st.DataObject) -> None:
    tree = merkle.MerkleTree(LEAVES[:n])
    i = data.draw(st.integers(0, n - 1))
    proof = tree.inclusion_proof(i)
    leaf, r = LEAVES[i], tree.root
    if proof:
        assert not merkle.verify_inclusion(leaf, i, n, proof[:-1], r)
        assert not merkle.verify_inclusion(leaf, i, n, proof[1:], r)
        j = data.draw(st.integers(0, len(proof) - 1))
        assert not merkle.verify_inclusion(leaf, i, n, [*proof[: j + 1], *proof[j:]], r)
    assert not merkle.verify_inclusion(leaf, i, n, [*proof, r], r)
    assert not merkle.verify_inclusion(leaf, i, n, [*proof, merkle.leaf_hash(leaf)], r)
    if len(proof) >= 2:
        perm = data.draw(st.permutations(proof))
        if perm != proof:
            assert not merkle.verify_inclusion(leaf, i, n, perm, r)


def _cshape(m: int, n: int) -> list[str]:
    return [side for _, side in ref_subproof(m, [b""] * n, True)]


@settings(max_examples=150, deadline=None)
@given(n=st.integers(2, 40), data=st.data())
def test_consistency_single_bit_flips_and_mangling_rejected(n: int, data: st.DataObject) -> None:
    """Consistency for a random m < n: bit flips in a proof element or either root, a changed old
    size, and truncated, extended, duplicated or reordered proofs are all rejected. A changed new
    size is accepted only where the proof has the same shape (the root binds the size, see above).
    """
    m = data.draw(st.integers(1, n - 1))
    old, new = merkle.MerkleTree(LEAVES[:m]), merkle.MerkleTree(LEAVES[:n])
    proof = new.consistency_proof(m)
    assert merkle.verify_consistency(m, n, old.root, new.root, proof)
    bit = data.draw(st.integers(0, 255))
    j = data.draw(st.integers(0, len(proof) - 1))
    bad = [*proof]
    bad[j] = _flip(bad[j], bit)
    assert not merkle.verify_consistency(m, n, old.root, new.root, bad)
    assert not merkle.verify_consistency(m, n, _flip(old.root, bit), new.root, proof)
    assert not merkle.verify_consistency(m, n, old.root, _flip(new.root, bit), proof)
    assert not merkle.verify_consistency(m, n, old.root, new.root, proof[:-1])
    assert not merkle.verify_consistency(m, n, old.root, new.root, [*proof, new.root])
    assert not merkle.verify_consistency(m, n, old.root, new.root, [*proof[: j + 1], *proof[j:]])
    if len(proof) >= 2:
        perm = data.draw(st.permutations(proof))
        if perm != proof:
            assert not merkle.verify_consistency(m, n, old.root, new.root, perm)
    sbit = data.draw(st.integers(0, 6))
    m2 = m ^ (1 << sbit)
    assert not merkle.verify_consistency(m2, n, old.root, new.root, proof)
    n2 = n ^ (1 << sbit)
    accepted = merkle.verify_consistency(m, n2, old.root, new.root, proof)
    assert accepted == (m < n2 and _cshape(m, n2) == _cshape(m, n))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=70), st.data())
def test_random_trees_against_reference(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    tree = merkle.MerkleTree(leaves)
    assert tree.root == ref_mth(leaves)
    i = data.draw(st.integers(0, n - 1))
    assert merkle.verify_inclusion(leaves[i], i, n, tree.inclusion_proof(i), tree.root)
    for m in range(0, n + 1):
        proof = tree.consistency_proof(m)
        assert merkle.verify_consistency(m, n, ref_mth(leaves[:m]), tree.root, proof)


def test_large_tree_structure() -> None:
    """A tree of 100,003 leaves (odd, unbalanced right edge): a few proofs verify."""
    n = 100_003
    leaves = [i.to_bytes(4, "big") for i in range(n)]
    tree = merkle.MerkleTree(leaves)
    for i in (0, 1, 65_535, 65_536, 99_999, n - 1):
        assert merkle.verify_inclusion(leaves[i], i, n, tree.inclusion_proof(i), tree.root)
    old = merkle.root(leaves[:70_000])
    assert merkle.verify_consistency(70_000, n, old, tree.root, tree.consistency_proof(70_000))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 400))
def test_size_proof_binds_the_size(n: int, claimed: int) -> None:
    """The size proof verifies for the true size only, whatever the other size claimed
    (RFC 6962 roots and consistency proofs alone accept some wrong sizes)."""
    leaves = [i.to_bytes(32, "big") for i in range(n)]
    tree = merkle.MerkleTree(leaves)
    spine, last = tree.size_proof(leaves)
    assert merkle.verify_size(n, tree.root, spine, last)
    assert merkle.verify_size(claimed, tree.root, spine, last) is (claimed == n)
    # Dropping a step, or a hash of a path, never verifies for any size.
    if spine:
        shorter = spine[1:]
        assert not any(merkle.verify_size(m, tree.root, shorter, last) for m in range(1, 2 * n))


def test_consistency_alone_accepts_a_wrong_new_size() -> None:
    """Why the size proof exists: 11 -> 13 leaves, the consistency proof also verifies
    as 11 -> 14 (RFC 9162 2.1.4.2 uses the sizes only through their bit patterns)."""
    leaves = [i.to_bytes(32, "big") for i in range(13)]
    tree = merkle.MerkleTree(leaves)
    old = merkle.MerkleTree(leaves[:11]).root
    proof = tree.consistency_proof(11)
    assert merkle.verify_consistency(11, 13, old, tree.root, proof)
    assert merkle.verify_consistency(11, 14, old, tree.root, proof)
    spine, last = tree.size_proof(leaves)
    assert merkle.verify_size(13, tree.root, spine, last)
    assert not merkle.verify_size(14, tree.root, spine, last)
