"""No-deal projections of the three arsenals, year by year, from sourced anchor points.

A scenario file (``projection/scenarios/*.yaml``) gives, for each party, dated anchor
points. Every anchor value (central, and optionally low and high) carries its source ids as
in the forces register (``S20``, ``S29b`` ...), a grade (A/B/C/R) and a basis: published
(the number is in the source), derived (arithmetic on published numbers, stated in the
note) or assumed (a modelling assumption, stated in the note). Between anchors the
projection is linear in the year and after the last anchor it is held flat; both are
modelling assumptions and every projection reports them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tripolar.data.schema import SOURCE_ID_RE
from tripolar.errors import InputError, from_validation_error
from tripolar.io_yaml import load_yaml_file, resolve_named_file
from tripolar.projection.richardson import RichardsonFit, trajectories, trajectory

Grade = Literal["A", "B", "C", "R"]
Basis = Literal["published", "derived", "assumed"]
Measure = Literal["military_stockpile", "deployed_strategic", "total_inventory"]

#: Longest accepted text fields of a scenario file, in characters (a real note is a few
#: hundred; a longer one is a mistake, and would also be slow to wrap on a terminal).
MAX_NAME_CHARS = 64
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 4000
#: Longest mapping key anywhere in the file, and most assumptions listed.
MAX_KEY_CHARS = 64
MAX_ASSUMPTIONS = 50

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
SourceId = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]
PartyName = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: Directory of the bundled scenario files.
SCENARIO_DIR = Path(__file__).with_name("scenarios")

INTERPOLATION_NOTE = (
    "Between dated anchors the value is interpolated linearly in the year (model assumption)."
)
HOLD_NOTE = "After the last anchor the value is held flat to the end year (model assumption)."


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Estimate(_Strict):
    """One dated value with its provenance."""

    value: float = Field(ge=0, allow_inf_nan=False)
    sources: list[SourceId] = Field(default_factory=list, max_length=MAX_ASSUMPTIONS)
    grade: Grade | None = None
    basis: Basis
    note: Text = ""

    @model_validator(mode="after")
    def _provenance(self) -> Estimate:
        for s in self.sources:
            if not SOURCE_ID_RE.match(s):
                raise ValueError(f"source id {s!r} is not of the form S<number>[suffix]")
        if self.basis in ("published", "derived") and not self.sources:
            raise ValueError(f"a {self.basis} value needs at least one source id")
        if self.sources and self.grade is None:
            raise ValueError("a sourced value needs a grade (A, B, C or R)")
        if self.basis in ("derived", "assumed") and not self.note.strip():
            raise ValueError(f"a {self.basis} value needs a note saying how it was obtained")
        return self


class Anchor(_Strict):
    """A dated anchor: central value and optional low/high band edges."""

    year: int = Field(ge=1945, le=2200)
    central: Estimate
    low: Estimate | None = None
    high: Estimate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Anchor:
        lo = self.low.value if self.low else self.central.value
        hi = self.high.value if self.high else self.central.value
        if not lo <= self.central.value <= hi:
            raise ValueError(f"need low <= central <= high, got {lo}, {self.central.value}, {hi}")
        return self


class PartySeries(_Strict):
    """What is projected for one party, and its anchors in increasing year order."""

    measure: Measure
    measure_note: Text = ""
    anchors: list[Anchor] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _increasing(self) -> PartySeries:
        years = [a.year for a in self.anchors]
        if any(b <= a for a, b in itertools.pairwise(years)):
            raise ValueError(f"anchor years must be strictly increasing, got {years}")
        return self


class Scenario(_Strict):
    """A no-deal projection scenario (validated form of one YAML file)."""

    name: str = Field(max_length=MAX_NAME_CHARS)
    title: str = Field(max_length=MAX_TITLE_CHARS)
    description: Text
    start_year: int = Field(ge=1945, le=2200)
    end_year: int = Field(ge=1945, le=2200)
    interpolation: Literal["linear"] = "linear"
    after_last_anchor: Literal["hold"] = "hold"
    assumptions: list[Text] = Field(default_factory=list, max_length=MAX_ASSUMPTIONS)
    parties: dict[PartyName, PartySeries] = Field(min_length=1, max_length=16)

    @model_validator(mode="after")
    def _span(self) -> Scenario:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"name {self.name!r} must be lower-case letters, digits, hyphens")
        if self.end_year <= self.start_year:
            raise ValueError("end_year must be after start_year")
        for party, series in self.parties.items():
            first, last = series.anchors[0].year, series.anchors[-1].year
            if first != self.start_year:
                raise ValueError(f"{party}: first anchor {first} is not start_year")
            if last > self.end_year:
                raise ValueError(f"{party}: anchor {last} is after end_year")
        return self


def list_scenarios() -> list[str]:
    """Names of the bundled scenarios."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a bundled scenario by name (``status-quo``) or a scenario YAML file by path.

    Raises :class:`InputError` naming the file and field for anything malformed.
    """
    path = resolve_named_file(name_or_path, SCENARIO_DIR, kind="scenario", field="scenario")
    raw = load_yaml_file(path)
    if not isinstance(raw, dict):
        raise InputError("scenario file is not a mapping", file=path, expected="a YAML mapping")
    _check_keys(raw, path, "")
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        if err.get("type") in ("string_too_long", "too_long"):
            # The generic message echoes the value; a 200,000-character echo is no message.
            loc = ".".join(str(p) for p in err.get("loc", ()))
            limit = (err.get("ctx") or {}).get("max_length")
            got = err.get("input")
            size = len(got) if isinstance(got, str | list | dict) else "too many"
            unit = "characters" if isinstance(got, str) else "items"
            raise InputError(
                f"{size} {unit}, above the limit",
                file=path,
                field=loc,
                expected=f"at most {limit} {unit}",
            ) from exc
        raise from_validation_error(exc, path) from exc


def _check_keys(node: Any, path: Path, where: str) -> None:
    # Unknown keys are echoed by the validation error, so an oversized key is refused first.
    if isinstance(node, dict):
        for key, value in node.items():
            text = str(key)
            if len(text) > MAX_KEY_CHARS:
                raise InputError(
                    f"a key of {len(text)} characters (starting {text[:20]!r})",
                    file=path,
                    field=where or "(top level)",
                    expected=f"keys of at most {MAX_KEY_CHARS} characters",
                )
            _check_keys(value, path, f"{where}.{text}" if where else text)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_keys(value, path, f"{where}.{i}" if where else str(i))


@dataclass(frozen=True)
class Projection:
    """Year-by-year projection per party: central value and low/high band (warheads).

    ``central``, ``low`` and ``high`` have shape (parties, years). ``kind`` says for each
    cell whether it is an anchor, interpolated, or held after the last anchor.
    """

    name: str
    title: str
    parties: tuple[str, ...]
    measures: tuple[str, ...]
    years: NDArray[np.int64]
    central: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    kind: NDArray[np.str_]
    assumptions: tuple[str, ...]
    anchors: tuple[dict[str, Any], ...] = field(default=())

    def at(self, party: str, year: int) -> tuple[float, float, float]:
        """(low, central, high) for one party and year."""
        i = self.parties.index(party)
        k = int(np.searchsorted(self.years, year))
        if k >= self.years.size or self.years[k] != year:
            raise InputError(f"year {year} not projected", field="year")
        return float(self.low[i, k]), float(self.central[i, k]), float(self.high[i, k])

    def to_frame(self) -> pd.DataFrame:
        """Long table: party, measure, year, central, low, high, kind."""
        rows = []
        for i, p in enumerate(self.parties):
            for k, y in enumerate(self.years):
                rows.append(
                    {
                        "party": p,
                        "measure": self.measures[i],
                        "year": int(y),
                        "central": float(self.central[i, k]),
                        "low": float(self.low[i, k]),
                        "high": float(self.high[i, k]),
                        "kind": str(self.kind[i, k]),
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "parties": list(self.parties),
            "measures": dict(zip(self.parties, self.measures, strict=True)),
            "assumptions": list(self.assumptions),
            "anchors": list(self.anchors),
            "rows": self.to_frame().to_dict(orient="records"),
        }


def _interp_held(x_years: Sequence[int], values: Sequence[float], years: NDArray[np.int64]):
    # np.interp holds the end values flat outside the anchor range, which is exactly the
    # "hold after the last anchor" assumption.
    return np.interp(years.astype(float), np.asarray(x_years, float), np.asarray(values, float))


def project(scenario: Scenario) -> Projection:
    """Interpolate a scenario's anchors to every year from start_year to end_year.

    Central, low and high are each interpolated linearly between anchors and held after the
    last one; a missing low/high at an anchor equals the central value there (no published
    band). Pure function of the validated scenario.
    """
    years = np.arange(scenario.start_year, scenario.end_year + 1, dtype=np.int64)
    parties = tuple(scenario.parties)
    central = np.empty((len(parties), years.size))
    low = np.empty_like(central)
    high = np.empty_like(central)
    kind = np.empty(central.shape, dtype="<U12")
    anchors: list[dict[str, Any]] = []
    for i, p in enumerate(parties):
        series = scenario.parties[p]
        ay = [a.year for a in series.anchors]
        c = [a.central.value for a in series.anchors]
        lo = [(a.low or a.central).value for a in series.anchors]
        hi = [(a.high or a.central).value for a in series.anchors]
        central[i] = _interp_held(ay, c, years)
        low[i] = _interp_held(ay, lo, years)
        high[i] = _interp_held(ay, hi, years)
        kind[i] = np.where(
            np.isin(years, ay), "anchor", np.where(years > ay[-1], "held", "interpolated")
        )
        for a in series.anchors:
            entry: dict[str, Any] = {"party": p, "year": a.year}
            for edge in ("central", "low", "high"):
                est = getattr(a, edge)
                if est is not None:
                    entry[edge] = est.model_dump()
            anchors.append(entry)
    assumptions = (INTERPOLATION_NOTE, HOLD_NOTE, *scenario.assumptions)
    return Projection(
        name=scenario.name,
        title=scenario.title,
        parties=parties,
        measures=tuple(scenario.parties[p].measure for p in parties),
        years=years,
        central=central,
        low=low,
        high=high,
        kind=kind,
        assumptions=assumptions,
        anchors=tuple(anchors),
    )


def richardson_projection(
    fit: RichardsonFit,
    start_levels: ArrayLike,
    start_year: int,
    end_year: int,
    rng: np.random.Generator | None = None,
    n_samples: int = 500,
    band: tuple[float, float] = (0.05, 0.95),
    measures: Mapping[str, str] | None = None,
) -> Projection:
    """Project with a fitted Richardson model from ``start_levels`` at ``start_year``.

    The central path is the exact solution with the fitted coefficients. With ``rng`` the
    band is the (5 %, 95 %) range of paths whose coefficients (K, a, g) are drawn from the
    normal approximation N(estimate, covariance) of the fit, using the fit's covariance as
    computed by :func:`tripolar.projection.richardson.scaled_covariance` (a parametric draw,
    not a residual bootstrap); the initial level is the observed ``start_levels``, not
    drawn. When a coefficient is not determined by the data (infinite variance) no band can
    be drawn and low and high are NaN. Without ``rng`` the band is the central path.
    Source: Richardson (1960) for the model. This is a projection device, not a validated
    predictor.
    """
    n = len(fit.names)
    years = np.arange(start_year, end_year + 1, dtype=np.int64)
    tau = (years - start_year).astype(float)
    x0 = np.asarray(start_levels, dtype=float)
    k = np.nan_to_num(fit.reaction)
    central = trajectory(k, fit.fatigue_per_yr, fit.grievance_per_yr, x0, tau).T
    low, high = central.copy(), central.copy()
    if rng is not None:
        n_coef = int(fit.free_reaction.sum()) + 2 * n
        mean = fit.params[:n_coef]
        cov = fit.covariance[:n_coef, :n_coef]
        if not np.all(np.isfinite(cov)):
            low = np.full_like(central, np.nan)
            high = np.full_like(central, np.nan)
        else:
            draws = rng.multivariate_normal(mean, cov, size=n_samples, method="eigh")
            free = fit.free_reaction
            nk = int(free.sum())
            ks = np.zeros((n_samples, n, n))
            ks[:, free] = draws[:, :nk]
            # Draws deep in a runaway region overflow; those paths count as beyond the band.
            with np.errstate(over="ignore", invalid="ignore"):
                paths = trajectories(
                    ks, draws[:, nk : nk + n], draws[:, nk + n : nk + 2 * n], x0, tau
                ).transpose(0, 2, 1)
            # An overflowed path (inf - inf = NaN) has no level to rank; it is left out.
            low = np.minimum(np.nanquantile(paths, band[0], axis=0), central)
            high = np.maximum(np.nanquantile(paths, band[1], axis=0), central)
    kind = np.full(central.shape, "model", dtype="<U12")
    kind[:, 0] = "anchor"
    meas = measures or {}
    return Projection(
        name=f"richardson-{fit.method}",
        title=f"Richardson model fitted by {fit.method.replace('_', ' ')} "
        f"({int(fit.years[0])}-{int(fit.years[-1])})",
        parties=fit.names,
        measures=tuple(meas.get(p, "military_stockpile") for p in fit.names),
        years=years,
        central=central,
        low=low,
        high=high,
        kind=kind,
        assumptions=(
            "Richardson's linear model with constant fitted coefficients (model assumption; "
            "a projection device, not a validated predictor).",
        ),
    )
