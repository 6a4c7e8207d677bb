"""docs/tutorial.ipynb runs from top to bottom, and what it shows is what the API computes.

The notebook is executed with nbclient in a kernel of this interpreter (a kernel spec
written to a temporary ``JUPYTER_PATH``, so no kernel has to be installed), so it cannot go
stale: a renamed function or a changed result fails here. It is stored without outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "tutorial.ipynb"
KERNEL = "tripolar-test"


def _kernel_spec(folder: Path) -> None:
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "tripolar test kernel",
                "language": "python",
            }
        )
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("nb")
    _kernel_spec(tmp / "jupyter")
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(tmp / "jupyter"))
    mp.setenv("HOME", str(tmp))
    mp.setenv("MPLBACKEND", "Agg")
    mp.setenv("TRIPOLAR_STORE", str(tmp / "store.sqlite"))
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        client = nbclient.NotebookClient(
            nb,
            kernel_name=KERNEL,
            timeout=120,
            resources={"metadata": {"path": str(tmp)}},
        )
        client.execute()
    finally:
        mp.undo()
    return nb


def _text(cell: Any) -> str:
    out = []
    for o in cell.outputs:
        if o.output_type == "stream":
            out.append(o.text)
        elif "data" in o:
            out.append(o.data.get("text/plain", ""))
    return "".join(out)


def _tagged(nb: Any, tag: str) -> Any:
    (cell,) = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    return cell


def test_notebook_is_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 15
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_every_cell_runs_and_shows_a_result(executed: Any) -> None:
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs, cell.source
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_results_render_as_html_tables(executed: Any) -> None:
    """The dataset, postures, evaluation and assessment show through their _repr_html_."""
    html_cells = [
        c.source.strip().splitlines()[-1]
        for c in executed.cells
        if c.cell_type == "code" and any("text/html" in o.get("data", {}) for o in c.outputs)
    ]
    for name in ("ds", "us", "cn", "evaluation", "assessment"):
        assert name in html_cells, html_cells


def test_shown_results_are_the_apis(executed: Any) -> None:
    import tripolar
    from tripolar.stability.run import run_stability

    ctx = tripolar.EvaluationContext(year=2025, samples=200, seed=1)
    treaty = tripolar.load_treaty("tri-equal-1000")
    ev = tripolar.evaluate(treaty, ctx.postures(treaty.parties), context=ctx)
    want = {p: pe.verdict for p, pe in ev.parties.items()}
    assert _text(_tagged(executed, "verdicts")).strip() == repr(want)
    ls = run_stability(treaty, context=ctx).least_stable
    line = f"least stable: {ls['case']} ({ls['posture']}), r_{ls['party']} = {ls['r']:.3f}"
    assert _text(_tagged(executed, "least-stable")).strip() == line
    # the ZOPA count printed is the number of rows of the ZOPA table shown under it
    zopa = _tagged(executed, "zopa")
    first = _text(zopa).splitlines()[0]
    n_zopa = int(first.split(",")[1].split()[0])
    html = next(o.data["text/html"] for o in zopa.outputs if "data" in o)
    assert html.count("<tr") - 1 == n_zopa and "in the ZOPA" in first
