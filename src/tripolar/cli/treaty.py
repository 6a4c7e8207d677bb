"""CLI: ``tripolar treaty``, ``tripolar count``, ``tripolar check``, ``tripolar upload``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tripolar.cli.assess import NoSaveOpt, StoreOpt
from tripolar.cli.common import announce_saved, console, print_json, started_now
from tripolar.cli.data import DataOpt, JsonOpt
from tripolar.io_write import write_atomic

if TYPE_CHECKING:
    from tripolar.forces import Posture
    from tripolar.store.runlog import SavedRun
    from tripolar.treaty.schema import Treaty

treaty_app = typer.Typer(help="Treaty definitions: list, show, JSON Schema.", no_args_is_help=True)

TreatyOpt = Annotated[
    str,
    typer.Option("--treaty", help="Built-in treaty id (see `tripolar treaty list`) or YAML file."),
]
PostureOpt = Annotated[
    list[Path] | None,
    typer.Option("--posture", help="Posture YAML file (repeat for several parties)."),
]
StateOpt = Annotated[
    list[str] | None,
    typer.Option("--state", help="State code(s) whose posture comes from the dataset."),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="Year of the dataset posture.")]


@treaty_app.command("list")
def treaty_list(json: JsonOpt = False) -> None:
    """List the built-in treaties.

    Examples:
      tripolar treaty list
      tripolar treaty list --json
    """
    from rich.table import Table

    from tripolar.treaty import builtin_treaties

    ts = builtin_treaties()
    if json:
        print_json([{"id": t.id, "name": t.name, "kind": t.kind, "parties": t.parties} for t in ts])
        return
    table = Table(title="Built-in treaties")
    for c in ("id", "kind", "parties", "name"):
        table.add_column(c)
    for t in ts:
        table.add_row(t.id, t.kind, ", ".join(t.parties), t.name)
    console.print(table)


@treaty_app.command("show")
def treaty_show(name: Annotated[str, typer.Argument(help="Treaty id or file.")]) -> None:
    """Print a treaty definition as JSON (validated).

    Examples:
      tripolar treaty show new-start
      tripolar treaty show tri-equal-1000
    """
    from tripolar.treaty import load_treaty

    print_json(load_treaty(name))


@treaty_app.command("schema")
def treaty_schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the schema to this file.")
    ] = None,
) -> None:
    """Print (or write) the JSON Schema of the treaty format.

    Examples:
      tripolar treaty schema
      tripolar treaty schema --out treaty.schema.json
    """
    import json as _json

    from tripolar.treaty import treaty_json_schema

    text = _json.dumps(treaty_json_schema(), indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    write_atomic(out, text, field="--out")
    console.print(f"wrote {out}")


def _postures(
    posture: list[Path] | None,
    state: list[str] | None,
    year: int | None,
    data: Path | None,
    default_parties: list[str],
    default_year: int,
) -> list[Posture]:
    from tripolar.forces import build_posture, check_state, load_posture

    out: list[Posture] = [load_posture(p, data_dir=data) for p in posture or []]
    for s in state or []:
        out.append(
            build_posture(check_state(s, field="--state"), year or default_year, data_dir=data)
        )
    if not out:
        out = [build_posture(p, year or default_year, data_dir=data) for p in default_parties]
    return out


def _treaty_and_postures(
    treaty: str,
    posture: list[Path] | None,
    state: list[str] | None,
    year: int | None,
    data: Path | None,
) -> tuple[Treaty, list[Posture]]:
    """The treaty and the postures the options name (default: the parties, dataset year)."""
    from tripolar.treaty import load_treaty

    t = load_treaty(treaty)
    return t, _postures(posture, state, year, data, t.parties, t.baseline_year)


def _save(
    command: str,
    treaty: str,
    year: int | None,
    data: Path | None,
    outputs: dict,
    t: object,
    ps: list[Posture],
    store: str | None,
    no_save: bool,
    started: datetime,
    status: str = "ok",
) -> SavedRun | None:
    if no_save:
        return None
    from tripolar.data import load_dataset
    from tripolar.store.runlog import save_run

    saved = save_run(
        command,
        {"treaty": treaty, "year": year, "data": None if data is None else str(data)},
        outputs,
        dataset=load_dataset(data),
        treaties=[t],  # type: ignore[list-item]
        postures=ps,
        store=store,
        status=status,
        started_at=started,
    )
    return saved


def _announce(saved: SavedRun | None, store: str | None) -> None:
    if saved is not None:
        announce_saved(saved.id, saved.location, store)


def count(
    treaty: TreatyOpt,
    posture: PostureOpt = None,
    state: StateOpt = None,
    year: YearOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    no_save: NoSaveOpt = False,
    json: JsonOpt = False,
) -> None:
    """Count forces under a treaty: accountable numbers, ceilings, headroom per limit.

    Examples:
      tripolar count --treaty new-start --state US
      tripolar count --treaty new-start --posture examples/posture-us-2020.yaml --json
    """
    from tripolar.report.tables import evaluation_table
    from tripolar.treaty import evaluate

    started = started_now()
    t, ps = _treaty_and_postures(treaty, posture, state, year, data)
    ev = evaluate(t, ps, data_dir=data)
    shown = {p.party for p in ps}
    saved = _save("count", treaty, year, data, ev.to_dict(), t, ps, store, no_save, started)
    if json:
        d = ev.to_dict()
        d["parties"] = {
            k: {"limits": v["limits"], "posture_date": v["posture_date"], "is_party": v["is_party"]}
            for k, v in d["parties"].items()
            if k in shown
        }
        print_json(d)
    else:
        ev.parties = {k: v for k, v in ev.parties.items() if k in shown}
        console.print(evaluation_table(ev))
    _announce(saved, store)


def check(
    treaty: TreatyOpt,
    posture: PostureOpt = None,
    state: StateOpt = None,
    year: YearOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    no_save: NoSaveOpt = False,
    json: JsonOpt = False,
) -> None:
    """Compliance per party, per limit, per date of the schedule, and a verdict per party:
    complies (every limit certainly met), exceeds, or undetermined (a figure is not public,
    or its band reaches over the ceiling).

    Exit status: 0 when every party certainly complies on every date, 1 when a limit is
    exceeded, 3 when none is exceeded but some are undetermined, 2 on bad input.

    Examples:
      tripolar check --treaty tri-equal-1000
      tripolar check --treaty new-start --state US --year 2025
      tripolar check --treaty new-start --posture examples/posture-us-2020.yaml
    """
    from tripolar.report.tables import evaluation_table
    from tripolar.treaty import evaluate

    started = started_now()
    t, ps = _treaty_and_postures(treaty, posture, state, year, data)
    ev = evaluate(t, ps, data_dir=data)
    saved = _save(
        "check",
        treaty,
        year,
        data,
        ev.to_dict(),
        t,
        ps,
        store,
        no_save,
        started,
        status={"complies": "ok", "exceeds": "violation"}.get(ev.verdict, "undetermined"),
    )
    if json:
        print_json(ev)
    else:
        console.print(evaluation_table(ev, schedule=True))
        for party, pe in ev.parties.items():
            if pe.is_party:
                console.print(f"{party}: [b]{pe.verdict}[/b]")
        verdict = {
            "complies": "every party complies",
            "exceeds": "a limit is exceeded",
            "undetermined": "no limit is exceeded, but compliance is undetermined for some "
            "(figures not public, or bands reaching over the ceiling)",
        }[ev.verdict]
        console.print(f"[b]{verdict}[/b]")
    _announce(saved, store)
    code = {"complies": 0, "exceeds": 1, "undetermined": 3}[ev.verdict]
    if code:
        raise typer.Exit(code)


def upload(
    treaty: TreatyOpt,
    posture: PostureOpt = None,
    state: StateOpt = None,
    year: YearOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    no_save: NoSaveOpt = False,
    json: JsonOpt = False,
) -> None:
    """Upload potential per party (empty MIRV positions, empty launchers, bombers) and
    how far a full upload would exceed each limit of the treaty.

    Examples:
      tripolar upload --treaty new-start
      tripolar upload --treaty tri-equal-1000 --state CN --json
    """
    from tripolar.context import EvaluationContext
    from tripolar.report.tables import breakout_table, upload_table
    from tripolar.treaty.upload import upload_potential

    started = started_now()
    t, ps = _treaty_and_postures(treaty, posture, state, year, data)
    # The context carries --data to the ceilings that depend on other parties' figures.
    ctx = None if data is None else EvaluationContext(data_dir=data)
    results = [upload_potential(t, p, context=ctx) for p in ps]
    outputs = {r.party: r.to_dict() for r in results}
    saved = _save("upload", treaty, year, data, outputs, t, ps, store, no_save, started)
    if json:
        print_json({"treaty": t.id, "parties": {r.party: r.to_dict() for r in results}})
        _announce(saved, store)
        return
    console.print(upload_table(results))
    console.print(breakout_table(results))
    for r in results:
        if r.unknown_systems:
            console.print(
                f"{r.party}: not computed for {', '.join(r.unknown_systems)} (figures not public)"
            )
    _announce(saved, store)


def register(app: typer.Typer) -> None:
    app.add_typer(treaty_app, name="treaty")
    app.command("count")(count)
    app.command("check")(check)
    app.command("upload")(upload)
