"""CLI: ``tripolar claims FILE|-``: check arsenal claims in English prose against the data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tripolar.cli.common import console, print_json

if TYPE_CHECKING:
    from tripolar.claims.figures import Figure

_STYLE = {
    "supported": "green",
    "outdated": "yellow",
    "contradicted": "red",
    "not checkable": "dim",
}


def claims(
    file: Annotated[str, typer.Argument(help="A UTF-8 text file (at most 1 MiB), or - for stdin.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="The article's date, YYYY[-MM[-DD]]: undated claims are read as of it."
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Directory of CSV tables overlaying the bundled dataset."),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Find quantitative claims about nuclear arsenals in a text and check each one.

    Verdicts: supported, outdated (matches an earlier year), contradicted, not checkable.
    Grammar and tolerance rules: docs/claims.md.

    Examples:
      tripolar claims examples/article.txt --as-of 2025-09-01
      tripolar claims examples/article.txt --json
    """
    from tripolar.claims import check_text, parse_as_of, read_text

    parse_as_of(as_of)  # a bad date is reported before the text is read
    text = read_text(file)
    report = check_text(text, as_of=as_of, data_dir=data)
    if json:
        print_json(report.to_dict())
        return
    if not report.results:
        typer.echo("no claims found")
        return
    from rich.table import Table

    title = f"Claims in {'<stdin>' if file == '-' else file}" + (
        f", as of {as_of}" if as_of else ""
    )
    table = Table(title=title, show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("claim", overflow="fold", max_width=30)
    table.add_column("state", no_wrap=True)
    table.add_column("metric", no_wrap=True)
    table.add_column("claimed", overflow="fold")
    table.add_column("year", no_wrap=True)
    table.add_column("dataset", overflow="fold")
    table.add_column("sources", overflow="fold", max_width=16)
    table.add_column("verdict", no_wrap=True)
    for i, r in enumerate(report.results, start=1):
        c = r.claim
        fig = r.figure
        data_txt = "—"
        if fig is not None and c.kind == "qualitative" and r.other is not None:
            data_txt = f"{_band(r.other)} of {_band(fig)} deployed"
        elif fig is not None:
            data_txt = _band(fig)
            if r.other is not None:
                data_txt += f" vs {_band(r.other)}"
        srcs = sorted({*(fig.source_ids if fig else ()), *(r.other.source_ids if r.other else ())})
        verdict = r.verdict + (f" ({r.matched_year})" if r.matched_year else "")
        table.add_row(
            str(i),
            c.text,
            c.state or "—",
            c.metric or "—",
            r.claimed_text(),
            str(r.year) if r.year else "—",
            data_txt,
            ", ".join(srcs) or "—",
            f"[{_STYLE[r.verdict]}]{verdict}[/]",
        )
    console.print(table)
    for i, r in enumerate(report.results, start=1):
        console.print(f"{i}. {r.verdict}: {r.reason}", highlight=False, markup=False)
    s = report.summary()
    console.print(
        ", ".join(f"{n} {v}" for v, n in s.items()) + f" (dataset {report.dataset_hash[:12]})",
        highlight=False,
    )


def _band(f: Figure) -> str:
    return _n(f.value) if f.low == f.high else f"{_n(f.value)} ({_n(f.low)}–{_n(f.high)})"


def _n(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.3g}"


def register(app: typer.Typer) -> None:
    """Add the ``claims`` command to the root app."""
    app.command("claims")(claims)
