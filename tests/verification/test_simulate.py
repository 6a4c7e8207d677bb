"""Cheating and inspection Monte Carlo (tripolar.verification.simulate) and its CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.errors import InputError
from tripolar.forces import build_posture
from tripolar.verification.inspection import detection_probability
from tripolar.verification.simulate import (
    DEFAULT_ASSUMPTIONS,
    STRATEGIES,
    Assumptions,
    SampledParameters,
    declare,
    declared_missiles,
    miss_probability,
    parse_assumption,
    run_monte_carlo,
    simulate,
)


def _params(
    n_items: float | None,
    d: float,
    inspections: list[float],
    *,
    samples: int = 20_000,
    p: float = 1.0,
    frac: float = 0.0,
    ntm: float = 0.0,
    exchange: float = 0.0,
) -> SampledParameters:
    P = len(inspections)
    return SampledParameters(
        inspectors=[f"I{i}" for i in range(P)],
        n_items=None if n_items is None else np.full(samples, float(n_items)),
        n_violating=np.full(samples, float(d)),
        violating_fraction=np.full(samples, frac),
        inspections=np.array([[n] * samples for n in inspections], dtype=np.float64),
        p_notice=np.full(samples, p),
        ntm_per_year=np.full((P, samples), ntm),
        exchange_per_year=np.full(samples, exchange),
    )


# --------------------------------------------------------------------------- exact model


@pytest.mark.parametrize(
    ("N", "d", "n", "p", "expected"),
    [(300, 6, 30, 1.0, 0.4715), (300, 6, 30, 0.8, 0.3957), (40, 1, 10, 1.0, 0.25)],
)
def test_miss_probability_matches_models_md(N: int, d: int, n: int, p: float, expected: float):
    """models.md 3.1 (single value: N 300, d 6, n 30 -> 0.4715 at p 1, 0.3957 at p 0.8) and
    3.3 (10 of 40 bases, one violating -> 0.25); source Avenhaus & Canty 1996, ch. 3."""
    miss = miss_probability(np.array([N]), np.array([d]), np.array([n]), np.array([p]))
    assert 1.0 - miss[0] == pytest.approx(expected, abs=5e-5)


@settings(max_examples=80, deadline=None)
@given(
    N=st.integers(1, 400),
    d_frac=st.floats(0, 1),
    n_frac=st.floats(0, 1),
    p=st.floats(0, 1),
)
def test_miss_probability_agrees_with_inspection_module(
    N: int, d_frac: float, n_frac: float, p: float
) -> None:
    d, n = round(d_frac * N), round(n_frac * N)
    miss = miss_probability(np.array([N]), np.array([d]), np.array([n]), np.array([p]))[0]
    assert 1.0 - miss == pytest.approx(detection_probability(N, d, n, p), abs=1e-9)


def test_years_independent_closed_form() -> None:
    """models.md 3.3: q 0.25 per year (10 inspections of 40 bases, one violating) gives
    0.5781 within 3 years, 1 - 0.75^3."""
    out = run_monte_carlo(_params(40, 1, [10]), 3, np.random.default_rng(3), pooled=True)
    exact, event = out["I0"]
    assert exact.mean(axis=0) == pytest.approx([0.25, 0.4375, 0.578125], abs=1e-12)
    assert event.mean(axis=0)[2] == pytest.approx(0.578125, abs=4 * np.sqrt(0.25 / 20_000))
    assert out["combined"][0][:, 2] == pytest.approx(0.578125)


def test_pooled_versus_independent() -> None:
    """models.md 3.3: two parties, 10 inspections each at 40 bases, one violating: pooled
    (20 distinct bases) 0.5; independent 1 - 0.75^2 = 0.4375; each alone 0.25."""
    se = 4 * np.sqrt(0.25 / 20_000)
    pooled = run_monte_carlo(_params(40, 1, [10, 10]), 1, np.random.default_rng(5), pooled=True)
    split = run_monte_carlo(_params(40, 1, [10, 10]), 1, np.random.default_rng(5), pooled=False)
    assert pooled["combined"][0][0, 0] == pytest.approx(0.5, abs=1e-12)
    assert split["combined"][0][0, 0] == pytest.approx(0.4375, abs=1e-12)
    for res in (pooled, split):
        assert res["I0"][0][0, 0] == pytest.approx(0.25, abs=1e-12)
        assert res["I1"][0][0, 0] == pytest.approx(0.25, abs=1e-12)
    assert pooled["combined"][1][:, 0].mean() == pytest.approx(0.5, abs=se)
    assert split["combined"][1][:, 0].mean() == pytest.approx(0.4375, abs=se)
    for res in (pooled, split):
        assert res["I0"][1][:, 0].mean() == pytest.approx(0.25, abs=se)


def test_pooled_inspections_capped_at_population() -> None:
    """Pooled parties that could visit more than all items visit each item once: sure."""
    out = run_monte_carlo(
        _params(8, 1, [5, 5], samples=500), 1, np.random.default_rng(0), pooled=True
    )
    assert out["combined"][0][0, 0] == pytest.approx(1.0)
    assert out["combined"][1].all()


def test_large_population_limit_and_shared_exchange() -> None:
    """With-replacement limit (1 - f p)^n, NTM per party, data exchange shared by all."""
    prm = _params(None, 0, [4, 6], p=0.5, frac=0.1, ntm=0.2, exchange=0.3)
    out = run_monte_carlo(prm, 2, np.random.default_rng(1), pooled=True)
    m0 = 0.95**4 * 0.8 * 0.7
    m1 = 0.95**6 * 0.8 * 0.7
    mc = 0.95**10 * 0.8**2 * 0.7
    assert out["I0"][0][0] == pytest.approx([1 - m0, 1 - m0**2])
    assert out["I1"][0][0] == pytest.approx([1 - m1, 1 - m1**2])
    assert out["combined"][0][0] == pytest.approx([1 - mc, 1 - mc**2])
    assert out["combined"][1][:, 1].mean() == pytest.approx(1 - mc**2, abs=0.01)


@settings(max_examples=40, deadline=None)
@given(
    N=st.integers(2, 200),
    d=st.integers(0, 200),
    n0=st.integers(0, 60),
    extra=st.integers(1, 30),
    p=st.floats(0, 1),
    pooled=st.booleans(),
)
def test_more_inspections_never_lower_detection(
    N: int, d: int, n0: int, extra: int, p: float, pooled: bool
) -> None:
    d = min(d, N)
    rng = np.random.default_rng(0)
    few = run_monte_carlo(_params(N, d, [n0, 3], samples=4, p=p), 2, rng, pooled=pooled)
    more = run_monte_carlo(_params(N, d, [n0 + extra, 3], samples=4, p=p), 2, rng, pooled=pooled)
    assert np.all(more["combined"][0] >= few["combined"][0] - 1e-12)
    assert np.all(more["I0"][0] >= few["I0"][0] - 1e-12)


# --------------------------------------------------------------------------- scenarios


def test_seed_reproduces_and_differs() -> None:
    a = simulate("tri-new-start", "CN", "upload", years=4, samples=2000, seed=7)
    b = simulate("tri-new-start", "CN", "upload", years=4, samples=2000, seed=7)
    c = simulate("tri-new-start", "CN", "upload", years=4, samples=2000, seed=8)
    assert a.to_dict() == b.to_dict()
    assert a.to_dict()["curves"] != c.to_dict()["curves"]


def test_result_shapes_and_band() -> None:
    r = simulate("tri-new-start", "US", "upload", years=5, samples=3000, seed=1)
    assert r.inspectors == ["RU", "CN"]
    assert set(r.curves) == {"RU", "CN", "combined"}
    frame = r.to_frame()
    assert len(frame) == 3 * 5
    assert set(frame.columns) >= {"inspector", "year", "mean", "p05", "p95", "simulated"}
    for c in r.curves.values():
        assert all(lo <= m <= hi for lo, m, hi in zip(c.p05, c.mean, c.p95, strict=True))
        assert all(np.diff(c.mean) >= 0)
        # The simulated events agree with the exact mean within Monte Carlo error.
        for m, s, se in zip(c.mean, c.simulated, c.simulated_se, strict=True):
            assert abs(m - s) <= 5 * se + 1e-3
    comb, ru = r.curves["combined"], r.curves["RU"]
    assert all(x >= y - 1e-12 for x, y in zip(comb.mean, ru.mean, strict=True))
    json.dumps(r.to_dict())
    assert set(r.assumptions) == {
        k for k, a in DEFAULT_ASSUMPTIONS.items() if "upload" in a.strategies
    }


def test_hide_launchers_only_ntm_fixed() -> None:
    """Undeclared sites: inspections cannot find them; fixed NTM 0.1 per party per year,
    one site, two inspectors: year 1 combined 1 - 0.9^2 = 0.19, each party 0.1."""
    r = simulate(
        "tri-new-start",
        "RU",
        "hide-launchers",
        years=3,
        samples=200,
        assumptions=Assumptions().fixed(),
    )
    assert r.curves["US"].mean == pytest.approx([0.1, 0.19, 0.271])
    assert r.curves["combined"].mean[0] == pytest.approx(0.19)
    assert r.curves["combined"].p05 == r.curves["combined"].p95
    assert r.scenario["inspections_per_year_mean"] == {"US": 0.0, "CN": 0.0}


def test_treaty_without_inspections_gives_ntm_only() -> None:
    """SORT has no inspections: an upload is then caught only by NTM (default 0: never)."""
    r = simulate("sort", "US", "upload", years=3, samples=200, assumptions=Assumptions().fixed())
    assert r.curves["combined"].mean == [0.0, 0.0, 0.0]
    assert r.curves["combined"].simulated == [0.0, 0.0, 0.0]
    assert any("no Type One quota" in n for n in r.notes)


def test_bilateral_treaty_fixed_upload_matches_closed_form() -> None:
    """new-start, RU inspects the US with all 10 Type One; fixed assumptions: the RV
    inspections are round(10 * (s + 0.5 (1 - s))) with s the share of missile bases."""
    a = Assumptions().fixed()
    r = simulate("new-start", "US", "upload", years=2, samples=500, assumptions=a)
    decl = declare("US", 2025)
    s = decl.n_missile_bases / decl.n_bases
    n = int(np.floor(10 * (s + 0.5 * (1 - s)) + 0.5))
    assert r.scenario["inspections_per_year_mean"] == {"RU": n}
    m = declared_missiles(build_posture("US", 2025))
    assert m is not None
    # Deployed missiles are sampled uniformly over the posture's band; d = round(0.1 M).
    probs = [
        detection_probability(M, max(1, int(np.floor(0.1 * M + 0.5))), n, 0.9)
        for M in range(int(m.low), int(m.high) + 1)
    ]
    assert min(probs) - 1e-9 <= r.curves["RU"].p05[0] <= r.curves["RU"].p95[0] <= max(probs) + 1e-9
    assert r.curves["RU"].mean[0] == pytest.approx(float(np.mean(probs)), abs=2e-3)


def test_declaration_from_data() -> None:
    decl = declare("US", 2025)
    assert decl.n_bases >= decl.n_missile_bases >= 1
    m = declared_missiles(build_posture("US", 2025))
    assert decl.deployed_missiles == m
    assert declare("CN", 2025).deployed_missiles is None  # not public in the dataset


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("tri-new-start", "XX", "upload"), "cheater"),
        (("new-start", "CN", "upload"), "cheater"),
        (("tri-new-start", "CN", "bribe"), "strategy"),
        (("sort", "US", "delay-notifications"), "strategy"),
    ],
)
def test_bad_input(args: tuple[str, str, str], field: str) -> None:
    with pytest.raises(InputError) as exc:
        simulate(*args, years=2, samples=10)
    assert exc.value.field == field


def test_bad_counts() -> None:
    for kw in ({"years": 0}, {"samples": 0}, {"seed": -1}, {"years": 2.5}):
        with pytest.raises(InputError):
            simulate("tri-new-start", "US", "upload", **kw)  # type: ignore[arg-type]


def test_assumption_overrides() -> None:
    assert parse_assumption("rv_targeting=1") == ("rv_targeting", 1.0, None, None)
    assert parse_assumption("hidden_sites=1:2:4") == ("hidden_sites", 2.0, 1.0, 4.0)
    for bad in ("rv_targeting", "=1", "x=1:2", "x=a"):
        with pytest.raises(InputError):
            parse_assumption(bad)
    a = Assumptions().override("rv_notice_probability", 0.8, 0.7, 0.95)
    assert a["rv_notice_probability"].low == 0.7
    with pytest.raises(InputError):
        Assumptions().override("rv_notice_probability", 1.2)
    with pytest.raises(InputError):
        Assumptions().override("hidden_sites", 0.0)
    with pytest.raises(InputError):
        Assumptions().override("unknown", 1.0)
    with pytest.raises(InputError):
        Assumptions().override("rv_targeting", 0.5, 0.6, 0.9)
    for a in DEFAULT_ASSUMPTIONS.values():
        assert a.check() is a and a.why and set(a.strategies) <= set(STRATEGIES)


def test_higher_rv_notice_raises_detection() -> None:
    lo = simulate(
        "tri-new-start",
        "US",
        "upload",
        years=2,
        samples=500,
        assumptions=Assumptions().fixed().override("rv_notice_probability", 0.5),
    )
    hi = simulate(
        "tri-new-start",
        "US",
        "upload",
        years=2,
        samples=500,
        assumptions=Assumptions().fixed().override("rv_notice_probability", 1.0),
    )
    assert hi.curves["combined"].mean[0] > lo.curves["combined"].mean[0]


# --------------------------------------------------------------------------- CLI


def test_cli_json_and_plot(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plot = tmp_path / "det.svg"
    code, out, _ = cli(
        "verify",
        "simulate",
        "--treaty",
        "tri-new-start",
        "--cheater",
        "CN",
        "--strategy",
        "upload",
        "--years",
        "3",
        "--samples",
        "500",
        "--json",
        "--plot",
        str(plot),
    )
    assert code == 0
    data = json.loads(out)
    assert data["cheater"] == "CN" and data["years"] == [1, 2, 3]
    assert len(data["curves"]["combined"]["mean"]) == 3
    assert plot.read_text().lstrip().startswith("<?xml")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_table_png_split(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plot = tmp_path / "det.png"
    code, out, _ = cli(
        "verify",
        "simulate",
        "--treaty",
        "tri-new-start",
        "--cheater",
        "RU",
        "--strategy",
        "delay-notifications",
        "--years",
        "2",
        "--samples",
        "300",
        "--split",
        "--assume",
        "violating_base_share=0.1",
        "--plot",
        str(plot),
    )
    assert code == 0
    assert "independent" in out and "combined" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "extra",
    [
        ["--strategy", "bribe"],
        ["--strategy", "upload", "--plot", "OUT.gif"],
        ["--strategy", "upload", "--plot", "missing/OUT.png"],
        ["--strategy", "upload", "--assume", "nope=1"],
        ["--strategy", "upload", "--years", "0", "--plot", "OUT.png"],
    ],
)
def test_cli_bad_input_exit_2_writes_nothing(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str]
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = cli("verify", "simulate", "--treaty", "tri-new-start", "--cheater", "US", *extra)
    assert code == 2
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_simulation_uses_the_inspection_formula() -> None:
    """One hypergeometric implementation: the Monte Carlo's miss probability is the
    planner's, value for value."""
    from tripolar.verification.inspection import hypergeometric_miss_probability

    N, d, n, p = np.array([40, 300, 7]), np.array([1, 6, 7]), np.array([10, 30, 3]), 0.8
    np.testing.assert_array_equal(
        miss_probability(N, d, n, np.full(3, p)), hypergeometric_miss_probability(N, d, n, p)
    )


def test_pooled_leftover_quota_revisits() -> None:
    """8 bases, one violating, 5 + 5 inspections, each visit notices with p 0.5. Pooled:
    every base once and 2 at random again: miss 0.5 * (1 - 2/8 * 0.5) = 0.4375. Split:
    each party 5 distinct bases, miss (1 - 5/8 * 0.5)^2 = 0.47265625. The second party's
    visits are the 3 bases the first left, then 2 of a fresh round."""
    prm = _params(8, 1, [5, 5], p=0.5)
    pooled = run_monte_carlo(prm, 1, np.random.default_rng(2), pooled=True)
    split = run_monte_carlo(prm, 1, np.random.default_rng(2), pooled=False)
    assert pooled["combined"][0][0, 0] == pytest.approx(1 - 0.4375, abs=1e-12)
    assert split["combined"][0][0, 0] == pytest.approx(1 - 0.47265625, abs=1e-12)
    assert pooled["I0"][0][0, 0] == pytest.approx(5 / 16, abs=1e-12)
    assert pooled["I1"][0][0, 0] == pytest.approx(1 - (1 - 3 / 16) * (1 - 2 / 16), abs=1e-12)
    se = 4 * np.sqrt(0.25 / 20_000)
    assert pooled["combined"][1][:, 0].mean() == pytest.approx(1 - 0.4375, abs=se)
    assert pooled["I1"][1][:, 0].mean() == pytest.approx(pooled["I1"][0][0, 0], abs=se)


@settings(max_examples=150, deadline=None)
@given(
    N=st.integers(1, 40),
    d=st.integers(0, 40),
    quotas=st.lists(st.integers(0, 60), min_size=1, max_size=3),
    p=st.floats(0, 1),
)
def test_pooled_never_worse_than_split(N: int, d: int, quotas: list[int], p: float) -> None:
    """The same quotas, pooled, never detect less than chosen independently (any quota,
    site count and notice probability; pooled_miss_probability's Schur-convexity)."""
    from tripolar.verification.inspection import two_party_detection

    d = min(d, N)
    prm = _params(N, d, [float(q) for q in quotas], samples=2, p=p)
    pooled = run_monte_carlo(prm, 1, np.random.default_rng(0), pooled=True)
    split = run_monte_carlo(prm, 1, np.random.default_rng(0), pooled=False)
    assert np.all(pooled["combined"][0] >= split["combined"][0] - 1e-12)
    each = min(quotas[0], N)
    k = len(quotas)
    assert two_party_detection(N, d, each, n_parties=k, pooled=True, p_detect=p) >= (
        two_party_detection(N, d, each, n_parties=k, pooled=False, p_detect=p) - 1e-12
    )
