"""Many treaty variants in one call: forces cut per variant, then one folded Monte Carlo.

:func:`evaluate_variants` is what a sweep calls: for each treaty the three parties' forces of
the context's year are cut to comply under the context's rule
(:func:`tripolar.treaty.force_cut.comply_all`), and then every variant's samples go through
the three-party stability calculus together, the variant axis folded into the sample axis
(rows of ``variant x posture x sample``), so that numpy works on a few large arrays instead of
many small ones.

Determinism: the result is a pure function of ``(treaties, ctx)``. Each variant's samples are
drawn with the context's seed by the rule of :func:`tripolar.stability.run.block_generator`,
exactly as one call of :func:`tripolar.stability.run.run_stability` with that seed draws them,
and every row's result depends on that row's draws only; so a variant's report is the same
whichever other variants are evaluated with it, in whatever order, and equals the one-at-a-time
report (tests check it). Sweeps can therefore split variants across workers freely.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tripolar.exchange.alert import AlertLevels, alert_levels_for
from tripolar.exchange.exchange import PartyState
from tripolar.exchange.first_strike import KentThalerParams
from tripolar.exchange.force import Force
from tripolar.exchange.montecarlo import PARTIES, POSTURE_NAMES, real_forces
from tripolar.stability.run import (
    CHUNK_ROWS,
    RNG_BLOCK,
    MonteCarloResult,
    StabilityReport,
    check_chunk_rows,
    draw_block,
    report_from,
)
from tripolar.stability.tripolar import StabilityRows, stability_rows

if TYPE_CHECKING:
    from tripolar.context import EvaluationContext
    from tripolar.treaty.schema import Treaty

__all__ = ["evaluate_variants", "variant_forces"]


@dataclass(frozen=True)
class _Variant:
    treaty: Any
    forces: dict[str, Force]
    notes: list[str]
    compliance: dict[str, Any]


def _levels(ctx: EvaluationContext) -> AlertLevels:
    """The context's alert levels with its overrides (built once per context)."""
    return alert_levels_for(ctx)


def variant_forces(
    treaty: Treaty | None, ctx: EvaluationContext
) -> tuple[dict[str, Force], list[str], dict[str, Any]]:
    """Exchange forces of the context's year cut to comply with ``treaty`` under ``ctx.rule``;
    returns the forces, the assumptions used and the compliance reports (by party)."""
    return real_forces(
        ctx.postures(PARTIES), _levels(ctx), treaty=treaty, rule=ctx.rule, context=ctx
    )


def _signature(forces: dict[str, Force]) -> tuple[Any, ...]:
    """Variants whose parties have the same systems can share rows."""
    return tuple(
        (k, tuple((s.system_id, s.basing, s.category) for s in f.systems))
        for k, f in forces.items()
    )


def _content_key(forces: dict[str, Force]) -> str:
    """The cut forces' content (every field of every system, by party)."""
    return repr(sorted(forces.items()))


def _fold(
    variants: list[_Variant],
    levels: AlertLevels,
    ctx: EvaluationContext,
    postures: tuple[str, ...],
    params: KentThalerParams,
    chunk_rows: int,
) -> list[dict[str, StabilityRows]]:
    """Per variant and posture, the 9 cases' costs per sample, rows of all variants folded."""
    n = ctx.samples
    n_q = len(postures)
    per_piece = max(1, chunk_rows // n_q)
    # Pieces of one variant's samples, never across a draw block, packed into chunks.
    pieces = [
        (i, lo, min(lo + per_piece, b0 + RNG_BLOCK, n))
        for i in range(len(variants))
        for b0 in range(0, n, RNG_BLOCK)
        for lo in range(b0, min(b0 + RNG_BLOCK, n), per_piece)
    ]
    delta = levels.parameters.reserve_delta.value
    lam = levels.parameters.follow_on_lambda.value
    parties = list(variants[0].forces)
    out: list[dict[str, list[StabilityRows]]] = [{q: [] for q in postures} for _ in variants]
    drawn: dict[tuple[int, int], dict[str, dict[str, PartyState]]] = {}
    start = 0
    while start < len(pieces):
        stop, rows = start, 0
        while stop < len(pieces) and (
            stop == start or rows + n_q * (pieces[stop][2] - pieces[stop][1]) <= chunk_rows
        ):
            rows += n_q * (pieces[stop][2] - pieces[stop][1])
            stop += 1
        chunk = pieces[start:stop]
        for i, lo, _ in chunk:
            key = (i, lo // RNG_BLOCK)
            if key not in drawn:
                drawn[key] = draw_block(variants[i].forces, levels, postures, ctx.seed, key[1], n)
        states: dict[str, list[PartyState]] = {k: [] for k in parties}
        for q in postures:
            for i, lo, hi in chunk:
                b0 = (lo // RNG_BLOCK) * RNG_BLOCK
                blk = drawn[(i, lo // RNG_BLOCK)][q]
                for k in parties:
                    states[k].append(blk[k].take(slice(lo - b0, hi - b0)))
        res = stability_rows(
            {k: PartyState.concat(v) for k, v in states.items()},
            params=params,
            reserve_delta=delta,
            follow_on_lambda=lam,
        )
        at = 0
        for q in postures:
            for i, lo, hi in chunk:
                part = res.take(slice(at, at + hi - lo))
                keep = max(0, min(hi, RNG_BLOCK) - lo)
                out[i][q].append(part.with_gains_of(slice(0, keep)))
                at += hi - lo
        # Draws of blocks every later piece has passed are no longer needed.
        nxt = pieces[stop] if stop < len(pieces) else None
        for key in list(drawn):
            if (
                nxt is None
                or key[0] < nxt[0]
                or (key[0] == nxt[0] and key[1] < nxt[1] // RNG_BLOCK)
            ):
                del drawn[key]
        start = stop
    return [{q: StabilityRows.concat(v[q]) for q in postures} for v in out]


def evaluate_variants(
    treaties: Sequence[Treaty],
    ctx: EvaluationContext,
    *,
    postures: tuple[str, ...] = POSTURE_NAMES,
    chunk_rows: int = CHUNK_ROWS,
) -> list[StabilityReport]:
    """The stability report of each treaty variant, as :func:`run_stability` gives it.

    ``ctx`` supplies the data, year, seed, sample count, force-building rule and alert levels.
    Forces are cut per variant; then the rows of all variants (``chunk_rows`` at a time, so
    memory stays flat in the number of variants and samples) go through one folded Monte
    Carlo. Variants whose cut forces are identical share one Monte Carlo (same draws, same
    forces: the same result). Pure in ``(treaties, ctx)``: see the module docstring for the
    seed rule.
    """
    check_chunk_rows(chunk_rows)
    levels = _levels(ctx)
    params = KentThalerParams()
    variants = []
    for t in treaties:
        forces, notes, compliance = variant_forces(t, ctx)
        variants.append(_Variant(t, forces, notes, compliance))
    # Variants whose cut forces are the same (a ceiling that binds no party, or binds the
    # same way) have the same draws and the same Monte Carlo: evaluated once.
    first: dict[str, int] = {}
    same_as = [first.setdefault(_content_key(v.forces), i) for i, v in enumerate(variants)]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i in sorted(set(same_as)):
        groups.setdefault(_signature(variants[i].forces), []).append(i)
    results: dict[int, MonteCarloResult] = {}
    for members in groups.values():
        folded = _fold([variants[i] for i in members], levels, ctx, postures, params, chunk_rows)
        for i, rows in zip(members, folded, strict=True):
            results[i] = MonteCarloResult(
                seed=ctx.seed,
                n_samples=ctx.samples,
                by_posture={q: r.result(q) for q, r in rows.items()},
            )
    # A shared Monte Carlo has one report; each variant gets it with its own treaty,
    # compliance and cut notes (the level assumptions depend on the forces only).
    reports: list[StabilityReport] = []
    built: dict[int, tuple[StabilityReport, int]] = {}
    for i, v in enumerate(variants):
        own = [f"forces: dataset estimates for {ctx.year}", *v.notes]
        j = same_as[i]
        if j not in built:
            rep = report_from(
                results[j],
                v.forces,
                levels,
                postures=postures,
                treaty=v.treaty.id,
                rule=ctx.rule,
                assumptions=own,
                compliance=v.compliance,
            )
            built[j] = (rep, len(own))
        else:
            first, n_own = built[j]
            rep = replace(
                first,
                treaty=v.treaty.id,
                compliance=v.compliance or {},
                assumptions=(*own, *first.assumptions[n_own:]),
                forces=v.forces,
            )
        reports.append(rep)
    return reports
