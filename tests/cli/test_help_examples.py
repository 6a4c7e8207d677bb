"""Every command's --help shows an example, and every example works as written.

The examples of all commands run in one fresh directory that holds links to the
repository's ``src`` and ``examples`` folders (as from the repository root), in the order
the commands are registered, so that later examples use the files earlier ones wrote
(``escrow commit`` before ``escrow reveal``); they run in this process (one start-up for
all), with a throwaway store.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tripolar.cli.main import app, main

ROOT = Path(__file__).resolve().parents[2]
HEADING = re.compile(r"^\s*Examples?( \(.*\))?:\s*$")
#: Exit statuses an example may give: 0, and for ``check`` the verdicts 1 (a limit exceeded)
#: and 3 (undetermined); never 2 (bad input or usage).
ALLOWED = {"check": {0, 1, 3}}
#: Commands whose examples are shown but not run here, and why (each is run elsewhere).
NOT_RUN = {
    ("serve",): "runs until stopped; tests/web starts the app",
    ("sweep", "run"): "takes minutes on a LocalCluster; tests/sweep runs a small sweep",
    ("sweep", "show"): "needs a finished sweep; tests/sweep",
    ("sweep", "report"): "needs a finished sweep; tests/sweep",
}


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    subs = getattr(cmd, "commands", None)
    if subs is None:
        yield path
        return
    if path and getattr(cmd, "invoke_without_command", False):
        yield path  # a group that is also a command (``tripolar runs``)
    for name, sub in subs.items():
        if not getattr(sub, "hidden", False):
            yield from _commands(sub, (*path, name))


def _help(path: tuple[str, ...]) -> str:
    res = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "250", "NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    return res.output


def examples_in(help_text: str) -> list[str]:
    """The example command lines of a --help text (a trailing backslash continues a line)."""
    out: list[str] = []
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        if not HEADING.match(line):
            continue
        pending = ""
        for ex in lines[i + 1 :]:
            text = ex.strip()
            if not text:
                break
            if text.endswith("\\"):
                pending += text[:-1].strip() + " "
                continue
            out.append(pending + text)
            pending = ""
    return out


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_help_example_parser() -> None:
    text = " Do X.\n\n Examples:\n tripolar a --b \\\n   --c d\n tripolar e\n\n more\n"
    assert examples_in(text) == ["tripolar a --b --c d", "tripolar e"]
    assert examples_in(" Example (keep it): \n tripolar f\n") == ["tripolar f"]
    assert examples_in(" no examples here\n") == []


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_an_example(path: tuple[str, ...]) -> None:
    found = examples_in(_help(path))
    assert found, f"`tripolar {' '.join(path)} --help` shows no Example(s): section"
    assert any(f"tripolar {' '.join(path)}" in ex for ex in found)


def test_help_shows_no_bool_type_for_flags() -> None:
    for path in COMMANDS:
        text = _help(path)
        assert "<bool>" not in text, path
        assert "<list[" not in text, path


def _run(line: str) -> tuple[int, str]:
    """Run one example line in this process: ``tripolar ARGS [> FILE]`` or ``cp A B``.

    In-process, so that the dataset and the models load once for all the examples; the
    argument list is the line's, split as the shell splits it.
    """
    words = shlex.split(line)
    out_file = None
    if ">" in words:
        k = words.index(">")
        words, out_file = words[:k], words[k + 1]
    if words[0] == "cp":
        shutil.copyfile(words[1], words[2])
        return 0, ""
    assert words[0] == "tripolar", line
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(words[1:])
        except Exception:
            code = -1
            err.write(traceback.format_exc())
    if out_file is not None:
        Path(out_file).write_text(out.getvalue(), encoding="utf-8")
    return code, err.getvalue()


def test_every_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("src", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    for key in [k for k in os.environ if k.startswith("TRIPOLAR_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TRIPOLAR_STORE", str(tmp_path / "store.sqlite"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    failures = []
    ran = 0
    for path in COMMANDS:
        if path in NOT_RUN:
            continue
        allowed = ALLOWED.get(path[0], {0})
        for ex in examples_in(_help(path)):
            code, err = _run(ex)
            ran += 1
            if code not in allowed or "Traceback" in err:
                failures.append(f"{ex!r}: exit {code}: {err.strip()[-600:]}")
    assert not failures, "\n".join(failures)
    assert ran > len(COMMANDS)
    assert (tmp_path / "assessment.json").stat().st_size > 0
