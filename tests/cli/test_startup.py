"""Start-up: importing the CLI loads no heavy library; --version and version --json."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from tripolar import __version__
from tripolar.cli.main import app, main

HEAVY = ("pandas", "scipy", "sqlalchemy", "alembic", "matplotlib")


def test_importing_the_cli_loads_no_heavy_library() -> None:
    """A fresh interpreter that imports the whole command tree has none of the heavy
    libraries in ``sys.modules``: every command imports what it needs when it runs."""
    code = (
        "import tripolar.cli.main, sys; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_help_of_every_command_loads_no_heavy_library() -> None:
    """Rendering --help of each command needs only the signatures, not the models."""
    code = (
        "import sys\n"
        "from tripolar.cli.main import main\n"
        "for cmd in (['--help'], ['assess', '--help'], ['count', '--help'], "
        "['project', '--help'], ['runs', '--help'], ['forces', '--help'], "
        "['stability', '--help'], ['escrow', 'commit', '--help']):\n"
        "    assert main(cmd) == 0, cmd\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


def test_version_option_and_command(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == __version__
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == __version__


def test_version_json() -> None:
    res = CliRunner().invoke(app, ["version", "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout) == {"version": __version__}


def test_project_default_fit_window_matches_the_model() -> None:
    """The CLI writes the default fit year without importing the projection models; it
    must equal the model's own default."""
    from tripolar.cli.project import FIT_FROM_DEFAULT as CLI_DEFAULT
    from tripolar.projection.history import FIT_FROM_DEFAULT

    assert CLI_DEFAULT == FIT_FROM_DEFAULT
