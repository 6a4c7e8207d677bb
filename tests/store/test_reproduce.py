"""Repeating a saved run from its record (``tripolar.store.reproduce``), on both backends.

Runs are recorded by the real commands; repeating one gives the same outputs, recorded as
a new run with the same inputs hash. A changed output, a dataset that is no longer the
run's, or a command that is not repeated here are reported, never passed as a match.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from tripolar.cli.main import main
from tripolar.errors import InputError
from tripolar.store import open_store
from tripolar.store.models import Run
from tripolar.store.reproduce import reproduce

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _record(store_url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> int:
    main([*argv, "--store", store_url])
    capsys.readouterr()
    with open_store(store_url) as st:
        return st.list_runs(limit=1)[0].id


@pytest.mark.parametrize(
    "argv",
    [
        ("count", "--treaty", "new-start", "--posture", str(EXAMPLES / "posture-us-2020.yaml")),
        ("check", "--treaty", "tri-equal-1000"),
        ("upload", "--treaty", "new-start", "--state", "US"),
        ("assess", "--samples", "20", "--seed", "4"),
    ],
    ids=["count-posture-file", "check", "upload", "assess"],
)
def test_a_run_repeats_from_its_record(
    store_url: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    run_id = _record(store_url, capsys, *argv)
    with open_store(store_url) as st:
        rep = reproduce(st, run_id)
        assert rep.matches, rep.differences
        assert rep.compared > 20
        assert rep.new_run_id is not None and rep.new_run_id != run_id
        old, new = st.get_run(run_id), st.get_run(rep.new_run_id)
        assert (new.command, new.inputs_hash, new.dataset_hash, new.status) == (
            old.command,
            old.inputs_hash,
            old.dataset_hash,
            old.status,
        )
        assert new.outputs == old.outputs


def test_a_changed_output_is_a_difference(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _record(store_url, capsys, "count", "--treaty", "new-start", "--state", "RU")
    with open_store(store_url) as st:
        outputs = st.get_run(run_id).outputs
        outputs["parties"]["RU"]["limits"]["deployed_warheads"]["count"] += 1
        with st._transaction() as s:
            s.execute(update(Run).where(Run.id == run_id).values(outputs=outputs))
        rep = reproduce(st, run_id, save=False)
        assert not rep.matches and rep.n_differences == 1
        assert rep.differences == ["parties.RU.limits.deployed_warheads.count"]
        assert rep.new_run_id is None


def test_what_cannot_be_repeated_is_refused(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _record(store_url, capsys, "count", "--treaty", "new-start")
    with open_store(store_url) as st:
        with st._transaction() as s:
            s.execute(update(Run).where(Run.id == run_id).values(dataset_hash="e" * 64))
        with pytest.raises(InputError, match="not the run's eeeeeeeeeeee") as exc:
            reproduce(st, run_id)
        assert exc.value.field == "dataset"
        other = st.record_run("exchange", {"seed": 2}, {"x": 1}, dataset_hash=None)
        with pytest.raises(InputError, match="runs of 'exchange' are not repeated") as exc:
            reproduce(st, other.id)
        assert exc.value.field == "run"
        with pytest.raises(InputError):
            reproduce(st, 10_000)
        assert len(st.list_runs()) == 2  # nothing was recorded by a refused repetition


def test_a_repetition_reports_its_progress(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An assess run reports a step before each proposal it evaluates again (the web app's
    background job shows them), in order, and ends with the comparison and the save."""
    from tripolar.treaty import builtin_treaties

    run_id = _record(store_url, capsys, "assess", "--samples", "10", "--seed", "2")
    steps: list[tuple[float, str]] = []
    with open_store(store_url) as st:
        rep = reproduce(st, run_id, on_progress=lambda f, what: steps.append((f, what)))
    assert rep.matches
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[0] >= 0.0 and fractions[-1] < 1.0
    n = len([t for t in builtin_treaties() if t.kind == "proposal"])
    per_treaty = [w for _, w in steps if w.startswith("treaty ")]
    assert len(per_treaty) == n and per_treaty[0].startswith(f"treaty 1 of {n}: ")
    assert [w for _, w in steps][-2:] == ["comparing the recorded values", "saving the repetition"]


# -- `tripolar runs rerun ID` ------------------------------------------------------------


def test_rerun_cli_matches_and_saves(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_id = _record(store_url, capsys, "check", "--treaty", "new-start")
    code = main(["runs", "rerun", str(run_id), "--store", store_url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith(f"run {run_id} (check) repeated from its record: every recorded value")
    with open_store(store_url) as st:
        runs = st.list_runs()
        assert [r.id for r in runs] == [run_id + 1, run_id]
        assert runs[0].inputs_hash == runs[1].inputs_hash
    assert f"run {run_id + 1} saved in " in err and "runs show" in err
    # --no-save: compared, nothing recorded; --json is the comparison as data
    code = main(["runs", "--store", store_url, "rerun", str(run_id), "--no-save", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["matches"] is True and data["n_differences"] == 0
    assert data["compared_values"] > 20 and data["new_run_id"] is None
    with open_store(store_url) as st:
        assert len(st.list_runs()) == 2


def test_rerun_cli_lists_differences_and_exits_1(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _record(store_url, capsys, "count", "--treaty", "new-start", "--state", "RU")
    with open_store(store_url) as st:
        outputs = st.get_run(run_id).outputs
        outputs["parties"]["RU"]["limits"]["deployed_warheads"]["count"] += 1
        outputs["parties"]["RU"]["limits"]["deployed_launchers"]["count"] += 1
        with st._transaction() as s:
            s.execute(update(Run).where(Run.id == run_id).values(outputs=outputs))
    code = main(["runs", "rerun", str(run_id), "--store", store_url, "--no-save"])
    out, err = capsys.readouterr()
    assert code == 1, err
    lines = out.splitlines()
    assert lines[0].startswith(f"run {run_id} (count) repeated from its record: 2 of ")
    assert lines[0].endswith("recorded values differ")
    assert [ln.strip() for ln in lines[1:]] == [
        "parties.RU.limits.deployed_warheads.count",
        "parties.RU.limits.deployed_launchers.count",
    ]
    code = main(["runs", "rerun", str(run_id), "--store", store_url, "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    data = json.loads(out)
    assert data["matches"] is False and data["n_differences"] == 2
    assert data["new_run_id"] == run_id + 1  # a repetition that differs is kept too
    assert f"run {run_id + 1} saved" in err


@pytest.mark.parametrize(
    ("target", "message"),
    [("99", "no run with id 99"), ("exchange", "runs of 'exchange' are not repeated")],
)
def test_rerun_cli_refuses_in_one_line(
    store_url: str, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    with open_store(store_url) as st:
        other = st.record_run("exchange", {"seed": 2}, {"x": 1}, dataset_hash=None)
    run_id = str(other.id) if target == "exchange" else target
    code = main(["runs", "rerun", run_id, "--store", store_url])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1
    assert message in err
    with open_store(store_url) as st:
        assert len(st.list_runs()) == 1
