"""First-strike stability after Kent & Thaler (RAND), vectorised over samples.

Sources: G. A. Kent, R. J. DeValk & D. E. Thaler, *A Calculus of First-Strike Stability (A
Criterion for Evaluating Strategic Forces)*, RAND N-2526-AF, 1988; G. A. Kent & D. E. Thaler,
*First-Strike Stability: A Methodology for Evaluating Strategic Forces*, RAND R-3765-AF, 1989.
The formula details (cost exponent 0.75 and enemy-damage weight 0.3, App. C p. 61; 90%
availability of survivable weapons, p. 34; the striker's stop rule, p. 22; launch under attack,
p. 35 n. 4; the index, pp. 26 and 29) follow the page references of a public implementation of
the method; they were not re-read in the RAND PDFs. The exponential damage curve
``D(w) = 1 - exp(-w ln 5 / w80)`` is a smooth stand-in for RAND's hand-drawn curves (R-3765
Fig. 7) and is tripolar's choice, as is capping each side's ratio at 1.

The calculus, for a striker A and a victim B:

1. A may use all its fixed (silo) warheads and a share (0.9) of its survivable ones.
2. A spends ``s`` warheads on B's targetable launchers, most efficient options first: the
   ``k``-th warhead on a launcher class with ``m`` warheads per launcher and kill probability
   ``p`` destroys ``m p (1 - p)^(k - 1)`` of B's warheads; up to ``max_warheads_per_target``
   layers per launcher. A keeps the rest for B's value.
3. B's surviving warheads strike A's value; A's kept warheads strike B's value.
4. Costs ``C_X = D_X^0.75 + 0.3 (1 - D_Y^0.75)``.
5. A chooses ``s`` on a grid (step one warhead) minimising its own cost; among equal minima it
   takes the one that maximises B's cost.

``r_A = C1_A / C2_A`` (A's cost striking first over A's cost being struck first), capped at 1,
and ``FSI = r_A r_B``.

The striker's optimiser (steps 1-5) is :func:`tripolar.exchange.first_strike.first_strike`
in the exchange layer; this module builds the index on it. Pure functions over numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tripolar.exchange.first_strike import (
    FirstStrike,
    KentThalerParams,
    StrikeSide,
    damage_fraction,
    first_strike,
    outcome_cost,
    reserve_warheads,
)

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "FirstStrike",
    "KentThalerParams",
    "KentThalerResult",
    "StrikeSide",
    "damage_fraction",
    "first_strike",
    "kent_thaler",
    "outcome_cost",
    "reserve_warheads",
    "stability_ratio",
]


def stability_ratio(
    first_strike_cost: npt.ArrayLike, second_strike_cost: npt.ArrayLike
) -> FloatArray:
    """``r = C1 / C2`` capped at 1; ``C2 = 0`` gives 1 (nothing to fear, nothing to gain).

    Kent & Thaler, R-3765-AF (1989), pp. 26, 29. The cap keeps the index in (0, 1]; whether RAND
    caps it is not confirmed, so the cap is tripolar's choice.
    """
    c1 = np.asarray(first_strike_cost, dtype=np.float64)
    c2 = np.asarray(second_strike_cost, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(c2 > 0, c1 / np.where(c2 > 0, c2, 1.0), 1.0)
    return np.asarray(np.minimum(r, 1.0), dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# The two-sided index
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KentThalerResult:
    """Both first strikes and the index for a pair of sides A and B."""

    name_a: str
    name_b: str
    a_first: FirstStrike
    b_first: FirstStrike
    c1_a: FloatArray
    c2_b: FloatArray
    c1_b: FloatArray
    c2_a: FloatArray
    r_a: FloatArray
    r_b: FloatArray
    fsi: FloatArray

    def to_dict(self) -> dict[str, Any]:
        def f(x: FloatArray) -> Any:
            return np.asarray(x).tolist()

        return {
            "a": self.name_a,
            "b": self.name_b,
            "a_strikes_first": {
                "spend": f(self.a_first.spend),
                "kept": f(self.a_first.kept),
                "b_survivors": f(self.a_first.victim_survivors[..., 0]),
                "c1_a": f(self.c1_a),
                "c2_b": f(self.c2_b),
            },
            "b_strikes_first": {
                "spend": f(self.b_first.spend),
                "kept": f(self.b_first.kept),
                "a_survivors": f(self.b_first.victim_survivors[..., 0]),
                "c1_b": f(self.c1_b),
                "c2_a": f(self.c2_a),
            },
            "r_a": f(self.r_a),
            "r_b": f(self.r_b),
            "fsi": f(self.fsi),
        }

    def to_frame(self) -> Any:
        import pandas as pd

        rows = []
        for striker, victim, fs, c1, c2 in (
            (self.name_a, self.name_b, self.a_first, self.c1_a, self.c2_b),
            (self.name_b, self.name_a, self.b_first, self.c1_b, self.c2_a),
        ):
            rows.append(
                {
                    "striker": striker,
                    "victim": victim,
                    "spend": float(np.mean(fs.spend)),
                    "kept": float(np.mean(fs.kept)),
                    "victim_survivors": float(np.mean(fs.victim_survivors[..., 0])),
                    "c1_striker": float(np.mean(c1)),
                    "c2_victim": float(np.mean(c2)),
                }
            )
        return pd.DataFrame(rows)


def kent_thaler(
    side_a: StrikeSide,
    side_b: StrikeSide,
    pk_a_on_b: npt.ArrayLike,
    pk_b_on_a: npt.ArrayLike,
    params: KentThalerParams | None = None,
) -> KentThalerResult:
    """The Kent-Thaler first-strike stability index of two sides.

    ``pk_a_on_b``: terminal kill probability of one A warhead on one aim point of each of B's
    target classes (and vice versa). Returns ``r_A = C1_A / C2_A``, ``r_B = C1_B / C2_B``
    (each capped at 1) and ``FSI = r_A r_B``. Source: Kent & Thaler, RAND R-3765-AF (1989),
    pp. 22-35 and App. C; Kent, DeValk & Thaler, RAND N-2526-AF (1988).
    """
    p = params or KentThalerParams()
    a_first = first_strike([side_a], [side_b], pk_a_on_b, p)
    b_first = first_strike([side_b], [side_a], pk_b_on_a, p)
    c1_a = a_first.cost_to_strikers[..., 0]
    c2_b = a_first.cost_to_victims[..., 0]
    c1_b = b_first.cost_to_strikers[..., 0]
    c2_a = b_first.cost_to_victims[..., 0]
    r_a = stability_ratio(c1_a, c2_a)
    r_b = stability_ratio(c1_b, c2_b)
    return KentThalerResult(
        name_a=side_a.name,
        name_b=side_b.name,
        a_first=a_first,
        b_first=b_first,
        c1_a=c1_a,
        c2_b=c2_b,
        c1_b=c1_b,
        c2_a=c2_a,
        r_a=r_a,
        r_b=r_b,
        fsi=np.asarray(r_a * r_b, dtype=np.float64),
    )
