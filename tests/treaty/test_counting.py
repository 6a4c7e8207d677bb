"""Counting rules on hand-built postures, and property tests of the counting engine."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.forces import Posture, SystemHolding, posture_from_mapping
from tripolar.ranges import Range
from tripolar.treaty import count_quantity, evaluate
from tripolar.treaty.schema import CountingRules, Treaty


def _posture() -> Posture:
    return posture_from_mapping(
        {
            "party": "US",
            "date": "2030-01-01",
            "systems": [
                {
                    "system_id": "icbm-a",
                    "category": "icbm",
                    "basing": "silo",
                    "deployed_launchers": 100,
                    "warheads_loaded": 150,
                    "nondeployed_launchers": 20,
                    "test_launchers": 2,
                    "warheads_per_launcher_max": 3,
                },
                {
                    "system_id": "icbm-heavy",
                    "category": "icbm",
                    "basing": "silo",
                    "heavy": True,
                    "deployed_launchers": 10,
                    "warheads_loaded": 100,
                    "warheads_per_launcher_max": 10,
                },
                {
                    "system_id": "icbm-mobile",
                    "category": "icbm",
                    "basing": "road-mobile",
                    "deployed_launchers": 30,
                    "warheads_loaded": 30,
                    "warheads_per_launcher_max": 1,
                },
                {
                    "system_id": "slbm-a",
                    "category": "slbm",
                    "basing": "ssbn",
                    "deployed_launchers": 64,
                    "warheads_loaded": 256,
                    "nondeployed_launchers": 16,
                    "warheads_per_launcher_max": 8,
                },
                {
                    "system_id": "bomber-a",
                    "category": "bomber",
                    "basing": "airbase",
                    "deployed_launchers": 20,
                    "warheads_loaded": 200,
                    "nondeployed_launchers": 5,
                    "converted_launchers": 7,
                    "warheads_per_launcher_max": 16,
                },
            ],
            "stockpile": {"military_stockpile": 2000, "nonstrategic_total": 150, "retired": 300},
        }
    )


NEW_START = CountingRules()
START_I_LIKE = CountingRules(
    ballistic_missile_warheads="attributed",
    attribution={"icbm-a": 3},
    heavy_bomber_warheads="attributed",
    bomber_attribution={"bomber-a": 10},
)


@pytest.mark.parametrize(
    ("quantity", "rules", "expected"),
    [
        # New START: RVs as loaded + one per deployed bomber
        ("deployed_warheads", NEW_START, 150 + 100 + 30 + 256 + 20),
        ("deployed_launchers", NEW_START, 100 + 10 + 30 + 64 + 20),
        ("total_launchers", NEW_START, 100 + 20 + 10 + 30 + 64 + 16 + 20 + 5),
        ("nondeployed_launchers", NEW_START, 20 + 16 + 5),
        ("icbm_warheads", NEW_START, 280),
        ("slbm_warheads", NEW_START, 256),
        ("ballistic_missile_warheads", NEW_START, 536),
        ("heavy_icbm_warheads", NEW_START, 100),
        ("heavy_icbm_launchers", NEW_START, 10),
        ("mobile_icbm_warheads", NEW_START, 30),
        # START I style: attribution table first, else the maximum per launcher
        ("deployed_warheads", START_I_LIKE, 100 * 3 + 10 * 10 + 30 * 1 + 64 * 8 + 20 * 10),
        ("stockpile_warheads", CountingRules(include_nonstrategic=True), 2000),
        ("stockpile_warheads", CountingRules(include_nonstrategic=False), 1850),
        (
            "stockpile_warheads",
            CountingRules(include_nonstrategic=True, include_retired=True),
            2300,
        ),
        (
            "deployed_warheads",
            CountingRules(heavy_bomber_warheads="as_loaded"),
            150 + 100 + 30 + 256 + 200,
        ),
    ],
)
def test_counting_rules(quantity: str, rules: CountingRules, expected: float) -> None:
    c = count_quantity(quantity, _posture(), rules)
    assert c.value is not None
    assert c.value.value == expected


def test_converted_bombers_and_test_launchers_not_added_again() -> None:
    """Test launchers are part of the non-deployed ones; converted bombers are not accountable."""
    total = count_quantity("total_launchers", _posture(), NEW_START)
    assert total.value is not None and total.value.value == 265


def test_unknown_figure_gives_unknown_count() -> None:
    p = _posture()
    p.systems[0] = p.systems[0].model_copy(update={"deployed_launchers": None})
    c = count_quantity("deployed_launchers", p, NEW_START)
    assert c.value is None
    assert any("icbm-a" in m for m in c.missing)


def test_ranges_propagate() -> None:
    p = _posture()
    p.systems[3] = p.systems[3].model_copy(
        update={"warheads_loaded": Range(value=256, low=230, high=300)}
    )
    c = count_quantity("deployed_warheads", p, NEW_START)
    assert c.value is not None
    assert (c.value.low, c.value.value, c.value.high) == (530, 556, 600)


# -- properties --------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=2000)


@st.composite
def holdings(draw: st.DrawFn) -> SystemHolding:
    cat = draw(st.sampled_from(["icbm", "slbm", "bomber", "nonstrategic"]))
    dep = draw(counts)
    lo = draw(st.integers(0, dep))
    return SystemHolding(
        system_id=f"s{draw(st.integers(0, 10**6))}",
        category=cat,
        basing=draw(st.sampled_from(["silo", "road-mobile", "ssbn", "airbase"])),
        heavy=draw(st.booleans()),
        deployed_launchers=Range(value=dep, low=lo, high=dep + draw(counts)),
        warheads_loaded=Range.exact(draw(counts)),
        nondeployed_launchers=Range.exact(draw(counts)),
        warheads_per_launcher_max=Range.exact(draw(st.integers(1, 16))),
    )


postures = st.lists(holdings(), min_size=0, max_size=8).map(
    lambda hs: Posture(party="CN", date=dt.date(2030, 1, 1), systems=hs)
)
rule_sets = st.builds(
    CountingRules,
    ballistic_missile_warheads=st.sampled_from(["as_loaded", "attributed"]),
    heavy_bomber_warheads=st.sampled_from(["one_per_bomber", "as_loaded", "attributed"]),
)
QUANTITIES = [
    "deployed_warheads",
    "deployed_launchers",
    "total_launchers",
    "nondeployed_launchers",
    "icbm_warheads",
    "slbm_warheads",
    "heavy_icbm_warheads",
    "mobile_icbm_warheads",
]


@settings(max_examples=150, deadline=None)
@given(postures, rule_sets, st.sampled_from(QUANTITIES))
def test_counts_never_negative(p: Posture, rules: CountingRules, q: str) -> None:
    c = count_quantity(q, p, rules)
    assert c.value is not None
    assert c.value.low >= 0 and c.value.value >= 0


@settings(max_examples=150, deadline=None)
@given(postures, rule_sets, st.sampled_from(QUANTITIES), st.integers(0, 7))
def test_removing_forces_never_raises_a_count(
    p: Posture, rules: CountingRules, q: str, k: int
) -> None:
    if not p.systems:
        return
    removed = p.without(p.systems[k % len(p.systems)].system_id)
    before = count_quantity(q, p, rules).value
    after = count_quantity(q, removed, rules).value
    assert before is not None and after is not None
    assert after.value <= before.value and after.high <= before.high


@settings(max_examples=100, deadline=None)
@given(postures, st.integers(0, 500))
def test_party_under_every_ceiling_complies(p: Posture, slack: int) -> None:
    rules = CountingRules()
    limits = []
    for q in QUANTITIES:
        c = count_quantity(q, p, rules).value
        assert c is not None
        limits.append({"id": q, "quantity": q, "ceiling": c.high + slack})
    t = Treaty(id="t", name="t", parties=["CN"], limits=limits, counting=rules)
    ev = evaluate(t, {"CN": p})
    assert ev.all_comply
    assert all(r.certain for r in ev.parties["CN"].limits.values())
