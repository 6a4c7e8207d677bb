"""Run every benchmark (``make bench``): each ``bench_*.py`` and ``web_load.py`` of this
folder, one after the other, each in its own Python process (so that one's imports, caches
and threads do not change another's figures), with this interpreter.

Each prints its own figures, ratios and targets; this script then prints one summary table
of the headline figures the benchmarks report (:mod:`summary`), a line per benchmark with its
wall time, and exits 1 if one of them failed (the others still run).

Run: ``python benchmarks/run_all.py [NAME ...]`` (e.g. ``web_load bench_startup``; default:
all of them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from summary import TAG

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


def run(script: Path, figures: list[dict[str, Any]]) -> int:
    """Run one benchmark, passing its output through and keeping its summary figures."""
    env = {**os.environ, "TRIPOLAR_BENCH_SUMMARY": "1"}
    with subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(TAG):
                figures.append(json.loads(line[len(TAG) :]))
            else:
                print(line, end="", flush=True)
    return proc.returncode


def table(figures: list[dict[str, Any]]) -> list[str]:
    """The summary table's lines."""
    head = ("benchmark", "figure", "value", "target", "met")
    rows = [
        (
            f["benchmark"],
            f["figure"],
            f["value"],
            f["target"],
            "-" if f["met"] is None else ("met" if f["met"] else "NOT MET"),
        )
        for f in figures
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    return [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]
    ]


def main(argv: list[str]) -> int:
    done: list[tuple[str, int, float]] = []
    figures: list[dict[str, Any]] = []
    for script in scripts(argv):
        print(f"== {script.name}", flush=True)
        t0 = time.perf_counter()
        rc = run(script, figures)
        done.append((script.name, rc, time.perf_counter() - t0))
        print(flush=True)
    if figures:
        print("== figures and targets")
        for line in table(figures):
            print("  " + line)
        print()
    print("== summary")
    for name, rc, wall in done:
        print(f"  {name:<24} {'ok' if rc == 0 else f'FAILED (exit {rc})':<18} {wall:7.1f} s")
    return 0 if all(rc == 0 for _, rc, _ in done) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
