"""CLI: ``tripolar verify plan`` and ``tripolar escrow ...`` (exit codes, files, JSON)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tripolar.cli.main import main

DECL = (
    "item_id,site,item_type,count,uid\n"
    "M1,Alpha,ICBM,1,U-001\n"
    "M2,Alpha,ICBM,1,U-002\n"
    "M3,Bravo,SLBM,16,U-003\n"
    "W1,Delta,warhead,40,\n"
)


def test_plan_json(capsys: pytest.CaptureFixture[str]) -> None:
    """models.md 3.1: N 300, d 6, c 0.9, p 0.8 -> n* 119, P 0.9005."""
    code = main(
        [
            "verify",
            "plan",
            "--items",
            "300",
            "--violations",
            "6",
            "--confidence",
            "0.9",
            "--p-detect",
            "0.8",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["inspections_needed"] == 119
    assert out["detection_probability"] == pytest.approx(0.9005, abs=1e-4)
    assert any(p["n_inspected"] == 119 for p in out["curve"])


def test_plan_table_and_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["verify", "plan", "--items", "300", "--violations", "6", "--confidence", "0.9"]) == 0
    )
    assert "95" in capsys.readouterr().out
    assert (
        main(["verify", "plan", "--items", "30", "--violations", "60", "--confidence", "0.9"]) == 2
    )
    assert "n_violations" in capsys.readouterr().err


def _setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    decl = tmp_path / "decl.csv"
    decl.write_text(DECL)
    code = main(
        [
            "escrow",
            "commit",
            str(decl),
            "--out",
            str(tmp_path / "US"),
            "--party",
            "US",
            "--date",
            "2026-11-25",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert "WARNING" in captured.err and "private.json" in captured.err
    return tmp_path / "US"


def test_escrow_workflow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = _setup(tmp_path, capsys)
    assert stat.S_IMODE((d / "private.json").stat().st_mode) == 0o600
    com = d / "commitment.json"
    assert json.loads(com.read_text())["size"] == 4
    rev = tmp_path / "rev.json"
    assert main(["escrow", "reveal", str(d), "--sites", "Alpha", "--out", str(rev)]) == 0
    assert main(["escrow", "verify", str(com), str(rev), "--json"]) == 0
    capsys.readouterr()

    forged = json.loads(rev.read_text())
    forged["openings"][0]["item"]["count"] = 2
    bad = tmp_path / "forged.json"
    bad.write_text(json.dumps(forged))
    assert main(["escrow", "verify", str(com), str(bad)]) == 1

    found = tmp_path / "found.csv"
    found.write_text("item_id,site,item_type,count\nM1,Alpha,ICBM,1\nM2,Alpha,ICBM,1\n")
    record = tmp_path / "inspection.json"
    assert (
        main(
            [
                "escrow",
                "inspect",
                str(com),
                str(rev),
                "--sites",
                "Alpha",
                "--found",
                str(found),
                "--inspector",
                "RU",
                "--out",
                str(record),
            ]
        )
        == 0
    )
    found.write_text("item_id,site,item_type,count\nM1,Alpha,ICBM,1\nX9,Alpha,ICBM,1\n")
    assert (
        main(
            [
                "escrow",
                "inspect",
                str(com),
                str(rev),
                "--sites",
                "Alpha",
                "--found",
                str(found),
                "--inspector",
                "RU",
                "--json",
            ]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert "found_not_opened" in out and "opened_not_found" in out

    old_com = tmp_path / "old_commitment.json"
    old_com.write_text(com.read_text())
    new = tmp_path / "new.csv"
    new.write_text("item_id,site,item_type,count\nM5,Echo,ICBM,1\n")
    ext = tmp_path / "ext.json"
    assert main(["escrow", "extend", str(d), str(new), "--out", str(ext)]) == 0
    assert json.loads(com.read_text())["size"] == 5
    assert stat.S_IMODE((d / "private.json").stat().st_mode) == 0o600
    assert main(["escrow", "verify-extension", str(old_com), str(ext)]) == 0
    assert main(["escrow", "verify-extension", str(com), str(ext)]) == 1

    board = tmp_path / "bulletin-US.json"
    for f in (old_com, rev, record, ext):
        assert main(["escrow", "bulletin", "append", str(board), str(f)]) == 0, f
    assert main(["escrow", "bulletin", "verify", str(board), "--json"]) == 0
    capsys.readouterr()
    assert main(["escrow", "bulletin", "append", str(board), str(d / "private.json")]) == 2
    assert "PRIVATE" in capsys.readouterr().err
    assert main(["escrow", "bulletin", "append", str(board), str(bad)]) == 2


def test_bad_input_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decl = tmp_path / "decl.csv"
    decl.write_text("item_id,site,item_type,count\nA,S,T,lots\n")
    out = tmp_path / "out"
    assert main(["escrow", "commit", str(decl), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "decl.csv" in err and "row 2.count" in err
    assert not out.exists()
    assert main(["escrow", "verify", str(tmp_path / "nope.json"), str(decl)]) == 2

    d = _setup(tmp_path, capsys)
    before = (d / "private.json").read_bytes()
    decl.write_text(DECL)
    assert main(["escrow", "commit", str(decl), "--out", str(d)]) == 2  # would destroy salts
    assert (d / "private.json").read_bytes() == before
    rev = tmp_path / "r.json"
    assert main(["escrow", "reveal", str(d), "--items", "ZZ", "--out", str(rev)]) == 2
    assert not rev.exists()
    trunc = tmp_path / "trunc.json"
    trunc.write_text((d / "commitment.json").read_text()[:40])
    assert main(["escrow", "verify", str(trunc), str(trunc)]) == 2
    assert "trunc.json" in capsys.readouterr().err


def test_private_file_v2_and_bad_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``escrow commit`` writes format_version 2 (one array per item); a damaged row is
    refused with exit 2 and one line naming the item and field, and nothing is written."""
    d = _setup(tmp_path, capsys)
    data = json.loads((d / "private.json").read_text())
    assert data["format_version"] == 2 and len(data["items"]) == 4
    assert all(isinstance(row, list) and len(row) == 7 for row in data["items"])
    data["items"][2][6] = data["items"][2][6].upper()
    (d / "private.json").write_text(json.dumps(data))
    rev = tmp_path / "r.json"
    assert main(["escrow", "reveal", str(d), "--items", "M1", "--out", str(rev)]) == 2
    err = capsys.readouterr().err
    assert "items.2.salt" in err and "private.json" in err and len(err.strip().splitlines()) == 1
    assert not rev.exists()
    data["format_version"] = 9
    (d / "private.json").write_text(json.dumps(data))
    assert main(["escrow", "reveal", str(d), "--items", "M1", "--out", str(rev)]) == 2
    assert "format_version 9 is not supported" in capsys.readouterr().err
    assert not rev.exists()


def _one_error_line(capsys: pytest.CaptureFixture[str], *needles: str) -> None:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in err, err


def test_hostile_inputs_give_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON nested 1000 deep, integers of 5000 digits (JSON and CSV), an item count of
    2^64 in a reveal, and --items above the documented maximum: one line, exit 2."""
    d = _setup(tmp_path, capsys)
    com = d / "commitment.json"
    rev = tmp_path / "rev.json"
    assert main(["escrow", "reveal", str(d), "--sites", "Alpha", "--out", str(rev)]) == 0
    capsys.readouterr()
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 1000 + "]" * 1000)
    assert main(["escrow", "verify", str(com), str(deep)]) == 2
    _one_error_line(capsys, "deep.json", "nested too deeply")
    big = tmp_path / "big.json"
    big.write_text(rev.read_text().replace('"count": 1', '"count": ' + "9" * 5000, 1))
    assert main(["escrow", "verify", str(com), str(big)]) == 2
    _one_error_line(capsys, "big.json", "4,300 digits")
    data = json.loads(rev.read_text())
    data["openings"][0]["item"]["count"] = 2**64
    c64 = tmp_path / "c64.json"
    c64.write_text(json.dumps(data))
    assert main(["escrow", "verify", str(com), str(c64)]) == 2
    _one_error_line(capsys, "c64.json", "openings.0.item.count")
    csv = tmp_path / "big.csv"
    csv.write_text("item_id,site,item_type,count\nA,Alpha,ICBM," + "9" * 5000 + "\n")
    assert main(["escrow", "commit", str(csv), "--out", str(tmp_path / "X")]) == 2
    _one_error_line(capsys, "big.csv", "row 2.count")
    assert not (tmp_path / "X").exists()
    found = ["--found", str(csv), "--inspector", "RU", "--sites", "Alpha"]
    assert main(["escrow", "inspect", str(com), str(rev), *found]) == 2
    _one_error_line(capsys, "big.csv", "row 2.count")
    plan = ["verify", "plan", "--violations", "1", "--confidence", "0.95"]
    assert main([*plan, "--items", "9223372036854775808"]) == 2
    _one_error_line(capsys, "n_items", "10000000")


def test_empty_reveal_refused_and_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Opening only sites with no committed item is refused (exit 2, nothing written); a
    reveal edited to open nothing is INVALID (exit 1) and cannot be posted (exit 2)."""
    d = _setup(tmp_path, capsys)
    out = tmp_path / "empty.json"
    assert main(["escrow", "reveal", str(d), "--sites", "Nowhere", "--out", str(out)]) == 2
    _one_error_line(capsys, "no committed item at Nowhere")
    assert not out.exists()
    rev = tmp_path / "rev.json"
    assert main(["escrow", "reveal", str(d), "--sites", "Alpha", "--out", str(rev)]) == 0
    data = json.loads(rev.read_text())
    data["openings"] = []
    out.write_text(json.dumps(data))
    assert main(["escrow", "verify", str(d / "commitment.json"), str(out)]) == 1
    assert "opens no item" in capsys.readouterr().out
    board = tmp_path / "b.json"
    assert main(["escrow", "bulletin", "append", str(board), str(d / "commitment.json")]) == 0
    assert main(["escrow", "bulletin", "append", str(board), str(out)]) == 2
    _one_error_line(capsys, "reveal does not verify")


def _rechain(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    """Renumber and re-hash entries the way a forger would, so the chain itself is valid."""
    from tripolar.verification.bulletin import GENESIS, entry_hash

    out, prev = [], GENESIS
    for seq, e in enumerate(entries):
        body = e["body"]
        assert isinstance(body, dict)
        h = entry_hash(seq, str(e["kind"]), body, prev)
        out.append({**e, "seq": seq, "prev": prev, "hash": h})
        prev = h
    return out


def test_bulletin_verify_against_published_head_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy of a bulletin checked with the head and length printed by the last append:
    a removed last entry, an emptied bulletin, two entries swapped (re-chained, so the
    chain alone is valid) and a replayed entry each print INVALID and exit 1, with and
    without --json, as the other verify commands; the untouched copy exits 0."""
    d = _setup(tmp_path, capsys)
    rev = tmp_path / "rev.json"
    assert main(["escrow", "reveal", str(d), "--sites", "Alpha", "--out", str(rev)]) == 0
    old_com = tmp_path / "old.json"
    old_com.write_text((d / "commitment.json").read_text())
    new = tmp_path / "new.csv"
    new.write_text("item_id,site,item_type,count\nM5,Echo,ICBM,1\n")
    ext = tmp_path / "ext.json"
    assert main(["escrow", "extend", str(d), str(new), "--out", str(ext)]) == 0
    board = tmp_path / "bulletin-US.json"
    for f in (old_com, rev, ext):
        assert main(["escrow", "bulletin", "append", str(board), str(f), "--json"]) == 0
    capsys.readouterr()
    assert main(["escrow", "bulletin", "verify", str(board), "--json"]) == 0
    published = json.loads(capsys.readouterr().out)
    assert published["valid"] is True and published["length"] == 3
    pin = ["--head", published["head"], "--length", str(published["length"])]

    raw = json.loads(board.read_text())
    entries = raw["entries"]
    copies: dict[str, tuple[list[dict[str, object]], bool]] = {
        # (entries, still a valid chain on its own)
        "removed-last": (entries[:-1], True),
        "emptied": ([], True),
        "reordered": (_rechain([entries[0], entries[2], entries[1]]), True),
        "replayed": (_rechain([*entries, entries[1]]), False),
    }
    assert main(["escrow", "bulletin", "verify", str(board), *pin]) == 0
    assert capsys.readouterr().out.rstrip().endswith("VALID")
    for name, (edited, chain_ok) in copies.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({**raw, "entries": edited}))
        assert main(["escrow", "bulletin", "verify", str(path)]) == (0 if chain_ok else 1), name
        capsys.readouterr()
        assert main(["escrow", "bulletin", "verify", str(path), *pin]) == 1, name
        out = capsys.readouterr().out
        assert out.rstrip().endswith("INVALID") and "problem" in out, name
        assert main(["escrow", "bulletin", "verify", str(path), *pin, "--json"]) == 1, name
        check = json.loads(capsys.readouterr().out)
        assert check["valid"] is False and check["problems"], name


def test_bulletin_verify_exit_status_of_the_installed_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The console script itself (not only :func:`main`) exits 1 on an INVALID bulletin."""
    import subprocess
    import sys

    d = _setup(tmp_path, capsys)
    board = tmp_path / "b.json"
    assert main(["escrow", "bulletin", "append", str(board), str(d / "commitment.json")]) == 0
    capsys.readouterr()
    assert main(["escrow", "bulletin", "verify", str(board), "--json"]) == 0
    head = json.loads(capsys.readouterr().out)["head"]
    board.write_text(json.dumps({**json.loads(board.read_text()), "entries": []}))
    script = Path(sys.executable).with_name("tripolar")
    proc = subprocess.run(
        [
            str(script),
            "escrow",
            "bulletin",
            "verify",
            str(board),
            *("--head", head, "--length", "1"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.rstrip().endswith("INVALID")
