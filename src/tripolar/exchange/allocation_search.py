"""Local-search improvement of a weapon-target allocation held as target-class buckets.

The static weapon-target assignment (Manne, *Operations Research* 6(3), 1958) minimises the
expected surviving value ``sum_j V_j prod_i (1 - p_ij)^x_ij`` subject to ``sum_j x_ij <= W_i``.
This module improves a feasible allocation (normally the greedy maximum-marginal-return one) by
descent over two neighbourhoods, accepting only strict improvements so that it terminates:

- **Re-allocation of one weapon type** (a very large neighbourhood in the sense of Ahuja, Kumar,
  Jha & Orlin, "Exact and Heuristic Algorithms for the Weapon-Target Assignment Problem",
  *Operations Research* 55(6), 2007, section 5): all weapons of type ``i`` are withdrawn and
  put back optimally given the other types' weapons. With the others fixed, target ``j`` has
  residual value ``V_j prod_{k != i} (1 - p_kj)^x_kj`` and the sub-problem has one weapon type,
  for which maximum marginal return is optimal (den Broeder, Ellison & Emerling, *Operations
  Research* 7(3), 1959). This neighbourhood contains every move of a single weapon between
  targets and every use of an idle weapon.
- **Exchanges involving two weapon types**: swaps of two weapons of different types between
  two targets (the two-exchange of Ahuja et al. 2007, section 5), one-for-two trades, a weapon
  replaced by an idle one of another type, and chains of length two (type ``i`` moves to a
  target whose type-``k`` weapon moves on). The change of objective separates into one term per
  target, so the best exchanges are found from a few vectors of per-target changes, and
  improving exchanges over disjoint targets are applied together.

Targets that are interchangeable (same value and kill-probability column) form classes, and the
allocation is held as *buckets*: (class, allocation vector, number of targets). Every
evaluation is over buckets, and an improving move found for one target of a bucket is applied
to as many targets of the bucket at once as it stays valid for (the change is the same for each
target), so thousands of identical targets cost little.

Pure functions over NumPy arrays; inputs are trusted (validated by
:mod:`tripolar.exchange.allocation`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Relative size (of the total target value) below which a change of objective counts as none.
IMPROVEMENT_TOLERANCE = 1e-12
#: Upper bound on the descent rounds (each strictly improves; the bound only guards the loop).
MAX_ROUNDS = 10_000


@dataclass(frozen=True)
class Buckets:
    """An allocation over target classes: ``count[g]`` targets of class ``cls[g]`` each receive
    the weapons ``vector[g]`` (one entry per weapon type)."""

    cls: IntArray  # (G,)
    vector: IntArray  # (G, m)
    count: IntArray  # (G,)


def _consolidate(cls: IntArray, vector: IntArray, count: IntArray) -> Buckets:
    # Merge rows with the same class and vector, drop empty ones; sorted rows keep the result
    # independent of the order in which moves created them.
    keep = count > 0
    keys = np.column_stack([cls[keep], vector[keep]])
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    merged = np.bincount(np.asarray(inverse).reshape(-1), weights=count[keep])
    return Buckets(
        np.ascontiguousarray(uniq[:, 0], dtype=np.int64),
        np.ascontiguousarray(uniq[:, 1:], dtype=np.int64),
        np.rint(merged).astype(np.int64),
    )


def _survival(miss: FloatArray, vector: IntArray) -> FloatArray:
    # prod_i (1 - p_i)^a_i per row, with 0^0 = 1 (an unused certain-kill type leaves q alone).
    return np.asarray(np.prod(miss**vector, axis=1), dtype=np.float64)


def surviving_value(
    class_values: FloatArray, class_kill_probability: FloatArray, buckets: Buckets
) -> float:
    """Expected surviving value ``sum_g count_g V_c prod_i (1 - p_ic)^a_gi`` of an allocation."""
    miss = 1.0 - class_kill_probability[:, buckets.cls].T
    q = _survival(miss, buckets.vector)
    return float(np.sum(buckets.count * class_values[buckets.cls] * q))


def _one_type_mmr(
    residual_value: FloatArray, p: FloatArray, count: IntArray, weapons: int
) -> tuple[IntArray, IntArray]:
    """Optimal allocation of ``weapons`` identical weapons over groups of identical targets.

    Group ``h`` has ``count[h]`` targets of residual value ``residual_value[h]`` and kill
    probability ``p[h]``. Returns ``(level, extra)``: ``count - extra`` targets of group ``h``
    receive ``level[h]`` weapons and ``extra[h]`` receive ``level[h] + 1``. Maximum marginal
    return, optimal here because each target's marginal gains ``V q (1 - p)^k p`` decrease in
    ``k`` (den Broeder, Ellison & Emerling 1959); the targets of a group at the same level offer
    the same gain and are served in one batch.
    """
    level = np.zeros(count.shape[0], dtype=np.int64)
    extra = np.zeros(count.shape[0], dtype=np.int64)
    heap = [
        (-float(residual_value[h] * p[h]), h)
        for h in range(count.shape[0])
        if count[h] > 0 and residual_value[h] * p[h] > 0.0
    ]
    heapq.heapify(heap)
    left = weapons
    while heap and left > 0:
        _, h = heapq.heappop(heap)
        take = min(int(count[h] - extra[h]), left)
        extra[h] += take
        left -= take
        if extra[h] == count[h]:
            level[h] += 1
            extra[h] = 0
            gain = float(residual_value[h] * (1.0 - p[h]) ** level[h] * p[h])
            if gain > 0.0:
                heapq.heappush(heap, (-gain, h))
    return level, extra


def _reallocate_type(
    class_values: FloatArray,
    class_kill_probability: FloatArray,
    buckets: Buckets,
    available: IntArray,
    i: int,
) -> Buckets:
    """Withdraw every type-``i`` weapon and put them back optimally, the other types fixed."""
    others = buckets.vector.copy()
    others[:, i] = 0
    keys = np.column_stack([buckets.cls, others])
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    count = np.bincount(inverse, weights=buckets.count).astype(np.int64)
    cls = uniq[:, 0].astype(np.int64)
    vec = uniq[:, 1:].astype(np.int64)
    miss = 1.0 - class_kill_probability[:, cls].T
    residual = class_values[cls] * _survival(miss, vec)
    level, extra = _one_type_mmr(residual, class_kill_probability[i, cls], count, int(available[i]))
    low = vec.copy()
    low[:, i] = level
    high = vec.copy()
    high[:, i] = level + 1
    return _consolidate(
        np.concatenate([cls, cls]),
        np.concatenate([low, high]),
        np.concatenate([count - extra, extra]),
    )


def _lowest(x: FloatArray, k: int) -> list[int]:
    # Indices of the k smallest finite entries, smallest first.
    finite = np.flatnonzero(np.isfinite(x))
    if finite.shape[0] > k:
        finite = finite[np.argpartition(x[finite], k - 1)[:k]]
    return [int(j) for j in finite[np.argsort(x[finite], kind="stable")]]


@dataclass(frozen=True)
class _Move:
    """One application of an exchange: ``steps`` lists (bucket, change of its vector) for each
    target involved (distinct targets, a bucket may appear more than once), ``idle_change`` the
    change of the idle weapons of each type."""

    delta: float
    steps: tuple[tuple[int, tuple[int, ...]], ...]
    idle_change: tuple[int, ...]


def _unit(m: int, plus: int | None = None, minus: int | None = None) -> tuple[int, ...]:
    vec = [0] * m
    if plus is not None:
        vec[plus] += 1
    if minus is not None:
        vec[minus] -= 1
    return tuple(vec)


def _change(
    miss: FloatArray, value: FloatArray, q: FloatArray, vec: IntArray, d: IntArray
) -> FloatArray:
    # Change of each bucket's per-target surviving value when its vector changes by d (inf
    # where that would make an entry negative).
    new = vec + d[None, :]
    ok = np.all(new >= 0, axis=1)
    return np.where(ok, value * (_survival(miss, np.maximum(new, 0)) - q), np.inf)


def _fits(count: IntArray, buckets_used: list[int]) -> bool:
    return all(buckets_used.count(b) <= count[b] for b in set(buckets_used))


def _improving_exchanges(
    class_values: FloatArray,
    class_kill_probability: FloatArray,
    buckets: Buckets,
    idle: IntArray,
    eps: float,
) -> list[_Move]:
    """Exchanges involving two weapon types that lower the objective by more than ``eps``,
    most improving first.

    Per bucket ``g`` (one target of it) and types ``i != k``: ``lose[i, g]`` is the change of
    the surviving value when one type-``i`` weapon is taken off, ``gain[k, g]`` when a
    type-``k`` weapon is added, and ``trade[i, k, g]`` when a type-``i`` weapon is replaced by
    a type-``k`` one. Because the objective is a sum over targets, a move over distinct targets
    changes it by the sum of their terms:

    - swap: type ``i`` from target ``t`` for type ``k`` from target ``u``:
      ``trade[i, k, t] + trade[k, i, u]`` (two-exchange, Ahuja et al. 2007);
    - chain: type ``i`` from ``t`` (or an idle one) to ``u``, whose type-``k`` weapon goes to
      ``w``: ``lose[i, t] + trade[k, i, u] + gain[k, w]`` (a path exchange of length two);
    - idle exchange: a type-``i`` weapon on ``t`` replaced by an idle type-``k`` one:
      ``trade[i, k, t]``;
    - trade: target ``t`` receives ``d = y e_k - x e_i`` and target ``u`` gives it up, for
      ``x, y`` in {1, 2} (one-for-one swaps and one-for-two trades).

    Candidates combine the few lowest entries of each vector (enough to pick distinct
    targets), so one evaluation costs ``O(G m^2)`` array operations.
    """
    m = buckets.vector.shape[1]
    g_count = buckets.cls.shape[0]
    miss = 1.0 - class_kill_probability[:, buckets.cls].T
    value = class_values[buckets.cls]
    vec = buckets.vector
    q = _survival(miss, vec)
    lose = np.full((m, g_count), np.inf)
    gain = np.empty((m, g_count))
    trade = np.full((m, m, g_count), np.inf)
    for i in range(m):
        has_i = vec[:, i] >= 1
        plus = vec.copy()
        plus[:, i] += 1
        gain[i] = value * (_survival(miss, plus) - q)
        if not np.any(has_i):
            continue
        minus = np.maximum(vec - np.eye(m, dtype=np.int64)[i], 0)
        lose[i] = np.where(has_i, value * (_survival(miss, minus) - q), np.inf)
        for k in range(m):
            if k != i:
                swapped = minus.copy()
                swapped[:, k] += 1
                trade[i, k] = np.where(has_i, value * (_survival(miss, swapped) - q), np.inf)

    found: list[_Move] = []

    def offer(
        delta: float, steps: list[tuple[int, tuple[int, ...]]], idle_change: list[int]
    ) -> None:
        if delta < -eps:
            found.append(_Move(delta, tuple(steps), tuple(idle_change)))

    no_idle = [0] * m
    for i in range(m):
        for k in range(m):
            if k == i:
                continue
            ik = _lowest(trade[i, k], 3)
            ki = _lowest(trade[k, i], 3)
            if ik and idle[k] > 0:
                change = [0] * m
                change[k], change[i] = -1, 1
                offer(float(trade[i, k, ik[0]]), [(ik[0], _unit(m, k, i))], change)
            if not ki:
                continue
            # chain: i moves t -> u, the k from u moves on to w
            sources: list[int] = _lowest(lose[i], 3)
            if idle[i] > 0:
                sources.append(-1)
            sinks = _lowest(gain[k], 3)
            for t in sources:
                for u in ki:
                    for w in sinks:
                        used = [b for b in (t, u, w) if b >= 0]
                        if not _fits(buckets.count, used):
                            continue
                        delta = float(trade[k, i, u] + gain[k, w])
                        steps = [(u, _unit(m, i, k)), (w, _unit(m, k))]
                        change = list(no_idle)
                        if t >= 0:
                            delta += float(lose[i, t])
                            steps.append((t, _unit(m, None, i)))
                        else:
                            change[i] = -1
                        offer(delta, steps, change)
    # Two-target exchanges: target t receives d and target u gives it up (u receives -d), for
    # d = y e_k - x e_i, x, y in {1, 2}: one-for-one swaps and one-for-two trades.
    for i in range(m):
        for k in range(i + 1, m):
            for x in (1, 2):
                for y in (1, 2):
                    d = np.zeros(m, dtype=np.int64)
                    d[k], d[i] = y, -x
                    to_t = _change(miss, value, q, vec, d)
                    to_u = _change(miss, value, q, vec, -d)
                    for t in _lowest(to_t, 2):
                        for u in _lowest(to_u, 2):
                            if _fits(buckets.count, [t, u]):
                                offer(
                                    float(to_t[t] + to_u[u]),
                                    [(t, tuple(int(a) for a in d)), (u, tuple(int(-a) for a in d))],
                                    no_idle,
                                )
    found.sort(key=lambda move: move.delta)
    return found


def _apply(buckets: Buckets, idle: IntArray, moves: list[_Move]) -> Buckets:
    """Apply the moves in order, each to as many targets as are still untouched.

    A move's change of objective depends only on the targets it involves, so moves over
    targets no earlier move has touched keep their evaluated (negative) change; each is applied
    to as many disjoint sets of such targets (and idle weapons) as remain.
    """
    untouched = buckets.count.copy()
    spare = idle.copy()  # idle weapons not yet taken (weapons freed now are not reused)
    rows_cls, rows_vec, rows_cnt = [buckets.cls], [buckets.vector], [untouched]
    for move in moves:
        used = [b for b, _ in move.steps]
        batch = min(int(untouched[b]) // used.count(b) for b in set(used))
        for i, change in enumerate(move.idle_change):
            if change < 0:
                batch = min(batch, int(spare[i]) // -change)
        if batch < 1:
            continue
        for i, change in enumerate(move.idle_change):
            if change < 0:
                spare[i] += batch * change
        for b, change_vec in move.steps:
            untouched[b] -= batch
            rows_cls.append(buckets.cls[b : b + 1])
            rows_vec.append((buckets.vector[b] + np.asarray(change_vec, dtype=np.int64))[None, :])
            rows_cnt.append(np.asarray([batch], dtype=np.int64))
    return _consolidate(
        np.concatenate(rows_cls).astype(np.int64),
        np.concatenate(rows_vec).astype(np.int64),
        np.concatenate(rows_cnt).astype(np.int64),
    )


def improve_buckets(
    class_values: FloatArray,
    class_kill_probability: FloatArray,
    buckets: Buckets,
    available: IntArray,
) -> Buckets:
    """Descend from a feasible allocation until no move of either neighbourhood improves it.

    ``class_values`` ``(C,)`` and ``class_kill_probability`` ``(m, C)`` describe the target
    classes, ``available`` ``(m,)`` the weapons of each type that may be used (``buckets`` uses
    at most that many). Each round re-allocates every weapon type in turn (kept only if
    strictly better) and then applies improving swaps, best first, until none is left; rounds
    repeat until one changes nothing. The result is never worse than the start.
    """
    m = class_kill_probability.shape[0]
    buckets = _consolidate(buckets.cls, buckets.vector, buckets.count)
    if m == 0 or buckets.cls.shape[0] == 0:
        return buckets
    eps = IMPROVEMENT_TOLERANCE * max(1.0, float(np.sum(class_values)))
    current = surviving_value(class_values, class_kill_probability, buckets)
    for _ in range(MAX_ROUNDS):
        improved = False
        for i in range(m):
            trial = _reallocate_type(class_values, class_kill_probability, buckets, available, i)
            value = surviving_value(class_values, class_kill_probability, trial)
            if value < current - eps:
                buckets, current, improved = trial, value, True
        if m > 1:
            while True:
                used = np.sum(buckets.vector * buckets.count[:, None], axis=0)
                idle = np.asarray(available - used, dtype=np.int64)
                moves = _improving_exchanges(
                    class_values, class_kill_probability, buckets, idle, eps
                )
                if not moves:
                    break
                buckets = _apply(buckets, idle, moves)
                current = surviving_value(class_values, class_kill_probability, buckets)
                improved = True
        if not improved:
            break
    return buckets


__all__ = ["Buckets", "improve_buckets", "surviving_value"]
