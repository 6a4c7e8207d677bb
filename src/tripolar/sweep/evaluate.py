"""One chunk of a sweep: its points evaluated, one result row per point.

:func:`evaluate_chunk` is a pure function of ``(sweep file, chunk id)``: the file fixes the
points (and its content hash names them), the chunk id picks points
``chunk * chunk_points`` onwards, and every point is evaluated with the sweep's seed (common
random numbers: two points differ only by their axes, not by their draws). Points of a chunk
that share a context (rule and parameter axes) go through one call of
:func:`tripolar.stability.batch.evaluate_variants`, which gives each variant the report it
would have alone; so a row does not depend on which chunk or worker computed it.

Columns per point (medians and 5-95% bands over the point's samples):

- ``point``, ``chunk`` and each axis by its name;
- per posture and case (``generated|US->RU``, ``generated|US+RU->CN``, ...): ``survivors_*``
  (the victim's surviving warheads) and each stability ratio ``r_<party>_*`` and ``fsi_*``
  with suffixes ``median``, ``p05``, ``p95``;
- ``least_case``, ``least_party``, ``least_posture``, ``least_r`` (the smallest median ratio,
  as the stability report names it), ``r_min_median`` and ``r_min_p05`` (the smallest median
  and 5% bound over every ``r``);
- per party: ``verdict_<P>`` (today's force against the variant, ``complies``/``exceeds``/
  ``undetermined``), ``upload_headroom_<P>`` (warheads or launchers: the smallest ceiling
  minus count after upload, reserve-limited, over the variant's limits; negative = upload
  breaks a ceiling; NaN where not computable), ``utility_<P>`` (against no deal, the
  assessment's negotiation rule) and ``in_zopa`` (every utility > 0).
"""

from __future__ import annotations

import math
from typing import Any

from tripolar.context import EvaluationContext
from tripolar.negotiation.evaluate import build_baseline, no_deal_outcome, treaty_outcomes
from tripolar.negotiation.profiles import load_profiles
from tripolar.negotiation.utility import utility
from tripolar.stability.batch import evaluate_variants
from tripolar.stability.run import StabilityReport, paused_gc
from tripolar.sweep.family import base_treaty, context_key, point_context, variant
from tripolar.sweep.spec import SweepFile, point_values
from tripolar.treaty.compliance import evaluate
from tripolar.treaty.counting import CountCache
from tripolar.treaty.schema import Treaty
from tripolar.treaty.upload import UploadResult, upload_routes, upload_under

__all__ = ["PARTIES", "chunk_bounds", "evaluate_chunk", "stability_columns"]

PARTIES = ("US", "RU", "CN")


def chunk_bounds(spec: SweepFile, chunk: int) -> tuple[int, int]:
    lo = chunk * spec.chunk_points
    return lo, min(lo + spec.chunk_points, spec.n_points)


def stability_columns(report: StabilityReport) -> dict[str, Any]:
    """The stability part of a result row (see the module docstring)."""
    row: dict[str, Any] = {}
    r_med, r_p05 = math.inf, math.inf
    for c in report.cases:
        key = f"{c.posture}|{c.label}"
        sw = c.surviving_warheads
        row[f"{key}|survivors_median"] = sw.median
        row[f"{key}|survivors_p05"] = sw.p05
        row[f"{key}|survivors_p95"] = sw.p95
        for name, b in c.stability_index.items():
            row[f"{key}|{name}_median"] = b.median
            row[f"{key}|{name}_p05"] = b.p05
            row[f"{key}|{name}_p95"] = b.p95
            if name.startswith("r_"):
                r_med = min(r_med, b.median)
                r_p05 = min(r_p05, b.p05)
    ls = report.least_stable
    row["least_case"] = str(ls["case"])
    row["least_party"] = str(ls["party"])
    row["least_posture"] = str(ls["posture"])
    row["least_r"] = float(ls["r"])
    row["r_min_median"] = r_med
    row["r_min_p05"] = r_p05
    return row


def _headroom(up: UploadResult) -> float:
    vals = [
        e["ceiling"] - e["count_after_upload_reserve_limited"]
        for e in up.excess().values()
        if e["ceiling"] is not None and e["count_after_upload_reserve_limited"] is not None
    ]
    return float(min(vals)) if vals else math.nan


def _treaty_rows(
    treaties: list[Treaty], ctx: EvaluationContext, neg: tuple[Any, Any, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The treaty part of the result rows of ``treaties`` (variants sharing ``ctx``)."""
    ps = ctx.postures(PARTIES)
    baseline, no_deal, profiles = neg
    # Every variant counts the same postures under the same rules: each count once.
    counts = CountCache()
    evs = [evaluate(t, ps, context=ctx, counts=counts) for t in treaties]
    routes = {p: upload_routes(ps[p]) for p in PARTIES}
    # The baseline counts today's postures of the context, as ``evs`` do: its treaty
    # evaluations are these.
    same = baseline.context == ctx and all(baseline.postures.get(p) is ps[p] for p in PARTIES)
    outcomes = treaty_outcomes(treaties, baseline, evs if same else None)
    rows = []
    for t, ev, outcome in zip(treaties, evs, outcomes, strict=True):
        row: dict[str, Any] = {}
        for p in PARTIES:
            row[f"verdict_{p}"] = ev.parties[p].verdict if p in ev.parties else "not a party"
        for p in PARTIES:
            row[f"upload_headroom_{p}"] = (
                _headroom(upload_under(t, ps[p], routes[p], context=ctx, counts=counts))
                if p in t.parties
                else math.nan
            )
        us = {p: float(utility(profiles[p], outcome, no_deal).total) for p in PARTIES}
        for p in PARTIES:
            row[f"utility_{p}"] = us[p]
        row["in_zopa"] = all(v > 0 for v in us.values())
        rows.append(row)
    return rows


def evaluate_chunk(spec: SweepFile, chunk: int) -> list[dict[str, Any]]:
    """The result rows of chunk ``chunk`` (pure in the sweep file and the chunk id)."""
    with paused_gc():
        return _evaluate_chunk(spec, chunk)


def _evaluate_chunk(spec: SweepFile, chunk: int) -> list[dict[str, Any]]:
    lo, hi = chunk_bounds(spec, chunk)
    base = base_treaty(spec)
    points = point_values(spec, lo, hi)
    base_ctx = EvaluationContext(year=spec.year, seed=spec.seed, samples=spec.samples)
    profiles = load_profiles(PARTIES)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, vals in enumerate(points):
        groups.setdefault(context_key(spec, vals), []).append(i)
    rows: list[dict[str, Any] | None] = [None] * len(points)
    for members in groups.values():
        ctx, levels = point_context(spec, points[members[0]], base_ctx)
        treaties = [variant(base, spec, points[i], lo + i) for i in members]
        reports = evaluate_variants(treaties, ctx)
        baseline = build_baseline(context=ctx, levels=levels)
        neg = (baseline, no_deal_outcome(baseline), profiles)
        treaty_rows = _treaty_rows(treaties, ctx, neg)
        for i, rep, tr in zip(members, reports, treaty_rows, strict=True):
            row: dict[str, Any] = {"point": lo + i, "chunk": chunk}
            row.update({a.name: points[i][a.name] for a in spec.axes})
            row.update(stability_columns(rep))
            row.update(tr)
            rows[i] = row
    return [r for r in rows if r is not None]
