"""Force building under a treaty: cut a party's posture until it meets the treaty's limits.

A treaty says how many warheads and launchers a party may keep, not which ones it keeps.
To evaluate any treaty with the exchange and stability models, tripolar needs a force that
complies; :func:`comply` builds one from the party's current posture with a stated rule:

``proportional`` (default)
    every system contributing to an exceeded limit is scaled by the same factor
    (launchers, loaded warheads, non-deployed launchers together), so the mix of systems and
    the loading of each are kept;
``keep-ssbn``
    the cut comes out of ICBMs and bombers (scaled together) and reaches SSBNs only when
    nothing else is left;
``icbm-first``
    ICBMs are cut first, and whatever is still needed comes proportionally from the rest;
``de-mirv``
    warhead limits are met by unloading ballistic missiles (every missile keeps at least one
    warhead; the warheads above one are cut by the same share on every system); launcher
    limits, and what de-MIRVing cannot reach, fall back to the proportional rule.

Rules applied everywhere:

* The final ceilings of the treaty (the last date of each limit's schedule) are the target;
  a count at or under its ceiling is left alone: a treaty never forces growth.
* Only *known* limits are enforced: where a count or a ceiling is not public ("unknown"
  status), nothing is cut for that limit and the report lists it under ``unenforced``.
* Where a count rests on a party-level aggregate (per-system figures incomplete, e.g.
  Russia's declared New START totals), the aggregate is cut along with the systems: scaled
  by the same factor when every system it covers was scaled alike, otherwise lowered by
  the number removed from the known systems.
* Stockpile limits (``stockpile_warheads``, ``nonstrategic_warheads``) are met out of the
  stockpile figures (military stockpile and reserve, or the non-strategic total); delivery
  systems are not touched for them.
* Counts become fractional (a model force, not a force plan); bands are scaled with their
  central values. Cuts are made on central values; where the band of a count still reaches
  above the ceiling the treaty evaluation marks the verdict uncertain, as for any posture.

The rules are tripolar's; they are modelling choices, not predictions of what a party would
cut. Pass ``rule=...`` to compare them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tripolar.context import EvaluationContext
from tripolar.errors import InputError
from tripolar.forces import Posture, SystemHolding
from tripolar.forces.records import copy_with
from tripolar.ranges import ZERO, Range
from tripolar.treaty.compliance import TreatyEvaluation, evaluate
from tripolar.treaty.counting import MOBILE_BASING, CountCache, CountsUnder, count_totals
from tripolar.treaty.schema import Treaty

Rule = Literal["proportional", "keep-ssbn", "icbm-first", "de-mirv"]
RULES: tuple[str, ...] = ("proportional", "keep-ssbn", "icbm-first", "de-mirv")

_COUNT_FIELDS = (
    "deployed_launchers",
    "warheads_loaded",
    "nondeployed_launchers",
    "test_launchers",
    "nondeployed_missiles",
)
_STOCKPILE_QUANTITIES = ("stockpile_warheads", "nonstrategic_warheads")
_LAUNCHER_QUANTITIES = (
    "deployed_launchers",
    "total_launchers",
    "nondeployed_launchers",
    "heavy_icbm_launchers",
)
_ordered = Range._ordered_result
_INF = math.inf
# Stands for any non-strategic holding when asking whether a group takes them.
_NS_PROBE = SystemHolding(system_id="_", category="nonstrategic")
# Cuts aim a hair under the ceiling so that rounding never leaves a count above it.
_MARGIN = 1e-9


def check_rule(rule: str) -> Rule:
    """The rule name, or :class:`InputError`."""
    r = rule.strip().lower().replace("_", "-")
    if r not in RULES:
        raise InputError(
            f"unknown force-building rule {rule!r}", field="rule", expected=" or ".join(RULES)
        )
    return r  # type: ignore[return-value]


def contributes(quantity: str, h: SystemHolding, include_nonstrategic: bool) -> bool:
    """Whether holding ``h`` enters the count of ``quantity`` (see treaty.counting)."""
    strategic = h.category in ("icbm", "slbm", "bomber")
    if quantity == "deployed_warheads":
        return strategic or (include_nonstrategic and h.category == "nonstrategic")
    if quantity == "ballistic_missile_warheads":
        return h.category in ("icbm", "slbm")
    if quantity == "icbm_warheads":
        return h.category == "icbm"
    if quantity == "slbm_warheads":
        return h.category == "slbm"
    if quantity in ("heavy_icbm_warheads", "heavy_icbm_launchers"):
        return h.category == "icbm" and h.heavy
    if quantity == "mobile_icbm_warheads":
        return h.category == "icbm" and h.basing in MOBILE_BASING
    if quantity in _LAUNCHER_QUANTITIES:
        return strategic
    return False


@dataclass
class LimitChange:
    """What happened to one limit: count before and after, the ceiling, and the action."""

    limit_id: str
    quantity: str
    ceiling: float | None
    before: float | None
    after: float | None
    action: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ComplianceReport:
    """How :func:`comply` changed a party's posture."""

    party: str
    treaty: str
    rule: str
    changes: list[LimitChange] = field(default_factory=list)
    unenforced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.action != "none" for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "treaty": self.treaty,
            "rule": self.rule,
            "changed": self.changed,
            "changes": [c.to_dict() for c in self.changes],
            "unenforced": self.unenforced,
            "notes": self.notes,
        }


# -- helpers on postures ----------------------------------------------------------------


def _scale_range(r: Range | None, f: float) -> Range | None:
    return None if r is None else r.scale(max(f, 0.0))


def _scale_holding(h: SystemHolding, f: float) -> SystemHolding:
    g = max(f, 0.0)
    if not g >= 0:  # NaN: Range.scale's error
        return h.model_copy(update={k: _scale_range(getattr(h, k), f) for k in _COUNT_FIELDS})
    d = h.__dict__
    upd: dict[str, Any] = {}
    # Zero (the shared default of most counts) times a finite factor that is not -0.0 is
    # zero again, the same floats: kept rather than rebuilt.
    keep_zero = g < _INF and math.copysign(1.0, g) > 0.0
    for k in _COUNT_FIELDS:
        r = d[k]
        if r is None:
            upd[k] = None
        elif r is ZERO and keep_zero:
            upd[k] = r
        else:
            upd[k] = _ordered(r.value * g, r.low * g, r.high * g)
    return copy_with(h, upd)


def _known(quantity: str, posture: Posture, treaty: Treaty) -> float:
    """The systems-only count of ``quantity`` (the known part where incomplete)."""
    c = count_totals(quantity, posture, treaty.counting, aggregates=False)
    if c.value is not None:
        return c.value.value
    return 0.0 if c.at_least is None else c.at_least.value


def _subset(posture: Posture, keep: Callable[[SystemHolding], bool]) -> Posture:
    return copy_with(
        posture, {"systems": [h for h in posture.systems if keep(h)], "aggregates": []}
    )


def _apply_factors(
    posture: Posture,
    treaty: Treaty,
    new_holdings: dict[int, SystemHolding],
    factors: dict[int, float | None],
    nonstrategic_factor: float | None = None,
) -> Posture:
    """Replace holdings and cut aggregates consistently (see the module docstring)."""
    systems = [new_holdings.get(i, h) for i, h in enumerate(posture.systems)]
    stock = posture.stockpile
    if nonstrategic_factor is not None and stock.deployed_nonstrategic is not None:
        stock = copy_with(
            stock, {"deployed_nonstrategic": stock.deployed_nonstrategic.scale(nonstrategic_factor)}
        )
    upd: dict[str, Any] = {"systems": systems, "stockpile": stock}
    after: Posture | None = None  # the posture with the new holdings, where a count needs it
    inc = treaty.counting.include_nonstrategic
    # The factors of the holdings each quantity covers (quantities repeat over aggregates).
    factors_of: dict[str, set[float | None] | None] = {}
    aggs = []
    for agg in posture.aggregates:
        q = agg.quantity
        if q in factors_of:
            fs = factors_of[q]
        else:
            covered = [i for i, h in enumerate(posture.systems) if contributes(q, h, inc)]
            fs = factors_of[q] = {factors.get(i, 1.0) for i in covered} if covered else None
        if fs is not None and len(fs) == 1 and None not in fs:
            (f,) = fs
            value = agg.value.scale(float(f))  # type: ignore[arg-type]
        else:
            if after is None:
                after = copy_with(posture, upd)
            removed = _known(q, posture, treaty) - _known(q, after, treaty)
            value = (agg.value - removed).clip_min(0.0)
        aggs.append(copy_with(agg, {"value": value}))
    # One copy with every update: the state the copy of the copy had (fields set: the union).
    upd["aggregates"] = aggs
    return copy_with(posture, upd)


def _scale_group(
    posture: Posture,
    treaty: Treaty,
    quantity: str,
    group: Callable[[SystemHolding], bool],
    needed: float,
    counts: CountsUnder | None = None,
) -> tuple[Posture, float]:
    """Scale the group's contributing holdings to remove ``needed`` from the count.

    Returns the new posture and what is still needed (> 0 when the group is too small).
    """
    inc = treaty.counting.include_nonstrategic
    members: list[int] = []
    whole = True
    for i, h in enumerate(posture.systems):
        if contributes(quantity, h, inc):
            if group(h):
                members.append(i)
            else:
                whole = False
    # Non-strategic warheads counted from the stockpile figure belong to a group that takes
    # non-strategic holdings; other groups must not count them.
    ns_in_group = quantity == "deployed_warheads" and inc and group(_NS_PROBE)
    whole = whole and ns_in_group == (quantity == "deployed_warheads" and inc)
    full = _count_now(quantity, posture, treaty, counts)
    if whole and full is not None:
        # The whole count (an aggregate where the systems are incomplete) scales with the
        # group: figures that are not public shrink in the same proportion.
        c_group = full
    else:
        stock = (
            posture.stockpile
            if ns_in_group
            else copy_with(posture.stockpile, {"deployed_nonstrategic": None})
        )
        part = copy_with(
            posture,
            {
                "systems": [posture.systems[i] for i in members],
                "aggregates": [],
                "stockpile": stock,
            },
        )
        c_group = _known(quantity, part, treaty)
    if c_group <= 0 or needed <= 0:
        return posture, max(needed, 0.0)
    f = max((c_group - needed) / c_group, 0.0) * (1.0 - _MARGIN)
    new = {i: _scale_holding(posture.systems[i], f) for i in members}
    factors: dict[int, float | None] = {i: f for i in members}
    out = _apply_factors(posture, treaty, new, factors, f if ns_in_group else None)
    return out, max(needed - c_group, 0.0)


def _demirv(
    posture: Posture, treaty: Treaty, quantity: str, needed: float
) -> tuple[Posture, float]:
    """Unload ballistic missiles down to one warhead each to remove ``needed`` warheads."""
    inc = treaty.counting.include_nonstrategic
    members = [
        i
        for i, h in enumerate(posture.systems)
        if h.category in ("icbm", "slbm")
        and contributes(quantity, h, inc)
        and h.deployed_launchers is not None
        and h.deployed_launchers.value > 0
        and h.warheads_loaded is not None
    ]
    before = _known(quantity, _subset(posture, lambda h: True), treaty)
    excess = 0.0
    for i in members:
        lau, wh = posture.systems[i].deployed_launchers, posture.systems[i].warheads_loaded
        assert lau is not None and wh is not None
        excess += max(wh.value - lau.value, 0.0)
    if excess <= 0:
        return posture, needed
    g = max(1.0 - needed / excess, 0.0) * (1.0 - _MARGIN)
    new: dict[int, SystemHolding] = {}
    for i in members:
        h = posture.systems[i]
        lau, wh = h.deployed_launchers, h.warheads_loaded
        assert lau is not None and wh is not None
        ends = [
            min(w, lw + max(w - lw, 0.0) * g)
            for w, lw in ((wh.low, lau.low), (wh.value, lau.value), (wh.high, lau.high))
        ]
        lo, val, hi = sorted(ends)
        new[i] = copy_with(h, {"warheads_loaded": Range.of(val, lo, hi)})
    factors: dict[int, float | None] = {i: None for i in members}
    out = _apply_factors(posture, treaty, new, factors)
    removed = before - _known(quantity, _subset(out, lambda h: True), treaty)
    return out, max(needed - removed, 0.0)


def _cut_stockpile(posture: Posture, quantity: str, needed: float) -> Posture:
    st = posture.stockpile
    upd: dict[str, Range | None] = {}
    if quantity == "nonstrategic_warheads":
        if st.nonstrategic_total is not None:
            upd["nonstrategic_total"] = (st.nonstrategic_total - needed).clip_min(0.0)
        if st.military_stockpile is not None:
            upd["military_stockpile"] = (st.military_stockpile - needed).clip_min(0.0)
    else:
        if st.military_stockpile is not None:
            upd["military_stockpile"] = (st.military_stockpile - needed).clip_min(0.0)
        if st.reserve is not None:
            upd["reserve"] = (st.reserve - needed).clip_min(0.0)
    return copy_with(posture, {"stockpile": copy_with(st, upd)})


def _reduce(
    posture: Posture,
    treaty: Treaty,
    quantity: str,
    needed: float,
    rule: Rule,
    counts: CountsUnder | None = None,
) -> tuple[Posture, str]:
    if quantity in _STOCKPILE_QUANTITIES:
        return _cut_stockpile(posture, quantity, needed * (1.0 + _MARGIN)), "stockpile cut"
    rest = needed
    p = posture
    if rule == "de-mirv" and quantity not in _LAUNCHER_QUANTITIES:
        p, rest = _demirv(p, treaty, quantity, rest)
        action = "de-MIRVed" if rest < needed else "proportional (nothing to de-MIRV)"
    elif rule == "keep-ssbn":
        p, rest = _scale_group(p, treaty, quantity, lambda h: h.category != "slbm", rest, counts)
        action = "ICBMs and bombers cut" + (", then SSBNs" if rest > 0 else "")
    elif rule == "icbm-first":
        p, rest = _scale_group(p, treaty, quantity, lambda h: h.category == "icbm", rest, counts)
        action = "ICBMs cut" + (", then the rest in proportion" if rest > 0 else "")
    else:
        action = "all contributing systems scaled in proportion"
    if rest > 0:
        p, rest = _scale_group(p, treaty, quantity, lambda h: True, rest, counts)
    return p, action


# -- public API ---------------------------------------------------------------------------


def _count_now(
    quantity: str, posture: Posture, treaty: Treaty, counts: CountsUnder | None = None
) -> float | None:
    c = (
        count_totals(quantity, posture, treaty.counting)
        if counts is None
        else counts.count(quantity, posture)
    )
    return None if c.value is None else c.value.value


def comply(
    posture: Posture,
    treaty: Treaty,
    rule: str = "proportional",
    evaluation: TreatyEvaluation | None = None,
    *,
    context: EvaluationContext | None = None,
    counts: CountCache | None = None,
) -> tuple[Posture, ComplianceReport]:
    """The party's posture cut until every known limit of ``treaty`` is met at its final ceiling.

    ``evaluation`` supplies the ceilings (default: :func:`tripolar.treaty.evaluate` of the
    treaty with this posture, the other parties from the ``context``'s dataset). A party
    under all its ceilings, or not a party, is returned unchanged. See the module docstring
    for the rules and what is done with unknown figures. The posture's ``notes`` record the cut.
    ``counts`` (a :class:`~tripolar.treaty.counting.CountCache`) keeps the counts made
    (the same numbers, each posture counted once).
    """
    r = check_rule(rule)
    ev = (
        evaluation
        if evaluation is not None
        else evaluate(treaty, {posture.party: posture}, context=context, counts=counts)
    )
    report = ComplianceReport(posture.party, treaty.id, r)
    pe = ev.parties.get(posture.party)
    if pe is None or not pe.is_party:
        report.notes.append(f"{posture.party} is not a party to {treaty.id}: unchanged")
        return posture, report
    p = posture
    under = None if counts is None else counts.under(treaty.counting)
    for lim in treaty.limits:
        res = pe.limits[lim.id]
        ceiling = res.ceiling
        if res.status == "exempt":
            continue
        if ceiling is None:
            report.unenforced.append(f"{lim.id}: ceiling unknown ({'; '.join(res.missing[:2])})")
            continue
        count = _count_now(lim.quantity, p, treaty, under)
        if count is None:
            report.unenforced.append(f"{lim.id}: {posture.party}'s count is not public")
            continue
        if count <= ceiling.value:
            report.changes.append(
                LimitChange(lim.id, lim.quantity, ceiling.value, count, count, "none")
            )
            continue
        p, action = _reduce(p, treaty, lim.quantity, count - ceiling.value, r, under)
        report.changes.append(
            LimitChange(
                lim.id,
                lim.quantity,
                ceiling.value,
                count,
                _count_now(lim.quantity, p, treaty, under),
                action,
            )
        )
    if report.changed:
        cuts = ", ".join(
            f"{c.limit_id} {c.before:,.0f} -> {c.after:,.0f}"
            for c in report.changes
            if c.action != "none" and c.before is not None and c.after is not None
        )
        noted = copy_with(
            p, {"notes": [*p.notes, f"cut to comply with {treaty.id} (rule {r}): {cuts}"]}
        )
        if under is not None:
            under.same_counts(noted, p)
        p = noted
    return p, report


def comply_all(
    treaty: Treaty,
    postures: dict[str, Posture],
    rule: str = "proportional",
    max_rounds: int = 6,
    *,
    context: EvaluationContext | None = None,
    counts: CountCache | None = None,
) -> tuple[dict[str, Posture], dict[str, ComplianceReport]]:
    """Every party made compliant; repeated while combined ceilings (``at_most_sum_of``) move.

    A combined ceiling depends on the other parties' counts, which fall as they comply, so the
    evaluation is redone until no known limit is exceeded (at most ``max_rounds`` rounds).
    ``counts`` (a :class:`~tripolar.treaty.counting.CountCache`, default: one for this call)
    keeps the counts made, for callers that cut the same postures under many treaties (the
    variants of a sweep): the given postures are then counted once over all the calls.
    """
    current = dict(postures)
    reports: dict[str, ComplianceReport] = {}
    # The rounds count the same postures again (the cut ones were counted as they were cut);
    # none is changed in place, so each is counted once.
    if counts is None:
        counts = CountCache(parts=False)
    for _ in range(max_rounds):
        ev = evaluate(treaty, current, context=context, counts=counts)
        if all(
            r.status != "exceeds" or r.count is None
            for party in treaty.parties
            for r in ev.parties[party].limits.values()
        ):
            break
        for party in treaty.parties:
            if party not in current:
                continue
            new, rep = comply(current[party], treaty, rule, ev, counts=counts)
            if party in reports:
                reports[party].changes += [c for c in rep.changes if c.action != "none"]
                reports[party].unenforced = rep.unenforced
            else:
                reports[party] = rep
            current[party] = new
    for party in current:
        reports.setdefault(party, ComplianceReport(party, treaty.id, check_rule(rule)))
    return current, reports
