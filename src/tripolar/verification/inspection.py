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

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln

from tripolar.errors import InputError

__all__ = [
    "MAX_ITEMS",
    "NEW_START",
    "InspectionPlan",
    "InspectionRegime",
    "detection_curve",
    "detection_over_years",
    "detection_probability",
    "hypergeometric_miss_probability",
    "iaea_approximation",
    "inspections_needed",
    "pooled_miss_probability",
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


#: Largest population the planner accepts: ten million items, ten times the largest
#: declaration the escrow is built for. Beyond it the rounding of ``gammaln`` (about
#: 1e-8 relative at 10^7) would no longer be small against the tie band of the planner.
MAX_ITEMS = 10_000_000


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


def _log_comb(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return np.asarray(gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0))


#: Largest number of (k, element) cells evaluated at once, so that a vectorised call over
#: a million samples, or one over half a million terms, stays within a few tens of MiB.
_CELLS_PER_CHUNK = 1 << 21


def _miss_rows(N: np.ndarray, d: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``sum_k Hyp(k; N, d, n) (1 - p)^k`` for 1-d arrays whose elements all need the sum."""
    k_lo = np.maximum(0.0, n - (N - d))
    k_hi = np.minimum(d, n)
    width = int(np.max(k_hi - k_lo)) + 1
    k = k_lo[:, None] + np.arange(width, dtype=np.float64)[None, :]
    valid = k <= k_hi[:, None]
    k = np.where(valid, k, k_lo[:, None])
    Nc, dc, nc, pc = N[:, None], d[:, None], n[:, None], p[:, None]
    # log C(d, k) + log C(N-d, n-k) - log C(N, n): the row constants once, four gammaln
    # per cell.
    row = gammaln(dc + 1.0) + gammaln(Nc - dc + 1.0) - _log_comb(Nc, nc)
    log_pmf = row - (
        gammaln(k + 1.0)
        + gammaln(dc - k + 1.0)
        + gammaln(nc - k + 1.0)
        + gammaln(Nc - dc - nc + k + 1.0)
    )
    terms = np.where(valid, log_pmf + k * _log_miss_once(pc), -np.inf)
    # log-sum-exp per row (the terms span hundreds of orders of magnitude); the k_lo term
    # is always valid and finite, so every row has a finite maximum.
    top = np.max(terms, axis=1)
    total = np.exp(terms - top[:, None]).sum(axis=1)
    return np.asarray(np.exp(np.minimum(0.0, top + np.log(total))))


def _log_miss_once(p: np.ndarray) -> np.ndarray:
    """``log(1 - p)``, with a large finite negative number standing in for ``log 0`` at
    p = 1, so that ``k * log(1 - p)`` is 0 at k = 0 and underflows to nothing for k > 0
    (no 0 * inf)."""
    sure = p >= 1.0
    return np.where(sure, -1e30, np.log1p(-np.where(sure, 0.0, p)))


def hypergeometric_miss_probability(
    n_items: ArrayLike, n_violations: ArrayLike, n_inspected: ArrayLike, p_detect: ArrayLike = 1.0
) -> np.ndarray:
    """Probability that n random inspections notice none of the d violations (array).

    N items, d of them violating, n drawn without replacement, each inspected violation
    noticed independently with probability p (Avenhaus & Canty 1996, ch. 3):
    ``sum_k Hyp(k; N, d, n) (1 - p)^k``, evaluated in log space (``gammaln`` and a
    log-sum-exp over k), so populations of 10^7 items neither overflow nor underflow.

    The one implementation of the formula in tripolar: the planner and the Monte Carlo
    of :mod:`tripolar.verification.simulate` both call it. Arguments broadcast against
    each other (counts as integers or integral floats, 0 <= d, n <= N; probabilities in
    [0, 1]); inner code: the public functions of this module check their arguments.
    Relative error about 1e-12 at N = 10^4 and 1e-8 at N = 10^7 (the rounding of
    ``gammaln`` of large arguments); :func:`inspections_needed` decides ties exactly.
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (n_items, n_violations, n_inspected, p_detect))
    )
    shape = arrays[0].shape
    N, d, n, p = (a.ravel() for a in arrays)
    if N.size == 1:
        # One value (the planner's bisection): no sorting into chunks.
        if d[0] > 0 and n[0] > 0 and p[0] > 0:
            return _miss_rows(N, d, n, p).reshape(shape)
        return np.ones(shape)
    out = np.ones(N.shape, dtype=np.float64)
    idx = np.flatnonzero((d > 0) & (n > 0) & (p > 0))
    if idx.size:
        widths = (np.minimum(d, n) - np.maximum(0.0, n - (N - d)))[idx] + 1.0
        order = idx[np.argsort(widths, kind="stable")]
        sorted_widths = np.sort(widths)
        start = 0
        while start < order.size:
            # Rows sorted by width: take as many as fit in one chunk at the widest one's width.
            stop = start + 1
            while (
                stop < order.size and (stop + 1 - start) * sorted_widths[stop] <= _CELLS_PER_CHUNK
            ):
                stop += 1
            rows = order[start:stop]
            out[rows] = _miss_rows(N[rows], d[rows], n[rows], p[rows])
            start = stop
    return out.reshape(shape)


def pooled_miss_probability(
    n_items: ArrayLike, n_violations: ArrayLike, n_visits: ArrayLike, p_detect: ArrayLike = 1.0
) -> np.ndarray:
    """Miss probability of a coordinated (pooled) quota of ``n_visits`` visits to N items.

    The inspectors spread the visits as evenly as they can: with ``n_visits = m N + r``
    (0 <= r < N) every item is visited m times and r items chosen at random one more
    time, each visit noticing a violation independently with probability p:
    ``(1 - p)^(m d) * sum_k Hyp(k; N, d, r) (1 - p)^k``. Up to N visits this is the
    draw without replacement of :func:`hypergeometric_miss_probability`; beyond N the
    leftover quota revisits items instead of being discarded.

    This never misses more often than the same visits made by parties choosing
    independently: the miss probability is the mean over violating sets of
    ``(1 - p)^(visits to the set)``, a symmetric convex (so Schur-convex) function of the
    visit counts per item, smallest at the most even split of the total.
    """
    N, d, v, p = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (n_items, n_violations, n_visits, p_detect))
    )
    has_items = N > 0
    safe_N = np.where(has_items, N, 1.0)
    rounds = np.where(has_items, np.floor(v / safe_N), 0.0)
    rest = np.where(has_items, v - rounds * safe_N, 0.0)
    full = np.exp(rounds * d * _log_miss_once(p))
    return np.asarray(full * hypergeometric_miss_probability(N, d, rest, p))


def _decimal(value: float) -> Fraction:
    """The rational a float stands for as printed (0.95 -> 19/20, not its binary value)."""
    return Fraction(repr(float(value)))


#: Ties are decided in exact rational arithmetic when the computed probability is this
#: close to the target (far wider than the float error of
#: :func:`hypergeometric_miss_probability` up to :data:`MAX_ITEMS`) ...
_TIE_BAND = 1e-6
#: ... if at most this many factors and terms are needed (a few milliseconds); beyond,
#: the float probability is compared with the target less this tolerance.
_EXACT_WORK = 50_000
_FLOAT_TOLERANCE = 1e-7
#: Inspection counts tried per round of the planner's search (a 9-way bisection: fewer
#: rounds than halving, each cheap).
_PROBES = 8


def _exact_miss(N: int, d: int, n: int, q: Fraction) -> Fraction:
    """``sum_k Hyp(k; N, d, n) q^k`` in exact rational arithmetic (q = 1 - p)."""
    if d == 0 or n == 0 or q == 1:
        return Fraction(1)
    k_lo, k_hi = max(0, n - (N - d)), min(d, n)
    if q == 0 and k_lo > 0:
        return Fraction(0)
    num, den = 1, 1
    if k_lo == 0:
        # Hyp(0) = C(N-d, n) / C(N, n), as the shorter of its two products.
        if d <= n:
            for i in range(d):
                num, den = num * (N - n - i), den * (N - i)
        else:
            for i in range(n):
                num, den = num * (N - d - i), den * (N - i)
    else:
        # Hyp(k_lo) = C(d, N-n) / C(N, N-n): every uninspected item is violating.
        for i in range(N - n):
            num, den = num * (d - i), den * (N - i)
    if q == 0:
        return Fraction(num, den)
    # Horner over k: sum_k Hyp(k) q^k = Hyp(k_lo) q^k_lo (1 + r_lo (1 + r_lo+1 (...))),
    # r_k = Hyp(k+1) q / Hyp(k) = (d-k)(n-k) q / ((k+1)(N-d-n+k+1)), all in integers.
    a, b = q.numerator, q.denominator
    acc_num, acc_den = 1, 1
    for k in range(k_hi - 1, k_lo - 1, -1):
        r_num = (d - k) * (n - k) * a
        r_den = (k + 1) * (N - d - n + k + 1) * b
        acc_num, acc_den = r_den * acc_den + r_num * acc_num, r_den * acc_den
    return Fraction(num * acc_num * a**k_lo, den * acc_den * b**k_lo)


def _exact_work(N: int, d: int, n: int) -> int:
    """Factors and terms :func:`_exact_miss` multiplies out."""
    k_lo = max(0, n - (N - d))
    return (min(d, n) if k_lo == 0 else N - n) + min(d, n) - k_lo


def _compare(N: int, d: int, n: int, p: float, target: Fraction) -> tuple[int, float]:
    """Sign of (detection probability of n inspections - target), decided exactly near a
    tie, and that probability (the float nearest the exact value where it was computed)."""
    det = 1.0 - float(hypergeometric_miss_probability(N, d, n, p))
    gap = det - float(target)
    if abs(gap) > _TIE_BAND:
        return (1 if gap > 0 else -1), det
    if _exact_work(N, d, n) > _EXACT_WORK:
        return (0 if abs(gap) <= _FLOAT_TOLERANCE else (1 if gap > 0 else -1)), det
    exact = 1 - _exact_miss(N, d, n, 1 - _decimal(p))
    return (exact > target) - (exact < target), float(exact)


def _meets(N: int, d: int, n: int, p: float, c: float) -> tuple[bool, float]:
    """Whether n inspections detect with probability >= c (see :func:`_compare`)."""
    sign, det = _compare(N, d, n, p, _decimal(c))
    return sign >= 0, det


def detection_probability(
    n_items: int, n_violations: int, n_inspected: int, p_detect: float = 1.0
) -> float:
    """Probability that ``n_inspected`` random inspections detect at least one violation.

    N items, d of them violating, n drawn without replacement; each inspected violation is
    noticed with probability ``p_detect``:
    ``P = 1 - sum_k Hyp(k; N, d, n) (1 - p)^k`` (Avenhaus & Canty 1996, ch. 3).
    """
    N = _check_count(n_items, "n_items", high=MAX_ITEMS)
    d = _check_count(n_violations, "n_violations", high=N)
    n = _check_count(n_inspected, "n_inspected", high=N)
    p = _check_prob(p_detect, "p_detect")
    return 1.0 - float(hypergeometric_miss_probability(N, d, n, p))


def detection_curve(
    n_items: int, n_violations: int, n_inspected: Sequence[int] | np.ndarray, p_detect: float = 1.0
) -> np.ndarray:
    """Detection probability for each number of inspections in ``n_inspected`` (array)."""
    N = _check_count(n_items, "n_items", high=MAX_ITEMS)
    d = _check_count(n_violations, "n_violations", high=N)
    p = _check_prob(p_detect, "p_detect")
    ns = np.asarray(n_inspected)
    for n in ns.ravel():
        _check_count(n.item() if isinstance(n, np.generic) else n, "n_inspected", high=N)
    return np.asarray(1.0 - hypergeometric_miss_probability(N, d, ns.astype(np.float64), p))


def iaea_approximation(n_items: int, n_violations: int, confidence: float) -> float:
    """IAEA attribute-sampling size ``N (1 - (1 - c)^(1/d))`` (Avenhaus & Canty 1996), p = 1."""
    N = _check_count(n_items, "n_items", high=MAX_ITEMS)
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

    P_detect is non-decreasing in n (Avenhaus & Canty 1996), so bisection over [0, N] is
    exact once each comparison is. ``confidence`` and ``p_detect`` are read as the decimals
    they print as (0.95 is 19/20), and a probability within 1e-6 of the target is
    recomputed in exact rational arithmetic, so an n whose probability equals the target
    exactly (100 items, 1 violation, 95 inspections: 0.95) meets it. Only where that
    takes more than 50,000 factors (d and n both in the tens of thousands) is the float
    probability compared with the target less 1e-7 instead.
    """
    N = _check_count(n_items, "n_items", high=MAX_ITEMS)
    d = _check_count(n_violations, "n_violations", high=N)
    c = _check_prob(confidence, "confidence", open_low=True)
    p = _check_prob(p_detect, "p_detect")
    approx = iaea_approximation(N, d, c) if d >= 1 and p == 1.0 and c < 1.0 else None
    ok_all, p_all = _meets(N, d, N, p, c)
    if not ok_all:
        return InspectionPlan(N, d, c, p, False, None, p_all, None, approx)
    target = _decimal(c)
    # Invariant: P(lo) < c <= P(hi). P(0) = 0 < c, as c > 0. Each round evaluates up to
    # _PROBES inspection counts between lo and hi in one vectorised call.
    lo, hi, p_lo, p_hi = 0, N, 0.0, p_all
    while hi - lo > 1:
        probes = np.unique(np.linspace(lo + 1, hi - 1, min(hi - lo - 1, _PROBES)).round())
        dets = 1.0 - hypergeometric_miss_probability(N, d, probes, p)
        for n_f, det_f in zip(probes.tolist(), dets.tolist(), strict=True):
            n_i = int(n_f)
            if abs(det_f - c) <= _TIE_BAND:
                sign, det_f = _compare(N, d, n_i, p, target)
                ok = sign >= 0
            else:
                ok = det_f >= c
            if ok:
                hi, p_hi = n_i, det_f
                break
            lo, p_lo = n_i, det_f
    return InspectionPlan(N, d, c, p, True, hi, p_hi, p_lo, approx)


def upper_bound_violations(n_items: int, n_clean: int, alpha: float) -> int:
    """Upper (1 - alpha) confidence bound on violations after ``n_clean`` clean inspections.

    The largest d with C(N - d, n)/C(N, n) >= alpha, i.e. the largest number of violations
    still consistent, at level alpha, with n random inspections finding nothing (the exact
    hypergeometric bound; Avenhaus & Canty 1996, ch. 3), with ties decided exactly as in
    :func:`inspections_needed`.
    """
    N = _check_count(n_items, "n_items", high=MAX_ITEMS)
    n = _check_count(n_clean, "n_clean", high=N)
    a = _check_prob(alpha, "alpha", open_low=True)

    target = 1 - _decimal(a)

    def consistent(d: int) -> bool:
        # P_miss(d) >= alpha  <=>  P_detect(d) <= 1 - alpha, decided exactly near a tie.
        return _compare(N, d, n, 1.0, target)[0] <= 0

    lo, hi = 0, N - n  # P_miss(0) = 1 >= alpha; beyond N - n it is 0
    if consistent(hi):
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if consistent(mid):
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

    Pooled: the parties coordinate their ``k * n`` visits, distinct items first and, past
    N, every item again (:func:`pooled_miss_probability`; a revisit matters only when one
    visit may fail to notice, p < 1). Independent: each draws its own n at random, so
    visits can overlap: ``1 - (1 - P(n))^k``. Pooled is never the lower of the two.
    """
    N = _check_count(n_items, "n_items", high=MAX_ITEMS)
    d = _check_count(n_violations, "n_violations", high=N)
    n = _check_count(inspections_each, "inspections_each", high=N)
    k = _check_count(n_parties, "n_parties", low=1)
    p = _check_prob(p_detect, "p_detect")
    if pooled:
        return 1.0 - float(pooled_miss_probability(N, d, k * n, p))
    return 1.0 - float(hypergeometric_miss_probability(N, d, n, p)) ** k


def zone_reveal_probability(n_zones: int, n_cheat_zones: int, steps: int) -> float:
    """Probability that a zone-by-zone reveal has opened a cheating zone after ``steps`` steps.

    Zones are opened in random order and each opened zone is searched completely:
    ``1 - C(Z - z, s) / C(Z, s)`` (step-by-step verification, Philippe, Glaser & Felten 2019).
    """
    Z = _check_count(n_zones, "n_zones", high=MAX_ITEMS)
    z = _check_count(n_cheat_zones, "n_cheat_zones", high=Z)
    s = _check_count(steps, "steps", high=Z)
    return 1.0 - float(hypergeometric_miss_probability(Z, z, s, 1.0))
