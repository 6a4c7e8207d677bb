"""The vectorised draws and reports give the numbers of the plain, one-law-at-a-time path.

The reference below is the path as it was before the draws were taken as one stream and the
reports computed over stacked lanes: each party drawn with its own ``rng.random`` calls
(force figures, untargetable shares, scalars) through the triangular law written out, rows cut
and put together with ``PartyState.take``/``concat``, every posture's result built with
``StabilityRows.result`` and every band with one quantile call per posture. It is slow and
kept here only to pin the fast path: every array and every report must be equal (``==``,
tolerance zero) on the real forces of the bundled treaties.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tripolar.context import EvaluationContext
from tripolar.exchange.alert import AlertLevels, alert_levels_for
from tripolar.exchange.exchange import PartyState
from tripolar.exchange.first_strike import KentThalerParams
from tripolar.exchange.force import Force, ForceArrays, sample_triangular, triangular_quantile
from tripolar.exchange.montecarlo import PARTIES, Band, level_assumptions
from tripolar.ranges import Range
from tripolar.stability.batch import evaluate_variants, variant_forces
from tripolar.stability.run import (
    RNG_BLOCK,
    Lanes,
    StabilityCase,
    StabilityReport,
    block_generator,
    draw_block,
    report_from,
    run_monte_carlo,
)
from tripolar.stability.tripolar import StabilityRows, TripolarResult, stability_rows
from tripolar.treaty import load_treaty
from tripolar.treaty.schema import Treaty

FIGURES = ("launchers", "warheads_per_launcher", "yield_kt", "cep_m", "reliability", "hardness_psi")
STATE = ("untargetable", "demated", "storage_sites", "storage_hardness_psi", "w80")


# -- the reference: one party, one law set, one rng call at a time ---------------------------


def ref_triangular(rng: np.random.Generator, ranges: list[Range], n: int) -> np.ndarray:
    lo = np.array([r.low for r in ranges], dtype=np.float64)
    mode = np.array([r.value for r in ranges], dtype=np.float64)
    hi = np.array([r.high for r in ranges], dtype=np.float64)
    u = rng.random((n, len(ranges)))
    width = hi - lo
    safe = np.where(width > 0, width, 1.0)
    fc = np.where(width > 0, (mode - lo) / safe, 0.5)
    left = lo + np.sqrt(u * safe * (mode - lo))
    right = hi - np.sqrt((1.0 - u) * safe * (hi - mode))
    out = np.where(u < fc, left, right)
    return np.where(width > 0, out, mode)


def ref_party_state(
    force: Force, levels: AlertLevels, posture: str, rng: np.random.Generator, n: int
) -> PartyState:
    party = force.party
    ranges = [getattr(s, f) for f in FIGURES for s in force.systems]
    draws = ref_triangular(rng, ranges, n).reshape(n, len(FIGURES), len(force.systems))
    arrays = ForceArrays(
        party=party,
        system_ids=tuple(s.system_id for s in force.systems),
        basings=tuple(s.basing for s in force.systems),
        fixed=np.array([s.fixed for s in force.systems], dtype=bool),
        counterforce=np.array([s.counterforce_capable for s in force.systems], dtype=bool),
        **{f: draws[:, i, :] for i, f in enumerate(FIGURES)},
    )
    fracs = [levels.untargetable_fraction(party, posture, s.basing) for s in force.systems]
    scalars = [
        levels.demated_fraction(party, posture),
        levels.storage_sites(party),
        levels.hardness_psi("storage"),
        levels.w80(party),
    ]
    u = ref_triangular(rng, fracs, n)
    sc = ref_triangular(rng, scalars, n)
    return PartyState(arrays, posture, u, sc[:, 0], sc[:, 1], sc[:, 2], sc[:, 3])


def ref_draw_block(
    forces: dict[str, Force],
    levels: AlertLevels,
    postures: tuple[str, ...],
    seed: int,
    block: int,
    n_samples: int,
) -> dict[str, dict[str, PartyState]]:
    n_b = min(RNG_BLOCK, n_samples - block * RNG_BLOCK)
    rng = block_generator(seed, block)
    return {
        q: {k: ref_party_state(f, levels, q, rng, n_b) for k, f in forces.items()} for q in postures
    }


def ref_cases(res: TripolarResult) -> list[StabilityCase]:
    def r_of(prefix: str, party: str) -> tuple[np.ndarray, str]:
        c = next(x for x in res.ratios if x.party == party and x.case.startswith(prefix))
        return c.r, c.driver

    parties = sorted({c.party for c in res.ratios}, key=lambda p: (*PARTIES, p).index(p))
    specs: list[Any] = []
    for a in parties:
        for b in parties:
            if a != b:
                ra, drv = r_of(f"{a}->{b} ", a)
                rb, _ = r_of(f"{b}->{a} ", b)
                idx = {f"r_{a}": ra, f"r_{b}": rb, "fsi": ra * rb}
                key = f"{a}->{b}"
                specs.append(((a,), b, drv, res.survivors[key], idx, res.damage_survivors[key]))
    for c in parties:
        p0, p1 = [x for x in parties if x != c]
        label = f"{p0}+{p1}->{c}"
        r0, drv = r_of(label, p0)
        r1, _ = r_of(label, p1)
        rc, _ = r_of(label, c)
        idx = {f"r_{p0}": r0, f"r_{p1}": r1, f"r_{c}": rc, "fsi": np.minimum(r0, r1) * rc}
        specs.append(((p0, p1), c, drv, res.survivors[label], idx, res.damage_survivors[label]))
    arrays: list[np.ndarray] = []
    for *_, surv, idx, dmg in specs:
        arrays.extend([surv, *idx.values(), dmg])
    bands = iter(Band.of_many(arrays))
    out = []
    for attackers, victim, drv, _, idx, _ in specs:
        sb = next(bands)
        ib = {k: next(bands) for k in idx}
        out.append(StabilityCase(attackers, victim, res.posture, sb, ib, drv, next(bands)))
    return out


def ref_report(
    by_posture: dict[str, TripolarResult],
    forces: dict[str, Force],
    levels: AlertLevels,
    postures: tuple[str, ...],
    *,
    seed: int,
    n_samples: int,
    treaty: str | None,
    rule: str | None,
    assumptions: list[str],
    compliance: dict[str, Any],
) -> StabilityReport:
    cases: list[StabilityCase] = []
    least: dict[str, Any] = {}
    for posture, res in by_posture.items():
        cases.extend(ref_cases(res))
        ls = res.least_stable()
        r = float(np.median(ls.r))
        if not least or r < least["r"]:
            least = {
                "case": ls.case,
                "party": ls.party,
                "posture": posture,
                "r": r,
                "driver": ls.driver,
            }
    return StabilityReport(
        treaty,
        rule,
        seed,
        n_samples,
        tuple(cases),
        least,
        tuple(assumptions) + tuple(level_assumptions(levels, forces, postures)),
        compliance,
        forces,
    )


def ref_fold(
    forces_of: list[dict[str, Force]],
    levels: AlertLevels,
    seed: int,
    n: int,
    postures: tuple[str, ...],
    chunk_rows: int,
) -> list[dict[str, StabilityRows]]:
    """Rows of variants with the same systems, folded ``chunk_rows`` at a time."""
    n_q = len(postures)
    per_piece = max(1, chunk_rows // n_q)
    pieces = [
        (i, lo, min(lo + per_piece, b0 + RNG_BLOCK, n))
        for i in range(len(forces_of))
        for b0 in range(0, n, RNG_BLOCK)
        for lo in range(b0, min(b0 + RNG_BLOCK, n), per_piece)
    ]
    p = levels.parameters
    parties = list(forces_of[0])
    out: list[dict[str, list[StabilityRows]]] = [{q: [] for q in postures} for _ in forces_of]
    start = 0
    while start < len(pieces):
        stop, rows = start, 0
        while stop < len(pieces) and (
            stop == start or rows + n_q * (pieces[stop][2] - pieces[stop][1]) <= chunk_rows
        ):
            rows += n_q * (pieces[stop][2] - pieces[stop][1])
            stop += 1
        chunk = pieces[start:stop]
        drawn = {
            (i, lo // RNG_BLOCK): ref_draw_block(
                forces_of[i], levels, postures, seed, lo // RNG_BLOCK, n
            )
            for i, lo, _ in chunk
        }
        states: dict[str, list[PartyState]] = {k: [] for k in parties}
        for q in postures:
            for i, lo, hi in chunk:
                b0 = (lo // RNG_BLOCK) * RNG_BLOCK
                for k in parties:
                    states[k].append(
                        drawn[(i, lo // RNG_BLOCK)][q][k].take(slice(lo - b0, hi - b0))
                    )
        res = stability_rows(
            {k: PartyState.concat(v) for k, v in states.items()},
            params=KentThalerParams(),
            reserve_delta=p.reserve_delta.value,
            follow_on_lambda=p.follow_on_lambda.value,
        )
        at = 0
        for q in postures:
            for i, lo, hi in chunk:
                part = res.take(slice(at, at + hi - lo))
                out[i][q].append(part.with_gains_of(slice(0, max(0, min(hi, RNG_BLOCK) - lo))))
                at += hi - lo
        start = stop
    return [{q: StabilityRows.concat(v[q]) for q in postures} for v in out]


def ref_evaluate(
    treaties: list[Treaty], ctx: EvaluationContext, postures: tuple[str, ...], chunk_rows: int
) -> list[StabilityReport]:
    levels = alert_levels_for(ctx)
    variants = [(t, *variant_forces(t, ctx)) for t in treaties]
    groups: dict[Any, list[int]] = {}
    for i, (_, forces, _, _) in enumerate(variants):
        sig = tuple(
            (k, tuple((s.system_id, s.basing, s.category) for s in f.systems))
            for k, f in forces.items()
        )
        groups.setdefault(sig, []).append(i)
    reports: dict[int, StabilityReport] = {}
    for members in groups.values():
        folded = ref_fold(
            [variants[i][1] for i in members], levels, ctx.seed, ctx.samples, postures, chunk_rows
        )
        for i, rows in zip(members, folded, strict=True):
            t, forces, notes, compliance = variants[i]
            reports[i] = ref_report(
                {q: r.result(q) for q, r in rows.items()},
                forces,
                levels,
                postures,
                seed=ctx.seed,
                n_samples=ctx.samples,
                treaty=t.id,
                rule=ctx.rule,
                assumptions=[f"forces: dataset estimates for {ctx.year}", *notes],
                compliance=compliance,
            )
    return [reports[i] for i in range(len(treaties))]


# -- the checks -------------------------------------------------------------------------------


def ceiling_variants(n: int, step: int = 150) -> list[Treaty]:
    """tri-new-start with its deployed-warhead ceiling from 800 in steps of ``step``."""
    base = load_treaty("tri-new-start")
    out = []
    for i in range(n):
        d = base.model_dump(mode="json", exclude_none=True)
        d["id"] = f"tri-new-start-w{800 + step * i}"
        for lim in d["limits"]:
            if lim["id"] == "deployed_warheads":
                lim["ceiling"] = 800 + step * i
                lim.pop("schedule", None)
        out.append(Treaty.model_validate(d))
    return out


@pytest.fixture(scope="module")
def treaties() -> list[Treaty]:
    ids = ("tri-new-start", "tri-equal-1000", "new-start", "tri-all-warheads")
    return [load_treaty(t) for t in ids] + ceiling_variants(3)


def assert_states_equal(a: PartyState, b: PartyState) -> None:
    for f in FIGURES:
        x, y = getattr(a.force, f), getattr(b.force, f)
        assert x.dtype == y.dtype == np.float64 and x.shape == y.shape, f
        np.testing.assert_array_equal(x, y, err_msg=f)
    for f in STATE:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    assert a.force.system_ids == b.force.system_ids and a.posture == b.posture
    np.testing.assert_array_equal(a.force.fixed, b.force.fixed)
    np.testing.assert_array_equal(a.force.counterforce, b.force.counterforce)


@pytest.mark.parametrize(("seed", "n", "block"), [(1, 100, 0), (11, 7, 0), (5, RNG_BLOCK + 9, 1)])
def test_draw_block_is_the_party_by_party_draw(treaties, seed, n, block):
    """Every figure of every party in every posture: the same number as drawn party by party."""
    ctx = EvaluationContext(samples=n, seed=seed)
    levels = alert_levels_for(ctx)
    for t in treaties[:3]:
        forces = variant_forces(t, ctx)[0]
        postures = ("day_to_day", "generated")
        fast = draw_block(forces, levels, postures, seed, block, n)
        ref = ref_draw_block(forces, levels, postures, seed, block, n)
        for q in postures:
            for k in forces:
                assert_states_equal(fast[q][k], ref[q][k])


@pytest.mark.parametrize(
    ("samples", "chunk_rows", "postures"),
    [
        (48, 2048, ("day_to_day", "generated")),
        (48, 50, ("day_to_day", "generated")),
        (40, 130, ("generated",)),
        (30, 30, ("day_to_day",)),
    ],
)
def test_evaluate_variants_is_the_reference(treaties, samples, chunk_rows, postures):
    """Folded draws and stacked reports: every band, driver, least stable case and assumption
    of every variant equal to the plain path's, however the rows are packed."""
    ctx = EvaluationContext(samples=samples, seed=3)
    fast = evaluate_variants(treaties, ctx, postures=postures, chunk_rows=chunk_rows)
    ref = ref_evaluate(treaties, ctx, postures, chunk_rows)
    assert len(fast) == len(ref) == len(treaties)
    for a, b in zip(fast, ref, strict=True):
        assert a.cases == b.cases
        assert a.least_stable == b.least_stable
        assert a.assumptions == b.assumptions
        assert a.to_dict() == b.to_dict()


def test_evaluate_variants_across_a_block_edge():
    """More samples than a draw block: pieces in two blocks, driver returns of the first."""
    ctx = EvaluationContext(samples=RNG_BLOCK + 20, seed=2)
    ts = ceiling_variants(2, step=400)
    fast = evaluate_variants(ts, ctx, postures=("generated",), chunk_rows=700)
    ref = ref_evaluate(ts, ctx, ("generated",), 700)
    assert [r.to_dict() for r in fast] == [r.to_dict() for r in ref]


def test_report_from_is_the_reference(treaties):
    """``report_from`` (the one-variant path of ``run_stability``) equals the plain reading of
    each posture's result."""
    ctx = EvaluationContext(samples=64, seed=8)
    levels = alert_levels_for(ctx)
    forces, notes, compliance = variant_forces(treaties[0], ctx)
    postures = ("day_to_day", "generated")
    mc = run_monte_carlo(forces, levels, n_samples=64, seed=8, postures=postures)
    fast = report_from(
        mc,
        forces,
        levels,
        postures=postures,
        treaty="x",
        rule="proportional",
        assumptions=notes,
        compliance=compliance,
    )
    ref = ref_report(
        mc.by_posture,
        forces,
        levels,
        postures,
        seed=8,
        n_samples=64,
        treaty="x",
        rule="proportional",
        assumptions=notes,
        compliance=compliance,
    )
    assert fast.cases == ref.cases and fast.to_dict() == ref.to_dict()


def test_run_monte_carlo_draws_are_the_reference():
    """The one-variant Monte Carlo (draw_block, sample_rows) gives the reference's rows."""
    ctx = EvaluationContext(samples=40, seed=6)
    levels = alert_levels_for(ctx)
    forces = variant_forces(load_treaty("new-start"), ctx)[0]
    mc = run_monte_carlo(forces, levels, n_samples=40, seed=6, chunk_rows=30)
    ref = ref_fold([forces], levels, 6, 40, ("day_to_day", "generated"), 80)[0]
    for q, res in mc.by_posture.items():
        want = ref[q].result(q)
        for x, y in zip(res.ratios, want.ratios, strict=True):
            assert (x.case, x.party, x.driver) == (y.case, y.party, y.driver)
            np.testing.assert_array_equal(x.c1, y.c1)
            np.testing.assert_array_equal(x.c2, y.c2)
        for k, v in want.survivors.items():
            np.testing.assert_array_equal(res.survivors[k], v)


lanes = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=12),
    elements=st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1 / 3, np.nan, np.inf, -np.inf]),
) | hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(1, 120)),
    elements=st.floats(-1e6, 1e6, allow_subnormal=False),
)


def _same(got: np.ndarray, want: np.ndarray) -> None:
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


@settings(max_examples=300, deadline=None)
@given(lanes, st.sampled_from([[0.5, 0.05, 0.95], [0.0, 1.0, 0.25, 0.75], [0.3]]))
def test_lane_statistics_are_numpys(x, qs):
    """Quantiles and medians from the sorted lanes are numpy's, to the sign of a zero."""
    q = np.array(qs)
    with np.errstate(invalid="ignore"):
        want_q = np.quantile(x, q, axis=-1)
        want_m = np.median(x, axis=-1)
        got = Lanes(x)
        _same(got.quantiles(q), want_q)
        _same(got.medians(slice(None)), want_m)
        _same(got.medians(slice(0, 1)), np.median(x[..., 0:1, :], axis=-1))


def test_lane_statistics_without_the_sorted_shortcut(monkeypatch):
    """Where numpy's numbers were not those of the shortcut, numpy's own are used."""
    import tripolar.stability.run as run

    monkeypatch.setattr(run, "_sorted_statistics_agree", lambda n, qs: False)
    x = np.random.default_rng(1).random((3, 4, 25))
    x[0, 1, 3] = -0.0
    got = run.Lanes(x)
    _same(got.quantiles(np.array([0.5, 0.05])), np.quantile(x, [0.5, 0.05], axis=-1))
    _same(got.medians(slice(1, 3)), np.median(x[:, 1:3], axis=-1))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.floats(0, 100), st.floats(0, 100)).map(sorted),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 5),
    st.integers(0, 2**32),
)
def test_triangular_quantile_is_the_law_range_by_range(laws, n, seed):
    """The vectorised law of many rows equals the law applied to each range's draws."""
    ranges = [Range.of(m, lo, hi) for lo, m, hi in laws]
    want = ref_triangular(np.random.default_rng(seed), ranges, n)
    assert np.array_equal(sample_triangular(np.random.default_rng(seed), ranges, n), want)
    u = np.random.default_rng(seed).random((n, len(ranges)))
    b = np.array([[r.low for r in ranges], [r.value for r in ranges], [r.high for r in ranges]])
    rows = np.repeat(b[:, None, :], n, axis=1)
    assert np.array_equal(triangular_quantile(u, rows[0], rows[1], rows[2]), want)
    assert np.array_equal(
        triangular_quantile(u.T.copy(), b[0][:, None], b[1][:, None], b[2][:, None]).T, want
    )


def test_folded_draws_of_changed_laws(treaties):
    """Variants whose laws differ from the first one's in every way (banded to exact, exact to
    banded, another band, the same law): each segment's rows are the variant's own draws."""
    from tripolar.stability.batch import _GroupDraws, _Variant

    ctx = EvaluationContext(samples=37, seed=12)
    levels = alert_levels_for(ctx)
    base = variant_forces(treaties[0], ctx)[0]

    def changed(forces: dict[str, Force], k: str, j: int, **ranges: Range) -> dict[str, Force]:
        systems = list(forces[k].systems)
        systems[j] = replace(systems[j], **ranges)
        return {**forces, k: replace(forces[k], systems=tuple(systems))}

    s0 = base["US"].systems[0]
    exact_l = Range.exact(s0.launchers.value)
    wide_l = Range.of(s0.launchers.value, s0.launchers.value * 0.5, s0.launchers.value * 1.5)
    forces_of = [
        base,
        changed(base, "US", 0, launchers=exact_l),
        changed(base, "US", 0, launchers=wide_l, yield_kt=Range.exact(s0.yield_kt.value)),
        changed(base, "CN", 1, cep_m=Range.of(300.0, 100.0, 900.0)),
        base,
    ]
    variants = [_Variant(None, f, [], {}) for f in forces_of]
    postures = ("day_to_day", "generated")
    draws = _GroupDraws(variants, levels, postures, 12, 37)
    refs = [ref_draw_block(f, levels, postures, 12, 0, 37) for f in forces_of]
    for segments in (
        [(i, q, 0, 0, 37) for q in range(2) for i in range(5)],
        [(1, 0, 0, 3, 20), (2, 1, 0, 0, 37), (3, 0, 0, 30, 37), (0, 1, 0, 5, 6)],
    ):
        got = draws.states(segments)
        for k in base:
            want = PartyState.concat(
                [refs[i][postures[q]][k].take(slice(a, b)) for i, q, _, a, b in segments]
            )
            assert_states_equal(got[k], replace(want, posture="day_to_day"))


def test_least_stable_victim_of_a_coalition(treaties, monkeypatch):
    """A least stable ratio whose driver the cases do not report (a coalition's victim
    striking both first): its driver is picked from its own returns, as the plain path does."""
    import sys

    import tripolar.stability.batch as batch

    plain = stability_rows

    def weakened(*args: Any, **kwargs: Any) -> StabilityRows:
        rows = plain(*args, **kwargs)
        cases = tuple(
            (c, p, c1 * 1e-3 if c.startswith("US+RU->CN") and p == "CN" else c1, c2, k)
            for c, p, c1, c2, k in rows.cases
        )
        return replace(rows, cases=cases)

    monkeypatch.setattr(batch, "stability_rows", weakened)
    monkeypatch.setattr(sys.modules[__name__], "stability_rows", weakened)
    ctx = EvaluationContext(samples=24, seed=5)
    fast = evaluate_variants(treaties[:3], ctx)
    ref = ref_evaluate(treaties[:3], ctx, ("day_to_day", "generated"), 2048)
    for a, b in zip(fast, ref, strict=True):
        assert a.least_stable["case"].startswith("US+RU->CN") and a.least_stable["party"] == "CN"
        assert a.to_dict() == b.to_dict()
