"""Load on the web app (prints figures, targets and whether each is met; asserts nothing).

Starts ``tripolar serve`` on 127.0.0.1 (a subprocess, on a throwaway store) and drives it
from this process with ``USERS`` concurrent users, each on its own keep-alive connection:
p50/p95 latency of a forces page, a count request and a cached evaluation, then the time of
uncached evaluations through the web (``POST /api/evaluate?wait=true``, a new seed each
time) against the same evaluations through the Python API in this process (the baseline,
measured in the same run, interleaved with the web ones).

The client is a small HTTP/1.1 client on asyncio streams: the requests are encoded once and
each answer is read by its Content-Length, so that the figures are the server's latency and
not the client's own parsing (an httpx client costs more CPU per request than the cached
answers do). On a machine with two or more CPUs the server is pinned to the last CPU and
the client to the others, so that they do not take turns on one core; for the uncached
evaluations (one request at a time) this process moves to the server's CPU, so that the web
and the API evaluation run on the same core. Each scenario starts with ``WARMUP`` requests
that are not counted, then runs at most ``REQUESTS`` requests or ``MAX_S`` seconds. Every
answer of a scenario must be the same bytes (the caches serve what was computed); a
different answer or a status other than the expected one stops the run.

Targets (issue 12): page and count p95 < 100 ms, cached evaluation p95 < 50 ms, uncached
evaluation at most 20% slower than the API. Run with ``python benchmarks/web_load.py``;
``make bench`` runs it with the other benchmarks. The load average is printed before and
after, since the figures depend on what else the machine is doing.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from summary import emit

USERS = 20
WARMUP = 100
REQUESTS = 2000
MAX_S = 20.0
SAMPLES = 1000
REPEATS = 5


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def _encode(
    method: str, path: str, port: int, body: object = None, headers: dict[str, str] | None = None
) -> bytes:
    """One HTTP/1.1 request, encoded once and sent as many times as the scenario runs."""
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + data


async def _answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one answer on a keep-alive stream."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        if line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    if status in (204, 304):
        return status, headers, b""
    if "content-length" in headers:
        return status, headers, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                return status, headers, b"".join(p[:-2] for p in parts)
    raise RuntimeError(f"answer without a length: {status_line}")


async def _load(port: int, raw: bytes | list[bytes], expect: int) -> tuple[list[float], float]:
    """Latencies (s) of the counted requests and the wall time of the counted phase.

    ``raw``: one request sent every time (every answer must be the same bytes), or one
    request per send (``WARMUP + REQUESTS`` of them)."""
    times: list[float] = []
    first: list[bytes] = []
    left = WARMUP + REQUESTS
    counted = asyncio.Event()
    deadline = [time.perf_counter() + MAX_S]
    start = [0.0]

    async def user() -> None:
        nonlocal left
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while left > 0 and time.perf_counter() < deadline[0]:
                left -= 1
                warm = left >= REQUESTS
                t0 = time.perf_counter()
                writer.write(raw if isinstance(raw, bytes) else raw[left])
                status, _, body = await _answer(reader)
                dt = time.perf_counter() - t0
                if status != expect:
                    raise RuntimeError(f"status {status}, expected {expect}: {body[:200]!r}")
                if isinstance(raw, bytes):  # the same request: the same answer
                    if not first:
                        first.append(body)
                    elif body != first[0]:
                        raise RuntimeError("two answers to the same request differ")
                if not warm:
                    if not counted.is_set():
                        counted.set()
                        start[0] = time.perf_counter()
                        deadline[0] = start[0] + MAX_S
                    times.append(dt)
        finally:
            writer.close()

    await asyncio.gather(*(user() for _ in range(USERS)))
    return times, time.perf_counter() - start[0]


def _new_treaties(treaty: dict[str, Any], port: int) -> list[bytes]:
    """Count requests of ``WARMUP + REQUESTS`` different treaties (the first ceiling
    changed, as a user changes the builder's form), none counted before."""
    out = []
    for i in range(WARMUP + REQUESTS):
        t = json.loads(json.dumps(treaty))
        t["limits"][0]["ceiling"] = 10_000 + i
        out.append(_encode("POST", "/api/count", port, t))
    return out


def _api_evaluation(treaty: object, seed: int) -> float:
    """The web evaluation's work through the Python API (:func:`service.evaluation_view`
    calls the same two functions), timed in this process."""
    from tripolar.assessment.core import assess
    from tripolar.context import EvaluationContext
    from tripolar.stability.run import run_stability

    ctx = EvaluationContext(samples=SAMPLES, seed=seed)
    t0 = time.perf_counter()
    run_stability(treaty, context=ctx)  # type: ignore[arg-type]
    assess(ctx, treaties=[treaty], columns=("verification", "negotiation"))  # type: ignore[list-item]
    return time.perf_counter() - t0


def _cpu_s(pid: int) -> float | None:
    """CPU time (user + system, s) used so far by process ``pid`` (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pin(server_pid: int) -> str:
    """Server on the last CPU, this process on the others (Linux; else no pinning)."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return "not pinned (one CPU)"
    os.sched_setaffinity(server_pid, {cpus[-1]})
    os.sched_setaffinity(0, set(cpus[:-1]))
    return f"server on CPU {cpus[-1]}, client on {','.join(map(str, cpus[:-1]))}"


async def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"tripolar serve exited: {err.strip()}")
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.write(_encode("GET", "/api/treaties", port))
        status, _, _ = await _answer(reader)
        writer.close()
        if status == 200:
            return
    raise RuntimeError("tripolar serve did not answer within 60 s")


async def _once(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        return await _answer(reader)
    finally:
        writer.close()


def _row(
    name: str, value: str, target: str, met: bool, n: str = "", p50: str = ""
) -> dict[str, Any]:
    return {
        "scenario": name,
        "requests": n,
        "rate": "",
        "cpu": "",
        "p50": p50,
        "value": value,
        "target": target,
        "met": met,
    }


async def run() -> list[dict[str, Any]]:
    """Run every scenario; the rows of the table (also printed by :func:`main`)."""
    from tripolar.treaty import load_treaty

    treaty = load_treaty("tri-equal-1000")
    tj = treaty.model_dump(mode="json")
    port = _port()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TRIPOLAR_WEB_SECRET": "bench"}
        exe = Path(sys.executable).with_name("tripolar")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "tripolar.cli.main"]
        proc = subprocess.Popen(
            [*cmd, "serve", "--port", str(port), "--store", str(Path(tmp) / "s.sqlite")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            pinned = _pin(proc.pid)
            await _wait_ready(port, proc)
            forces = _encode("GET", "/forces?state=US&year=2025", port)
            _, fh, _ = await _once(port, forces)
            cached_body = {"treaty": tj, "samples": SAMPLES, "seed": 1}
            status, _, _ = await _once(
                port, _encode("POST", "/api/evaluate?wait=true", port, cached_body)
            )
            if status != 200:
                raise RuntimeError(f"the first evaluation answered {status}")
            print(
                f"web load: {USERS} concurrent users (keep-alive), {WARMUP} warm-up requests, "
                f"then at most {REQUESTS} requests or {MAX_S:.0f} s per scenario; "
                f"{os.cpu_count()} CPUs, {pinned}; load average {_loadavg()}"
            )
            scenarios: list[tuple[str, bytes | list[bytes], int, float]] = [
                ("forces page", forces, 200, 100),
                ("count request", _encode("POST", "/api/count", port, tj), 200, 100),
                ("count, a new treaty each time", _new_treaties(tj, port), 200, 100),
                (
                    "cached evaluation",
                    _encode("POST", "/api/evaluate", port, cached_body),
                    200,
                    50,
                ),
            ]
            if "etag" in fh:
                revalidate = _encode(
                    "GET", "/forces?state=US&year=2025", port, headers={"If-None-Match": fh["etag"]}
                )
                scenarios.insert(1, ("forces page, revalidated (304)", revalidate, 304, 100))
            for name, raw, expect, target in scenarios:
                cpu0 = _cpu_s(proc.pid)
                ts, wall = await _load(port, raw, expect)
                cpu1 = _cpu_s(proc.pid)
                p95 = 1000 * _pct(ts, 0.95)
                rows.append(
                    _row(
                        name,
                        f"p95 {p95:.1f} ms",
                        f"p95 < {target:g} ms",
                        p95 < target,
                        f"{len(ts)}",
                        f"{1000 * _pct(ts, 0.5):.1f} ms",
                    )
                )
                rows[-1]["rate"] = f"{len(ts) / wall:.0f}"
                if cpu0 is not None and cpu1 is not None:
                    # the server's CPU time per answer, warm-up answers included
                    rows[-1]["cpu"] = f"{1000 * (cpu1 - cpu0) / (len(ts) + WARMUP):.2f}"
            web, api = [], []
            # One request at a time: this process waits while the server evaluates, so both
            # evaluations run on the server's CPU, and a busy other CPU slows neither alone.
            if hasattr(os, "sched_getaffinity"):
                os.sched_setaffinity(0, os.sched_getaffinity(proc.pid))
            _api_evaluation(treaty, 99)  # warm the API path in this process
            for k in range(REPEATS):
                # a new seed each time (not in the store); web and API in turns, so that a
                # busy moment of the machine falls on both alike
                body = {"treaty": tj, "samples": SAMPLES, "seed": 1000 + k}
                if k % 2:
                    api.append(_api_evaluation(treaty, 1000 + k))
                t0 = time.perf_counter()
                status, _, text = await _once(
                    port, _encode("POST", "/api/evaluate?wait=true", port, body)
                )
                web.append(time.perf_counter() - t0)
                if status != 200 or json.loads(text)["cached"] is not False:
                    raise RuntimeError(f"the uncached evaluation answered {status}")
                if not k % 2:
                    api.append(_api_evaluation(treaty, 1000 + k))
            w, a = statistics.median(web), statistics.median(api)
            rows.append(
                _row(
                    f"uncached evaluation ({SAMPLES} samples)",
                    f"ratio {w / a:.2f}",
                    "ratio <= 1.20",
                    w / a <= 1.2,
                    f"{REPEATS}",
                    f"web {w:.2f} s, API {a:.2f} s",
                )
            )
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return rows


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> list[dict[str, Any]]:
    rows = asyncio.run(run())
    print(
        f"{'scenario':<32}{'requests':>9}{'req/s':>7}{'CPU ms':>8}  {'p50 / times':<24}"
        f"{'figure':<15}{'target':<16}met"
    )
    for r in rows:
        print(
            f"{r['scenario']:<32}{r['requests']:>9}{r['rate']:>7}{r['cpu']:>8}  {r['p50']:<24}"
            f"{r['value']:<15}{r['target']:<16}{'met' if r['met'] else 'NOT MET'}"
        )
    print("CPU ms: the server's CPU time per answer; req/s: answers per second at that load")
    print(f"load average after: {_loadavg()}")
    for r in rows:
        emit("web_load", str(r["scenario"]), str(r["value"]), str(r["target"]), bool(r["met"]))
    return rows


if __name__ == "__main__":
    main()
