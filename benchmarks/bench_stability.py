"""Speed and memory of the trilateral stability evaluation (9 cases x 2 postures x samples).

Prints, with ratios against baselines measured in the same run:

1. One evaluation at 1,000 samples (real 2025 forces cut to tri-new-start, and the notional
   forces of tests/notional.py): the default path (exact branch-and-bound spend
   search, the 24 strikes searched together, chunked) against the exhaustive one-warhead grid
   search (``KentThalerParams(search="grid")``, the reference, same chunks); both give the
   same answers, which is checked. Target: under 0.15 s.
2. The fixed costs of one ``run_stability`` call: the alert levels parsed with libyaml's
   ``CSafeLoader`` against the pure-Python ``SafeLoader``; the three postures built from the
   per-dataset index against building them with the index dropped each time.
3. Peak traced memory (tracemalloc) at 1k, 10k and 100k samples, chunked (default) and, up
   to 10k, unchunked (all rows in one chunk), with the size of the result arrays themselves
   (the per-sample costs that are the output). Target: flat in the sample count beyond one
   chunk, apart from the output.

Times are CPU seconds (the least of several runs; the evaluation is single-threaded
elementwise NumPy), since the machine may be shared. No assertions on time.
Run: ``.venv/bin/python benchmarks/bench_stability.py``
(``--quick`` skips the 100k-sample memory run).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from summary import emit

import tripolar.forces.build as build_mod
import tripolar.io_yaml as io_yaml
from notional import notional_forces
from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.first_strike import KentThalerParams
from tripolar.exchange.montecarlo import real_forces
from tripolar.forces import build_posture
from tripolar.stability.run import MonteCarloResult, run_monte_carlo, run_stability
from tripolar.treaty import load_treaty

N = 1000
PARTIES = ("US", "RU", "CN")


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Least CPU time of ``repeat`` calls (CPU time: the machine may be shared)."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return float(best)


def same(a: MonteCarloResult, b: MonteCarloResult) -> bool:
    return all(
        np.array_equal(x.c1, y.c1) and np.array_equal(x.c2, y.c2) and x.driver == y.driver
        for q in a.by_posture
        for x, y in zip(a.by_posture[q].ratios, b.by_posture[q].ratios, strict=True)
    )


def result_mib(mc: MonteCarloResult) -> float:
    n = 0
    for res in mc.by_posture.values():
        n += sum(c.c1.nbytes + c.c2.nbytes + c.r.nbytes for c in res.ratios)
        n += sum(v.nbytes for v in res.survivors.values())
    return n / 2**20


def main() -> None:
    levels = load_alert_levels()
    ps = {p: build_posture(p, 2025) for p in PARTIES}
    real, _, _ = real_forces(ps, levels, treaty=load_treaty("tri-new-start"))
    grid = KentThalerParams(search="grid")
    print(f"1. one evaluation, 9 cases x 2 postures x {N} samples (best of 5; target < 0.15 s)")
    for name, forces in (
        ("real forces, tri-new-start", real),
        ("notional forces", notional_forces()),
    ):
        run_monte_carlo(forces, levels, n_samples=16, seed=0)  # warm-up
        fast = best_of(lambda f=forces: run_monte_carlo(f, levels, n_samples=N, seed=1), 5)
        t0 = time.process_time()
        ref = run_monte_carlo(forces, levels, n_samples=N, seed=1, params=grid)
        t_grid = time.process_time() - t0
        ok = same(run_monte_carlo(forces, levels, n_samples=N, seed=1), ref)
        print(
            f"   {name:27s}: {fast:.3f} s; exhaustive grid search {t_grid:.2f} s;"
            f" speed-up {t_grid / fast:.0f}x; same answers: {'yes' if ok else 'NO'}"
        )
        emit(
            "bench_stability",
            f"one evaluation, 9 cases x 2 postures x {N:,d} samples ({name})",
            f"{fast:.3f} s ({t_grid / fast:.0f}x the grid search; same answers: "
            f"{'yes' if ok else 'NO'})",
            "< 0.15 s",
            fast < 0.15 and ok,
        )
    for n in (100, 10_000):
        t = best_of(lambda n=n: run_monte_carlo(real, levels, n_samples=n, seed=1), 3)
        print(f"   real forces at {n:>6,d} samples: {t:.3f} s ({t / n * 1e3:.3f} ms per sample)")

    print("2. fixed costs of one run_stability call (best of 5)")
    t_c = best_of(load_alert_levels, 5)
    io_yaml.SAFE_LOADER, saved = io_yaml.yaml.SafeLoader, io_yaml.SAFE_LOADER
    t_py = best_of(load_alert_levels, 5)
    io_yaml.SAFE_LOADER = saved
    print(
        f"   alert levels: libyaml {t_c * 1e3:.1f} ms, pure-Python loader {t_py * 1e3:.1f} ms"
        f" ({t_py / t_c:.1f}x)  [loader: {saved.__name__}]"
    )
    t_warm = best_of(lambda: [build_posture(p, 2025) for p in PARTIES], 5)

    def cold() -> None:
        build_mod._INDEXES.clear()
        for p in PARTIES:
            build_posture(p, 2025)

    t_cold = best_of(cold, 5)
    print(
        f"   three postures: indexed {t_warm * 1e3:.1f} ms, index rebuilt each call"
        f" {t_cold * 1e3:.1f} ms ({t_cold / t_warm:.1f}x)"
    )
    treaty = load_treaty("tri-new-start")
    t_100 = best_of(lambda: run_stability(treaty, levels, n_samples=100, seed=1), 5)
    t_1k = best_of(lambda: run_stability(treaty, levels, n_samples=N, seed=1), 3)
    print(
        f"   run_stability(tri-new-start): {t_100 * 1e3:.0f} ms at 100 samples,"
        f" {t_1k * 1e3:.0f} ms at {N}"
    )

    print("3. peak traced memory (MiB) and the result arrays' own size")
    sizes = (1_000, 10_000) if "--quick" in sys.argv else (1_000, 10_000, 100_000)
    working: dict[int, float] = {}
    for n in sizes:
        for label, chunk in (("chunked", None), ("unchunked", 2 * n)):
            if chunk is not None and n > 10_000:
                continue
            kw = {} if chunk is None else {"chunk_rows": chunk}
            tracemalloc.start()
            mc = run_monte_carlo(real, levels, n_samples=n, seed=1, **kw)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            out = result_mib(mc)
            del mc
            print(
                f"   {n:>7,d} samples {label:9s}: peak {peak:8.1f} MiB;"
                f" result arrays {out:7.1f} MiB;"
                f" peak less result {peak - out:7.1f} MiB"
            )
            if chunk is None:
                working[n] = peak - out
    big = max(working)
    growth = working[big] / working[sizes[0]]
    emit(
        "bench_stability",
        f"working memory (peak less result), {big:,d} vs {sizes[0]:,d} samples",
        f"{working[big]:.1f} vs {working[sizes[0]]:.1f} MiB ({growth:.2f}x for "
        f"{big // sizes[0]}x the samples)",
        "flat beyond one chunk (< 2x)",
        growth < 2.0,
    )


if __name__ == "__main__":
    main()
