"""Running sweeps on Dask: identity across worker counts, a killed worker, a killed driver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from tests.sweep.conftest import tiny_text

from tripolar.context import EvaluationContext
from tripolar.stability.batch import evaluate_variants
from tripolar.sweep import load, run_sweep
from tripolar.sweep.evaluate import evaluate_chunk, stability_columns
from tripolar.sweep.execute import chunk_file, missing_chunks
from tripolar.sweep.family import base_treaty, point_context, variant
from tripolar.sweep.spec import SweepFile, point_values

distributed = pytest.importorskip("distributed")


def _spec(chunk: int = 2) -> SweepFile:
    return SweepFile.model_validate(yaml.safe_load(tiny_text(chunk)))


@pytest.fixture(scope="module")
def client2() -> Iterator[object]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The tiny sweep computed in this process, chunk by chunk, without Dask."""
    import pandas as pd

    rows = [r for c in range(_spec().n_chunks) for r in evaluate_chunk(_spec(), c)]
    return pd.DataFrame(rows)


def test_a_row_is_the_one_at_a_time_report() -> None:
    """A point evaluated with its chunk equals the point evaluated alone (the seed rule)."""
    spec = _spec()
    rows = evaluate_chunk(spec, 1)
    vals = point_values(spec, 3, 4)[0]
    ctx, _ = point_context(spec, vals, EvaluationContext(seed=3, samples=20))
    alone = evaluate_variants([variant(base_treaty(spec), spec, vals, 3)], ctx)[0]
    assert rows[1]["point"] == 3
    assert {k: rows[1][k] for k in stability_columns(alone)} == stability_columns(alone)


def test_rows_do_not_depend_on_the_chunk_size(reference) -> None:
    import pandas as pd

    other = pd.DataFrame([r for c in range(8) for r in evaluate_chunk(_spec(1), c)])
    pd.testing.assert_frame_equal(reference.drop(columns="chunk"), other.drop(columns="chunk"))


def test_one_worker_and_two_workers_give_identical_tables(
    tmp_path: Path, client2, reference
) -> None:
    import pandas as pd

    run_sweep(_spec(), tmp_path / "two", client=client2)
    run_sweep(_spec(), tmp_path / "one", workers=1)
    a, b = load(tmp_path / "one"), load(tmp_path / "two")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, reference.astype(a.dtypes.to_dict()), check_dtype=False)
    assert len(a) == 8


def test_a_killed_worker_loses_no_result(tmp_path: Path, client2, reference) -> None:
    import pandas as pd

    pids = list(client2.run(os.getpid).values())
    killed: list[int] = []

    def kill_one(done) -> None:
        if not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    run = run_sweep(_spec(1), tmp_path / "r", client=client2, on_chunk=kill_one)
    assert killed and len(run.computed) == 8
    got = load(tmp_path / "r").drop(columns="chunk")
    pd.testing.assert_frame_equal(got, reference.drop(columns="chunk"), check_dtype=False)
    client2.wait_for_workers(2, timeout=60)


def test_kill_9_of_the_driver_leaves_whole_chunks_and_a_rerun_completes(
    tmp_path: Path, reference
) -> None:
    import pandas as pd
    import pyarrow.parquet as pq

    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(tiny_text(1), encoding="utf-8")
    out = tmp_path / "res"
    args = ["sweep", "run", str(spec_file), "--workers", "1", "--out", str(out), "--no-save"]
    code = "import sys; from tripolar.cli.main import run; run()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob("chunk-*.parquet")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    spec = _spec(1)
    left = missing_chunks(spec, out)
    done = [c for c in range(spec.n_chunks) if c not in left]
    assert done, "the driver wrote no chunk before it was killed"
    for c in done:  # every file present is a whole Parquet file
        assert pq.read_table(chunk_file(out, c)).num_rows == 1
    run = run_sweep(spec, out, workers=1)
    assert sorted(run.computed) == left and run.skipped == len(done)
    got = load(out).drop(columns="chunk")
    pd.testing.assert_frame_equal(got, reference.drop(columns="chunk"), check_dtype=False)


def test_a_folder_of_another_sweep_is_refused(tmp_path: Path) -> None:
    from tripolar.errors import InputError
    from tripolar.sweep.execute import prepare_results_dir

    prepare_results_dir(_spec(), tmp_path / "x")
    with pytest.raises(InputError, match="another sweep"):
        prepare_results_dir(_spec(1), tmp_path / "x")
