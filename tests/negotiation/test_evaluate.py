"""Treaty -> outcome, the no-deal point, the ZOPA against it, and steps towards a treaty."""

from __future__ import annotations

import numpy as np
import pytest

from tripolar.negotiation.evaluate import (
    build_baseline,
    no_deal_outcome,
    transparency_level,
    treaty_outcome,
)
from tripolar.negotiation.family import analyse_family, family_from_mapping
from tripolar.negotiation.steps import plan_to_treaty
from tripolar.negotiation.utility import utility
from tripolar.projection import load_scenario, project
from tripolar.treaty import load_treaty
from tripolar.treaty.schema import VerificationProvisions

from .symmetric import PARTIES, baseline, profiles


@pytest.fixture(scope="module")
def real_baseline():  # type: ignore[no-untyped-def]
    return build_baseline()


def test_transparency_scale() -> None:
    """New START's regime (2 data exchanges, 10 + 8 inspections, notifications, unique
    identifiers; CRS R41219) is the 1 of the scale; no provisions is 0."""
    assert transparency_level(load_treaty("new-start").verification) == pytest.approx(1.0)
    assert transparency_level(VerificationProvisions()) == 0.0
    half = VerificationProvisions(inspections_per_year={"a": 9})
    assert transparency_level(half) == pytest.approx(0.25)


def test_no_deal_is_the_projection(real_baseline) -> None:  # type: ignore[no-untyped-def]
    proj = project(load_scenario("status-quo"))
    nd = no_deal_outcome(real_baseline)
    for p in PARTIES:
        assert nd.parties[p].deployed_warheads == pytest.approx(proj.at(p, 2030)[1])
        assert not nd.parties[p].bound and nd.parties[p].transparency == 0.0
        assert set(nd.parties[p].retaliation) == {*(q for q in PARTIES if q != p), "coalition"}
    assert nd.third_party_warheads == {"GB": 120.0, "FR": 280.0}


def test_treaty_outcome_cuts_never_grows(real_baseline) -> None:  # type: ignore[no-untyped-def]
    nd = no_deal_outcome(real_baseline)
    out = treaty_outcome(load_treaty("tri-equal-1000"), real_baseline)
    for p in PARTIES:
        assert out.parties[p].deployed_warheads <= nd.parties[p].deployed_warheads
        assert out.parties[p].bound and out.parties[p].transparency == pytest.approx(1.0)
    # 1,000 New START-counted warheads, in FAS terms (1,670 / 1,418 today)
    assert out.parties["US"].deployed_warheads == pytest.approx(1000 * 1670 / 1418, rel=0.01)
    # a deployed ceiling far above China's ~24 deployed does not limit its stockpile
    assert out.parties["CN"].deployed_warheads == nd.parties["CN"].deployed_warheads
    # fewer US/RU warheads: China's survivors against them do not fall, the US's do
    assert out.parties["US"].retaliation["RU"] < nd.parties["US"].retaliation["RU"]


def test_zopa_is_against_the_no_deal_point() -> None:
    """The ZOPA holds exactly the members every party strictly prefers to no deal; a member
    that changes nothing (no limit binds, no verification) has utility 0 and is outside."""
    fam = family_from_mapping(
        {
            "id": "z",
            "name": "z",
            "deployed_warheads": {"per_party": {p: [None, 1000, 1300] for p in PARTIES}},
        }
    )
    b = baseline()
    profs = profiles(security=0.3)
    an = analyse_family(fam, b, profs)
    nd = no_deal_outcome(b)
    u = an.result.utilities.matrix
    assert np.allclose(u[:, 0], 0.0)  # all unlimited = no deal
    expected = [k for k in range(u.shape[1]) if np.all(u[:, k] > 0)]
    assert list(an.result.report.zopa) == expected and 0 not in expected and expected
    # recomputed independently from the utility function
    k = expected[0]
    out = treaty_outcome(an.members[k].treaty, b, label="x")
    for i, p in enumerate(PARTIES):
        assert utility(profs[p], out, nd).total == pytest.approx(u[i, k])
    # a higher no-deal arsenal shifts d: the same cuts gain more
    an2 = analyse_family(fam, baseline(2400.0), profs)
    assert an2.result.utilities.matrix[0, k] > u[0, k]


def test_steps_add_up_to_the_treaty() -> None:
    b = baseline()
    profs = profiles(security=0.3)
    t = load_treaty("tri-equal-1000")
    plan = plan_to_treaty(t, b, profs)
    names = [s.name for s in plan.steps]
    assert names[:4] == ["notifications", "data exchanges", "unique identifiers", "inspections"]
    assert names[4] == "freeze" and names[-1].startswith("stage")
    nd = no_deal_outcome(b)
    target = treaty_outcome(t, b)
    for p in PARTIES:
        total = sum(s.deltas[p] for s in plan.steps)
        assert total == pytest.approx(utility(profs[p], target, nd).total, abs=1e-9)


def test_path_found_when_reductions_pay_for_transparency() -> None:
    """Identical parties that value cuts: transparency costs are bundled with cuts (three
    payers for four costly transparency steps need bundles of three)."""
    b, profs = baseline(), profiles(security=0.3)
    short = plan_to_treaty(load_treaty("tri-equal-1000"), b, profs, max_bundle=2)
    assert not short.path.complete and short.path.remaining == ("inspections",)
    plan = plan_to_treaty(load_treaty("tri-equal-1000"), b, profs, max_bundle=3)
    assert plan.path.complete, plan.path.blocked
    for cum in plan.path.cumulative:
        assert all(v >= -1e-9 for v in cum.values())
    assert sum(len(b) for b in plan.path.bundles) == len(plan.steps)


def test_path_names_the_blocking_party() -> None:
    """China alone bears a large transparency cost and gains nothing from cuts: it blocks."""
    profs = profiles(security=0.3)
    profs["CN"] = profs["CN"].with_weights({"transparency": 20.0, "cost.warheads": 0.0})
    plan = plan_to_treaty(load_treaty("tri-equal-1000"), baseline(), profs)
    assert not plan.path.complete
    # every remaining step leaves China worse off; some leave only China worse off
    assert all("CN" in b["worse_off"] for b in plan.path.blocked)
    assert any(b["worse_off"] == ["CN"] for b in plan.path.blocked)
    assert "notifications" in plan.path.remaining
    d = plan.to_dict()
    assert d["path"]["blocked"] and d["steps"][0]["name"] == "notifications"


def test_negotiation_column_shaped() -> None:
    from tripolar.assessment.negotiation import negotiation_column
    from tripolar.context import EvaluationContext

    t = load_treaty("tri-equal-1000")
    col = negotiation_column(t, EvaluationContext())
    assert set(col.utilities) == {"US", "RU", "CN"}
    for p in PARTIES:
        assert isinstance(col.utilities[p], float)
    in_zopa = all(col.utilities[p] > 0 for p in PARTIES)
    assert col.in_zopa is in_zopa
    assert (col.nash_rank is None) is (not in_zopa)
    assert (col.nash_product is None) is (not in_zopa)
    assert set(col.not_better_off) == {p for p in PARTIES if col.utilities[p] <= 0}
