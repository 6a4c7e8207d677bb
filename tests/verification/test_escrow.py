"""Declaration escrow (Philippe, Glaser & Felten 2019) and the append-only bulletin."""

from __future__ import annotations

import json
from pathlib import Path

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
from tripolar.verification.files import load_json_model, write_json_atomic
from tripolar.verification.formats import CommitmentFile, Opening, RevealFile

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
    salts = {p.salt for p in e.private.items}
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
    assert [p.salt for p in new.private.items[:5]] == [p.salt for p in e.private.items]
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


def test_private_file_tampering_detected(tmp_path: Path) -> None:
    from tripolar.verification.formats import PrivateFile

    e = _commit()
    data = e.private.model_dump(mode="json")
    data["items"][0]["count"] = data["items"][0]["count"] + 1
    path = tmp_path / "private.json"
    write_json_atomic(path, data, mode=0o600)
    with pytest.raises(InputError) as err:
        es.load_private(load_json_model(path, PrivateFile), source=str(path))
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
        for p in e.private.items
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
