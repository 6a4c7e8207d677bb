"""The fast paths of the force cut give the objects the generic paths give."""

from __future__ import annotations

import pickle

import pytest

from tripolar.context import EvaluationContext
from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.force import (
    ForceSystem,
    _loading,
    _system_basing,
    exchange_posture,
    force_from_posture,
)
from tripolar.forces import Posture
from tripolar.forces.records import copy_with
from tripolar.ranges import Range
from tripolar.treaty import load_treaty
from tripolar.treaty.counting import CountCache, count_totals
from tripolar.treaty.force_cut import _COUNT_FIELDS, _scale_holding, comply_all

PARTIES = ("US", "RU", "CN")


@pytest.fixture(scope="module")
def postures() -> dict[str, Posture]:
    ctx = EvaluationContext()
    return {p: ctx.posture(p) for p in PARTIES}


def _state(m):
    return (m.__dict__, m.__pydantic_fields_set__, m.__pydantic_extra__, m.__pydantic_private__)


def test_copy_with_is_model_copy(postures):
    for p in postures.values():
        upd = {"notes": [*p.notes, "x"], "aggregates": []}
        fast, slow = copy_with(p, upd), p.model_copy(update=upd)
        assert fast == slow and _state(fast) == _state(slow)
        assert pickle.loads(pickle.dumps(fast)) == slow
        for h in p.systems:
            fast_h = copy_with(h, {"warheads_loaded": None})
            assert _state(fast_h) == _state(h.model_copy(update={"warheads_loaded": None}))
            assert fast_h is not h and h.warheads_loaded is h.__dict__["warheads_loaded"]


@pytest.mark.parametrize("f", [0.0, 0.37, 1.0, -0.5])
def test_scale_holding_matches_range_scale(postures, f):
    for p in postures.values():
        for h in p.systems:
            slow = h.model_copy(
                update={
                    k: None if getattr(h, k) is None else getattr(h, k).scale(max(f, 0.0))
                    for k in _COUNT_FIELDS
                }
            )
            fast = _scale_holding(h, f)
            assert fast == slow and _state(fast) == _state(slow)


def test_scale_holding_nan_raises_as_before(postures):
    h = next(h for h in postures["US"].systems if h.deployed_launchers is not None)
    with pytest.raises(ValueError, match="non-negative"):
        _scale_holding(h, float("nan"))


def _slow_loading(lau: Range, wh: Range) -> Range:
    wpl = Range.of(
        wh.value / lau.value,
        wh.low / max(lau.high, 1e-9),
        wh.high / max(lau.low, 1e-9) if lau.low > 0 else wh.high / lau.value,
    )
    return Range.of(wpl.value, min(wpl.low, wpl.value), max(wpl.high, wpl.value))


@pytest.mark.parametrize(
    ("lau", "wh"),
    [
        (Range.of(400.0), Range.of(400.0)),
        (Range.of(10.0, 8.0, 12.0), Range.of(35.0, 30.0, 40.0)),
        (Range.of(5.0, 0.0, 6.0), Range.of(20.0, 10.0, 24.0)),
        (Range.of(3.0, 1.0, 100.0), Range.of(30.0, 29.0, 31.0)),
    ],
)
def test_loading_is_range_of(lau, wh):
    fast, slow = _loading(lau, wh), _slow_loading(lau, wh)
    assert fast == slow and _state(fast) == _state(slow)


def _slow_force_systems(posture: Posture, params) -> list[ForceSystem]:
    out = []
    scale = params.cep_scale()
    for h in posture.systems:
        lau, wh = h.deployed_launchers, h.warheads_loaded
        if lau is None or wh is None or lau.value <= 0 or wh.value <= 0:
            continue
        basing = _system_basing(h.basing, h.category)
        assumed = ["reliability", "hardness_psi"]
        y = h.yield_kt if h.yield_kt is not None else params.default_yield_kt(h.category)
        if h.yield_kt is None:
            assumed.append("yield_kt")
        cep = h.cep_m if h.cep_m is not None else params.default_cep_m(h.category)
        if h.cep_m is None:
            assumed.append("cep_m")
        if scale is not None:
            cep = cep.times(scale)
            assumed.append("cep_scale")
        out.append(
            ForceSystem(
                system_id=h.system_id,
                category=h.category,
                basing=basing,
                launchers=lau,
                warheads_per_launcher=_slow_loading(lau, wh),
                yield_kt=y,
                cep_m=cep,
                reliability=params.reliability(),
                hardness_psi=params.hardness_psi(basing),
                assumed=tuple(assumed),
            )
        )
    return out


def test_force_from_posture_matches_reference(postures):
    params = load_alert_levels()
    for party in PARTIES:
        p, _ = exchange_posture(postures[party])
        assert list(force_from_posture(p, params).systems) == _slow_force_systems(p, params)


def test_noted_copy_shares_counts(postures):
    treaty = load_treaty("tri-new-start")
    cache = CountCache(parts=False)
    under = cache.under(treaty.counting)
    p = postures["US"]
    noted = p.model_copy(update={"notes": [*p.notes, "cut"]})
    first = under.count("deployed_warheads", p)
    under.same_counts(noted, p)
    assert under.count("deployed_warheads", noted) is first
    later = under.count("total_launchers", noted)
    assert under.count("total_launchers", p) is later
    assert later == count_totals("total_launchers", noted, treaty.counting)


@pytest.mark.parametrize("rule", ["proportional", "keep-ssbn", "icbm-first", "de-mirv"])
def test_comply_all_cut_counts_as_fresh_counts(postures, rule):
    """The counts shared through the cache are those of the cut postures themselves."""
    treaty = load_treaty("tri-equal-1000")
    cut, reports = comply_all(treaty, postures, rule)
    for party, rep in reports.items():
        for c in rep.changes:
            fresh = count_totals(c.quantity, cut[party], treaty.counting)
            if c.action != "none" and fresh.value is not None:
                assert fresh.value.value <= c.ceiling + 1e-6
