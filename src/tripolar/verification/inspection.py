"""Random-inspection statistics: detection probability, inspections needed, clean-record bounds.

Sources: the hypergeometric attribute-sampling model of R. Avenhaus & M. J. Canty,
*Compliance Quantified* (Cambridge UP, 1996), ch. 2-3 (detection probability with
imperfect detection, the IAEA approximation n ~ N (1 - (1 - c)^(1/d))); M. Dresher,
"A Sampling Inspection Problem in Arms Control Agreements", RAND RM-2972 (1962);
the New START inspection quotas from Protocol Part Five, Section VI, as summarised in
A. F. Woolf, CRS R41219.

Everything is computed in log space (``lgamma``/``gammaln``), so populations of
10^6 items do not overflow. Counts are integers (items, sites, violations,
inspections); probabilities are floats in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.special import gammaln, logsumexp

from tripolar.errors import InputError

__all__ = [
    "NEW_START",
    "InspectionPlan",
    "InspectionRegime",
    "detection_curve",
    "detection_over_years",
    "detection_probability",
    "iaea_approximation",
    "inspections_needed",
    "posterior_cheating",
    "two_party_detection",
    "upper_bound_violations",
    "zone_reveal_probability",
]


@dataclass(frozen=True)
class InspectionRegime:
    """An inspection regime: on-site inspection quotas per year by type and data exchanges.

    A plain record so that verification does not depend on the treaty package; the treaty
    format's ``verification.inspections_per_year`` and ``data_exchanges_per_year`` map onto it.
    """

    name: str
    inspections_per_year: dict[str, int]
    data_exchanges_per_year: int
    source: str = ""
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def total_inspections_per_year(self) -> int:
        """All on-site inspections per year, all types together."""
        return sum(self.inspections_per_year.values())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: New START (2010; in force 5 Feb 2011, expired 5 Feb 2026): up to 18 on-site inspections per
#: year by each party, 10 Type One and 8 Type Two, and aggregate data exchanges twice a year.
NEW_START = InspectionRegime(
    name="new-start",
    inspections_per_year={"type_one": 10, "type_two": 8},
    data_exchanges_per_year=2,
    source=(
        "New START Protocol, Part Five, Section VI; A. F. Woolf, 'The New START Treaty: "
        "Central Limits and Key Provisions', CRS R41219"
    ),
    notes={
        "type_one": "ICBM, submarine and air bases: deployed and non-deployed arms, "
        "warheads on one designated deployed ICBM or SLBM (reentry-vehicle inspection), "
        "armaments on deployed heavy bombers",
        "type_two": "facilities with only non-deployed arms (storage, test, training, "
        "conversion, elimination) and formerly declared facilities",
        "data_exchanges": "aggregate data exchanged twice a year (1 March, 1 September)",
    },
)


def _check_count(value: object, name: str, *, low: int = 0, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(f"{value!r} is not an integer", field=name, expected="an integer")
    v = int(value)
    if v < low or (high is not None and v > high):
        rng = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise InputError(f"{v} is out of range", field=name, expected=f"an integer {rng}")
    return v


def _check_prob(value: object, name: str, *, open_low: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InputError(f"{value!r} is not a number", field=name, expected="a probability")
    v = float(value)
    if not (0.0 <= v <= 1.0) or (open_low and v == 0.0):
        low = "(0" if open_low else "[0"
        raise InputError(f"{v} is out of range", field=name, expected=f"a probability in {low}, 1]")
    return v


def _log_comb(n: np.ndarray | float, k: np.ndarray | float) -> np.ndarray:
    return np.asarray(
        gammaln(np.add(n, 1)) - gammaln(np.add(k, 1)) - gammaln(np.subtract(n, k) + 1)
    )


def _miss_probability(n_items: int, n_violations: int, n_inspected: int, p_detect: float) -> float:
    """Probability that n random inspections notice none of the d violations."""
    N, d, n = n_items, n_violations, n_inspected
    if d == 0 or n == 0 or p_detect == 0.0:
        return 1.0
    if p_detect == 1.0:
        if n > N - d:
            return 0.0
        # C(N-d, n) / C(N, n): no violating item among the n inspected.
        return float(np.exp(_log_comb(N - d, n) - _log_comb(N, n)))
    k = np.arange(max(0, n - (N - d)), min(d, n) + 1, dtype=np.float64)
    log_pmf = _log_comb(d, k) + _log_comb(N - d, n - k) - _log_comb(N, n)
    # E[(1 - p)^K] summed in log space: the terms span hundreds of orders of magnitude.
    return float(np.exp(min(0.0, logsumexp(log_pmf + k * math.log1p(-p_detect)))))


def detection_probability(
    n_items: int, n_violations: int, n_inspected: int, p_detect: float = 1.0
) -> float:
    """Probability that ``n_inspected`` random inspections detect at least one violation.

    N items, d of them violating, n drawn without replacement; each inspected violation is
    noticed with probability ``p_detect``:
    ``P = 1 - sum_k Hyp(k; N, d, n) (1 - p)^k`` (Avenhaus & Canty 1996, ch. 3).
    """
    N = _check_count(n_items, "n_items")
    d = _check_count(n_violations, "n_violations", high=N)
    n = _check_count(n_inspected, "n_inspected", high=N)
    p = _check_prob(p_detect, "p_detect")
    return 1.0 - _miss_probability(N, d, n, p)


def detection_curve(
    n_items: int, n_violations: int, n_inspected: Sequence[int] | np.ndarray, p_detect: float = 1.0
) -> np.ndarray:
    """Detection probability for each number of inspections in ``n_inspected`` (array)."""
    ns = np.asarray(n_inspected)
    return np.array(
        [detection_probability(n_items, n_violations, int(n), p_detect) for n in ns.ravel()],
        dtype=np.float64,
    ).reshape(ns.shape)


def iaea_approximation(n_items: int, n_violations: int, confidence: float) -> float:
    """IAEA attribute-sampling size ``N (1 - (1 - c)^(1/d))`` (Avenhaus & Canty 1996), p = 1."""
    N = _check_count(n_items, "n_items")
    d = _check_count(n_violations, "n_violations", low=1, high=N)
    c = _check_prob(confidence, "confidence")
    return N * (1.0 - (1.0 - c) ** (1.0 / d))


@dataclass(frozen=True)
class InspectionPlan:
    """Result of :func:`inspections_needed`.

    ``inspections_needed`` is ``None`` when even inspecting every item misses the confidence
    (imperfect detection); ``detection_probability`` is then the probability at n = N.
    """

    n_items: int
    n_violations: int
    confidence: float
    p_detect: float
    reachable: bool
    inspections_needed: int | None
    detection_probability: float
    detection_probability_one_fewer: float | None
    iaea_approximation: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def inspections_needed(
    n_items: int, n_violations: int, confidence: float, p_detect: float = 1.0
) -> InspectionPlan:
    """Smallest n with detection probability >= ``confidence``, found by bisection.

    P_detect is non-decreasing in n (Avenhaus & Canty 1996), so bisection over [0, N] is exact.
    """
    N = _check_count(n_items, "n_items")
    d = _check_count(n_violations, "n_violations", high=N)
    c = _check_prob(confidence, "confidence", open_low=True)
    p = _check_prob(p_detect, "p_detect")
    approx = iaea_approximation(N, d, c) if d >= 1 and p == 1.0 and c < 1.0 else None
    p_all = 1.0 - _miss_probability(N, d, N, p)
    if p_all < c:
        return InspectionPlan(N, d, c, p, False, None, p_all, None, approx)
    lo, hi = 0, N  # invariant: P(lo) < c <= P(hi)
    if 1.0 - _miss_probability(N, d, 0, p) >= c:
        hi = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if 1.0 - _miss_probability(N, d, mid, p) >= c:
            hi = mid
        else:
            lo = mid
    p_hi = 1.0 - _miss_probability(N, d, hi, p)
    p_before = 1.0 - _miss_probability(N, d, hi - 1, p) if hi > 0 else None
    return InspectionPlan(N, d, c, p, True, hi, p_hi, p_before, approx)


def upper_bound_violations(n_items: int, n_clean: int, alpha: float) -> int:
    """Upper (1 - alpha) confidence bound on violations after ``n_clean`` clean inspections.

    The largest d with C(N - d, n)/C(N, n) >= alpha, i.e. the largest number of violations
    still consistent, at level alpha, with n random inspections finding nothing (the exact
    hypergeometric bound; Avenhaus & Canty 1996, ch. 3).
    """
    N = _check_count(n_items, "n_items")
    n = _check_count(n_clean, "n_clean", high=N)
    a = _check_prob(alpha, "alpha", open_low=True)
    lo, hi = 0, N - n  # P_miss(0) = 1 >= alpha; beyond N - n it is 0
    if _miss_probability(N, hi, n, 1.0) >= a:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _miss_probability(N, mid, n, 1.0) >= a:
            lo = mid
        else:
            hi = mid
    return lo


def posterior_cheating(
    prior: float, q: float, k_clean: int | Sequence[int] | np.ndarray
) -> float | np.ndarray:
    """Posterior probability of cheating after ``k_clean`` clean inspection periods.

    Two-hypothesis Bayes update: ``pi (1 - q)^k / (pi (1 - q)^k + 1 - pi)``, where q is the
    per-period detection probability if cheating (Avenhaus, von Stengel & Zamir,
    "Inspection Games", Handbook of Game Theory vol. 3, 2002).
    """
    pi = _check_prob(prior, "prior")
    qq = _check_prob(q, "q")
    k = np.asarray(k_clean)
    if k.dtype.kind not in "iu" or np.any(k < 0):
        raise InputError(f"{k_clean!r}", field="k_clean", expected="non-negative integers")
    like = np.power(1.0 - qq, k.astype(np.float64))
    post = pi * like / (pi * like + (1.0 - pi))
    return float(post) if post.ndim == 0 else post


def detection_over_years(q_per_year: Sequence[float] | np.ndarray) -> np.ndarray:
    """Cumulative detection probability by the end of each year, years independent.

    ``P(Y) = 1 - prod_{y <= Y} (1 - q_y)`` (independent yearly inspection draws).
    """
    q = np.asarray(q_per_year, dtype=np.float64)
    if q.ndim != 1 or np.any(~np.isfinite(q)) or np.any((q < 0) | (q > 1)):
        raise InputError(f"{q_per_year!r}", field="q_per_year", expected="probabilities in [0, 1]")
    return np.asarray(1.0 - np.cumprod(1.0 - q))


def two_party_detection(
    n_items: int,
    n_violations: int,
    inspections_each: int,
    *,
    n_parties: int = 2,
    pooled: bool = True,
    p_detect: float = 1.0,
) -> float:
    """Detection probability when several parties each inspect the same cheater.

    Pooled: the parties coordinate and visit ``min(k * n, N)`` distinct items. Independent:
    each draws its own n at random, so visits can overlap: ``1 - (1 - P(n))^k``.
    """
    N = _check_count(n_items, "n_items")
    d = _check_count(n_violations, "n_violations", high=N)
    n = _check_count(inspections_each, "inspections_each", high=N)
    k = _check_count(n_parties, "n_parties", low=1)
    p = _check_prob(p_detect, "p_detect")
    if pooled:
        return 1.0 - _miss_probability(N, d, min(k * n, N), p)
    return 1.0 - _miss_probability(N, d, n, p) ** k


def zone_reveal_probability(n_zones: int, n_cheat_zones: int, steps: int) -> float:
    """Probability that a zone-by-zone reveal has opened a cheating zone after ``steps`` steps.

    Zones are opened in random order and each opened zone is searched completely:
    ``1 - C(Z - z, s) / C(Z, s)`` (step-by-step verification, Philippe, Glaser & Felten 2019).
    """
    Z = _check_count(n_zones, "n_zones")
    z = _check_count(n_cheat_zones, "n_cheat_zones", high=Z)
    s = _check_count(steps, "steps", high=Z)
    return 1.0 - _miss_probability(Z, z, s, 1.0)
