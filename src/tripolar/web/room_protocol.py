"""What a negotiation room publishes, computed from every delegation's private inputs.

A delegation's private inputs (:class:`RoomInputs`) are its profile weights (overrides of
its bundled profile, :meth:`tripolar.negotiation.Profile.with_weights`), its reservation
utility (the least utility it would accept, on the scale of
:func:`tripolar.negotiation.utility`, where no deal is 0) and its red lines (family choices
it will not accept, e.g. ``deployed_warheads.CN=-``: China unlimited).

The candidates of a room are the family's members and every treaty a delegation has
proposed of its own so far (each once, by content, under the round it was first proposed
in). Every candidate is evaluated server-side with the same outcome and utility functions,
under each delegation's own weights; a red line excludes an own treaty as it excludes a
member, by the choices the treaty makes in the family's terms
(:func:`tripolar.negotiation.family.treaty_choice`).

The room publishes only: whether a ZOPA exists (a candidate every delegation prefers to
its reservation and that crosses no red line), its size, and the Nash and
Kalai-Smorodinsky candidates (:mod:`tripolar.negotiation.bargaining`) over the candidates
no red line excludes, with the reservation utilities as the disagreement point, each by
its label (a member's index, an own treaty's id and round). Utilities stay private: each
delegation sees its own, nobody sees another's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tripolar.errors import InputError
from tripolar.forces import TRILATERAL

#: Weights move within this range (linkage weights may be negative, as in the profiles).
WEIGHT_MAX = 10.0
UTILITY_BOUND = 100.0
#: Largest uploaded family a room evaluates (every member is evaluated once, ~15 ms each).
MAX_ROOM_MEMBERS = 500
#: Own treaties whose evaluation a family space keeps (each is evaluated once, ~15 ms).
MAX_OWN_CACHED = 256


class RoomInputs(BaseModel):
    """One delegation's private inputs."""

    model_config = ConfigDict(extra="forbid")

    weights: dict[str, float] = Field(
        default_factory=dict, description="profile weight overrides by dotted name"
    )
    reservation_utility: float = Field(
        default=0.0,
        ge=-UTILITY_BOUND,
        le=UTILITY_BOUND,
        description="least utility accepted (no deal = 0)",
    )
    red_lines: list[str] = Field(
        default_factory=list, max_length=100, description="choices refused, 'key=value'"
    )


@dataclass(frozen=True)
class FamilySpace:
    """A family's members with their outcomes and the bundled profiles, built once."""

    family_id: str
    name: str
    labels: tuple[str, ...]
    choices: tuple[dict[str, str], ...]
    outcomes: tuple[Any, ...]
    no_deal: Any
    profiles: dict[str, Any]
    baseline: Any = None
    family: Any = None
    #: Evaluated own treaties by canonical JSON (see :func:`own_candidate`).
    own_cache: dict[str, OwnTreaty] = field(default_factory=dict, compare=False, repr=False)

    def options(self) -> dict[str, list[str]]:
        """Every red-line key and the values it takes in this family."""
        out: dict[str, list[str]] = {}
        for c in self.choices:
            for k, v in c.items():
                vals = out.setdefault(k, [])
                if v not in vals:
                    vals.append(v)
        return out


def _flat(choice: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in choice.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat(v, key + "."))
        elif v is None:
            out[key] = "-"
        elif isinstance(v, float):
            out[key] = f"{v:g}"
        else:
            out[key] = str(v).lower() if isinstance(v, bool) else str(v)
    return out


@lru_cache(maxsize=8)
def family_space(family_id: str, doc_json: str | None = None) -> FamilySpace:
    """Expand a family and evaluate every member once per process: the bundled family
    ``family_id``, or the uploaded family ``doc_json`` (its validated JSON) of a room."""
    from tripolar.negotiation import load_profiles
    from tripolar.negotiation.evaluate import build_baseline, no_deal_outcome, treaty_outcome
    from tripolar.negotiation.family import expand, family_from_mapping, load_family

    if doc_json is None:
        fam = load_family(family_id)
    else:
        fam = family_from_mapping(json.loads(doc_json), source=f"family {family_id}")
    members = expand(fam)
    baseline = build_baseline()
    outcomes = tuple(
        treaty_outcome(m.treaty, baseline, provisions=m.provisions, label=m.label) for m in members
    )
    return FamilySpace(
        fam.id,
        fam.name,
        tuple(m.label for m in members),
        tuple(_flat(m.choice) for m in members),
        outcomes,
        no_deal_outcome(baseline),
        dict(load_profiles(TRILATERAL)),
        baseline,
        fam,
    )


def uploaded_family(data: object, *, source: str) -> tuple[Any, str]:
    """Validate an uploaded family document (as ``tripolar negotiate --family FILE`` does)
    and bound its size; return the family and the JSON a room keeps (and caches by)."""
    from tripolar.negotiation.family import family_from_mapping

    fam = family_from_mapping(data, source=source)
    if fam.size() > MAX_ROOM_MEMBERS:
        raise InputError(
            f"the family expands to {fam.size()} members",
            file=source,
            expected=f"at most {MAX_ROOM_MEMBERS} members in a room",
        )
    if not set(fam.parties) <= set(TRILATERAL):
        raise InputError(
            "a party has no delegation in a room: " + ", ".join(fam.parties),
            file=source,
            field="parties",
            expected="parties among the room's delegations " + ", ".join(TRILATERAL),
        )
    return fam, json.dumps(fam.model_dump(mode="json"), sort_keys=True)


@dataclass(frozen=True)
class OwnTreaty:
    """A treaty a delegation proposed of its own, evaluated as a candidate of the room."""

    round: int
    treaty_id: str
    label: str
    outcome: Any
    #: The family's choices the treaty makes, flattened as red lines name them.
    choice: dict[str, str]


def own_candidate(space: FamilySpace, round_: int, label: str, treaty: Any) -> OwnTreaty:
    """Evaluate a proposed treaty once per space: its outcome (as a member's, no family
    provisions) and the family's choices it makes."""
    from tripolar.negotiation.evaluate import treaty_outcome
    from tripolar.negotiation.family import treaty_choice
    from tripolar.treaty.compliance import evaluate

    key = json.dumps(treaty.model_dump(mode="json"), sort_keys=True)
    hit = space.own_cache.get(key)
    if hit is None:
        b = space.baseline
        ev = evaluate(treaty, dict(b.postures), context=b.context)
        hit = OwnTreaty(
            round_,
            treaty.id,
            label,
            treaty_outcome(treaty, b, ev, label=treaty.id),
            _flat(treaty_choice(space.family, treaty, b, evaluation=ev)),
        )
        if len(space.own_cache) >= MAX_OWN_CACHED:
            space.own_cache.pop(next(iter(space.own_cache)))
        space.own_cache[key] = hit
    if (hit.round, hit.label) != (round_, label):
        hit = OwnTreaty(round_, treaty.id, label, hit.outcome, hit.choice)
    return hit


def own_treaties(space: FamilySpace, proposals: Iterable[tuple[int, str, Any]]) -> list[OwnTreaty]:
    """The room's own-treaty candidates from its proposals ``(round, label, treaty)`` in
    round order: each treaty once, under the first round that proposed it."""
    seen: set[str] = set()
    out: list[OwnTreaty] = []
    for number, label, treaty in proposals:
        key = json.dumps(treaty.model_dump(mode="json"), sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(own_candidate(space, number, label, treaty))
    return out


def _profile(space: FamilySpace, party: str, inputs: RoomInputs | None) -> Any:
    prof = space.profiles[party]
    if inputs is not None and inputs.weights:
        prof = prof.with_weights(inputs.weights)
    return prof


def own_treaty_utility(
    space: FamilySpace, party: str, inputs: RoomInputs | None, own: OwnTreaty
) -> float:
    """``party``'s utility of a proposed treaty of a delegation's own, under ``party``'s
    own weights, on the scale of the family's members (shown only to ``party``)."""
    from tripolar.negotiation.utility import utility

    return float(utility(_profile(space, party, inputs), own.outcome, space.no_deal).total)


def crossed_red_lines(inputs: RoomInputs | None, choice: dict[str, str]) -> list[str]:
    """The red lines of ``inputs`` that a candidate with ``choice`` crosses."""
    if inputs is None:
        return []
    out = []
    for rl in inputs.red_lines:
        key, _, value = rl.partition("=")
        if choice.get(key) == value:
            out.append(rl)
    return out


def check_inputs(space: FamilySpace, party: str, inputs: RoomInputs) -> RoomInputs:
    """Refuse unknown weights and red lines (naming the field), as the files do."""
    known = space.profiles[party].weights()
    for name, w in inputs.weights.items():
        if name not in known:
            raise InputError(
                f"unknown weight {name!r}", field=f"weights.{name}", expected=", ".join(known)
            )
        low = -WEIGHT_MAX if name.startswith("linkage.") else 0.0
        if not low <= w <= WEIGHT_MAX or not np.isfinite(w):
            raise InputError(
                f"weight {w!r} out of range",
                field=f"weights.{name}",
                expected=f"a number from {low:g} to {WEIGHT_MAX:g}",
            )
    opts = space.options()
    for rl in inputs.red_lines:
        key, _, value = rl.partition("=")
        if key not in opts or value not in opts[key]:
            raise InputError(
                f"unknown red line {rl!r}",
                field="red_lines",
                expected="key=value among the family's choices",
            )
    return inputs


def own_utilities(
    space: FamilySpace,
    party: str,
    inputs: RoomInputs | None,
    own: Sequence[OwnTreaty] = (),
) -> list[float]:
    """``party``'s utility of every member, then of every own treaty in ``own``, under its
    own weights (shown only to it)."""
    from tripolar.negotiation.utility import utility

    prof = _profile(space, party, inputs)
    outcomes = [*space.outcomes, *(o.outcome for o in own)]
    return [utility(prof, o, space.no_deal).total for o in outcomes]


def _allowed(choices: Sequence[dict[str, str]], inputs: RoomInputs) -> np.ndarray:
    refused = {tuple(r.split("=", 1)) for r in inputs.red_lines}
    return np.array([not any((k, v) in refused for k, v in c.items()) for c in choices], dtype=bool)


def _named(space: FamilySpace, own: Sequence[OwnTreaty], k: int) -> dict[str, Any]:
    """How the room names candidate ``k``: a member by its index, an own treaty by its id
    and the round that proposed it."""
    n = len(space.labels)
    if k < n:
        return {"index": k, "label": space.labels[k], "own_treaty": None, "round": None}
    o = own[k - n]
    return {"index": None, "label": o.label, "own_treaty": o.treaty_id, "round": o.round}


def published(
    space: FamilySpace,
    inputs: dict[str, RoomInputs | None],
    own: Sequence[OwnTreaty] = (),
) -> dict[str, Any]:
    """What the protocol shows every delegation (see the module docstring): over the
    family's members and the own treaties ``own``."""
    from tripolar.negotiation.bargaining import kalai_smorodinsky_solution, nash_solution, zopa

    missing = [p for p in TRILATERAL if inputs.get(p) is None]
    if missing:
        return {"ready": False, "waiting_for": missing}
    chosen = {p: inputs[p] for p in TRILATERAL}
    u = np.array([own_utilities(space, p, chosen[p], own) for p in TRILATERAL])
    d = np.array([chosen[p].reservation_utility for p in TRILATERAL])  # type: ignore[union-attr]
    choices = [*space.choices, *(o.choice for o in own)]
    allowed = np.ones(len(choices), dtype=bool)
    for p in TRILATERAL:
        allowed &= _allowed(choices, chosen[p])  # type: ignore[arg-type]
    idx = np.nonzero(allowed)[0]
    out: dict[str, Any] = {
        "ready": True,
        "candidates": len(choices),
        "zopa_exists": False,
        "zopa_size": 0,
    }
    out["nash"] = out["kalai_smorodinsky"] = None
    if idx.size == 0:
        return out
    sub = u[:, idx]
    z = zopa(sub, d)
    out["zopa_exists"] = bool(z.size)
    out["zopa_size"] = int(z.size)
    for key, sol in (
        ("nash", nash_solution(sub, d, parties=TRILATERAL)),
        ("kalai_smorodinsky", kalai_smorodinsky_solution(sub, d, parties=TRILATERAL)),
    ):
        if sol.index is not None:
            out[key] = _named(space, own, int(idx[sol.index]))
    return out
