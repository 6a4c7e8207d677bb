"""Speed of the full trilateral stability evaluation (9 cases x 2 postures x 1,000 samples).

Prints seconds for the vectorised Monte Carlo (all samples at once, refine search) and the
ratio against a straightforward loop version measured in the same run: one sample at a time,
exhaustive one-warhead grid over the counterforce spend, timed on a subset of samples and
scaled to 1,000. Notional forces (tests/exchange/notional.py); no assertions on time.

Run: .venv/bin/python benchmarks/bench_stability.py
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from notional import notional_forces
from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.exchange import party_state
from tripolar.exchange.first_strike import KentThalerParams
from tripolar.stability.run import run_monte_carlo
from tripolar.stability.tripolar import tripolar_stability

N = 1000
N_LOOP = 10


def loop_version(forces, levels, n, seed):  # type: ignore[no-untyped-def]
    """One sample at a time, exhaustive grid search: the straightforward way."""
    rng = np.random.default_rng(seed)
    p = replace(KentThalerParams(), search="grid")
    out = []
    for posture in ("day_to_day", "generated"):
        for _ in range(n):
            states = {
                k: party_state(f, levels, posture, rng=rng, n_samples=1) for k, f in forces.items()
            }
            out.append(tripolar_stability(states, params=p))
    return out


def main() -> None:
    forces = notional_forces()
    levels = load_alert_levels()
    run_monte_carlo(forces, levels, n_samples=16, seed=0)  # warm-up
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        run_monte_carlo(forces, levels, n_samples=N, seed=0)
        best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    loop_version(forces, levels, N_LOOP, seed=0)
    loop_s = (time.perf_counter() - t0) * N / N_LOOP
    print(f"vectorised: 9 cases x 2 postures x {N} samples: {best:.3f} s (target < 0.5 s)")
    print(f"loop version (per-sample, grid search), scaled from {N_LOOP} samples: {loop_s:.1f} s")
    print(f"speed-up: {loop_s / best:.0f}x")


if __name__ == "__main__":
    main()
