"""Analysis of a sweep's results: the all-stable set, the ZOPA, sensitivities, nearest variant.

- **All-stable**: a point is all-stable when every ratio ``r`` of every case in both postures
  is above ``threshold`` (default 0.5): its median (``r_min_median``), or with ``strict`` its
  5% bound (``r_min_p05``). A ceiling combination (a cell of the ceiling axes) is all-stable
  when every point in it is, whatever the other axes (rule, parameters) are: robust to them.
- **ZOPA**: every party's utility against no deal above 0 (``in_zopa``).
- **Sensitivity** of the least-stable ratio (``least_r``) to each axis. For a ``sobol``
  design: Sobol first-order and total indices (SALib, Saltelli's estimator, with bootstrap
  95% intervals). Otherwise a first-order variance decomposition: ``S_i = Var(E[Y | X_i]) /
  Var(Y)``, the conditional means taken over the axis's values (discrete axes and grids) or
  over 10 equal-count bins (continuous axes); for a full grid this is the share of variance
  of the axis's main effect (the ANOVA decomposition of a balanced design); there is no
  total index.
- **Nearest all-stable variant** of a treaty: its numeric ceilings read on the sweep's
  ceiling axes, and the all-stable cell with the smallest change, measured as the sum over
  axes of ``|change| / axis span``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tripolar.sweep.spec import SweepFile
from tripolar.treaty.schema import Treaty

__all__ = [
    "DEFAULT_THRESHOLD",
    "Landscape",
    "Sensitivity",
    "StableSet",
    "all_stable_mask",
    "ceiling_axes",
    "nearest_stable",
    "sensitivity",
    "stable_set",
]

DEFAULT_THRESHOLD = 0.5
OUTPUT = "least_r"


def all_stable_mask(df: Any, threshold: float = DEFAULT_THRESHOLD, strict: bool = False) -> Any:
    """Per point: whether every ratio's median (5% bound with ``strict``) is above threshold."""
    col = "r_min_p05" if strict else "r_min_median"
    return df[col] > threshold


def ceiling_axes(spec: SweepFile) -> list[str]:
    return [a.name for a in spec.axes if a.kind == "ceiling"]


@dataclass(frozen=True)
class StableSet:
    """The all-stable points and cells, and their intersection with the ZOPA."""

    threshold: float
    strict: bool
    n_points: int
    n_stable: int
    n_zopa: int
    n_stable_zopa: int
    cells: Any  # DataFrame: one row per ceiling cell, with all_stable, in_zopa, worst least_r
    axis_ranges: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        c = self.cells
        return {
            "threshold": self.threshold,
            "strict": self.strict,
            "points": self.n_points,
            "all_stable_points": self.n_stable,
            "zopa_points": self.n_zopa,
            "all_stable_and_zopa_points": self.n_stable_zopa,
            "cells": len(c),
            "all_stable_cells": int(c["all_stable"].sum()),
            "all_stable_zopa_cells": int((c["all_stable"] & c["in_zopa"]).sum()),
            "all_stable_ranges": {k: list(v) for k, v in self.axis_ranges.items()},
        }


def stable_set(
    df: Any, spec: SweepFile, threshold: float = DEFAULT_THRESHOLD, strict: bool = False
) -> StableSet:
    """The all-stable set of a sweep's results (see the module docstring)."""
    d = df.assign(all_stable=all_stable_mask(df, threshold, strict))
    keys = ceiling_axes(spec) or [a.name for a in spec.axes]
    cells = (
        d.groupby(keys, sort=True)
        .agg(
            all_stable=("all_stable", "all"),
            in_zopa=("in_zopa", "all"),
            least_r=(OUTPUT, "min"),
            points=("point", "size"),
        )
        .reset_index()
    )
    ranges: dict[str, tuple[Any, Any]] = {}
    stable = d[d["all_stable"]]
    for a in spec.axes:
        if len(stable) and a.kind not in ("rule", "scope"):
            ranges[a.name] = (float(stable[a.name].min()), float(stable[a.name].max()))
    return StableSet(
        threshold=threshold,
        strict=strict,
        n_points=len(d),
        n_stable=int(d["all_stable"].sum()),
        n_zopa=int(d["in_zopa"].sum()),
        n_stable_zopa=int((d["all_stable"] & d["in_zopa"]).sum()),
        cells=cells,
        axis_ranges=ranges,
    )


@dataclass(frozen=True)
class Sensitivity:
    """Per axis: the first-order index (and total index and 95% intervals for Sobol)."""

    method: str
    output: str
    first: dict[str, float]
    total: dict[str, float] | None = None
    first_conf: dict[str, float] | None = None
    total_conf: dict[str, float] | None = None

    def ranked(self) -> list[str]:
        key = self.total if self.total is not None else self.first
        return sorted(key, key=lambda k: -abs(key[k]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "output": self.output,
            "first_order": self.first,
            "total_order": self.total,
            "first_order_conf95": self.first_conf,
            "total_order_conf95": self.total_conf,
        }


def sensitivity(df: Any, spec: SweepFile, output: str = OUTPUT) -> Sensitivity:
    """Sensitivity of ``output`` to every axis (Sobol indices or variance decomposition)."""
    y = df.sort_values("point")[output].to_numpy(dtype=np.float64)
    if spec.design.kind == "sobol" and len(y) == spec.n_points:
        from SALib.analyze import sobol as salib_sobol

        from tripolar.sweep.spec import salib_problem

        si = salib_sobol.analyze(
            salib_problem(spec), y, calc_second_order=False, seed=spec.seed, print_to_console=False
        )
        names = [a.name for a in spec.axes]
        return Sensitivity(
            method="sobol (SALib, Saltelli design, Jansen total)",
            output=output,
            first={n: float(v) for n, v in zip(names, si["S1"], strict=True)},
            total={n: float(v) for n, v in zip(names, si["ST"], strict=True)},
            first_conf={n: float(v) for n, v in zip(names, si["S1_conf"], strict=True)},
            total_conf={n: float(v) for n, v in zip(names, si["ST_conf"], strict=True)},
        )
    return Sensitivity(
        method="first-order variance decomposition Var(E[Y|X_i])/Var(Y)",
        output=output,
        first={a.name: first_order_index(df[a.name], df[output], a.discrete) for a in spec.axes},
    )


def first_order_index(x: Any, y: Any, discrete: bool, bins: int = 10) -> float:
    """``Var(E[Y | X]) / Var(Y)`` with ``X`` grouped by value, or by ``bins`` quantile bins."""
    import pandas as pd

    yy = pd.Series(np.asarray(y, dtype=np.float64))
    xs = pd.Series(np.asarray(x))
    var = float(yy.var(ddof=0))
    if not np.isfinite(var) or var == 0.0:
        return 0.0
    if discrete or xs.nunique() <= bins:
        groups = xs.astype(str)
    else:
        groups = pd.qcut(xs.astype(float), bins, labels=False, duplicates="drop")
    means = yy.groupby(groups.to_numpy()).transform("mean")
    return float(means.var(ddof=0) / var)


@dataclass(frozen=True)
class Landscape:
    """Where one treaty lies in the sweep's ceiling space, and its nearest all-stable cell."""

    treaty: str
    coordinates: dict[str, float] | None
    reason: str | None
    in_all_stable: bool | None
    nearest: dict[str, float] | None
    change: dict[str, float] | None
    nearest_in_zopa: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "treaty": self.treaty,
            "coordinates": self.coordinates,
            "not_comparable": self.reason,
            "in_all_stable": self.in_all_stable,
            "nearest_all_stable": self.nearest,
            "change": self.change,
            "nearest_in_zopa": self.nearest_in_zopa,
        }


def _treaty_ceiling(t: Treaty, limit: str, party: str) -> float | None:
    lim = next((x for x in t.limits if x.id == limit), None)
    if lim is None or party not in t.parties:
        return None
    c = lim.per_party.get(party, lim.ceiling)
    if lim.schedule:
        last = lim.schedule[-1]
        c = last.per_party.get(party, last.ceiling) if party in last.per_party else last.ceiling
    return float(c) if isinstance(c, int | float) else None


def nearest_stable(treaty: Treaty, stable: StableSet, spec: SweepFile) -> Landscape:
    """``treaty``'s place among the sweep's ceiling cells (see the module docstring)."""
    axes = [a for a in spec.axes if a.kind == "ceiling"]
    if not axes:
        return Landscape(treaty.id, None, "the sweep has no ceiling axes", None, None, None, None)
    coords: dict[str, float] = {}
    for a in axes:
        vals = {_treaty_ceiling(treaty, str(a.limit), p) for p in a.parties}
        if len(vals) != 1 or None in vals:
            return Landscape(
                treaty.id,
                None,
                f"no single numeric {a.limit} ceiling for {'+'.join(a.parties)}",
                None,
                None,
                None,
                None,
            )
        v = vals.pop()
        assert v is not None
        coords[a.name] = v
    cells = stable.cells
    span = {a.name: max(float(cells[a.name].max() - cells[a.name].min()), 1e-9) for a in axes}
    dist = sum(np.abs(cells[n].to_numpy(float) - coords[n]) / span[n] for n in coords)
    here = int(np.argmin(dist))
    inside = bool(cells["all_stable"].iloc[here]) if dist[here] == 0 else None
    ok = cells[cells["all_stable"].to_numpy()]
    if ok.empty:
        return Landscape(
            treaty.id, coords, None, inside if inside is not None else False, None, None, None
        )
    d_ok = sum(np.abs(ok[n].to_numpy(float) - coords[n]) / span[n] for n in coords)
    best = ok.iloc[int(np.argmin(d_ok))]
    nearest = {n: float(best[n]) for n in coords}
    return Landscape(
        treaty=treaty.id,
        coordinates=coords,
        reason=None if dist[here] == 0 else "not on the sweep's grid (nearest cell used)",
        in_all_stable=inside if inside is not None else bool(cells["all_stable"].iloc[here]),
        nearest=nearest,
        change={n: nearest[n] - coords[n] for n in coords},
        nearest_in_zopa=bool(best["in_zopa"]),
    )
