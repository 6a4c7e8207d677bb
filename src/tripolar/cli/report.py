"""CLI: ``tripolar report``, a self-contained HTML or PDF report of one or more treaties."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tripolar.cli.common import console, err_console
from tripolar.cli.data import DataOpt
from tripolar.errors import InputError

#: Report formats by the suffix of --out.
FORMATS: dict[str, str] = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def check_report_path(out: Path) -> str:
    """The format of ``out`` by its suffix, after checking that it can be written."""
    from tripolar.io_write import check_output_path

    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unsupported report format {out.suffix or '(no suffix)'!r}",
            file=out,
            field="--out",
            expected="a file name ending in .html or .pdf",
        )
    check_output_path(out, field="--out")
    return fmt


def report(
    treaty: Annotated[
        list[str],
        typer.Option("--treaty", help="Treaty id or YAML file; repeat for several."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Report file: .html or .pdf.")],
    samples: Annotated[
        int, typer.Option("--samples", help="Monte Carlo samples of the stability runs.", min=1)
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (results are reproducible).", min=0)
    ] = 1,
    year: Annotated[int, typer.Option("--year", help="Year of the force estimates.")] = 2025,
    data: DataOpt = None,
) -> None:
    """Write a report of treaties to publish: forces with sources and grades, counts and
    compliance, upload potential, stability bands with their assumptions, verification
    needs, acceptability and the ZOPA, and a bibliography. HTML is self-contained (inline
    SVG plots, no scripts); PDF has the same content.

    Examples:
      tripolar report --treaty tri-equal-1000 --out report.html
      tripolar report --treaty new-start --treaty tri-equal-1000 --out report.pdf
    """
    fmt = check_report_path(out)
    from tripolar.context import EvaluationContext
    from tripolar.io_write import write_atomic
    from tripolar.report.html import collect_report, render_html
    from tripolar.treaty import load_treaty

    treaties = [load_treaty(t) for t in treaty]
    seen: set[str] = set()
    for t in treaties:
        if t.id in seen:
            raise InputError(f"treaty {t.id!r} given twice", field="--treaty")
        seen.add(t.id)
    ctx = EvaluationContext(data_dir=data, year=year, samples=samples, seed=seed)
    with err_console.status("computing the report"):
        rep = collect_report(ctx, treaties)
        html = render_html(rep)
        if fmt == "pdf":
            from tripolar.report.pdf import html_to_pdf

            write_atomic(out, html_to_pdf(html), field="--out")
        else:
            write_atomic(out, html, field="--out")
    console.print(
        f"report written to {out} "
        f"({fmt.upper()}; tripolar {rep.version}, data {rep.dataset_hash[:12]}, "
        f"{samples:,} samples, seed {seed})"
    )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
