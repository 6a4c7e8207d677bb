"""CLI: ``tripolar assess``, the main job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tripolar.cli.common import announce_saved, console, err_console, print_json, started_now
from tripolar.cli.data import DataOpt, JsonOpt
from tripolar.io_write import check_output_path, write_atomic

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store the run is saved in: path or URL (default: $TRIPOLAR_STORE or the "
        "per-user file).",
    ),
]
NoSaveOpt = Annotated[
    bool, typer.Option("--no-save", help="Do not record the run in the store (it is by default).")
]


def assess(
    year: Annotated[int, typer.Option("--year", help="Year of the force estimates.")] = 2025,
    samples: Annotated[
        int,
        typer.Option("--samples", help="Monte Carlo samples of the stability column.", min=1),
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (results are reproducible).", min=0)
    ] = 1,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the report as Markdown.")
    ] = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    no_save: NoSaveOpt = False,
    json: JsonOpt = False,
    landscape: Annotated[
        str | None,
        typer.Option("--landscape", help="Sweep run id, sweep id or folder: place each proposal."),
    ] = None,
) -> None:
    """Evaluate every built-in trilateral proposal against the latest data: per party the
    accountable numbers, required cuts or allowed growth, compliance and upload potential,
    and the stability, verification and negotiation columns.

    Examples:
      tripolar assess
      tripolar assess --samples 200 --seed 7 --out report.md
      tripolar assess --samples 200 --no-save --json > assessment.json
    """
    started = started_now()
    if out is not None:
        check_output_path(out, field="--out")
    from rich.progress import Progress

    from tripolar.assessment import assess as run_assessment
    from tripolar.context import EvaluationContext
    from tripolar.report.assessment import assessment_markdown, assessment_renderable
    from tripolar.store.runlog import save_run

    ctx = EvaluationContext(data_dir=data, year=year, samples=samples, seed=seed)

    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("assessing", total=None)

        def step(treaty_id: str, index: int, total: int) -> None:
            progress.update(task, total=total, completed=index, description=treaty_id)

        result = run_assessment(ctx, on_progress=step)
    outputs = result.to_dict()
    if landscape is not None:
        from tripolar.cli.sweep import landscape as sweep_landscape

        places = sweep_landscape(landscape, [p.treaty for p in result.proposals], store)
        outputs["landscape"] = [x.to_dict() for x in places[0]]
    if out is not None:
        write_atomic(out, assessment_markdown(result), field="--out")
    saved = None
    if not no_save:
        saved = save_run(
            "assess",
            {
                "year": year,
                "data": None if data is None else str(data),
                "samples": samples,
                "seed": seed,
            },
            outputs,
            dataset=ctx.dataset(),
            treaties=[p.treaty for p in result.proposals],
            postures=result.postures.values(),
            store=store,
            started_at=started,
        )
    if json:
        print_json({**outputs, "run_id": None if saved is None else saved.id})
    else:
        console.print(assessment_renderable(result))
        if landscape is not None:
            from tripolar.cli.sweep import landscape_renderable

            console.print(landscape_renderable(*places))
        if out is not None:
            console.print(f"report written to {out}")
    if saved is not None:
        announce_saved(saved.id, saved.location, store)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
