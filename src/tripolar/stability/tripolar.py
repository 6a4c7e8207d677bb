"""tripolar's three-party extension of the Kent-Thaler first-strike stability index.

No published quantitative three-party Kent-Thaler index exists (the only trilateral
first-strike analysis located is G. H. Canavan, *Transition from Adversarial to Cooperative
Strategic Interaction*, Los Alamos LA-UR-01-4562, 2001, read in abstract). The rules below are
tripolar's own design, built on Kent & Thaler, RAND R-3765-AF (1989):

* **Ordered pairs (6).** A strikes B with the third party C held out. A withholds a reserve
  ``w_res = w80_C ln(1/(1 - delta)) / ln 5`` (enough to destroy the share ``delta`` of C's
  value). B withholds the same kind of reserve out of its survivors before retaliating on A;
  if it cannot (too few survivors), its cost grows by ``lambda D_B(W_C)`` times the share of
  the reserve it lacks, where ``W_C`` is what C could use in a follow-on strike on B. (This
  stands in for re-running the exchange for C on B's remaining forces.)
* **Coalitions (3).** A and B strike C with warheads pooled; C's survivors retaliate split
  between A and B by value weights (equal by default); the coalition minimises the sum of its
  members' costs. Reversed: C strikes A and B together, its kept warheads split the same way.
  ``r_A = C1_A / C2_A`` with C1 from the coalition strike and C2 from C's strike on both;
  ``r_C`` likewise.
* **Summary.** The least stable case is the one with the smallest ``r``; the system that drives
  it is the victim's target class giving the striker the largest counterforce return per
  warhead (warheads per aim point times kill probability).

Two algebraic facts that frame every "deter both together" rule are here too:
:func:`can_each_match_other_two` and :func:`survivability_multipliers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tripolar.exchange.exchange import PartyState, class_kill_probability
from tripolar.exchange.first_strike import (
    KentThalerParams,
    damage_fraction,
    first_strike,
    reserve_warheads,
)
from tripolar.stability.kent_thaler import stability_ratio

FloatArray = npt.NDArray[np.float64]


def can_each_match_other_two(x: float, y: float, z: float) -> bool:
    """Whether each of three non-negative forces is at least the sum of the other two.

    ``x >= y + z``, ``y >= x + z`` and ``z >= x + y`` add up to ``x + y + z >= 2(x + y + z)``, so
    only ``x = y = z = 0`` satisfies them: a "match both rivals combined" rule cannot hold for
    all three parties at once.
    """
    return x >= y + z and y >= x + z and z >= x + y


def survivability_multipliers(f: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Force per unit of retaliation requirement: ``1/(1-f)`` one-on-one, ``1/(1-2f)`` two-on-one.

    With equal forces ``m`` and exchange ratio ``f`` (warheads of the victim destroyed per
    attacking warhead), surviving one attacker needs ``m >= M / (1 - f)`` and surviving two
    coordinated attackers ``m >= M / (1 - 2f)``; infinite where ``f >= 1`` resp. ``f >= 1/2``.
    A simplified exchange in the style of the reciprocal-fear literature (T. C. Schelling,
    *The Strategy of Conflict*, 1960, ch. 9); the three-party reading is tripolar's.
    """
    fa = np.asarray(f, dtype=np.float64)
    with np.errstate(divide="ignore"):
        one = np.where(fa < 1.0, 1.0 / (1.0 - fa), np.inf)
        two = np.where(fa < 0.5, 1.0 / (1.0 - 2.0 * fa), np.inf)
    return np.asarray(one, dtype=np.float64), np.asarray(two, dtype=np.float64)


@dataclass(frozen=True)
class CaseRatio:
    """One party's ratio ``r = C1 / C2`` in one case (arrays over samples)."""

    case: str  # e.g. "US->RU | CN held out" or "US+RU->CN"
    party: str
    c1: FloatArray
    c2: FloatArray
    r: FloatArray
    driver: str  # victim system giving the largest counterforce return when this party strikes

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "party": self.party,
            "c1": float(np.median(self.c1)),
            "c2": float(np.median(self.c2)),
            "r": float(np.median(self.r)),
            "r_p05": float(np.quantile(self.r, 0.05)),
            "r_p95": float(np.quantile(self.r, 0.95)),
            "driver": self.driver,
        }


@dataclass(frozen=True)
class TripolarResult:
    """All ratios of the 6 ordered pairs and 3 coalitions for one posture."""

    posture: str
    ratios: tuple[CaseRatio, ...]
    #: case label ("US->RU", "US+RU->CN", "CN->US+RU") -> victims' surviving warheads (S,)
    survivors: dict[str, FloatArray] = field(default_factory=dict)

    def least_stable(self) -> CaseRatio:
        """The case and party with the smallest median ``r``."""
        return min(self.ratios, key=lambda c: float(np.median(c.r)))

    def pair_fsi(self, a: str, b: str) -> FloatArray:
        """Bilateral index ``r_a r_b`` of the ordered pairs a->b and b->a (third party held out)."""
        ra = next(c.r for c in self.ratios if c.party == a and c.case.startswith(f"{a}->{b} "))
        rb = next(c.r for c in self.ratios if c.party == b and c.case.startswith(f"{b}->{a} "))
        return np.asarray(ra * rb, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        ls = self.least_stable()
        return {
            "posture": self.posture,
            "ratios": [c.to_dict() for c in self.ratios],
            "least_stable": {
                "case": ls.case,
                "party": ls.party,
                "r": float(np.median(ls.r)),
                "driver": ls.driver,
            },
        }

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame([c.to_dict() for c in self.ratios])


def _driver(victims: list[PartyState], pk: FloatArray) -> str:
    labels: list[str] = []
    gains = []
    for v in victims:
        side = v.side()
        labels += [f"{v.party}:{lab}" for lab in v.class_labels]
        has = np.asarray(side.n_targets) > 0
        gains.append(np.where(has, np.asarray(side.warheads_per_target), 0.0))
    g = np.concatenate(gains, axis=1) * pk
    return labels[int(np.argmax(np.median(g, axis=0)))]


def tripolar_stability(
    states: dict[str, PartyState],
    *,
    params: KentThalerParams | None = None,
    reserve_delta: float = 0.5,
    follow_on_lambda: float = 1.0,
    value_weights: dict[str, float] | None = None,
) -> TripolarResult:
    """Ratios ``r`` for the 6 ordered pairs and the 3 coalitions (three parties, one posture)."""
    p = params or KentThalerParams()
    names = list(states)
    if len(names) != 3:
        from tripolar.errors import InputError

        raise InputError(
            f"three parties are needed, got {len(names)}", field="parties", expected="three"
        )
    vw = value_weights or {}
    posture = states[names[0]].posture
    sides = {k: s.side() for k, s in states.items()}
    avail = {k: sides[k].available(p)[0] for k in names}
    ratios: list[CaseRatio] = []
    survivors: dict[str, FloatArray] = {}

    # Ordered pairs with the third party held out: first strikes both ways, then ratios.
    cost: dict[tuple[str, str], tuple[FloatArray, FloatArray, str]] = {}
    for a in names:
        for b in names:
            if a == b:
                continue
            c = next(x for x in names if x not in (a, b))
            pk = class_kill_probability([states[a]], [states[b]], p)
            res_a = reserve_warheads(states[c].w80, reserve_delta)
            res_b = reserve_warheads(states[c].w80, reserve_delta)
            follow = follow_on_lambda * damage_fraction(avail[c], states[b].w80)
            fs = first_strike(
                [sides[a]],
                [sides[b]],
                pk,
                p,
                reserve=res_a,
                victim_reserve=res_b[:, None],
                victim_follow_on=follow[:, None],
            )
            survivors[f"{a}->{b}"] = np.atleast_1d(fs.victim_survivors[..., 0])
            cost[(a, b)] = (
                np.atleast_1d(fs.cost_to_strikers[..., 0]),
                np.atleast_1d(fs.cost_to_victims[..., 0]),
                _driver([states[b]], pk),
            )
    for a in names:
        for b in names:
            if a == b:
                continue
            c = next(x for x in names if x not in (a, b))
            c1, _, drv = cost[(a, b)]
            c2 = cost[(b, a)][1]
            ratios.append(
                CaseRatio(f"{a}->{b} | {c} held out", a, c1, c2, stability_ratio(c1, c2), drv)
            )

    # Coalitions: two strike the third together, and the third strikes both.
    for c in names:
        pair = [x for x in names if x != c]
        w = [vw.get(x, 1.0) for x in pair]
        pk_in = class_kill_probability([states[x] for x in pair], [states[c]], p)
        coal = first_strike([sides[x] for x in pair], [sides[c]], pk_in, p, striker_weights=w)
        pk_out = class_kill_probability([states[c]], [states[x] for x in pair], p)
        rev = first_strike([sides[c]], [sides[x] for x in pair], pk_out, p, victim_weights=w)
        label = f"{pair[0]}+{pair[1]}->{c}"
        survivors[label] = np.atleast_1d(coal.victim_survivors[..., 0])
        survivors[f"{c}->{pair[0]}+{pair[1]}"] = np.atleast_1d(rev.victim_survivors.sum(axis=-1))
        drv_in = _driver([states[c]], pk_in)
        drv_out = _driver([states[x] for x in pair], pk_out)
        for i, x in enumerate(pair):
            c1 = np.atleast_1d(coal.cost_to_strikers[..., i])
            c2 = np.atleast_1d(rev.cost_to_victims[..., i])
            ratios.append(CaseRatio(label, x, c1, c2, stability_ratio(c1, c2), drv_in))
        c1c = np.atleast_1d(rev.cost_to_strikers[..., 0])
        c2c = np.atleast_1d(coal.cost_to_victims[..., 0])
        ratios.append(CaseRatio(label, c, c1c, c2c, stability_ratio(c1c, c2c), drv_out))
    return TripolarResult(posture=posture, ratios=tuple(ratios), survivors=survivors)
