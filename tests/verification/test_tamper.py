"""Tampering with any field of any escrow artefact is detected (hypothesis).

Commitment, reveal, extension and bulletin: every leaf field of the JSON (each string,
number, flag and list entry) is edited in turn; the edited file must fail to load, fail
its own check, or fail the bulletin's hash chain. Fields a standalone check cannot see
(the dates, which no proof covers) are caught by the bulletin, whose entry hashes cover
every byte of every body.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tripolar.errors import InputError
from tripolar.verification import bulletin as bl
from tripolar.verification import escrow as es
from tripolar.verification.encoding import DeclarationItem
from tripolar.verification.formats import BulletinFile, CommitmentFile, ExtensionFile, RevealFile

ITEMS = [
    DeclarationItem(f"M{i}", ("Alpha", "Bravo", "Charlie")[i % 3], "ICBM", 1 + i % 4, {"u": str(i)})
    for i in range(11)
]
NEW = [DeclarationItem(f"N{i}", "Delta", "SLBM", 16) for i in range(2)]


def _artefacts() -> dict[str, Any]:
    e = es.commit(ITEMS, party="US", date="2026-01-01", shuffle=False)
    rev = es.reveal(e, sites=["Alpha"])
    _, ext = es.extend(e, NEW, date="2026-02-01", shuffle=False)
    return {"commitment": e.commitment, "reveal": rev, "extension": ext}


ART = _artefacts()


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in _paths(v, (*prefix, k))]
    if isinstance(obj, list):
        return [
            (*prefix, "<drop>"),
            *(p for i, v in enumerate(obj) for p in _paths(v, (*prefix, i))),
        ]
    return [prefix]


def _tamper(data: Any, path: tuple[Any, ...]) -> Any:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    last = path[-1]
    if last == "<drop>":
        if node:
            node.pop()
        else:
            node.append(node[0] if node else "0" * 64)
        return out
    value = node[last]
    if isinstance(value, bool):
        node[last] = not value
    elif isinstance(value, int):
        node[last] = value + 1
    elif isinstance(value, str):
        # Change one character (a hex digit stays a hex digit, so the format still loads).
        c = value[-1] if value else "a"
        node[last] = value[:-1] + ("0" if c != "0" else "1") if value else "x"
    elif value is None:
        node[last] = ["Alpha"]
    return out


def _rejected(kind: str, data: dict[str, Any]) -> bool:
    com = ART["commitment"]
    try:
        if kind == "commitment":
            edited = CommitmentFile.model_validate(data, strict=True)
            # A reveal made for the true commitment must not verify against the edited one.
            return not es.verify_reveal(edited, ART["reveal"]).valid
        if kind == "reveal":
            return not es.verify_reveal(com, RevealFile.model_validate(data, strict=True)).valid
        return not es.verify_extension(com, ExtensionFile.model_validate(data, strict=True))
    except ValidationError:
        return True


CASES = [
    (kind, path)
    for kind, model in ART.items()
    for path in _paths(model.model_dump(mode="json"))
    # No proof covers the dates: the bulletin's chain does (test below). Withholding an
    # opening from a site's reveal is the documented limit of a flat tree: the rest still
    # verifies, and only an inspector on site sees the missing item (found_not_opened).
    if path not in {("date",), ("openings", "<drop>")}
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CASES))
def test_every_field_of_every_artefact(case: tuple[str, tuple[Any, ...]]) -> None:
    kind, path = case
    data = ART[kind].model_dump(mode="json")
    assert _rejected(kind, _tamper(data, path)), (kind, path)


def _bulletin(tmp: Path) -> BulletinFile:
    board = tmp / "b.json"
    for kind in ("commitment", "reveal", "extension"):
        bl.append(board, kind, ART[kind])  # type: ignore[arg-type]
    return bl.load(board)


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_every_field_of_a_bulletin(tmp_path_factory: Any, data: st.DataObject) -> None:
    """Any edit of the bulletin (entry metadata or any body field, dates included), a
    dropped or reordered entry, is detected by a check against the published head."""
    b = _bulletin(tmp_path_factory.mktemp("b"))
    good = bl.verify_bulletin(b)
    assert good.valid and good.length == 3
    raw = b.model_dump(mode="json")
    paths = [p for p in _paths(raw) if p[:1] == ("entries",)] + [("<reorder>",)]
    path = data.draw(st.sampled_from(paths))
    if path == ("<reorder>",):
        edited = copy.deepcopy(raw)
        edited["entries"][1], edited["entries"][2] = edited["entries"][2], edited["entries"][1]
    else:
        edited = _tamper(raw, path)
    try:
        model = BulletinFile.model_validate(edited, strict=True)
    except ValidationError:
        return
    check = bl.verify_bulletin(model, head=good.head, length=good.length)
    assert not check.valid, path


def test_truncation_replay_and_emptying(tmp_path: Path) -> None:
    """A removed last entry and an emptied bulletin still form valid chains: only the
    published head shows them. A replayed entry is refused outright."""
    b = _bulletin(tmp_path)
    good = bl.verify_bulletin(b)
    short = BulletinFile(party=b.party, entries=b.entries[:-1])
    empty = BulletinFile(party=b.party, entries=[])
    assert bl.verify_bulletin(short).valid and bl.verify_bulletin(empty).valid
    assert not bl.verify_bulletin(short, head=good.head, length=good.length).valid
    assert not bl.verify_bulletin(empty, head=good.head, length=good.length).valid
    # A copy that has grown since the head was published still matches it.
    assert bl.verify_bulletin(b, head=bl.verify_bulletin(short).head, length=2).valid
    # Re-posting the same reveal as a new, correctly chained entry is a replay.
    e = b.entries[1]
    seq, prev = len(b.entries), b.entries[-1].hash
    again = e.model_copy(
        update={"seq": seq, "prev": prev, "hash": bl.entry_hash(seq, e.kind, e.body, prev)}
    )
    replayed = BulletinFile(party=b.party, entries=[*b.entries, again])
    check = bl.verify_bulletin(replayed)
    assert not check.valid and "replays entry 1" in check.problems[0]
    board = tmp_path / "b.json"
    with pytest.raises(InputError, match="already entry 1"):
        bl.append(board, "reveal", ART["reveal"])
