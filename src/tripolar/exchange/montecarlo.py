"""Monte Carlo over the data's bands and the model parameters, vectorised over samples.

Every banded figure (launchers, warheads per launcher, yield, CEP, reliability, hardness,
alert fractions, de-mated share, storage aim points, damage-curve ``w80``) is drawn from an
independent triangular law (low, central value, high) with a seeded
:class:`numpy.random.Generator`; all samples go through the exchange and the stability
calculus at once (arrays with a leading sample axis). Results are the median and the 5-95%
band. Expected values within each sample, as in Kent & Thaler (RAND R-3765-AF, 1989); the
sampling is over parameters, not over individual warhead outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from tripolar.exchange.alert import AlertLevels
from tripolar.exchange.exchange import party_state
from tripolar.exchange.force import Force
from tripolar.stability.kent_thaler import KentThalerParams
from tripolar.stability.tripolar import TripolarResult, tripolar_stability

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Band:
    """Median and 5-95% band of a sampled quantity."""

    median: float
    p05: float
    p95: float

    @classmethod
    def of(cls, x: npt.ArrayLike) -> Band:
        q = np.quantile(np.asarray(x, dtype=np.float64), [0.5, 0.05, 0.95])
        return cls(float(q[0]), float(q[1]), float(q[2]))

    def to_dict(self) -> dict[str, float]:
        return {"median": self.median, "p05": self.p05, "p95": self.p95}


@dataclass(frozen=True)
class MonteCarloResult:
    """Tripolar stability per posture over ``n_samples`` draws, reproducible from ``seed``."""

    seed: int
    n_samples: int
    by_posture: dict[str, TripolarResult]

    def band(self, posture: str, case: str, party: str) -> Band:
        r = next(
            c.r for c in self.by_posture[posture].ratios if c.case == case and c.party == party
        )
        return Band.of(r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "n_samples": self.n_samples,
            "postures": {k: v.to_dict() for k, v in self.by_posture.items()},
        }

    def to_frame(self) -> Any:
        import pandas as pd

        frames = []
        for posture, res in self.by_posture.items():
            f = res.to_frame()
            f.insert(0, "posture", posture)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)


def run_monte_carlo(
    forces: dict[str, Force],
    levels: AlertLevels,
    *,
    n_samples: int = 1000,
    seed: int = 0,
    postures: tuple[str, ...] = ("day_to_day", "generated"),
    params: KentThalerParams | None = None,
) -> MonteCarloResult:
    """Sample forces and parameters and evaluate the 9 three-party cases per posture.

    The search over counterforce spend uses the ``"refine"`` method (coarse grid, kill-curve
    breakpoints, then a one-warhead grid around the best), unless ``params`` says otherwise.
    """
    p = params or replace(KentThalerParams(), search="refine")
    rng = np.random.default_rng(seed)
    delta = levels.parameters.reserve_delta.value
    lam = levels.parameters.follow_on_lambda.value
    out: dict[str, TripolarResult] = {}
    for posture in postures:
        states = {
            k: party_state(f, levels, posture, rng=rng, n_samples=n_samples)
            for k, f in forces.items()
        }
        out[posture] = tripolar_stability(
            states, params=p, reserve_delta=delta, follow_on_lambda=lam
        )
    return MonteCarloResult(seed=seed, n_samples=n_samples, by_posture=out)
