"""CLI: tripolar stability / exchange JSON shape, plot file, bad input."""

from __future__ import annotations

import json

from tripolar.cli.main import main


def test_stability_json_shape_and_plot(capsys, tmp_path):
    out = tmp_path / "s.png"
    code = main(
        ["stability", "--treaty", "tri-new-start", "--samples", "32", "--json", "--plot", str(out)]
    )
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    assert len(d["cases"]) == 18 and d["assumptions"] and d["least_stable"]["case"]
    c = d["cases"][0]
    assert set(c) >= {"attacker", "victim", "posture", "surviving_warheads", "stability_index"}
    assert set(c["surviving_warheads"]) == {"median", "p05", "p95"}
    assert "fsi" in c["stability_index"]
    assert out.exists() and out.stat().st_size > 1000


def test_exchange_json(capsys):
    code = main(
        [
            "exchange",
            "--attacker",
            "RU",
            "--victim",
            "US",
            "--with",
            "CN",
            "--samples",
            "16",
            "--posture",
            "generated",
            "--json",
        ]
    )
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    assert d["attacker"] == ["RU", "CN"] and d["victim"] == "US"
    assert d["surviving_warheads"]["p05"] <= d["surviving_warheads"]["p95"]


def test_bad_input_writes_nothing(capsys, tmp_path):
    outdir = tmp_path / "plots"
    outdir.mkdir()
    out = outdir / "s.png"
    for argv in (
        ["stability", "--treaty", "no-such-treaty", "--plot", str(out)],
        ["stability", "--posture", "alert", "--plot", str(out)],
        ["stability", "--rule", "bogus", "--plot", str(out)],
        ["stability", "--plot", str(outdir / "s.txt")],
        ["exchange", "--attacker", "RU", "--victim", "RU"],
        ["exchange", "--attacker", "XX", "--victim", "US"],
    ):
        assert main(argv) == 2, argv
        assert "error" in capsys.readouterr().err
    assert list(outdir.iterdir()) == []


def test_stability_shows_both_outcomes_and_china_legs(capsys):
    """The table has the damage-limiting band beside the cost-minimising one, the legend says
    which the index uses, and the forces line lists China's three legs with their warheads."""
    assert main(["stability", "--samples", "16", "--posture", "day-to-day"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "damage-limiting" in out and "the index r and fsi use this outcome" in out
    assert "CN: cn-icbm-leg 400, cn-slbm-leg 72, cn-bomber-leg 20" in out
    assert main(["stability", "--samples", "16", "--posture", "generated", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    for c in d["cases"]:
        dmg, cost = c["damage_limiting_survivors"], c["surviving_warheads"]
        assert set(dmg) == {"median", "p05", "p95"}
        assert dmg["median"] <= cost["median"] + 1e-9
    assert d["forces"]["CN"]["cn-slbm-leg"]["warheads"] == 72
    assert d["forces"]["CN"]["cn-bomber-leg"]["warheads"] == 20


def test_exchange_objective_option(capsys):
    base = ["exchange", "--attacker", "US", "--with", "RU", "--victim", "CN", "--samples", "32"]
    assert main([*base, "--json"]) == 0
    cost = json.loads(capsys.readouterr().out)
    assert main([*base, "--objective", "damage", "--json"]) == 0
    dmg = json.loads(capsys.readouterr().out)
    assert (cost["objective"], dmg["objective"]) == ("cost", "damage")
    assert dmg["surviving_warheads"]["median"] <= cost["surviving_warheads"]["median"]
    assert main([*base, "--objective", "damage"]) == 0
    assert "damage-limiting spend" in capsys.readouterr().out
    assert main([*base, "--objective", "most"]) == 2
    assert "--objective" in capsys.readouterr().err
