"""Crash tests: a fork server with tripolar imported, and the suite's summary line.

The summary (kills per command, how many the store and files survived) is printed at the
end of the pytest run, also under ``-q``; docs/reliability.md quotes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import crash_support
import pytest


@pytest.fixture(scope="module")
def forker() -> Iterator[crash_support.Forker]:
    env = dict(os.environ)
    env.pop("TRIPOLAR_STORE", None)  # each run gets its own, in the request
    server = crash_support.Forker(env)
    try:
        yield server
    finally:
        server.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in crash_support.summary().splitlines():
        terminalreporter.write_line(line)
