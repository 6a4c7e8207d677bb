"""Figures a benchmark reports for the one summary table of ``make bench``.

A benchmark calls :func:`emit` for each headline figure; when run by ``run_all.py`` (which sets
``TRIPOLAR_BENCH_SUMMARY=1``) the figure is printed as one tagged JSON line that ``run_all.py``
collects into its table; run on its own, a benchmark prints only its usual output.
"""

from __future__ import annotations

import json
import os

TAG = "TRIPOLAR-SUMMARY "


def emit(benchmark: str, figure: str, value: str, target: str, met: bool | None) -> None:
    """One headline figure: what, its value (with unit), its target, and whether it is met
    (``None`` where there is no target)."""
    if os.environ.get("TRIPOLAR_BENCH_SUMMARY") != "1":
        return
    row = {"benchmark": benchmark, "figure": figure, "value": value, "target": target, "met": met}
    print(TAG + json.dumps(row), flush=True)
