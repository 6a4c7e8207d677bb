"""Bargaining solutions: worked examples of models.md 5.1-5.4 and axiomatic properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tripolar.errors import InputError
from tripolar.negotiation.bargaining import (
    FiniteProblem,
    egalitarian_continuous,
    egalitarian_solution,
    ideal_point,
    ideal_point_continuous,
    kalai_smorodinsky_continuous,
    kalai_smorodinsky_solution,
    nash_continuous,
    nash_solution,
    pareto_frontier,
    solve_finite,
    weight_sensitivity,
    zopa,
)


def sphere(u: np.ndarray) -> float:
    return float(u @ u - 1.0)


def twelve_units() -> np.ndarray:
    out = [(a, b, 12 - a - b) for a in range(13) for b in range(13 - a)]
    return np.array(out, dtype=float).T / 12.0


def test_sphere_octant_nash() -> None:
    """Nash (1950) on S = {u >= 0, |u| <= 1}, d = (0.1, 0.2, 0.3) (models.md 5.4 [C]):
    u = (0.515568, 0.573554, 0.636573), product 0.052249, u_i (u_i - d_i) = 0.214253."""
    d = np.array([0.1, 0.2, 0.3])
    s = nash_continuous(sphere, d, parties=("US", "RU", "CN"))
    assert s.utilities is not None
    np.testing.assert_allclose(s.utilities, [0.515568, 0.573554, 0.636573], atol=1e-5)
    assert s.nash_product == pytest.approx(0.052249, abs=1e-6)
    np.testing.assert_allclose(s.utilities * (s.utilities - d), 0.214253, atol=1e-5)
    assert s.to_dict()["utilities"]["CN"] == pytest.approx(0.636573, abs=1e-5)


def test_sphere_octant_ks_and_egalitarian() -> None:
    """Kalai & Smorodinsky (1975) and Kalai (1977) on the sphere octant (models.md 5.4 [C]):
    a = (0.932738, 0.948683, 0.974679); KS u = (0.515495, 0.573556, 0.636631),
    lambda* = 0.49895; egalitarian u = (0.471548, 0.571548, 0.671548)."""
    d = np.array([0.1, 0.2, 0.3])
    a = ideal_point_continuous(sphere, d)
    assert a is not None
    np.testing.assert_allclose(a, [0.932738, 0.948683, 0.974679], atol=1e-5)
    ks = kalai_smorodinsky_continuous(sphere, d)
    assert ks.utilities is not None
    np.testing.assert_allclose(ks.utilities, [0.515495, 0.573556, 0.636631], atol=1e-5)
    assert ks.criterion == pytest.approx(0.49895, abs=1e-5)
    # KS lies on the d-a segment
    direction = (ks.utilities - d) / (a - d)
    np.testing.assert_allclose(direction, direction[0], atol=1e-9)
    eg = egalitarian_continuous(sphere, d)
    assert eg.utilities is not None
    np.testing.assert_allclose(eg.utilities, [0.471548, 0.571548, 0.671548], atol=1e-6)


def test_sphere_symmetric() -> None:
    """d = 0 on the sphere octant: Nash = KS = (0.57735, 0.57735, 0.57735) (models.md 5.4)."""
    d = np.zeros(3)
    for s in (
        nash_continuous(sphere, d),
        kalai_smorodinsky_continuous(sphere, d),
        egalitarian_continuous(sphere, d),
    ):
        assert s.utilities is not None
        np.testing.assert_allclose(s.utilities, 1 / np.sqrt(3), atol=1e-5)


def test_linear_frontier_nash_equals_ks() -> None:
    """u1 + 0.5 u2 + 2 u3 = 1, d = (0.1, 0.2, 0.05): Nash = KS = (1/3, 2/3, 1/6)
    (models.md 5.2 closed form u_i = d_i + (1 - w.d) / (n w_i) and 5.4 [C])."""
    w = np.array([1.0, 0.5, 2.0])
    d = np.array([0.1, 0.2, 0.05])
    expected = d + (1 - w @ d) / (3 * w)
    np.testing.assert_allclose(expected, [1 / 3, 2 / 3, 1 / 6], atol=1e-12)
    nash = nash_continuous(lambda u: float(w @ u - 1), d)
    ks = kalai_smorodinsky_continuous(lambda u: float(w @ u - 1), d)
    assert nash.utilities is not None and ks.utilities is not None
    np.testing.assert_allclose(nash.utilities, expected, atol=1e-6)
    np.testing.assert_allclose(ks.utilities, expected, atol=1e-9)


def test_weighted_nash_linear_frontier() -> None:
    """Harsanyi & Selten (1972): with powers p on a linear frontier w.u = 1 the surplus is
    split in proportion to p: u_i = d_i + p_i (1 - w.d) / (sum(p) w_i)."""
    w = np.array([1.0, 0.5, 2.0])
    d = np.array([0.1, 0.2, 0.05])
    p = np.array([2.0, 1.0, 1.0])
    s = nash_continuous(lambda u: float(w @ u - 1), d, weights=p)
    assert s.utilities is not None
    np.testing.assert_allclose(s.utilities, d + p * (1 - w @ d) / (p.sum() * w), atol=1e-6)


def test_twelve_units_discrete() -> None:
    """12 indivisible units, u_i = share/12, d = 0 (models.md 5.4 [C]): 91 outcomes, all
    Pareto optimal; Nash = KS = egalitarian = (1/3, 1/3, 1/3)."""
    u = twelve_units()
    assert u.shape == (3, 91)
    r = solve_finite(u, np.zeros(3), ("US", "RU", "CN"))
    assert r.pareto.size == 91
    for s in r.solutions:
        assert s.utilities is not None and s.agreement
        np.testing.assert_allclose(s.utilities, 1 / 3)
    frame = r.to_frame()
    assert list(frame["method"]) == ["nash", "kalai_smorodinsky", "egalitarian"]


@pytest.mark.parametrize(
    ("d", "expected"),
    [((0.3, 0.3, 0.3), [(4, 4, 4)]), ((0.4, 0.4, 0.4), []), ((0.25, 0.3, 0.35), [])],
)
def test_twelve_units_zopa(d: tuple[float, ...], expected: list[tuple[int, ...]]) -> None:
    """models.md 5.1 [C]: d = 0.3 each -> ZOPA = {(4, 4, 4)}; d = 0.4 each or
    (0.25, 0.3, 0.35) -> empty (demands exceed the whole once rounded up to units)."""
    u = twelve_units()
    idx = zopa(u, np.array(d))
    got = [tuple(round(x) for x in u[:, i] * 12) for i in idx]
    assert got == expected
    r = solve_finite(u, np.array(d))
    assert all(s.agreement == bool(expected) for s in r.solutions)
    if not expected:
        assert r.nash.utilities is None and "empty ZOPA" in r.nash.note


def test_pareto_filter_small() -> None:
    u = np.array([[1, 2, 2, 0, 2], [1, 1, 0, 3, 1]], dtype=float)
    # (2,1) dominates (1,1) and (2,0); duplicate (2,1) kept; (0,3) non-dominated
    assert pareto_frontier(u).tolist() == [1, 3, 4]


@settings(max_examples=100, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 4), st.integers(1, 30)),
        elements=st.integers(0, 6).map(float),
    )
)
def test_pareto_matches_bruteforce(u: np.ndarray) -> None:
    n = u.shape[1]
    brute = [
        i
        for i in range(n)
        if not any(np.all(u[:, j] >= u[:, i]) and np.any(u[:, j] > u[:, i]) for j in range(n))
    ]
    assert pareto_frontier(u).tolist() == brute


def test_nash_maximises_product_on_sphere_grid() -> None:
    """The continuous Nash point beats every point of a fine grid of the frontier."""
    d = np.array([0.1, 0.2, 0.3])
    s = nash_continuous(sphere, d)
    assert s.nash_product is not None
    th = np.linspace(0.01, np.pi / 2 - 0.01, 300)
    ph = np.linspace(0.01, np.pi / 2 - 0.01, 300)
    t, p = np.meshgrid(th, ph)
    pts = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)])
    gains = pts - d[:, None, None]
    prod = np.where(np.all(gains > 0, axis=0), np.prod(gains, axis=0), 0.0)
    assert s.nash_product >= prod.max() - 1e-9
    assert s.nash_product - prod.max() < 1e-4


@settings(max_examples=100, deadline=None)
@given(
    u=arrays(
        np.float64,
        st.tuples(st.just(3), st.integers(1, 25)),
        elements=st.floats(0, 10, allow_nan=False),
    ),
)
def test_finite_nash_is_the_grid_argmax(u: np.ndarray) -> None:
    """Nash on a finite set maximises the product of gains among ZOPA outcomes."""
    d = np.array([1.0, 1.0, 1.0])
    s = nash_solution(u, d)
    ok = np.all(u > d[:, None], axis=0)
    if not ok.any():
        assert not s.agreement
        return
    assert s.index is not None
    prods = np.prod(u[:, ok] - d[:, None], axis=0)
    assert np.prod(u[:, s.index] - d) >= prods.max() * (1 - 1e-12)
    # the chosen outcome is Pareto optimal within the whole set
    front = set(pareto_frontier(u).tolist())
    assert s.index in front


@settings(max_examples=100, deadline=None)
@given(
    u=arrays(
        np.float64,
        st.tuples(st.just(3), st.integers(1, 20)),
        elements=st.integers(-40, 40).map(lambda k: k / 8),
    ),
    alpha=st.lists(st.sampled_from([0.125, 0.5, 1.0, 2.0, 4.0, 16.0]), min_size=3, max_size=3),
    beta=st.lists(st.integers(-10, 10).map(float), min_size=3, max_size=3),
)
def test_affine_rescaling_invariance(u: np.ndarray, alpha: list[float], beta: list[float]) -> None:
    """Nash (1950) and KS (1975) choose the same outcome after u_i -> alpha_i u_i + beta_i.

    Utilities are multiples of 1/8 and scale factors powers of two, so that the rescaling
    is exact in floating point and the strict ZOPA test cannot flip by rounding."""
    d = np.array([-1.0, 0.0, -0.5])
    al, be = np.array(alpha), np.array(beta)
    u2, d2 = al[:, None] * u + be[:, None], al * d + be
    for solver in (nash_solution, kalai_smorodinsky_solution):
        s1, s2 = solver(u, d), solver(u2, d2)
        if s1.index is None:
            assert s2.index is None
            continue
        # ties may be resolved differently only if the criterion ties to rounding
        assert s2.index == s1.index or s2.index in s1.ties or s1.index in s2.ties


def test_affine_rescaling_continuous() -> None:
    """Rescaling one party's utility rescales the continuous Nash and KS solutions."""
    d = np.array([0.1, 0.2, 0.3])
    al, be = np.array([3.0, 1.0, 0.5]), np.array([-2.0, 0.0, 1.0])

    def scaled(v: np.ndarray) -> float:
        return sphere((v - be) / al)

    for solver in (nash_continuous, kalai_smorodinsky_continuous):
        s1, s2 = solver(sphere, d), solver(scaled, al * d + be)
        assert s1.utilities is not None and s2.utilities is not None
        np.testing.assert_allclose(s2.utilities, al * s1.utilities + be, atol=1e-5)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 8), min_size=2, max_size=10))
def test_symmetric_problem_symmetric_solution(values: list[int]) -> None:
    """Every permutation of every outcome is in S and d is symmetric: solutions are fixed
    by the permutation (their utility vector is symmetric or its permutations tie)."""
    pts = {
        perm
        for v in itertools.combinations_with_replacement(values, 3)
        for perm in itertools.permutations(v)
    }
    u = np.array(sorted(pts), dtype=float).T
    d = np.zeros(3)
    for solver in (nash_solution, kalai_smorodinsky_solution, egalitarian_solution):
        s = solver(u, d)
        if s.index is None:
            continue
        chosen = u[:, s.index]
        tied = {tuple(u[:, i]) for i in (s.index, *s.ties)}
        for perm in itertools.permutations(range(3)):
            assert tuple(chosen[list(perm)]) in tied


def test_finite_ks_criterion_and_ideal() -> None:
    u = np.array([[1.0, 0.6, 0.0, 0.5], [0.0, 0.6, 1.0, 0.5]])
    d = np.zeros(2)
    np.testing.assert_allclose(ideal_point(u, d), [1, 1])
    s = kalai_smorodinsky_solution(u, d)
    assert s.index == 1 and s.criterion == pytest.approx(0.6)
    assert egalitarian_solution(u, d).index == 1


def test_bad_inputs() -> None:
    with pytest.raises(InputError):
        nash_solution(np.ones(3), np.zeros(3))
    with pytest.raises(InputError):
        nash_solution(np.ones((3, 2)), np.zeros(2))
    with pytest.raises(InputError):
        nash_solution(np.ones((2, 2)), np.zeros(2), weights=[1, -1])
    with pytest.raises(InputError):
        solve_finite(np.ones((2, 2)), np.zeros(2), labels=["a"])


def test_continuous_no_agreement_when_d_outside() -> None:
    s = nash_continuous(sphere, np.array([0.9, 0.9, 0.9]))
    assert not s.agreement
    assert not kalai_smorodinsky_continuous(sphere, np.array([0.9, 0.9, 0.9])).agreement


def test_weight_sensitivity_detects_switch() -> None:
    """Two outcomes; party 1's weight on 'x' decides which one Nash picks."""

    def build(w):
        u = np.array([[1.0 + w["x"], 2.0], [2.0, 2.0]])
        return FiniteProblem(u, np.zeros(2))

    sens = weight_sensitivity(build, {"x": 1.0}, ("A", "B"), rel_step=0.2)
    frame = sens.to_frame()
    nash = frame[frame["method"] == "nash"].iloc[0]
    assert nash["base_index"] == 0 and nash["plus_index"] == 0 and nash["minus_index"] == 1
    assert bool(nash["changed"])
    stable = weight_sensitivity(build, {"x": 3.0}, ("A", "B"), rel_step=0.1).to_frame()
    row = stable[stable["method"] == "nash"].iloc[0]
    assert not bool(row["changed"]) and row["du_A"] == pytest.approx(1.0)
