"""Postures: one party's forces on a date, in the terms treaties count.

A :class:`Posture` lists, per delivery system, the deployed launchers with the warheads
loaded on them, the non-deployed, test and converted launchers, the non-deployed
missiles, and optionally the party's stockpile figures. It is what a treaty counts
(:mod:`tripolar.treaty.counting`) and what the exchange models target.

Conventions (New START's definitions, Protocol Part One, as summarised by the State
Department fact sheet of 2 Aug 2010 [S14] and CRS R41219 [S15]):

- A *launcher* is an ICBM silo or mobile launcher, an SLBM launch tube, or a heavy bomber.
- A *deployed* launcher contains a missile (bombers: any nuclear-equipped heavy bomber
  that is not a test bomber or at a repair or production facility).
- *Non-deployed* launchers are empty silos and tubes, launchers in maintenance, and test
  and training launchers; ``test_launchers`` is the part of ``nondeployed_launchers`` that
  is for test or training (a subset, shown separately, not added again).
- *Converted* launchers (tubes deactivated, bombers converted to conventional-only) are no
  longer accountable; they matter for upload (reconversion).
- ``warheads_loaded`` is the number of reentry vehicles actually emplaced on the deployed
  missiles of the system, or for bombers the weapons assigned to the deployed bombers
  (FAS counts bomber weapons stored at bomber bases as deployed).

Every figure is a :class:`tripolar.ranges.Range`. A figure that is not public is ``None``;
counts that need it are then reported as unknown rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tripolar.errors import InputError, from_validation_error
from tripolar.io_yaml import load_yaml_file
from tripolar.ranges import ZERO, Range

#: ISO-like codes of the nine nuclear-armed states, as used throughout tripolar.
STATES: tuple[str, ...] = ("US", "RU", "CN", "GB", "FR", "IN", "PK", "IL", "KP")
STATE_NAMES: dict[str, str] = {
    "US": "United States",
    "RU": "Russia",
    "CN": "China",
    "GB": "United Kingdom",
    "FR": "France",
    "IN": "India",
    "PK": "Pakistan",
    "IL": "Israel",
    "KP": "North Korea",
}

Category = Literal["icbm", "slbm", "bomber", "nonstrategic"]
CATEGORIES: tuple[str, ...] = ("icbm", "slbm", "bomber", "nonstrategic")
STRATEGIC_CATEGORIES: tuple[str, ...] = ("icbm", "slbm", "bomber")


def check_state(code: str, *, file: str | None = None, field: str = "state") -> str:
    """Return the upper-cased state code or raise :class:`InputError`."""
    up = str(code).strip().upper()
    if up not in STATES:
        raise InputError(
            f"unknown state {code!r}",
            file=file,
            field=field,
            expected="one of " + ", ".join(STATES),
        )
    return up


_BOMBER_ALIASES = {
    "deployed_bombers": "deployed_launchers",
    "nondeployed_bombers": "nondeployed_launchers",
    "test_bombers": "test_launchers",
    "converted_bombers": "converted_launchers",
    "weapons_loaded": "warheads_loaded",
}


class SystemHolding(BaseModel):
    """One delivery system (or one leg, where only leg totals are public) in a posture."""

    model_config = ConfigDict(extra="forbid")

    system_id: str
    name: str = ""
    category: Category
    basing: str = ""
    heavy: bool = False
    level: Literal["system", "leg"] = "system"
    deployed_launchers: Range | None = ZERO
    warheads_loaded: Range | None = ZERO
    nondeployed_launchers: Range | None = ZERO
    test_launchers: Range | None = ZERO
    converted_launchers: Range | None = ZERO
    nondeployed_missiles: Range | None = ZERO
    warheads_per_launcher_max: Range | None = None
    yield_kt: Range | None = None
    cep_m: Range | None = None
    sources: list[str] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _bomber_words(cls, data: Any) -> Any:
        """Heavy bombers may be written in treaty words: deployed_bombers, ..."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for alias, name in _BOMBER_ALIASES.items():
            if alias in out:
                if name in out:
                    raise ValueError(f"give either {alias} or {name}, not both")
                out[name] = out.pop(alias)
        return out

    @property
    def is_bomber(self) -> bool:
        return self.category == "bomber"

    @property
    def total_launchers(self) -> Range | None:
        """Deployed plus non-deployed launchers (accountable launchers)."""
        if self.deployed_launchers is None or self.nondeployed_launchers is None:
            return None
        return self.deployed_launchers + self.nondeployed_launchers


class StockpileFigures(BaseModel):
    """Warhead totals of a party (FAS/SIPRI terms; see :mod:`tripolar.data`)."""

    model_config = ConfigDict(extra="forbid")

    military_stockpile: Range | None = None
    deployed_strategic: Range | None = None
    deployed_nonstrategic: Range | None = None
    reserve: Range | None = None
    nonstrategic_total: Range | None = None
    retired: Range | None = None
    sources: list[str] = Field(default_factory=list)


class AggregateFigure(BaseModel):
    """A party-level figure used when the per-system figures do not add up to a count.

    ``rule`` says how it was counted: ``new_start`` for a declared New START aggregate
    (State Department / Russian MFA data exchanges), ``fas_deployed`` for the FAS/SIPRI
    estimate of deployed strategic warheads (bomber weapons at bases counted as loaded).
    """

    model_config = ConfigDict(extra="forbid")

    quantity: str
    value: Range
    rule: Literal["new_start", "fas_deployed"]
    as_of: dt.date
    sources: list[str] = Field(default_factory=list)
    note: str = ""


class Posture(BaseModel):
    """One party's forces on one date."""

    model_config = ConfigDict(extra="forbid")

    party: str
    date: dt.date
    description: str = ""
    systems: list[SystemHolding] = Field(default_factory=list)
    stockpile: StockpileFigures = Field(default_factory=StockpileFigures)
    aggregates: list[AggregateFigure] = Field(
        default_factory=list,
        description="party-level figures by treaty quantity (deployed_warheads, "
        "deployed_launchers, total_launchers), used where the per-system figures are "
        "incomplete",
    )
    sources: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @field_validator("party")
    @classmethod
    def _party_known(cls, v: str) -> str:
        up = v.strip().upper()
        if up not in STATES:
            raise ValueError("unknown state code; expected one of " + ", ".join(STATES))
        return up

    def holdings(
        self, categories: tuple[str, ...] | list[str] | None = None
    ) -> list[SystemHolding]:
        """Holdings of the given categories (all if ``None``)."""
        if categories is None:
            return list(self.systems)
        return [s for s in self.systems if s.category in categories]

    def without(self, system_id: str) -> Posture:
        """A copy of the posture with one system removed."""
        return self.model_copy(
            update={"systems": [s for s in self.systems if s.system_id != system_id]}
        )

    def to_frame(self):
        """The holdings as a pandas DataFrame (one row per system, central values)."""
        import pandas as pd

        rows = []
        for s in self.systems:
            row: dict[str, object] = {
                "system_id": s.system_id,
                "category": s.category,
                "level": s.level,
            }
            for f in (
                "deployed_launchers",
                "warheads_loaded",
                "nondeployed_launchers",
                "test_launchers",
                "converted_launchers",
            ):
                r = getattr(s, f)
                row[f] = None if r is None else r.value
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")

    def _repr_html_(self) -> str:
        head = f"<p><b>{STATE_NAMES.get(self.party, self.party)}</b>, {self.date}</p>"
        return head + str(self.to_frame().to_html(index=False))


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
                raise InputError(
                    f"unknown system {sid!r}",
                    file=path,
                    field=f"systems.{i}.system_id",
                    expected="a system_id from `tripolar forces --systems` or an explicit category",
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


# -- postures from the dataset ----------------------------------------------------------

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
    import math

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
    systems = ds.tables["systems"]
    figs = ds.tables["system_figures"]
    as_of = str(int(year))
    state_systems = systems[systems["state"] == code]
    annual = figs[
        figs["value"].notna()
        & figs["system_id"].isin(state_systems["system_id"])
        & (figs["as_of"].astype(str).str.len() == 4)
    ]
    f = annual[annual["as_of"] == as_of]
    if f.empty:
        available = sorted(
            {
                a
                for a in figs[figs["system_id"].isin(state_systems["system_id"])]["as_of"]
                if len(str(a)) == 4
            }
        )
        raise InputError(
            f"no system figures for {code} in {as_of}",
            field="year",
            expected="one of " + (", ".join(available) or "(none)"),
        )
    by_system: dict[str, dict[str, Mapping[Any, Any]]] = {}
    notes: list[str] = []
    # the latest annual estimate at or before the year, per system and quantity
    earlier = annual[annual["as_of"].astype(int) <= int(year)].sort_values("as_of")
    rec: Mapping[Any, Any]
    for rec in earlier.to_dict("records"):
        by_system.setdefault(str(rec["system_id"]), {})[str(rec["quantity"])] = rec
    for sid, q in sorted(by_system.items()):
        for qty, rec in sorted(q.items()):
            if str(rec["as_of"]) != as_of and qty in _QTY_FIELDS | {"launchers_total": ""}:
                notes.append(f"{sid}: {qty} carried forward from {rec['as_of']} (latest estimate)")
    holdings: list[SystemHolding] = []
    all_sources: set[str] = set()
    for cat in CATEGORIES:
        descs: list[Any] = state_systems[state_systems["category"] == cat].to_dict("records")
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
    st = ds.tables["stockpiles"]
    srows = st[(st["state"] == code) & (st["year"] == int(year)) & st["value"].notna()]
    stock_vals: dict[str, Range] = {}
    stock_sources: set[str] = set()
    for rec in srows.to_dict("records"):
        metric = str(rec["metric"])
        if metric in StockpileFigures.model_fields:
            stock_vals[metric] = _row_range(rec)
            stock_sources.update(rec["source_ids"] or [])
    if stock_vals:
        stock = StockpileFigures(**stock_vals, sources=sorted(stock_sources))
    aggregates = _aggregates(ds, code, int(year), stock)
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


def _aggregates(ds: Any, code: str, year: int, stock: StockpileFigures) -> list[AggregateFigure]:
    """Party-level fallbacks: the latest declared New START aggregate up to ``year``, and
    the FAS/SIPRI deployed strategic warheads of ``year``."""
    out: list[AggregateFigure] = []
    ex = ds.tables["newstart_exchanges"]
    ex = ex[(ex["party"] == code) & ex["value"].notna() & (ex["date"] <= f"{year}-12-31")]
    for qty, name in _EXCHANGE_QTY.items():
        rows = ex[ex["quantity"] == qty].sort_values("date")
        if rows.empty:
            continue
        rec = rows.iloc[-1]
        out.append(
            AggregateFigure(
                quantity=name,
                value=Range.exact(float(rec["value"])),
                rule="new_start",
                as_of=dt.date.fromisoformat(str(rec["date"])),
                sources=list(rec["source_ids"]),
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
