"""Reciprocal-steps planner: order confidence-building and reduction steps so that, after
each step, every party is at least as well off as before.

The idea of small reciprocated steps is Osgood's "graduated reciprocation in tension
reduction" (C. E. Osgood, *An Alternative to War or Surrender*, 1962); the search below is
tripolar's design. Steps are abstract (notifications, data exchanges, a freeze, staged
reductions ...) with per-party utility changes supplied by the caller (for example from
:func:`tripolar.negotiation.utility.utility` of successive outcomes) and optional
prerequisites. Changes are taken as additive. A step that leaves some party worse off may
be taken only together with other steps in one *bundle* (a reciprocal package) whose summed
changes are >= -tol for every party. Breadth-first search over the sets of steps taken
finds a sequence with the fewest bundles; if no sequence takes every step, the result says
how far one can get and which party blocks each remaining step.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tripolar.errors import InputError

#: Largest number of steps searched (the search is over subsets of steps).
MAX_STEPS = 20


@dataclass(frozen=True)
class Step:
    """One step: utility change per party (arbitrary units) and prerequisite step names."""

    name: str
    deltas: Mapping[str, float]
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathResult:
    """The bundles in order, the cumulative utility change after each, and blockers."""

    parties: tuple[str, ...]
    complete: bool
    bundles: tuple[tuple[str, ...], ...]
    cumulative: tuple[dict[str, float], ...]
    remaining: tuple[str, ...]
    blocked: tuple[dict[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "complete": self.complete,
            "bundles": [list(b) for b in self.bundles],
            "cumulative": list(self.cumulative),
            "remaining": list(self.remaining),
            "blocked": list(self.blocked),
        }


def _check(steps: Sequence[Step], parties: Sequence[str]) -> None:
    names = [s.name for s in steps]
    if len(set(names)) != len(names):
        raise InputError("duplicate step names", field="steps")
    if len(steps) > MAX_STEPS:
        raise InputError(
            f"{len(steps)} steps", field="steps", expected=f"at most {MAX_STEPS} steps"
        )
    for s in steps:
        unknown = set(s.requires) - set(names)
        if unknown:
            raise InputError(f"step {s.name!r} requires unknown {sorted(unknown)}", field="steps")
        missing = set(parties) - set(s.deltas)
        if missing:
            raise InputError(
                f"step {s.name!r} has no utility change for {sorted(missing)}",
                field=f"steps.{s.name}.deltas",
            )


def plan_path(
    steps: Sequence[Step],
    parties: Sequence[str],
    max_bundle: int = 2,
    tol: float = 0.0,
) -> PathResult:
    """Find an order of bundles of at most ``max_bundle`` steps, each leaving every party at
    least as well off (summed change >= -tol), that takes all steps; else the furthest
    reachable set and, for each remaining step, the parties it leaves worse off or the
    prerequisites it lacks.
    """
    _check(steps, parties)
    n = len(steps)
    index = {s.name: k for k, s in enumerate(steps)}
    req_mask = [sum(1 << index[r] for r in s.requires) for s in steps]
    full = (1 << n) - 1

    def ok(bundle: tuple[int, ...]) -> bool:
        return all(sum(steps[k].deltas[p] for k in bundle) >= -tol for p in parties)

    parent: dict[int, tuple[int, tuple[int, ...]] | None] = {0: None}
    queue = deque([0])
    best = 0
    while queue:
        state = queue.popleft()
        if bin(state).count("1") > bin(best).count("1"):
            best = state
        if state == full:
            break
        avail = [k for k in range(n) if not state >> k & 1 and req_mask[k] & state == req_mask[k]]
        for size in range(1, max_bundle + 1):
            for bundle in itertools.combinations(avail, size):
                nxt = state | sum(1 << k for k in bundle)
                if nxt not in parent and ok(bundle):
                    parent[nxt] = (state, bundle)
                    queue.append(nxt)
    end = full if full in parent else best
    chain: list[tuple[int, ...]] = []
    node = end
    while parent[node] is not None:
        prev, bundle = parent[node]  # type: ignore[misc]
        chain.append(bundle)
        node = prev
    chain.reverse()
    totals = dict.fromkeys(parties, 0.0)
    cumulative = []
    for bundle in chain:
        for k in bundle:
            for p in parties:
                totals[p] += steps[k].deltas[p]
        cumulative.append(dict(totals))
    remaining = [k for k in range(n) if not end >> k & 1]
    blocked = []
    for k in remaining:
        lacking = [r for r in steps[k].requires if not end >> index[r] & 1]
        worse = [p for p in parties if steps[k].deltas[p] < -tol]
        blocked.append({"step": steps[k].name, "worse_off": worse, "lacks": lacking})
    return PathResult(
        parties=tuple(parties),
        complete=end == full,
        bundles=tuple(tuple(steps[k].name for k in b) for b in chain),
        cumulative=tuple(cumulative),
        remaining=tuple(steps[k].name for k in remaining),
        blocked=tuple(blocked),
    )
