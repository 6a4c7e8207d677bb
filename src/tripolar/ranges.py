"""A central value with a low/high band, the way uncertain force figures are kept.

Public estimates of nuclear forces often disagree (FAS/SIPRI against the US Department of
Defense for China, for instance). tripolar keeps every such figure as a :class:`Range`
``(value, low, high)`` and carries the band through sums, so that a count under a treaty
says how uncertain it is. Sums add lows to lows and highs to highs (the band of a sum of
independently uncertain figures taken at their extremes); differences subtract the
opposite ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

_FIELDS = frozenset({"value", "low", "high"})
_new = object.__new__
# The setters of a model's instance state (the slots ``object.__setattr__`` reaches by name),
# taken once: building a range is the commonest thing counting and cutting do.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


class Range(BaseModel):
    """A non-negative figure with its low/high band (``low <= value <= high``).

    In YAML a range is written as a plain number (no uncertainty) or as a mapping
    ``{value: 400, low: 380, high: 420}``; ``low``/``high`` default to ``value``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float
    low: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _from_number_or_mapping(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError("a count must be a number, not true/false")
        if isinstance(data, int | float):
            return {"value": data, "low": data, "high": data}
        if isinstance(data, dict):
            if "value" not in data:
                raise ValueError("a range needs 'value' (and optionally 'low', 'high')")
            out = dict(data)
            out.setdefault("low", out["value"])
            out.setdefault("high", out["value"])
            return out
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not (self.low <= self.value <= self.high):
            raise ValueError(
                f"low <= value <= high is required, got low={self.low}, value={self.value}, "
                f"high={self.high}"
            )
        return self

    # -- constructors -------------------------------------------------------------
    @classmethod
    def exact(cls, value: float) -> Range:
        """A figure without uncertainty."""
        if type(value) is float and value == value:
            # a float that is not NaN: what validation would give, without its cost
            return cls._ordered_result(value, value, value)
        return cls(value=value, low=value, high=value)

    @classmethod
    def of(cls, value: float, low: float | None = None, high: float | None = None) -> Range:
        """A figure with optional band; missing ends default to ``value``."""
        return cls(
            value=value,
            low=value if low is None else low,
            high=value if high is None else high,
        )

    @classmethod
    def _ordered_result(cls, value: float, low: float, high: float) -> Range:
        """A range known to be ordered (the result of order-preserving arithmetic on ordered
        ranges: sums, differences, non-negative scaling, clipping), built without
        re-validation; rounding is monotone, so the order holds in floating point too.

        Counting sums thousands of ranges per treaty evaluation, and pydantic's validation
        (about 3 us) and even ``model_construct`` (slower still) dominated it; this sets the
        instance state that ``model_construct`` sets (tests check the result is equal, hashes
        and pickles like a validated range), in about 1 us."""
        m = _new(cls)
        _set_dict(m, {"value": value, "low": low, "high": high})
        _set_fields_set(m, {"value", "low", "high"})
        _set_extra(m, None)
        _set_private(m, None)
        return m

    # -- arithmetic -----------------------------------------------------------------
    def __add__(self, other: Range | float) -> Range:
        o = other if isinstance(other, Range) else Range.exact(float(other))
        return Range._ordered_result(self.value + o.value, self.low + o.low, self.high + o.high)

    def __radd__(self, other: float) -> Range:
        return self.__add__(other)

    def __sub__(self, other: Range | float) -> Range:
        o = other if isinstance(other, Range) else Range.exact(float(other))
        return Range._ordered_result(self.value - o.value, self.low - o.high, self.high - o.low)

    def scale(self, factor: float) -> Range:
        """Multiply by a non-negative factor."""
        if not factor >= 0:
            raise ValueError("factor must be non-negative")
        return Range._ordered_result(self.value * factor, self.low * factor, self.high * factor)

    def times(self, other: Range) -> Range:
        """Product of two non-negative ranges (e.g. launchers x warheads per launcher)."""
        return Range(
            value=self.value * other.value, low=self.low * other.low, high=self.high * other.high
        )

    def clip_min(self, floor: float = 0.0) -> Range:
        """Clip every end at ``floor``."""
        return Range._ordered_result(
            max(self.value, floor), max(self.low, floor), max(self.high, floor)
        )

    @property
    def is_exact(self) -> bool:
        return self.low == self.high

    def to_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}

    def __str__(self) -> str:
        if self.is_exact:
            return f"{self.value:,.0f}"
        return f"{self.value:,.0f} ({self.low:,.0f}-{self.high:,.0f})"


ZERO = Range.exact(0.0)


def range_sum(items: Iterable[Range]) -> Range:
    """Sum of ranges (lows with lows, highs with highs); the empty sum is zero."""
    total = ZERO
    for r in items:
        total = total + r
    return total
