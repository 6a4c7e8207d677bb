"""Speed of the kill-probability kernel against a per-warhead pure-Python loop of the same model.

Prints kill-probability terms per second on one core for
:func:`tripolar.exchange.backend.kill_probability_matrix` (weapon x target x sample) and for a
straightforward loop written here (the same closed-form lethal radius, SSKP and reliability, one
term at a time with :mod:`math`), and the ratio of the two measured in the same run. Targets:
>= 20 million terms/s/core and >= 100x. Nothing is asserted.

Run: ``.venv/bin/python benchmarks/bench_kernel.py``
"""

from __future__ import annotations

import os

# One core: set before NumPy loads its BLAS/OpenMP runtimes.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import math  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from tripolar.exchange import effects as fx  # noqa: E402
from tripolar.exchange.backend import kill_probability_matrix  # noqa: E402


def python_loop(
    yield_kt: list[float],
    cep_m: list[list[float]],
    reliability: list[list[float]],
    hardness_psi: list[list[float]],
) -> list[list[list[float]]]:
    """Baseline: the same model, one sample-warhead-target term at a time."""
    out = []
    for cep_s, rel_s, h_s in zip(cep_m, reliability, hardness_psi, strict=True):
        plane = []
        for y, cep, rel in zip(yield_kt, cep_s, rel_s, strict=True):
            row = []
            for h in h_s:
                lr = 1852.0 * 2.62 * (y / 1000.0) ** (1.0 / 3.0) / h ** (1.0 / 3.0)
                row.append(rel * (1.0 - 0.5 ** ((lr / cep) ** 2)))
            plane.append(row)
        out.append(plane)
    return out


def python_loop_package_scalars(
    yield_kt: list[float],
    cep_m: list[list[float]],
    reliability: list[list[float]],
    hardness_psi: list[list[float]],
) -> list[list[list[float]]]:
    """Second baseline: the loop a user would write with the package's scalar functions."""
    out = []
    for cep_s, rel_s, h_s in zip(cep_m, reliability, hardness_psi, strict=True):
        plane = []
        for y, cep, rel in zip(yield_kt, cep_s, rel_s, strict=True):
            row = []
            for h in h_s:
                lr = fx.lethal_radius_m(y, h, check=False)
                tkp = fx.terminal_kill_probability(fx.sskp(lr, cep, check=False), rel, check=False)
                row.append(float(tkp))
            plane.append(row)
        out.append(plane)
    return out


def best_time(fn: Callable[[], object], repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def sampled_inputs(
    rng: np.random.Generator, s: int, w: int, t: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Monte Carlo inputs: yields fixed, CEP and reliability per sample and weapon, hardness per
    sample and target, so every (sample, weapon, target) term needs its own exponential."""
    y = rng.uniform(50.0, 1_000.0, w)
    cep = rng.uniform(50.0, 300.0, (s, w))
    rel = rng.uniform(0.7, 1.0, (s, w))
    h = rng.uniform(500.0, 5_000.0, (s, t))
    return y, cep, rel, h


def main() -> None:
    rng = np.random.default_rng(2024)
    w, t = 40, 2_000

    y, cep, rel, h = sampled_inputs(rng, 2, w, t)
    args = (y.tolist(), cep.tolist(), rel.tolist(), h.tolist())
    terms_py = 2 * w * t
    t_py = best_time(lambda: python_loop(*args), 3)
    rate_py = terms_py / t_py
    max_diff = float(
        np.max(np.abs(np.asarray(python_loop(*args)) - kill_probability_matrix(y, cep, rel, h)))
    )

    print("kill-probability kernel, one core (OMP/OPENBLAS/MKL threads = 1)")
    print(
        f"  pure-Python loop       : {terms_py:>11,d} terms in {t_py:8.4f} s = "
        f"{rate_py / 1e6:8.3f} M terms/s"
    )
    small = (
        args[0][:5],
        [c[:5] for c in args[1]],
        [r[:5] for r in args[2]],
        [hh[:200] for hh in args[3]],
    )
    terms_pkg = 2 * 5 * 200
    t_pkg = best_time(lambda: python_loop_package_scalars(*small), 1)
    print(
        f"  loop of package scalars: {terms_pkg:>11,d} terms in {t_pkg:8.4f} s = "
        f"{terms_pkg / t_pkg / 1e6:8.3f} M terms/s  (second baseline, for context only)"
    )
    rates = []
    for s in (16, 64, 256):
        y, cep, rel, h = sampled_inputs(rng, s, w, t)
        terms = s * w * t
        t_k = best_time(
            lambda y=y, cep=cep, rel=rel, h=h: kill_probability_matrix(y, cep, rel, h), 5
        )
        rates.append(terms / t_k)
        print(
            f"  kernel, all sampled S={s:<3d}: {terms:>11,d} terms in {t_k:8.4f} s = "
            f"{terms / t_k / 1e6:8.3f} M terms/s  speed-up {terms / t_k / rate_py:7.1f}x"
        )
    # Only reliability sampled: the exponentials are shared by the samples (W x T of them).
    s = 256
    y, cep, rel, h = sampled_inputs(rng, s, w, t)
    terms = s * w * t
    t_r = best_time(lambda: kill_probability_matrix(y, cep[0], rel, h[0]), 5)
    print(
        f"  kernel, R sampled S={s:<3d}  : {terms:>11,d} terms in {t_r:8.4f} s = "
        f"{terms / t_r / 1e6:8.3f} M terms/s  speed-up {terms / t_r / rate_py:7.1f}x"
    )
    worst = min(rates)
    print(
        f"  all-sampled kernel: worst {worst / 1e6:.1f}, best {max(rates) / 1e6:.1f} M terms/s/core"
        f" (target >= 20); speed-up {worst / rate_py:.0f}x to {max(rates) / rate_py:.0f}x"
        f" over the inline-math loop (target >= 100x); {worst / (terms_pkg / t_pkg):.0f}x over"
        f" the package-scalar loop; max |kernel - loop| = {max_diff:.2e}"
    )


if __name__ == "__main__":
    main()
