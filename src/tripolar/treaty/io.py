"""Reading treaties: built-in ones by id, user files by path."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from tripolar.errors import InputError, from_validation_error
from tripolar.io_yaml import load_yaml_file
from tripolar.treaty.schema import Treaty


def builtin_dir() -> Path:
    """Directory of the built-in treaty YAML files."""
    return Path(str(resources.files("tripolar.treaty") / "builtin"))


def treaty_from_mapping(data: object, *, source: str) -> Treaty:
    """Validate a parsed treaty document."""
    if not isinstance(data, dict):
        raise InputError(
            "a treaty file must be a mapping at the top level",
            file=source,
            expected="keys id, name, parties, limits",
        )
    try:
        return Treaty.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source) from exc


def load_treaty_file(path: str | Path) -> Treaty:
    """Load a treaty from a YAML file."""
    return treaty_from_mapping(load_yaml_file(path), source=str(path))


@lru_cache(maxsize=64)
def _builtin(treaty_id: str) -> Treaty:
    return load_treaty_file(builtin_dir() / f"{treaty_id}.yaml")


def builtin_ids() -> list[str]:
    """Ids of the built-in treaties, in file-name order."""
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def builtin_treaties() -> list[Treaty]:
    """Every built-in treaty."""
    return [_builtin(i) for i in builtin_ids()]


def load_treaty(name_or_path: str | Path) -> Treaty:
    """A built-in treaty by id (e.g. ``new-start``) or a treaty YAML file by path."""
    text = str(name_or_path)
    if not text.strip():
        raise InputError("empty treaty name", field="treaty", expected="a built-in id or a path")
    if text in builtin_ids():
        return _builtin(text)
    p = Path(text)
    if p.suffix.lower() in (".yaml", ".yml") or p.exists() or "/" in text:
        return load_treaty_file(p)
    raise InputError(
        f"unknown treaty {text!r}",
        field="treaty",
        expected="a built-in id (" + ", ".join(builtin_ids()) + ") or a YAML file path",
    )
