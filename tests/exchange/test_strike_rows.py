"""The compiled set-up and outcome of a first strike against slow, plain references.

``prepare_rows`` is checked against a Python loop that states the model directly (options
``m p (1 - p)^(k - 1)`` per class and layer, sorted by falling efficiency with equal ones in
their order and those that take no spend last; cumulative spends and destroyed warheads);
``outcome_rows`` against the NumPy ``first_strike._evaluate`` that the grid search uses; the
fused ``strike_group`` against both; and the stability layer's kill table against
``class_kill_probability``. (NumPy's ``expm1`` and the C library's, which the compiled code
calls, may differ in the last bit, so damages and costs are compared to within one rounding.)
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from tripolar.exchange import first_strike as fs
from tripolar.exchange.exchange import class_kill_probability, party_state
from tripolar.exchange.strike_rows import prepare_rows
from tripolar.stability.tripolar import _KillTable


def _reference_options(
    n: np.ndarray, m: np.ndarray, pk: np.ndarray, fixed: np.ndarray, owner: np.ndarray,
    untarg: np.ndarray, lua: float, layers: int, n_v: int,
) -> tuple[list[int], list[float], list[list[float]], list[float], list[float]]:  # fmt: skip
    """One row, written as the model reads: returns order, breaks, destroyed per victim,
    untargetable and targetable warheads per victim."""
    u = [float(x) for x in untarg]
    t = [0.0] * n_v
    opts = []
    for j in range(len(n)):
        launched = lua if fixed[j] else 0.0
        u[owner[j]] += n[j] * m[j] * launched
        left = n[j] * (1.0 - launched)
        t[owner[j]] += left * m[j]
        for k in range(layers):
            opts.append((m[j] * pk[j] * math.pow(1.0 - pk[j], k), left, owner[j]))
    # sorted() is stable; options that take no spend come last
    order = sorted(range(len(opts)), key=lambda o: (not opts[o][1] > 0, -opts[o][0]))
    breaks, destroyed = [0.0], [[0.0] for _ in range(n_v)]
    end, acc = 0.0, [0.0] * n_v
    for o in order:
        eff, length, own = opts[o]
        end += length
        breaks.append(end)
        acc[own] += eff * length
        for v in range(n_v):
            destroyed[v].append(acc[v])
    return order, breaks, destroyed, u, t


@pytest.mark.parametrize("seed", range(5))
def test_prepare_rows_builds_the_options_of_the_model(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_rows, n_cls, n_v, layers = 40, 7, 2, int(rng.integers(1, 4))
    n = rng.integers(0, 200, (n_rows, n_cls)).astype(float)
    m = rng.integers(1, 10, (n_rows, n_cls)).astype(float)
    # Repeated kill probabilities give equal efficiencies, whose order must be kept.
    pk = rng.choice([0.3, 0.5, 0.9, 1.0, 0.0], (n_rows, n_cls))
    m[:, 1] = m[:, 0]
    fixed = np.array([True, False, True, False, False, True, False])
    owner = np.array([0, 0, 0, 1, 1, 1, 1])
    untarg = rng.uniform(0, 100, (n_rows, n_v))
    lua = float(rng.choice([0.0, 0.9]))
    cf = rng.uniform(0, 3000, n_rows)
    fixed_rows = np.ascontiguousarray(np.broadcast_to(fixed, (n_rows, n_cls)))
    owner_rows = np.ascontiguousarray(np.broadcast_to(owner, (n_rows, n_cls)))
    order, _, _, _, breaks, destroyed, u, t, total, n_hi, _ = prepare_rows(
        n, m, pk, fixed_rows, owner_rows, untarg, lua, layers, 1.0, cf, True
    )
    for r in range(n_rows):
        o_ref, b_ref, d_ref, u_ref, t_ref = _reference_options(
            n[r], m[r], pk[r], fixed, owner, untarg[r], lua, layers, n_v
        )
        assert list(order[r]) == o_ref
        assert list(breaks[r]) == b_ref
        for v in range(n_v):
            assert list(destroyed[r, v]) == d_ref[v]
        assert list(u[r]) == u_ref and list(t[r]) == t_ref
        assert total[r] == b_ref[-1]
        assert n_hi[r] == max(min(math.floor(cf[r] + 1e-9), math.ceil(b_ref[-1] - 1e-9)), 0)


@pytest.mark.parametrize(("n_a", "n_v"), [(1, 1), (2, 1), (1, 2)])
def test_outcome_rows_equals_the_numpy_evaluation(n_a: int, n_v: int) -> None:
    rng = np.random.default_rng(10 * n_a + n_v)
    n_rows = 300
    sides = [
        fs.StrikeSide.from_systems(
            f"P{i}",
            rng.integers(0, 300, (n_rows, 3)),
            rng.integers(1, 8, (n_rows, 3)),
            [True, False, True],
            rng.uniform(0, 0.5, (n_rows, 3)),
            rng.uniform(100, 1500, n_rows),
        )
        for i in range(n_a + n_v)
    ]
    for exponent in (0.75, 0.5, 1.7):
        p = fs.KentThalerParams(damage_exponent=exponent, launch_under_attack=True)
        kw = {"victim_reserve": rng.uniform(0, 80, (n_rows, n_v))} if n_a == 1 else {}
        prep = fs._prepare_inputs(
            fs._inputs(
                sides[:n_a], sides[n_a:], rng.uniform(0.1, 0.95, (n_rows, 3 * n_v)), p,
                None, [1.0, 2.0][:n_v], rng.uniform(0, 100, n_rows),
                kw.get("victim_reserve", 0.0), rng.uniform(0, 1, (n_rows, n_v)),
            ),
            p,
        )  # fmt: skip
        # Spends inside options, on breaks, at zero and beyond the last option.
        spend = rng.uniform(0, 1.2, n_rows) * prep.opts.total_spend
        spend[:20] = prep.opts.breaks[:20, 3]
        spend[20:30] = 0.0
        _, _, ref = fs._evaluate(prep.prob, spend[:, None])
        got = fs._outcome(prep.prob, spend)
        for key in ("survivors", "kept"):
            np.testing.assert_array_equal(got[key], ref[key][:, 0], err_msg=key)
        # NumPy's expm1 (SIMD) and the C library's may differ in the last bit.
        for key in ("d_strikers", "d_victims", "c_strikers", "c_victims"):
            np.testing.assert_allclose(
                got[key], ref[key][:, 0], rtol=1e-13, atol=1e-15, err_msg=key
            )


def test_kill_table_gives_the_pooled_kill_probabilities(real_forces_states: object) -> None:
    states = real_forces_states
    p = fs.KentThalerParams()
    table = _KillTable(states, p)  # type: ignore[arg-type]
    names = list(states)  # type: ignore[call-overload]
    for a in names:
        for b in names:
            if a != b:
                np.testing.assert_array_equal(
                    table.pk((a,), (b,)), class_kill_probability([states[a]], [states[b]], p)
                )
    for c in names:
        pair = tuple(x for x in names if x != c)
        np.testing.assert_allclose(
            table.pk(pair, (c,)),
            class_kill_probability([states[x] for x in pair], [states[c]], p),
            rtol=1e-13,
            atol=1e-15,
        )
        np.testing.assert_allclose(
            table.pk((c,), pair),
            class_kill_probability([states[c]], [states[x] for x in pair], p),
            rtol=1e-13,
            atol=1e-15,
        )


@pytest.fixture
def real_forces_states() -> dict[str, object]:
    from tripolar.context import EvaluationContext
    from tripolar.exchange.alert import alert_levels_for
    from tripolar.exchange.montecarlo import PARTIES, real_forces

    ctx = EvaluationContext(samples=50, seed=3)
    levels = alert_levels_for(ctx)
    forces, _, _ = real_forces(ctx.postures(PARTIES), levels, context=ctx)
    rng = np.random.default_rng(3)
    return {k: party_state(f, levels, "generated", rng, 50) for k, f in forces.items()}


def _random_side(rng: np.random.Generator, name: str, n_rows: int, n_sys: int) -> fs.StrikeSide:
    """A side of ``n_sys`` random systems over ``n_rows`` rows."""
    return fs.StrikeSide.from_systems(
        name,
        rng.integers(0, 300, (n_rows, n_sys)),
        rng.integers(1, 8, (n_rows, n_sys)),
        rng.integers(0, 2, n_sys).astype(bool),
        rng.uniform(0, 0.6, (n_rows, n_sys)),
        rng.uniform(100, 1500, n_rows),
    )


@pytest.mark.parametrize("seed", range(4))
def test_fused_pass_gives_each_strike_its_own_answer(seed: int) -> None:
    """``first_strike_outcomes(classes=False)`` (one fused compiled pass per shape of strike,
    strikes of different class counts padded and folded together) against the unfolded
    path (``classes=True``) and the exhaustive grid, strike by strike."""
    rng = np.random.default_rng(100 + seed)
    n_rows = 60

    def side(name: str, n_sys: int) -> fs.StrikeSide:
        return _random_side(rng, name, n_rows, n_sys)

    specs = []
    for _ in range(8):
        a, b, c = side("A", 3), side("B", int(rng.integers(1, 5))), side("C", 2)
        shape = int(rng.integers(0, 3))
        reserve = rng.uniform(0, 150, n_rows)
        if shape == 0:
            pk = rng.uniform(0.1, 0.95, (n_rows, b.n_targets.shape[1]))
            specs.append(
                fs.StrikeSpec([a], [b], pk, reserve=reserve, victim_reserve=reserve[:, None])
            )
        elif shape == 1:
            pk = rng.uniform(0.1, 0.95, (n_rows, b.n_targets.shape[1] + 2))
            specs.append(fs.StrikeSpec([a], [b, c], pk, victim_weights=[1.0, 3.0]))
        else:
            pk = rng.uniform(0.1, 0.95, (n_rows, b.n_targets.shape[1]))
            specs.append(fs.StrikeSpec([a, c], [b], pk, striker_weights=[2.0, 1.0]))
    # The search's hint from the row hint_lag rows before (any lag) changes no answer.
    for lua, lag in ((False, 0), (True, 0), (False, 7), (True, n_rows)):
        p = fs.KentThalerParams(launch_under_attack=lua)
        fused = fs.first_strike_outcomes(specs, p, classes=False, hint_lag=lag)
        plain = fs.first_strike_outcomes(specs, p, classes=True)
        grid = fs.first_strike_outcomes(specs, replace(p, search="grid"), classes=False)
        for objective in ("cost", "damage"):
            for f, q, g in zip(fused[objective], plain[objective], grid[objective], strict=True):
                for key in ("spend", "kept", "victim_survivors", "cost_to_strikers"):
                    np.testing.assert_array_equal(getattr(f, key), getattr(q, key), err_msg=key)
                    np.testing.assert_array_equal(getattr(f, key), getattr(g, key), err_msg=key)
                np.testing.assert_array_equal(f.cost_to_victims, q.cost_to_victims)


@pytest.mark.parametrize("classes", [False, True])
def test_damage_only_strikes_ride_along_with_the_same_answers(classes: bool) -> None:
    """Strikes wanted under the damage objective only, passed as ``damage_only``, get the
    outcomes they have alone, and the other strikes' outcomes do not change."""
    rng = np.random.default_rng(7)
    n_rows = 40

    def side(name: str, n_sys: int) -> fs.StrikeSide:
        return _random_side(rng, name, n_rows, n_sys)

    a, b, c = side("A", 3), side("B", 2), side("C", 4)
    reserve = rng.uniform(0, 150, n_rows)
    specs = [
        fs.StrikeSpec(
            [a], [b], rng.uniform(0.1, 0.9, (n_rows, 2)), reserve=reserve,
            victim_reserve=reserve[:, None],
        ),
        fs.StrikeSpec([a, c], [b], rng.uniform(0.1, 0.9, (n_rows, 2))),
    ]  # fmt: skip
    extra = [
        fs.StrikeSpec([c], [b], rng.uniform(0.1, 0.9, (n_rows, 2))),
        fs.StrikeSpec([b], [a, c], rng.uniform(0.1, 0.9, (n_rows, 7))),
    ]
    p = fs.KentThalerParams()
    both = fs.first_strike_outcomes(specs, p, classes=classes, hint_lag=5, damage_only=extra)
    alone = fs.first_strike_outcomes(specs, p, classes=classes)
    extra_alone = fs.first_strikes(extra, p, objective="damage", classes=classes)
    assert len(both["cost"]) == len(specs)
    assert len(both["damage"]) == len(specs) + len(extra)
    for got, want in zip(
        both["cost"] + both["damage"],
        alone["cost"] + alone["damage"] + extra_alone,
        strict=True,
    ):
        for key in ("spend", "victim_survivors", "cost_to_strikers", "cost_to_victims"):
            np.testing.assert_array_equal(getattr(got, key), getattr(want, key), err_msg=key)
    with pytest.raises(ValueError, match="damage objective"):
        fs.first_strike_outcomes(specs, p, objectives=("cost",), damage_only=extra)
