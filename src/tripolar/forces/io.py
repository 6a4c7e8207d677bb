"""Posture files: reading and validating a posture given as YAML or as a mapping."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tripolar.errors import InputError, from_validation_error
from tripolar.forces.records import Posture
from tripolar.io_yaml import load_yaml_file


def _check_keys(data: dict[str, Any], source: str | Path) -> None:
    """Name the first key the posture format does not have (a misspelt ``system:`` would
    otherwise surface as a missing ``system_id``)."""
    from tripolar.forces.records import _BOMBER_ALIASES, StockpileFigures, SystemHolding

    def first_unknown(mapping: dict[str, Any], allowed: set[str], where: str) -> None:
        extra = [str(k) for k in mapping if k not in allowed]
        if extra:
            close = difflib.get_close_matches(extra[0], sorted(allowed), n=1)
            raise InputError(
                f"unknown key {extra[0]!r}",
                file=source,
                field=f"{where}{extra[0]}",
                expected=f"{close[0]!r}?" if close else "one of " + ", ".join(sorted(allowed)),
            )

    first_unknown(data, set(Posture.model_fields), "")
    if isinstance(data.get("stockpile"), dict):
        first_unknown(data["stockpile"], set(StockpileFigures.model_fields), "stockpile.")
    for i, item in enumerate(data.get("systems") or []):
        if isinstance(item, dict):
            allowed = set(SystemHolding.model_fields) | set(_BOMBER_ALIASES)
            first_unknown(item, allowed, f"systems.{i}.")


def posture_from_mapping(data: object, *, source: str = "<posture>") -> Posture:
    """Validate a posture given as a mapping (parsed YAML/JSON)."""
    if not isinstance(data, dict):
        raise InputError(
            "a posture file must be a mapping at the top level",
            file=source,
            expected="keys party, date, systems",
        )
    _check_keys(data, source)
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
    if isinstance(data, dict):
        _check_keys(data, path)
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
