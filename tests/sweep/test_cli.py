"""``tripolar sweep run|show|report`` and ``assess --landscape`` on the tiny sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("distributed")


def test_run_show_report_and_landscape(cli, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "res"
    code, stdout, err = cli(
        "sweep", "run", str(tiny_file), "--workers", "1", "--out", str(out), "--threshold", "0.1"
    )
    assert code == 0, err
    assert "dashboard:" in err
    assert "all-stable ceiling cells" in stdout
    assert (out / "plots" / "heatmap.png").stat().st_size > 0
    assert (out / "plots" / "tornado.png").stat().st_size > 0
    run_id = stdout.rsplit("saved as run ", 1)[1].split()[0]

    code, stdout, _ = cli("sweep", "show", run_id, "--json", "--threshold", "0.1")
    assert code == 0
    shown = json.loads(stdout)
    assert shown["all_stable"]["points"] == 8
    assert Path(shown["results"]) == out

    code, stdout, _ = cli("runs", "show", run_id, "--json")
    rec = json.loads(stdout)
    assert rec["command"] == "sweep" and len(rec["inputs"]["sweep_hash"]) == 64

    plots = tmp_path / "plots"
    code, _, _ = cli("sweep", "report", str(out), "--out", str(plots))
    assert code == 0 and (plots / "tornado.png").exists()

    from tripolar.cli.sweep import landscape
    from tripolar.treaty.io import builtin_treaties

    places, _, st = landscape(str(out), builtin_treaties(), None, threshold=0.1)
    by_id = {p.treaty: p for p in places}
    ns = by_id["tri-new-start"]
    assert ns.coordinates == {"warheads_us_ru": 1550.0, "warheads_cn": 1550.0}
    assert by_id["new-start"].coordinates is None  # China is not a party
    if ns.nearest is not None:
        cell = st.cells
        hit = cell[
            (cell["warheads_us_ru"] == ns.nearest["warheads_us_ru"])
            & (cell["warheads_cn"] == ns.nearest["warheads_cn"])
        ]
        assert bool(hit["all_stable"].iloc[0])


def test_show_of_an_unknown_id_is_one_line_exit_2(cli) -> None:
    code, _, err = cli("sweep", "show", "abcdefabcdef")
    assert code == 2 and err.count("\n") == 1 and "abcdefabcdef" in err


def test_a_bad_scheduler_address_is_refused_before_anything_is_written(
    cli, tiny_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "never"
    code, _, err = cli("sweep", "run", str(tiny_file), "--scheduler", "nowhere", "--out", str(out))
    assert code == 2 and "--scheduler" in err and not out.exists()
