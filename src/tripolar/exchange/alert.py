"""Alert postures (day-to-day, generated) and the exchange's model parameters.

For each party and posture, the share of each basing type's launchers that a striker cannot
target (SSBNs at sea, bombers on alert, mobile launchers dispersed), China's share of warheads
kept de-mated in storage, and the model parameters that have no public source (silo and other
launcher hardness, reliability, default CEP and yield, storage aim points, damage-curve
``w80``, the three-party reserve and follow-on weights). Defaults are in
``alert_levels.yaml`` beside this module; every entry states whether it is published,
derived from published figures, or an assumption of the model, with a low/high band.

A user YAML file with the same layout overrides the entries it names; it is validated and
every problem is an :class:`tripolar.errors.InputError` naming the file and the field. An
evaluation context's ``alert_overrides`` then fix single entries (:func:`with_overrides`,
applied by :func:`alert_levels_for`).

``parameters.cep_scale`` (optional, absent from the bundled file, i.e. 1) multiplies the CEP of
every system, the dataset's published CEPs and the model defaults alike (value, low and high
by the factor's value, low and high), so that an accuracy assumption moves every force.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tripolar.context import EvaluationContext
from tripolar.errors import MAX_COUNT, MAX_TEXT_CHARS, InputError, from_validation_error
from tripolar.io_yaml import load_yaml_file, load_yaml_text
from tripolar.ranges import Range

PostureName = Literal["day_to_day", "generated"]
POSTURES: tuple[str, ...] = ("day_to_day", "generated")
_FRACTION_KEYS = ("ssbn", "road-mobile", "rail-mobile", "airbase", "mixed", "storage", "demated")


class Entry(BaseModel):
    """A figure with its band and provenance."""

    # Finite figures only, at most MAX_COUNT (psi, kt, m, counts), bounded notes.
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, str_max_length=MAX_TEXT_CHARS
    )

    value: float = Field(le=MAX_COUNT)
    low: float = Field(le=MAX_COUNT)
    high: float = Field(le=MAX_COUNT)
    basis: Literal["published", "derived", "assumed"]
    sources: list[str] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Entry:
        if not (self.low <= self.value <= self.high):
            raise ValueError("low <= value <= high is required")
        if self.basis in ("published", "derived") and not self.sources:
            raise ValueError(f"a {self.basis} figure needs at least one source id")
        return self

    @property
    def range(self) -> Range:
        """The figure as a :class:`Range` (a new one per call; ranges are immutable)."""
        v, lo, hi = self.value, self.low, self.high
        if type(v) is float and type(lo) is float and type(hi) is float and lo <= v <= hi:
            # What ``Range.of`` gives for ordered floats (validation checks exactly this),
            # without its cost: the exchange looks figures up for every system of every cut.
            return Range._ordered_result(v, lo, hi)
        return Range.of(v, lo, hi)


class FractionEntry(Entry):
    @model_validator(mode="after")
    def _fraction(self) -> FractionEntry:
        if not (self.low >= 0.0 and self.high <= 1.0):
            raise ValueError("a fraction must lie in [0, 1]")
        return self


class PartyPosture(BaseModel):
    """Untargetable shares by basing type, and the de-mated share, for one party/posture."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    ssbn: FractionEntry | None = None
    road_mobile: FractionEntry | None = Field(default=None, alias="road-mobile")
    rail_mobile: FractionEntry | None = Field(default=None, alias="rail-mobile")
    airbase: FractionEntry | None = None
    mixed: FractionEntry | None = None
    storage: FractionEntry | None = None
    demated: FractionEntry | None = None


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hardness_psi: dict[str, Entry]
    reliability: FractionEntry
    cep_m: dict[str, Entry]
    yield_kt: dict[str, Entry]
    storage_sites: dict[str, Entry] = Field(default_factory=dict)
    w80: dict[str, Entry]
    reserve_delta: FractionEntry
    follow_on_lambda: Entry
    cep_scale: Entry | None = None

    @model_validator(mode="after")
    def _positive(self) -> Parameters:
        for name in ("hardness_psi", "yield_kt", "w80", "storage_sites"):
            for key, e in getattr(self, name).items():
                if e.low <= 0:
                    raise ValueError(f"{name}.{key} must be > 0")
        for key, e in self.cep_m.items():
            if e.low < 0:
                raise ValueError(f"cep_m.{key} must be >= 0")
        if self.cep_scale is not None and self.cep_scale.low <= 0:
            raise ValueError("cep_scale must be > 0")
        if self.follow_on_lambda.low < 0:
            raise ValueError("follow_on_lambda must be >= 0")
        if self.reserve_delta.high >= 1.0:
            raise ValueError("reserve_delta must be below 1")
        return self


class AlertLevels(BaseModel):
    """All alert fractions and model parameters (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    postures: dict[PostureName, dict[str, PartyPosture]]
    parameters: Parameters

    # -- look-ups ----------------------------------------------------------------------
    def untargetable_fraction(self, party: str, posture: str, basing: str) -> Range:
        """Share of a basing type's launchers a striker cannot target (silos: always 0)."""
        if basing in ("silo", "storage"):
            return Range.exact(0.0)
        entry = self._posture_entry(party, posture, basing)
        return Range.exact(0.0) if entry is None else entry.range

    def demated_fraction(self, party: str, posture: str) -> Range:
        entry = self._posture_entry(party, posture, "demated")
        return Range.exact(0.0) if entry is None else entry.range

    def _posture_entry(self, party: str, posture: str, key: str) -> FractionEntry | None:
        if posture not in self.postures:
            raise InputError(
                f"unknown posture {posture!r}", field="posture", expected=" or ".join(POSTURES)
            )
        pp = self.postures[posture].get(party)
        if pp is None:
            return None
        value: FractionEntry | None = getattr(pp, key.replace("-", "_"))
        return value

    def hardness_psi(self, basing: str) -> Range:
        p = self.parameters.hardness_psi
        entry = p.get(basing) or p["silo"]
        return entry.range

    def reliability(self) -> Range:
        return self.parameters.reliability.range

    def default_cep_m(self, category: str) -> Range:
        return self.parameters.cep_m[category].range

    def cep_scale(self) -> Range | None:
        """The factor on every system's CEP (``None``: no factor, CEPs as given)."""
        e = self.parameters.cep_scale
        return None if e is None else e.range

    def default_yield_kt(self, category: str) -> Range:
        return self.parameters.yield_kt[category].range

    def storage_sites(self, party: str) -> Range:
        e = self.parameters.storage_sites.get(party)
        return Range.exact(1.0) if e is None else e.range

    def w80(self, party: str) -> Range:
        e = self.parameters.w80.get(party)
        if e is None:
            raise InputError(
                f"no damage-curve parameter w80 for party {party!r}",
                field=f"parameters.w80.{party}",
                expected="an entry per party in the alert-levels file",
            )
        return e.range

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_frame(self) -> Any:
        """One row per (posture, party, key) fraction, with basis and sources."""
        import pandas as pd

        rows = []
        for posture, parties in self.postures.items():
            for party, pp in parties.items():
                for key in _FRACTION_KEYS:
                    e = getattr(pp, key.replace("-", "_"))
                    if e is None:
                        continue
                    rows.append(
                        {
                            "posture": posture,
                            "party": party,
                            "key": key,
                            "value": e.value,
                            "low": e.low,
                            "high": e.high,
                            "basis": e.basis,
                            "sources": ";".join(e.sources),
                        }
                    )
        return pd.DataFrame(rows)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        # A figure (it has 'value') replaces the default whole; containers merge.
        if isinstance(v, dict) and isinstance(out.get(k), dict) and "value" not in v:
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _bundled_mapping() -> dict[str, Any]:
    text = resources.files("tripolar.exchange").joinpath("alert_levels.yaml").read_text("utf-8")
    data = load_yaml_text(text, source="alert_levels.yaml")
    assert isinstance(data, dict)
    return data


def alert_levels_from_mapping(data: object, *, source: str = "<alert levels>") -> AlertLevels:
    """Validate a full alert-levels mapping."""
    if not isinstance(data, dict):
        raise InputError(
            "an alert-levels file must be a mapping",
            file=source,
            expected="keys postures, parameters",
        )
    try:
        return AlertLevels.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source) from exc


def load_alert_levels(path: str | Path | None = None) -> AlertLevels:
    """The bundled alert levels, with the entries of a user YAML file ``path`` overriding them."""
    base = _bundled_mapping()
    if path is None:
        return alert_levels_from_mapping(base, source="alert_levels.yaml")
    user = load_yaml_file(path)
    if user is None:
        user = {}
    if not isinstance(user, dict):
        raise InputError(
            "an alert-levels file must be a mapping at the top level",
            file=path,
            expected="keys postures and/or parameters",
        )
    unknown = set(user) - {"postures", "parameters"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError(
            "unknown top-level key", file=path, field=key, expected="postures or parameters"
        )
    return alert_levels_from_mapping(_deep_merge(base, user), source=str(path))


def with_overrides(
    levels: AlertLevels,
    overrides: Sequence[tuple[str, float]],
    *,
    source: str = "alert_overrides",
) -> AlertLevels:
    """``levels`` with each ``(path, value)`` entry fixed at ``value = low = high``.

    ``path`` is dotted as in the alert-levels file: ``parameters.<name>`` or
    ``parameters.<name>.<key>`` (``parameters.hardness_psi.silo``, ``parameters.w80.CN``,
    ``parameters.cep_scale``) or ``postures.<posture>.<party>.<key>``. The entry becomes an
    ``assumed`` figure (its sources kept); an entry the levels lack (a party's share for a basing
    type they leave out, ``cep_scale``) is added. The result is validated like a file: a path
    that names no entry, or a value outside the entry's bounds, is an
    :class:`~tripolar.errors.InputError` naming ``source`` (the file) and the path (the field).
    """
    if not overrides:
        return levels
    data = levels.to_dict()
    for path, value in overrides:
        field = path
        keys = path.split(".")
        expected = "parameters.<name>[.<key>] or postures.<posture>.<party>.<key>"
        if len(keys) < 2 or keys[0] not in ("parameters", "postures") or "" in keys:
            raise InputError(
                "not an alert-levels entry", file=source, field=field, expected=expected
            )
        node: dict[str, Any] = data
        for k in keys[:-1]:
            nxt = node.setdefault(k, {})
            if not isinstance(nxt, dict) or "value" in nxt:
                raise InputError(
                    f"{k!r} is one figure, not a group", file=source, field=field, expected=expected
                )
            node = nxt
        old = node.get(keys[-1])
        if old is not None and not (isinstance(old, dict) and "value" in old):
            raise InputError(
                "names a group of figures, not one", file=source, field=field, expected=expected
            )
        v = float(value)
        node[keys[-1]] = {
            "value": v,
            "low": v,
            "high": v,
            "basis": "assumed",
            "sources": list((old or {}).get("sources", [])),
            "note": "fixed for this evaluation (alert_overrides)",
        }
    return alert_levels_from_mapping(data, source=source)


#: Where a context keeps its alert levels (:meth:`EvaluationContext.cached`): the one slot every
#: reader of a context's levels shares.
LEVELS_KEY = "exchange.alert_levels"


def alert_levels_for(context: EvaluationContext) -> AlertLevels:
    """The alert levels of an evaluation context: the bundled ones, its ``alert_file`` over them,
    then its ``alert_overrides`` (:func:`with_overrides`); built once per context."""
    return context.cached(
        LEVELS_KEY,
        lambda: with_overrides(load_alert_levels(context.alert_file), context.alert_overrides),
    )
