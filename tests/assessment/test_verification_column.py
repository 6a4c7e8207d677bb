"""The verification column of the assessment (tripolar.assessment.verification)."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.assessment.verification import RULE, upload_missiles, verification_column
from tripolar.forces import Posture, SystemHolding, build_posture
from tripolar.ranges import Range
from tripolar.report.assessment import verification_cell
from tripolar.treaty import evaluate, load_treaty
from tripolar.verification.inspection import inspections_needed
from tripolar.verification.simulate import DEFAULT_ASSUMPTIONS, declared_missiles


def _posture(*systems: tuple[str, str, float, float, float]) -> Posture:
    return Posture(
        party="US",
        date=dt.date(2025, 1, 1),
        systems=[
            SystemHolding(
                system_id=sid,
                category=cat,  # type: ignore[arg-type]
                deployed_launchers=Range.exact(n),
                warheads_loaded=Range.exact(w),
                warheads_per_launcher_max=Range.exact(top),
            )
            for sid, cat, n, w, top in systems
        ],
    )


def test_upload_missiles_greedy() -> None:
    """B has room 4 per missile (10 x 4 = 40), A room 2: 50 extra -> 10 B + 5 A = 15."""
    p = _posture(("A", "icbm", 100, 100, 3), ("B", "slbm", 10, 40, 8))
    assert upload_missiles(p, 50) == (15, ["B", "A"])
    assert upload_missiles(p, 40) == (10, ["B"])
    assert isinstance(upload_missiles(p, 1000), str)


@settings(max_examples=50, deadline=None)
@given(extra=st.integers(1, 239))
def test_upload_missiles_monotone(extra: int) -> None:
    p = _posture(("A", "icbm", 100, 100, 3), ("B", "slbm", 10, 40, 8))
    a, b = upload_missiles(p, extra), upload_missiles(p, extra + 1)
    assert isinstance(a, tuple) and isinstance(b, tuple)
    assert a[0] <= b[0]


def test_us_under_tri_new_start() -> None:
    """The rule by hand: 10 % of 1,550 = 155 extra warheads; fewest missiles at maximum
    loading; n* from the hypergeometric model; quota 10 Type One per year."""
    treaty = load_treaty("tri-new-start")
    postures = {p: build_posture(p, treaty.baseline_year) for p in treaty.parties}
    col = verification_column(treaty, evaluate(treaty, postures), postures)
    assert col.rule == RULE
    us = col.parties["US"]
    assert us.ceiling_warheads is not None
    assert us.excess_warheads == math.ceil(0.1 * us.ceiling_warheads)
    d = upload_missiles(postures["US"], us.excess_warheads)
    assert isinstance(d, tuple) and us.violating_missiles == d[0]
    m = declared_missiles(postures["US"])
    assert m is not None and us.declared_missiles == round(m.value)
    p = DEFAULT_ASSUMPTIONS["rv_notice_probability"].default
    plan = inspections_needed(round(m.value), d[0], 0.95, p)
    assert plan.inspections_needed is not None
    assert us.inspections_needed == plan.inspections_needed
    assert us.quota_type_one_per_year == 10
    assert us.quota_reaches is (plan.inspections_needed <= 10)
    cell = verification_cell(us)
    assert str(us.inspections_needed) in cell and "quota 10" in cell
    json.dumps(col.to_dict(), allow_nan=False)


def test_not_assessable_reasons() -> None:
    """No ceiling, or per-missile loading not public: n/a with a reason, never a number."""
    treaty = load_treaty("tri-china-freeze")
    postures = {p: build_posture(p, treaty.baseline_year) for p in treaty.parties}
    col = verification_column(treaty, evaluate(treaty, postures), postures)
    for party in ("RU", "CN"):
        pv = col.parties[party]
        assert pv.assessable is False and pv.reason
        assert verification_cell(pv).startswith("n/a")
        assert pv.inspections_needed is None


def test_assess_includes_column() -> None:
    from tripolar import assess

    a = assess(columns=("verification",))
    for pa in a.proposals:
        assert pa.verification is not None and pa.stability is None
        assert set(pa.verification.parties) == set(pa.treaty.parties)


@pytest.mark.parametrize("quota", [0, 100])
def test_quota_reaches(quota: int) -> None:
    treaty = load_treaty("tri-new-start")
    ver = treaty.verification.model_copy(update={"inspections_per_year": {"type_one": quota}})
    t = treaty.model_copy(update={"verification": ver})
    postures = {p: build_posture(p, t.baseline_year) for p in t.parties}
    us = verification_column(t, evaluate(t, postures), postures).parties["US"]
    assert us.inspections_needed is not None
    assert us.quota_reaches is (quota >= us.inspections_needed)
