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

from tripolar.exchange.backend import kill_probability_matrix
from tripolar.exchange.exchange import PartyState
from tripolar.exchange.first_strike import (
    KentThalerParams,
    StrikeSide,
    StrikeSpec,
    damage_fraction,
    first_strike_outcomes,
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
    #: at the striker's cost-minimising spend (the Kent-Thaler stop rule; the index's outcome)
    survivors: dict[str, FloatArray] = field(default_factory=dict)
    #: the same at the damage-limiting spend (:func:`stability_rows`)
    damage_survivors: dict[str, FloatArray] = field(default_factory=dict)

    def least_stable(self) -> CaseRatio:
        """The case and party with the smallest median ``r`` (the first of equal ones)."""
        medians = np.median(np.stack([c.r for c in self.ratios]), axis=1)
        return self.ratios[int(np.argmin(medians))]

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


def _gains(
    victims: list[PartyState], sides: dict[str, StrikeSide], pk: FloatArray
) -> tuple[tuple[str, ...], FloatArray]:
    """Victim class labels and the striker's counterforce return per warhead on each class
    (warheads per aim point times kill probability; zero where there is no aim point)."""
    labels: list[str] = []
    gains = []
    for v in victims:
        side = sides[v.party]
        labels += [f"{v.party}:{lab}" for lab in v.class_labels]
        has = np.asarray(side.n_targets) > 0
        gains.append(np.where(has, np.asarray(side.warheads_per_target), 0.0))
    return tuple(labels), np.asarray(np.concatenate(gains, axis=1) * pk, dtype=np.float64)


class _KillTable:
    """Kill probabilities of pooled counterforce warheads on victim classes, as
    :func:`tripolar.exchange.exchange.class_kill_probability` gives them, from one kill matrix
    per ordered pair of parties (a coalition's or a two-victim strike's are put together from
    the pairs' instead of computed again).

    The attackers' pooled warhead has on each class the warhead-weighted mean of their
    ballistic-missile systems' ``R SSKP`` (Davis & Schilling 1973), weights = warheads usable
    in a first strike."""

    def __init__(self, states: dict[str, PartyState], params: KentThalerParams) -> None:
        self.weights: dict[str, FloatArray] = {}
        self.matrix: dict[tuple[str, str], FloatArray] = {}
        for a, sa in states.items():
            f = sa.force
            avail = np.where(f.fixed, 1.0, params.survivable_availability)
            self.weights[a] = np.asarray(f.warheads * avail * f.counterforce, dtype=np.float64)
            for b, sb in states.items():
                if a != b:
                    self.matrix[(a, b)] = np.asarray(
                        kill_probability_matrix(
                            f.yield_kt, f.cep_m, f.reliability, sb.class_hardness_psi
                        ),
                        dtype=np.float64,
                    )
        self._pk: dict[tuple[tuple[str, ...], str], FloatArray] = {}

    def pk(self, attackers: tuple[str, ...], victims: tuple[str, ...]) -> FloatArray:
        """``(S, victims' classes)`` for the attackers pooled on the victims side by side."""
        return np.concatenate([self._on(attackers, v) for v in victims], axis=1)

    def _on(self, attackers: tuple[str, ...], victim: str) -> FloatArray:
        key = (attackers, victim)
        if key not in self._pk:
            wts = [self.weights[a] for a in attackers]
            total = wts[0].sum(axis=1, keepdims=True)
            for w in wts[1:]:
                total = total + w.sum(axis=1, keepdims=True)
            out = None
            for a, w in zip(attackers, wts, strict=True):
                share = np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)
                part = np.einsum("sw,swt->st", share, self.matrix[(a, victim)])
                out = part if out is None else out + part
            self._pk[key] = np.asarray(out, dtype=np.float64)
        return self._pk[key]


def _driver(labels: tuple[str, ...], gains: FloatArray) -> str:
    """The class with the largest median counterforce return."""
    return labels[int(np.argmax(np.median(gains, axis=0)))]


@dataclass(frozen=True)
class StabilityRows:
    """The costs of the 9 cases for each row (sample) of one set of party states.

    Every array has the rows on its first axis and each row depends on that row's draws only,
    so rows can be evaluated in chunks, or many treaty variants end to end, and put together
    with :meth:`concat` and :meth:`take` without changing any value. ``cases`` lists, in the
    order of :attr:`TripolarResult.ratios`, (case label, party, C1, C2, driver key);
    ``gains`` holds, per driver key, the class labels and the returns per row from which
    :meth:`result` picks each case's driver.
    """

    cases: tuple[tuple[str, str, FloatArray, FloatArray, str], ...]
    survivors: dict[str, FloatArray]
    gains: dict[str, tuple[tuple[str, ...], FloatArray]]
    damage_survivors: dict[str, FloatArray] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return int(self.cases[0][2].shape[0])

    def take(self, rows: slice | npt.NDArray[np.intp]) -> StabilityRows:
        return StabilityRows(
            cases=tuple((c, p, c1[rows], c2[rows], k) for c, p, c1, c2, k in self.cases),
            survivors={k: v[rows] for k, v in self.survivors.items()},
            gains={k: (lab, g[rows]) for k, (lab, g) in self.gains.items()},
            damage_survivors={k: v[rows] for k, v in self.damage_survivors.items()},
        )

    @staticmethod
    def concat(parts: list[StabilityRows]) -> StabilityRows:
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        return StabilityRows(
            cases=tuple(
                (
                    c,
                    p,
                    np.concatenate([x.cases[i][2] for x in parts]),
                    np.concatenate([x.cases[i][3] for x in parts]),
                    k,
                )
                for i, (c, p, _, _, k) in enumerate(first.cases)
            ),
            survivors={k: np.concatenate([x.survivors[k] for x in parts]) for k in first.survivors},
            gains={
                k: (lab, np.concatenate([x.gains[k][1] for x in parts]))
                for k, (lab, _) in first.gains.items()
            },
            damage_survivors={
                k: np.concatenate([x.damage_survivors[k] for x in parts])
                for k in first.damage_survivors
            },
        )

    def allocate(self, n_rows: int) -> StabilityRows:
        """Rows shaped like these, ``n_rows`` of them, uninitialised, for :meth:`fill` (so
        that chunks are written into one result instead of concatenated at the end, which
        would hold the result twice); no driver returns."""

        def empty(x: FloatArray) -> FloatArray:
            return np.empty((n_rows, *x.shape[1:]), dtype=x.dtype)

        return StabilityRows(
            cases=tuple((c, p, empty(c1), empty(c2), k) for c, p, c1, c2, k in self.cases),
            survivors={k: empty(v) for k, v in self.survivors.items()},
            gains={k: (lab, g[:0]) for k, (lab, g) in self.gains.items()},
            damage_survivors={k: empty(v) for k, v in self.damage_survivors.items()},
        )

    def fill(self, at: int, part: StabilityRows) -> None:
        """Write ``part``'s costs and survivors into rows ``at`` onwards (in place)."""
        n = part.n_rows
        for (_, _, c1, c2, _), (_, _, p1, p2, _) in zip(self.cases, part.cases, strict=True):
            c1[at : at + n] = p1
            c2[at : at + n] = p2
        for k, v in self.survivors.items():
            v[at : at + n] = part.survivors[k]
        for k, v in self.damage_survivors.items():
            v[at : at + n] = part.damage_survivors[k]

    def with_gains(self, gains: dict[str, tuple[tuple[str, ...], FloatArray]]) -> StabilityRows:
        """These rows with ``gains`` as their driver returns."""
        return StabilityRows(
            cases=self.cases,
            survivors=self.survivors,
            gains=gains,
            damage_survivors=self.damage_survivors,
        )

    def with_gains_of(self, rows: slice) -> StabilityRows:
        """These rows with the driver returns of ``rows`` only (the rest are not needed)."""
        return StabilityRows(
            cases=self.cases,
            survivors=self.survivors,
            gains={k: (lab, g[rows]) for k, (lab, g) in self.gains.items()},
            damage_survivors=self.damage_survivors,
        )

    def result(self, posture: str, drivers: dict[str, str] | None = None) -> TripolarResult:
        """The ratios of every case; drivers from ``drivers`` (by key) or from these rows."""
        drv = drivers if drivers is not None else self.drivers()
        ratios = tuple(
            CaseRatio(case, party, c1, c2, stability_ratio(c1, c2), drv[key])
            for case, party, c1, c2, key in self.cases
        )
        return TripolarResult(
            posture=posture,
            ratios=ratios,
            survivors=dict(self.survivors),
            damage_survivors=dict(self.damage_survivors),
        )

    def drivers(self) -> dict[str, str]:
        """Each driver key's class with the largest median return over these rows."""
        return {k: _driver(lab, g) for k, (lab, g) in self.gains.items()}


def stability_rows(
    states: dict[str, PartyState],
    *,
    params: KentThalerParams | None = None,
    reserve_delta: float = 0.5,
    follow_on_lambda: float = 1.0,
    value_weights: dict[str, float] | None = None,
    hint_lag: int = 0,
) -> StabilityRows:
    """Costs of the 6 ordered pairs and the 3 coalitions per row (three parties).

    The 24 first strikes are searched together (:func:`first_strike_outcomes`: three passes,
    one per shape of strike), so the cost of one evaluation is mostly the arithmetic on its rows.
    ``hint_lag``: rows that far apart are usually alike (:func:`first_strike_outcomes`);
    it changes the work, never a value.

    Survivors are given for two objectives. ``survivors``: at the striker's cost-minimising
    spend (the Kent-Thaler stop rule), the outcome the ratios use. ``damage_survivors``: at the
    damage-limiting spend (every usable counterforce warhead outside the reserve); for a
    coalition, the fewest survivors of three plans (the pooled strike, and each member alone
    with its whole usable force, no reserve being needed against a partner), so that two
    against one never leaves the victim more than either member alone would.
    """
    p = params or KentThalerParams()
    names = list(states)
    if len(names) != 3:
        from tripolar.errors import InputError

        raise InputError(
            f"three parties are needed, got {len(names)}", field="parties", expected="three"
        )
    vw = value_weights or {}
    sides = {k: s.side() for k, s in states.items()}
    avail = {k: sides[k].available(p)[0] for k in names}
    specs: list[StrikeSpec] = []
    gains: dict[str, tuple[tuple[str, ...], FloatArray]] = {}
    pairs = [(a, b) for a in names for b in names if a != b]
    pair_pk: dict[tuple[str, str], FloatArray] = {}
    kills = _KillTable(states, p)
    for a, b in pairs:
        c = next(x for x in names if x not in (a, b))
        pk = kills.pk((a,), (b,))
        pair_pk[(a, b)] = pk
        res = reserve_warheads(states[c].w80, reserve_delta)
        follow = follow_on_lambda * damage_fraction(avail[c], states[b].w80)
        specs.append(
            StrikeSpec(
                [sides[a]],
                [sides[b]],
                pk,
                reserve=res,
                victim_reserve=res[:, None],
                victim_follow_on=follow[:, None],
            )
        )
        gains[f"{a}->{b}"] = _gains([states[b]], sides, pk)
    coalitions = []
    for c in names:
        pair = [x for x in names if x != c]
        w = [vw.get(x, 1.0) for x in pair]
        pk_in = kills.pk(tuple(pair), (c,))
        pk_out = kills.pk((c,), tuple(pair))
        specs.append(StrikeSpec([sides[x] for x in pair], [sides[c]], pk_in, striker_weights=w))
        specs.append(StrikeSpec([sides[c]], [sides[x] for x in pair], pk_out, victim_weights=w))
        label = f"{pair[0]}+{pair[1]}->{c}"
        gains[label] = _gains([states[c]], sides, pk_in)
        gains[f"{c}->{pair[0]}+{pair[1]}"] = _gains([states[x] for x in pair], sides, pk_out)
        coalitions.append((c, pair, label))
    # Each coalition member alone on the victim with its whole usable force (no reserve); its
    # kill probability is the ordered pair's. Only its damage-limiting outcome is needed.
    solo_specs = [
        StrikeSpec([sides[x]], [sides[c]], pair_pk[(x, c)])
        for c, pair, _ in coalitions
        for x in pair
    ]
    outcomes = first_strike_outcomes(
        specs, p, classes=False, hint_lag=hint_lag, damage_only=solo_specs
    )
    strikes = outcomes["cost"]
    solo = outcomes["damage"][len(specs) :]
    damage: dict[str, FloatArray] = {}
    for (a, b), fs in zip(pairs, outcomes["damage"][: len(pairs)], strict=True):
        damage[f"{a}->{b}"] = np.atleast_1d(fs.victim_survivors[..., 0])
    for k, (c, pair, label) in enumerate(coalitions):
        pooled = outcomes["damage"][len(pairs) + 2 * k]
        plans = [pooled, solo[2 * k], solo[2 * k + 1]]
        damage[label] = np.atleast_1d(
            np.minimum.reduce([fs.victim_survivors[..., 0] for fs in plans])
        )
        rev = outcomes["damage"][len(pairs) + 2 * k + 1]
        damage[f"{c}->{pair[0]}+{pair[1]}"] = np.atleast_1d(rev.victim_survivors.sum(axis=-1))

    survivors: dict[str, FloatArray] = {}
    cost: dict[tuple[str, str], tuple[FloatArray, FloatArray]] = {}
    for (a, b), fs in zip(pairs, strikes[: len(pairs)], strict=True):
        survivors[f"{a}->{b}"] = np.atleast_1d(fs.victim_survivors[..., 0])
        cost[(a, b)] = (
            np.atleast_1d(fs.cost_to_strikers[..., 0]),
            np.atleast_1d(fs.cost_to_victims[..., 0]),
        )
    cases: list[tuple[str, str, FloatArray, FloatArray, str]] = []
    for a, b in pairs:
        c = next(x for x in names if x not in (a, b))
        cases.append((f"{a}->{b} | {c} held out", a, cost[(a, b)][0], cost[(b, a)][1], f"{a}->{b}"))
    rest = strikes[len(pairs) :]
    for k, (c, pair, label) in enumerate(coalitions):
        coal, rev = rest[2 * k], rest[2 * k + 1]
        survivors[label] = np.atleast_1d(coal.victim_survivors[..., 0])
        out_key = f"{c}->{pair[0]}+{pair[1]}"
        survivors[out_key] = np.atleast_1d(rev.victim_survivors.sum(axis=-1))
        for i, x in enumerate(pair):
            c1 = np.atleast_1d(coal.cost_to_strikers[..., i])
            c2 = np.atleast_1d(rev.cost_to_victims[..., i])
            cases.append((label, x, c1, c2, label))
        c1c = np.atleast_1d(rev.cost_to_strikers[..., 0])
        c2c = np.atleast_1d(coal.cost_to_victims[..., 0])
        cases.append((label, c, c1c, c2c, out_key))
    return StabilityRows(
        cases=tuple(cases), survivors=survivors, gains=gains, damage_survivors=damage
    )


def tripolar_stability(
    states: dict[str, PartyState],
    *,
    params: KentThalerParams | None = None,
    reserve_delta: float = 0.5,
    follow_on_lambda: float = 1.0,
    value_weights: dict[str, float] | None = None,
) -> TripolarResult:
    """Ratios ``r`` for the 6 ordered pairs and the 3 coalitions (three parties, one posture).

    Each case's driver is the victim class with the largest median counterforce return over
    all the samples given.
    """
    rows = stability_rows(
        states,
        params=params,
        reserve_delta=reserve_delta,
        follow_on_lambda=follow_on_lambda,
        value_weights=value_weights,
    )
    return rows.result(states[next(iter(states))].posture)
