"""Speed of a sweep on Dask: a slice of examples/sweep-large.yaml, extrapolated to 10^5 points.

In one run: (1) the slice's first ``POINTS`` points (default 2,000) at the file's 100 samples
on a LocalCluster of 1 worker and of 2 workers (processes, one thread each; the cluster's
start-up is not counted), each into a fresh results folder; (2) ``OAT`` of the same points
evaluated one at a time through the public API (``run_stability`` per variant, stability
only, so the comparison flatters the one-at-a-time side); (3) Dask's per-chunk overhead:
the 1-worker wall time minus the summed task compute, per chunk, against the task compute.
Targets (issue 13): 10^5 x 100 on 2 cores under 5 min (<= 6 ms/point), >= 10x cheaper per
point than one at a time, >= 80% parallel efficiency 1 -> 2 workers, overhead < 5%.

Times are wall seconds on a possibly shared machine. No assertions on time.
Run: ``.venv/bin/python benchmarks/bench_sweep.py [POINTS] [OAT]``
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

from tripolar.context import EvaluationContext
from tripolar.exchange.alert import load_alert_levels
from tripolar.stability.run import run_stability
from tripolar.sweep.family import base_treaty, point_context, variant
from tripolar.sweep.spec import load_sweep_file, point_values

LARGE = Path(__file__).parents[1] / "examples" / "sweep-large.yaml"


def main() -> None:
    from distributed import Client, LocalCluster

    points = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    oat = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    full = load_sweep_file(LARGE)
    spec = full.model_copy(
        update={
            "name": "large-slice",
            "design": full.design,
            # a slice: the first `points` points of the large grid's numbering
            "axes": full.axes,
        }
    )
    n_chunks = -(-points // spec.chunk_points)
    print(
        f"slice of {LARGE.name}: {points} of {full.n_points} points, {spec.samples} samples, "
        f"chunks of {spec.chunk_points} ({n_chunks} chunks)"
    )

    walls: dict[int, float] = {}
    tasks: dict[int, list[float]] = {}
    for nw in (1, 2):
        cluster = LocalCluster(
            n_workers=nw,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        # warm the workers (imports, bundled data) outside the timing
        client.run(lambda: __import__("tripolar.sweep.evaluate"))
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "r"
            from tripolar.sweep import execute

            t0 = time.perf_counter()
            run = _run_slice(execute, spec, out, client, n_chunks)
            walls[nw] = time.perf_counter() - t0
            tasks[nw] = run
        client.close()
        cluster.close()
        print(
            f"{nw} worker(s): {walls[nw]:.1f} s wall, {1e3 * walls[nw] / points:.1f} ms/point, "
            f"task compute {sum(tasks[nw]):.1f} s"
        )

    base = base_treaty(spec)
    bundled = load_alert_levels()
    ctx0 = EvaluationContext(year=spec.year, seed=spec.seed, samples=spec.samples)
    pts = point_values(spec, 0, oat)
    t0 = time.perf_counter()
    for i, vals in enumerate(pts):
        ctx, levels = point_context(spec, vals, ctx0, bundled)
        run_stability(variant(base, spec, vals, i), levels, context=ctx)
    oat_ms = 1e3 * (time.perf_counter() - t0) / oat
    sweep_ms_1 = 1e3 * walls[1] / points
    sweep_ms_2 = 1e3 * walls[2] / points
    eff = walls[1] / (2 * walls[2])
    overhead = (walls[1] - sum(tasks[1])) / sum(tasks[1])
    per_chunk_ms = 1e3 * sum(tasks[1]) / n_chunks
    over_chunk_ms = 1e3 * (walls[1] - sum(tasks[1])) / n_chunks
    t_full = full.n_points * sweep_ms_2 / 1e3
    print(f"one at a time (run_stability, {oat} points): {oat_ms:.1f} ms/point")
    print(
        f"sweep per point on 1 worker: {sweep_ms_1:.1f} ms ({oat_ms / sweep_ms_1:.2f}x cheaper "
        f"than one at a time; target >= 10x)"
    )
    print(f"parallel efficiency 1 -> 2 workers: {100 * eff:.0f}% (target >= 80%)")
    print(
        f"per chunk: compute {per_chunk_ms:.0f} ms, Dask overhead {over_chunk_ms:.0f} ms "
        f"({100 * overhead:.1f}%; target < 5%)"
    )
    print(
        f"extrapolated: {full.n_points} points x {spec.samples} samples on 2 workers: "
        f"{t_full / 60:.1f} min ({sweep_ms_2:.1f} ms/point; target < 5 min, <= 6 ms/point)"
    )


def _run_slice(execute, spec, out: Path, client, n_chunks: int) -> list[float]:
    """run_sweep over the first n_chunks chunks only (the others are marked present)."""
    from distributed import as_completed

    spec_json = spec.model_dump_json()
    futs = [
        client.submit(execute._task, spec_json, c, pure=False, retries=3) for c in range(n_chunks)
    ]
    out.mkdir(parents=True)
    secs = []
    for f in as_completed(futs):
        chunk, data, s = f.result()
        execute.write_atomic(execute.chunk_file(out, chunk), data)
        secs.append(s)
    return secs


if __name__ == "__main__":
    main()
