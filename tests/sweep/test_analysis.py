"""Analysis of sweep results: all-stable set, ZOPA, variance decomposition, nearest variant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sweep.conftest import tiny_text

from tripolar.sweep.analysis import first_order_index, nearest_stable, sensitivity, stable_set
from tripolar.sweep.spec import SweepFile, point_values
from tripolar.treaty.io import load_treaty


def _frame(spec: SweepFile) -> pd.DataFrame:
    """Synthetic results: r rises with lower US/RU ceilings; hardness does not matter."""
    pts = point_values(spec, 0, spec.n_points)
    df = pd.DataFrame(pts)
    df["point"] = range(len(df))
    df["least_r"] = 1.2 - df["warheads_us_ru"] / 1550.0
    df["r_min_median"] = df["least_r"]
    df["r_min_p05"] = df["least_r"] - 0.3
    df["in_zopa"] = df["warheads_cn"] < 500
    return df


SPEC = SweepFile.model_validate(yaml.safe_load(tiny_text()))


def test_all_stable_set_median_and_strict() -> None:
    df = _frame(SPEC)
    s = stable_set(df, SPEC, threshold=0.5)
    # r = 1.2 - 800/1550 = 0.68 > 0.5 at 800; 0.2 at 1550
    assert s.n_stable == 4 and s.n_zopa == 4 and s.n_stable_zopa == 2
    assert s.to_dict()["all_stable_cells"] == 2
    assert stable_set(df, SPEC, threshold=0.5, strict=True).n_stable == 0


def test_variance_decomposition_finds_the_axis_that_matters() -> None:
    sens = sensitivity(_frame(SPEC), SPEC)
    assert sens.first["warheads_us_ru"] == pytest.approx(1.0)
    assert sens.first["silo_hardness_psi"] == pytest.approx(0.0, abs=1e-12)
    assert sens.ranked()[0] == "warheads_us_ru"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=20, max_size=60), st.integers(0, 3))
def test_first_order_index_is_a_share(ys: list[float], k: int) -> None:
    x = np.arange(len(ys)) % (k + 2)
    s = first_order_index(x, ys, discrete=True)
    assert -1e-12 <= s <= 1 + 1e-12
    # y a function of x alone: the whole variance is explained
    assert first_order_index(x, x * 2.0 + 1, discrete=True) == pytest.approx(1.0) or k < 0


def test_nearest_all_stable_variant_is_the_smallest_change() -> None:
    s = stable_set(_frame(SPEC), SPEC)
    t = load_treaty("tri-new-start")  # 1550 for all: US/RU 1550 is not all-stable
    here = nearest_stable(t, s, SPEC)
    assert here.coordinates == {"warheads_us_ru": 1550.0, "warheads_cn": 1550.0}
    assert here.in_all_stable is False
    assert here.nearest == {"warheads_us_ru": 800.0, "warheads_cn": 1000.0}
    assert here.change == {"warheads_us_ru": -750.0, "warheads_cn": -550.0}


def test_sobol_indices_of_a_linear_function_match_the_analytic_values() -> None:
    """Y = 3 u1 + u2 (u uniform on the unit cube): S1 = 9/10 and 1/10, ST = S1 (additive).

    Saltelli's scheme (SALib) on the sweep's own design: the sweep file's axes map the unit
    coordinates linearly, so Y is written on the axis values.
    """
    axes = [
        {"name": "a", "kind": "reliability", "low": 0.0, "high": 1.0},
        {
            "name": "b",
            "kind": "alert_fraction",
            "posture": "generated",
            "party": "US",
            "key": "ssbn",
            "low": 0.0,
            "high": 1.0,
        },
    ]
    data = yaml.safe_load(tiny_text())
    data.update(design={"kind": "sobol", "points": 1024}, axes=axes)
    spec = SweepFile.model_validate(data)
    df = pd.DataFrame(point_values(spec, 0, spec.n_points))
    df["point"] = range(len(df))
    df["least_r"] = 3 * df["a"] + df["b"]
    sens = sensitivity(df, spec)
    assert sens.total is not None
    assert sens.first["a"] == pytest.approx(0.9, abs=0.05)
    assert sens.first["b"] == pytest.approx(0.1, abs=0.05)
    assert sens.total["a"] == pytest.approx(0.9, abs=0.05)
