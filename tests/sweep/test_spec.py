"""Sweep files: validation at the edge (one line, exit 2, nothing written), designs, hash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from tests.sweep.conftest import tiny_text

from tripolar.context import EvaluationContext
from tripolar.errors import InputError
from tripolar.exchange.alert import alert_levels_for, load_alert_levels
from tripolar.ranges import Range
from tripolar.sweep.family import point_context, variant
from tripolar.sweep.spec import (
    SweepFile,
    load_sweep_file,
    point_values,
    sweep_hash,
    sweep_json_schema,
)
from tripolar.treaty.io import load_treaty

EXAMPLES = Path(__file__).parents[2] / "examples"


def _spec(**over: object) -> SweepFile:
    data = yaml.safe_load(tiny_text())
    data.update(over)
    return SweepFile.model_validate(data)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ("axes: []", "axes"),
        ("samples: 0", "samples"),
        ("design: {kind: sobol, points: 6}", "design"),
        ("design: {kind: lhs}", "design"),
        ("bogus: 1", "bogus"),
    ],
)
def test_bad_sweep_file_one_line_exit_2_nothing_written(
    cli, tmp_path: Path, edit: str, field: str
) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(tiny_text() + edit + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _stdout, err = cli("sweep", "run", str(f), "--out", str(out), "--no-save")
    assert code == 2
    assert err.count("\n") == 1 and str(f) in err and field in err
    assert "Traceback" not in err
    assert not out.exists()


def test_unknown_limit_and_party_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(
        tiny_text().replace(
            "limit: deployed_warheads, parties: [CN]", "limit: no_such, parties: [CN]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="no_such"):
        load_sweep_file(f)
    f.write_text(tiny_text().replace("parties: [CN]", "parties: [GB]"), encoding="utf-8")
    with pytest.raises(InputError, match="GB"):
        load_sweep_file(f)


def test_examples_load_with_the_stated_sizes() -> None:
    small = load_sweep_file(EXAMPLES / "sweep-small.yaml")
    large = load_sweep_file(EXAMPLES / "sweep-large.yaml")
    assumptions = load_sweep_file(EXAMPLES / "sweep-assumptions.yaml")
    assert 100 <= small.n_points <= 1000
    assert large.n_points == 100_000
    assert assumptions.n_points == 16 * (7 + 2)
    assert {a.kind for a in assumptions.axes} >= {"cep_scale", "reserve_delta", "follow_on_lambda"}


def test_schema_command_prints_the_json_schema(cli) -> None:
    import json

    code, out, _ = cli("sweep", "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "tripolar sweep" and "axes" in schema["properties"]


def test_hash_ignores_layout_but_not_content() -> None:
    a = _spec()
    b = SweepFile.model_validate(dict(reversed(list(a.model_dump().items()))))
    assert sweep_hash(a) == sweep_hash(b)
    assert sweep_hash(a) != sweep_hash(_spec(seed=4))


def test_grid_enumerates_every_combination_context_axes_outermost() -> None:
    s = _spec()
    pts = point_values(s, 0, s.n_points)
    combos = {tuple(p.values()) for p in pts}
    assert len(combos) == s.n_points == 8
    # hardness (a context axis) changes only once: the first half shares one context
    assert [p["silo_hardness_psi"] for p in pts] == [1000] * 4 + [4000] * 4
    assert point_values(s, 3, 6) == pts[3:6]


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_sampled_designs_stay_in_bounds_and_are_seeded(kind: str) -> None:
    axes = [
        {
            "name": "w",
            "kind": "ceiling",
            "limit": "deployed_warheads",
            "parties": ["US"],
            "low": 500,
            "high": 1500,
            "step": 10,
        },
        {"name": "rel", "kind": "reliability", "low": 0.7, "high": 0.9},
    ]
    s = _spec(design={"kind": kind, "points": 16}, axes=axes)
    pts = point_values(s, 0, s.n_points)
    w = np.array([p["w"] for p in pts])
    rel = np.array([p["rel"] for p in pts])
    assert np.all((w >= 500) & (w <= 1500)) and np.all(w % 10 == 0)
    assert np.all((rel >= 0.7) & (rel <= 0.9))
    assert s.n_points == (16 if kind == "lhs" else 16 * 4)
    assert point_values(s, 0, s.n_points) == pts


def test_variant_sets_per_party_ceilings_and_keeps_the_rest() -> None:
    s = _spec()
    base = load_treaty("tri-new-start")
    t = variant(
        base, s, {"warheads_us_ru": 800.0, "warheads_cn": 300.0, "silo_hardness_psi": 1000.0}, 5
    )
    lim = t.limit("deployed_warheads")
    assert lim.per_party == {"US": 800.0, "RU": 800.0, "CN": 300.0}
    assert t.limit("deployed_launchers") == base.limit("deployed_launchers")
    assert t.id == "tri-new-start-p5"


def test_parameter_axes_fix_the_alert_level_entries() -> None:
    axes = [
        {"name": "h", "kind": "silo_hardness_psi", "values": [3000]},
        {"name": "rel", "kind": "reliability", "values": [0.8]},
        {"name": "w80", "kind": "w80", "party": "CN", "values": [400]},
        {"name": "cep", "kind": "cep_scale", "values": [2.0]},
        {
            "name": "ru_mob",
            "kind": "alert_fraction",
            "posture": "generated",
            "party": "RU",
            "key": "road-mobile",
            "values": [0.3],
        },
        {"name": "delta", "kind": "reserve_delta", "values": [0.2]},
        {"name": "lam", "kind": "follow_on_lambda", "values": [0.0]},
        {"name": "rule", "kind": "rule", "values": ["keep-ssbn"]},
    ]
    s = _spec(axes=axes)
    bundled = load_alert_levels()
    vals = {
        "h": 3000,
        "rel": 0.8,
        "w80": 400,
        "cep": 2.0,
        "ru_mob": 0.3,
        "delta": 0.2,
        "lam": 0.0,
        "rule": "keep-ssbn",
    }
    ctx, lv = point_context(s, vals, EvaluationContext(seed=3, samples=20))
    # The point's parameters are inputs of its context, nothing else of the context changes.
    assert dict(ctx.alert_overrides) == {
        "parameters.hardness_psi.silo": 3000.0,
        "parameters.reliability": 0.8,
        "parameters.w80.CN": 400.0,
        "parameters.cep_scale": 2.0,
        "postures.generated.RU.road-mobile": 0.3,
        "parameters.reserve_delta": 0.2,
        "parameters.follow_on_lambda": 0.0,
    }
    assert ctx.rule == "keep-ssbn" and (ctx.seed, ctx.samples) == (3, 20)
    assert lv is alert_levels_for(ctx)
    assert lv.hardness_psi("silo").value == lv.hardness_psi("silo").low == 3000
    assert lv.reliability().high == 0.8
    assert lv.w80("CN").value == 400 and lv.w80("US") == bundled.w80("US")
    assert lv.untargetable_fraction("RU", "generated", "road-mobile").value == 0.3
    assert lv.parameters.reserve_delta.value == lv.parameters.reserve_delta.high == 0.2
    assert lv.parameters.follow_on_lambda.value == 0.0
    # The CEP scale is one factor on every system's CEP, not a change of the defaults.
    assert lv.cep_scale() == Range.exact(2.0)
    assert lv.parameters.cep_m == bundled.parameters.cep_m


@pytest.mark.parametrize(
    ("axis", "message"),
    [
        ({"name": "d", "kind": "reserve_delta", "values": [0.5, 1.0]}, "reserve_delta"),
        ({"name": "d", "kind": "reserve_delta", "low": -0.1, "high": 0.5}, ">= 0"),
        ({"name": "lam", "kind": "follow_on_lambda", "values": [-1.0]}, ">= 0"),
        ({"name": "c", "kind": "cep_scale", "values": [0.0]}, ">= 1e-12"),
        ({"name": "lam", "kind": "follow_on_lambda", "values": [True]}, "numbers"),
    ],
)
def test_bad_parameter_axis_values_are_refused(axis: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _spec(axes=[axis])


def test_two_axes_fixing_one_entry_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "twice.yaml"
    f.write_text(
        tiny_text() + "  - {name: hard_again, kind: silo_hardness_psi, values: [2000]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"parameters\.hardness_psi\.silo"):
        load_sweep_file(f)


def test_schema_lists_every_axis_kind() -> None:
    kinds = sweep_json_schema()["$defs"]["Axis"]["properties"]["kind"]["enum"]  # type: ignore[index]
    assert {"cep_scale", "reserve_delta", "follow_on_lambda", "w80"} <= set(kinds)
