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
    loc = ".".join(str(p) for p in err.get("loc", ()) if not str(p).startswith("function-"))
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    inp = err.get("input")
    if err.get("type") != "missing" and not isinstance(inp, dict | list):
        msg = f"{msg} (got {inp!r})"
    return InputError(msg, file=file, field=loc or "(top level)")
