"""Alert-levels entries fixed by an evaluation context, and the CEP scale on every system."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.context import EvaluationContext
from tripolar.errors import InputError
from tripolar.exchange.alert import AlertLevels, alert_levels_for, load_alert_levels, with_overrides
from tripolar.exchange.exchange import class_kill_probability, counterforce_exchange, party_state
from tripolar.exchange.first_strike import KentThalerParams
from tripolar.exchange.force import Force
from tripolar.exchange.montecarlo import real_forces, run_exchange
from tripolar.stability.run import run_stability

PARTIES = ("US", "RU", "CN")
CTX = EvaluationContext()
BUNDLED = load_alert_levels()


def _forces(levels: AlertLevels) -> dict[str, Force]:
    forces, _, _ = real_forces(CTX.postures(PARTIES), levels, context=CTX)
    return forces


def _scaled(s: float) -> AlertLevels:
    return with_overrides(BUNDLED, [("parameters.cep_scale", s)])


def test_an_override_fixes_one_entry_and_leaves_the_rest() -> None:
    lv = with_overrides(
        BUNDLED,
        [
            ("parameters.hardness_psi.silo", 3000.0),
            ("parameters.w80.CN", 400.0),
            ("postures.generated.RU.mixed", 0.25),
            ("parameters.reserve_delta", 0.2),
            ("parameters.follow_on_lambda", 0.0),
        ],
    )
    h = lv.parameters.hardness_psi["silo"]
    assert (h.value, h.low, h.high, h.basis) == (3000.0, 3000.0, 3000.0, "assumed")
    assert lv.w80("CN").low == lv.w80("CN").high == 400.0
    assert lv.w80("US") == BUNDLED.w80("US")
    assert lv.untargetable_fraction("RU", "generated", "mixed").value == 0.25
    assert lv.untargetable_fraction("RU", "day_to_day", "mixed") == BUNDLED.untargetable_fraction(
        "RU", "day_to_day", "mixed"
    )
    assert lv.parameters.reserve_delta.value == 0.2
    assert lv.parameters.follow_on_lambda.value == 0.0
    assert lv.parameters.cep_m == BUNDLED.parameters.cep_m
    assert lv.reliability() == BUNDLED.reliability()
    # Sources of a fixed entry are kept: its provenance is still the cited one.
    src = BUNDLED.postures["day_to_day"]["US"].ssbn
    fixed = with_overrides(BUNDLED, [("postures.day_to_day.US.ssbn", 0.5)])
    e = fixed.postures["day_to_day"]["US"].ssbn
    assert src is not None and e is not None
    assert e.sources == src.sources and e.basis == "assumed"


def test_no_overrides_is_the_same_object() -> None:
    assert with_overrides(BUNDLED, ()) is BUNDLED


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("parameters.bogus", 1.0, "parameters.bogus"),
        ("parameters.hardness_psi", 1.0, "parameters.hardness_psi"),
        ("parameters.reliability.value", 1.0, "parameters.reliability.value"),
        ("weights.x", 1.0, "weights.x"),
        ("parameters", 1.0, "parameters"),
        ("parameters..silo", 1.0, "parameters..silo"),
        ("parameters.reliability", 1.5, "parameters.reliability"),
        ("parameters.reserve_delta", 1.0, "parameters"),
        ("parameters.cep_scale", 0.0, "parameters"),
        ("parameters.follow_on_lambda", -1.0, "parameters"),
        ("postures.alert.US.ssbn", 0.5, "postures.alert"),
    ],
)
def test_a_bad_override_is_one_input_error(path: str, value: float, field: str) -> None:
    with pytest.raises(InputError) as exc:
        with_overrides(BUNDLED, [(path, value)])
    assert exc.value.file == "alert_overrides"
    assert exc.value.field == field
    assert "\n" not in str(exc.value)


def test_context_levels_are_bundled_then_file_then_overrides(tmp_path: Path) -> None:
    f = tmp_path / "alert.yaml"
    f.write_text(
        "parameters:\n"
        "  reliability: {value: 0.7, low: 0.6, high: 0.8, basis: assumed}\n"
        "  w80:\n    CN: {value: 900, low: 800, high: 1000, basis: assumed}\n",
        encoding="utf-8",
    )
    ctx = EvaluationContext(alert_file=f, alert_overrides=(("parameters.w80.CN", 250.0),))
    lv = alert_levels_for(ctx)
    assert lv.reliability().value == 0.7  # from the file
    assert lv.w80("CN").value == lv.w80("CN").high == 250.0  # the override over the file
    assert lv.hardness_psi("silo") == BUNDLED.hardness_psi("silo")  # bundled
    assert alert_levels_for(ctx) is lv  # built once per context


def test_cep_scale_scales_every_system_data_and_default_cep_alike() -> None:
    base, scaled = _forces(BUNDLED), _forces(_scaled(1.5))
    published = 0
    for k in PARTIES:
        for s0, s1 in zip(base[k].systems, scaled[k].systems, strict=True):
            assert s1.system_id == s0.system_id
            assert s1.cep_m.value == pytest.approx(1.5 * s0.cep_m.value)
            assert s1.cep_m.low == pytest.approx(1.5 * s0.cep_m.low)
            assert s1.cep_m.high == pytest.approx(1.5 * s0.cep_m.high)
            assert "cep_scale" in s1.assumed and "cep_scale" not in s0.assumed
            published += "cep_m" not in s0.assumed
    # The US Minuteman III and Trident II carry the dataset's CEPs: the scale reaches them too.
    assert published >= 2


def test_cep_scale_one_gives_todays_numbers_exactly() -> None:
    one = _scaled(1.0)
    for k in PARTIES:
        for s0, s1 in zip(_forces(BUNDLED)[k].systems, _forces(one)[k].systems, strict=True):
            assert s1.cep_m == s0.cep_m
    for objective in ("cost", "damage"):
        a = run_exchange(
            ["US"], "RU", "generated", BUNDLED, n_samples=40, seed=4, objective=objective
        )
        b = run_exchange(["US"], "RU", "generated", one, n_samples=40, seed=4, objective=objective)
        assert a.surviving_warheads == b.surviving_warheads and a.spend == b.spend
    ctx0 = EvaluationContext(samples=30, seed=2)
    ctx1 = ctx0.with_(alert_overrides=(("parameters.cep_scale", 1.0),))
    r0, r1 = run_stability(None, context=ctx0), run_stability(None, context=ctx1)
    assert [c.to_dict() for c in r0.cases] == [c.to_dict() for c in r1.cases]
    assert any("CEP of every system" in a for a in r1.assumptions)
    assert not any("CEP of every system" in a for a in r0.assumptions)


# Survivors are sums of a few float64 terms of order 10^3.
TOL = 1e-6


@settings(max_examples=20, deadline=None)
@given(
    s1=st.floats(0.2, 5.0),
    factor=st.floats(1.0, 4.0),
    seed=st.integers(0, 2**32 - 1),
    posture=st.sampled_from(["day_to_day", "generated"]),
    victim=st.sampled_from(PARTIES),
)
def test_a_larger_cep_never_increases_counterforce_damage(
    s1: float, factor: float, seed: int, posture: str, victim: str
) -> None:
    """Kill probability falls and the victim's survivors (damage-limiting spend) never fall
    as every CEP grows; same draws for both scales (a scaled band scales every draw)."""
    s2 = s1 * factor
    lv1, lv2 = _scaled(s1), _scaled(s2)
    f1, f2 = _forces(lv1), _forces(lv2)
    st1 = {k: party_state(f1[k], lv1, posture, np.random.default_rng(seed), 16) for k in PARTIES}
    st2 = {k: party_state(f2[k], lv2, posture, np.random.default_rng(seed), 16) for k in PARTIES}
    others = [k for k in PARTIES if k != victim]
    for att in ([others[0]], [others[1]], others):
        pk1 = class_kill_probability([st1[a] for a in att], [st1[victim]], KentThalerParams())
        pk2 = class_kill_probability([st2[a] for a in att], [st2[victim]], KentThalerParams())
        assert np.all(pk2 <= pk1 + 1e-12)
        third = None if len(att) == 2 else next(k for k in others if k not in att)
        r1 = counterforce_exchange(
            [st1[a] for a in att],
            st1[victim],
            None if third is None else st1[third],
            spend="damage",
        )
        r2 = counterforce_exchange(
            [st2[a] for a in att],
            st2[victim],
            None if third is None else st2[third],
            spend="damage",
        )
        assert np.all(r2.victim_retaliatory_capacity >= r1.victim_retaliatory_capacity - TOL)
