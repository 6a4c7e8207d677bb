"""Negotiation analysis: party profiles, treaty utilities, bargaining solutions, step paths."""

from __future__ import annotations

from tripolar.negotiation.analysis import NegotiationResult, negotiate, profile_sensitivity
from tripolar.negotiation.bargaining import (
    BargainingReport,
    BargainingSolution,
    FiniteProblem,
    Sensitivity,
    egalitarian_continuous,
    egalitarian_solution,
    ideal_point,
    ideal_point_continuous,
    kalai_smorodinsky_continuous,
    kalai_smorodinsky_solution,
    nash_continuous,
    nash_solution,
    pareto_frontier,
    solve_finite,
    weight_sensitivity,
    zopa,
)
from tripolar.negotiation.path import PathResult, Step, plan_path
from tripolar.negotiation.profiles import Profile, list_profiles, load_profile, load_profiles
from tripolar.negotiation.utility import (
    PartyOutcome,
    TreatyOutcome,
    UtilityBreakdown,
    UtilityTable,
    make_outcome,
    utility,
    utility_table,
)

__all__ = [
    "BargainingReport",
    "BargainingSolution",
    "FiniteProblem",
    "NegotiationResult",
    "PartyOutcome",
    "PathResult",
    "Profile",
    "Sensitivity",
    "Step",
    "TreatyOutcome",
    "UtilityBreakdown",
    "UtilityTable",
    "egalitarian_continuous",
    "egalitarian_solution",
    "ideal_point",
    "ideal_point_continuous",
    "kalai_smorodinsky_continuous",
    "kalai_smorodinsky_solution",
    "list_profiles",
    "load_profile",
    "load_profiles",
    "make_outcome",
    "nash_continuous",
    "nash_solution",
    "negotiate",
    "pareto_frontier",
    "plan_path",
    "profile_sensitivity",
    "solve_finite",
    "utility",
    "utility_table",
    "weight_sensitivity",
    "zopa",
]
