"""Postures: one party's forces on a date, in the terms treaties count.

A :class:`Posture` lists, per delivery system, the deployed launchers with the warheads
loaded on them, the non-deployed, test and converted launchers, the non-deployed
missiles, and optionally the party's stockpile figures. It is what a treaty counts
(:mod:`tripolar.treaty.counting`) and what the exchange models target.

Conventions (New START's definitions, Protocol Part One, as summarised by the State
Department fact sheet of 2 Aug 2010 [S14] and CRS R41219 [S15]):

- A *launcher* is an ICBM silo or mobile launcher, an SLBM launch tube, or a heavy bomber.
- A *deployed* launcher contains a missile (bombers: any nuclear-equipped heavy bomber
  that is not a test bomber or at a repair or production facility).
- *Non-deployed* launchers are empty silos and tubes, launchers in maintenance, and test
  and training launchers; ``test_launchers`` is the part of ``nondeployed_launchers`` that
  is for test or training (a subset, shown separately, not added again).
- *Converted* launchers (tubes deactivated, bombers converted to conventional-only) are no
  longer accountable; they matter for upload (reconversion).
- ``warheads_loaded`` is the number of reentry vehicles actually emplaced on the deployed
  missiles of the system, or for bombers the weapons assigned to the deployed bombers
  (FAS counts bomber weapons stored at bomber bases as deployed).

Every figure is a :class:`tripolar.ranges.Range`. A figure that is not public is ``None``;
counts that need it are then reported as unknown rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from tripolar.errors import MAX_COUNT, MAX_ID_CHARS, MAX_TEXT_CHARS, InputError
from tripolar.ranges import ZERO, Range

_M = TypeVar("_M", bound=BaseModel)

#: ISO-like codes of the nine nuclear-armed states, as used throughout tripolar.
STATES: tuple[str, ...] = ("US", "RU", "CN", "GB", "FR", "IN", "PK", "IL", "KP")
#: The three parties of a trilateral treaty, in tripolar's order (US, Russia, China).
TRILATERAL: tuple[str, ...] = ("US", "RU", "CN")
STATE_NAMES: dict[str, str] = {
    "US": "United States",
    "RU": "Russia",
    "CN": "China",
    "GB": "United Kingdom",
    "FR": "France",
    "IN": "India",
    "PK": "Pakistan",
    "IL": "Israel",
    "KP": "North Korea",
}

Category = Literal["icbm", "slbm", "bomber", "nonstrategic"]
CATEGORIES: tuple[str, ...] = ("icbm", "slbm", "bomber", "nonstrategic")
STRATEGIC_CATEGORIES: tuple[str, ...] = ("icbm", "slbm", "bomber")


def check_state(code: str, *, file: str | None = None, field: str = "state") -> str:
    """Return the upper-cased state code or raise :class:`InputError`."""
    up = str(code).strip().upper()
    if up not in STATES:
        raise InputError(
            f"unknown state {code!r}",
            file=file,
            field=field,
            expected="one of " + ", ".join(STATES),
        )
    return up


_BOMBER_ALIASES = {
    "deployed_bombers": "deployed_launchers",
    "nondeployed_bombers": "nondeployed_launchers",
    "test_bombers": "test_launchers",
    "converted_bombers": "converted_launchers",
    "weapons_loaded": "warheads_loaded",
}


#: Largest yield accepted, kilotons: twice the largest device ever tested (50 Mt).
MAX_YIELD_KT = 100_000.0
#: Largest CEP accepted, metres (100 km: far beyond any ballistic missile's).
MAX_CEP_M = 100_000.0

_FIGURE_BOUNDS: dict[str, tuple[float, str]] = {
    "yield_kt": (MAX_YIELD_KT, "kilotons"),
    "cep_m": (MAX_CEP_M, "metres"),
}


def _bounded(v: Range | None, name: str) -> Range | None:
    """Refuse non-finite and absurd figures (``.inf`` would make any ceiling 'exceeded' or a
    JSON output invalid; 1e300 launchers is a typo)."""
    if v is None:
        return v
    top, unit = _FIGURE_BOUNDS.get(name, (float(MAX_COUNT), ""))
    for end in (v.low, v.value, v.high):
        if not math.isfinite(end):
            raise ValueError("must be a finite number")
        if end < 0:
            raise ValueError("must not be negative")
        if end > top:
            raise ValueError(f"must be at most {top:,.0f}{' ' + unit if unit else ''}")
    return v


class SystemHolding(BaseModel):
    """One delivery system (or one leg, where only leg totals are public) in a posture."""

    model_config = ConfigDict(extra="forbid", str_max_length=MAX_TEXT_CHARS)

    system_id: str = Field(max_length=MAX_ID_CHARS)
    name: str = ""
    category: Category
    basing: str = ""
    heavy: bool = False
    level: Literal["system", "leg"] = "system"
    deployed_launchers: Range | None = ZERO
    warheads_loaded: Range | None = ZERO
    nondeployed_launchers: Range | None = ZERO
    test_launchers: Range | None = ZERO
    converted_launchers: Range | None = ZERO
    nondeployed_missiles: Range | None = ZERO
    warheads_per_launcher_max: Range | None = None
    yield_kt: Range | None = None
    cep_m: Range | None = None
    sources: list[str] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _bomber_words(cls, data: Any) -> Any:
        """Heavy bombers may be written in treaty words: deployed_bombers, ..."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for alias, name in _BOMBER_ALIASES.items():
            if alias in out:
                if name in out:
                    raise ValueError(f"give either {alias} or {name}, not both")
                out[name] = out.pop(alias)
        return out

    @field_validator(
        "deployed_launchers",
        "warheads_loaded",
        "nondeployed_launchers",
        "test_launchers",
        "converted_launchers",
        "nondeployed_missiles",
        "warheads_per_launcher_max",
        "yield_kt",
        "cep_m",
    )
    @classmethod
    def _figures(cls, v: Range | None, info: Any) -> Range | None:
        return _bounded(v, info.field_name)

    @property
    def is_bomber(self) -> bool:
        return self.category == "bomber"

    @property
    def total_launchers(self) -> Range | None:
        """Deployed plus non-deployed launchers (accountable launchers)."""
        if self.deployed_launchers is None or self.nondeployed_launchers is None:
            return None
        return self.deployed_launchers + self.nondeployed_launchers


_new = object.__new__
# A model's instance state, set as pydantic's own construction sets it (see Range).
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def copy_with(m: _M, update: dict[str, Any]) -> _M:
    """``m.model_copy(update=update)`` for models without extra or private attributes (the
    records here), without its generic machinery: the same instance state (fields, fields
    set), so the copy is equal to, hashes and pickles like the one ``model_copy`` makes.
    Updates are not validated there either."""
    if m.__pydantic_private__ is not None or m.__pydantic_extra__ is not None:
        return m.model_copy(update=update)
    out = _new(type(m))
    d = m.__dict__.copy()
    d.update(update)
    _set_dict(out, d)
    _set_extra(out, None)
    fields_set = set(m.__pydantic_fields_set__)
    fields_set.update(update)
    _set_fields_set(out, fields_set)
    _set_private(out, None)
    return out


_CATEGORY_SET = frozenset(CATEGORIES)
#: SystemHolding's field defaults in field order, and the fields built by a factory.
_HOLDING_DEFAULTS: dict[str, Any] = {
    name: f.default for name, f in SystemHolding.model_fields.items()
}
_HOLDING_FACTORIES: tuple[tuple[str, Any], ...] = tuple(
    (name, f.default_factory)
    for name, f in SystemHolding.model_fields.items()
    if f.default_factory is not None
)


def _in_bounds(r: Range) -> bool:
    """What :func:`_bounded` accepts for a count (finite, non-negative, at most MAX_COUNT)."""
    top = float(MAX_COUNT)
    return 0.0 <= r.low <= top and 0.0 <= r.value <= top and 0.0 <= r.high <= top


def pooled_holding(
    system_id: str, category: str, basing: str, deployed_launchers: Range, warheads_loaded: Range
) -> SystemHolding:
    """``SystemHolding(system_id=..., category=..., basing=..., level="system",
    deployed_launchers=..., warheads_loaded=...)``: the same instance state, built without
    validation where the inputs pass it as they are (else through it, with its error).

    For the classes the exchange pools a category into, one per category of every cut."""
    if (
        type(system_id) is str
        and type(basing) is str
        and len(system_id) <= MAX_ID_CHARS
        and len(basing) <= MAX_TEXT_CHARS
        and category in _CATEGORY_SET
        and type(deployed_launchers) is Range
        and type(warheads_loaded) is Range
        and _in_bounds(deployed_launchers)
        and _in_bounds(warheads_loaded)
    ):
        d = dict(_HOLDING_DEFAULTS)
        for name, factory in _HOLDING_FACTORIES:
            d[name] = factory()
        d["system_id"] = system_id
        d["category"] = category
        d["basing"] = basing
        d["level"] = "system"
        d["deployed_launchers"] = deployed_launchers
        d["warheads_loaded"] = warheads_loaded
        out = _new(SystemHolding)
        _set_dict(out, d)
        _set_extra(out, None)
        _set_fields_set(out, set(_POOLED_FIELDS))
        _set_private(out, None)
        return out
    return SystemHolding(
        system_id=system_id,
        category=category,
        basing=basing,
        level="system",
        deployed_launchers=deployed_launchers,
        warheads_loaded=warheads_loaded,
    )


_POOLED_FIELDS = frozenset(
    ("system_id", "category", "basing", "level", "deployed_launchers", "warheads_loaded")
)


class StockpileFigures(BaseModel):
    """Warhead totals of a party (FAS/SIPRI terms; see :mod:`tripolar.data`)."""

    model_config = ConfigDict(extra="forbid", str_max_length=MAX_TEXT_CHARS)

    military_stockpile: Range | None = None
    deployed_strategic: Range | None = None
    deployed_nonstrategic: Range | None = None
    reserve: Range | None = None
    nonstrategic_total: Range | None = None
    retired: Range | None = None
    sources: list[str] = Field(default_factory=list)

    @field_validator(
        "military_stockpile",
        "deployed_strategic",
        "deployed_nonstrategic",
        "reserve",
        "nonstrategic_total",
        "retired",
    )
    @classmethod
    def _figures(cls, v: Range | None, info: Any) -> Range | None:
        return _bounded(v, info.field_name)


class AggregateFigure(BaseModel):
    """A party-level figure used when the per-system figures do not add up to a count.

    ``rule`` says how it was counted: ``new_start`` for a declared New START aggregate
    (State Department / Russian MFA data exchanges), ``fas_deployed`` for the FAS/SIPRI
    estimate of deployed strategic warheads (bomber weapons at bases counted as loaded).
    """

    model_config = ConfigDict(extra="forbid", str_max_length=MAX_TEXT_CHARS)

    quantity: str = Field(max_length=MAX_ID_CHARS)
    value: Range
    rule: Literal["new_start", "fas_deployed"]
    as_of: dt.date
    sources: list[str] = Field(default_factory=list)
    #: the figure's grade in the dataset (A, B, C or R; None when not from the dataset)
    grade: str | None = None
    note: str = ""

    @field_validator("value")
    @classmethod
    def _figure(cls, v: Range) -> Range | None:
        return _bounded(v, "value")


class Posture(BaseModel):
    """One party's forces on one date."""

    model_config = ConfigDict(extra="forbid", str_max_length=MAX_TEXT_CHARS)

    party: str
    date: dt.date
    description: str = ""
    systems: list[SystemHolding] = Field(default_factory=list)
    stockpile: StockpileFigures = Field(default_factory=StockpileFigures)
    aggregates: list[AggregateFigure] = Field(
        default_factory=list,
        description="party-level figures by treaty quantity (deployed_warheads, "
        "deployed_launchers, total_launchers), used where the per-system figures are "
        "incomplete",
    )
    sources: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @field_validator("party")
    @classmethod
    def _party_known(cls, v: str) -> str:
        up = v.strip().upper()
        if up not in STATES:
            raise ValueError("unknown state code; expected one of " + ", ".join(STATES))
        return up

    def holdings(
        self, categories: tuple[str, ...] | list[str] | None = None
    ) -> list[SystemHolding]:
        """Holdings of the given categories (all if ``None``)."""
        if categories is None:
            return list(self.systems)
        return [s for s in self.systems if s.category in categories]

    def without(self, system_id: str) -> Posture:
        """A copy of the posture with one system removed."""
        return self.model_copy(
            update={"systems": [s for s in self.systems if s.system_id != system_id]}
        )

    def to_frame(self):
        """The holdings as a pandas DataFrame (one row per system, central values)."""
        import pandas as pd

        rows = []
        for s in self.systems:
            row: dict[str, object] = {
                "system_id": s.system_id,
                "category": s.category,
                "level": s.level,
            }
            for f in (
                "deployed_launchers",
                "warheads_loaded",
                "nondeployed_launchers",
                "test_launchers",
                "converted_launchers",
            ):
                r = getattr(s, f)
                row[f] = None if r is None else r.value
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")

    def _repr_html_(self) -> str:
        head = f"<p><b>{STATE_NAMES.get(self.party, self.party)}</b>, {self.date}</p>"
        return head + str(self.to_frame().to_html(index=False))
