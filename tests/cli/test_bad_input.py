"""Every class of bad input: one line naming file and field, exit 2, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tripolar.errors import MAX_INPUT_BYTES

GOOD_POSTURE = """\
party: US
date: 2030-01-01
systems:
  - system_id: us-mmiii
    deployed_launchers: 400
    warheads_loaded: 400
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _assert_clean_failure(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2, (out, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for f in fragments:
        assert f in lines[0], lines[0]


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        (
            "malformed.yaml",
            "party: US\ndate: [2030\n",
            ["malformed.yaml", "malformed YAML", "line"],
        ),
        (
            "unknown.yaml",
            GOOD_POSTURE.replace("us-mmiii", "us-peacekeeper-x"),
            ["unknown.yaml", "systems.0.system_id", "unknown system"],
        ),
        (
            "negative.yaml",
            GOOD_POSTURE.replace("deployed_launchers: 400", "deployed_launchers: -5"),
            ["negative.yaml", "systems.0.deployed_launchers", "negative"],
        ),
        (
            "wrongtype.yaml",
            GOOD_POSTURE.replace("warheads_loaded: 400", "warheads_loaded: many"),
            ["wrongtype.yaml", "systems.0.warheads_loaded"],
        ),
        (
            "badstate.yaml",
            GOOD_POSTURE.replace("party: US", "party: XX"),
            ["badstate.yaml", "party"],
        ),
        ("list.yaml", "- 1\n- 2\n", ["list.yaml", "mapping"]),
    ],
)
def test_bad_posture_files(cli, tmp_path: Path, name: str, text: str, fragments: list[str]) -> None:  # type: ignore[no-untyped-def]
    p = _write(tmp_path, name, text)
    store = tmp_path / "_store_root" / "store.sqlite"
    code, out, err = cli("count", "--treaty", "new-start", "--posture", str(p))
    _assert_clean_failure(code, out, err, *fragments)
    assert not store.exists()


def test_missing_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("count", "--treaty", "new-start", "--posture", str(tmp_path / "nope.yaml"))
    _assert_clean_failure(code, out, err, "nope.yaml", "file not found")


def test_file_above_size_limit(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "huge.yaml"
    with p.open("wb") as f:
        f.truncate(MAX_INPUT_BYTES + 1)
    code, out, err = cli("check", "--treaty", str(p))
    _assert_clean_failure(code, out, err, "huge.yaml", "above the limit")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("id: t\nname: t\nparties: [US, XX]\nlimits: []\n", ["parties", "XX"]),
        (
            "id: t\nname: t\nparties: [US]\nlimits:\n  - {id: a, quantity: warheads, ceiling: 5}\n",
            ["limits.0.quantity"],
        ),
        (
            "id: t\nname: t\nparties: [US]\nlimits:\n"
            "  - {id: a, quantity: deployed_warheads, ceiling: -5}\n",
            ["limits.0.ceiling"],
        ),
        (
            "id: t\nname: t\nparties: [US]\nlimits:\n"
            "  - {id: a, quantity: deployed_warheads, ceiling: lots}\n",
            ["limits.0.ceiling"],
        ),
        ("id: t\nname: [unclosed\n", ["malformed YAML"]),
    ],
)
def test_bad_treaty_files(cli, tmp_path: Path, text: str, fragments: list[str]) -> None:  # type: ignore[no-untyped-def]
    p = _write(tmp_path, "treaty.yaml", text)
    code, out, err = cli("check", "--treaty", str(p))
    _assert_clean_failure(code, out, err, "treaty.yaml", *fragments)


def test_unknown_treaty_and_state(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("count", "--treaty", "no-such-treaty")
    _assert_clean_failure(code, out, err, "no-such-treaty")
    code, out, err = cli("count", "--treaty", "new-start", "--state", "ZZ")
    _assert_clean_failure(code, out, err, "--state", "ZZ")


def test_assess_writes_nothing_on_bad_data_dir(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "data"
    bad.mkdir()
    (bad / "stockpiles.csv").write_text(
        "state,year,metric,value,low,high,basis,grade,source_ids,note\n"
        "US,2025,military_stockpile,-3,,,published,A,S01,\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.md"
    store = tmp_path / "mystore.sqlite"
    code, out, err = cli("assess", "--data", str(bad), "--out", str(report), "--store", str(store))
    _assert_clean_failure(code, out, err, "stockpiles.csv", "row 2", "value")
    assert not report.exists()
    assert not store.exists()
    assert not any(n.endswith(".tmp") for n in os.listdir(tmp_path))
