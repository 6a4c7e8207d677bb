"""CLI: ``tripolar exchange`` (one counterforce strike) and ``tripolar stability``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tripolar.cli.common import console, print_json
from tripolar.errors import InputError

_LEVELS = {"day-to-day": "day_to_day", "day_to_day": "day_to_day", "generated": "generated"}

SamplesOpt = Annotated[int, typer.Option("--samples", help="Monte Carlo samples.")]
SeedOpt = Annotated[
    int,
    typer.Option("--seed", help="Random seed (results are reproducible).", min=0, max=2**63 - 1),
]
AlertOpt = Annotated[
    Path | None, typer.Option("--alert", help="YAML file overriding alert levels/parameters.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
YearOpt = Annotated[int, typer.Option("--year", help="Year of the force estimates.")]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Directory of CSV tables overlaying the bundled dataset."),
]
#: Old name of --alert-level, kept hidden for one release: in count/check/upload
#: ``--posture`` is a posture file, so one name had two meanings.
DeprecatedPostureOpt = Annotated[
    str | None, typer.Option("--posture", hidden=True, help="Deprecated: use --alert-level.")
]


def _party(code: str, field: str) -> str:
    from tripolar.forces import TRILATERAL

    up = code.strip().upper()
    if up not in TRILATERAL:
        raise InputError(f"unknown party {code!r}", field=field, expected=" or ".join(TRILATERAL))
    return up


def _alert_level(
    alert_level: str | None, deprecated: str | None, default: str | None
) -> tuple[str, ...]:
    """The alert levels to run, from --alert-level (or its deprecated name --posture)."""
    field = "--alert-level"
    if deprecated is not None and alert_level is None:
        alert_level, field = deprecated, "--posture"
    name = alert_level if alert_level is not None else default
    if name is None:
        levels: tuple[str, ...] = ("day_to_day", "generated")
    else:
        key = name.strip().lower()
        if key not in _LEVELS:
            # a bad value gets its one error line only, without the deprecation notice
            raise InputError(
                f"unknown alert level {name!r}", field=field, expected="day-to-day or generated"
            )
        levels = (_LEVELS[key],)
    return levels


def _posture_alias_notice(deprecated: str | None) -> None:
    """After a successful run only: a failing command keeps its one error line."""
    if deprecated is not None:
        sys.stderr.write(
            "warning: --posture is deprecated here (in count/check/upload it names a posture "
            "file); use --alert-level\n"
        )


def _samples(n: int) -> int:
    if not 1 <= n <= 100_000:
        raise InputError(f"{n} samples", field="--samples", expected="1 to 100000")
    return n


def _band(b: dict[str, float]) -> str:
    return f"{b['median']:,.0f} ({b['p05']:,.0f}-{b['p95']:,.0f})"


def exchange_cmd(
    attacker: Annotated[str, typer.Option("--attacker", help="Striking party (US, RU, CN).")],
    victim: Annotated[str, typer.Option("--victim", help="Party struck.")],
    with_: Annotated[
        str | None, typer.Option("--with", help="Second attacker (a coalition of two).")
    ] = None,
    alert_level: Annotated[
        str | None,
        typer.Option(
            "--alert-level", help="Alert level of both sides: day-to-day (default) or generated."
        ),
    ] = None,
    samples: SamplesOpt = 1000,
    seed: SeedOpt = 1,
    alert: AlertOpt = None,
    year: YearOpt = 2025,
    data: DataOpt = None,
    json_out: JsonOpt = False,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="cost: the striker's cost-minimising spend (Kent-Thaler); damage: the spend "
            "that destroys the most.",
        ),
    ] = "cost",
    posture: DeprecatedPostureOpt = None,
) -> None:
    """One counterforce strike on real forces: the victim's surviving warheads.

    Examples:
      tripolar exchange --attacker RU --victim US --samples 200
      tripolar exchange --attacker RU --with CN --victim US --alert-level generated
    """
    from tripolar.context import EvaluationContext
    from tripolar.exchange.alert import load_alert_levels
    from tripolar.exchange.montecarlo import run_exchange

    a = _party(attacker, "--attacker")
    v = _party(victim, "--victim")
    attackers = [a] if with_ is None else [a, _party(with_, "--with")]
    if v in attackers or len(set(attackers)) != len(attackers):
        raise InputError("the victim and the attackers must be different parties", field="--victim")
    level = _alert_level(alert_level, posture, "day-to-day")[0]
    levels = load_alert_levels(alert)
    res = run_exchange(
        attackers,
        v,
        level,
        levels,
        year=year,
        n_samples=_samples(samples),
        seed=seed,
        objective=objective.strip().lower(),
        context=EvaluationContext(data_dir=data, year=year),
    )
    if json_out:
        print_json(res)
        _posture_alias_notice(posture)
        return
    d = res.to_dict()
    t = Table(title=f"{'+'.join(attackers)} strikes {v} ({d['posture']}, {samples} samples)")
    t.add_column("victim system")
    t.add_column("warheads before", justify="right")
    t.add_column("surviving (median)", justify="right")
    for sid, row in d["by_system"].items():
        t.add_row(sid, f"{row['before']:,.0f}", f"{row['surviving']:,.0f}")
    console.print(t)
    console.print(f"surviving warheads: {_band(d['surviving_warheads'])}")
    console.print(f"counterforce spend: {_band(d['spend'])}; reserve kept: {d['reserve']:,.0f}")
    if d["objective"] == "cost":
        console.print("objective: cost-minimising spend (the Kent-Thaler stop rule)")
    else:
        console.print(
            "objective: damage-limiting spend (every usable counterforce warhead outside the "
            "reserve; a coalition takes the best of pooling and either member alone)"
        )
    console.print(f"[dim]{len(d['assumptions'])} assumptions listed in --json[/dim]")
    _posture_alias_notice(posture)


def stability_cmd(
    treaty: Annotated[
        str | None, typer.Option("--treaty", help="Treaty id or YAML file (default: none).")
    ] = None,
    samples: SamplesOpt = 1000,
    seed: SeedOpt = 1,
    alert_level: Annotated[
        str | None,
        typer.Option("--alert-level", help="day-to-day or generated (default: both)."),
    ] = None,
    rule: Annotated[
        str, typer.Option("--rule", help="Force-building rule: proportional, keep-ssbn, ...")
    ] = "proportional",
    alert: AlertOpt = None,
    year: YearOpt = 2025,
    data: DataOpt = None,
    json_out: JsonOpt = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a plot (.png, .svg or .pdf).")
    ] = None,
    posture: DeprecatedPostureOpt = None,
) -> None:
    """First-strike stability of the 6 pairs and 3 coalitions, under a treaty or today.

    Examples:
      tripolar stability --samples 200
      tripolar stability --treaty tri-equal-1000 --alert-level generated --samples 200
    """
    from tripolar.context import EvaluationContext
    from tripolar.exchange.alert import load_alert_levels
    from tripolar.report.plots import check_plot_path, plot_stability
    from tripolar.stability.run import run_stability
    from tripolar.treaty import load_treaty
    from tripolar.treaty.force_cut import check_rule

    postures = _alert_level(alert_level, posture, None)
    n = _samples(samples)
    r = check_rule(rule)
    if plot is not None:
        check_plot_path(plot)
    t = load_treaty(treaty) if treaty is not None else None
    levels = load_alert_levels(alert)
    ctx = EvaluationContext(data_dir=data, year=year, samples=n, seed=seed, rule=r)
    rep = run_stability(t, levels, context=ctx, postures=postures)
    if plot is not None:
        plot_stability([rep], plot)
    if json_out:
        print_json(rep)
        _posture_alias_notice(posture)
        return
    _render(rep)
    if plot is not None:
        console.print(f"plot written to {plot}")
    _posture_alias_notice(posture)


#: What the columns of the stability table mean (Kent & Thaler, RAND R-3765-AF, 1989).
STABILITY_LEGEND = (
    "case: A->B | C held out = A strikes B first, C stays out; A+B->C = a coalition strikes C",
    "victim survivors: the victim's warheads left after the strike, median (5-95%)",
    "r: a party's cost of striking first over its cost of being struck first, median, "
    "capped at 1 (1 = nothing to gain by striking first; lower = more pressure to strike)",
    "fsi: r_A x r_B for a pair, min(r_A, r_B) x r_C for a coalition (1 = stable)",
)


def _render(rep: Any) -> None:
    title = f"First-strike stability: {rep.treaty or 'forces of today'}"
    if rep.treaty:
        title += f" (rule {rep.rule})"
    t = Table(title=title + f", {rep.n_samples:,} samples, seed {rep.seed}")
    t.add_column("alert level")
    t.add_column("case")
    t.add_column("victim survivors", justify="right")
    t.add_column("damage-limiting", justify="right")
    t.add_column("r (attackers; victim)")
    t.add_column("fsi", justify="right")
    for c in rep.cases:
        d = c.to_dict()
        rs = ", ".join(
            f"{k[2:]} {v['median']:.2f}" for k, v in d["stability_index"].items() if k != "fsi"
        )
        t.add_row(
            c.posture.replace("_", "-"),
            c.label,
            _band(d["surviving_warheads"]),
            _band(d["damage_limiting_survivors"]),
            rs,
            f"{d['stability_index']['fsi']['median']:.2f}",
        )
    console.print(t)
    for line in STABILITY_LEGEND:
        console.print(line, soft_wrap=True, highlight=False)
    ls = rep.least_stable
    console.print(
        f"least stable: {ls['case']} ({ls['posture'].replace('_', '-')}), "
        f"r_{ls['party']} = {ls['r']:.2f}; driver {ls['driver']} (the victim's target class "
        "giving the striker the largest return)",
        soft_wrap=True,
    )
    console.print(
        "victim survivors: at the striker's cost-minimising spend (the Kent-Thaler stop rule; "
        "the index r and fsi use this outcome, since r compares costs of the strike the "
        "striker would choose); damage-limiting: at the spend that destroys the most "
        "(every usable counterforce warhead outside the reserve; a coalition takes the best "
        "of pooling and either member alone), the worst case for the victim"
    )
    console.print("forces in the exchange (warheads, central values): " + _forces_line(rep))
    console.print(f"[dim]{len(rep.assumptions)} assumptions listed in --json[/dim]")


def _forces_line(rep: Any) -> str:
    parts = []
    for party, f in rep.forces.items():
        legs = ", ".join(
            f"{s.system_id} {s.launchers.value * s.warheads_per_launcher.value:,.0f}"
            for s in f.systems
        )
        parts.append(f"{party}: {legs}")
    return "; ".join(parts)


def register(app: typer.Typer) -> None:
    app.command("exchange")(exchange_cmd)
    app.command("stability")(stability_cmd)
