"""What a new user trips on, one test per item (issue "Every number and every message true",
point 10): each was hit on a fresh clone."""

from __future__ import annotations

import csv
import json
import re
import shlex
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer

from tripolar.cli import common
from tripolar.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_POSTURE = ROOT / "examples" / "posture-us-2020.yaml"
SAVED = re.compile(
    r"^run (\d+) saved in (.+) \((.+ runs show \d+(?: --store \S+)?)\); --no-save to skip$"
)


def _saved_line(err: str) -> re.Match[str]:
    lines = [ln for ln in err.splitlines() if " saved in " in ln]
    assert len(lines) == 1, err
    m = SAVED.match(lines[0])
    assert m, lines[0]
    return m


# --------------------------------------------------------------------------- saving runs


@pytest.mark.parametrize("command", ["count", "check", "upload"])
def test_every_saving_command_says_where_once(cli, tmp_path: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.sqlite"
    code, out, err = cli(command, "--treaty", "new-start", "--state", "US", "--store", str(store))
    assert code in (0, 1, 3), err
    m = _saved_line(err)
    assert m.group(2) == str(store) and " saved in " not in out
    # The hint works as printed: it names the store that was given.
    hint = shlex.split(m.group(3))
    assert hint[-2:] == ["--store", str(store)]
    code, out, err = cli(*hint[1:], "--json")
    assert code == 0, err
    assert json.loads(out)["command"] == command


def test_default_store_hint_needs_no_store_option(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TRIPOLAR_STORE")
    home = Path.home()
    code, _, err = cli("count", "--treaty", "new-start", "--state", "US")
    assert code == 0, err
    m = _saved_line(err)
    assert m.group(2) == "~/.local/share/tripolar/store.sqlite"
    assert (home / ".local/share/tripolar/store.sqlite").exists()
    assert "--store" not in m.group(3)
    assert cli(*shlex.split(m.group(3))[1:])[0] == 0


def test_no_save_writes_no_store_and_says_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.sqlite"
    code, _, err = cli(
        "count", "--treaty", "new-start", "--state", "US", "--store", str(store), "--no-save"
    )
    assert code == 0 and " saved in " not in err
    assert not store.exists()


def test_demo_hint_names_the_program_it_ran_as(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`make demo` runs .venv/bin/tripolar, which a fresh shell does not find as `tripolar`."""
    monkeypatch.setattr(common.sys, "argv", [".venv/bin/tripolar", "assess"])
    monkeypatch.setattr(common.shutil, "which", lambda name: None)
    assert common.program_name() == ".venv/bin/tripolar"
    monkeypatch.setattr(common.shutil, "which", lambda name: str(Path(".venv/bin/tripolar")))
    assert common.program_name() == "tripolar"


def test_demo_hint_line(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(common.sys, "argv", [".venv/bin/tripolar"])
    monkeypatch.setattr(common.shutil, "which", lambda name: None)
    common.announce_saved(1, ".venv/demo-store.sqlite", ".venv/demo-store.sqlite")
    assert capsys.readouterr().err == (
        "run 1 saved in .venv/demo-store.sqlite (.venv/bin/tripolar runs show 1 "
        "--store .venv/demo-store.sqlite); --no-save to skip\n"
    )


def test_readme_says_which_commands_save() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Where runs are kept") :]
    for word in ("`assess`", "`count`", "`check`", "`upload`", "--no-save", "TRIPOLAR_STORE"):
        assert word in section, word


def test_stored_duration_is_the_analysis(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The start time is taken when the command starts, not when the database is written."""
    import tripolar.cli.treaty as treaty_cli

    start = datetime.now(UTC) - timedelta(seconds=30)
    monkeypatch.setattr(treaty_cli, "started_now", lambda: start)
    store = tmp_path / "s.sqlite"
    assert cli("count", "--treaty", "new-start", "--state", "US", "--store", str(store))[0] == 0
    code, out, _ = cli("runs", "show", "1", "--store", str(store), "--json")
    run = json.loads(out)
    assert code == 0 and run["duration_s"] >= 30
    assert run["started_at"].startswith(start.strftime("%Y-%m-%dT%H:%M:%S"))


def test_save_run_rejects_a_naive_start(tmp_path: Path) -> None:
    from tripolar.data import load_dataset
    from tripolar.store.runlog import save_run

    with pytest.raises(ValueError, match="timezone-aware"):
        save_run(
            "count",
            {},
            {},
            dataset=load_dataset(),
            store=tmp_path / "s.sqlite",
            started_at=datetime(2026, 1, 1),  # naive on purpose
        )


# --------------------------------------------------------------------------- option names


def _option_names(path: tuple[str, ...], *, hidden: bool) -> set[str]:
    cmd: Any = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    return {o for p in cmd.params if p.hidden == hidden for o in getattr(p, "opts", [])}


@pytest.mark.parametrize("command", ["stability", "exchange"])
def test_alert_level_is_its_own_name(command: str) -> None:
    assert "--alert-level" in _option_names((command,), hidden=False)
    assert "--posture" in _option_names((command,), hidden=True)
    assert {"--data", "--year"} <= _option_names((command,), hidden=False)
    # --posture is a posture file wherever it is shown
    for other in ("count", "check", "upload"):
        assert "--posture" in _option_names((other,), hidden=False)


def test_one_name_per_meaning_across_commands() -> None:
    shown = {c: _option_names((c,), hidden=False) for c in ("path", "stability", "count")}
    assert "--treaty" in shown["path"] and "--to" not in shown["path"]
    assert "--to" in _option_names(("path",), hidden=True)
    assert all("--treaty" in v for v in shown.values())


def test_deprecated_posture_still_works_and_says_so(cli) -> None:  # type: ignore[no-untyped-def]
    args = ("exchange", "--attacker", "RU", "--victim", "US", "--samples", "16", "--json")
    code, new, err_new = cli(*args, "--alert-level", "generated")
    assert code == 0 and "deprecated" not in err_new
    code, old, err_old = cli(*args, "--posture", "generated")
    assert code == 0 and new == old
    notice = [ln for ln in err_old.splitlines() if "deprecated" in ln]
    assert len(notice) == 1 and "--alert-level" in notice[0]
    code, _, err = cli("stability", "--alert-level", "alert", "--samples", "16")
    assert code == 2 and "--alert-level" in err and "day-to-day or generated" in err


def test_path_to_is_an_alias_of_treaty(cli) -> None:  # type: ignore[no-untyped-def]
    code, a, _ = cli("path", "--treaty", "tri-equal-1000", "--json")
    code2, b, err = cli("path", "--to", "tri-equal-1000", "--json")
    assert code == code2 == 0 and a == b, err
    code, _, err = cli("path")
    assert code == 2 and "--treaty" in err


def _overlay_cn_icbms(tmp_path: Path, launchers: str) -> Path:
    from tripolar.data.loader import bundled_dir

    d = tmp_path / f"data-{launchers}"
    shutil.copytree(bundled_dir(), d)
    path = d / "system_figures.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    key = {"system_id": "cn-icbm-leg", "as_of": "2024", "quantity": "launchers_deployed"}
    (hit,) = [r for r in rows if all(r[k] == v for k, v in key.items())]
    hit["value"], hit["low"], hit["high"] = launchers, "", ""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return d


def test_data_reaches_exchange_and_stability(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A doubled Chinese ICBM force in --data changes what a strike on China leaves."""
    d = _overlay_cn_icbms(tmp_path, "1000")
    ex = ("exchange", "--attacker", "US", "--victim", "CN", "--samples", "32", "--json")
    code, base, err = cli(*ex)
    assert code == 0, err
    code, moved, err = cli(*ex, "--data", str(d))
    assert code == 0, err
    before = json.loads(base)["by_system"]
    after = json.loads(moved)["by_system"]
    assert before != after
    st = ("stability", "--samples", "32", "--alert-level", "generated", "--json")
    code, base, _ = cli(*st)
    code2, moved, err = cli(*st, "--data", str(d))
    assert code == code2 == 0, err
    assert json.loads(base)["cases"] != json.loads(moved)["cases"]


def test_run_stability_takes_the_data_from_its_context(tmp_path: Path) -> None:
    from tripolar.context import EvaluationContext
    from tripolar.stability.run import run_stability

    d = _overlay_cn_icbms(tmp_path, "1000")
    a = run_stability(None, context=EvaluationContext(samples=32), postures=("generated",))
    b = run_stability(
        None, context=EvaluationContext(data_dir=d, samples=32), postures=("generated",)
    )
    assert a.to_dict()["cases"] != b.to_dict()["cases"]


# --------------------------------------------------------------------------- messages


def test_unknown_posture_key_is_named(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    text = EXAMPLE_POSTURE.read_text(encoding="utf-8")
    bad.write_text(text.replace("system_id: us-mmiii", "system: us-mmiii"), encoding="utf-8")
    code, out, err = cli("count", "--treaty", "new-start", "--posture", str(bad), "--no-save")
    assert code == 2 and out == ""
    assert "unknown key 'system'" in err and "'system_id'" in err and "None" not in err
    assert len(err.strip().splitlines()) == 1


def _mentioned_commands() -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / "src" / "tripolar").rglob("*.py"):
        for m in re.finditer(r"`tripolar ([a-z][^`]*)`", path.read_text(encoding="utf-8")):
            found.append((path, m.group(1)))
    return found


def test_messages_point_only_to_options_that_exist() -> None:
    """Every "`tripolar CMD --option`" written in the source names a real option."""
    mentioned = _mentioned_commands()
    assert len(mentioned) >= 5
    root: Any = typer.main.get_command(app)
    for path, text in mentioned:
        words = text.split()
        cmd = root
        while words and not words[0].startswith("-") and hasattr(cmd, "commands"):
            assert words[0] in cmd.commands, (path, text)
            cmd = cmd.commands[words.pop(0)]
        opts = {o for p in cmd.params for o in [*getattr(p, "opts", []), *p.secondary_opts]}
        for w in words:
            if w.startswith("--"):
                assert w in opts, f"{path}: `tripolar {text}`: no option {w}"


def test_sources_resolves_several_ids_and_prints_urls_whole(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("sources", "S03;S04")
    assert code == 0, err
    urls = [ln for ln in out.splitlines() if re.match(r"^S0[34]: https?://\S+$", ln)]
    assert len(urls) == 2
    code, out, _ = cli("sources", "S03,S04", "--json")
    assert [r["id"] for r in json.loads(out)] == ["S03", "S04"]
    code, _, err = cli("sources", "S03;S999")
    assert code == 2 and "'S999'" in err


def test_years_print_without_thousands_separators(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("forces", "--grade", "R")
    rows = [ln for ln in out.splitlines() if "year_in_service" in ln]
    assert code == 0 and rows
    assert not any(re.search(r"\b\d,\d{3}\b", r) for r in rows), rows
    assert any(re.search(r"\b(19|20)\d\d\b", r) for r in rows)


def test_empty_tables_say_why(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("forces", "--year", "2030")
    assert code == 0
    assert "no stockpile figures dated 2030; years with stockpile figures:" in out
    assert "no delivery-system figures dated 2030" in out and "2025" in out
    code, out, _ = cli("forces", "--state", "GB")
    assert "no delivery-system figures for GB dated 2025" in out and "(use --year)" in out


def test_stability_legend_explains_its_columns(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("stability", "--samples", "16", "--alert-level", "generated")
    assert code == 0
    assert "16 samples, seed 1" in out
    for start in ("case: ", "victim survivors: ", "r: ", "fsi: "):
        assert any(ln.startswith(start) for ln in out.splitlines()), start
    assert "driver " in out and "largest return" in out


def test_assessment_legend_spells_out_the_abbreviations() -> None:
    from tripolar.report.assessment import COLUMNS_LEGEND, verification_cell

    for abbreviation in ("wh =", "msl =", "RV insp./yr =", "negotiation: utility change"):
        assert abbreviation in COLUMNS_LEGEND
    assert verification_cell.__doc__ and "wh" in verification_cell.__doc__


# --------------------------------------------------------------------------- plots


def _captured_figure(monkeypatch, tmp_path: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    import tripolar.report.plots as plots

    seen: dict[str, Any] = {}
    real = plots.save_figure

    def keep(fig: Any, path: Any, **kw: Any) -> Path:
        seen["labels"] = [[t.get_text() for t in ax.get_xticklabels()] for ax in fig.axes]
        return real(fig, path, **kw)

    monkeypatch.setattr(plots, "save_figure", keep)
    return seen


def test_stability_plot_panels_list_cases_in_one_order(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tripolar.report.plots import plot_stability
    from tripolar.stability.run import run_stability

    seen = _captured_figure(monkeypatch, tmp_path)
    rep = run_stability(None, n_samples=16)
    plot_stability([rep], tmp_path / "s.png")
    left, right = seen["labels"][:2]
    right_cases = [r.rsplit(" (", 1)[0] for r in right]
    n = len(left)
    assert n == 9 and right_cases[:n] == left and right_cases[n:] == left


def test_coinciding_solutions_are_all_visible() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from tripolar.report.negotiation_plots import _plot_solutions

    class Sol:
        def __init__(self, method: str, u: list[float]) -> None:
            self.method, self.utilities = method, np.array(u)

    fig, ax = plt.subplots()
    sols = [
        Sol("nash", [0.1, 0.2]),
        Sol("kalai_smorodinsky", [0.1, 0.2]),
        Sol("egalitarian", [0.3, 0.0]),
    ]
    _plot_solutions(ax, sols, 0, 1)
    lines = ax.get_lines()
    labels = [ln.get_label() for ln in lines]
    assert labels == ["Nash", "Kalai-Smorodinsky (same point as Nash)", "egalitarian"]
    assert lines[1].get_markersize() < lines[0].get_markersize()
    assert lines[1].get_markerfacecolor() == "none"
    plt.close(fig)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_plot_files_get_the_users_umask(tmp_path: Path, umask: int) -> None:
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tripolar.report.plots import save_figure

    fig, _ = plt.subplots()
    old = os.umask(umask)
    try:
        out = save_figure(fig, tmp_path / f"p{umask:o}.png")
    finally:
        os.umask(old)
        plt.close(fig)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_example_posture_counts_as_the_2020_declaration(cli) -> None:  # type: ignore[no-untyped-def]
    """examples/posture-us-2020.yaml gives New START's declared US figures of 1 Sep 2020
    (State Department, 1 Dec 2020 [S10]): 1,457 warheads, 675 and 800 launchers."""
    code, out, err = cli(
        "count", "--treaty", "new-start", "--posture", str(EXAMPLE_POSTURE), "--json", "--no-save"
    )
    assert code == 0, err
    limits = json.loads(out)["parties"]["US"]["limits"]
    got = {k: limits[k]["count"] for k in limits}
    assert got == {"deployed_warheads": 1457, "deployed_launchers": 675, "total_launchers": 800}


def test_example_declaration_commits(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    decl = ROOT / "examples" / "declaration.csv"
    code, out, err = cli("escrow", "commit", str(decl), "--out", str(tmp_path / "e"), "--json")
    assert code == 0, err
    with decl.open(newline="", encoding="utf-8") as f:
        assert json.loads(out)["size"] == len(list(csv.DictReader(f))) == 5


def test_bundled_names_are_not_shadowed_by_the_working_directory(
    cli, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A folder or file named US, RU or CN where the user works does not replace the bundled
    party profiles (assess once failed with "US: not a regular file")."""
    from tripolar.negotiation.profiles import load_profiles

    monkeypatch.chdir(tmp_path)
    (tmp_path / "US").mkdir()
    (tmp_path / "CN").write_text("not a profile")
    assert set(load_profiles()) == {"US", "RU", "CN"}
