"""The tripolar store: dataset editions, treaty and posture texts, and every analysis run.

A run keeps its command, inputs (and their content hash), outputs, tool version and
times, so any figure can be traced to the run that produced it and reproduced.

    from tripolar.store import open_store

    store = open_store()                      # $TRIPOLAR_STORE or the per-user file
    with store.run("assess", inputs, dataset_hash=edition_hash) as run:
        run.outputs = result.to_dict()
    print(run.id)

The default backend is an embedded SQLite file; any SQLAlchemy URL for SQLite or
PostgreSQL works the same. Opening a store migrates it to the current schema (Alembic).
"""

from __future__ import annotations

from tripolar.store.hashing import canonical_json, content_hash
from tripolar.store.location import STORE_ENV, default_store_path
from tripolar.store.records import (
    DatasetEditionRecord,
    PostureRecord,
    RunRecord,
    RunSummary,
    TreatyRecord,
)
from tripolar.store.store import STATUS_OK, RunHandle, Store, open_store

__all__ = [
    "STATUS_OK",
    "STORE_ENV",
    "DatasetEditionRecord",
    "PostureRecord",
    "RunHandle",
    "RunRecord",
    "RunSummary",
    "Store",
    "TreatyRecord",
    "canonical_json",
    "content_hash",
    "default_store_path",
    "open_store",
]
