"""``tripolar verify`` (inspection planning) and ``tripolar escrow`` (declaration escrow).

Thin commands: parse, call :mod:`tripolar.verification`, render. Exit status 0 means
valid / no discrepancy, 1 a negative finding (invalid reveal, discrepancy, broken
bulletin), 2 bad input.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from tripolar.cli.common import console, err_console, print_json
from tripolar.errors import InputError

if TYPE_CHECKING:
    from tripolar.verification.escrow import Escrow

verify_app = typer.Typer(
    name="verify",
    help="Inspection statistics: how many inspections, what they show.",
    no_args_is_help=True,
)
escrow_app = typer.Typer(
    name="escrow",
    help="Cryptographic escrow of declarations (commit, reveal, verify, inspect, extend).",
    no_args_is_help=True,
)
bulletin_app = typer.Typer(
    name="bulletin", help="Append-only public record of one party's escrow.", no_args_is_help=True
)
escrow_app.add_typer(bulletin_app, name="bulletin")

COMMITMENT_NAME = "commitment.json"
PRIVATE_NAME = "private.json"
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def register(app: typer.Typer) -> None:
    """Add the ``verify`` and ``escrow`` sub-apps to the root app."""
    app.add_typer(verify_app, name="verify")
    app.add_typer(escrow_app, name="escrow")


def _csv_list(value: str | None, option: str) -> list[str]:
    if value is None:
        return []
    parts = [v.strip() for v in value.split(",")]
    if any(not p for p in parts):
        raise InputError(f"empty entry in {value!r}", field=option, expected="NAME,NAME,...")
    return parts


def _date(value: str | None) -> str:
    if value is None:
        return _dt.date.today().isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise InputError(f"{value!r}", field="--date", expected="YYYY-MM-DD")
    try:
        _dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{value!r} is not a calendar date", field="--date") from exc
    return value


def _check_party(value: str, option: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", value):
        raise InputError(f"{value!r}", field=option, expected="1-32 letters, digits, _ . -")
    return value


# --------------------------------------------------------------------------- verify plan


def _curve_points(n_items: int, n_star: int | None) -> list[int]:
    top = n_items if n_star is None else min(n_items, max(2 * n_star, 10))
    pts = {0, top, *(round(top * f / 10) for f in range(1, 10))}
    if n_star is not None:
        pts.add(n_star)
    return sorted(pts)


@verify_app.command("plan")
def plan(
    items: Annotated[int, typer.Option("--items", help="Items (sites, launchers) N.")],
    violations: Annotated[int, typer.Option("--violations", help="Violating items d.")],
    confidence: Annotated[float, typer.Option("--confidence", help="Wanted detection prob.")],
    p_detect: Annotated[
        float, typer.Option("--p-detect", help="Chance one inspection notices a violation.")
    ] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Inspections needed to detect at least one of d violations among N items.

    Examples:
      tripolar verify plan --items 400 --violations 10 --confidence 0.95
      tripolar verify plan --items 400 --violations 10 --confidence 0.95 --p-detect 0.8
    """
    from tripolar.verification.inspection import detection_curve, inspections_needed

    result = inspections_needed(items, violations, confidence, p_detect)
    pts = _curve_points(items, result.inspections_needed)
    curve = detection_curve(items, violations, pts, p_detect)
    out: dict[str, Any] = result.to_dict()
    out["curve"] = [
        {"n_inspected": n, "detection_probability": float(p)}
        for n, p in zip(pts, curve, strict=True)
    ]
    if as_json:
        print_json(out)
        return
    if result.reachable:
        console.print(
            f"[bold]{result.inspections_needed}[/bold] random inspections of {items} items detect "
            f"at least one of {violations} violations with probability "
            f"{result.detection_probability:.4f} (>= {confidence}; p_detect {p_detect})."
        )
    else:
        console.print(
            f"[bold red]Unreachable[/bold red]: inspecting all {items} items detects with "
            f"probability {result.detection_probability:.4f} < {confidence}."
        )
    if result.iaea_approximation is not None:
        console.print(f"IAEA approximation N(1-(1-c)^(1/d)): {result.iaea_approximation:.1f}")
    table = Table(title="Detection curve")
    table.add_column("inspections", justify="right")
    table.add_column("P(detect)", justify="right")
    for row in out["curve"]:
        table.add_row(str(row["n_inspected"]), f"{row['detection_probability']:.4f}")
    console.print(table)


# --------------------------------------------------------------------------- verify simulate


@verify_app.command("simulate")
def simulate_cmd(
    treaty: Annotated[str, typer.Option("--treaty", help="Built-in treaty id or YAML path.")],
    cheater: Annotated[str, typer.Option("--cheater", help="Cheating party, e.g. CN.")],
    strategy: Annotated[
        str,
        typer.Option(
            "--strategy",
            help="hide-launchers, upload, nondeployed-as-deployed or delay-notifications.",
        ),
    ],
    years: Annotated[int, typer.Option("--years", help="Years simulated (1-100).")] = 10,
    samples: Annotated[int, typer.Option("--samples", help="Monte Carlo samples.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (reproducible).")] = 1,
    pool: Annotated[
        bool,
        typer.Option("--pool/--split", help="Inspectors coordinate (distinct sites) or not."),
    ] = True,
    assume: Annotated[
        list[str] | None,
        typer.Option("--assume", help="NAME=VALUE or NAME=LOW:DEFAULT:HIGH (repeatable)."),
    ] = None,
    fixed: Annotated[
        bool, typer.Option("--fixed", help="Assumptions at their defaults, no band.")
    ] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a plot (.png, .svg or .pdf).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Monte Carlo: probability that the other parties detect a cheater, by year.

    Examples:
      tripolar verify simulate --treaty tri-equal-1000 --cheater CN --strategy upload --samples 2000
      tripolar verify simulate --treaty new-start --cheater RU --strategy hide-launchers --fixed
    """
    from tripolar.report.plots import check_plot_path, save_figure
    from tripolar.verification.simulate import (
        STRATEGIES,
        Assumptions,
        detection_figure,
        parse_assumption,
        simulate,
    )

    if strategy not in STRATEGIES:
        raise InputError(f"{strategy!r}", field="--strategy", expected=", ".join(STRATEGIES))
    target = None if plot is None else check_plot_path(plot)
    used = Assumptions()
    for text in assume or []:
        name, default, low, high = parse_assumption(text)
        used = used.override(name, default, low, high)
    if fixed:
        used = used.fixed()
    result = simulate(
        treaty,
        cheater,
        strategy,
        years=years,
        samples=samples,
        seed=seed,
        pooled=pool,
        assumptions=used,
    )
    if target is not None:
        save_figure(detection_figure(result), target, tight=False)
    if as_json:
        print_json(result)
        return
    mode = "pooled" if result.pooled else "independent"
    console.print(
        f"[bold]{result.cheater}[/bold] cheats by [bold]{result.strategy}[/bold] under "
        f"{result.treaty}; inspected by {', '.join(result.inspectors)} ({mode}); "
        f"{result.samples} samples, seed {result.seed}."
    )
    table = Table(title="P(detected by end of year): mean [5-95 % over assumptions]")
    table.add_column("year", justify="right")
    for name in result.curves:
        table.add_column(name, justify="right")
    for i, y in enumerate(result.years):
        table.add_row(
            str(y),
            *(f"{c.mean[i]:.3f} [{c.p05[i]:.2f}-{c.p95[i]:.2f}]" for c in result.curves.values()),
        )
    console.print(table)
    for note in result.notes:
        console.print(f"note: {note}")
    console.print(
        "Assumptions (default, range): "
        + "; ".join(
            f"{k} {a['default']:g} ({a['low']:g}-{a['high']:g})"
            for k, a in result.assumptions.items()
        )
    )
    if target is not None:
        console.print(f"plot: {target}")


# --------------------------------------------------------------------------- escrow


def _load_escrow(directory: Path) -> Escrow:
    from tripolar.verification.escrow import load_private
    from tripolar.verification.files import load_private_file

    path = directory / PRIVATE_NAME
    return load_private(load_private_file(path), source=str(path))


def _warn_private(path: Path) -> None:
    err_console.print(
        f"[bold red]WARNING[/bold red]: {path} holds the secret salts (mode 0600). "
        "Do NOT share or publish it; anyone holding it can test guesses about unopened "
        "items. Keep a private backup: without it nothing can be opened."
    )


@escrow_app.command("commit")
def escrow_commit(
    declaration: Annotated[Path, typer.Argument(help="Declaration CSV.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for commitment.json, private.json.")],
    party: Annotated[str, typer.Option("--party", help="Committing party, e.g. US.")] = "party",
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default today).")] = None,
    no_shuffle: Annotated[
        bool, typer.Option("--no-shuffle", help="Keep CSV order for the leaves.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing escrow.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Commit to a complete declaration: publish commitment.json, keep private.json secret.

    The declaration CSV has the columns item_id, site, item_type, count and optional
    attribute columns (examples/declaration.csv; format in examples/README.md).

    Example:
      tripolar escrow commit examples/declaration.csv --out escrow-US --party US
    """
    from tripolar.verification.encoding import read_declaration_csv
    from tripolar.verification.escrow import commit
    from tripolar.verification.files import JsonText, write_many_atomic
    from tripolar.verification.formats import private_json_chunks

    party = _check_party(party, "--party")
    day = _date(date)
    items = read_declaration_csv(declaration)
    if (out / PRIVATE_NAME).exists() and not force:
        raise InputError(
            "an escrow already exists here; overwriting it destroys its salts",
            file=out / PRIVATE_NAME,
            expected="a new folder, or --force",
        )
    escrow = commit(items, party=party, date=day, shuffle=not no_shuffle)
    write_many_atomic(
        [
            (out / PRIVATE_NAME, JsonText(private_json_chunks(escrow.private)), 0o600),
            (out / COMMITMENT_NAME, escrow.commitment.model_dump(mode="json"), None),
        ]
    )
    _warn_private(out / PRIVATE_NAME)
    if as_json:
        print_json(escrow.commitment)
        return
    console.print(
        f"Committed {escrow.commitment.size} items for {party} on {day}\n"
        f"root {escrow.commitment.root}\n"
        f"public:  {out / COMMITMENT_NAME}\nprivate: {out / PRIVATE_NAME}"
    )


@escrow_app.command("reveal")
def escrow_reveal(
    directory: Annotated[Path, typer.Argument(help="Escrow folder (with private.json).")],
    out: Annotated[Path, typer.Option("--out", help="Reveal JSON to write.")],
    items: Annotated[str | None, typer.Option("--items", help="ID,ID,... to open.")] = None,
    sites: Annotated[
        str | None, typer.Option("--sites", help="Open every item at SITE,...")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Open items (with salts and inclusion proofs) for anyone to check.

    Example:
      tripolar escrow reveal escrow-US --sites Alpha --out reveal-alpha.json
    """
    from tripolar.verification.escrow import reveal
    from tripolar.verification.files import write_json_atomic

    ids, site_list = _csv_list(items, "--items"), _csv_list(sites, "--sites")
    if not ids and not site_list:
        raise InputError("nothing to open", field="--items", expected="--items and/or --sites")
    opened = reveal(_load_escrow(directory), item_ids=ids, sites=site_list)
    write_json_atomic(out, opened.model_dump(mode="json"))
    if as_json:
        print_json(opened)
        return
    console.print(f"Opened {len(opened.openings)} items into {out}")


def _render_reveal_check(check: Any) -> None:
    table = Table(title=f"Reveal by {check.party}: tree of {check.size}, root {check.root[:16]}...")
    for col in ("index", "item_id", "site", "valid", "reason"):
        table.add_column(col)
    for c in check.openings:
        mark = "[green]yes[/green]" if c.valid else "[red]NO[/red]"
        table.add_row(str(c.index), c.item_id, c.site, mark, c.reason)
    console.print(table)
    for p in check.problems:
        console.print(f"[red]problem[/red]: {p}")
    console.print(
        "[bold green]VALID[/bold green]" if check.valid else "[bold red]INVALID[/bold red]"
    )


@escrow_app.command("verify")
def escrow_verify(
    commitment: Annotated[Path, typer.Argument(help="Public commitment.json.")],
    reveal_file: Annotated[Path, typer.Argument(help="Reveal JSON.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a reveal against a commitment (exit 0 valid, 1 invalid, 2 bad input).

    Example:
      tripolar escrow verify escrow-US/commitment.json reveal-alpha.json
    """
    from tripolar.verification.escrow import verify_reveal
    from tripolar.verification.files import load_json_model
    from tripolar.verification.formats import CommitmentFile, RevealFile

    com = load_json_model(commitment, CommitmentFile)
    rev = load_json_model(reveal_file, RevealFile)
    check = verify_reveal(com, rev)
    if as_json:
        print_json(check)
    else:
        _render_reveal_check(check)
    if not check.valid:
        raise typer.Exit(1)


@escrow_app.command("inspect")
def escrow_inspect(
    commitment: Annotated[Path, typer.Argument(help="Public commitment.json.")],
    reveal_file: Annotated[Path, typer.Argument(help="The party's reveal of the sites.")],
    sites: Annotated[str, typer.Option("--sites", help="Inspected SITE,SITE,...")],
    found: Annotated[Path, typer.Option("--found", help="CSV of items found on site.")],
    inspector: Annotated[str, typer.Option("--inspector", help="Inspecting party.")],
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default today).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Inspection record JSON.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare findings at inspected sites with the opened items (exit 1 on discrepancy).

    Example:
      tripolar escrow inspect escrow-US/commitment.json reveal-alpha.json --sites Alpha \\
        --found examples/found-alpha.csv --inspector RU
    """
    from tripolar.verification.encoding import read_declaration_csv
    from tripolar.verification.escrow import inspect
    from tripolar.verification.files import load_json_model, write_json_atomic
    from tripolar.verification.formats import CommitmentFile, RevealFile

    com = load_json_model(commitment, CommitmentFile)
    rev = load_json_model(reveal_file, RevealFile)
    found_items = read_declaration_csv(found)
    record = inspect(
        com,
        rev,
        sites=_csv_list(sites, "--sites"),
        found=found_items,
        inspector=_check_party(inspector, "--inspector"),
        date=_date(date),
    )
    if out is not None:
        write_json_atomic(out, record.model_dump(mode="json"))
    clean = record.reveal_valid and not record.discrepancies
    if as_json:
        print_json(record)
    else:
        console.print(
            f"Inspection of {record.party} by {record.inspector} at {', '.join(record.sites)}: "
            f"reveal {'valid' if record.reveal_valid else '[red]INVALID[/red]'}"
        )
        table = Table(title="Discrepancies")
        for col in ("kind", "site", "item_id", "detail"):
            table.add_column(col)
        for d in record.discrepancies:
            table.add_row(d.kind, d.site, d.item_id or "", d.detail)
        console.print(table if record.discrepancies else "No discrepancies.")
    if not clean:
        raise typer.Exit(1)


@escrow_app.command("extend")
def escrow_extend(
    directory: Annotated[Path, typer.Argument(help="Escrow folder to extend.")],
    declaration: Annotated[Path, typer.Argument(help="CSV of the new items.")],
    out: Annotated[Path, typer.Option("--out", help="Extension JSON (old/new root + proof).")],
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default today).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Append items; rewrite the folder's files and write a consistency proof.

    Example (keep the old commitment to check the extension against):
      cp escrow-US/commitment.json commitment-old.json
      tripolar escrow extend escrow-US examples/declaration-more.csv --out extension.json
    """
    from tripolar.verification.encoding import read_declaration_csv
    from tripolar.verification.escrow import extend
    from tripolar.verification.files import JsonText, write_many_atomic
    from tripolar.verification.formats import private_json_chunks

    escrow = _load_escrow(directory)
    new_items = read_declaration_csv(declaration)
    new, ext = extend(escrow, new_items, date=_date(date))
    write_many_atomic(
        [
            (out, ext.model_dump(mode="json"), None),
            (directory / PRIVATE_NAME, JsonText(private_json_chunks(new.private)), 0o600),
            (directory / COMMITMENT_NAME, new.commitment.model_dump(mode="json"), None),
        ]
    )
    _warn_private(directory / PRIVATE_NAME)
    if as_json:
        print_json(ext)
        return
    console.print(
        f"Extended {ext.party}: {ext.old.size} -> {ext.new.size} items\n"
        f"new root {ext.new.root}\nconsistency proof ({len(ext.proof)} hashes) in {out}"
    )


@escrow_app.command("verify-extension")
def escrow_verify_extension(
    commitment: Annotated[Path, typer.Argument(help="The OLD public commitment.json.")],
    extension: Annotated[Path, typer.Argument(help="Extension JSON.")],
    as_json: JsonOpt = False,
) -> None:
    """Check that an extension keeps the old commitment as a prefix (exit 1 if not).

    Example:
      tripolar escrow verify-extension commitment-old.json extension.json
    """
    from tripolar.verification.escrow import verify_extension
    from tripolar.verification.files import load_json_model
    from tripolar.verification.formats import CommitmentFile, ExtensionFile

    com = load_json_model(commitment, CommitmentFile)
    ext = load_json_model(extension, ExtensionFile)
    ok = verify_extension(com, ext)
    if as_json:
        print_json({"valid": ok, "old": ext.old, "new": ext.new})
    else:
        verdict = "[bold green]VALID[/bold green]" if ok else "[bold red]INVALID[/bold red]"
        console.print(f"{verdict}: {ext.old.size} -> {ext.new.size} items")
        if ext.new_size_proof is None:
            console.print("no size proof: the new size cannot be checked (re-run escrow extend)")
    if not ok:
        raise typer.Exit(1)


@bulletin_app.command("append")
def bulletin_append(
    bulletin: Annotated[
        Path, typer.Argument(help="The party's bulletin JSON (created if absent).")
    ],
    entry: Annotated[Path, typer.Argument(help="Commitment, extension, reveal or inspection.")],
    as_json: JsonOpt = False,
) -> None:
    """Verify a public escrow file and append it to the bulletin (refused -> exit 2).

    Examples:
      tripolar escrow bulletin append bulletin-US.json commitment-old.json
      tripolar escrow bulletin append bulletin-US.json extension.json
    """
    from tripolar.verification import bulletin as bl

    kind, body = bl.load_entry(entry)
    appended = bl.append(bulletin, kind, body)
    if as_json:
        print_json(appended)
        return
    console.print(
        f"Appended {kind} as entry {appended.seq}\n"
        f"head {appended.hash} length {appended.seq + 1} (publish both; check copies with "
        "bulletin verify --head --length)"
    )


@bulletin_app.command("verify")
def bulletin_verify(
    bulletin: Annotated[Path, typer.Argument(help="Bulletin JSON.")],
    head: Annotated[
        str | None, typer.Option("--head", help="Published head hash (from an append).")
    ] = None,
    length: Annotated[
        int | None, typer.Option("--length", help="Published length with that head.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Replay a bulletin: hash chain and every entry (exit 1 if anything fails).

    With --head and --length (as printed by an append) also detect a removed last entry,
    an emptied or reordered bulletin; without them truncation cannot be detected.

    Example:
      tripolar escrow bulletin verify bulletin-US.json
    """
    from tripolar.verification import bulletin as bl

    if head is not None and not re.fullmatch(r"[0-9a-f]{64}", head):
        raise InputError(f"{head!r}", field="--head", expected="64 lowercase hex digits")
    if length is not None and length < 0:
        raise InputError(f"{length}", field="--length", expected="an integer >= 0")
    if (head is None) != (length is None):
        raise InputError("one without the other", field="--head", expected="--head and --length")
    check = bl.verify_bulletin(bl.load(bulletin), head=head, length=length)
    if as_json:
        print_json(check)
    else:
        table = Table(title=f"Bulletin of {check.party}: {check.entries} entries")
        table.add_column("size", justify="right")
        table.add_column("root")
        for h in check.heads:
            table.add_row(str(h["size"]), h["root"])
        console.print(table)
        for p in check.problems:
            console.print(f"[red]problem[/red]: {p}")
        console.print(f"head {check.head} length {check.length}")
        if head is None:
            console.print(
                "note: checked without a published head: a removed last entry cannot be seen"
            )
        console.print(
            "[bold green]VALID[/bold green]" if check.valid else "[bold red]INVALID[/bold red]"
        )
    if not check.valid:
        raise typer.Exit(1)
