"""Monte Carlo over the data's bands and the model parameters, vectorised over samples.

Every banded figure (launchers, warheads per launcher, yield, CEP, reliability, hardness,
alert fractions, de-mated share, storage aim points, damage-curve ``w80``) is drawn from an
independent triangular law (low, central value, high) with a seeded
:class:`numpy.random.Generator`; all samples go through the exchange and the stability
calculus at once (arrays with a leading sample axis). Results are the median and the 5-95%
band. Expected values within each sample, as in Kent & Thaler (RAND R-3765-AF, 1989); the
sampling is over parameters, not over individual warhead outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from tripolar.exchange.alert import AlertLevels
from tripolar.exchange.exchange import party_state
from tripolar.exchange.force import Force
from tripolar.stability.kent_thaler import KentThalerParams
from tripolar.stability.tripolar import TripolarResult, tripolar_stability

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Band:
    """Median and 5-95% band of a sampled quantity."""

    median: float
    p05: float
    p95: float

    @classmethod
    def of(cls, x: npt.ArrayLike) -> Band:
        q = np.quantile(np.asarray(x, dtype=np.float64), [0.5, 0.05, 0.95])
        return cls(float(q[0]), float(q[1]), float(q[2]))

    def to_dict(self) -> dict[str, float]:
        return {"median": self.median, "p05": self.p05, "p95": self.p95}


@dataclass(frozen=True)
class MonteCarloResult:
    """Tripolar stability per posture over ``n_samples`` draws, reproducible from ``seed``."""

    seed: int
    n_samples: int
    by_posture: dict[str, TripolarResult]

    def band(self, posture: str, case: str, party: str) -> Band:
        r = next(
            c.r for c in self.by_posture[posture].ratios if c.case == case and c.party == party
        )
        return Band.of(r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "n_samples": self.n_samples,
            "postures": {k: v.to_dict() for k, v in self.by_posture.items()},
        }

    def to_frame(self) -> Any:
        import pandas as pd

        frames = []
        for posture, res in self.by_posture.items():
            f = res.to_frame()
            f.insert(0, "posture", posture)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)


def run_monte_carlo(
    forces: dict[str, Force],
    levels: AlertLevels,
    *,
    n_samples: int = 1000,
    seed: int = 0,
    postures: tuple[str, ...] = ("day_to_day", "generated"),
    params: KentThalerParams | None = None,
) -> MonteCarloResult:
    """Sample forces and parameters and evaluate the 9 three-party cases per posture.

    The search over counterforce spend uses the ``"refine"`` method (coarse grid, kill-curve
    breakpoints, then a one-warhead grid around the best), unless ``params`` says otherwise.
    """
    p = params or replace(KentThalerParams(), search="refine")
    rng = np.random.default_rng(seed)
    delta = levels.parameters.reserve_delta.value
    lam = levels.parameters.follow_on_lambda.value
    out: dict[str, TripolarResult] = {}
    for posture in postures:
        states = {
            k: party_state(f, levels, posture, rng=rng, n_samples=n_samples)
            for k, f in forces.items()
        }
        out[posture] = tripolar_stability(
            states, params=p, reserve_delta=delta, follow_on_lambda=lam
        )
    return MonteCarloResult(seed=seed, n_samples=n_samples, by_posture=out)


# -- stability of real (or treaty-compliant) forces ------------------------------------------

PARTIES: tuple[str, ...] = ("US", "RU", "CN")
POSTURE_NAMES: tuple[str, ...] = ("day_to_day", "generated")


@dataclass(frozen=True)
class StabilityCase:
    """One pair or coalition in one posture: the victims' survivors and the ratios ``r``.

    For an ordered pair A->B (third party held out) the index is ``r_A`` (A striking B first),
    ``r_B`` (B striking A first) and ``fsi = r_A r_B``. For a coalition A+B->C it is ``r_A``,
    ``r_B`` (the coalition striking first), ``r_C`` (C striking both first) and
    ``fsi = min(r_A, r_B) r_C``: a coalition is taken to be as ready to strike as its readier
    member (tripolar's rule).
    """

    attackers: tuple[str, ...]
    victim: str
    posture: str
    surviving_warheads: Band
    stability_index: dict[str, Band]
    driver: str

    @property
    def r_min(self) -> float:
        return min(b.median for k, b in self.stability_index.items() if k.startswith("r_"))

    @property
    def label(self) -> str:
        return "+".join(self.attackers) + "->" + self.victim

    def to_dict(self) -> dict[str, Any]:
        return {
            "attacker": list(self.attackers),
            "victim": self.victim,
            "posture": self.posture,
            "surviving_warheads": self.surviving_warheads.to_dict(),
            "stability_index": {k: v.to_dict() for k, v in self.stability_index.items()},
            "driver": self.driver,
        }


@dataclass(frozen=True)
class StabilityReport:
    """The 9 cases in each posture, the least stable one, and every assumption used."""

    treaty: str | None
    rule: str | None
    seed: int
    n_samples: int
    cases: tuple[StabilityCase, ...]
    least_stable: dict[str, Any]
    assumptions: tuple[str, ...]
    compliance: dict[str, Any]
    forces: dict[str, Force]

    def to_dict(self) -> dict[str, Any]:
        return {
            "treaty": self.treaty,
            "rule": self.rule,
            "seed": self.seed,
            "samples": self.n_samples,
            "cases": [c.to_dict() for c in self.cases],
            "least_stable": self.least_stable,
            "compliance": self.compliance,
            "forces": {
                k: {
                    s.system_id: {
                        "basing": s.basing,
                        "launchers": s.launchers.value,
                        "warheads": s.warheads.value,
                    }
                    for s in f.systems
                }
                for k, f in self.forces.items()
            },
            "assumptions": list(self.assumptions),
        }

    def to_frame(self) -> Any:
        import pandas as pd

        rows = []
        for c in self.cases:
            row: dict[str, Any] = {
                "posture": c.posture,
                "case": c.label,
                "survivors_median": c.surviving_warheads.median,
                "survivors_p05": c.surviving_warheads.p05,
                "survivors_p95": c.surviving_warheads.p95,
            }
            row.update({k: v.median for k, v in c.stability_index.items()})
            rows.append(row)
        return pd.DataFrame(rows)


def _cases(res: TripolarResult) -> list[StabilityCase]:
    def r_of(case_prefix: str, party: str) -> tuple[FloatArray, str]:
        c = next(x for x in res.ratios if x.party == party and x.case.startswith(case_prefix))
        return c.r, c.driver

    parties = sorted({c.party for c in res.ratios}, key=lambda p: (*PARTIES, p).index(p))
    out: list[StabilityCase] = []
    for a in parties:
        for b in parties:
            if a == b:
                continue
            ra, drv = r_of(f"{a}->{b} ", a)
            rb, _ = r_of(f"{b}->{a} ", b)
            out.append(
                StabilityCase(
                    (a,),
                    b,
                    res.posture,
                    Band.of(res.survivors[f"{a}->{b}"]),
                    {f"r_{a}": Band.of(ra), f"r_{b}": Band.of(rb), "fsi": Band.of(ra * rb)},
                    drv,
                )
            )
    for c in parties:
        pair = [x for x in parties if x != c]
        label = f"{pair[0]}+{pair[1]}->{c}"
        r0, drv = r_of(label, pair[0])
        r1, _ = r_of(label, pair[1])
        rc, _ = r_of(label, c)
        out.append(
            StabilityCase(
                (pair[0], pair[1]),
                c,
                res.posture,
                Band.of(res.survivors[label]),
                {
                    f"r_{pair[0]}": Band.of(r0),
                    f"r_{pair[1]}": Band.of(r1),
                    f"r_{c}": Band.of(rc),
                    "fsi": Band.of(np.minimum(r0, r1) * rc),
                },
                drv,
            )
        )
    return out


def _level_assumptions(
    levels: AlertLevels, forces: dict[str, Force], postures: tuple[str, ...]
) -> list[str]:
    out: list[str] = []
    for posture in postures:
        for party, f in forces.items():
            for basing in sorted({s.basing for s in f.systems} - {"silo"}):
                e = levels._posture_entry(party, posture, basing)
                if e is not None:
                    out.append(
                        f"{party} {posture}: untargetable share of {basing} launchers "
                        f"{e.value:g} ({e.low:g}-{e.high:g}), {e.basis}"
                    )
            e = levels._posture_entry(party, posture, "demated")
            if e is not None:
                out.append(
                    f"{party} {posture}: de-mated warhead share {e.value:g} "
                    f"({e.low:g}-{e.high:g}), {e.basis}"
                )
    p = levels.parameters
    out.append(
        "damage curve w80: "
        + ", ".join(f"{k} {levels.w80(k).value:g}" for k in forces)
        + " warheads (assumed)"
    )
    out.append(
        f"reserve against the third party: delta {p.reserve_delta.value:g}; follow-on weight "
        f"lambda {p.follow_on_lambda.value:g} (tripolar's rules)"
    )
    out.append(
        "Kent-Thaler cost exponent 0.75, enemy weight 0.3, 90% of survivable forces usable, "
        "at most 2 warheads per aim point, r capped at 1 (R-3765 via a secondary source)"
    )
    out.append("coalition fsi = min(r of the two attackers) x r of the victim (tripolar's rule)")
    return out


def stability_report(
    forces: dict[str, Force],
    levels: AlertLevels,
    *,
    n_samples: int = 1000,
    seed: int = 0,
    postures: tuple[str, ...] = POSTURE_NAMES,
    treaty: str | None = None,
    rule: str | None = None,
    assumptions: tuple[str, ...] | list[str] = (),
    compliance: dict[str, Any] | None = None,
) -> StabilityReport:
    """Monte Carlo of the 9 cases per posture, as cases with survivors and index bands."""
    mc = run_monte_carlo(forces, levels, n_samples=n_samples, seed=seed, postures=postures)
    cases: list[StabilityCase] = []
    least: dict[str, Any] = {}
    for posture, res in mc.by_posture.items():
        cases.extend(_cases(res))
        ls = res.least_stable()
        r = float(np.median(ls.r))
        if not least or r < least["r"]:
            least = {
                "case": ls.case,
                "party": ls.party,
                "posture": posture,
                "r": r,
                "driver": ls.driver,
            }
    return StabilityReport(
        treaty=treaty,
        rule=rule,
        seed=seed,
        n_samples=n_samples,
        cases=tuple(cases),
        least_stable=least,
        assumptions=tuple(assumptions) + tuple(_level_assumptions(levels, forces, postures)),
        compliance=compliance or {},
        forces=forces,
    )


def real_forces(
    postures: dict[str, Any],
    levels: AlertLevels,
    *,
    treaty: Any = None,
    rule: str = "proportional",
) -> tuple[dict[str, Force], list[str], dict[str, Any]]:
    """Exchange forces from postures (``tripolar.forces.Posture``), made compliant first.

    With a ``treaty`` the postures are cut with :func:`tripolar.exchange.treaty_force.comply_all`
    under ``rule``; then each goes through :func:`tripolar.exchange.force.force_for_exchange`.
    Returns the forces, the assumptions used and the compliance reports (by party).
    """
    from tripolar.exchange.force import force_for_exchange
    from tripolar.exchange.treaty_force import comply_all

    notes: list[str] = []
    compliance: dict[str, Any] = {}
    ps = dict(postures)
    if treaty is not None:
        ps, reports = comply_all(treaty, ps, rule)
        compliance = {k: v.to_dict() for k, v in reports.items()}
        notes.append(f"forces cut to comply with {treaty.id} under the rule {rule!r}")
        for rep in reports.values():
            notes.extend(f"{rep.party} not enforced: {u}" for u in rep.unenforced)
    forces: dict[str, Force] = {}
    for k, p in ps.items():
        f, n = force_for_exchange(p, levels)
        forces[k] = f
        notes.extend(n)
    return forces, notes, compliance


def run_stability(
    treaty: Any,
    levels: AlertLevels,
    *,
    year: int = 2025,
    n_samples: int = 1000,
    seed: int = 1,
    postures: tuple[str, ...] = POSTURE_NAMES,
    rule: str = "proportional",
) -> StabilityReport:
    """Stability of US, RU and CN forces of ``year``, cut to comply with ``treaty`` if given."""
    from tripolar.forces import build_posture

    ps = {p: build_posture(p, year) for p in PARTIES}
    forces, notes, compliance = real_forces(ps, levels, treaty=treaty, rule=rule)
    return stability_report(
        forces,
        levels,
        n_samples=n_samples,
        seed=seed,
        postures=postures,
        treaty=None if treaty is None else treaty.id,
        rule=None if treaty is None else rule,
        assumptions=[f"forces: dataset estimates for {year}", *notes],
        compliance=compliance,
    )


@dataclass(frozen=True)
class ExchangeReport:
    """One counterforce strike on real forces, over Monte Carlo samples."""

    attackers: tuple[str, ...]
    victim: str
    third: str | None
    posture: str
    seed: int
    n_samples: int
    surviving_warheads: Band
    spend: Band
    reserve: float
    by_system: dict[str, dict[str, float]]
    assumptions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "attacker": list(self.attackers),
            "victim": self.victim,
            "third": self.third,
            "posture": self.posture,
            "seed": self.seed,
            "samples": self.n_samples,
            "surviving_warheads": self.surviving_warheads.to_dict(),
            "spend": self.spend.to_dict(),
            "reserve": self.reserve,
            "by_system": self.by_system,
            "assumptions": list(self.assumptions),
        }


def run_exchange(
    attackers: list[str],
    victim: str,
    posture: str,
    levels: AlertLevels,
    *,
    year: int = 2025,
    n_samples: int = 1000,
    seed: int = 1,
) -> ExchangeReport:
    """The attackers (one, or two pooled) strike ``victim`` at the Kent-Thaler stop rule.

    A single attacker withholds its reserve against the third party; a coalition has none.
    """
    from tripolar.exchange.exchange import counterforce_exchange
    from tripolar.forces import build_posture

    ps = {p: build_posture(p, year) for p in PARTIES}
    forces, notes, _ = real_forces(ps, levels)
    rng = np.random.default_rng(seed)
    states = {
        k: party_state(f, levels, posture, rng=rng, n_samples=n_samples) for k, f in forces.items()
    }
    third = next((p for p in PARTIES if p not in (*attackers, victim)), None)
    res = counterforce_exchange(
        [states[a] for a in attackers],
        states[victim],
        None if third is None or len(attackers) > 1 else states[third],
        params=replace(KentThalerParams(), search="refine"),
        reserve_delta=levels.parameters.reserve_delta.value,
        spend="kent_thaler",
    )
    by_system = {
        sid: {
            "before": float(np.median(res.victim_warheads_before[:, i])),
            "surviving": float(np.median(res.victim_survivors_by_system[:, i])),
        }
        for i, sid in enumerate(res.victim_systems)
    }
    return ExchangeReport(
        attackers=tuple(attackers),
        victim=victim,
        third=None if len(attackers) > 1 else third,
        posture=posture,
        seed=seed,
        n_samples=n_samples,
        surviving_warheads=Band.of(res.victim_retaliatory_capacity),
        spend=Band.of(res.spend),
        reserve=float(np.median(res.reserve)),
        by_system=by_system,
        assumptions=tuple(
            [
                f"forces: dataset estimates for {year}",
                *notes,
                *_level_assumptions(levels, forces, (posture,)),
            ]
        ),
    )
