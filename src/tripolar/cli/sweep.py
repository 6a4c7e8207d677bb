"""CLI: the ``tripolar sweep`` commands (schema, run, show, report): design-space sweeps on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tripolar.cli.common import console, err_console, print_json
from tripolar.errors import InputError

if TYPE_CHECKING:
    from tripolar.sweep.analysis import StableSet
    from tripolar.sweep.spec import SweepFile

sweep_app = typer.Typer(
    help="Design-space sweeps: which treaties keep all three stable, and which assumptions "
    "decide it.",
    no_args_is_help=True,
)

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Store path or URL (default: $TRIPOLAR_STORE or per-user file)."),
]
ThresholdOpt = Annotated[
    float,
    typer.Option("--threshold", help="All-stable: every ratio r above this.", min=0.0),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Use each ratio's 5% bound instead of its median.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@sweep_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the sweep file format.

    Example:
      tripolar sweep schema > sweep-schema.json
    """
    from tripolar.sweep.spec import sweep_json_schema

    print_json(sweep_json_schema())


def _check_scheduler(address: str | None) -> None:
    if address is None:
        return
    if not address.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://")):
        raise InputError(
            f"invalid scheduler address {address!r}",
            field="--scheduler",
            expected="an address such as tcp://HOST:PORT",
        )


def _check_out(out: Path | None) -> None:
    if out is not None and out.exists() and not out.is_dir():
        raise InputError("not a folder", file=out, field="--out", expected="a folder")


def _resolve(ref: str, store: str | None) -> Path:
    """A results folder from a store run id (digits), a sweep id or a folder."""
    from tripolar.sweep.results import resolve_results

    if ref.isdigit() and not Path(ref).exists():
        from tripolar.store import open_store

        with open_store(store, create=False) as opened:
            try:
                record = opened.get_run(int(ref))
            except (KeyError, LookupError) as exc:
                raise InputError(
                    f"no run {ref} in the store", field="ID", expected="a sweep run id"
                ) from exc
        if record.command != "sweep":
            raise InputError(
                f"run {ref} is a {record.command!r} run", field="ID", expected="a sweep run id"
            )
        return resolve_results(str(record.outputs["results"]))
    return resolve_results(ref)


def _stable_renderable(spec: SweepFile, st: StableSet) -> Any:
    from rich.table import Table

    from tripolar.sweep.analysis import ceiling_axes

    keys = ceiling_axes(spec) or [a.name for a in spec.axes]
    ok = st.cells[st.cells["all_stable"]]
    console.print(
        f"all-stable ceiling cells: {len(ok)} of {len(st.cells)} (every r "
        f"{'5% bound' if st.strict else 'median'} > {st.threshold:g}, whatever the other axes)",
        highlight=False,
    )
    table = Table()
    for k in keys:
        table.add_column(k, justify="right")
    table.add_column("worst r", justify="right")
    table.add_column("in ZOPA")
    for _, row in ok.iterrows():
        table.add_row(
            *[f"{row[k]:g}" for k in keys],
            f"{row['least_r']:.3f}",
            "yes" if row["in_zopa"] else "no",
        )
    return table


def _summary_lines(spec: SweepFile, st: StableSet, df: Any) -> list[str]:
    d = st.to_dict()
    lines = [
        f"points: {len(df)} of {spec.n_points}; all-stable: {d['all_stable_points']}; "
        f"in ZOPA: {d['zopa_points']}; both: {d['all_stable_and_zopa_points']}",
        f"ceiling cells all-stable: {d['all_stable_cells']} of {d['cells']}; "
        f"all-stable and in ZOPA: {d['all_stable_zopa_cells']}",
    ]
    if len(df):
        q = df["least_r"].quantile([0.05, 0.5, 0.95]).to_numpy()
        lines.append(
            f"least-stable r over points: median {q[1]:.3f} (5-95%: {q[0]:.3f}-{q[2]:.3f})"
        )
        top = df["least_case"].value_counts().head(3)
        lines.append("least-stable case (points): " + "; ".join(f"{k} {v}" for k, v in top.items()))
    return lines


def _analyse(results: Path, threshold: float, strict: bool, plots: Path | None) -> dict[str, Any]:
    from tripolar.report.sweep_plots import write_report_plots
    from tripolar.sweep.analysis import ceiling_axes, sensitivity, stable_set
    from tripolar.sweep.results import load, sweep_of

    spec = sweep_of(results)
    df = load(results)
    if df.empty:
        raise InputError("the sweep has no results yet", file=results, expected="a run first")
    st = stable_set(df, spec, threshold, strict)
    sens = sensitivity(df, spec)
    out: dict[str, Any] = {
        "spec": spec,
        "df": df,
        "stable": st,
        "sensitivity": sens,
        "plots": {},
    }
    if plots is not None:
        axes = ceiling_axes(spec)
        x, y = (axes[0], axes[1]) if len(axes) >= 2 else (None, None)
        out["plots"] = write_report_plots(st, sens, x, y, plots)
    return out


def _print_analysis(a: dict[str, Any], results: Path) -> None:
    spec, st, sens = a["spec"], a["stable"], a["sensitivity"]
    console.print(f"sweep {spec.name} ({results})", highlight=False)
    for line in _summary_lines(spec, st, a["df"]):
        console.print(line, highlight=False)
    console.print(_stable_renderable(spec, st))
    console.print(f"sensitivity of the least-stable ratio ({sens.method}):", highlight=False)
    for n in sens.ranked():
        total = "" if sens.total is None else f"  total {sens.total[n]:.3f}"
        console.print(f"  {n:>22}: first {sens.first[n]:.3f}{total}", highlight=False)
    for k, v in a["plots"].items():
        console.print(f"{k} written to {v}", highlight=False)


def _analysis_json(a: dict[str, Any], results: Path, **extra: Any) -> dict[str, Any]:
    return {
        "results": str(results),
        "all_stable": a["stable"].to_dict(),
        "sensitivity": a["sensitivity"].to_dict(),
        "plots": a["plots"],
        **extra,
    }


@sweep_app.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="Sweep YAML file.")],
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Address of an existing Dask scheduler (tcp://HOST:PORT)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Local cluster: worker processes (default: cores)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Results folder (default: $TRIPOLAR_SWEEPS/<name>-<id>)."),
    ] = None,
    threshold: ThresholdOpt = 0.5,
    strict: StrictOpt = False,
    store: StoreOpt = None,
    no_save: Annotated[bool, typer.Option("--no-save", help="Do not record the run.")] = False,
    json: JsonOpt = False,
) -> None:
    """Run a sweep on Dask (resumes: chunks already written are skipped), then print the
    all-stable set and write the heatmap and tornado plots into the results folder.

    Examples:
      tripolar sweep run examples/sweep-small.yaml
      tripolar sweep run examples/sweep-small.yaml --workers 2 --out results/small
      tripolar sweep run examples/sweep-small.yaml --scheduler tcp://127.0.0.1:8786
    """
    from tripolar.sweep.execute import default_results_dir
    from tripolar.sweep.spec import load_sweep_file, sweep_hash

    spec = load_sweep_file(file)
    _check_scheduler(scheduler)
    _check_out(out)
    results = out if out is not None else default_results_dir(spec)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from tripolar.sweep.execute import ChunkDone, SweepRun, run_sweep

    with Progress(
        TextColumn("chunks"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} points/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("sweep", total=spec.n_chunks, rate="-")
        state = {"points": 0}

        def started(r: SweepRun) -> None:
            progress.update(task, completed=r.skipped)
            where = r.dashboard or "none"
            err_console.print(
                f"sweep {r.id}: {spec.n_points} points in {spec.n_chunks} chunks "
                f"({r.skipped} already written); {r.workers} workers; dashboard: {where}",
                highlight=False,
            )

        def step(c: ChunkDone) -> None:
            state["points"] += c.points
            elapsed = progress.tasks[0].elapsed or 1e-9
            progress.update(task, completed=c.done, rate=f"{state['points'] / elapsed:.1f}")

        result = run_sweep(
            spec, results, scheduler=scheduler, workers=workers, on_start=started, on_chunk=step
        )
    a = _analyse(results, threshold, strict, results / "plots")
    run_id = None
    if not no_save:
        from tripolar.context import EvaluationContext
        from tripolar.store.runlog import save_run
        from tripolar.sweep.family import base_treaty

        saved = save_run(
            "sweep",
            {
                "file": str(file),
                "sweep_hash": sweep_hash(spec),
                "sweep": spec.model_dump(mode="json"),
            },
            {**result.to_dict(), "all_stable": a["stable"].to_dict()},
            dataset=EvaluationContext(year=spec.year).dataset(),
            treaties=[base_treaty(spec)],
            store=store,
        )
        run_id = saved.id
    if json:
        print_json(_analysis_json(a, results, run=result.to_dict(), run_id=run_id))
        return
    console.print(
        f"computed {len(result.computed)} chunks, skipped {result.skipped} ({result.wall_s:.1f} s)",
        highlight=False,
    )
    _print_analysis(a, results)
    if run_id is not None:
        console.print(f"saved as run {run_id} (tripolar sweep show {run_id})")


@sweep_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(metavar="ID", help="Run id, sweep id or results folder.")],
    threshold: ThresholdOpt = 0.5,
    strict: StrictOpt = False,
    store: StoreOpt = None,
    json: JsonOpt = False,
) -> None:
    """Summarise a sweep's results: points done, the all-stable set, sensitivities.

    Examples (after `tripolar sweep run`, which prints the run id):
      tripolar sweep show 1
      tripolar sweep show 1 --strict --threshold 0.3 --json
    """
    results = _resolve(ref, store)
    a = _analyse(results, threshold, strict, None)
    if json:
        print_json(_analysis_json(a, results))
        return
    _print_analysis(a, results)


@sweep_app.command("report")
def report(
    ref: Annotated[str, typer.Argument(metavar="ID", help="Run id, sweep id or results folder.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the plots (default: <results>/plots).")
    ] = None,
    threshold: ThresholdOpt = 0.5,
    strict: StrictOpt = False,
    store: StoreOpt = None,
    json: JsonOpt = False,
) -> None:
    """Write the heatmap (least-stable ratio over the first two ceiling axes, all-stable and
    ZOPA boundaries) and the tornado chart of sensitivities.

    Example (after `tripolar sweep run`, which prints the run id):
      tripolar sweep report 1 --out plots/
    """
    _check_out(out)
    results = _resolve(ref, store)
    a = _analyse(results, threshold, strict, out if out is not None else results / "plots")
    if json:
        print_json(_analysis_json(a, results))
        return
    _print_analysis(a, results)


def register(app: typer.Typer) -> None:
    app.add_typer(sweep_app, name="sweep")


def landscape(ref: str, treaties: list[Any], store: str | None, threshold: float = 0.5) -> Any:
    """Per treaty, its place in a sweep's all-stable set (``tripolar assess --landscape``)."""
    from tripolar.sweep.analysis import nearest_stable, stable_set
    from tripolar.sweep.results import load, sweep_of

    results = _resolve(ref, store)
    spec = sweep_of(results)
    st = stable_set(load(results), spec, threshold)
    return [nearest_stable(t, st, spec) for t in treaties], spec, st


def landscape_renderable(items: list[Any], spec: SweepFile, st: StableSet) -> Any:
    from rich.table import Table

    table = Table(
        title=f"landscape: sweep {spec.name}, all-stable = every r median > {st.threshold:g}",
        title_justify="left",
    )
    for col in ("proposal", "on sweep axes", "all-stable", "nearest all-stable (change)", "ZOPA"):
        table.add_column(col)
    for it in items:
        if it.coordinates is None:
            table.add_row(it.treaty, f"not comparable: {it.reason}", "-", "-", "-")
            continue
        coords = ", ".join(f"{k}={v:g}" for k, v in it.coordinates.items())
        near = (
            "none in the sweep"
            if it.nearest is None
            else ", ".join(f"{k}={v:g} ({it.change[k]:+g})" for k, v in it.nearest.items())
        )
        table.add_row(
            it.treaty,
            coords,
            "yes" if it.in_all_stable else "no",
            near,
            "-" if it.nearest_in_zopa is None else ("yes" if it.nearest_in_zopa else "no"),
        )
    return table
