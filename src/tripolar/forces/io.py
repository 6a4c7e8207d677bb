"""Posture files: reading and validating a posture given as YAML or as a mapping."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from tripolar.errors import InputError, from_validation_error
from tripolar.forces.records import Posture
from tripolar.io_yaml import load_yaml_file


def posture_from_mapping(data: object, *, source: str = "<posture>") -> Posture:
    """Validate a posture given as a mapping (parsed YAML/JSON)."""
    if not isinstance(data, dict):
        raise InputError(
            "a posture file must be a mapping at the top level",
            file=source,
            expected="keys party, date, systems",
        )
    try:
        posture = Posture.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source) from exc
    for i, s in enumerate(posture.systems):
        for fname in (
            "deployed_launchers",
            "warheads_loaded",
            "nondeployed_launchers",
            "test_launchers",
            "converted_launchers",
            "nondeployed_missiles",
        ):
            r = getattr(s, fname)
            if r is not None and r.low < 0:
                raise InputError(
                    f"negative count {r.low:g}",
                    file=source,
                    field=f"systems.{i}.{fname}",
                    expected="a count >= 0",
                )
        tl, nd = s.test_launchers, s.nondeployed_launchers
        if tl is not None and nd is not None and tl.value > nd.value:
            raise InputError(
                "test launchers are part of the non-deployed launchers and cannot exceed them",
                file=source,
                field=f"systems.{i}.test_launchers",
                expected=f"at most {nd.value:g}",
            )
    return posture


def load_posture(path: str | Path, *, data_dir: str | Path | None = None) -> Posture:
    """Read a posture YAML file, check its systems against the dataset, and return it.

    Each system must either name a ``system_id`` known to the dataset (bundled, or the
    overlay in ``data_dir``), whose category, basing and heavy flag are then filled in, or
    give its ``category`` itself.
    """
    data = load_yaml_file(path)
    if isinstance(data, dict) and isinstance(data.get("systems"), list):
        from tripolar.data import load_dataset

        ds = load_dataset(data_dir)
        filled = []
        for i, item in enumerate(data["systems"]):
            if not isinstance(item, dict):
                raise InputError("each system must be a mapping", file=path, field=f"systems.{i}")
            sid = item.get("system_id")
            known = ds.system_descriptor(str(sid)) if sid is not None else None
            if known is None and "category" not in item:
                # A misspelt key (``system:``) is the usual cause of a missing system_id:
                # name it rather than the system None it leaves behind.
                from tripolar.forces.records import _BOMBER_ALIASES, SystemHolding

                allowed = set(SystemHolding.model_fields) | set(_BOMBER_ALIASES)
                extra = sorted(str(k) for k in item if k not in allowed)
                if extra:
                    raise InputError(
                        f"unknown key {extra[0]!r}",
                        file=path,
                        field=f"systems.{i}.{extra[0]}",
                        expected="keys " + ", ".join(sorted(SystemHolding.model_fields)),
                    )
                raise InputError(
                    "no system_id" if sid is None else f"unknown system {sid!r}",
                    file=path,
                    field=f"systems.{i}.system_id",
                    expected="a system_id listed by `tripolar forces` or an explicit category",
                )
            merged = dict(item)
            if known is not None:
                merged.setdefault("category", known["category"])
                merged.setdefault("basing", known["basing"])
                merged.setdefault("heavy", known["heavy"])
                merged.setdefault("name", known["name"])
            filled.append(merged)
        data = {**data, "systems": filled}
    return posture_from_mapping(data, source=str(path))
