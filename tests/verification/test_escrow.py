"""Declaration escrow (Philippe, Glaser & Felten 2019) and the append-only bulletin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.errors import InputError
from tripolar.verification import bulletin as bl
from tripolar.verification import escrow as es
from tripolar.verification import merkle
from tripolar.verification.encoding import (
    DeclarationItem,
    encode_item,
    read_declaration_csv,
)
from tripolar.verification.files import (
    JsonText,
    load_json_model,
    load_private_file,
    write_json_atomic,
    write_many_atomic,
)
from tripolar.verification.formats import (
    PRIVATE_COLUMNS,
    CommitmentFile,
    Opening,
    RevealFile,
    private_json_chunks,
)

ITEMS = [
    DeclarationItem("M1", "Alpha", "ICBM", 1, {"uid": "U-001"}),
    DeclarationItem("M2", "Alpha", "ICBM", 1, {"uid": "U-002"}),
    DeclarationItem("M3", "Bravo", "SLBM", 16, {"uid": "U-003"}),
    DeclarationItem("B1", "Charlie", "bomber", 1, {"uid": "U-004"}),
    DeclarationItem("W1", "Delta", "warhead", 40, {"uid": ""}),
]


def _commit(items: list[DeclarationItem] = ITEMS, party: str = "US") -> es.Escrow:
    return es.commit(items, party=party, date="2026-11-25")


def test_canonical_encoding_v1_layout() -> None:
    """The documented byte layout of encoding tripolar-decl-item/v1."""
    item = DeclarationItem("A", "S", "T", 3, {"k": "v"})
    expected = (
        b"TPDECL\x01"
        + b"\x00\x00\x00\x01A"
        + b"\x00\x00\x00\x01S"
        + b"\x00\x00\x00\x01T"
        + (3).to_bytes(8, "big")
        + b"\x00\x00\x00\x01"
        + b"\x00\x00\x00\x01k\x00\x00\x00\x01v"
    )
    assert encode_item(item) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.tuples(st.text(min_size=1), st.text(min_size=1), st.text(min_size=1), st.integers(0, 99)),
    st.tuples(st.text(min_size=1), st.text(min_size=1), st.text(min_size=1), st.integers(0, 99)),
)
def test_encoding_is_injective(a: tuple, b: tuple) -> None:  # type: ignore[type-arg]
    ia, ib = DeclarationItem(*a), DeclarationItem(*b)
    assert (encode_item(ia) == encode_item(ib)) == (ia == ib)


def test_commit_reveal_verify_roundtrip() -> None:
    e = _commit()
    assert e.commitment.size == 5
    salts = {p.salt for p in e.private.records()}
    assert len(salts) == 5 and all(len(bytes.fromhex(s)) == 32 for s in salts)
    opened = es.reveal(e, sites=["Alpha"])
    assert sorted(o.item.item_id for o in opened.openings) == ["M1", "M2"]
    check = es.verify_reveal(e.commitment, opened)
    assert check.valid and all(c.valid for c in check.openings)
    opened_id = es.reveal(e, item_ids=["W1"])
    assert es.verify_reveal(e.commitment, opened_id).valid


def test_binding_altered_item_or_salt_rejected() -> None:
    """Binding: an opening to different content (count, site, salt) fails verification."""
    e = _commit()
    opened = es.reveal(e, item_ids=["W1"])
    op = opened.openings[0]
    variants = [
        op.model_copy(update={"item": op.item.model_copy(update={"count": 39})}),
        op.model_copy(update={"item": op.item.model_copy(update={"site": "Echo"})}),
        op.model_copy(update={"salt": ("0" if op.salt[0] != "0" else "1") + op.salt[1:]}),
        op.model_copy(update={"index": (op.index + 1) % 5}),
    ]
    for bad in variants:
        forged = opened.model_copy(update={"openings": [bad]})
        assert not es.verify_reveal(e.commitment, forged).valid


def test_reveal_cannot_change_tree_head() -> None:
    """The size and root come from the commitment: a reveal naming another tree is invalid."""
    e = _commit()
    opened = es.reveal(e, item_ids=["M1"])
    other = opened.model_copy(update={"size": 7})
    check = es.verify_reveal(e.commitment, other)
    assert not check.valid and check.problems
    other_party = _commit(party="RU")
    assert not es.verify_reveal(other_party.commitment, opened).valid


def test_reveal_unknown_item_is_input_error() -> None:
    with pytest.raises(InputError):
        es.reveal(_commit(), item_ids=["nope"])


def test_salts_differ_between_commitments_hiding() -> None:
    """Hiding: the same declaration committed twice gives unrelated roots (fresh salts)."""
    assert _commit().commitment.root != _commit().commitment.root


def test_inspection_finds_withheld_and_undeclared_items() -> None:
    e = _commit()
    full = es.reveal(e, sites=["Alpha", "Bravo"])
    # Cheater withholds M2 from the opening of Alpha.
    withheld = full.model_copy(
        update={"openings": [o for o in full.openings if o.item.item_id != "M2"]}
    )
    found = [
        DeclarationItem("M1", "Alpha", "ICBM", 1),
        DeclarationItem("M2", "Alpha", "ICBM", 1),
        DeclarationItem("X9", "Alpha", "ICBM", 1),  # undeclared
        DeclarationItem("M3", "Bravo", "SLBM", 12),  # count differs
    ]
    rec = es.inspect(
        e.commitment,
        withheld,
        sites=["Alpha", "Bravo", "Delta"],
        found=found,
        inspector="RU",
        date="2026-12-01",
    )
    kinds = {(d.kind, d.site, d.item_id) for d in rec.discrepancies}
    assert ("found_not_opened", "Alpha", "M2") in kinds
    assert ("found_not_opened", "Alpha", "X9") in kinds
    assert ("content_mismatch", "Bravo", "M3") in kinds
    assert ("site_not_opened", "Delta", None) in kinds
    assert ("opened_not_found", "Delta", "W1") not in kinds
    assert rec.reveal_valid
    assert es.recheck_inspection(e.commitment, rec)

    clean = es.inspect(
        e.commitment, full, sites=["Alpha"], found=found[:2], inspector="RU", date="2026-12-01"
    )
    assert clean.discrepancies == [] and clean.reveal_valid
    with pytest.raises(InputError):
        es.inspect(
            e.commitment, full, sites=["Bravo"], found=found[:1], inspector="RU", date="2026-12-01"
        )


def test_extend_and_consistency() -> None:
    e = _commit()
    new, ext = es.extend(e, [DeclarationItem("M4", "Echo", "ICBM", 1)], date="2027-01-01")
    assert ext.old.size == 5 and ext.new.size == 6
    assert es.verify_extension(e.commitment, ext)
    assert [p.salt for p in new.private.records()[:5]] == [p.salt for p in e.private.records()]
    # An old reveal still verifies against the old root; new reveals against the new one.
    assert es.verify_reveal(new.commitment, es.reveal(new, item_ids=["M4", "M1"])).valid
    # A rewritten history is not an extension.
    other = _commit()
    _, ext2 = es.extend(other, [DeclarationItem("M4", "Echo", "ICBM", 1)], date="2027-01-01")
    assert not es.verify_extension(e.commitment, ext2)
    tampered = ext.model_copy(update={"proof": [*ext.proof[::-1], ext.new.root]})
    assert not es.verify_extension(e.commitment, tampered)
    with pytest.raises(InputError):
        es.extend(e, [DeclarationItem("M1", "Echo", "ICBM", 1)], date="2027-01-01")


def _write_private(path: Path, e: es.Escrow) -> None:
    write_many_atomic([(path, JsonText(private_json_chunks(e.private)), 0o600)])


def test_private_file_tampering_detected(tmp_path: Path) -> None:
    """Changed deliberately with the private-file layout (format_version 2: one array per
    item, count in column 4); the assertion is the same: an edited count is refused."""
    e = _commit()
    path = tmp_path / "private.json"
    _write_private(path, e)
    data = json.loads(path.read_text())
    data["items"][0][4] = data["items"][0][4] + 1
    write_json_atomic(path, data, mode=0o600)
    with pytest.raises(InputError) as err:
        es.load_private(load_private_file(path), source=str(path))
    assert err.value.field == "root"


def test_three_parties_bulletins(tmp_path: Path) -> None:
    """Each party commits and posts to its own bulletin; reveals, inspections and extensions
    are re-verified on append; a tampered bulletin is refused and left untouched."""
    escrows = {p: _commit(party=p) for p in ("US", "RU", "CN")}
    for party, e in escrows.items():
        path = tmp_path / f"{party}.json"
        bl.append(path, "commitment", e.commitment)
        opened = es.reveal(e, sites=["Alpha"])
        bl.append(path, "reveal", opened)
        inspector = "RU" if party != "RU" else "US"
        rec = es.inspect(
            e.commitment,
            opened,
            sites=["Alpha"],
            found=[DeclarationItem("M1", "Alpha", "ICBM", 1)],
            inspector=inspector,
            date="2026-12-01",
        )
        bl.append(path, "inspection", rec)
        new, ext = es.extend(e, [DeclarationItem("N1", "Golf", "ICBM", 1)], date="2027-01-01")
        bl.append(path, "extension", ext)
        bl.append(path, "reveal", es.reveal(new, item_ids=["N1"]))
        check = bl.verify_bulletin(bl.load(path))
        assert check.valid, check.problems
        assert [h["size"] for h in check.heads] == [5, 6]

    us = tmp_path / "US.json"
    # A forged reveal, another party's file, a second commitment: all refused.
    good = es.reveal(escrows["US"], item_ids=["W1"])
    bad_op = good.openings[0].model_copy(
        update={"item": good.openings[0].item.model_copy(update={"count": 1})}
    )
    before = us.read_bytes()
    for kind, body in [
        ("reveal", good.model_copy(update={"openings": [bad_op]})),
        ("reveal", es.reveal(escrows["RU"], item_ids=["W1"])),
        ("commitment", escrows["US"].commitment),
    ]:
        with pytest.raises(InputError):
            bl.append(us, kind, body)  # type: ignore[arg-type]
        assert us.read_bytes() == before

    # Editing an earlier entry breaks the chain; appending is then refused.
    data = json.loads(before)
    data["entries"][1]["body"]["openings"] = data["entries"][1]["body"]["openings"][:1]
    us.write_text(json.dumps(data))
    assert not bl.verify_bulletin(bl.load(us)).valid
    with pytest.raises(InputError):
        bl.append(us, "reveal", good)


def test_csv_errors_name_file_and_field(tmp_path: Path) -> None:
    cases = {
        "missing.csv": ("item_id,site,item_type\nA,S,T\n", "count"),
        "badcount.csv": ("item_id,site,item_type,count\nA,S,T,-1\n", "row 2.count"),
        "short.csv": ("item_id,site,item_type,count\nA,S,T\n", "row 2"),
        "dup.csv": ("item_id,site,item_type,count\nA,S,T,1\nA,S,T,2\n", "row 3.item_id"),
        "emptyid.csv": ("item_id,site,item_type,count\n ,S,T,1\n", "row 2.item_id"),
    }
    for name, (text, field) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(InputError) as err:
            read_declaration_csv(path)
        assert err.value.field == field, name
        assert name in str(err.value)


def test_json_errors_name_file_and_field(tmp_path: Path) -> None:
    e = _commit()
    path = tmp_path / "commitment.json"
    path.write_text(json.dumps(e.commitment.model_dump(mode="json"))[:-20])
    with pytest.raises(InputError) as err:
        load_json_model(path, CommitmentFile)
    assert "malformed JSON" in str(err.value) and "commitment.json" in str(err.value)
    data = e.commitment.model_dump(mode="json")
    data["size"] = "5"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        load_json_model(path, CommitmentFile)
    assert err.value.field == "size"
    rev = es.reveal(e, item_ids=["M1"]).model_dump(mode="json")
    rev["openings"][0]["salt"] = "zz"
    path.write_text(json.dumps(rev))
    with pytest.raises(InputError) as err:
        load_json_model(path, RevealFile)
    assert err.value.field == "openings.0.salt"


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    folder = tmp_path / "atomic"
    folder.mkdir()
    target = folder / "x.json"
    write_json_atomic(target, {"a": 1})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"a": object()})
    assert json.loads(target.read_text()) == {"a": 1}
    assert sorted(p.name for p in folder.iterdir()) == ["x.json"]


def test_leaf_is_rfc6962_leaf_of_commitment() -> None:
    """The tree is plain RFC 6962 over the 32-byte leaf commitments, so any CT tool agrees."""
    e = _commit()
    leaves = [
        es.leaf_commitment(
            DeclarationItem(p.item_id, p.site, p.item_type, p.count, dict(p.attributes)),
            bytes.fromhex(p.salt),
        )
        for p in e.private.records()
    ]
    assert merkle.root(leaves).hex() == e.commitment.root
    op = es.reveal(e, item_ids=["B1"]).openings[0]
    assert isinstance(op, Opening)
    assert merkle.verify_inclusion(
        leaves[op.index],
        op.index,
        5,
        [bytes.fromhex(h) for h in op.proof],
        bytes.fromhex(e.commitment.root),
    )


# --------------------------------------------------------------------- private file v2, speed


def _v1_document(e: es.Escrow) -> dict[str, object]:
    """A private file as format_version 1 wrote it (one object per item)."""
    p = e.private
    return {
        "format": "tripolar-escrow-private",
        "format_version": 1,
        "warning": es.PRIVATE_WARNING,
        "encoding": "tripolar-decl-item/v1",
        "party": p.party,
        "date": p.date,
        "size": p.size,
        "root": p.root,
        "items": [
            {
                "item_id": r.item_id,
                "site": r.site,
                "item_type": r.item_type,
                "count": r.count,
                "attributes": r.attributes,
                "index": r.index,
                "salt": r.salt,
            }
            for r in p.records()
        ],
    }


def test_private_file_v2_layout_and_roundtrip(tmp_path: Path) -> None:
    e = _commit()
    path = tmp_path / "private.json"
    _write_private(path, e)
    data = json.loads(path.read_text())
    assert data["format"] == "tripolar-escrow-private" and data["format_version"] == 2
    assert data["columns"] == list(PRIVATE_COLUMNS)
    assert data["root"] == e.commitment.root and data["size"] == 5
    rec = e.private.records()[0]
    assert data["items"][0] == [
        0,
        rec.item_id,
        rec.site,
        rec.item_type,
        rec.count,
        rec.attributes,
        rec.salt,
    ]
    # One item per line, so the file stays readable.
    lines = path.read_text().splitlines()
    assert len(lines) == 11 + 5 + 2
    assert [json.loads(line.rstrip(",")) for line in lines[11:16]] == data["items"]
    loaded = es.load_private(load_private_file(path), source=str(path))
    assert loaded.commitment == e.commitment
    assert loaded.private == e.private
    assert es.verify_reveal(e.commitment, es.reveal(loaded, sites=["Alpha", "Delta"])).valid


def test_private_file_v1_still_read(tmp_path: Path) -> None:
    """Files written by format_version 1 load unchanged and open against their root."""
    e = _commit()
    path = tmp_path / "private.json"
    write_json_atomic(path, _v1_document(e), mode=0o600)
    loaded = es.load_private(load_private_file(path), source=str(path))
    assert loaded.commitment == e.commitment
    assert es.verify_reveal(e.commitment, es.reveal(loaded, item_ids=["M3"])).valid
    doc = _v1_document(e)
    doc["items"][1]["index"] = 7  # type: ignore[index]
    write_json_atomic(path, doc, mode=0o600)
    with pytest.raises(InputError) as err:
        load_private_file(path)
    assert err.value.field == "items.1.index"


def _bad_private(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> InputError:
    e = _commit()
    path = tmp_path / "private.json"
    _write_private(path, e)
    data = json.loads(path.read_text())
    edit(data)
    write_json_atomic(path, data, mode=0o600)
    with pytest.raises(InputError) as err:
        es.load_private(load_private_file(path), source=str(path))
    assert "private.json" in str(err.value)
    return err.value


def test_private_file_errors_name_item_and_field(tmp_path: Path) -> None:
    def setter(row: int, col: int, value: object) -> Callable[[dict[str, Any]], None]:
        def edit(d: dict[str, Any]) -> None:
            d["items"][row][col] = value

        return edit

    def replace_row(row: int, value: object) -> Callable[[dict[str, Any]], None]:
        def edit(d: dict[str, Any]) -> None:
            d["items"][row] = value

        return edit

    def dup_id(d: dict[str, Any]) -> None:
        d["items"][3][1] = d["items"][1][1]

    cases: list[tuple[Callable[[dict[str, Any]], None], str]] = [
        (setter(2, 0, 5), "items.2.index"),
        (setter(2, 0, True), "items.2.index"),
        (setter(1, 1, 7), "items.1.item_id"),
        (setter(4, 2, None), "items.4.site"),
        (setter(0, 3, ["x"]), "items.0.item_type"),
        (setter(3, 4, -1), "items.3.count"),
        (setter(3, 4, True), "items.3.count"),
        (setter(3, 4, "1"), "items.3.count"),
        (setter(3, 4, 2**64), "items.3.count"),
        (setter(2, 5, ["uid"]), "items.2.attributes"),
        (setter(2, 5, {"uid": 3}), "items.2.attributes.uid"),
        (setter(1, 6, "ab"), "items.1.salt"),
        (setter(1, 6, "A" * 64), "items.1.salt"),
        (setter(1, 6, " " + "a" * 63), "items.1.salt"),
        (replace_row(4, {"index": 4}), "items.4"),
        (replace_row(4, [4, "M9", "S", "T", 1, {}]), "items.4"),
        (dup_id, "items.3.item_id"),
        (lambda d: d.pop("items"), "items"),
        (lambda d: d.update(columns=["index", "salt"]), "columns"),
        (lambda d: d.update(root="00" * 31), "root"),
        (lambda d: d.update(root="00" * 32), "root"),
        (lambda d: d.update(size=4), "root"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d.update(format="tripolar-escrow-reveal"), "format"),
    ]
    for edit, field in cases:
        assert _bad_private(tmp_path, edit).field == field, field
    err = _bad_private(tmp_path, lambda d: d.update(format_version=3))
    assert err.field == "format_version" and "format_version 3 is not supported" in str(err)


def test_large_escrow_reveal_uses_kept_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """20,000 items: reveals take their proofs from the tree built at commit, re-encoding
    and re-hashing nothing; every opening verifies, also after a write and read-back."""
    n = 20_000
    items = [
        DeclarationItem(f"L-{i:05d}", f"site-{i % 97:02d}", "launcher", 1 + i % 3) for i in range(n)
    ]
    e = es.commit(items, party="US", date="2026-11-25")
    assert e.commitment.size == n and sorted(e.private.item_ids) == [it.item_id for it in items]
    assert e.private.item_ids != [it.item_id for it in items]  # shuffled (1 in 20000! not)

    calls = {"encode_fields": 0, "encode_item": 0, "tree": 0}

    def counting(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(es, "encode_fields", counting("encode_fields", es.encode_fields))
    monkeypatch.setattr(es, "encode_item", counting("encode_item", es.encode_item))
    monkeypatch.setattr(merkle, "MerkleTree", counting("tree", merkle.MerkleTree))

    ids = ["L-00000", "L-12345", f"L-{n - 1:05d}"]
    opened = es.reveal(e, item_ids=ids)
    by_site = es.reveal(e, sites=["site-42"])
    many = es.reveal(e, item_ids=[f"L-{i:05d}" for i in range(0, n, 1000)])
    assert calls == {"encode_fields": 0, "encode_item": 0, "tree": 0}
    assert sorted(o.item.item_id for o in opened.openings) == ids
    at_site = {it.item_id for it in items if it.site == "site-42"}
    assert {o.item.item_id for o in by_site.openings} == at_site and len(at_site) > 200
    assert len(many.openings) == 20

    reveals = (opened, by_site, many)
    for rev in reveals:
        check = es.verify_reveal(e.commitment, rev)
        assert check.valid and all(c.valid for c in check.openings)
    # Verifying encodes exactly the opened items, nothing else.
    assert calls["encode_item"] == sum(len(r.openings) for r in reveals)
    assert calls["encode_fields"] == 0 and calls["tree"] == 0
    # The counters do see a rebuild: loading the private data re-encodes every item once.
    assert es.load_private(e.private).commitment == e.commitment
    assert calls["encode_fields"] == n and calls["tree"] == 1


def test_large_escrow_file_roundtrip(tmp_path: Path) -> None:
    n = 20_000
    items = [
        DeclarationItem(f"L-{i:05d}", f"site-{i % 97:02d}", "launcher", 1, {"uid": f"U{i}"})
        for i in range(n)
    ]
    e = es.commit(items, party="US", date="2026-11-25")
    path = tmp_path / "private.json"
    _write_private(path, e)
    loaded = es.load_private(load_private_file(path), source=str(path))
    assert loaded.commitment == e.commitment and loaded.private == e.private
    rev = es.reveal(loaded, item_ids=["L-19999", "L-00007"])
    assert es.verify_reveal(e.commitment, rev).valid
    new, ext = es.extend(
        loaded, [DeclarationItem("N-1", "site-00", "launcher", 1)], date="2027-01-01"
    )
    assert es.verify_extension(e.commitment, ext) and new.commitment.size == n + 1
    assert es.verify_reveal(new.commitment, es.reveal(new, item_ids=["N-1", "L-00001"])).valid


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.booleans())
def test_every_opening_verifies(n: int, shuffle: bool) -> None:
    """Any size, shuffled or not: the leaf order is a permutation of the declaration, and
    every item opens against the root."""
    items = [
        DeclarationItem(f"I{i}", f"S{i % 3}", "T", i, {"k": str(i)} if i % 2 else {})
        for i in range(n)
    ]
    e = es.commit(items, party="US", date="2026-11-25", shuffle=shuffle)
    assert sorted(e.items, key=lambda it: it.item_id) == sorted(items, key=lambda it: it.item_id)
    if not shuffle:
        assert e.items == items
    rev = es.reveal(e, item_ids=[it.item_id for it in items])
    assert len(rev.openings) == n and es.verify_reveal(e.commitment, rev).valid


def test_random_order_is_a_permutation() -> None:
    for n in (2, 3, 17, 1000):
        order = es._random_order(n)
        assert sorted(order) == list(range(n))
    # Fresh randomness each time (two equal orders of 1000 items: probability 1/1000!).
    assert es._random_order(1000) != es._random_order(1000)
