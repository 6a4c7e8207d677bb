"""Axiomatic bargaining solutions over finite and continuous utility sets.

A bargaining problem is a set S of utility vectors (one entry per party) and a disagreement
point d (each party's utility of no deal). Implemented here:

* Pareto frontier (non-dominated outcomes) and the zone of possible agreement (ZOPA,
  outcomes strictly better than d for every party);
* Nash (1950), "The Bargaining Problem", *Econometrica* 18(2): argmax of prod(u_i - d_i),
  and the weighted (asymmetric) form prod(u_i - d_i)^w_i of Harsanyi & Selten (1972),
  *Management Science* 18(5);
* Kalai & Smorodinsky (1975), *Econometrica* 43(3): the maximal point of S on the segment
  from d to the ideal point a (a_i = max u_i over u in S, u >= d). For n >= 3 it is in
  general only weakly Pareto optimal (Roth, *Axiomatic Models of Bargaining*, 1979);
* egalitarian (proportional) solution of Kalai (1977), *Econometrica* 45(7):
  d + lambda (1, ..., 1) with lambda maximal; it needs comparable utility scales.

Finite sets: ``utilities`` has shape (n_parties, n_outcomes). On a finite set the segment
point d + lambda (a - d) is usually not an outcome, so the finite KS solution is the
outcome that maximises min_i (u_i - d_i) / (a_i - d_i), the largest lambda such that the
outcome weakly dominates d + lambda (a - d): that is KS on the free-disposal hull of S. Ties
are broken leximin (the larger second-smallest normalised gain, and so on), then by lowest
index. The egalitarian solution is the leximin outcome of the raw gains. Nash ties go to
the lowest index. All three are chosen inside the ZOPA; an empty ZOPA means no agreement.

Continuous sets: S = {u >= d : constraint(u) <= 0} for a caller-supplied constraint
function (the frontier is constraint(u) = 0). Nash by SLSQP on the weighted sum of logs;
the ideal point by one SLSQP per party; KS and egalitarian by root-finding (brentq) on
lambda along their rays.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, minimize

from tripolar.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Relative tolerance used to decide ties between outcomes.
TIE_RTOL = 1e-12


def _as_problem(utilities: ArrayLike, disagreement: ArrayLike) -> tuple[FloatArray, FloatArray]:
    u = np.asarray(utilities, dtype=float)
    d = np.asarray(disagreement, dtype=float)
    if u.ndim != 2:
        raise InputError(
            f"utilities has {u.ndim} dimensions", field="utilities", expected="(parties, outcomes)"
        )
    if d.shape != (u.shape[0],):
        raise InputError(
            f"disagreement has shape {d.shape} for {u.shape[0]} parties",
            field="disagreement",
            expected=f"({u.shape[0]},)",
        )
    if not (np.all(np.isfinite(u)) and np.all(np.isfinite(d))):
        raise InputError("non-finite utility", field="utilities", expected="finite numbers")
    return u, d


def pareto_frontier(utilities: ArrayLike) -> IntArray:
    """Indices (ascending) of the outcomes not dominated by any other outcome.

    v dominates u when v >= u in every entry and v != u. Duplicated outcomes are all kept.
    Sort-based skyline: outcomes are visited in decreasing lexicographic order, so an
    outcome can only be dominated by one already visited and kept. O(N F) for N outcomes
    and F frontier points.
    """
    u = np.asarray(utilities, dtype=float)
    pts = u.T
    order = np.lexsort(pts.T[::-1])[::-1]
    kept: list[int] = []
    front = np.empty_like(pts)  # preallocated: kept points fill its first m rows
    m = 0
    for idx in order:
        p = pts[idx]
        if m:
            f = front[:m]
            if np.any(np.all(f >= p, axis=1) & np.any(f > p, axis=1)):
                continue
        kept.append(int(idx))
        front[m] = p
        m += 1
    return np.sort(np.array(kept, dtype=np.intp))


def zopa(utilities: ArrayLike, disagreement: ArrayLike) -> IntArray:
    """Indices of the outcomes strictly better than the disagreement point for every party."""
    u, d = _as_problem(utilities, disagreement)
    return np.nonzero(np.all(u > d[:, None], axis=0))[0].astype(np.intp)


@dataclass(frozen=True)
class BargainingSolution:
    """One bargaining solution.

    ``index`` is the chosen outcome (finite problems) or None (continuous, or no agreement);
    ``utilities`` the solution's utility vector; ``gains`` = utilities - disagreement;
    ``criterion`` the maximised value (Nash: weighted sum of log gains; KS and egalitarian:
    lambda); ``ties`` the other outcomes with the same criterion value.
    """

    method: str
    agreement: bool
    utilities: FloatArray | None
    disagreement: FloatArray
    index: int | None = None
    criterion: float | None = None
    ideal: FloatArray | None = None
    ties: tuple[int, ...] = ()
    parties: tuple[str, ...] = ()
    note: str = ""

    @property
    def gains(self) -> FloatArray | None:
        return None if self.utilities is None else self.utilities - self.disagreement

    @property
    def nash_product(self) -> float | None:
        g = self.gains
        return None if g is None else float(np.prod(g))

    def to_dict(self) -> dict[str, Any]:
        names = self.parties or tuple(f"P{i + 1}" for i in range(self.disagreement.size))

        def named(x: FloatArray | None) -> dict[str, float] | None:
            return None if x is None else {n: float(v) for n, v in zip(names, x, strict=True)}

        return {
            "method": self.method,
            "agreement": self.agreement,
            "index": self.index,
            "utilities": named(self.utilities),
            "gains": named(self.gains),
            "disagreement": named(self.disagreement),
            "ideal": named(self.ideal),
            "criterion": self.criterion,
            "ties": list(self.ties),
            "note": self.note,
        }


def _no_deal(method: str, d: FloatArray, parties: Sequence[str], note: str) -> BargainingSolution:
    return BargainingSolution(
        method=method,
        agreement=False,
        utilities=None,
        disagreement=d,
        parties=tuple(parties),
        note=note,
    )


def _ties(values: FloatArray, best: float) -> NDArray[np.bool_]:
    scale = max(1.0, abs(best))
    return np.abs(values - best) <= TIE_RTOL * scale


def _leximin_pick(candidates: IntArray, scores: FloatArray) -> tuple[int, tuple[int, ...]]:
    # scores: (n_parties, n_candidates); maximise the sorted vector lexicographically.
    srt = np.sort(scores, axis=0)
    keys = [srt[k] for k in range(srt.shape[0] - 1, -1, -1)]
    order = np.lexsort(keys)  # ascending; the smallest entry is the primary key
    best = order[-1]
    same = np.all(np.isclose(srt, srt[:, [best]], rtol=TIE_RTOL, atol=0.0), axis=0)
    tied = np.sort(candidates[same])
    chosen = int(tied[0])
    return chosen, tuple(int(t) for t in tied if t != chosen)


def nash_solution(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    weights: ArrayLike | None = None,
    parties: Sequence[str] = (),
) -> BargainingSolution:
    """Nash bargaining solution on a finite outcome set: argmax of sum_i w_i log(u_i - d_i).

    Source: Nash (1950), *Econometrica* 18(2):155-162; weighted form Harsanyi & Selten (1972).
    ``weights`` (default all 1) are bargaining powers, positive. Searched within the ZOPA;
    ties go to the lowest index and are listed.
    """
    u, d = _as_problem(utilities, disagreement)
    w = np.ones(d.size) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != d.shape or np.any(w <= 0):
        raise InputError("Nash weights must be positive, one per party", field="weights")
    cand = zopa(u, d)
    if cand.size == 0:
        return _no_deal("nash", d, parties, "empty ZOPA: no outcome is better for all")
    score = w @ np.log(u[:, cand] - d[:, None])
    best = float(score.max())
    tied = cand[_ties(score, best)]
    chosen = int(tied[0])
    return BargainingSolution(
        method="nash" if weights is None else "nash_weighted",
        agreement=True,
        utilities=u[:, chosen].copy(),
        disagreement=d,
        index=chosen,
        criterion=best,
        ties=tuple(int(t) for t in tied[1:]),
        parties=tuple(parties),
    )


def ideal_point(utilities: ArrayLike, disagreement: ArrayLike) -> FloatArray | None:
    """a_i = max u_i over outcomes with u >= d (weakly individually rational); None if none."""
    u, d = _as_problem(utilities, disagreement)
    ir = np.all(u >= d[:, None], axis=0)
    if not ir.any():
        return None
    return np.asarray(u[:, ir].max(axis=1), dtype=float)


def kalai_smorodinsky_solution(
    utilities: ArrayLike, disagreement: ArrayLike, parties: Sequence[str] = ()
) -> BargainingSolution:
    """Kalai–Smorodinsky solution on a finite set (the criterion of the module docstring).

    Source: Kalai & Smorodinsky (1975), *Econometrica* 43(3):513-518. ``criterion`` is the
    attained lambda = min_i (u_i - d_i) / (a_i - d_i).
    """
    u, d = _as_problem(utilities, disagreement)
    cand = zopa(u, d)
    a = ideal_point(u, d)
    if cand.size == 0 or a is None:
        return _no_deal("kalai_smorodinsky", d, parties, "empty ZOPA: no outcome is better for all")
    norm = (u[:, cand] - d[:, None]) / (a - d)[:, None]
    chosen, ties = _leximin_pick(cand, norm)
    lam = float(np.min((u[:, chosen] - d) / (a - d)))
    return BargainingSolution(
        method="kalai_smorodinsky",
        agreement=True,
        utilities=u[:, chosen].copy(),
        disagreement=d,
        index=chosen,
        criterion=lam,
        ideal=a,
        ties=ties,
        parties=tuple(parties),
        note="finite set: outcome maximising the minimum normalised gain (KS on the "
        "free-disposal hull)",
    )


def egalitarian_solution(
    utilities: ArrayLike, disagreement: ArrayLike, parties: Sequence[str] = ()
) -> BargainingSolution:
    """Egalitarian solution on a finite set: the leximin outcome of the gains u - d.

    Source: Kalai (1977), *Econometrica* 45(7):1623-1630. Assumes the parties' utility
    scales are comparable; unlike Nash and KS it is not invariant to rescaling one party's
    utility. ``criterion`` is the smallest gain.
    """
    u, d = _as_problem(utilities, disagreement)
    cand = zopa(u, d)
    if cand.size == 0:
        return _no_deal("egalitarian", d, parties, "empty ZOPA: no outcome is better for all")
    gains = u[:, cand] - d[:, None]
    chosen, ties = _leximin_pick(cand, gains)
    return BargainingSolution(
        method="egalitarian",
        agreement=True,
        utilities=u[:, chosen].copy(),
        disagreement=d,
        index=chosen,
        criterion=float(np.min(u[:, chosen] - d)),
        ties=ties,
        parties=tuple(parties),
    )


@dataclass(frozen=True)
class BargainingReport:
    """Frontier, ZOPA and the three solutions of one finite problem."""

    parties: tuple[str, ...]
    n_outcomes: int
    pareto: IntArray
    zopa: IntArray
    nash: BargainingSolution
    kalai_smorodinsky: BargainingSolution
    egalitarian: BargainingSolution
    labels: tuple[str, ...] = field(default=())

    @property
    def solutions(self) -> tuple[BargainingSolution, ...]:
        return (self.nash, self.kalai_smorodinsky, self.egalitarian)

    def to_frame(self) -> pd.DataFrame:
        """One row per solution: method, outcome index and label, utility per party."""
        rows = []
        for s in self.solutions:
            row: dict[str, Any] = {"method": s.method, "agreement": s.agreement, "index": s.index}
            row["label"] = self.labels[s.index] if (s.index is not None and self.labels) else None
            for k, p in enumerate(self.parties):
                row[p] = None if s.utilities is None else float(s.utilities[k])
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "n_outcomes": self.n_outcomes,
            "pareto": self.pareto.tolist(),
            "zopa": self.zopa.tolist(),
            "solutions": [s.to_dict() for s in self.solutions],
            "labels": list(self.labels),
        }


def solve_finite(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    parties: Sequence[str] = (),
    nash_weights: ArrayLike | None = None,
    labels: Sequence[str] = (),
) -> BargainingReport:
    """Pareto frontier, ZOPA, Nash, Kalai–Smorodinsky and egalitarian solutions at once."""
    u, d = _as_problem(utilities, disagreement)
    names = tuple(parties) or tuple(f"P{i + 1}" for i in range(d.size))
    if len(names) != d.size:
        raise InputError(f"{len(names)} party names for {d.size} parties", field="parties")
    if labels and len(labels) != u.shape[1]:
        raise InputError(f"{len(labels)} labels for {u.shape[1]} outcomes", field="labels")
    return BargainingReport(
        parties=names,
        n_outcomes=int(u.shape[1]),
        pareto=pareto_frontier(u),
        zopa=zopa(u, d),
        nash=nash_solution(u, d, nash_weights, names),
        kalai_smorodinsky=kalai_smorodinsky_solution(u, d, names),
        egalitarian=egalitarian_solution(u, d, names),
        labels=tuple(labels),
    )


# ---------------------------------------------------------------------------------------
# Continuous sets: S = {u >= d : constraint(u) <= 0}

Constraint = Callable[[FloatArray], float]


def _ray_root(constraint: Constraint, d: FloatArray, direction: FloatArray) -> float | None:
    """Largest lambda with constraint(d + lambda direction) <= 0, by bracketing and brentq."""

    def f(lam: float) -> float:
        return float(constraint(d + lam * direction))

    if f(0.0) >= 0.0:
        return None
    hi = 1.0
    for _ in range(80):
        if f(hi) > 0.0:
            break
        hi *= 2.0
    else:
        return None
    return float(brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-13, maxiter=500))


def egalitarian_continuous(
    constraint: Constraint, disagreement: ArrayLike, parties: Sequence[str] = ()
) -> BargainingSolution:
    """Egalitarian solution d + lambda* (1, ..., 1) of a continuous set (Kalai 1977).

    lambda* is the root of constraint(d + lambda 1) = 0 (brentq); S must be bounded along
    the ray and d strictly inside (constraint(d) < 0), else no agreement.
    """
    d = np.asarray(disagreement, dtype=float)
    lam = _ray_root(constraint, d, np.ones_like(d))
    if lam is None:
        return _no_deal("egalitarian", d, parties, "d not strictly inside S, or S unbounded")
    return BargainingSolution(
        method="egalitarian",
        agreement=True,
        utilities=d + lam,
        disagreement=d,
        criterion=lam,
        parties=tuple(parties),
    )


def _slsqp(
    objective: Callable[[FloatArray], float],
    constraint: Constraint,
    start: FloatArray,
    lower: FloatArray,
) -> FloatArray:
    res = minimize(
        objective,
        start,
        method="SLSQP",
        bounds=[(float(lo), None) for lo in lower],
        constraints=[{"type": "ineq", "fun": lambda u: -float(constraint(u))}],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    return np.asarray(res.x, dtype=float)


def ideal_point_continuous(constraint: Constraint, disagreement: ArrayLike) -> FloatArray | None:
    """Ideal point a_i = max{u_i : u in S, u >= d}, one SLSQP per party."""
    d = np.asarray(disagreement, dtype=float)
    egal = egalitarian_continuous(constraint, d)
    if egal.utilities is None:
        return None
    start = egal.utilities
    a = np.empty_like(d)
    for i in range(d.size):

        def neg_ui(u: FloatArray, i: int = i) -> float:
            return -float(u[i])

        a[i] = _slsqp(neg_ui, constraint, start, d)[i]
    return a


def kalai_smorodinsky_continuous(
    constraint: Constraint,
    disagreement: ArrayLike,
    ideal: ArrayLike | None = None,
    parties: Sequence[str] = (),
) -> BargainingSolution:
    """Kalai–Smorodinsky solution of a continuous set: d + lambda* (a - d).

    Source: Kalai & Smorodinsky (1975). lambda* is the root of constraint(d + lambda (a - d))
    = 0 found by brentq; the ideal point a is computed unless given.
    """
    d = np.asarray(disagreement, dtype=float)
    a = ideal_point_continuous(constraint, d) if ideal is None else np.asarray(ideal, float)
    if a is None or np.any(a <= d):
        return _no_deal("kalai_smorodinsky", d, parties, "no point of S is better for all")
    lam = _ray_root(constraint, d, a - d)
    if lam is None:
        return _no_deal("kalai_smorodinsky", d, parties, "d not strictly inside S")
    lam = min(lam, 1.0)
    return BargainingSolution(
        method="kalai_smorodinsky",
        agreement=True,
        utilities=d + lam * (a - d),
        disagreement=d,
        criterion=lam,
        ideal=a,
        parties=tuple(parties),
    )


def nash_continuous(
    constraint: Constraint,
    disagreement: ArrayLike,
    weights: ArrayLike | None = None,
    parties: Sequence[str] = (),
) -> BargainingSolution:
    """Nash solution of a continuous set: maximise sum_i w_i log(u_i - d_i) on S (SLSQP).

    Source: Nash (1950); weights as in Harsanyi & Selten (1972). Started from the midpoint of
    the egalitarian ray, which is strictly inside S; S should be convex for the maximum to be
    unique.
    """
    d = np.asarray(disagreement, dtype=float)
    w = np.ones(d.size) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != d.shape or np.any(w <= 0):
        raise InputError("Nash weights must be positive, one per party", field="weights")
    egal = egalitarian_continuous(constraint, d)
    if egal.criterion is None:
        return _no_deal("nash", d, parties, "d not strictly inside S, or S unbounded")
    lam = egal.criterion
    eps = 1e-12 * max(1.0, lam)
    start = d + 0.5 * lam

    def neg_log(u: FloatArray) -> float:
        return -float(w @ np.log(np.maximum(u - d, eps)))

    x = _slsqp(neg_log, constraint, start, d + eps)
    return BargainingSolution(
        method="nash" if weights is None else "nash_weighted",
        agreement=True,
        utilities=x,
        disagreement=d,
        criterion=-neg_log(x),
        parties=tuple(parties),
    )


# ---------------------------------------------------------------------------------------
# Sensitivity to input weights


@dataclass(frozen=True)
class FiniteProblem:
    """A finite bargaining problem as built from weights (for :func:`weight_sensitivity`)."""

    utilities: FloatArray
    disagreement: FloatArray
    nash_weights: FloatArray | None = None


@dataclass(frozen=True)
class Sensitivity:
    """How each solution moves when each input weight is moved by +/- ``rel_step``.

    ``rows``: weight, method, base/minus/plus outcome index, whether the chosen outcome
    changes, and per party the central finite-difference derivative of the solution's
    utility with respect to the weight (d u_party / d weight).
    """

    parties: tuple[str, ...]
    rel_step: float
    rows: tuple[dict[str, Any], ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows))

    def to_dict(self) -> dict[str, Any]:
        return {"parties": list(self.parties), "rel_step": self.rel_step, "rows": list(self.rows)}


def weight_sensitivity(
    build: Callable[[Mapping[str, float]], FiniteProblem],
    weights: Mapping[str, float],
    parties: Sequence[str],
    rel_step: float = 0.1,
    nonnegative: Collection[str] = (),
) -> Sensitivity:
    """Re-solve Nash, KS and egalitarian with each weight moved by -/+ rel_step (relative).

    ``build(weights)`` returns the :class:`FiniteProblem` for a set of weights (for example
    utilities from party profiles). A weight of 0 is moved by +/- rel_step absolutely; a
    weight named in ``nonnegative`` is not moved below 0 (its "minus" side is then the
    weight itself). The derivative is (u_plus - u_minus) / (plus - minus) for the solution's
    utilities; None when either side has no agreement. Finite sets make the solutions jump
    between outcomes, so the change of outcome is the main output; the derivative is
    informative only between jumps.
    """

    def solve(p: FiniteProblem) -> dict[str, BargainingSolution]:
        return {
            "nash": nash_solution(p.utilities, p.disagreement, p.nash_weights),
            "kalai_smorodinsky": kalai_smorodinsky_solution(p.utilities, p.disagreement),
            "egalitarian": egalitarian_solution(p.utilities, p.disagreement),
        }

    base = solve(build(weights))
    rows: list[dict[str, Any]] = []
    for name, value in weights.items():
        h = abs(value) * rel_step if value != 0 else rel_step
        v_lo = max(value - h, 0.0) if name in nonnegative else value - h
        lo = solve(build({**weights, name: v_lo}))
        hi = solve(build({**weights, name: value + h}))
        span = value + h - v_lo
        for method, sol in base.items():
            row: dict[str, Any] = {
                "weight": name,
                "method": method,
                "base_index": sol.index,
                "minus_index": lo[method].index,
                "plus_index": hi[method].index,
                "changed": not (sol.index == lo[method].index == hi[method].index),
            }
            u_lo, u_hi = lo[method].utilities, hi[method].utilities
            for k, p in enumerate(parties):
                row[f"du_{p}"] = (
                    None if u_lo is None or u_hi is None else float((u_hi[k] - u_lo[k]) / span)
                )
            rows.append(row)
    return Sensitivity(parties=tuple(parties), rel_step=rel_step, rows=tuple(rows))
