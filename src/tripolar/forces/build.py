"""Building a party's posture from the dataset: per-system figures, leg totals, aggregates.

Where only leg totals are public (Russia, China) the posture uses leg holdings, carries
figures forward from the latest estimate, and falls back to party-level aggregates (the last
declared New START data or the FAS/SIPRI deployed figure); every derivation is listed in the
posture's ``notes``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tripolar.errors import InputError

#: ISO-like codes of the nine nuclear-armed states, as used throughout tripolar.
from tripolar.forces.records import (
    CATEGORIES,
    STATE_NAMES,
    AggregateFigure,
    Posture,
    StockpileFigures,
    SystemHolding,
    check_state,
)
from tripolar.ranges import ZERO, Range

_QTY_FIELDS = {
    "launchers_deployed": "deployed_launchers",
    "warheads_deployed": "warheads_loaded",
    "launchers_nondeployed": "nondeployed_launchers",
    "launchers_test": "test_launchers",
    "bombers_converted": "converted_launchers",
    "missiles_nondeployed": "nondeployed_missiles",
    "warheads_per_launcher_max": "warheads_per_launcher_max",
    "yield_kt": "yield_kt",
    "cep_m": "cep_m",
}


def _row_range(row: Mapping[Any, Any]) -> Range:
    v = float(row["value"])
    lo = row.get("low")
    hi = row.get("high")
    lo_f = v if lo is None or (isinstance(lo, float) and math.isnan(lo)) else float(lo)
    hi_f = v if hi is None or (isinstance(hi, float) and math.isnan(hi)) else float(hi)
    return Range(value=v, low=lo_f, high=hi_f)


def _holding_from_figures(
    desc: Mapping[Any, Any], figs: Mapping[str, Mapping[Any, Any]]
) -> tuple[SystemHolding, list[str]]:
    """Build one holding from a system's figures; unknown figures stay ``None``."""
    vals: dict[str, Range | None] = {}
    sources: set[str] = set()
    notes: list[str] = []
    for qty, fname in _QTY_FIELDS.items():
        if qty in figs:
            vals[fname] = _row_range(figs[qty])
            sources.update(figs[qty]["source_ids"] or [])
    deployed = vals.get("deployed_launchers")
    if vals.get("nondeployed_launchers") is None and "launchers_total" in figs and deployed:
        total = _row_range(figs["launchers_total"])
        vals["nondeployed_launchers"] = (total - deployed).clip_min(0.0)
        sources.update(figs["launchers_total"]["source_ids"] or [])
        notes.append(f"{desc['system_id']}: non-deployed launchers = total - deployed (derived)")
    if vals.get("warheads_loaded") is None and deployed and "warheads_per_launcher_loaded" in figs:
        vals["warheads_loaded"] = deployed.times(_row_range(figs["warheads_per_launcher_loaded"]))
        notes.append(
            f"{desc['system_id']}: warheads loaded = deployed launchers x warheads per launcher "
            "as loaded (derived)"
        )
    holding = SystemHolding(
        system_id=str(desc["system_id"]),
        name=str(desc.get("name") or ""),
        category=desc["category"],
        basing=str(desc.get("basing") or ""),
        heavy=bool(desc.get("heavy")),
        level=desc.get("level") or "system",
        deployed_launchers=vals.get("deployed_launchers"),
        warheads_loaded=vals.get("warheads_loaded"),
        nondeployed_launchers=vals.get("nondeployed_launchers"),
        test_launchers=vals.get("test_launchers") or ZERO,
        converted_launchers=vals.get("converted_launchers") or ZERO,
        nondeployed_missiles=vals.get("nondeployed_missiles") or ZERO,
        warheads_per_launcher_max=vals.get("warheads_per_launcher_max"),
        yield_kt=vals.get("yield_kt"),
        cep_m=vals.get("cep_m"),
        sources=sorted(sources),
        note=str(desc.get("note") or ""),
    )
    return holding, notes


_LEG_FIELDS = ("deployed_launchers", "warheads_loaded", "nondeployed_launchers")


@dataclass(frozen=True)
class _DatasetIndex:
    """The dataset's rows that postures are built from, as plain records grouped by key.

    Built once per dataset content hash (:data:`_INDEXES`): a posture then costs a few dict
    look-ups instead of a dozen pandas filters. Records are read, never modified.
    """

    systems: dict[str, list[dict[str, Any]]]  # state -> its systems, in table order
    figures: dict[str, list[dict[str, Any]]]  # system_id -> annual rows with a value
    years: dict[str, set[str]]  # system_id -> annual ``as_of`` of any of its rows
    stockpiles: dict[tuple[str, int], list[dict[str, Any]]]  # (state, year) -> rows with a value
    exchanges: dict[str, list[dict[str, Any]]]  # party -> New START rows with a value


#: Indexes by dataset content hash; a changed dataset has a new hash, so an index never
#: outlives its data. A handful of datasets per process at most (bundled plus overlays).
_INDEXES: dict[str, _DatasetIndex] = {}
_MAX_INDEXES = 8


def _has_value(rec: Mapping[Any, Any]) -> bool:
    v = rec.get("value")
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _annual(as_of: Any) -> bool:
    return len(str(as_of)) == 4


def _dataset_index(ds: Any) -> _DatasetIndex:
    idx = _INDEXES.get(ds.content_hash)
    if idx is not None:
        return idx
    systems: dict[str, list[dict[str, Any]]] = {}
    for rec in ds.tables["systems"].to_dict("records"):
        systems.setdefault(str(rec["state"]), []).append(rec)
    figures: dict[str, list[dict[str, Any]]] = {}
    years: dict[str, set[str]] = {}
    for rec in ds.tables["system_figures"].to_dict("records"):
        if not _annual(rec["as_of"]):
            continue
        sid = str(rec["system_id"])
        years.setdefault(sid, set()).add(str(rec["as_of"]))
        if _has_value(rec):
            figures.setdefault(sid, []).append(rec)
    stockpiles: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for rec in ds.tables["stockpiles"].to_dict("records"):
        if _has_value(rec):
            stockpiles.setdefault((str(rec["state"]), int(rec["year"])), []).append(rec)
    exchanges: dict[str, list[dict[str, Any]]] = {}
    for rec in ds.tables["newstart_exchanges"].to_dict("records"):
        if _has_value(rec):
            exchanges.setdefault(str(rec["party"]), []).append(rec)
    idx = _DatasetIndex(systems, figures, years, stockpiles, exchanges)
    if len(_INDEXES) >= _MAX_INDEXES:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[ds.content_hash] = idx
    return idx


def build_posture(state: str, year: int = 2025, *, data_dir: str | Path | None = None) -> Posture:
    """The posture of ``state`` in ``year`` from the dataset's annual estimates.

    Per category (ICBM, SLBM, bomber, non-strategic) the per-system rows are used where
    they exist. Where only a leg total is public (Russia and China, for most figures),
    the leg row supplies what the system rows lack, as a holding of ``level="leg"``; the
    posture's ``notes`` say so. A figure that neither gives stays ``None`` (unknown).
    Stockpile figures come from the ``stockpiles`` table of the same year.
    """
    from tripolar.data import load_dataset

    code = check_state(state)
    ds = load_dataset(data_dir)
    idx = _dataset_index(ds)
    as_of = str(int(year))
    state_systems = idx.systems.get(code, [])
    annual = [r for d in state_systems for r in idx.figures.get(str(d["system_id"]), [])]
    if not any(str(r["as_of"]) == as_of for r in annual):
        available = sorted(
            {a for d in state_systems for a in idx.years.get(str(d["system_id"]), set())}
        )
        raise InputError(
            f"no system figures for {code} in {as_of}",
            field="year",
            expected="one of " + (", ".join(available) or "(none)"),
        )
    by_system: dict[str, dict[str, Mapping[Any, Any]]] = {}
    notes: list[str] = []
    # the latest annual estimate at or before the year, per system and quantity (the table
    # key is system, as_of, quantity, so the order among equal years does not matter)
    earlier = sorted(
        (r for r in annual if int(r["as_of"]) <= int(year)), key=lambda r: str(r["as_of"])
    )
    rec: Mapping[Any, Any]
    for rec in earlier:
        by_system.setdefault(str(rec["system_id"]), {})[str(rec["quantity"])] = rec
    for sid, q in sorted(by_system.items()):
        for qty, rec in sorted(q.items()):
            if str(rec["as_of"]) != as_of and qty in _QTY_FIELDS | {"launchers_total": ""}:
                notes.append(f"{sid}: {qty} carried forward from {rec['as_of']} (latest estimate)")
    holdings: list[SystemHolding] = []
    all_sources: set[str] = set()
    for cat in CATEGORIES:
        descs = [d for d in state_systems if d["category"] == cat]
        sys_h: list[SystemHolding] = []
        leg_h: list[SystemHolding] = []
        for desc in descs:
            sid = str(desc["system_id"])
            if sid not in by_system:
                continue
            h, n = _holding_from_figures(desc, by_system[sid])
            notes.extend(n)
            all_sources.update(h.sources)
            (leg_h if h.level == "leg" else sys_h).append(h)
        if not sys_h:
            holdings.extend(leg_h)
            for h in leg_h:
                notes.append(
                    f"{code} {cat}: leg totals only ({h.system_id}); per-system split not public"
                )
            continue
        # System rows first. Where some systems lack a figure and a leg row has it, the
        # leg total minus the known systems is kept on a leg holding (the remainder), and
        # the systems without the figure count zero for it.
        remainder: dict[str, Range] = {}
        for fname in _LEG_FIELDS:
            unknown = [h for h in sys_h if getattr(h, fname) is None]
            if not unknown:
                continue
            leg_val = next(
                (getattr(lh, fname) for lh in leg_h if getattr(lh, fname) is not None), None
            )
            if leg_val is None:
                continue
            known_sum = ZERO
            for h in sys_h:
                v = getattr(h, fname)
                if v is not None:
                    known_sum = known_sum + v
            for h in unknown:
                setattr(h, fname, ZERO)
            remainder[fname] = (leg_val - known_sum).clip_min(0.0)
            notes.append(
                f"{code} {cat}: {fname} of "
                + ", ".join(h.system_id for h in unknown)
                + " not public; the leg total less the known systems is kept on the leg"
            )
        holdings.extend(sys_h)
        if remainder:
            lh = leg_h[0]
            holdings.append(
                lh.model_copy(update={fname: remainder.get(fname, ZERO) for fname in _LEG_FIELDS})
            )
    stock = StockpileFigures()
    stock_vals: dict[str, Range] = {}
    stock_sources: set[str] = set()
    for rec in idx.stockpiles.get((code, int(year)), []):
        metric = str(rec["metric"])
        if metric in StockpileFigures.model_fields:
            stock_vals[metric] = _row_range(rec)
            stock_sources.update(rec["source_ids"] or [])
    if stock_vals:
        stock = StockpileFigures(**stock_vals, sources=sorted(stock_sources))
    aggregates = _aggregates(idx, code, int(year), stock)
    return Posture(
        party=code,
        date=dt.date(int(year), 1, 1),
        aggregates=aggregates,
        description=f"{STATE_NAMES[code]}, early {year}: dataset estimates (FAS/SIPRI and others)",
        systems=holdings,
        stockpile=stock,
        sources=sorted(all_sources | stock_sources),
        notes=notes,
    )


_EXCHANGE_QTY = {
    "warheads": "deployed_warheads",
    "deployed_launchers": "deployed_launchers",
    "total_launchers": "total_launchers",
}


def _aggregates(
    idx: _DatasetIndex, code: str, year: int, stock: StockpileFigures
) -> list[AggregateFigure]:
    """Party-level fallbacks: the latest declared New START aggregate up to ``year``, and
    the FAS/SIPRI deployed strategic warheads of ``year``."""
    out: list[AggregateFigure] = []
    end = f"{year}-12-31"
    ex = [r for r in idx.exchanges.get(code, []) if str(r["date"]) <= end]
    for qty, name in _EXCHANGE_QTY.items():
        rows = [r for r in ex if r["quantity"] == qty]
        if not rows:
            continue
        # the latest declaration (the table key is date, party, quantity)
        rec = max(rows, key=lambda r: str(r["date"]))
        out.append(
            AggregateFigure(
                quantity=name,
                value=Range.exact(float(rec["value"])),
                rule="new_start",
                as_of=dt.date.fromisoformat(str(rec["date"])),
                sources=list(rec["source_ids"]),
                grade=str(rec["grade"]),
                note=f"last declared New START aggregate ({rec['date']}, grade {rec['grade']})",
            )
        )
    if stock.deployed_strategic is not None:
        out.append(
            AggregateFigure(
                quantity="deployed_warheads",
                value=stock.deployed_strategic,
                rule="fas_deployed",
                as_of=dt.date(year, 1, 1),
                sources=list(stock.sources),
                note="FAS/SIPRI estimate of deployed strategic warheads (bomber weapons at bases "
                "counted as deployed)",
            )
        )
    return out
