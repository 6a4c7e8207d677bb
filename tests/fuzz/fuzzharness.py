"""Run one bad-input case through the CLI in-process and judge the outcome.

A case is an argument list plus the files it reads. It runs through
:func:`tripolar.cli.main.main` in a fresh working directory, with a wall-clock budget
enforced by ``SIGALRM`` (a case that exceeds it is a *hang*). The outcome is acceptable
only if

- exit 0, and ``--json`` output parses as strict RFC 8259 JSON (no ``NaN``/``Infinity``),
  and nothing was written outside the output folder and the store; or
- exit 2 with exactly one non-empty line on standard error, starting ``error:`` and naming
  a file or a field, and nothing written anywhere.

Everything else (another exit status, an exception escaping ``main``, a hang, a second
line, a stray file) is a defect. :data:`STATS` counts every case run in this process, for
the summary printed at the end of the session (``make fuzz``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tripolar.cli.main import main

#: Seconds one case may run before it counts as a hang. Generous: a valid mutated input runs
#: the real command (a few hundred milliseconds at most for the cheap options the cases use).
CASE_BUDGET_S = float(os.environ.get("TRIPOLAR_FUZZ_CASE_BUDGET_S", "30"))

#: Set TRIPOLAR_FUZZ_COLLECT=1 to collect every defect (printed at the end) instead of
#: stopping at the first.
COLLECT = os.environ.get("TRIPOLAR_FUZZ_COLLECT") == "1"

STATS: Counter[str] = Counter()
DEFECTS: list[str] = []


class Hang(BaseException):
    """Raised by the alarm when a case runs past its budget (BaseException: not caught by
    the code under test's ``except Exception``)."""


_FIRED: list[bool] = [False]


def _alarm(signum: int, frame: Any) -> None:
    # Remember that the budget ran out even if the exception lands somewhere that swallows
    # it (a garbage-collector callback reports it as "unraisable" and carries on).
    _FIRED[0] = True
    raise Hang


@dataclass
class Outcome:
    argv: list[str]
    code: int | None
    out: str
    err: str
    problem: str | None = None
    detail: str = ""
    new_files: list[str] = field(default_factory=list)


def _snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    for root in roots:
        if not root.exists():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                try:
                    st = p.lstat()
                except OSError:
                    continue
                seen[str(p)] = (st.st_mtime_ns, st.st_size)
    return seen


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-RFC 8259 token {name}")


def strict_json(text: str) -> Any:
    """Parse ``text`` as JSON, refusing NaN, Infinity and -Infinity (RFC 8259)."""
    return json.loads(text, parse_constant=_reject_constant)


@dataclass
class Sandbox:
    """Folders of one test: inputs, outputs, working directory, store and home."""

    root: Path

    def __post_init__(self) -> None:
        for sub in ("in", "out", "work", "store", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    @property
    def inputs(self) -> Path:
        return self.root / "in"

    @property
    def outputs(self) -> Path:
        return self.root / "out"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def home(self) -> Path:
        return self.root / "home"

    def reset(self) -> None:
        """Empty the per-case folders (inputs are written by each case)."""
        import shutil

        for sub in ("in", "out", "work", "store", "home"):
            d = self.root / sub
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)


@contextlib.contextmanager
def _env(sandbox: Sandbox) -> Iterator[None]:
    keys = ("HOME", "TRIPOLAR_STORE", "XDG_DATA_HOME", "COLUMNS", "MPLBACKEND")
    old = {k: os.environ.get(k) for k in keys}
    os.environ["HOME"] = str(sandbox.home)
    os.environ["TRIPOLAR_STORE"] = str(sandbox.store / "store.sqlite")
    os.environ.pop("XDG_DATA_HOME", None)
    os.environ["COLUMNS"] = "120"
    os.environ["MPLBACKEND"] = "Agg"
    cwd = os.getcwd()
    os.chdir(sandbox.work)
    try:
        yield
    finally:
        os.chdir(cwd)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _names_something(line: str, argv: list[str]) -> bool:
    # The line must say where the problem is: a field, an option, or a file named in argv.
    if "field '" in line or "option '" in line:
        return True
    head = line.removeprefix("error: ").split(": ")[0]
    if "/" in head or head.startswith("tripolar"):
        return True
    if head == "''" and "" in argv:
        return True
    if head in argv:
        return True
    for a in argv:
        if len(a) <= 2 or a.startswith("-"):
            continue
        forms = {a[:200], repr(a)[1:-1][:200], Path(a).name[:100], repr(Path(a).name)[1:-1][:100]}
        if any(f and f in line for f in forms):
            return True
    return False


def run_case(
    sandbox: Sandbox,
    argv: list[str],
    *,
    writes_allowed_in: tuple[Path, ...] = (),
    call: Callable[[list[str]], int] | None = None,
    verdicts: frozenset[int] = frozenset(),
) -> Outcome:
    """Run ``argv`` (inputs already written under ``sandbox.inputs``) and judge it.

    ``call`` replaces the CLI for inputs no command reads directly (it must behave like
    :func:`main`: return the exit status, print errors on standard error). ``verdicts``
    are the statuses besides 0 that the command documents as results (``check`` exits 1
    when a limit is exceeded); they are judged like 0.
    """
    runner = call or main
    watched = (sandbox.inputs, sandbox.work, sandbox.home)
    before = _snapshot(*watched)
    out, err = io.StringIO(), io.StringIO()
    code: int | None = None
    problem: str | None = None
    detail = ""
    _FIRED[0] = False
    old_handler = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, CASE_BUDGET_S)
    try:
        with _env(sandbox), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = runner(list(argv))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except Hang:
        problem, detail = "hang", f"over {CASE_BUDGET_S:.0f} s"
    except BaseException as exc:
        problem = "traceback"
        detail = "".join(traceback.format_exception(exc)[-6:])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
    if problem is None and _FIRED[0]:
        problem, detail = "hang", f"over {CASE_BUDGET_S:.0f} s (alarm swallowed)"
    o = Outcome(list(argv), code, out.getvalue(), err.getvalue(), problem, detail)
    if o.problem is None:
        _judge(o, sandbox, before, watched, writes_allowed_in, verdicts)
    _record(o)
    return o


def _judge(
    o: Outcome,
    sandbox: Sandbox,
    before: dict[str, tuple[int, int]],
    watched: tuple[Path, ...],
    writes_allowed_in: tuple[Path, ...],
    verdicts: frozenset[int],
) -> None:
    after = _snapshot(*watched)
    changed = sorted(
        p
        for p, sig in after.items()
        if before.get(p) != sig and not any(p.startswith(str(w)) for w in writes_allowed_in)
    )
    outputs = _snapshot(sandbox.outputs, sandbox.store)
    if o.code == 0 or o.code in verdicts:
        if changed:
            o.problem, o.new_files = "write", changed
            return
        if "--json" in o.argv:
            try:
                strict_json(o.out)
            except ValueError as exc:
                o.problem, o.detail = "bad-json", str(exc)[:300]
        return
    if o.code != 2:
        o.problem, o.detail = "exit-code", f"exit {o.code}"
        return
    lines = [ln for ln in o.err.splitlines() if ln.strip()]
    if len(lines) != 1:
        o.problem, o.detail = "not-one-line", f"{len(lines)} lines"
        return
    line = lines[0]
    if not line.startswith("error: ") or "Traceback" in line:
        o.problem, o.detail = "bad-line", line[:300]
        return
    if not _names_something(line, o.argv):
        o.problem, o.detail = "unnamed", line[:300]
        return
    if changed or outputs:
        o.problem, o.new_files = "write", changed + sorted(outputs)


def _record(o: Outcome) -> None:
    STATS["cases"] += 1
    STATS[f"exit {o.code}" if o.code is not None else "exit none"] += 1
    if o.problem is None:
        return
    STATS[o.problem] += 1
    DEFECTS.append(describe(o))


def check(o: Outcome) -> None:
    """Fail the test on a defect (or only record it, under TRIPOLAR_FUZZ_COLLECT=1)."""
    if o.problem is not None and not COLLECT:
        raise AssertionError(describe(o))


def describe(o: Outcome) -> str:
    """A short report of a failed case, for assertion messages."""
    argv = [a if len(a) < 120 else a[:60] + f"...({len(a)} chars)" for a in o.argv]
    err = o.err if len(o.err) < 1500 else o.err[:1500] + "..."
    return (
        f"{o.problem}: tripolar {' '.join(argv)}\n  exit {o.code}; {o.detail}\n"
        f"  stderr: {err!r}\n  files: {o.new_files[:5]}"
    )
