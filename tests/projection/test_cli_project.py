"""``tripolar project``: table, JSON, plot, bad input."""

from __future__ import annotations

import json
from pathlib import Path


def test_project_table(cli) -> None:
    code, out, err = cli("project", "--scenario", "status-quo")
    assert code == 0, err
    assert "2040" in out and "1,670" in out and "1,000" in out
    assert "model assumption" in out


def test_project_json(cli) -> None:
    code, out, _ = cli("project", "--scenario", "upload", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "upload"
    rows = [r for r in data["rows"] if r["party"] == "US" and r["year"] == 2030]
    assert rows[0]["central"] == 3340 and rows[0]["low"] == 2070
    assert any(a["party"] == "CN" for a in data["anchors"])


def test_project_plot(cli, tmp_path: Path) -> None:
    out_png = tmp_path / "p.png"
    code, _, err = cli("project", "-s", "china-1500-by-2035", "--plot", str(out_png))
    assert code == 0, err
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_project_list(cli) -> None:
    code, out, _ = cli("project", "--list")
    assert code == 0 and "status-quo" in out and "upload" in out


def test_project_bad_input_writes_nothing(cli, tmp_path: Path) -> None:
    out_png = tmp_path / "p.png"
    code, _out, err = cli("project", "--scenario", "nope", "--plot", str(out_png))
    assert code == 2
    assert "unknown scenario" in err and len(err.strip().splitlines()) == 1
    assert not out_png.exists()
    code, _, err = cli("project", "--plot", str(tmp_path / "p.jpg"))
    assert code == 2 and ".png" in err
    assert not (tmp_path / "p.jpg").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    code, _, err = cli("project", "--scenario", str(bad), "--plot", str(out_png))
    assert code == 2 and str(bad) in err
    assert not out_png.exists()
