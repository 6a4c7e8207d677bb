"""Outcomes and retaliation ratios computed together equal those computed one at a time,
bit for bit (``==`` on the floats): the exchanges run row by row, so stacking the rows of
many treaties changes no number."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.context import EvaluationContext
from tripolar.negotiation.evaluate import (
    Caps,
    _scaled_by,
    build_baseline,
    outcome_from_caps,
    outcomes_from_caps,
    retaliation_ratios,
    scaled_retaliation_ratios,
    treaty_outcome,
    treaty_outcomes,
)
from tripolar.sweep.family import variant
from tripolar.sweep.spec import load_sweep_file, point_values
from tripolar.treaty import evaluate
from tripolar.treaty.io import builtin_treaties, load_treaty

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="module")
def baseline():  # type: ignore[no-untyped-def]
    return build_baseline(context=EvaluationContext())


def _variants() -> list:  # type: ignore[type-arg]
    """Sweep variants over the three ceilings of tri-new-start (low to high: cuts, some
    caps equal, some treaties binding nobody's measure) and the built-in treaties."""
    spec = load_sweep_file(EXAMPLES / "sweep-large.yaml")
    base = load_treaty(spec.base_treaty)
    picks = [0, 1, 9, 10, 55, 199, 200, 1234, 2500, 4999, 4998, 3333]
    return [variant(base, spec, point_values(spec, i, i + 1)[0], i) for i in picks]


def test_treaty_outcomes_equal_one_at_a_time(baseline) -> None:  # type: ignore[no-untyped-def]
    """Every outcome field, retaliation ratios included, is the one-at-a-time value."""
    treaties = [*_variants(), *builtin_treaties()]
    together = treaty_outcomes(treaties, baseline)
    alone = [treaty_outcome(t, baseline) for t in treaties]
    assert together == alone
    assert [o.model_dump() for o in together] == [o.model_dump() for o in alone]
    # the ratios are not all alike: the batch really carries different rows
    assert len({o.parties["US"].retaliation["RU"] for o in together}) > 3


def test_evaluations_labels_and_provisions_pass_through(baseline) -> None:  # type: ignore[no-untyped-def]
    ts = _variants()[:3]
    evs = [evaluate(t, dict(baseline.postures), context=baseline.context) for t in ts]
    prov = [["uk_fr_accounted"], [], ["missile_defence_limits", "uk_fr_accounted"]]
    got = treaty_outcomes(ts, baseline, evs, provisions=prov, labels=["a", None, "c"])
    want = [
        treaty_outcome(t, baseline, ev, provisions=p, label=lb)
        for t, ev, p, lb in zip(ts, evs, prov, ["a", None, "c"], strict=True)
    ]
    assert got == want
    assert [o.label for o in got] == ["a", ts[1].id, "c"]
    with pytest.raises(ValueError, match="one evaluation"):
        treaty_outcomes(ts, baseline, evs[:2])


def test_caps_with_a_party_disarmed_take_the_single_path(baseline) -> None:  # type: ignore[no-untyped-def]
    """Caps leaving a party no launchers (its ratios 0, the others' its attack-free
    survivors) sit beside ordinary caps; duplicates come back equal."""
    ps = baseline.parties
    normal = Caps(
        dict(baseline.warheads_now), dict(baseline.launchers_now), dict.fromkeys(ps, True)
    )
    zero_cn = Caps(
        {**baseline.warheads_now, "CN": 0.0},
        {**baseline.launchers_now, "CN": 0.0},
        dict.fromkeys(ps, True),
    )
    half = Caps(
        {p: baseline.warheads_now[p] / 2 for p in ps},
        {p: baseline.launchers_now[p] / 2 for p in ps},
        dict.fromkeys(ps, False),
    )
    caps = [normal, zero_cn, half, normal, zero_cn]
    got = outcomes_from_caps(baseline, caps, transparency=[1.0, 0.5, 0.2, 1.0, 0.5])
    want = [
        outcome_from_caps(baseline, c, transparency=t)
        for c, t in zip(caps, [1.0, 0.5, 0.2, 1.0, 0.5], strict=True)
    ]
    assert got == want
    assert got[1].parties["CN"].retaliation["US"] == 0.0
    assert got[1].parties["US"].retaliation["CN"] > got[0].parties["US"].retaliation["CN"]


_factor = st.floats(0.0, 3.0, allow_nan=False, width=64)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(*(st.tuples(_factor, _factor) for _ in range(3))), min_size=1, max_size=6
    )
)
def test_scaled_ratios_equal_retaliation_ratios(baseline, rows) -> None:  # type: ignore[no-untyped-def]
    """Random launcher and loading factors (zeros among them): each row's ratios are those of
    :func:`retaliation_ratios` on the scaled forces."""
    names = list(baseline.forces)
    factors = [dict(zip(names, r, strict=True)) for r in rows]
    got = scaled_retaliation_ratios(baseline.forces, factors, baseline.levels, baseline.alert)
    for f, g in zip(factors, got, strict=True):
        alone = {p: _scaled_by(baseline.forces[p], *f[p]) for p in names}
        assert g == retaliation_ratios(alone, baseline.levels, baseline.alert)
