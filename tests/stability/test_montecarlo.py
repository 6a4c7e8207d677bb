"""Monte Carlo over bands and model parameters: reproducible from the seed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tripolar.errors import InputError
from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.exchange import party_state
from tripolar.exchange.montecarlo import Band
from tripolar.stability.run import RNG_BLOCK, block_generator, draw_block, run_monte_carlo

sys.path.insert(0, str(Path(__file__).parents[1] / "exchange"))
from notional import notional_forces


def test_reproducible_from_seed():
    lv = load_alert_levels()
    f = notional_forces()
    a = run_monte_carlo(f, lv, n_samples=64, seed=7)
    b = run_monte_carlo(f, lv, n_samples=64, seed=7)
    c = run_monte_carlo(f, lv, n_samples=64, seed=8)
    ra = np.concatenate([x.r for x in a.by_posture["day_to_day"].ratios])
    rb = np.concatenate([x.r for x in b.by_posture["day_to_day"].ratios])
    rc = np.concatenate([x.r for x in c.by_posture["day_to_day"].ratios])
    np.testing.assert_array_equal(ra, rb)
    assert not np.array_equal(ra, rc)
    assert a.to_dict() == b.to_dict()


def test_bands_ordered():
    mc = run_monte_carlo(notional_forces(), load_alert_levels(), n_samples=64, seed=1)
    df = mc.to_frame()
    assert len(df) == 30
    assert ((df["r_p05"] <= df["r"] + 1e-12) & (df["r"] <= df["r_p95"] + 1e-12)).all()
    band = mc.band("generated", "US+RU->CN", "CN")
    assert band.p05 <= band.median <= band.p95
    assert Band.of([1, 2, 3]).median == 2


def _all_arrays(mc):  # type: ignore[no-untyped-def]
    out = []
    for q, res in mc.by_posture.items():
        for c in res.ratios:
            out += [(q, c.case, c.party, "c1", c.c1), (q, c.case, c.party, "c2", c.c2)]
            out.append((q, c.case, c.party, "driver", c.driver))
        out += [(q, k, "", "survivors", v) for k, v in res.survivors.items()]
    return out


def _assert_same(a, b):  # type: ignore[no-untyped-def]
    for x, y in zip(_all_arrays(a), _all_arrays(b), strict=True):
        assert x[:4] == y[:4]
        if x[3] == "driver":
            assert x[4] == y[4], x[:3]
        else:
            np.testing.assert_array_equal(x[4], y[4], err_msg=str(x[:4]))


def test_results_do_not_depend_on_the_chunk_size():
    """Chunks of 1 to all rows give bit-identical samples, also across a block edge."""
    lv = load_alert_levels()
    f = notional_forces()
    n = RNG_BLOCK + 37
    ref = run_monte_carlo(f, lv, n_samples=n, seed=5, chunk_rows=2 * n)
    for chunk in (300, 1000):
        _assert_same(run_monte_carlo(f, lv, n_samples=n, seed=5, chunk_rows=chunk), ref)
    small = run_monte_carlo(f, lv, n_samples=9, seed=5, chunk_rows=2 * 9)
    for chunk in (1, 5):
        _assert_same(run_monte_carlo(f, lv, n_samples=9, seed=5, chunk_rows=chunk), small)


def test_seed_rule_first_block_is_the_plain_generator():
    """Up to one block, the draws are those of ``default_rng(seed)`` in posture, party order;
    later blocks come from independent SeedSequence children."""
    lv = load_alert_levels()
    f = notional_forces()
    blk = draw_block(f, lv, ("day_to_day", "generated"), 3, 0, 50)
    rng = np.random.default_rng(3)
    for posture in ("day_to_day", "generated"):
        for k, force in f.items():
            st = party_state(force, lv, posture, rng=rng, n_samples=50)
            np.testing.assert_array_equal(blk[posture][k].force.launchers, st.force.launchers)
            np.testing.assert_array_equal(blk[posture][k].w80, st.w80)
    u0 = block_generator(3, 0).random(4)
    u1 = block_generator(3, 1).random(4)
    u2 = block_generator(3, 2).random(4)
    assert not np.array_equal(u0, u1) and not np.array_equal(u1, u2)
    np.testing.assert_array_equal(u1, block_generator(3, 1).random(4))


def test_bad_chunk_size_is_an_input_error():
    with pytest.raises(InputError, match="chunk"):
        run_monte_carlo(notional_forces(), load_alert_levels(), n_samples=4, chunk_rows=0)
