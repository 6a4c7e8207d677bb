"""Inspection statistics against the worked examples of models.md 3.1-3.3 and SciPy."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import hypergeom

from tripolar.errors import InputError
from tripolar.verification import inspection as ins

TOL = 1e-4  # models.md section 0: probabilities, absolute 1e-4


@pytest.mark.parametrize(
    ("n_items", "d", "c", "p", "n_star", "p_star", "iaea"),
    [
        (300, 6, 0.90, 1.0, 95, 0.9006, 95.6),
        (300, 6, 0.90, 0.8, 119, 0.9005, None),
        (700, 35, 0.95, 1.0, 57, 0.9527, 57.4),
        (50, 5, 0.90, 1.0, 18, 0.9050, 18.5),
        (200, 20, 0.99, 1.0, 40, 0.9911, 41.1),
    ],
)
def test_models_table_3_1(
    n_items: int, d: int, c: float, p: float, n_star: int, p_star: float, iaea: float | None
) -> None:
    """models.md 3.1 table [C] (hypergeometric attribute sampling, Avenhaus & Canty 1996)."""
    plan = ins.inspections_needed(n_items, d, c, p)
    assert plan.reachable
    assert plan.inspections_needed == n_star
    assert plan.detection_probability == pytest.approx(p_star, abs=TOL)
    assert plan.detection_probability_one_fewer is not None
    assert plan.detection_probability_one_fewer < c
    if iaea is None:
        assert plan.iaea_approximation is None
    else:
        assert plan.iaea_approximation == pytest.approx(iaea, abs=0.05)
        # models.md says "within one item in all examples"; the 200/20/0.99 row is 1.13 away.
        assert abs(plan.iaea_approximation - n_star) < 1.2


def test_single_values_3_1() -> None:
    """models.md 3.1: N 300, d 6, n 30 gives 0.4715 (p = 1) and 0.3957 (p = 0.8)."""
    assert ins.detection_probability(300, 6, 30) == pytest.approx(0.4715, abs=TOL)
    assert ins.detection_probability(300, 6, 30, 0.8) == pytest.approx(0.3957, abs=TOL)


def test_clean_inspections_3_2() -> None:
    """models.md 3.2: upper bound N 400, n 50, alpha 0.05 -> 21; Bayes pi 0.2, q 0.3."""
    assert ins.upper_bound_violations(400, 50, 0.05) == 21
    # The bound is the largest d still consistent: d + 1 is not.
    assert hypergeom(400, 21, 50).pmf(0) >= 0.05 > hypergeom(400, 22, 50).pmf(0)
    post = ins.posterior_cheating(0.2, 0.3, [0, 1, 3, 5])
    np.testing.assert_allclose(post, [0.2, 0.1489, 0.0790, 0.0403], atol=TOL)
    assert ins.posterior_cheating(0.2, 0.3, 0) == pytest.approx(0.2)


def test_time_and_parties_3_3() -> None:
    """models.md 3.3: years, two inspecting parties, zone-by-zone reveal."""
    assert ins.detection_over_years([0.25, 0.25, 0.25])[-1] == pytest.approx(0.5781, abs=TOL)
    assert ins.detection_probability(40, 1, 10) == pytest.approx(0.25, abs=1e-12)
    assert ins.two_party_detection(40, 1, 10, pooled=True) == pytest.approx(0.5, abs=TOL)
    assert ins.two_party_detection(40, 1, 10, pooled=False) == pytest.approx(0.4375, abs=TOL)
    for s, expected in [(1, 0.1), (5, 0.4474), (10, 0.7632)]:
        assert ins.zone_reveal_probability(20, 2, s) == pytest.approx(expected, abs=TOL)


def test_new_start_regime() -> None:
    """New START Protocol Part Five Section VI (CRS R41219): 10 Type One + 8 Type Two a year."""
    assert ins.NEW_START.inspections_per_year == {"type_one": 10, "type_two": 8}
    assert ins.NEW_START.total_inspections_per_year == 18
    assert ins.NEW_START.data_exchanges_per_year == 2
    assert "R41219" in ins.NEW_START.source


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 400), st.data())
def test_agrees_with_scipy_hypergeom(n_items: int, data: st.DataObject) -> None:
    d = data.draw(st.integers(0, n_items))
    n = data.draw(st.integers(0, n_items))
    expected = 1.0 - hypergeom(n_items, d, n).pmf(0)
    assert ins.detection_probability(n_items, d, n) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 300), st.data())
def test_imperfect_detection_agrees_with_scipy(n_items: int, data: st.DataObject) -> None:
    d = data.draw(st.integers(0, n_items))
    n = data.draw(st.integers(0, n_items))
    p = data.draw(st.floats(0.0, 1.0))
    k = np.arange(0, min(d, n) + 1)
    expected = 1.0 - float(np.sum(hypergeom(n_items, d, n).pmf(k) * (1.0 - p) ** k))
    assert ins.detection_probability(n_items, d, n, p) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 500), st.data())
def test_monotone_in_n_d_p(n_items: int, data: st.DataObject) -> None:
    d = data.draw(st.integers(0, n_items - 1))
    n = data.draw(st.integers(0, n_items - 1))
    p = data.draw(st.floats(0.0, 0.99))
    base = ins.detection_probability(n_items, d, n, p)
    eps = 1e-12
    assert ins.detection_probability(n_items, d, n + 1, p) >= base - eps
    assert ins.detection_probability(n_items, d + 1, n, p) >= base - eps
    assert ins.detection_probability(n_items, d, n, p + 0.01) >= base - eps


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 2000), st.data())
def test_n_star_is_minimal(n_items: int, data: st.DataObject) -> None:
    d = data.draw(st.integers(1, n_items))
    c = data.draw(st.floats(0.01, 0.999))
    p = data.draw(st.sampled_from([1.0, 0.9, 0.5, 0.1]))
    plan = ins.inspections_needed(n_items, d, c, p)
    if not plan.reachable:
        assert ins.detection_probability(n_items, d, n_items, p) < c
        return
    n = plan.inspections_needed
    assert n is not None
    # Ties are decided exactly (test_planner_matches_exact_brute_force); the float
    # probability of an exact tie may round either side of c.
    assert ins.detection_probability(n_items, d, n, p) >= c - 1e-9
    if n > 0:
        assert ins.detection_probability(n_items, d, n - 1, p) < c + 1e-9


def test_unreachable_with_imperfect_detection() -> None:
    """One violation, p = 0.5: even inspecting every item detects it only half the time."""
    plan = ins.inspections_needed(10, 1, 0.9, 0.5)
    assert not plan.reachable
    assert plan.inspections_needed is None
    assert plan.detection_probability == pytest.approx(0.5)
    assert not ins.inspections_needed(10, 0, 0.5).reachable


def test_perfect_detection_can_need_every_item_but_one() -> None:
    plan = ins.inspections_needed(100, 1, 1.0)
    assert plan.inspections_needed == 100
    assert ins.inspections_needed(100, 3, 1.0).inspections_needed == 98


def test_million_items_no_overflow() -> None:
    """N = 10^6: finite probabilities, agreement with SciPy and the IAEA approximation."""
    big = 1_000_000
    p = ins.detection_probability(big, 100, 30_000)
    assert p == pytest.approx(1.0 - hypergeom(big, 100, 30_000).pmf(0), abs=1e-9)
    plan = ins.inspections_needed(big, 100, 0.95)
    assert plan.inspections_needed is not None and plan.iaea_approximation is not None
    assert abs(plan.inspections_needed - plan.iaea_approximation) <= 2.0
    imperfect = ins.inspections_needed(big, 1000, 0.99, 0.7)
    assert imperfect.reachable and 0.99 <= imperfect.detection_probability < 1.0
    assert ins.upper_bound_violations(big, 10_000, 0.05) > 0
    curve = ins.detection_curve(big, 50, [0, 1000, 100_000, big])
    assert curve[0] == 0.0 and curve[-1] == 1.0 and np.all(np.diff(curve) >= 0)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: ins.detection_probability(-1, 0, 0), "n_items"),
        (lambda: ins.detection_probability(10, 11, 0), "n_violations"),
        (lambda: ins.detection_probability(10, 1, 11), "n_inspected"),
        (lambda: ins.detection_probability(10, 1, 2, 1.5), "p_detect"),
        (lambda: ins.detection_probability(10.0, 1, 2), "n_items"),
        (lambda: ins.inspections_needed(10, 1, 0.0), "confidence"),
        (lambda: ins.upper_bound_violations(10, 1, 0.0), "alpha"),
        (lambda: ins.posterior_cheating(0.2, 0.3, [-1]), "k_clean"),
        (lambda: ins.detection_over_years([0.2, 1.2]), "q_per_year"),
    ],
)
def test_bad_arguments_name_the_field(call, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 60), st.data())
def test_pooling_never_worse(n_items: int, data: st.DataObject) -> None:
    d = data.draw(st.integers(0, n_items))
    n = data.draw(st.integers(0, n_items))
    assume(n_items > 0)
    pooled = ins.two_party_detection(n_items, d, n, pooled=True)
    indep = ins.two_party_detection(n_items, d, n, pooled=False)
    assert pooled >= indep - 1e-12


# --------------------------------------------------------------------------- exact planner


def _exact_detection_curve(n_items: int, d: int, p: Fraction) -> list[Fraction]:
    """Exact P(detect >= 1) for n = 0..N, from math.comb and fractions.Fraction only."""
    if p == 1:
        # P(miss) = C(N-d, n) / C(N, n); each n from the one before.
        miss, out = Fraction(1), []
        for n in range(n_items + 1):
            out.append(1 - miss)
            if n < n_items:
                miss *= Fraction(max(0, n_items - d - n), n_items - n)
        return out
    q = 1 - p
    return [
        1
        - sum(
            (
                Fraction(comb(d, k) * comb(n_items - d, n - k), comb(n_items, n)) * q**k
                for k in range(max(0, n - (n_items - d)), min(d, n) + 1)
            ),
            Fraction(0),
        )
        for n in range(n_items + 1)
    ]


def _check_plans(n_items: int, p: Fraction, confidences: list[float]) -> None:
    for d in range(n_items + 1):
        curve = _exact_detection_curve(n_items, d, p)
        for c in confidences:
            target = Fraction(repr(c))  # the decimal the user typed: 0.95 is 19/20
            wanted = next((n for n, v in enumerate(curve) if v >= target), None)
            plan = ins.inspections_needed(n_items, d, c, float(p))
            assert plan.inspections_needed == wanted, (n_items, d, c, p)
            assert plan.reachable is (wanted is not None)
            if wanted is not None:
                assert plan.detection_probability == pytest.approx(float(curve[wanted]), abs=1e-12)
                if wanted > 0:
                    before = plan.detection_probability_one_fewer
                    assert before == pytest.approx(float(curve[wanted - 1]), abs=1e-12)


FINE = [k / 100 for k in range(50, 100)]  # 0.50, 0.51, ..., 0.99


@pytest.mark.parametrize("n_items", [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 25, 32])
def test_planner_matches_exact_brute_force(n_items: int) -> None:
    """Every d and every confidence 0.50-0.99 (steps of 0.01) against the exact smallest n
    (fractions.Fraction), ties included: with 1 violation among 20 items, 19 inspections
    detect with probability exactly 0.95."""
    _check_plans(n_items, Fraction(1), FINE)


@pytest.mark.parametrize("n_items", [50, 100, 400])
def test_planner_matches_exact_brute_force_large(n_items: int) -> None:
    """N 50, 100 and 400, every d, the confidences that tie most often (0.95 at N 100, d 1,
    n 95: miss 5/100 exactly) and some that do not."""
    _check_plans(n_items, Fraction(1), [0.5, 0.75, 0.9, 0.95, 0.99])


@pytest.mark.parametrize("p", [Fraction(1, 2), Fraction(4, 5)])
@pytest.mark.parametrize("n_items", [1, 2, 3, 5, 8, 13, 20])
def test_planner_exact_with_imperfect_detection(n_items: int, p: Fraction) -> None:
    """p_detect 0.5 and 0.8: sum_k Hyp(k) (1 - p)^k in exact arithmetic; 0.5 gives ties
    (one violation among 2 items, one inspection, p 0.5: 0.25 + ... exactly)."""
    _check_plans(n_items, p, [k / 20 for k in range(10, 20)] + [0.99])


def test_issue_case_and_item_limit() -> None:
    """100 items, 1 violation, confidence 0.95: 95 inspections miss with probability
    5/100 = 0.05 exactly, so 95 is the answer (not 96)."""
    plan = ins.inspections_needed(100, 1, 0.95)
    assert plan.inspections_needed == 95
    assert plan.detection_probability == 0.95
    assert ins.upper_bound_violations(100, 95, 0.05) == 1  # C(5,1)/C(100,1) = 0.05 >= 0.05
    with pytest.raises(InputError) as err:
        ins.inspections_needed(ins.MAX_ITEMS + 1, 1, 0.95)
    assert err.value.field == "n_items"
    with pytest.raises(InputError):
        ins.inspections_needed(2**63, 1, 0.95)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 40), st.data())
def test_vectorised_miss_agrees_with_scipy(n_items: int, size: int, data: st.DataObject) -> None:
    """The one hypergeometric function, over arrays of mixed d, n and p at once, against
    scipy.stats.hypergeom term by term."""
    ds = np.array(data.draw(st.lists(st.integers(0, n_items), min_size=size, max_size=size)))
    ns = np.array(data.draw(st.lists(st.integers(0, n_items), min_size=size, max_size=size)))
    ps = np.array(data.draw(st.lists(st.floats(0, 1), min_size=size, max_size=size)))
    got = ins.hypergeometric_miss_probability(n_items, ds, ns, ps)
    assert got.shape == (size,)
    for g, d, n, p in zip(got, ds, ns, ps, strict=True):
        k = np.arange(0, min(d, n) + 1)
        expected = float(np.sum(hypergeom(n_items, d, n).pmf(k) * (1.0 - p) ** k))
        assert g == pytest.approx(expected, abs=1e-9)


def test_vectorised_miss_large_batches() -> None:
    """A batch of 200,000 samples (three chunks internally) equals the same values one at a time,
    and the N = 10^6 case agrees with SciPy."""
    rng = np.random.default_rng(4)
    d = rng.integers(0, 50, 200_000)
    n = rng.integers(0, 30, 200_000)
    p = rng.random(200_000)
    batch = ins.hypergeometric_miss_probability(200, d, n, p)
    for i in (0, 17, 199_999):
        assert batch[i] == ins.hypergeometric_miss_probability(200, d[i], n[i], p[i])
    big = ins.hypergeometric_miss_probability(10**6, 100, np.array([0, 30_000, 10**6]))
    assert big[1] == pytest.approx(hypergeom(10**6, 100, 30_000).pmf(0), rel=1e-6)
    assert big[0] == 1.0 and big[2] == 0.0
