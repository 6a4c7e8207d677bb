"""Speed and memory of the whole declaration escrow at 1,000,000 items.

Issue 4 asks that the escrow handle 1,000,000 items (commit, a proof, a verify) within a few
seconds and well under 1 GB. This script builds a synthetic declaration of N items (sites,
item types and counts made up for the measurement, not data), then times:

- commit: canonical encoding, a fresh 32-byte salt per item, the leaf commitments, the
  RFC 6962 tree and the public and private files (as objects);
- reveal: one item with its inclusion proof;
- verify: the reveal against the public commitment;
- write: the private and public files to a temporary directory, as ``escrow commit`` does.

It prints seconds and the process's peak resident memory, and, as a baseline measured in
the same run, the time to compute only the SHA-256 leaf commitments of the same items (the
irreducible hashing work), giving the ratio of the whole commit to that.

Run: .venv/bin/python benchmarks/bench_escrow.py [N]
"""

from __future__ import annotations

import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(n: int = 1_000_000) -> None:
    from tripolar.verification import escrow
    from tripolar.verification.encoding import DeclarationItem, encode_item
    from tripolar.verification.files import write_json_atomic

    items = [
        DeclarationItem(
            item_id=f"L-{i:07d}", site=f"site-{i % 5000:04d}", item_type="launcher", count=1
        )
        for i in range(n)
    ]
    print(f"declaration escrow over {n:,} items (synthetic declaration)")
    print(f"  items built                          peak RSS {_peak_mib():8.1f} MiB")

    t0 = time.perf_counter()
    salt = b"\x00" * 32
    for it in items:
        hashlib.sha256(escrow.LEAF_TAG + salt + encode_item(it)).digest()
    t_hash = time.perf_counter() - t0
    print(f"  baseline: SHA-256 of every leaf      {t_hash:8.3f} s")

    t0 = time.perf_counter()
    esc = escrow.commit(items, party="XX", date="2026-11-25")
    t_commit = time.perf_counter() - t0
    print(
        f"  commit (salts, leaves, tree, files)  {t_commit:8.3f} s   peak RSS {_peak_mib():8.1f} MiB"
    )

    target = items[n // 2].item_id
    t0 = time.perf_counter()
    rev = escrow.reveal(esc, item_ids=[target])
    t_reveal = time.perf_counter() - t0
    print(
        f"  reveal one item with its proof       {t_reveal:8.3f} s   proof of {len(rev.openings[0].proof)} hashes"
    )

    t0 = time.perf_counter()
    check = escrow.verify_reveal(esc.commitment, rev)
    t_verify = time.perf_counter() - t0
    ok = all(o.valid for o in check.openings)
    print(f"  verify the reveal                    {t_verify * 1000:8.3f} ms  valid {ok}")

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        write_json_atomic(Path(d) / "private.json", esc.private.model_dump(mode="json"), mode=0o600)
        write_json_atomic(Path(d) / "commitment.json", esc.commitment.model_dump(mode="json"))
        t_write = time.perf_counter() - t0
        size = (Path(d) / "private.json").stat().st_size
    print(
        f"  write private + public files         {t_write:8.3f} s   private file {size / 2**20:.0f} MiB"
    )
    total = t_commit + t_reveal + t_verify
    print(
        f"  commit + proof + verify              {total:8.3f} s   peak RSS {_peak_mib():8.1f} MiB"
    )
    print(f"  ratio commit / bare leaf hashing     {t_commit / t_hash:8.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
