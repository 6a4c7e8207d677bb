"""tripolar's three-party extension (models.md 2.6, tripolar's own design)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.exchange import party_state
from tripolar.stability.tripolar import (
    can_each_match_other_two,
    survivability_multipliers,
    tripolar_stability,
)

sys.path.insert(0, str(Path(__file__).parents[1] / "exchange"))
from notional import notional_forces


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1e4), st.floats(0, 1e4), st.floats(0, 1e4))
def test_no_three_can_each_match_the_other_two(x, y, z):
    """x >= y+z, y >= x+z, z >= x+y only for x = y = z = 0."""
    assert can_each_match_other_two(x, y, z) == (x == y == z == 0)


def test_multiplier_table():
    """models.md 2.6 [C]: f = 0.2, 0.3, 0.4, 0.45 -> 1/(1-f) and 1/(1-2f)."""
    one, two = survivability_multipliers([0.2, 0.3, 0.4, 0.45])
    np.testing.assert_allclose(one, [1.25, 1.429, 1.667, 1.818], atol=1e-3)
    np.testing.assert_allclose(two, [1.667, 2.5, 5.0, 10.0], atol=1e-3)
    one, two = survivability_multipliers([0.5, 1.0])
    assert np.isinf(two).all() and np.isinf(one[1])


@pytest.mark.parametrize("posture", ["day_to_day", "generated"])
def test_nine_cases(posture):
    lv = load_alert_levels()
    states = {k: party_state(f, lv, posture) for k, f in notional_forces().items()}
    res = tripolar_stability(states)
    assert len(res.ratios) == 6 + 3 * 3
    rs = np.array([float(c.r[0]) for c in res.ratios])
    assert ((rs > 0) & (rs <= 1)).all()
    ls = res.least_stable()
    assert float(ls.r[0]) == rs.min()
    assert ":" in ls.driver
    assert res.to_frame().shape[0] == 15
    assert 0 < float(res.pair_fsi("US", "RU")[0]) <= 1


def test_reserve_lowers_what_striker_can_spend():
    """A larger reserve against the third party never raises the striker's counterforce spend."""
    lv = load_alert_levels()
    states = {k: party_state(f, lv, "day_to_day") for k, f in notional_forces().items()}
    low = tripolar_stability(states, reserve_delta=0.1)
    high = tripolar_stability(states, reserve_delta=0.9)
    assert low.to_frame().shape == high.to_frame().shape
