"""Transcripts: every block of "real output" in README.md and docs/ comes from its command.

A fenced code block whose first line starts with ``$ `` is a transcript: each ``$ `` line is
a shell command, and the lines after it, up to the next ``$ `` line, are what it prints
(standard output and standard error together, trailing spaces ignored). The commands of one
block run in order in one fresh directory that holds links to the repository's ``src`` and
``examples`` folders, with ``.venv/bin`` first on ``PATH``, a throwaway store, a fixed
terminal width (``COLUMNS=120``) and no colour, so a run id or a table's layout comes out the
same on every machine. Shell pipes are allowed (``| head -n 12`` shows part of a long
output honestly); a bare ``...`` line is not. Each ``$ `` line is its own ``bash -c``: a
variable exported on one line is gone on the next, but files stay.

Markers, each an HTML comment on its own line just before the block (several may stack):

``<!-- transcript: skip (REASON) -->``
    The block is not run; the check lists it with its reason, and the test caps how many
    there may be.
``<!-- transcript: continues -->``
    The block runs after the previous transcript of the same page, in the same directory
    and with the same store, so that a walkthrough split by prose (commit, then reveal,
    then verify) reads the files its earlier steps wrote. The chain runs from its first
    block whichever of its blocks is checked.
``<!-- transcript: postgresql -->``
    The chain runs with a throwaway PostgreSQL server of its own (``tests/store/pg_server.py``,
    as the store tests start it): ``PGHOST``, ``PGPORT`` and ``PGUSER`` (its superuser) name
    it, and its client tools (``createdb``, ``createuser``) come first on ``PATH``; it is
    stopped and deleted when the chain ends. Without the server binaries the test skips
    the chain, or fails when ``CI`` is set, as the store tests do.
``<!-- transcript: vary NAME ... (REASON) -->``
    Parts of the output that differ on every run by design (random salts, the clock) are
    masked, in the shown output and in the printed one alike, before they are compared.
    Only the masks named are applied, and only to this block; every other character must
    match. The masks:

    ``digests``
        A run of 16 or more lowercase hex digits (a root, a salted hash, a head, or its
        first 16 digits before ``...``) becomes ``<hex N>``, N counting distinct digests in
        order of first appearance over the whole chain, and a prefix taking the number of
        the digest it starts. So the pattern of equal digests must still match: the root
        that ``escrow commit`` prints must come back in ``commitment.json`` and in the
        bulletin, in the same places as shown.
    ``times``
        A date with a time of day (``2026-11-25 10:04:10Z``, ISO 8601 with ``T``, optional
        fraction and zone) becomes ``<time>``. A date alone is not masked.
    ``durations``
        A decimal number of seconds (``0.004 s``) becomes ``<seconds> s``.
    ``leaf-order``
        In a table (rich's box characters) with a column headed ``index``, that column's
        cells are blanked and the body rows are compared in sorted order: escrow leaves are
        shuffled at commit, so positions and the order of opened items change while the
        items, their sites and verdicts must not.

``tests/test_transcripts.py`` proves the masks narrow: a changed count, site, verdict or
date in a masked block still fails the check.

Check every block: ``python tests/transcripts.py`` (exit 1 on a difference, which it shows);
regenerate the outputs in place after a change: ``python tests/transcripts.py --update``
(the real output is written, unmasked; a block whose only differences are masked is left
as it is), or ``--update FILE ...`` for some pages only. The test
``tests/test_transcripts.py`` runs the check.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FILES = ("README.md", "docs")
FENCE = re.compile(r"^```[a-z]*\s*$")
TIMEOUT_S = 300
MARKER = re.compile(r"^<!-- transcript: (.*) -->$")
SKIP = re.compile(r"^skip \((.+)\)$")
CONTINUES = "continues"
POSTGRESQL = "postgresql"
VARY = re.compile(r"^vary ([a-z -]+?) \((.+)\)$")

_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{16,}(?![0-9A-Za-z])")
_TIME = re.compile(
    r"(?<!\d)\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?(?!\d)"
)
_SECONDS = re.compile(r"(?<![\w.])\d+\.\d+ s(?!\w)")


class MarkerError(ValueError):
    """A transcript marker that cannot be read (unknown mask, a chain with no start)."""


@dataclass
class Block:
    path: Path
    start: int  # index of the first line inside the fence
    end: int  # index of the closing fence
    steps: list[tuple[str, list[str]]]  # (command, expected output lines)
    skip: str = ""  # why the block is not run
    vary: tuple[str, ...] = ()  # the masks applied before comparing (see the module text)
    continues: bool = False  # runs after the page's previous transcript, in its directory
    postgresql: bool = False  # the chain needs a throwaway PostgreSQL server
    reasons: list[str] = field(default_factory=list)  # why outputs vary, as written


def doc_files() -> list[Path]:
    out = [ROOT / "README.md"]
    out += sorted((ROOT / "docs").glob("*.md"))
    return [p for p in out if p.exists()]


def _where(path: Path, line: int) -> str:
    try:
        rel = path.relative_to(ROOT)
    except ValueError:
        rel = path
    return f"{rel}:{line}"


def _markers(lines: list[str], fence: int, block: Block) -> None:
    """Read the marker comments stacked on the lines just before the fence."""
    k = fence - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    while k >= 0 and (m := MARKER.match(lines[k].strip())):
        text = m.group(1)
        if s := SKIP.match(text):
            block.skip = s.group(1)
        elif text == CONTINUES:
            block.continues = True
        elif text == POSTGRESQL:
            block.postgresql = True
        elif v := VARY.match(text):
            names = tuple(v.group(1).split())
            unknown = [n for n in names if n not in MASKS]
            if unknown:
                raise MarkerError(
                    f"{_where(block.path, k + 1)}: unknown mask {unknown[0]!r} "
                    f"(expected one of {', '.join(MASKS)})"
                )
            block.vary += names
            block.reasons.append(v.group(2))
        else:
            raise MarkerError(f"{_where(block.path, k + 1)}: unknown transcript marker {text!r}")
        k -= 1


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
                block = Block(path, i + 1, j, steps)
                _markers(lines, i, block)
                out.append(block)
            i = j + 1
        else:
            i += 1
    return out


def chains(found: Sequence[Block]) -> list[list[Block]]:
    """Group a page's blocks: a block marked ``continues`` joins the chain before it."""
    out: list[list[Block]] = []
    for block in found:
        if not block.continues:
            out.append([block])
            continue
        if not out or out[-1][-1].path != block.path:
            raise MarkerError(
                f"{_where(block.path, block.start)}: 'continues' on the first transcript of a page"
            )
        if block.skip or out[-1][-1].skip:
            raise MarkerError(
                f"{_where(block.path, block.start)}: a chain of transcripts cannot skip a block"
            )
        out[-1].append(block)
    return out


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIPOLAR_", "FORCE_", "PG"))}
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


Outputs = list[tuple[str, list[str]]]


def _pg_server_module() -> Any:
    """``tests/store/pg_server.py``, the store tests' throwaway PostgreSQL server."""
    store_tests = str(ROOT / "tests" / "store")
    if store_tests not in sys.path:
        sys.path.insert(0, store_tests)
    import pg_server

    return pg_server


@contextlib.contextmanager
def _postgresql(env: dict[str, str]) -> Iterator[None]:
    """Start a throwaway server, point ``env`` at it; stop and delete it afterwards.

    Raises ``pg_server.ServerUnavailable`` when the server binaries are missing.
    """
    pg = _pg_server_module()
    server = pg.start_server()
    try:
        env.update(
            PGHOST="127.0.0.1",
            PGPORT=str(server.port),
            PGUSER=pg.SUPERUSER,
            PATH=f"{server.bindir}{os.pathsep}{env['PATH']}",
        )
        yield
    finally:
        server.stop()


def run_chain(chain: Sequence[Block]) -> list[Outputs]:
    """Run the chain's blocks in order in one directory; (command, output lines) per step."""
    with (
        tempfile.TemporaryDirectory(prefix="tripolar-transcript-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        work = Path(tmp) / "work"
        home = Path(tmp) / "home"
        work.mkdir()
        home.mkdir()
        for name in ("src", "examples"):
            if (ROOT / name).exists():
                (work / name).symlink_to(ROOT / name)
        env = _env(home)
        if any(b.postgresql for b in chain):
            stack.enter_context(_postgresql(env))
        out: list[Outputs] = []
        for block in chain:
            steps: Outputs = []
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
                steps.append((cmd, [ln.rstrip() for ln in text.rstrip("\n").splitlines()]))
            out.append(steps)
        return out


def run_block(block: Block) -> Outputs:
    """Run one block that stands alone (no ``continues`` chain)."""
    return run_chain([block])[0]


# Masks --------------------------------------------------------------------------------


class _Digests:
    """Numbers distinct hex digests over a chain; a prefix shares its digest's number."""

    def __init__(self, text: str) -> None:
        self.ids: dict[str, int] = {}
        found = list(dict.fromkeys(_HEX.findall(text)))
        for token in sorted(found, key=lambda t: (-len(t), text.index(t))):
            full = next((t for t in self.ids if t.startswith(token)), None)
            self.ids[token] = self.ids[full] if full else len(set(self.ids.values())) + 1
        # number by first appearance in the text, not by length
        order: dict[int, int] = {}
        for token in found:
            order.setdefault(self.ids[token], len(order) + 1)
        self.ids = {t: order[n] for t, n in self.ids.items()}

    def __call__(self, lines: list[str]) -> list[str]:
        return [_HEX.sub(lambda m: f"<hex {self.ids[m.group(0)]}>", ln) for ln in lines]


def _times(lines: list[str]) -> list[str]:
    return [_TIME.sub("<time>", ln) for ln in lines]


def _durations(lines: list[str]) -> list[str]:
    return [_SECONDS.sub("<seconds> s", ln) for ln in lines]


def _leaf_order(lines: list[str]) -> list[str]:
    out = list(lines)
    i = 0
    while i < len(out):
        if out[i].startswith("┃") and "index" in [c.strip() for c in out[i].split("┃")]:
            col = [c.strip() for c in out[i].split("┃")].index("index")
            j = i + 1
            while j < len(out) and not out[j].startswith("┡"):
                j += 1
            k = j + 1
            while k < len(out) and out[k].startswith("│"):
                k += 1
            rows = []
            for row in out[j + 1 : k]:
                cells = row.split("│")
                if col < len(cells):
                    cells[col] = " " * len(cells[col])
                rows.append("│".join(cells))
            out[j + 1 : k] = sorted(rows)
            i = k
        else:
            i += 1
    return out


#: name -> what it does to a block's output lines (see the module text); digests is built
#: per chain, since its numbers span the chain.
MASKS: dict[str, Callable[[list[str]], list[str]] | None] = {
    "digests": None,
    "times": _times,
    "durations": _durations,
    "leaf-order": _leaf_order,
}


def _masked(chain: Sequence[Block], outputs: Sequence[Outputs]) -> list[list[str]]:
    """Each block's lines (``$ `` commands and output), with the block's masks applied."""
    flat = [[ln for cmd, lines in steps for ln in (f"$ {cmd}", *lines)] for steps in outputs]
    digests = _Digests(
        "\n".join(
            ln for b, lines in zip(chain, flat, strict=True) if "digests" in b.vary for ln in lines
        )
    )
    out = []
    for block, lines in zip(chain, flat, strict=True):
        for name in MASKS:
            if name in block.vary:
                mask = MASKS[name] or digests
                lines = mask(lines)
        out.append(lines)
    return out


def compare(chain: Sequence[Block], actual: Sequence[Outputs]) -> list[str]:
    """Per block of the chain: an empty string when its outputs are what the commands print."""
    shown = _masked(chain, [b.steps for b in chain])
    got = _masked(chain, actual)
    out = []
    for block, want, have in zip(chain, shown, got, strict=True):
        note = f" (masked: {', '.join(block.vary)})" if block.vary else ""
        lines = difflib.unified_diff(
            want,
            have,
            f"{_where(block.path, block.start + 1)} (shown){note}",
            "(printed now)",
            lineterm="",
        )
        out.append("" if want == have else "\n".join(lines))
    return out


def diff(block: Block, actual: Outputs) -> str:
    """An empty string when a standalone block's outputs are what the commands print."""
    return compare([block], [actual])[0]


def update(path: Path) -> int:
    """Rewrite every transcript of ``path`` whose (masked) output changed, with real output."""
    lines = path.read_text(encoding="utf-8").splitlines()
    changed: list[tuple[Block, Outputs]] = []
    for chain in chains(blocks(path)):
        if chain[0].skip:
            continue
        actual = run_chain(chain)
        for block, steps, d in zip(chain, actual, compare(chain, actual), strict=True):
            if d:
                changed.append((block, steps))
    for block, steps in sorted(changed, key=lambda c: -c[0].start):
        lines[block.start : block.end] = [ln for cmd, out in steps for ln in (f"$ {cmd}", *out)]
    if changed:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(changed)


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if "--update" in argv:
        named = [Path(a).resolve() for a in argv if a != "--update"]
        for path in doc_files():
            if named and path not in named:
                continue
            n = update(path)
            if n:
                print(f"{path.relative_to(ROOT)}: {n} transcript(s) regenerated")
        return 0
    bad = 0
    for path in doc_files():
        for chain in chains(blocks(path)):
            if chain[0].skip:
                where = _where(path, chain[0].start + 1)
                print(f"{where}: not checked ({chain[0].skip})")
                continue
            try:
                actual = run_chain(chain)
            except _pg_server_module().ServerUnavailable as exc:
                print(f"{_where(path, chain[0].start + 1)}: not checked ({exc})")
                continue
            for d in compare(chain, actual):
                if d:
                    bad += 1
                    print(d)
    print(f"{bad} transcript(s) differ" if bad else "every transcript matches")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
