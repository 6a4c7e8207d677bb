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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from tripolar.exchange.alert import AlertLevels, alert_levels_for
from tripolar.exchange.exchange import PartyState
from tripolar.exchange.first_strike import KentThalerParams
from tripolar.exchange.force import Force, ForceSystem, sample_bounds_of, triangular_quantile
from tripolar.exchange.montecarlo import PARTIES, POSTURE_NAMES, level_assumptions, real_forces
from tripolar.ranges import Range
from tripolar.stability.kent_thaler import stability_ratio
from tripolar.stability.run import (
    CHUNK_ROWS,
    RNG_BLOCK,
    CasePlan,
    DrawLayout,
    StabilityCase,
    StabilityReport,
    assemble_report,
    block_generator,
    case_plan,
    check_chunk_rows,
    paused_gc,
    posture_cases,
    state_bounds,
)
from tripolar.stability.tripolar import StabilityRows, stability_rows

if TYPE_CHECKING:
    from tripolar.context import EvaluationContext
    from tripolar.treaty.schema import Treaty

__all__ = ["evaluate_variants", "variant_forces"]

FloatArray = npt.NDArray[np.float64]
_SYSTEM_FIELDS = tuple(f.name for f in fields(ForceSystem))


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
    treaty: Treaty | None,
    ctx: EvaluationContext,
    memo: dict[Any, Any] | None = None,
) -> tuple[dict[str, Force], list[str], dict[str, Any]]:
    """Exchange forces of the context's year cut to comply with ``treaty`` under ``ctx.rule``;
    returns the forces, the assumptions used and the compliance reports (by party).
    ``memo``: see :func:`tripolar.exchange.montecarlo.real_forces` (one per call of many
    variants: parties no cut changes are built once)."""
    return real_forces(
        ctx.postures(PARTIES), _levels(ctx), treaty=treaty, rule=ctx.rule, context=ctx, memo=memo
    )


def _content_key(forces: dict[str, Force]) -> tuple[Any, ...]:
    """The cut forces' content: every field of every system (ranges by their low, central
    and high values), by party."""

    def value(x: Any) -> Any:
        return (x.low, x.value, x.high) if isinstance(x, Range) else x

    return tuple(
        (k, f.party, tuple(tuple(value(getattr(s, n)) for n in _SYSTEM_FIELDS) for s in f.systems))
        for k, f in sorted(forces.items())
    )


def _signature(forces: dict[str, Force]) -> tuple[Any, ...]:
    """Variants whose parties have the same systems can share rows."""
    return tuple(
        (k, tuple((s.system_id, s.basing, s.category) for s in f.systems))
        for k, f in forces.items()
    )


class _GroupDraws:
    """The draws of a group of variants with the same systems, chunk by chunk.

    Every variant draws sample block ``b`` from the same generator
    (:func:`tripolar.stability.run.block_generator`) in the same order, so all of them take
    the same uniforms; they differ only in the laws of the force figures that the treaty cut
    changed. The uniforms of a block and their values under the first variant's laws are
    computed once; a chunk's rows take those values and recompute only the columns whose laws
    differ from the first variant's. Every cell is the same uniform through the same law as
    :func:`tripolar.stability.run.draw_block` gives that variant, so the numbers are the same.
    """

    def __init__(
        self,
        variants: list[_Variant],
        levels: AlertLevels,
        postures: tuple[str, ...],
        seed: int,
        n_samples: int,
    ) -> None:
        ref = variants[0].forces
        self.layout = DrawLayout.of(ref)
        self.ref = ref
        self.postures = postures
        self.seed = seed
        self.n_samples = n_samples
        # Each variant's force laws side by side (party by party, as in the layout's rows),
        # shape (variants, 3, force columns), and where they differ from the first's.
        self.force_bounds = np.stack([sample_bounds_of(list(v.forces.values())) for v in variants])
        self.changed = (self.force_bounds != self.force_bounds[0]).any(axis=1)
        ends = np.cumsum([6 * j for j in self.layout.n_systems])[:-1]
        ref_bounds = dict(zip(ref, np.split(self.force_bounds[0], ends, axis=1), strict=True))
        self.force_cols = self.layout.force_columns()
        self.bounds = [state_bounds(ref, levels, q, ref_bounds) for q in postures]
        self.force_figures = self.layout.force_figures()
        self._blocks: dict[int, tuple[list[FloatArray], list[list[tuple[FloatArray, FloatArray]]]]]
        self._blocks = {}

    def _block(
        self, block: int
    ) -> tuple[list[FloatArray], list[list[tuple[FloatArray, FloatArray]]]]:
        """Per posture, the uniforms of a block (rows of the layout), and their values under
        the first variant's laws (by party and figure, :meth:`DrawLayout.by_figure`)."""
        hit = self._blocks.get(block)
        if hit is None:
            n_b = min(RNG_BLOCK, self.n_samples - block * RNG_BLOCK)
            us = self.layout.uniforms(block_generator(self.seed, block), n_b, len(self.postures))
            values = [
                self.layout.by_figure(triangular_quantile(u, *b))
                for u, b in zip(us, self.bounds, strict=True)
            ]
            hit = self._blocks[block] = (us, values)
        return hit

    def states(self, segments: list[tuple[int, int, int, int, int]]) -> dict[str, PartyState]:
        """The folded party states of ``segments`` (variant, posture index, block, first row,
        end row within the block), end to end. Blocks no segment uses are let go first."""
        used = {b for _, _, b, _, _ in segments}
        for b in [b for b in self._blocks if b not in used]:
            del self._blocks[b]
        blocks = {b: self._block(b) for b in sorted(used)}
        figures = [
            (
                np.concatenate(
                    [blocks[b][1][q][k][0][:, s0:s1] for _, q, b, s0, s1 in segments], axis=1
                ),
                np.concatenate(
                    [blocks[b][1][q][k][1][:, s0:s1] for _, q, b, s0, s1 in segments], axis=1
                ),
            )
            for k in range(len(self.layout.parties))
        ]
        of = [i for i, *_ in segments]
        changed = np.flatnonzero(self.changed[of].any(axis=0))
        if changed.size:
            sizes = [s1 - s0 for *_, s0, s1 in segments]
            laws = self.force_bounds[of][:, :, changed]
            values = np.empty((sum(sizes), changed.size))
            # A law of zero width gives its mode whatever the uniform.
            exact = (laws[:, 0] == laws[:, 2]).all(axis=0)
            if exact.any():
                values[:, exact] = np.repeat(laws[:, 1][:, exact], sizes, axis=0)
            banded = ~exact
            if banded.any():
                cols = self.force_cols[changed[banded]]
                u_of = {(b, q): blocks[b][0][q][:, cols].T.copy() for _, q, b, _, _ in segments}
                u = np.concatenate([u_of[(b, q)][:, s0:s1] for _, q, b, s0, s1 in segments], 1)
                # Laws per row, a column of draws per row of the arrays (long inner loops).
                lo, mode, hi = np.repeat(laws[:, :, banded].transpose(1, 2, 0), sizes, axis=2)
                values[:, banded] = triangular_quantile(u, lo, mode, hi).T
            party, figure, system = (x[changed] for x in self.force_figures)
            for k in np.unique(party).tolist():
                sel = party == k
                figures[k][0][figure[sel], :, system[sel]] = values[:, sel].T
        return self.layout.figure_states(figures, self.ref, self.postures[0])


def _fold(
    variants: list[_Variant],
    levels: AlertLevels,
    ctx: EvaluationContext,
    postures: tuple[str, ...],
    params: KentThalerParams,
    chunk_rows: int,
) -> Iterator[tuple[int, list[tuple[str, list[StabilityCase], tuple[str, str, float, str]]]]]:
    """Per variant (index into ``variants``, in order), each posture's cases and least stable
    ratio, the rows of all variants folded together ``chunk_rows`` at a time; a variant is
    given as soon as its last rows are evaluated."""
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
    last_piece = {p[0]: k for k, p in enumerate(pieces)}
    delta = levels.parameters.reserve_delta.value
    lam = levels.parameters.follow_on_lambda.value
    draws = _GroupDraws(variants, levels, postures, ctx.seed, n)
    # Per variant and posture, the rows evaluated so far: (ratios' C1, C2, survivors, damage-
    # limiting survivors, driver returns of the first block), each (lanes, rows) but the
    # returns (rows, classes).
    parts: dict[tuple[int, int], list[tuple[FloatArray, ...]]] = {}
    layout: _RowsLayout | None = None
    start = 0
    while start < len(pieces):
        stop, rows = start, 0
        while stop < len(pieces) and (
            stop == start or rows + n_q * (pieces[stop][2] - pieces[stop][1]) <= chunk_rows
        ):
            rows += n_q * (pieces[stop][2] - pieces[stop][1])
            stop += 1
        chunk = pieces[start:stop]
        segments = [
            (i, q, lo // RNG_BLOCK, lo % RNG_BLOCK, lo % RNG_BLOCK + hi - lo)
            for q in range(n_q)
            for i, lo, hi in chunk
        ]
        # Where the chunk's pieces are all one size, a row and the row one piece before it
        # are the same sample of neighbouring variants (or postures): the search's hint.
        sizes = {hi - lo for _, lo, hi in chunk}
        res = stability_rows(
            draws.states(segments),
            params=params,
            reserve_delta=delta,
            follow_on_lambda=lam,
            hint_lag=sizes.pop() if len(sizes) == 1 else 0,
        )
        if layout is None:
            layout = _RowsLayout.of(res)
        c1 = np.stack([c[2] for c in res.cases])
        c2 = np.stack([c[3] for c in res.cases])
        surv = np.stack([res.survivors[k] for k in layout.plan.case_keys])
        dmg = np.stack([res.damage_survivors[k] for k in layout.plan.case_keys])
        gains = np.concatenate([res.gains[k][1] for k in layout.order], axis=1)
        at = 0
        for q in range(n_q):
            for i, lo, hi in chunk:
                keep = max(0, min(hi, RNG_BLOCK) - lo)
                sl = slice(at, at + hi - lo)
                parts.setdefault((i, q), []).append(
                    (c1[:, sl], c2[:, sl], surv[:, sl], dmg[:, sl], gains[at : at + keep])
                )
                at += hi - lo
        done = sorted({i for i, _, _ in chunk if last_piece[i] < stop})
        if done:
            yield from _report_rows(done, parts, layout, postures)
        start = stop


@dataclass(frozen=True)
class _RowsLayout:
    """How a group's rows are read: the case plan, each ratio's driver key, and each driver
    key's class labels and columns in the driver returns put side by side (the keys whose
    drivers the cases report first, ``n_reported`` columns)."""

    plan: CasePlan
    keys: tuple[str, ...]
    columns: dict[str, tuple[tuple[str, ...], int, int]]
    order: tuple[str, ...]
    n_reported: int

    @classmethod
    def of(cls, res: StabilityRows) -> _RowsLayout:
        plan = case_plan(tuple((c, p) for c, p, _, _, _ in res.cases))
        keys = tuple(k for _, _, _, _, k in res.cases)
        reported = {keys[d] for d in plan.driver_ratios}
        order = tuple(sorted(res.gains, key=lambda k: k not in reported))
        columns: dict[str, tuple[tuple[str, ...], int, int]] = {}
        at = n_reported = 0
        for k in order:
            labels, g = res.gains[k]
            columns[k] = (labels, at, at + g.shape[1])
            at += g.shape[1]
            if k in reported:
                n_reported = at
        return cls(plan, keys, columns, order, n_reported)


def _report_rows(
    done: list[int],
    parts: dict[tuple[int, int], list[tuple[FloatArray, ...]]],
    layout: _RowsLayout,
    postures: tuple[str, ...],
) -> Iterator[tuple[int, list[tuple[str, list[StabilityCase], tuple[str, str, float, str]]]]]:
    """The cases of the variants ``done`` (their rows removed from ``parts``), together."""
    n_q = len(postures)
    lanes: list[list[FloatArray]] = [[], [], [], [], []]
    for i in done:
        for q in range(n_q):
            ps = parts.pop((i, q))
            for j in range(5):
                axis = 0 if j == 4 else 1
                lanes[j].append(
                    ps[0][j] if len(ps) == 1 else np.concatenate([p[j] for p in ps], axis=axis)
                )
    c1, c2, surv, dmg, gains = (np.stack(x) for x in lanes)
    ratios = stability_ratio(c1, c2)
    # Each driver key's class with the largest median return over the first block's rows
    # (StabilityRows.drivers), for the keys the cases report; others when a least stable
    # ratio needs them.
    med = np.median(gains[:, :, : layout.n_reported], axis=1)
    by_key: dict[str, list[str]] = {}
    for k in layout.order:
        labels, lo, hi = layout.columns[k]
        if hi > layout.n_reported:
            break
        by_key[k] = [labels[j] for j in np.argmax(med[:, lo:hi], axis=1).tolist()]

    def driver(m: int, ratio: int) -> str:
        key = layout.keys[ratio]
        if key in by_key:
            return by_key[key][m]
        labels, lo, hi = layout.columns[key]
        return labels[int(np.argmax(np.median(gains[m, :, lo:hi], axis=0)))]

    reported = layout.plan.driver_ratios
    drivers = [{d: by_key[layout.keys[d]][m] for d in reported} for m in range(len(c1))]
    found = posture_cases(
        layout.plan, ratios, surv, dmg, drivers, [q for _ in done for q in postures]
    )
    for v, i in enumerate(done):
        out: list[tuple[str, list[StabilityCase], tuple[str, str, float, str]]] = []
        for j, posture in enumerate(postures):
            m = v * n_q + j
            cases, least, r = found[m]
            case, party = layout.plan.ratio_labels[least]
            out.append((posture, cases, (case, party, r, driver(m, least))))
        yield i, out


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
    with paused_gc():
        return _evaluate_variants(treaties, ctx, postures, chunk_rows)


def _evaluate_variants(
    treaties: Sequence[Treaty],
    ctx: EvaluationContext,
    postures: tuple[str, ...],
    chunk_rows: int,
) -> list[StabilityReport]:
    levels = _levels(ctx)
    params = KentThalerParams()
    variants = []
    memo: dict[Any, Any] = {}
    for t in treaties:
        forces, notes, compliance = variant_forces(t, ctx, memo)
        variants.append(_Variant(t, forces, notes, compliance))
    # Variants whose cut forces are the same (a ceiling that binds no party, or binds the
    # same way) have the same draws and the same Monte Carlo: evaluated once, each variant
    # then given that report with its own treaty, compliance and cut notes.
    first: dict[tuple[Any, ...], int] = {}
    same_as = [first.setdefault(_content_key(v.forces), i) for i, v in enumerate(variants)]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i in sorted(set(same_as)):
        groups.setdefault(_signature(variants[i].forces), []).append(i)
    reports: list[StabilityReport | None] = [None] * len(variants)
    level_notes_of: dict[int, tuple[str, ...]] = {}
    for members in groups.values():
        group = [variants[i] for i in members]
        # The alert levels' assumptions depend on the parties, their basings and the
        # postures only: the same for every variant of a group.
        level_notes = tuple(level_assumptions(levels, group[0].forces, postures))
        for j, by_posture in _fold(group, levels, ctx, postures, params, chunk_rows):
            v = group[j]
            level_notes_of[members[j]] = level_notes
            reports[members[j]] = assemble_report(
                by_posture,
                seed=ctx.seed,
                n_samples=ctx.samples,
                forces=v.forces,
                treaty=v.treaty.id,
                rule=ctx.rule,
                assumptions=(f"forces: dataset estimates for {ctx.year}", *v.notes, *level_notes),
                compliance=v.compliance,
            )
    out: list[StabilityReport] = []
    for i, v in enumerate(variants):
        rep = reports[same_as[i]]
        assert rep is not None
        if same_as[i] != i:
            rep = replace(
                rep,
                treaty=v.treaty.id,
                compliance=v.compliance or {},
                assumptions=(
                    f"forces: dataset estimates for {ctx.year}",
                    *v.notes,
                    *level_notes_of[same_as[i]],
                ),
                forces=v.forces,
            )
        out.append(rep)
    return out
