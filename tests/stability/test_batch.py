"""Many treaty variants in one call equal the same variants one at a time."""

from __future__ import annotations

import pytest

from tripolar.context import EvaluationContext
from tripolar.errors import InputError
from tripolar.exchange.alert import load_alert_levels
from tripolar.stability.batch import evaluate_variants
from tripolar.stability.run import run_stability
from tripolar.treaty import load_treaty

IDS = ("tri-new-start", "tri-equal-1000", "tri-all-warheads", "new-start")


@pytest.fixture(scope="module")
def treaties():
    return [load_treaty(t) for t in IDS]


@pytest.mark.parametrize("chunk_rows", [50, 100_000])
def test_batched_equals_one_at_a_time(treaties, chunk_rows):
    """Same seed rule, same reports (every band, driver, assumption), however rows are packed."""
    ctx = EvaluationContext(samples=48, seed=4, rule="proportional")
    batch = evaluate_variants(treaties, ctx, chunk_rows=chunk_rows)
    levels = load_alert_levels()
    for t, rep in zip(treaties, batch, strict=True):
        one = run_stability(t, levels, year=ctx.year, n_samples=48, seed=4, rule=ctx.rule)
        assert rep.to_dict() == one.to_dict()


def test_variants_do_not_affect_each_other(treaties):
    """A variant's report does not depend on the others evaluated with it, nor their order."""
    ctx = EvaluationContext(samples=32, seed=9)
    both = evaluate_variants(treaties[:2], ctx)
    rev = evaluate_variants(treaties[:2][::-1], ctx)
    alone = evaluate_variants(treaties[1:2], ctx)
    assert both[1].to_dict() == rev[0].to_dict() == alone[0].to_dict()
    assert both[0].to_dict() == rev[1].to_dict()
    # the context's cached postures are not modified by cutting forces
    again = evaluate_variants(treaties[:2], ctx)
    assert [r.to_dict() for r in again] == [r.to_dict() for r in both]


def test_seed_and_rule_come_from_the_context(treaties):
    a = evaluate_variants(treaties[:1], EvaluationContext(samples=16, seed=1))[0]
    b = evaluate_variants(treaties[:1], EvaluationContext(samples=16, seed=2))[0]
    assert a.seed == 1 and b.seed == 2 and a.to_dict()["cases"] != b.to_dict()["cases"]
    assert evaluate_variants([], EvaluationContext(samples=16)) == []
    with pytest.raises(InputError, match="chunk"):
        evaluate_variants(treaties[:1], EvaluationContext(samples=16), chunk_rows=0)


def test_variants_with_the_same_cut_forces_share_one_monte_carlo(treaties, monkeypatch):
    """Ceilings that bind nobody give the same forces: one Monte Carlo, each variant still
    its own report (treaty id, compliance), equal to its one-at-a-time report."""
    import tripolar.stability.batch as batch
    from tripolar.treaty.schema import Treaty

    base = treaties[0].model_dump(mode="json", exclude_none=True)

    def with_ceiling(c: int) -> Treaty:
        d = {**base, "id": f"loose-{c}"}
        d["limits"] = [
            {**lim, "ceiling": c} if lim["id"] == "deployed_warheads" else lim
            for lim in base["limits"]
        ]
        for lim in d["limits"]:
            lim.pop("schedule", None)
        return Treaty.model_validate(d)

    loose = [with_ceiling(c) for c in (9000, 9500, 10000)]
    folded: list[int] = []
    real_fold = batch._fold
    monkeypatch.setattr(batch, "_fold", lambda vs, *a: folded.append(len(vs)) or real_fold(vs, *a))
    ctx = EvaluationContext(samples=24, seed=5)
    reps = evaluate_variants([*loose, treaties[1]], ctx)
    assert sum(folded) == 2  # the three loose variants once, tri-equal-1000 once
    assert [r.treaty for r in reps] == ["loose-9000", "loose-9500", "loose-10000", IDS[1]]
    levels = load_alert_levels()
    for t, rep in zip([*loose, treaties[1]], reps, strict=True):
        one = run_stability(t, levels, year=ctx.year, n_samples=24, seed=5, rule=ctx.rule)
        assert rep.to_dict() == one.to_dict()
        assert rep.assumptions == one.assumptions and rep.treaty == t.id
    cases = [r.to_dict()["cases"] for r in reps]
    assert cases[0] == cases[1] == cases[2] != cases[3]


def test_paused_gc_restores_the_collector_state():
    import gc

    from tripolar.stability.run import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a collector already off stays off
    finally:
        gc.enable()
    evaluate_variants([], EvaluationContext(samples=8))
    assert gc.isenabled()
