"""``tripolar project``: no-deal projections of the three arsenals by year, with bands."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tripolar.cli.common import console, print_json
from tripolar.errors import InputError
from tripolar.projection.scenarios import Projection, list_scenarios, load_scenario, project


def _table(proj: Projection) -> Table:
    table = Table(title=f"{proj.title} [{proj.name}]")
    table.add_column("Year", justify="right")
    for p, m in zip(proj.parties, proj.measures, strict=True):
        table.add_column(f"{p}\n{m.replace('_', ' ')}", justify="right")
    for k, y in enumerate(proj.years):
        cells = []
        for i in range(len(proj.parties)):
            c, lo, hi = proj.central[i, k], proj.low[i, k], proj.high[i, k]
            band = "" if lo == hi == c else f" ({lo:,.0f}-{hi:,.0f})"
            mark = "*" if proj.kind[i, k] == "anchor" else ""
            cells.append(f"{c:,.0f}{band}{mark}")
        table.add_row(str(int(y)), *cells)
    table.caption = (
        "central (low-high); * = dated anchor (--json gives its sources, grade and basis)"
    )
    return table


def _plot(proj: Projection, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, (p, m) in enumerate(zip(proj.parties, proj.measures, strict=True)):
        line = ax.plot(proj.years, proj.central[i], label=f"{p} ({m.replace('_', ' ')})")[0]
        ax.fill_between(proj.years, proj.low[i], proj.high[i], color=line.get_color(), alpha=0.2)
        anchors = proj.kind[i] == "anchor"
        ax.plot(proj.years[anchors], proj.central[i][anchors], "o", color=line.get_color())
    ax.set_xlabel("year")
    ax.set_ylabel("warheads")
    ax.set_title(proj.title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def project_command(
    scenario: str = typer.Option(
        "status-quo", "--scenario", "-s", help="Scenario name or path to a scenario YAML."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the projection as JSON."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a PNG plot to this path."),
    list_all: bool = typer.Option(False, "--list", help="List the bundled scenarios."),
) -> None:
    """Project the US, Russian and Chinese arsenals to 2040 with no deal (sourced anchors)."""
    if list_all:
        for name in list_scenarios():
            console.print(f"{name}: {load_scenario(name).title}")
        return
    proj = project(load_scenario(scenario))
    if plot is not None:
        if plot.suffix.lower() != ".png":
            raise InputError("plot path must end in .png", field="--plot", expected="a .png path")
        if not plot.parent.exists():
            raise InputError("directory does not exist", file=plot.parent, field="--plot")
        _plot(proj, plot)
    if json_out:
        print_json(proj)
        return
    console.print(_table(proj))
    for a in proj.assumptions:
        console.print(f"- {a}")
    if plot is not None:
        console.print(f"plot written to {plot}")


def register(app: typer.Typer) -> None:
    """Add the ``project`` command to the root app."""
    app.command("project")(project_command)
