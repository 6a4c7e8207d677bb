"""Utility of a treaty outcome for each party, relative to the no-deal point, term by term.

Inputs are typed records: a :class:`PartyOutcome` per party (allowed deployed warheads,
launchers, survivable-retaliation ratios against each other party and against the
coalition of the other two, transparency level, whether the party is bound) inside a
:class:`TreatyOutcome` (plus provisions such as ``uk_fr_accounted`` and the UK/French
warheads the parity comparison may count). The no-deal point is a TreatyOutcome too (the
projections of :mod:`tripolar.projection` and the stability engine's ratios without a deal).

For party i with profile weights w, outcome O and no-deal N, each term is
value(O) - value(N) (so every term is 0 at the no-deal point):

* ``security:<j>``   w_sec_j * min(r_ij, 1): r_ij = 1 means i's surviving forces meet its
  retaliation requirement against j (or the coalition); more is not valued (saturation);
* ``cost:warheads``  -w * W_i / W_i(N); ``cost:launchers`` -w * L_i / L_i(N) (shares of the
  no-deal level kept);
* ``status:parity``  -w * max(0, R - W_i) / W_i(N), R = sum of the compared parties'
  warheads plus the named third parties' (numerical parity, shortfall only);
* ``status:order``   -w * max(0, c_i) if some other party's W exceeds W_i after the deal,
  c_i = 1 - W_i / W_i(N) the own cut ("largest arsenals cut first");
* ``linkage:<p>``    v_p * [provision p in force] (v may be negative; ``bound:XX`` is in force
  when party XX is bound);
* ``transparency``   -w * T_i, T_i in [0, 1] the party's own transparency level (0 = none,
  1 = New START-style data exchanges and on-site inspections): the cost of showing its
  own forces;
* ``assurance:<j>``  a_ij * min(T_i, T_j), T_j the transparency level of the observed party
  j on the same 0-1 scale: the value of insight into j's forces (less worst-case planning,
  warning, predictability). Transparency is reciprocal: a party pays for showing its own
  forces and gains from seeing the others' (the "reciprocal fear of surprise attack" and
  inspection as its remedy, Schelling, *The Strategy of Conflict*, 1960, ch. 9-10). The
  min says that a verification regime's data, notifications and inspections go to the
  regime's parties: a party outside it (T_i = 0, e.g. not bound) sees nothing through it,
  and a party sees of j no more than it shows itself. A mutual step that raises every
  party's T by dT changes party i's utility by (sum_j a_ij - w) * dT.

This functional form is tripolar's design (a weighted additive multi-attribute utility,
Keeney & Raiffa, *Decisions with Multiple Objectives*, 1976); the weights are judgements
(see :mod:`tripolar.negotiation.profiles`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tripolar.errors import InputError, from_validation_error
from tripolar.negotiation.profiles import Profile


class PartyOutcome(BaseModel):
    """What one party has under an outcome (or under no deal)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deployed_warheads: float = Field(ge=0)
    launchers: float = Field(ge=0)
    retaliation: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    transparency: float = Field(default=0.0, ge=0, le=1)
    bound: bool = False


class TreatyOutcome(BaseModel):
    """One outcome of a treaty family: a record per party plus treaty-wide provisions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = ""
    parties: dict[str, PartyOutcome]
    provisions: list[str] = Field(default_factory=list)
    third_party_warheads: dict[str, float] = Field(default_factory=dict)

    def in_force(self) -> frozenset[str]:
        """Provisions in force, with ``bound:XX`` for each bound party."""
        bound = {f"bound:{p}" for p, o in self.parties.items() if o.bound}
        return frozenset(self.provisions) | bound


def make_outcome(data: Mapping[str, Any], *, source: str = "<outcome>") -> TreatyOutcome:
    """Validate a mapping into a :class:`TreatyOutcome`; errors name the source and field."""
    try:
        return TreatyOutcome.model_validate(dict(data))
    except ValidationError as exc:
        raise from_validation_error(exc, source) from exc


@dataclass(frozen=True)
class UtilityBreakdown:
    """Utility of one outcome for one party, relative to no deal, with every term."""

    party: str
    label: str
    terms: dict[str, float]

    @property
    def total(self) -> float:
        return float(sum(self.terms.values()))

    def to_dict(self) -> dict[str, Any]:
        return {"party": self.party, "label": self.label, "terms": self.terms, "total": self.total}


def _require(outcome: TreatyOutcome, party: str, what: str) -> PartyOutcome:
    if party not in outcome.parties:
        raise InputError(
            f"{what} {outcome.label!r} has no record for {party}",
            field=f"parties.{party}",
            expected="a record for every party with a profile",
        )
    return outcome.parties[party]


def _ratio(x: float, ref: float) -> float:
    return x / ref if ref > 0 else 0.0


def _security(profile: Profile, o: PartyOutcome, what: str, label: str) -> dict[str, float]:
    out = {}
    for target in profile.security:
        if target not in o.retaliation:
            raise InputError(
                f"{what} {label!r}: no retaliation ratio of {profile.party} against {target}",
                field=f"parties.{profile.party}.retaliation.{target}",
                expected="a ratio >= 0 for every security term of the profile",
            )
        out[target] = min(o.retaliation[target], 1.0)
    return out


def _parity_reference(profile: Profile, outcome: TreatyOutcome, what: str) -> float:
    norm = profile.status.parity
    if norm is None:
        return 0.0
    ref = sum(_require(outcome, p, what).deployed_warheads for p in norm.compare_with)
    for third in norm.include_third_parties:
        if third not in outcome.third_party_warheads:
            raise InputError(
                f"{what} {outcome.label!r} lacks warheads of {third}",
                field=f"third_party_warheads.{third}",
                expected=f"a count for {third} (the {profile.party} profile compares with it)",
            )
        ref += outcome.third_party_warheads[third]
    return ref


def utility(profile: Profile, outcome: TreatyOutcome, no_deal: TreatyOutcome) -> UtilityBreakdown:
    """Term-by-term utility of ``outcome`` for ``profile.party`` relative to ``no_deal``.

    Pure function of validated records; terms and units as in the module docstring (the
    utility unit is arbitrary, set by the profile's weights).
    """
    p = profile.party
    o = _require(outcome, p, "outcome")
    n = _require(no_deal, p, "no-deal point")
    terms: dict[str, float] = {}

    sec_o = _security(profile, o, "outcome", outcome.label)
    sec_n = _security(profile, n, "no-deal point", no_deal.label)
    for target, j in profile.security.items():
        terms[f"security:{target}"] = j.value * (sec_o[target] - sec_n[target])

    w0 = n.deployed_warheads
    l0 = n.launchers
    terms["cost:warheads"] = -profile.cost.warheads.value * (
        _ratio(o.deployed_warheads, w0) - _ratio(n.deployed_warheads, w0)
    )
    terms["cost:launchers"] = -profile.cost.launchers.value * (
        _ratio(o.launchers, l0) - _ratio(n.launchers, l0)
    )

    if profile.status.parity is not None:

        def shortfall(x: TreatyOutcome, own: PartyOutcome, what: str) -> float:
            return _ratio(max(0.0, _parity_reference(profile, x, what) - own.deployed_warheads), w0)

        terms["status:parity"] = -profile.status.parity.weight.value * (
            shortfall(outcome, o, "outcome") - shortfall(no_deal, n, "no-deal point")
        )

    if profile.status.order is not None:

        def violation(x: TreatyOutcome, own: PartyOutcome) -> float:
            cut = 1.0 - _ratio(own.deployed_warheads, w0) if w0 > 0 else 0.0
            larger = any(
                q != p and r.deployed_warheads > own.deployed_warheads for q, r in x.parties.items()
            )
            return max(0.0, cut) if larger else 0.0

        terms["status:order"] = -profile.status.order.weight.value * (
            violation(outcome, o) - violation(no_deal, n)
        )

    in_o, in_n = outcome.in_force(), no_deal.in_force()
    for prov, j in profile.linkage.items():
        terms[f"linkage:{prov}"] = j.value * (float(prov in in_o) - float(prov in in_n))

    terms["transparency"] = -profile.transparency.value * (o.transparency - n.transparency)
    for observed, j in profile.assurance.items():
        # insight comes through a regime the observer is in: no more than it shows itself
        seen_o = min(o.transparency, _require(outcome, observed, "outcome").transparency)
        seen_n = min(n.transparency, _require(no_deal, observed, "no-deal point").transparency)
        terms[f"assurance:{observed}"] = j.value * (seen_o - seen_n)
    return UtilityBreakdown(party=p, label=outcome.label, terms=terms)


@dataclass(frozen=True)
class UtilityTable:
    """Utilities of many outcomes for every party (relative to no deal, so d = 0)."""

    parties: tuple[str, ...]
    labels: tuple[str, ...]
    breakdowns: tuple[tuple[UtilityBreakdown, ...], ...]  # [party][outcome]

    @property
    def matrix(self) -> NDArray[np.float64]:
        """Total utilities, shape (parties, outcomes): the input of the bargaining solvers."""
        return np.array([[b.total for b in row] for row in self.breakdowns], dtype=float)

    @property
    def disagreement(self) -> NDArray[np.float64]:
        """The no-deal utilities: zero for every party by construction."""
        return np.zeros(len(self.parties))

    def to_frame(self) -> pd.DataFrame:
        """Long table: party, outcome index, label, term, value (one row per term)."""
        rows = []
        for row in self.breakdowns:
            for k, b in enumerate(row):
                for term, v in b.terms.items():
                    rows.append(
                        {"party": b.party, "outcome": k, "label": b.label, "term": term, "value": v}
                    )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "labels": list(self.labels),
            "matrix": self.matrix.tolist(),
            "breakdowns": [[b.to_dict() for b in row] for row in self.breakdowns],
        }


def utility_table(
    profiles: Mapping[str, Profile],
    outcomes: Sequence[TreatyOutcome],
    no_deal: TreatyOutcome,
) -> UtilityTable:
    """Evaluate :func:`utility` for every party (profile order) and every outcome."""
    parties = tuple(profiles)
    rows = tuple(tuple(utility(profiles[p], o, no_deal) for o in outcomes) for p in parties)
    return UtilityTable(
        parties=parties,
        labels=tuple(o.label or f"#{k}" for k, o in enumerate(outcomes)),
        breakdowns=rows,
    )
