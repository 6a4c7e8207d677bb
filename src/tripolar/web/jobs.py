"""Background evaluations with progress, and the store-backed result cache.

An evaluation is looked up in the store by the content hash of its inputs
(:func:`tripolar.web.service.evaluation_key`); a miss runs in a worker thread whose
progress the page polls, and the finished result is written to the store, so the same
evaluation is served at once the next time (also after a restart). Other long work (the
re-run of a stored ``assess`` run) runs as a job too, with ``keep=False``: its result is
not an evaluation and is not cached.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from tripolar.store.rooms import cache_get, cache_put
from tripolar.store.store import Store

#: Jobs remembered in memory (finished results are in the store anyway).
MAX_JOBS = 256


@dataclass
class Job:
    id: str
    key: str
    status: str = "running"  # running, done, error
    progress: float = 0.0
    step: str = "queued"
    error: str | None = None
    result: dict[str, Any] | None = field(default=None, repr=False)

    def to_dict(self, with_result: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "job": self.id,
            "key": self.key,
            "status": self.status,
            "progress": self.progress,
            "step": self.step,
            "error": self.error,
        }
        if with_result and self.status == "done":
            out["result"] = self.result
        return out


class Jobs:
    def __init__(self, store: Store, workers: int = 2) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tripolar-eval")
        self._jobs: dict[str, Job] = {}
        self._by_key: dict[str, Job] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> dict[str, Any] | None:
        return cache_get(self.store, key)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def submit(
        self,
        key: str,
        inputs: dict[str, Any],
        compute: Callable[[Callable[[float, str], None]], dict[str, Any]],
        *,
        keep: bool = True,
    ) -> Job:
        """Start ``compute(progress)`` unless the job of ``key`` is already running; with
        ``keep``, the result is written to the evaluation cache under ``key``."""
        with self._lock:
            running = self._by_key.get(key)
            if running is not None and running.status == "running":
                return running
            job = Job(secrets.token_urlsafe(12), key)
            self._jobs[job.id] = job
            self._by_key[key] = job
            while len(self._jobs) > MAX_JOBS:
                old = next(iter(self._jobs))
                self._by_key.pop(self._jobs.pop(old).key, None)
        self._pool.submit(self._run, job, inputs, compute, keep)
        return job

    def run_now(
        self,
        key: str,
        inputs: dict[str, Any],
        compute: Callable[[Callable[[float, str], None]], dict[str, Any]],
    ) -> dict[str, Any]:
        result = compute(lambda f, s: None)
        cache_put(self.store, key, "evaluation", inputs, result)
        return result

    def _run(
        self,
        job: Job,
        inputs: dict[str, Any],
        compute: Callable[[Callable[[float, str], None]], dict[str, Any]],
        keep: bool = True,
    ) -> None:
        def progress(f: float, step: str) -> None:
            job.progress, job.step = f, step

        try:
            result = compute(progress)
            if keep:
                cache_put(self.store, job.key, "evaluation", inputs, result)
            job.result = result
            job.progress, job.step, job.status = 1.0, "done", "done"
        except Exception as exc:  # a failed job reports its error instead of vanishing
            job.status, job.error = "error", str(exc).splitlines()[0] if str(exc) else repr(exc)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
