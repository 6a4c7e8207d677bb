"""Ceilings, headroom and compliance of every party under a treaty, per scheduled date.

For each party and each limit the evaluation gives the accountable number (from
:mod:`tripolar.treaty.counting`), the ceiling in force on each date of the limit's
schedule, the headroom (ceiling minus count; negative = excess) and a status:

- ``complies``: the central count is at or below the central ceiling;
- ``exceeds``: the central count is above it;
- ``unknown``: a figure needed for the count or the ceiling is not public;
- ``exempt``: the limit does not bind this party; ``not a party``: the state is not a party.

``certain`` says whether the whole band of the count lies on the same side of the
whole band of the ceiling; where it does not, the verdict depends on which estimate is
right, and the report says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tripolar.context import EvaluationContext
from tripolar.errors import InputError
from tripolar.forces import Posture
from tripolar.ranges import Range
from tripolar.treaty.counting import Count, CountCache, count_totals
from tripolar.treaty.schema import Ceiling, Cut, Freeze, Limit, SumOf, Treaty


@dataclass
class LimitResult:
    """One party, one limit, one date."""

    limit_id: str
    quantity: str
    date: dt.date | None
    count: Range | None
    ceiling: Range | None
    status: str
    certain: bool = True
    ceiling_rule: str = ""
    missing: list[str] = field(default_factory=list)
    count_basis: str = "systems"
    at_least: Range | None = None
    count_note: str = ""
    #: grade of the party-level figure the count rests on (``count_basis == "aggregate"``)
    count_grade: str | None = None
    #: the ceiling is ``ceiling_factor`` x this very count (a freeze at, or a cut from, the
    #: party's own level in the posture counted): count and ceiling are one quantity, so
    #: the headroom's band is that of ``(factor - 1) x count``, not of two independent bands
    ceiling_factor: float | None = None

    @property
    def headroom(self) -> Range | None:
        if self.count is None or self.ceiling is None:
            return None
        if self.ceiling_factor is not None:
            # (f - 1) x count with f <= 1: a non-positive multiple, so the ends swap
            shrink = self.count.scale(1.0 - self.ceiling_factor)
            return Range(value=0.0 - shrink.value, low=0.0 - shrink.high, high=0.0 - shrink.low)
        return self.ceiling - self.count

    @property
    def verdict(self) -> str:
        """``complies`` (certainly), ``exceeds`` (the central estimate is over the ceiling)
        or ``undetermined`` (a figure is not public, or the band reaches over the ceiling)."""
        if self.status == "exceeds":
            return "exceeds"
        if self.status in ("exempt", "not a party") or (self.status == "complies" and self.certain):
            return "complies"
        return "undetermined"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "quantity": self.quantity,
            "date": self.date.isoformat() if self.date else None,
        }
        if self.count is not None:
            out["count"] = self.count.value
            if not self.count.is_exact:
                out["low"] = self.count.low
                out["high"] = self.count.high
        else:
            out["count"] = None
            if self.at_least is not None:
                out["at_least"] = self.at_least.value
        out["count_basis"] = self.count_basis
        if self.count_note:
            out["count_note"] = self.count_note
        if self.count_grade is not None:
            out["count_grade"] = self.count_grade
        out["ceiling"] = None if self.ceiling is None else self.ceiling.value
        if self.ceiling is not None and not self.ceiling.is_exact:
            out["ceiling_low"] = self.ceiling.low
            out["ceiling_high"] = self.ceiling.high
        hr = self.headroom
        out["headroom"] = None if hr is None else hr.value
        if hr is not None and not hr.is_exact:
            out["headroom_low"] = hr.low
            out["headroom_high"] = hr.high
        out["status"] = self.status
        out["certain"] = self.certain
        if self.ceiling_rule:
            out["ceiling_rule"] = self.ceiling_rule
        if self.missing:
            out["missing"] = self.missing
        return out


@dataclass
class PartyEvaluation:
    party: str
    posture_date: dt.date
    limits: dict[str, LimitResult]
    schedule: dict[str, list[LimitResult]]
    is_party: bool = True

    @property
    def complies(self) -> bool:
        return all(r.status != "exceeds" for rs in self.schedule.values() for r in rs) and all(
            r.status != "exceeds" for r in self.limits.values()
        )

    @property
    def verdict(self) -> str:
        """``exceeds`` if any limit on any date is exceeded, else ``undetermined`` if any is
        undetermined, else ``complies`` (every limit certainly met on every date)."""
        verdicts = {r.verdict for rs in self.schedule.values() for r in rs}
        verdicts |= {r.verdict for r in self.limits.values()}
        for v in ("exceeds", "undetermined"):
            if v in verdicts:
                return v
        return "complies"

    def to_dict(self) -> dict[str, Any]:
        return {
            "posture_date": self.posture_date.isoformat(),
            "is_party": self.is_party,
            "verdict": self.verdict,
            "limits": {k: v.to_dict() for k, v in self.limits.items()},
            "schedule": {k: [r.to_dict() for r in v] for k, v in self.schedule.items()},
        }


@dataclass
class TreatyEvaluation:
    """Counts, ceilings and compliance of every party, with the treaty's id."""

    treaty: Treaty
    parties: dict[str, PartyEvaluation]
    #: parties whose posture was not given and was built from the context's dataset
    postures_from_data: tuple[str, ...] = ()

    @property
    def all_comply(self) -> bool:
        return all(p.complies for p in self.parties.values() if p.is_party)

    @property
    def any_exceeds(self) -> bool:
        return not self.all_comply

    @property
    def verdict(self) -> str:
        """Over the parties: ``exceeds``, ``undetermined`` or ``complies`` (as per party)."""
        verdicts = {p.verdict for p in self.parties.values() if p.is_party}
        for v in ("exceeds", "undetermined"):
            if v in verdicts:
                return v
        return "complies"

    def to_dict(self) -> dict[str, Any]:
        return {
            "treaty": self.treaty.id,
            "name": self.treaty.name,
            "parties": {k: v.to_dict() for k, v in self.parties.items()},
            "all_comply": self.all_comply,
            "verdict": self.verdict,
            "postures_from_data": list(self.postures_from_data),
        }

    def to_frame(self):
        """One row per party and limit (final ceilings)."""
        import pandas as pd

        rows = []
        for party, pe in self.parties.items():
            for lid, r in pe.limits.items():
                hr = r.headroom
                rows.append(
                    {
                        "party": party,
                        "limit": lid,
                        "count": None if r.count is None else r.count.value,
                        "count_low": None if r.count is None else r.count.low,
                        "count_high": None if r.count is None else r.count.high,
                        # the known part when the whole is not public (the '≥' marker)
                        "lower_bound": None if r.at_least is None else r.at_least.value,
                        # 'systems', 'aggregate' (the '*' marker) or 'incomplete'
                        "basis": r.count_basis,
                        "grade": r.count_grade,
                        "ceiling": None if r.ceiling is None else r.ceiling.value,
                        "ceiling_low": None if r.ceiling is None else r.ceiling.low,
                        "ceiling_high": None if r.ceiling is None else r.ceiling.high,
                        "headroom": None if hr is None else hr.value,
                        "status": r.status,
                        "certain": r.certain,
                    }
                )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False))


def _status(
    count: Range | None, ceiling: Range | None, at_least: Range | None = None
) -> tuple[str, bool]:
    # the known part alone already breaks the ceiling: more can only add to it
    if (
        count is None
        and at_least is not None
        and ceiling is not None
        and at_least.low > ceiling.high
    ):
        return "exceeds", True
    if count is None or ceiling is None:
        return "unknown", False
    if count.value <= ceiling.value:
        return "complies", count.high <= ceiling.low
    return "exceeds", count.low > ceiling.high


def limit_dates(treaty: Treaty, limit: Limit) -> list[dt.date | None]:
    """The dates on which the limit's ceiling takes effect or changes."""
    start = limit.applies_from or treaty.compliance_date or treaty.entry_into_force
    dates: list[dt.date | None] = [start]
    for step in limit.schedule:
        if step.date not in dates:
            dates.append(step.date)
    return dates


_UNSET = object()


def ceiling_spec_on(limit: Limit, party: str, date: dt.date | None) -> tuple[bool, Ceiling | None]:
    """(bound, spec): whether ``party`` is bound on ``date`` and the ceiling spec then.

    A party-specific ceiling (``per_party``) takes precedence over the general one and
    stays in force until a later step changes it for that party; ``null`` exempts.
    """
    if limit.applies_to is not None and party not in [p.upper() for p in limit.applies_to]:
        return False, None
    general: Ceiling | None = limit.ceiling
    override: object = limit.per_party.get(party, _UNSET)
    for step in limit.schedule:
        if date is None or step.date > date:
            break
        if step.ceiling is not None:
            general = step.ceiling
        if party in step.per_party:
            override = step.per_party[party]
    spec = general if override is _UNSET else override
    return spec is not None, spec  # type: ignore[return-value]


#: A numeric ceiling's range and rule text by its type and value (ranges are immutable; a
#: sweep's variants resolve the same few numbers again and again).
_NUMERIC_CEILINGS: dict[tuple[type, float], tuple[Range, str]] = {}
_BASELINE_SPECS = (Freeze, Cut)


class _Context:
    """Counts and baseline postures shared by all ceilings of one evaluation."""

    def __init__(
        self,
        treaty: Treaty,
        postures: dict[str, Posture],
        context: EvaluationContext,
        baselines: dict[str, Posture] | None = None,
        counts: CountCache | None = None,
    ) -> None:
        self.treaty = treaty
        self._cache = None if counts is None else counts.under(treaty.counting)
        self.postures = postures
        self.context = context
        self._baselines: dict[tuple[str, int], Posture] = {
            (p.party, p.date.year): p for p in (baselines or {}).values()
        }
        self._counts: dict[tuple[str, str], Count] = {}

    def count(self, party: str, quantity: str) -> Count:
        key = (party, quantity)
        if key not in self._counts:
            self._counts[key] = self._count_of(quantity, self.postures[party])
        return self._counts[key]

    def _count_of(self, quantity: str, posture: Posture) -> Count:
        if self._cache is not None:
            return self._cache.count(quantity, posture)
        # a verdict needs the totals only, not the parts
        return count_totals(quantity, posture, self.treaty.counting)

    def baseline_count(self, party: str, quantity: str, year: int) -> Count:
        key = (party, year)
        if key not in self._baselines:
            self._baselines[key] = self.context.posture(party, year)
        return self._count_of(quantity, self._baselines[key])

    def same_as_counted(self, party: str, year: int) -> bool:
        """Whether the baseline posture of ``year`` is the very posture being counted."""
        base = self._baselines.get((party, year))
        return base is not None and base == self.postures.get(party)

    def resolve(
        self, spec: Ceiling, party: str, quantity: str
    ) -> tuple[Range | None, str, list[str]]:
        if isinstance(spec, int | float):
            key = (type(spec), spec)
            hit = _NUMERIC_CEILINGS.get(key)
            if hit is None:
                hit = (Range.exact(float(spec)), f"{spec:g}")
                # Not zero: 0.0 and -0.0 are one key but print differently.
                if spec != 0 and len(_NUMERIC_CEILINGS) < 4096:
                    _NUMERIC_CEILINGS[key] = hit
            return hit[0], hit[1], []
        if isinstance(spec, Freeze):
            c = self.baseline_count(party, quantity, spec.freeze_at)
            return c.value, f"freeze at {party}'s {spec.freeze_at} level", c.missing
        if isinstance(spec, Cut):
            c = self.baseline_count(party, quantity, spec.cut_from)
            val = None if c.value is None else c.value.scale(1.0 - spec.fraction)
            return val, f"{spec.fraction:.0%} below {party}'s {spec.cut_from} level", c.missing
        if isinstance(spec, SumOf):
            total: Range | None = Range.exact(spec.plus)
            missing: list[str] = []
            for other in spec.at_most_sum_of:
                if other not in self.postures:
                    return None, "", [f"{other}: no posture to sum"]
                c = self.count(other, quantity)
                if c.value is None or total is None:
                    total = None
                    missing += c.missing
                else:
                    total = total + c.value
            rule = " + ".join(spec.at_most_sum_of) + (f" + {spec.plus:g}" if spec.plus else "")
            return total, f"at most {rule}", missing
        raise TypeError(type(spec))


def _limit_result(
    ctx: _Context, lim: Limit, party: str, date: dt.date | None, c: Count, is_party: bool
) -> LimitResult:
    """One party's count against one limit's ceiling on one date."""
    ceiling: Range | None = None
    certain, rule = True, ""
    miss: list[str] = []
    factor: float | None = None
    bound, spec = ceiling_spec_on(lim, party, date)
    if not is_party:
        status = "not a party"
    elif not bound or spec is None:
        status = "exempt"
    else:
        ceiling, rule, miss = ctx.resolve(spec, party, lim.quantity)
        own_level = isinstance(spec, _BASELINE_SPECS) and ctx.same_as_counted(
            party, spec.freeze_at if isinstance(spec, Freeze) else spec.cut_from
        )
        if own_level and c.value is not None:
            # the ceiling is a multiple of this very count: the verdict is certain
            factor = 1.0 - spec.fraction if isinstance(spec, Cut) else 1.0
            ok = factor >= 1.0 or c.value.value == 0
            status, certain = ("complies" if ok else "exceeds"), True
        elif own_level:
            status, certain = "unknown", True
        else:
            status, certain = _status(c.value, ceiling, c.at_least)
    return LimitResult(
        lim.id,
        lim.quantity,
        date,
        c.value,
        ceiling,
        status,
        certain,
        rule,
        c.missing + miss,
        c.basis,
        c.at_least,
        c.note,
        c.grade,
        factor,
    )


def evaluate(
    treaty: Treaty,
    postures: dict[str, Posture] | list[Posture] | None = None,
    *,
    context: EvaluationContext | None = None,
    data_dir: Any = None,
    baselines: dict[str, Posture] | None = None,
    counts: CountCache | None = None,
) -> TreatyEvaluation:
    """Evaluate ``treaty`` for the given postures (default: the dataset's, baseline year).

    ``postures`` may include states that are not parties: they are counted under the
    treaty's rules and reported as ``not a party``. Ceilings that depend on other parties
    (``at_most_sum_of``) or on a baseline year (freeze, cut) are resolved here, from the
    ``context``'s dataset (``data_dir`` is a shorthand for ``EvaluationContext(data_dir)``);
    a party whose posture is not given is built from that dataset for the treaty's baseline
    year and named in :attr:`TreatyEvaluation.postures_from_data`.

    ``counts`` (a :class:`~tripolar.treaty.counting.CountCache`) keeps the counts of
    postures seen before (the same numbers, computed once).
    """
    if context is None:
        context = EvaluationContext(data_dir=data_dir)
    elif data_dir is not None:
        raise InputError("give either a context or a data directory, not both", field="data_dir")
    pmap: dict[str, Posture]
    if postures is None:
        pmap = {}
    elif isinstance(postures, list):
        pmap = {}
        for p in postures:
            if p.party in pmap:
                raise InputError(f"two postures for {p.party}", field="posture")
            pmap[p.party] = p
    else:
        pmap = dict(postures)
    # parties without a given posture use the dataset (needed for combined ceilings)
    from_data = tuple(p for p in treaty.parties if p not in pmap)
    for party in from_data:
        pmap[party] = context.posture(party, treaty.baseline_year)
    ctx = _Context(treaty, pmap, context, baselines, counts)
    dates_of = [limit_dates(treaty, lim) for lim in treaty.limits]
    out: dict[str, PartyEvaluation] = {}
    for party, posture in pmap.items():
        is_party = party in treaty.parties
        finals: dict[str, LimitResult] = {}
        sched: dict[str, list[LimitResult]] = {}
        for lim, dates in zip(treaty.limits, dates_of, strict=True):
            c = ctx.count(party, lim.quantity)
            rows = [_limit_result(ctx, lim, party, date, c, is_party) for date in dates]
            sched[lim.id] = rows
            finals[lim.id] = rows[-1]
        out[party] = PartyEvaluation(party, posture.date, finals, sched, is_party)
    return TreatyEvaluation(treaty, out, from_data)
