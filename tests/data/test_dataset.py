"""The bundled dataset: loads, passes every consistency check, and rejects bad overlays."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tripolar.data import bundled_dir, check_dataset, load_dataset
from tripolar.data.loader import STATE_CODES
from tripolar.errors import InputError
from tripolar.forces import build_posture


def test_bundled_dataset_passes_data_check() -> None:
    rep = check_dataset(load_dataset())
    assert rep.ok, "\n".join(str(p) for p in rep.errors)


def test_every_source_has_date_and_url() -> None:
    src = load_dataset().tables["sources"]
    assert src["url"].str.startswith("http").all()
    assert src["date"].str.match(r"^\d{4}").all()


def test_every_figure_is_cited() -> None:
    ds = load_dataset()
    known = set(ds.tables["sources"]["id"])
    for table in ("stockpiles", "system_figures", "targets", "newstart_exchanges"):
        df = ds.tables[table]
        for _, r in df[df["value"].notna()].iterrows():
            assert r["source_ids"], (table, r["_line"])
            assert set(r["source_ids"]) <= known, (table, r["_line"])


def test_nine_states_2024_2025_and_history() -> None:
    st = load_dataset().tables["stockpiles"]
    for s in STATE_CODES:
        for y in (2024, 2025):
            assert not st[(st["state"] == s) & (st["year"] == y)].empty, (s, y)
    us = st[(st["state"] == "US") & (st["metric"] == "military_stockpile")]
    assert {1945, 1967, 1990, 2025} & set(us["year"]) >= {1945, 1990, 2025}


def test_hardness_is_never_a_sourced_value() -> None:
    """forces.md section 7.1: no public source for silo hardness."""
    t = load_dataset().tables["targets"]
    hard = t[t["quantity"] == "hardness_psi"]
    assert hard["value"].isna().all()


@pytest.mark.parametrize("state", ["US", "RU", "CN"])
def test_posture_of_the_three(state: str) -> None:
    p = build_posture(state, 2025)
    assert p.systems
    assert all(h.category in ("icbm", "slbm", "bomber", "nonstrategic") for h in p.systems)


def test_data_check_cli(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("data", "check", "--json")
    assert code == 0, out + err
    d = json.loads(out)
    assert d["ok"] is True and d["rows"]["sources"] > 50


def _overlay(tmp_path: Path, table: str, rows: list[str]) -> Path:
    d = tmp_path / "overlay"
    d.mkdir()
    header = (bundled_dir() / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
    (d / f"{table}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return d


def test_overlay_replaces_and_adds(tmp_path: Path) -> None:
    d = _overlay(
        tmp_path,
        "stockpiles",
        ["CN,2025,military_stockpile,650,600,700,assumed,C,S03,my own estimate"],
    )
    ds = load_dataset(d)
    row = ds.stockpile("CN", 2025, "military_stockpile")
    assert row is not None and row["value"] == 650
    assert ds.content_hash != load_dataset().content_hash


@pytest.mark.parametrize(
    ("row", "fragments"),
    [
        ("CN,2025,military_stockpile,-1,,,published,A,S03,", ["row 2", "value", "negative"]),
        ("CN,2025,military_stockpile,600,700,800,published,A,S03,", ["row 2", "low <= value"]),
        ("CN,2025,military_stockpile,lots,,,published,A,S03,", ["row 2", "value"]),
        ("XX,2025,military_stockpile,600,,,published,A,S03,", ["row 2", "state"]),
        ("CN,2025,warheads,600,,,published,A,S03,", ["row 2", "metric"]),
        ("CN,2025,military_stockpile,600,,,published,A,,", ["row 2", "source"]),
    ],
)
def test_overlay_errors_name_file_row_column(
    tmp_path: Path, row: str, fragments: list[str]
) -> None:
    d = _overlay(tmp_path, "stockpiles", [row])
    with pytest.raises(InputError) as exc:
        load_dataset(d)
    msg = str(exc.value)
    assert "stockpiles.csv" in msg
    for f in fragments:
        assert f in msg, msg


def test_unresolved_source_is_a_check_error(tmp_path: Path) -> None:
    d = _overlay(tmp_path, "stockpiles", ["CN,2025,military_stockpile,600,,,published,A,S999,"])
    rep = check_dataset(load_dataset(d))
    assert not rep.ok
    assert any("S999" in p.message for p in rep.errors)


def test_missing_overlay_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_dataset(tmp_path / "nope")


def test_bundled_files_are_not_modified_by_overlay(tmp_path: Path) -> None:
    before = (bundled_dir() / "stockpiles.csv").read_bytes()
    shutil.copy(bundled_dir() / "sources.csv", tmp_path / "sources.csv")
    load_dataset(tmp_path)
    assert (bundled_dir() / "stockpiles.csv").read_bytes() == before
