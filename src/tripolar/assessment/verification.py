"""The verification column of the assessment: inspections needed per year, per party.

Rule (stated in every output): the violation that matters is an excess of 10 % over the
party's tightest deployed-warhead ceiling, made by uploading extra warheads onto deployed
ICBMs and SLBMs at their maximum loading, systems with the most room per missile first
(the fewest missiles, the hardest upload to catch). Inspectors count the reentry vehicles
on randomly chosen deployed missiles (one per New START Type One inspection at a missile
base); the inspections needed for 95 % detection are the hypergeometric n* of
:func:`tripolar.verification.inspection.inspections_needed` (Avenhaus & Canty 1996) with
the per-inspection noticing probability ``rv_notice_probability`` of
:data:`~tripolar.verification.simulate.DEFAULT_ASSUMPTIONS`. They are compared with the
Type One inspections the party receives per year: each other party's quota split evenly
over the parties it inspects, which adds up to one party's Type One quota.

Numbers and flags only (:class:`PartyVerification`, :class:`VerificationColumn`); the wording
is the renderers'.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tripolar.verification.inspection import inspections_needed
from tripolar.verification.simulate import DEFAULT_ASSUMPTIONS, declared_missiles

if TYPE_CHECKING:
    from tripolar.forces import Posture
    from tripolar.treaty.compliance import TreatyEvaluation
    from tripolar.treaty.schema import Treaty

__all__ = [
    "CONFIDENCE",
    "EXCESS_FRACTION",
    "RULE",
    "PartyVerification",
    "VerificationColumn",
    "upload_missiles",
    "verification_column",
]

EXCESS_FRACTION = 0.10
CONFIDENCE = 0.95
RULE = (
    "violation that matters: an excess of 10% over the party's tightest deployed-warhead "
    "ceiling, by uploading deployed ICBMs/SLBMs to their maximum loading (most room per "
    "missile first); inspections needed: reentry-vehicle inspections of random deployed "
    "missiles for 95% detection (hypergeometric, p_notice = rv_notice_probability); "
    "quota: the Type One inspections the party receives per year"
)


def _tightest_ceiling(evaluation: TreatyEvaluation, party: str) -> tuple[str, float] | None:
    pe = evaluation.parties.get(party)
    if pe is None:
        return None
    best: tuple[str, float] | None = None
    for lid, res in pe.limits.items():
        if (
            res.quantity == "deployed_warheads"
            and res.ceiling is not None
            and (best is None or res.ceiling.value < best[1])
        ):
            best = (lid, res.ceiling.value)
    return best


def upload_missiles(posture: Posture, extra_warheads: int) -> tuple[int, list[str]] | str:
    """Fewest deployed ICBMs/SLBMs that carry ``extra_warheads`` more at maximum loading.

    Returns (missiles, systems used), or a reason string where the per-missile loading is
    not public or the room is too small.
    """
    legs = {
        h.category
        for h in posture.systems
        if h.level == "leg" and h.warheads_loaded is not None and h.warheads_loaded.value > 0
    }
    room: list[tuple[float, int, str]] = []
    for h in posture.systems:
        if h.category not in ("icbm", "slbm") or h.level != "system":
            continue
        if h.category in legs:
            return f"{posture.party}'s {h.category.upper()} warheads are public only per leg"
        n, loaded, top = h.deployed_launchers, h.warheads_loaded, h.warheads_per_launcher_max
        if n is None or loaded is None or top is None:
            return f"{posture.party}'s loading of {h.system_id} is not public"
        if n.value <= 0:
            continue
        per = top.value - loaded.value / n.value
        if per > 0:
            room.append((per, int(n.value), h.system_id))
    missiles, left, used = 0, float(extra_warheads), []
    for per, count, sid in sorted(room, reverse=True):
        take = min(count, math.ceil(left / per - 1e-9))
        missiles += take
        left -= take * per
        used.append(sid)
        if left <= 1e-9:
            return missiles, used
    return f"{posture.party} cannot upload {extra_warheads} warheads onto its deployed missiles"


@dataclass(frozen=True)
class PartyVerification:
    """Inspections a party needs to receive for 95 % detection of a 10 % upload excess.

    ``assessable`` is False (with ``reason``) where the ceiling, the loading or the missile
    count is not public. ``inspections_needed`` is None where no number of inspections of the
    declared missiles reaches the confidence.
    """

    assessable: bool
    quota_type_one_per_year: int
    reason: str | None = None
    ceiling_limit: str | None = None
    ceiling_warheads: float | None = None
    excess_warheads: int | None = None
    upload_systems: list[str] = field(default_factory=list)
    violating_missiles: int | None = None
    declared_missiles: int | None = None
    p_notice: float | None = None
    inspections_needed: int | None = None
    inspections_needed_range: tuple[int | None, int | None] | None = None
    detection_probability: float | None = None
    quota_reaches: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.inspections_needed_range is not None:
            d["inspections_needed_range"] = list(self.inspections_needed_range)
        return d


@dataclass(frozen=True)
class VerificationColumn:
    """Per party :class:`PartyVerification`, with the rule and the treaty's quota."""

    quota_type_one_per_year: int
    parties: dict[str, PartyVerification]
    rule: str = RULE
    excess_fraction: float = EXCESS_FRACTION
    confidence: float = CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "excess_fraction": self.excess_fraction,
            "confidence": self.confidence,
            "quota_type_one_per_year": self.quota_type_one_per_year,
            "parties": {k: v.to_dict() for k, v in self.parties.items()},
        }


def _party_column(evaluation: TreatyEvaluation, posture: Posture, quota: int) -> PartyVerification:
    party = posture.party
    ceiling = _tightest_ceiling(evaluation, party)
    if ceiling is None:
        return PartyVerification(False, quota, reason="no deployed-warhead ceiling for this party")
    lid, cap = ceiling
    extra = max(1, math.ceil(EXCESS_FRACTION * cap - 1e-9))
    known = PartyVerification(
        False, quota, ceiling_limit=lid, ceiling_warheads=cap, excess_warheads=extra
    )
    missiles = declared_missiles(posture)
    upload = upload_missiles(posture, extra)
    if isinstance(upload, str) or missiles is None:
        reason = upload if isinstance(upload, str) else f"{party}'s deployed missiles not public"
        return replace(known, reason=reason)
    d, systems = upload
    n_items = round(missiles.value)
    p = DEFAULT_ASSUMPTIONS["rv_notice_probability"].default
    plan = inspections_needed(n_items, min(d, n_items), CONFIDENCE, p)
    needed = plan.inspections_needed
    span = None
    if not missiles.is_exact:
        lo = inspections_needed(round(missiles.low), min(d, round(missiles.low)), CONFIDENCE, p)
        hi = inspections_needed(round(missiles.high), d, CONFIDENCE, p)
        span = (lo.inspections_needed, hi.inspections_needed)
    return replace(
        known,
        assessable=True,
        upload_systems=systems,
        violating_missiles=d,
        declared_missiles=n_items,
        p_notice=p,
        inspections_needed=needed,
        inspections_needed_range=span,
        detection_probability=plan.detection_probability,
        quota_reaches=needed is not None and needed <= quota,
    )


def verification_column(
    treaty: Treaty, evaluation: TreatyEvaluation, postures: dict[str, Posture]
) -> VerificationColumn:
    """Per party: inspections per year for 95 % detection of a 10 % excess, and the quota.

    The rule is in the module docstring and in :attr:`VerificationColumn.rule`.
    """
    quota = int(treaty.verification.inspections_per_year.get("type_one", 0))
    parties = {
        party: _party_column(evaluation, postures[party], quota)
        for party in treaty.parties
        if party in postures
    }
    return VerificationColumn(quota, parties)
