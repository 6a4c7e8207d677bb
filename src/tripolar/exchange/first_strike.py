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
function over numpy arrays; every input may carry a leading sample axis (Monte Carlo), and the
search over ``s`` evaluates all candidates at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LN5 = math.log(5.0)

SearchMethod = Literal["grid", "refine"]


@dataclass(frozen=True)
class KentThalerParams:
    """Parameters of the calculus (defaults as in R-3765 per the page references above).

    ``search="grid"`` evaluates every multiple of ``spend_step`` up to the useful maximum (the
    method as published); ``"refine"`` evaluates ``coarse_points`` evenly spaced spends plus
    every breakpoint of the kill curve, then every grid step around the best of them. The
    Monte Carlo layer uses ``"refine"``; tests bound its gap to ``"grid"``.
    """

    damage_exponent: float = 0.75
    enemy_weight: float = 0.3
    survivable_availability: float = 0.9
    launch_under_attack: bool = False
    launch_under_attack_fraction: float = 0.9
    max_warheads_per_target: int = 2
    spend_step: float = 1.0
    tie_tolerance: float = 1e-9
    search: SearchMethod = "grid"
    coarse_points: int = 48

    def __post_init__(self) -> None:
        checks = {
            "damage_exponent": self.damage_exponent > 0,
            "enemy_weight": self.enemy_weight >= 0,
            "survivable_availability": 0 <= self.survivable_availability <= 1,
            "launch_under_attack_fraction": 0 <= self.launch_under_attack_fraction <= 1,
            "max_warheads_per_target": self.max_warheads_per_target >= 1,
            "spend_step": self.spend_step > 0,
            "tie_tolerance": self.tie_tolerance >= 0,
            "coarse_points": self.coarse_points >= 2,
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
    a = np.asarray(x, dtype=np.float64)
    return np.broadcast_to(a, (n, j)).astype(np.float64)


def _interp_rows(x: FloatArray, xp: FloatArray, fp: FloatArray) -> FloatArray:
    """Row-wise ``np.interp`` (rows of non-decreasing ``xp``), clamped at each row's ends.

    Rows are laid end to end on one axis with gaps wider than any query so that a single
    ``np.interp`` call serves every sample.
    """
    n_rows = xp.shape[0]
    span = float(max(np.max(xp[:, -1]) if xp.size else 0.0, np.max(x) if x.size else 0.0))
    gap = 2.0 * span + 2.0
    offsets = np.arange(n_rows, dtype=np.float64)[:, None] * (2.0 * gap)
    # A closing point at +gap keeps queries beyond a row's end on that row's last value.
    xp_ext = np.concatenate([xp, np.full((n_rows, 1), gap)], axis=1) + offsets
    fp_ext = np.concatenate([fp, fp[:, -1:]], axis=1)
    out = np.interp((x + offsets).ravel(), xp_ext.ravel(), fp_ext.ravel())
    return out.reshape(x.shape)


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
    owner: npt.NDArray[np.intp],
    n_victims: int,
    n_layers: int,
) -> _Options:
    n_samples, n_classes = n_targets.shape
    layers = np.arange(n_layers, dtype=np.float64)
    # k-th warhead on a target destroys m p (1 - p)^(k - 1) warheads (independent shots).
    eff = (warheads_per_target * pk)[:, :, None] * np.power(1.0 - pk[:, :, None], layers)
    length = np.broadcast_to(n_targets[:, :, None], eff.shape)
    eff = eff.reshape(n_samples, -1)
    length = length.reshape(n_samples, -1)
    owner_flat = np.repeat(owner, n_layers)
    # Stable sort on -efficiency keeps the layer order of equal options.
    order = np.argsort(-eff, axis=1, kind="stable")
    eff_s = np.take_along_axis(eff, order, axis=1)
    len_s = np.take_along_axis(length, order, axis=1)
    own_s = owner_flat[order]
    ends = np.cumsum(len_s, axis=1)
    starts = ends - len_s
    breaks = np.concatenate([np.zeros((n_samples, 1)), ends], axis=1)
    gain = eff_s * len_s
    destroyed = np.zeros((n_samples, n_victims, breaks.shape[1]))
    for v in range(n_victims):
        destroyed[:, v, 1:] = np.cumsum(np.where(own_s == v, gain, 0.0), axis=1)
    return _Options(
        order=order,
        starts=starts,
        lengths=len_s,
        efficiency=eff_s,
        breaks=breaks,
        destroyed_at_breaks=destroyed,
        total_spend=ends[:, -1] if ends.shape[1] else np.zeros(n_samples),
        n_classes=n_classes,
        n_layers=n_layers,
    )


@dataclass(frozen=True)
class _Problem:
    opts: _Options
    targetable: FloatArray  # (S, V) targetable warheads per victim
    untargetable: FloatArray  # (S, V)
    kept_base: FloatArray  # (S,) warheads available for all purposes
    w80_strikers: FloatArray  # (S, A)
    w80_victims: FloatArray  # (S, V)
    striker_weights: FloatArray  # (A,)
    victim_weights: FloatArray  # (V,)
    params: KentThalerParams
    victim_reserve: FloatArray  # (S, V) warheads each victim withholds from retaliation
    victim_follow_on: FloatArray  # (S, V) cost added at a full reserve shortfall


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
    opts = prob.opts
    n_v = prob.targetable.shape[1]
    p = prob.params
    surv = np.empty((*spend.shape, n_v))
    for v in range(n_v):
        destroyed = _interp_rows(spend, opts.breaks, opts.destroyed_at_breaks[:, v, :])
        surv[..., v] = prob.untargetable[:, None, v] + prob.targetable[:, None, v] - destroyed
    surv = np.maximum(surv, 0.0)
    # A victim facing a third party first withholds its reserve out of its survivors; every
    # other survivor retaliates, split among two strikers by value weights.
    res = prob.victim_reserve[:, None, :]
    withheld = np.minimum(surv, res)
    retaliation = (surv - withheld).sum(axis=-1)[..., None] * prob.striker_weights
    with np.errstate(divide="ignore", invalid="ignore"):
        shortfall = np.where(res > 0, 1.0 - withheld / np.where(res > 0, res, 1.0), 0.0)
    kept = np.maximum(prob.kept_base[:, None] - spend, 0.0)
    on_victims = kept[..., None] * prob.victim_weights
    d_strikers = damage_fraction(retaliation, prob.w80_strikers[:, None, :])
    d_victims = damage_fraction(on_victims, prob.w80_victims[:, None, :])
    ds_e = _power(d_strikers, p.damage_exponent)
    dv_e = _power(d_victims, p.damage_exponent)
    enemy_of_strikers = (dv_e * prob.victim_weights).sum(axis=-1)
    enemy_of_victims = (ds_e * prob.striker_weights).sum(axis=-1)
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
    }
    return c_strikers.sum(axis=-1), c_victims.sum(axis=-1), parts


def _choose(
    obj: FloatArray, victim_obj: FloatArray, valid: BoolArray, tol: float
) -> npt.NDArray[np.intp]:
    """Stop rule: minimum striker cost; among (near-)equal minima, maximum victim cost."""
    o = np.where(valid, obj, np.inf)
    best = o.min(axis=1, keepdims=True)
    near = o <= best + tol
    return np.asarray(np.argmax(np.where(near, victim_obj, -np.inf), axis=1), dtype=np.intp)


def _candidates_grid(s_hi: FloatArray, step: float) -> tuple[FloatArray, BoolArray]:
    n_grid = int(np.floor(float(np.max(s_hi)) / step + 1e-9)) + 1 if s_hi.size else 1
    grid = step * np.arange(n_grid, dtype=np.float64)
    cand = np.broadcast_to(grid, (s_hi.shape[0], n_grid))
    return cand, cand <= s_hi[:, None] + 1e-9


def _snap(x: FloatArray, s_hi: FloatArray, step: float) -> FloatArray:
    return np.clip(step * np.round(x / step), 0.0, s_hi[:, None])


def _search(prob: _Problem, s_hi: FloatArray) -> FloatArray:
    p = prob.params
    step = p.spend_step
    if p.search == "grid":
        cand, valid = _candidates_grid(s_hi, step)
        obj, vobj, _ = _evaluate(prob, cand)
        idx = _choose(obj, vobj, valid, p.tie_tolerance)
        return np.asarray(np.take_along_axis(cand, idx[:, None], axis=1)[:, 0], dtype=np.float64)
    # Refine: coarse grid plus kill-curve breakpoints (and their grid neighbours), then every
    # grid step within one coarse spacing of the best candidate.
    frac = np.linspace(0.0, 1.0, p.coarse_points)
    coarse = s_hi[:, None] * frac
    brk = prob.opts.breaks
    cand = np.concatenate(
        [
            _snap(coarse, s_hi, step),
            np.clip(step * np.floor(brk / step), 0.0, s_hi[:, None]),
            np.clip(step * np.ceil(brk / step - 1e-9), 0.0, s_hi[:, None]),
        ],
        axis=1,
    )
    obj, vobj, _ = _evaluate(prob, cand)
    idx = _choose(obj, vobj, np.ones(cand.shape, dtype=bool), p.tie_tolerance)
    best = np.take_along_axis(cand, idx[:, None], axis=1)[:, 0]
    spacing = float(np.max(s_hi)) / (p.coarse_points - 1) if s_hi.size else 0.0
    half = int(np.ceil(spacing / step)) + 1
    offsets = step * np.arange(-half, half + 1, dtype=np.float64)
    window = np.clip(best[:, None] + offsets, 0.0, s_hi[:, None])
    # Only the window is new; the first pass's objectives are reused.
    obj_w, vobj_w, _ = _evaluate(prob, window)
    cand2 = np.concatenate([cand, window], axis=1)
    obj2 = np.concatenate([obj, obj_w], axis=1)
    vobj2 = np.concatenate([vobj, vobj_w], axis=1)
    idx2 = _choose(obj2, vobj2, np.ones(cand2.shape, dtype=bool), p.tie_tolerance)
    return np.asarray(np.take_along_axis(cand2, idx2[:, None], axis=1)[:, 0], dtype=np.float64)


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
) -> FirstStrike:
    """A first strike by ``strikers`` (warheads pooled) on ``victims``, Kent-Thaler stop rule.

    ``kill_probability`` is the terminal kill probability of one striker warhead on one aim
    point of each victim target class (victims' classes concatenated on the last axis; an
    optional leading sample axis). ``reserve`` warheads are withheld from both counterforce and
    the victims' value (tripolar's three-party rule). With several strikers the victims'
    survivors are split among them by ``striker_weights``; with several victims the kept
    warheads are split by ``victim_weights`` (both default to equal shares); the striker
    objective is the sum of the strikers' costs. Passing ``spend`` skips the search and
    evaluates that counterforce spend (clipped to what is usable and useful).

    Three-party terms (tripolar's, zero by default): each victim withholds up to
    ``victim_reserve`` of its survivors (shape ``(V,)`` or ``(S, V)``) from retaliation, and
    its cost grows by ``victim_follow_on`` times the share of that reserve it could not keep.

    Source: Kent & Thaler, RAND R-3765-AF (1989); coalition and reserve rules are tripolar's.
    """
    p = params or KentThalerParams()
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

    avail_total = np.zeros(n_samples)
    avail_cf = np.zeros(n_samples)
    for side in strikers:
        tot, cf = side.available(p)
        avail_total += _as_samples(tot, n_samples)
        avail_cf += _as_samples(cf, n_samples)
    res = _as_samples(reserve, n_samples)
    kept_base = np.maximum(avail_total - res, 0.0)
    cf_avail = np.minimum(avail_cf, kept_base)

    n_t, m_t, fixed, owner = [], [], [], []
    untarg = np.zeros((n_samples, len(victims)))
    targ = np.zeros((n_samples, len(victims)))
    lua = p.launch_under_attack_fraction if p.launch_under_attack else 0.0
    for v, side in enumerate(victims):
        j = int(np.shape(side.n_targets)[-1])
        n = _as_classes(side.n_targets, n_samples, j)
        m = _as_classes(side.warheads_per_target, n_samples, j)
        fx = np.broadcast_to(np.asarray(side.class_fixed, dtype=bool), (j,))
        # Launch under attack: the striker expects that share of the fixed force to be gone.
        launched = np.where(fx, lua, 0.0)
        untarg[:, v] = _as_samples(side.untargetable_warheads, n_samples) + np.sum(
            n * m * launched, axis=-1
        )
        n = n * (1.0 - launched)
        targ[:, v] = np.sum(n * m, axis=-1)
        n_t.append(n)
        m_t.append(m)
        fixed.append(fx)
        owner.append(np.full(j, v, dtype=np.intp))
    n_all = np.concatenate(n_t, axis=1) if n_t else np.zeros((n_samples, 0))
    m_all = np.concatenate(m_t, axis=1) if m_t else np.zeros((n_samples, 0))
    owner_all = np.concatenate(owner) if owner else np.zeros(0, dtype=np.intp)
    pk = np.broadcast_to(pk_in, (n_samples, n_all.shape[1])).astype(np.float64)
    opts = _build_options(n_all, m_all, pk, owner_all, len(victims), p.max_warheads_per_target)

    def weights(w: Sequence[float] | None, k: int) -> FloatArray:
        arr = np.ones(k) if w is None else np.asarray(w, dtype=np.float64)
        return arr / arr.sum()

    prob = _Problem(
        opts=opts,
        targetable=targ,
        untargetable=untarg,
        kept_base=kept_base,
        w80_strikers=np.stack([_as_samples(s.w80, n_samples) for s in strikers], axis=1),
        w80_victims=np.stack([_as_samples(s.w80, n_samples) for s in victims], axis=1),
        striker_weights=weights(striker_weights, len(strikers)),
        victim_weights=weights(victim_weights, len(victims)),
        params=p,
        victim_reserve=np.broadcast_to(
            np.asarray(victim_reserve, dtype=np.float64), (n_samples, len(victims))
        ).astype(np.float64),
        victim_follow_on=np.broadcast_to(
            np.asarray(victim_follow_on, dtype=np.float64), (n_samples, len(victims))
        ).astype(np.float64),
    )
    step = p.spend_step
    # Spending beyond the last option (rounded up to the grid) only wastes warheads.
    useful = step * np.ceil(opts.total_spend / step - 1e-9)
    s_hi = np.minimum(step * np.floor(cf_avail / step + 1e-9), useful)
    s_hi = np.maximum(s_hi, 0.0)
    if spend is None:
        s = _search(prob, s_hi)
    else:
        s = np.minimum(np.maximum(_as_samples(spend, n_samples), 0.0), cf_avail)
        s = np.minimum(s, opts.total_spend)
    _, _, parts = _evaluate(prob, s[:, None])

    # Survivors per class at the chosen spend: the part of each option bought, unsorted back.
    bought = np.clip(s[:, None] - opts.starts, 0.0, opts.lengths) * opts.efficiency
    destroyed_opt = np.empty_like(bought)
    np.put_along_axis(destroyed_opt, opts.order, bought, axis=1)
    destroyed_cls = destroyed_opt.reshape(n_samples, opts.n_classes, opts.n_layers).sum(axis=2)
    class_surv = np.maximum(n_all * m_all - destroyed_cls, 0.0)

    out = FirstStrike(
        spend=s,
        kept=parts["kept"][:, 0],
        counterforce_available=cf_avail,
        victim_survivors=parts["survivors"][:, 0, :],
        class_survivors=class_surv,
        damage_to_strikers=parts["d_strikers"][:, 0, :],
        damage_to_victims=parts["d_victims"][:, 0, :],
        cost_to_strikers=parts["c_strikers"][:, 0, :],
        cost_to_victims=parts["c_victims"][:, 0, :],
    )
    if squeeze:
        out = FirstStrike(**{k: np.asarray(v)[0] for k, v in out.__dict__.items()})
    return out
