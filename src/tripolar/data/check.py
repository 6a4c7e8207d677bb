"""Consistency checks of the dataset beyond row validation (``tripolar data check``).

Row-level rules (types, non-negative figures, ``low <= value <= high``, known states)
are enforced when the tables are loaded. The checks here look across rows and tables:

- every source id used by a figure resolves to ``sources.csv``;
- keys are unique within each table; every figure names a known system;
- stockpile identities hold within the stated bands: military stockpile = deployed
  strategic + deployed non-strategic + reserve, and total inventory = military
  stockpile + retired;
  (a state-year lacking a term of an identity is listed as a warning naming the missing
  metrics, so no year is skipped silently);
- leg sums: per state and year, the deployed warheads of the ICBM, SLBM and bomber legs
  add up to the state's deployed strategic warheads within the stated bands;
- assigned warheads: per state and year, the warheads assigned to its systems (per-system
  rows where given, else the leg row) fit in its military stockpile: the sum of the lows
  above the stockpile's high is an error, the sum of the central values above the central
  stockpile a warning;
- every nuclear-armed state has stockpile rows for 2024 and 2025.

A relative tolerance (default 2 %) absorbs the rounding of "about" figures (FAS writes
"~970" SLBM warheads); a difference beyond the bands plus the tolerance is an error.
Figures graded R (recalled, not checked against the publication) are counted and
reported as warnings, so a reader sees how much of the data is unverified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from tripolar.data.loader import STATE_CODES, Dataset
from tripolar.data.schema import TABLES

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding of the dataset check."""

    severity: Severity
    check: str
    message: str
    file: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.severity}: {where}: {self.message}" if where else self.message


@dataclass
class CheckReport:
    """All findings, with counts per check."""

    problems: list[Problem] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    grade_counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "grades": self.grade_counts,
            "checks": self.checks_run,
            "errors": [p.__dict__ for p in self.errors],
            "warnings": [p.__dict__ for p in self.warnings],
        }


def _band(row: pd.Series) -> tuple[float, float]:
    v = float(row["value"])
    lo = v if pd.isna(row.get("low")) else float(row["low"])
    hi = v if pd.isna(row.get("high")) else float(row["high"])
    return lo, hi


def _overlap(a: tuple[float, float], b: tuple[float, float], tol: float) -> bool:
    scale = max(abs(a[1]), abs(b[1]), 1.0)
    return a[0] <= b[1] + tol * scale and b[0] <= a[1] + tol * scale


def _check_sources(ds: Dataset, rep: CheckReport) -> None:
    known = set(ds.tables["sources"]["id"])
    for table in ("stockpiles", "system_figures", "targets", "newstart_exchanges", "systems"):
        df = ds.tables[table]
        for _, r in df.iterrows():
            for sid in r["source_ids"] or []:
                if sid not in known:
                    rep.problems.append(
                        Problem(
                            "error",
                            "sources resolve",
                            f"source id {sid} not in sources.csv",
                            r["_file"],
                            int(r["_line"]),
                        )
                    )


def _check_keys(ds: Dataset, rep: CheckReport) -> None:
    for table, (_model, key) in TABLES.items():
        df = ds.tables[table]
        if df.empty:
            continue
        dup = df[df.duplicated(subset=list(key), keep="first")]
        for _, r in dup.iterrows():
            rep.problems.append(
                Problem(
                    "error",
                    "unique keys",
                    f"duplicate key {tuple(r[k] for k in key)} in {table}",
                    r["_file"],
                    int(r["_line"]),
                )
            )
    systems = set(ds.tables["systems"]["system_id"])
    for _, r in ds.tables["system_figures"].iterrows():
        if r["system_id"] not in systems:
            rep.problems.append(
                Problem(
                    "error",
                    "known systems",
                    f"figure for unknown system {r['system_id']!r}",
                    r["_file"],
                    int(r["_line"]),
                )
            )


def _stock(ds: Dataset, state: str, year: int) -> dict[str, pd.Series]:
    df = ds.tables["stockpiles"]
    sub = df[(df["state"] == state) & (df["year"] == year) & df["value"].notna()]
    return {str(r["metric"]): r for _, r in sub.iterrows()}


_MILITARY_PARTS = ("deployed_strategic", "deployed_nonstrategic", "reserve")
_IDENTITIES: dict[str, tuple[str, ...]] = {
    "military stockpile = deployed strategic + deployed non-strategic + reserve": (
        "military_stockpile",
        *_MILITARY_PARTS,
    ),
    "total inventory = military stockpile + retired": (
        "total_inventory",
        "military_stockpile",
        "retired",
    ),
}


def _unchecked_identities(ds: Dataset, rep: CheckReport) -> None:
    """One warning per state and identity listing the years it could not be checked."""
    df = ds.tables["stockpiles"]
    years: dict[tuple[str, str, tuple[str, ...]], list[int]] = {}
    for key, _ in df.groupby(["state", "year"]):
        state, year = str(key[0]), int(str(key[1]))
        m = _stock(ds, state, year)
        for identity, terms in _IDENTITIES.items():
            missing = tuple(t for t in terms if t not in m)
            if missing:
                years.setdefault((state, identity, missing), []).append(year)
    for (state, identity, missing), ys in sorted(years.items(), key=lambda kv: (kv[0][0], kv[1])):
        listed = ", ".join(str(y) for y in sorted(ys))
        rep.problems.append(
            Problem(
                "warning",
                "stockpile identity not checked",
                f"{state} {listed}: {identity} not checked, missing {', '.join(missing)}",
                "stockpiles.csv",
            )
        )


def _check_identities(ds: Dataset, rep: CheckReport, tol: float) -> None:
    df = ds.tables["stockpiles"]
    for key, _ in df.groupby(["state", "year"]):
        state, year = key
        m = _stock(ds, str(state), int(str(year)))
        parts = _MILITARY_PARTS
        if "military_stockpile" in m and all(p in m for p in parts):
            lo = sum(_band(m[p])[0] for p in parts)
            hi = sum(_band(m[p])[1] for p in parts)
            if not _overlap((lo, hi), _band(m["military_stockpile"]), tol):
                r = m["military_stockpile"]
                rep.problems.append(
                    Problem(
                        "error",
                        "stockpile identity",
                        f"{state} {year}: deployed + reserve = {lo:g}-{hi:g} but military "
                        f"stockpile = {r['value']:g}",
                        r["_file"],
                        int(r["_line"]),
                    )
                )
        if "total_inventory" in m and "military_stockpile" in m and "retired" in m:
            a, b = _band(m["military_stockpile"]), _band(m["retired"])
            if not _overlap((a[0] + b[0], a[1] + b[1]), _band(m["total_inventory"]), tol):
                r = m["total_inventory"]
                rep.problems.append(
                    Problem(
                        "error",
                        "stockpile identity",
                        f"{state} {year}: military stockpile + retired = {a[0] + b[0]:g}-"
                        f"{a[1] + b[1]:g} but total inventory = {r['value']:g}",
                        r["_file"],
                        int(r["_line"]),
                    )
                )


def leg_deployed_warheads(ds: Dataset, state: str, as_of: str) -> dict[str, tuple[float, float]]:
    """Deployed warheads per strategic leg: system rows where given, else the leg row."""
    figs = ds.tables["system_figures"]
    systems = ds.tables["systems"]
    f = figs[
        (figs["as_of"] == as_of) & (figs["quantity"] == "warheads_deployed") & figs["value"].notna()
    ].merge(systems[["system_id", "state", "category", "level"]], on="system_id")
    f = f[f["state"] == state]
    out: dict[str, tuple[float, float]] = {}
    for cat in ("icbm", "slbm", "bomber"):
        sub = f[f["category"] == cat]
        sys_rows = sub[sub["level"] == "system"]
        use = sys_rows if not sys_rows.empty else sub[sub["level"] == "leg"]
        if use.empty:
            continue
        bands = [_band(r) for _, r in use.iterrows()]
        out[cat] = (sum(b[0] for b in bands), sum(b[1] for b in bands))
    return out


def _check_leg_sums(ds: Dataset, rep: CheckReport, tol: float) -> None:
    figs = ds.tables["system_figures"]
    years = sorted({a for a in figs["as_of"].unique() if len(str(a)) == 4})
    for state in STATE_CODES:
        for as_of in years:
            legs = leg_deployed_warheads(ds, state, as_of)
            if len(legs) < 1:
                continue
            m = _stock(ds, state, int(as_of))
            if "deployed_strategic" not in m:
                continue
            lo = sum(b[0] for b in legs.values())
            hi = sum(b[1] for b in legs.values())
            total = _band(m["deployed_strategic"])
            if len(legs) == 3 and not _overlap((lo, hi), total, tol):
                r = m["deployed_strategic"]
                rep.problems.append(
                    Problem(
                        "error",
                        "leg sums",
                        f"{state} {as_of}: ICBM + SLBM + bomber deployed warheads = "
                        f"{lo:g}-{hi:g}, deployed strategic = {total[0]:g}-{total[1]:g}",
                        r["_file"],
                        int(r["_line"]),
                    )
                )
            elif lo > total[1] * (1 + tol):
                r = m["deployed_strategic"]
                rep.problems.append(
                    Problem(
                        "error",
                        "leg sums",
                        f"{state} {as_of}: legs alone give {lo:g} deployed warheads, above the "
                        f"total {total[1]:g}",
                        r["_file"],
                        int(r["_line"]),
                    )
                )


def assigned_warheads(ds: Dataset, state: str, as_of: str) -> dict[str, tuple[float, float, float]]:
    """Warheads assigned per category (low, value, high): system rows where given, else the
    leg row, as in :func:`leg_deployed_warheads`."""
    figs = ds.tables["system_figures"]
    systems = ds.tables["systems"]
    f = figs[
        (figs["as_of"] == as_of) & (figs["quantity"] == "warheads_assigned") & figs["value"].notna()
    ].merge(systems[["system_id", "state", "category", "level"]], on="system_id")
    f = f[f["state"] == state]
    out: dict[str, tuple[float, float, float]] = {}
    for cat in ("icbm", "slbm", "bomber", "nonstrategic"):
        sub = f[f["category"] == cat]
        sys_rows = sub[sub["level"] == "system"]
        use = sys_rows if not sys_rows.empty else sub[sub["level"] == "leg"]
        if use.empty:
            continue
        bands = [_band(r) for _, r in use.iterrows()]
        out[cat] = (
            sum(b[0] for b in bands),
            float(use["value"].sum()),
            sum(b[1] for b in bands),
        )
    return out


def _check_assigned(ds: Dataset, rep: CheckReport, tol: float) -> None:
    figs = ds.tables["system_figures"]
    years = sorted({a for a in figs["as_of"].unique() if len(str(a)) == 4})
    for state in STATE_CODES:
        for as_of in years:
            cats = assigned_warheads(ds, state, as_of)
            m = _stock(ds, state, int(as_of))
            if not cats or "military_stockpile" not in m:
                continue
            r = m["military_stockpile"]
            hi_s = _band(r)[1]
            lo = sum(c[0] for c in cats.values())
            mid = sum(c[1] for c in cats.values())
            parts = ", ".join(f"{k} {v[1]:g}" for k, v in cats.items())
            if lo > hi_s * (1 + tol):
                rep.problems.append(
                    Problem(
                        "error",
                        "assigned warheads",
                        f"{state} {as_of}: warheads assigned to systems are at least {lo:g} "
                        f"({parts}), above the military stockpile {hi_s:g}",
                        r["_file"],
                        int(r["_line"]),
                    )
                )
            elif mid > float(r["value"]) * (1 + tol):
                rep.problems.append(
                    Problem(
                        "warning",
                        "assigned warheads",
                        f"{state} {as_of}: central values of the warheads assigned to systems sum "
                        f"to {mid:g} ({parts}), above the military stockpile {r['value']:g}",
                        r["_file"],
                        int(r["_line"]),
                    )
                )


def _check_coverage(ds: Dataset, rep: CheckReport) -> None:
    df = ds.tables["stockpiles"]
    for state in STATE_CODES:
        for year in (2024, 2025):
            if df[(df["state"] == state) & (df["year"] == year)].empty:
                rep.problems.append(
                    Problem(
                        "error",
                        "coverage",
                        f"no stockpile rows for {state} {year}",
                        "stockpiles.csv",
                    )
                )


def _grades(ds: Dataset, rep: CheckReport) -> None:
    counts: dict[str, int] = {}
    for table in ("stockpiles", "system_figures", "targets", "newstart_exchanges"):
        df = ds.tables[table]
        df = df[df["value"].notna()]
        for g, n in df["grade"].value_counts().items():
            counts[str(g)] = counts.get(str(g), 0) + int(n)
    rep.grade_counts = dict(sorted(counts.items()))
    n_r = counts.get("R", 0)
    if n_r:
        rep.problems.append(
            Problem(
                "warning",
                "unverified figures",
                f"{n_r} figures are graded R (recalled from a publication, text not checked); "
                "list them with `tripolar forces --grade R`",
            )
        )


def check_dataset(ds: Dataset | None = None, *, tolerance: float = 0.02) -> CheckReport:
    """Run every cross-table check on ``ds`` (default: the bundled dataset) and return the
    findings."""
    if ds is None:
        from tripolar.data.loader import load_dataset

        ds = load_dataset()
    rep = CheckReport(rows={k: len(v) for k, v in ds.tables.items()})
    for name, fn in (
        ("sources resolve", lambda: _check_sources(ds, rep)),
        ("unique keys and known systems", lambda: _check_keys(ds, rep)),
        ("stockpile identities", lambda: _check_identities(ds, rep, tolerance)),
        ("stockpile identities not checkable", lambda: _unchecked_identities(ds, rep)),
        ("leg sums", lambda: _check_leg_sums(ds, rep, tolerance)),
        ("assigned warheads within the stockpile", lambda: _check_assigned(ds, rep, tolerance)),
        ("coverage 2024-2025", lambda: _check_coverage(ds, rep)),
        ("grades", lambda: _grades(ds, rep)),
    ):
        fn()
        rep.checks_run.append(name)
    return rep
