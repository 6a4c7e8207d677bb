"""The first-strike optimiser after Kent & Thaler (RAND): the striker's spend search.

Sources: G. A. Kent, R. J. DeValk & D. E. Thaler, *A Calculus of First-Strike Stability (A
Criterion for Evaluating Strategic Forces)*, RAND N-2526-AF, 1988; G. A. Kent & D. E. Thaler,
*First-Strike Stability: A Methodology for Evaluating Strategic Forces*, RAND R-3765-AF, 1989.
The formula details (cost exponent 0.75 and enemy-damage weight 0.3, App. C p. 61; 90%
availability of survivable weapons, p. 34; the striker's stop rule, p. 22; launch under attack,
p. 35 n. 4) follow the page references of a public implementation of the method; they were not
re-read in the RAND PDFs. The exponential damage curve ``D(w) = 1 - exp(-w ln 5 / w80)`` is a
smooth stand-in for RAND's hand-drawn curves (R-3765 Fig. 7) and is tripolar's choice.

For a striker A and a victim B:

1. A may use all its fixed (silo) warheads and a share (0.9) of its survivable ones.
2. A spends ``s`` warheads on B's targetable launchers, most efficient options first: the
   ``k``-th warhead on a launcher class with ``m`` warheads per launcher and kill probability
   ``p`` destroys ``m p (1 - p)^(k - 1)`` of B's warheads; up to ``max_warheads_per_target``
   layers per launcher. A keeps the rest for B's value.
3. B's surviving warheads strike A's value; A's kept warheads strike B's value.
4. Costs ``C_X = D_X^0.75 + 0.3 (1 - D_Y^0.75)``.
5. A chooses ``s`` on a grid (step one warhead) minimising its own cost; among equal minima it
   takes the one that maximises B's cost.

This is the exchange layer's optimiser; the stability index built on it (``r = C1 / C2``,
``FSI = r_A r_B``) lives in :mod:`tripolar.stability.kent_thaler`. Everything here is a pure
function over numpy arrays; every input may carry a leading sample axis (Monte Carlo). The
per-row work (building and sorting the options, the spend search, the outcome at the chosen
spend) runs compiled (:mod:`tripolar.exchange.strike_rows`, :mod:`tripolar.exchange.spend_search`);
``_evaluate`` keeps the NumPy form of the outcome for the exhaustive grid search (the
reference).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LN5 = math.log(5.0)

SearchMethod = Literal["grid", "bound"]
#: What the striker's spend serves: ``"cost"`` the Kent-Thaler stop rule (least striker cost),
#: ``"damage"`` the damage-limiting spend (every usable counterforce warhead outside the
#: reserve, up to the useful maximum: the victim's survivors never rise with the spend).
Objective = Literal["cost", "damage"]


@dataclass(frozen=True)
class KentThalerParams:
    """Parameters of the calculus (defaults as in R-3765 per the page references above).

    The striker chooses its spend among the multiples of ``spend_step`` up to the useful
    maximum (the method as published). ``search="bound"`` (the default) finds the same spend
    by branch and bound over that grid, evaluating about seven spends instead of every one;
    ``"grid"`` evaluates every one (the reference; tests check both give the same spend).
    """

    damage_exponent: float = 0.75
    enemy_weight: float = 0.3
    survivable_availability: float = 0.9
    launch_under_attack: bool = False
    launch_under_attack_fraction: float = 0.9
    max_warheads_per_target: int = 2
    spend_step: float = 1.0
    tie_tolerance: float = 1e-9
    search: SearchMethod = "bound"

    def __post_init__(self) -> None:
        checks = {
            "damage_exponent": self.damage_exponent > 0,
            "enemy_weight": self.enemy_weight >= 0,
            "survivable_availability": 0 <= self.survivable_availability <= 1,
            "launch_under_attack_fraction": 0 <= self.launch_under_attack_fraction <= 1,
            "max_warheads_per_target": self.max_warheads_per_target >= 1,
            "spend_step": self.spend_step > 0,
            "tie_tolerance": self.tie_tolerance >= 0,
            "search": self.search in ("grid", "bound"),
        }
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            from tripolar.errors import InputError

            raise InputError(f"invalid value {getattr(self, bad[0])!r}", field=bad[0])


def damage_fraction(warheads: npt.ArrayLike, w80: npt.ArrayLike) -> FloatArray:
    """Share of a side's value destroyed by ``warheads`` arriving: ``1 - exp(-w ln5 / w80)``.

    ``w80`` is the number of enemy warheads that destroys 80% of the value (so
    ``D(w80) = 0.8``). Smooth stand-in for the hand-drawn curves of Kent & Thaler, R-3765-AF
    (1989), Fig. 7. Units: warheads; returns a fraction in [0, 1].
    """
    w = np.maximum(np.asarray(warheads, dtype=np.float64), 0.0)
    return np.asarray(-np.expm1(-w * LN5 / np.asarray(w80, dtype=np.float64)), dtype=np.float64)


def outcome_cost(
    own_damage: npt.ArrayLike,
    enemy_damage: npt.ArrayLike,
    exponent: float = 0.75,
    enemy_weight: float = 0.3,
) -> FloatArray:
    """Cost of an outcome to a side: ``D_own^e + k (1 - D_enemy^e)``.

    Kent & Thaler, R-3765-AF (1989), App. C p. 61 (``e = 0.75``, ``k = 0.3``). 0 when the side
    is untouched and the enemy destroyed, 1.3 when the side is destroyed and the enemy untouched.
    """
    own = np.asarray(own_damage, dtype=np.float64)
    enemy = np.asarray(enemy_damage, dtype=np.float64)
    return np.asarray(
        np.power(own, exponent) + enemy_weight * (1.0 - np.power(enemy, exponent)),
        dtype=np.float64,
    )


def reserve_warheads(w80: npt.ArrayLike, delta: npt.ArrayLike = 0.5) -> FloatArray:
    """Warheads ``w`` with ``D(w) = delta`` on a third party: ``w80 ln(1/(1 - delta)) / ln 5``.

    The reserve an attacker withholds to keep deterring a third party (tripolar's three-party
    rule; damage curve as in :func:`damage_fraction`). ``delta`` in [0, 1).
    """
    d = np.asarray(delta, dtype=np.float64)
    return np.asarray(np.asarray(w80, dtype=np.float64) * -np.log1p(-d) / LN5, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Sides
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrikeSide:
    """One party's forces as the calculus sees them (arrays; an optional leading sample axis).

    As a striker only the totals matter: ``fixed_warheads`` (silos: all usable in a first
    strike), ``survivable_warheads`` (a share usable), and the parts of each that can be used
    for counterforce (``counterforce_fixed``, ``counterforce_survivable``: ballistic-missile
    warheads; bomber weapons arrive too late to catch launchers).

    As a victim, its targetable forces are *target classes* (last axis): ``n_targets`` aim
    points each holding ``warheads_per_target`` warheads; ``class_fixed`` marks silo classes
    (the ones launch under attack empties); ``untargetable_warheads`` cannot be struck (SSBNs
    at sea, dispersed mobiles, bombers on alert). ``w80`` is the number of enemy warheads that
    destroys 80% of this party's value. ``class_labels`` name the classes for reports.
    """

    name: str
    fixed_warheads: FloatArray
    survivable_warheads: FloatArray
    counterforce_fixed: FloatArray
    counterforce_survivable: FloatArray
    n_targets: FloatArray
    warheads_per_target: FloatArray
    class_fixed: BoolArray
    untargetable_warheads: FloatArray
    w80: FloatArray
    class_labels: tuple[str, ...] = field(default=())

    @classmethod
    def from_systems(
        cls,
        name: str,
        launchers: npt.ArrayLike,
        warheads_per_launcher: npt.ArrayLike,
        fixed: npt.ArrayLike,
        untargetable_fraction: npt.ArrayLike,
        w80: npt.ArrayLike,
        counterforce_capable: npt.ArrayLike | None = None,
        labels: Sequence[str] | None = None,
    ) -> StrikeSide:
        """Build a side from per-system arrays (systems on the last axis).

        A share ``untargetable_fraction`` of each system's launchers cannot be struck; the rest
        are one target class per system. All warheads are on their launchers.
        """
        n_l = np.asarray(launchers, dtype=np.float64)
        m = np.asarray(warheads_per_launcher, dtype=np.float64)
        fx = np.asarray(fixed, dtype=bool)
        u = np.asarray(untargetable_fraction, dtype=np.float64)
        cf = (
            np.ones(fx.shape, dtype=bool)
            if counterforce_capable is None
            else np.asarray(counterforce_capable, dtype=bool)
        )
        w = n_l * m
        return cls(
            name=name,
            fixed_warheads=np.sum(np.where(fx, w, 0.0), axis=-1),
            survivable_warheads=np.sum(np.where(fx, 0.0, w), axis=-1),
            counterforce_fixed=np.sum(np.where(fx & cf, w, 0.0), axis=-1),
            counterforce_survivable=np.sum(np.where(~fx & cf, w, 0.0), axis=-1),
            n_targets=np.asarray(n_l * (1.0 - u), dtype=np.float64),
            warheads_per_target=np.asarray(m * np.ones_like(u), dtype=np.float64),
            class_fixed=fx,
            untargetable_warheads=np.sum(n_l * u * m, axis=-1),
            w80=np.asarray(w80, dtype=np.float64),
            class_labels=tuple(labels) if labels is not None else (),
        )

    @property
    def total_warheads(self) -> FloatArray:
        return np.asarray(self.fixed_warheads + self.survivable_warheads, dtype=np.float64)

    def available(self, params: KentThalerParams) -> tuple[FloatArray, FloatArray]:
        """Warheads usable in a first strike: (all purposes, counterforce-capable)."""
        a = params.survivable_availability
        total = self.fixed_warheads + a * self.survivable_warheads
        cf = self.counterforce_fixed + a * self.counterforce_survivable
        return np.asarray(total, dtype=np.float64), np.asarray(cf, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# One first strike
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstStrike:
    """Outcome of a first strike at the striker's chosen counterforce spend.

    Arrays carry the sample axis of the inputs (none for scalar inputs). ``*_by_striker`` and
    ``*_by_victim`` have a last axis over the strikers / victims in the order given;
    ``class_survivors`` has the victims' target classes concatenated on its last axis.
    """

    spend: FloatArray
    kept: FloatArray
    counterforce_available: FloatArray
    victim_survivors: FloatArray
    class_survivors: FloatArray
    damage_to_strikers: FloatArray
    damage_to_victims: FloatArray
    cost_to_strikers: FloatArray
    cost_to_victims: FloatArray

    def to_dict(self) -> dict[str, Any]:
        return {k: np.asarray(v).tolist() for k, v in self.__dict__.items()}


def _as_samples(x: npt.ArrayLike, n: int) -> FloatArray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return np.full(n, float(a))
    return np.broadcast_to(a, (n,)).astype(np.float64)


def _as_classes(x: npt.ArrayLike, n: int, j: int) -> FloatArray:
    """``x`` as ``(n, j)`` (a read-only view where it broadcasts; the compiled passes copy
    what they need)."""
    a = np.asarray(x, dtype=np.float64)
    return np.broadcast_to(a, (n, j))


def _interp_rows(x: FloatArray, xp: FloatArray, fp: FloatArray) -> FloatArray:
    """Row-wise linear interpolation of ``fp`` at ``x`` (rows of non-decreasing ``xp``, first
    point ``xp[:, 0] <= x``), clamped to each row's last value beyond its last point.

    ``x`` is ``(S, G)``; ``xp`` is ``(S, B)``; ``fp`` is ``(S, V, B)``; the result is
    ``(S, G, V)``. Each result depends on its own row only (no offsets shared between rows),
    and repeating a row's last point (padding) changes nothing, so a sample's answer is the
    same whatever else is evaluated with it.
    """
    n_b = xp.shape[1]
    last = fp[:, None, :, -1]
    if n_b == 1:
        return np.asarray(np.broadcast_to(last, (*x.shape, fp.shape[1])), dtype=np.float64)
    # Segment j holds x in [xp[j], xp[j + 1]): count the inner points at or below x (a loop
    # over the few points is cheaper than a reduction over a short last axis).
    j = np.zeros(x.shape, dtype=np.intp)
    for k in range(1, n_b - 1):
        j += x >= xp[:, k : k + 1]
    x0 = np.take_along_axis(xp, j, axis=1)
    x1 = np.take_along_axis(xp, j + 1, axis=1)
    dx = x1 - x0
    t = np.where(dx > 0, (x - x0) / np.where(dx > 0, dx, 1.0), 0.0)
    beyond = (x >= xp[:, -1:])[..., None]
    out = np.empty((*x.shape, fp.shape[1]))
    for v in range(fp.shape[1]):
        f0 = np.take_along_axis(fp[:, v, :], j, axis=1)
        f1 = np.take_along_axis(fp[:, v, :], j + 1, axis=1)
        out[..., v] = f0 + (f1 - f0) * t
    return np.asarray(np.where(beyond, last, out), dtype=np.float64)


@dataclass(frozen=True)
class _Options:
    """Counterforce options sorted by efficiency, per sample."""

    order: npt.NDArray[np.intp]  # (S, O) permutation into the unsorted (class, layer) options
    starts: FloatArray  # (S, O) spend at which each sorted option begins
    lengths: FloatArray  # (S, O) warheads the option absorbs
    efficiency: FloatArray  # (S, O) victim warheads destroyed per warhead spent
    breaks: FloatArray  # (S, O + 1) cumulative spend at option boundaries
    destroyed_at_breaks: FloatArray  # (S, V, O + 1) cumulative destroyed, per victim
    total_spend: FloatArray  # (S,)
    n_classes: int
    n_layers: int


def _build_options(
    n_targets: FloatArray,
    warheads_per_target: FloatArray,
    pk: FloatArray,
    class_fixed: BoolArray,
    owner: npt.NDArray[np.int64],
    untargetable: FloatArray,
    launch_fraction: float,
    n_layers: int,
    step: float,
    cf_avail: FloatArray,
    classes: bool = True,
) -> tuple[_Options, FloatArray, FloatArray, npt.NDArray[np.int64], FloatArray]:
    """The options of every row (compiled: :func:`tripolar.exchange.strike_rows.prepare_rows`),
    with the untargetable and targetable warheads per victim after launch under attack, the
    most useful spend in grid steps and the targetable warheads per class."""
    from tripolar.exchange.strike_rows import prepare_rows

    c = np.ascontiguousarray
    n_classes = n_targets.shape[1]
    (order, starts, lengths, eff, breaks, destroyed, untarg, targ, total, n_hi, cls_w) = (
        prepare_rows(
            c(n_targets, dtype=np.float64),
            c(warheads_per_target, dtype=np.float64),
            c(pk, dtype=np.float64),
            c(class_fixed, dtype=np.bool_),
            c(owner, dtype=np.int64),
            c(untargetable, dtype=np.float64),
            float(launch_fraction),
            int(n_layers),
            float(step),
            c(cf_avail, dtype=np.float64),
            bool(classes),
        )
    )
    opts = _Options(
        order=order,
        starts=starts,
        lengths=lengths,
        efficiency=eff,
        breaks=breaks,
        destroyed_at_breaks=destroyed,
        total_spend=total,
        n_classes=n_classes,
        n_layers=n_layers,
    )
    return opts, untarg, targ, n_hi, cls_w


_RowArrays = tuple[
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
]


@dataclass(frozen=True)
class _Problem:
    """One spend search per row: what the striker and victim costs depend on."""

    breaks: FloatArray  # (S, B) the options' cumulative spend at their boundaries
    destroyed_at_breaks: FloatArray  # (S, V, B) victim warheads destroyed there, per victim
    targetable: FloatArray  # (S, V) targetable warheads per victim
    untargetable: FloatArray  # (S, V)
    kept_base: FloatArray  # (S,) warheads available for all purposes
    w80_strikers: FloatArray  # (S, A)
    w80_victims: FloatArray  # (S, V)
    striker_weights: FloatArray  # (S, A) shares of the retaliation, summing to one
    victim_weights: FloatArray  # (S, V) shares of the kept warheads, summing to one
    params: KentThalerParams
    victim_reserve: FloatArray  # (S, V) warheads each victim withholds from retaliation
    victim_follow_on: FloatArray  # (S, V) cost added at a full reserve shortfall

    def row_arrays(self) -> _RowArrays:
        """What the compiled row functions take, in their order: breaks, destroyed, standing
        warheads (untargetable + targetable), kept base, w80 of strikers and victims, their
        weights, the victims' reserves and follow-on weights (contiguous)."""
        c = np.ascontiguousarray
        return (
            c(self.breaks),
            c(self.destroyed_at_breaks),
            c(self.untargetable + self.targetable),
            c(self.kept_base),
            c(self.w80_strikers),
            c(self.w80_victims),
            c(self.striker_weights),
            c(self.victim_weights),
            c(self.victim_reserve),
            c(self.victim_follow_on),
        )

    def take(self, rows: npt.NDArray[np.intp]) -> _Problem:
        """The problem of the samples ``rows`` (in that order, repeats allowed)."""
        return replace(
            self,
            **{f.name: getattr(self, f.name)[rows] for f in fields(self) if f.name != "params"},
        )


def _stack(problems: Sequence[_Problem]) -> _Problem:
    """Problems of the same striker and victim counts, rows end to end; break tables padded
    to the longest by repeating their last point (which changes no answer)."""
    if len(problems) == 1:
        return problems[0]
    n_b = max(q.breaks.shape[1] for q in problems)

    def pad(x: FloatArray) -> FloatArray:
        extra = n_b - x.shape[-1]
        if extra == 0:
            return x
        return np.concatenate([x, np.repeat(x[..., -1:], extra, axis=-1)], axis=-1)

    out: dict[str, Any] = {}
    for f in fields(_Problem):
        if f.name == "params":
            continue
        parts = [getattr(q, f.name) for q in problems]
        if f.name in ("breaks", "destroyed_at_breaks"):
            parts = [pad(x) for x in parts]
        out[f.name] = np.concatenate(parts, axis=0)
    return _Problem(params=problems[0].params, **out)


def _sum_last(x: FloatArray) -> FloatArray:
    """``x.sum(axis=-1)`` for the short striker and victim axes (one or two entries), without
    the cost of a general reduction (same values: ``a + b`` is what the sum adds)."""
    n = x.shape[-1]
    if n == 1:
        return np.asarray(x[..., 0], dtype=np.float64)
    if n == 2:
        return np.asarray(x[..., 0] + x[..., 1], dtype=np.float64)
    return np.asarray(x.sum(axis=-1), dtype=np.float64)


def _power(x: FloatArray, exponent: float) -> FloatArray:
    """``x ** exponent`` for ``x >= 0``; the default 0.75 as sqrt(x) * sqrt(sqrt(x)), which is
    several times faster than a general power on large arrays (same value to rounding)."""
    if exponent == 0.75:
        r = np.sqrt(x)
        return np.asarray(r * np.sqrt(r), dtype=np.float64)
    return np.asarray(np.power(x, exponent), dtype=np.float64)


def _evaluate(
    prob: _Problem, spend: FloatArray
) -> tuple[FloatArray, FloatArray, dict[str, FloatArray]]:
    """Striker objective and victim objective for candidate spends ``(S, G)``."""
    p = prob.params
    destroyed = _interp_rows(spend, prob.breaks, prob.destroyed_at_breaks)
    surv = (prob.untargetable + prob.targetable)[:, None, :] - destroyed
    surv = np.maximum(surv, 0.0)
    # A victim facing a third party first withholds its reserve out of its survivors; every
    # other survivor retaliates, split among two strikers by value weights.
    res = prob.victim_reserve[:, None, :]
    withheld = np.minimum(surv, res)
    sw = prob.striker_weights[:, None, :]
    vw = prob.victim_weights[:, None, :]
    retaliation = _sum_last(surv - withheld)[..., None] * sw
    with np.errstate(divide="ignore", invalid="ignore"):
        shortfall = np.where(res > 0, 1.0 - withheld / np.where(res > 0, res, 1.0), 0.0)
    kept = np.maximum(prob.kept_base[:, None] - spend, 0.0)
    on_victims = kept[..., None] * vw
    d_strikers = damage_fraction(retaliation, prob.w80_strikers[:, None, :])
    d_victims = damage_fraction(on_victims, prob.w80_victims[:, None, :])
    ds_e = _power(d_strikers, p.damage_exponent)
    dv_e = _power(d_victims, p.damage_exponent)
    enemy_of_strikers = _sum_last(dv_e * vw)
    enemy_of_victims = _sum_last(ds_e * sw)
    c_strikers = ds_e + p.enemy_weight * (1.0 - enemy_of_strikers[..., None])
    c_victims = dv_e + p.enemy_weight * (1.0 - enemy_of_victims[..., None])
    c_victims = c_victims + prob.victim_follow_on[:, None, :] * shortfall
    parts = {
        "survivors": surv,
        "kept": kept,
        "d_strikers": d_strikers,
        "d_victims": d_victims,
        "c_strikers": c_strikers,
        "c_victims": c_victims,
        # The strikers' retaliation term, non-increasing in the spend (the bound search's G).
        "retaliation_term": _sum_last(ds_e),
    }
    return _sum_last(c_strikers), _sum_last(c_victims), parts


def _choose(
    obj: FloatArray, victim_obj: FloatArray, valid: BoolArray, tol: float
) -> npt.NDArray[np.intp]:
    """Stop rule: minimum striker cost; among (near-)equal minima, maximum victim cost."""
    o = np.where(valid, obj, np.inf)
    best = o.min(axis=1, keepdims=True)
    near = o <= best + tol
    return np.asarray(np.argmax(np.where(near, victim_obj, -np.inf), axis=1), dtype=np.intp)


def _search_grid(prob: _Problem, n_hi: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Every multiple of the spend step up to ``n_hi`` steps (the method as published)."""
    n_grid = int(n_hi.max()) + 1 if n_hi.size else 1
    idx = np.broadcast_to(np.arange(n_grid, dtype=np.int64), (n_hi.shape[0], n_grid))
    obj, vobj, _ = _evaluate(prob, prob.params.spend_step * idx.astype(np.float64))
    return np.asarray(_choose(obj, vobj, idx <= n_hi[:, None], prob.params.tie_tolerance))


def _search_bound(prob: _Problem, n_hi: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The grid search's answer, found by branch and bound instead of trying every step.

    The striker objective splits as ``F(s) = G(s) + H(s)``: ``G`` (the strikers' damage terms
    ``D^e`` from the victims' retaliation) never increases with the spend, since survivors only
    fall; ``H`` (``k (1 - D_victim^e)`` per striker, from the warheads kept) never decreases,
    since fewer are kept. So on any interval ``[a, b]`` of spends, ``F >= G(b) + H(a)``. The
    search evaluates a coarse grid, drops every interval whose bound exceeds the best cost so
    far plus the tie tolerance and bisects the rest down to one grid step. Every grid point that
    the grid search could choose (cost within the tie tolerance of the minimum) lies in a kept
    interval and is evaluated, so the choice, with the same stop rule and tie rule (then the
    smallest spend), is the grid search's: the same spend, not an approximation (tests compare
    both on real forces and random cases). Each row's answer depends on that row only. Runs
    compiled, row by row (:func:`tripolar.exchange.spend_search.search_rows`). Returns grid
    indices (spend / step).
    """
    from tripolar.exchange.spend_search import search_rows

    p = prob.params
    if n_hi.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    chosen, _ = search_rows(
        np.ascontiguousarray(n_hi, dtype=np.int64),
        float(p.spend_step),
        *prob.row_arrays(),
        float(p.damage_exponent),
        float(p.enemy_weight),
        float(p.tie_tolerance),
    )
    return np.asarray(chosen, dtype=np.int64)


def _search(prob: _Problem, n_hi: npt.NDArray[np.int64]) -> FloatArray:
    """The striker's spend per row (``spend_step`` times a whole number up to ``n_hi``)."""
    p = prob.params
    idx = _search_grid(prob, n_hi) if p.search == "grid" else _search_bound(prob, n_hi)
    return np.asarray(p.spend_step * idx.astype(np.float64), dtype=np.float64)


@dataclass(frozen=True)
class _Prepared:
    """A first strike set up for the search: the problem and what the result needs."""

    prob: _Problem
    opts: _Options
    n_hi: npt.NDArray[np.int64]  # (S,) most useful spend, in grid steps
    cf_avail: FloatArray  # (S,)
    class_warheads: FloatArray  # (S, classes) targetable warheads per victim class
    squeeze: bool


@dataclass(frozen=True)
class _RowInputs:
    """One first strike's inputs per row, before its options are built (victims' classes on
    the last axis of the ``(S, J)`` arrays)."""

    n_targets: FloatArray  # (S, J)
    warheads_per_target: FloatArray  # (S, J)
    pk: FloatArray  # (S, J)
    class_fixed: BoolArray  # (S, J)
    owner: npt.NDArray[np.int64]  # (S, J) victim of each class
    untargetable: FloatArray  # (S, V) before launch under attack
    cf_avail: FloatArray  # (S,)
    kept_base: FloatArray  # (S,)
    w80_strikers: FloatArray  # (S, A)
    w80_victims: FloatArray  # (S, V)
    striker_weights: FloatArray  # (S, A)
    victim_weights: FloatArray  # (S, V)
    victim_reserve: FloatArray  # (S, V)
    victim_follow_on: FloatArray  # (S, V)
    squeeze: bool

    @property
    def n_rows(self) -> int:
        return int(self.cf_avail.shape[0])

    @staticmethod
    def stack(parts: Sequence[_RowInputs]) -> _RowInputs:
        """Rows of strikes with the same numbers of strikers and victims end to end; the class
        axis padded to the longest with empty classes (no aim point, zero kill probability),
        whose options take no spend and come last, which changes no answer."""
        if len(parts) == 1:
            return parts[0]
        n_j = max(x.n_targets.shape[1] for x in parts)

        def pad(x: npt.NDArray[Any], fill: Any) -> npt.NDArray[Any]:
            extra = n_j - x.shape[1]
            if extra == 0:
                return x
            return np.concatenate([x, np.full((x.shape[0], extra), fill, dtype=x.dtype)], axis=1)

        classes = {
            "n_targets": 0.0,
            "warheads_per_target": 0.0,
            "pk": 0.0,
            "class_fixed": False,
            "owner": 0,
        }
        out: dict[str, Any] = {}
        for f in fields(_RowInputs):
            if f.name == "squeeze":
                continue
            arrs = [getattr(x, f.name) for x in parts]
            if f.name in classes:
                arrs = [pad(a, classes[f.name]) for a in arrs]
            out[f.name] = np.concatenate(arrs, axis=0)
        return _RowInputs(squeeze=False, **out)


def _inputs(
    strikers: Sequence[StrikeSide],
    victims: Sequence[StrikeSide],
    kill_probability: npt.ArrayLike,
    p: KentThalerParams,
    striker_weights: Sequence[float] | None,
    victim_weights: Sequence[float] | None,
    reserve: npt.ArrayLike,
    victim_reserve: npt.ArrayLike,
    victim_follow_on: npt.ArrayLike,
    sides: dict[tuple[int, int, bool], tuple[Any, tuple[npt.NDArray[Any], ...]]] | None = None,
) -> _RowInputs:
    """One strike's row inputs. ``sides`` (one dict for the strikes of one call) keeps each
    side's per-row arrays, as striker and as victim, for the other strikes it is part of
    (the same arrays: they are only read)."""
    pk_in = np.asarray(kill_probability, dtype=np.float64)
    # Sample axis: the first axis of any array that has one beyond its class axis.
    n_samples = 1
    squeeze = True
    for side in (*strikers, *victims):
        if np.ndim(side.fixed_warheads) >= 1:
            n_samples = max(n_samples, int(np.shape(side.fixed_warheads)[0]))
            squeeze = False
    if pk_in.ndim == 2:
        n_samples = max(n_samples, pk_in.shape[0])
        squeeze = False
    for extra in (reserve, victim_reserve, victim_follow_on):
        if np.ndim(extra) >= 2 or (np.ndim(extra) == 1 and extra is reserve):
            n_samples = max(n_samples, int(np.shape(extra)[0]))
            squeeze = False

    def arrays(side: StrikeSide, striker: bool) -> tuple[npt.NDArray[Any], ...]:
        key = (id(side), n_samples, striker)
        hit = sides.get(key) if sides is not None else None
        if hit is not None and hit[0] is side:
            return hit[1]
        out: tuple[npt.NDArray[Any], ...]
        if striker:
            tot, cf = side.available(p)
            out = (
                _as_samples(tot, n_samples),
                _as_samples(cf, n_samples),
                _as_samples(side.w80, n_samples),
            )
        else:
            j = int(np.shape(side.n_targets)[-1])
            out = (
                _as_classes(side.n_targets, n_samples, j),
                _as_classes(side.warheads_per_target, n_samples, j),
                np.broadcast_to(np.asarray(side.class_fixed, dtype=bool), (j,)),
                _as_samples(side.untargetable_warheads, n_samples),
                _as_samples(side.w80, n_samples),
            )
        if sides is not None:
            sides[key] = (side, out)
        return out

    avail_total = np.zeros(n_samples)
    avail_cf = np.zeros(n_samples)
    for side in strikers:
        tot_s, cf_s, _ = arrays(side, True)
        avail_total += tot_s
        avail_cf += cf_s
    res = _as_samples(reserve, n_samples)
    kept_base = np.maximum(avail_total - res, 0.0)
    cf_avail = np.minimum(avail_cf, kept_base)

    n_t, m_t, owner, fixed, untarg0 = [], [], [], [], []
    for v, side in enumerate(victims):
        nt_v, mt_v, fixed_v, untarg_v, _ = arrays(side, False)
        n_t.append(nt_v)
        m_t.append(mt_v)
        fixed.append(fixed_v)
        owner.append(np.full(nt_v.shape[1], v, dtype=np.int64))
        untarg0.append(untarg_v)
    n_all = np.concatenate(n_t, axis=1) if n_t else np.zeros((n_samples, 0))
    m_all = np.concatenate(m_t, axis=1) if m_t else np.zeros((n_samples, 0))
    owner_all = np.concatenate(owner) if owner else np.zeros(0, dtype=np.int64)
    fixed_all = np.concatenate(fixed) if fixed else np.zeros(0, dtype=bool)
    n_j = n_all.shape[1]

    def weights(w: Sequence[float] | None, k: int) -> FloatArray:
        arr = np.ones(k) if w is None else np.asarray(w, dtype=np.float64)
        return np.asarray(np.broadcast_to(arr / arr.sum(), (n_samples, k)), dtype=np.float64)

    def per_victim(x: npt.ArrayLike) -> FloatArray:
        a = np.asarray(x, dtype=np.float64)
        return np.asarray(np.broadcast_to(a, (n_samples, len(victims))), dtype=np.float64)

    return _RowInputs(
        n_targets=n_all,
        warheads_per_target=m_all,
        pk=np.broadcast_to(pk_in, (n_samples, n_j)),
        class_fixed=np.broadcast_to(fixed_all, (n_samples, n_j)),
        owner=np.broadcast_to(owner_all, (n_samples, n_j)),
        untargetable=np.stack(untarg0, axis=1) if untarg0 else np.zeros((n_samples, 0)),
        cf_avail=cf_avail,
        kept_base=kept_base,
        w80_strikers=np.stack([arrays(s, True)[2] for s in strikers], axis=1),
        w80_victims=np.stack([arrays(s, False)[4] for s in victims], axis=1),
        striker_weights=weights(striker_weights, len(strikers)),
        victim_weights=weights(victim_weights, len(victims)),
        victim_reserve=per_victim(victim_reserve),
        victim_follow_on=per_victim(victim_follow_on),
        squeeze=squeeze,
    )


def _prepare_inputs(x: _RowInputs, p: KentThalerParams, classes: bool = True) -> _Prepared:
    """The options and the search problem of ``x``'s rows (``classes=False``: without what
    only the survivors per class need)."""
    # Launch under attack: the striker expects that share of the fixed force to be gone.
    lua = p.launch_under_attack_fraction if p.launch_under_attack else 0.0
    opts, untarg, targ, n_hi, class_warheads = _build_options(
        x.n_targets,
        x.warheads_per_target,
        x.pk,
        x.class_fixed,
        x.owner,
        x.untargetable,
        lua,
        p.max_warheads_per_target,
        p.spend_step,
        x.cf_avail,
        classes,
    )
    prob = _Problem(
        breaks=opts.breaks,
        destroyed_at_breaks=opts.destroyed_at_breaks,
        targetable=targ,
        untargetable=untarg,
        kept_base=x.kept_base,
        w80_strikers=x.w80_strikers,
        w80_victims=x.w80_victims,
        striker_weights=x.striker_weights,
        victim_weights=x.victim_weights,
        params=p,
        victim_reserve=x.victim_reserve,
        victim_follow_on=x.victim_follow_on,
    )
    return _Prepared(
        prob=prob,
        opts=opts,
        n_hi=n_hi,
        cf_avail=x.cf_avail,
        class_warheads=class_warheads,
        squeeze=x.squeeze,
    )


def _outcome(prob: _Problem, s: FloatArray) -> dict[str, FloatArray]:
    """Every row at its spend ``s`` (compiled, the operations of :func:`_evaluate`)."""
    from tripolar.exchange.strike_rows import outcome_rows

    p = prob.params
    surv, kept, d_s, d_v, c_s, c_v = outcome_rows(
        np.ascontiguousarray(s, dtype=np.float64),
        *prob.row_arrays(),
        float(p.damage_exponent),
        float(p.enemy_weight),
    )
    return {
        "survivors": surv,
        "kept": kept,
        "d_strikers": d_s,
        "d_victims": d_v,
        "c_strikers": c_s,
        "c_victims": c_v,
    }


def _finish(prep: _Prepared, s: FloatArray, classes: bool = True) -> FirstStrike:
    opts = prep.opts
    n_samples = s.shape[0]
    parts = _outcome(prep.prob, s)
    if classes:
        # Survivors per class at the chosen spend: the part of each option bought, unsorted.
        bought = np.clip(s[:, None] - opts.starts, 0.0, opts.lengths) * opts.efficiency
        destroyed_opt = np.empty_like(bought)
        np.put_along_axis(destroyed_opt, opts.order, bought, axis=1)
        destroyed_cls = destroyed_opt.reshape(n_samples, opts.n_classes, opts.n_layers).sum(axis=2)
        class_surv = np.maximum(prep.class_warheads - destroyed_cls, 0.0)
    else:
        class_surv = np.zeros((n_samples, 0))
    out = FirstStrike(
        spend=s,
        kept=parts["kept"],
        counterforce_available=prep.cf_avail,
        victim_survivors=parts["survivors"],
        class_survivors=class_surv,
        damage_to_strikers=parts["d_strikers"],
        damage_to_victims=parts["d_victims"],
        cost_to_strikers=parts["c_strikers"],
        cost_to_victims=parts["c_victims"],
    )
    if prep.squeeze:
        out = FirstStrike(**{k: np.asarray(v)[0] for k, v in out.__dict__.items()})
    return out


def first_strike(
    strikers: Sequence[StrikeSide],
    victims: Sequence[StrikeSide],
    kill_probability: npt.ArrayLike,
    params: KentThalerParams | None = None,
    *,
    striker_weights: Sequence[float] | None = None,
    victim_weights: Sequence[float] | None = None,
    reserve: npt.ArrayLike = 0.0,
    victim_reserve: npt.ArrayLike = 0.0,
    victim_follow_on: npt.ArrayLike = 0.0,
    spend: npt.ArrayLike | None = None,
    objective: Objective = "cost",
) -> FirstStrike:
    """A first strike by ``strikers`` (warheads pooled) on ``victims``, Kent-Thaler stop rule.

    ``kill_probability`` is the terminal kill probability of one striker warhead on one aim
    point of each victim target class (victims' classes concatenated on the last axis; an
    optional leading sample axis). ``reserve`` warheads are withheld from both counterforce and
    the victims' value (tripolar's three-party rule). With several strikers the victims'
    survivors are split among them by ``striker_weights``; with several victims the kept
    warheads are split by ``victim_weights`` (both default to equal shares); the striker
    objective is the sum of the strikers' costs. Passing ``spend`` skips the search and
    evaluates that counterforce spend (clipped to what is usable and useful);
    ``objective="damage"`` evaluates the :func:`damage_limiting_spend` instead of searching.

    Three-party terms (tripolar's, zero by default): each victim withholds up to
    ``victim_reserve`` of its survivors (shape ``(V,)`` or ``(S, V)``) from retaliation, and
    its cost grows by ``victim_follow_on`` times the share of that reserve it could not keep.

    Source: Kent & Thaler, RAND R-3765-AF (1989); coalition and reserve rules are tripolar's.
    """
    p = params or KentThalerParams()
    prep = _prepare_inputs(
        _inputs(
            strikers,
            victims,
            kill_probability,
            p,
            striker_weights,
            victim_weights,
            reserve,
            victim_reserve,
            victim_follow_on,
        ),
        p,
    )
    if spend is None and objective == "damage":
        s = damage_limiting_spend(prep)
    elif spend is None:
        s = _search(prep.prob, prep.n_hi)
    else:
        n = prep.n_hi.shape[0]
        s = np.minimum(np.maximum(_as_samples(spend, n), 0.0), prep.cf_avail)
        s = np.minimum(s, prep.opts.total_spend)
    return _finish(prep, s)


@dataclass(frozen=True)
class StrikeSpec:
    """The arguments of one :func:`first_strike` (searched together by :func:`first_strikes`)."""

    strikers: Sequence[StrikeSide]
    victims: Sequence[StrikeSide]
    kill_probability: npt.ArrayLike
    striker_weights: Sequence[float] | None = None
    victim_weights: Sequence[float] | None = None
    reserve: npt.ArrayLike = 0.0
    victim_reserve: npt.ArrayLike = 0.0
    victim_follow_on: npt.ArrayLike = 0.0


def damage_limiting_spend(prep: _Prepared) -> FloatArray:
    """The spend that maximises the victim's losses: all usable counterforce warheads outside
    the reserve, but no more than the last option absorbs (survivors are non-increasing in the
    spend, so nothing leaves fewer)."""
    return np.asarray(np.minimum(prep.cf_avail, prep.opts.total_spend), dtype=np.float64)


def first_strikes(
    specs: Sequence[StrikeSpec],
    params: KentThalerParams | None = None,
    *,
    objective: Objective = "cost",
    classes: bool = True,
) -> list[FirstStrike]:
    """Several first strikes, each as :func:`first_strike` gives it (same answers).

    Strikes with the same numbers of strikers and victims are searched together, rows end to
    end, so that a three-party evaluation makes three searches instead of a dozen: the answer
    of each row depends on that row only, so folding changes no result. With
    ``objective="damage"`` no search is made: each strike is evaluated at its
    :func:`damage_limiting_spend`.
    """
    return first_strike_outcomes(specs, params, objectives=(objective,), classes=classes)[objective]


def first_strike_outcomes(
    specs: Sequence[StrikeSpec],
    params: KentThalerParams | None = None,
    *,
    objectives: Sequence[Objective] = ("cost", "damage"),
    classes: bool = True,
    hint_lag: int = 0,
    damage_only: Sequence[StrikeSpec] = (),
) -> dict[str, list[FirstStrike]]:
    """:func:`first_strikes` under each of ``objectives``, set up once (same answers).
    ``classes=False`` leaves out the survivors per target class (``class_survivors`` then
    has no columns), for callers that need only the totals and costs; then the strikes of
    each shape are also set up and evaluated together, rows end to end, and ``hint_lag``
    (rows, when positive) says how far apart rows usually have alike answers (the same
    sample of neighbouring treaty variants laid end to end), so that each row's spend
    search starts from the answer of the row that far before it: fewer evaluations, the
    same answers.

    ``damage_only``: more strikes wanted under the damage objective only (``objectives``
    must then include it), evaluated with the others; their outcomes follow those of
    ``specs`` in ``out["damage"]``."""
    p = params or KentThalerParams()
    if damage_only and "damage" not in objectives:
        raise ValueError("damage_only strikes need the damage objective")
    n_cost = len(specs)
    side_arrays: dict[tuple[int, int, bool], tuple[Any, tuple[npt.NDArray[Any], ...]]] = {}
    inputs = [
        _inputs(
            sp.strikers,
            sp.victims,
            sp.kill_probability,
            p,
            sp.striker_weights,
            sp.victim_weights,
            sp.reserve,
            sp.victim_reserve,
            sp.victim_follow_on,
            side_arrays,
        )
        for sp in (*specs, *damage_only)
    ]
    if not classes and p.search != "grid":
        return _folded_outcomes(inputs, p, objectives, hint_lag, n_cost)
    preps = [_prepare_inputs(x, p, classes) for x in inputs]
    out: dict[str, list[FirstStrike]] = {}
    if "damage" in objectives:
        out["damage"] = [_finish(pr, damage_limiting_spend(pr), classes) for pr in preps]
    if "cost" in objectives:
        out["cost"] = _cost_minimising(preps[:n_cost], classes)
    return out


def _groups(shapes: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Indices of strikes with the same numbers of strikers and victims."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, key in enumerate(shapes):
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def _folded_outcomes(
    inputs: Sequence[_RowInputs],
    p: KentThalerParams,
    objectives: Sequence[Objective],
    hint_lag: int = 0,
    n_cost: int | None = None,
) -> dict[str, list[FirstStrike]]:
    """Strikes of each shape set up, searched and evaluated in one compiled pass each
    (:func:`tripolar.exchange.strike_rows.strike_group`); every row's answer depends on that
    row only, so each strike's is the one it has alone. Only the first ``n_cost`` strikes
    (default: all) are searched under the cost objective. (The exhaustive grid search,
    ``search="grid"``, takes the unfolded path of :func:`first_strike_outcomes`.)"""
    from tripolar.exchange.strike_rows import strike_group

    c = np.ascontiguousarray
    lua = p.launch_under_attack_fraction if p.launch_under_attack else 0.0
    out: dict[str, list[FirstStrike | None]] = {o: [None] * len(inputs) for o in objectives}
    shapes = [(x.w80_strikers.shape[1], x.w80_victims.shape[1]) for x in inputs]
    n_cost = len(inputs) if n_cost is None else n_cost
    for members in _groups(shapes):
        x = _RowInputs.stack([inputs[i] for i in members])
        # Members are in index order, so the strikes searched under the cost objective
        # lead: their rows are the group's first.
        cost_rows = sum(inputs[i].n_rows for i in members if i < n_cost)
        spend_c, out_c, spend_d, out_d, _ = strike_group(
            c(x.n_targets, dtype=np.float64),
            c(x.warheads_per_target, dtype=np.float64),
            c(x.pk, dtype=np.float64),
            c(x.class_fixed, dtype=np.bool_),
            c(x.owner, dtype=np.int64),
            c(x.untargetable, dtype=np.float64),
            c(x.cf_avail, dtype=np.float64),
            c(x.kept_base, dtype=np.float64),
            c(x.w80_strikers, dtype=np.float64),
            c(x.w80_victims, dtype=np.float64),
            c(x.striker_weights, dtype=np.float64),
            c(x.victim_weights, dtype=np.float64),
            c(x.victim_reserve, dtype=np.float64),
            c(x.victim_follow_on, dtype=np.float64),
            float(lua),
            int(p.max_warheads_per_target),
            float(p.spend_step),
            float(p.damage_exponent),
            float(p.enemy_weight),
            float(p.tie_tolerance),
            "cost" in objectives and cost_rows > 0,
            "damage" in objectives,
            int(hint_lag),
            int(cost_rows),
        )
        results = {"cost": (spend_c, out_c), "damage": (spend_d, out_d)}
        for objective in objectives:
            s_all, (surv, kept, d_s, d_v, c_s, c_v) = results[objective]
            start = 0
            for i in members:
                if objective == "cost" and i >= n_cost:
                    break
                n = inputs[i].n_rows
                rows = slice(start, start + n)
                part = FirstStrike(
                    spend=s_all[rows],
                    kept=kept[rows],
                    counterforce_available=inputs[i].cf_avail,
                    victim_survivors=surv[rows],
                    class_survivors=np.zeros((n, 0)),
                    damage_to_strikers=d_s[rows],
                    damage_to_victims=d_v[rows],
                    cost_to_strikers=c_s[rows],
                    cost_to_victims=c_v[rows],
                )
                if inputs[i].squeeze:
                    part = FirstStrike(**{k: np.asarray(v)[0] for k, v in part.__dict__.items()})
                out[objective][i] = part
                start += n
    return {o: [fs for fs in v if fs is not None] for o, v in out.items()}


def _cost_minimising(preps: list[_Prepared], classes: bool = True) -> list[FirstStrike]:
    groups = _groups(
        [(pr.prob.w80_strikers.shape[1], pr.prob.w80_victims.shape[1]) for pr in preps]
    )
    spends: dict[int, FloatArray] = {}
    for members in groups:
        prob = _stack([preps[i].prob for i in members])
        n_hi = np.concatenate([preps[i].n_hi for i in members])
        s_all = _search(prob, n_hi)
        start = 0
        for i in members:
            n = preps[i].n_hi.shape[0]
            spends[i] = s_all[start : start + n]
            start += n
    return [_finish(pr, spends[i], classes) for i, pr in enumerate(preps)]
