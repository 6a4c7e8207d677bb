"""The sweep file: a treaty family, parameter axes, a design, samples and a seed.

A sweep file (YAML) names a base treaty (a built-in id or a treaty file) and a list of axes.
Treaty axes change the base treaty (:meth:`pydantic.BaseModel.model_copy` of it):

- ``ceiling``: the per-party ceiling of one limit (``limit``; a sub-limit not in the base
  treaty is added when ``quantity`` is given), the same value for every party in ``parties``;
- ``scope``: a counting flag (``include_nonstrategic`` or ``include_retired``);
- ``rule``: the force-building rule (:data:`tripolar.treaty.force_cut.RULES`).

Parameter axes fix one entry of the alert levels (``tripolar/exchange/alert_levels.yaml``)
at the point's value (``value = low = high``), so that within a point that entry is no longer
sampled and the point's spread comes from the other entries only. Each names its entry
(:attr:`Axis.alert_entry`), and a point's context carries them as
:attr:`tripolar.context.EvaluationContext.alert_overrides`:

- ``silo_hardness_psi``: ``parameters.hardness_psi.silo`` (psi);
- ``reliability``: ``parameters.reliability`` (probability);
- ``alert_fraction``: ``postures.<posture>.<party>.<key>`` (share of launchers untargetable,
  or ``demated``);
- ``w80``: ``parameters.w80.<party>`` (warheads; the damage curve's 80% point);
- ``cep_scale``: ``parameters.cep_scale``, a factor on the CEP of every system, the dataset's
  published CEPs and the model defaults alike (1: the CEPs as given);
- ``reserve_delta``: ``parameters.reserve_delta`` (the damage share, in [0, 1), a single
  striker's reserve must still threaten on the third party);
- ``follow_on_lambda``: ``parameters.follow_on_lambda`` (>= 0, the weight of the third party's
  follow-on strike in a victim's cost).

An axis has ``values`` (discrete) or ``low``/``high`` (continuous; ``levels`` points on a grid,
or sampled by the design). Designs: ``grid`` (every combination), ``lhs`` (Latin hypercube,
:class:`scipy.stats.qmc.LatinHypercube`) and ``sobol`` (Saltelli's scheme on a scrambled
Sobol sequence, as SALib builds it from :class:`scipy.stats.qmc.Sobol`, so that Sobol indices
can be computed). Points are numbered in a fixed order and cut into chunks of ``chunk_points``;
everything about a chunk follows from the file's content hash, the chunk id and the seed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tripolar.errors import InputError, from_validation_error
from tripolar.io_yaml import load_yaml_file

__all__ = [
    "CONTEXT_KINDS",
    "PARAMETER_KINDS",
    "TREATY_KINDS",
    "Axis",
    "Design",
    "SweepFile",
    "load_sweep_file",
    "sweep_hash",
    "sweep_json_schema",
]

AxisKind = Literal[
    "ceiling",
    "scope",
    "rule",
    "silo_hardness_psi",
    "reliability",
    "alert_fraction",
    "w80",
    "cep_scale",
    "reserve_delta",
    "follow_on_lambda",
]
#: Axes that change the treaty (evaluated together by one batched call).
TREATY_KINDS = ("ceiling", "scope")
#: Axes that fix one alert-levels entry (:attr:`Axis.alert_entry`).
PARAMETER_KINDS = (
    "silo_hardness_psi",
    "reliability",
    "alert_fraction",
    "w80",
    "cep_scale",
    "reserve_delta",
    "follow_on_lambda",
)
#: Axes that change the evaluation context (rule, alert levels): one context per value set.
CONTEXT_KINDS = ("rule", *PARAMETER_KINDS)
#: Axes whose values may be 0 (the others must be > 0).
_ZERO_KINDS = ("ceiling", "reliability", "alert_fraction", "reserve_delta", "follow_on_lambda")
_PARTIES = ("US", "RU", "CN")
_ALERT_KEYS = ("ssbn", "road-mobile", "rail-mobile", "airbase", "mixed", "storage", "demated")
#: The most points a sweep may have (memory of the point table stays a few hundred MiB).
MAX_POINTS = 10_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Axis(_Strict):
    """One axis of the design space."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="column name in the results")
    kind: AxisKind = Field(
        description="treaty axes: ceiling, scope, rule; parameter axes fix one alert-levels "
        "entry: silo_hardness_psi (parameters.hardness_psi.silo), reliability, alert_fraction "
        "(postures.<posture>.<party>.<key>), w80 (parameters.w80.<party>), cep_scale (a factor "
        "on every system's CEP), reserve_delta ([0, 1)), follow_on_lambda (>= 0)"
    )
    values: list[float | bool | str] | None = Field(
        default=None, description="discrete values (required for scope and rule axes)"
    )
    low: float | None = None
    high: float | None = None
    levels: int | None = Field(
        default=None, ge=2, description="grid design: evenly spaced values from low to high"
    )
    step: float | None = Field(
        default=None, gt=0, description="sampled values are rounded to a multiple of this"
    )
    limit: str | None = Field(default=None, description="ceiling axes: the limit id")
    quantity: str | None = Field(
        default=None, description="ceiling axes: the quantity, to add a sub-limit"
    )
    parties: list[str] = Field(default_factory=list, description="ceiling axes: parties set")
    flag: Literal["include_nonstrategic", "include_retired"] | None = None
    posture: Literal["day_to_day", "generated"] | None = None
    party: str | None = Field(default=None, description="alert_fraction and w80 axes: the party")
    key: str | None = Field(default=None, description="alert_fraction axes: the basing key")

    @model_validator(mode="after")
    def _check(self) -> Axis:
        k = self.kind
        if self.values is None and (self.low is None or self.high is None):
            raise ValueError(f"axis {self.name!r} needs values, or low and high")
        if self.values is not None and len(self.values) == 0:
            raise ValueError(f"axis {self.name!r}: values must not be empty")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"axis {self.name!r}: low must be <= high")
        if k in ("scope", "rule") and self.values is None:
            raise ValueError(f"axis {self.name!r}: a {k} axis needs values")
        if k == "scope":
            if self.flag is None:
                raise ValueError(f"axis {self.name!r}: a scope axis needs flag")
            if not all(isinstance(v, bool) for v in self.values or []):
                raise ValueError(f"axis {self.name!r}: scope values must be true or false")
        elif k == "rule":
            from tripolar.treaty.force_cut import RULES

            for v in self.values or []:
                if v not in RULES:
                    raise ValueError(f"axis {self.name!r}: rule {v!r} is not one of {RULES}")
        else:
            for v in self.values or []:
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise ValueError(f"axis {self.name!r}: values must be numbers")
            nums = [float(v) for v in self.values or []] + [
                x for x in (self.low, self.high) if x is not None
            ]
            lo = 0.0 if k in _ZERO_KINDS else 1e-12
            if any(x < lo for x in nums):
                raise ValueError(f"axis {self.name!r}: values must be >= {lo:g}")
            if k in ("reliability", "alert_fraction") and any(x > 1 for x in nums):
                raise ValueError(f"axis {self.name!r}: a fraction must lie in [0, 1]")
            if k == "reserve_delta" and any(x >= 1 for x in nums):
                raise ValueError(f"axis {self.name!r}: reserve_delta must lie in [0, 1)")
        if k == "ceiling":
            if self.limit is None or not self.parties:
                raise ValueError(f"axis {self.name!r}: a ceiling axis needs limit and parties")
            self.parties = [p.upper() for p in self.parties]
            bad = [p for p in self.parties if p not in _PARTIES]
            if bad:
                raise ValueError(f"axis {self.name!r}: unknown party {bad[0]!r}")
        if k in ("alert_fraction", "w80"):
            if self.party is None or self.party.upper() not in _PARTIES:
                raise ValueError(f"axis {self.name!r}: needs party, one of {_PARTIES}")
            self.party = self.party.upper()
        if k == "alert_fraction" and (self.posture is None or self.key not in _ALERT_KEYS):
            raise ValueError(
                f"axis {self.name!r}: an alert_fraction axis needs posture and key "
                f"(one of {', '.join(_ALERT_KEYS)})"
            )
        return self

    @property
    def alert_entry(self) -> str | None:
        """The alert-levels entry a parameter axis fixes (dotted path); ``None`` otherwise."""
        k = self.kind
        if k == "silo_hardness_psi":
            return "parameters.hardness_psi.silo"
        if k == "w80":
            return f"parameters.w80.{self.party}"
        if k == "alert_fraction":
            return f"postures.{self.posture}.{self.party}.{self.key}"
        if k in PARAMETER_KINDS:
            return f"parameters.{k}"
        return None

    @property
    def discrete(self) -> bool:
        return self.values is not None

    def grid_values(self) -> list[Any]:
        if self.values is not None:
            return list(self.values)
        assert self.low is not None and self.high is not None
        if self.levels is None:
            raise ValueError(f"axis {self.name!r}: a grid design needs values or levels")
        return [self._round(float(x)) for x in np.linspace(self.low, self.high, self.levels)]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Values of this axis for design coordinates ``u`` in [0, 1)."""
        if self.values is not None:
            idx = np.minimum((u * len(self.values)).astype(np.int64), len(self.values) - 1)
            return [self.values[i] for i in idx]
        assert self.low is not None and self.high is not None
        return [self._round(float(x)) for x in self.low + u * (self.high - self.low)]

    def _round(self, x: float) -> float:
        if self.step is None:
            return x
        return float(round(x / self.step) * self.step)


class Design(_Strict):
    kind: Literal["grid", "lhs", "sobol"] = "grid"
    points: int | None = Field(
        default=None,
        ge=1,
        description="lhs: number of points; sobol: base sample N (N (D + 2) points, N a power "
        "of 2)",
    )

    @model_validator(mode="after")
    def _check(self) -> Design:
        if self.kind != "grid" and self.points is None:
            raise ValueError(f"a {self.kind} design needs points")
        if self.kind == "sobol" and self.points is not None and self.points & (self.points - 1):
            raise ValueError("a sobol design needs points a power of 2")
        return self


class SweepFile(_Strict):
    """A sweep: base treaty, axes, design, samples per point, seed and chunk size."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    base_treaty: str = Field(description="a built-in treaty id or a treaty YAML path")
    year: int = Field(default=2025, ge=1945, le=2100)
    samples: int = Field(default=100, ge=1, le=100_000, description="Monte Carlo samples/point")
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    chunk_points: int = Field(default=50, ge=1, le=100_000)
    design: Design = Field(default_factory=Design)
    axes: list[Axis] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> SweepFile:
        names = [a.name for a in self.axes]
        if len(set(names)) != len(names):
            raise ValueError("axis names must be unique")
        entries = [a.alert_entry for a in self.axes if a.alert_entry is not None]
        for e in entries:
            if entries.count(e) > 1:
                raise ValueError(f"two axes fix the same alert-levels entry {e}")
        if self.design.kind == "grid":
            for a in self.axes:
                if a.values is None and a.levels is None:
                    raise ValueError(f"axis {a.name!r}: a grid design needs values or levels")
        if self.n_points > MAX_POINTS:
            raise ValueError(f"{self.n_points} points is more than {MAX_POINTS}")
        return self

    @property
    def n_points(self) -> int:
        d = self.design
        if d.kind == "grid":
            n = 1
            for a in self.axes:
                n *= len(a.values) if a.values is not None else int(a.levels or 0)
            return n
        assert d.points is not None
        return d.points if d.kind == "lhs" else d.points * (len(self.axes) + 2)

    @property
    def n_chunks(self) -> int:
        return -(-self.n_points // self.chunk_points)


def sweep_hash(spec: SweepFile) -> str:
    """SHA-256 of the sweep's canonical JSON (key order and YAML layout do not matter)."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_sweep_file(path: str | Path) -> SweepFile:
    """Read and validate a sweep YAML file; every problem is one :class:`InputError`."""
    data = load_yaml_file(path)
    if not isinstance(data, dict):
        raise InputError("a sweep file must be a mapping", file=path, expected="keys name, axes")
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, str(path)) from exc
    from tripolar.sweep.family import base_treaty, check_axes

    check_axes(spec, base_treaty(spec, source=str(path)), source=str(path))
    return spec


def sweep_json_schema() -> dict[str, object]:
    """The JSON Schema of the sweep file format."""
    schema = SweepFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tripolar sweep"
    return schema


def unit_design(spec: SweepFile) -> np.ndarray:
    """The (points x axes) design in [0, 1) for lhs and sobol designs (seeded by the file)."""
    from scipy.stats import qmc

    d = spec.design
    dim = len(spec.axes)
    if d.kind == "lhs":
        assert d.points is not None
        return np.asarray(qmc.LatinHypercube(d=dim, seed=spec.seed).random(d.points))
    if d.kind == "sobol":
        from SALib.sample import sobol as salib_sobol

        assert d.points is not None
        problem = salib_problem(spec)
        u = salib_sobol.sample(problem, d.points, calc_second_order=False, seed=spec.seed)
        return np.clip(np.asarray(u, dtype=np.float64), 0.0, np.nextafter(1.0, 0.0))
    raise ValueError("a grid design has no unit coordinates")


def salib_problem(spec: SweepFile) -> dict[str, Any]:
    """The SALib problem over the unit cube: one dimension per axis."""
    return {
        "num_vars": len(spec.axes),
        "names": [a.name for a in spec.axes],
        "bounds": [[0.0, 1.0]] * len(spec.axes),
    }


def point_values(spec: SweepFile, lo: int, hi: int) -> list[dict[str, Any]]:
    """The axis values of points ``lo`` to ``hi - 1``, by axis name.

    Grid points are numbered with the context axes (rule, parameters) outermost and the
    treaty axes innermost, so that a chunk holds runs of points sharing one context, which
    one batched call evaluates together.
    """
    axes = spec.axes
    if spec.design.kind == "grid":
        order = [a for a in axes if a.kind in CONTEXT_KINDS] + [
            a for a in axes if a.kind in TREATY_KINDS
        ]
        grids = [a.grid_values() for a in order]
        sizes = [len(g) for g in grids]
        out = []
        for i in range(lo, hi):
            idx, rest = [], i
            for s in reversed(sizes):
                idx.append(rest % s)
                rest //= s
            idx.reverse()
            vals = {a.name: g[j] for a, g, j in zip(order, grids, idx, strict=True)}
            out.append({a.name: vals[a.name] for a in axes})
        return out
    u = unit_design(spec)[lo:hi]
    cols = {a.name: a.from_unit(u[:, j]) for j, a in enumerate(axes)}
    return [{a.name: cols[a.name][i] for a in axes} for i in range(hi - lo)]
