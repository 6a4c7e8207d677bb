"""Cheating and inspection under a treaty: Monte Carlo of detection by year, three parties.

One party (the cheater) declares its forces as the dataset's posture and violates the
treaty by one named strategy; the other parties inspect it under the treaty's quotas,
pooling their inspections (one coordinated plan: every site once before any site again,
the leftover quota revisiting sites) or choosing independently. Each
year a party detects the violation if one of its inspections notices it, if its national
technical means (NTM) do, or if a data exchange exposes it (shared by all inspectors).

Model (sources): the yearly draw of inspected items is hypergeometric with imperfect
noticing (R. Avenhaus & M. J. Canty, *Compliance Quantified*, Cambridge UP 1996, ch. 3);
years are independent draws, ``P(Y) = 1 - prod_y (1 - q_y)``; the inspection types and
quotas follow New START (Protocol Part Five, Section VI; A. F. Woolf, CRS R41219): a Type
One inspection visits an ICBM, submarine or air base chosen by the inspecting party and,
at a missile base, counts the reentry vehicles on one designated deployed missile.

The module is the scenario (what each strategy means for the model's inputs), the result
objects and the plot. Its parts: :mod:`~tripolar.verification.assumptions` (the
:class:`Assumption` records, bundled in ``assumptions.yaml``),
:mod:`~tripolar.verification.declaration` (what the cheater declares) and
:mod:`~tripolar.verification.montecarlo` (the exact model and its Monte Carlo); their
public names are importable from here as before.

Every number that is not data is an :class:`Assumption` in :data:`DEFAULT_ASSUMPTIONS`
(default, low, high, why, source); the Monte Carlo samples each one from a triangular
distribution (low, default, high) once per sample and keeps it for all years, so the
5-95 % band shows what the assumptions, not the dice, leave open. Per sample the yearly
detection probability is computed exactly; the events are also drawn, and ``simulated``
is the share of samples that had detected by each year (a check on the exact mean).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tripolar.errors import InputError
from tripolar.verification.assumptions import (
    DEFAULT_ASSUMPTIONS,
    STRATEGIES,
    Assumption,
    Assumptions,
    Strategy,
    parse_assumption,
)
from tripolar.verification.declaration import (
    BASE_TYPES,
    MISSILE_BASE_TYPES,
    Declaration,
    declare,
    declared_missiles,
)
from tripolar.verification.montecarlo import SampledParameters, miss_probability, run_monte_carlo

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from tripolar.ranges import Range
    from tripolar.treaty.schema import Treaty

__all__ = [
    "BASE_TYPES",
    "DEFAULT_ASSUMPTIONS",
    "MISSILE_BASE_TYPES",
    "STRATEGIES",
    "Assumption",
    "Assumptions",
    "Declaration",
    "DetectionCurve",
    "SampledParameters",
    "SimulationResult",
    "Strategy",
    "declare",
    "declared_missiles",
    "detection_figure",
    "miss_probability",
    "parse_assumption",
    "run_monte_carlo",
    "simulate",
]

# --------------------------------------------------------------------------- scenario


def _sample(a: Assumption, samples: int, rng: np.random.Generator) -> np.ndarray:
    if a.low == a.high:
        return np.full(samples, a.default)
    vals = rng.triangular(a.low, a.default, a.high, samples)
    return np.round(vals) if a.kind == "count" else vals


def _sample_range(r: Range, samples: int, rng: np.random.Generator) -> np.ndarray:
    lo, hi = math.ceil(r.low - 1e-9), math.floor(r.high + 1e-9)
    if hi <= lo:
        return np.full(samples, float(round(r.value)))
    return rng.integers(lo, hi + 1, samples).astype(np.float64)


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(x) + 0.5)


def _scenario(
    treaty: Treaty,
    cheater: str,
    strategy: str,
    decl: Declaration,
    assumptions: Assumptions,
    samples: int,
    rng: np.random.Generator,
) -> tuple[SampledParameters, dict[str, Any], list[str]]:
    inspectors = [p for p in treaty.parties if p != cheater]
    ver = treaty.verification
    type_one = int(ver.inspections_per_year.get("type_one", 0))
    even = 1.0 / (len(treaty.parties) - 1)
    focus = _sample(assumptions["focus_on_cheater"], samples, rng)
    type_one_on_cheater = _round_half_up(type_one * (even + focus * (1.0 - even)))
    P = len(inspectors)
    notes: list[str] = []
    if type_one == 0:
        notes.append(
            f"{treaty.id} sets no Type One quota: no on-site inspection; detection comes "
            "only from national technical means and data exchanges."
        )
    if ver.inspections_per_year.get("type_two", 0):
        notes.append(
            "Type Two inspections (facilities with only non-deployed arms) are not modelled: "
            "none of these strategies leaves its evidence there, and no public list of "
            "such facilities is in the dataset."
        )
    zeros = np.zeros(samples)
    ones = np.ones(samples)
    describe: dict[str, Any] = {
        "type_one_per_inspector_per_year": type_one,
        "data_exchanges_per_year": ver.data_exchanges_per_year,
        "notifications": ver.notifications,
    }
    n_items: np.ndarray | None
    n_viol = zeros
    frac = zeros
    exchange = zeros
    if strategy == "upload":
        m = decl.deployed_missiles
        if m is not None and m.high <= 0:
            raise InputError(
                f"{cheater} has no deployed ICBMs or SLBMs to upload", field="strategy"
            )
        share0 = decl.n_missile_bases / decl.n_bases if decl.n_bases else 1.0
        t = _sample(assumptions["rv_targeting"], samples, rng)
        per = _round_half_up(type_one_on_cheater * (share0 + t * (1.0 - share0)))
        inspections = np.broadcast_to(per, (P, samples)).copy()
        frac = _sample(assumptions["upload_missile_fraction"], samples, rng)
        if m is None:
            n_items = None
            notes.append(
                f"{cheater}'s deployed missiles are not public: the population is treated as "
                "large (with-replacement limit), which never overstates detection."
            )
        else:
            n_items = _sample_range(m, samples, rng)
            n_viol = np.maximum(1.0, _round_half_up(frac * n_items))
        p = _sample(assumptions["rv_notice_probability"], samples, rng)
        ntm = _sample(assumptions["ntm_upload_per_year"], samples, rng)
        describe.update(
            items="deployed ICBMs and SLBMs (one RV inspection each Type One at a missile base)",
            n_items=None if m is None else m.model_dump(),
            missile_base_share=share0,
        )
    elif strategy == "hide-launchers":
        n_items = None
        inspections = np.zeros((P, samples))
        p = ones
        h = _sample(assumptions["hidden_sites"], samples, rng)
        q = _sample(assumptions["ntm_site_per_year"], samples, rng)
        ntm = 1.0 - np.power(1.0 - q, h)
        notes.append(
            "Launchers at undeclared sites: Type One and Type Two inspections visit declared "
            "sites only, so only national technical means can find them."
        )
        describe.update(items="undeclared sites (not inspectable)", n_items=None)
    elif strategy in ("nondeployed-as-deployed", "delay-notifications"):
        if strategy == "delay-notifications" and not ver.notifications:
            raise InputError(
                f"{treaty.id} provides no notifications, so delaying them is no violation",
                field="strategy",
                expected="a treaty with notifications",
            )
        nd = decl.nondeployed_launchers
        if strategy == "nondeployed-as-deployed" and nd is not None and nd.high <= 0:
            raise InputError(f"{cheater} declares no non-deployed launchers", field="strategy")
        if strategy == "nondeployed-as-deployed" and nd is None:
            notes.append(
                f"{cheater}'s non-deployed launchers are not public; the violation is "
                "assumed to exist at the share of bases given by violating_base_share."
            )
        if decl.n_bases == 0:
            raise InputError(f"no declared bases for {cheater} in targets.csv", field="cheater")
        B = float(decl.n_bases)
        n_items = np.full(samples, B)
        share = _sample(assumptions["violating_base_share"], samples, rng)
        n_viol = np.clip(_round_half_up(share * B), 1.0, B)
        inspections = np.broadcast_to(type_one_on_cheater, (P, samples)).copy()
        p = _sample(assumptions["base_notice_probability"], samples, rng)
        if strategy == "nondeployed-as-deployed":
            ntm = _sample(assumptions["ntm_nondeployed_per_year"], samples, rng)
        else:
            ntm = _sample(assumptions["ntm_notification_per_year"], samples, rng)
            pe = _sample(assumptions["exchange_reconcile_probability"], samples, rng)
            exchange = 1.0 - np.power(1.0 - pe, ver.data_exchanges_per_year)
        describe.update(items="declared bases (Type One sites)", n_items=int(B))
    else:
        raise InputError(
            f"unknown strategy {strategy!r}", field="strategy", expected=", ".join(STRATEGIES)
        )
    params = SampledParameters(
        inspectors=inspectors,
        n_items=n_items,
        n_violating=n_viol,
        violating_fraction=frac,
        inspections=inspections,
        p_notice=p,
        ntm_per_year=np.broadcast_to(ntm, (P, samples)).copy(),
        exchange_per_year=exchange,
    )
    describe["inspections_per_year_mean"] = {
        name: float(inspections[i].mean()) for i, name in enumerate(inspectors)
    }
    return params, describe, notes


# --------------------------------------------------------------------------- results


@dataclass
class DetectionCurve:
    """Cumulative detection probability by the end of each year for one inspector (or all)."""

    inspector: str
    mean: list[float]
    p05: list[float]
    p95: list[float]
    simulated: list[float]
    simulated_se: list[float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SimulationResult:
    """Detection by year of one cheating strategy under one treaty (``to_dict``/``to_frame``)."""

    treaty: str
    cheater: str
    strategy: str
    inspectors: list[str]
    pooled: bool
    years: list[int]
    samples: int
    seed: int
    curves: dict[str, DetectionCurve]
    declaration: dict[str, Any]
    scenario: dict[str, Any]
    assumptions: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["curves"] = {k: c.to_dict() for k, c in self.curves.items()}
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per inspector (and ``combined``) and year."""
        import pandas as pd

        rows = [
            {
                "inspector": name,
                "year": y,
                "mean": c.mean[i],
                "p05": c.p05[i],
                "p95": c.p95[i],
                "simulated": c.simulated[i],
            }
            for name, c in self.curves.items()
            for i, y in enumerate(self.years)
        ]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False))


def _check_int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(f"{value!r}", field=name, expected="an integer")
    if not low <= int(value) <= high:
        raise InputError(f"{value}", field=name, expected=f"an integer in [{low}, {high}]")
    return int(value)


def simulate(
    treaty: Treaty | str,
    cheater: str,
    strategy: str,
    *,
    years: int = 10,
    samples: int = 10_000,
    seed: int = 1,
    pooled: bool = True,
    assumptions: Assumptions | None = None,
    data_dir: str | Path | None = None,
) -> SimulationResult:
    """Monte Carlo of the probability that the other parties detect ``cheater`` by each year.

    The declaration is the posture of ``treaty.baseline_year`` (see :func:`declare`); the
    model and its sources are in the module docstring. Reproducible: the same arguments
    and ``seed`` give the same result.
    """
    from tripolar.forces import check_state
    from tripolar.treaty import load_treaty

    t = load_treaty(treaty) if isinstance(treaty, str) else treaty
    party = check_state(str(cheater).upper(), field="cheater")
    if party not in t.parties:
        raise InputError(
            f"{party} is not a party to {t.id}", field="cheater", expected=", ".join(t.parties)
        )
    if len(t.parties) < 2:
        raise InputError(f"{t.id} has one party: nobody inspects", field="treaty")
    if strategy not in STRATEGIES:
        raise InputError(f"{strategy!r}", field="strategy", expected=", ".join(STRATEGIES))
    years = _check_int(years, "years", 1, 100)
    samples = _check_int(samples, "samples", 1, 1_000_000)
    seed = _check_int(seed, "seed", 0, 2**63 - 1)
    used = assumptions if assumptions is not None else Assumptions()
    rng = np.random.default_rng(seed)
    decl = declare(party, t.baseline_year, data_dir=data_dir)
    params, describe, notes = _scenario(t, party, strategy, decl, used, samples, rng)
    raw = run_monte_carlo(params, years, rng, pooled=pooled)
    curves: dict[str, DetectionCurve] = {}
    for name, (exact, event) in raw.items():
        sim = event.mean(axis=0)
        curves[name] = DetectionCurve(
            inspector=name,
            mean=exact.mean(axis=0).tolist(),
            p05=np.quantile(exact, 0.05, axis=0).tolist(),
            p95=np.quantile(exact, 0.95, axis=0).tolist(),
            simulated=sim.tolist(),
            simulated_se=np.sqrt(sim * (1.0 - sim) / samples).tolist(),
        )
    relevant = {k: a.to_dict() for k, a in used.values.items() if strategy in a.strategies}
    return SimulationResult(
        treaty=t.id,
        cheater=party,
        strategy=strategy,
        inspectors=params.inspectors,
        pooled=pooled,
        years=list(range(1, years + 1)),
        samples=samples,
        seed=seed,
        curves=curves,
        declaration=decl.to_dict(),
        scenario=describe,
        assumptions=relevant,
        notes=notes,
    )


def detection_figure(result: SimulationResult) -> Figure:
    """Detection probability against years: mean line and 5-95 % band per inspector."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    years = result.years
    for name, c in result.curves.items():
        style = "-" if name == "combined" else "--"
        (line,) = ax.plot(years, c.mean, style, marker="o", ms=3, label=name)
        ax.fill_between(years, c.p05, c.p95, alpha=0.15, color=line.get_color())
    mode = "pooled" if result.pooled else "independent"
    ax.set_title(
        f"{result.cheater} cheats ({result.strategy}) under {result.treaty}: "
        f"detection by year ({mode})",
        fontsize=10,
    )
    ax.set_xlabel("years of cheating")
    ax.set_ylabel("P(detected by end of year)")
    ax.set_ylim(0.0, 1.0)
    ax.set_xlim(years[0], years[-1] if len(years) > 1 else years[0] + 1)
    ax.grid(alpha=0.3)
    ax.legend(title="inspector (band: 5-95 %)", fontsize=8)
    fig.tight_layout()
    return fig
