"""``tripolar runs``: list the analysis runs in the store, ``runs show ID`` for one, and
``runs rerun ID`` to repeat one from its record (:func:`tripolar.store.reproduce.reproduce`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import typer

from tripolar.cli.common import announce_saved, console, print_json

if TYPE_CHECKING:
    from tripolar.store import RunRecord, RunSummary
    from tripolar.store.reproduce import Reproduction

runs_app = typer.Typer(
    help="Analysis runs saved in the store: what ran, when, on which inputs. "
    "`assess`, `count`, `check` and `upload` save a run unless given --no-save.\n\n"
    "Examples:\n"
    "  tripolar runs\n"
    "  tripolar runs --command assess --limit 5\n"
    "  tripolar runs rerun 1",
    no_args_is_help=False,
)

_STORE_HELP = (
    "Store to read: a SQLite file path or a database URL. "
    "Default: $TRIPOLAR_STORE, else the per-user store file."
)


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ")


def _render_list(runs: list[RunSummary], location: str) -> None:
    from rich.table import Table

    if not runs:
        console.print(f"no runs recorded in {location}")
        return
    table = Table(title=f"runs in {location}", title_justify="left")
    table.add_column("id", justify="right")
    table.add_column("command")
    table.add_column("started (UTC)", no_wrap=True)
    table.add_column("inputs hash", no_wrap=True)
    table.add_column("status")
    for run in runs:
        table.add_row(
            str(run.id), run.command, _time(run.started_at), run.inputs_hash[:12], run.status
        )
    console.print(table)


def _render_record(run: RunRecord, location: str) -> None:
    console.print(f"[bold]run {run.id}[/bold]  {run.command}  (store {location})", highlight=False)
    rows = [
        ("status", run.status),
        ("tool version", run.tool_version),
        ("started", _time(run.started_at)),
        ("finished", f"{_time(run.finished_at)} ({run.duration_s:.3f} s)"),
        ("inputs hash", run.inputs_hash),
        ("dataset hash", run.dataset_hash or "-"),
    ]
    for label, value in rows:
        console.print(f"{label:>13}: {value}", highlight=False, soft_wrap=True)
    console.print("inputs:", style="bold")
    console.print_json(data=run.inputs, sort_keys=True)
    console.print("outputs:", style="bold")
    console.print_json(data=run.outputs, sort_keys=True)


@runs_app.callback(invoke_without_command=True)
def runs(
    ctx: typer.Context,
    store: str | None = typer.Option(None, "--store", help=_STORE_HELP),
    limit: int = typer.Option(20, "--limit", min=1, help="Show at most this many runs."),
    command: str | None = typer.Option(None, "--command", help="Only runs of this command."),
    json_: bool = typer.Option(False, "--json", help="Print the runs as JSON."),
) -> None:
    """List the newest runs (newest first); `runs show ID` prints one in full."""
    if ctx.invoked_subcommand is not None:
        return
    from tripolar.store import open_store

    with open_store(store, create=False) as opened:
        result = opened.list_runs(limit=limit, command=command)
        location = opened.location
    if json_:
        print_json(result)
    else:
        _render_list(result, location)


@runs_app.command("show")
def show(
    ctx: typer.Context,
    run_id: int = typer.Argument(..., metavar="ID", help="Run id, as listed by `tripolar runs`."),
    store: str | None = typer.Option(None, "--store", help=_STORE_HELP),
    json_: bool = typer.Option(False, "--json", help="Print the run as JSON."),
) -> None:
    """Print one run in full: inputs, outputs, hashes, tool version and times.

    Examples:
      tripolar runs show 1
      tripolar runs show 1 --json
    """
    # `tripolar runs --store X show 3` gives the store to the group, not to `show`.
    parent_store = ctx.parent.params.get("store") if ctx.parent is not None else None
    from tripolar.store import open_store

    with open_store(store or parent_store, create=False) as opened:
        record = opened.get_run(run_id)
        location = opened.location
    if json_:
        print_json(record)
    else:
        _render_record(record, location)


def _render_reproduction(rep: Reproduction) -> None:
    head = f"run {rep.run_id} ({rep.command}) repeated from its record: "
    if rep.matches:
        console.print(
            head + f"every recorded value matches ({rep.compared} values compared)",
            highlight=False,
        )
        return
    console.print(
        head + f"{rep.n_differences} of {rep.compared} recorded values differ", highlight=False
    )
    for path in rep.differences:
        console.print(f"  {path}", highlight=False, soft_wrap=True)
    if rep.n_differences > len(rep.differences):
        console.print(f"  ... and {rep.n_differences - len(rep.differences)} more", highlight=False)


@runs_app.command("rerun")
def rerun(
    ctx: typer.Context,
    run_id: int = typer.Argument(..., metavar="ID", help="Run id, as listed by `tripolar runs`."),
    store: str | None = typer.Option(None, "--store", help=_STORE_HELP),
    no_save: bool = typer.Option(
        False, "--no-save", help="Do not save the repetition as a new run."
    ),
    json_: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Repeat a run of count, check, upload or assess from its record and compare.

    The treaty and posture texts are read back from the store and checked against their
    recorded hashes, and the dataset against the run's; exit status 0 when every recorded
    value comes out the same, 1 when some differ (they are listed), 2 when the run cannot
    be repeated as recorded. The repetition is saved as a new run with the same inputs
    hash unless --no-save.

    Examples:
      tripolar runs rerun 1
      tripolar runs rerun 1 --no-save --json
    """
    parent_store = ctx.parent.params.get("store") if ctx.parent is not None else None
    from tripolar.store import open_store
    from tripolar.store.reproduce import reproduce

    given = store or parent_store
    with open_store(given, create=False) as opened:
        rep = reproduce(opened, run_id, save=not no_save)
        location = opened.location
    if json_:
        print_json(rep)
    else:
        _render_reproduction(rep)
    if rep.new_run_id is not None:
        announce_saved(rep.new_run_id, location, given)
    if not rep.matches:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``runs`` sub-app to the main ``tripolar`` app."""
    app.add_typer(runs_app, name="runs")
