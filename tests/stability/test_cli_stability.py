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
