"""Profiles + outcomes -> utilities -> bargaining solutions, and their weight sensitivity.

The entry points the treaty and stability engines call: :func:`negotiate` evaluates every
outcome of a treaty family for every party (relative to the no-deal point, so d = 0) and
solves the bargaining problem; :func:`profile_sensitivity` re-solves with each profile
weight moved up and down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tripolar.errors import InputError
from tripolar.negotiation.bargaining import (
    BargainingReport,
    FiniteProblem,
    Sensitivity,
    solve_finite,
    weight_sensitivity,
)
from tripolar.negotiation.profiles import Profile
from tripolar.negotiation.utility import TreatyOutcome, UtilityTable, utility_table


@dataclass(frozen=True)
class NegotiationResult:
    """Utilities of every outcome for every party and the bargaining report on them."""

    utilities: UtilityTable
    report: BargainingReport

    def to_dict(self) -> dict[str, Any]:
        return {"utilities": self.utilities.to_dict(), "bargaining": self.report.to_dict()}


def negotiate(
    profiles: Mapping[str, Profile],
    outcomes: Sequence[TreatyOutcome],
    no_deal: TreatyOutcome,
    nash_weights: ArrayLike | None = None,
) -> NegotiationResult:
    """Utility table and Pareto/ZOPA/Nash/KS/egalitarian report for a finite treaty family."""
    if not outcomes:
        raise InputError("no outcomes to compare", field="outcomes", expected="at least one")
    table = utility_table(profiles, outcomes, no_deal)
    report = solve_finite(
        table.matrix, table.disagreement, table.parties, nash_weights, table.labels
    )
    return NegotiationResult(utilities=table, report=report)


def profile_sensitivity(
    profiles: Mapping[str, Profile],
    outcomes: Sequence[TreatyOutcome],
    no_deal: TreatyOutcome,
    rel_step: float = 0.1,
    nash_weights: ArrayLike | None = None,
) -> Sensitivity:
    """Sensitivity of each solution to each profile weight (names ``PARTY:weight``)."""
    flat = {f"{p}:{name}": v for p, prof in profiles.items() for name, v in prof.weights().items()}
    nw = None if nash_weights is None else np.asarray(nash_weights, dtype=float)

    def build(weights: Mapping[str, float]) -> FiniteProblem:
        changed = {}
        for p, prof in profiles.items():
            over = {
                k.split(":", 1)[1]: v
                for k, v in weights.items()
                if k.startswith(f"{p}:") and v != flat[k]
            }
            changed[p] = prof.with_weights(over) if over else prof
        table = utility_table(changed, outcomes, no_deal)
        return FiniteProblem(table.matrix, table.disagreement, nw)

    # only linkage weights may be negative (profiles validate this); keep the others >= 0
    nonneg = {k for k in flat if not k.split(":", 1)[1].startswith("linkage.")}
    return weight_sensitivity(build, flat, tuple(profiles), rel_step, nonnegative=nonneg)
