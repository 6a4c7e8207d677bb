"""Sourced no-deal scenarios: anchors, interpolation, validation, Richardson alternative."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from tripolar.errors import InputError
from tripolar.projection.richardson import fit_ode, trajectory
from tripolar.projection.scenarios import (
    list_scenarios,
    load_scenario,
    project,
    richardson_projection,
)


def test_bundled_scenarios_present() -> None:
    assert {"status-quo", "upload", "china-1500-by-2035"} <= set(list_scenarios())


@pytest.mark.parametrize("name", ["status-quo", "upload", "china-1500-by-2035"])
def test_projection_years_and_bands(name: str) -> None:
    p = project(load_scenario(name))
    assert p.parties == ("US", "RU", "CN")
    assert p.years[0] == 2025 and p.years[-1] == 2040
    assert np.all(p.low <= p.central) and np.all(p.central <= p.high)
    assert any("linearly" in a for a in p.assumptions)
    assert any("held flat" in a for a in p.assumptions)
    frame = p.to_frame()
    assert len(frame) == 3 * 16
    assert set(frame["kind"]) <= {"anchor", "interpolated", "held"}


def test_cited_values_at_anchors() -> None:
    """FAS 2025 [S01, S02b, S03]; DoD CMPR >1,000 by 2030 [S20-S22]; ~1,500 by 2035 [S23, S29b]."""
    sq = project(load_scenario("status-quo"))
    assert sq.at("US", 2025) == (1670, 1670, 1670)
    assert sq.at("RU", 2040) == (1718, 1718, 1718)
    assert sq.at("CN", 2025)[1] == 600
    assert sq.at("CN", 2030)[1] == 1000
    assert sq.at("CN", 2035) == (1000, 1000, 1500)
    # linear interpolation between anchors (model assumption, stated)
    assert sq.at("CN", 2027)[1] == pytest.approx(600 + 2 * (1000 - 600) / 5)
    c15 = project(load_scenario("china-1500-by-2035"))
    assert c15.at("CN", 2035)[1] == 1500
    assert c15.at("CN", 2030)[2] == 1480  # DF-41 arithmetic bound [S52] as the high case
    up = project(load_scenario("upload"))
    assert up.at("US", 2030) == (2070, 3340, 3500)
    assert up.at("RU", 2030) == (2749, 2832, 3436)
    assert up.at("US", 2026)[1] == 1670


def test_every_anchor_source_is_in_the_bundled_register() -> None:
    """Every source id of every bundled scenario resolves to a row of the bundled sources
    table (tripolar's own data/bundled/sources.csv) with a publication date and a URL."""
    from tripolar.data import load_dataset

    sources = load_dataset().tables["sources"].set_index("id")
    used: set[str] = set()
    for name in list_scenarios():
        for anchor in project(load_scenario(name)).anchors:
            for edge in ("central", "low", "high"):
                if edge in anchor:
                    used |= set(anchor[edge]["sources"])
    assert used, "the bundled scenarios cite no source at all"
    missing = used - set(sources.index)
    assert not missing, missing
    for sid in used:
        assert str(sources.loc[sid, "date"]).strip() not in ("", "nan"), sid
        assert str(sources.loc[sid, "url"]).startswith("http"), sid


@pytest.mark.parametrize(
    ("mutate", "field", "limit"),
    [
        (lambda d: d.update(assumptions=["a" * 200_000]), "assumptions.0", "4000"),
        (lambda d: d.update(title="t " * 100_000), "title", "200"),
        (lambda d: d.update(name="n" * 65), "name", "64"),
        (lambda d: d.update(description="d" * 4001), "description", "4000"),
        (
            lambda d: d["parties"]["US"]["anchors"][0]["central"].update(note="x" * 200_000),
            "note",
            "4000",
        ),
        (lambda d: d.update({"k" * 200_000: 1}), "(top level)", "64"),
        (lambda d: d["parties"].update({"P" * 65: d["parties"]["US"]}), "parties", "64"),
        (lambda d: d.update(assumptions=["a"] * 51), "assumptions", "50"),
    ],
)
def test_oversized_text_is_refused_in_one_short_line(
    tmp_path: Path, mutate, field: str, limit: str
) -> None:
    """Documented maxima (MAX_TEXT_CHARS and friends): one short message naming the field
    and the limit, never an echo of the oversized value."""
    data = _base()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    msg = str(exc.value)
    assert exc.value.field is not None and field in exc.value.field
    assert limit in msg and len(msg) < 400 and "\n" not in msg


def test_oversized_assumption_on_the_command_line(cli, tmp_path: Path) -> None:
    data = _base()
    data["assumptions"] = ["a" * 200_000]
    path = _write(tmp_path, data)
    code, out, err = cli("project", "--scenario", str(path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "assumptions.0" in err and len(err) < 400


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_anchor_value_refused(tmp_path: Path, bad: float) -> None:
    data = _base()
    data["parties"]["US"]["anchors"][0]["central"]["value"] = bad
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, data))
    assert exc.value.field is not None and "value" in exc.value.field


def _write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


def _base() -> dict:
    return {
        "name": "t",
        "title": "t",
        "description": "t",
        "start_year": 2025,
        "end_year": 2030,
        "parties": {
            "US": {
                "measure": "deployed_strategic",
                "anchors": [
                    {
                        "year": 2025,
                        "central": {
                            "value": 1670,
                            "sources": ["S01"],
                            "grade": "A",
                            "basis": "published",
                        },
                    }
                ],
            }
        },
    }


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["parties"]["US"]["anchors"][0]["central"].pop("sources"), "central"),
        (lambda d: d["parties"]["US"]["anchors"][0]["central"].update(grade="Z"), "grade"),
        (lambda d: d["parties"]["US"]["anchors"][0]["central"].update(value=-1), "value"),
        (lambda d: d["parties"]["US"]["anchors"][0]["central"].update(sources=["FAS"]), "central"),
        (lambda d: d["parties"]["US"]["anchors"][0]["central"].update(basis="assumed"), "central"),
        (lambda d: d["parties"]["US"]["anchors"][0].update(year=2026), "(top level)"),
        (lambda d: d["parties"]["US"].update(measure="bananas"), "measure"),
        (lambda d: d.update(surprise=1), "surprise"),
    ],
)
def test_bad_yaml_names_file_and_field(tmp_path: Path, mutate, field: str) -> None:
    data = _base()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert exc.value.file == str(path)
    assert exc.value.field is not None and field in exc.value.field


def test_band_order_enforced(tmp_path: Path) -> None:
    data = _base()
    data["parties"]["US"]["anchors"][0]["low"] = {
        "value": 2000,
        "sources": ["S01"],
        "grade": "A",
        "basis": "published",
    }
    with pytest.raises(InputError, match="low <= central"):
        load_scenario(_write(tmp_path, data))


def test_unknown_scenario_and_malformed_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown scenario"):
        load_scenario("no-such-thing")
    bad = tmp_path / "x.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(InputError, match="malformed YAML"):
        load_scenario(bad)


def test_richardson_projection_central_and_band() -> None:
    """The Richardson alternative: central path = exact solution; seeded coefficient band."""
    k = np.array([[0, 0.1], [0.2, 0]])
    a, g = np.array([0.3, 0.4]), np.array([50.0, 20.0])
    t = np.arange(0, 15, dtype=float)
    rng = np.random.default_rng(1)
    x = trajectory(k, a, g, [100, 100], t) * (1 + 0.01 * rng.standard_normal((15, 2)))
    fit = fit_ode(t + 2011, x, ["US", "CN"])
    p = richardson_projection(fit, x[-1], 2025, 2040, rng=np.random.default_rng(7), n_samples=200)
    expected = trajectory(
        np.nan_to_num(fit.reaction),
        fit.fatigue_per_yr,
        fit.grievance_per_yr,
        x[-1],
        np.arange(16.0),
    ).T
    np.testing.assert_allclose(p.central, expected)
    assert np.all(p.low <= p.central) and np.all(p.high >= p.central)
    assert np.any(p.high > p.low)
    again = richardson_projection(
        fit, x[-1], 2025, 2040, rng=np.random.default_rng(7), n_samples=200
    )
    np.testing.assert_array_equal(again.high, p.high)
    flat = richardson_projection(fit, x[-1], 2025, 2030)
    np.testing.assert_array_equal(flat.low, flat.central)
