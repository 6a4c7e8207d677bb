"""What a cheating party declares: its Type One sites (bases) and its launcher numbers.

Built from the dataset (targets.csv for the bases, the posture for the numbers); used by
:mod:`tripolar.verification.simulate` and the assessment's verification column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tripolar.forces import Posture
    from tripolar.ranges import Range

__all__ = ["BASE_TYPES", "MISSILE_BASE_TYPES", "Declaration", "declare", "declared_missiles"]

#: targets.csv types that are Type One sites (ICBM, submarine and air bases).
BASE_TYPES = ("silo_field", "mobile_icbm_garrison", "ssbn_base", "bomber_base")
MISSILE_BASE_TYPES = ("silo_field", "mobile_icbm_garrison", "ssbn_base")


@dataclass(frozen=True)
class Declaration:
    """What the cheater declares: its bases (Type One sites) and its launcher numbers.

    Rules: each distinct ``target_id`` of targets.csv of type ICBM silo field, mobile-ICBM
    garrison, SSBN base or bomber base is one declared base; aggregate rows (ids ending in
    ``-all``) and storage sites are skipped; a row whose count is not public still counts
    as one base (a lower bound). Deployed missiles are the posture's deployed ICBMs and
    SLBMs; ``None`` where any system's count is not public.
    """

    party: str
    year: int
    bases: dict[str, int]
    deployed_missiles: Range | None
    nondeployed_launchers: Range | None
    rules: list[str]

    @property
    def n_bases(self) -> int:
        return sum(self.bases.values())

    @property
    def n_missile_bases(self) -> int:
        return sum(n for k, n in self.bases.items() if k in MISSILE_BASE_TYPES)

    def to_dict(self) -> dict[str, Any]:
        rng = self.deployed_missiles
        nd = self.nondeployed_launchers
        return {
            "party": self.party,
            "year": self.year,
            "bases": dict(self.bases),
            "n_bases": self.n_bases,
            "n_missile_bases": self.n_missile_bases,
            "deployed_missiles": None if rng is None else rng.model_dump(),
            "nondeployed_launchers": None if nd is None else nd.model_dump(),
            "rules": list(self.rules),
        }


def declared_missiles(posture: Posture) -> Range | None:
    """Deployed ICBMs plus SLBMs of ``posture`` (``None`` if any system's count is unknown)."""
    from tripolar.ranges import Range

    total = Range.exact(0.0)
    for h in posture.systems:
        if h.category in ("icbm", "slbm") and h.level == "system":
            if h.deployed_launchers is None:
                return None
            total = total + h.deployed_launchers
    return total


def _declared_nondeployed(posture: Posture) -> Range | None:
    from tripolar.ranges import Range

    total = Range.exact(0.0)
    for h in posture.systems:
        if h.category in ("icbm", "slbm", "bomber") and h.level == "system":
            if h.nondeployed_launchers is None:
                return None
            total = total + h.nondeployed_launchers
    return total


def declare(
    party: str, year: int, *, posture: Posture | None = None, data_dir: str | Path | None = None
) -> Declaration:
    """The declaration of ``party`` in ``year``: bases from targets.csv, numbers from posture."""
    from tripolar.data import load_dataset
    from tripolar.forces import build_posture

    post = posture if posture is not None else build_posture(party, year, data_dir=data_dir)
    targets = load_dataset(data_dir).tables["targets"]
    rows = targets[(targets["state"] == party) & targets["target_type"].isin(BASE_TYPES)]
    rows = rows[~rows["target_id"].astype(str).str.endswith("-all")]
    uniq = rows.drop_duplicates("target_id")
    bases = {t: int((uniq["target_type"] == t).sum()) for t in BASE_TYPES}
    bases = {k: v for k, v in bases.items() if v}
    rules = [
        "bases: one per distinct targets.csv target_id of type "
        + ", ".join(BASE_TYPES)
        + "; '-all' aggregate rows and storage sites skipped; a base whose count is not "
        "public counts as one",
        "deployed missiles: deployed ICBMs + SLBMs of the posture; not public if any "
        "system's count is missing",
    ]
    return Declaration(
        party=party,
        year=year,
        bases=bases,
        deployed_missiles=declared_missiles(post),
        nondeployed_launchers=_declared_nondeployed(post),
        rules=rules,
    )
