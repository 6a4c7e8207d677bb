"""Running a sweep on Dask, one Parquet file per chunk, resumable.

The driver submits one task per chunk not yet written (``retries``: a chunk lost with a
killed worker is recomputed elsewhere; it is pure, so the result is the same). Each task
returns its chunk as Parquet bytes and the driver writes them with
:func:`tripolar.io_write.write_atomic` (a temporary file renamed over the target), so the
results folder only ever holds whole chunks: a driver killed at any moment leaves whole
chunks, and the next run of the same file computes only the missing ones. Results go to the
driver's disk, so a remote cluster needs no shared file system.

The results folder holds ``sweep.json`` (the sweep file as validated, its hash and chunk
count) and ``chunk-NNNNNN.parquet``; a folder written for another sweep file is refused.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tripolar.errors import InputError
from tripolar.io_write import write_atomic
from tripolar.sweep.spec import SweepFile, sweep_hash

__all__ = [
    "ChunkDone",
    "SweepRun",
    "chunk_file",
    "chunk_table",
    "default_results_dir",
    "missing_chunks",
    "prepare_results_dir",
    "run_sweep",
    "sweep_id",
]

#: Environment variable naming the folder that holds sweep results (one folder per sweep).
SWEEPS_ENV = "TRIPOLAR_SWEEPS"
MANIFEST = "sweep.json"


def sweep_id(digest: str) -> str:
    """A sweep's id: the first 12 hex digits of its file's hash."""
    return digest[:12]


def sweeps_root() -> Path:
    """``$TRIPOLAR_SWEEPS``, or ``sweeps`` beside the per-user store file."""
    env = os.environ.get(SWEEPS_ENV)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "tripolar" / "sweeps"


def default_results_dir(spec: SweepFile) -> Path:
    return sweeps_root() / f"{spec.name}-{sweep_id(sweep_hash(spec))}"


def chunk_file(results: Path, chunk: int) -> Path:
    return results / f"chunk-{chunk:06d}.parquet"


def chunk_table(spec: SweepFile, chunk: int) -> bytes:
    """Chunk ``chunk`` evaluated and serialised as Parquet (the task a worker runs)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tripolar.sweep.evaluate import evaluate_chunk

    rows = evaluate_chunk(spec, chunk)
    table = pa.Table.from_pylist(rows)
    meta = {b"tripolar.sweep": json.dumps({"hash": sweep_hash(spec), "chunk": chunk}).encode()}
    table = table.replace_schema_metadata(meta)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def _task(spec_json: str, chunk: int) -> tuple[int, bytes, float, float]:
    """One chunk on a worker: its Parquet bytes, wall and CPU seconds (of the worker)."""
    t0, c0 = time.perf_counter(), time.process_time()
    spec = SweepFile.model_validate_json(spec_json)
    data = chunk_table(spec, chunk)
    return chunk, data, time.perf_counter() - t0, time.process_time() - c0


def prepare_results_dir(spec: SweepFile, results: Path) -> None:
    """Create ``results`` with its manifest, or check that it belongs to this sweep."""
    digest = sweep_hash(spec)
    man = results / MANIFEST
    if man.exists():
        try:
            old = json.loads(man.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"unreadable manifest ({exc})", file=man, expected="a tripolar sweep.json"
            ) from exc
        if old.get("hash") != digest:
            raise InputError(
                "the results folder holds another sweep",
                file=results,
                field="--out",
                expected=f"a new folder, or the folder of sweep {sweep_id(digest)}",
            )
        return
    if results.exists() and any(results.iterdir()):
        raise InputError(
            "the folder is not empty and is not a sweep's results",
            file=results,
            field="--out",
            expected="a new or empty folder",
        )
    manifest = {
        "hash": digest,
        "id": sweep_id(digest),
        "name": spec.name,
        "n_points": spec.n_points,
        "n_chunks": spec.n_chunks,
        "sweep": spec.model_dump(mode="json"),
    }
    write_atomic(man, json.dumps(manifest, indent=2, sort_keys=True) + "\n", create_dirs=True)


def missing_chunks(spec: SweepFile, results: Path) -> list[int]:
    return [c for c in range(spec.n_chunks) if not chunk_file(results, c).exists()]


@dataclass(frozen=True)
class ChunkDone:
    """Progress of a run: chunks and points done (of this run and in all)."""

    chunk: int
    points: int
    seconds: float
    done: int
    total: int


@dataclass
class SweepRun:
    """What one run did: the folder, chunks computed and skipped, timings."""

    results: Path
    digest: str
    n_points: int
    n_chunks: int
    computed: list[int] = field(default_factory=list)
    skipped: int = 0
    wall_s: float = 0.0
    task_s: list[float] = field(default_factory=list)
    dashboard: str | None = None
    workers: int = 0

    @property
    def id(self) -> str:
        return sweep_id(self.digest)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "hash": self.digest,
            "results": str(self.results),
            "points": self.n_points,
            "chunks": self.n_chunks,
            "computed": len(self.computed),
            "skipped": self.skipped,
            "wall_s": self.wall_s,
            "task_s_total": sum(self.task_s),
            "workers": self.workers,
            "dashboard": self.dashboard,
        }


def run_sweep(
    spec: SweepFile,
    results: Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    retries: int = 3,
    on_start: Callable[[SweepRun], None] | None = None,
    on_chunk: Callable[[ChunkDone], None] | None = None,
) -> SweepRun:
    """Compute every chunk of ``spec`` not yet in ``results`` on Dask and write it there.

    ``client``: a :class:`distributed.Client` to use; else ``scheduler`` (an address such as
    ``tcp://host:8786``); else a :class:`distributed.LocalCluster` of ``workers`` processes
    (default: the machine's cores) with one thread each, closed at the end.
    """
    prepare_results_dir(spec, results)
    todo = missing_chunks(spec, results)
    run = SweepRun(results, sweep_hash(spec), spec.n_points, spec.n_chunks)
    run.skipped = spec.n_chunks - len(todo)
    t0 = time.perf_counter()
    if not todo:
        if on_start is not None:
            on_start(run)
        return run
    own: list[Any] = []
    try:
        if client is None:
            client = _client(scheduler, workers, own)
        run.dashboard = getattr(client, "dashboard_link", None)
        run.workers = len(client.scheduler_info().get("workers", {}))
        if on_start is not None:
            on_start(run)
        _compute(spec, results, todo, client, retries, run, on_chunk)
    finally:
        for obj in reversed(own):
            obj.close()
    run.wall_s = time.perf_counter() - t0
    return run


def _client(scheduler: str | None, workers: int | None, own: list[Any]) -> Any:
    import logging

    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            c = Client(scheduler, timeout=30)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler ({exc})",
                field="--scheduler",
                expected="the address of a running scheduler, e.g. tcp://host:8786",
            ) from exc
        own.append(c)
        return c
    n = workers if workers is not None else (os.cpu_count() or 1)
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    own.append(cluster)
    c = Client(cluster)
    own.append(c)
    return c


def _compute(
    spec: SweepFile,
    results: Path,
    todo: list[int],
    client: Any,
    retries: int,
    run: SweepRun,
    on_chunk: Callable[[ChunkDone], None] | None,
) -> None:
    from distributed import as_completed

    spec_json = spec.model_dump_json()
    prefix = f"tripolar-sweep-{run.id}"
    futures = [
        client.submit(_task, spec_json, c, key=f"{prefix}-{c}", retries=retries, pure=False)
        for c in todo
    ]
    done = run.skipped
    for fut in as_completed(futures):
        chunk, data, secs, _ = fut.result()
        write_atomic(chunk_file(results, chunk), data)
        fut.release()
        done += 1
        run.computed.append(chunk)
        run.task_s.append(secs)
        if on_chunk is not None:
            lo = chunk * spec.chunk_points
            n = min(spec.chunk_points, spec.n_points - lo)
            on_chunk(ChunkDone(chunk, n, secs, done, spec.n_chunks))
