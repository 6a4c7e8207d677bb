"""``tripolar project``: no-deal projections of the three arsenals by year, with bands."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from tripolar.cli.common import console, print_json
from tripolar.errors import InputError

if TYPE_CHECKING:
    from tripolar.projection.history import HistoryProjection
    from tripolar.projection.richardson import RichardsonFit
    from tripolar.projection.scenarios import Projection

#: First year of the Richardson fit window when --fit-from is not given; equal to
#: tripolar.projection.history.FIT_FROM_DEFAULT (a test checks), written here so that the
#: command's signature does not import the projection models (pandas, scipy) at start-up.
FIT_FROM_DEFAULT = 1995

#: Largest accepted --seed (numpy accepts any non-negative integer; this bound keeps the
#: recorded seed an unsigned 32-bit number, as most tools store it).
SEED_MAX = 2**32 - 1
#: Longest accepted --scenario argument (a name or a path).
SCENARIO_ARG_MAX_CHARS = 4096
SCENARIO_CAVEAT = (
    "Sourced anchors joined by straight lines and held flat after the last one "
    "(model assumptions); a no-deal projection, not a forecast."
)


def _table(proj: Projection) -> Table:
    table = Table(title=f"{proj.title} [{proj.name}]")
    table.add_column("Year", justify="right")
    for p, m in zip(proj.parties, proj.measures, strict=True):
        table.add_column(f"{p}\n{m.replace('_', ' ')}", justify="right")
    for k, y in enumerate(proj.years):
        cells = []
        for i in range(len(proj.parties)):
            c, lo, hi = proj.central[i, k], proj.low[i, k], proj.high[i, k]
            sep = " to " if lo < 0 or hi < 0 else "-"
            if math.isnan(lo) or math.isnan(hi):
                band = " (no band)"
            else:
                band = "" if lo == hi == c else f" ({lo:,.0f}{sep}{hi:,.0f})"
            mark = "*" if proj.kind[i, k] == "anchor" else ""
            cells.append(f"{c:,.0f}{band}{mark}")
        table.add_row(str(int(y)), *cells)
    table.caption = (
        "central (low-high); * = dated anchor (--json gives its sources, grade and basis)"
        if not proj.name.startswith("richardson")
        else "central (5-95 % band of coefficient draws); * = observed start level"
    )
    return table


def _fit_table(fit: RichardsonFit) -> Table:
    table = Table(title=f"Richardson fit ({fit.method.replace('_', ' ')})")
    table.add_column("Parameter")
    table.add_column("Estimate", justify="right")
    table.add_column("Std. error", justify="right")
    for row in fit.to_frame().itertuples(index=False):
        se_val = float(row.se)  # type: ignore[arg-type]
        se = f"{se_val:.3g}" if math.isfinite(se_val) else "not determined"
        table.add_row(str(row.parameter), f"{row.estimate:.4g}", se)
    table.caption = (
        "k[i,j]: reaction of i to j, a: fatigue (per year); g: grievance (warheads per year); "
        "x0: fitted level in the first year (warheads)"
    )
    return table


def _print_analysis(fit: RichardsonFit) -> None:
    an = fit.analysis
    eig = ", ".join(
        f"{e.real:.4f}" if abs(e.imag) < 1e-12 else f"{e.real:.4f}{e.imag:+.4f}i"
        for e in an.eigenvalues_per_yr
    )
    minors = ", ".join(f"{m:.4g}" for m in an.minors)
    verdict = "STABLE" if an.stable else "RUNAWAY"
    console.print(f"Stability of the fitted system: {verdict}")
    console.print(f"  eigenvalues of M (per year): {eig}")
    console.print(
        f"  leading principal minors of -M (Hawkins-Simon): {minors} -> "
        f"{'all positive' if an.hawkins_simon else 'not all positive'}"
        + (
            ""
            if an.metzler
            else " (M is not Metzler: some fitted reactions are negative, "
            "so the minor test is not equivalent to stability)"
        )
    )
    if an.stable and an.time_scale_yr is not None:
        console.print(f"  slowest time scale: {an.time_scale_yr:.1f} years")
    else:
        rate = an.slowest_rate_per_yr
        growth = f" (e-folding time {1.0 / rate:.1f} years)" if rate > 0 else ""
        console.print(f"  slowest mode grows at {rate:.4f} per year{growth}")
    if an.equilibrium is None:
        console.print("  equilibrium: none (M is singular)")
    else:
        eq = ", ".join(f"{p} {v:,.0f}" for p, v in zip(fit.names, an.equilibrium, strict=True))
        kind = "attracting" if an.stable else "not attracting (repelling along a runaway mode)"
        console.print(f"  equilibrium (warheads): {eq}, {kind}")


def _plot(proj: Projection, out: Path, history: HistoryProjection | None = None) -> None:
    import matplotlib

    from tripolar.projection.history import CAVEAT
    from tripolar.report.plots import save_figure

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, (p, m) in enumerate(zip(proj.parties, proj.measures, strict=True)):
        line = ax.plot(proj.years, proj.central[i], label=f"{p} ({m.replace('_', ' ')})")[0]
        ax.fill_between(proj.years, proj.low[i], proj.high[i], color=line.get_color(), alpha=0.2)
        anchors = proj.kind[i] == "anchor"
        ax.plot(proj.years[anchors], proj.central[i][anchors], "o", color=line.get_color())
        if history is not None:
            fit = history.fit
            ax.plot(
                fit.years,
                history.observed[:, i],
                "x--",
                color=line.get_color(),
                lw=0.8,
                label=f"{p} observed (fit years)",
            )
    ax.set_xlabel("year")
    ax.set_ylabel("warheads")
    ax.set_title(proj.title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    # The caveat is part of the figure, so it travels with the PNG wherever it is pasted.
    caveat = CAVEAT if history is not None else SCENARIO_CAVEAT
    if history is not None:
        caveat = f"NOT A PREDICTOR. {caveat} {history.verdict}"
    lines = textwrap.wrap(caveat, 150)
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=6.5, va="bottom", ha="left")
    fig.tight_layout(rect=(0.0, 0.02 + 0.03 * len(lines), 1.0, 1.0))
    save_figure(fig, out, tight=False)
    plt.close(fig)


def project_command(
    scenario: str = typer.Option(
        "status-quo", "--scenario", "-s", help="Scenario name or path to a scenario YAML."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the projection as JSON."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write a plot to this path (.png, .svg or .pdf)."
    ),
    list_all: bool = typer.Option(False, "--list", help="List the bundled scenarios."),
    model: str = typer.Option(
        "scenario",
        "--model",
        help="scenario (sourced anchors) or richardson (arms-race model fitted to the "
        "historical stockpiles; --scenario is then ignored).",
    ),
    # Year and seed are taken as text and parsed here, so that a bad value gives the one-line
    # error of every other input problem instead of Click's boxed usage message.
    fit_from: str = typer.Option(
        str(FIT_FROM_DEFAULT),
        "--fit-from",
        metavar="YEAR",
        help="First year of the Richardson fit window: a whole year from 1945 (first year of "
        "the series) to 2010 (last start leaving the six years 15 parameters need).",
    ),
    seed: str = typer.Option(
        "0",
        "--seed",
        metavar="INT",
        help=f"Seed of the Richardson band's coefficient draws: a whole number 0 to {SEED_MAX}.",
    ),
) -> None:
    """Project the US, Russian and Chinese arsenals to 2040 with no deal.

    By default from a scenario of sourced anchors; with --model richardson from Richardson's
    arms-race model fitted to the historical stockpile series (a projection device, not a
    validated predictor).

    Examples:
      tripolar project --list
      tripolar project --scenario china-1500-by-2035 --plot projection.png
      tripolar project --model richardson --fit-from 1995 --json
    """
    from tripolar.projection.scenarios import list_scenarios, load_scenario, project
    from tripolar.report.plots import check_plot_path

    if list_all:
        for name in list_scenarios():
            console.print(f"{name}: {load_scenario(name).title}")
        return
    if model not in ("scenario", "richardson"):
        raise InputError(
            f"unknown model {_show(model)}", field="--model", expected="scenario or richardson"
        )
    if plot is not None:
        check_plot_path(plot)
    if model == "richardson":
        from tripolar.projection.history import fit_window_limits

        lo, hi = fit_window_limits()
        year = _parse_int(fit_from, "--fit-from", lo, hi, "a whole year")
        _richardson(year, _parse_int(seed, "--seed", 0, SEED_MAX, "a whole number"), json_out, plot)
        return
    if len(scenario) > SCENARIO_ARG_MAX_CHARS:
        raise InputError(
            f"{len(scenario)} characters",
            field="--scenario",
            expected=f"a scenario name or path of at most {SCENARIO_ARG_MAX_CHARS} characters",
        )
    proj = project(load_scenario(scenario))
    if plot is not None:
        _plot(proj, plot)
    if json_out:
        print_json(proj)
        return
    console.print(_table(proj))
    for a in proj.assumptions:
        console.print(f"- {a}")
    if plot is not None:
        console.print(f"plot written to {plot}")


def _show(text: str) -> str:
    # Echo a bad value without letting a huge one flood the error line.
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _parse_int(text: str, option: str, lo: int, hi: int, what: str) -> int:
    """A whole number in [lo, hi] from an option's text, or a one-line InputError."""
    expected = f"{what} from {lo} to {hi}"
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(f"got {_show(text)}", field=option, expected=expected) from None
    if not lo <= value <= hi:
        raise InputError(f"{value} is out of range", field=option, expected=expected)
    return value


def _richardson(fit_from: int, seed: int, json_out: bool, plot: Path | None) -> None:
    from tripolar.projection.richardson import RCOND

    try:
        from tripolar.projection.history import project_history

        result = project_history(year_min=fit_from, seed=seed)
    except InputError as exc:
        if exc.field != "fit_from":
            raise
        raise InputError(exc.detail, field="--fit-from", expected=exc.expected) from exc
    if plot is not None:
        _plot(result.projection, plot, result)
    if json_out:
        print_json(result)
        return
    years = ", ".join(str(int(y)) for y in result.fit.years)
    console.print(f"Fitted to the military stockpiles of {years} (dataset, FAS/Norris-Kristensen)")
    console.print(_fit_table(result.fit))
    fit = result.fit
    console.print(
        f"Std. errors: s^2 (J^T J)^-1 by SVD of the column-scaled Jacobian; condition number "
        f"{fit.condition_number:.3g} (directions below {RCOND:g} of the largest singular value "
        "count as not determined)"
        + ("" if fit.converged else "; the solver stopped at its budget, NOT CONVERGED")
    )
    _print_analysis(result.fit)
    console.print(_table(result.projection))
    console.print(result.verdict)
    for note in result.notes:
        console.print(f"- {note}")
    if plot is not None:
        console.print(f"plot written to {plot}")


def register(app: typer.Typer) -> None:
    """Add the ``project`` command to the root app."""
    app.command("project")(project_command)
