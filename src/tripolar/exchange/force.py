"""A party's forces as the exchange sees them: one row per delivery system, with bands.

Each :class:`ForceSystem` carries the launcher count, warheads per launcher, weapon figures
(yield, CEP, reliability) and the blast hardness of its launchers as targets, every one a
:class:`tripolar.ranges.Range` (central value with a low/high band). ``assumed`` lists the
fields that are model parameters rather than data (no public figure: silo hardness, most
CEPs, reliability), so that reports can say which numbers are assumptions.

:meth:`Force.nominal` and :meth:`Force.sample` turn a force into arrays with a leading sample
axis (systems on the last axis), the form the exchange and stability models compute on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from tripolar.errors import InputError
from tripolar.forces import Posture
from tripolar.forces.records import copy_with, pooled_holding
from tripolar.ranges import Range

if TYPE_CHECKING:
    from tripolar.exchange.alert import AlertLevels

FloatArray = npt.NDArray[np.float64]

Category = Literal["icbm", "slbm", "bomber", "nonstrategic"]
Basing = Literal["silo", "road-mobile", "rail-mobile", "ssbn", "airbase", "storage", "mixed"]
BASINGS: tuple[str, ...] = (
    "silo",
    "road-mobile",
    "rail-mobile",
    "ssbn",
    "airbase",
    "storage",
    "mixed",
)


@dataclass(frozen=True)
class ForceSystem:
    """One delivery system of a party, for the exchange (units in the field names)."""

    system_id: str
    category: Category
    basing: Basing
    launchers: Range
    warheads_per_launcher: Range
    yield_kt: Range
    cep_m: Range
    reliability: Range
    hardness_psi: Range
    assumed: tuple[str, ...] = ()

    @property
    def fixed(self) -> bool:
        """Silo-based: cannot move or hide, always targetable (Kent-Thaler's "fixed")."""
        return self.basing == "silo"

    @property
    def counterforce_capable(self) -> bool:
        """Ballistic-missile warheads; bomber weapons arrive hours late against launchers."""
        return self.category in ("icbm", "slbm")

    @property
    def warheads(self) -> Range:
        return self.launchers.times(self.warheads_per_launcher)

    def to_dict(self) -> dict[str, Any]:
        return {
            "system_id": self.system_id,
            "category": self.category,
            "basing": self.basing,
            "fixed": self.fixed,
            "launchers": self.launchers.to_dict(),
            "warheads_per_launcher": self.warheads_per_launcher.to_dict(),
            "yield_kt": self.yield_kt.to_dict(),
            "cep_m": self.cep_m.to_dict(),
            "reliability": self.reliability.to_dict(),
            "hardness_psi": self.hardness_psi.to_dict(),
            "assumed": list(self.assumed),
        }


@dataclass(frozen=True)
class ForceArrays:
    """Per-system arrays, shape ``(S, J)`` (S samples, J systems); flags shape ``(J,)``."""

    party: str
    system_ids: tuple[str, ...]
    basings: tuple[str, ...]
    launchers: FloatArray
    warheads_per_launcher: FloatArray
    yield_kt: FloatArray
    cep_m: FloatArray
    reliability: FloatArray
    hardness_psi: FloatArray
    fixed: npt.NDArray[np.bool_]
    counterforce: npt.NDArray[np.bool_]

    @property
    def n_samples(self) -> int:
        return int(self.launchers.shape[0])

    @property
    def warheads(self) -> FloatArray:
        return np.asarray(self.launchers * self.warheads_per_launcher, dtype=np.float64)

    def take(self, rows: slice | npt.NDArray[np.intp]) -> ForceArrays:
        """The samples ``rows`` (flags unchanged)."""
        changes: dict[str, Any] = {f: getattr(self, f)[rows] for f in _SAMPLED}
        return replace(self, **changes)

    @staticmethod
    def concat(parts: Sequence[ForceArrays]) -> ForceArrays:
        """Samples of forces with the same systems, end to end."""
        if len(parts) == 1:
            return parts[0]
        changes: dict[str, Any] = {
            f: np.concatenate([getattr(x, f) for x in parts]) for f in _SAMPLED
        }
        return replace(parts[0], **changes)


_SAMPLED = (
    "launchers",
    "warheads_per_launcher",
    "yield_kt",
    "cep_m",
    "reliability",
    "hardness_psi",
)
#: The sampled figures of a system, in the order :meth:`Force.sample` draws them.
SAMPLED_FIGURES: tuple[str, ...] = _SAMPLED


def range_bounds(ranges: Sequence[Range]) -> FloatArray:
    """The ends and central values of ``ranges`` as one array, shape ``(3, k)``: rows low,
    value (the triangular law's mode) and high."""
    return np.array(
        [[r.low for r in ranges], [r.value for r in ranges], [r.high for r in ranges]],
        dtype=np.float64,
    )


def triangular_quantile(
    u: npt.ArrayLike, lo: npt.ArrayLike, mode: npt.ArrayLike, hi: npt.ArrayLike
) -> FloatArray:
    """The triangular law's quantile (inverse CDF) of ``u`` in [0, 1), laws (low, mode, high)
    broadcast against ``u``; a law of zero width gives its mode.

    Element by element, so a draw's value depends on its own uniform and law only: the same
    numbers whether the laws are evaluated one range at a time or many rows together.
    """
    lo, mode, hi = (np.asarray(x, dtype=np.float64) for x in (lo, mode, hi))
    u = np.asarray(u, dtype=np.float64)
    width = hi - lo
    safe = np.where(width > 0, width, 1.0)
    fc = np.where(width > 0, (mode - lo) / safe, 0.5)
    left = lo + np.sqrt(u * safe * (mode - lo))
    right = hi - np.sqrt((1.0 - u) * safe * (hi - mode))
    out = np.where(u < fc, left, right)
    return np.asarray(np.where(width > 0, out, mode), dtype=np.float64)


def sample_triangular(rng: np.random.Generator, ranges: list[Range], n: int) -> FloatArray:
    """``n`` draws per range from a triangular law (low, mode = value, high): shape ``(n, k)``.

    Exact ranges give their value. Inverse-CDF sampling (:func:`triangular_quantile`), so one
    uniform draw per cell, ``rng.random((n, k))``.
    """
    lo, mode, hi = range_bounds(ranges)
    return triangular_quantile(rng.random((n, len(ranges))), lo, mode, hi)


def sample_bounds_of(forces: Sequence[Force]) -> FloatArray:
    """:meth:`Force.sample_bounds` of ``forces`` side by side, shape ``(3, sum of 6 J)``."""
    return range_bounds([getattr(s, f) for x in forces for f in _SAMPLED for s in x.systems])


@dataclass(frozen=True)
class Force:
    """A party's forces for the exchange: a tuple of :class:`ForceSystem`."""

    party: str
    systems: tuple[ForceSystem, ...] = field(default=())

    def arrays(self, values: dict[str, FloatArray]) -> ForceArrays:
        """This force's arrays with the sampled figures ``values`` (by field name, shape
        ``(S, J)``), the flags and labels of its systems."""
        return ForceArrays(
            party=self.party,
            system_ids=tuple(s.system_id for s in self.systems),
            basings=tuple(s.basing for s in self.systems),
            fixed=np.array([s.fixed for s in self.systems], dtype=bool),
            counterforce=np.array([s.counterforce_capable for s in self.systems], dtype=bool),
            **values,
        )

    def nominal(self) -> ForceArrays:
        """Central values, shape ``(1, J)``."""
        return self.arrays(
            {
                f: np.array([[getattr(s, f).value for s in self.systems]], dtype=np.float64)
                for f in _SAMPLED
            }
        )

    def sample_bounds(self) -> FloatArray:
        """The triangular laws of :meth:`sample`, shape ``(3, 6 J)`` (rows low, mode, high),
        columns figure by figure (:data:`SAMPLED_FIGURES`), system by system within each."""
        return sample_bounds_of([self])

    def sample(self, rng: np.random.Generator, n: int) -> ForceArrays:
        """``n`` joint draws of every uncertain figure (independent triangular laws), from
        ``rng.random((n, 6 J))`` (columns as in :meth:`sample_bounds`)."""
        lo, mode, hi = self.sample_bounds()
        u = rng.random((n, lo.shape[0]))
        draws = triangular_quantile(u, lo, mode, hi).reshape(n, len(_SAMPLED), len(self.systems))
        return self.arrays({f: draws[:, i, :] for i, f in enumerate(_SAMPLED)})

    def to_dict(self) -> dict[str, Any]:
        return {"party": self.party, "systems": [s.to_dict() for s in self.systems]}

    def to_frame(self) -> Any:
        import pandas as pd

        rows = []
        for s in self.systems:
            row: dict[str, Any] = {
                "system_id": s.system_id,
                "category": s.category,
                "basing": s.basing,
                "fixed": s.fixed,
            }
            for f in _SAMPLED:
                r = getattr(s, f)
                row[f] = r.value
                row[f + "_low"] = r.low
                row[f + "_high"] = r.high
            row["assumed"] = ",".join(s.assumed)
            rows.append(row)
        return pd.DataFrame(rows)


#: :func:`_system_basing` by (basing, category): a few distinct pairs, looked up per system.
_BASING_OF: dict[tuple[str, str], Basing] = {}


def _system_basing(basing: str, category: str) -> Basing:
    key = (basing, category)
    b = _BASING_OF.get(key)
    if b is None:
        b = _basing_of(basing, category)
        if len(_BASING_OF) < 1024:
            _BASING_OF[key] = b
    return b


def _basing_of(basing: str, category: str) -> Basing:
    b = basing.strip().lower().replace("_", "-")
    if b in BASINGS:
        return b  # type: ignore[return-value]
    if category == "slbm":
        return "ssbn"
    if category == "bomber":
        return "airbase"
    if category == "nonstrategic":
        return "storage"
    return "mixed"


def _loading(lau: Range, wh: Range) -> Range:
    """Warheads per launcher, loaded / deployed: band from the ends of both, widened to hold
    the central value. Built as ``Range.of`` would build it (the same floats), validated
    only where the first band is out of order (``Range.of``'s error)."""
    value = wh.value / lau.value
    low = wh.low / max(lau.high, 1e-9)
    high = wh.high / max(lau.low, 1e-9) if lau.low > 0 else wh.high / lau.value
    if not low <= value <= high:
        wpl = Range.of(value, low, high)
        return Range.of(wpl.value, min(wpl.low, wpl.value), max(wpl.high, wpl.value))
    return Range._ordered_result(value, min(low, value), max(high, value))


class _LevelFigures:
    """The figures of one :class:`AlertLevels` that :func:`force_from_posture` looks up, each
    built on its first use (the same ranges the look-ups give)."""

    def __init__(self, params: AlertLevels) -> None:
        self.params = params
        self.cep_scale = params.cep_scale()
        self.reliability: Range | None = None
        self.hardness: dict[str, Range] = {}
        self.yield_kt: dict[str, Range] = {}
        self.cep_m: dict[str, Range] = {}

    def set_reliability(self) -> Range:
        self.reliability = self.params.reliability()
        return self.reliability


#: :class:`_LevelFigures` by the identity of their levels (held, so the identity stays theirs),
#: for the few levels objects in use.
_FIGURES: dict[int, _LevelFigures] = {}


def _level_figures(params: AlertLevels) -> _LevelFigures:
    hit = _FIGURES.get(id(params))
    if hit is not None and hit.params is params:
        return hit
    if len(_FIGURES) >= 8:
        _FIGURES.pop(next(iter(_FIGURES)), None)
    out = _FIGURES[id(params)] = _LevelFigures(params)
    return out


def force_from_posture(posture: Posture, params: AlertLevels) -> Force:
    """Exchange force of a posture: deployed launchers and their loaded warheads per system.

    Launchers and warheads come from the posture (``deployed_launchers``, ``warheads_loaded``;
    warheads per launcher = loaded / deployed, band from the ends of both); yield and CEP from
    the posture where it has them, else the model defaults of ``params`` (recorded in
    ``assumed``); reliability and launcher hardness are always model parameters. Where
    ``params`` has a ``cep_scale``, every system's CEP (the posture's or the default) is
    multiplied by it (value, low and high by the factor's; recorded in ``assumed``). Systems
    with unknown launcher or warhead counts, or no warheads, are left out (an exchange cannot
    strike or use what is not counted).
    """
    systems: list[ForceSystem] = []
    # The parameters' figures are built once per levels object (each lookup builds a new
    # range; the levels are immutable, and every cut of a sweep looks the same ones up).
    figs = _level_figures(params)
    cep_scale = figs.cep_scale
    reliability: Range | None = None
    hardness = figs.hardness
    default_yield = figs.yield_kt
    default_cep = figs.cep_m
    scaled_cep: dict[int, tuple[Range, Range]] = {}
    for h in posture.systems:
        if h.deployed_launchers is None or h.warheads_loaded is None:
            continue
        lau = h.deployed_launchers
        wh = h.warheads_loaded
        if lau.value <= 0 or wh.value <= 0:
            continue
        basing = _system_basing(h.basing, h.category)
        wpl = _loading(lau, wh)
        assumed = ["reliability", "hardness_psi"]
        if h.yield_kt is not None:
            y = h.yield_kt
        else:
            y = default_yield.get(h.category) or default_yield.setdefault(
                h.category, params.default_yield_kt(h.category)
            )
            assumed.append("yield_kt")
        if h.cep_m is not None:
            cep = h.cep_m
        else:
            cep = default_cep.get(h.category) or default_cep.setdefault(
                h.category, params.default_cep_m(h.category)
            )
            assumed.append("cep_m")
        if cep_scale is not None:
            hit = scaled_cep.get(id(cep))
            if hit is None or hit[0] is not cep:
                hit = scaled_cep[id(cep)] = (cep, cep.times(cep_scale))
            cep = hit[1]
            assumed.append("cep_scale")
        if reliability is None:
            reliability = figs.reliability or figs.set_reliability()
        hard = hardness.get(basing) or hardness.setdefault(basing, params.hardness_psi(basing))
        systems.append(
            ForceSystem(
                system_id=h.system_id,
                category=h.category,
                basing=basing,
                launchers=lau,
                warheads_per_launcher=wpl,
                yield_kt=y,
                cep_m=cep,
                reliability=reliability,
                hardness_psi=hard,
                assumed=tuple(assumed),
            )
        )
    if not systems:
        raise InputError(
            "the posture has no system with known deployed launchers and loaded warheads",
            field=f"{posture.party}.systems",
            expected="at least one system with deployed_launchers and warheads_loaded",
        )
    return Force(party=posture.party, systems=tuple(systems))


# -- postures with leg holdings and unknown figures ------------------------------------------

_EXCHANGE_CATEGORIES = ("icbm", "slbm", "bomber")
_CATEGORY_BASING: dict[str, Basing] = {"icbm": "mixed", "slbm": "ssbn", "bomber": "airbase"}


def _central(r: Range | None) -> float | None:
    return None if r is None else r.value


def _mean_loading(holdings: list[Any]) -> float:
    """Mean maximum warheads per launcher of a category's systems (1 if none is public).

    Weighted by deployed launchers where any are known and positive, else unweighted.
    """
    pairs = [
        (h.warheads_per_launcher_max.value, _central(h.deployed_launchers))
        for h in holdings
        if h.level == "system" and h.warheads_per_launcher_max is not None
    ]
    if not pairs:
        return 1.0
    weighted = [(m, w) for m, w in pairs if w is not None and w > 0]
    if weighted:
        return sum(m * w for m, w in weighted) / sum(w for _, w in weighted)
    return sum(m for m, _ in pairs) / len(pairs)


@dataclass(frozen=True)
class LegFigure:
    """One figure of a leg row of the dataset (``system_figures.csv``) with its provenance."""

    quantity: str
    value: Range
    as_of: str
    grade: str
    sources: tuple[str, ...]
    note: str

    def cite(self) -> str:
        src = ";".join(self.sources) or "no source"
        return f"{self.quantity} {self.value.value:,.0f} ({self.as_of}, {src}, grade {self.grade})"


@dataclass(frozen=True)
class LegFigures:
    """The leg-level figures of one category of a party (Russia's and China's legs), the
    latest annual estimate at or before the year per quantity."""

    system_id: str
    category: str
    basing: str
    figures: dict[str, LegFigure]

    def get(self, quantity: str) -> LegFigure | None:
        return self.figures.get(quantity)


#: Leg figures by (dataset content hash, party, year): read once per dataset.
_LEG_CACHE: dict[tuple[str, str, int], dict[str, LegFigures]] = {}


def dataset_leg_figures(dataset: Any, party: str, year: int) -> dict[str, LegFigures]:
    """The leg rows of ``party`` in ``dataset`` (``systems.csv`` rows of level ``leg``), by
    category, with their figures from ``system_figures.csv`` (latest annual ``as_of`` up to
    ``year``). Used by :func:`exchange_posture` for legs whose posture holdings carry no
    launcher or warhead counts."""
    key = (str(dataset.content_hash), party, int(year))
    hit = _LEG_CACHE.get(key)
    if hit is not None:
        return hit
    systems = dataset.tables["systems"]
    legs = systems[(systems["state"] == party) & (systems["level"] == "leg")]
    figs = dataset.tables["system_figures"]
    out: dict[str, LegFigures] = {}
    for rec in legs.to_dict("records"):
        sid = str(rec["system_id"])
        rows = figs[figs["system_id"] == sid].to_dict("records")
        latest: dict[str, dict[str, Any]] = {}
        for r in sorted(rows, key=lambda r: str(r["as_of"])):
            as_of = str(r["as_of"])
            v = r["value"]
            if len(as_of) != 4 or int(as_of) > int(year) or v is None or v != v:
                continue
            latest[str(r["quantity"])] = r
        figures = {}
        for q, r in latest.items():
            lo = r["low"] if r["low"] == r["low"] and r["low"] is not None else None
            hi = r["high"] if r["high"] == r["high"] and r["high"] is not None else None
            figures[q] = LegFigure(
                quantity=q,
                value=Range.of(float(r["value"]), lo, hi),
                as_of=str(r["as_of"]),
                grade=str(r["grade"]),
                sources=tuple(r["source_ids"] or ()),
                note=str(r["note"] or ""),
            )
        out[str(rec["category"])] = LegFigures(
            sid, str(rec["category"]), str(rec["basing"] or ""), figures
        )
    if len(_LEG_CACHE) >= 32:
        _LEG_CACHE.pop(next(iter(_LEG_CACHE)))
    _LEG_CACHE[key] = out
    return out


def _from_leg(cat: str, pc: dict[str, Any], leg: LegFigures, party: str) -> str | None:
    """Fill a pooled category without launcher or warhead counts from its leg figures.

    Warheads: the leg's ``warheads_assigned`` (the warheads a public estimate assigns to the
    leg), all taken to be loaded on its launchers when mated. Launchers: the leg's
    ``launchers_total`` where given (every tube or launcher taken to hold a missile), else
    left to the launcher rule below (warheads / mean maximum loading). Returns the assumption
    (None where the leg has no warhead figure).
    """
    wh = leg.get("warheads_assigned")
    if wh is None or wh.value.value <= 0:
        return None
    pc["id"] = leg.system_id
    pc["wh"] = wh.value
    pc["wh_complete"] = True
    lau = leg.get("launchers_total")
    how = f"{party} {cat}: launchers and loaded warheads not in the posture; modelled from the "
    how += f"dataset's leg figures {leg.system_id}: warheads = {wh.cite()}"
    if lau is not None and lau.value.value > 0:
        pc["lau"] = lau.value
        pc["lau_complete"] = True
        how += f"; launchers = {lau.cite()}"
        extra = [leg.get(q) for q in ("boats", "tubes_per_boat")]
        if all(x is not None for x in extra):
            how += " [" + ", ".join(x.cite() for x in extra if x is not None) + "]"
        how += (
            f"; every launcher assumed loaded, {wh.value.value / lau.value.value:.2f} "
            "warheads each (assumption)"
        )
    else:
        how += "; launchers not public (see the launcher rule below)"
    how += (
        "; each launcher is one aim point as for every party; targetable share, de-mated share "
        "and hardness from alert_levels.yaml (assumed); added after any treaty cut, since the "
        "posture holds no counts for this leg that a treaty rule could cut"
    )
    return how


def exchange_posture(
    posture: Posture, legs: dict[str, LegFigures] | None = None
) -> tuple[Posture, list[str]]:
    """The posture as the exchange needs it: every system with launchers and loaded warheads.

    Rules (tripolar's; each one used is returned as an assumption):

    * Non-strategic holdings are left out (the exchange is among strategic forces).
    * A category (ICBM, SLBM, bomber) whose holdings all have known deployed launchers and
      loaded warheads, and no leg holding, keeps its systems as they are.
    * Otherwise the category becomes **one system class** (the leg, named after the leg
      holding): launchers = the known deployed launchers added up, warheads = the known
      loaded warheads added up; basing = the common basing of its holdings, else ``mixed``
      for ICBMs (the alert levels' leg-level assumption for mixed silo and mobile forces).
    * Launchers of a pooled category that are not public: where the posture has a
      ``deployed_launchers`` aggregate, the launchers it has beyond the categories whose
      launchers are known are shared among the others in proportion to their warheads;
      otherwise launchers = warheads / the category's mean maximum loading. Never fewer
      than the launchers known.
    * Warheads of a pooled category that are not public (China): launchers x the
      category's mean maximum loading, all such warheads together capped at the military
      stockpile less the warheads known elsewhere.
    * A category whose launchers and warheads are both unknown takes them from its leg
      figures ``legs`` (by category, from :func:`dataset_leg_figures`) where the leg has a
      ``warheads_assigned`` figure (China's SLBM and bomber legs): warheads = that figure,
      launchers = ``launchers_total`` where given, else the launcher rule below; otherwise
      it is left out.
    * A pooled class takes the model's default yield and CEP for its category (its systems'
      figures differ and their shares are not public).
    """
    notes: list[str] = []
    party = posture.party
    kept: list[Any] = []
    pooled: dict[str, dict[str, Any]] = {}
    by_cat: dict[str, list[Any]] = {c: [] for c in _EXCHANGE_CATEGORIES}
    for h in posture.systems:
        if h.category == "nonstrategic":
            notes.append(f"{party} {h.system_id}: non-strategic, left out of the exchange")
        else:
            hs = by_cat.get(h.category)
            if hs is not None:
                hs.append(h)
    for cat in _EXCHANGE_CATEGORIES:
        hs = by_cat[cat]
        if not hs:
            continue
        complete = True
        for h in hs:
            if h.level != "system" or h.deployed_launchers is None or h.warheads_loaded is None:
                complete = False
                break
        if complete:
            kept.extend(hs)
            continue
        # One pass over the category: the basings of its live holdings, its leg, and the
        # known launchers and warheads added up end by end in the holdings' order (the
        # floats of the range sums ``0 + first + second ...``).
        basings: set[str] = set()
        leg = None
        lau_v = lau_lo = lau_hi = 0.0
        wh_v = wh_lo = wh_hi = 0.0
        lau_complete = wh_complete = True
        for h in hs:
            lau, wh = h.deployed_launchers, h.warheads_loaded
            if not (
                lau is not None
                and lau.value == 0
                and (wh is None or wh.value == 0)
                and h.level == "system"
            ):
                basings.add(_system_basing(h.basing, h.category))
            if leg is None and h.level == "leg":
                leg = h
            if lau is None:
                lau_complete = False
            else:
                lau_v += lau.value
                lau_lo += lau.low
                lau_hi += lau.high
            if wh is None:
                wh_complete = False
            else:
                wh_v += wh.value
                wh_lo += wh.low
                wh_hi += wh.high
        pooled[cat] = {
            "id": leg.system_id
            if leg is not None
            else legs[cat].system_id
            if legs and cat in legs
            else f"{party.lower()}-{cat}-pooled",
            "basing": basings.pop() if len(basings) == 1 else _CATEGORY_BASING[cat],
            "lau": Range._ordered_result(lau_v, lau_lo, lau_hi),
            "lau_complete": lau_complete,
            "wh": Range._ordered_result(wh_v, wh_lo, wh_hi),
            "wh_complete": wh_complete,
            "loading": _mean_loading(hs),
            "members": [h.system_id for h in hs],
        }
        notes.append(
            f"{party} {cat}: per-system figures incomplete; "
            + ", ".join(pooled[cat]["members"])
            + f" pooled into one class {pooled[cat]['id']} (basing {pooled[cat]['basing']})"
        )
    # Launchers and warheads not public: the leg figures of the dataset, where it has them.
    for cat, pc in pooled.items():
        if legs and cat in legs and pc["lau"].value <= 0 and pc["wh"].value <= 0:
            note = _from_leg(cat, pc, legs[cat], party)
            if note is not None:
                notes.append(note)
    # Warheads not public: launchers x mean loading, capped by the stockpile.
    for cat, pc in pooled.items():
        if pc["wh"].value <= 0 and not pc["wh_complete"] and pc["lau"].value > 0:
            pc["wh"] = pc["lau"].scale(pc["loading"])
            pc["wh_derived"] = True
            notes.append(
                f"{party} {cat}: loaded warheads not public; launchers x mean maximum loading "
                f"{pc['loading']:.2f} = {pc['wh'].value:,.0f} (derived)"
            )
    derived = [c for c, pc in pooled.items() if pc.get("wh_derived")]
    stock = posture.stockpile.military_stockpile
    if derived and stock is not None:
        known = sum(_central(h.warheads_loaded) or 0.0 for h in kept) + sum(
            pc["wh"].value for c, pc in pooled.items() if c not in derived
        )
        room = max(stock.value - known, 0.0)
        total = sum(pooled[c]["wh"].value for c in derived)
        if total > room:
            f = room / total if total > 0 else 0.0
            for c in derived:
                pooled[c]["wh"] = pooled[c]["wh"].scale(f)
            notes.append(
                f"{party}: derived warheads capped at the military stockpile "
                f"({stock.value:,.0f}) less the warheads known"
            )
    # Launchers not public: share of the deployed-launcher aggregate, or warheads / loading.
    pending = [c for c, pc in pooled.items() if not pc["lau_complete"] and pc["wh"].value > 0]
    agg = next((a for a in posture.aggregates if a.quantity == "deployed_launchers"), None)
    if pending:
        known_l = sum(_central(h.deployed_launchers) or 0.0 for h in kept) + sum(
            pc["lau"].value for c, pc in pooled.items() if c not in pending
        )
        w_pending = sum(pooled[c]["wh"].value for c in pending)
        for c in pending:
            pc = pooled[c]
            if agg is not None and agg.value.value > known_l:
                share = (agg.value.value - known_l) * pc["wh"].value / w_pending
                how = f"share of the {agg.value.value:,.0f} deployed launchers ({agg.note})"
            else:
                share = pc["wh"].value / max(pc["loading"], 1.0)
                how = f"warheads / mean maximum loading {pc['loading']:.2f}"
            if share > pc["lau"].value:
                pc["lau"] = Range.exact(share)
            notes.append(
                f"{party} {c}: deployed launchers not public; {pc['lau'].value:,.0f} from the {how}"
            )
    out = list(kept)
    for cat, pc in pooled.items():
        if pc["lau"].value <= 0 or pc["wh"].value <= 0:
            notes.append(
                f"{party} {cat}: launchers or warheads not public; left out of the exchange"
            )
            continue
        out.append(pooled_holding(pc["id"], cat, pc["basing"], pc["lau"], pc["wh"]))
    return copy_with(posture, {"systems": out}), notes


def force_for_exchange(
    posture: Posture, params: AlertLevels, legs: dict[str, LegFigures] | None = None
) -> tuple[Force, list[str]]:
    """:func:`exchange_posture` then :func:`force_from_posture`, with every assumption used.

    The list names the pooling and derivation rules applied, the figures of each system that
    are model parameters rather than data, and the posture's own derivation notes.
    """
    ready, notes = exchange_posture(posture, legs)
    force = force_from_posture(ready, params)
    for s in force.systems:
        notes.append(
            f"{posture.party} {s.system_id}: model parameters (alert_levels.yaml) for "
            + ", ".join(s.assumed)
        )
    notes.extend(f"{posture.party} data: {n}" for n in posture.notes)
    return force, notes
