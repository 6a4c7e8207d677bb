"""Benchmark: inspections_needed at N = 10^6 (log-space bisection).

Baseline in the same run: a linear scan over n with SciPy's hypergeometric survival
(``1 - hypergeom.pmf(0)``), on a smaller population where the scan is feasible.
Run: ``.venv/bin/python benchmarks/bench_inspection.py``.
"""

from __future__ import annotations

import resource
import time

from scipy.stats import hypergeom

from tripolar.verification.inspection import inspections_needed


def linear_scan(n_items: int, d: int, c: float) -> int:
    for n in range(n_items + 1):
        if 1.0 - hypergeom(n_items, d, n).pmf(0) >= c:
            return n
    return -1


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    # Peak resident memory of the whole process so far (Linux reports KiB).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{label:<52} {dt * 1e3:10.3f} ms  process peak RSS {peak / 2**20:6.1f} MiB  -> {out}")
    return out, dt


def main() -> None:
    big = 1_000_000
    for d, c, p in [(100, 0.95, 1.0), (100, 0.95, 0.9), (10_000, 0.99, 0.5), (500_000, 0.999, 0.3)]:
        _timed(
            f"N=10^6 d={d} c={c} p={p}",
            lambda d=d, c=c, p=p: inspections_needed(big, d, c, p).inspections_needed,
        )
    n_small, d_small = 5_000, 10
    print(f"\nbaseline on N={n_small}, d={d_small}, c=0.95 (same run):")
    r_scan, t_scan = _timed(
        "linear scan with scipy.stats.hypergeom", lambda: linear_scan(n_small, d_small, 0.95)
    )
    r_bis, t_bis = _timed(
        "tripolar bisection", lambda: inspections_needed(n_small, d_small, 0.95).inspections_needed
    )
    assert r_scan == r_bis
    print(f"speed ratio scan / bisection: {t_scan / t_bis:.1f}x")


if __name__ == "__main__":
    main()
