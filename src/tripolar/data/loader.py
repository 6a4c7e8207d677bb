"""Load the bundled dataset (and an optional user overlay) into validated DataFrames.

The bundled tables live in ``tripolar/data/bundled/*.csv``. A user directory with files
of the same names and columns (``--data DIR``) overlays them: a row with the same key
(e.g. ``system_id, as_of, quantity`` for ``system_figures``) replaces the bundled row, a
new key adds a row. Every row is validated; an error names the file, the row (as a line
number of the CSV file, header = line 1) and the column.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import pandas as pd
from pydantic import ValidationError

from tripolar.data.schema import TABLES
from tripolar.errors import InputError, read_text_checked

BUNDLED_PACKAGE = "tripolar.data"
STATE_CODES = ("US", "RU", "CN", "GB", "FR", "IN", "PK", "IL", "KP")


def bundled_dir() -> Path:
    """Directory of the bundled CSV files."""
    return Path(str(resources.files(BUNDLED_PACKAGE) / "bundled"))


def _parse_csv(text: str, *, file: str, table: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _parse_rows(reader, file=file, table=table)
    except csv.Error as exc:  # e.g. a cell above the csv module's field size limit
        raise InputError(
            f"line {reader.line_num + 1}: not readable as CSV ({exc})",
            file=file,
            expected="a CSV table (RFC 4180)",
        ) from exc


def _parse_rows(reader: csv.DictReader[str], *, file: str, table: str) -> list[dict[str, Any]]:
    model, _key = TABLES[table]
    if reader.fieldnames is None:
        raise InputError("empty CSV file", file=file, expected="a header row")
    required = [name for name, f in model.model_fields.items() if f.is_required()]
    missing = [c for c in required if c not in reader.fieldnames]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            file=file,
            field=missing[0],
            expected="columns " + ", ".join(model.model_fields),
        )
    rows: list[dict[str, Any]] = []
    for lineno, raw in enumerate(reader, start=2):
        if None in raw:
            raise InputError(
                f"row {lineno} has more cells than the header",
                file=file,
                expected=f"{len(reader.fieldnames)} cells",
            )
        cleaned = {k: (None if v is None or v.strip() == "" else v.strip()) for k, v in raw.items()}
        # empty optional cells fall back to the model's defaults
        cleaned = {k: v for k, v in cleaned.items() if v is not None}
        try:
            row = model.model_validate(cleaned)
        except ValidationError as exc:
            err = exc.errors()[0]
            col = ".".join(str(p) for p in err.get("loc", ())) or None
            msg = err.get("msg", "invalid value").removeprefix("Value error, ")
            if col is None:  # cross-column rules: name the columns involved
                col = "source_ids" if "source id" in msg else "low/value/high"
            got = err.get("input")
            shown = f" (got {got!r})" if col and not isinstance(got, dict) else ""
            raise InputError(f"row {lineno}: {msg}{shown}", file=file, field=col) from exc
        rec = row.model_dump()
        if "state" in rec:
            allowed = STATE_CODES + (("WORLD",) if table == "stockpiles" else ())
            if rec["state"] not in allowed:
                raise InputError(
                    f"row {lineno}: unknown state {rec['state']!r}",
                    file=file,
                    field="state",
                    expected="one of " + ", ".join(allowed),
                )
        rec["_file"] = file
        rec["_line"] = lineno
        rows.append(rec)
    return rows


@dataclass
class Dataset:
    """The force dataset: validated tables as pandas DataFrames plus a content hash.

    Tables: ``sources``, ``stockpiles``, ``systems``, ``system_figures``, ``targets``,
    ``newstart_exchanges``. Figures are in long format (one figure per row); use
    :meth:`systems_wide` for one row per system.
    """

    tables: dict[str, pd.DataFrame]
    content_hash: str
    files: dict[str, str] = field(default_factory=dict)
    overlay: str | None = None

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    # -- look-ups ----------------------------------------------------------------------
    def source(self, source_id: str) -> dict[str, Any] | None:
        df = self.tables["sources"]
        hit = df[df["id"] == source_id]
        return None if hit.empty else cast(dict[str, Any], hit.iloc[0].to_dict())

    def system_descriptor(self, system_id: str) -> dict[str, Any] | None:
        df = self.tables["systems"]
        hit = df[df["system_id"] == system_id]
        return None if hit.empty else cast(dict[str, Any], hit.iloc[0].to_dict())

    def stockpile(self, state: str, year: int, metric: str) -> dict[str, Any] | None:
        df = self.tables["stockpiles"]
        hit = df[(df["state"] == state) & (df["year"] == year) & (df["metric"] == metric)]
        if hit.empty or pd.isna(hit.iloc[0]["value"]):
            return None
        return cast(dict[str, Any], hit.iloc[0].to_dict())

    def years(self, state: str | None = None) -> list[int]:
        df = self.tables["stockpiles"]
        if state is not None:
            df = df[df["state"] == state]
        return sorted(int(y) for y in df["year"].unique())

    def systems_wide(self, as_of: str | None = None) -> pd.DataFrame:
        """One row per (system, as_of) with a column per quantity (central values)."""
        figs = self.tables["system_figures"]
        if as_of is not None:
            figs = figs[figs["as_of"] == as_of]
        if figs.empty:
            return pd.DataFrame()
        wide = figs.pivot_table(
            index=["system_id", "as_of"], columns="quantity", values="value", aggfunc="first"
        ).reset_index()
        return wide.merge(self.tables["systems"], on="system_id", how="left")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{k}</td><td>{len(v)}</td></tr>" for k, v in self.tables.items())
        return (
            f"<p>tripolar dataset <code>{self.content_hash[:12]}</code></p>"
            f"<table><tr><th>table</th><th>rows</th></tr>{rows}</table>"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "content_hash": self.content_hash,
            "overlay": self.overlay,
            "rows": {k: len(v) for k, v in self.tables.items()},
        }


def _table_columns(table: str) -> list[str]:
    model, _ = TABLES[table]
    return [*model.model_fields, "_file", "_line"]


def _read_dir(directory: Path, *, required: bool) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    out: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for table in TABLES:
        p = directory / f"{table}.csv"
        if not p.exists():
            if required:
                raise InputError("dataset table missing", file=p, expected=f"{table}.csv")
            continue
        text = read_text_checked(p)
        out[table] = (text, _parse_csv(text, file=str(p), table=table))
    return out


def _merge(
    base: list[dict[str, Any]], over: list[dict[str, Any]], key: tuple[str, ...]
) -> list[dict[str, Any]]:
    index = {tuple(r[k] for k in key): i for i, r in enumerate(base)}
    merged = list(base)
    for r in over:
        k = tuple(r[c] for c in key)
        if k in index:
            merged[index[k]] = r
        else:
            index[k] = len(merged)
            merged.append(r)
    return merged


def dataset_signature(data_dir: str | Path | None = None) -> tuple[object, ...]:
    """What :func:`load_dataset` would read, as file metadata: per table file of the bundled
    directory and of ``data_dir``, its (size, modification time in ns, inode), or None where
    the file is missing. Cheap (one ``stat`` per file); a changed file changes it."""
    dirs = [bundled_dir()] if data_dir is None else [bundled_dir(), Path(data_dir)]
    out: list[object] = []
    for d in dirs:
        for table in TABLES:
            try:
                st = (d / f"{table}.csv").stat()
            except OSError:
                out.append(None)
            else:
                out.append((st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


@lru_cache(maxsize=8)
def _load_cached(overlay: str | None, signature: tuple[object, ...]) -> Dataset:
    del signature  # part of the cache key only: changed files are read again
    base = _read_dir(bundled_dir(), required=True)
    over: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    if overlay is not None:
        d = Path(overlay)
        if not d.is_dir():
            raise InputError(
                "data directory not found", file=d, expected="a directory of CSV tables"
            )
        over = _read_dir(d, required=False)
        if not over:
            raise InputError(
                "no dataset tables found",
                file=d,
                expected="one or more of " + ", ".join(f"{t}.csv" for t in TABLES),
            )
    h = hashlib.sha256()
    files: dict[str, str] = {}
    tables: dict[str, pd.DataFrame] = {}
    for table, (model, key) in TABLES.items():
        del model
        text, rows = base[table]
        h.update(table.encode() + b"\0" + text.encode())
        files[f"{table}.csv"] = hashlib.sha256(text.encode()).hexdigest()
        if table in over:
            otext, orows = over[table]
            h.update(b"overlay\0" + otext.encode())
            files[f"overlay/{table}.csv"] = hashlib.sha256(otext.encode()).hexdigest()
            rows = _merge(rows, orows, key)
        tables[table] = pd.DataFrame(rows, columns=_table_columns(table))
    return Dataset(tables=tables, content_hash=h.hexdigest(), files=files, overlay=overlay)


def load_dataset(data_dir: str | Path | None = None) -> Dataset:
    """Load and validate the bundled dataset, overlaid with ``data_dir`` if given.

    Results are cached per overlay directory and :func:`dataset_signature`: a process that
    keeps running (the web app, a notebook) reads the files again once one of them changed.
    """
    key = None if data_dir is None else str(Path(data_dir).resolve())
    return _load_cached(key, dataset_signature(key))
