"""Transcripts: every block of "real output" in README.md and docs/ comes from its command.

A fenced code block whose first line starts with ``$ `` is a transcript: each ``$ `` line is
a shell command, and the lines after it, up to the next ``$ `` line, are what it prints
(standard output and standard error together, trailing spaces ignored). The commands of one
block run in order in one fresh directory that holds links to the repository's ``src`` and
``examples`` folders, with ``.venv/bin`` first on ``PATH``, a throwaway store, a fixed
terminal width (``COLUMNS=120``) and no colour, so a run id or a table's layout comes out the
same on every machine. Shell pipes are allowed (``| head -n 12`` shows part of a long
output honestly); a bare ``...`` line is not.

Check every block: ``python tests/transcripts.py`` (exit 1 on a difference, which it shows);
regenerate the outputs in place after a change: ``python tests/transcripts.py --update``.
The test ``tests/test_transcripts.py`` runs the check.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("README.md", "docs")
FENCE = re.compile(r"^```[a-z]*\s*$")
TIMEOUT_S = 300
#: ``<!-- transcript: skip (REASON) -->`` on the line before a block: not run, and listed by
#: the test, so that every block not yet checked is named.
SKIP = re.compile(r"^<!-- transcript: skip \((.+)\) -->$")


@dataclass
class Block:
    path: Path
    start: int  # index of the first line inside the fence
    end: int  # index of the closing fence
    steps: list[tuple[str, list[str]]]  # (command, expected output lines)
    skip: str = ""  # why the block is not run (it needs files the docs do not create)


def doc_files() -> list[Path]:
    out = [ROOT / "README.md"]
    out += sorted((ROOT / "docs").glob("*.md"))
    return [p for p in out if p.exists()]


def blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            body = lines[i + 1 : j]
            if body and body[0].startswith("$ "):
                steps: list[tuple[str, list[str]]] = []
                for line in body:
                    if line.startswith("$ "):
                        steps.append((line[2:], []))
                    else:
                        steps[-1][1].append(line.rstrip())
                prev = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
                m = SKIP.match(prev.strip())
                out.append(Block(path, i + 1, j, steps, m.group(1) if m else ""))
            i = j + 1
        else:
            i += 1
    return out


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIPOLAR_", "FORCE_"))}
    env.update(
        PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{Path(sys.executable).parent}"
        f"{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        TRIPOLAR_STORE=str(home / "store.sqlite"),
        COLUMNS="120",
        LINES="200",
        NO_COLOR="1",
        TERM="dumb",
        MPLBACKEND="Agg",
        PYTHONHASHSEED="0",
    )
    env.pop("XDG_DATA_HOME", None)
    return env


def run_block(block: Block) -> list[tuple[str, list[str]]]:
    """Run the block's commands; returns (command, actual output lines) per step."""
    with tempfile.TemporaryDirectory(prefix="tripolar-transcript-") as tmp:
        work = Path(tmp) / "work"
        home = Path(tmp) / "home"
        work.mkdir()
        home.mkdir()
        for name in ("src", "examples"):
            if (ROOT / name).exists():
                (work / name).symlink_to(ROOT / name)
        env = _env(home)
        out = []
        for cmd, _ in block.steps:
            proc = subprocess.run(
                ["bash", "-c", cmd],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
            text = proc.stdout.replace(str(work) + os.sep, "").replace(str(home), "~")
            out.append((cmd, [ln.rstrip() for ln in text.rstrip("\n").splitlines()]))
        return out


def diff(block: Block, actual: list[tuple[str, list[str]]]) -> str:
    """An empty string when the block's outputs are what the commands print."""
    expected = [ln for cmd, lines in block.steps for ln in (f"$ {cmd}", *lines)]
    got = [ln for cmd, lines in actual for ln in (f"$ {cmd}", *lines)]
    if expected == got:
        return ""
    rel = block.path.relative_to(ROOT)
    return "\n".join(
        difflib.unified_diff(
            expected, got, f"{rel}:{block.start + 1} (shown)", "(printed now)", lineterm=""
        )
    )


def update(path: Path) -> int:
    """Rewrite every transcript of ``path`` with what its commands print now."""
    lines = path.read_text(encoding="utf-8").splitlines()
    changed = 0
    for block in reversed(blocks(path)):
        if block.skip:
            continue
        actual = run_block(block)
        if diff(block, actual):
            changed += 1
            new = [ln for cmd, out in actual for ln in (f"$ {cmd}", *out)]
            lines[block.start : block.end] = new
    if changed:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    if "--update" in argv:
        for path in doc_files():
            n = update(path)
            if n:
                print(f"{path.relative_to(ROOT)}: {n} transcript(s) regenerated")
        return 0
    bad = 0
    for path in doc_files():
        for block in blocks(path):
            if block.skip:
                print(f"{path.relative_to(ROOT)}:{block.start + 1}: not checked ({block.skip})")
                continue
            d = diff(block, run_block(block))
            if d:
                bad += 1
                print(d)
    print(f"{bad} transcript(s) differ" if bad else "every transcript matches")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
