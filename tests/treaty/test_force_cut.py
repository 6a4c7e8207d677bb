"""Force building under a treaty: the result complies, no count rises, the mix is kept."""

from __future__ import annotations

import pytest

from tripolar.errors import InputError
from tripolar.forces import build_posture
from tripolar.treaty import builtin_treaties, evaluate, load_treaty
from tripolar.treaty.force_cut import RULES, comply, comply_all

FIELDS = ("deployed_launchers", "warheads_loaded", "nondeployed_launchers")


@pytest.fixture(scope="module")
def postures():
    return {p: build_posture(p, 2025) for p in ("US", "RU", "CN")}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("tid", [t.id for t in builtin_treaties() if t.kind == "proposal"])
def test_result_complies_and_nothing_grows(postures, tid, rule):
    t = load_treaty(tid)
    new, _reports = comply_all(t, postures, rule)
    ev = evaluate(t, new)
    for party, pe in ev.parties.items():
        for r in pe.limits.values():
            assert r.status != "exceeds" or r.count is None, (party, r.limit_id)
    for party, p in new.items():
        old = {h.system_id: h for h in postures[party].systems}
        for h in p.systems:
            for f in FIELDS:
                a, b = getattr(old[h.system_id], f), getattr(h, f)
                if a is not None and b is not None:
                    assert b.value <= a.value + 1e-9


def test_proportional_keeps_the_mix(postures):
    t = load_treaty("tri-equal-1000")
    new, rep = comply(postures["US"], t, "proportional")
    assert rep.changed
    ratios = [
        h.warheads_loaded.value / o.warheads_loaded.value
        for h, o in zip(new.systems, postures["US"].systems, strict=True)
        if o.category != "nonstrategic"
        and o.warheads_loaded is not None
        and o.warheads_loaded.value > 0
    ]
    assert max(ratios) - min(ratios) < 1e-9 and ratios[0] < 1


def test_de_mirv_keeps_launchers_for_warhead_limit(postures):
    t = load_treaty("tri-equal-1000")
    ev = evaluate(t, postures)
    new, _ = comply(postures["US"], t, "de-mirv", ev)
    tr = {h.system_id: h for h in new.systems}["us-trident-ii"]
    old = {h.system_id: h for h in postures["US"].systems}["us-trident-ii"]
    assert tr.warheads_loaded.value / tr.deployed_launchers.value < (
        old.warheads_loaded.value / old.deployed_launchers.value
    )
    assert tr.warheads_loaded.value >= tr.deployed_launchers.value - 1e-9


def test_under_ceilings_unchanged(postures):
    t = load_treaty("tri-new-start")
    new, rep = comply(postures["US"], t)
    assert not rep.changed and new == postures["US"]


def test_unknown_counts_are_reported_not_cut(postures):
    t = load_treaty("tri-equal-1000")
    _, rep = comply(postures["CN"], t)
    assert any("deployed_launchers" in u for u in rep.unenforced)


def test_bad_rule(postures):
    with pytest.raises(InputError):
        comply(postures["US"], load_treaty("tri-new-start"), "cut-bombers")
