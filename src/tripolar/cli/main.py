"""The ``tripolar`` command: one Typer app with a sub-app or command per area.

Every command parses its options, calls one function of the Python API and renders the
result. Bad input raises :class:`tripolar.errors.InputError`, which :func:`run` turns into
one line on standard error and exit status 2 (no traceback).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tripolar.errors import InputError

app = typer.Typer(
    name="tripolar",
    help="Trilateral nuclear arms control workbench: forces, treaties, stability, "
    "verification and bargaining, every figure sourced.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from tripolar import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the tripolar version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Trilateral nuclear arms control workbench (US, Russia, China): every figure sourced."""


@app.command()
def version(
    as_json: Annotated[bool, typer.Option("--json", help='Print {"version": "..."}.')] = False,
) -> None:
    """Print the tripolar version."""
    from tripolar import __version__

    if as_json:
        from tripolar.cli.common import print_json

        print_json({"version": __version__})
        return
    typer.echo(__version__)


def _register() -> None:
    # Each area registers its commands here, one line per area module.
    from tripolar.cli import data

    data.register(app)
    from tripolar.cli import treaty

    treaty.register(app)
    from tripolar.cli import assess

    assess.register(app)
    from tripolar.cli import runs

    runs.register(app)
    from tripolar.cli import verify

    verify.register(app)
    from tripolar.cli import project

    project.register(app)
    from tripolar.cli import stability

    stability.register(app)
    from tripolar.cli import negotiate

    negotiate.register(app)
    from tripolar.cli import serve

    serve.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit status (used by tests and :func:`run`).

    Input errors print one line, ``error: FILE: field 'X': what is wrong (expected ...)``,
    on standard error and give status 2. Usage errors (unknown option, bad choice) also
    give status 2, as Click does.
    """
    try:
        app(args=argv, prog_name="tripolar")
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        sys.stderr.write(f"{code}\n")
        return 1
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))
