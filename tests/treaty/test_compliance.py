"""Ceilings (equal, per party, freeze, cut, combined), schedules and compliance status."""

from __future__ import annotations

import datetime as dt

from tripolar.forces import Posture, SystemHolding
from tripolar.ranges import Range
from tripolar.treaty import evaluate
from tripolar.treaty.schema import Treaty


def _p(party: str, warheads: float, year: int = 2025, band: float = 0) -> Posture:
    return Posture(
        party=party,
        date=dt.date(year, 1, 1),
        systems=[
            SystemHolding(
                system_id=f"{party}-icbm",
                category="icbm",
                deployed_launchers=Range.exact(warheads),
                warheads_loaded=Range(value=warheads, low=warheads - band, high=warheads + band),
            )
        ],
    )


POSTURES = {"US": _p("US", 1700), "RU": _p("RU", 1650), "CN": _p("CN", 600, band=100)}


def _treaty(**limit: object) -> Treaty:
    return Treaty.model_validate(
        {
            "id": "x",
            "name": "x",
            "parties": ["US", "RU", "CN"],
            "compliance_date": "2030-01-01",
            "limits": [{"id": "w", "quantity": "deployed_warheads", **limit}],
        }
    )


def test_equal_ceiling_headroom_and_status() -> None:
    ev = evaluate(_treaty(ceiling=1000), POSTURES)
    us = ev.parties["US"].limits["w"]
    assert us.ceiling is not None and us.ceiling.value == 1000
    assert us.headroom is not None and us.headroom.value == -700
    assert us.status == "exceeds"
    cn = ev.parties["CN"].limits["w"]
    assert cn.status == "complies" and cn.certain
    assert not ev.all_comply


def test_uncertain_when_band_straddles_ceiling() -> None:
    ev = evaluate(_treaty(ceiling=650), POSTURES)
    cn = ev.parties["CN"].limits["w"]
    assert cn.status == "complies" and not cn.certain
    assert cn.headroom is not None and (cn.headroom.low, cn.headroom.high) == (-50, 150)


def test_combined_ceiling_us_matches_russia_plus_china() -> None:
    t = _treaty(ceiling=1550, per_party={"US": {"at_most_sum_of": ["RU", "CN"]}})
    ev = evaluate(t, POSTURES)
    us = ev.parties["US"].limits["w"]
    assert us.ceiling is not None and us.ceiling.value == 2250
    assert (us.ceiling.low, us.ceiling.high) == (2150, 2350)
    assert us.status == "complies"


def test_freeze_and_cut_use_the_baseline_posture() -> None:
    base = {"CN": _p("CN", 600), "US": _p("US", 1700), "RU": _p("RU", 1650)}
    later = {"CN": _p("CN", 700, 2030), "US": _p("US", 1700, 2030), "RU": _p("RU", 1650, 2030)}
    t = _treaty(
        ceiling=1550,
        per_party={"CN": {"freeze_at": 2025}, "US": {"cut_from": 2025, "fraction": 0.2}},
    )
    ev = evaluate(t, later, baselines=base)
    cn = ev.parties["CN"].limits["w"]
    assert cn.ceiling is not None and cn.ceiling.value == 600 and cn.status == "exceeds"
    us = ev.parties["US"].limits["w"]
    assert us.ceiling is not None and us.ceiling.value == 1360


def test_schedule_steps_and_exemption() -> None:
    t = _treaty(
        ceiling=1800,
        per_party={"CN": None},
        schedule=[
            {"date": "2032-01-01", "ceiling": 1600},
            {"date": "2035-01-01", "ceiling": 1200, "per_party": {"CN": 800}},
        ],
    )
    ev = evaluate(t, POSTURES)
    us = ev.parties["US"].schedule["w"]
    assert [r.date for r in us] == [dt.date(2030, 1, 1), dt.date(2032, 1, 1), dt.date(2035, 1, 1)]
    assert [r.ceiling.value for r in us if r.ceiling] == [1800, 1600, 1200]
    assert [r.status for r in us] == ["complies", "exceeds", "exceeds"]
    cn = ev.parties["CN"].schedule["w"]
    assert [r.status for r in cn] == ["exempt", "exempt", "complies"]


def test_non_party_is_counted_but_not_bound() -> None:
    t = Treaty.model_validate(
        {
            "id": "b",
            "name": "b",
            "parties": ["US", "RU"],
            "limits": [{"id": "w", "quantity": "deployed_warheads", "ceiling": 100}],
        }
    )
    ev = evaluate(t, POSTURES)
    assert ev.parties["CN"].limits["w"].status == "not a party"
    assert ev.parties["CN"].limits["w"].count is not None
