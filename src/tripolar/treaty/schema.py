"""The treaty format: pydantic models behind the treaty YAML files and their JSON Schema.

A treaty names its parties, its counting rules (how warheads and launchers are counted),
its limits (what is limited, the ceiling per party, and a schedule of dates), and its
verification provisions. ``tripolar treaty schema`` prints the JSON Schema generated
from these models; the built-in treaties in ``tripolar/treaty/builtin/`` are examples.

Ceilings come in five forms, per limit or per party:

- a number (``1550``): the same ceiling for every party it applies to;
- ``{freeze_at: 2025}``: the party's own count at the baseline year, under the treaty's
  counting rules (computed from the dataset's posture for that year);
- ``{cut_from: 2025, fraction: 0.3}``: the baseline count reduced by a fraction;
- ``{at_most_sum_of: [RU, CN], plus: 0}``: a combined ceiling, the current counts of other
  parties added up (e.g. "the US may match Russia and China together");
- ``null`` in ``per_party``: the party is exempt from this limit.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tripolar.errors import MAX_COUNT, MAX_ID_CHARS, MAX_TEXT_CHARS
from tripolar.forces import STATES

Quantity = Literal[
    "deployed_warheads",
    "deployed_launchers",
    "total_launchers",
    "nondeployed_launchers",
    "icbm_warheads",
    "slbm_warheads",
    "ballistic_missile_warheads",
    "heavy_icbm_warheads",
    "heavy_icbm_launchers",
    "mobile_icbm_warheads",
    "stockpile_warheads",
    "nonstrategic_warheads",
]

QUANTITY_HELP: dict[str, str] = {
    "deployed_warheads": "warheads on deployed ICBMs and SLBMs plus warheads counted for "
    "deployed heavy bombers (per the counting rules)",
    "deployed_launchers": "deployed ICBMs, deployed SLBMs and deployed heavy bombers",
    "total_launchers": "deployed and non-deployed ICBM launchers, SLBM launchers and heavy bombers",
    "nondeployed_launchers": "non-deployed ICBM launchers, SLBM launchers and heavy bombers",
    "icbm_warheads": "warheads counted on deployed ICBMs",
    "slbm_warheads": "warheads counted on deployed SLBMs",
    "ballistic_missile_warheads": "warheads counted on deployed ICBMs and SLBMs",
    "heavy_icbm_warheads": "warheads counted on deployed heavy ICBMs (SS-18, Sarmat)",
    "heavy_icbm_launchers": "deployed heavy ICBMs",
    "mobile_icbm_warheads": "warheads counted on deployed mobile (road or rail) ICBMs",
    "stockpile_warheads": "all warheads in the military stockpile (deployed and reserve, "
    "strategic and, if the rules include them, non-strategic)",
    "nonstrategic_warheads": "non-strategic warheads (deployed and in storage)",
}


class _Strict(BaseModel):
    # Finite numbers only, and bounded text: see tripolar.errors for the limits.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_max_length=MAX_TEXT_CHARS)


#: A count or a ceiling: a finite number from 0 to MAX_COUNT.
Count = Annotated[float, Field(ge=0, le=MAX_COUNT)]


class Citation(_Strict):
    """A publication the treaty definition rests on."""

    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    source_id: str | None = Field(
        default=None, description="id in the dataset's sources table, where it is one"
    )


class CountingRules(_Strict):
    """How warheads are counted.

    - ``ballistic_missile_warheads``: ``as_loaded`` counts the reentry vehicles actually
      emplaced (New START); ``attributed`` counts a fixed number per missile type (START I),
      from ``attribution`` or, where a type is missing there, the dataset's maximum
      warheads per launcher.
    - ``heavy_bomber_warheads``: ``one_per_bomber`` (New START), ``as_loaded`` (the weapons
      assigned to the bombers; FAS counts those at bomber bases as deployed), or
      ``attributed`` (a fixed number per bomber type, START I style, from
      ``bomber_attribution``, defaulting to the bomber's maximum load).
    - ``include_nonstrategic``: add deployed non-strategic warheads to deployed-warhead
      limits, and keep non-strategic warheads in stockpile limits.
    - ``include_retired``: count retired warheads awaiting dismantlement in stockpile limits.
    """

    ballistic_missile_warheads: Literal["as_loaded", "attributed"] = "as_loaded"
    attribution: dict[str, Count] = Field(default_factory=dict)
    heavy_bomber_warheads: Literal["one_per_bomber", "as_loaded", "attributed"] = "one_per_bomber"
    bomber_attribution: dict[str, Count] = Field(default_factory=dict)
    include_nonstrategic: bool = False
    include_retired: bool = False

    @field_validator("attribution", "bomber_attribution")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        for k, n in v.items():
            if n < 0:
                raise ValueError(f"attribution for {k} must be >= 0")
        return v


class Freeze(_Strict):
    freeze_at: int = Field(description="baseline year: the ceiling is the party's count then")


class Cut(_Strict):
    cut_from: int = Field(description="baseline year of the reduction")
    fraction: float = Field(ge=0.0, le=1.0, description="share of the baseline count removed")


class SumOf(_Strict):
    at_most_sum_of: list[str] = Field(min_length=1)
    plus: float = Field(default=0.0, ge=-MAX_COUNT, le=MAX_COUNT)

    @field_validator("at_most_sum_of")
    @classmethod
    def _states(cls, v: list[str]) -> list[str]:
        out = [s.upper() for s in v]
        for s in out:
            if s not in STATES:
                raise ValueError(f"unknown state {s!r}")
        return out


Ceiling = Count | Freeze | Cut | SumOf


class ScheduleStep(_Strict):
    """From ``date`` on, the limit's ceiling becomes ``ceiling`` (and ``per_party``)."""

    date: dt.date
    ceiling: Ceiling | None = None
    per_party: dict[str, Ceiling | None] = Field(default_factory=dict)


class Limit(_Strict):
    """One numerical limit (a central limit or a sub-limit)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_ID_CHARS)
    quantity: Quantity
    description: str = ""
    ceiling: Ceiling | None = None
    per_party: dict[str, Ceiling | None] = Field(default_factory=dict)
    applies_to: list[str] | None = Field(
        default=None, description="parties bound by this limit (default: all parties)"
    )
    applies_from: dt.date | None = Field(
        default=None, description="date the limit must be met (default: the treaty's)"
    )
    schedule: list[ScheduleStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_ceiling(self) -> Limit:
        if self.ceiling is None and not self.per_party and not self.schedule:
            raise ValueError(f"limit {self.id!r} has no ceiling, per_party or schedule")
        dates = [s.date for s in self.schedule]
        if dates != sorted(dates):
            raise ValueError(f"schedule of limit {self.id!r} must be in date order")
        return self


class InspectionQuota(_Strict):
    per_year: int = Field(ge=0, le=MAX_COUNT)
    description: str = ""


class VerificationProvisions(_Strict):
    """What the treaty provides for verification (used by ``tripolar verify``)."""

    data_exchanges_per_year: int = Field(default=0, ge=0, le=MAX_COUNT)
    inspections_per_year: dict[str, Annotated[int, Field(le=MAX_COUNT)]] = Field(
        default_factory=dict, description="quota per inspection type, e.g. type_one: 10"
    )
    inspection_types: dict[str, str] = Field(
        default_factory=dict, description="what each inspection type covers"
    )
    notifications: bool = False
    unique_identifiers: bool = False
    notes: str = ""

    @field_validator("inspections_per_year")
    @classmethod
    def _non_negative(cls, v: dict[str, int]) -> dict[str, int]:
        for k, n in v.items():
            if n < 0:
                raise ValueError(f"inspection quota {k} must be >= 0")
        return v

    @property
    def total_inspections_per_year(self) -> int:
        return sum(self.inspections_per_year.values())


class Treaty(_Strict):
    """A treaty (signed or proposed): parties, counting rules, limits, verification."""

    # No MAX_ID_CHARS here: the store's own limit on treaty ids (200 characters) applies
    # and names the store's field; the text limit bounds it in any case.
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    kind: Literal["signed", "proposal", "user"] = "user"
    description: str = ""
    signed: dt.date | None = None
    entry_into_force: dt.date | None = None
    compliance_date: dt.date | None = Field(
        default=None, description="date by which the central limits must be met"
    )
    expired: dt.date | None = None
    baseline_year: int = Field(
        default=2025, description="year of the postures the treaty is assessed against"
    )
    parties: list[str] = Field(min_length=1)
    counting: CountingRules = Field(default_factory=CountingRules)
    limits: list[Limit] = Field(min_length=1)
    verification: VerificationProvisions = Field(default_factory=VerificationProvisions)
    citations: list[Citation] = Field(default_factory=list)
    notes: str = ""

    @field_validator("parties")
    @classmethod
    def _parties(cls, v: list[str]) -> list[str]:
        out = [s.upper() for s in v]
        for s in out:
            if s not in STATES:
                raise ValueError(f"unknown state {s!r}; expected one of {', '.join(STATES)}")
        if len(set(out)) != len(out):
            raise ValueError("parties must not repeat")
        return out

    @model_validator(mode="after")
    def _consistent(self) -> Treaty:
        ids = [lim.id for lim in self.limits]
        if len(set(ids)) != len(ids):
            raise ValueError("limit ids must be unique")
        for lim in self.limits:
            named = list(lim.per_party)
            for step in lim.schedule:
                named += list(step.per_party)
            named += lim.applies_to or []
            for ceil in [lim.ceiling, *lim.per_party.values()] + [
                c for s in lim.schedule for c in [s.ceiling, *s.per_party.values()]
            ]:
                if isinstance(ceil, SumOf):
                    named += ceil.at_most_sum_of
            for p in named:
                if p.upper() not in self.parties:
                    raise ValueError(f"limit {lim.id!r} names {p!r}, which is not a party")
        return self

    def limit(self, limit_id: str) -> Limit:
        for lim in self.limits:
            if lim.id == limit_id:
                return lim
        raise KeyError(limit_id)

    # -- convenience API (see tripolar.treaty.counting) --------------------------------
    @classmethod
    def from_yaml(cls, path: str) -> Treaty:
        """Load and validate a treaty YAML file."""
        from tripolar.treaty.io import load_treaty_file

        return load_treaty_file(path)

    def count(self, posture, **kwargs):
        """Count one party's posture under this treaty (see :func:`count_posture`)."""
        from tripolar.treaty.counting import count_posture

        return count_posture(self, posture, **kwargs)

    def evaluate(self, postures=None, **kwargs):
        """Counts, ceilings and compliance for every party (see :func:`evaluate`)."""
        from tripolar.treaty.compliance import evaluate

        return evaluate(self, postures, **kwargs)


def treaty_json_schema() -> dict[str, object]:
    """The JSON Schema of the treaty format."""
    schema = Treaty.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tripolar treaty"
    return schema
