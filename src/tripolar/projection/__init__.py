"""No-deal projections: sourced scenarios and Richardson's arms-race model."""

from __future__ import annotations

from tripolar.projection.history import (
    HistoryProjection,
    fit_dataset_history,
    fit_window_limits,
    project_history,
    stockpile_history,
    uninformative_from,
)
from tripolar.projection.richardson import (
    RichardsonAnalysis,
    RichardsonFit,
    analyse,
    fit_finite_differences,
    fit_history,
    fit_ode,
    leading_minors,
    scaled_covariance,
    system_matrix,
    trajectories,
    trajectory,
)
from tripolar.projection.scenarios import (
    Projection,
    Scenario,
    list_scenarios,
    load_scenario,
    project,
    richardson_projection,
)

__all__ = [
    "HistoryProjection",
    "Projection",
    "RichardsonAnalysis",
    "RichardsonFit",
    "Scenario",
    "analyse",
    "fit_dataset_history",
    "fit_finite_differences",
    "fit_history",
    "fit_ode",
    "fit_window_limits",
    "leading_minors",
    "list_scenarios",
    "load_scenario",
    "project",
    "project_history",
    "richardson_projection",
    "scaled_covariance",
    "stockpile_history",
    "system_matrix",
    "trajectories",
    "trajectory",
    "uninformative_from",
]
