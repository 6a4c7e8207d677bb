"""From a treaty and today's postures to the :class:`TreatyOutcome` the utilities need.

Every modelling choice made here is tripolar's and is listed in :data:`MODEL_NOTES` (the
CLI prints them, ``--json`` carries them):

1. **Warhead measure.** Each party's warheads are measured as its no-deal projection
   measures them (:mod:`tripolar.projection`): deployed strategic warheads (FAS) for the US
   and Russia, the whole military stockpile for China. The same measure is used in the
   no-deal point and in every outcome, so the utility's cost and status terms compare
   like with like.
2. **No-deal point.** The central value of the projection scenario (default
   ``status-quo``) in the no-deal year (default 2030).
3. **What a treaty allows.** For every warhead limit binding a party (quantities
   ``deployed_warheads`` and ``stockpile_warheads``), the final ceiling is turned into the
   party's measure: when the limited quantity is the measure or part of it, by the ratio of
   the party's measure to its count under the treaty's counting rules today (``ceiling x
   measure_now / count_now``; a deployed-warhead ceiling on China's stockpile assumes China
   keeps its deployed share); when the limited quantity contains the measure (a stockpile
   ceiling on deployed warheads), the ceiling bounds it directly. The party then keeps the
   lesser of what the treaty allows and its no-deal level: a treaty never forces growth, and
   no party is assumed to build beyond its no-deal path.
4. **Launchers.** Deployed launchers under New START counting today; without a deal they
   grow with the warheads (loading kept). ``deployed_launchers`` ceilings apply directly,
   ``total_launchers`` ceilings scaled by today's deployed-to-total ratio.
5. **Retaliation ratios.** From the exchange engine (:mod:`tripolar.exchange.exchange`) at
   central values (deterministic, no sampling): each party's exchange force today
   (:func:`tripolar.exchange.force.force_for_exchange`) is scaled to the outcome's launchers
   and warheads, the other party (or the other two, pooled) strike first in the
   ``generated`` alert posture of ``exchange/alert_levels.yaml``, and the ratio is
   ``surviving warheads x reliability / requirement`` with requirement = ``w80`` of the
   target (warheads destroying 80 % of its value; the sum of both for the coalition).
6. **Transparency** from the treaty's verification provisions (:func:`transparency_level`):
   New START's regime (two data exchanges, 18 inspections a year, notifications, unique
   identifiers) is 1.
7. **Provisions.** A party is *bound* when at least one limit applies to it; a family may
   add ``uk_fr_accounted`` and ``missile_defence_limits``. UK and French deployed strategic
   warheads (dataset) enter Russia's parity comparison.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from tripolar.context import EvaluationContext
from tripolar.errors import InputError
from tripolar.exchange.alert import AlertLevels, alert_levels_for
from tripolar.exchange.exchange import PartyState, counterforce_exchange, party_state
from tripolar.exchange.force import Force, force_for_exchange
from tripolar.forces import Posture
from tripolar.forces.records import TRILATERAL
from tripolar.negotiation.profiles import COALITION
from tripolar.negotiation.utility import PartyOutcome, TreatyOutcome
from tripolar.projection import load_scenario, project
from tripolar.treaty.compliance import LimitResult, TreatyEvaluation, evaluate
from tripolar.treaty.counting import count_quantity
from tripolar.treaty.schema import CountingRules, Treaty, VerificationProvisions

FloatArray = npt.NDArray[np.float64]
PARTIES: tuple[str, ...] = TRILATERAL
#: The third parties whose forces Russia asks to count (dataset state codes: GB is the UK).
THIRD_PARTIES: tuple[str, ...] = ("GB", "FR")
WARHEAD_QUANTITIES = ("deployed_warheads", "stockpile_warheads")
_MEASURE_QUANTITY = {
    "deployed_strategic": "deployed_warheads",
    "military_stockpile": "stockpile_warheads",
}

MODEL_NOTES: tuple[str, ...] = (
    "Warheads in each party's projection measure (US, RU: deployed strategic; CN: military "
    "stockpile), in the no-deal point and in every outcome.",
    "No deal = central value of the projection scenario in the no-deal year.",
    "A warhead ceiling is turned into the party's measure by today's ratio of measure to "
    "count (a stockpile ceiling bounds deployed warheads directly); each party keeps the "
    "lesser of what the treaty allows and its no-deal level (no forced growth).",
    "Launchers: deployed launchers today, growing with warheads without a deal; total-launcher "
    "ceilings scaled by today's deployed-to-total ratio.",
    "Retaliation ratio = warheads surviving a first strike by the other party (or both "
    "others pooled) x reliability / w80 of the target(s); exchange engine at central values, "
    "generated alert posture (exchange/alert_levels.yaml).",
    "Transparency 0-1 from verification: data exchanges 0.25, notifications 0.15, unique "
    "identifiers 0.1, inspections 0.5 x min(1, quota / 18); New START = 1.",
)

#: New START's inspection quota per year (10 type one + 8 type two), the 1.0 of the scale.
NEW_START_INSPECTIONS_PER_YEAR = 18


def transparency_level(v: VerificationProvisions) -> float:
    """Transparency in [0, 1] from verification provisions (tripolar's scale).

    Weights: data exchanges 0.25, notifications 0.15, unique identifiers 0.10, on-site
    inspections 0.50 x min(1, quota / 18). The anchor (1 = New START's regime: two data
    exchanges, 10 type-one and 8 type-two inspections a year, notifications, unique
    identifiers) is the Treaty's Protocol Part Five as summarised in CRS R41219 (Woolf 2010);
    the split of the weights is a judgement.
    """
    return transparency_of(
        data_exchanges=v.data_exchanges_per_year > 0,
        notifications=v.notifications,
        unique_identifiers=v.unique_identifiers,
        inspections_per_year=v.total_inspections_per_year,
    )


def transparency_of(
    *,
    data_exchanges: bool,
    notifications: bool,
    unique_identifiers: bool,
    inspections_per_year: float,
) -> float:
    """The transparency scale of :func:`transparency_level`, from the provisions in force
    (weights 0.25, 0.15, 0.10 and 0.5 x min(1, quota / 18)); the one place they are written."""
    t = 0.25 * bool(data_exchanges) + 0.15 * bool(notifications) + 0.10 * bool(unique_identifiers)
    t += 0.5 * min(1.0, max(0.0, float(inspections_per_year)) / NEW_START_INSPECTIONS_PER_YEAR)
    return float(min(1.0, t))


@dataclass(frozen=True)
class Baseline:
    """Everything an outcome is measured against: today's figures and the no-deal point.

    Per party: the warhead measure, warheads today and with no deal (in that measure),
    deployed launchers today and with no deal, today's postures (for counting) and exchange
    forces (for retaliation). ``levels`` are the alert levels and exchange parameters.
    """

    parties: tuple[str, ...]
    measure: dict[str, str]
    warheads_now: dict[str, float]
    warheads_no_deal: dict[str, float]
    launchers_now: dict[str, float]
    launchers_no_deal: dict[str, float]
    postures: dict[str, Posture]
    forces: dict[str, Force]
    levels: AlertLevels
    third_party_warheads: dict[str, float] = field(default_factory=dict)
    scenario: str = ""
    year: int = 2030
    alert: str = "generated"
    notes: tuple[str, ...] = ()
    #: the inputs the baseline was built from (dataset, year): treaty evaluations of
    #: outcomes resolve baseline-year ceilings from the same data
    context: EvaluationContext | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "scenario": self.scenario,
            "year": self.year,
            "alert": self.alert,
            "measure": self.measure,
            "warheads_now": self.warheads_now,
            "warheads_no_deal": self.warheads_no_deal,
            "launchers_now": self.launchers_now,
            "launchers_no_deal": self.launchers_no_deal,
            "third_party_warheads": self.third_party_warheads,
            "model_notes": list(MODEL_NOTES),
            "notes": list(self.notes),
        }


def _count_value(quantity: str, posture: Posture, rules: CountingRules) -> float | None:
    c = count_quantity(quantity, posture, rules)
    if c.value is not None:
        return float(c.value.value)
    return None if c.at_least is None else float(c.at_least.value)


def build_baseline(
    scenario: str = "status-quo",
    year: int = 2030,
    *,
    context: EvaluationContext | None = None,
    data_year: int | None = None,
    parties: Sequence[str] = PARTIES,
    postures: Mapping[str, Posture] | None = None,
    levels: AlertLevels | None = None,
    alert: str = "generated",
) -> Baseline:
    """Today's postures and forces and the no-deal point of ``scenario`` in ``year``.

    Today is ``context.year`` (or ``data_year``) of the ``context``'s dataset (default: the
    bundled data); the alert levels are the context's. Reads the projection scenario (I/O at
    the edge); the result is the input of the pure functions below.
    """
    ctx = context if context is not None else EvaluationContext()
    if data_year is not None:
        ctx = ctx.with_(year=data_year)
    data_year = ctx.year
    proj = project(load_scenario(scenario))
    lv = levels if levels is not None else alert_levels_for(ctx)
    ps = dict(postures) if postures is not None else ctx.postures(tuple(parties))
    rules = CountingRules()
    measure, w_now, w_nd, l_now, l_nd, forces = {}, {}, {}, {}, {}, {}
    notes: list[str] = []
    for p in parties:
        if p not in proj.parties:
            raise InputError(
                f"scenario {proj.name!r} does not project {p}",
                field="scenario",
                expected="a scenario with every party",
            )
        measure[p] = proj.measures[proj.parties.index(p)]
        w_now[p] = proj.at(p, min(max(data_year, int(proj.years[0])), int(proj.years[-1])))[1]
        w_nd[p] = proj.at(p, year)[1]
        lau = _count_value("deployed_launchers", ps[p], rules)
        if lau is None or lau <= 0:
            raise InputError(f"no deployed launcher count for {p}", field=f"{p}.launchers")
        l_now[p] = lau
        l_nd[p] = lau * (w_nd[p] / w_now[p] if w_now[p] > 0 else 1.0)
        forces[p], fnotes = force_for_exchange(ps[p], lv)
        notes.extend(fnotes)
    third = {}
    ds = ctx.dataset()
    for tp in THIRD_PARTIES:
        row = ds.stockpile(tp, data_year, "deployed_strategic")
        if row is not None:
            third[tp] = float(row["value"])
    return Baseline(
        parties=tuple(parties),
        measure=measure,
        warheads_now=w_now,
        warheads_no_deal=w_nd,
        launchers_now=l_now,
        launchers_no_deal=l_nd,
        postures=ps,
        forces=forces,
        levels=lv,
        third_party_warheads=third,
        scenario=proj.name,
        year=year,
        alert=alert,
        notes=tuple(notes),
        context=ctx,
    )


def _scale_factors(f_launchers: float, f_warheads: float) -> tuple[float, float]:
    """(launcher factor, warheads-per-launcher factor) of scaling launchers by
    ``f_launchers`` and warheads by ``f_warheads`` (loading follows their ratio)."""
    per = f_warheads / f_launchers if f_launchers > 0 else 0.0
    return max(f_launchers, 0.0), max(per, 0.0)


def _scaled_by(force: Force, launchers: float, loading: float) -> Force:
    systems = tuple(
        replace(
            s,
            launchers=s.launchers.scale(launchers),
            warheads_per_launcher=s.warheads_per_launcher.scale(loading),
        )
        for s in force.systems
    )
    return Force(party=force.party, systems=systems)


def _scaled_force(force: Force, f_launchers: float, f_warheads: float) -> Force:
    """The force with launchers scaled by ``f_launchers`` and warheads by ``f_warheads``."""
    return _scaled_by(force, *_scale_factors(f_launchers, f_warheads))


def retaliation_ratios(
    forces: Mapping[str, Force], levels: AlertLevels, alert: str = "generated"
) -> dict[str, dict[str, float]]:
    """Per party and per target (each other party and ``coalition``): survivors x
    reliability / requirement, after a first strike by the target(s).

    Counterforce exchange of :func:`tripolar.exchange.exchange.counterforce_exchange`
    (Davis & Schilling 1973; Kent & Thaler, RAND R-3765-AF, 1989) at central values; the
    requirement is the target's ``w80`` (warheads destroying 80 % of its value), summed for
    the coalition. Dimensionless; 1 = requirement met.
    """
    states = {
        p: party_state(f, levels, alert) if any(s.launchers.value > 0 for s in f.systems) else None
        for p, f in forces.items()
    }
    return _ratios(list(forces), levels, _survivors, states)


def _ratios(
    names: list[str],
    levels: AlertLevels,
    survivors: Callable[[Any, list[Any]], Any],
    states: Mapping[str, Any],
) -> dict[str, dict[str, Any]]:
    """The ratios of :func:`retaliation_ratios` from ``survivors(victim, attackers)`` (a
    number, or an array of numbers, one per row of row-stacked states)."""
    rel = levels.reliability().value
    out: dict[str, dict[str, Any]] = {}
    for i in names:
        out[i] = {}
        vi = states[i]
        for j in names:
            if j == i:
                continue
            out[i][j] = survivors(vi, [states[j]]) * rel / levels.w80(j).value
        others = [j for j in names if j != i]
        need = sum(levels.w80(j).value for j in others)
        out[i][COALITION] = survivors(vi, [states[j] for j in others]) * rel / need
    return out


def scaled_retaliation_ratios(
    forces: Mapping[str, Force],
    factors: Sequence[Mapping[str, tuple[float, float]]],
    levels: AlertLevels,
    alert: str = "generated",
) -> list[dict[str, dict[str, float]]]:
    """:func:`retaliation_ratios` of many scalings of the same ``forces``, computed together.

    ``factors[k][p]`` is ``(launcher factor, warheads-per-launcher factor)`` of party ``p``
    in scaling ``k`` (both non-negative). Entry ``k`` of the result is the ratios of the
    forces scaled by ``factors[k]``, the same numbers as one call of
    :func:`retaliation_ratios` gives (tests compare them with ``==``): the central-value
    exchange is deterministic and works row by row, so the scalings go through each of the
    nine exchanges as rows of one array (equal scalings once) instead of one exchange each.
    Scalings that leave a party without launchers take the one-at-a-time path.
    """
    names = list(forces)
    index: dict[tuple[tuple[float, float], ...], int] = {}
    rows: list[int] = []
    for fk in factors:
        rows.append(index.setdefault(tuple(fk[p] for p in names), len(index)))
    unique = list(index)
    base = {p: party_state(forces[p], levels, alert) for p in names}
    live = np.ones(len(unique), dtype=bool)
    scaled: dict[str, tuple[FloatArray, FloatArray]] = {}
    for k, p in enumerate(names):
        fa = base[p].force
        f = np.array([u[k] for u in unique], dtype=np.float64).reshape(len(unique), 2)
        lau = fa.launchers * f[:, :1]
        scaled[p] = (lau, fa.warheads_per_launcher * f[:, 1:])
        live &= (lau > 0).any(axis=1)
    results: list[dict[str, dict[str, float]] | None] = [None] * len(unique)
    batch = np.flatnonzero(live)
    if batch.size:
        states = {p: _rows_state(base[p], *scaled[p], batch) for p in names}
        arrays = _ratios(names, levels, _survivors_rows, states)
        for r, u in enumerate(batch.tolist()):
            results[u] = {i: {j: float(v[r]) for j, v in d.items()} for i, d in arrays.items()}
    for u in np.flatnonzero(~live).tolist():
        alone = {p: _scaled_by(forces[p], *unique[u][k]) for k, p in enumerate(names)}
        results[u] = retaliation_ratios(alone, levels, alert)
    return [dict(results[r]) for r in rows]  # type: ignore[arg-type]


def _rows_state(
    state: PartyState, launchers: FloatArray, loading: FloatArray, rows: npt.NDArray[np.intp]
) -> PartyState:
    """``state`` (central values, one row) repeated for ``rows`` of the scaled launchers and
    loadings: what :func:`party_state` of each scaled force gives, row-stacked (scaling
    changes launchers and warheads per launcher only; ``Range.scale`` multiplies the central
    value as the array product does)."""
    n = rows.shape[0]
    f = state.force
    force = replace(
        f,
        launchers=launchers[rows],
        warheads_per_launcher=loading[rows],
        yield_kt=np.repeat(f.yield_kt, n, axis=0),
        cep_m=np.repeat(f.cep_m, n, axis=0),
        reliability=np.repeat(f.reliability, n, axis=0),
        hardness_psi=np.repeat(f.hardness_psi, n, axis=0),
    )
    return replace(
        state,
        force=force,
        untargetable=np.repeat(state.untargetable, n, axis=0),
        demated=np.repeat(state.demated, n),
        storage_sites=np.repeat(state.storage_sites, n),
        storage_hardness_psi=np.repeat(state.storage_hardness_psi, n),
        w80=np.repeat(state.w80, n),
    )


def _survivors_rows(victim: PartyState, attackers: list[PartyState]) -> FloatArray:
    """The victim's retaliatory capacity per row (every party live)."""
    res = counterforce_exchange(attackers, victim, None)
    return np.asarray(res.victim_retaliatory_capacity, dtype=np.float64)


def _survivors(victim: Any, attackers: Sequence[Any]) -> float:
    if victim is None:
        return 0.0
    live = [a for a in attackers if a is not None]
    if not live:
        return float(victim.force.warheads.sum())
    res = counterforce_exchange(live, victim, None)
    return float(np.median(res.victim_retaliatory_capacity))


def _final_rows(
    pe_schedule: Mapping[str, list[LimitResult]], date: dt.date | None
) -> dict[str, LimitResult]:
    """Per limit, the row in force on ``date`` (the final one when ``date`` is None)."""
    out = {}
    for lid, rows in pe_schedule.items():
        if date is None:
            out[lid] = rows[-1]
            continue
        chosen = [r for r in rows if r.date is None or r.date <= date]
        if chosen:
            out[lid] = chosen[-1]
    return out


@dataclass(frozen=True)
class Caps:
    """What a treaty (at one date) allows each party, in the baseline's measures."""

    warheads: dict[str, float]
    launchers: dict[str, float]
    bound: dict[str, bool]


def treaty_caps(
    treaty: Treaty,
    baseline: Baseline,
    evaluation: TreatyEvaluation | None = None,
    date: dt.date | None = None,
) -> Caps:
    """Warheads and launchers each party may keep under ``treaty`` on ``date`` (final
    ceilings when None), per rules 3 and 4 of the module docstring; parties not bound keep
    their no-deal levels."""
    ev = (
        evaluation
        if evaluation is not None
        else evaluate(treaty, dict(baseline.postures), context=baseline.context)
    )
    w_caps, l_caps, bound = {}, {}, {}
    for p in baseline.parties:
        w = baseline.warheads_no_deal[p]
        lau = baseline.launchers_no_deal[p]
        pe = ev.parties.get(p)
        is_bound = False
        if pe is not None and pe.is_party:
            own_q = _MEASURE_QUANTITY.get(baseline.measure[p], "deployed_warheads")
            measure_now = baseline.warheads_now[p]
            rows = _final_rows(pe.schedule, date)
            for r in rows.values():
                if r.status in ("exempt", "not a party"):
                    continue
                is_bound = True
                if r.ceiling is None:
                    continue
                ceil = float(r.ceiling.value)
                count = (
                    r.count.value
                    if r.count is not None
                    else (r.at_least.value if r.at_least else None)
                )
                if r.quantity in WARHEAD_QUANTITIES:
                    contains = r.quantity == "stockpile_warheads" and own_q == "deployed_warheads"
                    if contains:
                        w = min(w, ceil)
                    elif count is not None and count > 0:
                        w = min(w, ceil * measure_now / count)
                elif r.quantity == "deployed_launchers":
                    lau = min(lau, ceil)
                elif r.quantity == "total_launchers" and count is not None and count > 0:
                    lau = min(lau, ceil * baseline.launchers_now[p] / count)
        w_caps[p], l_caps[p], bound[p] = w, lau, is_bound
    return Caps(w_caps, l_caps, bound)


def outcome_from_caps(
    baseline: Baseline,
    caps: Caps,
    *,
    transparency: float = 0.0,
    provisions: Iterable[str] = (),
    label: str = "",
) -> TreatyOutcome:
    """The :class:`TreatyOutcome` of given caps: retaliation from the scaled forces."""
    return outcomes_from_caps(
        baseline, [caps], transparency=[transparency], provisions=[provisions], labels=[label]
    )[0]


def _factors(baseline: Baseline, caps: Caps) -> dict[str, tuple[float, float]]:
    """Per party, the scale factors of its exchange force under ``caps``."""
    out = {}
    for p in baseline.parties:
        fw = caps.warheads[p] / baseline.warheads_now[p] if baseline.warheads_now[p] > 0 else 0.0
        fl = caps.launchers[p] / baseline.launchers_now[p] if baseline.launchers_now[p] > 0 else 0.0
        out[p] = _scale_factors(fl, fw)
    return out


def outcomes_from_caps(
    baseline: Baseline,
    caps: Sequence[Caps],
    *,
    transparency: Sequence[float] | None = None,
    provisions: Sequence[Iterable[str]] | None = None,
    labels: Sequence[str] | None = None,
) -> list[TreatyOutcome]:
    """:func:`outcome_from_caps` of each of ``caps`` (with the matching ``transparency``,
    ``provisions`` and ``labels``; defaults 0, none and ""), the retaliation ratios of all
    computed together (:func:`scaled_retaliation_ratios`): the same outcomes as one call
    each."""
    n = len(caps)
    forces = {p: baseline.forces[p] for p in baseline.parties}
    all_ratios = scaled_retaliation_ratios(
        forces, [_factors(baseline, c) for c in caps], baseline.levels, baseline.alert
    )
    out = []
    for k in range(n):
        c, ratios = caps[k], all_ratios[k]
        t = 0.0 if transparency is None else transparency[k]
        parties = {
            p: PartyOutcome(
                deployed_warheads=c.warheads[p],
                launchers=c.launchers[p],
                retaliation=ratios[p],
                transparency=t if c.bound[p] else 0.0,
                bound=c.bound[p],
            )
            for p in baseline.parties
        }
        out.append(
            TreatyOutcome(
                label="" if labels is None else labels[k],
                parties=parties,
                provisions=sorted(set(() if provisions is None else provisions[k])),
                third_party_warheads=baseline.third_party_warheads,
            )
        )
    return out


def no_deal_outcome(baseline: Baseline) -> TreatyOutcome:
    """The disagreement point: no-deal warheads and launchers, no transparency, nobody bound."""
    caps = Caps(
        dict(baseline.warheads_no_deal),
        dict(baseline.launchers_no_deal),
        dict.fromkeys(baseline.parties, False),
    )
    return outcome_from_caps(baseline, caps, label="no deal")


def treaty_outcome(
    treaty: Treaty,
    baseline: Baseline,
    evaluation: TreatyEvaluation | None = None,
    *,
    provisions: Iterable[str] = (),
    label: str | None = None,
) -> TreatyOutcome:
    """The outcome of ``treaty`` at its final ceilings (rules 3-7 of the module docstring)."""
    return treaty_outcomes(
        [treaty], baseline, [evaluation], provisions=[provisions], labels=[label]
    )[0]


def treaty_outcomes(
    treaties: Sequence[Treaty],
    baseline: Baseline,
    evaluations: Sequence[TreatyEvaluation | None] | None = None,
    *,
    provisions: Sequence[Iterable[str]] | None = None,
    labels: Sequence[str | None] | None = None,
) -> list[TreatyOutcome]:
    """:func:`treaty_outcome` of each of ``treaties`` against one ``baseline`` (with the
    matching ``evaluations``, ``provisions`` and ``labels``), computed together: the same
    outcomes as one call each, in a fraction of the time (the exchanges behind the
    retaliation ratios of all treaties run as rows of one array; see
    :func:`scaled_retaliation_ratios`)."""
    n = len(treaties)
    evs = list(evaluations) if evaluations is not None else [None] * n
    names = list(labels) if labels is not None else [None] * n
    if len(evs) != n or len(names) != n or (provisions is not None and len(provisions) != n):
        raise ValueError("one evaluation, provision list and label per treaty")
    caps = [treaty_caps(t, baseline, ev) for t, ev in zip(treaties, evs, strict=True)]
    return outcomes_from_caps(
        baseline,
        caps,
        transparency=[transparency_level(t.verification) for t in treaties],
        provisions=provisions,
        labels=[t.id if lb is None else lb for t, lb in zip(treaties, names, strict=True)],
    )
