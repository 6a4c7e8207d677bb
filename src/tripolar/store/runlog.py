"""Saving analysis runs to the store, so that every figure can be traced and reproduced.

Commands call :func:`save_run` after the analysis has finished: inputs (options, treaty
and posture content hashes), the dataset edition and the result go in one transaction.
Bad input raises before anything is computed, so nothing reaches the store then.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tripolar.data import Dataset
from tripolar.forces import Posture
from tripolar.treaty.schema import Treaty


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
) -> int | None:
    """Record one finished run; returns its id."""
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
    return run.id


def ds_hash(dataset: Dataset) -> str:
    return dataset.content_hash
