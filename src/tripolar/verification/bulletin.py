"""Append-only public bulletin: one JSON file per party with its roots, reveals and inspections.

Each entry carries the SHA-256 of its own canonical JSON and of the entry before it, so
any later edit, deletion or reordering of an earlier entry breaks the chain. Appending
re-verifies the whole file and then the new entry (a reveal against a root already on the
bulletin, an extension against the current root, an inspection by recomputing it), and
writes the file atomically. Nothing already written is ever changed.
(The bulletin-board role follows Philippe, Glaser & Felten 2019: commitments are deposited
where every party can see them before any reveal.)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from tripolar.errors import InputError
from tripolar.verification.escrow import recheck_inspection, verify_extension, verify_reveal
from tripolar.verification.files import load_json_model, write_json_atomic
from tripolar.verification.formats import (
    BulletinEntry,
    BulletinFile,
    CommitmentFile,
    ExtensionFile,
    InspectionFile,
    RevealFile,
    TreeHead,
)

__all__ = ["BulletinCheck", "append", "entry_hash", "load", "new_bulletin", "verify_bulletin"]

GENESIS = "0" * 64
Kind = Literal["commitment", "extension", "reveal", "inspection"]
_MODELS: dict[str, type[BaseModel]] = {
    "commitment": CommitmentFile,
    "extension": ExtensionFile,
    "reveal": RevealFile,
    "inspection": InspectionFile,
}


def entry_hash(seq: int, kind: str, body: dict[str, Any], prev: str) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, no spaces, UTF-8)."""
    blob = json.dumps(
        {"seq": seq, "kind": kind, "body": body, "prev": prev},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


@dataclass
class BulletinCheck:
    """Result of :func:`verify_bulletin`; ``heads`` lists every root the party published."""

    valid: bool
    party: str
    entries: int
    heads: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Hash of the last entry (``GENESIS`` for an empty bulletin) and the number of
    #: entries: publish both after each append, and check later copies against them.
    head: str = GENESIS
    length: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_entry(kind: str, body: BaseModel, party: str, heads: list[TreeHead], seq: int) -> str:
    """Return a problem description, or "" if the entry is valid after ``heads``."""
    if getattr(body, "party", party) != party:
        return f"entry {seq}: party {getattr(body, 'party', '?')!r} on the bulletin of {party!r}"
    if kind == "commitment":
        return "" if not heads else f"entry {seq}: a second commitment (use an extension)"
    if not heads:
        return f"entry {seq}: the first entry must be the commitment"
    if isinstance(body, ExtensionFile):
        if not verify_extension(heads[-1], body):
            return f"entry {seq}: extension does not extend the current root"
        return ""
    if isinstance(body, RevealFile):
        head = TreeHead(size=body.size, root=body.root)
        if head not in heads:
            return f"entry {seq}: reveal against a root not on this bulletin"
        return "" if verify_reveal(head, body).valid else f"entry {seq}: reveal does not verify"
    if isinstance(body, InspectionFile):
        head = TreeHead(size=body.reveal.size, root=body.reveal.root)
        if head not in heads:
            return f"entry {seq}: inspection of a root not on this bulletin"
        if not recheck_inspection(head, body):
            return f"entry {seq}: inspection record does not match its own reveal and findings"
    return ""


def _parse_body(kind: str, body: dict[str, Any]) -> BaseModel:
    return _MODELS[kind].model_validate(body, strict=True)


def _replay(b: BulletinFile) -> BulletinCheck:
    heads: list[TreeHead] = []
    problems: list[str] = []
    prev = GENESIS
    bodies: dict[str, int] = {}
    for i, e in enumerate(b.entries):
        again = bodies.setdefault(entry_hash(0, e.kind, e.body, GENESIS), i)
        if again != i:
            problems.append(f"entry {i}: replays entry {again} (the same {e.kind} twice)")
        if e.seq != i:
            problems.append(f"entry {i}: sequence number {e.seq}")
        if e.prev != prev:
            problems.append(f"entry {i}: does not chain to the entry before it")
        if entry_hash(e.seq, e.kind, e.body, e.prev) != e.hash:
            problems.append(f"entry {i}: content does not match its hash (edited)")
        prev = e.hash
        try:
            body = _parse_body(e.kind, e.body)
        except ValidationError as exc:
            problems.append(f"entry {i}: malformed {e.kind} ({exc.errors()[0]['msg']})")
            continue
        problem = _check_entry(e.kind, body, b.party, heads, i)
        if problem:
            problems.append(problem)
            continue
        if isinstance(body, CommitmentFile):
            heads.append(body.head())
        elif isinstance(body, ExtensionFile):
            heads.append(body.new)
    return BulletinCheck(
        valid=not problems,
        party=b.party,
        entries=len(b.entries),
        heads=[h.model_dump() for h in heads],
        problems=problems,
        head=b.entries[-1].hash if b.entries else GENESIS,
        length=len(b.entries),
    )


def load(path: str | Path) -> BulletinFile:
    """Read and schema-check a bulletin file (:class:`InputError` if malformed)."""
    return load_json_model(path, BulletinFile)


def verify_bulletin(
    bulletin: BulletinFile, *, head: str | None = None, length: int | None = None
) -> BulletinCheck:
    """Replay the whole bulletin: hash chain, then every entry in order.

    With a published ``head`` (the hash of entry ``length - 1``, as printed by every
    append) and ``length``, also check that this copy still holds that entry there: a
    removed last entry, an emptied, reordered or rewritten bulletin then fails. Entries
    appended since are allowed. Without a published head, truncation at the end cannot
    be detected: a shorter chain is still a valid chain.
    """
    check = _replay(bulletin)
    if head is None and length is None:
        return check
    if head is None or length is None:
        raise InputError("give both", field="head", expected="--head HASH and --length N")
    n = len(bulletin.entries)
    if length > n:
        check.problems.append(
            f"the published head is at length {length}, this bulletin has {n} entries "
            "(entries removed)"
        )
    else:
        at = bulletin.entries[length - 1].hash if length else GENESIS
        if at != head:
            check.problems.append(
                f"entry {length - 1} is not the published head {head[:16]}... "
                "(rewritten, reordered or truncated and re-appended)"
            )
    check.valid = not check.problems
    return check


def new_bulletin(party: str) -> BulletinFile:
    return BulletinFile(party=party, entries=[])


def append(
    path: str | Path, kind: Kind, body: BaseModel, *, party: str | None = None
) -> BulletinEntry:
    """Append one verified entry to the bulletin at ``path`` (created if absent).

    Raises :class:`InputError` if the existing bulletin fails verification or the new entry
    does not verify; the file is then left exactly as it was.
    """
    p = Path(path)
    if p.exists():
        bulletin = load(p)
        check = verify_bulletin(bulletin)
        if not check.valid:
            raise InputError(
                "; ".join(check.problems),
                file=p,
                field="entries",
                expected="an untampered bulletin",
            )
    else:
        owner = party or getattr(body, "party", None)
        if owner is None:
            raise InputError("no party for a new bulletin", file=p, field="party")
        bulletin = new_bulletin(owner)
    heads = [TreeHead.model_validate(h) for h in verify_bulletin(bulletin).heads]
    seq = len(bulletin.entries)
    problem = _check_entry(kind, body, bulletin.party, heads, seq)
    if problem:
        raise InputError(problem, file=p, field=kind, expected="an entry that verifies")
    data = body.model_dump(mode="json")
    key = entry_hash(0, kind, data, GENESIS)
    for e in bulletin.entries:
        if entry_hash(0, e.kind, e.body, GENESIS) == key:
            raise InputError(
                f"this {kind} is already entry {e.seq} (a replay)",
                file=p,
                field=kind,
                expected="an entry not yet on the bulletin",
            )
    prev = bulletin.entries[-1].hash if bulletin.entries else GENESIS
    entry = BulletinEntry(
        seq=seq, kind=kind, body=data, prev=prev, hash=entry_hash(seq, kind, data, prev)
    )
    out = BulletinFile(party=bulletin.party, entries=[*bulletin.entries, entry])
    write_json_atomic(p, out.model_dump(mode="json"))
    return entry


_FORMAT_KINDS: dict[str, Kind] = {
    "tripolar-escrow-commitment": "commitment",
    "tripolar-escrow-extension": "extension",
    "tripolar-escrow-reveal": "reveal",
    "tripolar-escrow-inspection": "inspection",
}


def load_entry(path: str | Path) -> tuple[Kind, BaseModel]:
    """Read a public escrow file and return its bulletin kind and parsed model.

    The private file is refused outright: it must never reach a public bulletin.
    """
    from tripolar.verification.files import read_json

    data = read_json(path)
    fmt = data.get("format") if isinstance(data, dict) else None
    if fmt == "tripolar-escrow-private":
        raise InputError(
            "this is the PRIVATE salts file; it must never be posted", file=path, field="format"
        )
    if fmt not in _FORMAT_KINDS:
        raise InputError(
            f"unknown format {fmt!r}",
            file=path,
            field="format",
            expected="a commitment, extension, reveal or inspection file",
        )
    kind = _FORMAT_KINDS[fmt]
    return kind, load_json_model(path, _MODELS[kind])
