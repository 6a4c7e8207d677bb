"""The exact yearly detection model and its Monte Carlo, vectorised over samples.

Per sample: the miss probability of each inspector's visits (hypergeometric with
imperfect noticing, :func:`tripolar.verification.inspection.hypergeometric_miss_probability`;
Avenhaus & Canty 1996, ch. 3), national technical means and data exchanges, years
independent; the events are drawn too, as a check on the exact mean. The scenario that
fills :class:`SampledParameters` is in :mod:`tripolar.verification.simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tripolar.verification.inspection import (
    hypergeometric_miss_probability,
    pooled_miss_probability,
)

__all__ = ["SampledParameters", "miss_probability", "run_monte_carlo"]


def miss_probability(
    n_items: np.ndarray | None,
    n_violating: np.ndarray,
    n_inspected: np.ndarray,
    p_notice: np.ndarray,
    violating_fraction: np.ndarray | None = None,
) -> np.ndarray:
    """Probability that ``n_inspected`` random inspections notice none of the violations.

    Vectorised over samples. Finite population: the hypergeometric formula of
    :func:`tripolar.verification.inspection.hypergeometric_miss_probability` (Avenhaus &
    Canty 1996, ch. 3), the one implementation the planner uses too. ``n_items=None`` is
    a population too large or too uncertain to count, the with-replacement limit
    ``(1 - f p)^n`` with violating fraction f; it never overstates detection (sampling
    without replacement finds more).
    """
    n = np.asarray(n_inspected, dtype=np.float64)
    p = np.asarray(p_notice, dtype=np.float64)
    if n_items is None:
        f = np.asarray(violating_fraction, dtype=np.float64)
        return np.asarray(np.power(1.0 - f * p, n))
    return hypergeometric_miss_probability(n_items, n_violating, n, p)


@dataclass
class SampledParameters:
    """The model's inputs for S samples (arrays of shape (S,); ``inspections`` (P, S)).

    ``n_items`` None means the with-replacement limit with ``violating_fraction``.
    ``ntm_per_year`` is per inspector (P, S); ``exchange_per_year`` is shared by all.
    """

    inspectors: list[str]
    n_items: np.ndarray | None
    n_violating: np.ndarray
    violating_fraction: np.ndarray
    inspections: np.ndarray
    p_notice: np.ndarray
    ntm_per_year: np.ndarray
    exchange_per_year: np.ndarray

    @property
    def samples(self) -> int:
        return int(self.p_notice.shape[0])


def _pooled_rounds(inspections: np.ndarray, n_items: np.ndarray) -> np.ndarray:
    """Visits of each party in each round of a coordinated plan, shape (T, P, S).

    The pooled quota is one list of visits: a random order of all N items, then another,
    and so on (a round per pass over the items), cut into consecutive runs, one run per
    party in quota order. So no item is visited twice before every item has been visited
    once, and the leftover quota revisits items rather than being discarded; within a
    round a party's visits are distinct, across rounds independent.
    """
    n = inspections.astype(np.int64)
    N = np.maximum(n_items.astype(np.int64), 1)
    end = np.cumsum(n, axis=0)
    start = end - n
    rounds = int(np.max(-(-end[-1] // N))) if n.size else 0
    out = np.zeros((rounds, *n.shape), dtype=np.int64)
    for t in range(rounds):
        lo, hi = t * N, (t + 1) * N
        out[t] = np.maximum(0, np.minimum(end, hi) - np.maximum(start, lo))
    return out


def _effective_inspections(params: SampledParameters, pooled: bool) -> np.ndarray:
    """Inspections each party makes; an independent party never visits an item twice in
    a year (so at most N); pooled parties share one plan of visits (:func:`_pooled_rounds`)."""
    n = params.inspections.astype(np.int64)
    if params.n_items is None or pooled:
        return n
    return np.minimum(n, params.n_items.astype(np.int64))


def _draw_hits(
    params: SampledParameters,
    n_eff: np.ndarray,
    rounds: np.ndarray | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Visits to violating items by each party this year, shape (P, S)."""
    P, S = n_eff.shape
    if params.n_items is None:
        return rng.binomial(n_eff, np.broadcast_to(params.violating_fraction, (P, S)))
    N = params.n_items.astype(np.int64)
    d = params.n_violating.astype(np.int64)
    if rounds is None:
        return rng.hypergeometric(np.broadcast_to(d, (P, S)), np.broadcast_to(N - d, (P, S)), n_eff)
    hits = np.zeros_like(n_eff)
    for visits in rounds:
        left_n = visits.sum(axis=0)
        left_hits = rng.hypergeometric(d, N - d, left_n)
        for i in range(P):
            # Split the round's coordinated visits among the parties: party i's share.
            h = rng.hypergeometric(left_hits, left_n - left_hits, visits[i])
            hits[i] += h
            left_hits = left_hits - h
            left_n = left_n - visits[i]
    return hits


def run_monte_carlo(
    params: SampledParameters, years: int, rng: np.random.Generator, *, pooled: bool
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per inspector and ``"combined"``: (exact cumulative detection probability per sample,
    shape (S, Y); simulated detected-by-year indicator, shape (S, Y)).

    Pooled, the parties' visits are one coordinated plan (:func:`_pooled_rounds`): each
    visit notices a violation independently, so pooling the same quotas never detects
    less than choosing independently (see
    :func:`tripolar.verification.inspection.pooled_miss_probability`).
    """
    n_eff = _effective_inspections(params, pooled)
    N = params.n_items
    rounds = _pooled_rounds(params.inspections, N) if pooled and N is not None else None
    if rounds is None or N is None:
        miss_each = np.stack(
            [
                miss_probability(
                    params.n_items,
                    params.n_violating,
                    n_eff[i],
                    params.p_notice,
                    params.violating_fraction,
                )
                for i in range(n_eff.shape[0])
            ]
        )
    else:
        # A party's visits in different rounds are independent draws.
        miss_each = np.ones(n_eff.shape)
        for visits in rounds:
            miss_each *= hypergeometric_miss_probability(
                N, params.n_violating, visits, params.p_notice
            )
    if not pooled:
        miss_insp = np.prod(miss_each, axis=0)
    elif params.n_items is None:
        miss_insp = miss_probability(
            None, params.n_violating, n_eff.sum(axis=0), params.p_notice, params.violating_fraction
        )
    else:
        miss_insp = pooled_miss_probability(
            params.n_items, params.n_violating, n_eff.sum(axis=0), params.p_notice
        )
    miss_ntm = 1.0 - params.ntm_per_year
    miss_ex = 1.0 - params.exchange_per_year
    yearly_miss = {
        name: miss_each[i] * miss_ntm[i] * miss_ex for i, name in enumerate(params.inspectors)
    }
    yearly_miss["combined"] = miss_insp * np.prod(miss_ntm, axis=0) * miss_ex
    y = np.arange(1, years + 1, dtype=np.float64)
    exact = {k: 1.0 - np.power(m[:, None], y[None, :]) for k, m in yearly_miss.items()}

    P, S = n_eff.shape
    seen = np.zeros((P, S, years), dtype=bool)
    shared = np.zeros((S, years), dtype=bool)
    for t in range(years):
        hits = _draw_hits(params, n_eff, rounds, rng)
        noticed = rng.binomial(hits, np.broadcast_to(params.p_notice, (P, S))) > 0
        ntm = rng.random((P, S)) < params.ntm_per_year
        seen[:, :, t] = noticed | ntm
        shared[:, t] = rng.random(S) < params.exchange_per_year
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for i, name in enumerate(params.inspectors):
        event = np.logical_or.accumulate(seen[i] | shared, axis=1)
        out[name] = (exact[name], event)
    combined = np.logical_or.accumulate(seen.any(axis=0) | shared, axis=1)
    out["combined"] = (exact["combined"], combined)
    return out
