"""Counterforce exchange among the three parties (expected values, vectorised over samples).

An attacker, or a coalition of two with warheads pooled, strikes the victim's targetable
launchers (and, in China's day-to-day posture, the aim points holding its de-mated warheads).
The result gives the expected surviving warheads of each victim system (exchange accounting as
in L. E. Davis & W. R. Schilling, *Journal of Conflict Resolution* 17(2), 1973; G. A. Kent &
D. E. Thaler, RAND R-3765-AF, 1989), the victim's retaliatory capacity, and what the attacker
has left to face the third party, including a reserve withheld against it
(``w_res = w80_C ln(1/(1 - delta)) / ln 5``, tripolar's rule).

Allocation: warheads go to *layers* of target classes in order of marginal return (warheads
destroyed per warhead spent), up to ``max_warheads_per_target`` per aim point; the attacker's
counterforce warheads are treated as one type whose kill probability on each class is the
warhead-weighted mean of its systems' (:func:`class_kill_probability`). With one weapon type
this is the greedy maximum-marginal-return rule, optimal for identical weapons (den Broeder,
Ellison & Emerling, *Operations Research* 7(3), 1959).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from tripolar.exchange.alert import AlertLevels
from tripolar.exchange.backend import kill_probability_matrix
from tripolar.exchange.first_strike import (
    FirstStrike,
    KentThalerParams,
    StrikeSide,
    first_strike,
    reserve_warheads,
)
from tripolar.exchange.force import Force, ForceArrays, sample_triangular
from tripolar.forces.records import TRILATERAL

FloatArray = npt.NDArray[np.float64]
Posture = Literal["day_to_day", "generated"]
PARTIES: tuple[str, ...] = TRILATERAL


_STATE_ARRAYS = ("untargetable", "demated", "storage_sites", "storage_hardness_psi", "w80")


@dataclass(frozen=True)
class PartyState:
    """A party in one alert posture: force arrays and posture figures, shape ``(S, ...)``."""

    force: ForceArrays
    posture: str
    untargetable: FloatArray  # (S, J) share of each system's launchers not targetable
    demated: FloatArray  # (S,) share of warheads stored apart from launchers
    storage_sites: FloatArray  # (S,)
    storage_hardness_psi: FloatArray  # (S,)
    w80: FloatArray  # (S,)

    @property
    def party(self) -> str:
        return self.force.party

    def take(self, rows: slice | npt.NDArray[np.intp]) -> PartyState:
        """The samples ``rows`` of this state."""
        changes: dict[str, Any] = {f: getattr(self, f)[rows] for f in _STATE_ARRAYS}
        return replace(self, force=self.force.take(rows), **changes)

    @staticmethod
    def concat(parts: Sequence[PartyState]) -> PartyState:
        """Samples of one party's states (same systems), end to end; the posture label of the
        first (the rows may mix postures: the models use the arrays only)."""
        if len(parts) == 1:
            return parts[0]
        changes: dict[str, Any] = {
            f: np.concatenate([getattr(x, f) for x in parts]) for f in _STATE_ARRAYS
        }
        return replace(parts[0], force=ForceArrays.concat([x.force for x in parts]), **changes)

    @property
    def class_labels(self) -> tuple[str, ...]:
        return (*self.force.system_ids, "storage")

    def side(self) -> StrikeSide:
        """The party as a Kent-Thaler side: one class per system plus one for stored warheads."""
        f = self.force
        w = f.warheads
        d = self.demated[:, None]
        fixed = f.fixed
        cf = f.counterforce
        stored = (w * d).sum(axis=1)
        sites = np.maximum(self.storage_sites, 1.0)
        n_targets = np.concatenate(
            [f.launchers * (1.0 - self.untargetable), np.where(stored > 0, sites, 0.0)[:, None]],
            axis=1,
        )
        per_target = np.concatenate(
            [f.warheads_per_launcher * (1.0 - d), (stored / sites)[:, None]], axis=1
        )
        return StrikeSide(
            name=f.party,
            # As a striker a party uses its whole force: it mates stored warheads first.
            fixed_warheads=np.where(fixed, w, 0.0).sum(axis=1),
            survivable_warheads=np.where(fixed, 0.0, w).sum(axis=1),
            counterforce_fixed=np.where(fixed & cf, w, 0.0).sum(axis=1),
            counterforce_survivable=np.where(~fixed & cf, w, 0.0).sum(axis=1),
            n_targets=n_targets,
            warheads_per_target=per_target,
            class_fixed=np.concatenate([fixed, [False]]),
            untargetable_warheads=(w * (1.0 - d) * self.untargetable).sum(axis=1),
            w80=self.w80,
            class_labels=self.class_labels,
        )

    @property
    def class_hardness_psi(self) -> FloatArray:
        return np.concatenate([self.force.hardness_psi, self.storage_hardness_psi[:, None]], axis=1)

    def untargetable_by_system(self) -> FloatArray:
        f = self.force
        return np.asarray(
            f.warheads * (1.0 - self.demated[:, None]) * self.untargetable, dtype=np.float64
        )


def party_state(
    force: Force,
    levels: AlertLevels,
    posture: str,
    rng: np.random.Generator | None = None,
    n_samples: int = 1,
) -> PartyState:
    """Force and posture figures at their central values (``rng=None``) or sampled.

    Sampling draws every banded figure (launchers, warheads per launcher, yield, CEP,
    reliability, hardness, alert fractions, de-mated share, storage aim points, ``w80``) from
    independent triangular laws (low, central value, high).
    """
    party = force.party
    fracs = [levels.untargetable_fraction(party, posture, s.basing) for s in force.systems]
    scalars = [
        levels.demated_fraction(party, posture),
        levels.storage_sites(party),
        levels.hardness_psi("storage"),
        levels.w80(party),
    ]
    if rng is None:
        arrays = force.nominal()
        u = np.array([[r.value for r in fracs]], dtype=np.float64)
        sc = np.array([[r.value for r in scalars]], dtype=np.float64)
    else:
        arrays = force.sample(rng, n_samples)
        u = sample_triangular(rng, fracs, n_samples)
        sc = sample_triangular(rng, scalars, n_samples)
    return PartyState(
        force=arrays,
        posture=posture,
        untargetable=u,
        demated=sc[:, 0],
        storage_sites=sc[:, 1],
        storage_hardness_psi=sc[:, 2],
        w80=sc[:, 3],
    )


def class_kill_probability(
    attackers: Sequence[PartyState], victims: Sequence[PartyState], params: KentThalerParams
) -> FloatArray:
    """Kill probability of the attackers' pooled counterforce warhead on each victim class.

    Warhead-weighted mean over the attackers' ballistic-missile systems of ``R SSKP`` (lethal
    radius from yield and class hardness; Davis & Schilling 1973), weights = warheads usable in
    a first strike. Shape ``(S, total victim classes)``.
    """
    ys, ceps, rels, weights = [], [], [], []
    for a in attackers:
        f = a.force
        avail = np.where(f.fixed, 1.0, params.survivable_availability)
        ys.append(f.yield_kt)
        ceps.append(f.cep_m)
        rels.append(f.reliability)
        weights.append(f.warheads * avail * f.counterforce)
    y = np.concatenate(ys, axis=1)
    cep = np.concatenate(ceps, axis=1)
    rel = np.concatenate(rels, axis=1)
    wt = np.concatenate(weights, axis=1)
    h = np.concatenate([v.class_hardness_psi for v in victims], axis=1)
    n = max(y.shape[0], h.shape[0])
    y, cep, rel, wt = (np.broadcast_to(x, (n, x.shape[1])) for x in (y, cep, rel, wt))
    h = np.broadcast_to(h, (n, h.shape[1]))
    pk = np.asarray(kill_probability_matrix(y, cep, rel, h), dtype=np.float64)  # (S, W, T)
    total = wt.sum(axis=1, keepdims=True)
    share = np.where(total > 0, wt / np.where(total > 0, total, 1.0), 0.0)
    return np.asarray(np.einsum("sw,swt->st", share, pk), dtype=np.float64)


@dataclass(frozen=True)
class ExchangeResult:
    """Expected outcome of one counterforce strike (arrays over samples; S = 1 for central)."""

    attackers: tuple[str, ...]
    victim: str
    third: str | None
    posture: str
    victim_systems: tuple[str, ...]
    spend: FloatArray
    reserve: FloatArray
    counterforce_available: FloatArray
    victim_warheads_before: FloatArray  # (S, J+1) per class incl. storage, plus untargetable
    victim_survivors_by_system: FloatArray  # (S, J+1)
    victim_retaliatory_capacity: FloatArray  # (S,)
    attacker_remaining: FloatArray  # (S,) warheads not spent on counterforce
    strike: FirstStrike

    def to_dict(self) -> dict[str, Any]:
        def med(x: FloatArray) -> float:
            return float(np.median(x))

        return {
            "attackers": list(self.attackers),
            "victim": self.victim,
            "third": self.third,
            "posture": self.posture,
            "spend": med(self.spend),
            "reserve": med(self.reserve),
            "counterforce_available": med(self.counterforce_available),
            "victim_retaliatory_capacity": med(self.victim_retaliatory_capacity),
            "attacker_remaining": med(self.attacker_remaining),
            "victim_survivors_by_system": {
                sid: med(self.victim_survivors_by_system[:, i])
                for i, sid in enumerate(self.victim_systems)
            },
        }

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(
            {
                "system_id": list(self.victim_systems),
                "warheads_before": np.median(self.victim_warheads_before, axis=0),
                "expected_survivors": np.median(self.victim_survivors_by_system, axis=0),
            }
        )


def counterforce_exchange(
    attackers: Sequence[PartyState],
    victim: PartyState,
    third: PartyState | None = None,
    *,
    params: KentThalerParams | None = None,
    reserve_delta: float = 0.5,
    spend: Literal["full", "kent_thaler", "damage"] = "full",
) -> ExchangeResult:
    """One (or two pooled) attackers strike ``victim``; ``third`` (if any) is held out.

    ``spend="full"`` uses every usable counterforce warhead not in the reserve, up to the point
    where every target class has ``max_warheads_per_target`` layers; ``"kent_thaler"`` uses the
    attacker's cost-minimising spend (R-3765 stop rule). ``"damage"`` is the damage-limiting
    outcome: ``"full"`` for one attacker; for two, per sample the plan leaving the fewest
    survivors among the pooled strike and each member alone with its whole usable force (the
    pooled kill probability is a warhead-weighted mean, so pooling a less accurate partner's
    warheads can leave more survivors than the better member alone; tripolar's rule, so that
    two against one is never better for the victim than one). ``strike`` is then the pooled
    strike. The reserve against ``third`` is ``w80_third ln(1/(1 - reserve_delta)) / ln 5``
    (zero without a third party).
    """
    if spend == "damage" and len(attackers) == 2:
        return _best_plan(
            [
                counterforce_exchange(
                    plan, victim, third, params=params, reserve_delta=reserve_delta
                )
                for plan in (list(attackers), [attackers[0]], [attackers[1]])
            ]
        )
    p = params or KentThalerParams()
    pk = class_kill_probability(attackers, [victim], p)
    reserve = (
        reserve_warheads(third.w80, reserve_delta)
        if third is not None
        else np.zeros_like(victim.w80)
    )
    sides = [a.side() for a in attackers]
    fs = first_strike(
        sides,
        [victim.side()],
        pk,
        p,
        reserve=reserve,
        spend=None if spend == "kent_thaler" else np.full(pk.shape[0], np.inf),
    )
    vside = victim.side()
    n = pk.shape[0]
    fs_s = np.atleast_1d(fs.spend)
    before = np.broadcast_to(
        vside.n_targets * vside.warheads_per_target, (n, len(victim.class_labels))
    )
    untarg = np.concatenate(
        [victim.untargetable_by_system(), np.zeros((victim.w80.shape[0], 1))], axis=1
    )
    class_surv = np.atleast_2d(fs.class_survivors)
    by_system = class_surv + untarg
    total_attacker = sum(np.asarray(s.total_warheads) for s in sides)
    return ExchangeResult(
        attackers=tuple(a.party for a in attackers),
        victim=victim.party,
        third=None if third is None else third.party,
        posture=victim.posture,
        victim_systems=victim.class_labels,
        spend=fs_s,
        reserve=np.broadcast_to(reserve, fs_s.shape).astype(np.float64),
        counterforce_available=np.atleast_1d(fs.counterforce_available),
        victim_warheads_before=np.asarray(before + untarg, dtype=np.float64),
        victim_survivors_by_system=by_system,
        victim_retaliatory_capacity=by_system.sum(axis=1),
        attacker_remaining=np.asarray(total_attacker - fs_s, dtype=np.float64),
        strike=fs,
    )


def _best_plan(plans: list[ExchangeResult]) -> ExchangeResult:
    """Per sample, the plan whose victim keeps the fewest warheads (the first on ties); the
    attackers, ``strike`` and labels of the first (pooled) plan."""
    cap = np.stack([r.victim_retaliatory_capacity for r in plans])
    pick = np.argmin(cap, axis=0)

    def sel(name: str) -> FloatArray:
        vals = np.stack(
            [np.broadcast_to(getattr(r, name), getattr(plans[0], name).shape) for r in plans]
        )
        idx = pick.reshape((1, -1) + (1,) * (vals.ndim - 2))
        return np.asarray(np.take_along_axis(vals, idx, axis=0)[0], dtype=np.float64)

    first = plans[0]
    # Both members' warheads less what the chosen plan spends (a member striking alone leaves
    # its partner's whole force unspent).
    total = first.attacker_remaining + first.spend
    spent = sel("spend")
    return replace(
        first,
        spend=spent,
        counterforce_available=sel("counterforce_available"),
        victim_survivors_by_system=sel("victim_survivors_by_system"),
        victim_retaliatory_capacity=sel("victim_retaliatory_capacity"),
        attacker_remaining=np.asarray(total - spent, dtype=np.float64),
    )


def all_exchanges(
    forces: dict[str, Force],
    levels: AlertLevels,
    *,
    params: KentThalerParams | None = None,
    spend: Literal["full", "kent_thaler"] = "full",
) -> list[ExchangeResult]:
    """The 6 ordered pairs and 3 two-against-one coalitions, in both postures (central values)."""
    out: list[ExchangeResult] = []
    delta = levels.parameters.reserve_delta.value
    names = list(forces)
    for posture in ("day_to_day", "generated"):
        st = {k: party_state(f, levels, posture) for k, f in forces.items()}
        for a in names:
            for b in names:
                if a == b:
                    continue
                c = next(x for x in names if x not in (a, b))
                out.append(
                    counterforce_exchange(
                        [st[a]], st[b], st[c], params=params, reserve_delta=delta, spend=spend
                    )
                )
        for c in names:
            pair = [x for x in names if x != c]
            out.append(
                counterforce_exchange(
                    [st[pair[0]], st[pair[1]]], st[c], None, params=params, spend=spend
                )
            )
    return out
