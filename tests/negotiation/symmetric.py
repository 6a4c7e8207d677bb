"""Symmetric test fixtures: three identical parties (copies of the US posture and force),
identical alert levels and identical profiles, so any asymmetry in a result is a bug."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tripolar.exchange.alert import alert_levels_from_mapping, load_alert_levels
from tripolar.exchange.force import Force, force_for_exchange
from tripolar.forces import build_posture
from tripolar.negotiation.evaluate import Baseline
from tripolar.negotiation.profiles import Profile

PARTIES = ("US", "RU", "CN")


def _j(value: float) -> dict[str, Any]:
    return {"value": value, "statement": "test weight", "sources": ["S01"]}


def profile(
    party: str,
    *,
    security: float = 1.0,
    warheads: float = 0.5,
    launchers: float = 0.2,
    transparency: float = 0.1,
    assurance: float = 0.0,
) -> Profile:
    """Identical weights for every party; ``assurance`` is the weight on each other party's
    transparency (0, the default, values only the cost of showing one's own forces)."""
    others = [p for p in PARTIES if p != party]
    return Profile.model_validate(
        {
            "party": party,
            "name": party,
            "security": {**{o: _j(security) for o in others}, "coalition": _j(security)},
            "cost": {"warheads": _j(warheads), "launchers": _j(launchers)},
            "transparency": _j(transparency),
            "assurance": {o: _j(assurance) for o in others} if assurance else {},
        }
    )


def profiles(**kw: float) -> dict[str, Profile]:
    return {p: profile(p, **kw) for p in PARTIES}


def baseline(no_deal_warheads: float = 2000.0) -> Baseline:
    data = load_alert_levels().model_dump()
    for post in data["postures"].values():
        for p in ("RU", "CN"):
            post[p] = post["US"]
    levels = alert_levels_from_mapping(data)
    us = build_posture("US", 2025)
    postures = {p: us.model_copy(update={"party": p}) for p in PARTIES}
    force, _ = force_for_exchange(us, levels)
    forces = {p: Force(party=p, systems=tuple(replace(s) for s in force.systems)) for p in PARTIES}
    w_now, l_now = 1670.0, 678.0
    return Baseline(
        parties=PARTIES,
        measure=dict.fromkeys(PARTIES, "deployed_strategic"),
        warheads_now=dict.fromkeys(PARTIES, w_now),
        warheads_no_deal=dict.fromkeys(PARTIES, no_deal_warheads),
        launchers_now=dict.fromkeys(PARTIES, l_now),
        launchers_no_deal=dict.fromkeys(PARTIES, l_now * no_deal_warheads / w_now),
        postures=postures,
        forces=forces,
        levels=levels,
        scenario="symmetric-test",
    )
