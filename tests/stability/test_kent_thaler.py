"""Kent-Thaler first-strike stability (RAND R-3765-AF, 1989; N-2526-AF, 1988)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.stability.kent_thaler import (
    KentThalerParams,
    StrikeSide,
    damage_fraction,
    first_strike,
    kent_thaler,
    reserve_warheads,
    stability_ratio,
)


def side(name, silos, silo_w, boats, boat_w, untargetable, w80=900.0):
    return StrikeSide.from_systems(
        name, [silos, boats], [silo_w, boat_w], [True, False], [0.0, untargetable], w80
    )


A = side("A", 400, 1, 100, 10, 0.6)
B = side("B", 150, 6, 64, 10, 0.4)


def test_damage_curve_example():
    """models.md 2.3 [C]: w80 = 900 gives D(100, 300, 900, 1800) = 0.1637, 0.4152, 0.8, 0.96."""
    d = damage_fraction([100, 300, 900, 1800], 900)
    np.testing.assert_allclose(d, [0.1637, 0.4152, 0.8000, 0.9600], atol=1e-4)


def test_worked_example():
    """Worked example of models.md 2.3 (notional forces after R-3765; costs to 1e-3)."""
    r = kent_thaler(A, B, 0.8, 0.8)
    assert float(r.a_first.spend) == 377 and float(r.a_first.kept) == 923
    assert float(r.a_first.victim_survivors[0]) == pytest.approx(307.4, abs=0.05)
    assert float(r.c1_a) == pytest.approx(0.5687, abs=1e-3)
    assert float(r.c2_b) == pytest.approx(0.9950, abs=1e-3)
    assert float(r.b_first.spend) == 480 and float(r.b_first.kept) == 996
    assert float(r.b_first.victim_survivors[0]) == pytest.approx(696.0, abs=0.05)
    assert float(r.c1_b) == pytest.approx(0.8138, abs=1e-3)
    assert float(r.c2_a) == pytest.approx(0.9383, abs=1e-3)
    assert float(r.r_a) == pytest.approx(0.6061, abs=1e-3)
    assert float(r.r_b) == pytest.approx(0.8179, abs=1e-3)
    assert float(r.fsi) == pytest.approx(0.4957, abs=1e-3)


def test_symmetric_alert_case_is_capped():
    """models.md 2.3: both sides as A with 0.8 untargetable: C1 0.8922 > C2 0.8814, FSI = 1."""
    s = side("A", 400, 1, 100, 10, 0.8)
    r = kent_thaler(s, s, 0.8, 0.8)
    assert float(r.c1_a) == pytest.approx(0.8922, abs=1e-3)
    assert float(r.c2_a) == pytest.approx(0.8814, abs=1e-3)
    assert float(r.r_a) == 1.0 and float(r.fsi) == 1.0


def test_bound_search_matches_grid_on_example():
    """The branch-and-bound search picks the grid's spends on the worked example."""
    grid = kent_thaler(A, B, 0.8, 0.8, KentThalerParams(search="grid"))
    bound = kent_thaler(A, B, 0.8, 0.8, KentThalerParams(search="bound"))
    assert float(bound.a_first.spend) == float(grid.a_first.spend) == 377
    assert float(bound.b_first.spend) == float(grid.b_first.spend) == 480
    assert float(bound.fsi) == float(grid.fsi)


def test_victim_without_targetable_forces():
    """Nothing to strike: the striker spends nothing and every victim warhead survives."""
    b = side("B", 0, 6, 64, 10, 1.0)
    fs = first_strike([A], [b], 0.8)
    assert float(fs.spend) == 0.0
    assert float(fs.victim_survivors[0]) == pytest.approx(640.0)


def test_both_untargetable_is_stable():
    a = side("A", 0, 1, 100, 10, 1.0)
    b = side("B", 0, 1, 64, 10, 1.0)
    assert float(kent_thaler(a, b, 0.8, 0.8).fsi) == 1.0


def test_zero_forces():
    z = side("Z", 0, 1, 0, 10, 0.5)
    fs = first_strike([z], [B], 0.8)
    assert float(fs.spend) == 0.0 and float(fs.kept) == 0.0
    r = kent_thaler(z, z, 0.8, 0.8)
    assert float(r.fsi) == 1.0


def test_c2_zero_gives_one():
    assert stability_ratio(0.5, 0.0) == 1.0
    assert stability_ratio(0.0, 0.0) == 1.0
    assert stability_ratio(0.3, 0.6) == pytest.approx(0.5)


def test_reserve_examples():
    """models.md 2.6 [C]: w80_C = 600: delta 0.5 -> 258.4, delta 0.3 -> 133.0."""
    np.testing.assert_allclose(reserve_warheads(600, [0.5, 0.3]), [258.4, 133.0], atol=0.05)
    assert float(damage_fraction(reserve_warheads(600, 0.5), 600)) == pytest.approx(0.5)


def test_launch_under_attack_protects_silos():
    p = KentThalerParams(launch_under_attack=True)
    plain = first_strike([A], [B], 0.8)
    lua = first_strike([A], [B], 0.8, p)
    assert float(lua.victim_survivors[0]) > float(plain.victim_survivors[0])


def test_samples_match_scalar_runs():
    """The sample axis gives the same answers as one run per sample."""
    pk = np.array([0.5, 0.7, 0.9])
    a3 = StrikeSide.from_systems(
        "A", np.array([[400, 100]] * 3), [1, 10], [True, False], np.array([[0, 0.6]] * 3), 900
    )
    b3 = StrikeSide.from_systems(
        "B", np.array([[150, 64]] * 3), [6, 10], [True, False], np.array([[0, 0.4]] * 3), 900
    )
    batch = kent_thaler(a3, b3, pk[:, None], pk[:, None])
    for i, p in enumerate(pk):
        one = kent_thaler(A, B, p, p)
        assert batch.fsi[i] == pytest.approx(float(one.fsi), abs=1e-12)
        assert batch.a_first.spend[i] == float(one.a_first.spend)


forces = st.tuples(
    st.integers(0, 300),
    st.integers(1, 6),
    st.integers(0, 60),
    st.integers(1, 12),
    st.floats(0.0, 1.0),
)


@settings(max_examples=60, deadline=None)
@given(forces, forces, st.floats(0.3, 0.95), st.floats(200, 1500))
def test_properties(fa, fb, pk, w80):
    """r in (0, 1]; FSI symmetric in the labels; identical sides give r_A = r_B."""
    a = side("A", *fa, w80=w80)
    b = side("B", *fb, w80=w80)
    ab = kent_thaler(a, b, pk, pk)
    ba = kent_thaler(b, a, pk, pk)
    assert 0.0 <= float(ab.r_a) <= 1.0 and 0.0 <= float(ab.r_b) <= 1.0
    assert float(ab.fsi) == pytest.approx(float(ba.fsi), abs=1e-12)
    aa = kent_thaler(a, a, pk, pk)
    assert float(aa.r_a) == pytest.approx(float(aa.r_b), abs=1e-12)


def _same_strike(*args, **kwargs):  # type: ignore[no-untyped-def]
    grid = first_strike(*args[:3], KentThalerParams(search="grid"), **kwargs)
    bound = first_strike(*args[:3], KentThalerParams(search="bound"), **kwargs)
    np.testing.assert_array_equal(bound.spend, grid.spend)
    np.testing.assert_array_equal(bound.cost_to_strikers, grid.cost_to_strikers)
    np.testing.assert_array_equal(bound.cost_to_victims, grid.cost_to_victims)


@settings(max_examples=60, deadline=None)
@given(forces, forces, st.floats(0.3, 0.95), st.floats(200, 1500), st.floats(0.0, 400.0))
def test_bound_search_is_the_grid_search(fa, fb, pk, w80, reserve):
    """Branch and bound gives exactly the grid's spend and costs (tolerance zero), with the
    reserves and follow-on term of the three-party rules too."""
    a = side("A", *fa, w80=w80)
    b = side("B", *fb)
    _same_strike([a], [b], pk)
    _same_strike(
        [a], [b], pk, reserve=reserve, victim_reserve=[reserve / 2], victim_follow_on=[0.7]
    )


@settings(max_examples=40, deadline=None)
@given(forces, forces, forces, st.floats(0.3, 0.95), st.floats(0.2, 5.0))
def test_bound_search_is_the_grid_search_for_coalitions(fa, fb, fc, pk, weight):
    """Two strikers pooled on one victim, and one striker on two victims (weighted)."""
    a, b, c = side("A", *fa), side("B", *fb, w80=600.0), side("C", *fc, w80=1200.0)
    _same_strike([a, b], [c], pk, striker_weights=[1.0, weight])
    _same_strike([c], [a, b], np.full(4, pk), victim_weights=[weight, 1.0])


def test_bound_search_on_sample_rows_is_row_by_row():
    """Samples searched together get the answers they get one at a time."""
    rng = np.random.default_rng(7)
    n = 40
    a = StrikeSide.from_systems(
        "A", rng.uniform(0, 500, (n, 2)), [1, 10], [True, False], rng.uniform(0, 1, (n, 2)), 900
    )
    b = StrikeSide.from_systems(
        "B", rng.uniform(0, 300, (n, 2)), [6, 10], [True, False], rng.uniform(0, 1, (n, 2)), 700
    )
    pk = rng.uniform(0.3, 0.95, (n, 2))
    together = first_strike([a], [b], pk)

    def row(sd: StrikeSide, i: int) -> StrikeSide:
        per_sample = {k for k, v in sd.__dict__.items() if isinstance(v, np.ndarray) and v.ndim}
        return replace(sd, **{k: getattr(sd, k)[i] for k in per_sample - {"class_fixed"}})

    for i in range(0, n, 7):
        ai, bi = row(a, i), row(b, i)
        one = first_strike([ai], [bi], pk[i])
        assert float(one.spend) == together.spend[i]
        assert float(one.cost_to_strikers[0]) == together.cost_to_strikers[i, 0]


@settings(max_examples=40, deadline=None)
@given(forces, forces, st.floats(0.3, 0.95))
def test_more_survivable_victim_report(fa, fb, pk):
    """Moving B's launchers out of reach never lowers B's survivors at A's chosen spend.

    (R-3765's finding that survivability raises stability is a claim about its cases, not a
    theorem; this checks only the accounting it rests on.)"""
    a = side("A", *fa)
    b = side("B", *fb)
    more = side("B", fb[0], fb[1], fb[2], fb[3], min(1.0, fb[4] + 0.2))
    s1 = float(first_strike([a], [b], pk).victim_survivors[0])
    s2 = float(first_strike([a], [more], pk).victim_survivors[0])
    assert s2 >= s1 - 1e-6


@settings(max_examples=80, deadline=None)
@given(
    forces,
    forces,
    forces,
    st.floats(0.2, 0.98),
    st.sampled_from([0.5, 0.75, 1.0, 1.5]),
    st.floats(0.0, 1.0),
    st.sampled_from([1.0, 2.0, 5.0]),
    st.booleans(),
    st.floats(0.0, 300.0),
)
def test_compiled_search_is_the_grid_search_everywhere(
    fa, fb, fc, pk, exponent, enemy_weight, step, lua, reserve
):
    """The compiled branch and bound (chord and tangent bounds) chooses the grid's spend for
    any damage exponent (concave and convex damage terms alike), enemy weight, spend step,
    launch under attack, two victims with reserves and follow-on costs, and two strikers."""
    params = {
        "damage_exponent": exponent,
        "enemy_weight": enemy_weight,
        "spend_step": step,
        "launch_under_attack": lua,
    }
    a, b, c = side("A", *fa), side("B", *fb, w80=500.0), side("C", *fc, w80=1300.0)
    for strikers, victims, kw in (
        ([a], [b, c], {"victim_reserve": [reserve, reserve / 3], "victim_follow_on": [0.5, 1]}),
        ([a, b], [c], {"reserve": reserve, "victim_reserve": [reserve], "striker_weights": [2, 1]}),
    ):
        pk_arr = np.full(sum(2 for _ in victims), pk)
        grid = first_strike(
            strikers, victims, pk_arr, KentThalerParams(search="grid", **params), **kw
        )
        fast = first_strike(strikers, victims, pk_arr, KentThalerParams(**params), **kw)
        np.testing.assert_array_equal(fast.spend, grid.spend)
        np.testing.assert_array_equal(fast.cost_to_victims, grid.cost_to_victims)
