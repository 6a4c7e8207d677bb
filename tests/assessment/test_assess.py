"""The main job: every built-in trilateral proposal, saved to the store, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tripolar import assess
from tripolar.treaty import builtin_treaties


def test_assess_covers_every_trilateral_proposal() -> None:
    a = assess(columns=())
    ids = {p.treaty.id for p in a.proposals}
    expected = {t.id for t in builtin_treaties() if t.kind == "proposal"}
    assert ids == expected and len(ids) >= 5
    for pa in a.proposals:
        assert set(pa.evaluation.parties) == {"US", "RU", "CN"}
        for party, pe in pa.evaluation.parties.items():
            assert pe.limits, (pa.treaty.id, party)
            for r in pe.limits.values():
                # a known count and ceiling give a headroom consistent with both
                if r.count is not None and r.ceiling is not None:
                    assert r.headroom is not None
                    assert abs(r.headroom.value - (r.ceiling.value - r.count.value)) < 1e-9


def test_assess_cli_json_markdown_and_store(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.sqlite"
    report = tmp_path / "report.md"
    code, out, err = cli(
        "assess", "--json", "--samples", "50", "--store", str(store), "--out", str(report)
    )
    assert code == 0, err
    d = json.loads(out)
    assert d["run_id"] == 1
    assert {p["treaty"] for p in d["proposals"]} >= {"tri-new-start", "tri-equal-1000"}
    us = next(p for p in d["proposals"] if p["treaty"] == "tri-new-start")["parties"]["US"]
    assert us["limits"]["deployed_warheads"]["ceiling"] == 1550
    cols = d["proposals"][0]["columns"]
    assert set(cols) == {"stability", "verification", "negotiation"}
    assert cols["stability"]["samples"] == 50 and d["context"]["samples"] == 50
    md = report.read_text(encoding="utf-8")
    assert md.startswith("# tripolar assessment") and "| party | limit |" in md
    code, out, err = cli("runs", "--store", str(store), "--json")
    assert code == 0, err
    runs = json.loads(out)
    assert runs[0]["command"] == "assess"
    code, out, err = cli("runs", "show", "1", "--store", str(store), "--json")
    assert code == 0, err
    rec = json.loads(out)
    assert rec["outputs"]["proposals"][0]["treaty"] == d["proposals"][0]["treaty"]
    assert rec["dataset_hash"] == d["dataset_hash"]


def test_markers_survive_every_rendering() -> None:
    """The '≥' and '*' markers of the terminal table are in the Markdown report, and the
    frame carries them as columns (lower_bound, basis, grade) instead of NaN counts."""
    from tripolar.report.assessment import assessment_markdown

    a = assess(columns=())
    md = assessment_markdown(a)
    assert "≥ " in md and "*" in md and "'≥' = only part" in md
    df = a.to_frame()
    assert {"lower_bound", "basis", "grade", "count_low", "count_high"} <= set(df.columns)
    cn = df[(df["party"] == "CN") & (df["limit"] == "deployed_launchers")]
    assert not cn.empty
    assert cn["lower_bound"].notna().all() and (cn["basis"] == "incomplete").all()
    agg = df[df["basis"] == "aggregate"]
    assert not agg.empty and agg["count"].notna().all()
    # R-graded aggregates show their grade in every count table
    for _, row in df[df["grade"] == "R"].iterrows():
        assert row["basis"] == "aggregate"
