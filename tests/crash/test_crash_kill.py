"""SIGKILL at random moments: the store and every output file survive, the next run works.

``tripolar assess`` (report and store), ``tripolar stability`` (plot) and a
200,000-item ``tripolar escrow commit`` are killed with SIGKILL after seeded random
delays spread over each command's measured duration (half of them inside the part of the
run that writes). Every run has its own folder, store (``TRIPOLAR_STORE``) and outputs.
After each kill:

* the SQLite store, if there is one, passes ``PRAGMA integrity_check``; it is either
  empty (killed while creating it) or at the schema head, and every run row in it is
  complete: status ``ok``, a finish time, the outputs of a finished run, its dataset
  edition saved;
* every output either does not exist or is complete: byte for byte the output of an
  uninterrupted run with the same seed (report, plot), or, for the escrow (random salts),
  a commitment that loads, a private file that loads with every item and the same root,
  and never a commitment without its private file;
* the only other files are the ones the writers document: SQLite's ``-wal``, ``-shm``,
  ``-journal`` and the store's ``.lock`` beside the store, and the temporary files of
  :mod:`tripolar.io_write` (``.NAME.<12 hex>.tmp``), which a killed process cannot remove;
  a private file's temporary file has mode 0600;
* the same command, run again in the same folder, exits 0, writes complete outputs and
  (for ``assess``) saves exactly one more complete run.

The commands run in children of a fork server that has imported tripolar (see
``crash_forker.py``): the same ``main(argv)`` as the console script, without seconds of
imports per run, so that 30+ kills fit in about a minute on two busy cores.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import stat
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from crash_support import RESULTS, STATES, Forker

from tripolar.store.store import STATUS_OK

SEED = 20261201
ESCROW_ITEMS = 200_000
#: Kills wanted per command (at least 30 in all), and the most tries to get them: a try
#: whose run ends before its delay is checked as a finished run and does not count.
KILLS = {"assess": 13, "stability": 13, "escrow": 5}
MAX_TRIES_FACTOR = 3
#: Temporary file of tripolar.io_write: "." + target name + "." + 12 hex digits + ".tmp".
TEMP_RE = re.compile(r"^\.(?P<target>.+)\.[0-9a-f]{12}\.tmp$")
SQLITE_SIDECARS = ("-wal", "-shm", "-journal", ".lock")
OWN_FILES = {"stdout.txt", "stderr.txt"}


def _env(run_dir: Path) -> dict[str, str]:
    home = run_dir / "home"
    home.mkdir(exist_ok=True)
    return {
        "TRIPOLAR_STORE": str(run_dir / "store.sqlite"),
        "HOME": str(home),
        "COLUMNS": "120",
    }


def _listing(run_dir: Path) -> set[str]:
    return {
        str(Path(root, name).relative_to(run_dir))
        for root, _, files in os.walk(run_dir)
        for name in files
    }


@dataclass
class Reference:
    """An uninterrupted run: how long it took, when it first wrote, what it wrote."""

    duration_s: float
    first_write_s: float
    files: dict[str, bytes] = field(default_factory=dict)
    outputs: Any = None
    schema_head: str | None = None


def _run_to_end(
    forker: Forker, argv: list[str], run_dir: Path, *, watch: bool = False
) -> tuple[int, float, float]:
    """Run to the end; return exit status, duration and (``watch``) when a new file first
    appeared in ``run_dir``."""
    before = _listing(run_dir)
    t0 = time.monotonic()
    pid = forker.start(argv, run_dir, _env(run_dir))
    first: float | None = None
    if watch:
        while (done := forker.poll(pid)) is None:
            if first is None and _listing(run_dir) - before - OWN_FILES:
                first = time.monotonic() - t0
            time.sleep(0.005)
    else:
        done = forker.wait(pid)
    duration = time.monotonic() - t0
    assert "code" in done, done
    return int(done["code"]), duration, duration if first is None else first


def _run_and_kill(forker: Forker, argv: list[str], run_dir: Path, delay_s: float) -> bool:
    """Start, SIGKILL after ``delay_s``; True if the kill ended it, False if it had finished."""
    pid = forker.start(argv, run_dir, _env(run_dir))
    time.sleep(delay_s)
    os.kill(pid, signal.SIGKILL)
    done = forker.wait(pid)
    if "signal" in done:
        assert done["signal"] == signal.SIGKILL, done
        return True
    assert done["code"] == 0, (done, (run_dir / "stderr.txt").read_text())
    return False


# --------------------------------------------------------------------------- the store


def _store_runs(path: Path, ref: Reference) -> list[int]:
    """Check a SQLite store left by a killed or finished run; return its run ids."""
    if not path.exists():
        return []
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)], path
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return []  # killed while creating it: the schema transaction rolled back
        assert {"alembic_version", "runs", "dataset_editions", "treaties"} <= tables, tables
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (ref.schema_head,)
        ]
        editions = {r[0] for r in con.execute("SELECT content_hash FROM dataset_editions")}
        rows = con.execute(
            "SELECT id, status, finished_at, outputs, dataset_hash FROM runs ORDER BY id"
        ).fetchall()
        n_treaties = con.execute("SELECT COUNT(*) FROM treaties").fetchone()[0]
    finally:
        con.close()
    for run_id, status, finished_at, outputs, dataset_hash in rows:
        assert status == STATUS_OK and finished_at is not None, (run_id, status)
        assert json.loads(outputs) == ref.outputs, f"run {run_id}: outputs differ"
        assert dataset_hash in editions and n_treaties > 0, run_id
    return [r[0] for r in rows]


def _reference_store(path: Path) -> tuple[Any, str]:
    con = sqlite3.connect(path)
    try:
        ((outputs,),) = con.execute("SELECT outputs FROM runs").fetchall()
        ((head,),) = con.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        con.close()
    return json.loads(outputs), str(head)


# --------------------------------------------------------------------------- files


def _leftovers(run_dir: Path, outputs: set[str]) -> list[Path]:
    """Fail on any file no writer documents; return io_write temporary files left."""
    temps = []
    for rel in _listing(run_dir) - OWN_FILES:
        p = run_dir / rel
        if rel in outputs:
            continue
        if rel.startswith("store.sqlite") and rel.removeprefix("store.sqlite") in (
            "",
            *SQLITE_SIDECARS,
        ):
            continue
        m = TEMP_RE.match(p.name)
        target = str(Path(rel).with_name(m["target"])) if m else None
        assert target in outputs, f"unexpected file {rel} after a kill"
        if p.name.startswith(".private.json."):
            # The salts must never be readable by others, not even half-written.
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, rel
        temps.append(p)
    return temps


def _state(run_dir: Path, runs: list[int], uses_store: bool) -> str:
    """What a kill left behind, in words, for the tally."""
    made = [rel for rel in sorted(_listing(run_dir)) if not TEMP_RE.match(Path(rel).name)]
    outputs = [r for r in made if r not in OWN_FILES and not r.startswith("store.sqlite")]
    words = ", ".join(Path(r).name for r in outputs) or "no output"
    if uses_store:
        store = run_dir / "store.sqlite"
        words += "; " + (f"store with {len(runs)} run(s)" if store.exists() else "no store")
    return words


@dataclass
class Command:
    name: str
    argv: Callable[[Path], list[str]]
    outputs: set[str]
    check: Callable[[Path, Reference], None]
    uses_store: bool
    rerun_argv: Callable[[Path], list[str]] | None = None


def _same_or_absent(run_dir: Path, ref: Reference) -> None:
    for rel, data in ref.files.items():
        p = run_dir / rel
        if p.exists():
            assert p.read_bytes() == data, f"{rel} differs from an uninterrupted run"


def _escrow_check(run_dir: Path, ref: Reference) -> None:
    from tripolar.verification.files import load_json_model
    from tripolar.verification.formats import CommitmentFile

    com, priv = run_dir / "escrow" / "commitment.json", run_dir / "escrow" / "private.json"
    if com.exists():
        # write_many_atomic renames the private file first: a published commitment
        # always has its salts kept.
        assert priv.exists(), "commitment.json without private.json"
        c = load_json_model(com, CommitmentFile)
        assert c.size == ESCROW_ITEMS
    if priv.exists():
        assert stat.S_IMODE(priv.stat().st_mode) == 0o600
        data = json.loads(priv.read_text())
        assert data["format"] == "tripolar-escrow-private"
        assert data["size"] == len(data["items"]) == ESCROW_ITEMS
        if com.exists():
            assert data["root"] == c.root


def _commands(csv: Path) -> dict[str, Command]:
    return {
        "assess": Command(
            "assess",
            lambda d: ["assess", "--samples", "5", "--seed", "3", "--out", str(d / "report.md")],
            {"report.md"},
            _same_or_absent,
            uses_store=True,
        ),
        "stability": Command(
            "stability",
            lambda d: [
                "stability",
                "--samples",
                "20",
                "--seed",
                "3",
                "--plot",
                str(d / "plot.png"),
            ],
            {"plot.png"},
            _same_or_absent,
            uses_store=False,
        ),
        "escrow": Command(
            "escrow",
            lambda d: [
                "escrow",
                "commit",
                str(csv),
                "--out",
                str(d / "escrow"),
                "--party",
                "US",
                "--date",
                "2026-12-01",
            ],
            {"escrow/commitment.json", "escrow/private.json"},
            _escrow_check,
            uses_store=False,
            # An escrow that reached the disk is only replaced on purpose.
            rerun_argv=lambda d: ["--force"] if (d / "escrow" / "private.json").exists() else [],
        ),
    }


@pytest.fixture(scope="module")
def declaration(tmp_path_factory: pytest.TempPathFactory) -> Path:
    csv = tmp_path_factory.mktemp("decl") / "declaration.csv"
    types = ("ICBM", "SLBM", "bomber", "warhead")
    with csv.open("w") as fh:
        fh.write("item_id,site,item_type,count,uid\n")
        for i in range(ESCROW_ITEMS):
            fh.write(f"I{i:06d},Site-{i % 400:03d},{types[i % 4]},{1 + i % 16},U{i:06d}\n")
    return csv


def _reference(forker: Forker, cmd: Command, run_dir: Path) -> Reference:
    code, duration, first = _run_to_end(forker, cmd.argv(run_dir), run_dir, watch=True)
    assert code == 0, (run_dir / "stderr.txt").read_text()
    ref = Reference(duration, first)
    if cmd.check is _same_or_absent:
        ref.files = {rel: (run_dir / rel).read_bytes() for rel in cmd.outputs}
    if cmd.uses_store:
        ref.outputs, ref.schema_head = _reference_store(run_dir / "store.sqlite")
    else:
        assert not (run_dir / "store.sqlite").exists()
    assert _leftovers(run_dir, cmd.outputs) == []
    return ref


@pytest.mark.parametrize("name", list(KILLS))
def test_sigkill_leaves_store_and_outputs_whole(
    name: str, forker: Forker, declaration: Path, tmp_path: Path
) -> None:
    cmd = _commands(declaration)[name]
    ref_dir = tmp_path / "reference"
    ref_dir.mkdir()
    ref = _reference(forker, cmd, ref_dir)
    # Each delay is a seeded fraction of the run's duration, every second one inside the
    # part of the run that writes. The duration is measured again by every uninterrupted
    # rerun, so that the kills follow the machine's load instead of a single measurement.
    rng = random.Random(f"{SEED}-{name}")
    writes_from = min(ref.first_write_s / ref.duration_s, 0.9)
    duration_s = ref.duration_s
    tally = {"kills": 0, "survived": 0, "finished": 0, "temp_left": 0}
    tries = 0
    while tally["kills"] < KILLS[name] and tries < MAX_TRIES_FACTOR * KILLS[name]:
        fraction = rng.uniform(writes_from if tries % 2 else 0.0, 0.95)
        delay = fraction * duration_s
        run_dir = tmp_path / f"kill-{tries:02d}"
        run_dir.mkdir()
        tries += 1
        killed = _run_and_kill(forker, cmd.argv(run_dir), run_dir, delay)
        where = f"{name} try {tries}, kill after {delay:.3f} s of about {duration_s:.3f} s"
        try:
            cmd.check(run_dir, ref)
            runs: list[int] = []
            if cmd.uses_store:
                runs = _store_runs(run_dir / "store.sqlite", ref)
                # A killed run is saved whole or not at all; a finished one is saved.
                assert len(runs) in ((0, 1) if killed else (1,)), runs
            else:
                assert not (run_dir / "store.sqlite").exists()
            temps = _leftovers(run_dir, cmd.outputs)
            left = _state(run_dir, runs, cmd.uses_store)
            # The next run of the same command, in the same folder, works.
            extra = cmd.rerun_argv(run_dir) if cmd.rerun_argv else []
            code, duration_s, _ = _run_to_end(forker, cmd.argv(run_dir) + extra, run_dir)
            assert code == 0, (run_dir / "stderr.txt").read_text()
            for rel in cmd.outputs:
                assert (run_dir / rel).is_file(), rel
            cmd.check(run_dir, ref)
            if cmd.uses_store:
                after = _store_runs(run_dir / "store.sqlite", ref)
                assert after[: len(runs)] == runs and len(after) == len(runs) + 1
            assert sorted(_leftovers(run_dir, cmd.outputs)) == sorted(temps)
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from exc
        if killed:
            STATES.setdefault(name, Counter())[left] += 1
            tally["kills"] += 1
            tally["survived"] += 1
            tally["temp_left"] += len(temps)
        else:
            tally["finished"] += 1
    RESULTS[name] = tally
    print(f"{name}: kills left {dict(STATES.get(name, {}))}")
    print(
        f"{name}: {tally} (uninterrupted run {ref.duration_s:.2f} s, writes from {writes_from:.0%})"
    )
    assert tally["kills"] == KILLS[name], tally
