"""Many processes saving runs at the same moment, to a new store and to an existing one.

Before creation and migration were locked, two processes creating a new SQLite store at
once lost runs ("database is locked", "attempt to write a readonly database"). Here 20
writer processes are released together by one event, each saving a run with the same
dataset edition and treaty text through the public API; every run must be there after.
"""

from __future__ import annotations

import multiprocessing
import queue
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tripolar.errors import InputError
from tripolar.store import locking, open_store
from tripolar.store.location import SQLITE_BUSY_TIMEOUT_MS
from tripolar.store.locking import lock_path

WRITERS = 20
EDITION = "e" * 64
FILES = {"forces.csv": "a" * 64}
TREATY_YAML = "id: new-start\nlimits:\n  deployed_warheads: 1550\n"
# Generous: on 2 busy cores the 20 writers finish in a few seconds.
WAIT_S = 50.0


def _writer(location: str, index: int, start: Any, results: Any) -> None:
    """Save one run once ``start`` is set; report (index, run id, error)."""
    try:
        if not start.wait(WAIT_S):
            raise TimeoutError("start signal never came")
        with (
            open_store(location) as store,
            store.run("assess", {"writer": index}, dataset_hash=EDITION) as run,
        ):
            run.add_dataset_edition(EDITION, "bundled", FILES)
            run.add_treaty("new-start", TREATY_YAML)
            run.outputs = {"writer": index}
        results.put((index, run.id, None))
    except BaseException as exc:
        results.put((index, None, f"{type(exc).__name__}: {exc}"))


def _context() -> Any:
    # fork starts 20 writers in well under a second (tripolar is already imported);
    # elsewhere spawn is the only choice and is slower, but the outcome is the same.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _save_concurrently(location: str) -> list[tuple[int, int | None, str | None]]:
    ctx = _context()
    start = ctx.Event()
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(location, i, start, results)) for i in range(WRITERS)
    ]
    for proc in procs:
        proc.start()
    start.set()
    got: list[tuple[int, int | None, str | None]] = []
    try:
        for _ in procs:
            got.append(results.get(timeout=WAIT_S))
    except queue.Empty:
        pytest.fail(f"only {len(got)} of {WRITERS} writers reported within {WAIT_S:g} s")
    finally:
        for proc in procs:
            proc.join(timeout=WAIT_S)
            if proc.is_alive():
                proc.kill()
    assert all(proc.exitcode == 0 for proc in procs)
    return got


def _check_all_saved(location: str, got: list[tuple[int, int | None, str | None]]) -> None:
    errors = [f"writer {i}: {err}" for i, _, err in got if err is not None]
    assert errors == []
    ids = [run_id for _, run_id, _ in got]
    assert len(set(ids)) == WRITERS
    with open_store(location, create=False) as store:
        runs = store.list_runs(limit=1000)
        assert sorted(r.id for r in runs) == sorted(ids)
        assert sorted(store.get_run(r.id).inputs["writer"] for r in runs) == list(range(WRITERS))
        with store.engine.connect() as conn:
            for table in ("dataset_editions", "treaties"):
                count = conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                assert count == 1, table


@pytest.mark.parametrize("existing", [False, True], ids=["new-store", "existing-store"])
def test_concurrent_writers_lose_no_run(store_url: str, existing: bool) -> None:
    if existing:
        with open_store(store_url) as store:
            assert store.list_runs() == []  # the first read creates the store
    got = _save_concurrently(store_url)
    _check_all_saved(store_url, got)


def test_sqlite_store_is_in_wal_mode_with_a_busy_timeout(store_path: Path) -> None:
    with open_store(store_path) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == SQLITE_BUSY_TIMEOUT_MS
    assert lock_path(store_path).is_file()


def test_creation_waits_for_the_lock_file(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another process holds the lock, nothing is created; the wait is bounded."""
    store_path.parent.mkdir(parents=True)
    monkeypatch.setattr(locking, "LOCK_TIMEOUT_S", 0.2)
    with locking.sqlite_creation_lock(store_path):
        with pytest.raises(InputError, match="lock file") as info:
            open_store(store_path).list_runs()
        assert "\n" not in str(info.value)
        assert not store_path.exists()
    assert open_store(store_path).list_runs() == []
    assert store_path.is_file()
