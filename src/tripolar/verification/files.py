"""File helpers for the escrow: atomic writes, JSON reading with located errors, hex digests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tripolar import io_write
from tripolar.errors import MAX_INPUT_BYTES, InputError, read_text_checked
from tripolar.verification.formats import PrivateData, private_from_json

__all__ = [
    "PRIVATE_MAX_BYTES",
    "JsonText",
    "load_json_model",
    "load_private_file",
    "read_json",
    "write_json_atomic",
    "write_many_atomic",
]

M = TypeVar("M", bound=BaseModel)

#: The private file holds every item (about 120 bytes each), so it may exceed the 10 MiB
#: limit of other inputs: 1 GiB is several million items.
PRIVATE_MAX_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True)
class JsonText:
    """JSON already serialised, as UTF-8 chunks: written as they come, never held whole."""

    chunks: Iterable[bytes]


def _dump(obj: Any) -> Iterable[bytes]:
    if isinstance(obj, JsonText):
        return obj.chunks
    return [(json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")]


def write_many_atomic(files: list[tuple[Path, Any, int | None]]) -> None:
    """Write several JSON files atomically with :func:`tripolar.io_write.write_many_atomic`
    (missing folders created); ``mode`` is the new file's permission, an object may be a
    :class:`JsonText` (already serialised) or anything ``json`` takes."""
    io_write.write_many_atomic([(p, _dump(o), m) for p, o, m in files], create_dirs=True)


def write_json_atomic(path: str | Path, obj: Any, *, mode: int | None = None) -> None:
    """Write ``obj`` as indented UTF-8 JSON to ``path`` atomically, with permission ``mode``."""
    write_many_atomic([(Path(path), obj, mode)])


def read_json(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> Any:
    """Parse a JSON file (10 MiB limit unless told); a syntax error names the file, line
    and column."""
    text = read_text_checked(path, max_bytes=max_bytes)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=path,
            field="(document)",
            expected="valid JSON",
        ) from exc
    except RecursionError as exc:
        # json's parser recurses once per nesting level; escrow files are a few deep.
        raise InputError(
            "JSON nested too deeply", file=path, field="(document)", expected="an escrow file"
        ) from exc
    except ValueError as exc:
        # Python refuses to convert integers of more than 4,300 digits (CVE-2020-10735).
        raise InputError(
            f"unreadable number ({str(exc).split(';')[0]})",
            file=path,
            field="(document)",
            expected="numbers of at most 4,300 digits",
        ) from exc


def load_json_model(path: str | Path, model: type[M]) -> M:
    """Read ``path`` and validate it against ``model``; the first problem becomes an
    :class:`InputError` naming the field by its JSON path (``openings.0.salt``)."""
    data = read_json(path)
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(document)"
        raise InputError(err["msg"], file=path, field=loc) from exc


def load_private_file(path: str | Path) -> PrivateData:
    """Read and check a private file (format version 2 or 1, up to 1 GiB).

    Only the shape is checked here; :func:`tripolar.verification.escrow.load_private`
    then rebuilds the tree and compares its root with the recorded one.
    """
    return private_from_json(read_json(path, max_bytes=PRIVATE_MAX_BYTES), source=str(path))
