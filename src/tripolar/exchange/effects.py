"""Weapon effects against hard targets: lethal radius, SSKP, TKP, several warheads, K/CMP/EMT.

All functions are pure and vectorised: they accept scalars or array-likes, broadcast them with
NumPy rules and return float64 arrays (0-d arrays for scalar inputs). Distances are metres and
yields kilotons at the interface; the classic Mt/nmi forms are converted at the boundary.

Validation: every public function takes a keyword ``check`` (default ``True``) that runs
:func:`validate_effect_inputs` on its arguments and raises :class:`tripolar.errors.InputError`
naming the offending parameter. The check costs a few reductions over the inputs; inner loops
that have already validated their inputs (the Monte Carlo kernel, the exchange engine) pass
``check=False`` or call :func:`tripolar.exchange.backend.kill_probability_matrix`, which does not
check at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from scipy import stats

from tripolar.errors import InputError

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

#: Metres per nautical mile (exact, international definition).
METRES_PER_NMI = 1852.0
#: Lethal-radius constant of the closed form, nmi for Y in Mt and H in psi (see
#: :func:`lethal_radius_m` for its provenance).
LETHAL_RADIUS_CONSTANT_NMI = 2.62
#: CEP / sigma for a circular normal distribution: sqrt(2 ln 2).
CEP_PER_SIGMA = math.sqrt(2.0 * math.log(2.0))
_LN2 = math.log(2.0)


# ---------------------------------------------------------------------------------------------
# Validation at the edge
# ---------------------------------------------------------------------------------------------


def _as_float(name: str, value: ArrayLike) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"not a number: {value!r}", field=name, expected="a number") from exc
    if np.isnan(arr).any():
        raise InputError("contains NaN", field=name, expected="a number")
    return arr


def _require(name: str, ok: bool, value: ArrayLike, expected: str) -> None:
    if not ok:
        arr = np.asarray(value, dtype=np.float64)
        shown = arr.item() if arr.ndim == 0 else f"array with min {arr.min()} and max {arr.max()}"
        raise InputError(f"invalid value {shown}", field=name, expected=expected)


def validate_effect_inputs(
    *,
    yield_kt: ArrayLike | None = None,
    hardness_psi: ArrayLike | None = None,
    cep_m: ArrayLike | None = None,
    lethal_radius_m: ArrayLike | None = None,
    bias_m: ArrayLike | None = None,
    probabilities: Mapping[str, ArrayLike] | None = None,
    counts: Mapping[str, ArrayLike] | None = None,
) -> None:
    """Check weapon-effects inputs and raise :class:`InputError` naming the bad parameter.

    Rules: ``yield_kt`` finite and > 0; ``hardness_psi`` > 0 (``inf`` allowed, it is the limit of
    an indestructible target); ``cep_m`` >= 0 (``inf`` allowed); ``lethal_radius_m`` >= 0;
    ``bias_m`` finite (its sign is irrelevant, only ``|b|`` enters); every entry of
    ``probabilities`` in [0, 1]; every entry of ``counts`` a non-negative integer. NaN is
    rejected everywhere.
    """
    if yield_kt is not None:
        y = _as_float("yield_kt", yield_kt)
        _require("yield_kt", bool(np.all(np.isfinite(y) & (y > 0))), y, "a finite yield > 0 kt")
    if hardness_psi is not None:
        h = _as_float("hardness_psi", hardness_psi)
        _require("hardness_psi", bool(np.all(h > 0)), h, "a hardness > 0 psi")
    if cep_m is not None:
        c = _as_float("cep_m", cep_m)
        _require("cep_m", bool(np.all(c >= 0)), c, "a CEP >= 0 m")
    if lethal_radius_m is not None:
        r = _as_float("lethal_radius_m", lethal_radius_m)
        _require("lethal_radius_m", bool(np.all(r >= 0)), r, "a lethal radius >= 0 m")
    if bias_m is not None:
        b = _as_float("bias_m", bias_m)
        _require("bias_m", bool(np.all(np.isfinite(b))), b, "a finite bias in m")
    for name, value in (probabilities or {}).items():
        p = _as_float(name, value)
        _require(name, bool(np.all((p >= 0) & (p <= 1))), p, "a probability in [0, 1]")
    for name, value in (counts or {}).items():
        n = _as_float(name, value)
        ok = bool(np.all(np.isfinite(n) & (n >= 0) & (n == np.floor(n))))
        _require(name, ok, n, "a non-negative integer")


# ---------------------------------------------------------------------------------------------
# Lethal radius and single-shot kill probability
# ---------------------------------------------------------------------------------------------


def lethal_radius_m(
    yield_kt: ArrayLike,
    hardness_psi: ArrayLike,
    constant_nmi: float = LETHAL_RADIUS_CONSTANT_NMI,
    *,
    check: bool = True,
) -> FloatArray:
    """Lethal radius (m) of a surface burst against a target of hardness ``hardness_psi``.

    ``LR_m = 1852 * c * (Y_kt / 1000)^(1/3) / H_psi^(1/3)`` with ``c = constant_nmi`` (default
    2.62 nmi), i.e. the closed form ``LR_nmi = 2.62 * Y_Mt^(1/3) / H^(1/3)`` of the public
    arms-control literature (L. E. Davis & W. R. Schilling, "All You Ever Wanted to Know about
    MIRV and ICBM Calculations but Were Not Cleared to Ask", *Journal of Conflict Resolution*
    17(2), 1973; K. Tsipis, "The Accuracy of Strategic Missiles", *Scientific American* 233(1),
    1975). The H^(-1/3) law
    is the strong-shock (high-overpressure) limit of cube-root (Hopkinson-Cranz) scaling
    (Glasstone & Dolan, *The Effects of Nuclear Weapons*, 3rd ed., 1977, ch. 3).

    Provenance of 2.62: found with exactly this form in two independent public calculators; its
    primary origin (commonly attributed to Davis & Schilling 1973 and Tsipis 1975) is
    unconfirmed. It agrees with an inversion of H. L. Brode's 1986 analytic fit of peak
    overpressure for a zero-height burst within about 5% between 100 and 5,000 psi. Treat it as a
    documented, overridable model constant; it is meant for hundreds to thousands of psi.

    Units: ``yield_kt`` kilotons, ``hardness_psi`` psi, ``constant_nmi`` nmi; returns metres.
    """
    if check:
        validate_effect_inputs(yield_kt=yield_kt, hardness_psi=hardness_psi)
        if not (math.isfinite(constant_nmi) and constant_nmi > 0):
            raise InputError(
                f"invalid value {constant_nmi}", field="constant_nmi", expected="a constant > 0"
            )
    y = np.asarray(yield_kt, dtype=np.float64)
    h = np.asarray(hardness_psi, dtype=np.float64)
    return np.asarray(
        METRES_PER_NMI * constant_nmi * np.cbrt(y / 1000.0) / np.cbrt(h), dtype=np.float64
    )


def _sskp_unbiased(ratio_sq: FloatArray) -> FloatArray:
    # 0.5**x written as exp(-ln2 x): no pow underflow warnings, and -expm1 keeps precision
    # for small x.
    out: FloatArray = np.clip(-np.expm1(-_LN2 * ratio_sq), 0.0, 1.0)
    return out


def sskp(
    lethal_radius_m: ArrayLike,
    cep_m: ArrayLike,
    bias_m: ArrayLike = 0.0,
    *,
    check: bool = True,
) -> FloatArray:
    """Single-shot kill probability of one warhead against a cookie-cutter target.

    Impact points are circular normal around the aim point (sigma per axis, ``CEP = sqrt(2 ln 2)
    sigma``). Without bias ``SSKP = 1 - 0.5^((LR/CEP)^2)``. With a systematic aim error ``b`` the
    squared scaled miss distance is non-central chi-square with 2 degrees of freedom, so
    ``SSKP = F_ncx2((LR/sigma)^2; 2, (b/sigma)^2)`` (equivalently ``1 - Q_1(b/sigma, LR/sigma)``,
    Marcum Q). Sources: Davis & Schilling (1973); Tsipis (1975); M. Bunn & K. Tsipis, "The
    Uncertainties of a Preemptive Nuclear Attack", *Scientific American* 249(5), 1983 (bias).

    ``CEP = 0`` gives 1 when ``LR > |b|`` and 0 otherwise (a deterministic impact). Only ``|b|``
    matters. Units: metres throughout; returns a probability in [0, 1].
    """
    if check:
        validate_effect_inputs(lethal_radius_m=lethal_radius_m, cep_m=cep_m, bias_m=bias_m)
    lr = np.asarray(lethal_radius_m, dtype=np.float64)
    cep = np.asarray(cep_m, dtype=np.float64)
    b = np.abs(np.asarray(bias_m, dtype=np.float64))
    lr, cep, b = np.broadcast_arrays(lr, cep, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_sq = (lr / cep) ** 2
    # CEP = 0: hit iff the (deterministic) miss distance |b| is inside LR.
    deterministic = cep == 0
    ratio_sq = np.where(deterministic, 0.0, ratio_sq)
    out = _sskp_unbiased(ratio_sq)
    # A bias below 1e-6 sigma changes SSKP by less than 1e-12 (dP/d(nc) <= 1/2 with nc the
    # squared scaled bias), while scipy's ncx2 loses accuracy for subnormal nc; such biases
    # use the exact unbiased form.
    with np.errstate(divide="ignore", invalid="ignore"):
        nc_all = (b * CEP_PER_SIGMA / cep) ** 2
    biased = (b > 0) & ~deterministic & (nc_all >= 1e-12)
    if biased.any():
        sigma = cep[biased] / CEP_PER_SIGMA
        x = (lr[biased] / sigma) ** 2
        nc = (b[biased] / sigma) ** 2
        out = np.array(out, dtype=np.float64)
        out[biased] = np.clip(stats.ncx2.cdf(x, 2, nc), 0.0, 1.0)
    out = np.where(deterministic, (lr > b).astype(np.float64), out)
    return np.asarray(out, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Reliability, penetration and several warheads
# ---------------------------------------------------------------------------------------------


def penetration_probability(
    tracking_reliability: ArrayLike,
    interceptor_sskp: ArrayLike,
    interceptors: ArrayLike,
    *,
    check: bool = True,
) -> FloatArray:
    """Probability that a reentry vehicle passes every defence layer (not intercepted).

    Layer ``l`` fires ``n_l`` interceptors of single-shot kill probability ``p_l`` with a
    common-mode tracking reliability ``t_l``: ``P_intercept,l = t_l (1 - (1 - p_l)^n_l)`` and
    ``P_pen = prod_l (1 - P_intercept,l)``. The layers run along the **last axis** of the
    broadcast inputs (scalars are one layer); leading axes are kept. This is the independent-shot
    layered-defence form used in public missile-defence calculators; no single primary paper
    for it was confirmed, so it is cited here as the standard form, with Bunn & Tsipis (1983)
    for penetration as a factor of terminal kill probability.
    """
    if check:
        validate_effect_inputs(
            probabilities={
                "tracking_reliability": tracking_reliability,
                "interceptor_sskp": interceptor_sskp,
            },
            counts={"interceptors": interceptors},
        )
    t = np.asarray(tracking_reliability, dtype=np.float64)
    p = np.asarray(interceptor_sskp, dtype=np.float64)
    n = np.asarray(interceptors, dtype=np.float64)
    t, p, n = np.broadcast_arrays(t, p, n)
    p_intercept = t * -np.expm1(n * np.log1p(-np.where(p < 1.0, p, 0.0)))
    # p = 1 exactly: every interceptor kills, so the layer intercepts with probability t (n > 0).
    p_intercept = np.where((p == 1.0) & (n > 0), t, p_intercept)
    survive = 1.0 - p_intercept
    if survive.ndim == 0:
        return np.asarray(np.clip(survive, 0.0, 1.0), dtype=np.float64)
    return np.asarray(np.clip(np.prod(survive, axis=-1), 0.0, 1.0), dtype=np.float64)


def terminal_kill_probability(
    sskp: ArrayLike,
    reliability: ArrayLike,
    p_pen: ArrayLike = 1.0,
    *,
    check: bool = True,
) -> FloatArray:
    """Terminal kill probability ``TKP = R * P_pen * SSKP`` of one warhead (all in [0, 1]).

    ``reliability`` is the overall probability that the warhead launches, flies, separates and
    fuzes; ``p_pen`` the probability it is not intercepted (:func:`penetration_probability`).
    Source: Davis & Schilling (1973); Bunn & Tsipis (1983).
    """
    if check:
        validate_effect_inputs(
            probabilities={"sskp": sskp, "reliability": reliability, "p_pen": p_pen}
        )
    s = np.asarray(sskp, dtype=np.float64)
    r = np.asarray(reliability, dtype=np.float64)
    pp = np.asarray(p_pen, dtype=np.float64)
    return np.asarray(r * pp * s, dtype=np.float64)


def kill_probability_n(
    tkp: ArrayLike,
    n: ArrayLike,
    fratricide_survival: ArrayLike = 1.0,
    *,
    check: bool = True,
) -> FloatArray:
    """Kill probability of ``n`` warheads of terminal kill probability ``tkp`` on one target.

    ``P_k(n) = 1 - (1 - TKP) (1 - f TKP)^(n - 1)`` for ``n >= 1`` and ``P_k(0) = 0``, where ``f``
    (``fratricide_survival``) is the probability that a follow-on warhead is not neutralised by
    the effects of an earlier burst on the same aim point: ``f = 1`` gives independent
    cross-targeted warheads, ``1 - (1 - TKP)^n``; ``f = 0`` means only the first warhead counts.
    Independent-warhead form: Davis & Schilling (1973); fratricide discussed qualitatively by
    Bunn & Tsipis (1983); the ``f`` parameterisation is tripolar's. Non-decreasing in ``n``.
    """
    if check:
        validate_effect_inputs(
            probabilities={"tkp": tkp, "fratricide_survival": fratricide_survival},
            counts={"n": n},
        )
    p = np.asarray(tkp, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    f = np.asarray(fratricide_survival, dtype=np.float64)
    follow_on = np.maximum(nn - 1.0, 0.0)
    # (1 - f p)^(n-1) through log1p/exp for accuracy at small f p; f p = 1 handled by the where.
    fp = f * p
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(follow_on == 0, 1.0, np.exp(follow_on * np.log1p(-fp)))
    pk = 1.0 - (1.0 - p) * tail
    return np.asarray(np.clip(np.where(nn <= 0, 0.0, pk), 0.0, 1.0), dtype=np.float64)


def kill_probability_same_booster(
    sskp: ArrayLike,
    booster_reliability: ArrayLike,
    rv_reliability: ArrayLike,
    n_rvs: ArrayLike,
    *,
    check: bool = True,
) -> FloatArray:
    """Kill probability of ``n_rvs`` reentry vehicles from one booster on one target.

    A booster failure loses every RV it carries, so the RVs are not independent:
    ``P_k = R_b (1 - (1 - R_rv SSKP)^n)``. Derived from the independent-warhead form of Davis &
    Schilling (1973) by conditioning on the booster; common-mode failure as discussed by Bunn &
    Tsipis (1983). All arguments are probabilities except ``n_rvs`` (a count).
    """
    if check:
        validate_effect_inputs(
            probabilities={
                "sskp": sskp,
                "booster_reliability": booster_reliability,
                "rv_reliability": rv_reliability,
            },
            counts={"n_rvs": n_rvs},
        )
    s = np.asarray(sskp, dtype=np.float64)
    rb = np.asarray(booster_reliability, dtype=np.float64)
    rrv = np.asarray(rv_reliability, dtype=np.float64)
    n = np.asarray(n_rvs, dtype=np.float64)
    return np.asarray(rb * (1.0 - (1.0 - rrv * s) ** n), dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Aggregate indices
# ---------------------------------------------------------------------------------------------


def lethality_k(yield_kt: ArrayLike, cep_m: ArrayLike, *, check: bool = True) -> FloatArray:
    """Lethality ``K = Y_Mt^(2/3) / CEP_nmi^2`` of one warhead, in Mt^(2/3)/nmi^2.

    The hard-target kill index of Tsipis ("The Accuracy of Strategic Missiles", 1975;
    *Arsenal*, 1983). An aggregate index: it ignores reliability, defences and target hardness and
    is not a probability. ``CEP = 0`` gives ``inf``.
    """
    if check:
        validate_effect_inputs(yield_kt=yield_kt, cep_m=cep_m)
    y_mt = np.asarray(yield_kt, dtype=np.float64) / 1000.0
    cep_nmi = np.asarray(cep_m, dtype=np.float64) / METRES_PER_NMI
    with np.errstate(divide="ignore"):
        return np.asarray(np.cbrt(y_mt) ** 2 / cep_nmi**2, dtype=np.float64)


def counter_military_potential(
    yield_kt: ArrayLike, cep_m: ArrayLike, count: ArrayLike, *, check: bool = True
) -> float:
    """Counter-military potential ``CMP = sum over warheads of K`` (Mt^(2/3)/nmi^2).

    ``count`` is the number of warheads of each (yield, CEP) entry; the result is the force total.
    Source: Tsipis (1975, 1983). An aggregate index, not a kill probability.
    """
    if check:
        validate_effect_inputs(yield_kt=yield_kt, cep_m=cep_m, counts={"count": count})
    k = lethality_k(yield_kt, cep_m, check=False)
    return float(np.sum(np.asarray(count, dtype=np.float64) * k))


def equivalent_megatons(
    yield_kt: ArrayLike, exponent: float = 2.0 / 3.0, *, check: bool = True
) -> FloatArray:
    """Equivalent megatons of one warhead, ``Y_Mt^exponent`` (elementwise; sum for a force).

    Blast-damaged area grows as ``Y^(2/3)``, hence the default exponent; some sources use 1/2
    above 1 Mt to reflect overlap with finite target areas. Source: Cochran, Arkin & Hoenig,
    *Nuclear Weapons Databook* vol. I (1984), glossary. An area-destruction index, not a kill
    probability.
    """
    if check:
        validate_effect_inputs(yield_kt=yield_kt)
        if not (math.isfinite(exponent) and exponent > 0):
            raise InputError(f"invalid value {exponent}", field="exponent", expected="> 0")
    y_mt = np.asarray(yield_kt, dtype=np.float64) / 1000.0
    return np.asarray(y_mt**exponent, dtype=np.float64)


__all__ = [
    "CEP_PER_SIGMA",
    "LETHAL_RADIUS_CONSTANT_NMI",
    "METRES_PER_NMI",
    "counter_military_potential",
    "equivalent_megatons",
    "kill_probability_n",
    "kill_probability_same_booster",
    "lethal_radius_m",
    "lethality_k",
    "penetration_probability",
    "sskp",
    "terminal_kill_probability",
    "validate_effect_inputs",
]
