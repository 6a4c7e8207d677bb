"""Every parameter axis reaches the model through the point's context, in the expected direction.

Each test evaluates one treaty variant at two values of one axis the way a sweep chunk does
(:func:`point_context`, then :func:`evaluate_variants`) and checks the victims' survivors at
the damage-limiting spend (every usable counterforce warhead outside the reserve: the outcome
with a direction that follows from the model's rules, per sample, so for every quantile) or
the ratios the axis enters, and that the point's result row changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tripolar.context import EvaluationContext
from tripolar.stability.batch import evaluate_variants
from tripolar.stability.run import StabilityReport, run_stability
from tripolar.sweep.evaluate import evaluate_chunk, stability_columns
from tripolar.sweep.family import base_treaty, point_context, variant
from tripolar.sweep.spec import SweepFile, point_values

SAMPLES = 40
SEED = 3
# Survivors are sums of a few float64 terms of order 10^3.
TOL = 1e-6
Key = tuple[str, str]


def _spec(kind: str, values: list[float], **extra: Any) -> SweepFile:
    return SweepFile.model_validate(
        {
            "name": "axis",
            "base_treaty": "tri-new-start",
            "samples": SAMPLES,
            "seed": SEED,
            "axes": [
                {
                    "name": "w",
                    "kind": "ceiling",
                    "limit": "deployed_warheads",
                    "parties": ["US", "RU"],
                    "values": [1550],
                },
                {"name": "p", "kind": kind, "values": values, **extra},
            ],
        }
    )


def _pair(kind: str, low: float, high: float, **extra: Any) -> tuple[StabilityReport, ...]:
    """The reports of the point at ``low`` and at ``high``, evaluated as a sweep does."""
    spec = _spec(kind, [low, high], **extra)
    base = base_treaty(spec)
    out = []
    for v in (low, high):
        vals = {"w": 1550.0, "p": v}
        ctx, _ = point_context(spec, vals, EvaluationContext(seed=SEED, samples=SAMPLES))
        out.append(evaluate_variants([variant(base, spec, vals, 0)], ctx)[0])
    a, b = out
    assert stability_columns(a) != stability_columns(b), "the axis does not reach the row"
    return a, b


def _damage(rep: StabilityReport) -> dict[Key, tuple[float, float, float]]:
    return {
        (c.posture, c.label): (
            c.damage_limiting_survivors.median,
            c.damage_limiting_survivors.p05,
            c.damage_limiting_survivors.p95,
        )
        for c in rep.cases
    }


def _victim(rep: StabilityReport) -> dict[Key, str]:
    return {(c.posture, c.label): c.victim for c in rep.cases}


def _up(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(y >= x - TOL for x, y in zip(a, b, strict=True))


def _strictly_up(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return b[0] > a[0] + TOL


def test_harder_silos_leave_more_survivors_for_a_party_with_silos() -> None:
    a, b = _pair("silo_hardness_psi", 500, 5000)
    da, db = _damage(a), _damage(b)
    assert all(_up(da[k], db[k]) for k in da)
    # The US ICBMs are in silos (the other parties' ICBM legs are mixed silo and mobile).
    us = [k for k, v in _victim(a).items() if v == "US"]
    assert us and all(_strictly_up(da[k], db[k]) for k in us)


def test_a_more_reliable_warhead_leaves_fewer_survivors() -> None:
    a, b = _pair("reliability", 0.6, 0.95)
    da, db = _damage(a), _damage(b)
    assert all(_up(db[k], da[k]) for k in da)
    assert sum(db[k][0] < da[k][0] - TOL for k in da) >= len(da) // 2


def test_a_larger_untargetable_share_leaves_more_survivors_in_that_posture_only() -> None:
    a, b = _pair("alert_fraction", 0.2, 0.9, posture="generated", party="US", key="ssbn")
    da, db, victim = _damage(a), _damage(b), _victim(a)
    for k in da:
        if k[0] == "day_to_day":
            assert da[k] == db[k]
        else:
            assert _up(da[k], db[k])
    us = [k for k in da if k[0] == "generated" and victim[k] == "US"]
    assert us and all(_strictly_up(da[k], db[k]) for k in us)


def test_a_larger_third_party_w80_means_a_larger_reserve_and_more_survivors() -> None:
    """``w80`` (the damage curve) sets the reserve a striker holds against the third party."""
    a, b = _pair("w80", 300, 3000, party="CN")
    da, db = _damage(a), _damage(b)
    held_out = [k for k in da if k[1] in ("US->RU", "RU->US")]
    assert all(_up(da[k], db[k]) for k in held_out)
    assert any(_strictly_up(da[k], db[k]) for k in held_out)


def test_a_larger_cep_scale_leaves_more_survivors_also_against_published_ceps() -> None:
    a, b = _pair("cep_scale", 0.5, 2.0)
    da, db = _damage(a), _damage(b)
    assert all(_up(da[k], db[k]) for k in da)
    # The US strikes with the dataset's Minuteman III and Trident II CEPs only: before CEP
    # scale reached published CEPs, US->RU did not move.
    us_first = [k for k in da if k[1] == "US->RU"]
    assert us_first and all(_strictly_up(da[k], db[k]) for k in us_first)


def test_a_larger_reserve_delta_withholds_more_and_leaves_more_survivors() -> None:
    a, b = _pair("reserve_delta", 0.1, 0.9)
    da, db = _damage(a), _damage(b)
    pairs = [k for k in da if "+" not in k[1]]
    coalitions = [k for k in da if "+" in k[1]]
    assert all(_up(da[k], db[k]) for k in pairs)
    assert sum(_strictly_up(da[k], db[k]) for k in pairs) >= len(pairs) // 2
    # A coalition strike holds no reserve (the third party is the victim).
    assert all(da[k] == db[k] for k in coalitions)


def test_a_larger_follow_on_lambda_raises_the_victims_cost_and_lowers_its_ratio() -> None:
    """``lambda`` weighs the third party's follow-on strike in a victim's cost ``C2``, so a
    victim's ``r = C1 / C2`` can only fall; nobody's survivors change."""
    a, b = _pair("follow_on_lambda", 0.0, 1.0)
    assert _damage(a) == _damage(b)
    lowered = 0
    for ca, cb in zip(a.cases, b.cases, strict=True):
        assert ca.surviving_warheads == cb.surviving_warheads
        for name, band in ca.stability_index.items():
            if not name.startswith("r_"):
                continue
            other = cb.stability_index[name]
            assert other.median <= band.median + TOL
            assert other.p05 <= band.p05 + TOL and other.p95 <= band.p95 + TOL
            lowered += other.median < band.median - TOL
    assert lowered > 0


def test_new_axes_run_in_a_chunk_with_their_columns(tmp_path: Path) -> None:
    spec = SweepFile.model_validate(
        {
            "name": "reserve",
            "base_treaty": "tri-new-start",
            "samples": 20,
            "seed": 5,
            "chunk_points": 4,
            "axes": [
                {"name": "delta", "kind": "reserve_delta", "values": [0.2, 0.8]},
                {"name": "lam", "kind": "follow_on_lambda", "values": [0.0, 1.0]},
            ],
        }
    )
    rows = evaluate_chunk(spec, 0)
    assert [(r["delta"], r["lam"]) for r in rows] == [
        (0.2, 0.0),
        (0.2, 1.0),
        (0.8, 0.0),
        (0.8, 1.0),
    ]
    assert len({r["r_min_median"] for r in rows}) > 1


def test_a_parameter_axis_is_the_same_as_an_alert_file_fixing_that_entry(tmp_path: Path) -> None:
    """The point's overrides give what a user alert-levels file with those entries gives."""
    spec = SweepFile.model_validate(
        {
            "name": "same",
            "base_treaty": "tri-new-start",
            "samples": 20,
            "seed": 7,
            "chunk_points": 2,
            "axes": [
                {
                    "name": "w",
                    "kind": "ceiling",
                    "limit": "deployed_warheads",
                    "parties": ["US", "RU"],
                    "values": [900],
                },
                {"name": "h", "kind": "silo_hardness_psi", "values": [2500]},
                {"name": "rel", "kind": "reliability", "values": [0.8]},
                {
                    "name": "dm",
                    "kind": "alert_fraction",
                    "posture": "generated",
                    "party": "CN",
                    "key": "demated",
                    "values": [0.5],
                },
                {"name": "cep", "kind": "cep_scale", "values": [1.3]},
                {"name": "delta", "kind": "reserve_delta", "values": [0.4]},
            ],
        }
    )

    def fixed(v: float) -> dict[str, Any]:
        return {"value": v, "low": v, "high": v, "basis": "assumed"}

    f = tmp_path / "alert.yaml"
    f.write_text(
        yaml.safe_dump(
            {
                "parameters": {
                    "hardness_psi": {"silo": fixed(2500)},
                    "reliability": fixed(0.8),
                    "cep_scale": fixed(1.3),
                    "reserve_delta": fixed(0.4),
                },
                "postures": {"generated": {"CN": {"demated": fixed(0.5)}}},
            }
        ),
        encoding="utf-8",
    )
    row = evaluate_chunk(spec, 0)[0]
    t = variant(base_treaty(spec), spec, point_values(spec, 0, 1)[0], 0)
    alone = run_stability(t, context=EvaluationContext(seed=7, samples=20, alert_file=f))
    assert {k: row[k] for k in stability_columns(alone)} == stability_columns(alone)


def test_batch_honours_a_context_s_overrides_without_the_sweep() -> None:
    ctx = EvaluationContext(seed=3, samples=20, alert_overrides=(("parameters.reliability", 0.6),))
    batched = evaluate_variants([base_treaty(_spec("reliability", [0.6]))], ctx)[0]
    alone = run_stability(
        base_treaty(_spec("reliability", [0.6])),
        context=EvaluationContext(
            seed=3, samples=20, alert_overrides=(("parameters.reliability", 0.6),)
        ),
    )
    assert stability_columns(batched) == stability_columns(alone)
