"""Benchmark: start-up time of the ``tripolar`` command against ``import numpy``.

``tripolar --help`` and ``tripolar version`` only parse options, so they should cost about
as much as starting Python with a light library; the target is at most 3x the time of
``python -c "import numpy"``. The baseline runs in the same session, interleaved with the
commands (baseline, --help, version, baseline, ...), so that a busy machine slows all of
them alike; the figures are medians of N runs of each.

Run: ``.venv/bin/python benchmarks/bench_startup.py [N]`` (default N = 9).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from summary import emit

TARGET_RATIO = 3.0


def _tripolar() -> list[str]:
    # The console script installed beside this interpreter, as a user runs it.
    script = Path(sys.executable).with_name("tripolar")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from tripolar.cli.main import run; run()"]


def _seconds(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run(n: int = 9) -> list[dict[str, object]]:
    """Median wall time of each command over ``n`` interleaved runs, as result rows."""
    commands = {
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "tripolar --help": [*_tripolar(), "--help"],
        "tripolar version": [*_tripolar(), "version"],
    }
    for cmd in commands.values():  # warm the file cache once
        _seconds(cmd)
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(n):
        for name, cmd in commands.items():
            times[name].append(_seconds(cmd))
    base_name = "python -c 'import numpy'"
    base = statistics.median(times[base_name])
    rows: list[dict[str, object]] = []
    for name in commands:
        med = statistics.median(times[name])
        rows.append(
            {
                "benchmark": "startup",
                "figure": f"{name} (median of {n})",
                "value": med,
                "unit": "s",
                "baseline": None if name == base_name else base,
                "ratio": None if name == base_name else med / base,
                "target": None if name == base_name else f"<= {TARGET_RATIO:g}x",
            }
        )
    return rows


def main(n: int = 9) -> list[dict[str, object]]:
    rows = run(n)
    print(f"start-up, median of {n} interleaved runs each (target <= {TARGET_RATIO:g}x numpy)")
    for r in rows:
        ratio = "" if r["ratio"] is None else f"   ratio {r['ratio']:.2f}x"
        print(f"  {r['figure']:<42} {r['value']:7.3f} s{ratio}")
        if r["ratio"] is not None:
            emit(
                "bench_startup",
                str(r["figure"]),
                f"{r['value']:.3f} s ({r['ratio']:.2f}x numpy's import)",
                f"<= {TARGET_RATIO:g}x",
                float(r["ratio"]) <= TARGET_RATIO,  # type: ignore[arg-type]
            )
    return rows


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
