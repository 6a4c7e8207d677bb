"""The main job: every built-in trilateral proposal against the data, side by side.

For each proposal and each party the assessment gives the accountable numbers under the
proposal's counting rules, the final ceilings, the cut each party would have to make
(negative headroom) or the growth it would be allowed (positive headroom), compliance, the
party's upload potential (how far it could exceed the limits by loading empty warhead
positions, empty launchers and bombers), and one typed column per area, each called here
explicitly: stability (:func:`~tripolar.assessment.stability.stability_column`),
verification (:func:`~tripolar.assessment.verification.verification_column`) and
negotiation (:func:`~tripolar.assessment.negotiation.negotiation_column`). Every model gets
the same :class:`~tripolar.context.EvaluationContext` (data, year, seed, samples, rule).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tripolar.assessment.negotiation import NegotiationColumn, negotiation_column
from tripolar.assessment.stability import StabilityColumn, stability_column
from tripolar.assessment.verification import VerificationColumn, verification_column
from tripolar.context import EvaluationContext
from tripolar.forces import STATES, Posture
from tripolar.treaty import builtin_treaties, evaluate
from tripolar.treaty.compliance import TreatyEvaluation
from tripolar.treaty.schema import Treaty
from tripolar.treaty.upload import UploadResult, upload_potential

__all__ = ["COLUMNS", "Assessment", "ProposalAssessment", "assess"]

#: The area columns, in the order the renderers show them.
COLUMNS: tuple[str, ...] = ("stability", "verification", "negotiation")

NOTES: tuple[str, ...] = (
    "Headroom = ceiling - accountable number: negative values are the cuts a party would "
    "have to make, positive values the growth it would be allowed.",
    "Counts carry low/high bands where the sources disagree; '?' marks verdicts that "
    "depend on which estimate is right.",
    "Upload capacity counts launchers and warhead positions only; the reserve column shows "
    "whether the warheads exist (FAS reserve figures; Russia's includes non-strategic).",
)


@dataclass
class ProposalAssessment:
    """One proposal: counts and compliance, upload potential, and each area's column."""

    treaty: Treaty
    evaluation: TreatyEvaluation
    uploads: dict[str, UploadResult]
    stability: StabilityColumn | None = None
    verification: VerificationColumn | None = None
    negotiation: NegotiationColumn | None = None

    def columns(self) -> dict[str, Any]:
        """The area columns that were computed, by name (in :data:`COLUMNS` order)."""
        return {n: getattr(self, n) for n in COLUMNS if getattr(self, n) is not None}

    def to_dict(self) -> dict[str, Any]:
        parties: dict[str, Any] = {}
        for party, pe in self.evaluation.parties.items():
            up = self.uploads.get(party)
            parties[party] = {
                "complies": pe.complies,
                "limits": {k: v.to_dict() for k, v in pe.limits.items()},
                "upload": None
                if up is None
                else {
                    "capacity_warheads": up.capacity.value,
                    "reserve_warheads": None
                    if up.reserve_warheads is None
                    else up.reserve_warheads.value,
                    "limits_after_upload": up.excess(),
                },
            }
        return {
            "treaty": self.treaty.id,
            "name": self.treaty.name,
            "description": " ".join(self.treaty.description.split()),
            "parties": parties,
            "columns": {k: v.to_dict() for k, v in self.columns().items()},
        }


@dataclass
class Assessment:
    """The comparison of all proposals; ``to_dict`` is what ``--json`` prints."""

    context: EvaluationContext
    proposals: list[ProposalAssessment]
    postures: dict[str, Posture]
    notes: tuple[str, ...] = NOTES

    @property
    def year(self) -> int:
        return self.context.year

    @property
    def dataset_hash(self) -> str:
        return self.context.dataset().content_hash

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "dataset_hash": self.dataset_hash,
            "context": self.context.to_dict(),
            "proposals": [p.to_dict() for p in self.proposals],
            "posture_notes": {k: v.notes for k, v in self.postures.items()},
            "notes": list(self.notes),
        }

    def to_frame(self) -> Any:
        """One row per proposal, party and limit (counts with their markers)."""
        import pandas as pd

        rows = []
        for pa in self.proposals:
            df = pa.evaluation.to_frame()
            df.insert(0, "treaty", pa.treaty.id)
            rows.append(df)
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False))


def assess(
    context: EvaluationContext | None = None,
    *,
    treaties: Sequence[Treaty] | None = None,
    year: int | None = None,
    data_dir: str | Path | None = None,
    samples: int | None = None,
    seed: int | None = None,
    columns: Sequence[str] = COLUMNS,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Assessment:
    """Assess the built-in trilateral proposals (or ``treaties``) in one evaluation context.

    ``context`` carries the data, year, seed, samples and force-building rule (default:
    bundled data of 2025, 1,000 samples, seed 1, proportional cuts); ``year``, ``data_dir``,
    ``samples`` and ``seed`` are shorthands that build or change it. ``columns`` names the
    area columns to compute (any of :data:`COLUMNS`; ``()`` for counts only).
    ``on_progress(treaty_id, index, total)`` is called before each proposal is evaluated.
    """
    unknown = sorted(set(columns) - set(COLUMNS))
    if unknown:
        from tripolar.errors import InputError

        raise InputError(
            f"unknown column {unknown[0]!r}", field="columns", expected=", ".join(COLUMNS)
        )
    ctx = context if context is not None else EvaluationContext()
    changes: dict[str, Any] = {
        k: v
        for k, v in (("year", year), ("data_dir", data_dir), ("samples", samples), ("seed", seed))
        if v is not None
    }
    if changes:
        ctx = ctx.with_(**changes)
    chosen = (
        list(treaties)
        if treaties is not None
        else [t for t in builtin_treaties() if t.kind == "proposal"]
    )
    parties = sorted({p for t in chosen for p in t.parties}, key=STATES.index)
    postures = ctx.postures(parties)
    out: list[ProposalAssessment] = []
    for i, t in enumerate(chosen):
        if on_progress is not None:
            on_progress(t.id, i, len(chosen))
        ps = {p: postures[p] for p in t.parties}
        ev = evaluate(t, ps, context=ctx)
        ups = {p: upload_potential(t, ps[p], context=ctx) for p in t.parties}
        pa = ProposalAssessment(t, ev, ups)
        if "stability" in columns:
            pa.stability = stability_column(t, ps, ctx)
        if "verification" in columns:
            pa.verification = verification_column(t, ev, ps)
        if "negotiation" in columns:
            pa.negotiation = negotiation_column(t, ctx)
        out.append(pa)
    return Assessment(ctx, out, postures)
