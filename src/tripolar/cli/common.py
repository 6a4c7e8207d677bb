"""Helpers shared by the CLI sub-apps: JSON output, consoles, the saved-run notice."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from tripolar.jsonio import dumps, to_jsonable

__all__ = [
    "announce_saved",
    "console",
    "err_console",
    "print_json",
    "program_name",
    "started_now",
    "to_jsonable",
]


def _width() -> int | None:
    # Piped output (logs, CI) gets 120 columns instead of Rich's 80, unless COLUMNS is set.
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return None
    return 120


console = Console(width=_width())
err_console = Console(stderr=True)


def print_json(obj: Any) -> None:
    """Write ``obj`` as indented RFC 8259 JSON on standard output (see :mod:`tripolar.jsonio`)."""
    sys.stdout.write(dumps(obj, indent=2) + "\n")


def started_now() -> datetime:
    """The time a command started (UTC), recorded with its run so that the stored duration
    is the analysis's own."""
    return datetime.now(UTC)


def program_name() -> str:
    """How to call tripolar again from this shell: ``tripolar`` when that is on ``PATH``
    and is this program, else the path this process was started with (``make demo`` runs
    ``.venv/bin/tripolar``, which a fresh shell does not find as ``tripolar``)."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name != "tripolar":
        return "tripolar"
    found = shutil.which("tripolar")
    if found is not None and Path(found).resolve() == Path(argv0).resolve():
        return "tripolar"
    return shlex.quote(argv0)


def _short_home(location: str) -> str:
    home = str(Path.home())
    if location == home or location.startswith(home + os.sep):
        return "~" + location[len(home) :]
    return location


def announce_saved(run_id: int, location: str, store_option: str | None) -> None:
    """One line on standard error: where the run went and how to see it again.

    The hint names ``--store`` when the store was given on the command line, so that it
    works as printed; with the default store (or ``$TRIPOLAR_STORE``) it needs none.
    """
    # After the command's own output, also when both go to one pipe.
    sys.stdout.flush()
    show = f"{program_name()} runs show {run_id}"
    if store_option is not None:
        show += f" --store {shlex.quote(store_option)}"
    sys.stderr.write(f"run {run_id} saved in {_short_home(location)} ({show}); --no-save to skip\n")
