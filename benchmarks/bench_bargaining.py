"""Speed of the bargaining solvers (prints figures and ratios; asserts nothing).

Baseline measured in the same run: a vectorised brute-force Pareto filter (O(N^2) time and
memory, so skipped above N = 3,000; "nan" in the output). Run with
``python benchmarks/bench_bargaining.py``.
"""

from __future__ import annotations

import time

import numpy as np

from tripolar.negotiation.bargaining import (
    kalai_smorodinsky_continuous,
    nash_continuous,
    pareto_frontier,
    solve_finite,
)


def brute_pareto(u: np.ndarray) -> np.ndarray:
    pts = u.T
    ge = np.all(pts[:, None, :] >= pts[None, :, :], axis=2)
    gt = np.any(pts[:, None, :] > pts[None, :, :], axis=2)
    dominated = np.any(ge & gt, axis=0)
    return np.nonzero(~dominated)[0]


def timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(0)
    print("finite sets, 3 parties (random utilities on a concave frontier + interior points)")
    for n in (1_000, 3_000, 10_000):
        dirs = np.abs(rng.standard_normal((3, n)))
        u = dirs / np.linalg.norm(dirs, axis=0) * rng.uniform(0.5, 1.0, n)
        t_sky = timed(lambda u=u: pareto_frontier(u))
        t_brute = timed(lambda u=u: brute_pareto(u)) if n <= 3_000 else float("nan")
        t_all = timed(lambda u=u: solve_finite(u, np.full(3, 0.1)))
        assert set(pareto_frontier(u)) == set(brute_pareto(u)) or n > 3_000
        print(
            f"  N={n:>6}: skyline {t_sky * 1e3:8.1f} ms, brute force {t_brute * 1e3:8.1f} ms "
            f"(ratio {t_brute / t_sky:5.2f}), full report {t_all * 1e3:8.1f} ms"
        )

    def sphere(x: np.ndarray) -> float:
        return float(x @ x - 1.0)

    d = np.array([0.1, 0.2, 0.3])
    t_nash = timed(lambda: nash_continuous(sphere, d))
    t_ks = timed(lambda: kalai_smorodinsky_continuous(sphere, d))
    print(
        f"continuous sphere octant: Nash {t_nash * 1e3:.1f} ms, KS {t_ks * 1e3:.1f} ms "
        f"(KS/Nash {t_ks / t_nash:.2f})"
    )


if __name__ == "__main__":
    main()
