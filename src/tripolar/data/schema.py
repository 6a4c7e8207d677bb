"""Row schemas of the bundled dataset tables (one pydantic model per CSV file).

The tables and their columns are documented for readers in ``docs/data.md``. Every
numeric figure carries ``source_ids`` (``;``-separated ids of ``sources.csv``), a ``grade``
(A official or FAS/SIPRI text read; B faithful secondary report; C unsourced claim, used
only as bounds; R recalled from the publication but not checked against its text) and a
``basis`` (published, derived with the rule in ``note``, or assumed).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator, model_validator

from tripolar.errors import MAX_COUNT

Grade = Literal["A", "B", "C", "R"]
Basis = Literal["published", "derived", "assumed"]

StockpileMetric = Literal[
    "total_inventory",
    "military_stockpile",
    "deployed_strategic",
    "deployed_nonstrategic",
    "reserve",
    "retired",
]
SystemQuantity = Literal[
    "launchers_deployed",
    "launchers_nondeployed",
    "launchers_total",
    "launchers_test",
    "bombers_converted",
    "missiles_nondeployed",
    "boats",
    "tubes_per_boat",
    "warheads_per_launcher_max",
    "warheads_per_launcher_loaded",
    "warheads_assigned",
    "warheads_deployed",
    "yield_kt",
    "cep_m",
    "range_km",
    "year_in_service",
]
TargetType = Literal[
    "silo_field", "ssbn_base", "bomber_base", "mobile_icbm_garrison", "storage_site"
]
TargetQuantity = Literal["aim_points", "silos_loaded", "boats", "launchers", "hardness_psi"]
ExchangeQuantity = Literal["deployed_launchers", "warheads", "total_launchers"]

STOCKPILE_METRICS: tuple[str, ...] = get_args(StockpileMetric)
SYSTEM_QUANTITIES: tuple[str, ...] = get_args(SystemQuantity)
TARGET_TYPES: tuple[str, ...] = get_args(TargetType)
TARGET_QUANTITIES: tuple[str, ...] = get_args(TargetQuantity)
EXCHANGE_QUANTITIES: tuple[str, ...] = get_args(ExchangeQuantity)

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: The one rule for a source id (``S01``, ``S02b``): every table, profile and scenario uses it.
SOURCE_ID_RE = re.compile(r"^S\d+[a-z0-9]*$")
_SRC_RE = SOURCE_ID_RE


def _split_ids(v: object) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list):
        return [str(x) for x in v]
    text = str(v).strip()
    if not text:
        return []
    ids = [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]
    for i in ids:
        if not _SRC_RE.match(i):
            raise ValueError(f"malformed source id {i!r} (expected like S01 or S02b)")
    return ids


#: ``;``-separated source ids in a CSV cell, parsed into a list and checked for form.
SourceIds = Annotated[list[str], BeforeValidator(_split_ids)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class _Figure(_Row):
    """Common columns of a figure row: value with band and provenance."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    basis: Basis = "published"
    grade: Grade
    source_ids: SourceIds = []
    note: str = ""

    @field_validator("value", "low", "high")
    @classmethod
    def _non_negative(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError(f"negative figure ({v:g}); counts and sizes must be >= 0")
        return v

    @model_validator(mode="after")
    def _band(self) -> _Figure:
        if self.value is None:
            if self.low is not None or self.high is not None:
                raise ValueError("low/high given without a value")
            return self
        if not self.source_ids:
            raise ValueError("a figure needs at least one source id")
        lo = self.value if self.low is None else self.low
        hi = self.value if self.high is None else self.high
        if not lo <= self.value <= hi:
            raise ValueError(f"low <= value <= high violated ({lo:g}, {self.value:g}, {hi:g})")
        return self


class SourceRow(_Row):
    id: str
    publisher: str = ""
    title: str
    date: str
    url: str
    grade: Literal["A", "B", "C", "R", "-", "—"]
    note: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _SRC_RE.match(v):
            raise ValueError("source id must look like S01, S02b")
        return v

    @field_validator("date")
    @classmethod
    def _date(cls, v: str) -> str:
        if not _DATE_RE.match(v):
            raise ValueError("date must be YYYY, YYYY-MM or YYYY-MM-DD")
        return v


class StockpileRow(_Figure):
    state: str
    year: int
    metric: StockpileMetric

    @field_validator("value", "low", "high")
    @classmethod
    def _a_count(cls, v: float | None) -> float | None:
        # warheads: the bound every count has where the forces are built (errors.MAX_COUNT)
        if v is not None and v > MAX_COUNT:
            raise ValueError(f"{v:g} warheads; at most {MAX_COUNT:,}")
        return v


class SystemRow(_Row):
    system_id: str
    state: str
    name: str
    category: Literal["icbm", "slbm", "bomber", "nonstrategic"]
    level: Literal["system", "leg"] = "system"
    basing: Literal["silo", "road-mobile", "rail-mobile", "ssbn", "airbase", "storage", "mixed"]
    warhead_type: str = ""
    heavy: bool = False
    alert_posture: str = ""
    source_ids: SourceIds = []
    note: str = ""

    @field_validator("heavy", mode="before")
    @classmethod
    def _bool(cls, v: object) -> bool:
        if v is None or v == "":
            return False
        if isinstance(v, bool):
            return v
        t = str(v).strip().lower()
        if t in ("true", "yes", "1"):
            return True
        if t in ("false", "no", "0"):
            return False
        raise ValueError("expected true or false")


class SystemFigureRow(_Figure):
    system_id: str
    as_of: str
    quantity: SystemQuantity

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: str) -> str:
        if not _DATE_RE.match(v):
            raise ValueError("as_of must be YYYY, YYYY-MM or YYYY-MM-DD")
        return v


class TargetRow(_Figure):
    state: str
    target_id: str
    name: str = ""
    target_type: TargetType
    quantity: TargetQuantity


class ExchangeRow(_Row):
    date: str
    party: Literal["US", "RU"]
    quantity: ExchangeQuantity
    value: float | None = None
    grade: Grade
    source_ids: SourceIds = []
    note: str = ""

    @field_validator("date")
    @classmethod
    def _date(cls, v: str) -> str:
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", v):
            raise ValueError("date must be YYYY-MM-DD")
        return v

    @model_validator(mode="after")
    def _nonneg(self) -> ExchangeRow:
        if self.value is not None:
            if self.value < 0:
                raise ValueError("negative figure; counts must be >= 0")
            if self.value > MAX_COUNT:
                raise ValueError(f"{self.value:g}; counts are at most {MAX_COUNT:,}")
            if not self.source_ids:
                raise ValueError("a figure needs at least one source id")
        return self


#: file name -> (row model, key columns used when an overlay replaces bundled rows)
TABLES: dict[str, tuple[type[_Row], tuple[str, ...]]] = {
    "sources": (SourceRow, ("id",)),
    "stockpiles": (StockpileRow, ("state", "year", "metric")),
    "systems": (SystemRow, ("system_id",)),
    "system_figures": (SystemFigureRow, ("system_id", "as_of", "quantity")),
    "targets": (TargetRow, ("state", "target_id", "quantity")),
    "newstart_exchanges": (ExchangeRow, ("date", "party", "quantity")),
}
