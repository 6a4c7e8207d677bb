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

Every number that is not data is an :class:`Assumption` in :data:`DEFAULT_ASSUMPTIONS`
(default, low, high, why); the Monte Carlo samples each one from a triangular
distribution (low, default, high) once per sample and keeps it for all years, so the
5-95 % band shows what the assumptions, not the dice, leave open. Per sample the yearly
detection probability is computed exactly; the events are also drawn, and ``simulated``
is the share of samples that had detected by each year (a check on the exact mean).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tripolar.errors import InputError
from tripolar.verification.inspection import (
    hypergeometric_miss_probability,
    pooled_miss_probability,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from tripolar.forces import Posture
    from tripolar.ranges import Range
    from tripolar.treaty.schema import Treaty

__all__ = [
    "DEFAULT_ASSUMPTIONS",
    "STRATEGIES",
    "Assumption",
    "Assumptions",
    "Declaration",
    "DetectionCurve",
    "SampledParameters",
    "SimulationResult",
    "declare",
    "declared_missiles",
    "detection_figure",
    "miss_probability",
    "parse_assumption",
    "run_monte_carlo",
    "simulate",
]

Strategy = Literal["hide-launchers", "upload", "nondeployed-as-deployed", "delay-notifications"]
STRATEGIES: tuple[str, ...] = (
    "hide-launchers",
    "upload",
    "nondeployed-as-deployed",
    "delay-notifications",
)
#: targets.csv types that are Type One sites (ICBM, submarine and air bases).
BASE_TYPES = ("silo_field", "mobile_icbm_garrison", "ssbn_base", "bomber_base")
MISSILE_BASE_TYPES = ("silo_field", "mobile_icbm_garrison", "ssbn_base")


# --------------------------------------------------------------------------- assumptions


@dataclass(frozen=True)
class Assumption:
    """A number the model needs that is not a fact: default, plausible range, and why."""

    name: str
    default: float
    low: float
    high: float
    kind: Literal["probability", "count"]
    strategies: tuple[str, ...]
    why: str

    def check(self) -> Assumption:
        if not (self.low <= self.default <= self.high):
            raise InputError(
                f"low {self.low} <= default {self.default} <= high {self.high} fails",
                field=self.name,
                expected="low <= default <= high",
            )
        if self.kind == "probability" and not (self.low >= 0.0 and self.high <= 1.0):
            raise InputError(
                f"[{self.low}, {self.high}]", field=self.name, expected="values in [0, 1]"
            )
        if self.kind == "count" and self.low < 1:
            raise InputError(f"{self.low}", field=self.name, expected="a count >= 1")
        return self

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["strategies"] = list(self.strategies)
        return out


_A = Assumption
DEFAULT_ASSUMPTIONS: dict[str, Assumption] = {
    a.name: a
    for a in (
        _A(
            "upload_missile_fraction",
            0.10,
            0.05,
            0.25,
            "probability",
            ("upload",),
            "Share of the cheater's deployed ICBMs and SLBMs carrying more reentry vehicles "
            "than declared. 10% is the size rule of the assessment (an excess of about 10% "
            "over a ceiling); 5-25% spans a token upload to a large one.",
        ),
        _A(
            "rv_notice_probability",
            0.90,
            0.75,
            1.0,
            "probability",
            ("upload",),
            "Chance that one reentry-vehicle inspection of an uploaded missile notices the "
            "extra warheads. New START let the inspected party cover the front section; "
            "counting objects under covers is not perfect. Real figures are not public.",
        ),
        _A(
            "rv_targeting",
            0.5,
            0.0,
            1.0,
            "probability",
            ("upload",),
            "How far inspectors steer Type One inspections to missile bases: 0 spreads them "
            "evenly over all declared bases (so the share at missile bases is the share of "
            "missile bases), 1 sends all to missile bases. New START lets the inspecting "
            "party choose the base; only visits to missile bases include an RV count.",
        ),
        _A(
            "focus_on_cheater",
            0.0,
            0.0,
            0.5,
            "probability",
            STRATEGIES,
            "Quotas are per inspecting party; in a treaty of three each inspector splits "
            "its quota between the two others. 0 is an even split, 1 would spend it all on "
            "the cheater. A bilateral treaty always spends it all on the other party.",
        ),
        _A(
            "ntm_upload_per_year",
            0.0,
            0.0,
            0.05,
            "probability",
            ("upload",),
            "Yearly chance that an inspector's national technical means reveal an upload. "
            "Warheads under a missile's shroud cannot be counted from orbit; a flight test "
            "with more reentry vehicles could be seen, but a cheater need not test.",
        ),
        _A(
            "hidden_sites",
            1.0,
            1.0,
            3.0,
            "count",
            ("hide-launchers",),
            "Number of undeclared sites holding the hidden launchers. Fewer sites are "
            "harder to find; the range is illustrative.",
        ),
        _A(
            "ntm_site_per_year",
            0.10,
            0.02,
            0.30,
            "probability",
            ("hide-launchers",),
            "Yearly chance that one inspector's national technical means find one "
            "undeclared launcher site (on-site inspections visit declared sites only). "
            "Open-source analysts found China's new silo fields in commercial imagery in "
            "2021; a small hidden force of mobile launchers is far harder. Illustrative.",
        ),
        _A(
            "violating_base_share",
            0.25,
            0.10,
            0.50,
            "probability",
            ("nondeployed-as-deployed", "delay-notifications"),
            "Share of the cheater's declared bases holding a violation at any time (at "
            "least one base). A cheater concentrates to hide; the launchers concerned sit "
            "where they are based, so one base to half of them.",
        ),
        _A(
            "base_notice_probability",
            0.90,
            0.70,
            1.0,
            "probability",
            ("nondeployed-as-deployed", "delay-notifications"),
            "Chance that a Type One inspection at a base with a violation notices it "
            "(inspectors compare the pre-inspection briefing with what they see; unique "
            "identifiers help; a loaded silo declared empty must be opened to be seen).",
        ),
        _A(
            "ntm_nondeployed_per_year",
            0.05,
            0.0,
            0.20,
            "probability",
            ("nondeployed-as-deployed",),
            "Yearly chance that an inspector's national technical means see a launcher "
            "declared non-deployed in service (e.g. a submarine declared in overhaul at "
            "sea). Illustrative.",
        ),
        _A(
            "exchange_reconcile_probability",
            0.50,
            0.20,
            0.90,
            "probability",
            ("delay-notifications",),
            "Chance that one data exchange exposes a late notification (the aggregate "
            "numbers no longer add up with the notifications received). Illustrative.",
        ),
        _A(
            "ntm_notification_per_year",
            0.05,
            0.0,
            0.20,
            "probability",
            ("delay-notifications",),
            "Yearly chance that an inspector's national technical means see a movement or "
            "conversion before it is notified. Illustrative.",
        ),
    )
}


@dataclass(frozen=True)
class Assumptions:
    """The assumptions in force: the defaults with any user overrides."""

    values: Mapping[str, Assumption] = field(default_factory=lambda: dict(DEFAULT_ASSUMPTIONS))

    def __getitem__(self, name: str) -> Assumption:
        return self.values[name]

    def override(
        self,
        name: str,
        default: float,
        low: float | None = None,
        high: float | None = None,
    ) -> Assumptions:
        """A copy with ``name`` set (``low``/``high`` default to ``default``: fixed)."""
        if name not in self.values:
            raise InputError(
                f"unknown assumption {name!r}",
                field="assumption",
                expected="one of " + ", ".join(sorted(self.values)),
            )
        for v in (default, low, high):
            if v is not None and not math.isfinite(v):
                raise InputError(f"{v}", field=name, expected="a finite number")
        new = replace(
            self.values[name],
            default=float(default),
            low=float(default if low is None else low),
            high=float(default if high is None else high),
        ).check()
        return Assumptions({**self.values, name: new})

    def fixed(self) -> Assumptions:
        """Every assumption at its default, no uncertainty (the band collapses)."""
        return Assumptions(
            {k: replace(a, low=a.default, high=a.default) for k, a in self.values.items()}
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: a.to_dict() for k, a in self.values.items()}


def parse_assumption(text: str) -> tuple[str, float, float | None, float | None]:
    """Parse ``NAME=VALUE`` (fixed) or ``NAME=LOW:DEFAULT:HIGH`` into its parts."""
    name, sep, rest = text.partition("=")
    parts = rest.split(":")
    if not sep or not name.strip() or len(parts) not in (1, 3):
        raise InputError(f"{text!r}", field="--assume", expected="NAME=VALUE or NAME=LOW:DEF:HIGH")
    try:
        nums = [float(p) for p in parts]
    except ValueError as exc:
        raise InputError(f"{text!r}", field="--assume", expected="numbers") from exc
    if len(nums) == 1:
        return name.strip(), nums[0], None, None
    return name.strip(), nums[1], nums[0], nums[2]


# --------------------------------------------------------------------------- declaration


@dataclass(frozen=True)
class Declaration:
    """What the cheater declares: its bases (Type One sites) and its launcher numbers.

    Rules: each distinct ``target_id`` of targets.csv of type ICBM silo field, mobile-ICBM
    garrison, SSBN base or bomber base is one declared base; aggregate rows (ids ending in
    ``-all``) and storage sites are skipped; a row whose count is not public still counts
    as one base (a lower bound). Deployed missiles are the posture's deployed ICBMs and
    SLBMs; ``None`` where any system's count is not public.
    """

    party: str
    year: int
    bases: dict[str, int]
    deployed_missiles: Range | None
    nondeployed_launchers: Range | None
    rules: list[str]

    @property
    def n_bases(self) -> int:
        return sum(self.bases.values())

    @property
    def n_missile_bases(self) -> int:
        return sum(n for k, n in self.bases.items() if k in MISSILE_BASE_TYPES)

    def to_dict(self) -> dict[str, Any]:
        rng = self.deployed_missiles
        nd = self.nondeployed_launchers
        return {
            "party": self.party,
            "year": self.year,
            "bases": dict(self.bases),
            "n_bases": self.n_bases,
            "n_missile_bases": self.n_missile_bases,
            "deployed_missiles": None if rng is None else rng.model_dump(),
            "nondeployed_launchers": None if nd is None else nd.model_dump(),
            "rules": list(self.rules),
        }


def declared_missiles(posture: Posture) -> Range | None:
    """Deployed ICBMs plus SLBMs of ``posture`` (``None`` if any system's count is unknown)."""
    from tripolar.ranges import Range

    total = Range.exact(0.0)
    for h in posture.systems:
        if h.category in ("icbm", "slbm") and h.level == "system":
            if h.deployed_launchers is None:
                return None
            total = total + h.deployed_launchers
    return total


def _declared_nondeployed(posture: Posture) -> Range | None:
    from tripolar.ranges import Range

    total = Range.exact(0.0)
    for h in posture.systems:
        if h.category in ("icbm", "slbm", "bomber") and h.level == "system":
            if h.nondeployed_launchers is None:
                return None
            total = total + h.nondeployed_launchers
    return total


def declare(
    party: str, year: int, *, posture: Posture | None = None, data_dir: str | Path | None = None
) -> Declaration:
    """The declaration of ``party`` in ``year``: bases from targets.csv, numbers from posture."""
    from tripolar.data import load_dataset
    from tripolar.forces import build_posture

    post = posture if posture is not None else build_posture(party, year, data_dir=data_dir)
    targets = load_dataset(data_dir).tables["targets"]
    rows = targets[(targets["state"] == party) & targets["target_type"].isin(BASE_TYPES)]
    rows = rows[~rows["target_id"].astype(str).str.endswith("-all")]
    uniq = rows.drop_duplicates("target_id")
    bases = {t: int((uniq["target_type"] == t).sum()) for t in BASE_TYPES}
    bases = {k: v for k, v in bases.items() if v}
    rules = [
        "bases: one per distinct targets.csv target_id of type "
        + ", ".join(BASE_TYPES)
        + "; '-all' aggregate rows and storage sites skipped; a base whose count is not "
        "public counts as one",
        "deployed missiles: deployed ICBMs + SLBMs of the posture; not public if any "
        "system's count is missing",
    ]
    return Declaration(
        party=party,
        year=year,
        bases=bases,
        deployed_missiles=declared_missiles(post),
        nondeployed_launchers=_declared_nondeployed(post),
        rules=rules,
    )


# --------------------------------------------------------------------------- exact model


def miss_probability(
    n_items: np.ndarray | None,
    n_violating: np.ndarray,
    n_inspected: np.ndarray,
    p_notice: np.ndarray,
    violating_fraction: np.ndarray | None = None,
) -> np.ndarray:
    """Probability that ``n_inspected`` random inspections notice none of the violations.

    Vectorised over samples. Finite population: the hypergeometric formula of
    :func:`tripolar.verification.inspection.hypergeometric_miss_probability` (Avenhaus &
    Canty 1996, ch. 3), the one implementation the planner uses too. ``n_items=None`` is
    a population too large or too uncertain to count, the with-replacement limit
    ``(1 - f p)^n`` with violating fraction f; it never overstates detection (sampling
    without replacement finds more).
    """
    n = np.asarray(n_inspected, dtype=np.float64)
    p = np.asarray(p_notice, dtype=np.float64)
    if n_items is None:
        f = np.asarray(violating_fraction, dtype=np.float64)
        return np.asarray(np.power(1.0 - f * p, n))
    return hypergeometric_miss_probability(n_items, n_violating, n, p)


# --------------------------------------------------------------------------- Monte Carlo


@dataclass
class SampledParameters:
    """The model's inputs for S samples (arrays of shape (S,); ``inspections`` (P, S)).

    ``n_items`` None means the with-replacement limit with ``violating_fraction``.
    ``ntm_per_year`` is per inspector (P, S); ``exchange_per_year`` is shared by all.
    """

    inspectors: list[str]
    n_items: np.ndarray | None
    n_violating: np.ndarray
    violating_fraction: np.ndarray
    inspections: np.ndarray
    p_notice: np.ndarray
    ntm_per_year: np.ndarray
    exchange_per_year: np.ndarray

    @property
    def samples(self) -> int:
        return int(self.p_notice.shape[0])


def _pooled_rounds(inspections: np.ndarray, n_items: np.ndarray) -> np.ndarray:
    """Visits of each party in each round of a coordinated plan, shape (T, P, S).

    The pooled quota is one list of visits: a random order of all N items, then another,
    and so on (a round per pass over the items), cut into consecutive runs, one run per
    party in quota order. So no item is visited twice before every item has been visited
    once, and the leftover quota revisits items rather than being discarded; within a
    round a party's visits are distinct, across rounds independent.
    """
    n = inspections.astype(np.int64)
    N = np.maximum(n_items.astype(np.int64), 1)
    end = np.cumsum(n, axis=0)
    start = end - n
    rounds = int(np.max(-(-end[-1] // N))) if n.size else 0
    out = np.zeros((rounds, *n.shape), dtype=np.int64)
    for t in range(rounds):
        lo, hi = t * N, (t + 1) * N
        out[t] = np.maximum(0, np.minimum(end, hi) - np.maximum(start, lo))
    return out


def _effective_inspections(params: SampledParameters, pooled: bool) -> np.ndarray:
    """Inspections each party makes; an independent party never visits an item twice in
    a year (so at most N); pooled parties share one plan of visits (:func:`_pooled_rounds`)."""
    n = params.inspections.astype(np.int64)
    if params.n_items is None or pooled:
        return n
    return np.minimum(n, params.n_items.astype(np.int64))


def _draw_hits(
    params: SampledParameters,
    n_eff: np.ndarray,
    rounds: np.ndarray | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Visits to violating items by each party this year, shape (P, S)."""
    P, S = n_eff.shape
    if params.n_items is None:
        return rng.binomial(n_eff, np.broadcast_to(params.violating_fraction, (P, S)))
    N = params.n_items.astype(np.int64)
    d = params.n_violating.astype(np.int64)
    if rounds is None:
        return rng.hypergeometric(np.broadcast_to(d, (P, S)), np.broadcast_to(N - d, (P, S)), n_eff)
    hits = np.zeros_like(n_eff)
    for visits in rounds:
        left_n = visits.sum(axis=0)
        left_hits = rng.hypergeometric(d, N - d, left_n)
        for i in range(P):
            # Split the round's coordinated visits among the parties: party i's share.
            h = rng.hypergeometric(left_hits, left_n - left_hits, visits[i])
            hits[i] += h
            left_hits = left_hits - h
            left_n = left_n - visits[i]
    return hits


def run_monte_carlo(
    params: SampledParameters, years: int, rng: np.random.Generator, *, pooled: bool
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per inspector and ``"combined"``: (exact cumulative detection probability per sample,
    shape (S, Y); simulated detected-by-year indicator, shape (S, Y)).

    Pooled, the parties' visits are one coordinated plan (:func:`_pooled_rounds`): each
    visit notices a violation independently, so pooling the same quotas never detects
    less than choosing independently (see
    :func:`tripolar.verification.inspection.pooled_miss_probability`).
    """
    n_eff = _effective_inspections(params, pooled)
    N = params.n_items
    rounds = _pooled_rounds(params.inspections, N) if pooled and N is not None else None
    if rounds is None or N is None:
        miss_each = np.stack(
            [
                miss_probability(
                    params.n_items,
                    params.n_violating,
                    n_eff[i],
                    params.p_notice,
                    params.violating_fraction,
                )
                for i in range(n_eff.shape[0])
            ]
        )
    else:
        # A party's visits in different rounds are independent draws.
        miss_each = np.ones(n_eff.shape)
        for visits in rounds:
            miss_each *= hypergeometric_miss_probability(
                N, params.n_violating, visits, params.p_notice
            )
    if not pooled:
        miss_insp = np.prod(miss_each, axis=0)
    elif params.n_items is None:
        miss_insp = miss_probability(
            None, params.n_violating, n_eff.sum(axis=0), params.p_notice, params.violating_fraction
        )
    else:
        miss_insp = pooled_miss_probability(
            params.n_items, params.n_violating, n_eff.sum(axis=0), params.p_notice
        )
    miss_ntm = 1.0 - params.ntm_per_year
    miss_ex = 1.0 - params.exchange_per_year
    yearly_miss = {
        name: miss_each[i] * miss_ntm[i] * miss_ex for i, name in enumerate(params.inspectors)
    }
    yearly_miss["combined"] = miss_insp * np.prod(miss_ntm, axis=0) * miss_ex
    y = np.arange(1, years + 1, dtype=np.float64)
    exact = {k: 1.0 - np.power(m[:, None], y[None, :]) for k, m in yearly_miss.items()}

    P, S = n_eff.shape
    seen = np.zeros((P, S, years), dtype=bool)
    shared = np.zeros((S, years), dtype=bool)
    for t in range(years):
        hits = _draw_hits(params, n_eff, rounds, rng)
        noticed = rng.binomial(hits, np.broadcast_to(params.p_notice, (P, S))) > 0
        ntm = rng.random((P, S)) < params.ntm_per_year
        seen[:, :, t] = noticed | ntm
        shared[:, t] = rng.random(S) < params.exchange_per_year
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for i, name in enumerate(params.inspectors):
        event = np.logical_or.accumulate(seen[i] | shared, axis=1)
        out[name] = (exact[name], event)
    combined = np.logical_or.accumulate(seen.any(axis=0) | shared, axis=1)
    out["combined"] = (exact["combined"], combined)
    return out


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
