"""Client of the crash tests' fork server (``crash_forker.py``) and their tally."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

FORKER = Path(__file__).with_name("crash_forker.py")

#: command -> {"kills": n, "survived": n, "finished": n, "temp_left": n}, filled by the tests.
RESULTS: dict[str, dict[str, int]] = {}
#: command -> what the kills left behind (outputs, store) -> how many kills.
STATES: dict[str, Counter[str]] = {}


class Forker:
    """Client of ``crash_forker.py``: start, poll, wait for children that run the CLI."""

    def __init__(self, env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, str(FORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        ready = self._read()
        assert ready == {"ready": True}, ready

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        assert line, "the fork server died"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _ask(self, **request: Any) -> dict[str, Any]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        return self._read()

    def start(self, argv: list[str], cwd: Path, env: dict[str, str]) -> int:
        answer = self._ask(
            op="run",
            argv=argv,
            cwd=str(cwd),
            env=env,
            stdout=str(cwd / "stdout.txt"),
            stderr=str(cwd / "stderr.txt"),
        )
        return int(answer["pid"])

    def poll(self, pid: int) -> dict[str, Any] | None:
        answer = self._ask(op="poll", pid=pid)
        return None if answer.get("running") else answer

    def wait(self, pid: int) -> dict[str, Any]:
        return self._ask(op="wait", pid=pid)

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=30)


def summary() -> str:
    """Two lines: kills per command and how many survived; what the kills left behind."""
    if not RESULTS:
        return ""
    kills = sum(r["kills"] for r in RESULTS.values())
    survived = sum(r["survived"] for r in RESULTS.values())
    per = "; ".join(
        f"{cmd} {r['kills']} kills, {r['survived']} survived, "
        f"{r['finished']} finished before the kill, {r['temp_left']} temp files left"
        for cmd, r in RESULTS.items()
    )
    left = "; ".join(
        f"{cmd}: " + ", ".join(f"{what} x{n}" for what, n in sorted(states.items()))
        for cmd, states in STATES.items()
    )
    return (
        f"crash suite: {kills} SIGKILLs, {survived} survived ({per})\n"
        f"crash suite: what the kills left: {left}"
    )
