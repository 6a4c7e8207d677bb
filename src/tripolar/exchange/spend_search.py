"""The striker's spend search, compiled: branch and bound row by row (numba).

Source of the objective: Kent & Thaler, RAND R-3765-AF (1989), as set out in
:mod:`tripolar.exchange.first_strike` (the cost ``C = D_own^e + k (1 - D_enemy^e)``, the stop
rule and its tie rule). This module only finds, for every row (one first strike in one Monte
Carlo sample), the spend on the one-warhead grid that the exhaustive grid search
(``KentThalerParams(search="grid")``, NumPy, the reference) chooses; it computes the same
objective with the same floating-point operations in the same order, one row at a time.

Why a per-row loop: written as array operations over all rows, each evaluation of the
objective cost about 0.5 us (temporaries, gathers) and the level-by-level search needed about
38 per row on real forces; compiled, one costs about 0.1 us, and the search goes depth first
with the best bound first and tighter bounds, so that it needs about 7 per row.

The bounds: the striker objective splits as ``F(s) = G(s) + H(s)``, ``G`` (the strikers'
damage terms from the victims' retaliation) non-increasing in the spend ``s`` and ``H`` (the
enemy-damage terms from the warheads kept) non-decreasing, so ``F >= G(b) + H(a)`` on
``[a, b]``; with a damage exponent of at most one, curvature gives a second-order bound
(:func:`_lower_bound`). Intervals whose bound exceeds the best cost so far plus the tie
tolerance are dropped; the rest are bisected down to one grid step. Every grid point whose
cost is within the tie tolerance of the minimum lies in an interval never dropped, so it is
evaluated, and the choice among those (greatest victim cost, then the smallest spend) is the
grid search's. The first points are the ends and a hint: a neighbouring row's choice (the
previous sample's, or the same sample's in the neighbouring treaty variant).
Units: warheads (spend, survivors), costs dimensionless.

Compiled code is cached on disk by numba (next to this file when writable, else in the user's
cache directory), so only the first run on a machine pays the compilation (a few seconds).
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

LN5 = math.log(5.0)
#: Slack on the pruning bound for rounding (the bound is exact in real arithmetic; costs are
#: sums of a few terms of order one in float64, errors ~1e-16).
BOUND_SLACK = 1e-12


@numba.njit(cache=True, nogil=True, inline="always")
def _power(x: float, exponent: float) -> float:  # pragma: no cover - compiled
    if exponent == 0.75:
        r = math.sqrt(x)
        return r * math.sqrt(r)
    return float(x**exponent)


@numba.njit(cache=True, nogil=True, inline="always")
def _objectives(
    r: int,
    rb: int,
    spend: float,
    breaks: npt.NDArray[np.float64],
    destroyed: npt.NDArray[np.float64],
    standing: npt.NDArray[np.float64],
    kept_base: npt.NDArray[np.float64],
    w80_s: npt.NDArray[np.float64],
    w80_v: npt.NDArray[np.float64],
    sw: npt.NDArray[np.float64],
    vw: npt.NDArray[np.float64],
    v_res: npt.NDArray[np.float64],
    v_fo: npt.NDArray[np.float64],
    exponent: float,
    k: float,
    scratch: npt.NDArray[np.float64],
) -> tuple[float, float, float, float, float, float, float, int]:  # pragma: no cover - compiled
    """Row ``r`` at ``spend`` (its options and standing warheads at row ``rb`` of ``breaks``,
    ``destroyed`` and ``standing``): (F, G, victim objective) with the same operations as
    ``first_strike._evaluate`` (and ``_interp_rows``) in the same order; then for the bounds
    ``dH/ds`` (exact derivative of ``H = F - G``), the retaliating warheads ``x``, their
    slopes ``dx/ds`` to the right and to the left of the spend, and the victims whose
    survivors are above their reserve (bit mask; the slopes count those victims)."""
    n_b = breaks.shape[1]
    n_v = destroyed.shape[1]
    n_a = w80_s.shape[1]
    # Interpolation segment: the number of inner break points at or below the spend.
    j = 0
    j_left = 0  # inner break points strictly below the spend: the segment to its left
    t = 0.0
    dx = 0.0
    beyond = True
    left_flat = True  # nothing is bought just below the spend
    if n_b > 1:
        # Inner points at or below the spend (j) and strictly below it (j_left): breaks are
        # non-decreasing, so both are bisections of breaks[1 : n_b - 1].
        lo_i = 1
        hi_i = n_b - 1
        while lo_i < hi_i:
            mid_i = (lo_i + hi_i) >> 1
            if breaks[rb, mid_i] <= spend:
                lo_i = mid_i + 1
            else:
                hi_i = mid_i
        j = lo_i - 1
        lo_i = 1
        hi_i = j + 1
        while lo_i < hi_i:
            mid_i = (lo_i + hi_i) >> 1
            if breaks[rb, mid_i] < spend:
                lo_i = mid_i + 1
            else:
                hi_i = mid_i
        j_left = lo_i - 1
        x0 = breaks[rb, j]
        x1 = breaks[rb, j + 1]
        dx = x1 - x0
        t = (spend - x0) / dx if dx > 0 else 0.0
        beyond = spend >= breaks[rb, n_b - 1]
        left_flat = spend <= 0.0 or spend > breaks[rb, n_b - 1]
    slope_right = 0.0
    slope_left = 0.0
    ret_total = 0.0
    mask = 0
    for v in range(n_v):
        if beyond:
            d = destroyed[rb, v, n_b - 1]
        else:
            f0 = destroyed[rb, v, j]
            f1 = destroyed[rb, v, j + 1]
            d = f0 + (f1 - f0) * t
        raw = standing[rb, v] - d
        surv = max(raw, 0.0)
        res = v_res[r, v]
        if raw > res:
            mask |= 1 << v
            # This victim's retaliation falls as its launchers are bought.
            if not beyond:
                slope_right -= (destroyed[rb, v, j + 1] - destroyed[rb, v, j]) / dx
            if not left_flat:
                dxl = breaks[rb, j_left + 1] - breaks[rb, j_left]
                slope_left -= (destroyed[rb, v, j_left + 1] - destroyed[rb, v, j_left]) / dxl
        withheld = min(surv, res)
        scratch[v] = 1.0 - withheld / res if res > 0 else 0.0  # shortfall
        ret_total = ret_total + (surv - withheld) if v > 0 else surv - withheld
    kept = max(kept_base[r] - spend, 0.0)
    # Strikers: damage from the retaliation; victims: damage from the kept warheads.
    g = 0.0
    eov = 0.0
    for a in range(n_a):
        w = max(ret_total * sw[r, a], 0.0)
        ds = -math.expm1(-w * LN5 / w80_s[r, a])
        dse = _power(ds, exponent)
        scratch[n_v + a] = dse
        g = g + dse if a > 0 else dse
        eov = eov + dse * sw[r, a] if a > 0 else dse * sw[r, a]
    eos = 0.0
    # dH/ds = n_a k sum_v vw^2 f'(kept vw), f(x) = D(x)^e, f' = e c (1 - D) D^(e - 1).
    d_eos = 0.0
    for v in range(n_v):
        w = max(kept * vw[r, v], 0.0)
        c_v = LN5 / w80_v[r, v]
        dv = -math.expm1(-w * LN5 / w80_v[r, v])
        dve = _power(dv, exponent)
        scratch[n_v + n_a + v] = dve
        eos = eos + dve * vw[r, v] if v > 0 else dve * vw[r, v]
        if dv > 0:
            d_eos += vw[r, v] * vw[r, v] * exponent * c_v * (1.0 - dv) * dve / dv
        elif vw[r, v] > 0:
            d_eos = np.inf
    f = 0.0
    for a in range(n_a):
        c = scratch[n_v + a] + k * (1.0 - eos)
        f = f + c if a > 0 else c
    vobj = 0.0
    for v in range(n_v):
        c = scratch[n_v + n_a + v] + k * (1.0 - eov)
        c = c + v_fo[r, v] * scratch[v]
        vobj = vobj + c if v > 0 else c
    hprime = n_a * k * d_eos
    return f, g, vobj, hprime, ret_total, slope_right, slope_left, mask


@numba.njit(cache=True, nogil=True, inline="always")
def _lower_bound(
    w: float,
    inset: float,
    f_lo: float,
    g_lo: float,
    hp_lo: float,
    x_lo: float,
    p_lo: float,
    f_hi: float,
    g_hi: float,
    hp_hi: float,
    x_hi: float,
    q_hi: float,
    convex_ret: bool,
    curved: bool,
) -> tuple[float, float]:  # pragma: no cover - compiled
    """A lower bound of ``F = G + H`` inside an interval of width ``w`` (spend units): over
    the spends at least ``inset`` (one grid step) away from both ends, which are evaluated.

    Always ``G`` is non-increasing and ``H`` non-decreasing, so ``F >= G(hi) + H(lo)``. With
    a damage exponent ``e <= 1`` (``curved``) more holds. ``f(w) = D(w)^e`` is then concave
    (``f'' = e c^2 E D^(e-2) (e E - 1) <= 0`` with ``E = exp(-c w)``), so:

    - ``H`` (``-f`` of the kept warheads, which fall linearly with the spend) is convex and
      lies above its tangents at both ends (slopes ``hp``);
    - ``G = g(x)``, with ``g`` concave and increasing in the retaliating warheads ``x``, lies
      above the chord ``L`` of ``g`` between ``x(hi)`` and ``x(lo)``; where ``x`` is convex in
      the spend (``convex_ret``: the options are bought in falling order of efficiency, so
      the destroyed warheads are concave; see :func:`_interval_bound` for when), ``x``
      lies above its tangents at both ends (slopes ``p_lo`` right of lo, ``q_hi`` left of hi)
      and above ``x(hi)``, so ``G >= L(max(tangents, x(hi)))``.

    Both parts are convex and piecewise linear in the spend; their sum is least at an end of
    the inner range or where two of its lines cross, and all those points are tried.
    Returns the bound and where it is least (``u`` from the interval's start; -1 for the
    first bound, which says nothing about where the least cost lies).
    """
    h_lo = f_lo - g_lo
    h_hi = f_hi - g_hi
    if not curved:
        return g_hi + h_lo, -1.0
    # An infinite slope (no warheads kept at that end) gives no tangent; H >= H(lo) holds.
    a = hp_lo if hp_lo < np.inf else 0.0
    b = hp_hi
    use_t2 = b < np.inf
    use_x = convex_ret and x_lo > x_hi
    slope_g = (g_lo - g_hi) / (x_lo - x_hi) if use_x else 0.0
    g_flat = min(g_lo, g_hi) if (convex_ret and x_lo <= x_hi) else g_hi
    u0 = inset
    u1 = w - inset
    best = np.inf
    best_u = -1.0
    for i in range(5):
        if i == 0:
            u = u0
        elif i == 1:
            u = u1
        elif i == 2:
            # H's tangents cross.
            if not use_t2 or a >= b:
                continue
            u = (h_hi - b * w - h_lo) / (a - b)
        elif i == 3:
            # x's tangents cross.
            if not use_x or p_lo >= q_hi:
                continue
            u = (x_hi - q_hi * w - x_lo) / (p_lo - q_hi)
        else:
            # x's tangent at lo meets x(hi).
            if not use_x or p_lo >= 0.0:
                continue
            u = (x_hi - x_lo) / p_lo
        if i >= 2 and not (u0 < u < u1):
            continue
        t = h_lo + a * u
        if use_t2:
            t = max(t, h_hi + b * (u - w))
        if use_x:
            x = max(x_lo + p_lo * u, x_hi + q_hi * (u - w), x_hi)
            gl = g_hi + slope_g * (x - x_hi)
        else:
            gl = g_flat
        if gl + t < best:
            best = gl + t
            best_u = u
    return best, best_u


@numba.njit(cache=True, nogil=True, inline="always")
def _interval_bound(
    lo: int,
    hi: int,
    step: float,
    f_at: npt.NDArray[np.float64],
    g_at: npt.NDArray[np.float64],
    hp_at: npt.NDArray[np.float64],
    x_at: npt.NDArray[np.float64],
    sr_at: npt.NDArray[np.float64],
    sl_at: npt.NDArray[np.float64],
    mask_at: npt.NDArray[np.int64],
    full_mask: int,
    curved: bool,
    cutoff: float,
) -> tuple[float, int]:  # pragma: no cover - compiled
    """:func:`_lower_bound` of the grid interval ``[lo, hi]`` from its evaluated ends, and the
    grid index to split it at.

    The split: where the bound is least when that is inside (the bound's minimiser
    approaches the cost's as the interval shrinks), kept at least a sixty-fourth of the
    interval from its ends so that intervals still shrink geometrically; else the middle.
    (Where an interval is split changes how many points are evaluated, never the answer; a
    sixty-fourth needed 0.7% fewer evaluations than an eighth on the benchmark's variants.)"""
    if hi - lo <= 1:
        return np.inf, lo
    # The monotone bound first: when it already exceeds the cutoff (the best cost so far plus
    # the slack, which only falls), the interval is dropped whatever the tighter bound says.
    cheap = g_at[hi] + (f_at[lo] - g_at[lo])
    if cheap > cutoff:
        return cheap, lo
    # The retaliation x = sum_v max(raw_v - reserve_v, 0) is convex in the spend when the
    # victims' raw survivors add up to a convex function that no reserve clips: options are
    # bought in falling order of efficiency, so the warheads destroyed of all victims
    # together are concave (one victim's alone need not be: its options alternate with the
    # others'). So it is with one victim (its excess over a fixed reserve is a maximum of
    # convex functions), and with several when the same victims stay above their reserves
    # throughout and those are all of them (or none: x is then zero). The one-sided slopes
    # kept at a point count the victims above their reserve there; a victim exactly at its
    # reserve moves only to its left, where the slope kept is 0: a weaker tangent, still
    # below x, which never rises.
    m = mask_at[lo]
    convex_ret = full_mask == 1 or (m == mask_at[hi] and (m == full_mask or m == 0))
    lb, u = _lower_bound(
        step * (hi - lo),
        step,
        f_at[lo],
        g_at[lo],
        hp_at[lo],
        x_at[lo],
        sr_at[lo],
        f_at[hi],
        g_at[hi],
        hp_at[hi],
        x_at[hi],
        sl_at[hi],
        convex_ret,
        curved,
    )
    width = hi - lo
    margin = max(1, width // 64)
    if u > step and u < step * (width - 1):
        split = lo + math.floor(u / step + 0.5)
        split = min(max(split, lo + margin), hi - margin)
    else:
        split = (lo + hi) // 2
    return lb, split


@numba.njit(cache=True, nogil=True, inline="always")
def _visit(
    r: int,
    rb: int,
    s_i: int,
    step: float,
    breaks: npt.NDArray[np.float64],
    destroyed: npt.NDArray[np.float64],
    standing: npt.NDArray[np.float64],
    kept_base: npt.NDArray[np.float64],
    w80_s: npt.NDArray[np.float64],
    w80_v: npt.NDArray[np.float64],
    sw: npt.NDArray[np.float64],
    vw: npt.NDArray[np.float64],
    v_res: npt.NDArray[np.float64],
    v_fo: npt.NDArray[np.float64],
    exponent: float,
    k: float,
    scratch: npt.NDArray[np.float64],
    f_at: npt.NDArray[np.float64],
    g_at: npt.NDArray[np.float64],
    v_at: npt.NDArray[np.float64],
    hp_at: npt.NDArray[np.float64],
    x_at: npt.NDArray[np.float64],
    sr_at: npt.NDArray[np.float64],
    sl_at: npt.NDArray[np.float64],
    mask_at: npt.NDArray[np.int64],
) -> float:  # pragma: no cover - compiled
    """Evaluate grid index ``s_i`` of row ``r`` (:func:`_objectives`), keep what the bounds
    and the stop rule need at that index, and return the striker objective ``F``."""
    f, g, vo, hp, xr, sr, sl, mk = _objectives(
        r, rb, step * s_i, breaks, destroyed, standing, kept_base, w80_s, w80_v,
        sw, vw, v_res, v_fo, exponent, k, scratch,
    )  # fmt: skip
    f_at[s_i], g_at[s_i], v_at[s_i], hp_at[s_i] = f, g, vo, hp
    x_at[s_i], sr_at[s_i], sl_at[s_i], mask_at[s_i] = xr, sr, sl, mk
    return f


SearchWork = tuple[
    tuple[
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
    ],
    tuple[
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
    ],
    npt.NDArray[np.float64],
]


@numba.njit(cache=True, nogil=True)
def _search_row(
    r: int,
    rb: int,
    n: int,
    hint: int,
    step: float,
    breaks: npt.NDArray[np.float64],
    destroyed: npt.NDArray[np.float64],
    standing: npt.NDArray[np.float64],
    kept_base: npt.NDArray[np.float64],
    w80_s: npt.NDArray[np.float64],
    w80_v: npt.NDArray[np.float64],
    sw: npt.NDArray[np.float64],
    vw: npt.NDArray[np.float64],
    v_res: npt.NDArray[np.float64],
    v_fo: npt.NDArray[np.float64],
    exponent: float,
    k: float,
    tie_tol: float,
    work: SearchWork,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Row ``r``'s chosen grid index among ``0..n`` and the evaluations it needed (its options
    and standing warheads at row ``rb`` of ``breaks``, ``destroyed``, ``standing``), starting
    from grid index ``hint`` (clipped to ``0..n-1``); ``work`` holds the buffers
    (:func:`search_work`, for at least ``n``)."""
    scratch, f_at, g_at, v_at, hp_at, x_at, sr_at, sl_at = work[0]
    mask_at, visited, stack_lo, stack_hi, stack_sp = work[1]
    stack_lb = work[2]
    full_mask = (1 << destroyed.shape[1]) - 1
    slack = tie_tol + BOUND_SLACK
    curved = exponent <= 1.0
    # A hint at the top is moved one step down: the cost there says most about whether the
    # top is the minimum.
    hint = min(max(hint, 0), n - 1)
    n_seen = 0
    best = np.inf
    # First level: the ends and the hint (a neighbouring sample's answer is usually near
    # this one's, so the bounds prune sooner; which points are evaluated never changes the
    # answer).
    top = 0
    prev = 0
    for i in range(3):
        if i == 0:
            s_i = 0
        elif i == 1:
            if hint <= 0 or hint >= n:
                continue
            s_i = hint
        else:
            if n == 0:
                break
            s_i = n
        f = _visit(
            r, rb, s_i, step, breaks, destroyed, standing, kept_base, w80_s, w80_v, sw, vw,
            v_res, v_fo, exponent, k, scratch, f_at, g_at, v_at, hp_at, x_at, sr_at, sl_at,
            mask_at,
        )  # fmt: skip
        visited[n_seen] = s_i
        n_seen += 1
        best = min(best, f)
        if i > 0:
            stack_lo[top] = prev
            stack_hi[top] = s_i
            top += 1
        prev = s_i
    for q in range(top):
        lo = stack_lo[q]
        hi = stack_hi[q]
        stack_lb[q], stack_sp[q] = _interval_bound(
            lo,
            hi,
            step,
            f_at,
            g_at,
            hp_at,
            x_at,
            sr_at,
            sl_at,
            mask_at,
            full_mask,
            curved,
            best + slack,
        )
    # Take the first intervals best bound first: sort them worst first on the stack.
    for q in range(1, top):
        lo, hi, lb, sp = stack_lo[q], stack_hi[q], stack_lb[q], stack_sp[q]
        m = q - 1
        while m >= 0 and stack_lb[m] < lb:
            stack_lo[m + 1], stack_hi[m + 1] = stack_lo[m], stack_hi[m]
            stack_lb[m + 1], stack_sp[m + 1] = stack_lb[m], stack_sp[m]
            m -= 1
        stack_lo[m + 1], stack_hi[m + 1], stack_lb[m + 1], stack_sp[m + 1] = lo, hi, lb, sp
    while top > 0:
        top -= 1
        lo = stack_lo[top]
        hi = stack_hi[top]
        if hi - lo <= 1 or stack_lb[top] > best + slack:
            continue
        mid = stack_sp[top]
        f = _visit(
            r, rb, mid, step, breaks, destroyed, standing, kept_base, w80_s, w80_v, sw, vw,
            v_res, v_fo, exponent, k, scratch, f_at, g_at, v_at, hp_at, x_at, sr_at, sl_at,
            mask_at,
        )  # fmt: skip
        visited[n_seen] = mid
        n_seen += 1
        best = min(best, f)
        lb_left, sp_left = _interval_bound(
            lo,
            mid,
            step,
            f_at,
            g_at,
            hp_at,
            x_at,
            sr_at,
            sl_at,
            mask_at,
            full_mask,
            curved,
            best + slack,
        )
        lb_right, sp_right = _interval_bound(
            mid,
            hi,
            step,
            f_at,
            g_at,
            hp_at,
            x_at,
            sr_at,
            sl_at,
            mask_at,
            full_mask,
            curved,
            best + slack,
        )
        # Push the part with the worse bound first, so the better one is taken next.
        if lb_left <= lb_right:
            stack_lo[top], stack_hi[top], stack_lb[top], stack_sp[top] = (
                mid, hi, lb_right, sp_right
            )  # fmt: skip
            stack_lo[top + 1], stack_hi[top + 1] = lo, mid
            stack_lb[top + 1], stack_sp[top + 1] = lb_left, sp_left
        else:
            stack_lo[top], stack_hi[top], stack_lb[top], stack_sp[top] = (
                lo, mid, lb_left, sp_left
            )  # fmt: skip
            stack_lo[top + 1], stack_hi[top + 1] = mid, hi
            stack_lb[top + 1], stack_sp[top + 1] = lb_right, sp_right
        top += 2
    # Stop rule over everything evaluated: least striker cost; among costs within the tie
    # tolerance of it, the greatest victim cost; then the smallest spend.
    pick = n + 1
    pick_v = -np.inf
    for q in range(n_seen):
        s_i = visited[q]
        if f_at[s_i] <= best + tie_tol:
            v_i = v_at[s_i]
            if v_i > pick_v or (v_i == pick_v and s_i < pick):
                pick = s_i
                pick_v = v_i
    return pick, n_seen


@numba.njit(cache=True, nogil=True)
def search_work(n_max: int, n_v: int, n_a: int) -> SearchWork:  # pragma: no cover - compiled
    """Buffers of :func:`_search_row` for rows of up to ``n_max`` grid steps: per grid index
    of the current row F, G, victim objective, dH/ds, retaliation and its slopes, reserve
    mask (only the entries of evaluated indices are meaningful), the indices visited and
    the interval stack."""
    m = n_max + 1
    floats = (
        np.empty(2 * n_v + n_a),
        np.empty(m),
        np.empty(m),
        np.empty(m),
        np.empty(m),
        np.empty(m),
        np.empty(m),
        np.empty(m),
    )
    ints = (
        np.empty(m, dtype=np.int64),
        np.empty(m, dtype=np.int64),
        np.empty(2 * (n_max + 2), dtype=np.int64),
        np.empty(2 * (n_max + 2), dtype=np.int64),
        np.empty(2 * (n_max + 2), dtype=np.int64),
    )
    return floats, ints, np.empty(2 * (n_max + 2))


@numba.njit(cache=True, nogil=True)
def search_rows(
    n_hi: npt.NDArray[np.int64],
    step: float,
    breaks: npt.NDArray[np.float64],
    destroyed: npt.NDArray[np.float64],
    standing: npt.NDArray[np.float64],
    kept_base: npt.NDArray[np.float64],
    w80_s: npt.NDArray[np.float64],
    w80_v: npt.NDArray[np.float64],
    sw: npt.NDArray[np.float64],
    vw: npt.NDArray[np.float64],
    v_res: npt.NDArray[np.float64],
    v_fo: npt.NDArray[np.float64],
    exponent: float,
    k: float,
    tie_tol: float,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:  # pragma: no cover - compiled
    """The grid search's chosen spend index (spend / step) per row, and the number of
    objective evaluations each row needed. Arrays as in ``first_strike._Problem``, with
    ``standing = untargetable + targetable`` per victim."""
    n_rows = n_hi.shape[0]
    n_max = 0
    for r in range(n_rows):
        n_max = max(n_max, n_hi[r])
    work = search_work(n_max, destroyed.shape[1], w80_s.shape[1])
    chosen = np.zeros(n_rows, dtype=np.int64)
    evals = np.zeros(n_rows, dtype=np.int64)
    for r in range(n_rows):
        n = n_hi[r]
        # The previous row's choice as the hint.
        hint = chosen[r - 1] if r > 0 else n // 2
        chosen[r], evals[r] = _search_row(
            r, r, n, hint, step, breaks, destroyed, standing, kept_base, w80_s, w80_v, sw, vw,
            v_res, v_fo, exponent, k, tie_tol, work,
        )  # fmt: skip
    return chosen, evals
