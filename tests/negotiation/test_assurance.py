"""The assurance term: the value of seeing other parties' forces, next to the cost of showing
one's own (reciprocal transparency; Schelling, *The Strategy of Conflict*, 1960, ch. 9-10)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.negotiation import load_profiles, make_outcome, profile_sensitivity, utility
from tripolar.negotiation.evaluate import no_deal_outcome, treaty_outcome
from tripolar.negotiation.steps import plan_to_treaty
from tripolar.treaty import load_treaty

from .symmetric import PARTIES, baseline, profile, profiles

PROFILES = load_profiles()
R = {
    "US": {"RU": 1.0, "CN": 1.0, "coalition": 0.8},
    "RU": {"US": 1.0, "CN": 1.0, "coalition": 0.8},
    "CN": {"US": 0.7, "RU": 1.0, "coalition": 0.5},
}
WARHEADS = {"US": 1670.0, "RU": 1718.0, "CN": 1000.0}
THIRD = {"GB": 225, "FR": 290}


def state(t: dict[str, float], warheads: dict[str, float] | None = None) -> Any:
    """An outcome that differs from no deal only in transparency levels (and warheads)."""
    w = warheads or WARHEADS
    return make_outcome(
        {
            "label": "t",
            "third_party_warheads": THIRD,
            "parties": {
                p: {
                    "deployed_warheads": w[p],
                    "launchers": 500,
                    "retaliation": R[p],
                    "transparency": t.get(p, 0.0),
                }
                for p in PARTIES
            },
        }
    )


def test_mutual_notifications_raise_high_and_lower_low_assurance_party() -> None:
    """Launch notifications (0.15 on the transparency scale) for all three: the US, whose
    assurance weights (0.3 + 0.5) exceed its cost (0.1), gains; China, whose assurance weights
    (0.1 + 0.05) are below its cost (0.6), loses. Exact values: (sum_j a_ij - w_i) * 0.15."""
    nd = state({})
    notif = state(dict.fromkeys(PARTIES, 0.15))
    expected = {"US": (0.3 + 0.5 - 0.1) * 0.15, "RU": (0.4 + 0.05 - 0.2) * 0.15}
    expected["CN"] = (0.1 + 0.05 - 0.6) * 0.15
    for p, prof in PROFILES.items():
        assert utility(prof, notif, nd).total == pytest.approx(expected[p])
    assert expected["US"] > 0 > expected["CN"]


def test_notification_step_from_the_steps_machinery() -> None:
    """The same through ``plan_to_treaty``: identical forces, one party with a high assurance
    weight (above its cost), one with none; the notifications step of tri-equal-1000 raises
    the first and lowers the second, and moves only transparency and assurance terms."""
    profs = profiles(security=0.3, transparency=0.2)
    profs["US"] = profile("US", security=0.3, transparency=0.2, assurance=0.5)
    plan = plan_to_treaty(load_treaty("tri-equal-1000"), baseline(), profs)
    k = [s.name for s in plan.steps].index("notifications")
    notif = plan.steps[k]
    assert notif.deltas["US"] == pytest.approx((2 * 0.5 - 0.2) * 0.15)
    assert notif.deltas["RU"] == pytest.approx(-0.2 * 0.15)
    moved = {t for p in PARTIES for t, v in plan.terms[k][p].items() if v != 0}
    assert moved == {"transparency", "assurance:RU", "assurance:CN"}
    for p in PARTIES:
        assert sum(plan.terms[k][p].values()) == pytest.approx(notif.deltas[p], abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    cost=st.floats(0.0, 2.0),
    extra=st.floats(1e-3, 2.0),
    t0=st.floats(0.0, 0.9),
    dt=st.floats(1e-3, 1.0),
    w=st.lists(st.floats(100, 3000), min_size=3, max_size=3),
)
def test_symmetric_step_never_a_loss_for_all(
    cost: float, extra: float, t0: float, dt: float, w: list[float]
) -> None:
    """Symmetric profiles with assurance weight > cost weight: a transparency step taken by
    all three at once leaves every party better off (so never all worse off), whatever the
    arsenals; with assurance below half the cost (two observed parties) all three lose."""
    t1 = min(1.0, t0 + dt)
    arsenals = dict(zip(PARTIES, w, strict=True))
    before = state(dict.fromkeys(PARTIES, t0), arsenals)
    after = state(dict.fromkeys(PARTIES, t1), arsenals)
    nd = state({}, arsenals)
    profs = profiles(transparency=cost, assurance=cost + extra)
    gains = [utility(pr, after, nd).total - utility(pr, before, nd).total for pr in profs.values()]
    assert all(g > 0 for g in gains)
    assert not all(g < 0 for g in gains)
    if cost >= 1e-3:
        low = profiles(transparency=cost, assurance=0.4 * cost)
        losses = [
            utility(pr, after, nd).total - utility(pr, before, nd).total for pr in low.values()
        ]
        assert all(g < 0 for g in losses)


def test_term_separation_own_and_others_transparency() -> None:
    """Another party's transparency moves only the observer's assurance term for that party;
    the observer's own transparency moves its cost term (and, where it shows less than the
    other, its assurance); a party outside the regime (T = 0) sees nothing."""
    nd = state({})
    us = PROFILES["US"]
    base = utility(us, state({"US": 1.0, "RU": 0.5, "CN": 0.5}), nd).terms
    more_cn = utility(us, state({"US": 1.0, "RU": 0.5, "CN": 0.9}), nd).terms
    assert {k for k in base if base[k] != more_cn[k]} == {"assurance:CN"}
    more_ru = utility(us, state({"US": 1.0, "RU": 0.9, "CN": 0.5}), nd).terms
    assert {k for k in base if base[k] != more_ru[k]} == {"assurance:RU"}
    less_us = utility(us, state({"US": 0.7, "RU": 0.5, "CN": 0.5}), nd).terms
    assert {k for k in base if base[k] != less_us[k]} == {"transparency"}
    outsider = utility(PROFILES["CN"], state({"US": 1.0, "RU": 1.0}), nd).terms
    assert outsider["assurance:US"] == 0 and outsider["assurance:RU"] == 0
    assert outsider["transparency"] == 0
    # the terms are reported separately and sum to the total
    b = utility(us, state(dict.fromkeys(PARTIES, 0.4)), nd)
    assert b.terms["transparency"] == pytest.approx(-0.1 * 0.4)
    assert b.terms["assurance:CN"] == pytest.approx(0.5 * 0.4)
    assert b.total == pytest.approx(sum(b.terms.values()))


def test_step_terms_add_up_to_the_treaty_term_by_term() -> None:
    """Per term, the steps' changes add up to the treaty's utility term (assurance too)."""
    b = baseline()
    profs = profiles(security=0.3, assurance=0.15)
    t = load_treaty("tri-equal-1000")
    plan = plan_to_treaty(t, b, profs)
    target = treaty_outcome(t, b)
    nd = no_deal_outcome(b)
    for p in PARTIES:
        want = utility(profs[p], target, nd).terms
        for term, v in want.items():
            got = sum(step[p][term] for step in plan.terms)
            assert got == pytest.approx(v, abs=1e-9), (p, term)
        assert sum(s.deltas[p] for s in plan.steps) == pytest.approx(sum(want.values()))
    d = plan.to_dict()
    assert set(d["steps"][0]["terms"]["US"]) >= {"transparency", "assurance:RU"}
    # a stage is measured from the freeze, so it requires it
    assert "freeze" in plan.steps[[s.name for s in plan.steps].index("freeze") + 1].requires


def test_sensitivity_with_a_zero_weight_stays_non_negative() -> None:
    """A profile weight of 0 (e.g. assurance switched off) is moved up only: the sensitivity
    table is computed instead of failing on a negative weight."""
    nd = state({})
    outs = [state(dict.fromkeys(PARTIES, 0.5)), state({"US": 0.2, "RU": 0.2})]
    off = {
        p: pr.with_weights({f"assurance.{q}": 0.0 for q in pr.assurance})
        for p, pr in PROFILES.items()
    }
    sens = profile_sensitivity(off, outs, nd, rel_step=0.1).to_frame()
    assert "US:assurance.CN" in set(sens["weight"])
    assert len(sens) == 3 * sum(len(p.weights()) for p in off.values())
