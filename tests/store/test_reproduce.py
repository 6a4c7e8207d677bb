"""Repeating a saved run from its record (``tripolar.store.reproduce``), on both backends.

Runs are recorded by the real commands; repeating one gives the same outputs, recorded as
a new run with the same inputs hash. A changed output, a dataset that is no longer the
run's, or a command that is not repeated here are reported, never passed as a match.
"""

from __future__ import annotations

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
