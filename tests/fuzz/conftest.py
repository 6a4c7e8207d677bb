"""Print the bad-input campaign's counts at the end of the session (``make fuzz``)."""

from __future__ import annotations

from typing import Any

from fuzzharness import DEFECTS, STATS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not STATS["cases"]:
        return
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(STATS.items()) if k.startswith("exit ") and v)
    terminalreporter.write_line(
        f"fuzz: {STATS['cases']} cases generated; {codes}; "
        f"tracebacks: {STATS['traceback']}, hangs: {STATS['hang']}, "
        f"writes: {STATS['write']}, other defects: "
        f"{sum(STATS[k] for k in ('exit-code', 'not-one-line', 'bad-line', 'unnamed', 'bad-json'))}"
    )
    if DEFECTS:
        seen: dict[str, str] = {}
        for d in DEFECTS:
            lines = d.splitlines()
            key = lines[0].split(":")[0] + (lines[1][-160:] if len(lines) > 1 else "")
            seen.setdefault(key, d)
        terminalreporter.write_line(f"fuzz: {len(DEFECTS)} defects, {len(seen)} distinct:")
        for d in seen.values():
            terminalreporter.write_line(d)
