"""The dataset's figure for a state, metric and year, with its band and sources.

Warhead metrics come from the ``stockpiles`` table (one row per state, year and metric).
Launchers and ICBMs are sums over the per-system holdings of
:func:`tripolar.forces.build_posture`; SSBNs are the ``boats`` rows of
``system_figures``; silos are the ``aim_points`` of the silo fields in ``targets``. A
figure that the data does not hold is returned as a reason, never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, cast

from tripolar.claims import lexicon as lx
from tripolar.data.loader import Dataset

_DERIVED_STOCK = {"deployed_warheads": ("deployed_strategic", "deployed_nonstrategic")}
HIGH_ALERT_REASON = (
    "the dataset has no per-state count of warheads on high alert (SIPRI's world figure, "
    "~2,100 in January 2025, is kept only in a note of the WORLD 2025 row)"
)


@dataclass(frozen=True)
class Figure:
    """One dataset figure: central value, band, year and provenance."""

    state: str
    metric: str
    year: int
    value: float
    low: float
    high: float
    source_ids: tuple[str, ...]
    grade: str
    derivation: str = ""
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "metric": self.metric,
            "year": self.year,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "source_ids": list(self.source_ids),
            "grade": self.grade,
            "derivation": self.derivation,
        }


def _num(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def _band(rec: dict[str, Any]) -> tuple[float, float, float]:
    v = float(rec["value"])
    lo = _num(rec.get("low"))
    hi = _num(rec.get("high"))
    return v, v if lo is None else lo, v if hi is None else hi


def _records(df: Any) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], df.to_dict("records"))


_GRADE_ORDER = "ABRC"


def _worst(grades: list[str]) -> str:
    known = [g for g in grades if g in _GRADE_ORDER]
    return max(known, key=_GRADE_ORDER.index) if known else "—"


class Figures:
    """Look-ups over one dataset, cached per (state, metric, year)."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self._cache: dict[tuple[str, str, int], Figure | str] = {}
        sp = ds.tables["stockpiles"]
        self._stock: dict[tuple[str, str, int], dict[str, Any]] = {}
        for rec in _records(sp):
            if _num(rec.get("value")) is not None:
                self._stock[(str(rec["state"]), str(rec["metric"]), int(rec["year"]))] = rec
        records = _records
        self._systems = {str(r["system_id"]): r for r in records(ds.tables["systems"])}
        self._sysfig = records(ds.tables["system_figures"])

    # -- years -----------------------------------------------------------------------------
    def years(self, state: str, metric: str) -> list[int]:
        """Years for which the dataset can give ``metric`` for ``state``, ascending."""
        if "+" in state:
            sets = [set(self.years(p, metric)) for p in state.split("+")]
            return sorted(set.intersection(*sets))
        if metric in lx.WARHEAD_METRICS:
            if metric == "deployed_warheads":
                return sorted(
                    {y for (s, m, y) in self._stock if s == state and m == "deployed_strategic"}
                )
            return sorted({y for (s, m, y) in self._stock if s == state and m == metric})
        if metric in ("deployed_launchers", "icbms", "ssbns"):
            ys = {
                int(r["as_of"])
                for r in self._sysfig
                if len(str(r["as_of"])) == 4
                and self._systems.get(str(r["system_id"]), {}).get("state") == state
            }
            return sorted(ys)
        if metric == "silos":
            return [self.latest_year()]
        return []

    def latest_year(self) -> int:
        """The latest year of the per-state estimates."""
        return max(y for (s, _m, y) in self._stock if s != "WORLD")

    def horizon(self) -> int:
        """The latest year of any estimate (the world total may run a year ahead)."""
        return max(y for (_s, _m, y) in self._stock)

    # -- figures ---------------------------------------------------------------------------
    def figure(self, state: str, metric: str, year: int) -> Figure | str:
        """The figure, or a one-line reason why the dataset cannot give it."""
        key = (state, metric, year)
        if key not in self._cache:
            self._cache[key] = self._figure(state, metric, year)
        return self._cache[key]

    def _figure(self, state: str, metric: str, year: int) -> Figure | str:
        if "+" in state:
            return self._sum(state, metric, year)
        label = lx.STATE_LABELS.get(state, state)
        if metric == "high_alert":
            return HIGH_ALERT_REASON
        if metric in lx.WARHEAD_METRICS:
            parts = _DERIVED_STOCK.get(metric, (metric,))
            if (
                metric == "deployed_warheads"
                and (state, "deployed_nonstrategic", year) not in self._stock
            ):
                # no separate non-strategic row (China, Britain, France): all deployed
                # warheads are in the strategic figure
                parts = ("deployed_strategic",)
            recs = [self._stock.get((state, p, year)) for p in parts]
            if any(r is None for r in recs):
                return f"the dataset has no {lx.METRIC_LABELS[metric]} figure for {label} in {year}"
            bands = [_band(r) for r in recs if r is not None]
            ids = sorted({i for r in recs if r is not None for i in (r["source_ids"] or [])})
            return Figure(
                state,
                metric,
                year,
                sum(b[0] for b in bands),
                sum(b[1] for b in bands),
                sum(b[2] for b in bands),
                tuple(ids),
                _worst([str(r["grade"]) for r in recs if r is not None]),
                " + ".join(parts) if metric == "deployed_warheads" else "",
            )
        if state == "WORLD":
            return f"the dataset has no world total of {lx.METRIC_LABELS[metric]}"
        if metric in ("deployed_launchers", "icbms"):
            return self._launchers(state, metric, year)
        if metric == "ssbns":
            return self._boats(state, year)
        if metric == "silos":
            return self._silos(state, year)
        return f"no dataset metric for {metric}"

    def _sum(self, state: str, metric: str, year: int) -> Figure | str:
        parts = [self.figure(p, metric, year) for p in state.split("+")]
        for f in parts:
            if isinstance(f, str):
                return f
        figs = [f for f in parts if isinstance(f, Figure)]
        return Figure(
            state,
            metric,
            year,
            sum(f.value for f in figs),
            sum(f.low for f in figs),
            sum(f.high for f in figs),
            tuple(sorted({i for f in figs for i in f.source_ids})),
            _worst([f.grade for f in figs]),
            "sum of " + ", ".join(state.split("+")),
        )

    def _launchers(self, state: str, metric: str, year: int) -> Figure | str:
        from tripolar.errors import InputError
        from tripolar.forces import build_posture

        label = lx.STATE_LABELS[state]
        try:
            posture = build_posture(state, year)
        except InputError:
            return f"the dataset has no system figures for {label} in {year}"
        cats = ("icbm",) if metric == "icbms" else ("icbm", "slbm", "bomber")
        held = [h for h in posture.systems if h.category in cats]
        if not held:
            return f"the dataset lists no {lx.METRIC_LABELS[metric]} for {label}"
        unknown = [h.system_id for h in held if h.deployed_launchers is None]
        if unknown:
            return (
                f"deployed launchers of {', '.join(unknown)} are not in the dataset, so "
                f"{label}'s {lx.METRIC_LABELS[metric]} cannot be summed"
            )
        v = lo = hi = 0.0
        ids: set[str] = set()
        grades: list[str] = []
        for h in held:
            r = h.deployed_launchers
            assert r is not None
            v, lo, hi = v + r.value, lo + r.low, hi + r.high
            # provenance of the launcher count itself, not of the system's other figures
            rows = [
                f
                for f in self._sysfig
                if f["system_id"] == h.system_id
                and f["quantity"] == "launchers_deployed"
                and len(str(f["as_of"])) == 4
                and int(f["as_of"]) <= year
                and _num(f["value"]) is not None
            ]
            if rows:
                row = max(rows, key=lambda f: str(f["as_of"]))
                ids.update(row["source_ids"] or [])
                grades.append(str(row["grade"]))
        carried = tuple(n for n in posture.notes if "carried forward" in n)
        return Figure(
            state,
            metric,
            year,
            v,
            lo,
            hi,
            tuple(sorted(ids)),
            _worst(grades),
            "sum of deployed launchers per system (build_posture"
            + (", figures carried forward from earlier estimates)" if carried else ")"),
            carried,
        )

    def _boats(self, state: str, year: int) -> Figure | str:
        label = lx.STATE_LABELS[state]
        latest: dict[str, dict[str, Any]] = {}
        for r in self._sysfig:
            desc = self._systems.get(str(r["system_id"]))
            if desc is None or desc["state"] != state or r["quantity"] != "boats":
                continue
            if len(str(r["as_of"])) != 4 or int(r["as_of"]) > year or _num(r["value"]) is None:
                continue
            sid = str(r["system_id"])
            if sid not in latest or str(r["as_of"]) > str(latest[sid]["as_of"]):
                latest[sid] = r
        if not latest:
            return f"the dataset has no SSBN count for {label} up to {year}"
        system_rows = [r for s, r in latest.items() if self._systems[s].get("level") != "leg"]
        rows = system_rows or list(latest.values())
        as_of = sorted({str(r["as_of"]) for r in rows})
        return _summed(
            state,
            "ssbns",
            year,
            rows,
            "boats per class (system_figures, as of " + ", ".join(as_of) + ")",
        )

    def _silos(self, state: str, year: int) -> Figure | str:
        label = lx.STATE_LABELS[state]
        tg = self.ds.tables["targets"]
        rows = [
            r
            for r in _records(tg)
            if r["state"] == state
            and r["target_type"] == "silo_field"
            and r["quantity"] == "aim_points"
            and "training" not in str(r["name"]).lower()
        ]
        if not rows:
            return f"the dataset lists no ICBM silo fields for {label}"
        missing = [str(r["target_id"]) for r in rows if _num(r["value"]) is None]
        if missing:
            return f"silo counts of {', '.join(missing)} are not in the dataset"
        return _summed(
            state,
            "silos",
            year,
            rows,
            "sum of silo-field aim points (targets; training silos left out; no year)",
        )


def _summed(state: str, metric: str, year: int, rows: list[Any], basis: str) -> Figure:
    """A figure that adds up ``rows`` (value, low, high), with their sources and worst grade."""
    bands = [_band(r) for r in rows]
    ids = sorted({i for r in rows for i in (r["source_ids"] or [])})
    return Figure(
        state,
        metric,
        year,
        sum(b[0] for b in bands),
        sum(b[1] for b in bands),
        sum(b[2] for b in bands),
        tuple(ids),
        _worst([str(r["grade"]) for r in rows]),
        basis,
    )
