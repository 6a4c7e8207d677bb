"""Load on the web app (prints figures and ratios; asserts nothing).

Starts ``tripolar serve`` on 127.0.0.1 (a subprocess, on a throwaway store) and drives it
with an async httpx client: p50/p95 latency at 20 concurrent users for a forces page, a
count request and a cached evaluation, then the time of uncached evaluations through the
web (``POST /api/evaluate?wait=true``, a new seed each time) against the same evaluations
through the Python API in this process (baseline measured in the same run). Bounded: at
most ``REQUESTS`` requests and ``MAX_S`` seconds per scenario.

Targets (issue 12): page and count p95 < 100 ms, cached evaluation p95 < 50 ms, uncached
evaluation at most 20% slower than the API. Run with ``python benchmarks/web_load.py``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

USERS = 20
REQUESTS = 400
MAX_S = 30.0
SAMPLES = 1000
REPEATS = 3


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


async def _load(
    client: httpx.AsyncClient, method: str, url: str, body: object = None
) -> list[float]:
    times: list[float] = []
    left = REQUESTS
    deadline = time.perf_counter() + MAX_S

    async def user() -> None:
        nonlocal left
        while left > 0 and time.perf_counter() < deadline:
            left -= 1
            t0 = time.perf_counter()
            r = await client.request(method, url, json=body)
            times.append(time.perf_counter() - t0)
            r.raise_for_status()

    await asyncio.gather(*(user() for _ in range(USERS)))
    return times


def _api_evaluation(treaty: object, seed: int) -> float:
    from tripolar.assessment.core import assess
    from tripolar.context import EvaluationContext
    from tripolar.stability.run import run_stability

    ctx = EvaluationContext(samples=SAMPLES, seed=seed)
    t0 = time.perf_counter()
    run_stability(treaty, context=ctx)
    assess(ctx, treaties=[treaty], columns=("verification", "negotiation"))  # type: ignore[list-item]
    return time.perf_counter() - t0


async def main() -> None:
    from tripolar.treaty import load_treaty

    treaty = load_treaty("tri-equal-1000")
    tj = treaty.model_dump(mode="json")
    port = _port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TRIPOLAR_WEB_SECRET": "bench"}
        exe = Path(sys.executable).with_name("tripolar")
        proc = subprocess.Popen(
            [str(exe), "serve", "--port", str(port), "--store", str(Path(tmp) / "s.sqlite")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            limits = httpx.Limits(max_connections=USERS, max_keepalive_connections=USERS)
            async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as c:
                for _ in range(300):
                    try:
                        if (await c.get("/api/treaties")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                # warm: dataset, postures and one evaluation in the server
                await c.get("/forces?state=US&year=2025")
                await c.post("/api/count", json=tj)
                cached_body = {"treaty": tj, "samples": SAMPLES, "seed": 1}
                await c.post("/api/evaluate?wait=true", json=cached_body)
                print(
                    f"web load: {USERS} concurrent users, at most {REQUESTS} requests or "
                    f"{MAX_S:.0f} s per scenario, {os.cpu_count()} CPUs"
                )
                print(f"{'scenario':<28}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'target':>10}")
                for name, method, url, body, target in (
                    ("forces page", "GET", "/forces?state=US&year=2025", None, 100),
                    ("count request", "POST", "/api/count", tj, 100),
                    ("cached evaluation", "POST", "/api/evaluate", cached_body, 50),
                ):
                    ts = await _load(c, method, url, body)
                    p95 = 1000 * _pct(ts, 0.95)
                    print(
                        f"{name:<28}{len(ts):>9}{1000 * _pct(ts, 0.5):>9.1f}{p95:>9.1f}"
                        f"{'< ' + str(target):>10}  {'ok' if p95 < target else 'MISSED'}"
                    )
                _api_evaluation(treaty, 99)  # warm the API path in this process
                web, api = [], []
                for k in range(REPEATS):
                    body = {"treaty": tj, "samples": SAMPLES, "seed": 1000 + k}
                    t0 = time.perf_counter()
                    r = await c.post("/api/evaluate?wait=true", json=body)
                    web.append(time.perf_counter() - t0)
                    assert r.json()["cached"] is False
                    api.append(_api_evaluation(treaty, 1000 + k))
                w, a = statistics.median(web), statistics.median(api)
                print(
                    f"uncached evaluation ({SAMPLES} samples, median of {REPEATS}): "
                    f"web {w:.2f} s, Python API {a:.2f} s, ratio {w / a:.2f} "
                    f"(target <= 1.20: {'ok' if w / a <= 1.2 else 'MISSED'})"
                )
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
