"""The treaty part of a sweep's rows, computed for a group of variants together, equals
the columns built one variant at a time from the plain functions (``==``, NaN for NaN)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from tripolar.context import EvaluationContext
from tripolar.negotiation.evaluate import build_baseline, no_deal_outcome, treaty_outcome
from tripolar.negotiation.profiles import load_profiles
from tripolar.negotiation.utility import utility
from tripolar.sweep.evaluate import PARTIES, _headroom, _treaty_rows
from tripolar.sweep.family import base_treaty, point_context, variant
from tripolar.sweep.spec import load_sweep_file, point_values
from tripolar.treaty import evaluate
from tripolar.treaty.upload import upload_potential

EXAMPLES = Path(__file__).parents[2] / "examples"


def _alone(t, ctx, neg) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    ps = ctx.postures(PARTIES)
    baseline, no_deal, profiles = neg
    ev = evaluate(t, ps, context=ctx)
    row: dict[str, Any] = {f"verdict_{p}": ev.parties[p].verdict for p in PARTIES}
    for p in PARTIES:
        row[f"upload_headroom_{p}"] = (
            _headroom(upload_potential(t, ps[p], context=ctx)) if p in t.parties else math.nan
        )
    outcome = treaty_outcome(t, baseline)
    us = {p: float(utility(profiles[p], outcome, no_deal).total) for p in PARTIES}
    row.update({f"utility_{p}": us[p] for p in PARTIES})
    row["in_zopa"] = all(v > 0 for v in us.values())
    return row


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if list(a) != list(b):
        return False
    return all(
        (isinstance(a[k], float) and math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k]
        for k in a
    )


def test_treaty_rows_equal_one_variant_at_a_time() -> None:
    spec = load_sweep_file(EXAMPLES / "sweep-large.yaml")
    base = base_treaty(spec)
    # one context: points of the first block, from tight ceilings to loose ones
    picks = [0, 1, 7, 10, 99, 450, 1999, 3001, 4999]
    vals = [point_values(spec, i, i + 1)[0] for i in picks]
    ctx, levels = point_context(
        spec, vals[0], EvaluationContext(year=spec.year, seed=spec.seed, samples=spec.samples)
    )
    treaties = [variant(base, spec, v, i) for v, i in zip(vals, picks, strict=True)]
    baseline = build_baseline(context=ctx, levels=levels)
    neg = (baseline, no_deal_outcome(baseline), load_profiles(PARTIES))
    rows = _treaty_rows(treaties, ctx, neg)
    alone = [_alone(t, ctx, neg) for t in treaties]
    assert all(_same(r, a) for r, a in zip(rows, alone, strict=True))
    # the variants differ where it matters
    assert len({r["utility_US"] for r in rows}) > 3
    assert {r["verdict_US"] for r in rows} >= {"exceeds"}
