"""Bad-input campaign: every file and option the CLI accepts, mutated by hypothesis.

Each case must end in exit 0 (valid output; ``--json`` is strict RFC 8259), a documented
verdict status (``check`` 1 or 3, ``data check`` 1, the escrow checks 1), or exit 2 with one
line on standard error naming the file or field; never a traceback, a hang or a stray file
(see :mod:`fuzzharness`). Cases are generated, not listed: hypothesis draws the mutation
(which field, which bad value, which textual or path change) with ``derandomize=True`` so
that the run is the same on every machine.

Budget: ``TRIPOLAR_FUZZ_CASES`` cases in all (default 2,000; ``make fuzz`` runs 10,000),
shared among the targets by weight. The counts are printed at the end of the session.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fuzzcases import PKG, Mutation, mutated_bytes, mutations, numeric_text, place_path
from fuzzharness import Sandbox, check, run_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripolar.errors import InputError

TOTAL_CASES = int(os.environ.get("TRIPOLAR_FUZZ_CASES", "2000"))

#: Commands whose documented verdict statuses are not errors (their docstrings say so).
VERDICTS: dict[tuple[str, ...], set[int]] = {
    ("check",): {1, 3},
    ("data", "check"): {1},
    ("escrow", "verify"): {1},
    ("escrow", "inspect"): {1},
    ("escrow", "verify-extension"): {1},
    ("escrow", "bulletin", "verify"): {1},
}

DECLARATION = (
    "item_id,site,item_type,count,uid\n"
    "M1,Alpha,ICBM,1,U-001\n"
    "M2,Alpha,ICBM,1,U-002\n"
    "M3,Bravo,SLBM,16,U-003\n"
    "W1,Delta,warhead,40,\n"
)
FOUND = "item_id,site,item_type,count\nM1,Alpha,ICBM,1\nM2,Alpha,ICBM,1\n"
NEW_ITEMS = "item_id,site,item_type,count\nM5,Echo,ICBM,1\n"


def _share(weight: float) -> int:
    return max(10, round(TOTAL_CASES * weight / sum(WEIGHTS.values())))


WEIGHTS = {
    "treaty": 3.0,
    "posture": 3.0,
    "alert": 1.5,
    "family": 1.5,
    "profile": 1.0,
    "scenario": 2.0,
    "data": 1.5,
    "escrow": 3.5,
    "options": 3.0,
}


def _settings(target: str) -> settings:
    return settings(
        max_examples=_share(WEIGHTS[target]),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def _api(load: Callable[[str], object]) -> Callable[[list[str]], int]:
    """A CLI-like runner for a loader no command takes a path for (profiles, families)."""
    import sys

    def run(argv: list[str]) -> int:
        try:
            load(argv[-1])
        except InputError as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 2
        return 0

    return run


@dataclass(frozen=True)
class Target:
    """How one file kind reaches the CLI: ``{f}`` in ``argv`` is the mutated file."""

    name: str
    base: Path
    fmt: str
    argv: tuple[str, ...]
    call: Callable[[list[str]], int] | None = None


def _yaml_targets() -> dict[str, list[Target]]:
    def tgt(kind: str, files: list[Path], argv: tuple[str, ...], call=None) -> list[Target]:  # type: ignore[no-untyped-def]
        return [Target(kind, f, "yaml", argv, call) for f in sorted(files)]

    from tripolar.negotiation.family import load_family
    from tripolar.negotiation.profiles import load_profile

    return {
        "treaty": tgt(
            "treaty",
            list((PKG / "treaty" / "builtin").glob("*.yaml")),
            ("check", "--treaty", "{f}", "--json", "--no-save"),
        ),
        "posture": tgt(
            "posture",
            list((PKG / "data" / "bundled" / "postures").glob("*.yaml")),
            ("count", "--treaty", "new-start", "--posture", "{f}", "--json", "--no-save"),
        ),
        "alert": tgt(
            "alert",
            [PKG / "exchange" / "alert_levels.yaml"],
            (
                "exchange",
                "--attacker",
                "RU",
                "--victim",
                "US",
                "--samples",
                "4",
                "--alert",
                "{f}",
                "--json",
            ),
        ),
        # negotiate takes ~4 s on a valid family; the loader is the boundary that checks it.
        "family": tgt(
            "family",
            list((PKG / "negotiation" / "families").glob("*.yaml")),
            ("negotiate", "--family", "{f}"),
            _api(lambda p: load_family(p)),
        ),
        # No command takes a profile path; load_profile is the boundary.
        "profile": tgt(
            "profile",
            list((PKG / "negotiation" / "profiles").glob("*.yaml")),
            ("profile", "{f}"),
            _api(lambda p: load_profile(p)),
        ),
        "scenario": tgt(
            "scenario",
            list((PKG / "projection" / "scenarios").glob("*.yaml")),
            ("project", "--scenario", "{f}", "--json"),
        ),
    }


YAML_TARGETS = _yaml_targets()


def _verdicts(argv: list[str]) -> frozenset[int]:
    for prefix, codes in VERDICTS.items():
        if tuple(argv[: len(prefix)]) == prefix:
            return frozenset(codes)
    return frozenset()


def _place(sandbox: Sandbox, name: str, base_text: str, fmt: str, m: Mutation) -> str:
    if m.kind == "path":
        return place_path(sandbox.inputs, name, m.name)
    p = sandbox.inputs / name
    p.write_bytes(mutated_bytes(base_text, m, fmt=fmt))
    return str(p)


def _run_file_case(
    sandbox: Sandbox, target: Target, m: Mutation, *, extra: dict[str, str] | None = None
) -> None:
    sandbox.reset()
    base_text = target.base.read_text(encoding="utf-8")
    suffix = {"yaml": ".yaml", "json": ".json", "csv": ".csv"}[target.fmt]
    path = _place(sandbox, "case" + suffix, base_text, target.fmt, m)
    subs = {"{f}": path, **(extra or {})}
    argv = [subs.get(a, a) for a in target.argv]
    argv = [a.replace("{out}", str(sandbox.outputs)) for a in argv]
    o = run_case(
        sandbox,
        argv,
        writes_allowed_in=(sandbox.outputs, sandbox.store),
        call=target.call,
        verdicts=_verdicts(argv),
    )
    check(o)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return Sandbox(tmp_path_factory.mktemp("fuzz"))


def _file_test(kind: str):  # type: ignore[no-untyped-def]
    targets = YAML_TARGETS[kind]

    @_settings(kind)
    @given(target=st.sampled_from(targets), m=mutations())
    def test(sandbox: Sandbox, target: Target, m: Mutation) -> None:
        _run_file_case(sandbox, target, m)

    test.__name__ = f"test_{kind}_files"
    return test


test_treaty_files = _file_test("treaty")
test_posture_files = _file_test("posture")
test_alert_files = _file_test("alert")
test_family_files = _file_test("family")
test_profile_files = _file_test("profile")
test_scenario_files = _file_test("scenario")


# --------------------------------------------------------------------------- dataset dir

DATA_TABLES = sorted((PKG / "data" / "bundled").glob("*.csv"))


@_settings("data")
@given(
    table=st.sampled_from(DATA_TABLES),
    m=mutations(),
    command=st.sampled_from(
        [
            ("count", "--treaty", "new-start", "--state", "US", "--data", "{d}", "--json"),
            ("count", "--treaty", "new-start", "--state", "RU", "--data", "{d}", "--no-save"),
            ("forces", "--state", "CN", "--data", "{d}"),
        ]
    ),
)
def test_data_directory(
    sandbox: Sandbox, table: Path, m: Mutation, command: tuple[str, ...]
) -> None:
    """A --data directory overlaying one bundled table with a mutated copy (or an odd path
    in place of the directory or of the table)."""
    sandbox.reset()
    d = sandbox.inputs / "data"
    d.mkdir()
    if m.kind == "path":
        # Half the odd paths replace the table, half the directory itself.
        target = place_path(d, table.name, m.name) if len(m.name) % 2 else None
        data_arg = str(d) if target else place_path(sandbox.inputs, "datadir", m.name)
    else:
        (d / table.name).write_bytes(mutated_bytes(table.read_text(encoding="utf-8"), m, fmt="csv"))
        data_arg = str(d)
    argv = [data_arg if a == "{d}" else a for a in command]
    o = run_case(sandbox, argv, writes_allowed_in=(sandbox.store,), verdicts=_verdicts(argv))
    check(o)


# --------------------------------------------------------------------------- escrow


@pytest.fixture(scope="module")
def escrow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real escrow made by the CLI: commitment, private file, reveal, inspection record,
    extension and bulletin, which the escrow cases mutate one at a time."""
    from tripolar.cli.main import main

    root = tmp_path_factory.mktemp("escrow")
    (root / "decl.csv").write_text(DECLARATION)
    (root / "found.csv").write_text(FOUND)
    (root / "new.csv").write_text(NEW_ITEMS)
    e = root / "US"
    steps = [
        [
            "escrow",
            "commit",
            str(root / "decl.csv"),
            "--out",
            str(e),
            "--party",
            "US",
            "--date",
            "2026-11-25",
        ],
        ["escrow", "reveal", str(e), "--sites", "Alpha", "--out", str(root / "reveal.json")],
        [
            "escrow",
            "inspect",
            str(e / "commitment.json"),
            str(root / "reveal.json"),
            "--sites",
            "Alpha",
            "--found",
            str(root / "found.csv"),
            "--inspector",
            "RU",
            "--date",
            "2026-11-26",
            "--out",
            str(root / "inspection.json"),
        ],
    ]
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for argv in steps:
            assert main(argv) == 0, argv
        shutil.copy(e / "commitment.json", root / "old_commitment.json")
        ext = ["escrow", "extend", str(e), str(root / "new.csv"), "--out", str(root / "ext.json")]
        assert main([*ext, "--date", "2026-11-27"]) == 0
        for f in ("old_commitment.json", "reveal.json", "inspection.json", "ext.json"):
            assert (
                main(["escrow", "bulletin", "append", str(root / "bulletin.json"), str(root / f)])
                == 0
            )
    return root


#: (file mutated, its format, the command, where the mutated file goes)
ESCROW_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    ("old_commitment.json", "json", ("escrow", "verify", "{f}", "{t}/reveal_old.json", "--json")),
    ("reveal.json", "json", ("escrow", "verify", "{t}/US/commitment.json", "{f}", "--json")),
    ("ext.json", "json", ("escrow", "verify-extension", "{t}/old_commitment.json", "{f}")),
    ("bulletin.json", "json", ("escrow", "bulletin", "verify", "{f}", "--json")),
    ("inspection.json", "json", ("escrow", "bulletin", "append", "{out}/board.json", "{f}")),
    (
        "US/private.json",
        "json",
        ("escrow", "reveal", "{dir}", "--sites", "Alpha", "--out", "{out}/r.json"),
    ),
    (
        "US/commitment.json",
        "json",
        ("escrow", "reveal", "{dir}", "--items", "M1", "--out", "{out}/r.json"),
    ),
    ("decl.csv", "csv", ("escrow", "commit", "{f}", "--out", "{out}/E", "--date", "2026-11-25")),
    ("new.csv", "csv", ("escrow", "extend", "{dir}", "{f}", "--out", "{out}/x.json")),
    (
        "found.csv",
        "csv",
        (
            "escrow",
            "inspect",
            "{t}/US/commitment.json",
            "{t}/reveal.json",
            "--sites",
            "Alpha",
            "--found",
            "{f}",
            "--inspector",
            "RU",
            "--json",
        ),
    ),
]


@_settings("escrow")
@given(case=st.sampled_from(ESCROW_CASES), m=mutations())
def test_escrow_files(
    sandbox: Sandbox, escrow_template: Path, case: tuple[str, str, tuple[str, ...]], m: Mutation
) -> None:
    """Commitment, reveal, extension, bulletin, inspection and private JSON, declaration and
    found-items CSV: each mutated in a fresh copy of a real escrow."""
    rel, fmt, command = case
    sandbox.reset()
    t = sandbox.inputs / "t"
    shutil.copytree(escrow_template, t)
    (t / "reveal_old.json").write_bytes((t / "reveal.json").read_bytes())
    target = t / rel
    base_text = target.read_text(encoding="utf-8")
    target.unlink()
    if m.kind == "path":
        placed = place_path(target.parent, target.name, m.name)
    else:
        target.write_bytes(mutated_bytes(base_text, m, fmt=fmt))
        placed = str(target)
    subs = {"{f}": placed, "{dir}": str(t / "US"), "{t}": str(t), "{out}": str(sandbox.outputs)}
    argv = []
    for a in command:
        for k, v in subs.items():
            a = a.replace(k, v) if k != "{f}" else (v if a == k else a)
        argv.append(a)
    # escrow commands that succeed write their documented outputs (the escrow folder
    # itself for reveal/extend); nothing else.
    allowed = (sandbox.outputs, sandbox.store, t / "US")
    o = run_case(sandbox, argv, writes_allowed_in=allowed, verdicts=_verdicts(argv))
    check(o)


# --------------------------------------------------------------------------- options

#: A cheap valid command line per command, and the options fuzzed on it.
OPTION_CASES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (
        ("exchange", "--attacker", "RU", "--victim", "US", "--samples", "4", "--json"),
        ("--samples", "--seed", "--year", "--attacker", "--victim", "--with", "--alert"),
    ),
    (
        ("stability", "--samples", "4", "--posture", "generated", "--json"),
        ("--samples", "--seed", "--year", "--treaty", "--rule", "--posture", "--plot"),
    ),
    (
        ("verify", "plan", "--items", "300", "--violations", "6", "--confidence", "0.9", "--json"),
        ("--items", "--violations", "--confidence", "--p-detect"),
    ),
    (
        (
            "verify",
            "simulate",
            "--treaty",
            "new-start",
            "--cheater",
            "RU",
            "--strategy",
            "hide-launchers",
            "--samples",
            "20",
            "--years",
            "2",
            "--fixed",
            "--json",
        ),
        ("--years", "--samples", "--seed", "--cheater", "--strategy", "--assume", "--plot"),
    ),
    (
        ("count", "--treaty", "new-start", "--state", "US", "--json", "--no-save"),
        ("--year", "--state", "--treaty", "--data", "--store", "--posture"),
    ),
    (("check", "--treaty", "tri-equal-1000", "--json", "--no-save"), ("--year", "--state")),
    (
        ("upload", "--treaty", "new-start", "--state", "RU", "--json", "--no-save"),
        ("--year", "--state"),
    ),
    (("project", "--json"), ("--scenario", "--model", "--fit-from", "--seed", "--plot")),
    (("project", "--model", "richardson", "--json"), ("--fit-from", "--seed")),
    (
        ("path", "--to", "tri-equal-1000", "--json"),
        ("--max-bundle", "--year", "--to", "--scenario"),
    ),
    (("forces", "--state", "CN"), ("--year", "--state", "--grade", "--data")),
    (("runs", "--json"), ("--limit", "--store", "--command")),
    (("runs", "show", "1", "--json"), ("--store",)),
    (("treaty", "schema"), ("--out",)),
    (("sources",), ("--data",)),
    (("data", "compare", "--state", "US"), ("--state", "--year", "--data")),
]

_PATH_OPTIONS = {"--plot", "--out", "--data", "--store", "--alert", "--posture"}


@st.composite
def option_case(draw: st.DrawFn) -> tuple[list[str], str]:
    base, opts = draw(st.sampled_from(OPTION_CASES))
    opt = draw(st.sampled_from(opts))
    if opt in _PATH_OPTIONS:
        value = draw(
            st.sampled_from(
                [
                    "{in}",
                    "{in}/dir",
                    "/dev/null",
                    "/",
                    "",
                    "{in}/missing/x.png",
                    "{in}/x.txt",
                    "{in}/" + "n" * 300 + ".png",
                    "{in}/a\x00b.png",
                    "-",
                    "{in}/link",
                ]
            )
        )
    else:
        value = draw(st.one_of(numeric_text(), st.sampled_from(["US", "us", "ZZ", "x" * 100_000])))
    argv = list(base)
    if opt in argv:
        i = argv.index(opt)
        argv[i + 1] = value
    else:
        argv += [opt, value]
    if draw(st.booleans()):
        # The same option twice, or a missing value at the end.
        argv += [opt] if draw(st.booleans()) else [opt, value]
    return argv, opt


@_settings("options")
@given(case=option_case())
def test_numeric_and_path_options(sandbox: Sandbox, case: tuple[list[str], str]) -> None:
    """Numbers that are not numbers, NaN, infinities, -0, huge and negative values, odd
    paths (directories, devices, over-long names) for every numeric or path option."""
    argv, opt = case
    sandbox.reset()
    (sandbox.inputs / "dir").mkdir()
    (sandbox.inputs / "link").symlink_to(sandbox.inputs / "dir")
    argv = [a.replace("{in}", str(sandbox.inputs)) for a in argv]
    # --out and --plot write where they are told (a relative name lands in the working
    # directory); --data and --store only read, or create the store.
    allowed = (sandbox.outputs, sandbox.store, sandbox.inputs)
    if opt in ("--out", "--plot"):
        allowed += (sandbox.work,)
    o = run_case(
        sandbox,
        argv,
        writes_allowed_in=allowed,
        verdicts=_verdicts(argv),
    )
    check(o)
