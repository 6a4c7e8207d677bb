"""``tripolar negotiate`` and ``tripolar path``: JSON shape, bad input, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

SMALL = {
    "id": "small",
    "name": "Small family",
    "deployed_warheads": {"per_party": {"US": [1000, 1550], "RU": [1000, 1550], "CN": [None]}},
    "verification": {"none": {}},
}


def _write(tmp_path: Path, data: object, name: str = "fam.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


def test_negotiate_json_shape_and_plot(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fam = _write(tmp_path, SMALL)
    png = tmp_path / "u.png"
    code, out, err = cli("negotiate", "--family", str(fam), "--json", "--plot", str(png))
    assert code == 0, err
    d = json.loads(out)
    assert d["family"] == "small" and d["n_members"] == 4 and len(d["members"]) == 4
    assert d["parties"] == ["US", "RU", "CN"]
    assert set(d["solutions"]) == {"nash", "kalai_smorodinsky", "egalitarian"}
    assert isinstance(d["zopa"], list)
    for s in d["solutions"].values():
        assert s is None or set(s["ceilings"]) == {"US", "RU", "CN"}
    assert d["no_deal"]["label"] == "no deal"
    assert d["baseline"]["model_notes"]
    assert {r["method"] for r in d["sensitivity"]["rows"]} == {
        "nash",
        "kalai_smorodinsky",
        "egalitarian",
    }
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_negotiate_text(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("negotiate", "--family", str(_write(tmp_path, SMALL)))
    assert code == 0
    assert "Solutions" in out and "ZOPA" in out


def test_bad_family_exit_2_nothing_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = dict(SMALL, deployed_warheads={"per_party": {"US": [-1], "RU": [1], "CN": [1]}})
    png = tmp_path / "u.png"
    for path in (_write(tmp_path, bad), tmp_path / "missing.yaml", _write(tmp_path, [1], "l.yaml")):
        code, out, err = cli("negotiate", "--family", str(path), "--plot", str(png))
        assert code == 2
        assert out == ""
        assert err.startswith("error: ") and err.count("\n") == 1
        assert not png.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".png") == []
    code, _, err = cli("negotiate", "--family", str(_write(tmp_path, SMALL)), "--plot", "x.txt")
    assert code == 2 and err.count("\n") == 1


def test_path_json_shape(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("path", "--to", "tri-equal-1000", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["treaty"] == "tri-equal-1000"
    assert [s["name"] for s in d["steps"]][:1] == ["notifications"]
    assert set(d["path"]) >= {"complete", "bundles", "cumulative", "remaining", "blocked"}
    assert set(d["steps"][0]["deltas"]) == {"US", "RU", "CN"}


def test_path_text_and_unknown_treaty(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("path", "--to", "tri-new-start")
    assert code == 0 and "Steps towards tri-new-start" in out
    code, out, err = cli("path", "--to", "no-such-treaty")
    assert code == 2 and out == "" and err.count("\n") == 1
