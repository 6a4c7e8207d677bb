"""The ``tripolar`` command: one Typer app with a sub-app or command per area.

Every command parses its options, calls one function of the Python API and renders the
result. Bad input raises :class:`tripolar.errors.InputError`, which :func:`run` turns into
one line on standard error and exit status 2 (no traceback).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
import typer.main

from tripolar.errors import InputError


def _help_type_labels() -> None:
    """Type labels of the --help tables: none for flags, ``<path>`` for a repeatable path.

    Typer's rich help (0.2x) labels a flag ``<bool>``, as if it took a value, and a
    repeatable option with its Python annotation (``<list[Path]>``); its plain help shows
    no type for a flag. The label comes from one method, wrapped here.
    """
    import re

    from typer.core import TyperOption

    original = TyperOption.display_type_rich
    if getattr(original, "_tripolar", False):
        return

    def display_type_rich(self: TyperOption, ctx: object) -> str | None:
        if self.is_flag or self.count:
            return None
        label = original(self, ctx)  # type: ignore[arg-type]
        if label is None:
            return None
        return re.sub(r"<list\[(\w+)\]>", lambda m: f"<{m.group(1).lower()}>", label)

    display_type_rich._tripolar = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_help_type_labels()

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
    """Print the tripolar version.

    Examples:
      tripolar version
      tripolar version --json
    """
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
    from tripolar.cli import claims

    claims.register(app)
    from tripolar.cli import report

    report.register(app)
    from tripolar.cli import sweep

    sweep.register(app)
    from tripolar.cli import serve

    serve.register(app)


_register()


_COMMAND: Any = None


def _command() -> Any:
    # Building the Click command tree takes tens of milliseconds; build it once per process.
    global _COMMAND
    if _COMMAND is None:
        _COMMAND = typer.main.get_command(app)
    return _COMMAND


def _show(text: str) -> str:
    # Echo a bad value without letting a huge one flood the error line.
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _given(argv: list[str], opts: list[str]) -> str | None:
    """The text the user gave for an option (last occurrence), if it can be found."""
    found: str | None = None
    for i, arg in enumerate(argv):
        for opt in opts:
            if arg == opt and i + 1 < len(argv):
                found = argv[i + 1]
            elif arg.startswith(opt + "="):
                found = arg[len(opt) + 1 :]
    return found


def _expected(param: Any) -> str:
    """What a parameter takes, in words, from its annotation and bounds."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    kinds: dict[Any, str] = {
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        str: "a text",
    }
    what = kinds.get(annotation, "a value")
    if annotation is not None and getattr(annotation, "__name__", "") in ("Path", "PurePath"):
        what = "a path"
    lo, hi = getattr(param, "min", None), getattr(param, "max", None)
    if lo is not None and hi is not None:
        return f"{what} from {lo} to {hi}"
    if lo is not None:
        return f"{what} of at least {lo}"
    if hi is not None:
        return f"{what} of at most {hi}"
    return what


def _param_name(param: Any) -> str:
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    if opts:
        return str(max(opts, key=len))
    return str(getattr(param, "human_readable_name", None) or param.name).upper()


def _usage_line(exc: Any, argv: list[str]) -> str:
    """One line for a Click usage error: the option or argument, what is wrong, what is
    expected (Click's own rendering is a multi-line box with the usage)."""
    from typer._click import exceptions as cx

    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "tripolar"
    detail = " ".join(str(exc.message).split()).rstrip(".")
    if isinstance(exc, cx.BadParameter) and exc.param is not None:
        name = _param_name(exc.param)
        if isinstance(exc, cx.MissingParameter):
            detail = f"missing {'option' if name.startswith('--') else 'argument'} {name}"
        else:
            given = _given(argv, list(getattr(exc.param, "opts", [])))
            detail = detail[:1].lower() + detail[1:]
            if given is not None:
                detail = f"{detail} (got {_show(given)})"
        text = InputError(detail, field=name, expected=_expected(exc.param))
        return str(text)
    if isinstance(exc, cx.NoSuchOption):
        did_you_mean = ""
        if exc.possibilities:
            did_you_mean = "; did you mean " + " or ".join(sorted(exc.possibilities)[:3]) + "?"
        return str(
            InputError(
                f"no such option for '{where}'{did_you_mean}",
                field=_show(exc.option_name)[1:-1],
                expected=f"an option listed by '{where} --help'",
            )
        )
    if isinstance(exc, cx.BadOptionUsage):
        return str(InputError(detail[:1].lower() + detail[1:], field=exc.option_name))
    if len(detail) > 200:
        detail = detail[:160] + "..."
    return f"{where}: {detail} (see '{where} --help')"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit status (used by tests and :func:`run`).

    Input errors print one line, ``error: FILE: field 'X': what is wrong (expected ...)``,
    on standard error and give status 2. Usage errors (unknown option, a value that is not
    a number, a number out of range, a missing option) print one line too,
    ``error: field '--samples': ... (expected ...)``, with status 2, as Click's own box does.
    """
    from typer._click import exceptions as cx

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rv = _command().main(args=args, prog_name="tripolar", standalone_mode=False)
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except cx.NoArgsIsHelpError as exc:
        # ``tripolar treaty`` alone: the help, status 2 (Click's behaviour).
        if exc.ctx is not None:
            typer.echo(exc.ctx.get_help())
        return 2
    except cx.UsageError as exc:
        sys.stderr.write(f"error: {_usage_line(exc, args)}\n")
        return 2
    except cx.ClickException as exc:
        sys.stderr.write(f"error: {' '.join(exc.format_message().split())}\n")
        return exc.exit_code
    except OSError as exc:
        # A path the system refuses (name too long, a loop of links, permission) named by
        # the user: one line, like any bad input. Other OS errors are real failures.
        if exc.filename is None:
            raise
        name = str(exc.filename)
        option = next(
            (
                args[i - 1]
                for i, a in enumerate(args)
                if a == name and i and args[i - 1][:2] == "--"
            ),
            None,
        )
        shown = _show(name)[1:-1] if len(name) > 200 else name
        reason = exc.strerror or type(exc).__name__
        line = InputError(reason, file=shown, field=option, expected="a usable path")
        sys.stderr.write(f"error: {line}\n")
        return 2
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        sys.stderr.write(f"{code}\n")
        return 1
    if isinstance(rv, int) and not isinstance(rv, bool):
        return rv
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))
