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

LN5 = math.log(5.0)


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
    ``n_targets``, ``warheads_per_target`` and ``pk`` ``(R, J)``; ``class_fixed`` and
    ``owner`` (the victim of each class) ``(J,)``; ``untargetable`` ``(R, V)`` warheads that
    cannot be struck; ``launch_fraction`` the share of fixed launchers launched under attack
    (0 without); ``cf_avail`` ``(R,)`` the striker's usable counterforce warheads.

    Returns ``order`` (the unsorted option, ``j * n_layers + layer``, of each sorted one),
    ``starts``, ``lengths``, ``efficiency`` ``(R, O)``; ``breaks`` ``(R, O + 1)`` (cumulative
    spend at the option boundaries) and ``destroyed`` ``(R, V, O + 1)`` (victim warheads
    destroyed there); ``untargetable`` and ``targetable`` warheads per victim after launch
    under attack ``(R, V)``; the spend of all options ``(R,)``; ``n_hi`` ``(R,)`` the most
    useful spend in grid steps of ``step``; and the targetable warheads per class ``(R, J)``.
    """
    n_rows, n_cls = n_targets.shape
    n_v = untargetable.shape[1]
    n_opt = n_cls * n_layers
    order = np.empty((n_rows, n_opt), dtype=np.int64)
    starts = np.empty((n_rows, n_opt))
    lengths = np.empty((n_rows, n_opt))
    eff_s = np.empty((n_rows, n_opt))
    breaks = np.empty((n_rows, n_opt + 1))
    destroyed = np.empty((n_rows, n_v, n_opt + 1))
    untarg = np.empty((n_rows, n_v))
    targ = np.empty((n_rows, n_v))
    total = np.empty(n_rows)
    n_hi = np.empty(n_rows, dtype=np.int64)
    class_warheads = np.empty((n_rows, n_cls))
    eff = np.empty(n_opt)
    length = np.empty(n_opt)
    acc = np.empty(n_v)
    for r in range(n_rows):
        for v in range(n_v):
            untarg[r, v] = untargetable[r, v]
            targ[r, v] = 0.0
        for j in range(n_cls):
            m = warheads_per_target[r, j]
            launched = launch_fraction if class_fixed[j] else 0.0
            v = owner[j]
            untarg[r, v] += n_targets[r, j] * m * launched
            n = n_targets[r, j] * (1.0 - launched)
            targ[r, v] += n * m
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
        # Stable insertion sort, most efficient first (equal options keep their order).
        for o in range(n_opt):
            e = eff[o]
            q = o - 1
            while q >= 0 and eff_s[r, q] < e:
                eff_s[r, q + 1] = eff_s[r, q]
                order[r, q + 1] = order[r, q]
                q -= 1
            eff_s[r, q + 1] = e
            order[r, q + 1] = o
        end = 0.0
        breaks[r, 0] = 0.0
        for v in range(n_v):
            destroyed[r, v, 0] = 0.0
        for v in range(n_v):
            acc[v] = 0.0
        for o in range(n_opt):
            src = order[r, o]
            ln = length[src]
            end = end + ln
            lengths[r, o] = ln
            starts[r, o] = end - ln
            breaks[r, o + 1] = end
            gain = eff_s[r, o] * ln
            own = owner[src // n_layers]
            for v in range(n_v):
                if v == own:
                    acc[v] = acc[v] + gain
                destroyed[r, v, o + 1] = acc[v]
        total[r] = end
        # Spending beyond the last option (rounded up to the grid) only wastes warheads.
        useful = math.ceil(end / step - 1e-9)
        hi = min(math.floor(cf_avail[r] / step + 1e-9), useful)
        n_hi[r] = int(max(hi, 0.0))
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
def _power(x: float, exponent: float) -> float:  # pragma: no cover - compiled
    if exponent == 0.75:
        r = math.sqrt(x)
        return r * math.sqrt(r)
    return float(x**exponent)


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
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]:  # pragma: no cover - compiled
    """Each row at its ``spend``: the victims' survivors ``(R, V)``, the striker's kept
    warheads ``(R,)``, damage and cost to strikers ``(R, A)`` and victims ``(R, V)``, with
    the operations of ``first_strike._evaluate`` (``standing`` = untargetable + targetable
    warheads per victim; the other arrays as in ``first_strike._Problem``)."""
    n_rows, n_b = breaks.shape
    n_v = destroyed.shape[1]
    n_a = w80_s.shape[1]
    surv = np.empty((n_rows, n_v))
    kept_out = np.empty(n_rows)
    d_s = np.empty((n_rows, n_a))
    d_v = np.empty((n_rows, n_v))
    c_s = np.empty((n_rows, n_a))
    c_v = np.empty((n_rows, n_v))
    shortfall = np.empty(n_v)
    ds_e = np.empty(n_a)
    dv_e = np.empty(n_v)
    for r in range(n_rows):
        s = spend[r]
        j = 0
        t = 0.0
        beyond = True
        if n_b > 1:
            for q in range(1, n_b - 1):
                if s >= breaks[r, q]:
                    j += 1
            x0 = breaks[r, j]
            dx = breaks[r, j + 1] - x0
            t = (s - x0) / dx if dx > 0 else 0.0
            beyond = s >= breaks[r, n_b - 1]
        ret_total = 0.0
        for v in range(n_v):
            if beyond:
                d = destroyed[r, v, n_b - 1]
            else:
                f0 = destroyed[r, v, j]
                f1 = destroyed[r, v, j + 1]
                d = f0 + (f1 - f0) * t
            sv = max(standing[r, v] - d, 0.0)
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
    return surv, kept_out, d_s, d_v, c_s, c_v
