"""The stability column of the assessment: the least stable case per party and per treaty.

For each proposal the forces are cut to comply (the context's rule, proportional by
default), then the 9 cases (6 ordered pairs, 3 coalitions) are run in both alert postures
with the context's seed and samples (:func:`tripolar.stability.run.stability_report`). Per
party: the smallest median ``r`` over the cases where it is attacker or victim. Treaty
level: the least stable case. Numbers and flags only; the wording is the renderers'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tripolar.context import EvaluationContext
from tripolar.exchange.alert import alert_levels_for
from tripolar.exchange.montecarlo import PARTIES, real_forces
from tripolar.forces import Posture
from tripolar.stability.run import stability_report
from tripolar.treaty.schema import Treaty

__all__ = ["PartyStability", "StabilityColumn", "stability_column"]


@dataclass(frozen=True)
class PartyStability:
    """A party's least stable case: the smallest median ``r`` where it strikes or is struck."""

    r_min: float
    case: str
    posture: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StabilityColumn:
    """Per party the least stable case, and the treaty's least stable case overall."""

    applicable: bool
    samples: int
    seed: int
    rule: str
    parties: dict[str, PartyStability] = field(default_factory=dict)
    case: str | None = None
    party: str | None = None
    posture: str | None = None
    r: float | None = None
    driver: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicable": self.applicable,
            "reason": self.reason,
            "samples": self.samples,
            "seed": self.seed,
            "rule": self.rule,
            "least_stable": None
            if self.case is None
            else {
                "case": self.case,
                "party": self.party,
                "posture": self.posture,
                "r": self.r,
                "driver": self.driver,
            },
            "parties": {k: v.to_dict() for k, v in self.parties.items()},
        }


def stability_column(
    treaty: Treaty, postures: dict[str, Posture], context: EvaluationContext
) -> StabilityColumn:
    """The stability column of ``treaty`` for ``postures`` (US, RU and CN needed)."""
    if sorted(postures) != sorted(PARTIES):
        return StabilityColumn(
            False, context.samples, context.seed, context.rule, reason="needs US, RU and CN"
        )
    levels = alert_levels_for(context)
    forces, _notes, _compliance = real_forces(
        postures, levels, treaty=treaty, rule=context.rule, context=context
    )
    rep = stability_report(
        forces,
        levels,
        n_samples=context.samples,
        seed=context.seed,
        treaty=treaty.id,
        rule=context.rule,
    )
    parties: dict[str, PartyStability] = {}
    for party in PARTIES:
        best: PartyStability | None = None
        for c in rep.cases:
            if party not in (*c.attackers, c.victim):
                continue
            r = c.stability_index[f"r_{party}"].median
            if best is None or r < best.r_min:
                best = PartyStability(r, c.label, c.posture)
        if best is not None:
            parties[party] = best
    ls = rep.least_stable
    return StabilityColumn(
        True,
        context.samples,
        context.seed,
        context.rule,
        parties=parties,
        case=ls["case"],
        party=ls["party"],
        posture=ls["posture"],
        r=ls["r"],
        driver=ls["driver"],
    )
