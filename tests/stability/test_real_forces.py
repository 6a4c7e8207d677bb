"""Real forces (dataset, 2025) through the exchange and the three-party stability summary."""

from __future__ import annotations

import numpy as np
import pytest

from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.force import exchange_posture
from tripolar.exchange.montecarlo import real_forces
from tripolar.forces import build_posture
from tripolar.stability.run import stability_report
from tripolar.treaty import builtin_ids, load_treaty


@pytest.fixture(scope="module")
def postures():
    return {p: build_posture(p, 2025) for p in ("US", "RU", "CN")}


@pytest.mark.parametrize("treaty", [None, "tri-equal-1000"])
def test_both_postures_finite_and_bounded(postures, treaty):
    levels = load_alert_levels()
    t = None if treaty is None else load_treaty(treaty)
    forces, notes, _ = real_forces(postures, levels, treaty=t)
    rep = stability_report(forces, levels, n_samples=64, seed=3, assumptions=notes)
    assert len(rep.cases) == 18
    totals = {k: sum(s.warheads.high for s in f.systems) for k, f in forces.items()}
    for c in rep.cases:
        b = c.surviving_warheads
        assert np.isfinite([b.median, b.p05, b.p95]).all()
        assert 0 <= b.p05 <= b.median <= b.p95 <= totals[c.victim] + 1e-6
        for band in c.stability_index.values():
            assert 0 < band.p05 <= band.median <= band.p95 <= 1
    assert rep.assumptions and any("pooled" in a for a in rep.assumptions)


def test_leg_holdings_become_one_class(postures):
    ready, notes = exchange_posture(postures["RU"])
    icbm = [h for h in ready.systems if h.category == "icbm"]
    assert len(icbm) == 1 and icbm[0].basing == "mixed"
    assert icbm[0].deployed_launchers.value > 0 and icbm[0].warheads_loaded.value == 870
    assert all(h.level == "system" for h in ready.systems)
    assert any("deployed launchers not public" in n for n in notes)


@pytest.mark.parametrize("treaty", [None, *builtin_ids()])
def test_bound_search_equals_grid_search_on_real_forces(postures, treaty):
    """On the bundled treaties' real forces, sampled, the branch-and-bound spend search gives
    the exhaustive grid's spends: every cost of the 9 cases is the same (tolerance zero)."""
    from dataclasses import replace as dc_replace

    from tripolar.exchange.first_strike import KentThalerParams
    from tripolar.stability.run import draw_block
    from tripolar.stability.tripolar import stability_rows

    levels = load_alert_levels()
    t = None if treaty is None else load_treaty(treaty)
    forces, _, _ = real_forces(postures, levels, treaty=t)
    blk = draw_block(forces, levels, ("day_to_day", "generated"), 11, 0, 24)
    for states in blk.values():
        grid = stability_rows(states, params=dc_replace(KentThalerParams(), search="grid"))
        bound = stability_rows(states, params=KentThalerParams(search="bound"))
        for g, b in zip(grid.cases, bound.cases, strict=True):
            np.testing.assert_array_equal(b[2], g[2])
            np.testing.assert_array_equal(b[3], g[3])
        for k, v in grid.survivors.items():
            np.testing.assert_array_equal(bound.survivors[k], v)
