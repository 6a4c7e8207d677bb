"""Counterforce exchanges on real forces, over Monte Carlo samples of the data's bands.

Every banded figure (launchers, warheads per launcher, yield, CEP, reliability, hardness,
alert fractions, de-mated share, storage aim points, damage-curve ``w80``) is drawn from an
independent triangular law (low, central value, high) with a seeded
:class:`numpy.random.Generator`; all samples go through the exchange at once (arrays with a
leading sample axis). Results are the median and the 5-95% band. Expected values within each
sample, as in Kent & Thaler (RAND R-3765-AF, 1989); the sampling is over parameters, not over
individual warhead outcomes. The stability Monte Carlo built on these pieces is
:mod:`tripolar.stability.run`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from tripolar.context import EvaluationContext
from tripolar.exchange.alert import AlertLevels
from tripolar.exchange.exchange import party_state
from tripolar.exchange.first_strike import KentThalerParams
from tripolar.exchange.force import Force
from tripolar.forces.records import TRILATERAL

FloatArray = npt.NDArray[np.float64]


_QS = np.array([0.5, 0.05, 0.95])


@dataclass(frozen=True)
class Band:
    """Median and 5-95% band of a sampled quantity."""

    median: float
    p05: float
    p95: float

    @classmethod
    def of(cls, x: npt.ArrayLike) -> Band:
        q = np.quantile(np.asarray(x, dtype=np.float64), [0.5, 0.05, 0.95])
        return cls(float(q[0]), float(q[1]), float(q[2]))

    @classmethod
    def of_many(cls, xs: list[FloatArray]) -> list[Band]:
        """:meth:`of` of each of ``xs`` (equal lengths), in one quantile call over the stack:
        the same numbers, without the per-call overhead that dominates at a few hundred
        samples."""
        if not xs:
            return []
        q = np.quantile(np.stack([np.asarray(x, dtype=np.float64) for x in xs]), _QS, axis=1)
        return [cls(float(m), float(lo), float(hi)) for m, lo, hi in q.T.tolist()]

    def to_dict(self) -> dict[str, float]:
        return {"median": self.median, "p05": self.p05, "p95": self.p95}


PARTIES: tuple[str, ...] = TRILATERAL
POSTURE_NAMES: tuple[str, ...] = ("day_to_day", "generated")


def level_assumptions(
    levels: AlertLevels, forces: dict[str, Force], postures: tuple[str, ...]
) -> list[str]:
    out: list[str] = []
    for posture in postures:
        for party, f in forces.items():
            for basing in sorted({s.basing for s in f.systems} - {"silo"}):
                e = levels._posture_entry(party, posture, basing)
                if e is not None:
                    out.append(
                        f"{party} {posture}: untargetable share of {basing} launchers "
                        f"{e.value:g} ({e.low:g}-{e.high:g}), {e.basis}"
                    )
            e = levels._posture_entry(party, posture, "demated")
            if e is not None:
                out.append(
                    f"{party} {posture}: de-mated warhead share {e.value:g} "
                    f"({e.low:g}-{e.high:g}), {e.basis}"
                )
    p = levels.parameters
    cs = p.cep_scale
    if cs is not None:
        out.append(
            f"CEP of every system (data and defaults) scaled by {cs.value:g} "
            f"({cs.low:g}-{cs.high:g}), {cs.basis}"
        )
    out.append(
        "damage curve w80: "
        + ", ".join(f"{k} {levels.w80(k).value:g}" for k in forces)
        + " warheads (assumed)"
    )
    out.append(
        f"reserve against the third party: delta {p.reserve_delta.value:g}; follow-on weight "
        f"lambda {p.follow_on_lambda.value:g} (tripolar's rules)"
    )
    out.append(
        "Kent-Thaler cost exponent 0.75, enemy weight 0.3, 90% of survivable forces usable, "
        "at most 2 warheads per aim point, r capped at 1 (R-3765 via a secondary source)"
    )
    out.append("coalition fsi = min(r of the two attackers) x r of the victim (tripolar's rule)")
    return out


#: Where a ``memo`` of :func:`real_forces` keeps its treaty counts (never a posture's id).
_COUNTS_KEY = "counts"


def real_forces(
    postures: dict[str, Any],
    levels: AlertLevels,
    *,
    treaty: Any = None,
    rule: str = "proportional",
    context: EvaluationContext | None = None,
    memo: dict[Any, Any] | None = None,
) -> tuple[dict[str, Force], list[str], dict[str, Any]]:
    """Exchange forces from postures (``tripolar.forces.Posture``), made compliant first.

    With a ``treaty`` the postures are cut with :func:`tripolar.treaty.force_cut.comply_all`
    under ``rule``; then each goes through :func:`tripolar.exchange.force.force_for_exchange`,
    with the leg figures of ``context``'s dataset (the bundled one without a context) for legs
    whose holdings carry no counts (China's SLBM and bomber legs). Combined and baseline
    ceilings are resolved from ``context``'s dataset. Returns the forces, the assumptions used
    and the compliance reports (by party).

    ``memo`` (for many calls on the same postures and levels, e.g. treaty variants) keeps
    each posture's exchange force by the posture's identity, with the posture itself (so the
    identity cannot be reused while the memo lives): a party the cut leaves as it was is
    built once. It also keeps the treaty counts made by the cuts (a
    :class:`~tripolar.treaty.counting.CountCache` under the key ``"counts"``), so that the
    given postures are counted once over all the calls.
    """
    from tripolar.exchange.force import dataset_leg_figures, force_for_exchange
    from tripolar.treaty.counting import CountCache
    from tripolar.treaty.force_cut import comply_all

    notes: list[str] = []
    compliance: dict[str, Any] = {}
    ps = dict(postures)
    if treaty is not None:
        counts = None
        if memo is not None:
            counts = memo.get(_COUNTS_KEY)
            if not isinstance(counts, CountCache):
                counts = memo[_COUNTS_KEY] = CountCache(parts=False)
        ps, reports = comply_all(treaty, ps, rule, context=context, counts=counts)
        compliance = {k: v.to_dict() for k, v in reports.items()}
        notes.append(f"forces cut to comply with {treaty.id} under the rule {rule!r}")
        for rep in reports.values():
            notes.extend(f"{rep.party} not enforced: {u}" for u in rep.unenforced)
    if context is not None:
        ds = context.dataset()
    else:
        from tripolar.data import load_dataset

        ds = load_dataset(None)
    forces: dict[str, Force] = {}
    for k, p in ps.items():
        hit = memo.get(id(p)) if memo is not None else None
        if hit is not None and hit[0] is p:
            f, n = hit[1], hit[2]
        else:
            f, n = force_for_exchange(p, levels, dataset_leg_figures(ds, p.party, p.date.year))
            if memo is not None:
                memo[id(p)] = (p, f, n)
        forces[k] = f
        notes.extend(n)
    return forces, notes, compliance


@dataclass(frozen=True)
class ExchangeReport:
    """One counterforce strike on real forces, over Monte Carlo samples."""

    attackers: tuple[str, ...]
    victim: str
    third: str | None
    posture: str
    seed: int
    n_samples: int
    objective: str
    surviving_warheads: Band
    spend: Band
    reserve: float
    by_system: dict[str, dict[str, float]]
    assumptions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "attacker": list(self.attackers),
            "victim": self.victim,
            "third": self.third,
            "posture": self.posture,
            "seed": self.seed,
            "samples": self.n_samples,
            "objective": self.objective,
            "surviving_warheads": self.surviving_warheads.to_dict(),
            "spend": self.spend.to_dict(),
            "reserve": self.reserve,
            "by_system": self.by_system,
            "assumptions": list(self.assumptions),
        }


def run_exchange(
    attackers: list[str],
    victim: str,
    posture: str,
    levels: AlertLevels,
    *,
    year: int = 2025,
    n_samples: int = 1000,
    seed: int = 1,
    objective: str = "cost",
    context: EvaluationContext | None = None,
) -> ExchangeReport:
    """The attackers (one, or two pooled) strike ``victim``.

    ``objective="cost"``: at the Kent-Thaler stop rule (the striker's cost-minimising spend);
    ``"damage"``: at the damage-limiting spend (every usable counterforce warhead outside the
    reserve; a coalition takes, per sample, the best of pooling and either member alone). A
    single attacker withholds its reserve against the third party; a coalition has none.
    The forces come from ``context``'s dataset (default: the bundled data) for ``year``.
    """
    if objective not in ("cost", "damage"):
        from tripolar.errors import InputError

        raise InputError(
            f"unknown objective {objective!r}", field="--objective", expected="cost or damage"
        )
    from tripolar.exchange.exchange import counterforce_exchange

    ctx = (context or EvaluationContext()).with_(year=year)
    ps = ctx.postures(PARTIES)
    forces, notes, _ = real_forces(ps, levels, context=ctx)
    rng = np.random.default_rng(seed)
    states = {
        k: party_state(f, levels, posture, rng=rng, n_samples=n_samples) for k, f in forces.items()
    }
    third = next((p for p in PARTIES if p not in (*attackers, victim)), None)
    res = counterforce_exchange(
        [states[a] for a in attackers],
        states[victim],
        None if third is None or len(attackers) > 1 else states[third],
        params=replace(KentThalerParams(), search="bound"),
        reserve_delta=levels.parameters.reserve_delta.value,
        spend="kent_thaler" if objective == "cost" else "damage",
    )
    by_system = {
        sid: {
            "before": float(np.median(res.victim_warheads_before[:, i])),
            "surviving": float(np.median(res.victim_survivors_by_system[:, i])),
        }
        for i, sid in enumerate(res.victim_systems)
    }
    return ExchangeReport(
        attackers=tuple(attackers),
        victim=victim,
        third=None if len(attackers) > 1 else third,
        posture=posture,
        seed=seed,
        n_samples=n_samples,
        objective=objective,
        surviving_warheads=Band.of(res.victim_retaliatory_capacity),
        spend=Band.of(res.spend),
        reserve=float(np.median(res.reserve)),
        by_system=by_system,
        assumptions=tuple(
            [
                f"forces: dataset estimates for {year}",
                *notes,
                *level_assumptions(levels, forces, (posture,)),
            ]
        ),
    )
