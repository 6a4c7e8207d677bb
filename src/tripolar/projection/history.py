"""Richardson's model fitted to the bundled historical stockpile series, and projected.

The series is the dataset's ``stockpiles`` table, metric ``military_stockpile`` (FAS /
Norris-Kristensen historical series and the FAS/SIPRI 2025 figures): 1945 to 2020 every five
years, then 2023, 2024 and 2025 (the US also has 1967 and 2022, Russia 1986 and 2022). The
fit uses only the years in which all three parties have a value, so the time axis is
uneven (five-year steps, then three, one and one); the ODE fit evaluates the exact solution
at each year's own offset and does not assume yearly steps.

The default window starts in 1995 (:data:`FIT_FROM_DEFAULT`): after the Cold War and after
the steepest fall of the series (1990-1995), which no constant-coefficient linear model
follows (fitted from 1990 the US residual is about 1,000 warheads root mean square, against
about 250 from 1995). Whatever the window, the fit is a projection device, not a validated
predictor (Caspary, *International Studies Quarterly* 11(1), 1967; Smith, *Journal of
Conflict Resolution* 24(2), 1980).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tripolar.data import load_dataset
from tripolar.errors import InputError
from tripolar.forces.records import TRILATERAL
from tripolar.projection.richardson import RichardsonFit, fit_history
from tripolar.projection.scenarios import Projection, richardson_projection

#: Parties fitted, in this order.
STATES: tuple[str, ...] = TRILATERAL
#: Stockpile measure of the historical series.
METRIC = "military_stockpile"
#: First year of the default fit window (see the module docstring for why).
FIT_FROM_DEFAULT = 1995
#: Last year of the projection.
END_YEAR_DEFAULT = 2040

CAVEAT = (
    "Richardson's model is a projection device, not a validated predictor (Caspary 1967; "
    "Smith 1980): constant coefficients, no budgets or technology, a poor record on real data. "
    "A 'stable' or 'runaway' flag describes the fitted curve, not the politics."
)
SE_NOTE = (
    "Standard errors are s^2 (J^T J)^-1 from the exact Jacobian, computed in the "
    "column-scaled space by SVD (condition number shown); they are local (linearised at the "
    "optimum), so for a runaway system they still understate the uncertainty. The band is "
    "the 5-95 % range of paths with coefficients drawn from that covariance."
)
#: A projected year says nothing when the 90 % band (5 to 95 %) is wider than this many
#: times the absolute central value ...
BAND_WIDTH_MAX_RATIO = 1.0
#: ... or when the band includes zero and its top exceeds this many times the last
#: observed level.
BAND_TOP_MAX_RATIO = 2.0
UNINFORMATIVE_DEFINITION = (
    f"a year says nothing when its 90 % band is wider than {BAND_WIDTH_MAX_RATIO:g} times "
    f"the central value, or includes 0 and reaches above {BAND_TOP_MAX_RATIO:g} times the "
    "last observed level"
)


def stockpile_history(
    data_dir: str | Path | None = None, states: Sequence[str] = STATES
) -> pd.DataFrame:
    """Historical military stockpiles (warheads): columns state, year, value.

    Rows of the dataset's ``stockpiles`` table with metric ``military_stockpile`` for
    ``states``, sorted by state order then year. ``data_dir`` is an overlay directory as in
    :func:`tripolar.data.load_dataset`. Source: the dataset rows (FAS/Norris-Kristensen).
    """
    table = load_dataset(data_dir).tables["stockpiles"]
    rows = table[(table["metric"] == METRIC) & table["state"].isin(list(states))]
    absent = [s for s in states if s not in set(rows["state"])]
    if absent:
        raise InputError(
            f"no {METRIC} rows for {absent}", field="state", expected=f"rows for {list(states)}"
        )
    out = rows[["state", "year", "value"]].copy()
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    order = {s: i for i, s in enumerate(states)}
    out = out.sort_values(["state", "year"], key=lambda c: c.map(order) if c.name == "state" else c)
    return out.reset_index(drop=True)


def common_years(history: pd.DataFrame, states: Sequence[str] = STATES) -> list[int]:
    """Years in which every one of ``states`` has a value (the years a fit can use)."""
    per_state = [set(history.loc[history["state"] == s, "year"]) for s in states]
    return sorted(int(y) for y in set.intersection(*per_state)) if per_state else []


def _min_years(method: str, n: int) -> int:
    # ODE: n(n-1) reactions + n fatigue + n grievance + n initial levels must be fewer than
    # the n * years observations. Finite differences: per equation n + 1 coefficients on
    # years - 1 intervals, plus one degree of freedom for a standard error.
    n_par = n * (n - 1) + 3 * n
    return n_par // n + 1 if method == "ode" else n + 3


def fit_window_limits(
    method: str = "ode", data_dir: str | Path | None = None, states: Sequence[str] = STATES
) -> tuple[int, int]:
    """First and last allowed fit start year: the first common year of the series, and the
    latest start that leaves enough common years for ``method`` (1945 and 2010 for the
    bundled series and the ODE fit of three parties)."""
    years = common_years(stockpile_history(data_dir, states), states)
    need = _min_years(method, len(states))
    return years[0], years[-need] if len(years) >= need else years[0]


def fit_dataset_history(
    year_min: int = FIT_FROM_DEFAULT,
    year_max: int | None = None,
    method: str = "ode",
    data_dir: str | Path | None = None,
    states: Sequence[str] = STATES,
) -> RichardsonFit:
    """Fit Richardson's model to the bundled stockpile series over [year_min, year_max].

    The years used are those of :func:`common_years` inside the window (``fit.years``); with
    the default window: 1995, 2000, ..., 2020, 2023, 2024, 2025. ``method`` is "ode"
    (preferred) or "finite_differences" (see :mod:`tripolar.projection.richardson`). Raises
    :class:`InputError` when the window lies outside the series or holds too few years.
    Source: Richardson (1960) for the model; the series as in :func:`stockpile_history`.
    """
    history = stockpile_history(data_dir, states)
    years = common_years(history, states)
    hi = years[-1] if year_max is None else year_max
    used = [y for y in years if year_min <= y <= hi]
    need = _min_years(method, len(states))
    if year_min < years[0]:
        raise InputError(
            f"fit start {year_min} is before the first year of the series ({years[0]})",
            field="fit_from",
            expected=f"a year from {years[0]} to {years[-need]}",
        )
    if year_min > years[-1]:
        raise InputError(
            f"fit start {year_min} is after the last year of the series ({years[-1]})",
            field="fit_from",
            expected=f"a year from {years[0]} to {years[-need]}",
        )
    if len(used) < need:
        raise InputError(
            f"window {year_min}-{hi} holds {len(used)} years of the series "
            f"({', '.join(map(str, used)) or 'none'}); the {method} fit of {len(states)} "
            f"parties needs at least {need}",
            field="fit_from",
            expected=f"a year from {years[0]} to {years[-need]}",
        )
    return fit_history(history, states, year_min, hi, method)


@dataclass(frozen=True)
class HistoryProjection:
    """A Richardson fit to the historical series and its projection from the last year.

    ``projection`` starts at the last year of the series from the observed levels
    (``start_levels``, warheads). ``observed`` holds the fitted series, shape (years of
    ``fit.years``, parties), in warheads. ``notes`` are printed under the table: the caveat, the
    standard-error note and any place where the central path leaves the range of the data.
    """

    fit: RichardsonFit
    projection: Projection
    start_year: int
    start_levels: dict[str, float]
    seed: int | None
    observed: NDArray[np.float64]
    notes: tuple[str, ...]
    uninformative_from: dict[str, int | None] | None

    @property
    def verdict(self) -> str:
        """One sentence: from which year the band makes the projection say nothing."""
        return verdict(self.uninformative_from, self.projection)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": "richardson",
            "verdict": self.verdict,
            "uninformative_from": self.uninformative_from,
            "uninformative_definition": UNINFORMATIVE_DEFINITION,
            "fit": self.fit.to_dict(),
            "start_year": self.start_year,
            "start_levels": dict(self.start_levels),
            "seed": self.seed,
            "observed": {
                p: dict(
                    zip(
                        self.fit.years.astype(int).tolist(),
                        self.observed[:, i].tolist(),
                        strict=True,
                    )
                )
                for i, p in enumerate(self.fit.names)
            },
            "notes": list(self.notes),
            "projection": self.projection.to_dict(),
        }


def _range_notes(proj: Projection, history: pd.DataFrame) -> list[str]:
    notes = []
    for i, p in enumerate(proj.parties):
        peak = float(history.loc[history["state"] == p, "value"].max())
        c = proj.central[i]
        if np.any(c < 0):
            y = int(proj.years[np.argmax(c < 0)])
            notes.append(f"{p}: the central path is negative from {y} (outside any meaning).")
        if np.any(c > peak):
            y = int(proj.years[np.argmax(c > peak)])
            notes.append(
                f"{p}: the central path exceeds its historical peak ({peak:,.0f}) from {y}."
            )
    return notes


def uninformative_from(proj: Projection, start_levels: Sequence[float]) -> dict[str, int | None]:
    """First projected year, per party, from which the band says nothing (None: never).

    A year says nothing when the 5-95 % band is wider than :data:`BAND_WIDTH_MAX_RATIO`
    times the absolute central value, or when it includes zero and its top is above
    :data:`BAND_TOP_MAX_RATIO` times the party's last observed level, or when no band could
    be drawn (NaN: a coefficient is not determined). The start year (observed) is skipped.
    """
    out: dict[str, int | None] = {}
    for i, p in enumerate(proj.parties):
        lo, hi, c = proj.low[i, 1:], proj.high[i, 1:], proj.central[i, 1:]
        with np.errstate(invalid="ignore"):
            wide = (hi - lo) > BAND_WIDTH_MAX_RATIO * np.abs(c)
            zero_and_high = (lo <= 0.0) & (hi > BAND_TOP_MAX_RATIO * float(start_levels[i]))
        bad = wide | zero_and_high | np.isnan(lo) | np.isnan(hi)
        out[p] = int(proj.years[1:][np.argmax(bad)]) if np.any(bad) else None
    return out


def verdict(uninformative: dict[str, int | None] | None, proj: Projection) -> str:
    """The words printed above the projection table and given as ``verdict`` in JSON."""
    if uninformative is None:
        return "No band was drawn (no seed), so nothing is said about its width."
    end = int(proj.years[-1])
    bad = {p: y for p, y in uninformative.items() if y is not None}
    if not bad:
        return (
            f"The 90 % band stays informative to {end} for every party "
            f"({UNINFORMATIVE_DEFINITION})."
        )
    parts = ", ".join(f"{p} from {y}" for p, y in bad.items())
    return (
        f"The band is so wide that the projection says nothing about {parts} "
        f"({UNINFORMATIVE_DEFINITION})."
    )


def _fit_notes(fit: RichardsonFit) -> list[str]:
    notes = []
    if not fit.converged:
        notes.append(
            "The solver stopped at its evaluation budget before converging: the estimates are "
            "not at a minimum of the residuals."
        )
    if not fit.identified:
        undetermined = [
            name
            for name, v in zip(fit.param_names, np.diag(fit.covariance), strict=True)
            if not np.isfinite(v)
        ]
        notes.append(
            f"Condition number {fit.condition_number:.3g} of the scaled Jacobian: the data do "
            f"not determine {', '.join(undetermined)} (standard error infinite), so no band "
            "can be drawn."
        )
    return notes


def project_history(
    year_min: int = FIT_FROM_DEFAULT,
    end_year: int = END_YEAR_DEFAULT,
    seed: int | None = 0,
    method: str = "ode",
    n_samples: int = 500,
    data_dir: str | Path | None = None,
) -> HistoryProjection:
    """Fit the historical series from ``year_min`` and project from its last year to ``end_year``.

    The band is the 5-95 % range of paths with coefficients drawn from the fit's normal
    approximation, seeded by ``seed`` (None: no band, and no verdict on it), and
    ``uninformative_from`` says from which year it is too wide to say anything (see
    :func:`uninformative_from`). Source: Richardson (1960).
    """
    fit = fit_dataset_history(year_min=year_min, method=method, data_dir=data_dir)
    history = stockpile_history(data_dir, fit.names)
    start_year = int(fit.years[-1])
    if end_year <= start_year:
        raise InputError(
            f"end year {end_year} is not after {start_year}",
            field="end_year",
            expected=f"a year after {start_year}",
        )
    wide = history.pivot_table(index="year", columns="state", values="value")
    observed = wide.loc[fit.years.astype(int), list(fit.names)].to_numpy(dtype=float)
    levels = {s: float(v) for s, v in zip(fit.names, observed[-1], strict=True)}
    rng = None if seed is None else np.random.default_rng(seed)
    proj = richardson_projection(
        fit, [levels[s] for s in fit.names], start_year, end_year, rng, n_samples=n_samples
    )
    bad = uninformative_from(proj, [levels[s] for s in fit.names]) if rng is not None else None
    notes = (CAVEAT, SE_NOTE, *_fit_notes(fit), *_range_notes(proj, history))
    return HistoryProjection(fit, proj, start_year, levels, seed, observed, notes, bad)
