"""The negotiation column of the assessment: utility against no deal, ZOPA, Nash rank.

Per party: the party's utility of the proposal relative to no deal (profiles of
``negotiation/profiles``, no-deal point = the ``status-quo`` projection in 2030, outcome per
:mod:`tripolar.negotiation.evaluate`, today's forces from the evaluation context). Treaty
level: whether the proposal lies in the ZOPA (every party strictly better off than no deal),
its Nash product (product of the gains; only meaningful inside the ZOPA, None outside it)
and its rank by Nash product among the built-in proposals inside the ZOPA (None outside it).
The rank needs every built-in proposal: they are evaluated once per evaluation context.

Utilities are on the scale of :mod:`tripolar.negotiation.utility`: 0 = no deal, positive =
better off; each term is a profile weight times a dimensionless share (of the no-deal
warheads or launchers, of a retaliation requirement, of the 0-1 transparency scale).
Numbers and flags only; the wording is the renderers'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tripolar.context import EvaluationContext
from tripolar.negotiation.evaluate import Baseline, build_baseline, no_deal_outcome, treaty_outcome
from tripolar.negotiation.profiles import Profile, load_profiles
from tripolar.negotiation.utility import TreatyOutcome, utility
from tripolar.treaty.io import builtin_treaties
from tripolar.treaty.schema import Treaty

__all__ = ["RULE", "NegotiationColumn", "negotiation_column"]

RULE = (
    "utility relative to no deal (status-quo projection, 2030) with the bundled party "
    "profiles (weights are judgements); ZOPA = every party strictly better off; Nash "
    "product = product of the gains; rank among the built-in proposals in the ZOPA"
)


@dataclass(frozen=True)
class NegotiationColumn:
    """Each party's utility of the proposal against no deal, and where it stands."""

    utilities: dict[str, float]
    in_zopa: bool
    nash_product: float | None
    nash_rank: int | None
    ranked_among: int
    not_better_off: tuple[str, ...] = field(default_factory=tuple)
    rule: str = RULE

    def to_dict(self) -> dict[str, Any]:
        return {
            "utilities": dict(self.utilities),
            "in_zopa": self.in_zopa,
            "nash_product": self.nash_product,
            "nash_rank": self.nash_rank,
            "ranked_among": self.ranked_among,
            "not_better_off": list(self.not_better_off),
            "rule": self.rule,
        }


def _inputs(context: EvaluationContext) -> tuple[Baseline, TreatyOutcome, dict[str, Profile]]:
    def build() -> tuple[Baseline, TreatyOutcome, dict[str, Profile]]:
        baseline = build_baseline(context=context)
        return baseline, no_deal_outcome(baseline), load_profiles()

    return context.cached("negotiation.inputs", build)


def _utilities(outcome: TreatyOutcome, context: EvaluationContext) -> dict[str, float]:
    _, no_deal, profiles = _inputs(context)
    return {p: utility(prof, outcome, no_deal).total for p, prof in profiles.items()}


def _builtin_utilities(context: EvaluationContext) -> dict[str, dict[str, float]]:
    def build() -> dict[str, dict[str, float]]:
        baseline, _, _ = _inputs(context)
        return {
            t.id: _utilities(treaty_outcome(t, baseline), context)
            for t in builtin_treaties()
            if t.kind == "proposal"
        }

    return context.cached("negotiation.builtin_utilities", build)


def _nash(u: dict[str, float]) -> float | None:
    if not all(v > 0 for v in u.values()):
        return None
    prod = 1.0
    for v in u.values():
        prod *= v
    return prod


def negotiation_column(treaty: Treaty, context: EvaluationContext) -> NegotiationColumn:
    """Utility vs no deal per party; in ZOPA, Nash product and rank among the built-ins.

    The outcome is evaluated on the context's postures, the same for every proposal so that
    the ranking compares like with like.
    """
    baseline, _, profiles = _inputs(context)
    u = _utilities(treaty_outcome(treaty, baseline), context)
    table = dict(_builtin_utilities(context))
    table[treaty.id] = u
    nash = {k: _nash(v) for k, v in table.items()}
    inside = sorted((v, k) for k, v in nash.items() if v is not None)[::-1]
    rank = next((i + 1 for i, (_, k) in enumerate(inside) if k == treaty.id), None)
    return NegotiationColumn(
        utilities={p: u[p] for p in profiles},
        in_zopa=nash[treaty.id] is not None,
        nash_product=nash[treaty.id],
        nash_rank=rank,
        ranked_among=len(inside),
        not_better_off=tuple(p for p in profiles if u[p] <= 0),
    )
