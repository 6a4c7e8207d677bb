"""Design-space sweeps: which treaties keep all three stable, and which assumptions decide it.

A sweep file (:mod:`tripolar.sweep.spec`) names a family of treaty variants and parameter
axes; :func:`run_sweep` evaluates its points on Dask in chunks written as Parquet
(:mod:`tripolar.sweep.execute`); :func:`load` reads them back; :mod:`tripolar.sweep.analysis`
finds the all-stable set, its intersection with the ZOPA, the sensitivities, and the
nearest all-stable variant of a treaty.
"""

from __future__ import annotations

from tripolar.sweep.execute import run_sweep
from tripolar.sweep.results import load
from tripolar.sweep.spec import SweepFile, load_sweep_file, sweep_hash, sweep_json_schema

__all__ = ["SweepFile", "load", "load_sweep_file", "run_sweep", "sweep_hash", "sweep_json_schema"]
