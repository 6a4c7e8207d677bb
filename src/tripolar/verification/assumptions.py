"""Assumptions of the cheating and inspection Monte Carlo: defaults, ranges and reasons.

Every number the model of :mod:`tripolar.verification.simulate` needs that is not data is
an :class:`Assumption` (default, low, high, kind, the strategies that use it, why, and
its source). The bundled ones live in ``assumptions.yaml`` beside this module, read once
(with ``yaml.CSafeLoader`` where PyYAML has its C extension) and checked on load; a
user overrides them with :meth:`Assumptions.override` (``--assume`` on the command line).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from typing import Any, Literal

import yaml

from tripolar.errors import InputError

__all__ = [
    "DEFAULT_ASSUMPTIONS",
    "STRATEGIES",
    "Assumption",
    "Assumptions",
    "Strategy",
    "assumptions_from_mapping",
    "parse_assumption",
]

Strategy = Literal["hide-launchers", "upload", "nondeployed-as-deployed", "delay-notifications"]
STRATEGIES: tuple[str, ...] = (
    "hide-launchers",
    "upload",
    "nondeployed-as-deployed",
    "delay-notifications",
)
_FIELDS = ("default", "low", "high", "kind", "strategies", "why", "source")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Assumption:
    """A number the model needs that is not a fact: default, plausible range, and why."""

    name: str
    default: float
    low: float
    high: float
    kind: Literal["probability", "count"]
    strategies: tuple[str, ...]
    why: str
    source: str = ""

    def check(self) -> Assumption:
        if not (self.low <= self.default <= self.high):
            raise InputError(
                f"low {self.low} <= default {self.default} <= high {self.high} fails",
                field=self.name,
                expected="low <= default <= high",
            )
        if self.kind == "probability" and not (self.low >= 0.0 and self.high <= 1.0):
            raise InputError(
                f"[{self.low}, {self.high}]", field=self.name, expected="values in [0, 1]"
            )
        if self.kind == "count" and self.low < 1:
            raise InputError(f"{self.low}", field=self.name, expected="a count >= 1")
        return self

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["strategies"] = list(self.strategies)
        return out


def _number(value: object, where: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{value!r}", file=source, field=where, expected="a finite number")
    return float(value)


def _text(value: object, where: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{value!r}", file=source, field=where, expected="non-empty text")
    return " ".join(value.split())


def assumptions_from_mapping(data: object, *, source: str) -> dict[str, Assumption]:
    """Check a parsed assumptions file (name -> fields) and return its assumptions."""
    if not isinstance(data, dict) or not data:
        raise InputError("not a mapping", file=source, expected="NAME: {default, low, ...}")
    out: dict[str, Assumption] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
            raise InputError(
                f"{sorted(entry) if isinstance(entry, dict) else entry!r}",
                file=source,
                field=str(name),
                expected="the fields " + ", ".join(_FIELDS),
            )
        kind = entry["kind"]
        if kind not in ("probability", "count"):
            raise InputError(
                f"{kind!r}", file=source, field=f"{name}.kind", expected="probability or count"
            )
        strategies = entry["strategies"]
        if strategies == "all":
            strategies = list(STRATEGIES)
        if (
            not isinstance(strategies, list)
            or not strategies
            or any(s not in STRATEGIES for s in strategies)
        ):
            raise InputError(
                f"{strategies!r}",
                file=source,
                field=f"{name}.strategies",
                expected="'all' or a list of " + ", ".join(STRATEGIES),
            )
        candidate = Assumption(
            name=str(name),
            default=_number(entry["default"], f"{name}.default", source),
            low=_number(entry["low"], f"{name}.low", source),
            high=_number(entry["high"], f"{name}.high", source),
            kind=kind,
            strategies=tuple(strategies),
            why=_text(entry["why"], f"{name}.why", source),
            source=_text(entry["source"], f"{name}.source", source),
        )
        try:
            out[str(name)] = candidate.check()
        except InputError as exc:
            raise InputError(
                exc.detail, file=source, field=exc.field, expected=exc.expected
            ) from exc
    return out


def _bundled() -> dict[str, Assumption]:
    text = resources.files("tripolar.verification").joinpath("assumptions.yaml").read_text("utf-8")
    return assumptions_from_mapping(yaml.load(text, Loader=_Loader), source="assumptions.yaml")


#: The bundled assumptions (``assumptions.yaml``), by name.
DEFAULT_ASSUMPTIONS: dict[str, Assumption] = _bundled()


@dataclass(frozen=True)
class Assumptions:
    """The assumptions in force: the defaults with any user overrides."""

    values: Mapping[str, Assumption] = field(default_factory=lambda: dict(DEFAULT_ASSUMPTIONS))

    def __getitem__(self, name: str) -> Assumption:
        return self.values[name]

    def override(
        self,
        name: str,
        default: float,
        low: float | None = None,
        high: float | None = None,
    ) -> Assumptions:
        """A copy with ``name`` set (``low``/``high`` default to ``default``: fixed)."""
        if name not in self.values:
            raise InputError(
                f"unknown assumption {name!r}",
                field="assumption",
                expected="one of " + ", ".join(sorted(self.values)),
            )
        for v in (default, low, high):
            if v is not None and not math.isfinite(v):
                raise InputError(f"{v}", field=name, expected="a finite number")
        new = replace(
            self.values[name],
            default=float(default),
            low=float(default if low is None else low),
            high=float(default if high is None else high),
        ).check()
        return Assumptions({**self.values, name: new})

    def fixed(self) -> Assumptions:
        """Every assumption at its default, no uncertainty (the band collapses)."""
        return Assumptions(
            {k: replace(a, low=a.default, high=a.default) for k, a in self.values.items()}
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: a.to_dict() for k, a in self.values.items()}


def parse_assumption(text: str) -> tuple[str, float, float | None, float | None]:
    """Parse ``NAME=VALUE`` (fixed) or ``NAME=LOW:DEFAULT:HIGH`` into its parts."""
    name, sep, rest = text.partition("=")
    parts = rest.split(":")
    if not sep or not name.strip() or len(parts) not in (1, 3):
        raise InputError(f"{text!r}", field="--assume", expected="NAME=VALUE or NAME=LOW:DEF:HIGH")
    try:
        nums = [float(p) for p in parts]
    except ValueError as exc:
        raise InputError(f"{text!r}", field="--assume", expected="numbers") from exc
    if len(nums) == 1:
        return name.strip(), nums[0], None, None
    return name.strip(), nums[1], nums[0], nums[2]
