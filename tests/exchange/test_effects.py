"""Tests of the weapon-effects models against the worked examples of models.md section 1.

Each example test names the primary source of the model; the numbers themselves were computed
for tripolar's reference (double precision) and carry the reference's tolerances: probabilities
absolute 1e-4, radii relative 1e-3, indices absolute 1e-3 unless stated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from tripolar.errors import InputError
from tripolar.exchange import effects as fx
from tripolar.exchange.backend import kill_probability_matrix

P_TOL = 1e-4
R_REL = 1e-3

# (yield kt, CEP m, hardness psi, LR m, (LR/CEP)^2, SSKP, TKP with R = 0.9, two on one)
TABLE_1_7 = [
    (455, 90, 3000, 258.8, 8.267, 0.9968, 0.8971, 0.9894),
    (455, 90, 2000, 296.2, 10.832, 0.9995, 0.8995, 0.9899),
    (300, 120, 2000, 257.8, 4.616, 0.9592, 0.8633, 0.9813),
    (300, 120, 3000, 225.2, 3.523, 0.9130, 0.8217, 0.9682),
    (90, 100, 3000, 150.8, 2.273, 0.7931, 0.7138, 0.9181),
    (335, 200, 2000, 267.5, 1.789, 0.7105, 0.6395, 0.8700),
    (1000, 185.2, 1000, 485.2, 6.864, 0.9914, 0.8923, 0.9884),
]


# --------------------------------------------------------------------------------------------
# Worked examples
# --------------------------------------------------------------------------------------------


def test_cube_root_scaling_example() -> None:
    """Cube-root scaling (Glasstone & Dolan 1977, ch. 3): 1,000 psi at 48.52 m for 1 kt is at
    48.52 * 455^(1/3) = 373.2 m for 455 kt, the closed form's own value."""
    lr_1kt = fx.lethal_radius_m(1.0, 1000.0)
    assert float(lr_1kt) == pytest.approx(48.52, rel=R_REL)
    assert float(fx.lethal_radius_m(455.0, 1000.0)) == pytest.approx(373.2, rel=R_REL)
    assert float(fx.lethal_radius_m(455.0, 1000.0)) == pytest.approx(
        float(lr_1kt) * 455 ** (1 / 3), rel=1e-12
    )


def test_lethal_radius_1kt_row_of_brode_cross_check() -> None:
    """Closed-form row of the 2.62-constant cross-check (form of Davis & Schilling 1973 and
    Tsipis 1975): 1 kt at 100..5,000 psi gives 104.5, 72.5, 48.5, 38.5, 33.6, 28.4 m."""
    hardness = np.array([100, 300, 1000, 2000, 3000, 5000], dtype=float)
    expected = np.array([104.5, 72.5, 48.5, 38.5, 33.6, 28.4])
    np.testing.assert_allclose(fx.lethal_radius_m(1.0, hardness), expected, rtol=1.5e-3)


@pytest.mark.parametrize("row", TABLE_1_7)
def test_kill_probability_table(row: tuple[float, ...]) -> None:
    """Worked table (models.md 1.7) of the Davis & Schilling (1973) / Tsipis (1975) chain:
    LR (2.62 closed form), SSKP = 1 - 0.5^((LR/CEP)^2), TKP = R SSKP with R = 0.9, and two
    independent warheads 1 - (1 - TKP)^2."""
    y, cep, h, lr_exp, ratio_exp, sskp_exp, tkp_exp, two_exp = row
    lr = fx.lethal_radius_m(y, h)
    assert float(lr) == pytest.approx(lr_exp, rel=R_REL)
    assert float((lr / cep) ** 2) == pytest.approx(ratio_exp, abs=1e-3)
    s = fx.sskp(lr, cep)
    assert float(s) == pytest.approx(sskp_exp, abs=P_TOL)
    tkp = fx.terminal_kill_probability(s, 0.9)
    assert float(tkp) == pytest.approx(tkp_exp, abs=P_TOL)
    assert float(fx.kill_probability_n(tkp, 2)) == pytest.approx(two_exp, abs=P_TOL)


def test_table_vectorised_equals_rows() -> None:
    """The same table computed in one broadcast call (Davis & Schilling 1973 chain)."""
    arr = np.array(TABLE_1_7)
    s = fx.sskp(fx.lethal_radius_m(arr[:, 0], arr[:, 2]), arr[:, 1])
    np.testing.assert_allclose(s, arr[:, 5], atol=P_TOL)
    assert s.shape == (len(TABLE_1_7),)


def test_sskp_through_lethality_k() -> None:
    """Equivalent K form (Tsipis 1975): SSKP = 1 - 2^(-6.8644 K / H^(2/3)) with K in
    Mt^(2/3)/nmi^2, for the W87 case (300 kt, 120 m, 2,000 psi) -> 0.9592."""
    k = fx.lethality_k(300, 120)
    via_k = 1 - 2 ** (-(2.62**2) * float(k) / 2000 ** (2 / 3))
    six_point_eight = 2.62**2
    assert six_point_eight == pytest.approx(6.8644, abs=1e-4)
    assert via_k == pytest.approx(float(fx.sskp(fx.lethal_radius_m(300, 2000), 120)), abs=1e-12)
    assert via_k == pytest.approx(0.9592, abs=P_TOL)


@pytest.mark.parametrize(
    ("bias_m", "exact", "heuristic"),
    [(0.0, 0.9592, 0.9592), (60.0, 0.9355, 0.9227), (120.0, 0.8534, 0.7980)],
)
def test_bias_table(bias_m: float, exact: float, heuristic: float) -> None:
    """Bias (Bunn & Tsipis 1983): exact non-central chi-square SSKP for W87-class 300 kt, CEP
    120 m, 2,000 psi (LR 257.8 m) and the pessimistic sqrt(CEP^2 + b^2) heuristic."""
    lr = fx.lethal_radius_m(300, 2000)
    assert float(fx.sskp(lr, 120, bias_m)) == pytest.approx(exact, abs=P_TOL)
    assert float(fx.sskp(lr, math.hypot(120, bias_m))) == pytest.approx(heuristic, abs=P_TOL)


def test_bias_vectorised_and_sign() -> None:
    """Only |b| matters (Bunn & Tsipis 1983); mixed zero / non-zero bias arrays broadcast."""
    lr = fx.lethal_radius_m(300, 2000)
    out = fx.sskp(lr, 120, np.array([0.0, 60.0, -60.0, 120.0]))
    np.testing.assert_allclose(out, [0.9592, 0.9355, 0.9355, 0.8534], atol=P_TOL)


def test_tkp_with_defence_layer() -> None:
    """TKP = R P_pen SSKP (Davis & Schilling 1973; Bunn & Tsipis 1983) with one layered-defence
    layer (t 0.95, p 0.5, two interceptors): W88-class 455 kt, CEP 90 m, 3,000 psi: SSKP
    0.9968, TKP 0.8971 undefended; P_intercept 0.7125, P_pen 0.2875, TKP 0.2579."""
    s = fx.sskp(fx.lethal_radius_m(455, 3000), 90)
    assert float(s) == pytest.approx(0.9968, abs=P_TOL)
    assert float(fx.terminal_kill_probability(s, 0.9)) == pytest.approx(0.8971, abs=P_TOL)
    p_pen = fx.penetration_probability(0.95, 0.5, 2)
    assert float(p_pen) == pytest.approx(0.2875, abs=P_TOL)
    assert float(fx.terminal_kill_probability(s, 0.9, p_pen)) == pytest.approx(0.2579, abs=P_TOL)


def test_penetration_several_layers() -> None:
    """Layers multiply (layered-defence form): two identical layers give 0.2875^2; a layer
    firing no interceptor, or with zero tracking reliability, lets everything through."""
    both = fx.penetration_probability([0.95, 0.95], [0.5, 0.5], [2, 2])
    assert float(both) == pytest.approx(0.2875**2, abs=1e-12)
    assert float(fx.penetration_probability([0.95, 0.9], [0.5, 0.7], [0, 0])) == 1.0
    assert float(fx.penetration_probability(0.0, 0.9, 5)) == 1.0
    assert float(fx.penetration_probability(0.8, 1.0, 1)) == pytest.approx(0.2, abs=1e-15)
    # leading axes are kept: two scenarios x two layers
    out = fx.penetration_probability([[0.95, 0.95], [0.0, 0.0]], 0.5, 2)
    np.testing.assert_allclose(out, [0.2875**2, 1.0])


@pytest.mark.parametrize(
    ("f", "expected"),
    [(1.0, (0.8, 0.96, 0.992)), (0.5, (0.8, 0.88, 0.928)), (0.0, (0.8, 0.8, 0.8))],
)
def test_fratricide_series(f: float, expected: tuple[float, float, float]) -> None:
    """Several warheads (Davis & Schilling 1973) with tripolar's fratricide parameter f: TKP 0.8,
    n = 1, 2, 3."""
    out = fx.kill_probability_n(0.8, np.array([1, 2, 3]), f)
    np.testing.assert_allclose(out, expected, atol=P_TOL)
    assert float(fx.kill_probability_n(0.8, 0, f)) == 0.0


def test_same_booster_versus_two_boosters() -> None:
    """Common-mode booster failure (Bunn & Tsipis 1983), W88-class on 3,000 psi: two RVs on one
    booster with R_b = R_rv = 0.95 give 0.9473, two boosters 0.9899; two cross-targeted warheads
    with R = 0.9 give 0.9894."""
    s = fx.sskp(fx.lethal_radius_m(455, 3000), 90)
    one_booster = fx.kill_probability_same_booster(s, 0.95, 0.95, 2)
    assert float(one_booster) == pytest.approx(0.9473, abs=P_TOL)
    two_boosters = fx.kill_probability_n(fx.terminal_kill_probability(s, 0.95 * 0.95), 2)
    assert float(two_boosters) == pytest.approx(0.9899, abs=P_TOL)
    cross = fx.kill_probability_n(fx.terminal_kill_probability(s, 0.9), 2)
    assert float(cross) == pytest.approx(0.9894, abs=P_TOL)
    # one RV on its own booster is just R_b R_rv SSKP
    assert float(fx.kill_probability_same_booster(s, 0.95, 0.95, 1)) == pytest.approx(
        0.95 * 0.95 * float(s), abs=1e-15
    )


@pytest.mark.parametrize(
    ("yield_kt", "cep_m", "k", "emt"),
    [(455, 90, 250.5, 0.5916), (300, 120, 106.7, 0.4481), (90, 100, 68.9, 0.2008),
     (335, 200, 41.4, 0.4824)],
)  # fmt: skip
def test_lethality_and_emt_table(yield_kt: float, cep_m: float, k: float, emt: float) -> None:
    """K = Y_Mt^(2/3)/CEP_nmi^2 (Tsipis 1975, 1983) and EMT = Y_Mt^(2/3) (Cochran, Arkin & Hoenig
    1984); K is tabulated to one decimal, EMT to four."""
    assert float(fx.lethality_k(yield_kt, cep_m)) == pytest.approx(k, abs=0.05)
    assert float(fx.equivalent_megatons(yield_kt)) == pytest.approx(emt, abs=1e-4)


def test_cmp_and_emt_of_a_force() -> None:
    """400 W87 at 120 m: CMP 42,697 (Tsipis 1975) and EMT 179.26 (Cochran, Arkin & Hoenig
    1984); a 20 Mt weapon: 7.368 EMT with exponent 2/3, 4.472 with 1/2."""
    assert fx.counter_military_potential(300, 120, 400) == pytest.approx(42697, abs=0.5)
    assert float(400 * fx.equivalent_megatons(300)) == pytest.approx(179.26, abs=5e-3)
    assert float(fx.equivalent_megatons(20000)) == pytest.approx(7.368, abs=1e-3)
    assert float(fx.equivalent_megatons(20000, 0.5)) == pytest.approx(4.472, abs=1e-3)
    mixed = fx.counter_military_potential([300, 455], [120, 90], [400, 10])
    assert mixed == pytest.approx(400 * 106.7416 + 10 * 250.4982, abs=0.1)


def test_exchange_accounting_example() -> None:
    """Exchange accounting (Davis & Schilling 1973): 400 silos each attacked by two W88-class
    warheads (TKP 0.8971, 3,000 psi) -> P_k 0.98941, 4.237 expected surviving silos."""
    tkp = fx.terminal_kill_probability(fx.sskp(fx.lethal_radius_m(455, 3000), 90), 0.9)
    pk = fx.kill_probability_n(tkp, 2)
    assert float(pk) == pytest.approx(0.98941, abs=P_TOL)
    assert float(400 * (1 - pk)) == pytest.approx(4.237, abs=1e-3)


# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------


def test_limits() -> None:
    """Limits of the circular-normal cookie-cutter model (Davis & Schilling 1973)."""
    assert float(fx.sskp(100.0, 0.0)) == 1.0  # CEP -> 0
    assert float(fx.sskp(100.0, 1e-9)) == 1.0
    assert float(fx.sskp(0.0, 0.0)) == 0.0  # no lethal radius, no kill
    assert float(fx.sskp(100.0, 0.0, 50.0)) == 1.0  # deterministic impact inside LR
    assert float(fx.sskp(100.0, 0.0, 150.0)) == 0.0  # deterministic impact outside LR
    assert float(fx.lethal_radius_m(1000.0, math.inf)) == 0.0  # hardness -> inf
    assert float(fx.sskp(fx.lethal_radius_m(1000.0, math.inf), 100.0)) == 0.0
    assert float(fx.sskp(fx.lethal_radius_m(1000.0, 1e30), 100.0)) < 1e-12
    assert float(fx.sskp(fx.lethal_radius_m(1000.0, 1e30), 100.0, 10.0)) < 1e-12
    assert float(fx.sskp(123.0, 123.0)) == pytest.approx(0.5, abs=1e-15)  # LR = CEP
    assert float(fx.sskp(1e6, 1.0)) == 1.0  # no overflow or warning far out
    assert float(fx.sskp(100.0, math.inf)) == 0.0


def test_scalar_in_scalar_out_and_broadcast_shapes() -> None:
    """Scalars give 0-d float64 arrays; arrays broadcast with NumPy rules."""
    out = fx.sskp(fx.lethal_radius_m(300.0, 2000.0), 120.0)
    assert out.shape == () and out.dtype == np.float64
    grid = fx.sskp(fx.lethal_radius_m(np.array([100.0, 300.0])[:, None], [1000.0, 3000.0]), 120)
    assert grid.shape == (2, 2)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: fx.lethal_radius_m(0.0, 1000.0), "yield_kt"),
        (lambda: fx.lethal_radius_m(-5.0, 1000.0), "yield_kt"),
        (lambda: fx.lethal_radius_m(100.0, 0.0), "hardness_psi"),
        (lambda: fx.lethal_radius_m(100.0, [1000.0, -1.0]), "hardness_psi"),
        (lambda: fx.lethal_radius_m(100.0, 1000.0, 0.0), "constant_nmi"),
        (lambda: fx.sskp(100.0, -1.0), "cep_m"),
        (lambda: fx.sskp(-1.0, 10.0), "lethal_radius_m"),
        (lambda: fx.sskp(100.0, 10.0, math.nan), "bias_m"),
        (lambda: fx.terminal_kill_probability(1.2, 0.9), "sskp"),
        (lambda: fx.terminal_kill_probability(0.5, -0.1), "reliability"),
        (lambda: fx.terminal_kill_probability(0.5, 0.9, 2.0), "p_pen"),
        (lambda: fx.kill_probability_n(0.5, 1.5), "n"),
        (lambda: fx.kill_probability_n(0.5, 2, 1.1), "fratricide_survival"),
        (lambda: fx.kill_probability_same_booster(0.9, 0.9, 0.9, -1), "n_rvs"),
        (lambda: fx.penetration_probability(0.9, 0.5, -2), "interceptors"),
        (lambda: fx.penetration_probability(0.9, 1.5, 2), "interceptor_sskp"),
        (lambda: fx.lethality_k(100.0, -3.0), "cep_m"),
        (lambda: fx.counter_military_potential(100.0, 100.0, 2.5), "count"),
        (lambda: fx.equivalent_megatons(math.nan), "yield_kt"),
        (lambda: fx.equivalent_megatons(100.0, -1.0), "exponent"),
        (lambda: fx.lethal_radius_m("abc", 1000.0), "yield_kt"),
    ],
)
def test_bad_inputs_name_the_parameter(call: object, field: str) -> None:
    """Bad inputs raise InputError naming the parameter (validated at the edge)."""
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    assert info.value.field == field
    assert field in str(info.value)


def test_check_false_skips_validation() -> None:
    """check=False is the trusted inner path: no error, the formula is evaluated as is."""
    assert float(fx.terminal_kill_probability(2.0, 0.5, check=False)) == 1.0


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

yields = st.floats(min_value=1.0, max_value=20_000.0)
ceps = st.floats(min_value=1.0, max_value=5_000.0)
hardnesses = st.floats(min_value=10.0, max_value=20_000.0)
probs = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=150, deadline=None)
@given(yields, ceps, hardnesses, st.floats(1.0, 3.0), st.floats(0.3, 1.0), st.floats(0.3, 1.0))
def test_sskp_monotone(
    y: float, cep: float, h: float, y_factor: float, cep_factor: float, h_factor: float
) -> None:
    """SSKP rises with yield, falls with CEP and hardness (Davis & Schilling 1973)."""
    base = float(fx.sskp(fx.lethal_radius_m(y, h), cep))
    assert float(fx.sskp(fx.lethal_radius_m(y * y_factor, h), cep)) >= base
    assert float(fx.sskp(fx.lethal_radius_m(y, h), cep * cep_factor)) >= base
    assert float(fx.sskp(fx.lethal_radius_m(y, h * h_factor), cep)) >= base
    assert 0.0 <= base <= 1.0


@settings(max_examples=150, deadline=None)
@given(probs, probs, st.integers(min_value=0, max_value=60))
def test_pk_non_decreasing_in_n(tkp: float, f: float, n: int) -> None:
    """P_k(n+1) >= P_k(n) for every fratricide survival f in [0, 1]."""
    now = float(fx.kill_probability_n(tkp, n, f))
    nxt = float(fx.kill_probability_n(tkp, n + 1, f))
    assert nxt >= now - 1e-15
    assert 0.0 <= now <= 1.0
    if f == 1.0:
        assert now == pytest.approx(1 - (1 - tkp) ** n, abs=1e-12)


@settings(max_examples=150, deadline=None)
@example(485.0, 403.0, 1.0, 3.537405227762932e-157)  # subnormal nc
@given(
    st.floats(1.0, 2_000.0), st.floats(1.0, 1_000.0), st.floats(0.0, 3_000.0),
    st.floats(0.0, 3_000.0),
)  # fmt: skip
def test_bias_decreases_sskp(lr: float, cep: float, b1: float, b2: float) -> None:
    """Exact-bias SSKP decreases in |b| (Bunn & Tsipis 1983) and bias 0 reproduces the
    unbiased form."""
    lo, hi = sorted((b1, b2))
    s_lo = float(fx.sskp(lr, cep, lo))
    s_hi = float(fx.sskp(lr, cep, hi))
    assert s_hi <= s_lo + 1e-9
    assert float(fx.sskp(lr, cep, 0.0)) == float(fx.sskp(lr, cep))
    assume(lo > 0)
    assert float(fx.sskp(lr, cep, -lo)) == s_lo


@settings(max_examples=100, deadline=None)
@given(st.floats(1.0, 2_000.0), st.floats(1.0, 1_000.0))
def test_tiny_bias_matches_unbiased(lr: float, cep: float) -> None:
    """The non-central chi-square with nc -> 0 joins the unbiased closed form continuously."""
    assert float(fx.sskp(lr, cep, 1e-6 * cep)) == pytest.approx(float(fx.sskp(lr, cep)), abs=1e-6)


# --------------------------------------------------------------------------------------------
# Kill-probability kernel
# --------------------------------------------------------------------------------------------


def test_kernel_matches_scalar_chain() -> None:
    """kill_probability_matrix equals R * SSKP(LR(Y, H), CEP) term by term (Davis & Schilling
    1973 chain), with shapes (W,), (W,), (S, W), (T,) -> (S, W, T)."""
    rng = np.random.default_rng(7)
    w, t, s = 5, 9, 4
    y = rng.uniform(50, 1200, w)
    cep = rng.uniform(30, 400, w)
    rel = rng.uniform(0.6, 1.0, (s, w))
    h = rng.uniform(300, 6000, t)
    out = kill_probability_matrix(y, cep, rel, h)
    assert out.dtype == np.float64
    assert out.shape == (s, w, t)
    for k in range(s):
        for i in range(w):
            for j in range(t):
                ref = rel[k, i] * float(fx.sskp(fx.lethal_radius_m(y[i], h[j]), cep[i]))
                assert out[k, i, j] == pytest.approx(ref, rel=1e-12, abs=1e-15)


def test_kernel_table_and_sampled_targets() -> None:
    """The kernel reproduces the TKP column of the worked table (R = 0.9) and broadcasts a
    sampled hardness (S, T) against sampled CEPs (S, W)."""
    arr = np.array(TABLE_1_7)
    out = kill_probability_matrix(arr[:, 0], arr[:, 1], 0.9, arr[:, 2])
    np.testing.assert_allclose(np.diagonal(out), arr[:, 6], atol=P_TOL)
    cep = np.array([[90.0, 120.0], [100.0, 200.0], [90.0, 90.0]])
    h = np.array([[3000.0], [2000.0], [3000.0]])
    sampled = kill_probability_matrix([455.0, 300.0], cep, 0.9, h)
    assert sampled.shape == (3, 2, 1)
    assert sampled[0, 0, 0] == pytest.approx(0.8971, abs=P_TOL)
    assert sampled[0, 1, 0] == pytest.approx(0.8217, abs=P_TOL)


def test_kernel_limits() -> None:
    """CEP = 0 gives the reliability; infinite hardness gives 0."""
    out = kill_probability_matrix([100.0, 100.0], [0.0, 50.0], 0.9, [1000.0, math.inf])
    assert out[0, 0] == 0.9
    assert out[1, 1] == 0.0
