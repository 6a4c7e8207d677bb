"""``tripolar negotiate`` (bargaining over a treaty family) and ``tripolar path`` (steps)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tripolar.cli.common import console, print_json


def _fmt_ceilings(c: dict[str, float | None]) -> str:
    return ", ".join(f"{p} {'unlimited' if v is None else f'{v:,.0f}'}" for p, v in c.items())


def negotiate_command(
    family: str = typer.Option(
        "trilateral-ceilings", "--family", help="Family name or path to a family YAML."
    ),
    scenario: str = typer.Option("status-quo", "--scenario", help="No-deal projection scenario."),
    year: int = typer.Option(2030, "--year", help="Year of the no-deal point."),
    json_out: bool = typer.Option(False, "--json", help="Print the analysis as JSON."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write a plot to this path (.png, .svg or .pdf)."
    ),
) -> None:
    """Bargain over a treaty family: ZOPA, Pareto frontier, Nash and Kalai-Smorodinsky.

    Examples:
      tripolar negotiate
      tripolar negotiate --scenario china-1500-by-2035 --year 2035 --plot negotiation.png
    """
    from tripolar.negotiation.evaluate import MODEL_NOTES, build_baseline
    from tripolar.negotiation.family import analyse_family, load_family
    from tripolar.negotiation.profiles import load_profiles
    from tripolar.report.plots import check_plot_path

    if plot is not None:
        check_plot_path(plot)
    fam = load_family(family)
    analysis = analyse_family(fam, build_baseline(scenario, year), load_profiles())
    if plot is not None:
        from tripolar.report.negotiation_plots import plot_family

        plot_family(analysis, plot)
    if json_out:
        print_json(analysis)
        return
    d = analysis.to_dict()
    parties = d["parties"]
    console.print(
        f"[bold]{fam.name}[/bold]: {d['n_members']} members; no deal = "
        f"{analysis.baseline.scenario} projection, {analysis.baseline.year}"
    )
    if not d["zopa"]:
        console.print("ZOPA: empty - no member leaves all three better off than no deal.")
        c = d["closest_to_agreement"]
        if c is not None:
            gains = ", ".join(f"{p} {g:+.3f}" for p, g in c["utilities"].items())
            console.print(
                f"closest to agreement (max-min gain): #{c['index']} {c['label']}: {gains}; "
                f"short: {', '.join(c['short']) or 'none'}"
            )
    else:
        t = Table(title=f"ZOPA ({len(d['zopa'])} members)")
        t.add_column("#", justify="right")
        t.add_column("member")
        for p in parties:
            t.add_column(p, justify="right")
        for z in d["zopa"][:20]:
            t.add_row(str(z["index"]), z["label"], *[f"{z['utilities'][p]:+.3f}" for p in parties])
        console.print(t)
    t = Table(title="Solutions")
    t.add_column("method")
    t.add_column("member")
    t.add_column("deployed-warhead ceilings")
    for p in parties:
        t.add_column(p, justify="right")
    for method, s in d["solutions"].items():
        if s is None:
            t.add_row(method, "no agreement", "", *[""] * len(parties))
        else:
            t.add_row(
                method,
                s["label"],
                _fmt_ceilings(s["ceilings"]),
                *[f"{s['utilities'][p]:+.3f}" for p in parties],
            )
    console.print(t)
    changed = sorted({r["weight"] for r in d["sensitivity"]["rows"] if r["changed"]})
    console.print(
        f"Weights whose +/-{analysis.sensitivity.rel_step:.0%} change moves a solution: "
        + (", ".join(changed) if changed else "none")
    )
    for n in MODEL_NOTES:
        console.print(f"- {n}")
    if plot is not None:
        console.print(f"plot written to {plot}")


def path_command(
    treaty: str | None = typer.Option(
        None, "--treaty", help="Target treaty: built-in id or YAML path (required)."
    ),
    scenario: str = typer.Option("status-quo", "--scenario", help="No-deal projection scenario."),
    year: int = typer.Option(2030, "--year", help="Year of the no-deal point."),
    max_bundle: int = typer.Option(2, "--max-bundle", min=1, max=4, help="Steps per bundle."),
    json_out: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
    # --treaty is the option's name in every command; --to, its earlier name here, stays
    # as a hidden alias.
    to: str | None = typer.Option(None, "--to", hidden=True, help="Old name of --treaty."),
) -> None:
    """Reciprocal steps from no deal to a treaty, each leaving every party no worse off.

    Examples:
      tripolar path --treaty tri-equal-1000
      tripolar path --treaty tri-equal-1000 --max-bundle 3 --json
    """
    from tripolar.errors import InputError
    from tripolar.negotiation.evaluate import build_baseline
    from tripolar.negotiation.profiles import load_profiles
    from tripolar.negotiation.steps import plan_to_treaty
    from tripolar.treaty.io import load_treaty

    name = treaty if treaty is not None else to
    if name is None:
        raise InputError(
            "no target treaty", field="--treaty", expected="a built-in id or a YAML path"
        )
    if treaty is not None and to is not None and treaty != to:
        raise InputError("--to is another name of --treaty: give one", field="--treaty")
    target = load_treaty(name)
    plan = plan_to_treaty(target, build_baseline(scenario, year), load_profiles(), max_bundle)
    if json_out:
        print_json(plan)
        return
    parties = plan.path.parties
    t = Table(title=f"Steps towards {target.id} (utility change per party)")
    t.add_column("step")
    t.add_column("requires")
    for p in parties:
        t.add_column(p, justify="right")
    for s in plan.steps:
        t.add_row(s.name, ", ".join(s.requires), *[f"{s.deltas[p]:+.3f}" for p in parties])
    console.print(t)
    r = plan.path
    for k, (bundle, cum) in enumerate(zip(r.bundles, r.cumulative, strict=True), 1):
        console.print(
            f"{k}. {' + '.join(bundle)}  -> " + ", ".join(f"{p} {cum[p]:+.3f}" for p in parties)
        )
    if r.complete:
        console.print("A reciprocal sequence reaches the treaty.")
        return
    console.print("No reciprocal sequence reaches the treaty. Blocked:")
    for b in r.blocked:
        why = []
        if b["worse_off"]:
            why.append("leaves " + ", ".join(b["worse_off"]) + " worse off")
        if b["lacks"]:
            why.append("needs " + ", ".join(b["lacks"]) + " first")
        console.print(f"- {b['step']}: {'; '.join(why)}")


def register(app: typer.Typer) -> None:
    app.command("negotiate")(negotiate_command)
    app.command("path")(path_command)
