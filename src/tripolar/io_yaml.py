"""Safe YAML loading with one-line errors that name the file and the line.

Parsing uses libyaml's ``yaml.CSafeLoader`` where PyYAML was built with it (about ten times
faster than the pure-Python parser on the bundled files) and ``yaml.SafeLoader`` otherwise.
Both use the same safe constructor: only the standard YAML tags, no Python objects; an alias
gives the same object again, never a copy, so aliases cannot blow up memory while loading; and
:func:`tripolar.errors.read_text_checked` limits the file size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tripolar.errors import InputError, read_text_checked

#: libyaml's safe loader if PyYAML has it, else the pure-Python one (same results).
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_file(path: str | Path) -> Any:
    """Parse a YAML file with :data:`SAFE_LOADER`; size-limited, errors as :class:`InputError`."""
    text = read_text_checked(path)
    return load_yaml_text(text, source=str(path))


def load_yaml_text(text: str, *, source: str = "<string>") -> Any:
    """Parse YAML text; a syntax error names the source and the line."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            f"malformed YAML at {where}: {problem}", file=source, expected="valid YAML"
        ) from exc


def resolve_named_file(
    name_or_path: str | Path,
    directory: Path,
    *,
    kind: str,
    field: str,
    unknown: str = "unknown {kind} {name!r}",
) -> Path:
    """A bundled YAML file by name (``directory/NAME.yaml``) or a user's file by path.

    A text ending in ``.yaml``/``.yml``, or naming an existing file, is a path; otherwise it
    must be one of the bundled names, else :class:`InputError` lists them.
    """
    text = str(name_or_path)
    path = Path(text)
    if text.endswith((".yaml", ".yml")) or path.exists():
        return path
    names = sorted(p.stem for p in directory.glob("*.yaml"))
    if text not in names:
        raise InputError(
            unknown.format(kind=kind, name=text),
            field=field,
            expected="one of " + ", ".join(names) + " or a YAML file path",
        )
    return directory / f"{text}.yaml"
