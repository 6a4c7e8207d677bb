"""The December 2026 audit of the dataset: each finding has a test that fails if it returns."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tripolar.data import bundled_dir, check_dataset, load_dataset
from tripolar.data.check import assigned_warheads
from tripolar.forces import build_posture
from tripolar.treaty import evaluate, load_treaty


def _fig(sid: str, as_of: str, qty: str) -> dict[str, object]:
    f = load_dataset().tables["system_figures"]
    hit = f[(f["system_id"] == sid) & (f["as_of"] == as_of) & (f["quantity"] == qty)]
    assert len(hit) == 1, (sid, as_of, qty)
    return dict(hit.iloc[0])


def _band(sid: str) -> tuple[float, float, float]:
    """(low, value, high) of a 2025 launchers_total row; an empty low/high is the value."""
    r = _fig(sid, "2025", "launchers_total")
    v = float(r["value"])  # type: ignore[arg-type]
    lo, hi = r["low"], r["high"]
    return (
        v if pd.isna(lo) else float(lo),  # type: ignore[arg-type]
        v,
        v if pd.isna(hi) else float(hi),  # type: ignore[arg-type]
    )


def test_us_2025_posture_counts_the_declared_800_launchers() -> None:
    """State Department, US New START data as of 1 Mar 2023 [S11]: 800 deployed and
    non-deployed launchers; per-type split of 1 Sep 2020 [S10]: 454 Minuteman III launchers
    (4 of them test), 280 Trident II, 46 B-52H (4 test), 20 B-2A (1 test)."""
    p = build_posture("US", 2025)
    ev = evaluate(load_treaty("new-start"), {"US": p})
    total = ev.parties["US"].limits["total_launchers"].count
    assert total is not None and total.value == 800
    by_id = {h.system_id: h for h in p.systems}
    assert by_id["us-mmiii"].test_launchers is not None
    assert by_id["us-mmiii"].test_launchers.value == 4
    assert by_id["us-b52h"].test_launchers.value == 4  # type: ignore[union-attr]
    assert by_id["us-b2a"].test_launchers.value == 1  # type: ignore[union-attr]


def test_converted_b52h_are_in_the_2025_posture() -> None:
    """AFGSC, Feb 2026 as reported [S38]: ~30 of 76 B-52H conventional-only."""
    b52 = next(h for h in build_posture("US", 2025).systems if h.system_id == "us-b52h")
    assert b52.converted_launchers is not None and b52.converted_launchers.value == 30


def test_us_assigned_warheads_fit_the_stockpile() -> None:
    """FAS 2025 [S01]: stockpile ~3,700. The per-system rows (leg rows where no system row)
    add up to it at their central values and stay at or below it at their lows."""
    ds = load_dataset()
    cats = assigned_warheads(ds, "US", "2025")
    assert set(cats) == {"icbm", "slbm", "bomber", "nonstrategic"}
    stock = ds.stockpile("US", 2025, "military_stockpile")
    assert stock is not None
    assert sum(c[1] for c in cats.values()) == stock["value"] == 3700
    assert sum(c[0] for c in cats.values()) <= 3700 < sum(c[2] for c in cats.values())


def _b61_overlay(tmp_path: Path, name: str, row: str) -> Path:
    # one directory per overlay: datasets are cached per directory
    d = tmp_path / name
    d.mkdir()
    header = (bundled_dir() / "system_figures.csv").read_text(encoding="utf-8").splitlines()[0]
    (d / "system_figures.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    return d


def test_overfilled_stockpile_is_an_error_and_a_high_sum_a_warning(tmp_path: Path) -> None:
    row = "us-b61-europe,2025,warheads_assigned,1200,1200,1200,published,C,S01,test"
    rep = check_dataset(load_dataset(_b61_overlay(tmp_path, "a", row)))
    assert any(p.check == "assigned warheads" and "US 2025" in p.message for p in rep.errors)
    row = "us-b61-europe,2025,warheads_assigned,300,100,300,published,C,S01,test"
    rep = check_dataset(load_dataset(_b61_overlay(tmp_path, "b", row)))
    assert rep.ok
    assert any(p.check == "assigned warheads" and "3800" in p.message for p in rep.warnings)


def test_df26_is_nonstrategic_and_outside_the_icbm_leg() -> None:
    """DF-26 is an IRBM [S54]; FAS's ~376 land-based warheads [S03c] include it, so the ICBM
    leg keeps 376 only as its high, with the 250 DF-26 of Japan's MOD [S26] as the bound."""
    sy = load_dataset().tables["systems"]
    assert sy[sy["system_id"] == "cn-df26"]["category"].item() == "nonstrategic"
    leg = _fig("cn-icbm-leg", "2025", "warheads_assigned")
    df26 = _fig("cn-df26", "2025", "launchers_total")
    assert leg["high"] == 376 and leg["low"] == 376 - float(df26["value"])  # type: ignore[arg-type]
    p = build_posture("CN", 2025)
    assert all(h.category == "nonstrategic" for h in p.systems if h.system_id == "cn-df26")


def test_df31_silo_loading_keeps_the_fas_value_and_the_dod_high() -> None:
    """FAS 2025 ~30 silos loaded [S03]; DoD CMPR 2025 '>100 DF-31-class ICBMs' [S20]."""
    r = _fig("cn-df31a-ag", "2025", "launchers_deployed")
    assert (r["low"], r["value"], r["high"]) == (30, 30, 100)
    t = load_dataset().tables["targets"]
    fields = t[(t["target_id"] == "cn-northern-fields-all") & (t["quantity"] == "silos_loaded")]
    assert fields["value"].item() == r["value"] and fields["high"].item() == r["high"]


def test_russian_slbm_split_bands_mirror_each_other() -> None:
    """SIPRI 2025 [S43b]: 192 SLBMs on 12 SSBNs; Borei 7 or 8 boats of 16 tubes [S43]."""
    total = float(_fig("ru-slbm-leg", "2025", "launchers_total")["value"])  # type: ignore[arg-type]
    bul = _band("ru-bulava")
    sin = _band("ru-sineva")
    assert bul[1] + sin[1] == total
    assert bul[0] + sin[2] == total
    assert bul[2] + sin[0] == total
    assert bul[0] < bul[1] and sin[1] < sin[2]


def test_one_aim_point_per_base_rows_are_assumptions() -> None:
    t = load_dataset().tables["targets"]
    conv = t[t["note"].str.contains("one aim point per base")]
    assert len(conv) == 33
    assert (conv["basis"] == "assumed").all()
    assert conv["note"].str.startswith("assumed:").all()


def test_no_duplicate_sources() -> None:
    src = load_dataset().tables["sources"]
    assert not src["url"].duplicated().any()
    assert not src["id"].isin(["S13c", "S13h2", "S21e", "S60"]).any()


def test_identities_that_cannot_be_checked_are_listed() -> None:
    """Russia 2024 has no deployed non-strategic figure (SIPRI 2024 [S05]), so the military
    stockpile identity of that year is named as not checked rather than skipped."""
    rep = check_dataset(load_dataset())
    unchecked = [p.message for p in rep.warnings if p.check == "stockpile identity not checked"]
    assert any(m.startswith("RU 2024:") and "deployed_nonstrategic" in m for m in unchecked)
    # every state-year with stockpile rows is either checked in full or named
    st = load_dataset().tables["stockpiles"]
    for (state, year), grp in st.groupby(["state", "year"]):
        metrics = set(grp["metric"])
        if not {"military_stockpile", "total_inventory", "retired"} <= metrics:
            assert any(m.startswith(f"{state} ") and str(year) in m for m in unchecked)


def test_forces_grade_r_lists_every_r_figure(cli) -> None:  # type: ignore[no-untyped-def]
    rep = check_dataset(load_dataset())
    code, out, err = cli("forces", "--grade", "R", "--json")
    assert code == 0, err
    d = json.loads(out)
    listed = sum(len(d[k]) for k in ("stockpiles", "systems", "targets", "newstart_exchanges"))
    assert listed == rep.grade_counts["R"] > 0
    assert d["year"] is None and d["targets"] and d["newstart_exchanges"]
    code, out, _ = cli("forces", "--grade", "R", "--year", "2025", "--json")
    d = json.loads(out)
    assert code == 0 and d["newstart_exchanges"] == [] and d["systems"]


def test_sipri_2026_world_total() -> None:
    """SIPRI Yearbook 2026 as reported [S88]: 12,187 warheads in January 2026."""
    ds = load_dataset()
    row = ds.stockpile("WORLD", 2026, "total_inventory")
    assert row is not None and row["value"] == 12187 and row["source_ids"] == ["S88"]
    src = ds.source("S88")
    assert src is not None and str(src["date"]).startswith("2026-06")
