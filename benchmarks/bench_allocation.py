"""Greedy allocation, with and without the local search, against the exact MILP: time and gap.

Random weapon-target instances of the kinds the exchange model produces (a few weapon types,
targets in a few classes of identical silos plus some distinct targets), sized so that HiGHS
finishes. For each family the script prints the times of the plain greedy (maximum marginal
return), the improved heuristic (greedy + local search, ``allocate_greedy(improve=True)``) and
the solver, and the relative gaps of both heuristics to the optimum on the same instances
(mean, max, count above 2%; target: within 2%), then both heuristics at scale. Nothing is
asserted.

Run: ``.venv/bin/python benchmarks/bench_allocation.py``
"""

from __future__ import annotations

import time

import numpy as np

from tripolar.exchange.allocation import allocate_exact, allocate_greedy

MAX_VARIABLES = 30_000
TIME_LIMIT_S = 20.0


def instance(
    rng: np.random.Generator, types: int, classes: int, per_class: int, distinct: int, weapons: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kill probabilities from yields/CEPs against hardness classes, values 1..10."""
    n = classes * per_class + distinct
    class_p = rng.uniform(0.3, 0.95, size=(types, classes))
    class_v = rng.integers(1, 11, size=classes).astype(float)
    p = np.concatenate(
        [np.repeat(class_p, per_class, axis=1), rng.uniform(0.2, 0.95, size=(types, distinct))],
        axis=1,
    )
    v = np.concatenate([np.repeat(class_v, per_class), rng.integers(1, 11, distinct).astype(float)])
    counts = rng.multinomial(weapons, np.full(types, 1.0 / types))
    assert p.shape == (types, n)
    return p, counts, v


FAMILIES = [
    # (label, types, classes, per_class, distinct targets, weapons, instances)
    ("2 types, 6 distinct targets, 8 weapons", 2, 0, 0, 6, 8, 20),
    ("3 types, 8 distinct targets, 9 weapons", 3, 0, 0, 8, 9, 20),
    ("2 types, 3 classes x 40 silos, 60 weapons", 2, 3, 40, 0, 60, 10),
    ("2 types, 3 classes x 40 silos, 150 weapons", 2, 3, 40, 0, 150, 10),
    ("3 types, 2 classes x 30 silos + 2 others, 30 weapons", 3, 2, 30, 2, 30, 10),
]


def _summary(gaps: list[float]) -> str:
    return (
        f"mean {100 * np.mean(gaps):6.3f}%, max {100 * np.max(gaps):6.3f}%,"
        f" {sum(g > 0.02 for g in gaps):2d} above 2%"
    )


def main() -> None:
    rng = np.random.default_rng(1959)
    print("greedy MMR and greedy + local search versus exact MILP (HiGHS), same instances")
    all_plain: list[float] = []
    all_improved: list[float] = []
    for label, types, classes, per_class, distinct, weapons, count in FAMILIES:
        plain_gaps: list[float] = []
        improved_gaps: list[float] = []
        t_plain = t_improved = t_exact = 0.0
        skipped = 0
        for _ in range(count):
            p, counts, v = instance(rng, types, classes, per_class, distinct, weapons)
            t0 = time.perf_counter()
            plain = allocate_greedy(p, counts, v, improve=False)
            t1 = time.perf_counter()
            improved = allocate_greedy(p, counts, v, improve=True)
            t2 = time.perf_counter()
            exact = allocate_exact(
                p, counts, v, max_variables=MAX_VARIABLES, time_limit_s=TIME_LIMIT_S
            )
            t3 = time.perf_counter()
            if exact.result is None:
                skipped += 1
                continue
            t_plain += t1 - t0
            t_improved += t2 - t1
            t_exact += t3 - t2
            opt = exact.result.surviving_value
            plain_gaps.append((plain.surviving_value - opt) / opt if opt > 0 else 0.0)
            improved_gaps.append((improved.surviving_value - opt) / opt if opt > 0 else 0.0)
        solved = len(plain_gaps)
        all_plain.extend(plain_gaps)
        all_improved.extend(improved_gaps)
        print(f"  {label}:")
        if solved == 0:
            print(f"    solver finished none of {count}")
            continue
        print(
            f"    {solved}/{count} solved"
            + (f" ({skipped} not finished)" if skipped else "")
            + f"; mean time greedy {1e3 * t_plain / solved:.2f} ms, greedy + local search"
            f" {1e3 * t_improved / solved:.2f} ms, exact {1e3 * t_exact / solved:.1f} ms"
        )
        print(f"    gap greedy               : {_summary(plain_gaps)}")
        print(f"    gap greedy + local search: {_summary(improved_gaps)}")
    if all_plain:
        print(f"  overall, {len(all_plain)} instances (target: every gap <= 2%):")
        print(f"    greedy               : {_summary(all_plain)}")
        print(f"    greedy + local search: {_summary(all_improved)}")

    # Both heuristics at scale: 5 types, 5,000 targets (20 silo classes + 1,000 distinct).
    p, counts, v = instance(rng, 5, 20, 200, 1_000, 12_000)
    for improve in (False, True):
        t0 = time.perf_counter()
        big = allocate_greedy(p, counts, v, improve=improve)
        dt = time.perf_counter() - t0
        name = "greedy + local search" if improve else "greedy              "
        print(
            f"  at scale, {name}: 5 types, {p.shape[1]:,} targets,"
            f" {int(counts.sum()):,} weapons in {dt:.3f} s; surviving value"
            f" {big.surviving_value:.1f} of {big.total_value:.0f}"
        )


if __name__ == "__main__":
    main()
