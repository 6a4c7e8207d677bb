"""Richardson's arms-race model: worked examples, fitting, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.errors import InputError
from tripolar.projection.richardson import (
    RCOND,
    _jacobian_by_blocks,
    _solve_with_jacobian,
    analyse,
    fit_finite_differences,
    fit_history,
    fit_ode,
    leading_minors,
    scaled_covariance,
    system_matrix,
    trajectories,
    trajectory,
)

K3 = np.array([[0, 0.30, 0.20], [0.35, 0, 0.10], [0.25, 0.15, 0]])
A3 = np.array([0.6, 0.5, 0.4])
G3 = np.array([20.0, 15.0, 30.0])


def test_two_party_example() -> None:
    """Richardson (1939, 1960) two-party form; example computed in models.md 4.1 [C]:
    k 0.5, l 0.4, a 0.8, b 0.6, g 10, h 5 -> ab - kl = 0.28, x* = 30.357, y* = 28.571,
    eigenvalues -1.1583 and -0.2417."""
    r = analyse([[0, 0.5], [0.4, 0]], [0.8, 0.6], [10, 5])
    assert r.minors[1] == pytest.approx(0.28, abs=1e-12)
    assert r.stable and r.hawkins_simon and r.metzler
    assert r.equilibrium is not None
    np.testing.assert_allclose(r.equilibrium, [30.357, 28.571], atol=1e-3)
    np.testing.assert_allclose(np.sort(r.eigenvalues_per_yr.real), [-1.1583, -0.2417], atol=1e-4)
    # closed form of the two-party equilibrium
    det = 0.8 * 0.6 - 0.5 * 0.4
    assert r.equilibrium[0] == pytest.approx((0.6 * 10 + 0.5 * 5) / det)
    assert r.equilibrium[1] == pytest.approx((0.8 * 5 + 0.4 * 10) / det)


def test_three_party_example() -> None:
    """models.md 4.2 [C]: minors 0.6, 0.195, 0.026; eigenvalues -0.0527, -0.5507, -0.8966;
    x* = (378.846, 386.538, 456.731); integration from 0 reaches (378.84, 386.53, 456.72)
    at t = 200."""
    r = analyse(K3, A3, G3, ["US", "RU", "CN"])
    np.testing.assert_allclose(r.minors, [0.6, 0.195, 0.026], atol=1e-9)
    np.testing.assert_allclose(r.eigenvalues_per_yr.real, [-0.0527, -0.5507, -0.8966], atol=1e-4)
    assert r.equilibrium is not None
    np.testing.assert_allclose(r.equilibrium, [378.846, 386.538, 456.731], atol=1e-3)
    assert r.stable and r.hawkins_simon
    assert r.slowest_rate_per_yr == pytest.approx(-0.0527, abs=1e-4)
    assert r.time_scale_yr == pytest.approx(1 / 0.05265377, rel=1e-6)
    x200 = trajectory(K3, A3, G3, [0, 0, 0], [200.0])[0]
    np.testing.assert_allclose(x200, [378.84, 386.53, 456.72], atol=1e-2)


def test_three_party_runaway() -> None:
    """models.md 4.2 [C]: K x 2.5 gives minors 0.6, -0.356, -0.636 and eigenvalue +0.6278."""
    r = analyse(2.5 * K3, A3, G3)
    np.testing.assert_allclose(r.minors, [0.6, -0.35625, -0.63625], atol=1e-9)
    assert r.eigenvalues_per_yr[0].real == pytest.approx(0.6278, abs=1e-4)
    assert not r.stable and not r.hawkins_simon and r.time_scale_yr is None


def test_trajectory_matches_closed_form_and_ode() -> None:
    """x(t) = x* + expm(Mt)(x0 - x*) (Richardson 1960); checked against solve_ivp."""
    from scipy.integrate import solve_ivp
    from scipy.linalg import expm

    m = system_matrix(K3, A3)
    x_eq = np.linalg.solve(-m, G3)
    x0 = np.array([100.0, 50.0, 10.0])
    t = np.array([0.0, 1.0, 7.5, 30.0])
    got = trajectory(K3, A3, G3, x0, t)
    for k, tk in enumerate(t):
        np.testing.assert_allclose(got[k], x_eq + expm(m * tk) @ (x0 - x_eq), rtol=1e-10)
    sol = solve_ivp(lambda _t, x: m @ x + G3, (0, 30), x0, t_eval=t, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got, sol.y.T, rtol=1e-7)


def test_singular_system_has_no_equilibrium_but_a_trajectory() -> None:
    """a = 0, K = 0: dx/dt = g, x(t) = x0 + g t (limiting case)."""
    r = analyse(np.zeros((2, 2)), [0, 0], [5, -1])
    assert r.equilibrium is None and not r.stable
    np.testing.assert_allclose(
        trajectory(np.zeros((2, 2)), [0, 0], [5, -1], [1, 2], [3.0])[0], [16, -1]
    )


def test_finite_difference_bias() -> None:
    """models.md 4.3 [C]: on x = x0 + A e^(ct) sampled yearly, the fitted slope is
    2 tanh(c/2) (0.4898 for c = 0.5/yr) and the zero-growth level x0 is exact."""
    c, x0 = 0.5, 100.0
    t = np.arange(0, 12, dtype=float)
    fit = fit_finite_differences(t, x0 + 5 * np.exp(c * t))
    slope = -fit.fatigue_per_yr[0]
    assert slope == pytest.approx(2 * np.tanh(c / 2), abs=1e-10)
    assert slope == pytest.approx(0.4898, abs=1e-4)
    assert -fit.grievance_per_yr[0] / slope == pytest.approx(x0, rel=1e-10)
    # The ODE fit recovers c itself.
    ode = fit_ode(t, x0 + 5 * np.exp(c * t))
    assert -ode.fatigue_per_yr[0] == pytest.approx(c, rel=1e-5)


def test_ode_fit_recovers_coefficients_from_noisy_data() -> None:
    """Coefficients used to simulate data are recovered (models.md 6), seeded noise."""
    rng = np.random.default_rng(20261124)
    k, a, g = 0.5 * K3, A3 * 0.5, G3
    t = np.arange(0, 25, dtype=float)
    x = trajectory(k, a, g, [100, 300, 50], t)
    noisy = x * (1 + 0.002 * rng.standard_normal(x.shape))
    fit = fit_ode(t + 2000, noisy, ["US", "RU", "CN"])
    off = ~np.eye(3, dtype=bool)
    z_k = (fit.reaction[off] - k[off]) / fit.reaction_se[off]
    z_a = (fit.fatigue_per_yr - a) / fit.fatigue_se
    assert np.all(np.abs(np.concatenate([z_k, z_a])) < 5)
    np.testing.assert_allclose(fit.fatigue_per_yr, a, rtol=0.2)
    assert fit.analysis.stable
    frame = fit.to_frame()
    assert list(frame.columns) == ["parameter", "estimate", "se"]
    assert len(frame) == 6 + 3 + 3 + 3
    assert fit.to_dict()["method"] == "ode_least_squares"


@settings(max_examples=25, deadline=None)
@given(
    scale=st.floats(0.05, 0.6),
    a=st.lists(st.floats(0.1, 0.9), min_size=3, max_size=3),
)
def test_ode_fit_exact_data_recovers_parameters(scale: float, a: list[float]) -> None:
    """Exact simulated series -> the ODE fit returns the simulating coefficients."""
    k = scale * K3
    t = np.arange(0, 20, dtype=float)
    x = trajectory(k, a, G3, [50, 80, 20], t)
    fit = fit_ode(t, x)
    np.testing.assert_allclose(fit.fatigue_per_yr, a, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(fit.grievance_per_yr, G3, rtol=1e-3)


@settings(max_examples=100, deadline=None)
@given(
    k=st.lists(st.floats(0, 1), min_size=6, max_size=6),
    a=st.lists(st.floats(0.01, 1), min_size=3, max_size=3),
)
def test_stability_flag_equals_minor_test(k: list[float], a: list[float]) -> None:
    """Metzler M: eigenvalue test and Hawkins–Simon minors agree (models.md 4.2, 6)."""
    km = np.zeros((3, 3))
    km[~np.eye(3, dtype=bool)] = k
    r = analyse(km, a, [1, 1, 1])
    if np.min(np.abs(r.minors)) < 1e-9 or abs(r.slowest_rate_per_yr) < 1e-9:
        return  # on the boundary the two tests may differ by rounding
    assert r.stable == r.hawkins_simon
    if r.stable:
        assert r.equilibrium is not None and np.all(r.equilibrium >= 0)
        m = system_matrix(km, a)
        np.testing.assert_allclose(m @ r.equilibrium + 1, 0, atol=1e-8)


def test_leading_minors_identity() -> None:
    np.testing.assert_allclose(leading_minors(np.diag([2.0, 3.0])), [2, 6])


def test_fit_history_long_table() -> None:
    """fit_history takes the (state, year, value) table of the dataset loader."""
    t = np.arange(1990, 2011)
    x = trajectory(0.5 * K3, A3, G3, [100, 300, 50], t - 1990.0)
    rows = [
        {"state": s, "year": int(y), "value": float(x[k, i])}
        for k, y in enumerate(t)
        for i, s in enumerate(["US", "RU", "CN"])
    ]
    rows.append({"state": "UK", "year": 2000, "value": 1.0})
    fit = fit_history(pd.DataFrame(rows))
    assert fit.names == ("US", "RU", "CN")
    np.testing.assert_allclose(fit.fatigue_per_yr, A3, rtol=1e-4)
    fd = fit_history(pd.DataFrame(rows), method="finite_differences", year_min=1995)
    assert fd.years[0] == 1995


@pytest.mark.parametrize(
    ("frame", "kwargs", "field"),
    [
        (pd.DataFrame({"state": ["US"], "year": [2000]}), {}, "history"),
        (pd.DataFrame({"state": ["US"], "year": [2000], "value": [1.0]}), {}, "state"),
        (
            pd.DataFrame({"state": ["US"], "year": [2000], "value": [1.0]}),
            {"states": ("US",), "method": "magic"},
            "method",
        ),
    ],
)
def test_fit_history_bad_input(frame: pd.DataFrame, kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as exc:
        fit_history(frame, **kwargs)
    assert exc.value.field == field


def test_too_few_years_and_bad_series() -> None:
    with pytest.raises(InputError):
        fit_ode([2000, 2001, 2002], np.ones((3, 3)))
    with pytest.raises(InputError):
        fit_finite_differences([2000, 2001], np.ones((2, 3)))
    with pytest.raises(InputError):
        fit_finite_differences([2001, 2000, 2002], np.ones(3))


def _central_difference_jacobian(fun, theta: np.ndarray, rel_step: float) -> np.ndarray:
    """J[:, p] = (f(theta + h e_p) - f(theta - h e_p)) / 2h, h = rel_step * max(|theta_p|, 1e-3)."""
    cols = []
    for p in range(theta.size):
        h = rel_step * max(abs(theta[p]), 1e-3)
        e = np.zeros_like(theta)
        e[p] = h
        cols.append((fun(theta + e) - fun(theta - e)) / (2 * h))
    return np.column_stack(cols)


def _se_from_independent_jacobian(years, levels, fit) -> np.ndarray:
    """Standard errors from a central-difference Jacobian of the residuals, rebuilt here from
    the public trajectory() and the fit's weighting (levels over each party's peak), and a
    QR factorisation (not the SVD the library uses): cov = s^2 R^-1 R^-T in scaled space."""
    x = np.asarray(levels, dtype=float)
    tau = np.asarray(years, dtype=float) - float(years[0])
    scale = np.abs(x).max(axis=0)
    free = fit.free_reaction
    n, nk = x.shape[1], int(free.sum())

    def resid(theta: np.ndarray) -> np.ndarray:
        k = np.zeros((n, n))
        k[free] = theta[:nk]
        a, g, x0 = theta[nk : nk + n], theta[nk + n : nk + 2 * n], theta[nk + 2 * n :]
        return ((trajectory(k, a, g, x0, tau) - x) / scale).ravel()

    theta = fit.params
    jac = _central_difference_jacobian(resid, theta, 1e-5)
    r = resid(theta)
    s2 = r @ r / (x.size - theta.size)
    d = np.linalg.norm(jac, axis=0)
    _, upper = np.linalg.qr(jac / d)
    inv = np.linalg.inv(upper)
    return np.sqrt(np.diag(s2 * (inv @ inv.T) / np.outer(d, d)))


def test_standard_errors_match_central_difference_jacobian_on_bundled_series() -> None:
    """The default window of the bundled FAS series (1995-2025), condition number ~1e6: the
    reported standard errors equal those of an independent central-difference Jacobian to
    0.1 % (the two agree to ~1e-5; central differences with h = 1e-5 |theta| are accurate
    to ~1e-10, amplified by the condition number). The former pinv(J^T J) gave g and x0
    errors 1e5-1e8 times too small, which this would catch."""
    from tripolar.projection.history import fit_dataset_history, stockpile_history

    fit = fit_dataset_history()
    wide = stockpile_history().pivot_table(index="year", columns="state", values="value")
    levels = wide.loc[fit.years.astype(int), list(fit.names)].to_numpy(dtype=float)
    expected = _se_from_independent_jacobian(fit.years, levels, fit)
    got = np.sqrt(np.diag(fit.covariance))
    np.testing.assert_allclose(got, expected, rtol=1e-3)
    assert 1e3 < fit.condition_number < 1e9  # ill-conditioned, yet well inside 1 / RCOND
    # Grievance and initial-level errors are hundreds of warheads, not thousandths.
    se = dict(zip(fit.param_names, got, strict=True))
    assert se["g[US]"] > 10 and se["x0[RU]"] > 10


def test_standard_errors_match_central_differences_on_simulated_series() -> None:
    """Noisy simulated three-party series (well conditioned): same check, 0.1 %."""
    rng = np.random.default_rng(5)
    t = np.arange(0, 20, dtype=float)
    x = trajectory(0.5 * K3, 0.5 * A3, G3, [100, 300, 50], t)
    x = x * (1 + 0.01 * rng.standard_normal(x.shape))
    fit = fit_ode(t, x)
    expected = _se_from_independent_jacobian(t, x, fit)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.covariance)), expected, rtol=1e-3)
    assert fit.converged and fit.identified


def test_scaled_covariance_on_badly_scaled_linear_model() -> None:
    """Linear least squares y = X b: cov = s^2 (X^T X)^-1 exactly. With columns of scale 1e-6
    and 1e6 (J^T J condition ~1e26) the scaled SVD keeps every direction; the unscaled
    pseudo-inverse does not (limiting case of the bug this replaces)."""
    rng = np.random.default_rng(0)
    base = rng.standard_normal((40, 3))
    cols = np.array([1e-6, 1.0, 1e6])
    x = base * cols
    cov, cond = scaled_covariance(x, 2.0)
    b_inv = np.linalg.inv(base.T @ base)
    np.testing.assert_allclose(cov, 2.0 * b_inv / np.outer(cols, cols), rtol=1e-9)
    assert cond < 10
    old = 2.0 * np.linalg.pinv(x.T @ x)
    assert old[0, 0] < 1e-3 * cov[0, 0]


def test_scaled_covariance_undetermined_direction_is_infinite() -> None:
    """Two identical columns: their difference is not determined, so both get an infinite
    variance (a pseudo-inverse would report a finite one); the third stays finite."""
    rng = np.random.default_rng(1)
    a, c = rng.standard_normal(30), rng.standard_normal(30)
    cov, cond = scaled_covariance(np.column_stack([a, a, c]), 1.0)
    assert np.isinf(cov[0, 0]) and np.isinf(cov[1, 1]) and np.isfinite(cov[2, 2])
    assert cond > 1 / RCOND


@settings(max_examples=20, deadline=None)
@given(
    k=st.lists(st.floats(-0.3, 0.3), min_size=6, max_size=6),
    a=st.lists(st.floats(-0.2, 0.5), min_size=3, max_size=3),
    g=st.lists(st.floats(-100, 100), min_size=3, max_size=3),
)
def test_sensitivity_jacobian_eigen_route_equals_block_exponential(
    k: list[float], a: list[float], g: list[float]
) -> None:
    """The fast (eigen-decomposition) Jacobian equals the block matrix exponential one."""
    free = ~np.eye(3, dtype=bool)
    theta = np.array([*k, *a, *g, 1000.0, 2000.0, 300.0])
    tau = np.array([0.0, 5.0, 10.0, 13.0, 14.0])
    lv1, j1 = _solve_with_jacobian(theta, 3, free, tau)
    lv2, j2 = _jacobian_by_blocks(theta, 3, free, tau)
    np.testing.assert_allclose(lv1, lv2, rtol=1e-8, atol=1e-8 * np.abs(lv2).max())
    np.testing.assert_allclose(j1, j2, rtol=1e-7, atol=1e-7 * np.abs(j2).max())


def test_trajectories_equal_trajectory() -> None:
    rng = np.random.default_rng(3)
    ks = rng.uniform(0, 0.3, (4, 3, 3))
    a_s, g_s = rng.uniform(0.1, 0.5, (4, 3)), rng.uniform(0, 50, (4, 3))
    t = np.array([0.0, 1.0, 2.5, 7.0, 8.0])
    got = trajectories(ks, a_s, g_s, [10, 20, 30], t)
    for s in range(4):
        np.testing.assert_allclose(got[s], trajectory(ks[s], a_s[s], g_s[s], [10, 20, 30], t))
