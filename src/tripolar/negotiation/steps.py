"""The steps from today's situation (no deal) to a target treaty, with utility changes.

Steps, in their canonical order (each only where the target treaty has it):

1. ``notifications``     launch and movement notifications (transparency component);
2. ``data exchanges``    the treaty's data exchanges (transparency component);
3. ``unique identifiers`` (transparency component);
4. ``inspections``       the treaty's on-site inspection quota (transparency component);
5. ``freeze``            every party the treaty binds keeps no more than today (the lesser
   of today's and its no-deal level), and becomes bound (the ``bound:XX`` linkages);
6. ``stage <date>``      the ceilings in force on each date of the treaty's schedules
   (the last stage is the treaty's final ceilings, which replace the freeze).

Each step's per-party change is **computed from the profiles**, not set by hand: the outcome
after the step (built with :mod:`tripolar.negotiation.evaluate`) minus the outcome before
it, both valued with :func:`tripolar.negotiation.utility.utility` against the no-deal
point, taking the steps in the canonical order. A transparency step raises the
transparency level of every party the treaty binds, so it moves two kinds of term of each
party's utility: its own ``transparency`` cost and its ``assurance:<j>`` value of seeing
the others (:attr:`StepPlan.terms` gives each term's change per step). The changes add up
exactly to the target treaty's utility, term by term;
:func:`tripolar.negotiation.path.plan_path` treats them as additive in any order, an
approximation only where terms interact (the retaliation saturation and the status norms;
the transparency steps raise every bound party's level together, so their transparency and
assurance terms add exactly). The first stage requires the freeze (its change is measured
from the frozen state, whose ceilings it replaces), later stages require earlier ones;
inspections require data exchanges.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tripolar.negotiation.evaluate import (
    Baseline,
    Caps,
    no_deal_outcome,
    outcome_from_caps,
    transparency_of,
    treaty_caps,
)
from tripolar.negotiation.path import PathResult, Step, plan_path
from tripolar.negotiation.profiles import Profile
from tripolar.negotiation.utility import TreatyOutcome, utility
from tripolar.treaty.compliance import evaluate, limit_dates
from tripolar.treaty.schema import Treaty


@dataclass(frozen=True)
class StepPlan:
    """The steps towards ``treaty``, their utility changes and the planner's result."""

    treaty: str
    steps: tuple[Step, ...]
    outcomes: tuple[TreatyOutcome, ...]
    path: PathResult
    #: Per step, per party, the change of every utility term (they sum to the step's delta).
    terms: tuple[dict[str, dict[str, float]], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        terms = self.terms or tuple({} for _ in self.steps)
        return {
            "treaty": self.treaty,
            "steps": [
                {
                    "name": s.name,
                    "deltas": dict(s.deltas),
                    "requires": list(s.requires),
                    "terms": t,
                }
                for s, t in zip(self.steps, terms, strict=True)
            ],
            "path": self.path.to_dict(),
        }


def _transparency(v_parts: Mapping[str, bool], inspections: int) -> float:
    return transparency_of(
        data_exchanges=v_parts.get("data exchanges", False),
        notifications=v_parts.get("notifications", False),
        unique_identifiers=v_parts.get("unique identifiers", False),
        inspections_per_year=inspections if v_parts.get("inspections", False) else 0,
    )


def target_states(
    treaty: Treaty, baseline: Baseline
) -> list[tuple[str, TreatyOutcome, tuple[str, ...]]]:
    """(step name, outcome after the step, prerequisites), in canonical order."""
    v = treaty.verification
    ev = evaluate(treaty, dict(baseline.postures), context=baseline.context)
    final = treaty_caps(treaty, baseline, ev)
    nobody = dict.fromkeys(baseline.parties, False)
    caps = Caps(dict(baseline.warheads_no_deal), dict(baseline.launchers_no_deal), nobody)
    parts: dict[str, bool] = {}
    inspections = v.total_inspections_per_year
    # Transparency applies to the parties the treaty binds (as in treaty_outcome); before
    # any limit binds them, a transparency step counts for the parties that will be bound.
    will_bind = dict(final.bound)

    def outcome(c: Caps, label: str) -> TreatyOutcome:
        out = outcome_from_caps(
            baseline,
            Caps(c.warheads, c.launchers, will_bind),
            transparency=_transparency(parts, inspections),
            label=label,
        )
        # transparency counts for the parties the treaty will bind; "bound" is the stage's
        parties = {p: o.model_copy(update={"bound": c.bound[p]}) for p, o in out.parties.items()}
        return out.model_copy(update={"parties": parties})

    states: list[tuple[str, TreatyOutcome, tuple[str, ...]]] = []
    for name, present in (
        ("notifications", v.notifications),
        ("data exchanges", v.data_exchanges_per_year > 0),
        ("unique identifiers", v.unique_identifiers),
        ("inspections", inspections > 0),
    ):
        if present:
            parts[name] = True
            req = ("data exchanges",) if name == "inspections" and "data exchanges" in parts else ()
            states.append((name, outcome(caps, name), req))
    if any(final.bound.values()):
        frozen = Caps(
            {
                p: min(baseline.warheads_now[p], caps.warheads[p])
                if final.bound[p]
                else caps.warheads[p]
                for p in baseline.parties
            },
            {
                p: min(baseline.launchers_now[p], caps.launchers[p])
                if final.bound[p]
                else caps.launchers[p]
                for p in baseline.parties
            },
            dict(final.bound),
        )
        states.append(("freeze", outcome(frozen, "freeze"), ()))
        dates = sorted(
            {d for lim in treaty.limits for d in limit_dates(treaty, lim) if d is not None}
        )
        stage_dates: list[dt.date | None] = [*dates[:-1], None]
        # a stage's change is measured from the state before it, starting from the freeze
        prev: tuple[str, ...] = ("freeze",)
        for k, d in enumerate(stage_dates):
            c = final if d is None else treaty_caps(treaty, baseline, ev, d)
            c = Caps(c.warheads, c.launchers, dict(final.bound))
            when = dates[k] if dates and k < len(dates) else None
            name = f"stage {when.isoformat()}" if when is not None else "final ceilings"
            states.append((name, outcome(c, name), prev))
            prev = (name,)
    return states


def steps_to_treaty(
    treaty: Treaty,
    baseline: Baseline,
    profiles: Mapping[str, Profile],
) -> tuple[list[Step], list[TreatyOutcome]]:
    """The steps towards ``treaty`` with per-party utility changes from the profiles."""
    no_deal = no_deal_outcome(baseline)
    prev_u = dict.fromkeys(profiles, 0.0)
    steps: list[Step] = []
    outcomes: list[TreatyOutcome] = []
    for name, out, req in target_states(treaty, baseline):
        u = {p: utility(prof, out, no_deal).total for p, prof in profiles.items()}
        steps.append(Step(name, {p: u[p] - prev_u[p] for p in profiles}, req))
        outcomes.append(out)
        prev_u = u
    return steps, outcomes


def term_changes(
    outcomes: Sequence[TreatyOutcome],
    no_deal: TreatyOutcome,
    profiles: Mapping[str, Profile],
) -> list[dict[str, dict[str, float]]]:
    """Per successive outcome, per party, each utility term's change from the outcome before
    (the first from the no-deal point); each party's changes sum to its step delta."""
    prev = {
        p: dict.fromkeys(utility(prof, no_deal, no_deal).terms, 0.0) for p, prof in profiles.items()
    }
    out: list[dict[str, dict[str, float]]] = []
    for o in outcomes:
        now = {p: utility(prof, o, no_deal).terms for p, prof in profiles.items()}
        out.append({p: {k: v - prev[p][k] for k, v in now[p].items()} for p in profiles})
        prev = now
    return out


def plan_to_treaty(
    treaty: Treaty,
    baseline: Baseline,
    profiles: Mapping[str, Profile],
    max_bundle: int = 2,
    tol: float = 1e-9,
) -> StepPlan:
    """Steps towards ``treaty`` and a reciprocal order of them (or who blocks where)."""
    steps, outcomes = steps_to_treaty(treaty, baseline, profiles)
    path = plan_path(steps, tuple(profiles), max_bundle=max_bundle, tol=tol)
    terms = term_changes(outcomes, no_deal_outcome(baseline), profiles)
    return StepPlan(treaty.id, tuple(steps), tuple(outcomes), path, tuple(terms))
