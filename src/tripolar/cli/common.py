"""Helpers shared by the CLI sub-apps: JSON output, consoles, data-dir option."""

from __future__ import annotations

import os
import sys
from typing import Any

from rich.console import Console

from tripolar.jsonio import dumps, to_jsonable

__all__ = ["console", "err_console", "print_json", "to_jsonable"]


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
