"""Benchmark: RFC 6962 commit, proof and verify for 1,000,000 items.

Prints seconds and peak traced memory, and the speed of the level-by-level tree against a
naive recursive RFC 6962 root (list slicing) measured in the same run on a smaller tree.
Run: ``.venv/bin/python benchmarks/bench_merkle.py [N]``.
"""

from __future__ import annotations

import hashlib
import resource
import sys
import time

from tripolar.verification import merkle


def naive_root(d: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 written literally: recursion with list slices."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1 << ((len(d) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + naive_root(d[:k]) + naive_root(d[k:])).digest()


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    # Peak resident memory of the whole process so far (Linux reports KiB).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{label:<40} {dt * 1e3:11.3f} ms   process peak RSS {peak / 2**20:7.1f} MiB")
    return out, dt


def main(n: int = 1_000_000) -> None:
    # 32-byte leaves, like the escrow's leaf commitments.
    leaves = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]
    print(f"RFC 6962 tree over {n:,} leaves of 32 bytes")
    tree, _ = _timed("commit (build all levels, root)", lambda: merkle.MerkleTree(leaves))
    idx = n // 3
    proof, _ = _timed("inclusion proof (one leaf)", lambda: tree.inclusion_proof(idx))
    ok, _ = _timed(
        "verify inclusion",
        lambda: merkle.verify_inclusion(leaves[idx], idx, n, proof, tree.root),
    )
    cproof, _ = _timed(
        "consistency proof (old = n - 12345)", lambda: tree.consistency_proof(n - 12345)
    )
    old_root = merkle.root(leaves[: n - 12345])
    ok2, _ = _timed(
        "verify consistency",
        lambda: merkle.verify_consistency(n - 12345, n, old_root, tree.root, cproof),
    )
    print(f"root {tree.root.hex()}  proof {len(proof)} hashes  valid {ok and ok2}")

    small = leaves[: n // 10]
    print(f"\nbaseline on {len(small):,} leaves (same run):")
    r_naive, t_naive = _timed("naive recursive root (slicing)", lambda: naive_root(small))
    r_fast, t_fast = _timed("tripolar MerkleTree root", lambda: merkle.root(small))
    assert r_naive == r_fast
    print(f"speed ratio naive / tripolar: {t_naive / t_fast:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
