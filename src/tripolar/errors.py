"""Errors raised at the edge of tripolar (files, YAML, CSV, CLI options).

Every input problem becomes an :class:`InputError` that names the file, the field and
what was expected, so that the command line can print it on one line and exit with
status 2. Code inside the package trusts validated inputs and does not re-check them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Largest input file tripolar will read (YAML, CSV, JSON): 10 MiB. Real treaty,
#: posture and declaration files are a few kilobytes; anything larger is a mistake
#: or an attack on the parser.
MAX_INPUT_BYTES = 10 * 1024 * 1024

#: Largest count or ceiling accepted in any input (warheads, launchers, attributions,
#: ceilings): 10,000,000, over a hundred times the largest stockpile ever held (about
#: 70,000 warheads world-wide in 1986). A bigger number is a typo or an attack, and
#: ``.inf``/``.nan`` are refused everywhere, so that no infinity reaches a comparison
#: ("complies") or a JSON output.
MAX_COUNT = 10_000_000
#: Longest identifier (system, treaty, limit, family ids): 64 characters.
MAX_ID_CHARS = 64
#: Longest free text (names, descriptions, notes, statements): 20,000 characters.
MAX_TEXT_CHARS = 20_000


class InputError(ValueError):
    """Bad input: a file, row or field that does not match what tripolar expects."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.field = field
        self.expected = expected
        self.detail = message
        super().__init__(self._compose())

    def _compose(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.field:
            parts.append(f"field '{self.field}'")
        head = ": ".join(parts)
        text = self.detail
        if self.expected:
            text = f"{text} (expected {self.expected})"
        text = " ".join(text.split())
        return f"{head}: {text}" if head else text


def path_exists(path: str | Path) -> bool:
    """``Path.exists`` that answers False, not an exception, for names the system cannot
    look up (a NUL byte, a name longer than the file system allows)."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False


def read_text_checked(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read a UTF-8 text file, refusing missing, unreadable or oversized files."""
    p = Path(path)
    if "\x00" in str(p):
        raise InputError("file name contains a NUL byte", file=repr(str(p)), expected="a file name")
    if str(path) in ("", "."):
        # Path("") is the current directory: say what the user typed.
        raise InputError("empty file name", file="''", expected="a file path")
    if not path_exists(p):
        raise InputError("file not found", file=p, expected="an existing file")
    if not p.is_file():
        raise InputError("not a regular file", file=p, expected="a file, not a directory")
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"file is {size} bytes, above the limit of {max_bytes} bytes",
            file=p,
            expected=f"a file of at most {max_bytes // (1024 * 1024)} MiB",
        )
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 ({exc.reason})", file=p, expected="UTF-8 text") from exc
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", file=p) from exc


def from_validation_error(exc: Any, file: str | Path | None) -> InputError:
    """Turn the first error of a pydantic ``ValidationError`` into an :class:`InputError`.

    The field is the dotted location (``systems.0.deployed_launchers``); scalar inputs are
    echoed so that a reader sees what was wrong (``(got 'many')``).
    """
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()) if not _is_union_tag(p))
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    inp = err.get("input")
    if err.get("type") != "missing" and not isinstance(inp, dict | list):
        shown = repr(inp)
        if len(shown) > 60:
            # A 200,000-character string is echoed by its start and its length only.
            shown = f"{shown[:40]}... ({len(str(inp)):,} characters)"
        msg = f"{msg} (got {shown})"
    return InputError(msg, file=file, field=loc or "(top level)")


def _is_union_tag(part: object) -> bool:
    """Pydantic puts the union member tried into the location (``constrained-float``,
    ``function-after[...]``, ``Freeze``); a reader wants the field path only."""
    if not isinstance(part, str):
        return False
    if part.startswith(("function-", "constrained-", "lax-", "json-or-python")) or "[" in part:
        return True
    # A model class name (CamelCase) rather than a field name or a dict key such as 'US'.
    return part[:1].isupper() and any(c.islower() for c in part) and "_" not in part
