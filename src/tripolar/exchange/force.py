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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from tripolar.errors import InputError
from tripolar.ranges import Range

if TYPE_CHECKING:
    from tripolar.exchange.alert import AlertLevels
    from tripolar.forces import Posture

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


_SAMPLED = (
    "launchers",
    "warheads_per_launcher",
    "yield_kt",
    "cep_m",
    "reliability",
    "hardness_psi",
)


def sample_triangular(rng: np.random.Generator, ranges: list[Range], n: int) -> FloatArray:
    """``n`` draws per range from a triangular law (low, mode = value, high): shape ``(n, k)``.

    Exact ranges give their value. Inverse-CDF sampling, so one uniform draw per cell.
    """
    lo = np.array([r.low for r in ranges], dtype=np.float64)
    mode = np.array([r.value for r in ranges], dtype=np.float64)
    hi = np.array([r.high for r in ranges], dtype=np.float64)
    u = rng.random((n, len(ranges)))
    width = hi - lo
    safe = np.where(width > 0, width, 1.0)
    fc = np.where(width > 0, (mode - lo) / safe, 0.5)
    left = lo + np.sqrt(u * safe * (mode - lo))
    right = hi - np.sqrt((1.0 - u) * safe * (hi - mode))
    out = np.where(u < fc, left, right)
    return np.asarray(np.where(width > 0, out, mode), dtype=np.float64)


@dataclass(frozen=True)
class Force:
    """A party's forces for the exchange: a tuple of :class:`ForceSystem`."""

    party: str
    systems: tuple[ForceSystem, ...] = field(default=())

    def _arrays(self, values: dict[str, FloatArray]) -> ForceArrays:
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
        return self._arrays(
            {
                f: np.array([[getattr(s, f).value for s in self.systems]], dtype=np.float64)
                for f in _SAMPLED
            }
        )

    def sample(self, rng: np.random.Generator, n: int) -> ForceArrays:
        """``n`` joint draws of every uncertain figure (independent triangular laws)."""
        ranges = [getattr(s, f) for f in _SAMPLED for s in self.systems]
        draws = sample_triangular(rng, ranges, n).reshape(n, len(_SAMPLED), len(self.systems))
        return self._arrays({f: draws[:, i, :] for i, f in enumerate(_SAMPLED)})

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


def _system_basing(basing: str, category: str) -> Basing:
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


def force_from_posture(posture: Posture, params: AlertLevels) -> Force:
    """Exchange force of a posture: deployed launchers and their loaded warheads per system.

    Launchers and warheads come from the posture (``deployed_launchers``, ``warheads_loaded``;
    warheads per launcher = loaded / deployed, band from the ends of both); yield and CEP from
    the posture where it has them, else the model defaults of ``params`` (recorded in
    ``assumed``); reliability and launcher hardness are always model parameters. Systems with
    unknown launcher or warhead counts, or no warheads, are left out (an exchange cannot
    strike or use what is not counted).
    """
    systems: list[ForceSystem] = []
    for h in posture.systems:
        if h.deployed_launchers is None or h.warheads_loaded is None:
            continue
        lau = h.deployed_launchers
        wh = h.warheads_loaded
        if lau.value <= 0 or wh.value <= 0:
            continue
        basing = _system_basing(h.basing, h.category)
        wpl = Range.of(
            wh.value / lau.value,
            wh.low / max(lau.high, 1e-9),
            wh.high / max(lau.low, 1e-9) if lau.low > 0 else wh.high / lau.value,
        )
        wpl = Range.of(wpl.value, min(wpl.low, wpl.value), max(wpl.high, wpl.value))
        assumed = ["reliability", "hardness_psi"]
        if h.yield_kt is not None:
            y = h.yield_kt
        else:
            y = params.default_yield_kt(h.category)
            assumed.append("yield_kt")
        if h.cep_m is not None:
            cep = h.cep_m
        else:
            cep = params.default_cep_m(h.category)
            assumed.append("cep_m")
        systems.append(
            ForceSystem(
                system_id=h.system_id,
                category=h.category,
                basing=basing,
                launchers=lau,
                warheads_per_launcher=wpl,
                yield_kt=y,
                cep_m=cep,
                reliability=params.reliability(),
                hardness_psi=params.hardness_psi(basing),
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
