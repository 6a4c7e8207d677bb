"""Speed of the kill-probability kernel against per-warhead pure-Python loops of the same model.

Prints kill-probability terms per second on one core for
:func:`tripolar.exchange.backend.kill_probability_matrix` (weapon x target x sample) and for
two loops written here over samples x warheads x targets, with the ratios measured in the same
run:

- the *straightforward per-warhead loop*: small plain-Python helpers (lethal radius, SSKP,
  terminal kill probability, written here with :mod:`math`), one call of each per term, as an
  analyst would write the model (the baseline of the ">= 100x" requirement);
- the *inline-math loop*: the same arithmetic inlined in the loop body with the cube roots
  written as powers (a harder baseline, kept for comparison).

Targets: >= 20 million terms/s/core and >= 100x over the straightforward loop. Nothing is
asserted.

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


def lethal_radius_m(yield_kt: float, hardness_psi: float) -> float:
    """Closed-form lethal radius, metres (Davis & Schilling 1973; c = 2.62 nmi)."""
    return 1852.0 * 2.62 * (yield_kt / 1000.0) ** (1.0 / 3.0) / hardness_psi ** (1.0 / 3.0)


def sskp(lethal_radius: float, cep_m: float) -> float:
    """Single-shot kill probability 1 - 0.5^((LR/CEP)^2)."""
    return 1.0 - math.pow(0.5, (lethal_radius / cep_m) ** 2)


def tkp(single_shot: float, reliability: float) -> float:
    """Terminal kill probability: reliability times SSKP."""
    return reliability * single_shot


def straightforward_loop(
    yield_kt: list[float],
    cep_m: list[list[float]],
    reliability: list[list[float]],
    hardness_psi: list[list[float]],
) -> list[list[list[float]]]:
    """Baseline of the requirement: samples x warheads x targets, one helper call each."""
    out = []
    for s in range(len(cep_m)):
        plane = []
        for w in range(len(yield_kt)):
            row = []
            for t in range(len(hardness_psi[s])):
                lr = lethal_radius_m(yield_kt[w], hardness_psi[s][t])
                row.append(tkp(sskp(lr, cep_m[s][w]), reliability[s][w]))
            plane.append(row)
        out.append(plane)
    return out


def python_loop(
    yield_kt: list[float],
    cep_m: list[list[float]],
    reliability: list[list[float]],
    hardness_psi: list[list[float]],
) -> list[list[list[float]]]:
    """Harder baseline: the same model with the arithmetic inlined, one term at a time."""
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

    t_plain = best_time(lambda: straightforward_loop(*args), 3)
    rate_plain = terms_py / t_plain
    plain_diff = float(
        np.max(
            np.abs(
                np.asarray(straightforward_loop(*args)) - kill_probability_matrix(y, cep, rel, h)
            )
        )
    )

    print("kill-probability kernel, one core (OMP/OPENBLAS/MKL threads = 1)")
    print(
        f"  straightforward loop (helper calls): {terms_py:>11,d} terms in {t_plain:8.4f} s = "
        f"{rate_plain / 1e6:8.3f} M terms/s  (baseline of the >= 100x target)"
    )
    print(
        f"  inline-math loop (harder baseline) : {terms_py:>11,d} terms in {t_py:8.4f} s = "
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
            f"{terms / t_k / 1e6:8.3f} M terms/s  speed-up {terms / t_k / rate_plain:6.1f}x"
            f" (straightforward), {terms / t_k / rate_py:6.1f}x (inline-math)"
        )
    # Only reliability sampled: the exponentials are shared by the samples (W x T of them).
    s = 256
    y, cep, rel, h = sampled_inputs(rng, s, w, t)
    terms = s * w * t
    t_r = best_time(lambda: kill_probability_matrix(y, cep[0], rel, h[0]), 5)
    print(
        f"  kernel, R sampled S={s:<3d}  : {terms:>11,d} terms in {t_r:8.4f} s = "
        f"{terms / t_r / 1e6:8.3f} M terms/s  speed-up {terms / t_r / rate_plain:6.1f}x"
        f" (straightforward), {terms / t_r / rate_py:6.1f}x (inline-math)"
    )
    worst = min(rates)
    print(
        f"  all-sampled kernel: worst {worst / 1e6:.1f}, best {max(rates) / 1e6:.1f} M terms/s/core"
        f" (target >= 20)"
    )
    print(
        f"  speed-up over the straightforward per-warhead loop: {worst / rate_plain:.0f}x to"
        f" {max(rates) / rate_plain:.0f}x (target >= 100x)"
    )
    print(
        f"  speed-up over the inline-math loop (harder baseline): {worst / rate_py:.0f}x to"
        f" {max(rates) / rate_py:.0f}x; over the package-scalar loop:"
        f" {worst / (terms_pkg / t_pkg):.0f}x"
    )
    print(f"  max |kernel - loop|: inline-math {max_diff:.2e}, straightforward {plain_diff:.2e}")


if __name__ == "__main__":
    main()
