"""A data file the csv module cannot read is bad input: one message naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tripolar.data import load_dataset
from tripolar.data.loader import bundled_dir
from tripolar.errors import InputError


def test_a_cell_above_the_csv_field_limit_names_the_file(tmp_path: Path) -> None:
    header = (bundled_dir() / "systems.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "systems.csv"
    path.write_text(header + '\n"' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_dataset(tmp_path)
    assert str(path) in str(exc.value) and "line 2: not readable as CSV" in str(exc.value)


@pytest.mark.parametrize(
    ("table", "row"),
    [
        ("stockpiles", "US,2025,military_stockpile,20000000,,,published,A,S01,"),
        ("newstart_exchanges", "2011-02-05,US,deployed_launchers,20000000,B,S13b,"),
    ],
)
def test_counts_above_the_count_bound_name_the_file(tmp_path: Path, table: str, row: str) -> None:
    """A count the forces could not hold (above errors.MAX_COUNT) is refused where the file
    is read, not later where a posture is built."""
    header = (bundled_dir() / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / f"{table}.csv"
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_dataset(tmp_path)
    assert str(path) in str(exc.value) and "10,000,000" in str(exc.value)
