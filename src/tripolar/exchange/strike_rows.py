"""A first strike's set-up and outcome, compiled, row by row (numba).

Source of the model: Kent & Thaler, RAND R-3765-AF (1989), as set out in
:mod:`tripolar.exchange.first_strike`: the striker's counterforce options (the ``k``-th warhead
on a launcher class with ``m`` warheads per aim point and kill probability ``p`` destroys
``m p (1 - p)^(k - 1)`` warheads; options bought in falling order of that efficiency), launch
under attack (the striker expects that share of the victim's fixed launchers to be gone), and
the outcome at a spend (survivors, retaliation, damage ``D(w) = 1 - exp(-w ln 5 / w80)``, costs
``C = D_own^e + k (1 - D_enemy^e)``).

:func:`prepare_rows` builds each row's options (one row: one strike in one Monte Carlo sample)
and :func:`outcome_rows` evaluates each row at its spend; the NumPy arithmetic they replace
cost about 0.5 us per row and array operation (temporaries, gathers, sorts of short rows),
compiled it is a few tens of nanoseconds. :func:`outcome_rows` makes the same floating-point
operations in the same order as ``first_strike._evaluate`` (the NumPy form kept for the
exhaustive grid search, the reference), so both give the same numbers to the last bit or
one rounding (NumPy's ``expm1`` and the C library's may differ there; tests compare them).
Sums over classes are taken left to right. Units: warheads, costs dimensionless.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

from tripolar.exchange.spend_search import LN5, _power, _search_row, search_work


@numba.njit(cache=True, nogil=True, inline="always")
def _prepare_row(
    r: int,
    rb: int,
    n_targets: npt.NDArray[np.float64],
    warheads_per_target: npt.NDArray[np.float64],
    pk: npt.NDArray[np.float64],
    class_fixed: npt.NDArray[np.bool_],
    owner: npt.NDArray[np.int64],
    untargetable: npt.NDArray[np.float64],
    launch_fraction: float,
    n_layers: int,
    classes: bool,
    order: npt.NDArray[np.int64],
    starts: npt.NDArray[np.float64],
    lengths: npt.NDArray[np.float64],
    eff_s: npt.NDArray[np.float64],
    class_warheads: npt.NDArray[np.float64],
    breaks: npt.NDArray[np.float64],
    destroyed: npt.NDArray[np.float64],
    untarg: npt.NDArray[np.float64],
    targ: npt.NDArray[np.float64],
    row_order: npt.NDArray[np.int64],
    row_eff: npt.NDArray[np.float64],
    eff: npt.NDArray[np.float64],
    length: npt.NDArray[np.float64],
    acc: npt.NDArray[np.float64],
) -> float:  # pragma: no cover - compiled
    """Row ``r``'s options (:func:`prepare_rows`) into row ``rb`` of ``breaks``,
    ``destroyed``, ``untarg`` and ``targ`` (and row ``r`` of the class outputs when
    ``classes``); returns the spend of all options."""
    n_cls = n_targets.shape[1]
    n_v = untargetable.shape[1]
    n_opt = n_cls * n_layers
    for v in range(n_v):
        untarg[rb, v] = untargetable[r, v]
        targ[rb, v] = 0.0
    for j in range(n_cls):
        m = warheads_per_target[r, j]
        launched = launch_fraction if class_fixed[r, j] else 0.0
        v = owner[r, j]
        untarg[rb, v] += n_targets[r, j] * m * launched
        n = n_targets[r, j] * (1.0 - launched)
        targ[rb, v] += n * m
        if classes:
            class_warheads[r, j] = n * m
        p = pk[r, j]
        head = m * p
        miss = 1.0 - p
        for layer in range(n_layers):
            o = j * n_layers + layer
            # head * (1 - p)^layer; pow(x, 0) = 1 and pow(x, 1) = x exactly.
            if layer == 0:
                eff[o] = head
            elif layer == 1:
                eff[o] = head * miss
            else:
                eff[o] = head * math.pow(miss, float(layer))
            length[o] = n
    # Stable insertion sort, most efficient first (equal options keep their order); options
    # that take no spend (no aim point) come last, in their order: they add no spend and
    # destroy nothing wherever they stand, so their place changes no value.
    n_pos = 0
    for o in range(n_opt):
        if length[o] > 0:
            e = eff[o]
            q = n_pos - 1
            while q >= 0 and row_eff[q] < e:
                row_eff[q + 1] = row_eff[q]
                row_order[q + 1] = row_order[q]
                q -= 1
            row_eff[q + 1] = e
            row_order[q + 1] = o
            n_pos += 1
    q = n_pos
    for o in range(n_opt):
        if not length[o] > 0:
            row_eff[q] = eff[o]
            row_order[q] = o
            q += 1
    end = 0.0
    breaks[rb, 0] = 0.0
    for v in range(n_v):
        destroyed[rb, v, 0] = 0.0
        acc[v] = 0.0
    for o in range(n_opt):
        src = row_order[o]
        ln = length[src]
        end = end + ln
        if classes:
            order[r, o] = src
            lengths[r, o] = ln
            starts[r, o] = end - ln
            eff_s[r, o] = row_eff[o]
        breaks[rb, o + 1] = end
        gain = row_eff[o] * ln
        own = owner[r, src // n_layers]
        for v in range(n_v):
            if v == own:
                acc[v] = acc[v] + gain
            destroyed[rb, v, o + 1] = acc[v]
    return end


@numba.njit(cache=True, nogil=True, inline="always")
def _useful_steps(total: float, cf_avail: float, step: float) -> int:  # pragma: no cover
    """The most useful spend in grid steps: what the striker can use, but no more than the
    last option absorbs (rounded up to the grid; beyond it only wastes warheads)."""
    useful = math.ceil(total / step - 1e-9)
    hi = min(math.floor(cf_avail / step + 1e-9), useful)
    return int(max(hi, 0.0))


@numba.njit(cache=True, nogil=True)
def prepare_rows(
    n_targets: npt.NDArray[np.float64],
    warheads_per_target: npt.NDArray[np.float64],
    pk: npt.NDArray[np.float64],
    class_fixed: npt.NDArray[np.bool_],
    owner: npt.NDArray[np.int64],
    untargetable: npt.NDArray[np.float64],
    launch_fraction: float,
    n_layers: int,
    step: float,
    cf_avail: npt.NDArray[np.float64],
    classes: bool,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
]:  # pragma: no cover - compiled
    """Each row's counterforce options, sorted by efficiency.

    Inputs per row ``r`` and victim class ``j`` (victims' classes side by side):
    ``n_targets``, ``warheads_per_target``, ``pk``, ``class_fixed`` and ``owner`` (the
    victim of each class) ``(R, J)``; ``untargetable`` ``(R, V)`` warheads that
    cannot be struck; ``launch_fraction`` the share of fixed launchers launched under attack
    (0 without); ``cf_avail`` ``(R,)`` the striker's usable counterforce warheads.

    Returns ``order`` (the unsorted option, ``j * n_layers + layer``, of each sorted one;
    options of classes without an aim point last),
    ``starts``, ``lengths``, ``efficiency`` ``(R, O)``; ``breaks`` ``(R, O + 1)`` (cumulative
    spend at the option boundaries) and ``destroyed`` ``(R, V, O + 1)`` (victim warheads
    destroyed there); ``untargetable`` and ``targetable`` warheads per victim after launch
    under attack ``(R, V)``; the spend of all options ``(R,)``; ``n_hi`` ``(R,)`` the most
    useful spend in grid steps of ``step``; and the targetable warheads per class ``(R, J)``.
    ``order``, ``starts``, ``lengths``, ``efficiency`` and the warheads per class have no rows
    unless ``classes``.
    """
    n_rows, n_cls = n_targets.shape
    n_v = untargetable.shape[1]
    n_opt = n_cls * n_layers
    n_keep = n_rows if classes else 0
    order = np.empty((n_keep, n_opt), dtype=np.int64)
    starts = np.empty((n_keep, n_opt))
    lengths = np.empty((n_keep, n_opt))
    eff_s = np.empty((n_keep, n_opt))
    class_warheads = np.empty((n_keep, n_cls))
    breaks = np.empty((n_rows, n_opt + 1))
    destroyed = np.empty((n_rows, n_v, n_opt + 1))
    untarg = np.empty((n_rows, n_v))
    targ = np.empty((n_rows, n_v))
    total = np.empty(n_rows)
    n_hi = np.empty(n_rows, dtype=np.int64)
    row_order = np.empty(n_opt, dtype=np.int64)
    row_eff = np.empty(n_opt)
    eff = np.empty(n_opt)
    length = np.empty(n_opt)
    acc = np.empty(n_v)
    for r in range(n_rows):
        total[r] = _prepare_row(
            r, r, n_targets, warheads_per_target, pk, class_fixed, owner, untargetable,
            launch_fraction, n_layers, classes, order, starts, lengths, eff_s,
            class_warheads, breaks, destroyed, untarg, targ, row_order, row_eff, eff, length,
            acc,
        )  # fmt: skip
        n_hi[r] = _useful_steps(total[r], cf_avail[r], step)
    return (
        order,
        starts,
        lengths,
        eff_s,
        breaks,
        destroyed,
        untarg,
        targ,
        total,
        n_hi,
        class_warheads,
    )


@numba.njit(cache=True, nogil=True, inline="always")
def _outcome_row(
    r: int,
    rb: int,
    s: float,
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
    surv: npt.NDArray[np.float64],
    kept_out: npt.NDArray[np.float64],
    d_s: npt.NDArray[np.float64],
    d_v: npt.NDArray[np.float64],
    c_s: npt.NDArray[np.float64],
    c_v: npt.NDArray[np.float64],
    shortfall: npt.NDArray[np.float64],
    ds_e: npt.NDArray[np.float64],
    dv_e: npt.NDArray[np.float64],
) -> None:  # pragma: no cover - compiled
    """Row ``r`` at spend ``s`` (its options and standing warheads at row ``rb``) into row
    ``r`` of the outputs (:func:`outcome_rows`)."""
    n_b = breaks.shape[1]
    n_v = destroyed.shape[1]
    n_a = w80_s.shape[1]
    j = 0
    t = 0.0
    beyond = True
    if n_b > 1:
        for q in range(1, n_b - 1):
            if s >= breaks[rb, q]:
                j += 1
        x0 = breaks[rb, j]
        dx = breaks[rb, j + 1] - x0
        t = (s - x0) / dx if dx > 0 else 0.0
        beyond = s >= breaks[rb, n_b - 1]
    ret_total = 0.0
    for v in range(n_v):
        if beyond:
            d = destroyed[rb, v, n_b - 1]
        else:
            f0 = destroyed[rb, v, j]
            f1 = destroyed[rb, v, j + 1]
            d = f0 + (f1 - f0) * t
        sv = max(standing[rb, v] - d, 0.0)
        surv[r, v] = sv
        res = v_res[r, v]
        withheld = min(sv, res)
        shortfall[v] = 1.0 - withheld / res if res > 0 else 0.0
        ret_total = ret_total + (sv - withheld) if v > 0 else sv - withheld
    kept = max(kept_base[r] - s, 0.0)
    kept_out[r] = kept
    eov = 0.0
    for a in range(n_a):
        w = max(ret_total * sw[r, a], 0.0)
        ds = -math.expm1(-w * LN5 / w80_s[r, a])
        d_s[r, a] = ds
        ds_e[a] = _power(ds, exponent)
        eov = eov + ds_e[a] * sw[r, a] if a > 0 else ds_e[a] * sw[r, a]
    eos = 0.0
    for v in range(n_v):
        w = max(kept * vw[r, v], 0.0)
        dv = -math.expm1(-w * LN5 / w80_v[r, v])
        d_v[r, v] = dv
        dv_e[v] = _power(dv, exponent)
        eos = eos + dv_e[v] * vw[r, v] if v > 0 else dv_e[v] * vw[r, v]
    for a in range(n_a):
        c_s[r, a] = ds_e[a] + k * (1.0 - eos)
    for v in range(n_v):
        c_v[r, v] = dv_e[v] + k * (1.0 - eov) + v_fo[r, v] * shortfall[v]


Outcome = tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]


@numba.njit(cache=True, nogil=True)
def _outcome_arrays(n_rows: int, n_a: int, n_v: int) -> Outcome:  # pragma: no cover - compiled
    return (
        np.empty((n_rows, n_v)),
        np.empty(n_rows),
        np.empty((n_rows, n_a)),
        np.empty((n_rows, n_v)),
        np.empty((n_rows, n_a)),
        np.empty((n_rows, n_v)),
    )


@numba.njit(cache=True, nogil=True)
def outcome_rows(
    spend: npt.NDArray[np.float64],
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
) -> Outcome:  # pragma: no cover - compiled
    """Each row at its ``spend``: the victims' survivors ``(R, V)``, the striker's kept
    warheads ``(R,)``, damage and cost to strikers ``(R, A)`` and victims ``(R, V)``, with
    the operations of ``first_strike._evaluate`` (``standing`` = untargetable + targetable
    warheads per victim; the other arrays as in ``first_strike._Problem``)."""
    n_rows = breaks.shape[0]
    n_v = destroyed.shape[1]
    n_a = w80_s.shape[1]
    surv, kept_out, d_s, d_v, c_s, c_v = _outcome_arrays(n_rows, n_a, n_v)
    shortfall = np.empty(n_v)
    ds_e = np.empty(n_a)
    dv_e = np.empty(n_v)
    for r in range(n_rows):
        _outcome_row(
            r, r, spend[r], breaks, destroyed, standing, kept_base, w80_s, w80_v, sw, vw,
            v_res, v_fo, exponent, k, surv, kept_out, d_s, d_v, c_s, c_v, shortfall, ds_e, dv_e,
        )  # fmt: skip
    return surv, kept_out, d_s, d_v, c_s, c_v


@numba.njit(cache=True, nogil=True)
def strike_group(
    n_targets: npt.NDArray[np.float64],
    warheads_per_target: npt.NDArray[np.float64],
    pk: npt.NDArray[np.float64],
    class_fixed: npt.NDArray[np.bool_],
    owner: npt.NDArray[np.int64],
    untargetable: npt.NDArray[np.float64],
    cf_avail: npt.NDArray[np.float64],
    kept_base: npt.NDArray[np.float64],
    w80_s: npt.NDArray[np.float64],
    w80_v: npt.NDArray[np.float64],
    sw: npt.NDArray[np.float64],
    vw: npt.NDArray[np.float64],
    v_res: npt.NDArray[np.float64],
    v_fo: npt.NDArray[np.float64],
    launch_fraction: float,
    n_layers: int,
    step: float,
    exponent: float,
    k: float,
    tie_tol: float,
    want_cost: bool,
    want_damage: bool,
    hint_lag: int = 0,
    cost_rows: int = -1,
) -> tuple[
    npt.NDArray[np.float64], Outcome, npt.NDArray[np.float64], Outcome, npt.NDArray[np.int64]
]:  # pragma: no cover - compiled
    """Each row's first strike set up, searched and evaluated in one pass, with only the
    row's own options in memory (the arrays :func:`prepare_rows` returns for every row are
    never built): the same numbers as :func:`prepare_rows`, then
    :func:`tripolar.exchange.spend_search.search_rows` (hint: the choice of the row
    ``hint_lag`` rows before when ``hint_lag > 0`` and there is one, else the previous
    row's) and :func:`outcome_rows`. The hint changes how many points are evaluated, never
    the answer. ``cost_rows`` (when not negative): only the first that many rows are
    searched under the cost objective.

    Inputs as :func:`prepare_rows` and ``first_strike._Problem``. Returns the cost-minimising
    spend and its outcome (``want_cost``), the damage-limiting spend (all usable
    counterforce warheads, no more than the options absorb) and its outcome
    (``want_damage``), each outcome as :func:`outcome_rows` gives it (no rows when not
    wanted), and the evaluations each row's search needed.
    """
    n_rows, n_cls = n_targets.shape
    n_v = untargetable.shape[1]
    n_a = w80_s.shape[1]
    n_opt = n_cls * n_layers
    n_max = 0
    for r in range(n_rows):
        n_max = max(n_max, int(max(math.floor(cf_avail[r] / step + 1e-9), 0.0)))
    work = search_work(n_max if want_cost else 0, n_v, n_a)
    none_i = np.empty((0, 0), dtype=np.int64)
    none_f = np.empty((0, 0))
    breaks = np.empty((1, n_opt + 1))
    destroyed = np.empty((1, n_v, n_opt + 1))
    untarg = np.empty((1, n_v))
    targ = np.empty((1, n_v))
    standing = np.empty((1, n_v))
    row_order = np.empty(n_opt, dtype=np.int64)
    row_eff = np.empty(n_opt)
    eff = np.empty(n_opt)
    length = np.empty(n_opt)
    acc = np.empty(n_v)
    shortfall = np.empty(n_v)
    ds_e = np.empty(n_a)
    dv_e = np.empty(n_v)
    n_c = (n_rows if cost_rows < 0 else min(cost_rows, n_rows)) if want_cost else 0
    n_d = n_rows if want_damage else 0
    spend_c = np.empty(n_c)
    out_c = _outcome_arrays(n_c, n_a, n_v)
    spend_d = np.empty(n_d)
    out_d = _outcome_arrays(n_d, n_a, n_v)
    evals = np.zeros(n_c, dtype=np.int64)
    chosen = np.zeros(n_c, dtype=np.int64)
    for r in range(n_rows):
        total = _prepare_row(
            r, 0, n_targets, warheads_per_target, pk, class_fixed, owner, untargetable,
            launch_fraction, n_layers, False, none_i, none_f, none_f, none_f, none_f,
            breaks, destroyed, untarg, targ, row_order, row_eff, eff, length, acc,
        )  # fmt: skip
        for v in range(n_v):
            standing[0, v] = untarg[0, v] + targ[0, v]
        if want_damage:
            s = min(cf_avail[r], total)
            spend_d[r] = s
            surv, kept_out, d_s, d_v, c_s, c_v = out_d
            _outcome_row(
                r, 0, s, breaks, destroyed, standing, kept_base, w80_s, w80_v, sw, vw,
                v_res, v_fo, exponent, k, surv, kept_out, d_s, d_v, c_s, c_v, shortfall,
                ds_e, dv_e,
            )  # fmt: skip
        if r < n_c:
            n = _useful_steps(total, cf_avail[r], step)
            lag = hint_lag if 0 < hint_lag <= r else 1
            hint = chosen[r - lag] if r > 0 else n // 2
            idx, evals[r] = _search_row(
                r, 0, n, hint, step, breaks, destroyed, standing, kept_base, w80_s, w80_v,
                sw, vw, v_res, v_fo, exponent, k, tie_tol, work,
            )  # fmt: skip
            chosen[r] = idx
            s = step * idx
            spend_c[r] = s
            surv, kept_out, d_s, d_v, c_s, c_v = out_c
            _outcome_row(
                r, 0, s, breaks, destroyed, standing, kept_base, w80_s, w80_v, sw, vw,
                v_res, v_fo, exponent, k, surv, kept_out, d_s, d_v, c_s, c_v, shortfall,
                ds_e, dv_e,
            )  # fmt: skip
    return spend_c, out_c, spend_d, out_d, evals
