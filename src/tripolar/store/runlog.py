"""Saving analysis runs to the store, so that every figure can be traced and reproduced.

Commands call :func:`save_run` after the analysis has finished: inputs (options, treaty
and posture content hashes), the dataset edition and the result go in one transaction.
Bad input raises before anything is computed, so nothing reaches the store then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tripolar.data import Dataset
from tripolar.forces import Posture
from tripolar.treaty.schema import Treaty


@dataclass(frozen=True)
class SavedRun:
    """Where a run was saved: its id and the store's printable location."""

    id: int
    location: str


def save_run(
    command: str,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    *,
    dataset: Dataset,
    treaties: Iterable[Treaty] = (),
    postures: Iterable[Posture] = (),
    store: str | Path | None = None,
    status: str = "ok",
    started_at: datetime | None = None,
) -> SavedRun:
    """Record one finished run; returns its id and the store it went to.

    ``started_at`` (timezone-aware) is when the command started, so that the recorded
    duration is the analysis's, not the database write's; default: now.
    """
    from tripolar.store import content_hash, open_store

    treaties = list(treaties)
    postures = list(postures)
    full_inputs = dict(inputs)
    full_inputs["treaties"] = {t.id: content_hash(t.model_dump(mode="json")) for t in treaties}
    full_inputs["postures"] = {
        f"{p.party}@{p.date.isoformat()}": content_hash(p.model_dump(mode="json")) for p in postures
    }
    with (
        open_store(store) as st,
        st.run(command, full_inputs, dataset_hash=ds_hash(dataset)) as run,
    ):
        if started_at is not None:
            if started_at.tzinfo is None:
                raise ValueError("started_at must be timezone-aware")
            run.started_at = started_at
        run.add_dataset_edition(
            dataset.content_hash,
            "bundled" if dataset.overlay is None else f"bundled+{dataset.overlay}",
            dataset.files,
        )
        for t in treaties:
            run.add_treaty(t.id, t.model_dump_json(indent=2))
        for p in postures:
            run.add_posture(p.party, p.date, p.model_dump_json(indent=2))
        run.outputs = outputs
        run.status = status
        location = st.location
    assert run.id is not None
    return SavedRun(run.id, location)


def ds_hash(dataset: Dataset) -> str:
    return dataset.content_hash
