"""Run every benchmark (``make bench``): each ``bench_*.py`` and ``web_load.py`` of this
folder, one after the other, each in its own Python process (so that one's imports, caches
and threads do not change another's figures), with this interpreter.

Each prints its own figures, ratios and targets; this script prints a line per benchmark
with its wall time, and exits 1 if one of them failed (the others still run).

Run: ``python benchmarks/run_all.py [NAME ...]`` (e.g. ``web_load bench_startup``; default:
all of them).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def scripts(names: list[str] | None = None) -> list[Path]:
    """The benchmark scripts, in name order (``names``: only these, without ``.py``)."""
    found = [*sorted(HERE.glob("bench_*.py")), HERE / "web_load.py"]
    if not names:
        return found
    by_name = {p.stem: p for p in found}
    unknown = [n for n in names if n.removesuffix(".py") not in by_name]
    if unknown:
        raise SystemExit(f"error: no benchmark {unknown[0]!r} (one of: {', '.join(by_name)})")
    return [by_name[n.removesuffix(".py")] for n in names]


def main(argv: list[str]) -> int:
    done: list[tuple[str, int, float]] = []
    for script in scripts(argv):
        print(f"== {script.name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run([sys.executable, str(script)], check=False).returncode
        done.append((script.name, rc, time.perf_counter() - t0))
        print(flush=True)
    print("== summary")
    for name, rc, wall in done:
        print(f"  {name:<24} {'ok' if rc == 0 else f'FAILED (exit {rc})':<18} {wall:7.1f} s")
    return 0 if all(rc == 0 for _, rc, _ in done) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
