"""Benchmark: samples per second of the cheating-and-inspection Monte Carlo.

Measures :func:`tripolar.verification.simulate.run_monte_carlo` (vectorised over samples)
and the whole :func:`simulate` call (declaration from the dataset included), for each
strategy. Baseline in the same run: the same model sample by sample in plain Python
(``random`` module draws and :func:`tripolar.verification.inspection.detection_probability`
for the exact part), on fewer samples.
Run: ``.venv/bin/python benchmarks/bench_simulate.py``.
"""

from __future__ import annotations

import random
import time

import numpy as np

from tripolar.verification.inspection import detection_probability
from tripolar.verification.simulate import STRATEGIES, SampledParameters, run_monte_carlo, simulate

YEARS = 10


def _params(samples: int) -> SampledParameters:
    """Two inspectors, 40 bases, 2 violating, 5 Type One each, p 0.9, NTM 0.05."""
    return SampledParameters(
        inspectors=["A", "B"],
        n_items=np.full(samples, 40.0),
        n_violating=np.full(samples, 2.0),
        violating_fraction=np.zeros(samples),
        inspections=np.full((2, samples), 5.0),
        p_notice=np.full(samples, 0.9),
        ntm_per_year=np.full((2, samples), 0.05),
        exchange_per_year=np.zeros(samples),
    )


def python_loop(samples: int, seed: int) -> float:
    """The same model, one sample and one year at a time (independent inspectors)."""
    rnd = random.Random(seed)
    detected = 0
    exact = 1.0 - ((1.0 - detection_probability(40, 2, 5, 0.9)) ** 2 * 0.95**2) ** YEARS
    for _ in range(samples):
        seen = False
        for _ in range(YEARS):
            for _ in range(2):
                picks = rnd.sample(range(40), 5)
                hit = any(i < 2 and rnd.random() < 0.9 for i in picks)
                seen = seen or hit or rnd.random() < 0.05
        detected += seen
    return detected / samples - exact


def _rate(label: str, samples: int, fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    rate = samples / dt
    print(f"{label:<58} {samples:>8} samples {dt * 1e3:9.1f} ms {rate:12.0f} samples/s")
    return rate


def main() -> None:
    print(f"{YEARS} years, two inspectors\n")
    vec = 0.0
    for n in (10_000, 100_000):
        prm = _params(n)
        vec = _rate(
            f"run_monte_carlo (vectorised, split) n={n}",
            n,
            lambda prm=prm: run_monte_carlo(prm, YEARS, np.random.default_rng(1), pooled=False),
        )
        _rate(
            f"run_monte_carlo (vectorised, pooled) n={n}",
            n,
            lambda prm=prm: run_monte_carlo(prm, YEARS, np.random.default_rng(1), pooled=True),
        )
    print()
    for strategy in STRATEGIES:
        _rate(
            f"simulate tri-new-start US {strategy}",
            10_000,
            lambda s=strategy: simulate("tri-new-start", "US", s, years=YEARS, samples=10_000),
        )
    print("\nbaseline (same run): plain Python loop, split inspectors")
    base = _rate("python loop", 2_000, lambda: python_loop(2_000, 1))
    print(f"speed ratio vectorised / python loop: {vec / base:.0f}x")


if __name__ == "__main__":
    main()
