"""The ``negotiation`` column of ``tripolar assess``: utility against no deal, ZOPA, Nash rank.

Per party: the party's utility of the proposal relative to no deal (profiles of
``negotiation/profiles``, no-deal point = the ``status-quo`` projection in 2030, outcome per
:mod:`tripolar.negotiation.evaluate`) and a one-line ``summary``. Treaty level
(``_treaty``): whether the proposal lies in the ZOPA (every party strictly better off than
no deal), its Nash product (product of the gains; only meaningful inside the ZOPA, reported
as None outside it) and its rank by Nash product among the built-in proposals inside the
ZOPA (None outside it). The rank needs every proposal: the column evaluates all built-in
proposals once and caches them (plus the assessed treaty when it is not built in).

Importing this module registers :func:`negotiation_column` as
``tripolar.assess.EXTRA_COLUMNS["negotiation"]``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import tripolar.assess as _assess
from tripolar.negotiation.evaluate import Baseline, build_baseline, no_deal_outcome, treaty_outcome
from tripolar.negotiation.profiles import Profile, load_profiles
from tripolar.negotiation.utility import TreatyOutcome, utility
from tripolar.treaty.io import builtin_treaties

if TYPE_CHECKING:
    from tripolar.forces import Posture
    from tripolar.treaty.compliance import TreatyEvaluation
    from tripolar.treaty.schema import Treaty

__all__ = ["RULE", "negotiation_column"]

RULE = (
    "utility relative to no deal (status-quo projection, 2030) with the bundled party "
    "profiles (weights are judgements); ZOPA = every party strictly better off; Nash "
    "product = product of the gains; rank among the built-in proposals in the ZOPA"
)


@lru_cache(maxsize=1)
def _context() -> tuple[Baseline, TreatyOutcome, dict[str, Profile]]:
    baseline = build_baseline()
    return baseline, no_deal_outcome(baseline), load_profiles()


def _utilities(outcome: TreatyOutcome) -> dict[str, float]:
    _, no_deal, profiles = _context()
    return {p: utility(prof, outcome, no_deal).total for p, prof in profiles.items()}


@lru_cache(maxsize=1)
def _builtin_utilities() -> dict[str, dict[str, float]]:
    baseline, _, _ = _context()
    return {
        t.id: _utilities(treaty_outcome(t, baseline))
        for t in builtin_treaties()
        if t.kind == "proposal"
    }


def _nash(u: dict[str, float]) -> float | None:
    if not all(v > 0 for v in u.values()):
        return None
    prod = 1.0
    for v in u.values():
        prod *= v
    return prod


def negotiation_column(
    treaty: Treaty, evaluation: TreatyEvaluation, postures: dict[str, Posture]
) -> dict[str, Any]:
    """Per party utility vs no deal and a summary; ``_treaty``: in ZOPA, Nash product, rank.

    The outcome is evaluated on the baseline's postures (the dataset's 2025 figures), the
    same for every proposal so that the ranking compares like with like; ``evaluation`` and
    ``postures`` of the assessed year are not used.
    """
    del evaluation, postures
    baseline, _, profiles = _context()
    u = _utilities(treaty_outcome(treaty, baseline))
    table = dict(_builtin_utilities())
    table[treaty.id] = u
    nash = {k: _nash(v) for k, v in table.items()}
    inside = sorted((v, k) for k, v in nash.items() if v is not None)[::-1]
    rank = next((i + 1 for i, (_, k) in enumerate(inside) if k == treaty.id), None)
    out: dict[str, Any] = {}
    for p in profiles:
        v = u[p]
        verdict = "better off" if v > 0 else ("worse off" if v < 0 else "indifferent")
        out[p] = {"utility": v, "summary": f"{v:+.2f} vs no deal ({verdict})"}
    in_zopa = nash[treaty.id] is not None
    out["_treaty"] = {
        "in_zopa": in_zopa,
        "nash_product": nash[treaty.id],
        "nash_rank": rank,
        "ranked_among": len(inside),
        "summary": (
            f"in ZOPA, Nash rank {rank} of {len(inside)}"
            if in_zopa
            else "outside ZOPA: "
            + ", ".join(p for p in profiles if u[p] <= 0)
            + " not better off than no deal"
        ),
        "rule": RULE,
    }
    return out


_assess.EXTRA_COLUMNS["negotiation"] = negotiation_column
