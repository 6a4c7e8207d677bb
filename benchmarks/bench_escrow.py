"""Speed and memory of the whole declaration escrow at 1,000,000 items.

Issue 4 asks that the escrow handle 1,000,000 items (commit, a proof, a verify) within a few
seconds and well under 1 GB. This script builds a synthetic declaration of N items (sites,
item types and counts made up for the measurement, not data), then times:

- commit: a fresh 32-byte salt per item, the shuffle, the canonical encoding and leaf
  commitments, the RFC 6962 tree and the public and private data (in memory);
- reveal: one item with its inclusion proof (from the tree kept on the escrow);
- verify: the reveal against the public commitment;
- write: the private and public files to a temporary directory, as ``escrow commit`` does;
- read back: load and check the private file (rebuilding the tree), then one reveal, as
  ``escrow reveal`` does.

The baseline, measured in the same run, is the time to compute only the SHA-256 leaf
commitments of the same items with the public ``encode_item`` (the irreducible hashing
work); the ratios are against it.

Peak resident memory comes from ``resource.getrusage`` and covers the whole process, the
synthetic input included. Each phase runs in its own child process, so the figure of one
phase is not inflated by another: "commit" covers building the items, the baseline,
commit, reveal, verify and then the write; "read back" covers loading the private file
and one reveal.

Run: .venv/bin/python benchmarks/bench_escrow.py [N]
"""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _commit_phase(n: int, folder: Path) -> dict[str, float]:
    from tripolar.verification import escrow
    from tripolar.verification.encoding import DeclarationItem, encode_item
    from tripolar.verification.files import JsonText, write_many_atomic
    from tripolar.verification.formats import private_json_chunks

    items = [
        DeclarationItem(
            item_id=f"L-{i:07d}", site=f"site-{i % 5000:04d}", item_type="launcher", count=1
        )
        for i in range(n)
    ]
    out: dict[str, float] = {"rss_items": _peak_mib()}

    t0 = time.perf_counter()
    salt = b"\x00" * 32
    for it in items:
        hashlib.sha256(escrow.LEAF_TAG + salt + encode_item(it)).digest()
    out["hash"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    esc = escrow.commit(items, party="XX", date="2026-11-25")
    out["commit"] = time.perf_counter() - t0

    target = items[n // 2].item_id
    t0 = time.perf_counter()
    rev = escrow.reveal(esc, item_ids=[target])
    out["reveal"] = time.perf_counter() - t0
    out["proof_len"] = len(rev.openings[0].proof)

    t0 = time.perf_counter()
    check = escrow.verify_reveal(esc.commitment, rev)
    out["verify"] = time.perf_counter() - t0
    out["valid"] = float(check.valid)
    out["rss_cpv"] = _peak_mib()

    t0 = time.perf_counter()
    write_many_atomic(
        [
            (folder / "private.json", JsonText(private_json_chunks(esc.private)), 0o600),
            (folder / "commitment.json", esc.commitment.model_dump(mode="json"), 0o644),
        ]
    )
    out["write"] = time.perf_counter() - t0
    out["file_mib"] = (folder / "private.json").stat().st_size / 2**20
    out["rss_write"] = _peak_mib()
    return out


def _read_phase(n: int, folder: Path) -> dict[str, float]:
    from tripolar.verification import escrow
    from tripolar.verification.files import load_json_model, load_private_file
    from tripolar.verification.formats import CommitmentFile

    path = folder / "private.json"
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    data = load_private_file(path)
    out["parse"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    esc = escrow.load_private(data, source=str(path))
    out["rebuild"] = time.perf_counter() - t1
    rev = escrow.reveal(esc, item_ids=[f"L-{n // 3:07d}"])
    out["read"] = time.perf_counter() - t0
    com = load_json_model(folder / "commitment.json", CommitmentFile)
    out["valid"] = float(escrow.verify_reveal(com, rev).valid)
    out["rss_read"] = _peak_mib()
    return out


def _child(phase: str, n: int, folder: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", phase, str(n), str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(n: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as d:
        c = _child("commit", n, Path(d))
        r = _child("read", n, Path(d))
    total = c["commit"] + c["reveal"] + c["verify"]
    print(f"declaration escrow over {n:,} items (synthetic declaration)")
    print(f"  items built                          peak RSS {c['rss_items']:8.1f} MiB")
    print(f"  baseline: SHA-256 of every leaf      {c['hash']:8.3f} s")
    print(f"  commit (salts, leaves, tree)         {c['commit']:8.3f} s")
    print(
        f"  reveal one item with its proof       {c['reveal'] * 1000:8.3f} ms"
        f"  proof of {int(c['proof_len'])} hashes"
    )
    print(
        f"  verify the reveal                    {c['verify'] * 1000:8.3f} ms"
        f"  valid {bool(c['valid'])}"
    )
    print(
        f"  commit + proof + verify              {total:8.3f} s   peak RSS {c['rss_cpv']:8.1f} MiB"
    )
    print(
        f"  write private + public files         {c['write']:8.3f} s   private file "
        f"{c['file_mib']:.0f} MiB, peak RSS {c['rss_write']:8.1f} MiB"
    )
    print(
        f"  read back: parse + check the file    {r['parse']:8.3f} s   "
        f"rebuild tree and root {r['rebuild']:.3f} s"
    )
    print(
        f"  read back + one reveal (new process) {r['read']:8.3f} s"
        f"   peak RSS {r['rss_read']:8.1f} MiB"
        f"  valid {bool(r['valid'])}"
    )
    print(f"  ratio commit / bare leaf hashing     {c['commit'] / c['hash']:8.2f}x")
    print(f"  ratio commit+proof+verify / baseline {total / c['hash']:8.2f}x")
    print(f"  ratio read back / baseline           {r['read'] / c['hash']:8.2f}x")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        phase, count, where = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
        run = _commit_phase if phase == "commit" else _read_phase
        print(json.dumps(run(count, where)))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
