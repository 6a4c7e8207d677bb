"""Richardson's model on the bundled stockpile series: loading, uneven years, fit, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tripolar.errors import InputError
from tripolar.projection.history import (
    BAND_TOP_MAX_RATIO,
    BAND_WIDTH_MAX_RATIO,
    FIT_FROM_DEFAULT,
    common_years,
    fit_dataset_history,
    fit_window_limits,
    project_history,
    stockpile_history,
    uninformative_from,
    verdict,
)
from tripolar.projection.richardson import fit_ode, trajectory
from tripolar.projection.scenarios import Projection

# A slow, stable three-party system (per year; grievance in warheads per year).
K = np.array([[0, 0.03, 0.02], [0.035, 0, 0.01], [0.025, 0.015, 0]])
A = np.array([0.06, 0.05, 0.04])
G = np.array([20.0, 15.0, 30.0])
X0 = np.array([1000.0, 1500.0, 200.0])
# The time axis of the historical series: five-year steps, then 3, 1, 1.
UNEVEN = np.array([1995, 2000, 2005, 2010, 2015, 2020, 2023, 2024, 2025], dtype=float)


def test_series_loads() -> None:
    """FAS/Norris-Kristensen series as bundled (stockpiles.csv): US 2 in 1945, 31,255 at
    the 1967 peak, Russia 40,159 in 1986, China 600 in 2025."""
    h = stockpile_history()
    assert list(h.columns) == ["state", "year", "value"]
    assert list(dict.fromkeys(h["state"])) == ["US", "RU", "CN"]

    def at(state: str, year: int) -> float:
        return float(h[(h.state == state) & (h.year == year)]["value"].iloc[0])

    assert at("US", 1945) == 2
    assert at("US", 1967) == 31255
    assert at("RU", 1986) == 40159
    assert at("CN", 2025) == 600
    years = common_years(h)
    assert years[0] == 1945 and years[-3:] == [2023, 2024, 2025]
    assert 1967 not in years  # US only


def test_uneven_years_recover_known_coefficients() -> None:
    """Exact solution sampled on the series' uneven axis (5-year steps, then 3, 1, 1): the
    ODE fit must return the generating K, a, g and x0."""
    x = trajectory(K, A, G, X0, UNEVEN - UNEVEN[0])
    fit = fit_ode(UNEVEN, x, ["US", "RU", "CN"])
    np.testing.assert_allclose(np.nan_to_num(fit.reaction), K, atol=1e-4)
    np.testing.assert_allclose(fit.fatigue_per_yr, A, atol=1e-4)
    np.testing.assert_allclose(fit.grievance_per_yr, G, rtol=1e-3)
    assert fit.initial_level is not None
    np.testing.assert_allclose(fit.initial_level, X0, rtol=1e-6)
    assert fit.analysis.stable and fit.analysis.hawkins_simon
    # Treating the same rows as if they were one year apart must not give the same answer:
    # the axis matters, so the test above could fail.
    wrong = fit_ode(np.arange(UNEVEN.size, dtype=float), x, ["US", "RU", "CN"])
    assert not np.allclose(wrong.fatigue_per_yr, A, atol=1e-2)


def test_fit_on_bundled_series() -> None:
    fit = fit_dataset_history()
    assert int(fit.years[0]) == FIT_FROM_DEFAULT and int(fit.years[-1]) == 2025
    assert [int(y) for y in fit.years] == [1995, 2000, 2005, 2010, 2015, 2020, 2023, 2024, 2025]
    frame = fit.to_frame()
    assert len(frame) == 15 and np.all(np.isfinite(frame["se"]))
    an = fit.analysis
    assert isinstance(an.stable, bool) and isinstance(an.hawkins_simon, bool)
    assert an.stable == (an.slowest_rate_per_yr < 0)
    assert an.equilibrium is not None and np.all(np.isfinite(an.equilibrium))


def test_fit_window_errors() -> None:
    with pytest.raises(InputError, match="after the last year"):
        fit_dataset_history(year_min=2030)
    with pytest.raises(InputError, match="needs at least 6"):
        fit_dataset_history(year_min=2015)


def test_project_history_seeded() -> None:
    a = project_history(seed=3, n_samples=100)
    b = project_history(seed=3, n_samples=100)
    np.testing.assert_array_equal(a.projection.low, b.projection.low)
    assert a.start_year == 2025 and a.start_levels == {"US": 3700.0, "RU": 4309.0, "CN": 600.0}
    assert a.projection.years[0] == 2025 and a.projection.years[-1] == 2040
    assert np.all(a.projection.low <= a.projection.central)
    assert any("not a validated predictor" in n for n in a.notes)


def test_cli_richardson_json(cli) -> None:
    code, out, err = cli("project", "--model", "richardson", "--json", "--seed", "1")
    assert code == 0, err
    data = json.loads(out)
    assert data["model"] == "richardson" and data["seed"] == 1
    assert data["fit"]["years_used"][0] == FIT_FROM_DEFAULT
    params = {p["parameter"]: p for p in data["fit"]["parameters"]}
    assert set(params) >= {"k[US,RU]", "a[CN]", "g[RU]"}
    assert all(math.isfinite(p["se"]) for p in params.values())
    assert isinstance(data["fit"]["analysis"]["stable"], bool)
    assert len(data["fit"]["analysis"]["leading_minors_of_minus_m"]) == 3
    rows = data["projection"]["rows"]
    assert {r["year"] for r in rows} == set(range(2025, 2041))
    assert data["observed"]["CN"]["2025"] == 600
    fit = data["fit"]
    assert fit["condition_number"] > 1 and fit["rcond"] > 0 and fit["identified"] is True
    assert "says nothing" in data["verdict"] or "stays informative" in data["verdict"]
    assert set(data["uninformative_from"]) == {"US", "RU", "CN"}
    # Standard errors in warheads per year for g, warheads for x0: not thousandths.
    assert params["g[US]"]["se"] > 10 and params["x0[US]"]["se"] > 10


def test_cli_richardson_says_when_band_says_nothing(cli) -> None:
    """Default window: the band widens past the definition within a few years; the
    terminal output and the JSON say so in words."""
    code, out, _ = cli("project", "--model", "richardson")
    assert code == 0
    assert "says nothing about" in out and "condition number" in out
    data = json.loads(cli("project", "--model", "richardson", "--json")[1])
    assert "says nothing about" in data["verdict"]
    assert all(isinstance(y, int) and 2025 < y <= 2040 for y in data["uninformative_from"].values())


def test_cli_richardson_table_and_plot(cli, tmp_path: Path) -> None:
    png = tmp_path / "r.png"
    code, out, err = cli(
        "project", "--model", "richardson", "--fit-from", "2000", "--plot", str(png)
    )
    assert code == 0, err
    assert "Hawkins-Simon" in out and "eigenvalues" in out and "equilibrium" in out
    assert "not a validated predictor" in out and "Caspary" in out
    assert "STABLE" in out or "RUNAWAY" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--fit-from", "2030"),
        ("--fit-from", "2015"),
        ("--fit-from", "2011"),
        ("--fit-from", "1944"),
        ("--fit-from", "0"),
        ("--fit-from", "-1"),
        ("--fit-from", "1"),
        ("--fit-from", "abc"),
        ("--fit-from", "nan"),
        ("--fit-from", "1995.5"),
        ("--fit-from", "9" * 40),
        ("--fit-from", ""),
        ("--seed", "-1"),
        ("--seed", "nan"),
        ("--seed", "1.5"),
        ("--seed", "x"),
        ("--seed", str(2**32)),
        ("--model", "nan"),
        ("--model", "m" * 200_000),
    ],
)
def test_cli_bad_option_one_line_exit_2(cli, tmp_path: Path, option: str, value: str) -> None:
    """Every bad value: one line on stderr naming the option, exit 2, nothing written."""
    png = tmp_path / "r.png"
    code, out, err = cli("project", "--model", "richardson", option, value, "--plot", str(png))
    assert code == 2 and out == ""
    assert option in err and len(err.strip().splitlines()) == 1
    assert len(err) < 400
    assert not png.exists()


def test_cli_fit_from_limits_are_the_series_limits() -> None:
    """The documented range of --fit-from: 1945 (first common year) to 2010 (six years)."""
    assert fit_window_limits() == (1945, 2010)
    with pytest.raises(InputError, match="before the first year"):
        fit_dataset_history(year_min=1944)


def test_fit_from_1945_finishes_and_reports() -> None:
    """The longest window (1945-2025, 19 years): the fit returns with finite errors and the
    flags a reader needs (formerly the solver ran for minutes on a differenced Jacobian)."""
    fit = fit_dataset_history(year_min=1945)
    assert [int(y) for y in fit.years][:3] == [1945, 1950, 1955]
    assert isinstance(fit.converged, bool) and fit.condition_number > 1
    assert fit.identified and np.all(np.isfinite(fit.to_frame()["se"]))


@pytest.mark.parametrize("target", ["dir", "under-file", "missing-dir"])
def test_cli_bad_plot_path(cli, tmp_path: Path, target: str) -> None:
    regular = tmp_path / "file.txt"
    regular.write_text("x")
    (tmp_path / "d.png").mkdir()
    path = {
        "dir": tmp_path / "d.png",
        "under-file": regular / "p.png",
        "missing-dir": tmp_path / "nope" / "p.png",
    }[target]
    for model in ("scenario", "richardson"):
        code, out, err = cli("project", "--model", model, "--plot", str(path))
        assert code == 2 and out == "", (model, err)
        assert "--plot" in err and len(err.strip().splitlines()) == 1
    assert regular.read_text() == "x"


def test_cli_long_scenario_argument(cli) -> None:
    code, out, err = cli("project", "--scenario", "s" * 200_000)
    assert code == 2 and out == "" and "--scenario" in err and len(err) < 400


def test_cli_unknown_model(cli) -> None:
    code, _, err = cli("project", "--model", "markov")
    assert code == 2 and "--model" in err and len(err.strip().splitlines()) == 1


def _proj(low: list[float], central: list[float], high: list[float]) -> Projection:
    years = np.arange(2025, 2025 + len(central))
    arr = lambda v: np.array([v], dtype=float)  # noqa: E731
    return Projection(
        "t", "t", ("US",), ("military_stockpile",), years,
        arr(central), arr(low), arr(high), np.full((1, years.size), "model"), (),
    )  # fmt: skip


def test_uninformative_definition() -> None:
    """Band width > BAND_WIDTH_MAX_RATIO x |central|, or low <= 0 with high above
    BAND_TOP_MAX_RATIO x the last observed level, or no band (NaN): the year says nothing."""
    assert BAND_WIDTH_MAX_RATIO == 1.0 and BAND_TOP_MAX_RATIO == 2.0
    narrow = _proj([1000, 900, 950], [1000, 1000, 1000], [1000, 1100, 1050])
    assert uninformative_from(narrow, [1000]) == {"US": None}
    assert "stays informative" in verdict({"US": None}, narrow)
    # 2027: width 1,001 > 1 x 1,000.
    wide = _proj([1000, 600, 500], [1000, 1000, 1000], [1000, 1400, 1501])
    assert uninformative_from(wide, [1000]) == {"US": 2027}
    assert "US from 2027" in verdict({"US": 2027}, wide)
    # 2026: includes 0 and the top is above 2 x 1,000 (width test alone would not fire).
    zero = _proj([1000, -10, 0], [1000, 5000, 5000], [1000, 2100, 2100])
    assert uninformative_from(zero, [1000]) == {"US": 2026}
    undrawn = _proj([1000, np.nan], [1000, 1000], [1000, np.nan])
    assert uninformative_from(undrawn, [1000]) == {"US": 2026}
