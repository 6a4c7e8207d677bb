"""Static weapon-target assignment (WTA): greedy maximum marginal return and exact MILP.

Problem (Manne 1958): weapon types ``i = 1..m`` with ``W_i`` weapons each, targets ``j = 1..n``
with values ``V_j``, kill probability ``p_ij`` of one type-``i`` weapon on target ``j`` and
integer ``x_ij >= 0``::

    minimise   sum_j V_j prod_i (1 - p_ij)^x_ij        (expected surviving value)
    subject to sum_j x_ij <= W_i - reserve_i

``reserve_i`` weapons of each type are withheld (for example kept against a third party) and
never allocated. Arrays: ``kill_probability`` has shape ``(m, n)``, ``weapon_counts`` and
``reserve`` ``(m,)``, ``target_values`` ``(n,)``.

Two solvers:

- :func:`allocate_greedy`: maximum marginal return (den Broeder, Ellison & Emerling 1959),
  optimal for identical weapons, a heuristic otherwise. It groups identical targets (same value,
  same kill-probability column) into classes and assigns in class-level batches from a heap keyed
  by marginal gain, so thousands of targets cost little.
  By default it is followed by a local search (:mod:`tripolar.exchange.allocation_search`:
  re-allocation of one weapon type at a time and exchanges of weapons of two types), never
  worse than the greedy; :func:`improve_allocation` applies the same search to any allocation.
- :func:`allocate_exact`: an exact integer programme solved by HiGHS through
  :func:`scipy.optimize.milp`, for small instances; it refuses ("not attempted") instances whose
  formulation would exceed a size limit rather than run for hours.

:func:`greedy_gap` runs both and reports the greedy's gap to the optimum.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, sparse

from tripolar.errors import InputError
from tripolar.exchange.allocation_search import Buckets, improve_buckets

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GreedyRule = Literal["mmr", "weapon_order"]
ExactStatus = Literal["optimal", "not_attempted", "not_solved"]

#: Default limit on the number of integer variables of the exact formulation.
DEFAULT_MAX_VARIABLES = 20_000
#: Default wall-clock limit handed to HiGHS, seconds.
DEFAULT_TIME_LIMIT_S = 30.0


# ---------------------------------------------------------------------------------------------
# Inputs and results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    kill_probability: FloatArray  # (m, n)
    weapon_counts: IntArray  # (m,)
    target_values: FloatArray  # (n,)
    reserve: IntArray  # (m,)

    @property
    def available(self) -> IntArray:
        return self.weapon_counts - self.reserve


def _as_int_counts(name: str, value: npt.ArrayLike, length: int | None) -> IntArray:
    try:
        arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise InputError("not numeric", field=name, expected="non-negative integers") from exc
    if arr.ndim != 1 or (length is not None and arr.shape[0] != length):
        raise InputError(
            f"shape {arr.shape}", field=name, expected=f"a vector of length {length} (one per type)"
        )
    if not np.all(np.isfinite(arr) & (arr >= 0) & (arr == np.floor(arr))):
        raise InputError("negative, fractional or missing count", field=name, expected=">= 0")
    return arr.astype(np.int64)


def validate_allocation_inputs(
    kill_probability: npt.ArrayLike,
    weapon_counts: npt.ArrayLike,
    target_values: npt.ArrayLike,
    reserve: npt.ArrayLike | None = None,
) -> None:
    """Raise :class:`InputError` (naming the parameter) unless the WTA inputs are consistent.

    ``kill_probability`` must be an ``(m, n)`` array of probabilities in [0, 1],
    ``weapon_counts`` and ``reserve`` non-negative integer vectors of length ``m`` with
    ``reserve <= weapon_counts``, and ``target_values`` a vector of ``n`` finite values >= 0.
    """
    _problem(kill_probability, weapon_counts, target_values, reserve)


def _problem(
    kill_probability: npt.ArrayLike,
    weapon_counts: npt.ArrayLike,
    target_values: npt.ArrayLike,
    reserve: npt.ArrayLike | None,
) -> _Problem:
    try:
        p = np.asarray(kill_probability, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("not numeric", field="kill_probability", expected="an array") from exc
    if p.ndim == 1:
        p = p[np.newaxis, :]
    if p.ndim != 2:
        raise InputError(
            f"shape {p.shape}", field="kill_probability", expected="a (types x targets) matrix"
        )
    if not np.all((p >= 0) & (p <= 1)):
        raise InputError("outside [0, 1]", field="kill_probability", expected="probabilities")
    m, n = p.shape
    counts = _as_int_counts("weapon_counts", weapon_counts, m)
    try:
        v = np.atleast_1d(np.asarray(target_values, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise InputError("not numeric", field="target_values", expected="numbers") from exc
    if v.ndim != 1 or v.shape[0] != n:
        raise InputError(
            f"shape {v.shape}", field="target_values", expected=f"a vector of length {n}"
        )
    if not np.all(np.isfinite(v) & (v >= 0)):
        raise InputError("negative or non-finite value", field="target_values", expected=">= 0")
    res = np.zeros(m, dtype=np.int64) if reserve is None else _as_int_counts("reserve", reserve, m)
    if np.any(res > counts):
        raise InputError("reserve larger than the force", field="reserve", expected="<= counts")
    return _Problem(p, counts, v, res)


def _survival(kill_probability: FloatArray, allocation: IntArray) -> FloatArray:
    # prod_i (1 - p_ij)^x_ij with 0^0 = 1 (a certain-kill weapon not used leaves q = 1).
    return np.asarray(np.prod((1.0 - kill_probability) ** allocation, axis=0), dtype=np.float64)


@dataclass(frozen=True)
class AllocationResult:
    """An allocation ``x_ij`` (weapons of type ``i`` on target ``j``) and its outcome.

    ``target_survival[j]`` is the probability that target ``j`` survives and
    ``surviving_value`` the expected surviving value ``sum_j V_j target_survival[j]``.
    ``weapons_available = weapon_counts - reserve``; ``weapons_used <= weapons_available``
    (weapons with no marginal gain anywhere stay unused).
    """

    allocation: IntArray
    target_values: FloatArray
    target_survival: FloatArray
    surviving_value: float
    weapon_counts: IntArray
    reserve: IntArray
    method: str

    @property
    def total_value(self) -> float:
        return float(np.sum(self.target_values))

    @property
    def weapons_available(self) -> IntArray:
        return self.weapon_counts - self.reserve

    @property
    def weapons_used(self) -> IntArray:
        return np.asarray(self.allocation.sum(axis=1), dtype=np.int64)

    @property
    def expected_value_destroyed(self) -> float:
        return self.total_value - self.surviving_value

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "surviving_value": self.surviving_value,
            "total_value": self.total_value,
            "weapon_counts": self.weapon_counts.tolist(),
            "reserve": self.reserve.tolist(),
            "weapons_used": self.weapons_used.tolist(),
            "allocation": self.allocation.tolist(),
            "target_values": self.target_values.tolist(),
            "target_survival": self.target_survival.tolist(),
        }

    def to_frame(
        self,
        weapon_names: Sequence[str] | None = None,
        target_names: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """One row per target: value, weapons of each type, survival, expected surviving value."""
        m, n = self.allocation.shape
        wn = list(weapon_names) if weapon_names is not None else [f"type_{i}" for i in range(m)]
        tn = list(target_names) if target_names is not None else [str(j) for j in range(n)]
        if len(wn) != m or len(tn) != n:
            raise InputError(
                "wrong number of names", field="weapon_names/target_names", expected=f"{m}/{n}"
            )
        frame = pd.DataFrame({"target": tn, "value": self.target_values})
        for i, name in enumerate(wn):
            frame[name] = self.allocation[i]
        frame["survival"] = self.target_survival
        frame["expected_surviving_value"] = self.target_values * self.target_survival
        return frame


def _result(problem: _Problem, allocation: IntArray, method: str) -> AllocationResult:
    q = _survival(problem.kill_probability, allocation)
    return AllocationResult(
        allocation=allocation,
        target_values=problem.target_values,
        target_survival=q,
        surviving_value=float(np.dot(problem.target_values, q)),
        weapon_counts=problem.weapon_counts,
        reserve=problem.reserve,
        method=method,
    )


# ---------------------------------------------------------------------------------------------
# Target classes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TargetClasses:
    values: FloatArray  # (C,)
    kill_probability: FloatArray  # (m, C)
    members: list[IntArray]  # target indices of each class, ascending

    @property
    def sizes(self) -> list[int]:
        return [len(mem) for mem in self.members]


def _target_classes(problem: _Problem) -> _TargetClasses:
    """Group targets with the same value and kill-probability column (interchangeable)."""
    keys = np.column_stack([problem.target_values, problem.kill_probability.T])
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(uniq.shape[0] + 1))
    members = [order[bounds[c] : bounds[c + 1]] for c in range(uniq.shape[0])]
    return _TargetClasses(uniq[:, 0].copy(), np.ascontiguousarray(uniq[:, 1:].T), members)


def _expand_class_allocation(
    classes: _TargetClasses, buckets: list[dict[tuple[int, ...], int]], m: int, n: int
) -> IntArray:
    allocation = np.zeros((m, n), dtype=np.int64)
    for c, members in enumerate(classes.members):
        start = 0
        for vec, count in sorted(buckets[c].items()):
            if count:
                allocation[:, members[start : start + count]] = np.asarray(vec)[:, None]
                start += count
    return allocation


# ---------------------------------------------------------------------------------------------
# Greedy
# ---------------------------------------------------------------------------------------------


@dataclass
class _ClassState:
    value: float
    p: FloatArray  # (m,)
    buckets: dict[tuple[int, ...], int]  # allocation vector -> number of targets
    heap: list[tuple[float, tuple[int, ...]]] = field(default_factory=list)  # (-q, vector)
    version: int = 0

    def top(self) -> tuple[float, tuple[int, ...]]:
        neg_q, vec = self.heap[0]
        return -neg_q, vec

    def add(self, vec: tuple[int, ...], q: float, count: int) -> None:
        if vec in self.buckets:
            self.buckets[vec] += count
        else:
            self.buckets[vec] = count
            heapq.heappush(self.heap, (-q, vec))


def _greedy_mmr_buckets(
    problem: _Problem, classes: _TargetClasses
) -> list[dict[tuple[int, ...], int]]:
    m = problem.kill_probability.shape[0]
    avail = problem.available.copy()
    states: list[_ClassState] = []
    for c, members in enumerate(classes.members):
        st = _ClassState(float(classes.values[c]), classes.kill_probability[:, c], {})
        st.add((0,) * m, 1.0, len(members))
        states.append(st)

    # Global heap of candidate batches (-gain, class, type, class version); stale entries are
    # skipped when popped (class changed since, or the type ran out).
    heap: list[tuple[float, int, int, int]] = []

    def push(c: int) -> None:
        st = states[c]
        q, _ = st.top()
        for i in range(m):
            gain = st.value * q * float(st.p[i])
            if avail[i] > 0 and gain > 0.0:
                heapq.heappush(heap, (-gain, c, i, st.version))

    for c in range(len(states)):
        push(c)

    while heap:
        _, c, i, version = heapq.heappop(heap)
        st = states[c]
        if version != st.version or avail[i] <= 0:
            continue
        q, vec = st.top()
        # Every target of the top bucket offers this same (maximal) gain, so giving one weapon
        # to each of them in a row is what the one-at-a-time greedy does (with ties broken in
        # target order); batching it makes identical targets cost one step.
        take = min(st.buckets[vec], int(avail[i]))
        avail[i] -= take
        st.buckets[vec] -= take
        if st.buckets[vec] == 0:
            del st.buckets[vec]
            heapq.heappop(st.heap)
        new_vec = (*vec[:i], vec[i] + 1, *vec[i + 1 :])
        st.add(new_vec, q * (1.0 - float(st.p[i])), take)
        st.version += 1
        push(c)
    return [st.buckets for st in states]


def _greedy_mmr(problem: _Problem) -> IntArray:
    m, n = problem.kill_probability.shape
    classes = _target_classes(problem)
    return _expand_class_allocation(classes, _greedy_mmr_buckets(problem, classes), m, n)


def _greedy_weapon_order(problem: _Problem) -> IntArray:
    p = problem.kill_probability
    m, n = p.shape
    allocation = np.zeros((m, n), dtype=np.int64)
    q = np.ones(n)
    for i in range(m):
        for _ in range(int(problem.available[i])):
            gains = problem.target_values * q * p[i]
            j = int(np.argmax(gains))
            if gains[j] <= 0.0:
                break
            allocation[i, j] += 1
            q[j] *= 1.0 - p[i, j]
    return allocation


def _allocation_buckets(classes: _TargetClasses, allocation: IntArray) -> Buckets:
    # The distinct allocation vectors within each class, with their numbers of targets.
    cls_parts, vec_parts, cnt_parts = [], [], []
    for c, members in enumerate(classes.members):
        vecs, counts = np.unique(allocation[:, members].T, axis=0, return_counts=True)
        cls_parts.append(np.full(vecs.shape[0], c, dtype=np.int64))
        vec_parts.append(vecs.astype(np.int64))
        cnt_parts.append(counts.astype(np.int64))
    return Buckets(np.concatenate(cls_parts), np.concatenate(vec_parts), np.concatenate(cnt_parts))


def _improve(problem: _Problem, classes: _TargetClasses, allocation: IntArray) -> IntArray:
    m, n = problem.kill_probability.shape
    if m < 1 or n < 1:
        return allocation
    better = improve_buckets(
        classes.values,
        classes.kill_probability,
        _allocation_buckets(classes, allocation),
        problem.available,
    )
    buckets: list[dict[tuple[int, ...], int]] = [{} for _ in classes.members]
    for c, vec, count in zip(better.cls, better.vector, better.count, strict=True):
        buckets[int(c)][tuple(int(a) for a in vec)] = int(count)
    improved = _expand_class_allocation(classes, buckets, m, n)
    # The search accepts strict improvements only, so the start is kept unless beaten; the
    # comparison on the target-level objective guards against rounding in the class sums.
    before = float(np.dot(problem.target_values, _survival(problem.kill_probability, allocation)))
    after = float(np.dot(problem.target_values, _survival(problem.kill_probability, improved)))
    return improved if after < before else allocation


def allocate_greedy(
    kill_probability: npt.ArrayLike,
    weapon_counts: npt.ArrayLike,
    target_values: npt.ArrayLike,
    *,
    reserve: npt.ArrayLike | None = None,
    rule: GreedyRule = "mmr",
    improve: bool = True,
) -> AllocationResult:
    """Greedy static weapon-target assignment, by default followed by a local search.

    ``rule="mmr"`` (default): global maximum marginal return (den Broeder, Ellison & Emerling,
    "On Optimum Target Assignments", *Operations Research* 7(3), 1959; problem of A. S. Manne,
    "A Target-Assignment Problem", *Operations Research* 6(3), 1958): repeatedly give the
    weapon-target pair with the largest marginal gain ``V_j q_j p_ij`` one weapon, where ``q_j``
    is the target's current survival probability. Optimal when all weapons are of one type
    (marginal gains then decrease geometrically on each target); a heuristic otherwise.
    Identical targets are grouped into classes and served in batches from a heap, so the cost
    grows with the number of distinct targets and batches, not with the number of weapons.

    ``rule="weapon_order"``: the weapon-by-weapon greedy (types in the given order, each weapon
    to its best target at that moment), kept for comparison; it is worse in general.

    ``improve=True`` (default) then runs :func:`tripolar.exchange.allocation_search.
    improve_buckets` from the greedy allocation: re-allocation of one weapon type at a time
    (optimal given the others) and exchanges of weapons of different types, in the spirit of
    the neighbourhood search of Ahuja, Kumar, Jha & Orlin, *Operations Research* 55(6), 2007;
    the result is never worse than the greedy's and the method name gets ``"+local_search"``.
    ``improve=False`` returns the plain greedy.

    Weapons whose marginal gain is zero everywhere are left unused. ``reserve`` (per type) is
    withheld before allocating. Inputs are validated (:class:`InputError` on bad input).
    """
    problem = _problem(kill_probability, weapon_counts, target_values, reserve)
    if rule == "mmr":
        allocation, method = _greedy_mmr(problem), "greedy_mmr"
    elif rule == "weapon_order":
        allocation, method = _greedy_weapon_order(problem), "greedy_weapon_order"
    else:
        raise InputError(f"unknown rule {rule!r}", field="rule", expected="'mmr' or 'weapon_order'")
    if not improve:
        return _result(problem, allocation, method)
    classes = _target_classes(problem)
    return _result(problem, _improve(problem, classes, allocation), f"{method}+local_search")


def improve_allocation(
    kill_probability: npt.ArrayLike,
    weapon_counts: npt.ArrayLike,
    target_values: npt.ArrayLike,
    allocation: npt.ArrayLike,
    *,
    reserve: npt.ArrayLike | None = None,
) -> AllocationResult:
    """Improve a feasible allocation ``x_ij`` by the local search of :func:`allocate_greedy`.

    Neighbourhoods (see :mod:`tripolar.exchange.allocation_search`): re-allocating all weapons
    of one type optimally with the others fixed (one-type maximum marginal return, den Broeder,
    Ellison & Emerling 1959) and exchanging two weapons of different types between targets, or
    one for an idle weapon (two-exchange, Ahuja, Kumar, Jha & Orlin, *Operations Research*
    55(6), 2007). Strict improvements only, so the result is never worse than ``allocation``.
    ``allocation`` must have shape ``(types, targets)``, non-negative integers, and use at most
    ``weapon_counts - reserve`` weapons of each type (:class:`InputError` otherwise).
    """
    problem = _problem(kill_probability, weapon_counts, target_values, reserve)
    try:
        x = np.asarray(allocation, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("not numeric", field="allocation", expected="integers") from exc
    if x.ndim == 1:
        x = x[np.newaxis, :]
    if x.shape != problem.kill_probability.shape:
        raise InputError(
            f"shape {x.shape}",
            field="allocation",
            expected=f"shape {problem.kill_probability.shape} (types x targets)",
        )
    if not np.all(np.isfinite(x) & (x >= 0) & (x == np.floor(x))):
        raise InputError("negative or fractional entry", field="allocation", expected=">= 0")
    start = x.astype(np.int64)
    if np.any(start.sum(axis=1) > problem.available):
        raise InputError(
            "uses more weapons than available", field="allocation", expected="<= counts - reserve"
        )
    classes = _target_classes(problem)
    return _result(problem, _improve(problem, classes, start), "local_search")


# ---------------------------------------------------------------------------------------------
# Exact
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExactAllocation:
    """Outcome of :func:`allocate_exact`.

    ``status`` is ``"optimal"`` (``result`` holds a proven optimum), ``"not_attempted"`` (the
    formulation would exceed ``max_variables``; nothing was run) or ``"not_solved"`` (HiGHS
    stopped, e.g. at the time limit, without proving optimality). ``variables`` is the size of
    the formulation.
    """

    status: ExactStatus
    reason: str
    variables: int
    result: AllocationResult | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "variables": self.variables,
            "result": None if self.result is None else self.result.to_dict(),
        }


def _per_target_bounds(classes: _TargetClasses, avail: IntArray) -> IntArray:
    # Most weapons of type i worth putting on one target of class c: none if p = 0 or V = 0
    # (they cannot lower the objective), one if p = 1 (a second adds nothing), else all available.
    p = classes.kill_probability
    bounds = np.repeat(avail[:, None], p.shape[1], axis=1)
    bounds = np.where(p == 1.0, np.minimum(bounds, 1), bounds)
    bounds = np.where((p == 0.0) | (classes.values[None, :] == 0.0), 0, bounds)
    return np.asarray(bounds, dtype=np.int64)


def allocate_exact(
    kill_probability: npt.ArrayLike,
    weapon_counts: npt.ArrayLike,
    target_values: npt.ArrayLike,
    *,
    reserve: npt.ArrayLike | None = None,
    max_variables: int = DEFAULT_MAX_VARIABLES,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> ExactAllocation:
    """Exact static weapon-target assignment by mixed-integer programming (HiGHS).

    Formulation (tripolar's; the one-type case is the ``y_jk`` model "target ``j`` receives
    exactly ``k`` weapons" used for WTA since Manne 1958): identical targets are grouped into
    classes ``c`` of size ``n_c``; for every class and every per-target allocation vector
    ``a = (a_1..a_m)`` an integer ``z_ca`` counts the targets of the class that receive ``a``::

        minimise   sum_ca V_c prod_i (1 - p_ic)^a_i z_ca
        subject to sum_a z_ca = n_c                    (every target gets one vector)
                   sum_ca a_i z_ca <= W_i - reserve_i  (weapons of each type)

    The objective is linear because each vector's survival probability is a constant, so the
    optimum is exact (no relaxation). Vectors enumerate ``0 <= a_i <= W_i - reserve_i`` (``a_i
    = 0`` where ``p_ic = 0``, ``<= 1`` where ``p_ic = 1``); their number grows as ``prod_i (W_i
    + 1)``, so instances needing more than ``max_variables`` variables are "not attempted".
    Solved with :func:`scipy.optimize.milp` (HiGHS) under ``time_limit_s``. Ahuja et al.,
    *Operations Research* 55(6), 2007, review exact WTA methods; the problem is NP-complete in
    general (Lloyd & Witsenhausen 1986).
    """
    problem = _problem(kill_probability, weapon_counts, target_values, reserve)
    if not (max_variables >= 1 and math.isfinite(time_limit_s) and time_limit_s > 0):
        raise InputError(
            "invalid solver limits", field="max_variables/time_limit_s", expected="> 0"
        )
    m, n = problem.kill_probability.shape
    classes = _target_classes(problem)
    avail = problem.available
    bounds = _per_target_bounds(classes, avail)
    n_classes = len(classes.members)
    n_vars = sum(math.prod(int(b) + 1 for b in bounds[:, c]) for c in range(n_classes))
    if n_vars > max_variables:
        return ExactAllocation(
            "not_attempted",
            f"the formulation needs {n_vars} integer variables, above max_variables="
            f"{max_variables}",
            n_vars,
        )

    costs: list[float] = []
    vectors: list[tuple[int, ...]] = []
    owner: list[int] = []
    for c in range(n_classes):
        miss = 1.0 - classes.kill_probability[:, c]
        for vec in product(*(range(int(b) + 1) for b in bounds[:, c])):
            # 0^0 = 1: a certain-kill type not used against this class leaves survival alone.
            survival = float(np.prod(miss ** np.asarray(vec, dtype=np.float64)))
            costs.append(float(classes.values[c]) * survival)
            vectors.append(vec)
            owner.append(c)

    cols = np.arange(n_vars)
    owner_arr = np.asarray(owner)
    vec_arr = np.asarray(vectors, dtype=np.float64).reshape(n_vars, m)
    assign = sparse.csr_array((np.ones(n_vars), (owner_arr, cols)), shape=(n_classes, n_vars))
    usage = sparse.csr_array(vec_arr.T)
    sizes = np.asarray(classes.sizes, dtype=np.float64)
    constraints = [
        optimize.LinearConstraint(assign, sizes, sizes),
        optimize.LinearConstraint(usage, -np.inf, avail.astype(np.float64)),
    ]
    solution = optimize.milp(
        np.asarray(costs),
        constraints=constraints,
        integrality=np.ones(n_vars),
        bounds=optimize.Bounds(0.0, sizes[owner_arr]),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": 1e-9},
    )
    if solution.status != 0 or solution.x is None:
        return ExactAllocation("not_solved", f"HiGHS: {solution.message}", n_vars)

    z = np.rint(solution.x).astype(np.int64)
    buckets: list[dict[tuple[int, ...], int]] = [{} for _ in range(n_classes)]
    for k in np.flatnonzero(z):
        buckets[owner[k]][vectors[k]] = int(z[k])
    allocation = _expand_class_allocation(classes, buckets, m, n)
    return ExactAllocation(
        "optimal", "solved to optimality", n_vars, _result(problem, allocation, "exact_milp")
    )


# ---------------------------------------------------------------------------------------------
# Gap
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GreedyGap:
    """The greedy's surviving value against the exact optimum (when the solver finished).

    ``relative_gap = (greedy - optimum) / optimum`` (0 when both are 0, ``inf`` when only the
    optimum is 0) and ``absolute_gap = greedy - optimum``; both ``None`` unless the exact status
    is ``"optimal"``.
    """

    greedy: AllocationResult
    exact: ExactAllocation
    absolute_gap: float | None
    relative_gap: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "greedy_surviving_value": self.greedy.surviving_value,
            "exact_status": self.exact.status,
            "exact_surviving_value": (
                None if self.exact.result is None else self.exact.result.surviving_value
            ),
            "absolute_gap": self.absolute_gap,
            "relative_gap": self.relative_gap,
            "greedy": self.greedy.to_dict(),
            "exact": self.exact.to_dict(),
        }


def greedy_gap(
    kill_probability: npt.ArrayLike,
    weapon_counts: npt.ArrayLike,
    target_values: npt.ArrayLike,
    *,
    reserve: npt.ArrayLike | None = None,
    rule: GreedyRule = "mmr",
    improve: bool = True,
    max_variables: int = DEFAULT_MAX_VARIABLES,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> GreedyGap:
    """Run :func:`allocate_greedy` (with ``rule`` and ``improve``) and :func:`allocate_exact`
    and report the heuristic's gap to the optimum."""
    greedy = allocate_greedy(
        kill_probability, weapon_counts, target_values, reserve=reserve, rule=rule, improve=improve
    )
    exact = allocate_exact(
        kill_probability,
        weapon_counts,
        target_values,
        reserve=reserve,
        max_variables=max_variables,
        time_limit_s=time_limit_s,
    )
    if exact.result is None:
        return GreedyGap(greedy, exact, None, None)
    optimum = exact.result.surviving_value
    absolute = greedy.surviving_value - optimum
    if optimum > 0:
        relative = absolute / optimum
    else:
        relative = 0.0 if greedy.surviving_value <= 0 else math.inf
    return GreedyGap(greedy, exact, absolute, relative)


__all__ = [
    "AllocationResult",
    "ExactAllocation",
    "GreedyGap",
    "allocate_exact",
    "allocate_greedy",
    "greedy_gap",
    "improve_allocation",
    "validate_allocation_inputs",
]
