"""Upload and breakout potential: how many warheads a party could add to its deployed forces.

Three routes, each computed from the posture's own figures (dataset or user file):

1. **Empty MIRV positions**: deployed ICBMs and SLBMs carrying fewer reentry vehicles
   than they can (e.g. Minuteman III carries one of up to three, Trident II about four or
   five of up to eight [S01, S35, S18]): ``deployed launchers x max per launcher - loaded``.
2. **Empty launchers**: non-deployed silos and tubes (test and training launchers
   excluded) loaded with missiles at full loading: ``(non-deployed - test) x max``. Where
   the posture gives a positive number of non-deployed missiles, no more launchers than
   that are filled; otherwise missiles are assumed available, and the result says so.
3. **Bombers**: non-deployed and converted heavy bombers returned to nuclear duty (the
   US Air Force said in February 2026 that it keeps the ability to return all B-52H to
   dual-capable status [S38]), each loaded to its maximum.

The physical capacity is compared with the warheads the party holds in reserve (its
stockpile figure ``reserve``): an upload needs warheads as well as launchers. FAS's
reserve includes non-strategic warheads for Russia, so this is an upper bound there.

The uploaded posture is then counted under a treaty, giving how far each limit would be
exceeded: the breakout margin.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tripolar.context import EvaluationContext
from tripolar.forces import Posture, SystemHolding
from tripolar.ranges import ZERO, Range, range_sum
from tripolar.treaty.compliance import TreatyEvaluation, evaluate
from tripolar.treaty.counting import CountCache
from tripolar.treaty.schema import Treaty


@dataclass
class SystemUpload:
    system_id: str
    category: str
    empty_mirv_positions: Range | None
    empty_launchers: Range | None
    bombers_returned: Range | None
    added_warheads: Range | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def v(r: Range | None) -> float | None:
            return None if r is None else r.value

        return {
            "system_id": self.system_id,
            "category": self.category,
            "empty_mirv_positions": v(self.empty_mirv_positions),
            "empty_launchers": v(self.empty_launchers),
            "bombers_returned": v(self.bombers_returned),
            "added_warheads": v(self.added_warheads),
            "notes": self.notes,
        }


@dataclass
class UploadResult:
    """Upload potential of one party, and the uploaded posture."""

    party: str
    systems: list[SystemUpload]
    capacity: Range
    reserve_warheads: Range | None
    unknown_systems: list[str]
    uploaded: Posture
    evaluation_before: TreatyEvaluation | None = None
    evaluation_after: TreatyEvaluation | None = None

    @property
    def capacity_computed(self) -> bool:
        """Whether any system's upload could be computed (else the capacity means nothing)."""
        return any(s.added_warheads is not None for s in self.systems)

    @property
    def feasible_upload(self) -> Range:
        """Launcher capacity, limited by reserve warheads where that figure is known."""
        if self.reserve_warheads is None:
            return self.capacity
        r = self.reserve_warheads
        c = self.capacity
        return Range(value=min(c.value, r.value), low=min(c.low, r.low), high=min(c.high, r.high))

    def excess(self) -> dict[str, dict[str, float | None]]:
        """Per limit: count before, after upload, the ceiling and the excess after upload."""
        out: dict[str, dict[str, float | None]] = {}
        if self.evaluation_after is None or self.evaluation_before is None:
            return out
        before = self.evaluation_before.parties[self.party].limits
        after = self.evaluation_after.parties[self.party].limits
        for lid, ra in after.items():
            rb = before[lid]
            ceiling = None if rb.ceiling is None else rb.ceiling.value
            # where part of the force's upload is unknown, so is the count after upload
            cnt_a = None if ra.count is None or self.unknown_systems else ra.count.value
            cnt_b = None if rb.count is None else rb.count.value
            # Warhead counts can rise only as far as reserve warheads exist to load.
            limited = cnt_a
            if (
                cnt_a is not None
                and cnt_b is not None
                and "warheads" in ra.quantity
                and self.reserve_warheads is not None
            ):
                limited = min(cnt_a, cnt_b + self.reserve_warheads.value)
            out[lid] = {
                "count_now": cnt_b,
                "count_after_upload": cnt_a,
                "count_after_upload_reserve_limited": limited,
                "ceiling": ceiling,
                "excess_after_upload": None
                if ceiling is None or cnt_a is None
                else max(cnt_a - ceiling, 0.0),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "capacity_warheads": self.capacity.to_dict(),
            "reserve_warheads": None
            if self.reserve_warheads is None
            else self.reserve_warheads.to_dict(),
            "feasible_upload_warheads": self.feasible_upload.to_dict(),
            "unknown_systems": self.unknown_systems,
            # False: the capacity sums only the systems whose figures are public (a lower
            # bound); None-computed systems are listed in unknown_systems
            "capacity_complete": not self.unknown_systems,
            "capacity_computed": self.capacity_computed,
            "systems": [s.to_dict() for s in self.systems],
            "limits": self.excess(),
        }


def _upload_holding(h: SystemHolding) -> tuple[SystemUpload, SystemHolding]:
    notes: list[str] = []
    wmax = h.warheads_per_launcher_max
    dep = h.deployed_launchers
    nd = h.nondeployed_launchers
    test = h.test_launchers or ZERO
    if wmax is None or dep is None or nd is None or h.warheads_loaded is None:
        missing = [
            name
            for name, val in (
                ("maximum warheads per launcher", wmax),
                ("deployed launchers", dep),
                ("non-deployed launchers", nd),
                ("warheads loaded", h.warheads_loaded),
            )
            if val is None
        ]
        notes.append("not computed: " + ", ".join(missing) + " not public")
        return SystemUpload(h.system_id, h.category, None, None, None, None, notes), h
    if h.category == "bomber":
        returned = (nd - test).clip_min(0.0) + (h.converted_launchers or ZERO)
        new_dep = dep + returned
        new_loaded = new_dep.times(wmax)
        added = (new_loaded - h.warheads_loaded).clip_min(0.0)
        empty_mirv = (dep.times(wmax) - h.warheads_loaded).clip_min(0.0)
        up = SystemUpload(h.system_id, h.category, empty_mirv, None, returned, added, notes)
        new_h = h.model_copy(
            update={
                "deployed_launchers": new_dep,
                "warheads_loaded": new_loaded,
                "nondeployed_launchers": test,
                "converted_launchers": ZERO,
            }
        )
        return up, new_h
    empty_mirv = (dep.times(wmax) - h.warheads_loaded).clip_min(0.0)
    fillable = (nd - test).clip_min(0.0)
    missiles = h.nondeployed_missiles
    if missiles is not None and missiles.value > 0:
        fillable = Range(
            value=min(fillable.value, missiles.value),
            low=min(fillable.low, missiles.low),
            high=min(fillable.high, missiles.high),
        )
    else:
        notes.append("missiles for empty launchers assumed available (no figure)")
    empty_launch = fillable.times(wmax)
    added = empty_mirv + empty_launch
    new_h = h.model_copy(
        update={
            "deployed_launchers": dep + fillable,
            "warheads_loaded": h.warheads_loaded + added,
            "nondeployed_launchers": (nd - fillable).clip_min(0.0),
        }
    )
    return SystemUpload(
        h.system_id, h.category, empty_mirv, empty_launch, None, added, notes
    ), new_h


def _is_weapons_only_leg(h: SystemHolding) -> bool:
    """A leg holding that carries only weapons not attributed to any system (e.g. the US
    bomber weapons at bases, public only for the whole leg)."""
    return (
        h.level == "leg"
        and h.deployed_launchers == ZERO
        and (h.nondeployed_launchers in (None, ZERO))
        and h.warheads_loaded is not None
    )


def _ordered(first: object, second: object) -> tuple[Treaty | None, Posture]:
    """(treaty, posture) from either argument order; the old order warns."""
    if isinstance(first, Posture) and (second is None or isinstance(second, Treaty)):
        import warnings

        warnings.warn(
            "upload_potential(posture, treaty) is deprecated; call upload_potential(treaty, "
            "posture) (the order of evaluate)",
            DeprecationWarning,
            stacklevel=3,
        )
        return second, first
    if (first is None or isinstance(first, Treaty)) and isinstance(second, Posture):
        return first, second
    raise TypeError("upload_potential(treaty, posture): a Treaty (or None), then a Posture")


def upload_potential(
    treaty: Treaty | Posture | None,
    posture: Posture | Treaty | None = None,
    *,
    context: EvaluationContext | None = None,
    counts: CountCache | None = None,
) -> UploadResult:
    """Upload potential of ``posture``; with ``treaty``, its counts before and after.

    Arguments come in the order of :func:`~tripolar.treaty.compliance.evaluate`: treaty
    (or ``None``), then posture. The earlier order ``upload_potential(posture, treaty)``
    still works for one release and emits a :class:`DeprecationWarning`.

    Ceilings that depend on other parties or a baseline year come from ``context``'s dataset.

    Weapons that are public only for a whole leg (not per system) are already loaded: they
    are subtracted from the leg's systems' empty positions, provided every system of that
    leg has its own figures; otherwise the leg's upload is not computed.

    ``counts`` is passed on to :func:`~tripolar.treaty.compliance.evaluate`.
    """
    treaty, posture = _ordered(treaty, posture)
    res = upload_routes(posture)
    if treaty is None:
        return res
    return upload_under(treaty, posture, res, context=context, counts=counts)


def upload_routes(posture: Posture) -> UploadResult:
    """The upload potential of ``posture`` alone (what :func:`upload_potential` gives without
    a treaty): the routes, the capacity and the uploaded posture, which no treaty changes."""
    ups: list[SystemUpload] = []
    new_systems: list[SystemHolding] = []
    for h in posture.systems:
        if h.category == "nonstrategic":
            new_systems.append(h)
            continue
        if _is_weapons_only_leg(h):
            continue
        up, nh = _upload_holding(h)
        ups.append(up)
        new_systems.append(nh)
    for h in posture.systems:
        if h.category == "nonstrategic" or not _is_weapons_only_leg(h):
            continue
        assert h.warheads_loaded is not None
        peers = [u for u in ups if u.category == h.category]
        if peers and all(u.added_warheads is not None for u in peers):
            w = h.warheads_loaded
            neg = Range(value=-w.value, low=-w.high, high=-w.low)
            ups.append(
                SystemUpload(
                    h.system_id,
                    h.category,
                    neg,
                    None,
                    None,
                    neg,
                    ["weapons already loaded, public only for the whole leg: subtracted"],
                )
            )
            new_systems.append(h.model_copy(update={"warheads_loaded": ZERO}))
        else:
            ups.append(
                SystemUpload(
                    h.system_id,
                    h.category,
                    None,
                    None,
                    None,
                    None,
                    ["not computed: the leg's systems lack figures"],
                )
            )
            new_systems.append(h)
    capacity = range_sum(u.added_warheads for u in ups if u.added_warheads is not None).clip_min(
        0.0
    )
    unknown = [u.system_id for u in ups if u.added_warheads is None]
    uploaded = posture.model_copy(
        update={
            "systems": new_systems,
            "description": f"{posture.description} (all upload routes used)",
        }
    )
    res = UploadResult(
        party=posture.party,
        systems=ups,
        capacity=capacity,
        reserve_warheads=posture.stockpile.reserve,
        unknown_systems=unknown,
        uploaded=uploaded,
    )
    return res


def upload_under(
    treaty: Treaty,
    posture: Posture,
    routes: UploadResult,
    *,
    context: EvaluationContext | None = None,
    counts: CountCache | None = None,
) -> UploadResult:
    """:func:`upload_potential` of ``posture`` under ``treaty``, from its
    :func:`upload_routes` (``routes``, computed once for many treaties): a new result with
    the counts before and after the upload (``routes`` itself is left as it is)."""
    if routes.party != posture.party:
        raise ValueError(f"the routes are {routes.party}'s, the posture {posture.party}'s")
    base = {posture.party: posture}
    return replace(
        routes,
        evaluation_before=evaluate(
            treaty, {posture.party: posture}, baselines=base, context=context, counts=counts
        ),
        evaluation_after=evaluate(
            treaty, {posture.party: routes.uploaded}, baselines=base, context=context, counts=counts
        ),
    )
