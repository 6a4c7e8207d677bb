"""Options reach every model: a changed Chinese figure in ``--data DIR`` moves every column.

The bundled tables are copied to a temporary directory and one Chinese figure is changed
there; ``assess --data DIR`` must then differ from the bundled assessment in the columns
that figure feeds. Two figures are used, because no single public Chinese figure feeds all
four areas: China's ICBM launchers (2024 leg total, carried forward to 2025) feed the counts,
the exchange (stability) and the negotiation outcome; China's deployed strategic warheads
(the party-level figure its deployed-warhead count rests on) feed the counts and, through
the US ceiling "at most Russia's plus China's" of tri-us-matches-combined, the verification
column. If any model read the bundled data behind the caller's back, its column would not
move.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tripolar import EvaluationContext, assess
from tripolar.data.loader import bundled_dir

SAMPLES = 60


def _copy_with(tmp_path: Path, table: str, match: dict[str, str], value: str) -> Path:
    d = tmp_path / "data"
    shutil.copytree(bundled_dir(), d)
    path = d / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, match
    assert hits[0]["value"] != value
    hits[0]["value"] = value
    hits[0]["low"] = hits[0]["high"] = ""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return d


def _moved(a: dict[str, Any], b: dict[str, Any]) -> dict[str, bool]:
    out = {"counts": False, "stability": False, "verification": False, "negotiation": False}
    for pa, pb in zip(a["proposals"], b["proposals"], strict=True):
        assert pa["treaty"] == pb["treaty"]
        out["counts"] |= pa["parties"] != pb["parties"]
        for k in ("stability", "verification", "negotiation"):
            out[k] |= pa["columns"][k] != pb["columns"][k]
    return out


@pytest.fixture(scope="module")
def bundled() -> dict[str, Any]:
    return assess(samples=SAMPLES).to_dict()


@pytest.mark.parametrize(
    ("table", "match", "value", "columns"),
    [
        (
            "system_figures",
            {"system_id": "cn-icbm-leg", "as_of": "2024", "quantity": "launchers_deployed"},
            "250",
            ("counts", "stability", "negotiation"),
        ),
        (
            "stockpiles",
            {"state": "CN", "year": "2025", "metric": "deployed_strategic"},
            "200",
            ("counts", "verification"),
        ),
    ],
)
def test_changed_chinese_figure_moves_columns(
    tmp_path: Path,
    bundled: dict[str, Any],
    table: str,
    match: dict[str, str],
    value: str,
    columns: tuple[str, ...],
) -> None:
    d = _copy_with(tmp_path, table, match, value)
    changed = assess(EvaluationContext(data_dir=d, samples=SAMPLES)).to_dict()
    assert changed["dataset_hash"] != bundled["dataset_hash"]
    moved = _moved(bundled, changed)
    for col in columns:
        assert moved[col], (col, moved)


def test_cli_data_option_reaches_every_column(cli, tmp_path: Path, bundled) -> None:  # type: ignore[no-untyped-def]
    """The same through ``tripolar assess --data DIR --json``, and the record says so."""
    d = _copy_with(
        tmp_path,
        "system_figures",
        {"system_id": "cn-icbm-leg", "as_of": "2024", "quantity": "launchers_deployed"},
        "250",
    )
    code, out, err = cli("assess", "--data", str(d), "--samples", str(SAMPLES), "--json")
    assert code == 0, err
    changed = json.loads(out)
    assert changed["context"]["data"] == str(d) and changed["context"]["samples"] == SAMPLES
    moved = _moved(bundled, changed)
    assert moved["counts"] and moved["stability"] and moved["negotiation"]


def test_same_inputs_same_result(bundled: dict[str, Any]) -> None:
    """No hidden state: the same context gives the same assessment, seed and samples kept."""
    again = assess(EvaluationContext(samples=SAMPLES)).to_dict()
    assert again == bundled
    other = assess(EvaluationContext(samples=SAMPLES, seed=2)).to_dict()
    assert _moved(bundled, other)["stability"]
    assert not _moved(bundled, other)["counts"]
