"""Monte Carlo over bands and model parameters: reproducible from the seed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.montecarlo import Band
from tripolar.stability.run import run_monte_carlo

sys.path.insert(0, str(Path(__file__).parents[1] / "exchange"))
from notional import notional_forces


def test_reproducible_from_seed():
    lv = load_alert_levels()
    f = notional_forces()
    a = run_monte_carlo(f, lv, n_samples=64, seed=7)
    b = run_monte_carlo(f, lv, n_samples=64, seed=7)
    c = run_monte_carlo(f, lv, n_samples=64, seed=8)
    ra = np.concatenate([x.r for x in a.by_posture["day_to_day"].ratios])
    rb = np.concatenate([x.r for x in b.by_posture["day_to_day"].ratios])
    rc = np.concatenate([x.r for x in c.by_posture["day_to_day"].ratios])
    np.testing.assert_array_equal(ra, rb)
    assert not np.array_equal(ra, rc)
    assert a.to_dict() == b.to_dict()


def test_bands_ordered():
    mc = run_monte_carlo(notional_forces(), load_alert_levels(), n_samples=64, seed=1)
    df = mc.to_frame()
    assert len(df) == 30
    assert ((df["r_p05"] <= df["r"] + 1e-12) & (df["r"] <= df["r_p95"] + 1e-12)).all()
    band = mc.band("generated", "US+RU->CN", "CN")
    assert band.p05 <= band.median <= band.p95
    assert Band.of([1, 2, 3]).median == 2
