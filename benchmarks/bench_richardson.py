"""Speed of the Richardson ODE fit on the longest window of the bundled series (1945-2025).

Prints seconds for the whole fit (exact Jacobian from the sensitivity equations, eigen
route) and, measured in the same run, the cost of one Jacobian three ways: the eigen route,
the block matrix exponential route, and the former baseline (two-point finite differences
of residuals that call one matrix exponential per year). The former fit needed ~450
Jacobians on this window, which is why it ran for about a minute. No assertions on time.

Run: .venv/bin/python benchmarks/bench_richardson.py
"""

from __future__ import annotations

import time

import numpy as np
from scipy.linalg import expm
from scipy.optimize._numdiff import approx_derivative

from tripolar.projection.history import fit_dataset_history, stockpile_history
from tripolar.projection.richardson import (
    _augmented,
    _jacobian_by_blocks,
    _solve_with_jacobian,
    _unpack,
    system_matrix,
)


def _baseline_residuals(theta, n, free, tau, x, scale):  # type: ignore[no-untyped-def]
    k, a, g, x0 = _unpack(theta, n, free, True)
    aug = _augmented(system_matrix(k, a), g)
    z0 = np.append(x0, 1.0)
    model = np.array([(expm(aug * t) @ z0)[:-1] for t in tau])
    return ((model - x) / scale).ravel()


def _per_call(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat


def main() -> None:
    t0 = time.perf_counter()
    fit = fit_dataset_history(year_min=1945)
    fit_s = time.perf_counter() - t0
    wide = stockpile_history().pivot_table(index="year", columns="state", values="value")
    x = wide.loc[fit.years.astype(int), list(fit.names)].to_numpy(dtype=float)
    tau = fit.years - fit.years[0]
    scale = np.abs(x).max(axis=0)
    free, theta = fit.free_reaction, fit.params
    eig = _per_call(lambda: _solve_with_jacobian(theta, 3, free, tau), 50)
    blocks = _per_call(lambda: _jacobian_by_blocks(theta, 3, free, tau), 10)
    base = _per_call(
        lambda: approx_derivative(
            lambda th: _baseline_residuals(th, 3, free, tau, x, scale), theta, method="2-point"
        ),
        5,
    )
    print(f"fit 1945-2025 ({fit.years.size} years, converged={fit.converged}): {fit_s:.2f} s")
    print(f"one Jacobian: eigen route {eig * 1e3:.2f} ms, block expm {blocks * 1e3:.2f} ms,")
    print(f"  baseline 2-point differences {base * 1e3:.1f} ms ({base / eig:.0f}x the eigen route)")


if __name__ == "__main__":
    main()
