"""Reading a sweep's results back: the Parquet chunks as one table, and the manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tripolar.errors import InputError
from tripolar.sweep.execute import MANIFEST, sweeps_root
from tripolar.sweep.spec import SweepFile

__all__ = ["load", "load_manifest", "resolve_results", "sweep_of"]


def resolve_results(ref: str | Path) -> Path:
    """A results folder from a path, a sweep id (12 hex digits) or ``<name>-<id>``.

    Ids are looked up under :func:`tripolar.sweep.execute.sweeps_root`; a store run id is
    resolved by the CLI (``tripolar sweep show``), which reads the folder from the run row.
    """
    p = Path(ref)
    if (p / MANIFEST).is_file():
        return p
    root = sweeps_root()
    s = str(ref)
    if root.is_dir():
        hits = sorted(d for d in root.iterdir() if d.name == s or d.name.endswith(f"-{s}"))
        if len(hits) == 1 and (hits[0] / MANIFEST).is_file():
            return hits[0]
    raise InputError(
        f"no sweep results for {s!r}",
        field="ID",
        expected=f"a results folder, a sweep id under {root}, or a sweep run id in the store",
    )


def load_manifest(results: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((results / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"unreadable manifest ({exc})", file=results / MANIFEST, expected="a sweep.json"
        ) from exc
    return data


def sweep_of(results: Path) -> SweepFile:
    """The sweep file recorded with the results."""
    return SweepFile.model_validate(load_manifest(results)["sweep"])


def load(ref: str | Path) -> Any:
    """The results of a sweep as a pandas DataFrame, one row per point, sorted by point.

    ``ref``: a results folder, or a sweep id (see :func:`resolve_results`). Chunks not yet
    computed are simply absent (``len(df)`` says how many points are in).
    """
    import pandas as pd
    import pyarrow.parquet as pq

    results = resolve_results(ref)
    files = sorted(results.glob("chunk-*.parquet"))
    if not files:
        return pd.DataFrame()
    tables = [pq.read_table(f) for f in files]
    import pyarrow as pa

    table = pa.concat_tables(tables, promote_options="default")
    df = table.to_pandas()
    return df.sort_values("point", kind="stable").reset_index(drop=True)
