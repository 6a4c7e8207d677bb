"""The damage-limiting outcome beside the cost-minimising one (issue "Every number and every
message true", point 4): two against one is never better for the victim than one."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.exchange import class_kill_probability, counterforce_exchange, party_state
from tripolar.exchange.first_strike import KentThalerParams, first_strike
from tripolar.exchange.montecarlo import real_forces, run_exchange
from tripolar.forces import build_posture
from tripolar.stability.run import run_monte_carlo
from tripolar.stability.tripolar import stability_rows

sys.path.insert(0, str(Path(__file__).parents[1]))
from notional import notional_forces

PARTIES = ("US", "RU", "CN")
# Survivors are sums of a few float64 terms of order 10^3; the invariants are exact in real
# arithmetic.
TOL = 1e-9


def _coalitions(names: tuple[str, ...]) -> list[tuple[str, list[str], str]]:
    out = []
    for c in names:
        pair = [x for x in names if x != c]
        out.append((c, pair, f"{pair[0]}+{pair[1]}->{c}"))
    return out


def _check(rows_damage: dict[str, np.ndarray], rows_cost: dict[str, np.ndarray], names):
    for c, pair, label in _coalitions(names):
        coal = rows_damage[label]
        for x in pair:
            # Two against one never leaves the victim more than either member alone.
            assert np.all(coal <= rows_damage[f"{x}->{c}"] + TOL), (label, x)
        # Damage-limiting never leaves more than the cost-minimising strike.
        assert np.all(coal <= rows_cost[label] + TOL)
    for a in names:
        for b in names:
            if a != b:
                assert np.all(rows_damage[f"{a}->{b}"] <= rows_cost[f"{a}->{b}"] + TOL)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    posture=st.sampled_from(["day_to_day", "generated"]),
    delta=st.floats(0.05, 0.9),
    layers=st.integers(1, 3),
    lua=st.booleans(),
)
def test_coalition_never_better_for_victim_notional(seed, posture, delta, layers, lua):
    """Property on notional forces (sampled bands, random reserve rule and strike options)."""
    lv = load_alert_levels()
    rng = np.random.default_rng(seed)
    states = {
        k: party_state(f, lv, posture, rng=rng, n_samples=6) for k, f in notional_forces().items()
    }
    p = KentThalerParams(max_warheads_per_target=layers, launch_under_attack=lua)
    rows = stability_rows(states, params=p, reserve_delta=delta)
    _check(rows.damage_survivors, rows.survivors, tuple(states))


@pytest.fixture(scope="module")
def bundled_forces():
    lv = load_alert_levels()
    forces, _, _ = real_forces({p: build_posture(p, 2025) for p in PARTIES}, lv)
    return forces, lv


@pytest.mark.parametrize("posture", ["day_to_day", "generated"])
def test_coalition_never_better_for_victim_bundled(bundled_forces, posture):
    """The bundled data of 2025, per sample, in both postures."""
    forces, lv = bundled_forces
    mc = run_monte_carlo(forces, lv, n_samples=128, seed=3, postures=(posture,))
    res = mc.by_posture[posture]
    _check(res.damage_survivors, res.survivors, PARTIES)


def test_damage_objective_is_the_full_spend():
    """``objective="damage"`` spends every usable counterforce warhead outside the reserve, up
    to the useful maximum, and leaves no more survivors than any other spend."""
    lv = load_alert_levels()
    st_ = {k: party_state(f, lv, "day_to_day") for k, f in notional_forces().items()}
    pk = class_kill_probability([st_["US"]], [st_["RU"]], KentThalerParams())
    a, b = st_["US"].side(), st_["RU"].side()
    dmg = first_strike([a], [b], pk, objective="damage", reserve=200.0)
    full = first_strike([a], [b], pk, spend=np.inf, reserve=200.0)
    cost = first_strike([a], [b], pk, reserve=200.0)
    assert dmg.spend[0] == full.spend[0] > 0
    assert dmg.victim_survivors[0, 0] <= cost.victim_survivors[0, 0]
    for s in np.linspace(0.0, dmg.spend[0], 7):
        other = first_strike([a], [b], pk, spend=s, reserve=200.0)
        assert dmg.victim_survivors[0, 0] <= other.victim_survivors[0, 0] + TOL


def test_exchange_damage_plan_for_a_coalition():
    """``counterforce_exchange(spend="damage")``: per sample the best of pooling and either
    member alone, so never above the pooled full strike nor either member's own."""
    lv = load_alert_levels()
    rng = np.random.default_rng(5)
    st_ = {
        k: party_state(f, lv, "day_to_day", rng=rng, n_samples=16)
        for k, f in notional_forces().items()
    }
    best = counterforce_exchange([st_["US"], st_["RU"]], st_["CN"], spend="damage")
    for plan in ([st_["US"], st_["RU"]], [st_["US"]], [st_["RU"]]):
        other = counterforce_exchange(plan, st_["CN"], spend="full")
        assert np.all(best.victim_retaliatory_capacity <= other.victim_retaliatory_capacity + TOL)
    np.testing.assert_allclose(
        best.victim_survivors_by_system.sum(axis=1), best.victim_retaliatory_capacity
    )


@pytest.mark.parametrize("posture", ["day_to_day", "generated"])
def test_run_exchange_objective(bundled_forces, posture):
    """``tripolar exchange`` on the bundled data: under the cost-minimising rule US+RU leaves
    China more warheads than the US alone day-to-day (retaliation split between two attackers
    makes the coalition stop early: the finding behind the damage-limiting outcome); under the
    damage-limiting rule the coalition never leaves more than either member alone."""
    _, lv = bundled_forces

    def run(att, objective):
        return run_exchange(att, "CN", posture, lv, n_samples=200, seed=1, objective=objective)

    coal_cost, us_cost = run(["US", "RU"], "cost"), run(["US"], "cost")
    coal, us, ru = run(["US", "RU"], "damage"), run(["US"], "damage"), run(["RU"], "damage")
    assert coal_cost.objective == "cost" and coal.to_dict()["objective"] == "damage"
    if posture == "day_to_day":
        assert coal_cost.surviving_warheads.median > us_cost.surviving_warheads.median
    for one in (us, ru):
        assert coal.surviving_warheads.median <= one.surviving_warheads.median + TOL
    assert coal.surviving_warheads.median <= coal_cost.surviving_warheads.median
