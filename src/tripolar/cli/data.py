"""CLI: ``tripolar sources``, ``tripolar forces``, ``tripolar data check``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from tripolar.cli.common import console, print_json
from tripolar.errors import InputError

DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Directory of CSV tables overlaying the bundled dataset."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]

data_app = typer.Typer(help="The bundled dataset: validation.", no_args_is_help=True)


def _missing(v: object) -> bool:
    # Dataset cells are None or float NaN when blank (pandas reads empty CSV cells as NaN).
    return v is None or (isinstance(v, float) and math.isnan(v))


def _is_year(quantity: object) -> bool:
    # Years (year_in_service, ...) print as 2016, not as the count 2,016.
    return isinstance(quantity, str) and "year" in quantity


def _fmt(v: object, quantity: object = None) -> str:
    if _missing(v):
        return "—"
    sep = "" if _is_year(quantity) else ","
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):{sep}}"
    if isinstance(v, float):
        return f"{v:{sep}.3g}"
    return str(v)


def _band(rec: Mapping[Any, Any]) -> str:
    lo, hi = rec.get("low"), rec.get("high")
    if _missing(lo):
        lo = rec.get("value")
    if _missing(hi):
        hi = rec.get("value")
    if lo == hi:
        return ""
    q = rec.get("quantity")
    return f"{_fmt(lo, q)}–{_fmt(hi, q)}"


def _why_empty(what: str, years: Any, code: str | None, year: int | None) -> str:
    """Why a table of ``forces`` has no rows, and which --year would give some."""
    who = f" for {code}" if code else ""
    have = sorted({int(y) for y in years})
    if not have:
        return f"no {what}{who} in the dataset"
    span = ", ".join(str(y) for y in have[-8:])
    more = f" (and {len(have) - 8} earlier)" if len(have) > 8 else ""
    when = f" dated {year}" if year is not None else ""
    return f"no {what}{who}{when}; years with {what}{who}: {span}{more} (use --year)"


def sources(
    source_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="A source id, e.g. S01, or several separated by ';' or ',' (\"S03;S04\", "
            "as the sources column of `tripolar forces` lists them).",
        ),
    ] = None,
    data: DataOpt = None,
    json: JsonOpt = False,
) -> None:
    """List the publications behind the data, or show some.

    Examples:
      tripolar sources
      tripolar sources S09
      tripolar sources "S03;S04"
    """
    from rich.table import Table

    from tripolar.data import load_dataset

    ds = load_dataset(data)
    df = ds.tables["sources"]
    ids: list[str] = []
    if source_id is not None:
        ids = [p.strip() for p in source_id.replace(",", ";").split(";") if p.strip()]
        known = set(df["id"])
        missing = [i for i in ids if i not in known]
        if missing or not ids:
            raise InputError(
                f"no source with id {(missing or [source_id])[0]!r}",
                field="ID",
                expected="an id listed by `tripolar sources`",
            )
        df = df[df["id"].isin(ids)]
        df = df.set_index("id", drop=False).loc[list(dict.fromkeys(ids))]
    records = df.drop(columns=["_file", "_line"]).to_dict("records")
    if json:
        print_json(records if len(ids) != 1 else records[0])
        return
    title = "Sources" if source_id is None else ", ".join(dict.fromkeys(ids))
    table = Table(title=title, show_lines=False)
    for col in ("id", "grade", "date", "publisher", "title"):
        table.add_column(col, overflow="fold")
    for r in records:
        table.add_row(*(str(r.get(c) or "") for c in ("id", "grade", "date", "publisher", "title")))
    console.print(table)
    # URLs go below the table, one per line and never folded, so that they can be copied.
    for r in records:
        console.print(f"{r['id']}: {r.get('url') or '(no URL)'}", soft_wrap=True, highlight=False)


def forces(
    state: Annotated[str | None, typer.Option("--state", help="State code, e.g. CN.")] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="Year of the estimates (default 2025; with --grade, all years)."
        ),
    ] = None,
    grade: Annotated[
        str | None, typer.Option("--grade", help="Only figures of this grade (A, B, C, R).")
    ] = None,
    notes: Annotated[bool, typer.Option("--notes", help="Show each figure's note.")] = False,
    data: DataOpt = None,
    json: JsonOpt = False,
) -> None:
    """Show each figure with its source ids and grade: stockpiles, then delivery systems.

    With ``--grade`` the figures of that grade in every table (stockpiles, delivery
    systems, targets, New START exchanges) are listed, for all years unless ``--year``
    is given.

    Examples:
      tripolar forces --state CN
      tripolar forces --year 2020 --notes
      tripolar forces --grade R --json
    """
    from rich.table import Table

    from tripolar.data import load_dataset
    from tripolar.forces import STATE_NAMES, check_state

    ds = load_dataset(data)
    code = check_state(state, field="--state") if state else None
    g = grade.upper() if grade else None
    if g is not None and g not in ("A", "B", "C", "R"):
        raise InputError(f"unknown grade {grade!r}", field="--grade", expected="A, B, C or R")
    if year is None and g is None:
        year = 2025
    st = ds.tables["stockpiles"]
    figs = ds.tables["system_figures"].merge(
        ds.tables["systems"][["system_id", "state", "name", "category", "level"]],
        on="system_id",
        how="left",
    )
    tg = ds.tables["targets"]
    ex = ds.tables["newstart_exchanges"]
    unfiltered = figs

    def all_figs_for(state_code: str | None) -> Any:
        return unfiltered[unfiltered["state"] == state_code] if state_code else unfiltered

    if year is not None:
        st = st[st["year"] == year]
        figs = figs[figs["as_of"].astype(str).str.startswith(str(year))]
        ex = ex[ex["date"].astype(str).str.startswith(str(year))]
    if code:
        st = st[st["state"] == code]
        figs = figs[figs["state"] == code]
        tg = tg[tg["state"] == code]
        ex = ex[ex["party"] == code]
    if g is not None:
        # every table with graded figures, and only rows that carry a figure
        st = st[(st["grade"] == g) & st["value"].notna()]
        figs = figs[(figs["grade"] == g) & figs["value"].notna()]
        tg = tg[(tg["grade"] == g) & tg["value"].notna()]
        ex = ex[(ex["grade"] == g) & ex["value"].notna()]
    drop = ["_file", "_line"]
    if json:
        out: dict[str, object] = {
            "year": year,
            "state": code,
            "stockpiles": st.drop(columns=drop).to_dict("records"),
            "systems": figs.drop(columns=drop).to_dict("records"),
        }
        if g is not None:
            out["grade"] = g
            out["targets"] = tg.drop(columns=drop).to_dict("records")
            out["newstart_exchanges"] = ex.drop(columns=drop).to_dict("records")
        print_json(out)
        return
    when = "all years" if year is None else str(year)
    title = f"Stockpiles {when}" + (f" — {STATE_NAMES[code]}" if code else "")
    t = Table(title=title)
    cols = ["state", "metric", "value", "low–high", "grade", "basis", "sources"]
    for c in cols + (["note"] if notes else []):
        t.add_column(c, overflow="fold")
    for r in st.to_dict("records"):
        cells = [
            r["state"],
            r["metric"],
            _fmt(r["value"]),
            _band(r),
            r["grade"],
            r["basis"],
            ";".join(r["source_ids"]),
        ]
        t.add_row(*cells, *([r["note"] or ""] if notes else []))
    if st.empty:
        base = ds.tables["stockpiles"]
        base = base[base["state"] == code] if code else base
        why = _why_empty("stockpile figures", base["year"], code, year)
        console.print(f"{title}: {why}", soft_wrap=True, highlight=False)
    else:
        console.print(t)
    t2 = Table(title=f"Delivery systems {when}" + (f" — {STATE_NAMES[code]}" if code else ""))
    for c in ("system", "as of", "quantity", "value", "low–high", "grade", "basis", "sources"):
        t2.add_column(c, overflow="fold")
    if notes:
        t2.add_column("note", overflow="fold")
    for r in figs.sort_values(["state", "system_id"]).to_dict("records"):
        label = r["system_id"] + (" (leg)" if r["level"] == "leg" else "")
        t2.add_row(
            label,
            str(r["as_of"]),
            r["quantity"],
            _fmt(r["value"], r["quantity"]),
            _band(r),
            r["grade"],
            r["basis"],
            ";".join(r["source_ids"]),
            *([r["note"] or ""] if notes else []),
        )
    if figs.empty:
        years = all_figs_for(code)["as_of"].astype(str).str[:4]
        why = _why_empty("delivery-system figures", years, code, year)
        console.print(f"{t2.title}: {why}", soft_wrap=True, highlight=False)
    else:
        console.print(t2)
    if g is None:
        return
    t3 = Table(title=f"Targets, grade {g}")
    for c in ("state", "target", "quantity", "value", "low–high", "basis", "sources"):
        t3.add_column(c, overflow="fold")
    if notes:
        t3.add_column("note", overflow="fold")
    for r in tg.to_dict("records"):
        t3.add_row(
            r["state"],
            r["target_id"],
            r["quantity"],
            _fmt(r["value"]),
            _band(r),
            r["basis"],
            ";".join(r["source_ids"]),
            *([r["note"] or ""] if notes else []),
        )
    console.print(t3)
    t4 = Table(title=f"New START exchanges, grade {g}")
    for c in ("date", "party", "quantity", "value", "sources"):
        t4.add_column(c, overflow="fold")
    if notes:
        t4.add_column("note", overflow="fold")
    for r in ex.to_dict("records"):
        t4.add_row(
            str(r["date"]),
            r["party"],
            r["quantity"],
            _fmt(r["value"]),
            ";".join(r["source_ids"]),
            *([r["note"] or ""] if notes else []),
        )
    console.print(t4)


@data_app.command("check")
def data_check(data: DataOpt = None, json: JsonOpt = False) -> None:
    """Validate the dataset: sources resolve, no negative counts, leg sums match totals.

    Exit status 0 when there are no errors, 1 when there are (warnings do not count).

    Examples:
      tripolar data check
      tripolar data check --json
    """
    from tripolar.data import check_dataset, load_dataset

    ds = load_dataset(data)
    rep = check_dataset(ds)
    if json:
        print_json(rep)
    else:
        console.print(
            f"dataset {ds.content_hash[:12]}: "
            + ", ".join(f"{k} {v} rows" for k, v in rep.rows.items())
        )
        console.print(
            "grades of figures: " + ", ".join(f"{k} {v}" for k, v in rep.grade_counts.items())
        )
        for name in rep.checks_run:
            console.print(f"  checked: {name}")
        for p in rep.problems:
            console.print(f"  {p}")
        console.print(
            "[green]OK[/green]: no errors" if rep.ok else f"[red]{len(rep.errors)} error(s)[/red]"
        )
    if not rep.ok:
        raise typer.Exit(1)


@data_app.command("compare")
def data_compare(
    state: Annotated[str, typer.Option("--state", help="US or RU.")] = "US",
    data: DataOpt = None,
    json: JsonOpt = False,
) -> None:
    """Dataset estimates counted under New START against the nearest declared exchange.

    Examples:
      tripolar data compare --state US
      tripolar data compare --state RU --json
    """
    from rich.table import Table

    from tripolar.forces import check_state
    from tripolar.treaty.validation import compare_with_exchanges

    rows = compare_with_exchanges(check_state(state, field="--state"), data)
    if json:
        print_json([r.to_dict() for r in rows])
        return
    t = Table(title=f"{state}: dataset estimate (New START rules) vs declared aggregate")
    for c in ("estimate of", "declared on", "quantity", "estimate", "declared", "difference"):
        t.add_column(c, justify="right" if c in ("estimate", "declared", "difference") else "left")
    for r in rows:
        d = r.difference
        t.add_row(
            str(r.estimate_year),
            r.exchange_date.isoformat(),
            r.quantity,
            _fmt(r.estimate),
            _fmt(r.declared) + ("" if r.declared_grade in "AB" else f" ({r.declared_grade})"),
            "—" if d is None else f"{d:+,.0f}",
        )
    console.print(t)


def register(app: typer.Typer) -> None:
    app.command("sources")(sources)
    app.command("forces")(forces)
    app.add_typer(data_app, name="data")
