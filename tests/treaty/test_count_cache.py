"""The fast paths of counting give the numbers of the plain ones: float sums against range
sums, :func:`count_totals` and :class:`CountCache` against :func:`count_quantity`, the
upload split against :func:`upload_potential`, the cached force cut against the uncached
rounds, and ``Range.exact`` without validation against the validated range."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.context import EvaluationContext
from tripolar.forces import Posture, posture_from_mapping
from tripolar.ranges import ZERO, Range
from tripolar.treaty import evaluate
from tripolar.treaty.counting import (
    CountCache,
    ballistic_warheads,
    bomber_warheads,
    count_quantity,
    count_totals,
)
from tripolar.treaty.force_cut import RULES, comply, comply_all
from tripolar.treaty.io import builtin_treaties, load_treaty
from tripolar.treaty.schema import CountingRules
from tripolar.treaty.upload import upload_potential, upload_routes, upload_under

EXAMPLES = Path(__file__).parents[2] / "examples"

QUANTITIES = (
    "deployed_warheads",
    "ballistic_missile_warheads",
    "icbm_warheads",
    "slbm_warheads",
    "heavy_icbm_warheads",
    "mobile_icbm_warheads",
    "heavy_icbm_launchers",
    "deployed_launchers",
    "nondeployed_launchers",
    "total_launchers",
    "stockpile_warheads",
    "nonstrategic_warheads",
)


@pytest.fixture(scope="module")
def ctx() -> EvaluationContext:
    return EvaluationContext()


def _same(a: Range | None, b: Range | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.value, a.low, a.high) == (b.value, b.low, b.high)


# -- float sums against range sums ------------------------------------------------------

_ends = st.floats(0, 5_000, allow_nan=False, width=64)


@st.composite
def _band(draw: st.DrawFn) -> dict[str, float]:
    xs = sorted(draw(st.lists(_ends, min_size=3, max_size=3)))
    return {"low": xs[0], "value": xs[1], "high": xs[2]}


@st.composite
def _posture(draw: st.DrawFn) -> Posture:
    systems = []
    for i in range(draw(st.integers(1, 7))):
        cat = draw(st.sampled_from(["icbm", "slbm", "bomber"]))
        systems.append(
            {
                "system_id": f"s{i % 3}" if draw(st.booleans()) else f"s{i}",
                "category": cat,
                "basing": "silo" if cat == "icbm" else "",
                "heavy": draw(st.booleans()),
                "deployed_launchers": draw(_band()),
                "warheads_loaded": draw(_band()),
                "nondeployed_launchers": draw(_band()),
                "warheads_per_launcher_max": draw(_band()),
            }
        )
    return posture_from_mapping(
        {
            "party": "US",
            "date": "2030-01-01",
            "systems": systems,
            "stockpile": {"military_stockpile": draw(_band()), "nonstrategic_total": draw(_band())},
        }
    )


def _range_count(quantity: str, posture: Posture, rules: CountingRules) -> tuple[Range, dict]:
    """The count as range sums (``ZERO + term + ...``), the way counting once added them."""
    total, parts = ZERO, {}
    for h in posture.holdings(["icbm", "slbm", "bomber"]):
        if quantity == "deployed_warheads":
            fn = bomber_warheads if h.category == "bomber" else ballistic_warheads
            terms = [fn(h, rules)[0]]
        else:  # total_launchers
            terms = [h.deployed_launchers, h.nondeployed_launchers]
        for t in terms:
            assert t is not None
            total = total + t
            parts[h.system_id] = parts.get(h.system_id, ZERO) + t
    return total, parts


@settings(max_examples=60, deadline=None)
@given(posture=_posture(), attributed=st.booleans())
def test_float_sums_are_the_range_sums(posture: Posture, attributed: bool) -> None:
    """Sums kept as floats end to end give the range sums bit for bit, ends included, for a
    quantity with one term per holding and one with two (the same system twice)."""
    rules = CountingRules(
        ballistic_missile_warheads="attributed" if attributed else "as_loaded",
        heavy_bomber_warheads="as_loaded",
    )
    for q in ("deployed_warheads", "total_launchers"):
        c = count_quantity(q, posture, rules)
        total, parts = _range_count(q, posture, rules)
        assert _same(c.value, total)
        assert list(c.by_system) == list(parts)
        assert all(_same(c.by_system[k], parts[k]) for k in parts)


@settings(max_examples=40, deadline=None)
@given(posture=_posture())
def test_stockpile_subtraction_is_the_range_one(posture: Posture) -> None:
    """Strategic stockpile = (military - non-strategic).clip_min(0), opposite ends
    subtracted, as the range arithmetic does it."""
    st_ = posture.stockpile
    assert st_.military_stockpile is not None and st_.nonstrategic_total is not None
    want = (ZERO + st_.military_stockpile - st_.nonstrategic_total).clip_min(0.0)
    c = count_quantity("stockpile_warheads", posture, CountingRules())
    assert _same(c.value, want)


# -- totals and the cache against count_quantity ----------------------------------------


def _postures(ctx: EvaluationContext) -> list[Posture]:
    from tripolar.forces.io import load_posture

    return [
        *ctx.postures(("US", "RU", "CN")).values(),
        load_posture(EXAMPLES / "posture-us-2020.yaml"),
    ]


def test_totals_and_cache_are_count_quantity(ctx: EvaluationContext) -> None:
    """Every built-in treaty's rules, every quantity, the dataset's postures (incomplete and
    aggregate counts among them) and a user file: the same totals, bands, lower bounds,
    missing figures, bases and notes; the cache also the same parts."""
    cache, totals = CountCache(), CountCache(parts=False)
    postures = _postures(ctx)
    kinds = set()
    for t in builtin_treaties():
        for p in postures:
            for q in QUANTITIES:
                want = count_quantity(q, p, t.counting)
                kinds.add(want.basis)
                for got in (count_totals(q, p, t.counting), totals.count(q, p, t.counting)):
                    assert _same(got.value, want.value) and _same(got.at_least, want.at_least)
                    assert (got.missing, got.basis, got.note, got.grade) == (
                        want.missing,
                        want.basis,
                        want.note,
                        want.grade,
                    )
                    assert got.by_system == {}
                assert cache.count(q, p, t.counting) == want
                assert cache.count(q, p, t.counting) is cache.count(q, p, t.counting)
    assert kinds == {"systems", "aggregate", "incomplete"}


def test_systems_only_totals_ignore_aggregates(ctx: EvaluationContext) -> None:
    """``aggregates=False`` is the count of the posture without its party-level figures."""
    rules = CountingRules()
    for p in _postures(ctx):
        bare = p.model_copy(update={"aggregates": []})
        for q in QUANTITIES:
            got = count_totals(q, p, rules, aggregates=False)
            want = count_quantity(q, bare, rules)
            assert _same(got.value, want.value) and got.basis == want.basis
            assert got.missing == want.missing


def test_cache_knows_rules_by_content_and_postures_by_identity(ctx: EvaluationContext) -> None:
    """Rules changed in place after a count are new rules; an equal but distinct posture
    is counted again (and gives the same count)."""
    p = ctx.posture("US")
    rules = CountingRules()
    cache = CountCache()
    first = cache.count("deployed_warheads", p, rules)
    rules.heavy_bomber_warheads = "as_loaded"
    changed = cache.count("deployed_warheads", p, rules)
    assert changed == count_quantity("deployed_warheads", p, rules)
    assert not _same(changed.value, first.value)
    twin = p.model_copy(deep=True)
    again = cache.count("deployed_warheads", twin, rules)
    assert again == changed and again is not changed


def test_evaluate_with_counts_is_evaluate(ctx: EvaluationContext) -> None:
    """Evaluations sharing a cache (as a sweep's variants do) equal fresh ones, for every
    built-in treaty, with the given postures and with baselines."""
    cache = CountCache()
    ps = ctx.postures(("US", "RU", "CN"))
    for _ in range(2):
        for t in builtin_treaties():
            assert (
                evaluate(t, ps, context=ctx, counts=cache).to_dict()
                == evaluate(t, ps, context=ctx).to_dict()
            )
            one = {"US": ps["US"]}
            assert (
                evaluate(t, one, context=ctx, baselines=one, counts=cache).to_dict()
                == evaluate(t, one, context=ctx, baselines=one).to_dict()
            )


# -- upload and force cut ---------------------------------------------------------------


def test_upload_split_is_upload_potential(ctx: EvaluationContext) -> None:
    """Routes once, then each treaty: the result of upload_potential, and the routes are
    left without evaluations."""
    cache = CountCache()
    for p in _postures(ctx):
        routes = upload_routes(p)
        assert routes.to_dict() == upload_potential(None, p).to_dict()
        for t in builtin_treaties():
            got = upload_under(t, p, routes, context=ctx, counts=cache)
            want = upload_potential(t, p, context=ctx)
            assert got.to_dict() == want.to_dict()
            assert got.excess() == want.excess()
        assert routes.evaluation_before is None and routes.evaluation_after is None
    with pytest.raises(ValueError, match="RU"):
        upload_under(load_treaty("new-start"), ctx.posture("RU"), upload_routes(ctx.posture("US")))


def _rounds_uncached(treaty, postures, rule, ctx):  # type: ignore[no-untyped-def]
    """comply_all's rounds with no cache at all (each count made afresh)."""
    current = dict(postures)
    for _ in range(6):
        ev = evaluate(treaty, current, context=ctx)
        if all(
            r.status != "exceeds" or r.count is None
            for party in treaty.parties
            for r in ev.parties[party].limits.values()
        ):
            break
        for party in treaty.parties:
            if party in current:
                current[party] = comply(current[party], treaty, rule, ev)[0]
    return current


@pytest.mark.parametrize("rule", RULES)
def test_cached_cut_is_the_uncached_cut(ctx: EvaluationContext, rule: str) -> None:
    """The force cut with its counts kept gives the postures of the cut without, for every
    built-in treaty and a tight variant (several rounds, every limit cut)."""
    ps = ctx.postures(("US", "RU", "CN"))
    tight = load_treaty("tri-new-start")
    tight = tight.model_copy(
        update={
            "limits": [
                lim.model_copy(update={"ceiling": c})
                for lim, c in zip(tight.limits, (300.0, 150.0, 200.0), strict=True)
            ]
        }
    )
    for t in [*builtin_treaties(), tight]:
        got, _ = comply_all(t, ps, rule, context=ctx)
        want = _rounds_uncached(t, ps, rule, ctx)
        assert {k: v.model_dump() for k, v in got.items()} == {
            k: v.model_dump() for k, v in want.items()
        }


# -- Range.exact -------------------------------------------------------------------------


@pytest.mark.parametrize("x", [0.0, 1.5, 1550.0, -0.0, math.inf, 7])
def test_exact_fast_path_is_the_validated_range(x: float) -> None:
    """A float (or an int, validated) gives the range validation gives: equal, same hash,
    same fields set."""
    fast = Range.exact(x)
    slow = Range(value=x, low=x, high=x)
    assert fast == slow and hash(fast) == hash(slow)
    assert fast.model_fields_set == slow.model_fields_set
    assert type(fast.value) is float


def test_exact_still_rejects_nan() -> None:
    with pytest.raises(ValueError):
        Range.exact(math.nan)
