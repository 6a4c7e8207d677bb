"""Richardson's arms-race model for N parties: analysis, trajectories and fitting.

The model (Richardson, *Generalized Foreign Politics*, 1939; *Arms and Insecurity*, 1960;
"Could an Arms-Race End Without Fighting?", *Nature* 168:567, 1951) is the linear system

    dx/dt = M x + g,   M = K - diag(a)

with x the armament levels (here warheads), K[i, j] >= 0 (i != j) the reaction of party i to
party j's arms (per year), a[i] > 0 the fatigue or cost coefficient (per year) and g[i] the
grievance term (warheads per year, either sign). When K is non-negative off the diagonal M is
a Metzler matrix, and the following are equivalent (Hawkins & Simon, *Econometrica* 17, 1949;
Berman & Plemmons, *Nonnegative Matrices in the Mathematical Sciences*, 1979): every
eigenvalue of M has a negative real part; -M is a non-singular M-matrix; every leading
principal minor of -M is positive. Then x* = (-M)^-1 g is the unique equilibrium and
attracts every trajectory, x(t) = x* + expm(M t) (x(0) - x*).

Fitting follows Richardson (least squares of yearly increments on mid-year levels) or, the
preferred way, non-linear least squares of the exact ODE solution. The model is used as a
projection device, not a validated predictor (Caspary, *International Studies Quarterly*
11(1), 1967; Smith, *Journal of Conflict Resolution* 24(2), 1980).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import expm
from scipy.optimize import least_squares

from tripolar.errors import InputError
from tripolar.forces.records import TRILATERAL

FloatArray = NDArray[np.float64]

#: Relative cut-off on the singular values of the column-scaled Jacobian (or design). A
#: direction whose singular value is below ``RCOND`` times the largest is not determined by
#: the data: its variance is unbounded, so every parameter that loads on it gets an infinite
#: standard error (a pseudo-inverse would instead give it zero variance, which is the error
#: this replaces). 1e-10 leaves six orders of magnitude above the ~1e-16 rounding of the
#: scaled matrix, enough for the exact (sensitivity-equation) Jacobian used here.
RCOND = 1e-10
#: Loading (absolute entry of a unit singular vector in the scaled space) above which a
#: parameter counts as part of an undetermined direction.
LOADING_MIN = 1e-6
#: Evaluation budget of the ODE fit, per parameter (the solver stops there and the fit is
#: flagged ``converged=False``).
MAX_NFEV_PER_PARAM = 200


def scaled_covariance(jac: ArrayLike, s2: float) -> tuple[FloatArray, float]:
    """Covariance s^2 (J^T J)^-1 computed in the column-scaled space, and its condition number.

    The columns of J are divided by their norms D (the parameters are put on a common scale,
    as ``least_squares(x_scale="jac")`` does), Js = J D^-1 is decomposed by SVD,
    Js = U S V^T, and cov = s^2 D^-1 V S^-2 V^T D^-1. Forming J^T J would square the
    condition number (about 1e11 for the bundled series before scaling, 1e22 for J^T J) and
    a pseudo-inverse of it silently drops the weakest directions, making their standard
    errors orders of magnitude too small. Singular values below ``RCOND`` times the largest
    give infinite variances (see :data:`RCOND`). Returns the covariance and
    cond = S_max / S_min of Js (inf when a column or direction is null). Source: ordinary
    (non-)linear least squares, e.g. Seber & Wild, *Nonlinear Regression* (1989), 2.1.
    """
    j = np.asarray(jac, dtype=float)
    d = np.linalg.norm(j, axis=0)
    null_col = ~(d > 0.0)
    d = np.where(null_col, 1.0, d)
    _, sv, vt = np.linalg.svd(j / d, full_matrices=False)
    cond = float(sv[0] / sv[-1]) if sv[-1] > 0.0 else float("inf")
    keep = sv > RCOND * sv[0]
    inv_sq = np.zeros_like(sv)
    inv_sq[keep] = 1.0 / sv[keep] ** 2
    cov = s2 * ((vt.T * inv_sq) @ vt) / np.outer(d, d)
    lost = null_col | (np.abs(vt[~keep]) > LOADING_MIN).any(axis=0)
    cov[lost, :] = np.inf
    cov[:, lost] = np.inf
    return cov, cond


def system_matrix(reaction: ArrayLike, fatigue_per_yr: ArrayLike) -> FloatArray:
    """Return M = K - diag(a) (per year) from the reaction matrix K and fatigue vector a.

    Source: Richardson (1960), matrix form of the N-party equations. The diagonal of K is
    ignored (a party's reaction to its own arms is carried by the fatigue term).
    """
    k = np.array(reaction, dtype=float, copy=True)
    a = np.asarray(fatigue_per_yr, dtype=float)
    np.fill_diagonal(k, 0.0)
    return k - np.diag(a)


def leading_minors(matrix: ArrayLike) -> FloatArray:
    """Leading principal minors det(A[:k, :k]) for k = 1..n (Hawkins & Simon, 1949)."""
    a = np.asarray(matrix, dtype=float)
    return np.array([np.linalg.det(a[:k, :k]) for k in range(1, a.shape[0] + 1)])


@dataclass(frozen=True)
class RichardsonAnalysis:
    """Stability and equilibrium of dx/dt = M x + g.

    ``eigenvalues_per_yr`` are sorted by decreasing real part; ``slowest_rate_per_yr`` is the
    largest real part (negative when stable) and ``time_scale_yr`` = 1 / |slowest rate|, the
    e-folding time of the slowest approach to equilibrium (None when not stable).
    ``hawkins_simon`` is the minor test on -M, equivalent to ``stable`` when ``metzler``.
    """

    system_per_yr: FloatArray
    grievance_per_yr: FloatArray
    eigenvalues_per_yr: NDArray[np.complex128]
    minors: FloatArray
    metzler: bool
    hawkins_simon: bool
    stable: bool
    equilibrium: FloatArray | None
    slowest_rate_per_yr: float
    time_scale_yr: float | None
    names: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        eig = self.eigenvalues_per_yr
        return {
            "names": list(self.names),
            "system_per_yr": self.system_per_yr.tolist(),
            "grievance_per_yr": self.grievance_per_yr.tolist(),
            "eigenvalues_per_yr": [
                float(e.real) if abs(e.imag) < 1e-12 else {"re": float(e.real), "im": float(e.imag)}
                for e in eig
            ],
            "leading_minors_of_minus_m": self.minors.tolist(),
            "metzler": self.metzler,
            "hawkins_simon": self.hawkins_simon,
            "stable": self.stable,
            "equilibrium": None if self.equilibrium is None else self.equilibrium.tolist(),
            "slowest_rate_per_yr": self.slowest_rate_per_yr,
            "time_scale_yr": self.time_scale_yr,
        }


def analyse(
    reaction: ArrayLike,
    fatigue_per_yr: ArrayLike,
    grievance_per_yr: ArrayLike,
    names: Sequence[str] = (),
) -> RichardsonAnalysis:
    """Equilibrium, eigenvalues and the Hawkins–Simon test of the Richardson system.

    Source: Richardson (1960); Hawkins & Simon (1949) for the minor condition. Units: the
    coefficients per year, grievance in level units (warheads) per year.
    """
    m = system_matrix(reaction, fatigue_per_yr)
    g = np.asarray(grievance_per_yr, dtype=float)
    eig = np.linalg.eigvals(m).astype(np.complex128)
    eig = eig[np.argsort(-eig.real, kind="stable")]
    minors = leading_minors(-m)
    off = m[~np.eye(m.shape[0], dtype=bool)]
    metzler = bool(np.all(off >= 0.0))
    slowest = float(eig[0].real)
    stable = slowest < 0.0
    try:
        # A singular M (det 0) has no equilibrium, or a continuum of them.
        x_eq: FloatArray | None = np.linalg.solve(-m, g)
        if abs(np.linalg.det(m)) < 1e-14 * max(1.0, float(np.abs(m).max()) ** m.shape[0]):
            x_eq = None
    except np.linalg.LinAlgError:
        x_eq = None
    return RichardsonAnalysis(
        system_per_yr=m,
        grievance_per_yr=g,
        eigenvalues_per_yr=eig,
        minors=minors,
        metzler=metzler,
        hawkins_simon=bool(np.all(minors > 0.0)),
        stable=stable,
        equilibrium=x_eq,
        slowest_rate_per_yr=slowest,
        time_scale_yr=(1.0 / abs(slowest)) if stable else None,
        names=tuple(names),
    )


def _augmented(m: FloatArray, g: FloatArray) -> FloatArray:
    # d/dt [x; 1] = [[M, g], [0, 0]] [x; 1]: one matrix exponential gives the exact solution
    # whether or not M is invertible (for invertible M it equals x* + expm(Mt)(x0 - x*)).
    n = m.shape[0]
    aug = np.zeros((n + 1, n + 1))
    aug[:n, :n] = m
    aug[:n, n] = g
    return aug


def _propagate(block: FloatArray, w0: FloatArray, t_yr: FloatArray) -> FloatArray:
    # w(t) = expm(block t) w0 at each time, stepped from one time to the next. The series has
    # few distinct step lengths (5, 3, 1 years), so one matrix exponential per distinct step
    # serves every interval of that length; uneven axes stay exact (no yearly-step
    # assumption), and the first time may be any offset from 0.
    out = np.empty((t_yr.size, w0.size))
    steps: dict[float, FloatArray] = {}
    w = w0
    prev = 0.0
    for k, t in enumerate(t_yr):
        dt = float(t) - prev
        if dt != 0.0:
            phi = steps.get(dt)
            if phi is None:
                phi = steps[dt] = expm(block * dt)
            w = phi @ w
        out[k] = w
        prev = float(t)
    return out


def _solve(m: FloatArray, g: FloatArray, x0: FloatArray, t_yr: FloatArray) -> FloatArray:
    return _propagate(_augmented(m, g), np.append(x0, 1.0), t_yr)[:, :-1]


def _sensitivity_parts(
    theta: FloatArray, n: int, free: NDArray[np.bool_]
) -> tuple[FloatArray, list[FloatArray], FloatArray]:
    # The augmented matrix B, its derivative with respect to each coefficient in theta order
    # (free k[i, j], then a, then g) and the augmented start [x0; 1].
    k, a, g, x0 = _unpack(theta, n, free, True)
    assert x0 is not None
    q = n + 1
    d_b: list[FloatArray] = []
    for i, j in zip(*np.nonzero(free), strict=True):
        e = np.zeros((q, q))
        e[i, j] = 1.0
        d_b.append(e)
    for i in range(n):
        e = np.zeros((q, q))
        e[i, i] = -1.0
        d_b.append(e)
    for i in range(n):
        e = np.zeros((q, q))
        e[i, n] = 1.0
        d_b.append(e)
    return _augmented(system_matrix(k, a), g), d_b, np.append(x0, 1.0)


#: Largest condition number of B's eigenvector matrix for which the eigen route of
#: :func:`_solve_with_jacobian` is used; beyond it (B nearly defective) the block matrix
#: exponential is used instead.
EIG_COND_MAX = 1e6


def _solve_with_jacobian(
    theta: FloatArray, n: int, free: NDArray[np.bool_], tau: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Levels at ``tau`` and their exact derivatives with respect to theta = (k, a, g, x0).

    With B = V diag(l) V^-1 diagonalisable, expm(B t) = V diag(exp(l t)) V^-1 and the
    derivative of expm(B t) in the direction t E is V (F o (V^-1 t E V)) V^-1 with
    F[i, j] = (exp(l_i t) - exp(l_j t)) / ((l_i - l_j) t) and exp(l_i t) on the diagonal
    (Daleckii-Krein formula; Higham, *Functions of Matrices*, 2008, Theorem 3.11). All
    times and parameters are computed at once, which makes an evaluation about a hundred
    times cheaper than a block matrix exponential; when V is ill-conditioned (B nearly
    defective, for instance M nearly singular) :func:`_jacobian_by_blocks` is used.
    Returns levels of shape (T, n) and the Jacobian of shape (T, n, len(theta)).
    """
    b, d_b, z0 = _sensitivity_parts(theta, n, free)
    if not np.all(np.isfinite(b)):
        return _jacobian_by_blocks(theta, n, free, tau)
    lam, vec = np.linalg.eig(b)
    if np.linalg.cond(vec) > EIG_COND_MAX:
        return _jacobian_by_blocks(theta, n, free, tau)
    inv = np.linalg.inv(vec)
    mu = lam[None, :] * tau[:, None]  # (T, q) eigenvalues of B t
    e_mu = np.exp(mu)
    delta = mu[:, None, :] - mu[:, :, None]  # delta[t, i, j] = mu_j - mu_i
    small = np.abs(delta) < 1e-5
    safe = np.where(small, 1.0, delta)
    # (exp(delta) - 1) / delta, with its Taylor series where delta is tiny (no cancellation).
    ratio = np.where(small, 1.0 + delta / 2.0 + delta**2 / 6.0, (np.exp(safe) - 1.0) / safe)
    f = e_mu[:, :, None] * ratio  # (T, q, q)
    w = inv @ z0  # z0 in the eigenbasis
    levels = (vec @ (e_mu * w).T).T.real[:, :n]
    e_hat = np.stack([inv @ e @ vec for e in d_b])  # (P, q, q)
    # s_p(t) = V (F(t) o (t E_hat_p)) w
    inner = np.einsum("tij,pij,j->tpi", f, e_hat, w) * tau[:, None, None]
    sens = np.einsum("ai,tpi->tap", vec, inner).real[:, :n, :]  # (T, n, P)
    # Initial levels: d x(t) / d x0_i = expm(B t)[:n, i].
    phi = np.einsum("ai,ti,ib->tab", vec, e_mu, inv).real[:, :n, :n]
    return levels, np.concatenate([sens, phi], axis=2)


def _jacobian_by_blocks(
    theta: FloatArray, n: int, free: NDArray[np.bool_], tau: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Levels and Jacobian by one block matrix exponential (the general, slower route).

    Forward sensitivities: with z = [x; 1] and z' = B z, each s_p = dz/dtheta_p obeys
    s_p' = B s_p + (dB/dtheta_p) z, s_p(0) = 0 for the coefficients of B; for the initial
    levels s(t) = expm(B t)[:, i]. Stacking z and the s_p gives one linear system with a
    block lower-triangular matrix, solved by the same matrix exponential as the levels
    (Van Loan, "Computing integrals involving the matrix exponential", IEEE TAC 23(3), 1978).
    Returns levels of shape (T, n) and the Jacobian of shape (T, n, len(theta)).
    """
    b, d_b, z0 = _sensitivity_parts(theta, n, free)
    q = n + 1
    nb = len(d_b)
    big = np.zeros((q * (nb + 1), q * (nb + 1)))
    big[:q, :q] = b
    for p, e in enumerate(d_b, start=1):
        big[p * q : (p + 1) * q, :q] = e
        big[p * q : (p + 1) * q, p * q : (p + 1) * q] = b
    # The initial-level sensitivities ride along as n extra copies of z' = B z that start
    # from the unit vectors; they are not coupled to anything.
    full = np.zeros((q * (nb + 1 + n), q * (nb + 1 + n)))
    full[: big.shape[0], : big.shape[0]] = big
    for i in range(n):
        lo = big.shape[0] + i * q
        full[lo : lo + q, lo : lo + q] = b
    w0 = np.zeros(full.shape[0])
    w0[:q] = z0
    for i in range(n):
        w0[big.shape[0] + i * q + i] = 1.0
    w = _propagate(full, w0, tau).reshape(tau.size, nb + 1 + n, q)
    levels = w[:, 0, :n]
    jac = np.transpose(w[:, 1:, :n], (0, 2, 1))
    return levels, jac


def trajectory(
    reaction: ArrayLike,
    fatigue_per_yr: ArrayLike,
    grievance_per_yr: ArrayLike,
    x0: ArrayLike,
    t_yr: ArrayLike,
) -> FloatArray:
    """Exact solution x(t) of dx/dt = M x + g at times ``t_yr`` (years after the start).

    Returns an array of shape (len(t_yr), n) in the units of ``x0`` (warheads). Source:
    Richardson (1960); closed form x* + expm(M t)(x0 - x*), computed through the augmented
    matrix exponential so that a singular M is handled too.
    """
    m = system_matrix(reaction, fatigue_per_yr)
    return _solve(
        m,
        np.asarray(grievance_per_yr, dtype=float),
        np.asarray(x0, dtype=float),
        np.atleast_1d(np.asarray(t_yr, dtype=float)),
    )


def trajectories(
    reaction: ArrayLike,
    fatigue_per_yr: ArrayLike,
    grievance_per_yr: ArrayLike,
    x0: ArrayLike,
    t_yr: ArrayLike,
) -> FloatArray:
    """Exact solutions for a stack of S coefficient sets (vectorised :func:`trajectory`).

    ``reaction`` has shape (S, n, n), ``fatigue_per_yr`` and ``grievance_per_yr`` (S, n);
    every set starts from the same ``x0`` (n,) at t = 0. Returns shape (S, len(t_yr), n) in
    the units of ``x0`` (warheads). One stacked matrix exponential per distinct step.
    Source: Richardson (1960), as :func:`trajectory`.
    """
    k = np.array(reaction, dtype=float, copy=True)
    a = np.asarray(fatigue_per_yr, dtype=float)
    g = np.asarray(grievance_per_yr, dtype=float)
    t = np.atleast_1d(np.asarray(t_yr, dtype=float))
    s_n, n = a.shape
    idx = np.arange(n)
    k[:, idx, idx] = -a
    aug = np.zeros((s_n, n + 1, n + 1))
    aug[:, :n, :n] = k
    aug[:, :n, n] = g
    z = np.broadcast_to(np.append(np.asarray(x0, dtype=float), 1.0), (s_n, n + 1)).copy()
    out = np.empty((s_n, t.size, n))
    steps: dict[float, FloatArray] = {}
    prev = 0.0
    for j, tj in enumerate(t):
        dt = float(tj) - prev
        if dt != 0.0:
            phi = steps.get(dt)
            if phi is None:
                phi = steps[dt] = expm(aug * dt)
            z = np.einsum("sij,sj->si", phi, z)
        out[:, j] = z[:, :n]
        prev = float(tj)
    return out


@dataclass(frozen=True)
class RichardsonFit:
    """Fitted Richardson coefficients with standard errors and the implied analysis.

    ``reaction[i, j]`` is party i's reaction to party j (per year; NaN where not fitted and
    held at 0), ``fatigue_per_yr[i]`` is a[i], ``grievance_per_yr[i]`` is g[i] (warheads per
    year). ``initial_level`` is the fitted level at the first year (ODE method only).
    ``covariance`` is over ``param_names`` in that order (see :func:`scaled_covariance`;
    infinite where a parameter is not determined by the data) and ``condition_number`` is
    that of the column-scaled Jacobian (ODE) or the worst column-scaled design (finite
    differences); above 1 / ``RCOND`` some direction is not determined.
    """

    names: tuple[str, ...]
    method: str
    years: FloatArray
    reaction: FloatArray
    reaction_se: FloatArray
    fatigue_per_yr: FloatArray
    fatigue_se: FloatArray
    grievance_per_yr: FloatArray
    grievance_se: FloatArray
    initial_level: FloatArray | None
    initial_se: FloatArray | None
    rss: float
    n_obs: int
    n_params: int
    param_names: tuple[str, ...]
    covariance: FloatArray
    condition_number: float
    free_reaction: NDArray[np.bool_] = field(repr=False)
    analysis: RichardsonAnalysis = field(repr=False)
    converged: bool = True

    @property
    def params(self) -> FloatArray:
        """Fitted parameters in ``param_names`` order."""
        return _pack(
            np.nan_to_num(self.reaction),
            self.fatigue_per_yr,
            self.grievance_per_yr,
            self.initial_level,
            self.free_reaction,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per fitted parameter: name, estimate, standard error."""
        est = self.params
        se = np.sqrt(np.clip(np.diag(self.covariance), 0.0, None))
        return pd.DataFrame({"parameter": list(self.param_names), "estimate": est, "se": se})

    @property
    def identified(self) -> bool:
        """Whether every parameter has a finite standard error."""
        return bool(np.all(np.isfinite(np.diag(self.covariance))))

    def to_dict(self) -> dict[str, Any]:
        params = [
            # JSON has no infinity: an undetermined parameter's standard error is null.
            {**row, "se": row["se"] if np.isfinite(row["se"]) else None}
            for row in self.to_frame().to_dict(orient="records")
        ]
        cond = self.condition_number
        return {
            "method": self.method,
            "names": list(self.names),
            "years": [float(self.years[0]), float(self.years[-1])],
            "years_used": [int(y) if float(y).is_integer() else float(y) for y in self.years],
            "parameters": params,
            "covariance_method": "s^2 (J^T J)^-1 via SVD of the column-scaled Jacobian",
            "condition_number": cond if np.isfinite(cond) else None,
            "rcond": RCOND,
            "identified": self.identified,
            "converged": self.converged,
            "rss": self.rss,
            "n_obs": self.n_obs,
            "n_params": self.n_params,
            "analysis": self.analysis.to_dict(),
        }


def _free_mask(n: int, free_reaction: ArrayLike | None) -> NDArray[np.bool_]:
    if free_reaction is None:
        mask = ~np.eye(n, dtype=bool)
    else:
        mask = np.array(free_reaction, dtype=bool, copy=True)
        if mask.shape != (n, n):
            raise InputError(
                f"free_reaction has shape {mask.shape}",
                field="free_reaction",
                expected=f"a boolean ({n}, {n}) matrix",
            )
        np.fill_diagonal(mask, False)
    return mask


def _param_names(names: Sequence[str], free: NDArray[np.bool_], with_x0: bool) -> tuple[str, ...]:
    out = [f"k[{names[i]},{names[j]}]" for i, j in zip(*np.nonzero(free), strict=True)]
    out += [f"a[{s}]" for s in names]
    out += [f"g[{s}]" for s in names]
    if with_x0:
        out += [f"x0[{s}]" for s in names]
    return tuple(out)


def _pack(
    k: FloatArray,
    a: FloatArray,
    g: FloatArray,
    x0: FloatArray | None,
    free: NDArray[np.bool_],
) -> FloatArray:
    parts = [k[free], a, g]
    if x0 is not None:
        parts.append(x0)
    return np.concatenate(parts)


def _unpack(
    theta: FloatArray, n: int, free: NDArray[np.bool_], with_x0: bool
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    nk = int(free.sum())
    k = np.zeros((n, n))
    k[free] = theta[:nk]
    a = theta[nk : nk + n]
    g = theta[nk + n : nk + 2 * n]
    x0 = theta[nk + 2 * n : nk + 3 * n] if with_x0 else None
    return k, a, g, x0


def _check_series(years: ArrayLike, levels: ArrayLike) -> tuple[FloatArray, FloatArray]:
    t = np.asarray(years, dtype=float)
    x = np.asarray(levels, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if t.ndim != 1 or x.shape[0] != t.size:
        raise InputError(
            f"years has {t.size} entries and levels {x.shape[0]} rows",
            field="levels",
            expected="one row of levels per year",
        )
    if not np.all(np.isfinite(t)) or not np.all(np.isfinite(x)):
        raise InputError("non-finite year or level", field="levels", expected="finite numbers")
    if np.any(np.diff(t) <= 0):
        raise InputError("years are not strictly increasing", field="years")
    return t, x


def _result(
    names: tuple[str, ...],
    method: str,
    t: FloatArray,
    theta: FloatArray,
    cov: FloatArray,
    free: NDArray[np.bool_],
    with_x0: bool,
    rss: float,
    n_obs: int,
    condition_number: float,
    converged: bool = True,
) -> RichardsonFit:
    n = len(names)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    k, a, g, x0 = _unpack(theta, n, free, with_x0)
    k_se_flat, a_se, g_se, x0_se = _unpack(se, n, free, with_x0)
    k_out = np.where(free, k, np.nan)
    k_se = np.where(free, k_se_flat, np.nan)
    np.fill_diagonal(k_out, 0.0)
    return RichardsonFit(
        names=names,
        method=method,
        years=t,
        reaction=k_out,
        reaction_se=k_se,
        fatigue_per_yr=a,
        fatigue_se=a_se,
        grievance_per_yr=g,
        grievance_se=g_se,
        initial_level=x0,
        initial_se=x0_se,
        rss=rss,
        n_obs=n_obs,
        n_params=int(theta.size),
        param_names=_param_names(names, free, with_x0),
        covariance=cov,
        condition_number=condition_number,
        free_reaction=free,
        analysis=analyse(k, a, g, names),
        converged=converged,
    )


def _names(n: int, names: Sequence[str] | None) -> tuple[str, ...]:
    if names is None:
        return tuple(f"P{i + 1}" for i in range(n))
    if len(names) != n:
        raise InputError(f"{len(names)} names for {n} series", field="names")
    return tuple(names)


def fit_finite_differences(
    years: ArrayLike,
    levels: ArrayLike,
    names: Sequence[str] | None = None,
    free_reaction: ArrayLike | None = None,
) -> RichardsonFit:
    """Fit Richardson's equations by least squares of increments on mid-interval levels.

    For each party i, (x_i(t2) - x_i(t1)) / (t2 - t1) is regressed on the mid-interval levels
    (x(t1) + x(t2)) / 2 and a constant (Richardson 1939, 1960; he regressed yearly increments
    on levels). The coefficient on x_i is -a_i, on x_j (j free) K[i, j], the constant g_i.
    Standard errors are the ordinary least-squares ones, equation by equation.

    Uneven steps are allowed: each increment is divided by its own interval length.
    Known bias: on x(t) = x0 + A exp(c t) sampled every h years, the fitted slope is
    2 tanh(c h / 2) / h, not c (0.4898 for c = 0.5/yr and h = 1; 0.0980 for c = 0.1/yr and
    h = 5), while the zero-growth level x0 is exact; with mixed steps the bias mixes too.
    Prefer :func:`fit_ode` for large coefficients or long steps. Units: years, levels in
    warheads.
    """
    t, x = _check_series(years, levels)
    n = x.shape[1]
    nm = _names(n, names)
    free = _free_mask(n, free_reaction)
    dt = np.diff(t)
    rate = np.diff(x, axis=0) / dt[:, None]
    mid = 0.5 * (x[1:] + x[:-1])
    m_rows = rate.shape[0]
    nk = int(free.sum())
    theta = np.zeros(nk + 2 * n)
    cov = np.zeros((theta.size, theta.size))
    rss_total = 0.0
    cond_worst = 1.0
    k_positions = {(i, j): p for p, (i, j) in enumerate(zip(*np.nonzero(free), strict=True))}
    for i in range(n):
        cols = [j for j in range(n) if j == i or free[i, j]]
        design = np.column_stack([mid[:, cols], np.ones(m_rows)])
        p = design.shape[1]
        if m_rows < p:
            raise InputError(
                f"{m_rows} intervals for {p} coefficients of {nm[i]}",
                field="levels",
                expected=f"at least {p + 1} years",
            )
        coef, *_ = np.linalg.lstsq(design, rate[:, i], rcond=None)
        resid = rate[:, i] - design @ coef
        rss = float(resid @ resid)
        rss_total += rss
        dof = m_rows - p
        s2 = rss / dof if dof > 0 else np.nan
        c_i, cond_i = scaled_covariance(design, s2)
        cond_worst = max(cond_worst, cond_i)
        # Map this equation's coefficients to positions in the global parameter vector.
        pos: list[int] = []
        sign: list[float] = []
        for j in cols:
            if j == i:
                pos.append(nk + i)
                sign.append(-1.0)
            else:
                pos.append(k_positions[(i, j)])
                sign.append(1.0)
        pos.append(nk + n + i)
        sign.append(1.0)
        s = np.array(sign)
        theta[pos] = s * coef
        cov[np.ix_(pos, pos)] = c_i * np.outer(s, s)
    return _result(
        nm, "finite_differences", t, theta, cov, free, False, rss_total, m_rows * n, cond_worst
    )


def fit_ode(
    years: ArrayLike,
    levels: ArrayLike,
    names: Sequence[str] | None = None,
    free_reaction: ArrayLike | None = None,
    weight_by_level: bool = True,
) -> RichardsonFit:
    """Fit the exact Richardson solution to a series by non-linear least squares.

    Parameters are the free K[i, j], a, g and the level at the first year, x0. Residuals are
    model minus observed levels at every year; with ``weight_by_level`` each party's
    residuals are divided by its largest observed level so that a small arsenal counts as
    much as a large one. Solved with ``scipy.optimize.least_squares`` (trust-region
    reflective) from the finite-difference estimate; when the model fits badly the surface
    has several local minima and this is only the one nearest that start. The Jacobian is
    exact (forward sensitivity equations, see :func:`_solve_with_jacobian`), which keeps the
    solver fast on long, ill-conditioned windows. Standard errors from
    cov = s^2 (J^T J)^-1 with s^2 = RSS / (observations - parameters), computed in the
    column-scaled space by :func:`scaled_covariance`; they are local (linearised at the
    optimum) and understate the uncertainty when the fitted system is runaway, because the
    projection is then far from linear in the coefficients. Years may be unevenly
    spaced (the solution is evaluated at each year's offset from the first). Source:
    Richardson (1960) for the model; the estimator is ordinary non-linear least squares.
    """
    t, x = _check_series(years, levels)
    n = x.shape[1]
    nm = _names(n, names)
    free = _free_mask(n, free_reaction)
    nk = int(free.sum())
    n_par = nk + 3 * n
    if x.size <= n_par:
        raise InputError(
            f"{x.size} observations for {n_par} parameters",
            field="levels",
            expected=f"more than {n_par // n} years",
        )
    scale = np.maximum(np.abs(x).max(axis=0), 1e-12) if weight_by_level else np.ones(n)
    tau = t - t[0]
    try:
        start = fit_finite_differences(t, x, nm, free)
        k0 = np.nan_to_num(start.reaction)
        theta0 = _pack(k0, start.fatigue_per_yr, start.grievance_per_yr, x[0].copy(), free)
    except InputError:
        theta0 = _pack(np.zeros((n, n)), np.full(n, 0.1), np.zeros(n), x[0].copy(), free)

    cache: dict[str, Any] = {}

    def evaluate(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        # least_squares asks for the residuals and then the Jacobian at the same point; both
        # come from one solve of the sensitivity system.
        if cache.get("theta") is None or not np.array_equal(cache["theta"], theta):
            levels, jac = _solve_with_jacobian(theta, n, free, tau)
            cache["theta"] = theta.copy()
            cache["out"] = (
                ((levels - x) / scale).ravel(),
                (jac / scale[None, :, None]).reshape(x.size, theta.size),
            )
        out: tuple[FloatArray, FloatArray] = cache["out"]
        return out

    # Trial steps into explosive regions overflow; least_squares rejects them by their cost.
    with np.errstate(over="ignore", invalid="ignore"):
        sol = least_squares(
            lambda th: evaluate(th)[0],
            theta0,
            jac=lambda th: evaluate(th)[1],
            method="trf",
            x_scale="jac",
            max_nfev=MAX_NFEV_PER_PARAM * n_par,
        )
        _, jac = evaluate(sol.x)
    rss_scaled = float(sol.fun @ sol.fun)
    dof = x.size - n_par
    cov, cond = scaled_covariance(jac, rss_scaled / dof)
    resid_raw = sol.fun.reshape(x.shape) * scale
    rss = float(np.sum(resid_raw**2))
    return _result(
        nm,
        "ode_least_squares",
        t,
        sol.x,
        cov,
        free,
        True,
        rss,
        int(x.size),
        cond,
        converged=bool(sol.status > 0),
    )


def fit_history(
    history: pd.DataFrame,
    states: Sequence[str] = TRILATERAL,
    year_min: int | None = None,
    year_max: int | None = None,
    method: str = "ode",
    free_reaction: ArrayLike | None = None,
) -> RichardsonFit:
    """Fit Richardson's model to a long table of stockpiles (columns state, year, value).

    Only years in which every one of ``states`` has a value are used. ``method`` is "ode"
    (:func:`fit_ode`, preferred) or "finite_differences" (:func:`fit_finite_differences`).
    The table is what ``tripolar.data`` provides for the FAS/Norris–Kristensen series.
    """
    missing = {"state", "year", "value"} - set(history.columns)
    if missing:
        raise InputError(
            f"history lacks columns {sorted(missing)}",
            field="history",
            expected="columns state, year, value",
        )
    if method not in ("ode", "finite_differences"):
        raise InputError(
            f"unknown method {method!r}", field="method", expected="ode or finite_differences"
        )
    df = history[history["state"].isin(list(states))]
    absent = [s for s in states if s not in set(df["state"])]
    if absent:
        raise InputError(f"no rows for {absent}", field="state", expected=f"rows for {states}")
    if year_min is not None:
        df = df[df["year"] >= year_min]
    if year_max is not None:
        df = df[df["year"] <= year_max]
    wide = df.pivot_table(index="year", columns="state", values="value", aggfunc="mean")
    wide = wide[list(states)].dropna().sort_index()
    years = wide.index.to_numpy(dtype=float)
    levels = wide.to_numpy(dtype=float)
    if method == "ode":
        return fit_ode(years, levels, list(states), free_reaction)
    return fit_finite_differences(years, levels, list(states), free_reaction)
