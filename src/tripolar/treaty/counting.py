"""Counting a posture under a treaty's counting rules.

The rules follow the treaties' own texts as summarised in their citations:

- New START (2010): warheads on deployed ICBMs and SLBMs are the reentry vehicles
  actually emplaced; each deployed heavy bomber counts as one warhead; launchers count
  as deployed (containing a missile) or non-deployed (empty, test and training
  launchers) [S14, S15, S16, S17].
- START I (1991): each missile type carries a fixed number of attributed warheads, and
  heavy bombers carry attributed numbers too, whatever is loaded.

A count is a :class:`~tripolar.ranges.Range` carried through from the posture's bands.
A count that needs a figure that is not public is ``None`` and lists what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tripolar.forces import Posture, SystemHolding
from tripolar.ranges import ZERO, Range
from tripolar.treaty.schema import CountingRules, Treaty

BALLISTIC = ("icbm", "slbm")
MOBILE_BASING = ("road-mobile", "rail-mobile")


@dataclass
class Count:
    """An accountable number with its band, or ``None`` with the reason it is unknown.

    ``basis`` says where the number comes from: ``systems`` (the per-system figures add
    up), ``aggregate`` (the per-system figures are incomplete, and a party-level figure
    counted under compatible rules stands in: a declared New START aggregate or the
    FAS/SIPRI deployed-warhead estimate; ``note`` names it), or ``incomplete`` (no such
    figure: ``value`` is ``None`` and ``at_least`` is the sum of the parts that are known,
    a lower bound).
    """

    quantity: str
    value: Range | None
    missing: list[str] = field(default_factory=list)
    by_system: dict[str, Range] = field(default_factory=dict)
    basis: str = "systems"
    at_least: Range | None = None
    note: str = ""
    #: grade of the party-level figure that stands in (``basis == "aggregate"``), e.g. "R"
    grade: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"quantity": self.quantity, "basis": self.basis}
        if self.value is None:
            out["count"] = None
            out["at_least"] = None if self.at_least is None else self.at_least.value
            out["missing"] = self.missing
        else:
            out.update(count=self.value.value, low=self.value.low, high=self.value.high)
        if self.note:
            out["note"] = self.note
        if self.grade is not None:
            out["grade"] = self.grade
        out["by_system"] = {k: v.value for k, v in self.by_system.items()}
        return out


class _Acc:
    """Accumulates terms of a count, remembering which ones are unknown.

    The sums are kept as plain floats (central value, low and high end) and turned into
    ranges once, at the end: a count adds a few dozen terms, and a range per partial sum
    cost more than the counting itself. The floats are added in the order the range sums
    added them (``0.0 + first + second ...``, each end separately), so the results are the
    same numbers."""

    def __init__(self, quantity: str, by_system: bool = True) -> None:
        self.quantity = quantity
        self._by_system = by_system
        self.value = 0.0
        self.low = 0.0
        self.high = 0.0
        self.missing: list[str] = []
        self._parts: dict[str, list[float]] = {}

    def add(self, key: str, term: Range | None, what: str) -> None:
        if term is None:
            self.missing.append(f"{key}: {what} not public")
            return
        v, lo, hi = term.value, term.low, term.high
        self.value += v
        self.low += lo
        self.high += hi
        if not self._by_system:
            return
        part = self._parts.get(key)
        if part is None:
            self._parts[key] = [0.0 + v, 0.0 + lo, 0.0 + hi]
        else:
            part[0] += v
            part[1] += lo
            part[2] += hi

    def subtract_clipped(self, term: Range) -> None:
        """``total = (total - term).clip_min(0.0)`` (opposite ends subtracted)."""
        self.value = max(self.value - term.value, 0.0)
        self.low, self.high = max(self.low - term.high, 0.0), max(self.high - term.low, 0.0)

    def result(self) -> Count:
        total = Range._ordered_result(self.value, self.low, self.high)
        by_system = {k: Range._ordered_result(*p) for k, p in self._parts.items()}
        if self.missing:
            return Count(self.quantity, None, self.missing, by_system, "incomplete", total)
        return Count(self.quantity, total, [], by_system)


def _attributed(h: SystemHolding, table: dict[str, float]) -> tuple[Range | None, str]:
    if h.deployed_launchers is None:
        return None, "deployed launchers"
    if h.deployed_launchers == ZERO:
        return ZERO, ""
    if h.system_id in table:
        return h.deployed_launchers.scale(table[h.system_id]), ""
    if h.warheads_per_launcher_max is None:
        return None, "warheads per launcher (for attribution)"
    return h.deployed_launchers.times(h.warheads_per_launcher_max), ""


def ballistic_warheads(h: SystemHolding, rules: CountingRules) -> tuple[Range | None, str]:
    """Warheads counted for one ICBM or SLBM holding."""
    if rules.ballistic_missile_warheads == "as_loaded":
        return h.warheads_loaded, "warheads loaded"
    return _attributed(h, rules.attribution)


def bomber_warheads(h: SystemHolding, rules: CountingRules) -> tuple[Range | None, str]:
    """Warheads counted for one heavy-bomber holding."""
    rule = rules.heavy_bomber_warheads
    if rule == "one_per_bomber":
        return h.deployed_launchers, "deployed bombers"
    if rule == "as_loaded":
        return h.warheads_loaded, "bomber weapons"
    return _attributed(h, rules.bomber_attribution)


def _deployed_nonstrategic(posture: Posture) -> tuple[Range | None, str]:
    hs = posture.holdings(["nonstrategic"])
    if hs and all(h.warheads_loaded is not None for h in hs):
        total = ZERO
        for h in hs:
            assert h.warheads_loaded is not None
            total = total + h.warheads_loaded
        return total, ""
    if posture.stockpile.deployed_nonstrategic is not None:
        return posture.stockpile.deployed_nonstrategic, ""
    return None, "deployed non-strategic warheads"


def _aggregate_compatible(quantity: str, rule: str, rules: CountingRules) -> bool:
    """Whether a party-level figure counted under ``rule`` can stand in for ``quantity``."""
    if quantity in ("deployed_launchers", "total_launchers"):
        return rule == "new_start"
    if quantity != "deployed_warheads" or rules.include_nonstrategic:
        return False
    if rules.ballistic_missile_warheads != "as_loaded":
        return False
    if rule == "new_start":
        return rules.heavy_bomber_warheads == "one_per_bomber"
    # FAS/SIPRI deployed warheads count bomber weapons at bases; New START counts one per
    # deployed bomber. The note on the count says which was used.
    return rules.heavy_bomber_warheads in ("as_loaded", "one_per_bomber")


def count_quantity(quantity: str, posture: Posture, rules: CountingRules) -> Count:
    """The accountable number of ``quantity`` (a limit's quantity) in ``posture``.

    Where per-system figures are missing, a compatible party-level aggregate of the
    posture stands in (see :class:`Count`); otherwise the count is incomplete.
    """
    return _count(quantity, posture, rules, True)


def count_totals(
    quantity: str, posture: Posture, rules: CountingRules, *, aggregates: bool = True
) -> Count:
    """:func:`count_quantity` without the parts: ``by_system`` is left empty (the total, its
    band, ``at_least`` and what is missing are the same), for callers that need only the
    totals, such as compliance verdicts and force cutting. ``aggregates=False`` counts the
    systems only, as if the posture had no party-level figures."""
    if not aggregates:
        return _count_from_systems(quantity, posture, rules, False)
    return _count(quantity, posture, rules, False)


def _count(quantity: str, posture: Posture, rules: CountingRules, by_system: bool) -> Count:
    c = _count_from_systems(quantity, posture, rules, by_system)
    if c.known:
        return c
    candidates = [
        a
        for a in posture.aggregates
        if a.quantity == quantity and _aggregate_compatible(quantity, a.rule, rules)
    ]
    # a declared New START figure first, then the FAS/SIPRI estimate
    candidates.sort(key=lambda a: a.rule != "new_start")
    if candidates:
        agg = candidates[0]
        return Count(
            quantity,
            agg.value,
            [],
            {},
            "aggregate",
            note=f"{agg.note}; sources {', '.join(agg.sources)}; per-system figures incomplete: "
            + "; ".join(c.missing[:3])
            + ("; ..." if len(c.missing) > 3 else ""),
            grade=agg.grade,
        )
    return c


def _count_from_systems(
    quantity: str, posture: Posture, rules: CountingRules, by_system: bool = True
) -> Count:
    acc = _Acc(quantity, by_system)
    strategic = posture.holdings(["icbm", "slbm", "bomber"])

    def warheads_of(cats: tuple[str, ...], pred=lambda h: True) -> None:
        for h in strategic:
            if h.category not in cats or not pred(h):
                continue
            if h.category == "bomber":
                term, what = bomber_warheads(h, rules)
            else:
                term, what = ballistic_warheads(h, rules)
            acc.add(h.system_id, term, what)

    if quantity == "deployed_warheads":
        warheads_of(("icbm", "slbm", "bomber"))
        if rules.include_nonstrategic:
            term, what = _deployed_nonstrategic(posture)
            acc.add("nonstrategic", term, what)
    elif quantity == "ballistic_missile_warheads":
        warheads_of(BALLISTIC)
    elif quantity == "icbm_warheads":
        warheads_of(("icbm",))
    elif quantity == "slbm_warheads":
        warheads_of(("slbm",))
    elif quantity == "heavy_icbm_warheads":
        warheads_of(("icbm",), lambda h: h.heavy)
    elif quantity == "mobile_icbm_warheads":
        warheads_of(("icbm",), lambda h: h.basing in MOBILE_BASING)
    elif quantity == "heavy_icbm_launchers":
        for h in strategic:
            if h.category == "icbm" and h.heavy:
                acc.add(h.system_id, h.deployed_launchers, "deployed launchers")
    elif quantity == "deployed_launchers":
        for h in strategic:
            acc.add(h.system_id, h.deployed_launchers, "deployed launchers")
    elif quantity == "nondeployed_launchers":
        for h in strategic:
            acc.add(h.system_id, h.nondeployed_launchers, "non-deployed launchers")
    elif quantity == "total_launchers":
        for h in strategic:
            acc.add(h.system_id, h.deployed_launchers, "deployed launchers")
            acc.add(h.system_id, h.nondeployed_launchers, "non-deployed launchers")
    elif quantity == "stockpile_warheads":
        st = posture.stockpile
        acc.add("military_stockpile", st.military_stockpile, "military stockpile")
        if not rules.include_nonstrategic and st.military_stockpile is not None:
            if st.nonstrategic_total is None:
                acc.missing.append("nonstrategic: total non-strategic warheads not public")
            else:
                acc.subtract_clipped(st.nonstrategic_total)
        if rules.include_retired:
            acc.add("retired", st.retired, "retired warheads")
    elif quantity == "nonstrategic_warheads":
        acc.add("nonstrategic", posture.stockpile.nonstrategic_total, "non-strategic warheads")
    else:
        raise ValueError(f"unknown quantity {quantity!r}")
    return acc.result()


def _rules_key(rules: CountingRules) -> tuple[object, ...]:
    """The rules as a hashable key (equal rules, equal keys)."""
    out: list[object] = []
    for name in type(rules).model_fields:
        v = getattr(rules, name)
        out.append(tuple(sorted(v.items())) if isinstance(v, dict) else v)
    return tuple(out)


class CountCache:
    """Counts of postures under counting rules, each computed once.

    For callers that count the same postures under the same rules many times (a sweep
    counts today's postures once per treaty variant, and again in each upload evaluation):
    :func:`tripolar.treaty.compliance.evaluate` and
    :func:`tripolar.treaty.upload.upload_potential` take one as ``counts``. A posture is
    known by its identity (the cache holds it, so the identity stays unique) and rules by
    their content; the caller must not change a posture in place while the cache lives,
    nor the counts it returns (they are shared, as the counts of one evaluation are).
    ``parts=False`` keeps :func:`count_totals` instead (no ``by_system``), for callers that
    need only the totals.
    """

    def __init__(self, *, parts: bool = True) -> None:
        self.parts = parts
        self._by_rules: dict[tuple[object, ...], CountsUnder] = {}

    def under(self, rules: CountingRules) -> CountsUnder:
        """The counts under ``rules`` (their content as they are now)."""
        key = _rules_key(rules)
        out = self._by_rules.get(key)
        if out is None:
            out = self._by_rules[key] = CountsUnder(rules.model_copy(deep=True), self.parts)
        return out

    def count(self, quantity: str, posture: Posture, rules: CountingRules) -> Count:
        """:func:`count_quantity` (or :func:`count_totals`) of ``posture``, computed on the
        first call only."""
        return self.under(rules).count(quantity, posture)


class CountsUnder:
    """The counts of a :class:`CountCache` under one set of rules (:meth:`CountCache.under`)."""

    def __init__(self, rules: CountingRules, parts: bool) -> None:
        self.rules = rules
        self._parts = parts
        self._memo: dict[int, tuple[Posture, dict[str, Count]]] = {}

    def _counts_of(self, posture: Posture) -> dict[str, Count]:
        hit = self._memo.get(id(posture))
        if hit is not None and hit[0] is posture:
            return hit[1]
        out: dict[str, Count] = {}
        self._memo[id(posture)] = (posture, out)
        return out

    def count(self, quantity: str, posture: Posture) -> Count:
        counts = self._counts_of(posture)
        c = counts.get(quantity)
        if c is None:
            c = counts[quantity] = _count(quantity, posture, self.rules, self._parts)
        return c

    def same_counts(self, new: Posture, old: Posture) -> None:
        """Record that ``new`` counts as ``old`` does (a copy that changed no counted field,
        e.g. only its notes): the counts made of either are shared."""
        self._memo[id(new)] = (new, self._counts_of(old))


def count_posture(
    treaty: Treaty, posture: Posture, *, limits: list[str] | None = None
) -> dict[str, Count]:
    """Count ``posture`` for each limit of ``treaty`` (or the named ``limits``)."""
    out: dict[str, Count] = {}
    for lim in treaty.limits:
        if limits is not None and lim.id not in limits:
            continue
        out[lim.id] = count_quantity(lim.quantity, posture, treaty.counting)
    return out
