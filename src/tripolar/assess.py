"""The main job: every built-in trilateral proposal against the latest data, side by side.

For each proposal and each party the assessment gives the accountable numbers under the
proposal's counting rules, the final ceilings, the cut each party would have to make
(negative headroom) or the growth it would be allowed (positive headroom), compliance,
and the party's upload potential (how far it could exceed the limits by loading empty
warhead positions, empty launchers and bombers). Later models add their columns here
through :data:`EXTRA_COLUMNS` hooks (stability, verification, negotiation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tripolar.forces import STATES, Posture, build_posture
from tripolar.treaty import builtin_treaties, evaluate
from tripolar.treaty.compliance import TreatyEvaluation
from tripolar.treaty.schema import Treaty
from tripolar.treaty.upload import UploadResult, upload_potential

#: name -> function(treaty, evaluation, postures) returning a JSON-ready dict per party
#: (or a dict with key "_treaty" for treaty-level figures). Registered by other areas.
ExtraColumn = Callable[[Treaty, TreatyEvaluation, dict[str, Posture]], dict[str, Any]]
EXTRA_COLUMNS: dict[str, ExtraColumn] = {}


@dataclass
class ProposalAssessment:
    treaty: Treaty
    evaluation: TreatyEvaluation
    uploads: dict[str, UploadResult]
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)

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
            "extras": self.extras,
        }


@dataclass
class Assessment:
    """The comparison of all proposals; ``to_dict`` is what ``--json`` prints."""

    year: int
    dataset_hash: str
    proposals: list[ProposalAssessment]
    postures: dict[str, Posture]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "dataset_hash": self.dataset_hash,
            "proposals": [p.to_dict() for p in self.proposals],
            "posture_notes": {k: v.notes for k, v in self.postures.items()},
            "notes": self.notes,
        }

    def to_frame(self):
        import pandas as pd

        rows = []
        for pa in self.proposals:
            df = pa.evaluation.to_frame()
            df.insert(0, "treaty", pa.treaty.id)
            rows.append(df)
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False))


def _register_columns() -> None:
    """Import the areas that add columns to the assessment (each registers itself)."""
    import tripolar.negotiation.assess_column
    import tripolar.stability.assess_column
    import tripolar.verification.assess_column  # noqa: F401


def assess(
    *,
    year: int = 2025,
    treaties: list[Treaty] | None = None,
    data_dir: str | Path | None = None,
    extras: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Assessment:
    """Assess the built-in trilateral proposals (or ``treaties``) against ``year``'s data.

    ``on_progress(treaty_id, index, total)`` is called before each proposal is evaluated.
    """
    from tripolar.data import load_dataset

    ds = load_dataset(data_dir)
    if extras:
        _register_columns()
    chosen = (
        treaties
        if treaties is not None
        else [t for t in builtin_treaties() if t.kind == "proposal"]
    )
    parties = sorted({p for t in chosen for p in t.parties}, key=STATES.index)
    postures = {p: build_posture(p, year, data_dir=data_dir) for p in parties}
    uploads_by_party: dict[str, Any] = {}
    out: list[ProposalAssessment] = []
    for i, t in enumerate(chosen):
        if on_progress is not None:
            on_progress(t.id, i, len(chosen))
        ps = {p: postures[p] for p in t.parties}
        ev = evaluate(t, ps, data_dir=data_dir)
        ups = {p: upload_potential(ps[p], t) for p in t.parties}
        uploads_by_party.update(ups)
        pa = ProposalAssessment(t, ev, ups)
        if extras:
            for name, fn in EXTRA_COLUMNS.items():
                pa.extras[name] = fn(t, ev, ps)
        out.append(pa)
    notes = [
        "Headroom = ceiling - accountable number: negative values are the cuts a party would "
        "have to make, positive values the growth it would be allowed.",
        "Counts carry low/high bands where the sources disagree; '?' marks verdicts that "
        "depend on which estimate is right.",
        "Upload capacity counts launchers and warhead positions only; the reserve column shows "
        "whether the warheads exist (FAS reserve figures; Russia's includes non-strategic).",
    ]
    return Assessment(year, ds.content_hash, out, postures, notes)
