"""Reciprocal-steps planner."""

from __future__ import annotations

import pytest

from tripolar.errors import InputError
from tripolar.negotiation.path import Step, plan_path

P = ("US", "RU", "CN")


def test_reciprocal_bundle_found() -> None:
    """A step costly to China is paired with one that pays China; order respects prereqs."""
    steps = [
        Step("notify launches", {"US": 0.1, "RU": 0.1, "CN": 0.05}),
        Step("data exchange", {"US": 0.3, "RU": 0.2, "CN": -0.2}, requires=("notify launches",)),
        Step("US/RU cut to 1,200", {"US": -0.05, "RU": -0.05, "CN": 0.3}),
    ]
    r = plan_path(steps, P)
    assert r.complete
    assert r.bundles[0] == ("notify launches",)
    assert set(r.bundles[1]) == {"data exchange", "US/RU cut to 1,200"}
    for cum in r.cumulative:
        assert all(v >= 0 for v in cum.values())
    assert r.to_dict()["complete"] is True


def test_blocking_party_reported() -> None:
    steps = [
        Step("freeze", {"US": 0.2, "RU": 0.1, "CN": -0.4}),
        Step("hotline", {"US": 0.1, "RU": 0.1, "CN": 0.1}),
    ]
    r = plan_path(steps, P)
    assert not r.complete
    assert r.bundles == (("hotline",),)
    assert r.blocked == ({"step": "freeze", "worse_off": ["CN"], "lacks": []},)


def test_single_steps_only_and_monotone_each_step() -> None:
    steps = [Step(f"s{k}", {"US": 0.1, "RU": 0.0, "CN": 0.1}) for k in range(5)]
    r = plan_path(steps, P, max_bundle=1)
    assert r.complete and len(r.bundles) == 5


def test_bad_steps() -> None:
    with pytest.raises(InputError):
        plan_path([Step("a", {"US": 1.0})], P)
    with pytest.raises(InputError):
        plan_path([Step("a", dict.fromkeys(P, 1.0), requires=("b",))], P)
    with pytest.raises(InputError):
        plan_path([Step("a", dict.fromkeys(P, 1.0))] * 2, P)
