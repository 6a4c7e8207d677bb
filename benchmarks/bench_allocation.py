"""Greedy maximum-marginal-return allocation against the exact MILP: time and gap.

Random weapon-target instances of the kinds the exchange model produces (a few weapon types,
targets in a few classes of identical silos plus some distinct targets), sized so that HiGHS
finishes. For each family the script prints the greedy's and the solver's times and the greedy's
relative gap to the optimum (target: within 2%), then one greedy-only run at scale. Nothing is
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


def main() -> None:
    rng = np.random.default_rng(1959)
    print("greedy MMR versus exact MILP (HiGHS) on random instances the solver finishes")
    all_gaps: list[float] = []
    for label, types, classes, per_class, distinct, weapons, count in FAMILIES:
        gaps, t_greedy, t_exact, skipped = [], 0.0, 0.0, 0
        for _ in range(count):
            p, counts, v = instance(rng, types, classes, per_class, distinct, weapons)
            t0 = time.perf_counter()
            greedy = allocate_greedy(p, counts, v)
            t1 = time.perf_counter()
            exact = allocate_exact(
                p, counts, v, max_variables=MAX_VARIABLES, time_limit_s=TIME_LIMIT_S
            )
            t2 = time.perf_counter()
            if exact.result is None:
                skipped += 1
                continue
            t_greedy += t1 - t0
            t_exact += t2 - t1
            opt = exact.result.surviving_value
            gaps.append((greedy.surviving_value - opt) / opt if opt > 0 else 0.0)
        solved = len(gaps)
        all_gaps.extend(gaps)
        if solved == 0:
            print(f"  {label}: solver finished none of {count}")
            continue
        print(
            f"  {label}: {solved}/{count} solved; mean time greedy {1e3 * t_greedy / solved:7.2f}"
            f" ms, exact {1e3 * t_exact / solved:8.1f} ms ({t_exact / max(t_greedy, 1e-9):.0f}x);"
            f" gap mean {100 * np.mean(gaps):.3f}%, max {100 * np.max(gaps):.3f}%"
            + (f"; {skipped} not finished" if skipped else "")
        )
    if all_gaps:
        print(
            f"  overall: {len(all_gaps)} instances, max gap {100 * max(all_gaps):.3f}%"
            f" (target <= 2%), {sum(g > 0.02 for g in all_gaps)} above 2%"
        )

    # Greedy alone at scale: 5 types, 5,000 targets (20 silo classes + 1,000 distinct).
    p, counts, v = instance(rng, 5, 20, 200, 1_000, 12_000)
    t0 = time.perf_counter()
    big = allocate_greedy(p, counts, v)
    dt = time.perf_counter() - t0
    print(
        f"  greedy at scale: 5 types, {p.shape[1]:,} targets, {int(counts.sum()):,} weapons in"
        f" {dt:.3f} s; surviving value {big.surviving_value:.1f} of {big.total_value:.0f}"
    )


if __name__ == "__main__":
    main()
