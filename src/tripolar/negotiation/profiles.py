"""Party profiles: the weights each party is assumed to put on the terms of a treaty.

A profile (``negotiation/profiles/{US,RU,CN}.yaml``) holds, for one party, weights on
security (survivable retaliation against each other party and against the two together),
cost (warheads and launchers kept), status norms (numerical parity with named parties,
possibly counting third-party forces; "largest arsenals cut first"), linkages to other
provisions (inclusion of China, accounting of UK/French forces, missile-defence limits),
the cost of transparency (showing its own forces) and, per observed party, the value of
assurance (seeing that party's forces). Every weight is a **judgement by the tripolar
authors, not data**: each carries the public statement it is traceable to and that
statement's source ids (``S..`` from the forces register, ``P..`` from the literature
list). Utility units are
arbitrary; only the ratios within one profile matter for Nash and Kalai–Smorodinsky.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tripolar.data.schema import SOURCE_ID_RE
from tripolar.errors import MAX_TEXT_CHARS, InputError, from_validation_error
from tripolar.forces.records import TRILATERAL
from tripolar.io_yaml import load_yaml_file, resolve_named_file

PROFILE_DIR = Path(__file__).with_name("profiles")
COALITION = "coalition"

_PARTY_RE = re.compile(r"^[A-Z]{2,3}$")


class _Strict(BaseModel):
    # Finite numbers only, and bounded text: see tripolar.errors for the limits.
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, str_max_length=MAX_TEXT_CHARS
    )


class Judgement(_Strict):
    """A weight: a judgement, with the public statement it is traceable to."""

    value: float
    basis: Literal["judgement"] = "judgement"
    statement: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _ids(self) -> Judgement:
        for s in self.sources:
            if not SOURCE_ID_RE.match(s):
                raise ValueError(f"source id {s!r} is not of the form S01, S02b")
        if self.value != self.value or abs(self.value) == float("inf"):
            raise ValueError("weight must be a finite number")
        return self


class CostTerms(_Strict):
    warheads: Judgement
    launchers: Judgement


class ParityNorm(_Strict):
    """Numerical parity: no shortfall against the sum of ``compare_with`` (+ third parties)."""

    weight: Judgement
    compare_with: list[str] = Field(min_length=1)
    include_third_parties: list[str] = Field(default_factory=list)


class OrderNorm(_Strict):
    """ "Largest arsenals cut first": own cuts count against the deal while a larger arsenal
    remains larger after the deal."""

    weight: Judgement


class StatusTerms(_Strict):
    parity: ParityNorm | None = None
    order: OrderNorm | None = None


class Profile(_Strict):
    """Validated profile of one party."""

    party: str
    name: str
    note: str = ""
    security: dict[str, Judgement] = Field(min_length=1)
    cost: CostTerms
    status: StatusTerms = StatusTerms()
    linkage: dict[str, Judgement] = Field(default_factory=dict)
    transparency: Judgement
    #: Value of insight into each observed party's forces (its transparency level); a
    #: profile without it values other parties' transparency at nothing.
    assurance: dict[str, Judgement] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        if not _PARTY_RE.match(self.party):
            raise ValueError(f"party {self.party!r} is not a 2-3 letter upper-case code")
        if self.party in self.security:
            raise ValueError("security lists the party itself")
        for key in self.security:
            if key != COALITION and not _PARTY_RE.match(key):
                raise ValueError(f"security key {key!r} is neither a party code nor 'coalition'")
        for key in self.assurance:
            if key == self.party or not _PARTY_RE.match(key):
                raise ValueError(f"assurance key {key!r} is not another party's code")
        for name, w in self.weights().items():
            if not name.startswith("linkage.") and w < 0:
                raise ValueError(f"weight {name} is negative ({w}); only linkages may be")
        return self

    def weights(self) -> dict[str, float]:
        """All weights by dotted name (``security.RU``, ``cost.warheads``, ``status.parity``,
        ``status.order``, ``linkage.<provision>``, ``transparency``, ``assurance.<party>``)."""
        out = {f"security.{k}": j.value for k, j in self.security.items()}
        out["cost.warheads"] = self.cost.warheads.value
        out["cost.launchers"] = self.cost.launchers.value
        if self.status.parity is not None:
            out["status.parity"] = self.status.parity.weight.value
        if self.status.order is not None:
            out["status.order"] = self.status.order.weight.value
        out.update({f"linkage.{k}": j.value for k, j in self.linkage.items()})
        out["transparency"] = self.transparency.value
        out.update({f"assurance.{k}": j.value for k, j in self.assurance.items()})
        return out

    def judgements(self) -> dict[str, Judgement]:
        """The :class:`Judgement` behind each weight, by the names of :meth:`weights`."""
        out = {f"security.{k}": j for k, j in self.security.items()}
        out["cost.warheads"] = self.cost.warheads
        out["cost.launchers"] = self.cost.launchers
        if self.status.parity is not None:
            out["status.parity"] = self.status.parity.weight
        if self.status.order is not None:
            out["status.order"] = self.status.order.weight
        out.update({f"linkage.{k}": j for k, j in self.linkage.items()})
        out["transparency"] = self.transparency
        out.update({f"assurance.{k}": j for k, j in self.assurance.items()})
        return out

    def with_weights(self, overrides: Mapping[str, float]) -> Profile:
        """A copy with some weights replaced (names as in :meth:`weights`)."""
        unknown = set(overrides) - set(self.weights())
        if unknown:
            raise InputError(
                f"unknown weight(s) {sorted(unknown)} for {self.party}",
                field="weights",
                expected="one of " + ", ".join(self.weights()),
            )
        data: dict[str, Any] = self.model_dump()
        for name, value in overrides.items():
            head, _, tail = name.partition(".")
            if head == "transparency":
                data["transparency"]["value"] = value
            elif head == "status":
                data["status"][tail]["weight"]["value"] = value
            else:
                data[head][tail]["value"] = value
        return Profile.model_validate(data)


def list_profiles() -> list[str]:
    """Party codes of the bundled profiles."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile(party_or_path: str | Path) -> Profile:
    """Load the bundled profile of a party (``US``) or a profile YAML file by path."""
    path = resolve_named_file(
        party_or_path, PROFILE_DIR, kind="profile", field="party", unknown="no profile for {name!r}"
    )
    raw = load_yaml_file(path)
    if not isinstance(raw, dict):
        raise InputError("profile file is not a mapping", file=path, expected="a YAML mapping")
    try:
        return Profile.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, path) from exc


def load_profiles(parties: tuple[str, ...] = TRILATERAL) -> dict[str, Profile]:
    """Bundled profiles of ``parties``, keyed by party code."""
    return {p: load_profile(p) for p in parties}
